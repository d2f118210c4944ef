//! `weft bench`: drives a weft server through the Step Functions API with the workloads
//! of the benchmark suite (W1 `hello`, W2 `chain10`) and reports throughput, latency
//! percentiles, the server's CPU time and the database bytes each execution costs.
//!
//! Start reading at [`run`]: for each workload and run it (re)starts the server when
//! it owns one, creates a state machine with a unique name, applies closed- or
//! open-loop load ([`load`]) and turns the samples into a [`report::RunReport`].

pub mod client;
pub mod histogram;
pub mod load;
pub mod report;
pub mod server;
pub mod workload;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use clap::{Args, ValueEnum};
use serde_json::Value;

use crate::client::{CallError, Connection, Endpoint, Operation};
use crate::load::{Stats, Window};
use crate::report::{BenchReport, Latency, RunReport, ServerFigures, Summary, WorkloadReport};
use crate::server::{ServerError, ServerProcess};
use crate::workload::{Workload, WorkloadChoice};

/// Clients of the closed loop when `--clients` is not given.
pub const DEFAULT_CLIENTS: usize = 16;
/// Most connections of the open loop when `--clients` is not given.
pub const DEFAULT_OPEN_CONNECTIONS: usize = 256;
/// Exit code when the benchmark ran but saw errors.
pub const EXIT_ERRORS: u8 = 1;
/// Exit code when the benchmark could not run (arguments, server, setup).
pub const EXIT_SETUP: u8 = 2;

const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/weft-bench";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

/// Load-tests a weft server through the Step Functions API.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Which workload to run: hello (Pass → Succeed), chain10 (ten Pass states on a
    /// 1 KiB input) or all.
    #[arg(long, value_enum, default_value_t = WorkloadChoice::All)]
    pub workload: WorkloadChoice,
    /// Closed loop: concurrent clients, each on its own connection [default: 16].
    /// Open loop: the most connections to open [default: 256].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=65_536))]
    pub clients: Option<u64>,
    /// Seconds of measurement, after the warm-up.
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = positive_seconds)]
    pub duration: Duration,
    /// Seconds of load before measuring.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = seconds)]
    pub warmup: Duration,
    /// Open loop: start this many executions per second, and measure latency from
    /// each one's intended start. Without it the load is a closed loop.
    #[arg(long, value_name = "R", value_parser = positive_rate)]
    pub rate: Option<f64>,
    /// Use the server at this URL instead of starting `weft serve`.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<Endpoint>,
    /// Where the started server keeps its database [default: the system's temporary
    /// directory].
    #[arg(long, value_name = "DIR", conflicts_with = "endpoint")]
    pub db_dir: Option<PathBuf>,
    /// Repeat each workload this many times (each on a fresh server and database when
    /// the server is started here) and report the median too.
    #[arg(long, value_name = "K", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,
    /// Worker threads of the load generator.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub threads: u64,
    /// `json` prints one JSON object with every figure.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

impl BenchArgs {
    /// Closed-loop clients, or the open loop's connection limit.
    pub fn clients(&self) -> usize {
        let default = if self.rate.is_some() {
            DEFAULT_OPEN_CONNECTIONS
        } else {
            DEFAULT_CLIENTS
        };
        self.clients
            .map_or(default, |c| usize::try_from(c).unwrap_or(default))
    }
}

