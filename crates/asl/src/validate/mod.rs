//! Static validation of a definition, and the only way to build a [`StateMachine`].
//!
//! [`compile`] walks the raw JSON, reports every problem it finds as a [`Diagnostic`]
//! (code, message, location such as `/States/Check/Choices/0/Next`) and, when there is
//! no error, returns the typed model.

use serde::Serialize;
use serde_json::Value;

use crate::model::StateMachine;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, shaped like an entry of `ValidateStateMachineDefinition`'s
/// `diagnostics`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: String,
    pub message: String,
    pub location: String,
}

/// The result of compiling a definition.
#[derive(Debug)]
pub struct Compiled {
    /// Present when there is no error-severity diagnostic.
    pub machine: Option<StateMachine>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses definition text (JSON, or YAML) into a JSON value.
pub fn parse_text(text: &str) -> Result<Value, Diagnostic> {
    let _ = text;
    todo!()
}

/// Validates a definition and builds its model.
pub fn compile(definition: &Value) -> Compiled {
    let _ = definition;
    todo!()
}
