//! `Pki`, `Enrollment` and the client helpers `generate_key_and_csr`,
//! `verify_challenge`, `verify_chain`, `parse_enrollment_jwt` and
//! `verify_enrollment_jwt`. Every engine call runs with the GIL released.

use credcycle_facade as facade;
use credcycle_facade::client;
use pyo3::prelude::*;

use crate::errors::engine;
use crate::records::{
    Authenticator, CaInfo, CertPrincipal, CertStatus, CertVerification, Challenge, ClientKey,
    EnrolledCert, EnrollmentClaims, EnrollmentInfo, ExternalCa, IssuedCert, NewEnrollment,
    RouterCerts, SessionCert, VerifiedChain,
};

fn list<A, B: From<A>>(v: Vec<A>) -> Vec<B> {
    v.into_iter().map(B::from).collect()
}

fn subject(session: Option<String>, identity: Option<String>) -> PyResult<facade::Subject> {
    match (session, identity) {
        (Some(s), None) => Ok(facade::Subject::Session(s)),
        (None, Some(i)) => Ok(facade::Subject::Identity(i)),
        _ => Err(pyo3::exceptions::PyValueError::new_err(
            "give exactly one of session= (a session token) or identity= (an identity id)",
        )),
    }
}

/// A new private key and its CSR (operation `client.generate_key_and_csr`).
#[pyfunction]
#[pyo3(signature = (common_name, *, algorithm = "p256", dns_names = Vec::new(),
    ip_addresses = Vec::new()))]
pub fn generate_key_and_csr(
    py: Python<'_>,
    common_name: &str,
    algorithm: &str,
    dns_names: Vec<String>,
    ip_addresses: Vec<String>,
) -> PyResult<ClientKey> {
    Ok(engine(py.detach(|| {
        client::generate_key_and_csr(algorithm, common_name, &dns_names, &ip_addresses)
    }))?
    .into())
}

/// Checks a challenge answer against the enrollment JWKS (JSON text) and the
/// nonce sent (operation `client.verify_challenge`).
#[pyfunction]
pub fn verify_challenge(jwks: &str, nonce: &str, challenge: &Challenge) -> PyResult<()> {
    engine(client::verify_challenge(jwks, nonce, &challenge.into()))
}

/// Verifies a certificate chain (PEM, leaf first) against the PEM
/// `roots_pem` at `at` (default: now) for `purpose` (`client`, `server` or
/// `any`), without an engine (operation `client.verify_chain`).
#[pyfunction]
#[pyo3(signature = (roots_pem, chain_pem, *, at = None, purpose = "client"))]
pub fn verify_chain(
    py: Python<'_>,
    roots_pem: &str,
    chain_pem: &str,
    at: Option<i64>,
    purpose: &str,
) -> PyResult<VerifiedChain> {
    Ok(engine(py.detach(|| client::verify_chain(roots_pem, chain_pem, at, purpose)))?.into())
}

/// Reads an enrollment JWT without checking its signature (operation
/// `client.parse_enrollment_jwt`).
#[pyfunction]
pub fn parse_enrollment_jwt(token: &str) -> PyResult<EnrollmentClaims> {
    Ok(engine(client::parse_enrollment_jwt(token))?.into())
}

/// Verifies an enrollment JWT against the enrollment JWKS (JSON text), the
/// issuer and the time `now` (default: now) (operation
/// `client.verify_enrollment_jwt`).
#[pyfunction]
#[pyo3(signature = (token, jwks, issuer, *, now = None))]
pub fn verify_enrollment_jwt(
    token: &str,
    jwks: &str,
    issuer: &str,
    now: Option<i64>,
) -> PyResult<EnrollmentClaims> {
    Ok(engine(client::verify_enrollment_jwt(token, jwks, issuer, now))?.into())
}

/// The internal CA of one tenant (from `Engine.pki`).
#[pyclass(frozen, name = "Pki", module = "credcycle._native")]
pub struct PyPki(pub facade::Pki);

