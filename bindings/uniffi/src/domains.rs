//! The domains beyond secrets: webhook targets and the engine's JOSE keys,
//! API tokens, machine identities (universal auth), identities with
//! authenticators and API sessions, and MFA. Each handle is an object whose
//! methods are facade operations; records mirror the facade's plain types.
//! Tokens, passwords, client secrets and recovery codes cross as strings
//! (the facade's zeroized copies are wiped when converted).

use credcycle_facade as facade;
use zeroize::Zeroizing;

use crate::error::CredcycleError;
use crate::mirror::{IntoFfi, ToFacade, mirror_in, mirror_out};

type Result<T, E = CredcycleError> = std::result::Result<T, E>;

// ---------------------------------------------------------------------------
// Shared records
// ---------------------------------------------------------------------------

/// An HTTP header.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Header {
    /// The name.
    pub name: String,
    /// The value.
    pub value: String,
}

impl IntoFfi for facade::Header {
    type Out = Header;
    fn ffi(self) -> Header {
        Header {
            name: self.name,
            value: self.value,
        }
    }
}

impl ToFacade for Header {
    type Out = facade::Header;
    fn facade(self) -> facade::Header {
        facade::Header {
            name: self.name,
            value: self.value,
        }
    }
}

/// A reference to an owner or organisation of a token.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct EntityRef {
    /// Its name.
    pub name: String,
    /// Its id.
    pub id: String,
}

impl IntoFfi for facade::EntityRef {
    type Out = EntityRef;
    fn ffi(self) -> EntityRef {
        EntityRef {
            name: self.name,
            id: self.id,
        }
    }
}

impl ToFacade for EntityRef {
    type Out = facade::EntityRef;
    fn facade(self) -> facade::EntityRef {
        facade::EntityRef {
            name: self.name,
            id: self.id,
        }
    }
}

/// Who an identity operation acts for.
#[derive(Clone, uniffi::Enum)]
pub enum Subject {
    /// The identity of an API session, by its session token.
    Session {
        /// The session token.
        token: String,
    },
    /// An identity by id (administrative calls).
    Identity {
        /// The identity's id.
        id: String,
    },
}

impl std::fmt::Debug for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Session { .. } => f.write_str("Session(<redacted>)"),
            Subject::Identity { id } => write!(f, "Identity({id})"),
        }
    }
}

impl From<Subject> for facade::Subject {
    fn from(s: Subject) -> Self {
        match s {
            Subject::Session { token } => facade::Subject::Session(token),
            Subject::Identity { id } => facade::Subject::Identity(id),
        }
    }
}

// ---------------------------------------------------------------------------
// Targets and JOSE
// ---------------------------------------------------------------------------

mirror_out! {
    /// A version of a target's signing key (never the key).
    #[derive(Clone, Debug, PartialEq, Eq)]
    SigningKeyInfo from facade::SigningKeyInfo {
        /// The version number.
        number: u64,
        /// When it was made.
        create_time: i64,
        /// When a rotated-out key stops being accepted.
        expire_time: Option<i64>,
    }
}

mirror_out! {
    /// A receiver's public encryption key of a target.
    #[derive(Clone, Debug, PartialEq, Eq)]
    EncryptionKeyInfo from facade::EncryptionKeyInfo {
        /// SHA-256 fingerprint (hex).
        fingerprint: String,
        /// The key type.
        kind: String,
        /// The JWE key-management algorithm.
        algorithm: String,
        /// When it was added.
        create_time: i64,
        /// When it expires.
        expire_time: Option<i64>,
        /// Whether new payloads are encrypted to it.
        active: bool,
    }
}

mirror_out! {
    /// A webhook target.
    #[derive(Clone, Debug, PartialEq, Eq)]
    TargetInfo from facade::TargetInfo {
        /// UUID.
        id: String,
        /// Unique name within the tenant.
        name: String,
        /// The URL payloads are sent to.
        endpoint: String,
        /// Request timeout.
        timeout_ms: u64,
        /// `webhook`, `call` or `async`.
        target_type: String,
        /// Whether a failure interrupts the caller.
        interrupt_on_error: bool,
        /// `json`, `jwt` or `jwe`.
        payload_type: String,
        /// The signature scheme (`zitadel`, `standard`).
        scheme: String,
        /// The header carrying the signature.
        signature_header: String,
        /// Signing key versions.
        signing_keys: Vec<SigningKeyInfo>,
        /// Receiver encryption keys.
        encryption_keys: Vec<EncryptionKeyInfo>,
        /// Creation time.
        create_time: i64,
        /// Last change.
        change_date: i64,
    }
}

mirror_out! {
    /// A new target and its signing key (shown once).
    CreatedTargetInfo from facade::CreatedTargetInfo {
        /// The target.
        target: TargetInfo,
        /// The signing key, shown only now.
        signing_key: String,
    }
}

mirror_out! {
    /// What an update did.
    TargetUpdateResult from facade::TargetUpdateResult {
        /// The new change date.
        change_date: i64,
        /// A new signing key when the update rotated it (shown once).
        signing_key: Option<String>,
    }
}

mirror_out! {
    /// A signed (and possibly encrypted) request to send to a target.
    #[derive(Clone, Debug, PartialEq, Eq)]
    SignedRequestInfo from facade::SignedRequestInfo {
        /// Headers to send.
        headers: Vec<Header>,
        /// The body to send.
        body: Vec<u8>,
    }
}

mirror_out! {
    /// The engine's current JWT signing key.
    #[derive(Clone, Debug, PartialEq, Eq)]
    TokenSigningKeyInfo from facade::TokenSigningKeyInfo {
        /// The key manager key.
        kms_key: String,
        /// Its version.
        kms_version: u32,
        /// The JWK `kid`.
        kid: String,
    }
}

