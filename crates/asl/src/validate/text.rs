//! Reading definition text: JSON, or YAML when the text is not JSON.

use serde_json::Value;

use super::diagnostic::{INVALID_JSON_DESCRIPTION, MISSING_DESCRIPTION};
use super::{Diagnostic, Severity};

/// The largest definition Step Functions accepts, in bytes.
pub const MAX_DEFINITION_BYTES: usize = 1_048_576;

/// Parses definition text (JSON, or YAML) into a JSON value.
///
/// Text that starts with `{` or `[` is JSON and its errors are reported as JSON errors;
/// anything else is read as YAML 1.2 (only `true`/`false` are booleans, so `yes` stays
/// a string).
pub fn parse_text(text: &str) -> Result<Value, Diagnostic> {
    check_size(text)?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return parse_json(text);
    }
    parse_yaml(text)
}

/// Parses definition text that must be JSON, as the Step Functions API requires.
pub fn parse_json(text: &str) -> Result<Value, Diagnostic> {
    check_size(text)?;
    // serde_json's message ends with the line and column.
    serde_json::from_str(text)
        .map_err(|e| invalid(INVALID_JSON_DESCRIPTION, format!("Invalid JSON: {e}")))
}

fn check_size(text: &str) -> Result<(), Diagnostic> {
    if text.len() > MAX_DEFINITION_BYTES {
        return Err(invalid(
            INVALID_JSON_DESCRIPTION,
            format!(
                "The definition is {} bytes long; the maximum is {MAX_DEFINITION_BYTES} bytes",
                text.len()
            ),
        ));
    }
    if text.trim_start().is_empty() {
        return Err(invalid(
            MISSING_DESCRIPTION,
            "The definition is empty".to_string(),
        ));
    }
    Ok(())
}

/// How many parser events a YAML definition may produce per byte of it. Without
/// aliases a text produces fewer events than it has bytes; an alias replays its
/// anchor's events, so this is how far aliases may expand a definition (500 bytes of
/// nested anchors can otherwise expand to millions of nodes).
const YAML_EVENTS_PER_BYTE: usize = 4;

/// Events every definition may produce, however short.
const YAML_MIN_EVENTS: usize = 4096;

/// How deeply YAML collections may nest: the deserializer recurses once per level with
/// large frames, so this stays at saphyr's own default (a 2 MiB thread stack overflows
/// near 120 levels in debug builds). JSON definitions stop at serde_json's 128.
const YAML_MAX_DEPTH: usize = 64;

fn parse_yaml(text: &str) -> Result<Value, Diagnostic> {
    let events = text
        .len()
        .saturating_mul(YAML_EVENTS_PER_BYTE)
        .saturating_add(YAML_MIN_EVENTS);
    let options = serde_saphyr::options! {
        strict_booleans: true,
        with_snippet: false,
        budget: serde_saphyr::budget! {
            max_depth: YAML_MAX_DEPTH,
            max_nodes: events,
            max_events: events,
            max_recorded_anchor_events: events,
            max_total_scalar_bytes: MAX_DEFINITION_BYTES,
        },
    };
    serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let message = e.to_string();
        // Most messages already end with the position; add it when one does not.
        let position = match e.location() {
            Some(l) if !message.contains("line ") => {
                format!(" at line {}, column {}", l.line(), l.column())
            }
            _ => String::new(),
        };
        invalid(
            INVALID_JSON_DESCRIPTION,
            format!("Invalid YAML: {message}{position}"),
        )
    })
}

fn invalid(code: &str, message: String) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        code: code.to_string(),
        message,
        location: "/".to_string(),
    }
}
