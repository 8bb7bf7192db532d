//! [`LocalKeyManager`]: software keys (ring), persisted in the Store sealed
//! under a caller-supplied root key.
//!
//! # Persisted layout (table [`Table::Kms`])
//! - `key/<id>`: one record per key ([`codec`] format 1), holding the id,
//!   algorithm, state, primary version and every version's key material,
//!   each sealed with AES-256-GCM under the root key. The AAD of a sealed
//!   version binds the key id, the version number and the algorithm, so
//!   material moved to another key, version or algorithm does not open.
//! - `root-check`: HMAC-SHA256 of a fixed label under the root key, so that a
//!   wrong root key is refused by [`LocalKeyManager::new`] with a clear error
//!   instead of failing later on every key.
//!
//! Key material per algorithm: AES-256-GCM, 32 random bytes; Ed25519, the
//! 32-byte seed; ECDSA P-256, the PKCS#8 document ring generates.
//!
//! # Wrapped data key format
//! `0x01 || nonce (12) || ciphertext || tag (16)`: AES-256-GCM under the key
//! version, with a fresh random nonce, and AAD binding the format, the key
//! id, the version and the caller's AAD.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ring::signature::{self as ring_sig, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{KeyAlgorithm, KeyId, KeyInfo, KeyManager, KeyPurpose, KeyState, KmsError, WrappedKey};
use crate::codec;
use crate::crypto::hazmat::{self, KEY_LEN, NONCE_LEN, TAG_LEN};
use crate::crypto::{SecretBytes, ct_eq};
use crate::services::SecureRandom;
use crate::store::{Op, Store, StoreError, Table, Version};

/// Prefix of the store keys of key records.
const KEY_PREFIX: &[u8] = b"key/";
/// Store key of the root-key check value.
const ROOT_CHECK_KEY: &[u8] = b"root-check";
/// Label MACed under the root key to make the check value.
const ROOT_CHECK_LABEL: &[u8] = b"credcycle/local-kms/root-check/v1";
/// AAD label of sealed key material.
const MATERIAL_LABEL: &[u8] = b"credcycle/local-kms/material/v1";
/// AAD label of wrapped data keys.
const WRAP_LABEL: &[u8] = b"credcycle/local-kms/wrap/v1";
/// First byte of a wrapped data key.
const WRAP_FORMAT_V1: u8 = 1;
/// Attempts of a read-modify-CAS update before giving up.
const CAS_ATTEMPTS: usize = 16;
/// Page size of `list_keys` scans.
const SCAN_PAGE: u32 = 256;
/// Decrypted key versions kept in memory before the cache is emptied.
const CACHE_LIMIT: usize = 4096;

/// Software key manager: keys generated with ring, persisted in a [`Store`]
/// and sealed under a 32-byte root key that the caller supplies (read from a
/// file or the environment; core does no I/O of its own).
///
/// Several instances (in one process or several) may share one store: every
/// operation reads the key's current record, and every change is a
/// compare-and-swap. Decrypted key versions are cached in memory (zeroized
/// when dropped); versions never change once written.
///
/// AES keys and Ed25519 seeds come from the injected [`SecureRandom`]. P-256
/// keys are generated, and P-256 signatures randomized, by ring's system
/// generator, since ring accepts no other.
pub struct LocalKeyManager {
    store: Arc<dyn Store>,
    rng: Arc<dyn SecureRandom>,
    root_key: SecretBytes,
    system_rng: ring::rand::SystemRandom,
    /// Decrypted versions by key id, then version number (nested so that a
    /// lookup borrows the id instead of cloning it).
    cache: Mutex<HashMap<KeyId, HashMap<u32, CachedMaterial>>>,
    records: Mutex<HashMap<KeyId, CachedRecord>>,
}

/// A decrypted key version and the sealed bytes it came from (so that a
/// record replaced under the same id and version is not served from a stale
/// cache).
struct CachedMaterial {
    sealed: Vec<u8>,
    material: Arc<SecretBytes>,
    /// The expanded key of an AES-256-GCM version, so that wraps and unwraps
    /// skip the key schedule.
    aes: Option<Arc<hazmat::AesGcmKey>>,
}

/// A key record as last read from the store and its decoding. Every
/// operation still reads the record (so a change by another instance is seen
/// at once); only the decoding of unchanged bytes is reused.
struct CachedRecord {
    value: Vec<u8>,
    meta: Arc<KeyMeta>,
}

impl fmt::Debug for LocalKeyManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKeyManager")
            .field("root_key", &"<redacted>")
            .field(
                "cached_versions",
                &self.lock_cache().values().map(HashMap::len).sum::<usize>(),
            )
            .finish_non_exhaustive()
    }
}

/// Failures specific to the local key manager, reported as
/// [`KmsError::Backend`] (except a root key mismatch, which is
/// [`KmsError::WrongRootKey`]).
#[derive(Debug, thiserror::Error)]
enum LocalFailure {
    #[error("the root key does not match this key store (wrong root key, or a damaged key record)")]
    RootKeyMismatch,
    #[error("random generator failed")]
    Random,
    #[error("ring rejected the stored or generated key")]
    KeyRejected,
    #[error("too many concurrent updates of the key; retry")]
    TooManyConflicts,
}

impl From<LocalFailure> for KmsError {
    fn from(f: LocalFailure) -> Self {
        match f {
            LocalFailure::TooManyConflicts => KmsError::Unavailable { retryable: true },
            LocalFailure::RootKeyMismatch => KmsError::WrongRootKey,
            other => KmsError::backend(other),
        }
    }
}

fn store_error(e: StoreError) -> KmsError {
    match e {
        StoreError::Unavailable { retryable } => KmsError::Unavailable { retryable },
        other => KmsError::backend(other),
    }
}

fn corrupt(what: &'static str) -> KmsError {
    KmsError::backend(StoreError::Corrupt(what))
}

/// The persisted form of a key (field names are the layout).
#[derive(Serialize, Deserialize)]
struct KeyRecord {
    id: String,
    algorithm: String,
    state: String,
    primary_version: u32,
    versions: Vec<VersionRecord>,
}

/// One version of a key: its material sealed under the root key.
#[derive(Clone, Serialize, Deserialize)]
struct VersionRecord {
    version: u32,
    #[serde(with = "crate::codec::bytes")]
    sealed: Vec<u8>,
}

/// The persisted root-key check value.
#[derive(Serialize, Deserialize)]
struct RootCheckRecord {
    #[serde(with = "crate::codec::bytes")]
    check: Vec<u8>,
}

/// A key record, decoded and validated, with its store version.
#[derive(Clone)]
struct KeyMeta {
    id: KeyId,
    algorithm: KeyAlgorithm,
    state: KeyState,
    primary_version: u32,
    versions: Vec<VersionRecord>,
    cas: Version,
}

impl KeyMeta {
    fn info(&self) -> KeyInfo {
        KeyInfo {
            id: self.id.clone(),
            purpose: self.algorithm.purpose(),
            algorithm: self.algorithm,
            primary_version: self.primary_version,
            // Validated on load to fit.
            versions: u32::try_from(self.versions.len()).unwrap_or(u32::MAX),
            state: self.state,
        }
    }

