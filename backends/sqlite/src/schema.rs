//! Schema migrations, recorded in `credcycle_migrations`.
//!
//! Migration `n` (1-based) is `MIGRATIONS[n - 1]`. Migrations are only ever
//! appended; a released one is never edited.

use credcycle::StoreError;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use crate::error::{SqliteError, map_err};

/// Every migration, in order.
const MIGRATIONS: &[&str] = &[
    // 1: the record table. `tbl` is `Table::as_u32`; keys compare as bytes
    // (BLOB memcmp), which is the order `Store::scan` promises.
    "CREATE TABLE records (
        tbl INTEGER NOT NULL,
        key BLOB NOT NULL,
        value BLOB NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (tbl, key)
    ) WITHOUT ROWID;",
];

/// The schema version this build writes and understands.
pub(crate) const LATEST: i64 = MIGRATIONS.len() as i64;

const CREATE_MIGRATIONS: &str = "CREATE TABLE IF NOT EXISTS credcycle_migrations (
    version INTEGER PRIMARY KEY,
    applied_at TEXT NOT NULL
)";

/// The schema version recorded in the database (0 for a new or foreign
/// database), without writing anything.
pub(crate) fn current_version(conn: &Connection) -> Result<i64, StoreError> {
    let has_table: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'credcycle_migrations'",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(map_err)?;
    if has_table.is_none() {
        return Ok(0);
    }
    let v: i64 = conn
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM credcycle_migrations",
            [],
            |r| r.get(0),
        )
        .map_err(map_err)?;
    check_known(v)
}

fn check_known(v: i64) -> Result<i64, StoreError> {
    if v < 0 {
        return Err(StoreError::Corrupt("negative schema version"));
    }
    if v > LATEST {
        return Err(SqliteError::SchemaTooNew {
            found: v,
            supported: LATEST,
        }
        .into());
    }
    Ok(v)
}

/// Brings the schema to [`LATEST`] in one write transaction. Concurrent
/// openers serialize on the write lock; the loser finds nothing to do.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(map_err)?;
    tx.execute_batch(CREATE_MIGRATIONS).map_err(map_err)?;
    let current: i64 = tx
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM credcycle_migrations",
            [],
            |r| r.get(0),
        )
        .map_err(map_err)?;
    let current = check_known(current)?;
    for (version, sql) in (1i64..).zip(MIGRATIONS).skip_while(|(v, _)| *v <= current) {
        tx.execute_batch(sql).map_err(map_err)?;
        // Diagnostic only; nothing reads it back.
        tx.execute(
            "INSERT INTO credcycle_migrations (version, applied_at)
             VALUES (?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            [version],
        )
        .map_err(map_err)?;
    }
    tx.commit().map_err(map_err)
}
