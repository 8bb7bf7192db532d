//! Which signature algorithms and public keys are accepted, and signature
//! verification with ring.
//!
//! Accepted signatures: ECDSA with SHA-256/384 on P-256/P-384, Ed25519,
//! RSA PKCS#1 v1.5 and RSASSA-PSS with SHA-256/384/512 and a modulus of
//! 2048..=8192 bits. Everything else is refused by name (MD2/MD4/MD5, SHA-1,
//! SHA-224, DSA, Ed448, …), as are DSA keys, RSA keys under 2048 bits and
//! curves other than P-256/P-384.

use std::fmt;

use der::asn1::ObjectIdentifier as Oid;
use der::{Decode, Encode, Sequence, Tagged};
use ring::signature as rs;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::der as w;

pub(crate) const OID_EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
pub(crate) const OID_P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
pub(crate) const OID_P384: Oid = Oid::new_unwrap("1.3.132.0.34");
pub(crate) const OID_ED25519: Oid = Oid::new_unwrap("1.3.101.112");
pub(crate) const OID_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const OID_ECDSA_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
pub(crate) const OID_ECDSA_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
const OID_RSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
const OID_RSA_SHA256: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
const OID_RSA_SHA384: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
const OID_RSA_SHA512: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
const OID_MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");
const OID_SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
const OID_SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
const OID_SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");

/// Names of refused algorithms, for the error message.
const REFUSED_SIGNATURES: &[(&str, &str)] = &[
    ("1.2.840.113549.1.1.2", "md2WithRSAEncryption"),
    ("1.2.840.113549.1.1.3", "md4WithRSAEncryption"),
    ("1.2.840.113549.1.1.4", "md5WithRSAEncryption"),
    ("1.2.840.113549.1.1.5", "sha1WithRSAEncryption"),
    ("1.3.14.3.2.29", "sha1WithRSASignature"),
    ("1.2.840.113549.1.1.14", "sha224WithRSAEncryption"),
    ("1.2.840.10045.4.1", "ecdsa-with-SHA1"),
    ("1.2.840.10045.4.3.1", "ecdsa-with-SHA224"),
    ("1.2.840.10045.4.3.4", "ecdsa-with-SHA512"),
    ("1.2.840.10040.4.3", "dsa-with-sha1"),
    ("2.16.840.1.101.3.4.3.1", "dsa-with-sha224"),
    ("2.16.840.1.101.3.4.3.2", "dsa-with-sha256"),
    ("1.3.101.113", "Ed448"),
];

const REFUSED_KEYS: &[(&str, &str)] = &[
    ("1.2.840.10040.4.1", "DSA"),
    ("1.3.101.113", "Ed448"),
    ("1.3.101.110", "X25519"),
    ("1.3.101.111", "X448"),
];

const REFUSED_CURVES: &[(&str, &str)] = &[
    ("1.2.840.10045.3.1.1", "P-192"),
    ("1.3.132.0.33", "P-224"),
    ("1.3.132.0.35", "P-521"),
    ("1.3.132.0.10", "secp256k1"),
];

/// A public key type accepted for certificates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// ECDSA on NIST P-256.
    EcP256,
    /// ECDSA on NIST P-384.
    EcP384,
    /// Ed25519.
    Ed25519,
    /// RSA with a modulus of `bits` bits (2048..=8192).
    Rsa {
        /// Modulus size in bits.
        bits: u32,
    },
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyType::EcP256 => f.write_str("EC P-256"),
            KeyType::EcP384 => f.write_str("EC P-384"),
            KeyType::Ed25519 => f.write_str("Ed25519"),
            KeyType::Rsa { bits } => write!(f, "RSA-{bits}"),
        }
    }
}

