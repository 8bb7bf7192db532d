//! JSON Web Keys (RFC 7517) for verification: EC, RSA, OKP (Ed25519) and
//! symmetric (`oct`) keys, key sets with the checks that prevent key
//! confusion, RFC 7638 thumbprints, and export of public keys.

use std::fmt;

use serde_json::{Map, Value};

use super::b64;
use super::spki::{Curve, PublicKey, rsa_modulus_is_roca};
use crate::crypto::{SecretBytes, hazmat};
use crate::error::{Error, Result};

/// Most keys a [`Jwks`] may hold.
pub const MAX_JWKS_KEYS: usize = 100;
/// Largest JWK or JWKS document accepted, in bytes.
pub const MAX_JWKS_BYTES: usize = 256 * 1024;

/// Key material of a JWK.
pub(crate) enum KeyMaterial {
    Public(PublicKey),
    Oct(SecretBytes),
}

/// One JSON Web Key usable for verification.
///
/// `Debug` never prints key bytes.
pub struct Jwk {
    pub(crate) kid: Option<String>,
    pub(crate) alg: Option<String>,
    pub(crate) use_: Option<String>,
    pub(crate) key_ops: Option<Vec<String>>,
    pub(crate) material: KeyMaterial,
    /// Whether private members (`d`, `p`, …) were present.
    pub(crate) has_private: bool,
    /// The document as given (for the OpenSSL-backed ES512 path).
    pub(crate) raw: Map<String, Value>,
}

impl fmt::Debug for Jwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwk")
            .field("kty", &self.kty())
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("use", &self.use_)
            .field("has_private", &self.has_private)
            .finish_non_exhaustive()
    }
}

fn bad(why: impl Into<String>) -> Error {
    Error::invalid("jwk", why)
}

fn str_member(m: &Map<String, Value>, name: &str) -> Result<Option<String>> {
    match m.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad(format!("member '{name}' must be a string"))),
    }
}

fn b64_member(m: &Map<String, Value>, name: &str) -> Result<Vec<u8>> {
    let s = str_member(m, name)?.ok_or_else(|| bad(format!("member '{name}' is required")))?;
    b64::decode(s.as_bytes()).ok_or_else(|| bad(format!("member '{name}' is not base64url")))
}

impl Jwk {
    /// Parses one JWK from JSON text.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `jwk` for malformed JSON, unknown key
    /// types or curves, or invalid key material.
    pub fn from_json(text: &str) -> Result<Self> {
        if text.len() > MAX_JWKS_BYTES {
            return Err(bad("must be at most 262144 bytes"));
        }
        let v: Value = serde_json::from_str(text).map_err(|_| bad("is not valid JSON"))?;
        Self::from_value(&v)
    }

