//! Runs one execution to completion in this process, without a store: what
//! `weft run` does, and what the conformance tests use with a virtual clock.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use weft_asl::decider::{
    Command, Decider, ExecutionMeta, ExecutionStatus, HistoryEvent, Input, TaskId, TimerId,
};
use weft_asl::model::StateMachine;

use crate::dispatch::{Dispatcher, Resolution, TaskOutcome};

/// Where time comes from.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    /// Wall-clock time: Wait states really wait.
    Real,
    /// Time starts at the given instant and jumps to the next timer whenever nothing
    /// else is happening, so a one-hour Wait takes no time at all.
    Virtual(DateTime<Utc>),
}

/// Something due at a point in time.
#[derive(Debug)]
enum Due {
    Timer(TimerId),
    Task(TaskId, TaskOutcome),
}

/// Runs an execution to its end and returns its final status. `on_events` sees every
/// history event as it is recorded. A `stop` signal, when it fires, stops the
/// execution the way `StopExecution` does.
pub async fn run_to_completion(
    machine: Arc<StateMachine>,
    meta: ExecutionMeta,
    input: serde_json::Value,
    dispatcher: &Dispatcher,
    clock: Clock,
    mut stop: Option<tokio::sync::oneshot::Receiver<()>>,
    mut on_events: impl FnMut(&[HistoryEvent]),
) -> ExecutionStatus {
    let mut decider = Decider::new(machine, meta);
    let mut now = match clock {
        Clock::Real => Utc::now(),
        Clock::Virtual(start) => start,
    };
    let mut seeds = SeedSource::new(clock);
    let mut due: BTreeMap<(DateTime<Utc>, u64), Due> = BTreeMap::new();
    let mut due_keys: HashMap<u64, (DateTime<Utc>, u64)> = HashMap::new();
    let mut sequence = 0u64;
    let mut in_flight: HashMap<TaskId, JoinHandle<()>> = HashMap::new();
    let (results_tx, mut results_rx) = mpsc::unbounded_channel::<(TaskId, TaskOutcome)>();

    let mut pending_input = Some(Input::Start { input });
    loop {
        if let Some(input) = pending_input.take() {
            if let Clock::Real = clock {
                now = Utc::now();
            }
            let decision = decider.handle(now, seeds.next(), input);
            on_events(&decision.events);
            for command in decision.commands {
                match command {
                    Command::StartTimer { timer, fire_at } => {
                        sequence += 1;
                        due.insert((fire_at, sequence), Due::Timer(timer));
                        due_keys.insert(timer.0, (fire_at, sequence));
                    }
                    Command::CancelTimer { timer } => {
                        if let Some(key) = due_keys.remove(&timer.0) {
                            due.remove(&key);
                        }
                    }
                    Command::CancelTask { task } => {
                        if let Some(handle) = in_flight.remove(&task) {
                            handle.abort();
                        }
                        if let Some(key) = due_keys.remove(&task.0) {
                            due.remove(&key);
                        }
                    }
                    Command::RunTask(request) => match dispatcher.resolve(&request) {
                        Resolution::Ready {
                            outcome,
                            delay_seconds,
                        } => {
                            let at = now
                                + chrono::Duration::milliseconds((delay_seconds * 1000.0) as i64);
                            sequence += 1;
                            due.insert((at, sequence), Due::Task(request.task, outcome));
                            due_keys.insert(request.task.0, (at, sequence));
                        }
                        Resolution::Pending(work) => {
                            let tx = results_tx.clone();
                            let task = request.task;
                            let handle = tokio::spawn(async move {
                                let outcome = work.await;
                                let _ = tx.send((task, outcome));
                            });
                            in_flight.insert(task, handle);
                        }
                    },
                }
            }
        }
        if decider.status().is_terminal() {
            for (_, handle) in in_flight.drain() {
                handle.abort();
            }
            return decider.status().clone();
        }

        // What happens next: a finished task, something due, or a stop.
        let next_due = due.keys().next().copied();
        let ready_now = next_due.is_some_and(|(at, _)| match clock {
            Clock::Virtual(_) => in_flight.is_empty() || at <= now,
            Clock::Real => at <= Utc::now(),
        });
        if let Ok((task, outcome)) = results_rx.try_recv() {
            in_flight.remove(&task);
            pending_input = Some(outcome_input(task, outcome));
            continue;
        }
        if ready_now && let Some((key, item)) = due.pop_first() {
            if let Clock::Virtual(_) = clock {
                now = now.max(key.0);
            }
            pending_input = Some(match item {
                Due::Timer(timer) => {
                    due_keys.remove(&timer.0);
                    Input::TimerFired { timer }
                }
                Due::Task(task, outcome) => {
                    due_keys.remove(&task.0);
                    outcome_input(task, outcome)
                }
            });
            continue;
        }
        if in_flight.is_empty() && next_due.is_none() {
            // Nothing can ever happen again; the decider always ends an execution
            // before that, so this only guards against waiting forever.
            return decider.status().clone();
        }
        let sleep_for = match (clock, next_due) {
            (Clock::Real, Some((at, _))) => (at - Utc::now()).to_std().unwrap_or_default(),
            _ => std::time::Duration::from_secs(24 * 3600),
        };
        tokio::select! {
            received = results_rx.recv() => {
                if let Some((task, outcome)) = received {
                    in_flight.remove(&task);
                    pending_input = Some(outcome_input(task, outcome));
                }
            }
            _ = tokio::time::sleep(sleep_for) => {}
            _ = async {
                match stop.as_mut() {
                    Some(rx) => { let _ = rx.await; }
                    None => std::future::pending::<()>().await,
                }
            } => {
                stop = None;
                pending_input = Some(Input::Stop { error: None, cause: None });
            }
        }
    }
}

fn outcome_input(task: TaskId, outcome: TaskOutcome) -> Input {
    match outcome {
        Ok(output) => Input::TaskSucceeded { task, output },
        Err(e) => Input::TaskFailed {
            task,
            error: e.error,
            cause: e.cause,
        },
    }
}

/// Seeds for the decider: random in real runs, a fixed sequence under a virtual clock
/// so that tests are repeatable.
struct SeedSource {
    state: u64,
}

impl SeedSource {
    fn new(clock: Clock) -> SeedSource {
        let state = match clock {
            Clock::Real => {
                use std::hash::{BuildHasher, Hasher};
                let mut h = std::collections::hash_map::RandomState::new().build_hasher();
                h.write_u128(Utc::now().timestamp_nanos_opt().unwrap_or(0) as u128);
                h.finish()
            }
            Clock::Virtual(_) => 0x5eed,
        };
        SeedSource { state }
    }

    fn next(&mut self) -> u64 {
        self.state = self
            .state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.state
    }
}
