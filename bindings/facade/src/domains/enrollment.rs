//! Enrollment: enrollment JWTs and their JWKS, the controller challenge,
//! `ott`/`ottca`/`updb`/router/CA auto-enrollment, external CAs,
//! certificate extension, session certificates and certificate
//! authentication.

use credcycle::enrollment::{self as core_en, EnrollmentMethod, EnrollmentRequest};
use zeroize::Zeroizing;

use super::identities::{AuthenticatorInfo, Subject};
use super::machine::parse_ip;
use super::pki::{chain_der, purpose_of};
use crate::error::{Error, Result};

fn method_of(method: &str) -> Result<EnrollmentMethod> {
    EnrollmentMethod::parse(method)
        .ok_or_else(|| Error::invalid("method", "must be ott, ottca, updb or router"))
}

/// An enrollment (never its token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrollmentInfo {
    /// UUID.
    pub id: String,
    /// The identity it enrolls.
    pub identity_id: String,
    /// `ott`, `ottca`, `updb` or `erott` (router).
    pub method: String,
    /// The external CA (`ottca`).
    pub ca_id: Option<String>,
    /// The username (`updb`).
    pub username: Option<String>,
    /// Router server certificate DNS names.
    pub dns_names: Vec<String>,
    /// Router server certificate IP addresses.
    pub ip_addresses: Vec<String>,
    /// `PENDING`, `USED` or `EXPIRED` (when read).
    pub state: String,
    /// Creation (or last re-issue) time.
    pub create_time: i64,
    /// When the token stops working.
    pub expires_at: i64,
    /// When the token was redeemed.
    pub used_at: Option<i64>,
    /// The authenticator the redemption created.
    pub authenticator_id: Option<String>,
}

impl From<core_en::EnrollmentInfo> for EnrollmentInfo {
    fn from(e: core_en::EnrollmentInfo) -> Self {
        EnrollmentInfo {
            id: e.id,
            identity_id: e.identity_id,
            method: e.method.as_str().to_owned(),
            ca_id: e.ca_id,
            username: e.username,
            dns_names: e.dns_names,
            ip_addresses: e.ip_addresses.iter().map(ToString::to_string).collect(),
            state: e.state.as_str().to_owned(),
            create_time: e.create_time.secs(),
            expires_at: e.expires_at.secs(),
            used_at: e.used_at.map(|t| t.secs()),
            authenticator_id: e.authenticator_id,
        }
    }
}

/// A new or re-issued enrollment with its JWT, shown once. `Debug` redacts
/// the JWT.
pub struct NewEnrollmentInfo {
    /// The enrollment JWT for the enrolling client.
    pub jwt: Zeroizing<String>,
    /// The enrollment.
    pub enrollment: EnrollmentInfo,
}

impl std::fmt::Debug for NewEnrollmentInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewEnrollmentInfo")
            .field("jwt", &"<redacted>")
            .field("enrollment", &self.enrollment)
            .finish()
    }
}

impl From<core_en::NewEnrollment> for NewEnrollmentInfo {
    fn from(n: core_en::NewEnrollment) -> Self {
        NewEnrollmentInfo {
            jwt: Zeroizing::new(n.jwt().to_owned()),
            enrollment: n.enrollment.into(),
        }
    }
}

/// What [`Enrollment::create`] makes. Fields a method does not use must be
/// empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnrollmentSpec {
    /// `ott`, `ottca`, `updb` or `router` (`erott`).
    pub method: String,
    /// The external CA (`ottca`, required).
    pub ca_id: Option<String>,
    /// The username (`updb`, required).
    pub username: Option<String>,
    /// Server certificate DNS names (`router`).
    pub dns_names: Vec<String>,
    /// Server certificate IP addresses (`router`).
    pub ip_addresses: Vec<String>,
}

