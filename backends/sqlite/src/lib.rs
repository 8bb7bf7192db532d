#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs, rustdoc::broken_intra_doc_links)]

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use credcycle::store::batch_has_duplicates;
use credcycle::{Op, Record, Store, StoreError, Table, Version};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

mod error;
mod schema;

pub use error::SqliteError;

use error::map_err;

/// How hard SQLite works to make a commit durable (`PRAGMA synchronous`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Synchronous {
    /// `synchronous=FULL` (the default): the WAL is synced to disk before
    /// `commit` returns, so a committed batch survives a power cut or OS
    /// crash. The store backs one-time tokens, recovery codes and rotations:
    /// "committed, then forgotten after a crash" would let a used token be
    /// used again, so durability wins over speed by default.
    #[default]
    Full,
    /// `synchronous=NORMAL`: faster (no sync per commit). Still atomic and
    /// consistent, and a process crash loses nothing; but a power cut or OS
    /// crash may roll back the last commits. Use only where replaying
    /// recently consumed credentials after a power loss is acceptable.
    Normal,
}

/// Options of [`SqliteStore::open_with`]. Build from [`Default`] with the
/// setters.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SqliteOptions {
    /// Durability of commits (default [`Synchronous::Full`]).
    pub synchronous: Synchronous,
    /// How long a call waits for a lock held by another connection or
    /// process before failing with `StoreError::Unavailable { retryable:
    /// true }` (default 5 s).
    pub busy_timeout: Duration,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            synchronous: Synchronous::Full,
            busy_timeout: Duration::from_secs(5),
        }
    }
}

impl SqliteOptions {
    /// Sets [`SqliteOptions::synchronous`].
    pub fn synchronous(mut self, synchronous: Synchronous) -> Self {
        self.synchronous = synchronous;
        self
    }

    /// Sets [`SqliteOptions::busy_timeout`].
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }
}

/// A [`Store`] in one SQLite database file.
///
/// # Thread safety and sharing
/// A handle is `Send + Sync` and meant to be shared (`Arc<dyn Store>`). It
/// holds two connections, each behind a mutex: a writer, used by
/// [`commit`](Store::commit), and a reader, used by `get` and `scan`, so reads
/// proceed while a commit waits for the disk (WAL lets readers and one writer
/// run at once). Any number of handles, in any number of processes, may open
/// the same file: every commit is a `BEGIN IMMEDIATE` transaction, and SQLite
/// admits one such transaction at a time, so compare-and-swap holds across
/// all of them. A commit is visible to every `get`/`scan` that starts after
/// it returned, through any handle.
///
/// An in-memory store ([`SqliteStore::open_in_memory`]) has one connection
/// and is private to its handle.
pub struct SqliteStore {
    writer: Mutex<Connection>,
    /// `None` for an in-memory database (reads use the writer).
    reader: Option<Mutex<Connection>>,
    path: Option<PathBuf>,
    options: SqliteOptions,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// The schema version this build creates and understands.
    pub const SCHEMA_VERSION: i64 = schema::LATEST;

    /// Opens (creating it if needed) the database at `path` with default
    /// [`SqliteOptions`]: WAL journal, `synchronous=FULL`, 5 s busy timeout.
    ///
    /// # Errors
    /// - [`SqliteError::SchemaTooNew`] (in `StoreError::Backend`) if a newer
    ///   release wrote the database; the file is left untouched.
    /// - `StoreError::Corrupt` if the file is not a SQLite database.
    /// - `StoreError::Unavailable { retryable: true }` if another process
    ///   holds the database locked for longer than the busy timeout.
    /// - `StoreError::Backend` for I/O failures (missing directory,
    ///   permissions, …).
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        Self::open_with(path, SqliteOptions::default())
    }

    /// Opens (creating it if needed) the database at `path` with `options`.
    ///
    /// # Errors
    /// As [`SqliteStore::open`].
    pub fn open_with(
        path: impl AsRef<Path>,
        options: SqliteOptions,
    ) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref();
        // No SQLITE_OPEN_URI: a path is a path. NO_MUTEX: the `Mutex`
        // around each connection serializes access.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut writer = Connection::open_with_flags(path, flags).map_err(map_err)?;
        writer.busy_timeout(options.busy_timeout).map_err(map_err)?;
        // Refuse a newer schema before changing anything in the file.
        schema::current_version(&writer)?;
        enable_wal(&writer)?;
        set_synchronous(&writer, options.synchronous)?;
        schema::migrate(&mut writer)?;

        let reader = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(map_err)?;
        reader.busy_timeout(options.busy_timeout).map_err(map_err)?;
        reader
            .execute_batch("PRAGMA query_only = ON")
            .map_err(map_err)?;

        Ok(SqliteStore {
            writer: Mutex::new(writer),
            reader: Some(Mutex::new(reader)),
            path: Some(path.to_path_buf()),
            options,
        })
    }

    /// A new, empty database in memory: not durable, and private to this
    /// handle. For tests and throwaway use.
    ///
    /// # Errors
    /// `StoreError::Backend` if SQLite cannot allocate the database.
    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        let mut conn = Connection::open_in_memory().map_err(map_err)?;
        schema::migrate(&mut conn)?;
        Ok(SqliteStore {
            writer: Mutex::new(conn),
            reader: None,
            path: None,
            options: SqliteOptions::default(),
        })
    }

    /// The database file, or `None` for an in-memory store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The options the store was opened with.
    pub fn options(&self) -> &SqliteOptions {
        &self.options
    }

    fn writer(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        lock(&self.writer)
    }

    fn reader(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        lock(self.reader.as_ref().unwrap_or(&self.writer))
    }
}

