//! Identities, authenticators (password, certificate), external JWT
//! signers and API sessions.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use credcycle::identities::{
    self as core_id, ApiSession, AuthRequest, Authenticator, CreateExtJwtSigner, CreateIdentity,
    ExtJwtSigner, Identity, IdentityClaimMatch, PatchAuthenticator, SignerKeys,
    UpdateAuthenticator, tags_from_json,
};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Whom an operation is about: the identity of a live API session (the
/// identity acting for itself), or an identity id (an administrator).
#[derive(Clone, PartialEq, Eq)]
pub enum Subject {
    /// The identity behind this session token.
    Session(String),
    /// This identity id.
    Identity(String),
}

impl std::fmt::Debug for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Session(_) => f.write_str("Session(<redacted>)"),
            Subject::Identity(id) => f.debug_tuple("Identity").field(id).finish(),
        }
    }
}

impl Subject {
    pub(crate) fn core(&self) -> core_id::Subject<'_> {
        match self {
            Subject::Session(t) => core_id::Subject::Session(t),
            Subject::Identity(i) => core_id::Subject::Identity(i),
        }
    }
}

pub(crate) fn tags_json(tags: &core_id::Tags) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "{}".to_owned())
}

/// An identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityInfo {
    /// UUID.
    pub id: String,
    /// Unique name.
    pub name: String,
    /// Tags (a JSON object of null, string or boolean values).
    pub tags_json: String,
    /// Creation time.
    pub create_time: i64,
    /// Last change.
    pub update_time: i64,
}

impl From<Identity> for IdentityInfo {
    fn from(i: Identity) -> Self {
        IdentityInfo {
            tags_json: tags_json(&i.tags),
            id: i.id,
            name: i.name,
            create_time: i.create_time.secs(),
            update_time: i.update_time.secs(),
        }
    }
}

/// An authenticator (never its password hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticatorInfo {
    /// UUID.
    pub id: String,
    /// The identity.
    pub identity_id: String,
    /// `updb` (username/password) or `cert`.
    pub method: String,
    /// Username (`updb`).
    pub username: Option<String>,
    /// Certificate fingerprint (`cert`).
    pub cert_fingerprint: Option<String>,
    /// Whether the password must be changed on next login.
    pub password_change_required: bool,
    /// Tags (JSON object).
    pub tags_json: String,
    /// Creation time.
    pub create_time: i64,
    /// Last change.
    pub update_time: i64,
}

impl From<Authenticator> for AuthenticatorInfo {
    fn from(a: Authenticator) -> Self {
        AuthenticatorInfo {
            tags_json: tags_json(&a.tags),
            id: a.id,
            identity_id: a.identity_id,
            method: a.method.as_str().to_owned(),
            username: a.username,
            cert_fingerprint: a.cert_fingerprint,
            password_change_required: a.password_change_required,
            create_time: a.create_time.secs(),
            update_time: a.update_time.secs(),
        }
    }
}

/// An external JWT signer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtJwtSignerInfo {
    /// UUID.
    pub id: String,
    /// Unique name.
    pub name: String,
    /// The `iss` tokens must carry.
    pub issuer: String,
    /// The `aud` tokens must carry.
    pub audience: String,
    /// Verification keys: a JWKS JSON document or a PEM public key.
    pub keys: String,
    /// Whether `keys` is a PEM key (else a JWKS).
    pub keys_are_pem: bool,
    /// The claim naming the identity.
    pub identity_claim: String,
    /// `id` or `name`: what the claim holds.
    pub claim_match: String,
    /// Whether it is used.
    pub enabled: bool,
    /// Creation time.
    pub create_time: i64,
}

impl From<ExtJwtSigner> for ExtJwtSignerInfo {
    fn from(s: ExtJwtSigner) -> Self {
        let (keys, keys_are_pem) = match s.keys {
            SignerKeys::Jwks(j) => (j, false),
            SignerKeys::Pem(p) => (p, true),
            _ => (String::new(), false),
        };
        ExtJwtSignerInfo {
            id: s.id,
            name: s.name,
            issuer: s.issuer,
            audience: s.audience,
            keys,
            keys_are_pem,
            identity_claim: s.identity_claim,
            claim_match: match s.claim_match {
                IdentityClaimMatch::Name => "name",
                _ => "id",
            }
            .to_owned(),
            enabled: s.enabled,
            create_time: s.create_time.secs(),
        }
    }
}

