//! Reading executions: describe, list, history, and the definition an execution ran.
//! Everything is read from the store, which holds exactly what has been committed.

use weft_store::{EventQuery, ExecutionQuery, ExecutionRecord};

use super::api::*;
use super::codec::{self, instant};
use super::machines::{json_value, reported_revision};
use super::paging;
use super::{EngineError, EngineResult, Inner};
use crate::arn::state_machine_name;

/// An execution record as the API describes it.
pub(super) fn description(record: ExecutionRecord) -> ExecutionDescription {
    ExecutionDescription {
        execution_arn: record.arn,
        state_machine_arn: record.state_machine_arn,
        name: record.name,
        status: record.status,
        start_date: instant(record.start_ms),
        stop_date: record.stop_ms.map(instant),
        input: record.input,
        output: record.output,
        error: record.error,
        cause: record.cause,
        trace_header: record.trace_header,
    }
}

impl Inner {
    async fn existing_execution(&self, arn: &str) -> EngineResult<ExecutionRecord> {
        self.store
            .execution(arn)
            .await?
            .ok_or_else(|| EngineError::ExecutionDoesNotExist(arn.to_string()))
    }

    pub(super) async fn describe_execution(&self, arn: &str) -> EngineResult<ExecutionDescription> {
        let recent = self
            .recent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(arn);
        if let Some(ended) = recent {
            return Ok((*ended).clone());
        }
        Ok(description(self.existing_execution(arn).await?))
    }

    pub(super) async fn list_executions(
        &self,
        request: ListExecutions,
    ) -> EngineResult<Page<ExecutionListItem>> {
        let arn = &request.state_machine_arn;
        let machine = self
            .machine(arn)
            .ok_or_else(|| EngineError::StateMachineDoesNotExist(arn.clone()))?;
        if machine.machine_type == MachineType::Express {
            return Err(EngineError::StateMachineTypeNotSupported(
                "This operation is not supported by this type of state machine".into(),
            ));
        }
        let limit = paging::limit(request.page.max_results);
        let records = self
            .store
            .list_executions(&ExecutionQuery {
                state_machine_arn: arn.clone(),
                status: request.status_filter.clone(),
                before_id: paging::decode_id(request.page.next_token.as_deref())?,
                limit: limit as u32 + 1,
            })
            .await?;
        let more = records.len() > limit;
        let items: Vec<(i64, ExecutionListItem)> = records
            .into_iter()
            .take(limit)
            .map(|r| {
                (
                    r.id,
                    ExecutionListItem {
                        execution_arn: r.arn,
                        state_machine_arn: r.state_machine_arn,
                        name: r.name,
                        status: r.status,
                        start_date: instant(r.start_ms),
                        stop_date: r.stop_ms.map(instant),
                    },
                )
            })
            .collect();
        let next_token = match (more, items.last()) {
            (true, Some((id, _))) => Some(paging::encode_id(*id)),
            _ => None,
        };
        Ok(Page {
            items: items.into_iter().map(|(_, item)| item).collect(),
            next_token,
        })
    }

    pub(super) async fn execution_history(
        &self,
        request: ExecutionHistory,
    ) -> EngineResult<Page<RecordedEvent>> {
        let execution = self.existing_execution(&request.execution_arn).await?;
        let limit = paging::limit(request.page.max_results);
        let records = self
            .store
            .events(
                execution.id,
                &EventQuery {
                    after_id: paging::decode_id(request.page.next_token.as_deref())?,
                    reverse: request.reverse_order,
                    limit: limit as u32 + 1,
                },
            )
            .await?;
        let more = records.len() > limit;
        let items: Vec<RecordedEvent> = records
            .into_iter()
            .take(limit)
            .map(codec::recorded_event)
            .collect();
        let next_token = match (more, items.last()) {
            (true, Some(last)) => Some(paging::encode_id(last.id as i64)),
            _ => None,
        };
        Ok(Page { items, next_token })
    }

    pub(super) async fn describe_state_machine_for_execution(
        &self,
        arn: &str,
    ) -> EngineResult<ExecutionDefinition> {
        let execution = self.existing_execution(arn).await?;
        let revision = self
            .store
            .revision(&execution.state_machine_arn, &execution.revision_id)
            .await?
            .ok_or_else(|| {
                EngineError::Internal(format!(
                    "the definition of execution '{arn}' is missing from the store"
                ))
            })?;
        let revision_id = match self.machine(&execution.state_machine_arn) {
            Some(machine) => reported_revision(&machine.record, &revision),
            // The machine is gone, and with it the date its first revision had.
            None => Some(revision.revision_id.clone()),
        };
        Ok(ExecutionDefinition {
            name: state_machine_name(&execution.state_machine_arn).unwrap_or_default(),
            definition: revision.definition,
            role_arn: revision.role_arn,
            update_date: instant(revision.created_ms),
            logging: json_value(&revision.logging),
            tracing: json_value(&revision.tracing),
            encryption: json_value(&revision.encryption),
            revision_id,
            state_machine_arn: execution.state_machine_arn,
        })
    }
}
