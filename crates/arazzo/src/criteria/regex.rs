//! Regex criteria: ECMAScript regular expressions, matched like JavaScript's
//! `RegExp.prototype.test`: unanchored, no flags.
//!
//! The spec names no flavour (1.0.1: "a regex pattern is applied on the supplied
//! context"); its example `^200$` and the runners that exist (JavaScript and Python)
//! read patterns the ECMAScript way, so we do too.
//!
//! A pattern and the text it runs on may both come from outside (a response body, or
//! one substituted into the condition with `{$…}`), so matching is bounded: regress
//! decides, as JavaScript would, whether the text is a pattern at all; the pattern is
//! then translated into Rust regex syntax (`\d`, `\w`, `\s` keep their ECMAScript
//! meaning) and run by fancy-regex. A pattern without look-around or back-references
//! runs on the regex crate's linear-time engines, so `^(a+)+$` costs no more than
//! `^a+$`; the others backtrack, at most [`BACKTRACK_LIMIT`] steps per match, after which
//! the criterion fails with an error that says so.

use std::borrow::Cow;

use serde_json::Value;

use super::CriterionError;
use crate::expression::text_of;

/// The longest pattern, in bytes.
pub(crate) const MAX_PATTERN_LEN: usize = 16 * 1024;
/// The longest text a pattern runs on, in bytes.
pub(crate) const MAX_INPUT_LEN: usize = 1024 * 1024;
/// The backtracking steps one match may take (patterns with look-around or
/// back-references only).
pub(crate) const BACKTRACK_LIMIT: usize = 100_000;
/// The size of a compiled pattern and of its lazy DFA's cache, in bytes: a bounded
/// repetition such as `a{1000}{1000}` is refused instead of compiled.
const COMPILED_SIZE_LIMIT: usize = 2 * 1024 * 1024;

pub(crate) fn compile(pattern: &str) -> Result<fancy_regex::Regex, CriterionError> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(CriterionError(format!(
            "regex pattern of {} bytes is over the limit of {MAX_PATTERN_LEN}",
            pattern.len()
        )));
    }
    regress::Regex::new(pattern)
        .map_err(|e| CriterionError(format!("invalid regex `{pattern}`: {e}")))?;
    let pattern_classes = empty_classes(pattern);
    let translated = jsonschema_regex::to_rust_regex(&pattern_classes).map_err(|()| {
        CriterionError(format!(
            "regex `{pattern}` uses ECMAScript syntax that weft cannot run within a budget"
        ))
    })?;
    fancy_regex::RegexBuilder::new(&translated)
        .backtrack_limit(BACKTRACK_LIMIT)
        .delegate_size_limit(COMPILED_SIZE_LIMIT)
        .delegate_dfa_size_limit(COMPILED_SIZE_LIMIT)
        .build()
        .map_err(|e| CriterionError(format!("regex `{pattern}` cannot be run: {e}")))
}

