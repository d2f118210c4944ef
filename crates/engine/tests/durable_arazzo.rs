//! Arazzo workflows hosted by the durable engine, on a real SQLite store, against an HTTP
//! API served in the test: definitions checked with their sources, executions run to
//! their outputs, histories in the Step Functions vocabulary, stops, and recovery.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde_json::{Value, json};
use weft_engine::arn::Scope;
use weft_engine::durable::*;

const ROLE: &str = "arn:aws:iam::123456789012:role/weft";

// ---------------------------------------------------------------------------------------
// The API the workflows call, on a runtime of its own so that it outlives the engines.

#[derive(Default)]
struct Api {
    /// Requests received, by path.
    calls: HashMap<String, u32>,
    /// The Authorization header of each request to `/items/…`.
    authorizations: Vec<String>,
}

type Shared = Arc<Mutex<Api>>;

fn count(api: &Shared, path: String) -> u32 {
    let mut api = api.lock().unwrap();
    let n = api.calls.entry(path).or_insert(0);
    *n += 1;
    *n
}

async fn item(
    State(api): State<Shared>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> impl IntoResponse {
    count(&api, format!("/items/{id}"));
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    api.lock().unwrap().authorizations.push(authorization);
    if id == "missing" {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"message": "no such item"})),
        );
    }
    (
        StatusCode::OK,
        axum::Json(json!({"id": id, "name": format!("item-{id}")})),
    )
}

async fn order(
    State(api): State<Shared>,
    axum::Json(body): axum::Json<Value>,
) -> impl IntoResponse {
    count(&api, "/orders".into());
    let item = body["item"].as_str().unwrap_or_default().to_string();
    (
        StatusCode::CREATED,
        axum::Json(json!({"orderId": format!("order-for-{item}")})),
    )
}

/// Answers after `ms` milliseconds.
async fn slow(State(api): State<Shared>, UrlPath(ms): UrlPath<u64>) -> impl IntoResponse {
    count(&api, format!("/slow/{ms}"));
    tokio::time::sleep(Duration::from_millis(ms)).await;
    axum::Json(json!({"waited": ms}))
}

/// 503 on the first call for a key, 200 afterwards; `key` "never" is always 503.
async fn flaky(State(api): State<Shared>, UrlPath(key): UrlPath<String>) -> impl IntoResponse {
    let n = count(&api, format!("/flaky/{key}"));
    if key == "never" || n == 1 {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(json!({"try": n})),
        );
    }
    (StatusCode::OK, axum::Json(json!({"try": n})))
}

/// Serves the API on 127.0.0.1 from a thread of its own; returns its base URL.
fn serve_api(api: Shared) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let app = Router::new()
                .route("/items/{id}", get(item))
                .route("/orders", post(order))
                .route("/slow/{ms}", get(slow))
                .route("/flaky/{key}", get(flaky))
                .with_state(api);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{}", rx.recv().unwrap())
}

/// The OpenAPI description of that API, with `server` as its server.
fn openapi(server: &str) -> Value {
    let ok = json!({"200": {"description": "ok"}});
    json!({
        "openapi": "3.1.0",
        "info": {"title": "shop", "version": "1"},
        "servers": [{"url": server}],
        "paths": {
            "/items/{id}": {"get": {"operationId": "getItem", "parameters": [
                {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}
            ], "responses": ok}},
            "/orders": {"post": {"operationId": "placeOrder", "requestBody": {"content": {
                "application/json": {"schema": {"type": "object"}}}},
                "responses": {"201": {"description": "created"}}}},
            "/slow/{ms}": {"get": {"operationId": "slow", "parameters": [
                {"name": "ms", "in": "path", "required": true, "schema": {"type": "string"}}
            ], "responses": ok}},
            "/flaky/{key}": {"get": {"operationId": "flaky", "parameters": [
                {"name": "key", "in": "path", "required": true, "schema": {"type": "string"}}
            ], "responses": ok}}
        }
    })
}

