//! Writes, each one transaction on the write connection.
//!
//! `commit` is the hot path: a batch of hundreds of executions' writes becomes a
//! handful of multi-row statements (one round trip to SQLite's worker thread each)
//! inside one `BEGIN IMMEDIATE` … `COMMIT`.

use std::collections::{BTreeMap, HashMap};

use sqlx::query::Query;
use sqlx::sqlite::SqliteArguments;
use sqlx::{AssertSqlSafe, Connection, Sqlite, SqliteConnection, Transaction};

use super::db_error;
use crate::*;

/// Bound parameters per statement: under SQLite's 32766 (and PostgreSQL's 65535).
const MAX_PARAMS: usize = 32_000;
/// Groups OR-ed together in one DELETE. Each OR deepens the expression tree, and
/// SQLite refuses trees deeper than 1000.
const MAX_OR_GROUPS: usize = 200;
/// Rows per CASE update: each adds a WHEN to every CASE, and SQLite searches the
/// WHENs in order for each row it updates.
const MAX_CASE_ROWS: usize = 100;

type SqliteQuery<'q> = Query<'q, Sqlite, SqliteArguments>;
/// Per execution, the timer or task ids to delete.
type Cleared = Vec<(i64, Vec<i64>)>;

async fn begin(conn: &mut SqliteConnection) -> StoreResult<Transaction<'_, Sqlite>> {
    // IMMEDIATE takes the write lock up front: a deferred transaction that reads
    // first could fail to upgrade if another process wrote in between.
    Ok(conn.begin_with("BEGIN IMMEDIATE").await?)
}

/// Commits when `result` is Ok, rolls back otherwise: nothing of a failed
/// transaction remains.
async fn finish(tx: Transaction<'_, Sqlite>, result: StoreResult<()>) -> StoreResult<()> {
    match result {
        Ok(()) => Ok(tx.commit().await?),
        Err(e) => {
            // The first error is the one worth reporting; SQLite may already have
            // rolled back on its own, making this one fail.
            let _ = tx.rollback().await;
            Err(e)
        }
    }
}

// --- state machines and tags ---------------------------------------------------------

pub async fn insert_state_machine(
    conn: &mut SqliteConnection,
    machine: &StateMachineRecord,
    revision: &RevisionRecord,
) -> StoreResult<()> {
    let mut tx = begin(conn).await?;
    let result: StoreResult<()> = async {
        sqlx::query(
            "INSERT INTO state_machines (arn, name, machine_type, status, revision_id, created_ms)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&machine.arn)
        .bind(&machine.name)
        .bind(&machine.machine_type)
        .bind(&machine.status)
        .bind(&machine.revision_id)
        .bind(machine.created_ms)
        .execute(&mut *tx)
        .await
        .map_err(|e| match db_error(e) {
            StoreError::Conflict(_) => StoreError::Conflict(machine.arn.clone()),
            other => other,
        })?;
        insert_revision(&mut tx, revision).await
    }
    .await;
    finish(tx, result).await
}

pub async fn update_state_machine(
    conn: &mut SqliteConnection,
    machine: &StateMachineRecord,
    revision: Option<&RevisionRecord>,
) -> StoreResult<()> {
    let mut tx = begin(conn).await?;
    let result: StoreResult<()> = async {
        let updated = sqlx::query(
            "UPDATE state_machines
             SET name = ?, machine_type = ?, status = ?, revision_id = ?, created_ms = ?
             WHERE arn = ?",
        )
        .bind(&machine.name)
        .bind(&machine.machine_type)
        .bind(&machine.status)
        .bind(&machine.revision_id)
        .bind(machine.created_ms)
        .bind(&machine.arn)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Backend(format!(
                "no state machine {} to update",
                machine.arn
            )));
        }
        if let Some(revision) = revision {
            insert_revision(&mut tx, revision).await?;
        }
        Ok(())
    }
    .await;
    finish(tx, result).await
}

async fn insert_revision(
    conn: &mut SqliteConnection,
    revision: &RevisionRecord,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO revisions (state_machine_arn, revision_id, definition, role_arn, logging,
                                tracing, encryption, created_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&revision.state_machine_arn)
    .bind(&revision.revision_id)
    .bind(&revision.definition)
    .bind(&revision.role_arn)
    .bind(&revision.logging)
    .bind(&revision.tracing)
    .bind(&revision.encryption)
    .bind(revision.created_ms)
    .execute(conn)
    .await
    .map_err(db_error)?;
    Ok(())
}

