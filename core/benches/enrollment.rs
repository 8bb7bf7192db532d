//! Enrollment end to end on `MemoryStore` and on `SqliteStore` (a temp file,
//! WAL, `synchronous=FULL`), next to a raw rusqlite single-row write
//! transaction on a database set up the same way, in the same run.
//!
//! - `enroll_ott_*`: `Enrollment::enroll_ott` of a fresh token with a P-256
//!   CSR: verify the ES256 enrollment JWT against the JWKS, look the token
//!   up, parse and verify the CSR, issue a certificate (one ECDSA signature
//!   through the key manager), then one commit that consumes the token and
//!   creates the cert authenticator, its index entry, the issued-certificate
//!   record and the audit event. Setup (identity + enrollment token) is not
//!   timed.
//! - `end_to_end_*`: the whole administrator + client flow per iteration:
//!   create an identity, create its `ott` enrollment (sign the JWT), redeem
//!   it with the CSR.
//! - `authorize_chain_*`: certificate authentication of the issued chain
//!   (RFC 5280 path validation to the internal CA, then the leaf lookup).
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use credcycle::enrollment::{Enrollment, EnrollmentRequest};
use credcycle::identities::{CreateIdentity, Identities};
use credcycle::pki::{ClientKeyAlgorithm, CreateCa, generate_key_and_csr, parse_chain_pem};
use credcycle::{Engine, LocalKeyManager, MemoryStore, OsRandom, Store};
use credcycle_sqlite::SqliteStore;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

struct Fixture {
    ids: Identities,
    enr: Enrollment,
    csr: String,
    chain: Vec<Vec<u8>>,
    n: AtomicU64,
}

fn fixture(store: Arc<dyn Store>) -> Fixture {
    let rng = Arc::new(OsRandom::new());
    let root = LocalKeyManager::generate_root_key(rng.as_ref()).unwrap();
    let keys = Arc::new(LocalKeyManager::new(store.clone(), rng.clone(), root).unwrap());
    let engine = Engine::builder()
        .store(store)
        .key_manager(keys)
        .rng(rng)
        .build()
        .unwrap();
    engine
        .pki("bench")
        .unwrap()
        .create_ca(CreateCa::new("bench CA", "bench.example"))
        .unwrap();
    let ids = engine.identities("bench").unwrap();
    let enr = engine.enrollment("bench").unwrap();
    let csr = generate_key_and_csr(ClientKeyAlgorithm::P256, "bench")
        .unwrap()
        .csr_pem;
    let f = Fixture {
        ids,
        enr,
        csr,
        chain: Vec::new(),
        n: AtomicU64::new(0),
    };
    let jwt = f.token();
    let c = f.enr.enroll_ott(&jwt, &f.csr).unwrap();
    Fixture {
        chain: parse_chain_pem(&c.chain_pem).unwrap(),
        ..f
    }
}

impl Fixture {
    /// A new identity and its ott enrollment token.
    fn token(&self) -> String {
        let n = self.n.fetch_add(1, Ordering::Relaxed);
        let id = self
            .ids
            .create(CreateIdentity::new(format!("device-{n}")))
            .unwrap()
            .id;
        self.enr
            .create(&id, EnrollmentRequest::Ott)
            .unwrap()
            .jwt()
            .to_owned()
    }
}

fn enrollment(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut g = c.benchmark_group("enrollment");
    let mem = fixture(Arc::new(MemoryStore::new()));
    let sql = fixture(Arc::new(
        SqliteStore::open(dir.path().join("engine.db")).unwrap(),
    ));
    for (name, f) in [("memory", &mem), ("sqlite_full", &sql)] {
        g.bench_function(format!("enroll_ott_{name}"), |b| {
            b.iter_batched(
                || f.token(),
                |jwt| f.enr.enroll_ott(black_box(&jwt), &f.csr).unwrap(),
                BatchSize::SmallInput,
            )
        });
        g.bench_function(format!("end_to_end_{name}"), |b| {
            b.iter(|| {
                let jwt = f.token();
                f.enr.enroll_ott(black_box(&jwt), &f.csr).unwrap()
            })
        });
        g.bench_function(format!("authorize_chain_{name}"), |b| {
            b.iter(|| f.enr.authorize_chain(black_box(&f.chain)).unwrap())
        });
    }
    let conn = common::raw_connection_with_row(&dir.path().join("raw.db"), 81);
    let mut n = 1;
    g.bench_function("raw_txn_sqlite_full", |b| {
        b.iter(|| common::raw_update(&conn, 81, &mut n))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20);
    targets = enrollment
}
criterion_main!(benches);
