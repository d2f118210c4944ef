//! The durable engine behind `weft serve`: executions kept in a [`Store`], driven by
//! the ASL decider, with group commit, durable timers and recovery after a restart.

pub mod api;
mod error;

use std::sync::Arc;

use weft_store::Store;

use crate::arn::Scope;
use crate::mock_config::MockConfig;

pub use api::*;
pub use error::EngineError;

pub type EngineResult<T> = Result<T, EngineError>;

/// How an engine is set up.
#[derive(Clone)]
pub struct EngineConfig {
    /// The account and region of every ARN.
    pub scope: Scope,
    /// Answers for mocked tasks (`StartExecution(stateMachineArn="<arn>#<TestCase>")`).
    pub mock_config: Option<Arc<MockConfig>>,
}

/// A handle to the engine; cheap to clone.
#[derive(Clone)]
pub struct Engine {
    #[allow(dead_code)]
    inner: Arc<()>,
}

#[allow(unused_variables)]
impl Engine {
    /// Opens the engine on a store and brings back every execution that was running.
    pub async fn open(store: Arc<dyn Store>, config: EngineConfig) -> EngineResult<Engine> {
        todo!()
    }

    pub fn scope(&self) -> &Scope {
        todo!()
    }

    pub async fn create_state_machine(
        &self,
        request: CreateStateMachine,
    ) -> EngineResult<CreatedStateMachine> {
        todo!()
    }

    pub async fn describe_state_machine(&self, arn: &str) -> EngineResult<StateMachineDescription> {
        todo!()
    }

    pub async fn update_state_machine(
        &self,
        request: UpdateStateMachine,
    ) -> EngineResult<UpdatedStateMachine> {
        todo!()
    }

    pub async fn delete_state_machine(&self, arn: &str) -> EngineResult<()> {
        todo!()
    }

    pub async fn list_state_machines(
        &self,
        page: PageRequest,
    ) -> EngineResult<Page<StateMachineListItem>> {
        todo!()
    }

    pub async fn start_execution(&self, request: StartExecution) -> EngineResult<StartedExecution> {
        todo!()
    }

    /// Runs an EXPRESS execution to its end and describes it.
    pub async fn start_sync_execution(
        &self,
        request: StartExecution,
    ) -> EngineResult<ExecutionDescription> {
        todo!()
    }

    pub async fn describe_execution(&self, arn: &str) -> EngineResult<ExecutionDescription> {
        todo!()
    }

    pub async fn list_executions(
        &self,
        request: ListExecutions,
    ) -> EngineResult<Page<ExecutionListItem>> {
        todo!()
    }

    pub async fn execution_history(
        &self,
        request: ExecutionHistory,
    ) -> EngineResult<Page<RecordedEvent>> {
        todo!()
    }

    pub async fn stop_execution(
        &self,
        arn: &str,
        error: Option<String>,
        cause: Option<String>,
    ) -> EngineResult<StopOutcome> {
        todo!()
    }

    pub async fn describe_state_machine_for_execution(
        &self,
        arn: &str,
    ) -> EngineResult<ExecutionDefinition> {
        todo!()
    }

    pub async fn tag_resource(&self, arn: &str, tags: Vec<Tag>) -> EngineResult<()> {
        todo!()
    }

    pub async fn untag_resource(&self, arn: &str, keys: Vec<String>) -> EngineResult<()> {
        todo!()
    }

    pub async fn list_tags(&self, arn: &str) -> EngineResult<Vec<Tag>> {
        todo!()
    }
}
