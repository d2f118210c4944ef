//! How decider values become store rows and back: history events, journalled inputs
//! and dispatched task requests, as JSON text.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Map, Value};
use weft_asl::decider::{HistoryEvent, Input, TaskRequest};
use weft_store::EventRecord;

use super::api::RecordedEvent;

/// The current time, to the millisecond the store keeps: what a caller is told and
/// what it later reads back must be the same instant.
pub fn now() -> DateTime<Utc> {
    instant(millis(Utc::now()))
}

pub fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub fn instant(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

pub fn event_record(event: &HistoryEvent) -> EventRecord {
    EventRecord {
        id: event.id as i64,
        previous_id: event.previous_event_id as i64,
        at_ms: millis(event.timestamp),
        event_type: event.event_type.name().to_string(),
        details: Value::Object(event.details.clone()).to_string(),
    }
}

pub fn recorded_event(record: EventRecord) -> RecordedEvent {
    let details = match serde_json::from_str(&record.details) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    RecordedEvent {
        id: record.id as u64,
        previous_event_id: record.previous_id as u64,
        timestamp: instant(record.at_ms),
        event_type: record.event_type,
        details,
    }
}

/// Inputs and task requests are written by this engine, so a row that does not
/// decode means the database was changed by something else.
#[derive(Debug, thiserror::Error)]
#[error("a stored {what} does not decode: {source}")]
pub struct Corrupt {
    what: &'static str,
    source: serde_json::Error,
}

pub fn encode_input(input: &Input) -> String {
    serde_json::to_string(input).unwrap_or_default()
}

pub fn decode_input(text: &str) -> Result<Input, Corrupt> {
    serde_json::from_str(text).map_err(|source| Corrupt {
        what: "input",
        source,
    })
}

pub fn encode_task(request: &TaskRequest) -> String {
    serde_json::to_string(request).unwrap_or_default()
}

pub fn decode_task(text: &str) -> Result<TaskRequest, Corrupt> {
    serde_json::from_str(text).map_err(|source| Corrupt {
        what: "task request",
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use weft_asl::decider::{TaskId, TimerId};

    #[test]
    fn inputs_and_tasks_round_trip() {
        for input in [
            Input::TaskSucceeded {
                task: TaskId(3),
                output: serde_json::json!({"a": [1, 2]}),
            },
            Input::TaskFailed {
                task: TaskId(4),
                error: "E".into(),
                cause: "C".into(),
            },
            Input::TaskHeartbeat { task: TaskId(5) },
            Input::TimerFired { timer: TimerId(6) },
            Input::Stop {
                error: Some("e".into()),
                cause: None,
            },
        ] {
            assert_eq!(decode_input(&encode_input(&input)).unwrap(), input);
        }
        let request = TaskRequest {
            task: TaskId(9),
            state_name: "T".into(),
            resource: "arn:aws:states:::http:invoke".into(),
            parameters: serde_json::json!({"x": 1}),
            invocation: 2,
            task_token: Some("tok".into()),
            timeout_seconds: Some(5),
            heartbeat_seconds: None,
        };
        assert_eq!(decode_task(&encode_task(&request)).unwrap(), request);
        assert!(decode_input("{\"type\":\"Nope\"}").is_err());
    }
}
