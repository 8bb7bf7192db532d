//! Client-side helpers that need no engine: root keys, TOTP/HOTP codes,
//! webhook signatures (Zitadel and Standard Webhooks), JWT/JWE bodies, and
//! the client-IP walk of `X-Forwarded-For`.
//!
//! Also the client side of enrollment: a key and its CSR, the check of a
//! challenge answer, reading and verifying an enrollment JWT, and
//! verifying a certificate chain against given roots.

use std::fmt;
use std::sync::Arc;

use credcycle::jose::{DecryptionKey, JweAlgorithm, JweOptions, Jwks, JwsAlgorithm, Validation};
use credcycle::machine_auth::{IpList, resolve_client_ip as core_resolve};
use credcycle::mfa::{Totp as CoreTotp, TotpAlgorithm, parse_provisioning_uri};
use credcycle::targets::webhook;
use credcycle::targets::{MemorySeenSet, SeenSet};
use credcycle::{Clock, LocalKeyManager, OsRandom, SecretBytes, UnixTime};
use zeroize::Zeroizing;

use crate::domains::{
    ChallengeInfo, ClientKeyInfo, EnrollmentClaimsInfo, Header, VerifiedChainInfo, VerifiedJwtInfo,
};
use crate::error::{Error, Result};

#[derive(Debug)]
struct At(UnixTime);

impl Clock for At {
    fn now(&self) -> UnixTime {
        self.0
    }
}

fn now_or_system(now: Option<i64>) -> UnixTime {
    now.map(UnixTime)
        .unwrap_or_else(|| credcycle::SystemClock.now())
}

/// A TOTP/HOTP key (RFC 6238 / RFC 4226), for apps that compute or check
/// codes themselves. `Debug` shows no secret.
#[derive(Clone)]
pub struct Totp {
    inner: Arc<CoreTotp>,
    issuer: Option<String>,
    account: Option<String>,
}

impl fmt::Debug for Totp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Totp")
            .field("algorithm", &self.algorithm())
            .field("digits", &self.digits())
            .field("period", &self.period())
            .finish_non_exhaustive()
    }
}

impl Totp {
    /// A key from its secret bytes (16..=128), `SHA1`/`SHA256`/`SHA512`,
    /// 6..=8 digits and a period of 1..=120 seconds (operation `totp.new`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `secret`, `algorithm`, `digits` or `period`.
    pub fn new(secret: &[u8], algorithm: &str, digits: u32, period: u32) -> Result<Totp> {
        let alg = TotpAlgorithm::parse(algorithm)
            .ok_or_else(|| Error::invalid("algorithm", "must be SHA1, SHA256 or SHA512"))?;
        Ok(Totp {
            inner: Arc::new(CoreTotp::new(
                SecretBytes::from_slice(secret),
                alg,
                digits,
                period,
            )?),
            issuer: None,
            account: None,
        })
    }

    /// The key of an `otpauth://totp/…` provisioning URI (operation
    /// `totp.from_uri`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `uri`, `secret`, `algorithm`, `digits` or
    /// `period` (the message never repeats the secret).
    pub fn from_uri(uri: &str) -> Result<Totp> {
        let p = parse_provisioning_uri(uri)?;
        Ok(Totp {
            inner: Arc::new(p.totp),
            issuer: p.issuer,
            account: Some(p.account),
        })
    }

    /// `SHA1`, `SHA256` or `SHA512`.
    pub fn algorithm(&self) -> &'static str {
        self.inner.algorithm().as_str()
    }

    /// Code length.
    pub fn digits(&self) -> u32 {
        self.inner.digits()
    }

    /// Step in seconds.
    pub fn period(&self) -> u32 {
        self.inner.period()
    }

    /// The issuer of the URI it came from, if any.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The account name of the URI it came from, if any.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// The HOTP code for `counter` (operation `totp.hotp`).
    pub fn hotp(&self, counter: u64) -> String {
        self.inner.code_for_counter(counter)
    }

    /// The TOTP code at `time` (seconds since the epoch; `None`: now)
    /// (operation `totp.code_at`).
    pub fn code_at(&self, time: Option<i64>) -> String {
        self.inner.generate(&At(now_or_system(time)))
    }

    /// Checks `code` at `time` (`None`: now), accepting `window` steps on
    /// either side (0..=10); returns the matching step, or `None`
    /// (operation `totp.verify`). Compares in constant time.
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `window`.
    pub fn verify(&self, code: &str, time: Option<i64>, window: u32) -> Result<Option<i64>> {
        if window > 10 {
            return Err(Error::invalid("window", "must be 0..=10"));
        }
        Ok(self.inner.verify(code, &At(now_or_system(time)), window))
    }

    /// The `otpauth://totp/…` URI of this key (operation
    /// `totp.provisioning_uri`); it holds the secret.
    pub fn provisioning_uri(&self, issuer: &str, account: &str) -> Zeroizing<String> {
        Zeroizing::new(
            self.inner
                .provisioning_uri(issuer, account)
                .reveal()
                .to_owned(),
        )
    }
}

