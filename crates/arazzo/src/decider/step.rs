//! Running a step of the top frame: entering it (building and sending the request, or
//! starting the called workflow) and judging its result.

use serde_json::{Map, Value};

use super::errors::{self, Failure};
use super::frame::{Current, Role, find_workflow, workflow};
use super::{Command, Decider, Event, RequestId, Waiting, Work, outputs};
use crate::criteria;
use crate::document::{Criterion, StepTarget};
use crate::exchange::{HttpRequest, HttpResponse};
use crate::expression::Scope;
use crate::request::{self, RequestError};

/// A request that was sent, with its response once it came.
#[derive(Debug, Clone)]
pub(super) struct Exchange {
    pub http: HttpRequest,
    pub path: Map<String, Value>,
    pub body: Option<Value>,
    /// The response and its body as a value.
    pub response: Option<(HttpResponse, Value)>,
}

/// What a step produced, before its success is judged.
#[derive(Debug)]
pub(super) struct StepResult {
    /// Operation steps: the request, and the response if one came.
    pub exchange: Option<Exchange>,
    /// Workflow steps: the called workflow's outputs, when it succeeded.
    pub child_outputs: Option<Map<String, Value>>,
    /// Set when the step failed already (no response, the request could not be built,
    /// the called workflow failed); `None`: judge it by its `successCriteria`.
    pub failure: Option<Failure>,
}

impl Decider {
    /// A failure of the top frame's current step.
    pub(super) fn step_failure(&self, error: &str, what: impl std::fmt::Display) -> Failure {
        let Some(frame) = self.frames.last() else {
            return Failure::new(error, what.to_string());
        };
        let wf = workflow(&self.bundle, frame.key);
        match frame.current.and_then(|c| wf.steps.get(c.step)) {
            Some(step) => Failure::step(error, &frame.id, &step.step_id, what),
            None => Failure::workflow(error, &frame.id, what),
        }
    }

    fn step_failed_now(&mut self, failure: Failure) {
        self.queue.push_back(Work::StepDone(Box::new(StepResult {
            exchange: None,
            child_outputs: None,
            failure: Some(failure),
        })));
    }

    pub(super) fn enter_step(&mut self, step: usize, retry: bool, subroutine: bool) {
        let bundle = self.bundle.clone();
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        let wf = workflow(&bundle, frame.key);
        let Some(definition) = wf.steps.get(step) else {
            return;
        };
        self.steps_run = self.steps_run.saturating_add(1);
        if self.steps_run > self.options.max_steps {
            let failure = Failure::step(
                errors::MAX_STEPS_EXCEEDED,
                &frame.id,
                &definition.step_id,
                format_args!(
                    "the execution reached its limit of {} steps before running it",
                    self.options.max_steps
                ),
            );
            self.fail_execution(failure);
            return;
        }
        let attempt = if retry || subroutine {
            let a = frame.attempts.entry(step).or_insert(0);
            *a += 1;
            *a
        } else {
            // Entered by normal flow: its retries start again.
            frame.retries.retain(|(s, _), _| *s != step);
            frame.attempts.insert(step, 1);
            1
        };
        frame.current = Some(Current { step, subroutine });
        self.out.events.push(Event::StepStarted {
            workflow_id: frame.id.clone(),
            step_id: definition.step_id.clone(),
            attempt,
        });
        match definition.target() {
            Some(StepTarget::WorkflowId(reference)) => self.call_workflow(step, reference),
            Some(_) => self.send_request(step),
            None => {
                let failure = self.step_failure(
                    errors::OPERATION_NOT_FOUND,
                    "it must name exactly one of operationId, operationPath and workflowId",
                );
                self.step_failed_now(failure);
            }
        }
    }

    fn send_request(&mut self, step: usize) {
        let bundle = self.bundle.clone();
        let Some(frame) = self.frames.last() else {
            return;
        };
        let wf = workflow(&bundle, frame.key);
        let definition = &wf.steps[step];
        let components = bundle.documents[frame.key.document]
            .document
            .components
            .as_ref();
        let built = match bundle.operation(frame.key.document, definition) {
            Err(e) => Err(Failure::step(
                errors::OPERATION_NOT_FOUND,
                &frame.id,
                &definition.step_id,
                format_args!("its operation cannot be found: {e}"),
            )),
            Ok(operation) => {
                request::step_parameters(&wf.parameters, &definition.parameters, components, true)
                    .and_then(|parameters| {
                        let empty = Map::new();
                        let scope = self.scope(frame, &empty, None);
                        request::build(
                            &operation,
                            &parameters,
                            definition.request_body.as_ref(),
                            &scope,
                        )
                    })
                    .map_err(|e| {
                        let name = match e {
                            RequestError::Expression(_) => errors::EXPRESSION_FAILED,
                            RequestError::Invalid(_) => errors::INVALID_REQUEST,
                            RequestError::Reference(_) => errors::COMPONENT_NOT_FOUND,
                        };
                        Failure::step(
                            name,
                            &frame.id,
                            &definition.step_id,
                            format_args!("its request cannot be built: {e}"),
                        )
                    })
            }
        };
        let built = match built {
            Ok(built) => built,
            Err(failure) => return self.step_failed_now(failure),
        };
        let (workflow_id, step_id) = (frame.id.clone(), definition.step_id.clone());
        let id = RequestId(self.fresh_id());
        self.out.events.push(Event::RequestSent {
            workflow_id,
            step_id,
            request: id,
            http: built.http.clone(),
        });
        self.out.commands.push(Command::Send {
            request: id,
            http: built.http.clone(),
        });
        self.waiting = Some(Waiting::Request {
            id,
            exchange: Box::new(Exchange {
                http: built.http,
                path: built.path,
                body: built.body,
                response: None,
            }),
        });
    }

