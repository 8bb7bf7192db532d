//! The enrollment signing key: an ES256 key in the [`KeyManager`](crate::KeyManager)
//! (id [`Policy::enrollment_signing_key`](crate::Policy::enrollment_signing_key),
//! created on first use), the tenant's enrollment JWKS, enrollment JWT
//! signing and parsing, and the enrollment challenge.
//!
//! The key manager only exposes the primary version's public key, so each
//! tenant records the public keys it has signed with (table
//! [`Table::EnrollmentSigningKeys`], one record per tenant). After a rotation
//! the previous key stays in the JWKS for
//! [`Policy::enrollment_key_retention_secs`](crate::Policy::enrollment_key_retention_secs)
//! (at least the token lifetime), so tokens it signed keep verifying until
//! they expire. `kid` is the key's RFC 7638 thumbprint.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::codec::{self, bytes::ByteBuf};
use crate::crypto::hazmat;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::jose::jws::{self, JwsAlgorithm};
use crate::jose::{Curve, Jwk, Jwks, PublicKey, base64url_encode};
use crate::kms::{KeyAlgorithm, KeyId, KmsError};
use crate::namespace::TenantId;
use crate::services::UnixTime;
use crate::store::{Op, Table, Version};

use super::EnrollmentMethod;

/// The `typ` header of enrollment JWTs.
pub const ENROLLMENT_JWT_TYP: &str = "JWT";
/// Longest enrollment JWT accepted, in bytes.
pub const MAX_ENROLLMENT_JWT_BYTES: usize = 8 * 1024;
/// The algorithm of enrollment JWTs and challenges.
pub const ENROLLMENT_ALGORITHM: &str = "ES256";
/// The prefix of the one-time token carried in `jti`.
pub const ENROLLMENT_TOKEN_PREFIX: &str = "ccen";
/// Domain separation of challenge signatures.
const CHALLENGE_LABEL: &str = "credcycle-enrollment-challenge/v1";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, Default)]
pub(crate) struct PublishedRecord {
    pub(crate) keys: Vec<PublishedKey>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct PublishedKey {
    pub(crate) kid: String,
    pub(crate) kms_key: String,
    pub(crate) kms_version: u32,
    pub(crate) spki: ByteBuf,
    pub(crate) created: i64,
    #[serde(default)]
    pub(crate) retired: Option<i64>,
    #[serde(default)]
    pub(crate) expires: Option<i64>,
}

/// The claims of an enrollment JWT, as read by [`parse_enrollment_jwt`] (no
/// signature check) or [`verify_enrollment_jwt`].
#[derive(Clone, PartialEq, Eq)]
pub struct EnrollmentClaims {
    /// `em`: the enrollment method.
    pub method: EnrollmentMethod,
    /// `jti`: the one-time token.
    pub jti: zeroize::Zeroizing<String>,
    /// `sub`: the identity id (empty for CA auto-enrollment, which has no
    /// token).
    pub sub: String,
    /// `iss`.
    pub iss: String,
    /// `exp` (Unix seconds).
    pub exp: i64,
    /// `iat` (Unix seconds), if present.
    pub iat: Option<i64>,
    /// `kid` of the header.
    pub kid: String,
}

impl std::fmt::Debug for EnrollmentClaims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrollmentClaims")
            .field("method", &self.method)
            .field("jti", &"<redacted>")
            .field("sub", &self.sub)
            .field("iss", &self.iss)
            .field("exp", &self.exp)
            .field("iat", &self.iat)
            .field("kid", &self.kid)
            .finish()
    }
}

/// The answer to an enrollment challenge (seed "Allows verification of a
/// controller"): the client checks `signature` with the JWKS key `kid`
/// ([`verify_challenge`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    /// `ES256`.
    pub algorithm: String,
    /// The signing key's id (in the enrollment JWKS).
    pub kid: String,
    /// base64url (no padding) of the 64-byte `r || s` ES256 signature over
    /// [`challenge_message`]`(nonce, ca_pool)`.
    pub signature: String,
    /// The CA bundle (PEM) the client should trust for this tenant; covered
    /// by the signature.
    pub ca_pool: String,
}

