//! TOTP second factors: enrollment, verification, recovery codes.

use credcycle::mfa::{MfaStatus, QrFormat, RecoveryCode};
use zeroize::Zeroizing;

use super::identities::{SessionInfo, Subject};
use crate::error::{Error, Result};

/// A new enrollment: show the URI (or QR code) and the recovery codes once.
#[derive(Debug)]
pub struct MfaEnrollmentInfo {
    /// The `otpauth://totp/…` URI (holds the secret).
    pub provisioning_uri: Zeroizing<String>,
    /// One-time recovery codes.
    pub recovery_codes: Vec<Zeroizing<String>>,
    /// The URI as a PNG QR code.
    pub qr_png: Vec<u8>,
}

/// An identity's MFA state.
#[derive(Debug)]
pub struct MfaStatusInfo {
    /// Whether a TOTP secret exists.
    pub enrolled: bool,
    /// Whether a first code confirmed it.
    pub verified: bool,
    /// The URI, while the enrollment is not yet verified.
    pub provisioning_uri: Option<Zeroizing<String>>,
    /// `SHA1`, `SHA256` or `SHA512`.
    pub algorithm: Option<String>,
    /// Code length.
    pub digits: Option<u32>,
    /// Step in seconds.
    pub period: Option<u32>,
    /// Unused recovery codes.
    pub recovery_codes_remaining: u32,
    /// Enrollment time.
    pub create_time: Option<i64>,
    /// Locked after too many wrong codes until this time.
    pub locked_until: Option<i64>,
}

impl From<MfaStatus> for MfaStatusInfo {
    fn from(s: MfaStatus) -> Self {
        MfaStatusInfo {
            enrolled: s.enrolled,
            verified: s.verified,
            provisioning_uri: s
                .provisioning_uri
                .map(|u| Zeroizing::new(u.reveal().to_owned())),
            algorithm: s.algorithm.map(|a| a.as_str().to_owned()),
            digits: s.digits,
            period: s.period,
            recovery_codes_remaining: s.recovery_codes_remaining,
            create_time: s.create_time.map(|t| t.secs()),
            locked_until: s.locked_until.map(|t| t.secs()),
        }
    }
}

/// Recovery codes: shown only while none has been used since they were
/// made.
#[derive(Debug)]
pub struct RecoveryCodesInfo {
    /// The codes, when they may still be shown.
    pub codes: Option<Vec<Zeroizing<String>>>,
    /// How many are unused.
    pub remaining: u32,
}

fn codes(c: Vec<RecoveryCode>) -> Vec<Zeroizing<String>> {
    c.iter()
        .map(|c| Zeroizing::new(c.reveal().to_owned()))
        .collect()
}

/// TOTP second factors of one tenant's identities. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Mfa {
    pub(crate) inner: credcycle::mfa::Mfa,
}

impl Mfa {
    /// Enrolls the subject (operation `mfa.enroll`).
    ///
    /// # Errors
    /// `ALREADY_EXISTS` when enrolled; `VERIFICATION_FAILED` for a dead
    /// session.
    pub fn enroll(&self, who: &Subject) -> Result<MfaEnrollmentInfo> {
        let e = self.inner.enroll(who.core())?;
        Ok(MfaEnrollmentInfo {
            provisioning_uri: Zeroizing::new(e.provisioning_uri.reveal().to_owned()),
            recovery_codes: codes(e.recovery_codes),
            qr_png: e.qr_png,
        })
    }

    /// The subject's MFA state (operation `mfa.status`).
    ///
    /// # Errors
    /// `VERIFICATION_FAILED` for a dead session; `NOT_FOUND`.
    pub fn status(&self, who: &Subject) -> Result<MfaStatusInfo> {
        Ok(self.inner.status(who.core())?.into())
    }

    /// The provisioning URI as a QR code, `png` or `svg`, while the
    /// enrollment is unverified (operation `mfa.qr_code`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `format`; `INVALID_STATE` once verified.
    pub fn qr_code(&self, who: &Subject, format: &str) -> Result<Vec<u8>> {
        let f = match format.to_ascii_lowercase().as_str() {
            "png" => QrFormat::Png,
            "svg" => QrFormat::Svg,
            _ => return Err(Error::invalid("format", "must be png or svg")),
        };
        Ok(self.inner.qr_code(who.core(), f)?)
    }

    /// Confirms the enrollment with a first code (operation `mfa.verify`).
    ///
    /// # Errors
    /// `VERIFICATION_FAILED`; `LOCKED`.
    pub fn verify(&self, who: &Subject, code: &str) -> Result<()> {
        Ok(self.inner.verify(who.core(), code)?)
    }

    /// Gives a session its second factor: a TOTP code or a recovery code
    /// (operation `mfa.authenticate_mfa`).
    ///
    /// # Errors
    /// `VERIFICATION_FAILED`; `LOCKED`.
    pub fn authenticate_mfa(&self, session_token: &str, code: &str) -> Result<SessionInfo> {
        Ok(self.inner.authenticate_mfa(session_token, code)?.into())
    }

    /// Removes the subject's MFA, proving a current code (operation
    /// `mfa.disable`).
    ///
    /// # Errors
    /// `VERIFICATION_FAILED`; `LOCKED`.
    pub fn disable(&self, who: &Subject, code: &str) -> Result<()> {
        Ok(self.inner.disable(who.core(), code)?)
    }

    /// Removes an identity's MFA without a code (an administrator's reset)
    /// (operation `mfa.remove`).
    ///
    /// # Errors
    /// `NOT_FOUND`.
    pub fn remove(&self, identity_id: &str) -> Result<()> {
        Ok(self.inner.remove(identity_id)?)
    }

    /// Replaces the recovery codes, proving a current code (operation
    /// `mfa.regenerate_recovery_codes`).
    ///
    /// # Errors
    /// `VERIFICATION_FAILED`; `LOCKED`.
    pub fn regenerate_recovery_codes(
        &self,
        who: &Subject,
        code: &str,
    ) -> Result<Vec<Zeroizing<String>>> {
        Ok(codes(
            self.inner.regenerate_recovery_codes(who.core(), code)?,
        ))
    }

    /// The recovery codes, proving a current code (operation
    /// `mfa.view_recovery_codes`).
    ///
    /// # Errors
    /// `VERIFICATION_FAILED`; `LOCKED`.
    pub fn view_recovery_codes(&self, who: &Subject, code: &str) -> Result<RecoveryCodesInfo> {
        let v = self.inner.view_recovery_codes(who.core(), code)?;
        Ok(RecoveryCodesInfo {
            codes: v.codes.map(codes),
            remaining: v.remaining,
        })
    }
}
