//! weft's in-process cost per Arazzo workflow, for the runner benchmark (bench/arazzo):
//! loads a document once, then runs one of its workflows again and again through what
//! `weft run` uses — a fresh decider each time, one HTTP transport (so connections are
//! kept alive across runs, as a long-lived runner keeps them) — and prints the wall time
//! of each measured run.
//!
//! ```text
//! arazzo_loop [--memory] [--multi-thread] FILE WORKFLOW INPUTS_JSON WARMUP RUNS
//! ```
//!
//! `--memory` answers the requests in memory, as the mock would (no HTTP): what is left
//! is the decider and the driver. `--multi-thread` runs on a two-worker tokio runtime
//! instead of the current-thread one `weft run` uses.
//!
//! Output: one JSON object, `{"status": "SUCCEEDED", "outputs": {…}, "times_ns": […]}`
//! (status and outputs of the last run). Exits 1 if a run does not succeed.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use std::sync::atomic::AtomicU64;

use serde_json::{Value, json};
use weft_arazzo::bundle::Bundle;
use weft_arazzo::decider::{Decider, Options, Status};
use weft_arazzo::exchange::{HttpRequest, HttpResponse};
use weft_engine::arazzo::run::run_to_completion;
use weft_engine::arazzo::transport::{Exchange, HttpTransport, SendFuture, Timings, Transport};
use weft_engine::local::Clock;

#[path = "arazzo_common/api.rs"]
mod api;

/// The mock's answers without the network.
#[derive(Default)]
struct Memory {
    next_id: AtomicU64,
}

impl Transport for Memory {
    fn send(&self, request: HttpRequest) -> SendFuture<'_> {
        Box::pin(async move {
            let started = chrono::Utc::now();
            // http://host:port/path?query
            let after_scheme = request.url.split_once("://").map_or("", |(_, rest)| rest);
            let target = after_scheme.find('/').map_or("/", |at| &after_scheme[at..]);
            let (path, query) = target.split_once('?').unwrap_or((target, ""));
            let body = match request.body.as_deref() {
                Some(text) => serde_json::from_str(text).unwrap_or(Value::Null),
                None => Value::Null,
            };
            let (status, answer) = api::answer(&self.next_id, &request.method, path, query, &body);
            let response = HttpResponse {
                status,
                headers: vec![("content-type".into(), "application/json".into())],
                body: answer.to_string(),
            };
            Exchange {
                request,
                outcome: Ok(response),
                http_version: Some("HTTP/1.1".into()),
                started,
                timings: Timings::default(),
            }
        })
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode, String> {
    let (flags, args): (Vec<String>, Vec<String>) =
        std::env::args().skip(1).partition(|a| a.starts_with("--"));
    let memory = flags.iter().any(|f| f == "--memory");
    let multi_thread = flags.iter().any(|f| f == "--multi-thread");
    let [file, workflow, inputs, warmup, runs] = args.as_slice() else {
        return Err(
            "usage: arazzo_loop [--memory] [--multi-thread] FILE WORKFLOW INPUTS_JSON WARMUP RUNS"
                .into(),
        );
    };
    let inputs: Value = serde_json::from_str(inputs).map_err(|e| format!("inputs: {e}"))?;
    let warmup: usize = warmup.parse().map_err(|e| format!("warmup: {e}"))?;
    let runs: usize = runs.parse().map_err(|e| format!("runs: {e}"))?;

    let path = std::path::absolute(file).map_err(|e| format!("{file}: {e}"))?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{file}: {e}"))?;
    let mut read = |url: &str| -> Result<String, String> {
        let local = url.strip_prefix("file://").ok_or("only file: URLs")?;
        std::fs::read_to_string(local).map_err(|e| e.to_string())
    };
    let url = format!("file://{}", path.display());
    let bundle = Arc::new(Bundle::load(&url, &text, &mut read).map_err(|e| e.to_string())?);
    let transport: Box<dyn Transport> = if memory {
        Box::new(Memory::default())
    } else {
        Box::new(HttpTransport::new().map_err(|e| e.to_string())?)
    };

    let runtime = if multi_thread {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
    } else {
        // As `weft run` does it.
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    }
    .map_err(|e| e.to_string())?;
    let mut times_ns = Vec::with_capacity(runs);
    let mut last = None;
    for index in 0..warmup + runs {
        let started = Instant::now();
        let mut decider = Decider::new(bundle.clone(), Some(workflow), Options::default())
            .map_err(|e| e.to_string())?;
        let status = runtime.block_on(run_to_completion(
            &mut decider,
            inputs.clone(),
            transport.as_ref(),
            Clock::Real,
            None,
            |_| {},
            |_, _| {},
        ));
        let elapsed = started.elapsed();
        let Status::Succeeded { outputs } = status else {
            eprintln!("run {index} did not succeed: {status:?}");
            return Ok(ExitCode::from(1));
        };
        if index >= warmup {
            times_ns.push(u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX));
        }
        last = Some(outputs);
    }
    println!(
        "{}",
        json!({"status": "SUCCEEDED", "outputs": last, "times_ns": times_ns})
    );
    Ok(ExitCode::SUCCESS)
}
