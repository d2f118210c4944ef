//! Comparing two values, as simple conditions (and the comparison form of jsonpath
//! conditions) do.
//!
//! 1.0.1 says only "String comparisons `MUST` be case insensitive"; 1.1 adds
//! "Numeric strings SHOULD be coerced to numbers when compared with numeric operators"
//! and "`null` only equals itself (`null == null` is `true`). Comparing `null` with any
//! other value evaluates to `false`." Where both are silent (spec issue #584):
//!
//! * `!=` is the negation of `==`, so `null != 5` is true: 1.1's own example
//!   `$response.body.data != null` must pass when there is data. Ordering a `null`
//!   (`null < 5`) is false.
//! * A number and a numeric string compare as numbers with every operator
//!   (`$response.header.X-Count == 5`); two numeric strings are ordered as numbers
//!   (`'10' > '9'`) but are equal only as text.
//! * A boolean equals the strings `true` / `false` in any case (header values are text).
//! * Strings order by their lower-cased characters.
//! * Arrays and objects are equal when their JSON is; other mixed kinds are unequal.
//! * Ordering values that cannot be ordered (a boolean, an object, a string that is no
//!   number against a number) is an error, which fails the criterion.

use std::cmp::Ordering;

use serde_json::{Number, Value};

use super::CriterionError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Op {
    /// The operator at the start of `text`, with its length.
    pub(crate) fn lex(text: &str) -> Option<(Op, usize)> {
        let b = text.as_bytes();
        let two = |op| Some((op, 2));
        match (b.first()?, b.get(1)) {
            (b'=', Some(b'=')) => two(Op::Eq),
            (b'!', Some(b'=')) => two(Op::Ne),
            (b'<', Some(b'=')) => two(Op::Le),
            (b'>', Some(b'=')) => two(Op::Ge),
            (b'<', _) => Some((Op::Lt, 1)),
            (b'>', _) => Some((Op::Gt, 1)),
            _ => None,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }
}

pub(crate) fn compare(left: &Value, op: Op, right: &Value) -> Result<bool, CriterionError> {
    let ordering = match op {
        Op::Eq => return Ok(equal(left, right)),
        Op::Ne => return Ok(!equal(left, right)),
        _ if left.is_null() || right.is_null() => return Ok(false),
        _ => order(left, right).ok_or_else(|| {
            CriterionError(format!(
                "cannot compare {} {} {}",
                describe(left),
                op.symbol(),
                describe(right)
            ))
        })?,
    };
    Ok(match op {
        Op::Lt => ordering.is_lt(),
        Op::Le => ordering.is_le(),
        Op::Gt => ordering.is_gt(),
        _ => ordering.is_ge(),
    })
}

fn equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(a), Value::Number(b)) => numbers(a, b) == Some(Ordering::Equal),
        (Value::String(a), Value::String(b)) => text(a, b) == Ordering::Equal,
        (Value::Number(n), Value::String(s)) | (Value::String(s), Value::Number(n)) => {
            numeric(s).is_some_and(|s| n.as_f64() == Some(s))
        }
        (Value::Bool(b), Value::String(s)) | (Value::String(s), Value::Bool(b)) => {
            s.eq_ignore_ascii_case(if *b { "true" } else { "false" })
        }
        (a, b) => a == b,
    }
}

fn order(left: &Value, right: &Value) -> Option<Ordering> {
    match (left, right) {
        (Value::Number(a), Value::Number(b)) => numbers(a, b),
        (Value::String(a), Value::String(b)) => match (numeric(a), numeric(b)) {
            (Some(a), Some(b)) => a.partial_cmp(&b),
            _ => Some(text(a, b)),
        },
        (Value::Number(a), Value::String(b)) => a.as_f64()?.partial_cmp(&numeric(b)?),
        (Value::String(a), Value::Number(b)) => numeric(a)?.partial_cmp(&b.as_f64()?),
        _ => None,
    }
}

/// Integers compare exactly; anything else as `f64`.
fn numbers(a: &Number, b: &Number) -> Option<Ordering> {
    if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64()) {
        return Some(a.cmp(&b));
    }
    if let (Some(a), Some(b)) = (a.as_u64(), b.as_u64()) {
        return Some(a.cmp(&b));
    }
    a.as_f64()?.partial_cmp(&b.as_f64()?)
}

/// Case-insensitive ("String comparisons MUST be case insensitive"), without allocating.
fn text(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a
            .bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()));
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
}

