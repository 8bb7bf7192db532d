//! Result objects of the targets, JOSE, tokens, machine-auth, identities,
//! MFA and client-helper operations: frozen, read-only attributes,
//! equality, and a `repr` that never shows a secret (values shown once —
//! tokens, keys, client secrets, recovery codes, provisioning URIs — print
//! as `<redacted>`).

use credcycle_facade as facade;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use zeroize::Zeroizing;

/// `json.loads(text)`.
pub fn json_loads(py: Python<'_>, text: &str) -> PyResult<Py<PyAny>> {
    Ok(py.import("json")?.call_method1("loads", (text,))?.unbind())
}

fn shown(z: Zeroizing<String>) -> String {
    z.as_str().to_owned()
}

fn shown_opt(z: Option<Zeroizing<String>>) -> Option<String> {
    z.map(shown)
}

fn shown_vec(z: Vec<Zeroizing<String>>) -> Vec<String> {
    z.into_iter().map(shown).collect()
}

fn conv_vec<A, B: From<A>>(v: Vec<A>) -> Vec<B> {
    v.into_iter().map(B::from).collect()
}

fn conv_opt<A, B: From<A>>(v: Option<A>) -> Option<B> {
    v.map(B::from)
}

/// Declares a frozen Python record mirroring a facade type: `plain` fields
/// are moved, `conv` fields converted by the given function, `secret`
/// fields converted and hidden from `repr`.
macro_rules! record {
    (
        $(#[$meta:meta])*
        $name:ident <- $src:ty,
        [$($f:ident : $t:ty),* $(,)?],
        [$($g:ident : $gt:ty => $conv:expr),* $(,)?],
        [$($s:ident : $st:ty => $sconv:expr),* $(,)?]
        $(, { $($extra:tt)* })?
    ) => {
        $(#[$meta])*
        #[pyclass(frozen, get_all, eq, module = "credcycle._native")]
        #[derive(Clone, PartialEq)]
        pub struct $name {
            $($f: $t,)*
            $($g: $gt,)*
            $($s: $st,)*
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let mut parts: Vec<String> = Vec::new();
                $(parts.push(format!("{}={:?}", stringify!($f), self.$f));)*
                $(parts.push(format!("{}={:?}", stringify!($g), self.$g));)*
                $(parts.push(format!("{}=<redacted>", stringify!($s)));)*
                write!(f, "{}({})", stringify!($name), parts.join(", "))
            }
        }

        #[pymethods]
        impl $name {
            fn __repr__(&self) -> String {
                format!("{self:?}")
            }
            $($($extra)*)?
        }

        impl From<$src> for $name {
            fn from(src: $src) -> Self {
                $name {
                    $($f: src.$f,)*
                    $($g: ($conv)(src.$g),)*
                    $($s: ($sconv)(src.$s),)*
                }
            }
        }
    };
}

record!(
    /// A target's HMAC signing key (never the key).
    SigningKeyInfo <- facade::SigningKeyInfo,
    [number: u64, create_time: i64, expire_time: Option<i64>], [], []
);

record!(
    /// A receiver's public encryption key on a target.
    EncryptionKeyInfo <- facade::EncryptionKeyInfo,
    [fingerprint: String, kind: String, algorithm: String, create_time: i64,
     expire_time: Option<i64>, active: bool], [], []
);

record!(
    /// An action target (signing keys are never included).
    TargetInfo <- facade::TargetInfo,
    [id: String, name: String, endpoint: String, timeout_ms: u64, target_type: String,
     interrupt_on_error: bool, payload_type: String, scheme: String,
     signature_header: String, create_time: i64, change_date: i64],
    [signing_keys: Vec<SigningKeyInfo> => conv_vec,
     encryption_keys: Vec<EncryptionKeyInfo> => conv_vec],
    []
);

record!(
    /// A new target and its first signing key (`whsec_…`, shown once).
    CreatedTarget <- facade::CreatedTargetInfo,
    [], [target: TargetInfo => TargetInfo::from], [signing_key: String => shown]
);

record!(
    /// What a target update did; `signing_key` is the new key when one was
    /// made.
    TargetUpdate <- facade::TargetUpdateResult,
    [change_date: i64], [], [signing_key: Option<String> => shown_opt]
);

/// The exact request to send to a target: headers (content-type first)
/// and body.
#[pyclass(frozen, eq, module = "credcycle._native")]
#[derive(Clone, Debug, PartialEq)]
pub struct SignedRequest {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

#[pymethods]
impl SignedRequest {
    /// Headers as `(name, value)` pairs.
    #[getter]
    fn headers(&self) -> Vec<(String, String)> {
        self.headers.clone()
    }

    /// The body.
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.body)
    }

    /// The value of header `name` (case-insensitive), or None.
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }

    fn __repr__(&self) -> String {
        format!(
            "SignedRequest(headers={:?}, body=<{} bytes>)",
            self.headers,
            self.body.len()
        )
    }
}

