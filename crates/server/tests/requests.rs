//! Reading each operation's input: the botocore model's constraints, then the
//! service's own checks. Messages come from AWS's replies as recorded (LocalStack's
//! AWS-validated snapshots, user reports) and from the model's constraints.

use serde_json::{Map, Value, json};
use weft_engine::durable::MachineType;
use weft_server::protocol::ApiError;
use weft_server::sfn::{executions, state_machines, tags, validate};

const SM: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:hello";
const EXEC: &str = "arn:aws:states:us-east-1:123456789012:execution:hello:run-1";
const EXPRESS: &str = "arn:aws:states:us-east-1:123456789012:express:hello:run-1:abc";
const PASS: &str = r#"{"StartAt":"S","States":{"S":{"Type":"Pass","End":true}}}"#;

fn body(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(members) => members,
        _ => panic!("not an object"),
    }
}

fn error(result: Result<impl std::fmt::Debug, ApiError>) -> (String, String) {
    let e = result.unwrap_err();
    (e.type_name, e.message.unwrap_or_default())
}

/// `ValidateStateMachineDefinition` on an ASL definition, which needs no engine.
fn validate_asl(body: &Map<String, Value>) -> Result<Value, ApiError> {
    let request = validate::parse_validate(body)?;
    let diagnostics = match weft_asl::validate::parse_json(&request.definition) {
        Ok(value) => weft_asl::validate::compile(&value).diagnostics,
        Err(diagnostic) => vec![diagnostic],
    };
    Ok(validate::reply(&request, &diagnostics))
}

fn validation(message: &str) -> (String, String) {
    ("ValidationException".into(), message.into())
}

fn create(extra: Value) -> Map<String, Value> {
    let mut b = body(
        json!({"name": "hello", "definition": PASS, "roleArn": "arn:aws:iam::123456789012:role/r"}),
    );
    b.extend(body(extra));
    b
}

#[test]
fn create_requires_name_definition_and_role() {
    assert_eq!(
        error(state_machines::parse_create(&Map::new())),
        validation(
            "3 validation errors detected: \
             Value null at 'name' failed to satisfy constraint: Member must not be null; \
             Value at 'definition' failed to satisfy constraint: Member must not be null; \
             Value null at 'roleArn' failed to satisfy constraint: Member must not be null"
        )
    );
}

#[test]
fn create_fills_in_aws_defaults() {
    let request = state_machines::parse_create(&create(json!({})))
        .unwrap()
        .request;
    assert_eq!(request.name, "hello");
    assert_eq!(request.machine_type, MachineType::Standard);
    assert_eq!(
        request.logging,
        json!({"level": "OFF", "includeExecutionData": false})
    );
    assert_eq!(request.tracing, json!({"enabled": false}));
    assert_eq!(request.encryption, json!({"type": "AWS_OWNED_KEY"}));
    assert!(request.tags.is_empty());

    let express = state_machines::parse_create(&create(json!({"type": "EXPRESS"})))
        .unwrap()
        .request;
    assert_eq!(express.machine_type, MachineType::Express);
}

#[test]
fn names_longer_than_80_fail_the_model() {
    let long = "x".repeat(81);
    // The wording of an AWS reply for an 81-character execution name.
    assert_eq!(
        error(state_machines::parse_create(&create(json!({"name": long})))),
        validation(&format!(
            "1 validation error detected: Value '{long}' at 'name' failed to satisfy constraint: \
             Member must have length less than or equal to 80"
        ))
    );
    assert_eq!(
        error(state_machines::parse_create(&create(json!({"name": ""})))),
        validation(
            "1 validation error detected: Value '' at 'name' failed to satisfy constraint: \
             Member must have length greater than or equal to 1"
        )
    );
}

#[test]
fn names_with_forbidden_characters_are_invalid_names() {
    for name in ["with space", "a/b", "a:b", "tab\there", "q?", "#x"] {
        assert_eq!(
            error(state_machines::parse_create(&create(json!({"name": name})))),
            ("InvalidName".into(), format!("Invalid Name: '{name}'")),
            "{name:?}"
        );
    }
}

