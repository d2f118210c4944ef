//! Drives the load loops against a small in-test HTTP server that answers
//! CreateStateMachine, StartExecution and DescribeExecution the way the Step Functions
//! API shapes them, and checks what the client sent and what the report says.

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::path::Path;
use std::sync::{Arc, Mutex};

use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use weft_bench::BenchArgs;
use weft_bench::report::BenchReport;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    bench: BenchArgs,
}

fn args(list: &[&str]) -> BenchArgs {
    match Cli::try_parse_from(std::iter::once("weft-bench").chain(list.iter().copied())) {
        Ok(cli) => cli.bench,
        Err(e) => panic!("arguments {list:?}: {e}"),
    }
}

/// What the fake server saw.
#[derive(Default)]
struct Seen {
    state_machines: Vec<(String, Value)>,
    starts: u64,
    /// Connections that carried at least one StartExecution.
    start_connections: HashSet<u64>,
    /// DescribeExecution calls per execution ARN.
    describes: HashMap<String, u32>,
    /// Requests that did not look like AWS JSON 1.0 Step Functions calls.
    malformed: Vec<String>,
}

#[derive(Clone, Copy)]
enum Behaviour {
    /// Each execution is RUNNING on its first DescribeExecution and SUCCEEDED after.
    SucceedOnSecondPoll,
    /// Every execution ends FAILED.
    Fail,
}

struct Fake {
    seen: Arc<Mutex<Seen>>,
    url: String,
}

/// Starts the fake server on its own thread and runtime, so that it does not compete
/// with the load generator's tasks for the test runtime's workers.
fn fake_server(behaviour: Behaviour) -> Fake {
    let listener = match std::net::TcpListener::bind("127.0.0.1:0") {
        Ok(l) => l,
        Err(e) => panic!("bind: {e}"),
    };
    let url = match listener.local_addr() {
        Ok(a) => format!("http://{a}"),
        Err(e) => panic!("local_addr: {e}"),
    };
    if let Err(e) = listener.set_nonblocking(true) {
        panic!("set_nonblocking: {e}");
    }
    let seen = Arc::new(Mutex::new(Seen::default()));
    let state = seen.clone();
    std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => panic!("runtime: {e}"),
        };
        runtime.block_on(serve(listener, state, behaviour));
    });
    Fake { seen, url }
}

async fn serve(listener: std::net::TcpListener, state: Arc<Mutex<Seen>>, behaviour: Behaviour) {
    let listener = match TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => panic!("listener: {e}"),
    };
    let mut next_connection = 0u64;
    while let Ok((stream, _)) = listener.accept().await {
        next_connection += 1;
        let _ = stream.set_nodelay(true);
        let connection = next_connection;
        let state = state.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(handle(req, &state, connection, behaviour).await) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn reply(status: StatusCode, body: Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response
}

async fn handle(
    req: Request<Incoming>,
    seen: &Mutex<Seen>,
    connection: u64,
    behaviour: Behaviour,
) -> Response<Full<Bytes>> {
    let target = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let shape_ok = req.method() == hyper::Method::POST
        && req.uri().path() == "/"
        && content_type == "application/x-amz-json-1.0"
        && req.headers().contains_key("host");
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => return reply(StatusCode::BAD_REQUEST, json!({"message": e.to_string()})),
    };
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut seen = match seen.lock() {
        Ok(s) => s,
        Err(p) => p.into_inner(),
    };
    if !shape_ok {
        seen.malformed.push(format!("{target} {content_type}"));
    }
    match target.as_str() {
        "AWSStepFunctions.CreateStateMachine" => {
            let name = body["name"].as_str().unwrap_or("").to_string();
            let definition: Value = body["definition"]
                .as_str()
                .and_then(|d| serde_json::from_str(d).ok())
                .unwrap_or(Value::Null);
            if body["type"] != "STANDARD" || body["roleArn"].as_str().is_none() {
                seen.malformed.push(format!("CreateStateMachine {body}"));
            }
            seen.state_machines.push((name.clone(), definition));
            reply(
                StatusCode::OK,
                json!({
                    "stateMachineArn": format!("arn:aws:states:us-east-1:123456789012:stateMachine:{name}"),
                    "creationDate": 1.7e9
                }),
            )
        }
        "AWSStepFunctions.StartExecution" => {
            let known = seen.state_machines.iter().any(|(name, _)| {
                body["stateMachineArn"]
                    .as_str()
                    .is_some_and(|arn| arn.ends_with(&format!(":{name}")))
            });
            let input_ok = body["input"]
                .as_str()
                .and_then(|i| serde_json::from_str::<Value>(i).ok())
                .is_some();
            if !known || !input_ok || body.get("name").is_some() {
                seen.malformed.push(format!("StartExecution {body}"));
                return reply(
                    StatusCode::BAD_REQUEST,
                    json!({"__type": "StateMachineDoesNotExist", "message": "unknown"}),
                );
            }
            seen.starts += 1;
            seen.start_connections.insert(connection);
            let arn = format!(
                "arn:aws:states:us-east-1:123456789012:execution:sm:{}",
                seen.starts
            );
            seen.describes.insert(arn.clone(), 0);
            reply(
                StatusCode::OK,
                json!({"executionArn": arn, "startDate": 1.7e9}),
            )
        }
        "AWSStepFunctions.DescribeExecution" => {
            let arn = body["executionArn"].as_str().unwrap_or("").to_string();
            let Some(count) = seen.describes.get_mut(&arn) else {
                return reply(
                    StatusCode::BAD_REQUEST,
                    json!({"__type": "ExecutionDoesNotExist", "message": arn}),
                );
            };
            *count += 1;
            let status = match (behaviour, *count) {
                (Behaviour::SucceedOnSecondPoll, 1) => "RUNNING",
                (Behaviour::SucceedOnSecondPoll, _) => "SUCCEEDED",
                (Behaviour::Fail, _) => "FAILED",
            };
            let mut out = json!({"executionArn": arn, "status": status, "startDate": 1.7e9});
            if status == "FAILED" {
                out["error"] = json!("States.TaskFailed");
                out["cause"] = json!("made to fail");
            }
            reply(StatusCode::OK, out)
        }
        _ => reply(
            StatusCode::BAD_REQUEST,
            json!({"__type": "UnknownOperationException", "message": target}),
        ),
    }
}

