//! The domains added after secrets (targets, JOSE, tokens, machine auth,
//! identities, MFA) and the client helpers, end to end through the plain
//! API, with an injected clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use josekit::jwk::alg::ec::{EcCurve, EcKeyPair};

use super::*;

const T0: i64 = 1_700_000_000;
const HOOK: &str = "https://hooks.example.com/in";

/// What a target's receiver checks: its own endpoint as `aud`.
fn receiver() -> JwtValidation {
    JwtValidation {
        audience: Some(HOOK.to_owned()),
        issuer: Some("credcycle".to_owned()),
        ..Default::default()
    }
}

struct TestClock(AtomicI64);

impl ForeignClock for TestClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

fn engine_at(t: i64) -> (Engine, Arc<TestClock>) {
    let clock = Arc::new(TestClock(AtomicI64::new(t)));
    let mut cfg = EngineConfig::new(
        StoreConfig::Memory,
        KmsConfig::Local {
            root_key: vec![9; 32].into(),
        },
    );
    cfg.clock = Some(clock.clone() as Arc<dyn ForeignClock>);
    // Cheap password hashing is not configurable here; the default policy
    // is used as an application would.
    (Engine::open(cfg).expect("open"), clock)
}

fn keys(k: &str) -> Vec<String> {
    vec![k.to_owned()]
}

fn code_of<T: std::fmt::Debug>(r: Result<T>) -> u32 {
    r.expect_err("must fail").code
}

#[test]
fn zitadel_target_signs_and_the_receiver_verifies_once() {
    let (e, _clock) = engine_at(T0);
    let t = e.targets("shop").expect("targets");
    let c = t
        .create("orders", HOOK, CreateTargetOptions::default())
        .expect("create");
    assert!(c.signing_key.starts_with("whsec_"));
    assert_eq!(
        (
            c.target.target_type.as_str(),
            c.target.payload_type.as_str(),
            c.target.scheme.as_str(),
            c.target.timeout_ms
        ),
        ("REST_WEBHOOK", "JSON", "ZITADEL", 10_000)
    );
    assert_eq!(t.get(&c.target.id).expect("get"), c.target);
    assert_eq!(t.list().expect("list"), vec![c.target.clone()]);

    let body = br#"{"order":42}"#;
    let req = t.sign(&c.target.id, body).expect("sign");
    assert_eq!(req.body, body);
    let header = req
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("ZITADEL-Signature"))
        .expect("signature header")
        .value
        .clone();
    let guard = ReplayGuard::memory();
    let sk = keys(&c.signing_key);
    let v = client::verify_webhook_zitadel(&header, body, &sk, None, Some(T0), Some(&guard))
        .expect("verifies");
    assert_eq!(v.timestamp, T0);
    // The same delivery again: refused as a replay.
    let replay = client::verify_webhook_zitadel(&header, body, &sk, None, Some(T0), Some(&guard));
    assert_eq!(code_of(replay), 1702);
    // A changed body: detail-free failure.
    let bad = client::verify_webhook_zitadel(&header, b"{}", &sk, None, Some(T0), None)
        .expect_err("tampered");
    assert_eq!(
        (bad.code, bad.message.as_str()),
        (1006, "verification failed")
    );
    // Too old.
    let late = client::verify_webhook_zitadel(&header, body, &sk, None, Some(T0 + 301), None);
    assert_eq!(code_of(late), 1701);
    // A sender-side signature made by the client helper verifies too.
    let h2 = client::sign_webhook_zitadel(&sk, T0, body).expect("sign");
    client::verify_webhook_zitadel(&h2, body, &sk, None, Some(T0), None).expect("own header");
    assert_eq!(
        code_of(client::verify_webhook_zitadel(
            &h2,
            body,
            &[],
            None,
            Some(T0),
            None
        )),
        1004
    );
}

