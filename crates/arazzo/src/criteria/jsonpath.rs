//! JSONPath criteria.
//!
//! A condition that is an RFC 9535 query is run with the context value as the root
//! `$`, and passes when its nodelist is not empty (1.1: "A condition passes (truthy)
//! when the JSONPath expression returns a non-empty nodelist"). So `$.name` passes on
//! `{"name": "Rex"}`, and the spec's example `$[?count(@.pets) > 0]` selects the root's
//! *members* that have a `pets` child: on `{"pets": [..]}` it fails, on
//! `[{"pets": [..]}]` it passes. Redocly Respect instead queries `[context]` (the
//! context wrapped in an array), where that example passes and `$.name` fails; we keep
//! to RFC 9535.
//!
//! Conditions written in the older Goessner/Jayway style compare a query with a
//! literal: `$.taskArns.length > 0`, `$.tasks[0].lastStatus != 'STOPPED'`,
//! `$.type == "QueuedJob"`. These are not RFC 9535 queries, and the workflows that use
//! them mean a comparison, so a condition that does not parse as a query is read as
//! `<query> <op> <literal>`:
//!
//! * `op` is one of `== != < <= > >=` (the first one outside brackets, parentheses and
//!   quotes); the literal is a quoted string (single or double quotes), a number,
//!   `true`, `false` or `null`; values compare as in simple conditions
//!   (case-insensitive strings, numeric strings coerced).
//! * The query may end in `.length` or `.length()`: the number of items of the array,
//!   characters of the string or members of the object it selects, unless the value
//!   has a member actually named `length`.
//! * The query must select at most one node; more is an error. None is "absent", and
//!   absent compares like `null`: `== 'x'` fails, `!= 'x'` passes, `== null` passes.
//!   (That is what `null` means in simple conditions, so a poll loop on
//!   `$.tasks[0].lastStatus != 'STOPPED'` keeps polling while no task is listed.)
//!
//! A context that is `null` or absent fails either way (1.1: "If the `context`
//! evaluates to `null` or `undefined` ... the condition MUST evaluate to _fail_").

use serde_json::Value;
use serde_json_path::JsonPath;

use super::CriterionError;
use super::compare::{Op, compare};
use super::simple;

#[derive(Debug)]
pub(crate) enum Condition {
    Query(JsonPath),
    Comparison {
        /// The query as written (absent when only `….length()` makes it invalid).
        query: Option<JsonPath>,
        /// The query without `.length`, when it ends in it.
        length_of: Option<JsonPath>,
        op: Op,
        literal: Value,
    },
}

/// The longest JSONPath condition, in bytes.
pub(crate) const MAX_CONDITION_BYTES: usize = 4096;
/// How deeply brackets and parentheses may nest: serde_json_path's parser recurses
/// into every filter.
pub(crate) const MAX_NESTING: usize = 16;
/// How many descendant segments (`..`) a condition may have: each one can multiply the
/// nodes visited by the depth of the document.
pub(crate) const MAX_DESCENDANTS: usize = 2;
/// The most nodes the unions of a condition can multiply into: `$[0,0][0,0]…` selects
/// 2ⁿ nodes (a nodelist keeps duplicates), so the product of the selector counts of
/// every bracketed segment is bounded.
pub(crate) const MAX_UNION_PRODUCT: usize = 1024;

pub(crate) fn parse(text: &str) -> Result<Condition, CriterionError> {
    within_budget(text).map_err(|why| CriterionError(format!("JSONPath `{text}`: {why}")))?;
    let strict = match JsonPath::parse(text) {
        Ok(query) => return Ok(Condition::Query(query)),
        Err(e) => e,
    };
    comparison(text).ok_or_else(|| {
        CriterionError(format!(
            "invalid JSONPath `{text}` ({strict}), and not `<query> <op> <literal>` either"
        ))
    })
}

fn comparison(text: &str) -> Option<Condition> {
    let (at, op, len) = find_operator(text)?;
    let left = text[..at].trim();
    let literal = simple::literal(&text[at + len..])?;
    let query = JsonPath::parse(left).ok();
    let length_of = [".length()", ".length"]
        .iter()
        .find_map(|suffix| left.strip_suffix(suffix))
        .and_then(|base| JsonPath::parse(base).ok());
    if query.is_none() && length_of.is_none() {
        return None;
    }
    Some(Condition::Comparison {
        query,
        length_of,
        op,
        literal,
    })
}