#[test]
fn an_unknown_type_fails_the_enum() {
    assert_eq!(
        error(state_machines::parse_create(&create(
            json!({"type": "BATCH"})
        ))),
        validation(
            "1 validation error detected: Value 'BATCH' at 'type' failed to satisfy constraint: \
             Member must satisfy enum value set: [STANDARD, EXPRESS]"
        )
    );
}

#[test]
fn a_member_of_the_wrong_json_type_is_a_serialization_error() {
    let cases = [
        (
            json!({"name": 12}),
            "NUMBER_VALUE can not be converted to a String",
        ),
        (
            json!({"name": true}),
            "TRUE_VALUE can not be converted to a String",
        ),
        (
            json!({"name": ["a"]}),
            "Start of list found where not expected",
        ),
        (
            json!({"name": {"a": 1}}),
            "Start of structure or map found where not expected.",
        ),
        (
            json!({"publish": "yes"}),
            "STRING_VALUE can not be converted to a Boolean",
        ),
    ];
    for (extra, message) in cases {
        assert_eq!(
            error(state_machines::parse_create(&create(extra.clone()))),
            ("SerializationException".into(), message.into()),
            "{extra}"
        );
    }
}

#[test]
fn null_members_read_as_absent() {
    let request = state_machines::parse_create(&create(json!({"type": null, "tags": null})))
        .unwrap()
        .request;
    assert_eq!(request.machine_type, MachineType::Standard);
}

#[test]
fn logging_above_off_needs_one_destination() {
    let message = "Invalid Logging Configuration: Must specify exactly one Log Destination.";
    assert_eq!(
        error(state_machines::parse_create(&create(
            json!({"loggingConfiguration": {"level": "ALL"}})
        ))),
        ("InvalidLoggingConfiguration".into(), message.into())
    );
    let group = json!({"cloudWatchLogsLogGroup": {"logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:g:*"}});
    assert_eq!(
        error(state_machines::parse_create(&create(
            json!({"loggingConfiguration": {"level": "ALL", "destinations": [group.clone(), group.clone()]}})
        ))),
        ("InvalidLoggingConfiguration".into(), message.into())
    );
    let request = state_machines::parse_create(&create(
        json!({"loggingConfiguration": {"level": "ERROR", "destinations": [group.clone()]}}),
    ))
    .unwrap()
    .request;
    assert_eq!(
        request.logging,
        json!({"level": "ERROR", "includeExecutionData": false, "destinations": [group]})
    );
    assert_eq!(
        error(state_machines::parse_create(&create(
            json!({"loggingConfiguration": {"level": "LOUD"}})
        ))),
        validation(
            "1 validation error detected: Value 'LOUD' at 'loggingConfiguration.level' failed to \
             satisfy constraint: Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]"
        )
    );
}

#[test]
fn encryption_needs_a_type() {
    assert_eq!(
        error(state_machines::parse_create(&create(
            json!({"encryptionConfiguration": {"kmsDataKeyReusePeriodSeconds": 30}})
        ))),
        validation(
            "2 validation errors detected: \
             Value '30' at 'encryptionConfiguration.kmsDataKeyReusePeriodSeconds' failed to satisfy \
             constraint: Member must have value greater than or equal to 60; \
             Value null at 'encryptionConfiguration.type' failed to satisfy constraint: \
             Member must not be null"
        )
    );
}

#[test]
fn tag_keys_and_values_have_lengths() {
    assert_eq!(
        error(state_machines::parse_create(&create(
            json!({"tags": [{"key": "ok", "value": "v"}, {"key": "", "value": "v".repeat(257)}]})
        ))),
        validation(&format!(
            "2 validation errors detected: \
             Value '' at 'tags.2.member.key' failed to satisfy constraint: \
             Member must have length greater than or equal to 1; \
             Value '{}' at 'tags.2.member.value' failed to satisfy constraint: \
             Member must have length less than or equal to 256",
            "v".repeat(257)
        ))
    );
}