fn seconds(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .parse()
        .map_err(|_| format!("not a number of seconds: {s}"))?;
    if !(0.0..=1e9).contains(&secs) {
        return Err(format!("not a usable number of seconds: {s}"));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn positive_seconds(s: &str) -> Result<Duration, String> {
    match seconds(s)? {
        d if d.is_zero() => Err("must be more than 0 seconds".into()),
        d => Ok(d),
    }
}

fn positive_rate(s: &str) -> Result<f64, String> {
    let rate: f64 = s.parse().map_err(|_| format!("not a rate: {s}"))?;
    if !rate.is_finite() || rate <= 0.0 || rate > 10_000_000.0 {
        return Err(format!(
            "the rate must be a positive number per second: {s}"
        ));
    }
    Ok(rate)
}

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(transparent)]
    Server(#[from] ServerError),
    #[error("cannot create the state machine: {0}")]
    CreateStateMachine(CallError),
    #[error("CreateStateMachine reply has no stateMachineArn: {0}")]
    NoStateMachineArn(Value),
    #[error("cannot start the load: {0}")]
    Load(std::io::Error),
    #[error("the load task failed: {0}")]
    Task(tokio::task::JoinError),
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    #[error("interrupted")]
    Interrupted,
}

/// Runs `weft bench` and prints the report: the entry point of the subcommand.
/// `weft_exe` is the `weft` binary to start as the server when `--endpoint` is not
/// given. Exit codes: 0 when every execution succeeded, [`EXIT_ERRORS`] when any
/// failed (the report is printed anyway), [`EXIT_SETUP`] when the benchmark could
/// not run.
pub fn main(args: BenchArgs, weft_exe: &Path) -> ExitCode {
    let threads = usize::try_from(args.threads).unwrap_or(2);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("weft bench: {}", BenchError::Runtime(e));
            return ExitCode::from(EXIT_SETUP);
        }
    };
    let outcome = runtime.block_on(async {
        tokio::select! {
            outcome = run(&args, weft_exe) => outcome,
            // Dropping the benchmark's future kills the server it started. Should the
            // handler fail to install, the branch is disabled and the run goes on.
            Ok(()) = tokio::signal::ctrl_c() => Err(BenchError::Interrupted),
        }
    });
    match outcome {
        Ok(report) => {
            match args.output {
                OutputFormat::Json => match serde_json::to_string(&report) {
                    Ok(json) => println!("{json}"),
                    Err(e) => {
                        eprintln!("weft bench: cannot print the report: {e}");
                        return ExitCode::from(EXIT_SETUP);
                    }
                },
                OutputFormat::Text => print!("{}", report::render_text(&report)),
            }
            if report.failed() {
                eprintln!("weft bench: FAILED: some executions did not succeed (see the report)");
                ExitCode::from(EXIT_ERRORS)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("weft bench: {e}");
            ExitCode::from(EXIT_SETUP)
        }
    }
}

/// Where the load goes.
enum Target {
    Child(ServerProcess),
    External(Endpoint),
}

impl Target {
    fn endpoint(&self) -> &Endpoint {
        match self {
            Target::Child(s) => s.endpoint(),
            Target::External(e) => e,
        }
    }
}

/// Runs every selected workload `--runs` times and collects the figures. Needs a
/// tokio runtime with timers and I/O enabled.
pub async fn run(args: &BenchArgs, weft_exe: &Path) -> Result<BenchReport, BenchError> {
    let started_at = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut db_filesystem = None;
    let mut workloads = Vec::new();
    for workload in args.workload.workloads() {
        let mut runs = Vec::new();
        for run in 1..=args.runs {
            let mut target = match &args.endpoint {
                Some(e) => Target::External(e.clone()),
                None => {
                    let server = ServerProcess::start(weft_exe, args.db_dir.as_deref()).await?;
                    if db_filesystem.is_none() {
                        db_filesystem = server::filesystem_of(server.dir());
                    }
                    Target::Child(server)
                }
            };
            runs.push(run_once(args, workload, run, &mut target).await?);
            // The server and its database go here, before the next run starts.
            drop(target);
        }
        workloads.push(WorkloadReport {
            workload: workload.name(),
            states_per_execution: workload.states_per_execution(),
            input_bytes: workload.input().to_string().len(),
            median: Summary::of(&runs),
            runs,
        });
    }
    Ok(BenchReport {
        version: env!("CARGO_PKG_VERSION"),
        started_at,
        mode: if args.rate.is_some() {
            "open"
        } else {
            "closed"
        },
        clients: args.clients(),
        rate: args.rate,
        duration_s: args.duration.as_secs_f64(),
        warmup_s: args.warmup.as_secs_f64(),
        runs: args.runs,
        server: if args.endpoint.is_some() {
            "external"
        } else {
            "child"
        },
        endpoint: args.endpoint.as_ref().map(Endpoint::to_string),
        db_filesystem,
        generator_threads: usize::try_from(args.threads).unwrap_or(0),
        workloads,
    })
}

async fn create_state_machine(
    endpoint: &Endpoint,
    workload: Workload,
) -> Result<String, BenchError> {
    let mut connection = Connection::open(endpoint)
        .await
        .map_err(BenchError::CreateStateMachine)?;
    // A fresh name per run, so runs against one long-lived server never collide.
    let name = format!(
        "weft-bench-{}-{}",
        workload.name(),
        uuid::Uuid::new_v4().simple()
    );
    let body = client::create_state_machine_body(&name, &workload.definition(), ROLE_ARN);
    let created = connection
        .call(Operation::CreateStateMachine, body)
        .await
        .map_err(BenchError::CreateStateMachine)?;
    match created.get("stateMachineArn").and_then(Value::as_str) {
        Some(arn) => Ok(arn.to_string()),
        None => Err(BenchError::NoStateMachineArn(created)),
    }
}

