//! The decider: runs one Arazzo workflow as a pure, deterministic state machine.
//!
//! The caller feeds it [`Input`]s (start, HTTP responses, failed requests, timers
//! firing, stop) with the current time; each call returns a [`Decision`]: the
//! [`Event`]s to record and the [`Command`]s to carry out (send a request, start a
//! timer). Nothing here performs I/O or reads a clock, so replaying the same inputs
//! reproduces the same events — the same logic runs in `weft run` and, durably, in the
//! server.
//!
//! An execution is a stack of *frames*, one per running workflow: the root, and above it
//! the workflows it is waiting for (a dependency from `dependsOn`, the target of a
//! workflow step, of a `goto` or of a `retry`). Only the top frame acts; work is processed
//! from a queue rather than by recursion, so goto loops and deep nesting cannot grow the
//! stack. At most one request or one timer is outstanding at a time: steps run in order.
//!
//! Readings of the specification (Arazzo 1.0.1, with 1.1.0 where 1.0.1 is silent):
//!
//! * **Success without `successCriteria`** is a 2xx status for an operation step, and the
//!   called workflow's success for a workflow step. 1.0.1 does not say; the criteria are
//!   how a document states success, so without them the HTTP meaning of the status is
//!   the only evidence.
//! * **Actions**: the step's `onSuccess`/`onFailure` followed by the workflow's
//!   `successActions`/`failureActions` whose names the step does not override ("the new
//!   definition will override it but can never remove it"); the first whose `criteria` all
//!   pass runs ("the first sequential action matching the criteria SHALL be the action
//!   executed"). Criteria see the step's `$statusCode`, `$request…` and `$response…`.
//!   A failure action `end` fails the workflow; no matching failure action fails it too
//!   ("the default behavior is to break and return").
//! * **`retry`**: `retryLimit` absent means one retry ("If not specified then a single
//!   retry SHALL be attempted"); retries are counted per step and action since the step
//!   was last entered by normal flow (a `goto` or the next step), and an exhausted retry
//!   action gives way to the next matching action in the list ("The `retryLimit` MUST be
//!   exhausted prior to executing subsequent failure actions"). The delay is the
//!   response's `Retry-After` (delta-seconds or HTTP-date, RFC 9110 §10.2.3), which "SHOULD
//!   overrule" `retryAfter`, else `retryAfter` seconds, else none, counted from the failure.
//!   With a `stepId` or `workflowId` the target runs first ("the reference is executed and
//!   the context is returned, after which the current step is retried"): the step runs once
//!   without its own actions, the workflow runs to its end; if the target fails, the
//!   workflow fails with it.
//! * **`goto` a workflow** ("a one-way transfer of workflow control"): the target runs with
//!   the current workflow's inputs; control does not come back to any step, and the
//!   current workflow then ends as the target did — on success with its own `outputs`
//!   (which may read the target's through `$workflows.<id>.outputs`), on failure with the
//!   target's error.
//! * **Workflow steps**: the step's parameters (`in` ignored) are the called workflow's
//!   inputs; it runs in its own frame with its own steps, outputs, components and sources.
//!   The step's `successCriteria` and `outputs` read the called workflow's outputs as
//!   `$outputs.<name>` (what the step returned, as `$response` is for an operation step)
//!   and as `$workflows.<id>.outputs.<name>`. A failed called workflow fails the step,
//!   whose failure actions then apply.
//! * **`dependsOn`**: the listed workflows run first, in order, each at most once per
//!   execution (a workflow that already succeeded in this execution is not run again),
//!   with the dependent workflow's inputs — 1.0.1 gives them no other source, and a
//!   dependency typically needs the same credentials. A failed dependency fails the
//!   dependent workflow.
//! * **Outputs** of steps and workflows whose expression refers to nothing (a step that
//!   did not run, a missing member) are left out rather than set to `null`.
//! * **Inputs** get their schema's `default`s, then are validated (JSON Schema 2020-12);
//!   workflows called by other workflows are checked the same way.

mod actions;
pub mod errors;
mod frame;
mod inputs;
mod outputs;
mod step;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::bundle::Bundle;
use crate::exchange::{HttpRequest, HttpResponse};
use crate::expression::{RequestView, ResponseView, Scope, WorkflowValues};