mirror_out! {
    /// A verified JWT (or decrypted JWE) body.
    #[derive(Clone, Debug, PartialEq, Eq)]
    VerifiedJwtInfo from facade::VerifiedJwtInfo {
        /// The JWS algorithm.
        algorithm: String,
        /// The `kid`, if any.
        kid: Option<String>,
        /// The protected header (JSON).
        header_json: String,
        /// The claims (JSON).
        claims_json: String,
    }
}

mirror_in! {
    /// Options of `Targets.create`; null keeps the default.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    CreateTargetOptions to facade::CreateTargetOptions {
        /// Request timeout in milliseconds.
        #[uniffi(default)]
        timeout_ms: Option<u64>,
        /// `webhook`, `call` or `async`.
        #[uniffi(default)]
        target_type: Option<String>,
        /// Whether a failure interrupts the caller.
        #[uniffi(default)]
        interrupt_on_error: Option<bool>,
        /// `json`, `jwt` or `jwe`.
        #[uniffi(default)]
        payload_type: Option<String>,
        /// The signature scheme.
        #[uniffi(default)]
        scheme: Option<String>,
        /// The signature header name.
        #[uniffi(default)]
        signature_header: Option<String>,
        /// A receiver public key (PEM) for `jwe` payloads.
        #[uniffi(default)]
        encryption_key_pem: Option<String>,
    }
}

mirror_in! {
    /// Options of `Targets.update`; null leaves a field unchanged.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    UpdateTargetOptions to facade::UpdateTargetOptions {
        /// A new name.
        #[uniffi(default)]
        name: Option<String>,
        /// A new timeout.
        #[uniffi(default)]
        timeout_ms: Option<u64>,
        /// A new endpoint.
        #[uniffi(default)]
        endpoint: Option<String>,
        /// Rotate the signing key; the old one stays valid this long.
        #[uniffi(default)]
        expiration_signing_key_secs: Option<u64>,
        /// A new payload type.
        #[uniffi(default)]
        payload_type: Option<String>,
        /// A new target type.
        #[uniffi(default)]
        target_type: Option<String>,
        /// A new interrupt flag.
        #[uniffi(default)]
        interrupt_on_error: Option<bool>,
    }
}

/// The webhook targets of one tenant.
#[derive(Debug, uniffi::Object)]
pub struct Targets {
    pub(crate) inner: facade::Targets,
}

#[uniffi::export]
impl Targets {
    /// Creates a target; returns it with its signing key (shown once).
    ///
    /// # Errors
    /// `InvalidInput` naming the field; `Conflict` (name exists).
    #[uniffi::method(default(options = None))]
    pub fn create(
        &self,
        name: String,
        endpoint: String,
        options: Option<CreateTargetOptions>,
    ) -> Result<CreatedTargetInfo> {
        Ok(self
            .inner
            .create(&name, &endpoint, options.unwrap_or_default().facade())?
            .ffi())
    }

    /// The target.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn get(&self, id: String) -> Result<TargetInfo> {
        Ok(self.inner.get(&id)?.ffi())
    }

    /// Every target of the tenant.
    ///
    /// # Errors
    /// Store failures.
    pub fn list(&self) -> Result<Vec<TargetInfo>> {
        Ok(self.inner.list()?.ffi())
    }

    /// Changes fields, or rotates the signing key.
    ///
    /// # Errors
    /// `NotFound`; `InvalidInput`.
    pub fn update(&self, id: String, options: UpdateTargetOptions) -> Result<TargetUpdateResult> {
        Ok(self.inner.update(&id, options.facade())?.ffi())
    }

    /// Deletes the target.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn delete(&self, id: String) -> Result<()> {
        Ok(self.inner.delete(&id)?)
    }

    /// Adds a receiver public key (PEM) for encrypted payloads.
    ///
    /// # Errors
    /// `InvalidInput` (key); `NotFound`; `Conflict`.
    #[uniffi::method(default(expire_time = None))]
    pub fn add_encryption_key(
        &self,
        id: String,
        pem: String,
        expire_time: Option<i64>,
    ) -> Result<EncryptionKeyInfo> {
        Ok(self.inner.add_encryption_key(&id, &pem, expire_time)?.ffi())
    }

    /// The target's encryption keys.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn list_encryption_keys(&self, id: String) -> Result<Vec<EncryptionKeyInfo>> {
        Ok(self.inner.list_encryption_keys(&id)?.ffi())
    }

    /// Makes a key the one new payloads are encrypted to.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn activate_encryption_key(&self, id: String, fingerprint: String) -> Result<()> {
        Ok(self.inner.activate_encryption_key(&id, &fingerprint)?)
    }

    /// Removes an encryption key.
    ///
    /// # Errors
    /// `NotFound`; `State` (the active key).
    pub fn remove_encryption_key(&self, id: String, fingerprint: String) -> Result<()> {
        Ok(self.inner.remove_encryption_key(&id, &fingerprint)?)
    }

    /// Signs (and per payload type wraps) `payload` for the target, now.
    ///
    /// # Errors
    /// `NotFound`; key manager failures.
    pub fn sign(&self, id: String, payload: Vec<u8>) -> Result<SignedRequestInfo> {
        Ok(self.inner.sign(&id, &payload)?.ffi())
    }

    /// Signs `payload` as at time `now` (seconds).
    ///
    /// # Errors
    /// As `sign`.
    pub fn sign_at(&self, id: String, payload: Vec<u8>, now: i64) -> Result<SignedRequestInfo> {
        Ok(self.inner.sign_at(&id, &payload, now)?.ffi())
    }
}

/// The engine's JWT/JWS signing keys and JWKS.
#[derive(Debug, uniffi::Object)]
pub struct Jose {
    pub(crate) inner: facade::Jose,
}

