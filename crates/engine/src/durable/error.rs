//! Why an engine operation was refused. Each variant is one of the Step Functions
//! API's error shapes; its `Display` text is the message AWS sends with it.

use weft_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("Invalid Arn: '{0}'")]
    InvalidArn(String),
    #[error("Invalid State Machine Definition: '{0}'")]
    InvalidDefinition(String),
    #[error("Invalid State Machine Execution Input: '{0}'")]
    InvalidExecutionInput(String),
    #[error("Invalid pagination token: {0}")]
    InvalidToken(String),
    #[error("State Machine Does Not Exist: '{0}'")]
    StateMachineDoesNotExist(String),
    #[error("State Machine Already Exists: '{0}'")]
    StateMachineAlreadyExists(String),
    #[error("State machine is being deleted: '{0}'")]
    StateMachineDeleting(String),
    #[error("{0}")]
    StateMachineTypeNotSupported(String),
    #[error("Execution Does Not Exist: '{0}'")]
    ExecutionDoesNotExist(String),
    #[error("Execution Already Exists: '{0}'")]
    ExecutionAlreadyExists(String),
    #[error("Resource not found: '{0}'")]
    ResourceNotFound(String),
    #[error("Too many tags on resource: '{0}'")]
    TooManyTags(String),
    #[error("{0}")]
    MissingRequiredParameter(String),
    #[error("{0}")]
    Validation(String),
    #[error("internal error: {0}")]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl EngineError {
    /// An update that changes nothing, in the words AWS uses.
    pub fn nothing_to_update() -> EngineError {
        EngineError::MissingRequiredParameter(
            "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified".into(),
        )
    }

    /// The `__type` of the API error.
    pub fn type_name(&self) -> &'static str {
        match self {
            EngineError::InvalidArn(_) => "InvalidArn",
            EngineError::InvalidDefinition(_) => "InvalidDefinition",
            EngineError::InvalidExecutionInput(_) => "InvalidExecutionInput",
            EngineError::InvalidToken(_) => "InvalidToken",
            EngineError::StateMachineDoesNotExist(_) => "StateMachineDoesNotExist",
            EngineError::StateMachineAlreadyExists(_) => "StateMachineAlreadyExists",
            EngineError::StateMachineDeleting(_) => "StateMachineDeleting",
            EngineError::StateMachineTypeNotSupported(_) => "StateMachineTypeNotSupported",
            EngineError::ExecutionDoesNotExist(_) => "ExecutionDoesNotExist",
            EngineError::ExecutionAlreadyExists(_) => "ExecutionAlreadyExists",
            EngineError::ResourceNotFound(_) => "ResourceNotFound",
            EngineError::TooManyTags(_) => "TooManyTags",
            EngineError::MissingRequiredParameter(_) => "MissingRequiredParameter",
            EngineError::Validation(_) => "ValidationException",
            EngineError::Store(_) | EngineError::Internal(_) => "InternalServerError",
        }
    }

    /// Whether the fault is the server's (HTTP 500) rather than the caller's (400).
    pub fn is_server_fault(&self) -> bool {
        matches!(self, EngineError::Store(_) | EngineError::Internal(_))
    }
}
