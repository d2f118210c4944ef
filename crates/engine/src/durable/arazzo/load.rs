//! Turning an Arazzo definition into something that runs: its source descriptions
//! loaded, the whole validated, the servers of `x-weft-servers` applied and the
//! workflow of `x-weft-workflow` chosen.
//!
//! Where sources come from: `http:`/`https:` URLs are fetched with a GET; everything
//! else (relative URLs, absolute paths, `file:` URLs) is resolved against the server's
//! working directory (`file:///<cwd>/`), the URL the definition itself is given, since a
//! definition sent through the API has no location of its own.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use serde_json::{Map, Value};
use weft_arazzo::bundle::Bundle;
use weft_arazzo::document::{Diagnostic, Severity, validate};

use crate::arazzo::sources;

/// The root member that names the workflow to run (default: the first).
pub const WORKFLOW_EXTENSION: &str = "x-weft-workflow";
/// The root member that maps source description names to base URLs, as
/// `weft run --server NAME=URL` does.
pub const SERVERS_EXTENSION: &str = "x-weft-servers";

/// How long fetching one source description may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(30);

/// Codes of the diagnostics this module adds to those of `document::validate`.
pub mod codes {
    /// A source description could not be read or is not a document of its type.
    pub const SOURCE: &str = "source-unavailable";
    /// `x-weft-workflow` or `x-weft-servers` is malformed or names nothing.
    pub const EXTENSION: &str = "weft-extension";
    /// An operation step whose API has no address (a relative server in a local file)
    /// and no `x-weft-servers` entry.
    pub const NO_SERVER: &str = "no-server";
}

/// An Arazzo definition ready to run.
#[derive(Debug)]
pub struct Workflow {
    pub bundle: Arc<Bundle>,
    /// The workflow of the root document each execution runs.
    pub workflow_id: String,
}

/// What loading found: the workflow when there is no error, and every diagnostic
/// (warnings included).
pub struct Loaded {
    pub workflow: Option<Workflow>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads source descriptions for definitions.
#[derive(Clone)]
pub struct Sources {
    base: Url,
    client: reqwest::Client,
}

impl Sources {
    /// Sources resolved against the process's working directory.
    pub fn from_working_directory() -> Result<Sources, String> {
        let cwd = std::env::current_dir().map_err(|e| format!("no working directory: {e}"))?;
        let base = Url::from_directory_path(&cwd)
            .map_err(|()| format!("{} cannot be written as a URL", cwd.display()))?;
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Sources { base, client })
    }

    /// Loads and checks the Arazzo document `text` (whose parsed root is `root`). Reading
    /// runs on the blocking pool: files and fetches must not hold up the runtime.
    pub async fn load(&self, text: &str, root: &Map<String, Value>) -> Loaded {
        let mut diagnostics = Vec::new();
        let chosen = chosen_workflow(root, &mut diagnostics);
        let servers = servers(root, &mut diagnostics);
        let (base, client, owned) = (self.base.clone(), self.client.clone(), text.to_string());
        let handle = tokio::runtime::Handle::current();
        let loaded = tokio::task::spawn_blocking(move || {
            Bundle::load(base.as_str(), &owned, &mut |url| {
                sources::read(url, |url| handle.block_on(sources::fetch(&client, url)))
            })
        })
        .await;
        let bundle = match loaded {
            Ok(Ok(bundle)) => bundle,
            Ok(Err(e)) => {
                diagnostics.push(error(codes::SOURCE, e.to_string(), ""));
                return Loaded {
                    workflow: None,
                    diagnostics,
                };
            }
            Err(e) => {
                diagnostics.push(error(codes::SOURCE, format!("loading stopped: {e}"), ""));
                return Loaded {
                    workflow: None,
                    diagnostics,
                };
            }
        };
        // Validation compiles every criterion, XPath and regex included: CPU work.
        let (mut bundle, found) = super::super::cpu::run(move || {
            let found = validate(&bundle);
            (bundle, found)
        })
        .await;
        diagnostics.extend(found);
        for (name, url) in servers {
            if !bundle.set_server(&name, &url) {
                diagnostics.push(error(
                    codes::EXTENSION,
                    format!("there is no OpenAPI source description named '{name}'"),
                    &format!("/{SERVERS_EXTENSION}/{}", pointer_token(&name)),
                ));
            }
        }
        let workflows = &bundle.root().document.workflows;
        let workflow_id = match chosen {
            Some(id) if workflows.iter().any(|w| w.workflow_id == id) => Some(id),
            Some(id) => {
                diagnostics.push(error(
                    codes::EXTENSION,
                    format!("the document has no workflow '{id}'"),
                    &format!("/{WORKFLOW_EXTENSION}"),
                ));
                None
            }
            None => workflows.first().map(|w| w.workflow_id.clone()),
        };
        unserved_operations(&bundle, &mut diagnostics);
        let failed = diagnostics.iter().any(|d| d.severity == Severity::Error);
        let workflow = match workflow_id {
            Some(workflow_id) if !failed => Some(Workflow {
                bundle: Arc::new(bundle),
                workflow_id,
            }),
            _ => None,
        };
        Loaded {
            workflow,
            diagnostics,
        }
    }
}

