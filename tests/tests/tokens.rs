//! API tokens and machine identities: the exactly-once rules (use limits,
//! refresh-token single use, lockout counters) under many threads and
//! across store handles on one database (what separate processes see), and
//! revocation across handles — each scenario on SQLite and on PostgreSQL +
//! PKCS#11 (see `support`); and a byte-level check that no token ever
//! reaches the SQLite database files.
#![allow(clippy::unwrap_used)]

mod support;

use std::net::IpAddr;
use std::sync::{Arc, Barrier};

use credcycle::machine_auth::{
    AccessTokenGrant, CLIENT_SECRET_PREFIX, CreateClientSecret, UniversalAuthSettings,
};
use credcycle::testing::{FakeClock, SeededRng};
use credcycle::tokens::{CreateToken, TokenRotation, TokenState, TokenType};
use credcycle::{Engine, ErrorCode, OsRandom, Policy};
use support::{Backend, on_backends};

const T0: i64 = 1_700_000_000;
/// One engine on its own handle (own connections) to the database of
/// `backend`, like a separate process.
fn engine_on(backend: &dyn Backend, clock: Arc<FakeClock>) -> Engine {
    support::engine(backend, clock, Arc::new(OsRandom::new()), Policy::default())
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

on_backends!(
    access_token_use_limit_is_exact_under_16_threads,
    tk5_limit_3_under_50_threads,
    client_secret_use_limit_is_exact_under_16_threads,
    refresh_token_race_gives_one_pair_and_reuse_revokes_the_family,
    lockout_counts_failures_across_engines,
    tk4_revocation_is_seen_by_every_handle,
);

/// Runs `f(i)` on `n` threads released together and returns the results.
fn race<T: Send + 'static>(n: usize, f: impl Fn(usize) -> T + Send + Sync + 'static) -> Vec<T> {
    let barrier = Arc::new(Barrier::new(n));
    let f = Arc::new(f);
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let (b, f) = (barrier.clone(), f.clone());
            std::thread::spawn(move || {
                b.wait();
                f(i)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

struct Ua {
    identity: String,
    client_id: String,
    secret: String,
}

fn ua_client(engine: &Engine, settings: UniversalAuthSettings, secret: CreateClientSecret) -> Ua {
    let ma = engine.machine_auth("acme").unwrap();
    let identity = ma.create_identity("runner").unwrap().id;
    ma.attach_universal_auth(&identity, settings).unwrap();
    let s = ma.create_client_secret(&identity, secret).unwrap();
    Ua {
        identity,
        client_id: s.client_id,
        secret: s.secret.reveal().to_owned(),
    }
}

/// Tally of a race: (successes, "exhausted" errors, anything else).
fn tally<T>(results: &[Result<T, credcycle::Error>]) -> (usize, usize, Vec<String>) {
    let mut ok = 0;
    let mut exhausted = 0;
    let mut other = Vec::new();
    for r in results {
        match r {
            Ok(_) => ok += 1,
            Err(e)
                if e.code() == ErrorCode::InvalidState && e.to_string().contains("EXHAUSTED") =>
            {
                exhausted += 1;
            }
            Err(e) => other.push(e.to_string()),
        }
    }
    (ok, exhausted, other)
}

/// An access token with a limit of 5, used by 16 threads at once through
/// two store handles on one database: exactly 5 successes, every other
/// attempt a clear "exhausted" error.
fn access_token_use_limit_is_exact_under_16_threads(backend: &dyn Backend) {
    let clock = Arc::new(FakeClock::new(T0));
    let a = engine_on(backend, clock.clone());
    let c = ua_client(
        &a,
        UniversalAuthSettings {
            access_token_num_uses_limit: Some(5),
            ..Default::default()
        },
        CreateClientSecret::default(),
    );
    let g = a
        .machine_auth("acme")
        .unwrap()
        .login(&c.client_id, &c.secret, ip("10.0.0.1"))
        .unwrap();
    let b = engine_on(backend, clock);
    let token = g.access_token.reveal().to_owned();
    let engines = [a, b];
    let results = race(16, move |i| {
        engines[i % 2]
            .machine_auth("acme")
            .unwrap()
            .authenticate(&token, ip("10.0.0.1"))
    });
    let (ok, exhausted, other) = tally(&results);
    eprintln!("access token limit 5, 16 threads: {ok} ok, {exhausted} exhausted, {other:?}");
    assert_eq!((ok, exhausted), (5, 11), "{other:?}");
    let mut counts: Vec<u32> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|i| i.num_uses))
        .collect();
    counts.sort_unstable();
    assert_eq!(counts, [1, 2, 3, 4, 5], "each use counted once");
}

/// TK-5: a limit of 3 and 50 concurrent validations.
fn tk5_limit_3_under_50_threads(backend: &dyn Backend) {
    let a = engine_on(backend, Arc::new(FakeClock::new(T0)));
    let c = ua_client(
        &a,
        UniversalAuthSettings {
            access_token_num_uses_limit: Some(3),
            ..Default::default()
        },
        CreateClientSecret::default(),
    );
    let g = a
        .machine_auth("acme")
        .unwrap()
        .login(&c.client_id, &c.secret, ip("10.0.0.1"))
        .unwrap();
    let token = g.access_token.reveal().to_owned();
    let results = race(50, move |_| {
        a.machine_auth("acme")
            .unwrap()
            .authenticate(&token, ip("10.0.0.1"))
    });
    let (ok, exhausted, other) = tally(&results);
    eprintln!("access token limit 3, 50 threads: {ok} ok, {exhausted} exhausted, {other:?}");
    assert_eq!((ok, exhausted), (3, 47), "{other:?}");
}

/// A client secret with a limit of 5, 16 logins at once: exactly 5 access
/// tokens, and the use count is 5.
fn client_secret_use_limit_is_exact_under_16_threads(backend: &dyn Backend) {
    let clock = Arc::new(FakeClock::new(T0));
    let a = engine_on(backend, clock.clone());
    let c = ua_client(
        &a,
        UniversalAuthSettings::default(),
        CreateClientSecret {
            num_uses_limit: 5,
            ..Default::default()
        },
    );
    let b = engine_on(backend, clock);
    let engines = [a.clone(), b];
    let (id, secret) = (c.client_id.clone(), c.secret.clone());
    let results: Vec<Result<AccessTokenGrant, _>> = race(16, move |i| {
        engines[i % 2]
            .machine_auth("acme")
            .unwrap()
            .login(&id, &secret, ip("10.0.0.1"))
    });
    let (ok, exhausted, other) = tally(&results);
    eprintln!("client secret limit 5, 16 threads: {ok} ok, {exhausted} exhausted, {other:?}");
    assert_eq!((ok, exhausted), (5, 11), "{other:?}");
    let ma = a.machine_auth("acme").unwrap();
    assert_eq!(ma.list_client_secrets(&c.identity).unwrap()[0].num_uses, 5);
    // Every issued token works.
    for g in results.iter().filter_map(|r| r.as_ref().ok()) {
        ma.authenticate(g.access_token.reveal(), ip("10.0.0.1"))
            .unwrap();
    }
}

/// A refresh token exchanged by 8 threads at once (two handles): exactly one
/// new pair; the losers present an invalidated token, which is reuse, and
/// the family is revoked.
fn refresh_token_race_gives_one_pair_and_reuse_revokes_the_family(backend: &dyn Backend) {
    let clock = Arc::new(FakeClock::new(T0));
    let a = engine_on(backend, clock.clone());
    let created = a
        .tokens("acme")
        .unwrap()
        .create(CreateToken::new("ci", TokenType::Proxy).rotation(TokenRotation::Always))
        .unwrap();
    let b = engine_on(backend, clock);
    let rt = created.refresh_token.unwrap().reveal().to_owned();
    let engines = [a.clone(), b];
    let results = race(8, move |i| {
        engines[i % 2].tokens("acme").unwrap().refresh(&rt)
    });
    let wins: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    let reused = results
        .iter()
        .filter(|r| {
            r.as_ref()
                .is_err_and(|e| e.code() == ErrorCode::RefreshTokenReused)
        })
        .count();
    eprintln!(
        "refresh token, 8 threads: {} new pair(s), {reused} reuse detections",
        wins.len()
    );
    assert_eq!(wins.len(), 1, "exactly one new pair");
    assert!(reused >= 1);
    for e in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            matches!(
                e.code(),
                ErrorCode::RefreshTokenReused | ErrorCode::InvalidState
            ),
            "{e}"
        );
    }
    let tokens = a.tokens("acme").unwrap();
    let rt2 = wins[0].refresh_token.as_ref().unwrap();
    assert_eq!(
        tokens.refresh(rt2.reveal()).unwrap_err().code(),
        ErrorCode::InvalidState
    );
    assert_eq!(
        tokens
            .authenticate(wins[0].value.reveal())
            .unwrap_err()
            .code(),
        ErrorCode::InvalidState
    );
    assert_eq!(
        tokens.get(&created.token.id).unwrap().state,
        TokenState::Revoked
    );
}

