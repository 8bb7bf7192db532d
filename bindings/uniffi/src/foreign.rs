//! Stores, key managers and clocks written in Kotlin or Swift.
//!
//! The host implements [`Store`], [`KeyManager`] or [`Clock`]; the adapters
//! here turn them into the facade's `ForeignStore`/`ForeignKeyManager`/
//! `ForeignClock`, whose one error conversion decides what a failure means:
//! a thrown `CredcycleError` keeps its code (`CONFLICT` 1002 from a store,
//! `KEY_NOT_FOUND` 1201 from a key manager, …); anything else thrown becomes
//! a store or key manager backend failure that keeps the exception's text.
//!
//! Implementations are called from many threads at once (the engine's
//! conflict retries, the conformance scenarios) and must be thread-safe;
//! they must not call back into the engine.

use std::sync::Arc;

use credcycle_facade as facade;
use facade::ForeignError;

use crate::error::CredcycleError;
use crate::types::KeyInfo;

/// A stored value and its version (at least 1).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct StoredRecord {
    /// The bytes.
    pub value: Vec<u8>,
    /// The version.
    pub version: u64,
}

/// One row of a scan.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ScanEntry {
    /// The key.
    pub key: Vec<u8>,
    /// The value.
    pub value: Vec<u8>,
    /// The version (at least 1).
    pub version: u64,
}

/// The kind of a [`StoreOp`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum StoreOpKind {
    /// Write `value` if the current version is `expect`; store `expect + 1`.
    Put,
    /// Remove if the current version is `expect` (0: must be absent; no-op).
    Delete,
    /// Write nothing; fail the batch unless the version is `expect`.
    Check,
}

/// One operation of a commit batch.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct StoreOp {
    /// Put, Delete or Check.
    pub kind: StoreOpKind,
    /// The table number (stable).
    pub table: u32,
    /// The key.
    pub key: Vec<u8>,
    /// The new value (empty unless `Put`).
    pub value: Vec<u8>,
    /// The version the engine read (0 = absent).
    pub expect: u64,
}

impl From<facade::StoreOp> for StoreOp {
    fn from(op: facade::StoreOp) -> Self {
        StoreOp {
            kind: match op.kind {
                facade::StoreOpKind::Put => StoreOpKind::Put,
                facade::StoreOpKind::Delete => StoreOpKind::Delete,
                facade::StoreOpKind::Check => StoreOpKind::Check,
            },
            table: op.table,
            key: op.key,
            value: op.value,
            expect: op.expect,
        }
    }
}

/// A store written in the host language: versioned key/value records in
/// numbered tables, with an all-or-nothing compare-and-swap commit. It must
/// pass the conformance scenarios (`storeConformance`). Failures are thrown
/// as any `CredcycleError` variant; the `code` decides: 1002 conflict, 1102
/// unavailable; any other code, or any other exception, is a backend
/// failure (1101).
#[uniffi::export(foreign)]
pub trait Store: Send + Sync {
    /// The record at (`table`, `key`), or null when absent.
    ///
    /// # Errors
    /// Backend failures only.
    fn get(&self, table: u32, key: Vec<u8>) -> Result<Option<StoredRecord>, CredcycleError>;

    /// Records of `table` whose key starts with `prefix`, ascending by
    /// unsigned key bytes, strictly after `after` if given, at most `limit`.
    ///
    /// # Errors
    /// Backend failures only.
    fn scan(
        &self,
        table: u32,
        prefix: Vec<u8>,
        after: Option<Vec<u8>>,
        limit: u32,
    ) -> Result<Vec<ScanEntry>, CredcycleError>;

    /// Applies all of `ops` or none. A version mismatch, or a batch naming
    /// one key twice, throws code 1002 (`Conflict`).
    ///
    /// # Errors
    /// Conflict or backend failures; nothing written in either case.
    fn commit(&self, ops: Vec<StoreOp>) -> Result<(), CredcycleError>;
}

