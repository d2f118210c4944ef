//! Payload templates: `Parameters`, `ResultSelector`, `ItemSelector`, `Assign` and
//! `Credentials` in JSONPath mode. A key ending in `.$` takes its value from a path, the
//! context object, a variable or an intrinsic function; every other value is copied.

use serde_json::Value;

use crate::entropy::Entropy;
use crate::error::StatesError;
use crate::intrinsic::Intrinsic;
use crate::path::{Path, Scope};

#[derive(Debug, Clone)]
pub enum Template {
    /// A value with no `.$` key anywhere inside: copied as is.
    Literal(Value),
    /// An object whose fields are templates; keys are stored without the `.$` suffix.
    Object(Vec<(String, Template)>),
    Array(Vec<Template>),
    /// The value of a `.$` key that is a path.
    Path(Path),
    /// The value of a `.$` key that is an intrinsic function call.
    Intrinsic(Intrinsic),
}

/// A template that could not be compiled: where (a JSON Pointer-style location relative
/// to the template, e.g. `/a.$`) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct TemplateError {
    pub location: String,
    pub message: String,
}

impl Template {
    /// Compiles a template from its JSON definition.
    pub fn compile(value: &Value) -> Result<Template, TemplateError> {
        let _ = value;
        todo!()
    }

    /// Compiles the value of a single `.$` field (a path or an intrinsic function).
    pub fn compile_dynamic(text: &str) -> Result<Template, TemplateError> {
        let _ = text;
        todo!()
    }

    /// Evaluates the template. `field_context` names the field being evaluated for error
    /// messages (e.g. `Parameters`).
    pub fn evaluate(&self, scope: &Scope<'_>, entropy: &mut dyn Entropy) -> Result<Value, StatesError> {
        let _ = (scope, entropy);
        todo!()
    }
}