/// Checks the length, nesting, descendant segments and union sizes of a condition, in
/// one pass that skips quoted strings, before a parser or an evaluation spends time
/// on it.
fn within_budget(text: &str) -> Result<(), String> {
    if text.len() > MAX_CONDITION_BYTES {
        return Err(format!(
            "the condition is {} bytes long; the limit is {MAX_CONDITION_BYTES}",
            text.len()
        ));
    }
    // For each open bracket: the number of selectors seen in it so far.
    let mut open: Vec<(u8, usize)> = Vec::new();
    let (mut descendants, mut product, mut after_dots) = (0usize, 1usize, 0);
    for (i, b) in unquoted(text) {
        match b {
            b'[' | b'(' => {
                open.push((b, 1));
                if open.len() > MAX_NESTING {
                    return Err(format!("brackets nest more than {MAX_NESTING} levels deep"));
                }
            }
            b']' | b')' => {
                if let Some((b'[', selectors)) = open.pop() {
                    product = product.saturating_mul(selectors);
                    if product > MAX_UNION_PRODUCT {
                        return Err(format!(
                            "its unions can select more than {MAX_UNION_PRODUCT} nodes for \
                             each one they start from"
                        ));
                    }
                }
            }
            b',' => {
                if let Some((b'[', selectors)) = open.last_mut() {
                    *selectors += 1;
                }
            }
            b'.' if i >= after_dots && text.as_bytes().get(i + 1) == Some(&b'.') => {
                descendants += 1;
                if descendants > MAX_DESCENDANTS {
                    return Err(format!(
                        "more than {MAX_DESCENDANTS} descendant segments (`..`)"
                    ));
                }
                after_dots = i + 2;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The first comparison operator outside brackets, parentheses and quoted strings.
fn find_operator(text: &str) -> Option<(usize, Op, usize)> {
    let mut depth = 0usize;
    for (i, b) in unquoted(text) {
        match b {
            b'[' | b'(' => depth += 1,
            b']' | b')' => depth = depth.saturating_sub(1),
            // Operators are ASCII, so `i` is a character boundary here.
            b'=' | b'!' | b'<' | b'>' if depth == 0 => {
                if let Some((op, len)) = Op::lex(&text[i..]) {
                    return Some((i, op, len));
                }
            }
            _ => {}
        }
    }
    None
}

/// The bytes of `text` outside its quoted strings (single or double quotes, in which a
/// backslash escapes the next byte), with their offsets.
fn unquoted(text: &str) -> impl Iterator<Item = (usize, u8)> + '_ {
    let (mut quote, mut escaped) = (None, false);
    text.bytes().enumerate().filter(move |&(_, b)| {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if b == b'\\' => escaped = true,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'\'' || b == b'"' => quote = Some(b),
            None => return true,
        }
        false
    })
}

pub(crate) fn evaluate(
    condition: &Condition,
    context: Option<&Value>,
) -> Result<bool, CriterionError> {
    let Some(root) = context.filter(|v| !v.is_null()) else {
        return Ok(false);
    };
    match condition {
        Condition::Query(query) => Ok(!query.query(root).is_empty()),
        Condition::Comparison {
            query,
            length_of,
            op,
            literal,
        } => {
            let direct = match query {
                Some(query) => one(query, root)?,
                None => None,
            };
            let selected = match (direct, length_of) {
                (Some(value), _) => Some(value.clone()),
                (None, Some(base)) => one(base, root)?.map(length).transpose()?,
                (None, None) => None,
            };
            compare(selected.as_ref().unwrap_or(&Value::Null), *op, literal)
        }
    }
}

fn one<'v>(query: &JsonPath, root: &'v Value) -> Result<Option<&'v Value>, CriterionError> {
    query.query(root).at_most_one().map_err(|_| {
        CriterionError(format!(
            "`{query}` selects more than one value; a comparison needs one"
        ))
    })
}

