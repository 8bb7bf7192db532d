//! PostgreSQL store and PKCS#11 key manager benchmarks, each next to its
//! baseline in the same run:
//!
//! - `pg_commit`: a raw single-row `postgres` transaction (`BEGIN; UPDATE;
//!   COMMIT`) next to `PostgresStore::commit` of a 1-record and a 3-record
//!   batch (compare-and-swap `Put`s);
//! - `pg_contended`: 8 threads doing CAS increments on one shared key
//!   (retrying on `Conflict`; time per successful commit), and on 8
//!   distinct keys;
//! - `kms`: wrap, unwrap and P-256 sign on a SoftHSM2 token next to
//!   `LocalKeyManager`.
//!
//! Needs the servers: `./scripts/services.sh cargo bench -p
//! credcycle-postgres --bench postgres`. Without them it prints a notice and
//! measures nothing.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use credcycle::testing::SeededRng;
use credcycle::{
    KeyAlgorithm, KeyId, KeyManager, LocalKeyManager, MemoryStore, Op, SecretBytes, Store,
    StoreError, Table, Version,
};
use credcycle_postgres::PostgresStore;
use credcycle_postgres::testing::{URL_ENV, fresh_database};
use criterion::{Criterion, Throughput};

fn put(key: &[u8], value: &[u8], expect: u64) -> Op {
    Op::Put {
        table: Table::Secret,
        key: key.to_vec(),
        value: value.to_vec(),
        expect: Version(expect),
    }
}

fn bench_commits(c: &mut Criterion, url: &str) {
    let value = vec![0x5a; 100];
    let mut raw = postgres::Client::connect(url, postgres::NoTls).expect("raw connect");
    raw.batch_execute(
        "CREATE TABLE IF NOT EXISTS bench_raw (k BIGINT PRIMARY KEY, v BYTEA NOT NULL, n BIGINT NOT NULL);
         INSERT INTO bench_raw VALUES (1, '', 0) ON CONFLICT DO NOTHING",
    )
    .expect("raw table");
    let update = raw
        .prepare("UPDATE bench_raw SET v = $1, n = n + 1 WHERE k = 1")
        .expect("prepare");
    let store = PostgresStore::connect(url).expect("connect");
    let mut g = c.benchmark_group("pg_commit");
    g.throughput(Throughput::Elements(1));
    g.bench_function("raw_postgres_single_row_transaction", |b| {
        b.iter(|| {
            let mut tx = raw.transaction().expect("begin");
            let n = tx.execute(&update, &[&value.as_slice()]).expect("update");
            assert_eq!(n, 1);
            tx.commit().expect("commit");
        })
    });
    let mut v1 = 0u64;
    g.bench_function("store_commit_1_record", |b| {
        b.iter(|| {
            store.commit(&[put(b"one", &value, v1)]).expect("commit");
            v1 += 1;
        })
    });
    let mut v3 = 0u64;
    g.bench_function("store_commit_3_records", |b| {
        b.iter(|| {
            store
                .commit(&[
                    put(b"three/a", &value, v3),
                    put(b"three/b", &value, v3),
                    put(b"three/c", &value, v3),
                ])
                .expect("commit");
            v3 += 1;
        })
    });
    g.finish();
}

/// `iters` successful CAS increments split over 8 threads, on one shared
/// key (`shared`) or one key per thread; returns the elapsed time and adds
/// the conflicts seen to `conflicts`.
fn cas_increments(
    store: &PostgresStore,
    iters: u64,
    shared: bool,
    conflicts: &AtomicU64,
) -> Duration {
    const THREADS: u64 = 8;
    let per_thread = iters.div_ceil(THREADS);
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..THREADS {
            s.spawn(move || {
                let key = if shared {
                    b"hot".to_vec()
                } else {
                    format!("cold/{t}").into_bytes()
                };
                let mut done = 0;
                while done < per_thread {
                    let current = store
                        .get(Table::Secret, &key)
                        .expect("get")
                        .map_or(0, |r| r.version.0);
                    match store.commit(&[put(&key, &current.to_be_bytes(), current)]) {
                        Ok(()) => done += 1,
                        Err(StoreError::Conflict) => {
                            conflicts.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => panic!("commit: {e}"),
                    }
                }
            });
        }
    });
    start.elapsed()
}

fn bench_contended(c: &mut Criterion, url: &str) {
    let options = credcycle_postgres::PostgresOptions::default().max_connections(8);
    let store = PostgresStore::connect_with(url, options).expect("connect");
    let mut g = c.benchmark_group("pg_contended_8_threads");
    g.throughput(Throughput::Elements(1));
    for (name, shared) in [
        ("cas_increment_one_shared_key", true),
        ("cas_increment_8_distinct_keys", false),
    ] {
        let conflicts = AtomicU64::new(0);
        let successes = AtomicU64::new(0);
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                successes.fetch_add(iters, Ordering::Relaxed);
                cas_increments(&store, iters, shared, &conflicts)
            })
        });
        let (ok, lost) = (
            successes.load(Ordering::Relaxed),
            conflicts.load(Ordering::Relaxed),
        );
        eprintln!(
            "{name}: {ok} successful commits, {lost} conflicts ({:.2} conflicts per success)",
            lost as f64 / ok.max(1) as f64
        );
    }
    g.finish();
}

fn bench_kms(c: &mut Criterion) {
    let Some(config) = credcycle_pkcs11::testing::test_config() else {
        return;
    };
    let hsm: Arc<dyn KeyManager> =
        Arc::new(credcycle_pkcs11::testing::fresh_manager(&config, "bench"));
    let local: Arc<dyn KeyManager> = Arc::new(
        LocalKeyManager::new(
            Arc::new(MemoryStore::new()),
            Arc::new(SeededRng::new(1)),
            SecretBytes::from_slice(&[7; 32]),
        )
        .expect("local"),
    );
    let wrap_id = KeyId::new("bench-wrap").expect("id");
    let sign_id = KeyId::new("bench-sign").expect("id");
    let dek = SecretBytes::from_slice(&[3; 32]);
    let msg = [0x42u8; 64];
    let mut g = c.benchmark_group("kms");
    g.throughput(Throughput::Elements(1));
    for (name, km) in [("pkcs11_softhsm2", &hsm), ("local", &local)] {
        km.create_key(&wrap_id, KeyAlgorithm::Aes256Gcm)
            .expect("create");
        km.create_key(&sign_id, KeyAlgorithm::EcdsaP256Sha256)
            .expect("create");
        let wrapped = km.wrap(&wrap_id, &dek, b"aad").expect("wrap");
        g.bench_function(format!("wrap/{name}"), |b| {
            b.iter(|| black_box(km.wrap(&wrap_id, &dek, b"aad").expect("wrap")))
        });
        g.bench_function(format!("unwrap/{name}"), |b| {
            b.iter(|| black_box(km.unwrap(&wrapped, b"aad").expect("unwrap")))
        });
        g.bench_function(format!("sign_p256/{name}"), |b| {
            b.iter(|| black_box(km.sign(&sign_id, &msg).expect("sign")))
        });
    }
    g.finish();
}

fn main() {
    let Ok(admin) = std::env::var(URL_ENV) else {
        eprintln!(
            "note: {URL_ENV} is not set; nothing measured. \
             Run under ./scripts/services.sh (see BENCHMARKS.md)."
        );
        return;
    };
    let url = fresh_database(&admin, "bench");
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    bench_commits(&mut c, &url);
    bench_contended(&mut c, &url);
    bench_kms(&mut c);
    c.final_summary();
}