#[test]
fn publishing_versions_is_refused() {
    let (kind, message) = error(state_machines::parse_create(&create(
        json!({"publish": true}),
    )));
    assert_eq!(kind, "ValidationException");
    assert!(message.contains("versions"), "{message}");
    assert_eq!(
        error(state_machines::parse_create(&create(
            json!({"versionDescription": "v1"})
        ))),
        validation("Version description can only be set when publish is true")
    );
}

#[test]
fn arns_that_are_not_step_functions_arns_are_invalid() {
    // Recorded on AWS (DescribeStateMachine, ListExecutions, GetExecutionHistory,
    // DescribeExecution).
    assert_eq!(
        error(state_machines::parse_state_machine_arn(&body(
            json!({"stateMachineArn": "not_a_valid_arn"})
        ))),
        (
            "InvalidArn".into(),
            "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'".into()
        )
    );
    let invalid = (
        "InvalidArn".to_string(),
        "Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'".to_string(),
    );
    assert_eq!(
        error(executions::parse_list(&body(
            json!({"stateMachineArn": "invalid_state_machine_arn"})
        ))),
        invalid
    );
    assert_eq!(
        error(executions::parse_history(&body(
            json!({"executionArn": "invalid_state_machine_arn"})
        ))),
        invalid
    );
    assert_eq!(
        error(executions::parse_execution_arn(&body(
            json!({"executionArn": "invalid_state_machine_arn"})
        ))),
        invalid
    );
}

#[test]
fn arns_of_the_wrong_resource_type_are_invalid() {
    // Recorded on AWS: StartExecution given an execution ARN.
    assert_eq!(
        error(executions::parse_start(
            &body(json!({"stateMachineArn": EXEC})),
            false,
            None
        )),
        (
            "InvalidArn".into(),
            "Invalid Arn: 'Resource type not valid in this context: execution'".into()
        )
    );
    assert_eq!(
        error(state_machines::parse_state_machine_arn(&body(
            json!({"stateMachineArn": EXEC})
        ))),
        (
            "InvalidArn".into(),
            "Invalid Arn: 'Resource type not valid in this context: execution'".into()
        )
    );
    assert_eq!(
        error(executions::parse_execution_arn(&body(
            json!({"executionArn": SM})
        ))),
        (
            "InvalidArn".into(),
            "Invalid Arn: 'Resource type not valid in this context: stateMachine'".into()
        )
    );
    // EXPRESS executions are not served by the execution operations.
    assert_eq!(
        error(executions::parse_stop(&body(
            json!({"executionArn": EXPRESS})
        ))),
        (
            "InvalidArn".into(),
            "Invalid Arn: 'Resource type not valid in this context: express'".into()
        )
    );
    assert_eq!(
        error(tags::parse_list(&body(json!({"resourceArn": EXEC})))),
        (
            "InvalidArn".into(),
            "Invalid Arn: 'Resource type not valid in this context: execution'".into()
        )
    );
}

#[test]
fn start_keeps_the_test_case_and_the_input_text() {
    let request = executions::parse_start(
        &body(json!({"stateMachineArn": format!("{SM}#HappyPath"), "name": "run-1", "input": "{\"a\": 1}"})),
        false,
        None,
    )
    .unwrap();
    assert_eq!(request.target.arn, SM);
    assert_eq!(request.request.state_machine_arn, format!("{SM}#HappyPath"));
    assert_eq!(request.request.name.as_deref(), Some("run-1"));
    // Kept byte for byte, spaces included.
    assert_eq!(request.request.input.as_deref(), Some("{\"a\": 1}"));
    let unnamed =
        executions::parse_start(&body(json!({"stateMachineArn": SM})), false, None).unwrap();
    assert_eq!(unnamed.request.name, None);
    assert_eq!(unnamed.request.input, None);
}

