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
    assert_eq!(kids, [kid1, kid2.clone()]);
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

// ---- certificate enrollment (needs the internal CA) -------------------------------------

use crate::pki::{ClientKey, ClientKeyAlgorithm, CreateCa, generate_key_and_csr};

fn with_ca(fx: &Fx) {
    fx.engine
        .pki("t1")
        .unwrap()
        .create_ca(CreateCa::new("t1 root", "t1.example"))
        .unwrap();
}

fn key() -> ClientKey {
    generate_key_and_csr(ClientKeyAlgorithm::P256, "device").unwrap()
}

/// An identity enrolled with `ott`: (identity id, result, client key).
fn enrolled(fx: &Fx, name: &str) -> (String, EnrolledCert, ClientKey) {
    let id = identity(fx, name);
    let n = enr(fx).create(&id, EnrollmentRequest::Ott).unwrap();
    let k = key();
    let c = enr(fx).enroll_ott(n.jwt(), &k.csr_pem).unwrap();
    (id, c, k)
}

fn fingerprint_of(pem: &str) -> String {
    crate::pki::CertInfo::from_pem(pem).unwrap().fingerprint
}

#[test]
fn ott_enrollment_issues_a_spiffe_client_certificate_once() {
    let fx = fixture();
    with_ca(&fx);
    let id = identity(&fx, "alice");
    let e = enr(&fx);
    let n = e.create(&id, EnrollmentRequest::Ott).unwrap();
    let k = key();
    // A bad CSR changes nothing and leaves the token usable.
    let before = snapshot(fx.store.as_ref());
    assert_invalid(&e.enroll_ott(n.jwt(), "garbage").unwrap_err(), "csr", "");
    assert_eq!(snapshot(fx.store.as_ref()), before);
    let c = e.enroll_ott(n.jwt(), &k.csr_pem).unwrap();
    assert_eq!(c.identity_id, id);
    let info = crate::pki::CertInfo::from_pem(&c.certificate_pem).unwrap();
    assert_eq!(info.fingerprint, c.fingerprint);
    assert_eq!(info.uris, [format!("spiffe://t1.example/identity/{id}")]);
    assert_eq!(info.spki_der, k.spki_der);
    assert!(!info.is_ca);
    // The chain is the certificate then the CA.
    let chain = crate::pki::parse_chain_pem(&c.chain_pem).unwrap();
    assert_eq!(chain.len(), 2);
    assert_eq!(
        chain[1],
        fx.engine.pki("t1").unwrap().ca().unwrap().chain[0]
    );
    // The cert authenticator holds the fingerprint.
    let auths = fx
        .engine
        .identities("t1")
        .unwrap()
        .authenticators(Subject::Identity(&id))
        .unwrap();
    assert_eq!(auths.len(), 1);
    assert_eq!(auths[0].id, c.authenticator_id);
    assert_eq!(
        auths[0].cert_fingerprint.as_deref(),
        Some(c.fingerprint.as_str())
    );
    let p = e.principal_of_leaf(&info.der).unwrap();
    assert_eq!(
        p.authenticator_id.as_deref(),
        Some(c.authenticator_id.as_str())
    );
    assert!(!p.pending);
    // Audited in the same commit; the token is now used.
    let trail = fx
        .engine
        .audit("t1")
        .unwrap()
        .events(&format!("identity:{id}"))
        .unwrap();
    assert!(trail.events.iter().any(|e| e.action == "enrollment.ott"));
    let before = snapshot(fx.store.as_ref());
    let err = e.enroll_ott(n.jwt(), &key().csr_pem).unwrap_err();
    assert_eq!(err.code(), ErrorCode::EnrollmentTokenUsed);
    assert_eq!(snapshot(fx.store.as_ref()), before);
    // An ott token is not a router or updb token.
    let bob = identity(&fx, "bob");
    let m = e.create(&bob, EnrollmentRequest::Ott).unwrap();
    assert_invalid(
        &e.enroll_router(m.jwt(), &key().csr_pem, &key().csr_pem)
            .unwrap_err(),
        "token",
        "not erott",
    );
}

#[test]
fn ott_without_an_internal_ca_is_a_state_error() {
    let fx = fixture();
    let id = identity(&fx, "alice");
    let n = enr(&fx).create(&id, EnrollmentRequest::Ott).unwrap();
    let before = snapshot(fx.store.as_ref());
    assert_state(
        &enr(&fx).enroll_ott(n.jwt(), &key().csr_pem).unwrap_err(),
        "WITHOUT_CA",
    );
    assert_eq!(snapshot(fx.store.as_ref()), before);
}

