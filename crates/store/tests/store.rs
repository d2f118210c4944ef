//! The storage suite. Each `suite_*` function takes any `Store`, so the same checks run
//! on every backend; here on a SQLite file and on `sqlite::memory:`. Tests after the
//! suite concern SQLite files only: URLs, PRAGMAs, reopening, the schema version.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sqlx::{Connection, SqliteConnection};
use tempfile::TempDir;
use weft_store::sqlite::{SCHEMA_VERSION, SqliteStore};
use weft_store::*;

// --- fixtures --------------------------------------------------------------------------

const SM_A: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:A";
const SM_B: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:B";

fn machine(arn: &str, revision_id: &str, created_ms: i64) -> StateMachineRecord {
    StateMachineRecord {
        arn: arn.to_string(),
        name: arn.rsplit(':').next().unwrap_or_default().to_string(),
        machine_type: "STANDARD".into(),
        status: "ACTIVE".into(),
        revision_id: revision_id.to_string(),
        created_ms,
    }
}

fn revision(arn: &str, revision_id: &str, definition: &str) -> RevisionRecord {
    RevisionRecord {
        state_machine_arn: arn.to_string(),
        revision_id: revision_id.to_string(),
        definition: definition.to_string(),
        role_arn: "arn:aws:iam::123456789012:role/StepFunctions".into(),
        logging: r#"{"level":"OFF","includeExecutionData":false}"#.into(),
        tracing: r#"{"enabled":false}"#.into(),
        encryption: r#"{"type":"AWS_OWNED_KEY"}"#.into(),
        created_ms: 1_700_000_000_000,
    }
}

fn tag(key: &str, value: &str) -> Tag {
    Tag {
        key: key.into(),
        value: value.into(),
    }
}

fn execution_arn(machine_arn: &str, name: &str) -> String {
    format!(
        "{}:{name}",
        machine_arn.replacen(":stateMachine:", ":execution:", 1)
    )
}

fn execution(id: i64, machine_arn: &str, name: &str) -> ExecutionRecord {
    ExecutionRecord {
        id,
        arn: execution_arn(machine_arn, name),
        state_machine_arn: machine_arn.to_string(),
        revision_id: "r1".into(),
        name: name.to_string(),
        status: "RUNNING".into(),
        input: format!(r#"{{"n": {id}}}"#),
        output: None,
        error: None,
        cause: None,
        start_ms: 1_700_000_000_000 + id,
        stop_ms: None,
        trace_header: Some(format!("Root=1-5759e988-bd862e3fe1be46a994272{id:03}")),
        test_case: None,
        seed: id * 7919,
    }
}

fn event(id: i64, event_type: &str) -> EventRecord {
    EventRecord {
        id,
        previous_id: id - 1,
        at_ms: 1_700_000_000_000 + id,
        event_type: event_type.to_string(),
        details: format!(r#"{{"name":"S{id}"}}"#),
    }
}

fn succeeded(output: &str, stop_ms: i64) -> ExecutionEnd {
    ExecutionEnd {
        status: "SUCCEEDED".into(),
        output: Some(output.to_string()),
        error: None,
        cause: None,
        stop_ms,
    }
}

fn failed(error: &str, cause: &str, stop_ms: i64) -> ExecutionEnd {
    ExecutionEnd {
        status: "FAILED".into(),
        output: None,
        error: Some(error.to_string()),
        cause: Some(cause.to_string()),
        stop_ms,
    }
}

fn journal(seq: i64, body: &str) -> JournalEntry {
    JournalEntry {
        seq,
        at_ms: 1_700_000_000_000 + seq,
        seed: seq * 31,
        body: body.to_string(),
    }
}

fn timer(timer_id: i64, fire_at_ms: i64) -> TimerRecord {
    TimerRecord {
        timer_id,
        fire_at_ms,
    }
}

fn task(task_id: i64, request: &str) -> TaskRecord {
    TaskRecord {
        task_id,
        request: request.to_string(),
    }
}

/// A write that starts an execution and records its first event.
fn start(id: i64, machine_arn: &str, name: &str) -> ExecutionWrite {
    ExecutionWrite {
        execution_id: id,
        start: Some(execution(id, machine_arn, name)),
        events: vec![event(1, "ExecutionStarted")],
        ..Default::default()
    }
}

/// A whole short execution in one write: start, six events, end.
fn hello(id: i64, machine_arn: &str) -> ExecutionWrite {
    let types = [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ];
    ExecutionWrite {
        execution_id: id,
        start: Some(execution(id, machine_arn, &format!("hello-{id}"))),
        events: (1..=6).map(|i| event(i, types[i as usize - 1])).collect(),
        end: Some(succeeded(r#"{"greeting":"Hello"}"#, 1_700_000_000_999 + id)),
        ..Default::default()
    }
}

fn all_events() -> EventQuery {
    EventQuery {
        after_id: None,
        reverse: false,
        limit: 10_000,
    }
}

fn executions_of(machine_arn: &str, limit: u32) -> ExecutionQuery {
    ExecutionQuery {
        state_machine_arn: machine_arn.to_string(),
        status: None,
        before_id: None,
        limit,
    }
}

fn ids(executions: &[ExecutionRecord]) -> Vec<i64> {
    executions.iter().map(|e| e.id).collect()
}

fn event_ids(events: &[EventRecord]) -> Vec<i64> {
    events.iter().map(|e| e.id).collect()
}

async fn file_store() -> (Arc<dyn Store>, TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}", dir.path().join("weft.db").display());
    let store = weft_store::open(&url).await.expect("open file store");
    (store, dir)
}

async fn memory_store() -> Arc<dyn Store> {
    weft_store::open("sqlite::memory:")
        .await
        .expect("open memory store")
}

/// Runs each suite function on a fresh file store and on a fresh in-memory store.
macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        mod file {
            $(
                #[tokio::test]
                async fn $name() {
                    let (store, _dir) = super::file_store().await;
                    super::$name(store).await;
                }
            )*
        }
        mod memory {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(super::memory_store().await).await;
                }
            )*
        }
    };
}

