//! `weft run` and `weft validate` on Arazzo documents, against an HTTP server on the
//! loopback interface: the `--output json` shape, exit codes, the forms of `--input`,
//! `--server`, `--har`, `--max-steps`, `--timeout`, SigV4 signing, Ctrl-C, and secrets
//! kept out of every report.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::any;
use serde_json::{Value, json};

const TOKEN: &str = "good-token-5f3a";
const API_KEY: &str = "env-key-9c1d";

/// A request the server received.
#[derive(Debug, Clone)]
struct Received {
    uri: String,
    headers: HashMap<String, String>,
    body: String,
}

#[derive(Clone, Default)]
struct Server {
    log: Arc<Mutex<Vec<Received>>>,
    name: Arc<Mutex<String>>,
}

impl Server {
    fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().clone()
    }
}

/// The test API (see `API` for its description).
async fn handle(
    State(server): State<Server>,
    method: Method,
    uri: Uri,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let headers: HashMap<String, String> = headers
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
        .collect();
    let body = String::from_utf8_lossy(&body).into_owned();
    server.log.lock().unwrap().push(Received {
        uri: uri.to_string(),
        headers: headers.clone(),
        body: body.clone(),
    });
    let authorized =
        headers.get("authorization").map(String::as_str) == Some(&format!("Bearer {TOKEN}"));
    let path = uri.path();
    match (method.as_str(), path) {
        ("POST", "/v1/things") => {
            if !authorized {
                return (
                    StatusCode::UNAUTHORIZED,
                    axum::Json(json!({"message": "bad token"})),
                )
                    .into_response();
            }
            let posted: Value = serde_json::from_str(&body).unwrap_or_default();
            *server.name.lock().unwrap() = posted["name"].as_str().unwrap_or_default().to_string();
            (StatusCode::CREATED, axum::Json(json!({"id": "t1"}))).into_response()
        }
        ("GET", "/v1/things/t1") => {
            let name = server.name.lock().unwrap().clone();
            let seen = query.get("key").cloned().unwrap_or_default();
            axum::Json(json!({"id": "t1", "name": name, "seenToken": seen})).into_response()
        }
        ("GET", "/v1/status") => axum::Json(json!({"done": false})).into_response(),
        ("GET", "/v1/slow") => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            axum::Json(json!({})).into_response()
        }
        ("POST", "/v1/aws") => axum::Json(json!({"ok": true})).into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Starts the server on its own thread and returns its base URL.
fn start_server() -> (String, Server) {
    let server = Server::default();
    let state = server.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(listener.local_addr().expect("address"))
                .expect("send the address");
            let app = Router::new().fallback(any(handle)).with_state(state);
            let _ = axum::serve(listener, app).await;
        });
    });
    let address = rx.recv().expect("the server starts");
    (format!("http://{address}"), server)
}

const API: &str = r#"
openapi: 3.1.0
info: {title: Things, version: "1"}
servers: [{url: "BASE/v1"}]
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
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: key, in: query, schema: {type: string}}
      responses: {"200": {description: ok}}
  /status:
    get:
      operationId: status
      responses: {"200": {description: ok}}
  /slow:
    get:
      operationId: slow
      responses: {"200": {description: ok}}
  /aws:
    post:
      operationId: awsCall
      security: [{sigv4: []}]
      requestBody:
        content:
          application/x-amz-json-1.1: {schema: {type: object}}
      responses: {"200": {description: ok}}
components:
  securitySchemes:
    sigv4: {type: apiKey, in: header, name: Authorization, x-amz-service: ecs}
"#;

