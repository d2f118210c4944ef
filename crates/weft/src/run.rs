//! `weft run`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, anyhow};
use clap::Args;
use serde_json::{Map, Value};
use weft_asl::decider::{ExecutionMeta, ExecutionStatus, MAX_PAYLOAD_BYTES};
use weft_engine::dispatch::{Dispatcher, MockSelection};
use weft_engine::http_task::HttpTask;
use weft_engine::local::{Clock, run_to_completion};
use weft_engine::mock_config::MockConfig;

use crate::OutputFormat;
use crate::progress::Progress;
use crate::validate::{EXIT_INVALID, describe, load};

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

#[derive(Args)]
pub struct RunArgs {
    /// The definition: an Amazon States Language state machine (JSON or YAML), or an
    /// Arazzo document (YAML or JSON with a root `arazzo` member).
    pub file: PathBuf,
    /// The input. A state machine takes one: JSON text, or @FILE to read it from a file.
    /// An Arazzo workflow takes any number, later ones overriding earlier ones: a JSON
    /// object, @FILE (JSON or YAML), or NAME=VALUE (VALUE is read as JSON when it parses,
    /// else taken as a string).
    #[arg(long)]
    pub input: Vec<String>,
    /// The state machine's name (it selects the mock configuration entry too).
    /// Defaults to the file name without its extension.
    #[arg(long, help_heading = "State machines")]
    pub name: Option<String>,
    /// An AWS Step Functions Local mock configuration file.
    #[arg(long, requires = "test_case", help_heading = "State machines")]
    pub mock_config: Option<PathBuf>,
    /// The test case of the mock configuration to use.
    #[arg(long, requires = "mock_config", help_heading = "State machines")]
    pub test_case: Option<String>,
    /// The workflow to run (its workflowId). Defaults to the document's first workflow.
    #[arg(long, value_name = "ID", help_heading = "Arazzo documents")]
    pub workflow: Option<String>,
    /// Sends the requests for source description NAME to URL instead of the servers
    /// its OpenAPI description lists. Repeatable.
    #[arg(long, value_name = "NAME=URL", help_heading = "Arazzo documents")]
    pub server: Vec<String>,
    /// Writes every HTTP request and response to FILE as an HTTP Archive (HAR 1.2),
    /// secrets masked.
    #[arg(long, value_name = "FILE", help_heading = "Arazzo documents")]
    pub har: Option<PathBuf>,
    /// The most steps the run may take, retries and loops included [default: 2000].
    #[arg(long, value_name = "N", help_heading = "Arazzo documents")]
    pub max_steps: Option<u32>,
    /// How long each HTTP request may take, in seconds [default: 30].
    #[arg(long, value_name = "SECONDS", help_heading = "Arazzo documents")]
    pub timeout: Option<f64>,
    /// `json` prints one JSON object with the outcome on stdout.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

impl RunArgs {
    /// The first option given that only Arazzo documents take.
    fn arazzo_option(&self) -> Option<&'static str> {
        [
            (self.workflow.is_some(), "--workflow"),
            (!self.server.is_empty(), "--server"),
            (self.har.is_some(), "--har"),
            (self.max_steps.is_some(), "--max-steps"),
            (self.timeout.is_some(), "--timeout"),
        ]
        .into_iter()
        .find_map(|(given, name)| given.then_some(name))
    }
}

