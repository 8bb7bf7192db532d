//! KeyManager conformance scenarios run at run time against a key manager
//! given by a factory, one result per scenario (operation
//! `testing.kms_conformance`).
//!
//! The engine's own suite is the `kms_conformance!` macro, which expands to
//! `#[test]` functions and so cannot run against a key manager written in C,
//! Python or Kotlin. These scenarios restate its contract as plain
//! functions over `&dyn KeyManager`: key info and ordering, duplicate ids,
//! wrap/unwrap round trips bound to their AAD, rotation keeping old versions
//! readable, state rules both ways, purposes, and signatures that verify
//! against the published public key. Each scenario gets a fresh key manager
//! and uses ids starting `conformance-`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use credcycle::testing::verify_signature;
use credcycle::{KeyAlgorithm, KeyId, KeyManager, KeyPurpose, KeyState, KmsError, SecretBytes};

use crate::conformance::ConformanceResult;
use crate::foreign::{ForeignKeyManager, key_manager_from_foreign};

type Km = Arc<dyn KeyManager>;

fn id(name: &str) -> KeyId {
    KeyId::new(format!("conformance-{name}")).expect("valid id")
}

fn dek(len: usize, seed: u8) -> SecretBytes {
    SecretBytes::new((0..len).map(|i| seed.wrapping_add(i as u8)).collect())
}

fn create(km: &Km, name: &str, alg: KeyAlgorithm) -> KeyId {
    let k = id(name);
    km.create_key(&k, alg).expect("create_key");
    k
}

fn create_info_and_list(km: Km) {
    for (name, alg, purpose) in [
        ("list-c", KeyAlgorithm::Aes256Gcm, KeyPurpose::Wrap),
        ("list-a", KeyAlgorithm::EcdsaP256Sha256, KeyPurpose::Sign),
        ("list-b", KeyAlgorithm::Ed25519, KeyPurpose::Sign),
    ] {
        let info = km.create_key(&id(name), alg).expect("create_key");
        assert_eq!(info.id, id(name));
        assert_eq!((info.algorithm, info.purpose), (alg, purpose));
        assert_eq!((info.primary_version, info.versions), (1, 1));
        assert_eq!(info.state, KeyState::Enabled);
        assert_eq!(km.key_info(&id(name)).expect("key_info"), Some(info));
    }
    let listed = km.list_keys().expect("list_keys");
    assert!(
        listed.windows(2).all(|w| w[0].id < w[1].id),
        "list_keys is not strictly ordered by id"
    );
    let ours: Vec<&str> = listed
        .iter()
        .map(|k| k.id.as_str())
        .filter(|i| i.starts_with("conformance-list-"))
        .collect();
    assert_eq!(
        ours,
        [
            "conformance-list-a",
            "conformance-list-b",
            "conformance-list-c"
        ]
    );
    assert_eq!(km.key_info(&id("none")).expect("key_info"), None);
}

fn create_twice_is_already_exists(km: Km) {
    let k = create(&km, "twice", KeyAlgorithm::Aes256Gcm);
    let before = km.key_info(&k).expect("key_info");
    let err = km
        .create_key(&k, KeyAlgorithm::Ed25519)
        .expect_err("second create");
    assert!(matches!(err, KmsError::AlreadyExists), "got {err:?}");
    assert_eq!(km.key_info(&k).expect("key_info"), before);
}

fn wrap_unwrap_round_trip_bound_to_aad(km: Km) {
    let k = create(&km, "wrap", KeyAlgorithm::Aes256Gcm);
    for (len, aad) in [(16, &b"aad"[..]), (32, &b""[..]), (64, &[0u8; 300][..])] {
        let d = dek(len, 3);
        let w = km.wrap(&k, &d, aad).expect("wrap");
        assert_eq!((&w.key, w.version), (&k, 1));
        assert!(
            !w.ciphertext.windows(len).any(|x| x == d.expose()),
            "the wrapped bytes contain the data key"
        );
        assert_eq!(km.unwrap(&w, aad).expect("unwrap").expose(), d.expose());
        let err = km.unwrap(&w, b"other aad").expect_err("wrong aad");
        assert!(matches!(err, KmsError::UnwrapFailed), "got {err:?}");
        let mut tampered = w.clone();
        if let Some(b) = tampered.ciphertext.last_mut() {
            *b ^= 1;
        }
        let err = km.unwrap(&tampered, aad).expect_err("tampered");
        assert!(matches!(err, KmsError::UnwrapFailed), "got {err:?}");
    }
}

