//! The decider's lifecycle: every transition of an execution (start, task results,
//! timers, stop, time-outs) and the guarantees around them.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use weft_asl::decider::{
    Command, Decider, Decision, EventType, ExecutionMeta, ExecutionStatus, Input, TaskId,
    TaskRequest, TimerId,
};

fn meta() -> ExecutionMeta {
    ExecutionMeta {
        execution_arn: "arn:aws:states:us-east-1:123456789012:execution:M:e1".into(),
        execution_name: "e1".into(),
        state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:M".into(),
        state_machine_name: "M".into(),
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        region: "us-east-1".into(),
    }
}

fn decider(definition: Value) -> Decider {
    let compiled = weft_asl::validate::compile(&definition);
    let machine = compiled
        .machine
        .unwrap_or_else(|| panic!("invalid test definition: {:?}", compiled.diagnostics));
    Decider::new(Arc::new(machine), meta())
}

fn t0() -> DateTime<Utc> {
    "2026-01-01T00:00:00Z".parse().expect("a valid time")
}

fn types(decision: &Decision) -> Vec<&'static str> {
    decision
        .events
        .iter()
        .map(|e| e.event_type.name())
        .collect()
}

fn tasks(decision: &Decision) -> Vec<&TaskRequest> {
    decision
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::RunTask(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn timers(decision: &Decision) -> Vec<(TimerId, DateTime<Utc>)> {
    decision
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::StartTimer { timer, fire_at } => Some((*timer, *fire_at)),
            _ => None,
        })
        .collect()
}

fn one_task() -> Value {
    json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}})
}

#[test]
fn pass_then_succeed_writes_the_documented_history() {
    let mut d = decider(json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Next": "S"}, "S": {"Type": "Succeed"}}}));
    let decision = d.handle(
        t0(),
        1,
        Input::Start {
            input: json!({"a": 1}),
        },
    );
    assert_eq!(
        types(&decision),
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "SucceedStateEntered",
            "SucceedStateExited",
            "ExecutionSucceeded"
        ]
    );
    let ids: Vec<(u64, u64)> = decision
        .events
        .iter()
        .map(|e| (e.id, e.previous_event_id))
        .collect();
    assert_eq!(ids, [(1, 0), (2, 0), (3, 2), (4, 3), (5, 4), (6, 5)]);
    assert_eq!(
        d.status(),
        &ExecutionStatus::Succeeded {
            output: json!({"a": 1})
        }
    );
    let started = &decision.events[0].details;
    assert_eq!(started["input"], json!("{\"a\":1}"));
    assert_eq!(
        started["roleArn"],
        json!("arn:aws:iam::123456789012:role/r")
    );
}

#[test]
fn inputs_before_start_and_a_second_start_change_nothing() {
    let mut d = decider(one_task());
    let early = d.handle(
        t0(),
        1,
        Input::TaskSucceeded {
            task: TaskId(1),
            output: json!(1),
        },
    );
    assert!(early.events.is_empty() && early.commands.is_empty());
    assert_eq!(d.status(), &ExecutionStatus::Pending);
    let start = d.handle(t0(), 1, Input::Start { input: json!({}) });
    assert_eq!(tasks(&start).len(), 1);
    let again = d.handle(t0(), 1, Input::Start { input: json!({}) });
    assert!(again.events.is_empty() && again.commands.is_empty());
}

