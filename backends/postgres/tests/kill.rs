//! Crash safety: a writer process killed with SIGKILL at random moments of
//! its commits leaves only whole batches behind, and every commit it saw
//! acknowledged is there (the shared harness of
//! [`credcycle::testing::crash`], ≥ 20 kills; `CREDCYCLE_KILL_SEED`
//! replays a schedule).
//!
//! The writer is this test binary itself, re-executed with `--exact
//! child_writer_process` and [`CHILD_URL_ENV`] naming the database. After
//! each kill the parent waits until the server has dropped the dead
//! connection, so that nothing of it is still in flight, and checks.
//!
//! Returns early with a notice when `CREDCYCLE_TEST_PG_URL` is unset,
//! unless `CREDCYCLE_REQUIRE_SERVICES=1`.
#![cfg(unix)]

use std::time::{Duration, Instant};

use credcycle::testing::crash::{self, KillTest};
use credcycle_postgres::PostgresStore;
use credcycle_postgres::testing::{URL_ENV, fresh_database, service_env};

/// Set (to the database URL) only in the child process.
const CHILD_URL_ENV: &str = "CREDCYCLE_PG_KILL_TEST_URL";

/// The child's body. Outside the kill test it returns at once and passes.
#[test]
fn child_writer_process() {
    let Ok(url) = std::env::var(CHILD_URL_ENV) else {
        return;
    };
    crash::child_writer(&PostgresStore::connect(&url).expect("child: connect"));
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
    crash::prepare(&PostgresStore::connect(&url).expect("connect"));
    KillTest {
        child_env: (CHILD_URL_ENV, url.clone().into()),
        rounds: 24,
    }
    .run(|| {
        wait_for_dead_sessions(&url);
        PostgresStore::connect(&url).expect("reconnect after kill")
    });
}
