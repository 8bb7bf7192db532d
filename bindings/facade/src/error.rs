//! The one error type of the facade, and the one conversion from
//! [`credcycle::Error`].
//!
//! Every binding maps a [`Error`] to its own error representation (a C result
//! code, a Python exception, a Kotlin exception) from [`Error::code`] and
//! [`Error::kind`] alone. Codes are the engine's [`credcycle::ErrorCode`]
//! numbers; the range 9000..=9099 is reserved for failures that exist only at
//! a binding boundary ([`binding_codes`]).

use std::fmt;

use credcycle::{ErrorCode, ErrorKind};

/// Result alias of the facade.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Codes that exist only at a binding boundary (never produced by the
/// engine). They share the engine's numbering space, in a reserved range.
pub mod binding_codes {
    /// A required pointer or handle argument was NULL.
    pub const NULL_PARAMETER: u32 = 9001;
    /// A caller buffer is too small; the size needed was reported.
    pub const INSUFFICIENT_SIZE: u32 = 9002;
    /// A panic was caught at the boundary (a bug; please report).
    pub const PANIC: u32 = 9003;
    /// A string argument was not valid UTF-8.
    pub const INVALID_UTF8: u32 = 9004;
    /// A foreign callback (Store, KeyManager, Clock) broke its contract,
    /// for instance by returning a value of the wrong type.
    pub const CALLBACK_CONTRACT: u32 = 9005;

    /// Every binding code with its kind and static message.
    pub const ALL: &[(u32, &str)] = &[
        (NULL_PARAMETER, "a required argument was null"),
        (INSUFFICIENT_SIZE, "the output buffer is too small"),
        (
            PANIC,
            "a panic was caught at the binding boundary; please report",
        ),
        (INVALID_UTF8, "a string argument is not valid utf-8"),
        (
            CALLBACK_CONTRACT,
            "a foreign callback broke its contract (wrong type or missing value)",
        ),
    ];
}

/// The kind string of the binding codes.
pub const BINDING_KIND: &str = "binding";

/// An engine or binding failure in plain data: a stable numeric code, the
/// lower-case family name of the code, and a message without secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The stable code ([`credcycle::ErrorCode`] number, or a
    /// [`binding_codes`] number).
    pub code: u32,
    /// The family: `not_found`, `conflict`, `invalid_input`, `policy`,
    /// `verification_failed`, `state`, `store`, `key_manager`, `internal`,
    /// or `binding`.
    pub kind: String,
    /// A lower-case message; never contains secrets, tokens or key bytes.
    pub message: String,
}

impl Error {
    /// An error with a binding-specific code.
    pub fn binding(code: u32, message: impl Into<String>) -> Self {
        Error {
            code,
            kind: BINDING_KIND.to_owned(),
            message: message.into(),
        }
    }

    /// An invalid-input error naming `field` (for arguments the facade
    /// parses before the engine sees them).
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::from(credcycle::Error::invalid(field, reason))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// The one conversion from the engine's error: its code, the code's kind,
/// and its `Display` text. `VerificationFailed` keeps its detail-free text.
impl From<credcycle::Error> for Error {
    fn from(e: credcycle::Error) -> Self {
        let code = e.code();
        Error {
            code: code.as_u32(),
            kind: code.kind().as_str().to_owned(),
            message: e.to_string(),
        }
    }
}

impl From<credcycle::KmsError> for Error {
    fn from(e: credcycle::KmsError) -> Self {
        Error::from(credcycle::Error::from(e))
    }
}

impl From<credcycle::StoreError> for Error {
    fn from(e: credcycle::StoreError) -> Self {
        Error::from(credcycle::Error::from(e))
    }
}

/// The kind name of any code the facade can return (`None` for a number that
/// is neither an engine code nor a binding code).
pub fn kind_of(code: u32) -> Option<&'static str> {
    if let Some(c) = ErrorCode::from_u32(code) {
        return Some(c.kind().as_str());
    }
    binding_codes::ALL
        .iter()
        .any(|(c, _)| *c == code)
        .then_some(BINDING_KIND)
}

