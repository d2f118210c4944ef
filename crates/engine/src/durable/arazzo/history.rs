//! An Arazzo execution's events in the Step Functions `HistoryEvent` vocabulary, so that
//! `GetExecutionHistory` and the tools built on it read a workflow as they read a state
//! machine:
//!
//! * `ExecutionStarted` (input: the workflow inputs as given), then one group per step:
//!   `TaskStateEntered` (name: the stepId; input: the workflow it belongs to and the
//!   attempt), `TaskScheduled` and `TaskStarted` (resourceType `http`, resource `invoke`;
//!   parameters: the request, credentials masked), then `TaskSucceeded` (output: the
//!   status and the step's outputs) and `TaskStateExited` (output: the step's outputs),
//!   or `TaskFailed` (error, cause).
//! * A step that calls a workflow is scheduled as resourceType `arazzo`, resource
//!   `workflow`; the called workflow's steps form their groups inside its group.
//! * A failed step whose workflow goes on (a `goto`, or a retry that runs another step
//!   first) exits with `{"Error", "Cause"}`, as a caught Task state does; a retry of the
//!   step itself stays in its group and schedules the request again, as a Retrier does.
//! * The execution ends with `ExecutionSucceeded` (output: the workflow outputs),
//!   `ExecutionFailed` or `ExecutionAborted`.
//!
//! Steps run one at a time, so every event points back to the one before it, except
//! `ExecutionStarted` and `ExecutionAborted`, which point to none (as the ASL decider's).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use weft_arazzo::bundle::Bundle;
use weft_arazzo::decider::Event;
use weft_arazzo::exchange::{HttpRequest, body_value};
use weft_asl::decider::{EventType, HistoryEvent};

use weft_arazzo::mask::Masker;

/// What a step group performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Http,
    Workflow,
}

impl Kind {
    fn resource(self) -> (&'static str, &'static str) {
        match self {
            Kind::Http => ("http", "invoke"),
            Kind::Workflow => ("arazzo", "workflow"),
        }
    }
}

/// A step group that has not exited.
#[derive(Debug)]
struct Open {
    step_id: String,
    kind: Kind,
    scheduled: bool,
    /// The step failed: `(error, cause)`.
    failed: Option<(String, String)>,
    /// A retry of this very step follows.
    retrying: bool,
}

#[derive(Debug)]
struct Frame {
    open: Option<Open>,
}

/// Numbers and shapes the events of one execution.
#[derive(Debug)]
pub struct History {
    bundle: Option<Arc<Bundle>>,
    region: String,
    role_arn: String,
    masker: Masker,
    next_id: u64,
    frames: Vec<Frame>,
    ended: bool,
    now: DateTime<Utc>,
    out: Vec<HistoryEvent>,
}

fn text(value: &Value) -> Value {
    Value::from(value.to_string())
}

fn not_truncated() -> Value {
    json!({"truncated": false})
}

impl History {
    pub fn new(bundle: Option<Arc<Bundle>>, region: &str, role_arn: &str) -> History {
        History {
            bundle,
            region: region.to_string(),
            role_arn: role_arn.to_string(),
            masker: Masker::default(),
            next_id: 1,
            frames: Vec::new(),
            ended: false,
            now: DateTime::<Utc>::UNIX_EPOCH,
            out: Vec::new(),
        }
    }

    pub fn set_masker(&mut self, masker: Masker) {
        self.masker = masker;
    }

    /// The events recorded since the last call.
    pub fn take(&mut self) -> Vec<HistoryEvent> {
        std::mem::take(&mut self.out)
    }

    fn emit(&mut self, event_type: EventType, details: Map<String, Value>) {
        let id = self.next_id;
        self.next_id += 1;
        let previous_event_id = match event_type {
            EventType::ExecutionStarted | EventType::ExecutionAborted => 0,
            _ => id - 1,
        };
        self.out.push(HistoryEvent {
            id,
            previous_event_id,
            timestamp: self.now,
            event_type,
            details,
        });
    }

    pub fn started(&mut self, now: DateTime<Utc>, input: &Value) {
        self.now = now;
        let mut details = Map::new();
        details.insert("input".into(), text(input));
        details.insert("inputDetails".into(), not_truncated());
        details.insert("roleArn".into(), Value::from(self.role_arn.clone()));
        self.emit(EventType::ExecutionStarted, details);
    }