/// The bytes a challenge signature covers: a label, the nonce (lower-case
/// UUID) and the SHA-256 of the CA pool, so a client that checks the
/// signature also knows the CA pool came from the key holder.
pub fn challenge_message(nonce: &str, ca_pool: &str) -> Vec<u8> {
    let mut m = Vec::with_capacity(128);
    m.extend_from_slice(CHALLENGE_LABEL.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(nonce.to_ascii_lowercase().as_bytes());
    m.push(b'\n');
    m.extend_from_slice(base64url_encode(&hazmat::sha256(ca_pool.as_bytes())).as_bytes());
    m
}

/// Checks that `nonce` is a UUID in its textual form (8-4-4-4-12 hex
/// digits, any case); returns it in lower case.
///
/// # Errors
/// [`Error::InvalidInput`] naming `nonce`.
pub fn check_nonce(nonce: &str) -> Result<String> {
    let b = nonce.as_bytes();
    let ok = b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        });
    if !ok {
        return Err(Error::invalid(
            "nonce",
            "must be a UUID (8-4-4-4-12 hex digits)",
        ));
    }
    Ok(nonce.to_ascii_lowercase())
}

/// Client side: checks a [`Challenge`] against the enrollment JWKS the
/// client fetched (or pinned) and the nonce it sent. Only ES256 with a P-256
/// key from `jwks` whose `kid` is the challenge's is accepted.
///
/// # Errors
/// [`Error::InvalidInput`] naming `nonce`; [`Error::VerificationFailed`] when
/// the algorithm, key or signature does not match.
pub fn verify_challenge(jwks: &Jwks, nonce: &str, challenge: &Challenge) -> Result<()> {
    let nonce = check_nonce(nonce)?;
    if challenge.algorithm != ENROLLMENT_ALGORITHM {
        return Err(Error::VerificationFailed);
    }
    let key = jwks.find(&challenge.kid).ok_or(Error::VerificationFailed)?;
    let Some(PublicKey::Ec {
        curve: Curve::P256,
        point,
    }) = key.public_key()
    else {
        return Err(Error::VerificationFailed);
    };
    use base64::Engine as _;
    let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(challenge.signature.as_bytes())
        .map_err(|_| Error::VerificationFailed)?;
    let msg = challenge_message(&nonce, &challenge.ca_pool);
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, point)
        .verify(&msg, &sig)
        .map_err(|_| Error::VerificationFailed)
}

/// Reads an enrollment JWT **without** checking its signature (to show a
/// client what it holds, or to pick the key): header `alg` must be ES256
/// with a `kid`; `em`, `jti`, `sub`, `iss` and `exp` must be present and
/// well-typed. Never panics on any input.
///
/// # Errors
/// [`Error::InvalidInput`] naming `token` and what is wrong.
pub fn parse_enrollment_jwt(token: &str) -> Result<EnrollmentClaims> {
    let bad = |why: &str| Error::invalid("token", format!("not an enrollment jwt: {why}"));
    if token.len() > MAX_ENROLLMENT_JWT_BYTES {
        return Err(Error::invalid(
            "token",
            format!(
                "must be at most {MAX_ENROLLMENT_JWT_BYTES} bytes, got {}",
                token.len()
            ),
        ));
    }
    let parsed = jws::parse(token.as_bytes()).map_err(|_| bad("malformed compact jws"))?;
    if parsed.header.get("alg").and_then(Value::as_str) != Some(ENROLLMENT_ALGORITHM) {
        return Err(bad("alg must be ES256"));
    }
    let kid = parsed
        .header
        .get("kid")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty() && k.len() <= 128)
        .ok_or_else(|| bad("kid header missing"))?
        .to_owned();
    let claims: Map<String, Value> =
        serde_json::from_slice(&parsed.payload).map_err(|_| bad("claims are not a json object"))?;
    claims_from_map(&claims, kid).map_err(bad)
}

fn claims_from_map(
    claims: &Map<String, Value>,
    kid: String,
) -> std::result::Result<EnrollmentClaims, &'static str> {
    let s = |name: &'static str| -> std::result::Result<String, &'static str> {
        claims
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or(name)
    };
    let method = EnrollmentMethod::parse(&s("em")?).ok_or("em")?;
    let jti = zeroize::Zeroizing::new(s("jti")?);
    let sub = s("sub")?;
    let iss = s("iss")?;
    let exp = claims.get("exp").and_then(Value::as_i64).ok_or("exp")?;
    let iat = match claims.get("iat") {
        None => None,
        Some(v) => Some(v.as_i64().ok_or("iat")?),
    };
    Ok(EnrollmentClaims {
        method,
        jti,
        sub,
        iss,
        exp,
        iat,
        kid,
    })
}

