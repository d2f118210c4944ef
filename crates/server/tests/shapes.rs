//! Replies shaped from engine records, against the members AWS sends (LocalStack's
//! AWS-validated snapshots and the botocore output shapes).

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Map, Value, json};
use weft_engine::durable::{
    ExecutionDefinition, ExecutionDescription, ExecutionListItem, MachineType, RecordedEvent,
    StateMachineDescription, StateMachineListItem, Tag,
};
use weft_server::sfn::shapes;

/// A JSON snapshot with object members in name order (the order AWS's recordings use).
macro_rules! snapshot {
    ($value:expr, {$($selector:expr => $replacement:expr),* $(,)?}, @$expected:literal) => {
        insta::with_settings!({sort_maps => true}, {
            insta::assert_json_snapshot!($value, {$($selector => $replacement),*}, @$expected);
        })
    };
}

const SM: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:hello";
const EXEC: &str = "arn:aws:states:us-east-1:123456789012:execution:hello:run-1";

fn at(millis: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(millis).single().unwrap()
}

const START: i64 = 1_704_067_200_123;

fn execution(status: &str) -> ExecutionDescription {
    ExecutionDescription {
        execution_arn: EXEC.into(),
        state_machine_arn: SM.into(),
        name: "run-1".into(),
        status: status.into(),
        start_date: at(START),
        stop_date: (status != "RUNNING").then(|| at(START + 250)),
        input: "{}".into(),
        output: (status == "SUCCEEDED").then(|| "{\"Arg1\":\"argument1\"}".into()),
        error: (status == "FAILED").then(|| "SomeFailure".into()),
        cause: (status == "FAILED")
            .then(|| "This state machines raises a 'SomeFailure' failure.".into()),
        trace_header: None,
    }
}

#[test]
fn timestamps_are_epoch_seconds_with_milliseconds() {
    assert_eq!(shapes::epoch(at(START)), json!(1_704_067_200.123));
    assert_eq!(shapes::epoch(at(1_704_067_200_000)), json!(1_704_067_200.0));
}

#[test]
fn a_succeeded_execution() {
    // DescribeExecution as recorded on AWS (test_describe_execution).
    assert_eq!(
        shapes::execution(&execution("SUCCEEDED")),
        json!({
            "executionArn": EXEC,
            "input": "{}",
            "inputDetails": {"included": true},
            "name": "run-1",
            "output": "{\"Arg1\":\"argument1\"}",
            "outputDetails": {"included": true},
            "redriveCount": 0,
            "redriveStatus": "NOT_REDRIVABLE",
            "redriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
            "startDate": 1_704_067_200.123,
            "stateMachineArn": SM,
            "status": "SUCCEEDED",
            "stopDate": 1_704_067_200.373
        })
    );
}

#[test]
fn a_running_execution_has_no_stop_date_or_output() {
    let shape = shapes::execution(&execution("RUNNING"));
    let members = shape.as_object().unwrap();
    for absent in [
        "stopDate",
        "output",
        "outputDetails",
        "error",
        "cause",
        "traceHeader",
    ] {
        assert!(!members.contains_key(absent), "{absent}");
    }
    assert_eq!(
        shape["redriveStatusReason"],
        "Execution is RUNNING and cannot be redriven"
    );
}

#[test]
fn a_failed_execution_has_error_and_cause_but_no_output() {
    let shape = shapes::execution(&execution("FAILED"));
    assert_eq!(shape["error"], "SomeFailure");
    assert_eq!(
        shape["cause"],
        "This state machines raises a 'SomeFailure' failure."
    );
    let members = shape.as_object().unwrap();
    assert!(!members.contains_key("output"));
    assert!(!members.contains_key("outputDetails"));
    assert_eq!(shape["redriveStatus"], "NOT_REDRIVABLE");
}

#[test]
fn a_sync_execution_bills_64_mb_in_100_ms_steps() {
    // StartSyncExecution as recorded on AWS (test_express_sync, BASE_RAISE_FAILURE):
    // outputDetails is there even without an output.
    let mut failed = execution("FAILED");
    failed.execution_arn = "arn:aws:states:us-east-1:123456789012:express:hello:run-1:abc".into();
    failed.stop_date = Some(at(START + 40));
    assert_eq!(
        shapes::sync_execution(&failed),
        json!({
            "billingDetails": {"billedDurationInMilliseconds": 100, "billedMemoryUsedInMB": 64},
            "cause": "This state machines raises a 'SomeFailure' failure.",
            "error": "SomeFailure",
            "executionArn": "arn:aws:states:us-east-1:123456789012:express:hello:run-1:abc",
            "input": "{}",
            "inputDetails": {"included": true},
            "name": "run-1",
            "outputDetails": {"included": true},
            "startDate": 1_704_067_200.123,
            "stateMachineArn": SM,
            "status": "FAILED",
            "stopDate": 1_704_067_200.163
        })
    );
    let mut slow = execution("SUCCEEDED");
    slow.stop_date = Some(at(START + 7_501));
    assert_eq!(
        shapes::sync_execution(&slow)["billingDetails"]["billedDurationInMilliseconds"],
        7_600
    );
    slow.stop_date = Some(at(START + 300));
    assert_eq!(
        shapes::sync_execution(&slow)["billingDetails"]["billedDurationInMilliseconds"],
        300
    );
}