const FLOWS: &str = r#"
arazzo: 1.0.1
info: {title: Things, version: "1"}
sourceDescriptions: [{name: things, url: ./api.yaml, type: openapi}]
workflows:
  - workflowId: create
    inputs:
      type: object
      required: [token, name]
      properties:
        token: {type: string}
        name: {type: string}
        count: {type: integer}
    steps:
      - stepId: createThing
        operationId: createThing
        parameters:
          - {name: Authorization, in: header, value: "Bearer {$inputs.token}"}
        requestBody:
          contentType: application/json
          payload: {name: $inputs.name, count: $inputs.count}
        successCriteria: [{condition: $statusCode == 201}]
        outputs: {id: $response.body#/id}
      - stepId: readThing
        operationId: getThing
        parameters:
          - {name: id, in: path, value: $steps.createThing.outputs.id}
          - {name: key, in: query, value: $inputs.token}
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {name: $response.body#/name, seen: $response.body#/seenToken}
    outputs:
      id: $steps.createThing.outputs.id
      name: $steps.readThing.outputs.name
      seen: $steps.readThing.outputs.seen
  - workflowId: poll
    steps:
      - stepId: check
        operationId: status
        successCriteria: [{condition: $statusCode == 200}]
        onSuccess:
          - name: notYet
            type: goto
            stepId: check
            criteria: [{condition: $response.body#/done == false}]
  - workflowId: slow
    steps:
      - stepId: wait
        operationId: slow
  - workflowId: signed
    steps:
      - stepId: call
        operationId: awsCall
        requestBody:
          contentType: application/x-amz-json-1.1
          payload: {cluster: default}
        successCriteria: [{condition: $statusCode == 200}]
  - workflowId: with-env
    inputs:
      type: object
      properties:
        env:
          type: object
          properties:
            WEFT_TEST_API_KEY: {type: string}
    steps:
      - stepId: read
        operationId: getThing
        parameters:
          - {name: id, in: path, value: t1}
          - {name: X-Api-Key, in: header, value: $inputs.env.WEFT_TEST_API_KEY}
        outputs: {key: $inputs.env.WEFT_TEST_API_KEY}
    outputs:
      key: $steps.read.outputs.key
"#;

/// Writes the description (its server at `base`) and the workflows into `dir`; returns
/// the workflows' path.
fn documents(dir: &Path, base: &str) -> String {
    std::fs::write(dir.join("api.yaml"), API.replace("BASE", base)).expect("write");
    // An extension that says nothing: the root `arazzo` member is what counts.
    let path = dir.join("things.flows");
    std::fs::write(&path, FLOWS).expect("write");
    path.to_string_lossy().into_owned()
}

fn weft(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_weft"));
    command.args(args);
    for name in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_SHARED_CREDENTIALS_FILE",
        "WEFT_TEST_API_KEY",
    ] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    command.output().expect("the weft binary runs")
}

fn stdout_json(output: &Output) -> Value {
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "stdout must be exactly one JSON object: {text}\nstderr: {}",
        stderr(output)
    );
    serde_json::from_str(lines[0]).expect("stdout is JSON")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_run_prints_one_json_object_with_outputs_and_steps() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (base, server) = start_server();
    let flows = documents(dir.path(), &base);
    let out = weft(
        &[
            "run",
            &flows,
            "--workflow",
            "create",
            "--input",
            &format!("token={TOKEN}"),
            "--input",
            r#"{"name": "ada", "count": 1}"#,
            // key=value: the value is JSON when it parses, and overrides the object's.
            "--input",
            "count=3",
            "--output",
            "json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout_json(&out),
        json!({
            "status": "SUCCEEDED",
            // The token came back in a response: it is masked in the outputs too.
            "output": {"id": "t1", "name": "ada", "seen": "********"},
            "steps": [
                {"workflowId": "create", "stepId": "createThing",
                 "request": {"method": "POST", "url": format!("{base}/v1/things")},
                 "response": {"status": 201}, "outcome": "SUCCEEDED"},
                {"workflowId": "create", "stepId": "readThing",
                 "request": {"method": "GET", "url": format!("{base}/v1/things/t1?key=********")},
                 "response": {"status": 200}, "outcome": "SUCCEEDED"},
            ]
        })
    );
    let received = server.received();
    assert_eq!(received.len(), 2);
    assert_eq!(
        serde_json::from_str::<Value>(&received[0].body).unwrap(),
        json!({"name": "ada", "count": 3})
    );
    assert_eq!(
        received[0].headers["authorization"],
        format!("Bearer {TOKEN}")
    );
    assert_eq!(received[1].uri, format!("/v1/things/t1?key={TOKEN}"));

    // Progress goes to stderr, step by step, without the token.
    let progress = stderr(&out);
    assert!(progress.contains("✓ createThing POST"), "{progress}");
    assert!(progress.contains("→ 201"), "{progress}");
    assert!(progress.contains("✓ readThing GET"), "{progress}");
    assert!(!progress.contains(TOKEN), "{progress}");
}

#[test]
fn inputs_come_from_files_and_later_ones_win() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (base, server) = start_server();
    let flows = documents(dir.path(), &base);
    let file = dir.path().join("inputs.yaml");
    std::fs::write(
        &file,
        format!("token: {TOKEN}\nname: from-file\ncount: 2\n"),
    )
    .expect("write");
    let out = weft(
        &[
            "run",
            &flows,
            "--workflow",
            "create",
            "--input",
            &format!("@{}", file.display()),
            "--input",
            "name=Grace Hopper",
            "--output",
            "json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout_json(&out)["output"]["name"], "Grace Hopper");
    assert_eq!(
        serde_json::from_str::<Value>(&server.received()[0].body).unwrap(),
        json!({"name": "Grace Hopper", "count": 2})
    );
}

#[test]
fn a_failed_step_fails_the_run_with_exit_code_1() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (base, server) = start_server();
    let flows = documents(dir.path(), &base);
    let out = weft(
        &[
            "run",
            &flows,
            "--workflow",
            "create",
            "--input",
            "token=wrong",
            "--input",
            "name=ada",
            "--output",
            "json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let report = stdout_json(&out);
    assert_eq!(report["status"], "FAILED");
    assert_eq!(report["error"], "Arazzo.StepFailed");
    assert!(report.get("output").is_none(), "{report}");
    let steps = report["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0]["stepId"], "createThing");
    assert_eq!(steps[0]["response"], json!({"status": 401}));
    assert_eq!(steps[0]["outcome"], "FAILED");
    assert_eq!(server.received().len(), 1);
}

#[test]
fn server_overrides_replace_the_description_servers() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (base, server) = start_server();
    // The description points at a port nothing listens on.
    let flows = documents(dir.path(), "http://127.0.0.1:9");
    let out = weft(
        &[
            "run",
            &flows,
            "--workflow",
            "create",
            "--input",
            &format!("token={TOKEN}"),
            "--input",
            "name=ada",
            "--server",
            &format!("things={base}/v1"),
            "--output",
            "json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout_json(&out)["steps"][0]["request"]["url"],
        format!("{base}/v1/things")
    );
    assert_eq!(server.received().len(), 2);

    let out = weft(&["run", &flows, "--server", "nosuch=http://x"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nosuch"), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
}

#[test]
fn har_records_every_exchange_with_secrets_masked() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (base, _server) = start_server();
    let flows = documents(dir.path(), &base);
    let har = dir.path().join("run.har");
    let out = weft(
        &[
            "run",
            &flows,
            "--workflow",
            "create",
            "--input",
            &format!("token={TOKEN}"),
            "--input",
            "name=ada",
            "--har",
            &har.to_string_lossy(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&har).expect("the archive is written");
    assert!(!text.contains(TOKEN), "{text}");
    let document: Value = serde_json::from_str(&text).expect("HAR is JSON");
    let log = &document["log"];
    assert_eq!(log["version"], "1.2");
    assert_eq!(log["creator"]["name"], "weft");
    let entries = log["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 2);

    let create = &entries[0];
    assert!(create["startedDateTime"].as_str().unwrap().ends_with('Z'));
    assert!(create["time"].as_f64().is_some());
    for phase in ["send", "wait", "receive"] {
        assert!(create["timings"][phase].as_f64().unwrap() >= 0.0, "{phase}");
    }
    let request = &create["request"];
    assert_eq!(request["method"], "POST");
    assert_eq!(request["url"], format!("{base}/v1/things"));
    assert_eq!(request["httpVersion"], "HTTP/1.1");
    let authorization: Vec<&Value> = request["headers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| {
            h["name"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case("authorization")
        })
        .collect();
    assert_eq!(
        authorization,
        [&json!({"name": "Authorization", "value": "********"})]
    );
    assert_eq!(request["postData"]["mimeType"], "application/json");
    assert_eq!(
        serde_json::from_str::<Value>(request["postData"]["text"].as_str().unwrap()).unwrap()["name"],
        "ada"
    );
    let response = &create["response"];
    assert_eq!(response["status"], 201);
    assert_eq!(response["statusText"], "Created");
    assert_eq!(response["content"]["mimeType"], "application/json");
    assert_eq!(response["content"]["text"], r#"{"id":"t1"}"#);
    assert_eq!(response["content"]["size"], 11);

    let read = &entries[1]["request"];
    assert_eq!(
        read["queryString"],
        json!([{"name": "key", "value": "********"}])
    );
}

#[test]
fn env_inputs_are_read_for_declared_names_and_masked() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (base, server) = start_server();
    let flows = documents(dir.path(), &base);
    let har = dir.path().join("env.har");
    let out = weft(
        &[
            "run",
            &flows,
            "--workflow",
            "with-env",
            "--output",
            "json",
            "--har",
            &har.to_string_lossy(),
        ],
        &[("WEFT_TEST_API_KEY", API_KEY)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(server.received()[0].headers["x-api-key"], API_KEY);
    let report = stdout_json(&out);
    assert_eq!(report["output"], json!({"key": "********"}));
    let text = std::fs::read_to_string(&har).expect("the archive is written");
    assert!(!text.contains(API_KEY), "{text}");
    assert!(!stderr(&out).contains(API_KEY));
}

#[test]
fn max_steps_ends_a_goto_loop() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (base, server) = start_server();
    let flows = documents(dir.path(), &base);
    let out = weft(
        &[
            "run",
            &flows,
            "--workflow",
            "poll",
            "--max-steps",
            "5",
            "--output",
            "json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let report = stdout_json(&out);
    assert_eq!(report["status"], "FAILED");
    assert_eq!(report["error"], "Arazzo.MaxStepsExceeded");
    assert_eq!(report["steps"].as_array().unwrap().len(), 5);
    assert_eq!(server.received().len(), 5);
}

#[test]
fn a_request_longer_than_the_timeout_fails_its_step() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (base, _server) = start_server();
    let flows = documents(dir.path(), &base);
    let out = weft(
        &[
            "run",
            &flows,
            "--workflow",
            "slow",
            "--timeout",
            "0.3",
            "--output",
            "json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let report = stdout_json(&out);
    assert_eq!(report["error"], "Arazzo.RequestFailed");
    assert!(
        report["cause"].as_str().unwrap().contains("0.3 seconds"),
        "{report}"
    );
    assert_eq!(report["steps"][0]["response"], Value::Null);
}

#[test]
fn aws_requests_are_signed_with_credentials_from_the_environment() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (base, server) = start_server();
    let flows = documents(dir.path(), &base);
    let har = dir.path().join("aws.har");
    let out = weft(
        &[
            "run",
            &flows,
            "--workflow",
            "signed",
            "--har",
            &har.to_string_lossy(),
        ],
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDTEST"),
            ("AWS_SECRET_ACCESS_KEY", "secret-key-value"),
            ("AWS_SESSION_TOKEN", "session-token-value"),
            ("AWS_REGION", "eu-central-1"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let received = &server.received()[0];
    let authorization = &received.headers["authorization"];
    assert!(
        authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKIDTEST/")
            && authorization.contains("/eu-central-1/ecs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature="),
        "{authorization}"
    );
    assert_eq!(
        received.headers["x-amz-security-token"],
        "session-token-value"
    );
    let text = std::fs::read_to_string(&har).expect("the archive is written");
    assert!(!text.contains("session-token-value"), "{text}");
    assert!(!text.contains("Signature="), "{text}");
}

#[test]
fn missing_aws_credentials_fail_the_request_clearly() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (base, server) = start_server();
    let flows = documents(dir.path(), &base);
    let home = dir.path().join("home");
    let out = weft(
        &["run", &flows, "--workflow", "signed", "--output", "json"],
        &[("HOME", &home.to_string_lossy())],
    );
    assert_eq!(out.status.code(), Some(1));
    let report = stdout_json(&out);
    assert_eq!(report["error"], "Arazzo.RequestFailed");
    let cause = report["cause"].as_str().unwrap();
    assert!(cause.contains("no AWS credentials"), "{cause}");
    assert!(cause.contains("AWS_ACCESS_KEY_ID"), "{cause}");
    assert!(server.received().is_empty());
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_run_and_reports_it_aborted() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (base, server) = start_server();
    let flows = documents(dir.path(), &base);
    let child = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(["run", &flows, "--workflow", "slow", "--output", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("weft starts");
    // Interrupt once the request is in flight.
    for _ in 0..200 {
        if !server.received().is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert_eq!(server.received().len(), 1, "the request reached the server");
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let out = child.wait_with_output().expect("weft ends");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = stdout_json(&out);
    assert_eq!(report["status"], "ABORTED");
    assert_eq!(report["steps"][0]["outcome"], "ABORTED");
}

#[test]
fn unusable_documents_and_arguments_exit_with_2() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (base, _server) = start_server();
    let flows = documents(dir.path(), &base);
    for args in [
        vec!["--workflow", "nosuch"],
        vec!["--input", "[1]"],
        vec!["--input", "{broken"],
        vec!["--input", "@/nonexistent/inputs.json"],
        vec!["--input", "no-equals-sign"],
        vec!["--timeout", "0"],
        vec!["--server", "no-equals-sign"],
        // Options of state machines.
        vec!["--mock-config", "m.json", "--test-case", "t"],
    ] {
        let mut all = vec!["run", flows.as_str()];
        all.extend(args.iter().copied());
        all.extend(["--output", "json"]);
        let out = weft(&all, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
    }

    let broken = dir.path().join("broken.arazzo.yaml");
    std::fs::write(
        &broken,
        FLOWS.replace(
            "operationId: createThing\n        parameters",
            "operationId: nosuchOperation\n        parameters",
        ),
    )
    .expect("write");
    let out = weft(&["run", &broken.to_string_lossy(), "--output", "json"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("operation-not-found"),
        "{}",
        stderr(&out)
    );

    // Options of Arazzo documents on a state machine.
    let machine = dir.path().join("machine.json");
    std::fs::write(
        &machine,
        r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#,
    )
    .expect("write");
    let out = weft(&["run", &machine.to_string_lossy(), "--har", "x.har"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--har"), "{}", stderr(&out));
}

#[test]
fn validate_reports_warnings_and_errors_of_an_arazzo_document() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let flows = documents(dir.path(), "http://127.0.0.1:9");
    let out = weft(&["validate", &flows, "--output", "json"], &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        stdout_json(&out),
        json!({"result": "OK", "diagnostics": []})
    );

    // "Bearer $inputs.token": an expression embedded without braces.
    let bare = dir.path().join("bare.yaml");
    std::fs::write(
        &bare,
        FLOWS.replace("\"Bearer {$inputs.token}\"", "\"Bearer $inputs.token\""),
    )
    .expect("write");
    let out = weft(
        &["validate", &bare.to_string_lossy(), "--output", "json"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
    let reply = stdout_json(&out);
    assert_eq!(reply["result"], "OK");
    let diagnostics = reply["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{reply}");
    assert_eq!(diagnostics[0]["severity"], "WARNING");
    assert_eq!(diagnostics[0]["code"], "bare-expression");
    assert_eq!(
        diagnostics[0]["location"],
        "/workflows/0/steps/0/parameters/0/value"
    );
    let out = weft(&["validate", &bare.to_string_lossy()], &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("warning bare-expression at /workflows/0/steps/0/parameters/0/value: "),
        "{text}"
    );
    assert!(text.ends_with("OK\n"), "{text}");

    let broken = dir.path().join("broken.yaml");
    std::fs::write(
        &broken,
        FLOWS.replace(
            "      - stepId: check\n",
            "      - stepId: check\n        workflowId: create\n",
        ),
    )
    .expect("write");
    let out = weft(
        &["validate", &broken.to_string_lossy(), "--output", "json"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let reply = stdout_json(&out);
    assert_eq!(reply["result"], "FAIL");
    assert!(
        reply["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "step-target" && d["severity"] == "ERROR"),
        "{reply}"
    );

    // YAML that does not parse is still reported as an Arazzo document.
    let unparsable = dir.path().join("unparsable.yaml");
    std::fs::write(&unparsable, format!("{FLOWS}\ninfo: again\n")).expect("write");
    let out = weft(
        &[
            "validate",
            &unparsable.to_string_lossy(),
            "--output",
            "json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let reply = stdout_json(&out);
    assert_eq!(reply["diagnostics"][0]["code"], "unparsable", "{reply}");
    let out = weft(&["run", &unparsable.to_string_lossy()], &[]);
    assert_eq!(out.status.code(), Some(2));

    // A source that cannot be read is an error too.
    let orphan = tempfile::tempdir().expect("temporary directory");
    let lonely = PathBuf::from(orphan.path()).join("lonely.yaml");
    std::fs::write(&lonely, FLOWS).expect("write");
    let out = weft(
        &["validate", &lonely.to_string_lossy(), "--output", "json"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let reply = stdout_json(&out);
    assert_eq!(reply["result"], "FAIL");
    assert_eq!(reply["diagnostics"][0]["code"], "unreadable");
    assert!(
        reply["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("api.yaml"),
        "{reply}"
    );
}
