//! Regex criteria: ECMAScript regular expressions (`regress`), matched like
//! JavaScript's `RegExp.prototype.test`: unanchored, no flags.
//!
//! The spec names no flavour (1.0.1: "a regex pattern is applied on the supplied
//! context"); its example `^200$` and the runners that exist (JavaScript and Python)
//! read patterns the ECMAScript way, so we do too.

use serde_json::Value;

use super::CriterionError;
use crate::expression::text_of;

/// Patterns are run by a backtracking engine, so their size and the text they run on
/// are bounded.
pub(crate) const MAX_PATTERN_LEN: usize = 16 * 1024;
pub(crate) const MAX_INPUT_LEN: usize = 1024 * 1024;

pub(crate) fn compile(pattern: &str) -> Result<regress::Regex, CriterionError> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(CriterionError(format!(
            "regex pattern of {} bytes is over the limit of {MAX_PATTERN_LEN}",
            pattern.len()
        )));
    }
    regress::Regex::new(pattern)
        .map_err(|e| CriterionError(format!("invalid regex `{pattern}`: {e}")))
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
    Ok(regex.find(&text).is_some())
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
            // `\d` is ASCII only in ECMAScript.
            (r"^\d$", Some(json!("٣")), false),
            // Objects are matched as their JSON text.
            (r#""id":5"#, Some(json!({"id": 5})), true),
            (r"^true$", Some(json!(true)), true),
            // "If the `context` evaluates to `null` or `undefined`, the condition MUST
            // evaluate to _fail_."
            (".*", Some(Value::Null), false),
            (".*", None, false),
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
    }
}
