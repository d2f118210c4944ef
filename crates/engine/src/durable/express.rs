//! EXPRESS executions: run in memory to their end, never stored, as on AWS (their
//! history would go to CloudWatch Logs, which weft does not have).

use std::sync::Arc;

use chrono::Utc;
use serde_json::Value;
use weft_asl::decider::ExecutionStatus;

use super::api::*;
use super::arazzo::{ArazzoExecution, execution_status};
use super::definition::Definition;
use super::executions::{parse_input, split_test_case};
use super::machines::MachineEntry;
use super::{EngineError, EngineResult, Inner};
use crate::local::{Clock, run_to_completion};

impl Inner {
    /// `StartExecution` on an EXPRESS machine: runs in the background.
    pub(super) async fn start_express(
        self: &Arc<Self>,
        machine: &Arc<MachineEntry>,
        test_case: Option<&str>,
        request: &StartExecution,
        input: Value,
    ) -> EngineResult<StartedExecution> {
        let name = request
            .name
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let arn = self.express_arn(machine, &name);
        let start_date = Utc::now();
        let inner = self.clone();
        let machine = machine.clone();
        let test_case = test_case.map(str::to_string);
        let execution_arn = arn.clone();
        tokio::spawn(async move {
            inner
                .run_express(&machine, test_case.as_deref(), &execution_arn, &name, input)
                .await
        });
        Ok(StartedExecution {
            execution_arn: arn,
            start_date,
        })
    }

    pub(super) async fn start_sync_execution(
        self: &Arc<Self>,
        request: StartExecution,
    ) -> EngineResult<ExecutionDescription> {
        let (machine_arn, test_case) = split_test_case(&request.state_machine_arn);
        let machine = self.startable_machine(machine_arn)?;
        if machine.machine_type != MachineType::Express {
            return Err(EngineError::StateMachineTypeNotSupported(
                "This operation is not supported by this type of state machine".into(),
            ));
        }
        let (input_text, input) = parse_input(request.input.as_deref())?;
        let name = request
            .name
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let arn = self.express_arn(&machine, &name);
        let start_date = Utc::now();
        let status = self
            .run_express(&machine, test_case, &arn, &name, input)
            .await;
        let (output, error, cause) = match &status {
            ExecutionStatus::Succeeded { output } => (
                Some(serde_json::to_string(output).unwrap_or_default()),
                None,
                None,
            ),
            ExecutionStatus::Failed { error, cause }
            | ExecutionStatus::TimedOut { error, cause } => {
                (None, Some(error.clone()), Some(cause.clone()))
            }
            ExecutionStatus::Aborted { error, cause } => (None, error.clone(), cause.clone()),
            ExecutionStatus::Pending | ExecutionStatus::Running => (None, None, None),
        };
        Ok(ExecutionDescription {
            execution_arn: arn,
            state_machine_arn: machine.record.arn.clone(),
            name,
            status: status.api_name().to_string(),
            start_date,
            stop_date: Some(Utc::now()),
            input: input_text,
            output,
            error,
            cause,
            trace_header: request.trace_header,
        })
    }

    fn express_arn(&self, machine: &MachineEntry, name: &str) -> String {
        self.config.scope.express_execution(
            &machine.record.name,
            name,
            &uuid::Uuid::new_v4().to_string(),
        )
    }

    async fn run_express(
        &self,
        machine: &MachineEntry,
        test_case: Option<&str>,
        arn: &str,
        name: &str,
        input: Value,
    ) -> ExecutionStatus {
        let meta = self.meta(&machine.revision, arn, name);
        match self.definition_to_run(machine).await {
            Definition::Asl(compiled) => {
                let dispatcher = self.dispatcher(&machine.record.name, test_case, false);
                run_to_completion(
                    compiled,
                    meta,
                    input,
                    &dispatcher,
                    Clock::Real,
                    None,
                    |_| {},
                )
                .await
            }
            // The in-process Arazzo driver: nothing of an EXPRESS execution is kept.
            Definition::Arazzo(workflow) => {
                let mut decider = match weft_arazzo::decider::Decider::new(
                    workflow.bundle.clone(),
                    Some(&workflow.workflow_id),
                    weft_arazzo::decider::Options::default(),
                ) {
                    Ok(decider) => decider,
                    Err(e) => {
                        return ExecutionStatus::Failed {
                            error: weft_asl::error::names::RUNTIME.into(),
                            cause: e.to_string(),
                        };
                    }
                };
                let status = crate::arazzo::run::run_to_completion(
                    &mut decider,
                    input,
                    &*self.arazzo,
                    Clock::Real,
                    None,
                    |_| {},
                    |_, _| {},
                )
                .await;
                execution_status(&status)
            }
            Definition::Unavailable(why) => {
                let mut execution = ArazzoExecution::unavailable(&why, &meta);
                execution.handle(Utc::now(), weft_asl::decider::Input::Start { input });
                execution.status().clone()
            }
        }
    }
}
