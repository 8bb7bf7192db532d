//! PKI: certificate signing requests, the per-tenant internal CA,
//! certificate issuance, chain verification, a rustls client-certificate
//! verifier, and a client-side key + CSR helper (SEMANTICS.md §F, rules X-1..X-5).
//!
//! - [`Csr`] parses a PEM/DER CSR, verifies its own signature (proof of
//!   possession) with ring and applies the key policy: EC P-256/P-384,
//!   Ed25519, RSA 2048..=8192; DSA, MD4/MD5/SHA-1, small RSA and other
//!   curves are refused with an error naming the field.
//! - [`Pki`] (from [`Engine::pki`](crate::Engine::pki)) holds the tenant's
//!   CA: [`Pki::create_ca`] makes a KeyManager key and a self-signed root,
//!   [`Pki::import_ca`] takes an existing chain and a key reference. Every
//!   signature goes through [`KeyManager::sign`](crate::KeyManager::sign),
//!   so an HSM key works unchanged.
//! - [`Pki::issue`] / [`IssuingCa::issue`] issue client, router-server and
//!   session certificates ([`CertProfile`]); [`Pki::renew`] renews (X-5).
//! - [`pkcs7`] writes and reads the certs-only PKCS#7 CA bundle.
//! - [`verify_chain`] checks a presented chain against [`TrustAnchors`]
//!   (the RFC 5280 §6 subset of SECURITY-REQUIREMENTS X-4); a refusal is a
//!   [`ChainError`] (certificate depth + [`ChainFailure`]) that converts
//!   into [`Error::CertificateRejected`](crate::Error::CertificateRejected).
//!   [`Pki::verify_client_chain`] does it against the tenant CA.
//! - [`MtlsVerifier`] is a rustls `ClientCertVerifier`: the decision comes
//!   from a [`ClientCertAuthorizer`] (implement it to add "is this the
//!   current certificate of an authenticator?"; [`AnchorAuthorizer`] checks
//!   the chain only), time from the injected [`Clock`](crate::Clock), TLS
//!   signatures from ring.
//! - [`generate_key_and_csr`] is the client side: a P-256/P-384/Ed25519 key
//!   (PKCS#8 PEM) and its CSR.
//! - Issuance writes nothing to the store: the caller records the
//!   certificate (fingerprint, serial) in its own commit, e.g. the one that
//!   consumes an enrollment token. Creating or importing the CA is audited
//!   (`pki.ca.create` / `pki.ca.import` on subject `ca:internal`).
//!
//! # Example: issue, then authenticate with rustls
//!
//! ```
//! use std::sync::Arc;
//! use credcycle::pki::{CertProfile, ClientKeyAlgorithm, CreateCa, Csr, generate_key_and_csr};
//! use credcycle::{Engine, LocalKeyManager, MemoryStore, OsRandom};
//!
//! # fn main() -> credcycle::Result<()> {
//! let store = Arc::new(MemoryStore::new());
//! let keys = Arc::new(LocalKeyManager::new(store.clone(), Arc::new(OsRandom::new()), [7u8; 32].to_vec().into())?);
//! let engine = Engine::builder().store(store).key_manager(keys).build()?;
//! let pki = engine.pki("acme")?;
//!
//! // Once per tenant: the internal CA (P-256 by default).
//! let ca = pki.create_ca(CreateCa::new("acme edge CA", "acme.example"))?;
//!
//! // Client side: a key pair and a CSR (PKCS#8 PEM + CSR PEM).
//! let client = generate_key_and_csr(ClientKeyAlgorithm::P256, "device-1")?;
//!
//! // Server side: parse + verify the CSR, then issue.
//! let csr = Csr::parse(client.csr_pem.as_bytes())?;
//! let cert = pki.issue(&csr, &CertProfile::client("id-123"))?;
//! assert_eq!(cert.spiffe_id, "spiffe://acme.example/identity/id-123");
//! assert_eq!(cert.fingerprint.len(), 64);
//! assert!(cert.not_after <= ca.certificate.not_after);
//!
//! // Bundles for clients.
//! let pem_bundle = pki.bundle_pem()?;
//! let p7 = pki.bundle_pkcs7_base64()?;
//! assert_eq!(credcycle::pki::pkcs7::parse_certs_only_base64(&p7)?, ca.chain);
//! # let _ = pem_bundle;
//!
//! // Verification of a presented chain (leaf first).
//! let verified = pki.verify_client_chain(&[&cert.der])?;
//! assert_eq!(verified.leaf.fingerprint, cert.fingerprint);
//!
//! // A rustls server verifier that accepts chains to the tenant CA.
//! use credcycle::pki::{AnchorAuthorizer, MtlsVerifier};
//! let verifier = MtlsVerifier::new(
//!     Arc::new(AnchorAuthorizer::new(pki.trust_anchors()?)),
//!     Arc::new(credcycle::SystemClock),
//! );
//! # let _ = verifier;
//! # Ok(()) }
//! ```

