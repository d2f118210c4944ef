//! The decider: runs a [`StateMachine`] as a pure, deterministic state machine.
//!
//! The caller feeds it [`Input`]s (start, task results, timers firing, stop) together
//! with the current time and a random seed; each call returns a [`Decision`]: the
//! history events to record and the [`Command`]s to carry out (run a task, start or
//! cancel a timer). Nothing here performs I/O or reads a clock, so replaying the same
//! inputs reproduces the same history exactly.
//!
//! Internally an execution is a tree of *runs*: the top-level graph is one run, every
//! Parallel branch and Map iteration is a child run. Work is processed from a queue
//! rather than by recursion, so a Map over thousands of items cannot overflow the stack.

mod children;
pub mod choice;
mod context;
mod evaluate;
pub mod event;
mod io;
pub mod retry;
mod states;
mod task;

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::entropy::SplitMix64;
use crate::error::StatesError;
use crate::model::{Graph, StateMachine};

pub use event::{EventType, HistoryEvent};
pub use task::TaskFamily;

/// The largest input or output a state may carry: 256 KiB of UTF-8.
pub const MAX_PAYLOAD_BYTES: usize = 262_144;

/// The most events an execution's history holds on AWS (a hard quota); an execution
/// whose history is full fails with `States.Runtime` before its next step.
pub const MAX_HISTORY_EVENTS: u64 = 25_000;

