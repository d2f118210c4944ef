//! The Step Functions API end to end: the router in front of a real engine on an
//! in-memory SQLite store, driven with the requests boto3 sends. Expected replies are
//! the ones AWS gives (LocalStack's AWS-validated snapshots of `test_sfn_api.py`,
//! `test_sfn_api_tagging.py`, `test_express_sync.py`, and the botocore shapes); dates
//! are redacted.

use std::time::Duration;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;
use weft_engine::arn::Scope;
use weft_engine::durable::{Engine, EngineConfig};

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";
const ROLE: &str = "arn:aws:iam::123456789012:role/sfn";
const PASS: &str = r#"{"Comment":"BASE_PASS_RESULT","StartAt":"State_1","States":{"State_1":{"Type":"Pass","Result":{"Arg1":"argument1"},"End":true}}}"#;
const WAIT: &str =
    r#"{"StartAt":"State_1","States":{"State_1":{"Type":"Wait","Seconds":600,"End":true}}}"#;

fn sm_arn(name: &str) -> String {
    format!("arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}")
}

fn exec_arn(machine: &str, name: &str) -> String {
    format!("arn:aws:states:{REGION}:{ACCOUNT}:execution:{machine}:{name}")
}

/// A JSON snapshot with object members in name order (the order AWS's recordings use).
macro_rules! snapshot {
    ($value:expr, {$($selector:expr => $replacement:expr),* $(,)?}, @$expected:literal) => {
        insta::with_settings!({sort_maps => true}, {
            insta::assert_json_snapshot!($value, {$($selector => $replacement),*}, @$expected);
        })
    };
}

