//! Running STANDARD executions: starting them, handing them inputs, carrying out
//! their commands once the decision that issued them is durable, and stopping them.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use chrono::DateTime;
use chrono::Utc;
use serde_json::Value;
use tokio::task::AbortHandle;
use weft_asl::decider::{
    Command, Decision, ExecutionMeta, ExecutionStatus, Input, TaskId, TaskRequest,
};
use weft_store::{
    ExecutionEnd, ExecutionRecord, ExecutionWrite, JournalEntry, RevisionRecord, TaskRecord,
    TimerRecord,
};

use super::api::*;
use super::codec::{self, millis};
use super::committer::Committed;
use super::cpu;
use super::decider::ExecutionDecider;
use super::machines::{DELETING, MachineEntry};
use super::queries::description;
use super::timers::Due;
use super::{EngineError, EngineResult, Inner};
use crate::arn::state_machine_name;
use crate::dispatch::{Dispatcher, MockSelection, Resolution, TaskOutcome};

/// The largest execution input: 256 KiB of UTF-8.
const MAX_INPUT_BYTES: usize = 262_144;

/// A running execution held in memory.
pub struct LiveExecution {
    pub state_machine_arn: String,
    /// The execution as described while it runs; its end completes it.
    pub started: ExecutionDescription,
    pub decider: ExecutionDecider,
    /// The last journal entry written (the start is entry 0).
    pub journal_seq: i64,
    pub dispatcher: Dispatcher,
    pub in_flight: HashMap<TaskId, AbortHandle>,
}

/// A decision taken and queued for commit, with what to do once it is durable.
struct Queued {
    committed: Committed,
    commands: Vec<Command>,
    /// The execution's final description, when this decision ends it.
    ended: Option<ExecutionDescription>,
}

/// The ARN and test case of `StartExecution(stateMachineArn="<arn>#<TestCase>")`.
pub fn split_test_case(arn: &str) -> (&str, Option<&str>) {
    match arn.split_once('#') {
        Some((arn, case)) => (arn, Some(case)),
        None => (arn, None),
    }
}

/// The execution input as a document, or why it is not one.
pub fn parse_input(input: Option<&str>) -> EngineResult<(String, Value)> {
    let text = input.unwrap_or("{}").to_string();
    if text.len() > MAX_INPUT_BYTES {
        return Err(EngineError::InvalidExecutionInput(format!(
            "The input is {} bytes, larger than the maximum of {MAX_INPUT_BYTES} bytes.",
            text.len()
        )));
    }
    let value = serde_json::from_str(&text)
        .map_err(|e| EngineError::InvalidExecutionInput(format!("Invalid JSON: {e}")))?;
    Ok((text, value))
}

/// The timer or task an input reports on: it is over, whatever the decider makes of
/// the input, so its row goes.
#[derive(Debug, Clone, Copy, Default)]
struct Released {
    timer: Option<i64>,
    task: Option<i64>,
}

impl Released {
    fn by(input: &Input) -> Released {
        match input {
            Input::TimerFired { timer } => Released {
                timer: Some(timer.0 as i64),
                task: None,
            },
            Input::TaskSucceeded { task, .. } | Input::TaskFailed { task, .. } => Released {
                timer: None,
                task: Some(task.0 as i64),
            },
            _ => Released::default(),
        }
    }
}

