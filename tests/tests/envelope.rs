//! Envelope encryption against SECURITY-REQUIREMENTS.md §5 (SM-3, SM-4, SM-5).
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::sync::Arc;

use credcycle::envelope::{self, RecordAad};
use credcycle::testing::SeededRng;
use credcycle::{
    ErrorCode, KeyAlgorithm, KeyId, KeyManager, KeyState, LocalKeyManager, MemoryStore,
    SecretBytes, Table,
};

fn km() -> (LocalKeyManager, KeyId, Arc<SeededRng>) {
    let rng = Arc::new(SeededRng::new(11));
    let km = LocalKeyManager::new(
        Arc::new(MemoryStore::new()),
        rng.clone(),
        SecretBytes::new(vec![1; 32]),
    )
    .unwrap();
    let k = KeyId::new("kek").unwrap();
    km.create_key(&k, KeyAlgorithm::Aes256Gcm).unwrap();
    (km, k, rng)
}

fn aad(version: u64) -> RecordAad<'static> {
    RecordAad {
        tenant: "t",
        table: Table::SecretVersion,
        key: b"secret-id",
        version,
    }
}

/// SM-3: nonces are never reused for a (data key, record) pair: every seal
/// gets a fresh data key and a fresh nonce.
#[test]
fn nonces_and_data_keys_are_never_reused() {
    let (km, k, rng) = km();
    let n = 20_000;
    let mut nonces = HashSet::with_capacity(n);
    let mut wrapped = HashSet::with_capacity(n);
    for i in 0..n {
        let sealed = envelope::seal(&km, rng.as_ref(), &k, &aad(i as u64), b"v").unwrap();
        let body = envelope::body(&sealed).unwrap();
        assert!(nonces.insert(body[..12].to_vec()), "nonce reused at {i}");
        // The header minus the body is the wrapped data key (+ ids).
        let head = &sealed[..sealed.len() - body.len()];
        assert!(
            wrapped.insert(head.to_vec()),
            "wrapped data key reused at {i}"
        );
    }
}

/// SM-4: flipping one bit in any field (header, key id, key version, wrapped
/// data key, nonce, ciphertext, tag) or changing any part of the AAD gives
/// one generic error.
#[test]
fn every_tampered_field_gives_one_generic_error() {
    let (km, k, rng) = km();
    let sealed = envelope::seal(&km, rng.as_ref(), &k, &aad(1), b"attack at dawn").unwrap();
    for byte in 0..sealed.len() {
        for bit in 0..8 {
            let mut t = sealed.clone();
            t[byte] ^= 1 << bit;
            let e = envelope::open(&km, &aad(1), &t).unwrap_err();
            assert_eq!(
                e.code(),
                ErrorCode::VerificationFailed,
                "byte {byte} bit {bit}: {e}"
            );
        }
    }
    for other in [
        RecordAad {
            tenant: "u",
            ..aad(1)
        },
        RecordAad {
            table: Table::Meta,
            ..aad(1)
        },
        RecordAad {
            key: b"secret-iD",
            ..aad(1)
        },
        aad(2),
    ] {
        let e = envelope::open(&km, &other, &sealed).unwrap_err();
        assert_eq!(e.code(), ErrorCode::VerificationFailed);
    }
    for cut in 0..sealed.len() {
        let e = envelope::open(&km, &aad(1), &sealed[..cut]).unwrap_err();
        assert_eq!(
            e.code(),
            ErrorCode::VerificationFailed,
            "truncated to {cut}"
        );
    }
    assert_eq!(
        envelope::open(&km, &aad(1), &sealed).unwrap().expose(),
        b"attack at dawn"
    );
}

/// SM-5: rotation keeps old data readable, rewrap changes only the wrapped
/// data key, and a key pending deletion gives a clear (non-generic) error.
#[test]
fn rotation_rewrap_and_retired_keys() {
    let (km, k, rng) = km();
    let old = envelope::seal(&km, rng.as_ref(), &k, &aad(1), b"old").unwrap();
    km.rotate_key(&k).unwrap();
    let new = envelope::seal(&km, rng.as_ref(), &k, &aad(2), b"new").unwrap();
    assert_eq!(envelope::header(&old).unwrap().kek_version, 1);
    assert_eq!(envelope::header(&new).unwrap().kek_version, 2);
    assert_eq!(envelope::open(&km, &aad(1), &old).unwrap().expose(), b"old");
    let re = envelope::rewrap(&km, &aad(1), &old, &k).unwrap();
    assert_eq!(envelope::header(&re).unwrap().kek_version, 2);
    assert_eq!(envelope::body(&re).unwrap(), envelope::body(&old).unwrap());
    assert_eq!(envelope::open(&km, &aad(1), &re).unwrap().expose(), b"old");
    km.set_key_state(&k, KeyState::PendingDeletion).unwrap();
    let e = envelope::open(&km, &aad(1), &re).unwrap_err();
    assert_eq!(e.code(), ErrorCode::KeyState);
    assert!(e.to_string().contains("PENDING_DELETION"), "{e}");
}
