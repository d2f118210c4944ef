//! Any bytes as an Arazzo document (and, after a NUL byte, as the text of every source
//! description it names): loading, validating and resolving must never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use weft_arazzo::bundle::Bundle;
use weft_arazzo::document::validate;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (root, source) = text.split_once('\0').unwrap_or((text, ""));
    let mut read = |_: &str| Ok(source.to_string());
    let Ok(mut bundle) = Bundle::load("file:///fuzz/root.arazzo.yaml", root, &mut read) else {
        return;
    };
    let _ = validate(&bundle);
    let names: Vec<String> = bundle.root().sources.keys().cloned().collect();
    for name in &names {
        bundle.set_server(name, "http://127.0.0.1:1");
    }
    for (index, loaded) in bundle.documents.iter().enumerate() {
        for workflow in &loaded.document.workflows {
            for reference in &workflow.depends_on {
                let _ = bundle.workflow(index, reference);
            }
            for step in &workflow.steps {
                let _ = bundle.operation(index, step);
                if let Some(id) = &step.workflow_id {
                    let _ = bundle.workflow(index, id);
                }
            }
        }
    }
});