    /// Parses one JWK from a JSON value.
    ///
    /// # Errors
    /// As [`Jwk::from_json`].
    pub fn from_value(v: &Value) -> Result<Self> {
        let m = v.as_object().ok_or_else(|| bad("must be a JSON object"))?;
        let kty = str_member(m, "kty")?.ok_or_else(|| bad("member 'kty' is required"))?;
        let key_ops = match m.get("key_ops") {
            None => None,
            Some(Value::Array(a)) => Some(
                a.iter()
                    .map(|o| {
                        o.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| bad("'key_ops' must be strings"))
                    })
                    .collect::<Result<Vec<_>>>()?,
            ),
            Some(_) => return Err(bad("'key_ops' must be an array")),
        };
        let private_members: &[&str] = match kty.as_str() {
            "RSA" => &["d", "p", "q", "dp", "dq", "qi", "oth"],
            "EC" | "OKP" => &["d"],
            _ => &[],
        };
        let has_private = private_members.iter().any(|p| m.contains_key(*p));
        let material = match kty.as_str() {
            "EC" => {
                let crv = str_member(m, "crv")?.ok_or_else(|| bad("member 'crv' is required"))?;
                let curve = Curve::from_jwk_name(&crv)
                    .ok_or_else(|| bad("curve must be P-256, P-384 or P-521"))?;
                let (x, y) = (b64_member(m, "x")?, b64_member(m, "y")?);
                let n = curve.coordinate_len();
                if x.len() != n || y.len() != n {
                    return Err(bad("EC coordinates have the wrong length for the curve"));
                }
                let mut point = Vec::with_capacity(1 + 2 * n);
                point.push(4);
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                KeyMaterial::Public(PublicKey::Ec { curve, point })
            }
            "RSA" => {
                let (n, e) = (b64_member(m, "n")?, b64_member(m, "e")?);
                if n.first().is_none_or(|b| *b == 0) || e.first().is_none_or(|b| *b == 0) {
                    return Err(bad("RSA 'n' and 'e' must be minimal and non-zero"));
                }
                KeyMaterial::Public(PublicKey::Rsa { n, e })
            }
            "OKP" => {
                let crv = str_member(m, "crv")?.ok_or_else(|| bad("member 'crv' is required"))?;
                if crv != "Ed25519" {
                    return Err(bad("OKP curve must be Ed25519"));
                }
                let x = b64_member(m, "x")?;
                if x.len() != 32 {
                    return Err(bad("Ed25519 'x' must be 32 bytes"));
                }
                KeyMaterial::Public(PublicKey::Ed25519(x))
            }
            "oct" => KeyMaterial::Oct(SecretBytes::new(b64_member(m, "k")?)),
            _ => return Err(bad("'kty' must be EC, RSA, OKP or oct")),
        };
        Ok(Jwk {
            kid: str_member(m, "kid")?,
            alg: str_member(m, "alg")?,
            use_: str_member(m, "use")?,
            key_ops,
            material,
            has_private,
            raw: m.clone(),
        })
    }

    /// A JWK for a parsed public key, with optional `kid` and `alg`; `use`
    /// is `sig`.
    pub fn from_public_key(key: PublicKey, kid: Option<String>, alg: Option<&str>) -> Self {
        let mut jwk = Jwk {
            kid,
            alg: alg.map(str::to_owned),
            use_: Some("sig".to_owned()),
            key_ops: None,
            material: KeyMaterial::Public(key),
            has_private: false,
            raw: Map::new(),
        };
        jwk.raw = jwk.public_members();
        jwk
    }

    /// A JWK for a PEM public key (see [`PublicKey::from_pem`]).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `public_key`.
    pub fn from_pem(pem: &str, kid: Option<String>) -> Result<Self> {
        Ok(Self::from_public_key(PublicKey::from_pem(pem)?, kid, None))
    }

    /// `kty`: `EC`, `RSA`, `OKP` or `oct`.
    pub fn kty(&self) -> &'static str {
        match &self.material {
            KeyMaterial::Public(PublicKey::Ec { .. }) => "EC",
            KeyMaterial::Public(PublicKey::Rsa { .. }) => "RSA",
            KeyMaterial::Public(PublicKey::Ed25519(_)) => "OKP",
            KeyMaterial::Oct(_) => "oct",
        }
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The declared algorithm, if any.
    pub fn alg(&self) -> Option<&str> {
        self.alg.as_deref()
    }

    /// The public key, unless this is a symmetric key.
    pub fn public_key(&self) -> Option<&PublicKey> {
        match &self.material {
            KeyMaterial::Public(k) => Some(k),
            KeyMaterial::Oct(_) => None,
        }
    }

    /// The required members of the key in lexicographic order (RFC 7638);
    /// for `oct` keys this includes `k`.
    fn required_members(&self) -> Map<String, Value> {
        let mut m = Map::new();
        let s = |v: &str| Value::String(v.to_owned());
        match &self.material {
            KeyMaterial::Public(PublicKey::Ec { curve, point }) => {
                let n = curve.coordinate_len();
                m.insert("crv".into(), s(curve.jwk_name()));
                m.insert("kty".into(), s("EC"));
                m.insert("x".into(), Value::String(b64::encode(&point[1..1 + n])));
                m.insert("y".into(), Value::String(b64::encode(&point[1 + n..])));
            }
            KeyMaterial::Public(PublicKey::Rsa { n, e }) => {
                m.insert("e".into(), Value::String(b64::encode(e)));
                m.insert("kty".into(), s("RSA"));
                m.insert("n".into(), Value::String(b64::encode(n)));
            }
            KeyMaterial::Public(PublicKey::Ed25519(x)) => {
                m.insert("crv".into(), s("Ed25519"));
                m.insert("kty".into(), s("OKP"));
                m.insert("x".into(), Value::String(b64::encode(x)));
            }
            KeyMaterial::Oct(k) => {
                m.insert("k".into(), Value::String(b64::encode(k.expose())));
                m.insert("kty".into(), s("oct"));
            }
        }
        m
    }

    /// The RFC 7638 SHA-256 thumbprint, base64url.
    pub fn thumbprint(&self) -> String {
        // serde_json's Map is ordered by key (no `preserve_order` feature),
        // and its compact output has no whitespace: exactly RFC 7638's form.
        let json = Value::Object(self.required_members()).to_string();
        b64::encode(&hazmat::sha256(json.as_bytes()))
    }

    /// The public members as a JSON object (never `k` or private members;
    /// symmetric keys give only `kty`, `kid`, `alg`, `use`).
    pub fn public_members(&self) -> Map<String, Value> {
        let mut m = match &self.material {
            KeyMaterial::Public(_) => self.required_members(),
            KeyMaterial::Oct(_) => {
                let mut m = Map::new();
                m.insert("kty".into(), Value::String("oct".into()));
                m
            }
        };
        if let Some(k) = &self.kid {
            m.insert("kid".into(), Value::String(k.clone()));
        }
        if let Some(a) = &self.alg {
            m.insert("alg".into(), Value::String(a.clone()));
        }
        if let Some(u) = &self.use_ {
            m.insert("use".into(), Value::String(u.clone()));
        }
        m
    }

    /// Checks the key may verify signatures: `use` absent or `sig`,
    /// `key_ops` absent or containing `verify`, no ROCA-weak RSA modulus.
    pub(crate) fn usable_for(&self, use_: &str, op: &str) -> bool {
        if self.use_.as_deref().is_some_and(|u| u != use_) {
            return false;
        }
        if let Some(ops) = &self.key_ops {
            if !ops.iter().any(|o| o == op) {
                return false;
            }
        }
        if let KeyMaterial::Public(PublicKey::Rsa { n, .. }) = &self.material {
            if rsa_modulus_is_roca(n) {
                return false;
            }
        }
        true
    }
}