impl EnrollmentSpec {
    fn core(&self) -> Result<EnrollmentRequest> {
        let m = method_of(&self.method)?;
        if m != EnrollmentMethod::Router {
            if !self.dns_names.is_empty() {
                return Err(Error::invalid(
                    "dns_names",
                    "only router enrollments take names",
                ));
            }
            if !self.ip_addresses.is_empty() {
                return Err(Error::invalid(
                    "ip_addresses",
                    "only router enrollments take addresses",
                ));
            }
        }
        if m != EnrollmentMethod::OttCa && self.ca_id.is_some() {
            return Err(Error::invalid("ca_id", "only ottca enrollments take a CA"));
        }
        if m != EnrollmentMethod::Updb && self.username.is_some() {
            return Err(Error::invalid(
                "username",
                "only updb enrollments take a username",
            ));
        }
        Ok(match m {
            EnrollmentMethod::Ott => EnrollmentRequest::Ott,
            EnrollmentMethod::OttCa => EnrollmentRequest::OttCa {
                ca_id: self
                    .ca_id
                    .clone()
                    .ok_or_else(|| Error::invalid("ca_id", "is required for ottca"))?,
            },
            EnrollmentMethod::Updb => EnrollmentRequest::Updb {
                username: self
                    .username
                    .clone()
                    .ok_or_else(|| Error::invalid("username", "is required for updb"))?,
            },
            _ => EnrollmentRequest::Router {
                dns_names: self.dns_names.clone(),
                ip_addresses: self
                    .ip_addresses
                    .iter()
                    .map(|s| parse_ip("ip_addresses", s))
                    .collect::<Result<_>>()?,
            },
        })
    }
}

/// The result of a certificate enrollment or extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrolledCertInfo {
    /// The identity.
    pub identity_id: String,
    /// The cert authenticator created (or, for extension, used).
    pub authenticator_id: String,
    /// The certificate (PEM).
    pub certificate_pem: String,
    /// The certificate and its issuing chain (PEM).
    pub chain_pem: String,
    /// Lower-case hex SHA-256 of the certificate.
    pub fingerprint: String,
}

impl From<core_en::EnrolledCert> for EnrolledCertInfo {
    fn from(c: core_en::EnrolledCert) -> Self {
        EnrolledCertInfo {
            identity_id: c.identity_id,
            authenticator_id: c.authenticator_id,
            certificate_pem: c.certificate_pem,
            chain_pem: c.chain_pem,
            fingerprint: c.fingerprint,
        }
    }
}

/// The result of a router enrollment or extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouterCertsInfo {
    /// The client certificate and its authenticator.
    pub client: EnrolledCertInfo,
    /// The server certificate (PEM).
    pub server_certificate_pem: String,
    /// The server certificate and its chain (PEM).
    pub server_chain_pem: String,
}

impl From<core_en::RouterCerts> for RouterCertsInfo {
    fn from(r: core_en::RouterCerts) -> Self {
        RouterCertsInfo {
            client: r.client.into(),
            server_certificate_pem: r.server_certificate_pem,
            server_chain_pem: r.server_chain_pem,
        }
    }
}

/// Options of [`Enrollment::register_ca`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalCaOptions {
    /// Unique name (1..=64 of `[A-Za-z0-9_.-]`).
    pub name: String,
    /// Certificates of this CA may create identities.
    pub auto_enrollment: bool,
    /// Certificates of this CA may enroll through `ottca` tokens.
    pub ott_ca_enrollment: bool,
    /// Certificates of this CA may authenticate.
    pub auth_enabled: bool,
    /// Name format of auto-enrolled identities (`[caName]`, `[caId]`,
    /// `[commonName]`, `[fingerprint]`); `None`: `[caName]-[commonName]`.
    pub identity_name_format: Option<String>,
}

impl ExternalCaOptions {
    /// Options with every use enabled and the default name format.
    pub fn new(name: &str) -> Self {
        ExternalCaOptions {
            name: name.to_owned(),
            auto_enrollment: true,
            ott_ca_enrollment: true,
            auth_enabled: true,
            identity_name_format: None,
        }
    }
}

