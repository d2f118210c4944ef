//! History events in the Step Functions `HistoryEvent` vocabulary.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// One entry of an execution's history. `details` is the body of the
/// `…EventDetails` member that [`EventType::details_member`] names.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEvent {
    pub id: u64,
    pub previous_event_id: u64,
    pub timestamp: DateTime<Utc>,
    pub event_type: EventType,
    pub details: Map<String, Value>,
}

impl HistoryEvent {
    /// The event as the `GetExecutionHistory` API shapes it (timestamps as epoch
    /// seconds, the way AWS JSON 1.0 serialises them).
    pub fn to_api_json(&self) -> Value {
        let mut event = Map::new();
        event.insert(
            "timestamp".into(),
            Value::from(self.timestamp.timestamp_millis() as f64 / 1000.0),
        );
        event.insert("type".into(), Value::from(self.event_type.name()));
        event.insert("id".into(), Value::from(self.id));
        event.insert(
            "previousEventId".into(),
            Value::from(self.previous_event_id),
        );
        if let Some(member) = self.event_type.details_member() {
            event.insert(member.into(), Value::Object(self.details.clone()));
        }
        Value::Object(event)
    }
}

macro_rules! event_types {
    ($($variant:ident => $details:expr,)*) => {
        /// Every history event type weft records.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum EventType {
            $($variant,)*
        }

        impl EventType {
            pub fn name(self) -> &'static str {
                match self {
                    $(EventType::$variant => stringify!($variant),)*
                }
            }

            /// The name of the member holding this event's details, if it has any.
            pub fn details_member(self) -> Option<&'static str> {
                match self {
                    $(EventType::$variant => $details,)*
                }
            }

            pub fn from_name(name: &str) -> Option<EventType> {
                match name {
                    $(stringify!($variant) => Some(EventType::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

const ENTERED: Option<&str> = Some("stateEnteredEventDetails");
const EXITED: Option<&str> = Some("stateExitedEventDetails");

event_types! {
    ExecutionStarted => Some("executionStartedEventDetails"),
    ExecutionSucceeded => Some("executionSucceededEventDetails"),
    ExecutionFailed => Some("executionFailedEventDetails"),
    ExecutionAborted => Some("executionAbortedEventDetails"),
    ExecutionTimedOut => Some("executionTimedOutEventDetails"),
    PassStateEntered => ENTERED,
    PassStateExited => EXITED,
    TaskStateEntered => ENTERED,
    TaskStateExited => EXITED,
    TaskStateAborted => None,
    ChoiceStateEntered => ENTERED,
    ChoiceStateExited => EXITED,
    WaitStateEntered => ENTERED,
    WaitStateExited => EXITED,
    WaitStateAborted => None,
    SucceedStateEntered => ENTERED,
    SucceedStateExited => EXITED,
    FailStateEntered => ENTERED,
    EvaluationFailed => Some("evaluationFailedEventDetails"),
    ParallelStateEntered => ENTERED,
    ParallelStateExited => EXITED,
    ParallelStateStarted => None,
    ParallelStateSucceeded => None,
    ParallelStateFailed => None,
    ParallelStateAborted => None,
    MapStateEntered => ENTERED,
    MapStateExited => EXITED,
    MapStateStarted => Some("mapStateStartedEventDetails"),
    MapStateSucceeded => None,
    MapStateFailed => None,
    MapStateAborted => None,
    MapIterationStarted => Some("mapIterationStartedEventDetails"),
    MapIterationSucceeded => Some("mapIterationSucceededEventDetails"),
    MapIterationFailed => Some("mapIterationFailedEventDetails"),
    MapIterationAborted => Some("mapIterationAbortedEventDetails"),
    TaskScheduled => Some("taskScheduledEventDetails"),
    TaskStarted => Some("taskStartedEventDetails"),
    TaskSucceeded => Some("taskSucceededEventDetails"),
    TaskFailed => Some("taskFailedEventDetails"),
    TaskTimedOut => Some("taskTimedOutEventDetails"),
    LambdaFunctionScheduled => Some("lambdaFunctionScheduledEventDetails"),
    LambdaFunctionStarted => None,
    LambdaFunctionSucceeded => Some("lambdaFunctionSucceededEventDetails"),
    LambdaFunctionFailed => Some("lambdaFunctionFailedEventDetails"),
    LambdaFunctionTimedOut => Some("lambdaFunctionTimedOutEventDetails"),
    ActivityScheduled => Some("activityScheduledEventDetails"),
    ActivityStarted => Some("activityStartedEventDetails"),
    ActivitySucceeded => Some("activitySucceededEventDetails"),
    ActivityFailed => Some("activityFailedEventDetails"),
    ActivityTimedOut => Some("activityTimedOutEventDetails"),
}

impl EventType {
    /// The `…StateEntered` event of a state type.
    pub fn entered(state_type: &str) -> EventType {
        match state_type {
            "Pass" => EventType::PassStateEntered,
            "Task" => EventType::TaskStateEntered,
            "Choice" => EventType::ChoiceStateEntered,
            "Wait" => EventType::WaitStateEntered,
            "Succeed" => EventType::SucceedStateEntered,
            "Fail" => EventType::FailStateEntered,
            "Parallel" => EventType::ParallelStateEntered,
            _ => EventType::MapStateEntered,
        }
    }

    /// The `…StateExited` event of a state type (Fail states never exit).
    pub fn exited(state_type: &str) -> EventType {
        match state_type {
            "Pass" => EventType::PassStateExited,
            "Task" => EventType::TaskStateExited,
            "Choice" => EventType::ChoiceStateExited,
            "Wait" => EventType::WaitStateExited,
            "Succeed" => EventType::SucceedStateExited,
            "Parallel" => EventType::ParallelStateExited,
            _ => EventType::MapStateExited,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in [
            EventType::ExecutionStarted,
            EventType::MapIterationAborted,
            EventType::TaskTimedOut,
        ] {
            assert_eq!(EventType::from_name(t.name()), Some(t));
        }
        assert_eq!(EventType::from_name("NoSuchEvent"), None);
    }

    #[test]
    fn state_events_share_detail_members() {
        assert_eq!(
            EventType::entered("Choice").details_member(),
            Some("stateEnteredEventDetails")
        );
        assert_eq!(
            EventType::exited("Map").details_member(),
            Some("stateExitedEventDetails")
        );
        assert_eq!(EventType::ParallelStateStarted.details_member(), None);
    }
}
