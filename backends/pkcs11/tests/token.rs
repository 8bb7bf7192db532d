//! Token-level behaviour of `Pkcs11KeyManager` on SoftHSM2: clear errors at
//! construction (missing token, wrong PIN, missing module, unset PIN
//! variable), keys that outlive the manager, and key objects that are
//! sensitive and not extractable.
//!
//! Each test returns early with a notice when `CREDCYCLE_TEST_PKCS11` is
//! unset, unless `CREDCYCLE_REQUIRE_SERVICES=1`.

use credcycle::{KeyAlgorithm, KeyId, KeyManager, KmsError, SecretBytes};
use credcycle_pkcs11::testing::{fresh_manager, test_config};
use credcycle_pkcs11::{PinSource, Pkcs11Config, Pkcs11Error, Pkcs11KeyManager};
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::object::{Attribute, AttributeType};

fn pin_file(dir: &tempfile::TempDir, pin: &str) -> PinSource {
    let path = dir.path().join("pin");
    std::fs::write(&path, format!("{pin}\n")).expect("write pin file");
    PinSource::File(path)
}

#[test]
fn missing_token_is_a_clear_error_at_construction() {
    let Some(config) = test_config() else { return };
    let other = Pkcs11Config::new(
        config.module(),
        "no-such-token",
        config.pin_source().clone(),
    );
    let err = Pkcs11KeyManager::new(other).expect_err("no such token");
    let msg = err.to_string();
    assert!(
        matches!(
            Pkcs11Error::from_kms_error(&err),
            Some(Pkcs11Error::TokenNotFound { .. })
        ),
        "{err:?}"
    );
    assert!(
        msg.contains("no-such-token") && msg.contains(config.token()),
        "{msg}"
    );
}

