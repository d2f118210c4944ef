//! `ValidateStateMachineDefinition`: weft's static validation of a definition, with the
//! diagnostics shaped as the operation returns them.
//!
//! * `result` is FAIL when any ERROR diagnostic was found, whatever `severity` asks to
//!   see; warnings never make it FAIL.
//! * `severity` ERROR (the default) returns only errors, WARNING errors and warnings.
//! * `maxResults` 0–100, 0 or absent meaning 100; `truncated` says whether diagnostics
//!   were left out (AWS always sends it).
//! * The definition is JSON, as the API requires; an Arazzo document (root `arazzo`)
//!   may also be YAML, and is checked with its source descriptions loaded, as
//!   `CreateStateMachine` checks it. `type` is checked against the model and does not
//!   change the checks yet (the EXPRESS-only refusals of `.sync` and
//!   `.waitForTaskToken` are not made).

use serde_json::{Map, Value};
use weft_asl::validate::{Diagnostic, Severity};
use weft_engine::durable::Engine;

use super::input::{self, Input, Problems};
use super::shapes::Shape;
use crate::protocol::ApiError;

/// The most diagnostics one reply carries.
const MAX_DIAGNOSTICS: usize = 100;

/// A `ValidateStateMachineDefinition` request, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidateRequest {
    pub definition: String,
    /// `severity` WARNING: warnings are listed too.
    pub with_warnings: bool,
    /// How many diagnostics the reply lists.
    pub limit: usize,
}

pub fn parse_validate(body: &Map<String, Value>) -> Result<ValidateRequest, ApiError> {
    let input = Input::new(body);
    let mut problems = Problems::default();
    let definition = input.string(&mut problems, "definition", input::DEFINITION.required())?;
    input.enumeration(&mut problems, "type", input::STATE_MACHINE_TYPES, false)?;
    let severity = input.enumeration(&mut problems, "severity", input::SEVERITIES, false)?;
    let max_results = input.integer(&mut problems, "maxResults", 0, 100)?;
    problems.finish()?;
    Ok(ValidateRequest {
        definition: definition.unwrap_or_default().to_string(),
        with_warnings: severity == Some("WARNING"),
        limit: match max_results {
            Some(n) if n > 0 => usize::try_from(n).unwrap_or(MAX_DIAGNOSTICS),
            _ => MAX_DIAGNOSTICS,
        },
    })
}

/// The reply for the diagnostics found.
pub fn reply(request: &ValidateRequest, diagnostics: &[Diagnostic]) -> Value {
    let failed = diagnostics.iter().any(|d| d.severity == Severity::Error);
    let shown: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| request.with_warnings || d.severity == Severity::Error)
        .collect();
    let truncated = shown.len() > request.limit;
    let listed = shown
        .into_iter()
        .take(request.limit)
        .map(|d| serde_json::to_value(d).unwrap_or(Value::Null))
        .collect();
    Shape::new()
        .put("result", if failed { "FAIL" } else { "OK" })
        .put("diagnostics", Value::Array(listed))
        .put("truncated", truncated)
        .build()
}

pub async fn validate_definition(
    engine: &Engine,
    body: &Map<String, Value>,
) -> Result<Value, ApiError> {
    let request = parse_validate(body)?;
    let diagnostics = engine.validate_definition(&request.definition).await;
    Ok(reply(&request, &diagnostics))
}