#[test]
fn execution_input_must_be_json() {
    // Recorded on AWS: numbers, strings and null are accepted.
    for input in ["2", "\"string\"", "null", "[]", "{}"] {
        executions::parse_start(
            &body(json!({"stateMachineArn": SM, "input": input})),
            false,
            None,
        )
        .unwrap();
    }
    // Recorded on AWS: the empty string.
    assert_eq!(
        error(executions::parse_start(
            &body(json!({"stateMachineArn": SM, "input": ""})),
            false,
            None
        )),
        (
            "InvalidExecutionInput".into(),
            "Invalid State Machine Execution Input: 'Invalid execution input.'".into()
        )
    );
    for input in ["not json", "{'a': 1}", "{\"a\": }"] {
        let (kind, message) = error(executions::parse_start(
            &body(json!({"stateMachineArn": SM, "input": input})),
            false,
            None,
        ));
        assert_eq!(kind, "InvalidExecutionInput");
        assert!(
            message.starts_with("Invalid State Machine Execution Input: '")
                && message.ends_with('\''),
            "{message}"
        );
    }
}

#[test]
fn execution_input_is_limited_to_256_kib_of_utf8() {
    // 131,073 two-byte characters: within the limit in characters, over it in bytes.
    let input = format!("\"{}\"", "é".repeat(131_072));
    assert_eq!(
        error(executions::parse_start(
            &body(json!({"stateMachineArn": SM, "input": input})),
            false,
            None
        )),
        validation(
            "1 validation error detected: Value at 'input' failed to satisfy constraint: \
             Member must have length less than or equal to 262144"
        )
    );
}

#[test]
fn the_trace_header_prefers_the_http_header() {
    let b = body(json!({"stateMachineArn": SM, "traceHeader": "from-body"}));
    let from_body = executions::parse_start(&b, false, None).unwrap();
    assert_eq!(from_body.request.trace_header.as_deref(), Some("from-body"));
    let from_header = executions::parse_start(&b, false, Some("Root=1-abc")).unwrap();
    assert_eq!(
        from_header.request.trace_header.as_deref(),
        Some("Root=1-abc")
    );
    assert_eq!(
        error(executions::parse_start(
            &body(json!({"stateMachineArn": SM, "traceHeader": "é"})),
            false,
            None
        )),
        validation(
            "1 validation error detected: Value 'é' at 'traceHeader' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: \\p{ASCII}*"
        )
    );
}

#[test]
fn execution_names_follow_the_name_rules() {
    assert_eq!(
        error(executions::parse_start(
            &body(json!({"stateMachineArn": SM, "name": "a b"})),
            true,
            None
        )),
        ("InvalidName".into(), "Invalid Name: 'a b'".into())
    );
}

#[test]
fn page_sizes_and_tokens_have_limits() {
    // Recorded on AWS for ListStateMachines and ListExecutions.
    let too_large = validation(
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: \
         Member must have value less than or equal to 1000",
    );
    assert_eq!(
        error(state_machines::parse_list(&body(
            json!({"maxResults": 1001})
        ))),
        too_large
    );
    assert_eq!(
        error(executions::parse_list(&body(
            json!({"stateMachineArn": SM, "maxResults": 1001})
        ))),
        too_large
    );
    let token = "t".repeat(1025);
    assert_eq!(
        error(state_machines::parse_list(&body(
            json!({"nextToken": token})
        ))),
        validation(&format!(
            "1 validation error detected: Value '{token}' at 'nextToken' failed to satisfy \
             constraint: Member must have length less than or equal to 1024"
        ))
    );
    let token = "t".repeat(3097);
    assert_eq!(
        error(executions::parse_list(&body(
            json!({"stateMachineArn": SM, "nextToken": token})
        ))),
        validation(&format!(
            "1 validation error detected: Value '{token}' at 'nextToken' failed to satisfy \
             constraint: Member must have length less than or equal to 3096"
        ))
    );
    assert_eq!(
        error(state_machines::parse_list(&body(json!({"maxResults": -1})))),
        validation(
            "1 validation error detected: Value '-1' at 'maxResults' failed to satisfy \
             constraint: Member must have value greater than or equal to 0"
        )
    );
    // 0 means the default page size.
    let page = state_machines::parse_list(&body(json!({"maxResults": 0}))).unwrap();
    assert_eq!(page.max_results, None);
    let page =
        state_machines::parse_list(&body(json!({"maxResults": 7, "nextToken": "abc"}))).unwrap();
    assert_eq!(page.max_results, Some(7));
    assert_eq!(page.next_token.as_deref(), Some("abc"));
}

