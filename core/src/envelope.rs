//! Envelope encryption of records: a fresh 256-bit data key per record,
//! AES-256-GCM, and the data key wrapped by the [`KeyManager`].
//!
//! # Layout (format 1)
//! ```text
//! u8   format            = 1
//! u8   aead algorithm    = 1 (AES-256-GCM)
//! u16  kek id length, then the kek id (UTF-8)
//! u32  kek version
//! u16  wrapped data key length, then the wrapped data key
//! [12] nonce
//! ..   ciphertext || 16-byte tag
//! ```
//! All integers are big-endian. The additional authenticated data of both
//! the data-key wrap and the AEAD binds the format, the tenant, the table,
//! the record key and the record's logical version ([`RecordAad`]), so a
//! sealed value moved to another record, tenant or version does not open.
//! Rewrapping replaces only the kek id, kek version and wrapped data key;
//! the nonce and ciphertext stay as they are.

use crate::crypto::SecretBytes;
use crate::crypto::hazmat::{self, KEY_LEN, NONCE_LEN, TAG_LEN};
use crate::error::{Error, Result};
use crate::kms::{KeyId, KeyManager, KmsError, WrappedKey};
use crate::services::SecureRandom;
use crate::store::Table;

/// Envelope format byte.
pub const FORMAT_V1: u8 = 1;
/// AEAD algorithm byte for AES-256-GCM.
pub const AEAD_AES_256_GCM: u8 = 1;

/// Bytes of the header besides the kek id and the wrapped data key: format,
/// algorithm, two lengths and the kek version.
const HEADER_FIXED_LEN: usize = 1 + 1 + 2 + 4 + 2;

/// What a sealed record is bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordAad<'a> {
    /// Tenant id.
    pub tenant: &'a str,
    /// Table the record lives in.
    pub table: Table,
    /// The record's logical key (not including the tenant).
    pub key: &'a [u8],
    /// The record's logical version (e.g. secret version number), not the
    /// store's CAS version, so that rewrapping does not change it.
    pub version: u64,
}

impl RecordAad<'_> {
    /// The canonical byte encoding of the binding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32 + self.tenant.len() + self.key.len());
        out.extend_from_slice(b"credcycle/envelope");
        out.push(FORMAT_V1);
        out.push(AEAD_AES_256_GCM);
        put_lv(&mut out, self.tenant.as_bytes());
        out.extend_from_slice(&self.table.as_u32().to_be_bytes());
        put_lv(&mut out, self.key);
        out.extend_from_slice(&self.version.to_be_bytes());
        out
    }
}

fn put_lv(out: &mut Vec<u8>, bytes: &[u8]) {
    // Lengths here are bounded by validated ids; saturate defensively.
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

/// The parsed header of a sealed record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeHeader {
    /// The key that wraps the data key.
    pub kek: KeyId,
    /// Its version.
    pub kek_version: u32,
}

struct Parsed<'a> {
    header: EnvelopeHeader,
    wrapped: &'a [u8],
    nonce: [u8; NONCE_LEN],
    body: &'a [u8],
    body_offset: usize,
}

fn parse(sealed: &[u8]) -> Result<Parsed<'_>> {
    let bad = || Error::VerificationFailed;
    let mut r = Reader {
        buf: sealed,
        pos: 0,
    };
    if r.u8().ok_or_else(bad)? != FORMAT_V1 || r.u8().ok_or_else(bad)? != AEAD_AES_256_GCM {
        return Err(bad());
    }
    let kek_len = usize::from(r.u16().ok_or_else(bad)?);
    let kek = std::str::from_utf8(r.take(kek_len).ok_or_else(bad)?).map_err(|_| bad())?;
    let kek = KeyId::new(kek).map_err(|_| bad())?;
    let kek_version = r.u32().ok_or_else(bad)?;
    let wrapped_len = usize::from(r.u16().ok_or_else(bad)?);
    let wrapped = r.take(wrapped_len).ok_or_else(bad)?;
    let nonce_bytes = r.take(NONCE_LEN).ok_or_else(bad)?;
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(nonce_bytes);
    let body_offset = r.pos;
    let body = &sealed[body_offset..];
    if body.len() < TAG_LEN {
        return Err(bad());
    }
    Ok(Parsed {
        header: EnvelopeHeader { kek, kek_version },
        wrapped,
        nonce,
        body,
        body_offset,
    })
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

