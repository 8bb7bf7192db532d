//! [`Pkcs11Error`] and the mapping of token failures onto [`KmsError`].

use credcycle::KmsError;
use cryptoki::error::{Error as CkError, RvError};

/// Failures specific to the PKCS#11 key manager. They reach callers wrapped
/// in [`KmsError::Backend`]; [`Pkcs11Error::from_kms_error`] gets them back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Pkcs11Error {
    /// The module (shared library) could not be loaded or initialized.
    #[error("pkcs11 module {module}: cannot load or initialize it: {reason}")]
    Module {
        /// The module path.
        module: String,
        /// What failed.
        reason: String,
    },
    /// No slot holds a token with that label.
    #[error("pkcs11: no token labelled {token:?} in module {module} (tokens present: {present})")]
    TokenNotFound {
        /// The label asked for.
        token: String,
        /// The module path.
        module: String,
        /// The labels of the tokens present, comma-separated.
        present: String,
    },
    /// The token refused the user PIN.
    #[error("pkcs11: token {token:?} refused the PIN (wrong PIN)")]
    WrongPin {
        /// The token label.
        token: String,
    },
    /// The token's user PIN is locked (too many wrong attempts).
    #[error("pkcs11: the user PIN of token {token:?} is locked")]
    PinLocked {
        /// The token label.
        token: String,
    },
    /// A key's metadata object on the token is missing fields or
    /// duplicated (for example after two processes created the same key at
    /// once).
    #[error("pkcs11: damaged key metadata: {0}")]
    Metadata(String),
    /// A PKCS#11 call failed.
    #[error("pkcs11: {operation}: {source}")]
    Call {
        /// What was being done.
        operation: &'static str,
        /// The library's error.
        #[source]
        source: CkError,
    },
}

impl Pkcs11Error {
    /// The [`Pkcs11Error`] inside `e`, if `e` wraps one.
    pub fn from_kms_error(e: &KmsError) -> Option<&Pkcs11Error> {
        match e {
            KmsError::Backend(inner) => inner.downcast_ref::<Pkcs11Error>(),
            _ => None,
        }
    }
}

impl From<Pkcs11Error> for KmsError {
    fn from(e: Pkcs11Error) -> Self {
        KmsError::backend(e)
    }
}

/// The return value of a failed call, if it was one.
pub(crate) fn rv(e: &CkError) -> Option<RvError> {
    match e {
        CkError::Pkcs11(rv, _) => Some(*rv),
        _ => None,
    }
}

/// Whether the session (or the token behind it) is gone: the session must
/// not be reused.
pub(crate) fn session_lost(e: &CkError) -> bool {
    matches!(
        rv(e),
        Some(
            RvError::SessionClosed
                | RvError::SessionHandleInvalid
                | RvError::DeviceRemoved
                | RvError::TokenNotPresent
                | RvError::DeviceError
                | RvError::UserNotLoggedIn
                | RvError::CryptokiNotInitialized
        )
    )
}

/// Maps a failed call during `operation`.
pub(crate) fn call(operation: &'static str, e: CkError) -> KmsError {
    match rv(&e) {
        Some(RvError::DeviceRemoved | RvError::TokenNotPresent | RvError::DeviceError) => {
            KmsError::Unavailable { retryable: true }
        }
        _ => Pkcs11Error::Call {
            operation,
            source: e,
        }
        .into(),
    }
}