use errors::Failure;
use frame::{Frame, Role, WorkflowKey};
pub use inputs::secret_values;
use step::{Exchange, StepResult};

/// How deep workflows may call one another (workflow steps, `dependsOn`, `goto` and
/// `retry` targets): a workflow that calls itself ends here.
pub const MAX_DEPTH: usize = 32;

/// How many steps (requests and sub-workflow calls, retries included) one execution may
/// run before it fails: goto loops such as a poll on a step's own result end here.
pub const DEFAULT_MAX_STEPS: u32 = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub max_steps: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_steps: DEFAULT_MAX_STEPS,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestId(pub u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TimerId(pub u64);

/// Something that happened to the execution. Serialisable, so that an engine can
/// journal inputs and replay them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Input {
    /// Starts the workflow with these inputs (an object).
    Start {
        inputs: Value,
    },
    Response {
        request: RequestId,
        response: HttpResponse,
    },
    /// The request could not be carried out (connection refused, time-out, …).
    RequestFailed {
        request: RequestId,
        error: String,
    },
    TimerFired {
        timer: TimerId,
    },
    /// Stops the execution between requests: a request in flight is abandoned and its
    /// response ignored.
    Stop {
        error: Option<String>,
        cause: Option<String>,
    },
}

/// Work for the caller. Results come back as [`Input`]s.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Send {
        request: RequestId,
        http: HttpRequest,
    },
    StartTimer {
        timer: TimerId,
        fire_at: DateTime<Utc>,
    },
    CancelTimer {
        timer: TimerId,
    },
}

/// What the history records. `workflow_id` is the workflow the step belongs to (a
/// sub-workflow's steps name the sub-workflow).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    WorkflowStarted {
        workflow_id: String,
        inputs: Value,
    },
    StepStarted {
        workflow_id: String,
        step_id: String,
        /// 1 for the first run of the step, 2 for its first retry, …
        attempt: u32,
    },
    RequestSent {
        workflow_id: String,
        step_id: String,
        request: RequestId,
        http: HttpRequest,
    },
    StepSucceeded {
        workflow_id: String,
        step_id: String,
        /// The response status (absent for a step that called a workflow).
        status: Option<u16>,
        outputs: Map<String, Value>,
    },
    StepFailed {
        workflow_id: String,
        step_id: String,
        status: Option<u16>,
        error: String,
        cause: String,
    },
    /// A failure action of type `retry` chose to run the step again.
    StepRetryScheduled {
        workflow_id: String,
        step_id: String,
        /// How long until the retry runs (`retryAfter`, or the response's `Retry-After`).
        delay_ms: u64,
    },
    WorkflowSucceeded {
        workflow_id: String,
        outputs: Map<String, Value>,
    },
    WorkflowFailed {
        workflow_id: String,
        error: String,
        cause: String,
    },
    ExecutionAborted {
        error: Option<String>,
        cause: Option<String>,
    },
}

#[derive(Debug, Default)]
pub struct Decision {
    pub events: Vec<Event>,
    pub commands: Vec<Command>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Not started yet.
    Pending,
    Running,
    Succeeded {
        outputs: Map<String, Value>,
    },
    Failed {
        error: String,
        cause: String,
    },
    Aborted {
        error: Option<String>,
        cause: Option<String>,
    },
}