fn write_header(out: &mut Vec<u8>, wrapped: &WrappedKey) -> Result<()> {
    let kek = wrapped.key.as_str().as_bytes();
    let kek_len = u16::try_from(kek.len()).map_err(|_| Error::Internal("kek id too long"))?;
    let wrapped_len = u16::try_from(wrapped.ciphertext.len())
        .map_err(|_| Error::Internal("wrapped data key too long"))?;
    out.push(FORMAT_V1);
    out.push(AEAD_AES_256_GCM);
    out.extend_from_slice(&kek_len.to_be_bytes());
    out.extend_from_slice(kek);
    out.extend_from_slice(&wrapped.version.to_be_bytes());
    out.extend_from_slice(&wrapped_len.to_be_bytes());
    out.extend_from_slice(&wrapped.ciphertext);
    Ok(())
}

/// Maps key manager errors of an unwrap. A key or version the header names
/// but the key manager does not know is treated like any other tampering
/// (one generic error, SECURITY-REQUIREMENTS SM-4); a key that exists but is
/// pending deletion keeps its clear state error (SM-5).
fn kms_to_error(e: KmsError) -> Error {
    match e {
        KmsError::UnwrapFailed | KmsError::NotFound => Error::VerificationFailed,
        other => Error::Kms(other),
    }
}

/// Seals `plaintext` for the record `aad` under a fresh data key wrapped by
/// `kek`'s primary version.
///
/// # Errors
/// Key manager errors (unknown, disabled or non-wrap key), random failure.
pub fn seal(
    keys: &dyn KeyManager,
    rng: &dyn SecureRandom,
    kek: &KeyId,
    aad: &RecordAad<'_>,
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    // The data key and the nonce in one draw (one system call with
    // `OsRandom`).
    let mut fresh = zeroize::Zeroizing::new([0u8; KEY_LEN + NONCE_LEN]);
    rng.fill(fresh.as_mut()).map_err(|_| Error::Random)?;
    let (raw_key, raw_nonce) = fresh.split_at(KEY_LEN);
    let dek = SecretBytes::from_slice(raw_key);
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(raw_nonce);
    let aad_bytes = aad.to_bytes();
    let wrapped = keys.wrap(kek, &dek, &aad_bytes).map_err(Error::Kms)?;
    // Header, nonce and plaintext go to the output once; the plaintext is
    // then encrypted in place and the tag appended into reserved capacity.
    let mut out = Vec::with_capacity(
        HEADER_FIXED_LEN
            + wrapped.key.as_str().len()
            + wrapped.ciphertext.len()
            + NONCE_LEN
            + plaintext.len()
            + TAG_LEN,
    );
    write_header(&mut out, &wrapped)?;
    out.extend_from_slice(&nonce);
    let body_start = out.len();
    out.extend_from_slice(plaintext);
    hazmat::aes_gcm_seal_in_place(dek.expose(), &nonce, &aad_bytes, &mut out, body_start)
        .map_err(|_| Error::Internal("aead seal failed"))?;
    Ok(out)
}

/// Opens a record sealed by [`seal`] (or rewrapped by [`rewrap`]) for `aad`.
///
/// # Errors
/// [`Error::VerificationFailed`] for any malformed or tampered input or a
/// different `aad` (one generic error, no detail); key manager errors when
/// the wrapping key is unknown or pending deletion.
pub fn open(keys: &dyn KeyManager, aad: &RecordAad<'_>, sealed: &[u8]) -> Result<SecretBytes> {
    let Parsed {
        header,
        wrapped,
        nonce,
        body,
        ..
    } = parse(sealed)?;
    let aad_bytes = aad.to_bytes();
    let dek = keys
        .unwrap(
            &WrappedKey {
                key: header.kek,
                version: header.kek_version,
                ciphertext: wrapped.to_vec(),
            },
            &aad_bytes,
        )
        .map_err(kms_to_error)?;
    let plain = hazmat::aes_gcm_open_detached(dek.expose(), &nonce, &aad_bytes, body)
        .map_err(|_| Error::VerificationFailed)?;
    Ok(SecretBytes::new(plain))
}

/// The header (wrapping key and version) of a sealed record.
///
/// # Errors
/// [`Error::VerificationFailed`] when the layout is malformed.
pub fn header(sealed: &[u8]) -> Result<EnvelopeHeader> {
    parse(sealed).map(|p| p.header)
}

