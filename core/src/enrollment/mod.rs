//! Enrollment and certificate lifecycle (SEMANTICS.md §F; seed `003_…`,
//! OpenZiti "Enroll", "Extend Enrollment", "Enrollment JWKS/challenge" and
//! "Current API Session certificates").
//!
//! - **Enrollment JWTs** are ES256 JWTs signed by the tenant's enrollment
//!   key through the [`KeyManager`](crate::KeyManager) (`kid` header; claims
//!   `em`, `jti`, `sub`, `iss`, `exp`, `iat`). The `jti` is a one-time token
//!   of the shared [`crate::token`] format (prefix `ccen`); only its SHA-256
//!   is stored. [`Enrollment::jwks`] publishes the current and the
//!   still-retained previous keys; [`Enrollment::challenge`] signs a client's
//!   nonce and the CA pool, and [`verify_challenge`] is the client's check.
//! - **Enrollments** of an identity: `ott` (token + CSR → certificate),
//!   `ottca` (token + a certificate from a named, verified external CA),
//!   `updb` (token → initial username and password) and `router` (token +
//!   client CSR + server CSR → two certificates). A token works exactly once:
//!   it is consumed in the same [`Store::commit`](crate::Store::commit) that
//!   creates the authenticator, so concurrent redemptions give one success
//!   and [`Error::EnrollmentTokenUsed`](crate::Error::EnrollmentTokenUsed)
//!   for the others. An unused token (expired or not) can be re-issued.
//! - **External CAs**: [`Enrollment::register_ca`] returns a verification
//!   token; [`Enrollment::verify_ca`] accepts a certificate signed by that CA
//!   whose common name is the token (proof of possession of the CA key);
//!   [`Enrollment::enroll_ca_auto`] creates an identity and its cert
//!   authenticator, once per certificate, for CAs with auto-enrollment on.
//! - **Extension**: [`Enrollment::extend`] (current valid certificate +
//!   CSR) stores the new certificate as the authenticator's pending one (the
//!   old one still works); [`Enrollment::extend_verify`] swaps them and
//!   records whether the key changed. An administrator's
//!   [`Enrollment::request_extend`] and [`Enrollment::request_key_roll`] are
//!   two separate flags the client reads with [`Enrollment::cert_status`].
//! - **Session certificates** belong to an API session and stop
//!   authenticating when it ends.
//! - **Certificate authentication** ([`Enrollment::authorize_chain`]): the
//!   chain verifies to the tenant's internal CA or a verified external CA,
//!   and the leaf is the current or pending certificate of a cert
//!   authenticator, or a live session certificate.
//!   [`Enrollment::verify_certificate`] runs the same chain checks for any
//!   purpose and time without asking whose credential the leaf is.
//!
//! Every mutation is one atomic commit that also appends its audit event to
//! the identity's chain (`identity:<id>`) or, for CA operations, to
//! `ca:<id>`.

mod glue;
mod keys;
mod ops;
pub(crate) mod record;
pub mod tls;

use std::fmt;

pub use keys::{
    Challenge, ENROLLMENT_ALGORITHM, ENROLLMENT_JWT_TYP, ENROLLMENT_TOKEN_PREFIX, EnrollmentClaims,
    MAX_ENROLLMENT_JWT_BYTES, challenge_message, check_nonce, parse_enrollment_jwt,
    verify_challenge, verify_enrollment_jwt,
};
pub use ops::Enrollment;

use crate::services::UnixTime;

/// Longest external CA name, in characters.
pub const MAX_CA_NAME_LEN: usize = 64;
/// Longest identity name format, in bytes.
pub const MAX_NAME_FORMAT_BYTES: usize = 256;
/// The default identity name format of CA auto-enrollment.
pub const DEFAULT_IDENTITY_NAME_FORMAT: &str = "[caName]-[commonName]";
/// Most DNS names or IP addresses on a router's server certificate.
pub const MAX_ROUTER_SANS: usize = 32;
/// Most certificates in a presented chain (certificate authentication and
/// [`Enrollment::verify_certificate`]).
pub const MAX_CHAIN_LEN: usize = 10;
/// Largest PEM or DER input (CSR, certificate, chain), in bytes.
pub const MAX_PEM_BYTES: usize = 64 * 1024;

