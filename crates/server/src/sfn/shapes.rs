//! Replies in the output shapes of the botocore model.
//!
//! * Timestamps are epoch seconds as JSON numbers with milliseconds (`1700000000.123`),
//!   the way AWS JSON 1.0 sends them.
//! * Optional members without a value are left out, never sent as `null`.
//! * Configuration blocks a state machine was created without read as AWS's defaults:
//!   `loggingConfiguration` `{"level":"OFF","includeExecutionData":false}`,
//!   `tracingConfiguration` `{"enabled":false}`, `encryptionConfiguration`
//!   `{"type":"AWS_OWNED_KEY"}`.
//! * `revisionId` is left out while it is empty: AWS reports none until the first
//!   update that changes the state machine (recorded on AWS, 2023).
//! * Executions report `redriveCount: 0` and a `redriveStatus`. weft does not redrive
//!   (yet), so every execution is `NOT_REDRIVABLE`: RUNNING and SUCCEEDED executions
//!   with AWS's reasons (`Execution is SUCCEEDED and cannot be redriven`), ended ones
//!   that AWS would let you redrive with the reason that weft does not.
//! * `inputDetails`/`outputDetails` are `{"included": true}`. `DescribeExecution` sends
//!   `output` and `outputDetails` only when there is an output (SUCCEEDED);
//!   `StartSyncExecution` always sends `outputDetails` (recorded on AWS).
//! * History events are `{timestamp, type, id, previousEventId, <type>EventDetails}`;
//!   without execution data (`includeExecutionData: false`) their `input`, `output`,
//!   `assignedVariables` (with the `…Details` of each) and a task's `parameters` are
//!   left out, since that is the data AWS would need the execution's key to show.
//! * `StartSyncExecution` bills 64 MB and the duration rounded up to 100 ms, at least
//!   100 ms, as AWS's replies show.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use weft_asl::decider::EventType;
use weft_engine::durable::{
    ExecutionDefinition, ExecutionDescription, ExecutionListItem, RecordedEvent,
    StateMachineDescription, StateMachineListItem, Tag,
};

/// A timestamp as AWS JSON 1.0 sends it.
pub fn epoch(at: DateTime<Utc>) -> Value {
    Value::from(at.timestamp_millis() as f64 / 1000.0)
}

/// An object built member by member, leaving out absent values.
#[derive(Debug, Default)]
pub struct Shape(Map<String, Value>);

impl Shape {
    pub fn new() -> Shape {
        Shape::default()
    }

    pub fn put(mut self, name: &str, value: impl Into<Value>) -> Shape {
        self.0.insert(name.to_string(), value.into());
        self
    }

    pub fn put_opt<T: Into<Value>>(self, name: &str, value: Option<T>) -> Shape {
        match value {
            Some(v) => self.put(name, v),
            None => self,
        }
    }

    pub fn put_date(self, name: &str, at: DateTime<Utc>) -> Shape {
        self.put(name, epoch(at))
    }

    pub fn put_date_opt(self, name: &str, at: Option<DateTime<Utc>>) -> Shape {
        self.put_opt(name, at.map(epoch))
    }

    pub fn build(self) -> Value {
        Value::Object(self.0)
    }
}

/// A logging configuration with AWS's defaults filled in.
pub fn logging(given: &Value) -> Value {
    let mut config = given.as_object().cloned().unwrap_or_default();
    config.entry("level").or_insert_with(|| Value::from("OFF"));
    config
        .entry("includeExecutionData")
        .or_insert(Value::Bool(false));
    Value::Object(config)
}

/// A tracing configuration with AWS's default filled in.
pub fn tracing(given: &Value) -> Value {
    let mut config = given.as_object().cloned().unwrap_or_default();
    config.entry("enabled").or_insert(Value::Bool(false));
    Value::Object(config)
}

/// An encryption configuration, AWS's default when there is none.
pub fn encryption(given: &Value) -> Value {
    match given.as_object() {
        Some(config) if !config.is_empty() => Value::Object(config.clone()),
        _ => json!({"type": "AWS_OWNED_KEY"}),
    }
}

fn revision(id: &Option<String>) -> Option<&str> {
    id.as_deref()
}

/// `DescribeStateMachineOutput`.
pub fn state_machine(d: &StateMachineDescription) -> Value {
    Shape::new()
        .put("stateMachineArn", d.state_machine_arn.as_str())
        .put("name", d.name.as_str())
        .put("status", d.status.as_str())
        .put("definition", d.definition.as_str())
        .put("roleArn", d.role_arn.as_str())
        .put("type", d.machine_type.api_name())
        .put_date("creationDate", d.creation_date)
        .put("loggingConfiguration", logging(&d.logging))
        .put("tracingConfiguration", tracing(&d.tracing))
        .put_opt("revisionId", revision(&d.revision_id))
        .put("encryptionConfiguration", encryption(&d.encryption))
        .build()
}

/// `StateMachineListItem`.
pub fn state_machine_item(item: &StateMachineListItem) -> Value {
    Shape::new()
        .put("stateMachineArn", item.state_machine_arn.as_str())
        .put("name", item.name.as_str())
        .put("type", item.machine_type.api_name())
        .put_date("creationDate", item.creation_date)
        .build()
}

