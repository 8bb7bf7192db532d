//! Compact JWE (RFC 7516) through josekit (OpenSSL): encryption to a
//! receiver's public key, and decryption for receivers with an algorithm
//! allow-list.
//!
//! The sender side uses `RSA-OAEP-256` for RSA keys and `ECDH-ES+A256KW` for
//! EC keys, always with `enc` `A256GCM`. The receiver side checks the
//! header, the key's `alg`/`use`/`key_ops`, and every part's length itself
//! before josekit decrypts; `RSA1_5` and `zip` (decompression bombs) are
//! refused unless enabled, PBES2 always.

use std::fmt;

use serde_json::{Map, Value};

use super::b64;
use super::spki::{Curve, PublicKey};
use crate::error::{Error, Result};

/// Largest compact JWE accepted, in bytes.
pub const MAX_COMPACT_BYTES: usize = 4 * 1024 * 1024;

/// A JWE key management algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JweAlgorithm {
    /// RSAES-PKCS1-v1_5: legacy, refused unless allowed explicitly.
    Rsa1_5,
    /// RSAES-OAEP with SHA-1.
    RsaOaep,
    /// RSAES-OAEP with SHA-256 (what the engine sends to RSA keys).
    RsaOaep256,
    /// ECDH-ES direct key agreement.
    EcdhEs,
    /// ECDH-ES + AES-128 key wrap.
    EcdhEsA128Kw,
    /// ECDH-ES + AES-192 key wrap.
    EcdhEsA192Kw,
    /// ECDH-ES + AES-256 key wrap (what the engine sends to EC keys).
    EcdhEsA256Kw,
    /// AES-128 key wrap (symmetric keys).
    A128Kw,
    /// AES-192 key wrap.
    A192Kw,
    /// AES-256 key wrap.
    A256Kw,
    /// AES-128-GCM key wrap.
    A128GcmKw,
    /// AES-192-GCM key wrap.
    A192GcmKw,
    /// AES-256-GCM key wrap.
    A256GcmKw,
    /// Direct use of a shared symmetric key.
    Dir,
}

impl JweAlgorithm {
    /// Every algorithm.
    pub const ALL: &'static [JweAlgorithm] = &[
        Self::Rsa1_5,
        Self::RsaOaep,
        Self::RsaOaep256,
        Self::EcdhEs,
        Self::EcdhEsA128Kw,
        Self::EcdhEsA192Kw,
        Self::EcdhEsA256Kw,
        Self::A128Kw,
        Self::A192Kw,
        Self::A256Kw,
        Self::A128GcmKw,
        Self::A192GcmKw,
        Self::A256GcmKw,
        Self::Dir,
    ];

    /// The registered name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rsa1_5 => "RSA1_5",
            Self::RsaOaep => "RSA-OAEP",
            Self::RsaOaep256 => "RSA-OAEP-256",
            Self::EcdhEs => "ECDH-ES",
            Self::EcdhEsA128Kw => "ECDH-ES+A128KW",
            Self::EcdhEsA192Kw => "ECDH-ES+A192KW",
            Self::EcdhEsA256Kw => "ECDH-ES+A256KW",
            Self::A128Kw => "A128KW",
            Self::A192Kw => "A192KW",
            Self::A256Kw => "A256KW",
            Self::A128GcmKw => "A128GCMKW",
            Self::A192GcmKw => "A192GCMKW",
            Self::A256GcmKw => "A256GCMKW",
            Self::Dir => "dir",
        }
    }

    /// Parses a registered name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.as_str() == s)
    }
}

/// Content encryption algorithms a receiver accepts.
pub const CONTENT_ENCRYPTIONS: &[&str] = &[
    "A128GCM",
    "A192GCM",
    "A256GCM",
    "A128CBC-HS256",
    "A192CBC-HS384",
    "A256CBC-HS512",
];

/// Receiver-side rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JweOptions {
    /// Allowed key management algorithms (default: all but `RSA1_5`).
    pub algorithms: Vec<JweAlgorithm>,
    /// Whether `zip: DEF` is accepted (default false).
    pub allow_compression: bool,
}

impl Default for JweOptions {
    fn default() -> Self {
        JweOptions {
            algorithms: JweAlgorithm::ALL
                .iter()
                .copied()
                .filter(|a| *a != JweAlgorithm::Rsa1_5)
                .collect(),
            allow_compression: false,
        }
    }
}

/// A receiver's private key: a JWK (`RSA`, `EC` or `oct`) or a PKCS#8 /
/// SEC1 / PKCS#1 PEM private key. `Debug` prints no key material.
pub struct DecryptionKey {
    inner: KeyInner,
}

enum KeyInner {
    Jwk {
        jwk: Box<josekit::jwk::Jwk>,
        alg: Option<String>,
        use_: Option<String>,
        key_ops: Option<Vec<String>>,
    },
    Pem(zeroize::Zeroizing<Vec<u8>>),
}

impl fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            KeyInner::Jwk { alg, .. } => write!(f, "DecryptionKey::Jwk(alg: {alg:?})"),
            KeyInner::Pem(_) => f.write_str("DecryptionKey::Pem(<redacted>)"),
        }
    }
}

