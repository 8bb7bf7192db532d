//! Tests of the MFA domain: RFC vectors, SECURITY-REQUIREMENTS OTP-1..OTP-11
//! and RC-1..RC-4 (one named test each), the lifecycle's state rules both
//! ways, races, and atomicity of failed operations.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use super::*;
use crate::encoding::{base32_encode, hex_decode};
use crate::error::{Error, ErrorCode};
use crate::identities::tests::{Fx, fixture, fixture_with, new_user, policy, snapshot};
use crate::identities::{AuthRequest, Subject};
use crate::policy::Policy;
use crate::services::{Clock, RandomError, SecureRandom};
use crate::store::{MemoryStore, Table};
use crate::testing::{FakeClock, SeededRng};
use crate::{SecretBytes, UnixTime};

// ---- helpers -------------------------------------------------------------------

fn totp_of(e: &MfaEnrollment) -> Totp {
    parse_provisioning_uri(e.provisioning_uri.reveal())
        .unwrap()
        .totp
}

/// The code of the step `offset` steps from the clock's.
fn code(fx: &Fx, t: &Totp, offset: i64) -> String {
    t.code_for_step(t.step_at(fx.clock.now()) + offset).unwrap()
}

/// A user with a verified enrollment; returns (identity id, totp, codes).
fn enrolled(fx: &Fx, name: &str) -> (String, Totp, Vec<RecoveryCode>) {
    let (id, _, _) = new_user(fx, name);
    let mfa = fx.engine.mfa("t1").unwrap();
    let e = mfa.enroll(Subject::Identity(&id)).unwrap();
    let t = totp_of(&e);
    mfa.verify(Subject::Identity(&id), &code(fx, &t, 0))
        .unwrap();
    // The next code must be of a later step.
    fx.clock.advance(30);
    (id, t, e.recovery_codes)
}

fn mfa(fx: &Fx) -> Mfa {
    fx.engine.mfa("t1").unwrap()
}

fn audit_outcomes(fx: &Fx, id: &str) -> Vec<(String, String)> {
    let trail = fx
        .engine
        .audit("t1")
        .unwrap()
        .events(&format!("identity:{id}"))
        .unwrap();
    assert!(trail.chain_valid);
    trail
        .events
        .into_iter()
        .map(|e| (e.action, e.outcome))
        .collect()
}

fn assert_verification_failed(e: Error) {
    assert_eq!(e.code(), ErrorCode::VerificationFailed, "{e}");
    assert_eq!(e.to_string(), "verification failed");
}

// ---- RFC vectors -----------------------------------------------------------------

/// RFC 4226 Appendix D: all 10 HOTP values (6 digits).
#[test]
fn rfc4226_hotp_vectors() {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../../../tests/data/rfc4226_hotp.json")).unwrap();
    let secret = hex_decode("secret", doc["secret_hex"].as_str().unwrap()).unwrap();
    let t = Totp::new(SecretBytes::new(secret), TotpAlgorithm::Sha1, 6, 30).unwrap();
    let mut n = 0;
    for c in doc["cases"].as_array().unwrap() {
        let counter = c["counter"].as_u64().unwrap();
        assert_eq!(
            t.code_for_counter(counter),
            c["hotp"].as_str().unwrap(),
            "count {counter}"
        );
        let full = u32::try_from(c["truncated_decimal"].as_u64().unwrap()).unwrap();
        assert_eq!(t.hotp(counter), full % 1_000_000);
        n += 1;
    }
    assert_eq!(n, 10, "every row ran");
}

/// RFC 6238 Appendix B: all 18 rows (SHA-1/256/512 with 20/32/64-byte seeds,
/// 8 digits), through the generator and through the window check.
#[test]
fn rfc6238_totp_vectors() {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../../../tests/data/rfc6238_totp.json")).unwrap();
    let mut n = 0;
    for c in doc["cases"].as_array().unwrap() {
        let alg = TotpAlgorithm::parse(c["mode"].as_str().unwrap()).unwrap();
        let secret = hex_decode("secret", c["secret_hex"].as_str().unwrap()).unwrap();
        assert_eq!(secret.len(), alg.secret_len());
        let t = Totp::new(SecretBytes::new(secret), alg, 8, 30).unwrap();
        let time = c["unix_time"].as_i64().unwrap();
        let expected = c["totp"].as_str().unwrap();
        assert_eq!(t.step_at(UnixTime(time)), c["T"].as_i64().unwrap());
        let clock = FakeClock::new(time);
        assert_eq!(t.generate(&clock), expected, "{time} {alg}");
        assert_eq!(
            t.verify(expected, &clock, 1),
            Some(c["T"].as_i64().unwrap())
        );
        n += 1;
    }
    assert_eq!(n, 18, "every row ran");
}

// ---- OTP-1 .. OTP-11 ------------------------------------------------------------------

/// OTP-1: with period 30 and the default window, the code of `T-1` is
/// accepted and the code of `T-2` is rejected; a window above 2 is refused
/// and 2 needs an explicit policy setting.
#[test]
fn otp1_window_accepts_t_minus_1_and_rejects_t_minus_2() {
    let fx = fixture();
    let (id, t, _) = enrolled(&fx, "alice");
    let m = mfa(&fx);
    let who = Subject::Identity(&id);
    fx.clock.advance(30);
    assert_verification_failed(m.disable(who, &code(&fx, &t, -2)).unwrap_err());
    m.regenerate_recovery_codes(who, &code(&fx, &t, -1))
        .unwrap();
    // The same through the stateless checker with the RFC 6238 seed.
    let seed = Totp::new(
        SecretBytes::from_slice(b"12345678901234567890"),
        TotpAlgorithm::Sha1,
        8,
        30,
    )
    .unwrap();
    let clock = FakeClock::new(59 + 60);
    assert_eq!(
        seed.verify("94287082", &FakeClock::new(59 + 30), 1),
        Some(1)
    );
    assert_eq!(seed.verify("94287082", &clock, 1), None);
    // Policy: window at most 2, 2 only when set explicitly.
    assert_eq!(Policy::default().totp_window_steps, 1);
    let p = Policy {
        totp_window_steps: 3,
        totp_max_drift_steps: 4,
        ..Policy::default()
    };
    let e = p.validate().unwrap_err();
    assert!(e.to_string().contains("totp_window_steps") && e.to_string().contains("0..=2"));
    let p = Policy {
        totp_window_steps: 2,
        totp_max_drift_steps: 2,
        ..policy()
    };
    p.validate().unwrap();
    let fx = fixture_with(p, Arc::new(MemoryStore::new()));
    let (id, t, _) = enrolled(&fx, "bob");
    fx.clock.advance(60);
    mfa(&fx)
        .disable(Subject::Identity(&id), &code(&fx, &t, -2))
        .unwrap();
}

