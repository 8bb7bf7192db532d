//! The native module `credcycle._native` of the Python package `credcycle`:
//! pyo3 wrappers over `credcycle-facade`. The public, documented API is the
//! package `credcycle` (python/credcycle/), which re-exports these classes.

pub mod domains;
pub mod engine;
pub mod errors;
pub mod foreign;
pub mod pki;
pub mod records;
pub mod types;

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::engine as map_engine;

/// The library version (operation `client.version`).
#[pyfunction]
fn version() -> &'static str {
    credcycle_facade::client::version()
}

/// A fresh random 32-byte root key for the local key manager (operation
/// `client.generate_root_key`).
#[pyfunction]
fn generate_root_key(py: Python<'_>) -> PyResult<Bound<'_, PyBytes>> {
    let k = map_engine(credcycle_facade::client::generate_root_key())?;
    Ok(PyBytes::new(py, &k))
}

/// Parses the text form of a root key: 64 hex digits or base64 of 32 bytes
/// (operation `client.parse_root_key`).
#[pyfunction]
fn parse_root_key<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyBytes>> {
    let k = map_engine(credcycle_facade::client::parse_root_key(text))?;
    Ok(PyBytes::new(py, &k))
}

/// The native module.
#[pymodule]
mod _native {
    #[pymodule_export]
    use super::domains::{
        _time_in_rust, PyIdentities, PyJose, PyMachineAuth, PyMfa, PyReplayGuard, PyTargets,
        PyTokens, PyTotp, decrypt_jwe, resolve_client_ip, sign_webhook_standard,
        sign_webhook_zitadel, verify_jwt, verify_webhook_standard, verify_webhook_zitadel,
    };
    #[pymodule_export]
    use super::engine::{PyAudit, PyEngine, PyKms, PySecrets};
    #[pymodule_export]
    use super::foreign::{kms_conformance, store_conformance};
    #[pymodule_export]
    use super::pki::{
        PyEnrollment, PyPki, generate_key_and_csr, parse_enrollment_jwt, verify_chain,
        verify_challenge, verify_enrollment_jwt,
    };
    #[pymodule_export]
    use super::records::{
        AccessTokenGrant, AccessTokenInfo, ApiToken, Authenticator, ClientSecretInfo,
        CreatedClientSecret, CreatedTarget, CreatedToken, EncryptionKeyInfo, EntityRef,
        ExtJwtSigner, Identity, MachineIdentity, MfaEnrollment, MfaStatus, NewSession,
        RecoveryCodes, Refreshed, Session, SignedRequest, SigningKeyInfo, TargetInfo, TargetUpdate,
        TokenSigningKey, TokenUse, UniversalAuth, VerifiedJwt, VerifiedWebhook,
    };
    #[pymodule_export]
    use super::records::{
        CaInfo, CertPrincipal, CertStatus, CertVerification, CertificateInfo, Challenge, ClientKey,
        EnrolledCert, EnrollmentClaims, EnrollmentInfo, ExternalCa, IssuedCert, NewEnrollment,
        RouterCerts, SessionCert, VerifiedChain,
    };
    #[pymodule_export]
    use super::types::{
        AuditEvent, AuditTrail, ConformanceResult, KeyInfo, RewrapResult, SecretInfo, SecretValue,
        SecretVersion, StoreOp,
    };
    #[pymodule_export]
    use super::{generate_root_key, parse_root_key, version};

    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("OPERATIONS", credcycle_facade::OPERATIONS.to_vec())?;
        m.add("__version__", credcycle_facade::client::version())?;
        Ok(())
    }
}