/// A test's world: the API, its description in a temporary directory, a database.
struct World {
    api: Shared,
    base: String,
    dir: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        let api = Shared::default();
        let base = serve_api(api.clone());
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("shop.json"), openapi(&base).to_string()).unwrap();
        // A description whose server is relative: only x-weft-servers can place it.
        std::fs::write(dir.path().join("relative.json"), openapi("/").to_string()).unwrap();
        World { api, base, dir }
    }

    /// The description's path, absolute: resolved against the server's working
    /// directory, it stays as it is.
    fn source(&self, file: &str) -> String {
        self.dir.path().join(file).display().to_string()
    }

    fn db(&self) -> std::path::PathBuf {
        self.dir.path().join("weft.db")
    }

    fn calls(&self, path: &str) -> u32 {
        self.api
            .lock()
            .unwrap()
            .calls
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    /// An Arazzo document over the shop's description with these workflows.
    fn document(&self, workflows: Value) -> Value {
        json!({
            "arazzo": "1.0.1",
            "info": {"title": "shop flows", "version": "1"},
            "sourceDescriptions": [{"name": "shop", "url": self.source("shop.json"), "type": "openapi"}],
            "workflows": workflows
        })
    }
}

fn buy() -> Value {
    json!({
        "workflowId": "buy",
        "inputs": {"type": "object", "required": ["itemId"], "properties": {
            "itemId": {"type": "string"}, "token": {"type": "string"}}},
        "steps": [
            {"stepId": "getItem", "operationId": "getItem",
             "parameters": [
                {"name": "id", "in": "path", "value": "$inputs.itemId"},
                {"name": "Authorization", "in": "header", "value": "Bearer {$inputs.token}"}],
             "successCriteria": [{"condition": "$statusCode == 200"}],
             "outputs": {"name": "$response.body#/name"}},
            {"stepId": "placeOrder", "operationId": "placeOrder",
             "requestBody": {"contentType": "application/json",
                             "payload": {"item": "$steps.getItem.outputs.name"}},
             "successCriteria": [{"condition": "$statusCode == 201"}],
             "outputs": {"orderId": "$response.body#/orderId"}}
        ],
        "outputs": {"orderId": "$steps.placeOrder.outputs.orderId", "name": "$steps.getItem.outputs.name"}
    })
}

/// One step on `/slow/{ms}`.
fn slow_flow(ms: u64) -> Value {
    json!({
        "workflowId": "slow",
        "steps": [{"stepId": "wait", "operationId": "slow",
                   "parameters": [{"name": "ms", "in": "path", "value": ms.to_string()}],
                   "outputs": {"waited": "$response.body#/waited"}}],
        "outputs": {"waited": "$steps.wait.outputs.waited"}
    })
}

/// One step on `/flaky/{key}`, retried on 503 after `after` seconds.
fn flaky_flow(key: &str, after: f64) -> Value {
    json!({
        "workflowId": "flaky",
        "steps": [{"stepId": "poke", "operationId": "flaky",
                   "parameters": [{"name": "key", "in": "path", "value": key}],
                   "successCriteria": [{"condition": "$statusCode == 200"}],
                   "onFailure": [{"name": "again", "type": "retry", "retryAfter": after,
                                  "retryLimit": 3,
                                  "criteria": [{"condition": "$statusCode == 503"}]}],
                   "outputs": {"try": "$response.body#/try"}}],
        "outputs": {"tries": "$steps.poke.outputs.try"}
    })
}

// ---------------------------------------------------------------------------------------
// The engine.

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

async fn engine_at(db: &Path) -> Engine {
    let store = weft_store::open(&format!("sqlite:{}", db.display()))
        .await
        .unwrap();
    Engine::open(
        store,
        EngineConfig {
            scope: Scope::new("us-east-1", "123456789012"),
            mock_config: None,
        },
    )
    .await
    .unwrap()
}