pub fn main(args: RunArgs) -> ExitCode {
    if crate::arazzo::is_arazzo_file(&args.file) {
        return crate::arazzo::run::main(args);
    }
    if let Some(option) = args.arazzo_option() {
        eprintln!("{option} applies to Arazzo documents only");
        return ExitCode::from(EXIT_INVALID);
    }
    let prepared = match prepare(&args) {
        Ok(p) => p,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let status = runtime.block_on(execute(prepared));
    report(&status, args.output);
    match status {
        ExecutionStatus::Succeeded { .. } => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    }
}

struct Prepared {
    machine: Arc<weft_asl::model::StateMachine>,
    meta: ExecutionMeta,
    input: Value,
    dispatcher: Dispatcher,
}

fn prepare(args: &RunArgs) -> Result<Prepared, String> {
    let machine = match load(&args.file) {
        Ok((machine, warnings)) => {
            for w in &warnings {
                eprintln!("{}", describe(w));
            }
            machine
        }
        Err(diagnostics) => {
            let lines: Vec<String> = diagnostics.iter().map(describe).collect();
            return Err(format!("InvalidDefinition:\n{}", lines.join("\n")));
        }
    };
    let input = match args.input.as_slice() {
        [] => Value::Object(Map::new()),
        [one] => read_input(one).map_err(|e| format!("InvalidExecutionInput: {e:#}"))?,
        _ => return Err("a state machine takes one --input".into()),
    };
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| default_name(&args.file));
    let mocks = match (&args.mock_config, &args.test_case) {
        (Some(path), Some(case)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let config = MockConfig::from_json(&text)
                .map_err(|e| format!("invalid mock configuration {}: {e}", path.display()))?;
            if config.test_case(&name, case).is_none() {
                return Err(format!(
                    "the mock configuration {} has no test case '{case}' for state machine '{name}' (use --name to pick the state machine)",
                    path.display()
                ));
            }
            Some(MockSelection {
                config: Arc::new(config),
                state_machine: name.clone(),
                test_case: case.clone(),
            })
        }
        _ => None,
    };
    let execution_name = uuid::Uuid::new_v4().to_string();
    let state_machine_arn = format!("arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}");
    let meta = ExecutionMeta {
        execution_arn: format!(
            "arn:aws:states:{REGION}:{ACCOUNT}:execution:{name}:{execution_name}"
        ),
        execution_name,
        state_machine_arn,
        state_machine_name: name,
        role_arn: format!("arn:aws:iam::{ACCOUNT}:role/weft"),
        region: REGION.into(),
    };
    let http = HttpTask::new().map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
    Ok(Prepared {
        machine: Arc::new(machine),
        meta,
        input,
        dispatcher: Dispatcher::new(mocks, http),
    })
}

fn default_name(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "StateMachine".into())
}

/// Reads `--input`: JSON text or `@file`.
fn read_input(arg: &str) -> anyhow::Result<Value> {
    let text = match arg.strip_prefix('@') {
        Some(path) => {
            std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?
        }
        None => arg.to_string(),
    };
    if text.len() > MAX_PAYLOAD_BYTES {
        return Err(anyhow!(
            "the input is {} bytes, over the limit of {MAX_PAYLOAD_BYTES}",
            text.len()
        ));
    }
    serde_json::from_str(&text).context("the input is not valid JSON")
}

async fn execute(prepared: Prepared) -> ExecutionStatus {
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
    // Ctrl-C stops the execution the way StopExecution would.
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = stop_tx.send(());
        }
    });
    let mut progress = Progress::new();
    let status = run_to_completion(
        prepared.machine,
        prepared.meta,
        prepared.input,
        &prepared.dispatcher,
        Clock::Real,
        Some(stop_rx),
        |events| progress.record(events),
    )
    .await;
    progress.finish();
    status
}

/// The outcome as `--output json` prints it: the meanings of `DescribeExecution`.
pub fn outcome_json(status: &ExecutionStatus) -> Value {
    let mut out = Map::new();
    out.insert("status".into(), Value::from(status.api_name()));
    let (error, cause) = match status {
        ExecutionStatus::Succeeded { output } => {
            out.insert("output".into(), output.clone());
            (None, None)
        }
        ExecutionStatus::Failed { error, cause } | ExecutionStatus::TimedOut { error, cause } => {
            (Some(error.as_str()), Some(cause.as_str()))
        }
        ExecutionStatus::Aborted { error, cause } => (error.as_deref(), cause.as_deref()),
        ExecutionStatus::Pending | ExecutionStatus::Running => (None, None),
    };
    // An execution without an error or cause (e.g. a Fail state with neither) shows none.
    for (key, value) in [("error", error), ("cause", cause)] {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            out.insert(key.into(), Value::from(v));
        }
    }
    Value::Object(out)
}

fn report(status: &ExecutionStatus, format: OutputFormat) {
    match format {
        OutputFormat::Json => println!("{}", outcome_json(status)),
        OutputFormat::Text => match status {
            ExecutionStatus::Succeeded { output } => {
                println!(
                    "{}",
                    serde_json::to_string_pretty(output).unwrap_or_else(|_| output.to_string())
                );
            }
            other => {
                let Value::Object(fields) = outcome_json(other) else {
                    return;
                };
                let text: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or_default()))
                    .collect();
                eprintln!("{}", text.join("\n"));
            }
        },
    }
}