/// Re-wraps the data key of `sealed` under `new_kek`'s primary version. The
/// nonce and ciphertext are copied unchanged.
///
/// # Errors
/// As [`open`] for the old key, and as [`seal`] for the new one.
pub fn rewrap(
    keys: &dyn KeyManager,
    aad: &RecordAad<'_>,
    sealed: &[u8],
    new_kek: &KeyId,
) -> Result<Vec<u8>> {
    let p = parse(sealed)?;
    let aad_bytes = aad.to_bytes();
    let dek = keys
        .unwrap(
            &WrappedKey {
                key: p.header.kek.clone(),
                version: p.header.kek_version,
                ciphertext: p.wrapped.to_vec(),
            },
            &aad_bytes,
        )
        .map_err(kms_to_error)?;
    // Authenticate the body before re-wrapping, so a damaged record is not
    // blessed with a fresh wrap.
    hazmat::aes_gcm_open_detached(dek.expose(), &p.nonce, &aad_bytes, p.body)
        .map_err(|_| Error::VerificationFailed)?;
    let wrapped = keys.wrap(new_kek, &dek, &aad_bytes).map_err(Error::Kms)?;
    let mut out = Vec::with_capacity(sealed.len() + 16);
    write_header(&mut out, &wrapped)?;
    out.extend_from_slice(&p.nonce);
    out.extend_from_slice(&sealed[p.body_offset..]);
    Ok(out)
}

/// The nonce and ciphertext of a sealed record (what rewrapping must keep).
///
/// # Errors
/// [`Error::VerificationFailed`] when the layout is malformed.
pub fn body(sealed: &[u8]) -> Result<&[u8]> {
    let p = parse(sealed)?;
    Ok(&sealed[p.body_offset - NONCE_LEN..])
}

#[cfg(test)]
mod proptests {
    use std::sync::{Arc, OnceLock};

    use proptest::prelude::*;

    use super::*;
    use crate::kms::{KeyAlgorithm, LocalKeyManager};
    use crate::store::MemoryStore;
    use crate::testing::SeededRng;

    struct Fx {
        keys: LocalKeyManager,
        rng: SeededRng,
        kek: KeyId,
    }