#[uniffi::export]
impl Jose {
    /// The current signing key (created on first use).
    ///
    /// # Errors
    /// Key manager failures.
    pub fn current_key(&self) -> Result<TokenSigningKeyInfo> {
        Ok(self.inner.current_key()?.ffi())
    }

    /// Rotates the signing key; the old one stays in the JWKS for the
    /// policy's retention.
    ///
    /// # Errors
    /// Key manager failures.
    pub fn rotate_signing_key(&self) -> Result<TokenSigningKeyInfo> {
        Ok(self.inner.rotate_signing_key()?.ffi())
    }

    /// The JWKS (JSON) of the current and retained keys.
    ///
    /// # Errors
    /// Key manager failures.
    pub fn jwks(&self) -> Result<String> {
        Ok(self.inner.jwks()?)
    }

    /// Signs a JWT with `claims_json` (`iss`, `iat`, `exp` added per policy).
    ///
    /// # Errors
    /// `InvalidInput` (claims); key manager failures.
    pub fn sign_jwt(&self, claims_json: String) -> Result<String> {
        Ok(self.inner.sign_jwt(&claims_json)?)
    }

    /// Signs `payload` as a compact JWS with extra header fields.
    ///
    /// # Errors
    /// `InvalidInput` (header); key manager failures.
    pub fn sign_jws(&self, header_json: String, payload: Vec<u8>) -> Result<String> {
        Ok(self.inner.sign_jws(&header_json, &payload)?)
    }
}

// ---------------------------------------------------------------------------
// API tokens
// ---------------------------------------------------------------------------

mirror_out! {
    /// An API token's metadata (never its value).
    #[derive(Clone, Debug, PartialEq, Eq)]
    ApiTokenInfo from facade::ApiTokenInfo {
        /// UUID.
        id: String,
        /// Name.
        name: String,
        /// The token type.
        token_type: String,
        /// Owner.
        owner: Option<EntityRef>,
        /// Organisation.
        org: Option<EntityRef>,
        /// Expiry.
        expiration_time: i64,
        /// Whether the next use must rotate it.
        require_rotation: Option<bool>,
        /// The rotation mode.
        token_rotation: String,
        /// The state.
        state: String,
        /// Why it was revoked.
        revoke_reason: Option<String>,
        /// Whether a refresh token exists.
        has_refresh_token: bool,
        /// Creation time.
        create_time: i64,
        /// Last change.
        update_time: i64,
    }
}

mirror_out! {
    /// A new token and its value (shown once).
    CreatedTokenInfo from facade::CreatedTokenInfo {
        /// The token.
        token: ApiTokenInfo,
        /// The value.
        value: String,
        /// The refresh token, for refreshable tokens.
        refresh_token: Option<String>,
    }
}

mirror_out! {
    /// A successful token use.
    TokenUseInfo from facade::TokenUseInfo {
        /// The token.
        token: ApiTokenInfo,
        /// The new value when this use rotated it.
        rotated_value: Option<String>,
    }
}

mirror_out! {
    /// A refreshed token.
    RefreshedInfo from facade::RefreshedInfo {
        /// The token.
        token: ApiTokenInfo,
        /// The new value.
        value: String,
        /// The new refresh token.
        refresh_token: Option<String>,
    }
}

mirror_in! {
    /// Options of `Tokens.create`.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    CreateTokenOptions to facade::CreateTokenOptions {
        /// Owner.
        #[uniffi(default)]
        owner: Option<EntityRef>,
        /// Organisation.
        #[uniffi(default)]
        org: Option<EntityRef>,
        /// Expiry (default per policy).
        #[uniffi(default)]
        expiration_time: Option<i64>,
        /// The rotation mode.
        #[uniffi(default)]
        token_rotation: Option<String>,
    }
}

mirror_in! {
    /// Options of `Tokens.update`; null leaves a field unchanged.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    UpdateTokenOptions to facade::UpdateTokenOptions {
        /// Expiry.
        #[uniffi(default)]
        expiration_time: Option<i64>,
        /// The rotation mode.
        #[uniffi(default)]
        token_rotation: Option<String>,
        /// Force rotation on next use.
        #[uniffi(default)]
        require_rotation: Option<bool>,
        /// The token type.
        #[uniffi(default)]
        token_type: Option<String>,
        /// Owner.
        #[uniffi(default)]
        owner: Option<EntityRef>,
        /// Organisation.
        #[uniffi(default)]
        org: Option<EntityRef>,
    }
}

/// The API tokens of one tenant.
#[derive(Debug, uniffi::Object)]
pub struct Tokens {
    pub(crate) inner: facade::Tokens,
}

#[uniffi::export]
impl Tokens {
    /// Creates a token; its value is returned once.
    ///
    /// # Errors
    /// `InvalidInput` naming the field; `Conflict`.
    #[uniffi::method(default(options = None))]
    pub fn create(
        &self,
        name: String,
        token_type: String,
        options: Option<CreateTokenOptions>,
    ) -> Result<CreatedTokenInfo> {
        Ok(self
            .inner
            .create(&name, &token_type, options.unwrap_or_default().facade())?
            .ffi())
    }

