//! What a state machine's definition is: Amazon States Language, or an Arazzo document
//! (JSON, or YAML, whose root has `arazzo`), compiled once and shared by its executions.

use std::sync::Arc;

use serde_json::{Map, Value};
use weft_asl::model::StateMachine;
use weft_asl::validate::{self, Diagnostic, Severity};

use super::arazzo::Workflow;
use super::machines::MachineEntry;
use super::{EngineError, EngineResult, Inner, cpu};

/// A compiled definition.
#[derive(Clone)]
pub enum Definition {
    Asl(Arc<StateMachine>),
    Arazzo(Arc<Workflow>),
    /// A stored Arazzo definition whose sources could not be loaded when the engine
    /// started: loading is tried again when an execution starts.
    Unavailable(Arc<str>),
}

/// Which language a definition text is in.
enum Language {
    Asl(Value),
    Arazzo(Map<String, Value>),
    /// Neither: why the text does not read as a definition.
    Unreadable(Diagnostic),
}

/// The API takes JSON definitions; an Arazzo document may also be YAML, the form its
/// documents are usually written in.
fn language(text: &str) -> Language {
    match validate::parse_json(text) {
        Ok(Value::Object(root)) if root.contains_key("arazzo") => Language::Arazzo(root),
        Ok(value) => Language::Asl(value),
        Err(diagnostic) if text.len() > validate::MAX_DEFINITION_BYTES => {
            Language::Unreadable(diagnostic)
        }
        Err(diagnostic) => match weft_arazzo::document::parse_value(text) {
            Ok(Value::Object(root)) if root.contains_key("arazzo") => Language::Arazzo(root),
            _ => Language::Unreadable(diagnostic),
        },
    }
}

/// A definition text as read on the CPU pool: an ASL definition compiled, an Arazzo
/// document's root (its sources are loaded next), or why it is neither.
enum Read {
    Asl(validate::Compiled),
    Arazzo(Map<String, Value>),
    Unreadable(Diagnostic),
}

async fn read(text: &str) -> Read {
    let text = text.to_string();
    cpu::run(move || match language(&text) {
        Language::Asl(value) => Read::Asl(validate::compile(&value)),
        Language::Arazzo(root) => Read::Arazzo(root),
        Language::Unreadable(diagnostic) => Read::Unreadable(diagnostic),
    })
    .await
}

/// The errors among `diagnostics`, in the words of `InvalidDefinition`.
fn invalid(diagnostics: &[Diagnostic]) -> EngineError {
    let problems: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            if d.location.is_empty() {
                format!("{}: {}", d.code, d.message)
            } else {
                format!("{}: {} at {}", d.code, d.message, d.location)
            }
        })
        .collect();
    EngineError::InvalidDefinition(problems.join(", "))
}

/// Arazzo's diagnostics in the shape `ValidateStateMachineDefinition` returns.
fn as_api(diagnostics: Vec<weft_arazzo::document::Diagnostic>) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .map(|d| Diagnostic {
            severity: match d.severity {
                weft_arazzo::document::Severity::Error => Severity::Error,
                weft_arazzo::document::Severity::Warning => Severity::Warning,
            },
            code: d.code,
            message: d.message,
            location: d.location,
        })
        .collect()
}

impl Inner {
    /// Validates a definition and compiles it, or says why it is invalid in the words
    /// of `InvalidDefinition`. An Arazzo definition's sources are loaded here.
    pub(super) async fn compile(&self, text: &str) -> EngineResult<Definition> {
        match read(text).await {
            Read::Asl(compiled) => match compiled.machine {
                Some(machine) => Ok(Definition::Asl(Arc::new(machine))),
                None => Err(invalid(&compiled.diagnostics)),
            },
            Read::Arazzo(root) => {
                let loaded = self.sources.load(text, &root).await;
                match loaded.workflow {
                    Some(workflow) => Ok(Definition::Arazzo(Arc::new(workflow))),
                    None => Err(invalid(&as_api(loaded.diagnostics))),
                }
            }
            Read::Unreadable(diagnostic) => Err(invalid(&[diagnostic])),
        }
    }

    /// Compiles a stored definition. An Arazzo definition whose sources cannot be
    /// loaded now (a server that is down) does not keep the engine from starting.
    pub(super) async fn compile_stored(&self, arn: &str, text: &str) -> EngineResult<Definition> {
        match self.compile(text).await {
            Err(EngineError::InvalidDefinition(why))
                if matches!(language(text), Language::Arazzo(_)) =>
            {
                eprintln!("weft: the Arazzo definition of '{arn}' cannot be loaded now: {why}");
                Ok(Definition::Unavailable(Arc::from(why)))
            }
            other => other,
        }
    }

    /// Every diagnostic of a definition, warnings included (`ValidateStateMachineDefinition`).
    pub(super) async fn diagnose(&self, text: &str) -> Vec<Diagnostic> {
        match read(text).await {
            Read::Asl(compiled) => compiled.diagnostics,
            Read::Arazzo(root) => as_api(self.sources.load(text, &root).await.diagnostics),
            Read::Unreadable(diagnostic) => vec![diagnostic],
        }
    }

    /// The definition a new execution of `machine` runs. A definition that could not be
    /// loaded is loaded again, and kept once it loads; if it still does not, the
    /// execution fails as it starts, saying why.
    pub(super) async fn definition_to_run(&self, machine: &MachineEntry) -> Definition {
        let Definition::Unavailable(_) = &machine.compiled else {
            return machine.compiled.clone();
        };
        let definition = match self.compile(&machine.revision.definition).await {
            Ok(definition) => definition,
            Err(e) => {
                return Definition::Unavailable(Arc::from(format!(
                    "The definition's sources cannot be loaded: {e}"
                )));
            }
        };
        let _changes = self.machine_changes.lock().await;
        if let Some(current) = self.machine(&machine.record.arn)
            && current.revision.revision_id == machine.revision.revision_id
        {
            self.put_machine(MachineEntry::new(
                current.record.clone(),
                current.revision.clone(),
                definition.clone(),
            ));
        }
        definition
    }
}
