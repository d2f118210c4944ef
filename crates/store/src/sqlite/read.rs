//! Reads. Each function runs on one connection; `running_executions` reads inside one
//! transaction so its queries see the same snapshot.

use std::collections::HashMap;

use sqlx::sqlite::SqliteRow;
use sqlx::{Connection, Row, SqliteConnection};

use crate::*;

const RUNNING: &str = "RUNNING";

/// The columns `execution_row` decodes, in its order.
macro_rules! execution_columns {
    () => {
        "id, arn, state_machine_arn, revision_id, name, status, input, output, error, cause, \
         start_ms, stop_ms, trace_header, test_case, seed"
    };
}

fn execution_row(row: &SqliteRow) -> sqlx::Result<ExecutionRecord> {
    Ok(ExecutionRecord {
        id: row.try_get(0)?,
        arn: row.try_get(1)?,
        state_machine_arn: row.try_get(2)?,
        revision_id: row.try_get(3)?,
        name: row.try_get(4)?,
        status: row.try_get(5)?,
        input: row.try_get(6)?,
        output: row.try_get(7)?,
        error: row.try_get(8)?,
        cause: row.try_get(9)?,
        start_ms: row.try_get(10)?,
        stop_ms: row.try_get(11)?,
        trace_header: row.try_get(12)?,
        test_case: row.try_get(13)?,
        seed: row.try_get(14)?,
    })
}

fn state_machine_row(row: &SqliteRow) -> sqlx::Result<StateMachineRecord> {
    Ok(StateMachineRecord {
        arn: row.try_get("arn")?,
        name: row.try_get("name")?,
        machine_type: row.try_get("machine_type")?,
        status: row.try_get("status")?,
        revision_id: row.try_get("revision_id")?,
        created_ms: row.try_get("created_ms")?,
    })
}

fn revision_row(row: &SqliteRow) -> sqlx::Result<RevisionRecord> {
    Ok(RevisionRecord {
        state_machine_arn: row.try_get("state_machine_arn")?,
        revision_id: row.try_get("revision_id")?,
        definition: row.try_get("definition")?,
        role_arn: row.try_get("role_arn")?,
        logging: row.try_get("logging")?,
        tracing: row.try_get("tracing")?,
        encryption: row.try_get("encryption")?,
        created_ms: row.try_get("created_ms")?,
    })
}

fn event_row(row: &SqliteRow) -> sqlx::Result<EventRecord> {
    Ok(EventRecord {
        id: row.try_get("id")?,
        previous_id: row.try_get("previous_id")?,
        at_ms: row.try_get("at_ms")?,
        event_type: row.try_get("event_type")?,
        details: row.try_get("details")?,
    })
}

pub async fn state_machines(conn: &mut SqliteConnection) -> StoreResult<Vec<StateMachineRecord>> {
    Ok(sqlx::query(
        "SELECT arn, name, machine_type, status, revision_id, created_ms
         FROM state_machines ORDER BY seq",
    )
    .try_map(|row: SqliteRow| state_machine_row(&row))
    .fetch_all(conn)
    .await?)
}

pub async fn revision(
    conn: &mut SqliteConnection,
    state_machine_arn: &str,
    revision_id: &str,
) -> StoreResult<Option<RevisionRecord>> {
    Ok(sqlx::query(
        "SELECT state_machine_arn, revision_id, definition, role_arn, logging, tracing,
                encryption, created_ms
         FROM revisions WHERE state_machine_arn = ? AND revision_id = ?",
    )
    .bind(state_machine_arn)
    .bind(revision_id)
    .try_map(|row: SqliteRow| revision_row(&row))
    .fetch_optional(conn)
    .await?)
}

pub async fn tags(conn: &mut SqliteConnection, resource_arn: &str) -> StoreResult<Vec<Tag>> {
    Ok(
        sqlx::query("SELECT tag_key, tag_value FROM tags WHERE resource_arn = ? ORDER BY tag_key")
            .bind(resource_arn)
            .try_map(|row: SqliteRow| {
                Ok(Tag {
                    key: row.try_get(0)?,
                    value: row.try_get(1)?,
                })
            })
            .fetch_all(conn)
            .await?,
    )
}

pub async fn max_execution_id(conn: &mut SqliteConnection) -> StoreResult<i64> {
    let max: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM executions")
        .fetch_one(conn)
        .await?;
    Ok(max.unwrap_or(0))
}

pub async fn execution(
    conn: &mut SqliteConnection,
    arn: &str,
) -> StoreResult<Option<ExecutionRecord>> {
    Ok(sqlx::query(concat!(
        "SELECT ",
        execution_columns!(),
        " FROM executions WHERE arn = ?"
    ))
    .bind(arn)
    .try_map(|row: SqliteRow| execution_row(&row))
    .fetch_optional(conn)
    .await?)
}

pub async fn execution_by_name(
    conn: &mut SqliteConnection,
    state_machine_arn: &str,
    name: &str,
) -> StoreResult<Option<ExecutionRecord>> {
    Ok(sqlx::query(concat!(
        "SELECT ",
        execution_columns!(),
        " FROM executions WHERE state_machine_arn = ? AND name = ?"
    ))
    .bind(state_machine_arn)
    .bind(name)
    .try_map(|row: SqliteRow| execution_row(&row))
    .fetch_optional(conn)
    .await?)
}