/// An API session (never its token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    /// UUID.
    pub id: String,
    /// The identity.
    pub identity_id: String,
    /// `password`, `cert` or `ext-jwt`.
    pub auth_method: String,
    /// The authenticator used, if any.
    pub authenticator_id: Option<String>,
    /// Creation time.
    pub create_time: i64,
    /// Last activity (slides the idle timeout).
    pub last_activity_time: i64,
    /// Expiry.
    pub expires_at: i64,
    /// Whether the identity has MFA, so the session owes a second factor.
    pub mfa_required: bool,
    /// Whether the second factor was given.
    pub mfa_complete: bool,
    /// Whether the password must be changed first.
    pub password_change_required: bool,
    /// Client environment given at login (JSON object, `{}` if none).
    pub env_info_json: String,
    /// Client SDK given at login (JSON object, `{}` if none).
    pub sdk_info_json: String,
    /// Config types requested at login.
    pub config_types: Vec<String>,
}

fn info_json(pairs: &[(&str, &Option<String>)]) -> String {
    let mut m = serde_json::Map::new();
    for (k, v) in pairs {
        if let Some(v) = v {
            m.insert((*k).to_owned(), serde_json::Value::String(v.clone()));
        }
    }
    serde_json::Value::Object(m).to_string()
}

impl From<ApiSession> for SessionInfo {
    fn from(s: ApiSession) -> Self {
        let env = s.env_info.as_ref().map(|e| {
            info_json(&[
                ("arch", &e.arch),
                ("os", &e.os),
                ("os_release", &e.os_release),
                ("os_version", &e.os_version),
                ("domain", &e.domain),
                ("hostname", &e.hostname),
            ])
        });
        let sdk = s.sdk_info.as_ref().map(|e| {
            info_json(&[
                ("app_id", &e.app_id),
                ("app_version", &e.app_version),
                ("branch", &e.branch),
                ("revision", &e.revision),
                ("type", &e.sdk_type),
                ("version", &e.version),
            ])
        });
        SessionInfo {
            id: s.id,
            identity_id: s.identity_id,
            auth_method: s.auth_method,
            authenticator_id: s.authenticator_id,
            create_time: s.create_time.secs(),
            last_activity_time: s.last_activity_time.secs(),
            expires_at: s.expires_at.secs(),
            mfa_required: s.mfa_required,
            mfa_complete: s.mfa_complete,
            password_change_required: s.password_change_required,
            env_info_json: env.unwrap_or_else(|| "{}".to_owned()),
            sdk_info_json: sdk.unwrap_or_else(|| "{}".to_owned()),
            config_types: s.config_types,
        }
    }
}

/// A new API session: its token (shown once) and metadata.
#[derive(Debug)]
pub struct NewSessionInfo {
    /// The session token (`ccas_…`).
    pub token: Zeroizing<String>,
    /// The session.
    pub session: SessionInfo,
}

/// Credentials of [`Identities::authenticate`].
#[derive(Clone)]
pub enum AuthInput {
    /// Username and password.
    Password {
        /// Username.
        username: String,
        /// Password.
        password: Zeroizing<String>,
    },
    /// A client certificate chain (DER, leaf first), already validated by
    /// the TLS layer.
    Cert {
        /// The chain.
        chain: Vec<Vec<u8>>,
    },
    /// A JWT from a registered external signer.
    ExtJwt {
        /// The token.
        token: Zeroizing<String>,
    },
}

impl std::fmt::Debug for AuthInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AuthInput::Password { .. } => "Password(<redacted>)",
            AuthInput::Cert { .. } => "Cert",
            AuthInput::ExtJwt { .. } => "ExtJwt(<redacted>)",
        })
    }
}

fn parse_info(
    field: &'static str,
    json: &str,
) -> Result<std::collections::BTreeMap<String, String>> {
    serde_json::from_str(json)
        .map_err(|_| Error::invalid(field, "must be a JSON object of string values"))
}