/// A JSON Web Key Set for verification.
///
/// Construction refuses sets a verifier could be confused by: duplicate
/// `kid`s, symmetric keys mixed with asymmetric ones (algorithm confusion),
/// and private keys mixed with public ones.
#[derive(Debug, Default)]
pub struct Jwks {
    keys: Vec<Jwk>,
}

impl Jwks {
    /// A set of `keys`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `jwks` for more than 100 keys,
    /// duplicate `kid`s, or mixed symmetric/asymmetric or public/private
    /// keys.
    pub fn new(keys: Vec<Jwk>) -> Result<Self> {
        let bad = |why: &str| Error::invalid("jwks", why.to_owned());
        if keys.len() > MAX_JWKS_KEYS {
            return Err(bad("must hold at most 100 keys"));
        }
        let mut kids = std::collections::HashSet::new();
        for k in &keys {
            if let Some(kid) = &k.kid {
                if !kids.insert(kid.as_str()) {
                    return Err(bad("holds two keys with the same kid"));
                }
            }
        }
        let oct = keys.iter().filter(|k| k.kty() == "oct").count();
        if oct != 0 && oct != keys.len() {
            return Err(bad("must not mix symmetric and asymmetric keys"));
        }
        let private = keys.iter().filter(|k| k.has_private).count();
        if private != 0 && private != keys.len() {
            return Err(bad("must not mix public and private keys"));
        }
        Ok(Jwks { keys })
    }

    /// Parses `{"keys": [...]}`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `jwks` or `jwk`.
    pub fn from_json(text: &str) -> Result<Self> {
        if text.len() > MAX_JWKS_BYTES {
            return Err(Error::invalid("jwks", "must be at most 262144 bytes"));
        }
        let v: Value =
            serde_json::from_str(text).map_err(|_| Error::invalid("jwks", "is not valid JSON"))?;
        let arr = v
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::invalid("jwks", "must be an object with a 'keys' array"))?;
        if arr.len() > MAX_JWKS_KEYS {
            return Err(Error::invalid("jwks", "must hold at most 100 keys"));
        }
        Self::new(arr.iter().map(Jwk::from_value).collect::<Result<_>>()?)
    }

    /// The keys.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// The key with `kid`.
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid.as_deref() == Some(kid))
    }

    /// `{"keys": [...]}` with public members only.
    pub fn to_json_value(&self) -> Value {
        let keys = self
            .keys
            .iter()
            .map(|k| Value::Object(k.public_members()))
            .collect();
        let mut m = Map::new();
        m.insert("keys".into(), Value::Array(keys));
        Value::Object(m)
    }
}