/// OTP-2: a code accepted at `t` is rejected at `t+5` (same step); after a
/// step-`T` code, a step `T-1` code is rejected.
#[test]
fn otp2_code_is_accepted_once_and_earlier_steps_after_it_never() {
    let fx = fixture();
    let (id, t, _) = enrolled(&fx, "alice");
    let m = mfa(&fx);
    let who = Subject::Identity(&id);
    let c = code(&fx, &t, 0);
    m.regenerate_recovery_codes(who, &c).unwrap();
    fx.clock.advance(5);
    assert_verification_failed(m.regenerate_recovery_codes(who, &c).unwrap_err());
    // T accepted above; T-1 (still inside the window) is now refused.
    assert_verification_failed(m.view_recovery_codes(who, &code(&fx, &t, -1)).unwrap_err());
    // Replays do not count as guesses.
    let lock = fx
        .store
        .get(Table::Lockout, format!("t1/{id}/mfa").as_bytes())
        .unwrap();
    assert!(lock.is_none(), "replays are not counted toward the lockout");
    // The next step works.
    fx.clock.advance(30);
    m.view_recovery_codes(who, &code(&fx, &t, 0)).unwrap();
}

/// A fresh code equal to the code of an already-used step (1 in 10^6 per
/// pair of steps) is accepted for its own, newer step, not refused as a
/// replay of the older one. The test looks for such a pair of adjacent
/// steps of the enrolled secret (expected within ~10^6 steps).
#[test]
fn otp2_fresh_code_equal_to_a_used_steps_code_is_accepted() {
    let fx = fixture();
    let (id, t, _) = enrolled(&fx, "alice");
    let m = mfa(&fx);
    let who = Subject::Identity(&id);
    let start = t.step_at(fx.clock.now());
    let step = (start..start + 50_000_000)
        .find(|&s| t.hotp(s as u64) == t.hotp(s as u64 + 1))
        .expect("a pair of adjacent steps with equal codes");
    let period = i64::from(t.period());
    fx.clock.set(step * period);
    let c = code(&fx, &t, 0);
    m.view_recovery_codes(who, &c).unwrap();
    fx.clock.advance(period);
    assert_eq!(code(&fx, &t, 0), c, "same code, next step");
    m.view_recovery_codes(who, &c)
        .expect("the next step's code is accepted although it equals the last one");
    // Now both steps are used: the same code again is a replay.
    assert_verification_failed(m.view_recovery_codes(who, &c).unwrap_err());
}