/// An external certificate authority.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalCaInfo {
    /// UUID.
    pub id: String,
    /// Unique name.
    pub name: String,
    /// The CA certificate (PEM).
    pub certificate_pem: String,
    /// Lower-case hex SHA-256 of the CA certificate.
    pub fingerprint: String,
    /// Whether proof of possession was given.
    pub verified: bool,
    /// The common name the proof certificate must carry (while unverified).
    pub verification_token: Option<String>,
    /// Auto-enrollment allowed.
    pub auto_enrollment: bool,
    /// `ottca` enrollment allowed.
    pub ott_ca_enrollment: bool,
    /// Authentication allowed.
    pub auth_enabled: bool,
    /// Name format of auto-enrolled identities.
    pub identity_name_format: String,
    /// Creation time.
    pub create_time: i64,
}

impl From<core_en::ExternalCa> for ExternalCaInfo {
    fn from(c: core_en::ExternalCa) -> Self {
        ExternalCaInfo {
            id: c.id,
            name: c.name,
            certificate_pem: c.certificate_pem,
            fingerprint: c.fingerprint,
            verified: c.verified,
            verification_token: c.verification_token,
            auto_enrollment: c.auto_enrollment,
            ott_ca_enrollment: c.ott_ca_enrollment,
            auth_enabled: c.auth_enabled,
            identity_name_format: c.identity_name_format,
            create_time: c.create_time.secs(),
        }
    }
}

/// The extension state of a cert authenticator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertStatusInfo {
    /// The authenticator.
    pub authenticator_id: String,
    /// Fingerprint of the current certificate.
    pub fingerprint: String,
    /// Fingerprint of the pending replacement, during an extension.
    pub pending_fingerprint: Option<String>,
    /// When the current certificate expires (engine-issued ones).
    pub not_after: Option<i64>,
    /// Whether the engine issued the current certificate.
    pub issued_by_engine: bool,
    /// An administrator asked for an extension.
    pub request_extend: bool,
    /// An administrator asked for a new key.
    pub request_key_roll: bool,
    /// When the last extension was verified.
    pub last_extend_time: Option<i64>,
    /// Whether the last verified extension changed the key.
    pub last_extend_key_changed: Option<bool>,
}

impl From<core_en::CertStatus> for CertStatusInfo {
    fn from(s: core_en::CertStatus) -> Self {
        CertStatusInfo {
            authenticator_id: s.authenticator_id,
            fingerprint: s.fingerprint,
            pending_fingerprint: s.pending_fingerprint,
            not_after: s.not_after.map(|t| t.secs()),
            issued_by_engine: s.issued_by_engine,
            request_extend: s.request_extend,
            request_key_roll: s.request_key_roll,
            last_extend_time: s.last_extend_time.map(|t| t.secs()),
            last_extend_key_changed: s.last_extend_key_changed,
        }
    }
}

/// A session certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionCertInfo {
    /// Its id: the lower-case hex SHA-256 fingerprint.
    pub id: String,
    /// The API session's id.
    pub session_id: String,
    /// The identity.
    pub identity_id: String,
    /// The certificate (PEM).
    pub certificate_pem: String,
    /// The certificate and its chain (PEM).
    pub chain_pem: String,
    /// Serial number (hex).
    pub serial: String,
    /// Start of validity.
    pub not_before: i64,
    /// End of validity.
    pub not_after: i64,
}

impl From<core_en::SessionCert> for SessionCertInfo {
    fn from(s: core_en::SessionCert) -> Self {
        SessionCertInfo {
            id: s.id,
            session_id: s.session_id,
            identity_id: s.identity_id,
            certificate_pem: s.certificate_pem,
            chain_pem: s.chain_pem,
            serial: s.serial,
            not_before: s.not_before.secs(),
            not_after: s.not_after.secs(),
        }
    }
}

/// Who a client certificate speaks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertPrincipalInfo {
    /// The identity.
    pub identity_id: String,
    /// The cert authenticator, for an authenticator's certificate.
    pub authenticator_id: Option<String>,
    /// The API session's id, for a session certificate.
    pub session_id: Option<String>,
    /// The leaf is the authenticator's pending certificate.
    pub pending: bool,
    /// The leaf's fingerprint.
    pub fingerprint: String,
}

