//! The SQLite store: WAL, `synchronous=FULL`.
//!
//! One write connection, behind a mutex, takes every write, so our own writers never
//! meet `SQLITE_BUSY`; a small pool of read connections serves reads concurrently
//! (WAL lets readers run while the writer commits). An in-memory database
//! (`sqlite::memory:`) lives and dies with its connection, so there the write
//! connection is the only one and serves reads too.

mod read;
mod schema;
mod write;

use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Sqlite, SqliteConnection};
use tokio::sync::{Mutex, MutexGuard};

use crate::*;

pub use schema::SCHEMA_VERSION;

/// How long a connection waits for a lock another process holds before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Read connections of a file store.
const READERS: u32 = 4;
/// Prepared statements each connection keeps. Multi-row statements of varying size
/// share the cache with the fixed ones, hence more than sqlx's default of 100.
const STATEMENT_CACHE: usize = 256;

/// Opens `sqlite:PATH`, `sqlite://PATH` or `sqlite::memory:`; see [`SqliteStore::open`].
pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    Ok(Arc::new(SqliteStore::open(url).await?))
}

pub struct SqliteStore {
    writer: Mutex<SqliteConnection>,
    /// `None` for an in-memory database: reads then take the write connection.
    readers: Option<SqlitePool>,
}

/// The settings a connection runs with, as SQLite reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlitePragmas {
    /// `wal` for a file store (`memory` for an in-memory one).
    pub journal_mode: String,
    /// 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
    pub synchronous: i64,
    pub foreign_keys: bool,
    pub busy_timeout_ms: i64,
}

impl SqliteStore {
    /// Opens the database a URL names, creating the file and the schema when they
    /// are missing. `sqlite:PATH` and `sqlite://PATH` take a path relative to the
    /// working directory (`sqlite:///abs/path` for an absolute one); `sqlite::memory:`
    /// opens a private in-memory database.
    pub async fn open(url: &str) -> StoreResult<SqliteStore> {
        let location = Location::parse(url)?;
        let base = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::UnsupportedUrl(format!("{url}: {e}")))?
            .busy_timeout(BUSY_TIMEOUT)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .statement_cache_capacity(STATEMENT_CACHE)
            // Multi-row statements are long; logging each would cost more than running it.
            .disable_statement_logging();

        let writer_options = match location {
            Location::Memory => base.clone(),
            Location::File => base
                .clone()
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal),
        };
        let mut writer = writer_options.connect().await?;
        schema::create(&mut writer).await?;

        let readers = match location {
            Location::Memory => None,
            Location::File => {
                // WAL is a property of the file, set by the writer; readers only read.
                let options = base.pragma("query_only", "ON");
                Some(
                    SqlitePoolOptions::new()
                        .max_connections(READERS)
                        // A local file does not drop connections; a ping per read
                        // would only add a round trip.
                        .test_before_acquire(false)
                        .connect_with(options)
                        .await?,
                )
            }
        };
        Ok(SqliteStore {
            writer: Mutex::new(writer),
            readers,
        })
    }

    /// The settings of the write connection (the one whose settings decide durability).
    pub async fn pragmas(&self) -> StoreResult<SqlitePragmas> {
        let mut conn = self.writer.lock().await;
        let journal_mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await?;
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await?;
        let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await?;
        let busy_timeout_ms: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&mut *conn)
            .await?;
        Ok(SqlitePragmas {
            journal_mode,
            synchronous,
            foreign_keys: foreign_keys != 0,
            busy_timeout_ms,
        })
    }

    async fn reader(&self) -> StoreResult<ReadConnection<'_>> {
        Ok(match &self.readers {
            Some(pool) => ReadConnection::Pooled(pool.acquire().await?),
            None => ReadConnection::Writer(self.writer.lock().await),
        })
    }
}

#[derive(Clone, Copy)]
enum Location {
    File,
    Memory,
}

impl Location {
    fn parse(url: &str) -> StoreResult<Location> {
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| StoreError::UnsupportedUrl(url.to_string()))?;
        let (path, params) = rest.split_once('?').unwrap_or((rest, ""));
        if path == ":memory:" || params.split('&').any(|p| p == "mode=memory") {
            Ok(Location::Memory)
        } else if path.is_empty() {
            // SQLite would open a private temporary file per connection: the readers
            // would not see what the writer wrote.
            Err(StoreError::UnsupportedUrl(url.to_string()))
        } else {
            Ok(Location::File)
        }
    }
}

