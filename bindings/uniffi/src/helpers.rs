//! Client-side helpers for apps, no engine needed: TOTP/HOTP codes,
//! webhook signatures (Zitadel and Standard Webhooks) with replay guards,
//! JWT verification and JWE decryption, and the client-IP walk.

use std::sync::Arc;

use credcycle_facade as facade;

use crate::domains::{Header, VerifiedJwtInfo};
use crate::error::CredcycleError;
use crate::mirror::{IntoFfi, ToFacade};

type Result<T, E = CredcycleError> = std::result::Result<T, E>;

/// A TOTP/HOTP key (RFC 6238 / RFC 4226) for apps that compute or check
/// codes themselves.
#[derive(Debug, uniffi::Object)]
pub struct Totp {
    inner: facade::Totp,
}

#[uniffi::export]
impl Totp {
    /// A key from its secret bytes (16..=128), `SHA1`/`SHA256`/`SHA512`,
    /// 6..=8 digits and a period of 1..=120 seconds.
    ///
    /// # Errors
    /// `InvalidInput` naming `secret`, `algorithm`, `digits` or `period`.
    #[uniffi::constructor(default(algorithm = "SHA1", digits = 6, period = 30))]
    pub fn new(secret: Vec<u8>, algorithm: String, digits: u32, period: u32) -> Result<Arc<Self>> {
        let secret = zeroize::Zeroizing::new(secret);
        Ok(Arc::new(Totp {
            inner: facade::Totp::new(&secret, &algorithm, digits, period)?,
        }))
    }

    /// A key from an `otpauth://totp/…` URI (what an enrollment shows).
    ///
    /// # Errors
    /// `InvalidInput` naming the part of the URI.
    #[uniffi::constructor]
    pub fn from_uri(uri: String) -> Result<Arc<Self>> {
        let uri = zeroize::Zeroizing::new(uri);
        Ok(Arc::new(Totp {
            inner: facade::Totp::from_uri(&uri)?,
        }))
    }

    /// `SHA1`, `SHA256` or `SHA512`.
    pub fn algorithm(&self) -> String {
        self.inner.algorithm().to_owned()
    }

    /// Digits per code.
    pub fn digits(&self) -> u32 {
        self.inner.digits()
    }

    /// Seconds per step.
    pub fn period(&self) -> u32 {
        self.inner.period()
    }

    /// The issuer of a key read from a URI.
    pub fn issuer(&self) -> Option<String> {
        self.inner.issuer().map(str::to_owned)
    }

    /// The account of a key read from a URI.
    pub fn account(&self) -> Option<String> {
        self.inner.account().map(str::to_owned)
    }

    /// The HOTP code for `counter`.
    pub fn hotp(&self, counter: u64) -> String {
        self.inner.hotp(counter)
    }

    /// The TOTP code at `time` (seconds; null = now).
    #[uniffi::method(default(time = None))]
    pub fn code_at(&self, time: Option<i64>) -> String {
        self.inner.code_at(time)
    }

    /// Checks `code` at `time` (null = now) within `window` steps either
    /// side (0..=10); returns the matching time step (`time / period`), or
    /// null. Compares in constant time.
    ///
    /// # Errors
    /// `InvalidInput` (window).
    #[uniffi::method(default(time = None, window = 1))]
    pub fn verify(&self, code: String, time: Option<i64>, window: u32) -> Result<Option<i64>> {
        Ok(self.inner.verify(&code, time, window)?)
    }

    /// The `otpauth://` URI for an authenticator app.
    pub fn provisioning_uri(&self, issuer: String, account: String) -> String {
        self.inner
            .provisioning_uri(&issuer, &account)
            .as_str()
            .to_owned()
    }
}

/// Remembers webhook message ids so a replayed delivery is refused.
#[derive(Debug, uniffi::Object)]
pub struct ReplayGuard {
    pub(crate) inner: facade::ReplayGuard,
}

#[uniffi::export]
impl ReplayGuard {
    /// An in-process guard (one receiver process).
    #[uniffi::constructor]
    pub fn memory() -> Arc<Self> {
        Arc::new(ReplayGuard {
            inner: facade::ReplayGuard::memory(),
        })
    }
}

/// A verified webhook delivery.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct VerifiedWebhook {
    /// The signed timestamp.
    pub timestamp: i64,
    /// The message id (Standard Webhooks; empty for Zitadel).
    pub message_id: String,
}

impl IntoFfi for facade::VerifiedWebhook {
    type Out = VerifiedWebhook;
    fn ffi(self) -> VerifiedWebhook {
        VerifiedWebhook {
            timestamp: self.timestamp,
            message_id: self.message_id,
        }
    }
}

/// Verifies a Zitadel-style signature header (`t=…,v1=…`) over `body`
/// with any of `keys`, within `tolerance_secs` of `now` (null = system
/// clock), refusing replays seen by `guard`.
///
/// # Errors
/// `VerificationFailed` (no detail); `InvalidInput` (keys).
#[uniffi::export(default(tolerance_secs = None, now = None, guard = None))]
pub fn verify_webhook_zitadel(
    header: String,
    body: Vec<u8>,
    keys: Vec<String>,
    tolerance_secs: Option<i64>,
    now: Option<i64>,
    guard: Option<Arc<ReplayGuard>>,
) -> Result<VerifiedWebhook> {
    let keys = zeroize::Zeroizing::new(keys);
    Ok(facade::client::verify_webhook_zitadel(
        &header,
        &body,
        &keys,
        tolerance_secs,
        now,
        guard.as_ref().map(|g| &g.inner),
    )?
    .ffi())
}

