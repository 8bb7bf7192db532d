//! Machine identities with universal auth: client ids and secrets, login
//! with lockout, and access tokens with TTL, max TTL, periods, use limits
//! and trusted IPs (SEMANTICS.md §D, seed "Universal Auth: Update",
//! Infisical).
//!
//! # Configuration ([`UniversalAuth`])
//! | field | default | range |
//! |---|---|---|
//! | `client_secret_trusted_ips` | `0.0.0.0/0`, `::/0` | 1..=256 addresses or CIDR ranges ([`ip`]) |
//! | `access_token_trusted_ips` | `0.0.0.0/0`, `::/0` | 1..=256 addresses or CIDR ranges |
//! | `access_token_ttl` | 2,592,000 s | 0..=315,360,000 s; 0 = no TTL expiry; at most `access_token_max_ttl` unless that is 0 |
//! | `access_token_max_ttl` | 2,592,000 s | 0..=315,360,000 s; 0 = no maximum |
//! | `access_token_num_uses_limit` | 0 | 0 = unlimited |
//! | `access_token_period` | 0 | 0..=315,360,000 s; 0 = not periodic |
//! | `lockout.enabled` | true | |
//! | `lockout.threshold` | 3 | 1..=30 failures |
//! | `lockout.duration_secs` | 300 | 30..=86,400 s |
//! | `lockout.counter_reset_secs` | 30 | 5..=3,600 s |
//!
//! [`MachineAuth::update_universal_auth`] changes only the fields given and
//! validates the **merged** result (`access_token_ttl ≤
//! access_token_max_ttl`, naming both fields), so a request that sends only
//! one of them cannot break the rule.
//!
//! # Login ([`MachineAuth::login`])
//! Checks, in this order: the client secret's format (no store read), the
//! client id, the client IP against `client_secret_trusted_ips`, the
//! lockout, the secret (lookup by digest, constant-time comparison), and the
//! secret's revocation, TTL and use limit. On success the secret's use count
//! is incremented **in the same commit** that stores the new access token
//! and clears the lockout counter, so a secret with a use limit of N grants
//! exactly N logins however many run at once, in any number of processes.
//!
//! ## Lockout
//! Each wrong secret (well-formed, from an allowed address, while not
//! locked) adds one failure to a counter kept in the Store per identity —
//! so it holds across engines and processes sharing the store, and the lock
//! triggers at the global count. Failures more than `counter_reset_secs`
//! apart do not add up. At `threshold` failures the identity is locked for
//! `duration_secs`: every login, even with the right secret, fails with
//! [`Error::LockedOut`](crate::Error::LockedOut) until it expires (attempts
//! while locked neither count nor extend the lock). A successful login
//! clears the counter.
//!
//! **A login from an address outside `client_secret_trusted_ips` does not
//! count toward lockout.** It is refused before the secret is looked at, so
//! it tells an attacker nothing about the secret and there is nothing to
//! slow down; counting it would instead let anyone outside the allow-list
//! lock the identity's legitimate clients out — the allow-list exists to
//! keep such callers from having any effect. Such refusals write nothing. A
//! malformed secret (bad prefix, length or checksum) is likewise refused
//! before any store read and not counted: it can never match.
//!
//! # Access tokens
//! [`MachineAuth::authenticate`] checks revocation, expiry, the client IP
//! against the identity's current `access_token_trusted_ips`, and the use
//! limit: with a limit of N, exactly N calls succeed, also concurrently and
//! across processes (each use is a compare-and-swap commit of the count;
//! tokens without a limit are checked without a write).
//! [`MachineAuth::renew`] extends a token by its TTL from now, but never past
//! creation + max TTL; a periodic token is renewed by its period with no
//! maximum. [`MachineAuth::revoke`] ends a token at once, in every process.
//!
//! Client secrets (`cccs_…`) and access tokens (`ccat_…`) use the shared
//! opaque format of [`crate::token`]: 256 random bits, stored only as
//! SHA-256 digests.

pub mod ip;
mod ops;
mod record;

use std::fmt;

