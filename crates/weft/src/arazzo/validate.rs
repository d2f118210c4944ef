//! `weft validate` for an Arazzo document: the document and its sources loaded, then
//! every finding of `weft_arazzo::document::validate`, with the output and exit codes of
//! `weft validate` for state machines.

use std::path::Path;
use std::process::ExitCode;

use serde_json::json;
use weft_arazzo::bundle::BundleError;
use weft_arazzo::document::{Diagnostic, Severity, validate};

use super::load::load;
use crate::OutputFormat;

pub fn main(file: &Path, output: OutputFormat) -> ExitCode {
    let diagnostics = match load(file) {
        Ok(bundle) => validate(&bundle),
        Err(error) => vec![load_error(&error)],
    };
    let failed = diagnostics.iter().any(|d| d.severity == Severity::Error);
    match output {
        OutputFormat::Json => {
            let reply = json!({
                "result": if failed { "FAIL" } else { "OK" },
                "diagnostics": diagnostics,
            });
            println!("{reply}");
        }
        OutputFormat::Text => {
            for d in &diagnostics {
                println!("{}", describe(d));
            }
            println!("{}", if failed { "FAIL" } else { "OK" });
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// A document or source that could not be read or parsed, as a diagnostic.
fn load_error(error: &BundleError) -> Diagnostic {
    let code = match error {
        BundleError::Read { .. } => "unreadable",
        BundleError::Parse { .. } => "unparsable",
    };
    Diagnostic {
        severity: Severity::Error,
        code: code.into(),
        message: error.to_string(),
        location: String::new(),
    }
}

/// One diagnostic as a line of text.
pub fn describe(d: &Diagnostic) -> String {
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let location = if d.location.is_empty() {
        "/"
    } else {
        &d.location
    };
    format!("{severity} {} at {location}: {}", d.code, d.message)
}
