//! `Secrets::put_value` and `Secrets::get_value` of 64-byte values on
//! `MemoryStore` and on `SqliteStore` (a temp file), side by side with a raw
//! rusqlite single-row write transaction (`BEGIN IMMEDIATE; INSERT OR
//! REPLACE; COMMIT`) and a raw single-row read, on a database with the same
//! schema and pragmas as `SqliteStore` (WAL; `synchronous=FULL` by default,
//! and `NORMAL` for the `_normal` variants).
//!
//! The engine's `put_value` is one store commit that also carries the
//! secret's metadata record, the sealed version, the audit event and chain
//! head, and the delete of the pruned version: the secret is filled to the
//! policy's `max_secret_versions` (100) before measuring, so every measured
//! put also prunes. `get_value_*` read that same 100-version secret;
//! `get_value_memory_1_version` reads a secret written once.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use credcycle::policy::Policy;
use credcycle::secrets::{CreateSecret, NewValue, Secrets};
use credcycle::{Engine, LocalKeyManager, MemoryStore, OsRandom, Store};
use credcycle_sqlite::{SqliteOptions, SqliteStore, Synchronous};
use criterion::{Criterion, criterion_group, criterion_main};
use rusqlite::{Connection, params};

const VALUE: [u8; 64] = [0x42; 64];

fn secrets_for(store: Arc<dyn Store>) -> Secrets {
    let rng = Arc::new(OsRandom::new());
    let root = LocalKeyManager::generate_root_key(rng.as_ref()).unwrap();
    let keys = Arc::new(LocalKeyManager::new(store.clone(), rng.clone(), root).unwrap());
    let engine = Engine::builder()
        .store(store)
        .key_manager(keys)
        .rng(rng)
        .build()
        .unwrap();
    let secrets = engine.secrets("bench-tenant").unwrap();
    // The steady state of a secret that is written often: as many versions
    // as the policy keeps (100), so every further put also prunes one. Reads
    // measure the same secret, whichever benchmarks a filter selects.
    secrets
        .create(CreateSecret::new("db-password").value(NewValue::bytes(VALUE.to_vec())))
        .unwrap();
    for _ in 1..Policy::default().max_secret_versions {
        secrets
            .put_value("db-password", NewValue::bytes(VALUE.to_vec()), None)
            .unwrap();
    }
    // A secret written once.
    secrets
        .create(CreateSecret::new("api-key").value(NewValue::bytes(VALUE.to_vec())))
        .unwrap();
    secrets
}

fn sqlite_store(path: &Path, sync: Synchronous) -> Arc<dyn Store> {
    Arc::new(SqliteStore::open_with(path, SqliteOptions::default().synchronous(sync)).unwrap())
}

/// A connection set up as `SqliteStore` sets up its writer, with its table.
fn raw_txn(conn: &Connection, version: &mut i64) {
    *version += 1;
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    conn.prepare_cached(
        "INSERT OR REPLACE INTO records (tbl, key, value, version) VALUES (?1, ?2, ?3, ?4)",
    )
    .unwrap()
    .execute(params![
        2,
        &b"bench-tenant/secret/db-password"[..],
        &VALUE[..],
        *version
    ])
    .unwrap();
    conn.execute_batch("COMMIT").unwrap();
}

fn raw_get(conn: &Connection) -> Vec<u8> {
    conn.prepare_cached("SELECT value, version FROM records WHERE tbl = ?1 AND key = ?2")
        .unwrap()
        .query_row(params![2, &b"bench-tenant/secret/db-password"[..]], |r| {
            r.get::<_, Vec<u8>>(0)
        })
        .unwrap()
}

fn secrets_64b(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut g = c.benchmark_group("secrets_64B");

    let mem = secrets_for(Arc::new(MemoryStore::new()));
    g.bench_function("put_value_memory", |b| {
        b.iter(|| {
            mem.put_value(
                "db-password",
                NewValue::bytes(black_box(VALUE.to_vec())),
                None,
            )
            .unwrap()
        })
    });
    g.bench_function("get_value_memory", |b| {
        b.iter(|| mem.get_value(black_box("db-password"), None).unwrap())
    });
    g.bench_function("get_value_memory_1_version", |b| {
        b.iter(|| mem.get_value(black_box("api-key"), None).unwrap())
    });
    drop(mem);

    for (sync, suffix) in [(Synchronous::Full, "full"), (Synchronous::Normal, "normal")] {
        let engine_db = dir.path().join(format!("engine-{suffix}.db"));
        let raw_db = dir.path().join(format!("raw-{suffix}.db"));
        let sq = secrets_for(sqlite_store(&engine_db, sync));
        g.bench_function(format!("put_value_sqlite_{suffix}"), |b| {
            b.iter(|| {
                sq.put_value(
                    "db-password",
                    NewValue::bytes(black_box(VALUE.to_vec())),
                    None,
                )
                .unwrap()
            })
        });
        g.bench_function(format!("get_value_sqlite_{suffix}"), |b| {
            b.iter(|| sq.get_value(black_box("db-password"), None).unwrap())
        });
        let conn = common::raw_connection(&raw_db, !matches!(sync, Synchronous::Normal));
        let mut version = 0;
        g.bench_function(format!("raw_txn_sqlite_{suffix}"), |b| {
            b.iter(|| raw_txn(&conn, &mut version))
        });
        g.bench_function(format!("raw_get_sqlite_{suffix}"), |b| {
            b.iter(|| raw_get(black_box(&conn)))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30);
    targets = secrets_64b
}
criterion_main!(benches);
