//! State machines: create, describe, update, delete, list, and their tags. Every
//! machine is held in memory with its current definition compiled; the store has the
//! durable copy and every revision executions may still refer to.

use std::sync::Arc;

use chrono::Utc;
use serde_json::Value;
use weft_store::{RevisionRecord, StateMachineRecord, StoreError};

use super::api::*;
use super::codec::{instant, millis};
use super::definition::Definition;
use super::paging;
use super::{EngineError, EngineResult, Inner};

/// AWS allows 50 tags per resource.
const MAX_TAGS: usize = 50;

pub const ACTIVE: &str = "ACTIVE";
pub const DELETING: &str = "DELETING";

/// A state machine with its current revision, compiled.
pub struct MachineEntry {
    pub record: StateMachineRecord,
    pub revision: RevisionRecord,
    pub machine_type: MachineType,
    pub compiled: Definition,
}

fn json_text(value: &Value) -> String {
    if value.is_null() {
        String::new()
    } else {
        value.to_string()
    }
}

/// A stored configuration object (`Null` when none was kept).
pub fn json_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// The revision id AWS reports: none for the definition a machine was created with.
/// Later revisions are always younger than the machine (see `update_state_machine`).
pub fn reported_revision(
    machine: &StateMachineRecord,
    revision: &RevisionRecord,
) -> Option<String> {
    (revision.created_ms > machine.created_ms).then(|| revision.revision_id.clone())
}

impl MachineEntry {
    /// A machine whose current revision compiled to `compiled`.
    pub fn new(
        record: StateMachineRecord,
        revision: RevisionRecord,
        compiled: Definition,
    ) -> MachineEntry {
        let machine_type =
            MachineType::from_api_name(&record.machine_type).unwrap_or(MachineType::Standard);
        MachineEntry {
            record,
            revision,
            machine_type,
            compiled,
        }
    }

    fn description(&self) -> StateMachineDescription {
        StateMachineDescription {
            state_machine_arn: self.record.arn.clone(),
            name: self.record.name.clone(),
            status: self.record.status.clone(),
            definition: self.revision.definition.clone(),
            role_arn: self.revision.role_arn.clone(),
            machine_type: self.machine_type,
            creation_date: instant(self.record.created_ms),
            logging: json_value(&self.revision.logging),
            tracing: json_value(&self.revision.tracing),
            encryption: json_value(&self.revision.encryption),
            revision_id: reported_revision(&self.record, &self.revision),
        }
    }

    /// Whether a create request asks for exactly this machine (AWS's idempotency
    /// rule: role and tags do not count).
    fn same_as(&self, request: &CreateStateMachine) -> bool {
        self.revision.definition == request.definition
            && self.machine_type == request.machine_type
            && json_value(&self.revision.logging) == request.logging
            && json_value(&self.revision.tracing) == request.tracing
            && json_value(&self.revision.encryption) == request.encryption
    }
}

impl Inner {
    pub(super) fn machine(&self, arn: &str) -> Option<Arc<MachineEntry>> {
        self.machines
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(arn)
            .cloned()
    }

    fn existing_machine(&self, arn: &str) -> EngineResult<Arc<MachineEntry>> {
        self.machine(arn)
            .ok_or_else(|| EngineError::StateMachineDoesNotExist(arn.to_string()))
    }

    pub(super) fn put_machine(&self, entry: MachineEntry) {
        self.machines
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(entry.record.arn.clone(), Arc::new(entry));
    }

    fn forget_machine(&self, arn: &str) {
        self.machines
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(arn);
    }

