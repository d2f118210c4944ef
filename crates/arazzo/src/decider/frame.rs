//! Frames: one running workflow each — starting it (inputs, `dependsOn`), ending it
//! (outputs, events) and handing its outcome to whatever it runs for.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::errors::{self, Failure};
use super::{Decider, Event, MAX_DEPTH, Status, Work, inputs, outputs};
use crate::bundle::Bundle;
use crate::document::Workflow;
use crate::expression::WorkflowValues;

/// A workflow of the bundle: document index and position in its `workflows`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct WorkflowKey {
    pub document: usize,
    pub index: usize,
}

/// Why a frame runs, which says what its end means to the frame below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// The execution's workflow.
    Root,
    /// A workflow of the frame below's `dependsOn`.
    Dependency,
    /// The target of the frame below's current workflow step.
    Step,
    /// The target of a `goto` action: the frame below ends as this one does.
    Goto,
    /// The target of a `retry` action: the frame below then retries its step.
    RetryTarget,
}

/// A retry waiting for its `stepId`/`workflowId` target to finish.
#[derive(Debug, Clone, Copy)]
pub(super) struct Resume {
    pub step: usize,
    /// When the retry may run (the failure time plus the delay).
    pub fire_at: DateTime<Utc>,
}

/// The step a frame is running.
#[derive(Debug, Clone, Copy)]
pub(super) struct Current {
    pub step: usize,
    /// Run as the target of a retry action: its result goes back to the retry.
    pub subroutine: bool,
}

#[derive(Debug)]
pub(super) struct Frame {
    pub key: WorkflowKey,
    pub id: String,
    pub role: Role,
    pub inputs: Value,
    /// Step id → outputs of its latest successful run.
    pub steps: HashMap<String, Map<String, Value>>,
    pub next_dependency: usize,
    pub current: Option<Current>,
    /// Step index → attempt number of its latest run.
    pub attempts: HashMap<usize, u32>,
    /// (step index, retry action name) → retries made since the step was last entered
    /// by normal flow.
    pub retries: HashMap<(usize, String), u64>,
    pub resume: Option<Resume>,
}

/// The workflow a key names. Keys are only made from positions found in the bundle,
/// which never changes during an execution.
pub(super) fn workflow(bundle: &Bundle, key: WorkflowKey) -> &Workflow {
    &bundle.documents[key.document].document.workflows[key.index]
}

/// Finds a workflow referenced from document `document` (a workflowId of that document,
/// or `$sourceDescriptions.<name>.<workflowId>`).
pub(super) fn find_workflow(
    bundle: &Bundle,
    document: usize,
    reference: &str,
) -> Option<WorkflowKey> {
    let local = bundle.documents.get(document).and_then(|d| {
        d.document
            .workflows
            .iter()
            .position(|w| w.workflow_id == reference)
    });
    if let Some(index) = local {
        return Some(WorkflowKey { document, index });
    }
    if !reference.starts_with('$') {
        return None;
    }
    let found = bundle.workflow(document, reference)?;
    let index = bundle
        .documents
        .get(found.document)?
        .document
        .workflows
        .iter()
        .position(|w| std::ptr::eq(w, found.workflow))?;
    Some(WorkflowKey {
        document: found.document,
        index,
    })
}

impl Decider {
    /// Starts a workflow on top of the stack: defaults, `WorkflowStarted`, then either
    /// its inputs fail validation or its dependencies and steps are queued.
    pub(super) fn push_frame(
        &mut self,
        key: WorkflowKey,
        role: Role,
        mut inputs: Value,
    ) -> Result<(), Failure> {
        let bundle = self.bundle.clone();
        let wf = workflow(&bundle, key);
        if self.frames.len() >= MAX_DEPTH {
            return Err(Failure::workflow(
                errors::MAX_DEPTH_EXCEEDED,
                &wf.workflow_id,
                format_args!(
                    "it would run {MAX_DEPTH} workflows deep, the most one execution allows"
                ),
            ));
        }
        let components = bundle.documents[key.document].document.components.as_ref();
        inputs::apply_defaults(wf.inputs.as_ref(), components, &mut inputs);
        self.out.events.push(Event::WorkflowStarted {
            workflow_id: wf.workflow_id.clone(),
            inputs: inputs.clone(),
        });
        let check = inputs::validate(wf.inputs.as_ref(), components, &inputs);
        self.frames.push(Frame {
            key,
            id: wf.workflow_id.clone(),
            role,
            inputs,
            steps: HashMap::new(),
            next_dependency: 0,
            current: None,
            attempts: HashMap::new(),
            retries: HashMap::new(),
            resume: None,
        });
        match check {
            Ok(()) => self.queue.push_back(Work::NextDependency),
            Err(violations) => self.queue.push_back(Work::EndFrame(Err(Failure::workflow(
                errors::INVALID_INPUTS,
                &wf.workflow_id,
                format_args!("its inputs do not match its inputs schema: {violations}"),
            )))),
        }
        Ok(())
    }

