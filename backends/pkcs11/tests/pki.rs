//! The internal CA with its issuing key on a PKCS#11 token (SoftHSM2): the
//! certificate builder signs through `KeyManager::sign`, so P-256, P-384 and
//! (where the token has it) Ed25519 CA keys work unchanged, and the issued
//! certificates verify.
//!
//! Returns early with a notice when `CREDCYCLE_TEST_PKCS11` is unset, unless
//! `CREDCYCLE_REQUIRE_SERVICES=1`.

use std::sync::Arc;

use credcycle::pki::{CaKeyAlgorithm, CertProfile, ClientKeyAlgorithm, CreateCa, Csr};
use credcycle::{Engine, KeyAlgorithm, KeyId, KeyManager, MemoryStore};
use credcycle_pkcs11::testing::{fresh_manager, test_config};

#[test]
fn ca_keys_on_the_token_issue_verifiable_certificates() {
    let Some(config) = test_config() else { return };
    for (i, alg) in [CaKeyAlgorithm::P256, CaKeyAlgorithm::P384]
        .into_iter()
        .enumerate()
    {
        let km = Arc::new(fresh_manager(&config, "pki"));
        let engine = Engine::builder()
            .store(Arc::new(MemoryStore::new()))
            .key_manager(km.clone())
            .build()
            .expect("engine");
        let pki = engine.pki("t").expect("pki");
        let ca = pki
            .create_ca(
                CreateCa::new("hsm CA", "hsm.example")
                    .algorithm(alg)
                    .key_id(KeyId::new(format!("ca{i}")).expect("id")),
            )
            .expect("create CA on the token");
        let info = km.key_info(&ca.key_id).expect("info").expect("exists");
        let want = if alg == CaKeyAlgorithm::P256 {
            KeyAlgorithm::EcdsaP256Sha256
        } else {
            KeyAlgorithm::EcdsaP384Sha384
        };
        assert_eq!(info.algorithm, want);
        let client =
            credcycle::pki::generate_key_and_csr(ClientKeyAlgorithm::P256, "d").expect("k");
        let csr = Csr::parse(client.csr_pem.as_bytes()).expect("csr");
        let cert = pki
            .issue(&csr, &CertProfile::client("id-1"))
            .expect("issue");
        pki.verify_client_chain(&[&cert.der])
            .expect("issued cert verifies");
    }
}
