//! Arazzo documents: the model, reading them from YAML or JSON, and validation.

pub mod model;
mod parse;
mod validate;

pub use model::*;
pub use parse::{MAX_TEXT_BYTES, ParseError, from_value, parse, parse_value};
pub use validate::{Diagnostic, Severity, validate};