pub async fn delete_state_machine(conn: &mut SqliteConnection, arn: &str) -> StoreResult<()> {
    let mut tx = begin(conn).await?;
    let result: StoreResult<()> = async {
        sqlx::query("DELETE FROM state_machines WHERE arn = ?")
            .bind(arn)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM tags WHERE resource_arn = ?")
            .bind(arn)
            .execute(&mut *tx)
            .await?;
        Ok(())
    }
    .await;
    finish(tx, result).await
}

pub async fn put_tags(
    conn: &mut SqliteConnection,
    resource_arn: &str,
    tags: &[Tag],
) -> StoreResult<()> {
    // One statement may not set a key twice (PostgreSQL refuses it): the last value
    // given for a key wins.
    let tags: BTreeMap<&str, &str> = tags
        .iter()
        .map(|t| (t.key.as_str(), t.value.as_str()))
        .collect();
    if tags.is_empty() {
        return Ok(());
    }
    let rows: Vec<(&str, &str)> = tags.into_iter().collect();
    let mut tx = begin(conn).await?;
    let result = insert_rows(
        &mut tx,
        "INSERT INTO tags (resource_arn, tag_key, tag_value) VALUES ",
        3,
        " ON CONFLICT (resource_arn, tag_key) DO UPDATE SET tag_value = excluded.tag_value",
        &rows,
        |q, (key, value)| q.bind(resource_arn).bind(*key).bind(*value),
    )
    .await;
    finish(tx, result).await
}

pub async fn remove_tags(
    conn: &mut SqliteConnection,
    resource_arn: &str,
    keys: &[String],
) -> StoreResult<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let mut tx = begin(conn).await?;
    let result: StoreResult<()> = async {
        for chunk in keys.chunks(MAX_PARAMS - 1) {
            let sql = format!(
                "DELETE FROM tags WHERE resource_arn = ? AND tag_key IN ({})",
                placeholders(chunk.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql)).bind(resource_arn);
            for key in chunk {
                q = q.bind(key);
            }
            q.execute(&mut *tx).await?;
        }
        Ok(())
    }
    .await;
    finish(tx, result).await
}

// --- executions ------------------------------------------------------------------------

pub async fn commit(conn: &mut SqliteConnection, writes: &[ExecutionWrite]) -> StoreResult<()> {
    let batch = Batch::new(writes);
    let mut tx = begin(conn).await?;
    let result = batch.apply(&mut tx).await;
    finish(tx, result).await
}