    /// The token's metadata.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn get(&self, id: String) -> Result<ApiTokenInfo> {
        Ok(self.inner.get(&id)?.ffi())
    }

    /// Every token of the tenant.
    ///
    /// # Errors
    /// Store failures.
    pub fn list(&self) -> Result<Vec<ApiTokenInfo>> {
        Ok(self.inner.list()?.ffi())
    }

    /// Renames the token and changes fields.
    ///
    /// # Errors
    /// `NotFound`; `InvalidInput`; `State`.
    #[uniffi::method(default(options = None))]
    pub fn update(
        &self,
        id: String,
        name: String,
        options: Option<UpdateTokenOptions>,
    ) -> Result<ApiTokenInfo> {
        Ok(self
            .inner
            .update(&id, &name, options.unwrap_or_default().facade())?
            .ffi())
    }

    /// Revokes the token.
    ///
    /// # Errors
    /// `NotFound`; `State`.
    pub fn revoke(&self, id: String) -> Result<ApiTokenInfo> {
        Ok(self.inner.revoke(&id)?.ffi())
    }

    /// Checks a presented token value.
    ///
    /// # Errors
    /// `VerificationFailed` for any bad, expired or revoked value.
    pub fn authenticate(&self, value: String) -> Result<TokenUseInfo> {
        let value = Zeroizing::new(value);
        Ok(self.inner.authenticate(&value)?.ffi())
    }

    /// Exchanges a refresh token for a new value and refresh token.
    ///
    /// # Errors
    /// `VerificationFailed`.
    pub fn refresh(&self, refresh_token: String) -> Result<RefreshedInfo> {
        let refresh_token = Zeroizing::new(refresh_token);
        Ok(self.inner.refresh(&refresh_token)?.ffi())
    }
}

// ---------------------------------------------------------------------------
// Machine identities
// ---------------------------------------------------------------------------

mirror_out! {
    /// Universal auth settings of a machine identity.
    #[derive(Clone, Debug, PartialEq, Eq)]
    UniversalAuthInfo from facade::UniversalAuthInfo {
        /// The identity.
        identity_id: String,
        /// The client id.
        client_id: String,
        /// Networks allowed to log in.
        client_secret_trusted_ips: Vec<String>,
        /// Networks allowed to use access tokens.
        access_token_trusted_ips: Vec<String>,
        /// Access token TTL (seconds).
        access_token_ttl: u32,
        /// Access token max TTL (seconds).
        access_token_max_ttl: u32,
        /// Uses per access token (0 = unlimited).
        access_token_num_uses_limit: u32,
        /// Renewal period (0 = none).
        access_token_period: u32,
        /// Whether failed logins lock.
        lockout_enabled: bool,
        /// Failures that lock.
        lockout_threshold: u32,
        /// Lock length.
        lockout_duration_secs: u32,
        /// Failure counter reset.
        lockout_counter_reset_secs: u32,
        /// Creation time.
        create_time: i64,
        /// Last change.
        update_time: i64,
    }
}

mirror_out! {
    /// A machine identity.
    #[derive(Clone, Debug, PartialEq, Eq)]
    MachineIdentityInfo from facade::MachineIdentityInfo {
        /// UUID.
        id: String,
        /// Name.
        name: String,
        /// Creation time.
        create_time: i64,
        /// Last change.
        update_time: i64,
        /// Universal auth, when attached.
        universal_auth: Option<UniversalAuthInfo>,
    }
}

mirror_in! {
    /// Universal auth settings; null keeps the default (attach) or the
    /// current value (update).
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    UniversalAuthSettings to facade::UniversalAuthSettings {
        /// Networks allowed to log in (CIDR).
        #[uniffi(default)]
        client_secret_trusted_ips: Option<Vec<String>>,
        /// Networks allowed to use access tokens (CIDR).
        #[uniffi(default)]
        access_token_trusted_ips: Option<Vec<String>>,
        /// Access token TTL.
        #[uniffi(default)]
        access_token_ttl: Option<u32>,
        /// Access token max TTL.
        #[uniffi(default)]
        access_token_max_ttl: Option<u32>,
        /// Uses per access token.
        #[uniffi(default)]
        access_token_num_uses_limit: Option<u32>,
        /// Renewal period.
        #[uniffi(default)]
        access_token_period: Option<u32>,
        /// Lockout on/off.
        #[uniffi(default)]
        lockout_enabled: Option<bool>,
        /// Failures that lock.
        #[uniffi(default)]
        lockout_threshold: Option<u32>,
        /// Lock length.
        #[uniffi(default)]
        lockout_duration_secs: Option<u32>,
        /// Failure counter reset.
        #[uniffi(default)]
        lockout_counter_reset_secs: Option<u32>,
    }
}

mirror_out! {
    /// A client secret's metadata (never the secret).
    #[derive(Clone, Debug, PartialEq, Eq)]
    ClientSecretInfo from facade::ClientSecretInfo {
        /// UUID.
        id: String,
        /// The identity.
        identity_id: String,
        /// Description.
        description: String,
        /// The first characters, for recognition.
        prefix: String,
        /// TTL (0 = none).
        ttl_secs: u32,
        /// Uses so far.
        num_uses: u32,
        /// Use limit (0 = none).
        num_uses_limit: u32,
        /// The state.
        state: String,
        /// Creation time.
        create_time: i64,
        /// Expiry.
        expires_at: Option<i64>,
        /// Last use.
        last_used_at: Option<i64>,
    }
}

mirror_out! {
    /// A new client secret (shown once).
    CreatedClientSecretInfo from facade::CreatedClientSecretInfo {
        /// The client id to log in with.
        client_id: String,
        /// The secret.
        secret: String,
        /// Its metadata.
        info: ClientSecretInfo,
    }
}

mirror_out! {
    /// An access token's metadata.
    #[derive(Clone, Debug, PartialEq, Eq)]
    AccessTokenInfo from facade::AccessTokenInfo {
        /// UUID.
        id: String,
        /// The identity.
        identity_id: String,
        /// The client secret it was issued for.
        client_secret_id: String,
        /// Creation time.
        create_time: i64,
        /// Expiry.
        expires_at: Option<i64>,
        /// Latest possible expiry.
        max_expires_at: Option<i64>,
        /// TTL.
        ttl_secs: u32,
        /// Max TTL.
        max_ttl_secs: u32,
        /// Renewal period.
        period_secs: u32,
        /// Uses so far.
        num_uses: u32,
        /// Use limit.
        num_uses_limit: u32,
    }
}

