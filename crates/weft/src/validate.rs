//! `weft validate`.

use std::path::Path;
use std::process::ExitCode;

use serde_json::json;
use weft_asl::model::StateMachine;
use weft_asl::validate::{self, Diagnostic, Severity};

use crate::OutputFormat;

/// Exit code for a definition or input that cannot be used.
pub const EXIT_INVALID: u8 = 2;

pub fn main(file: &Path, output: OutputFormat) -> ExitCode {
    if crate::arazzo::is_arazzo_file(file) {
        return crate::arazzo::validate::main(file, output);
    }
    let diagnostics = match load(file) {
        Ok((_, diagnostics)) => diagnostics,
        Err(diagnostics) => diagnostics,
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

/// One diagnostic as a line of text.
pub fn describe(d: &Diagnostic) -> String {
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    format!("{severity} {} at {}: {}", d.code, d.location, d.message)
}

/// Reads and compiles a definition file. `Err` holds the diagnostics when no machine
/// could be built; `Ok` may still carry warnings.
pub fn load(file: &Path) -> Result<(StateMachine, Vec<Diagnostic>), Vec<Diagnostic>> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        vec![Diagnostic {
            severity: Severity::Error,
            code: "MISSING_DESCRIPTION".into(),
            message: format!("Cannot read {}: {e}", file.display()),
            location: "/".into(),
        }]
    })?;
    let value = validate::parse_text(&text).map_err(|d| vec![d])?;
    let compiled = validate::compile(&value);
    match compiled.machine {
        Some(machine) => Ok((machine, compiled.diagnostics)),
        None => Err(compiled.diagnostics),
    }
}
