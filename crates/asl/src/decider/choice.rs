//! Evaluating Choice rules.

use std::cmp::Ordering;

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use crate::error::StatesError;
use crate::model::{ChoiceRule, CompareOp, Condition, Operand};
use crate::path::Scope;

/// The index of the first rule whose condition holds, if any.
pub fn first_match(rules: &[ChoiceRule], scope: &Scope<'_>) -> Result<Option<usize>, StatesError> {
    for (i, rule) in rules.iter().enumerate() {
        if holds(&rule.condition, scope)? {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

fn holds(condition: &Condition, scope: &Scope<'_>) -> Result<bool, StatesError> {
    match condition {
        // Only JSONata states have these, and they evaluate them with `$states`.
        Condition::Jsonata(_) => Err(StatesError::runtime(
            "A JSONata condition cannot be evaluated in a JSONPath state.",
        )),
        Condition::And(all) => {
            for c in all {
                if !holds(c, scope)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Condition::Or(any) => {
            for c in any {
                if holds(c, scope)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Condition::Not(inner) => Ok(!holds(inner, scope)?),
        Condition::Compare {
            variable,
            op,
            operand,
        } => {
            let value = variable.select(scope);
            if *op == CompareOp::IsPresent {
                return Ok(value.is_some() == (operand_bool(operand) == Some(true)));
            }
            let Some(value) = value else {
                return Err(StatesError::runtime(format!(
                    "Invalid path '{}': The choice state's condition path references an invalid value.",
                    variable.text()
                )));
            };
            let expected = match operand {
                Operand::Literal(v) => std::borrow::Cow::Borrowed(v),
                Operand::Path(p) => p.select(scope).ok_or_else(|| {
                    StatesError::runtime(format!(
                        "Invalid path '{}': The choice state's condition path references an invalid value.",
                        p.text()
                    ))
                })?,
            };
            Ok(compare(*op, &value, &expected))
        }
    }
}

fn operand_bool(operand: &Operand) -> Option<bool> {
    match operand {
        Operand::Literal(Value::Bool(b)) => Some(*b),
        _ => None,
    }
}

/// Applies one operator. Operands of the wrong type never match.
pub fn compare(op: CompareOp, value: &Value, expected: &Value) -> bool {
    use CompareOp::*;
    let is = |test: bool| expected.as_bool().map(|want| want == test).unwrap_or(false);
    match op {
        StringEquals
        | StringLessThan
        | StringGreaterThan
        | StringLessThanEquals
        | StringGreaterThanEquals => match (value.as_str(), expected.as_str()) {
            (Some(a), Some(b)) => ordering_matches(op, a.cmp(b)),
            _ => false,
        },
        StringMatches => match (value.as_str(), expected.as_str()) {
            (Some(a), Some(pattern)) => wildcard_match(pattern, a),
            _ => false,
        },
        NumericEquals
        | NumericLessThan
        | NumericGreaterThan
        | NumericLessThanEquals
        | NumericGreaterThanEquals => match (value, expected) {
            (Value::Number(a), Value::Number(b)) => {
                compare_numbers(a, b).is_some_and(|o| ordering_matches(op, o))
            }
            _ => false,
        },
        BooleanEquals => match (value, expected) {
            (Value::Bool(a), Value::Bool(b)) => a == b,
            _ => false,
        },
        TimestampEquals
        | TimestampLessThan
        | TimestampGreaterThan
        | TimestampLessThanEquals
        | TimestampGreaterThanEquals => {
            match (
                value.as_str().and_then(parse_timestamp),
                expected.as_str().and_then(parse_timestamp),
            ) {
                (Some(a), Some(b)) => ordering_matches(op, a.cmp(&b)),
                _ => false,
            }
        }
        IsNull => is(value.is_null()),
        IsPresent => is(true),
        IsNumeric => is(value.is_number()),
        IsString => is(value.is_string()),
        IsBoolean => is(value.is_boolean()),
        IsTimestamp => is(value.as_str().and_then(parse_timestamp).is_some()),
    }
}

fn ordering_matches(op: CompareOp, ordering: Ordering) -> bool {
    use CompareOp::*;
    match op {
        StringEquals | NumericEquals | TimestampEquals => ordering == Ordering::Equal,
        StringLessThan | NumericLessThan | TimestampLessThan => ordering == Ordering::Less,
        StringGreaterThan | NumericGreaterThan | TimestampGreaterThan => {
            ordering == Ordering::Greater
        }
        StringLessThanEquals | NumericLessThanEquals | TimestampLessThanEquals => {
            ordering != Ordering::Greater
        }
        StringGreaterThanEquals | NumericGreaterThanEquals | TimestampGreaterThanEquals => {
            ordering != Ordering::Less
        }
        _ => false,
    }
}

/// Compares exactly when both numbers are integers, as floats otherwise.
fn compare_numbers(a: &serde_json::Number, b: &serde_json::Number) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return Some(x.cmp(&y));
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return Some(x.cmp(&y));
    }
    a.as_f64()?.partial_cmp(&b.as_f64()?)
}

/// Parses an RFC 3339 timestamp with an upper-case `T` (as ASL requires).
pub fn parse_timestamp(text: &str) -> Option<DateTime<FixedOffset>> {
    if text.len() < 20 || text.as_bytes().get(10) != Some(&b'T') {
        return None;
    }
    DateTime::parse_from_rfc3339(text).ok()
}

/// `StringMatches`: `*` matches any run of characters; `\*` and `\\` are a literal star
/// and backslash.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    enum Token {
        Char(char),
        Star,
    }
    let mut tokens = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped) => tokens.push(Token::Char(escaped)),
                None => tokens.push(Token::Char('\\')),
            },
            '*' => tokens.push(Token::Star),
            other => tokens.push(Token::Char(other)),
        }
    }
    let text: Vec<char> = text.chars().collect();
    // Greedy matching with one backtrack point: linear in practice, no regex needed.
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match tokens.get(p) {
            Some(Token::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            Some(Token::Star) => {
                star = Some((p, t));
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    tokens[p..].iter().all(|t| matches!(t, Token::Star))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wildcards_follow_the_spec_examples() {
        // ASL specification, Choice Rules: "log-*.txt" matches "log-2022-06-01.txt".
        assert!(wildcard_match("log-*.txt", "log-2022-06-01.txt"));
        assert!(!wildcard_match("log-*.txt", "log-2022-06-01.csv"));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("a*b*c", "aXbYbc"));
        assert!(wildcard_match(r"a\*", "a*"));
        assert!(!wildcard_match(r"a\*", "ab"));
        assert!(wildcard_match(r"a\\b", r"a\b"));
        assert!(!wildcard_match("abc", "abcd"));
    }

    #[test]
    fn numbers_compare_across_int_and_float() {
        assert!(compare(CompareOp::NumericEquals, &json!(1), &json!(1.0)));
        assert!(compare(CompareOp::NumericLessThan, &json!(-1), &json!(0.5)));
        assert!(!compare(CompareOp::NumericEquals, &json!("1"), &json!(1)));
        assert!(compare(
            CompareOp::NumericGreaterThanEquals,
            &json!(u64::MAX),
            &json!(u64::MAX)
        ));
    }

    #[test]
    fn timestamps_compare_as_instants() {
        assert!(compare(
            CompareOp::TimestampEquals,
            &json!("2016-03-14T01:59:00Z"),
            &json!("2016-03-14T02:59:00+01:00")
        ));
        assert!(compare(
            CompareOp::TimestampLessThan,
            &json!("2016-03-14T01:59:00Z"),
            &json!("2016-03-14T01:59:00.001Z")
        ));
        assert!(!compare(
            CompareOp::TimestampEquals,
            &json!("2016-03-14 01:59:00Z"),
            &json!("2016-03-14 01:59:00Z")
        ));
    }

    #[test]
    fn type_tests() {
        assert!(compare(CompareOp::IsNull, &json!(null), &json!(true)));
        assert!(compare(CompareOp::IsNull, &json!(1), &json!(false)));
        assert!(compare(CompareOp::IsString, &json!("x"), &json!(true)));
        assert!(compare(CompareOp::IsBoolean, &json!(false), &json!(true)));
        assert!(compare(CompareOp::IsNumeric, &json!(1.5), &json!(true)));
        assert!(compare(
            CompareOp::IsTimestamp,
            &json!("2016-03-14T01:59:00Z"),
            &json!(true)
        ));
        assert!(compare(
            CompareOp::IsTimestamp,
            &json!("yesterday"),
            &json!(false)
        ));
    }

    #[test]
    fn strings_compare_lexically() {
        assert!(compare(CompareOp::StringLessThan, &json!("a"), &json!("b")));
        assert!(compare(
            CompareOp::StringGreaterThanEquals,
            &json!("b"),
            &json!("b")
        ));
        assert!(!compare(CompareOp::StringEquals, &json!(1), &json!("1")));
    }
}