fn rotation_keeps_old_versions_readable(km: Km) {
    let k = create(&km, "rotate", KeyAlgorithm::Aes256Gcm);
    let old = km.wrap(&k, &dek(32, 1), b"a").expect("wrap v1");
    let info = km.rotate_key(&k).expect("rotate");
    assert_eq!((info.primary_version, info.versions), (2, 2));
    let new = km.wrap(&k, &dek(32, 2), b"a").expect("wrap v2");
    assert_eq!((old.version, new.version), (1, 2));
    assert_eq!(
        km.unwrap(&old, b"a").expect("v1").expose(),
        dek(32, 1).expose()
    );
    assert_eq!(
        km.unwrap(&new, b"a").expect("v2").expose(),
        dek(32, 2).expose()
    );
}

fn states_refuse_and_allow(km: Km) {
    let k = create(&km, "state", KeyAlgorithm::Aes256Gcm);
    let w = km.wrap(&k, &dek(32, 5), b"").expect("wrap");
    let off = km.set_key_state(&k, KeyState::Disabled).expect("disable");
    assert_eq!(off.state, KeyState::Disabled);
    let err = km
        .wrap(&k, &dek(32, 5), b"")
        .expect_err("wrap while disabled");
    assert!(matches!(err, KmsError::State { .. }), "got {err:?}");
    km.set_key_state(&k, KeyState::PendingDeletion)
        .expect("schedule deletion");
    let err = km.unwrap(&w, b"").expect_err("unwrap pending deletion");
    assert!(matches!(err, KmsError::State { .. }), "got {err:?}");
    let on = km.set_key_state(&k, KeyState::Enabled).expect("enable");
    assert_eq!(on.state, KeyState::Enabled);
    assert_eq!(
        km.unwrap(&w, b"").expect("unwrap").expose(),
        dek(32, 5).expose()
    );
    let err = km
        .set_key_state(&id("missing"), KeyState::Disabled)
        .expect_err("unknown key");
    assert!(matches!(err, KmsError::NotFound), "got {err:?}");
}

fn purposes_are_enforced(km: Km) {
    let wrap = create(&km, "purpose-wrap", KeyAlgorithm::Aes256Gcm);
    let sign = create(&km, "purpose-sign", KeyAlgorithm::EcdsaP256Sha256);
    let err = km.sign(&wrap, b"m").expect_err("sign with a wrap key");
    assert!(matches!(err, KmsError::WrongPurpose { .. }), "got {err:?}");
    let err = km
        .wrap(&sign, &dek(32, 1), b"")
        .expect_err("wrap with a sign key");
    assert!(matches!(err, KmsError::WrongPurpose { .. }), "got {err:?}");
    let err = km
        .wrap(&id("missing"), &dek(32, 1), b"")
        .expect_err("unknown");
    assert!(matches!(err, KmsError::NotFound), "got {err:?}");
}

fn signatures_verify_with_the_public_key(km: Km) {
    for (name, alg) in [
        ("sign-p256", KeyAlgorithm::EcdsaP256Sha256),
        ("sign-ed25519", KeyAlgorithm::Ed25519),
    ] {
        let k = create(&km, name, alg);
        let spki = km.public_key(&k).expect("public_key");
        let sig = km.sign(&k, b"message").expect("sign");
        assert!(verify_signature(alg, &spki, b"message", &sig), "{name}");
        assert!(!verify_signature(alg, &spki, b"other", &sig), "{name}");
        km.rotate_key(&k).expect("rotate");
        let spki2 = km.public_key(&k).expect("public_key v2");
        let sig2 = km.sign(&k, b"message").expect("sign v2");
        assert!(
            verify_signature(alg, &spki2, b"message", &sig2),
            "{name} v2"
        );
        assert_ne!(spki, spki2, "{name}: rotation makes a new key pair");
    }
}

type Scenario = fn(Km);

const SCENARIOS: &[(&str, Scenario)] = &[
    ("create_info_and_list", create_info_and_list),
    (
        "create_twice_is_already_exists",
        create_twice_is_already_exists,
    ),
    (
        "wrap_unwrap_round_trip_bound_to_aad",
        wrap_unwrap_round_trip_bound_to_aad,
    ),
    (
        "rotation_keeps_old_versions_readable",
        rotation_keeps_old_versions_readable,
    ),
    ("states_refuse_and_allow", states_refuse_and_allow),
    ("purposes_are_enforced", purposes_are_enforced),
    (
        "signatures_verify_with_the_public_key",
        signatures_verify_with_the_public_key,
    ),
];

/// The names of the KeyManager scenarios, in run order.
pub fn kms_conformance_names() -> Vec<String> {
    SCENARIOS.iter().map(|(n, _)| (*n).to_owned()).collect()
}

