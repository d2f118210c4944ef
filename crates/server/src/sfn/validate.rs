//! `ValidateStateMachineDefinition`: weft's static validation of a definition, with the
//! diagnostics shaped as the operation returns them.
//!
//! * `result` is FAIL when any ERROR diagnostic was found, whatever `severity` asks to
//!   see; warnings never make it FAIL.
//! * `severity` ERROR (the default) returns only errors, WARNING errors and warnings.
//! * `maxResults` 0–100, 0 or absent meaning 100; `truncated` says whether diagnostics
//!   were left out (AWS always sends it).
//! * The definition is read as `weft validate` reads it: JSON, or YAML when the text is
//!   not JSON. `type` is checked against the model and does not change the checks yet
//!   (the EXPRESS-only refusals of `.sync` and `.waitForTaskToken` are not made).

use serde_json::{Map, Value};
use weft_asl::validate::{self, Diagnostic, Severity};

use super::input::{self, Input, Problems};
use super::shapes::Shape;
use crate::protocol::ApiError;

/// The most diagnostics one reply carries.
const MAX_DIAGNOSTICS: usize = 100;

pub fn validate_definition(body: &Map<String, Value>) -> Result<Value, ApiError> {
    let input = Input::new(body);
    let mut problems = Problems::default();
    let definition = input.string(&mut problems, "definition", input::DEFINITION.required())?;
    input.enumeration(&mut problems, "type", input::STATE_MACHINE_TYPES, false)?;
    let severity = input.enumeration(&mut problems, "severity", input::SEVERITIES, false)?;
    let max_results = input.integer(&mut problems, "maxResults", 0, 100)?;
    problems.finish()?;

    let diagnostics = diagnose(definition.unwrap_or_default());
    let failed = diagnostics.iter().any(|d| d.severity == Severity::Error);
    let with_warnings = severity == Some("WARNING");
    let shown: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| with_warnings || d.severity == Severity::Error)
        .collect();
    let limit = match max_results {
        Some(n) if n > 0 => usize::try_from(n).unwrap_or(MAX_DIAGNOSTICS),
        _ => MAX_DIAGNOSTICS,
    };
    let truncated = shown.len() > limit;
    let listed = shown
        .into_iter()
        .take(limit)
        .map(|d| serde_json::to_value(d).unwrap_or(Value::Null))
        .collect();
    Ok(Shape::new()
        .put("result", if failed { "FAIL" } else { "OK" })
        .put("diagnostics", Value::Array(listed))
        .put("truncated", truncated)
        .build())
}

/// The API takes JSON only (YAML is a convenience of `weft validate` and `weft run`).
fn diagnose(text: &str) -> Vec<Diagnostic> {
    match validate::parse_json(text) {
        Ok(value) => validate::compile(&value).diagnostics,
        Err(diagnostic) => vec![diagnostic],
    }
}
