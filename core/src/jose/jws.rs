//! Compact JWS (RFC 7515): signing with a caller's signer (the engine uses
//! the [`KeyManager`](crate::KeyManager)), and verification against a
//! [`Jwks`] with an algorithm allow-list.
//!
//! Refused whatever the allow-list says: `alg: none` and any unknown
//! algorithm, JSON serialization, `crit` headers (no extension is
//! understood, so RFC 7797 `b64: false` is refused too), padded or
//! non-canonical base64url, an `HS*` algorithm with an asymmetric key and an
//! asymmetric algorithm with a symmetric key (algorithm confusion), keys
//! whose `alg`, `use` or `key_ops` say otherwise, HMAC keys shorter than the
//! hash, RSA keys under 2048 bits or with the ROCA fingerprint.

use serde_json::{Map, Value};

use super::b64;
use super::jwk::{Jwk, Jwks, KeyMaterial};
use super::spki::{Curve, PublicKey};
use crate::error::{Error, Result};

/// Largest compact JWS accepted, in bytes.
pub const MAX_COMPACT_BYTES: usize = 4 * 1024 * 1024;
/// Largest protected header accepted, in bytes (decoded).
pub const MAX_HEADER_BYTES: usize = 8 * 1024;

/// A JWS algorithm (RFC 7518 §3, RFC 8037). `none` is not one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JwsAlgorithm {
    /// HMAC SHA-256 (symmetric keys only).
    Hs256,
    /// HMAC SHA-384 (symmetric keys only).
    Hs384,
    /// HMAC SHA-512 (symmetric keys only).
    Hs512,
    /// RSASSA-PKCS1-v1_5 SHA-256.
    Rs256,
    /// RSASSA-PKCS1-v1_5 SHA-384.
    Rs384,
    /// RSASSA-PKCS1-v1_5 SHA-512.
    Rs512,
    /// RSASSA-PSS SHA-256.
    Ps256,
    /// RSASSA-PSS SHA-384.
    Ps384,
    /// RSASSA-PSS SHA-512.
    Ps512,
    /// ECDSA P-256 SHA-256 (the engine's own algorithm).
    Es256,
    /// ECDSA P-384 SHA-384.
    Es384,
    /// ECDSA P-521 SHA-512.
    Es512,
    /// EdDSA with Ed25519.
    EdDsa,
}

impl JwsAlgorithm {
    /// Every algorithm.
    pub const ALL: &'static [JwsAlgorithm] = &[
        Self::Hs256,
        Self::Hs384,
        Self::Hs512,
        Self::Rs256,
        Self::Rs384,
        Self::Rs512,
        Self::Ps256,
        Self::Ps384,
        Self::Ps512,
        Self::Es256,
        Self::Es384,
        Self::Es512,
        Self::EdDsa,
    ];

    /// The default allow-list for public-key verification: every
    /// asymmetric algorithm, no `HS*`.
    pub const ASYMMETRIC: &'static [JwsAlgorithm] = &[
        Self::Rs256,
        Self::Rs384,
        Self::Rs512,
        Self::Ps256,
        Self::Ps384,
        Self::Ps512,
        Self::Es256,
        Self::Es384,
        Self::Es512,
        Self::EdDsa,
    ];

    /// The registered name (`ES256`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hs256 => "HS256",
            Self::Hs384 => "HS384",
            Self::Hs512 => "HS512",
            Self::Rs256 => "RS256",
            Self::Rs384 => "RS384",
            Self::Rs512 => "RS512",
            Self::Ps256 => "PS256",
            Self::Ps384 => "PS384",
            Self::Ps512 => "PS512",
            Self::Es256 => "ES256",
            Self::Es384 => "ES384",
            Self::Es512 => "ES512",
            Self::EdDsa => "EdDSA",
        }
    }

    /// Parses a registered name (case-sensitive; `none` is `None`).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.as_str() == s)
    }

    fn is_hmac(self) -> bool {
        matches!(self, Self::Hs256 | Self::Hs384 | Self::Hs512)
    }
}

/// A verified JWS.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedJws {
    /// The algorithm that verified.
    pub alg: JwsAlgorithm,
    /// The `kid` of the key that verified, if it has one.
    pub kid: Option<String>,
    /// The protected header.
    pub header: Map<String, Value>,
    /// The payload bytes.
    pub payload: Vec<u8>,
}

/// Why a JWS was refused (internal; the public error is detail-free).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reject {
    Malformed,
    AlgorithmNotAllowed,
    Critical,
    NoKey,
    BadSignature,
    Claims,
}

