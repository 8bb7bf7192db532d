//! The opaque token format shared by every domain that hands out bearer
//! secrets (API tokens, refresh tokens, client secrets, access tokens, API
//! sessions).
//!
//! ```text
//! <prefix>_<base32(32 random bytes || 4-byte checksum)>      (64 characters of body)
//! ```
//! - the prefix (2..=16 of `[a-z0-9]`) names the kind, so a leaked token is
//!   recognisable by secret scanners and a token of one kind is never
//!   accepted as another;
//! - 256 bits from the engine's [`SecureRandom`];
//! - the checksum (first 4 bytes of SHA-256 over a label, the prefix and the
//!   random part) rejects typos and garbage **before any store read**;
//! - only [`TokenDigest`] (SHA-256 of the whole token string) is stored and
//!   looked up; digests are compared in constant time.

use std::fmt;

use crate::crypto::{ct_eq, hazmat};
use crate::encoding::{base32_decode, base32_encode, hex_encode};
use crate::error::{Error, Result};
use crate::services::SecureRandom;

/// Random bytes in a token.
pub const TOKEN_RANDOM_BYTES: usize = 32;
const CHECKSUM_BYTES: usize = 4;
const BODY_CHARS: usize = (TOKEN_RANDOM_BYTES + CHECKSUM_BYTES) * 8 / 5 + 1;

/// A freshly generated token. The value leaves only through
/// [`NewToken::reveal`]; `Debug` shows the prefix only.
pub struct NewToken {
    value: zeroize::Zeroizing<String>,
    digest: TokenDigest,
}

impl NewToken {
    /// The token text, to hand to its owner once.
    pub fn reveal(&self) -> &str {
        &self.value
    }

    /// The digest to store.
    pub fn digest(&self) -> &TokenDigest {
        &self.digest
    }

    /// Consumes the token into its text.
    pub fn into_revealed(self) -> zeroize::Zeroizing<String> {
        self.value
    }
}

impl fmt::Debug for NewToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = self.value.split('_').next().unwrap_or("");
        write!(f, "NewToken({prefix}_<redacted>)")
    }
}

/// SHA-256 of a token: what the store keeps and looks up.
#[derive(Clone, Copy, Eq)]
pub struct TokenDigest(pub [u8; 32]);

impl TokenDigest {
    /// Lower-case hex, for store keys.
    pub fn to_hex(&self) -> String {
        hex_encode(&self.0)
    }
}

impl PartialEq for TokenDigest {
    /// Constant-time.
    fn eq(&self, other: &Self) -> bool {
        ct_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for TokenDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenDigest({}…)", &self.to_hex()[..8])
    }
}

fn check_prefix(prefix: &str) -> Result<()> {
    let ok = (2..=16).contains(&prefix.len())
        && prefix
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid("prefix", "must be 2..=16 of [a-z0-9]"))
    }
}

fn checksum(prefix: &str, random: &[u8]) -> [u8; CHECKSUM_BYTES] {
    let mut m = Vec::with_capacity(16 + prefix.len() + random.len());
    m.extend_from_slice(b"credcycle/token/v1");
    m.extend_from_slice(prefix.as_bytes());
    m.push(0);
    m.extend_from_slice(random);
    let d = hazmat::sha256(&m);
    let mut c = [0u8; CHECKSUM_BYTES];
    c.copy_from_slice(&d[..CHECKSUM_BYTES]);
    c
}

fn digest_of(token: &str) -> TokenDigest {
    TokenDigest(hazmat::sha256(token.as_bytes()))
}

/// Generates a token of kind `prefix`.
///
/// # Errors
/// [`Error::Random`] when the generator fails; [`Error::InvalidInput`] for a
/// bad prefix.
pub fn generate(rng: &dyn SecureRandom, prefix: &str) -> Result<NewToken> {
    check_prefix(prefix)?;
    let mut body = zeroize::Zeroizing::new([0u8; TOKEN_RANDOM_BYTES + CHECKSUM_BYTES]);
    rng.fill(&mut body[..TOKEN_RANDOM_BYTES])
        .map_err(|_| Error::Random)?;
    let c = checksum(prefix, &body[..TOKEN_RANDOM_BYTES]);
    body[TOKEN_RANDOM_BYTES..].copy_from_slice(&c);
    let value = zeroize::Zeroizing::new(format!(
        "{prefix}_{}",
        base32_encode(body.as_ref()).to_ascii_lowercase()
    ));
    let digest = digest_of(&value);
    Ok(NewToken { value, digest })
}

