//! Stores, key managers and clocks implemented in a host language.
//!
//! A binding implements [`ForeignStore`], [`ForeignKeyManager`] or
//! [`ForeignClock`] (plain types only) over its callbacks, and the facade
//! turns it into the engine's plug-in trait with [`store_from_foreign`],
//! [`key_manager_from_foreign`] or [`clock_from_foreign`]. Failures cross as
//! [`ForeignError`] `{code, message}` and are converted to
//! [`StoreError`]/[`KmsError`] here, in one place; unknown codes become
//! backend errors that keep their message.
//!
//! Implementations are called from any thread, concurrently, and must not
//! call back into the engine.

use std::fmt;
use std::sync::Arc;

use credcycle::{
    Clock, ErrorCode, KeyAlgorithm, KeyId, KeyManager, KeyPurpose, KeyState, KmsError, Op, Record,
    SecretBytes, Store, StoreError, Table, UnixTime, Version, WrappedKey,
};
use zeroize::Zeroizing;

use crate::error::binding_codes;
use crate::types::KeyInfo;

/// A failure reported by a foreign implementation: a code of the engine's
/// table (or any other number, treated as a backend failure) and a message.
///
/// Codes with a meaning: for stores, `CONFLICT` (1002) and
/// `STORE_UNAVAILABLE` (1102); for key managers, `KEY_NOT_FOUND` (1201),
/// `KEY_EXISTS` (1206), `KEY_STATE` (1202, message = the key's state
/// `ENABLED`/`DISABLED`/`PENDING_DELETION`), `KEY_PURPOSE` (1203, message =
/// the key's purpose `wrap`/`sign`), `INVALID_INPUT` (1004),
/// `VERIFICATION_FAILED` (1006, unwrap failed) and `KMS_UNAVAILABLE` (1205).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignError {
    /// The code.
    pub code: u32,
    /// The message (kept in the engine's error for backend failures).
    pub message: String,
}

impl ForeignError {
    /// An error with `code` and `message`.
    pub fn new(code: u32, message: impl Into<String>) -> Self {
        ForeignError {
            code,
            message: message.into(),
        }
    }

    /// A store version conflict.
    pub fn conflict() -> Self {
        Self::new(ErrorCode::Conflict.as_u32(), "version conflict")
    }

    /// A store backend failure with its message.
    pub fn store_backend(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::StoreBackend.as_u32(), message)
    }

    /// A key manager backend failure with its message.
    pub fn kms_backend(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::KmsBackend.as_u32(), message)
    }

    /// A callback that broke its contract (wrong type, missing value).
    pub fn contract(message: impl Into<String>) -> Self {
        Self::new(binding_codes::CALLBACK_CONTRACT, message)
    }
}

impl fmt::Display for ForeignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (code {})", self.message, self.code)
    }
}

impl std::error::Error for ForeignError {}

/// A backend failure message that keeps the foreign text.
#[derive(Debug)]
struct BackendMessage(String);

impl fmt::Display for BackendMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BackendMessage {}

impl From<ForeignError> for StoreError {
    fn from(e: ForeignError) -> Self {
        match ErrorCode::from_u32(e.code) {
            Some(ErrorCode::Conflict) => StoreError::Conflict,
            Some(ErrorCode::StoreUnavailable) => StoreError::Unavailable { retryable: true },
            _ => StoreError::backend(BackendMessage(e.message)),
        }
    }
}

impl From<ForeignError> for KmsError {
    fn from(e: ForeignError) -> Self {
        let backend = |m: String| KmsError::backend(BackendMessage(m));
        match ErrorCode::from_u32(e.code) {
            Some(ErrorCode::KeyNotFound | ErrorCode::NotFound) => KmsError::NotFound,
            Some(ErrorCode::KeyExists | ErrorCode::AlreadyExists) => KmsError::AlreadyExists,
            Some(ErrorCode::KeyState) => match parse_key_state(e.message.trim()) {
                Some(state) => KmsError::State {
                    state,
                    operation: "the operation",
                },
                None => backend(e.message),
            },
            Some(ErrorCode::KeyPurpose) => match parse_purpose(e.message.trim()) {
                Some(purpose) => KmsError::WrongPurpose {
                    purpose,
                    operation: "the operation",
                },
                None => backend(e.message),
            },
            Some(ErrorCode::InvalidInput) => KmsError::InvalidInput(e.message),
            Some(ErrorCode::VerificationFailed) => KmsError::UnwrapFailed,
            Some(ErrorCode::KmsUnavailable) => KmsError::Unavailable { retryable: true },
            Some(ErrorCode::WrongRootKey) => KmsError::WrongRootKey,
            _ => backend(e.message),
        }
    }
}

