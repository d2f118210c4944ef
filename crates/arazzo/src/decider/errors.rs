//! The error names an execution, a workflow or a step fails with, in one place.
//!
//! | name | when |
//! |---|---|
//! | `Arazzo.StepFailed` | a step's `successCriteria` were not met (or, without criteria, the status was not 2xx) |
//! | `Arazzo.RequestFailed` | the HTTP request could not be carried out (connection refused, time-out, …) |
//! | `Arazzo.InvalidInputs` | a workflow's inputs do not match its `inputs` schema, or the schema cannot be compiled |
//! | `Arazzo.MaxStepsExceeded` | the execution ran more steps than [`Options::max_steps`](super::Options) allows |
//! | `Arazzo.MaxDepthExceeded` | workflows called each other more than [`MAX_DEPTH`](super::MAX_DEPTH) deep |
//! | `Arazzo.ExpressionFailed` | a runtime expression could not be evaluated where a value was needed (a parameter, a payload, an output) |
//! | `Arazzo.InvalidRequest` | the request could not be built (a path parameter without a value, a header with a line break, a replacement that does not fit the payload, …) |
//! | `Arazzo.OperationNotFound` | an operation step's `operationId`/`operationPath` names no operation |
//! | `Arazzo.WorkflowNotFound` | a `workflowId` (step, action or `dependsOn`) names no workflow |
//! | `Arazzo.StepNotFound` | an action's `stepId` names no step of the current workflow |
//! | `Arazzo.ComponentNotFound` | a Reusable Object's `reference` names nothing in the document's `components` |
//! | `Arazzo.InvalidAction` | a `goto` action names neither a step nor a workflow, or both |
//! | `Arazzo.DependencyCycle` | a workflow depends, directly or not, on itself |
//!
//! A failing sub-workflow (a workflow step's target, a dependency, a `goto` target) passes
//! its error name up unchanged, so the execution reports the first cause.

pub const STEP_FAILED: &str = "Arazzo.StepFailed";
pub const REQUEST_FAILED: &str = "Arazzo.RequestFailed";
pub const INVALID_INPUTS: &str = "Arazzo.InvalidInputs";
pub const MAX_STEPS_EXCEEDED: &str = "Arazzo.MaxStepsExceeded";
pub const MAX_DEPTH_EXCEEDED: &str = "Arazzo.MaxDepthExceeded";
pub const EXPRESSION_FAILED: &str = "Arazzo.ExpressionFailed";
pub const INVALID_REQUEST: &str = "Arazzo.InvalidRequest";
pub const OPERATION_NOT_FOUND: &str = "Arazzo.OperationNotFound";
pub const WORKFLOW_NOT_FOUND: &str = "Arazzo.WorkflowNotFound";
pub const STEP_NOT_FOUND: &str = "Arazzo.StepNotFound";
pub const COMPONENT_NOT_FOUND: &str = "Arazzo.ComponentNotFound";
pub const INVALID_ACTION: &str = "Arazzo.InvalidAction";
pub const DEPENDENCY_CYCLE: &str = "Arazzo.DependencyCycle";

/// Why a step or a workflow failed: an error name from this module and one sentence.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Failure {
    pub error: String,
    pub cause: String,
}

impl Failure {
    pub fn new(error: &str, cause: impl Into<String>) -> Failure {
        Failure {
            error: error.to_string(),
            cause: cause.into(),
        }
    }

    /// A failure of step `step` of workflow `workflow`.
    pub fn step(error: &str, workflow: &str, step: &str, what: impl std::fmt::Display) -> Failure {
        Failure::new(
            error,
            format!("Step '{step}' of workflow '{workflow}' failed: {what}"),
        )
    }

    /// A failure of workflow `workflow` outside any step.
    pub fn workflow(error: &str, workflow: &str, what: impl std::fmt::Display) -> Failure {
        Failure::new(error, format!("Workflow '{workflow}' failed: {what}"))
    }
}