/// Lockout is counted in the store: failures spread over two engines on one
/// database lock at the global count.
fn lockout_counts_failures_across_engines(backend: &dyn Backend) {
    let clock = Arc::new(FakeClock::new(T0));
    let a = engine_on(backend, clock.clone());
    let c = ua_client(
        &a,
        UniversalAuthSettings {
            lockout_threshold: Some(4),
            ..Default::default()
        },
        CreateClientSecret::default(),
    );
    let b = engine_on(backend, clock.clone());
    let wrong = credcycle::token::generate(&SeededRng::new(3), CLIENT_SECRET_PREFIX)
        .unwrap()
        .reveal()
        .to_owned();
    let (ma, mb) = (
        a.machine_auth("acme").unwrap(),
        b.machine_auth("acme").unwrap(),
    );
    for m in [&ma, &mb, &ma] {
        assert_eq!(
            m.login(&c.client_id, &wrong, ip("10.0.0.1"))
                .unwrap_err()
                .code(),
            ErrorCode::VerificationFailed
        );
    }
    // 3 failures so far: neither engine is locked yet.
    mb.login(&c.client_id, &c.secret, ip("10.0.0.1")).unwrap();
    // Success cleared the count: four more, alternating, lock both.
    for m in [&mb, &ma, &mb, &ma] {
        assert_eq!(
            m.login(&c.client_id, &wrong, ip("10.0.0.1"))
                .unwrap_err()
                .code(),
            ErrorCode::VerificationFailed
        );
    }
    for m in [&ma, &mb] {
        assert_eq!(
            m.login(&c.client_id, &c.secret, ip("10.0.0.1"))
                .unwrap_err()
                .code(),
            ErrorCode::LoginLocked
        );
    }
    clock.advance(300);
    mb.login(&c.client_id, &c.secret, ip("10.0.0.1")).unwrap();

    // And 16 racing wrong logins through both handles lock at exactly 4.
    let wrong2 = wrong;
    let id = c.client_id;
    let engines = [a, b];
    let results = race(16, move |i| {
        engines[i % 2]
            .machine_auth("acme")
            .unwrap()
            .login(&id, &wrong2, ip("10.0.0.1"))
            .unwrap_err()
            .code()
    });
    let failed = results
        .iter()
        .filter(|c| **c == ErrorCode::VerificationFailed)
        .count();
    let locked = results
        .iter()
        .filter(|c| **c == ErrorCode::LoginLocked)
        .count();
    eprintln!("lockout threshold 4, 16 threads: {failed} counted failures, {locked} locked");
    assert_eq!((failed, locked), (4, 12), "{results:?}");
}

