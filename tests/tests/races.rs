//! Exactly-once rules under real multi-process races, on PostgreSQL and on
//! one SQLite file: 4 OS processes (this test binary re-executed in child
//! mode) × 4 threads each race, round after round, on
//!
//! - (a) a one-time value consumed by a CAS `Delete` — exactly 1 success;
//! - (b) a use count limited to 10, each use a CAS increment — exactly 10;
//! - (c) a TOTP-style step: a CAS `Put` only if the new step is above the
//!   stored one — exactly 1 success.
//!
//! Rounds are coordinated through the store itself: the parent writes every
//! round's keys and a `go` key once all children are ready; a thread starts
//! round r only after round r-1 is complete (which needs ≥ 10 threads to
//! have taken part), so the threads of all processes stay in step and
//! really contend. Each child prints its successes per round; the parent
//! adds them up and checks the totals and the final records.
//!
//! The PostgreSQL run returns early with a notice when
//! `CREDCYCLE_TEST_PG_URL` is unset, unless `CREDCYCLE_REQUIRE_SERVICES=1`.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use credcycle::{Op, Store, StoreError, Table, Version};
use credcycle_postgres::PostgresStore;
use credcycle_sqlite::SqliteStore;

/// Set only in child processes: `postgres|URL|N` or `sqlite|PATH|N`.
const CHILD_ENV: &str = "CREDCYCLE_RACE_CHILD";
const PROCESSES: usize = 4;
const THREADS: usize = 4;
const ROUNDS: u64 = 100;
const USE_LIMIT: u64 = 10;
/// Bound on any wait for other processes' progress.
const PATIENCE: Duration = Duration::from_secs(90);
const T: Table = Table::Meta;

fn key(kind: &str, round: u64) -> Vec<u8> {
    format!("{kind}/{round:05}").into_bytes()
}

fn num(v: u64) -> Vec<u8> {
    v.to_be_bytes().to_vec()
}

fn read_num(bytes: &[u8]) -> u64 {
    u64::from_be_bytes(bytes.try_into().expect("8-byte counter"))
}

fn open(kind: &str, target: &str) -> Arc<dyn Store> {
    match kind {
        "postgres" => Arc::new(PostgresStore::connect(target).expect("connect")),
        "sqlite" => Arc::new(SqliteStore::open(target).expect("open")),
        other => panic!("unknown store kind {other}"),
    }
}

/// `get`, retrying a store that is busy (SQLite's lock wait ran out).
fn get(s: &dyn Store, k: &[u8]) -> Option<credcycle::Record> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match s.get(T, k) {
            Ok(r) => return r,
            Err(StoreError::Unavailable { retryable: true }) if Instant::now() < deadline => {}
            Err(e) => panic!("get {}: {e}", String::from_utf8_lossy(k)),
        }
    }
}

/// `commit`: `true` if applied, `false` on `Conflict`. A busy store
/// (nothing applied) is retried.
fn commit(s: &dyn Store, ops: &[Op]) -> bool {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match s.commit(ops) {
            Ok(()) => return true,
            Err(StoreError::Conflict) => return false,
            Err(StoreError::Unavailable { retryable: true }) if Instant::now() < deadline => {}
            Err(e) => panic!("commit {ops:?}: {e}"),
        }
    }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::yield_now();
    }
}

fn round_complete(s: &dyn Store, r: u64) -> bool {
    get(s, &key("otp", r)).is_none()
        && get(s, &key("uses", r)).is_some_and(|rec| read_num(&rec.value) == USE_LIMIT)
        && get(s, &key("totp", r)).is_some_and(|rec| read_num(&rec.value) > 0)
}

/// One thread's part of round `r`: its (otp, uses, totp) successes.
fn play_round(s: &dyn Store, r: u64) -> [u64; 3] {
    let mut won = [0u64; 3];
    // (a) Consume the one-time value.
    if let Some(rec) = get(s, &key("otp", r)) {
        let consumed = commit(
            s,
            &[Op::Delete {
                table: T,
                key: key("otp", r),
                expect: rec.version,
            }],
        );
        won[0] += u64::from(consumed);
    }
    // (b) Take one use, unless the limit is reached.
    loop {
        let rec = get(s, &key("uses", r)).expect("uses record");
        let used = read_num(&rec.value);
        if used >= USE_LIMIT {
            break;
        }
        let put = Op::Put {
            table: T,
            key: key("uses", r),
            value: num(used + 1),
            expect: rec.version,
        };
        if commit(s, &[put]) {
            won[1] += 1;
            break;
        }
    }
    // (c) Advance the step to this round's step, only forwards.
    let step = r + 1;
    loop {
        let rec = get(s, &key("totp", r)).expect("totp record");
        if read_num(&rec.value) >= step {
            break;
        }
        let put = Op::Put {
            table: T,
            key: key("totp", r),
            value: num(step),
            expect: rec.version,
        };
        if commit(s, &[put]) {
            won[2] += 1;
            break;
        }
    }
    won
}