/// The engine's `KmsError` as a [`ForeignError`] (the reverse mapping, used
/// when a binding exposes a Rust key manager through its foreign interface).
impl From<KmsError> for ForeignError {
    fn from(e: KmsError) -> Self {
        let message = e.to_string();
        let code = match &e {
            KmsError::NotFound => ErrorCode::KeyNotFound,
            KmsError::AlreadyExists => ErrorCode::KeyExists,
            KmsError::State { state, .. } => {
                return ForeignError::new(ErrorCode::KeyState.as_u32(), state.as_str());
            }
            KmsError::WrongPurpose { purpose, .. } => {
                return ForeignError::new(ErrorCode::KeyPurpose.as_u32(), purpose.as_str());
            }
            KmsError::InvalidInput(_) => ErrorCode::InvalidInput,
            KmsError::UnwrapFailed => ErrorCode::VerificationFailed,
            KmsError::Unavailable { .. } => ErrorCode::KmsUnavailable,
            KmsError::WrongRootKey => ErrorCode::WrongRootKey,
            _ => ErrorCode::KmsBackend,
        };
        ForeignError::new(code.as_u32(), message)
    }
}

pub(crate) fn parse_key_state(s: &str) -> Option<KeyState> {
    match s {
        "ENABLED" => Some(KeyState::Enabled),
        "DISABLED" => Some(KeyState::Disabled),
        "PENDING_DELETION" => Some(KeyState::PendingDeletion),
        _ => None,
    }
}

fn parse_purpose(s: &str) -> Option<KeyPurpose> {
    match s {
        "wrap" => Some(KeyPurpose::Wrap),
        "sign" => Some(KeyPurpose::Sign),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Store
// ---------------------------------------------------------------------------

/// A stored value and its version (≥ 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRecord {
    /// The bytes.
    pub value: Vec<u8>,
    /// The version.
    pub version: u64,
}

/// One row of a scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanEntry {
    /// The key.
    pub key: Vec<u8>,
    /// The value.
    pub value: Vec<u8>,
    /// The version (≥ 1).
    pub version: u64,
}

/// The kind of a [`StoreOp`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreOpKind {
    /// Write `value` if the current version is `expect`; stores `expect + 1`.
    Put,
    /// Remove if the current version is `expect` (0: must be absent, no-op).
    Delete,
    /// Write nothing; fail the batch unless the version is `expect`.
    Check,
}

/// One operation of a commit batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreOp {
    /// Put, Delete or Check.
    pub kind: StoreOpKind,
    /// The table number (stable; see `credcycle::Table`).
    pub table: u32,
    /// The key.
    pub key: Vec<u8>,
    /// The new value (empty unless `Put`).
    pub value: Vec<u8>,
    /// The version the engine read (0 = absent).
    pub expect: u64,
}

/// A [`Store`] in plain types (see the contract of `credcycle::Store`).
pub trait ForeignStore: Send + Sync {
    /// The record at (`table`, `key`), or `None` when absent.
    ///
    /// # Errors
    /// Backend failures only.
    fn get(&self, table: u32, key: &[u8]) -> Result<Option<StoredRecord>, ForeignError>;

    /// Records of `table` whose key starts with `prefix`, ascending by key
    /// bytes, strictly after `after` if given, at most `limit`.
    ///
    /// # Errors
    /// Backend failures only.
    fn scan(
        &self,
        table: u32,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: u32,
    ) -> Result<Vec<ScanEntry>, ForeignError>;

    /// Applies all of `ops` or none; a version mismatch (or a batch naming
    /// one key twice) is [`ForeignError::conflict`].
    ///
    /// # Errors
    /// Conflict or backend failures; nothing written in either case.
    fn commit(&self, ops: &[StoreOp]) -> Result<(), ForeignError>;
}

/// The engine's [`Op`] in plain form.
pub fn store_op_from(op: &Op) -> StoreOp {
    let (table, key, expect) = op.target();
    let (kind, value) = match op {
        Op::Put { value, .. } => (StoreOpKind::Put, value.clone()),
        Op::Delete { .. } => (StoreOpKind::Delete, Vec::new()),
        _ => (StoreOpKind::Check, Vec::new()),
    };
    StoreOp {
        kind,
        table: table.as_u32(),
        key: key.to_vec(),
        value,
        expect: expect.0,
    }
}

fn record_from(value: Vec<u8>, version: u64) -> Result<Record, StoreError> {
    if version == 0 {
        return Err(StoreError::from(ForeignError::contract(
            "foreign store returned a record with version 0",
        )));
    }
    Ok(Record {
        value,
        version: Version(version),
    })
}

