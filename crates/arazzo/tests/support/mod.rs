//! Driving a decider in tests: bundles from in-memory documents, scripted responses, and
//! compact traces of the events.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;
use weft_arazzo::bundle::Bundle;
use weft_arazzo::decider::{
    Command, Decider, Decision, Event, Input, Options, RequestId, Status, TimerId,
};
use weft_arazzo::exchange::{HttpRequest, HttpResponse};

/// The test API: one server and a handful of operations.
pub const API: &str = r#"
openapi: 3.1.0
info: {title: Test API, version: "1"}
servers:
  - url: https://api.example.com/v1
paths:
  /items:
    get:
      operationId: listItems
      parameters:
        - {name: tag, in: query, schema: {type: array, items: {type: string}}}
        - {name: ids, in: query, explode: false, schema: {type: array, items: {type: string}}}
      responses: {'200': {description: ok}}
    post:
      operationId: createItem
      requestBody:
        content:
          application/json: {schema: {type: object}}
      responses: {'201': {description: created}}
  /items/{itemId}:
    get:
      operationId: getItem
      parameters:
        - {name: itemId, in: path, required: true, schema: {type: string}}
      responses: {'200': {description: ok}}
    delete:
      operationId: deleteItem
      parameters:
        - {name: itemId, in: path, required: true, schema: {type: string}}
      responses: {'204': {description: gone}}
  /forms:
    post:
      operationId: postForm
      requestBody:
        content:
          application/x-www-form-urlencoded: {schema: {type: object}}
      responses: {'200': {description: ok}}
  /orders:
    post:
      operationId: postXml
      requestBody:
        content:
          application/xml: {schema: {type: object}}
      responses: {'200': {description: ok}}
  /token:
    post:
      operationId: refreshToken
      responses: {'200': {description: ok}}
"#;

/// Loads an Arazzo document whose source description `api` is `./api.yaml` (the test
/// API above unless `apis` names others by file name).
pub fn bundle_with(arazzo: &str, apis: &[(&str, &str)]) -> Arc<Bundle> {
    let files: HashMap<String, String> = apis
        .iter()
        .map(|(name, text)| (format!("file:///work/{name}"), text.to_string()))
        .collect();
    let mut read = |url: &str| -> Result<String, String> {
        files
            .get(url)
            .cloned()
            .ok_or_else(|| format!("no file {url}"))
    };
    match Bundle::load("file:///work/flow.arazzo.yaml", arazzo, &mut read) {
        Ok(bundle) => Arc::new(bundle),
        Err(e) => panic!("test document does not load: {e}"),
    }
}

pub fn bundle(arazzo: &str) -> Arc<Bundle> {
    bundle_with(arazzo, &[("api.yaml", API)])
}

/// A document header with the test API as its only source.
pub fn doc(workflows: &str) -> String {
    format!(
        "arazzo: 1.0.1\ninfo: {{title: t, version: '1'}}\nsourceDescriptions:\n  - {{name: api, url: ./api.yaml, type: openapi}}\n{workflows}"
    )
}

pub fn t0() -> DateTime<Utc> {
    "2026-03-01T12:00:00Z".parse().expect("a time")
}

pub fn decider(bundle: Arc<Bundle>, workflow: Option<&str>) -> Decider {
    decider_with(bundle, workflow, Options::default())
}

pub fn decider_with(bundle: Arc<Bundle>, workflow: Option<&str>, options: Options) -> Decider {
    match Decider::new(bundle, workflow, options) {
        Ok(d) => d,
        Err(e) => panic!("no decider: {e}"),
    }
}

pub fn response(status: u16, body: &str) -> HttpResponse {
    let headers = if body.starts_with(['{', '[']) {
        vec![("Content-Type".into(), "application/json".into())]
    } else {
        vec![("Content-Type".into(), "text/plain".into())]
    };
    HttpResponse {
        status,
        headers,
        body: body.into(),
    }
}

pub fn with_header(mut r: HttpResponse, name: &str, value: &str) -> HttpResponse {
    r.headers.push((name.into(), value.into()));
    r
}

