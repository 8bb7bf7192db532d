//! TOTP and MFA, each next to a peer or raw baseline in the same run.
//!
//! - `mfa_totp`: one code for a time step (`Totp::code_for_step`), next to
//!   totp-rs 6 (`Totp::generate`) and raw ring HMAC-SHA1 with RFC 4226
//!   truncation formatted the same way; verification of the current step's
//!   code with a window of ±1 step (`Totp::verify`: candidates from the
//!   oldest, each compared in constant time, stopping at a match), next to
//!   totp-rs `check` (skew 1, stops at the first match) and three raw ring
//!   HMACs with a constant-time compare; then a wrong code, which costs
//!   every candidate on each side.
//! - `mfa_verify`: a TOTP code accepted through the engine
//!   (`Mfa::view_recovery_codes` with `recovery_codes_viewable = false`:
//!   load the enrollment, lockout check, open the sealed TOTP secret, match
//!   the code, then one commit persisting the accepted step for replay
//!   protection, the reset attempt counter and the audit event) on
//!   `MemoryStore` and `SqliteStore` (WAL, `synchronous=FULL`), next to a
//!   raw rusqlite single-row write transaction. The clock advances one
//!   period per iteration so no code is a replay; computing the code is
//!   inside the measured loop (~1 µs).
//! - `argon2id`: a password hash at the policy default (m = 19456 KiB,
//!   t = 2, p = 1): the argon2 crate alone (PHC string, 16-byte salt), and
//!   `Identities::set_password` (hash with a fresh salt, then one commit).
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version};
use credcycle::identities::{CreateIdentity, PasswordHashParams, Subject};
use credcycle::mfa::{Totp, TotpAlgorithm, parse_provisioning_uri};
use credcycle::{
    Clock, Engine, LocalKeyManager, MemoryStore, OsRandom, Policy, SecretBytes, Store, UnixTime,
};
use credcycle_sqlite::SqliteStore;
use criterion::{Criterion, criterion_group, criterion_main};
use ring::hmac;
use subtle::ConstantTimeEq;

const SECRET: [u8; 20] = *b"12345678901234567890";
const PERIOD: u64 = 30;
/// RFC 6238 test time.
const TIME: u64 = 1_111_111_109;

/// A clock the bench moves forward.
#[derive(Debug)]
struct StepClock(AtomicI64);

impl Clock for StepClock {
    fn now(&self) -> UnixTime {
        UnixTime(self.0.load(Ordering::Relaxed))
    }
}

fn raw_code(key: &hmac::Key, counter: u64) -> String {
    let tag = hmac::sign(key, &counter.to_be_bytes());
    let mac = tag.as_ref();
    let offset = usize::from(mac[19] & 0x0f);
    let bin = (u32::from(mac[offset] & 0x7f) << 24)
        | (u32::from(mac[offset + 1]) << 16)
        | (u32::from(mac[offset + 2]) << 8)
        | u32::from(mac[offset + 3]);
    format!("{:06}", bin % 1_000_000)
}

fn raw_verify(key: &hmac::Key, code: &str, step: u64) -> Option<u64> {
    let mut found = None;
    for s in step - 1..=step + 1 {
        let c = raw_code(key, s);
        let eq: bool = c.as_bytes().ct_eq(code.as_bytes()).into();
        if eq && found.is_none() {
            found = Some(s);
        }
    }
    found
}

fn totp(c: &mut Criterion) {
    let ours = Totp::new(
        SecretBytes::from_slice(&SECRET),
        TotpAlgorithm::Sha1,
        6,
        PERIOD as u32,
    )
    .unwrap();
    let peer = totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(PERIOD)
        .with_secret(SECRET.to_vec())
        .build()
        .unwrap();
    let raw = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &SECRET);
    let step = TIME / PERIOD;
    let code = ours.code_for_counter(step);
    // RFC 6238 appendix B (SHA-1, 8 digits 07081804 → 6 digits 081804).
    assert_eq!(code, "081804");
    assert_eq!(peer.generate(TIME).to_string(), code);
    assert_eq!(raw_code(&raw, step), code);
    let clock = StepClock(AtomicI64::new(TIME as i64));
    assert_eq!(ours.verify(&code, &clock, 1), Some(step as i64));
    assert_eq!(peer.check(&code, TIME), Some(step));
    assert_eq!(raw_verify(&raw, &code, step), Some(step));

    let mut g = c.benchmark_group("mfa_totp");
    g.bench_function("generate_engine", |b| {
        b.iter(|| ours.code_for_step(black_box(step as i64)))
    });
    g.bench_function("generate_totp_rs", |b| {
        b.iter(|| peer.generate(black_box(TIME)))
    });
    g.bench_function("generate_ring_raw", |b| {
        b.iter(|| raw_code(&raw, black_box(step)))
    });
    g.bench_function("verify_engine", |b| {
        b.iter(|| ours.verify(black_box(&code), &clock, 1))
    });
    g.bench_function("verify_totp_rs", |b| {
        b.iter(|| peer.check(black_box(&code), TIME))
    });
    g.bench_function("verify_ring_raw", |b| {
        b.iter(|| raw_verify(&raw, black_box(&code), step))
    });
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    assert_eq!(ours.verify(&wrong, &clock, 1), None);
    assert_eq!(peer.check(&wrong, TIME), None);
    g.bench_function("verify_wrong_engine", |b| {
        b.iter(|| ours.verify(black_box(&wrong), &clock, 1))
    });
    g.bench_function("verify_wrong_totp_rs", |b| {
        b.iter(|| peer.check(black_box(&wrong), TIME))
    });
    g.bench_function("verify_wrong_ring_raw", |b| {
        b.iter(|| raw_verify(&raw, black_box(&wrong), step))
    });
    g.finish();
}