#[test]
fn a_task_result_completes_the_execution() {
    let mut d = decider(one_task());
    let start = d.handle(
        t0(),
        1,
        Input::Start {
            input: json!({"x": 1}),
        },
    );
    assert_eq!(types(&start)[2..], ["TaskScheduled", "TaskStarted"]);
    let request = tasks(&start)[0].clone();
    assert_eq!(request.parameters, json!({"x": 1}));
    assert_eq!(request.invocation, 0);
    assert_eq!(d.status(), &ExecutionStatus::Running);
    let done = d.handle(
        t0(),
        2,
        Input::TaskSucceeded {
            task: request.task,
            output: json!("ok"),
        },
    );
    assert_eq!(
        types(&done),
        ["TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    );
    assert_eq!(
        d.status(),
        &ExecutionStatus::Succeeded {
            output: json!("ok")
        }
    );
}

#[test]
fn a_task_failure_without_handlers_fails_the_execution() {
    let mut d = decider(one_task());
    let start = d.handle(t0(), 1, Input::Start { input: json!({}) });
    let task = tasks(&start)[0].task;
    let failed = d.handle(
        t0(),
        2,
        Input::TaskFailed {
            task,
            error: "Boom".into(),
            cause: "why".into(),
        },
    );
    assert_eq!(types(&failed), ["TaskFailed", "ExecutionFailed"]);
    assert_eq!(
        d.status(),
        &ExecutionStatus::Failed {
            error: "Boom".into(),
            cause: "why".into()
        }
    );
}

#[test]
fn terminate_fails_at_once_past_any_catch_and_cancels_work() {
    let mut d = decider(one_task());
    let start = d.handle(t0(), 1, Input::Start { input: json!({}) });
    let task = tasks(&start)[0].task;
    let terminate = Input::Terminate {
        error: "States.Runtime".into(),
        cause: "State machine m has been deleted.".into(),
    };
    let ended = d.handle(t0(), 2, terminate.clone());
    assert_eq!(types(&ended), ["ExecutionFailed"]);
    assert_eq!(ended.events[0].details["error"], json!("States.Runtime"));
    assert!(ended.commands.contains(&Command::CancelTask { task }));
    assert_eq!(
        d.status(),
        &ExecutionStatus::Failed {
            error: "States.Runtime".into(),
            cause: "State machine m has been deleted.".into()
        }
    );
    assert!(d.handle(t0(), 3, terminate).events.is_empty());
}

#[test]
fn stop_aborts_cancels_work_is_idempotent_and_ignores_late_results() {
    let mut d = decider(one_task());
    let start = d.handle(t0(), 1, Input::Start { input: json!({}) });
    let task = tasks(&start)[0].task;
    let stop = d.handle(
        t0(),
        2,
        Input::Stop {
            error: Some("Halt".into()),
            cause: Some("operator".into()),
        },
    );
    assert_eq!(types(&stop), ["ExecutionAborted"]);
    assert_eq!(stop.events[0].details["error"], json!("Halt"));
    assert!(stop.commands.contains(&Command::CancelTask { task }));
    assert_eq!(
        d.status(),
        &ExecutionStatus::Aborted {
            error: Some("Halt".into()),
            cause: Some("operator".into())
        }
    );
    let late = d.handle(
        t0(),
        3,
        Input::TaskSucceeded {
            task,
            output: json!(1),
        },
    );
    assert!(late.events.is_empty() && late.commands.is_empty());
    let again = d.handle(
        t0(),
        4,
        Input::Stop {
            error: None,
            cause: None,
        },
    );
    assert!(again.events.is_empty());
}

#[test]
fn execution_timeout_ends_as_timed_out_and_cancels_the_task() {
    let mut d = decider(json!({"TimeoutSeconds": 5, "StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}));
    let start = d.handle(t0(), 1, Input::Start { input: json!({}) });
    let (timer, at) = timers(&start)[0];
    assert_eq!(at, t0() + Duration::seconds(5));
    let task = tasks(&start)[0].task;
    let fired = d.handle(at, 2, Input::TimerFired { timer });
    assert_eq!(types(&fired), ["ExecutionTimedOut"]);
    assert!(fired.commands.contains(&Command::CancelTask { task }));
    assert_eq!(d.status().api_name(), "TIMED_OUT");
}

#[test]
fn task_timeout_raises_states_timeout() {
    let mut d = decider(json!({"StartAt": "T", "States": {"T": {"Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 3, "End": true}}}));
    let start = d.handle(t0(), 1, Input::Start { input: json!({}) });
    let request = tasks(&start)[0].clone();
    assert_eq!(request.timeout_seconds, Some(3));
    let (timer, at) = timers(&start)[0];
    let fired = d.handle(at, 2, Input::TimerFired { timer });
    assert_eq!(types(&fired), ["TaskTimedOut", "ExecutionFailed"]);
    assert!(
        fired
            .commands
            .contains(&Command::CancelTask { task: request.task })
    );
    assert!(
        matches!(d.status(), ExecutionStatus::Failed { error, .. } if error == "States.Timeout")
    );
}

#[test]
fn heartbeats_restart_the_heartbeat_timer() {
    let mut d = decider(json!({"StartAt": "T", "States": {"T": {"Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke", "HeartbeatSeconds": 10, "End": true}}}));
    let start = d.handle(t0(), 1, Input::Start { input: json!({}) });
    let task = tasks(&start)[0].task;
    let (first, _) = timers(&start)[0];
    let later = t0() + Duration::seconds(8);
    let beat = d.handle(later, 2, Input::TaskHeartbeat { task });
    assert!(
        beat.commands
            .contains(&Command::CancelTimer { timer: first })
    );
    let (second, at) = timers(&beat)[0];
    assert_eq!(at, later + Duration::seconds(10));
    // The old timer no longer counts.
    assert!(
        d.handle(later, 3, Input::TimerFired { timer: first })
            .events
            .is_empty()
    );
    let fired = d.handle(at, 4, Input::TimerFired { timer: second });
    assert_eq!(types(&fired), ["TaskTimedOut", "ExecutionFailed"]);
    assert!(
        matches!(d.status(), ExecutionStatus::Failed { error, .. } if error == "States.HeartbeatTimeout")
    );
}

#[test]
fn retry_waits_then_runs_the_task_again() {
    let mut d = decider(json!({"StartAt": "T", "States": {"T": {"Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 1}],
        "End": true}}}));
    let start = d.handle(t0(), 1, Input::Start { input: json!({}) });
    let first = tasks(&start)[0].task;
    let failed = d.handle(
        t0(),
        2,
        Input::TaskFailed {
            task: first,
            error: "E".into(),
            cause: "c".into(),
        },
    );
    let (timer, at) = timers(&failed)[0];
    assert_eq!(at, t0() + Duration::seconds(2));
    let retried = d.handle(at, 3, Input::TimerFired { timer });
    let again = tasks(&retried)[0].clone();
    assert_eq!(again.invocation, 1);
    assert_ne!(again.task, first);
    let failed = d.handle(
        at,
        4,
        Input::TaskFailed {
            task: again.task,
            error: "E".into(),
            cause: "c".into(),
        },
    );
    assert_eq!(types(&failed), ["TaskFailed", "ExecutionFailed"]);
}

#[test]
fn wait_sets_a_timer_and_continues_when_it_fires() {
    let mut d = decider(
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": true}}}),
    );
    let start = d.handle(
        t0(),
        1,
        Input::Start {
            input: json!({"k": true}),
        },
    );
    let (timer, at) = timers(&start)[0];
    assert_eq!(at, t0() + Duration::seconds(10));
    assert_eq!(d.status(), &ExecutionStatus::Running);
    let fired = d.handle(at, 2, Input::TimerFired { timer });
    assert_eq!(types(&fired), ["WaitStateExited", "ExecutionSucceeded"]);
    assert_eq!(fired.events[0].timestamp, at);
}

#[test]
fn same_inputs_and_seeds_give_the_same_history() {
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Pass",
        "Parameters": {"id.$": "States.UUID()", "n.$": "States.MathRandom(1, 1000)"}, "End": true}}});
    let run = || {
        let mut d = decider(definition.clone());
        let decision = d.handle(t0(), 42, Input::Start { input: json!({}) });
        (decision.events, d.status().clone())
    };
    assert_eq!(run(), run());
    let mut other = decider(definition.clone());
    other.handle(t0(), 43, Input::Start { input: json!({}) });
    assert_ne!(other.status(), &run().1);
}

#[test]
fn map_respects_max_concurrency() {
    let mut d = decider(
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 2,
        "ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke", "End": true}}},
        "End": true}}}),
    );
    let start = d.handle(
        t0(),
        1,
        Input::Start {
            input: json!([1, 2, 3]),
        },
    );
    let running = tasks(&start);
    assert_eq!(running.len(), 2);
    let first = running[0].task;
    let second = running[1].task;
    let next = d.handle(
        t0(),
        2,
        Input::TaskSucceeded {
            task: first,
            output: json!("a"),
        },
    );
    assert_eq!(tasks(&next).len(), 1);
    let third = tasks(&next)[0].task;
    d.handle(
        t0(),
        3,
        Input::TaskSucceeded {
            task: third,
            output: json!("c"),
        },
    );
    d.handle(
        t0(),
        4,
        Input::TaskSucceeded {
            task: second,
            output: json!("b"),
        },
    );
    assert_eq!(
        d.status(),
        &ExecutionStatus::Succeeded {
            output: json!(["a", "b", "c"])
        }
    );
}