/// What one decision writes: its events, its input (unless it is the start), the rows
/// of the timers and tasks it starts and ends, and the end of the execution.
fn write_of(
    id: i64,
    decider: &ExecutionDecider,
    decision: &Decision,
    journal: Option<JournalEntry>,
    released: Released,
    now: DateTime<Utc>,
) -> ExecutionWrite {
    let mut write = ExecutionWrite {
        execution_id: id,
        journal,
        events: decision.events.iter().map(codec::event_record).collect(),
        timers_cleared: released.timer.into_iter().collect(),
        tasks_cleared: released.task.into_iter().collect(),
        ..ExecutionWrite::default()
    };
    for command in &decision.commands {
        match command {
            Command::StartTimer { timer, fire_at } => write.timers_set.push(TimerRecord {
                timer_id: timer.0 as i64,
                fire_at_ms: millis(*fire_at),
            }),
            Command::CancelTimer { timer } => write.timers_cleared.push(timer.0 as i64),
            Command::RunTask(request) => write.tasks_set.push(TaskRecord {
                task_id: request.task.0 as i64,
                request: codec::encode_task(request),
            }),
            Command::CancelTask { task } => write.tasks_cleared.push(task.0 as i64),
        }
    }
    write.end = end_of(decider.status(), now);
    write
}

fn end_of(status: &ExecutionStatus, now: DateTime<Utc>) -> Option<ExecutionEnd> {
    let (output, error, cause) = match status {
        ExecutionStatus::Pending | ExecutionStatus::Running => return None,
        ExecutionStatus::Succeeded { output } => (
            Some(serde_json::to_string(output).unwrap_or_default()),
            None,
            None,
        ),
        ExecutionStatus::Failed { error, cause } => {
            (None, Some(error.clone()), Some(cause.clone()))
        }
        // AWS reports a timed-out execution without error or cause: `States.Timeout`
        // appears only in its ExecutionTimedOut event.
        ExecutionStatus::TimedOut { .. } => (None, None, None),
        ExecutionStatus::Aborted { error, cause } => (None, error.clone(), cause.clone()),
    };
    Some(ExecutionEnd {
        status: status.api_name().to_string(),
        output,
        error,
        cause,
        stop_ms: millis(now),
    })
}

/// The description of an execution that `end` closes.
fn closed(started: &ExecutionDescription, end: &ExecutionEnd) -> ExecutionDescription {
    ExecutionDescription {
        status: end.status.clone(),
        stop_date: Some(codec::instant(end.stop_ms)),
        output: end.output.clone(),
        error: end.error.clone(),
        cause: end.cause.clone(),
        ..started.clone()
    }
}

impl Inner {
    /// How the tasks of an execution are performed; `arazzo`: it runs an Arazzo
    /// workflow, whose requests go out through the engine's transport.
    pub(super) fn dispatcher(
        &self,
        machine_name: &str,
        test_case: Option<&str>,
        arazzo: bool,
    ) -> Dispatcher {
        let mocks = match (&self.config.mock_config, test_case) {
            (Some(config), Some(case)) => Some(MockSelection {
                config: config.clone(),
                state_machine: machine_name.to_string(),
                test_case: case.to_string(),
            }),
            _ => None,
        };
        let dispatcher = Dispatcher::new(mocks, self.http.clone());
        if arazzo {
            dispatcher.with_arazzo(self.arazzo.clone())
        } else {
            dispatcher
        }
    }

    /// The names an execution of `revision` reports in its context object.
    pub(super) fn meta(
        &self,
        revision: &RevisionRecord,
        execution_arn: &str,
        name: &str,
    ) -> ExecutionMeta {
        ExecutionMeta {
            execution_arn: execution_arn.to_string(),
            execution_name: name.to_string(),
            state_machine_arn: revision.state_machine_arn.clone(),
            state_machine_name: state_machine_name(&revision.state_machine_arn).unwrap_or_default(),
            role_arn: revision.role_arn.clone(),
            region: self.config.scope.region.clone(),
        }
    }

    pub(super) fn startable_machine(&self, arn: &str) -> EngineResult<Arc<MachineEntry>> {
        let machine = self
            .machine(arn)
            .ok_or_else(|| EngineError::StateMachineDoesNotExist(arn.to_string()))?;
        if machine.record.status == DELETING {
            return Err(EngineError::StateMachineDeleting(arn.to_string()));
        }
        Ok(machine)
    }

