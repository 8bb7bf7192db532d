//! Action targets (signed/encrypted payloads) and the engine's JOSE
//! token-signing key.

use std::sync::Arc;
use std::time::Duration;

use credcycle::jose::Jose as CoreJose;
use credcycle::targets::{
    CreateTarget, InterruptUpdate, PayloadType, SignatureScheme, Target, TargetType, UpdateTarget,
};
use credcycle::{Clock, UnixTime};
use zeroize::Zeroizing;

use super::{json_object, json_text};
use crate::error::{Error, Result};

/// One HTTP header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The name.
    pub name: String,
    /// The value.
    pub value: String,
}

/// A target's HMAC signing key (never the key itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningKeyInfo {
    /// Its number on the target (1, 2, …).
    pub number: u64,
    /// When it was made.
    pub create_time: i64,
    /// When it stops signing, if a newer key replaced it with a grace period.
    pub expire_time: Option<i64>,
}

/// A receiver's public encryption key on a target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptionKeyInfo {
    /// `SHA256:` + base64 of the SHA-256 of its SubjectPublicKeyInfo; its id
    /// and the JWE `kid`.
    pub fingerprint: String,
    /// `RSA-<bits>`, `EC-P256` or `EC-P384`.
    pub kind: String,
    /// The JWE key management algorithm used with it.
    pub algorithm: String,
    /// When it was added.
    pub create_time: i64,
    /// When it stops being usable, if ever.
    pub expire_time: Option<i64>,
    /// Whether payloads are encrypted to it.
    pub active: bool,
}

/// A target's metadata (signing keys are never included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetInfo {
    /// UUID.
    pub id: String,
    /// Name (1..=1000 characters).
    pub name: String,
    /// Absolute `http`/`https` URL (≤ 2048 characters).
    pub endpoint: String,
    /// Call timeout in milliseconds (> 0, ≤ 270,000).
    pub timeout_ms: u64,
    /// `REST_WEBHOOK`, `REST_CALL` or `REST_ASYNC`.
    pub target_type: String,
    /// Whether a failure stops the execution (always false for `REST_ASYNC`).
    pub interrupt_on_error: bool,
    /// `JSON`, `JWT` or `JWE`.
    pub payload_type: String,
    /// `ZITADEL` or `STANDARD_WEBHOOKS`.
    pub scheme: String,
    /// Header name of the Zitadel scheme.
    pub signature_header: String,
    /// Signing keys, oldest first.
    pub signing_keys: Vec<SigningKeyInfo>,
    /// Encryption keys, in the order added.
    pub encryption_keys: Vec<EncryptionKeyInfo>,
    /// Creation time.
    pub create_time: i64,
    /// Last change.
    pub change_date: i64,
}

fn opt_secs(t: Option<UnixTime>) -> Option<i64> {
    t.map(UnixTime::secs)
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl From<credcycle::targets::EncryptionKeyInfo> for EncryptionKeyInfo {
    fn from(k: credcycle::targets::EncryptionKeyInfo) -> Self {
        EncryptionKeyInfo {
            fingerprint: k.fingerprint,
            kind: k.kind,
            algorithm: k.algorithm.to_owned(),
            create_time: k.create_time.secs(),
            expire_time: opt_secs(k.expire_time),
            active: k.active,
        }
    }
}

impl From<Target> for TargetInfo {
    fn from(t: Target) -> Self {
        TargetInfo {
            id: t.id,
            name: t.name,
            endpoint: t.endpoint,
            timeout_ms: ms(t.timeout),
            target_type: t.target_type.as_str().to_owned(),
            interrupt_on_error: t.target_type.interrupt_on_error(),
            payload_type: t.payload_type.as_str().to_owned(),
            scheme: t.scheme.as_str().to_owned(),
            signature_header: t.signature_header,
            signing_keys: t
                .signing_keys
                .into_iter()
                .map(|k| SigningKeyInfo {
                    number: k.number,
                    create_time: k.create_time.secs(),
                    expire_time: opt_secs(k.expire_time),
                })
                .collect(),
            encryption_keys: t
                .encryption_keys
                .into_iter()
                .map(EncryptionKeyInfo::from)
                .collect(),
            create_time: t.create_time.secs(),
            change_date: t.change_date.secs(),
        }
    }
}

/// Options of [`Targets::create`]; `None` keeps the engine's default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateTargetOptions {
    /// Timeout in milliseconds (default 10,000; > 0, ≤ 270,000).
    pub timeout_ms: Option<u64>,
    /// `REST_WEBHOOK` (default), `REST_CALL` or `REST_ASYNC`.
    pub target_type: Option<String>,
    /// Whether a failure stops the execution (default false; refused for
    /// `REST_ASYNC`).
    pub interrupt_on_error: Option<bool>,
    /// `JSON` (default), `JWT` or `JWE`.
    pub payload_type: Option<String>,
    /// `ZITADEL` (default) or `STANDARD_WEBHOOKS`.
    pub scheme: Option<String>,
    /// Zitadel-scheme header name (default `ZITADEL-Signature`).
    pub signature_header: Option<String>,
    /// A receiver's public key (PEM SubjectPublicKeyInfo), added as the
    /// active encryption key in the same commit (needed for `JWE`).
    pub encryption_key_pem: Option<String>,
}

