#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs, rustdoc::broken_intra_doc_links)]

use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use credcycle::store::batch_has_duplicates;
use credcycle::{Op, Record, Store, StoreError, Table, Version};

mod error;
mod pool;
mod schema;
mod url;

#[cfg(feature = "testing")]
#[doc(hidden)]
pub mod testing;

pub use error::PgError;

use error::{Failure, classify, describe};
use pool::{Conn, Pool, PoolError};

/// Options of [`PostgresStore::connect_with`]. Build from [`Default`] with
/// the setters.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PostgresOptions {
    /// Most connections the store keeps open at once (default 8). Calls
    /// beyond that wait for a connection to be returned.
    pub max_connections: usize,
    /// How long a call waits for a free connection when all are in use
    /// before failing with `StoreError::Unavailable { retryable: true }`
    /// (default 10 s).
    pub pool_wait: Duration,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            max_connections: 8,
            pool_wait: Duration::from_secs(10),
        }
    }
}

impl PostgresOptions {
    /// Sets [`PostgresOptions::max_connections`] (at least 1).
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// Sets [`PostgresOptions::pool_wait`].
    pub fn pool_wait(mut self, wait: Duration) -> Self {
        self.pool_wait = wait;
        self
    }
}

/// A [`Store`] in one PostgreSQL database (or a PostgreSQL-compatible
/// distributed SQL engine), shared by any number of processes and hosts.
///
/// # How a commit works
/// One transaction (`READ COMMITTED`, the server default) of conditional
/// writes, each checked by its row count, in (table, key) order:
///
/// | operation | statement | succeeds when |
/// |---|---|---|
/// | `Put`, expect 0 | `INSERT … ON CONFLICT DO NOTHING` (version 1) | one row inserted |
/// | `Put`, expect n | `UPDATE … SET version = n+1 WHERE … AND version = n` | one row updated |
/// | `Delete`, expect n | `DELETE … WHERE … AND version = n` | one row deleted |
/// | `Check`, expect n | `SELECT version … FOR UPDATE` | it reads n |
/// | `Check`/`Delete`, expect 0 | `INSERT` of an invisible version-0 row, deleted again before `COMMIT` | one row inserted |
///
/// Any other count rolls the transaction back and the commit returns
/// [`StoreError::Conflict`]. Every statement locks the row it names until
/// the transaction ends, so nothing a batch checked can change before it
/// commits; and since every batch locks its rows in the same (table, key)
/// order, batches do not deadlock each other. A serialization failure or a
/// deadlock reported by the server (possible on engines that run
/// `SERIALIZABLE`) also rolls back and is reported as `Conflict`.
///
/// # Failures
/// - The server cannot be reached, or goes away (stopped, restarted,
///   network cut): `StoreError::Unavailable { retryable: true }`;
///   [`PostgresStore::last_error`] holds the reason. The failed connection
///   and every idle one are dropped; the next call connects anew, so the
///   store recovers by itself when the server is back. A read that failed
///   on a connection that had been idle is retried once on a new one. A
///   commit is retried once only if the failure came before `COMMIT` was
///   sent; if the connection was lost during `COMMIT`, the batch was
///   applied whole or not at all, and a retry of it then conflicts if it
///   was applied.
/// - Authentication, a missing database, TLS verification, and other
///   server errors: `StoreError::Backend` wrapping [`PgError`].
///
/// # TLS
/// `sslmode=require` in the URL connects with rustls (ring) and **verifies**
/// the server certificate against the host name and the CA certificates of
/// `sslrootcert=PATH` (PEM), or the system's trusted roots without it (so
/// `require` here is as strict as libpq's `verify-full`). Any other
/// `sslmode`, including the default `prefer`, connects without TLS.
///
/// # Thread safety
/// `Send + Sync`; share one handle (`Arc<dyn Store>`). It keeps up to
/// [`PostgresOptions::max_connections`] connections.
pub struct PostgresStore {
    pool: Pool,
    options: PostgresOptions,
    last_error: Mutex<Option<String>>,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("target", &self.target())
            .field("tls", &self.pool.target().tls.is_some())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// A failed attempt inside [`PostgresStore::with_conn`].
enum Attempt {
    /// The final answer (a conflict found by row counts, a corrupt row).
    Done(StoreError),
    /// A client error; `retry_safe` says whether nothing can have been
    /// applied (so the attempt may run again on a new connection).
    Pg {
        error: postgres::Error,
        retry_safe: bool,
    },
}

fn pg(retry_safe: bool) -> impl Fn(postgres::Error) -> Attempt {
    move |error| Attempt::Pg { error, retry_safe }
}

fn table_id(t: Table) -> i64 {
    i64::from(t.as_u32())
}

fn version_from_db(v: i64) -> Result<Version, StoreError> {
    match u64::try_from(v) {
        Ok(v) if v >= 1 => Ok(Version(v)),
        _ => Err(StoreError::Corrupt("stored record version is not positive")),
    }
}

fn column<'a, T: postgres::types::FromSql<'a>>(
    row: &'a postgres::Row,
    i: usize,
) -> Result<T, StoreError> {
    row.try_get(i)
        .map_err(|_| StoreError::Corrupt("postgres column holds a value of the wrong type"))
}

/// The smallest byte string greater than every string starting with
/// `prefix`, or `None` if there is none (`prefix` is empty or all `0xff`).
fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let last = prefix.iter().rposition(|&b| b != 0xff)?;
    let mut succ = prefix[..=last].to_vec();
    if let Some(b) = succ.last_mut() {
        // `b != 0xff` by construction of `last`.
        *b += 1;
    }
    Some(succ)
}

