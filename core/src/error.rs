//! The one error type of the engine and its stable numeric code table.
//!
//! Every binding maps errors from [`ErrorCode`] alone, in one place. Codes are
//! never renumbered and never reused: a retired code stays as a `reserved`
//! comment.

use std::fmt;

use crate::kms::KmsError;
use crate::store::StoreError;

/// Stable numeric error codes, one range per area.
///
/// | range | area |
/// |---|---|
/// | 1000 | general categories |
/// | 1100 | store |
/// | 1200 | key manager |
/// | 1300 | secrets |
/// | 1400 | API tokens |
/// | 1450 | machine identities (universal auth) |
/// | 1500 | identities, sessions, mfa |
/// | 1600 | enrollment (reserved) |
/// | 1700 | targets and webhooks |
///
/// `0` is success in the bindings and never appears here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The named record does not exist (in this tenant).
    NotFound = 1001,
    /// A concurrent update won the race; the operation may be retried.
    Conflict = 1002,
    /// A record with the same unique name already exists.
    AlreadyExists = 1003,
    /// An input failed validation; the message names the field and the limit.
    InvalidInput = 1004,
    /// The request is well-formed but the policy forbids it.
    PolicyViolation = 1005,
    /// A MAC, signature, code or ciphertext did not verify. Carries no detail.
    VerificationFailed = 1006,
    /// The record's state forbids the operation; the message names the state.
    InvalidState = 1007,
    /// A bug or an impossible state; please report.
    Internal = 1008,
    /// The random generator failed.
    RandomFailed = 1009,
    /// The store failed (I/O, connection, backend error).
    StoreBackend = 1101,
    /// The store is unavailable (may be retryable).
    StoreUnavailable = 1102,
    /// A stored record could not be decoded.
    StoreCorrupt = 1103,
    /// The key manager does not know the key.
    KeyNotFound = 1201,
    /// The key exists but its state forbids the operation.
    KeyState = 1202,
    /// The key exists but has the wrong purpose or algorithm for the operation.
    KeyPurpose = 1203,
    /// The key manager failed (I/O, device, backend error).
    KmsBackend = 1204,
    /// The key manager is unavailable (may be retryable).
    KmsUnavailable = 1205,
    /// A key with that id already exists in the key manager.
    KeyExists = 1206,
    /// The root key given to the key manager does not open its key store.
    WrongRootKey = 1207,
    /// A two-phase rotation is already in progress for the secret.
    RotationInProgress = 1301,
    /// The idempotency token was already used with a different value.
    IdempotencyMismatch = 1302,
    /// An invalidated refresh token was presented again: its whole token
    /// family has been revoked (RFC 9700 §4.14.2).
    RefreshTokenReused = 1401,
    /// Too many failed logins: the client is locked out for a while.
    LoginLocked = 1451,
    /// Too many consecutive failed attempts: the factor (password or MFA) is
    /// locked for a while. The message says until when.
    Locked = 1501,
    /// The API session still owes its second factor; only MFA operations,
    /// `current_session` and `logout` are allowed.
    MfaRequired = 1502,
    /// The password must be changed before the session may do anything else.
    PasswordChangeRequired = 1503,
    /// The operation exists but is not supported by this build yet.
    NotSupported = 1504,
    /// A webhook's timestamp is older or newer than the tolerance allows.
    WebhookTimestamp = 1701,
    /// A webhook message id was already accepted (replay guard).
    WebhookReplay = 1702,
}