#[pymethods]
impl PyPki {
    /// Creates the tenant's CA (operation `pki.create_ca`).
    #[pyo3(signature = (common_name, trust_domain, *, algorithm = None, validity_secs = None,
        key_id = None))]
    fn create_ca(
        &self,
        py: Python<'_>,
        common_name: &str,
        trust_domain: &str,
        algorithm: Option<String>,
        validity_secs: Option<i64>,
        key_id: Option<String>,
    ) -> PyResult<CaInfo> {
        let o = facade::CreateCaOptions {
            algorithm,
            validity_secs,
            key_id,
        };
        Ok(engine(py.detach(|| self.0.create_ca(common_name, trust_domain, o)))?.into())
    }

    /// Imports an existing CA chain with its KeyManager key (operation
    /// `pki.import_ca`).
    fn import_ca(
        &self,
        py: Python<'_>,
        chain_pem: &str,
        key_id: &str,
        trust_domain: &str,
    ) -> PyResult<CaInfo> {
        Ok(engine(py.detach(|| self.0.import_ca(chain_pem, key_id, trust_domain)))?.into())
    }

    /// The tenant's CA (operation `pki.ca`).
    fn ca(&self, py: Python<'_>) -> PyResult<CaInfo> {
        Ok(engine(py.detach(|| self.0.ca()))?.into())
    }

    /// The CA chain as PEM (operation `pki.bundle_pem`).
    fn bundle_pem(&self, py: Python<'_>) -> PyResult<String> {
        engine(py.detach(|| self.0.bundle_pem()))
    }

    /// The CA chain as base64 PKCS#7 (operation `pki.bundle_pkcs7_base64`).
    fn bundle_pkcs7_base64(&self, py: Python<'_>) -> PyResult<String> {
        engine(py.detach(|| self.0.bundle_pkcs7_base64()))
    }

    /// Issues a certificate for a CSR; `kind` is `client`, `router_server`
    /// or `session` (operation `pki.issue`).
    #[pyo3(signature = (csr_pem, identity_id, *, kind = "client", dns_names = Vec::new(),
        ip_addresses = Vec::new(), include_requested_sans = false, validity_secs = None))]
    #[allow(clippy::too_many_arguments)]
    fn issue(
        &self,
        py: Python<'_>,
        csr_pem: &str,
        identity_id: &str,
        kind: &str,
        dns_names: Vec<String>,
        ip_addresses: Vec<String>,
        include_requested_sans: bool,
        validity_secs: Option<i64>,
    ) -> PyResult<IssuedCert> {
        let p = facade::IssueProfile {
            kind: kind.to_owned(),
            identity_id: identity_id.to_owned(),
            dns_names,
            ip_addresses,
            include_requested_sans,
            validity_secs,
        };
        Ok(engine(py.detach(|| self.0.issue(csr_pem, p)))?.into())
    }

    /// Renews a certificate this CA issued: same subject, the key of
    /// `new_csr_pem` (default: the same key), the profile's SANs, a new
    /// serial and validity (operation `pki.renew`).
    #[pyo3(signature = (current_certificate_pem, identity_id, *, new_csr_pem = None,
        kind = "client", dns_names = Vec::new(), ip_addresses = Vec::new(),
        include_requested_sans = false, validity_secs = None))]
    #[allow(clippy::too_many_arguments)]
    fn renew(
        &self,
        py: Python<'_>,
        current_certificate_pem: &str,
        identity_id: &str,
        new_csr_pem: Option<String>,
        kind: &str,
        dns_names: Vec<String>,
        ip_addresses: Vec<String>,
        include_requested_sans: bool,
        validity_secs: Option<i64>,
    ) -> PyResult<IssuedCert> {
        let p = facade::IssueProfile {
            kind: kind.to_owned(),
            identity_id: identity_id.to_owned(),
            dns_names,
            ip_addresses,
            include_requested_sans,
            validity_secs,
        };
        Ok(engine(py.detach(|| {
            self.0
                .renew(current_certificate_pem, new_csr_pem.as_deref(), p)
        }))?
        .into())
    }

    /// Verifies a client chain (PEM, leaf first) against the tenant CA
    /// (operation `pki.verify_client_chain`).
    fn verify_client_chain(&self, py: Python<'_>, chain_pem: &str) -> PyResult<VerifiedChain> {
        Ok(engine(py.detach(|| self.0.verify_client_chain(chain_pem)))?.into())
    }

    fn __repr__(&self) -> String {
        "Pki()".to_owned()
    }
}

