//! Intrinsic functions (`States.Format`, `States.Array`, …): a parser for the call
//! syntax and an evaluator for every function.

use serde_json::Value;

use crate::entropy::Entropy;
use crate::error::StatesError;
use crate::path::Scope;

/// A parsed intrinsic function call, e.g. `States.Format('Hello {}', $.name)`.
#[derive(Debug, Clone)]
pub struct Intrinsic {
    text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct IntrinsicParseError {
    pub message: String,
}

impl Intrinsic {
    /// True when a `.$` value should be read as a function call rather than a path.
    pub fn looks_like_call(text: &str) -> bool {
        text.trim_start().starts_with("States.")
    }

    pub fn parse(text: &str) -> Result<Intrinsic, IntrinsicParseError> {
        let _ = text;
        todo!()
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Evaluates the call; misuse raises `States.IntrinsicFailure`.
    pub fn evaluate(&self, scope: &Scope<'_>, entropy: &mut dyn Entropy) -> Result<Value, StatesError> {
        let _ = (scope, entropy);
        todo!()
    }
}
