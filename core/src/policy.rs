//! [`Policy`]: the engine's tunable rules, with the defaults of SEMANTICS.md.

use crate::error::{Error, Result};
use crate::kms::KeyId;

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
        Ok(())
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
