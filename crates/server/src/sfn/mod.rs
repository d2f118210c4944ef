//! The Step Functions API (`X-Amz-Target: AWSStepFunctions.<Operation>`).
//!
//! Each operation reads its input as the service does (the model's constraints in
//! [`input`], then the service's own checks in [`checks`]), calls one engine operation
//! and shapes the reply ([`shapes`]). No workflow logic lives here.
//!
//! Operations of the service that weft does not serve yet answer
//! `UnknownOperationException` (HTTP 400) with a message that names the operation:
//! the model has no "not implemented" error, and this is the error an SDK already
//! expects for an operation the endpoint does not know.

pub mod checks;
mod common;
pub mod executions;
pub mod input;
pub mod shapes;
pub mod state_machines;
pub mod tags;
pub mod validate;

use serde_json::{Map, Value};
use weft_engine::durable::Engine;

use crate::protocol::ApiError;

/// The `X-Amz-Target` prefix of the service.
pub const TARGET_PREFIX: &str = "AWSStepFunctions";

macro_rules! operations {
    ($($name:ident,)*) => {
        /// Every operation of the Step Functions API (botocore `2016-11-23`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Operation {
            $($name,)*
        }

        impl Operation {
            pub const ALL: &[Operation] = &[$(Operation::$name,)*];

            pub fn name(self) -> &'static str {
                match self {
                    $(Operation::$name => stringify!($name),)*
                }
            }

            pub fn from_name(name: &str) -> Option<Operation> {
                match name {
                    $(stringify!($name) => Some(Operation::$name),)*
                    _ => None,
                }
            }
        }
    };
}

operations! {
    CreateActivity,
    CreateStateMachine,
    CreateStateMachineAlias,
    DeleteActivity,
    DeleteStateMachine,
    DeleteStateMachineAlias,
    DeleteStateMachineVersion,
    DescribeActivity,
    DescribeExecution,
    DescribeMapRun,
    DescribeStateMachine,
    DescribeStateMachineAlias,
    DescribeStateMachineForExecution,
    GetActivityTask,
    GetExecutionHistory,
    ListActivities,
    ListExecutions,
    ListMapRuns,
    ListStateMachineAliases,
    ListStateMachineVersions,
    ListStateMachines,
    ListTagsForResource,
    PublishStateMachineVersion,
    RedriveExecution,
    SendTaskFailure,
    SendTaskHeartbeat,
    SendTaskSuccess,
    StartExecution,
    StartSyncExecution,
    StopExecution,
    TagResource,
    TestState,
    UntagResource,
    UpdateMapRun,
    UpdateStateMachine,
    UpdateStateMachineAlias,
    ValidateStateMachineDefinition,
}

impl Operation {
    /// Whether weft serves the operation.
    pub fn is_served(self) -> bool {
        use Operation::*;
        matches!(
            self,
            CreateStateMachine
                | DescribeStateMachine
                | UpdateStateMachine
                | DeleteStateMachine
                | ListStateMachines
                | ValidateStateMachineDefinition
                | StartExecution
                | StartSyncExecution
                | DescribeExecution
                | ListExecutions
                | GetExecutionHistory
                | StopExecution
                | DescribeStateMachineForExecution
                | TagResource
                | UntagResource
                | ListTagsForResource
        )
    }
}

/// The operation an `X-Amz-Target` names, if weft serves it.
pub fn operation(name: &str) -> Result<Operation, ApiError> {
    match Operation::from_name(name) {
        Some(op) if op.is_served() => Ok(op),
        Some(op) => Err(not_served(op)),
        None => Err(ApiError::unknown_operation()),
    }
}

fn not_served(op: Operation) -> ApiError {
    ApiError::new(
        "UnknownOperationException",
        format!(
            "weft does not serve the Step Functions operation {} yet",
            op.name()
        ),
    )
}

/// Runs one operation. `trace_header` is the request's `X-Amzn-Trace-Id`.
pub async fn call(
    engine: &Engine,
    op: Operation,
    body: &Map<String, Value>,
    trace_header: Option<&str>,
) -> Result<Value, ApiError> {
    use Operation::*;
    match op {
        CreateStateMachine => state_machines::create(engine, body).await,
        DescribeStateMachine => state_machines::describe(engine, body).await,
        UpdateStateMachine => state_machines::update(engine, body).await,
        DeleteStateMachine => state_machines::delete(engine, body).await,
        ListStateMachines => state_machines::list(engine, body).await,
        ValidateStateMachineDefinition => validate::validate_definition(engine, body).await,
        StartExecution => executions::start(engine, body, trace_header).await,
        StartSyncExecution => executions::start_sync(engine, body, trace_header).await,
        DescribeExecution => executions::describe(engine, body).await,
        ListExecutions => executions::list(engine, body).await,
        GetExecutionHistory => executions::history(engine, body).await,
        StopExecution => executions::stop(engine, body).await,
        DescribeStateMachineForExecution => executions::describe_state_machine(engine, body).await,
        TagResource => tags::tag(engine, body).await,
        UntagResource => tags::untag(engine, body).await,
        ListTagsForResource => tags::list(engine, body).await,
        other => Err(not_served(other)),
    }
}