/// OTP-2 / OTP-3 race: 16 threads submit the same valid code through
/// `authenticate_mfa` on one session: exactly one succeeds.
#[test]
fn otp2_sixteen_threads_same_code_exactly_one_success() {
    let fx = fixture();
    let (_, t, _) = enrolled(&fx, "alice");
    let ids = fx.engine.identities("t1").unwrap();
    let s = ids
        .authenticate(AuthRequest::password("alice-user", "correct horse"))
        .unwrap();
    assert!(s.session.mfa_pending());
    let c = code(&fx, &t, 0);
    let barrier = Arc::new(Barrier::new(16));
    let handles: Vec<_> = (0..16)
        .map(|_| {
            let (m, b, c, tok) = (mfa(&fx), barrier.clone(), c.clone(), s.token().to_owned());
            std::thread::spawn(move || {
                b.wait();
                m.authenticate_mfa(&tok, &c)
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 1, "{results:?}");
    for e in results.into_iter().filter_map(Result::err) {
        assert!(
            matches!(
                e.code(),
                ErrorCode::VerificationFailed | ErrorCode::Conflict
            ),
            "{e}"
        );
    }
    assert!(ids.current_session(s.token()).unwrap().mfa_complete);
}

/// OTP-3: a replay is rejected and an audit event records it.
#[test]
fn otp3_replay_is_rejected_and_audited() {
    let fx = fixture();
    let (id, t, _) = enrolled(&fx, "alice");
    let m = mfa(&fx);
    let c = code(&fx, &t, 0);
    m.view_recovery_codes(Subject::Identity(&id), &c).unwrap();
    assert_verification_failed(
        m.view_recovery_codes(Subject::Identity(&id), &c)
            .unwrap_err(),
    );
    let events = audit_outcomes(&fx, &id);
    assert_eq!(
        events.last().unwrap(),
        &(
            "mfa.recovery.view".to_string(),
            "refused: replay".to_string()
        )
    );
}

/// OTP-4: with the limit at 100, 100 wrong codes lock MFA and the correct
/// code is then refused; 99 failures, a success and 99 more do not lock.
#[test]
fn otp4_hundred_failures_lock_and_success_resets() {
    let p = Policy {
        mfa_lockout_threshold: 100,
        ..policy()
    };
    let fx = fixture_with(p, Arc::new(MemoryStore::new()));
    let (id, t, _) = enrolled(&fx, "alice");
    let m = mfa(&fx);
    let who = Subject::Identity(&id);
    let wrong = |fx: &Fx| {
        let c = code(fx, &t, 0);
        let w = if c == "000000" { "111111" } else { "000000" };
        m.view_recovery_codes(who, w).unwrap_err()
    };
    for _ in 0..99 {
        assert_verification_failed(wrong(&fx));
    }
    m.view_recovery_codes(who, &code(&fx, &t, 0)).unwrap();
    fx.clock.advance(30);
    for _ in 0..99 {
        assert_verification_failed(wrong(&fx));
    }
    m.view_recovery_codes(who, &code(&fx, &t, 0)).unwrap();
    fx.clock.advance(30);
    for _ in 0..100 {
        assert_verification_failed(wrong(&fx));
    }
    let e = m.view_recovery_codes(who, &code(&fx, &t, 0)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Locked, "{e}");
    assert!(e.to_string().contains("mfa is locked"), "{e}");
}

/// OTP-5 (and the default policy): 5 failures spread over two engines and
/// two sessions sharing one store lock MFA for 5 minutes; then it unlocks.
#[test]
fn otp5_lockout_counts_across_engines_and_sessions() {
    let store: Arc<dyn crate::Store> = Arc::new(MemoryStore::new());
    let fx = fixture_with(policy(), store.clone());
    let (_, t, _) = enrolled(&fx, "alice");
    let fx2 = crate::identities::tests::fixture_sharing(&fx);
    let s1 = fx
        .engine
        .identities("t1")
        .unwrap()
        .authenticate(AuthRequest::password("alice-user", "correct horse"))
        .unwrap();
    let s2 = fx2
        .engine
        .identities("t1")
        .unwrap()
        .authenticate(AuthRequest::password("alice-user", "correct horse"))
        .unwrap();
    let good = code(&fx, &t, 0);
    let bad = if good == "123456" { "654321" } else { "123456" };
    for i in 0..5 {
        let (e, tok) = if i % 2 == 0 {
            (&fx, s1.token())
        } else {
            (&fx2, s2.token())
        };
        assert_verification_failed(mfa(e).authenticate_mfa(tok, bad).unwrap_err());
    }
    let e = mfa(&fx2).authenticate_mfa(s2.token(), &good).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Locked);
    let st = mfa(&fx).status(Subject::Session(s1.token())).unwrap();
    assert_eq!(st.locked_until, Some(UnixTime(fx.clock.now().0 + 300)));
    fx.clock.advance(299);
    fx2.clock.advance(299);
    assert_eq!(
        mfa(&fx)
            .authenticate_mfa(s1.token(), &good)
            .unwrap_err()
            .code(),
        ErrorCode::Locked
    );
    fx.clock.advance(1);
    fx2.clock.advance(1);
    let now_code = code(&fx, &t, 0);
    assert!(
        mfa(&fx)
            .authenticate_mfa(s1.token(), &now_code)
            .unwrap()
            .mfa_complete
    );
}

/// OTP-6: generated secrets are 20, 32 and 64 bytes for SHA-1/256/512;
/// importing a secret shorter than 16 bytes (the 80-bit `JBSWY3DPEHPK3PXP`)
/// is refused.
#[test]
fn otp6_secret_lengths_and_short_imports_refused() {
    for (alg, len) in [
        (TotpAlgorithm::Sha1, 20),
        (TotpAlgorithm::Sha256, 32),
        (TotpAlgorithm::Sha512, 64),
    ] {
        let fx = fixture_with(
            Policy {
                totp_algorithm: alg,
                ..policy()
            },
            Arc::new(MemoryStore::new()),
        );
        let (id, _, _) = new_user(&fx, "alice");
        let e = mfa(&fx).enroll(Subject::Identity(&id)).unwrap();
        let t = totp_of(&e);
        assert_eq!(t.secret().len(), len);
        assert_eq!(t.algorithm(), alg);
        assert!(
            e.provisioning_uri
                .reveal()
                .contains(&format!("algorithm={}", alg.as_str()))
        );
    }
    let e =
        parse_provisioning_uri("otpauth://totp/x:y?secret=JBSWY3DPEHPK3PXP&issuer=x").unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(
        e.to_string().contains("secret") && e.to_string().contains("16 bytes"),
        "{e}"
    );
    let e = Totp::new(SecretBytes::new(vec![1; 15]), TotpAlgorithm::Sha1, 6, 30).unwrap_err();
    assert!(e.to_string().contains("secret"));
    Totp::new(SecretBytes::new(vec![1; 16]), TotpAlgorithm::Sha1, 6, 30).unwrap();
}

/// OTP-7: digits 6, 7 and 8 work; 5 and 9 are refused (Totp, URI, policy).
#[test]
fn otp7_digits_six_to_eight() {
    let s = || SecretBytes::new(vec![7; 20]);
    for d in [6, 7, 8] {
        let t = Totp::new(s(), TotpAlgorithm::Sha1, d, 30).unwrap();
        assert_eq!(t.code_for_counter(1).len(), d as usize);
    }
    for d in [5, 9] {
        let e = Totp::new(s(), TotpAlgorithm::Sha1, d, 30).unwrap_err();
        assert!(
            e.to_string().contains("digits") && e.to_string().contains("6..=8"),
            "{e}"
        );
        let p = Policy {
            totp_digits: d,
            ..Policy::default()
        };
        assert!(
            p.validate()
                .unwrap_err()
                .to_string()
                .contains("totp_digits")
        );
        let uri = format!(
            "otpauth://totp/a:b?secret={}&digits={d}",
            base32_encode(&[7; 20])
        );
        assert!(
            parse_provisioning_uri(&uri)
                .unwrap_err()
                .to_string()
                .contains("digits")
        );
    }
    // An 8-digit enrollment verifies 8-digit codes.
    let fx = fixture_with(
        Policy {
            totp_digits: 8,
            ..policy()
        },
        Arc::new(MemoryStore::new()),
    );
    let (id, t, _) = enrolled(&fx, "alice");
    assert_eq!(t.digits(), 8);
    mfa(&fx)
        .view_recovery_codes(Subject::Identity(&id), &code(&fx, &t, 0))
        .unwrap();
}

/// OTP-8: a period above 120 s is refused (policy, Totp, URI).
#[test]
fn otp8_period_over_two_minutes_refused() {
    let p = Policy {
        totp_period_secs: 121,
        ..Policy::default()
    };
    let e = p.validate().unwrap_err();
    assert!(e.to_string().contains("totp_period_secs") && e.to_string().contains("1..=120"));
    Policy {
        totp_period_secs: 120,
        ..Policy::default()
    }
    .validate()
    .unwrap();
    let e = Totp::new(SecretBytes::new(vec![1; 20]), TotpAlgorithm::Sha1, 6, 121).unwrap_err();
    assert!(e.to_string().contains("period"));
    let uri = format!(
        "otpauth://totp/a:b?secret={}&period=121",
        base32_encode(&[7; 20])
    );
    assert!(
        parse_provisioning_uri(&uri)
            .unwrap_err()
            .to_string()
            .contains("period")
    );
}

/// OTP-9: verification reads time only from the engine's clock: the same
/// code fails or succeeds as the injected clock moves, and no public verify
/// takes a time argument (`Totp::verify` takes a `&dyn Clock`).
#[test]
fn otp9_time_comes_from_the_trusted_clock() {
    let fx = fixture();
    let (id, t, _) = enrolled(&fx, "alice");
    let future = code(&fx, &t, 3);
    let m = mfa(&fx);
    assert_verification_failed(
        m.view_recovery_codes(Subject::Identity(&id), &future)
            .unwrap_err(),
    );
    fx.clock.advance(90);
    m.view_recovery_codes(Subject::Identity(&id), &future)
        .unwrap();
}

/// OTP-10: the store holds the TOTP seed only envelope-encrypted: no raw
/// or base32 form in any record, and a key manager without the key cannot
/// verify codes.
#[test]
fn otp10_seed_is_only_stored_envelope_encrypted() {
    let fx = fixture();
    let (id, t, _) = enrolled(&fx, "alice");
    let raw = t.secret().expose().to_vec();
    let b32 = base32_encode(&raw);
    for (table, key, r) in snapshot(fx.store.as_ref()) {
        assert!(!contains(&r.value, &raw), "raw seed in {table:?} {key:?}");
        assert!(
            !contains(&r.value, b32.as_bytes()),
            "base32 seed in {table:?}"
        );
        assert!(!contains(&r.value, b32.to_lowercase().as_bytes()));
    }
    // The records alone (copied to a store whose key manager lacks the
    // wrap key) do not verify codes.
    let copy: Arc<dyn crate::Store> = Arc::new(MemoryStore::new());
    for (table, key, r) in snapshot(fx.store.as_ref()) {
        if !matches!(table, Table::Kms | Table::Meta) {
            copy.commit(&[crate::Op::Put {
                table,
                key,
                value: r.value,
                expect: crate::Version::ABSENT,
            }])
            .unwrap();
        }
    }
    let other = fixture_with(policy(), copy);
    other.clock.set(fx.clock.now().0);
    let e = other
        .engine
        .mfa("t1")
        .unwrap()
        .view_recovery_codes(Subject::Identity(&id), &code(&fx, &t, 0))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::VerificationFailed, "{e}");
    // With the key, the same code works.
    mfa(&fx)
        .view_recovery_codes(Subject::Identity(&id), &code(&fx, &t, 0))
        .unwrap();
}

/// OTP-11: a code accepted one step behind records drift -1 and centres the
/// next check on `T-1`; drift beyond `totp_max_drift_steps` is refused.
#[test]
fn otp11_drift_is_recorded_and_bounded() {
    let p = Policy {
        totp_window_steps: 1,
        totp_max_drift_steps: 2,
        ..policy()
    };
    let fx = fixture_with(p, Arc::new(MemoryStore::new()));
    let (id, t, _) = enrolled(&fx, "alice");
    let who = Subject::Identity(&id);
    let m = mfa(&fx);
    fx.clock.advance(30);
    m.view_recovery_codes(who, &code(&fx, &t, -1)).unwrap();
    let rec: record::MfaRecord = crate::codec::decode(
        &fx.store
            .get(Table::Mfa, format!("t1/mfa/{id}").as_bytes())
            .unwrap()
            .unwrap()
            .value,
        "mfa",
    )
    .unwrap();
    assert_eq!(rec.drift, -1);
    fx.clock.advance(60);
    // Centred on T-1 now: T-2 is inside the window and the drift limit
    // (without the recorded drift, window 1 would refuse it).
    m.view_recovery_codes(who, &code(&fx, &t, -2)).unwrap();
    fx.clock.advance(60);
    // Centre T-2 (drift -2); T-3 would need drift 3 > 2.
    assert_verification_failed(m.view_recovery_codes(who, &code(&fx, &t, -3)).unwrap_err());
    // +1 is outside the window around T-2.
    assert_verification_failed(m.view_recovery_codes(who, &code(&fx, &t, 1)).unwrap_err());
    m.view_recovery_codes(who, &code(&fx, &t, -1)).unwrap();
    // Defaults (window 1, max drift 1) keep the check at T-1..T+1 whatever
    // the drift: see otp1.
    let d = Policy::default();
    assert_eq!((d.totp_window_steps, d.totp_max_drift_steps), (1, 1));
    let bad = Policy {
        totp_window_steps: 2,
        totp_max_drift_steps: 1,
        ..Policy::default()
    };
    assert!(
        bad.validate()
            .unwrap_err()
            .to_string()
            .contains("totp_max_drift_steps")
    );
}

// ---- RC-1 .. RC-4 ---------------------------------------------------------------------

#[derive(Debug)]
struct CountingRng {
    inner: SeededRng,
    calls: AtomicUsize,
}

impl SecureRandom for CountingRng {
    fn fill(&self, buf: &mut [u8]) -> Result<(), RandomError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.fill(buf)
    }
}