impl From<facade::SignedRequestInfo> for SignedRequest {
    fn from(r: facade::SignedRequestInfo) -> Self {
        SignedRequest {
            headers: r.headers.into_iter().map(|h| (h.name, h.value)).collect(),
            body: r.body,
        }
    }
}

record!(
    /// The engine's token-signing key.
    TokenSigningKey <- facade::TokenSigningKeyInfo,
    [kms_key: String, kms_version: u32, kid: String], [], []
);

record!(
    /// A verified JWT: `header` and `claims` are dicts.
    VerifiedJwt <- facade::VerifiedJwtInfo,
    [algorithm: String, kid: Option<String>, header_json: String, claims_json: String], [], [],
    {
        /// The protected header.
        #[getter]
        fn header(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
            json_loads(py, &self.header_json)
        }
        /// The claims.
        #[getter]
        fn claims(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
            json_loads(py, &self.claims_json)
        }
    }
);

record!(
    /// What a verified webhook carried.
    VerifiedWebhook <- facade::VerifiedWebhook,
    [timestamp: i64, message_id: String], [], []
);

record!(
    /// A named reference (owner, organization).
    EntityRef <- facade::EntityRef,
    [name: String, id: String], [], [],
    {
        #[new]
        #[pyo3(signature = (name, id))]
        fn new(name: String, id: String) -> Self {
            EntityRef { name, id }
        }
    }
);

impl From<EntityRef> for facade::EntityRef {
    fn from(e: EntityRef) -> Self {
        facade::EntityRef {
            name: e.name,
            id: e.id,
        }
    }
}

record!(
    /// An API token (never its value).
    ApiToken <- facade::ApiTokenInfo,
    [id: String, name: String, token_type: String, expiration_time: i64,
     require_rotation: Option<bool>, token_rotation: String, state: String,
     revoke_reason: Option<String>, has_refresh_token: bool, create_time: i64,
     update_time: i64],
    [owner: Option<EntityRef> => conv_opt, org: Option<EntityRef> => conv_opt],
    []
);

record!(
    /// A new API token: its value and refresh token are shown once.
    CreatedToken <- facade::CreatedTokenInfo,
    [], [token: ApiToken => ApiToken::from],
    [value: String => shown, refresh_token: Option<String> => shown_opt]
);

record!(
    /// A successful token use; `rotated_value` replaces the presented value
    /// when the rotation policy rotated it.
    TokenUse <- facade::TokenUseInfo,
    [], [token: ApiToken => ApiToken::from], [rotated_value: Option<String> => shown_opt]
);

record!(
    /// A refresh exchange: the new value and the next refresh token.
    Refreshed <- facade::RefreshedInfo,
    [], [token: ApiToken => ApiToken::from],
    [value: String => shown, refresh_token: Option<String> => shown_opt]
);

