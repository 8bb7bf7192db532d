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
