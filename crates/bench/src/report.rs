//! The figures of a benchmark and how they are printed.

use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use crate::histogram::{Sorted, median};

/// Everything one `weft bench` invocation measured (`--output json` prints this).
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub version: &'static str,
    /// Seconds since the Unix epoch when the benchmark began.
    pub started_at: u64,
    /// `closed` or `open`.
    pub mode: &'static str,
    /// Closed loop: concurrent clients. Open loop: the most connections opened.
    pub clients: usize,
    /// Open loop: executions started per second.
    pub rate: Option<f64>,
    pub duration_s: f64,
    pub warmup_s: f64,
    pub runs: u32,
    /// `child` (a `weft serve` started for each run on a fresh database) or `external`.
    pub server: &'static str,
    pub endpoint: Option<String>,
    /// File system of the database directory (child server only).
    pub db_filesystem: Option<String>,
    /// Worker threads of the load generator, which shares the machine with the server.
    pub generator_threads: usize,
    pub workloads: Vec<WorkloadReport>,
}

impl BenchReport {
    /// Any error in any run, or a run that completed nothing, fails the benchmark.
    pub fn failed(&self) -> bool {
        self.workloads
            .iter()
            .flat_map(|w| &w.runs)
            .any(|r| r.errors > 0 || r.executions == 0)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkloadReport {
    pub workload: &'static str,
    pub states_per_execution: u32,
    pub input_bytes: usize,
    pub runs: Vec<RunReport>,
    /// The median of each figure over the runs (errors are summed).
    pub median: Summary,
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Latency {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

impl Latency {
    pub fn of(sorted: &Sorted) -> Latency {
        let at = |p| sorted.percentile(p).map(ms).unwrap_or(0.0);
        Latency {
            p50: at(50.0),
            p90: at(90.0),
            p99: at(99.0),
            max: sorted.max().map(ms).unwrap_or(0.0),
        }
    }
}

/// Figures of the server process over the measurement window (child server only).
#[derive(Debug, Clone, Serialize)]
pub struct ServerFigures {
    /// CPU time (user + system) the server used during the measurement window.
    pub cpu_s: f64,
    /// `cpu_s` over the window's wall time: 200 means both cores of a 2-core machine.
    pub cpu_percent: f64,
    pub peak_rss_kib: Option<u64>,
    pub db_bytes: u64,
    pub wal_bytes: u64,
    /// Executions in the database: every one that succeeded, warm-up included.
    pub executions_in_db: u64,
    /// (`db_bytes` + `wal_bytes`) / `executions_in_db`.
    pub db_bytes_per_execution: f64,
}

/// One run of one workload.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub run: u32,
    /// Executions measured (started inside the window and seen to succeed).
    pub executions: u64,
    /// From the end of the warm-up until the last measured execution succeeded.
    pub elapsed_s: f64,
    pub executions_per_s: f64,
    /// States entered per second: executions/s × states per execution.
    pub transitions_per_s: f64,
    /// Closed loop: from sending StartExecution to observing SUCCEEDED. Open loop: from
    /// the intended start time to observing SUCCEEDED.
    pub latency_ms: Latency,
    /// The StartExecution call alone.
    pub start_latency_ms: Latency,
    pub describes_per_execution: f64,
    pub connections: usize,
    /// Open loop: the largest delay between an intended start and the actual send.
    pub max_send_lag_ms: Option<f64>,
    /// CPU used by the load generator itself, in percent of one core.
    pub generator_cpu_percent: Option<f64>,
    pub server: Option<ServerFigures>,
    pub errors: u64,
    pub error_samples: Vec<String>,
}

/// The median of each figure over several runs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub executions_per_s: f64,
    pub transitions_per_s: f64,
    pub latency_ms: Latency,
    pub start_latency_ms: Latency,
    pub server_cpu_percent: Option<f64>,
    pub db_bytes_per_execution: Option<f64>,
    pub errors: u64,
}

impl Summary {
    pub fn of(runs: &[RunReport]) -> Summary {
        let med = |f: &dyn Fn(&RunReport) -> f64| {
            let values: Vec<f64> = runs.iter().map(f).collect();
            round3(median(&values).unwrap_or(0.0))
        };
        let med_opt = |f: &dyn Fn(&RunReport) -> Option<f64>| {
            let values: Vec<f64> = runs.iter().filter_map(f).collect();
            median(&values).map(round3)
        };
        let latency = |f: &dyn Fn(&RunReport) -> Latency| Latency {
            p50: med(&|r| f(r).p50),
            p90: med(&|r| f(r).p90),
            p99: med(&|r| f(r).p99),
            max: med(&|r| f(r).max),
        };
        Summary {
            executions_per_s: med(&|r| r.executions_per_s),
            transitions_per_s: med(&|r| r.transitions_per_s),
            latency_ms: latency(&|r| r.latency_ms),
            start_latency_ms: latency(&|r| r.start_latency_ms),
            server_cpu_percent: med_opt(&|r| r.server.as_ref().map(|s| s.cpu_percent)),
            db_bytes_per_execution: med_opt(&|r| {
                r.server.as_ref().map(|s| s.db_bytes_per_execution)
            }),
            errors: runs.iter().map(|r| r.errors).sum(),
        }
    }
}

/// Milliseconds with microsecond precision.
pub fn ms(d: Duration) -> f64 {
    (d.as_nanos() as f64 / 1_000.0).round() / 1_000.0
}

/// Rounds to three decimals: figures carry no more precision than that.
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The compact text form: a header, then per workload one row per run and, for several
/// runs, their median.
pub fn render_text(report: &BenchReport) -> String {
    let mut out = String::new();
    let load = match report.rate {
        Some(rate) => format!(
            "open loop at {rate}/s (up to {} connections)",
            report.clients
        ),
        None => format!("closed loop, {} clients", report.clients),
    };
    let server = match (&report.endpoint, &report.db_filesystem) {
        (Some(endpoint), _) if report.server == "external" => format!("server at {endpoint}"),
        (_, Some(fs)) => format!("weft serve child, SQLite on {fs}"),
        _ => "weft serve child, SQLite".to_string(),
    };
    let _ = writeln!(
        out,
        "weft bench {}: {load}, {} s after {} s warm-up, {} run{}; {server}",
        report.version,
        report.duration_s,
        report.warmup_s,
        report.runs,
        if report.runs == 1 { "" } else { "s" },
    );
    for w in &report.workloads {
        let _ = writeln!(
            out,
            "\n{}: {} states/execution, input {} B",
            w.workload, w.states_per_execution, w.input_bytes
        );
        let _ = writeln!(
            out,
            "{:>4} {:>9} {:>9} {:>7} {:>7} {:>7} {:>8} {:>15} {:>5} {:>7} {:>7} {:>7} {:>6}",
            "run",
            "exec/s",
            "states/s",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "max ms",
            "start p50/p99",
            "polls",
            "srv cpu",
            "srv MiB",
            "B/exec",
            "errors"
        );
        for r in &w.runs {
            let server = r.server.as_ref();
            let _ = writeln!(
                out,
                "{:>4} {:>9.1} {:>9.1} {:>7.3} {:>7.3} {:>7.3} {:>8.3} {:>15} {:>5.2} {:>7} {:>7} {:>7} {:>6}",
                r.run,
                r.executions_per_s,
                r.transitions_per_s,
                r.latency_ms.p50,
                r.latency_ms.p90,
                r.latency_ms.p99,
                r.latency_ms.max,
                format!(
                    "{:.3}/{:.3}",
                    r.start_latency_ms.p50, r.start_latency_ms.p99
                ),
                r.describes_per_execution,
                opt(server.map(|s| format!("{:.0}%", s.cpu_percent))),
                opt(server
                    .and_then(|s| s.peak_rss_kib)
                    .map(|k| format!("{:.1}", k as f64 / 1024.0))),
                opt(server.map(|s| format!("{:.0}", s.db_bytes_per_execution))),
                r.errors,
            );
        }
        if w.runs.len() > 1 {
            let m = &w.median;
            let _ = writeln!(
                out,
                "{:>4} {:>9.1} {:>9.1} {:>7.3} {:>7.3} {:>7.3} {:>8.3} {:>15} {:>5} {:>7} {:>7} {:>7} {:>6}",
                "med",
                m.executions_per_s,
                m.transitions_per_s,
                m.latency_ms.p50,
                m.latency_ms.p90,
                m.latency_ms.p99,
                m.latency_ms.max,
                format!(
                    "{:.3}/{:.3}",
                    m.start_latency_ms.p50, m.start_latency_ms.p99
                ),
                "",
                opt(m.server_cpu_percent.map(|c| format!("{c:.0}%"))),
                "",
                opt(m.db_bytes_per_execution.map(|b| format!("{b:.0}"))),
                m.errors,
            );
        }
        for r in &w.runs {
            if let Some(lag) = r.max_send_lag_ms.filter(|lag| *lag >= 1.0) {
                let _ = writeln!(
                    out,
                    "run {}: sends fell up to {lag:.1} ms behind schedule (latency includes it)",
                    r.run
                );
            }
            if r.executions == 0 {
                let _ = writeln!(
                    out,
                    "run {}: no execution completed inside the measurement window",
                    r.run
                );
            }
            if r.errors > 0 {
                let _ = writeln!(out, "run {}: {} errors, for example:", r.run, r.errors);
                for e in &r.error_samples {
                    let _ = writeln!(out, "  {e}");
                }
            }
        }
    }
    out
}

fn opt(value: Option<String>) -> String {
    value.unwrap_or_else(|| "-".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(n: u32, eps: f64, p99: f64, errors: u64) -> RunReport {
        RunReport {
            run: n,
            executions: 100,
            elapsed_s: 1.0,
            executions_per_s: eps,
            transitions_per_s: eps * 2.0,
            latency_ms: Latency {
                p50: 1.0,
                p90: 2.0,
                p99,
                max: 9.0,
            },
            start_latency_ms: Latency::default(),
            describes_per_execution: 1.0,
            connections: 1,
            max_send_lag_ms: None,
            generator_cpu_percent: None,
            server: None,
            errors,
            error_samples: Vec::new(),
        }
    }

    #[test]
    fn the_summary_takes_medians_and_sums_errors() {
        let summary = Summary::of(&[
            run(1, 300.0, 5.0, 0),
            run(2, 100.0, 7.0, 2),
            run(3, 200.0, 6.0, 1),
        ]);
        assert_eq!(summary.executions_per_s, 200.0);
        assert_eq!(summary.transitions_per_s, 400.0);
        assert_eq!(summary.latency_ms.p99, 6.0);
        assert_eq!(summary.errors, 3);
        assert_eq!(summary.server_cpu_percent, None);
    }

    #[test]
    fn milliseconds_keep_microseconds() {
        assert_eq!(ms(Duration::from_micros(1234)), 1.234);
        assert_eq!(ms(Duration::from_nanos(1_234_567)), 1.235);
    }
}