record!(
    /// Universal-auth settings of a machine identity.
    UniversalAuth <- facade::UniversalAuthInfo,
    [identity_id: String, client_id: String, client_secret_trusted_ips: Vec<String>,
     access_token_trusted_ips: Vec<String>, access_token_ttl: u32,
     access_token_max_ttl: u32, access_token_num_uses_limit: u32,
     access_token_period: u32, lockout_enabled: bool, lockout_threshold: u32,
     lockout_duration_secs: u32, lockout_counter_reset_secs: u32, create_time: i64,
     update_time: i64], [], []
);

record!(
    /// A machine identity.
    MachineIdentity <- facade::MachineIdentityInfo,
    [id: String, name: String, create_time: i64, update_time: i64],
    [universal_auth: Option<UniversalAuth> => conv_opt], []
);

record!(
    /// A client secret (never the secret).
    ClientSecretInfo <- facade::ClientSecretInfo,
    [id: String, identity_id: String, description: String, prefix: String, ttl_secs: u32,
     num_uses: u32, num_uses_limit: u32, state: String, create_time: i64,
     expires_at: Option<i64>, last_used_at: Option<i64>], [], []
);

record!(
    /// A new client secret, shown once.
    CreatedClientSecret <- facade::CreatedClientSecretInfo,
    [client_id: String], [info: ClientSecretInfo => ClientSecretInfo::from],
    [secret: String => shown]
);

record!(
    /// An access token (never the token).
    AccessTokenInfo <- facade::AccessTokenInfo,
    [id: String, identity_id: String, client_secret_id: String, create_time: i64,
     expires_at: Option<i64>, max_expires_at: Option<i64>, ttl_secs: u32,
     max_ttl_secs: u32, period_secs: u32, num_uses: u32, num_uses_limit: u32], [], []
);

record!(
    /// A login's access token, shown once.
    AccessTokenGrant <- facade::AccessTokenGrantInfo,
    [expires_in: u64, access_token_max_ttl: u32, token_type: String],
    [info: AccessTokenInfo => AccessTokenInfo::from],
    [access_token: String => shown]
);

record!(
    /// An identity; `tags` is a dict.
    Identity <- facade::IdentityInfo,
    [id: String, name: String, tags_json: String, create_time: i64, update_time: i64], [], [],
    {
        /// Tags (values are str, bool or None).
        #[getter]
        fn tags(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
            json_loads(py, &self.tags_json)
        }
    }
);

record!(
    /// An authenticator (never its password hash).
    Authenticator <- facade::AuthenticatorInfo,
    [id: String, identity_id: String, method: String, username: Option<String>,
     cert_fingerprint: Option<String>, password_change_required: bool, tags_json: String,
     create_time: i64, update_time: i64], [], [],
    {
        /// Tags (values are str, bool or None).
        #[getter]
        fn tags(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
            json_loads(py, &self.tags_json)
        }
    }
);

record!(
    /// An external JWT signer.
    ExtJwtSigner <- facade::ExtJwtSignerInfo,
    [id: String, name: String, issuer: String, audience: String, keys: String,
     keys_are_pem: bool, identity_claim: String, claim_match: String, enabled: bool,
     create_time: i64], [], []
);

record!(
    /// An API session (never its token); `env_info`/`sdk_info` are dicts.
    Session <- facade::SessionInfo,
    [id: String, identity_id: String, auth_method: String, authenticator_id: Option<String>,
     create_time: i64, last_activity_time: i64, expires_at: i64, mfa_required: bool,
     mfa_complete: bool, password_change_required: bool, env_info_json: String,
     sdk_info_json: String, config_types: Vec<String>], [], [],
    {
        /// Client environment given at login.
        #[getter]
        fn env_info(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
            json_loads(py, &self.env_info_json)
        }
        /// Client SDK given at login.
        #[getter]
        fn sdk_info(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
            json_loads(py, &self.sdk_info_json)
        }
    }
);