/// Runs the KeyManager scenarios (all, or those named in `only`) against
/// key managers made by `fresh` (a new, empty one per call) (operation
/// `testing.kms_conformance`).
pub fn run_kms_conformance(
    fresh: &(dyn Fn() -> Arc<dyn ForeignKeyManager> + Sync),
    only: Option<&[String]>,
) -> Vec<ConformanceResult> {
    SCENARIOS
        .iter()
        .filter(|(name, _)| only.is_none_or(|o| o.iter().any(|n| n == name)))
        .map(|(name, scenario)| {
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                scenario(key_manager_from_foreign(fresh()))
            }));
            ConformanceResult {
                name: (*name).to_owned(),
                passed: outcome.is_ok(),
                message: outcome
                    .err()
                    .map(|p| crate::conformance::panic_text(&*p))
                    .unwrap_or_default(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foreign::{ForeignError, WrappedKeyData};
    use crate::types::KeyInfo;

    /// The engine's local key manager behind the plain foreign interface;
    /// `ignore_aad` breaks it on purpose.
    struct ViaLocal {
        inner: Arc<dyn KeyManager>,
        ignore_aad: bool,
    }

    fn kid(id: &str) -> Result<KeyId, ForeignError> {
        KeyId::new(id).map_err(|e| ForeignError::new(1004, e.to_string()))
    }

    impl ForeignKeyManager for ViaLocal {
        fn create_key(&self, id: &str, algorithm: &str) -> Result<KeyInfo, ForeignError> {
            let alg =
                KeyAlgorithm::parse(algorithm).ok_or_else(|| ForeignError::new(1004, "alg"))?;
            Ok(self.inner.create_key(&kid(id)?, alg)?.into())
        }
        fn key_info(&self, id: &str) -> Result<Option<KeyInfo>, ForeignError> {
            Ok(self.inner.key_info(&kid(id)?)?.map(KeyInfo::from))
        }
        fn list_keys(&self) -> Result<Vec<KeyInfo>, ForeignError> {
            Ok(self
                .inner
                .list_keys()?
                .into_iter()
                .map(KeyInfo::from)
                .collect())
        }
        fn rotate_key(&self, id: &str) -> Result<KeyInfo, ForeignError> {
            Ok(self.inner.rotate_key(&kid(id)?)?.into())
        }
        fn set_key_state(&self, id: &str, state: &str) -> Result<KeyInfo, ForeignError> {
            let st = match state {
                "ENABLED" => KeyState::Enabled,
                "DISABLED" => KeyState::Disabled,
                _ => KeyState::PendingDeletion,
            };
            Ok(self.inner.set_key_state(&kid(id)?, st)?.into())
        }
        fn wrap(&self, id: &str, dek: &[u8], aad: &[u8]) -> Result<WrappedKeyData, ForeignError> {
            let aad = if self.ignore_aad { &b""[..] } else { aad };
            let w = self
                .inner
                .wrap(&kid(id)?, &SecretBytes::from_slice(dek), aad)?;
            Ok(WrappedKeyData {
                key: w.key.as_str().to_owned(),
                version: w.version,
                ciphertext: w.ciphertext,
            })
        }
        fn unwrap(&self, wrapped: &WrappedKeyData, aad: &[u8]) -> Result<Vec<u8>, ForeignError> {
            let aad = if self.ignore_aad { &b""[..] } else { aad };
            let w = credcycle::WrappedKey {
                key: kid(&wrapped.key)?,
                version: wrapped.version,
                ciphertext: wrapped.ciphertext.clone(),
            };
            Ok(self.inner.unwrap(&w, aad)?.expose().to_vec())
        }
        fn sign(&self, id: &str, msg: &[u8]) -> Result<Vec<u8>, ForeignError> {
            Ok(self.inner.sign(&kid(id)?, msg)?)
        }
        fn public_key(&self, id: &str) -> Result<Vec<u8>, ForeignError> {
            Ok(self.inner.public_key(&kid(id)?)?)
        }
    }

    fn local(ignore_aad: bool) -> Arc<dyn ForeignKeyManager> {
        let store: Arc<dyn credcycle::Store> = Arc::new(credcycle::MemoryStore::new());
        let inner = credcycle::LocalKeyManager::new(
            store,
            Arc::new(credcycle::OsRandom::new()),
            SecretBytes::from_slice(&[3; 32]),
        )
        .expect("local key manager");
        Arc::new(ViaLocal {
            inner: Arc::new(inner),
            ignore_aad,
        })
    }

    #[test]
    fn the_local_key_manager_through_the_foreign_interface_passes() {
        let results = run_kms_conformance(&|| local(false), None);
        assert_eq!(results.len(), SCENARIOS.len());
        for r in &results {
            assert!(r.passed, "{}: {}", r.name, r.message);
        }
        assert_eq!(kms_conformance_names().len(), SCENARIOS.len());
    }

    #[test]
    fn a_key_manager_that_ignores_the_aad_fails_that_scenario_only() {
        let results = run_kms_conformance(&|| local(true), None);
        let failed: Vec<&str> = results
            .iter()
            .filter(|r| !r.passed)
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(failed, ["wrap_unwrap_round_trip_bound_to_aad"]);
        let only = vec!["create_info_and_list".to_owned()];
        assert_eq!(run_kms_conformance(&|| local(true), Some(&only)).len(), 1);
    }
}