/// A signature algorithm accepted on CSRs and certificates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// ECDSA with SHA-256.
    EcdsaSha256,
    /// ECDSA with SHA-384.
    EcdsaSha384,
    /// Ed25519.
    Ed25519,
    /// RSA PKCS#1 v1.5 with SHA-256.
    RsaPkcs1Sha256,
    /// RSA PKCS#1 v1.5 with SHA-384.
    RsaPkcs1Sha384,
    /// RSA PKCS#1 v1.5 with SHA-512.
    RsaPkcs1Sha512,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32.
    RsaPssSha256,
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384, salt 48.
    RsaPssSha384,
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512, salt 64.
    RsaPssSha512,
}

impl SignatureAlgorithm {
    /// The usual name (`ecdsa-with-SHA256`, `sha256WithRSAEncryption`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::EcdsaSha256 => "ecdsa-with-SHA256",
            Self::EcdsaSha384 => "ecdsa-with-SHA384",
            Self::Ed25519 => "Ed25519",
            Self::RsaPkcs1Sha256 => "sha256WithRSAEncryption",
            Self::RsaPkcs1Sha384 => "sha384WithRSAEncryption",
            Self::RsaPkcs1Sha512 => "sha512WithRSAEncryption",
            Self::RsaPssSha256 => "RSASSA-PSS-SHA256",
            Self::RsaPssSha384 => "RSASSA-PSS-SHA384",
            Self::RsaPssSha512 => "RSASSA-PSS-SHA512",
        }
    }
}

/// Why an algorithm or key was refused (the text of the error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Refused(pub(crate) String);