/// An enrollment method (`em` claim).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EnrollmentMethod {
    /// One-time token + CSR → a certificate issued by the internal CA.
    Ott,
    /// One-time token + a certificate from a named external CA.
    OttCa,
    /// One-time token → the initial username and password.
    Updb,
    /// One-time token + client CSR + server CSR → a router's two
    /// certificates.
    Router,
}

impl EnrollmentMethod {
    /// `ott`, `ottca`, `updb` or `erott` (router; OpenZiti's name).
    pub fn as_str(self) -> &'static str {
        match self {
            EnrollmentMethod::Ott => "ott",
            EnrollmentMethod::OttCa => "ottca",
            EnrollmentMethod::Updb => "updb",
            EnrollmentMethod::Router => "erott",
        }
    }

    /// Parses [`EnrollmentMethod::as_str`] (`router` is accepted for
    /// `erott`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ott" => Some(EnrollmentMethod::Ott),
            "ottca" => Some(EnrollmentMethod::OttCa),
            "updb" => Some(EnrollmentMethod::Updb),
            "erott" | "router" => Some(EnrollmentMethod::Router),
            _ => None,
        }
    }
}

/// Where an enrollment is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnrollmentState {
    /// The token may be redeemed.
    Pending,
    /// The token was redeemed.
    Used,
    /// The token expired unused (it can be re-issued).
    Expired,
}

impl EnrollmentState {
    /// `PENDING`, `USED` or `EXPIRED`.
    pub fn as_str(self) -> &'static str {
        match self {
            EnrollmentState::Pending => "PENDING",
            EnrollmentState::Used => "USED",
            EnrollmentState::Expired => "EXPIRED",
        }
    }
}

/// What [`Enrollment::create`] takes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnrollmentRequest {
    /// `ott`.
    Ott,
    /// `ottca` with the external CA that must have issued the certificate.
    OttCa {
        /// The external CA's id (it must be verified when the token is
        /// redeemed).
        ca_id: String,
    },
    /// `updb` with the username the password will belong to.
    Updb {
        /// Username (4..=100 code points).
        username: String,
    },
    /// A router with the names its server certificate will carry.
    Router {
        /// DNS names (at most 32).
        dns_names: Vec<String>,
        /// IP addresses (at most 32).
        ip_addresses: Vec<std::net::IpAddr>,
    },
}

impl EnrollmentRequest {
    /// The method.
    pub fn method(&self) -> EnrollmentMethod {
        match self {
            EnrollmentRequest::Ott => EnrollmentMethod::Ott,
            EnrollmentRequest::OttCa { .. } => EnrollmentMethod::OttCa,
            EnrollmentRequest::Updb { .. } => EnrollmentMethod::Updb,
            EnrollmentRequest::Router { .. } => EnrollmentMethod::Router,
        }
    }
}

/// An enrollment (never its token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrollmentInfo {
    /// UUID.
    pub id: String,
    /// The identity it enrolls.
    pub identity_id: String,
    /// The method.
    pub method: EnrollmentMethod,
    /// The external CA (`ottca`).
    pub ca_id: Option<String>,
    /// The username (`updb`).
    pub username: Option<String>,
    /// Router server certificate DNS names.
    pub dns_names: Vec<String>,
    /// Router server certificate IP addresses.
    pub ip_addresses: Vec<std::net::IpAddr>,
    /// Where it is in its life (at the time it was read).
    pub state: EnrollmentState,
    /// Creation (or last re-issue) time.
    pub create_time: UnixTime,
    /// When the token stops working.
    pub expires_at: UnixTime,
    /// When the token was redeemed.
    pub used_at: Option<UnixTime>,
    /// The authenticator the redemption created.
    pub authenticator_id: Option<String>,
}

