//! The durable engine on a real SQLite store: lifecycles of state machines and
//! executions, stop, idempotent starts, and recovery after the process is gone.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use weft_engine::arn::Scope;
use weft_engine::durable::*;
use weft_engine::mock_config::MockConfig;

const ROLE: &str = "arn:aws:iam::123456789012:role/weft";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

async fn engine_at(db: &Path, mocks: Option<Value>) -> Engine {
    let store = weft_store::open(&format!("sqlite:{}", db.display()))
        .await
        .unwrap();
    let mock_config = mocks.map(|m| Arc::new(MockConfig::from_value(&m).unwrap()));
    Engine::open(
        store,
        EngineConfig {
            scope: Scope::new("us-east-1", "123456789012"),
            mock_config,
        },
    )
    .await
    .unwrap()
}

async fn create(engine: &Engine, name: &str, definition: Value) -> String {
    engine
        .create_state_machine(CreateStateMachine {
            name: name.into(),
            definition: definition.to_string(),
            role_arn: ROLE.into(),
            machine_type: MachineType::Standard,
            logging: Value::Null,
            tracing: Value::Null,
            encryption: Value::Null,
            tags: vec![],
        })
        .await
        .unwrap()
        .state_machine_arn
}

async fn start(engine: &Engine, machine: &str, name: Option<&str>, input: &str) -> String {
    engine
        .start_execution(StartExecution {
            state_machine_arn: machine.into(),
            name: name.map(str::to_string),
            input: Some(input.into()),
            trace_header: None,
        })
        .await
        .unwrap()
        .execution_arn
}

async fn finished(engine: &Engine, execution: &str) -> ExecutionDescription {
    for _ in 0..500 {
        let d = engine.describe_execution(execution).await.unwrap();
        if d.status != "RUNNING" {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{execution} did not finish");
}

async fn history(engine: &Engine, execution: &str) -> Vec<RecordedEvent> {
    engine
        .execution_history(ExecutionHistory {
            execution_arn: execution.into(),
            reverse_order: false,
            page: PageRequest {
                max_results: Some(1000),
                next_token: None,
            },
        })
        .await
        .unwrap()
        .items
}

fn types(events: &[RecordedEvent]) -> Vec<&str> {
    events.iter().map(|e| e.event_type.as_str()).collect()
}

fn assert_well_formed(events: &[RecordedEvent]) {
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.id, i as u64 + 1);
        assert!(e.previous_event_id < e.id);
    }
    let terminal = events
        .iter()
        .filter(|e| e.event_type.starts_with("Execution") && e.event_type != "ExecutionStarted")
        .count();
    assert_eq!(terminal, 1, "{:?}", types(events));
}

fn hello() -> Value {
    json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Next": "S"}, "S": {"Type": "Succeed"}}})
}

fn waits(seconds: u64) -> Value {
    json!({"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": seconds, "Next": "P"},
        "P": {"Type": "Pass", "Result": {"done": true}, "End": true}}})
}