fn description(
    logging: Value,
    tracing: Value,
    encryption: Value,
    revision: &str,
) -> StateMachineDescription {
    StateMachineDescription {
        state_machine_arn: SM.into(),
        name: "hello".into(),
        status: "ACTIVE".into(),
        definition: "{}".into(),
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        machine_type: MachineType::Standard,
        creation_date: at(START),
        logging,
        tracing,
        encryption,
        revision_id: (!revision.is_empty()).then(|| revision.to_string()),
    }
}

#[test]
fn a_state_machine_with_default_configuration() {
    // DescribeStateMachine as recorded on AWS before any update: no revisionId.
    assert_eq!(
        shapes::state_machine(&description(Value::Null, Value::Null, Value::Null, "")),
        json!({
            "creationDate": 1_704_067_200.123,
            "definition": "{}",
            "encryptionConfiguration": {"type": "AWS_OWNED_KEY"},
            "loggingConfiguration": {"includeExecutionData": false, "level": "OFF"},
            "name": "hello",
            "roleArn": "arn:aws:iam::123456789012:role/r",
            "stateMachineArn": SM,
            "status": "ACTIVE",
            "tracingConfiguration": {"enabled": false},
            "type": "STANDARD"
        })
    );
}

#[test]
fn a_state_machine_keeps_its_configuration_and_revision() {
    let logging = json!({"level": "ALL", "includeExecutionData": true, "destinations": [
        {"cloudWatchLogsLogGroup": {"logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:g:*"}}
    ]});
    let shape = shapes::state_machine(&description(
        logging.clone(),
        json!({"enabled": true}),
        json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "k"}),
        "8c6d0a0e-6f39-4b4c-9b8e-4a0b7d0e2f11",
    ));
    assert_eq!(shape["loggingConfiguration"], logging);
    assert_eq!(shape["tracingConfiguration"], json!({"enabled": true}));
    assert_eq!(
        shape["encryptionConfiguration"],
        json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "k"})
    );
    assert_eq!(shape["revisionId"], "8c6d0a0e-6f39-4b4c-9b8e-4a0b7d0e2f11");
}

#[test]
fn the_definition_an_execution_ran() {
    // DescribeStateMachineForExecution as recorded on AWS.
    let d = ExecutionDefinition {
        state_machine_arn: SM.into(),
        name: "hello".into(),
        definition: "{}".into(),
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        update_date: at(START),
        logging: Value::Null,
        tracing: Value::Null,
        encryption: Value::Null,
        revision_id: None,
    };
    assert_eq!(
        shapes::execution_definition(&d),
        json!({
            "definition": "{}",
            "encryptionConfiguration": {"type": "AWS_OWNED_KEY"},
            "loggingConfiguration": {"includeExecutionData": false, "level": "OFF"},
            "name": "hello",
            "roleArn": "arn:aws:iam::123456789012:role/r",
            "stateMachineArn": SM,
            "tracingConfiguration": {"enabled": false},
            "updateDate": 1_704_067_200.123
        })
    );
}

#[test]
fn list_items() {
    // ListStateMachines and ListExecutions items as recorded on AWS.
    let machine = StateMachineListItem {
        state_machine_arn: SM.into(),
        name: "hello".into(),
        machine_type: MachineType::Express,
        creation_date: at(START),
    };
    assert_eq!(
        shapes::state_machine_item(&machine),
        json!({"stateMachineArn": SM, "name": "hello", "type": "EXPRESS", "creationDate": 1_704_067_200.123})
    );
    let execution = ExecutionListItem {
        execution_arn: EXEC.into(),
        state_machine_arn: SM.into(),
        name: "run-1".into(),
        status: "SUCCEEDED".into(),
        start_date: at(START),
        stop_date: Some(at(START + 1)),
    };
    assert_eq!(
        shapes::execution_item(&execution),
        json!({
            "executionArn": EXEC,
            "name": "run-1",
            "redriveCount": 0,
            "startDate": 1_704_067_200.123,
            "stateMachineArn": SM,
            "status": "SUCCEEDED",
            "stopDate": 1_704_067_200.124
        })
    );
    assert_eq!(
        shapes::tags(&[Tag {
            key: "key1".into(),
            value: "".into()
        }]),
        json!([{"key": "key1", "value": ""}])
    );
}