/// Makes a fresh, empty [`Store`] for each conformance scenario.
#[uniffi::export(foreign)]
pub trait StoreFactory: Send + Sync {
    /// A new, empty store.
    fn fresh(&self) -> Arc<dyn Store>;
}

/// A wrapped data key.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct WrappedKeyData {
    /// The wrapping key's id.
    pub key: String,
    /// The version of the wrapping key used.
    pub version: u32,
    /// The wrapped bytes.
    pub ciphertext: Vec<u8>,
}

impl From<WrappedKeyData> for facade::WrappedKeyData {
    fn from(w: WrappedKeyData) -> Self {
        facade::WrappedKeyData {
            key: w.key,
            version: w.version,
            ciphertext: w.ciphertext,
        }
    }
}

impl From<facade::WrappedKeyData> for WrappedKeyData {
    fn from(w: facade::WrappedKeyData) -> Self {
        WrappedKeyData {
            key: w.key,
            version: w.version,
            ciphertext: w.ciphertext,
        }
    }
}

/// A key manager written in the host language (for instance over the
/// Android keystore). Algorithms are `aes256gcm` (wrap), `p256` and
/// `ed25519` (sign); states `ENABLED`, `DISABLED`, `PENDING_DELETION`.
///
/// Failures are thrown as any `CredcycleError` variant; the `code` decides
/// what it means: 1201 no such key, 1206 key exists, 1202 the key's state
/// forbids it (reason = the state), 1203 wrong purpose (reason = the
/// purpose), 1006 an unwrap that does not authenticate, 1205 unavailable.
/// Any other code, or any other exception, is a backend failure (1204).
#[uniffi::export(foreign)]
pub trait KeyManager: Send + Sync {
    /// Creates key `id` (version 1).
    ///
    /// # Errors
    /// Key exists; backend failures.
    fn create_key(&self, id: String, algorithm: String) -> Result<KeyInfo, CredcycleError>;
    /// The key's information, or null.
    ///
    /// # Errors
    /// Backend failures.
    fn key_info(&self, id: String) -> Result<Option<KeyInfo>, CredcycleError>;
    /// Every key, ordered by id.
    ///
    /// # Errors
    /// Backend failures.
    fn list_keys(&self) -> Result<Vec<KeyInfo>, CredcycleError>;
    /// Adds a version and makes it primary.
    ///
    /// # Errors
    /// Not found, state, backend failures.
    fn rotate_key(&self, id: String) -> Result<KeyInfo, CredcycleError>;
    /// Moves the key to `state`.
    ///
    /// # Errors
    /// Not found, backend failures.
    fn set_key_state(&self, id: String, state: String) -> Result<KeyInfo, CredcycleError>;
    /// Wraps `dek` with the primary version, binding `aad`.
    ///
    /// # Errors
    /// Not found, state, purpose, backend failures.
    fn wrap(
        &self,
        id: String,
        dek: Vec<u8>,
        aad: Vec<u8>,
    ) -> Result<WrappedKeyData, CredcycleError>;
    /// Unwraps a data key wrapped by `wrap` with the same `aad`.
    ///
    /// # Errors
    /// Verification failed, not found, state, backend failures.
    fn unwrap(&self, wrapped: WrappedKeyData, aad: Vec<u8>) -> Result<Vec<u8>, CredcycleError>;
    /// Signs `msg` with the primary version (P-256: 64-byte `r || s`).
    ///
    /// # Errors
    /// Not found, state, purpose, backend failures.
    fn sign(&self, id: String, msg: Vec<u8>) -> Result<Vec<u8>, CredcycleError>;
    /// The SubjectPublicKeyInfo (DER) of the primary version.
    ///
    /// # Errors
    /// Not found, state, purpose, backend failures.
    fn public_key(&self, id: String) -> Result<Vec<u8>, CredcycleError>;
}

/// Makes a fresh, empty [`KeyManager`] for each KeyManager conformance
/// scenario.
#[uniffi::export(foreign)]
pub trait KeyManagerFactory: Send + Sync {
    /// A new, empty key manager.
    fn fresh(&self) -> Arc<dyn KeyManager>;
}

