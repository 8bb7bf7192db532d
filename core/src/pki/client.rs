//! Client side: a new key pair and a CSR for it, for applications, the CLI
//! and the bindings.

use std::fmt;
use std::net::IpAddr;

use ring::rand::SystemRandom;
use ring::signature::{self as rs, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use zeroize::Zeroizing;

use super::alg::{
    OID_EC_PUBLIC_KEY, OID_ECDSA_SHA256, OID_ECDSA_SHA384, OID_ED25519, OID_P256, OID_P384,
};
use super::cert::{self, extension};
use super::csr::OID_SAN;
use super::{der as w, pem};
use crate::error::{Error, Result};

/// OID of the PKCS#9 extensionRequest attribute (content bytes).
const OID_EXTENSION_REQ: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x0e];

/// PKCS#8, SPKI, signature AlgorithmIdentifier, and the signing function.
type Generated = (
    Vec<u8>,
    Vec<u8>,
    Vec<u8>,
    Box<dyn Fn(&[u8]) -> Result<Vec<u8>>>,
);

/// Key algorithm of [`generate_key_and_csr`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ClientKeyAlgorithm {
    /// ECDSA P-256 (default).
    #[default]
    P256,
    /// ECDSA P-384.
    P384,
    /// Ed25519.
    Ed25519,
}

impl ClientKeyAlgorithm {
    /// Parses `p256`, `p384` or `ed25519`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "p256" => Some(Self::P256),
            "p384" => Some(Self::P384),
            "ed25519" => Some(Self::Ed25519),
            _ => None,
        }
    }
}

/// A new private key (PKCS#8) and its CSR. `Debug` never shows the key.
pub struct ClientKey {
    key_pem: Zeroizing<String>,
    key_der: Zeroizing<Vec<u8>>,
    /// The CSR (PEM).
    pub csr_pem: String,
    /// The CSR (DER).
    pub csr_der: Vec<u8>,
    /// The public key (SubjectPublicKeyInfo DER).
    pub spki_der: Vec<u8>,
}

impl ClientKey {
    /// The private key as PKCS#8 PEM (`PRIVATE KEY`). Keep it secret.
    pub fn key_pkcs8_pem(&self) -> &str {
        &self.key_pem
    }

    /// The private key as PKCS#8 DER. Keep it secret.
    pub fn key_pkcs8_der(&self) -> &[u8] {
        &self.key_der
    }
}

impl fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientKey")
            .field("key", &"<redacted>")
            .field("csr_pem", &self.csr_pem)
            .finish()
    }
}

/// A new key pair of `alg` and a CSR with subject `CN=<common_name>`.
///
/// # Errors
/// [`Error::InvalidInput`] naming `common_name` (1..=64 characters, no
/// control characters); [`Error::Random`] when the generator fails.
pub fn generate_key_and_csr(alg: ClientKeyAlgorithm, common_name: &str) -> Result<ClientKey> {
    generate_key_and_csr_with(alg, common_name, &[], &[])
}

/// As [`generate_key_and_csr`], also requesting DNS and IP subjectAltNames
/// (for router server certificates).
///
/// # Errors
/// As [`generate_key_and_csr`].
pub fn generate_key_and_csr_with(
    alg: ClientKeyAlgorithm,
    common_name: &str,
    dns: &[String],
    ips: &[IpAddr],
) -> Result<ClientKey> {
    let n = common_name.chars().count();
    if n == 0 || n > 64 || common_name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "common_name",
            format!("must be 1..=64 characters without control characters, got {n}"),
        ));
    }
    let rng = SystemRandom::new();
    let (pkcs8, spki, sig_alg, signer): Generated = match alg {
        ClientKeyAlgorithm::P256 | ClientKeyAlgorithm::P384 => {
            let (ring_alg, curve, sig_oid) = if alg == ClientKeyAlgorithm::P256 {
                (
                    &rs::ECDSA_P256_SHA256_ASN1_SIGNING,
                    OID_P256,
                    OID_ECDSA_SHA256,
                )
            } else {
                (
                    &rs::ECDSA_P384_SHA384_ASN1_SIGNING,
                    OID_P384,
                    OID_ECDSA_SHA384,
                )
            };
            let doc = EcdsaKeyPair::generate_pkcs8(ring_alg, &rng).map_err(|_| Error::Random)?;
            let pair = EcdsaKeyPair::from_pkcs8(ring_alg, doc.as_ref(), &rng)
                .map_err(|_| Error::Internal("ring rejected its own key"))?;
            let spki = w::seq(&[
                &w::seq(&[
                    &w::oid(OID_EC_PUBLIC_KEY.as_bytes()),
                    &w::oid(curve.as_bytes()),
                ]),
                &w::bit_string(pair.public_key().as_ref()),
            ]);
            let rng2 = SystemRandom::new();
            (
                doc.as_ref().to_vec(),
                spki,
                w::seq(&[&w::oid(sig_oid.as_bytes())]),
                Box::new(move |m: &[u8]| {
                    pair.sign(&rng2, m)
                        .map(|s| s.as_ref().to_vec())
                        .map_err(|_| Error::Random)
                }),
            )
        }
        ClientKeyAlgorithm::Ed25519 => {
            let doc = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| Error::Random)?;
            let pair = Ed25519KeyPair::from_pkcs8(doc.as_ref())
                .map_err(|_| Error::Internal("ring rejected its own key"))?;
            let spki = w::seq(&[
                &w::seq(&[&w::oid(OID_ED25519.as_bytes())]),
                &w::bit_string(pair.public_key().as_ref()),
            ]);
            // ring writes PKCS#8 v2 (RFC 5958, with the public key);
            // OpenSSL 3.0 reads only v1 (RFC 8410 §7), so write that.
            let v2 = Zeroizing::new(doc.as_ref().to_vec());
            let seed = v2
                .get(16..48)
                .ok_or(Error::Internal("unexpected Ed25519 PKCS#8 layout"))?;
            let inner = Zeroizing::new(w::tlv(w::OCTET_STRING, seed));
            let v1 = w::seq(&[
                &w::small_uint(0),
                &w::seq(&[&w::oid(OID_ED25519.as_bytes())]),
                &w::tlv(w::OCTET_STRING, &inner),
            ]);
            (
                v1,
                spki,
                w::seq(&[&w::oid(OID_ED25519.as_bytes())]),
                Box::new(move |m: &[u8]| Ok(pair.sign(m).as_ref().to_vec())),
            )
        }
    };
    let pkcs8 = Zeroizing::new(pkcs8);
    let attrs = if dns.is_empty() && ips.is_empty() {
        w::cons(0xa0, &[])
    } else {
        let ext = extension(OID_SAN, false, &cert::san(dns, ips, &[]));
        let exts = w::seq(&[&ext]);
        let attr = w::seq(&[&w::oid(OID_EXTENSION_REQ), &w::cons(w::SET, &[&exts])]);
        w::cons(0xa0, &[&attr])
    };
    let info = w::seq(&[
        &w::small_uint(0),
        &cert::cn_name(common_name),
        &spki,
        &attrs,
    ]);
    let sig = signer(&info)?;
    let csr_der = w::seq(&[&info, &sig_alg, &w::bit_string(&sig)]);
    Ok(ClientKey {
        key_pem: Zeroizing::new(pem::encode("PRIVATE KEY", &pkcs8)),
        key_der: pkcs8,
        csr_pem: pem::encode("CERTIFICATE REQUEST", &csr_der),
        csr_der,
        spki_der: spki,
    })
}
