//! The PKI and enrollment domains: the tenant's internal CA (`Pki`),
//! enrollment and certificate lifecycle (`Enrollment`), and the client
//! helpers `generate_key_and_csr`, `verify_challenge`, `verify_chain`,
//! `parse_enrollment_jwt` and `verify_enrollment_jwt`. Private keys and
//! enrollment JWTs cross as strings (the facade's zeroized copies are wiped
//! when converted).

use std::sync::Arc;

use credcycle_facade as facade;

use crate::domains::{AuthenticatorInfo, Subject};
use crate::error::CredcycleError;
use crate::mirror::{IntoFfi, ToFacade, mirror_in, mirror_out};

type Result<T, E = CredcycleError> = std::result::Result<T, E>;

mirror_out! {
    /// A parsed certificate.
    #[derive(Clone, Debug, PartialEq, Eq)]
    CertificateInfo from facade::CertificateInfo {
        /// The certificate (PEM).
        pem: String,
        /// The subject, RFC 4514 style.
        subject: String,
        /// The subject's first commonName, if any.
        common_name: Option<String>,
        /// Serial number, lower-case hex.
        serial_hex: String,
        /// Lower-case hex SHA-256 of the DER.
        fingerprint: String,
        /// Start of validity.
        not_before: i64,
        /// End of validity.
        not_after: i64,
        /// The key type (`EC P-256`, `EC P-384`, `Ed25519`, `RSA-<bits>`), empty
        /// for a key the engine refuses.
        key_type: String,
        /// basicConstraints cA.
        is_ca: bool,
        /// subjectAltName DNS names.
        dns_names: Vec<String>,
        /// subjectAltName IP addresses.
        ip_addresses: Vec<String>,
        /// subjectAltName URIs.
        uris: Vec<String>,
    }
}

mirror_out! {
    /// The tenant's internal CA.
    #[derive(Clone, Debug, PartialEq, Eq)]
    CaInfo from facade::CaInfo {
        /// The KeyManager key that signs.
        key_id: String,
        /// The issuing key's type.
        key_type: String,
        /// SPIFFE trust domain.
        trust_domain: String,
        /// The issuing CA certificate.
        certificate: CertificateInfo,
        /// The issuing CA certificate, then its issuers (PEM).
        chain_pem: String,
        /// When it was created or imported.
        create_time: i64,
        /// Whether it was imported (otherwise self-signed here).
        imported: bool,
    }
}

mirror_out! {
    /// An issued certificate.
    #[derive(Clone, Debug, PartialEq, Eq)]
    IssuedCertInfo from facade::IssuedCertInfo {
        /// The certificate (PEM).
        pem: String,
        /// The certificate, then the CA chain (PEM).
        chain_pem: String,
        /// Serial number, lower-case hex.
        serial_hex: String,
        /// Lower-case hex SHA-256 of the DER.
        fingerprint: String,
        /// Start of validity.
        not_before: i64,
        /// End of validity.
        not_after: i64,
        /// The SAN URI (`spiffe://…/identity/<id>`).
        spiffe_id: String,
        /// The certified key's type.
        key_type: String,
    }
}

mirror_out! {
    /// A chain that verified.
    #[derive(Clone, Debug, PartialEq, Eq)]
    VerifiedChainInfo from facade::VerifiedChainInfo {
        /// The leaf.
        leaf: CertificateInfo,
        /// Fingerprints from the leaf to the anchor (inclusive).
        path_fingerprints: Vec<String>,
        /// The anchor the path ends at (PEM).
        anchor_pem: String,
    }
}