/// A clock written in the host language (tests drive time with it).
#[uniffi::export(foreign)]
pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch. Must not throw (a throw is a bug and
    /// fails the engine call that asked for the time).
    fn now(&self) -> i64;
}

fn foreign(e: CredcycleError) -> ForeignError {
    e.into_foreign()
}

pub(crate) struct StoreAdapter(pub(crate) Arc<dyn Store>);

impl facade::ForeignStore for StoreAdapter {
    fn get(&self, table: u32, key: &[u8]) -> Result<Option<facade::StoredRecord>, ForeignError> {
        Ok(self
            .0
            .get(table, key.to_vec())
            .map_err(foreign)?
            .map(|r| facade::StoredRecord {
                value: r.value,
                version: r.version,
            }))
    }

    fn scan(
        &self,
        table: u32,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: u32,
    ) -> Result<Vec<facade::ScanEntry>, ForeignError> {
        Ok(self
            .0
            .scan(table, prefix.to_vec(), after.map(<[u8]>::to_vec), limit)
            .map_err(foreign)?
            .into_iter()
            .map(|e| facade::ScanEntry {
                key: e.key,
                value: e.value,
                version: e.version,
            })
            .collect())
    }

    fn commit(&self, ops: &[facade::StoreOp]) -> Result<(), ForeignError> {
        self.0
            .commit(ops.iter().cloned().map(StoreOp::from).collect())
            .map_err(foreign)
    }
}

pub(crate) struct KeyManagerAdapter(pub(crate) Arc<dyn KeyManager>);

impl facade::ForeignKeyManager for KeyManagerAdapter {
    fn create_key(&self, id: &str, algorithm: &str) -> Result<facade::KeyInfo, ForeignError> {
        Ok(self
            .0
            .create_key(id.to_owned(), algorithm.to_owned())
            .map_err(foreign)?
            .into())
    }

    fn key_info(&self, id: &str) -> Result<Option<facade::KeyInfo>, ForeignError> {
        Ok(self
            .0
            .key_info(id.to_owned())
            .map_err(foreign)?
            .map(Into::into))
    }

    fn list_keys(&self) -> Result<Vec<facade::KeyInfo>, ForeignError> {
        Ok(self
            .0
            .list_keys()
            .map_err(foreign)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    fn rotate_key(&self, id: &str) -> Result<facade::KeyInfo, ForeignError> {
        Ok(self.0.rotate_key(id.to_owned()).map_err(foreign)?.into())
    }

    fn set_key_state(&self, id: &str, state: &str) -> Result<facade::KeyInfo, ForeignError> {
        Ok(self
            .0
            .set_key_state(id.to_owned(), state.to_owned())
            .map_err(foreign)?
            .into())
    }

    fn wrap(
        &self,
        id: &str,
        dek: &[u8],
        aad: &[u8],
    ) -> Result<facade::WrappedKeyData, ForeignError> {
        Ok(self
            .0
            .wrap(id.to_owned(), dek.to_vec(), aad.to_vec())
            .map_err(foreign)?
            .into())
    }

    fn unwrap(
        &self,
        wrapped: &facade::WrappedKeyData,
        aad: &[u8],
    ) -> Result<Vec<u8>, ForeignError> {
        self.0
            .unwrap(wrapped.clone().into(), aad.to_vec())
            .map_err(foreign)
    }

    fn sign(&self, id: &str, msg: &[u8]) -> Result<Vec<u8>, ForeignError> {
        self.0.sign(id.to_owned(), msg.to_vec()).map_err(foreign)
    }

    fn public_key(&self, id: &str) -> Result<Vec<u8>, ForeignError> {
        self.0.public_key(id.to_owned()).map_err(foreign)
    }
}

pub(crate) struct ClockAdapter(pub(crate) Arc<dyn Clock>);

impl facade::ForeignClock for ClockAdapter {
    fn now(&self) -> i64 {
        self.0.now()
    }
}