/// Checks that `token` is a well-formed token of kind `prefix` (syntax and
/// checksum, no store access) and returns its digest.
///
/// # Errors
/// [`Error::VerificationFailed`] for anything malformed: wrong kind, length,
/// alphabet or checksum. The error carries no detail and never the token.
pub fn parse(prefix: &str, token: &str) -> Result<TokenDigest> {
    let Some(body) = token
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
    else {
        return Err(Error::VerificationFailed);
    };
    if body.len() != BODY_CHARS || body.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(Error::VerificationFailed);
    }
    let raw = zeroize::Zeroizing::new(
        base32_decode("token", body).map_err(|_| Error::VerificationFailed)?,
    );
    if raw.len() != TOKEN_RANDOM_BYTES + CHECKSUM_BYTES {
        return Err(Error::VerificationFailed);
    }
    let (random, sum) = raw.split_at(TOKEN_RANDOM_BYTES);
    if !ct_eq(&checksum(prefix, random), sum) {
        return Err(Error::VerificationFailed);
    }
    Ok(digest_of(token))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::services::OsRandom;
    use crate::testing::SeededRng;

    #[test]
    fn generated_tokens_parse_and_digest_matches() {
        let rng = SeededRng::new(1);
        let t = generate(&rng, "cct").unwrap();
        assert!(t.reveal().starts_with("cct_"));
        assert_eq!(t.reveal().len(), 4 + BODY_CHARS);
        assert_eq!(parse("cct", t.reveal()).unwrap(), *t.digest());
    }

    /// TK-1: ≥ 128 bits from the CSPRNG (here 256), and no duplicates.
    #[test]
    fn tk1_tokens_carry_256_random_bits_and_do_not_repeat() {
        let rng = OsRandom::new();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..100_000 {
            let t = generate(&rng, "cct").unwrap();
            let body = base32_decode("t", &t.reveal()[4..]).unwrap();
            assert_eq!(body.len() - CHECKSUM_BYTES, 32);
            assert!(seen.insert(t.digest().0));
        }
    }

    #[test]
    fn malformed_tokens_fail_without_detail() {
        let rng = SeededRng::new(2);
        let t = generate(&rng, "cct").unwrap();
        let good = t.reveal().to_string();
        let mut cases = vec![
            String::new(),
            "cct_".into(),
            good.replacen("cct", "ccr", 1),
            good.to_uppercase(),
            format!("{good}a"),
            good[..good.len() - 1].to_string(),
        ];
        // Every single-character substitution in the body is caught by the
        // checksum (or the alphabet / trailing-bit checks).
        for i in 4..good.len() {
            let mut b = good.clone().into_bytes();
            b[i] = if b[i] == b'a' { b'b' } else { b'a' };
            cases.push(String::from_utf8(b).unwrap());
        }
        for c in cases {
            let e = parse("cct", &c).unwrap_err();
            assert_eq!(e.to_string(), "verification failed");
        }
    }

    #[test]
    fn debug_never_shows_the_token() {
        let t = generate(&SeededRng::new(3), "cct").unwrap();
        let d = format!("{t:?} {:?}", t.digest());
        assert!(!d.contains(&t.reveal()[4..]), "{d}");
        assert!(d.starts_with("NewToken(cct_<redacted>)"));
    }

    #[test]
    fn bad_prefixes_are_refused() {
        for p in ["", "a", "UP", "a_b", "abcdefghijklmnopq"] {
            assert!(generate(&SeededRng::new(4), p).is_err(), "{p}");
        }
    }

    mod proptests {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn parse_never_panics(s in "\\PC{0,100}") {
                let _ = parse("cct", &s);
            }
        }
    }
}
