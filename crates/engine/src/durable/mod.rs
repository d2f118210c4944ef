//! The durable engine behind `weft serve`: executions kept in a [`Store`], driven by
//! the ASL decider or, for Arazzo definitions, the Arazzo decider behind the same
//! interface (`arazzo/`), with group commit, durable timers and recovery after a restart.
//!
//! How an execution moves (see `executions.rs`): an input (start, timer, task result,
//! stop) is handed to the execution's decider under the execution's lock; the
//! decision's events, the input itself (journal) and the rows of the timers and tasks
//! it starts or ends become one [`weft_store::ExecutionWrite`], queued to the
//! [`committer::Committer`] before the lock is released, so an execution's writes
//! reach the store in decision order. Only after the write is durable are the
//! decision's commands carried out (timers armed, tasks dispatched) and the caller
//! answered. After a restart, `recovery.rs` replays each running execution's journal
//! through a fresh decider, which rebuilds it exactly, and re-arms its timers and
//! tasks from their rows.

pub mod api;
mod arazzo;
mod codec;
mod committer;
mod cpu;
mod decider;
mod definition;
mod error;
mod executions;
mod express;
mod machines;
mod paging;
mod queries;
mod recent;
mod recovery;
mod timers;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use weft_store::Store;

use crate::arazzo::transport::HttpTransport;
use crate::arn::Scope;
use crate::http_task::HttpTask;
use crate::mock_config::MockConfig;

pub use api::*;
pub use arazzo::{SERVERS_EXTENSION, WORKFLOW_EXTENSION};
pub use error::EngineError;
pub use weft_asl::validate::Diagnostic;

use committer::Committer;
use executions::LiveExecution;
use machines::MachineEntry;
use recent::RecentEnds;
use timers::Timers;

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
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    config: EngineConfig,
    http: HttpTask,
    /// Sends the requests of Arazzo workflows.
    arazzo: Arc<HttpTransport>,
    /// Reads the source descriptions of Arazzo definitions.
    sources: arazzo::Sources,
    committer: Committer,
    timers: Timers,
    /// Every state machine, by ARN.
    machines: RwLock<HashMap<String, Arc<MachineEntry>>>,
    /// Serialises changes to state machines (create, update, delete, tags).
    machine_changes: tokio::sync::Mutex<()>,
    /// Running STANDARD executions, by execution id.
    live: Mutex<HashMap<i64, Arc<Mutex<LiveExecution>>>>,
    /// Serialises starts that use the same execution name (by hash of the name).
    name_locks: Vec<tokio::sync::Mutex<()>>,
    /// Executions that ended lately, answered from memory.
    recent: Mutex<RecentEnds>,
    next_execution_id: AtomicI64,
    seeds: AtomicU64,
}

/// How many ended executions `recent` keeps.
const RECENT_ENDS: usize = 16_384;

