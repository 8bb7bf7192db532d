//! Action targets and signed/encrypted payloads (SEMANTICS.md §B, seed
//! "Update Target").
//!
//! A target is an HTTP endpoint the host application calls: a name
//! (1..=1000 characters), an absolute `http`/`https` endpoint (≤ 2048), a
//! timeout (> 0, ≤ 270 s), a type ([`TargetType`]), a payload type
//! ([`PayloadType`]), a signature scheme ([`SignatureScheme`]), its HMAC
//! signing keys and, for `Jwe`, the receiver's public encryption keys.
//!
//! **Signing keys** are 32 random bytes, envelope-encrypted at rest, and
//! shown once (as `whsec_` + base64) when created. [`Targets::update`] with
//! `expiration_signing_key` makes a new key: `0s` retires the old ones at
//! once; a positive duration (≤ [`Policy::max_signing_key_grace_secs`],
//! default 7 days) keeps them signing beside the new one until then, so
//! receivers can switch with no failed delivery. Expired keys stop signing
//! and are pruned on the next change.
//!
//! **Signing** ([`Targets::sign`]) returns the exact request: the body
//! (`Json` = the payload; `Jwt` = an ES256 JWS of the payload claims signed
//! with the engine's token-signing key, see [`crate::jose`]; `Jwe` = that
//! JWS encrypted to the target's active key) and the signature headers,
//! computed over the final body ([`webhook`]).
//!
//! **Receivers** use [`webhook::verify_zitadel`] /
//! [`webhook::verify_standard`] (with an optional [`SeenSet`] replay
//! guard), [`crate::jose::jwt::verify`] for `Jwt` bodies and
//! [`crate::jose::jwe::decrypt`] for `Jwe` bodies; [`verify_jwt_body`] and
//! [`decrypt_jwe_body`] combine them.
//!
//! [`Policy::max_signing_key_grace_secs`]: crate::Policy::max_signing_key_grace_secs

mod ops;
mod record;
pub mod replay;
pub mod webhook;

use std::fmt;
use std::time::Duration;

pub use ops::Targets;
pub use replay::{MemorySeenSet, SeenSet, StoreSeenSet};

use crate::crypto::SecretBytes;
use crate::error::Result;
use crate::jose::{DecryptionKey, JweOptions, Jwks, Validation, VerifiedJwt};
use crate::services::UnixTime;

/// Name length limit, in characters.
pub const MAX_NAME_CHARS: usize = 1000;
/// Endpoint length limit, in characters.
pub const MAX_ENDPOINT_CHARS: usize = 2048;
/// Longest timeout.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(270);
/// Most signing keys live at once on one target.
pub const MAX_SIGNING_KEYS: usize = 10;
/// Most encryption keys on one target.
pub const MAX_ENCRYPTION_KEYS: usize = 10;
/// Largest payload [`Targets::sign`] takes, in bytes.
pub const MAX_PAYLOAD_BYTES: usize = 1024 * 1024;
/// Length of a signing key, in bytes.
pub const SIGNING_KEY_BYTES: usize = 32;

/// How the host calls the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetType {
    /// A webhook: the response status matters, the body does not.
    RestWebhook {
        /// Whether a failure stops the execution.
        interrupt_on_error: bool,
    },
    /// A call whose response body is used.
    RestCall {
        /// Whether a failure stops the execution.
        interrupt_on_error: bool,
    },
    /// Fire and forget; the response is ignored.
    RestAsync,
}

impl TargetType {
    /// `REST_WEBHOOK`, `REST_CALL` or `REST_ASYNC`.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetType::RestWebhook { .. } => "REST_WEBHOOK",
            TargetType::RestCall { .. } => "REST_CALL",
            TargetType::RestAsync => "REST_ASYNC",
        }
    }

    /// Whether a failure stops the execution (false for `RestAsync`).
    pub fn interrupt_on_error(self) -> bool {
        match self {
            TargetType::RestWebhook { interrupt_on_error }
            | TargetType::RestCall { interrupt_on_error } => interrupt_on_error,
            TargetType::RestAsync => false,
        }
    }

    /// The same type with `interrupt_on_error` set (`RestAsync` has none
    /// and stays as it is).
    pub fn with_interrupt(self, interrupt_on_error: bool) -> Self {
        match self {
            TargetType::RestWebhook { .. } => TargetType::RestWebhook { interrupt_on_error },
            TargetType::RestCall { .. } => TargetType::RestCall { interrupt_on_error },
            TargetType::RestAsync => TargetType::RestAsync,
        }
    }

    pub(crate) fn from_parts(s: &str, interrupt_on_error: bool) -> Option<Self> {
        match s {
            "REST_WEBHOOK" => Some(TargetType::RestWebhook { interrupt_on_error }),
            "REST_CALL" => Some(TargetType::RestCall { interrupt_on_error }),
            "REST_ASYNC" => Some(TargetType::RestAsync),
            _ => None,
        }
    }
}

