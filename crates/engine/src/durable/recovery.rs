//! Bringing the engine back after a restart: state machines into memory, and every
//! RUNNING execution rebuilt by replaying its journal through a fresh decider. The
//! replay performs nothing: the timers and tasks still pending are the ones whose rows
//! the store holds, and only those are re-armed and re-dispatched.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use weft_asl::decider::{Input, TaskId, TimerId};
use weft_store::{RevisionRecord, RunningExecution};

use super::codec::{self, instant};
use super::decider::ExecutionDecider;
use super::definition::Definition;
use super::executions::LiveExecution;
use super::machines::{DELETING, MachineEntry};
use super::queries::description;
use super::{EngineError, EngineResult, Inner};

impl Inner {
    pub(super) async fn recover(self: &Arc<Self>) -> EngineResult<()> {
        for record in self.store.state_machines().await? {
            let revision = self
                .store
                .revision(&record.arn, &record.revision_id)
                .await?
                .ok_or_else(|| {
                    EngineError::Internal(format!(
                        "state machine '{}' has no current revision",
                        record.arn
                    ))
                })?;
            let compiled = self
                .compile_stored(&record.arn, &revision.definition)
                .await?;
            let entry = MachineEntry::new(record, revision, compiled);
            self.machines
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .insert(entry.record.arn.clone(), Arc::new(entry));
        }
        let max_id = self.store.max_execution_id().await?;
        self.next_execution_id
            .store(max_id + 1, std::sync::atomic::Ordering::Relaxed);

        // Executions of one revision share its compiled definition.
        let mut revisions: HashMap<(String, String), (Definition, Arc<RevisionRecord>)> =
            HashMap::new();
        for running in self.store.running_executions().await? {
            let key = (
                running.execution.state_machine_arn.clone(),
                running.execution.revision_id.clone(),
            );
            let (machine, revision) = match revisions.get(&key) {
                Some(found) => found.clone(),
                None => {
                    let revision = self.store.revision(&key.0, &key.1).await?.ok_or_else(|| {
                        EngineError::Internal(format!(
                            "execution '{}' runs a revision missing from the store",
                            running.execution.arn
                        ))
                    })?;
                    let machine = match self.machine(&key.0) {
                        // The current revision is compiled already.
                        Some(entry) if entry.revision.revision_id == key.1 => {
                            entry.compiled.clone()
                        }
                        _ => self.compile_stored(&key.0, &revision.definition).await?,
                    };
                    let found = (machine, Arc::new(revision));
                    revisions.insert(key, found.clone());
                    found
                }
            };
            if let Definition::Unavailable(_) = machine {
                // Replaying needs the definition as it was: the execution stays as
                // stored, and resumes at a start that can load it.
                eprintln!(
                    "weft: execution '{}' is not resumed: its definition cannot be loaded now",
                    running.execution.arn
                );
                continue;
            }
            self.resume(&machine, &revision, running)?;
        }

        // Machines whose deletion waited for executions that have all ended.
        let deleting: Vec<String> = self
            .machines
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .filter(|m| m.record.status == DELETING)
            .map(|m| m.record.arn.clone())
            .collect();
        for arn in deleting {
            self.machine_execution_ended(&arn).await?;
        }
        Ok(())
    }

    fn resume(
        self: &Arc<Self>,
        machine: &Definition,
        revision: &RevisionRecord,
        running: RunningExecution,
    ) -> EngineResult<()> {
        let record = &running.execution;
        let meta = self.meta(revision, &record.arn, &record.name);
        let machine_name = meta.state_machine_name.clone();
        let mut decider = ExecutionDecider::new(machine, meta);
        let dispatcher = self.dispatcher(
            &machine_name,
            record.test_case.as_deref(),
            decider.is_arazzo(),
        );
        let input: Value = serde_json::from_str(&record.input)
            .map_err(|e| EngineError::Internal(format!("stored input of '{}': {e}", record.arn)))?;
        let mut events = decider
            .handle(
                instant(record.start_ms),
                record.seed as u64,
                Input::Start { input },
            )
            .events
            .len();
        let mut journal_seq = 0;
        for entry in &running.journal {
            let input = codec::decode_input(&entry.body)
                .map_err(|e| EngineError::Internal(format!("{} of '{}'", e, record.arn)))?;
            events += decider
                .handle(instant(entry.at_ms), entry.seed as u64, input)
                .events
                .len();
            journal_seq = entry.seq;
        }
        if events as i64 != running.last_event_id {
            // Replay is deterministic, so this means the definition or the decider
            // changed under a running execution; its history now continues from here.
            eprintln!(
                "weft: replaying '{}' gave {events} events where {} were recorded",
                record.arn, running.last_event_id
            );
        }
        let live = Arc::new(Mutex::new(LiveExecution {
            state_machine_arn: record.state_machine_arn.clone(),
            started: description(record.clone()),
            decider,
            journal_seq,
            dispatcher,
            in_flight: HashMap::new(),
        }));
        self.live_lock().insert(record.id, live.clone());
        for timer in &running.timers {
            self.timers.schedule(
                record.id,
                TimerId(timer.timer_id as u64),
                instant(timer.fire_at_ms),
            );
        }
        for task in &running.tasks {
            let request = codec::decode_task(&task.request)
                .map_err(|e| EngineError::Internal(format!("{} of '{}'", e, record.arn)))?;
            debug_assert_eq!(request.task, TaskId(task.task_id as u64));
            self.dispatch(record.id, &live, request);
        }
        Ok(())
    }
}
