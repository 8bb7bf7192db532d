//! `kms_conformance!`: the KeyManager contract, run against every KeyManager.

use ring::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P384_SHA384_FIXED, ED25519, UnparsedPublicKey,
};

use crate::crypto::hazmat;
use crate::kms::KeyAlgorithm;

/// Whether `sig` is a valid signature of `msg` by the key whose
/// SubjectPublicKeyInfo (DER) is `spki`, for a signing key of `algorithm`
/// (P-256/P-384: fixed 64/96-byte `r || s`). `false` for anything malformed and for
/// non-signing algorithms.
///
/// For the conformance suite, whose callers may not depend on ring.
#[doc(hidden)]
pub fn verify_signature(algorithm: KeyAlgorithm, spki: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    let (prefix, raw_len, verifier): (
        &[u8],
        usize,
        &'static dyn ring::signature::VerificationAlgorithm,
    ) = match algorithm {
        KeyAlgorithm::EcdsaP256Sha256 => (
            &hazmat::P256_SPKI_PREFIX,
            hazmat::P256_POINT_LEN,
            &ECDSA_P256_SHA256_FIXED,
        ),
        KeyAlgorithm::EcdsaP384Sha384 => (
            &hazmat::P384_SPKI_PREFIX,
            hazmat::P384_POINT_LEN,
            &ECDSA_P384_SHA384_FIXED,
        ),
        KeyAlgorithm::Ed25519 => (
            &hazmat::ED25519_SPKI_PREFIX,
            hazmat::ED25519_PUBLIC_LEN,
            &ED25519,
        ),
        KeyAlgorithm::Aes256Gcm => return false,
    };
    match spki.strip_prefix(prefix) {
        Some(raw) if raw.len() == raw_len => UnparsedPublicKey::new(verifier, raw)
            .verify(msg, sig)
            .is_ok(),
        _ => false,
    }
}

