//! The tables, created when the store opens, and the schema version that later
//! migrations will start from.
//!
//! Types stay plain (TEXT, INTEGER, BIGINT) so the same layout carries over to
//! PostgreSQL. `INTEGER PRIMARY KEY` makes SQLite use the key as the row id.

use sqlx::{Connection, SqliteConnection};

use crate::{StoreError, StoreResult};

/// The version this code reads and writes.
pub const SCHEMA_VERSION: i64 = 1;

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS schema_version (
    version BIGINT NOT NULL
);

-- `seq` keeps creation order (state_machines() lists oldest first, and several
-- machines can share a created_ms).
CREATE TABLE IF NOT EXISTS state_machines (
    seq INTEGER PRIMARY KEY,
    arn TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    machine_type TEXT NOT NULL,
    status TEXT NOT NULL,
    revision_id TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);

-- No foreign key to state_machines: revisions outlive their machine.
CREATE TABLE IF NOT EXISTS revisions (
    state_machine_arn TEXT NOT NULL,
    revision_id TEXT NOT NULL,
    definition TEXT NOT NULL,
    role_arn TEXT NOT NULL,
    logging TEXT NOT NULL,
    tracing TEXT NOT NULL,
    encryption TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (state_machine_arn, revision_id)
);

CREATE TABLE IF NOT EXISTS tags (
    resource_arn TEXT NOT NULL,
    tag_key TEXT NOT NULL,
    tag_value TEXT NOT NULL,
    PRIMARY KEY (resource_arn, tag_key)
);

-- No foreign key to state_machines either: executions outlive their machine.
CREATE TABLE IF NOT EXISTS executions (
    id INTEGER PRIMARY KEY,
    arn TEXT NOT NULL UNIQUE,
    state_machine_arn TEXT NOT NULL,
    revision_id TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    input TEXT NOT NULL,
    output TEXT,
    error TEXT,
    cause TEXT,
    start_ms BIGINT NOT NULL,
    stop_ms BIGINT,
    trace_header TEXT,
    test_case TEXT,
    seed BIGINT NOT NULL,
    UNIQUE (state_machine_arn, name)
);
-- list_executions without a status filter.
CREATE INDEX IF NOT EXISTS executions_by_machine ON executions (state_machine_arn, id);
-- running_executions (status), has_running_executions (status, machine) and
-- list_executions with a status filter (status, machine, id).
CREATE INDEX IF NOT EXISTS executions_by_status ON executions (status, state_machine_arn, id);

CREATE TABLE IF NOT EXISTS events (
    execution_id BIGINT NOT NULL REFERENCES executions (id),
    id BIGINT NOT NULL,
    previous_id BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    details TEXT NOT NULL,
    PRIMARY KEY (execution_id, id)
);

CREATE TABLE IF NOT EXISTS journal (
    execution_id BIGINT NOT NULL REFERENCES executions (id),
    seq BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    seed BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (execution_id, seq)
);

CREATE TABLE IF NOT EXISTS timers (
    execution_id BIGINT NOT NULL REFERENCES executions (id),
    timer_id BIGINT NOT NULL,
    fire_at_ms BIGINT NOT NULL,
    PRIMARY KEY (execution_id, timer_id)
);

CREATE TABLE IF NOT EXISTS tasks (
    execution_id BIGINT NOT NULL REFERENCES executions (id),
    task_id BIGINT NOT NULL,
    request TEXT NOT NULL,
    PRIMARY KEY (execution_id, task_id)
);
";

/// Creates what is missing and checks the version, in one write transaction so two
/// processes opening a new file at once do not both stamp it.
pub async fn create(conn: &mut SqliteConnection) -> StoreResult<()> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::raw_sql(TABLES).execute(&mut *tx).await?;
    let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_version")
        .fetch_one(&mut *tx)
        .await?;
    match version {
        None => {
            sqlx::query("INSERT INTO schema_version (version) VALUES (?)")
                .bind(SCHEMA_VERSION)
                .execute(&mut *tx)
                .await?;
        }
        Some(SCHEMA_VERSION) => {}
        Some(found) => {
            return Err(StoreError::Backend(format!(
                "the database has schema version {found}; this build knows version {SCHEMA_VERSION}"
            )));
        }
    }
    tx.commit().await?;
    Ok(())
}