/// The operation names [`Identities::validate_session`] has seen: the
/// engine keeps them as `&'static str`, so each distinct name is stored
/// once, and their number is bounded.
fn operation_name(op: &str) -> Result<&'static str> {
    const MAX_NAMES: usize = 1024;
    const MAX_LEN: usize = 128;
    if op.is_empty() || op.len() > MAX_LEN {
        return Err(Error::invalid(
            "operation",
            format!("must be 1..={MAX_LEN} bytes"),
        ));
    }
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(|| Mutex::new(HashSet::new()))
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(n) = names.get(op) {
        return Ok(n);
    }
    if names.len() >= MAX_NAMES {
        return Err(Error::invalid(
            "operation",
            format!("at most {MAX_NAMES} distinct operation names per process"),
        ));
    }
    let leaked: &'static str = Box::leak(op.to_owned().into_boxed_str());
    names.insert(leaked);
    Ok(leaked)
}

/// Identities, authenticators, external JWT signers and API sessions of one
/// tenant. Cheap to clone, thread-safe.
#[derive(Clone, Debug)]
pub struct Identities {
    pub(crate) inner: credcycle::identities::Identities,
}

impl Identities {
    /// Creates an identity; `tags_json` is a JSON object of null, string or
    /// boolean values (operation `identities.create`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `name`/`tags`; `ALREADY_EXISTS`.
    pub fn create(&self, name: &str, tags_json: Option<&str>) -> Result<IdentityInfo> {
        let mut req = CreateIdentity::new(name);
        if let Some(t) = tags_json {
            req.tags = tags_from_json(t)?;
        }
        Ok(self.inner.create(req)?.into())
    }

    /// An identity by id (operation `identities.get`).
    ///
    /// # Errors
    /// `NOT_FOUND`.
    pub fn get(&self, id: &str) -> Result<IdentityInfo> {
        Ok(self.inner.get(id)?.into())
    }

    /// An identity by name (operation `identities.find_by_name`).
    ///
    /// # Errors
    /// `NOT_FOUND`.
    pub fn find_by_name(&self, name: &str) -> Result<IdentityInfo> {
        Ok(self.inner.find_by_name(name)?.into())
    }

    /// Every identity of the tenant (operation `identities.list`).
    ///
    /// # Errors
    /// Store failures.
    pub fn list(&self) -> Result<Vec<IdentityInfo>> {
        Ok(self
            .inner
            .list()?
            .into_iter()
            .map(IdentityInfo::from)
            .collect())
    }

    /// Deletes an identity with its authenticators, sessions and MFA
    /// (operation `identities.delete`).
    ///
    /// # Errors
    /// `NOT_FOUND`.
    pub fn delete(&self, id: &str) -> Result<()> {
        Ok(self.inner.delete(id)?)
    }

    /// Sets (or replaces) the identity's username/password authenticator
    /// (operation `identities.set_password`).
    ///
    /// # Errors
    /// `POLICY_VIOLATION` for a weak or blocked password; `INVALID_INPUT`.
    pub fn set_password(
        &self,
        identity_id: &str,
        username: &str,
        password: &str,
    ) -> Result<AuthenticatorInfo> {
        Ok(self
            .inner
            .set_password(identity_id, username, password)?
            .into())
    }

    /// Adds a certificate authenticator by fingerprint (operation
    /// `identities.add_cert_authenticator`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `fingerprint`; `ALREADY_EXISTS`.
    pub fn add_cert_authenticator(
        &self,
        identity_id: &str,
        fingerprint: &str,
    ) -> Result<AuthenticatorInfo> {
        Ok(self
            .inner
            .add_cert_authenticator(identity_id, fingerprint)?
            .into())
    }

    /// Forces a password change on next login (operation
    /// `identities.mark_password_compromised`).
    ///
    /// # Errors
    /// `NOT_FOUND`; `INVALID_INPUT` for a non-password authenticator.
    pub fn mark_password_compromised(&self, authenticator_id: &str) -> Result<AuthenticatorInfo> {
        Ok(self
            .inner
            .mark_password_compromised(authenticator_id)?
            .into())
    }

    /// Deletes an authenticator (operation `identities.delete_authenticator`).
    ///
    /// # Errors
    /// `NOT_FOUND`.
    pub fn delete_authenticator(&self, authenticator_id: &str) -> Result<()> {
        Ok(self.inner.delete_authenticator(authenticator_id)?)
    }