async fn bench(list: &[&str]) -> BenchReport {
    match weft_bench::run(&args(list), Path::new("/nonexistent/weft")).await {
        Ok(report) => report,
        Err(e) => panic!("the benchmark failed: {e}"),
    }
}

fn seen(fake: &Fake) -> std::sync::MutexGuard<'_, Seen> {
    match fake.seen.lock() {
        Ok(s) => s,
        Err(p) => p.into_inner(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_closed_loop_polls_until_succeeded_on_one_connection_per_client() {
    let fake = fake_server(Behaviour::SucceedOnSecondPoll);
    let report = bench(&[
        "--endpoint",
        &fake.url,
        "--workload",
        "hello",
        "--clients",
        "4",
        "--duration",
        "0.5",
        "--warmup",
        "0.2",
    ])
    .await;

    assert!(!report.failed());
    assert_eq!(report.mode, "closed");
    assert_eq!(report.server, "external");
    assert_eq!(report.workloads.len(), 1);
    let w = &report.workloads[0];
    assert_eq!(w.workload, "hello");
    assert_eq!(w.input_bytes, r#"{"a":1}"#.len());
    let r = &w.runs[0];
    assert_eq!(r.errors, 0, "{:?}", r.error_samples);
    assert!(r.executions > 0);
    // Every execution is RUNNING once, then SUCCEEDED.
    assert_eq!(r.describes_per_execution, 2.0);
    assert_eq!(r.connections, 4);
    assert!((r.transitions_per_s - r.executions_per_s * 2.0).abs() < 0.01);
    assert!(r.latency_ms.p50 <= r.latency_ms.p90 && r.latency_ms.p90 <= r.latency_ms.p99);
    assert!(r.latency_ms.p99 <= r.latency_ms.max);
    assert!(r.start_latency_ms.p50 <= r.latency_ms.p50);
    assert!(r.server.is_none());

    let seen = seen(&fake);
    assert!(seen.malformed.is_empty(), "{:?}", seen.malformed);
    assert_eq!(seen.state_machines.len(), 1);
    assert!(seen.state_machines[0].0.starts_with("weft-bench-hello-"));
    assert_eq!(
        seen.state_machines[0].1,
        json!({"StartAt":"P","States":{"P":{"Type":"Pass","Next":"S"},"S":{"Type":"Succeed"}}})
    );
    // Warm-up executions are started but not measured.
    assert!(seen.starts > r.executions);
    assert_eq!(seen.start_connections.len(), 4);
    assert!(seen.describes.values().all(|n| *n == 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_loop_starts_exactly_rate_times_duration_executions() {
    let fake = fake_server(Behaviour::SucceedOnSecondPoll);
    let report = bench(&[
        "--endpoint",
        &fake.url,
        "--workload",
        "chain10",
        "--rate",
        "200",
        "--duration",
        "1",
        "--warmup",
        "0",
    ])
    .await;

    assert!(!report.failed());
    assert_eq!(report.mode, "open");
    assert_eq!(report.rate, Some(200.0));
    let r = &report.workloads[0].runs[0];
    assert_eq!(r.errors, 0, "{:?}", r.error_samples);
    assert_eq!(r.executions, 200);
    assert_eq!(r.describes_per_execution, 2.0);
    assert!(r.max_send_lag_ms.is_some());
    assert!(r.connections >= 1);
    let seen = seen(&fake);
    assert!(seen.malformed.is_empty(), "{:?}", seen.malformed);
    assert_eq!(seen.starts, 200);
    let states = seen.state_machines[0].1["States"]
        .as_object()
        .map(|s| s.len());
    assert_eq!(states, Some(10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_executions_fail_the_benchmark() {
    let fake = fake_server(Behaviour::Fail);
    let report = bench(&[
        "--endpoint",
        &fake.url,
        "--workload",
        "hello",
        "--clients",
        "2",
        "--duration",
        "0.2",
        "--warmup",
        "0",
    ])
    .await;

    assert!(report.failed());
    let r = &report.workloads[0].runs[0];
    assert_eq!(r.executions, 0);
    assert!(r.errors > 0);
    assert!(
        r.error_samples[0].contains("FAILED") && r.error_samples[0].contains("States.TaskFailed"),
        "{:?}",
        r.error_samples
    );
    let text = weft_bench::report::render_text(&report);
    assert!(text.contains("errors, for example"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_run_creates_its_own_state_machine_and_json_has_every_figure() {
    let fake = fake_server(Behaviour::SucceedOnSecondPoll);
    let report = bench(&[
        "--endpoint",
        &fake.url,
        "--workload",
        "all",
        "--clients",
        "2",
        "--duration",
        "0.2",
        "--warmup",
        "0",
        "--runs",
        "2",
    ])
    .await;

    assert!(!report.failed());
    let names: Vec<&str> = report.workloads.iter().map(|w| w.workload).collect();
    assert_eq!(names, ["hello", "chain10"]);
    assert!(report.workloads.iter().all(|w| w.runs.len() == 2));
    {
        let seen = seen(&fake);
        let names: HashSet<&str> = seen
            .state_machines
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(names.len(), 4);
    }

    let json = match serde_json::to_value(&report) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    };
    let run = &json["workloads"][1]["runs"][0];
    for key in [
        "executions",
        "executions_per_s",
        "transitions_per_s",
        "latency_ms",
        "start_latency_ms",
        "describes_per_execution",
        "errors",
    ] {
        assert!(run.get(key).is_some(), "runs[0] has no {key}: {run}");
    }
    for key in ["p50", "p90", "p99", "max"] {
        assert!(run["latency_ms"][key].is_number(), "latency_ms.{key}");
    }
    assert!(json["workloads"][1]["median"]["executions_per_s"].is_number());
    assert_eq!(json["workloads"][1]["states_per_execution"], 10);
}

#[tokio::test]
async fn a_server_that_exits_at_once_is_reported_with_its_output() {
    let Ok(dir) = tempfile::tempdir() else {
        panic!("tempdir");
    };
    let exe = dir.path().join("fake-weft");
    let script = "#!/bin/sh\necho \"started with: $*\" >&2\nexit 3\n";
    if let Err(e) = std::fs::write(&exe, script) {
        panic!("{e}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Err(e) = std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)) {
            panic!("{e}");
        }
    }
    let db_dir = dir.path().to_string_lossy().into_owned();
    let result = weft_bench::run(
        &args(&[
            "--workload",
            "hello",
            "--duration",
            "1",
            "--db-dir",
            &db_dir,
        ]),
        &exe,
    )
    .await;
    match result {
        Err(e) => {
            let message = e.to_string();
            assert!(message.contains("exited"), "{message}");
            let args = message
                .split("started with: ")
                .nth(1)
                .map(|rest| rest.trim().split(' ').collect::<Vec<_>>())
                .unwrap_or_default();
            assert_eq!(args.len(), 5, "{message}");
            assert_eq!(args[..2], ["serve", "--listen"]);
            assert!(args[2].starts_with("127.0.0.1:"), "{message}");
            assert_eq!(args[3], "--db");
            assert!(
                args[4].starts_with(&format!("sqlite:{db_dir}/")),
                "{message}"
            );
            assert!(args[4].ends_with("/bench.db"), "{message}");
        }
        Ok(_) => panic!("the benchmark must fail"),
    }
}