fn create_request(name: &str, definition: String, machine_type: MachineType) -> CreateStateMachine {
    CreateStateMachine {
        name: name.into(),
        definition,
        role_arn: ROLE.into(),
        machine_type,
        logging: Value::Null,
        tracing: Value::Null,
        encryption: Value::Null,
        tags: vec![],
    }
}

async fn create(engine: &Engine, name: &str, definition: &Value) -> String {
    engine
        .create_state_machine(create_request(
            name,
            definition.to_string(),
            MachineType::Standard,
        ))
        .await
        .unwrap()
        .state_machine_arn
}

async fn start(engine: &Engine, machine: &str, input: Value) -> String {
    engine
        .start_execution(StartExecution {
            state_machine_arn: machine.into(),
            name: None,
            input: Some(input.to_string()),
            trace_header: None,
        })
        .await
        .unwrap()
        .execution_arn
}

async fn finished(engine: &Engine, execution: &str) -> ExecutionDescription {
    for _ in 0..1000 {
        let d = engine.describe_execution(execution).await.unwrap();
        if d.status != "RUNNING" {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{execution} did not finish");
}

async fn history(engine: &Engine, execution: &str) -> Vec<RecordedEvent> {
    engine
        .execution_history(ExecutionHistory {
            execution_arn: execution.into(),
            reverse_order: false,
            page: PageRequest {
                max_results: Some(1000),
                next_token: None,
            },
        })
        .await
        .unwrap()
        .items
}

/// Waits until the history holds an event of this type.
async fn reaches(engine: &Engine, execution: &str, event_type: &str) {
    for _ in 0..500 {
        if history(engine, execution)
            .await
            .iter()
            .any(|e| e.event_type == event_type)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{execution} never recorded {event_type}");
}

fn types(events: &[RecordedEvent]) -> Vec<&str> {
    events.iter().map(|e| e.event_type.as_str()).collect()
}

/// Ids consecutive from 1, each event pointing back, exactly one end.
fn assert_well_formed(events: &[RecordedEvent]) {
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.id, i as u64 + 1, "{:?}", types(events));
        assert!(e.previous_event_id < e.id);
    }
    let ends = events
        .iter()
        .filter(|e| e.event_type.starts_with("Execution") && e.event_type != "ExecutionStarted")
        .count();
    assert_eq!(ends, 1, "{:?}", types(events));
}

/// A JSON text member of an event's details, parsed.
fn json_of(event: &RecordedEvent, member: &str) -> Value {
    let text = event.details[member]
        .as_str()
        .unwrap_or_else(|| panic!("{member} of {event:?}"));
    serde_json::from_str(text).unwrap()
}

fn named<'a>(events: &'a [RecordedEvent], event_type: &str) -> Vec<&'a RecordedEvent> {
    events
        .iter()
        .filter(|e| e.event_type == event_type)
        .collect()
}