/// The requests a decision asks to send.
pub fn sends(decision: &Decision) -> Vec<(RequestId, HttpRequest)> {
    decision
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::Send { request, http } => Some((*request, http.clone())),
            _ => None,
        })
        .collect()
}

pub fn timers(decision: &Decision) -> Vec<(TimerId, DateTime<Utc>)> {
    decision
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::StartTimer { timer, fire_at } => Some((*timer, *fire_at)),
            _ => None,
        })
        .collect()
}

/// One line per event: `Started wf`, `Step wf/s #2`, `Sent wf/s GET url`,
/// `Ok wf/s 200`, `Fail wf/s Arazzo.StepFailed`, `Retry wf/s 1000ms`, `Done wf`,
/// `Failed wf Arazzo.X`, `Aborted`.
pub fn trace(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            Event::WorkflowStarted { workflow_id, .. } => format!("Started {workflow_id}"),
            Event::StepStarted {
                workflow_id,
                step_id,
                attempt,
            } => format!("Step {workflow_id}/{step_id} #{attempt}"),
            Event::RequestSent {
                workflow_id,
                step_id,
                http,
                ..
            } => format!("Sent {workflow_id}/{step_id} {} {}", http.method, http.url),
            Event::StepSucceeded {
                workflow_id,
                step_id,
                status,
                ..
            } => match status {
                Some(s) => format!("Ok {workflow_id}/{step_id} {s}"),
                None => format!("Ok {workflow_id}/{step_id}"),
            },
            Event::StepFailed {
                workflow_id,
                step_id,
                error,
                ..
            } => format!("Fail {workflow_id}/{step_id} {error}"),
            Event::StepRetryScheduled {
                workflow_id,
                step_id,
                delay_ms,
            } => format!("Retry {workflow_id}/{step_id} {delay_ms}ms"),
            Event::WorkflowSucceeded { workflow_id, .. } => format!("Done {workflow_id}"),
            Event::WorkflowFailed {
                workflow_id, error, ..
            } => format!("Failed {workflow_id} {error}"),
            Event::ExecutionAborted { .. } => "Aborted".to_string(),
        })
        .collect()
}

/// Everything one run produced.
#[derive(Debug, Default)]
pub struct Run {
    pub events: Vec<Event>,
    pub commands: Vec<Command>,
    pub requests: Vec<HttpRequest>,
}

impl Run {
    pub fn trace(&self) -> Vec<String> {
        trace(&self.events)
    }
}

/// Starts the decider and answers every request with `answer` (timers fire when due,
/// the clock jumping to them) until the execution ends or nothing is outstanding.
pub fn drive(
    d: &mut Decider,
    inputs: Value,
    mut answer: impl FnMut(&HttpRequest) -> Result<HttpResponse, String>,
) -> Run {
    let mut run = Run::default();
    let mut now = t0();
    let mut pending = vec![Input::Start { inputs }];
    while let Some(input) = pending.pop() {
        let decision = d.handle(now, input);
        run.events.extend(decision.events.iter().cloned());
        for command in &decision.commands {
            run.commands.push(command.clone());
            match command {
                Command::Send { request, http } => {
                    run.requests.push(http.clone());
                    pending.push(match answer(http) {
                        Ok(response) => Input::Response {
                            request: *request,
                            response,
                        },
                        Err(error) => Input::RequestFailed {
                            request: *request,
                            error,
                        },
                    });
                }
                Command::StartTimer { timer, fire_at } => {
                    now = now.max(*fire_at);
                    pending.push(Input::TimerFired { timer: *timer });
                }
                Command::CancelTimer { .. } => {}
            }
        }
        assert!(run.events.len() < 100_000, "runaway execution");
    }
    assert!(
        d.status().is_terminal(),
        "the execution did not end: {:?}",
        run.trace()
    );
    run
}

pub fn failed(d: &Decider) -> (String, String) {
    match d.status() {
        Status::Failed { error, cause } => (error.clone(), cause.clone()),
        other => panic!("not failed: {other:?}"),
    }
}

pub fn succeeded(d: &Decider) -> serde_json::Map<String, Value> {
    match d.status() {
        Status::Succeeded { outputs } => outputs.clone(),
        other => panic!("not succeeded: {other:?}"),
    }
}