    pub(super) async fn create_state_machine(
        &self,
        request: CreateStateMachine,
    ) -> EngineResult<CreatedStateMachine> {
        let arn = self.config.scope.state_machine(&request.name);
        if request.tags.len() > MAX_TAGS {
            return Err(EngineError::TooManyTags(arn));
        }
        let compiled = self.compile(&request.definition).await?;
        let _changes = self.machine_changes.lock().await;
        if let Some(existing) = self.machine(&arn) {
            if existing.record.status == DELETING {
                return Err(EngineError::StateMachineDeleting(arn));
            }
            if existing.same_as(&request) {
                return Ok(CreatedStateMachine {
                    state_machine_arn: arn,
                    creation_date: instant(existing.record.created_ms),
                });
            }
            return Err(EngineError::StateMachineAlreadyExists(arn));
        }
        let now = millis(Utc::now());
        let record = StateMachineRecord {
            arn: arn.clone(),
            name: request.name.clone(),
            machine_type: request.machine_type.api_name().to_string(),
            status: ACTIVE.to_string(),
            revision_id: uuid::Uuid::new_v4().to_string(),
            created_ms: now,
        };
        let revision = RevisionRecord {
            state_machine_arn: arn.clone(),
            revision_id: record.revision_id.clone(),
            definition: request.definition,
            role_arn: request.role_arn,
            logging: json_text(&request.logging),
            tracing: json_text(&request.tracing),
            encryption: json_text(&request.encryption),
            created_ms: now,
        };
        match self.store.insert_state_machine(&record, &revision).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => {
                return Err(EngineError::StateMachineAlreadyExists(arn));
            }
            Err(e) => return Err(e.into()),
        }
        if !request.tags.is_empty() {
            self.store
                .put_tags(&arn, &store_tags(&request.tags))
                .await?;
        }
        self.put_machine(MachineEntry::new(record, revision, compiled));
        Ok(CreatedStateMachine {
            state_machine_arn: arn,
            creation_date: instant(now),
        })
    }

    pub(super) fn describe_state_machine(
        &self,
        arn: &str,
    ) -> EngineResult<StateMachineDescription> {
        Ok(self.existing_machine(arn)?.description())
    }

    pub(super) async fn update_state_machine(
        &self,
        request: UpdateStateMachine,
    ) -> EngineResult<UpdatedStateMachine> {
        let arn = request.state_machine_arn.clone();
        if request.changes_nothing() {
            return Err(EngineError::nothing_to_update());
        }
        let compiled = match &request.definition {
            Some(definition) => Some(self.compile(definition).await?),
            None => None,
        };
        let _changes = self.machine_changes.lock().await;
        let current = self.existing_machine(&arn)?;
        if current.record.status == DELETING {
            return Err(EngineError::StateMachineDeleting(arn));
        }
        let now = millis(Utc::now()).max(current.record.created_ms + 1);
        let old = &current.revision;
        let revision = RevisionRecord {
            state_machine_arn: arn.clone(),
            revision_id: uuid::Uuid::new_v4().to_string(),
            definition: request.definition.unwrap_or_else(|| old.definition.clone()),
            role_arn: request.role_arn.unwrap_or_else(|| old.role_arn.clone()),
            logging: request
                .logging
                .map(|v| json_text(&v))
                .unwrap_or_else(|| old.logging.clone()),
            tracing: request
                .tracing
                .map(|v| json_text(&v))
                .unwrap_or_else(|| old.tracing.clone()),
            encryption: request
                .encryption
                .map(|v| json_text(&v))
                .unwrap_or_else(|| old.encryption.clone()),
            created_ms: now,
        };
        let unchanged = revision.definition == old.definition
            && revision.role_arn == old.role_arn
            && revision.logging == old.logging
            && revision.tracing == old.tracing
            && revision.encryption == old.encryption;
        if unchanged {
            // AWS makes no new revision for an update that changes nothing.
            return Ok(UpdatedStateMachine {
                update_date: instant(old.created_ms),
                revision_id: old.revision_id.clone(),
            });
        }
        let record = StateMachineRecord {
            revision_id: revision.revision_id.clone(),
            ..current.record.clone()
        };
        self.store
            .update_state_machine(&record, Some(&revision))
            .await?;
        let revision_id = revision.revision_id.clone();
        let compiled = compiled.unwrap_or_else(|| current.compiled.clone());
        self.put_machine(MachineEntry::new(record, revision, compiled));
        Ok(UpdatedStateMachine {
            update_date: instant(now),
            revision_id,
        })
    }

    /// Deletes at once when nothing runs; otherwise marks the machine DELETING, and
    /// the last execution to end removes it (see `machine_execution_ended`).
    pub(super) async fn delete_state_machine(&self, arn: &str) -> EngineResult<()> {
        let _changes = self.machine_changes.lock().await;
        let Some(current) = self.machine(arn) else {
            // Deleting a machine that does not exist succeeds, as on AWS.
            return Ok(());
        };
        if self.store.has_running_executions(arn).await? {
            let record = StateMachineRecord {
                status: DELETING.to_string(),
                ..current.record.clone()
            };
            self.store.update_state_machine(&record, None).await?;
            self.put_machine(MachineEntry {
                record,
                revision: current.revision.clone(),
                machine_type: current.machine_type,
                compiled: current.compiled.clone(),
            });
        } else {
            self.store.delete_state_machine(arn).await?;
            self.forget_machine(arn);
        }
        Ok(())
    }

    /// Finishes deleting a DELETING machine once none of its executions runs.
    pub(super) async fn machine_execution_ended(&self, arn: &str) -> EngineResult<()> {
        if self
            .machine(arn)
            .is_none_or(|m| m.record.status != DELETING)
        {
            return Ok(());
        }
        let _changes = self.machine_changes.lock().await;
        if self
            .machine(arn)
            .is_some_and(|m| m.record.status == DELETING)
            && !self.store.has_running_executions(arn).await?
        {
            self.store.delete_state_machine(arn).await?;
            self.forget_machine(arn);
        }
        Ok(())
    }

    pub(super) fn list_state_machines(
        &self,
        page: PageRequest,
    ) -> EngineResult<Page<StateMachineListItem>> {
        let mut all: Vec<Arc<MachineEntry>> = self
            .machines
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect();
        all.sort_by(|a, b| a.record.name.cmp(&b.record.name));
        let after = paging::decode_text(page.next_token.as_deref())?;
        let limit = paging::limit(page.max_results);
        let mut rest = all
            .into_iter()
            .filter(|m| after.as_ref().is_none_or(|after| &m.record.name > after));
        let items: Vec<StateMachineListItem> = rest
            .by_ref()
            .take(limit)
            .map(|m| StateMachineListItem {
                state_machine_arn: m.record.arn.clone(),
                name: m.record.name.clone(),
                machine_type: m.machine_type,
                creation_date: instant(m.record.created_ms),
            })
            .collect();
        let next_token = match (rest.next(), items.last()) {
            (Some(_), Some(last)) => Some(paging::encode_text(&last.name)),
            _ => None,
        };
        Ok(Page { items, next_token })
    }

    fn tagged_machine(&self, arn: &str) -> EngineResult<Arc<MachineEntry>> {
        self.machine(arn)
            .ok_or_else(|| EngineError::ResourceNotFound(arn.to_string()))
    }

    pub(super) async fn tag_resource(&self, arn: &str, tags: Vec<Tag>) -> EngineResult<()> {
        let _changes = self.machine_changes.lock().await;
        self.tagged_machine(arn)?;
        let existing = self.store.tags(arn).await?;
        let mut keys: std::collections::BTreeSet<&str> =
            existing.iter().map(|t| t.key.as_str()).collect();
        keys.extend(tags.iter().map(|t| t.key.as_str()));
        if keys.len() > MAX_TAGS {
            return Err(EngineError::TooManyTags(arn.to_string()));
        }
        self.store.put_tags(arn, &store_tags(&tags)).await?;
        Ok(())
    }

    pub(super) async fn untag_resource(&self, arn: &str, keys: Vec<String>) -> EngineResult<()> {
        let _changes = self.machine_changes.lock().await;
        self.tagged_machine(arn)?;
        self.store.remove_tags(arn, &keys).await?;
        Ok(())
    }

    pub(super) async fn list_tags(&self, arn: &str) -> EngineResult<Vec<Tag>> {
        self.tagged_machine(arn)?;
        Ok(self
            .store
            .tags(arn)
            .await?
            .into_iter()
            .map(|t| Tag {
                key: t.key,
                value: t.value,
            })
            .collect())
    }
}

fn store_tags(tags: &[Tag]) -> Vec<weft_store::Tag> {
    tags.iter()
        .map(|t| weft_store::Tag {
            key: t.key.clone(),
            value: t.value.clone(),
        })
        .collect()
}
