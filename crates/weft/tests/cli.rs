//! `weft run` and `weft validate` as scripts use them: exit codes and the exact
//! `--output json` shapes.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

fn weft(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(args)
        .output()
        .expect("the weft binary runs")
}

fn stdout_json(output: &Output) -> Value {
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "stdout must be exactly one JSON object: {text}"
    );
    serde_json::from_str(lines[0]).expect("stdout is JSON")
}

fn write(dir: &Path, name: &str, value: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, value.to_string()).expect("write a temporary file");
    path.to_string_lossy().into_owned()
}

#[test]
fn run_prints_the_output_of_a_succeeded_execution() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let def = write(
        dir.path(),
        "hello.json",
        &json!({"StartAt": "P", "States": {
            "P": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hello {}', $.who)"}, "End": true}
        }}),
    );
    let out = weft(&[
        "run",
        &def,
        "--input",
        r#"{"who":"ada"}"#,
        "--output",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout_json(&out),
        json!({"status": "SUCCEEDED", "output": {"greeting": "hello ada"}})
    );
}

#[test]
fn run_executes_jsonata_and_mixed_machines() {
    let dir = tempfile::tempdir().expect("temporary directory");
    // The guide's conversion example ("Transforming data with JSONata"): the JSONata
    // state sees the JSONPath state's output as `$states.input` and its variable.
    let def = write(
        dir.path(),
        "mixed.json",
        &json!({"StartAt": "Name", "States": {
            "Name": {"Type": "Pass", "Assign": {"customerName": "María"}, "Next": "Greet"},
            "Greet": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": {
                "static": "Hello",
                "title": "{% $states.input.title %}",
                "name": "{% $customerName %}",
                "not-evaluated": "$customerName"
            }, "End": true}
        }}),
    );
    let out = weft(&[
        "run",
        &def,
        "--input",
        r#"{"title":"Doctor"}"#,
        "--output",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout_json(&out),
        json!({"status": "SUCCEEDED", "output": {
            "static": "Hello", "title": "Doctor", "name": "María", "not-evaluated": "$customerName"
        }})
    );
}

#[test]
fn run_reports_failure_with_error_and_cause_and_exit_code_1() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let def = write(
        dir.path(),
        "fail.json",
        &json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Oops", "Cause": "it broke"}}}),
    );
    let out = weft(&["run", &def, "--output", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout_json(&out),
        json!({"status": "FAILED", "error": "Oops", "cause": "it broke"})
    );
}

#[test]
fn run_times_out_when_the_machine_timeout_passes() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let def = write(
        dir.path(),
        "slow.json",
        &json!({"TimeoutSeconds": 1, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": true}}}),
    );
    let out = weft(&["run", &def, "--output", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let reply = stdout_json(&out);
    assert_eq!(reply["status"], "TIMED_OUT");
    assert_eq!(reply["error"], "States.Timeout");
}

#[test]
fn run_uses_a_mock_configuration_test_case() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let def = write(
        dir.path(),
        "def.json",
        &json!({"StartAt": "Call", "States": {"Call": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Retry": [{"ErrorEquals": ["Lambda.TimeoutException"], "IntervalSeconds": 1, "BackoffRate": 1.0}],
            "ResultSelector": {"body.$": "$.Payload.body"},
            "End": true}}}),
    );
    let mocks = write(
        dir.path(),
        "mocks.json",
        &json!({
            "StateMachines": {"Orders": {"TestCases": {"RetryPath": {"Call": "Flaky"}}}},
            "MockedResponses": {"Flaky": {
                "0": {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "Lambda timed out."}},
                "1": {"Return": {"StatusCode": 200, "Payload": {"body": "done"}}}
            }}
        }),
    );
    let out = weft(&[
        "run",
        &def,
        "--name",
        "Orders",
        "--mock-config",
        &mocks,
        "--test-case",
        "RetryPath",
        "--output",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout_json(&out),
        json!({"status": "SUCCEEDED", "output": {"body": "done"}})
    );
}

#[test]
fn an_unmocked_task_fails_naming_what_is_missing() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let def = write(
        dir.path(),
        "def.json",
        &json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": true}}}),
    );
    let out = weft(&["run", &def, "--output", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let reply = stdout_json(&out);
    assert_eq!(reply["status"], "FAILED");
    assert_eq!(reply["error"], "States.TaskFailed");
    let cause = reply["cause"].as_str().unwrap_or_default();
    assert!(
        cause.contains("arn:aws:states:::sqs:sendMessage"),
        "{cause}"
    );
    assert!(cause.contains("'T'"), "{cause}");
}

#[test]
fn invalid_definition_or_input_exits_with_2() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let bad = write(
        dir.path(),
        "bad.json",
        &json!({"StartAt": "Missing", "States": {}}),
    );
    let out = weft(&["run", &bad, "--output", "json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());

    let good = write(
        dir.path(),
        "good.json",
        &json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}),
    );
    let out = weft(&["run", &good, "--input", "{not json"]);
    assert_eq!(out.status.code(), Some(2));
    let out = weft(&["run", &dir.path().join("absent.json").to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn input_can_come_from_a_file() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let def = write(
        dir.path(),
        "def.json",
        &json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.a", "End": true}}}),
    );
    let input = write(dir.path(), "input.json", &json!({"a": [1, 2]}));
    let out = weft(&[
        "run",
        &def,
        "--input",
        &format!("@{input}"),
        "--output",
        "json",
    ]);
    assert_eq!(
        stdout_json(&out),
        json!({"status": "SUCCEEDED", "output": [1, 2]})
    );
}

#[test]
fn validate_prints_the_validate_state_machine_definition_shape() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let good = write(
        dir.path(),
        "good.json",
        &json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}),
    );
    let out = weft(&["validate", &good, "--output", "json"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout_json(&out),
        json!({"result": "OK", "diagnostics": []})
    );

    let bad = write(
        dir.path(),
        "bad.json",
        &json!({"StartAt": "C", "States": {"C": {"Type": "Choice",
            "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "Nowhere"}], "Default": "E"},
            "E": {"Type": "Succeed"}}}),
    );
    let out = weft(&["validate", &bad, "--output", "json"]);
    assert_ne!(out.status.code(), Some(0));
    let reply = stdout_json(&out);
    assert_eq!(reply["result"], "FAIL");
    let diagnostics = reply["diagnostics"].as_array().cloned().unwrap_or_default();
    let missing = diagnostics
        .iter()
        .find(|d| d["code"] == "MISSING_TRANSITION_TARGET")
        .expect("the dangling Next is reported");
    assert_eq!(missing["severity"], "ERROR");
    assert!(
        missing["location"]
            .as_str()
            .unwrap_or_default()
            .starts_with("/States/C/Choices"),
        "{missing}"
    );
    assert!(
        missing["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Nowhere")
    );
}

#[test]
fn validate_reads_yaml() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("def.yaml");
    std::fs::write(
        &path,
        "StartAt: P\nStates:\n  P:\n    Type: Pass\n    End: true\n",
    )
    .expect("write");
    let out = weft(&["validate", &path.to_string_lossy()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