/// What [`Targets::create`] returns.
#[derive(Debug)]
pub struct CreatedTargetInfo {
    /// The target.
    pub target: TargetInfo,
    /// Its first signing key as `whsec_` + base64, shown once.
    pub signing_key: Zeroizing<String>,
}

/// Options of [`Targets::update`]; `None` leaves a field unchanged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdateTargetOptions {
    /// New name.
    pub name: Option<String>,
    /// New timeout in milliseconds.
    pub timeout_ms: Option<u64>,
    /// New endpoint.
    pub endpoint: Option<String>,
    /// Make a new signing key; the old ones keep signing for this many
    /// seconds (0: retired at once; at most the policy's grace, 7 days).
    pub expiration_signing_key_secs: Option<u64>,
    /// New payload type.
    pub payload_type: Option<String>,
    /// New type (`interrupt_on_error` is kept across the change unless
    /// given).
    pub target_type: Option<String>,
    /// Sets `interrupt_on_error` on the resulting type (refused for
    /// `REST_ASYNC`).
    pub interrupt_on_error: Option<bool>,
}

/// What [`Targets::update`] returns.
#[derive(Debug)]
pub struct TargetUpdateResult {
    /// When the change was made.
    pub change_date: i64,
    /// The new signing key (`whsec_` + base64), only when
    /// `expiration_signing_key_secs` was given.
    pub signing_key: Option<Zeroizing<String>>,
}

/// The exact request to send to a target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedRequestInfo {
    /// Headers to set, `content-type` first.
    pub headers: Vec<Header>,
    /// The body.
    pub body: Vec<u8>,
}

fn target_type(s: &str, interrupt: bool) -> Result<TargetType> {
    match s.to_ascii_uppercase().as_str() {
        "REST_WEBHOOK" => Ok(TargetType::RestWebhook {
            interrupt_on_error: interrupt,
        }),
        "REST_CALL" => Ok(TargetType::RestCall {
            interrupt_on_error: interrupt,
        }),
        "REST_ASYNC" if !interrupt => Ok(TargetType::RestAsync),
        "REST_ASYNC" => Err(Error::invalid(
            "interrupt_on_error",
            "REST_ASYNC targets have no interrupt_on_error",
        )),
        _ => Err(Error::invalid(
            "target_type",
            "must be REST_WEBHOOK, REST_CALL or REST_ASYNC",
        )),
    }
}

fn payload_type(s: &str) -> Result<PayloadType> {
    PayloadType::parse(s).ok_or_else(|| Error::invalid("payload_type", "must be JSON, JWT or JWE"))
}

fn scheme(s: &str) -> Result<SignatureScheme> {
    match s.to_ascii_uppercase().as_str() {
        "ZITADEL" => Ok(SignatureScheme::Zitadel),
        "STANDARD_WEBHOOKS" => Ok(SignatureScheme::StandardWebhooks),
        _ => Err(Error::invalid(
            "scheme",
            "must be ZITADEL or STANDARD_WEBHOOKS",
        )),
    }
}

/// The action targets of one tenant. Cheap to clone, thread-safe.
#[derive(Clone, Debug)]
pub struct Targets {
    pub(crate) inner: credcycle::targets::Targets,
    pub(crate) clock: Arc<dyn Clock>,
}