/// RC-1: codes come from the engine's generator (a counting fake proves it
/// is called), carry 125 bits (25 base32 characters) and are unique.
#[test]
fn rc1_recovery_codes_come_from_the_injected_rng_with_125_bits() {
    assert_eq!(recovery::RECOVERY_CODE_BITS, 125);
    let rng = CountingRng {
        inner: SeededRng::new(3),
        calls: AtomicUsize::new(0),
    };
    let before = rng.calls.load(Ordering::SeqCst);
    let codes: Vec<_> = (0..200)
        .map(|_| recovery::generate(&rng).unwrap())
        .collect();
    assert_eq!(rng.calls.load(Ordering::SeqCst) - before, 200);
    let set: std::collections::HashSet<_> = codes.iter().map(|c| c.reveal().to_owned()).collect();
    assert_eq!(set.len(), 200);
    let fx = fixture();
    let (_, _, codes) = enrolled(&fx, "alice");
    assert_eq!(codes.len(), 10, "policy default");
    assert!(
        codes
            .iter()
            .all(|c| c.reveal().replace('-', "").len() == 25)
    );
    // A failing generator fails enrollment cleanly.
    let e = recovery::generate(&crate::testing::FailingRng).unwrap_err();
    assert_eq!(e.code(), ErrorCode::RandomFailed);
}

