//! MFA and API sessions with two engines (two store handles, as two
//! processes would have) sharing one database: the exactly-once rules (TOTP
//! step replay, recovery-code consumption, the shared failure counter) and
//! logout hold across them. Each scenario runs on SQLite and on PostgreSQL
//! + PKCS#11 (see `support`).
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::{Arc, Barrier};

use credcycle::identities::{AuthRequest, CreateIdentity, PasswordHashParams, Subject};
use credcycle::mfa::{MfaEnrollment, Totp, parse_provisioning_uri};
use credcycle::testing::{FakeClock, SeededRng};
use credcycle::{Clock, Engine, ErrorCode, Policy};
use support::{Backend, on_backends};

const T0: i64 = 1_700_000_010;

struct Node {
    engine: Engine,
    clock: Arc<FakeClock>,
}

fn policy() -> Policy {
    let mut p = Policy::default();
    p.password_hash = PasswordHashParams::insecure_for_tests(64, 1, 1);
    p.conflict_retries = 32;
    p
}

/// An engine on its own handle to the database of `backend`.
fn node(backend: &dyn Backend, seed: u64, p: Policy) -> Node {
    let clock = Arc::new(FakeClock::new(T0));
    let engine = support::engine(backend, clock.clone(), Arc::new(SeededRng::new(seed)), p);
    Node { engine, clock }
}

on_backends!(
    sixteen_threads_same_totp_code_exactly_one_success,
    earlier_step_refused_after_later_one_across_engines_and_reopen,
    recovery_code_race_exactly_one_success,
    mfa_lockout_across_two_engines_triggers_at_global_count,
    concurrent_failures_are_all_counted,
    password_lockout_across_engines,
    logout_is_immediate_for_the_other_engine,
);

/// An identity `alice` with a password and a verified enrollment, made
/// through `a`; both clocks then move to the next step.
fn enrolled(a: &Node, b: &Node) -> (String, Totp, MfaEnrollment) {
    let ids = a.engine.identities("t").unwrap();
    let i = ids.create(CreateIdentity::new("alice")).unwrap();
    ids.set_password(&i.id, "alice", "correct horse").unwrap();
    let mfa = a.engine.mfa("t").unwrap();
    let e = mfa.enroll(Subject::Identity(&i.id)).unwrap();
    let t = parse_provisioning_uri(e.provisioning_uri.reveal())
        .unwrap()
        .totp;
    mfa.verify(Subject::Identity(&i.id), &t.generate(a.clock.as_ref()))
        .unwrap();
    a.clock.advance(30);
    b.clock.advance(30);
    (i.id, t, e)
}

fn login(n: &Node) -> String {
    let s = n
        .engine
        .identities("t")
        .unwrap()
        .authenticate(AuthRequest::password("alice", "correct horse"))
        .unwrap();
    assert!(s.session.mfa_pending());
    s.token().to_owned()
}

/// Runs `f(engine, i)` on 16 threads, 8 per engine, released together;
/// returns how many succeeded and checks every failure's code.
fn race<F>(a: &Node, b: &Node, allowed: &[ErrorCode], f: F) -> usize
where
    F: Fn(&Engine, usize) -> Result<(), credcycle::Error> + Send + Sync + 'static,
{
    let f = Arc::new(f);
    let barrier = Arc::new(Barrier::new(16));
    let handles: Vec<_> = (0..16)
        .map(|i| {
            let engine = if i % 2 == 0 {
                a.engine.clone()
            } else {
                b.engine.clone()
            };
            let (f, barrier) = (f.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                f(&engine, i)
            })
        })
        .collect();
    let mut ok = 0;
    for h in handles {
        match h.join().unwrap() {
            Ok(()) => ok += 1,
            Err(e) => assert!(allowed.contains(&e.code()), "unexpected {e}"),
        }
    }
    ok
}