impl From<core_en::CertPrincipal> for CertPrincipalInfo {
    fn from(p: core_en::CertPrincipal) -> Self {
        CertPrincipalInfo {
            identity_id: p.identity_id,
            authenticator_id: p.authenticator_id,
            session_id: p.session_id,
            pending: p.pending,
            fingerprint: p.fingerprint,
        }
    }
}

/// A signed answer to an enrollment challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengeInfo {
    /// `ES256`.
    pub algorithm: String,
    /// The signing key's id (in the enrollment JWKS).
    pub kid: String,
    /// base64url of the `r || s` signature.
    pub signature: String,
    /// The CA bundle (PEM) the signature covers.
    pub ca_pool: String,
}

impl From<core_en::Challenge> for ChallengeInfo {
    fn from(c: core_en::Challenge) -> Self {
        ChallengeInfo {
            algorithm: c.algorithm,
            kid: c.kid,
            signature: c.signature,
            ca_pool: c.ca_pool,
        }
    }
}

pub(crate) fn verify_challenge(
    jwks_json: &str,
    nonce: &str,
    challenge: &ChallengeInfo,
) -> Result<()> {
    let jwks = credcycle::jose::Jwks::from_json(jwks_json)?;
    let c = core_en::Challenge {
        algorithm: challenge.algorithm.clone(),
        kid: challenge.kid.clone(),
        signature: challenge.signature.clone(),
        ca_pool: challenge.ca_pool.clone(),
    };
    Ok(core_en::verify_challenge(&jwks, nonce, &c)?)
}

/// A certificate chain that verified to one of the tenant's trusted CAs
/// ([`Enrollment::verify_certificate`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertVerificationInfo {
    /// `internal` (the tenant's CA) or `external` (a verified external CA).
    pub anchor: String,
    /// The external CA's id when `anchor` is `external`.
    pub ca_id: Option<String>,
    /// CA certificates above the leaf on the path, the anchor included (1:
    /// the anchor issued the leaf).
    pub depth: u32,
    /// Fingerprints from the leaf to the anchor (inclusive).
    pub path_fingerprints: Vec<String>,
    /// The leaf's fingerprint (lower-case hex SHA-256 of the DER).
    pub fingerprint: String,
    /// The leaf's subject common name, if any.
    pub common_name: Option<String>,
    /// The leaf's start of validity.
    pub not_before: i64,
    /// The leaf's end of validity.
    pub not_after: i64,
}

impl From<core_en::CertVerification> for CertVerificationInfo {
    fn from(v: core_en::CertVerification) -> Self {
        let (anchor, ca_id) = match v.anchor {
            core_en::TrustedCa::External { ca_id } => ("external", Some(ca_id)),
            _ => ("internal", None),
        };
        CertVerificationInfo {
            anchor: anchor.to_owned(),
            ca_id,
            depth: u32::try_from(v.depth).unwrap_or(u32::MAX),
            path_fingerprints: v.path_fingerprints,
            fingerprint: v.fingerprint,
            common_name: v.common_name,
            not_before: v.not_before.secs(),
            not_after: v.not_after.secs(),
        }
    }
}

/// The claims of an enrollment JWT. `Debug` redacts the one-time token.
#[derive(Clone, PartialEq, Eq)]
pub struct EnrollmentClaimsInfo {
    /// `em`: `ott`, `ottca`, `updb` or `erott`.
    pub method: String,
    /// `jti`: the one-time token. Keep it secret.
    pub jti: Zeroizing<String>,
    /// `sub`: the identity id.
    pub sub: String,
    /// `iss`.
    pub iss: String,
    /// `exp` (seconds since the epoch).
    pub exp: i64,
    /// `iat`, if present.
    pub iat: Option<i64>,
    /// The header's `kid`.
    pub kid: String,
}