impl From<Reject> for Error {
    fn from(_: Reject) -> Self {
        Error::VerificationFailed
    }
}

/// The three parts of a compact JWS, decoded.
pub(crate) struct Parsed<'a> {
    pub(crate) signing_input: &'a [u8],
    pub(crate) header: Map<String, Value>,
    pub(crate) payload: Vec<u8>,
    pub(crate) signature: Vec<u8>,
}

/// Splits and decodes a compact JWS. Never panics.
pub(crate) fn parse(token: &[u8]) -> std::result::Result<Parsed<'_>, Reject> {
    if token.len() > MAX_COMPACT_BYTES {
        return Err(Reject::Malformed);
    }
    let mut dots = token
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'.')
        .map(|(i, _)| i);
    let (Some(d1), Some(d2), None) = (dots.next(), dots.next(), dots.next()) else {
        return Err(Reject::Malformed);
    };
    let (h, p, s) = (&token[..d1], &token[d1 + 1..d2], &token[d2 + 1..]);
    if h.is_empty() || h.len() > MAX_HEADER_BYTES * 2 {
        return Err(Reject::Malformed);
    }
    let header_bytes = b64::decode(h).ok_or(Reject::Malformed)?;
    let header: Map<String, Value> =
        serde_json::from_slice(&header_bytes).map_err(|_| Reject::Malformed)?;
    let payload = b64::decode(p).ok_or(Reject::Malformed)?;
    let signature = b64::decode(s).ok_or(Reject::Malformed)?;
    Ok(Parsed {
        signing_input: &token[..d2],
        header,
        payload,
        signature,
    })
}

/// Verifies a compact JWS against `keys`, accepting only `algorithms`.
///
/// The key is the one whose `kid` matches the header's; without a `kid`,
/// each key of a fitting type is tried.
///
/// # Errors
/// [`Error::VerificationFailed`] for every refusal (no detail).
pub fn verify_compact(
    token: &str,
    keys: &Jwks,
    algorithms: &[JwsAlgorithm],
) -> Result<VerifiedJws> {
    verify_inner(token.as_bytes(), keys, algorithms).map_err(Error::from)
}

pub(crate) fn verify_inner(
    token: &[u8],
    keys: &Jwks,
    algorithms: &[JwsAlgorithm],
) -> std::result::Result<VerifiedJws, Reject> {
    let parsed = parse(token)?;
    let alg_name = parsed
        .header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or(Reject::Malformed)?;
    let alg = JwsAlgorithm::parse(alg_name).ok_or(Reject::AlgorithmNotAllowed)?;
    if !algorithms.contains(&alg) {
        return Err(Reject::AlgorithmNotAllowed);
    }
    if parsed.header.contains_key("crit") || parsed.header.contains_key("b64") {
        return Err(Reject::Critical);
    }
    let kid = match parsed.header.get("kid") {
        None => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => return Err(Reject::Malformed),
    };
    let candidates: Vec<&Jwk> = match kid {
        Some(k) => keys.find(k).into_iter().collect(),
        None => keys.keys().iter().collect(),
    };
    let mut any_key = false;
    for key in candidates {
        if !key_fits(key, alg) {
            continue;
        }
        any_key = true;
        if verify_signature(key, alg, parsed.signing_input, &parsed.signature) {
            return Ok(VerifiedJws {
                alg,
                kid: key.kid.clone(),
                header: parsed.header,
                payload: parsed.payload,
            });
        }
    }
    Err(if any_key {
        Reject::BadSignature
    } else {
        Reject::NoKey
    })
}

/// Whether `key` may verify `alg` signatures.
fn key_fits(key: &Jwk, alg: JwsAlgorithm) -> bool {
    if key.alg.as_deref().is_some_and(|a| a != alg.as_str()) || !key.usable_for("sig", "verify") {
        return false;
    }
    match (&key.material, alg) {
        (KeyMaterial::Oct(k), a) if a.is_hmac() => {
            let min = match a {
                JwsAlgorithm::Hs256 => 32,
                JwsAlgorithm::Hs384 => 48,
                _ => 64,
            };
            k.len() >= min
        }
        (KeyMaterial::Oct(_), _)
        | (_, JwsAlgorithm::Hs256 | JwsAlgorithm::Hs384 | JwsAlgorithm::Hs512) => false,
        (KeyMaterial::Public(PublicKey::Rsa { .. }), a) => matches!(
            a,
            JwsAlgorithm::Rs256
                | JwsAlgorithm::Rs384
                | JwsAlgorithm::Rs512
                | JwsAlgorithm::Ps256
                | JwsAlgorithm::Ps384
                | JwsAlgorithm::Ps512
        ),
        (KeyMaterial::Public(PublicKey::Ec { curve, .. }), a) => matches!(
            (curve, a),
            (Curve::P256, JwsAlgorithm::Es256)
                | (Curve::P384, JwsAlgorithm::Es384)
                | (Curve::P521, JwsAlgorithm::Es512)
        ),
        (KeyMaterial::Public(PublicKey::Ed25519(_)), a) => a == JwsAlgorithm::EdDsa,
    }
}