mirror_out! {
    /// A login's access token (shown once).
    AccessTokenGrantInfo from facade::AccessTokenGrantInfo {
        /// The bearer token.
        access_token: String,
        /// Seconds until expiry.
        expires_in: u64,
        /// Max TTL.
        access_token_max_ttl: u32,
        /// `Bearer`.
        token_type: String,
        /// Its metadata.
        info: AccessTokenInfo,
    }
}

/// Machine identities and universal auth of one tenant.
#[derive(Debug, uniffi::Object)]
pub struct MachineAuth {
    pub(crate) inner: facade::MachineAuth,
}

#[uniffi::export]
impl MachineAuth {
    /// Creates a machine identity (optionally with a chosen id).
    ///
    /// # Errors
    /// `InvalidInput`; `Conflict`.
    #[uniffi::method(default(id = None))]
    pub fn create_identity(&self, name: String, id: Option<String>) -> Result<MachineIdentityInfo> {
        Ok(self.inner.create_identity(&name, id.as_deref())?.ffi())
    }

    /// The identity.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn identity(&self, id: String) -> Result<MachineIdentityInfo> {
        Ok(self.inner.identity(&id)?.ffi())
    }

    /// Every machine identity of the tenant.
    ///
    /// # Errors
    /// Store failures.
    pub fn list_identities(&self) -> Result<Vec<MachineIdentityInfo>> {
        Ok(self.inner.list_identities()?.ffi())
    }

    /// Deletes a machine identity with its universal-auth configuration,
    /// client secrets, access tokens and lockout counter, in one commit.
    ///
    /// # Errors
    /// `InvalidInput` naming `identity_id`; `NotFound`.
    pub fn delete_identity(&self, id: String) -> Result<()> {
        Ok(self.inner.delete_identity(&id)?)
    }

    /// Attaches universal auth.
    ///
    /// # Errors
    /// `NotFound`; `Conflict` (already attached); `InvalidInput`.
    #[uniffi::method(default(settings = None))]
    pub fn attach_universal_auth(
        &self,
        identity_id: String,
        settings: Option<UniversalAuthSettings>,
    ) -> Result<UniversalAuthInfo> {
        Ok(self
            .inner
            .attach_universal_auth(&identity_id, settings.unwrap_or_default().facade())?
            .ffi())
    }

    /// Changes universal auth settings.
    ///
    /// # Errors
    /// `NotFound`; `InvalidInput`.
    pub fn update_universal_auth(
        &self,
        identity_id: String,
        settings: UniversalAuthSettings,
    ) -> Result<UniversalAuthInfo> {
        Ok(self
            .inner
            .update_universal_auth(&identity_id, settings.facade())?
            .ffi())
    }

    /// The identity's universal auth settings.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn universal_auth(&self, identity_id: String) -> Result<UniversalAuthInfo> {
        Ok(self.inner.universal_auth(&identity_id)?.ffi())
    }

    /// Creates a client secret (shown once).
    ///
    /// # Errors
    /// `NotFound`; `InvalidInput`.
    #[uniffi::method(default(description = "", ttl_secs = 0, num_uses_limit = 0))]
    pub fn create_client_secret(
        &self,
        identity_id: String,
        description: String,
        ttl_secs: u32,
        num_uses_limit: u32,
    ) -> Result<CreatedClientSecretInfo> {
        Ok(self
            .inner
            .create_client_secret(&identity_id, &description, ttl_secs, num_uses_limit)?
            .ffi())
    }

    /// The identity's client secrets.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn list_client_secrets(&self, identity_id: String) -> Result<Vec<ClientSecretInfo>> {
        Ok(self.inner.list_client_secrets(&identity_id)?.ffi())
    }

    /// Revokes a client secret.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn revoke_client_secret(
        &self,
        identity_id: String,
        secret_id: String,
    ) -> Result<ClientSecretInfo> {
        Ok(self
            .inner
            .revoke_client_secret(&identity_id, &secret_id)?
            .ffi())
    }

    /// Logs in with a client id and secret from `client_ip`.
    ///
    /// # Errors
    /// `VerificationFailed`; `Policy` (locked out, untrusted address).
    pub fn login(
        &self,
        client_id: String,
        client_secret: String,
        client_ip: String,
    ) -> Result<AccessTokenGrantInfo> {
        let client_secret = Zeroizing::new(client_secret);
        Ok(self
            .inner
            .login(&client_id, &client_secret, &client_ip)?
            .ffi())
    }

    /// Checks an access token presented from `client_ip` (counts a use).
    ///
    /// # Errors
    /// `VerificationFailed`; `Policy`.
    pub fn authenticate(&self, access_token: String, client_ip: String) -> Result<AccessTokenInfo> {
        let access_token = Zeroizing::new(access_token);
        Ok(self.inner.authenticate(&access_token, &client_ip)?.ffi())
    }

    /// Renews an access token within its max TTL.
    ///
    /// # Errors
    /// `VerificationFailed`; `Policy`.
    pub fn renew(&self, access_token: String) -> Result<AccessTokenInfo> {
        let access_token = Zeroizing::new(access_token);
        Ok(self.inner.renew(&access_token)?.ffi())
    }

    /// Revokes an access token.
    ///
    /// # Errors
    /// `VerificationFailed`.
    pub fn revoke(&self, access_token: String) -> Result<()> {
        let access_token = Zeroizing::new(access_token);
        Ok(self.inner.revoke(&access_token)?)
    }
}

