//! Test helpers (feature `testing`): throwaway databases on the server
//! named by `CREDCYCLE_TEST_PG_URL` (which `scripts/services.sh` starts).
//! Not a stable API; they panic on failure, as test helpers do.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use postgres::{Client, NoTls};

/// The admin URL of the test server (a database the tests may create
/// databases from).
pub const URL_ENV: &str = "CREDCYCLE_TEST_PG_URL";
/// Set to `1` (by `scripts/test-all.sh`) to make a missing service a test
/// failure instead of a skip.
pub const REQUIRE_ENV: &str = "CREDCYCLE_REQUIRE_SERVICES";

/// The value of service variable `var`, or `None` after an `eprintln`
/// notice when it is unset. Panics when it is unset and
/// `CREDCYCLE_REQUIRE_SERVICES=1`, so CI can never skip silently.
pub fn service_env(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ if std::env::var(REQUIRE_ENV).as_deref() == Ok("1") => panic!(
            "{var} is not set but {REQUIRE_ENV}=1: run the tests under ./scripts/services.sh"
        ),
        _ => {
            eprintln!(
                "note: {var} is not set; skipping this test (run under ./scripts/services.sh)"
            );
            None
        }
    }
}

/// The test server's admin URL; without one (and not required), ends the
/// whole test process successfully after the notice, for suites generated
/// by macros that cannot return early.
pub fn admin_url_or_exit() -> String {
    match service_env(URL_ENV) {
        Some(url) => url,
        None => std::process::exit(0),
    }
}

/// `admin` with its database replaced by `db`.
pub fn database_url(admin: &str, db: &str) -> String {
    let (base, query) = match admin.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (admin, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut url = format!("{}/{db}", &base[..authority_end]);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}

/// Creates database `name` unless it exists.
pub fn create_database(admin: &str, name: &str) {
    assert!(
        name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
        "database name {name:?}"
    );
    let mut client = Client::connect(admin, NoTls).expect("connect to the test server");
    let exists = client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .expect("look up database")
        .is_some();
    if !exists {
        match client.batch_execute(&format!("CREATE DATABASE {name}")) {
            Ok(()) => {}
            // Created concurrently by another handle.
            Err(e) if e.code() == Some(&postgres::error::SqlState::DUPLICATE_DATABASE) => {}
            Err(e) => panic!("CREATE DATABASE {name}: {e}"),
        }
    }
}

/// A new, empty database on the test server (named after `hint`, the
/// process and a counter); returns its URL.
pub fn fresh_database(admin: &str, hint: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let hint: String = hint
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(30)
        .collect();
    let name = format!(
        "cct_{hint}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    create_database(admin, &name);
    database_url(admin, &name)
}

/// The database that stands for directory `dir` (durable conformance
/// form: the same directory is the same database), created on first use.
pub fn database_for_dir(admin: &str, dir: &Path) -> String {
    let tail: String = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let name = format!("ccd_{tail}");
    create_database(admin, &name);
    database_url(admin, &name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls() {
        assert_eq!(
            database_url("postgres://u@h:1/postgres", "x"),
            "postgres://u@h:1/x"
        );
        assert_eq!(
            database_url("postgres://u@h:1/postgres?sslmode=require&a=b", "x"),
            "postgres://u@h:1/x?sslmode=require&a=b"
        );
        assert_eq!(database_url("postgres://u@h:1", "x"), "postgres://u@h:1/x");
    }
}