/// Locks a connection. A poisoned mutex (a panic while it was held) is
/// recovered: the only state that could be left behind is an open
/// transaction, which is rolled back, so the batch it belonged to is not
/// applied.
fn lock(m: &Mutex<Connection>) -> Result<MutexGuard<'_, Connection>, StoreError> {
    let conn = m.lock().unwrap_or_else(PoisonError::into_inner);
    if !conn.is_autocommit() {
        conn.execute_batch("ROLLBACK").map_err(map_err)?;
    }
    Ok(conn)
}

fn enable_wal(conn: &Connection) -> Result<(), StoreError> {
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(map_err)?;
    if mode.eq_ignore_ascii_case("wal") {
        Ok(())
    } else {
        Err(SqliteError::NotWal(mode).into())
    }
}

fn set_synchronous(conn: &Connection, s: Synchronous) -> Result<(), StoreError> {
    let sql = match s {
        Synchronous::Full => "PRAGMA synchronous = FULL",
        Synchronous::Normal => "PRAGMA synchronous = NORMAL",
    };
    conn.execute_batch(sql).map_err(map_err)
}

const GET: &str = "SELECT value, version FROM records WHERE tbl = ?1 AND key = ?2";
const VERSION: &str = "SELECT version FROM records WHERE tbl = ?1 AND key = ?2";
const UPSERT: &str = "INSERT INTO records (tbl, key, value, version) VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (tbl, key) DO UPDATE SET value = excluded.value, version = excluded.version";
const DELETE: &str = "DELETE FROM records WHERE tbl = ?1 AND key = ?2";

// One statement per bound shape, so that each is a range search of the
// primary key (tbl, key): `?2` is the lower bound (inclusive: the prefix;
// exclusive: `after`), `?3` the exclusive upper bound (the prefix's
// successor) when there is one.
const SCAN_GE_LT: &str = "SELECT key, value, version FROM records
     WHERE tbl = ?1 AND key >= ?2 AND key < ?3 ORDER BY key LIMIT ?4";
const SCAN_GT_LT: &str = "SELECT key, value, version FROM records
     WHERE tbl = ?1 AND key > ?2 AND key < ?3 ORDER BY key LIMIT ?4";
const SCAN_GE: &str = "SELECT key, value, version FROM records
     WHERE tbl = ?1 AND key >= ?2 ORDER BY key LIMIT ?3";
const SCAN_GT: &str = "SELECT key, value, version FROM records
     WHERE tbl = ?1 AND key > ?2 ORDER BY key LIMIT ?3";

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

fn table_id(t: Table) -> i64 {
    i64::from(t.as_u32())
}

fn version_from_db(v: i64) -> Result<Version, StoreError> {
    match u64::try_from(v) {
        Ok(v) if v >= 1 => Ok(Version(v)),
        _ => Err(StoreError::Corrupt("stored record version is not positive")),
    }
}

fn version_to_db(v: Version) -> Result<i64, StoreError> {
    i64::try_from(v.0).map_err(|_| SqliteError::VersionOverflow.into())
}