impl ErrorCode {
    /// Every code, in table order (used by bindings and tests).
    pub const ALL: &'static [ErrorCode] = &[
        Self::NotFound,
        Self::Conflict,
        Self::AlreadyExists,
        Self::InvalidInput,
        Self::PolicyViolation,
        Self::VerificationFailed,
        Self::InvalidState,
        Self::Internal,
        Self::RandomFailed,
        Self::StoreBackend,
        Self::StoreUnavailable,
        Self::StoreCorrupt,
        Self::KeyNotFound,
        Self::KeyState,
        Self::KeyPurpose,
        Self::KmsBackend,
        Self::KmsUnavailable,
        Self::KeyExists,
        Self::WrongRootKey,
        Self::RotationInProgress,
        Self::IdempotencyMismatch,
        Self::RefreshTokenReused,
        Self::LoginLocked,
        Self::Locked,
        Self::MfaRequired,
        Self::PasswordChangeRequired,
        Self::NotSupported,
        Self::WebhookTimestamp,
        Self::WebhookReplay,
    ];

    /// The numeric value of the code.
    pub fn as_u32(self) -> u32 {
        self as u32
    }

    /// The code for a number, if it is one.
    pub fn from_u32(n: u32) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_u32() == n)
    }

    /// The broad family of the code, as used by the CLI exit codes and the
    /// binding exception hierarchies.
    pub fn kind(self) -> ErrorKind {
        match self {
            Self::NotFound | Self::KeyNotFound => ErrorKind::NotFound,
            Self::Conflict
            | Self::AlreadyExists
            | Self::KeyExists
            | Self::RotationInProgress
            | Self::IdempotencyMismatch => ErrorKind::Conflict,
            Self::InvalidInput | Self::KeyPurpose => ErrorKind::InvalidInput,
            Self::PolicyViolation => ErrorKind::Policy,
            Self::VerificationFailed
            | Self::WrongRootKey
            | Self::RefreshTokenReused
            | Self::WebhookTimestamp
            | Self::WebhookReplay => ErrorKind::VerificationFailed,
            Self::InvalidState
            | Self::KeyState
            | Self::LoginLocked
            | Self::Locked
            | Self::MfaRequired
            | Self::PasswordChangeRequired => ErrorKind::State,
            Self::NotSupported => ErrorKind::Policy,
            Self::StoreBackend | Self::StoreUnavailable | Self::StoreCorrupt => ErrorKind::Store,
            Self::KmsBackend | Self::KmsUnavailable => ErrorKind::KeyManager,
            Self::Internal | Self::RandomFailed => ErrorKind::Internal,
        }
    }
}

/// Error families (categories of DESIGN.md §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Something named does not exist.
    NotFound,
    /// A race was lost, or a uniqueness/idempotency rule was hit.
    Conflict,
    /// Bad input; the message names the field and the limit.
    InvalidInput,
    /// Refused by policy.
    Policy,
    /// Verification failed; no detail.
    VerificationFailed,
    /// The record's state forbids the operation.
    State,
    /// The store failed.
    Store,
    /// The key manager failed.
    KeyManager,
    /// Internal error.
    Internal,
}

impl ErrorKind {
    /// The lower-case name used in JSON error objects (`"not_found"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::InvalidInput => "invalid_input",
            Self::Policy => "policy",
            Self::VerificationFailed => "verification_failed",
            Self::State => "state",
            Self::Store => "store",
            Self::KeyManager => "key_manager",
            Self::Internal => "internal",
        }
    }
}

/// A field that failed validation, and the rule it broke.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidInput {
    /// The field's name as the API spells it (`description`, `name`, …).
    pub field: &'static str,
    /// The rule, with the limit (`must be at most 2048 bytes, got 2049`).
    pub reason: String,
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// The error type of every engine operation.
///
/// Messages are lower-case and never contain secret values, tokens or key
/// bytes. Match on [`Error::code`] (stable) rather than on variants.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The record does not exist.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for (`secret`, `version`, …), never a secret.
        what: &'static str,
    },
    /// A concurrent update won; retry.
    #[error("concurrent update; retry")]
    Conflict,
    /// The unique name is taken.
    #[error("{what} already exists")]
    AlreadyExists {
        /// The kind of record.
        what: &'static str,
    },
    /// Input failed validation.
    #[error("invalid input: {0}")]
    InvalidInput(InvalidInput),
    /// Refused by policy.
    #[error("rejected by policy: {0}")]
    Policy(String),
    /// Verification failed (detail-free by design).
    #[error("verification failed")]
    VerificationFailed,
    /// The record's state forbids the operation.
    #[error("{what} is {state}: {operation} is not allowed")]
    State {
        /// The kind of record.
        what: &'static str,
        /// The state it is in (`FROZEN`, `PENDING_DELETE`, …).
        state: &'static str,
        /// The refused operation.
        operation: &'static str,
    },
    /// A two-phase rotation is already pending.
    #[error("a rotation is already in progress")]
    RotationInProgress,
    /// Idempotency token reused with a different value.
    #[error("idempotency token was already used with a different value")]
    IdempotencyMismatch,
    /// An invalidated refresh token was presented again; every token of its
    /// family is now revoked.
    #[error("refresh token was already used; its token family is revoked")]
    RefreshTokenReused,
    /// Too many failed logins; retry after the lock expires.
    #[error("too many failed logins: locked for {retry_after_secs} more seconds")]
    LockedOut {
        /// Seconds until the lock expires.
        retry_after_secs: u64,
    },
    /// Too many consecutive failed attempts; the factor is locked.
    #[error("{what} is locked after too many failed attempts until unix time {until}")]
    Locked {
        /// The locked factor (`password`, `mfa`).
        what: &'static str,
        /// When the lock ends (Unix seconds).
        until: i64,
    },
    /// The API session still owes its second factor.
    #[error("api session requires mfa: {operation} is not allowed until mfa is complete")]
    MfaRequired {
        /// The refused operation.
        operation: &'static str,
    },
    /// The password was marked compromised and must be changed first.
    #[error("password change required: {operation} is not allowed until the password is changed")]
    PasswordChangeRequired {
        /// The refused operation.
        operation: &'static str,
    },
    /// The operation exists but this build does not support it yet.
    #[error("{what} is not supported yet")]
    NotSupported {
        /// What is not supported (`cert authentication`, …).
        what: &'static str,
    },
    /// A webhook's timestamp is outside the tolerance (too old or too new).
    #[error("webhook timestamp is outside the tolerance")]
    WebhookTimestamp,
    /// A webhook message id was already accepted.
    #[error("webhook message was already accepted (replay)")]
    WebhookReplay,
    /// The store failed.
    #[error("store: {0}")]
    Store(StoreError),
    /// The key manager failed.
    #[error("key manager: {0}")]
    Kms(#[from] KmsError),
    /// The random generator failed.
    #[error("random generator failed")]
    Random,
    /// An impossible state; please report.
    #[error("internal error, please report: {0}")]
    Internal(&'static str),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict => Error::Conflict,
            other => Error::Store(other),
        }
    }
}