    fn fx() -> &'static Fx {
        static FX: OnceLock<Fx> = OnceLock::new();
        FX.get_or_init(|| {
            let rng = Arc::new(SeededRng::new(11));
            let keys = LocalKeyManager::new(
                Arc::new(MemoryStore::new()),
                rng,
                SecretBytes::new(vec![3u8; KEY_LEN]),
            )
            .expect("key manager");
            let kek = KeyId::new("k1").expect("key id");
            keys.create_key(&kek, KeyAlgorithm::Aes256Gcm)
                .expect("create key");
            Fx {
                keys,
                rng: SeededRng::new(12),
                kek,
            }
        })
    }

    #[derive(Clone, Debug)]
    struct OwnedAad {
        tenant: String,
        table: Table,
        key: Vec<u8>,
        version: u64,
    }

    impl OwnedAad {
        fn get(&self) -> RecordAad<'_> {
            RecordAad {
                tenant: &self.tenant,
                table: self.table,
                key: &self.key,
                version: self.version,
            }
        }
    }

    fn aad() -> impl Strategy<Value = OwnedAad> {
        (
            ".{0,24}",
            prop::sample::select(Table::ALL),
            prop::collection::vec(any::<u8>(), 0..64),
            any::<u64>(),
        )
            .prop_map(|(tenant, table, key, version)| OwnedAad {
                tenant,
                table,
                key,
                version,
            })
    }

    fn plaintext() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(any::<u8>(), 0..4096)
    }

    fn seal_with(aad: &OwnedAad, plaintext: &[u8]) -> Vec<u8> {
        let f = fx();
        seal(&f.keys, &f.rng, &f.kek, &aad.get(), plaintext).expect("seal")
    }

    /// `aad` with exactly one field changed, chosen by `which`.
    fn other_aad(aad: &OwnedAad, which: u8, salt: u64) -> OwnedAad {
        let mut o = aad.clone();
        match which % 4 {
            0 => o.tenant.push(char::from(b'a' + (salt % 26) as u8)),
            1 => {
                let pos = Table::ALL.iter().position(|t| *t == o.table).unwrap_or(0);
                let step = 1 + (salt as usize) % (Table::ALL.len() - 1);
                o.table = Table::ALL[(pos + step) % Table::ALL.len()];
            }
            2 => match o.key.first_mut() {
                Some(b) => *b ^= 1 << (salt % 8),
                None => o.key.push(salt as u8),
            },
            _ => o.version ^= 1 << (salt % 64),
        }
        o
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn seal_open_roundtrip(aad in aad(), pt in plaintext()) {
            let f = fx();
            let sealed = seal_with(&aad, &pt);
            let h = header(&sealed).expect("header");
            prop_assert_eq!(&h.kek, &f.kek);
            prop_assert_eq!(body(&sealed).expect("body").len(), NONCE_LEN + pt.len() + TAG_LEN);
            let opened = open(&f.keys, &aad.get(), &sealed).expect("open");
            prop_assert_eq!(opened.expose(), &pt[..]);
        }

        /// Flipping any one bit of a sealed value makes it fail to open:
        /// an error, never a panic and never the plaintext.
        #[test]
        fn any_bit_flip_is_rejected(
            aad in aad(),
            pt in plaintext(),
            at in any::<prop::sample::Index>(),
        ) {
            let sealed = seal_with(&aad, &pt);
            let bit = at.index(sealed.len() * 8);
            let mut tampered = sealed;
            tampered[bit / 8] ^= 1 << (bit % 8);
            prop_assert!(open(&fx().keys, &aad.get(), &tampered).is_err());
        }

        /// A sealed value does not open for another tenant, table, key or
        /// version.
        #[test]
        fn other_aad_is_rejected(
            aad in aad(),
            pt in prop::collection::vec(any::<u8>(), 0..256),
            which in any::<u8>(),
            salt in any::<u64>(),
        ) {
            let sealed = seal_with(&aad, &pt);
            let other = other_aad(&aad, which, salt);
            prop_assert_ne!(other.get().to_bytes(), aad.get().to_bytes());
            let err = open(&fx().keys, &other.get(), &sealed).expect_err("must not open");
            prop_assert!(matches!(err, Error::VerificationFailed), "{err:?}");
        }

        #[test]
        fn truncation_is_rejected(
            pt in prop::collection::vec(any::<u8>(), 0..256),
            cut in any::<prop::sample::Index>(),
        ) {
            let aad = OwnedAad { tenant: "t".into(), table: Table::SecretVersion, key: b"k".to_vec(), version: 1 };
            let sealed = seal_with(&aad, &pt);
            let short = &sealed[..cut.index(sealed.len())];
            prop_assert!(open(&fx().keys, &aad.get(), short).is_err());
        }

        #[test]
        fn header_and_open_never_panic_on_arbitrary_bytes(
            data in prop::collection::vec(any::<u8>(), 0..512),
        ) {
            let aad = OwnedAad { tenant: "t".into(), table: Table::SecretVersion, key: b"k".to_vec(), version: 1 };
            let _ = header(&data);
            let _ = body(&data);
            prop_assert!(open(&fx().keys, &aad.get(), &data).is_err());
            crate::internal::fuzzing::envelope_open(&data);
        }

        /// Arbitrary bytes behind a well-formed prefix that names an existing
        /// key reach the key manager's unwrap, and still fail cleanly.
        #[test]
        fn arbitrary_wrapped_key_and_body_never_panic(
            wrapped in prop::collection::vec(any::<u8>(), 0..128),
            rest in prop::collection::vec(any::<u8>(), 0..128),
            version in prop_oneof![Just(1u32), any::<u32>()],
        ) {
            let f = fx();
            let aad = OwnedAad { tenant: "t".into(), table: Table::SecretVersion, key: b"k".to_vec(), version: 1 };
            let mut data = Vec::new();
            let w = WrappedKey { key: f.kek.clone(), version, ciphertext: wrapped };
            write_header(&mut data, &w).expect("header");
            data.extend_from_slice(&rest);
            prop_assert!(open(&f.keys, &aad.get(), &data).is_err());
            crate::internal::fuzzing::envelope_open(&data);
        }
    }

    /// Exhaustive over a small value: every one of its bits.
    #[test]
    fn every_bit_flip_of_a_small_value_is_rejected() {
        let aad = OwnedAad {
            tenant: "tenant".into(),
            table: Table::SecretVersion,
            key: b"secret/v1".to_vec(),
            version: 7,
        };
        let sealed = seal_with(&aad, b"sixteen byte val");
        for bit in 0..sealed.len() * 8 {
            let mut tampered = sealed.clone();
            tampered[bit / 8] ^= 1 << (bit % 8);
            assert!(
                open(&fx().keys, &aad.get(), &tampered).is_err(),
                "bit {bit} flipped still opens"
            );
        }
    }
}
