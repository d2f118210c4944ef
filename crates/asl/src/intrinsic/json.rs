//! JSON intrinsics: `States.StringToJson`, `States.JsonToString` and `States.JsonMerge`.

use std::borrow::Cow;

use serde_json::Value;

use super::{Outcome, compact_json, expect_object, expect_string, type_name, wrong_arity};

/// `States.StringToJson(string)`: the JSON value the string holds. An empty string
/// gives `null`, as recorded from Step Functions.
pub(super) fn string_to_json(name: &str, args: &[Cow<'_, Value>]) -> Outcome {
    let [text] = args else {
        return Err(wrong_arity(name, args.len()));
    };
    let text = expect_string(name, 1, text)?;
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(text).map_err(|e| format!("The argument of {name} is not valid JSON: {e}"))
}

/// `States.JsonToString(value)`: the value as compact JSON text.
pub(super) fn json_to_string(name: &str, args: &[Cow<'_, Value>]) -> Outcome {
    let [value] = args else {
        return Err(wrong_arity(name, args.len()));
    };
    Ok(Value::String(compact_json(value)))
}

/// `States.JsonMerge(a, b, false)`: a shallow merge where the keys of `b` replace those
/// of `a`. Step Functions supports only the shallow mode, so the flag must be `false`.
pub(super) fn json_merge(name: &str, args: &[Cow<'_, Value>]) -> Outcome {
    let [left, right, deep] = args else {
        return Err(wrong_arity(name, args.len()));
    };
    let left = expect_object(name, 1, left)?;
    let right = expect_object(name, 2, right)?;
    match deep.as_ref() {
        Value::Bool(false) => {}
        Value::Bool(true) => {
            return Err(format!(
                "{name} supports only a shallow merge: the third argument must be false"
            ));
        }
        other => {
            return Err(format!(
                "The argument at position 3 of {name} must be the boolean false, but it is {}",
                type_name(other)
            ));
        }
    }
    let mut merged = left.clone();
    for (key, value) in right {
        merged.insert(key.clone(), value.clone());
    }
    Ok(Value::Object(merged))
}