mirror_out! {
    /// An enrollment (never its token).
    #[derive(Clone, Debug, PartialEq, Eq)]
    EnrollmentInfo from facade::EnrollmentInfo {
        /// UUID.
        id: String,
        /// The identity it enrolls.
        identity_id: String,
        /// `ott`, `ottca`, `updb` or `erott` (router).
        method: String,
        /// The external CA (`ottca`).
        ca_id: Option<String>,
        /// The username (`updb`).
        username: Option<String>,
        /// Router server certificate DNS names.
        dns_names: Vec<String>,
        /// Router server certificate IP addresses.
        ip_addresses: Vec<String>,
        /// `PENDING`, `USED` or `EXPIRED` (when read).
        state: String,
        /// Creation (or last re-issue) time.
        create_time: i64,
        /// When the token stops working.
        expires_at: i64,
        /// When the token was redeemed.
        used_at: Option<i64>,
        /// The authenticator the redemption created.
        authenticator_id: Option<String>,
    }
}

mirror_out! {
    /// The result of a certificate enrollment or extension.
    #[derive(Clone, Debug, PartialEq, Eq)]
    EnrolledCertInfo from facade::EnrolledCertInfo {
        /// The identity.
        identity_id: String,
        /// The cert authenticator created (or, for extension, used).
        authenticator_id: String,
        /// The certificate (PEM).
        certificate_pem: String,
        /// The certificate and its issuing chain (PEM).
        chain_pem: String,
        /// Lower-case hex SHA-256 of the certificate.
        fingerprint: String,
    }
}

mirror_out! {
    /// The result of a router enrollment or extension.
    #[derive(Clone, Debug, PartialEq, Eq)]
    RouterCertsInfo from facade::RouterCertsInfo {
        /// The client certificate and its authenticator.
        client: EnrolledCertInfo,
        /// The server certificate (PEM).
        server_certificate_pem: String,
        /// The server certificate and its chain (PEM).
        server_chain_pem: String,
    }
}

mirror_out! {
    /// An external certificate authority.
    #[derive(Clone, Debug, PartialEq, Eq)]
    ExternalCaInfo from facade::ExternalCaInfo {
        /// UUID.
        id: String,
        /// Unique name.
        name: String,
        /// The CA certificate (PEM).
        certificate_pem: String,
        /// Lower-case hex SHA-256 of the CA certificate.
        fingerprint: String,
        /// Whether proof of possession was given.
        verified: bool,
        /// The common name the proof certificate must carry (while unverified).
        verification_token: Option<String>,
        /// Auto-enrollment allowed.
        auto_enrollment: bool,
        /// `ottca` enrollment allowed.
        ott_ca_enrollment: bool,
        /// Authentication allowed.
        auth_enabled: bool,
        /// Name format of auto-enrolled identities.
        identity_name_format: String,
        /// Creation time.
        create_time: i64,
    }
}

mirror_out! {
    /// The extension state of a cert authenticator.
    #[derive(Clone, Debug, PartialEq, Eq)]
    CertStatusInfo from facade::CertStatusInfo {
        /// The authenticator.
        authenticator_id: String,
        /// Fingerprint of the current certificate.
        fingerprint: String,
        /// Fingerprint of the pending replacement, during an extension.
        pending_fingerprint: Option<String>,
        /// When the current certificate expires (engine-issued ones).
        not_after: Option<i64>,
        /// Whether the engine issued the current certificate.
        issued_by_engine: bool,
        /// An administrator asked for an extension.
        request_extend: bool,
        /// An administrator asked for a new key.
        request_key_roll: bool,
        /// When the last extension was verified.
        last_extend_time: Option<i64>,
        /// Whether the last verified extension changed the key.
        last_extend_key_changed: Option<bool>,
    }
}

mirror_out! {
    /// A session certificate.
    #[derive(Clone, Debug, PartialEq, Eq)]
    SessionCertInfo from facade::SessionCertInfo {
        /// Its id: the lower-case hex SHA-256 fingerprint.
        id: String,
        /// The API session's id.
        session_id: String,
        /// The identity.
        identity_id: String,
        /// The certificate (PEM).
        certificate_pem: String,
        /// The certificate and its chain (PEM).
        chain_pem: String,
        /// Serial number (hex).
        serial: String,
        /// Start of validity.
        not_before: i64,
        /// End of validity.
        not_after: i64,
    }
}