suite!(
    suite_state_machines,
    suite_state_machine_conflict_changes_nothing,
    suite_tags,
    suite_executions,
    suite_start_and_end_in_one_write,
    suite_list_executions_pages,
    suite_events_pages,
    suite_commit_is_all_or_nothing,
    suite_running_executions,
    suite_timers_and_tasks_in_one_batch,
    suite_big_batch,
    suite_many_ends_and_clears,
);

// --- the suite -------------------------------------------------------------------------

async fn suite_state_machines(store: Arc<dyn Store>) {
    assert!(store.state_machines().await.unwrap().is_empty());

    // B is created first and shares A's creation time: creation order, not name or
    // time order, decides.
    let b = machine(SM_B, "rb1", 1000);
    let a = machine(SM_A, "ra1", 1000);
    store
        .insert_state_machine(&b, &revision(SM_B, "rb1", "{\"b\":1}"))
        .await
        .unwrap();
    store
        .insert_state_machine(&a, &revision(SM_A, "ra1", "{\"a\":1}"))
        .await
        .unwrap();
    assert_eq!(
        store.state_machines().await.unwrap(),
        vec![b.clone(), a.clone()]
    );
    assert_eq!(
        store.revision(SM_A, "ra1").await.unwrap(),
        Some(revision(SM_A, "ra1", "{\"a\":1}"))
    );
    assert_eq!(store.revision(SM_A, "rb1").await.unwrap(), None);
    assert_eq!(store.revision(SM_A, "nope").await.unwrap(), None);

    // An update with a new revision replaces the row and keeps the old revision.
    let a2 = StateMachineRecord {
        revision_id: "ra2".into(),
        ..a.clone()
    };
    store
        .update_state_machine(&a2, Some(&revision(SM_A, "ra2", "{\"a\":2}")))
        .await
        .unwrap();
    assert_eq!(
        store.state_machines().await.unwrap(),
        vec![b.clone(), a2.clone()]
    );
    assert_eq!(
        store.revision(SM_A, "ra1").await.unwrap(),
        Some(revision(SM_A, "ra1", "{\"a\":1}"))
    );
    assert_eq!(
        store.revision(SM_A, "ra2").await.unwrap(),
        Some(revision(SM_A, "ra2", "{\"a\":2}"))
    );

    // An update without a revision changes only the row.
    let a3 = StateMachineRecord {
        status: "DELETING".into(),
        ..a2.clone()
    };
    store.update_state_machine(&a3, None).await.unwrap();
    assert_eq!(
        store.state_machines().await.unwrap(),
        vec![b.clone(), a3.clone()]
    );

    // Updating a machine that does not exist fails and adds no revision.
    let ghost = machine(
        "arn:aws:states:us-east-1:123456789012:stateMachine:Ghost",
        "g1",
        5,
    );
    let ghost_revision = revision(&ghost.arn, "g1", "{}");
    assert!(
        store
            .update_state_machine(&ghost, Some(&ghost_revision))
            .await
            .is_err()
    );
    assert_eq!(store.revision(&ghost.arn, "g1").await.unwrap(), None);

    // Delete removes the machine and its tags; revisions stay.
    store.put_tags(SM_A, &[tag("team", "core")]).await.unwrap();
    store.put_tags(SM_B, &[tag("team", "edge")]).await.unwrap();
    store.delete_state_machine(SM_A).await.unwrap();
    assert_eq!(store.state_machines().await.unwrap(), vec![b.clone()]);
    assert!(store.tags(SM_A).await.unwrap().is_empty());
    assert_eq!(store.tags(SM_B).await.unwrap(), vec![tag("team", "edge")]);
    assert!(store.revision(SM_A, "ra1").await.unwrap().is_some());
    assert!(store.revision(SM_A, "ra2").await.unwrap().is_some());
    // Deleting what is gone is not an error.
    store.delete_state_machine(SM_A).await.unwrap();

    // The ARN can be created again; it comes last.
    let again = machine(SM_A, "ra3", 3000);
    store
        .insert_state_machine(&again, &revision(SM_A, "ra3", "{\"a\":3}"))
        .await
        .unwrap();
    assert_eq!(store.state_machines().await.unwrap(), vec![b, again]);
}

