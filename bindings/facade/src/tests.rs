//! Every operation of [`OPERATIONS`] once, through the plain API.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use super::*;

struct TestClock(AtomicI64);

impl ForeignClock for TestClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

fn memory_engine(clock: Option<Arc<TestClock>>) -> Engine {
    let mut cfg = EngineConfig::new(
        StoreConfig::Memory,
        KmsConfig::Local {
            root_key: vec![7; 32].into(),
        },
    );
    cfg.clock = clock.map(|c| c as Arc<dyn ForeignClock>);
    Engine::open(cfg).expect("open")
}

fn bytes(v: &[u8]) -> SecretInput {
    SecretInput::Bytes(v.to_vec().into())
}

#[test]
fn operations_are_unique_and_well_formed() {
    let mut seen = HashSet::new();
    for op in OPERATIONS {
        assert!(seen.insert(op), "duplicate {op}");
        let (handle, method) = op.split_once('.').expect("handle.method");
        assert!(
            [
                "engine",
                "kms",
                "secrets",
                "audit",
                "targets",
                "jose",
                "tokens",
                "machine_auth",
                "identities",
                "mfa",
                "pki",
                "enrollment",
                "totp",
                "replay_guard",
                "client",
                "testing"
            ]
            .contains(&handle),
            "{op}"
        );
        assert!(
            method.starts_with(|c: char| c.is_ascii_lowercase())
                && method
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{op}"
        );
    }
}

#[test]
fn engine_kms_secrets_audit_end_to_end() {
    let clock = Arc::new(TestClock(AtomicI64::new(1_700_000_000)));
    let engine = memory_engine(Some(clock.clone())).with_actor("alice");
    assert_eq!(engine.actor(), Some("alice"));
    assert_eq!(engine.ensure_default_key().expect("default"), "default");

    // kms.*
    let kms = engine.kms();
    let k2 = kms.create_key("k2", "aes256gcm").expect("create k2");
    assert_eq!(
        (k2.purpose.as_str(), k2.state.as_str()),
        ("wrap", "ENABLED")
    );
    let e = kms.create_key("k2", "aes256gcm").expect_err("exists");
    assert_eq!((e.code, e.kind.as_str()), (1206, "conflict"));
    let e = kms.create_key("k3", "rsa").expect_err("algorithm");
    assert_eq!(e.code, 1004);
    assert!(e.message.contains("algorithm"), "{e}");
    assert_eq!(kms.rotate_key("k2").expect("rotate").primary_version, 2);
    assert_eq!(kms.disable_key("k2").expect("disable").state, "DISABLED");
    assert_eq!(
        kms.schedule_key_deletion("k2").expect("schedule").state,
        "PENDING_DELETION"
    );
    assert_eq!(kms.enable_key("k2").expect("enable").state, "ENABLED");
    assert!(kms.key_info("nope").expect("info").is_none());
    let ids: Vec<String> = kms
        .list_keys()
        .expect("list")
        .into_iter()
        .map(|k| k.id)
        .collect();
    assert_eq!(ids, ["default", "k2"]);
    let signer = kms.create_key("signer", "p256").expect("p256");
    assert_eq!(signer.purpose, "sign");
    let spki = kms.public_key("signer").expect("spki");
    let sig = kms.sign("signer", b"msg").expect("sign");
    assert!(credcycle::testing::verify_signature(
        credcycle::KeyAlgorithm::EcdsaP256Sha256,
        &spki,
        b"msg",
        &sig
    ));
    assert_eq!(kms.sign("k2", b"m").expect_err("purpose").code, 1203);

    // secrets.*
    let s = engine.secrets("shop").expect("secrets");
    assert_eq!(s.tenant(), "shop");
    let created = s
        .create(
            "db",
            CreateSecretOptions {
                value: Some(bytes(b"hunter2")),
                description: Some("orders".into()),
                ..Default::default()
            },
        )
        .expect("create");
    assert_eq!(created.versions[0].labels, ["CURRENT"]);
    assert_eq!(created.versions[0].id, "v1");
    s.update("db", Some("k2"), None).expect("update");
    let v2 = s
        .put_value("db", SecretInput::Generate(16), Some("tok-1"))
        .expect("put");
    assert_eq!(v2, 2);
    assert_eq!(
        s.put_value("db", SecretInput::Generate(16), Some("tok-1"))
            .expect_err("idem")
            .code,
        1302
    );
    let meta = s.get("db").expect("get");
    assert_eq!(meta.versions[1].kms_key_id, "k2");
    assert_eq!(meta.description, "orders");
    assert_eq!(
        &*s.get_value("db", Some("v1")).expect("v1").value,
        b"hunter2"
    );
    assert_eq!(s.get_value("db", None).expect("current").value.len(), 16);
    assert_eq!(
        s.get_value("db", Some("PREVIOUS")).expect("prev").version,
        1
    );
    assert_eq!(
        s.get_value("db", Some("bogus")).expect_err("sel").code,
        1004
    );

    assert_eq!(s.begin_rotation("db", bytes(b"next")).expect("begin"), 3);
    assert_eq!(
        s.begin_rotation("db", bytes(b"x")).expect_err("twice").code,
        1301
    );
    s.cancel_rotation("db").expect("cancel");
    s.begin_rotation("db", bytes(b"next")).expect("begin again");
    let fin = s.finish_rotation("db").expect("finish");
    assert!(
        fin.versions
            .iter()
            .any(|v| v.labels.contains(&"CURRENT".to_owned()))
    );
    assert_eq!(&*s.get_value("db", None).expect("cur").value, b"next");

    assert_eq!(s.disable("db").expect("disable").state, "DISABLED");
    assert_eq!(s.get_value("db", None).expect_err("disabled").code, 1007);
    assert_eq!(s.enable("db").expect("enable").state, "ENABLED");
    assert_eq!(s.freeze("db").expect("freeze").state, "FROZEN");
    assert_eq!(s.unfreeze("db").expect("unfreeze").state, "ENABLED");
    let rw = s.rewrap("db").expect("rewrap");
    assert_eq!(rw.rewrapped + rw.unchanged, fin.versions.len() as u32);

    s.create("other", CreateSecretOptions::default())
        .expect("other");
    assert_eq!(s.list().expect("list").len(), 2);
    let page = s.list_page(Some("db"), 10).expect("page");
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].name, "other");

    let sched = s.schedule_delete("other", Some(7)).expect("schedule");
    assert_eq!(
        sched.scheduled_delete_time,
        Some(1_700_000_000 + 7 * 86_400)
    );
    assert_eq!(s.restore("other").expect("restore").state, "ENABLED");
    s.schedule_delete("other", None).expect("schedule default");
    assert!(s.purge_due().expect("purge none").is_empty());
    clock.0.fetch_add(31 * 86_400, Ordering::SeqCst);
    assert_eq!(s.purge_due().expect("purge"), ["other"]);
    assert_eq!(s.get("other").expect_err("gone").code, 1001);

    // audit.*
    let trail = engine
        .audit("shop")
        .expect("audit")
        .events("secret:db")
        .expect("events");
    assert!(trail.chain_valid);
    assert_eq!(trail.events[0].action, "secret.create");
    assert_eq!(trail.events[0].actor, "alice");
    assert_eq!(trail.events[0].time, 1_700_000_000);

    assert_eq!(
        engine.secrets("bad tenant!").expect_err("tenant").code,
        1004
    );
}