struct ForeignStoreAdapter(Arc<dyn ForeignStore>);

impl fmt::Debug for ForeignStoreAdapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ForeignStore")
    }
}

impl Store for ForeignStoreAdapter {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Record>, StoreError> {
        match self.0.get(table.as_u32(), key)? {
            Some(r) => Ok(Some(record_from(r.value, r.version)?)),
            None => Ok(None),
        }
    }

    fn scan(
        &self,
        table: Table,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: u32,
    ) -> Result<Vec<(Vec<u8>, Record)>, StoreError> {
        let rows = self.0.scan(table.as_u32(), prefix, after, limit)?;
        if rows.len() > limit as usize {
            return Err(StoreError::from(ForeignError::contract(
                "foreign store scan returned more rows than the limit",
            )));
        }
        rows.into_iter()
            .map(|e| Ok((e.key, record_from(e.value, e.version)?)))
            .collect()
    }

    fn commit(&self, ops: &[Op]) -> Result<(), StoreError> {
        let plain: Vec<StoreOp> = ops.iter().map(store_op_from).collect();
        Ok(self.0.commit(&plain)?)
    }
}

/// The engine's `Store` over a foreign implementation.
pub fn store_from_foreign(store: Arc<dyn ForeignStore>) -> Arc<dyn Store> {
    Arc::new(ForeignStoreAdapter(store))
}

// ---------------------------------------------------------------------------
// KeyManager
// ---------------------------------------------------------------------------

/// A wrapped data key in plain form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrappedKeyData {
    /// The wrapping key's id.
    pub key: String,
    /// The version of the wrapping key used.
    pub version: u32,
    /// The wrapped bytes.
    pub ciphertext: Vec<u8>,
}

/// A [`KeyManager`] in plain types (see the contract of
/// `credcycle::KeyManager`). Algorithms are `aes256gcm`, `p256`,
/// `ed25519`; states `ENABLED`, `DISABLED`, `PENDING_DELETION`.
pub trait ForeignKeyManager: Send + Sync {
    /// Creates key `id` (version 1).
    ///
    /// # Errors
    /// `KEY_EXISTS`; backend failures.
    fn create_key(&self, id: &str, algorithm: &str) -> Result<KeyInfo, ForeignError>;
    /// The key's information, or `None`.
    ///
    /// # Errors
    /// Backend failures.
    fn key_info(&self, id: &str) -> Result<Option<KeyInfo>, ForeignError>;
    /// Every key, ordered by id.
    ///
    /// # Errors
    /// Backend failures.
    fn list_keys(&self) -> Result<Vec<KeyInfo>, ForeignError>;
    /// Adds a version and makes it primary.
    ///
    /// # Errors
    /// `KEY_NOT_FOUND`, `KEY_STATE`, backend failures.
    fn rotate_key(&self, id: &str) -> Result<KeyInfo, ForeignError>;
    /// Moves the key to `state`.
    ///
    /// # Errors
    /// `KEY_NOT_FOUND`, backend failures.
    fn set_key_state(&self, id: &str, state: &str) -> Result<KeyInfo, ForeignError>;
    /// Wraps `dek` with the primary version, binding `aad`.
    ///
    /// # Errors
    /// `KEY_NOT_FOUND`, `KEY_STATE`, `KEY_PURPOSE`, backend failures.
    fn wrap(&self, id: &str, dek: &[u8], aad: &[u8]) -> Result<WrappedKeyData, ForeignError>;
    /// Unwraps a data key wrapped by `wrap` with the same `aad`.
    ///
    /// # Errors
    /// `VERIFICATION_FAILED` when it does not authenticate, `KEY_NOT_FOUND`,
    /// `KEY_STATE`, backend failures.
    fn unwrap(&self, wrapped: &WrappedKeyData, aad: &[u8]) -> Result<Vec<u8>, ForeignError>;
    /// Signs `msg` with the primary version.
    ///
    /// # Errors
    /// `KEY_NOT_FOUND`, `KEY_STATE`, `KEY_PURPOSE`, backend failures.
    fn sign(&self, id: &str, msg: &[u8]) -> Result<Vec<u8>, ForeignError>;
    /// The SubjectPublicKeyInfo (DER) of the primary version.
    ///
    /// # Errors
    /// `KEY_NOT_FOUND`, `KEY_STATE`, `KEY_PURPOSE`, backend failures.
    fn public_key(&self, id: &str) -> Result<Vec<u8>, ForeignError>;
}