/// ECMAScript's `[^]` (any character) and `[]` (none) as classes Rust regex syntax has.
fn empty_classes(pattern: &str) -> Cow<'_, str> {
    if !pattern.contains("[]") && !pattern.contains("[^]") {
        return Cow::Borrowed(pattern);
    }
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some(escaped) = chars.next() {
                    out.push(escaped);
                }
            }
            '[' if !in_class => {
                let rest = chars.clone().take(2).collect::<String>();
                if rest.starts_with(']') {
                    chars.next();
                    out.push_str(r"[^\s\S]");
                } else if rest == "^]" {
                    chars.nth(1);
                    out.push_str(r"[\s\S]");
                } else {
                    in_class = true;
                    out.push(c);
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Matches the context's text (strings as they are, other values as JSON text).
/// 1.1: "If the `context` evaluates to `null` or `undefined`, the condition MUST
/// evaluate to _fail_."
pub(crate) fn evaluate(pattern: &str, context: Option<&Value>) -> Result<bool, CriterionError> {
    let regex = compile(pattern)?;
    let Some(context) = context.filter(|v| !v.is_null()) else {
        return Ok(false);
    };
    let text = text_of(Some(context));
    if text.len() > MAX_INPUT_LEN {
        return Err(CriterionError(format!(
            "regex context of {} bytes is over the limit of {MAX_INPUT_LEN}",
            text.len()
        )));
    }
    regex.is_match(text.as_ref()).map_err(|e| match e {
        fancy_regex::Error::RuntimeError(fancy_regex::RuntimeError::BacktrackLimitExceeded) => {
            CriterionError(format!(
                "regex `{pattern}` gave up on a context of {} bytes after \
                 {BACKTRACK_LIMIT} backtracking steps",
                text.len()
            ))
        }
        other => CriterionError(format!("regex `{pattern}` could not be matched: {other}")),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn patterns_match_the_context_text() {
        let cases: &[(&str, Option<Value>, bool)] = &[
            // The spec's example: `context: $statusCode`, `condition: '^200$'`.
            ("^200$", Some(json!(200)), true),
            ("^200$", Some(json!(201)), false),
            // 1.1's example `^2\d{2}$` ("Pass if status code starts with 2").
            (r"^2\d{2}$", Some(json!(204)), true),
            (r"^2\d{2}$", Some(json!(404)), false),
            // Unanchored, like RegExp.test.
            ("R", Some(json!("Rex")), true),
            ("^R", Some(json!("Rex")), true),
            ("^r", Some(json!("Rex")), false),
            // ECMAScript-only syntax: lookbehind, `[^]`.
            (r"(?<=\$)\d+", Some(json!("costs $5")), true),
            ("a[^]c", Some(json!("a\nc")), true),
            ("a[]", Some(json!("a")), false),
            (r"[\]][^]", Some(json!("]x")), true),
            // `\d` is ASCII only in ECMAScript.
            (r"^\d$", Some(json!("٣")), false),
            // Objects are matched as their JSON text.
            (r#""id":5"#, Some(json!({"id": 5})), true),
            (r"^true$", Some(json!(true)), true),
            // "If the `context` evaluates to `null` or `undefined`, the condition MUST
            // evaluate to _fail_."
            (".*", Some(Value::Null), false),
            (".*", None, false),
            // Back-references and look-ahead (ECMAScript §22.2.2).
            (r"(\w)\1", Some(json!("hello")), true),
            (r"(\w)\1", Some(json!("helo")), false),
            ("a(?=b)", Some(json!("ab")), true),
            ("a(?!b)", Some(json!("ab")), false),
            (r"(?<y>\d{4})-\1", Some(json!("2024-2024")), true),
            (r"(?<y>\d{4})-\1", Some(json!("2024-2025")), false),
            // `\w` and `\s` as ECMAScript defines them: ASCII word characters, and
            // Unicode white space.
            (r"^\w+$", Some(json!("héllo")), false),
            (r"^\s$", Some(json!("\u{a0}")), true),
        ];
        for (pattern, context, expected) in cases {
            assert_eq!(
                evaluate(pattern, context.as_ref()).unwrap(),
                *expected,
                "{pattern} on {context:?}"
            );
        }
    }

    #[test]
    fn invalid_and_oversized_patterns_are_errors() {
        assert!(evaluate("(", Some(&json!("x"))).is_err());
        assert!(evaluate("[a", Some(&json!("x"))).is_err());
        let long = "a".repeat(MAX_PATTERN_LEN + 1);
        assert!(evaluate(&long, Some(&json!("a"))).is_err());
        let big = json!("a".repeat(MAX_INPUT_LEN + 1));
        assert!(evaluate("a", Some(&big)).is_err());
        // Named back-references have no translation (a numbered one does).
        let error = evaluate(r"(?<y>a)\k<y>", Some(&json!("aa"))).unwrap_err();
        assert!(error.0.contains("cannot run within a budget"), "{error}");
        // A repetition whose compiled form would be huge is refused, not compiled.
        let error = evaluate("(?:a{1000}){1000}", Some(&json!("a"))).unwrap_err();
        assert!(error.0.contains("cannot be run"), "{error}");
    }

    /// Nested quantifiers no longer backtrack: `^(a+)+$` runs on a linear-time engine
    /// (with a backtracking engine each further `a` doubles the time, and 28 of them
    /// took seconds).
    #[test]
    fn nested_quantifiers_run_in_linear_time() {
        let text = json!(format!("{}!", "a".repeat(100_000)));
        assert_eq!(evaluate("^(a+)+$", Some(&text)), Ok(false));
        assert_eq!(evaluate("^(a|aa)+$", Some(&text)), Ok(false));
    }

    /// A pattern that has to backtrack (a back-reference) stops at its budget and the
    /// criterion fails with a message that says so.
    #[test]
    fn backtracking_stops_at_the_budget() {
        let text = json!(format!("{}!", "a".repeat(64)));
        let error = evaluate(r"^(a|a)+\1$", Some(&text)).unwrap_err();
        assert!(
            error.0.contains("backtracking steps") && error.0.contains("65 bytes"),
            "{error}"
        );
    }
}