    /// Runs the top frame's next dependency, or its first step once there is none left.
    pub(super) fn next_dependency(&mut self) {
        let bundle = self.bundle.clone();
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        let wf = workflow(&bundle, frame.key);
        let Some(reference) = wf.depends_on.get(frame.next_dependency) else {
            self.queue.push_back(if wf.steps.is_empty() {
                Work::EndFrame(Ok(()))
            } else {
                Work::EnterStep {
                    step: 0,
                    retry: false,
                    subroutine: false,
                }
            });
            return;
        };
        frame.next_dependency += 1;
        let (document, frame_inputs) = (frame.key.document, frame.inputs.clone());
        let Some(key) = find_workflow(&bundle, document, reference) else {
            self.queue.push_back(Work::EndFrame(Err(Failure::workflow(
                errors::WORKFLOW_NOT_FOUND,
                &wf.workflow_id,
                format_args!("it depends on workflow '{reference}', which does not exist"),
            ))));
            return;
        };
        if self.completed.contains(&key) {
            self.queue.push_back(Work::NextDependency);
            return;
        }
        if self.frames.iter().any(|f| f.key == key) {
            self.queue.push_back(Work::EndFrame(Err(Failure::workflow(
                errors::DEPENDENCY_CYCLE,
                &wf.workflow_id,
                format_args!("it depends on workflow '{reference}', which is waiting for it"),
            ))));
            return;
        }
        if let Err(failure) = self.push_frame(key, Role::Dependency, frame_inputs) {
            self.queue.push_back(Work::EndFrame(Err(failure)));
        }
    }

    /// Ends the top frame: renders its outputs on success, records the end, and hands
    /// the outcome to the frame below (or ends the execution).
    pub(super) fn end_frame(&mut self, outcome: Result<(), Failure>) {
        let bundle = self.bundle.clone();
        let Some(frame) = self.frames.last() else {
            return;
        };
        let wf = workflow(&bundle, frame.key);
        let outcome = outcome.and_then(|()| {
            let empty = Map::new();
            let scope = self.scope(frame, &empty, None);
            outputs::render(&wf.outputs, &scope, true).map_err(|(name, e)| {
                Failure::workflow(
                    errors::EXPRESSION_FAILED,
                    &wf.workflow_id,
                    format_args!("output '{name}' cannot be evaluated: {e}"),
                )
            })
        });
        let Some(frame) = self.frames.pop() else {
            return;
        };
        // The frame's step may have left a timer or a request behind (an `end` action
        // never does, but a limit may): nothing of it outlives it.
        self.waiting = None;
        match outcome {
            Ok(outputs) => {
                self.out.events.push(Event::WorkflowSucceeded {
                    workflow_id: frame.id.clone(),
                    outputs: outputs.clone(),
                });
                self.completed.insert(frame.key);
                self.workflows.insert(
                    frame.id.clone(),
                    WorkflowValues {
                        inputs: frame.inputs.clone(),
                        outputs: outputs.clone(),
                    },
                );
                self.frame_succeeded(&frame, outputs);
            }
            Err(failure) => {
                self.out.events.push(Event::WorkflowFailed {
                    workflow_id: frame.id.clone(),
                    error: failure.error.clone(),
                    cause: failure.cause.clone(),
                });
                self.frame_failed(&frame, failure);
            }
        }
    }

    fn frame_succeeded(&mut self, frame: &Frame, outputs: Map<String, Value>) {
        match frame.role {
            Role::Root => self.status = Status::Succeeded { outputs },
            Role::Dependency => self.queue.push_back(Work::NextDependency),
            Role::Step => self
                .queue
                .push_back(Work::StepDone(Box::new(super::StepResult {
                    exchange: None,
                    child_outputs: Some(outputs),
                    failure: None,
                }))),
            Role::Goto => self.queue.push_back(Work::EndFrame(Ok(()))),
            Role::RetryTarget => self.resume_retry(),
        }
    }

    fn frame_failed(&mut self, frame: &Frame, failure: Failure) {
        let below = self.frames.last().map(|f| f.id.clone()).unwrap_or_default();
        match frame.role {
            Role::Root => {
                self.status = Status::Failed {
                    error: failure.error,
                    cause: failure.cause,
                }
            }
            Role::Dependency => self.queue.push_back(Work::EndFrame(Err(Failure::workflow(
                &failure.error,
                &below,
                format_args!("its dependency '{}' failed. {}", frame.id, failure.cause),
            )))),
            Role::Step => {
                let failure = self.step_failure(
                    &failure.error,
                    format_args!("workflow '{}' failed. {}", frame.id, failure.cause),
                );
                self.queue
                    .push_back(Work::StepDone(Box::new(super::StepResult {
                        exchange: None,
                        child_outputs: None,
                        failure: Some(failure),
                    })));
            }
            Role::Goto | Role::RetryTarget => {
                let failure = Failure::workflow(
                    &failure.error,
                    &below,
                    format_args!(
                        "workflow '{}', which it handed control to, failed. {}",
                        frame.id, failure.cause
                    ),
                );
                self.queue.push_back(Work::EndFrame(Err(failure)));
            }
        }
    }
}