impl DecryptionKey {
    /// A private JWK.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `jwk` when it is not a JSON object
    /// josekit accepts.
    pub fn from_jwk_json(text: &str) -> Result<Self> {
        if text.len() > super::jwk::MAX_JWKS_BYTES {
            return Err(Error::invalid("jwk", "must be at most 262144 bytes"));
        }
        let map: Map<String, Value> = serde_json::from_str(text)
            .map_err(|_| Error::invalid("jwk", "is not a JSON object"))?;
        let str_of = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_owned);
        let key_ops = map.get("key_ops").and_then(Value::as_array).map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        });
        let (alg, use_) = (str_of("alg"), str_of("use"));
        // These are checked here (see `allows`); josekit would check them
        // again with narrower rules (a `dir` key's `alg` may name its `enc`)
        // and match `kid`s, which is key selection, not decryption.
        let mut map = map;
        for member in ["kid", "alg", "use", "key_ops"] {
            map.remove(member);
        }
        let jwk = josekit::jwk::Jwk::from_map(map)
            .map_err(|_| Error::invalid("jwk", "is not a valid JWK"))?;
        Ok(DecryptionKey {
            inner: KeyInner::Jwk {
                jwk: Box::new(jwk),
                alg,
                use_,
                key_ops,
            },
        })
    }

    /// A PEM private key (`PRIVATE KEY`, `EC PRIVATE KEY` or
    /// `RSA PRIVATE KEY`). It is parsed when used.
    pub fn from_pem(pem: &str) -> Self {
        DecryptionKey {
            inner: KeyInner::Pem(zeroize::Zeroizing::new(pem.as_bytes().to_vec())),
        }
    }

    fn allows(&self, alg: JweAlgorithm, enc: &str) -> bool {
        match &self.inner {
            KeyInner::Pem(_) => true,
            KeyInner::Jwk {
                alg: a,
                use_,
                key_ops,
                ..
            } => {
                a.as_deref()
                    .is_none_or(|a| a == alg.as_str() || (alg == JweAlgorithm::Dir && a == enc))
                    && use_.as_deref().is_none_or(|u| u == "enc")
                    && key_ops.as_ref().is_none_or(|ops| {
                        ops.iter().any(|o| {
                            matches!(
                                o.as_str(),
                                "decrypt" | "unwrapKey" | "deriveKey" | "deriveBits"
                            )
                        })
                    })
            }
        }
    }

    /// josekit's key-management decrypter for `alg` with this key (the
    /// step that unwraps or derives the content key).
    pub(crate) fn decrypter(
        &self,
        alg: JweAlgorithm,
    ) -> Option<Box<dyn josekit::jwe::JweDecrypter>> {
        use josekit::jwe as j;
        macro_rules! make {
            ($a:expr) => {
                match &self.inner {
                    KeyInner::Jwk { jwk, .. } => $a
                        .decrypter_from_jwk(jwk)
                        .ok()
                        .map(|d| Box::new(d) as Box<dyn j::JweDecrypter>),
                    KeyInner::Pem(p) => $a
                        .decrypter_from_pem(p.as_slice())
                        .ok()
                        .map(|d| Box::new(d) as Box<dyn j::JweDecrypter>),
                }
            };
        }
        macro_rules! make_sym {
            ($a:expr) => {
                match &self.inner {
                    KeyInner::Jwk { jwk, .. } => $a
                        .decrypter_from_jwk(jwk)
                        .ok()
                        .map(|d| Box::new(d) as Box<dyn j::JweDecrypter>),
                    KeyInner::Pem(_) => None,
                }
            };
        }
        match alg {
            #[allow(deprecated)] // refused unless a receiver opts in
            JweAlgorithm::Rsa1_5 => make!(j::RSA1_5),
            JweAlgorithm::RsaOaep => make!(j::RSA_OAEP),
            JweAlgorithm::RsaOaep256 => make!(j::RSA_OAEP_256),
            JweAlgorithm::EcdhEs => make!(j::ECDH_ES),
            JweAlgorithm::EcdhEsA128Kw => make!(j::ECDH_ES_A128KW),
            JweAlgorithm::EcdhEsA192Kw => make!(j::ECDH_ES_A192KW),
            JweAlgorithm::EcdhEsA256Kw => make!(j::ECDH_ES_A256KW),
            JweAlgorithm::A128Kw => make_sym!(j::A128KW),
            JweAlgorithm::A192Kw => make_sym!(j::A192KW),
            JweAlgorithm::A256Kw => make_sym!(j::A256KW),
            JweAlgorithm::A128GcmKw => make_sym!(j::A128GCMKW),
            JweAlgorithm::A192GcmKw => make_sym!(j::A192GCMKW),
            JweAlgorithm::A256GcmKw => make_sym!(j::A256GCMKW),
            JweAlgorithm::Dir => make_sym!(j::Dir),
        }
    }
}