/// `DescribeStateMachineForExecutionOutput`.
pub fn execution_definition(d: &ExecutionDefinition) -> Value {
    Shape::new()
        .put("stateMachineArn", d.state_machine_arn.as_str())
        .put("name", d.name.as_str())
        .put("definition", d.definition.as_str())
        .put("roleArn", d.role_arn.as_str())
        .put_date("updateDate", d.update_date)
        .put("loggingConfiguration", logging(&d.logging))
        .put("tracingConfiguration", tracing(&d.tracing))
        .put_opt("revisionId", revision(&d.revision_id))
        .put("encryptionConfiguration", encryption(&d.encryption))
        .build()
}

fn included() -> Value {
    json!({"included": true})
}

/// Why an execution cannot be redriven.
pub fn redrive_reason(status: &str) -> String {
    match status {
        "RUNNING" | "SUCCEEDED" => format!("Execution is {status} and cannot be redriven"),
        _ => "weft does not redrive executions yet".to_string(),
    }
}

/// `DescribeExecutionOutput`.
pub fn execution(d: &ExecutionDescription) -> Value {
    let has_output = d.output.is_some();
    Shape::new()
        .put("executionArn", d.execution_arn.as_str())
        .put("stateMachineArn", d.state_machine_arn.as_str())
        .put("name", d.name.as_str())
        .put("status", d.status.as_str())
        .put_date("startDate", d.start_date)
        .put_date_opt("stopDate", d.stop_date)
        .put("input", d.input.as_str())
        .put("inputDetails", included())
        .put_opt("output", d.output.as_deref())
        .put_opt("outputDetails", has_output.then(included))
        .put_opt("traceHeader", d.trace_header.as_deref())
        .put_opt("error", d.error.as_deref())
        .put_opt("cause", d.cause.as_deref())
        .put("redriveCount", 0)
        .put("redriveStatus", "NOT_REDRIVABLE")
        .put("redriveStatusReason", redrive_reason(&d.status))
        .build()
}

/// `StartSyncExecutionOutput`.
pub fn sync_execution(d: &ExecutionDescription) -> Value {
    let stop = d.stop_date.unwrap_or(d.start_date);
    let elapsed = (stop - d.start_date).num_milliseconds().max(0);
    let billed = (elapsed.div_euclid(100) + i64::from(elapsed % 100 != 0)).max(1) * 100;
    Shape::new()
        .put("executionArn", d.execution_arn.as_str())
        .put("stateMachineArn", d.state_machine_arn.as_str())
        .put("name", d.name.as_str())
        .put_date("startDate", d.start_date)
        .put_date("stopDate", stop)
        .put("status", d.status.as_str())
        .put_opt("error", d.error.as_deref())
        .put_opt("cause", d.cause.as_deref())
        .put("input", d.input.as_str())
        .put("inputDetails", included())
        .put_opt("output", d.output.as_deref())
        .put("outputDetails", included())
        .put_opt("traceHeader", d.trace_header.as_deref())
        .put(
            "billingDetails",
            json!({"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": billed}),
        )
        .build()
}

/// `ExecutionListItem`.
pub fn execution_item(item: &ExecutionListItem) -> Value {
    Shape::new()
        .put("executionArn", item.execution_arn.as_str())
        .put("stateMachineArn", item.state_machine_arn.as_str())
        .put("name", item.name.as_str())
        .put("status", item.status.as_str())
        .put_date("startDate", item.start_date)
        .put_date_opt("stopDate", item.stop_date)
        .put("redriveCount", 0)
        .build()
}

/// `TagList`.
pub fn tags(tags: &[Tag]) -> Value {
    Value::Array(
        tags.iter()
            .map(|t| json!({"key": t.key, "value": t.value}))
            .collect(),
    )
}

/// Members of event details that hold execution data, left out of
/// `GetExecutionHistory` when `includeExecutionData` is false.
const EXECUTION_DATA: &[&str] = &[
    "input",
    "inputDetails",
    "output",
    "outputDetails",
    "assignedVariables",
    "assignedVariablesDetails",
];

/// The member holding an event type's details. Types the decider's vocabulary does not
/// know follow the model's naming (`ExecutionRedriven` → `executionRedrivenEventDetails`).
fn details_member(event_type: &str) -> Option<String> {
    if let Some(known) = EventType::from_name(event_type) {
        return known.details_member().map(str::to_string);
    }
    if event_type.ends_with("StateEntered") {
        return Some("stateEnteredEventDetails".into());
    }
    if event_type.ends_with("StateExited") {
        return Some("stateExitedEventDetails".into());
    }
    let mut chars = event_type.chars();
    let first = chars.next()?;
    Some(format!(
        "{}{}EventDetails",
        first.to_ascii_lowercase(),
        chars.as_str()
    ))
}

/// `HistoryEvent`. With `include_data` false, execution data (inputs, outputs, assigned
/// variables, task parameters) is left out, as it is on AWS.
pub fn history_event(event: &RecordedEvent, include_data: bool) -> Value {
    let mut shape = Shape::new()
        .put_date("timestamp", event.timestamp)
        .put("type", event.event_type.as_str())
        .put("id", event.id)
        .put("previousEventId", event.previous_event_id);
    let known = EventType::from_name(&event.event_type).is_some();
    if let Some(member) = details_member(&event.event_type)
        && (known || !event.details.is_empty())
    {
        let mut details = event.details.clone();
        if !include_data {
            for key in EXECUTION_DATA {
                details.remove(*key);
            }
            if member == "taskScheduledEventDetails" {
                details.remove("parameters");
            }
        }
        shape = shape.put(&member, Value::Object(details));
    }
    shape.build()
}