mod alg;
mod ca;
mod cert;
mod client;
mod csr;
mod der;
mod pem;
pub mod pkcs7;
mod tls;
mod verify;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use alg::{KeyType, SignatureAlgorithm};
pub use ca::{
    CaInfo, CaKeyAlgorithm, CertProfile, CreateCa, ImportCa, IssuedCert, IssuingCa,
    MAX_CA_NAME_LEN, MAX_CA_VALIDITY_SECS, MAX_IDENTITY_ID_LEN, MAX_SERVER_SANS,
    MAX_TRUST_DOMAIN_LEN, Pki, ProfileKind,
};
pub use cert::{CertInfo, MAX_CERT_BYTES, MAX_CHAIN_CERTS, fingerprint, parse_chain_pem};
pub use client::{ClientKey, ClientKeyAlgorithm, generate_key_and_csr, generate_key_and_csr_with};
pub use csr::{Csr, MAX_CSR_BYTES};
pub use tls::{AnchorAuthorizer, ClientCertAuthorizer, MtlsVerifier};
pub use verify::{
    ChainError, ChainFailure, Purpose, TrustAnchors, VerifiedChain, VerifyOptions, verify_chain,
};

#[cfg(test)]
mod tests;

/// Fuzz entry: a CSR parser on arbitrary bytes (DER and PEM); an accepted
/// CSR must round-trip through its PEM form.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub fn fuzz_csr(data: &[u8]) {
    if let Ok(csr) = Csr::parse(data) {
        let again = Csr::parse(csr.to_pem().as_bytes()).expect("an accepted CSR re-parses");
        assert_eq!(again.der(), csr.der());
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Csr::from_pem(text);
    }
}

/// Test certificates the chain and PKCS#7 fuzz entries build on.
#[cfg(any(test, feature = "fuzzing"))]
const FUZZ_CERTS: [&[u8]; 3] = [
    include_bytes!("../../../tests/data/x509/rust_crates/x509-cert-0.3.0/rsa2048-crt.der"),
    include_bytes!("../../../tests/data/x509/rust_crates/x509-parser-0.18.1/certificate.der"),
    include_bytes!("../../../tests/data/x509/rust_crates/x509-cert-0.3.0/amazon.der"),
];

/// Fuzz entry: the certificate chain parsers and verifier. `data` is read
/// as a PEM bundle and as a sequence of DER items, each verified against a
/// fixed anchor.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub fn fuzz_cert_chain(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_chain_pem(text);
        let _ = CertInfo::from_pem(text);
        let _ = TrustAnchors::from_pem(text);
    }
    let mut items = Vec::new();
    let mut rest = data;
    while let Some(item) = der::first_item(rest) {
        items.push(item);
        rest = &rest[item.len()..];
        if items.len() == MAX_CHAIN_CERTS + 1 {
            break;
        }
    }
    for item in &items {
        let _ = CertInfo::from_der(item);
    }
    static ANCHORS: std::sync::OnceLock<TrustAnchors> = std::sync::OnceLock::new();
    let anchors =
        ANCHORS.get_or_init(|| TrustAnchors::from_der(&FUZZ_CERTS).expect("fuzz anchors parse"));
    for now in [0, 1_700_000_000, i64::MAX] {
        let _ = verify_chain(
            anchors,
            &items,
            crate::UnixTime(now),
            &VerifyOptions::default(),
        );
    }
}

/// Fuzz entry: the PKCS#7 certs-only writer and parser. The parser takes
/// `data` as is; then the bytes of `data` pick a list of known certificates
/// that must survive write + parse unchanged (as a set).
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub fn fuzz_pkcs7_round_trip(data: &[u8]) {
    let _ = pkcs7::parse_certs_only(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = pkcs7::parse_certs_only_base64(text);
    }
    let picked: Vec<Vec<u8>> = data
        .iter()
        .take(MAX_CHAIN_CERTS)
        .map(|b| FUZZ_CERTS[usize::from(*b) % FUZZ_CERTS.len()].to_vec())
        .collect();
    let mut back = pkcs7::parse_certs_only_base64(&pkcs7::certs_only_base64(&picked))
        .expect("a written bundle parses");
    let mut want = picked;
    want.sort();
    back.sort();
    assert_eq!(back, want);
    // Arbitrary blobs written as "certificates" are refused on reading.
    let blobs: Vec<Vec<u8>> = data.chunks(7).take(4).map(<[u8]>::to_vec).collect();
    if !blobs.is_empty() {
        let _ = pkcs7::parse_certs_only(&pkcs7::certs_only_der(&blobs));
    }
}
