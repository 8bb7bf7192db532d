//! Identities, their authenticators, external-JWT signers, and API sessions
//! (SEMANTICS.md §E; seed `003_…`, OpenZiti Edge Client "Authentication",
//! "Current API Session" and "Current Identity" authenticators).
//!
//! - An **identity** has a unique name, tags and times. Deleting it deletes
//!   its authenticators, API sessions, MFA enrollment and lockout counters
//!   in one commit.
//! - **Authenticators**: `updb` (username 4..=100 and password counted in
//!   code points, stored as an argon2id PHC string) and `cert` (SHA-256
//!   fingerprint of the current certificate, filled by enrollment).
//! - **External-JWT signers** name an issuer, an audience, verification keys
//!   (inline JWKS or PEM) and the claim that names the identity.
//! - [`Identities::authenticate`] returns an **API session**: an opaque bearer
//!   token (the shared [`crate::token`] format, prefix `ccas`; only its
//!   SHA-256 digest is stored) with a sliding idle timeout and an absolute
//!   lifetime. A session of an identity with verified MFA starts with
//!   `mfa_required = true, mfa_complete = false` and may then only do MFA
//!   operations ([`crate::mfa::Mfa`]), read itself and log out; every other
//!   call answers [`crate::Error::MfaRequired`].
//!
//! Who a call acts for is a [`Subject`]: the identity of a live session
//! token (the seed's `current-identity` endpoints) or, for trusted callers
//! such as an administrator or the CLI, an identity id.
//!
//! Lockout: consecutive wrong passwords — at login or as `current_password`
//! — are counted per identity in the store (so the count holds across
//! sessions, engines and processes); at the policy threshold (default 5)
//! password authentication is locked for the policy duration (default 300 s)
//! and a success resets the count.

pub(crate) mod context;
mod extjwt;
mod ops;
pub(crate) mod password;
pub(crate) mod record;

use std::collections::BTreeMap;
use std::fmt;

pub use ops::Identities;
pub use password::{
    MAX_PASSWORD_LEN, PasswordBlocklist, PasswordHashParams, SALT_LEN, SEED_MIN_PASSWORD_LEN,
    StaticBlocklist,
};

use crate::services::UnixTime;

/// Shortest username, in code points.
pub const MIN_USERNAME_LEN: usize = 4;
/// Longest username, in code points.
pub const MAX_USERNAME_LEN: usize = 100;
/// Longest identity name, in code points.
pub const MAX_IDENTITY_NAME_LEN: usize = 128;
/// Most tags on one record.
pub const MAX_TAGS: usize = 64;
/// Longest tag name, in bytes.
pub const MAX_TAG_NAME_BYTES: usize = 128;
/// Longest string tag value, in bytes.
pub const MAX_TAG_VALUE_BYTES: usize = 1024;
/// Longest `env_info` / `sdk_info` field, in bytes.
pub const MAX_INFO_FIELD_BYTES: usize = 256;
/// Most `config_types` entries.
pub const MAX_CONFIG_TYPES: usize = 64;
/// Longest `config_types` entry, in bytes.
pub const MAX_CONFIG_TYPE_BYTES: usize = 128;
/// The prefix of API session tokens.
pub const SESSION_TOKEN_PREFIX: &str = "ccas";

/// Who an operation acts for.
#[derive(Clone, Copy)]
pub enum Subject<'a> {
    /// The identity of this live API session token (it is checked, and its
    /// idle timeout slides).
    Session(&'a str),
    /// The identity with this id, for trusted callers (administration, the
    /// CLI). No session rules apply.
    Identity(&'a str),
}

impl fmt::Debug for Subject<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Session(_) => f.write_str("Subject::Session(<redacted>)"),
            Subject::Identity(id) => write!(f, "Subject::Identity({id})"),
        }
    }
}

/// A tag value: the seed allows only null, a string or a boolean.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagValue {
    /// `null`.
    Null,
    /// A string (≤ 1024 bytes).
    String(String),
    /// A boolean.
    Bool(bool),
}

/// User-defined fields of a record. Deserializing (e.g. from JSON) accepts
/// only null, string and boolean values.
pub type Tags = BTreeMap<String, TagValue>;

impl serde::Serialize for TagValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            TagValue::Null => s.serialize_unit(),
            TagValue::String(v) => s.serialize_str(v),
            TagValue::Bool(b) => s.serialize_bool(*b),
        }
    }
}