#[test]
fn sqlite_engine_reopens_with_the_same_root_key_only() {
    let dir = credcycle::testing::store::TempDir::new();
    let path = dir.path().join("db.sqlite").to_string_lossy().into_owned();
    let root = client::generate_root_key().expect("root");
    let open = |root: zeroize::Zeroizing<Vec<u8>>| {
        Engine::open(EngineConfig::new(
            StoreConfig::Sqlite { path: path.clone() },
            KmsConfig::Local { root_key: root },
        ))
    };
    {
        let e = open(root.clone()).expect("open");
        e.secrets("t")
            .expect("s")
            .create(
                "a",
                CreateSecretOptions {
                    value: Some(bytes(b"v")),
                    ..Default::default()
                },
            )
            .expect("create");
    }
    let e = open(root).expect("reopen");
    assert_eq!(
        &*e.secrets("t")
            .expect("s")
            .get_value("a", None)
            .expect("v")
            .value,
        b"v"
    );
    let wrong = open(vec![1; 32].into()).expect_err("wrong root key");
    assert_eq!(
        (wrong.code, wrong.kind.as_str()),
        (1207, "verification_failed")
    );
    let short = open(vec![1; 5].into()).expect_err("short root key");
    assert_eq!(short.code, 1004);
}

#[test]
fn policy_overrides_apply_and_are_validated() {
    let mut cfg = EngineConfig::new(
        StoreConfig::Memory,
        KmsConfig::Local {
            root_key: vec![1; 32].into(),
        },
    );
    cfg.policy.max_secret_value_bytes = Some(4);
    let e = Engine::open(cfg.clone()).expect("open");
    let s = e.secrets("t").expect("s");
    let err = s
        .create(
            "x",
            CreateSecretOptions {
                value: Some(bytes(b"too long")),
                ..Default::default()
            },
        )
        .expect_err("too long");
    assert_eq!(err.code, 1004);
    cfg.policy.max_secret_versions = Some(1);
    assert_eq!(Engine::open(cfg).expect_err("range").code, 1004);
}
