//! Password hashing: argon2id in PHC string form, policy floors, length
//! rules counted in code points, optional NFKC, and the blocklist hook.

use std::fmt;

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};
use crate::services::SecureRandom;

/// Shortest password the seed allows at all, in code points.
pub const SEED_MIN_PASSWORD_LEN: usize = 5;
/// Longest password, in code points (the seed's limit; no truncation ever).
pub const MAX_PASSWORD_LEN: usize = 100;
/// Salt length of new hashes, in bytes.
pub const SALT_LEN: usize = 16;
/// Hash output length, in bytes.
const OUTPUT_LEN: usize = 32;

/// argon2id cost parameters.
///
/// [`PasswordHashParams::new`] values below the OWASP / ASVS 5.0 Appendix C
/// floors (`t = 1: m ≥ 47104`, `t = 2: m ≥ 19456`, `t ≥ 3: m ≥ 12288`, in KiB)
/// are refused by [`crate::Policy::validate`]. Tests that are not about the
/// parameters use [`PasswordHashParams::insecure_for_tests`] (feature
/// `testing` only) to stay fast.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordHashParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Iterations.
    pub t: u32,
    /// Lanes.
    pub p: u32,
    below_floor_allowed: bool,
}

impl Default for PasswordHashParams {
    /// m = 19456 KiB, t = 2, p = 1 (OWASP's recommended minimum).
    fn default() -> Self {
        PasswordHashParams::new(19_456, 2, 1)
    }
}

impl PasswordHashParams {
    /// Parameters that must meet the floors.
    pub fn new(m_kib: u32, t: u32, p: u32) -> Self {
        PasswordHashParams {
            m_kib,
            t,
            p,
            below_floor_allowed: false,
        }
    }

    /// Parameters exempt from the floors, for fast tests only.
    #[cfg(any(test, feature = "testing"))]
    pub fn insecure_for_tests(m_kib: u32, t: u32, p: u32) -> Self {
        PasswordHashParams {
            m_kib,
            t,
            p,
            below_floor_allowed: true,
        }
    }

    /// Whether the parameters meet the ASVS 5.0 Appendix C argon2id floors.
    pub fn meets_floor(&self) -> bool {
        let min_m = match self.t {
            0 => return false,
            1 => 47_104,
            2 => 19_456,
            _ => 12_288,
        };
        self.p >= 1 && self.m_kib >= min_m
    }

    /// Checks ranges and the floors.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `password_hash` and the rule.
    pub(crate) fn validate(&self) -> Result<()> {
        if self.t == 0 || self.t > 64 || self.p == 0 || self.p > 16 {
            return Err(Error::invalid(
                "password_hash",
                format!(
                    "t must be 1..=64 and p 1..=16, got t={} p={}",
                    self.t, self.p
                ),
            ));
        }
        if self.m_kib < 8 * self.p || self.m_kib > 4 * 1024 * 1024 {
            return Err(Error::invalid(
                "password_hash",
                format!("m must be 8*p..=4194304 KiB, got {}", self.m_kib),
            ));
        }
        if !self.below_floor_allowed && !self.meets_floor() {
            return Err(Error::invalid(
                "password_hash",
                format!(
                    "argon2id m={} t={} p={} is below the floor (t=1: m>=47104, t=2: m>=19456, t>=3: m>=12288 KiB)",
                    self.m_kib, self.t, self.p
                ),
            ));
        }
        Ok(())
    }

