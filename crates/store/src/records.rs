//! The rows the store keeps. Times are milliseconds since the Unix epoch; JSON
//! documents and encoded engine values are text.

/// A state machine. Its definition and configuration live in its current revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateMachineRecord {
    pub arn: String,
    pub name: String,
    /// `STANDARD` or `EXPRESS`.
    pub machine_type: String,
    /// `ACTIVE` or `DELETING`.
    pub status: String,
    pub revision_id: String,
    pub created_ms: i64,
}

/// One version of a state machine's definition and configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionRecord {
    pub state_machine_arn: String,
    pub revision_id: String,
    pub definition: String,
    pub role_arn: String,
    /// `loggingConfiguration`, `tracingConfiguration` and `encryptionConfiguration`
    /// as JSON text.
    pub logging: String,
    pub tracing: String,
    pub encryption: String,
    pub created_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionRecord {
    /// Allocated by the engine, increasing with start order.
    pub id: i64,
    pub arn: String,
    pub state_machine_arn: String,
    pub revision_id: String,
    pub name: String,
    /// `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT` or `ABORTED`.
    pub status: String,
    /// The input exactly as the caller sent it.
    pub input: String,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub start_ms: i64,
    pub stop_ms: Option<i64>,
    pub trace_header: Option<String>,
    /// The mock configuration test case the execution runs with (`<arn>#<case>`).
    pub test_case: Option<String>,
    /// The random seed of the start input.
    pub seed: i64,
}

/// How an execution ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionEnd {
    pub status: String,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub stop_ms: i64,
}

/// One input the decider handled after the start, recorded so that replaying the
/// journal rebuilds the execution exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// 1, 2, … in the order handled (the start is entry 0, kept in the execution row).
    pub seq: i64,
    pub at_ms: i64,
    pub seed: i64,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub id: i64,
    pub previous_id: i64,
    pub at_ms: i64,
    pub event_type: String,
    /// The `…EventDetails` object as JSON text (`{}` when the type has none).
    pub details: String,
}

/// A durable timer: fires at `fire_at_ms`, also after a restart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimerRecord {
    pub timer_id: i64,
    pub fire_at_ms: i64,
}

/// A task the engine dispatched and whose result has not been handled yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRecord {
    pub task_id: i64,
    pub request: String,
}

/// Everything one decision changes for one execution.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecutionWrite {
    pub execution_id: i64,
    /// Inserts the execution (its first decision).
    pub start: Option<ExecutionRecord>,
    pub journal: Option<JournalEntry>,
    pub events: Vec<EventRecord>,
    pub end: Option<ExecutionEnd>,
    pub timers_set: Vec<TimerRecord>,
    pub timers_cleared: Vec<i64>,
    pub tasks_set: Vec<TaskRecord>,
    pub tasks_cleared: Vec<i64>,
}

/// Which executions of a state machine to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionQuery {
    pub state_machine_arn: String,
    pub status: Option<String>,
    /// Only executions with a smaller id (the last id of the previous page).
    pub before_id: Option<i64>,
    pub limit: u32,
}

/// Which events of an execution to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventQuery {
    /// Events after this id (before it when `reverse`); the last id of the previous page.
    pub after_id: Option<i64>,
    pub reverse: bool,
    pub limit: u32,
}

/// A RUNNING execution with all that its replay needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningExecution {
    pub execution: ExecutionRecord,
    pub journal: Vec<JournalEntry>,
    pub timers: Vec<TimerRecord>,
    pub tasks: Vec<TaskRecord>,
    /// The id of the last recorded event.
    pub last_event_id: i64,
}