async fn run_once(
    args: &BenchArgs,
    workload: Workload,
    run: u32,
    target: &mut Target,
) -> Result<RunReport, BenchError> {
    let endpoint = Arc::new(target.endpoint().clone());
    let arn = create_state_machine(&endpoint, workload).await?;
    let start_body = client::start_execution_body(&arn, &workload.input());
    let server_pid = match target {
        Target::Child(s) => Some(s.pid().to_string()),
        Target::External(_) => None,
    };

    let start = Instant::now();
    let window = Window {
        warm_end: start + args.warmup,
        end: start + args.warmup + args.duration,
    };
    let clients = args.clients();
    let load = match args.rate {
        Some(rate) => tokio::spawn(load::open_loop(
            endpoint.clone(),
            start_body,
            rate,
            clients,
            start,
            window,
        )),
        None => {
            let closed = load::closed_loop(endpoint.clone(), start_body, clients, window);
            tokio::spawn(async move { Ok(closed.await) })
        }
    };

    tokio::time::sleep_until(window.warm_end.into()).await;
    let cpu_before = cpu_snapshot(server_pid.as_deref());
    let measure_start = Instant::now();
    let mut stats = load
        .await
        .map_err(BenchError::Task)?
        .map_err(BenchError::Load)?;
    let measured = measure_start.elapsed();
    let cpu_after = cpu_snapshot(server_pid.as_deref());

    let server = match target {
        Target::Child(server) => {
            if let Some(status) = server.exited() {
                stats.errors.add(format!(
                    "the server exited during the run ({status}); its output:\n{}",
                    server.log_tail()
                ));
            }
            Some(server_figures(
                server,
                &stats,
                cpu_before.0,
                cpu_after.0,
                measured,
            ))
        }
        Target::External(_) => None,
    };
    let generator_cpu_percent = cpu_percent(cpu_before.1, cpu_after.1, measured);
    Ok(run_report(
        run,
        workload,
        stats,
        window,
        server,
        generator_cpu_percent,
        args.rate.is_some(),
    ))
}

/// CPU time of the server (when it is our child) and of this process.
fn cpu_snapshot(server_pid: Option<&str>) -> (Option<Duration>, Option<Duration>) {
    (
        server_pid.and_then(server::cpu_time),
        server::cpu_time("self"),
    )
}

fn cpu_percent(before: Option<Duration>, after: Option<Duration>, wall: Duration) -> Option<f64> {
    let used = after?.checked_sub(before?)?;
    if wall.is_zero() {
        return None;
    }
    Some(report::round3(
        used.as_secs_f64() / wall.as_secs_f64() * 100.0,
    ))
}

fn server_figures(
    server: &ServerProcess,
    stats: &Stats,
    cpu_before: Option<Duration>,
    cpu_after: Option<Duration>,
    measured: Duration,
) -> ServerFigures {
    let cpu_s = match (cpu_before, cpu_after) {
        (Some(b), Some(a)) => a.saturating_sub(b).as_secs_f64(),
        _ => 0.0,
    };
    let (db_bytes, wal_bytes) = server.db_sizes();
    let executions = stats.succeeded_total;
    ServerFigures {
        cpu_s: report::round3(cpu_s),
        cpu_percent: cpu_percent(cpu_before, cpu_after, measured).unwrap_or(0.0),
        peak_rss_kib: server::peak_rss_kib(server.pid()),
        db_bytes,
        wal_bytes,
        executions_in_db: executions,
        db_bytes_per_execution: if executions == 0 {
            0.0
        } else {
            report::round3((db_bytes + wal_bytes) as f64 / executions as f64)
        },
    }
}