/// 5,000 iterations of four events each: as large as an inline Map can be within the
/// 25,000 events of a history.
#[test]
fn a_large_inline_map_does_not_grow_the_stack() {
    let items: Vec<Value> = (0..5_000).map(Value::from).collect();
    let mut d = decider(
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 1,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
        "ResultSelector": {"count.$": "States.ArrayLength($)"},
        "End": true}}}),
    );
    d.handle(
        t0(),
        1,
        Input::Start {
            input: Value::Array(items),
        },
    );
    assert_eq!(
        d.status(),
        &ExecutionStatus::Succeeded {
            output: json!({"count": 5_000})
        }
    );
}

#[test]
fn a_failed_branch_aborts_its_siblings() {
    let mut d = decider(
        json!({"StartAt": "Par", "States": {"Par": {"Type": "Parallel", "End": true,
        "Branches": [
            {"StartAt": "Slow", "States": {"Slow": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}},
            {"StartAt": "Bad", "States": {"Bad": {"Type": "Fail", "Error": "Branch.Broke", "Cause": "no"}}}
        ]}}}),
    );
    let start = d.handle(t0(), 1, Input::Start { input: json!({}) });
    let slow = tasks(&start)[0].task;
    assert!(start.commands.contains(&Command::CancelTask { task: slow }));
    let kinds = types(&start);
    assert!(kinds.contains(&"TaskStateAborted"), "{kinds:?}");
    assert!(kinds.contains(&"ParallelStateFailed"), "{kinds:?}");
    assert_eq!(
        d.status(),
        &ExecutionStatus::Failed {
            error: "Branch.Broke".into(),
            cause: "no".into()
        }
    );
    let late = d.handle(
        t0(),
        2,
        Input::TaskSucceeded {
            task: slow,
            output: json!(1),
        },
    );
    assert!(late.events.is_empty());
}

