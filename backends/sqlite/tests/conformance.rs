//! The `Store` conformance suite, run on every way of opening a
//! [`SqliteStore`].

use credcycle_sqlite::{SqliteOptions, SqliteStore, Synchronous};

credcycle::store_conformance!(in_memory, || {
    SqliteStore::open_in_memory().expect("open in-memory store")
});

credcycle::store_conformance!(file, durable: |dir| {
    SqliteStore::open(dir.join("db.sqlite")).expect("open store")
});

credcycle::store_conformance!(file_sync_normal, durable: |dir| {
    let options = SqliteOptions::default().synchronous(Synchronous::Normal);
    SqliteStore::open_with(dir.join("db.sqlite"), options).expect("open store")
});
