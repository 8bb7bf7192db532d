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
}

/// Longest token-signing key retention, in seconds (30 days).
pub const MAX_TOKEN_KEY_RETENTION_SECS: i64 = 30 * 86_400;
/// Longest signing-key grace period a policy may allow, in seconds (90 days).
pub const MAX_SIGNING_KEY_GRACE_SECS: i64 = 90 * 86_400;

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
            token_signing_key: KeyId::from_trusted("token-signing"),
            token_key_retention_secs: 86_400,
            jwt_ttl_secs: 300,
            jwt_issuer: "credcycle".to_owned(),
            max_signing_key_grace_secs: 7 * 86_400,
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
}