pub use ip::{IpList, IpRange, canonical_ip, resolve_client_ip};
pub use ops::MachineAuth;

use crate::services::UnixTime;
use crate::token::NewToken;

/// Prefix of client secrets.
pub const CLIENT_SECRET_PREFIX: &str = "cccs";
/// Prefix of access tokens.
pub const ACCESS_TOKEN_PREFIX: &str = "ccat";
/// Longest identity name, in characters.
pub const MAX_IDENTITY_NAME_LEN: usize = 128;
/// Longest client-secret description, in bytes of UTF-8.
pub const MAX_SECRET_DESCRIPTION_BYTES: usize = 1024;
/// Largest TTL, max TTL, period or client-secret TTL, in seconds (10 years).
pub const MAX_TTL_SECS: u32 = 315_360_000;
/// Default access-token TTL and max TTL (30 days).
pub const DEFAULT_ACCESS_TOKEN_TTL_SECS: u32 = 2_592_000;
/// Lockout threshold range.
pub const LOCKOUT_THRESHOLD_RANGE: (u32, u32) = (1, 30);
/// Lockout duration range, in seconds.
pub const LOCKOUT_DURATION_RANGE: (u32, u32) = (30, 86_400);
/// Lockout counter-reset range, in seconds.
pub const LOCKOUT_COUNTER_RESET_RANGE: (u32, u32) = (5, 3_600);

/// A machine identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MachineIdentity {
    /// UUID.
    pub id: String,
    /// Name (1..=128 characters).
    pub name: String,
    /// Creation time.
    pub create_time: UnixTime,
    /// Last change of the identity or its universal-auth configuration.
    pub update_time: UnixTime,
    /// Its universal-auth configuration, once attached.
    pub universal_auth: Option<UniversalAuth>,
}

/// Lockout settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lockout {
    /// Whether failed logins are counted (default true).
    pub enabled: bool,
    /// Failures that lock (default 3, 1..=30).
    pub threshold: u32,
    /// How long a lock lasts (default 300 s, 30..=86,400).
    pub duration_secs: u32,
    /// Failures further apart than this do not add up (default 30 s,
    /// 5..=3,600).
    pub counter_reset_secs: u32,
}

impl Default for Lockout {
    fn default() -> Self {
        Lockout {
            enabled: true,
            threshold: 3,
            duration_secs: 300,
            counter_reset_secs: 30,
        }
    }
}

/// An identity's universal-auth configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UniversalAuth {
    /// The identity.
    pub identity_id: String,
    /// The client id logins name (a UUID; not secret).
    pub client_id: String,
    /// Addresses that may log in.
    pub client_secret_trusted_ips: IpList,
    /// Addresses that may use access tokens.
    pub access_token_trusted_ips: IpList,
    /// Access-token TTL in seconds (0 = no TTL expiry).
    pub access_token_ttl: u32,
    /// Access-token max TTL in seconds (0 = no maximum).
    pub access_token_max_ttl: u32,
    /// Uses per access token (0 = unlimited).
    pub access_token_num_uses_limit: u32,
    /// Period of periodic access tokens in seconds (0 = not periodic).
    pub access_token_period: u32,
    /// Lockout settings.
    pub lockout: Lockout,
    /// When it was attached.
    pub create_time: UnixTime,
    /// Last change.
    pub update_time: UnixTime,
}

/// Universal-auth settings: for [`MachineAuth::attach_universal_auth`]
/// unset fields take their defaults, for
/// [`MachineAuth::update_universal_auth`] they stay unchanged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UniversalAuthSettings {
    /// Addresses or CIDR ranges (≥ 1).
    pub client_secret_trusted_ips: Option<Vec<String>>,
    /// Addresses or CIDR ranges (≥ 1).
    pub access_token_trusted_ips: Option<Vec<String>>,
    /// Seconds (0..=315,360,000).
    pub access_token_ttl: Option<u32>,
    /// Seconds (0..=315,360,000).
    pub access_token_max_ttl: Option<u32>,
    /// Uses (0 = unlimited).
    pub access_token_num_uses_limit: Option<u32>,
    /// Seconds (0..=315,360,000).
    pub access_token_period: Option<u32>,
    /// Lockout on/off.
    pub lockout_enabled: Option<bool>,
    /// 1..=30.
    pub lockout_threshold: Option<u32>,
    /// Seconds (30..=86,400).
    pub lockout_duration_secs: Option<u32>,
    /// Seconds (5..=3,600).
    pub lockout_counter_reset_secs: Option<u32>,
}

