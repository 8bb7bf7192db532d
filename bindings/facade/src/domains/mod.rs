//! The domain handles added with the targets, tokens, machine-auth,
//! identities, MFA, PKI and enrollment domains, with their plain argument and result types.
//!
//! Conventions (as in the rest of the facade): times are seconds since the
//! Unix epoch, durations are seconds (or milliseconds where the engine keeps
//! millisecond precision, named `_ms`), engine enums are their stable
//! upper-case spellings, JSON documents (tags, claims, JWKS) are strings,
//! and values shown once (tokens, signing keys, client secrets, recovery
//! codes) are [`zeroize::Zeroizing`] strings.

mod enrollment;
mod identities;
mod machine;
mod mfa;
mod pki;
mod targets;
mod tokens;

pub(crate) use enrollment::{parse_enrollment_jwt, verify_challenge, verify_enrollment_jwt};
pub(crate) use machine::parse_ip;
pub(crate) use pki::generate_key_and_csr;
pub(crate) use pki::verify_chain;

pub use enrollment::{
    CertPrincipalInfo, CertStatusInfo, CertVerificationInfo, ChallengeInfo, EnrolledCertInfo,
    Enrollment, EnrollmentClaimsInfo, EnrollmentInfo, EnrollmentSpec, ExternalCaInfo,
    ExternalCaOptions, NewEnrollmentInfo, RouterCertsInfo, SessionCertInfo,
};
pub use identities::{
    AuthInput, AuthenticatorInfo, ExtJwtSignerInfo, Identities, IdentityInfo, NewSessionInfo,
    SessionInfo, Subject,
};
pub use machine::{
    AccessTokenGrantInfo, AccessTokenInfo, ClientSecretInfo, CreatedClientSecretInfo, MachineAuth,
    MachineIdentityInfo, UniversalAuthInfo, UniversalAuthSettings,
};
pub use mfa::{Mfa, MfaEnrollmentInfo, MfaStatusInfo, RecoveryCodesInfo};
pub use pki::{
    CaInfo, CertificateInfo, ClientKeyInfo, CreateCaOptions, IssueProfile, IssuedCertInfo, Pki,
    VerifiedChainInfo,
};
pub use targets::{
    CreateTargetOptions, CreatedTargetInfo, EncryptionKeyInfo, Header, Jose, SignedRequestInfo,
    SigningKeyInfo, TargetInfo, TargetUpdateResult, Targets, TokenSigningKeyInfo,
    UpdateTargetOptions, VerifiedJwtInfo,
};
pub use tokens::{
    ApiTokenInfo, CreateTokenOptions, CreatedTokenInfo, EntityRef, RefreshedInfo, TokenUseInfo,
    Tokens, UpdateTokenOptions,
};

/// Parses a JSON object text into a map (`field` names it in the error).
pub(crate) fn json_object(
    field: &'static str,
    text: &str,
) -> crate::Result<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(m)) => Ok(m),
        _ => Err(crate::Error::invalid(field, "must be a JSON object")),
    }
}

/// A map as compact JSON text.
pub(crate) fn json_text(m: &serde_json::Map<String, serde_json::Value>) -> String {
    serde_json::Value::Object(m.clone()).to_string()
}