impl<'de> serde::Deserialize<'de> for TagValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = TagValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("null, a string or a boolean")
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<TagValue, E> {
                Ok(TagValue::Null)
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<TagValue, E> {
                Ok(TagValue::Null)
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<TagValue, E> {
                Ok(TagValue::Bool(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<TagValue, E> {
                Ok(TagValue::String(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<TagValue, E> {
                Ok(TagValue::String(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// Parses tags from a JSON object whose values are null, strings or
/// booleans, and checks the limits.
///
/// # Errors
/// [`crate::Error::InvalidInput`] naming `tags`: not an object, another
/// value type (number, array, object), or a limit.
pub fn tags_from_json(json: &str) -> crate::Result<Tags> {
    let tags: Tags = serde_json::from_str(json).map_err(|_| {
        crate::Error::invalid(
            "tags",
            "must be a JSON object whose values are null, strings or booleans",
        )
    })?;
    ops::check_tags(&tags)?;
    Ok(tags)
}

/// An identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// UUID.
    pub id: String,
    /// Unique name in the tenant.
    pub name: String,
    /// Tags.
    pub tags: Tags,
    /// Creation time.
    pub create_time: UnixTime,
    /// Last change.
    pub update_time: UnixTime,
}

/// What [`Identities::create`] takes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateIdentity {
    /// Name: 1..=128 code points, no control characters or `/`.
    pub name: String,
    /// Tags.
    pub tags: Tags,
}

impl CreateIdentity {
    /// A request with a name and no tags.
    pub fn new(name: impl Into<String>) -> Self {
        CreateIdentity {
            name: name.into(),
            tags: Tags::new(),
        }
    }
}

/// The kind of an authenticator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthenticatorMethod {
    /// Username and password (`updb`).
    Updb,
    /// Client certificate (`cert`).
    Cert,
}

impl AuthenticatorMethod {
    /// `updb` or `cert`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthenticatorMethod::Updb => "updb",
            AuthenticatorMethod::Cert => "cert",
        }
    }
}

/// An authenticator as shown to its owner (never the password hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticator {
    /// UUID.
    pub id: String,
    /// The identity it belongs to.
    pub identity_id: String,
    /// `updb` or `cert`.
    pub method: AuthenticatorMethod,
    /// Username (`updb`).
    pub username: Option<String>,
    /// Lower-case hex SHA-256 of the current certificate (`cert`).
    pub cert_fingerprint: Option<String>,
    /// Whether the password was marked compromised and must be changed at
    /// the next login (NIST 800-63B §5.1.1.2; SECURITY-REQUIREMENTS PW-10).
    pub password_change_required: bool,
    /// Tags.
    pub tags: Tags,
    /// Creation time.
    pub create_time: UnixTime,
    /// Last change.
    pub update_time: UnixTime,
}

/// The seed's authenticator PUT: every field but `tags` is required.
#[derive(Clone)]
pub struct UpdateAuthenticator {
    /// New username (4..=100 code points).
    pub username: String,
    /// New password.
    pub password: zeroize::Zeroizing<String>,
    /// The current password (a wrong one counts toward the lockout).
    pub current_password: zeroize::Zeroizing<String>,
    /// New tags (`None` = no tags).
    pub tags: Option<Tags>,
}

impl fmt::Debug for UpdateAuthenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpdateAuthenticator")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("current_password", &"<redacted>")
            .field("tags", &self.tags)
            .finish()
    }
}

/// The seed's authenticator PATCH: only `current_password` is required;
/// unset fields are untouched.
#[derive(Clone, Default)]
pub struct PatchAuthenticator {
    /// New username.
    pub username: Option<String>,
    /// New password.
    pub password: Option<zeroize::Zeroizing<String>>,
    /// The current password (required; a wrong one counts toward the
    /// lockout).
    pub current_password: zeroize::Zeroizing<String>,
    /// New tags: `Some(None)` clears them.
    pub tags: Option<Option<Tags>>,
}

impl fmt::Debug for PatchAuthenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PatchAuthenticator")
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("current_password", &"<redacted>")
            .field("tags", &self.tags)
            .finish()
    }
}

/// Which identity an external JWT names, through the configured claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum IdentityClaimMatch {
    /// The claim holds the identity id.
    #[default]
    Id,
    /// The claim holds the identity name.
    Name,
}

