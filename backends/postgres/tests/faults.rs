//! Faults: the PostgreSQL server stopped in the middle of a run.
//!
//! Uses the separate fault-test cluster of `scripts/services.sh`
//! (`CREDCYCLE_TEST_PG_FAULT_URL`, started and stopped with
//! `$CREDCYCLE_TEST_PG_CTL start|stop`), so stopping it disturbs no other
//! test. A writer thread commits multi-record batches while the server is
//! stopped under it; every failure must be `Unavailable { retryable: true }`
//! with a clear reason, nothing may be half-written, every acknowledged
//! commit must be there, and the same store must work again once the
//! server is back.
//!
//! Returns early with a notice when the variables are unset, unless
//! `CREDCYCLE_REQUIRE_SERVICES=1`.
#![cfg(unix)]

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use credcycle::{Op, Store, StoreError, Table, Version};
use credcycle_postgres::testing::service_env;
use credcycle_postgres::{PgError, PostgresStore};

const KEYS: usize = 3;

fn key(i: usize) -> Vec<u8> {
    format!("k/{i}").into_bytes()
}

fn ctl(ctl: &str, action: &str) {
    let status = Command::new(ctl).arg(action).status().expect("run pg ctl");
    assert!(status.success(), "{ctl} {action}: {status}");
}

/// The batch that moves every key from version `n` to `n + 1` (whose value
/// is `n + 1`).
fn batch(n: u64) -> Vec<Op> {
    (0..KEYS)
        .map(|i| Op::Put {
            table: Table::Secret,
            key: key(i),
            value: (n + 1).to_be_bytes().to_vec(),
            expect: Version(n),
        })
        .collect()
}

/// All keys at one version whose value is that version; returns it.
fn check_whole(store: &dyn Store) -> u64 {
    let n = store
        .get(Table::Secret, &key(0))
        .expect("get")
        .map_or(0, |r| r.version.0);
    for i in 0..KEYS {
        let rec = store.get(Table::Secret, &key(i)).expect("get");
        let (v, value) = rec.map_or((0, Vec::new()), |r| (r.version.0, r.value));
        assert_eq!(v, n, "key {i}: half-written batch");
        if n > 0 {
            assert_eq!(
                value,
                n.to_be_bytes().to_vec(),
                "key {i}: value of another batch"
            );
        }
    }
    n
}

fn assert_unavailable(result: Result<impl std::fmt::Debug, StoreError>, what: &str) {
    match result {
        Err(StoreError::Unavailable { retryable: true }) => {}
        other => panic!("{what}: expected Unavailable {{ retryable: true }}, got {other:?}"),
    }
}

#[test]
fn server_stopped_mid_run_is_unavailable_then_recovers() {
    let (Some(url), Some(pg_ctl)) = (
        service_env("CREDCYCLE_TEST_PG_FAULT_URL"),
        service_env("CREDCYCLE_TEST_PG_CTL"),
    ) else {
        return;
    };
    ctl(&pg_ctl, "start");
    let store = Arc::new(PostgresStore::connect(&url).expect("connect"));
    // Clean slate on this cluster (the test may run again on it).
    for i in 0..KEYS {
        if let Some(r) = store.get(Table::Secret, &key(i)).expect("get") {
            store
                .commit(&[Op::Delete {
                    table: Table::Secret,
                    key: key(i),
                    expect: r.version,
                }])
                .expect("reset");
        }
    }

    let acked = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, acked, stop) = (Arc::clone(&store), Arc::clone(&acked), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut errors = Vec::new();
            let mut n = 0u64;
            while !stop.load(Ordering::SeqCst) {
                match store.commit(&batch(n)) {
                    Ok(()) => {
                        n += 1;
                        acked.store(n, Ordering::SeqCst);
                    }
                    Err(e) => {
                        let unavailable = matches!(e, StoreError::Unavailable { retryable: true });
                        errors.push(format!("{e:?}"));
                        assert!(unavailable, "commit failed with {e:?}");
                        // Outcome unknown if it failed at COMMIT: re-read
                        // once the server is back (below, by the parent).
                        break;
                    }
                }
            }
            errors
        })
    };
    // Bounded polling: let the writer get going, then pull the server.
    let deadline = Instant::now() + Duration::from_secs(30);
    while acked.load(Ordering::SeqCst) < 20 {
        assert!(Instant::now() < deadline, "writer made no progress");
        std::thread::yield_now();
    }
    ctl(&pg_ctl, "stop");
    stop.store(true, Ordering::SeqCst);
    let errors = writer.join().expect("writer");
    let acked_before = acked.load(Ordering::SeqCst);
    assert!(acked_before >= 20);
    eprintln!("writer: {acked_before} acknowledged commits, then {errors:?}");

    // While the server is down: every call is Unavailable, with a reason.
    assert_unavailable(store.get(Table::Secret, &key(0)), "get while stopped");
    assert_unavailable(
        store.scan(Table::Secret, b"", None, 10),
        "scan while stopped",
    );
    assert_unavailable(store.commit(&batch(acked_before)), "commit while stopped");
    let reason = store.last_error().expect("a reason is kept");
    assert!(reason.contains(store.target()), "{reason}");
    assert!(
        reason.contains("error connecting to server") && reason.contains("refused"),
        "{reason}"
    );
    eprintln!("last_error: {reason}");
    assert_unavailable(
        PostgresStore::connect(&url).map(|_| ()),
        "connect while stopped",
    );

    // Back up: the same handle works again without being rebuilt.
    ctl(&pg_ctl, "start");
    let on_server = check_whole(store.as_ref());
    assert!(
        on_server == acked_before || on_server == acked_before + 1,
        "acknowledged {acked_before}, on server {on_server}"
    );
    store
        .commit(&batch(on_server))
        .expect("commit after restart");
    assert_eq!(check_whole(store.as_ref()), on_server + 1);
    let fresh = PostgresStore::connect(&url).expect("connect after restart");
    assert_eq!(check_whole(&fresh), on_server + 1);

    // A restart under an idle pool: the stale connections are replaced
    // without the caller seeing an error.
    let _ = store.get(Table::Secret, &key(0)).expect("warm the pool");
    assert!(store.idle_connections() > 0);
    ctl(&pg_ctl, "stop");
    ctl(&pg_ctl, "start");
    assert_eq!(check_whole(store.as_ref()), on_server + 1);
    ctl(&pg_ctl, "stop");
}

