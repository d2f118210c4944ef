//! Any bytes given as a definition: parsing and compiling must never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use weft_asl::validate::{compile, parse_text};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(definition) = parse_text(text)
    {
        let compiled = compile(&definition);
        let has_error = compiled
            .diagnostics
            .iter()
            .any(|d| d.severity == weft_asl::validate::Severity::Error);
        assert_eq!(compiled.machine.is_some(), !has_error);
    }
});