fn length(value: &Value) -> Result<Value, CriterionError> {
    Ok(Value::from(match value {
        Value::Array(items) => items.len(),
        Value::String(text) => text.chars().count(),
        Value::Object(members) => members.len(),
        other => {
            return Err(CriterionError(format!(
                "`.length` of {other}, which has none"
            )));
        }
    }))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn run(condition: &str, context: &Value) -> Result<bool, CriterionError> {
        evaluate(&parse(condition)?, Some(context))
    }

    #[test]
    fn rfc_9535_queries_pass_on_a_non_empty_nodelist() {
        let rex = json!({"id": 5, "name": "Rex"});
        let pets = json!({"pets": [{"name": "Rex"}]});
        let cases: &[(&str, &Value, bool)] = &[
            // §2.8 of our runner survey, with the spec's answer (RFC 9535, context as root):
            // `$.name` on {"id":5,"name":"Rex"}: pass (non-empty).
            ("$.name", &rex, true),
            // `$[?count(@.name) > 0]`: the filter iterates the root's member values (5,
            // "Rex"), none of which has `.name`: fail.
            ("$[?count(@.name) > 0]", &rex, false),
            // `$[?@.id == 5]`: no child has `.id`: fail.
            ("$[?@.id == 5]", &rex, false),
            // The spec's example, strictly: the root's members are [..] arrays.
            ("$[?count(@.pets) > 0]", &pets, false),
            ("$[?count(@.pets) > 0]", &json!([{"pets": [1]}]), true),
            // 1.1's "Pass if any pets array has elements".
            ("$.pets[*]", &pets, true),
            ("$.pets[*]", &json!({"pets": []}), false),
            ("$.pets[?@.name == 'Rex']", &pets, true),
            ("$.pets[?(@.name == 'Rex')]", &pets, true),
            ("$.missing", &rex, false),
        ];
        for (condition, context, expected) in cases {
            assert_eq!(run(condition, context).unwrap(), *expected, "{condition}");
        }
    }

    #[test]
    fn the_comparisons_the_seed_workflows_write() {
        let listed = json!({"taskArns": ["arn:aws:ecs:us-east-1:1:task/c/1"]});
        let none = json!({"taskArns": []});
        let stopping = json!({"tasks": [{"lastStatus": "DEACTIVATING"}]});
        let stopped = json!({"tasks": [{"lastStatus": "STOPPED"}]});
        let queued = json!({"type": "QueuedJob", "running": false});
        let cases: &[(&str, &Value, bool)] = &[
            ("$.taskArns.length > 0", &listed, true),
            ("$.taskArns.length > 0", &none, false),
            ("$.taskArns.length == 0", &none, true),
            ("$.taskArns.length == 0", &listed, false),
            ("$.taskArns.length() >= 1", &listed, true),
            ("$.tasks[0].lastStatus != 'STOPPED'", &stopping, true),
            ("$.tasks[0].lastStatus != 'STOPPED'", &stopped, false),
            ("$.tasks[0].lastStatus == 'STOPPED'", &stopped, true),
            // Strings compare case-insensitively, as in simple conditions.
            ("$.tasks[0].lastStatus == 'stopped'", &stopped, true),
            ("$.type == \"QueuedJob\"", &queued, true),
            ("$.type == \"CompletedJob\"", &queued, false),
            ("$.running == false", &queued, true),
            // Absent compares like null.
            ("$.tasks[0].lastStatus != 'STOPPED'", &none, true),
            ("$.tasks[0].lastStatus == 'STOPPED'", &none, false),
            ("$.nothing == null", &none, true),
            // `.length` of strings and objects; a real `length` member wins.
            ("$.type.length == 9", &queued, true),
            ("$.length == 2", &queued, true),
            ("$.length == 7", &json!({"length": 7}), true),
            // Operators inside filters and strings are not the comparison's.
            (
                "$.tasks[?@.lastStatus == 'STOPPED'].lastStatus == 'stopped'",
                &stopped,
                true,
            ),
            ("$['a>b'] == 1", &json!({"a>b": 1}), true),
            ("$.é == 'Ü'", &json!({"é": "ü"}), true),
        ];
        for (condition, context, expected) in cases {
            assert_eq!(run(condition, context).unwrap(), *expected, "{condition}");
        }
    }

    #[test]
    fn null_context_fails() {
        // "If the `context` evaluates to `null` or `undefined` ... the condition MUST
        // evaluate to _fail_."
        for condition in ["$", "$.a", "$.a == null"] {
            let parsed = parse(condition).unwrap();
            assert!(!evaluate(&parsed, Some(&Value::Null)).unwrap());
            assert!(!evaluate(&parsed, None).unwrap());
        }
    }

    #[test]
    fn errors() {
        // Syntax errors, in either form.
        for condition in [
            "$.",
            "$[",
            "taskArns.length > 0",
            "$.a == STOPPED",
            "$.a ==",
        ] {
            assert!(parse(condition).is_err(), "{condition}");
        }
        // A comparison needs one value.
        assert!(
            run(
                "$.tasks[*].lastStatus == 'STOPPED'",
                &json!({"tasks": [{"lastStatus": "a"}, {"lastStatus": "b"}]})
            )
            .is_err()
        );
        // A number has no length.
        assert!(run("$.n.length > 0", &json!({"n": 5})).is_err());
        // Ordering a string against a number.
        assert!(run("$.type > 1", &json!({"type": "QueuedJob"})).is_err());
    }

    #[test]
    fn conditions_over_their_budget_are_refused_before_parsing() {
        let refused = |condition: &str| parse(condition).unwrap_err().0;
        // Nested filters: serde_json_path's parser would recurse once per level.
        let nested = format!("{}1{}", "$[?(".repeat(5_000), ")]".repeat(5_000));
        let message = refused(&nested[..4000]);
        assert!(message.contains("nest more than 16 levels"), "{message}");
        // `[0,0]` eleven times selects 2048 copies of one node.
        let message = refused(&format!("${}", "[0,0]".repeat(11)));
        assert!(message.contains("more than 1024 nodes"), "{message}");
        assert!(parse(&format!("${}", "[0,0]".repeat(10))).is_ok());
        let message = refused("$..a..b..c");
        assert!(message.contains("descendant segments"), "{message}");
        let message = refused(&format!("$.{}", "a".repeat(5000)));
        assert!(message.contains("the limit is 4096"), "{message}");
        // What is inside quotes is not counted.
        assert!(parse("$[?@.name == '..[[[..,,,..']").is_ok());
    }
}