#[test]
fn one_ott_raced_by_8_threads_gives_exactly_one_certificate() {
    let fx = fixture();
    with_ca(&fx);
    let id = identity(&fx, "alice");
    let n = enr(&fx).create(&id, EnrollmentRequest::Ott).unwrap();
    let jwt = n.jwt().to_owned();
    let csrs: Vec<String> = (0..8).map(|_| key().csr_pem).collect();
    let results: Vec<_> = std::thread::scope(|s| {
        let hs: Vec<_> = csrs
            .iter()
            .map(|csr| {
                let e = enr(&fx);
                let jwt = &jwt;
                s.spawn(move || e.enroll_ott(jwt, csr))
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let ok: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(ok.len(), 1, "{results:?}");
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(r.code(), ErrorCode::EnrollmentTokenUsed, "{r}");
        assert!(r.to_string().contains("already used"));
    }
    let issued = fx
        .store
        .scan(crate::store::Table::IssuedCert, b"t1/", None, 100)
        .unwrap();
    assert_eq!(issued.len(), 1, "exactly one certificate recorded");
    let auths = fx
        .engine
        .identities("t1")
        .unwrap()
        .authenticators(Subject::Identity(&id))
        .unwrap();
    assert_eq!(auths.len(), 1);
    assert_eq!(
        auths[0].cert_fingerprint.as_deref(),
        Some(ok[0].fingerprint.as_str())
    );
}

// ---- extension ----------------------------------------------------------------------

#[test]
fn extend_keeps_the_old_certificate_until_verified_then_swaps() {
    let fx = fixture();
    with_ca(&fx);
    let (id, c, _) = enrolled(&fx, "alice");
    let e = enr(&fx);
    let who = Subject::Identity(&id);
    let old_der = crate::pki::CertInfo::from_pem(&c.certificate_pem)
        .unwrap()
        .der;
    // Needs the current certificate.
    let (_, other, _) = enrolled(&fx, "bob");
    let before = snapshot(fx.store.as_ref());
    assert_eq!(
        e.extend(
            who,
            &c.authenticator_id,
            &other.certificate_pem,
            &key().csr_pem
        )
        .unwrap_err()
        .code(),
        ErrorCode::VerificationFailed
    );
    // Not someone else's authenticator.
    assert_eq!(
        e.extend(
            Subject::Identity(&other.identity_id),
            &c.authenticator_id,
            &c.certificate_pem,
            &key().csr_pem
        )
        .unwrap_err()
        .code(),
        ErrorCode::NotFound
    );
    // Verify without a pending certificate: state.
    assert_state(
        &e.extend_verify(who, &c.authenticator_id, &c.certificate_pem)
            .unwrap_err(),
        "NOT_EXTENDING",
    );
    assert_eq!(snapshot(fx.store.as_ref()), before);
    fx.clock.advance(3600);
    let k2 = key();
    let n = e
        .extend(who, &c.authenticator_id, &c.certificate_pem, &k2.csr_pem)
        .unwrap();
    let new_info = crate::pki::CertInfo::from_pem(&n.certificate_pem).unwrap();
    let old_info = crate::pki::CertInfo::from_pem(&c.certificate_pem).unwrap();
    assert_ne!(new_info.serial_hex, old_info.serial_hex, "X-5: new serial");
    assert_eq!(new_info.subject, old_info.subject, "X-5: same subject");
    assert!(
        new_info.not_before.0 >= fx.clock.now().0 - 300,
        "X-5: notBefore ≥ now − skew"
    );
    let ca = fx.engine.pki("t1").unwrap().ca().unwrap();
    assert!(
        new_info.not_after <= ca.certificate.not_after,
        "X-5: never past the CA"
    );
    let st = e.cert_status(who, &c.authenticator_id).unwrap();
    assert_eq!(st.fingerprint, c.fingerprint);
    assert_eq!(
        st.pending_fingerprint.as_deref(),
        Some(n.fingerprint.as_str())
    );
    // Both the old and the pending certificate authenticate now.
    assert!(!e.principal_of_leaf(&old_der).unwrap().pending);
    assert!(e.principal_of_leaf(&new_info.der).unwrap().pending);
    // Verify with the wrong certificate: refused, nothing changes.
    let before = snapshot(fx.store.as_ref());
    assert_eq!(
        e.extend_verify(who, &c.authenticator_id, &c.certificate_pem)
            .unwrap_err()
            .code(),
        ErrorCode::VerificationFailed
    );
    assert_eq!(snapshot(fx.store.as_ref()), before);
    let st = e
        .extend_verify(who, &c.authenticator_id, &n.certificate_pem)
        .unwrap();
    assert_eq!(st.fingerprint, n.fingerprint);
    assert_eq!(st.pending_fingerprint, None);
    assert_eq!(st.last_extend_key_changed, Some(true));
    assert_eq!(st.last_extend_time, Some(fx.clock.now()));
    // The old certificate stops authenticating at once; the new one works.
    assert_eq!(
        e.principal_of_leaf(&old_der).unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
    assert!(!e.principal_of_leaf(&new_info.der).unwrap().pending);
    // The old certificate can no longer extend.
    assert_eq!(
        e.extend(who, &c.authenticator_id, &c.certificate_pem, &key().csr_pem)
            .unwrap_err()
            .code(),
        ErrorCode::VerificationFailed
    );
    let trail = fx
        .engine
        .audit("t1")
        .unwrap()
        .events(&format!("identity:{id}"))
        .unwrap();
    let actions: Vec<_> = trail.events.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"authenticator.cert.extend"));
    assert!(actions.contains(&"authenticator.cert.extend_verify"));
}

#[test]
fn extend_with_the_same_key_records_no_key_change_and_a_second_extend_replaces_the_pending() {
    let fx = fixture();
    with_ca(&fx);
    let (id, c, k) = enrolled(&fx, "alice");
    let e = enr(&fx);
    let who = Subject::Identity(&id);
    let first = e
        .extend(who, &c.authenticator_id, &c.certificate_pem, &key().csr_pem)
        .unwrap();
    let second = e
        .extend(who, &c.authenticator_id, &c.certificate_pem, &k.csr_pem)
        .unwrap();
    // The first pending certificate is gone.
    let first_der = crate::pki::CertInfo::from_pem(&first.certificate_pem)
        .unwrap()
        .der;
    assert!(e.principal_of_leaf(&first_der).is_err());
    assert_eq!(
        e.extend_verify(who, &c.authenticator_id, &first.certificate_pem)
            .unwrap_err()
            .code(),
        ErrorCode::VerificationFailed
    );
    let st = e
        .extend_verify(who, &c.authenticator_id, &second.certificate_pem)
        .unwrap();
    assert_eq!(st.last_extend_key_changed, Some(false));
}

#[test]
fn extension_needs_a_valid_certificate_unless_the_policy_allows_renewal_after_expiry() {
    for allow in [false, true] {
        let p = Policy {
            cert_renew_after_expiry: allow,
            ..policy()
        };
        let fx = fixture_with(p, Arc::new(MemoryStore::new()));
        with_ca(&fx);
        let (id, c, _) = enrolled(&fx, "alice");
        let info = crate::pki::CertInfo::from_pem(&c.certificate_pem).unwrap();
        fx.clock.set(info.not_after.0 - 1);
        let e = enr(&fx);
        let who = Subject::Identity(&id);
        // Still valid: allowed either way.
        let n = e
            .extend(who, &c.authenticator_id, &c.certificate_pem, &key().csr_pem)
            .unwrap();
        let _ = n;
        fx.clock.set(info.not_after.0);
        let r = e.extend(who, &c.authenticator_id, &c.certificate_pem, &key().csr_pem);
        if allow {
            r.unwrap();
        } else {
            assert_state(&r.unwrap_err(), "EXPIRED");
        }
    }
}

#[test]
fn extend_and_key_roll_requests_are_separate_flags_the_client_sees() {
    let fx = fixture();
    with_ca(&fx);
    let (id, c, k) = enrolled(&fx, "alice");
    let e = enr(&fx);
    let who = Subject::Identity(&id);
    let st = e.cert_status(who, &c.authenticator_id).unwrap();
    assert!(!st.request_extend && !st.request_key_roll);
    assert!(st.issued_by_engine);
    let st = e.request_extend(&c.authenticator_id).unwrap();
    assert!(st.request_extend && !st.request_key_roll);
    // An extension with the same key clears the extend request only.
    let st2 = e.request_key_roll(&c.authenticator_id).unwrap();
    assert!(st2.request_extend && st2.request_key_roll);
    // With a key roll requested, the same key is refused (nothing written)…
    let before = snapshot(fx.store.as_ref());
    assert_invalid(
        &e.extend(who, &c.authenticator_id, &c.certificate_pem, &k.csr_pem)
            .unwrap_err(),
        "csr",
        "new key",
    );
    assert_eq!(snapshot(fx.store.as_ref()), before);
    // …and a new key clears both after verification.
    let n = e
        .extend(who, &c.authenticator_id, &c.certificate_pem, &key().csr_pem)
        .unwrap();
    let st = e
        .extend_verify(who, &c.authenticator_id, &n.certificate_pem)
        .unwrap();
    assert!(!st.request_extend && !st.request_key_roll);
    // Only the extend flag: a same-key extension clears it and leaves no roll.
    e.request_extend(&c.authenticator_id).unwrap();
    let k3 = key();
    let n = e
        .extend(who, &c.authenticator_id, &n.certificate_pem, &k3.csr_pem)
        .unwrap();
    let st = e
        .extend_verify(who, &c.authenticator_id, &n.certificate_pem)
        .unwrap();
    assert!(!st.request_extend && !st.request_key_roll);
    // A key-roll request survives a same-key extension.
    e.request_key_roll(&c.authenticator_id).unwrap();
    let st = e.cert_status(who, &c.authenticator_id).unwrap();
    assert!(st.request_key_roll && !st.request_extend);
    // Requests on a password authenticator are refused.
    let u = fx
        .engine
        .identities("t1")
        .unwrap()
        .set_password(&id, "alice-user", "correct horse")
        .unwrap();
    assert_invalid(
        &e.request_extend(&u.id).unwrap_err(),
        "authenticator",
        "cert",
    );
}

// ---- routers ---------------------------------------------------------------------------

#[test]
fn router_enrollment_gives_client_and_server_certificates_and_extension_replaces_at_once() {
    let fx = fixture();
    with_ca(&fx);
    let id = identity(&fx, "router-1");
    let e = enr(&fx);
    let n = e
        .create(
            &id,
            EnrollmentRequest::Router {
                dns_names: vec!["router.example".into()],
                ip_addresses: vec!["10.0.0.1".parse().unwrap()],
            },
        )
        .unwrap();
    let before = snapshot(fx.store.as_ref());
    assert_invalid(
        &e.enroll_router(n.jwt(), &key().csr_pem, "nope")
            .unwrap_err(),
        "server_csr",
        "",
    );
    assert_eq!(snapshot(fx.store.as_ref()), before);
    let r = e
        .enroll_router(n.jwt(), &key().csr_pem, &key().csr_pem)
        .unwrap();
    let server = crate::pki::CertInfo::from_pem(&r.server_certificate_pem).unwrap();
    assert_eq!(server.dns_names, ["router.example"]);
    assert_eq!(
        server.ip_addresses,
        ["10.0.0.1".parse::<std::net::IpAddr>().unwrap()]
    );
    let client_der = crate::pki::CertInfo::from_pem(&r.client.certificate_pem)
        .unwrap()
        .der;
    assert!(e.principal_of_leaf(&client_der).is_ok());
    // The server certificate is not a client credential.
    assert!(e.principal_of_leaf(&server.der).is_err());
    // A router certificate is extended with extend_router, not extend.
    let who = Subject::Identity(&id);
    assert_state(
        &e.extend(
            who,
            &r.client.authenticator_id,
            &r.client.certificate_pem,
            &key().csr_pem,
        )
        .unwrap_err(),
        "ROUTER",
    );
    let r2 = e
        .extend_router(
            who,
            &r.client.authenticator_id,
            &r.client.certificate_pem,
            &key().csr_pem,
            &key().csr_pem,
        )
        .unwrap();
    // The old client certificate stops authenticating at once.
    assert_eq!(
        e.principal_of_leaf(&client_der).unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
    let new_der = crate::pki::CertInfo::from_pem(&r2.client.certificate_pem)
        .unwrap()
        .der;
    assert!(!e.principal_of_leaf(&new_der).unwrap().pending);
    let server2 = crate::pki::CertInfo::from_pem(&r2.server_certificate_pem).unwrap();
    assert_eq!(server2.dns_names, ["router.example"]);
    assert!(
        fx.store
            .get(
                crate::store::Table::IssuedCert,
                format!("t1/issued/{}", server.fingerprint).as_bytes()
            )
            .unwrap()
            .is_none(),
        "the old server certificate record is gone"
    );
    // Client extension on a client authenticator via extend_router: state.
    let (cid, c, _) = enrolled(&fx, "alice");
    assert_state(
        &e.extend_router(
            Subject::Identity(&cid),
            &c.authenticator_id,
            &c.certificate_pem,
            &key().csr_pem,
            &key().csr_pem,
        )
        .unwrap_err(),
        "CLIENT",
    );
}

// ---- session certificates ---------------------------------------------------------------

#[test]
fn session_certificates_live_and_die_with_their_session() {
    let fx = fixture();
    with_ca(&fx);
    let id = identity(&fx, "alice");
    let ids = fx.engine.identities("t1").unwrap();
    ids.set_password(&id, "alice-user", "correct horse")
        .unwrap();
    let s = ids
        .authenticate(AuthRequest::password("alice-user", "correct horse"))
        .unwrap();
    let e = enr(&fx);
    let sc = e.create_session_cert(s.token(), &key().csr_pem).unwrap();
    assert_eq!(sc.session_id, s.session.id);
    assert_eq!(sc.identity_id, id);
    assert_eq!(sc.not_after.0, T0 + 12 * 3600, "policy default 12 h");
    let der = crate::pki::CertInfo::from_pem(&sc.certificate_pem)
        .unwrap()
        .der;
    let p = e.principal_of_leaf(&der).unwrap();
    assert_eq!(p.session_id.as_deref(), Some(s.session.id.as_str()));
    assert_eq!(p.authenticator_id, None);
    assert_eq!(e.list_session_certs(s.token()).unwrap(), vec![sc.clone()]);
    assert_eq!(e.get_session_cert(s.token(), &sc.id).unwrap(), sc);
    // Another session of the same identity does not see it.
    let s2 = ids
        .authenticate(AuthRequest::password("alice-user", "correct horse"))
        .unwrap();
    assert!(e.list_session_certs(s2.token()).unwrap().is_empty());
    assert_eq!(
        e.get_session_cert(s2.token(), &sc.id).unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        e.delete_session_cert(s2.token(), &sc.id)
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    assert_invalid(
        &e.get_session_cert(s.token(), "xyz").unwrap_err(),
        "id",
        "64 hex",
    );
    // Delete: it stops authenticating.
    let sc2 = e.create_session_cert(s2.token(), &key().csr_pem).unwrap();
    e.delete_session_cert(s2.token(), &sc2.id).unwrap();
    let der2 = crate::pki::CertInfo::from_pem(&sc2.certificate_pem)
        .unwrap()
        .der;
    assert!(e.principal_of_leaf(&der2).is_err());
    // Logout: every certificate of the session stops authenticating.
    ids.logout(s.token()).unwrap();
    assert_eq!(
        e.principal_of_leaf(&der).unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
    assert_eq!(
        e.list_session_certs(s.token()).unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
    // Expiry (idle timeout) ends it too.
    let s3 = ids
        .authenticate(AuthRequest::password("alice-user", "correct horse"))
        .unwrap();
    let sc3 = e.create_session_cert(s3.token(), &key().csr_pem).unwrap();
    let der3 = crate::pki::CertInfo::from_pem(&sc3.certificate_pem)
        .unwrap()
        .der;
    assert!(e.principal_of_leaf(&der3).is_ok());
    fx.clock.advance(30 * 60);
    assert!(e.principal_of_leaf(&der3).is_err());
}

#[test]
fn ending_a_session_removes_its_certificate_records() {
    use crate::store::Table;
    let fx = fixture();
    with_ca(&fx);
    let id = identity(&fx, "alice");
    let ids = fx.engine.identities("t1").unwrap();
    ids.set_password(&id, "alice-user", "correct horse")
        .unwrap();
    let login = || {
        ids.authenticate(AuthRequest::password("alice-user", "correct horse"))
            .unwrap()
    };
    let e = enr(&fx);
    let count = |t: Table| fx.store.scan(t, b"t1/", None, 1000).unwrap().len();
    let both = || (count(Table::IssuedCert), count(Table::SessionCertIndex));
    // A session that stays alive throughout keeps its certificate.
    let keep = login();
    e.create_session_cert(keep.token(), &key().csr_pem).unwrap();
    assert_eq!(both(), (1, 1));

    // Logout removes the records of that session only.
    let s = login();
    e.create_session_cert(s.token(), &key().csr_pem).unwrap();
    e.create_session_cert(s.token(), &key().csr_pem).unwrap();
    assert_eq!(both(), (3, 3));
    ids.logout(s.token()).unwrap();
    assert_eq!(both(), (1, 1), "logout removes both of its certificates");

    // A session found expired when its token is used is deleted with its
    // certificates.
    let s = login();
    e.create_session_cert(s.token(), &key().csr_pem).unwrap();
    assert_eq!(both(), (2, 2));
    // Keep `keep` alive across the idle timeout (30 min default).
    fx.clock.advance(20 * 60);
    ids.current_session(keep.token()).unwrap();
    fx.clock.advance(20 * 60);
    ids.current_session(keep.token()).unwrap();
    assert_eq!(
        ids.current_session(s.token()).unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
    assert_eq!(both(), (1, 1), "expired on use: its certificate is gone");

    // purge_expired_sessions removes the records of the sessions it purges.
    let s = login();
    e.create_session_cert(s.token(), &key().csr_pem).unwrap();
    fx.clock.advance(20 * 60);
    ids.current_session(keep.token()).unwrap();
    fx.clock.advance(20 * 60);
    ids.current_session(keep.token()).unwrap();
    assert_eq!(ids.purge_expired_sessions().unwrap(), 1);
    assert_eq!(both(), (1, 1), "purged: its certificate is gone");
    // The live session's certificate still authenticates.
    assert_eq!(e.list_session_certs(keep.token()).unwrap().len(), 1);
}

#[test]
fn session_certificates_never_outlive_the_session() {
    let p = Policy {
        api_session_max_lifetime_secs: 3600,
        ..policy()
    };
    let fx = fixture_with(p, Arc::new(MemoryStore::new()));
    with_ca(&fx);
    let id = identity(&fx, "alice");
    let ids = fx.engine.identities("t1").unwrap();
    ids.set_password(&id, "alice-user", "correct horse")
        .unwrap();
    let s = ids
        .authenticate(AuthRequest::password("alice-user", "correct horse"))
        .unwrap();
    let sc = enr(&fx)
        .create_session_cert(s.token(), &key().csr_pem)
        .unwrap();
    assert_eq!(sc.not_after.0, T0 + 3600);
    let _ = fingerprint_of(&sc.certificate_pem);
}

// ---- certificate authentication and mTLS ---------------------------------------------------

use crate::pki::testing::{CertSpec, TestCert};

fn der_of(pem: &str) -> Vec<u8> {
    crate::pki::CertInfo::from_pem(pem).unwrap().der
}

fn chain_of(pem: &str) -> Vec<Vec<u8>> {
    crate::pki::parse_chain_pem(pem).unwrap()
}

/// A server certificate and key for `localhost` from the tenant's CA.
fn server_identity(fx: &Fx) -> (Vec<Vec<u8>>, ClientKey) {
    let k = key();
    let csr = crate::pki::Csr::parse(k.csr_pem.as_bytes()).unwrap();
    let c = fx
        .engine
        .pki("t1")
        .unwrap()
        .issue(
            &csr,
            &crate::pki::CertProfile::router_server("server").dns("localhost"),
        )
        .unwrap();
    (chain_of(&c.chain_pem), k)
}

fn handshake(fx: &Fx, chain: Vec<Vec<u8>>, key: &[u8]) -> Result<(), tls::HandshakeError> {
    let (server_chain, server_key) = server_identity(fx);
    let ca = fx.engine.pki("t1").unwrap().ca().unwrap().chain;
    let server = tls::server_config(
        enr(fx).mtls_verifier(),
        server_chain,
        server_key.key_pkcs8_der(),
    )
    .unwrap();
    let client = tls::client_config(&ca, chain, key, fx.clock.clone()).unwrap();
    tls::memory_handshake(client, server, "localhost")
}

#[test]
fn mtls_accepts_issued_certs_and_refuses_others() {
    let fx = fixture();
    with_ca(&fx);
    let (id, c, k) = enrolled(&fx, "alice");
    // Issued certificate: accepted.
    handshake(&fx, chain_of(&c.chain_pem), k.key_pkcs8_der()).unwrap();
    // A certificate from another CA: refused by the server.
    let now = fx.clock.now().0;
    let other_ca = TestCert::self_signed(&CertSpec::ca("other", now)).unwrap();
    let leaf = other_ca.issue(&CertSpec::leaf("mallory", now)).unwrap();
    let r = handshake(&fx, vec![leaf.der.clone()], leaf.key.pkcs8_der());
    assert!(matches!(r, Err(tls::HandshakeError::Server(_))), "{r:?}");
    // Issued by our CA but no longer any authenticator's (deleted): refused.
    let (_, gone, gk) = enrolled(&fx, "bob");
    fx.engine
        .identities("t1")
        .unwrap()
        .delete_authenticator(&gone.authenticator_id)
        .unwrap();
    assert!(handshake(&fx, chain_of(&gone.chain_pem), gk.key_pkcs8_der()).is_err());
    // After extend_verify the old certificate is refused, the new accepted.
    let e = enr(&fx);
    let who = Subject::Identity(&id);
    let k2 = key();
    let n = e
        .extend(who, &c.authenticator_id, &c.certificate_pem, &k2.csr_pem)
        .unwrap();
    // Pending: both work.
    handshake(&fx, chain_of(&c.chain_pem), k.key_pkcs8_der()).unwrap();
    handshake(&fx, chain_of(&n.chain_pem), k2.key_pkcs8_der()).unwrap();
    e.extend_verify(who, &c.authenticator_id, &n.certificate_pem)
        .unwrap();
    let r = handshake(&fx, chain_of(&c.chain_pem), k.key_pkcs8_der());
    assert!(matches!(r, Err(tls::HandshakeError::Server(_))), "{r:?}");
    handshake(&fx, chain_of(&n.chain_pem), k2.key_pkcs8_der()).unwrap();
    // An expired certificate is refused (injected clock, no sleeping).
    let info = crate::pki::CertInfo::from_pem(&n.certificate_pem).unwrap();
    fx.clock.set(info.not_after.0 + 1);
    assert!(handshake(&fx, chain_of(&n.chain_pem), k2.key_pkcs8_der()).is_err());
}

#[test]
fn mtls_session_certificate_is_refused_after_logout() {
    let fx = fixture();
    with_ca(&fx);
    let id = identity(&fx, "alice");
    let ids = fx.engine.identities("t1").unwrap();
    ids.set_password(&id, "alice-user", "correct horse")
        .unwrap();
    let s = ids
        .authenticate(AuthRequest::password("alice-user", "correct horse"))
        .unwrap();
    let k = key();
    let sc = enr(&fx).create_session_cert(s.token(), &k.csr_pem).unwrap();
    handshake(&fx, chain_of(&sc.chain_pem), k.key_pkcs8_der()).unwrap();
    ids.logout(s.token()).unwrap();
    let r = handshake(&fx, chain_of(&sc.chain_pem), k.key_pkcs8_der());
    assert!(matches!(r, Err(tls::HandshakeError::Server(_))), "{r:?}");
}

#[test]
fn cert_authentication_opens_an_api_session() {
    let fx = fixture();
    with_ca(&fx);
    let (id, c, _) = enrolled(&fx, "alice");
    let ids = fx.engine.identities("t1").unwrap();
    let s = ids
        .authenticate(AuthRequest::cert(chain_of(&c.chain_pem)))
        .unwrap();
    assert_eq!(s.session.identity_id, id);
    assert_eq!(s.session.auth_method, "cert");
    assert_eq!(
        s.session.authenticator_id.as_deref(),
        Some(c.authenticator_id.as_str())
    );
    // Chain to the CA with the leaf only: also fine (the CA is the anchor).
    ids.authenticate(AuthRequest::cert(vec![der_of(&c.certificate_pem)]))
        .unwrap();
    // Another tenant does not know it.
    let e = fx
        .engine
        .identities("t2")
        .unwrap()
        .authenticate(AuthRequest::cert(chain_of(&c.chain_pem)))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertificateRejected);
    // A session certificate does not open new sessions.
    let sc = enr(&fx)
        .create_session_cert(s.token(), &key().csr_pem)
        .unwrap();
    assert_eq!(
        ids.authenticate(AuthRequest::cert(chain_of(&sc.chain_pem)))
            .unwrap_err()
            .code(),
        ErrorCode::VerificationFailed
    );
    // Chain failures name the reason.
    let now = fx.clock.now().0;
    let other_ca = TestCert::self_signed(&CertSpec::ca("other", now)).unwrap();
    let leaf = other_ca.issue(&CertSpec::leaf("x", now)).unwrap();
    let e = enr(&fx).authorize_chain(&[leaf.der]).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertificateRejected, "{e}");
    assert_invalid(
        &enr(&fx).authorize_chain(&[]).unwrap_err(),
        "chain",
        "1..=10",
    );
}

// ---- external CAs ----------------------------------------------------------------------

struct Ext {
    ca: TestCert,
    id: String,
    token: String,
}

fn external_ca(fx: &Fx, name: &str, opts: impl FnOnce(CaOptions) -> CaOptions) -> Ext {
    let now = fx.clock.now().0;
    let ca = TestCert::self_signed(&CertSpec::ca(name, now)).unwrap();
    let r = enr(fx)
        .register_ca(&ca.pem(), opts(CaOptions::new(name)))
        .unwrap();
    assert!(!r.verified);
    let token = r.verification_token.clone().unwrap();
    Ext {
        ca,
        id: r.id,
        token,
    }
}

fn proof(ext: &Ext, cn: &str, now: i64) -> String {
    let mut spec = CertSpec::leaf(cn, now);
    spec.serial = vec![0x51, 0x52, 0x53];
    ext.ca.issue(&spec).unwrap().pem()
}

#[test]
fn external_ca_is_verified_by_proof_of_possession() {
    let fx = fixture();
    let ext = external_ca(&fx, "partner", |o| o);
    let e = enr(&fx);
    let now = fx.clock.now().0;
    // Wrong common name, or the right name from another CA: refused and
    // audited, nothing else written.
    let before_ca = fx
        .store
        .get(
            crate::store::Table::ExternalCa,
            format!("t1/ca/{}", ext.id).as_bytes(),
        )
        .unwrap();
    assert_eq!(
        e.verify_ca(&ext.id, &proof(&ext, "not-the-token", now))
            .unwrap_err()
            .code(),
        ErrorCode::VerificationFailed
    );
    let impostor = TestCert::self_signed(&CertSpec::ca("partner", now)).unwrap();
    let fake = impostor.issue(&CertSpec::leaf(&ext.token, now)).unwrap();
    assert_eq!(
        e.verify_ca(&ext.id, &fake.pem()).unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
    assert_eq!(
        fx.store
            .get(
                crate::store::Table::ExternalCa,
                format!("t1/ca/{}", ext.id).as_bytes()
            )
            .unwrap(),
        before_ca
    );
    let trail = fx
        .engine
        .audit("t1")
        .unwrap()
        .events(&format!("ca:{}", ext.id))
        .unwrap();
    assert_eq!(
        trail
            .events
            .iter()
            .filter(|e| e.action == "ca.verify" && e.outcome == "failed")
            .count(),
        2
    );
    let v = e.verify_ca(&ext.id, &proof(&ext, &ext.token, now)).unwrap();
    assert!(v.verified);
    assert_eq!(v.verification_token, None);
    assert_state(
        &e.verify_ca(&ext.id, &proof(&ext, &ext.token, now))
            .unwrap_err(),
        "VERIFIED",
    );
    // Registration rules.
    assert_eq!(
        e.register_ca(&ext.ca.pem(), CaOptions::new("again"))
            .unwrap_err()
            .code(),
        ErrorCode::AlreadyExists,
        "the same CA certificate twice"
    );
    let other = TestCert::self_signed(&CertSpec::ca("x", now)).unwrap();
    assert_eq!(
        e.register_ca(&other.pem(), CaOptions::new("partner"))
            .unwrap_err()
            .code(),
        ErrorCode::AlreadyExists,
        "a taken name"
    );
    let leaf = other.issue(&CertSpec::leaf("leaf", now)).unwrap();
    assert_invalid(
        &e.register_ca(&leaf.pem(), CaOptions::new("leafy"))
            .unwrap_err(),
        "certificate",
        "CA",
    );
    assert_invalid(
        &e.register_ca("nope", CaOptions::new("nope")).unwrap_err(),
        "certificate",
        "PEM",
    );
    assert_invalid(
        &e.register_ca(&other.pem(), CaOptions::new("bad name"))
            .unwrap_err(),
        "name",
        "",
    );
    let mut o = CaOptions::new("fmt");
    o.identity_name_format = Some("[bogus]".into());
    assert_invalid(
        &e.register_ca(&other.pem(), o).unwrap_err(),
        "identity_name_format",
        "[bogus]",
    );
    assert_eq!(e.list_cas().unwrap().len(), 1);
    assert_eq!(e.get_ca(&ext.id).unwrap().name, "partner");
}

#[test]
fn ottca_enrolls_a_certificate_of_the_named_verified_ca() {
    let fx = fixture();
    with_ca(&fx);
    let ext = external_ca(&fx, "partner", |o| o);
    let e = enr(&fx);
    let id = identity(&fx, "alice");
    let n = e
        .create(
            &id,
            EnrollmentRequest::OttCa {
                ca_id: ext.id.clone(),
            },
        )
        .unwrap();
    let now = fx.clock.now().0;
    let dev = ext.ca.issue(&CertSpec::leaf("device-7", now)).unwrap();
    // Unverified CA: state, nothing written.
    let before = snapshot(fx.store.as_ref());
    assert_state(
        &e.enroll_ottca(n.jwt(), &dev.pem()).unwrap_err(),
        "UNVERIFIED",
    );
    assert_eq!(snapshot(fx.store.as_ref()), before);
    e.verify_ca(&ext.id, &proof(&ext, &ext.token, now)).unwrap();
    // A certificate of another CA: rejected with the reason.
    let other = TestCert::self_signed(&CertSpec::ca("other", now)).unwrap();
    let stranger = other.issue(&CertSpec::leaf("device-7", now)).unwrap();
    assert_eq!(
        e.enroll_ottca(n.jwt(), &stranger.pem()).unwrap_err().code(),
        ErrorCode::CertificateRejected
    );
    let c = e.enroll_ottca(n.jwt(), &dev.pem()).unwrap();
    assert_eq!(c.fingerprint, crate::pki::fingerprint(&dev.der));
    // It authenticates (the external CA is an anchor), over mTLS too.
    let p = e.authorize_chain(std::slice::from_ref(&dev.der)).unwrap();
    assert_eq!(p.identity_id, id);
    handshake(&fx, vec![dev.der.clone()], dev.key.pkcs8_der()).unwrap();
    // A certificate the engine did not issue cannot be extended.
    assert_state(
        &e.extend(
            Subject::Identity(&id),
            &c.authenticator_id,
            &dev.pem(),
            &key().csr_pem,
        )
        .unwrap_err(),
        "EXTERNAL",
    );
    assert_eq!(
        e.enroll_ottca(n.jwt(), &dev.pem()).unwrap_err().code(),
        ErrorCode::EnrollmentTokenUsed
    );
    // Deleting the CA stops its certificates at once.
    e.delete_ca(&ext.id).unwrap();
    assert_eq!(
        e.authorize_chain(&[dev.der]).unwrap_err().code(),
        ErrorCode::CertificateRejected
    );
    assert_eq!(e.get_ca(&ext.id).unwrap_err().code(), ErrorCode::NotFound);
}

#[test]
fn ca_auto_enrollment_creates_the_identity_once() {
    let fx = fixture();
    let ext = external_ca(&fx, "partner", |mut o| {
        o.identity_name_format = Some("[caName]-[commonName]".into());
        o
    });
    let e = enr(&fx);
    let now = fx.clock.now().0;
    let dev = ext.ca.issue(&CertSpec::leaf("device-7", now)).unwrap();
    // Not verified yet: refused.
    assert_eq!(
        e.enroll_ca_auto(&dev.pem()).unwrap_err().code(),
        ErrorCode::CertificateRejected
    );
    e.verify_ca(&ext.id, &proof(&ext, &ext.token, now)).unwrap();
    let c = e.enroll_ca_auto(&dev.pem()).unwrap();
    let ident = fx
        .engine
        .identities("t1")
        .unwrap()
        .get(&c.identity_id)
        .unwrap();
    assert_eq!(ident.name, "partner-device-7");
    let trail = fx
        .engine
        .audit("t1")
        .unwrap()
        .events(&format!("identity:{}", c.identity_id))
        .unwrap();
    assert!(
        trail
            .events
            .iter()
            .any(|e| e.action == "enrollment.ca_auto")
    );
    // Once: the same certificate again is a conflict, nothing written.
    let before = snapshot(fx.store.as_ref());
    assert_eq!(
        e.enroll_ca_auto(&dev.pem()).unwrap_err().code(),
        ErrorCode::AlreadyExists
    );
    assert_eq!(snapshot(fx.store.as_ref()), before);
    // Another device with the same CN gets a suffixed name.
    let mut spec = CertSpec::leaf("device-7", now);
    spec.serial = vec![0x66];
    let dev2 = ext.ca.issue(&spec).unwrap();
    let c2 = e.enroll_ca_auto(&dev2.pem()).unwrap();
    assert_eq!(
        fx.engine
            .identities("t1")
            .unwrap()
            .get(&c2.identity_id)
            .unwrap()
            .name,
        "partner-device-7-2"
    );
    // It authenticates and opens sessions.
    let s = fx
        .engine
        .identities("t1")
        .unwrap()
        .authenticate(AuthRequest::cert(vec![dev.der]))
        .unwrap();
    assert_eq!(s.session.identity_id, c.identity_id);
}

#[test]
fn ca_auto_enrollment_needs_the_ca_to_allow_it() {
    let fx = fixture();
    let ext = external_ca(&fx, "partner", |mut o| {
        o.auto_enrollment = false;
        o
    });
    let now = fx.clock.now().0;
    enr(&fx)
        .verify_ca(&ext.id, &proof(&ext, &ext.token, now))
        .unwrap();
    let dev = ext.ca.issue(&CertSpec::leaf("device-7", now)).unwrap();
    let before = snapshot(fx.store.as_ref());
    assert_eq!(
        enr(&fx).enroll_ca_auto(&dev.pem()).unwrap_err().code(),
        ErrorCode::CertificateRejected
    );
    assert_eq!(snapshot(fx.store.as_ref()), before);
}

#[test]
fn ca_auto_enrollment_refuses_the_x4_must_fail_chains() {
    let fx = fixture();
    let ext = external_ca(&fx, "partner", |o| o);
    let now = fx.clock.now().0;
    enr(&fx)
        .verify_ca(&ext.id, &proof(&ext, &ext.token, now))
        .unwrap();
    let e = enr(&fx);
    let cases: Vec<(&str, CertSpec)> = vec![
        (
            "expired",
            CertSpec {
                not_after: now - 1,
                ..CertSpec::leaf("a", now)
            },
        ),
        (
            "not yet valid",
            CertSpec {
                not_before: now + 3600,
                ..CertSpec::leaf("b", now)
            },
        ),
        (
            "serverAuth only",
            CertSpec {
                eku: Some(vec![crate::pki::testing::EKU_SERVER_AUTH]),
                ..CertSpec::leaf("c", now)
            },
        ),
        (
            "zero serial",
            CertSpec {
                serial: vec![0],
                ..CertSpec::leaf("d", now)
            },
        ),
        (
            "unknown critical extension",
            CertSpec {
                extra: vec![("1.2.3.4.5", true, vec![0x05, 0x00])],
                ..CertSpec::leaf("e", now)
            },
        ),
        (
            "missing AKI",
            CertSpec {
                aki: false,
                ..CertSpec::leaf("f", now)
            },
        ),
    ];
    for (why, spec) in cases {
        let leaf = ext.ca.issue(&spec).unwrap();
        let err = e.enroll_ca_auto(&leaf.pem()).unwrap_err();
        assert!(
            matches!(
                err.code(),
                ErrorCode::CertificateRejected | ErrorCode::InvalidInput
            ),
            "{why}: {err}"
        );
    }
    // An intermediate without CA:TRUE cannot issue.
    let not_ca = ext
        .ca
        .issue(&CertSpec {
            basic_constraints: Some((false, None)),
            ..CertSpec::ca("inter", now)
        })
        .unwrap();
    let leaf = not_ca.issue(&CertSpec::leaf("g", now)).unwrap();
    let chain = format!("{}{}", leaf.pem(), not_ca.pem());
    assert_eq!(
        e.enroll_ca_auto(&chain).unwrap_err().code(),
        ErrorCode::CertificateRejected
    );
    assert!(
        fx.engine
            .identities("t1")
            .unwrap()
            .list()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn fuzz_harness_survives_signed_claims_and_garbage() {
    // Valid claims signed by the harness key get past the signature: the
    // verifier then refuses only on the claims (expired here).
    crate::internal::fuzzing::enrollment_jwt(
        br#"{"em":"ott","jti":"x","sub":"s","iss":"credcycle","exp":1}"#,
    );
    crate::internal::fuzzing::enrollment_jwt(b"\xff\x00garbage");
    crate::internal::fuzzing::enrollment_jwt(b"");
}

#[test]
fn deleting_an_identity_or_authenticator_removes_its_enrollment_records() {
    use crate::store::Table;
    let fx = fixture();
    with_ca(&fx);
    let (id, c, _) = enrolled(&fx, "alice");
    let e = enr(&fx);
    e.create(&id, updb("alice-user")).unwrap();
    e.request_key_roll(&c.authenticator_id).unwrap();
    let ids = fx.engine.identities("t1").unwrap();
    ids.set_password(&id, "alice-login", "correct horse")
        .unwrap();
    let s = ids
        .authenticate(AuthRequest::password("alice-login", "correct horse"))
        .unwrap();
    e.create_session_cert(s.token(), &key().csr_pem).unwrap();
    // A second identity whose records must survive.
    let (bob, bc, _) = enrolled(&fx, "bob");
    let count = |t: Table| fx.store.scan(t, b"t1/", None, 1000).unwrap().len();
    assert_eq!(count(Table::IssuedCert), 3);
    // Deleting the cert authenticator removes its issued record and state.
    let n = e
        .extend(
            Subject::Identity(&bob),
            &bc.authenticator_id,
            &bc.certificate_pem,
            &key().csr_pem,
        )
        .unwrap();
    let _ = n;
    assert_eq!(count(Table::IssuedCert), 4);
    ids.delete_authenticator(&bc.authenticator_id).unwrap();
    assert_eq!(
        count(Table::IssuedCert),
        2,
        "current and pending of bob's authenticator are gone"
    );
    ids.delete(&id).unwrap();
    for t in [
        Table::Enrollment,
        Table::EnrollmentToken,
        Table::IssuedCert,
        Table::SessionCertIndex,
        Table::CertAuthState,
    ] {
        let left: Vec<_> = fx
            .store
            .scan(t, b"t1/", None, 1000)
            .unwrap()
            .into_iter()
            .map(|(k, r)| {
                format!(
                    "{} = {}",
                    String::from_utf8_lossy(&k),
                    String::from_utf8_lossy(&r.value)
                )
            })
            .filter(|k| !k.contains(&bob))
            .collect();
        assert!(left.is_empty(), "{t:?}: {left:?}");
    }
    // Bob's enrollment is untouched.
    assert_eq!(
        e.get(&bob, EnrollmentMethod::Ott).unwrap().state,
        EnrollmentState::Used
    );
}

// ---- verify_certificate ------------------------------------------------------------------

use crate::pki::Purpose;

#[test]
fn verify_certificate_accepts_internal_chains_without_an_enrolled_leaf() {
    let fx = fixture();
    with_ca(&fx);
    let e = enr(&fx);
    let (_, c, _) = enrolled(&fx, "alice");
    let before = snapshot(fx.store.as_ref());
    // Leaf only, and leaf + CA: both end at the internal CA, depth 1.
    for chain in [vec![der_of(&c.certificate_pem)], chain_of(&c.chain_pem)] {
        let v = e
            .verify_certificate(&chain, None, Purpose::ClientAuth)
            .unwrap();
        assert_eq!(v.anchor, TrustedCa::Internal);
        assert_eq!(v.depth, 1);
        assert_eq!(v.fingerprint, c.fingerprint);
        assert_eq!(v.path_fingerprints.len(), 2);
        assert_eq!(v.path_fingerprints[0], c.fingerprint);
        assert_eq!(v.common_name.as_deref(), Some(c.identity_id.as_str()));
    }
    // Reads only.
    assert_eq!(snapshot(fx.store.as_ref()), before);
    // A certificate that is nobody's credential still verifies (unlike
    // authorize_chain): issued directly, then its authenticator deleted.
    fx.engine
        .identities("t1")
        .unwrap()
        .delete_authenticator(&c.authenticator_id)
        .unwrap();
    let chain = chain_of(&c.chain_pem);
    assert_eq!(
        e.authorize_chain(&chain).unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
    assert!(
        e.verify_certificate(&chain, None, Purpose::ClientAuth)
            .is_ok()
    );
    // Another tenant trusts nothing: refused, with the reason.
    let other = fx
        .engine
        .enrollment("t2")
        .unwrap()
        .verify_certificate(&chain, None, Purpose::ClientAuth)
        .unwrap_err();
    assert_eq!(other.code(), ErrorCode::CertificateRejected);
    assert!(other.to_string().contains("no trusted"), "{other}");
}

#[test]
fn verify_certificate_refuses_other_cas_and_expired_certificates() {
    let fx = fixture();
    with_ca(&fx);
    let e = enr(&fx);
    let (_, c, _) = enrolled(&fx, "alice");
    let now = fx.clock.now().0;
    // Another CA's leaf: refused naming the leaf and the reason.
    let other_ca = TestCert::self_signed(&CertSpec::ca("other", now)).unwrap();
    let stranger = other_ca.issue(&CertSpec::leaf("mallory", now)).unwrap();
    let err = e
        .verify_certificate(
            std::slice::from_ref(&stranger.der),
            None,
            Purpose::ClientAuth,
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::CertificateRejected);
    let m = err.to_string();
    assert!(
        m.contains("certificate 0") && m.contains("mallory") && m.contains("issuer"),
        "{m}"
    );
    // Even with the foreign CA appended to the chain.
    let err = e
        .verify_certificate(&[stranger.der, other_ca.der], None, Purpose::ClientAuth)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::CertificateRejected, "{err}");
    // Expired: at an explicit time past notAfter, and at the engine clock
    // once it moves there (injected, no sleeping).
    let chain = chain_of(&c.chain_pem);
    let not_after = crate::pki::CertInfo::from_pem(&c.certificate_pem)
        .unwrap()
        .not_after
        .0;
    assert!(
        e.verify_certificate(&chain, Some(UnixTime(not_after)), Purpose::ClientAuth)
            .is_ok(),
        "valid up to notAfter inclusive"
    );
    let err = e
        .verify_certificate(&chain, Some(UnixTime(not_after + 1)), Purpose::ClientAuth)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::CertificateRejected);
    assert!(err.to_string().contains("expired"), "{err}");
    // Not yet valid before notBefore.
    let err = e
        .verify_certificate(&chain, Some(UnixTime(now - 86_400)), Purpose::ClientAuth)
        .unwrap_err();
    assert!(err.to_string().contains("not valid before"), "{err}");
    assert!(
        e.verify_certificate(&chain, None, Purpose::ClientAuth)
            .is_ok()
    );
    fx.clock.set(not_after + 1);
    let err = e
        .verify_certificate(&chain, None, Purpose::ClientAuth)
        .unwrap_err();
    assert!(err.to_string().contains("expired"), "{err}");
}

#[test]
fn verify_certificate_trusts_external_cas_once_verified() {
    let fx = fixture();
    // No internal CA: only the external one can anchor.
    let ext = external_ca(&fx, "partner", |mut o| {
        // Trust does not depend on the CA's authentication switch.
        o.auth_enabled = false;
        o
    });
    let e = enr(&fx);
    let now = fx.clock.now().0;
    let dev = ext.ca.issue(&CertSpec::leaf("device-7", now)).unwrap();
    let chain = vec![dev.der.clone()];
    let err = e
        .verify_certificate(&chain, None, Purpose::ClientAuth)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::CertificateRejected, "{err}");
    e.verify_ca(&ext.id, &proof(&ext, &ext.token, now)).unwrap();
    let v = e
        .verify_certificate(&chain, None, Purpose::ClientAuth)
        .unwrap();
    assert_eq!(
        v.anchor,
        TrustedCa::External {
            ca_id: ext.id.clone()
        }
    );
    assert_eq!(v.depth, 1);
    assert_eq!(v.fingerprint, crate::pki::fingerprint(&dev.der));
    // Purpose Any accepts it too; serverAuth does not (its EKU is
    // clientAuth only).
    assert!(e.verify_certificate(&chain, None, Purpose::Any).is_ok());
    let err = e
        .verify_certificate(&chain, None, Purpose::ServerAuth)
        .unwrap_err();
    assert!(err.to_string().contains("serverAuth"), "{err}");
    // Deleting the CA withdraws the trust at once.
    e.delete_ca(&ext.id).unwrap();
    assert_eq!(
        e.verify_certificate(&chain, None, Purpose::ClientAuth)
            .unwrap_err()
            .code(),
        ErrorCode::CertificateRejected
    );
}

#[test]
fn verify_certificate_checks_the_purpose() {
    let fx = fixture();
    with_ca(&fx);
    let e = enr(&fx);
    let id = identity(&fx, "router-1");
    let n = e
        .create(
            &id,
            EnrollmentRequest::Router {
                dns_names: vec!["router.example".into()],
                ip_addresses: vec![],
            },
        )
        .unwrap();
    let r = e
        .enroll_router(n.jwt(), &key().csr_pem, &key().csr_pem)
        .unwrap();
    let server = vec![der_of(&r.server_certificate_pem)];
    let client = vec![der_of(&r.client.certificate_pem)];
    let v = e
        .verify_certificate(&server, None, Purpose::ServerAuth)
        .unwrap();
    assert_eq!(v.anchor, TrustedCa::Internal);
    let err = e
        .verify_certificate(&client, None, Purpose::ServerAuth)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::CertificateRejected);
    assert!(
        err.to_string()
            .contains("extendedKeyUsage does not include serverAuth"),
        "{err}"
    );
    assert!(
        e.verify_certificate(&client, None, Purpose::ClientAuth)
            .is_ok()
    );
    let err = e
        .verify_certificate(&server, None, Purpose::ClientAuth)
        .unwrap_err();
    assert!(err.to_string().contains("clientAuth"), "{err}");
}

#[test]
fn verify_certificate_input_limits_name_the_chain() {
    let fx = fixture();
    with_ca(&fx);
    let e = enr(&fx);
    let (_, c, _) = enrolled(&fx, "alice");
    let leaf = der_of(&c.certificate_pem);
    let p = Purpose::ClientAuth;
    assert_invalid(
        &e.verify_certificate(&[], None, p).unwrap_err(),
        "chain",
        "1..=10",
    );
    assert_invalid(
        &e.verify_certificate(&vec![leaf.clone(); MAX_CHAIN_LEN + 1], None, p)
            .unwrap_err(),
        "chain",
        "1..=10",
    );
    assert!(
        e.verify_certificate(&vec![leaf.clone(); MAX_CHAIN_LEN], None, p)
            .is_ok(),
        "10 certificates (duplicates are ignored as issuers) are within the limit"
    );
    assert_invalid(
        &e.verify_certificate(&[leaf, Vec::new()], None, p)
            .unwrap_err(),
        "chain",
        "65536",
    );
    assert_invalid(
        &e.verify_certificate(&[vec![0x30; MAX_PEM_BYTES + 1]], None, p)
            .unwrap_err(),
        "chain",
        "65536",
    );
    // Garbage within the limits is a rejected (malformed) certificate.
    let err = e
        .verify_certificate(&[b"not a certificate".to_vec()], None, p)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::CertificateRejected);
    assert!(err.to_string().contains("malformed"), "{err}");
}
