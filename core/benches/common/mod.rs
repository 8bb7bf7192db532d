//! Baselines shared by the benches: a raw rusqlite connection set up like
//! `SqliteStore`'s writer (WAL, the same table shape) and a raw single-row
//! write transaction, so every "raw SQLite" figure measures the same thing.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, params};

/// A connection in WAL mode with `synchronous = FULL` (`full`) or `NORMAL`,
/// and an empty `records` table of the store's shape.
pub(crate) fn raw_connection(path: &Path, full: bool) -> Connection {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    conn.execute_batch(if full {
        "PRAGMA synchronous = FULL"
    } else {
        "PRAGMA synchronous = NORMAL"
    })
    .unwrap();
    conn.execute_batch(
        "CREATE TABLE records (
            tbl INTEGER NOT NULL,
            key BLOB NOT NULL,
            value BLOB NOT NULL,
            version INTEGER NOT NULL,
            PRIMARY KEY (tbl, key)
        ) WITHOUT ROWID;",
    )
    .unwrap();
    conn
}

/// A FULL connection holding one row `(tbl, x'00')` for [`raw_update`].
pub(crate) fn raw_connection_with_row(path: &Path, tbl: i64) -> Connection {
    let conn = raw_connection(path, true);
    conn.execute(
        "INSERT INTO records VALUES (?1, x'00', x'00', 1)",
        params![tbl],
    )
    .unwrap();
    conn
}

/// One single-row write transaction: the row `(tbl, x'00')` gets the next
/// counter value (a use count, an accepted TOTP step).
pub(crate) fn raw_update(conn: &Connection, tbl: i64, n: &mut i64) {
    *n += 1;
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    conn.prepare_cached(
        "UPDATE records SET value = ?1, version = ?2 WHERE tbl = ?3 AND key = x'00'",
    )
    .unwrap()
    .execute(params![n.to_be_bytes().as_slice(), *n, tbl])
    .unwrap();
    conn.execute_batch("COMMIT").unwrap();
}