mirror_out! {
    /// Who a client certificate speaks for.
    #[derive(Clone, Debug, PartialEq, Eq)]
    CertPrincipalInfo from facade::CertPrincipalInfo {
        /// The identity.
        identity_id: String,
        /// The cert authenticator, for an authenticator's certificate.
        authenticator_id: Option<String>,
        /// The API session's id, for a session certificate.
        session_id: Option<String>,
        /// The leaf is the authenticator's pending certificate.
        pending: bool,
        /// The leaf's fingerprint.
        fingerprint: String,
    }
}

mirror_out! {
    /// A signed answer to an enrollment challenge.
    #[derive(Clone, Debug, PartialEq, Eq)]
    ChallengeInfo from facade::ChallengeInfo {
        /// `ES256`.
        algorithm: String,
        /// The signing key's id (in the enrollment JWKS).
        kid: String,
        /// base64url of the `r || s` signature.
        signature: String,
        /// The CA bundle (PEM) the signature covers.
        ca_pool: String,
    }
}

mirror_in! {
    /// Options of [`Pki::create_ca`]; `None` takes the default.
    #[derive(Clone, Debug, PartialEq, Eq)]
    CreateCaOptions to facade::CreateCaOptions {
        /// `p256` (default), `p384` or `ed25519`.
        #[uniffi(default)]
        algorithm: Option<String>,
        /// Root validity in seconds (default: the policy's).
        #[uniffi(default)]
        validity_secs: Option<i64>,
        /// The KeyManager key to create (default: a generated id).
        #[uniffi(default)]
        key_id: Option<String>,
    }
}

mirror_in! {
    /// How `Pki::issue` issues one certificate.
    #[derive(Clone, Debug, PartialEq, Eq)]
    IssueProfile to facade::IssueProfile {
        /// `client` (default when empty), `router_server` or `session`.
        kind: String,
        /// The identity id: the subject CN and the SPIFFE id's last segment.
        identity_id: String,
        /// DNS subjectAltNames (router server certificates only).
        dns_names: Vec<String>,
        /// IP subjectAltNames (router server certificates only).
        ip_addresses: Vec<String>,
        /// Also copy the CSR's requested DNS/IP names (router server only).
        include_requested_sans: bool,
        /// A validity shorter than the policy's, in seconds (at least 60).
        #[uniffi(default)]
        validity_secs: Option<i64>,
    }
}

mirror_in! {
    /// What `Enrollment::create` makes. Fields a method does not use must be
    /// empty.
    #[derive(Clone, Debug, PartialEq, Eq)]
    EnrollmentSpec to facade::EnrollmentSpec {
        /// `ott`, `ottca`, `updb` or `router` (`erott`).
        method: String,
        /// The external CA (`ottca`, required).
        #[uniffi(default)]
        ca_id: Option<String>,
        /// The username (`updb`, required).
        #[uniffi(default)]
        username: Option<String>,
        /// Server certificate DNS names (`router`).
        dns_names: Vec<String>,
        /// Server certificate IP addresses (`router`).
        ip_addresses: Vec<String>,
    }
}

mirror_in! {
    /// Options of [`Enrollment::register_ca`].
    #[derive(Clone, Debug, PartialEq, Eq)]
    ExternalCaOptions to facade::ExternalCaOptions {
        /// Unique name (1..=64 of `[A-Za-z0-9_.-]`).
        name: String,
        /// Certificates of this CA may create identities.
        auto_enrollment: bool,
        /// Certificates of this CA may enroll through `ottca` tokens.
        ott_ca_enrollment: bool,
        /// Certificates of this CA may authenticate.
        auth_enabled: bool,
        /// Name format of auto-enrolled identities (``caName``, ``caId``,
        /// ``commonName``, ``fingerprint``); `None`: ``caName`-`commonName``.
        #[uniffi(default)]
        identity_name_format: Option<String>,
    }
}

impl ToFacade for ChallengeInfo {
    type Out = facade::ChallengeInfo;
    fn facade(self) -> facade::ChallengeInfo {
        facade::ChallengeInfo {
            algorithm: self.algorithm,
            kid: self.kid,
            signature: self.signature,
            ca_pool: self.ca_pool,
        }
    }
}

