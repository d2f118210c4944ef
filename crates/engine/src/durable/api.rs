//! What the engine's operations take and return. These are the engine's own terms;
//! the protocol adapters translate them to and from each API's wire shapes.

use chrono::{DateTime, Utc};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MachineType {
    Standard,
    Express,
}

impl MachineType {
    pub fn api_name(self) -> &'static str {
        match self {
            MachineType::Standard => "STANDARD",
            MachineType::Express => "EXPRESS",
        }
    }

    pub fn from_api_name(name: &str) -> Option<MachineType> {
        match name {
            "STANDARD" => Some(MachineType::Standard),
            "EXPRESS" => Some(MachineType::Express),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// `CreateStateMachine`. Configuration objects are kept as given (JSON objects,
/// `Value::Null` when absent).
#[derive(Debug, Clone)]
pub struct CreateStateMachine {
    pub name: String,
    pub definition: String,
    pub role_arn: String,
    pub machine_type: MachineType,
    pub logging: Value,
    pub tracing: Value,
    pub encryption: Value,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreatedStateMachine {
    pub state_machine_arn: String,
    pub creation_date: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StateMachineDescription {
    pub state_machine_arn: String,
    pub name: String,
    /// `ACTIVE` or `DELETING`.
    pub status: String,
    pub definition: String,
    pub role_arn: String,
    pub machine_type: MachineType,
    pub creation_date: DateTime<Utc>,
    pub logging: Value,
    pub tracing: Value,
    pub encryption: Value,
    /// Absent until the machine is first updated, as on AWS.
    pub revision_id: Option<String>,
}

/// `UpdateStateMachine`: the fields to change (`None` keeps the current value).
#[derive(Debug, Clone, Default)]
pub struct UpdateStateMachine {
    pub state_machine_arn: String,
    pub definition: Option<String>,
    pub role_arn: Option<String>,
    pub logging: Option<Value>,
    pub tracing: Option<Value>,
    pub encryption: Option<Value>,
}

impl UpdateStateMachine {
    /// Whether the request names nothing to change (AWS refuses it with
    /// `MissingRequiredParameter`).
    pub fn changes_nothing(&self) -> bool {
        self.definition.is_none()
            && self.role_arn.is_none()
            && self.logging.is_none()
            && self.tracing.is_none()
            && self.encryption.is_none()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct UpdatedStateMachine {
    pub update_date: DateTime<Utc>,
    pub revision_id: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StateMachineListItem {
    pub state_machine_arn: String,
    pub name: String,
    pub machine_type: MachineType,
    pub creation_date: DateTime<Utc>,
}

/// A page of a listing; `next_token` is opaque to callers and present when more follow.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}

/// Where a listing starts and how much of it to return.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    /// 1–1000; `None` means the default page size (100).
    pub max_results: Option<u32>,
    pub next_token: Option<String>,
}

/// `StartExecution` and `StartSyncExecution`.
#[derive(Debug, Clone, Default)]
pub struct StartExecution {
    /// A state machine ARN, optionally followed by `#<TestCase>` of the mock
    /// configuration.
    pub state_machine_arn: String,
    /// `None`: the engine names the execution with a UUID.
    pub name: Option<String>,
    /// JSON text; `None` means `{}`.
    pub input: Option<String>,
    pub trace_header: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StartedExecution {
    pub execution_arn: String,
    pub start_date: DateTime<Utc>,
}

/// An execution as `DescribeExecution` reports it (also the reply of
/// `StartSyncExecution`).
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionDescription {
    pub execution_arn: String,
    pub state_machine_arn: String,
    pub name: String,
    /// `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT` or `ABORTED`.
    pub status: String,
    pub start_date: DateTime<Utc>,
    pub stop_date: Option<DateTime<Utc>>,
    pub input: String,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub trace_header: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionListItem {
    pub execution_arn: String,
    pub state_machine_arn: String,
    pub name: String,
    pub status: String,
    pub start_date: DateTime<Utc>,
    pub stop_date: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default)]
pub struct ListExecutions {
    pub state_machine_arn: String,
    /// An `ExecutionStatus` name.
    pub status_filter: Option<String>,
    pub page: PageRequest,
}

#[derive(Debug, Clone, Default)]
pub struct ExecutionHistory {
    pub execution_arn: String,
    pub reverse_order: bool,
    pub page: PageRequest,
}

/// One history event: `details` is the body of the `…EventDetails` member that
/// `weft_asl::decider::EventType::details_member` names for `event_type`.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    pub id: u64,
    pub previous_event_id: u64,
    pub timestamp: DateTime<Utc>,
    pub event_type: String,
    pub details: serde_json::Map<String, Value>,
}

/// What `StopExecution` did.
#[derive(Debug, Clone, PartialEq)]
pub enum StopOutcome {
    /// The execution was running and is now ABORTED.
    Stopped { stop_date: DateTime<Utc> },
    /// The execution had ended already; nothing changed.
    AlreadyEnded {
        status: String,
        stop_date: DateTime<Utc>,
    },
}

/// The definition an execution ran (`DescribeStateMachineForExecution`).
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionDefinition {
    pub state_machine_arn: String,
    pub name: String,
    pub definition: String,
    pub role_arn: String,
    pub update_date: DateTime<Utc>,
    pub logging: Value,
    pub tracing: Value,
    pub encryption: Value,
    /// Absent when the execution ran the machine's first definition.
    pub revision_id: Option<String>,
}
