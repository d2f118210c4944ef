//! The Arazzo decider behind the ASL decider's interface, so that the durable engine
//! journals, replays, dispatches and times an Arazzo execution exactly as it does a
//! state machine's:
//!
//! * `Start { input }` starts the workflow with `input` as its inputs.
//! * Each request the workflow sends is a task of resource [`ARAZZO_HTTP`] named after
//!   its step, whose parameters are the request; the task's output is the response
//!   (`TaskSucceeded`), or its failure the reason there is none (`TaskFailed`'s cause).
//! * Timers are the decider's retry delays; `Stop` stops between requests, and a request
//!   in flight is cancelled (its response, should it come, changes nothing).
//! * `Terminate` (the machine was deleted) ends the execution as failed.
//!
//! Everything here is as deterministic as the decider: replaying the same inputs gives
//! the same events and commands.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;
use weft_arazzo::decider::{self as arazzo, Options, RequestId, Status, secret_values};
use weft_arazzo::exchange::HttpResponse;
use weft_asl::decider::{
    Command, Decision, ExecutionMeta, ExecutionStatus, Input, TaskId, TaskRequest, TimerId,
};

use super::Workflow;
use super::history::History;
use crate::dispatch::ARAZZO_HTTP;
use weft_arazzo::mask::Masker;

/// One execution of an Arazzo workflow.
pub struct ArazzoExecution {
    /// `Err`: why the execution cannot run (it fails as soon as it starts).
    decider: Result<arazzo::Decider, String>,
    workflow: Option<Arc<Workflow>>,
    history: History,
    status: ExecutionStatus,
    /// The request the decider waits for.
    outstanding: Option<RequestId>,
    /// How many requests each step has sent so far (mock configurations count them).
    invocations: HashMap<String, u32>,
}

/// An Arazzo status as the Step Functions API reports it: the outputs are the output.
pub fn execution_status(status: &Status) -> ExecutionStatus {
    match status {
        Status::Pending => ExecutionStatus::Pending,
        Status::Running => ExecutionStatus::Running,
        Status::Succeeded { outputs } => ExecutionStatus::Succeeded {
            output: Value::Object(outputs.clone()),
        },
        Status::Failed { error, cause } => ExecutionStatus::Failed {
            error: error.clone(),
            cause: cause.clone(),
        },
        Status::Aborted { error, cause } => ExecutionStatus::Aborted {
            error: error.clone(),
            cause: cause.clone(),
        },
    }
}

impl ArazzoExecution {
    pub fn new(workflow: Arc<Workflow>, meta: &ExecutionMeta) -> ArazzoExecution {
        let decider = arazzo::Decider::new(
            workflow.bundle.clone(),
            Some(&workflow.workflow_id),
            Options::default(),
        )
        .map_err(|e| e.to_string());
        ArazzoExecution {
            decider,
            history: History::new(Some(workflow.bundle.clone()), &meta.region, &meta.role_arn),
            workflow: Some(workflow),
            status: ExecutionStatus::Pending,
            outstanding: None,
            invocations: HashMap::new(),
        }
    }

    /// An execution of a definition that cannot be loaded now: it fails when it starts.
    pub fn unavailable(reason: &str, meta: &ExecutionMeta) -> ArazzoExecution {
        ArazzoExecution {
            decider: Err(reason.to_string()),
            workflow: None,
            history: History::new(None, &meta.region, &meta.role_arn),
            status: ExecutionStatus::Pending,
            outstanding: None,
            invocations: HashMap::new(),
        }
    }

    pub fn status(&self) -> &ExecutionStatus {
        &self.status
    }

    pub fn handle(&mut self, now: DateTime<Utc>, input: Input) -> Decision {
        let mut commands = Vec::new();
        match input {
            Input::Start { input } => self.start(now, input, &mut commands),
            Input::TaskSucceeded { task, output } => {
                let request = RequestId(task.0);
                if self.outstanding == Some(request) {
                    self.outstanding = None;
                    let answer = match serde_json::from_value::<HttpResponse>(output) {
                        Ok(response) => arazzo::Input::Response { request, response },
                        Err(e) => arazzo::Input::RequestFailed {
                            request,
                            error: format!("the task's result is not an HTTP response: {e}"),
                        },
                    };
                    self.run(now, answer, &mut commands);
                }
            }
            Input::TaskFailed { task, cause, .. } => {
                let request = RequestId(task.0);
                if self.outstanding == Some(request) {
                    self.outstanding = None;
                    let failed = arazzo::Input::RequestFailed {
                        request,
                        error: cause,
                    };
                    self.run(now, failed, &mut commands);
                }
            }
            // Requests have no heartbeats.
            Input::TaskHeartbeat { .. } => {}
            Input::TimerFired { timer } => {
                let fired = arazzo::Input::TimerFired {
                    timer: arazzo::TimerId(timer.0),
                };
                self.run(now, fired, &mut commands);
            }
            Input::Stop { error, cause } => {
                self.run(now, arazzo::Input::Stop { error, cause }, &mut commands)
            }
            Input::Terminate { error, cause } => self.terminate(now, error, cause, &mut commands),
        }
        Decision {
            events: self.history.take(),
            commands,
        }
    }

