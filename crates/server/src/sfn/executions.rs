//! `StartExecution`, `StartSyncExecution`, `DescribeExecution`, `ListExecutions`,
//! `GetExecutionHistory`, `StopExecution`, `DescribeStateMachineForExecution`.
//!
//! * `stateMachineArn` of `StartExecution` may end in `#<TestCase>` (a test case of the
//!   mock configuration); the suffix goes to the engine as given and the ARN is checked
//!   without it.
//! * `input` must be JSON text (any JSON value); the empty string and text that is not
//!   JSON are `InvalidExecutionInput`, `Invalid State Machine Execution Input: '<why>'`
//!   (recorded on AWS; the reason is the parser's own words). More than 262,144 UTF-8
//!   bytes is a `ValidationException` of the model.
//! * The `X-Amzn-Trace-Id` header wins over `traceHeader`, as the model documents.
//! * Execution operations take executions of STANDARD state machines; an EXPRESS
//!   execution ARN is `InvalidArn` (`Resource type not valid in this context: express`).
//! * `ListExecutions` takes a `stateMachineArn`; a `mapRunArn` names a Map Run, and
//!   weft keeps none, so it is `ResourceNotFound`. `PENDING_REDRIVE` needs a
//!   `mapRunArn`. weft does not redrive, so `redriveFilter: REDRIVEN` lists nothing.
//! * `StopExecution` of an execution that has already ended changes nothing and
//!   answers with the date it ended.

use serde_json::{Map, Value};
use weft_engine::arn::Arn;
use weft_engine::durable::{
    Engine, EngineError, ExecutionHistory, ListExecutions, StartExecution, StopOutcome,
};

use super::checks::{self, Expected, Target};
use super::common;
use super::input::{self, Input, Problems};
use super::shapes::{self, Shape};
use crate::protocol::ApiError;

/// A checked `StartExecution` or `StartSyncExecution` request.
#[derive(Debug, Clone)]
pub struct StartRequest {
    /// The state machine, without any `#<TestCase>`.
    pub target: Target,
    pub request: StartExecution,
}

/// Reads `StartExecution` (`sync: false`) or `StartSyncExecution` (`sync: true`).
/// `trace_header` is the `X-Amzn-Trace-Id` request header.
pub fn parse_start(
    body: &Map<String, Value>,
    sync: bool,
    trace_header: Option<&str>,
) -> Result<StartRequest, ApiError> {
    let input = Input::new(body);
    let mut problems = Problems::default();
    let arn = input.string(&mut problems, "stateMachineArn", input::ARN.required())?;
    let name = input.string(&mut problems, "name", input::NAME)?;
    let execution_input = input.string(&mut problems, "input", input::SENSITIVE_DATA)?;
    let body_trace = input.string(&mut problems, "traceHeader", input::TRACE_HEADER)?;
    if sync {
        input.enumeration(&mut problems, "includedData", input::INCLUDED_DATA, false)?;
    }
    problems.finish()?;

    let arn = arn.unwrap_or_default();
    let machine = arn.split_once('#').map_or(arn, |(machine, _)| machine);
    let target = checks::check_arn(machine, Expected::StateMachine)?;
    if let Some(name) = name {
        checks::check_name(name)?;
    }
    if let Some(text) = execution_input {
        check_input(text)?;
    }
    Ok(StartRequest {
        target,
        request: StartExecution {
            state_machine_arn: arn.to_string(),
            name: name.map(str::to_string),
            input: execution_input.map(str::to_string),
            trace_header: trace_header.or(body_trace).map(str::to_string),
        },
    })
}

/// `InvalidExecutionInput` unless the text is JSON.
pub fn check_input(text: &str) -> Result<(), ApiError> {
    let reason = if text.is_empty() {
        "Invalid execution input.".to_string()
    } else {
        match serde_json::from_str::<Value>(text) {
            Ok(_) => return Ok(()),
            Err(e) => e.to_string(),
        }
    };
    Err(ApiError::new(
        "InvalidExecutionInput",
        format!("Invalid State Machine Execution Input: '{reason}'"),
    ))
}

fn machine_in_scope(engine: &Engine, target: &Target) -> Result<(), ApiError> {
    if target.is_in(engine.scope()) {
        Ok(())
    } else {
        Err(EngineError::StateMachineDoesNotExist(target.arn.clone()).into())
    }
}