record!(
    /// A new API session: its token (`ccas_…`) is shown once.
    NewSession <- facade::NewSessionInfo,
    [], [session: Session => Session::from], [token: String => shown]
);

/// A new MFA enrollment: the provisioning URI, recovery codes (shown
/// once) and the URI as a PNG QR code.
#[pyclass(frozen, eq, module = "credcycle._native")]
#[derive(Clone, PartialEq)]
pub struct MfaEnrollment {
    provisioning_uri: String,
    recovery_codes: Vec<String>,
    qr_png: Vec<u8>,
}

#[pymethods]
impl MfaEnrollment {
    /// The `otpauth://totp/…` URI (holds the secret).
    #[getter]
    fn provisioning_uri(&self) -> String {
        self.provisioning_uri.clone()
    }

    /// One-time recovery codes.
    #[getter]
    fn recovery_codes(&self) -> Vec<String> {
        self.recovery_codes.clone()
    }

    /// The URI as a PNG image.
    #[getter]
    fn qr_png<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.qr_png)
    }

    fn __repr__(&self) -> String {
        format!(
            "MfaEnrollment(provisioning_uri=<redacted>, recovery_codes=<{} redacted>, qr_png=<{} bytes>)",
            self.recovery_codes.len(),
            self.qr_png.len()
        )
    }
}

impl From<facade::MfaEnrollmentInfo> for MfaEnrollment {
    fn from(e: facade::MfaEnrollmentInfo) -> Self {
        MfaEnrollment {
            provisioning_uri: shown(e.provisioning_uri),
            recovery_codes: shown_vec(e.recovery_codes),
            qr_png: e.qr_png,
        }
    }
}

record!(
    /// An identity's MFA state.
    MfaStatus <- facade::MfaStatusInfo,
    [enrolled: bool, verified: bool, algorithm: Option<String>, digits: Option<u32>,
     period: Option<u32>, recovery_codes_remaining: u32, create_time: Option<i64>,
     locked_until: Option<i64>], [],
    [provisioning_uri: Option<String> => shown_opt]
);

record!(
    /// Recovery codes (when they may still be shown) and how many are left.
    RecoveryCodes <- facade::RecoveryCodesInfo,
    [remaining: u32], [],
    [codes: Option<Vec<String>> => |c: Option<Vec<Zeroizing<String>>>| c.map(shown_vec)]
);

record!(
    /// A parsed certificate.
    CertificateInfo <- facade::CertificateInfo,
    [pem: String, subject: String, common_name: Option<String>, serial_hex: String,
     fingerprint: String, not_before: i64, not_after: i64, key_type: String, is_ca: bool,
     dns_names: Vec<String>, ip_addresses: Vec<String>, uris: Vec<String>], [], []
);

record!(
    /// The tenant's internal CA.
    CaInfo <- facade::CaInfo,
    [key_id: String, key_type: String, trust_domain: String, chain_pem: String,
     create_time: i64, imported: bool],
    [certificate: CertificateInfo => CertificateInfo::from], []
);

record!(
    /// An issued certificate.
    IssuedCert <- facade::IssuedCertInfo,
    [pem: String, chain_pem: String, serial_hex: String, fingerprint: String,
     not_before: i64, not_after: i64, spiffe_id: String, key_type: String], [], []
);

record!(
    /// A client chain that verified.
    VerifiedChain <- facade::VerifiedChainInfo,
    [path_fingerprints: Vec<String>, anchor_pem: String],
    [leaf: CertificateInfo => CertificateInfo::from], []
);

record!(
    /// A certificate chain that verified to one of the tenant's trusted CAs
    /// (`anchor` is `internal` or `external`, with `ca_id`).
    CertVerification <- facade::CertVerificationInfo,
    [anchor: String, ca_id: Option<String>, depth: u32, path_fingerprints: Vec<String>,
     fingerprint: String, common_name: Option<String>, not_before: i64, not_after: i64],
    [], []
);