    fn encode(&self) -> Result<Vec<u8>, KmsError> {
        let record = KeyRecord {
            id: self.id.as_str().to_owned(),
            algorithm: self.algorithm.as_str().to_owned(),
            state: self.state.as_str().to_owned(),
            primary_version: self.primary_version,
            versions: self
                .versions
                .iter()
                .map(|v| VersionRecord {
                    version: v.version,
                    sealed: v.sealed.clone(),
                })
                .collect(),
        };
        codec::encode(&record).map_err(KmsError::backend)
    }

    fn decode(id: &KeyId, bytes: &[u8], cas: Version) -> Result<Self, KmsError> {
        let record: KeyRecord =
            codec::decode(bytes, "kms key record").map_err(|_| corrupt("kms key record"))?;
        if record.id != id.as_str() {
            return Err(corrupt("kms key record names another key"));
        }
        let algorithm = KeyAlgorithm::parse(&record.algorithm)
            .ok_or_else(|| corrupt("kms key record has an unknown algorithm"))?;
        let state = parse_state(&record.state)
            .ok_or_else(|| corrupt("kms key record has an unknown state"))?;
        let count = u32::try_from(record.versions.len())
            .map_err(|_| corrupt("kms key record has too many versions"))?;
        let numbered = record
            .versions
            .iter()
            .zip(1u32..)
            .all(|(v, n)| v.version == n);
        if count == 0 || !numbered || !(1..=count).contains(&record.primary_version) {
            return Err(corrupt("kms key record has inconsistent versions"));
        }
        Ok(KeyMeta {
            id: id.clone(),
            algorithm,
            state,
            primary_version: record.primary_version,
            versions: record.versions,
            cas,
        })
    }

    fn sealed(&self, version: u32) -> Option<&[u8]> {
        let index = usize::try_from(version.checked_sub(1)?).ok()?;
        self.versions.get(index).map(|v| v.sealed.as_slice())
    }

    fn require_purpose(&self, needed: KeyPurpose, operation: &'static str) -> Result<(), KmsError> {
        let purpose = self.algorithm.purpose();
        if purpose == needed {
            Ok(())
        } else {
            Err(KmsError::WrongPurpose { purpose, operation })
        }
    }

    fn refuse_if(&self, refused: &[KeyState], operation: &'static str) -> Result<(), KmsError> {
        if refused.contains(&self.state) {
            Err(KmsError::State {
                state: self.state,
                operation,
            })
        } else {
            Ok(())
        }
    }
}

fn parse_state(s: &str) -> Option<KeyState> {
    [
        KeyState::Enabled,
        KeyState::Disabled,
        KeyState::PendingDeletion,
    ]
    .into_iter()
    .find(|st| st.as_str() == s)
}

/// The key id of a key record's store key.
fn id_of_record_key(key: &[u8]) -> Result<KeyId, KmsError> {
    key.strip_prefix(KEY_PREFIX)
        .and_then(|rest| std::str::from_utf8(rest).ok())
        .and_then(|s| KeyId::new(s).ok())
        .ok_or_else(|| corrupt("kms key record has an invalid key id"))
}

fn record_key(id: &KeyId) -> Vec<u8> {
    let mut k = Vec::with_capacity(KEY_PREFIX.len() + id.as_str().len());
    k.extend_from_slice(KEY_PREFIX);
    k.extend_from_slice(id.as_str().as_bytes());
    k
}

fn put_lv(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

fn material_aad(id: &KeyId, version: u32, algorithm: KeyAlgorithm) -> Vec<u8> {
    let mut aad = Vec::with_capacity(64 + id.as_str().len());
    aad.extend_from_slice(MATERIAL_LABEL);
    put_lv(&mut aad, id.as_str().as_bytes());
    aad.extend_from_slice(&version.to_be_bytes());
    put_lv(&mut aad, algorithm.as_str().as_bytes());
    aad
}

fn wrap_aad(id: &KeyId, version: u32, caller_aad: &[u8]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(64 + id.as_str().len() + caller_aad.len());
    aad.extend_from_slice(WRAP_LABEL);
    aad.push(WRAP_FORMAT_V1);
    put_lv(&mut aad, id.as_str().as_bytes());
    aad.extend_from_slice(&version.to_be_bytes());
    put_lv(&mut aad, caller_aad);
    aad
}

/// Decodes `s` as hex (any case), if it is entirely hex digits of even length.
fn decode_hex(s: &str) -> Option<Zeroizing<Vec<u8>>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let bytes = s.as_bytes();
    if bytes.len() % 2 != 0 {
        return None;
    }
    let mut out = Zeroizing::new(Vec::with_capacity(bytes.len() / 2));
    for pair in bytes.chunks_exact(2) {
        out.push((nibble(pair[0])? << 4) | nibble(pair[1])?);
    }
    Some(out)
}

/// Decodes base64 (standard or URL-safe alphabet, padding optional).
fn decode_base64(s: &str) -> Option<Zeroizing<Vec<u8>>> {
    let unpadded = s.trim_end_matches('=');
    let padding = s.len() - unpadded.len();
    if padding > 2 || (padding > 0 && s.len() % 4 != 0) {
        return None;
    }
    let mut out = Zeroizing::new(Vec::with_capacity(unpadded.len() * 3 / 4));
    // Holds up to 13 bits of the key between iterations.
    let mut acc = Zeroizing::new(0u32);
    let mut bits: u32 = 0;
    for c in unpadded.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        *acc = (*acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((*acc >> bits) & 0xff) as u8);
            *acc &= (1 << bits) - 1;
        }
    }
    // A final group of one character, or stray low bits, is not canonical.
    if bits >= 6 || *acc != 0 {
        return None;
    }
    Some(out)
}

impl LocalKeyManager {
    /// Length of the root key in bytes.
    pub const ROOT_KEY_LEN: usize = KEY_LEN;
    /// Shortest data key [`KeyManager::wrap`] accepts, in bytes.
    pub const MIN_DEK_LEN: usize = 16;
    /// Longest data key [`KeyManager::wrap`] accepts, in bytes.
    pub const MAX_DEK_LEN: usize = 64;
    /// Most versions one key may have ([`KeyManager::rotate_key`] refuses
    /// more).
    pub const MAX_VERSIONS: u32 = 10_000;