    pub(super) async fn start_execution(
        self: &Arc<Self>,
        request: StartExecution,
    ) -> EngineResult<StartedExecution> {
        let (machine_arn, test_case) = split_test_case(&request.state_machine_arn);
        let machine = self.startable_machine(machine_arn)?;
        let (input_text, input) = parse_input(request.input.as_deref())?;
        if machine.machine_type == MachineType::Express {
            return self
                .start_express(&machine, test_case, &request, input)
                .await;
        }
        let Some(name) = request.name.clone() else {
            // A fresh UUID cannot be in use: no need to look for an execution of that name.
            let name = uuid::Uuid::new_v4().to_string();
            return self
                .start_new(
                    &machine,
                    test_case,
                    name,
                    input_text,
                    input,
                    request.trace_header,
                )
                .await;
        };
        // Starts of the same name take turns, so the check below and the start that
        // follows it cannot interleave with another start of that name.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (machine_arn, &name).hash(&mut hasher);
        let lock = &self.name_locks[hasher.finish() as usize % self.name_locks.len()];
        let _turn = lock.lock().await;
        if let Some(existing) = self.store.execution_by_name(machine_arn, &name).await? {
            // AWS: the same name and input while the execution runs returns the original
            // response; anything else is an error.
            if existing.status == "RUNNING" && existing.input == input_text {
                return Ok(StartedExecution {
                    execution_arn: existing.arn,
                    start_date: codec::instant(existing.start_ms),
                });
            }
            return Err(EngineError::ExecutionAlreadyExists(existing.arn));
        }
        self.start_new(
            &machine,
            test_case,
            name,
            input_text,
            input,
            request.trace_header,
        )
        .await
    }

    async fn start_new(
        self: &Arc<Self>,
        machine: &Arc<MachineEntry>,
        test_case: Option<&str>,
        name: String,
        input_text: String,
        input: Value,
        trace_header: Option<String>,
    ) -> EngineResult<StartedExecution> {
        let arn = self.config.scope.execution(&machine.record.name, &name);
        let id = self
            .next_execution_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let meta = self.meta(&machine.revision, &arn, &name);
        let definition = self.definition_to_run(machine).await;
        let decider = ExecutionDecider::new(&definition, meta);
        let dispatcher = self.dispatcher(&machine.record.name, test_case, decider.is_arazzo());
        let now = codec::now();
        let seed = self.seed();
        let record = ExecutionRecord {
            id,
            arn: arn.clone(),
            state_machine_arn: machine.record.arn.clone(),
            revision_id: machine.revision.revision_id.clone(),
            name,
            status: "RUNNING".into(),
            input: input_text,
            output: None,
            error: None,
            cause: None,
            start_ms: millis(now),
            stop_ms: None,
            trace_header,
            test_case: test_case.map(str::to_string),
            seed: seed as i64,
        };
        let live = Arc::new(Mutex::new(LiveExecution {
            state_machine_arn: machine.record.arn.clone(),
            started: description(record.clone()),
            decider,
            journal_seq: 0,
            dispatcher,
            in_flight: HashMap::new(),
        }));
        let queued = {
            let (inner, live) = (Arc::clone(self), Arc::clone(&live));
            cpu::run(move || inner.decide_start(id, &live, now, seed, input, record)).await
        };
        self.after_commit(id, &live, queued, &machine.record.arn)
            .await?;
        Ok(StartedExecution {
            execution_arn: arn,
            start_date: now,
        })
    }

    /// Hands an input to a running execution. Returns the execution's status after
    /// it and the time it was handled, or `None` when the execution is not running
    /// here (it ended).
    pub(super) async fn deliver(
        self: &Arc<Self>,
        id: i64,
        input: Input,
    ) -> EngineResult<Option<(ExecutionStatus, DateTime<Utc>)>> {
        let Some(live) = self.live_lock().get(&id).cloned() else {
            return Ok(None);
        };
        let (queued, status, now, machine_arn) = {
            let (inner, live) = (Arc::clone(self), Arc::clone(&live));
            cpu::run(move || inner.decide(id, &live, input)).await
        };
        self.after_commit(id, &live, queued, &machine_arn).await?;
        Ok(Some((status, now)))
    }

