//! Crash safety: a writer process killed with SIGKILL in the middle of its
//! commits leaves only whole batches behind.
//!
//! The writer is this test binary itself, re-executed with
//! `--exact child_writer_process` and [`CHILD_DB_ENV`] naming the database.
//! It commits batches that write one counter value to [`KEYS`] keys at once
//! and prints `committed N` after each commit returns. The parent kills it
//! once it has seen some progress, reopens the database and checks that
//! every batch is whole and that every reported commit is there.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use credcycle::{Op, Store, Table, Version};
use credcycle_sqlite::SqliteStore;

/// Set (to the database path) only in the child process.
const CHILD_DB_ENV: &str = "CREDCYCLE_SQLITE_KILL_TEST_DB";
/// Keys written by every batch.
const KEYS: usize = 5;
/// Bytes of each value: large enough that a batch spans many pages.
const VALUE_LEN: usize = 6000;

fn key(i: usize) -> Vec<u8> {
    format!("counter/{i}").into_bytes()
}

/// Batch `n`'s value: `n`, then filler derived from `n` (so a torn or mixed
/// value is detected too).
fn value(n: u64) -> Vec<u8> {
    let mut v = n.to_be_bytes().to_vec();
    v.extend((0..VALUE_LEN as u64).map(|i| (i.wrapping_mul(31) ^ n) as u8));
    v
}

/// The child's body. Outside the kill test (no [`CHILD_DB_ENV`]) it returns
/// at once and passes.
#[test]
fn child_writer_process() {
    let Some(db) = std::env::var_os(CHILD_DB_ENV) else {
        return;
    };
    let store = SqliteStore::open(&db).expect("child: open");
    // Continue from where the previous (killed) child stopped.
    let mut n = store
        .get(Table::Secret, &key(0))
        .expect("child: get")
        .map_or(0, |r| r.version.0);
    let mut out = std::io::stdout().lock();
    // Bounded; in practice the parent kills the child long before.
    for _ in 0..1_000_000 {
        let ops: Vec<Op> = (0..KEYS)
            .map(|i| Op::Put {
                table: Table::Secret,
                key: key(i),
                value: value(n + 1),
                expect: Version(n),
            })
            .collect();
        store.commit(&ops).expect("child: commit");
        n += 1;
        // The parent stopped listening: nothing more to do.
        if writeln!(out, "committed {n}")
            .and_then(|()| out.flush())
            .is_err()
        {
            return;
        }
    }
}

/// Every key has the same version `n` and holds batch `n`'s value; returns
/// `n`.
fn check_whole(path: &Path) -> u64 {
    let store = SqliteStore::open(path).expect("reopen after kill");
    let first = store
        .get(Table::Secret, &key(0))
        .expect("get")
        .expect("at least one batch committed");
    let n = first.version.0;
    for i in 0..KEYS {
        let rec = store
            .get(Table::Secret, &key(i))
            .expect("get")
            .unwrap_or_else(|| panic!("key {i} missing: torn batch"));
        assert_eq!(rec.version, Version(n), "key {i}: torn batch");
        assert!(rec.value == value(n), "key {i}: value is not batch {n}'s");
    }
    let rows = store
        .scan(Table::Secret, b"counter/", None, 100)
        .expect("scan");
    assert_eq!(rows.len(), KEYS);
    drop(store);
    let conn = rusqlite::Connection::open(path).expect("raw open");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(check, "ok");
    n
}

#[test]
fn killed_writer_leaves_only_whole_batches() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("kill.sqlite");
    let exe = std::env::current_exe().expect("test binary path");
    let mut committed = 0u64;
    // Per round: how many commits to see, then how many times to poll the
    // child before killing it. The kill is triggered by a progress line,
    // which the child prints at one fixed point of its loop; the polls
    // shift the kill to varying points of the following commit.
    let rounds: [(usize, u32); 24] = [
        (1, 0),
        (7, 10),
        (3, 40),
        (20, 100),
        (2, 250),
        (5, 600),
        (1, 1500),
        (9, 4000),
        (2, 20),
        (4, 170),
        (3, 900),
        (6, 2500),
        (1, 5),
        (12, 60),
        (2, 300),
        (8, 1200),
        (3, 3000),
        (1, 80),
        (5, 450),
        (2, 7000),
        (10, 30),
        (4, 2000),
        (1, 350),
        (6, 10_000),
    ];
    for (wait_for, polls) in rounds {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "child_writer_process",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DB_ENV, &db)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn child");
        let stdout = child.stdout.take().expect("child stdout");
        let (tx, rx) = mpsc::channel::<u64>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // Other lines are the test harness talking.
                if let Some(n) = line.strip_prefix("committed ") {
                    let n = n.trim().parse().expect("counter");
                    if tx.send(n).is_err() {
                        break;
                    }
                }
            }
        });
        let mut reported = committed;
        for _ in 0..wait_for {
            // A safety bound, not a pacing sleep: fail instead of hanging if
            // the child stops making progress.
            match rx.recv_timeout(Duration::from_secs(60)) {
                Ok(n) => reported = n,
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("child made no progress ({e}); last reported {reported}");
                }
            }
        }
        for _ in 0..polls {
            if let Some(status) = child.try_wait().expect("poll child") {
                panic!("child exited on its own: {status}");
            }
        }
        child.kill().expect("SIGKILL child");
        let status = child.wait().expect("reap child");
        assert_eq!(
            status.signal(),
            Some(libc::SIGKILL),
            "child died by SIGKILL"
        );
        reader.join().expect("reader thread");
        // Commits that returned before the kill but were not read yet.
        reported = rx.try_iter().fold(reported, u64::max);
        assert!(reported > committed, "child made progress");

        let on_disk = check_whole(&db);
        // Every commit the child saw return is durable; at most the one in
        // flight may be there beyond that.
        assert!(
            on_disk == reported || on_disk == reported + 1,
            "on disk {on_disk}, child reported {reported}"
        );
        committed = on_disk;
    }
}