/// RC-2: a recovery code works once; 16 concurrent redemptions of one code
/// give exactly one success.
#[test]
fn rc2_recovery_code_is_single_use_under_races() {
    // Losers find the code gone, which counts as a failure: a high limit
    // keeps this test about single use, not the lockout.
    let fx = fixture_with(
        Policy {
            mfa_lockout_threshold: 100,
            ..policy()
        },
        Arc::new(MemoryStore::new()),
    );
    let (id, _, codes) = enrolled(&fx, "alice");
    let ids = fx.engine.identities("t1").unwrap();
    let s = ids
        .authenticate(AuthRequest::password("alice-user", "correct horse"))
        .unwrap();
    let c = codes[0].reveal().to_owned();
    let barrier = Arc::new(Barrier::new(16));
    let handles: Vec<_> = (0..16)
        .map(|_| {
            let (m, b, c, tok) = (mfa(&fx), barrier.clone(), c.clone(), s.token().to_owned());
            std::thread::spawn(move || {
                b.wait();
                m.authenticate_mfa(&tok, &c)
            })
        })
        .collect();
    let ok = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(Result::is_ok)
        .count();
    assert_eq!(ok, 1);
    let st = mfa(&fx).status(Subject::Identity(&id)).unwrap();
    assert_eq!(st.recovery_codes_remaining, 9);
    // Sequential second use fails too, in another accepted spelling.
    let s2 = ids
        .authenticate(AuthRequest::password("alice-user", "correct horse"))
        .unwrap();
    let lower = c.to_lowercase().replace('-', " ");
    assert_verification_failed(mfa(&fx).authenticate_mfa(s2.token(), &lower).unwrap_err());
    // Another code works, case- and dash-insensitively.
    let other = codes[1].reveal().to_lowercase().replace('-', "");
    assert!(
        mfa(&fx)
            .authenticate_mfa(s2.token(), &other)
            .unwrap()
            .mfa_complete
    );
}

/// RC-3: the store keeps only keyed digests of codes (≥ 112 bits, so a
/// keyed hash is allowed): no code appears in any record, in any spelling.
#[test]
fn rc3_recovery_codes_are_stored_as_keyed_digests_only() {
    let fx = fixture();
    let (id, _, codes) = enrolled(&fx, "alice");
    for (_, _, r) in snapshot(fx.store.as_ref()) {
        for c in &codes {
            for form in [c.reveal().to_owned(), c.reveal().replace('-', "")] {
                assert!(!contains(&r.value, form.as_bytes()));
            }
            let plain_sha = crate::crypto::hazmat::sha256(c.reveal().replace('-', "").as_bytes());
            assert!(!contains(&r.value, &plain_sha), "unkeyed digest stored");
        }
    }
    let rec: record::MfaRecord = crate::codec::decode(
        &fx.store
            .get(Table::Mfa, format!("t1/mfa/{id}").as_bytes())
            .unwrap()
            .unwrap()
            .value,
        "mfa",
    )
    .unwrap();
    assert_eq!(rec.recovery_digests.len(), 10);
    assert!(rec.recovery_digests.iter().all(|d| d.0.len() == 32));
    assert!(rec.recovery_sealed.is_none(), "not viewable by default");
}

/// RC-4: failed recovery codes and failed TOTP codes share one counter.
#[test]
fn rc4_recovery_failures_share_the_totp_counter() {
    let fx = fixture();
    let (_, t, codes) = enrolled(&fx, "alice");
    let s = fx
        .engine
        .identities("t1")
        .unwrap()
        .authenticate(AuthRequest::password("alice-user", "correct horse"))
        .unwrap();
    let m = mfa(&fx);
    let wrong_rc = "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA";
    let good = code(&fx, &t, 0);
    let wrong_totp = if good == "000000" { "111111" } else { "000000" };
    for i in 0..5 {
        let c = if i % 2 == 0 { wrong_rc } else { wrong_totp };
        assert_verification_failed(m.authenticate_mfa(s.token(), c).unwrap_err());
    }
    assert_eq!(
        m.authenticate_mfa(s.token(), codes[0].reveal())
            .unwrap_err()
            .code(),
        ErrorCode::Locked
    );
    assert_eq!(
        m.authenticate_mfa(s.token(), &good).unwrap_err().code(),
        ErrorCode::Locked
    );
}

// ---- lifecycle and state rules ---------------------------------------------------------

#[test]
fn enroll_is_once_per_identity_until_disabled() {
    let fx = fixture();
    let (id, _, _) = new_user(&fx, "alice");
    let m = mfa(&fx);
    let who = Subject::Identity(&id);
    let e = m.enroll(who).unwrap();
    assert_eq!(e.recovery_codes.len(), 10);
    assert_eq!(&e.qr_png[1..4], b"PNG");
    let before = snapshot(fx.store.as_ref());
    assert_eq!(m.enroll(who).unwrap_err().code(), ErrorCode::AlreadyExists);
    assert_eq!(
        snapshot(fx.store.as_ref()),
        before,
        "failed enroll wrote nothing"
    );
    // Unverified: disable needs an empty code.
    let e2 = m.disable(who, "123456").unwrap_err();
    assert!(e2.to_string().contains("code") && e2.to_string().contains("empty"));
    m.disable(who, "").unwrap();
    assert!(!m.status(who).unwrap().enrolled);
    m.enroll(who).unwrap();
}