impl Store for SqliteStore {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Record>, StoreError> {
        let conn = self.reader()?;
        let mut stmt = conn.prepare_cached(GET).map_err(map_err)?;
        let row = stmt
            .query_row(params![table_id(table), key], |r| {
                Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?))
            })
            .optional()
            .map_err(map_err)?;
        row.map(|(value, version)| {
            Ok(Record {
                value,
                version: version_from_db(version)?,
            })
        })
        .transpose()
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
        let conn = self.reader()?;
        let read = |r: &rusqlite::Row<'_>| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, i64>(2)?,
            ))
        };
        let rows: Vec<(Vec<u8>, Vec<u8>, i64)> = match (&upper, exclusive) {
            (Some(upper), false) => conn.prepare_cached(SCAN_GE_LT).and_then(|mut s| {
                s.query_map(params![tbl, lower, upper, limit], read)?
                    .collect()
            }),
            (Some(upper), true) => conn.prepare_cached(SCAN_GT_LT).and_then(|mut s| {
                s.query_map(params![tbl, lower, upper, limit], read)?
                    .collect()
            }),
            (None, false) => conn
                .prepare_cached(SCAN_GE)
                .and_then(|mut s| s.query_map(params![tbl, lower, limit], read)?.collect()),
            (None, true) => conn
                .prepare_cached(SCAN_GT)
                .and_then(|mut s| s.query_map(params![tbl, lower, limit], read)?.collect()),
        }
        .map_err(map_err)?;
        rows.into_iter()
            .map(|(key, value, version)| {
                Ok((
                    key,
                    Record {
                        value,
                        version: version_from_db(version)?,
                    },
                ))
            })
            .collect()
    }

    fn commit(&self, ops: &[Op]) -> Result<(), StoreError> {
        if batch_has_duplicates(ops) {
            return Err(StoreError::Conflict);
        }
        if ops.is_empty() {
            return Ok(());
        }
        let mut conn = self.writer()?;
        // IMMEDIATE takes the write lock now (waiting up to the busy
        // timeout), so no other writer can slip in between our version
        // checks and our writes. Dropping `tx` without `commit` rolls back.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(map_err)?;
        {
            let mut current = tx.prepare_cached(VERSION).map_err(map_err)?;
            for op in ops {
                let (table, key, expect) = op.target();
                let found = current
                    .query_row(params![table_id(table), key], |r| r.get::<_, i64>(0))
                    .optional()
                    .map_err(map_err)?;
                let found = match found {
                    Some(v) => version_from_db(v)?,
                    None => Version::ABSENT,
                };
                if found != expect {
                    return Err(StoreError::Conflict);
                }
            }
        }
        {
            let mut upsert = tx.prepare_cached(UPSERT).map_err(map_err)?;
            let mut delete = tx.prepare_cached(DELETE).map_err(map_err)?;
            for op in ops {
                match op {
                    Op::Put {
                        table,
                        key,
                        value,
                        expect,
                    } => {
                        let next = version_to_db(*expect)?
                            .checked_add(1)
                            .ok_or(SqliteError::VersionOverflow)?;
                        upsert
                            .execute(params![table_id(*table), key, value, next])
                            .map_err(map_err)?;
                    }
                    Op::Delete { table, key, .. } => {
                        delete
                            .execute(params![table_id(*table), key])
                            .map_err(map_err)?;
                    }
                    Op::Check { .. } => {}
                    _ => return Err(SqliteError::UnsupportedOp.into()),
                }
            }
        }
        tx.commit().map_err(map_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_successor_handles_trailing_ff() {
        assert_eq!(prefix_successor(b""), None);
        assert_eq!(prefix_successor(b"\xff"), None);
        assert_eq!(prefix_successor(b"\xff\xff\xff"), None);
        assert_eq!(prefix_successor(b"a"), Some(b"b".to_vec()));
        assert_eq!(prefix_successor(b"a\xff"), Some(b"b".to_vec()));
        assert_eq!(prefix_successor(b"a\xfe\xff\xff"), Some(b"a\xff".to_vec()));
        assert_eq!(prefix_successor(b"\x00"), Some(b"\x01".to_vec()));
        assert_eq!(prefix_successor(b"ab\x00"), Some(b"ab\x01".to_vec()));
    }

    /// Every scan shape is a range search of the primary key, never a
    /// table scan, and is ordered by the index (no sort step).
    #[test]
    fn scans_use_primary_key_range() {
        let store = SqliteStore::open_in_memory().expect("open");
        let conn = store.writer().expect("lock");
        // (SQLite prints `key>?` for both `>` and `>=` bounds.)
        for (sql, n, search) in [
            (SCAN_GE_LT, 4, "(tbl=? AND key>? AND key<?)"),
            (SCAN_GT_LT, 4, "(tbl=? AND key>? AND key<?)"),
            (SCAN_GE, 3, "(tbl=? AND key>?)"),
            (SCAN_GT, 3, "(tbl=? AND key>?)"),
            (GET, 2, "(tbl=? AND key=?)"),
            (VERSION, 2, "(tbl=? AND key=?)"),
        ] {
            let mut stmt = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .expect("prepare");
            let args: Vec<rusqlite::types::Value> = (0..n)
                .map(|i| match i {
                    0 => rusqlite::types::Value::Integer(1),
                    3 => rusqlite::types::Value::Integer(10),
                    2 if n == 3 => rusqlite::types::Value::Integer(10),
                    _ => rusqlite::types::Value::Blob(b"k".to_vec()),
                })
                .collect();
            let plan: Vec<String> = stmt
                .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
                .expect("plan")
                .collect::<Result<_, _>>()
                .expect("plan rows");
            let plan = plan.join(" | ");
            assert!(
                plan.contains(&format!("SEARCH records USING PRIMARY KEY {search}")),
                "{sql}: {plan}"
            );
            assert!(!plan.contains("TEMP B-TREE"), "{sql} sorts: {plan}");
        }
    }

    #[test]
    fn in_memory_store_is_at_latest_schema() {
        let store = SqliteStore::open_in_memory().expect("open");
        let conn = store.writer().expect("lock");
        assert_eq!(schema::current_version(&conn).expect("version"), 1);
        assert_eq!(SqliteStore::SCHEMA_VERSION, 1);
    }
}
