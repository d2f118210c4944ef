//! `States.Format`: string construction with `{}` placeholders.

use std::borrow::Cow;
use std::fmt::Write;

use serde_json::Value;

use super::{Arg, Function, Outcome, expect_string};

/// `States.Format(template, values…)`: replaces each `{}` in the template with the next
/// value. In a quoted template only the `{}` written without escapes are placeholders;
/// a template read from a path has every `{}` as a placeholder.
pub(super) fn format(written: &[Arg], args: &[Cow<'_, Value>]) -> Outcome {
    let name = Function::Format.name();
    let Some((template_value, values)) = args.split_first() else {
        return Err(super::wrong_arity(name, 0));
    };
    let template = expect_string(name, 1, template_value)?;
    let placeholders: Vec<usize> = match written.first() {
        Some(Arg::String { placeholders, .. }) => placeholders.clone(),
        _ => template.match_indices("{}").map(|(at, _)| at).collect(),
    };
    if placeholders.len() != values.len() {
        return Err(format!(
            "The number of arguments ({}) does not match the number of placeholders {{}} ({}) in the format string",
            values.len(),
            placeholders.len()
        ));
    }
    let mut out = String::with_capacity(template.len());
    let mut copied = 0;
    for (&at, value) in placeholders.iter().zip(values) {
        out.push_str(template.get(copied..at).unwrap_or_default());
        render(value, &mut out);
        copied = at + 2;
    }
    out.push_str(template.get(copied..).unwrap_or_default());
    Ok(Value::String(out))
}

/// Renders a value into formatted text the way Step Functions does: strings without
/// quotes, objects as `{key=value, …}` and arrays as `[a, b]` (the text form of Java
/// maps and lists, as AWS prints them).
fn render(value: &Value, out: &mut String) {
    match value {
        Value::String(s) => out.push_str(s),
        Value::Null => out.push_str("null"),
        Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(key);
                out.push('=');
                render(item, out);
            }
            out.push('}');
        }
    }
}