    fn call_workflow(&mut self, step: usize, reference: &str) {
        let bundle = self.bundle.clone();
        let Some(frame) = self.frames.last() else {
            return;
        };
        let wf = workflow(&bundle, frame.key);
        let definition = &wf.steps[step];
        let components = bundle.documents[frame.key.document]
            .document
            .components
            .as_ref();
        let fail =
            |error: &str, what: String| Failure::step(error, &frame.id, &definition.step_id, what);
        let prepared = find_workflow(&bundle, frame.key.document, reference)
            .ok_or_else(|| {
                fail(
                    errors::WORKFLOW_NOT_FOUND,
                    format!("it calls workflow '{reference}', which does not exist"),
                )
            })
            .and_then(|key| {
                let parameters = request::step_parameters(
                    &wf.parameters,
                    &definition.parameters,
                    components,
                    false,
                )
                .map_err(|e| fail(errors::COMPONENT_NOT_FOUND, e.to_string()))?;
                let empty = Map::new();
                let scope = self.scope(frame, &empty, None);
                let mut inputs = Map::new();
                for p in parameters {
                    let value = outputs::value(&p.value, &scope).map_err(|e| {
                        fail(
                            errors::EXPRESSION_FAILED,
                            format!(
                                "the value of parameter '{}' cannot be evaluated: {e}",
                                p.name
                            ),
                        )
                    })?;
                    if let Some(value) = value {
                        inputs.insert(p.name, value);
                    }
                }
                Ok((key, Value::Object(inputs)))
            });
        let outcome = prepared.and_then(|(key, inputs)| self.push_frame(key, Role::Step, inputs));
        if let Err(failure) = outcome {
            self.step_failed_now(failure);
        }
    }

    /// Judges the current step's result, records it, and runs the step's actions (or,
    /// for a retry target, goes back to the retry).
    pub(super) fn step_done(&mut self, mut result: StepResult) {
        let bundle = self.bundle.clone();
        let Some(frame) = self.frames.last() else {
            return;
        };
        let Some(current) = frame.current else {
            return;
        };
        let wf = workflow(&bundle, frame.key);
        let definition = &wf.steps[current.step];
        let exchange = result.exchange.as_ref();
        let status = exchange
            .and_then(|e| e.response.as_ref())
            .map(|(r, _)| r.status);
        let empty = Map::new();
        let child_outputs = result.child_outputs.as_ref().unwrap_or(&empty);
        let scope = self.scope(frame, child_outputs, exchange);

        let judged: Result<Map<String, Value>, Failure> = match result.failure.take() {
            Some(failure) => Err(failure),
            None => success(&definition.success_criteria, &scope, status)
                .map_err(|what| {
                    Failure::step(errors::STEP_FAILED, &frame.id, &definition.step_id, what)
                })
                .and_then(|()| {
                    outputs::render(&definition.outputs, &scope, false).map_err(|(name, e)| {
                        Failure::step(
                            errors::EXPRESSION_FAILED,
                            &frame.id,
                            &definition.step_id,
                            format_args!("output '{name}' cannot be evaluated: {e}"),
                        )
                    })
                }),
        };
        let (workflow_id, step_id) = (frame.id.clone(), definition.step_id.clone());
        match judged {
            Ok(step_outputs) => {
                if let Some(frame) = self.frames.last_mut() {
                    frame.steps.insert(step_id.clone(), step_outputs.clone());
                }
                self.out.events.push(Event::StepSucceeded {
                    workflow_id,
                    step_id,
                    status,
                    outputs: step_outputs,
                });
                if current.subroutine {
                    self.resume_retry();
                } else {
                    self.success_actions(current.step, &result);
                }
            }
            Err(failure) => {
                self.out.events.push(Event::StepFailed {
                    workflow_id,
                    step_id,
                    status,
                    error: failure.error.clone(),
                    cause: failure.cause.clone(),
                });
                if current.subroutine {
                    self.queue.push_back(Work::EndFrame(Err(failure)));
                } else {
                    self.failure_actions(current.step, &result, failure);
                }
            }
        }
    }
}

/// Whether a step succeeded: every success criterion passes, or — without criteria —
/// the status is 2xx (a workflow step without criteria succeeded when its workflow did).
/// `Err` says which criteria did not pass; a criterion that cannot be evaluated counts as
/// not passing and its message is kept.
fn success(criteria: &[Criterion], scope: &Scope<'_>, status: Option<u16>) -> Result<(), String> {
    if criteria.is_empty() {
        return match status {
            Some(s) if !(200..300).contains(&s) => Err(format!(
                "the response (HTTP {s}) is not a success and the step has no successCriteria"
            )),
            _ => Ok(()),
        };
    }
    let mut unmet = Vec::new();
    for criterion in criteria {
        match criteria::evaluate(criterion, scope) {
            Ok(true) => {}
            Ok(false) => unmet.push(format!("`{}` is false", criterion.condition)),
            Err(e) => unmet.push(format!(
                "`{}` cannot be evaluated ({e})",
                criterion.condition
            )),
        }
    }
    if unmet.is_empty() {
        return Ok(());
    }
    let subject = match status {
        Some(s) => format!("the response (HTTP {s}) does not meet its success criteria"),
        None => "its success criteria are not met".to_string(),
    };
    Err(format!("{subject}: {}", unmet.join("; ")))
}

/// All criteria of an action pass (one that cannot be evaluated does not).
pub(super) fn all_pass(criteria: &[Criterion], scope: &Scope<'_>) -> bool {
    criteria
        .iter()
        .all(|c| matches!(criteria::evaluate(c, scope), Ok(true)))
}