/// Runs the [`KeyManager`](crate::kms::KeyManager) contract against an
/// implementation: expands to a `#[cfg(test)] mod $name` of `#[test]`s.
///
/// ```text
/// use std::sync::Arc;
/// use credcycle::{KeyManager, LocalKeyManager, MemoryStore, SecretBytes};
/// use credcycle::testing::SeededRng;
///
/// credcycle::kms_conformance!(local, || -> Arc<dyn KeyManager> {
///     Arc::new(
///         LocalKeyManager::new(
///             Arc::new(MemoryStore::new()),
///             Arc::new(SeededRng::new(1)),
///             SecretBytes::from_slice(&[7; 32]),
///         )
///         .expect("root key"),
///     )
/// });
/// ```
///
/// The second argument is any expression callable as
/// `Fn() -> Arc<dyn KeyManager>` (a closure or a function path); names in
/// scope where the macro is invoked are visible to it. It is called once per
/// test and should return a fresh, empty key manager. The suite's key ids
/// all start with `conformance-` and are distinct per test; `list_keys` is
/// only checked for order and for the keys the test created, so a shared
/// manager also works within one run.
///
/// Tests need std threads (8 concurrent wrappers) and nothing but std and
/// credcycle paths.
#[macro_export]
macro_rules! kms_conformance {
    ($name:ident, $factory:expr $(,)?) => {
        #[cfg(test)]
        #[allow(unused_imports, unused_qualifications)]
        mod $name {
            /// Evaluates the factory where only the invoking module's names
            /// are in scope (so that its imports count as used).
            mod conf_factory {
                #[allow(unused_imports)]
                use super::super::*;

                pub(super) fn make() -> ::std::sync::Arc<dyn $crate::kms::KeyManager> {
                    let factory = $factory;
                    factory()
                }
            }

            use ::std::sync::Arc;

            use $crate::crypto::SecretBytes;
            use $crate::kms::{
                KeyAlgorithm, KeyId, KeyInfo, KeyManager, KeyPurpose, KeyState, KmsError,
                WrappedKey,
            };

            fn conf_manager() -> Arc<dyn KeyManager> {
                conf_factory::make()
            }

            fn conf_id(name: &str) -> KeyId {
                KeyId::new(format!("conformance-{name}")).expect("valid key id")
            }

            fn conf_dek(len: usize, seed: u8) -> SecretBytes {
                SecretBytes::new((0..len).map(|i| seed.wrapping_add(i as u8)).collect())
            }

            fn conf_create(km: &dyn KeyManager, name: &str, alg: KeyAlgorithm) -> KeyId {
                let id = conf_id(name);
                km.create_key(&id, alg).expect("create_key");
                id
            }

            fn conf_state_error(e: KmsError, expected: KeyState) {
                match e {
                    KmsError::State { state, .. } => assert_eq!(state, expected),
                    other => panic!("expected KmsError::State({expected:?}), got {other:?}"),
                }
            }

            fn conf_verify(alg: KeyAlgorithm, spki: &[u8], msg: &[u8], sig: &[u8]) -> bool {
                $crate::testing::verify_signature(alg, spki, msg, sig)
            }

            #[test]
            fn create_key_info_and_list() {
                let km = conf_manager();
                let specs = [
                    ("list-c", KeyAlgorithm::Aes256Gcm, KeyPurpose::Wrap),
                    ("list-a", KeyAlgorithm::EcdsaP256Sha256, KeyPurpose::Sign),
                    ("list-b", KeyAlgorithm::Ed25519, KeyPurpose::Sign),
                ];
                for (name, alg, purpose) in specs {
                    let id = conf_id(name);
                    let info = km.create_key(&id, alg).expect("create_key");
                    assert_eq!(info.id, id);
                    assert_eq!(info.algorithm, alg);
                    assert_eq!(info.purpose, purpose);
                    assert_eq!((info.primary_version, info.versions), (1, 1));
                    assert_eq!(info.state, KeyState::Enabled);
                    assert_eq!(km.key_info(&id).expect("key_info"), Some(info));
                }
                let listed = km.list_keys().expect("list_keys");
                assert!(
                    listed.windows(2).all(|w| w[0].id < w[1].id),
                    "list_keys is not strictly ordered by id"
                );
                let ours: Vec<&str> = listed
                    .iter()
                    .map(|k| k.id.as_str())
                    .filter(|id| id.starts_with("conformance-list-"))
                    .collect();
                assert_eq!(
                    ours,
                    [
                        "conformance-list-a",
                        "conformance-list-b",
                        "conformance-list-c"
                    ]
                );
                assert_eq!(km.key_info(&conf_id("list-none")).expect("key_info"), None);
            }

            #[test]
            fn create_twice_is_already_exists() {
                let km = conf_manager();
                let id = conf_create(&*km, "twice", KeyAlgorithm::Aes256Gcm);
                let before = km.key_info(&id).expect("key_info");
                for alg in [KeyAlgorithm::Aes256Gcm, KeyAlgorithm::Ed25519] {
                    let err = km
                        .create_key(&id, alg)
                        .expect_err("second create must fail");
                    assert!(matches!(err, KmsError::AlreadyExists), "got {err:?}");
                }
                assert_eq!(km.key_info(&id).expect("key_info"), before);
            }

            #[test]
            fn wrap_unwrap_round_trip() {
                let km = conf_manager();
                let id = conf_create(&*km, "round-trip", KeyAlgorithm::Aes256Gcm);
                for (len, aad) in [(16, &b"aad"[..]), (32, &b""[..]), (64, &[0u8; 300][..])] {
                    let dek = conf_dek(len, 3);
                    let wrapped = km.wrap(&id, &dek, aad).expect("wrap");
                    assert_eq!(wrapped.key, id);
                    assert_eq!(wrapped.version, 1);
                    assert!(
                        !wrapped
                            .ciphertext
                            .windows(dek.len())
                            .any(|w| w == dek.expose()),
                        "wrapped blob contains the data key"
                    );
                    let back = km.unwrap(&wrapped, aad).expect("unwrap");
                    assert_eq!(back.expose(), dek.expose());
                }
            }

            #[test]
            fn dek_length_is_checked() {
                let km = conf_manager();
                let id = conf_create(&*km, "dek-len", KeyAlgorithm::Aes256Gcm);
                for len in [0, 1, 15, 65, 1024] {
                    let err = km
                        .wrap(&id, &conf_dek(len, 1), b"aad")
                        .expect_err("bad dek length must fail");
                    assert!(
                        matches!(err, KmsError::InvalidInput(_)),
                        "len {len}: {err:?}"
                    );
                }
            }

            #[test]
            fn wrap_is_randomized() {
                let km = conf_manager();
                let id = conf_create(&*km, "randomized", KeyAlgorithm::Aes256Gcm);
                let dek = conf_dek(32, 9);
                let a = km.wrap(&id, &dek, b"aad").expect("wrap");
                let b = km.wrap(&id, &dek, b"aad").expect("wrap");
                assert_ne!(a.ciphertext, b.ciphertext);
                assert_eq!(
                    km.unwrap(&a, b"aad").expect("unwrap").expose(),
                    dek.expose()
                );
                assert_eq!(
                    km.unwrap(&b, b"aad").expect("unwrap").expose(),
                    dek.expose()
                );
            }

            #[test]
            fn unwrap_with_other_aad_fails() {
                let km = conf_manager();
                let id = conf_create(&*km, "other-aad", KeyAlgorithm::Aes256Gcm);
                let wrapped = km
                    .wrap(&id, &conf_dek(32, 5), b"tenant-a/secret-1")
                    .expect("wrap");
                for aad in [&b"tenant-a/secret-2"[..], b"", b"tenant-a/secret-1\0"] {
                    let err = km.unwrap(&wrapped, aad).expect_err("other aad must fail");
                    assert!(matches!(err, KmsError::UnwrapFailed), "got {err:?}");
                }
            }

            #[test]
            fn tampered_wrapped_key_fails() {
                let km = conf_manager();
                let id = conf_create(&*km, "tamper", KeyAlgorithm::Aes256Gcm);
                let other = conf_create(&*km, "tamper-other", KeyAlgorithm::Aes256Gcm);
                let wrapped = km.wrap(&id, &conf_dek(32, 7), b"aad").expect("wrap");
                let expect_unwrap_failed = |w: &WrappedKey, what: &str| {
                    let err = km.unwrap(w, b"aad").expect_err(what);
                    assert!(matches!(err, KmsError::UnwrapFailed), "{what}: got {err:?}");
                };
                for pos in 0..wrapped.ciphertext.len() {
                    for bit in [0x01u8, 0x80] {
                        let mut w = wrapped.clone();
                        w.ciphertext[pos] ^= bit;
                        expect_unwrap_failed(&w, &format!("bit {bit:#x} of byte {pos} flipped"));
                    }
                }
                for len in 0..wrapped.ciphertext.len() {
                    let mut w = wrapped.clone();
                    w.ciphertext.truncate(len);
                    expect_unwrap_failed(&w, &format!("truncated to {len} bytes"));
                }
                let mut longer = wrapped.clone();
                longer.ciphertext.push(0);
                expect_unwrap_failed(&longer, "one byte appended");
                let mut moved = wrapped.clone();
                moved.key = other;
                expect_unwrap_failed(&moved, "blob presented under another key");
                assert!(
                    km.unwrap(&wrapped, b"aad").is_ok(),
                    "original must still unwrap"
                );
            }

            #[test]
            fn rotation_keeps_old_versions_unwrapping() {
                let km = conf_manager();
                let id = conf_create(&*km, "rotate", KeyAlgorithm::Aes256Gcm);
                let dek1 = conf_dek(32, 1);
                let w1 = km.wrap(&id, &dek1, b"aad").expect("wrap v1");
                assert_eq!(w1.version, 1);

                let info = km.rotate_key(&id).expect("rotate");
                assert_eq!((info.primary_version, info.versions), (2, 2));
                let dek2 = conf_dek(32, 2);
                let w2 = km.wrap(&id, &dek2, b"aad").expect("wrap v2");
                assert_eq!(w2.version, 2);

                let info = km.rotate_key(&id).expect("rotate");
                assert_eq!((info.primary_version, info.versions), (3, 3));
                assert_eq!(km.key_info(&id).expect("key_info"), Some(info));
                assert_eq!(km.wrap(&id, &dek1, b"aad").expect("wrap v3").version, 3);

                assert_eq!(
                    km.unwrap(&w1, b"aad").expect("unwrap v1").expose(),
                    dek1.expose()
                );
                assert_eq!(
                    km.unwrap(&w2, b"aad").expect("unwrap v2").expose(),
                    dek2.expose()
                );
                // The version is bound: a v1 blob claimed as v2 does not open.
                let mut relabelled = w1.clone();
                relabelled.version = 2;
                let err = km
                    .unwrap(&relabelled, b"aad")
                    .expect_err("relabelled version");
                assert!(matches!(err, KmsError::UnwrapFailed), "got {err:?}");
            }

            #[test]
            fn concurrent_rotations_are_all_counted() {
                let km = conf_manager();
                let id = conf_create(&*km, "rotate-race", KeyAlgorithm::Aes256Gcm);
                ::std::thread::scope(|s| {
                    for _ in 0..4 {
                        s.spawn(|| {
                            for _ in 0..3 {
                                km.rotate_key(&id).expect("rotate");
                            }
                        });
                    }
                });
                let info = km.key_info(&id).expect("key_info").expect("exists");
                assert_eq!((info.primary_version, info.versions), (13, 13));
            }

            #[test]
            fn disabled_key_refuses_wrap_and_sign_but_unwraps() {
                let km = conf_manager();
                let wrap_id = conf_create(&*km, "disabled-wrap", KeyAlgorithm::Aes256Gcm);
                let sign_id = conf_create(&*km, "disabled-sign", KeyAlgorithm::Ed25519);
                let dek = conf_dek(32, 4);
                let wrapped = km.wrap(&wrap_id, &dek, b"aad").expect("wrap");
                let pk = km.public_key(&sign_id).expect("public_key");

                for id in [&wrap_id, &sign_id] {
                    let info = km.set_key_state(id, KeyState::Disabled).expect("disable");
                    assert_eq!(info.state, KeyState::Disabled);
                    assert_eq!(
                        km.key_info(id).expect("key_info").map(|i| i.state),
                        Some(KeyState::Disabled)
                    );
                }
                conf_state_error(
                    km.wrap(&wrap_id, &dek, b"aad")
                        .expect_err("wrap when disabled"),
                    KeyState::Disabled,
                );
                conf_state_error(
                    km.sign(&sign_id, b"msg").expect_err("sign when disabled"),
                    KeyState::Disabled,
                );
                conf_state_error(
                    km.rotate_key(&wrap_id).expect_err("rotate when disabled"),
                    KeyState::Disabled,
                );
                let back = km.unwrap(&wrapped, b"aad").expect("unwrap when disabled");
                assert_eq!(back.expose(), dek.expose());
                assert_eq!(
                    km.public_key(&sign_id).expect("public_key when disabled"),
                    pk
                );
            }

            #[test]
            fn reenabled_key_works_again() {
                let km = conf_manager();
                let wrap_id = conf_create(&*km, "reenable-wrap", KeyAlgorithm::Aes256Gcm);
                let sign_id = conf_create(&*km, "reenable-sign", KeyAlgorithm::EcdsaP256Sha256);
                for id in [&wrap_id, &sign_id] {
                    km.set_key_state(id, KeyState::Disabled).expect("disable");
                    let info = km.set_key_state(id, KeyState::Enabled).expect("enable");
                    assert_eq!(info.state, KeyState::Enabled);
                }
                let dek = conf_dek(32, 6);
                let wrapped = km.wrap(&wrap_id, &dek, b"aad").expect("wrap after enable");
                assert_eq!(
                    km.unwrap(&wrapped, b"aad").expect("unwrap").expose(),
                    dek.expose()
                );
                let sig = km.sign(&sign_id, b"msg").expect("sign after enable");
                let pk = km.public_key(&sign_id).expect("public_key");
                assert!(conf_verify(
                    KeyAlgorithm::EcdsaP256Sha256,
                    &pk,
                    b"msg",
                    &sig
                ));
                assert_eq!(km.rotate_key(&wrap_id).expect("rotate").primary_version, 2);
            }

            #[test]
            fn pending_deletion_refuses_wrap_unwrap_sign_and_public_key() {
                let km = conf_manager();
                let wrap_id = conf_create(&*km, "pending-wrap", KeyAlgorithm::Aes256Gcm);
                let sign_id = conf_create(&*km, "pending-sign", KeyAlgorithm::EcdsaP256Sha256);
                let dek = conf_dek(32, 8);
                let wrapped = km.wrap(&wrap_id, &dek, b"aad").expect("wrap");
                for id in [&wrap_id, &sign_id] {
                    let info = km
                        .set_key_state(id, KeyState::PendingDeletion)
                        .expect("schedule");
                    assert_eq!(info.state, KeyState::PendingDeletion);
                }
                let pending = KeyState::PendingDeletion;
                conf_state_error(km.wrap(&wrap_id, &dek, b"aad").expect_err("wrap"), pending);
                conf_state_error(km.unwrap(&wrapped, b"aad").expect_err("unwrap"), pending);
                conf_state_error(km.sign(&sign_id, b"msg").expect_err("sign"), pending);
                conf_state_error(km.public_key(&sign_id).expect_err("public_key"), pending);
                conf_state_error(km.rotate_key(&wrap_id).expect_err("rotate"), pending);
                // Cancelling the deletion (enabling) restores the key.
                km.set_key_state(&wrap_id, KeyState::Enabled)
                    .expect("cancel deletion");
                let back = km.unwrap(&wrapped, b"aad").expect("unwrap after cancel");
                assert_eq!(back.expose(), dek.expose());
            }

            #[test]
            fn unknown_key_is_not_found() {
                let km = conf_manager();
                let id = conf_id("unknown");
                let dek = conf_dek(32, 1);
                let wrapped = WrappedKey {
                    key: id.clone(),
                    version: 1,
                    ciphertext: vec![1; 61],
                };
                let results: Vec<(&str, KmsError)> = vec![
                    ("wrap", km.wrap(&id, &dek, b"aad").expect_err("wrap")),
                    ("unwrap", km.unwrap(&wrapped, b"aad").expect_err("unwrap")),
                    ("sign", km.sign(&id, b"msg").expect_err("sign")),
                    ("public_key", km.public_key(&id).expect_err("public_key")),
                    ("rotate_key", km.rotate_key(&id).expect_err("rotate_key")),
                    (
                        "set_key_state",
                        km.set_key_state(&id, KeyState::Disabled)
                            .expect_err("set_key_state"),
                    ),
                ];
                for (op, err) in results {
                    assert!(matches!(err, KmsError::NotFound), "{op}: got {err:?}");
                }
                assert_eq!(km.key_info(&id).expect("key_info"), None);
            }

            #[test]
            fn unknown_version_is_not_found() {
                let km = conf_manager();
                let id = conf_create(&*km, "unknown-version", KeyAlgorithm::Aes256Gcm);
                let wrapped = km.wrap(&id, &conf_dek(32, 2), b"aad").expect("wrap");
                for version in [0, 2, 3, u32::MAX] {
                    let mut w = wrapped.clone();
                    w.version = version;
                    let err = km.unwrap(&w, b"aad").expect_err("unknown version");
                    assert!(
                        matches!(err, KmsError::NotFound),
                        "version {version}: {err:?}"
                    );
                }
            }

            #[test]
            fn wrong_purpose_is_refused() {
                let km = conf_manager();
                let aes = conf_create(&*km, "purpose-aes", KeyAlgorithm::Aes256Gcm);
                let dek = conf_dek(32, 3);
                let wrapped = km.wrap(&aes, &dek, b"aad").expect("wrap");
                let sign_err = km.sign(&aes, b"msg").expect_err("sign with a wrap key");
                let pk_err = km.public_key(&aes).expect_err("public_key of a wrap key");
                for err in [sign_err, pk_err] {
                    assert!(
                        matches!(
                            err,
                            KmsError::WrongPurpose {
                                purpose: KeyPurpose::Wrap,
                                ..
                            }
                        ),
                        "got {err:?}"
                    );
                }
                for (name, alg) in [
                    ("purpose-p256", KeyAlgorithm::EcdsaP256Sha256),
                    ("purpose-ed25519", KeyAlgorithm::Ed25519),
                ] {
                    let id = conf_create(&*km, name, alg);
                    let wrap_err = km
                        .wrap(&id, &dek, b"aad")
                        .expect_err("wrap with a sign key");
                    let mut w = wrapped.clone();
                    w.key = id.clone();
                    let unwrap_err = km.unwrap(&w, b"aad").expect_err("unwrap with a sign key");
                    for err in [wrap_err, unwrap_err] {
                        assert!(
                            matches!(
                                err,
                                KmsError::WrongPurpose {
                                    purpose: KeyPurpose::Sign,
                                    ..
                                }
                            ),
                            "{name}: got {err:?}"
                        );
                    }
                }
            }

            fn conf_sign_verify(alg: KeyAlgorithm, name: &str) {
                let km = conf_manager();
                let id = conf_create(&*km, name, alg);
                let pk = km.public_key(&id).expect("public_key");
                for msg in [&b""[..], b"message", &[0xa5; 4096][..]] {
                    let sig = km.sign(&id, msg).expect("sign");
                    assert_eq!(sig.len(), 64, "signature length");
                    assert!(conf_verify(alg, &pk, msg, &sig), "signature must verify");
                    let mut other = msg.to_vec();
                    other.push(1);
                    assert!(
                        !conf_verify(alg, &pk, &other, &sig),
                        "other message verified"
                    );
                    let mut bad = sig.clone();
                    bad[10] ^= 1;
                    assert!(
                        !conf_verify(alg, &pk, msg, &bad),
                        "altered signature verified"
                    );
                }
                assert_eq!(
                    km.public_key(&id).expect("public_key"),
                    pk,
                    "stable public key"
                );
            }

            #[test]
            fn p256_sign_verifies_with_public_key() {
                conf_sign_verify(KeyAlgorithm::EcdsaP256Sha256, "sign-p256");
            }

            #[test]
            fn ed25519_sign_verifies_with_public_key() {
                conf_sign_verify(KeyAlgorithm::Ed25519, "sign-ed25519");
            }

            #[test]
            fn signature_after_rotation_verifies_with_new_public_key() {
                let km = conf_manager();
                for (name, alg) in [
                    ("rotate-p256", KeyAlgorithm::EcdsaP256Sha256),
                    ("rotate-ed25519", KeyAlgorithm::Ed25519),
                ] {
                    let id = conf_create(&*km, name, alg);
                    let old_pk = km.public_key(&id).expect("public_key v1");
                    let info = km.rotate_key(&id).expect("rotate");
                    assert_eq!(info.primary_version, 2);
                    let new_pk = km.public_key(&id).expect("public_key v2");
                    assert_ne!(old_pk, new_pk, "{name}: rotation must change the key");
                    let sig = km.sign(&id, b"after rotation").expect("sign");
                    assert!(conf_verify(alg, &new_pk, b"after rotation", &sig), "{name}");
                    assert!(
                        !conf_verify(alg, &old_pk, b"after rotation", &sig),
                        "{name}"
                    );
                }
            }

            #[test]
            fn concurrent_wrap_unwrap() {
                let km = conf_manager();
                let id = conf_create(&*km, "threads", KeyAlgorithm::Aes256Gcm);
                ::std::thread::scope(|s| {
                    for t in 0u8..8 {
                        let (km, id) = (&km, &id);
                        s.spawn(move || {
                            for i in 0u8..20 {
                                let dek = conf_dek(32, t.wrapping_mul(31).wrapping_add(i));
                                let aad = [t, i];
                                let wrapped = km.wrap(id, &dek, &aad).expect("wrap");
                                let back = km.unwrap(&wrapped, &aad).expect("unwrap");
                                assert_eq!(back.expose(), dek.expose());
                            }
                        });
                    }
                });
            }
        }
    };
}
