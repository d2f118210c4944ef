//! The two ways of applying load.
//!
//! * Closed loop: N clients, each on its own connection, start an execution, wait for
//!   it to succeed, and start the next at once. This finds the maximum throughput.
//! * Open loop: executions are started on a fixed schedule (R per second) whether or
//!   not earlier ones have finished, and latency is measured from the *intended* start
//!   time, so a stalled server shows up as latency instead of silently lowering the
//!   send rate (the coordinated-omission correction of wrk2).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use hyper::body::Bytes;
use tokio::sync::{Semaphore, mpsc};

use crate::client::{Completed, Connection, Endpoint, ExecutionError, run_execution};
use crate::histogram::Histogram;

/// Pause after a connection breaks, so a dead server is not hammered in a tight loop.
const RECONNECT_DELAY: Duration = Duration::from_millis(10);
/// Distinct error messages kept for the report.
const ERROR_SAMPLES: usize = 5;

/// The measurement window: executions started in `[warm_end, end)` are measured; the
/// ones started before it are warm-up.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub warm_end: Instant,
    pub end: Instant,
}

impl Window {
    fn measures(&self, t: Instant) -> bool {
        t >= self.warm_end && t < self.end
    }
}

/// Errors seen: all are counted, the first few distinct messages are kept.
#[derive(Debug, Default, Clone)]
pub struct ErrorLog {
    pub count: u64,
    pub samples: Vec<String>,
}

impl ErrorLog {
    pub fn add(&mut self, message: String) {
        self.count += 1;
        if self.samples.len() < ERROR_SAMPLES && !self.samples.contains(&message) {
            self.samples.push(message);
        }
    }

    fn merge(&mut self, other: ErrorLog) {
        self.count += other.count;
        for m in other.samples {
            if self.samples.len() < ERROR_SAMPLES && !self.samples.contains(&m) {
                self.samples.push(m);
            }
        }
    }
}

/// What the load produced.
#[derive(Debug, Default)]
pub struct Stats {
    /// Measured executions: start (closed loop) or intended start (open loop) until
    /// SUCCEEDED was observed.
    pub latency: Histogram,
    /// Duration of the StartExecution call of measured executions.
    pub start_latency: Histogram,
    /// DescribeExecution calls made by measured executions.
    pub describes: u64,
    /// When the last measured execution was seen to succeed.
    pub last_done: Option<Instant>,
    /// Every execution that succeeded, warm-up included (they all live in the database).
    pub succeeded_total: u64,
    /// Open loop: the largest delay between an intended and the actual start.
    pub max_lag: Duration,
    /// Connections opened.
    pub connections: usize,
    pub errors: ErrorLog,
}

impl Stats {
    pub fn executions(&self) -> u64 {
        self.latency.len() as u64
    }

    fn record(&mut self, done: &Completed, reference: Instant, window: &Window) {
        self.succeeded_total += 1;
        if !window.measures(reference) {
            return;
        }
        self.latency
            .record(done.done.saturating_duration_since(reference));
        self.start_latency.record(done.start_call);
        self.describes += u64::from(done.describes);
        self.max_lag = self
            .max_lag
            .max(done.sent.saturating_duration_since(reference));
        self.last_done = Some(self.last_done.map_or(done.done, |t| t.max(done.done)));
    }

    fn merge(&mut self, other: Stats) {
        self.latency.merge(other.latency);
        self.start_latency.merge(other.start_latency);
        self.describes += other.describes;
        self.last_done = match (self.last_done, other.last_done) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.succeeded_total += other.succeeded_total;
        self.max_lag = self.max_lag.max(other.max_lag);
        self.connections += other.connections;
        self.errors.merge(other.errors);
    }
}

/// Runs `clients` closed-loop clients until `window.end`; executions in flight at the
/// end are finished (and measured if they started inside the window).
pub async fn closed_loop(
    endpoint: Arc<Endpoint>,
    start_body: Bytes,
    clients: usize,
    window: Window,
) -> Stats {
    let tasks: Vec<_> = (0..clients)
        .map(|_| tokio::spawn(closed_client(endpoint.clone(), start_body.clone(), window)))
        .collect();
    let mut stats = Stats::default();
    for task in tasks {
        match task.await {
            Ok(s) => stats.merge(s),
            Err(e) => stats.errors.add(format!("a client task failed: {e}")),
        }
    }
    stats
}

async fn closed_client(endpoint: Arc<Endpoint>, start_body: Bytes, window: Window) -> Stats {
    let mut stats = Stats::default();
    let mut connection: Option<Connection> = None;
    while Instant::now() < window.end {
        let conn = match &mut connection {
            Some(c) => c,
            None => match Connection::open(&endpoint).await {
                Ok(c) => {
                    stats.connections += 1;
                    connection.insert(c)
                }
                Err(e) => {
                    stats.errors.add(e.to_string());
                    tokio::time::sleep(RECONNECT_DELAY).await;
                    continue;
                }
            },
        };
        match run_execution(conn, start_body.clone()).await {
            Ok(done) => stats.record(&done, done.sent, &window),
            Err(e) => {
                stats.errors.add(e.to_string());
                if e.breaks_connection() {
                    connection = None;
                    tokio::time::sleep(RECONNECT_DELAY).await;
                }
            }
        }
    }
    stats
}

/// Connections shared by the open loop's executions: an idle one is reused, a new one
/// is opened when all are busy, up to the limit.
struct Pool {
    endpoint: Arc<Endpoint>,
    idle: std::sync::Mutex<Vec<Connection>>,
    permits: Semaphore,
}

impl Pool {
    fn take_idle(&self) -> Option<Connection> {
        self.idle.lock().ok().and_then(|mut idle| idle.pop())
    }

