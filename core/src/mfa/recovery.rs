//! Recovery codes (look-up secrets): generation, display form, input
//! normalisation, and the keyed digests that are all the store keeps.
//!
//! A code is 25 characters of the RFC 4648 base32 alphabet (125 bits from the
//! engine's random generator, above the 112 bits of NIST 800-63B §5.1.2.2 and
//! ASVS 5.0 6.5.2), shown as five dash-separated groups of five. Input is
//! accepted in any case, with or without dashes and spaces.

use std::fmt;

use crate::crypto::hazmat;
use crate::error::{Error, Result};
use crate::services::SecureRandom;

/// Characters in a recovery code (without dashes).
pub const RECOVERY_CODE_CHARS: usize = 25;
/// Bits of entropy in a recovery code (5 per character).
pub const RECOVERY_CODE_BITS: usize = RECOVERY_CODE_CHARS * 5;
const GROUP: usize = 5;
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A recovery code in display form (`ABCDE-FGHIJ-…`). `Debug` redacts it;
/// the text leaves only through [`RecoveryCode::reveal`].
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(zeroize::Zeroizing<String>);

impl RecoveryCode {
    /// The code as shown to its owner.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// The normalised form (upper case, no dashes).
    pub(crate) fn normalized(&self) -> zeroize::Zeroizing<String> {
        zeroize::Zeroizing::new(self.0.replace('-', ""))
    }

    pub(crate) fn from_normalized(n: &str) -> Self {
        let mut s = String::with_capacity(n.len() + n.len() / GROUP);
        for (i, c) in n.chars().enumerate() {
            if i > 0 && i % GROUP == 0 {
                s.push('-');
            }
            s.push(c);
        }
        RecoveryCode(zeroize::Zeroizing::new(s))
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode(<redacted>)")
    }
}

/// Generates one code from the engine's generator (each character takes
/// the low 5 bits of one random byte: 256 is a multiple of 32, so the
/// characters are uniform).
///
/// # Errors
/// [`Error::Random`] when the generator fails.
pub(crate) fn generate(rng: &dyn SecureRandom) -> Result<RecoveryCode> {
    let mut raw = zeroize::Zeroizing::new([0u8; RECOVERY_CODE_CHARS]);
    rng.fill(raw.as_mut()).map_err(|_| Error::Random)?;
    let n: String = raw
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
        .collect();
    let n = zeroize::Zeroizing::new(n);
    Ok(RecoveryCode::from_normalized(&n))
}

/// Normalises user input: drops dashes and white space, upper-cases, and
/// checks length and alphabet. `None` when the input cannot be a recovery
/// code. Never panics.
pub fn normalize(input: &str) -> Option<zeroize::Zeroizing<String>> {
    if input.len() > 4 * RECOVERY_CODE_CHARS {
        return None;
    }
    let n: String = input
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let n = zeroize::Zeroizing::new(n);
    (n.len() == RECOVERY_CODE_CHARS && n.bytes().all(|b| ALPHABET.contains(&b))).then_some(n)
}

/// The stored digest of a normalised code: HMAC-SHA256 under the tenant's
/// recovery-code key, bound to the identity (so a digest copied to another
/// identity's record does not match).
pub(crate) fn digest(key: &[u8], identity_id: &str, normalized: &str) -> [u8; 32] {
    let mut m = Vec::with_capacity(64 + identity_id.len());
    m.extend_from_slice(b"credcycle/recovery-code/v1");
    m.extend_from_slice(&(identity_id.len() as u64).to_be_bytes());
    m.extend_from_slice(identity_id.as_bytes());
    m.extend_from_slice(normalized.as_bytes());
    let d = hazmat::hmac_sha256(key, &m);
    zeroize::Zeroize::zeroize(&mut m);
    d
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testing::SeededRng;

    #[test]
    fn display_form_has_five_groups_and_normalizes_back() {
        let c = generate(&SeededRng::new(5)).unwrap();
        let shown = c.reveal();
        assert_eq!(shown.len(), 29);
        assert_eq!(shown.split('-').count(), 5);
        assert!(shown.split('-').all(|g| g.len() == 5));
        let lower = shown.to_lowercase();
        let spaced = shown.replace('-', " ");
        let bare = shown.replace('-', "");
        for input in [shown, &lower, &spaced, &bare, &format!("  {shown}\n")] {
            assert_eq!(normalize(input).unwrap().as_str(), bare, "{input:?}");
        }
        assert_eq!(RecoveryCode::from_normalized(&bare).reveal(), shown);
    }

    #[test]
    fn malformed_inputs_are_not_codes() {
        let c = generate(&SeededRng::new(6)).unwrap();
        let bare = c.reveal().replace('-', "");
        for bad in [
            String::new(),
            bare[..24].to_string(),
            format!("{bare}A"),
            bare.replacen(&bare[..1], "1", 1),
            bare.replacen(&bare[..1], "é", 1),
            "123456".into(),
            "-".repeat(500),
        ] {
            assert!(normalize(&bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn debug_is_redacted() {
        let c = generate(&SeededRng::new(7)).unwrap();
        assert_eq!(format!("{c:?}"), "RecoveryCode(<redacted>)");
    }
}
