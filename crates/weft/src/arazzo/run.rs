//! `weft run` for an Arazzo document.

use std::fs::File;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};
use weft_arazzo::decider::{Decider, Options, Status, secret_values};
use weft_arazzo::document::{Severity, validate};
use weft_engine::arazzo::run::run_to_completion;
use weft_engine::arazzo::transport::HttpTransport;
use weft_engine::local::Clock;

use super::har::Har;
use super::inputs;
use super::load::load;
use super::progress::StepProgress;
use super::report::Report;
use super::validate::describe;
use crate::OutputFormat;
use crate::run::RunArgs;
use crate::validate::EXIT_INVALID;
use weft_arazzo::mask::Masker;

pub fn main(args: RunArgs) -> ExitCode {
    let prepared = match prepare(&args) {
        Ok(p) => p,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(EXIT_INVALID);
        }
    };
    // One request at a time: a single-threaded runtime spares every request the
    // hand-offs between worker threads (measured: 10–20% of a step on loopback).
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let Prepared {
        decider,
        inputs,
        masker,
        transport,
        har,
    } = prepared;
    let (status, report, archive) = runtime.block_on(execute(
        decider,
        inputs,
        &transport,
        masker.clone(),
        har.is_some(),
    ));
    drop(runtime);

    let mut code = match status {
        Status::Succeeded { .. } => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    };
    if let Some((path, mut file)) = har {
        let text = archive.document().to_string();
        if let Err(e) = file.write_all(text.as_bytes()).and_then(|()| file.flush()) {
            eprintln!("cannot write {}: {e}", path.display());
            code = ExitCode::from(1);
        }
    }
    print_outcome(&status, &report, &masker, args.output);
    code
}

struct Prepared {
    decider: Decider,
    inputs: Value,
    masker: Masker,
    transport: HttpTransport,
    har: Option<(PathBuf, File)>,
}

fn prepare(args: &RunArgs) -> Result<Prepared, String> {
    if args.name.is_some() || args.mock_config.is_some() || args.test_case.is_some() {
        return Err("--name, --mock-config and --test-case apply to state machines only".into());
    }
    let mut bundle = load(&args.file).map_err(|e| format!("InvalidDefinition: {e}"))?;
    for server in &args.server {
        let Some((name, url)) = server.split_once('=') else {
            return Err(format!("--server '{server}' is not NAME=URL"));
        };
        if !bundle.set_server(name, url) {
            let names: Vec<&str> = bundle
                .root()
                .document
                .source_descriptions
                .iter()
                .map(|s| s.name.as_str())
                .collect();
            return Err(format!(
                "--server: the document has no OpenAPI source description '{name}' (it has: {})",
                names.join(", ")
            ));
        }
    }
    let diagnostics = validate(&bundle);
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(describe)
        .collect();
    if !errors.is_empty() {
        return Err(format!("InvalidDefinition:\n{}", errors.join("\n")));
    }
    for warning in diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
    {
        eprintln!("{}", describe(warning));
    }

    let bundle = Arc::new(bundle);
    let options = Options {
        max_steps: args.max_steps.unwrap_or(Options::default().max_steps),
    };
    let decider = Decider::new(bundle.clone(), args.workflow.as_deref(), options)
        .map_err(|e| format!("--workflow: {e}"))?;
    let root = &bundle.root().document;
    let workflow = match &args.workflow {
        Some(id) => root.workflow(id),
        None => root.workflows.first(),
    }
    .ok_or_else(|| "the document defines no workflow".to_string())?;

    let mut given = inputs::from_arguments(&args.input, &|path| std::fs::read_to_string(path))
        .map_err(|e| format!("InvalidInput: {e}"))?;
    let components = root.components.as_ref();
    let env_names = inputs::env_names(workflow.inputs.as_ref(), components);
    let from_env = inputs::fill_env(&mut given, &env_names, &|name| std::env::var(name).ok());
    let inputs = Value::Object(given);
    let schema = workflow
        .inputs
        .as_ref()
        .and_then(|s| inputs::resolve(s, components));
    let masker = Masker::new(secret_values(schema, &inputs).into_iter().chain(from_env));

    let timeout = match args.timeout {
        None => weft_engine::arazzo::transport::DEFAULT_TIMEOUT,
        Some(seconds) => Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| format!("--timeout {seconds}: give a positive number of seconds"))?,
    };
    let region = ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()));
    let transport = HttpTransport::new()
        .map_err(|e| e.to_string())?
        .with_timeout(timeout)
        .with_local_region(region);

    // The archive file is made before the run, so that a path that cannot be written
    // is an argument error rather than a run whose record is lost.
    let har = match &args.har {
        Some(path) => Some((
            path.clone(),
            File::create(path)
                .map_err(|e| format!("--har: cannot write {}: {e}", path.display()))?,
        )),
        None => None,
    };
    Ok(Prepared {
        decider,
        inputs,
        masker,
        transport,
        har,
    })
}

async fn execute(
    mut decider: Decider,
    inputs: Value,
    transport: &HttpTransport,
    masker: Masker,
    keep_archive: bool,
) -> (Status, Report, Har) {
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
    // Ctrl-C stops the run between requests; the request in flight is abandoned.
    let interrupt = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = stop_tx.send(());
        }
    });
    let progress = StepProgress::new(masker.clone());
    // Both callbacks record into the report; they never run at the same time.
    let report = std::cell::RefCell::new(Report::default());
    let mut archive = Har::default();
    let status = run_to_completion(
        &mut decider,
        inputs,
        transport,
        Clock::Real,
        Some(stop_rx),
        |events| {
            let mut report = report.borrow_mut();
            for event in events {
                let run = report.event(event);
                progress.event(event, run.map(|i| &report.steps[i]));
            }
        },
        |request, exchange| {
            let mut report = report.borrow_mut();
            let run = report.exchange(request, exchange);
            if keep_archive {
                let step = run.map(|i| &report.steps[i]);
                archive.add(
                    exchange,
                    step.map(|s| (s.workflow_id.as_str(), s.step_id.as_str())),
                    &masker,
                );
            }
        },
    )
    .await;
    interrupt.abort();
    progress.finish();
    (status, report.into_inner(), archive)
}

fn print_outcome(status: &Status, report: &Report, masker: &Masker, format: OutputFormat) {
    let outcome = report.json(status, masker);
    match format {
        OutputFormat::Json => println!("{outcome}"),
        OutputFormat::Text => match status {
            Status::Succeeded { .. } => {
                let output = outcome
                    .get("output")
                    .cloned()
                    .unwrap_or(Value::Object(Map::new()));
                println!(
                    "{}",
                    serde_json::to_string_pretty(&output).unwrap_or_else(|_| output.to_string())
                );
            }
            _ => {
                let lines: Vec<String> = ["status", "error", "cause"]
                    .iter()
                    .filter_map(|key| {
                        let value = outcome.get(*key)?.as_str()?;
                        Some(format!("{key}: {value}"))
                    })
                    .collect();
                eprintln!("{}", lines.join("\n"));
            }
        },
    }
}
