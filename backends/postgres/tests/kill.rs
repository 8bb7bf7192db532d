//! Crash safety: a writer process killed with SIGKILL in the middle of its
//! commits leaves only whole batches behind, and every commit it saw
//! acknowledged is there.
//!
//! The writer is this test binary itself, re-executed with `--exact
//! child_writer_process` and [`CHILD_URL_ENV`] naming the database. It
//! commits batches that write one counter value to [`KEYS`] keys at once
//! (plus a `Check` of a marker record) and prints `committed N` after each
//! commit returns. The parent kills it at varying points ≥ 20 times, waits
//! until the server has dropped the dead connection, and checks.
//!
//! Returns early with a notice when `CREDCYCLE_TEST_PG_URL` is unset,
//! unless `CREDCYCLE_REQUIRE_SERVICES=1`.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use credcycle::{Op, Store, StoreError, Table, Version};
use credcycle_postgres::PostgresStore;
use credcycle_postgres::testing::{URL_ENV, fresh_database, service_env};

/// Set (to the database URL) only in the child process.
const CHILD_URL_ENV: &str = "CREDCYCLE_PG_KILL_TEST_URL";
/// Keys written by every batch.
const KEYS: usize = 5;
/// Bytes of each value.
const VALUE_LEN: usize = 6000;

fn key(i: usize) -> Vec<u8> {
    format!("counter/{i}").into_bytes()
}

fn value(n: u64) -> Vec<u8> {
    let mut v = n.to_be_bytes().to_vec();
    v.extend((0..VALUE_LEN as u64).map(|i| (i.wrapping_mul(31) ^ n) as u8));
    v
}

/// The child's body. Outside the kill test it returns at once and passes.
#[test]
fn child_writer_process() {
    let Ok(url) = std::env::var(CHILD_URL_ENV) else {
        return;
    };
    let store = PostgresStore::connect(&url).expect("child: connect");
    let read = |store: &PostgresStore| {
        store
            .get(Table::Secret, &key(0))
            .expect("child: get")
            .map_or(0, |r| r.version.0)
    };
    let mut n = read(&store);
    let mut out = std::io::stdout().lock();
    for _ in 0..1_000_000 {
        let mut ops: Vec<Op> = (0..KEYS)
            .map(|i| Op::Put {
                table: Table::Secret,
                key: key(i),
                value: value(n + 1),
                expect: Version(n),
            })
            .collect();
        ops.push(Op::Check {
            table: Table::Meta,
            key: b"marker".to_vec(),
            expect: Version(1),
        });
        match store.commit(&ops) {
            Ok(()) => n += 1,
            // A commit of the killed predecessor landed after we read.
            Err(StoreError::Conflict) => {
                n = read(&store);
                continue;
            }
            Err(e) => panic!("child: commit: {e}"),
        }
        if writeln!(out, "committed {n}")
            .and_then(|()| out.flush())
            .is_err()
        {
            return;
        }
    }
}

/// Every key has the same version `n` and holds batch `n`'s value.
fn check_whole(store: &PostgresStore) -> u64 {
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
    n
}

/// Bounded polling until the server has ended every other session on the
/// database (the killed child's), so that nothing is still in flight.
fn wait_for_dead_sessions(url: &str) {
    let mut client = postgres::Client::connect(url, postgres::NoTls).expect("admin connect");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let others: i64 = client
            .query_one(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
                &[],
            )
            .expect("pg_stat_activity")
            .get(0);
        if others == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "server kept the dead child's session"
        );
        std::thread::yield_now();
    }
}

#[test]
fn killed_writer_leaves_only_whole_batches() {
    let Some(admin) = service_env(URL_ENV) else {
        return;
    };
    let url = fresh_database(&admin, "kill");
    {
        let store = PostgresStore::connect(&url).expect("connect");
        store
            .commit(&[Op::Put {
                table: Table::Meta,
                key: b"marker".to_vec(),
                value: b"m".to_vec(),
                expect: Version::ABSENT,
            }])
            .expect("marker");
    }
    let exe = std::env::current_exe().expect("test binary path");
    let mut committed = 0u64;
    // Per round: commits to see, then polls of the child before the kill
    // (shifting the kill to varying points of the next commit).
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
            .env(CHILD_URL_ENV, &url)
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
                if let Some(i) = line.find("committed ") {
                    let n = line[i + 10..].trim().parse().expect("counter");
                    if tx.send(n).is_err() {
                        break;
                    }
                }
            }
        });
        let mut reported = committed;
        for _ in 0..wait_for {
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
        reported = rx.try_iter().fold(reported, u64::max);
        assert!(reported > committed, "child made progress");

        wait_for_dead_sessions(&url);
        let store = PostgresStore::connect(&url).expect("reconnect after kill");
        let on_disk = check_whole(&store);
        // Every acknowledged commit is there; at most the one in flight
        // beyond that.
        assert!(
            on_disk == reported || on_disk == reported + 1,
            "on server {on_disk}, child reported {reported}"
        );
        committed = on_disk;
    }
}