    /// A key manager over `store`, sealing key material under `root_key`.
    ///
    /// Checks the root key against the store: the first manager on an empty
    /// store records a check value; later ones must match it.
    ///
    /// # Errors
    /// [`KmsError::InvalidInput`] naming `root_key` unless it is exactly 32
    /// bytes; [`KmsError::WrongRootKey`] when the root key does not match the one
    /// the store's keys were sealed with; store failures.
    pub fn new(
        store: Arc<dyn Store>,
        rng: Arc<dyn SecureRandom>,
        root_key: SecretBytes,
    ) -> Result<Self, KmsError> {
        if root_key.len() != Self::ROOT_KEY_LEN {
            return Err(KmsError::InvalidInput(format!(
                "root_key: must be exactly {} bytes, got {}",
                Self::ROOT_KEY_LEN,
                root_key.len()
            )));
        }
        let manager = LocalKeyManager {
            store,
            rng,
            root_key,
            system_rng: ring::rand::SystemRandom::new(),
            cache: Mutex::new(HashMap::new()),
            records: Mutex::new(HashMap::new()),
        };
        manager.check_root_key()?;
        Ok(manager)
    }

    /// A fresh random root key (32 bytes) from `rng`.
    ///
    /// # Errors
    /// [`KmsError::Backend`] when the generator fails.
    pub fn generate_root_key(rng: &dyn SecureRandom) -> Result<SecretBytes, KmsError> {
        let mut key = Zeroizing::new(vec![0u8; Self::ROOT_KEY_LEN]);
        rng.fill(&mut key).map_err(|_| LocalFailure::Random)?;
        Ok(SecretBytes::from_slice(&key))
    }

    /// Parses the text form of a root key: 64 hex digits, or base64
    /// (standard or URL-safe, padding optional) of 32 bytes. Surrounding
    /// whitespace (a trailing newline of a key file) is ignored.
    ///
    /// # Errors
    /// [`KmsError::InvalidInput`] naming `root_key`; the message never
    /// repeats the input.
    pub fn parse_root_key(text: &str) -> Result<SecretBytes, KmsError> {
        let text = text.trim();
        let decoded = if text.len() == 2 * Self::ROOT_KEY_LEN {
            decode_hex(text)
        } else {
            decode_base64(text)
        };
        match decoded {
            Some(bytes) if bytes.len() == Self::ROOT_KEY_LEN => Ok(SecretBytes::from_slice(&bytes)),
            _ => Err(KmsError::InvalidInput(format!(
                "root_key: must be exactly {} bytes, as {} hex digits or base64",
                Self::ROOT_KEY_LEN,
                2 * Self::ROOT_KEY_LEN
            ))),
        }
    }

    fn lock_cache(&self) -> MutexGuard<'_, HashMap<KeyId, HashMap<u32, CachedMaterial>>> {
        // The cache holds only immutable entries: a panic elsewhere cannot
        // leave it inconsistent, so a poisoned lock is still usable.
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records the root-key check value, or verifies the one recorded.
    fn check_root_key(&self) -> Result<(), KmsError> {
        let expected = hazmat::hmac_sha256(self.root_key.expose(), ROOT_CHECK_LABEL);
        for _ in 0..CAS_ATTEMPTS {
            if let Some(record) = self
                .store
                .get(Table::Kms, ROOT_CHECK_KEY)
                .map_err(store_error)?
            {
                let check: RootCheckRecord = codec::decode(&record.value, "kms root check")
                    .map_err(|_| corrupt("kms root check"))?;
                return if ct_eq(&check.check, &expected) {
                    Ok(())
                } else {
                    Err(LocalFailure::RootKeyMismatch.into())
                };
            }
            // No check value yet: if keys exist (written before the check
            // value was lost), the root key must open one of them first.
            self.verify_against_first_key()?;
            let value = codec::encode(&RootCheckRecord {
                check: expected.to_vec(),
            })
            .map_err(KmsError::backend)?;
            match self.store.commit(&[Op::Put {
                table: Table::Kms,
                key: ROOT_CHECK_KEY.to_vec(),
                value,
                expect: Version::ABSENT,
            }]) {
                Ok(()) => return Ok(()),
                // Another manager recorded it meanwhile: compare with that.
                Err(StoreError::Conflict) => continue,
                Err(e) => return Err(store_error(e)),
            }
        }
        Err(LocalFailure::TooManyConflicts.into())
    }

    fn verify_against_first_key(&self) -> Result<(), KmsError> {
        let first = self
            .store
            .scan(Table::Kms, KEY_PREFIX, None, 1)
            .map_err(store_error)?;
        if let Some((key, record)) = first.first() {
            let meta = KeyMeta::decode(&id_of_record_key(key)?, &record.value, record.version)?;
            self.material(&meta, 1)?;
        }
        Ok(())
    }

    fn lock_records(&self) -> MutexGuard<'_, HashMap<KeyId, CachedRecord>> {
        // Entries are immutable once inserted; see `lock_cache`.
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads key `id` from the store. The decoding is a function of the
    /// stored bytes and version alone, so it is reused while both are
    /// unchanged.
    fn load(&self, id: &KeyId) -> Result<Option<Arc<KeyMeta>>, KmsError> {
        let Some(record) = self
            .store
            .get(Table::Kms, &record_key(id))
            .map_err(store_error)?
        else {
            return Ok(None);
        };
        if let Some(hit) = self.lock_records().get(id) {
            if hit.meta.cas == record.version && hit.value == record.value {
                return Ok(Some(Arc::clone(&hit.meta)));
            }
        }
        let meta = Arc::new(KeyMeta::decode(id, &record.value, record.version)?);
        let mut records = self.lock_records();
        if records.len() >= CACHE_LIMIT {
            records.clear();
        }
        records.insert(
            id.clone(),
            CachedRecord {
                value: record.value,
                meta: Arc::clone(&meta),
            },
        );
        Ok(Some(meta))
    }

    fn require(&self, id: &KeyId) -> Result<Arc<KeyMeta>, KmsError> {
        self.load(id)?.ok_or(KmsError::NotFound)
    }

    /// The decrypted material of `version` of `meta`.
    fn material(&self, meta: &KeyMeta, version: u32) -> Result<Arc<SecretBytes>, KmsError> {
        self.cached_material(meta, version).map(|(m, _)| m)
    }

    /// The expanded AES-256-GCM key of `version` of wrap key `meta`.
    fn aes_key(&self, meta: &KeyMeta, version: u32) -> Result<Arc<hazmat::AesGcmKey>, KmsError> {
        self.cached_material(meta, version)?
            .1
            .ok_or_else(|| LocalFailure::KeyRejected.into())
    }