/// Enrollment and certificate lifecycle of one tenant (from
/// `Engine.enrollment`).
#[pyclass(frozen, name = "Enrollment", module = "credcycle._native")]
pub struct PyEnrollment(pub facade::Enrollment);

#[pymethods]
impl PyEnrollment {
    /// The enrollment JWKS as JSON text (operation `enrollment.jwks`).
    fn jwks(&self, py: Python<'_>) -> PyResult<String> {
        engine(py.detach(|| self.0.jwks()))
    }

    /// The current signing key's `kid` (operation `enrollment.current_kid`).
    fn current_kid(&self, py: Python<'_>) -> PyResult<String> {
        engine(py.detach(|| self.0.current_kid()))
    }

    /// Rotates the signing key; returns the new `kid` (operation
    /// `enrollment.rotate_signing_key`).
    fn rotate_signing_key(&self, py: Python<'_>) -> PyResult<String> {
        engine(py.detach(|| self.0.rotate_signing_key()))
    }

    /// Signs a client's nonce and the CA pool (operation
    /// `enrollment.challenge`).
    fn challenge(&self, py: Python<'_>, kid: &str, nonce: &str) -> PyResult<Challenge> {
        Ok(engine(py.detach(|| self.0.challenge(kid, nonce)))?.into())
    }