impl UniversalAuthSettings {
    fn is_empty(&self) -> bool {
        *self == UniversalAuthSettings::default()
    }
}

/// The state of a client secret, as of the read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ClientSecretState {
    /// Usable.
    Active,
    /// Past its TTL.
    Expired,
    /// Its use limit is reached.
    Exhausted,
    /// Revoked.
    Revoked,
}

impl ClientSecretState {
    /// `ACTIVE`, `EXPIRED`, `EXHAUSTED` or `REVOKED`.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientSecretState::Active => "ACTIVE",
            ClientSecretState::Expired => "EXPIRED",
            ClientSecretState::Exhausted => "EXHAUSTED",
            ClientSecretState::Revoked => "REVOKED",
        }
    }
}

impl fmt::Display for ClientSecretState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A client secret's metadata (never its value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientSecretInfo {
    /// UUID.
    pub id: String,
    /// The identity it logs in as.
    pub identity_id: String,
    /// Description.
    pub description: String,
    /// The first characters of the secret (`cccs_` and 4 more), to tell
    /// secrets apart.
    pub prefix: String,
    /// TTL in seconds (0 = never expires).
    pub ttl_secs: u32,
    /// Successful logins so far.
    pub num_uses: u32,
    /// Use limit (0 = unlimited).
    pub num_uses_limit: u32,
    /// State at the time of the read.
    pub state: ClientSecretState,
    /// Creation time.
    pub create_time: UnixTime,
    /// When it expires, if it has a TTL.
    pub expires_at: Option<UnixTime>,
    /// Last successful login.
    pub last_used_at: Option<UnixTime>,
}

/// What [`MachineAuth::create_client_secret`] takes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateClientSecret {
    /// Description (≤ 1024 bytes).
    pub description: String,
    /// TTL in seconds (0 = never expires; at most 315,360,000).
    pub ttl_secs: u32,
    /// Use limit (0 = unlimited).
    pub num_uses_limit: u32,
}

/// A new client secret, shown this once.
#[derive(Debug)]
pub struct CreatedClientSecret {
    /// The identity's client id.
    pub client_id: String,
    /// The secret.
    pub secret: NewToken,
    /// Its metadata.
    pub info: ClientSecretInfo,
}

/// An access token's metadata (never its value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessTokenInfo {
    /// UUID.
    pub id: String,
    /// The identity it acts as.
    pub identity_id: String,
    /// The client secret that logged in.
    pub client_secret_id: String,
    /// Creation time.
    pub create_time: UnixTime,
    /// When it expires (TTL or period, capped by max TTL); `None` = never.
    pub expires_at: Option<UnixTime>,
    /// Creation + max TTL, if there is a maximum (never for periodic tokens).
    pub max_expires_at: Option<UnixTime>,
    /// TTL in seconds as issued.
    pub ttl_secs: u32,
    /// Max TTL in seconds as issued.
    pub max_ttl_secs: u32,
    /// Period in seconds (0 = not periodic).
    pub period_secs: u32,
    /// Successful uses so far (counted only for tokens with a limit).
    pub num_uses: u32,
    /// Use limit (0 = unlimited).
    pub num_uses_limit: u32,
}

/// A successful login.
#[derive(Debug)]
pub struct AccessTokenGrant {
    /// The access token (`ccat_…`), shown this once.
    pub access_token: NewToken,
    /// Seconds until it expires (0 = it does not expire).
    pub expires_in: u64,
    /// The max TTL it was issued with (0 = none).
    pub access_token_max_ttl: u32,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Its metadata.
    pub info: AccessTokenInfo,
}

#[cfg(test)]
mod tests;
