//! Where executions are kept.
//!
//! The [`Store`] trait is everything the engine asks of storage. It knows nothing of
//! ASL: events, journal entries and task requests arrive as text the engine encoded.
//! Writes of running executions arrive as [`ExecutionWrite`]s, many at a time; one
//! [`Store::commit`] call is one transaction (that is how group commit reaches the
//! disk). SQL stays portable so a PostgreSQL implementation can join SQLite.

mod records;
pub mod sqlite;

use async_trait::async_trait;

pub use records::*;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A row with the same key exists already (a state machine ARN, an execution name).
    #[error("already exists: {0}")]
    Conflict(String),
    #[error("storage failed: {0}")]
    Backend(String),
    #[error("unsupported database URL '{0}': expected sqlite:PATH")]
    UnsupportedUrl(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        StoreError::Backend(e.to_string())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Opens the store a URL names: `sqlite:PATH` (created when missing) or
/// `sqlite::memory:`.
pub async fn open(url: &str) -> StoreResult<std::sync::Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        sqlite::open(url).await
    } else {
        Err(StoreError::UnsupportedUrl(url.to_string()))
    }
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    // --- state machines --------------------------------------------------------------

    /// Inserts a state machine with its first revision. `Conflict` when the ARN exists.
    async fn insert_state_machine(
        &self,
        machine: &StateMachineRecord,
        revision: &RevisionRecord,
    ) -> StoreResult<()>;

    /// Replaces a state machine's row (status, current revision) and adds `revision`
    /// when given.
    async fn update_state_machine(
        &self,
        machine: &StateMachineRecord,
        revision: Option<&RevisionRecord>,
    ) -> StoreResult<()>;

    /// Removes a state machine and its tags. Its revisions stay: executions keep
    /// pointing at the definition they ran.
    async fn delete_state_machine(&self, arn: &str) -> StoreResult<()>;

    /// Every state machine, oldest first.
    async fn state_machines(&self) -> StoreResult<Vec<StateMachineRecord>>;

    async fn revision(
        &self,
        state_machine_arn: &str,
        revision_id: &str,
    ) -> StoreResult<Option<RevisionRecord>>;

    // --- tags ------------------------------------------------------------------------

    /// Tags of a resource, in key order.
    async fn tags(&self, resource_arn: &str) -> StoreResult<Vec<Tag>>;

    /// Adds tags, overwriting the values of keys that exist.
    async fn put_tags(&self, resource_arn: &str, tags: &[Tag]) -> StoreResult<()>;

    async fn remove_tags(&self, resource_arn: &str, keys: &[String]) -> StoreResult<()>;

    // --- executions ------------------------------------------------------------------

    /// Applies every write in one transaction: all or nothing, durable on return.
    async fn commit(&self, writes: &[ExecutionWrite]) -> StoreResult<()>;

    /// The largest execution id in use (0 when there is none).
    async fn max_execution_id(&self) -> StoreResult<i64>;

    async fn execution(&self, arn: &str) -> StoreResult<Option<ExecutionRecord>>;

    async fn execution_by_name(
        &self,
        state_machine_arn: &str,
        name: &str,
    ) -> StoreResult<Option<ExecutionRecord>>;

    /// A page of a state machine's executions, newest (largest id) first.
    async fn list_executions(&self, query: &ExecutionQuery) -> StoreResult<Vec<ExecutionRecord>>;

    /// Whether a state machine has a RUNNING execution.
    async fn has_running_executions(&self, state_machine_arn: &str) -> StoreResult<bool>;

    /// A page of one execution's history.
    async fn events(&self, execution_id: i64, query: &EventQuery) -> StoreResult<Vec<EventRecord>>;

    /// Everything needed to bring RUNNING executions back after a restart.
    async fn running_executions(&self) -> StoreResult<Vec<RunningExecution>>;
}
