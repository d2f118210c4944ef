//! Any bytes as the JSON body of any Step Functions operation, read as the server reads
//! it: the first byte picks the operation (every operation of the service, served or
//! not, and one name the service does not have), the rest is the body.
//!
//! It runs what the handler does before it calls the engine: `sfn::operation`, then
//! `protocol::read_body`, then the operation's `parse_*` (the botocore model's
//! constraints, then the service's own checks). The engine is never called, so nothing
//! is stored between inputs and memory stays bounded, and there is no I/O.
//! `ValidateStateMachineDefinition` also validates the definition as ASL and shapes the
//! reply, as the handler does (an Arazzo definition's source descriptions are not
//! loaded: that would be I/O).
//!
//! Nothing may panic. Every error must be a client error (HTTP 400: a fault of the
//! server only comes from the engine) whose reply body is a JSON object with a
//! `__type` string, also sent as `x-amzn-ErrorType`; an operation weft does not serve,
//! and a name that is no operation, are `UnknownOperationException`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use weft_asl::validate::{Severity, compile, parse_json};
use weft_server::protocol::{self, ApiError};
use weft_server::sfn::{self, Operation, checks, executions, state_machines, tags, validate};

/// The operation name that stands for an `X-Amz-Target` naming no operation.
const UNKNOWN: &str = "NoSuchOperation";

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let name = Operation::ALL
        .get(usize::from(selector) % (Operation::ALL.len() + 1))
        .map_or(UNKNOWN, |op| op.name());
    if let Err(error) = read(name, body) {
        check_error(&error);
        if sfn::operation(name).is_err() {
            assert_eq!(error.type_name, "UnknownOperationException", "{name}");
        }
    }
});

/// What the handler does with a request before it calls the engine.
fn read(name: &str, body: &[u8]) -> Result<(), ApiError> {
    let op = sfn::operation(name)?;
    assert_eq!(Operation::from_name(op.name()), Some(op));
    let members = protocol::read_body(body)?;
    parse(op, &members)
}

/// Reads the input of a served operation.
fn parse(op: Operation, body: &Map<String, Value>) -> Result<(), ApiError> {
    use Operation::*;
    match op {
        CreateStateMachine => {
            let request = state_machines::parse_create(body)?.request;
            assert!(checks::valid_name(&request.name), "{:?}", request.name);
        }
        DescribeStateMachine | DeleteStateMachine => {
            state_machines::parse_state_machine_arn(body)?;
        }
        UpdateStateMachine => {
            state_machines::parse_update(body)?;
        }
        ListStateMachines => {
            state_machines::parse_list(body)?;
        }
        ValidateStateMachineDefinition => validate_definition(body)?,
        StartExecution | StartSyncExecution => {
            let start = executions::parse_start(body, op == StartSyncExecution, None)?;
            let request = &start.request;
            assert!(request.state_machine_arn.starts_with(&start.target.arn));
            if let Some(name) = &request.name {
                assert!(checks::valid_name(name), "{name:?}");
            }
            if let Some(input) = &request.input {
                assert!(serde_json::from_str::<Value>(input).is_ok(), "{input:?}");
            }
        }
        DescribeExecution | DescribeStateMachineForExecution => {
            executions::parse_execution_arn(body)?;
        }
        ListExecutions => {
            executions::parse_list(body)?;
        }
        GetExecutionHistory => {
            let history = executions::parse_history(body)?;
            let max_results = history.request.page.max_results;
            assert!(max_results.is_none_or(|n| (1..=1000).contains(&n)));
        }
        StopExecution => {
            executions::parse_stop(body)?;
        }
        TagResource => {
            tags::parse_tag(body)?;
        }
        UntagResource => {
            tags::parse_untag(body)?;
        }
        ListTagsForResource => {
            tags::parse_list(body)?;
        }
        other => assert!(
            !other.is_served(),
            "{} is served but this target does not read it",
            other.name()
        ),
    }
    Ok(())
}

/// `ValidateStateMachineDefinition` on an ASL definition, which needs no engine.
fn validate_definition(body: &Map<String, Value>) -> Result<(), ApiError> {
    let request = validate::parse_validate(body)?;
    assert!((1..=100).contains(&request.limit), "{}", request.limit);
    let diagnostics = match parse_json(&request.definition) {
        Ok(value) => compile(&value).diagnostics,
        Err(diagnostic) => vec![diagnostic],
    };
    let reply = validate::reply(&request, &diagnostics);
    let failed = diagnostics.iter().any(|d| d.severity == Severity::Error);
    assert_eq!(reply["result"], if failed { "FAIL" } else { "OK" });
    let listed = reply["diagnostics"].as_array().map(Vec::len);
    assert!(listed.is_some_and(|n| n <= request.limit), "{reply}");
    assert!(reply["truncated"].is_boolean(), "{reply}");
    Ok(())
}

/// An error the request's reading answers: a client error with a well-formed reply.
fn check_error(error: &ApiError) {
    assert!(
        !error.server_fault,
        "a server fault before the engine: {error:?}"
    );
    assert!(!error.type_name.is_empty());
    let response = protocol::error_reply(error, "fuzz");
    assert_eq!(response.status().as_u16(), 400, "{error:?}");
    let kind = response.headers().get("x-amzn-errortype");
    assert_eq!(
        kind.and_then(|v| v.to_str().ok()),
        Some(error.type_name.as_str())
    );
    let text = error.body().to_string();
    let body: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(
        body.get("__type").and_then(Value::as_str),
        Some(error.type_name.as_str()),
        "{text}"
    );
}