#[test]
fn standard_webhooks_target_and_key_rotation_with_grace() {
    let (e, clock) = engine_at(T0);
    let t = e.targets("shop").expect("targets");
    let c = t
        .create(
            "std",
            HOOK,
            CreateTargetOptions {
                scheme: Some("STANDARD_WEBHOOKS".into()),
                target_type: Some("REST_CALL".into()),
                interrupt_on_error: Some(true),
                timeout_ms: Some(1500),
                ..Default::default()
            },
        )
        .expect("create");
    assert!(c.target.interrupt_on_error);
    let old = c.signing_key.clone();
    let u = t
        .update(
            &c.target.id,
            UpdateTargetOptions {
                expiration_signing_key_secs: Some(3600),
                name: Some("std2".into()),
                ..Default::default()
            },
        )
        .expect("rotate");
    let new = u.signing_key.expect("new key");
    assert_ne!(*new, *old);
    let got = t.get(&c.target.id).expect("get");
    assert_eq!((got.name.as_str(), got.signing_keys.len()), ("std2", 2));
    assert!(got.interrupt_on_error, "kept across an update without it");

    let req = t.sign(&c.target.id, b"hello").expect("sign");
    let headers: Vec<Header> = req.headers;
    for k in [&old, &new] {
        client::verify_webhook_standard(&headers, b"hello", &keys(k), None, Some(T0), None)
            .expect("both keys verify during the grace period");
    }
    clock.0.store(T0 + 3601, Ordering::SeqCst);
    let req = t.sign(&c.target.id, b"later").expect("sign later");
    let r = client::verify_webhook_standard(
        &req.headers,
        b"later",
        &keys(&old),
        None,
        Some(T0 + 3601),
        None,
    );
    assert_eq!(code_of(r), 1006, "the old key no longer signs");
    client::verify_webhook_standard(
        &req.headers,
        b"later",
        &keys(&new),
        None,
        Some(T0 + 3601),
        None,
    )
    .expect("new key");

    // Bad input names its field; nothing is written.
    let before = t.list().expect("list");
    for (opts, field) in [
        (
            CreateTargetOptions {
                target_type: Some("SOAP".into()),
                ..Default::default()
            },
            "target_type",
        ),
        (
            CreateTargetOptions {
                scheme: Some("HMAC".into()),
                ..Default::default()
            },
            "scheme",
        ),
        (
            CreateTargetOptions {
                target_type: Some("REST_ASYNC".into()),
                interrupt_on_error: Some(true),
                ..Default::default()
            },
            "interrupt_on_error",
        ),
        (
            CreateTargetOptions {
                timeout_ms: Some(270_001),
                ..Default::default()
            },
            "timeout",
        ),
    ] {
        let err = t.create("x", HOOK, opts).expect_err(field);
        assert_eq!(err.code, 1004);
        assert!(err.message.contains(field), "{field}: {}", err.message);
    }
    assert_eq!(t.list().expect("list"), before);
    t.delete(&c.target.id).expect("delete");
    assert_eq!(code_of(t.get(&c.target.id)), 1001);
}