fn execution_in_scope(engine: &Engine, target: &Target) -> Result<(), ApiError> {
    if target.is_in(engine.scope()) {
        Ok(())
    } else {
        Err(EngineError::ExecutionDoesNotExist(target.arn.clone()).into())
    }
}

pub(crate) async fn start(
    engine: &Engine,
    body: &Map<String, Value>,
    trace_header: Option<&str>,
) -> Result<Value, ApiError> {
    let StartRequest { target, request } = parse_start(body, false, trace_header)?;
    machine_in_scope(engine, &target)?;
    let started = engine.start_execution(request).await?;
    Ok(Shape::new()
        .put("executionArn", started.execution_arn)
        .put_date("startDate", started.start_date)
        .build())
}

pub(crate) async fn start_sync(
    engine: &Engine,
    body: &Map<String, Value>,
    trace_header: Option<&str>,
) -> Result<Value, ApiError> {
    let StartRequest { target, request } = parse_start(body, true, trace_header)?;
    machine_in_scope(engine, &target)?;
    let ended = engine.start_sync_execution(request).await?;
    Ok(shapes::sync_execution(&ended))
}

/// The execution ARN of `DescribeExecution` and `DescribeStateMachineForExecution`.
pub fn parse_execution_arn(body: &Map<String, Value>) -> Result<Target, ApiError> {
    let input = Input::new(body);
    let mut problems = Problems::default();
    let arn = input.string(&mut problems, "executionArn", input::ARN.required())?;
    input.enumeration(&mut problems, "includedData", input::INCLUDED_DATA, false)?;
    problems.finish()?;
    checks::check_arn(arn.unwrap_or_default(), Expected::Execution)
}

pub(crate) async fn describe(
    engine: &Engine,
    body: &Map<String, Value>,
) -> Result<Value, ApiError> {
    let target = parse_execution_arn(body)?;
    execution_in_scope(engine, &target)?;
    let description = engine.describe_execution(&target.arn).await?;
    Ok(shapes::execution(&description))
}

pub(crate) async fn describe_state_machine(
    engine: &Engine,
    body: &Map<String, Value>,
) -> Result<Value, ApiError> {
    let target = parse_execution_arn(body)?;
    execution_in_scope(engine, &target)?;
    let definition = engine
        .describe_state_machine_for_execution(&target.arn)
        .await?;
    Ok(shapes::execution_definition(&definition))
}

/// A checked `StopExecution` request.
#[derive(Debug, Clone)]
pub struct StopRequest {
    pub target: Target,
    pub error: Option<String>,
    pub cause: Option<String>,
}

pub fn parse_stop(body: &Map<String, Value>) -> Result<StopRequest, ApiError> {
    let input = Input::new(body);
    let mut problems = Problems::default();
    let arn = input.string(&mut problems, "executionArn", input::ARN.required())?;
    let error = input.string(&mut problems, "error", input::SENSITIVE_ERROR)?;
    let cause = input.string(&mut problems, "cause", input::SENSITIVE_CAUSE)?;
    problems.finish()?;
    Ok(StopRequest {
        target: checks::check_arn(arn.unwrap_or_default(), Expected::Execution)?,
        error: error.map(str::to_string),
        cause: cause.map(str::to_string),
    })
}

pub(crate) async fn stop(engine: &Engine, body: &Map<String, Value>) -> Result<Value, ApiError> {
    let StopRequest {
        target,
        error,
        cause,
    } = parse_stop(body)?;
    execution_in_scope(engine, &target)?;
    let stop_date = match engine.stop_execution(&target.arn, error, cause).await? {
        StopOutcome::Stopped { stop_date } | StopOutcome::AlreadyEnded { stop_date, .. } => {
            stop_date
        }
    };
    Ok(Shape::new().put_date("stopDate", stop_date).build())
}

/// A checked `ListExecutions` request.
#[derive(Debug, Clone)]
pub struct ListRequest {
    pub target: Target,
    pub request: ListExecutions,
    /// `redriveFilter: REDRIVEN`: only redriven executions, of which weft has none.
    pub redriven_only: bool,
}

