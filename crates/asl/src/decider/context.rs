//! The context object (`$$`).

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::ExecutionMeta;

/// Formats a time the way Step Functions writes it in the context object.
pub fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The execution-wide part of the context object; `State` is filled in per state.
pub fn execution_context(meta: &ExecutionMeta, input: &Value, start: DateTime<Utc>) -> Value {
    json!({
        "Execution": {
            "Id": meta.execution_arn,
            "Input": input,
            "Name": meta.execution_name,
            "RoleArn": meta.role_arn,
            "StartTime": timestamp(start),
            "RedriveCount": 0,
        },
        "StateMachine": {
            "Id": meta.state_machine_arn,
            "Name": meta.state_machine_name,
        },
    })
}

/// Points the context object at the state now running. `RetryCount` is there only for
/// states that can be retried (Task, Parallel, Map): AWS's recorded context of a Pass
/// state has just `Name` and `EnteredTime`.
pub fn set_state(context: &mut Value, name: &str, entered_time: &str, retry_count: Option<u64>) {
    if let Value::Object(map) = context {
        let mut state = Map::new();
        state.insert("Name".into(), Value::from(name));
        state.insert("EnteredTime".into(), Value::from(entered_time));
        if let Some(count) = retry_count {
            state.insert("RetryCount".into(), Value::from(count));
        }
        map.insert("State".into(), Value::Object(state));
    }
}

/// Sets (or, with `None`, removes) a top-level member such as `Task` or `Map`.
pub fn set_member(context: &mut Value, key: &str, value: Option<Value>) {
    if let Value::Object(map) = context {
        match value {
            Some(v) => {
                map.insert(key.into(), v);
            }
            None => {
                map.shift_remove(key);
            }
        }
    }
}