#[test]
fn a_pass_machine_runs_to_success_with_its_history() {
    let dir = tempfile::tempdir().unwrap();
    runtime().block_on(async {
        let engine = engine_at(&dir.path().join("w.db"), None).await;
        let machine = create(&engine, "hello", hello()).await;
        assert_eq!(
            machine,
            "arn:aws:states:us-east-1:123456789012:stateMachine:hello"
        );
        let execution = start(&engine, &machine, Some("e1"), r#"{"a": 1}"#).await;
        assert_eq!(
            execution,
            "arn:aws:states:us-east-1:123456789012:execution:hello:e1"
        );
        let d = finished(&engine, &execution).await;
        assert_eq!(d.status, "SUCCEEDED");
        assert_eq!(d.input, r#"{"a": 1}"#, "the input is kept as sent");
        assert_eq!(d.output.as_deref(), Some(r#"{"a":1}"#));
        let events = history(&engine, &execution).await;
        assert_eq!(
            types(&events),
            [
                "ExecutionStarted",
                "PassStateEntered",
                "PassStateExited",
                "SucceedStateEntered",
                "SucceedStateExited",
                "ExecutionSucceeded"
            ]
        );
        assert_well_formed(&events);
        assert_eq!(events[0].timestamp, d.start_date);
    });
}

#[test]
fn starting_the_same_name_twice_is_idempotent_only_while_running_with_the_same_input() {
    let dir = tempfile::tempdir().unwrap();
    runtime().block_on(async {
        let engine = engine_at(&dir.path().join("w.db"), None).await;
        let machine = create(&engine, "waiter", waits(30)).await;
        let first = engine
            .start_execution(StartExecution {
                state_machine_arn: machine.clone(),
                name: Some("same".into()),
                input: Some("{}".into()),
                trace_header: None,
            })
            .await
            .unwrap();
        let again = engine
            .start_execution(StartExecution {
                state_machine_arn: machine.clone(),
                name: Some("same".into()),
                input: Some("{}".into()),
                trace_header: None,
            })
            .await
            .unwrap();
        assert_eq!(first, again);
        let other_input = engine
            .start_execution(StartExecution {
                state_machine_arn: machine.clone(),
                name: Some("same".into()),
                input: Some(r#"{"x":1}"#.into()),
                trace_header: None,
            })
            .await;
        assert!(matches!(
            other_input,
            Err(EngineError::ExecutionAlreadyExists(_))
        ));
        engine
            .stop_execution(&first.execution_arn, None, None)
            .await
            .unwrap();
        let closed = engine
            .start_execution(StartExecution {
                state_machine_arn: machine,
                name: Some("same".into()),
                input: Some("{}".into()),
                trace_header: None,
            })
            .await;
        assert!(matches!(
            closed,
            Err(EngineError::ExecutionAlreadyExists(_))
        ));
    });
}

#[test]
fn stop_aborts_at_once_and_cancels_the_wait() {
    let dir = tempfile::tempdir().unwrap();
    runtime().block_on(async {
        let engine = engine_at(&dir.path().join("w.db"), None).await;
        let machine = create(&engine, "waiter", waits(1)).await;
        let execution = start(&engine, &machine, None, "{}").await;
        let outcome = engine
            .stop_execution(&execution, Some("Manual".into()), Some("probe".into()))
            .await
            .unwrap();
        let StopOutcome::Stopped { stop_date } = outcome else {
            panic!("{outcome:?}")
        };
        let d = engine.describe_execution(&execution).await.unwrap();
        assert_eq!(d.status, "ABORTED");
        assert_eq!(d.stop_date, Some(stop_date));
        assert_eq!(
            (d.error.as_deref(), d.cause.as_deref()),
            (Some("Manual"), Some("probe"))
        );
        // The Wait's timer would have fired by now; nothing may follow the abort.
        tokio::time::sleep(Duration::from_millis(1300)).await;
        let events = history(&engine, &execution).await;
        assert_eq!(events.last().unwrap().event_type, "ExecutionAborted");
        assert_eq!(events.last().unwrap().details["error"], "Manual");
        assert_well_formed(&events);
        let again = engine.stop_execution(&execution, None, None).await.unwrap();
        assert!(
            matches!(again, StopOutcome::AlreadyEnded { ref status, .. } if status == "ABORTED")
        );
    });
}

#[test]
fn a_late_task_result_after_a_stop_is_never_applied() {
    let dir = tempfile::tempdir().unwrap();
    let mocks = json!({
        "StateMachines": {"slow": {"TestCases": {"Late": {"T": "Slow"}}}},
        "MockedResponses": {"Slow": {"0": {"Return": {"late": true}, "Delay": 0.3}}}
    });
    runtime().block_on(async {
        let engine = engine_at(&dir.path().join("w.db"), Some(mocks)).await;
        let machine = create(
            &engine,
            "slow",
            json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}),
        )
        .await;
        let execution = start(&engine, &format!("{machine}#Late"), None, "{}").await;
        engine.stop_execution(&execution, None, None).await.unwrap();
        tokio::time::sleep(Duration::from_millis(600)).await;
        let events = history(&engine, &execution).await;
        assert!(!types(&events).contains(&"TaskSucceeded"), "{:?}", types(&events));
        assert_eq!(events.last().unwrap().event_type, "ExecutionAborted");
        assert_well_formed(&events);
    });
}

#[test]
fn executions_survive_the_process_and_finish_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let mut executions = Vec::new();
    let machine;
    {
        // The first process: start executions that wait, then vanish without notice.
        let rt = runtime();
        machine = rt.block_on(async {
            let engine = engine_at(&db, None).await;
            let machine = create(&engine, "waiter", waits(1)).await;
            for i in 0..20 {
                executions.push(start(&engine, &machine, Some(&format!("e{i}")), "{}").await);
            }
            machine
        });
        rt.shutdown_background();
    }
    runtime().block_on(async {
        let engine = engine_at(&db, None).await;
        assert_eq!(engine.running_count(), 20);
        for execution in &executions {
            let d = finished(&engine, execution).await;
            assert_eq!(d.status, "SUCCEEDED");
            assert_eq!(d.output.as_deref(), Some(r#"{"done":true}"#));
            let events = history(&engine, execution).await;
            assert_well_formed(&events);
            assert_eq!(
                types(&events),
                [
                    "ExecutionStarted",
                    "WaitStateEntered",
                    "WaitStateExited",
                    "PassStateEntered",
                    "PassStateExited",
                    "ExecutionSucceeded"
                ]
            );
        }
        // Ids continue after the recovered ones.
        let next = start(&engine, &machine, Some("after"), "{}").await;
        assert_eq!(finished(&engine, &next).await.status, "SUCCEEDED");
        let listed = engine
            .list_executions(ListExecutions {
                state_machine_arn: machine.clone(),
                status_filter: None,
                page: PageRequest::default(),
            })
            .await
            .unwrap();
        assert_eq!(listed.items.len(), 21);
        assert_eq!(listed.items[0].execution_arn, next, "newest first");
    });
}

#[test]
fn deleting_a_machine_waits_for_its_running_executions() {
    let dir = tempfile::tempdir().unwrap();
    runtime().block_on(async {
        let engine = engine_at(&dir.path().join("w.db"), None).await;
        let machine = create(&engine, "waiter", waits(30)).await;
        let execution = start(&engine, &machine, None, "{}").await;
        engine.delete_state_machine(&machine).await.unwrap();
        assert_eq!(
            engine
                .describe_state_machine(&machine)
                .await
                .unwrap()
                .status,
            "DELETING"
        );
        let refused = engine
            .start_execution(StartExecution {
                state_machine_arn: machine.clone(),
                ..StartExecution::default()
            })
            .await;
        assert!(matches!(refused, Err(EngineError::StateMachineDeleting(_))));
        engine.stop_execution(&execution, None, None).await.unwrap();
        assert!(matches!(
            engine.describe_state_machine(&machine).await,
            Err(EngineError::StateMachineDoesNotExist(_))
        ));
        // The execution outlives its machine.
        assert_eq!(
            engine.describe_execution(&execution).await.unwrap().status,
            "ABORTED"
        );
    });
}

#[test]
fn pages_of_executions_and_history_cover_everything_once() {
    let dir = tempfile::tempdir().unwrap();
    runtime().block_on(async {
        let engine = engine_at(&dir.path().join("w.db"), None).await;
        let machine = create(&engine, "hello", hello()).await;
        for i in 0..7 {
            start(&engine, &machine, Some(&format!("e{i}")), "{}").await;
        }
        let mut seen = Vec::new();
        let mut token = None;
        loop {
            let page = engine
                .list_executions(ListExecutions {
                    state_machine_arn: machine.clone(),
                    status_filter: Some("SUCCEEDED".into()),
                    page: PageRequest {
                        max_results: Some(3),
                        next_token: token,
                    },
                })
                .await
                .unwrap();
            seen.extend(page.items.into_iter().map(|i| i.name));
            token = page.next_token;
            if token.is_none() {
                break;
            }
        }
        assert_eq!(seen, ["e6", "e5", "e4", "e3", "e2", "e1", "e0"]);
        let execution = engine.scope().execution("hello", "e0");
        let backwards = engine
            .execution_history(ExecutionHistory {
                execution_arn: execution,
                reverse_order: true,
                page: PageRequest {
                    max_results: Some(4),
                    next_token: None,
                },
            })
            .await
            .unwrap();
        let ids: Vec<u64> = backwards.items.iter().map(|e| e.id).collect();
        assert_eq!(ids, [6, 5, 4, 3]);
        assert!(backwards.next_token.is_some());
        let bad = engine
            .list_executions(ListExecutions {
                state_machine_arn: machine,
                status_filter: None,
                page: PageRequest {
                    max_results: None,
                    next_token: Some("garbage".into()),
                },
            })
            .await;
        assert!(matches!(bad, Err(EngineError::InvalidToken(_))));
    });
}