mirror_out! {
    /// A new private key and its CSR. Keep `key_pkcs8_pem` secret.
    #[derive(Clone, PartialEq, Eq)]
    ClientKeyInfo from facade::ClientKeyInfo {
        /// The private key, PKCS#8 PEM.
        key_pkcs8_pem: String,
        /// The CSR (PEM).
        csr_pem: String,
    }
}

mirror_out! {
    /// A new or re-issued enrollment with its JWT, shown once.
    #[derive(Clone, PartialEq, Eq)]
    NewEnrollmentInfo from facade::NewEnrollmentInfo {
        /// The enrollment JWT for the enrolling client.
        jwt: String,
        /// The enrollment.
        enrollment: EnrollmentInfo,
    }
}

mirror_out! {
    /// A certificate chain that verified to one of the tenant's trusted CAs.
    #[derive(Clone, Debug, PartialEq, Eq)]
    CertVerificationInfo from facade::CertVerificationInfo {
        /// `internal` (the tenant's CA) or `external` (a verified external CA).
        anchor: String,
        /// The external CA's id when `anchor` is `external`.
        ca_id: Option<String>,
        /// CA certificates above the leaf on the path, the anchor included.
        depth: u32,
        /// Fingerprints from the leaf to the anchor (inclusive).
        path_fingerprints: Vec<String>,
        /// The leaf's fingerprint.
        fingerprint: String,
        /// The leaf's subject common name, if any.
        common_name: Option<String>,
        /// The leaf's start of validity.
        not_before: i64,
        /// The leaf's end of validity.
        not_after: i64,
    }
}

mirror_out! {
    /// The claims of an enrollment JWT. Keep `jti` (the one-time token)
    /// secret.
    #[derive(Clone, PartialEq, Eq)]
    EnrollmentClaimsInfo from facade::EnrollmentClaimsInfo {
        /// `em`: `ott`, `ottca`, `updb` or `erott`.
        method: String,
        /// `jti`: the one-time token.
        jti: String,
        /// `sub`: the identity id.
        sub: String,
        /// `iss`.
        iss: String,
        /// `exp` (seconds since the epoch).
        exp: i64,
        /// `iat`, if present.
        iat: Option<i64>,
        /// The header's `kid`.
        kid: String,
    }
}

/// Verifies a certificate chain (PEM, leaf first, then intermediates)
/// against the trust anchors `roots_pem` (PEM) at `at` (default: now) for
/// `purpose` (`client` — default when empty —, `server` or `any`), without
/// an engine.
///
/// # Errors
/// `InvalidInput` naming `roots_pem`, the chain or `purpose`;
/// `VerificationFailed` with code 1601 naming the certificate and why.
#[uniffi::export(default(at = None, purpose = "client"))]
pub fn verify_chain(
    roots_pem: String,
    chain_pem: String,
    at: Option<i64>,
    purpose: String,
) -> Result<VerifiedChainInfo> {
    Ok(facade::client::verify_chain(&roots_pem, &chain_pem, at, &purpose)?.ffi())
}

/// Reads an enrollment JWT without checking its signature.
///
/// # Errors
/// `InvalidInput` naming `token`.
#[uniffi::export]
pub fn parse_enrollment_jwt(token: String) -> Result<EnrollmentClaimsInfo> {
    Ok(facade::client::parse_enrollment_jwt(&token)?.ffi())
}

/// Verifies an enrollment JWT against the enrollment JWKS (JSON) the client
/// trusts, the issuer and the time `now` (default: now).
///
/// # Errors
/// `InvalidInput` naming `token` or the JWKS; `VerificationFailed`;
/// `InvalidState` when expired.
#[uniffi::export(default(now = None))]
pub fn verify_enrollment_jwt(
    token: String,
    jwks_json: String,
    issuer: String,
    now: Option<i64>,
) -> Result<EnrollmentClaimsInfo> {
    Ok(facade::client::verify_enrollment_jwt(&token, &jwks_json, &issuer, now)?.ffi())
}