impl Status {
    pub fn is_terminal(&self) -> bool {
        !matches!(self, Status::Pending | Status::Running)
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct DeciderError(pub String);

/// What the execution waits for.
#[derive(Debug)]
enum Waiting {
    /// The response to the top frame's current step.
    Request {
        id: RequestId,
        exchange: Box<Exchange>,
    },
    /// The delay before retrying `step` of the top frame.
    Timer { id: TimerId, step: usize },
}

/// Pending work for the top frame, processed in order until the queue is empty.
#[derive(Debug)]
enum Work {
    /// Run the next workflow of `dependsOn`, or the first step once they are done.
    NextDependency,
    /// Run a step. `retry`: again after a failure (its retry counts are kept);
    /// `subroutine`: as the target of a retry action (its own actions do not run).
    EnterStep {
        step: usize,
        retry: bool,
        subroutine: bool,
    },
    /// The current step has a result (a response, a failure, a called workflow's end).
    StepDone(Box<StepResult>),
    /// The top frame's workflow ends: `Ok` renders its outputs.
    EndFrame(Result<(), Failure>),
}

/// One execution of a workflow.
#[derive(Debug)]
pub struct Decider {
    bundle: Arc<Bundle>,
    options: Options,
    root: WorkflowKey,
    /// Per document of the bundle, its source descriptions as written, for
    /// `$sourceDescriptions.<name>.<field>`.
    sources: Vec<IndexMap<String, Value>>,
    status: Status,
    frames: Vec<Frame>,
    /// Inputs and outputs of the workflows that succeeded so far, by workflowId.
    workflows: HashMap<String, WorkflowValues>,
    /// Workflows that succeeded so far (a dependency runs at most once).
    completed: HashSet<WorkflowKey>,
    waiting: Option<Waiting>,
    queue: VecDeque<Work>,
    steps_run: u32,
    next_id: u64,
    now: DateTime<Utc>,
    out: Decision,
}

impl Decider {
    /// Prepares an execution of `workflow_id` of the bundle's root document (the first
    /// workflow when `None`).
    pub fn new(
        bundle: Arc<Bundle>,
        workflow_id: Option<&str>,
        options: Options,
    ) -> Result<Decider, DeciderError> {
        let root = bundle
            .documents
            .first()
            .ok_or_else(|| DeciderError("the bundle holds no document".into()))?;
        let index = match workflow_id {
            None => {
                if root.document.workflows.is_empty() {
                    return Err(DeciderError("the document defines no workflow".into()));
                }
                0
            }
            Some(id) => root
                .document
                .workflows
                .iter()
                .position(|w| w.workflow_id == id)
                .ok_or_else(|| {
                    let known: Vec<&str> = root
                        .document
                        .workflows
                        .iter()
                        .map(|w| w.workflow_id.as_str())
                        .collect();
                    DeciderError(format!(
                        "the document has no workflow '{id}' (it has: {})",
                        known.join(", ")
                    ))
                })?,
        };
        let sources = bundle
            .documents
            .iter()
            .map(|d| {
                d.document
                    .source_descriptions
                    .iter()
                    .map(|s| {
                        let value = serde_json::to_value(s).unwrap_or(Value::Null);
                        (s.name.clone(), value)
                    })
                    .collect()
            })
            .collect();
        Ok(Decider {
            bundle,
            options,
            root: WorkflowKey { document: 0, index },
            sources,
            status: Status::Pending,
            frames: Vec::new(),
            workflows: HashMap::new(),
            completed: HashSet::new(),
            waiting: None,
            queue: VecDeque::new(),
            steps_run: 0,
            next_id: 1,
            now: DateTime::<Utc>::UNIX_EPOCH,
            out: Decision::default(),
        })
    }

    /// Handles one input at time `now`. Inputs the execution no longer waits for (a
    /// response after a stop, a second start) change nothing.
    pub fn handle(&mut self, now: DateTime<Utc>, input: Input) -> Decision {
        self.now = now;
        match input {
            Input::Start { inputs } => self.start(inputs),
            Input::Response { request, response } => self.response(request, response),
            Input::RequestFailed { request, error } => self.request_failed(request, error),
            Input::TimerFired { timer } => self.timer_fired(timer),
            Input::Stop { error, cause } => self.stop(error, cause),
        }
        self.drain();
        std::mem::take(&mut self.out)
    }

    pub fn status(&self) -> &Status {
        &self.status
    }

    fn start(&mut self, inputs: Value) {
        if self.status != Status::Pending {
            return;
        }
        self.status = Status::Running;
        // The root frame is the first: it cannot be too deep.
        let _ = self.push_frame(self.root, Role::Root, inputs);
    }

    fn stop(&mut self, error: Option<String>, cause: Option<String>) {
        if self.status.is_terminal() {
            return;
        }
        self.clear();
        self.out.events.push(Event::ExecutionAborted {
            error: error.clone(),
            cause: cause.clone(),
        });
        self.status = Status::Aborted { error, cause };
    }

    fn response(&mut self, request: RequestId, response: HttpResponse) {
        let Some(mut exchange) = self.take_request(request) else {
            return;
        };
        let body = response.body_value();
        exchange.response = Some((response, body));
        self.queue.push_back(Work::StepDone(Box::new(StepResult {
            exchange: Some(exchange),
            child_outputs: None,
            failure: None,
        })));
    }

    fn request_failed(&mut self, request: RequestId, error: String) {
        let Some(exchange) = self.take_request(request) else {
            return;
        };
        let failure = self.step_failure(
            errors::REQUEST_FAILED,
            format!("the request could not be sent: {error}"),
        );
        self.queue.push_back(Work::StepDone(Box::new(StepResult {
            exchange: Some(exchange),
            child_outputs: None,
            failure: Some(failure),
        })));
    }

    /// The outstanding request, if `request` is it and the execution still runs.
    fn take_request(&mut self, request: RequestId) -> Option<Exchange> {
        if self.status != Status::Running {
            return None;
        }
        match self.waiting.take() {
            Some(Waiting::Request { id, exchange }) if id == request => Some(*exchange),
            other => {
                self.waiting = other;
                None
            }
        }
    }

    fn timer_fired(&mut self, timer: TimerId) {
        if self.status != Status::Running {
            return;
        }
        match self.waiting.take() {
            Some(Waiting::Timer { id, step }) if id == timer => {
                self.queue.push_back(Work::EnterStep {
                    step,
                    retry: true,
                    subroutine: false,
                });
            }
            other => self.waiting = other,
        }
    }

    fn drain(&mut self) {
        while let Some(work) = self.queue.pop_front() {
            if self.status != Status::Running || self.frames.is_empty() {
                self.queue.clear();
                break;
            }
            match work {
                Work::NextDependency => self.next_dependency(),
                Work::EnterStep {
                    step,
                    retry,
                    subroutine,
                } => self.enter_step(step, retry, subroutine),
                Work::StepDone(result) => self.step_done(*result),
                Work::EndFrame(outcome) => self.end_frame(outcome),
            }
        }
    }

    /// Forgets every frame and pending piece of work, cancelling the timer if one runs.
    /// A request in flight is abandoned: its response will find nothing waiting for it.
    fn clear(&mut self) {
        self.queue.clear();
        self.frames.clear();
        if let Some(Waiting::Timer { id, .. }) = self.waiting.take() {
            self.out.commands.push(Command::CancelTimer { timer: id });
        }
    }

    /// Ends the whole execution with a failure no action can handle (a limit was hit):
    /// every running workflow fails, innermost first.
    fn fail_execution(&mut self, failure: Failure) {
        for frame in self.frames.iter().rev() {
            self.out.events.push(Event::WorkflowFailed {
                workflow_id: frame.id.clone(),
                error: failure.error.clone(),
                cause: failure.cause.clone(),
            });
        }
        self.clear();
        self.status = Status::Failed {
            error: failure.error,
            cause: failure.cause,
        };
    }

    fn fresh_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// What expressions of `frame` can read. `outputs` is what `$outputs` means at that
    /// point; `exchange` supplies `$request…`, `$response…` and `$statusCode`.
    fn scope<'a>(
        &'a self,
        frame: &'a Frame,
        outputs: &'a Map<String, Value>,
        exchange: Option<&'a Exchange>,
    ) -> Scope<'a> {
        let document = &self.bundle.documents[frame.key.document];
        Scope {
            inputs: &frame.inputs,
            outputs,
            steps: &frame.steps,
            workflows: &self.workflows,
            sources: &self.sources[frame.key.document],
            components: document.document.components.as_ref(),
            request: exchange.map(|e| RequestView {
                http: &e.http,
                path: &e.path,
                body: e.body.as_ref(),
            }),
            response: exchange.and_then(|e| {
                e.response
                    .as_ref()
                    .map(|(http, body)| ResponseView { http, body })
            }),
        }
    }
}