/// Remembers webhook message ids so a replayed delivery is refused
/// (`WEBHOOK_REPLAY`). Cheap to clone; share one per receiver.
#[derive(Clone, Debug)]
pub struct ReplayGuard {
    inner: Arc<dyn SeenSet>,
}

impl ReplayGuard {
    /// An in-process guard (operation `replay_guard.memory`).
    pub fn memory() -> ReplayGuard {
        ReplayGuard {
            inner: Arc::new(MemorySeenSet::new()),
        }
    }

    pub(crate) fn from_seen_set(inner: Arc<dyn SeenSet>) -> ReplayGuard {
        ReplayGuard { inner }
    }
}

/// What a verified webhook carried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedWebhook {
    /// Its timestamp.
    pub timestamp: i64,
    /// Its message id (`webhook-id`; for the Zitadel scheme, the matching
    /// `v1=` signature).
    pub message_id: String,
}

fn parse_keys(keys: &[String]) -> Result<Vec<SecretBytes>> {
    if keys.is_empty() {
        return Err(Error::invalid("keys", "at least one key is needed"));
    }
    keys.iter().map(|k| Ok(webhook::parse_secret(k)?)).collect()
}

fn tolerance(t: Option<i64>) -> i64 {
    t.unwrap_or(webhook::DEFAULT_TOLERANCE_SECS)
}

/// Verifies a `ZITADEL-Signature` header (`t=…,v1=…`) over `body` with any
/// of `keys` (`whsec_…` signing keys), within `tolerance_secs` (default
/// 300) of `now` (default: the system clock), remembering the message in
/// `guard` if given (operation `client.verify_webhook_zitadel`).
///
/// # Errors
/// `VERIFICATION_FAILED` (no detail); `WEBHOOK_TIMESTAMP`;
/// `WEBHOOK_REPLAY`; `INVALID_INPUT` naming `keys`/`tolerance_secs`.
pub fn verify_webhook_zitadel(
    header: &str,
    body: &[u8],
    keys: &[String],
    tolerance_secs: Option<i64>,
    now: Option<i64>,
    guard: Option<&ReplayGuard>,
) -> Result<VerifiedWebhook> {
    let keys = parse_keys(keys)?;
    let refs: Vec<&[u8]> = keys.iter().map(|k| k.expose()).collect();
    let v = webhook::verify_zitadel(
        header,
        body,
        &refs,
        tolerance(tolerance_secs),
        now_or_system(now),
        guard.map(|g| g.inner.as_ref()),
    )?;
    Ok(VerifiedWebhook {
        timestamp: v.timestamp,
        message_id: v.message_id,
    })
}

/// Verifies Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature`; names case-insensitive) over `body`, as
/// [`verify_webhook_zitadel`] (operation `client.verify_webhook_standard`).
///
/// # Errors
/// As [`verify_webhook_zitadel`].
pub fn verify_webhook_standard(
    headers: &[Header],
    body: &[u8],
    keys: &[String],
    tolerance_secs: Option<i64>,
    now: Option<i64>,
    guard: Option<&ReplayGuard>,
) -> Result<VerifiedWebhook> {
    let keys = parse_keys(keys)?;
    let refs: Vec<&[u8]> = keys.iter().map(|k| k.expose()).collect();
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|h| (h.name.as_str(), h.value.as_str()))
        .collect();
    let v = webhook::verify_standard(
        &pairs,
        body,
        &refs,
        tolerance(tolerance_secs),
        now_or_system(now),
        guard.map(|g| g.inner.as_ref()),
    )?;
    Ok(VerifiedWebhook {
        timestamp: v.timestamp,
        message_id: v.message_id,
    })
}

/// The `ZITADEL-Signature` header value for `body` at `timestamp`, signed
/// with every key (a sender's view; operation `client.sign_webhook_zitadel`).
///
/// # Errors
/// `INVALID_INPUT` naming `keys`.
pub fn sign_webhook_zitadel(keys: &[String], timestamp: i64, body: &[u8]) -> Result<String> {
    let keys = parse_keys(keys)?;
    let refs: Vec<&[u8]> = keys.iter().map(|k| k.expose()).collect();
    Ok(webhook::sign_zitadel(&refs, timestamp, body)?)
}