/// Verification keys of an external JWT signer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignerKeys {
    /// A JWKS document (`{"keys": [...]}`), inline.
    Jwks(String),
    /// One PEM public key (`PUBLIC KEY`, SubjectPublicKeyInfo).
    Pem(String),
}

/// An external JWT signer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtJwtSigner {
    /// UUID.
    pub id: String,
    /// Unique name.
    pub name: String,
    /// The `iss` tokens must carry.
    pub issuer: String,
    /// The `aud` tokens must carry.
    pub audience: String,
    /// Verification keys.
    pub keys: SignerKeys,
    /// The claim that names the identity (default `sub`).
    pub identity_claim: String,
    /// How the claim names the identity.
    pub claim_match: IdentityClaimMatch,
    /// Whether tokens of this signer are accepted.
    pub enabled: bool,
    /// Creation time.
    pub create_time: UnixTime,
}

/// What [`Identities::create_ext_jwt_signer`] takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateExtJwtSigner {
    /// Unique name (1..=64 of `[A-Za-z0-9_.-]`).
    pub name: String,
    /// Issuer (1..=1024 bytes).
    pub issuer: String,
    /// Audience (1..=1024 bytes).
    pub audience: String,
    /// Verification keys.
    pub keys: SignerKeys,
    /// Claim naming the identity (default `sub`).
    pub identity_claim: Option<String>,
    /// How the claim names the identity (default by id).
    pub claim_match: IdentityClaimMatch,
}

/// Environment information an authenticating client may provide (seed
/// `envInfo`). Each field ≤ 256 bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnvInfo {
    /// CPU architecture.
    pub arch: Option<String>,
    /// Operating system.
    pub os: Option<String>,
    /// OS release.
    pub os_release: Option<String>,
    /// OS version.
    pub os_version: Option<String>,
    /// Domain.
    pub domain: Option<String>,
    /// Host name.
    pub hostname: Option<String>,
}

/// SDK information an authenticating client may provide (seed `sdkInfo`).
/// Each field ≤ 256 bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SdkInfo {
    /// Application id.
    pub app_id: Option<String>,
    /// Application version.
    pub app_version: Option<String>,
    /// Branch.
    pub branch: Option<String>,
    /// Revision.
    pub revision: Option<String>,
    /// SDK type.
    pub sdk_type: Option<String>,
    /// SDK version.
    pub version: Option<String>,
}

/// How a client authenticates.
#[derive(Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// `password`: username and password.
    Password {
        /// Username.
        username: String,
        /// Password.
        password: zeroize::Zeroizing<String>,
    },
    /// `cert`: the client certificate chain, leaf first (DER).
    Cert {
        /// DER certificates, leaf first.
        chain: Vec<Vec<u8>>,
    },
    /// `ext-jwt`: a JWT from a registered external signer.
    ExtJwt {
        /// The compact JWT.
        token: zeroize::Zeroizing<String>,
    },
}

impl Credentials {
    /// The seed's method name: `password`, `cert` or `ext-jwt`.
    pub fn method(&self) -> &'static str {
        match self {
            Credentials::Password { .. } => "password",
            Credentials::Cert { .. } => "cert",
            Credentials::ExtJwt { .. } => "ext-jwt",
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Password { username, .. } => f
                .debug_struct("Password")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Credentials::Cert { chain } => f
                .debug_struct("Cert")
                .field("certificates", &chain.len())
                .finish(),
            Credentials::ExtJwt { .. } => f.write_str("ExtJwt(<redacted>)"),
        }
    }
}

/// What [`Identities::authenticate`] takes.
#[derive(Clone, Debug)]
pub struct AuthRequest {
    /// The method and its credentials.
    pub credentials: Credentials,
    /// Optional client environment, recorded on the session.
    pub env_info: Option<EnvInfo>,
    /// Optional SDK information, recorded on the session.
    pub sdk_info: Option<SdkInfo>,
    /// Configuration types the client asks for, recorded on the session
    /// (≤ 64 entries of ≤ 128 bytes).
    pub config_types: Vec<String>,
}

impl AuthRequest {
    /// `password` authentication.
    pub fn password(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self::with(Credentials::Password {
            username: username.into(),
            password: zeroize::Zeroizing::new(password.into()),
        })
    }

    /// `cert` authentication with a DER chain, leaf first.
    pub fn cert(chain: Vec<Vec<u8>>) -> Self {
        Self::with(Credentials::Cert { chain })
    }