#[test]
fn unreachable_and_misconfigured_servers_are_clear_errors() {
    let Some(url) = service_env("CREDCYCLE_TEST_PG_URL") else {
        return;
    };
    // Nothing listens on port 1.
    let err = PostgresStore::connect("postgres://postgres@127.0.0.1:1/postgres?connect_timeout=2")
        .expect_err("no server");
    assert!(
        matches!(err, StoreError::Unavailable { retryable: true }),
        "{err:?}"
    );
    // A database that does not exist: not retryable, says so.
    let missing = credcycle_postgres::testing::database_url(&url, "no_such_database_here");
    let err = PostgresStore::connect(&missing).expect_err("no database");
    assert!(
        matches!(
            PgError::from_store_error(&err),
            Some(PgError::Server { .. })
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("no_such_database_here"), "{err}");
    // A bad URL never echoes the password.
    let err =
        PostgresStore::connect("postgres://u:hunter2@127.0.0.1:1/db?bogus=1").expect_err("bad url");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert!(
        matches!(
            PgError::from_store_error(&err),
            Some(PgError::InvalidUrl(_))
        ),
        "{err:?}"
    );
}

#[test]
fn tls_connection_with_sslmode_require() {
    let Some(tls_url) = service_env("CREDCYCLE_TEST_PG_TLS_URL") else {
        return;
    };
    let admin = tls_url.split('?').next().expect("base").to_owned();
    let url = credcycle_postgres::testing::fresh_database(&admin, "tls");
    let query = tls_url.split_once('?').map(|(_, q)| q).expect("query");
    let url = format!("{url}?{query}");
    let store = PostgresStore::connect(&url).expect("connect over TLS");
    assert!(format!("{store:?}").contains("tls: true"));
    store
        .commit(&[Op::Put {
            table: Table::Meta,
            key: b"over-tls".to_vec(),
            value: b"yes".to_vec(),
            expect: Version::ABSENT,
        }])
        .expect("commit over TLS");
    // The session really is encrypted.
    let mut raw = postgres::Client::connect(&admin, postgres::NoTls).expect("raw");
    let tls_sessions: i64 = raw
        .query_one(
            "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a ON a.pid = s.pid
             WHERE s.ssl AND a.application_name = 'credcycle'",
            &[],
        )
        .expect("pg_stat_ssl")
        .get(0);
    assert!(tls_sessions >= 1);
    // Without the test CA the server certificate is not trusted.
    let untrusted = url.split("&sslrootcert=").next().expect("url").to_owned();
    let err = PostgresStore::connect(&untrusted).expect_err("unknown CA");
    assert!(
        matches!(PgError::from_store_error(&err), Some(PgError::Tls(_))),
        "{err:?}"
    );
}