fn verify_signature(key: &Jwk, alg: JwsAlgorithm, msg: &[u8], sig: &[u8]) -> bool {
    use ring::signature as rs;
    match &key.material {
        KeyMaterial::Oct(k) => {
            let algorithm = match alg {
                JwsAlgorithm::Hs256 => ring::hmac::HMAC_SHA256,
                JwsAlgorithm::Hs384 => ring::hmac::HMAC_SHA384,
                _ => ring::hmac::HMAC_SHA512,
            };
            ring::hmac::verify(&ring::hmac::Key::new(algorithm, k.expose()), msg, sig).is_ok()
        }
        KeyMaterial::Public(PublicKey::Rsa { n, e }) => {
            let params: &rs::RsaParameters = match alg {
                JwsAlgorithm::Rs256 => &rs::RSA_PKCS1_2048_8192_SHA256,
                JwsAlgorithm::Rs384 => &rs::RSA_PKCS1_2048_8192_SHA384,
                JwsAlgorithm::Rs512 => &rs::RSA_PKCS1_2048_8192_SHA512,
                JwsAlgorithm::Ps256 => &rs::RSA_PSS_2048_8192_SHA256,
                JwsAlgorithm::Ps384 => &rs::RSA_PSS_2048_8192_SHA384,
                JwsAlgorithm::Ps512 => &rs::RSA_PSS_2048_8192_SHA512,
                _ => return false,
            };
            rs::RsaPublicKeyComponents { n, e }
                .verify(params, msg, sig)
                .is_ok()
        }
        KeyMaterial::Public(PublicKey::Ec { curve, point }) => match curve {
            Curve::P256 => rs::UnparsedPublicKey::new(&rs::ECDSA_P256_SHA256_FIXED, point)
                .verify(msg, sig)
                .is_ok(),
            Curve::P384 => rs::UnparsedPublicKey::new(&rs::ECDSA_P384_SHA384_FIXED, point)
                .verify(msg, sig)
                .is_ok(),
            Curve::P521 => verify_es512(key, msg, sig),
        },
        KeyMaterial::Public(PublicKey::Ed25519(x)) => rs::UnparsedPublicKey::new(&rs::ED25519, x)
            .verify(msg, sig)
            .is_ok(),
    }
}

/// ES512 through OpenSSL (ring has no P-521).
fn verify_es512(key: &Jwk, msg: &[u8], sig: &[u8]) -> bool {
    use josekit::jws::JwsVerifier as _;
    let mut public = key.public_members();
    public.remove("alg");
    public.remove("use");
    let Ok(jwk) = josekit::jwk::Jwk::from_map(public) else {
        return false;
    };
    match josekit::jws::ES512.verifier_from_jwk(&jwk) {
        Ok(v) => v.verify(msg, sig).is_ok(),
        Err(_) => false,
    }
}

/// Builds a compact JWS: `header` (which must hold `alg`) and `payload`,
/// signed by `sign` over the signing input.
///
/// # Errors
/// Those of `sign`; [`Error::Internal`] if the header cannot be encoded.
pub fn sign_compact(
    header: &Map<String, Value>,
    payload: &[u8],
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>>,
) -> Result<String> {
    let header_json =
        serde_json::to_vec(header).map_err(|_| Error::Internal("jws header encoding failed"))?;
    let mut out = String::with_capacity((header_json.len() + payload.len()) * 4 / 3 + 100);
    out.push_str(&b64::encode(&header_json));
    out.push('.');
    out.push_str(&b64::encode(payload));
    let sig = sign(out.as_bytes())?;
    out.push('.');
    out.push_str(&b64::encode(&sig));
    Ok(out)
}

/// The protected header of a compact JWS, without verifying anything (to
/// read `kid`/`alg` before choosing keys). Never panics.
///
/// # Errors
/// [`Error::VerificationFailed`] when the token is malformed.
pub fn peek_header(token: &str) -> Result<Map<String, Value>> {
    parse(token.as_bytes())
        .map(|p| p.header)
        .map_err(Error::from)
}