    /// `ext-jwt` authentication.
    pub fn ext_jwt(token: impl Into<String>) -> Self {
        Self::with(Credentials::ExtJwt {
            token: zeroize::Zeroizing::new(token.into()),
        })
    }

    fn with(credentials: Credentials) -> Self {
        AuthRequest {
            credentials,
            env_info: None,
            sdk_info: None,
            config_types: Vec::new(),
        }
    }

    /// Sets `env_info`.
    pub fn env_info(mut self, e: EnvInfo) -> Self {
        self.env_info = Some(e);
        self
    }

    /// Sets `sdk_info`.
    pub fn sdk_info(mut self, s: SdkInfo) -> Self {
        self.sdk_info = Some(s);
        self
    }

    /// Sets `config_types`.
    pub fn config_types(mut self, c: Vec<String>) -> Self {
        self.config_types = c;
        self
    }
}

/// An API session (never its token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiSession {
    /// UUID (not the token).
    pub id: String,
    /// The identity.
    pub identity_id: String,
    /// `password`, `cert` or `ext-jwt`.
    pub auth_method: String,
    /// The authenticator or signer that authenticated it.
    pub authenticator_id: Option<String>,
    /// Creation time.
    pub create_time: UnixTime,
    /// Last use.
    pub last_activity_time: UnixTime,
    /// When it expires unless used again (idle timeout, capped by the
    /// absolute lifetime).
    pub expires_at: UnixTime,
    /// Whether the identity had verified MFA when the session was created
    /// (or completed enrollment in it).
    pub mfa_required: bool,
    /// Whether the second factor was given in this session.
    pub mfa_complete: bool,
    /// Whether the password must be changed before anything else.
    pub password_change_required: bool,
    /// Recorded client environment.
    pub env_info: Option<EnvInfo>,
    /// Recorded SDK information.
    pub sdk_info: Option<SdkInfo>,
    /// Recorded configuration types.
    pub config_types: Vec<String>,
}

impl ApiSession {
    /// Whether the session still owes its second factor.
    pub fn mfa_pending(&self) -> bool {
        self.mfa_required && !self.mfa_complete
    }
}

/// A new API session and its token, shown once. `Debug` redacts the token.
pub struct NewApiSession {
    token: zeroize::Zeroizing<String>,
    /// The session.
    pub session: ApiSession,
}

impl NewApiSession {
    /// The bearer token to hand to the client once.
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl fmt::Debug for NewApiSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewApiSession")
            .field("token", &"ccas_<redacted>")
            .field("session", &self.session)
            .finish()
    }
}

/// Decodes `data` as every persisted record of this domain (fuzzing entry
/// point).
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub fn fuzz_decode_records(data: &[u8]) {
    record::fuzz_decode(data);
}

/// The signer key of [`fuzz_ext_jwt`] (a valid P-256 key).
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) const FUZZ_SIGNER_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAENZeiyL3mDe9FxiuJbNTrSp2HAFgb\nqMVUc0HvNsx9OcA+fgDLPkXJ8d1Nb4AwGm9L0mHK953OBCJ0Fp3nP6gnnw==\n-----END PUBLIC KEY-----\n";

/// Feeds `data` as an external JWT to the ext-jwt verifier with a fixed
/// signer (fuzzing entry point).
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub fn fuzz_ext_jwt(data: &[u8]) {
    let signer = record::SignerRecord {
        id: "s".into(),
        name: "s".into(),
        issuer: "https://issuer.example".into(),
        audience: "credcycle".into(),
        key_kind: "pem".into(),
        keys: FUZZ_SIGNER_PEM.into(),
        identity_claim: "sub".into(),
        claim_match: "id".into(),
        enabled: true,
        create_time: 0,
    };
    let text = String::from_utf8_lossy(data);
    let _ = extjwt::verify(
        std::slice::from_ref(&signer),
        &text,
        UnixTime(1_700_000_000),
    );
    let _ = extjwt::check_keys(&SignerKeys::Jwks(text.to_string()));
    let _ = extjwt::check_keys(&SignerKeys::Pem(text.to_string()));
}

#[cfg(all(test, feature = "fuzzing"))]
#[test]
fn fuzz_signer_key_is_valid() {
    assert!(extjwt::check_keys(&SignerKeys::Pem(FUZZ_SIGNER_PEM.into())).is_ok());
}

#[cfg(test)]
pub(crate) mod tests;
