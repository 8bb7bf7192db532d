//! Tests of the targets domain: every limit, update semantics, grace
//! rotation, each payload type end to end, encryption keys, the Standard
//! Webhooks vectors, malformed headers, and the replay guard under races.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::{Arc, Barrier};
use std::time::Duration;

use serde_json::Value;

use super::record;
use super::webhook::{self, Reject};
use super::*;
use crate::error::{Error, ErrorCode, ErrorKind};
use crate::jose::{DecryptionKey, JweOptions, Validation};
use crate::kms::LocalKeyManager;
use crate::policy::Policy;
use crate::store::{MemoryStore, Record, Store, Table};
use crate::testing::{FakeClock, SeededRng};
use crate::{Engine, SecretBytes};

const T0: i64 = 1_700_000_000;
const HOOK: &str = "https://hooks.example.com/zitadel?x=1";

struct Fx {
    engine: Engine,
    clock: Arc<FakeClock>,
    store: Arc<MemoryStore>,
}

fn fixture() -> Fx {
    let store = Arc::new(MemoryStore::new());
    let clock = Arc::new(FakeClock::new(T0));
    let rng = Arc::new(SeededRng::new(11));
    let keys = Arc::new(
        LocalKeyManager::new(store.clone(), rng.clone(), SecretBytes::new(vec![5u8; 32])).unwrap(),
    );
    let engine = Engine::builder()
        .store(store.clone())
        .key_manager(keys)
        .clock(clock.clone())
        .rng(rng)
        .policy(Policy::default())
        .build()
        .unwrap();
    Fx {
        engine,
        clock,
        store,
    }
}

impl Fx {
    fn t(&self) -> Targets {
        self.engine.targets("t1").unwrap()
    }
    fn now(&self) -> UnixTime {
        crate::Clock::now(self.clock.as_ref())
    }
}

fn snapshot(store: &dyn Store) -> Vec<(Table, Vec<u8>, Record)> {
    let mut out = Vec::new();
    for &t in Table::ALL {
        for (k, r) in store.scan(t, b"", None, u32::MAX).unwrap() {
            out.push((t, k, r));
        }
    }
    out
}

fn field_of(e: &Error) -> &'static str {
    match e {
        Error::InvalidInput(i) => i.field,
        other => panic!("not invalid input: {other:?}"),
    }
}

fn key_of(s: &SigningSecret) -> Vec<u8> {
    s.expose().to_vec()
}

// ---- lifecycle and limits -------------------------------------------------