struct MfaFixture {
    mfa: credcycle::mfa::Mfa,
    clock: Arc<StepClock>,
    id: String,
    totp: Totp,
}

impl MfaFixture {
    /// Moves to the next step and accepts its code.
    fn verify_next(&self) {
        let now = self.clock.0.fetch_add(PERIOD as i64, Ordering::Relaxed) + PERIOD as i64;
        let code = self
            .totp
            .code_for_step(self.totp.step_at(UnixTime(now)))
            .unwrap();
        self.mfa
            .view_recovery_codes(Subject::Identity(&self.id), &code)
            .unwrap();
    }
}

fn engine_for(store: Arc<dyn Store>, clock: Arc<StepClock>) -> Engine {
    let rng = Arc::new(OsRandom::new());
    let root = LocalKeyManager::generate_root_key(rng.as_ref()).unwrap();
    let keys = Arc::new(LocalKeyManager::new(store.clone(), rng.clone(), root).unwrap());
    let mut policy = Policy::default();
    policy.recovery_codes_viewable = false;
    Engine::builder()
        .store(store)
        .key_manager(keys)
        .rng(rng)
        .clock(clock)
        .policy(policy)
        .build()
        .unwrap()
}

fn mfa_fixture(store: Arc<dyn Store>) -> MfaFixture {
    let clock = Arc::new(StepClock(AtomicI64::new(TIME as i64)));
    let engine = engine_for(store, clock.clone());
    let id = engine
        .identities("bench")
        .unwrap()
        .create(CreateIdentity::new("bench-user"))
        .unwrap()
        .id;
    let mfa = engine.mfa("bench").unwrap();
    let enrollment = mfa.enroll(Subject::Identity(&id)).unwrap();
    let totp = parse_provisioning_uri(enrollment.provisioning_uri.reveal())
        .unwrap()
        .totp;
    let code = totp.generate(clock.as_ref());
    mfa.verify(Subject::Identity(&id), &code).unwrap();
    MfaFixture {
        mfa,
        clock,
        id,
        totp,
    }
}

fn mfa_verify(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mem = mfa_fixture(Arc::new(MemoryStore::new()));
    let sql = mfa_fixture(Arc::new(
        SqliteStore::open(dir.path().join("engine.db")).unwrap(),
    ));
    let conn = common::raw_connection_with_row(&dir.path().join("raw.db"), 60);
    let mut n = 1;

    let mut g = c.benchmark_group("mfa_verify");
    g.bench_function("totp_accept_memory", |b| b.iter(|| mem.verify_next()));
    g.bench_function("totp_accept_sqlite_full", |b| b.iter(|| sql.verify_next()));
    g.bench_function("raw_txn_sqlite_full", |b| {
        b.iter(|| common::raw_update(&conn, 60, &mut n))
    });
    g.finish();
}

fn argon2id(c: &mut Criterion) {
    let p = PasswordHashParams::default();
    assert_eq!((p.m_kib, p.t, p.p), (19_456, 2, 1));
    let raw = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(p.m_kib, p.t, p.p, Some(32)).unwrap(),
    );
    let salt = [7u8; 16];
    let password = "correct horse battery staple";

    let clock = Arc::new(StepClock(AtomicI64::new(TIME as i64)));
    let engine = engine_for(Arc::new(MemoryStore::new()), clock);
    let identities = engine.identities("bench").unwrap();
    let id = identities
        .create(CreateIdentity::new("argon-user"))
        .unwrap()
        .id;
    identities
        .set_password(&id, "argon-user", password)
        .unwrap();

    let mut g = c.benchmark_group("argon2id_default");
    g.sample_size(10);
    g.bench_function("hash_argon2_raw", |b| {
        b.iter(|| {
            raw.hash_password_with_salt(black_box(password.as_bytes()), &salt)
                .unwrap()
                .to_string()
        })
    });
    g.bench_function("set_password_engine_memory", |b| {
        b.iter(|| {
            identities
                .set_password(&id, "argon-user", black_box(password))
                .unwrap()
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20);
    targets = totp, mfa_verify, argon2id
}
criterion_main!(benches);