    /// Creates an enrollment; `method` is `ott`, `ottca` (with `ca_id`),
    /// `updb` (with `username`) or `router` (with names) (operation
    /// `enrollment.create`).
    #[pyo3(signature = (identity_id, method, *, ca_id = None, username = None,
        dns_names = Vec::new(), ip_addresses = Vec::new()))]
    #[allow(clippy::too_many_arguments)]
    fn create(
        &self,
        py: Python<'_>,
        identity_id: &str,
        method: &str,
        ca_id: Option<String>,
        username: Option<String>,
        dns_names: Vec<String>,
        ip_addresses: Vec<String>,
    ) -> PyResult<NewEnrollment> {
        let spec = facade::EnrollmentSpec {
            method: method.to_owned(),
            ca_id,
            username,
            dns_names,
            ip_addresses,
        };
        Ok(engine(py.detach(|| self.0.create(identity_id, spec)))?.into())
    }

    /// Re-issues an unused enrollment (operation `enrollment.reissue`).
    fn reissue(&self, py: Python<'_>, identity_id: &str, method: &str) -> PyResult<NewEnrollment> {
        Ok(engine(py.detach(|| self.0.reissue(identity_id, method)))?.into())
    }

    /// An identity's enrollment of `method` (operation `enrollment.get`).
    fn get(&self, py: Python<'_>, identity_id: &str, method: &str) -> PyResult<EnrollmentInfo> {
        Ok(engine(py.detach(|| self.0.get(identity_id, method)))?.into())
    }

    /// An identity's enrollments (operation `enrollment.list`).
    fn list(&self, py: Python<'_>, identity_id: &str) -> PyResult<Vec<EnrollmentInfo>> {
        Ok(list(engine(py.detach(|| self.0.list(identity_id)))?))
    }

    /// Deletes an enrollment (operation `enrollment.delete`).
    fn delete(&self, py: Python<'_>, identity_id: &str, method: &str) -> PyResult<()> {
        engine(py.detach(|| self.0.delete(identity_id, method)))
    }

    /// `ott`: the JWT and a CSR (operation `enrollment.enroll_ott`).
    fn enroll_ott(&self, py: Python<'_>, jwt: &str, csr_pem: &str) -> PyResult<EnrolledCert> {
        Ok(engine(py.detach(|| self.0.enroll_ott(jwt, csr_pem)))?.into())
    }

    /// `ottca`: the JWT and a chain from the external CA (operation
    /// `enrollment.enroll_ottca`).
    fn enroll_ottca(&self, py: Python<'_>, jwt: &str, chain_pem: &str) -> PyResult<EnrolledCert> {
        Ok(engine(py.detach(|| self.0.enroll_ottca(jwt, chain_pem)))?.into())
    }

    /// `updb`: the JWT, username and password (operation
    /// `enrollment.enroll_updb`).
    fn enroll_updb(
        &self,
        py: Python<'_>,
        jwt: &str,
        username: &str,
        password: &str,
    ) -> PyResult<Authenticator> {
        Ok(engine(py.detach(|| self.0.enroll_updb(jwt, username, password)))?.into())
    }

    /// Router enrollment (operation `enrollment.enroll_router`).
    fn enroll_router(
        &self,
        py: Python<'_>,
        jwt: &str,
        client_csr: &str,
        server_csr: &str,
    ) -> PyResult<RouterCerts> {
        Ok(engine(py.detach(|| self.0.enroll_router(jwt, client_csr, server_csr)))?.into())
    }

    /// CA auto-enrollment with a chain from a verified external CA
    /// (operation `enrollment.enroll_ca_auto`).
    fn enroll_ca_auto(&self, py: Python<'_>, chain_pem: &str) -> PyResult<EnrolledCert> {
        Ok(engine(py.detach(|| self.0.enroll_ca_auto(chain_pem)))?.into())
    }

    /// Extends a certificate; the new one is pending until `extend_verify`
    /// (operation `enrollment.extend`).
    #[pyo3(signature = (authenticator_id, current_cert_pem, csr_pem, *, session = None,
        identity = None))]
    fn extend(
        &self,
        py: Python<'_>,
        authenticator_id: &str,
        current_cert_pem: &str,
        csr_pem: &str,
        session: Option<String>,
        identity: Option<String>,
    ) -> PyResult<EnrolledCert> {
        let who = subject(session, identity)?;
        Ok(engine(py.detach(|| {
            self.0
                .extend(&who, authenticator_id, current_cert_pem, csr_pem)
        }))?
        .into())
    }

    /// Completes an extension (operation `enrollment.extend_verify`).
    #[pyo3(signature = (authenticator_id, new_cert_pem, *, session = None, identity = None))]
    fn extend_verify(
        &self,
        py: Python<'_>,
        authenticator_id: &str,
        new_cert_pem: &str,
        session: Option<String>,
        identity: Option<String>,
    ) -> PyResult<CertStatus> {
        let who = subject(session, identity)?;
        Ok(
            engine(py.detach(|| self.0.extend_verify(&who, authenticator_id, new_cert_pem)))?
                .into(),
        )
    }

    /// Router extension (operation `enrollment.extend_router`).
    #[pyo3(signature = (authenticator_id, current_cert_pem, client_csr, server_csr, *,
        session = None, identity = None))]
    #[allow(clippy::too_many_arguments)]
    fn extend_router(
        &self,
        py: Python<'_>,
        authenticator_id: &str,
        current_cert_pem: &str,
        client_csr: &str,
        server_csr: &str,
        session: Option<String>,
        identity: Option<String>,
    ) -> PyResult<RouterCerts> {
        let who = subject(session, identity)?;
        Ok(engine(py.detach(|| {
            self.0.extend_router(
                &who,
                authenticator_id,
                current_cert_pem,
                client_csr,
                server_csr,
            )
        }))?
        .into())
    }

    /// Asks for an extension (operation `enrollment.request_extend`).
    fn request_extend(&self, py: Python<'_>, authenticator_id: &str) -> PyResult<CertStatus> {
        Ok(engine(py.detach(|| self.0.request_extend(authenticator_id)))?.into())
    }

    /// Asks for a new key (operation `enrollment.request_key_roll`).
    fn request_key_roll(&self, py: Python<'_>, authenticator_id: &str) -> PyResult<CertStatus> {
        Ok(engine(py.detach(|| self.0.request_key_roll(authenticator_id)))?.into())
    }

    /// A cert authenticator's extension state (operation
    /// `enrollment.cert_status`).
    #[pyo3(signature = (authenticator_id, *, session = None, identity = None))]
    fn cert_status(
        &self,
        py: Python<'_>,
        authenticator_id: &str,
        session: Option<String>,
        identity: Option<String>,
    ) -> PyResult<CertStatus> {
        let who = subject(session, identity)?;
        Ok(engine(py.detach(|| self.0.cert_status(&who, authenticator_id)))?.into())
    }

    /// Registers an external CA (operation `enrollment.register_ca`).
    #[pyo3(signature = (certificate_pem, name, *, auto_enrollment = true,
        ott_ca_enrollment = true, auth_enabled = true, identity_name_format = None))]
    #[allow(clippy::too_many_arguments)]
    fn register_ca(
        &self,
        py: Python<'_>,
        certificate_pem: &str,
        name: &str,
        auto_enrollment: bool,
        ott_ca_enrollment: bool,
        auth_enabled: bool,
        identity_name_format: Option<String>,
    ) -> PyResult<ExternalCa> {
        let o = facade::ExternalCaOptions {
            name: name.to_owned(),
            auto_enrollment,
            ott_ca_enrollment,
            auth_enabled,
            identity_name_format,
        };
        Ok(engine(py.detach(|| self.0.register_ca(certificate_pem, o)))?.into())
    }

    /// Verifies an external CA by proof of possession (operation
    /// `enrollment.verify_ca`).
    fn verify_ca(
        &self,
        py: Python<'_>,
        ca_id: &str,
        certificate_pem: &str,
    ) -> PyResult<ExternalCa> {
        Ok(engine(py.detach(|| self.0.verify_ca(ca_id, certificate_pem)))?.into())
    }

    /// An external CA (operation `enrollment.get_ca`).
    fn get_ca(&self, py: Python<'_>, ca_id: &str) -> PyResult<ExternalCa> {
        Ok(engine(py.detach(|| self.0.get_ca(ca_id)))?.into())
    }

    /// Every external CA (operation `enrollment.list_cas`).
    fn list_cas(&self, py: Python<'_>) -> PyResult<Vec<ExternalCa>> {
        Ok(list(engine(py.detach(|| self.0.list_cas()))?))
    }

    /// Deletes an external CA (operation `enrollment.delete_ca`).
    fn delete_ca(&self, py: Python<'_>, ca_id: &str) -> PyResult<()> {
        engine(py.detach(|| self.0.delete_ca(ca_id)))
    }

    /// Issues a session certificate (operation
    /// `enrollment.create_session_cert`).
    fn create_session_cert(
        &self,
        py: Python<'_>,
        session_token: &str,
        csr_pem: &str,
    ) -> PyResult<SessionCert> {
        Ok(engine(py.detach(|| self.0.create_session_cert(session_token, csr_pem)))?.into())
    }

    /// The session's certificates (operation
    /// `enrollment.list_session_certs`).
    fn list_session_certs(
        &self,
        py: Python<'_>,
        session_token: &str,
    ) -> PyResult<Vec<SessionCert>> {
        Ok(list(engine(
            py.detach(|| self.0.list_session_certs(session_token)),
        )?))
    }

    /// One session certificate (operation `enrollment.get_session_cert`).
    fn get_session_cert(
        &self,
        py: Python<'_>,
        session_token: &str,
        id: &str,
    ) -> PyResult<SessionCert> {
        Ok(engine(py.detach(|| self.0.get_session_cert(session_token, id)))?.into())
    }

    /// Deletes a session certificate (operation
    /// `enrollment.delete_session_cert`).
    fn delete_session_cert(&self, py: Python<'_>, session_token: &str, id: &str) -> PyResult<()> {
        engine(py.detach(|| self.0.delete_session_cert(session_token, id)))
    }

    /// Who a client chain (PEM, leaf first) speaks for (operation
    /// `enrollment.authorize_chain`).
    fn authorize_chain(&self, py: Python<'_>, chain_pem: &str) -> PyResult<CertPrincipal> {
        Ok(engine(py.detach(|| self.0.authorize_chain(chain_pem)))?.into())
    }

    /// Whose credential a certificate is, without checking its chain
    /// (operation `enrollment.cert_owner`).
    fn cert_owner(&self, py: Python<'_>, certificate_pem: &str) -> PyResult<CertPrincipal> {
        Ok(engine(py.detach(|| self.0.cert_owner(certificate_pem)))?.into())
    }

    /// Verifies a certificate chain (PEM, leaf first) at `at` (default: the
    /// engine clock) for `purpose` (`client`, `server` or `any`) against the
    /// tenant's internal CA and verified external CAs; the leaf need not be
    /// a credential (operation `enrollment.verify_certificate`).
    #[pyo3(signature = (chain_pem, *, at = None, purpose = "client"))]
    fn verify_certificate(
        &self,
        py: Python<'_>,
        chain_pem: &str,
        at: Option<i64>,
        purpose: &str,
    ) -> PyResult<CertVerification> {
        Ok(engine(py.detach(|| self.0.verify_certificate(chain_pem, at, purpose)))?.into())
    }

    fn __repr__(&self) -> String {
        "Enrollment()".to_owned()
    }
}
