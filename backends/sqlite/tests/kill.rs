//! Crash safety: a writer process killed with SIGKILL at random moments of
//! its commits leaves only whole batches behind, and every commit it saw
//! acknowledged is there (the shared harness of
//! [`credcycle::testing::crash`], ≥ 20 kills; `CREDCYCLE_KILL_SEED`
//! replays a schedule).
//!
//! The writer is this test binary itself, re-executed with `--exact
//! child_writer_process` and [`CHILD_DB_ENV`] naming the database file.
#![cfg(unix)]

use credcycle::testing::crash::{self, KillTest};
use credcycle_sqlite::SqliteStore;

/// Set (to the database path) only in the child process.
const CHILD_DB_ENV: &str = "CREDCYCLE_SQLITE_KILL_TEST_DB";

/// The child's body. Outside the kill test (no [`CHILD_DB_ENV`]) it returns
/// at once and passes.
#[test]
fn child_writer_process() {
    let Some(db) = std::env::var_os(CHILD_DB_ENV) else {
        return;
    };
    crash::child_writer(&SqliteStore::open(&db).expect("child: open"));
}

#[test]
fn killed_writer_leaves_only_whole_batches() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("kill.sqlite");
    crash::prepare(&SqliteStore::open(&db).expect("open"));
    KillTest {
        child_env: (CHILD_DB_ENV, db.clone().into_os_string()),
        rounds: 24,
    }
    .run(|| {
        // The file itself is sound (a dead writer leaves nothing in flight
        // with SQLite: its locks died with it).
        let conn = rusqlite::Connection::open(&db).expect("raw open");
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("integrity_check");
        assert_eq!(check, "ok");
        SqliteStore::open(&db).expect("reopen after kill")
    });
}