/// TK-4 across handles: a revocation through one handle is seen at once by
/// the other, for API tokens and access tokens.
fn tk4_revocation_is_seen_by_every_handle(backend: &dyn Backend) {
    let clock = Arc::new(FakeClock::new(T0));
    let a = engine_on(backend, clock.clone());
    let b = engine_on(backend, clock);
    let created = a
        .tokens("acme")
        .unwrap()
        .create(CreateToken::new("ci", TokenType::Extension))
        .unwrap();
    b.tokens("acme")
        .unwrap()
        .authenticate(created.value.reveal())
        .unwrap();
    a.tokens("acme").unwrap().revoke(&created.token.id).unwrap();
    assert_eq!(
        b.tokens("acme")
            .unwrap()
            .authenticate(created.value.reveal())
            .unwrap_err()
            .code(),
        ErrorCode::InvalidState
    );

    let c = ua_client(
        &a,
        UniversalAuthSettings::default(),
        CreateClientSecret::default(),
    );
    let g = b
        .machine_auth("acme")
        .unwrap()
        .login(&c.client_id, &c.secret, ip("10.0.0.1"))
        .unwrap();
    a.machine_auth("acme")
        .unwrap()
        .authenticate(g.access_token.reveal(), ip("10.0.0.1"))
        .unwrap();
    b.machine_auth("acme")
        .unwrap()
        .revoke(g.access_token.reveal())
        .unwrap();
    assert_eq!(
        a.machine_auth("acme")
            .unwrap()
            .authenticate(g.access_token.reveal(), ip("10.0.0.1"))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidState
    );
}