/// A decrypted JWE.
#[derive(Clone, Debug, PartialEq)]
pub struct DecryptedJwe {
    /// The key management algorithm used.
    pub alg: JweAlgorithm,
    /// The protected header.
    pub header: Map<String, Value>,
    /// The plaintext.
    pub plaintext: Vec<u8>,
}

/// The key management algorithm the engine uses for `key`: `RSA-OAEP-256`
/// for RSA ≥ 2048 bits, `ECDH-ES+A256KW` for P-256 and P-384.
///
/// # Errors
/// [`Error::InvalidInput`] naming `public_key` for other keys.
pub fn algorithm_for(key: &PublicKey) -> Result<JweAlgorithm> {
    match key {
        PublicKey::Rsa { .. } if key.rsa_bits() >= 2048 => Ok(JweAlgorithm::RsaOaep256),
        PublicKey::Ec {
            curve: Curve::P256 | Curve::P384,
            ..
        } => Ok(JweAlgorithm::EcdhEsA256Kw),
        _ => Err(Error::invalid(
            "public_key",
            "must be RSA (at least 2048 bits) or EC P-256/P-384 to encrypt to",
        )),
    }
}

/// Encrypts `plaintext` to `key` as a compact JWE: `alg` from
/// [`algorithm_for`], `enc` `A256GCM`, the given `cty` and `kid`.
///
/// # Errors
/// [`Error::InvalidInput`] naming `public_key` for an unsupported key;
/// [`Error::Internal`] if OpenSSL fails.
pub fn encrypt(key: &PublicKey, kid: &str, cty: &str, plaintext: &[u8]) -> Result<String> {
    let alg = algorithm_for(key)?;
    let der = key.to_spki_der();
    let mut header = josekit::jwe::JweHeader::new();
    header.set_content_encryption("A256GCM");
    header.set_content_type(cty);
    header.set_key_id(kid);
    let fail = |_| Error::Internal("jwe encryption failed");
    match alg {
        JweAlgorithm::RsaOaep256 => {
            let enc = josekit::jwe::RSA_OAEP_256
                .encrypter_from_der(&der)
                .map_err(fail)?;
            josekit::jwe::serialize_compact(plaintext, &header, &enc).map_err(fail)
        }
        _ => {
            let enc = josekit::jwe::ECDH_ES_A256KW
                .encrypter_from_der(&der)
                .map_err(fail)?;
            josekit::jwe::serialize_compact(plaintext, &header, &enc).map_err(fail)
        }
    }
}

/// The IV and tag lengths, in bytes, that a JWE with content encryption
/// `enc` must have (`None` for an `enc` receivers do not accept).
pub(crate) fn part_lengths(enc: &str) -> Option<(usize, usize)> {
    match enc {
        "A128GCM" | "A192GCM" | "A256GCM" => Some((12, 16)),
        "A128CBC-HS256" => Some((16, 16)),
        "A192CBC-HS384" => Some((16, 24)),
        "A256CBC-HS512" => Some((16, 32)),
        _ => None,
    }
}

/// Decrypts a compact JWE with `key` under `options`.
///
/// # Errors
/// [`Error::VerificationFailed`] for every refusal: malformed input, an
/// algorithm or `enc` not allowed, `crit`, `zip` when not allowed, a key
/// whose `alg`/`use`/`key_ops` forbid it, wrong part lengths, or a failed
/// decryption (no detail).
pub fn decrypt(token: &str, key: &DecryptionKey, options: &JweOptions) -> Result<DecryptedJwe> {
    decrypt_inner(token, key, options).ok_or(Error::VerificationFailed)
}

fn decrypt_inner(token: &str, key: &DecryptionKey, options: &JweOptions) -> Option<DecryptedJwe> {
    if token.len() > MAX_COMPACT_BYTES {
        return None;
    }
    let parts: Vec<&str> = token.split('.').collect();
    let [h, ek, iv, ct, tag] = parts.as_slice() else {
        return None;
    };
    let header: Map<String, Value> = serde_json::from_slice(&b64::decode(h.as_bytes())?).ok()?;
    let alg = JweAlgorithm::parse(header.get("alg")?.as_str()?)?;
    let enc = header.get("enc")?.as_str()?;
    if !options.algorithms.contains(&alg) || !key.allows(alg, enc) {
        return None;
    }
    if !CONTENT_ENCRYPTIONS.contains(&enc) || header.contains_key("crit") {
        return None;
    }
    if header.contains_key("zip") && !options.allow_compression {
        return None;
    }
    let (iv_len, tag_len) = part_lengths(enc)?;
    let direct = matches!(alg, JweAlgorithm::Dir | JweAlgorithm::EcdhEs);
    let ek = b64::decode(ek.as_bytes())?;
    if direct != ek.is_empty() {
        return None;
    }
    if b64::decode(iv.as_bytes())?.len() != iv_len || b64::decode(tag.as_bytes())?.len() != tag_len
    {
        return None;
    }
    b64::decode(ct.as_bytes())?;
    let decrypter = key.decrypter(alg)?;
    let (plaintext, _) = josekit::jwe::deserialize_compact(token, decrypter.as_ref()).ok()?;
    Some(DecryptedJwe {
        alg,
        header,
        plaintext,
    })
}