// ---------------------------------------------------------------------------
// Identities, authenticators, API sessions
// ---------------------------------------------------------------------------

mirror_out! {
    /// An identity.
    #[derive(Clone, Debug, PartialEq, Eq)]
    IdentityInfo from facade::IdentityInfo {
        /// UUID.
        id: String,
        /// Unique name.
        name: String,
        /// Tags (JSON object).
        tags_json: String,
        /// Creation time.
        create_time: i64,
        /// Last change.
        update_time: i64,
    }
}

mirror_out! {
    /// An authenticator (password or certificate) of an identity.
    #[derive(Clone, Debug, PartialEq, Eq)]
    AuthenticatorInfo from facade::AuthenticatorInfo {
        /// UUID.
        id: String,
        /// The identity.
        identity_id: String,
        /// `updb` (password) or `cert`.
        method: String,
        /// The username (password authenticators).
        username: Option<String>,
        /// The certificate fingerprint (cert authenticators).
        cert_fingerprint: Option<String>,
        /// Whether the password must be changed.
        password_change_required: bool,
        /// Tags (JSON object).
        tags_json: String,
        /// Creation time.
        create_time: i64,
        /// Last change.
        update_time: i64,
    }
}

mirror_out! {
    /// An external JWT signer.
    #[derive(Clone, Debug, PartialEq, Eq)]
    ExtJwtSignerInfo from facade::ExtJwtSignerInfo {
        /// UUID.
        id: String,
        /// Name.
        name: String,
        /// Expected `iss`.
        issuer: String,
        /// Expected `aud`.
        audience: String,
        /// JWKS JSON or PEM.
        keys: String,
        /// Whether `keys` is PEM.
        keys_are_pem: bool,
        /// The claim naming the identity.
        identity_claim: String,
        /// How the claim matches (`id` or `name`).
        claim_match: String,
        /// Whether it is enabled.
        enabled: bool,
        /// Creation time.
        create_time: i64,
    }
}

mirror_out! {
    /// An API session (never its token).
    #[derive(Clone, Debug, PartialEq, Eq)]
    SessionInfo from facade::SessionInfo {
        /// UUID.
        id: String,
        /// The identity.
        identity_id: String,
        /// How it authenticated.
        auth_method: String,
        /// The authenticator used.
        authenticator_id: Option<String>,
        /// Creation time.
        create_time: i64,
        /// Last activity.
        last_activity_time: i64,
        /// Expiry.
        expires_at: i64,
        /// Whether MFA is required.
        mfa_required: bool,
        /// Whether MFA was completed.
        mfa_complete: bool,
        /// Whether the password must be changed first.
        password_change_required: bool,
        /// Client environment (JSON).
        env_info_json: String,
        /// Client SDK (JSON).
        sdk_info_json: String,
        /// Requested config types.
        config_types: Vec<String>,
    }
}

mirror_out! {
    /// A new session and its token (shown once).
    NewSessionInfo from facade::NewSessionInfo {
        /// The session token.
        token: String,
        /// The session.
        session: SessionInfo,
    }
}

/// Credentials for `Identities.authenticate`.
#[derive(Clone, uniffi::Enum)]
pub enum AuthInput {
    /// Username and password.
    Password {
        /// The username.
        username: String,
        /// The password.
        password: String,
    },
    /// A client certificate chain (DER, leaf first), already verified by
    /// the TLS layer.
    Cert {
        /// The chain.
        chain: Vec<Vec<u8>>,
    },
    /// A JWT from an external signer.
    ExtJwt {
        /// The JWT.
        token: String,
    },
}

impl std::fmt::Debug for AuthInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthInput::Password { username, .. } => write!(f, "Password({username}, <redacted>)"),
            AuthInput::Cert { chain } => write!(f, "Cert({} certificates)", chain.len()),
            AuthInput::ExtJwt { .. } => f.write_str("ExtJwt(<redacted>)"),
        }
    }
}

impl From<AuthInput> for facade::AuthInput {
    fn from(a: AuthInput) -> Self {
        match a {
            AuthInput::Password { username, password } => facade::AuthInput::Password {
                username,
                password: Zeroizing::new(password),
            },
            AuthInput::Cert { chain } => facade::AuthInput::Cert { chain },
            AuthInput::ExtJwt { token } => facade::AuthInput::ExtJwt {
                token: Zeroizing::new(token),
            },
        }
    }
}

/// Identities, their authenticators and API sessions, of one tenant.
#[derive(Debug, uniffi::Object)]
pub struct Identities {
    pub(crate) inner: facade::Identities,
}

#[uniffi::export]
impl Identities {
    /// Creates an identity.
    ///
    /// # Errors
    /// `InvalidInput`; `Conflict`.
    #[uniffi::method(default(tags_json = None))]
    pub fn create(&self, name: String, tags_json: Option<String>) -> Result<IdentityInfo> {
        Ok(self.inner.create(&name, tags_json.as_deref())?.ffi())
    }