/// A new private key of `algorithm` (`p256`, `p384` or `ed25519`) and its
/// CSR for `CN=<common_name>`, requesting the DNS names and IP addresses
/// given.
///
/// # Errors
/// `InvalidInput` naming `algorithm`, `common_name` or `ip_addresses`.
#[uniffi::export]
pub fn generate_key_and_csr(
    algorithm: String,
    common_name: String,
    dns_names: Vec<String>,
    ip_addresses: Vec<String>,
) -> Result<ClientKeyInfo> {
    Ok(
        facade::client::generate_key_and_csr(&algorithm, &common_name, &dns_names, &ip_addresses)?
            .ffi(),
    )
}

/// The enrolling client's check of a challenge answer against the
/// enrollment JWKS (JSON) it trusts and the nonce it sent.
///
/// # Errors
/// `InvalidInput` naming `nonce` or the JWKS; `VerificationFailed`.
#[uniffi::export]
pub fn verify_challenge(jwks_json: String, nonce: String, challenge: ChallengeInfo) -> Result<()> {
    Ok(facade::client::verify_challenge(
        &jwks_json,
        &nonce,
        &challenge.facade(),
    )?)
}

/// The internal CA of one tenant.
#[derive(Debug, uniffi::Object)]
pub struct Pki {
    pub(crate) inner: facade::Pki,
}

#[uniffi::export]
impl Pki {
    /// Creates the tenant's CA: a KeyManager key and a self-signed root.
    ///
    /// # Errors
    /// `InvalidInput`; `Conflict` when the tenant has a CA.
    pub fn create_ca(
        &self,
        common_name: String,
        trust_domain: String,
        options: CreateCaOptions,
    ) -> Result<CaInfo> {
        Ok(self
            .inner
            .create_ca(&common_name, &trust_domain, options.facade())?
            .ffi())
    }

    /// Imports an existing CA chain (PEM, issuing CA first) with the
    /// KeyManager key holding its private key.
    ///
    /// # Errors
    /// `InvalidInput`; `Conflict`; key manager errors.
    pub fn import_ca(
        &self,
        chain_pem: String,
        key_id: String,
        trust_domain: String,
    ) -> Result<CaInfo> {
        Ok(self
            .inner
            .import_ca(&chain_pem, &key_id, &trust_domain)?
            .ffi())
    }

    /// The tenant's CA.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn ca(&self) -> Result<CaInfo> {
        Ok(self.inner.ca()?.ffi())
    }

    /// The CA chain as PEM.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn bundle_pem(&self) -> Result<String> {
        Ok(self.inner.bundle_pem()?)
    }

    /// The CA chain as base64 certs-only PKCS#7.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn bundle_pkcs7_base64(&self) -> Result<String> {
        Ok(self.inner.bundle_pkcs7_base64()?)
    }

    /// Issues a certificate of `profile` for a CSR.
    ///
    /// # Errors
    /// `InvalidInput` naming the CSR or profile field; `NotFound`.
    pub fn issue(&self, csr_pem: String, profile: IssueProfile) -> Result<IssuedCertInfo> {
        Ok(self.inner.issue(&csr_pem, profile.facade())?.ffi())
    }

    /// Renews a certificate this CA issued (PEM): same subject, the key of
    /// `new_csr_pem` (`None`: the same key), SANs from `profile`, a new
    /// serial and a fresh validity. Writes nothing to the store.
    ///
    /// # Errors
    /// `InvalidInput` naming `current_certificate`, the CSR or a profile
    /// field; `NotFound`.
    pub fn renew(
        &self,
        current_certificate_pem: String,
        new_csr_pem: Option<String>,
        profile: IssueProfile,
    ) -> Result<IssuedCertInfo> {
        Ok(self
            .inner
            .renew(
                &current_certificate_pem,
                new_csr_pem.as_deref(),
                profile.facade(),
            )?
            .ffi())
    }

    /// Verifies a client chain (PEM, leaf first) against the tenant CA.
    ///
    /// # Errors
    /// `VerificationFailed` with code 1601 naming the certificate and why.
    pub fn verify_client_chain(&self, chain_pem: String) -> Result<VerifiedChainInfo> {
        Ok(self.inner.verify_client_chain(&chain_pem)?.ffi())
    }
}