    /// The decrypted material of `version` of `meta`, and its expanded key
    /// if it is an AES-256-GCM key, from the cache when the sealed bytes are
    /// the ones it was opened from.
    #[allow(clippy::type_complexity)]
    fn cached_material(
        &self,
        meta: &KeyMeta,
        version: u32,
    ) -> Result<(Arc<SecretBytes>, Option<Arc<hazmat::AesGcmKey>>), KmsError> {
        let sealed = meta.sealed(version).ok_or(KmsError::NotFound)?;
        if let Some(hit) = self
            .lock_cache()
            .get(&meta.id)
            .and_then(|versions| versions.get(&version))
        {
            if hit.sealed == sealed {
                return Ok((Arc::clone(&hit.material), hit.aes.clone()));
            }
        }
        let aad = material_aad(&meta.id, version, meta.algorithm);
        let plain = hazmat::aes_gcm_open(self.root_key.expose(), &aad, sealed)
            .map_err(|_| LocalFailure::RootKeyMismatch)?;
        let plain = SecretBytes::new(plain);
        let length_ok = match meta.algorithm {
            KeyAlgorithm::Aes256Gcm | KeyAlgorithm::Ed25519 => plain.len() == KEY_LEN,
            KeyAlgorithm::EcdsaP256Sha256 => !plain.is_empty(),
        };
        if !length_ok {
            return Err(corrupt("kms key material has the wrong length"));
        }
        let aes = match meta.algorithm {
            KeyAlgorithm::Aes256Gcm => Some(Arc::new(
                hazmat::AesGcmKey::new(plain.expose()).map_err(|_| LocalFailure::KeyRejected)?,
            )),
            KeyAlgorithm::EcdsaP256Sha256 | KeyAlgorithm::Ed25519 => None,
        };
        let material = Arc::new(plain);
        let mut cache = self.lock_cache();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        let versions = cache.entry(meta.id.clone()).or_default();
        if versions.len() >= CACHE_LIMIT {
            versions.clear();
        }
        versions.insert(
            version,
            CachedMaterial {
                sealed: sealed.to_vec(),
                material: Arc::clone(&material),
                aes: aes.clone(),
            },
        );
        Ok((material, aes))
    }

    /// New key material for `algorithm`.
    fn generate(&self, algorithm: KeyAlgorithm) -> Result<SecretBytes, KmsError> {
        match algorithm {
            KeyAlgorithm::Aes256Gcm | KeyAlgorithm::Ed25519 => {
                let mut bytes = Zeroizing::new(vec![0u8; KEY_LEN]);
                self.rng
                    .fill(&mut bytes)
                    .map_err(|_| LocalFailure::Random)?;
                Ok(SecretBytes::from_slice(&bytes))
            }
            KeyAlgorithm::EcdsaP256Sha256 => {
                let doc = EcdsaKeyPair::generate_pkcs8(
                    &ring_sig::ECDSA_P256_SHA256_FIXED_SIGNING,
                    &self.system_rng,
                )
                .map_err(|_| LocalFailure::Random)?;
                Ok(SecretBytes::from_slice(doc.as_ref()))
            }
        }
    }

    /// `material` sealed under the root key for (`id`, `version`).
    fn seal_material(
        &self,
        id: &KeyId,
        version: u32,
        algorithm: KeyAlgorithm,
        material: &SecretBytes,
    ) -> Result<VersionRecord, KmsError> {
        let aad = material_aad(id, version, algorithm);
        let sealed =
            hazmat::aes_gcm_seal(&*self.rng, self.root_key.expose(), &aad, material.expose())
                .map_err(|_| LocalFailure::Random)?;
        Ok(VersionRecord { version, sealed })
    }

    fn p256_pair(&self, material: &SecretBytes) -> Result<EcdsaKeyPair, KmsError> {
        EcdsaKeyPair::from_pkcs8(
            &ring_sig::ECDSA_P256_SHA256_FIXED_SIGNING,
            material.expose(),
            &self.system_rng,
        )
        .map_err(|_| LocalFailure::KeyRejected.into())
    }

    fn ed25519_pair(material: &SecretBytes) -> Result<Ed25519KeyPair, KmsError> {
        Ed25519KeyPair::from_seed_unchecked(material.expose())
            .map_err(|_| LocalFailure::KeyRejected.into())
    }

    /// Reads key `id`, applies `change`, and writes it back with
    /// compare-and-swap, retrying a bounded number of times on conflict.
    fn update(
        &self,
        id: &KeyId,
        mut change: impl FnMut(&mut KeyMeta) -> Result<bool, KmsError>,
    ) -> Result<KeyInfo, KmsError> {
        for _ in 0..CAS_ATTEMPTS {
            let mut meta = KeyMeta::clone(&*self.require(id)?);
            if !change(&mut meta)? {
                return Ok(meta.info());
            }
            let value = meta.encode()?;
            match self.store.commit(&[Op::Put {
                table: Table::Kms,
                key: record_key(id),
                value,
                expect: meta.cas,
            }]) {
                Ok(()) => return Ok(meta.info()),
                Err(StoreError::Conflict) => std::thread::yield_now(),
                Err(e) => return Err(store_error(e)),
            }
        }
        Err(LocalFailure::TooManyConflicts.into())
    }
}

impl KeyManager for LocalKeyManager {
    fn create_key(&self, id: &KeyId, algorithm: KeyAlgorithm) -> Result<KeyInfo, KmsError> {
        if self.load(id)?.is_some() {
            return Err(KmsError::AlreadyExists);
        }
        let material = self.generate(algorithm)?;
        let meta = KeyMeta {
            id: id.clone(),
            algorithm,
            state: KeyState::Enabled,
            primary_version: 1,
            versions: vec![self.seal_material(id, 1, algorithm, &material)?],
            cas: Version::ABSENT,
        };
        match self.store.commit(&[Op::Put {
            table: Table::Kms,
            key: record_key(id),
            value: meta.encode()?,
            expect: Version::ABSENT,
        }]) {
            Ok(()) => Ok(meta.info()),
            Err(StoreError::Conflict) => Err(KmsError::AlreadyExists),
            Err(e) => Err(store_error(e)),
        }
    }

    fn key_info(&self, id: &KeyId) -> Result<Option<KeyInfo>, KmsError> {
        Ok(self.load(id)?.map(|m| m.info()))
    }

