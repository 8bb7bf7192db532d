//! [`Policy`]: the engine's tunable rules, with the defaults of SEMANTICS.md.

use crate::error::{Error, Result};
use crate::identities::PasswordHashParams;
use crate::kms::KeyId;
use crate::mfa::TotpAlgorithm;

/// Engine-wide rules. Start from [`Policy::default`] and change fields.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Policy {
    /// Wrap key used when a secret names none, and for the engine's own
    /// per-tenant keys (default `default`; created on first use).
    pub default_kms_key: KeyId,
    /// Versions kept per secret before the oldest unlabelled ones are pruned
    /// (default 100, 3..=10,000).
    pub max_secret_versions: u32,
    /// Largest secret value in bytes (default 65,536, at most 1 MiB).
    pub max_secret_value_bytes: usize,
    /// Deletion window used when none is given, in days (default 30, 7..=30).
    pub default_delete_window_days: u32,
    /// Whether values wrapped by a *disabled* key may still be read
    /// (default true; a key pending deletion never unwraps).
    pub allow_unwrap_with_disabled_key: bool,
    /// How many times an operation that lost a compare-and-swap race is
    /// re-run before [`Error::Conflict`] (default 8, at most 100).
    pub conflict_retries: u32,

    // ---- identities, passwords, API sessions (SEMANTICS.md §E) ----------
    /// Shortest password accepted when one is set, in Unicode code points
    /// (default 8, 5..=100; the seed's limits are 5..100). NIST 800-63B-4
    /// wants 15 for single-factor use: set it to 15 when MFA is not enforced.
    pub password_min_len: u32,
    /// argon2id cost of new password hashes (default m=19456 KiB, t=2, p=1).
    /// Parameters below the OWASP/ASVS floors are refused by
    /// [`Policy::validate`]; stored hashes weaker than these are re-hashed at
    /// the next successful login.
    pub password_hash: PasswordHashParams,
    /// Apply Unicode NFKC normalisation to passwords before hashing
    /// (NIST 800-63B §5.1.1.2 "SHOULD"). Off by default: ASVS 5.0 6.2.8 asks
    /// for passwords to be verified exactly as received, and turning it on
    /// later would not match hashes made without it for non-NFKC passwords.
    pub password_normalize_nfkc: bool,
    /// Consecutive wrong passwords (at login or as `current_password`) that
    /// lock password authentication of an identity (default 5, 1..=100).
    pub password_lockout_threshold: u32,
    /// How long a password lock lasts, in seconds (default 300, 1..=86,400).
    pub password_lockout_secs: u32,
    /// API session idle timeout in seconds; each use slides it (default 1,800
    /// = 30 min, 60..=86,400).
    pub api_session_idle_timeout_secs: u32,
    /// Absolute API session lifetime in seconds, however active the session
    /// is (default 86,400; at least the idle timeout, at most 31,536,000).
    /// Beyond the seed, for ASVS 5.0 7.3.2.
    pub api_session_max_lifetime_secs: u32,

    // ---- MFA (TOTP, RFC 6238) ---------------------------------------------
    /// Issuer shown in authenticator apps (default `credcycle`; 1..=64
    /// characters, no `:`).
    pub mfa_issuer: String,
    /// HMAC of new TOTP enrollments (default SHA-1, the one every app
    /// supports); the secret is 20, 32 or 64 bytes to match.
    pub totp_algorithm: TotpAlgorithm,
    /// Digits of new TOTP enrollments (default 6, 6..=8).
    pub totp_digits: u32,
    /// Period of new TOTP enrollments in seconds (default 30, 1..=120;
    /// NIST 800-63B requires a change at least every 2 minutes).
    pub totp_period_secs: u32,
    /// Steps accepted either side of the expected one (default 1, at most 2;
    /// RFC 6238 §5.2 recommends 1).
    pub totp_window_steps: u32,
    /// Largest accepted distance between a code's step and the clock's step,
    /// including the drift learnt from earlier codes (RFC 6238 §6; default 1,
    /// `totp_window_steps..=4`).
    pub totp_max_drift_steps: u32,
    /// Consecutive failed MFA codes (TOTP and recovery codes together) that
    /// lock MFA of an identity (default 5, 1..=100).
    pub mfa_lockout_threshold: u32,
    /// How long an MFA lock lasts, in seconds (default 300, 1..=86,400).
    pub mfa_lockout_secs: u32,
    /// Recovery codes per enrollment (default 10, 1..=32).
    pub recovery_code_count: u32,
    /// Whether `view` may show the unused recovery codes again (they are then
    /// also stored envelope-encrypted). Default false: only digests are
    /// kept and `view` returns how many remain.
    pub recovery_codes_viewable: bool,
    /// The key manager key (P-256) that signs the engine's JWTs and JWS
    /// webhook bodies (default `token-signing`; created on first use).
    pub token_signing_key: KeyId,
    /// How long a rotated-out token-signing key stays in the JWKS, in
    /// seconds (default 86,400; at least `jwt_ttl_secs`, at most 30 days).
    pub token_key_retention_secs: i64,
    /// Lifetime of the JWTs the engine signs (webhook `Jwt`/`Jwe` bodies),
    /// in seconds (default 300, 1..=86,400).
    pub jwt_ttl_secs: i64,
    /// `iss` of the JWTs the engine signs (default `credcycle`, 1..=256
    /// bytes).
    pub jwt_issuer: String,
    /// Longest grace period a target's previous signing key may keep
    /// signing after a rotation, in seconds (default 7 days, at most 90
    /// days).
    pub max_signing_key_grace_secs: i64,
    /// Longest lifetime of an API token, counted from its creation: its
    /// `expiration_time_utc` may never be set later than creation + this
    /// (default 31,536,000 s = 365 days, 60..=315,360,000).
    pub max_api_token_lifetime_secs: u32,
    /// How long after a refresh token was exchanged it may still be presented
    /// again without revoking its family, to tolerate a lost response
    /// (default 0 = no grace, at most 60 s).
    pub refresh_token_reuse_grace_secs: u32,
    /// A refresh token not exchanged for this long is refused (default
    /// 2,592,000 s = 30 days, 60..=31,536,000).
    pub refresh_token_idle_timeout_secs: u32,
}