    pub fn succeeded(&mut self, now: DateTime<Utc>, outputs: &Map<String, Value>) {
        if self.ended {
            return;
        }
        self.now = now;
        self.ended = true;
        let mut details = Map::new();
        details.insert("output".into(), text(&Value::Object(outputs.clone())));
        details.insert("outputDetails".into(), not_truncated());
        self.emit(EventType::ExecutionSucceeded, details);
    }

    pub fn failed(&mut self, now: DateTime<Utc>, error: &str, cause: &str) {
        if self.ended {
            return;
        }
        self.now = now;
        self.ended = true;
        let mut details = Map::new();
        details.insert("error".into(), Value::from(error));
        details.insert("cause".into(), Value::from(cause));
        self.emit(EventType::ExecutionFailed, details);
    }

    pub fn aborted(&mut self, now: DateTime<Utc>, error: Option<&str>, cause: Option<&str>) {
        if self.ended {
            return;
        }
        self.now = now;
        self.ended = true;
        let mut details = Map::new();
        if let Some(error) = error {
            details.insert("error".into(), Value::from(error));
        }
        if let Some(cause) = cause {
            details.insert("cause".into(), Value::from(cause));
        }
        self.emit(EventType::ExecutionAborted, details);
    }

    /// Records the decider's events.
    pub fn record(&mut self, now: DateTime<Utc>, events: &[Event]) {
        self.now = now;
        for event in events {
            self.event(now, event);
        }
    }

    fn event(&mut self, now: DateTime<Utc>, event: &Event) {
        match event {
            Event::WorkflowStarted { workflow_id, .. } => self.workflow_started(workflow_id),
            Event::StepStarted {
                workflow_id,
                step_id,
                attempt,
            } => self.step_started(workflow_id, step_id, *attempt),
            Event::RequestSent { http, .. } => {
                let parameters = self.request_parameters(http);
                if let Some(open) = self.open_mut() {
                    open.scheduled = true;
                }
                self.scheduled(Kind::Http, parameters);
            }
            Event::StepSucceeded {
                step_id,
                status,
                outputs,
                ..
            } => self.step_succeeded(step_id, *status, outputs),
            Event::StepFailed { error, cause, .. } => {
                let kind = self.open_mut().map_or(Kind::Http, |open| {
                    open.failed = Some((error.clone(), cause.clone()));
                    open.kind
                });
                let mut details = resource_details(kind);
                details.insert("error".into(), Value::from(error.clone()));
                details.insert("cause".into(), Value::from(cause.clone()));
                self.emit(EventType::TaskFailed, details);
            }
            Event::StepRetryScheduled { .. } => {
                if let Some(open) = self.open_mut() {
                    open.retrying = true;
                }
            }
            Event::WorkflowSucceeded { outputs, .. } => {
                self.frames.pop();
                if self.frames.is_empty() {
                    self.succeeded(now, outputs);
                }
            }
            Event::WorkflowFailed { error, cause, .. } => {
                self.frames.pop();
                if self.frames.is_empty() {
                    self.failed(now, error, cause);
                }
            }
            Event::ExecutionAborted { error, cause } => {
                self.frames.clear();
                self.aborted(now, error.as_deref(), cause.as_deref());
            }
        }
    }

    fn open_mut(&mut self) -> Option<&mut Open> {
        self.frames.last_mut()?.open.as_mut()
    }

    fn workflow_started(&mut self, workflow_id: &str) {
        // The workflow a step calls: the step's group schedules it.
        let calls = self.open_mut().is_some_and(|open| {
            let calls = open.kind == Kind::Workflow && !open.scheduled && open.failed.is_none();
            open.scheduled |= calls;
            calls
        });
        if calls {
            let parameters = json!({ "workflowId": workflow_id });
            self.scheduled(Kind::Workflow, parameters);
        }
        self.frames.push(Frame { open: None });
    }

    fn step_started(&mut self, workflow_id: &str, step_id: &str, attempt: u32) {
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        match frame.open.take() {
            Some(mut open) if open.retrying && open.step_id == step_id => {
                open.retrying = false;
                open.failed = None;
                open.scheduled = false;
                frame.open = Some(open);
                return;
            }
            Some(Open {
                step_id: left,
                failed: Some((error, cause)),
                ..
            }) => {
                let mut details = Map::new();
                details.insert("name".into(), Value::from(left));
                details.insert(
                    "output".into(),
                    text(&json!({"Error": error, "Cause": cause})),
                );
                details.insert("outputDetails".into(), not_truncated());
                self.emit(EventType::TaskStateExited, details);
            }
            _ => {}
        }
        let kind = self.kind_of(workflow_id, step_id);
        if let Some(frame) = self.frames.last_mut() {
            frame.open = Some(Open {
                step_id: step_id.to_string(),
                kind,
                scheduled: false,
                failed: None,
                retrying: false,
            });
        }
        let mut details = Map::new();
        details.insert("name".into(), Value::from(step_id));
        details.insert(
            "input".into(),
            text(&json!({"workflowId": workflow_id, "attempt": attempt})),
        );
        details.insert("inputDetails".into(), not_truncated());
        self.emit(EventType::TaskStateEntered, details);
    }