/// The child's body (a no-op outside a race).
#[test]
fn child_race_process() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut parts = spec.splitn(3, '|');
    let (kind, target, _id) = (
        parts.next().expect("kind").to_owned(),
        parts.next().expect("target").to_owned(),
        parts.next().expect("id").to_owned(),
    );
    // One handle per thread: SQLite handles are separate connections; a
    // PostgreSQL handle is its own pool.
    let stores: Vec<Arc<dyn Store>> = (0..THREADS).map(|_| open(&kind, &target)).collect();
    // Ready: one CAS increment of the shared counter.
    loop {
        let rec = get(stores[0].as_ref(), b"ready");
        let (n, v) = rec.map_or((0, Version::ABSENT), |r| (read_num(&r.value), r.version));
        let put = Op::Put {
            table: T,
            key: b"ready".to_vec(),
            value: num(n + 1),
            expect: v,
        };
        if commit(stores[0].as_ref(), &[put]) {
            break;
        }
    }
    wait_until("go", || get(stores[0].as_ref(), b"go").is_some());
    let tallies: Vec<Vec<[u64; 3]>> = std::thread::scope(|scope| {
        let workers: Vec<_> = stores
            .iter()
            .map(|store| {
                scope.spawn(move || {
                    let s = store.as_ref();
                    (0..ROUNDS)
                        .map(|r| {
                            if r > 0 {
                                wait_until("the previous round", || round_complete(s, r - 1));
                            }
                            play_round(s, r)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("worker thread"))
            .collect()
    });
    // The parent reads these lines from the child's stdout.
    let mut out = std::io::stdout().lock();
    for r in 0..ROUNDS {
        let mut sum = [0u64; 3];
        for t in &tallies {
            for (s, w) in sum.iter_mut().zip(t[r as usize]) {
                *s += w;
            }
        }
        writeln!(out, "tally {r} {} {} {}", sum[0], sum[1], sum[2]).expect("stdout");
    }
    writeln!(out, "child done").expect("stdout");
}

fn race(kind: &str, target: &str) {
    let store = open(kind, target);
    // Every round's keys, before any child starts.
    let mut ops = Vec::new();
    for r in 0..ROUNDS {
        for (k, v) in [("otp", 1), ("uses", 0), ("totp", 0)] {
            ops.push(Op::Put {
                table: T,
                key: key(k, r),
                value: num(v),
                expect: Version::ABSENT,
            });
        }
    }
    for chunk in ops.chunks(60) {
        store.commit(chunk).expect("set up rounds");
    }
    let exe = std::env::current_exe().expect("test binary");
    let started = Instant::now();
    let mut children: Vec<_> = (0..PROCESSES)
        .map(|p| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "child_race_process",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD_ENV, format!("{kind}|{target}|{p}"))
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("spawn child")
        })
        .collect();
    let readers: Vec<_> = children
        .iter_mut()
        .map(|c| {
            let out = c.stdout.take().expect("child stdout");
            std::thread::spawn(move || {
                BufReader::new(out)
                    .lines()
                    .map_while(Result::ok)
                    .collect::<Vec<String>>()
            })
        })
        .collect();
    // Bounded polling: every child has connected and checked in.
    let deadline = Instant::now() + PATIENCE;
    loop {
        let ready = store
            .get(T, b"ready")
            .expect("get ready")
            .map_or(0, |r| read_num(&r.value));
        if ready == PROCESSES as u64 {
            break;
        }
        for c in &mut children {
            if let Some(status) = c.try_wait().expect("poll child") {
                panic!("child exited before the race: {status}");
            }
        }
        assert!(Instant::now() < deadline, "children did not check in");
        std::thread::yield_now();
    }
    store
        .commit(&[Op::Put {
            table: T,
            key: b"go".to_vec(),
            value: vec![1],
            expect: Version::ABSENT,
        }])
        .expect("go");
    for c in &mut children {
        let status = c.wait().expect("reap child");
        assert!(status.success(), "child failed: {status}");
    }
    let mut totals = vec![[0u64; 3]; ROUNDS as usize];
    for reader in readers {
        let lines = reader.join().expect("reader");
        assert!(
            lines.iter().any(|l| l == "child done"),
            "child output: {lines:?}"
        );
        // (The first line follows the harness's "test … ... " on its line.)
        let tallies = lines
            .iter()
            .filter_map(|l| l.find("tally ").map(|i| &l[i + 6..]));
        for line in tallies {
            let n: Vec<u64> = line
                .split(' ')
                .map(|x| x.parse().expect("number"))
                .collect();
            let t = &mut totals[n[0] as usize];
            for i in 0..3 {
                t[i] += n[i + 1];
            }
        }
    }
    for (r, t) in totals.iter().enumerate() {
        assert_eq!(
            *t,
            [1, USE_LIMIT, 1],
            "round {r}: (one-time, uses, step) successes"
        );
        let r = r as u64;
        assert!(store.get(T, &key("otp", r)).expect("get").is_none());
        let uses = store.get(T, &key("uses", r)).expect("get").expect("uses");
        assert_eq!(
            (read_num(&uses.value), uses.version),
            (USE_LIMIT, Version(USE_LIMIT + 1))
        );
        let step = store.get(T, &key("totp", r)).expect("get").expect("step");
        assert_eq!((read_num(&step.value), step.version), (r + 1, Version(2)));
    }
    eprintln!(
        "{kind}: {ROUNDS} rounds × {PROCESSES} processes × {THREADS} threads: \
         exactly 1 / {USE_LIMIT} / 1 successes every round ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn race_postgres_4_processes_x_4_threads() {
    let Some(admin) =
        credcycle_postgres::testing::service_env(credcycle_postgres::testing::URL_ENV)
    else {
        return;
    };
    let url = credcycle_postgres::testing::fresh_database(&admin, "race");
    race("postgres", &url);
}

#[test]
fn race_sqlite_4_processes_x_4_threads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("race.db");
    race("sqlite", path.to_str().expect("utf-8 path"));
}