    /// The subject's authenticators (operation `identities.authenticators`).
    ///
    /// # Errors
    /// `VERIFICATION_FAILED` for a dead session; `NOT_FOUND`.
    pub fn authenticators(&self, who: &Subject) -> Result<Vec<AuthenticatorInfo>> {
        Ok(self
            .inner
            .authenticators(who.core())?
            .into_iter()
            .map(AuthenticatorInfo::from)
            .collect())
    }

    /// One of the subject's authenticators (operation
    /// `identities.authenticator`).
    ///
    /// # Errors
    /// `NOT_FOUND`.
    pub fn authenticator(
        &self,
        who: &Subject,
        authenticator_id: &str,
    ) -> Result<AuthenticatorInfo> {
        Ok(self
            .inner
            .authenticator(who.core(), authenticator_id)?
            .into())
    }

    /// Replaces username and password, proving the current password
    /// (operation `identities.update_authenticator`). `tags_json` replaces
    /// the tags when given.
    ///
    /// # Errors
    /// `VERIFICATION_FAILED` for a wrong current password; `LOCKED`;
    /// `POLICY_VIOLATION`.
    pub fn update_authenticator(
        &self,
        who: &Subject,
        authenticator_id: &str,
        username: &str,
        password: &str,
        current_password: &str,
        tags_json: Option<&str>,
    ) -> Result<AuthenticatorInfo> {
        let req = UpdateAuthenticator {
            username: username.to_owned(),
            password: Zeroizing::new(password.to_owned()),
            current_password: Zeroizing::new(current_password.to_owned()),
            tags: tags_json.map(tags_from_json).transpose()?,
        };
        Ok(self
            .inner
            .update_authenticator(who.core(), authenticator_id, req)?
            .into())
    }

    /// Changes some of username, password and tags, proving the current
    /// password (operation `identities.patch_authenticator`). `tags_json`
    /// `"null"` clears the tags.
    ///
    /// # Errors
    /// As [`Identities::update_authenticator`].
    pub fn patch_authenticator(
        &self,
        who: &Subject,
        authenticator_id: &str,
        current_password: &str,
        username: Option<&str>,
        password: Option<&str>,
        tags_json: Option<&str>,
    ) -> Result<AuthenticatorInfo> {
        let tags = match tags_json {
            None => None,
            Some(t) if t.trim() == "null" => Some(None),
            Some(t) => Some(Some(tags_from_json(t)?)),
        };
        let req = PatchAuthenticator {
            username: username.map(str::to_owned),
            password: password.map(|p| Zeroizing::new(p.to_owned())),
            current_password: Zeroizing::new(current_password.to_owned()),
            tags,
        };
        Ok(self
            .inner
            .patch_authenticator(who.core(), authenticator_id, req)?
            .into())
    }

    /// Registers an external JWT signer: `keys` is a JWKS JSON document, or
    /// a PEM public key when `keys_are_pem`; `claim_match` is `id` (default)
    /// or `name` (operation `identities.create_ext_jwt_signer`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming the field; `ALREADY_EXISTS`.
    #[allow(clippy::too_many_arguments)]
    pub fn create_ext_jwt_signer(
        &self,
        name: &str,
        issuer: &str,
        audience: &str,
        keys: &str,
        keys_are_pem: bool,
        identity_claim: Option<&str>,
        claim_match: Option<&str>,
    ) -> Result<ExtJwtSignerInfo> {
        let claim_match = match claim_match.map(str::to_ascii_lowercase).as_deref() {
            None | Some("id") => IdentityClaimMatch::Id,
            Some("name") => IdentityClaimMatch::Name,
            Some(_) => return Err(Error::invalid("claim_match", "must be id or name")),
        };
        let req = CreateExtJwtSigner {
            name: name.to_owned(),
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            keys: if keys_are_pem {
                SignerKeys::Pem(keys.to_owned())
            } else {
                SignerKeys::Jwks(keys.to_owned())
            },
            identity_claim: identity_claim.map(str::to_owned),
            claim_match,
        };
        Ok(self.inner.create_ext_jwt_signer(req)?.into())
    }

    /// Every external JWT signer (operation `identities.ext_jwt_signers`).
    ///
    /// # Errors
    /// Store failures.
    pub fn ext_jwt_signers(&self) -> Result<Vec<ExtJwtSignerInfo>> {
        Ok(self
            .inner
            .ext_jwt_signers()?
            .into_iter()
            .map(ExtJwtSignerInfo::from)
            .collect())
    }