impl Error {
    /// Shorthand for an [`Error::InvalidInput`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput(InvalidInput {
            field,
            reason: reason.into(),
        })
    }

    /// The stable numeric code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::Conflict => ErrorCode::Conflict,
            Error::AlreadyExists { .. } => ErrorCode::AlreadyExists,
            Error::InvalidInput(_) => ErrorCode::InvalidInput,
            Error::Policy(_) => ErrorCode::PolicyViolation,
            Error::VerificationFailed => ErrorCode::VerificationFailed,
            Error::State { .. } => ErrorCode::InvalidState,
            Error::RotationInProgress => ErrorCode::RotationInProgress,
            Error::IdempotencyMismatch => ErrorCode::IdempotencyMismatch,
            Error::RefreshTokenReused => ErrorCode::RefreshTokenReused,
            Error::LockedOut { .. } => ErrorCode::LoginLocked,
            Error::Locked { .. } => ErrorCode::Locked,
            Error::MfaRequired { .. } => ErrorCode::MfaRequired,
            Error::PasswordChangeRequired { .. } => ErrorCode::PasswordChangeRequired,
            Error::NotSupported { .. } => ErrorCode::NotSupported,
            Error::WebhookTimestamp => ErrorCode::WebhookTimestamp,
            Error::WebhookReplay => ErrorCode::WebhookReplay,
            Error::Store(e) => match e {
                StoreError::Conflict => ErrorCode::Conflict,
                StoreError::Unavailable { .. } => ErrorCode::StoreUnavailable,
                StoreError::Corrupt(_) => ErrorCode::StoreCorrupt,
                StoreError::Backend(_) => ErrorCode::StoreBackend,
            },
            Error::Kms(e) => match e {
                KmsError::NotFound => ErrorCode::KeyNotFound,
                KmsError::AlreadyExists => ErrorCode::KeyExists,
                KmsError::State { .. } => ErrorCode::KeyState,
                KmsError::WrongPurpose { .. } => ErrorCode::KeyPurpose,
                KmsError::InvalidInput(_) => ErrorCode::InvalidInput,
                KmsError::UnwrapFailed => ErrorCode::VerificationFailed,
                KmsError::WrongRootKey => ErrorCode::WrongRootKey,
                KmsError::Unavailable { .. } => ErrorCode::KmsUnavailable,
                KmsError::Backend(_) => ErrorCode::KmsBackend,
            },
            Error::Random => ErrorCode::RandomFailed,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The error family of this error.
    pub fn kind(&self) -> ErrorKind {
        self.code().kind()
    }

    pub(crate) fn corrupt(what: &'static str) -> Self {
        Error::Store(StoreError::Corrupt(what))
    }
}

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.as_u32()), "duplicate code {c:?}");
            assert_eq!(ErrorCode::from_u32(c.as_u32()), Some(*c));
        }
        assert_eq!(ErrorCode::from_u32(0), None);
        assert_eq!(ErrorCode::from_u32(9999), None);
    }

    #[test]
    fn store_conflict_becomes_engine_conflict() {
        let e: Error = StoreError::Conflict.into();
        assert_eq!(e.code(), ErrorCode::Conflict);
    }

    #[test]
    fn invalid_input_names_field_and_limit() {
        let e = Error::invalid("description", "must be at most 2048 bytes, got 2049");
        assert_eq!(
            e.to_string(),
            "invalid input: description: must be at most 2048 bytes, got 2049"
        );
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
    }
}