fn error(code: &str, message: impl Into<String>, location: &str) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        code: code.to_string(),
        message: message.into(),
        location: location.to_string(),
    }
}

/// JSON Pointer escaping of one reference token (RFC 6901 §3).
fn pointer_token(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn chosen_workflow(root: &Map<String, Value>, diagnostics: &mut Vec<Diagnostic>) -> Option<String> {
    match root.get(WORKFLOW_EXTENSION)? {
        Value::String(id) => Some(id.clone()),
        _ => {
            diagnostics.push(error(
                codes::EXTENSION,
                "must be a string: the workflowId of the workflow to run",
                &format!("/{WORKFLOW_EXTENSION}"),
            ));
            None
        }
    }
}

fn servers(root: &Map<String, Value>, diagnostics: &mut Vec<Diagnostic>) -> Vec<(String, String)> {
    let location = format!("/{SERVERS_EXTENSION}");
    let Some(value) = root.get(SERVERS_EXTENSION) else {
        return Vec::new();
    };
    let Value::Object(members) = value else {
        diagnostics.push(error(
            codes::EXTENSION,
            "must be an object mapping source description names to base URLs",
            &location,
        ));
        return Vec::new();
    };
    let mut found = Vec::new();
    for (name, url) in members {
        let at = format!("{location}/{}", pointer_token(name));
        match url.as_str().map(Url::parse) {
            Some(Ok(parsed)) if matches!(parsed.scheme(), "http" | "https") => {
                found.push((name.clone(), url.as_str().unwrap_or_default().to_string()));
            }
            _ => diagnostics.push(error(
                codes::EXTENSION,
                format!("the server of '{name}' must be an absolute http or https URL"),
                &at,
            )),
        }
    }
    found
}

/// Operation steps that would fail at run time for want of an address.
fn unserved_operations(bundle: &Bundle, diagnostics: &mut Vec<Diagnostic>) {
    for (d, document) in bundle.documents.iter().enumerate() {
        for (w, workflow) in document.document.workflows.iter().enumerate() {
            for (s, step) in workflow.steps.iter().enumerate() {
                if step.workflow_id.is_some() || bundle.find_operation(d, step).is_err() {
                    // Workflow steps need no server; a missing operation is reported
                    // by validation.
                    continue;
                }
                if let Err(e) = bundle.operation(d, step) {
                    let pointer = format!("/workflows/{w}/steps/{s}");
                    let location = if d == 0 {
                        pointer
                    } else {
                        format!("{}#{pointer}", document.url)
                    };
                    // The decider's message ends with advice for the command line.
                    let why = e.0.split(": pass --server").next().unwrap_or_default();
                    diagnostics.push(error(
                        codes::NO_SERVER,
                        format!("{why}: give its base URL in {SERVERS_EXTENSION}"),
                        &location,
                    ));
                }
            }
        }
    }
}