    /// The identity.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn get(&self, id: String) -> Result<IdentityInfo> {
        Ok(self.inner.get(&id)?.ffi())
    }

    /// The identity named `name`.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn find_by_name(&self, name: String) -> Result<IdentityInfo> {
        Ok(self.inner.find_by_name(&name)?.ffi())
    }

    /// Every identity of the tenant.
    ///
    /// # Errors
    /// Store failures.
    pub fn list(&self) -> Result<Vec<IdentityInfo>> {
        Ok(self.inner.list()?.ffi())
    }

    /// Deletes the identity, its authenticators and sessions.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn delete(&self, id: String) -> Result<()> {
        Ok(self.inner.delete(&id)?)
    }

    /// Sets (or replaces) the identity's password authenticator.
    ///
    /// # Errors
    /// `InvalidInput` (password policy); `NotFound`; `Conflict` (username).
    pub fn set_password(
        &self,
        identity_id: String,
        username: String,
        password: String,
    ) -> Result<AuthenticatorInfo> {
        let password = Zeroizing::new(password);
        Ok(self
            .inner
            .set_password(&identity_id, &username, &password)?
            .ffi())
    }

    /// Adds a certificate authenticator by fingerprint.
    ///
    /// # Errors
    /// `InvalidInput`; `NotFound`; `Conflict`.
    pub fn add_cert_authenticator(
        &self,
        identity_id: String,
        fingerprint: String,
    ) -> Result<AuthenticatorInfo> {
        Ok(self
            .inner
            .add_cert_authenticator(&identity_id, &fingerprint)?
            .ffi())
    }

    /// Forces a password change at the next login.
    ///
    /// # Errors
    /// `NotFound`; `InvalidInput` (not a password authenticator).
    pub fn mark_password_compromised(&self, authenticator_id: String) -> Result<AuthenticatorInfo> {
        Ok(self
            .inner
            .mark_password_compromised(&authenticator_id)?
            .ffi())
    }

    /// Deletes an authenticator.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn delete_authenticator(&self, authenticator_id: String) -> Result<()> {
        Ok(self.inner.delete_authenticator(&authenticator_id)?)
    }

    /// The authenticators of `who`.
    ///
    /// # Errors
    /// `NotFound`; `VerificationFailed` (session).
    pub fn authenticators(&self, who: Subject) -> Result<Vec<AuthenticatorInfo>> {
        Ok(self.inner.authenticators(&who.into())?.ffi())
    }

    /// One authenticator of `who`.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn authenticator(
        &self,
        who: Subject,
        authenticator_id: String,
    ) -> Result<AuthenticatorInfo> {
        Ok(self
            .inner
            .authenticator(&who.into(), &authenticator_id)?
            .ffi())
    }

    /// Replaces username, password and tags (the current password is
    /// required).
    ///
    /// # Errors
    /// `VerificationFailed` (current password); `InvalidInput`.
    #[uniffi::method(default(tags_json = None))]
    pub fn update_authenticator(
        &self,
        who: Subject,
        authenticator_id: String,
        username: String,
        password: String,
        current_password: String,
        tags_json: Option<String>,
    ) -> Result<AuthenticatorInfo> {
        let password = Zeroizing::new(password);
        let current_password = Zeroizing::new(current_password);
        Ok(self
            .inner
            .update_authenticator(
                &who.into(),
                &authenticator_id,
                &username,
                &password,
                &current_password,
                tags_json.as_deref(),
            )?
            .ffi())
    }

    /// Changes some of username, password and tags (the current password
    /// is required).
    ///
    /// # Errors
    /// `VerificationFailed` (current password); `InvalidInput`.
    #[uniffi::method(default(username = None, password = None, tags_json = None))]
    pub fn patch_authenticator(
        &self,
        who: Subject,
        authenticator_id: String,
        current_password: String,
        username: Option<String>,
        password: Option<String>,
        tags_json: Option<String>,
    ) -> Result<AuthenticatorInfo> {
        let password = password.map(Zeroizing::new);
        let current_password = Zeroizing::new(current_password);
        Ok(self
            .inner
            .patch_authenticator(
                &who.into(),
                &authenticator_id,
                &current_password,
                username.as_deref(),
                password.as_ref().map(|p| p.as_str()),
                tags_json.as_deref(),
            )?
            .ffi())
    }

    /// Registers an external JWT signer.
    ///
    /// # Errors
    /// `InvalidInput`; `Conflict`.
    #[uniffi::method(default(identity_claim = None, claim_match = None))]
    #[allow(clippy::too_many_arguments)]
    pub fn create_ext_jwt_signer(
        &self,
        name: String,
        issuer: String,
        audience: String,
        keys: String,
        keys_are_pem: bool,
        identity_claim: Option<String>,
        claim_match: Option<String>,
    ) -> Result<ExtJwtSignerInfo> {
        Ok(self
            .inner
            .create_ext_jwt_signer(
                &name,
                &issuer,
                &audience,
                &keys,
                keys_are_pem,
                identity_claim.as_deref(),
                claim_match.as_deref(),
            )?
            .ffi())
    }

    /// Every external JWT signer.
    ///
    /// # Errors
    /// Store failures.
    pub fn ext_jwt_signers(&self) -> Result<Vec<ExtJwtSignerInfo>> {
        Ok(self.inner.ext_jwt_signers()?.ffi())
    }

    /// Deletes an external JWT signer.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn delete_ext_jwt_signer(&self, id: String) -> Result<()> {
        Ok(self.inner.delete_ext_jwt_signer(&id)?)
    }

    /// Authenticates and opens an API session (token shown once).
    ///
    /// # Errors
    /// `VerificationFailed`; `Policy` (locked out).
    #[uniffi::method(default(env_info_json = None, sdk_info_json = None, config_types = []))]
    pub fn authenticate(
        &self,
        credentials: AuthInput,
        env_info_json: Option<String>,
        sdk_info_json: Option<String>,
        config_types: Vec<String>,
    ) -> Result<NewSessionInfo> {
        Ok(self
            .inner
            .authenticate(
                credentials.into(),
                env_info_json.as_deref(),
                sdk_info_json.as_deref(),
                config_types,
            )?
            .ffi())
    }

    /// The session of a token (touches its activity time).
    ///
    /// # Errors
    /// `VerificationFailed`.
    pub fn current_session(&self, session_token: String) -> Result<SessionInfo> {
        let t = Zeroizing::new(session_token);
        Ok(self.inner.current_session(&t)?.ffi())
    }

    /// The session, if it may perform `operation` (MFA and password-change
    /// gates applied).
    ///
    /// # Errors
    /// `VerificationFailed`; `Policy`.
    pub fn validate_session(
        &self,
        session_token: String,
        operation: String,
    ) -> Result<SessionInfo> {
        let t = Zeroizing::new(session_token);
        Ok(self.inner.validate_session(&t, &operation)?.ffi())
    }

    /// The identity of a session.
    ///
    /// # Errors
    /// `VerificationFailed`.
    pub fn current_identity(&self, session_token: String) -> Result<IdentityInfo> {
        let t = Zeroizing::new(session_token);
        Ok(self.inner.current_identity(&t)?.ffi())
    }

    /// Ends a session.
    ///
    /// # Errors
    /// `VerificationFailed`.
    pub fn logout(&self, session_token: String) -> Result<()> {
        let t = Zeroizing::new(session_token);
        Ok(self.inner.logout(&t)?)
    }

    /// The sessions of `who`.
    ///
    /// # Errors
    /// `NotFound`; `VerificationFailed`.
    pub fn sessions(&self, who: Subject) -> Result<Vec<SessionInfo>> {
        Ok(self.inner.sessions(&who.into())?.ffi())
    }

    /// Deletes expired sessions; returns how many.
    ///
    /// # Errors
    /// Store failures.
    pub fn purge_expired_sessions(&self) -> Result<u32> {
        Ok(self.inner.purge_expired_sessions()?)
    }
}

