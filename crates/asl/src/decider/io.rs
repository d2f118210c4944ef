//! Input and output processing shared by all states: `InputPath`, `OutputPath`,
//! `ResultPath`, payload size limits and JSON text for the history.

use std::borrow::Cow;

use serde_json::{Value, json};

use crate::error::{StatesError, names};
use crate::model::{IoPath, ResultPathSpec};
use crate::path::{Path, ReferencePath, Scope, Segment};

use super::MAX_PAYLOAD_BYTES;

/// Compact JSON text, as history events and API replies carry it.
pub fn to_text(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

pub fn not_truncated() -> Value {
    json!({ "truncated": false })
}

/// Applies `InputPath` or `OutputPath` to `scope.input`.
pub fn select_io(path: &IoPath, scope: &Scope<'_>) -> Result<Value, StatesError> {
    select_io_cow(path, scope).map(Cow::into_owned)
}

/// [`select_io`] without copying when the whole document is selected.
pub fn select_io_cow<'a>(path: &IoPath, scope: &Scope<'a>) -> Result<Cow<'a, Value>, StatesError> {
    match path {
        IoPath::Whole => Ok(Cow::Borrowed(scope.input)),
        IoPath::Null => Ok(Cow::Owned(Value::Object(Default::default()))),
        IoPath::Path(p) => match p.select(scope) {
            Some(v) => Ok(v),
            None => Err(StatesError::runtime(missing_path_cause(p, scope.input))),
        },
    }
}

/// Selects with a path that must match, failing the way Step Functions does.
pub fn select_required(path: &Path, scope: &Scope<'_>) -> Result<Value, StatesError> {
    match path.select(scope) {
        Some(v) => Ok(v.into_owned()),
        None => Err(StatesError::runtime(missing_path_cause(path, scope.input))),
    }
}

/// `Invalid path '$.a.b' : Missing property in path $['a']`, naming the first step
/// that is not there.
fn missing_path_cause(path: &Path, input: &Value) -> String {
    let text = path.text();
    let Ok(reference) = ReferencePath::parse(text) else {
        return format!("Invalid path '{text}' : No results for path: {text}");
    };
    let mut shown = String::from("$");
    let mut current = input;
    for segment in reference.segments() {
        match segment {
            Segment::Field(name) => {
                shown.push_str(&format!("['{name}']"));
                match current.get(name.as_str()) {
                    Some(next) => current = next,
                    None => break,
                }
            }
            Segment::Index(i) => {
                shown.push_str(&format!("[{i}]"));
                match current.get(*i) {
                    Some(next) => current = next,
                    None => break,
                }
            }
        }
    }
    format!("Invalid path '{text}' : Missing property in path {shown}")
}

/// Combines a state's raw input with its result according to `ResultPath`.
pub fn apply_result_path(
    spec: &ResultPathSpec,
    input: Value,
    result: Value,
) -> Result<Value, StatesError> {
    match spec {
        ResultPathSpec::Replace => Ok(result),
        ResultPathSpec::Discard => Ok(input),
        ResultPathSpec::Path(path) => path
            .write(input, result)
            .map_err(|e| StatesError::new(names::RESULT_PATH_MATCH_FAILURE, e.message)),
    }
}

/// Fails with `States.DataLimitExceeded` when a payload is over 256 KiB.
pub fn check_size(text: &str, state: &str) -> Result<(), StatesError> {
    if text.len() > MAX_PAYLOAD_BYTES {
        return Err(StatesError::new(
            names::DATA_LIMIT_EXCEEDED,
            format!(
                "The state/task '{state}' returned a result with a size exceeding the maximum number of bytes service limit."
            ),
        ));
    }
    Ok(())
}