#[test]
fn wait_for_task_token_gets_a_token_in_the_context() {
    let mut d = decider(json!({"StartAt": "T", "States": {"T": {"Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"token.$": "$$.Task.Token"}, "End": true}}}));
    let start = d.handle(t0(), 7, Input::Start { input: json!({}) });
    let request = tasks(&start)[0].clone();
    let token = request.task_token.clone().expect("a token");
    assert_eq!(request.parameters, json!({"token": token}));
}

#[test]
fn history_events_serialise_in_the_api_shape() {
    let mut d = decider(json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}));
    let decision = d.handle(t0(), 1, Input::Start { input: json!({}) });
    let entered = decision
        .events
        .iter()
        .find(|e| e.event_type == EventType::PassStateEntered)
        .expect("entered");
    assert_eq!(
        entered.to_api_json(),
        json!({
            "timestamp": 1767225600.0,
            "type": "PassStateEntered",
            "id": 2,
            "previousEventId": 0,
            "stateEnteredEventDetails": {"name": "P", "input": "{}", "inputDetails": {"truncated": false}}
        })
    );
}

/// "The maximum size of a single variable is 256Kib … The maximum combined size for all
/// variables in a single Assign field is also 256Kib" (Developer Guide, "Passing data
/// between states with variables"): 150 KiB variables may be assigned one per state, but
/// not two in one `Assign`, and one variable may not exceed 256 KiB.
#[test]
fn variable_size_limits() {
    let status_of = |definition: Value| {
        let mut d = decider(definition);
        d.handle(t0(), 1, Input::Start { input: json!({}) });
        d.status().clone()
    };
    let big = "x".repeat(150 * 1024);
    let ok = status_of(json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"a": big}, "Next": "B"},
        "B": {"Type": "Pass", "Assign": {"b": big}, "End": true}}}));
    assert!(matches!(ok, ExecutionStatus::Succeeded { .. }), "{ok:?}");

    let together = status_of(json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"a": big, "b": big}, "End": true}}}));
    let too_big = status_of(json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"a": "x".repeat(257 * 1024)}, "End": true}}}));
    for status in [together, too_big] {
        match status {
            ExecutionStatus::Failed { error, .. } => assert_eq!(error, "States.DataLimitExceeded"),
            other => panic!("expected a failure, got {other:?}"),
        }
    }
}

/// A machine that loops without waiting would run for ever inside one decision; like
/// AWS, which keeps at most 25,000 events per execution, it fails once its history is
/// full, and the failure is its last event.
#[test]
fn a_loop_that_never_waits_fails_when_the_history_is_full() {
    let mut d = decider(json!({
        "StartAt": "Again",
        "States": {
            "Again": {"Type": "Pass", "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.never", "IsPresent": true, "Next": "Done"}],
                "Default": "Again"
            },
            "Done": {"Type": "Succeed"}
        }
    }));
    let decision = d.handle(t0(), 1, Input::Start { input: json!({}) });
    let last = decision.events.last().expect("events");
    assert_eq!(last.event_type, EventType::ExecutionFailed);
    assert_eq!(last.details["error"], json!("States.Runtime"));
    assert!(
        (weft_asl::decider::MAX_HISTORY_EVENTS..weft_asl::decider::MAX_HISTORY_EVENTS + 8)
            .contains(&last.id),
        "{}",
        last.id
    );
    assert!(matches!(d.status(), ExecutionStatus::Failed { .. }));
}
