//! The [`KeyManager`] plug-in trait: key custody by key id.
//!
//! Master key bytes never leave a key manager. The engine hands it data keys
//! to wrap and unwrap, and messages to sign; it refers to keys by [`KeyId`]
//! only.

use std::fmt;

use crate::crypto::SecretBytes;

mod local;

pub use local::LocalKeyManager;

/// The name of a key in a key manager (`default`, `k2`, `hsm:signing`).
///
/// 1..=128 characters of `[A-Za-z0-9_.:-]`. Never key material.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(String);

impl KeyId {
    /// Maximum length in characters.
    pub const MAX_LEN: usize = 128;

    /// Validates and wraps a key id.
    ///
    /// # Errors
    /// [`KmsError::InvalidInput`] naming the rule when `id` is empty, longer
    /// than [`KeyId::MAX_LEN`] or has a character outside `[A-Za-z0-9_.:-]`.
    pub fn new(id: impl Into<String>) -> Result<Self, KmsError> {
        let id = id.into();
        if id.is_empty() || id.len() > Self::MAX_LEN {
            return Err(KmsError::InvalidInput(format!(
                "kms_key_id: must be 1..={} characters, got {}",
                Self::MAX_LEN,
                id.chars().count()
            )));
        }
        if !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'))
        {
            return Err(KmsError::InvalidInput(
                "kms_key_id: only [A-Za-z0-9_.:-] are allowed".into(),
            ));
        }
        Ok(KeyId(id))
    }

    /// A key id the crate knows to be valid (a literal).
    pub(crate) fn from_trusted(id: &str) -> Self {
        debug_assert!(KeyId::new(id).is_ok());
        KeyId(id.to_owned())
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a key is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyPurpose {
    /// Wraps data keys (envelope encryption of secrets, seeds, HMAC keys).
    Wrap,
    /// Signs (certificates, tokens, JWTs).
    Sign,
}

impl KeyPurpose {
    /// `wrap` or `sign`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyPurpose::Wrap => "wrap",
            KeyPurpose::Sign => "sign",
        }
    }
}

/// The algorithm of a key (all versions of a key share it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// AES-256-GCM key wrapping (purpose `Wrap`).
    Aes256Gcm,
    /// ECDSA on P-256 with SHA-256 (purpose `Sign`). Signatures are the
    /// fixed-size `r || s` form (64 bytes), as PKCS#11 and JWS use.
    EcdsaP256Sha256,
    /// ECDSA on P-384 with SHA-384 (purpose `Sign`); fixed-size `r || s`
    /// signatures (96 bytes).
    EcdsaP384Sha384,
    /// Ed25519 (purpose `Sign`); 64-byte signatures.
    Ed25519,
}

impl KeyAlgorithm {
    /// `aes256gcm`, `p256`, `p384` or `ed25519` (the CLI's spelling).
    pub fn as_str(self) -> &'static str {
        match self {
            KeyAlgorithm::Aes256Gcm => "aes256gcm",
            KeyAlgorithm::EcdsaP256Sha256 => "p256",
            KeyAlgorithm::EcdsaP384Sha384 => "p384",
            KeyAlgorithm::Ed25519 => "ed25519",
        }
    }

    /// The purpose the algorithm serves.
    pub fn purpose(self) -> KeyPurpose {
        match self {
            KeyAlgorithm::Aes256Gcm => KeyPurpose::Wrap,
            KeyAlgorithm::EcdsaP256Sha256
            | KeyAlgorithm::EcdsaP384Sha384
            | KeyAlgorithm::Ed25519 => KeyPurpose::Sign,
        }
    }

    /// Parses the CLI spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "aes256gcm" => Some(KeyAlgorithm::Aes256Gcm),
            "p256" => Some(KeyAlgorithm::EcdsaP256Sha256),
            "p384" => Some(KeyAlgorithm::EcdsaP384Sha384),
            "ed25519" => Some(KeyAlgorithm::Ed25519),
            _ => None,
        }
    }
}

/// The state of a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyState {
    /// Wraps, unwraps and signs.
    Enabled,
    /// Refuses new wraps and signatures; still unwraps (the engine's policy
    /// may refuse that too).
    Disabled,
    /// Refuses everything until restored to `Enabled`.
    PendingDeletion,
}

impl KeyState {
    /// `ENABLED`, `DISABLED` or `PENDING_DELETION`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyState::Enabled => "ENABLED",
            KeyState::Disabled => "DISABLED",
            KeyState::PendingDeletion => "PENDING_DELETION",
        }
    }
}

/// What a key manager tells about a key (never its material).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    /// The key's id.
    pub id: KeyId,
    /// Its purpose.
    pub purpose: KeyPurpose,
    /// Its algorithm.
    pub algorithm: KeyAlgorithm,
    /// The version new wraps and signatures use (versions count from 1).
    pub primary_version: u32,
    /// How many versions exist (1..=primary_version).
    pub versions: u32,
    /// Its state.
    pub state: KeyState,
}

/// A data key wrapped by a key manager, with the key and version that
/// wrapped it, so that `unwrap` can route to the right version after
/// rotations.
#[derive(Clone, PartialEq, Eq)]
pub struct WrappedKey {
    /// The wrapping key.
    pub key: KeyId,
    /// The version of the wrapping key used.
    pub version: u32,
    /// The wrapped bytes (format defined by the key manager).
    pub ciphertext: Vec<u8>,
}

impl fmt::Debug for WrappedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WrappedKey")
            .field("key", &self.key)
            .field("version", &self.version)
            .field("ciphertext_len", &self.ciphertext.len())
            .finish()
    }
}

