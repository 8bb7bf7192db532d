//! Tests of the enrollment domain: enrollment JWTs and their limits, the
//! JWKS and its rotation, the challenge, every enrollment state rule both
//! ways, exactly-once redemption under races, atomicity of failed
//! operations, audit and tenancy.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;

use super::*;
use crate::error::{Error, ErrorCode};
use crate::identities::tests::{Fx, T0, fixture, fixture_with, policy, snapshot};
use crate::identities::{AuthRequest, CreateIdentity, Subject};
use crate::policy::Policy;
use crate::services::Clock;
use crate::store::MemoryStore;

fn enr(fx: &Fx) -> Enrollment {
    fx.engine.enrollment("t1").unwrap()
}

fn identity(fx: &Fx, name: &str) -> String {
    fx.engine
        .identities("t1")
        .unwrap()
        .create(CreateIdentity::new(name))
        .unwrap()
        .id
}

fn updb(user: &str) -> EnrollmentRequest {
    EnrollmentRequest::Updb {
        username: user.into(),
    }
}

fn assert_invalid(e: &Error, field: &str, limit: &str) {
    assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
    let m = e.to_string();
    assert!(
        m.contains(field) && m.contains(limit),
        "{m} should name {field} and {limit}"
    );
}

fn assert_state(e: &Error, state: &str) {
    assert_eq!(e.code(), ErrorCode::InvalidState, "{e}");
    assert!(e.to_string().contains(state), "{e} should name {state}");
}

// ---- enrollment JWTs ----------------------------------------------------------------

#[test]
fn enrollment_jwt_has_the_seed_claims_and_verifies_against_the_jwks() {
    let fx = fixture();
    let id = identity(&fx, "alice");
    let e = enr(&fx);
    let n = e.create(&id, EnrollmentRequest::Ott).unwrap();
    let c = parse_enrollment_jwt(n.jwt()).unwrap();
    assert_eq!(c.method, EnrollmentMethod::Ott);
    assert_eq!(c.sub, id);
    assert_eq!(c.iss, "credcycle");
    assert_eq!(c.iat, Some(T0));
    assert_eq!(c.exp, T0 + 180 * 60, "policy default 180 min");
    assert_eq!(c.kid, e.current_kid().unwrap());
    assert!(c.jti.starts_with("ccen_"));
    assert_eq!(n.enrollment.expires_at, UnixTime(T0 + 180 * 60));
    assert_eq!(n.enrollment.state, EnrollmentState::Pending);
    let jwks = e.jwks().unwrap();
    assert_eq!(jwks.keys().len(), 1);
    let v = verify_enrollment_jwt(n.jwt(), &jwks, "credcycle", UnixTime(T0)).unwrap();
    assert_eq!(v.sub, id);
    // The header names the key and the algorithm.
    let h = crate::jose::jws::peek_header(n.jwt()).unwrap();
    assert_eq!(h["alg"], "ES256");
    assert_eq!(h["kid"], c.kid.as_str());
    // Wrong issuer, a changed claim, a foreign key: refused.
    assert_eq!(
        verify_enrollment_jwt(n.jwt(), &jwks, "other", UnixTime(T0))
            .unwrap_err()
            .code(),
        ErrorCode::VerificationFailed
    );
    let parts: Vec<&str> = n.jwt().split('.').collect();
    let mut claims: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, parts[1])
            .unwrap(),
    )
    .unwrap();
    claims["sub"] = "someone-else".into();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        crate::jose::base64url_encode(&serde_json::to_vec(&claims).unwrap()),
        parts[2]
    );
    assert_eq!(
        verify_enrollment_jwt(&forged, &jwks, "credcycle", UnixTime(T0))
            .unwrap_err()
            .code(),
        ErrorCode::VerificationFailed
    );
}

#[test]
fn enrollment_token_lifetime_follows_the_policy_and_its_minimum() {
    let p = Policy {
        enrollment_token_ttl_secs: 300,
        enrollment_key_retention_secs: 300,
        ..policy()
    };
    let fx = fixture_with(p, Arc::new(MemoryStore::new()));
    let id = identity(&fx, "alice");
    let n = enr(&fx).create(&id, EnrollmentRequest::Ott).unwrap();
    assert_eq!(parse_enrollment_jwt(n.jwt()).unwrap().exp, T0 + 300);
    // Under the 5-minute minimum the engine does not start, naming the
    // field and the limit.
    let p = Policy {
        enrollment_token_ttl_secs: 299,
        ..policy()
    };
    let e = crate::Engine::builder()
        .store(Arc::new(MemoryStore::new()))
        .key_manager(fx.engine.keys().clone())
        .policy(p)
        .build()
        .unwrap_err();
    assert_invalid(&e, "enrollment_token_ttl_secs", "300..=");
}