pub async fn list_executions(
    conn: &mut SqliteConnection,
    query: &ExecutionQuery,
) -> StoreResult<Vec<ExecutionRecord>> {
    // Ids are positive, so i64::MAX stands for "no cursor" and keeps two statements
    // instead of four.
    let before = query.before_id.unwrap_or(i64::MAX);
    let limit = i64::from(query.limit);
    let statement = match &query.status {
        None => sqlx::query(concat!(
            "SELECT ",
            execution_columns!(),
            " FROM executions WHERE state_machine_arn = ? AND id < ?
              ORDER BY id DESC LIMIT ?"
        ))
        .bind(&query.state_machine_arn)
        .bind(before)
        .bind(limit),
        Some(status) => sqlx::query(concat!(
            "SELECT ",
            execution_columns!(),
            " FROM executions WHERE status = ? AND state_machine_arn = ? AND id < ?
              ORDER BY id DESC LIMIT ?"
        ))
        .bind(status)
        .bind(&query.state_machine_arn)
        .bind(before)
        .bind(limit),
    };
    Ok(statement
        .try_map(|row: SqliteRow| execution_row(&row))
        .fetch_all(conn)
        .await?)
}

pub async fn has_running_executions(
    conn: &mut SqliteConnection,
    state_machine_arn: &str,
) -> StoreResult<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM executions WHERE status = ? AND state_machine_arn = ? LIMIT 1",
    )
    .bind(RUNNING)
    .bind(state_machine_arn)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

pub async fn events(
    conn: &mut SqliteConnection,
    execution_id: i64,
    query: &EventQuery,
) -> StoreResult<Vec<EventRecord>> {
    let limit = i64::from(query.limit);
    let statement = if query.reverse {
        sqlx::query(
            "SELECT id, previous_id, at_ms, event_type, details FROM events
             WHERE execution_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
        )
        .bind(execution_id)
        .bind(query.after_id.unwrap_or(i64::MAX))
    } else {
        sqlx::query(
            "SELECT id, previous_id, at_ms, event_type, details FROM events
             WHERE execution_id = ? AND id > ? ORDER BY id LIMIT ?",
        )
        .bind(execution_id)
        .bind(query.after_id.unwrap_or(i64::MIN))
    };
    Ok(statement
        .bind(limit)
        .try_map(|row: SqliteRow| event_row(&row))
        .fetch_all(conn)
        .await?)
}

/// Four queries whatever the number of executions: the executions (with their last
/// event id), then the journal, timers and tasks of all of them, stitched together here.
pub async fn running_executions(conn: &mut SqliteConnection) -> StoreResult<Vec<RunningExecution>> {
    let mut tx = conn.begin().await?;

    let mut running: Vec<RunningExecution> = sqlx::query(concat!(
        "SELECT ",
        execution_columns!(),
        ", COALESCE((SELECT MAX(ev.id) FROM events ev WHERE ev.execution_id = executions.id), 0)
         FROM executions WHERE status = ? ORDER BY id"
    ))
    .bind(RUNNING)
    .try_map(|row: SqliteRow| {
        Ok(RunningExecution {
            execution: execution_row(&row)?,
            journal: Vec::new(),
            timers: Vec::new(),
            tasks: Vec::new(),
            last_event_id: row.try_get(15)?,
        })
    })
    .fetch_all(&mut *tx)
    .await?;
    let position: HashMap<i64, usize> = running
        .iter()
        .enumerate()
        .map(|(i, r)| (r.execution.id, i))
        .collect();

    let journal = sqlx::query(
        "SELECT j.execution_id, j.seq, j.at_ms, j.seed, j.body
         FROM journal j JOIN executions e ON e.id = j.execution_id
         WHERE e.status = ? ORDER BY j.execution_id, j.seq",
    )
    .bind(RUNNING)
    .try_map(|row: SqliteRow| {
        let entry = JournalEntry {
            seq: row.try_get(1)?,
            at_ms: row.try_get(2)?,
            seed: row.try_get(3)?,
            body: row.try_get(4)?,
        };
        Ok((row.try_get::<i64, _>(0)?, entry))
    })
    .fetch_all(&mut *tx)
    .await?;
    for (id, entry) in journal {
        if let Some(&i) = position.get(&id) {
            running[i].journal.push(entry);
        }
    }

    let timers = sqlx::query(
        "SELECT t.execution_id, t.timer_id, t.fire_at_ms
         FROM timers t JOIN executions e ON e.id = t.execution_id
         WHERE e.status = ? ORDER BY t.execution_id, t.timer_id",
    )
    .bind(RUNNING)
    .try_map(|row: SqliteRow| {
        let timer = TimerRecord {
            timer_id: row.try_get(1)?,
            fire_at_ms: row.try_get(2)?,
        };
        Ok((row.try_get::<i64, _>(0)?, timer))
    })
    .fetch_all(&mut *tx)
    .await?;
    for (id, timer) in timers {
        if let Some(&i) = position.get(&id) {
            running[i].timers.push(timer);
        }
    }

    let tasks = sqlx::query(
        "SELECT t.execution_id, t.task_id, t.request
         FROM tasks t JOIN executions e ON e.id = t.execution_id
         WHERE e.status = ? ORDER BY t.execution_id, t.task_id",
    )
    .bind(RUNNING)
    .try_map(|row: SqliteRow| {
        let task = TaskRecord {
            task_id: row.try_get(1)?,
            request: row.try_get(2)?,
        };
        Ok((row.try_get::<i64, _>(0)?, task))
    })
    .fetch_all(&mut *tx)
    .await?;
    for (id, task) in tasks {
        if let Some(&i) = position.get(&id) {
            running[i].tasks.push(task);
        }
    }

    tx.commit().await?;
    Ok(running)
}
