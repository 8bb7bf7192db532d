//! TOTP multi-factor authentication with recovery codes (SEMANTICS.md §E;
//! seed `003_…`, OpenZiti "MFA" and "Current Identity" endpoints).
//!
//! One enrollment per identity. [`Mfa::enroll`] makes a TOTP secret (20, 32
//! or 64 random bytes for SHA-1/256/512, envelope-encrypted under the
//! policy's wrap key) and the recovery codes, and returns the `otpauth://`
//! URI, the codes and a QR code. [`Mfa::verify`] completes the enrollment
//! (and the MFA of the session it came from); from then on
//! [`Mfa::authenticate_mfa`] completes the MFA of new sessions with a TOTP
//! or a recovery code.
//!
//! | enrollment | `qr_code` | `verify` | `authenticate_mfa` | `disable` | `regenerate`/`view` |
//! |---|---|---|---|---|---|
//! | none | not found | not found | not found | not found | not found |
//! | unverified | yes | TOTP | state error | empty code only | state error |
//! | verified | not found | state error | TOTP or recovery | TOTP or recovery | TOTP only |
//!
//! Exactly-once rules, all kept by [`crate::Store::commit`] compare-and-swap
//! on the enrollment record:
//! - **Replay**: the last accepted TOTP step is stored; a code is accepted
//!   only for a step after it, so a code — and any earlier one — works once,
//!   across threads, engines and processes. Replays are refused with
//!   [`crate::Error::VerificationFailed`] and audited (`refused: replay`); they
//!   do not count as guesses.
//! - **Recovery codes** are stored as HMAC-SHA256 digests under a per-tenant
//!   key and removed in the commit that accepts them.
//! - **Brute force**: TOTP and recovery-code failures share one counter per
//!   identity in the store; at the policy threshold (default 5) MFA is locked
//!   for the policy duration (default 300 s) and every attempt answers
//!   [`crate::Error::Locked`]; a success resets the counter.
//!
//! Window: codes of the steps within `totp_window_steps` (default 1, at most
//! 2) of the expected step are accepted. The expected step follows the drift
//! learnt from the last accepted code (RFC 6238 §6), but never more than
//! `totp_max_drift_steps` (default 1) from the clock's step.

mod ops;
pub mod qr;
pub(crate) mod record;
pub mod recovery;
pub mod totp;

use std::fmt;

pub use ops::Mfa;
pub use qr::QrFormat;
pub use recovery::RecoveryCode;
pub use totp::{ParsedUri, ProvisioningUri, Totp, TotpAlgorithm, parse_provisioning_uri};

use crate::services::UnixTime;

/// What [`Mfa::enroll`] returns: everything the user needs, shown once.
/// `Debug` redacts the URI, the codes and the QR image (which encodes the
/// secret).
#[derive(Clone)]
pub struct MfaEnrollment {
    /// The `otpauth://totp/…` URI.
    pub provisioning_uri: ProvisioningUri,
    /// The recovery codes, in display form.
    pub recovery_codes: Vec<RecoveryCode>,
    /// The QR code of the URI, PNG, 256 × 256 px.
    pub qr_png: Vec<u8>,
}

impl fmt::Debug for MfaEnrollment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MfaEnrollment")
            .field("provisioning_uri", &self.provisioning_uri)
            .field("recovery_codes", &self.recovery_codes.len())
            .field("qr_png", &"<redacted>")
            .finish()
    }
}

/// An identity's MFA state ([`Mfa::status`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MfaStatus {
    /// Whether an enrollment exists.
    pub enrolled: bool,
    /// Whether it was verified.
    pub verified: bool,
    /// While unverified: the provisioning URI, to finish setting up the app.
    pub provisioning_uri: Option<ProvisioningUri>,
    /// The TOTP algorithm.
    pub algorithm: Option<TotpAlgorithm>,
    /// Digits per code.
    pub digits: Option<u32>,
    /// Period in seconds.
    pub period: Option<u32>,
    /// Unused recovery codes.
    pub recovery_codes_remaining: u32,
    /// When the enrollment was made.
    pub create_time: Option<UnixTime>,
    /// Set while MFA is locked after too many failures.
    pub locked_until: Option<UnixTime>,
}

/// What [`Mfa::view_recovery_codes`] returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecoveryCodesView {
    /// The unused codes, when the policy keeps them viewable.
    pub codes: Option<Vec<RecoveryCode>>,
    /// How many are unused.
    pub remaining: u32,
}

/// How a submitted code was read.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CodeInput {
    /// Nothing (after trimming white space).
    Empty,
    /// A TOTP code of the expected number of digits.
    Totp(String),
    /// A recovery code, normalised (upper case, no dashes).
    Recovery(zeroize::Zeroizing<String>),
    /// Neither.
    Invalid,
}

impl fmt::Debug for CodeInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CodeInput::Empty => "Empty",
            CodeInput::Totp(_) => "Totp(<redacted>)",
            CodeInput::Recovery(_) => "Recovery(<redacted>)",
            CodeInput::Invalid => "Invalid",
        })
    }
}

/// Reads user input as a TOTP code of `digits` digits (white space ignored)
/// or a recovery code (case, dashes and white space ignored). Never panics.
pub fn parse_code_input(input: &str, digits: u32) -> CodeInput {
    if input.len() > 256 {
        return CodeInput::Invalid;
    }
    let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return CodeInput::Empty;
    }
    if compact.len() == digits as usize && compact.bytes().all(|b| b.is_ascii_digit()) {
        return CodeInput::Totp(compact);
    }
    match recovery::normalize(input) {
        Some(n) => CodeInput::Recovery(n),
        None => CodeInput::Invalid,
    }
}

/// Fuzzing entry point: the provisioning-URI parser.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub fn fuzz_parse_uri(data: &[u8]) {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(p) = parse_provisioning_uri(s) {
            let again = p
                .totp
                .provisioning_uri(p.issuer.as_deref().unwrap_or("i"), &p.account);
            let _ = parse_provisioning_uri(again.reveal());
        }
    }
}

/// Fuzzing entry point: the recovery-code normaliser and the code-input
/// parser.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub fn fuzz_code_input(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let _ = recovery::normalize(&s);
    for d in 6..=8 {
        let _ = parse_code_input(&s, d);
    }
}

/// Fuzzing entry point: the MFA record decoder.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub fn fuzz_decode_record(data: &[u8]) {
    let _ = crate::codec::decode::<record::MfaRecord>(data, "mfa");
}

#[cfg(test)]
mod tests;