impl Targets {
    /// Creates a target with a first signing key (operation
    /// `targets.create`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming the field and the limit.
    pub fn create(
        &self,
        name: &str,
        endpoint: &str,
        options: CreateTargetOptions,
    ) -> Result<CreatedTargetInfo> {
        let mut req = CreateTarget::new(name, endpoint);
        if let Some(t) = options.timeout_ms {
            req.timeout = Duration::from_millis(t);
        }
        let interrupt = options.interrupt_on_error.unwrap_or(false);
        req.target_type = target_type(
            options.target_type.as_deref().unwrap_or("REST_WEBHOOK"),
            interrupt,
        )?;
        if let Some(p) = &options.payload_type {
            req.payload_type = payload_type(p)?;
        }
        if let Some(s) = &options.scheme {
            req.scheme = scheme(s)?;
        }
        req.signature_header = options.signature_header;
        req.encryption_key = options.encryption_key_pem;
        let c = self.inner.create(req)?;
        Ok(CreatedTargetInfo {
            target: c.target.into(),
            signing_key: Zeroizing::new(c.signing_key.reveal()),
        })
    }

    /// A target (operation `targets.get`).
    ///
    /// # Errors
    /// `NOT_FOUND`.
    pub fn get(&self, id: &str) -> Result<TargetInfo> {
        Ok(self.inner.get(id)?.into())
    }

    /// Every target of the tenant (operation `targets.list`).
    ///
    /// # Errors
    /// Store failures.
    pub fn list(&self) -> Result<Vec<TargetInfo>> {
        Ok(self
            .inner
            .list()?
            .into_iter()
            .map(TargetInfo::from)
            .collect())
    }

    /// Changes a target; with `expiration_signing_key_secs`, makes a new
    /// signing key (operation `targets.update`).
    ///
    /// # Errors
    /// `NOT_FOUND`; `INVALID_INPUT` naming the field.
    pub fn update(&self, id: &str, options: UpdateTargetOptions) -> Result<TargetUpdateResult> {
        let req = UpdateTarget {
            name: options.name,
            timeout: options.timeout_ms.map(Duration::from_millis),
            endpoint: options.endpoint,
            expiration_signing_key: options.expiration_signing_key_secs.map(Duration::from_secs),
            payload_type: options
                .payload_type
                .as_deref()
                .map(payload_type)
                .transpose()?,
            target_type: options
                .target_type
                .as_deref()
                .map(|t| target_type(t, false))
                .transpose()?,
            interrupt_on_error: match options.interrupt_on_error {
                Some(b) => InterruptUpdate::Set(b),
                None => InterruptUpdate::Keep,
            },
        };
        let r = self.inner.update(id, req)?;
        Ok(TargetUpdateResult {
            change_date: r.change_date.secs(),
            signing_key: r.signing_key.map(|k| Zeroizing::new(k.reveal())),
        })
    }

    /// Deletes a target and its keys (operation `targets.delete`).
    ///
    /// # Errors
    /// `NOT_FOUND`.
    pub fn delete(&self, id: &str) -> Result<()> {
        Ok(self.inner.delete(id)?)
    }

    /// Adds a receiver's public key (PEM SubjectPublicKeyInfo; RSA ≥ 2048,
    /// P-256, P-384), active if it is the first (operation
    /// `targets.add_encryption_key`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `public_key`/`expire_time`; `ALREADY_EXISTS`.
    pub fn add_encryption_key(
        &self,
        id: &str,
        pem: &str,
        expire_time: Option<i64>,
    ) -> Result<EncryptionKeyInfo> {
        Ok(self
            .inner
            .add_encryption_key(id, pem, expire_time.map(UnixTime))?
            .into())
    }

    /// The target's encryption keys (operation
    /// `targets.list_encryption_keys`).
    ///
    /// # Errors
    /// `NOT_FOUND`.
    pub fn list_encryption_keys(&self, id: &str) -> Result<Vec<EncryptionKeyInfo>> {
        Ok(self
            .inner
            .list_encryption_keys(id)?
            .into_iter()
            .map(EncryptionKeyInfo::from)
            .collect())
    }

    /// Makes the key with `fingerprint` the active one (operation
    /// `targets.activate_encryption_key`).
    ///
    /// # Errors
    /// `NOT_FOUND`; `INVALID_STATE` for an expired key.
    pub fn activate_encryption_key(&self, id: &str, fingerprint: &str) -> Result<()> {
        Ok(self.inner.activate_encryption_key(id, fingerprint)?)
    }

    /// Removes an encryption key (operation `targets.remove_encryption_key`).
    ///
    /// # Errors
    /// `NOT_FOUND`; `INVALID_STATE` for the active key of a `JWE` target.
    pub fn remove_encryption_key(&self, id: &str, fingerprint: &str) -> Result<()> {
        Ok(self.inner.remove_encryption_key(id, fingerprint)?)
    }