    fn scheduled(&mut self, kind: Kind, parameters: Value) {
        let mut details = resource_details(kind);
        details.insert("region".into(), Value::from(self.region.clone()));
        details.insert("parameters".into(), text(&parameters));
        self.emit(EventType::TaskScheduled, details);
        self.emit(EventType::TaskStarted, resource_details(kind));
    }

    fn step_succeeded(&mut self, step_id: &str, status: Option<u16>, outputs: &Map<String, Value>) {
        let kind = self
            .frames
            .last_mut()
            .and_then(|f| f.open.take())
            .map_or(Kind::Http, |open| open.kind);
        let mut result = Map::new();
        if let Some(status) = status {
            result.insert("status".into(), Value::from(status));
        }
        result.insert("outputs".into(), Value::Object(outputs.clone()));
        let mut details = resource_details(kind);
        details.insert("output".into(), text(&Value::Object(result)));
        details.insert("outputDetails".into(), not_truncated());
        self.emit(EventType::TaskSucceeded, details);
        let mut details = Map::new();
        details.insert("name".into(), Value::from(step_id));
        details.insert("output".into(), text(&Value::Object(outputs.clone())));
        details.insert("outputDetails".into(), not_truncated());
        self.emit(EventType::TaskStateExited, details);
    }

    /// Whether the step calls a workflow, from the document that defines it.
    fn kind_of(&self, workflow_id: &str, step_id: &str) -> Kind {
        let calls_workflow = self.bundle.as_ref().is_some_and(|bundle| {
            bundle
                .documents
                .iter()
                .filter_map(|d| d.document.workflow(workflow_id))
                .find_map(|w| w.steps.iter().find(|s| s.step_id == step_id))
                .is_some_and(|s| s.workflow_id.is_some())
        });
        if calls_workflow {
            Kind::Workflow
        } else {
            Kind::Http
        }
    }

    /// The request as the history shows it: credentials and secret inputs masked, a
    /// JSON body as JSON.
    fn request_parameters(&self, http: &HttpRequest) -> Value {
        let mut headers = Map::new();
        for (name, value) in &http.headers {
            let shown = self.masker.header(name, value);
            // Repeated fields combine into one, comma-separated (RFC 9110 §5.3).
            match headers.get_mut(name) {
                Some(Value::String(existing)) => {
                    existing.push_str(", ");
                    existing.push_str(&shown);
                }
                _ => {
                    headers.insert(name.clone(), Value::from(shown));
                }
            }
        }
        let mut parameters = Map::new();
        parameters.insert("method".into(), Value::from(http.method.clone()));
        parameters.insert("url".into(), Value::from(self.masker.text(&http.url)));
        parameters.insert("headers".into(), Value::Object(headers));
        if let Some(body) = &http.body {
            let value = body_value(http.header("content-type"), body);
            parameters.insert("body".into(), self.masker.value(&value));
        }
        Value::Object(parameters)
    }
}

fn resource_details(kind: Kind) -> Map<String, Value> {
    let (resource_type, resource) = kind.resource();
    let mut details = Map::new();
    details.insert("resourceType".into(), Value::from(resource_type));
    details.insert("resource".into(), Value::from(resource));
    details
}

#[cfg(test)]
mod tests {
    use super::*;
    use weft_arazzo::exchange::HttpRequest;