async fn suite_state_machine_conflict_changes_nothing(store: Arc<dyn Store>) {
    let a = machine(SM_A, "r1", 1000);
    store
        .insert_state_machine(&a, &revision(SM_A, "r1", "{\"v\":1}"))
        .await
        .unwrap();

    let other = StateMachineRecord {
        revision_id: "r2".into(),
        machine_type: "EXPRESS".into(),
        ..a.clone()
    };
    let err = store
        .insert_state_machine(&other, &revision(SM_A, "r2", "{\"v\":2}"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(store.state_machines().await.unwrap(), vec![a]);
    assert_eq!(store.revision(SM_A, "r2").await.unwrap(), None);

    // A revision id already used by this ARN conflicts too, and the machine row of
    // that failed insert does not stay.
    let b = machine(SM_B, "rb", 2000);
    store
        .insert_state_machine(&b, &revision(SM_B, "rb", "{}"))
        .await
        .unwrap();
    store.delete_state_machine(SM_B).await.unwrap();
    let err = store
        .insert_state_machine(&b, &revision(SM_B, "rb", "{}"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(store.state_machines().await.unwrap().len(), 1);
}

async fn suite_tags(store: Arc<dyn Store>) {
    assert!(store.tags(SM_A).await.unwrap().is_empty());
    store
        .put_tags(
            SM_A,
            &[tag("zeta", "1"), tag("alpha", "2"), tag("Mid", "3")],
        )
        .await
        .unwrap();
    // Key order is byte order: upper case before lower case.
    assert_eq!(
        store.tags(SM_A).await.unwrap(),
        vec![tag("Mid", "3"), tag("alpha", "2"), tag("zeta", "1")]
    );

    // Existing keys are overwritten, new ones added; within one call the last value
    // given for a key wins.
    store
        .put_tags(
            SM_A,
            &[tag("alpha", "20"), tag("beta", "x"), tag("beta", "y")],
        )
        .await
        .unwrap();
    assert_eq!(
        store.tags(SM_A).await.unwrap(),
        vec![
            tag("Mid", "3"),
            tag("alpha", "20"),
            tag("beta", "y"),
            tag("zeta", "1")
        ]
    );

    // Tags belong to one resource.
    store.put_tags(SM_B, &[tag("alpha", "b")]).await.unwrap();

    // Removing absent keys is fine.
    store
        .remove_tags(SM_A, &["alpha".into(), "zeta".into(), "absent".into()])
        .await
        .unwrap();
    assert_eq!(
        store.tags(SM_A).await.unwrap(),
        vec![tag("Mid", "3"), tag("beta", "y")]
    );
    assert_eq!(store.tags(SM_B).await.unwrap(), vec![tag("alpha", "b")]);

    store.put_tags(SM_A, &[]).await.unwrap();
    store.remove_tags(SM_A, &[]).await.unwrap();
    assert_eq!(store.tags(SM_A).await.unwrap().len(), 2);

    // Values keep what they were given.
    let odd = tag("k:with/odd chars", "välue ☃ '\"; DROP TABLE tags; --");
    store
        .put_tags(SM_B, std::slice::from_ref(&odd))
        .await
        .unwrap();
    assert_eq!(
        store.tags(SM_B).await.unwrap(),
        vec![tag("alpha", "b"), odd]
    );
}

async fn suite_executions(store: Arc<dyn Store>) {
    assert_eq!(store.max_execution_id().await.unwrap(), 0);
    assert_eq!(
        store.execution(&execution_arn(SM_A, "one")).await.unwrap(),
        None
    );
    assert!(!store.has_running_executions(SM_A).await.unwrap());

    store
        .commit(&[
            start(1, SM_A, "one"),
            start(2, SM_A, "two"),
            start(3, SM_B, "one"),
        ])
        .await
        .unwrap();
    assert_eq!(store.max_execution_id().await.unwrap(), 3);
    assert_eq!(
        store.execution(&execution_arn(SM_A, "one")).await.unwrap(),
        Some(execution(1, SM_A, "one"))
    );
    assert_eq!(
        store.execution_by_name(SM_B, "one").await.unwrap(),
        Some(execution(3, SM_B, "one"))
    );
    assert_eq!(store.execution_by_name(SM_B, "two").await.unwrap(), None);
    assert!(store.has_running_executions(SM_A).await.unwrap());
    assert!(store.has_running_executions(SM_B).await.unwrap());

    // An empty batch is a no-op.
    store.commit(&[]).await.unwrap();

    // Ending in a later commit fills the end columns and keeps the rest.
    store
        .commit(&[
            ExecutionWrite {
                execution_id: 1,
                events: vec![event(2, "ExecutionSucceeded")],
                end: Some(succeeded("{\"ok\":true}", 1_700_000_009_000)),
                ..Default::default()
            },
            ExecutionWrite {
                execution_id: 3,
                events: vec![event(2, "ExecutionFailed")],
                end: Some(failed("States.TaskFailed", "boom", 1_700_000_009_001)),
                ..Default::default()
            },
        ])
        .await
        .unwrap();
    let one = store.execution(&execution_arn(SM_A, "one")).await.unwrap();
    assert_eq!(
        one,
        Some(ExecutionRecord {
            status: "SUCCEEDED".into(),
            output: Some("{\"ok\":true}".into()),
            stop_ms: Some(1_700_000_009_000),
            ..execution(1, SM_A, "one")
        })
    );
    assert_eq!(
        store.execution_by_name(SM_B, "one").await.unwrap(),
        Some(ExecutionRecord {
            status: "FAILED".into(),
            error: Some("States.TaskFailed".into()),
            cause: Some("boom".into()),
            stop_ms: Some(1_700_000_009_001),
            ..execution(3, SM_B, "one")
        })
    );
    assert!(store.has_running_executions(SM_A).await.unwrap());
    assert!(!store.has_running_executions(SM_B).await.unwrap());
    assert_eq!(
        event_ids(&store.events(1, &all_events()).await.unwrap()),
        vec![1, 2]
    );

    // Optional text columns keep their content, NULL and empty apart.
    let mut odd = execution(4, SM_B, "odd");
    odd.test_case = Some(format!("{SM_B}#HappyPath"));
    odd.trace_header = None;
    odd.input = "  {\"keep\" : \"spacing ☃\"}  ".into();
    odd.output = Some(String::new());
    store
        .commit(&[ExecutionWrite {
            execution_id: 4,
            start: Some(odd.clone()),
            ..Default::default()
        }])
        .await
        .unwrap();
    assert_eq!(store.execution(&odd.arn).await.unwrap(), Some(odd));
    assert!(store.events(4, &all_events()).await.unwrap().is_empty());
}

async fn suite_start_and_end_in_one_write(store: Arc<dyn Store>) {
    store.commit(&[hello(7, SM_A)]).await.unwrap();
    let record = store.execution_by_name(SM_A, "hello-7").await.unwrap();
    assert_eq!(
        record,
        Some(ExecutionRecord {
            status: "SUCCEEDED".into(),
            output: Some(r#"{"greeting":"Hello"}"#.into()),
            stop_ms: Some(1_700_000_001_006),
            ..execution(7, SM_A, "hello-7")
        })
    );
    assert_eq!(
        event_ids(&store.events(7, &all_events()).await.unwrap()),
        vec![1, 2, 3, 4, 5, 6]
    );
    assert!(!store.has_running_executions(SM_A).await.unwrap());
    assert!(store.running_executions().await.unwrap().is_empty());

    // Start in one write, end in a later write of the same batch.
    store
        .commit(&[
            start(8, SM_A, "split"),
            ExecutionWrite {
                execution_id: 8,
                events: vec![event(2, "ExecutionAborted")],
                end: Some(ExecutionEnd {
                    status: "ABORTED".into(),
                    output: None,
                    error: Some("Stopped".into()),
                    cause: None,
                    stop_ms: 1_700_000_002_000,
                }),
                ..Default::default()
            },
        ])
        .await
        .unwrap();
    let record = store.execution_by_name(SM_A, "split").await.unwrap();
    assert_eq!(
        record,
        Some(ExecutionRecord {
            status: "ABORTED".into(),
            error: Some("Stopped".into()),
            stop_ms: Some(1_700_000_002_000),
            ..execution(8, SM_A, "split")
        })
    );
    assert_eq!(
        event_ids(&store.events(8, &all_events()).await.unwrap()),
        vec![1, 2]
    );
}

async fn suite_list_executions_pages(store: Arc<dyn Store>) {
    // 1..=25 on A, every third ended; 26..=30 on B.
    let mut writes: Vec<ExecutionWrite> = (1..=25)
        .map(|id| start(id, SM_A, &format!("e{id}")))
        .collect();
    writes.extend((26..=30).map(|id| start(id, SM_B, &format!("e{id}"))));
    store.commit(&writes).await.unwrap();
    let ends: Vec<ExecutionWrite> = (1..=25)
        .filter(|id| id % 3 == 0)
        .map(|id| ExecutionWrite {
            execution_id: id,
            end: Some(succeeded("{}", 2_000_000_000_000 + id)),
            ..Default::default()
        })
        .collect();
    store.commit(&ends).await.unwrap();

    // Pages of 10, newest first, each continuing before the last id of the previous.
    let mut query = executions_of(SM_A, 10);
    let page1 = store.list_executions(&query).await.unwrap();
    assert_eq!(ids(&page1), (16..=25).rev().collect::<Vec<_>>());
    query.before_id = Some(16);
    let page2 = store.list_executions(&query).await.unwrap();
    assert_eq!(ids(&page2), (6..=15).rev().collect::<Vec<_>>());
    query.before_id = Some(6);
    let page3 = store.list_executions(&query).await.unwrap();
    assert_eq!(ids(&page3), vec![5, 4, 3, 2, 1]);
    query.before_id = Some(1);
    assert!(store.list_executions(&query).await.unwrap().is_empty());

    // Whole records come back.
    assert_eq!(page1[0], execution(25, SM_A, "e25"));
    assert_eq!(
        page1[1],
        ExecutionRecord {
            status: "SUCCEEDED".into(),
            output: Some("{}".into()),
            stop_ms: Some(2_000_000_000_024),
            ..execution(24, SM_A, "e24")
        }
    );

    // A limit above the count, a limit of 0, a cursor above every id.
    assert_eq!(
        store
            .list_executions(&executions_of(SM_A, 1000))
            .await
            .unwrap()
            .len(),
        25
    );
    assert!(
        store
            .list_executions(&executions_of(SM_A, 0))
            .await
            .unwrap()
            .is_empty()
    );
    let mut query = executions_of(SM_B, 2);
    query.before_id = Some(1_000);
    assert_eq!(
        ids(&store.list_executions(&query).await.unwrap()),
        vec![30, 29]
    );
    assert!(
        store
            .list_executions(&executions_of(
                "arn:aws:states:us-east-1:123456789012:stateMachine:None",
                10
            ))
            .await
            .unwrap()
            .is_empty()
    );

    // The status filter, paged too.
    let mut query = executions_of(SM_A, 3);
    query.status = Some("SUCCEEDED".into());
    assert_eq!(
        ids(&store.list_executions(&query).await.unwrap()),
        vec![24, 21, 18]
    );
    query.before_id = Some(18);
    assert_eq!(
        ids(&store.list_executions(&query).await.unwrap()),
        vec![15, 12, 9]
    );
    query.before_id = Some(9);
    query.limit = 100;
    assert_eq!(
        ids(&store.list_executions(&query).await.unwrap()),
        vec![6, 3]
    );

    let mut query = executions_of(SM_A, 100);
    query.status = Some("RUNNING".into());
    let running = store.list_executions(&query).await.unwrap();
    assert_eq!(running.len(), 17);
    assert!(
        running
            .iter()
            .all(|e| e.status == "RUNNING" && e.id % 3 != 0)
    );
    query.status = Some("TIMED_OUT".into());
    assert!(store.list_executions(&query).await.unwrap().is_empty());
    query.state_machine_arn = SM_B.into();
    query.status = Some("SUCCEEDED".into());
    assert!(store.list_executions(&query).await.unwrap().is_empty());
}

async fn suite_events_pages(store: Arc<dyn Store>) {
    // Ten events over three commits, plus another execution's events.
    store
        .commit(&[start(1, SM_A, "x"), start(2, SM_A, "y")])
        .await
        .unwrap();
    store
        .commit(&[ExecutionWrite {
            execution_id: 1,
            events: (2..=6).map(|i| event(i, "TaskStateEntered")).collect(),
            ..Default::default()
        }])
        .await
        .unwrap();
    store
        .commit(&[
            ExecutionWrite {
                execution_id: 1,
                events: (7..=10).map(|i| event(i, "TaskStateExited")).collect(),
                ..Default::default()
            },
            ExecutionWrite {
                execution_id: 2,
                events: (2..=3).map(|i| event(i, "PassStateEntered")).collect(),
                ..Default::default()
            },
        ])
        .await
        .unwrap();

    let q = |after_id, reverse, limit| EventQuery {
        after_id,
        reverse,
        limit,
    };
    let all = store.events(1, &q(None, false, 100)).await.unwrap();
    assert_eq!(event_ids(&all), (1..=10).collect::<Vec<_>>());
    assert_eq!(all[0], event(1, "ExecutionStarted"));
    assert_eq!(all[9], event(10, "TaskStateExited"));

    assert_eq!(
        event_ids(&store.events(1, &q(None, false, 4)).await.unwrap()),
        vec![1, 2, 3, 4]
    );
    assert_eq!(
        event_ids(&store.events(1, &q(Some(4), false, 4)).await.unwrap()),
        vec![5, 6, 7, 8]
    );
    assert_eq!(
        event_ids(&store.events(1, &q(Some(8), false, 4)).await.unwrap()),
        vec![9, 10]
    );
    assert!(
        store
            .events(1, &q(Some(10), false, 4))
            .await
            .unwrap()
            .is_empty()
    );

    assert_eq!(
        event_ids(&store.events(1, &q(None, true, 4)).await.unwrap()),
        vec![10, 9, 8, 7]
    );
    assert_eq!(
        event_ids(&store.events(1, &q(Some(7), true, 4)).await.unwrap()),
        vec![6, 5, 4, 3]
    );
    assert_eq!(
        event_ids(&store.events(1, &q(Some(3), true, 4)).await.unwrap()),
        vec![2, 1]
    );
    assert!(
        store
            .events(1, &q(Some(1), true, 4))
            .await
            .unwrap()
            .is_empty()
    );

    assert!(
        store
            .events(1, &q(None, false, 0))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        event_ids(&store.events(2, &q(None, true, 100)).await.unwrap()),
        vec![3, 2, 1]
    );
    assert!(
        store
            .events(99, &q(None, false, 100))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn suite_commit_is_all_or_nothing(store: Arc<dyn Store>) {
    store.commit(&[start(1, SM_A, "taken")]).await.unwrap();
    let before_running = store.running_executions().await.unwrap();

    // Good writes of every kind, then one that reuses a name: nothing may remain.
    let good = vec![
        hello(2, SM_A),
        start(3, SM_A, "fresh"),
        ExecutionWrite {
            execution_id: 1,
            journal: Some(journal(1, "task result")),
            events: vec![event(2, "TaskSucceeded")],
            timers_set: vec![timer(1, 5_000)],
            tasks_set: vec![task(1, "{\"Resource\":\"x\"}")],
            end: Some(succeeded("{}", 9_999)),
            ..Default::default()
        },
    ];
    let mut batch = good.clone();
    batch.push(start(4, SM_A, "taken"));
    let err = store.commit(&batch).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_unchanged(&store, &before_running).await;

    // The same with a duplicate execution id, a duplicate event id, an event of an
    // execution that does not exist, and a journal entry recorded twice.
    let mut dup_id = good.clone();
    dup_id.push(start(1, SM_A, "other-name"));
    let mut dup_event = good.clone();
    dup_event.push(ExecutionWrite {
        execution_id: 1,
        events: vec![event(1, "ExecutionStarted")],
        ..Default::default()
    });
    let mut orphan = good.clone();
    orphan.push(ExecutionWrite {
        execution_id: 404,
        events: vec![event(2, "TaskSucceeded")],
        ..Default::default()
    });
    let mut dup_journal = good.clone();
    dup_journal.push(ExecutionWrite {
        execution_id: 1,
        journal: Some(journal(1, "again")),
        ..Default::default()
    });
    for bad in [dup_id, dup_event, orphan, dup_journal] {
        assert!(store.commit(&bad).await.is_err());
        assert_unchanged(&store, &before_running).await;
    }

    // The store is still usable and the good writes alone commit.
    store.commit(&good).await.unwrap();
    assert_eq!(store.max_execution_id().await.unwrap(), 3);
    assert_eq!(
        store
            .execution_by_name(SM_A, "taken")
            .await
            .unwrap()
            .map(|e| e.status),
        Some("SUCCEEDED".to_string())
    );
}

/// Only execution 1 (RUNNING, one event) exists.
async fn assert_unchanged(store: &Arc<dyn Store>, running: &[RunningExecution]) {
    assert_eq!(store.max_execution_id().await.unwrap(), 1);
    assert_eq!(
        ids(&store
            .list_executions(&executions_of(SM_A, 100))
            .await
            .unwrap()),
        vec![1]
    );
    assert_eq!(
        store.execution_by_name(SM_A, "hello-2").await.unwrap(),
        None
    );
    assert_eq!(store.execution_by_name(SM_A, "fresh").await.unwrap(), None);
    assert!(store.events(2, &all_events()).await.unwrap().is_empty());
    assert_eq!(
        event_ids(&store.events(1, &all_events()).await.unwrap()),
        vec![1]
    );
    assert_eq!(store.running_executions().await.unwrap(), running);
    assert_eq!(
        store.execution_by_name(SM_A, "taken").await.unwrap(),
        Some(execution(1, SM_A, "taken"))
    );
}

async fn suite_running_executions(store: Arc<dyn Store>) {
    assert!(store.running_executions().await.unwrap().is_empty());

    // 1: runs on, with journal, timers and tasks built over three commits.
    // 2: ends in the second commit. 3: started without any event.
    store
        .commit(&[
            ExecutionWrite {
                timers_set: vec![timer(1, 10_000), timer(2, 20_000)],
                tasks_set: vec![task(1, "req-1"), task(2, "req-2")],
                ..start(1, SM_A, "long")
            },
            ExecutionWrite {
                tasks_set: vec![task(1, "req-x")],
                ..start(2, SM_A, "short")
            },
            ExecutionWrite {
                execution_id: 3,
                start: Some(execution(3, SM_B, "quiet")),
                ..Default::default()
            },
        ])
        .await
        .unwrap();
    store
        .commit(&[
            ExecutionWrite {
                execution_id: 1,
                journal: Some(journal(1, "task 1 succeeded")),
                events: vec![event(2, "TaskSucceeded"), event(3, "TaskStateExited")],
                timers_cleared: vec![1],
                tasks_cleared: vec![1],
                tasks_set: vec![task(3, "req-3")],
                ..Default::default()
            },
            ExecutionWrite {
                execution_id: 2,
                journal: Some(journal(1, "done")),
                events: vec![event(2, "ExecutionSucceeded")],
                tasks_cleared: vec![1],
                end: Some(succeeded("{}", 50)),
                ..Default::default()
            },
        ])
        .await
        .unwrap();
    store
        .commit(&[ExecutionWrite {
            execution_id: 1,
            journal: Some(journal(2, "timer 2 fired")),
            events: vec![event(4, "WaitStateExited")],
            timers_set: vec![timer(3, 30_000)],
            // Clearing ids that were never set changes nothing.
            timers_cleared: vec![2, 77],
            tasks_cleared: vec![88],
            ..Default::default()
        }])
        .await
        .unwrap();

    let running = store.running_executions().await.unwrap();
    assert_eq!(
        running,
        vec![
            RunningExecution {
                execution: execution(1, SM_A, "long"),
                journal: vec![journal(1, "task 1 succeeded"), journal(2, "timer 2 fired")],
                timers: vec![timer(3, 30_000)],
                tasks: vec![task(2, "req-2"), task(3, "req-3")],
                last_event_id: 4,
            },
            RunningExecution {
                execution: execution(3, SM_B, "quiet"),
                journal: vec![],
                timers: vec![],
                tasks: vec![],
                last_event_id: 0,
            },
        ]
    );

    // Ending 1 takes it out, whatever timers and tasks are left.
    store
        .commit(&[ExecutionWrite {
            execution_id: 1,
            end: Some(failed("States.Timeout", "", 60)),
            ..Default::default()
        }])
        .await
        .unwrap();
    let running = store.running_executions().await.unwrap();
    assert_eq!(
        ids(&running
            .iter()
            .map(|r| r.execution.clone())
            .collect::<Vec<_>>()),
        vec![3]
    );
}

async fn suite_timers_and_tasks_in_one_batch(store: Arc<dyn Store>) {
    store
        .commit(&[ExecutionWrite {
            timers_set: vec![timer(1, 100), timer(2, 200)],
            tasks_set: vec![task(1, "one"), task(2, "two")],
            ..start(1, SM_A, "t")
        }])
        .await
        .unwrap();

    store
        .commit(&[
            // Set and cleared in one write: cleared (sets apply first).
            ExecutionWrite {
                execution_id: 1,
                timers_set: vec![timer(3, 300)],
                timers_cleared: vec![3, 1],
                tasks_set: vec![task(3, "three")],
                tasks_cleared: vec![3, 1],
                ..Default::default()
            },
            // Cleared, then set again by a later write: set, with the later value.
            ExecutionWrite {
                execution_id: 1,
                timers_cleared: vec![2],
                tasks_cleared: vec![2],
                ..Default::default()
            },
            ExecutionWrite {
                execution_id: 1,
                timers_set: vec![timer(2, 222), timer(4, 400)],
                tasks_set: vec![task(2, "two again"), task(4, "four")],
                ..Default::default()
            },
            // Set, then cleared by a later write.
            ExecutionWrite {
                execution_id: 1,
                timers_cleared: vec![4],
                tasks_cleared: vec![4],
                ..Default::default()
            },
        ])
        .await
        .unwrap();
    let running = store.running_executions().await.unwrap();
    assert_eq!(running.len(), 1);
    assert_eq!(running[0].timers, vec![timer(2, 222)]);
    assert_eq!(running[0].tasks, vec![task(2, "two again")]);

    // Setting an id that exists replaces it.
    store
        .commit(&[ExecutionWrite {
            execution_id: 1,
            timers_set: vec![timer(2, 999)],
            tasks_set: vec![task(2, "replaced")],
            ..Default::default()
        }])
        .await
        .unwrap();
    let running = store.running_executions().await.unwrap();
    assert_eq!(running[0].timers, vec![timer(2, 999)]);
    assert_eq!(running[0].tasks, vec![task(2, "replaced")]);
}

async fn suite_big_batch(store: Arc<dyn Store>) {
    // 6000 events: more than one multi-row statement holds.
    let batch: Vec<ExecutionWrite> = (1..=1000).map(|id| hello(id, SM_A)).collect();
    store.commit(&batch).await.unwrap();

    assert_eq!(store.max_execution_id().await.unwrap(), 1000);
    let listed = store
        .list_executions(&executions_of(SM_A, 2000))
        .await
        .unwrap();
    assert_eq!(ids(&listed), (1..=1000).rev().collect::<Vec<_>>());
    for write in &batch {
        let expected = ExecutionRecord {
            status: "SUCCEEDED".into(),
            output: Some(r#"{"greeting":"Hello"}"#.into()),
            stop_ms: Some(1_700_000_000_999 + write.execution_id),
            ..write.start.clone().unwrap()
        };
        assert_eq!(listed[(1000 - write.execution_id) as usize], expected);
        assert_eq!(
            store
                .events(write.execution_id, &all_events())
                .await
                .unwrap(),
            write.events
        );
    }
    assert!(store.running_executions().await.unwrap().is_empty());
    assert!(!store.has_running_executions(SM_A).await.unwrap());
}

/// More ends, clears and rows than one statement of each kind holds.
async fn suite_many_ends_and_clears(store: Arc<dyn Store>) {
    let n = 700;
    let starts: Vec<ExecutionWrite> = (1..=n)
        .map(|id| ExecutionWrite {
            timers_set: (1..=3).map(|t| timer(t, id * 10 + t)).collect(),
            tasks_set: (1..=3).map(|t| task(t, &format!("req {id}/{t}"))).collect(),
            journal: Some(journal(1, &format!("first of {id}"))),
            ..start(id, SM_A, &format!("m{id}"))
        })
        .collect();
    store.commit(&starts).await.unwrap();
    let running = store.running_executions().await.unwrap();
    assert_eq!(running.len(), n as usize);
    assert!(
        running
            .iter()
            .all(|r| r.timers.len() == 3 && r.tasks.len() == 3)
    );

    // Clear two timers and one task of every execution; end the odd ones.
    let next: Vec<ExecutionWrite> = (1..=n)
        .map(|id| ExecutionWrite {
            execution_id: id,
            timers_cleared: vec![1, 3],
            tasks_cleared: vec![2],
            events: vec![event(2, "TaskStateExited")],
            end: (id % 2 == 1).then(|| succeeded(&format!("{{\"id\":{id}}}"), id)),
            ..Default::default()
        })
        .collect();
    store.commit(&next).await.unwrap();

    let running = store.running_executions().await.unwrap();
    assert_eq!(
        running.iter().map(|r| r.execution.id).collect::<Vec<_>>(),
        (1..=n).filter(|id| id % 2 == 0).collect::<Vec<_>>()
    );
    for r in &running {
        let id = r.execution.id;
        assert_eq!(r.timers, vec![timer(2, id * 10 + 2)]);
        assert_eq!(
            r.tasks,
            vec![
                task(1, &format!("req {id}/1")),
                task(3, &format!("req {id}/3"))
            ]
        );
        assert_eq!(r.journal, vec![journal(1, &format!("first of {id}"))]);
        assert_eq!(r.last_event_id, 2);
    }
    let mut query = executions_of(SM_A, 1000);
    query.status = Some("SUCCEEDED".into());
    let ended = store.list_executions(&query).await.unwrap();
    assert_eq!(ended.len(), (n / 2) as usize);
    for e in ended {
        assert_eq!(e.output, Some(format!("{{\"id\":{}}}", e.id)));
        assert_eq!(e.stop_ms, Some(e.id));
    }
}

// --- SQLite files ------------------------------------------------------------------------

fn db_path(dir: &TempDir) -> PathBuf {
    dir.path().join("weft.db")
}

async fn raw_connection(path: &Path) -> SqliteConnection {
    SqliteConnection::connect(&format!("sqlite:{}", path.display()))
        .await
        .expect("raw connection")
}

#[tokio::test]
async fn file_store_runs_in_wal_mode_with_full_sync() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&format!("sqlite:{}", db_path(&dir).display()))
        .await
        .unwrap();
    let pragmas = store.pragmas().await.unwrap();
    assert_eq!(pragmas.journal_mode, "wal");
    // https://www.sqlite.org/pragma.html#pragma_synchronous: 2 is FULL.
    assert_eq!(pragmas.synchronous, 2);
    assert!(pragmas.foreign_keys);
    assert!(pragmas.busy_timeout_ms >= 1000, "{pragmas:?}");

    // WAL is recorded in the file itself: another connection sees it.
    let mut raw = raw_connection(&db_path(&dir)).await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut raw)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn memory_store_runs_on_one_connection() {
    let store = SqliteStore::open("sqlite::memory:").await.unwrap();
    let pragmas = store.pragmas().await.unwrap();
    assert_eq!(pragmas.journal_mode, "memory");
    assert_eq!(pragmas.synchronous, 2);
}

#[tokio::test]
async fn reopened_file_store_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", db_path(&dir).display());
    let a = machine(SM_A, "r1", 1);
    let running_write = ExecutionWrite {
        journal: Some(journal(1, "j")),
        timers_set: vec![timer(5, 55)],
        tasks_set: vec![task(6, "t")],
        ..start(2, SM_A, "running")
    };
    {
        let store = weft_store::open(&url).await.unwrap();
        store
            .insert_state_machine(&a, &revision(SM_A, "r1", "{}"))
            .await
            .unwrap();
        store.put_tags(SM_A, &[tag("k", "v")]).await.unwrap();
        store
            .commit(&[hello(1, SM_A), running_write.clone()])
            .await
            .unwrap();
    }

    let store = weft_store::open(&url).await.unwrap();
    assert_eq!(store.state_machines().await.unwrap(), vec![a]);
    assert_eq!(
        store.revision(SM_A, "r1").await.unwrap(),
        Some(revision(SM_A, "r1", "{}"))
    );
    assert_eq!(store.tags(SM_A).await.unwrap(), vec![tag("k", "v")]);
    assert_eq!(store.max_execution_id().await.unwrap(), 2);
    assert_eq!(
        store.events(1, &all_events()).await.unwrap(),
        hello(1, SM_A).events
    );
    assert_eq!(
        store.running_executions().await.unwrap(),
        vec![RunningExecution {
            execution: execution(2, SM_A, "running"),
            journal: vec![journal(1, "j")],
            timers: vec![timer(5, 55)],
            tasks: vec![task(6, "t")],
            last_event_id: 1,
        }]
    );
    // And it keeps taking writes.
    store.commit(&[hello(3, SM_A)]).await.unwrap();
    assert_eq!(store.max_execution_id().await.unwrap(), 3);
}

#[tokio::test]
async fn every_url_form_opens() {
    let dir = tempfile::tempdir().unwrap();
    let absolute = db_path(&dir);

    // sqlite:PATH and sqlite://PATH name the same file; sqlite:///abs as well.
    let first = weft_store::open(&format!("sqlite:{}", absolute.display()))
        .await
        .unwrap();
    first.commit(&[hello(1, SM_A)]).await.unwrap();
    let second = weft_store::open(&format!("sqlite://{}", absolute.display()))
        .await
        .unwrap();
    assert_eq!(second.max_execution_id().await.unwrap(), 1);
    assert!(absolute.is_absolute());

    // A relative path is relative to the working directory: reach the same file by
    // climbing to the root from there.
    let cwd = std::env::current_dir().unwrap();
    let climb = "../".repeat(cwd.components().count() - 1);
    let relative = format!("{climb}{}", absolute.strip_prefix("/").unwrap().display());
    let third = weft_store::open(&format!("sqlite:{relative}"))
        .await
        .unwrap();
    assert_eq!(third.max_execution_id().await.unwrap(), 1);

    // A missing file is created, a missing directory is an error.
    let fresh = dir.path().join("fresh.db");
    weft_store::open(&format!("sqlite:{}", fresh.display()))
        .await
        .unwrap();
    assert!(fresh.exists());
    let nowhere = dir.path().join("no/such/dir/x.db");
    assert!(
        weft_store::open(&format!("sqlite:{}", nowhere.display()))
            .await
            .is_err()
    );

    // Each in-memory store is its own database.
    let m1 = weft_store::open("sqlite::memory:").await.unwrap();
    let m2 = weft_store::open("sqlite::memory:").await.unwrap();
    m1.commit(&[hello(1, SM_A)]).await.unwrap();
    assert_eq!(m2.max_execution_id().await.unwrap(), 0);

    for bad in [
        "postgres://localhost/weft",
        "mysql://x",
        "sqlite:",
        "sqlite://",
    ] {
        let err = weft_store::open(bad).await.err();
        assert!(
            matches!(err, Some(StoreError::UnsupportedUrl(_))),
            "{bad}: {err:?}"
        );
    }
}

#[tokio::test]
async fn schema_version_is_recorded_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", db_path(&dir).display());
    drop(weft_store::open(&url).await.unwrap());
    // Opening again neither fails nor stamps a second version.
    drop(weft_store::open(&url).await.unwrap());

    let mut raw = raw_connection(&db_path(&dir)).await;
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_version")
        .fetch_all(&mut raw)
        .await
        .unwrap();
    assert_eq!(versions, vec![SCHEMA_VERSION]);

    // A database written by a newer schema is refused, not misread.
    sqlx::query("UPDATE schema_version SET version = ?")
        .bind(SCHEMA_VERSION + 1)
        .execute(&mut raw)
        .await
        .unwrap();
    drop(raw);
    assert!(matches!(
        weft_store::open(&url).await.err(),
        Some(StoreError::Backend(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_and_readers_do_not_collide() {
    let dir = tempfile::tempdir().unwrap();
    let store = weft_store::open(&format!("sqlite:{}", db_path(&dir).display()))
        .await
        .unwrap();
    let mut handles = Vec::new();
    for w in 0..8i64 {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            for b in 0..10i64 {
                let base = (w * 10 + b) * 10;
                let batch: Vec<ExecutionWrite> = (1..=10).map(|i| hello(base + i, SM_A)).collect();
                store.commit(&batch).await.unwrap();
                store.max_execution_id().await.unwrap();
                store
                    .list_executions(&executions_of(SM_A, 50))
                    .await
                    .unwrap();
                store.events(base + 1, &all_events()).await.unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    assert_eq!(store.max_execution_id().await.unwrap(), 800);
    assert_eq!(
        store
            .list_executions(&executions_of(SM_A, 1000))
            .await
            .unwrap()
            .len(),
        800
    );
}