/// Enrollment and certificate lifecycle of one tenant.
#[derive(Debug, uniffi::Object)]
pub struct Enrollment {
    pub(crate) inner: facade::Enrollment,
}

#[uniffi::export]
impl Enrollment {
    /// The enrollment JWKS (JSON).
    ///
    /// # Errors
    /// Key manager and store failures.
    pub fn jwks(&self) -> Result<String> {
        Ok(self.inner.jwks()?)
    }

    /// The current signing key's `kid`.
    ///
    /// # Errors
    /// As `jwks`.
    pub fn current_kid(&self) -> Result<String> {
        Ok(self.inner.current_kid()?)
    }

    /// Rotates the signing key; returns the new `kid`.
    ///
    /// # Errors
    /// As `jwks`.
    pub fn rotate_signing_key(&self) -> Result<String> {
        Ok(self.inner.rotate_signing_key()?)
    }

    /// Signs a client's nonce (a UUID) and the CA pool with key `kid`.
    ///
    /// # Errors
    /// `InvalidInput`; `NotFound`; `InvalidState` for a retired key.
    pub fn challenge(&self, kid: String, nonce: String) -> Result<ChallengeInfo> {
        Ok(self.inner.challenge(&kid, &nonce)?.ffi())
    }

    /// Creates an enrollment and returns its JWT (shown once).
    ///
    /// # Errors
    /// `InvalidInput`; `NotFound`; `Conflict` while one is pending.
    pub fn create(&self, identity_id: String, spec: EnrollmentSpec) -> Result<NewEnrollmentInfo> {
        Ok(self.inner.create(&identity_id, spec.facade())?.ffi())
    }

    /// Re-issues an unused enrollment.
    ///
    /// # Errors
    /// `InvalidInput`; `NotFound`; `InvalidState`.
    pub fn reissue(&self, identity_id: String, method: String) -> Result<NewEnrollmentInfo> {
        Ok(self.inner.reissue(&identity_id, &method)?.ffi())
    }

    /// An identity's enrollment of `method`.
    ///
    /// # Errors
    /// `InvalidInput`; `NotFound`.
    pub fn get(&self, identity_id: String, method: String) -> Result<EnrollmentInfo> {
        Ok(self.inner.get(&identity_id, &method)?.ffi())
    }

    /// An identity's enrollments.
    ///
    /// # Errors
    /// Store failures.
    pub fn list(&self, identity_id: String) -> Result<Vec<EnrollmentInfo>> {
        Ok(self.inner.list(&identity_id)?.ffi())
    }

    /// Deletes an enrollment.
    ///
    /// # Errors
    /// `InvalidInput`; `NotFound`.
    pub fn delete(&self, identity_id: String, method: String) -> Result<()> {
        Ok(self.inner.delete(&identity_id, &method)?)
    }

    /// `ott`: the JWT and a CSR.
    ///
    /// # Errors
    /// `InvalidInput`; `VerificationFailed`; `InvalidState` with code 1650
    /// for a used token.
    pub fn enroll_ott(&self, jwt: String, csr_pem: String) -> Result<EnrolledCertInfo> {
        Ok(self.inner.enroll_ott(&jwt, &csr_pem)?.ffi())
    }

    /// `ottca`: the JWT and a chain from the enrollment's external CA.
    ///
    /// # Errors
    /// As `enroll_ott`; code 1601.
    pub fn enroll_ottca(&self, jwt: String, chain_pem: String) -> Result<EnrolledCertInfo> {
        Ok(self.inner.enroll_ottca(&jwt, &chain_pem)?.ffi())
    }