#[test]
fn jwt_and_jwe_targets_verify_against_the_engine_jwks() {
    let (e, _clock) = engine_at(T0);
    let jose = e.jose();
    let k1 = jose.current_key().expect("key");
    let t = e.targets("shop").expect("targets");
    let c = t
        .create(
            "jwt",
            HOOK,
            CreateTargetOptions {
                payload_type: Some("JWT".into()),
                ..Default::default()
            },
        )
        .expect("create");
    let req = t.sign(&c.target.id, br#"{"event":"paid"}"#).expect("sign");
    let jwks = jose.jwks().expect("jwks");
    // A token with `aud` is refused by a verifier without an audience.
    assert_eq!(
        code_of(client::verify_jwt(
            &req.body,
            &jwks,
            &JwtValidation::default(),
            Some(T0)
        )),
        1006
    );
    let v = client::verify_jwt(&req.body, &jwks, &receiver(), Some(T0)).expect("verifies");
    assert_eq!(v.kid.as_deref(), Some(k1.kid.as_str()));
    let claims: serde_json::Value = serde_json::from_str(&v.claims_json).expect("json");
    assert_eq!(claims["event"], "paid");
    assert_eq!(claims["aud"], HOOK);
    // Wrong audience, expired, and a foreign JWKS are refused.
    let strict = JwtValidation {
        audience: Some("https://other".into()),
        ..Default::default()
    };
    assert_eq!(
        code_of(client::verify_jwt(&req.body, &jwks, &strict, Some(T0))),
        1006
    );
    let later = client::verify_jwt(&req.body, &jwks, &receiver(), Some(T0 + 3600));
    assert_eq!(code_of(later), 1006);
    assert_eq!(
        code_of(client::verify_jwt(
            &req.body,
            "{\"keys\":[]}",
            &JwtValidation::default(),
            Some(T0)
        )),
        1006
    );
    assert_eq!(
        code_of(client::verify_jwt(
            &req.body,
            "nope",
            &JwtValidation::default(),
            Some(T0)
        )),
        1004
    );

    // Rotation: the new kid signs, the old one stays in the JWKS.
    let k2 = jose.rotate_signing_key().expect("rotate");
    assert_ne!(k1.kid, k2.kid);
    let jwks2: serde_json::Value = serde_json::from_str(&jose.jwks().expect("jwks")).expect("json");
    assert_eq!(jwks2["keys"].as_array().map(Vec::len), Some(2));
    let token = jose
        .sign_jwt(&format!(r#"{{"sub":"x","exp":{}}}"#, T0 + 60))
        .expect("sign_jwt");
    let v = client::verify_jwt(
        token.as_bytes(),
        &jose.jwks().expect("jwks"),
        &JwtValidation::default(),
        Some(T0),
    )
    .expect("verifies");
    assert_eq!(v.kid.as_deref(), Some(k2.kid.as_str()));
    assert_eq!(code_of(jose.sign_jwt("[1]")), 1004);
    let jws = jose.sign_jws("{}", b"raw").expect("jws");
    assert_eq!(jws.split('.').count(), 3);

    // JWE: encrypted to the receiver's P-256 key, decrypted with its
    // private key (PEM, and as a JWK).
    let pair = EcKeyPair::generate(EcCurve::P256).expect("pair");
    let public_pem = String::from_utf8(pair.to_pem_public_key()).expect("pem");
    let private_pem = String::from_utf8(pair.to_pem_private_key()).expect("pem");
    let c = t
        .create(
            "jwe",
            HOOK,
            CreateTargetOptions {
                payload_type: Some("JWE".into()),
                encryption_key_pem: Some(public_pem),
                ..Default::default()
            },
        )
        .expect("create jwe");
    let fp = c.target.encryption_keys[0].fingerprint.clone();
    assert!(c.target.encryption_keys[0].active);
    let req = t.sign(&c.target.id, br#"{"secret":"s3"}"#).expect("sign");
    assert_eq!(req.body.split(|b| *b == b'.').count(), 5, "compact JWE");
    let jwks = jose.jwks().expect("jwks");
    let v = client::decrypt_jwe(&req.body, &private_pem, &jwks, &receiver(), &[], Some(T0))
        .expect("decrypts");
    assert!(v.claims_json.contains("\"secret\":\"s3\""));
    let jwk = pair.to_jwk_private_key().to_string();
    client::decrypt_jwe(&req.body, &jwk, &jwks, &receiver(), &[], Some(T0))
        .expect("decrypts with the JWK");
    let other = EcKeyPair::generate(EcCurve::P256).expect("pair");
    let other_pem = String::from_utf8(other.to_pem_private_key()).expect("pem");
    let r = client::decrypt_jwe(&req.body, &other_pem, &jwks, &receiver(), &[], Some(T0));
    assert_eq!(code_of(r), 1006);

    // Encryption key management.
    let second = EcKeyPair::generate(EcCurve::P256).expect("pair");
    let info = t
        .add_encryption_key(
            &c.target.id,
            &String::from_utf8(second.to_pem_public_key()).expect("pem"),
            Some(T0 + 86_400),
        )
        .expect("add");
    assert!(!info.active);
    assert_eq!(t.list_encryption_keys(&c.target.id).expect("list").len(), 2);
    t.activate_encryption_key(&c.target.id, &info.fingerprint)
        .expect("activate");
    t.remove_encryption_key(&c.target.id, &fp)
        .expect("remove old");
    let left = t.list_encryption_keys(&c.target.id).expect("list");
    assert_eq!((left.len(), left[0].active), (1, true));
}

#[test]
fn api_tokens_authenticate_refresh_and_detect_reuse() {
    let (e, _clock) = engine_at(T0);
    let tok = e.tokens("shop").expect("tokens");
    let c = tok
        .create(
            "ci",
            "PROXY",
            CreateTokenOptions {
                owner: Some(EntityRef {
                    name: "alice".into(),
                    id: "u1".into(),
                }),
                ..Default::default()
            },
        )
        .expect("create");
    assert_eq!(
        (c.token.state.as_str(), c.token.token_rotation.as_str()),
        ("ACTIVE", "ALWAYS")
    );
    let refresh = c.refresh_token.clone().expect("refresh token");
    let used = tok.authenticate(&c.value).expect("authenticates");
    assert_eq!(used.token.id, c.token.id);
    assert_eq!(code_of(tok.authenticate("ccat_nope")), 1006);

    let u = tok
        .update(&c.token.id, "ci-renamed", UpdateTokenOptions::default())
        .expect("update");
    assert_eq!(u.name, "ci-renamed");
    assert_eq!(tok.get(&c.token.id).expect("get").name, "ci-renamed");
    assert_eq!(tok.list().expect("list").len(), 1);
    let changed = UpdateTokenOptions {
        token_type: Some("EXTENSION".into()),
        ..Default::default()
    };
    assert_eq!(
        tok.update(&c.token.id, "x", changed)
            .expect_err("type")
            .code,
        1004
    );
    assert_eq!(
        code_of(tok.create("x", "BOGUS", CreateTokenOptions::default())),
        1004
    );

    let r = tok.refresh(&refresh).expect("refresh");
    assert_ne!(*r.value, *c.value);
    assert!(
        r.refresh_token.is_some(),
        "ALWAYS rotates the refresh token"
    );
    tok.authenticate(&r.value).expect("new value works");
    // The spent refresh token again: the family is revoked.
    assert_eq!(code_of(tok.refresh(&refresh)), 1401);
    let revoked = tok.authenticate(&r.value).expect_err("family revoked");
    assert_eq!(revoked.code, 1007);
    assert!(revoked.message.contains("REVOKED"), "{}", revoked.message);

    let no_refresh = tok
        .create(
            "plain",
            "EXTENSION",
            CreateTokenOptions {
                token_rotation: Some("NONE".into()),
                ..Default::default()
            },
        )
        .expect("create");
    assert!(no_refresh.refresh_token.is_none());
    let revoked = tok.revoke(&no_refresh.token.id).expect("revoke");
    assert_eq!(revoked.state, "REVOKED");
    assert_eq!(code_of(tok.authenticate(&no_refresh.value)), 1007);
}

#[test]
fn machine_auth_login_authenticate_renew_revoke() {
    let (e, clock) = engine_at(T0);
    let m = e.machine_auth("shop").expect("machine_auth");
    let id = m.create_identity("builder", None).expect("identity");
    let fixed = m
        .create_identity("fixed", Some("0b8f3a2e-5c1d-4e6f-9a7b-3c2d1e0f9a8b"))
        .expect("with id");
    assert_eq!(fixed.id, "0b8f3a2e-5c1d-4e6f-9a7b-3c2d1e0f9a8b");
    assert_eq!(m.list_identities().expect("list").len(), 2);
    let ua = m
        .attach_universal_auth(
            &id.id,
            UniversalAuthSettings {
                client_secret_trusted_ips: Some(vec!["10.0.0.0/8".into()]),
                access_token_ttl: Some(600),
                access_token_max_ttl: Some(1200),
                ..Default::default()
            },
        )
        .expect("attach");
    assert_eq!(ua.client_secret_trusted_ips, vec!["10.0.0.0/8".to_owned()]);
    assert_eq!(m.universal_auth(&id.id).expect("ua"), ua);
    assert_eq!(
        m.identity(&id.id).expect("identity").universal_auth,
        Some(ua.clone())
    );
    let ua2 = m
        .update_universal_auth(
            &id.id,
            UniversalAuthSettings {
                access_token_num_uses_limit: Some(2),
                ..Default::default()
            },
        )
        .expect("update");
    assert_eq!(ua2.access_token_num_uses_limit, 2);

    let cs = m
        .create_client_secret(&id.id, "ci", 0, 0)
        .expect("client secret");
    assert_eq!(cs.client_id, ua.client_id);
    // Outside the trusted range: refused by policy.
    assert_eq!(
        code_of(m.login(&cs.client_id, &cs.secret, "192.168.1.1")),
        1005
    );
    assert_eq!(
        code_of(m.login(&cs.client_id, &cs.secret, "not-an-ip")),
        1004
    );
    let g = m
        .login(&cs.client_id, &cs.secret, "10.1.2.3")
        .expect("login");
    assert_eq!((g.token_type.as_str(), g.expires_in), ("Bearer", 600));
    let a = m.authenticate(&g.access_token, "10.1.2.3").expect("use 1");
    assert_eq!(a.num_uses, 1);
    clock.0.store(T0 + 300, Ordering::SeqCst);
    let r = m.renew(&g.access_token).expect("renew");
    assert_eq!(r.expires_at, Some(T0 + 900));
    m.authenticate(&g.access_token, "10.1.2.3").expect("use 2");
    assert_eq!(
        code_of(m.authenticate(&g.access_token, "10.1.2.3")),
        1007,
        "use limit"
    );

    let g2 = m
        .login(&cs.client_id, &cs.secret, "10.1.2.3")
        .expect("login 2");
    m.revoke(&g2.access_token).expect("revoke");
    assert_eq!(code_of(m.authenticate(&g2.access_token, "10.1.2.3")), 1007);

    let listed = m.list_client_secrets(&id.id).expect("list");
    assert_eq!(listed.len(), 1);
    let rv = m
        .revoke_client_secret(&id.id, &cs.info.id)
        .expect("revoke secret");
    assert_eq!(rv.state, "REVOKED");
    assert_eq!(
        code_of(m.login(&cs.client_id, &cs.secret, "10.1.2.3")),
        1007
    );

    assert_eq!(
        client::resolve_client_ip(
            "10.0.0.1",
            &["203.0.113.9, 10.0.0.2".into()],
            &["10.0.0.0/8".into()]
        )
        .expect("resolve"),
        "203.0.113.9"
    );
    assert_eq!(
        client::resolve_client_ip(
            "198.51.100.1",
            &["203.0.113.9".into()],
            &["10.0.0.0/8".into()]
        )
        .expect("untrusted peer"),
        "198.51.100.1"
    );
    assert_eq!(code_of(client::resolve_client_ip("x", &[], &[])), 1004);
}

#[test]
fn identities_sessions_and_mfa_end_to_end() {
    let (e, clock) = engine_at(T0);
    let ids = e.identities("shop").expect("identities");
    let mfa = e.mfa("shop").expect("mfa");
    let alice = ids
        .create("alice", Some(r#"{"team":"ops","admin":true}"#))
        .expect("create");
    let tags: serde_json::Value = serde_json::from_str(&alice.tags_json).expect("json");
    assert_eq!(tags["admin"], true);
    assert_eq!(ids.find_by_name("alice").expect("by name").id, alice.id);
    assert_eq!(code_of(ids.create("bob", Some("[1]"))), 1004);
    let auth = ids
        .set_password(&alice.id, "alice", "correct horse battery")
        .expect("password");
    assert_eq!(auth.method, "updb");

    let login = |pw: &str| {
        ids.authenticate(
            AuthInput::Password {
                username: "alice".into(),
                password: pw.to_owned().into(),
            },
            Some(r#"{"os":"linux"}"#),
            None,
            vec![],
        )
    };
    assert_eq!(code_of(login("wrong password!")), 1006);
    let s = login("correct horse battery").expect("login");
    assert!(s.token.starts_with("ccas_"));
    assert!(s.session.env_info_json.contains("linux"));
    assert!(!s.session.mfa_required);
    ids.validate_session(&s.token, "orders.read")
        .expect("valid");
    assert_eq!(ids.current_identity(&s.token).expect("me").id, alice.id);
    let me = Subject::Session(s.token.to_string());
    assert_eq!(ids.authenticators(&me).expect("mine").len(), 1);
    assert_eq!(ids.authenticator(&me, &auth.id).expect("one").id, auth.id);
    assert_eq!(ids.sessions(&me).expect("sessions").len(), 1);

    // MFA: enroll, confirm with a code from the provisioning URI.
    let en = mfa.enroll(&me).expect("enroll");
    assert!(en.qr_png.starts_with(b"\x89PNG"));
    let totp = Totp::from_uri(&en.provisioning_uri).expect("uri");
    assert_eq!(
        (totp.algorithm(), totp.digits(), totp.period()),
        ("SHA1", 6, 30)
    );
    let svg = mfa.qr_code(&me, "svg").expect("svg");
    assert!(svg.starts_with(b"<?xml") || svg.starts_with(b"<svg"));
    assert_eq!(code_of(mfa.qr_code(&me, "gif")), 1004);
    assert_eq!(code_of(mfa.verify(&me, "000000")), 1006);
    mfa.verify(&me, &totp.code_at(Some(T0))).expect("verify");
    let st = mfa.status(&me).expect("status");
    assert!(st.enrolled && st.verified);
    assert_eq!(st.recovery_codes_remaining, 10);

    // A new login owes the second factor.
    clock.0.store(T0 + 60, Ordering::SeqCst);
    let s2 = login("correct horse battery").expect("login 2");
    assert!(s2.session.mfa_required && !s2.session.mfa_complete);
    assert_eq!(
        code_of(ids.validate_session(&s2.token, "orders.read")),
        1502
    );
    let done = mfa
        .authenticate_mfa(&s2.token, &totp.code_at(Some(T0 + 60)))
        .expect("second factor");
    assert!(done.mfa_complete);
    ids.validate_session(&s2.token, "orders.read")
        .expect("now valid");
    // A recovery code also works, once.
    clock.0.store(T0 + 120, Ordering::SeqCst);
    let s3 = login("correct horse battery").expect("login 3");
    mfa.authenticate_mfa(&s3.token, &en.recovery_codes[0])
        .expect("recovery code");
    let s4 = login("correct horse battery").expect("login 4");
    assert_eq!(
        code_of(mfa.authenticate_mfa(&s4.token, &en.recovery_codes[0])),
        1006
    );

    let admin = Subject::Identity(alice.id.clone());
    clock.0.store(T0 + 180, Ordering::SeqCst);
    let fresh = mfa
        .regenerate_recovery_codes(&admin, &totp.code_at(Some(T0 + 180)))
        .expect("regenerate");
    assert_eq!(fresh.len(), 10);
    clock.0.store(T0 + 210, Ordering::SeqCst);
    let view = mfa
        .view_recovery_codes(&admin, &totp.code_at(Some(T0 + 210)))
        .expect("view");
    assert_eq!(view.remaining, 10);

    // Password change through the authenticator, proving the old one.
    let changed = ids
        .patch_authenticator(
            &admin,
            &auth.id,
            "correct horse battery",
            None,
            Some("another long passphrase"),
            Some("null"),
        )
        .expect("patch");
    assert_eq!(changed.tags_json, "{}");
    assert_eq!(code_of(login("correct horse battery")), 1006);
    let upd = ids
        .update_authenticator(
            &admin,
            &auth.id,
            "alice2",
            "third long passphrase",
            "another long passphrase",
            Some(r#"{"k":"v"}"#),
        )
        .expect("update");
    assert_eq!(upd.username.as_deref(), Some("alice2"));
    let comp = ids
        .mark_password_compromised(&auth.id)
        .expect("compromised");
    assert!(comp.password_change_required);

    // MFA removal paths.
    clock.0.store(T0 + 240, Ordering::SeqCst);
    mfa.disable(&admin, &totp.code_at(Some(T0 + 240)))
        .expect("disable");
    assert!(!mfa.status(&admin).expect("status").enrolled);
    mfa.enroll(&admin).expect("re-enroll");
    mfa.remove(&alice.id).expect("admin reset");

    // Certificates and external JWT signers.
    let fp = "a".repeat(64);
    let cert = ids.add_cert_authenticator(&alice.id, &fp).expect("cert");
    assert_eq!(cert.method, "cert");
    ids.delete_authenticator(&cert.id).expect("delete cert");
    let jwks = e.jose().jwks().expect("jwks");
    let signer = ids
        .create_ext_jwt_signer(
            "idp",
            "https://idp.example",
            "shop",
            &jwks,
            false,
            None,
            Some("name"),
        )
        .expect("signer");
    assert_eq!(signer.claim_match, "name");
    assert_eq!(ids.ext_jwt_signers().expect("signers").len(), 1);
    let jwt = e
        .jose()
        .sign_jwt(&format!(
            r#"{{"iss":"https://idp.example","aud":"shop","sub":"alice","exp":{}}}"#,
            T0 + 600
        ))
        .expect("jwt");
    let s5 = ids
        .authenticate(AuthInput::ExtJwt { token: jwt.into() }, None, None, vec![])
        .expect("ext-jwt login");
    assert_eq!(s5.session.identity_id, alice.id);
    ids.delete_ext_jwt_signer(&signer.id)
        .expect("delete signer");

    ids.logout(&s.token).expect("logout");
    assert_eq!(code_of(ids.current_session(&s.token)), 1006);
    clock.0.store(T0 + 10 * 86_400, Ordering::SeqCst);
    assert!(ids.purge_expired_sessions().expect("purge") >= 1);
    ids.delete(&alice.id).expect("delete");
    assert_eq!(code_of(ids.get(&alice.id)), 1001);
    assert!(ids.list().expect("list").is_empty());
}

#[test]
fn totp_rfc_vectors_and_uri_round_trip() {
    // RFC 4226 appendix D.
    let h = Totp::new(b"12345678901234567890", "SHA1", 6, 30).expect("key");
    let want = [
        "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
        "520489",
    ];
    for (i, w) in want.iter().enumerate() {
        assert_eq!(h.hotp(i as u64), *w);
    }
    // RFC 6238 appendix B, 8 digits.
    let s1 = b"12345678901234567890".to_vec();
    let s256 = b"12345678901234567890123456789012".to_vec();
    let s512 = b"1234567890123456789012345678901234567890123456789012345678901234".to_vec();
    for (t, c1, c256, c512) in [
        (59, "94287082", "46119246", "90693936"),
        (1_111_111_109, "07081804", "68084774", "25091201"),
        (2_000_000_000, "69279037", "90698825", "38618901"),
    ] {
        for (secret, alg, code) in [
            (&s1, "SHA1", c1),
            (&s256, "SHA256", c256),
            (&s512, "SHA512", c512),
        ] {
            let k = Totp::new(secret, alg, 8, 30).expect("key");
            assert_eq!(k.code_at(Some(t)), code, "{alg} at {t}");
            assert_eq!(
                k.verify(code, Some(t + 30), 1).expect("verify"),
                Some(t / 30)
            );
            assert_eq!(k.verify(code, Some(t + 90), 1).expect("verify"), None);
        }
    }
    let uri = h.provisioning_uri("Acme", "alice@example.com");
    let back = Totp::from_uri(&uri).expect("parse");
    assert_eq!(
        (back.issuer(), back.account()),
        (Some("Acme"), Some("alice@example.com"))
    );
    assert_eq!(back.code_at(Some(T0)), h.code_at(Some(T0)));
    assert_eq!(code_of(Totp::new(b"short", "SHA1", 6, 30)), 1004);
    assert_eq!(code_of(Totp::new(&s1, "MD5", 6, 30)), 1004);
    assert_eq!(code_of(h.verify("123456", None, 11)), 1004);
    let e =
        Totp::from_uri("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=9").expect_err("digits");
    assert!(!e.message.contains("JBSWY3DPEHPK3PXP"));
}

#[test]
fn policy_overrides_reach_the_domains_and_are_validated() {
    let mut cfg = EngineConfig::new(
        StoreConfig::Memory,
        KmsConfig::Local {
            root_key: vec![9; 32].into(),
        },
    );
    cfg.policy.totp_digits = Some(8);
    cfg.policy.mfa_issuer = Some("Shop".into());
    let e = Engine::open(cfg.clone()).expect("open");
    let ids = e.identities("t").expect("ids");
    let a = ids.create("a", None).expect("a");
    let en = e
        .mfa("t")
        .expect("mfa")
        .enroll(&Subject::Identity(a.id))
        .expect("enroll");
    let k = Totp::from_uri(&en.provisioning_uri).expect("uri");
    assert_eq!((k.digits(), k.issuer()), (8, Some("Shop")));
    cfg.policy.totp_digits = Some(9);
    let err = Engine::open(cfg.clone()).expect_err("9 digits");
    assert!(err.message.contains("totp_digits"), "{}", err.message);
    cfg.policy.totp_digits = None;
    cfg.policy.totp_algorithm = Some("MD5".into());
    assert!(
        Engine::open(cfg)
            .expect_err("md5")
            .message
            .contains("totp_algorithm")
    );
}

#[test]
fn store_backed_replay_guard_is_shared_through_the_store() {
    let (e, _clock) = engine_at(T0);
    let g1 = e.webhook_replay_guard("hooks").expect("guard");
    let g2 = e.webhook_replay_guard("hooks").expect("guard");
    let k = keys("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    let h = client::sign_webhook_standard(&k, "msg_1", T0, b"x").expect("sign");
    let headers = vec![
        Header {
            name: "webhook-id".into(),
            value: "msg_1".into(),
        },
        Header {
            name: "webhook-timestamp".into(),
            value: T0.to_string(),
        },
        Header {
            name: "webhook-signature".into(),
            value: h,
        },
    ];
    client::verify_webhook_standard(&headers, b"x", &k, None, Some(T0), Some(&g1)).expect("first");
    let again = client::verify_webhook_standard(&headers, b"x", &k, None, Some(T0), Some(&g2));
    assert_eq!(code_of(again), 1702);
    assert_eq!(e.now(), T0);
}

/// A variable of `scripts/services.sh`; `None` (a skip, said on stderr)
/// when unset, unless `CREDCYCLE_REQUIRE_SERVICES=1`, which makes it a
/// failure so CI never skips.
fn service_env(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ if std::env::var("CREDCYCLE_REQUIRE_SERVICES").as_deref() == Ok("1") => {
            panic!("{var} is not set and CREDCYCLE_REQUIRE_SERVICES=1")
        }
        _ => {
            eprintln!("skipped: {var} is not set (run under scripts/services.sh)");
            None
        }
    }
}

#[test]
fn postgres_store_with_a_pkcs11_token_through_the_facade() {
    let (Some(url), Some(spec)) = (
        service_env("CREDCYCLE_TEST_PG_URL"),
        service_env("CREDCYCLE_TEST_PKCS11"),
    ) else {
        return;
    };
    // `module=…;token=…;pin-env=VAR` as the CLI takes it.
    let field = |k: &str| {
        spec.split(';')
            .find_map(|p| p.strip_prefix(&format!("{k}=")))
            .map(str::to_owned)
            .expect("spec field")
    };
    let run = format!("{}-{}", std::process::id(), T0);
    let cfg = EngineConfig::new(
        StoreConfig::Postgres { url },
        KmsConfig::Pkcs11 {
            module: field("module"),
            token: field("token"),
            pin: Pkcs11Pin::Env(field("pin-env")),
            namespace: Some(format!("facade-{run}")),
        },
    );
    assert!(
        !format!("{cfg:?}").contains("postgres://"),
        "no URL in Debug"
    );
    let e = Engine::open(cfg).expect("open");
    e.ensure_default_key().expect("default key");
    let tenant = format!("facade-{run}");
    let s = e.secrets(&tenant).expect("secrets");
    s.create(
        "db",
        CreateSecretOptions {
            value: Some(SecretInput::Bytes(b"pg+hsm".to_vec().into())),
            ..Default::default()
        },
    )
    .expect("create");
    assert_eq!(&*s.get_value("db", None).expect("read").value, b"pg+hsm");
    let sig_key = format!("sig-{run}");
    e.kms()
        .create_key(&sig_key, "p256")
        .expect("p256 in the token");
    assert_eq!(e.kms().sign(&sig_key, b"m").expect("sign").len(), 64);

    // A wrong PIN variable and a bad URL fail with typed errors.
    let bad = EngineConfig::new(
        StoreConfig::Postgres {
            url: "postgres://nobody@127.0.0.1:1/none".into(),
        },
        KmsConfig::Local {
            root_key: vec![1; 32].into(),
        },
    );
    let err = Engine::open(bad).expect_err("no server");
    assert_eq!(err.kind, "store", "{err:?}");
    let no_pin = EngineConfig::new(
        StoreConfig::Memory,
        KmsConfig::Pkcs11 {
            module: field("module"),
            token: field("token"),
            pin: Pkcs11Pin::Env("CREDCYCLE_FACADE_NO_SUCH_PIN_VAR".into()),
            namespace: None,
        },
    );
    assert!(Engine::open(no_pin).is_err());
}