/// How the payload is carried in the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum PayloadType {
    /// The payload bytes as they are (default).
    #[default]
    Json,
    /// A compact JWS (ES256) of the payload claims.
    Jwt,
    /// That JWS encrypted to the target's active public key.
    Jwe,
}

impl PayloadType {
    /// `JSON`, `JWT` or `JWE`.
    pub fn as_str(self) -> &'static str {
        match self {
            PayloadType::Json => "JSON",
            PayloadType::Jwt => "JWT",
            PayloadType::Jwe => "JWE",
        }
    }

    /// Parses [`PayloadType::as_str`] (case-insensitive), or the seed's
    /// `PAYLOAD_TYPE_…` spelling.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.to_ascii_uppercase();
        match s.strip_prefix("PAYLOAD_TYPE_").unwrap_or(&s) {
            "JSON" => Some(PayloadType::Json),
            "JWT" => Some(PayloadType::Jwt),
            "JWE" => Some(PayloadType::Jwe),
            _ => None,
        }
    }
}

/// Which signature headers a target's requests carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SignatureScheme {
    /// `ZITADEL-Signature: t=…,v1=…` (default; header name configurable).
    #[default]
    Zitadel,
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature` (Standard
    /// Webhooks).
    StandardWebhooks,
}

impl SignatureScheme {
    /// `ZITADEL` or `STANDARD_WEBHOOKS`.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureScheme::Zitadel => "ZITADEL",
            SignatureScheme::StandardWebhooks => "STANDARD_WEBHOOKS",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "ZITADEL" => Some(SignatureScheme::Zitadel),
            "STANDARD_WEBHOOKS" => Some(SignatureScheme::StandardWebhooks),
            _ => None,
        }
    }
}

/// A newly made signing key, shown once. `Debug` prints nothing of it.
pub struct SigningSecret(SecretBytes);

impl SigningSecret {
    pub(crate) fn new(b: SecretBytes) -> Self {
        SigningSecret(b)
    }

    /// The key as `whsec_` + base64 (how receivers of either scheme take
    /// it; see [`webhook::parse_secret`]).
    pub fn reveal(&self) -> String {
        webhook::format_secret(self.0.expose())
    }

    /// The raw 32 key bytes.
    pub fn expose(&self) -> &[u8] {
        self.0.expose()
    }
}

impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningSecret(<redacted>)")
    }
}

/// A signing key's metadata (never the key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningKeyInfo {
    /// Its number on the target (1, 2, …).
    pub number: u64,
    /// When it was made.
    pub create_time: UnixTime,
    /// When it stops signing (set when a newer key replaced it with a grace
    /// period).
    pub expire_time: Option<UnixTime>,
}

/// A receiver's public encryption key on a target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptionKeyInfo {
    /// `SHA256:` + base64 of the SHA-256 of its DER SubjectPublicKeyInfo;
    /// also its id and the JWE `kid`.
    pub fingerprint: String,
    /// `RSA-<bits>`, `EC-P256` or `EC-P384`.
    pub kind: String,
    /// The JWE key management algorithm used with it.
    pub algorithm: &'static str,
    /// When it was added.
    pub create_time: UnixTime,
    /// When it stops being usable, if ever.
    pub expire_time: Option<UnixTime>,
    /// Whether it is the one payloads are encrypted to.
    pub active: bool,
}

/// A target's metadata (signing keys are never included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// UUID.
    pub id: String,
    /// Name (1..=1000 characters).
    pub name: String,
    /// Absolute `http`/`https` URL (≤ 2048 characters).
    pub endpoint: String,
    /// Call timeout (> 0, ≤ 270 s, millisecond precision).
    pub timeout: Duration,
    /// Type.
    pub target_type: TargetType,
    /// Payload type.
    pub payload_type: PayloadType,
    /// Signature scheme.
    pub scheme: SignatureScheme,
    /// Header name of the Zitadel scheme (default `ZITADEL-Signature`).
    pub signature_header: String,
    /// Signing keys, oldest first.
    pub signing_keys: Vec<SigningKeyInfo>,
    /// Encryption keys, in the order added.
    pub encryption_keys: Vec<EncryptionKeyInfo>,
    /// Creation time.
    pub create_time: UnixTime,
    /// Last change.
    pub change_date: UnixTime,
}

/// What [`Targets::create`] takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateTarget {
    /// Name.
    pub name: String,
    /// Endpoint.
    pub endpoint: String,
    /// Timeout (default 10 s).
    pub timeout: Duration,
    /// Type (default `RestWebhook` without interrupt).
    pub target_type: TargetType,
    /// Payload type (default `Json`).
    pub payload_type: PayloadType,
    /// Scheme (default `Zitadel`).
    pub scheme: SignatureScheme,
    /// Zitadel-scheme header name (default `ZITADEL-Signature`).
    pub signature_header: Option<String>,
    /// A receiver's public key (PEM SubjectPublicKeyInfo, as
    /// [`Targets::add_encryption_key`] takes it), added as the active
    /// encryption key in the same commit as the target: a key that does not
    /// parse or fit leaves no target behind.
    pub encryption_key: Option<String>,
}

impl CreateTarget {
    /// A webhook target with the defaults.
    pub fn new(name: impl Into<String>, endpoint: impl Into<String>) -> Self {
        CreateTarget {
            name: name.into(),
            endpoint: endpoint.into(),
            timeout: Duration::from_secs(10),
            target_type: TargetType::RestWebhook {
                interrupt_on_error: false,
            },
            payload_type: PayloadType::Json,
            scheme: SignatureScheme::Zitadel,
            signature_header: None,
            encryption_key: None,
        }
    }
}

/// How [`Targets::update`] sets `interrupt_on_error`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum InterruptUpdate {
    /// As `target_type` carries it; unchanged when no `target_type` is
    /// given (default).
    #[default]
    FromType,
    /// Keep the target's current value across a `target_type` change
    /// (false when the current type is `RestAsync`, which has none); the
    /// flag inside `target_type` is ignored. Alone, changes nothing.
    Keep,
    /// Set it on the resulting type (`target_type` if given, else the
    /// current one), overriding the flag inside `target_type`. Refused
    /// (naming `interrupt_on_error`) when that type is `RestAsync`.
    Set(bool),
}

/// What [`Targets::update`] takes; unset fields are unchanged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdateTarget {
    /// New name.
    pub name: Option<String>,
    /// New timeout.
    pub timeout: Option<Duration>,
    /// New endpoint.
    pub endpoint: Option<String>,
    /// Make a new signing key; the old ones keep signing for this long
    /// (zero: retired at once).
    pub expiration_signing_key: Option<Duration>,
    /// New payload type.
    pub payload_type: Option<PayloadType>,
    /// New type.
    pub target_type: Option<TargetType>,
    /// How `interrupt_on_error` is set (default: as `target_type` says).
    pub interrupt_on_error: InterruptUpdate,
}

/// What [`Targets::update`] returns (the seed's response).
#[derive(Debug)]
pub struct UpdateResponse {
    /// When the change was made.
    pub change_date: UnixTime,
    /// The new signing key, only when `expiration_signing_key` was given.
    pub signing_key: Option<SigningSecret>,
}

/// What [`Targets::create`] returns.
#[derive(Debug)]
pub struct CreatedTarget {
    /// The target.
    pub target: Target,
    /// Its first signing key (shown once).
    pub signing_key: SigningSecret,
}

/// The exact request to send to a target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedRequest {
    /// Headers to set (name, value), `content-type` first.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl SignedRequest {
    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Receiver side of `Jwt` bodies: verifies the JWS against the sender's
/// JWKS (ES256 only unless `validation` says otherwise).
///
/// # Errors
/// As [`crate::jose::jwt::verify`].
pub fn verify_jwt_body(
    body: &[u8],
    jwks: &Jwks,
    validation: &Validation,
    now: UnixTime,
) -> Result<VerifiedJwt> {
    let text = std::str::from_utf8(body).map_err(|_| crate::Error::VerificationFailed)?;
    crate::jose::jwt::verify(text, jwks, validation, now)
}

/// Receiver side of `Jwe` bodies: decrypts with the receiver's key, then
/// verifies the inner JWT as [`verify_jwt_body`]. The JWE header must have
/// `cty` `JWT`.
///
/// # Errors
/// [`crate::Error::VerificationFailed`] for any refusal.
pub fn decrypt_jwe_body(
    body: &[u8],
    key: &DecryptionKey,
    options: &JweOptions,
    jwks: &Jwks,
    validation: &Validation,
    now: UnixTime,
) -> Result<VerifiedJwt> {
    let text = std::str::from_utf8(body).map_err(|_| crate::Error::VerificationFailed)?;
    let d = crate::jose::jwe::decrypt(text, key, options)?;
    if d.header
        .get("cty")
        .and_then(|v| v.as_str())
        .map(str::to_ascii_uppercase)
        .as_deref()
        != Some("JWT")
    {
        return Err(crate::Error::VerificationFailed);
    }
    verify_jwt_body(&d.plaintext, jwks, validation, now)
}

/// Decodes `data` as a target record, and parses it as both webhook header
/// schemes (fuzzing entry point).
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub fn fuzz_headers(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let key: &[u8] = b"0123456789abcdef0123456789abcdef";
    let now = UnixTime(1_700_000_000);
    let _ = webhook::verify_zitadel_inner(&text, data, &[key], 300, now);
    let mut parts = text.splitn(3, '\n');
    let (a, b, c) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let headers = [
        (webhook::WEBHOOK_ID, a),
        (webhook::WEBHOOK_TIMESTAMP, b),
        (webhook::WEBHOOK_SIGNATURE, c),
    ];
    let _ = webhook::verify_standard_inner(&headers, data, &[key], 300, now);
    let _ = webhook::parse_secret(&text);
    if let Ok(r) = crate::codec::decode::<record::TargetRecord>(data, "target") {
        let _ = r.to_target(now);
    }
}

#[cfg(test)]
mod tests;