    /// `updb`: the JWT, username and password.
    ///
    /// # Errors
    /// As `enroll_ott`; `PolicyViolation`.
    pub fn enroll_updb(
        &self,
        jwt: String,
        username: String,
        password: String,
    ) -> Result<AuthenticatorInfo> {
        Ok(self.inner.enroll_updb(&jwt, &username, &password)?.ffi())
    }

    /// Router enrollment: the JWT, a client CSR and a server CSR.
    ///
    /// # Errors
    /// As `enroll_ott`.
    pub fn enroll_router(
        &self,
        jwt: String,
        client_csr: String,
        server_csr: String,
    ) -> Result<RouterCertsInfo> {
        Ok(self
            .inner
            .enroll_router(&jwt, &client_csr, &server_csr)?
            .ffi())
    }

    /// CA auto-enrollment with a chain from a verified external CA.
    ///
    /// # Errors
    /// Code 1601; `PolicyViolation`; `Conflict`.
    pub fn enroll_ca_auto(&self, chain_pem: String) -> Result<EnrolledCertInfo> {
        Ok(self.inner.enroll_ca_auto(&chain_pem)?.ffi())
    }

    /// Extends a certificate; the new one is pending until `extend_verify`.
    ///
    /// # Errors
    /// `InvalidInput`; `VerificationFailed`; `InvalidState`; `NotFound`.
    pub fn extend(
        &self,
        who: Subject,
        authenticator_id: String,
        current_cert_pem: String,
        csr_pem: String,
    ) -> Result<EnrolledCertInfo> {
        Ok(self
            .inner
            .extend(&who.into(), &authenticator_id, &current_cert_pem, &csr_pem)?
            .ffi())
    }

    /// Completes an extension with the pending certificate.
    ///
    /// # Errors
    /// `InvalidState`; `VerificationFailed`; `NotFound`.
    pub fn extend_verify(
        &self,
        who: Subject,
        authenticator_id: String,
        new_cert_pem: String,
    ) -> Result<CertStatusInfo> {
        Ok(self
            .inner
            .extend_verify(&who.into(), &authenticator_id, &new_cert_pem)?
            .ffi())
    }

    /// Router extension: new client and server certificates.
    ///
    /// # Errors
    /// As `extend`.
    pub fn extend_router(
        &self,
        who: Subject,
        authenticator_id: String,
        current_cert_pem: String,
        client_csr: String,
        server_csr: String,
    ) -> Result<RouterCertsInfo> {
        Ok(self
            .inner
            .extend_router(
                &who.into(),
                &authenticator_id,
                &current_cert_pem,
                &client_csr,
                &server_csr,
            )?
            .ffi())
    }

    /// An administrator asks for an extension.
    ///
    /// # Errors
    /// `NotFound`; `InvalidInput`.
    pub fn request_extend(&self, authenticator_id: String) -> Result<CertStatusInfo> {
        Ok(self.inner.request_extend(&authenticator_id)?.ffi())
    }

    /// An administrator asks for a new key.
    ///
    /// # Errors
    /// `NotFound`; `InvalidInput`.
    pub fn request_key_roll(&self, authenticator_id: String) -> Result<CertStatusInfo> {
        Ok(self.inner.request_key_roll(&authenticator_id)?.ffi())
    }

    /// A cert authenticator's extension state.
    ///
    /// # Errors
    /// `NotFound`; `InvalidInput`; session errors.
    pub fn cert_status(&self, who: Subject, authenticator_id: String) -> Result<CertStatusInfo> {
        Ok(self
            .inner
            .cert_status(&who.into(), &authenticator_id)?
            .ffi())
    }

    /// Registers an external CA; the result carries the verification token.
    ///
    /// # Errors
    /// `InvalidInput`; `Conflict`.
    pub fn register_ca(
        &self,
        certificate_pem: String,
        options: ExternalCaOptions,
    ) -> Result<ExternalCaInfo> {
        Ok(self
            .inner
            .register_ca(&certificate_pem, options.facade())?
            .ffi())
    }