#[test]
fn status_and_qr_follow_the_state() {
    let fx = fixture();
    let (id, _, _) = new_user(&fx, "alice");
    let m = mfa(&fx);
    let who = Subject::Identity(&id);
    assert_eq!(
        m.qr_code(who, QrFormat::Png).unwrap_err().code(),
        ErrorCode::NotFound
    );
    let st = m.status(who).unwrap();
    assert!(!st.enrolled && st.provisioning_uri.is_none());
    let e = m.enroll(who).unwrap();
    let st = m.status(who).unwrap();
    assert!(st.enrolled && !st.verified);
    assert_eq!(st.provisioning_uri.as_ref(), Some(&e.provisioning_uri));
    assert_eq!(st.recovery_codes_remaining, 10);
    assert_eq!(
        (st.digits, st.period, st.algorithm),
        (Some(6), Some(30), Some(TotpAlgorithm::Sha1))
    );
    assert_eq!(m.qr_code(who, QrFormat::Png).unwrap(), e.qr_png);
    let svg = m.qr_code(who, QrFormat::Svg).unwrap();
    assert!(String::from_utf8(svg).unwrap().contains("<svg"));
    let t = totp_of(&e);
    m.verify(who, &code(&fx, &t, 0)).unwrap();
    let st = m.status(who).unwrap();
    assert!(st.verified && st.provisioning_uri.is_none());
    assert_eq!(
        m.qr_code(who, QrFormat::Svg).unwrap_err().code(),
        ErrorCode::NotFound
    );
}

#[test]
fn verify_only_while_unverified_and_only_with_totp() {
    let fx = fixture();
    let (id, _, _) = new_user(&fx, "alice");
    let m = mfa(&fx);
    let who = Subject::Identity(&id);
    assert_eq!(
        m.verify(who, "123456").unwrap_err().code(),
        ErrorCode::NotFound
    );
    let e = m.enroll(who).unwrap();
    let t = totp_of(&e);
    let s = fx
        .engine
        .identities("t1")
        .unwrap()
        .authenticate(AuthRequest::password("alice-user", "correct horse"))
        .unwrap();
    assert!(
        !s.session.mfa_required,
        "unverified MFA is not required at login"
    );
    let before = snapshot(fx.store.as_ref());
    let err = m.verify(who, e.recovery_codes[0].reveal()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("code"));
    assert_eq!(
        m.verify(who, "  ").unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    // Unverified: authenticate/regenerate/view are state errors.
    let err = m
        .authenticate_mfa(s.token(), &code(&fx, &t, 0))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidState);
    assert!(err.to_string().contains("UNVERIFIED"), "{err}");
    assert_eq!(
        m.regenerate_recovery_codes(who, &code(&fx, &t, 0))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidState
    );
    assert_eq!(
        m.view_recovery_codes(who, &code(&fx, &t, 0))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidState
    );
    assert_eq!(
        snapshot(fx.store.as_ref()),
        before,
        "refusals wrote nothing"
    );
    // Verify through the session: the session's MFA is complete.
    m.verify(Subject::Session(s.token()), &code(&fx, &t, 0))
        .unwrap();
    let cur = fx
        .engine
        .identities("t1")
        .unwrap()
        .current_session(s.token())
        .unwrap();
    assert!(cur.mfa_required && cur.mfa_complete);
    let err = m.verify(who, &code(&fx, &t, 1)).unwrap_err();
    assert!(err.to_string().contains("VERIFIED"), "{err}");
}

/// A session of an identity with verified MFA owes it: only MFA operations,
/// `current_session` and `logout` work until `authenticate_mfa`.
#[test]
fn session_owing_mfa_can_only_do_mfa() {
    let fx = fixture();
    let (id, t, _) = enrolled(&fx, "alice");
    let ids = fx.engine.identities("t1").unwrap();
    let s = ids
        .authenticate(AuthRequest::password("alice-user", "correct horse"))
        .unwrap();
    assert!(s.session.mfa_required && !s.session.mfa_complete);
    let tok = s.token();
    let who = Subject::Session(tok);
    for e in [
        ids.validate_session(tok, "read secrets").unwrap_err(),
        ids.authenticators(who).unwrap_err(),
        ids.sessions(who).unwrap_err(),
        ids.current_identity(tok).unwrap_err(),
    ] {
        assert_eq!(e.code(), ErrorCode::MfaRequired, "{e}");
        assert!(e.to_string().contains("mfa"));
    }
    assert!(ids.current_session(tok).unwrap().mfa_pending());
    assert!(mfa(&fx).status(who).unwrap().verified);
    mfa(&fx).authenticate_mfa(tok, &code(&fx, &t, 0)).unwrap();
    assert_eq!(
        ids.validate_session(tok, "read secrets")
            .unwrap()
            .identity_id,
        id
    );
    assert_eq!(ids.authenticators(who).unwrap().len(), 1);
    // Logout is always allowed.
    let s2 = ids
        .authenticate(AuthRequest::password("alice-user", "correct horse"))
        .unwrap();
    ids.logout(s2.token()).unwrap();
    assert_verification_failed(ids.current_session(s2.token()).unwrap_err());
}