record!(
    /// The claims of an enrollment JWT; `jti` (the one-time token) is
    /// hidden from `repr`.
    EnrollmentClaims <- facade::EnrollmentClaimsInfo,
    [method: String, sub: String, iss: String, exp: i64, iat: Option<i64>, kid: String],
    [], [jti: String => shown]
);

record!(
    /// A new private key (PKCS#8 PEM, hidden from `repr`) and its CSR.
    ClientKey <- facade::ClientKeyInfo,
    [csr_pem: String], [], [key_pkcs8_pem: String => shown]
);

record!(
    /// An enrollment (never its token).
    EnrollmentInfo <- facade::EnrollmentInfo,
    [id: String, identity_id: String, method: String, ca_id: Option<String>,
     username: Option<String>, dns_names: Vec<String>, ip_addresses: Vec<String>,
     state: String, create_time: i64, expires_at: i64, used_at: Option<i64>,
     authenticator_id: Option<String>], [], []
);

record!(
    /// A new or re-issued enrollment; `jwt` is shown once.
    NewEnrollment <- facade::NewEnrollmentInfo,
    [], [enrollment: EnrollmentInfo => EnrollmentInfo::from], [jwt: String => shown]
);

record!(
    /// The certificate of an enrollment or extension.
    EnrolledCert <- facade::EnrolledCertInfo,
    [identity_id: String, authenticator_id: String, certificate_pem: String,
     chain_pem: String, fingerprint: String], [], []
);

record!(
    /// A router's client and server certificates.
    RouterCerts <- facade::RouterCertsInfo,
    [server_certificate_pem: String, server_chain_pem: String],
    [client: EnrolledCert => EnrolledCert::from], []
);

record!(
    /// An external certificate authority.
    ExternalCa <- facade::ExternalCaInfo,
    [id: String, name: String, certificate_pem: String, fingerprint: String, verified: bool,
     verification_token: Option<String>, auto_enrollment: bool, ott_ca_enrollment: bool,
     auth_enabled: bool, identity_name_format: String, create_time: i64], [], []
);

record!(
    /// The extension state of a cert authenticator.
    CertStatus <- facade::CertStatusInfo,
    [authenticator_id: String, fingerprint: String, pending_fingerprint: Option<String>,
     not_after: Option<i64>, issued_by_engine: bool, request_extend: bool,
     request_key_roll: bool, last_extend_time: Option<i64>,
     last_extend_key_changed: Option<bool>], [], []
);

record!(
    /// A certificate of an API session.
    SessionCert <- facade::SessionCertInfo,
    [id: String, session_id: String, identity_id: String, certificate_pem: String,
     chain_pem: String, serial: String, not_before: i64, not_after: i64], [], []
);

record!(
    /// Who a client certificate speaks for.
    CertPrincipal <- facade::CertPrincipalInfo,
    [identity_id: String, authenticator_id: Option<String>, session_id: Option<String>,
     pending: bool, fingerprint: String], [], []
);

record!(
    /// A signed answer to an enrollment challenge. A client that received
    /// one over the network builds it with `Challenge(algorithm, kid,
    /// signature, ca_pool)`.
    Challenge <- facade::ChallengeInfo,
    [algorithm: String, kid: String, signature: String, ca_pool: String], [], [],
    {
        #[new]
        fn new(algorithm: String, kid: String, signature: String, ca_pool: String) -> Self {
            Challenge { algorithm, kid, signature, ca_pool }
        }
    }
);

impl From<&Challenge> for facade::ChallengeInfo {
    fn from(c: &Challenge) -> Self {
        facade::ChallengeInfo {
            algorithm: c.algorithm.clone(),
            kid: c.kid.clone(),
            signature: c.signature.clone(),
            ca_pool: c.ca_pool.clone(),
        }
    }
}