fn event(id: u64, previous: u64, event_type: &str, details: Value) -> RecordedEvent {
    let details: Map<String, Value> = match details {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    RecordedEvent {
        id,
        previous_event_id: previous,
        timestamp: at(START),
        event_type: event_type.into(),
        details,
    }
}

#[test]
fn history_events_carry_their_details_member() {
    // GetExecutionHistory as recorded on AWS (test_stop_execution, test_start_execution).
    assert_eq!(
        shapes::history_event(
            &event(
                1,
                0,
                "ExecutionStarted",
                json!({"input": "{}", "inputDetails": {"truncated": false}, "roleArn": "r"})
            ),
            true
        ),
        json!({
            "executionStartedEventDetails": {"input": "{}", "inputDetails": {"truncated": false}, "roleArn": "r"},
            "id": 1,
            "previousEventId": 0,
            "timestamp": 1_704_067_200.123,
            "type": "ExecutionStarted"
        })
    );
    assert_eq!(
        shapes::history_event(&event(3, 0, "ExecutionAborted", json!({})), true),
        json!({
            "executionAbortedEventDetails": {},
            "id": 3,
            "previousEventId": 0,
            "timestamp": 1_704_067_200.123,
            "type": "ExecutionAborted"
        })
    );
    assert_eq!(
        shapes::history_event(
            &event(
                2,
                0,
                "WaitStateEntered",
                json!({"name": "State_1", "input": "{}", "inputDetails": {"truncated": false}})
            ),
            true
        )["stateEnteredEventDetails"]["name"],
        "State_1"
    );
    // Types with no details member have none.
    assert_eq!(
        shapes::history_event(&event(5, 4, "ParallelStateStarted", json!({})), true),
        json!({"id": 5, "previousEventId": 4, "timestamp": 1_704_067_200.123, "type": "ParallelStateStarted"})
    );
}

#[test]
fn history_without_execution_data() {
    let exited = event(
        3,
        2,
        "PassStateExited",
        json!({"name": "S", "output": "{}", "outputDetails": {"truncated": false}}),
    );
    assert_eq!(
        shapes::history_event(&exited, false)["stateExitedEventDetails"],
        json!({"name": "S"})
    );
    let scheduled = event(
        5,
        4,
        "TaskScheduled",
        json!({"resourceType": "lambda", "resource": "invoke", "region": "us-east-1", "parameters": "{}"}),
    );
    assert_eq!(
        shapes::history_event(&scheduled, false)["taskScheduledEventDetails"],
        json!({"resourceType": "lambda", "resource": "invoke", "region": "us-east-1"})
    );
    let failed = event(6, 5, "ExecutionFailed", json!({"error": "E", "cause": "C"}));
    assert_eq!(
        shapes::history_event(&failed, false)["executionFailedEventDetails"],
        json!({"error": "E", "cause": "C"})
    );
}

#[test]
fn history_event_types_beyond_the_decider_follow_the_model() {
    assert_eq!(
        shapes::history_event(
            &event(9, 8, "ExecutionRedriven", json!({"redriveCount": 1})),
            true
        )["executionRedrivenEventDetails"],
        json!({"redriveCount": 1})
    );
}

#[test]
fn snapshot_of_a_stopped_execution() {
    // An execution stopped with an error and a cause, as DescribeExecution answers.
    let mut aborted = execution("ABORTED");
    aborted.error = Some("Manual".into());
    aborted.cause = Some("probe".into());
    snapshot!(shapes::execution(&aborted), {
            ".startDate" => "[date]",
            ".stopDate" => "[date]",
        }, @r#"
        {
          "cause": "probe",
          "error": "Manual",
          "executionArn": "arn:aws:states:us-east-1:123456789012:execution:hello:run-1",
          "input": "{}",
          "inputDetails": {
            "included": true
          },
          "name": "run-1",
          "redriveCount": 0,
          "redriveStatus": "NOT_REDRIVABLE",
          "redriveStatusReason": "weft does not redrive executions yet",
          "startDate": "[date]",
          "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:hello",
          "status": "ABORTED",
          "stopDate": "[date]"
        }
        "#);
}
