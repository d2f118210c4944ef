//! Diagnostic codes, message wording and the collector the checks report into.
//!
//! Codes are those of `ValidateStateMachineDefinition`; the wording follows the messages
//! Step Functions returns where they are known (e.g. `Field 'X' is not supported`,
//! `Missing 'Next' target: X`, `State "X" is not reachable.`).

use super::{Diagnostic, Severity};

pub(crate) const INVALID_JSON_DESCRIPTION: &str = "INVALID_JSON_DESCRIPTION";
pub(crate) const MISSING_DESCRIPTION: &str = "MISSING_DESCRIPTION";
pub(crate) const SCHEMA_VALIDATION_FAILED: &str = "SCHEMA_VALIDATION_FAILED";
pub(crate) const INVALID_RESOURCE: &str = "INVALID_RESOURCE";
pub(crate) const MISSING_END_STATE: &str = "MISSING_END_STATE";
pub(crate) const DUPLICATE_STATE_NAME: &str = "DUPLICATE_STATE_NAME";
pub(crate) const INVALID_STATE_NAME: &str = "INVALID_STATE_NAME";
pub(crate) const INVALID_LABEL_NAME: &str = "INVALID_LABEL_NAME";
pub(crate) const MISSING_TRANSITION_TARGET: &str = "MISSING_TRANSITION_TARGET";
pub(crate) const TOO_DEEPLY_NESTED: &str = "TOO_DEEPLY_NESTED";
pub(crate) const NO_DOLLAR: &str = "NO_DOLLAR";
pub(crate) const NO_PATH: &str = "NO_PATH";
pub(crate) const PASS_RESULT_IS_STATIC: &str = "PASS_RESULT_IS_STATIC";
pub(crate) const INVALID_JSONATA_EXPRESSION: &str = "INVALID_JSONATA_EXPRESSION";
pub(crate) const UNSUPPORTED_JSONATA_EXPRESSION: &str = "UNSUPPORTED_JSONATA_EXPRESSION";

/// Everything found so far, in the order it was found.
#[derive(Debug, Default)]
pub(crate) struct Diagnostics {
    list: Vec<Diagnostic>,
}

impl Diagnostics {
    pub(crate) fn error(
        &mut self,
        code: &str,
        message: impl Into<String>,
        location: impl Into<String>,
    ) {
        self.push(Severity::Error, code, message.into(), location.into());
    }

    pub(crate) fn warning(
        &mut self,
        code: &str,
        message: impl Into<String>,
        location: impl Into<String>,
    ) {
        self.push(Severity::Warning, code, message.into(), location.into());
    }

    /// A `SCHEMA_VALIDATION_FAILED` error, the code of most structural problems.
    pub(crate) fn schema(&mut self, message: impl Into<String>, location: impl Into<String>) {
        self.error(SCHEMA_VALIDATION_FAILED, message, location);
    }

    fn push(&mut self, severity: Severity, code: &str, message: String, location: String) {
        // The root of the definition is the empty pointer; show it as `/`.
        let location = if location.is_empty() && code != MISSING_END_STATE {
            "/".to_string()
        } else {
            location
        };
        self.list.push(Diagnostic {
            severity,
            code: code.to_string(),
            message,
            location,
        });
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.list.iter().any(|d| d.severity == Severity::Error)
    }

    pub(crate) fn into_vec(self) -> Vec<Diagnostic> {
        self.list
    }
}

/// Locations are built the way Step Functions prints them: `/`-separated field names
/// with array elements as `Field[i]` (e.g. `/States/C/Choices[0]/Next`), names unescaped.
pub(crate) fn child(location: &str, field: &str) -> String {
    format!("{location}/{field}")
}

pub(crate) fn element(location: &str, index: usize) -> String {
    format!("{location}[{index}]")
}

pub(crate) fn not_supported(field: &str) -> String {
    format!("Field '{field}' is not supported")
}

pub(crate) fn required(fields: &[&str]) -> String {
    format!("These fields are required: [{}]", fields.join(", "))
}

pub(crate) fn only_one_of(fields: &[&str]) -> String {
    format!(
        "There should only be one of the following fields: [{}]",
        fields.join(", ")
    )
}

pub(crate) fn exactly_one_of(fields: &[&str]) -> String {
    format!(
        "Exactly one of the following fields is required: [{}]",
        fields.join(", ")
    )
}

pub(crate) fn expected_type(field: &str, kind: &str) -> String {
    format!("The value of field '{field}' must be {kind}")
}

/// The mirror of [`jsonata_only`]: a JSONPath field in a JSONata state.
pub(crate) fn jsonpath_only(field: &str) -> String {
    format!(
        "The QueryLanguage is set to 'JSONata', but field '{field}' is only supported for the 'JSONPath' QueryLanguage"
    )
}

pub(crate) fn jsonata_only(field: &str) -> String {
    format!(
        "The QueryLanguage is set to 'JSONPath', but field '{field}' is only supported for the 'JSONata' QueryLanguage"
    )
}

pub(crate) fn missing_target(target: &str) -> String {
    format!("Missing 'Next' target: {target}")
}

pub(crate) fn unreachable(state: &str) -> String {
    format!("State \"{state}\" is not reachable.")
}