#[test]
fn create_get_list_delete() {
    let fx = fixture();
    let t = fx.t();
    let c = t.create(CreateTarget::new("orders hook", HOOK)).unwrap();
    assert_eq!(c.target.name, "orders hook");
    assert_eq!(c.target.signing_keys.len(), 1);
    assert_eq!(c.target.scheme, SignatureScheme::Zitadel);
    assert_eq!(c.target.signature_header, "ZITADEL-Signature");
    assert!(c.signing_key.reveal().starts_with("whsec_"));
    assert_eq!(c.signing_key.expose().len(), 32);
    assert_eq!(format!("{:?}", c.signing_key), "SigningSecret(<redacted>)");
    assert!(!format!("{c:?}").contains(&c.signing_key.reveal()[6..]));
    assert_eq!(t.get(&c.target.id).unwrap(), c.target);
    let c2 = t
        .create(CreateTarget::new("b", "http://10.0.0.1:8080/x"))
        .unwrap();
    assert_eq!(t.list().unwrap().len(), 2);
    // Another tenant sees nothing.
    let other = fx.engine.targets("t2").unwrap();
    assert_eq!(
        other.get(&c.target.id).unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert!(other.list().unwrap().is_empty());
    t.delete(&c2.target.id).unwrap();
    assert_eq!(
        t.get(&c2.target.id).unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        t.delete(&c2.target.id).unwrap_err().code(),
        ErrorCode::NotFound
    );
    let trail = fx
        .engine
        .audit("t1")
        .unwrap()
        .events(&format!("target:{}", c2.target.id))
        .unwrap();
    assert!(trail.chain_valid);
    assert_eq!(
        trail
            .events
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        ["target.create", "target.delete"]
    );
    // The key is envelope-encrypted: its bytes are nowhere in the store.
    let key = c.signing_key.expose().to_vec();
    for (_, _, r) in snapshot(fx.store.as_ref()) {
        assert!(!r.value.windows(key.len()).any(|w| w == key.as_slice()));
    }
}

#[test]
fn every_limit_is_enforced_and_named() {
    let fx = fixture();
    let t = fx.t();
    let ok = |name: &str, endpoint: &str| CreateTarget::new(name, endpoint);
    let long = "x".repeat(MAX_NAME_CHARS);
    t.create(ok(&long, HOOK)).unwrap();
    t.create(ok(&"é".repeat(MAX_NAME_CHARS), HOOK)).unwrap();
    let url_2048 = format!("https://a.example/{}", "p".repeat(2048 - 18));
    assert_eq!(url_2048.chars().count(), 2048);
    t.create(ok("n", &url_2048)).unwrap();
    let mut timeout_max = ok("n", HOOK);
    timeout_max.timeout = Duration::from_secs(270);
    t.create(timeout_max).unwrap();

    let before = snapshot(fx.store.as_ref());
    let mut cases: Vec<(CreateTarget, &str, &str)> = vec![
        (ok("", HOOK), "name", "1..=1000"),
        (ok(&format!("{long}x"), HOOK), "name", "got 1001"),
        (ok("a\nb", HOOK), "name", "control"),
        (ok("n", ""), "endpoint", "1..=2048"),
        (ok("n", &format!("{url_2048}p")), "endpoint", "got 2049"),
        (ok("n", "ftp://a.example/"), "endpoint", "http"),
        (ok("n", "/relative/path"), "endpoint", "http"),
        (ok("n", "https://"), "endpoint", "host"),
        (ok("n", "https://a b.example/"), "endpoint", "whitespace"),
        (ok("n", "https://a.example:99999/"), "endpoint", "port"),
        (ok("n", "https://a.example:x/"), "endpoint", "port"),
        (ok("n", "https://a.example/#frag"), "endpoint", "fragment"),
        (ok("n", "https://[::1/"), "endpoint", "IPv6"),
    ];
    for (d, why) in [
        (Duration::ZERO, "> 0"),
        (Duration::from_millis(270_001), "270s"),
        (Duration::from_nanos(1_500_000), "milliseconds"),
    ] {
        let mut c = ok("n", HOOK);
        c.timeout = d;
        cases.push((c, "timeout", why));
    }
    let mut c = ok("n", HOOK);
    c.signature_header = Some("Bad Header".into());
    cases.push((c, "signature_header", "header"));
    for (req, field, needle) in cases {
        let e = t.create(req).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(field_of(&e), field, "{e}");
        assert!(e.to_string().contains(needle), "{e}");
    }
    assert_eq!(
        snapshot(fx.store.as_ref()),
        before,
        "failed creates wrote nothing"
    );
    // IPv6 and ports that are fine.
    t.create(ok("n", "https://[::1]:8443/h")).unwrap();
    t.create(ok("n", "HTTPS://user@host.example:443")).unwrap();
}

#[test]
fn update_changes_only_given_fields_and_returns_a_key_only_when_asked() {
    let fx = fixture();
    let t = fx.t();
    let c = t.create(CreateTarget::new("a", HOOK)).unwrap();
    let id = c.target.id.clone();
    fx.clock.advance(5);
    let r = t
        .update(
            &id,
            UpdateTarget {
                name: Some("b".into()),
                timeout: Some(Duration::from_secs(30)),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(r.signing_key.is_none());
    assert_eq!(r.change_date, UnixTime(T0 + 5));
    let got = t.get(&id).unwrap();
    assert_eq!(
        (got.name.as_str(), got.timeout, got.endpoint.as_str()),
        ("b", Duration::from_secs(30), HOOK)
    );
    assert_eq!(got.signing_keys.len(), 1);
    let r = t
        .update(
            &id,
            UpdateTarget {
                endpoint: Some("https://new.example/h".into()),
                payload_type: Some(PayloadType::Jwt),
                target_type: Some(TargetType::RestCall {
                    interrupt_on_error: true,
                }),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(r.signing_key.is_none());
    let got = t.get(&id).unwrap();
    assert_eq!(got.payload_type, PayloadType::Jwt);
    assert_eq!(
        got.target_type,
        TargetType::RestCall {
            interrupt_on_error: true
        }
    );
    assert!(got.target_type.interrupt_on_error());
    let r = t
        .update(
            &id,
            UpdateTarget {
                expiration_signing_key: Some(Duration::ZERO),
                ..Default::default()
            },
        )
        .unwrap();
    let new_key = r.signing_key.unwrap();
    assert_ne!(key_of(&new_key), key_of(&c.signing_key));
    assert_eq!(t.get(&id).unwrap().signing_keys.len(), 1);
    assert_eq!(t.get(&id).unwrap().signing_keys[0].number, 2);
}

#[test]
fn failed_updates_change_nothing() {
    let fx = fixture();
    let t = fx.t();
    let id = t.create(CreateTarget::new("a", HOOK)).unwrap().target.id;
    let before = snapshot(fx.store.as_ref());
    let max = Policy::default().max_signing_key_grace_secs as u64;
    let cases: Vec<(UpdateTarget, &str)> = vec![
        (UpdateTarget::default(), "update"),
        (
            UpdateTarget {
                name: Some(String::new()),
                ..Default::default()
            },
            "name",
        ),
        (
            UpdateTarget {
                name: Some("ok".into()),
                endpoint: Some("mailto:x".into()),
                ..Default::default()
            },
            "endpoint",
        ),
        (
            UpdateTarget {
                name: Some("ok".into()),
                timeout: Some(Duration::from_secs(271)),
                ..Default::default()
            },
            "timeout",
        ),
        (
            UpdateTarget {
                name: Some("ok".into()),
                expiration_signing_key: Some(Duration::from_secs(max + 1)),
                ..Default::default()
            },
            "expiration_signing_key",
        ),
    ];
    for (req, field) in cases {
        let e = t.update(&id, req).unwrap_err();
        assert_eq!(field_of(&e), field, "{e}");
    }
    let e = t
        .update(
            "00000000-0000-4000-8000-000000000000",
            UpdateTarget {
                name: Some("x".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert_eq!(
        t.update(
            "../../t2/target/x",
            UpdateTarget {
                name: Some("x".into()),
                ..Default::default()
            }
        )
        .unwrap_err()
        .code(),
        ErrorCode::NotFound
    );
    assert_eq!(snapshot(fx.store.as_ref()), before);
    // The maximum itself is accepted.
    t.update(
        &id,
        UpdateTarget {
            expiration_signing_key: Some(Duration::from_secs(max)),
            ..Default::default()
        },
    )
    .unwrap();
}

/// `interrupt_on_error`: as `target_type` carries it (default), kept across
/// a type change, or set alone; refused by name for `RestAsync`, changing
/// nothing.
#[test]
fn interrupt_on_error_updates_are_explicit() {
    let fx = fixture();
    let t = fx.t();
    let mut req = CreateTarget::new("a", HOOK);
    req.target_type = TargetType::RestWebhook {
        interrupt_on_error: true,
    };
    let id = t.create(req).unwrap().target.id;
    let ty = |t: &Targets| t.get(&id).unwrap().target_type;
    let upd = |target_type, interrupt_on_error| UpdateTarget {
        target_type,
        interrupt_on_error,
        ..Default::default()
    };
    let call = |b| TargetType::RestCall {
        interrupt_on_error: b,
    };
    // Keep: the flag survives a type change whatever target_type carries.
    t.update(&id, upd(Some(call(false)), InterruptUpdate::Keep))
        .unwrap();
    assert_eq!(ty(&t), call(true));
    // Set alone: changes the current type's flag only.
    t.update(&id, upd(None, InterruptUpdate::Set(false)))
        .unwrap();
    assert_eq!(ty(&t), call(false));
    // Set overrides the flag inside target_type.
    t.update(
        &id,
        upd(
            Some(TargetType::RestWebhook {
                interrupt_on_error: false,
            }),
            InterruptUpdate::Set(true),
        ),
    )
    .unwrap();
    assert_eq!(
        ty(&t),
        TargetType::RestWebhook {
            interrupt_on_error: true
        }
    );
    // FromType (default): the type's own flag.
    t.update(&id, upd(Some(call(false)), InterruptUpdate::FromType))
        .unwrap();
    assert_eq!(ty(&t), call(false));
    // Keep alone changes nothing, so it is refused like an empty update.
    let before = snapshot(fx.store.as_ref());
    assert_eq!(
        field_of(&t.update(&id, upd(None, InterruptUpdate::Keep)).unwrap_err()),
        "update"
    );
    // RestAsync has no flag: setting it is refused by name, in both forms.
    for b in [true, false] {
        let e = t
            .update(
                &id,
                upd(Some(TargetType::RestAsync), InterruptUpdate::Set(b)),
            )
            .unwrap_err();
        assert_eq!(field_of(&e), "interrupt_on_error", "{e}");
    }
    assert_eq!(snapshot(fx.store.as_ref()), before);
    t.update(&id, upd(Some(TargetType::RestAsync), InterruptUpdate::Keep))
        .unwrap();
    assert_eq!(ty(&t), TargetType::RestAsync);
    let before = snapshot(fx.store.as_ref());
    let e = t
        .update(&id, upd(None, InterruptUpdate::Set(true)))
        .unwrap_err();
    assert_eq!(field_of(&e), "interrupt_on_error", "{e}");
    assert_eq!(snapshot(fx.store.as_ref()), before);
    // From RestAsync, Keep means false (there was none to keep).
    t.update(&id, upd(Some(call(true)), InterruptUpdate::Keep))
        .unwrap();
    assert_eq!(ty(&t), call(false));
}

/// `CreateTarget::encryption_key` is added as the active key in the
/// creation commit; a key that does not parse or fit leaves no target.
#[test]
fn create_with_an_encryption_key_is_one_commit() {
    use josekit::jwk::alg::ec::{EcCurve, EcKeyPair};
    use josekit::jwk::alg::rsa::RsaKeyPair;
    let fx = fixture();
    let t = fx.t();
    let pem = |b: Vec<u8>| String::from_utf8(b).unwrap();
    let before = snapshot(fx.store.as_ref());
    for bad in [
        "not a pem".to_owned(),
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".to_owned(),
        pem(RsaKeyPair::generate(1024).unwrap().to_pem_public_key()),
        pem(EcKeyPair::generate(EcCurve::P521)
            .unwrap()
            .to_pem_public_key()),
    ] {
        let mut req = CreateTarget::new("enc", HOOK);
        req.payload_type = PayloadType::Jwe;
        req.encryption_key = Some(bad);
        let e = t.create(req).unwrap_err();
        assert_eq!(field_of(&e), "public_key", "{e}");
    }
    assert_eq!(snapshot(fx.store.as_ref()), before, "no target, no event");
    assert!(t.list().unwrap().is_empty());

    let pair = EcKeyPair::generate(EcCurve::P256).unwrap();
    let mut req = CreateTarget::new("enc", HOOK);
    req.payload_type = PayloadType::Jwe;
    req.encryption_key = Some(pem(pair.to_pem_public_key()));
    let c = t.create(req).unwrap();
    assert_eq!(c.target.encryption_keys.len(), 1);
    let k = &c.target.encryption_keys[0];
    assert!(k.active && k.fingerprint.starts_with("SHA256:"));
    assert_eq!(k.algorithm, "ECDH-ES+A256KW");
    assert_eq!(t.get(&c.target.id).unwrap(), c.target);
    // It signs a JWE body at once, which the receiver decrypts.
    let req = t.sign(&c.target.id, br#"{"a":1}"#, fx.now()).unwrap();
    assert_eq!(req.header("content-type"), Some("application/jose"));
    let dk = DecryptionKey::from_pem(&pem(pair.to_pem_private_key()));
    let jwks = fx.engine.jose().jwks().unwrap();
    let v = Validation {
        audience: Some(HOOK.to_owned()),
        issuer: Some(fx.engine.policy().jwt_issuer.clone()),
        ..Validation::default()
    };
    let jwt =
        decrypt_jwe_body(&req.body, &dk, &JweOptions::default(), &jwks, &v, fx.now()).unwrap();
    assert_eq!(jwt.claims["a"], 1);
}

#[test]
fn live_signing_keys_are_capped() {
    let fx = fixture();
    let t = fx.t();
    let id = t.create(CreateTarget::new("a", HOOK)).unwrap().target.id;
    let grace = UpdateTarget {
        expiration_signing_key: Some(Duration::from_secs(3600)),
        ..Default::default()
    };
    for _ in 1..MAX_SIGNING_KEYS {
        t.update(&id, grace.clone()).unwrap();
    }
    assert_eq!(t.get(&id).unwrap().signing_keys.len(), MAX_SIGNING_KEYS);
    let before = snapshot(fx.store.as_ref());
    assert_eq!(
        field_of(&t.update(&id, grace).unwrap_err()),
        "expiration_signing_key"
    );
    assert_eq!(snapshot(fx.store.as_ref()), before);
    // 0s always works, and expired keys are pruned.
    t.update(
        &id,
        UpdateTarget {
            expiration_signing_key: Some(Duration::ZERO),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(t.get(&id).unwrap().signing_keys.len(), 1);
}

// ---- grace rotation ---------------------------------------------------------

fn zitadel_values(req: &SignedRequest) -> usize {
    req.header("ZITADEL-Signature")
        .unwrap()
        .matches("v1=")
        .count()
}

fn verify_z(req: &SignedRequest, key: &[u8], now: UnixTime) -> bool {
    webhook::verify_zitadel(
        req.header("ZITADEL-Signature").unwrap(),
        &req.body,
        &[key],
        300,
        now,
        None,
    )
    .is_ok()
}

fn verify_s(req: &SignedRequest, key: &[u8], now: UnixTime) -> bool {
    let headers: Vec<(&str, &str)> = req
        .headers
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    webhook::verify_standard(&headers, &req.body, &[key], 300, now, None).is_ok()
}

#[test]
fn grace_rotation_signs_with_both_keys_until_the_old_one_expires() {
    for scheme in [SignatureScheme::Zitadel, SignatureScheme::StandardWebhooks] {
        let fx = fixture();
        let t = fx.t();
        let mut req = CreateTarget::new("a", HOOK);
        req.scheme = scheme;
        let c = t.create(req).unwrap();
        let id = c.target.id.clone();
        let old = key_of(&c.signing_key);
        let verify = |r: &SignedRequest, k: &[u8], now| match scheme {
            SignatureScheme::Zitadel => verify_z(r, k, now),
            SignatureScheme::StandardWebhooks => verify_s(r, k, now),
        };
        let count = |r: &SignedRequest| match scheme {
            SignatureScheme::Zitadel => zitadel_values(r),
            SignatureScheme::StandardWebhooks => r
                .header("webhook-signature")
                .unwrap()
                .matches("v1,")
                .count(),
        };
        let r = t
            .update(
                &id,
                UpdateTarget {
                    expiration_signing_key: Some(Duration::from_secs(3600)),
                    ..Default::default()
                },
            )
            .unwrap();
        let new = key_of(&r.signing_key.unwrap());
        let keys = t.get(&id).unwrap().signing_keys;
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0].expire_time, Some(UnixTime(T0 + 3600)));
        assert_eq!(keys[1].expire_time, None);
        // During the window: two values, either key alone verifies.
        for at in [T0, T0 + 3599] {
            let now = UnixTime(at);
            let s = t.sign(&id, br#"{"event":"x"}"#, now).unwrap();
            assert_eq!(count(&s), 2, "{scheme:?} at {at}");
            assert!(verify(&s, &old, now) && verify(&s, &new, now));
            assert!(!verify(&s, &[0u8; 32], now));
        }
        // After it: only the new key.
        let now = UnixTime(T0 + 3600);
        let s = t.sign(&id, br#"{"event":"x"}"#, now).unwrap();
        assert_eq!(count(&s), 1);
        assert!(verify(&s, &new, now) && !verify(&s, &old, now));
        fx.clock.set(T0 + 3600);
        assert_eq!(
            t.get(&id).unwrap().signing_keys.len(),
            1,
            "expired keys are not listed"
        );
        // 0s: only the newest key at once.
        let r = t
            .update(
                &id,
                UpdateTarget {
                    expiration_signing_key: Some(Duration::ZERO),
                    ..Default::default()
                },
            )
            .unwrap();
        let newest = key_of(&r.signing_key.unwrap());
        let s = t.sign(&id, b"{}", now).unwrap();
        assert_eq!(count(&s), 1);
        assert!(verify(&s, &newest, now) && !verify(&s, &new, now));
    }
}

#[test]
fn a_second_grace_rotation_never_extends_an_earlier_expiry() {
    let fx = fixture();
    let t = fx.t();
    let id = t.create(CreateTarget::new("a", HOOK)).unwrap().target.id;
    let g = |s| UpdateTarget {
        expiration_signing_key: Some(Duration::from_secs(s)),
        ..Default::default()
    };
    t.update(&id, g(100)).unwrap();
    t.update(&id, g(1000)).unwrap();
    let keys = t.get(&id).unwrap().signing_keys;
    assert_eq!(
        keys.iter().map(|k| k.expire_time).collect::<Vec<_>>(),
        [Some(UnixTime(T0 + 100)), Some(UnixTime(T0 + 1000)), None]
    );
}

// ---- payload types ------------------------------------------------------------

#[test]
fn json_jwt_and_jwe_bodies_sign_and_verify_end_to_end() {
    use josekit::jwk::alg::ec::{EcCurve, EcKeyPair};
    use josekit::jwk::alg::rsa::RsaKeyPair;
    let fx = fixture();
    let t = fx.t();
    let c = t.create(CreateTarget::new("a", HOOK)).unwrap();
    let id = c.target.id.clone();
    let key = key_of(&c.signing_key);
    let now = fx.now();
    let payload = br#"{"event":"user.created","iat":1}"#;

    let s = t.sign(&id, payload, now).unwrap();
    assert_eq!(s.body, payload);
    assert_eq!(s.header("content-type"), Some("application/json"));
    assert!(verify_z(&s, &key, now));
    let hv = s.header("ZITADEL-Signature").unwrap();
    assert!(hv.starts_with(&format!("t={},v1=", now.secs())), "{hv}");

    // JWT.
    t.update(
        &id,
        UpdateTarget {
            payload_type: Some(PayloadType::Jwt),
            ..Default::default()
        },
    )
    .unwrap();
    let s = t.sign(&id, payload, now).unwrap();
    assert!(verify_z(&s, &key, now), "header covers the JWS body");
    let jwks = fx.engine.jose().jwks().unwrap();
    let v = Validation {
        audience: Some(HOOK.into()),
        issuer: Some("credcycle".into()),
        typ: Some("JWT".into()),
        ..Validation::default()
    };
    let jwt = verify_jwt_body(&s.body, &jwks, &v, now).unwrap();
    assert_eq!(jwt.claims["event"], "user.created");
    assert_eq!(
        jwt.claims["iat"],
        now.secs(),
        "registered claims are the engine's"
    );
    assert_eq!(jwt.claims["exp"], now.secs() + 300);
    assert_eq!(jwt.jws.alg, crate::jose::JwsAlgorithm::Es256);
    assert!(
        verify_jwt_body(&s.body, &jwks, &v, now.plus(400)).is_err(),
        "expired"
    );
    assert_eq!(
        field_of(&t.sign(&id, b"[1,2]", now).unwrap_err()),
        "payload"
    );
    assert_eq!(
        field_of(&t.sign(&id, b"not json", now).unwrap_err()),
        "payload"
    );

    // JWE: refused until a key is active, then to RSA and EC keys.
    t.update(
        &id,
        UpdateTarget {
            payload_type: Some(PayloadType::Jwe),
            ..Default::default()
        },
    )
    .unwrap();
    let e = t.sign(&id, payload, now).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidState);
    assert!(
        e.to_string().contains("WITHOUT_ACTIVE_ENCRYPTION_KEY"),
        "{e}"
    );
    let rsa = RsaKeyPair::generate(2048).unwrap();
    let ec = EcKeyPair::generate(EcCurve::P384).unwrap();
    let rsa_info = t
        .add_encryption_key(
            &id,
            std::str::from_utf8(&rsa.to_pem_public_key()).unwrap(),
            None,
        )
        .unwrap();
    let ec_info = t
        .add_encryption_key(
            &id,
            std::str::from_utf8(&ec.to_pem_public_key()).unwrap(),
            None,
        )
        .unwrap();
    assert!(rsa_info.active && !ec_info.active);
    for (info, private) in [
        (&rsa_info, rsa.to_pem_private_key()),
        (&ec_info, ec.to_pem_private_key()),
    ] {
        t.activate_encryption_key(&id, &info.fingerprint).unwrap();
        let s = t.sign(&id, payload, now).unwrap();
        assert!(verify_z(&s, &key, now), "header covers the JWE body");
        assert_eq!(s.header("content-type"), Some("application/jose"));
        let header = crate::jose::jws::peek_header(
            &String::from_utf8(s.body.clone())
                .unwrap()
                .split('.')
                .next()
                .map(|h| format!("{h}.e30."))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(header["alg"], info.algorithm);
        assert_eq!(header["enc"], "A256GCM");
        assert_eq!(header["cty"], "JWT");
        assert_eq!(header["kid"], info.fingerprint.as_str());
        let dk = DecryptionKey::from_pem(std::str::from_utf8(&private).unwrap());
        let jwt = decrypt_jwe_body(&s.body, &dk, &JweOptions::default(), &jwks, &v, now).unwrap();
        assert_eq!(jwt.claims["event"], "user.created");
    }
}

// ---- encryption keys -----------------------------------------------------------

#[test]
fn encryption_keys_add_list_activate_remove() {
    use josekit::jwk::alg::ec::{EcCurve, EcKeyPair};
    use josekit::jwk::alg::ed::{EdCurve, EdKeyPair};
    use josekit::jwk::alg::rsa::RsaKeyPair;
    let fx = fixture();
    let t = fx.t();
    let id = t.create(CreateTarget::new("a", HOOK)).unwrap().target.id;
    let pem = |b: Vec<u8>| String::from_utf8(b).unwrap();
    let p256 = pem(EcKeyPair::generate(EcCurve::P256)
        .unwrap()
        .to_pem_public_key());
    let p521 = pem(EcKeyPair::generate(EcCurve::P521)
        .unwrap()
        .to_pem_public_key());
    let rsa1024 = pem(RsaKeyPair::generate(1024).unwrap().to_pem_public_key());
    let ed = pem(EdKeyPair::generate(EdCurve::Ed25519)
        .unwrap()
        .to_pem_public_key());
    let before = snapshot(fx.store.as_ref());
    for bad in [
        &rsa1024,
        &p521,
        &ed,
        &"junk".to_owned(),
        &p256.replace("PUBLIC KEY", "CERTIFICATE"),
    ] {
        assert_eq!(
            field_of(&t.add_encryption_key(&id, bad, None).unwrap_err()),
            "public_key"
        );
    }
    assert_eq!(
        field_of(
            &t.add_encryption_key(&id, &p256, Some(fx.now()))
                .unwrap_err()
        ),
        "expire_time"
    );
    assert_eq!(snapshot(fx.store.as_ref()), before);

    let a = t
        .add_encryption_key(&id, &p256, Some(fx.now().plus(100)))
        .unwrap();
    assert!(a.fingerprint.starts_with("SHA256:") && a.fingerprint.len() == 50);
    assert_eq!(
        (a.kind.as_str(), a.algorithm, a.active),
        ("EC-P256", "ECDH-ES+A256KW", true)
    );
    assert_eq!(
        t.add_encryption_key(&id, &p256, None).unwrap_err().code(),
        ErrorCode::AlreadyExists
    );
    let rsa = pem(RsaKeyPair::generate(2048).unwrap().to_pem_public_key());
    let b = t.add_encryption_key(&id, &rsa, None).unwrap();
    assert_eq!(
        (b.kind.as_str(), b.algorithm, b.active),
        ("RSA-2048", "RSA-OAEP-256", false)
    );
    let list = t.list_encryption_keys(&id).unwrap();
    assert_eq!(list.iter().filter(|k| k.active).count(), 1);

    // The active key cannot be removed; others can; at most one active.
    let e = t.remove_encryption_key(&id, &a.fingerprint).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidState);
    assert!(e.to_string().contains("ACTIVE"));
    t.activate_encryption_key(&id, &b.fingerprint).unwrap();
    let list = t.list_encryption_keys(&id).unwrap();
    assert_eq!(
        list.iter()
            .filter(|k| k.active)
            .map(|k| k.fingerprint.clone())
            .collect::<Vec<_>>(),
        [b.fingerprint]
    );
    t.remove_encryption_key(&id, &a.fingerprint).unwrap();
    assert_eq!(
        t.remove_encryption_key(&id, &a.fingerprint)
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        t.activate_encryption_key(&id, "SHA256:nope")
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );

    // An expired key cannot be activated.
    let c = t
        .add_encryption_key(&id, &p256, Some(fx.now().plus(10)))
        .unwrap();
    fx.clock.advance(10);
    let e = t.activate_encryption_key(&id, &c.fingerprint).unwrap_err();
    assert!(e.to_string().contains("EXPIRED"), "{e}");
}

// ---- Standard Webhooks vectors -------------------------------------------------

const STANDARD_WEBHOOKS: &str = include_str!("../../../tests/data/webhooks/standard_webhooks.json");

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Every case of `webhooks/standard_webhooks.json`: 2 sign vectors
/// byte-exact, 18 verify cases, 6 secret-parsing cases, 3 sign errors.
#[test]
fn standard_webhooks_vectors() {
    let doc: Value = serde_json::from_str(STANDARD_WEBHOOKS).unwrap();
    let tolerance = doc["tolerance_seconds"].as_i64().unwrap();
    assert_eq!(tolerance, webhook::DEFAULT_TOLERANCE_SECS);
    let mut n = 0;
    for v in doc["sign_vectors"].as_array().unwrap() {
        let key = webhook::parse_secret(v["secret"].as_str().unwrap()).unwrap();
        assert_eq!(key.expose(), unhex(v["secret_key_hex"].as_str().unwrap()));
        let sig = webhook::sign_standard(
            &[key.expose()],
            v["msg_id"].as_str().unwrap(),
            v["timestamp"].as_i64().unwrap(),
            v["payload"].as_str().unwrap().as_bytes(),
        )
        .unwrap();
        assert_eq!(sig, v["signature"].as_str().unwrap(), "{}", v["id"]);
        n += 1;
    }
    assert_eq!(n, 2);
    n = 0;
    for c in doc["verify_cases"].as_array().unwrap() {
        let key = webhook::parse_secret(c["secret"].as_str().unwrap()).unwrap();
        let headers: Vec<(&str, &str)> = c["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
            .collect();
        let now = UnixTime(c["now"].as_i64().unwrap());
        let body = c["payload"].as_str().unwrap().as_bytes();
        let got = webhook::verify_standard_inner(&headers, body, &[key.expose()], tolerance, now);
        let want = match c["expect"].as_str().unwrap() {
            "accept" => None,
            "reject:timestamp_too_old" => Some(Reject::TooOld),
            "reject:timestamp_too_new" => Some(Reject::TooNew),
            "reject:missing_header" => Some(Reject::MissingHeader),
            "reject:invalid_timestamp" => Some(Reject::InvalidTimestamp),
            "reject:no_matching_signature" => Some(Reject::NoMatch),
            other => panic!("{other}"),
        };
        assert_eq!(got.as_ref().err().copied(), want, "{}", c["id"]);
        // The public function gives the matching error family.
        let public =
            webhook::verify_standard(&headers, body, &[key.expose()], tolerance, now, None);
        match want {
            None => assert!(public.is_ok()),
            Some(Reject::TooOld | Reject::TooNew) => {
                assert_eq!(public.unwrap_err().code(), ErrorCode::WebhookTimestamp)
            }
            Some(Reject::NoMatch) => {
                assert_eq!(public.unwrap_err().code(), ErrorCode::VerificationFailed)
            }
            Some(_) => assert_eq!(public.unwrap_err().code(), ErrorCode::InvalidInput),
        }
        n += 1;
    }
    assert_eq!(n, 18);
    n = 0;
    for c in doc["secret_parsing_cases"].as_array().unwrap() {
        let got = webhook::parse_secret(c["secret"].as_str().unwrap());
        if c.get("expect").is_some() {
            assert_eq!(field_of(&got.unwrap_err()), "secret");
        } else if let Some(hex) = c.get("expect_key_hex") {
            assert_eq!(got.unwrap().expose(), unhex(hex.as_str().unwrap()));
        } else {
            assert_eq!(
                got.unwrap().len() as u64,
                c["expect_key_len"].as_u64().unwrap()
            );
        }
        n += 1;
    }
    assert_eq!(n, 6);
    n = 0;
    for c in doc["sign_error_cases"].as_array().unwrap() {
        let ts = c["timestamp"].as_str().unwrap();
        let e = webhook::parse_timestamp(ts)
            .and_then(|t| webhook::sign_standard(&[b"k"], "msg_1", t, b"{}"))
            .unwrap_err();
        assert_eq!(field_of(&e), "timestamp", "{ts}");
        n += 1;
    }
    assert_eq!(n, 3);
    assert_eq!(
        field_of(&webhook::sign_standard(&[b"k"], "msg_1", -1, b"").unwrap_err()),
        "timestamp"
    );
    assert_eq!(
        field_of(&webhook::sign_standard(&[b"k"], "a.b", 1, b"").unwrap_err()),
        "msg_id"
    );
    // The spec's example header parses cleanly (its secret is not published).
    let ex = &doc["spec"]["spec_example_headers_unverifiable"];
    let headers = [
        ("webhook-id", ex["webhook-id"].as_str().unwrap()),
        (
            "webhook-timestamp",
            ex["webhook-timestamp"].as_str().unwrap(),
        ),
        (
            "webhook-signature",
            ex["webhook-signature"].as_str().unwrap(),
        ),
    ];
    assert_eq!(
        webhook::verify_standard_inner(&headers, b"", &[b"x"], 300, UnixTime(1_674_087_231))
            .unwrap_err(),
        Reject::NoMatch
    );
}

#[test]
fn zitadel_headers_verify_at_the_edges_and_malformed_ones_are_errors() {
    let key = b"0123456789abcdef0123456789abcdef";
    let body = br#"{"a":1}"#;
    let h = webhook::sign_zitadel(&[key], T0, body).unwrap();
    let ok = |now: i64| webhook::verify_zitadel_inner(&h, body, &[key], 300, UnixTime(now));
    assert!(ok(T0 + 300).is_ok() && ok(T0 - 300).is_ok());
    assert_eq!(ok(T0 + 301).unwrap_err(), Reject::TooOld);
    assert_eq!(ok(T0 - 301).unwrap_err(), Reject::TooNew);
    let sig = h.split_once(",v1=").unwrap().1;
    for (bad, why) in [
        (String::new(), Reject::Malformed),
        ("garbage".into(), Reject::Malformed),
        (format!("v1={sig}"), Reject::Malformed),
        (format!("t=,v1={sig}"), Reject::InvalidTimestamp),
        (format!("t=-5,v1={sig}"), Reject::InvalidTimestamp),
        (format!("t=1.5,v1={sig}"), Reject::InvalidTimestamp),
        (format!("t={T0},t={T0},v1={sig}"), Reject::Malformed),
        (format!("t={T0}"), Reject::NoMatch),
        (format!("t={T0},v1="), Reject::NoMatch),
        (format!("t={T0},v2={sig}"), Reject::NoMatch),
        (format!("t={T0},v1={}", sig.to_uppercase()), Reject::NoMatch),
        (format!("t={T0},v1={sig},"), Reject::Malformed),
        (
            format!("t=99999999999999999999999,v1={sig}"),
            Reject::InvalidTimestamp,
        ),
        ("t=1,v1=\u{fffd}\u{0}".into(), Reject::TooOld),
    ] {
        assert_eq!(
            webhook::verify_zitadel_inner(&bad, body, &[key], 300, UnixTime(T0)).unwrap_err(),
            why,
            "{bad:?}"
        );
    }
    // Other bodies or keys fail; several keys: any may match.
    assert_eq!(
        webhook::verify_zitadel_inner(&h, b"{}", &[key], 300, UnixTime(T0)).unwrap_err(),
        Reject::NoMatch
    );
    assert!(webhook::verify_zitadel_inner(&h, body, &[b"other", key], 300, UnixTime(T0)).is_ok());
    assert_eq!(
        field_of(&webhook::verify_zitadel(&h, body, &[key], -1, UnixTime(T0), None).unwrap_err()),
        "tolerance"
    );
    assert_eq!(
        field_of(&webhook::sign_zitadel(&[], T0, body).unwrap_err()),
        "keys"
    );
}

// ---- replay guard ---------------------------------------------------------------

#[test]
fn replay_guard_accepts_a_message_once_then_again_after_expiry() {
    let fx = fixture();
    let key = b"k".repeat(32);
    let sig = webhook::sign_standard(&[&key], "msg_1", T0, b"{}").unwrap();
    let ts = T0.to_string();
    let headers = [
        ("webhook-id", "msg_1"),
        ("webhook-timestamp", ts.as_str()),
        ("webhook-signature", sig.as_str()),
    ];
    let store_set = StoreSeenSet::new(fx.store.clone(), "orders").unwrap();
    let mem = MemorySeenSet::new();
    for guard in [&store_set as &dyn SeenSet, &mem] {
        let run = |now: i64| {
            webhook::verify_standard(&headers, b"{}", &[&key], 300, UnixTime(now), Some(guard))
        };
        assert!(run(T0).is_ok());
        assert_eq!(run(T0 + 1).unwrap_err().code(), ErrorCode::WebhookReplay);
        // A forged copy does not burn or touch the id.
        let bad = [headers[0], headers[1], ("webhook-signature", "v1,AAAA")];
        assert_eq!(
            webhook::verify_standard(&bad, b"{}", &[&key], 300, UnixTime(T0), Some(guard))
                .unwrap_err()
                .code(),
            ErrorCode::VerificationFailed
        );
        // Once the timestamp is out of tolerance the guard may forget.
        assert!(
            guard
                .first_seen("msg_1", UnixTime(T0 + 1000), UnixTime(T0 + 302))
                .unwrap()
        );
    }
    assert!(StoreSeenSet::new(fx.store, "a/b").is_err());
}

/// The store-backed seen-set prunes entries whose tolerance window has
/// passed as new ids are recorded, at most `PRUNE_BATCH` per call, never a
/// live one and never another namespace's; time comes from the fixture's
/// injected clock.
#[test]
fn store_seen_set_prunes_expired_ids_with_bounded_work() {
    let fx = fixture();
    let key = b"k".repeat(32);
    let set = StoreSeenSet::new(fx.store.clone(), "orders").unwrap();
    let other = StoreSeenSet::new(fx.store.clone(), "other").unwrap();
    let count = |ns: &str| {
        fx.store
            .scan(
                Table::WebhookSeen,
                format!("@webhook-seen/{ns}/").as_bytes(),
                None,
                u32::MAX,
            )
            .unwrap()
            .len()
    };
    // A delivery signed now and checked now, as a receiver does.
    let deliver = |guard: &StoreSeenSet, id: &str| {
        let now = fx.now();
        let sig = webhook::sign_standard(&[&key], id, now.secs(), b"{}").unwrap();
        let ts = now.secs().to_string();
        let headers = [
            ("webhook-id", id),
            ("webhook-timestamp", ts.as_str()),
            ("webhook-signature", sig.as_str()),
        ];
        webhook::verify_standard(&headers, b"{}", &[&key], 300, now, Some(guard))
    };
    const OLD: usize = 100;
    for i in 0..OLD {
        deliver(&set, &format!("old_{i}")).unwrap();
        deliver(&other, &format!("old_{i}")).unwrap();
    }
    assert_eq!((count("orders"), count("other")), (OLD, OLD));
    // Inside the window nothing is pruned: every id is still a replay.
    fx.clock.advance(300);
    for i in 0..OLD {
        assert_eq!(
            deliver(&set, &format!("old_{i}")).unwrap_err().code(),
            ErrorCode::WebhookReplay
        );
    }
    assert_eq!(count("orders"), OLD);
    // Past the window: each new delivery removes at most PRUNE_BATCH old
    // entries, and after enough of them only the new ids remain.
    fx.clock.advance(2);
    let (mut fresh, mut before) = (0, count("orders"));
    while count("orders") > fresh {
        deliver(&set, &format!("new_{fresh}")).unwrap();
        fresh += 1;
        let after = count("orders");
        assert!(
            before + 1 - after <= replay::PRUNE_BATCH as usize,
            "{before} -> {after}"
        );
        before = after;
        assert!(fresh <= OLD, "pruning does not converge");
    }
    // ceil(100 / 16) = 7 scans cover the old entries; the new ones, hashed
    // in among them, add a few more.
    assert!(fresh <= 10, "{fresh}");
    // The new ids are live, so still replays; the other namespace is untouched.
    for i in 0..fresh {
        assert_eq!(
            deliver(&set, &format!("new_{i}")).unwrap_err().code(),
            ErrorCode::WebhookReplay
        );
    }
    assert_eq!(count("other"), OLD);
    // An old id, now pruned, is accepted again by the guard (its timestamp
    // is fresh); a stale timestamp would fail the tolerance check first.
    deliver(&set, "old_0").unwrap();
}

#[test]
fn replay_guard_is_exactly_once_under_racing_threads() {
    let fx = fixture();
    for round in 0..20 {
        let set = Arc::new(StoreSeenSet::new(fx.store.clone(), "race").unwrap());
        let barrier = Arc::new(Barrier::new(8));
        let id = format!("msg_{round}");
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (set, barrier, id) = (set.clone(), barrier.clone(), id.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    set.first_seen(&id, UnixTime(T0 + 600), UnixTime(T0))
                        .unwrap()
                })
            })
            .collect();
        let wins = handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(|w| *w)
            .count();
        assert_eq!(wins, 1, "round {round}");
    }
}

#[test]
fn tampered_sealed_keys_fail_closed() {
    let fx = fixture();
    let t = fx.t();
    let id = t.create(CreateTarget::new("a", HOOK)).unwrap().target.id;
    let key = fx
        .engine
        .services()
        .store
        .get(Table::Target, &format!("t1/target/{id}").into_bytes())
        .unwrap()
        .unwrap();
    let mut rec: record::TargetRecord = crate::codec::decode(&key.value, "target").unwrap();
    let last = rec.signing_keys[0].sealed.0.len() - 1;
    rec.signing_keys[0].sealed.0[last] ^= 1;
    fx.store
        .commit(&[crate::store::Op::Put {
            table: Table::Target,
            key: format!("t1/target/{id}").into_bytes(),
            value: crate::codec::encode(&rec).unwrap(),
            expect: key.version,
        }])
        .unwrap();
    assert_eq!(
        t.sign(&id, b"{}", fx.now()).unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
}