fn invalid_definition(result: EngineResult<CreatedStateMachine>) -> String {
    match result {
        Err(EngineError::InvalidDefinition(message)) => message,
        other => panic!("expected InvalidDefinition, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------

#[test]
fn a_workflow_runs_to_its_outputs_with_a_group_of_events_per_step() {
    let world = World::new();
    runtime().block_on(async {
        let engine = engine_at(&world.db()).await;
        let machine = create(&engine, "buy", &world.document(json!([buy()]))).await;
        let input = json!({"itemId": "42", "token": "s3cr3t-t0ken"});
        let execution = start(&engine, &machine, input.clone()).await;
        let d = finished(&engine, &execution).await;
        assert_eq!(d.status, "SUCCEEDED", "{d:?}");
        let output: Value = serde_json::from_str(d.output.as_deref().unwrap()).unwrap();
        assert_eq!(
            output,
            json!({"orderId": "order-for-item-42", "name": "item-42"})
        );
        assert_eq!(serde_json::from_str::<Value>(&d.input).unwrap(), input);

        let events = history(&engine, &execution).await;
        assert_well_formed(&events);
        assert_eq!(
            types(&events),
            [
                "ExecutionStarted",
                "TaskStateEntered",
                "TaskScheduled",
                "TaskStarted",
                "TaskSucceeded",
                "TaskStateExited",
                "TaskStateEntered",
                "TaskScheduled",
                "TaskStarted",
                "TaskSucceeded",
                "TaskStateExited",
                "ExecutionSucceeded"
            ]
        );
        assert_eq!(json_of(&events[0], "input"), input);
        assert_eq!(events[0].details["roleArn"], ROLE);
        let entered = named(&events, "TaskStateEntered");
        assert_eq!(entered[0].details["name"], "getItem");
        assert_eq!(entered[1].details["name"], "placeOrder");

        let scheduled = named(&events, "TaskScheduled");
        assert_eq!(scheduled[0].details["resourceType"], "http");
        assert_eq!(scheduled[0].details["resource"], "invoke");
        assert_eq!(scheduled[0].details["region"], "us-east-1");
        let request = json_of(scheduled[0], "parameters");
        assert_eq!(request["method"], "GET");
        assert_eq!(request["url"], format!("{}/items/42", world.base));
        assert_eq!(request["headers"]["Authorization"], "********");
        let order = json_of(scheduled[1], "parameters");
        assert_eq!(order["method"], "POST");
        assert_eq!(order["body"], json!({"item": "item-42"}));

        let succeeded = named(&events, "TaskSucceeded");
        assert_eq!(succeeded[0].details["resourceType"], "http");
        assert_eq!(
            json_of(succeeded[0], "output"),
            json!({"status": 200, "outputs": {"name": "item-42"}})
        );
        let exited = named(&events, "TaskStateExited");
        assert_eq!(exited[1].details["name"], "placeOrder");
        assert_eq!(
            json_of(exited[1], "output"),
            json!({"orderId": "order-for-item-42"})
        );
        assert_eq!(json_of(events.last().unwrap(), "output"), output);

        // The API got the credential; the history never shows it.
        assert_eq!(
            world.api.lock().unwrap().authorizations,
            ["Bearer s3cr3t-t0ken"]
        );
        for event in &events[1..] {
            let details = Value::Object(event.details.clone()).to_string();
            assert!(!details.contains("s3cr3t-t0ken"), "{details}");
        }
    });
}

#[test]
fn a_workflow_step_groups_the_steps_of_the_workflow_it_calls() {
    let world = World::new();
    let fetch = json!({
        "workflowId": "fetch",
        "inputs": {"type": "object", "properties": {"id": {"type": "string"}}},
        "steps": [{"stepId": "getItem", "operationId": "getItem",
                   "parameters": [{"name": "id", "in": "path", "value": "$inputs.id"}],
                   "outputs": {"name": "$response.body#/name"}}],
        "outputs": {"name": "$steps.getItem.outputs.name"}
    });
    let main = json!({
        "workflowId": "main",
        "steps": [{"stepId": "callFetch", "workflowId": "fetch",
                   "parameters": [{"name": "id", "value": "7"}],
                   "outputs": {"fetched": "$outputs.name"}}],
        "outputs": {"fetched": "$steps.callFetch.outputs.fetched"}
    });
    let mut document = world.document(json!([fetch, main]));
    document["x-weft-workflow"] = json!("main");
    runtime().block_on(async {
        let engine = engine_at(&world.db()).await;
        let machine = create(&engine, "nested", &document).await;
        let execution = start(&engine, &machine, json!({})).await;
        let d = finished(&engine, &execution).await;
        assert_eq!(d.status, "SUCCEEDED", "{d:?}");
        assert_eq!(d.output.as_deref(), Some(r#"{"fetched":"item-7"}"#));
        let events = history(&engine, &execution).await;
        assert_well_formed(&events);
        assert_eq!(
            types(&events),
            [
                "ExecutionStarted",
                "TaskStateEntered",
                "TaskScheduled",
                "TaskStarted",
                "TaskStateEntered",
                "TaskScheduled",
                "TaskStarted",
                "TaskSucceeded",
                "TaskStateExited",
                "TaskSucceeded",
                "TaskStateExited",
                "ExecutionSucceeded"
            ]
        );
        let names: Vec<&Value> = named(&events, "TaskStateEntered")
            .iter()
            .map(|e| &e.details["name"])
            .collect();
        assert_eq!(names, ["callFetch", "getItem"]);
        let scheduled = named(&events, "TaskScheduled");
        assert_eq!(scheduled[0].details["resourceType"], "arazzo");
        assert_eq!(scheduled[0].details["resource"], "workflow");
        assert_eq!(
            json_of(scheduled[0], "parameters"),
            json!({"workflowId": "fetch"})
        );
        assert_eq!(scheduled[1].details["resourceType"], "http");
        let exited = named(&events, "TaskStateExited");
        assert_eq!(exited[1].details["name"], "callFetch");
        assert_eq!(json_of(exited[1], "output"), json!({"fetched": "item-7"}));
    });
}

#[test]
fn a_failed_step_fails_the_execution_with_its_error() {
    let world = World::new();
    runtime().block_on(async {
        let engine = engine_at(&world.db()).await;
        let machine = create(&engine, "buy", &world.document(json!([buy()]))).await;
        let execution = start(&engine, &machine, json!({"itemId": "missing"})).await;
        let d = finished(&engine, &execution).await;
        assert_eq!(d.status, "FAILED");
        assert_eq!(d.error.as_deref(), Some("Arazzo.StepFailed"));
        let events = history(&engine, &execution).await;
        assert_well_formed(&events);
        assert_eq!(
            types(&events),
            [
                "ExecutionStarted",
                "TaskStateEntered",
                "TaskScheduled",
                "TaskStarted",
                "TaskFailed",
                "ExecutionFailed"
            ]
        );
        assert_eq!(events[4].details["error"], "Arazzo.StepFailed");
        assert_eq!(events[5].details["error"], "Arazzo.StepFailed");
        assert_eq!(events[5].details["cause"].as_str(), d.cause.as_deref());

        // Inputs that do not match the workflow's schema fail it before any request.
        let execution = start(&engine, &machine, json!({"token": "x"})).await;
        let d = finished(&engine, &execution).await;
        assert_eq!(d.status, "FAILED");
        assert_eq!(d.error.as_deref(), Some("Arazzo.InvalidInputs"));
        assert_eq!(
            types(&history(&engine, &execution).await),
            ["ExecutionStarted", "ExecutionFailed"]
        );
    });
}

#[test]
fn a_retry_stays_in_its_step_and_schedules_the_request_again() {
    let world = World::new();
    runtime().block_on(async {
        let engine = engine_at(&world.db()).await;
        let machine = create(
            &engine,
            "flaky",
            &world.document(json!([flaky_flow("once", 0.2)])),
        )
        .await;
        let execution = start(&engine, &machine, json!({})).await;
        let d = finished(&engine, &execution).await;
        assert_eq!(d.status, "SUCCEEDED", "{d:?}");
        assert_eq!(d.output.as_deref(), Some(r#"{"tries":2}"#));
        let events = history(&engine, &execution).await;
        assert_well_formed(&events);
        assert_eq!(
            types(&events),
            [
                "ExecutionStarted",
                "TaskStateEntered",
                "TaskScheduled",
                "TaskStarted",
                "TaskFailed",
                "TaskScheduled",
                "TaskStarted",
                "TaskSucceeded",
                "TaskStateExited",
                "ExecutionSucceeded"
            ]
        );
        // The retry waited retryAfter (0.2 s) after the failure.
        let (failed, again) = (&events[4], &events[5]);
        assert!(again.timestamp - failed.timestamp >= chrono::Duration::milliseconds(200));
    });
}

#[test]
fn stop_aborts_a_step_waiting_on_its_response_and_the_late_response_is_ignored() {
    let world = World::new();
    runtime().block_on(async {
        let engine = engine_at(&world.db()).await;
        let machine = create(&engine, "slow", &world.document(json!([slow_flow(800)]))).await;
        let execution = start(&engine, &machine, json!({})).await;
        reaches(&engine, &execution, "TaskStarted").await;
        let outcome = engine
            .stop_execution(&execution, Some("Manual".into()), Some("enough".into()))
            .await
            .unwrap();
        assert!(
            matches!(outcome, StopOutcome::Stopped { .. }),
            "{outcome:?}"
        );
        let d = engine.describe_execution(&execution).await.unwrap();
        assert_eq!(d.status, "ABORTED");
        assert_eq!(d.error.as_deref(), Some("Manual"));
        assert_eq!(engine.running_count(), 0);

        // Past the moment the response would have come.
        tokio::time::sleep(Duration::from_millis(1200)).await;
        let events = history(&engine, &execution).await;
        assert_well_formed(&events);
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
        assert_eq!(events[4].details["cause"], "enough");
        assert_eq!(
            engine.describe_execution(&execution).await.unwrap().status,
            "ABORTED"
        );
    });
}

#[test]
fn stop_aborts_a_step_waiting_to_be_retried() {
    let world = World::new();
    runtime().block_on(async {
        let engine = engine_at(&world.db()).await;
        let machine = create(
            &engine,
            "flaky",
            &world.document(json!([flaky_flow("never", 0.6)])),
        )
        .await;
        let execution = start(&engine, &machine, json!({})).await;
        reaches(&engine, &execution, "TaskFailed").await;
        engine.stop_execution(&execution, None, None).await.unwrap();
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let events = history(&engine, &execution).await;
        assert_well_formed(&events);
        assert_eq!(
            types(&events),
            [
                "ExecutionStarted",
                "TaskStateEntered",
                "TaskScheduled",
                "TaskStarted",
                "TaskFailed",
                "ExecutionAborted"
            ]
        );
        // The retry never went out.
        assert_eq!(world.calls("/flaky/never"), 1);
    });
}

#[test]
fn executions_resume_after_a_restart_from_their_journal() {
    let world = World::new();
    let document = world.document(json!([flaky_flow("restart", 1.0), slow_flow(2000)]));
    let mut slow_document = document.clone();
    slow_document["x-weft-workflow"] = json!("slow");
    let (retrying, in_flight);
    {
        // The first process: one execution waits for its retry, one for a response;
        // then the process is gone.
        let rt = runtime();
        (retrying, in_flight) = rt.block_on(async {
            let engine = engine_at(&world.db()).await;
            let flaky = create(&engine, "flaky", &document).await;
            let slow = create(&engine, "slow", &slow_document).await;
            let retrying = start(&engine, &flaky, json!({})).await;
            let in_flight = start(&engine, &slow, json!({})).await;
            reaches(&engine, &retrying, "TaskFailed").await;
            reaches(&engine, &in_flight, "TaskStarted").await;
            (retrying, in_flight)
        });
        rt.shutdown_background();
    }
    runtime().block_on(async {
        let engine = engine_at(&world.db()).await;
        assert_eq!(engine.running_count(), 2);

        let d = finished(&engine, &retrying).await;
        assert_eq!(d.status, "SUCCEEDED", "{d:?}");
        assert_eq!(d.output.as_deref(), Some(r#"{"tries":2}"#));
        let events = history(&engine, &retrying).await;
        assert_well_formed(&events);
        assert_eq!(
            types(&events),
            [
                "ExecutionStarted",
                "TaskStateEntered",
                "TaskScheduled",
                "TaskStarted",
                "TaskFailed",
                "TaskScheduled",
                "TaskStarted",
                "TaskSucceeded",
                "TaskStateExited",
                "ExecutionSucceeded"
            ]
        );

        // The request in flight is sent again: its response was never recorded.
        let d = finished(&engine, &in_flight).await;
        assert_eq!(d.status, "SUCCEEDED", "{d:?}");
        assert_eq!(d.output.as_deref(), Some(r#"{"waited":2000}"#));
        let events = history(&engine, &in_flight).await;
        assert_well_formed(&events);
        assert_eq!(
            types(&events),
            [
                "ExecutionStarted",
                "TaskStateEntered",
                "TaskScheduled",
                "TaskStarted",
                "TaskSucceeded",
                "TaskStateExited",
                "ExecutionSucceeded"
            ]
        );
        assert_eq!(world.calls("/slow/2000"), 2);
    });
}

#[test]
fn definitions_are_checked_with_their_sources_and_extensions() {
    let world = World::new();
    runtime().block_on(async {
        let engine = engine_at(&world.db()).await;
        let attempt = |definition: Value| {
            let engine = engine.clone();
            async move {
                engine
                    .create_state_machine(create_request(
                        "checked",
                        definition.to_string(),
                        MachineType::Standard,
                    ))
                    .await
            }
        };

        let mut missing = world.document(json!([buy()]));
        missing["sourceDescriptions"][0]["url"] = json!(world.source("absent.json"));
        assert!(invalid_definition(attempt(missing).await).starts_with("source-unavailable: "));

        let mut unknown = world.document(json!([buy()]));
        unknown["x-weft-workflow"] = json!("sell");
        let message = invalid_definition(attempt(unknown).await);
        assert!(message.contains("at /x-weft-workflow"), "{message}");

        // A relative server in a local file has no address until x-weft-servers gives one.
        let mut relative = world.document(json!([buy()]));
        relative["sourceDescriptions"][0]["url"] = json!(world.source("relative.json"));
        let message = invalid_definition(attempt(relative.clone()).await);
        assert!(message.starts_with("no-server: "), "{message}");
        assert!(message.contains("at /workflows/0/steps/0"), "{message}");
        let mut placed = relative.clone();
        placed["x-weft-servers"] = json!({"shop": world.base});
        let machine = attempt(placed).await.unwrap().state_machine_arn;
        let execution = start(&engine, &machine, json!({"itemId": "5"})).await;
        assert_eq!(finished(&engine, &execution).await.status, "SUCCEEDED");
        let mut misnamed = relative;
        misnamed["x-weft-servers"] = json!({"store": world.base});
        let message = invalid_definition(attempt(misnamed).await);
        assert!(message.contains("at /x-weft-servers/store"), "{message}");

        // Validation without creating: the same diagnostics, by code.
        let mut broken = world.document(json!([buy()]));
        broken["x-weft-workflow"] = json!(3);
        let diagnostics = engine.validate_definition(&broken.to_string()).await;
        assert!(
            diagnostics.iter().any(|d| d.code == "weft-extension"),
            "{diagnostics:?}"
        );
        assert!(
            engine
                .validate_definition(&world.document(json!([buy()])).to_string())
                .await
                .iter()
                .all(|d| d.severity == weft_asl::validate::Severity::Warning)
        );

        // An update is checked the same way and keeps the machine as it was.
        let arn = create(&engine, "kept", &world.document(json!([buy()]))).await;
        let mut bad = world.document(json!([buy()]));
        bad["x-weft-workflow"] = json!("sell");
        let refused = engine
            .update_state_machine(UpdateStateMachine {
                state_machine_arn: arn.clone(),
                definition: Some(bad.to_string()),
                ..UpdateStateMachine::default()
            })
            .await;
        assert!(
            matches!(refused, Err(EngineError::InvalidDefinition(_))),
            "{refused:?}"
        );
        let execution = start(&engine, &arn, json!({"itemId": "1"})).await;
        assert_eq!(finished(&engine, &execution).await.status, "SUCCEEDED");
    });
}

#[test]
fn a_yaml_definition_is_kept_as_written_and_runs_express() {
    let world = World::new();
    let yaml = r#"arazzo: 1.0.1
info: {title: yaml, version: '1'}
sourceDescriptions:
  - name: shop
    url: SOURCE
    type: openapi
workflows:
  - workflowId: one
    steps:
      - stepId: getItem
        operationId: getItem
        parameters:
          - {name: id, in: path, value: $inputs.id}
        outputs: {name: $response.body#/name}
    outputs: {name: $steps.getItem.outputs.name}
"#
    .replace("SOURCE", &world.source("shop.json"));
    runtime().block_on(async {
        let engine = engine_at(&world.db()).await;
        let arn = engine
            .create_state_machine(create_request("yaml", yaml.clone(), MachineType::Express))
            .await
            .unwrap()
            .state_machine_arn;
        assert_eq!(
            engine
                .describe_state_machine(&arn)
                .await
                .unwrap()
                .definition,
            yaml
        );
        let d = engine
            .start_sync_execution(StartExecution {
                state_machine_arn: arn,
                input: Some(r#"{"id":"9"}"#.into()),
                ..StartExecution::default()
            })
            .await
            .unwrap();
        assert_eq!(d.status, "SUCCEEDED", "{d:?}");
        assert_eq!(d.output.as_deref(), Some(r#"{"name":"item-9"}"#));
    });
}

#[test]
fn deleting_the_machine_ends_a_running_execution_at_its_next_response() {
    let world = World::new();
    runtime().block_on(async {
        let engine = engine_at(&world.db()).await;
        let machine = create(&engine, "slow", &world.document(json!([slow_flow(300)]))).await;
        let execution = start(&engine, &machine, json!({})).await;
        reaches(&engine, &execution, "TaskStarted").await;
        engine.delete_state_machine(&machine).await.unwrap();
        let d = finished(&engine, &execution).await;
        assert_eq!(d.status, "FAILED");
        assert_eq!(d.error.as_deref(), Some("States.Runtime"));
        let events = history(&engine, &execution).await;
        assert_well_formed(&events);
        assert_eq!(events.last().unwrap().event_type, "ExecutionFailed");
    });
}

#[test]
fn a_definition_whose_source_is_gone_at_a_restart_fails_its_executions_until_it_is_back() {
    let world = World::new();
    let machine = runtime().block_on(async {
        let engine = engine_at(&world.db()).await;
        create(&engine, "buy", &world.document(json!([buy()]))).await
    });
    let description = world.dir.path().join("shop.json");
    let kept = std::fs::read_to_string(&description).unwrap();
    std::fs::remove_file(&description).unwrap();
    runtime().block_on(async {
        // The engine starts all the same, and still describes the machine.
        let engine = engine_at(&world.db()).await;
        assert_eq!(
            engine.describe_state_machine(&machine).await.unwrap().name,
            "buy"
        );
        let execution = start(&engine, &machine, json!({"itemId": "1"})).await;
        let d = finished(&engine, &execution).await;
        assert_eq!(d.status, "FAILED");
        assert_eq!(d.error.as_deref(), Some("States.Runtime"));
        assert!(
            d.cause.as_deref().unwrap_or_default().contains("shop.json"),
            "{d:?}"
        );
        assert_eq!(
            types(&history(&engine, &execution).await),
            ["ExecutionStarted", "ExecutionFailed"]
        );

        // Once the source is back, the next start loads it.
        std::fs::write(&description, &kept).unwrap();
        let execution = start(&engine, &machine, json!({"itemId": "1"})).await;
        assert_eq!(finished(&engine, &execution).await.status, "SUCCEEDED");
    });
}