// ---------------------------------------------------------------------------
// MFA
// ---------------------------------------------------------------------------

mirror_out! {
    /// A new TOTP enrollment (shown once).
    MfaEnrollmentInfo from facade::MfaEnrollmentInfo {
        /// The `otpauth://` URI.
        provisioning_uri: String,
        /// Recovery codes.
        recovery_codes: Vec<String>,
        /// The URI as a QR code (PNG).
        qr_png: Vec<u8>,
    }
}

mirror_out! {
    /// The MFA state of an identity.
    MfaStatusInfo from facade::MfaStatusInfo {
        /// Whether an enrollment exists.
        enrolled: bool,
        /// Whether it was verified.
        verified: bool,
        /// The URI, while unverified.
        provisioning_uri: Option<String>,
        /// The HMAC.
        algorithm: Option<String>,
        /// Digits.
        digits: Option<u32>,
        /// Period.
        period: Option<u32>,
        /// Unused recovery codes.
        recovery_codes_remaining: u32,
        /// Enrollment time.
        create_time: Option<i64>,
        /// Locked until.
        locked_until: Option<i64>,
    }
}

mirror_out! {
    /// Recovery codes, if the policy lets them be shown again.
    RecoveryCodesInfo from facade::RecoveryCodesInfo {
        /// The unused codes (null when not viewable).
        codes: Option<Vec<String>>,
        /// How many are unused.
        remaining: u32,
    }
}

/// TOTP multi-factor authentication of one tenant's identities.
#[derive(Debug, uniffi::Object)]
pub struct Mfa {
    pub(crate) inner: facade::Mfa,
}

#[uniffi::export]
impl Mfa {
    /// Starts a TOTP enrollment.
    ///
    /// # Errors
    /// `Conflict` (enrolled); `NotFound`.
    pub fn enroll(&self, who: Subject) -> Result<MfaEnrollmentInfo> {
        Ok(self.inner.enroll(&who.into())?.ffi())
    }

    /// The MFA state.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn status(&self, who: Subject) -> Result<MfaStatusInfo> {
        Ok(self.inner.status(&who.into())?.ffi())
    }

    /// The unverified enrollment's QR code (`png` or `svg`).
    ///
    /// # Errors
    /// `NotFound`; `State`; `InvalidInput` (format).
    pub fn qr_code(&self, who: Subject, format: String) -> Result<Vec<u8>> {
        Ok(self.inner.qr_code(&who.into(), &format)?)
    }

    /// Verifies the enrollment with a first code.
    ///
    /// # Errors
    /// `VerificationFailed`; `Policy` (locked).
    pub fn verify(&self, who: Subject, code: String) -> Result<()> {
        Ok(self.inner.verify(&who.into(), &code)?)
    }

    /// Completes a session's MFA step.
    ///
    /// # Errors
    /// `VerificationFailed`; `Policy` (locked).
    pub fn authenticate_mfa(&self, session_token: String, code: String) -> Result<SessionInfo> {
        let t = Zeroizing::new(session_token);
        Ok(self.inner.authenticate_mfa(&t, &code)?.ffi())
    }

    /// Removes MFA with a valid code.
    ///
    /// # Errors
    /// `VerificationFailed`.
    pub fn disable(&self, who: Subject, code: String) -> Result<()> {
        Ok(self.inner.disable(&who.into(), &code)?)
    }

    /// Removes MFA without a code (administrative).
    ///
    /// # Errors
    /// `NotFound`.
    pub fn remove(&self, identity_id: String) -> Result<()> {
        Ok(self.inner.remove(&identity_id)?)
    }

    /// New recovery codes (the old ones stop working).
    ///
    /// # Errors
    /// `VerificationFailed`.
    pub fn regenerate_recovery_codes(&self, who: Subject, code: String) -> Result<Vec<String>> {
        Ok(self
            .inner
            .regenerate_recovery_codes(&who.into(), &code)?
            .ffi())
    }

    /// The unused recovery codes, if the policy allows showing them.
    ///
    /// # Errors
    /// `VerificationFailed`.
    pub fn view_recovery_codes(&self, who: Subject, code: String) -> Result<RecoveryCodesInfo> {
        Ok(self.inner.view_recovery_codes(&who.into(), &code)?.ffi())
    }
}