/// Longest token-signing key retention, in seconds (30 days).
pub const MAX_TOKEN_KEY_RETENTION_SECS: i64 = 30 * 86_400;
/// Longest signing-key grace period a policy may allow, in seconds (90 days).
pub const MAX_SIGNING_KEY_GRACE_SECS: i64 = 90 * 86_400;

/// Largest [`Policy::max_api_token_lifetime_secs`] (10 years).
pub const MAX_API_TOKEN_LIFETIME_SECS: u32 = 315_360_000;
/// Largest [`Policy::refresh_token_reuse_grace_secs`].
pub const MAX_REFRESH_REUSE_GRACE_SECS: u32 = 60;
/// Largest [`Policy::refresh_token_idle_timeout_secs`] (365 days).
pub const MAX_REFRESH_IDLE_TIMEOUT_SECS: u32 = 31_536_000;

/// Smallest deletion window in days.
pub const MIN_DELETE_WINDOW_DAYS: u32 = 7;
/// Largest deletion window in days.
pub const MAX_DELETE_WINDOW_DAYS: u32 = 30;

impl Default for Policy {
    fn default() -> Self {
        Policy {
            default_kms_key: KeyId::from_trusted("default"),
            max_secret_versions: 100,
            max_secret_value_bytes: 64 * 1024,
            default_delete_window_days: 30,
            allow_unwrap_with_disabled_key: true,
            conflict_retries: 8,
            password_min_len: 8,
            password_hash: PasswordHashParams::default(),
            password_normalize_nfkc: false,
            password_lockout_threshold: 5,
            password_lockout_secs: 300,
            api_session_idle_timeout_secs: 30 * 60,
            api_session_max_lifetime_secs: 24 * 60 * 60,
            mfa_issuer: "credcycle".to_owned(),
            totp_algorithm: TotpAlgorithm::Sha1,
            totp_digits: 6,
            totp_period_secs: 30,
            totp_window_steps: 1,
            totp_max_drift_steps: 1,
            mfa_lockout_threshold: 5,
            mfa_lockout_secs: 300,
            recovery_code_count: 10,
            recovery_codes_viewable: false,
            token_signing_key: KeyId::from_trusted("token-signing"),
            token_key_retention_secs: 86_400,
            jwt_ttl_secs: 300,
            jwt_issuer: "credcycle".to_owned(),
            max_signing_key_grace_secs: 7 * 86_400,
            max_api_token_lifetime_secs: 31_536_000,
            refresh_token_reuse_grace_secs: 0,
            refresh_token_idle_timeout_secs: 2_592_000,
        }
    }
}