#[test]
fn status_filters_are_execution_statuses() {
    // Recorded on AWS, with the enum in the order AWS lists it.
    assert_eq!(
        error(executions::parse_list(&body(
            json!({"stateMachineArn": SM, "statusFilter": "succeeded"})
        ))),
        validation(
            "1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy \
             constraint: Member must satisfy enum value set: \
             [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]"
        )
    );
    let list = executions::parse_list(&body(
        json!({"stateMachineArn": SM, "statusFilter": "RUNNING", "redriveFilter": "REDRIVEN"}),
    ))
    .unwrap();
    assert_eq!(list.request.status_filter.as_deref(), Some("RUNNING"));
    assert!(list.redriven_only);
    let (kind, _) = error(executions::parse_list(&body(
        json!({"stateMachineArn": SM, "statusFilter": "PENDING_REDRIVE"}),
    )));
    assert_eq!(kind, "ValidationException");
}

#[test]
fn list_executions_needs_a_state_machine_or_a_map_run() {
    let (kind, _) = error(executions::parse_list(&Map::new()));
    assert_eq!(kind, "ValidationException");
    let map_run = "arn:aws:states:us-east-1:123456789012:mapRun:hello/map:abc";
    assert_eq!(
        error(executions::parse_list(&body(json!({"mapRunArn": map_run})))),
        (
            "ResourceNotFound".into(),
            format!("Resource not found: '{map_run}'")
        )
    );
}

#[test]
fn history_reads_its_options() {
    let request = executions::parse_history(&body(json!({"executionArn": EXEC}))).unwrap();
    assert!(request.include_data);
    assert!(!request.request.reverse_order);
    assert_eq!(request.request.page.max_results, None);
    let request = executions::parse_history(&body(json!({
        "executionArn": EXEC, "reverseOrder": true, "includeExecutionData": false,
        "maxResults": 2, "nextToken": "n"
    })))
    .unwrap();
    assert!(!request.include_data);
    assert!(request.request.reverse_order);
    assert_eq!(request.request.page.max_results, Some(2));
    assert_eq!(request.request.page.next_token.as_deref(), Some("n"));
}

#[test]
fn update_needs_something_to_change() {
    // Recorded on AWS.
    assert_eq!(
        error(state_machines::parse_update(&body(
            json!({"stateMachineArn": SM})
        ))),
        (
            "MissingRequiredParameter".into(),
            "Either the definition, the role ARN, the LoggingConfiguration, or the \
             TracingConfiguration must be specified"
                .into()
        )
    );
    let update = state_machines::parse_update(&body(
        json!({"stateMachineArn": SM, "definition": PASS, "loggingConfiguration": {}}),
    ))
    .unwrap();
    assert_eq!(update.request.definition.as_deref(), Some(PASS));
    assert_eq!(update.request.role_arn, None);
    assert_eq!(
        update.request.logging,
        Some(json!({"level": "OFF", "includeExecutionData": false}))
    );
    assert_eq!(update.request.tracing, None);
}

#[test]
fn stop_limits_error_and_cause() {
    assert_eq!(
        error(executions::parse_stop(&body(
            json!({"executionArn": EXEC, "error": "e".repeat(257), "cause": "c".repeat(32_769)})
        ))),
        validation(
            "2 validation errors detected: \
             Value at 'error' failed to satisfy constraint: \
             Member must have length less than or equal to 256; \
             Value at 'cause' failed to satisfy constraint: \
             Member must have length less than or equal to 32768"
        )
    );
    let stop = executions::parse_stop(&body(
        json!({"executionArn": EXEC, "error": "Manual", "cause": "probe"}),
    ))
    .unwrap();
    assert_eq!(stop.error.as_deref(), Some("Manual"));
    assert_eq!(stop.cause.as_deref(), Some("probe"));
}