pub fn parse_list(body: &Map<String, Value>) -> Result<ListRequest, ApiError> {
    let input = Input::new(body);
    let mut problems = Problems::default();
    let arn = input.string(&mut problems, "stateMachineArn", input::ARN)?;
    let status = input.enumeration(
        &mut problems,
        "statusFilter",
        input::EXECUTION_STATUSES,
        false,
    )?;
    let page = common::page(&input, &mut problems, input::LIST_EXECUTIONS_PAGE_TOKEN)?;
    let map_run = input.string(&mut problems, "mapRunArn", input::LONG_ARN)?;
    let redrive = input.enumeration(
        &mut problems,
        "redriveFilter",
        input::REDRIVE_FILTERS,
        false,
    )?;
    problems.finish()?;

    let arn = match (arn, map_run) {
        (None, None) => {
            return Err(ApiError::validation(
                "Must provide a StateMachine ARN or MapRun ARN",
            ));
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::validation(
                "Must provide either a StateMachine ARN or a MapRun ARN, not both",
            ));
        }
        (None, Some(map_run)) => {
            return Err(match Arn::parse(map_run) {
                Err(e) => EngineError::InvalidArn(e.to_string()).into(),
                Ok((_, Arn::Other { resource_type })) if resource_type == "mapRun" => {
                    EngineError::ResourceNotFound(map_run.to_string()).into()
                }
                Ok((_, other)) => EngineError::InvalidArn(format!(
                    "Resource type not valid in this context: {}",
                    checks::resource_type(&other)
                ))
                .into(),
            });
        }
        (Some(arn), None) => arn,
    };
    let target = checks::check_arn(arn, Expected::StateMachine)?;
    if status == Some("PENDING_REDRIVE") {
        return Err(ApiError::validation(
            "The PENDING_REDRIVE statusFilter requires a MapRun ARN",
        ));
    }
    Ok(ListRequest {
        request: ListExecutions {
            state_machine_arn: target.arn.clone(),
            status_filter: status.map(str::to_string),
            page,
        },
        target,
        redriven_only: redrive == Some("REDRIVEN"),
    })
}

pub(crate) async fn list(engine: &Engine, body: &Map<String, Value>) -> Result<Value, ApiError> {
    let ListRequest {
        target,
        request,
        redriven_only,
    } = parse_list(body)?;
    machine_in_scope(engine, &target)?;
    let mut page = engine.list_executions(request).await?;
    if redriven_only {
        page.items.clear();
        page.next_token = None;
    }
    Ok(Shape::new()
        .put(
            "executions",
            Value::Array(page.items.iter().map(shapes::execution_item).collect()),
        )
        .put_opt("nextToken", page.next_token)
        .build())
}

/// A checked `GetExecutionHistory` request.
#[derive(Debug, Clone)]
pub struct HistoryRequest {
    pub target: Target,
    pub request: ExecutionHistory,
    pub include_data: bool,
}

pub fn parse_history(body: &Map<String, Value>) -> Result<HistoryRequest, ApiError> {
    let input = Input::new(body);
    let mut problems = Problems::default();
    let arn = input.string(&mut problems, "executionArn", input::ARN.required())?;
    let max_results = input.integer(&mut problems, "maxResults", 0, 1000)?;
    let reverse = input.boolean("reverseOrder")?;
    let next_token = input.string(&mut problems, "nextToken", input::PAGE_TOKEN)?;
    let include = input.boolean("includeExecutionData")?;
    problems.finish()?;
    let target = checks::check_arn(arn.unwrap_or_default(), Expected::Execution)?;
    Ok(HistoryRequest {
        request: ExecutionHistory {
            execution_arn: target.arn.clone(),
            reverse_order: reverse.unwrap_or(false),
            page: weft_engine::durable::PageRequest {
                max_results: max_results
                    .filter(|n| *n > 0)
                    .and_then(|n| u32::try_from(n).ok()),
                next_token: next_token.map(str::to_string),
            },
        },
        target,
        include_data: include.unwrap_or(true),
    })
}

pub(crate) async fn history(engine: &Engine, body: &Map<String, Value>) -> Result<Value, ApiError> {
    let HistoryRequest {
        target,
        request,
        include_data,
    } = parse_history(body)?;
    execution_in_scope(engine, &target)?;
    let page = engine.execution_history(request).await?;
    Ok(Shape::new()
        .put(
            "events",
            Value::Array(
                page.items
                    .iter()
                    .map(|e| shapes::history_event(e, include_data))
                    .collect(),
            ),
        )
        .put_opt("nextToken", page.next_token)
        .build())
}
