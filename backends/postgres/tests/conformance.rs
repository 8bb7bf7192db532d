//! The `Store` conformance suite on PostgreSQL: every test gets a new
//! database on the server of `CREDCYCLE_TEST_PG_URL`.
//!
//! Without that variable (and without `CREDCYCLE_REQUIRE_SERVICES=1`) the
//! test process ends successfully after a notice: run it under
//! `./scripts/services.sh`.

use credcycle_postgres::PostgresStore;
use credcycle_postgres::testing::{admin_url_or_exit, database_for_dir, fresh_database};

credcycle::store_conformance!(plain, || {
    let url = fresh_database(&admin_url_or_exit(), "conf");
    PostgresStore::connect(&url).expect("connect")
});

// "Reopen" is a new `PostgresStore` on the same database (one database per
// test directory); several handles are several pools on it.
credcycle::store_conformance!(durable, durable: |dir| {
    let url = database_for_dir(&admin_url_or_exit(), dir);
    PostgresStore::connect(&url).expect("connect")
});