impl std::fmt::Debug for EnrollmentClaimsInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrollmentClaimsInfo")
            .field("method", &self.method)
            .field("jti", &"<redacted>")
            .field("sub", &self.sub)
            .field("iss", &self.iss)
            .field("exp", &self.exp)
            .field("iat", &self.iat)
            .field("kid", &self.kid)
            .finish()
    }
}

impl From<core_en::EnrollmentClaims> for EnrollmentClaimsInfo {
    fn from(c: core_en::EnrollmentClaims) -> Self {
        EnrollmentClaimsInfo {
            method: c.method.as_str().to_owned(),
            jti: Zeroizing::new(c.jti.as_str().to_owned()),
            sub: c.sub,
            iss: c.iss,
            exp: c.exp,
            iat: c.iat,
            kid: c.kid,
        }
    }
}

pub(crate) fn parse_enrollment_jwt(token: &str) -> Result<EnrollmentClaimsInfo> {
    Ok(core_en::parse_enrollment_jwt(token)?.into())
}

pub(crate) fn verify_enrollment_jwt(
    token: &str,
    jwks_json: &str,
    issuer: &str,
    now: Option<i64>,
) -> Result<EnrollmentClaimsInfo> {
    let jwks = credcycle::jose::Jwks::from_json(jwks_json)?;
    let now = now.map_or_else(
        || credcycle::Clock::now(&credcycle::SystemClock),
        credcycle::UnixTime,
    );
    Ok(core_en::verify_enrollment_jwt(token, &jwks, issuer, now)?.into())
}

/// Enrollment and certificate lifecycle of one tenant. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Enrollment {
    pub(crate) inner: core_en::Enrollment,
}

impl Enrollment {
    /// The enrollment JWKS (`{"keys":[…]}` JSON): the current signing key
    /// and the retained previous ones (operation `enrollment.jwks`).
    ///
    /// # Errors
    /// Key manager and store failures.
    pub fn jwks(&self) -> Result<String> {
        Ok(self.inner.jwks()?.to_json_value().to_string())
    }

    /// The `kid` of the current enrollment signing key (operation
    /// `enrollment.current_kid`).
    ///
    /// # Errors
    /// As [`Enrollment::jwks`].
    pub fn current_kid(&self) -> Result<String> {
        Ok(self.inner.current_kid()?)
    }

    /// Rotates the enrollment signing key; returns the new `kid` (operation
    /// `enrollment.rotate_signing_key`).
    ///
    /// # Errors
    /// As [`Enrollment::jwks`].
    pub fn rotate_signing_key(&self) -> Result<String> {
        Ok(self.inner.rotate_signing_key()?)
    }

    /// Signs the client's nonce (a UUID) and the tenant's CA pool with key
    /// `kid` (operation `enrollment.challenge`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `nonce` or `kid`; `NOT_FOUND`; `INVALID_STATE`
    /// for a retired key.
    pub fn challenge(&self, kid: &str, nonce: &str) -> Result<ChallengeInfo> {
        Ok(self.inner.challenge(kid, nonce)?.into())
    }

    /// Creates an enrollment of an identity and returns its JWT, shown once
    /// (operation `enrollment.create`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `method`, `username`, `dns_names`,
    /// `ip_addresses` or `ca_id`; `NOT_FOUND`; `ALREADY_EXISTS` while one of
    /// the method is pending; `POLICY_VIOLATION`.
    pub fn create(&self, identity_id: &str, spec: EnrollmentSpec) -> Result<NewEnrollmentInfo> {
        Ok(self.inner.create(identity_id, spec.core()?)?.into())
    }

    /// Re-issues an unused enrollment with a new token and expiry
    /// (operation `enrollment.reissue`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `method`; `NOT_FOUND`; `INVALID_STATE` for a
    /// used one.
    pub fn reissue(&self, identity_id: &str, method: &str) -> Result<NewEnrollmentInfo> {
        Ok(self.inner.reissue(identity_id, method_of(method)?)?.into())
    }