/// Verifies an enrollment JWT against an enrollment JWKS at `now`: ES256
/// only, signed by the listed key its `kid` names, `typ` JWT, `iss` =
/// `issuer`, then the claims as [`parse_enrollment_jwt`], then `exp` (no
/// leeway: the engine's own clock set it).
///
/// # Errors
/// [`Error::InvalidInput`] naming `token` for a malformed token;
/// [`Error::VerificationFailed`] for a bad signature, unknown key, wrong
/// `typ` or issuer; [`Error::State`] (`EXPIRED`) for an expired token.
pub fn verify_enrollment_jwt(
    token: &str,
    jwks: &Jwks,
    issuer: &str,
    now: UnixTime,
) -> Result<EnrollmentClaims> {
    let claims = parse_enrollment_jwt(token)?;
    let verified = jws::verify_compact(token, jwks, &[JwsAlgorithm::Es256])?;
    if verified.kid.as_deref() != Some(claims.kid.as_str())
        || verified.header.get("typ").and_then(Value::as_str) != Some(ENROLLMENT_JWT_TYP)
        || claims.iss != issuer
    {
        return Err(Error::VerificationFailed);
    }
    if now.secs() >= claims.exp {
        return Err(Error::State {
            what: "enrollment token",
            state: "EXPIRED",
            operation: "enroll",
        });
    }
    Ok(claims)
}

/// The enrollment signing key of one tenant.
#[derive(Clone, Debug)]
pub(crate) struct EnrollmentKeys {
    engine: Engine,
    tenant: TenantId,
}

pub(crate) struct CurrentKey {
    pub(crate) kms_key: KeyId,
    pub(crate) kid: String,
}

impl EnrollmentKeys {
    pub(crate) fn new(engine: Engine, tenant: TenantId) -> Self {
        EnrollmentKeys { engine, tenant }
    }

    fn record_key(&self) -> Vec<u8> {
        self.tenant.key(&["enrollment-keys"])
    }

    fn key_id(&self) -> &KeyId {
        &self.engine.policy().enrollment_signing_key
    }

    /// Creates the key if missing and publishes its current version.
    pub(crate) fn current(&self) -> Result<CurrentKey> {
        let keys = self.engine.keys();
        let id = self.key_id().clone();
        let info = match keys.key_info(&id)? {
            Some(i) => i,
            None => match keys.create_key(&id, KeyAlgorithm::EcdsaP256Sha256) {
                Ok(i) => i,
                Err(KmsError::AlreadyExists) => {
                    keys.key_info(&id)?.ok_or(Error::Kms(KmsError::NotFound))?
                }
                Err(e) => return Err(e.into()),
            },
        };
        if info.algorithm != KeyAlgorithm::EcdsaP256Sha256 {
            return Err(Error::Kms(KmsError::WrongPurpose {
                purpose: info.purpose,
                operation: "enrollment signing (needs a P-256 key)",
            }));
        }
        let (rec, _) = self.load()?;
        if let Some(k) = rec
            .keys
            .iter()
            .find(|k| k.retired.is_none() && k.kms_version == info.primary_version)
        {
            return Ok(CurrentKey {
                kms_key: id,
                kid: k.kid.clone(),
            });
        }
        let spki = keys.public_key(&id)?;
        let public = PublicKey::from_spki_der(&spki)
            .map_err(|_| Error::Internal("key manager returned an unparsable public key"))?;
        let kid = Jwk::from_public_key(public, None, None).thumbprint();
        self.publish(&id, info.primary_version, &kid, &spki)?;
        Ok(CurrentKey { kms_key: id, kid })
    }