async fn app() -> Router {
    let store = weft_store::open("sqlite::memory:").await.unwrap();
    let engine = Engine::open(
        store,
        EngineConfig {
            scope: Scope::new(REGION, ACCOUNT),
            mock_config: None,
        },
    )
    .await
    .unwrap();
    weft_server::router(engine)
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

async fn send(app: &Router, target: Option<&str>, body: Vec<u8>) -> Reply {
    let mut request = Request::post("/")
        .header("content-type", "application/x-amz-json-1.0")
        .header("host", "sync-127.0.0.1:8083");
    if let Some(target) = target {
        request = request.header("x-amz-target", target);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    Reply {
        status,
        headers,
        body: serde_json::from_slice(&bytes).unwrap(),
    }
}

async fn call(app: &Router, operation: &str, body: Value) -> Reply {
    send(
        app,
        Some(&format!("AWSStepFunctions.{operation}")),
        body.to_string().into_bytes(),
    )
    .await
}

/// Calls an operation that must succeed.
async fn ok(app: &Router, operation: &str, body: Value) -> Value {
    let reply = call(app, operation, body).await;
    assert_eq!(reply.status, StatusCode::OK, "{operation}: {}", reply.body);
    reply.body
}

/// Calls an operation that must fail; returns (`__type`, message).
async fn fails(app: &Router, operation: &str, body: Value) -> (String, String) {
    let reply = call(app, operation, body).await;
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "{operation}: {}",
        reply.body
    );
    let kind = reply.body["__type"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(reply.headers["x-amzn-errortype"], kind.as_str());
    (
        kind,
        reply.body["message"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

async fn create(app: &Router, name: &str, definition: &str, kind: &str) -> String {
    let created = ok(
        app,
        "CreateStateMachine",
        json!({"name": name, "definition": definition, "roleArn": ROLE, "type": kind}),
    )
    .await;
    created["stateMachineArn"].as_str().unwrap().to_string()
}

/// Describes an execution until it has ended.
async fn ended(app: &Router, execution: &str) -> Value {
    for _ in 0..500 {
        let described = ok(app, "DescribeExecution", json!({"executionArn": execution})).await;
        if described["status"] != "RUNNING" {
            return described;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{execution} did not end");
}

#[tokio::test]
async fn every_reply_is_amz_json_with_a_request_id() {
    let app = app().await;
    let reply = call(&app, "ListStateMachines", json!({})).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers["content-type"], "application/x-amz-json-1.0");
    let id = reply.headers["x-amzn-requestid"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    assert_eq!(reply.body, json!({"stateMachines": []}));
    // An empty body is the empty input.
    let empty = send(&app, Some("AWSStepFunctions.ListStateMachines"), Vec::new()).await;
    assert_eq!(empty.body, json!({"stateMachines": []}));
}

#[tokio::test]
async fn protocol_errors() {
    let app = app().await;
    let unknown = send(&app, Some("AWSStepFunctions.NoSuchThing"), b"{}".to_vec()).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.body, json!({"__type": "UnknownOperationException"}));
    assert_eq!(
        unknown.headers["x-amzn-errortype"],
        "UnknownOperationException"
    );
    let missing = send(&app, None, b"{}".to_vec()).await;
    assert_eq!(missing.body["__type"], "UnknownOperationException");
    let not_served = call(&app, "CreateActivity", json!({"name": "a"})).await;
    assert_eq!(not_served.body["__type"], "UnknownOperationException");
    assert!(
        not_served.body["message"]
            .as_str()
            .unwrap()
            .contains("CreateActivity")
    );
    let garbled = send(
        &app,
        Some("AWSStepFunctions.ListStateMachines"),
        b"{nope".to_vec(),
    )
    .await;
    assert_eq!(garbled.status, StatusCode::BAD_REQUEST);
    assert_eq!(garbled.body, json!({"__type": "SerializationException"}));
}

#[tokio::test]
async fn create_describe_and_delete_a_state_machine() {
    let app = app().await;
    let name = "hello";
    let created = ok(
        &app,
        "CreateStateMachine",
        json!({"name": name, "definition": PASS, "roleArn": ROLE}),
    )
    .await;
    snapshot!(created, {".creationDate" => "[date]"}, @r#"
    {
      "creationDate": "[date]",
      "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:hello"
    }
    "#);
    assert!(created["creationDate"].is_f64());

    let described = ok(
        &app,
        "DescribeStateMachine",
        json!({"stateMachineArn": sm_arn(name)}),
    )
    .await;
    snapshot!(described, {".creationDate" => "[date]"}, @r#"
    {
      "creationDate": "[date]",
      "definition": "{\"Comment\":\"BASE_PASS_RESULT\",\"StartAt\":\"State_1\",\"States\":{\"State_1\":{\"Type\":\"Pass\",\"Result\":{\"Arg1\":\"argument1\"},\"End\":true}}}",
      "encryptionConfiguration": {
        "type": "AWS_OWNED_KEY"
      },
      "loggingConfiguration": {
        "includeExecutionData": false,
        "level": "OFF"
      },
      "name": "hello",
      "roleArn": "arn:aws:iam::123456789012:role/sfn",
      "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:hello",
      "status": "ACTIVE",
      "tracingConfiguration": {
        "enabled": false
      },
      "type": "STANDARD"
    }
    "#);

    // CreateStateMachine is idempotent for the same definition (recorded on AWS) …
    let again = ok(
        &app,
        "CreateStateMachine",
        json!({"name": name, "definition": PASS, "roleArn": ROLE}),
    )
    .await;
    assert_eq!(again["stateMachineArn"], sm_arn(name));
    // … and refuses the same name with another definition.
    assert_eq!(
        fails(
            &app,
            "CreateStateMachine",
            json!({"name": name, "definition": WAIT, "roleArn": ROLE})
        )
        .await,
        (
            "StateMachineAlreadyExists".into(),
            format!("State Machine Already Exists: '{}'", sm_arn(name))
        )
    );

    let listed = ok(&app, "ListStateMachines", json!({})).await;
    snapshot!(listed, {".stateMachines[].creationDate" => "[date]"}, @r#"
    {
      "stateMachines": [
        {
          "creationDate": "[date]",
          "name": "hello",
          "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:hello",
          "type": "STANDARD"
        }
      ]
    }
    "#);

    assert_eq!(
        ok(
            &app,
            "DeleteStateMachine",
            json!({"stateMachineArn": sm_arn(name)})
        )
        .await,
        json!({})
    );
    // Deleting what does not exist succeeds (recorded on AWS).
    assert_eq!(
        ok(
            &app,
            "DeleteStateMachine",
            json!({"stateMachineArn": sm_arn("never")})
        )
        .await,
        json!({})
    );
    let gone = fails(
        &app,
        "DescribeStateMachine",
        json!({"stateMachineArn": sm_arn("never")}),
    )
    .await;
    assert_eq!(
        gone,
        (
            "StateMachineDoesNotExist".into(),
            format!("State Machine Does Not Exist: '{}'", sm_arn("never"))
        )
    );
}

#[tokio::test]
async fn arns_of_another_region_or_account_name_nothing() {
    let app = app().await;
    create(&app, "hello", PASS, "STANDARD").await;
    let elsewhere = format!("arn:aws:states:eu-west-1:{ACCOUNT}:stateMachine:hello");
    assert_eq!(
        fails(
            &app,
            "DescribeStateMachine",
            json!({"stateMachineArn": elsewhere})
        )
        .await
        .0,
        "StateMachineDoesNotExist"
    );
    let other_account = "arn:aws:states:us-east-1:210987654321:execution:hello:x";
    assert_eq!(
        fails(
            &app,
            "DescribeExecution",
            json!({"executionArn": other_account})
        )
        .await,
        (
            "ExecutionDoesNotExist".into(),
            format!("Execution Does Not Exist: '{other_account}'")
        )
    );
    assert_eq!(
        fails(
            &app,
            "ListTagsForResource",
            json!({"resourceArn": elsewhere})
        )
        .await
        .0,
        "ResourceNotFound"
    );
}

#[tokio::test]
async fn update_a_state_machine() {
    let app = app().await;
    let arn = create(&app, "hello", PASS, "STANDARD").await;
    let updated = ok(
        &app,
        "UpdateStateMachine",
        json!({"stateMachineArn": arn, "roleArn": "arn:aws:iam::123456789012:role/other"}),
    )
    .await;
    let revision = updated["revisionId"].as_str().unwrap().to_string();
    assert!(updated["updateDate"].is_f64());
    let described = ok(
        &app,
        "DescribeStateMachine",
        json!({"stateMachineArn": arn}),
    )
    .await;
    assert_eq!(described["revisionId"], revision.as_str());
    assert_eq!(described["roleArn"], "arn:aws:iam::123456789012:role/other");
    // The same parameters again make no new revision (recorded on AWS).
    let same = ok(
        &app,
        "UpdateStateMachine",
        json!({"stateMachineArn": arn, "roleArn": "arn:aws:iam::123456789012:role/other"}),
    )
    .await;
    assert_eq!(same["revisionId"], revision.as_str());
}

#[tokio::test]
async fn run_an_execution_and_read_its_history() {
    let app = app().await;
    let machine = create(&app, "hello", PASS, "STANDARD").await;
    let started = ok(
        &app,
        "StartExecution",
        json!({"stateMachineArn": machine, "name": "run-1"}),
    )
    .await;
    snapshot!(started, {".startDate" => "[date]"}, @r#"
    {
      "executionArn": "arn:aws:states:us-east-1:123456789012:execution:hello:run-1",
      "startDate": "[date]"
    }
    "#);
    let execution = exec_arn("hello", "run-1");
    let described = ended(&app, &execution).await;
    // Recorded on AWS (test_describe_execution).
    snapshot!(described, {".startDate" => "[date]", ".stopDate" => "[date]"}, @r#"
    {
      "executionArn": "arn:aws:states:us-east-1:123456789012:execution:hello:run-1",
      "input": "{}",
      "inputDetails": {
        "included": true
      },
      "name": "run-1",
      "output": "{\"Arg1\":\"argument1\"}",
      "outputDetails": {
        "included": true
      },
      "redriveCount": 0,
      "redriveStatus": "NOT_REDRIVABLE",
      "redriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
      "startDate": "[date]",
      "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:hello",
      "status": "SUCCEEDED",
      "stopDate": "[date]"
    }
    "#);

    // Recorded on AWS (test_start_execution).
    let history = ok(
        &app,
        "GetExecutionHistory",
        json!({"executionArn": execution}),
    )
    .await;
    snapshot!(history, {".events[].timestamp" => "[date]"}, @r#"
    {
      "events": [
        {
          "executionStartedEventDetails": {
            "input": "{}",
            "inputDetails": {
              "truncated": false
            },
            "roleArn": "arn:aws:iam::123456789012:role/sfn"
          },
          "id": 1,
          "previousEventId": 0,
          "timestamp": "[date]",
          "type": "ExecutionStarted"
        },
        {
          "id": 2,
          "previousEventId": 0,
          "stateEnteredEventDetails": {
            "input": "{}",
            "inputDetails": {
              "truncated": false
            },
            "name": "State_1"
          },
          "timestamp": "[date]",
          "type": "PassStateEntered"
        },
        {
          "id": 3,
          "previousEventId": 2,
          "stateExitedEventDetails": {
            "name": "State_1",
            "output": "{\"Arg1\":\"argument1\"}",
            "outputDetails": {
              "truncated": false
            }
          },
          "timestamp": "[date]",
          "type": "PassStateExited"
        },
        {
          "executionSucceededEventDetails": {
            "output": "{\"Arg1\":\"argument1\"}",
            "outputDetails": {
              "truncated": false
            }
          },
          "id": 4,
          "previousEventId": 3,
          "timestamp": "[date]",
          "type": "ExecutionSucceeded"
        }
      ]
    }
    "#);

    // Recorded on AWS (test_get_execution_history_reversed).
    let reversed = ok(
        &app,
        "GetExecutionHistory",
        json!({"executionArn": execution, "reverseOrder": true}),
    )
    .await;
    let ids: Vec<u64> = reversed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [4, 3, 2, 1]);

    let bare = ok(
        &app,
        "GetExecutionHistory",
        json!({"executionArn": execution, "includeExecutionData": false}),
    )
    .await;
    assert_eq!(
        bare["events"][0]["executionStartedEventDetails"],
        json!({"roleArn": ROLE})
    );
    assert_eq!(
        bare["events"][2]["stateExitedEventDetails"],
        json!({"name": "State_1"})
    );

    let first = ok(
        &app,
        "GetExecutionHistory",
        json!({"executionArn": execution, "maxResults": 3}),
    )
    .await;
    assert_eq!(first["events"].as_array().unwrap().len(), 3);
    let token = first["nextToken"].as_str().unwrap();
    let rest = ok(
        &app,
        "GetExecutionHistory",
        json!({"executionArn": execution, "maxResults": 3, "nextToken": token}),
    )
    .await;
    assert_eq!(rest["events"].as_array().unwrap().len(), 1);
    assert_eq!(rest["events"][0]["id"], 4);
    assert!(rest.get("nextToken").is_none());

    // Recorded on AWS (test_state_machine_status_filter).
    let listed = ok(
        &app,
        "ListExecutions",
        json!({"stateMachineArn": machine, "statusFilter": "SUCCEEDED"}),
    )
    .await;
    snapshot!(listed, {".executions[].startDate" => "[date]", ".executions[].stopDate" => "[date]"}, @r#"
    {
      "executions": [
        {
          "executionArn": "arn:aws:states:us-east-1:123456789012:execution:hello:run-1",
          "name": "run-1",
          "redriveCount": 0,
          "startDate": "[date]",
          "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:hello",
          "status": "SUCCEEDED",
          "stopDate": "[date]"
        }
      ]
    }
    "#);
    let running = ok(
        &app,
        "ListExecutions",
        json!({"stateMachineArn": machine, "statusFilter": "RUNNING"}),
    )
    .await;
    assert_eq!(running, json!({"executions": []}));

    // Recorded on AWS (test_describe_state_machine_for_execution).
    let definition = ok(
        &app,
        "DescribeStateMachineForExecution",
        json!({"executionArn": execution}),
    )
    .await;
    snapshot!(definition, {".updateDate" => "[date]"}, @r#"
    {
      "definition": "{\"Comment\":\"BASE_PASS_RESULT\",\"StartAt\":\"State_1\",\"States\":{\"State_1\":{\"Type\":\"Pass\",\"Result\":{\"Arg1\":\"argument1\"},\"End\":true}}}",
      "encryptionConfiguration": {
        "type": "AWS_OWNED_KEY"
      },
      "loggingConfiguration": {
        "includeExecutionData": false,
        "level": "OFF"
      },
      "name": "hello",
      "roleArn": "arn:aws:iam::123456789012:role/sfn",
      "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:hello",
      "tracingConfiguration": {
        "enabled": false
      },
      "updateDate": "[date]"
    }
    "#);
}

#[tokio::test]
async fn execution_errors() {
    let app = app().await;
    let machine = create(&app, "hello", PASS, "STANDARD").await;
    // Recorded on AWS (test_invalid_start_execution_arn).
    let missing = sm_arn("statemachine_invalid_hello");
    assert_eq!(
        fails(&app, "StartExecution", json!({"stateMachineArn": missing})).await,
        (
            "StateMachineDoesNotExist".into(),
            format!("State Machine Does Not Exist: '{missing}'")
        )
    );
    // Recorded on AWS (test_invalid_start_execution_input).
    assert_eq!(
        fails(
            &app,
            "StartExecution",
            json!({"stateMachineArn": machine, "input": ""})
        )
        .await,
        (
            "InvalidExecutionInput".into(),
            "Invalid State Machine Execution Input: 'Invalid execution input.'".into()
        )
    );
    for input in ["2", "\"string\"", "null"] {
        ok(
            &app,
            "StartExecution",
            json!({"stateMachineArn": machine, "input": input}),
        )
        .await;
    }
    // Recorded on AWS (test_describe_execution_no_such_state_machine).
    let nowhere = exec_arn("hello", "nowhere");
    assert_eq!(
        fails(&app, "DescribeExecution", json!({"executionArn": nowhere})).await,
        (
            "ExecutionDoesNotExist".into(),
            format!("Execution Does Not Exist: '{nowhere}'")
        )
    );
    assert_eq!(
        fails(
            &app,
            "GetExecutionHistory",
            json!({"executionArn": nowhere})
        )
        .await
        .0,
        "ExecutionDoesNotExist"
    );
    // Recorded on AWS (test_start_sync_execution).
    assert_eq!(
        fails(
            &app,
            "StartSyncExecution",
            json!({"stateMachineArn": machine})
        )
        .await,
        (
            "StateMachineTypeNotSupported".into(),
            "This operation is not supported by this type of state machine".into()
        )
    );
    // Recorded on AWS (test_list_execution_no_such_state_machine).
    assert_eq!(
        fails(
            &app,
            "ListExecutions",
            json!({"stateMachineArn": sm_arn("nope")})
        )
        .await
        .0,
        "StateMachineDoesNotExist"
    );
}

#[tokio::test]
async fn start_execution_is_idempotent_while_running() {
    let app = app().await;
    let machine = create(&app, "waiting", WAIT, "STANDARD").await;
    let body = json!({"stateMachineArn": machine, "name": "once", "input": "{\"a\":1}"});
    let first = ok(&app, "StartExecution", body.clone()).await;
    let second = ok(&app, "StartExecution", body).await;
    assert_eq!(first, second);
    assert_eq!(
        fails(
            &app,
            "StartExecution",
            json!({"stateMachineArn": machine, "name": "once", "input": "{\"a\":2}"})
        )
        .await,
        (
            "ExecutionAlreadyExists".into(),
            format!(
                "Execution Already Exists: '{}'",
                exec_arn("waiting", "once")
            )
        )
    );
}

#[tokio::test]
async fn stop_an_execution() {
    let app = app().await;
    let machine = create(&app, "waiting", WAIT, "STANDARD").await;
    ok(
        &app,
        "StartExecution",
        json!({"stateMachineArn": machine, "name": "w1"}),
    )
    .await;
    let execution = exec_arn("waiting", "w1");
    let stopped = ok(&app, "StopExecution", json!({"executionArn": execution})).await;
    snapshot!(stopped, {".stopDate" => "[date]"}, @r#"
    {
      "stopDate": "[date]"
    }
    "#);
    let described = ended(&app, &execution).await;
    assert_eq!(described["status"], "ABORTED");
    // No error or cause given: neither member is sent (measured on AWS).
    assert!(described.get("error").is_none());
    assert!(described.get("cause").is_none());
    assert_eq!(described["stopDate"], stopped["stopDate"]);
    // Recorded on AWS (test_stop_execution): the history ends with an empty
    // executionAbortedEventDetails.
    let history = ok(
        &app,
        "GetExecutionHistory",
        json!({"executionArn": execution}),
    )
    .await;
    let last = history["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["type"], "ExecutionAborted");
    assert_eq!(last["executionAbortedEventDetails"], json!({}));
    // Stopping again changes nothing.
    let again = ok(&app, "StopExecution", json!({"executionArn": execution})).await;
    assert_eq!(again["stopDate"], stopped["stopDate"]);

    ok(
        &app,
        "StartExecution",
        json!({"stateMachineArn": machine, "name": "w2"}),
    )
    .await;
    let execution = exec_arn("waiting", "w2");
    ok(
        &app,
        "StopExecution",
        json!({"executionArn": execution, "error": "Manual", "cause": "probe"}),
    )
    .await;
    let described = ended(&app, &execution).await;
    assert_eq!(
        (
            &described["status"],
            &described["error"],
            &described["cause"]
        ),
        (&json!("ABORTED"), &json!("Manual"), &json!("probe"))
    );
}

#[tokio::test]
async fn run_an_express_execution_synchronously() {
    let app = app().await;
    let machine = create(&app, "quick", PASS, "EXPRESS").await;
    let reply = ok(
        &app,
        "StartSyncExecution",
        json!({"stateMachineArn": machine, "name": "sync-1"}),
    )
    .await;
    // Recorded on AWS (test_express_sync, BASE_PASS_RESULT).
    snapshot!(reply, {
        ".executionArn" => "[express execution arn]",
        ".startDate" => "[date]",
        ".stopDate" => "[date]",
    }, @r#"
    {
      "billingDetails": {
        "billedDurationInMilliseconds": 100,
        "billedMemoryUsedInMB": 64
      },
      "executionArn": "[express execution arn]",
      "input": "{}",
      "inputDetails": {
        "included": true
      },
      "name": "sync-1",
      "output": "{\"Arg1\":\"argument1\"}",
      "outputDetails": {
        "included": true
      },
      "startDate": "[date]",
      "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:quick",
      "status": "SUCCEEDED",
      "stopDate": "[date]"
    }
    "#);
    let arn = reply["executionArn"].as_str().unwrap();
    assert!(
        arn.starts_with("arn:aws:states:us-east-1:123456789012:express:quick:sync-1:"),
        "{arn}"
    );
    // EXPRESS executions are not served by DescribeExecution.
    assert_eq!(
        fails(&app, "DescribeExecution", json!({"executionArn": arn})).await,
        (
            "InvalidArn".into(),
            "Invalid Arn: 'Resource type not valid in this context: express'".into()
        )
    );
}

#[tokio::test]
async fn tag_and_untag_a_state_machine() {
    let app = app().await;
    let arn = create(&app, "tagged", PASS, "STANDARD").await;
    // Recorded on AWS (test_tag_state_machine[tag_list3]): duplicate tags are one.
    assert_eq!(
        ok(
            &app,
            "TagResource",
            json!({"resourceArn": arn, "tags": [{"key": "key1", "value": "value1"}, {"key": "key1", "value": "value1"}]})
        )
        .await,
        json!({})
    );
    assert_eq!(
        ok(&app, "ListTagsForResource", json!({"resourceArn": arn})).await,
        json!({"tags": [{"key": "key1", "value": "value1"}]})
    );
    ok(
        &app,
        "TagResource",
        json!({"resourceArn": arn, "tags": [{"key": "key2", "value": "value2"}]}),
    )
    .await;
    // Recorded on AWS (test_untag_state_machine).
    assert_eq!(
        ok(
            &app,
            "UntagResource",
            json!({"resourceArn": arn, "tagKeys": ["key2", "key2"]})
        )
        .await,
        json!({})
    );
    assert_eq!(
        ok(&app, "ListTagsForResource", json!({"resourceArn": arn})).await,
        json!({"tags": [{"key": "key1", "value": "value1"}]})
    );
    // Recorded on AWS (test_create_state_machine): tags given at creation.
    ok(
        &app,
        "CreateStateMachine",
        json!({"name": "born-tagged", "definition": PASS, "roleArn": ROLE,
               "tags": [{"key": "key1", "value": "value1"}, {"key": "key2", "value": "value2"}]}),
    )
    .await;
    assert_eq!(
        ok(
            &app,
            "ListTagsForResource",
            json!({"resourceArn": sm_arn("born-tagged")})
        )
        .await,
        json!({"tags": [{"key": "key1", "value": "value1"}, {"key": "key2", "value": "value2"}]})
    );
    let missing = sm_arn("untagged-nowhere");
    assert_eq!(
        fails(
            &app,
            "TagResource",
            json!({"resourceArn": missing, "tags": []})
        )
        .await,
        (
            "ResourceNotFound".into(),
            format!("Resource not found: '{missing}'")
        )
    );
}

#[tokio::test]
async fn list_state_machines_in_pages() {
    let app = app().await;
    for name in ["a", "b", "c"] {
        create(&app, name, PASS, "STANDARD").await;
    }
    let first = ok(&app, "ListStateMachines", json!({"maxResults": 2})).await;
    assert_eq!(first["stateMachines"].as_array().unwrap().len(), 2);
    let token = first["nextToken"].as_str().unwrap();
    let second = ok(
        &app,
        "ListStateMachines",
        json!({"maxResults": 2, "nextToken": token}),
    )
    .await;
    assert_eq!(second["stateMachines"].as_array().unwrap().len(), 1);
    assert!(second.get("nextToken").is_none());
    let mut names: Vec<String> = first["stateMachines"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["stateMachines"].as_array().unwrap())
        .map(|m| m["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["a", "b", "c"]);
}

#[tokio::test]
async fn validate_needs_no_state_machine() {
    let app = app().await;
    assert_eq!(
        ok(
            &app,
            "ValidateStateMachineDefinition",
            json!({"definition": PASS})
        )
        .await,
        json!({"result": "OK", "diagnostics": [], "truncated": false})
    );
}