    /// Verifies an external CA by proof of possession.
    ///
    /// # Errors
    /// `VerificationFailed`; `InvalidInput`; `NotFound`.
    pub fn verify_ca(&self, ca_id: String, certificate_pem: String) -> Result<ExternalCaInfo> {
        Ok(self.inner.verify_ca(&ca_id, &certificate_pem)?.ffi())
    }

    /// An external CA.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn get_ca(&self, ca_id: String) -> Result<ExternalCaInfo> {
        Ok(self.inner.get_ca(&ca_id)?.ffi())
    }

    /// Every external CA.
    ///
    /// # Errors
    /// Store failures.
    pub fn list_cas(&self) -> Result<Vec<ExternalCaInfo>> {
        Ok(self.inner.list_cas()?.ffi())
    }

    /// Deletes an external CA.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn delete_ca(&self, ca_id: String) -> Result<()> {
        Ok(self.inner.delete_ca(&ca_id)?)
    }

    /// Issues a client certificate for the API session of `session_token`.
    ///
    /// # Errors
    /// `InvalidInput`; session errors.
    pub fn create_session_cert(
        &self,
        session_token: String,
        csr_pem: String,
    ) -> Result<SessionCertInfo> {
        Ok(self
            .inner
            .create_session_cert(&session_token, &csr_pem)?
            .ffi())
    }

    /// The session's certificates.
    ///
    /// # Errors
    /// Session errors.
    pub fn list_session_certs(&self, session_token: String) -> Result<Vec<SessionCertInfo>> {
        Ok(self.inner.list_session_certs(&session_token)?.ffi())
    }

    /// One session certificate.
    ///
    /// # Errors
    /// `NotFound`; session errors.
    pub fn get_session_cert(&self, session_token: String, id: String) -> Result<SessionCertInfo> {
        Ok(self.inner.get_session_cert(&session_token, &id)?.ffi())
    }

    /// Deletes a session certificate.
    ///
    /// # Errors
    /// `NotFound`; session errors.
    pub fn delete_session_cert(&self, session_token: String, id: String) -> Result<()> {
        Ok(self.inner.delete_session_cert(&session_token, &id)?)
    }

    /// Who a client chain (PEM, leaf first) speaks for.
    ///
    /// # Errors
    /// `InvalidInput`; code 1601; `VerificationFailed`.
    pub fn authorize_chain(&self, chain_pem: String) -> Result<CertPrincipalInfo> {
        Ok(self.inner.authorize_chain(&chain_pem)?.ffi())
    }

    /// Whose credential a certificate is, without checking its chain.
    ///
    /// # Errors
    /// `InvalidInput`; `VerificationFailed`.
    pub fn cert_owner(&self, certificate_pem: String) -> Result<CertPrincipalInfo> {
        Ok(self.inner.cert_owner(&certificate_pem)?.ffi())
    }

    /// Verifies a certificate chain (PEM, leaf first) at `at` (default: the
    /// engine clock) for `purpose` (`client` — default when empty —,
    /// `server` or `any`) against the tenant's internal CA and verified
    /// external CAs; the leaf need not be anyone's credential.
    ///
    /// # Errors
    /// `InvalidInput` naming the chain or `purpose`; `VerificationFailed`
    /// with code 1601 naming the certificate and why.
    #[uniffi::method(default(at = None, purpose = "client"))]
    pub fn verify_certificate(
        &self,
        chain_pem: String,
        at: Option<i64>,
        purpose: String,
    ) -> Result<CertVerificationInfo> {
        Ok(self
            .inner
            .verify_certificate(&chain_pem, at, &purpose)?
            .ffi())
    }
}

/// Handles of an engine for `tenant` (used by `Engine.pki` and
/// `Engine.enrollment`).
pub(crate) fn pki_of(inner: facade::Pki) -> Arc<Pki> {
    Arc::new(Pki { inner })
}

/// See [`pki_of`].
pub(crate) fn enrollment_of(inner: facade::Enrollment) -> Arc<Enrollment> {
    Arc::new(Enrollment { inner })
}