/// A string that is a decimal number (JSON number syntax, optional `+`, surrounding
/// whitespace allowed); `inf`, `NaN`, `0x10` are not.
pub(crate) fn numeric(s: &str) -> Option<f64> {
    let t = s.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (mantissa, exponent) = match digits.find(['e', 'E']) {
        Some(at) => (&digits[..at], Some(&digits[at + 1..])),
        None => (digits, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let valid = all_digits(int)
        && frac.is_none_or(all_digits)
        && exponent.is_none_or(|e| all_digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    if valid { t.parse().ok() } else { None }
}

fn describe(value: &Value) -> String {
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let mut text = value.to_string();
    if text.len() > 40 {
        let mut cut = 40;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    format!("{kind} {text}")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn comparison_table() {
        use Op::*;
        let cases: &[(Value, Op, Value, bool)] = &[
            // "String comparisons MUST be case insensitive."
            (json!("Rex"), Eq, json!("rex"), true),
            (json!("STOPPED"), Ne, json!("stopped"), false),
            (json!("ÉTÉ"), Eq, json!("été"), true),
            (json!("apple"), Lt, json!("Banana"), true),
            (json!("abc"), Lt, json!("abcd"), true),
            // "Numeric strings SHOULD be coerced to numbers when compared with numeric
            // operators."
            (json!("10"), Gt, json!(9), true),
            (json!(200), Eq, json!("200"), true),
            (json!("10"), Gt, json!("9"), true),
            (json!("1.50"), Eq, json!(1.5), true),
            (json!("1.0"), Eq, json!("1"), false),
            (json!(" 7 "), Le, json!(7), true),
            (json!("abc"), Eq, json!(5), false),
            (json!("abc"), Ne, json!(5), true),
            // Numbers.
            (json!(200), Eq, json!(200), true),
            (json!(200), Eq, json!(200.0), true),
            (
                json!(9007199254740993_u64),
                Eq,
                json!(9007199254740992_u64),
                false,
            ),
            (json!(-1), Lt, json!(0), true),
            (json!(2.5), Ge, json!(2.5), true),
            (json!(2), Gt, json!(3), false),
            // "`null` only equals itself (`null == null` is `true`). Comparing `null`
            // with any other value evaluates to `false`."
            (json!(null), Eq, json!(null), true),
            (json!(null), Eq, json!(0), false),
            (json!(null), Eq, json!(""), false),
            (json!(null), Lt, json!(1), false),
            (json!(1), Ge, json!(null), false),
            // `$response.body.data != null` (1.1's example) passes when there is data.
            (json!({"a": 1}), Ne, json!(null), true),
            (json!(null), Ne, json!(null), false),
            // Booleans, and their text forms.
            (json!(true), Eq, json!(true), true),
            (json!(true), Eq, json!("TRUE"), true),
            (json!(false), Eq, json!("no"), false),
            (json!(true), Eq, json!(1), false),
            // Structures.
            (json!([1, 2]), Eq, json!([1, 2]), true),
            (json!({"a": 1, "b": 2}), Eq, json!({"b": 2, "a": 1}), true),
            (json!([1]), Ne, json!({"a": 1}), true),
        ];
        for (left, op, right, expected) in cases {
            assert_eq!(
                compare(left, *op, right).unwrap(),
                *expected,
                "{left} {op:?} {right}"
            );
        }
    }

    #[test]
    fn ordering_what_cannot_be_ordered_is_an_error() {
        for (left, right) in [
            (json!(true), json!(false)),
            (json!("abc"), json!(5)),
            (json!(5), json!("five")),
            (json!([1]), json!([2])),
            (json!({}), json!(1)),
        ] {
            assert!(compare(&left, Op::Lt, &right).is_err(), "{left} < {right}");
        }
    }

    #[test]
    fn numeric_strings() {
        for (text, expected) in [
            ("5", Some(5.0)),
            ("-2.5", Some(-2.5)),
            ("+3", Some(3.0)),
            ("1e3", Some(1000.0)),
            ("1.5E-1", Some(0.15)),
            (" 42\n", Some(42.0)),
            ("", None),
            ("-", None),
            ("1.", None),
            (".5", None),
            ("inf", None),
            ("NaN", None),
            ("0x10", None),
            ("1e", None),
            ("12abc", None),
        ] {
            assert_eq!(numeric(text), expected, "{text:?}");
        }
    }

    #[test]
    fn operators_lex_longest_first() {
        assert_eq!(Op::lex("<= 3"), Some((Op::Le, 2)));
        assert_eq!(Op::lex("< 3"), Some((Op::Lt, 1)));
        assert_eq!(Op::lex("!= 3"), Some((Op::Ne, 2)));
        assert_eq!(Op::lex("! 3"), None);
        assert_eq!(Op::lex("= 3"), None);
    }
}