impl Policy {
    /// Checks every field against its range.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the field and its range.
    pub fn validate(&self) -> Result<()> {
        if !(3..=10_000).contains(&self.max_secret_versions) {
            return Err(Error::invalid(
                "max_secret_versions",
                format!("must be 3..=10000, got {}", self.max_secret_versions),
            ));
        }
        if self.max_secret_value_bytes == 0 || self.max_secret_value_bytes > 1024 * 1024 {
            return Err(Error::invalid(
                "max_secret_value_bytes",
                format!("must be 1..=1048576, got {}", self.max_secret_value_bytes),
            ));
        }
        if !(MIN_DELETE_WINDOW_DAYS..=MAX_DELETE_WINDOW_DAYS)
            .contains(&self.default_delete_window_days)
        {
            return Err(Error::invalid(
                "default_delete_window_days",
                format!(
                    "must be {MIN_DELETE_WINDOW_DAYS}..={MAX_DELETE_WINDOW_DAYS}, got {}",
                    self.default_delete_window_days
                ),
            ));
        }
        if self.conflict_retries > 100 {
            return Err(Error::invalid(
                "conflict_retries",
                format!("must be at most 100, got {}", self.conflict_retries),
            ));
        }
        if !(60..=MAX_API_TOKEN_LIFETIME_SECS).contains(&self.max_api_token_lifetime_secs) {
            return Err(Error::invalid(
                "max_api_token_lifetime_secs",
                format!(
                    "must be 60..={MAX_API_TOKEN_LIFETIME_SECS}, got {}",
                    self.max_api_token_lifetime_secs
                ),
            ));
        }
        if self.refresh_token_reuse_grace_secs > MAX_REFRESH_REUSE_GRACE_SECS {
            return Err(Error::invalid(
                "refresh_token_reuse_grace_secs",
                format!(
                    "must be 0..={MAX_REFRESH_REUSE_GRACE_SECS}, got {}",
                    self.refresh_token_reuse_grace_secs
                ),
            ));
        }
        if !(60..=MAX_REFRESH_IDLE_TIMEOUT_SECS).contains(&self.refresh_token_idle_timeout_secs) {
            return Err(Error::invalid(
                "refresh_token_idle_timeout_secs",
                format!(
                    "must be 60..={MAX_REFRESH_IDLE_TIMEOUT_SECS}, got {}",
                    self.refresh_token_idle_timeout_secs
                ),
            ));
        }
        if !(1..=86_400).contains(&self.jwt_ttl_secs) {
            return Err(Error::invalid(
                "jwt_ttl_secs",
                format!("must be 1..=86400, got {}", self.jwt_ttl_secs),
            ));
        }
        if !(self.jwt_ttl_secs..=MAX_TOKEN_KEY_RETENTION_SECS)
            .contains(&self.token_key_retention_secs)
        {
            return Err(Error::invalid(
                "token_key_retention_secs",
                format!(
                    "must be jwt_ttl_secs ({})..={MAX_TOKEN_KEY_RETENTION_SECS}, got {}",
                    self.jwt_ttl_secs, self.token_key_retention_secs
                ),
            ));
        }
        if self.jwt_issuer.is_empty() || self.jwt_issuer.len() > 256 {
            return Err(Error::invalid(
                "jwt_issuer",
                format!("must be 1..=256 bytes, got {}", self.jwt_issuer.len()),
            ));
        }
        if !(0..=MAX_SIGNING_KEY_GRACE_SECS).contains(&self.max_signing_key_grace_secs) {
            return Err(Error::invalid(
                "max_signing_key_grace_secs",
                format!(
                    "must be 0..={MAX_SIGNING_KEY_GRACE_SECS}, got {}",
                    self.max_signing_key_grace_secs
                ),
            ));
        }
        self.validate_identities()?;
        self.validate_mfa()
    }

    fn validate_identities(&self) -> Result<()> {
        in_range("password_min_len", self.password_min_len, 5, 100)?;
        self.password_hash.validate()?;
        in_range(
            "password_lockout_threshold",
            self.password_lockout_threshold,
            1,
            100,
        )?;
        in_range(
            "password_lockout_secs",
            self.password_lockout_secs,
            1,
            86_400,
        )?;
        in_range(
            "api_session_idle_timeout_secs",
            self.api_session_idle_timeout_secs,
            60,
            86_400,
        )?;
        in_range(
            "api_session_max_lifetime_secs",
            self.api_session_max_lifetime_secs,
            self.api_session_idle_timeout_secs,
            31_536_000,
        )
    }

    fn validate_mfa(&self) -> Result<()> {
        let n = self.mfa_issuer.chars().count();
        if n == 0
            || n > 64
            || self.mfa_issuer.contains(':')
            || self.mfa_issuer.chars().any(char::is_control)
        {
            return Err(Error::invalid(
                "mfa_issuer",
                format!("must be 1..=64 characters without ':' or control characters, got {n}"),
            ));
        }
        in_range("totp_digits", self.totp_digits, 6, 8)?;
        in_range("totp_period_secs", self.totp_period_secs, 1, 120)?;
        in_range("totp_window_steps", self.totp_window_steps, 0, 2)?;
        in_range(
            "totp_max_drift_steps",
            self.totp_max_drift_steps,
            self.totp_window_steps,
            4,
        )?;
        in_range("mfa_lockout_threshold", self.mfa_lockout_threshold, 1, 100)?;
        in_range("mfa_lockout_secs", self.mfa_lockout_secs, 1, 86_400)?;
        in_range("recovery_code_count", self.recovery_code_count, 1, 32)
    }
}