/// Names and identifiers of one execution, as the context object reports them.
#[derive(Debug, Clone)]
pub struct ExecutionMeta {
    pub execution_arn: String,
    pub execution_name: String,
    pub state_machine_arn: String,
    pub state_machine_name: String,
    pub role_arn: String,
    pub region: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaskId(pub u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TimerId(pub u64);

/// Something that happened to the execution. Serialisable, so that an engine can
/// journal inputs and replay them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Input {
    Start {
        input: Value,
    },
    TaskSucceeded {
        task: TaskId,
        output: Value,
    },
    TaskFailed {
        task: TaskId,
        error: String,
        cause: String,
    },
    TaskHeartbeat {
        task: TaskId,
    },
    TimerFired {
        timer: TimerId,
    },
    Stop {
        error: Option<String>,
        cause: Option<String>,
    },
    /// The execution cannot go on (its state machine was deleted): it fails at once
    /// with this error, which no Catch sees.
    Terminate {
        error: String,
        cause: String,
    },
}

/// Work for the caller to carry out. Results come back as [`Input`]s.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    RunTask(TaskRequest),
    CancelTask {
        task: TaskId,
    },
    StartTimer {
        timer: TimerId,
        fire_at: DateTime<Utc>,
    },
    CancelTimer {
        timer: TimerId,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRequest {
    pub task: TaskId,
    pub state_name: String,
    pub resource: String,
    /// The effective parameters (after `InputPath` and `Parameters`).
    pub parameters: Value,
    /// How many times this state's task has been run before in this execution
    /// (retries and loops included); mock configurations key responses on it.
    pub invocation: u32,
    /// The `$$.Task.Token` of a `.waitForTaskToken` task.
    pub task_token: Option<String>,
    pub timeout_seconds: Option<u64>,
    pub heartbeat_seconds: Option<u64>,
}

#[derive(Debug, Default)]
pub struct Decision {
    pub events: Vec<HistoryEvent>,
    pub commands: Vec<Command>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExecutionStatus {
    /// Not started yet.
    Pending,
    Running,
    Succeeded {
        output: Value,
    },
    Failed {
        error: String,
        cause: String,
    },
    TimedOut {
        error: String,
        cause: String,
    },
    Aborted {
        error: Option<String>,
        cause: Option<String>,
    },
}

impl ExecutionStatus {
    /// The `ExecutionStatus` enum value of the Step Functions API.
    pub fn api_name(&self) -> &'static str {
        match self {
            ExecutionStatus::Pending | ExecutionStatus::Running => "RUNNING",
            ExecutionStatus::Succeeded { .. } => "SUCCEEDED",
            ExecutionStatus::Failed { .. } => "FAILED",
            ExecutionStatus::TimedOut { .. } => "TIMED_OUT",
            ExecutionStatus::Aborted { .. } => "ABORTED",
        }
    }

    pub fn is_terminal(&self) -> bool {
        !matches!(self, ExecutionStatus::Pending | ExecutionStatus::Running)
    }
}

/// One step from a graph to a nested graph: a Parallel branch or a Map processor.
#[derive(Debug, Clone, PartialEq, Eq)]
struct GraphStep {
    state: String,
    branch: usize,
}

type RunId = usize;

/// A run of one graph: the machine itself, a Parallel branch or a Map iteration.
#[derive(Debug)]
struct Run {
    graph: Arc<[GraphStep]>,
    parent: Option<ChildOf>,
    vars: Map<String, Value>,
    /// The size of `vars` as JSON text, for the execution's variable limit.
    vars_bytes: usize,
    active: Option<states::Active>,
    /// The id of this run's latest event, which the next one points back to.
    last_event: u64,
}

#[derive(Debug, Clone, Copy)]
struct ChildOf {
    run: RunId,
    slot: usize,
}

#[derive(Debug, Clone, Copy)]
enum TimerPurpose {
    Wait(RunId),
    Retry(RunId),
    // The run of a task is found through the task itself.
    TaskTimeout(TaskId),
    Heartbeat(TaskId),
    Execution,
}

/// Pending work, processed in order until the queue is empty.
#[derive(Debug)]
enum Work {
    Enter {
        run: RunId,
        state: String,
        input: Value,
        /// The input as JSON text, when the previous state already wrote it.
        text: Option<String>,
    },
    /// The active state of `run` produced its raw result (Task, Parallel, Map).
    Result { run: RunId, result: Value },
    /// The active state of `run` raised an error.
    Error { run: RunId, error: StatesError },
    /// `run` reached its end.
    Ended {
        run: RunId,
        outcome: Result<Value, StatesError>,
    },
}

/// Runs one execution of a state machine.
pub struct Decider {
    machine: Arc<StateMachine>,
    meta: ExecutionMeta,
    status: ExecutionStatus,
    context: Value,
    runs: Vec<Option<Run>>,
    free_runs: Vec<RunId>,
    tasks: HashMap<TaskId, RunId>,
    timers: HashMap<TimerId, TimerPurpose>,
    invocations: HashMap<String, u32>,
    next_id: u64,
    next_event_id: u64,
    queue: VecDeque<Work>,
    out: Decision,
    now: DateTime<Utc>,
    rng: SplitMix64,
}

impl Decider {
    pub fn new(machine: Arc<StateMachine>, meta: ExecutionMeta) -> Decider {
        Decider {
            machine,
            meta,
            status: ExecutionStatus::Pending,
            context: Value::Null,
            runs: Vec::new(),
            free_runs: Vec::new(),
            tasks: HashMap::new(),
            timers: HashMap::new(),
            invocations: HashMap::new(),
            next_id: 1,
            next_event_id: 1,
            queue: VecDeque::new(),
            out: Decision::default(),
            now: DateTime::<Utc>::UNIX_EPOCH,
            rng: SplitMix64::new(0),
        }
    }

    pub fn status(&self) -> &ExecutionStatus {
        &self.status
    }

    pub fn meta(&self) -> &ExecutionMeta {
        &self.meta
    }

    /// Handles one input at time `now`. `seed` feeds every random choice made while
    /// handling it (UUIDs, `States.MathRandom`, retry jitter). Inputs for tasks or
    /// timers the execution no longer waits for (say, after a stop) change nothing.
    pub fn handle(&mut self, now: DateTime<Utc>, seed: u64, input: Input) -> Decision {
        self.now = now;
        self.rng = SplitMix64::new(seed);
        match input {
            Input::Start { input } => self.start(input),
            Input::Stop { error, cause } => self.stop(error, cause),
            Input::Terminate { error, cause } => self.terminate(error, cause),
            Input::TaskSucceeded { task, output } => self.task_succeeded(task, output),
            Input::TaskFailed { task, error, cause } => {
                self.task_failed(task, StatesError::new(error, cause))
            }
            Input::TaskHeartbeat { task } => self.task_heartbeat(task),
            Input::TimerFired { timer } => self.timer_fired(timer),
        }
        self.drain();
        std::mem::take(&mut self.out)
    }

    fn start(&mut self, input: Value) {
        if self.status != ExecutionStatus::Pending {
            return;
        }
        self.status = ExecutionStatus::Running;
        self.context = context::execution_context(&self.meta, &input, self.now);
        let mut details = Map::new();
        details.insert("input".into(), Value::from(io::to_text(&input)));
        details.insert("inputDetails".into(), io::not_truncated());
        details.insert("roleArn".into(), Value::from(self.meta.role_arn.clone()));
        self.emit_raw(0, EventType::ExecutionStarted, details);
        if let Some(seconds) = self.machine.timeout_seconds {
            self.start_timer(TimerPurpose::Execution, seconds as f64);
        }
        let root = self.new_run(Arc::from(Vec::new()), None, 0);
        let start_at = self.machine.graph.start_at.clone();
        self.queue.push_back(Work::Enter {
            run: root,
            state: start_at,
            input,
            text: None,
        });
    }

    fn stop(&mut self, error: Option<String>, cause: Option<String>) {
        if self.status.is_terminal() {
            return;
        }
        let mut details = Map::new();
        if let Some(e) = &error {
            details.insert("error".into(), Value::from(e.clone()));
        }
        if let Some(c) = &cause {
            details.insert("cause".into(), Value::from(c.clone()));
        }
        self.abort_everything();
        // AWS links the abort to no earlier event (previousEventId 0).
        self.emit_raw(0, EventType::ExecutionAborted, details);
        self.status = ExecutionStatus::Aborted { error, cause };
    }

    fn terminate(&mut self, error: String, cause: String) {
        if self.status != ExecutionStatus::Running {
            return;
        }
        self.abort_everything();
        let last = self.next_event_id - 1;
        self.execution_ended(last, Err(StatesError::new(error, cause)));
    }

    fn timer_fired(&mut self, timer: TimerId) {
        let Some(purpose) = self.timers.remove(&timer) else {
            return;
        };
        if self.status != ExecutionStatus::Running {
            return;
        }
        match purpose {
            TimerPurpose::Execution => self.execution_timed_out(),
            TimerPurpose::Wait(run) => self.wait_elapsed(run),
            TimerPurpose::Retry(run) => self.retry_elapsed(run),
            TimerPurpose::TaskTimeout(task) => {
                self.task_timed_out(task, crate::error::names::TIMEOUT)
            }
            TimerPurpose::Heartbeat(task) => {
                self.task_timed_out(task, crate::error::names::HEARTBEAT_TIMEOUT)
            }
        }
    }

    fn execution_timed_out(&mut self) {
        self.abort_everything();
        // As recorded on AWS: the event carries the error name only and links to no
        // earlier event.
        let mut details = Map::new();
        details.insert("error".into(), Value::from(crate::error::names::TIMEOUT));
        self.emit_raw(0, EventType::ExecutionTimedOut, details);
        self.status = ExecutionStatus::TimedOut {
            error: crate::error::names::TIMEOUT.into(),
            cause: "The execution timed out because it ran longer than the state machine's TimeoutSeconds.".into(),
        };
    }

    /// Cancels every task and timer and forgets every run.
    fn abort_everything(&mut self) {
        self.queue.clear();
        let mut tasks: Vec<_> = self.tasks.drain().map(|(t, _)| t).collect();
        tasks.sort();
        for task in tasks {
            self.out.commands.push(Command::CancelTask { task });
        }
        let mut timers: Vec<_> = self.timers.drain().map(|(t, _)| t).collect();
        timers.sort();
        for timer in timers {
            self.out.commands.push(Command::CancelTimer { timer });
        }
        self.runs.clear();
        self.free_runs.clear();
    }

    fn drain(&mut self) {
        while let Some(work) = self.queue.pop_front() {
            if self.status != ExecutionStatus::Running {
                self.queue.clear();
                break;
            }
            if self.next_event_id > MAX_HISTORY_EVENTS {
                // Also what ends a machine that loops without waiting (Pass → Choice →
                // Pass), which would otherwise never leave this loop.
                self.terminate(
                    crate::error::names::RUNTIME.into(),
                    format!(
                        "The execution reached the maximum number of events in its \
                         history ({MAX_HISTORY_EVENTS})."
                    ),
                );
                break;
            }
            match work {
                Work::Enter {
                    run,
                    state,
                    input,
                    text,
                } => self.enter(run, &state, input, text),
                Work::Result { run, result } => self.state_result(run, result),
                Work::Error { run, error } => self.state_error(run, error),
                Work::Ended { run, outcome } => self.run_ended(run, outcome),
            }
        }
    }

    /// A run reached its end: finish the execution or report to the parent state.
    fn run_ended(&mut self, run: RunId, outcome: Result<Value, StatesError>) {
        let Some(finished) = self.take_run(run) else {
            return;
        };
        match finished.parent {
            Some(parent) => self.child_ended(parent, finished.last_event, outcome),
            None => self.execution_ended(finished.last_event, outcome),
        }
    }

    fn execution_ended(&mut self, last_event: u64, outcome: Result<Value, StatesError>) {
        let mut details = Map::new();
        match outcome {
            Ok(output) => {
                details.insert("output".into(), Value::from(io::to_text(&output)));
                details.insert("outputDetails".into(), io::not_truncated());
                self.emit_raw(last_event, EventType::ExecutionSucceeded, details);
                self.status = ExecutionStatus::Succeeded { output };
            }
            Err(e) => {
                details.insert("error".into(), Value::from(e.error.clone()));
                details.insert("cause".into(), Value::from(e.cause.clone()));
                self.emit_raw(last_event, EventType::ExecutionFailed, details);
                self.status = ExecutionStatus::Failed {
                    error: e.error,
                    cause: e.cause,
                };
            }
        }
        // Nothing may outlive the execution (e.g. the execution-timeout timer).
        self.abort_everything();
    }

    // --- runs, events, timers -------------------------------------------------------

    fn new_run(
        &mut self,
        graph: Arc<[GraphStep]>,
        parent: Option<ChildOf>,
        last_event: u64,
    ) -> RunId {
        let run = Run {
            graph,
            parent,
            vars: Map::new(),
            vars_bytes: 0,
            active: None,
            last_event,
        };
        match self.free_runs.pop() {
            Some(id) => {
                self.runs[id] = Some(run);
                id
            }
            None => {
                self.runs.push(Some(run));
                self.runs.len() - 1
            }
        }
    }

    fn take_run(&mut self, run: RunId) -> Option<Run> {
        let taken = self.runs.get_mut(run)?.take();
        if taken.is_some() {
            self.free_runs.push(run);
        }
        taken
    }

    fn run(&self, run: RunId) -> Option<&Run> {
        self.runs.get(run)?.as_ref()
    }

    fn run_mut(&mut self, run: RunId) -> Option<&mut Run> {
        self.runs.get_mut(run)?.as_mut()
    }

    /// Records an event on a run's chain of events.
    fn emit(&mut self, run: RunId, event_type: EventType, details: Map<String, Value>) -> u64 {
        let previous = self.run(run).map(|r| r.last_event).unwrap_or(0);
        let id = self.emit_raw(previous, event_type, details);
        if let Some(r) = self.run_mut(run) {
            r.last_event = id;
        }
        id
    }

    fn emit_raw(
        &mut self,
        previous: u64,
        event_type: EventType,
        details: Map<String, Value>,
    ) -> u64 {
        let id = self.next_event_id;
        self.next_event_id += 1;
        self.out.events.push(HistoryEvent {
            id,
            previous_event_id: previous,
            timestamp: self.now,
            event_type,
            details,
        });
        id
    }

    fn fresh_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }
    fn start_timer(&mut self, purpose: TimerPurpose, seconds: f64) -> TimerId {
        let millis = (seconds.max(0.0) * 1000.0).min(i64::MAX as f64 / 2.0) as i64;
        let fire_at = self
            .now
            .checked_add_signed(chrono::Duration::milliseconds(millis))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        self.start_timer_at(purpose, fire_at)
    }

    fn start_timer_at(&mut self, purpose: TimerPurpose, fire_at: DateTime<Utc>) -> TimerId {
        let timer = TimerId(self.fresh_id());
        self.timers.insert(timer, purpose);
        self.out
            .commands
            .push(Command::StartTimer { timer, fire_at });
        timer
    }

    fn cancel_timer(&mut self, timer: TimerId) {
        if self.timers.remove(&timer).is_some() {
            self.out.commands.push(Command::CancelTimer { timer });
        }
    }
}

/// Finds the graph a run executes.
fn graph_of<'m>(machine: &'m StateMachine, steps: &[GraphStep]) -> Option<&'m Graph> {
    let mut graph = &machine.graph;
    for step in steps {
        graph = match &graph.state(&step.state)?.kind {
            crate::model::StateKind::Parallel(p) => p.branches.get(step.branch)?,
            crate::model::StateKind::Map(m) => &m.processor,
            _ => return None,
        };
    }
    Some(graph)
}