/// The `webhook-signature` header value of Standard Webhooks (operation
/// `client.sign_webhook_standard`).
///
/// # Errors
/// `INVALID_INPUT` naming `keys` or `msg_id`.
pub fn sign_webhook_standard(
    keys: &[String],
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String> {
    let keys = parse_keys(keys)?;
    let refs: Vec<&[u8]> = keys.iter().map(|k| k.expose()).collect();
    Ok(webhook::sign_standard(&refs, msg_id, timestamp, body)?)
}

/// How a JWT is checked; `Default` accepts the asymmetric algorithms, 60 s
/// leeway, `exp` required.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JwtValidation {
    /// Accepted `alg` values (`ES256`, `RS256`, `EdDSA`, …; empty: the
    /// asymmetric ones).
    pub algorithms: Vec<String>,
    /// Clock leeway in seconds (0..=600).
    pub leeway_secs: i64,
    /// Required `iss`.
    pub issuer: Option<String>,
    /// Required `aud` member.
    pub audience: Option<String>,
    /// Required `typ` header.
    pub typ: Option<String>,
    /// Whether `exp` must be present.
    pub require_exp: bool,
}

impl Default for JwtValidation {
    fn default() -> Self {
        let d = Validation::default();
        JwtValidation {
            algorithms: Vec::new(),
            leeway_secs: d.leeway_secs,
            issuer: None,
            audience: None,
            typ: None,
            require_exp: d.require_exp,
        }
    }
}

impl JwtValidation {
    fn core(&self) -> Result<Validation> {
        let mut v = Validation::default();
        if !self.algorithms.is_empty() {
            v.algorithms = self
                .algorithms
                .iter()
                .map(|a| {
                    JwsAlgorithm::parse(a)
                        .ok_or_else(|| Error::invalid("algorithms", "unknown JWS algorithm"))
                })
                .collect::<Result<_>>()?;
        }
        v.leeway_secs = self.leeway_secs;
        v.issuer.clone_from(&self.issuer);
        v.audience.clone_from(&self.audience);
        v.typ.clone_from(&self.typ);
        v.require_exp = self.require_exp;
        Ok(v)
    }
}

/// Verifies a compact JWS/JWT (a `JWT` target body) against a JWKS JSON
/// document at `now` (default: the system clock) (operation
/// `client.verify_jwt`).
///
/// # Errors
/// `VERIFICATION_FAILED` (no detail); `INVALID_INPUT` naming `jwks`,
/// `algorithms` or `leeway_secs`.
pub fn verify_jwt(
    token: &[u8],
    jwks_json: &str,
    validation: &JwtValidation,
    now: Option<i64>,
) -> Result<VerifiedJwtInfo> {
    let jwks = Jwks::from_json(jwks_json)?;
    Ok(
        credcycle::targets::verify_jwt_body(token, &jwks, &validation.core()?, now_or_system(now))?
            .into(),
    )
}

/// Decrypts a compact JWE (a `JWE` target body) with the receiver's private
/// key — a JWK JSON object, or a PEM private key when it starts with
/// `-----BEGIN` — then verifies the inner JWT against the sender's JWKS
/// (operation `client.decrypt_jwe`). `jwe_algorithms` limits the key
/// management algorithms (empty: every one but `RSA1_5`).
///
/// # Errors
/// `VERIFICATION_FAILED` (no detail); `INVALID_INPUT` naming the key, the
/// JWKS or an algorithm.
pub fn decrypt_jwe(
    token: &[u8],
    private_key: &str,
    jwks_json: &str,
    validation: &JwtValidation,
    jwe_algorithms: &[String],
    now: Option<i64>,
) -> Result<VerifiedJwtInfo> {
    let key = if private_key.trim_start().starts_with("-----BEGIN") {
        DecryptionKey::from_pem(private_key)
    } else {
        DecryptionKey::from_jwk_json(private_key)?
    };
    let mut options = JweOptions::default();
    if !jwe_algorithms.is_empty() {
        options.algorithms = jwe_algorithms
            .iter()
            .map(|a| {
                JweAlgorithm::parse(a)
                    .ok_or_else(|| Error::invalid("jwe_algorithms", "unknown JWE algorithm"))
            })
            .collect::<Result<_>>()?;
    }
    let jwks = Jwks::from_json(jwks_json)?;
    Ok(credcycle::targets::decrypt_jwe_body(
        token,
        &key,
        &options,
        &jwks,
        &validation.core()?,
        now_or_system(now),
    )?
    .into())
}

/// The client's address: walks `forwarded_for` (`X-Forwarded-For` values,
/// oldest first) from the right while the hop is one of
/// `trusted_proxies` (addresses or CIDRs), starting at `peer` (operation
/// `client.resolve_client_ip`).
///
/// # Errors
/// `INVALID_INPUT` naming `peer` or `trusted_proxies`.
pub fn resolve_client_ip(
    peer: &str,
    forwarded_for: &[String],
    trusted_proxies: &[String],
) -> Result<String> {
    let peer = crate::domains::parse_ip("peer", peer)?;
    let trusted = IpList::parse("trusted_proxies", trusted_proxies)?;
    let hops: Vec<&str> = forwarded_for.iter().map(String::as_str).collect();
    Ok(core_resolve(peer, &hops, &trusted).to_string())
}

