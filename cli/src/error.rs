//! The command's error type and the one mapping from error kinds to exit
//! codes.
//!
//! Every failure, from the engine or from the command itself (a missing key
//! file, an unsupported store URL), carries a stable [`ErrorCode`]; the exit
//! code is derived from its [`ErrorKind`] in [`exit_code`] alone.

use std::fmt;
use std::path::Path;

use credcycle::{ErrorCode, ErrorKind, KmsError, StoreError};

/// A failure of a command: a stable code and a message that names the field,
/// the limit or the state (never a secret value).
#[derive(Debug)]
pub(crate) struct CliError {
    code: ErrorCode,
    message: String,
}

impl CliError {
    /// An error with `code` and `message`.
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        CliError {
            code,
            message: message.into(),
        }
    }

    /// Bad input to the command (exit 2).
    pub(crate) fn input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    /// An I/O failure on a file the user named with `option`.
    pub(crate) fn io(option: &str, action: &str, path: &Path, e: &std::io::Error) -> Self {
        let code = match e.kind() {
            std::io::ErrorKind::NotFound
            | std::io::ErrorKind::PermissionDenied
            | std::io::ErrorKind::IsADirectory
            | std::io::ErrorKind::NotADirectory => ErrorCode::InvalidInput,
            std::io::ErrorKind::AlreadyExists => ErrorCode::AlreadyExists,
            _ => ErrorCode::Internal,
        };
        Self::new(
            code,
            format!("{option}: cannot {action} {}: {e}", path.display()),
        )
    }

    /// The stable code.
    pub(crate) fn code(&self) -> ErrorCode {
        self.code
    }

    /// The message.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    /// The process exit code for this error.
    pub(crate) fn exit_code(&self) -> u8 {
        exit_code(self.code.kind())
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<credcycle::Error> for CliError {
    fn from(e: credcycle::Error) -> Self {
        CliError::new(e.code(), e.to_string())
    }
}

impl From<KmsError> for CliError {
    fn from(e: KmsError) -> Self {
        credcycle::Error::from(e).into()
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        credcycle::Error::from(e).into()
    }
}

/// Exit codes of CLI.md: 2 bad input (invalid input and policy refusals),
/// 3 not found, 4 conflict or state, 5 verification failed, 1 anything else.
pub(crate) fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::InvalidInput | ErrorKind::Policy => 2,
        ErrorKind::NotFound => 3,
        ErrorKind::Conflict | ErrorKind::State => 4,
        ErrorKind::VerificationFailed => 5,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_maps_to_a_documented_exit_code() {
        for c in ErrorCode::ALL {
            let x = exit_code(c.kind());
            assert!((1..=5).contains(&x), "{c:?} -> {x}");
        }
        assert_eq!(exit_code(ErrorCode::InvalidInput.kind()), 2);
        assert_eq!(exit_code(ErrorCode::PolicyViolation.kind()), 2);
        assert_eq!(exit_code(ErrorCode::KeyNotFound.kind()), 3);
        assert_eq!(exit_code(ErrorCode::InvalidState.kind()), 4);
        assert_eq!(exit_code(ErrorCode::IdempotencyMismatch.kind()), 4);
        assert_eq!(exit_code(ErrorCode::VerificationFailed.kind()), 5);
        assert_eq!(exit_code(ErrorCode::StoreBackend.kind()), 1);
    }
}