#[test]
fn tagging_reads_tags_and_keys() {
    assert_eq!(
        error(tags::parse_tag(&body(json!({"resourceArn": SM})))),
        validation(
            "1 validation error detected: Value null at 'tags' failed to satisfy constraint: \
             Member must not be null"
        )
    );
    // Recorded on AWS: an empty value is a value.
    let request = tags::parse_tag(&body(
        json!({"resourceArn": SM, "tags": [{"key": "key1", "value": ""}]}),
    ))
    .unwrap();
    assert_eq!(request.tags[0].key, "key1");
    assert_eq!(request.tags[0].value, "");
    let many: Vec<Value> = (0..51)
        .map(|i| json!({"key": format!("k{i}"), "value": "v"}))
        .collect();
    let (kind, _) = error(tags::parse_tag(&body(
        json!({"resourceArn": SM, "tags": many}),
    )));
    assert_eq!(kind, "TooManyTags");
    assert_eq!(
        error(tags::parse_untag(&body(
            json!({"resourceArn": SM, "tagKeys": ["ok", ""]})
        ))),
        validation(
            "1 validation error detected: Value '' at 'tagKeys.2.member' failed to satisfy \
             constraint: Member must have length greater than or equal to 1"
        )
    );
    let untag =
        tags::parse_untag(&body(json!({"resourceArn": SM, "tagKeys": ["a", "a"]}))).unwrap();
    assert_eq!(untag.keys, ["a", "a"]);
    // Activities carry tags too.
    tags::parse_list(&body(
        json!({"resourceArn": "arn:aws:states:us-east-1:123456789012:activity:worker"}),
    ))
    .unwrap();
}

#[test]
fn validate_reports_ok_with_no_diagnostics() {
    // The shape of AWS's reply for a valid definition.
    assert_eq!(
        validate_asl(&body(json!({"definition": PASS}))).unwrap(),
        json!({"result": "OK", "diagnostics": [], "truncated": false})
    );
}

#[test]
fn validate_reports_a_missing_start_at() {
    // Recorded on AWS (a definition with States and no StartAt).
    let definition = r#"{"States":{"S":{"Type":"Pass","End":true}}}"#;
    assert_eq!(
        validate_asl(&body(json!({"definition": definition}))).unwrap(),
        json!({
            "result": "FAIL",
            "diagnostics": [{
                "code": "SCHEMA_VALIDATION_FAILED",
                "location": "/",
                "message": "These fields are required: [StartAt]",
                "severity": "ERROR"
            }],
            "truncated": false
        })
    );
}

#[test]
fn validate_filters_by_severity_and_truncates() {
    // A Pass state with a static Result draws a PASS_RESULT_IS_STATIC warning or none;
    // either way warnings never make the result FAIL.
    let definition =
        r#"{"StartAt":"S","States":{"S":{"Type":"Pass","Result":{"a.$":"$.x"},"End":true}}}"#;
    let only_errors = validate_asl(&body(json!({"definition": definition}))).unwrap();
    assert_eq!(only_errors["result"], "OK");
    assert_eq!(only_errors["diagnostics"], json!([]));
    let with_warnings = validate_asl(&body(
        json!({"definition": definition, "severity": "WARNING"}),
    ))
    .unwrap();
    assert_eq!(with_warnings["result"], "OK");
    for d in with_warnings["diagnostics"].as_array().unwrap() {
        assert_eq!(d["severity"], "WARNING");
    }

    let two_errors = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"X"},"B":{"Type":"Pass","Next":"Y"}}}"#;
    let all = validate_asl(&body(json!({"definition": two_errors}))).unwrap();
    let count = all["diagnostics"].as_array().unwrap().len();
    assert!(count >= 2, "{all}");
    let one = validate_asl(&body(json!({"definition": two_errors, "maxResults": 1}))).unwrap();
    assert_eq!(one["result"], "FAIL");
    assert_eq!(one["diagnostics"].as_array().unwrap().len(), 1);
    assert_eq!(one["truncated"], true);

    assert_eq!(
        error(validate_asl(&body(
            json!({"definition": PASS, "maxResults": 101})
        ))),
        validation(
            "1 validation error detected: Value '101' at 'maxResults' failed to satisfy \
             constraint: Member must have value less than or equal to 100"
        )
    );
    assert_eq!(
        error(validate_asl(&Map::new())),
        validation(
            "1 validation error detected: Value at 'definition' failed to satisfy constraint: \
             Member must not be null"
        )
    );
}