    fn start(&mut self, now: DateTime<Utc>, input: Value, commands: &mut Vec<Command>) {
        if self.status != ExecutionStatus::Pending {
            return;
        }
        self.history.started(now, &input);
        self.status = ExecutionStatus::Running;
        if let Err(reason) = &self.decider {
            let error = weft_asl::error::names::RUNTIME.to_string();
            self.history.failed(now, &error, reason);
            self.status = ExecutionStatus::Failed {
                error,
                cause: reason.clone(),
            };
            return;
        }
        self.history.set_masker(self.masker(&input));
        self.run(now, arazzo::Input::Start { inputs: input }, commands);
    }

    /// Hands an input to the decider and carries its decision across.
    fn run(&mut self, now: DateTime<Utc>, input: arazzo::Input, commands: &mut Vec<Command>) {
        let Ok(decider) = &mut self.decider else {
            return;
        };
        let decision = decider.handle(now, input);
        // Each request is a task named after the step that sends it.
        let mut senders: HashMap<RequestId, String> = decision
            .events
            .iter()
            .filter_map(|event| match event {
                arazzo::Event::RequestSent {
                    request, step_id, ..
                } => Some((*request, step_id.clone())),
                _ => None,
            })
            .collect();
        self.history.record(now, &decision.events);
        for command in decision.commands {
            commands.push(match command {
                arazzo::Command::Send { request, http } => {
                    let state_name = senders.remove(&request).unwrap_or_default();
                    let counter = self.invocations.entry(state_name.clone()).or_insert(0);
                    let invocation = *counter;
                    *counter += 1;
                    self.outstanding = Some(request);
                    Command::RunTask(TaskRequest {
                        task: TaskId(request.0),
                        state_name,
                        resource: ARAZZO_HTTP.to_string(),
                        parameters: serde_json::to_value(&http).unwrap_or(Value::Null),
                        invocation,
                        task_token: None,
                        timeout_seconds: None,
                        heartbeat_seconds: None,
                    })
                }
                arazzo::Command::StartTimer { timer, fire_at } => Command::StartTimer {
                    timer: TimerId(timer.0),
                    fire_at,
                },
                arazzo::Command::CancelTimer { timer } => Command::CancelTimer {
                    timer: TimerId(timer.0),
                },
            });
        }
        self.status = execution_status(decider.status());
        if self.status.is_terminal() {
            // A stop abandons the request in flight: nothing may wait for it any more.
            if let Some(request) = self.outstanding.take() {
                commands.push(Command::CancelTask {
                    task: TaskId(request.0),
                });
            }
            // The decider records every end; should one go unrecorded, the history
            // still ends.
            match &self.status {
                ExecutionStatus::Succeeded {
                    output: Value::Object(outputs),
                } => self.history.succeeded(now, outputs),
                ExecutionStatus::Failed { error, cause } => self.history.failed(now, error, cause),
                ExecutionStatus::Aborted { error, cause } => {
                    self.history
                        .aborted(now, error.as_deref(), cause.as_deref())
                }
                _ => {}
            }
        }
    }

    /// Ends a running execution as failed, with an error no action sees. The decider has
    /// no such input: it is stopped, and the end recorded as the failure.
    fn terminate(
        &mut self,
        now: DateTime<Utc>,
        error: String,
        cause: String,
        commands: &mut Vec<Command>,
    ) {
        if self.status != ExecutionStatus::Running {
            return;
        }
        if let Ok(decider) = &mut self.decider {
            let stopped = decider.handle(
                now,
                arazzo::Input::Stop {
                    error: None,
                    cause: None,
                },
            );
            for command in stopped.commands {
                if let arazzo::Command::CancelTimer { timer } = command {
                    commands.push(Command::CancelTimer {
                        timer: TimerId(timer.0),
                    });
                }
            }
        }
        if let Some(request) = self.outstanding.take() {
            commands.push(Command::CancelTask {
                task: TaskId(request.0),
            });
        }
        self.history.failed(now, &error, &cause);
        self.status = ExecutionStatus::Failed { error, cause };
    }

    /// Masks the inputs the root workflow's schema marks as secrets.
    fn masker(&self, inputs: &Value) -> Masker {
        let Some(workflow) = &self.workflow else {
            return Masker::default();
        };
        let root = &workflow.bundle.root().document;
        let schema = root
            .workflow(&workflow.workflow_id)
            .and_then(|w| w.inputs.as_ref())
            .map(|schema| {
                // `$ref: '#/components/inputs/<name>'` names a schema of the components.
                schema
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/inputs/"))
                    .and_then(|name| root.components.as_ref()?.inputs.get(name))
                    .unwrap_or(schema)
            });
        Masker::new(secret_values(schema, inputs))
    }
}