    /// The first decision of a new execution, taken on the CPU pool (a decision
    /// evaluates the definition's expressions) under the execution's lock, and queued
    /// for commit before the lock is released.
    fn decide_start(
        self: &Arc<Self>,
        id: i64,
        live: &Arc<Mutex<LiveExecution>>,
        now: DateTime<Utc>,
        seed: u64,
        input: Value,
        record: ExecutionRecord,
    ) -> Queued {
        let mut execution = lock(live);
        let decision = execution.decider.handle(now, seed, Input::Start { input });
        let mut write = write_of(
            id,
            &execution.decider,
            &decision,
            None,
            Released::default(),
            now,
        );
        write.start = Some(record);
        let ended = write
            .end
            .as_ref()
            .map(|end| closed(&execution.started, end));
        if ended.is_none() {
            self.live_lock().insert(id, live.clone());
        }
        Queued {
            committed: self.committer.submit(write),
            commands: decision.commands,
            ended,
        }
    }

    /// The decision for one input of a running execution, taken like the first one.
    /// Returns what to do once it is durable, the execution's status after it, the
    /// time it was taken and the execution's state machine.
    fn decide(
        &self,
        id: i64,
        live: &Mutex<LiveExecution>,
        input: Input,
    ) -> (Queued, ExecutionStatus, DateTime<Utc>, String) {
        let mut execution = lock(live);
        // Taken under the lock, so an execution's decisions never go back in time.
        let now = codec::now();
        let seed = self.seed();
        let released = Released::by(&input);
        let handled = self
            .deleted_machine_ends(&execution, &input)
            .unwrap_or(input);
        let seq = execution.journal_seq + 1;
        let journal = JournalEntry {
            seq,
            at_ms: millis(now),
            seed: seed as i64,
            body: codec::encode_input(&handled),
        };
        let decision = execution.decider.handle(now, seed, handled);
        let status = execution.decider.status().clone();
        let write = write_of(
            id,
            &execution.decider,
            &decision,
            Some(journal),
            released,
            now,
        );
        execution.journal_seq = seq;
        let ended = write
            .end
            .as_ref()
            .map(|end| closed(&execution.started, end));
        if ended.is_some() {
            self.live_lock().remove(&id);
        }
        let queued = Queued {
            committed: self.committer.submit(write),
            commands: decision.commands,
            ended,
        };
        (queued, status, now, execution.state_machine_arn.clone())
    }

    /// AWS: "On the next state transition, the state machine's executions are
    /// terminated" once DeleteStateMachine was called. A stop still stops.
    fn deleted_machine_ends(&self, execution: &LiveExecution, input: &Input) -> Option<Input> {
        if matches!(input, Input::Stop { .. }) {
            return None;
        }
        let machine = self.machine(&execution.state_machine_arn)?;
        (machine.record.status == DELETING).then(|| Input::Terminate {
            error: weft_asl::error::names::RUNTIME.to_string(),
            cause: format!("State machine {} has been deleted.", machine.record.name),
        })
    }