/// SQLSTATEs of a concurrent migration by another process.
fn migration_race(e: &postgres::Error) -> bool {
    use postgres::error::SqlState;
    e.code().is_some_and(|c| {
        [
            SqlState::UNIQUE_VIOLATION,
            SqlState::DUPLICATE_TABLE,
            SqlState::DUPLICATE_OBJECT,
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::T_R_DEADLOCK_DETECTED,
        ]
        .contains(c)
    })
}

impl PostgresStore {
    /// The schema version this build creates and understands.
    pub const SCHEMA_VERSION: i64 = schema::LATEST;

    /// Connects to the database at `url` (`postgres://user:pass@host:port/db`,
    /// `postgresql://…`; parameters as libpq's, plus `sslrootcert`) with
    /// default [`PostgresOptions`], and migrates its schema.
    ///
    /// Without `connect_timeout` in the URL, connecting gives up after 5 s.
    ///
    /// # Errors
    /// - [`PgError::InvalidUrl`] / [`PgError::Tls`] (in `StoreError::Backend`)
    ///   for a URL that cannot be used; the message never repeats a
    ///   password.
    /// - `StoreError::Unavailable { retryable: true }` when the server
    ///   cannot be reached.
    /// - [`PgError::Server`] for authentication failures, a missing
    ///   database or permissions; [`PgError::SchemaTooNew`] if a newer
    ///   release migrated the database (it is left untouched).
    pub fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        Self::connect_with(url, PostgresOptions::default())
    }

    /// Connects with `options`.
    ///
    /// # Errors
    /// As [`PostgresStore::connect`].
    pub fn connect_with(url: &str, options: PostgresOptions) -> Result<PostgresStore, StoreError> {
        let target = url::parse(url)?;
        let store = PostgresStore {
            pool: Pool::new(target, options.max_connections, options.pool_wait),
            options,
            last_error: Mutex::new(None),
        };
        store.migrate()?;
        Ok(store)
    }

    /// `host:port/database` of the server (never credentials).
    pub fn target(&self) -> &str {
        &self.pool.target().describe
    }

    /// The options the store was opened with.
    pub fn options(&self) -> &PostgresOptions {
        &self.options
    }

    /// The reason of the most recent `Unavailable` this handle returned
    /// (for logs): the server address and the client library's or server's
    /// message, e.g. `127.0.0.1:5432/app: error connecting to server:
    /// Connection refused (os error 111)`. `None` if there was none.
    pub fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn note(&self, message: &str) {
        let text = format!("{}: {message}", self.target());
        *self
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(text);
    }

    /// Maps a client error outside a commit's transaction.
    fn fail(&self, e: &postgres::Error) -> StoreError {
        match classify(e) {
            Failure::Connection(msg) => {
                self.note(&msg);
                StoreError::Unavailable { retryable: true }
            }
            Failure::Conflict => StoreError::Conflict,
            Failure::Other(msg) if msg.starts_with("error performing TLS handshake") => {
                PgError::Tls(msg).into()
            }
            Failure::Other(message) => PgError::Server {
                target: self.target().to_owned(),
                message,
            }
            .into(),
        }
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let mut client = self.pool.connect_raw().map_err(|e| self.fail(&e))?;
        // Refuse a newer schema before changing anything.
        if schema::has_migrations_table(&mut client).map_err(|e| self.fail(&e))? {
            schema::current_version(&mut client).map_err(|e| self.fail(&e))??;
        }
        const ATTEMPTS: usize = 8;
        for attempt in 1..=ATTEMPTS {
            match schema::migrate(&mut client) {
                Ok(()) => break,
                Err(e) if attempt < ATTEMPTS && migration_race(&e) => continue,
                Err(e) => return Err(self.fail(&e)),
            }
        }
        schema::current_version(&mut client).map_err(|e| self.fail(&e))??;
        Ok(())
    }

    /// Runs `f` on a pooled connection. A connection failure drops the
    /// connection and the idle ones; if the connection had been idle and
    /// `f` says nothing can have been applied, `f` runs once more on a new
    /// connection.
    fn with_conn<T>(
        &self,
        mut f: impl FnMut(&mut Conn) -> Result<T, Attempt>,
    ) -> Result<T, StoreError> {
        let mut retried = false;
        loop {
            let mut pooled = match self.pool.get() {
                Ok(p) => p,
                Err(PoolError::Connect(e)) => return Err(self.fail(&e)),
                Err(PoolError::Exhausted) => {
                    self.note("every pooled connection stayed busy for the whole pool wait");
                    return Err(StoreError::Unavailable { retryable: true });
                }
            };
            let Some(conn) = pooled.conn() else {
                return Err(StoreError::Unavailable { retryable: true });
            };
            let error = match f(conn) {
                Ok(v) => return Ok(v),
                Err(Attempt::Done(e)) => return Err(e),
                Err(Attempt::Pg { error, retry_safe }) => (error, retry_safe),
            };
            let (error, retry_safe) = error;
            match classify(&error) {
                Failure::Conflict => return Err(StoreError::Conflict),
                Failure::Connection(msg) => {
                    let reused = pooled.reused();
                    pooled.mark_broken();
                    drop(pooled);
                    self.pool.clear_idle();
                    if reused && retry_safe && !retried {
                        retried = true;
                        continue;
                    }
                    self.note(&msg);
                    return Err(StoreError::Unavailable { retryable: true });
                }
                Failure::Other(_) => {
                    // The transaction (if any) was rolled back when it was
                    // dropped; a connection the server closed is not reused.
                    return Err(self.fail(&error));
                }
            }
        }
    }

    /// Idle pooled connections (for tests of the pool).
    #[doc(hidden)]
    pub fn idle_connections(&self) -> usize {
        self.pool.idle_count()
    }
}

