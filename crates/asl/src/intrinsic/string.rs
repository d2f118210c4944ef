//! `States.StringSplit`.

use std::borrow::Cow;

use serde_json::Value;

use super::{Outcome, expect_string, wrong_arity};

/// `States.StringSplit(string, delimiters)`: splits at every character that occurs in
/// `delimiters` and drops empty pieces (so `",,"` gives `[]`), as AWS does.
pub(super) fn split(name: &str, args: &[Cow<'_, Value>]) -> Outcome {
    let [text, delimiters] = args else {
        return Err(wrong_arity(name, args.len()));
    };
    let text = expect_string(name, 1, text)?;
    let delimiters = expect_string(name, 2, delimiters)?;
    Ok(Value::Array(
        text.split(|c: char| delimiters.contains(c))
            .filter(|piece| !piece.is_empty())
            .map(|piece| Value::String(piece.to_owned()))
            .collect(),
    ))
}