#[test]
fn disable_needs_a_code_once_verified_and_admin_remove_does_not() {
    let fx = fixture();
    let (id, t, codes) = enrolled(&fx, "alice");
    let m = mfa(&fx);
    let who = Subject::Identity(&id);
    assert_eq!(
        m.disable(who, "").unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    assert_verification_failed(m.disable(who, "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA").unwrap_err());
    assert!(m.status(who).unwrap().enrolled);
    m.disable(who, codes[3].reveal()).unwrap();
    assert!(!m.status(who).unwrap().enrolled);
    // Logins no longer require MFA.
    let s = fx
        .engine
        .identities("t1")
        .unwrap()
        .authenticate(AuthRequest::password("alice-user", "correct horse"))
        .unwrap();
    assert!(!s.session.mfa_required);
    // Re-enroll, verify, disable by TOTP, re-enroll, admin removal.
    let e = m.enroll(who).unwrap();
    let t2 = totp_of(&e);
    assert_ne!(t2.secret().expose(), t.secret().expose());
    m.verify(who, &code(&fx, &t2, 0)).unwrap();
    fx.clock.advance(30);
    m.disable(who, &code(&fx, &t2, 0)).unwrap();
    m.enroll(who).unwrap();
    m.remove(&id).unwrap();
    assert_eq!(m.remove(&id).unwrap_err().code(), ErrorCode::NotFound);
    let events: Vec<_> = audit_outcomes(&fx, &id)
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    assert!(events.contains(&"mfa.remove".to_string()));
}

#[test]
fn regenerate_replaces_all_codes_and_needs_totp() {
    let fx = fixture();
    let (id, t, old) = enrolled(&fx, "alice");
    let m = mfa(&fx);
    let who = Subject::Identity(&id);
    let e = m
        .regenerate_recovery_codes(who, old[0].reveal())
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
    let new = m.regenerate_recovery_codes(who, &code(&fx, &t, 0)).unwrap();
    assert_eq!(new.len(), 10);
    let s = fx
        .engine
        .identities("t1")
        .unwrap()
        .authenticate(AuthRequest::password("alice-user", "correct horse"))
        .unwrap();
    assert_verification_failed(m.authenticate_mfa(s.token(), old[1].reveal()).unwrap_err());
    m.authenticate_mfa(s.token(), new[1].reveal()).unwrap();
}

#[test]
fn view_shows_codes_only_when_the_policy_keeps_them_viewable() {
    let fx = fixture();
    let (id, t, _) = enrolled(&fx, "alice");
    let v = mfa(&fx)
        .view_recovery_codes(Subject::Identity(&id), &code(&fx, &t, 0))
        .unwrap();
    assert_eq!(
        v,
        RecoveryCodesView {
            codes: None,
            remaining: 10
        }
    );

    let fx = fixture_with(
        Policy {
            recovery_codes_viewable: true,
            recovery_code_count: 4,
            ..policy()
        },
        Arc::new(MemoryStore::new()),
    );
    let (id, t, codes) = enrolled(&fx, "alice");
    let s = fx
        .engine
        .identities("t1")
        .unwrap()
        .authenticate(AuthRequest::password("alice-user", "correct horse"))
        .unwrap();
    mfa(&fx)
        .authenticate_mfa(s.token(), codes[2].reveal())
        .unwrap();
    let v = mfa(&fx)
        .view_recovery_codes(Subject::Identity(&id), &code(&fx, &t, 0))
        .unwrap();
    assert_eq!(v.remaining, 3);
    let shown: Vec<_> = v
        .codes
        .unwrap()
        .iter()
        .map(|c| c.reveal().to_owned())
        .collect();
    let expected: Vec<_> = codes
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 2)
        .map(|(_, c)| c.reveal().to_owned())
        .collect();
    assert_eq!(shown, expected);
    // Sealed, not plain.
    for (_, _, r) in snapshot(fx.store.as_ref()) {
        assert!(!contains(
            &r.value,
            codes[0].reveal().replace('-', "").as_bytes()
        ));
    }
}

#[test]
fn mfa_limits_are_named() {
    for (p, field) in [
        (
            Policy {
                recovery_code_count: 0,
                ..Policy::default()
            },
            "recovery_code_count",
        ),
        (
            Policy {
                recovery_code_count: 33,
                ..Policy::default()
            },
            "recovery_code_count",
        ),
        (
            Policy {
                mfa_lockout_threshold: 0,
                ..Policy::default()
            },
            "mfa_lockout_threshold",
        ),
        (
            Policy {
                mfa_lockout_threshold: 101,
                ..Policy::default()
            },
            "mfa_lockout_threshold",
        ),
        (
            Policy {
                mfa_lockout_secs: 86_401,
                ..Policy::default()
            },
            "mfa_lockout_secs",
        ),
        (
            Policy {
                mfa_issuer: "a:b".into(),
                ..Policy::default()
            },
            "mfa_issuer",
        ),
        (
            Policy {
                mfa_issuer: String::new(),
                ..Policy::default()
            },
            "mfa_issuer",
        ),
        (
            Policy {
                totp_period_secs: 0,
                ..Policy::default()
            },
            "totp_period_secs",
        ),
    ] {
        let e = p.validate().unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert!(e.to_string().contains(field), "{e}");
    }
}

#[test]
fn failed_codes_change_only_the_counter_and_the_audit_trail() {
    let fx = fixture();
    let (id, t, _) = enrolled(&fx, "alice");
    let before = snapshot(fx.store.as_ref());
    let good = code(&fx, &t, 0);
    let bad = if good == "999999" { "888888" } else { "999999" };
    assert_verification_failed(
        mfa(&fx)
            .view_recovery_codes(Subject::Identity(&id), bad)
            .unwrap_err(),
    );
    let after = snapshot(fx.store.as_ref());
    let changed: std::collections::BTreeSet<_> = after
        .iter()
        .filter(|x| !before.contains(x))
        .map(|(t, _, _)| *t)
        .collect();
    assert_eq!(
        changed,
        [Table::Audit, Table::Lockout].into_iter().collect()
    );
    let mfa_before: Vec<_> = before.iter().filter(|(t, _, _)| *t == Table::Mfa).collect();
    let mfa_after: Vec<_> = after.iter().filter(|(t, _, _)| *t == Table::Mfa).collect();
    assert_eq!(mfa_before, mfa_after);
}

// ---- URI, QR and parsing -----------------------------------------------------------------