/// A batch operation with its parameters in database types.
struct Planned<'a> {
    op: &'a Op,
    tbl: i64,
    key: &'a [u8],
}

impl Store for PostgresStore {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Record>, StoreError> {
        let tbl = table_id(table);
        self.with_conn(|conn| {
            let row = conn
                .client
                .query_opt(&conn.stmts.get, &[&tbl, &key])
                .map_err(pg(true))?;
            let Some(row) = row else {
                return Ok(None);
            };
            let value: Vec<u8> = column(&row, 0).map_err(Attempt::Done)?;
            let version: i64 = column(&row, 1).map_err(Attempt::Done)?;
            Ok(Some(Record {
                value,
                version: version_from_db(version).map_err(Attempt::Done)?,
            }))
        })
    }

    fn scan(
        &self,
        table: Table,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: u32,
    ) -> Result<Vec<(Vec<u8>, Record)>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let tbl = table_id(table);
        let limit = i64::from(limit);
        let upper = prefix_successor(prefix);
        // Every key with the prefix is >= the prefix; past `after` only if
        // `after` is not below the prefix already.
        let (lower, exclusive) = match after {
            Some(a) if a >= prefix => (a, true),
            _ => (prefix, false),
        };
        self.with_conn(|conn| {
            let Conn { client, stmts } = conn;
            let rows = match (&upper, exclusive) {
                (Some(upper), false) => client.query(
                    &stmts.scan_ge_lt,
                    &[&tbl, &lower, &upper.as_slice(), &limit],
                ),
                (Some(upper), true) => client.query(
                    &stmts.scan_gt_lt,
                    &[&tbl, &lower, &upper.as_slice(), &limit],
                ),
                (None, false) => client.query(&stmts.scan_ge, &[&tbl, &lower, &limit]),
                (None, true) => client.query(&stmts.scan_gt, &[&tbl, &lower, &limit]),
            }
            .map_err(pg(true))?;
            rows.iter()
                .map(|row| {
                    let key: Vec<u8> = column(row, 0)?;
                    let value: Vec<u8> = column(row, 1)?;
                    let version = version_from_db(column(row, 2)?)?;
                    Ok((key, Record { value, version }))
                })
                .collect::<Result<Vec<_>, StoreError>>()
                .map_err(Attempt::Done)
        })
    }

    fn commit(&self, ops: &[Op]) -> Result<(), StoreError> {
        if batch_has_duplicates(ops) {
            return Err(StoreError::Conflict);
        }
        if ops.is_empty() {
            return Ok(());
        }
        let mut plan: Vec<Planned<'_>> = Vec::with_capacity(ops.len());
        for op in ops {
            let (table, key, expect) = op.target();
            if !matches!(op, Op::Put { .. } | Op::Delete { .. } | Op::Check { .. }) {
                return Err(PgError::UnsupportedOp.into());
            }
            // Stored versions fit in a BIGINT: a larger `expect` can match
            // no record.
            if i64::try_from(expect.0).is_err() {
                return Err(StoreError::Conflict);
            }
            plan.push(Planned {
                op,
                tbl: table_id(table),
                key,
            });
        }
        // One lock order for every batch: no deadlocks between batches.
        plan.sort_by(|a, b| (a.tbl, a.key).cmp(&(b.tbl, b.key)));
        const EMPTY: &[u8] = &[];
        self.with_conn(|conn| {
            let Conn { client, stmts } = conn;
            let mut tx = client.transaction().map_err(pg(true))?;
            let mut held: Vec<(i64, &[u8])> = Vec::new();
            for p in &plan {
                let (tbl, key) = (p.tbl, p.key);
                let ok = match p.op {
                    Op::Put { value, expect, .. } if *expect == Version::ABSENT => {
                        tx.execute(&stmts.insert, &[&tbl, &key, &value.as_slice()])
                            .map_err(pg(true))?
                            == 1
                    }
                    Op::Put { value, expect, .. } => {
                        // `expect` fits in an i64 (checked above).
                        let current = i64::try_from(expect.0).unwrap_or(i64::MAX);
                        let Some(next) = current.checked_add(1) else {
                            // Only a record at the largest version could
                            // match; it cannot be incremented.
                            let row = tx
                                .query_opt(&stmts.lock_version, &[&tbl, &key])
                                .map_err(pg(true))?;
                            let at_max = match row {
                                Some(row) => {
                                    column::<i64>(&row, 0).map_err(Attempt::Done)? == current
                                }
                                None => false,
                            };
                            return Err(Attempt::Done(if at_max {
                                PgError::VersionOverflow.into()
                            } else {
                                StoreError::Conflict
                            }));
                        };
                        tx.execute(
                            &stmts.update,
                            &[&tbl, &key, &value.as_slice(), &next, &current],
                        )
                        .map_err(pg(true))?
                            == 1
                    }
                    Op::Delete { expect, .. } | Op::Check { expect, .. }
                        if *expect == Version::ABSENT =>
                    {
                        let held_now = tx
                            .execute(&stmts.hold_absent, &[&tbl, &key, &EMPTY])
                            .map_err(pg(true))?
                            == 1;
                        if held_now {
                            held.push((tbl, key));
                        }
                        held_now
                    }
                    Op::Delete { expect, .. } => {
                        let current = i64::try_from(expect.0).unwrap_or(i64::MAX);
                        tx.execute(&stmts.delete, &[&tbl, &key, &current])
                            .map_err(pg(true))?
                            == 1
                    }
                    Op::Check { expect, .. } => {
                        let current = i64::try_from(expect.0).unwrap_or(i64::MAX);
                        let row = tx
                            .query_opt(&stmts.lock_version, &[&tbl, &key])
                            .map_err(pg(true))?;
                        match row {
                            Some(row) => column::<i64>(&row, 0).map_err(Attempt::Done)? == current,
                            None => false,
                        }
                    }
                    _ => return Err(Attempt::Done(PgError::UnsupportedOp.into())),
                };
                if !ok {
                    // Dropping `tx` rolls back: nothing is written.
                    return Err(Attempt::Done(StoreError::Conflict));
                }
            }
            for (tbl, key) in &held {
                tx.execute(&stmts.release_absent, &[tbl, key])
                    .map_err(pg(true))?;
            }
            // Past this point the outcome may be unknown to us if the
            // connection fails: never retried.
            tx.commit().map_err(pg(false))
        })
    }
}

/// The error text of a client error, for tests and diagnostics.
#[doc(hidden)]
pub fn describe_error(e: &postgres::Error) -> String {
    describe(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_successor_handles_trailing_ff() {
        assert_eq!(prefix_successor(b""), None);
        assert_eq!(prefix_successor(b"\xff\xff"), None);
        assert_eq!(prefix_successor(b"a\xff"), Some(b"b".to_vec()));
        assert_eq!(prefix_successor(b"a\xfe\xff"), Some(b"a\xff".to_vec()));
    }

    #[test]
    fn options_setters() {
        let o = PostgresOptions::default()
            .max_connections(0)
            .pool_wait(Duration::from_millis(5));
        assert_eq!(o.max_connections, 1);
        assert_eq!(o.pool_wait, Duration::from_millis(5));
    }
}
