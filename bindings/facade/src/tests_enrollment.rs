//! PKI and enrollment through the plain API, with an injected clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use credcycle::pki::testing::{CertSpec, TestCert};

use super::*;

const T0: i64 = 1_700_000_000;

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
            root_key: vec![5; 32].into(),
        },
    );
    cfg.clock = Some(clock.clone() as Arc<dyn ForeignClock>);
    (Engine::open(cfg).expect("open"), clock)
}

fn err<T: std::fmt::Debug>(r: Result<T>) -> Error {
    r.expect_err("must fail")
}

fn csr(cn: &str) -> ClientKeyInfo {
    client::generate_key_and_csr("p256", cn, &[], &[]).expect("csr")
}

fn with_ca(e: &Engine, tenant: &str) -> CaInfo {
    e.pki(tenant)
        .expect("pki")
        .create_ca(
            "root",
            &format!("{tenant}.example"),
            CreateCaOptions::default(),
        )
        .expect("ca")
}

#[test]
fn generate_key_and_csr_takes_each_algorithm_and_names_bad_input() {
    for alg in ["p256", "p384", "ed25519"] {
        let k = client::generate_key_and_csr(
            alg,
            "router-1",
            &["r1.example.com".to_owned()],
            &["10.0.0.1".to_owned()],
        )
        .expect(alg);
        assert!(k.key_pkcs8_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert!(k.csr_pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
        assert!(!format!("{k:?}").contains("PRIVATE KEY"));
    }
    let e = err(client::generate_key_and_csr("rsa", "x", &[], &[]));
    assert_eq!((e.code, e.kind.as_str()), (1004, "invalid_input"));
    assert!(e.message.contains("algorithm"), "{e:?}");
    let e = err(client::generate_key_and_csr(
        "p256",
        "x",
        &[],
        &["no-ip".into()],
    ));
    assert!(e.message.contains("ip_addresses"), "{e:?}");
    let e = err(client::generate_key_and_csr("p256", "", &[], &[]));
    assert!(e.message.contains("common_name"), "{e:?}");
}

#[test]
fn pki_creates_issues_bundles_and_verifies() {
    let (e, _clock) = engine_at(T0);
    let pki = e.pki("acme").expect("pki");
    assert_eq!(err(pki.ca()).code, 1001);
    assert_eq!(err(pki.bundle_pem()).code, 1001);
    let bad = CreateCaOptions {
        algorithm: Some("dsa".into()),
        ..Default::default()
    };
    assert!(
        err(pki.create_ca("root", "acme.example", bad))
            .message
            .contains("algorithm")
    );
    assert_eq!(err(pki.ca()).code, 1001, "a refused create writes nothing");
    let ca = pki
        .create_ca(
            "acme root",
            "acme.example",
            CreateCaOptions {
                algorithm: Some("p384".into()),
                ..Default::default()
            },
        )
        .expect("create");
    assert_eq!(ca.key_type, "EC P-384");
    assert!(ca.certificate.is_ca && !ca.imported);
    assert_eq!(ca.certificate.common_name.as_deref(), Some("acme root"));
    assert_eq!(pki.ca().expect("ca"), ca);
    assert_eq!(
        err(pki.create_ca("again", "acme.example", CreateCaOptions::default())).code,
        1003
    );
    assert_eq!(pki.bundle_pem().expect("pem"), ca.chain_pem);
    assert!(!pki.bundle_pkcs7_base64().expect("p7").is_empty());

    // Client profile.
    let k = csr("device-1");
    let c = pki
        .issue(
            &k.csr_pem,
            IssueProfile {
                identity_id: "id-1".into(),
                ..Default::default()
            },
        )
        .expect("issue");
    assert_eq!(c.spiffe_id, "spiffe://acme.example/identity/id-1");
    assert_eq!(c.key_type, "EC P-256");
    assert!(c.chain_pem.starts_with(&c.pem));
    let v = pki.verify_client_chain(&c.chain_pem).expect("verify");
    assert_eq!(v.leaf.fingerprint, c.fingerprint);
    assert_eq!(v.leaf.uris, vec![c.spiffe_id]);
    assert_eq!(v.anchor_pem, ca.certificate.pem);
    assert_eq!(v.path_fingerprints.len(), 2);

    // Router server profile with names, session profile.
    let r = pki
        .issue(
            &k.csr_pem,
            IssueProfile {
                kind: "router_server".into(),
                identity_id: "router-1".into(),
                dns_names: vec!["r1.acme.example".into()],
                ip_addresses: vec!["192.0.2.7".into()],
                ..Default::default()
            },
        )
        .expect("router");
    let leaf = credcycle::pki::CertInfo::from_pem(&r.pem).expect("parse");
    assert_eq!(leaf.dns_names, vec!["r1.acme.example".to_owned()]);
    assert_eq!(leaf.ip_addresses[0].to_string(), "192.0.2.7");
    let s = pki
        .issue(
            &k.csr_pem,
            IssueProfile {
                kind: "session".into(),
                identity_id: "id-1".into(),
                validity_secs: Some(600),
                ..Default::default()
            },
        )
        .expect("session");
    assert!(s.not_after <= T0 + 600 && s.not_after > T0 + 500, "{s:?}");
    let bad_kind = IssueProfile {
        kind: "server".into(),
        identity_id: "id-1".into(),
        ..Default::default()
    };
    assert!(
        err(pki.issue(&k.csr_pem, bad_kind))
            .message
            .contains("kind")
    );
    assert!(
        err(pki.issue("not a csr", IssueProfile::default()))
            .message
            .contains("csr")
    );

    // A certificate of another tenant's CA is refused with 1601.
    with_ca(&e, "other");
    let foreign = e
        .pki("other")
        .expect("pki")
        .issue(
            &k.csr_pem,
            IssueProfile {
                identity_id: "id-1".into(),
                ..Default::default()
            },
        )
        .expect("issue");
    let rej = err(pki.verify_client_chain(&foreign.chain_pem));
    assert_eq!((rej.code, rej.kind.as_str()), (1601, "verification_failed"));
    assert!(rej.message.contains("certificate"), "{rej:?}");
}

#[test]
fn pki_imports_an_existing_ca_with_its_key() {
    let (e, _clock) = engine_at(T0);
    let src = with_ca(&e, "src");
    let dst = e.pki("dst").expect("pki");
    assert_eq!(
        err(dst.import_ca("junk", &src.key_id, "dst.example")).code,
        1004
    );
    assert_eq!(err(dst.ca()).code, 1001);
    let ca = dst
        .import_ca(&src.chain_pem, &src.key_id, "dst.example")
        .expect("import");
    assert!(ca.imported);
    assert_eq!(ca.certificate.fingerprint, src.certificate.fingerprint);
    let c = dst
        .issue(
            &csr("d").csr_pem,
            IssueProfile {
                identity_id: "x".into(),
                ..Default::default()
            },
        )
        .expect("issue");
    assert_eq!(c.spiffe_id, "spiffe://dst.example/identity/x");
}

#[test]
fn ott_enrollment_extension_and_certificate_authentication() {
    let (e, clock) = engine_at(T0);
    with_ca(&e, "shop");
    let ids = e.identities("shop").expect("ids");
    let en = e.enrollment("shop").expect("enrollment");
    let alice = ids.create("alice", None).expect("identity");

    let spec = |m: &str| EnrollmentSpec {
        method: m.into(),
        ..Default::default()
    };
    assert!(
        err(en.create(&alice.id, spec("magic")))
            .message
            .contains("method")
    );
    let names = EnrollmentSpec {
        dns_names: vec!["x.example".into()],
        ..spec("ott")
    };
    assert!(
        err(en.create(&alice.id, names))
            .message
            .contains("dns_names")
    );
    assert_eq!(en.list(&alice.id).expect("list"), vec![]);
    let n = en.create(&alice.id, spec("ott")).expect("create");
    assert!(!format!("{n:?}").contains(n.jwt.as_str()));
    assert_eq!(n.enrollment.state, "PENDING");
    assert_eq!(err(en.create(&alice.id, spec("ott"))).code, 1003);
    assert_eq!(en.get(&alice.id, "ott").expect("get"), n.enrollment);

    // Re-issue replaces the token; the old one no longer verifies.
    let n2 = en.reissue(&alice.id, "ott").expect("reissue");
    assert_ne!(n2.jwt, n.jwt);
    let key = csr("alice-laptop");
    assert_eq!(err(en.enroll_ott(&n.jwt, &key.csr_pem)).code, 1006);

    let bad = err(en.enroll_ott(&n2.jwt, "garbage"));
    assert!(bad.message.contains("csr"), "{bad:?}");
    let cert = en.enroll_ott(&n2.jwt, &key.csr_pem).expect("enroll");
    assert_eq!(cert.identity_id, alice.id);
    let used = err(en.enroll_ott(&n2.jwt, &key.csr_pem));
    assert_eq!(used.code, 1650, "{used:?}");
    assert_eq!(
        error::static_message(1650),
        "the enrollment token was already used"
    );
    let got = en.get(&alice.id, "ott").expect("get");
    assert_eq!(got.state, "USED");
    assert_eq!(
        got.authenticator_id.as_deref(),
        Some(cert.authenticator_id.as_str())
    );

    // Certificate authentication.
    let p = en.authorize_chain(&cert.chain_pem).expect("authorize");
    assert_eq!(
        (
            p.identity_id.as_str(),
            p.authenticator_id.as_deref(),
            p.pending
        ),
        (
            alice.id.as_str(),
            Some(cert.authenticator_id.as_str()),
            false
        )
    );
    assert_eq!(en.cert_owner(&cert.certificate_pem).expect("owner"), p);
    assert!(err(en.authorize_chain("")).message.contains("chain"));

    // Administrator requests, then the owner extends with a new key.
    let me = Subject::Identity(alice.id.clone());
    let st = en.cert_status(&me, &cert.authenticator_id).expect("status");
    assert!(st.issued_by_engine && !st.request_extend && !st.request_key_roll);
    assert!(
        en.request_extend(&cert.authenticator_id)
            .expect("req")
            .request_extend
    );
    assert!(
        en.request_key_roll(&cert.authenticator_id)
            .expect("roll")
            .request_key_roll
    );
    clock.0.store(T0 + 3600, Ordering::SeqCst);
    let same_key = err(en.extend(
        &me,
        &cert.authenticator_id,
        &cert.certificate_pem,
        &key.csr_pem,
    ));
    assert_eq!(same_key.code / 100, 10, "{same_key:?}");
    let key2 = csr("alice-laptop");
    let ext = en
        .extend(
            &me,
            &cert.authenticator_id,
            &cert.certificate_pem,
            &key2.csr_pem,
        )
        .expect("extend");
    let st = en.cert_status(&me, &cert.authenticator_id).expect("status");
    assert_eq!(
        st.pending_fingerprint.as_deref(),
        Some(ext.fingerprint.as_str())
    );
    assert!(
        en.cert_owner(&ext.certificate_pem)
            .expect("pending")
            .pending
    );
    assert_eq!(
        en.authorize_chain(&cert.chain_pem)
            .expect("old")
            .fingerprint,
        cert.fingerprint
    );
    assert_eq!(
        err(en.extend_verify(&me, &cert.authenticator_id, &cert.certificate_pem)).code,
        1006
    );
    let done = en
        .extend_verify(&me, &cert.authenticator_id, &ext.certificate_pem)
        .expect("verify");
    assert_eq!(done.fingerprint, ext.fingerprint);
    assert_eq!(done.last_extend_key_changed, Some(true));
    assert!(!done.request_extend && !done.request_key_roll);
    assert_eq!(
        err(en.authorize_chain(&cert.chain_pem)).code,
        1006,
        "old cert is dead"
    );
    assert_eq!(
        err(en.extend_verify(&me, &cert.authenticator_id, &ext.certificate_pem)).code,
        1007,
        "nothing pending"
    );

    en.delete(&alice.id, "ott").expect("delete");
    assert_eq!(err(en.get(&alice.id, "ott")).code, 1001);
    assert_eq!(err(en.delete(&alice.id, "ott")).code, 1001);
}

#[test]
fn jwks_rotation_and_the_challenge() {
    let (e, _clock) = engine_at(T0);
    with_ca(&e, "shop");
    let en = e.enrollment("shop").expect("enrollment");
    let kid = en.current_kid().expect("kid");
    let jwks = en.jwks().expect("jwks");
    assert!(jwks.contains(&kid));
    let nonce = "6f1e0c4e-3a7b-4b55-9a7e-0c6f1f9d2a11";
    let ch = en.challenge(&kid, nonce).expect("challenge");
    assert_eq!(ch.algorithm, "ES256");
    assert_eq!(
        ch.ca_pool,
        e.pki("shop").expect("pki").bundle_pem().expect("pem")
    );
    client::verify_challenge(&jwks, nonce, &ch).expect("verifies");
    let other = "6f1e0c4e-3a7b-4b55-9a7e-0c6f1f9d2a12";
    assert_eq!(err(client::verify_challenge(&jwks, other, &ch)).code, 1006);
    let forged = ChallengeInfo {
        ca_pool: "-----BEGIN CERTIFICATE-----\n".into(),
        ..ch
    };
    assert_eq!(
        err(client::verify_challenge(&jwks, nonce, &forged)).code,
        1006
    );
    assert!(
        err(en.challenge(&kid, "not-a-uuid"))
            .message
            .contains("nonce")
    );

    let kid2 = en.rotate_signing_key().expect("rotate");
    assert_ne!(kid2, kid);
    assert_eq!(en.current_kid().expect("kid"), kid2);
    let jwks2 = en.jwks().expect("jwks");
    assert!(
        jwks2.contains(&kid) && jwks2.contains(&kid2),
        "previous key retained"
    );
    assert_eq!(
        err(en.challenge(&kid, nonce)).code,
        1007,
        "retired key does not sign"
    );
}

#[test]
fn updb_and_router_enrollments() {
    let (e, _clock) = engine_at(T0);
    with_ca(&e, "shop");
    let ids = e.identities("shop").expect("ids");
    let en = e.enrollment("shop").expect("enrollment");
    let bob = ids.create("bob", None).expect("identity");
    let missing = EnrollmentSpec {
        method: "updb".into(),
        ..Default::default()
    };
    assert!(
        err(en.create(&bob.id, missing))
            .message
            .contains("username")
    );
    let n = en
        .create(
            &bob.id,
            EnrollmentSpec {
                method: "updb".into(),
                username: Some("bobby".into()),
                ..Default::default()
            },
        )
        .expect("create");
    let wrong = err(en.enroll_ott(&n.jwt, &csr("x").csr_pem));
    assert!(wrong.message.contains("token"), "{wrong:?}");
    assert!(
        err(en.enroll_updb(&n.jwt, "robert", "correct horse battery"))
            .message
            .contains("username")
    );
    let a = en
        .enroll_updb(&n.jwt, "bobby", "correct horse battery")
        .expect("updb");
    assert_eq!(
        (a.method.as_str(), a.username.as_deref()),
        ("updb", Some("bobby"))
    );
    assert_eq!(
        err(en.enroll_updb(&n.jwt, "bobby", "correct horse battery")).code,
        1650
    );

    let router = ids.create("router-1", None).expect("identity");
    let n = en
        .create(
            &router.id,
            EnrollmentSpec {
                method: "router".into(),
                dns_names: vec!["r1.shop.example".into()],
                ip_addresses: vec!["198.51.100.4".into()],
                ..Default::default()
            },
        )
        .expect("router enrollment");
    assert_eq!(n.enrollment.method, "erott");
    assert_eq!(n.enrollment.ip_addresses, vec!["198.51.100.4".to_owned()]);
    let server = client::generate_key_and_csr("p256", "router-1", &[], &[]).expect("csr");
    let rc = en
        .enroll_router(&n.jwt, &csr("router-1").csr_pem, &server.csr_pem)
        .expect("enroll");
    let s = credcycle::pki::CertInfo::from_pem(&rc.server_certificate_pem).expect("parse");
    assert_eq!(s.dns_names, vec!["r1.shop.example".to_owned()]);
    assert!(rc.server_chain_pem.starts_with(&rc.server_certificate_pem));
    let me = Subject::Identity(router.id);
    let rc2 = en
        .extend_router(
            &me,
            &rc.client.authenticator_id,
            &rc.client.certificate_pem,
            &csr("router-1").csr_pem,
            &server.csr_pem,
        )
        .expect("extend router");
    assert_ne!(rc2.client.fingerprint, rc.client.fingerprint);
    assert_eq!(err(en.authorize_chain(&rc.client.chain_pem)).code, 1006);
    en.authorize_chain(&rc2.client.chain_pem)
        .expect("new one works");
}

#[test]
fn external_cas_ottca_auto_enrollment_and_session_certs() {
    let (e, _clock) = engine_at(T0);
    with_ca(&e, "shop");
    let ids = e.identities("shop").expect("ids");
    let en = e.enrollment("shop").expect("enrollment");
    let ext = TestCert::self_signed(&CertSpec::ca("partner", T0)).expect("ca");
    let bad_name = ExternalCaOptions::new("no spaces allowed");
    assert!(
        err(en.register_ca(&ext.pem(), bad_name))
            .message
            .contains("name")
    );
    let ca = en
        .register_ca(&ext.pem(), ExternalCaOptions::new("partner"))
        .expect("register");
    assert!(!ca.verified);
    assert_eq!(en.list_cas().expect("list"), vec![ca.clone()]);
    assert_eq!(
        err(en.register_ca(&ext.pem(), ExternalCaOptions::new("partner2"))).code,
        1003
    );
    let token = ca.verification_token.clone().expect("token");
    let leaf = |cn: &str, serial: u8| {
        let mut spec = CertSpec::leaf(cn, T0);
        spec.serial = vec![0x40, serial];
        ext.issue(&spec).expect("leaf")
    };
    assert_eq!(
        err(en.verify_ca(&ca.id, &leaf("not-the-token", 1).pem())).code,
        1006
    );
    assert!(!en.get_ca(&ca.id).expect("get").verified);
    let v = en
        .verify_ca(&ca.id, &leaf(&token, 2).pem())
        .expect("verify");
    assert!(v.verified && v.verification_token.is_none());

    // CA auto-enrollment: once per certificate.
    let dev = leaf("device-7", 3);
    let chain = format!("{}{}", dev.pem(), ext.pem());
    let auto = en.enroll_ca_auto(&chain).expect("auto");
    assert_eq!(
        ids.get(&auto.identity_id).expect("identity").name,
        "partner-device-7"
    );
    assert_eq!(
        en.authorize_chain(&chain).expect("auth").identity_id,
        auto.identity_id
    );
    assert_eq!(err(en.enroll_ca_auto(&chain)).code, 1003);

    // ottca for an existing identity.
    let carol = ids.create("carol", None).expect("identity");
    let n = en
        .create(
            &carol.id,
            EnrollmentSpec {
                method: "ottca".into(),
                ca_id: Some(ca.id.clone()),
                ..Default::default()
            },
        )
        .expect("ottca");
    let stranger = TestCert::self_signed(&CertSpec::ca("stranger", T0)).expect("ca");
    let mut spec = CertSpec::leaf("carol", T0);
    spec.serial = vec![0x41];
    let rogue = stranger.issue(&spec).expect("leaf");
    let rej = err(en.enroll_ottca(&n.jwt, &format!("{}{}", rogue.pem(), stranger.pem())));
    assert_eq!(rej.code, 1601, "{rej:?}");
    let carol_leaf = leaf("carol", 4);
    let c = en
        .enroll_ottca(&n.jwt, &format!("{}{}", carol_leaf.pem(), ext.pem()))
        .expect("enroll ottca");
    assert_eq!(c.identity_id, carol.id);

    // Session certificates follow their API session.
    ids.set_password(&carol.id, "carol", "correct horse battery")
        .expect("password");
    let s = ids
        .authenticate(
            AuthInput::Password {
                username: "carol".into(),
                password: "correct horse battery".to_owned().into(),
            },
            None,
            None,
            vec![],
        )
        .expect("login");
    let sc = en
        .create_session_cert(&s.token, &csr("carol-session").csr_pem)
        .expect("session cert");
    assert_eq!(sc.identity_id, carol.id);
    assert_eq!(
        en.list_session_certs(&s.token).expect("list"),
        vec![sc.clone()]
    );
    assert_eq!(en.get_session_cert(&s.token, &sc.id).expect("get"), sc);
    let p = en.authorize_chain(&sc.chain_pem).expect("auth");
    assert_eq!(p.session_id.as_deref(), Some(sc.session_id.as_str()));
    en.delete_session_cert(&s.token, &sc.id).expect("delete");
    assert_eq!(err(en.get_session_cert(&s.token, &sc.id)).code, 1001);
    assert_eq!(err(en.authorize_chain(&sc.chain_pem)).code, 1006);

    en.delete_ca(&ca.id).expect("delete ca");
    assert_eq!(err(en.get_ca(&ca.id)).code, 1001);
    assert_eq!(err(en.authorize_chain(&chain)).code, 1601, "CA gone");
}

#[test]
fn racing_redemptions_of_one_token_succeed_once() {
    let (e, _clock) = engine_at(T0);
    with_ca(&e, "shop");
    let ids = e.identities("shop").expect("ids");
    let en = e.enrollment("shop").expect("enrollment");
    let dave = ids.create("dave", None).expect("identity");
    let jwt = en
        .create(
            &dave.id,
            EnrollmentSpec {
                method: "ott".into(),
                ..Default::default()
            },
        )
        .expect("create")
        .jwt;
    let csrs: Vec<String> = (0..6).map(|i| csr(&format!("dave-{i}")).csr_pem).collect();
    let barrier = std::sync::Barrier::new(csrs.len());
    let results: Vec<std::result::Result<String, u32>> = std::thread::scope(|s| {
        let handles: Vec<_> = csrs
            .iter()
            .map(|c| {
                let (en, jwt, barrier) = (en.clone(), jwt.clone(), &barrier);
                s.spawn(move || {
                    barrier.wait();
                    en.enroll_ott(&jwt, c)
                        .map(|r| r.fingerprint)
                        .map_err(|e| e.code)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let won: Vec<&String> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(won.len(), 1, "{results:?}");
    assert!(
        results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|c| *c == 1650),
        "{results:?}"
    );
    let auths = ids
        .authenticators(&Subject::Identity(dave.id))
        .expect("authenticators");
    assert_eq!(auths.len(), 1);
    assert_eq!(auths[0].cert_fingerprint.as_ref(), Some(won[0]));
}

#[test]
fn verify_certificate_uses_the_tenant_cas_purpose_and_time() {
    let (e, clock) = engine_at(T0);
    let ca = with_ca(&e, "shop");
    let pki = e.pki("shop").expect("pki");
    let en = e.enrollment("shop").expect("enrollment");
    let k = csr("device");
    // Issued but enrolled by nobody: verify_certificate does not care.
    let c = pki
        .issue(
            &k.csr_pem,
            IssueProfile {
                identity_id: "id-1".into(),
                ..Default::default()
            },
        )
        .expect("issue");
    assert_eq!(err(en.authorize_chain(&c.chain_pem)).code, 1006);
    let v = en
        .verify_certificate(&c.chain_pem, None, "")
        .expect("valid");
    assert_eq!(
        (v.anchor.as_str(), v.ca_id.as_deref(), v.depth),
        ("internal", None, 1)
    );
    assert_eq!(v.fingerprint, c.fingerprint);
    assert_eq!(
        v.path_fingerprints,
        vec![c.fingerprint.clone(), ca.certificate.fingerprint]
    );
    assert_eq!(v.not_after, c.not_after);
    // Purpose: a client certificate is not a server certificate.
    let rej = err(en.verify_certificate(&c.pem, None, "server"));
    assert_eq!(rej.code, 1601);
    assert!(rej.message.contains("serverAuth"), "{rej:?}");
    en.verify_certificate(&c.pem, None, "any").expect("any");
    assert!(
        err(en.verify_certificate(&c.pem, None, "email"))
            .message
            .contains("purpose")
    );
    // Time: `at` past notAfter, then the engine clock there.
    let rej = err(en.verify_certificate(&c.pem, Some(c.not_after + 1), "client"));
    assert!(rej.message.contains("expired"), "{rej:?}");
    clock.0.store(c.not_after + 1, Ordering::SeqCst);
    assert_eq!(
        err(en.verify_certificate(&c.pem, None, "client")).code,
        1601
    );
    en.verify_certificate(&c.pem, Some(T0), "client")
        .expect("valid at T0");
    clock.0.store(T0, Ordering::SeqCst);
    // An external CA counts once verified.
    let ext = TestCert::self_signed(&CertSpec::ca("partner", T0)).expect("ca");
    let reg = en
        .register_ca(&ext.pem(), ExternalCaOptions::new("partner"))
        .expect("register");
    let dev = ext.issue(&CertSpec::leaf("device-7", T0)).expect("leaf");
    assert_eq!(err(en.verify_certificate(&dev.pem(), None, "")).code, 1601);
    let mut spec = CertSpec::leaf(reg.verification_token.as_deref().expect("token"), T0);
    spec.serial = vec![0x40, 9];
    en.verify_ca(&reg.id, &ext.issue(&spec).expect("proof").pem())
        .expect("verify_ca");
    let v = en
        .verify_certificate(&dev.pem(), None, "")
        .expect("external");
    assert_eq!(
        (v.anchor.as_str(), v.ca_id.as_deref()),
        ("external", Some(reg.id.as_str()))
    );
    // Input errors name the chain.
    assert_eq!(err(en.verify_certificate("junk", None, "")).code, 1004);
}

#[test]
fn client_verify_chain_checks_against_given_roots() {
    let (e, _clock) = engine_at(T0);
    let ca = with_ca(&e, "shop");
    let c = e
        .pki("shop")
        .expect("pki")
        .issue(
            &csr("device").csr_pem,
            IssueProfile {
                identity_id: "id-1".into(),
                ..Default::default()
            },
        )
        .expect("issue");
    let v = client::verify_chain(&ca.chain_pem, &c.pem, Some(T0), "client").expect("valid");
    assert_eq!(v.leaf.fingerprint, c.fingerprint);
    assert_eq!(v.anchor_pem, ca.certificate.pem);
    let rej = err(client::verify_chain(
        &ca.chain_pem,
        &c.pem,
        Some(T0),
        "server",
    ));
    assert_eq!((rej.code, rej.kind.as_str()), (1601, "verification_failed"));
    let rej = err(client::verify_chain(
        &ca.chain_pem,
        &c.pem,
        Some(c.not_after + 1),
        "",
    ));
    assert!(rej.message.contains("expired"), "{rej:?}");
    let other = with_ca(&e, "other");
    let rej = err(client::verify_chain(&other.chain_pem, &c.pem, Some(T0), ""));
    assert!(rej.message.contains("issuer"), "{rej:?}");
    let bad = err(client::verify_chain("nope", &c.pem, Some(T0), ""));
    assert_eq!(bad.code, 1004);
    assert!(bad.message.contains("roots_pem"), "{bad:?}");
    assert_eq!(
        err(client::verify_chain(&ca.chain_pem, "nope", Some(T0), "")).code,
        1004
    );
}

#[test]
fn pki_renew_keeps_the_subject_and_rolls_the_key_on_request() {
    let (e, clock) = engine_at(T0);
    with_ca(&e, "shop");
    let pki = e.pki("shop").expect("pki");
    let k = csr("device");
    let profile = || IssueProfile {
        identity_id: "id-1".into(),
        ..Default::default()
    };
    let c = pki.issue(&k.csr_pem, profile()).expect("issue");
    clock.0.store(T0 + 3600, Ordering::SeqCst);
    let same = pki.renew(&c.chain_pem, None, profile()).expect("renew");
    assert_ne!(same.serial_hex, c.serial_hex);
    assert!(same.not_before > c.not_before && same.not_after > c.not_after);
    let a = credcycle::pki::CertInfo::from_pem(&c.pem).expect("a");
    let b = credcycle::pki::CertInfo::from_pem(&same.pem).expect("b");
    assert_eq!((a.subject, a.spki_der.clone()), (b.subject, b.spki_der));
    let k2 = csr("device");
    let rolled = pki
        .renew(&c.pem, Some(&k2.csr_pem), profile())
        .expect("key roll");
    let r = credcycle::pki::CertInfo::from_pem(&rolled.pem).expect("r");
    assert_ne!(r.spki_der, a.spki_der);
    // Not ours, not a certificate, not a CSR: named.
    with_ca(&e, "other");
    let foreign = e
        .pki("other")
        .expect("pki")
        .issue(&k.csr_pem, profile())
        .expect("issue");
    let m = err(pki.renew(&foreign.pem, None, profile())).message;
    assert!(m.contains("current_certificate"), "{m}");
    let m = err(pki.renew("junk", None, profile())).message;
    assert!(m.contains("current_certificate"), "{m}");
    assert!(
        err(pki.renew(&c.pem, Some("junk"), profile()))
            .message
            .contains("csr")
    );
}

#[test]
fn client_reads_and_verifies_enrollment_jwts() {
    let (e, _clock) = engine_at(T0);
    let ids = e.identities("shop").expect("ids");
    let en = e.enrollment("shop").expect("enrollment");
    let alice = ids.create("alice", None).expect("identity");
    let n = en
        .create(
            &alice.id,
            EnrollmentSpec {
                method: "ott".into(),
                ..Default::default()
            },
        )
        .expect("create");
    let c = client::parse_enrollment_jwt(&n.jwt).expect("parse");
    assert_eq!(c.method, "ott");
    assert_eq!(c.sub, alice.id);
    assert_eq!(c.iss, "credcycle");
    assert_eq!(c.iat, Some(T0));
    assert_eq!(c.kid, en.current_kid().expect("kid"));
    assert!(c.jti.starts_with("ccen_"));
    assert!(!format!("{c:?}").contains("ccen_"), "Debug hides the token");
    let jwks = en.jwks().expect("jwks");
    let v = client::verify_enrollment_jwt(&n.jwt, &jwks, "credcycle", Some(T0)).expect("verify");
    assert_eq!(v, c);
    assert_eq!(
        err(client::verify_enrollment_jwt(
            &n.jwt,
            &jwks,
            "other",
            Some(T0)
        ))
        .code,
        1006
    );
    let exp = err(client::verify_enrollment_jwt(
        &n.jwt,
        &jwks,
        "credcycle",
        Some(c.exp),
    ));
    assert_eq!(exp.code, 1007, "{exp:?}");
    // Another engine's JWKS does not verify it (the enrollment key is the
    // engine's, shared by its tenants).
    let (e2, _clock2) = engine_at(T0);
    let other = e2
        .enrollment("shop")
        .expect("enrollment")
        .jwks()
        .expect("jwks");
    assert_eq!(
        err(client::verify_enrollment_jwt(
            &n.jwt,
            &other,
            "credcycle",
            Some(T0)
        ))
        .code,
        1006
    );
    let bad = err(client::parse_enrollment_jwt("not.a.jwt"));
    assert_eq!(bad.code, 1004);
    assert!(bad.message.contains("token"), "{bad:?}");
    assert_eq!(
        err(client::verify_enrollment_jwt(
            &n.jwt,
            "{",
            "credcycle",
            None
        ))
        .code,
        1004
    );
}