/// Replay: 16 threads on two engines submit the same valid TOTP code for
/// one session: exactly one success, in every round.
fn sixteen_threads_same_totp_code_exactly_one_success(backend: &dyn Backend) {
    let (a, b) = (node(backend, 1, policy()), node(backend, 2, policy()));
    let (_, t, _) = enrolled(&a, &b);
    for round in 0..3 {
        let token = login(&a);
        let code = t.generate(a.clock.as_ref());
        let tok = token.clone();
        let ok = race(
            &a,
            &b,
            &[ErrorCode::VerificationFailed, ErrorCode::Conflict],
            move |e, _| {
                e.mfa("t")
                    .unwrap()
                    .authenticate_mfa(&tok, &code)
                    .map(|_| ())
            },
        );
        assert_eq!(ok, 1, "round {round}");
        assert!(
            b.engine
                .identities("t")
                .unwrap()
                .current_session(&token)
                .unwrap()
                .mfa_complete
        );
        a.clock.advance(30);
        b.clock.advance(30);
    }
}

/// After a step-T code, the step T-1 code is refused — also by the other
/// engine, and after the database is reopened.
fn earlier_step_refused_after_later_one_across_engines_and_reopen(backend: &dyn Backend) {
    let (a, b) = (node(backend, 1, policy()), node(backend, 2, policy()));
    let (id, t, _) = enrolled(&a, &b);
    a.clock.advance(30);
    b.clock.advance(30);
    let step = t.step_at(a.clock.now());
    let (now_code, prev_code) = (
        t.code_for_step(step).unwrap(),
        t.code_for_step(step - 1).unwrap(),
    );
    a.engine
        .mfa("t")
        .unwrap()
        .view_recovery_codes(Subject::Identity(&id), &now_code)
        .unwrap();
    let e = b
        .engine
        .mfa("t")
        .unwrap()
        .view_recovery_codes(Subject::Identity(&id), &prev_code)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::VerificationFailed);
    drop((a, b));
    let c = node(backend, 3, policy());
    c.clock.set(T0 + 60);
    let e = c
        .engine
        .mfa("t")
        .unwrap()
        .view_recovery_codes(Subject::Identity(&id), &now_code)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::VerificationFailed);
    let trail = c
        .engine
        .audit("t")
        .unwrap()
        .events(&format!("identity:{id}"))
        .unwrap();
    assert!(trail.chain_valid);
    let replays = trail
        .events
        .iter()
        .filter(|e| e.outcome == "refused: replay")
        .count();
    assert_eq!(replays, 2);
}

/// Recovery codes: 16 threads on two engines redeem one code: one success.
fn recovery_code_race_exactly_one_success(backend: &dyn Backend) {
    let mut p = policy();
    p.mfa_lockout_threshold = 100;
    let (a, b) = (node(backend, 1, p.clone()), node(backend, 2, p));
    let (id, _, e) = enrolled(&a, &b);
    let token = login(&b);
    let code = e.recovery_codes[0].reveal().to_owned();
    let ok = race(
        &a,
        &b,
        &[ErrorCode::VerificationFailed, ErrorCode::Conflict],
        move |e, _| {
            e.mfa("t")
                .unwrap()
                .authenticate_mfa(&token, &code)
                .map(|_| ())
        },
    );
    assert_eq!(ok, 1);
    let st = a
        .engine
        .mfa("t")
        .unwrap()
        .status(Subject::Identity(&id))
        .unwrap();
    assert_eq!(st.recovery_codes_remaining, 9);
}