/// A new (or re-issued) enrollment and its JWT, shown once. `Debug` redacts
/// the JWT.
pub struct NewEnrollment {
    jwt: zeroize::Zeroizing<String>,
    /// The enrollment.
    pub enrollment: EnrollmentInfo,
}

impl NewEnrollment {
    /// The enrollment JWT to hand to the enrolling client once.
    pub fn jwt(&self) -> &str {
        &self.jwt
    }
}

impl fmt::Debug for NewEnrollment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewEnrollment")
            .field("jwt", &"<redacted>")
            .field("enrollment", &self.enrollment)
            .finish()
    }
}

/// The result of a certificate enrollment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrolledCert {
    /// The identity.
    pub identity_id: String,
    /// The cert authenticator created (or, for extension, used).
    pub authenticator_id: String,
    /// The issued client certificate (PEM); for `ottca` and CA
    /// auto-enrollment, the presented one.
    pub certificate_pem: String,
    /// The certificate followed by its issuing chain (PEM), as the seed's
    /// enrollment response.
    pub chain_pem: String,
    /// Lower-case hex SHA-256 of the certificate (DER).
    pub fingerprint: String,
}

/// The result of a router enrollment or extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouterCerts {
    /// The client certificate (and its authenticator).
    pub client: EnrolledCert,
    /// The server certificate (PEM).
    pub server_certificate_pem: String,
    /// The server certificate followed by its chain (PEM).
    pub server_chain_pem: String,
}

/// Options of [`Enrollment::register_ca`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaOptions {
    /// Unique name (1..=64 of `[A-Za-z0-9_.-]`).
    pub name: String,
    /// Whether certificates of this CA may create identities
    /// ([`Enrollment::enroll_ca_auto`]).
    pub auto_enrollment: bool,
    /// Whether certificates of this CA may enroll through `ottca` tokens.
    pub ott_ca_enrollment: bool,
    /// Whether certificates of this CA may authenticate (once enrolled).
    pub auth_enabled: bool,
    /// How auto-enrolled identities are named: text with the placeholders
    /// `[caName]`, `[caId]`, `[commonName]` (the leaf's CN) and
    /// `[fingerprint]` (default [`DEFAULT_IDENTITY_NAME_FORMAT`]).
    pub identity_name_format: Option<String>,
}

impl CaOptions {
    /// Options with a name, every use enabled and the default name format.
    pub fn new(name: impl Into<String>) -> Self {
        CaOptions {
            name: name.into(),
            auto_enrollment: true,
            ott_ca_enrollment: true,
            auth_enabled: true,
            identity_name_format: None,
        }
    }
}

/// An external certificate authority.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalCa {
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
    /// The token the proof's certificate must carry as its common name
    /// (only while unverified).
    pub verification_token: Option<String>,
    /// See [`CaOptions::auto_enrollment`].
    pub auto_enrollment: bool,
    /// See [`CaOptions::ott_ca_enrollment`].
    pub ott_ca_enrollment: bool,
    /// See [`CaOptions::auth_enabled`].
    pub auth_enabled: bool,
    /// See [`CaOptions::identity_name_format`].
    pub identity_name_format: String,
    /// Creation time.
    pub create_time: UnixTime,
}

/// The extension state of a cert authenticator, as its owner sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertStatus {
    /// The authenticator.
    pub authenticator_id: String,
    /// Fingerprint of the current certificate.
    pub fingerprint: String,
    /// Fingerprint of the unverified replacement, during an extension.
    pub pending_fingerprint: Option<String>,
    /// When the current certificate expires (engine-issued certificates).
    pub not_after: Option<UnixTime>,
    /// Whether the current certificate was issued by the engine (only those
    /// can be extended).
    pub issued_by_engine: bool,
    /// An administrator asked for the certificate to be extended.
    pub request_extend: bool,
    /// An administrator asked for a new key (the next extension's CSR must
    /// use a new key).
    pub request_key_roll: bool,
    /// When the last extension was verified.
    pub last_extend_time: Option<UnixTime>,
    /// Whether the last verified extension changed the key.
    pub last_extend_key_changed: Option<bool>,
}