    /// Deletes an external JWT signer (operation
    /// `identities.delete_ext_jwt_signer`).
    ///
    /// # Errors
    /// `NOT_FOUND`.
    pub fn delete_ext_jwt_signer(&self, id: &str) -> Result<()> {
        Ok(self.inner.delete_ext_jwt_signer(id)?)
    }

    /// Logs in and opens an API session (operation
    /// `identities.authenticate`). `env_info_json`/`sdk_info_json` are
    /// JSON objects of strings (keys as in [`SessionInfo`]).
    ///
    /// # Errors
    /// `VERIFICATION_FAILED` (no detail); `LOCKED`.
    pub fn authenticate(
        &self,
        credentials: AuthInput,
        env_info_json: Option<&str>,
        sdk_info_json: Option<&str>,
        config_types: Vec<String>,
    ) -> Result<NewSessionInfo> {
        let mut req = match credentials {
            AuthInput::Password { username, password } => {
                AuthRequest::password(username, password.as_str())
            }
            AuthInput::Cert { chain } => AuthRequest::cert(chain),
            AuthInput::ExtJwt { token } => AuthRequest::ext_jwt(token.as_str()),
        };
        if let Some(j) = env_info_json {
            let mut m = parse_info("env_info", j)?;
            req = req.env_info(core_id::EnvInfo {
                arch: m.remove("arch"),
                os: m.remove("os"),
                os_release: m.remove("os_release"),
                os_version: m.remove("os_version"),
                domain: m.remove("domain"),
                hostname: m.remove("hostname"),
            });
        }
        if let Some(j) = sdk_info_json {
            let mut m = parse_info("sdk_info", j)?;
            req = req.sdk_info(core_id::SdkInfo {
                app_id: m.remove("app_id"),
                app_version: m.remove("app_version"),
                branch: m.remove("branch"),
                revision: m.remove("revision"),
                sdk_type: m.remove("type"),
                version: m.remove("version"),
            });
        }
        req = req.config_types(config_types);
        let s = self.inner.authenticate(req)?;
        Ok(NewSessionInfo {
            token: Zeroizing::new(s.token().to_owned()),
            session: s.session.into(),
        })
    }

    /// The session of a token (operation `identities.current_session`;
    /// allowed while MFA is owed).
    ///
    /// # Errors
    /// `VERIFICATION_FAILED` for a dead token.
    pub fn current_session(&self, session_token: &str) -> Result<SessionInfo> {
        Ok(self.inner.current_session(session_token)?.into())
    }

    /// Checks a session token before serving operation `operation`: live,
    /// MFA done, no password change owed; slides the idle timeout
    /// (operation `identities.validate_session`).
    ///
    /// # Errors
    /// `VERIFICATION_FAILED`; `MFA_REQUIRED`; `PASSWORD_CHANGE_REQUIRED`.
    pub fn validate_session(&self, session_token: &str, operation: &str) -> Result<SessionInfo> {
        let op = operation_name(operation)?;
        Ok(self.inner.validate_session(session_token, op)?.into())
    }

    /// The identity of a session (operation `identities.current_identity`).
    ///
    /// # Errors
    /// `VERIFICATION_FAILED`; `MFA_REQUIRED`.
    pub fn current_identity(&self, session_token: &str) -> Result<IdentityInfo> {
        Ok(self.inner.current_identity(session_token)?.into())
    }

    /// Ends a session (operation `identities.logout`).
    ///
    /// # Errors
    /// `VERIFICATION_FAILED` for a dead token.
    pub fn logout(&self, session_token: &str) -> Result<()> {
        Ok(self.inner.logout(session_token)?)
    }

    /// The subject's live sessions (operation `identities.sessions`).
    ///
    /// # Errors
    /// `VERIFICATION_FAILED`; `NOT_FOUND`.
    pub fn sessions(&self, who: &Subject) -> Result<Vec<SessionInfo>> {
        Ok(self
            .inner
            .sessions(who.core())?
            .into_iter()
            .map(SessionInfo::from)
            .collect())
    }

    /// Deletes expired sessions; returns how many (operation
    /// `identities.purge_expired_sessions`).
    ///
    /// # Errors
    /// Store failures.
    pub fn purge_expired_sessions(&self) -> Result<u32> {
        Ok(self.inner.purge_expired_sessions()?)
    }
}