/// The provisioning URI exactly as SEMANTICS.md §E spells it, with
/// percent-encoding of issuer and account.
#[test]
fn provisioning_uri_is_exact() {
    let t = Totp::new(
        SecretBytes::from_slice(b"12345678901234567890"),
        TotpAlgorithm::Sha1,
        6,
        30,
    )
    .unwrap();
    assert_eq!(
        t.provisioning_uri("credcycle", "alice").reveal(),
        "otpauth://totp/credcycle:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=credcycle&algorithm=SHA1&digits=6&period=30"
    );
    let t = Totp::new(
        SecretBytes::new(vec![0xff; 32]),
        TotpAlgorithm::Sha256,
        8,
        60,
    )
    .unwrap();
    let uri = t.provisioning_uri("ACME Co", "alice@example.com:é");
    assert_eq!(
        uri.reveal(),
        "otpauth://totp/ACME%20Co:alice%40example.com%3A%C3%A9?secret=777777777777777777777777777777777777777777777777777Q&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60"
    );
    assert!(
        !uri.reveal().contains('='.to_string().repeat(2).as_str()),
        "no padding"
    );
    let p = parse_provisioning_uri(uri.reveal()).unwrap();
    assert_eq!(p.issuer.as_deref(), Some("ACME Co"));
    assert_eq!(p.account, "alice@example.com:é");
    assert_eq!(p.totp.secret().expose(), &[0xff; 32]);
    assert_eq!(
        (p.totp.algorithm(), p.totp.digits(), p.totp.period()),
        (TotpAlgorithm::Sha256, 8, 60)
    );
    assert_eq!(
        format!("{uri:?}"),
        "ProvisioningUri(otpauth://totp/<redacted>)"
    );
}

#[test]
fn uri_parser_refuses_malformed_input_by_field() {
    let s = base32_encode(&[7; 20]);
    for (uri, field) in [
        (String::from("http://totp/a?secret=x"), "uri"),
        (format!("otpauth://hotp/a?secret={s}&counter=1"), "uri"),
        (format!("otpauth://totp/a:b?secret={s}&secret={s}"), "uri"),
        (format!("otpauth://totp/a:b?secret={s}&issuer=c"), "uri"),
        (format!("otpauth://totp/a%zz?secret={s}"), "uri"),
        (String::from("otpauth://totp/a:b?issuer=a"), "secret"),
        (String::from("otpauth://totp/a:b?secret=1111"), "secret"),
        (
            format!("otpauth://totp/a:b?secret={s}&algorithm=MD5"),
            "algorithm",
        ),
        (format!("otpauth://totp/a:b?secret={s}&digits=x"), "digits"),
        (
            format!("otpauth://totp/a:b?secret={s}&period=99999999999"),
            "period",
        ),
        ("otpauth://totp/".to_string() + &"a".repeat(5000), "uri"),
    ] {
        let e = parse_provisioning_uri(&uri).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput, "{uri}");
        assert!(e.to_string().contains(field), "{uri}: {e}");
        assert!(!e.to_string().contains(&s), "error repeats the secret");
    }
    // Lenient where apps are: lower case, padding, defaults.
    let p = parse_provisioning_uri(&format!(
        "OTPAUTH://TOTP/bob?secret={}",
        base32_encode(&[7; 20]).to_lowercase()
    ))
    .unwrap();
    assert_eq!((p.issuer, p.account.as_str()), (None, "bob"));
    assert_eq!((p.totp.digits(), p.totp.period()), (6, 30));
}

#[test]
fn code_input_parsing() {
    assert_eq!(parse_code_input("", 6), CodeInput::Empty);
    assert_eq!(
        parse_code_input(" 123 456 ", 6),
        CodeInput::Totp("123456".into())
    );
    assert_eq!(parse_code_input("1234567", 6), CodeInput::Invalid);
    assert_eq!(
        parse_code_input("1234567", 7),
        CodeInput::Totp("1234567".into())
    );
    assert!(matches!(
        parse_code_input("abcde-fghij-klmno-pqrst-uvwxy", 6),
        CodeInput::Recovery(_)
    ));
    assert_eq!(parse_code_input(&"1".repeat(300), 6), CodeInput::Invalid);
    assert_eq!(
        format!("{:?}", parse_code_input("123456", 6)),
        "Totp(<redacted>)"
    );
}

#[test]
fn debug_output_never_shows_secrets() {
    let fx = fixture();
    let (id, _, _) = new_user(&fx, "alice");
    let e = mfa(&fx).enroll(Subject::Identity(&id)).unwrap();
    let t = totp_of(&e);
    let d = format!("{e:?} {t:?}");
    let b32 = base32_encode(t.secret().expose());
    assert!(!d.contains(&b32));
    for c in &e.recovery_codes {
        assert!(!d.contains(c.reveal()));
    }
    assert!(d.contains("redacted"));
}

mod proptests {
    use super::super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn uri_parser_never_panics(s in "\\PC{0,300}") {
            let _ = parse_provisioning_uri(&s);
            let _ = parse_provisioning_uri(&format!("otpauth://totp/{s}"));
        }

        #[test]
        fn code_input_never_panics(s in "\\PC{0,80}", d in 0u32..12) {
            let _ = parse_code_input(&s, d);
            let _ = recovery::normalize(&s);
        }

        /// TOTP window acceptance: a code of step `T+k` verifies within
        /// window `w` exactly when |k| ≤ w.
        #[test]
        fn window_acceptance(t in 0i64..4_000_000_000, k in -3i64..=3, w in 0u32..=2) {
            let totp = Totp::new(crate::SecretBytes::new(vec![3; 20]), TotpAlgorithm::Sha1, 8, 30).unwrap();
            let clock = crate::testing::FakeClock::new(t);
            let step = totp.step_at(UnixTime(t));
            prop_assume!(step + k >= 0);
            let c = totp.code_for_step(step + k).unwrap();
            let got = totp.verify(&c, &clock, w);
            if k.unsigned_abs() <= u64::from(w) {
                prop_assert!(got.is_some());
            }
            if let Some(s) = got {
                prop_assert!((s - step).unsigned_abs() <= u64::from(w));
            }
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}