/// A connection to read from: one of the pool's, or the write connection of an
/// in-memory database.
enum ReadConnection<'a> {
    Pooled(PoolConnection<Sqlite>),
    Writer(MutexGuard<'a, SqliteConnection>),
}

impl Deref for ReadConnection<'_> {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        match self {
            ReadConnection::Pooled(conn) => conn,
            ReadConnection::Writer(conn) => conn,
        }
    }
}

impl DerefMut for ReadConnection<'_> {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match self {
            ReadConnection::Pooled(conn) => conn,
            ReadConnection::Writer(conn) => conn,
        }
    }
}

/// Unique violations become `Conflict`; everything else `Backend`.
fn db_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation => {
            StoreError::Conflict(db.message().to_string())
        }
        _ => StoreError::from(e),
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn insert_state_machine(
        &self,
        machine: &StateMachineRecord,
        revision: &RevisionRecord,
    ) -> StoreResult<()> {
        let mut conn = self.writer.lock().await;
        write::insert_state_machine(&mut conn, machine, revision).await
    }

    async fn update_state_machine(
        &self,
        machine: &StateMachineRecord,
        revision: Option<&RevisionRecord>,
    ) -> StoreResult<()> {
        let mut conn = self.writer.lock().await;
        write::update_state_machine(&mut conn, machine, revision).await
    }

    async fn delete_state_machine(&self, arn: &str) -> StoreResult<()> {
        let mut conn = self.writer.lock().await;
        write::delete_state_machine(&mut conn, arn).await
    }

    async fn state_machines(&self) -> StoreResult<Vec<StateMachineRecord>> {
        read::state_machines(&mut *self.reader().await?).await
    }

    async fn revision(
        &self,
        state_machine_arn: &str,
        revision_id: &str,
    ) -> StoreResult<Option<RevisionRecord>> {
        read::revision(&mut *self.reader().await?, state_machine_arn, revision_id).await
    }

    async fn tags(&self, resource_arn: &str) -> StoreResult<Vec<Tag>> {
        read::tags(&mut *self.reader().await?, resource_arn).await
    }

    async fn put_tags(&self, resource_arn: &str, tags: &[Tag]) -> StoreResult<()> {
        let mut conn = self.writer.lock().await;
        write::put_tags(&mut conn, resource_arn, tags).await
    }

    async fn remove_tags(&self, resource_arn: &str, keys: &[String]) -> StoreResult<()> {
        let mut conn = self.writer.lock().await;
        write::remove_tags(&mut conn, resource_arn, keys).await
    }

    async fn commit(&self, writes: &[ExecutionWrite]) -> StoreResult<()> {
        if writes.is_empty() {
            return Ok(());
        }
        let mut conn = self.writer.lock().await;
        write::commit(&mut conn, writes).await
    }

    async fn max_execution_id(&self) -> StoreResult<i64> {
        read::max_execution_id(&mut *self.reader().await?).await
    }

    async fn execution(&self, arn: &str) -> StoreResult<Option<ExecutionRecord>> {
        read::execution(&mut *self.reader().await?, arn).await
    }

    async fn execution_by_name(
        &self,
        state_machine_arn: &str,
        name: &str,
    ) -> StoreResult<Option<ExecutionRecord>> {
        read::execution_by_name(&mut *self.reader().await?, state_machine_arn, name).await
    }

    async fn list_executions(&self, query: &ExecutionQuery) -> StoreResult<Vec<ExecutionRecord>> {
        read::list_executions(&mut *self.reader().await?, query).await
    }

    async fn has_running_executions(&self, state_machine_arn: &str) -> StoreResult<bool> {
        read::has_running_executions(&mut *self.reader().await?, state_machine_arn).await
    }

    async fn events(&self, execution_id: i64, query: &EventQuery) -> StoreResult<Vec<EventRecord>> {
        read::events(&mut *self.reader().await?, execution_id, query).await
    }

    async fn running_executions(&self) -> StoreResult<Vec<RunningExecution>> {
        read::running_executions(&mut *self.reader().await?).await
    }
}
