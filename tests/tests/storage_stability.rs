//! Storage stability: a store written by release 0.1 (committed as
//! `tests/data/kat/store-v0.1.json`) must still load and decrypt with every
//! later release. To write the file again (only when the layout changes on
//! purpose, with a format version bump), run
//! `CREDCYCLE_WRITE_KAT=1 cargo test -p credcycle-tests --test storage_stability`.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use credcycle::secrets::{CreateSecret, NewValue, SecretState, UpdateSecret, VersionSelector};
use credcycle::testing::{FakeClock, SeededRng};
use credcycle::{
    Engine, KeyAlgorithm, KeyId, KeyManager, LocalKeyManager, MemoryStore, Op, SecretBytes, Store,
    Table, Version,
};
use serde::{Deserialize, Serialize};

const KAT_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/kat/store-v0.1.json");
const ROOT_KEY: [u8; 32] = [0x42; 32];

#[derive(Serialize, Deserialize)]
struct Dump {
    note: String,
    records: Vec<Row>,
}

#[derive(Serialize, Deserialize)]
struct Row {
    table: u32,
    key_b64: String,
    value_b64: String,
}

fn engine(store: Arc<dyn Store>) -> (Engine, Arc<LocalKeyManager>) {
    let rng = Arc::new(SeededRng::new(2024));
    let keys = Arc::new(
        LocalKeyManager::new(
            store.clone(),
            rng.clone(),
            SecretBytes::new(ROOT_KEY.to_vec()),
        )
        .unwrap(),
    );
    let engine = Engine::builder()
        .store(store)
        .key_manager(keys.clone())
        .clock(Arc::new(FakeClock::new(1_700_000_000)))
        .rng(rng)
        .build()
        .unwrap();
    (engine, keys)
}

/// The scenario the KAT store was written with.
fn write_scenario(store: Arc<dyn Store>) {
    let (engine, keys) = engine(store);
    engine.ensure_default_key().unwrap();
    let k2 = KeyId::new("k2").unwrap();
    keys.create_key(&k2, KeyAlgorithm::Aes256Gcm).unwrap();
    let s = engine.secrets("kat").unwrap();
    s.create(
        CreateSecret::new("alpha")
            .value(NewValue::bytes(b"one".to_vec()))
            .description("written by 0.1"),
    )
    .unwrap();
    s.put_value("alpha", NewValue::bytes(b"two".to_vec()), Some("req-1"))
        .unwrap();
    s.update(
        "alpha",
        UpdateSecret {
            kms_key_id: Some(k2),
            description: None,
        },
    )
    .unwrap();
    keys.rotate_key(&KeyId::new("default").unwrap()).unwrap();
    s.put_value("alpha", NewValue::bytes(b"three".to_vec()), None)
        .unwrap();
    s.create(CreateSecret::new("beta").value(NewValue::bytes(b"b".to_vec())))
        .unwrap();
    s.freeze("beta").unwrap();
}

fn dump(store: &dyn Store) -> Dump {
    let mut records = Vec::new();
    for t in Table::ALL {
        for (k, r) in store.scan(*t, b"", None, u32::MAX).unwrap() {
            records.push(Row {
                table: t.as_u32(),
                key_b64: B64.encode(k),
                value_b64: B64.encode(r.value),
            });
        }
    }
    Dump {
        note:
            "credcycle 0.1 store; root key = 32 bytes of 0x42; see tests/tests/storage_stability.rs"
                .into(),
        records,
    }
}

#[test]
fn release_0_1_store_still_loads_and_decrypts() {
    if std::env::var_os("CREDCYCLE_WRITE_KAT").is_some() {
        let store = Arc::new(MemoryStore::new());
        write_scenario(store.clone());
        let json = serde_json::to_string_pretty(&dump(store.as_ref())).unwrap();
        std::fs::write(KAT_PATH, json + "\n").unwrap();
    }
    let text = std::fs::read_to_string(KAT_PATH).expect("KAT file is committed");
    let kat: Dump = serde_json::from_str(&text).unwrap();
    assert!(kat.records.len() > 10);
    let store = Arc::new(MemoryStore::new());
    for row in &kat.records {
        store
            .commit(&[Op::Put {
                table: Table::from_u32(row.table).unwrap(),
                key: B64.decode(&row.key_b64).unwrap(),
                value: B64.decode(&row.value_b64).unwrap(),
                expect: Version::ABSENT,
            }])
            .unwrap();
    }
    let (engine, keys) = engine(store);
    let s = engine.secrets("kat").unwrap();
    let meta = s.get("alpha").unwrap();
    assert_eq!(meta.description, "written by 0.1");
    assert_eq!(meta.kms_key_id.as_str(), "k2");
    let keys_of: Vec<(&str, u32)> = meta
        .versions
        .iter()
        .map(|v| (v.kms_key_id.as_str(), v.kms_key_version))
        .collect();
    assert_eq!(keys_of, [("default", 1), ("default", 1), ("k2", 1)]);
    for (n, want) in [(1, "one"), (2, "two"), (3, "three")] {
        let v = s
            .get_value("alpha", Some(VersionSelector::Number(n)))
            .unwrap();
        assert_eq!(v.value.expose(), want.as_bytes(), "v{n}");
    }
    // The idempotency record survived: same token + value = same version.
    assert_eq!(
        s.put_value("alpha", NewValue::bytes(b"two".to_vec()), Some("req-1"))
            .unwrap(),
        2
    );
    assert_eq!(s.get("beta").unwrap().state, SecretState::Frozen);
    let info = keys
        .key_info(&KeyId::new("default").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(info.primary_version, 2);
    let trail = engine.audit("kat").unwrap().events("secret:alpha").unwrap();
    assert!(trail.chain_valid);
    assert_eq!(trail.events.len(), 4);
    // The stored KMS keys still work for new data, and rewrap moves old data.
    assert_eq!(s.rewrap("alpha").unwrap().rewrapped, 2);
    let v = s
        .get_value("alpha", Some(VersionSelector::Number(1)))
        .unwrap();
    assert_eq!(v.value.expose(), b"one");
}
