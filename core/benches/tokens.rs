//! Machine-identity access tokens and API tokens on `MemoryStore` and on
//! `SqliteStore` (a temp file, WAL, `synchronous=FULL`), next to a raw
//! rusqlite single-row write transaction on a database set up the same way,
//! in the same run.
//!
//! - `ua_authenticate_limited_*`: `MachineAuth::authenticate` of a token
//!   with a use limit: read the token and the identity, then one commit that
//!   persists the incremented use count (compare-and-swap) with its audit
//!   event. This is the "persisted use-count increment" compared with
//!   `raw_txn_sqlite_full`.
//! - `ua_authenticate_unlimited_*`: the same without a limit (no write).
//! - `ua_login_*`: `MachineAuth::login`: lockout check, secret lookup by
//!   digest, one commit with the secret's use count, the new access token,
//!   the lockout check and the audit event.
//! - `api_token_authenticate_*`: `Tokens::authenticate` (no write).
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use credcycle::machine_auth::{CreateClientSecret, MachineAuth, UniversalAuthSettings};
use credcycle::tokens::{CreateToken, TokenType, Tokens};
use credcycle::{Engine, LocalKeyManager, MemoryStore, OsRandom, Store};
use credcycle_sqlite::SqliteStore;
use criterion::{Criterion, criterion_group, criterion_main};

const CLIENT_IP: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 1, 2, 3));

struct Fixture {
    ma: MachineAuth,
    tokens: Tokens,
    client_id: String,
    secret: String,
    limited: String,
    unlimited: String,
    api_value: String,
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
    let ma = engine.machine_auth("bench").unwrap();
    let token_for = |limit: u32| {
        let id = ma.create_identity("bench").unwrap().id;
        ma.attach_universal_auth(
            &id,
            UniversalAuthSettings {
                access_token_num_uses_limit: Some(limit),
                access_token_trusted_ips: Some(vec!["10.0.0.0/8".into()]),
                lockout_enabled: Some(true),
                ..Default::default()
            },
        )
        .unwrap();
        let s = ma
            .create_client_secret(&id, CreateClientSecret::default())
            .unwrap();
        let g = ma
            .login(&s.client_id, s.secret.reveal(), CLIENT_IP)
            .unwrap();
        (
            s.client_id,
            s.secret.reveal().to_owned(),
            g.access_token.reveal().to_owned(),
        )
    };
    let (client_id, secret, limited) = token_for(u32::MAX);
    let (_, _, unlimited) = token_for(0);
    let tokens = engine.tokens("bench").unwrap();
    let api_value = tokens
        .create(CreateToken::new("bench", TokenType::Proxy))
        .unwrap()
        .value
        .reveal()
        .to_owned();
    Fixture {
        ma,
        tokens,
        client_id,
        secret,
        limited,
        unlimited,
        api_value,
    }
}

fn tokens(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut g = c.benchmark_group("tokens");

    let mem = fixture(Arc::new(MemoryStore::new()));
    let sql = fixture(Arc::new(
        SqliteStore::open(dir.path().join("engine.db")).unwrap(),
    ));
    for (name, f) in [("memory", &mem), ("sqlite_full", &sql)] {
        g.bench_function(format!("ua_authenticate_limited_{name}"), |b| {
            b.iter(|| f.ma.authenticate(black_box(&f.limited), CLIENT_IP).unwrap())
        });
        g.bench_function(format!("ua_authenticate_unlimited_{name}"), |b| {
            b.iter(|| {
                f.ma.authenticate(black_box(&f.unlimited), CLIENT_IP)
                    .unwrap()
            })
        });
        g.bench_function(format!("ua_login_{name}"), |b| {
            b.iter(|| {
                f.ma.login(black_box(&f.client_id), &f.secret, CLIENT_IP)
                    .unwrap()
            })
        });
        g.bench_function(format!("api_token_authenticate_{name}"), |b| {
            b.iter(|| f.tokens.authenticate(black_box(&f.api_value)).unwrap())
        });
    }
    let conn = common::raw_connection_with_row(&dir.path().join("raw.db"), 43);
    let mut n = 1;
    g.bench_function("raw_txn_sqlite_full", |b| {
        b.iter(|| common::raw_update(&conn, 43, &mut n))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20);
    targets = tokens
}
criterion_main!(benches);