/// OTP-5: failures spread over two engines sharing the database lock MFA at the
/// global count (5), not per engine; 4 failures and a success do not.
fn mfa_lockout_across_two_engines_triggers_at_global_count(backend: &dyn Backend) {
    let (a, b) = (node(backend, 1, policy()), node(backend, 2, policy()));
    let (_, t, _) = enrolled(&a, &b);
    let (ta, tb) = (login(&a), login(&b));
    let good = t.generate(a.clock.as_ref());
    let bad = if good == "123456" { "654321" } else { "123456" };
    let attempt =
        |n: &Node, tok: &str, c: &str| n.engine.mfa("t").unwrap().authenticate_mfa(tok, c);
    for i in 0..4 {
        let (n, tok) = if i % 2 == 0 { (&a, &ta) } else { (&b, &tb) };
        assert_eq!(
            attempt(n, tok, bad).unwrap_err().code(),
            ErrorCode::VerificationFailed
        );
    }
    attempt(&b, &tb, &good).unwrap();
    for i in 0..5 {
        let (n, tok) = if i % 2 == 0 { (&b, &tb) } else { (&a, &ta) };
        assert_eq!(
            attempt(n, tok, bad).unwrap_err().code(),
            ErrorCode::VerificationFailed
        );
    }
    a.clock.advance(30);
    b.clock.advance(30);
    let next = t.generate(a.clock.as_ref());
    assert_eq!(
        attempt(&a, &ta, &next).unwrap_err().code(),
        ErrorCode::Locked
    );
    assert_eq!(
        attempt(&b, &ta, &next).unwrap_err().code(),
        ErrorCode::Locked
    );
    a.clock.advance(300);
    b.clock.advance(300);
    attempt(&b, &ta, &t.generate(b.clock.as_ref())).unwrap();
}

/// Concurrent wrong codes on two engines are all counted (the counter's
/// compare-and-swap loses no increment).
fn concurrent_failures_are_all_counted(backend: &dyn Backend) {
    let mut p = policy();
    p.mfa_lockout_threshold = 100;
    let (a, b) = (node(backend, 1, p.clone()), node(backend, 2, p));
    let (id, t, _) = enrolled(&a, &b);
    let good = t.generate(a.clock.as_ref());
    let bad = if good == "123456" { "654321" } else { "123456" };
    let idc = id.clone();
    let failed = 16
        - race(&a, &b, &[ErrorCode::VerificationFailed], move |e, _| {
            e.mfa("t")
                .unwrap()
                .view_recovery_codes(Subject::Identity(&idc), bad)
                .map(|_| ())
        });
    assert_eq!(failed, 16);
    let trail = a
        .engine
        .audit("t")
        .unwrap()
        .events(&format!("identity:{id}"))
        .unwrap();
    assert!(trail.chain_valid);
    assert_eq!(
        trail
            .events
            .iter()
            .filter(|e| e.outcome == "failed")
            .count(),
        16
    );
}

/// PW-9 across engines: wrong passwords through two engines lock at 5.
fn password_lockout_across_engines(backend: &dyn Backend) {
    let (a, b) = (node(backend, 1, policy()), node(backend, 2, policy()));
    let ids = a.engine.identities("t").unwrap();
    let i = ids.create(CreateIdentity::new("bob")).unwrap();
    ids.set_password(&i.id, "bobby", "correct horse").unwrap();
    for k in 0..5 {
        let n = if k % 2 == 0 { &a } else { &b };
        let e = n
            .engine
            .identities("t")
            .unwrap()
            .authenticate(AuthRequest::password("bobby", "wrong horse"));
        assert_eq!(e.unwrap_err().code(), ErrorCode::VerificationFailed);
    }
    let e = b
        .engine
        .identities("t")
        .unwrap()
        .authenticate(AuthRequest::password("bobby", "correct horse"));
    assert_eq!(e.unwrap_err().code(), ErrorCode::Locked);
}

/// TK-4: logout through one engine ends the session for the other at once.
fn logout_is_immediate_for_the_other_engine(backend: &dyn Backend) {
    let (a, b) = (node(backend, 1, policy()), node(backend, 2, policy()));
    let ids = a.engine.identities("t").unwrap();
    let i = ids.create(CreateIdentity::new("carol")).unwrap();
    ids.set_password(&i.id, "carol", "correct horse").unwrap();
    let s = ids
        .authenticate(AuthRequest::password("carol", "correct horse"))
        .unwrap();
    let other = b.engine.identities("t").unwrap();
    other.validate_session(s.token(), "read").unwrap();
    ids.logout(s.token()).unwrap();
    assert_eq!(
        other
            .validate_session(s.token(), "read")
            .unwrap_err()
            .code(),
        ErrorCode::VerificationFailed
    );
}
