//! SQLite-specific behaviour: persistence, schema versioning, locking and
//! error mapping.

use std::path::Path;
use std::time::Duration;

use credcycle::{Op, Store, StoreError, Table, Version};
use credcycle_sqlite::{SqliteError, SqliteOptions, SqliteStore};
use rusqlite::Connection;

fn put(key: &[u8], value: &[u8], expect: u64) -> Op {
    Op::Put {
        table: Table::Secret,
        key: key.to_vec(),
        value: value.to_vec(),
        expect: Version(expect),
    }
}

fn migrations(path: &Path) -> Vec<(i64, String)> {
    let conn = Connection::open(path).expect("open raw connection");
    let mut stmt = conn
        .prepare("SELECT version, applied_at FROM credcycle_migrations ORDER BY version")
        .expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[test]
fn reopen_keeps_every_committed_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store.sqlite");
    {
        let store = SqliteStore::open(&path).expect("open");
        assert_eq!(store.path(), Some(path.as_path()));
        for i in 0..300u32 {
            let key = format!("key-{i:04}");
            store
                .commit(&[put(key.as_bytes(), &i.to_be_bytes(), 0)])
                .expect("create");
        }
        for i in (0..300u32).step_by(3) {
            let key = format!("key-{i:04}");
            store
                .commit(&[put(key.as_bytes(), b"updated", 1)])
                .expect("update");
        }
    }
    let store = SqliteStore::open(&path).expect("reopen");
    let mut seen = 0u32;
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = store
            .scan(Table::Secret, b"key-", after.as_deref(), 7)
            .expect("scan");
        for (key, rec) in &page {
            let want_key = format!("key-{seen:04}");
            assert_eq!(key.as_slice(), want_key.as_bytes());
            if seen % 3 == 0 {
                assert_eq!(
                    (rec.value.as_slice(), rec.version),
                    (&b"updated"[..], Version(2))
                );
            } else {
                assert_eq!(
                    (rec.value.as_slice(), rec.version),
                    (&seen.to_be_bytes()[..], Version(1))
                );
            }
            seen += 1;
        }
        if page.len() < 7 {
            break;
        }
        after = page.last().map(|(k, _)| k.clone());
    }
    assert_eq!(seen, 300);
}

#[test]
fn new_database_is_wal_and_records_its_migration() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store.sqlite");
    drop(SqliteStore::open(&path).expect("open"));
    // Reopening applies nothing twice.
    drop(SqliteStore::open(&path).expect("reopen"));
    let m = migrations(&path);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].0, SqliteStore::SCHEMA_VERSION);
    assert!(!m[0].1.is_empty(), "applied_at recorded");
    let conn = Connection::open(&path).expect("raw open");
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("journal_mode");
    assert_eq!(mode, "wal");
}

#[test]
fn newer_schema_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store.sqlite");
    {
        let store = SqliteStore::open(&path).expect("open");
        store.commit(&[put(b"k", b"v", 0)]).expect("commit");
    }
    let future = SqliteStore::SCHEMA_VERSION + 1;
    {
        let conn = Connection::open(&path).expect("raw open");
        conn.execute(
            "INSERT INTO credcycle_migrations (version, applied_at) VALUES (?1, 'future')",
            [future],
        )
        .expect("record a future migration");
    }
    let err = SqliteStore::open(&path).expect_err("a newer schema must be refused");
    match SqliteError::from_store_error(&err) {
        Some(SqliteError::SchemaTooNew { found, supported }) => {
            assert_eq!(*found, future);
            assert_eq!(*supported, SqliteStore::SCHEMA_VERSION);
        }
        _ => panic!("expected SchemaTooNew, got {err:?}"),
    }
    // Refused again, and nothing was changed or added.
    assert!(SqliteStore::open(&path).is_err());
    let m = migrations(&path);
    assert_eq!(
        m.iter().map(|(v, _)| *v).collect::<Vec<_>>(),
        vec![1, future]
    );
    let conn = Connection::open(&path).expect("raw open");
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))
        .expect("count");
    assert_eq!(n, 1);
}

#[test]
fn garbage_file_is_corrupt_not_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("garbage.sqlite");
    let junk: Vec<u8> = (0..8192u32).map(|i| (i * 7 + 3) as u8).collect();
    std::fs::write(&path, &junk).expect("write junk");
    match SqliteStore::open(&path) {
        Err(StoreError::Corrupt(_)) => {}
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert_eq!(
        std::fs::read(&path).expect("read back"),
        junk,
        "file untouched"
    );
}

#[test]
fn missing_directory_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("no/such/dir/store.sqlite");
    match SqliteStore::open(&path) {
        Err(StoreError::Backend(_)) => {}
        other => panic!("expected Backend, got {other:?}"),
    }
}

#[test]
fn write_lock_held_elsewhere_is_unavailable_retryable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store.sqlite");
    let options = SqliteOptions::default().busy_timeout(Duration::from_millis(50));
    let store = SqliteStore::open_with(&path, options).expect("open");
    store.commit(&[put(b"k", b"v1", 0)]).expect("commit");

    // Another connection (as another process would) takes the write lock.
    let other = Connection::open(&path).expect("raw open");
    other
        .execute_batch("BEGIN IMMEDIATE")
        .expect("take write lock");
    match store.commit(&[put(b"k", b"v2", 1)]) {
        Err(StoreError::Unavailable { retryable: true }) => {}
        other => panic!("expected Unavailable {{ retryable: true }}, got {other:?}"),
    }
    // WAL: readers are not blocked by the writer.
    let rec = store
        .get(Table::Secret, b"k")
        .expect("get")
        .expect("present");
    assert_eq!(
        (rec.value.as_slice(), rec.version),
        (&b"v1"[..], Version(1))
    );

    other.execute_batch("ROLLBACK").expect("release");
    store
        .commit(&[put(b"k", b"v2", 1)])
        .expect("retry succeeds");
    let rec = store
        .get(Table::Secret, b"k")
        .expect("get")
        .expect("present");
    assert_eq!(rec.version, Version(2));
}

#[test]
fn open_while_locked_exclusively_is_unavailable_retryable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store.sqlite");
    drop(SqliteStore::open(&path).expect("create"));

    let other = Connection::open(&path).expect("raw open");
    other
        .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;")
        .expect("lock exclusively");
    let options = SqliteOptions::default().busy_timeout(Duration::from_millis(50));
    match SqliteStore::open_with(&path, options.clone()) {
        Err(StoreError::Unavailable { retryable: true }) => {}
        other => panic!("expected Unavailable {{ retryable: true }}, got {other:?}"),
    }
    drop(other);
    SqliteStore::open_with(&path, options).expect("open after release");
}

#[test]
fn debug_output_shows_no_data() {
    let store = SqliteStore::open_in_memory().expect("open");
    store
        .commit(&[put(b"k", b"top secret value", 0)])
        .expect("commit");
    let dbg = format!("{store:?}");
    assert!(dbg.contains("SqliteStore"));
    assert!(!dbg.contains("top secret"));
    let rec = store
        .get(Table::Secret, b"k")
        .expect("get")
        .expect("present");
    assert!(!format!("{rec:?}").contains("top secret"));
}