    /// The exact request (body and signature headers) that delivers
    /// `payload` to the target, at the engine clock's time (operation
    /// `targets.sign`).
    ///
    /// # Errors
    /// `NOT_FOUND`; `INVALID_INPUT` for a payload over 1 MiB or not a JSON
    /// object (JWT/JWE); `INVALID_STATE` without a usable key.
    pub fn sign(&self, id: &str, payload: &[u8]) -> Result<SignedRequestInfo> {
        self.sign_at(id, payload, self.clock.now().secs())
    }

    /// As [`Targets::sign`], at time `now` (operation `targets.sign_at`).
    ///
    /// # Errors
    /// As [`Targets::sign`].
    pub fn sign_at(&self, id: &str, payload: &[u8], now: i64) -> Result<SignedRequestInfo> {
        let r = self.inner.sign(id, payload, UnixTime(now))?;
        Ok(SignedRequestInfo {
            headers: r
                .headers
                .into_iter()
                .map(|(name, value)| Header { name, value })
                .collect(),
            body: r.body,
        })
    }
}

/// The engine's token-signing key (ES256 in the key manager).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenSigningKeyInfo {
    /// The key manager key.
    pub kms_key: String,
    /// Its primary version.
    pub kms_version: u32,
    /// The JWS `kid` (the RFC 7638 thumbprint of the public key).
    pub kid: String,
}

impl From<credcycle::jose::SigningKeyInfo> for TokenSigningKeyInfo {
    fn from(k: credcycle::jose::SigningKeyInfo) -> Self {
        TokenSigningKeyInfo {
            kms_key: k.kms_key.as_str().to_owned(),
            kms_version: k.kms_version,
            kid: k.kid,
        }
    }
}

/// The engine's JOSE signing: the token-signing key, its rotation, the JWKS
/// receivers verify with, and JWS/JWT signing. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Jose {
    pub(crate) inner: CoreJose,
}

impl Jose {
    /// The current token-signing key, created on first use (operation
    /// `jose.current_key`).
    ///
    /// # Errors
    /// Key manager failures.
    pub fn current_key(&self) -> Result<TokenSigningKeyInfo> {
        Ok(self.inner.current_key()?.into())
    }

    /// Rotates the token-signing key; older versions stay in the JWKS
    /// (operation `jose.rotate_signing_key`).
    ///
    /// # Errors
    /// Key manager failures.
    pub fn rotate_signing_key(&self) -> Result<TokenSigningKeyInfo> {
        Ok(self.inner.rotate_signing_key()?.into())
    }

    /// The public JWKS (`{"keys":[…]}` JSON) of every usable version
    /// (operation `jose.jwks`).
    ///
    /// # Errors
    /// Key manager failures.
    pub fn jwks(&self) -> Result<String> {
        Ok(self.inner.jwks()?.to_json_value().to_string())
    }

    /// A compact ES256 JWS of `claims` (a JSON object) (operation
    /// `jose.sign_jwt`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `claims`; key manager failures.
    pub fn sign_jwt(&self, claims_json: &str) -> Result<String> {
        Ok(self.inner.sign_jwt(&json_object("claims", claims_json)?)?)
    }

    /// A compact ES256 JWS of `payload` with extra protected-header members
    /// (a JSON object, `{}` for none) (operation `jose.sign_jws`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `header`; key manager failures.
    pub fn sign_jws(&self, header_json: &str, payload: &[u8]) -> Result<String> {
        Ok(self
            .inner
            .sign_jws(&json_object("header", header_json)?, payload)?)
    }
}

/// The header and claims of a verified JWT, as JSON texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedJwtInfo {
    /// The algorithm that verified (`ES256`, …).
    pub algorithm: String,
    /// The `kid` of the key that verified, if any.
    pub kid: Option<String>,
    /// The protected header (JSON object).
    pub header_json: String,
    /// The claims (JSON object).
    pub claims_json: String,
}

impl From<credcycle::jose::VerifiedJwt> for VerifiedJwtInfo {
    fn from(v: credcycle::jose::VerifiedJwt) -> Self {
        VerifiedJwtInfo {
            algorithm: v.jws.alg.as_str().to_owned(),
            kid: v.jws.kid,
            header_json: json_text(&v.jws.header),
            claims_json: json_text(&v.claims),
        }
    }
}