#[test]
fn malformed_enrollment_jwts_are_invalid_input_and_never_panic() {
    for bad in [
        "",
        "a.b",
        "a.b.c",
        "eyJhbGciOiJub25lIn0.e30.",
        "eyJhbGciOiJFUzI1NiJ9.e30.AAAA",
        &"x".repeat(MAX_ENROLLMENT_JWT_BYTES + 1),
    ] {
        let e = parse_enrollment_jwt(bad).unwrap_err();
        assert_invalid(&e, "token", "");
    }
    // alg none with good claims is refused before any key is looked at.
    let header = crate::jose::base64url_encode(br#"{"alg":"none","kid":"k"}"#);
    let claims = crate::jose::base64url_encode(
        br#"{"em":"ott","jti":"x","sub":"s","iss":"credcycle","exp":9999999999}"#,
    );
    let e = parse_enrollment_jwt(&format!("{header}.{claims}.")).unwrap_err();
    assert_invalid(&e, "token", "ES256");
    // Missing or mistyped claims name the claim.
    for (claims, name) in [
        (r#"{"jti":"x","sub":"s","iss":"i","exp":1}"#, "em"),
        (
            r#"{"em":"bogus","jti":"x","sub":"s","iss":"i","exp":1}"#,
            "em",
        ),
        (r#"{"em":"ott","sub":"s","iss":"i","exp":1}"#, "jti"),
        (r#"{"em":"ott","jti":"x","iss":"i","exp":1}"#, "sub"),
        (r#"{"em":"ott","jti":"x","sub":"s","exp":1}"#, "iss"),
        (
            r#"{"em":"ott","jti":"x","sub":"s","iss":"i","exp":"1"}"#,
            "exp",
        ),
        (r#"{"em":"ott","jti":"x","sub":"s","iss":"i"}"#, "exp"),
    ] {
        let h = crate::jose::base64url_encode(br#"{"alg":"ES256","kid":"k"}"#);
        let c = crate::jose::base64url_encode(claims.as_bytes());
        let e = parse_enrollment_jwt(&format!("{h}.{c}.AAAA")).unwrap_err();
        assert_invalid(&e, "token", name);
    }
    // Arbitrary bytes: no panic.
    let mut seed = 7u64;
    for _ in 0..2000 {
        let len = (seed % 200) as usize;
        let data: Vec<u8> = (0..len)
            .map(|i| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                if i % 7 == 3 { b'.' } else { (seed >> 33) as u8 }
            })
            .collect();
        fuzz_enrollment_jwt(&data);
    }
}

#[test]
fn expired_tokens_are_refused_by_state_and_can_be_reissued() {
    let fx = fixture();
    let id = identity(&fx, "alice");
    let e = enr(&fx);
    let n = e.create(&id, updb("alice-user")).unwrap();
    fx.clock.advance(180 * 60 - 1);
    assert_eq!(
        e.get(&id, EnrollmentMethod::Updb).unwrap().state,
        EnrollmentState::Pending
    );
    fx.clock.advance(1);
    assert_eq!(
        e.get(&id, EnrollmentMethod::Updb).unwrap().state,
        EnrollmentState::Expired
    );
    let before = snapshot(fx.store.as_ref());
    let err = e
        .enroll_updb(n.jwt(), "alice-user", "correct horse")
        .unwrap_err();
    assert_state(&err, "EXPIRED");
    assert_eq!(
        snapshot(fx.store.as_ref()),
        before,
        "a refused redemption writes nothing"
    );
    // Re-issue: a new token that works; the old one no longer does.
    let again = e.reissue(&id, EnrollmentMethod::Updb).unwrap();
    assert_ne!(again.jwt(), n.jwt());
    assert_eq!(again.enrollment.state, EnrollmentState::Pending);
    assert_eq!(
        again.enrollment.expires_at,
        UnixTime(fx.clock.now().0 + 180 * 60)
    );
    assert_state(
        &e.enroll_updb(n.jwt(), "alice-user", "correct horse")
            .unwrap_err(),
        "EXPIRED",
    );
    e.enroll_updb(again.jwt(), "alice-user", "correct horse")
        .unwrap();
    // A used enrollment cannot be re-issued.
    assert_state(&e.reissue(&id, EnrollmentMethod::Updb).unwrap_err(), "USED");
}

#[test]
fn reissue_of_a_pending_token_retires_the_old_one() {
    let fx = fixture();
    let id = identity(&fx, "alice");
    let e = enr(&fx);
    let old = e.create(&id, updb("alice-user")).unwrap();
    let new = e.reissue(&id, EnrollmentMethod::Updb).unwrap();
    assert_eq!(
        e.enroll_updb(old.jwt(), "alice-user", "correct horse")
            .unwrap_err()
            .code(),
        ErrorCode::VerificationFailed
    );
    e.enroll_updb(new.jwt(), "alice-user", "correct horse")
        .unwrap();
    assert_eq!(
        e.reissue(&identity(&fx, "bob"), EnrollmentMethod::Updb)
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
}

#[test]
fn jwks_keeps_a_rotated_key_for_its_retention_then_drops_it() {
    let fx = fixture();
    let id = identity(&fx, "alice");
    let e = enr(&fx);
    let old = e.create(&id, updb("alice-user")).unwrap();
    let kid1 = e.current_kid().unwrap();
    let kid2 = e.rotate_signing_key().unwrap();
    assert_ne!(kid1, kid2);
    let jwks = e.jwks().unwrap();
    let kids: Vec<_> = jwks
        .keys()
        .iter()
        .filter_map(|k| k.kid().map(str::to_owned))
        .collect();
    assert_eq!(kids, [kid1.clone(), kid2.clone()]);
    // New tokens use the new key; the old token still verifies.
    let bob = identity(&fx, "bob");
    let new = e.create(&bob, EnrollmentRequest::Ott).unwrap();
    assert_eq!(parse_enrollment_jwt(new.jwt()).unwrap().kid, kid2);
    verify_enrollment_jwt(old.jwt(), &jwks, "credcycle", fx.clock.now()).unwrap();
    // The retention (default 1 day) ends: the old key leaves the JWKS.
    fx.clock.advance(86_400);
    let jwks = e.jwks().unwrap();
    assert_eq!(jwks.keys().len(), 1);
    assert_eq!(jwks.keys()[0].kid(), Some(kid2.as_str()));
}

#[test]
fn challenge_signs_the_nonce_and_the_ca_pool() {
    let fx = fixture();
    let e = enr(&fx);
    let kid = e.current_kid().unwrap();
    let nonce = "F25F24F2-D581-4594-9824-123D5821FB65";
    let c = e.challenge(&kid, nonce).unwrap();
    assert_eq!(c.algorithm, "ES256");
    assert_eq!(c.kid, kid);
    let jwks = e.jwks().unwrap();
    verify_challenge(&jwks, nonce, &c).unwrap();
    verify_challenge(&jwks, &nonce.to_ascii_lowercase(), &c).unwrap();
    // Another nonce, a changed CA pool, another algorithm or kid: refused.
    let other = "f25f24f2-d581-4594-9824-123d5821fb66";
    assert_eq!(
        verify_challenge(&jwks, other, &c).unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
    let mut forged = c.clone();
    forged.ca_pool.push_str("-----BEGIN CERTIFICATE-----\n");
    assert!(verify_challenge(&jwks, nonce, &forged).is_err());
    let mut forged = c.clone();
    forged.algorithm = "HS256".into();
    assert!(verify_challenge(&jwks, nonce, &forged).is_err());
    let mut forged = c.clone();
    forged.kid = "nope".into();
    assert!(verify_challenge(&jwks, nonce, &forged).is_err());
    let mut forged = c;
    forged.signature = "!!".into();
    assert!(verify_challenge(&jwks, nonce, &forged).is_err());
    // The nonce must be a UUID.
    for bad in [
        "",
        "not-a-uuid",
        "f25f24f2d5814594-9824-123d5821fb65x",
        "g25f24f2-d581-4594-9824-123d5821fb65",
    ] {
        assert_invalid(&e.challenge(&kid, bad).unwrap_err(), "nonce", "UUID");
    }
    // Unknown and retired keys.
    assert_eq!(
        e.challenge("nope", nonce).unwrap_err().code(),
        ErrorCode::NotFound
    );
    e.rotate_signing_key().unwrap();
    assert_state(&e.challenge(&kid, nonce).unwrap_err(), "RETIRED");
}

// ---- enrollments: creation rules -------------------------------------------------------

#[test]
fn one_pending_enrollment_per_method_and_limits() {
    let fx = fixture();
    let id = identity(&fx, "alice");
    let e = enr(&fx);
    e.create(&id, EnrollmentRequest::Ott).unwrap();
    let before = snapshot(fx.store.as_ref());
    assert_eq!(
        e.create(&id, EnrollmentRequest::Ott).unwrap_err().code(),
        ErrorCode::AlreadyExists
    );
    assert_eq!(snapshot(fx.store.as_ref()), before);
    // Another method is fine.
    e.create(&id, updb("alice-user")).unwrap();
    let list = e.list(&id).unwrap();
    assert_eq!(list.len(), 2);
    // Once expired, a new one replaces it.
    fx.clock.advance(180 * 60);
    e.create(&id, EnrollmentRequest::Ott).unwrap();
    assert_eq!(e.list(&id).unwrap().len(), 2);
    // Unknown identity, bad username, too many SANs, bad DNS names, unknown CA.
    assert_eq!(
        e.create(
            "00000000-0000-4000-8000-000000000000",
            EnrollmentRequest::Ott
        )
        .unwrap_err()
        .code(),
        ErrorCode::NotFound
    );
    let bob = identity(&fx, "bob");
    assert_invalid(
        &e.create(&bob, updb("abc")).unwrap_err(),
        "username",
        "4..=100",
    );
    assert_invalid(
        &e.create(
            &bob,
            EnrollmentRequest::Router {
                dns_names: (0..33).map(|i| format!("r{i}.example")).collect(),
                ip_addresses: vec![],
            },
        )
        .unwrap_err(),
        "dns_names",
        "at most 32",
    );
    assert_invalid(
        &e.create(
            &bob,
            EnrollmentRequest::Router {
                dns_names: vec![],
                ip_addresses: vec!["127.0.0.1".parse().unwrap(); 33],
            },
        )
        .unwrap_err(),
        "ip_addresses",
        "at most 32",
    );
    for bad in ["", "-a.example", "a..b", "a b", &"a".repeat(64)] {
        assert_invalid(
            &e.create(
                &bob,
                EnrollmentRequest::Router {
                    dns_names: vec![bad.to_owned()],
                    ip_addresses: vec![],
                },
            )
            .unwrap_err(),
            "dns_names",
            "1..=253",
        );
    }
    let r = e
        .create(
            &bob,
            EnrollmentRequest::Router {
                dns_names: vec!["router.example".into()],
                ip_addresses: vec!["10.0.0.1".parse().unwrap()],
            },
        )
        .unwrap();
    assert_eq!(r.enrollment.method, EnrollmentMethod::Router);
    assert_eq!(
        parse_enrollment_jwt(r.jwt()).unwrap().method,
        EnrollmentMethod::Router
    );
    assert_eq!(
        e.create(
            &bob,
            EnrollmentRequest::OttCa {
                ca_id: "nope".into()
            }
        )
        .unwrap_err()
        .code(),
        ErrorCode::NotFound
    );
    // Delete: the token stops working.
    let d = e.create(&bob, updb("bob-user")).unwrap();
    e.delete(&bob, EnrollmentMethod::Updb).unwrap();
    assert_eq!(
        e.enroll_updb(d.jwt(), "bob-user", "correct horse")
            .unwrap_err()
            .code(),
        ErrorCode::VerificationFailed
    );
    assert_eq!(
        e.delete(&bob, EnrollmentMethod::Updb).unwrap_err().code(),
        ErrorCode::NotFound
    );
}

// ---- updb enrollment ------------------------------------------------------------------

#[test]
fn updb_enrollment_sets_the_first_password_once() {
    let fx = fixture();
    let id = identity(&fx, "alice");
    let e = enr(&fx);
    let n = e.create(&id, updb("alice-user")).unwrap();
    // Wrong username, short password, wrong method: refused, nothing written.
    let before = snapshot(fx.store.as_ref());
    assert_invalid(
        &e.enroll_updb(n.jwt(), "mallory", "correct horse")
            .unwrap_err(),
        "username",
        "enrollment",
    );
    assert_invalid(
        &e.enroll_updb(n.jwt(), "alice-user", "short").unwrap_err(),
        "password",
        "8",
    );
    let ott = e
        .create(&identity(&fx, "bob"), EnrollmentRequest::Ott)
        .unwrap();
    let before_ott = snapshot(fx.store.as_ref());
    assert_invalid(
        &e.enroll_updb(ott.jwt(), "bob-user", "correct horse")
            .unwrap_err(),
        "token",
        "method ott, not updb",
    );
    assert_eq!(snapshot(fx.store.as_ref()), before_ott);
    let _ = before;
    // Success: password login works, the enrollment is used and audited.
    let a = e
        .enroll_updb(n.jwt(), "alice-user", "correct horse")
        .unwrap();
    assert_eq!(a.username.as_deref(), Some("alice-user"));
    let s = fx
        .engine
        .identities("t1")
        .unwrap()
        .authenticate(AuthRequest::password("alice-user", "correct horse"))
        .unwrap();
    assert_eq!(s.session.identity_id, id);
    let info = e.get(&id, EnrollmentMethod::Updb).unwrap();
    assert_eq!(info.state, EnrollmentState::Used);
    assert_eq!(info.used_at, Some(UnixTime(T0)));
    assert_eq!(info.authenticator_id.as_deref(), Some(a.id.as_str()));
    let trail = fx
        .engine
        .audit("t1")
        .unwrap()
        .events(&format!("identity:{id}"))
        .unwrap();
    assert!(trail.chain_valid);
    let actions: Vec<_> = trail.events.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"enrollment.create.updb"), "{actions:?}");
    assert!(actions.contains(&"enrollment.updb"), "{actions:?}");
    // Second use: already used, nothing written.
    let before = snapshot(fx.store.as_ref());
    let err = e
        .enroll_updb(n.jwt(), "alice-user", "correct horse")
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::EnrollmentTokenUsed);
    assert!(err.to_string().contains("already used"));
    assert_eq!(snapshot(fx.store.as_ref()), before);
}

#[test]
fn updb_token_raced_by_8_threads_works_once() {
    let fx = fixture();
    let id = identity(&fx, "alice");
    let n = enr(&fx).create(&id, updb("alice-user")).unwrap();
    let jwt = Arc::new(n.jwt().to_owned());
    let results: Vec<_> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..8)
            .map(|_| {
                let e = enr(&fx);
                let jwt = jwt.clone();
                s.spawn(move || e.enroll_updb(&jwt, "alice-user", "correct horse"))
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 1, "{results:?}");
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(r.code(), ErrorCode::EnrollmentTokenUsed, "{r}");
    }
    let auths = fx
        .engine
        .identities("t1")
        .unwrap()
        .authenticators(Subject::Identity(&id))
        .unwrap();
    assert_eq!(auths.len(), 1);
}

#[test]
fn tokens_do_not_cross_tenants() {
    let fx = fixture();
    let id = identity(&fx, "alice");
    let n = enr(&fx).create(&id, updb("alice-user")).unwrap();
    let t2 = fx.engine.enrollment("t2").unwrap();
    let before = snapshot(fx.store.as_ref());
    assert_eq!(
        t2.enroll_updb(n.jwt(), "alice-user", "correct horse")
            .unwrap_err()
            .code(),
        ErrorCode::VerificationFailed
    );
    assert!(
        snapshot(fx.store.as_ref())
            .iter()
            .filter(|(_, k, _)| k.starts_with(b"t2/"))
            .all(|(t, _, _)| *t == crate::store::Table::EnrollmentSigningKeys
                || *t == crate::store::Table::Meta
                || *t == crate::store::Table::Kms),
        "a refused redemption in t2 writes no t2 enrollment state"
    );
    let _ = before;
    assert_eq!(
        t2.get(&id, EnrollmentMethod::Updb).unwrap_err().code(),
        ErrorCode::NotFound
    );
    // Every key the domain wrote starts with its tenant.
    for (t, k, _) in snapshot(fx.store.as_ref()) {
        if matches!(
            t,
            crate::store::Table::Enrollment
                | crate::store::Table::EnrollmentToken
                | crate::store::Table::EnrollmentSigningKeys
        ) {
            assert!(k.starts_with(b"t1/") || k.starts_with(b"t2/"), "{t:?}");
        }
    }
}

#[test]
fn debug_output_hides_tokens() {
    let fx = fixture();
    let id = identity(&fx, "alice");
    let n = enr(&fx).create(&id, EnrollmentRequest::Ott).unwrap();
    let d = format!("{n:?}");
    assert!(!d.contains(n.jwt()) && d.contains("redacted"));
    let c = parse_enrollment_jwt(n.jwt()).unwrap();
    assert!(!format!("{c:?}").contains(c.jti.as_str()));
}