    fn publish(&self, id: &KeyId, version: u32, kid: &str, spki: &[u8]) -> Result<()> {
        let store = &self.engine.services().store;
        let retention = self.engine.policy().enrollment_key_retention_secs;
        self.engine.retry(|| {
            let now = self.engine.services().clock.now().secs();
            let (mut rec, ver) = self.load()?;
            if rec.keys.iter().any(|k| k.kid == kid && k.retired.is_none()) {
                return Ok(());
            }
            for k in rec.keys.iter_mut().filter(|k| k.retired.is_none()) {
                k.retired = Some(now);
                k.expires = Some(now.saturating_add(retention));
            }
            rec.keys
                .retain(|k| k.kid != kid && k.expires.is_none_or(|e| e > now));
            rec.keys.push(PublishedKey {
                kid: kid.to_owned(),
                kms_key: id.as_str().to_owned(),
                kms_version: version,
                spki: ByteBuf(spki.to_vec()),
                created: now,
                retired: None,
                expires: None,
            });
            store.commit(&[Op::Put {
                table: Table::EnrollmentSigningKeys,
                key: self.record_key(),
                value: codec::encode(&rec)?,
                expect: ver,
            }])?;
            Ok(())
        })
    }

    fn load(&self) -> Result<(PublishedRecord, Version)> {
        match self
            .engine
            .services()
            .store
            .get(Table::EnrollmentSigningKeys, &self.record_key())?
        {
            Some(r) => Ok((
                codec::decode(&r.value, "enrollment signing keys")?,
                r.version,
            )),
            None => Ok((PublishedRecord::default(), Version::ABSENT)),
        }
    }

    /// Rotates the key manager key and publishes the new version.
    pub(crate) fn rotate(&self) -> Result<String> {
        self.current()?;
        self.engine.keys().rotate_key(self.key_id())?;
        Ok(self.current()?.kid)
    }

    /// The JWKS: the current key and the previous ones still retained.
    pub(crate) fn jwks(&self) -> Result<Jwks> {
        self.current()?;
        let now = self.engine.services().clock.now().secs();
        let (rec, _) = self.load()?;
        let keys = rec
            .keys
            .iter()
            .filter(|k| k.expires.is_none_or(|e| e > now))
            .map(|k| {
                let public = PublicKey::from_spki_der(&k.spki.0)
                    .map_err(|_| Error::corrupt("enrollment signing key"))?;
                if !matches!(
                    public,
                    PublicKey::Ec {
                        curve: Curve::P256,
                        ..
                    }
                ) {
                    return Err(Error::corrupt("enrollment signing key"));
                }
                Ok(Jwk::from_public_key(
                    public,
                    Some(k.kid.clone()),
                    Some(ENROLLMENT_ALGORITHM),
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Jwks::new(keys)
    }

    /// Signs the claims of an enrollment JWT.
    pub(crate) fn sign_jwt(&self, claims: &Map<String, Value>) -> Result<String> {
        let key = self.current()?;
        let mut header = Map::new();
        header.insert("alg".into(), Value::String(ENROLLMENT_ALGORITHM.into()));
        header.insert("typ".into(), Value::String(ENROLLMENT_JWT_TYP.into()));
        header.insert("kid".into(), Value::String(key.kid));
        let payload = serde_json::to_vec(claims)
            .map_err(|_| Error::Internal("jwt claims encoding failed"))?;
        let keys = self.engine.keys();
        jws::sign_compact(&header, &payload, |msg| {
            keys.sign(&key.kms_key, msg).map_err(Error::from)
        })
    }

    /// Signs a challenge with the key `kid` names (it must be the current
    /// key: the key manager signs only with the primary version).
    pub(crate) fn challenge(&self, kid: &str, nonce: &str, ca_pool: String) -> Result<Challenge> {
        let nonce = check_nonce(nonce)?;
        if kid.is_empty() || kid.len() > 128 {
            return Err(Error::invalid("kid", "must be 1..=128 bytes"));
        }
        let key = self.current()?;
        if key.kid != kid {
            let (rec, _) = self.load()?;
            return Err(if rec.keys.iter().any(|k| k.kid == kid) {
                Error::State {
                    what: "enrollment signing key",
                    state: "RETIRED",
                    operation: "challenge",
                }
            } else {
                Error::NotFound {
                    what: "enrollment signing key",
                }
            });
        }
        let sig = self
            .engine
            .keys()
            .sign(&key.kms_key, &challenge_message(&nonce, &ca_pool))?;
        Ok(Challenge {
            algorithm: ENROLLMENT_ALGORITHM.to_owned(),
            kid: key.kid,
            signature: base64url_encode(&sig),
            ca_pool,
        })
    }
}
