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

pub(crate) fn parse(text: &str) -> Result<Condition, CriterionError> {
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

/// The first comparison operator outside brackets, parentheses and quoted strings.
fn find_operator(text: &str) -> Option<(usize, Op, usize)> {
    let bytes = text.as_bytes();
    let (mut depth, mut quote, mut i) = (0usize, None, 0);
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'\'' | b'"' => quote = Some(b),
                b'[' | b'(' => depth += 1,
                b']' | b')' => depth = depth.saturating_sub(1),
                // Operators are ASCII, so `i` is a character boundary here.
                b'=' | b'!' | b'<' | b'>' if depth == 0 => {
                    if let Some((op, len)) = Op::lex(&text[i..]) {
                        return Some((i, op, len));
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    None
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
}