    /// An identity's enrollment of `method` (operation `enrollment.get`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `method`; `NOT_FOUND`.
    pub fn get(&self, identity_id: &str, method: &str) -> Result<EnrollmentInfo> {
        Ok(self.inner.get(identity_id, method_of(method)?)?.into())
    }

    /// An identity's enrollments (operation `enrollment.list`).
    ///
    /// # Errors
    /// Store failures.
    pub fn list(&self, identity_id: &str) -> Result<Vec<EnrollmentInfo>> {
        Ok(self
            .inner
            .list(identity_id)?
            .into_iter()
            .map(EnrollmentInfo::from)
            .collect())
    }

    /// Deletes an identity's enrollment of `method` (operation
    /// `enrollment.delete`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `method`; `NOT_FOUND`.
    pub fn delete(&self, identity_id: &str, method: &str) -> Result<()> {
        Ok(self.inner.delete(identity_id, method_of(method)?)?)
    }

    /// `ott`: redeems the JWT with a CSR; returns the certificate of the new
    /// cert authenticator (operation `enrollment.enroll_ott`). A token works
    /// once.
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `token` or `csr`; `VERIFICATION_FAILED`;
    /// `ENROLLMENT_TOKEN_USED` (1650); `INVALID_STATE` (expired).
    pub fn enroll_ott(&self, jwt: &str, csr_pem: &str) -> Result<EnrolledCertInfo> {
        Ok(self.inner.enroll_ott(jwt, csr_pem)?.into())
    }

    /// `ottca`: redeems the JWT with a chain (PEM, leaf first) from the
    /// enrollment's external CA (operation `enrollment.enroll_ottca`).
    ///
    /// # Errors
    /// As [`Enrollment::enroll_ott`]; `CERTIFICATE_REJECTED` (1601).
    pub fn enroll_ottca(&self, jwt: &str, chain_pem: &str) -> Result<EnrolledCertInfo> {
        Ok(self.inner.enroll_ottca(jwt, chain_pem)?.into())
    }

    /// `updb`: redeems the JWT and sets the initial username and password
    /// (operation `enrollment.enroll_updb`).
    ///
    /// # Errors
    /// As [`Enrollment::enroll_ott`]; `INVALID_INPUT` naming `username` or
    /// `password`; `POLICY_VIOLATION`; `ALREADY_EXISTS`.
    pub fn enroll_updb(
        &self,
        jwt: &str,
        username: &str,
        password: &str,
    ) -> Result<AuthenticatorInfo> {
        Ok(self.inner.enroll_updb(jwt, username, password)?.into())
    }

    /// Router enrollment: the JWT with a client CSR and a server CSR
    /// (operation `enrollment.enroll_router`).
    ///
    /// # Errors
    /// As [`Enrollment::enroll_ott`], naming `client_csr` or `server_csr`.
    pub fn enroll_router(
        &self,
        jwt: &str,
        client_csr: &str,
        server_csr: &str,
    ) -> Result<RouterCertsInfo> {
        Ok(self
            .inner
            .enroll_router(jwt, client_csr, server_csr)?
            .into())
    }

    /// CA auto-enrollment: a chain (PEM, leaf first) from a verified
    /// external CA with auto-enrollment creates an identity and its cert
    /// authenticator, once per certificate (operation
    /// `enrollment.enroll_ca_auto`).
    ///
    /// # Errors
    /// `CERTIFICATE_REJECTED`; `POLICY_VIOLATION`; `ALREADY_EXISTS`;
    /// `INVALID_INPUT` naming the chain.
    pub fn enroll_ca_auto(&self, chain_pem: &str) -> Result<EnrolledCertInfo> {
        Ok(self.inner.enroll_ca_auto(chain_pem)?.into())
    }

    /// Extends a cert authenticator's certificate: the new one becomes
    /// pending until [`Enrollment::extend_verify`] (operation
    /// `enrollment.extend`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `current_cert` or `csr`;
    /// `VERIFICATION_FAILED`; `INVALID_STATE`; `NOT_FOUND`; session errors.
    pub fn extend(
        &self,
        who: &Subject,
        authenticator_id: &str,
        current_cert_pem: &str,
        csr_pem: &str,
    ) -> Result<EnrolledCertInfo> {
        Ok(self
            .inner
            .extend(who.core(), authenticator_id, current_cert_pem, csr_pem)?
            .into())
    }

