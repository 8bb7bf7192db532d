//! Crypto primitives (crate-private). Everything here is composed into safe
//! operations elsewhere; nothing here is public API.

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::hmac;

use crate::services::SecureRandom;

/// AES-256-GCM key length.
pub(crate) const KEY_LEN: usize = 32;
/// AES-GCM nonce length.
pub(crate) const NONCE_LEN: usize = 12;
/// AES-GCM tag length.
pub(crate) const TAG_LEN: usize = 16;

/// DER prefix of a P-256 SubjectPublicKeyInfo (RFC 5480): SEQUENCE {
/// SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (0 unused bits) },
/// followed by the 65-byte uncompressed point.
pub(crate) const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];
/// Length of an uncompressed P-256 point.
pub(crate) const P256_POINT_LEN: usize = 65;

/// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE {
/// SEQUENCE { id-Ed25519 }, BIT STRING (0 unused bits) }, followed by the
/// 32-byte public key.
pub(crate) const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];
/// Length of an Ed25519 public key.
pub(crate) const ED25519_PUBLIC_LEN: usize = 32;

/// The SubjectPublicKeyInfo (DER) of an uncompressed P-256 point, or `None`
/// if `point` has the wrong length.
pub(crate) fn p256_spki(point: &[u8]) -> Option<Vec<u8>> {
    (point.len() == P256_POINT_LEN).then(|| [&P256_SPKI_PREFIX[..], point].concat())
}

/// The SubjectPublicKeyInfo (DER) of an Ed25519 public key, or `None` if
/// `key` has the wrong length.
pub(crate) fn ed25519_spki(key: &[u8]) -> Option<Vec<u8>> {
    (key.len() == ED25519_PUBLIC_LEN).then(|| [&ED25519_SPKI_PREFIX[..], key].concat())
}

/// Opaque failure of a primitive (bad key length, failed tag check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CryptoFailure;

/// An expanded AES-256-GCM key. Building one runs the key schedule; a key
/// used many times (a key-encryption key) is built once and kept.
pub(crate) struct AesGcmKey(LessSafeKey);

impl std::fmt::Debug for AesGcmKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AesGcmKey(<redacted>)")
    }
}

impl AesGcmKey {
    /// Expands `key` (32 bytes).
    pub(crate) fn new(key: &[u8]) -> Result<Self, CryptoFailure> {
        Ok(AesGcmKey(LessSafeKey::new(
            UnboundKey::new(&AES_256_GCM, key).map_err(|_| CryptoFailure)?,
        )))
    }