/// Errors of a [`KeyManager`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KmsError {
    /// No key (or key version) with that id.
    #[error("key not found")]
    NotFound,
    /// `create_key` with an id that exists.
    #[error("key already exists")]
    AlreadyExists,
    /// The key's state forbids the operation.
    #[error("key is {}: {operation} is not allowed", state.as_str())]
    State {
        /// The key's state.
        state: KeyState,
        /// The refused operation.
        operation: &'static str,
    },
    /// The key's purpose or algorithm does not fit the operation.
    #[error("key has purpose {}: {operation} needs another", purpose.as_str())]
    WrongPurpose {
        /// The key's purpose.
        purpose: KeyPurpose,
        /// The refused operation.
        operation: &'static str,
    },
    /// A bad argument (id syntax, data key length); names the field.
    #[error("{0}")]
    InvalidInput(String),
    /// The wrapped blob did not authenticate (tampered, wrong AAD, wrong key).
    #[error("unwrap failed")]
    UnwrapFailed,
    /// The root key (or PIN) given to the key manager does not open its key
    /// store: the wrong key file, or damaged key records.
    #[error("the root key does not match this key store (wrong root key, or a damaged key record)")]
    WrongRootKey,
    /// The device or service cannot be reached now.
    #[error("key manager unavailable (retryable: {retryable})")]
    Unavailable {
        /// Whether the same call may succeed later.
        retryable: bool,
    },
    /// Any other backend failure, with its message.
    #[error("backend: {0}")]
    Backend(Box<dyn std::error::Error + Send + Sync>),
}

impl KmsError {
    /// Wraps a backend error.
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        KmsError::Backend(Box::new(e))
    }
}

/// Key custody by key id.
///
/// # Contract
/// - Keys have versions counted from 1. `rotate_key` adds a version that
///   becomes primary; older versions stay usable for `unwrap`.
/// - `wrap` uses the primary version and must be randomized (two wraps of the
///   same data key differ). It authenticates `aad`: `unwrap` with other
///   `aad`, or of a modified blob, fails with [`KmsError::UnwrapFailed`].
/// - `unwrap` routes by `wrapped.key` and `wrapped.version`.
/// - States: `Enabled` does everything; `Disabled` refuses `wrap` and `sign`
///   and still allows `unwrap` and `public_key`; `PendingDeletion` refuses
///   `wrap`, `unwrap`, `sign` and `public_key` (as [`KeyState`] says:
///   everything but `key_info`, `list_keys` and `set_key_state`).
/// - `sign` uses the primary version; `public_key` returns the primary
///   version's SubjectPublicKeyInfo (DER).
/// - Thread-safe; must not call back into the engine.
pub trait KeyManager: Send + Sync + fmt::Debug {
    /// Creates key `id` (version 1) with `algorithm`.
    ///
    /// # Errors
    /// [`KmsError::AlreadyExists`] if `id` exists; backend failures.
    fn create_key(&self, id: &KeyId, algorithm: KeyAlgorithm) -> Result<KeyInfo, KmsError>;

    /// Information about key `id`, or `Ok(None)` if there is none.
    ///
    /// # Errors
    /// Backend failures only.
    fn key_info(&self, id: &KeyId) -> Result<Option<KeyInfo>, KmsError>;

    /// Every key, ordered by id.
    ///
    /// # Errors
    /// Backend failures only.
    fn list_keys(&self) -> Result<Vec<KeyInfo>, KmsError>;

    /// Adds a new version to key `id` and makes it primary.
    ///
    /// # Errors
    /// [`KmsError::NotFound`]; [`KmsError::State`] unless the key is enabled.
    fn rotate_key(&self, id: &KeyId) -> Result<KeyInfo, KmsError>;

    /// Moves key `id` to `state` (enable, disable, schedule deletion, or
    /// cancel a deletion by enabling).
    ///
    /// # Errors
    /// [`KmsError::NotFound`]; backend failures.
    fn set_key_state(&self, id: &KeyId, state: KeyState) -> Result<KeyInfo, KmsError>;

    /// Wraps data key `dek` with the primary version of `id`, binding `aad`.
    ///
    /// # Errors
    /// [`KmsError::NotFound`], [`KmsError::State`],
    /// [`KmsError::WrongPurpose`], backend failures.
    fn wrap(&self, id: &KeyId, dek: &SecretBytes, aad: &[u8]) -> Result<WrappedKey, KmsError>;

    /// Unwraps a data key wrapped by [`KeyManager::wrap`] with the same `aad`.
    ///
    /// # Errors
    /// [`KmsError::UnwrapFailed`] when the blob or `aad` do not
    /// authenticate; [`KmsError::NotFound`] for an unknown key or version;
    /// [`KmsError::State`] for a key pending deletion.
    fn unwrap(&self, wrapped: &WrappedKey, aad: &[u8]) -> Result<SecretBytes, KmsError>;

    /// Signs `msg` with the primary version of signing key `id`.
    ///
    /// # Errors
    /// [`KmsError::NotFound`], [`KmsError::State`],
    /// [`KmsError::WrongPurpose`], backend failures.
    fn sign(&self, id: &KeyId, msg: &[u8]) -> Result<Vec<u8>, KmsError>;

    /// The SubjectPublicKeyInfo (DER) of the primary version of signing key `id`.
    ///
    /// # Errors
    /// [`KmsError::NotFound`], [`KmsError::WrongPurpose`],
    /// [`KmsError::State`] for a key pending deletion, backend failures.
    fn public_key(&self, id: &KeyId) -> Result<Vec<u8>, KmsError>;
}