fn named(table: &[(&str, &'static str)], oid: &Oid) -> Option<&'static str> {
    let s = oid.to_string();
    table.iter().find(|(o, _)| *o == s).map(|(_, n)| *n)
}

fn params_absent_or_null(alg: &AlgorithmIdentifierOwned) -> bool {
    match &alg.parameters {
        None => true,
        Some(p) => p.tag() == der::Tag::Null && p.value().is_empty(),
    }
}

#[derive(Sequence)]
struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mgf: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer: Option<u32>,
}

fn pss(alg: &AlgorithmIdentifierOwned) -> Result<SignatureAlgorithm, Refused> {
    let bad = |why: &str| Refused(format!("RSASSA-PSS parameters {why}"));
    let params = alg.parameters.as_ref().ok_or_else(|| bad("are missing"))?;
    let der = params.to_der().map_err(|_| bad("are malformed"))?;
    let p = PssParams::from_der(&der).map_err(|_| bad("are malformed"))?;
    let hash = p
        .hash
        .as_ref()
        .ok_or_else(|| bad("use the default SHA-1 hash, which is not allowed"))?;
    let (alg, len) = match hash.oid {
        OID_SHA256 => (SignatureAlgorithm::RsaPssSha256, 32),
        OID_SHA384 => (SignatureAlgorithm::RsaPssSha384, 48),
        OID_SHA512 => (SignatureAlgorithm::RsaPssSha512, 64),
        other => return Err(bad(&format!("name hash {other}, which is not allowed"))),
    };
    let mgf = p
        .mgf
        .as_ref()
        .ok_or_else(|| bad("use the default MGF1-SHA-1"))?;
    let mgf_hash = mgf
        .parameters
        .as_ref()
        .and_then(|a| a.to_der().ok())
        .and_then(|d| AlgorithmIdentifierOwned::from_der(&d).ok());
    if mgf.oid != OID_MGF1 || mgf_hash.map(|h| h.oid) != Some(hash.oid) {
        return Err(bad("must use MGF1 with the same hash"));
    }
    if p.salt != Some(len) {
        return Err(bad(&format!("must use a salt of {len} bytes")));
    }
    if p.trailer.is_some_and(|t| t != 1) {
        return Err(bad("must use trailer field 1"));
    }
    Ok(alg)
}

/// Classifies a signature algorithm identifier.
pub(crate) fn signature_algorithm(
    alg: &AlgorithmIdentifierOwned,
) -> Result<SignatureAlgorithm, Refused> {
    let ec = |a| {
        if alg.parameters.is_none() {
            Ok(a)
        } else {
            Err(Refused(format!(
                "{} must have absent parameters",
                SignatureAlgorithm::name(a)
            )))
        }
    };
    let rsa = |a| {
        if params_absent_or_null(alg) {
            Ok(a)
        } else {
            Err(Refused(format!(
                "{} must have NULL parameters",
                SignatureAlgorithm::name(a)
            )))
        }
    };
    match alg.oid {
        OID_ECDSA_SHA256 => ec(SignatureAlgorithm::EcdsaSha256),
        OID_ECDSA_SHA384 => ec(SignatureAlgorithm::EcdsaSha384),
        OID_ED25519 => ec(SignatureAlgorithm::Ed25519),
        OID_RSA_SHA256 => rsa(SignatureAlgorithm::RsaPkcs1Sha256),
        OID_RSA_SHA384 => rsa(SignatureAlgorithm::RsaPkcs1Sha384),
        OID_RSA_SHA512 => rsa(SignatureAlgorithm::RsaPkcs1Sha512),
        OID_RSA_PSS => pss(alg),
        other => Err(Refused(match named(REFUSED_SIGNATURES, &other) {
            Some(name) => format!("{name} ({other}) is not allowed (weak or unsupported)"),
            None => format!("algorithm {other} is not supported"),
        })),
    }
}

/// The modulus size in bits and the public exponent of an RSAPublicKey.
fn rsa_modulus_bits(key: &[u8]) -> Option<(u32, Vec<u8>)> {
    let (tag, content, rest) = w::read(key)?;
    if tag != w::SEQUENCE || !rest.is_empty() {
        return None;
    }
    let (t1, n, rest) = w::read(content)?;
    let (t2, e, rest) = w::read(rest)?;
    if t1 != w::INTEGER || t2 != w::INTEGER || !rest.is_empty() || n.is_empty() || e.is_empty() {
        return None;
    }
    if n[0] & 0x80 != 0 || e[0] & 0x80 != 0 {
        return None; // negative
    }
    let n = &n[n.iter().take_while(|b| **b == 0).count()..];
    let first = *n.first()?;
    let bits = (n.len() as u32 - 1) * 8 + (8 - first.leading_zeros());
    Some((bits, e.to_vec()))
}

/// Classifies a subject public key: the accepted types, or a refusal naming
/// the weakness.
pub(crate) fn key_type(spki: &SubjectPublicKeyInfoOwned) -> Result<KeyType, Refused> {
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| Refused("public key bit string has unused bits".into()))?;
    match spki.algorithm.oid {
        OID_EC_PUBLIC_KEY => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<Oid>().ok())
                .ok_or_else(|| {
                    Refused("EC key must name its curve (explicit parameters are refused)".into())
                })?;
            let (kt, len) = match curve {
                OID_P256 => (KeyType::EcP256, 65),
                OID_P384 => (KeyType::EcP384, 97),
                other => {
                    return Err(Refused(match named(REFUSED_CURVES, &other) {
                        Some(n) => format!("EC curve {n} is not allowed (only P-256 and P-384)"),
                        None => format!("EC curve {other} is not allowed (only P-256 and P-384)"),
                    }));
                }
            };
            if key.len() != len || key[0] != 4 {
                return Err(Refused(format!(
                    "{kt} public key must be an uncompressed point of {len} bytes"
                )));
            }
            Ok(kt)
        }
        OID_ED25519 => {
            if spki.algorithm.parameters.is_some() || key.len() != 32 {
                return Err(Refused(
                    "Ed25519 public key must be 32 bytes without parameters".into(),
                ));
            }
            Ok(KeyType::Ed25519)
        }
        OID_RSA => {
            if !params_absent_or_null(&spki.algorithm) {
                return Err(Refused("RSA key parameters must be NULL".into()));
            }
            let (bits, e) = rsa_modulus_bits(key)
                .ok_or_else(|| Refused("RSA public key is malformed".into()))?;
            if bits < 2048 {
                return Err(Refused(format!(
                    "RSA key of {bits} bits is too small (at least 2048)"
                )));
            }
            if bits > 8192 {
                return Err(Refused(format!(
                    "RSA key of {bits} bits is too large (at most 8192)"
                )));
            }
            let e = &e[e.iter().take_while(|b| **b == 0).count()..];
            if e.len() > 4 || e.last().is_none_or(|b| b & 1 == 0) || e == [1] || e == [3] {
                return Err(Refused(
                    "RSA public exponent must be odd and at least 5".into(),
                ));
            }
            Ok(KeyType::Rsa { bits })
        }
        other => Err(Refused(match named(REFUSED_KEYS, &other) {
            Some(n) => format!("{n} keys are not allowed"),
            None => format!("key algorithm {other} is not supported"),
        })),
    }
}

