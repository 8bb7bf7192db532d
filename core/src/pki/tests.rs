//! Tests of the PKI module: CSR policy, issuance,
//! chain verification, bundles, the rustls verifier.

use std::sync::Arc;

use super::*;
use crate::testing::{FakeClock, SeededRng};
use crate::{Engine, LocalKeyManager, MemoryStore, OsRandom, UnixTime};

pub(crate) const T0: i64 = 1_800_000_000;

pub(crate) struct Fx {
    pub(crate) engine: Engine,
    pub(crate) clock: Arc<FakeClock>,
}

pub(crate) fn fx() -> Fx {
    let store = Arc::new(MemoryStore::new());
    let keys = Arc::new(
        LocalKeyManager::new(
            store.clone(),
            Arc::new(OsRandom::new()),
            vec![7u8; 32].into(),
        )
        .expect("kms"),
    );
    let clock = Arc::new(FakeClock::new(T0));
    let engine = Engine::builder()
        .store(store)
        .key_manager(keys)
        .clock(clock.clone())
        .rng(Arc::new(SeededRng::new(42)))
        .build()
        .expect("engine");
    Fx { engine, clock }
}

pub(crate) fn csr(alg: ClientKeyAlgorithm) -> Csr {
    let k = generate_key_and_csr(alg, "device").expect("csr");
    Csr::parse(k.csr_pem.as_bytes()).expect("parse own csr")
}

#[test]
fn issue_client_certificate_from_each_key_type_and_ca_algorithm() {
    for ca_alg in [
        CaKeyAlgorithm::P256,
        CaKeyAlgorithm::P384,
        CaKeyAlgorithm::Ed25519,
    ] {
        let f = fx();
        let pki = f.engine.pki("t1").expect("pki");
        let ca = pki
            .create_ca(CreateCa::new("t1 CA", "t1.example").algorithm(ca_alg))
            .expect("ca");
        for alg in [
            ClientKeyAlgorithm::P256,
            ClientKeyAlgorithm::P384,
            ClientKeyAlgorithm::Ed25519,
        ] {
            let c = csr(alg);
            let cert = pki.issue(&c, &CertProfile::client("id-1")).expect("issue");
            let info = CertInfo::from_der(&cert.der).expect("parse issued");
            assert_eq!(
                info.uris,
                vec!["spiffe://t1.example/identity/id-1".to_owned()]
            );
            assert_eq!(info.common_name.as_deref(), Some("id-1"));
            assert_eq!(info.spki_der, c.spki_der());
            assert_eq!(info.fingerprint, cert.fingerprint);
            assert_eq!(info.serial_hex, cert.serial_hex);
            assert_eq!(cert.not_before, UnixTime(T0 - 300));
            assert_eq!(cert.not_after, UnixTime(T0 + 31_536_000));
            assert!(cert.chain_pem.starts_with(&cert.pem));
            assert!(cert.chain_pem.ends_with(&ca.chain_pem()));
        }
    }
}