fn run_report(
    run: u32,
    workload: Workload,
    stats: Stats,
    window: Window,
    server: Option<ServerFigures>,
    generator_cpu_percent: Option<f64>,
    open_loop: bool,
) -> RunReport {
    let executions = stats.executions();
    // Executions still in flight at the end of the window are part of it: the window
    // stretches to the last one that was measured.
    let elapsed = stats
        .last_done
        .map_or(window.end, |t| t.max(window.end))
        .saturating_duration_since(window.warm_end);
    let per_second = |count: f64| {
        if elapsed.is_zero() {
            0.0
        } else {
            report::round3(count / elapsed.as_secs_f64())
        }
    };
    let executions_per_s = per_second(executions as f64);
    let transitions_per_s =
        per_second(executions as f64 * f64::from(workload.states_per_execution()));
    let describes_per_execution = if executions == 0 {
        0.0
    } else {
        report::round3(stats.describes as f64 / executions as f64)
    };
    RunReport {
        run,
        executions,
        elapsed_s: report::round3(elapsed.as_secs_f64()),
        executions_per_s,
        transitions_per_s,
        latency_ms: Latency::of(&stats.latency.into_sorted()),
        start_latency_ms: Latency::of(&stats.start_latency.into_sorted()),
        describes_per_execution,
        connections: stats.connections,
        max_send_lag_ms: open_loop.then(|| report::ms(stats.max_lag)),
        generator_cpu_percent,
        server,
        errors: stats.errors.count,
        error_samples: stats.errors.samples,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        bench: BenchArgs,
    }

    fn parse(args: &[&str]) -> Result<BenchArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("weft-bench").chain(args.iter().copied()))
            .map(|c| c.bench)
    }

    #[test]
    fn defaults_are_a_closed_loop_of_16_clients_over_both_workloads() {
        let Ok(args) = parse(&[]) else {
            panic!("no arguments must parse");
        };
        assert_eq!(args.workload, WorkloadChoice::All);
        assert_eq!(args.clients(), DEFAULT_CLIENTS);
        assert_eq!(args.duration, Duration::from_secs(60));
        assert_eq!(args.warmup, Duration::from_secs(10));
        assert_eq!(args.rate, None);
        assert_eq!(args.endpoint, None);
        assert_eq!(args.runs, 1);
        assert_eq!(args.output, OutputFormat::Text);
    }

    #[test]
    fn every_option_parses() {
        let parsed = parse(&[
            "--workload",
            "chain10",
            "--clients",
            "64",
            "--duration",
            "2.5",
            "--warmup",
            "0",
            "--rate",
            "5000",
            "--endpoint",
            "http://127.0.0.1:8083",
            "--runs",
            "3",
            "--output",
            "json",
        ]);
        let Ok(args) = parsed else {
            panic!("must parse: {parsed:?}");
        };
        assert_eq!(args.workload, WorkloadChoice::Chain10);
        assert_eq!(args.clients(), 64);
        assert_eq!(args.duration, Duration::from_millis(2500));
        assert_eq!(args.warmup, Duration::ZERO);
        assert_eq!(args.rate, Some(5000.0));
        assert_eq!(args.endpoint, Some(Endpoint::local(8083)));
        assert_eq!(args.runs, 3);
        assert_eq!(args.output, OutputFormat::Json);
    }

    #[test]
    fn the_open_loop_defaults_to_a_larger_connection_limit() {
        let args = parse(&["--rate", "100"]).map(|a| a.clients());
        assert_eq!(args.ok(), Some(DEFAULT_OPEN_CONNECTIONS));
    }

    #[test]
    fn nonsense_is_refused() {
        for bad in [
            &["--duration", "0"][..],
            &["--duration", "-1"],
            &["--warmup", "soon"],
            &["--rate", "0"],
            &["--rate", "inf"],
            &["--clients", "0"],
            &["--runs", "0"],
            &["--workload", "map1k"],
            &["--endpoint", "https://example.com"],
            &["--endpoint", "http://127.0.0.1:1", "--db-dir", "/tmp"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn throughput_counts_the_window_and_the_states() {
        let t0 = Instant::now();
        let window = Window {
            warm_end: t0,
            end: t0 + Duration::from_secs(2),
        };
        let mut stats = Stats::default();
        for i in 0..10 {
            stats.latency.record(Duration::from_millis(i + 1));
            stats.start_latency.record(Duration::from_micros(100));
            stats.describes += 2;
        }
        stats.succeeded_total = 12;
        stats.last_done = Some(t0 + Duration::from_millis(1500));
        let report = run_report(1, Workload::Chain10, stats, window, None, None, false);
        assert_eq!(report.executions, 10);
        assert_eq!(report.elapsed_s, 2.0);
        assert_eq!(report.executions_per_s, 5.0);
        assert_eq!(report.transitions_per_s, 50.0);
        assert_eq!(report.describes_per_execution, 2.0);
        assert_eq!(report.latency_ms.p50, 5.0);
        assert_eq!(report.latency_ms.max, 10.0);
        assert_eq!(report.max_send_lag_ms, None);
    }
}