impl Engine {
    /// Opens the engine on a store and brings back every execution that was running.
    pub async fn open(store: Arc<dyn Store>, config: EngineConfig) -> EngineResult<Engine> {
        let http = HttpTask::new().map_err(|e| EngineError::Internal(e.to_string()))?;
        // A request to a host that names no region (an emulator, a local server) is
        // signed for the engine's own.
        let arazzo = Arc::new(
            HttpTransport::new()
                .map_err(|e| EngineError::Internal(e.to_string()))?
                .with_local_region(Some(config.scope.region.clone())),
        );
        let sources = arazzo::Sources::from_working_directory().map_err(EngineError::Internal)?;
        let committer = Committer::start(store.clone());
        let seed = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0) as u64 ^ 0x9e37_79b9;
        let inner = Arc::new_cyclic(|weak: &std::sync::Weak<Inner>| {
            // Timers hold only a weak handle, so dropping the engine ends them.
            let weak = weak.clone();
            let timers = Timers::start(move |due| {
                if let Some(inner) = weak.upgrade() {
                    tokio::spawn(async move { inner.timer_fired(due).await });
                }
            });
            Inner {
                store,
                config,
                http,
                arazzo,
                sources,
                committer,
                timers,
                machines: RwLock::new(HashMap::new()),
                machine_changes: tokio::sync::Mutex::new(()),
                live: Mutex::new(HashMap::new()),
                name_locks: (0..256).map(|_| tokio::sync::Mutex::new(())).collect(),
                recent: Mutex::new(RecentEnds::new(RECENT_ENDS)),
                next_execution_id: AtomicI64::new(1),
                seeds: AtomicU64::new(seed),
            }
        });
        inner.recover().await?;
        Ok(Engine { inner })
    }

    pub fn scope(&self) -> &Scope {
        &self.inner.config.scope
    }

    pub async fn create_state_machine(
        &self,
        request: CreateStateMachine,
    ) -> EngineResult<CreatedStateMachine> {
        self.inner.create_state_machine(request).await
    }

    /// Every diagnostic of a definition, ASL or Arazzo (`ValidateStateMachineDefinition`);
    /// an Arazzo definition's sources are loaded to check it.
    pub async fn validate_definition(&self, definition: &str) -> Vec<Diagnostic> {
        self.inner.diagnose(definition).await
    }

    pub async fn describe_state_machine(&self, arn: &str) -> EngineResult<StateMachineDescription> {
        self.inner.describe_state_machine(arn)
    }

    pub async fn update_state_machine(
        &self,
        request: UpdateStateMachine,
    ) -> EngineResult<UpdatedStateMachine> {
        self.inner.update_state_machine(request).await
    }

    pub async fn delete_state_machine(&self, arn: &str) -> EngineResult<()> {
        self.inner.delete_state_machine(arn).await
    }

    pub async fn list_state_machines(
        &self,
        page: PageRequest,
    ) -> EngineResult<Page<StateMachineListItem>> {
        self.inner.list_state_machines(page)
    }

    pub async fn start_execution(&self, request: StartExecution) -> EngineResult<StartedExecution> {
        self.inner.start_execution(request).await
    }

    /// Runs an EXPRESS execution to its end and describes it.
    pub async fn start_sync_execution(
        &self,
        request: StartExecution,
    ) -> EngineResult<ExecutionDescription> {
        self.inner.start_sync_execution(request).await
    }

    pub async fn describe_execution(&self, arn: &str) -> EngineResult<ExecutionDescription> {
        self.inner.describe_execution(arn).await
    }

    pub async fn list_executions(
        &self,
        request: ListExecutions,
    ) -> EngineResult<Page<ExecutionListItem>> {
        self.inner.list_executions(request).await
    }

    pub async fn execution_history(
        &self,
        request: ExecutionHistory,
    ) -> EngineResult<Page<RecordedEvent>> {
        self.inner.execution_history(request).await
    }

    pub async fn stop_execution(
        &self,
        arn: &str,
        error: Option<String>,
        cause: Option<String>,
    ) -> EngineResult<StopOutcome> {
        self.inner.stop_execution(arn, error, cause).await
    }

    pub async fn describe_state_machine_for_execution(
        &self,
        arn: &str,
    ) -> EngineResult<ExecutionDefinition> {
        self.inner.describe_state_machine_for_execution(arn).await
    }

    pub async fn tag_resource(&self, arn: &str, tags: Vec<Tag>) -> EngineResult<()> {
        self.inner.tag_resource(arn, tags).await
    }

    pub async fn untag_resource(&self, arn: &str, keys: Vec<String>) -> EngineResult<()> {
        self.inner.untag_resource(arn, keys).await
    }

    pub async fn list_tags(&self, arn: &str) -> EngineResult<Vec<Tag>> {
        self.inner.list_tags(arn).await
    }

    /// How many STANDARD executions are running in this process.
    pub fn running_count(&self) -> usize {
        self.inner.live_lock().len()
    }
}

impl Inner {
    /// A fresh random seed for one decision (recorded with it, so replays reuse it).
    fn seed(&self) -> u64 {
        // SplitMix64 over a shared counter: distinct, well-mixed seeds without a lock.
        let mut z = self
            .seeds
            .fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed)
            .wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn live_lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<Mutex<LiveExecution>>>> {
        // A panic while holding this lock would be a bug in the engine itself; the map
        // stays usable, so carry on with it.
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }
}
