//! The in-process Arazzo driver with a scripted transport: a run to success, retries
//! whose delays pass on a virtual clock, failed requests, and stops between requests.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use weft_arazzo::bundle::Bundle;
use weft_arazzo::decider::{Decider, Event, Options, RequestId, Status};
use weft_arazzo::exchange::{HttpRequest, HttpResponse};
use weft_engine::arazzo::run::run_to_completion;
use weft_engine::arazzo::transport::{Exchange, SendFuture, Timings, Transport};
use weft_engine::local::Clock;

const API: &str = r#"
openapi: 3.1.0
info: {title: Things, version: "1"}
servers: [{url: "http://api.test/v1"}]
paths:
  /things:
    post:
      operationId: createThing
      requestBody:
        content:
          application/json: {schema: {type: object}}
      responses: {"201": {description: created}}
  /things/{id}:
    get:
      operationId: getThing
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
"#;

const FLOW: &str = r#"
arazzo: 1.0.1
info: {title: Things, version: "1"}
sourceDescriptions: [{name: api, url: ./api.yaml, type: openapi}]
workflows:
  - workflowId: flow
    inputs: {type: object, properties: {name: {type: string}}}
    steps:
      - stepId: create
        operationId: createThing
        requestBody:
          contentType: application/json
          payload: {name: $inputs.name}
        successCriteria: [{condition: $statusCode == 201}]
        outputs: {id: $response.body#/id}
        onFailure: [{name: again, type: retry, retryAfter: 5, retryLimit: 2}]
      - stepId: read
        operationId: getThing
        parameters: [{name: id, in: path, value: $steps.create.outputs.id}]
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {name: $response.body#/name}
    outputs:
      id: $steps.create.outputs.id
      name: $steps.read.outputs.name
"#;

fn decider() -> Decider {
    let mut read = |url: &str| match url {
        "file:///t/api.yaml" => Ok(API.to_string()),
        other => Err(format!("no file {other}")),
    };
    let bundle = Bundle::load("file:///t/flow.arazzo.yaml", FLOW, &mut read).expect("bundle");
    Decider::new(Arc::new(bundle), None, Options::default()).expect("decider")
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

fn response(status: u16, headers: &[(&str, &str)], body: Value) -> Result<HttpResponse, String> {
    let mut headers: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    headers.push(("Content-Type".into(), "application/json".into()));
    Ok(HttpResponse {
        status,
        headers,
        body: body.to_string(),
    })
}

/// Answers requests from a script, in order, and keeps what it was sent. With a stop
/// sender, it fires the stop when the request numbered `at` (from 1) arrives, and
/// keeps that request in flight.
#[derive(Default)]
struct Scripted {
    replies: Mutex<VecDeque<Result<HttpResponse, String>>>,
    sent: Mutex<Vec<HttpRequest>>,
    stop: Mutex<Option<(usize, oneshot::Sender<()>)>>,
}

impl Scripted {
    fn new(replies: Vec<Result<HttpResponse, String>>) -> Scripted {
        Scripted {
            replies: Mutex::new(replies.into()),
            ..Scripted::default()
        }
    }

    fn sent(&self) -> Vec<HttpRequest> {
        self.sent.lock().unwrap().clone()
    }
}

impl Transport for Scripted {
    fn send(&self, request: HttpRequest) -> SendFuture<'_> {
        Box::pin(async move {
            let count = {
                let mut sent = self.sent.lock().unwrap();
                sent.push(request.clone());
                sent.len()
            };
            let stopper = {
                let mut stop = self.stop.lock().unwrap();
                match stop.take() {
                    Some((at, sender)) if at == count => Some(sender),
                    other => {
                        *stop = other;
                        None
                    }
                }
            };
            if let Some(sender) = stopper {
                let _ = sender.send(());
                // The request is still in flight when the stop comes.
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
            let outcome = self
                .replies
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or_else(|| Err("the script has no more replies".into()));
            Exchange {
                request,
                outcome,
                http_version: Some("HTTP/1.1".into()),
                started: start(),
                timings: Timings::default(),
            }
        })
    }
}

/// Everything a run reported.
#[derive(Default)]
struct Seen {
    events: Vec<Event>,
    exchanges: Vec<(RequestId, u16)>,
}

async fn run(
    transport: &Scripted,
    clock: Clock,
    stop: Option<oneshot::Receiver<()>>,
) -> (Status, Seen) {
    let mut decider = decider();
    let mut events = Vec::new();
    let mut exchanges = Vec::new();
    // A clock that failed to jump would wait for real; this bounds the test instead.
    let status = tokio::time::timeout(
        Duration::from_secs(20),
        run_to_completion(
            &mut decider,
            json!({"name": "ada"}),
            transport,
            clock,
            stop,
            |new| events.extend_from_slice(new),
            |request, exchange| {
                let status = exchange.outcome.as_ref().map_or(0, |r| r.status);
                exchanges.push((request, status));
            },
        ),
    )
    .await
    .expect("the run ends without waiting for real time");
    (status, Seen { events, exchanges })
}

fn retry_delays(events: &[Event]) -> Vec<u64> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::StepRetryScheduled { delay_ms, .. } => Some(*delay_ms),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_workflow_runs_request_by_request_to_its_outputs() {
    let transport = Scripted::new(vec![
        response(201, &[], json!({"id": "t1"})),
        response(200, &[], json!({"id": "t1", "name": "Ada"})),
    ]);
    let (status, seen) = run(&transport, Clock::Virtual(start()), None).await;
    let Status::Succeeded { outputs } = status else {
        panic!("{status:?}");
    };
    assert_eq!(Value::Object(outputs), json!({"id": "t1", "name": "Ada"}));

    let sent = transport.sent();
    assert_eq!(sent.len(), 2);
    assert_eq!(
        (sent[0].method.as_str(), sent[0].url.as_str()),
        ("POST", "http://api.test/v1/things")
    );
    assert_eq!(
        serde_json::from_str::<Value>(sent[0].body.as_deref().unwrap_or_default()).unwrap(),
        json!({"name": "ada"})
    );
    assert_eq!(
        (sent[1].method.as_str(), sent[1].url.as_str()),
        ("GET", "http://api.test/v1/things/t1")
    );

    // Each exchange is reported under the id of the request the decider asked for.
    let sent_ids: Vec<RequestId> = seen
        .events
        .iter()
        .filter_map(|e| match e {
            Event::RequestSent { request, .. } => Some(*request),
            _ => None,
        })
        .collect();
    let reported: Vec<RequestId> = seen.exchanges.iter().map(|(id, _)| *id).collect();
    assert_eq!(reported, sent_ids);
    assert_eq!(
        seen.exchanges.iter().map(|(_, s)| *s).collect::<Vec<_>>(),
        [201, 200]
    );
    assert!(matches!(
        seen.events.first(),
        Some(Event::WorkflowStarted { .. })
    ));
    assert!(matches!(
        seen.events.last(),
        Some(Event::WorkflowSucceeded { .. })
    ));
}

#[tokio::test]
async fn retries_wait_on_the_virtual_clock() {
    // Retry-After as HTTP-dates (RFC 9110 §10.2.3): the delays the decider computes
    // show the time it was given, so the second one proves the clock moved to the end
    // of the first wait (one minute after the start) before the retry was sent.
    let transport = Scripted::new(vec![
        response(
            503,
            &[("Retry-After", "Thu, 01 Jan 2026 00:01:00 GMT")],
            json!({}),
        ),
        response(
            503,
            &[("Retry-After", "Thu, 01 Jan 2026 00:01:30 GMT")],
            json!({}),
        ),
        response(201, &[], json!({"id": "t2"})),
        response(200, &[], json!({"name": "Bo"})),
    ]);
    let (status, seen) = run(&transport, Clock::Virtual(start()), None).await;
    assert!(matches!(status, Status::Succeeded { .. }), "{status:?}");
    assert_eq!(retry_delays(&seen.events), [60_000, 30_000]);
    assert_eq!(transport.sent().len(), 4);
}

#[tokio::test]
async fn a_request_that_cannot_be_carried_out_fails_the_step() {
    let transport = Scripted::new(vec![
        Err("connection refused".into()),
        Err("connection refused".into()),
        Err("connection refused".into()),
    ]);
    let (status, seen) = run(&transport, Clock::Virtual(start()), None).await;
    let Status::Failed { error, cause } = status else {
        panic!("{status:?}");
    };
    assert_eq!(error, "Arazzo.RequestFailed");
    assert!(cause.contains("connection refused"), "{cause}");
    // The retry action applies: one request and its two retries, retryAfter apart.
    assert_eq!(transport.sent().len(), 3);
    assert_eq!(retry_delays(&seen.events), [5_000, 5_000]);
    assert_eq!(seen.exchanges.len(), 3);
}

#[tokio::test]
async fn a_stop_during_a_request_abandons_it() {
    let transport = Scripted::new(vec![
        response(201, &[], json!({"id": "t1"})),
        response(200, &[], json!({"name": "Ada"})),
    ]);
    let (tx, rx) = oneshot::channel();
    *transport.stop.lock().unwrap() = Some((1, tx));
    let (status, seen) = run(&transport, Clock::Virtual(start()), Some(rx)).await;
    assert_eq!(
        status,
        Status::Aborted {
            error: None,
            cause: None
        }
    );
    assert_eq!(transport.sent().len(), 1);
    // The abandoned response never reached the report or the decider.
    assert!(seen.exchanges.is_empty());
    assert!(matches!(
        seen.events.last(),
        Some(Event::ExecutionAborted { .. })
    ));
    assert!(
        !seen
            .events
            .iter()
            .any(|e| matches!(e, Event::StepSucceeded { .. }))
    );
}

#[tokio::test]
async fn a_stop_while_waiting_to_retry_ends_the_run_before_the_next_request() {
    // A real clock and an hour to wait: only the stop can end this quickly.
    let transport = Scripted::new(vec![
        response(503, &[("Retry-After", "3600")], json!({})),
        response(201, &[], json!({"id": "t1"})),
    ]);
    let (tx, rx) = oneshot::channel();
    let mut decider = decider();
    let mut stop_sender = Some(tx);
    let mut events = Vec::new();
    let status = tokio::time::timeout(
        Duration::from_secs(20),
        run_to_completion(
            &mut decider,
            json!({"name": "ada"}),
            &transport,
            Clock::Real,
            Some(rx),
            |new| events.extend_from_slice(new),
            |_, _| {
                if let Some(tx) = stop_sender.take() {
                    let _ = tx.send(());
                }
            },
        ),
    )
    .await
    .expect("the stop ends the wait");
    assert!(matches!(status, Status::Aborted { .. }), "{status:?}");
    assert_eq!(retry_delays(&events), [3_600_000]);
    assert_eq!(transport.sent().len(), 1);
}

#[tokio::test]
async fn a_stop_sender_that_goes_away_stops_nothing() {
    let transport = Scripted::new(vec![
        response(201, &[], json!({"id": "t1"})),
        response(200, &[], json!({"name": "Ada"})),
    ]);
    let (tx, rx) = oneshot::channel::<()>();
    drop(tx);
    let (status, _) = run(&transport, Clock::Virtual(start()), Some(rx)).await;
    assert!(matches!(status, Status::Succeeded { .. }), "{status:?}");
}