/// What kind of certificate the engine issued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IssuedKind {
    /// An identity's client certificate.
    Client,
    /// A router's client certificate.
    RouterClient,
    /// A router's server certificate.
    RouterServer,
    /// An API session's client certificate.
    Session,
}

impl IssuedKind {
    /// `client`, `router-client`, `router-server` or `session`.
    pub fn as_str(self) -> &'static str {
        match self {
            IssuedKind::Client => "client",
            IssuedKind::RouterClient => "router-client",
            IssuedKind::RouterServer => "router-server",
            IssuedKind::Session => "session",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "client" => Some(IssuedKind::Client),
            "router-client" => Some(IssuedKind::RouterClient),
            "router-server" => Some(IssuedKind::RouterServer),
            "session" => Some(IssuedKind::Session),
            _ => None,
        }
    }
}

/// A session certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionCert {
    /// Its id: the lower-case hex SHA-256 fingerprint.
    pub id: String,
    /// The API session.
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
    pub not_before: UnixTime,
    /// End of validity.
    pub not_after: UnixTime,
}

/// Who a verified client certificate speaks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertPrincipal {
    /// The identity.
    pub identity_id: String,
    /// The cert authenticator, for an authenticator's certificate.
    pub authenticator_id: Option<String>,
    /// The API session, for a session certificate.
    pub session_id: Option<String>,
    /// Whether the leaf is the authenticator's pending (not yet verified)
    /// certificate.
    pub pending: bool,
    /// The leaf's fingerprint.
    pub fingerprint: String,
}

/// The trust anchor a certificate chain verified to
/// ([`Enrollment::verify_certificate`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustedCa {
    /// The tenant's internal CA.
    Internal,
    /// A verified external CA.
    External {
        /// The external CA's id.
        ca_id: String,
    },
}

/// A certificate chain that verified to one of the tenant's trusted CAs
/// ([`Enrollment::verify_certificate`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CertVerification {
    /// The CA the chain ends at.
    pub anchor: TrustedCa,
    /// CA certificates on the verified path above the leaf, the anchor
    /// included (1: the anchor issued the leaf directly).
    pub depth: usize,
    /// Lower-case hex SHA-256 fingerprints of the path, from the leaf to
    /// the anchor (inclusive).
    pub path_fingerprints: Vec<String>,
    /// The leaf's fingerprint.
    pub fingerprint: String,
    /// The leaf's subject common name, if any.
    pub common_name: Option<String>,
    /// The leaf's start of validity.
    pub not_before: UnixTime,
    /// The leaf's end of validity.
    pub not_after: UnixTime,
}

/// Feeds `data` as an enrollment JWT to the parser, and to the verifier
/// with a fixed JWKS (fuzzing entry point).
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub fn fuzz_enrollment_jwt(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(c) = parse_enrollment_jwt(&text) {
        let _ = c.method.as_str();
    }
    if let Ok(k) = crate::jose::Jwk::from_pem(crate::identities::FUZZ_SIGNER_PEM, Some("k1".into()))
    {
        if let Ok(jwks) = crate::jose::Jwks::new(vec![k]) {
            let _ = verify_enrollment_jwt(&text, &jwks, "credcycle", UnixTime(1_700_000_000));
        }
    }
    let _ = check_nonce(&text);
    fuzz_decode_records(data);
}

/// Decodes `data` as every persisted record of this domain (fuzzing entry
/// point).
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub fn fuzz_decode_records(data: &[u8]) {
    record::fuzz_decode(data);
}

#[cfg(test)]
mod tests;