    /// Waits until a decision is durable, then carries out its commands.
    async fn after_commit(
        self: &Arc<Self>,
        id: i64,
        live: &Arc<Mutex<LiveExecution>>,
        queued: Queued,
        machine_arn: &str,
    ) -> EngineResult<()> {
        match queued.committed.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => self.lost_write(&e.to_string()),
            Err(_) => self.lost_write("the commit queue stopped"),
        }
        self.perform(id, live, queued.commands);
        if let Some(ended) = queued.ended {
            self.recent
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(ended);
            self.machine_execution_ended(machine_arn).await?;
        }
        Ok(())
    }

    /// A decision that is not durable leaves memory ahead of the store. Carrying on
    /// would answer callers with state that a restart forgets; ending the process and
    /// recovering from the store on the next start is the one safe way out.
    fn lost_write(&self, why: &str) -> ! {
        eprintln!(
            "weft: a write to the store failed ({why}); stopping so that the next start recovers from the store"
        );
        std::process::exit(70)
    }

    pub(super) fn perform(
        self: &Arc<Self>,
        id: i64,
        live: &Arc<Mutex<LiveExecution>>,
        commands: Vec<Command>,
    ) {
        for command in commands {
            match command {
                Command::StartTimer { timer, fire_at } => self.timers.schedule(id, timer, fire_at),
                // The fired timer finds nothing to do: the decider has forgotten it.
                Command::CancelTimer { .. } => {}
                Command::RunTask(request) => self.dispatch(id, live, request),
                Command::CancelTask { task } => {
                    if let Some(handle) = lock(live).in_flight.remove(&task) {
                        handle.abort();
                    }
                }
            }
        }
    }

    pub(super) fn dispatch(
        self: &Arc<Self>,
        id: i64,
        live: &Arc<Mutex<LiveExecution>>,
        request: TaskRequest,
    ) {
        let task = request.task;
        let resolution = lock(live).dispatcher.resolve(&request);
        let inner = self.clone();
        let handle = tokio::spawn(async move {
            let outcome = match resolution {
                Resolution::Ready {
                    outcome,
                    delay_seconds,
                } => {
                    if delay_seconds > 0.0 {
                        tokio::time::sleep(std::time::Duration::from_secs_f64(delay_seconds)).await;
                    }
                    outcome
                }
                Resolution::Pending(work) => work.await,
            };
            if let Some(live) = inner.live_lock().get(&id).cloned() {
                lock(&live).in_flight.remove(&task);
            }
            if let Err(e) = inner.deliver(id, outcome_input(task, outcome)).await {
                eprintln!(
                    "weft: the result of task {} of execution {id} was not recorded: {e}",
                    task.0
                );
            }
        });
        lock(live).in_flight.insert(task, handle.abort_handle());
    }

    pub(super) async fn timer_fired(self: &Arc<Self>, due: Due) {
        if let Err(e) = self
            .deliver(due.execution, Input::TimerFired { timer: due.timer })
            .await
        {
            eprintln!(
                "weft: timer {} of execution {} was not recorded: {e}",
                due.timer.0, due.execution
            );
        }
    }

    pub(super) async fn stop_execution(
        self: &Arc<Self>,
        arn: &str,
        error: Option<String>,
        cause: Option<String>,
    ) -> EngineResult<StopOutcome> {
        let missing = || EngineError::ExecutionDoesNotExist(arn.to_string());
        let mut record = self.store.execution(arn).await?.ok_or_else(missing)?;
        if record.status == "RUNNING" {
            let stopped = self
                .deliver(record.id, Input::Stop { error, cause })
                .await?;
            if let Some((ExecutionStatus::Aborted { .. }, stop_date)) = stopped {
                return Ok(StopOutcome::Stopped { stop_date });
            }
            // It ended between the read and the stop: report how.
            record = self.store.execution(arn).await?.ok_or_else(missing)?;
        }
        Ok(StopOutcome::AlreadyEnded {
            status: record.status,
            stop_date: codec::instant(record.stop_ms.unwrap_or(record.start_ms)),
        })
    }
}

pub fn outcome_input(task: TaskId, outcome: TaskOutcome) -> Input {
    match outcome {
        Ok(output) => Input::TaskSucceeded { task, output },
        Err(e) => Input::TaskFailed {
            task,
            error: e.error,
            cause: e.cause,
        },
    }
}

/// Locks an execution. A panic while one was locked would be a bug in the decider;
/// the execution's state is then as the last completed decision left it.
pub fn lock(live: &Mutex<LiveExecution>) -> std::sync::MutexGuard<'_, LiveExecution> {
    live.lock().unwrap_or_else(|e| e.into_inner())
}