    /// Completes an extension with the pending certificate (operation
    /// `enrollment.extend_verify`).
    ///
    /// # Errors
    /// `INVALID_STATE` without a pending certificate;
    /// `VERIFICATION_FAILED` when `new_cert_pem` is not it; `NOT_FOUND`.
    pub fn extend_verify(
        &self,
        who: &Subject,
        authenticator_id: &str,
        new_cert_pem: &str,
    ) -> Result<CertStatusInfo> {
        Ok(self
            .inner
            .extend_verify(who.core(), authenticator_id, new_cert_pem)?
            .into())
    }

    /// Router extension: new client and server certificates; the old
    /// client certificate stops at once (operation
    /// `enrollment.extend_router`).
    ///
    /// # Errors
    /// As [`Enrollment::extend`].
    pub fn extend_router(
        &self,
        who: &Subject,
        authenticator_id: &str,
        current_cert_pem: &str,
        client_csr: &str,
        server_csr: &str,
    ) -> Result<RouterCertsInfo> {
        Ok(self
            .inner
            .extend_router(
                who.core(),
                authenticator_id,
                current_cert_pem,
                client_csr,
                server_csr,
            )?
            .into())
    }

    /// An administrator asks for the certificate to be extended (operation
    /// `enrollment.request_extend`).
    ///
    /// # Errors
    /// `NOT_FOUND`; `INVALID_INPUT` for a non-cert authenticator.
    pub fn request_extend(&self, authenticator_id: &str) -> Result<CertStatusInfo> {
        Ok(self.inner.request_extend(authenticator_id)?.into())
    }

    /// An administrator asks for a new key at the next extension (operation
    /// `enrollment.request_key_roll`).
    ///
    /// # Errors
    /// As [`Enrollment::request_extend`].
    pub fn request_key_roll(&self, authenticator_id: &str) -> Result<CertStatusInfo> {
        Ok(self.inner.request_key_roll(authenticator_id)?.into())
    }

    /// The extension state of one of the subject's cert authenticators
    /// (operation `enrollment.cert_status`).
    ///
    /// # Errors
    /// `NOT_FOUND`; `INVALID_INPUT`; session errors.
    pub fn cert_status(&self, who: &Subject, authenticator_id: &str) -> Result<CertStatusInfo> {
        Ok(self.inner.cert_status(who.core(), authenticator_id)?.into())
    }

    /// Registers an external CA (one PEM certificate); the result carries
    /// the verification token (operation `enrollment.register_ca`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `certificate`, `name` or
    /// `identity_name_format`; `ALREADY_EXISTS`.
    pub fn register_ca(
        &self,
        certificate_pem: &str,
        options: ExternalCaOptions,
    ) -> Result<ExternalCaInfo> {
        let mut o = core_en::CaOptions::new(options.name);
        o.auto_enrollment = options.auto_enrollment;
        o.ott_ca_enrollment = options.ott_ca_enrollment;
        o.auth_enabled = options.auth_enabled;
        o.identity_name_format = options.identity_name_format;
        Ok(self.inner.register_ca(certificate_pem, o)?.into())
    }

    /// Verifies an external CA with a certificate it signed whose common
    /// name is the verification token (operation `enrollment.verify_ca`).
    ///
    /// # Errors
    /// `VERIFICATION_FAILED`; `INVALID_INPUT` naming `certificate`;
    /// `NOT_FOUND`.
    pub fn verify_ca(&self, ca_id: &str, certificate_pem: &str) -> Result<ExternalCaInfo> {
        Ok(self.inner.verify_ca(ca_id, certificate_pem)?.into())
    }

    /// An external CA (operation `enrollment.get_ca`).
    ///
    /// # Errors
    /// `NOT_FOUND`.
    pub fn get_ca(&self, ca_id: &str) -> Result<ExternalCaInfo> {
        Ok(self.inner.get_ca(ca_id)?.into())
    }