/// A static, secret-free description of any code (for C's
/// `credcycle_result_message` and similar lookups). `0` is success.
pub fn static_message(code: u32) -> &'static str {
    if code == 0 {
        return "ok";
    }
    if let Some((_, m)) = binding_codes::ALL.iter().find(|(c, _)| *c == code) {
        return m;
    }
    let Some(c) = ErrorCode::from_u32(code) else {
        return "unknown result code";
    };
    match c {
        ErrorCode::NotFound => "record not found",
        ErrorCode::Conflict => "concurrent update; retry",
        ErrorCode::AlreadyExists => "a record with that name already exists",
        ErrorCode::InvalidInput => "invalid input",
        ErrorCode::PolicyViolation => "rejected by policy",
        ErrorCode::VerificationFailed => "verification failed",
        ErrorCode::InvalidState => "the record's state forbids the operation",
        ErrorCode::Internal => "internal error, please report",
        ErrorCode::RandomFailed => "random generator failed",
        ErrorCode::StoreBackend => "store backend failure",
        ErrorCode::StoreUnavailable => "store unavailable",
        ErrorCode::StoreCorrupt => "corrupt stored record",
        ErrorCode::KeyNotFound => "key not found",
        ErrorCode::KeyState => "the key's state forbids the operation",
        ErrorCode::KeyPurpose => "the key's purpose does not fit the operation",
        ErrorCode::KmsBackend => "key manager backend failure",
        ErrorCode::KmsUnavailable => "key manager unavailable",
        ErrorCode::KeyExists => "key already exists",
        ErrorCode::WrongRootKey => "the root key does not match this key store",
        ErrorCode::RotationInProgress => "a rotation is already in progress",
        ErrorCode::IdempotencyMismatch => {
            "idempotency token was already used with a different value"
        }
        ErrorCode::RefreshTokenReused => {
            "a used refresh token was presented again; its token family is revoked"
        }
        ErrorCode::LoginLocked => "too many failed logins; try again later",
        ErrorCode::Locked => "too many failed attempts; the factor is locked for a while",
        ErrorCode::MfaRequired => "the session still needs its second factor",
        ErrorCode::PasswordChangeRequired => "the password must be changed first",
        ErrorCode::NotSupported => "not supported by this build",
        ErrorCode::CertificateRejected => "certificate chain rejected",
        ErrorCode::EnrollmentTokenUsed => "the enrollment token was already used",
        ErrorCode::WebhookTimestamp => "webhook timestamp outside the tolerance",
        ErrorCode::WebhookReplay => "webhook message id already accepted",
        // ErrorCode is non-exhaustive: codes added by later domains get
        // their family's name until they get a message here.
        _ => kind_message(c.kind()),
    }
}

fn kind_message(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::NotFound => "not found",
        ErrorKind::Conflict => "conflict",
        ErrorKind::InvalidInput => "invalid input",
        ErrorKind::Policy => "rejected by policy",
        ErrorKind::VerificationFailed => "verification failed",
        ErrorKind::State => "the state forbids the operation",
        ErrorKind::Store => "store failure",
        ErrorKind::KeyManager => "key manager failure",
        _ => "internal error, please report",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_engine_error_converts_by_code_and_kind() {
        let cases = [
            (
                credcycle::Error::NotFound { what: "secret" },
                1001,
                "not_found",
            ),
            (credcycle::Error::Conflict, 1002, "conflict"),
            (
                credcycle::Error::VerificationFailed,
                1006,
                "verification_failed",
            ),
            (
                credcycle::Error::invalid("name", "too long"),
                1004,
                "invalid_input",
            ),
            (
                credcycle::Error::Kms(credcycle::KmsError::NotFound),
                1201,
                "not_found",
            ),
            (
                credcycle::Error::Store(credcycle::StoreError::Corrupt("x")),
                1103,
                "store",
            ),
        ];
        for (e, code, kind) in cases {
            let f = Error::from(e);
            assert_eq!((f.code, f.kind.as_str()), (code, kind), "{f:?}");
        }
        let v = Error::from(credcycle::Error::VerificationFailed);
        assert_eq!(v.message, "verification failed");
    }

    #[test]
    fn every_code_has_kind_and_message() {
        for c in ErrorCode::ALL {
            assert_eq!(kind_of(c.as_u32()), Some(c.kind().as_str()));
            assert_ne!(static_message(c.as_u32()), "unknown result code");
        }
        for (c, m) in binding_codes::ALL {
            assert!((9000..=9099).contains(c));
            assert_eq!(kind_of(*c), Some(BINDING_KIND));
            assert_eq!(static_message(*c), *m);
        }
        assert_eq!(static_message(0), "ok");
        assert_eq!(kind_of(42), None);
        assert_eq!(static_message(42), "unknown result code");
    }
}
