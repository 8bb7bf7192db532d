//! Model test: random sequences of secret operations (put value, change KMS
//! key, rotate keys, rewrap, state changes, two-phase rotations, reads)
//! against a simple in-memory model, on every (Store, KeyManager) pair.
//! Every version the model holds must always decrypt to what was written,
//! and every operation the model refuses must be refused by the engine.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use credcycle::secrets::{CreateSecret, Label, NewValue, UpdateSecret, VersionSelector};
use credcycle::testing::{FakeClock, SeededRng};
use credcycle::{
    Engine, KeyAlgorithm, KeyId, KeyManager, LocalKeyManager, MemoryStore, Policy, SecretBytes,
    Store,
};
use proptest::prelude::*;

const MAX_VERSIONS: u32 = 5;
const KEYS: [&str; 3] = ["default", "k2", "k3"];

#[derive(Clone, Debug)]
enum Step {
    Put(Vec<u8>),
    UpdateKms(usize),
    RotateKey(usize),
    Rewrap,
    Disable,
    Enable,
    Freeze,
    Unfreeze,
    ScheduleDelete,
    Restore,
    Begin(Vec<u8>),
    Finish,
    Cancel,
}

fn step() -> impl Strategy<Value = Step> {
    let value = proptest::collection::vec(any::<u8>(), 1..40);
    prop_oneof![
        4 => value.clone().prop_map(Step::Put),
        1 => (0..KEYS.len()).prop_map(Step::UpdateKms),
        1 => (0..KEYS.len()).prop_map(Step::RotateKey),
        1 => Just(Step::Rewrap),
        1 => Just(Step::Disable),
        1 => Just(Step::Enable),
        1 => Just(Step::Freeze),
        1 => Just(Step::Unfreeze),
        1 => Just(Step::ScheduleDelete),
        1 => Just(Step::Restore),
        2 => value.prop_map(Step::Begin),
        1 => Just(Step::Finish),
        1 => Just(Step::Cancel),
    ]
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum St {
    Enabled,
    Disabled,
    Frozen,
    PendingDelete,
}

#[derive(Debug)]
struct Model {
    state: St,
    prior: St,
    versions: BTreeMap<u64, Vec<u8>>,
    current: Option<u64>,
    previous: Option<u64>,
    pending: Option<u64>,
    next: u64,
}

impl Model {
    fn writable(&self) -> bool {
        matches!(self.state, St::Enabled | St::Disabled)
    }

    fn add(&mut self, v: Vec<u8>, pending: bool) {
        let n = self.next;
        self.next += 1;
        self.versions.insert(n, v);
        if pending {
            self.pending = Some(n);
        } else {
            self.previous = self.current;
            self.current = Some(n);
        }
        while self.versions.len() > MAX_VERSIONS as usize {
            let victim = self.versions.keys().copied().find(|k| {
                Some(*k) != self.current && Some(*k) != self.previous && Some(*k) != self.pending
            });
            match victim {
                Some(k) => {
                    self.versions.remove(&k);
                }
                None => break,
            }
        }
    }
}

/// The local key manager over the model's store.
fn local_keys(store: Arc<dyn Store>, rng: Arc<SeededRng>) -> Arc<dyn KeyManager> {
    Arc::new(LocalKeyManager::new(store, rng, SecretBytes::new(vec![5; 32])).unwrap())
}

fn run(store: Arc<dyn Store>, steps: &[Step]) {
    run_with(store, local_keys, steps);
}

/// Runs the model on `store` with the key manager `keys` makes (from the
/// store and the model's generator).
fn run_with(
    store: Arc<dyn Store>,
    keys: impl FnOnce(Arc<dyn Store>, Arc<SeededRng>) -> Arc<dyn KeyManager>,
    steps: &[Step],
) {
    let rng = Arc::new(SeededRng::new(7));
    let keys = keys(store.clone(), rng.clone());
    let mut policy = Policy::default();
    policy.max_secret_versions = MAX_VERSIONS;
    let engine = Engine::builder()
        .store(store)
        .key_manager(keys.clone())
        .clock(Arc::new(FakeClock::new(1_000_000)))
        .rng(rng)
        .policy(policy)
        .build()
        .unwrap();
    engine.ensure_default_key().unwrap();
    for k in &KEYS[1..] {
        keys.create_key(&KeyId::new(*k).unwrap(), KeyAlgorithm::Aes256Gcm)
            .unwrap();
    }
    let s = engine.secrets("model").unwrap();
    s.create(CreateSecret::new("s").value(NewValue::bytes(b"first".to_vec())))
        .unwrap();
    let mut m = Model {
        state: St::Enabled,
        prior: St::Enabled,
        versions: BTreeMap::from([(1, b"first".to_vec())]),
        current: Some(1),
        previous: None,
        pending: None,
        next: 2,
    };
    for (i, st) in steps.iter().enumerate() {
        let ctx = format!("step {i}: {st:?} in {:?}", m.state);
        match st {
            Step::Put(v) => {
                let r = s.put_value("s", NewValue::bytes(v.clone()), None);
                assert_eq!(r.is_ok(), m.writable(), "{ctx}: {r:?}");
                if m.writable() {
                    assert_eq!(r.unwrap(), m.next, "{ctx}");
                    m.add(v.clone(), false);
                }
            }
            Step::UpdateKms(k) => {
                let r = s.update(
                    "s",
                    UpdateSecret {
                        kms_key_id: Some(KeyId::new(KEYS[*k]).unwrap()),
                        description: None,
                    },
                );
                assert_eq!(r.is_ok(), m.writable(), "{ctx}: {r:?}");
            }
            Step::RotateKey(k) => {
                keys.rotate_key(&KeyId::new(KEYS[*k]).unwrap()).unwrap();
            }
            Step::Rewrap => {
                let r = s.rewrap("s");
                assert_eq!(r.is_ok(), m.writable(), "{ctx}: {r:?}");
                if r.is_ok() {
                    let meta = s.get("s").unwrap();
                    let info = keys.key_info(&meta.kms_key_id).unwrap().unwrap();
                    for v in &meta.versions {
                        assert_eq!(v.kms_key_id, meta.kms_key_id, "{ctx}");
                        assert_eq!(v.kms_key_version, info.primary_version, "{ctx}");
                    }
                }
            }
            Step::Disable => {
                let ok = m.state == St::Enabled;
                assert_eq!(s.disable("s").is_ok(), ok, "{ctx}");
                if ok {
                    m.state = St::Disabled;
                }
            }
            Step::Enable => {
                let ok = m.state == St::Disabled;
                assert_eq!(s.enable("s").is_ok(), ok, "{ctx}");
                if ok {
                    m.state = St::Enabled;
                }
            }
            Step::Freeze => {
                let ok = m.writable();
                assert_eq!(s.freeze("s").is_ok(), ok, "{ctx}");
                if ok {
                    m.prior = m.state;
                    m.state = St::Frozen;
                }
            }
            Step::Unfreeze => {
                let ok = m.state == St::Frozen;
                assert_eq!(s.unfreeze("s").is_ok(), ok, "{ctx}");
                if ok {
                    m.state = m.prior;
                }
            }
            Step::ScheduleDelete => {
                let ok = m.writable();
                assert_eq!(s.schedule_delete("s", Some(7)).is_ok(), ok, "{ctx}");
                if ok {
                    m.prior = m.state;
                    m.state = St::PendingDelete;
                }
            }
            Step::Restore => {
                let ok = m.state == St::PendingDelete;
                assert_eq!(s.restore("s").is_ok(), ok, "{ctx}");
                if ok {
                    m.state = m.prior;
                }
            }
            Step::Begin(v) => {
                let ok = m.writable() && m.pending.is_none();
                let r = s.begin_rotation("s", NewValue::bytes(v.clone()));
                assert_eq!(r.is_ok(), ok, "{ctx}: {r:?}");
                if ok {
                    m.add(v.clone(), true);
                }
            }
            Step::Finish => {
                let ok = m.writable() && m.pending.is_some();
                assert_eq!(s.finish_rotation("s").is_ok(), ok, "{ctx}");
                if ok {
                    let p = m.pending.take();
                    if m.current != p {
                        m.previous = m.current;
                    }
                    m.current = p;
                }
            }
            Step::Cancel => {
                let ok = m.writable() && m.pending.is_some();
                assert_eq!(s.cancel_rotation("s").is_ok(), ok, "{ctx}");
                if ok {
                    let p = m.pending.take().unwrap();
                    m.versions.remove(&p);
                }
            }
        }
        check(&s, &m, &ctx);
    }
}

fn check(s: &credcycle::secrets::Secrets, m: &Model, ctx: &str) {
    let meta = s.get("s").unwrap();
    let numbers: Vec<u64> = meta.versions.iter().map(|v| v.number).collect();
    let want: Vec<u64> = m.versions.keys().copied().collect();
    assert_eq!(numbers, want, "{ctx}: versions");
    assert_eq!(
        meta.version_with(Label::Current).map(|v| v.number),
        m.current,
        "{ctx}"
    );
    assert_eq!(
        meta.version_with(Label::Previous).map(|v| v.number),
        m.previous,
        "{ctx}"
    );
    assert_eq!(
        meta.version_with(Label::Pending).map(|v| v.number),
        m.pending,
        "{ctx}"
    );
    for (n, v) in &m.versions {
        let r = s.get_value("s", Some(VersionSelector::Number(*n)));
        if m.state == St::Enabled {
            assert_eq!(r.unwrap().value.expose(), v.as_slice(), "{ctx}: v{n}");
        } else {
            assert!(r.is_err(), "{ctx}: value read in {:?}", m.state);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn model_memory_store(steps in proptest::collection::vec(step(), 1..40)) {
        run(Arc::new(MemoryStore::new()), &steps);
    }

    #[test]
    fn model_sqlite_store(steps in proptest::collection::vec(step(), 1..25)) {
        let dir = tempfile::tempdir().unwrap();
        let store = credcycle_sqlite::SqliteStore::open(dir.path().join("m.db")).unwrap();
        run(Arc::new(store), &steps);
    }
}

/// The model once end to end on the (PostgreSQL, PKCS#11) pair: a fresh
/// database on the server of `CREDCYCLE_TEST_PG_URL` and a fresh namespace
/// on the SoftHSM2 token of `CREDCYCLE_TEST_PKCS11` per case. Returns early
/// with a notice when they are unset, unless `CREDCYCLE_REQUIRE_SERVICES=1`.
#[test]
fn model_postgres_store_pkcs11_keys() {
    use credcycle_pkcs11::testing::{fresh_manager, test_config};
    use credcycle_postgres::testing::{URL_ENV, fresh_database, service_env};
    let (Some(admin), Some(hsm)) = (service_env(URL_ENV), test_config()) else {
        return;
    };
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 6,
        ..ProptestConfig::default()
    });
    runner
        .run(&proptest::collection::vec(step(), 1..25), |steps| {
            let url = fresh_database(&admin, "model");
            let store = Arc::new(credcycle_postgres::PostgresStore::connect(&url).unwrap());
            run_with(
                store,
                |_, _| Arc::new(fresh_manager(&hsm, "model")) as Arc<dyn KeyManager>,
                &steps,
            );
            Ok(())
        })
        .unwrap();
}