#[test]
fn wrong_pin_is_a_clear_error_at_construction() {
    let Some(config) = test_config() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let wrong = Pkcs11Config::new(
        config.module(),
        config.token(),
        pin_file(&dir, "not-the-pin-0000"),
    );
    let err = Pkcs11KeyManager::new(wrong).expect_err("wrong PIN");
    assert!(
        matches!(
            Pkcs11Error::from_kms_error(&err),
            Some(Pkcs11Error::WrongPin { .. })
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("PIN") && msg.contains(config.token()), "{msg}");
    assert!(!msg.contains("not-the-pin"), "{msg}");
    // The right PIN still works afterwards, and a wrong one is still
    // refused while this process is logged in.
    let ok = Pkcs11KeyManager::new(config.clone()).expect("right PIN");
    let wrong = Pkcs11Config::new(
        config.module(),
        config.token(),
        pin_file(&dir, "still-wrong-1"),
    );
    let err = Pkcs11KeyManager::new(wrong).expect_err("wrong PIN while logged in");
    assert!(err.to_string().contains("wrong PIN"), "{err}");
    drop(ok);
}

#[test]
fn missing_module_and_unset_pin_variable_are_clear_errors() {
    let Some(config) = test_config() else { return };
    let err = Pkcs11KeyManager::new(Pkcs11Config::new(
        "/nonexistent/libpkcs11.so",
        config.token(),
        config.pin_source().clone(),
    ))
    .expect_err("no module");
    assert!(
        err.to_string().contains("/nonexistent/libpkcs11.so"),
        "{err}"
    );
    let err = Pkcs11KeyManager::new(Pkcs11Config::new(
        config.module(),
        config.token(),
        PinSource::Env("CREDCYCLE_TEST_NO_SUCH_PIN_VARIABLE".into()),
    ))
    .expect_err("unset variable");
    assert!(matches!(err, KmsError::InvalidInput(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("CREDCYCLE_TEST_NO_SUCH_PIN_VARIABLE")
    );
    let err = Pkcs11KeyManager::from_config_str("module=/m.so;token=t").expect_err("no pin");
    assert!(err.to_string().contains("pin"), "{err}");
}

#[test]
fn keys_outlive_the_manager_and_are_shared_by_managers() {
    let Some(config) = test_config() else { return };
    let first = fresh_manager(&config, "persist");
    let ns_config = first.config().clone();
    let id = KeyId::new("persisted").expect("id");
    first
        .create_key(&id, KeyAlgorithm::Aes256Gcm)
        .expect("create");
    first.rotate_key(&id).expect("rotate");
    let dek = SecretBytes::from_slice(&[0x42; 32]);
    let wrapped = first.wrap(&id, &dek, b"aad").expect("wrap");
    drop(first);
    let second = Pkcs11KeyManager::new(ns_config.clone()).expect("reopen");
    let info = second.key_info(&id).expect("info").expect("still there");
    assert_eq!((info.primary_version, info.versions), (2, 2));
    assert_eq!(
        second.unwrap(&wrapped, b"aad").expect("unwrap").expose(),
        dek.expose()
    );
    // A third manager sees the second one's state change at once.
    let third = Pkcs11KeyManager::new(ns_config).expect("third");
    second
        .set_key_state(&id, credcycle::KeyState::Disabled)
        .expect("disable");
    assert!(matches!(
        third.wrap(&id, &dek, b"aad"),
        Err(KmsError::State { .. })
    ));
    assert_eq!(third.list_keys().expect("list").len(), 1);
}

#[test]
fn key_objects_are_sensitive_and_not_extractable() {
    let Some(config) = test_config() else { return };
    let km = fresh_manager(&config, "attrs");
    let ns = km.config().namespace().expect("namespace").to_owned();
    for (name, alg) in [
        ("aes", KeyAlgorithm::Aes256Gcm),
        ("p256", KeyAlgorithm::EcdsaP256Sha256),
        ("ed", KeyAlgorithm::Ed25519),
    ] {
        km.create_key(&KeyId::new(name).expect("id"), alg)
            .expect("create");
    }
    // A raw view of the token in this process (the module is initialized
    // already, and the manager's login covers this session).
    let ctx = Pkcs11::new(config.module()).expect("load module");
    let _ = ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK));
    let slot = ctx
        .get_slots_with_token()
        .expect("slots")
        .into_iter()
        .find(|s| {
            ctx.get_token_info(*s)
                .map(|i| i.label().trim_end() == config.token())
                .unwrap_or(false)
        })
        .expect("token");
    let session = ctx.open_ro_session(slot).expect("session");
    for name in ["aes", "p256", "ed"] {
        let label = format!("credcycle:{ns}/{name}:v1");
        let found = session
            .find_objects(&[
                Attribute::Label(label.clone().into_bytes()),
                Attribute::Private(true),
            ])
            .expect("find");
        assert_eq!(found.len(), 1, "{label}: one secret/private object");
        let attrs = session
            .get_attributes(
                found[0],
                &[AttributeType::Sensitive, AttributeType::Extractable],
            )
            .expect("attributes");
        assert!(
            attrs.contains(&Attribute::Sensitive(true)),
            "{label}: {attrs:?}"
        );
        assert!(
            attrs.contains(&Attribute::Extractable(false)),
            "{label}: {attrs:?}"
        );
        let value = session
            .get_attributes(found[0], &[AttributeType::Value])
            .unwrap_or_default();
        assert!(
            !value.iter().any(|a| matches!(a, Attribute::Value(_))),
            "{label}: key value readable"
        );
    }
}

#[test]
fn debug_output_shows_no_pin() {
    let Some(config) = test_config() else { return };
    let km = fresh_manager(&config, "debug");
    let pin = std::env::var("CREDCYCLE_TEST_PKCS11_PIN").unwrap_or_default();
    let debug = format!("{km:?} {:?}", km.config());
    assert!(pin.is_empty() || !debug.contains(&pin), "{debug}");
    assert!(debug.contains(config.token()), "{debug}");
}
