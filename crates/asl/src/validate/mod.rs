//! Static validation of a definition, and the only way to build a [`StateMachine`].
//!
//! [`compile`] walks the raw JSON, reports every problem it finds as a [`Diagnostic`]
//! (code, message, location such as `/States/Check/Choices[0]/Next`) and, when there is
//! no error, returns the typed model.
//!
//! Codes and locations follow `ValidateStateMachineDefinition`: locations name fields
//! with `/` and array elements as `Field[i]`, state names unescaped, and the one
//! diagnostic Step Functions gives no location (`MISSING_END_STATE`) has an empty one.

mod build;
mod diagnostic;
mod fields;
mod graph;
mod text;
mod variables;

use serde::Serialize;
use serde_json::Value;

use crate::model::StateMachine;

pub use text::{MAX_DEFINITION_BYTES, parse_json, parse_text};

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
    /// Empty when the problem has no single place (Step Functions then omits it).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub location: String,
}

/// The result of compiling a definition.
#[derive(Debug)]
pub struct Compiled {
    /// Present when there is no error-severity diagnostic.
    pub machine: Option<StateMachine>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Validates a definition and builds its model.
pub fn compile(definition: &Value) -> Compiled {
    let mut diagnostics = diagnostic::Diagnostics::default();
    let machine = build::machine(definition, &mut diagnostics);
    let machine = if diagnostics.has_errors() {
        None
    } else {
        machine
    };
    Compiled {
        machine,
        diagnostics: diagnostics.into_vec(),
    }
}