    fn list_keys(&self) -> Result<Vec<KeyInfo>, KmsError> {
        let mut out = Vec::new();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = self
                .store
                .scan(Table::Kms, KEY_PREFIX, after.as_deref(), SCAN_PAGE)
                .map_err(store_error)?;
            for (key, record) in &page {
                let id = id_of_record_key(key)?;
                out.push(KeyMeta::decode(&id, &record.value, record.version)?.info());
            }
            match page.last() {
                Some((last, _)) if page.len() == SCAN_PAGE as usize => after = Some(last.clone()),
                _ => break,
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    fn rotate_key(&self, id: &KeyId) -> Result<KeyInfo, KmsError> {
        // The material is generated once; only its sealing depends on the
        // version number, which a lost race changes. (A key's algorithm
        // never changes.)
        let mut fresh: Option<SecretBytes> = None;
        self.update(id, |meta| {
            meta.refuse_if(&[KeyState::Disabled, KeyState::PendingDeletion], "rotate")?;
            let count = u32::try_from(meta.versions.len()).unwrap_or(u32::MAX);
            if count >= Self::MAX_VERSIONS {
                return Err(KmsError::InvalidInput(format!(
                    "kms_key_versions: a key has at most {} versions",
                    Self::MAX_VERSIONS
                )));
            }
            let next = count + 1;
            let material = match fresh.take() {
                Some(m) => m,
                None => self.generate(meta.algorithm)?,
            };
            let sealed = self.seal_material(&meta.id, next, meta.algorithm, &material);
            fresh = Some(material);
            meta.versions.push(sealed?);
            meta.primary_version = next;
            Ok(true)
        })
    }

    fn set_key_state(&self, id: &KeyId, state: KeyState) -> Result<KeyInfo, KmsError> {
        self.update(id, |meta| {
            if meta.state == state {
                return Ok(false);
            }
            meta.state = state;
            Ok(true)
        })
    }

    fn wrap(&self, id: &KeyId, dek: &SecretBytes, aad: &[u8]) -> Result<WrappedKey, KmsError> {
        if !(Self::MIN_DEK_LEN..=Self::MAX_DEK_LEN).contains(&dek.len()) {
            return Err(KmsError::InvalidInput(format!(
                "dek: must be {}..={} bytes, got {}",
                Self::MIN_DEK_LEN,
                Self::MAX_DEK_LEN,
                dek.len()
            )));
        }
        let meta = self.require(id)?;
        meta.require_purpose(KeyPurpose::Wrap, "wrap")?;
        meta.refuse_if(&[KeyState::Disabled, KeyState::PendingDeletion], "wrap")?;
        let version = meta.primary_version;
        let key = self.aes_key(&meta, version)?;
        let ciphertext = key
            .seal(
                &*self.rng,
                &[WRAP_FORMAT_V1],
                &wrap_aad(id, version, aad),
                dek.expose(),
            )
            .map_err(|_| LocalFailure::Random)?;
        Ok(WrappedKey {
            key: id.clone(),
            version,
            ciphertext,
        })
    }

    fn unwrap(&self, wrapped: &WrappedKey, aad: &[u8]) -> Result<SecretBytes, KmsError> {
        let meta = self.require(&wrapped.key)?;
        meta.require_purpose(KeyPurpose::Wrap, "unwrap")?;
        meta.refuse_if(&[KeyState::PendingDeletion], "unwrap")?;
        let key = self.aes_key(&meta, wrapped.version)?;
        let body = match wrapped.ciphertext.split_first() {
            Some((&WRAP_FORMAT_V1, body)) if body.len() >= NONCE_LEN + TAG_LEN => body,
            _ => return Err(KmsError::UnwrapFailed),
        };
        let plain = key
            .open(&wrap_aad(&wrapped.key, wrapped.version, aad), body)
            .map_err(|_| KmsError::UnwrapFailed)?;
        Ok(SecretBytes::new(plain))
    }

    fn sign(&self, id: &KeyId, msg: &[u8]) -> Result<Vec<u8>, KmsError> {
        let meta = self.require(id)?;
        meta.require_purpose(KeyPurpose::Sign, "sign")?;
        meta.refuse_if(&[KeyState::Disabled, KeyState::PendingDeletion], "sign")?;
        let material = self.material(&meta, meta.primary_version)?;
        match meta.algorithm {
            KeyAlgorithm::EcdsaP256Sha256 => {
                let pair = self.p256_pair(&material)?;
                let sig = pair
                    .sign(&self.system_rng, msg)
                    .map_err(|_| LocalFailure::Random)?;
                Ok(sig.as_ref().to_vec())
            }
            KeyAlgorithm::Ed25519 => Ok(Self::ed25519_pair(&material)?.sign(msg).as_ref().to_vec()),
            KeyAlgorithm::Aes256Gcm => Err(KmsError::WrongPurpose {
                purpose: meta.algorithm.purpose(),
                operation: "sign",
            }),
        }
    }

    fn public_key(&self, id: &KeyId) -> Result<Vec<u8>, KmsError> {
        let meta = self.require(id)?;
        meta.require_purpose(KeyPurpose::Sign, "public_key")?;
        meta.refuse_if(&[KeyState::PendingDeletion], "public_key")?;
        let material = self.material(&meta, meta.primary_version)?;
        let spki = match meta.algorithm {
            KeyAlgorithm::EcdsaP256Sha256 => {
                hazmat::p256_spki(self.p256_pair(&material)?.public_key().as_ref())
            }
            KeyAlgorithm::Ed25519 => {
                hazmat::ed25519_spki(Self::ed25519_pair(&material)?.public_key().as_ref())
            }
            KeyAlgorithm::Aes256Gcm => None,
        };
        spki.ok_or_else(|| LocalFailure::KeyRejected.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use crate::testing::{FailingRng, SeededRng};

    fn manager(store: &Arc<MemoryStore>, root: u8, seed: u64) -> LocalKeyManager {
        LocalKeyManager::new(
            Arc::clone(store) as Arc<dyn Store>,
            Arc::new(SeededRng::new(seed)),
            SecretBytes::from_slice(&[root; 32]),
        )
        .expect("new LocalKeyManager")
    }

    fn id(s: &str) -> KeyId {
        KeyId::new(s).expect("key id")
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    crate::kms_conformance!(conformance, || -> Arc<dyn KeyManager> {
        Arc::new(manager(&Arc::new(MemoryStore::new()), 7, 7))
    });

    #[test]
    fn keys_persist_across_instances() {
        let store = Arc::new(MemoryStore::new());
        let first = manager(&store, 1, 1);
        let wrap_id = id("persist-wrap");
        let sign_id = id("persist-sign");
        first
            .create_key(&wrap_id, KeyAlgorithm::Aes256Gcm)
            .expect("create");
        first
            .create_key(&sign_id, KeyAlgorithm::EcdsaP256Sha256)
            .expect("create");
        let dek = SecretBytes::from_slice(&[5; 32]);
        let wrapped = first.wrap(&wrap_id, &dek, b"aad").expect("wrap");
        let pk = first.public_key(&sign_id).expect("public_key");
        drop(first);

        let second = manager(&store, 1, 2);
        let ids: Vec<KeyId> = second
            .list_keys()
            .expect("list")
            .into_iter()
            .map(|k| k.id)
            .collect();
        assert_eq!(ids, [sign_id.clone(), wrap_id]);
        assert_eq!(
            second.unwrap(&wrapped, b"aad").expect("unwrap").expose(),
            dek.expose()
        );
        assert_eq!(second.public_key(&sign_id).expect("public_key"), pk);
        let sig = second.sign(&sign_id, b"m").expect("sign");
        assert!(crate::testing::verify_signature(
            KeyAlgorithm::EcdsaP256Sha256,
            &pk,
            b"m",
            &sig
        ));
    }

    #[test]
    fn rotation_by_one_instance_is_seen_by_another() {
        let store = Arc::new(MemoryStore::new());
        let a = manager(&store, 3, 1);
        let b = manager(&store, 3, 2);
        let k = id("shared");
        a.create_key(&k, KeyAlgorithm::Aes256Gcm).expect("create");
        let dek = SecretBytes::from_slice(&[9; 32]);
        let w1 = b.wrap(&k, &dek, b"x").expect("wrap v1 by b");
        assert_eq!(w1.version, 1);

        a.rotate_key(&k).expect("rotate by a");
        assert_eq!(
            b.key_info(&k).expect("info").map(|i| i.primary_version),
            Some(2)
        );
        let w2 = b.wrap(&k, &dek, b"x").expect("wrap v2 by b");
        assert_eq!(w2.version, 2);
        assert_eq!(
            a.unwrap(&w2, b"x").expect("a unwraps v2").expose(),
            dek.expose()
        );
        assert_eq!(
            a.unwrap(&w1, b"x").expect("a unwraps v1").expose(),
            dek.expose()
        );

        // State changes are seen at once, despite the material cache.
        b.set_key_state(&k, KeyState::Disabled)
            .expect("disable by b");
        assert!(matches!(
            a.wrap(&k, &dek, b"x"),
            Err(KmsError::State {
                state: KeyState::Disabled,
                ..
            })
        ));
        b.set_key_state(&k, KeyState::PendingDeletion)
            .expect("schedule by b");
        assert!(matches!(
            a.unwrap(&w1, b"x"),
            Err(KmsError::State {
                state: KeyState::PendingDeletion,
                ..
            })
        ));
    }

    #[test]
    fn wrong_root_key_fails_clearly() {
        let store = Arc::new(MemoryStore::new());
        let k = id("rooted");
        manager(&store, 1, 1)
            .create_key(&k, KeyAlgorithm::Aes256Gcm)
            .expect("create");

        let open_with = |root: u8| {
            LocalKeyManager::new(
                Arc::clone(&store) as Arc<dyn Store>,
                Arc::new(SeededRng::new(1)),
                SecretBytes::from_slice(&[root; 32]),
            )
        };
        let err = open_with(2).expect_err("wrong root key");
        assert!(matches!(err, KmsError::WrongRootKey), "got {err:?}");
        assert!(err.to_string().contains("root key does not match"), "{err}");

        // Without the check value, the existing keys still reveal a wrong root key.
        store
            .commit(&[Op::Delete {
                table: Table::Kms,
                key: ROOT_CHECK_KEY.to_vec(),
                expect: Version(1),
            }])
            .expect("delete check value");
        let err = open_with(2).expect_err("wrong root key without check value");
        assert!(err.to_string().contains("root key does not match"), "{err}");
        open_with(1).expect("right root key without check value");
        open_with(1).expect("right root key with the check value restored");
    }

    #[test]
    fn key_sealed_under_another_root_key_fails_clearly() {
        let store_a = Arc::new(MemoryStore::new());
        let store_b = Arc::new(MemoryStore::new());
        let k = id("moved");
        manager(&store_a, 1, 1)
            .create_key(&k, KeyAlgorithm::Ed25519)
            .expect("create");
        let record = store_a
            .get(Table::Kms, &record_key(&k))
            .expect("get")
            .expect("record exists");
        let b = manager(&store_b, 2, 2);
        store_b
            .commit(&[Op::Put {
                table: Table::Kms,
                key: record_key(&k),
                value: record.value,
                expect: Version::ABSENT,
            }])
            .expect("copy record");
        assert!(b.key_info(&k).expect("metadata is readable").is_some());
        for err in [
            b.sign(&k, b"m").expect_err("sign"),
            b.public_key(&k).expect_err("public_key"),
        ] {
            assert!(matches!(err, KmsError::WrongRootKey), "got {err:?}");
            assert!(err.to_string().contains("root key does not match"), "{err}");
        }
    }

    #[test]
    fn root_key_length_is_checked() {
        for len in [0, 16, 31, 33, 64] {
            let err = LocalKeyManager::new(
                Arc::new(MemoryStore::new()),
                Arc::new(SeededRng::new(1)),
                SecretBytes::new(vec![1; len]),
            )
            .expect_err("bad root key length");
            let msg = err.to_string();
            assert!(matches!(err, KmsError::InvalidInput(_)), "got {err:?}");
            assert!(msg.contains("root_key") && msg.contains("32"), "{msg}");
        }
    }

    #[test]
    fn debug_shows_no_key_material() {
        let store = Arc::new(MemoryStore::new());
        let km = manager(&store, 0xab, 1);
        let wrap_id = id("debug-wrap");
        let sign_id = id("debug-sign");
        km.create_key(&wrap_id, KeyAlgorithm::Aes256Gcm)
            .expect("create");
        km.create_key(&sign_id, KeyAlgorithm::Ed25519)
            .expect("create");
        km.wrap(&wrap_id, &SecretBytes::from_slice(&[1; 32]), b"")
            .expect("wrap");
        km.sign(&sign_id, b"m").expect("sign");

        let debug = format!("{km:?}");
        assert!(debug.contains("<redacted>"), "{debug}");
        assert!(debug.contains("cached_versions: 2"), "{debug}");
        let root = [0xabu8; 32];
        assert!(!debug.contains(&hex(&root)) && !debug.contains(&format!("{root:?}")));
        assert!(!debug.contains("171"), "{debug}");
        for entry in km.lock_cache().values().flat_map(HashMap::values) {
            let m = entry.material.expose();
            assert!(!debug.contains(&hex(m)) && !debug.contains(&format!("{m:?}")));
        }
    }

    #[test]
    fn root_key_text_forms_parse() {
        let key: Vec<u8> = (0u8..32).collect();
        let hex_form = hex(&key);
        let upper = hex_form.to_uppercase();
        let b64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        let b64_url_unpadded = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
        for text in [
            hex_form.as_str(),
            upper.as_str(),
            b64,
            b64_url_unpadded,
            &format!("{hex_form}\n"),
            &format!("  {b64}\r\n"),
        ] {
            let parsed = LocalKeyManager::parse_root_key(text).expect("parses");
            assert_eq!(parsed.expose(), key.as_slice(), "{text:?}");
        }
        let url_key = [0xfbu8; 32];
        let url = "-_____________________________________________";
        assert_eq!(url.len(), 46);
        assert!(LocalKeyManager::parse_root_key(url).is_err());
        let url = "-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_s";
        assert_eq!(
            LocalKeyManager::parse_root_key(url)
                .expect("url-safe")
                .expose(),
            url_key
        );
    }

    #[test]
    fn root_key_text_errors_name_the_field_and_not_the_input() {
        let secretish = "zz".repeat(32);
        for text in [
            "",
            "00",
            &"00".repeat(31),
            &"00".repeat(33),
            secretish.as_str(),
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8==",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh*=",
        ] {
            let err = LocalKeyManager::parse_root_key(text).expect_err("must fail");
            let msg = err.to_string();
            assert!(
                matches!(err, KmsError::InvalidInput(_)),
                "{text:?}: {err:?}"
            );
            assert!(msg.starts_with("root_key:") && msg.contains("32"), "{msg}");
            assert!(text.len() < 8 || !msg.contains(text), "{msg}");
        }
    }

    #[test]
    fn generated_root_keys_work_and_rng_failure_is_an_error() {
        let rng = SeededRng::new(5);
        let root = LocalKeyManager::generate_root_key(&rng).expect("generate");
        assert_eq!(root.len(), LocalKeyManager::ROOT_KEY_LEN);
        let km = LocalKeyManager::new(Arc::new(MemoryStore::new()), Arc::new(rng), root)
            .expect("generated key is accepted");
        km.create_key(&id("gen"), KeyAlgorithm::Aes256Gcm)
            .expect("create");

        let err = LocalKeyManager::generate_root_key(&FailingRng).expect_err("rng fails");
        assert!(matches!(err, KmsError::Backend(_)), "got {err:?}");

        let failing = LocalKeyManager::new(
            Arc::new(MemoryStore::new()),
            Arc::new(FailingRng),
            SecretBytes::from_slice(&[1; 32]),
        )
        .expect("new needs no randomness");
        for alg in [KeyAlgorithm::Aes256Gcm, KeyAlgorithm::Ed25519] {
            let err = failing
                .create_key(&id("no-rng"), alg)
                .expect_err("create without rng");
            assert!(err.to_string().contains("random generator failed"), "{err}");
        }
        assert!(failing.list_keys().expect("list").is_empty());
    }

    #[test]
    fn corrupt_records_are_errors_not_panics() {
        let store = Arc::new(MemoryStore::new());
        let km = manager(&store, 1, 1);
        let k = id("corrupt");
        let garbage: [&[u8]; 4] = [b"", b"\x01", b"\x01\xa0", b"\x02garbage"];
        for (i, value) in garbage.into_iter().enumerate() {
            let version = Version(u64::try_from(i).expect("small"));
            store
                .commit(&[Op::Put {
                    table: Table::Kms,
                    key: record_key(&k),
                    value: value.to_vec(),
                    expect: version,
                }])
                .expect("write garbage");
            assert!(matches!(km.key_info(&k), Err(KmsError::Backend(_))));
            assert!(matches!(km.list_keys(), Err(KmsError::Backend(_))));
            assert!(
                km.wrap(&k, &SecretBytes::from_slice(&[1; 32]), b"")
                    .is_err()
            );
            assert!(km.rotate_key(&k).is_err());
        }
    }

    /// The decoded-record cache never hides what the store holds now: a
    /// record damaged out of band is reported at once, and restoring its
    /// bytes (under a new store version) makes the key work again.
    #[test]
    fn record_cache_follows_out_of_band_writes() {
        let store = Arc::new(MemoryStore::new());
        let km = manager(&store, 7, 1);
        let k = id("cached");
        km.create_key(&k, KeyAlgorithm::Aes256Gcm).expect("create");
        let dek = SecretBytes::from_slice(&[5; 32]);
        let wrapped = km.wrap(&k, &dek, b"a").expect("wrap fills the caches");
        let original = store
            .get(Table::Kms, &record_key(&k))
            .expect("get")
            .expect("present");
        let put = |value: Vec<u8>, expect: Version| {
            store
                .commit(&[Op::Put {
                    table: Table::Kms,
                    key: record_key(&k),
                    value,
                    expect,
                }])
                .expect("out-of-band write");
        };
        put(vec![codec::FORMAT_CBOR_V1, 0xa0], original.version);
        assert!(matches!(
            km.unwrap(&wrapped, b"a"),
            Err(KmsError::Backend(_))
        ));
        assert!(matches!(km.wrap(&k, &dek, b"a"), Err(KmsError::Backend(_))));
        put(original.value.clone(), original.version.next());
        assert_eq!(
            km.unwrap(&wrapped, b"a").expect("restored").expose(),
            dek.expose()
        );
    }

    #[test]
    fn recreated_key_is_not_served_from_a_stale_cache() {
        let store = Arc::new(MemoryStore::new());
        let (a, b) = (manager(&store, 6, 1), manager(&store, 6, 2));
        let k = id("recreated");
        a.create_key(&k, KeyAlgorithm::Aes256Gcm).expect("create");
        let dek = SecretBytes::from_slice(&[8; 32]);
        a.wrap(&k, &dek, b"").expect("wrap fills a's cache");
        let version = store
            .get(Table::Kms, &record_key(&k))
            .expect("get")
            .expect("present")
            .version;
        store
            .commit(&[Op::Delete {
                table: Table::Kms,
                key: record_key(&k),
                expect: version,
            }])
            .expect("destroy the key out of band");
        b.create_key(&k, KeyAlgorithm::Aes256Gcm).expect("recreate");
        let wrapped = a.wrap(&k, &dek, b"").expect("wrap with the new key");
        assert_eq!(
            b.unwrap(&wrapped, b"").expect("unwrap").expose(),
            dek.expose()
        );
    }

    #[test]
    fn material_of_the_wrong_length_is_reported() {
        let store = Arc::new(MemoryStore::new());
        let km = manager(&store, 1, 1);
        for (name, alg) in [
            ("short-aes", KeyAlgorithm::Aes256Gcm),
            ("short-ed25519", KeyAlgorithm::Ed25519),
        ] {
            let k = id(name);
            let short = SecretBytes::from_slice(&[1; 16]);
            let meta = KeyMeta {
                id: k.clone(),
                algorithm: alg,
                state: KeyState::Enabled,
                primary_version: 1,
                versions: vec![km.seal_material(&k, 1, alg, &short).expect("seal")],
                cas: Version::ABSENT,
            };
            store
                .commit(&[Op::Put {
                    table: Table::Kms,
                    key: record_key(&k),
                    value: meta.encode().expect("encode"),
                    expect: Version::ABSENT,
                }])
                .expect("write");
            let err = match alg {
                KeyAlgorithm::Aes256Gcm => km
                    .wrap(&k, &SecretBytes::from_slice(&[2; 32]), b"")
                    .expect_err("wrap"),
                _ => km.sign(&k, b"m").expect_err("sign"),
            };
            assert!(err.to_string().contains("wrong length"), "{name}: {err}");
        }
    }

    /// A store that runs a queued action (another manager's write) just
    /// before a commit, to make that commit lose a race.
    #[derive(Default)]
    struct RacingStore {
        inner: MemoryStore,
        races: Mutex<Vec<Box<dyn FnOnce() + Send>>>,
        racing: std::sync::atomic::AtomicBool,
    }

    impl fmt::Debug for RacingStore {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("RacingStore")
        }
    }

    impl RacingStore {
        fn race_next_commits(&self, times: usize, race: impl Fn() + Send + Sync + 'static) {
            let race = Arc::new(race);
            let mut races = self.races.lock().expect("races");
            for _ in 0..times {
                let race = Arc::clone(&race);
                races.push(Box::new(move || race()));
            }
        }
    }

    impl Store for RacingStore {
        fn get(&self, table: Table, key: &[u8]) -> Result<Option<crate::Record>, StoreError> {
            self.inner.get(table, key)
        }

        fn scan(
            &self,
            table: Table,
            prefix: &[u8],
            after: Option<&[u8]>,
            limit: u32,
        ) -> Result<Vec<(Vec<u8>, crate::Record)>, StoreError> {
            self.inner.scan(table, prefix, after, limit)
        }

        fn commit(&self, ops: &[Op]) -> Result<(), StoreError> {
            use std::sync::atomic::Ordering;
            // The racing writes themselves commit without further races.
            if !self.racing.load(Ordering::SeqCst) {
                let race = self.races.lock().expect("races").pop();
                if let Some(race) = race {
                    self.racing.store(true, Ordering::SeqCst);
                    race();
                    self.racing.store(false, Ordering::SeqCst);
                }
            }
            self.inner.commit(ops)
        }
    }

    fn racing_pair() -> (Arc<RacingStore>, LocalKeyManager, Arc<LocalKeyManager>) {
        let store = Arc::new(RacingStore::default());
        let make = |seed| {
            LocalKeyManager::new(
                Arc::clone(&store) as Arc<dyn Store>,
                Arc::new(SeededRng::new(seed)),
                SecretBytes::from_slice(&[4; 32]),
            )
            .expect("new LocalKeyManager")
        };
        let (a, b) = (make(1), Arc::new(make(2)));
        (store, a, b)
    }

    #[test]
    fn create_race_lost_is_already_exists() {
        let (store, a, b) = racing_pair();
        let k = id("create-race");
        let (rival, rival_id) = (Arc::clone(&b), k.clone());
        store.race_next_commits(1, move || {
            rival
                .create_key(&rival_id, KeyAlgorithm::Ed25519)
                .expect("rival create");
        });
        let err = a
            .create_key(&k, KeyAlgorithm::Aes256Gcm)
            .expect_err("lost race");
        assert!(matches!(err, KmsError::AlreadyExists), "got {err:?}");
        let info = a.key_info(&k).expect("info").expect("exists");
        assert_eq!(
            info.algorithm,
            KeyAlgorithm::Ed25519,
            "the winner's key stays"
        );
    }

    #[test]
    fn updates_retry_after_a_lost_race() {
        let (store, a, b) = racing_pair();
        let k = id("update-race");
        a.create_key(&k, KeyAlgorithm::Aes256Gcm).expect("create");
        let dek = SecretBytes::from_slice(&[3; 32]);
        let w1 = a.wrap(&k, &dek, b"").expect("wrap v1");
        let (rival, rival_id) = (Arc::clone(&b), k.clone());
        store.race_next_commits(1, move || {
            rival.rotate_key(&rival_id).expect("rival rotate");
        });
        let info = a.rotate_key(&k).expect("rotate retries");
        assert_eq!((info.primary_version, info.versions), (3, 3));
        let (rival, rival_id) = (Arc::clone(&b), k.clone());
        store.race_next_commits(1, move || {
            rival.rotate_key(&rival_id).expect("rival rotate");
        });
        let info = a
            .set_key_state(&k, KeyState::Disabled)
            .expect("set state retries");
        assert_eq!((info.state, info.versions), (KeyState::Disabled, 4));
        assert_eq!(
            b.unwrap(&w1, b"").expect("v1 unwraps").expose(),
            dek.expose()
        );
        for version in 2..=4 {
            assert!(a.material(&a.require(&k).expect("meta"), version).is_ok());
        }
    }

    #[test]
    fn endless_conflicts_give_up_retryably() {
        let (store, a, b) = racing_pair();
        let k = id("endless-race");
        a.create_key(&k, KeyAlgorithm::Aes256Gcm).expect("create");
        let (rival, rival_id) = (Arc::clone(&b), k.clone());
        store.race_next_commits(CAS_ATTEMPTS, move || {
            rival.rotate_key(&rival_id).expect("rival rotate");
        });
        let err = a.rotate_key(&k).expect_err("every attempt loses");
        assert!(
            matches!(err, KmsError::Unavailable { retryable: true }),
            "got {err:?}"
        );
        let info = a.rotate_key(&k).expect("no more races");
        let expected = u32::try_from(CAS_ATTEMPTS).expect("small") + 2;
        assert_eq!(info.versions, expected);
    }

    /// A key record, root check value and wrapped data key written by this
    /// release (SeededRng(42), root key 0x42 * 32, key `kat`, data key
    /// 0x11 * 32, AAD `kat-aad`). Later releases must still load them.
    const KAT_KEY_RECORD: &str = "\
        01a5626964636b617469616c676f726974686d6961657332353667636d65737461746567454e4142 \
        4c45446f7072696d6172795f76657273696f6e016876657273696f6e7381a26776657273696f6e01 \
        667365616c6564583cde55431141408422398c1133a84619756a26190eda6db596720d9c4a5647eb \
        8666d900e5fd1c3a7860a2ece49724acfd58bb0c81f3599ba051c57860";
    const KAT_ROOT_CHECK: &str =
        "01a165636865636b5820d1cd792e603f52ead4ede8d10da75f2987a1b3ccbe79ac1946b843b81c488c5a";
    const KAT_WRAPPED: &str = "\
        01caaad76eef4108245b354b01fb878ef03e8cbd320d6a38541506ca272f66c28965d92ec7ab0c9c \
        596a18535515324f9172581529e98fb80e04bb53e4";

    fn unhex(s: &str) -> Vec<u8> {
        let compact: String = s.split_whitespace().collect();
        decode_hex(&compact).expect("hex").to_vec()
    }

    #[test]
    fn known_answer_layout_is_pinned_and_still_loads() {
        let k = id("kat");
        let dek = [0x11u8; 32];

        let store = Arc::new(MemoryStore::new());
        let km = manager(&store, 0x42, 42);
        km.create_key(&k, KeyAlgorithm::Aes256Gcm).expect("create");
        let wrapped = km
            .wrap(&k, &SecretBytes::from_slice(&dek), b"kat-aad")
            .expect("wrap");
        let stored = |key: &[u8]| store.get(Table::Kms, key).expect("get").expect("present");
        assert_eq!(stored(b"key/kat").value, unhex(KAT_KEY_RECORD));
        assert_eq!(stored(ROOT_CHECK_KEY).value, unhex(KAT_ROOT_CHECK));
        assert_eq!(wrapped.ciphertext, unhex(KAT_WRAPPED));

        let pinned = Arc::new(MemoryStore::new());
        let put = |key: &[u8], hex_value: &str| Op::Put {
            table: Table::Kms,
            key: key.to_vec(),
            value: unhex(hex_value),
            expect: Version::ABSENT,
        };
        pinned
            .commit(&[
                put(b"key/kat", KAT_KEY_RECORD),
                put(ROOT_CHECK_KEY, KAT_ROOT_CHECK),
            ])
            .expect("load pinned records");
        let reader = manager(&pinned, 0x42, 1);
        let info = reader.key_info(&k).expect("info").expect("present");
        assert_eq!(
            (
                info.algorithm,
                info.state,
                info.primary_version,
                info.versions
            ),
            (KeyAlgorithm::Aes256Gcm, KeyState::Enabled, 1, 1)
        );
        let pinned_wrap = WrappedKey {
            key: k,
            version: 1,
            ciphertext: unhex(KAT_WRAPPED),
        };
        let back = reader
            .unwrap(&pinned_wrap, b"kat-aad")
            .expect("unwrap pinned");
        assert_eq!(back.expose(), dek);
    }
}