    fn argon2(&self) -> Result<Argon2<'static>> {
        let params = Params::new(self.m_kib, self.t, self.p, Some(OUTPUT_LEN))
            .map_err(|_| Error::invalid("password_hash", "parameters out of range"))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// A hook that refuses commonly used, expected or compromised passwords
/// (NIST 800-63B §5.1.1.2, ASVS 5.0 6.2.4). Plug one in with
/// [`crate::identities::Identities::with_blocklist`].
pub trait PasswordBlocklist: Send + Sync + fmt::Debug {
    /// Whether `candidate` (as the user typed it) must be refused.
    fn is_blocked(&self, candidate: &str) -> bool;
}

/// A blocklist of exact passwords, compared case-insensitively.
#[derive(Debug, Default, Clone)]
pub struct StaticBlocklist {
    entries: std::collections::HashSet<String>,
}

impl StaticBlocklist {
    /// A blocklist of `entries`.
    pub fn new<I: IntoIterator<Item = S>, S: AsRef<str>>(entries: I) -> Self {
        StaticBlocklist {
            entries: entries
                .into_iter()
                .map(|s| s.as_ref().to_lowercase())
                .collect(),
        }
    }
}

impl PasswordBlocklist for StaticBlocklist {
    fn is_blocked(&self, candidate: &str) -> bool {
        self.entries.contains(&candidate.to_lowercase())
    }
}

/// Checks a new password's length in code points (`min..=100`).
pub(crate) fn check_new(field: &'static str, password: &str, min: usize) -> Result<()> {
    let n = password.chars().count();
    if n < min {
        return Err(Error::invalid(
            field,
            format!("must be at least {min} characters (code points), got {n}"),
        ));
    }
    if n > MAX_PASSWORD_LEN {
        return Err(Error::invalid(
            field,
            format!("must be at most {MAX_PASSWORD_LEN} characters (code points), got {n}"),
        ));
    }
    Ok(())
}

/// Checks a presented password's length against the seed's 5..=100 (the
/// policy minimum applies only to new passwords, so older ones keep working).
pub(crate) fn check_presented(field: &'static str, password: &str) -> Result<()> {
    check_new(field, password, SEED_MIN_PASSWORD_LEN)
}

/// The bytes that are hashed: the password exactly as received, or its NFKC
/// form when the policy asks for it.
pub(crate) fn prepare(password: &str, nfkc: bool) -> zeroize::Zeroizing<String> {
    if nfkc {
        zeroize::Zeroizing::new(password.nfkc().collect())
    } else {
        zeroize::Zeroizing::new(password.to_owned())
    }
}

/// Hashes with a fresh 16-byte salt from the engine's generator; returns the
/// PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).
///
/// # Errors
/// [`Error::Random`]; [`Error::Internal`] if hashing fails.
pub(crate) fn hash(
    rng: &dyn SecureRandom,
    params: &PasswordHashParams,
    prepared: &str,
) -> Result<String> {
    let mut salt = [0u8; SALT_LEN];
    rng.fill(&mut salt).map_err(|_| Error::Random)?;
    let h = params
        .argon2()?
        .hash_password_with_salt(prepared.as_bytes(), &salt)
        .map_err(|_| Error::Internal("password hashing failed"))?;
    Ok(h.to_string())
}

/// Verifies `prepared` against a stored PHC string (constant-time output
/// comparison inside argon2).
///
/// # Errors
/// [`Error::Store`] (corrupt) when the stored string is not an argon2id PHC.
pub(crate) fn verify(prepared: &str, phc: &str) -> Result<bool> {
    let parsed = PasswordHash::new(phc).map_err(|_| Error::corrupt("password hash"))?;
    if parsed.algorithm.as_str() != "argon2id" {
        return Err(Error::corrupt("password hash algorithm"));
    }
    match Argon2::default().verify_password(prepared.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
        Err(_) => Err(Error::corrupt("password hash")),
    }
}

/// The parameters a PHC string was made with, if it parses.
pub(crate) fn params_of(phc: &str) -> Option<PasswordHashParams> {
    let parsed = PasswordHash::new(phc).ok()?;
    let p = Params::try_from(&parsed).ok()?;
    Some(PasswordHashParams::new(p.m_cost(), p.t_cost(), p.p_cost()))
}

/// Whether a stored hash is weaker than the policy (or not argon2id v19) and
/// should be re-hashed at the next successful login.
pub(crate) fn needs_rehash(phc: &str, policy: &PasswordHashParams) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return true;
    };
    if parsed.algorithm.as_str() != "argon2id" || parsed.version != Some(0x13) {
        return true;
    }
    match params_of(phc) {
        Some(p) => p.m_kib < policy.m_kib || p.t < policy.t || p.p < policy.p,
        None => true,
    }
}

/// The salt of a PHC string, decoded (for tests of salt uniqueness).
#[cfg(test)]
pub(crate) fn salt_of(phc: &str) -> Option<Vec<u8>> {
    let parsed = PasswordHash::new(phc).ok()?;
    Some(parsed.salt?.as_ref().to_vec())
}