    /// Every external CA of the tenant (operation `enrollment.list_cas`).
    ///
    /// # Errors
    /// Store failures.
    pub fn list_cas(&self) -> Result<Vec<ExternalCaInfo>> {
        Ok(self
            .inner
            .list_cas()?
            .into_iter()
            .map(ExternalCaInfo::from)
            .collect())
    }

    /// Deletes an external CA (operation `enrollment.delete_ca`).
    ///
    /// # Errors
    /// `NOT_FOUND`.
    pub fn delete_ca(&self, ca_id: &str) -> Result<()> {
        Ok(self.inner.delete_ca(ca_id)?)
    }

    /// Issues a client certificate for the API session of `session_token`
    /// (operation `enrollment.create_session_cert`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `csr`; session errors.
    pub fn create_session_cert(
        &self,
        session_token: &str,
        csr_pem: &str,
    ) -> Result<SessionCertInfo> {
        Ok(self
            .inner
            .create_session_cert(session_token, csr_pem)?
            .into())
    }

    /// The session's certificates (operation `enrollment.list_session_certs`).
    ///
    /// # Errors
    /// Session errors.
    pub fn list_session_certs(&self, session_token: &str) -> Result<Vec<SessionCertInfo>> {
        Ok(self
            .inner
            .list_session_certs(session_token)?
            .into_iter()
            .map(SessionCertInfo::from)
            .collect())
    }

    /// One of the session's certificates (operation
    /// `enrollment.get_session_cert`).
    ///
    /// # Errors
    /// `NOT_FOUND`; session errors.
    pub fn get_session_cert(&self, session_token: &str, id: &str) -> Result<SessionCertInfo> {
        Ok(self.inner.get_session_cert(session_token, id)?.into())
    }

    /// Deletes one of the session's certificates (operation
    /// `enrollment.delete_session_cert`).
    ///
    /// # Errors
    /// `NOT_FOUND`; session errors.
    pub fn delete_session_cert(&self, session_token: &str, id: &str) -> Result<()> {
        Ok(self.inner.delete_session_cert(session_token, id)?)
    }

    /// Who a client chain (PEM, leaf first) speaks for: it must verify now
    /// to the internal CA or a verified external CA, and the leaf must be a
    /// live credential (operation `enrollment.authorize_chain`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming the chain; `CERTIFICATE_REJECTED` (1601);
    /// `VERIFICATION_FAILED` for a leaf that is no live credential.
    pub fn authorize_chain(&self, chain_pem: &str) -> Result<CertPrincipalInfo> {
        let chain = chain_der(chain_pem)?;
        Ok(self.inner.authorize_chain(&chain)?.into())
    }

    /// Verifies a certificate chain (PEM, leaf first, then intermediates)
    /// at `at` (default: the engine clock) for `purpose` (`client` — the
    /// default when empty —, `server` or `any`) against the tenant's
    /// trusted CAs: its internal CA and every verified external CA. The
    /// leaf need not be anyone's credential (operation
    /// `enrollment.verify_certificate`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming the chain (1..=10 certificates) or
    /// `purpose`; `CERTIFICATE_REJECTED` (1601) naming the certificate and
    /// why.
    pub fn verify_certificate(
        &self,
        chain_pem: &str,
        at: Option<i64>,
        purpose: &str,
    ) -> Result<CertVerificationInfo> {
        let purpose = purpose_of(purpose)?;
        let chain = chain_der(chain_pem)?;
        Ok(self
            .inner
            .verify_certificate(&chain, at.map(credcycle::UnixTime), purpose)?
            .into())
    }

    /// Whose credential a certificate (PEM) is, without checking its chain
    /// (operation `enrollment.cert_owner`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `certificate`; `VERIFICATION_FAILED`.
    pub fn cert_owner(&self, certificate_pem: &str) -> Result<CertPrincipalInfo> {
        Ok(self.inner.cert_owner(certificate_pem)?.into())
    }
}