/// TK-2: grep the SQLite file bytes (database, WAL and shared-memory
/// files) for every token, client secret and access token issued: none is
/// found, in text or as raw random bytes.
#[test]
fn tk2_tokens_never_appear_in_the_database_files() {
    let backend = support::Sqlite::new();
    let clock = Arc::new(FakeClock::new(T0));
    let engine = engine_on(&backend, clock);
    let mut issued: Vec<String> = Vec::new();
    let tokens = engine.tokens("acme").unwrap();
    for rotation in [
        TokenRotation::Always,
        TokenRotation::Never,
        TokenRotation::OnceOnNextLogin,
        TokenRotation::None,
    ] {
        let c = tokens
            .create(CreateToken::new("t", TokenType::Proxy).rotation(rotation))
            .unwrap();
        issued.push(c.value.reveal().to_owned());
        let used = tokens.authenticate(c.value.reveal()).unwrap();
        if let Some(v) = used.rotated_value {
            issued.push(v.reveal().to_owned());
        }
        if let Some(rt) = c.refresh_token {
            issued.push(rt.reveal().to_owned());
            let r = tokens.refresh(rt.reveal()).unwrap();
            issued.push(r.value.reveal().to_owned());
            if let Some(rt2) = r.refresh_token {
                issued.push(rt2.reveal().to_owned());
            }
        }
    }
    let c = ua_client(
        &engine,
        UniversalAuthSettings {
            access_token_num_uses_limit: Some(10),
            ..Default::default()
        },
        CreateClientSecret::default(),
    );
    issued.push(c.secret.clone());
    let ma = engine.machine_auth("acme").unwrap();
    for _ in 0..3 {
        let g = ma.login(&c.client_id, &c.secret, ip("10.0.0.1")).unwrap();
        ma.authenticate(g.access_token.reveal(), ip("10.0.0.1"))
            .unwrap();
        ma.renew(g.access_token.reveal()).unwrap();
        issued.push(g.access_token.reveal().to_owned());
    }
    assert!(issued.len() >= 14);

    let mut files = Vec::new();
    for entry in std::fs::read_dir(backend.dir()).unwrap() {
        let p = entry.unwrap().path();
        files.push((p.display().to_string(), std::fs::read(&p).unwrap()));
    }
    assert!(files.iter().any(|(n, _)| n.ends_with("t.db")));
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();
    assert!(total > 0);
    for t in &issued {
        let body = t.split_once('_').unwrap().1;
        let raw = credcycle::encoding::base32_decode("t", body).unwrap();
        let needles: [&[u8]; 4] = [
            t.as_bytes(),
            body.as_bytes(),
            &body.as_bytes()[4..],
            &raw[..32],
        ];
        for (name, bytes) in &files {
            for n in needles {
                assert!(
                    !bytes.windows(n.len()).any(|w| w == n),
                    "token material found in {name}"
                );
            }
        }
    }
    // The digests are there (lookups are by digest).
    let d = credcycle::token::parse(CLIENT_SECRET_PREFIX, &c.secret).unwrap();
    assert!(
        files
            .iter()
            .any(|(_, b)| b.windows(64).any(|w| w == d.to_hex().as_bytes()))
    );
}