/// A new private key of `algorithm` (`p256`, `p384` or `ed25519`) and its
/// CSR with subject `CN=<common_name>`, requesting the DNS names and IP
/// addresses given (for router server certificates) (operation
/// `client.generate_key_and_csr`).
///
/// # Errors
/// `INVALID_INPUT` naming `algorithm`, `common_name` or `ip_addresses`.
pub fn generate_key_and_csr(
    algorithm: &str,
    common_name: &str,
    dns_names: &[String],
    ip_addresses: &[String],
) -> Result<ClientKeyInfo> {
    crate::domains::generate_key_and_csr(algorithm, common_name, dns_names, ip_addresses)
}

/// The enrolling client's check of a challenge answer: signed by the key
/// `kid` of the enrollment JWKS the client trusts, over its `nonce` and the
/// CA pool (operation `client.verify_challenge`).
///
/// # Errors
/// `INVALID_INPUT` naming `nonce` or the JWKS; `VERIFICATION_FAILED`.
pub fn verify_challenge(jwks_json: &str, nonce: &str, challenge: &ChallengeInfo) -> Result<()> {
    crate::domains::verify_challenge(jwks_json, nonce, challenge)
}

/// Verifies a certificate chain (PEM, leaf first, then any intermediates)
/// against the trust anchors `roots_pem` (PEM, at most 16) at `at`
/// (default: the system clock) for `purpose` (`client` — the default when
/// empty —, `server` or `any`): the engine's RFC 5280 path validation,
/// without an engine (operation `client.verify_chain`).
///
/// # Errors
/// `INVALID_INPUT` naming `roots_pem`, the chain or `purpose`;
/// `CERTIFICATE_REJECTED` (1601) naming the certificate and why.
pub fn verify_chain(
    roots_pem: &str,
    chain_pem: &str,
    at: Option<i64>,
    purpose: &str,
) -> Result<VerifiedChainInfo> {
    crate::domains::verify_chain(roots_pem, chain_pem, at, purpose)
}

/// Reads an enrollment JWT **without** checking its signature (to show
/// what it holds, or to pick the key) (operation
/// `client.parse_enrollment_jwt`).
///
/// # Errors
/// `INVALID_INPUT` naming `token` and what is wrong.
pub fn parse_enrollment_jwt(token: &str) -> Result<EnrollmentClaimsInfo> {
    crate::domains::parse_enrollment_jwt(token)
}

/// Verifies an enrollment JWT against the enrollment JWKS (JSON text) the
/// client trusts: ES256 by the key its `kid` names, `typ`, the issuer, and
/// not expired at `now` (default: the system clock) (operation
/// `client.verify_enrollment_jwt`).
///
/// # Errors
/// `INVALID_INPUT` naming `token` or the JWKS; `VERIFICATION_FAILED` (no
/// detail); `INVALID_STATE` for an expired token.
pub fn verify_enrollment_jwt(
    token: &str,
    jwks_json: &str,
    issuer: &str,
    now: Option<i64>,
) -> Result<EnrollmentClaimsInfo> {
    crate::domains::verify_enrollment_jwt(token, jwks_json, issuer, now)
}

/// The version of the engine (the workspace version, `MAJOR.MINOR.PATCH`)
/// (operation `client.version`).
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// A fresh random 32-byte root key for the local key manager, from the OS
/// generator (operation `client.generate_root_key`). Keep it safe: the
/// store's keys are sealed under it.
///
/// # Errors
/// `KMS_BACKEND` when the OS generator fails.
pub fn generate_root_key() -> Result<Zeroizing<Vec<u8>>> {
    let key = LocalKeyManager::generate_root_key(&OsRandom::new())?;
    Ok(Zeroizing::new(key.expose().to_vec()))
}

/// Parses the text form of a root key: 64 hex digits or base64 of 32 bytes,
/// surrounding whitespace ignored (operation `client.parse_root_key`).
///
/// # Errors
/// `INVALID_INPUT` naming `root_key` (the message never repeats the input).
pub fn parse_root_key(text: &str) -> Result<Zeroizing<Vec<u8>>> {
    let key = LocalKeyManager::parse_root_key(text)?;
    Ok(Zeroizing::new(key.expose().to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_keys() {
        let k = generate_root_key().expect("generate");
        assert_eq!(k.len(), 32);
        let hex: String = k.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(*parse_root_key(&format!("{hex}\n")).expect("parse"), *k);
        let e = parse_root_key("nope").expect_err("invalid");
        assert_eq!(e.code, 1004);
        assert!(!e.message.contains("nope"));
        assert_eq!(version(), "0.1.0");
    }
}
