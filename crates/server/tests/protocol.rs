//! The AWS JSON 1.0 plumbing: targets, bodies and error replies, as botocore reads them.

use axum::body::to_bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::{Value, json};
use weft_engine::durable::EngineError;
use weft_server::protocol::{self, ApiError};
use weft_server::sfn::{self, Operation, TARGET_PREFIX};

fn headers(target: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("x-amz-target", HeaderValue::from_str(target).unwrap());
    headers
}

#[test]
fn the_operation_comes_from_x_amz_target() {
    let h = headers("AWSStepFunctions.ListStateMachines");
    assert_eq!(
        protocol::target(&h, TARGET_PREFIX).unwrap(),
        "ListStateMachines"
    );
}

#[test]
fn a_missing_or_foreign_target_is_an_unknown_operation() {
    let unknown = ApiError::unknown_operation();
    assert_eq!(
        protocol::target(&HeaderMap::new(), TARGET_PREFIX).unwrap_err(),
        unknown
    );
    for target in [
        "DynamoDB_20120810.ListTables",
        "AWSStepFunctions",
        "AWSStepFunctions.",
        "AWSStepFunctionsListStateMachines",
    ] {
        assert_eq!(
            protocol::target(&headers(target), TARGET_PREFIX).unwrap_err(),
            unknown,
            "{target}"
        );
    }
    // AWS answers an unknown target with the bare shape and no message.
    assert_eq!(
        unknown.body(),
        json!({"__type": "UnknownOperationException"})
    );
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
}

#[test]
fn the_model_has_37_operations_and_weft_serves_16() {
    assert_eq!(Operation::ALL.len(), 37);
    let served: Vec<&str> = Operation::ALL
        .iter()
        .filter(|op| op.is_served())
        .map(|op| op.name())
        .collect();
    assert_eq!(
        served,
        [
            "CreateStateMachine",
            "DeleteStateMachine",
            "DescribeExecution",
            "DescribeStateMachine",
            "DescribeStateMachineForExecution",
            "GetExecutionHistory",
            "ListExecutions",
            "ListStateMachines",
            "ListTagsForResource",
            "StartExecution",
            "StartSyncExecution",
            "StopExecution",
            "TagResource",
            "UntagResource",
            "UpdateStateMachine",
            "ValidateStateMachineDefinition",
        ]
    );
    for op in Operation::ALL {
        assert_eq!(Operation::from_name(op.name()), Some(*op));
    }
}

#[test]
fn operations_weft_does_not_serve_say_so() {
    let error = sfn::operation("CreateActivity").unwrap_err();
    assert_eq!(error.type_name, "UnknownOperationException");
    assert_eq!(
        error.message.as_deref(),
        Some("weft does not serve the Step Functions operation CreateActivity yet")
    );
    assert_eq!(
        sfn::operation("NoSuchOperation").unwrap_err(),
        ApiError::unknown_operation()
    );
    assert_eq!(
        sfn::operation("StartExecution").unwrap(),
        Operation::StartExecution
    );
}

#[test]
fn bodies_are_json_objects_or_empty() {
    assert!(protocol::read_body(b"").unwrap().is_empty());
    assert!(protocol::read_body(b"  ").unwrap().is_empty());
    assert_eq!(
        protocol::read_body(br#"{"maxResults": 5}"#).unwrap()["maxResults"],
        5
    );
    let list = protocol::read_body(b"[1]").unwrap_err();
    assert_eq!(
        list.body(),
        json!({"__type": "SerializationException", "message": "Start of list found where not expected"})
    );
    for not_an_object in [&b"{"[..], b"\"text\"", b"null", b"12", b"{\"a\":1,}"] {
        let error = protocol::read_body(not_an_object).unwrap_err();
        assert_eq!(error.body(), json!({"__type": "SerializationException"}));
    }
}

async fn body_of(response: axum::response::Response) -> Value {
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn errors_carry_type_message_and_headers() {
    let error = ApiError::from(EngineError::StateMachineDoesNotExist(
        "arn:aws:states:us-east-1:123456789012:stateMachine:nope".into(),
    ));
    let response = protocol::error_reply(&error, "4f7c1c4e-0000-4000-8000-000000000000");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let h = response.headers();
    assert_eq!(h["content-type"], "application/x-amz-json-1.0");
    assert_eq!(h["x-amzn-errortype"], "StateMachineDoesNotExist");
    assert_eq!(
        h["x-amzn-requestid"],
        "4f7c1c4e-0000-4000-8000-000000000000"
    );
    assert_eq!(
        body_of(response).await,
        json!({
            "__type": "StateMachineDoesNotExist",
            "message": "State Machine Does Not Exist: 'arn:aws:states:us-east-1:123456789012:stateMachine:nope'"
        })
    );
}

#[tokio::test]
async fn replies_are_amz_json() {
    let response = protocol::reply(StatusCode::OK, "id-1", &json!({"tags": []}));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/x-amz-json-1.0"
    );
    assert_eq!(response.headers()["x-amzn-requestid"], "id-1");
    assert_eq!(body_of(response).await, json!({"tags": []}));
}

#[test]
fn store_failures_are_server_faults() {
    let error = ApiError::from(EngineError::Store(weft_store::StoreError::Backend(
        "disk full".into(),
    )));
    assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(error.type_name, "InternalServerError");
}

#[test]
fn resource_errors_name_the_resource() {
    let arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m:1";
    let error = ApiError::from(EngineError::ResourceNotFound(arn.into()));
    assert_eq!(
        error.body(),
        json!({
            "__type": "ResourceNotFound",
            // Recorded on AWS for TagResource on a version ARN.
            "message": format!("Resource not found: '{arn}'"),
            "resourceName": arn,
        })
    );
}