/// Verifies `sig` over `msg` by the key `spki` of type `kt` with `alg`.
/// `Err` names a mismatch of key and algorithm, or says the signature does
/// not verify.
pub(crate) fn verify(
    spki: &SubjectPublicKeyInfoOwned,
    kt: KeyType,
    alg: SignatureAlgorithm,
    msg: &[u8],
    sig: &[u8],
) -> Result<(), Refused> {
    use SignatureAlgorithm as S;
    let ring_alg: &dyn rs::VerificationAlgorithm = match (kt, alg) {
        (KeyType::EcP256, S::EcdsaSha256) => &rs::ECDSA_P256_SHA256_ASN1,
        (KeyType::EcP256, S::EcdsaSha384) => &rs::ECDSA_P256_SHA384_ASN1,
        (KeyType::EcP384, S::EcdsaSha256) => &rs::ECDSA_P384_SHA256_ASN1,
        (KeyType::EcP384, S::EcdsaSha384) => &rs::ECDSA_P384_SHA384_ASN1,
        (KeyType::Ed25519, S::Ed25519) => &rs::ED25519,
        (KeyType::Rsa { .. }, S::RsaPkcs1Sha256) => &rs::RSA_PKCS1_2048_8192_SHA256,
        (KeyType::Rsa { .. }, S::RsaPkcs1Sha384) => &rs::RSA_PKCS1_2048_8192_SHA384,
        (KeyType::Rsa { .. }, S::RsaPkcs1Sha512) => &rs::RSA_PKCS1_2048_8192_SHA512,
        (KeyType::Rsa { .. }, S::RsaPssSha256) => &rs::RSA_PSS_2048_8192_SHA256,
        (KeyType::Rsa { .. }, S::RsaPssSha384) => &rs::RSA_PSS_2048_8192_SHA384,
        (KeyType::Rsa { .. }, S::RsaPssSha512) => &rs::RSA_PSS_2048_8192_SHA512,
        _ => {
            return Err(Refused(format!(
                "signature algorithm {} does not fit a {kt} key",
                alg.name()
            )));
        }
    };
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| Refused("public key bit string has unused bits".into()))?;
    rs::UnparsedPublicKey::new(ring_alg, key)
        .verify(msg, sig)
        .map_err(|_| Refused("signature does not verify".into()))
}

/// The DER AlgorithmIdentifier a key of `kt` signs certificates with.
pub(crate) fn signing_alg_der(kt: KeyType) -> Option<Vec<u8>> {
    match kt {
        KeyType::EcP256 => Some(w::seq(&[&w::oid(OID_ECDSA_SHA256.as_bytes())])),
        KeyType::EcP384 => Some(w::seq(&[&w::oid(OID_ECDSA_SHA384.as_bytes())])),
        KeyType::Ed25519 => Some(w::seq(&[&w::oid(OID_ED25519.as_bytes())])),
        KeyType::Rsa { .. } => None,
    }
}