    fn at() -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH
    }

    fn started(workflow: &str) -> Event {
        Event::WorkflowStarted {
            workflow_id: workflow.into(),
            inputs: json!({}),
        }
    }

    fn step(workflow: &str, step: &str, attempt: u32) -> Event {
        Event::StepStarted {
            workflow_id: workflow.into(),
            step_id: step.into(),
            attempt,
        }
    }

    fn sent(workflow: &str, step: &str, headers: &[(&str, &str)]) -> Event {
        Event::RequestSent {
            workflow_id: workflow.into(),
            step_id: step.into(),
            request: weft_arazzo::decider::RequestId(1),
            http: HttpRequest {
                method: "GET".into(),
                url: "http://api.test/x?key=k3y".into(),
                headers: headers
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
                body: None,
                aws_signing: None,
            },
        }
    }

    fn failed(workflow: &str, step: &str) -> Event {
        Event::StepFailed {
            workflow_id: workflow.into(),
            step_id: step.into(),
            status: Some(500),
            error: "Arazzo.StepFailed".into(),
            cause: "no".into(),
        }
    }

    fn succeeded(workflow: &str, step: &str) -> Event {
        Event::StepSucceeded {
            workflow_id: workflow.into(),
            step_id: step.into(),
            status: Some(200),
            outputs: Map::new(),
        }
    }

    fn record(events: &[Event]) -> Vec<HistoryEvent> {
        let mut history = History::new(None, "eu-west-1", "role");
        history.set_masker(Masker::new(["k3y".to_string()]));
        history.started(at(), &json!({}));
        history.record(at(), events);
        history.take()
    }

    fn parsed(event: &HistoryEvent, member: &str) -> Value {
        serde_json::from_str(event.details[member].as_str().unwrap_or_default()).unwrap()
    }

    fn types(events: &[HistoryEvent]) -> Vec<&str> {
        events.iter().map(|e| e.event_type.name()).collect()
    }

    #[test]
    fn a_failed_step_the_workflow_moves_on_from_exits_with_its_error() {
        let events = record(&[
            started("w"),
            step("w", "a", 1),
            sent("w", "a", &[]),
            failed("w", "a"),
            // A failure action `goto` step b.
            step("w", "b", 1),
            sent("w", "b", &[]),
            succeeded("w", "b"),
            Event::WorkflowSucceeded {
                workflow_id: "w".into(),
                outputs: Map::new(),
            },
        ]);
        assert_eq!(
            types(&events),
            [
                "ExecutionStarted",
                "TaskStateEntered",
                "TaskScheduled",
                "TaskStarted",
                "TaskFailed",
                "TaskStateExited",
                "TaskStateEntered",
                "TaskScheduled",
                "TaskStarted",
                "TaskSucceeded",
                "TaskStateExited",
                "ExecutionSucceeded"
            ]
        );
        assert_eq!(events[5].details["name"], "a");
        assert_eq!(
            parsed(&events[5], "output"),
            json!({"Error": "Arazzo.StepFailed", "Cause": "no"})
        );
        for (i, event) in events.iter().enumerate() {
            assert_eq!(event.id, i as u64 + 1);
            assert_eq!(event.previous_event_id, i as u64);
        }
    }

    #[test]
    fn a_retry_that_runs_another_step_first_opens_a_new_group() {
        let events = record(&[
            started("w"),
            step("w", "a", 1),
            sent("w", "a", &[]),
            failed("w", "a"),
            Event::StepRetryScheduled {
                workflow_id: "w".into(),
                step_id: "a".into(),
                delay_ms: 0,
            },
            step("w", "login", 1),
            sent("w", "login", &[]),
            succeeded("w", "login"),
            step("w", "a", 2),
            sent("w", "a", &[]),
            succeeded("w", "a"),
        ]);
        let entered: Vec<&Value> = events
            .iter()
            .filter(|e| e.event_type == EventType::TaskStateEntered)
            .map(|e| &e.details["name"])
            .collect();
        assert_eq!(entered, ["a", "login", "a"]);
        assert_eq!(events[11].event_type, EventType::TaskStateEntered);
        assert_eq!(
            parsed(&events[11], "input"),
            json!({"workflowId": "w", "attempt": 2})
        );
    }

    #[test]
    fn the_steps_of_a_dependency_stand_on_their_own_and_an_abort_points_nowhere() {
        let events = record(&[
            started("w"),
            started("dep"),
            step("dep", "d", 1),
            sent(
                "dep",
                "d",
                &[("Cookie", "id=1"), ("Accept", "a"), ("Accept", "b")],
            ),
            Event::ExecutionAborted {
                error: None,
                cause: Some("c".into()),
            },
        ]);
        assert_eq!(
            types(&events),
            [
                "ExecutionStarted",
                "TaskStateEntered",
                "TaskScheduled",
                "TaskStarted",
                "ExecutionAborted"
            ]
        );
        assert_eq!(
            parsed(&events[2], "parameters"),
            json!({"method": "GET", "url": "http://api.test/x?key=********",
                   "headers": {"Cookie": "********", "Accept": "a, b"}})
        );
        assert_eq!(events[2].details["region"], "eu-west-1");
        assert_eq!(events[4].previous_event_id, 0);
        assert_eq!(events[4].details, {
            let mut m = Map::new();
            m.insert("cause".into(), json!("c"));
            m
        });
    }
}