    /// Seals `plaintext` with a fresh random nonce and `aad`. Returns
    /// `prefix || nonce || ciphertext || tag`.
    pub(crate) fn seal(
        &self,
        rng: &dyn SecureRandom,
        prefix: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoFailure> {
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill(&mut nonce).map_err(|_| CryptoFailure)?;
        let mut out = Vec::with_capacity(prefix.len() + NONCE_LEN + plaintext.len() + TAG_LEN);
        out.extend_from_slice(prefix);
        out.extend_from_slice(&nonce);
        let start = out.len();
        out.extend_from_slice(plaintext);
        self.seal_in_place(&nonce, aad, &mut out, start)?;
        Ok(out)
    }

    /// Encrypts `buf[start..]` in place with an explicit nonce and appends
    /// the tag, leaving `buf[..start]` (a header) as it is. One pass, no
    /// copy; give `buf` `TAG_LEN` bytes of spare capacity to avoid a
    /// reallocation. The caller guarantees the nonce is never reused with
    /// the same key.
    pub(crate) fn seal_in_place(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        buf: &mut Vec<u8>,
        start: usize,
    ) -> Result<(), CryptoFailure> {
        let body = buf.get_mut(start..).ok_or(CryptoFailure)?;
        let tag = self
            .0
            .seal_in_place_separate_tag(Nonce::assume_unique_for_key(*nonce), Aad::from(aad), body)
            .map_err(|_| CryptoFailure)?;
        buf.extend_from_slice(tag.as_ref());
        Ok(())
    }

    /// Opens `nonce || ciphertext || tag` sealed by [`AesGcmKey::seal`] (after
    /// its prefix).
    pub(crate) fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoFailure> {
        if sealed.len() < NONCE_LEN + TAG_LEN {
            return Err(CryptoFailure);
        }
        let (nonce, ct) = sealed.split_at(NONCE_LEN);
        let mut nonce_arr = [0u8; NONCE_LEN];
        nonce_arr.copy_from_slice(nonce);
        self.open_detached(&nonce_arr, aad, ct)
    }

    /// Opens `ciphertext || tag` with an explicit nonce.
    pub(crate) fn open_detached(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        ct_and_tag: &[u8],
    ) -> Result<Vec<u8>, CryptoFailure> {
        let mut buf = ct_and_tag.to_vec();
        let plain_len = self
            .0
            .open_in_place(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(aad),
                &mut buf,
            )
            .map_err(|_| CryptoFailure)?
            .len();
        buf.truncate(plain_len);
        Ok(buf)
    }
}

/// Seals `plaintext` with AES-256-GCM under `key`, a fresh random nonce and
/// `aad`. Returns `nonce || ciphertext || tag`.
pub(crate) fn aes_gcm_seal(
    rng: &dyn SecureRandom,
    key: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoFailure> {
    AesGcmKey::new(key)?.seal(rng, &[], aad, plaintext)
}

/// [`AesGcmKey::seal_in_place`] under a key used once.
pub(crate) fn aes_gcm_seal_in_place(
    key: &[u8],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    buf: &mut Vec<u8>,
    start: usize,
) -> Result<(), CryptoFailure> {
    AesGcmKey::new(key)?.seal_in_place(nonce, aad, buf, start)
}

/// Opens `nonce || ciphertext || tag` sealed by [`aes_gcm_seal`].
pub(crate) fn aes_gcm_open(
    key: &[u8],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, CryptoFailure> {
    AesGcmKey::new(key)?.open(aad, sealed)
}

/// Opens `ciphertext || tag` with an explicit nonce.
pub(crate) fn aes_gcm_open_detached(
    key: &[u8],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ct_and_tag: &[u8],
) -> Result<Vec<u8>, CryptoFailure> {
    AesGcmKey::new(key)?.open_detached(nonce, aad, ct_and_tag)
}

/// HMAC-SHA256 of `msg` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let k = hmac::Key::new(hmac::HMAC_SHA256, key);
    let tag = hmac::sign(&k, msg);
    let mut out = [0u8; 32];
    out.copy_from_slice(tag.as_ref());
    out
}

/// SHA-256 of `msg`. (Unused since the key manager's cache compares sealed
/// bytes instead of digests; kept as part of the primitive set.)
#[allow(dead_code)]
pub(crate) fn sha256(msg: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, msg);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    /// Project Wycheproof AES-GCM vectors (see `tests/data/README.md`).
    const WYCHEPROOF_AES_GCM: &str =
        include_str!("../../../tests/data/wycheproof/aes_gcm_test.json");

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct AeadFile {
        number_of_tests: usize,
        test_groups: Vec<AeadGroup>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct AeadGroup {
        key_size: usize,
        iv_size: usize,
        tag_size: usize,
        tests: Vec<AeadCase>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct AeadCase {
        tc_id: u32,
        key: String,
        iv: String,
        aad: String,
        msg: String,
        ct: String,
        tag: String,
        result: String,
    }

    fn unhex(s: &str) -> Vec<u8> {
        assert!(s.len() % 2 == 0, "odd hex length");
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
            .collect()
    }

    /// Runs every case ring supports (256-bit key, 96-bit IV, 128-bit tag):
    /// valid cases seal to the exact `ct || tag` and open; invalid ones do
    /// not open. The counts are pinned so that a changed file fails.
    #[test]
    fn wycheproof_aes_256_gcm() {
        let file: AeadFile = serde_json::from_str(WYCHEPROOF_AES_GCM).expect("vector file parses");
        let (mut valid, mut invalid, mut skipped) = (0usize, 0usize, 0usize);
        for group in &file.test_groups {
            let supported = group.key_size == 8 * KEY_LEN
                && group.iv_size == 8 * NONCE_LEN
                && group.tag_size == 8 * TAG_LEN;
            if !supported {
                skipped += group.tests.len();
                continue;
            }
            for case in &group.tests {
                let id = case.tc_id;
                let key = unhex(&case.key);
                let nonce: [u8; NONCE_LEN] = unhex(&case.iv).try_into().expect("96-bit iv");
                let (aad, msg) = (unhex(&case.aad), unhex(&case.msg));
                let ct_and_tag = [unhex(&case.ct), unhex(&case.tag)].concat();
                let with_nonce = [&nonce[..], &ct_and_tag].concat();
                let opened = aes_gcm_open_detached(&key, &nonce, &aad, &ct_and_tag);
                assert_eq!(
                    aes_gcm_open(&key, &aad, &with_nonce),
                    opened,
                    "tc {id}: aes_gcm_open and aes_gcm_open_detached disagree"
                );
                match case.result.as_str() {
                    "valid" => {
                        let mut sealed = [&b"header"[..], &msg].concat();
                        assert_eq!(
                            aes_gcm_seal_in_place(&key, &nonce, &aad, &mut sealed, 6),
                            Ok(()),
                            "tc {id}: seal"
                        );
                        assert_eq!(&sealed[..6], b"header", "tc {id}: header kept");
                        assert_eq!(sealed[6..], ct_and_tag[..], "tc {id}: seal");
                        assert_eq!(opened, Ok(msg), "tc {id}: open");
                        valid += 1;
                    }
                    "invalid" => {
                        assert_eq!(opened, Err(CryptoFailure), "tc {id}: must not open");
                        invalid += 1;
                    }
                    other => panic!("tc {id}: unexpected result {other:?}"),
                }
            }
        }
        assert!(valid + invalid > 0, "no case was run");
        assert_eq!((valid, invalid, skipped), (39, 27, 250));
        assert_eq!(valid + invalid + skipped, file.number_of_tests);
    }
}