fn in_range(field: &'static str, v: u32, min: u32, max: u32) -> Result<()> {
    if (min..=max).contains(&v) {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("must be {min}..={max}, got {v}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_match_semantics() {
        let p = Policy::default();
        p.validate().expect("defaults are valid");
        assert_eq!(p.max_secret_versions, 100);
        assert_eq!(p.default_delete_window_days, 30);
        assert_eq!(p.default_kms_key.as_str(), "default");
        assert_eq!(p.max_signing_key_grace_secs, 7 * 86_400);
        assert_eq!(p.jwt_ttl_secs, 300);
    }

    #[test]
    fn jose_and_target_fields_are_validated() {
        let cases: Vec<(Policy, &str)> = vec![
            (
                Policy {
                    jwt_ttl_secs: 0,
                    ..Policy::default()
                },
                "jwt_ttl_secs",
            ),
            (
                Policy {
                    jwt_ttl_secs: 86_401,
                    ..Policy::default()
                },
                "jwt_ttl_secs",
            ),
            (
                Policy {
                    token_key_retention_secs: 299,
                    ..Policy::default()
                },
                "token_key_retention_secs",
            ),
            (
                Policy {
                    token_key_retention_secs: MAX_TOKEN_KEY_RETENTION_SECS + 1,
                    ..Policy::default()
                },
                "token_key_retention_secs",
            ),
            (
                Policy {
                    jwt_issuer: String::new(),
                    ..Policy::default()
                },
                "jwt_issuer",
            ),
            (
                Policy {
                    max_signing_key_grace_secs: -1,
                    ..Policy::default()
                },
                "max_signing_key_grace_secs",
            ),
            (
                Policy {
                    max_signing_key_grace_secs: MAX_SIGNING_KEY_GRACE_SECS + 1,
                    ..Policy::default()
                },
                "max_signing_key_grace_secs",
            ),
        ];
        for (p, field) in cases {
            let e = p.validate().expect_err(field);
            assert!(e.to_string().contains(field), "{e}");
        }
        let ok = Policy {
            max_signing_key_grace_secs: 0,
            token_key_retention_secs: 300,
            ..Policy::default()
        };
        ok.validate().expect("edges are valid");
    }

    #[test]
    fn out_of_range_fields_are_named() {
        let mut p = Policy {
            default_delete_window_days: 6,
            ..Policy::default()
        };
        let e = p.validate().expect_err("6 days");
        assert!(e.to_string().contains("default_delete_window_days"));
        assert!(e.to_string().contains("7..=30"));
        p.default_delete_window_days = 31;
        assert!(p.validate().is_err());
        let p = Policy {
            max_secret_versions: 2,
            ..Policy::default()
        };
        assert!(
            p.validate()
                .expect_err("2")
                .to_string()
                .contains("max_secret_versions")
        );
    }

    #[test]
    fn token_policy_defaults_and_limits() {
        let p = Policy::default();
        assert_eq!(p.refresh_token_reuse_grace_secs, 0);
        assert_eq!(p.max_api_token_lifetime_secs, 31_536_000);
        for (p, field, limit) in [
            (
                Policy {
                    refresh_token_reuse_grace_secs: 61,
                    ..Policy::default()
                },
                "refresh_token_reuse_grace_secs",
                "0..=60",
            ),
            (
                Policy {
                    max_api_token_lifetime_secs: 59,
                    ..Policy::default()
                },
                "max_api_token_lifetime_secs",
                "60..=315360000",
            ),
            (
                Policy {
                    max_api_token_lifetime_secs: MAX_API_TOKEN_LIFETIME_SECS + 1,
                    ..Policy::default()
                },
                "max_api_token_lifetime_secs",
                "60..=315360000",
            ),
            (
                Policy {
                    refresh_token_idle_timeout_secs: 59,
                    ..Policy::default()
                },
                "refresh_token_idle_timeout_secs",
                "60..=31536000",
            ),
        ] {
            let e = p.validate().expect_err(field).to_string();
            assert!(e.contains(field) && e.contains(limit), "{e}");
        }
        Policy {
            refresh_token_reuse_grace_secs: 60,
            ..Policy::default()
        }
        .validate()
        .expect("60 s grace is allowed");
    }
}
