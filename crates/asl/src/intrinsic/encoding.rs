//! `States.Base64Encode` and `States.Base64Decode`.

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::{Outcome, expect_string, wrong_arity};

/// Both functions accept at most this many characters of input.
pub(super) const MAX_INPUT_CHARS: usize = 10_000;

/// `States.Base64Encode(string)`: the base64 (RFC 4648, padded) form of the string's
/// UTF-8 bytes.
pub(super) fn base64_encode(name: &str, args: &[Cow<'_, Value>]) -> Outcome {
    let [input] = args else {
        return Err(wrong_arity(name, args.len()));
    };
    let input = limited_string(name, input)?;
    Ok(Value::String(STANDARD.encode(input)))
}

/// `States.Base64Decode(string)`: the text whose UTF-8 bytes the base64 string encodes.
pub(super) fn base64_decode(name: &str, args: &[Cow<'_, Value>]) -> Outcome {
    let [input] = args else {
        return Err(wrong_arity(name, args.len()));
    };
    let input = limited_string(name, input)?;
    let bytes = STANDARD
        .decode(input)
        .map_err(|e| format!("The argument of {name} is not valid base64: {e}"))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| format!("The argument of {name} does not decode to UTF-8 text"))
}

/// A string argument no longer than [`MAX_INPUT_CHARS`] characters.
pub(super) fn limited_string<'v>(name: &str, value: &'v Value) -> Result<&'v str, String> {
    let input = expect_string(name, 1, value)?;
    let chars = input.chars().count();
    if chars > MAX_INPUT_CHARS {
        return Err(format!(
            "The input of {name} has {chars} characters, but at most {MAX_INPUT_CHARS} are allowed"
        ));
    }
    Ok(input)
}