/// A [`KeyInfo`] from a foreign key manager, checked.
pub(crate) fn key_info_to_core(k: KeyInfo) -> Result<credcycle::KeyInfo, KmsError> {
    let bad = |what: &str| {
        KmsError::from(ForeignError::contract(format!(
            "foreign key manager returned an invalid {what}"
        )))
    };
    let algorithm = KeyAlgorithm::parse(&k.algorithm).ok_or_else(|| bad("algorithm"))?;
    Ok(credcycle::KeyInfo {
        id: KeyId::new(k.id).map_err(|_| bad("key id"))?,
        purpose: parse_purpose(&k.purpose).ok_or_else(|| bad("purpose"))?,
        algorithm,
        primary_version: k.primary_version,
        versions: k.versions,
        state: parse_key_state(&k.state).ok_or_else(|| bad("state"))?,
    })
}

struct ForeignKeyManagerAdapter(Arc<dyn ForeignKeyManager>);

impl fmt::Debug for ForeignKeyManagerAdapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ForeignKeyManager")
    }
}

impl KeyManager for ForeignKeyManagerAdapter {
    fn create_key(
        &self,
        id: &KeyId,
        algorithm: KeyAlgorithm,
    ) -> Result<credcycle::KeyInfo, KmsError> {
        key_info_to_core(self.0.create_key(id.as_str(), algorithm.as_str())?)
    }

    fn key_info(&self, id: &KeyId) -> Result<Option<credcycle::KeyInfo>, KmsError> {
        self.0
            .key_info(id.as_str())?
            .map(key_info_to_core)
            .transpose()
    }

    fn list_keys(&self) -> Result<Vec<credcycle::KeyInfo>, KmsError> {
        self.0
            .list_keys()?
            .into_iter()
            .map(key_info_to_core)
            .collect()
    }

    fn rotate_key(&self, id: &KeyId) -> Result<credcycle::KeyInfo, KmsError> {
        key_info_to_core(self.0.rotate_key(id.as_str())?)
    }

    fn set_key_state(&self, id: &KeyId, state: KeyState) -> Result<credcycle::KeyInfo, KmsError> {
        key_info_to_core(self.0.set_key_state(id.as_str(), state.as_str())?)
    }

    fn wrap(&self, id: &KeyId, dek: &SecretBytes, aad: &[u8]) -> Result<WrappedKey, KmsError> {
        let w = self.0.wrap(id.as_str(), dek.expose(), aad)?;
        Ok(WrappedKey {
            key: KeyId::new(w.key).map_err(|_| {
                KmsError::from(ForeignError::contract(
                    "foreign key manager returned an invalid key id from wrap",
                ))
            })?,
            version: w.version,
            ciphertext: w.ciphertext,
        })
    }

    fn unwrap(&self, wrapped: &WrappedKey, aad: &[u8]) -> Result<SecretBytes, KmsError> {
        let plain = WrappedKeyData {
            key: wrapped.key.as_str().to_owned(),
            version: wrapped.version,
            ciphertext: wrapped.ciphertext.clone(),
        };
        let dek = Zeroizing::new(self.0.unwrap(&plain, aad)?);
        Ok(SecretBytes::from_slice(&dek))
    }

    fn sign(&self, id: &KeyId, msg: &[u8]) -> Result<Vec<u8>, KmsError> {
        Ok(self.0.sign(id.as_str(), msg)?)
    }

    fn public_key(&self, id: &KeyId) -> Result<Vec<u8>, KmsError> {
        Ok(self.0.public_key(id.as_str())?)
    }
}

/// The engine's `KeyManager` over a foreign implementation.
pub fn key_manager_from_foreign(keys: Arc<dyn ForeignKeyManager>) -> Arc<dyn KeyManager> {
    Arc::new(ForeignKeyManagerAdapter(keys))
}

// ---------------------------------------------------------------------------
// Clock
// ---------------------------------------------------------------------------

/// A clock in plain types: seconds since the Unix epoch.
pub trait ForeignClock: Send + Sync {
    /// Now. Cannot fail: an implementation whose source fails must return
    /// its best answer (and report the failure its own way).
    fn now(&self) -> i64;
}

struct ForeignClockAdapter(Arc<dyn ForeignClock>);

impl fmt::Debug for ForeignClockAdapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ForeignClock")
    }
}

impl Clock for ForeignClockAdapter {
    fn now(&self) -> UnixTime {
        UnixTime(self.0.now())
    }
}

/// The engine's `Clock` over a foreign implementation.
pub fn clock_from_foreign(clock: Arc<dyn ForeignClock>) -> Arc<dyn Clock> {
    Arc::new(ForeignClockAdapter(clock))
}

#[cfg(test)]
mod tests;