/// Verifies Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature`) over `body`.
///
/// # Errors
/// `VerificationFailed` (no detail); `InvalidInput` (keys).
#[uniffi::export(default(tolerance_secs = None, now = None, guard = None))]
pub fn verify_webhook_standard(
    headers: Vec<Header>,
    body: Vec<u8>,
    keys: Vec<String>,
    tolerance_secs: Option<i64>,
    now: Option<i64>,
    guard: Option<Arc<ReplayGuard>>,
) -> Result<VerifiedWebhook> {
    let keys = zeroize::Zeroizing::new(keys);
    Ok(facade::client::verify_webhook_standard(
        &headers.facade(),
        &body,
        &keys,
        tolerance_secs,
        now,
        guard.as_ref().map(|g| &g.inner),
    )?
    .ffi())
}

/// The Zitadel-style signature header for `body` at `timestamp`.
///
/// # Errors
/// `InvalidInput` (keys).
#[uniffi::export]
pub fn sign_webhook_zitadel(keys: Vec<String>, timestamp: i64, body: Vec<u8>) -> Result<String> {
    let keys = zeroize::Zeroizing::new(keys);
    Ok(facade::client::sign_webhook_zitadel(
        &keys, timestamp, &body,
    )?)
}

/// The Standard Webhooks `webhook-signature` value.
///
/// # Errors
/// `InvalidInput` (keys, id).
#[uniffi::export]
pub fn sign_webhook_standard(
    keys: Vec<String>,
    msg_id: String,
    timestamp: i64,
    body: Vec<u8>,
) -> Result<String> {
    let keys = zeroize::Zeroizing::new(keys);
    Ok(facade::client::sign_webhook_standard(
        &keys, &msg_id, timestamp, &body,
    )?)
}

/// How a JWT is checked; null keeps the default.
#[derive(Clone, Debug, Default, PartialEq, Eq, uniffi::Record)]
pub struct JwtValidation {
    /// Accepted JWS algorithms (default: every asymmetric one).
    #[uniffi(default)]
    pub algorithms: Vec<String>,
    /// Clock leeway in seconds.
    #[uniffi(default)]
    pub leeway_secs: Option<i64>,
    /// Required `iss`.
    #[uniffi(default)]
    pub issuer: Option<String>,
    /// Required `aud`.
    #[uniffi(default)]
    pub audience: Option<String>,
    /// Required `typ`.
    #[uniffi(default)]
    pub typ: Option<String>,
    /// Whether `exp` is required.
    #[uniffi(default)]
    pub require_exp: Option<bool>,
}

impl ToFacade for JwtValidation {
    type Out = facade::JwtValidation;
    fn facade(self) -> facade::JwtValidation {
        let d = facade::JwtValidation::default();
        facade::JwtValidation {
            algorithms: self.algorithms,
            leeway_secs: self.leeway_secs.unwrap_or(d.leeway_secs),
            issuer: self.issuer,
            audience: self.audience,
            typ: self.typ,
            require_exp: self.require_exp.unwrap_or(d.require_exp),
        }
    }
}

/// Verifies a compact JWS/JWT against a JWKS (JSON) at `now` (null =
/// system clock).
///
/// # Errors
/// `VerificationFailed` (no detail); `InvalidInput` (JWKS, validation).
#[uniffi::export(default(validation = None, now = None))]
pub fn verify_jwt(
    token: Vec<u8>,
    jwks_json: String,
    validation: Option<JwtValidation>,
    now: Option<i64>,
) -> Result<VerifiedJwtInfo> {
    Ok(facade::client::verify_jwt(
        &token,
        &jwks_json,
        &validation.unwrap_or_default().facade(),
        now,
    )?
    .ffi())
}

/// Decrypts a JWE with `private_key` (PEM or JWK JSON) and verifies the
/// nested JWT against the sender's JWKS.
///
/// # Errors
/// `VerificationFailed` (no detail); `InvalidInput`.
#[uniffi::export(default(validation = None, jwe_algorithms = [], now = None))]
pub fn decrypt_jwe(
    token: Vec<u8>,
    private_key: String,
    jwks_json: String,
    validation: Option<JwtValidation>,
    jwe_algorithms: Vec<String>,
    now: Option<i64>,
) -> Result<VerifiedJwtInfo> {
    let private_key = zeroize::Zeroizing::new(private_key);
    Ok(facade::client::decrypt_jwe(
        &token,
        &private_key,
        &jwks_json,
        &validation.unwrap_or_default().facade(),
        &jwe_algorithms,
        now,
    )?
    .ffi())
}

/// The client address: walks `X-Forwarded-For` hops right to left past
/// `trusted_proxies` (CIDR) starting from the TCP `peer`.
///
/// # Errors
/// `InvalidInput` naming `peer` or `trusted_proxies`.
#[uniffi::export]
pub fn resolve_client_ip(
    peer: String,
    forwarded_for: Vec<String>,
    trusted_proxies: Vec<String>,
) -> Result<String> {
    Ok(facade::client::resolve_client_ip(
        &peer,
        &forwarded_for,
        &trusted_proxies,
    )?)
}