/// A batch of writes reduced to what the database must end up with, grouped by table.
///
/// The writes of a batch are applied as if one after the other. Within one write
/// timers and tasks are set before they are cleared, so an id both set and cleared is
/// gone; across writes, the later write wins. Ends are folded into the insert of an
/// execution that starts in the same batch, so the common short execution costs one
/// row and no update.
struct Batch<'a> {
    starts: Vec<(&'a ExecutionRecord, Option<&'a ExecutionEnd>)>,
    events: Vec<(i64, &'a EventRecord)>,
    journal: Vec<(i64, &'a JournalEntry)>,
    timers_set: Vec<(i64, &'a TimerRecord)>,
    timers_cleared: Cleared,
    tasks_set: Vec<(i64, &'a TaskRecord)>,
    tasks_cleared: Cleared,
    ends: Vec<(i64, &'a ExecutionEnd)>,
}

impl<'a> Batch<'a> {
    fn new(writes: &'a [ExecutionWrite]) -> Batch<'a> {
        let mut ends: HashMap<i64, &ExecutionEnd> = HashMap::new();
        let mut events = Vec::new();
        let mut journal = Vec::new();
        // (execution, id) → the record set last, or None when cleared last.
        let mut timers: BTreeMap<(i64, i64), Option<&TimerRecord>> = BTreeMap::new();
        let mut tasks: BTreeMap<(i64, i64), Option<&TaskRecord>> = BTreeMap::new();
        for w in writes {
            let id = w.execution_id;
            events.extend(w.events.iter().map(|e| (id, e)));
            journal.extend(w.journal.iter().map(|j| (id, j)));
            for t in &w.timers_set {
                timers.insert((id, t.timer_id), Some(t));
            }
            for &t in &w.timers_cleared {
                timers.insert((id, t), None);
            }
            for t in &w.tasks_set {
                tasks.insert((id, t.task_id), Some(t));
            }
            for &t in &w.tasks_cleared {
                tasks.insert((id, t), None);
            }
            if let Some(end) = &w.end {
                ends.insert(id, end);
            }
        }
        let starts = writes
            .iter()
            .filter_map(|w| w.start.as_ref())
            .map(|start| (start, ends.remove(&start.id)))
            .collect();
        let mut ends: Vec<(i64, &ExecutionEnd)> = ends.into_iter().collect();
        ends.sort_unstable_by_key(|(id, _)| *id);
        // Key order keeps B-tree inserts local.
        events.sort_by_key(|(id, e)| (*id, e.id));
        journal.sort_by_key(|(id, j)| (*id, j.seq));
        let (timers_set, timers_cleared) = split(timers);
        let (tasks_set, tasks_cleared) = split(tasks);
        Batch {
            starts,
            events,
            journal,
            timers_set,
            timers_cleared,
            tasks_set,
            tasks_cleared,
            ends,
        }
    }

    async fn apply(&self, conn: &mut SqliteConnection) -> StoreResult<()> {
        insert_rows(
            conn,
            "INSERT INTO executions (id, arn, state_machine_arn, revision_id, name, status, \
             input, output, error, cause, start_ms, stop_ms, trace_header, test_case, seed) \
             VALUES ",
            15,
            "",
            &self.starts,
            |q, (start, end)| {
                let q = q
                    .bind(start.id)
                    .bind(&start.arn)
                    .bind(&start.state_machine_arn)
                    .bind(&start.revision_id)
                    .bind(&start.name);
                let q = match end {
                    Some(end) => q
                        .bind(&end.status)
                        .bind(&start.input)
                        .bind(&end.output)
                        .bind(&end.error)
                        .bind(&end.cause)
                        .bind(start.start_ms)
                        .bind(Some(end.stop_ms)),
                    None => q
                        .bind(&start.status)
                        .bind(&start.input)
                        .bind(&start.output)
                        .bind(&start.error)
                        .bind(&start.cause)
                        .bind(start.start_ms)
                        .bind(start.stop_ms),
                };
                q.bind(&start.trace_header)
                    .bind(&start.test_case)
                    .bind(start.seed)
            },
        )
        .await?;
        insert_rows(
            conn,
            "INSERT INTO events (execution_id, id, previous_id, at_ms, event_type, details) \
             VALUES ",
            6,
            "",
            &self.events,
            |q, (execution_id, e)| {
                q.bind(*execution_id)
                    .bind(e.id)
                    .bind(e.previous_id)
                    .bind(e.at_ms)
                    .bind(&e.event_type)
                    .bind(&e.details)
            },
        )
        .await?;
        insert_rows(
            conn,
            "INSERT INTO journal (execution_id, seq, at_ms, seed, body) VALUES ",
            5,
            "",
            &self.journal,
            |q, (execution_id, j)| {
                q.bind(*execution_id)
                    .bind(j.seq)
                    .bind(j.at_ms)
                    .bind(j.seed)
                    .bind(&j.body)
            },
        )
        .await?;
        insert_rows(
            conn,
            "INSERT INTO timers (execution_id, timer_id, fire_at_ms) VALUES ",
            3,
            " ON CONFLICT (execution_id, timer_id) DO UPDATE SET fire_at_ms = excluded.fire_at_ms",
            &self.timers_set,
            |q, (execution_id, t)| q.bind(*execution_id).bind(t.timer_id).bind(t.fire_at_ms),
        )
        .await?;
        delete_ids(conn, "timers", "timer_id", &self.timers_cleared).await?;
        insert_rows(
            conn,
            "INSERT INTO tasks (execution_id, task_id, request) VALUES ",
            3,
            " ON CONFLICT (execution_id, task_id) DO UPDATE SET request = excluded.request",
            &self.tasks_set,
            |q, (execution_id, t)| q.bind(*execution_id).bind(t.task_id).bind(&t.request),
        )
        .await?;
        delete_ids(conn, "tasks", "task_id", &self.tasks_cleared).await?;
        update_ends(conn, &self.ends).await
    }
}

/// Splits final timer or task states into the rows to upsert and, per execution, the
/// ids to delete.
fn split<T>(states: BTreeMap<(i64, i64), Option<&T>>) -> (Vec<(i64, &T)>, Cleared) {
    let mut set = Vec::new();
    let mut cleared: Cleared = Vec::new();
    for ((execution_id, id), state) in states {
        match state {
            Some(record) => set.push((execution_id, record)),
            None => match cleared.last_mut() {
                Some((last, ids)) if *last == execution_id => ids.push(id),
                _ => cleared.push((execution_id, vec![id])),
            },
        }
    }
    (set, cleared)
}

/// `?, ?, …` with `n` placeholders.
fn placeholders(n: usize) -> String {
    let mut s = String::with_capacity(n * 3);
    for i in 0..n {
        if i > 0 {
            s.push_str(", ");
        }
        s.push('?');
    }
    s
}

/// Inserts `rows` with as few multi-row statements as the parameter limit allows:
/// `head` (`INSERT INTO t (…) VALUES `), then one `(?, …)` group of `columns`
/// placeholders per row, then `tail` (an `ON CONFLICT` clause or nothing).
async fn insert_rows<T: Sync>(
    conn: &mut SqliteConnection,
    head: &str,
    columns: usize,
    tail: &str,
    rows: &[T],
    bind: impl for<'q> Fn(SqliteQuery<'q>, &T) -> SqliteQuery<'q> + Send,
) -> StoreResult<()> {
    let group = format!("({})", placeholders(columns));
    for chunk in rows.chunks(MAX_PARAMS / columns) {
        let mut sql =
            String::with_capacity(head.len() + chunk.len() * (group.len() + 2) + tail.len());
        sql.push_str(head);
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&group);
        }
        sql.push_str(tail);
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for row in chunk {
            q = bind(q, row);
        }
        q.execute(&mut *conn).await.map_err(db_error)?;
    }
    Ok(())
}

/// Deletes ids per execution:
/// `DELETE FROM t WHERE (execution_id = ? AND col IN (?, …)) OR (…)`.
async fn delete_ids(
    conn: &mut SqliteConnection,
    table: &str,
    column: &str,
    cleared: &[(i64, Vec<i64>)],
) -> StoreResult<()> {
    // Cut into statements of at most MAX_OR_GROUPS groups and MAX_PARAMS parameters;
    // an execution with more ids than fit in one statement spreads over several.
    let mut groups: Vec<(i64, &[i64])> = Vec::new();
    let mut params = 0;
    let mut pieces: Vec<(i64, &[i64])> = Vec::new();
    for (execution_id, ids) in cleared {
        for chunk in ids.chunks(MAX_PARAMS / 2) {
            pieces.push((*execution_id, chunk));
        }
    }
    for (execution_id, ids) in pieces {
        if groups.len() == MAX_OR_GROUPS || params + 1 + ids.len() > MAX_PARAMS {
            delete_groups(conn, table, column, &groups).await?;
            groups.clear();
            params = 0;
        }
        params += 1 + ids.len();
        groups.push((execution_id, ids));
    }
    if !groups.is_empty() {
        delete_groups(conn, table, column, &groups).await?;
    }
    Ok(())
}

async fn delete_groups(
    conn: &mut SqliteConnection,
    table: &str,
    column: &str,
    groups: &[(i64, &[i64])],
) -> StoreResult<()> {
    let mut sql = format!("DELETE FROM {table} WHERE ");
    for (i, (_, ids)) in groups.iter().enumerate() {
        if i > 0 {
            sql.push_str(" OR ");
        }
        sql.push_str(&format!(
            "(execution_id = ? AND {column} IN ({}))",
            placeholders(ids.len())
        ));
    }
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for (execution_id, ids) in groups {
        q = q.bind(*execution_id);
        for id in *ids {
            q = q.bind(*id);
        }
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

/// Ends executions started in earlier batches, many per statement:
/// `UPDATE executions SET status = CASE id WHEN ? THEN ? … END, … WHERE id IN (…)`.
async fn update_ends(
    conn: &mut SqliteConnection,
    ends: &[(i64, &ExecutionEnd)],
) -> StoreResult<()> {
    const COLUMNS: [&str; 5] = ["status", "output", "error", "cause", "stop_ms"];
    for chunk in ends.chunks(MAX_CASE_ROWS) {
        let when = "WHEN ? THEN ? ".repeat(chunk.len());
        let set: Vec<String> = COLUMNS
            .iter()
            .map(|c| format!("{c} = CASE id {when}END"))
            .collect();
        let sql = format!(
            "UPDATE executions SET {} WHERE id IN ({})",
            set.join(", "),
            placeholders(chunk.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (id, end) in chunk {
            q = q.bind(*id).bind(&end.status);
        }
        for (id, end) in chunk {
            q = q.bind(*id).bind(&end.output);
        }
        for (id, end) in chunk {
            q = q.bind(*id).bind(&end.error);
        }
        for (id, end) in chunk {
            q = q.bind(*id).bind(&end.cause);
        }
        for (id, end) in chunk {
            q = q.bind(*id).bind(end.stop_ms);
        }
        for (id, _) in chunk {
            q = q.bind(*id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}
