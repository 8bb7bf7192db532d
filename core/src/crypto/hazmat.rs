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

/// Opaque failure of a primitive (bad key length, failed tag check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CryptoFailure;

/// Seals `plaintext` with AES-256-GCM under `key`, a fresh random nonce and
/// `aad`. Returns `nonce || ciphertext || tag`.
pub(crate) fn aes_gcm_seal(
    rng: &dyn SecureRandom,
    key: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoFailure> {
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill(&mut nonce).map_err(|_| CryptoFailure)?;
    let body = aes_gcm_seal_with_nonce(key, &nonce, aad, plaintext)?;
    let mut out = Vec::with_capacity(NONCE_LEN + body.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&body);
    Ok(out)
}

/// Seals with an explicit nonce; returns `ciphertext || tag`. The caller
/// guarantees the nonce is never reused with the same key.
pub(crate) fn aes_gcm_seal_with_nonce(
    key: &[u8],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoFailure> {
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key).map_err(|_| CryptoFailure)?);
    let mut body = plaintext.to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(*nonce),
        Aad::from(aad),
        &mut body,
    )
    .map_err(|_| CryptoFailure)?;
    Ok(body)
}

/// Opens `nonce || ciphertext || tag` sealed by [`aes_gcm_seal`].
pub(crate) fn aes_gcm_open(
    key: &[u8],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, CryptoFailure> {
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return Err(CryptoFailure);
    }
    let (nonce, ct) = sealed.split_at(NONCE_LEN);
    let mut nonce_arr = [0u8; NONCE_LEN];
    nonce_arr.copy_from_slice(nonce);
    aes_gcm_open_detached(key, &nonce_arr, aad, ct)
}

/// Opens `ciphertext || tag` with an explicit nonce.
pub(crate) fn aes_gcm_open_detached(
    key: &[u8],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ct_and_tag: &[u8],
) -> Result<Vec<u8>, CryptoFailure> {
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key).map_err(|_| CryptoFailure)?);
    let mut buf = ct_and_tag.to_vec();
    let plain_len = key
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

/// HMAC-SHA256 of `msg` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let k = hmac::Key::new(hmac::HMAC_SHA256, key);
    let tag = hmac::sign(&k, msg);
    let mut out = [0u8; 32];
    out.copy_from_slice(tag.as_ref());
    out
}

/// SHA-256 of `msg`.
pub(crate) fn sha256(msg: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, msg);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}