    fn put_back(&self, connection: Connection) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(connection);
        }
    }
}

struct Outcome {
    intended: Instant,
    opened: bool,
    result: Result<Completed, ExecutionError>,
}

/// Sets a flag when dropped, so the pacing thread stops if the load is abandoned.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Starts executions at `rate` per second from `start` until `window.end`, over at most
/// `max_connections` connections, then waits for the ones in flight.
pub async fn open_loop(
    endpoint: Arc<Endpoint>,
    start_body: Bytes,
    rate: f64,
    max_connections: usize,
    start: Instant,
    window: Window,
) -> std::io::Result<Stats> {
    let (tick_tx, mut ticks) = mpsc::unbounded_channel::<Instant>();
    let stop = Arc::new(AtomicBool::new(false));
    let _stop_on_drop = StopOnDrop(stop.clone());
    // A plain thread paces the schedule: its sleeps are precise to tens of
    // microseconds, where the runtime's timer rounds up to whole milliseconds.
    std::thread::Builder::new()
        .name("weft-bench-pacer".into())
        .spawn(move || pace(start, window.end, rate, &tick_tx, &stop))?;

    let pool = Arc::new(Pool {
        endpoint,
        idle: std::sync::Mutex::new(Vec::new()),
        permits: Semaphore::new(max_connections.max(1)),
    });
    let (done_tx, mut done) = mpsc::unbounded_channel::<Outcome>();
    let mut stats = Stats::default();
    let mut in_flight = 0usize;
    let mut pacing = true;
    while pacing || in_flight > 0 {
        tokio::select! {
            tick = ticks.recv(), if pacing => match tick {
                Some(intended) => {
                    in_flight += 1;
                    tokio::spawn(open_execution(pool.clone(), start_body.clone(), intended, done_tx.clone()));
                }
                None => pacing = false,
            },
            Some(outcome) = done.recv() => {
                in_flight -= 1;
                if outcome.opened {
                    stats.connections += 1;
                }
                match outcome.result {
                    Ok(completed) => stats.record(&completed, outcome.intended, &window),
                    Err(e) => stats.errors.add(e.to_string()),
                }
            }
        }
    }
    Ok(stats)
}

fn pace(
    start: Instant,
    end: Instant,
    rate: f64,
    ticks: &mpsc::UnboundedSender<Instant>,
    stop: &AtomicBool,
) {
    let mut i: u64 = 0;
    loop {
        let intended = start + Duration::from_secs_f64(i as f64 / rate);
        if intended >= end || stop.load(Ordering::Relaxed) {
            return;
        }
        let now = Instant::now();
        if intended > now {
            std::thread::sleep(intended - now);
        }
        if ticks.send(intended).is_err() {
            return;
        }
        i += 1;
    }
}

async fn open_execution(
    pool: Arc<Pool>,
    start_body: Bytes,
    intended: Instant,
    done: mpsc::UnboundedSender<Outcome>,
) {
    let mut opened = false;
    let result = async {
        // The semaphore is never closed, so acquiring only waits.
        let _permit = pool.permits.acquire().await.ok();
        let mut connection = match pool.take_idle() {
            Some(c) => c,
            None => {
                let c = Connection::open(&pool.endpoint).await?;
                opened = true;
                c
            }
        };
        let result = run_execution(&mut connection, start_body).await;
        if !matches!(&result, Err(e) if e.breaks_connection()) {
            pool.put_back(connection);
        }
        result
    }
    .await;
    let _ = done.send(Outcome {
        intended,
        opened,
        result,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_executions_started_inside_the_window_are_measured() {
        let t0 = Instant::now();
        let window = Window {
            warm_end: t0 + Duration::from_secs(1),
            end: t0 + Duration::from_secs(2),
        };
        let completed = |sent: Instant| Completed {
            sent,
            start_call: Duration::from_millis(1),
            done: sent + Duration::from_millis(3),
            describes: 2,
        };
        let mut stats = Stats::default();
        for offset_ms in [0, 999, 1000, 1500, 1999, 2000] {
            let sent = t0 + Duration::from_millis(offset_ms);
            stats.record(&completed(sent), sent, &window);
        }
        assert_eq!(stats.succeeded_total, 6);
        assert_eq!(stats.executions(), 3);
        assert_eq!(stats.describes, 6);
        assert_eq!(stats.last_done, Some(t0 + Duration::from_millis(2002)));
    }

    #[test]
    fn open_loop_latency_counts_from_the_intended_start() {
        let t0 = Instant::now();
        let window = Window {
            warm_end: t0,
            end: t0 + Duration::from_secs(1),
        };
        // Sent 40 ms late (the server was stalled), done 2 ms after sending.
        let sent = t0 + Duration::from_millis(40);
        let done = Completed {
            sent,
            start_call: Duration::from_millis(1),
            done: sent + Duration::from_millis(2),
            describes: 1,
        };
        let mut stats = Stats::default();
        stats.record(&done, t0, &window);
        let latency = stats.latency.into_sorted();
        assert_eq!(latency.max(), Some(Duration::from_millis(42)));
        assert_eq!(stats.max_lag, Duration::from_millis(40));
    }

    #[test]
    fn the_error_log_counts_everything_and_keeps_a_few_distinct_messages() {
        let mut log = ErrorLog::default();
        for i in 0..20 {
            log.add(format!("error {}", i % 7));
        }
        assert_eq!(log.count, 20);
        assert_eq!(log.samples.len(), ERROR_SAMPLES);
        assert_eq!(log.samples[0], "error 0");
        assert_eq!(log.samples[4], "error 4");
    }
}
