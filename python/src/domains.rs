//! `Targets`, `Jose`, `Tokens`, `MachineAuth`, `Identities`, `Mfa`,
//! `Totp`, `ReplayGuard` and the client-helper functions. Every engine
//! call runs with the GIL released.

use credcycle_facade as facade;
use credcycle_facade::client;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyMapping, PyString};
use zeroize::Zeroizing;

use crate::errors::engine;
use crate::records::{
    AccessTokenGrant, AccessTokenInfo, ApiToken, Authenticator, ClientSecretInfo,
    CreatedClientSecret, CreatedTarget, CreatedToken, EncryptionKeyInfo, EntityRef, ExtJwtSigner,
    Identity, MachineIdentity, MfaEnrollment, MfaStatus, NewSession, RecoveryCodes, Refreshed,
    Session, SignedRequest, TargetInfo, TargetUpdate, TokenSigningKey, TokenUse, UniversalAuth,
    VerifiedJwt, VerifiedWebhook,
};

/// `json.dumps(obj)`.
fn json_dumps(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<String> {
    py.import("json")?
        .call_method1("dumps", (obj,))?
        .extract::<String>()
}

fn opt_json(py: Python<'_>, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<String>> {
    obj.map(|o| json_dumps(py, o)).transpose()
}

fn subject(session: Option<String>, identity: Option<String>) -> PyResult<facade::Subject> {
    match (session, identity) {
        (Some(s), None) => Ok(facade::Subject::Session(s)),
        (None, Some(i)) => Ok(facade::Subject::Identity(i)),
        _ => Err(PyValueError::new_err(
            "give exactly one of session= (a session token) or identity= (an identity id)",
        )),
    }
}

fn list<A, B: From<A>>(v: Vec<A>) -> Vec<B> {
    v.into_iter().map(B::from).collect()
}

/// A `str` or a sequence of `str`.
fn strings(obj: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if obj.cast::<PyString>().is_ok() {
        return Ok(vec![obj.extract::<String>()?]);
    }
    obj.extract::<Vec<String>>()
}

/// `bytes` or `str` (UTF-8).
fn body_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if obj.cast::<PyString>().is_ok() {
        return Ok(obj.extract::<String>()?.into_bytes());
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    obj.extract::<Vec<u8>>()
        .map_err(|_| PyTypeError::new_err("expected bytes or str"))
}

/// A mapping of header names to values, or a sequence of `(name, value)`.
fn headers(obj: &Bound<'_, PyAny>) -> PyResult<Vec<facade::Header>> {
    let pairs: Vec<(String, String)> = if let Ok(m) = obj.cast::<PyMapping>() {
        m.items()?.extract()?
    } else {
        obj.extract()?
    };
    Ok(pairs
        .into_iter()
        .map(|(name, value)| facade::Header { name, value })
        .collect())
}

/// The action targets of one tenant. Thread-safe.
#[pyclass(frozen, name = "Targets", module = "credcycle._native")]
pub struct PyTargets(pub facade::Targets);

#[pymethods]
impl PyTargets {
    /// Creates a target with a first signing key (operation `targets.create`).
    #[pyo3(signature = (name, endpoint, *, timeout_ms = None, target_type = None,
        interrupt_on_error = None, payload_type = None, scheme = None,
        signature_header = None, encryption_key_pem = None))]
    #[allow(clippy::too_many_arguments)]
    fn create(
        &self,
        py: Python<'_>,
        name: &str,
        endpoint: &str,
        timeout_ms: Option<u64>,
        target_type: Option<String>,
        interrupt_on_error: Option<bool>,
        payload_type: Option<String>,
        scheme: Option<String>,
        signature_header: Option<String>,
        encryption_key_pem: Option<String>,
    ) -> PyResult<CreatedTarget> {
        let o = facade::CreateTargetOptions {
            timeout_ms,
            target_type,
            interrupt_on_error,
            payload_type,
            scheme,
            signature_header,
            encryption_key_pem,
        };
        Ok(engine(py.detach(|| self.0.create(name, endpoint, o)))?.into())
    }

    /// A target (operation `targets.get`).
    fn get(&self, py: Python<'_>, id: &str) -> PyResult<TargetInfo> {
        Ok(engine(py.detach(|| self.0.get(id)))?.into())
    }

    /// Every target of the tenant (operation `targets.list`).
    fn list(&self, py: Python<'_>) -> PyResult<Vec<TargetInfo>> {
        Ok(list(engine(py.detach(|| self.0.list()))?))
    }

    /// Changes a target; `expiration_signing_key_secs` makes a new signing
    /// key (operation `targets.update`).
    #[pyo3(signature = (id, *, name = None, timeout_ms = None, endpoint = None,
        expiration_signing_key_secs = None, payload_type = None, target_type = None,
        interrupt_on_error = None))]
    #[allow(clippy::too_many_arguments)]
    fn update(
        &self,
        py: Python<'_>,
        id: &str,
        name: Option<String>,
        timeout_ms: Option<u64>,
        endpoint: Option<String>,
        expiration_signing_key_secs: Option<u64>,
        payload_type: Option<String>,
        target_type: Option<String>,
        interrupt_on_error: Option<bool>,
    ) -> PyResult<TargetUpdate> {
        let o = facade::UpdateTargetOptions {
            name,
            timeout_ms,
            endpoint,
            expiration_signing_key_secs,
            payload_type,
            target_type,
            interrupt_on_error,
        };
        Ok(engine(py.detach(|| self.0.update(id, o)))?.into())
    }

    /// Deletes a target (operation `targets.delete`).
    fn delete(&self, py: Python<'_>, id: &str) -> PyResult<()> {
        engine(py.detach(|| self.0.delete(id)))
    }

    /// Adds a receiver's public key (PEM) (operation
    /// `targets.add_encryption_key`).
    #[pyo3(signature = (id, pem, *, expire_time = None))]
    fn add_encryption_key(
        &self,
        py: Python<'_>,
        id: &str,
        pem: &str,
        expire_time: Option<i64>,
    ) -> PyResult<EncryptionKeyInfo> {
        Ok(engine(py.detach(|| self.0.add_encryption_key(id, pem, expire_time)))?.into())
    }

    /// The target's encryption keys (operation `targets.list_encryption_keys`).
    fn list_encryption_keys(&self, py: Python<'_>, id: &str) -> PyResult<Vec<EncryptionKeyInfo>> {
        Ok(list(engine(py.detach(|| self.0.list_encryption_keys(id)))?))
    }

    /// Makes a key the active one (operation `targets.activate_encryption_key`).
    fn activate_encryption_key(&self, py: Python<'_>, id: &str, fingerprint: &str) -> PyResult<()> {
        engine(py.detach(|| self.0.activate_encryption_key(id, fingerprint)))
    }

    /// Removes an encryption key (operation `targets.remove_encryption_key`).
    fn remove_encryption_key(&self, py: Python<'_>, id: &str, fingerprint: &str) -> PyResult<()> {
        engine(py.detach(|| self.0.remove_encryption_key(id, fingerprint)))
    }

    /// The exact request delivering `payload`, at the engine's time
    /// (operation `targets.sign`).
    fn sign(
        &self,
        py: Python<'_>,
        id: &str,
        payload: &Bound<'_, PyAny>,
    ) -> PyResult<SignedRequest> {
        let p = body_bytes(payload)?;
        Ok(engine(py.detach(|| self.0.sign(id, &p)))?.into())
    }

    /// As `sign`, at time `now` (operation `targets.sign_at`).
    fn sign_at(
        &self,
        py: Python<'_>,
        id: &str,
        payload: &Bound<'_, PyAny>,
        now: i64,
    ) -> PyResult<SignedRequest> {
        let p = body_bytes(payload)?;
        Ok(engine(py.detach(|| self.0.sign_at(id, &p, now)))?.into())
    }

    fn __repr__(&self) -> String {
        "Targets()".to_owned()
    }
}

/// The engine's JOSE token-signing key. Thread-safe.
#[pyclass(frozen, name = "Jose", module = "credcycle._native")]
pub struct PyJose(pub facade::Jose);

#[pymethods]
impl PyJose {
    /// The current token-signing key (operation `jose.current_key`).
    fn current_key(&self, py: Python<'_>) -> PyResult<TokenSigningKey> {
        Ok(engine(py.detach(|| self.0.current_key()))?.into())
    }

    /// Rotates the token-signing key (operation `jose.rotate_signing_key`).
    fn rotate_signing_key(&self, py: Python<'_>) -> PyResult<TokenSigningKey> {
        Ok(engine(py.detach(|| self.0.rotate_signing_key()))?.into())
    }

    /// The public JWKS, as JSON text (operation `jose.jwks`).
    fn jwks(&self, py: Python<'_>) -> PyResult<String> {
        engine(py.detach(|| self.0.jwks()))
    }

    /// A compact ES256 JWT of `claims` (a dict) (operation `jose.sign_jwt`).
    fn sign_jwt(&self, py: Python<'_>, claims: &Bound<'_, PyAny>) -> PyResult<String> {
        let c = json_dumps(py, claims)?;
        engine(py.detach(|| self.0.sign_jwt(&c)))
    }

    /// A compact ES256 JWS of `payload` with extra protected-header members
    /// (operation `jose.sign_jws`).
    #[pyo3(signature = (payload, *, header = None))]
    fn sign_jws(
        &self,
        py: Python<'_>,
        payload: &Bound<'_, PyAny>,
        header: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let p = body_bytes(payload)?;
        let h = opt_json(py, header)?.unwrap_or_else(|| "{}".to_owned());
        engine(py.detach(|| self.0.sign_jws(&h, &p)))
    }

    fn __repr__(&self) -> String {
        "Jose()".to_owned()
    }
}

/// The API tokens of one tenant. Thread-safe.
#[pyclass(frozen, name = "Tokens", module = "credcycle._native")]
pub struct PyTokens(pub facade::Tokens);

#[pymethods]
impl PyTokens {
    /// Creates a `PROXY` or `EXTENSION` token (operation `tokens.create`).
    #[pyo3(signature = (name, token_type, *, owner = None, org = None,
        expiration_time = None, token_rotation = None))]
    #[allow(clippy::too_many_arguments)]
    fn create(
        &self,
        py: Python<'_>,
        name: &str,
        token_type: &str,
        owner: Option<PyRef<'_, EntityRef>>,
        org: Option<PyRef<'_, EntityRef>>,
        expiration_time: Option<i64>,
        token_rotation: Option<String>,
    ) -> PyResult<CreatedToken> {
        let o = facade::CreateTokenOptions {
            owner: owner.map(|e| e.clone().into()),
            org: org.map(|e| e.clone().into()),
            expiration_time,
            token_rotation,
        };
        Ok(engine(py.detach(|| self.0.create(name, token_type, o)))?.into())
    }

    /// A token (operation `tokens.get`).
    fn get(&self, py: Python<'_>, id: &str) -> PyResult<ApiToken> {
        Ok(engine(py.detach(|| self.0.get(id)))?.into())
    }

    /// Every token of the tenant (operation `tokens.list`).
    fn list(&self, py: Python<'_>) -> PyResult<Vec<ApiToken>> {
        Ok(list(engine(py.detach(|| self.0.list()))?))
    }

    /// Renames a token, changes expiry/rotation (operation `tokens.update`).
    #[pyo3(signature = (id, name, *, expiration_time = None, token_rotation = None,
        require_rotation = None, token_type = None, owner = None, org = None))]
    #[allow(clippy::too_many_arguments)]
    fn update(
        &self,
        py: Python<'_>,
        id: &str,
        name: &str,
        expiration_time: Option<i64>,
        token_rotation: Option<String>,
        require_rotation: Option<bool>,
        token_type: Option<String>,
        owner: Option<PyRef<'_, EntityRef>>,
        org: Option<PyRef<'_, EntityRef>>,
    ) -> PyResult<ApiToken> {
        let o = facade::UpdateTokenOptions {
            expiration_time,
            token_rotation,
            require_rotation,
            token_type,
            owner: owner.map(|e| e.clone().into()),
            org: org.map(|e| e.clone().into()),
        };
        Ok(engine(py.detach(|| self.0.update(id, name, o)))?.into())
    }

    /// Revokes a token (operation `tokens.revoke`).
    fn revoke(&self, py: Python<'_>, id: &str) -> PyResult<ApiToken> {
        Ok(engine(py.detach(|| self.0.revoke(id)))?.into())
    }

    /// Checks a presented token value (operation `tokens.authenticate`).
    fn authenticate(&self, py: Python<'_>, value: &str) -> PyResult<TokenUse> {
        Ok(engine(py.detach(|| self.0.authenticate(value)))?.into())
    }

    /// Exchanges a refresh token (operation `tokens.refresh`).
    fn refresh(&self, py: Python<'_>, refresh_token: &str) -> PyResult<Refreshed> {
        Ok(engine(py.detach(|| self.0.refresh(refresh_token)))?.into())
    }

    fn __repr__(&self) -> String {
        "Tokens()".to_owned()
    }
}

#[allow(clippy::too_many_arguments)]
fn ua_settings(
    client_secret_trusted_ips: Option<Vec<String>>,
    access_token_trusted_ips: Option<Vec<String>>,
    access_token_ttl: Option<u32>,
    access_token_max_ttl: Option<u32>,
    access_token_num_uses_limit: Option<u32>,
    access_token_period: Option<u32>,
    lockout_enabled: Option<bool>,
    lockout_threshold: Option<u32>,
    lockout_duration_secs: Option<u32>,
    lockout_counter_reset_secs: Option<u32>,
) -> facade::UniversalAuthSettings {
    facade::UniversalAuthSettings {
        client_secret_trusted_ips,
        access_token_trusted_ips,
        access_token_ttl,
        access_token_max_ttl,
        access_token_num_uses_limit,
        access_token_period,
        lockout_enabled,
        lockout_threshold,
        lockout_duration_secs,
        lockout_counter_reset_secs,
    }
}

/// Machine identities and universal auth of one tenant. Thread-safe.
#[pyclass(frozen, name = "MachineAuth", module = "credcycle._native")]
pub struct PyMachineAuth(pub facade::MachineAuth);

#[pymethods]
impl PyMachineAuth {
    /// Creates a machine identity (operation `machine_auth.create_identity`).
    #[pyo3(signature = (name, *, id = None))]
    fn create_identity(
        &self,
        py: Python<'_>,
        name: &str,
        id: Option<&str>,
    ) -> PyResult<MachineIdentity> {
        Ok(engine(py.detach(|| self.0.create_identity(name, id)))?.into())
    }

    /// An identity (operation `machine_auth.identity`).
    fn identity(&self, py: Python<'_>, id: &str) -> PyResult<MachineIdentity> {
        Ok(engine(py.detach(|| self.0.identity(id)))?.into())
    }

    /// Every identity (operation `machine_auth.list_identities`).
    fn list_identities(&self, py: Python<'_>) -> PyResult<Vec<MachineIdentity>> {
        Ok(list(engine(py.detach(|| self.0.list_identities()))?))
    }

    /// Attaches universal auth (operation `machine_auth.attach_universal_auth`).
    #[pyo3(signature = (identity_id, *, client_secret_trusted_ips = None,
        access_token_trusted_ips = None, access_token_ttl = None, access_token_max_ttl = None,
        access_token_num_uses_limit = None, access_token_period = None, lockout_enabled = None,
        lockout_threshold = None, lockout_duration_secs = None,
        lockout_counter_reset_secs = None))]
    #[allow(clippy::too_many_arguments)]
    fn attach_universal_auth(
        &self,
        py: Python<'_>,
        identity_id: &str,
        client_secret_trusted_ips: Option<Vec<String>>,
        access_token_trusted_ips: Option<Vec<String>>,
        access_token_ttl: Option<u32>,
        access_token_max_ttl: Option<u32>,
        access_token_num_uses_limit: Option<u32>,
        access_token_period: Option<u32>,
        lockout_enabled: Option<bool>,
        lockout_threshold: Option<u32>,
        lockout_duration_secs: Option<u32>,
        lockout_counter_reset_secs: Option<u32>,
    ) -> PyResult<UniversalAuth> {
        let s = ua_settings(
            client_secret_trusted_ips,
            access_token_trusted_ips,
            access_token_ttl,
            access_token_max_ttl,
            access_token_num_uses_limit,
            access_token_period,
            lockout_enabled,
            lockout_threshold,
            lockout_duration_secs,
            lockout_counter_reset_secs,
        );
        Ok(engine(py.detach(|| self.0.attach_universal_auth(identity_id, s)))?.into())
    }

    /// Changes universal-auth settings (operation
    /// `machine_auth.update_universal_auth`).
    #[pyo3(signature = (identity_id, *, client_secret_trusted_ips = None,
        access_token_trusted_ips = None, access_token_ttl = None, access_token_max_ttl = None,
        access_token_num_uses_limit = None, access_token_period = None, lockout_enabled = None,
        lockout_threshold = None, lockout_duration_secs = None,
        lockout_counter_reset_secs = None))]
    #[allow(clippy::too_many_arguments)]
    fn update_universal_auth(
        &self,
        py: Python<'_>,
        identity_id: &str,
        client_secret_trusted_ips: Option<Vec<String>>,
        access_token_trusted_ips: Option<Vec<String>>,
        access_token_ttl: Option<u32>,
        access_token_max_ttl: Option<u32>,
        access_token_num_uses_limit: Option<u32>,
        access_token_period: Option<u32>,
        lockout_enabled: Option<bool>,
        lockout_threshold: Option<u32>,
        lockout_duration_secs: Option<u32>,
        lockout_counter_reset_secs: Option<u32>,
    ) -> PyResult<UniversalAuth> {
        let s = ua_settings(
            client_secret_trusted_ips,
            access_token_trusted_ips,
            access_token_ttl,
            access_token_max_ttl,
            access_token_num_uses_limit,
            access_token_period,
            lockout_enabled,
            lockout_threshold,
            lockout_duration_secs,
            lockout_counter_reset_secs,
        );
        Ok(engine(py.detach(|| self.0.update_universal_auth(identity_id, s)))?.into())
    }

    /// Universal-auth settings (operation `machine_auth.universal_auth`).
    fn universal_auth(&self, py: Python<'_>, identity_id: &str) -> PyResult<UniversalAuth> {
        Ok(engine(py.detach(|| self.0.universal_auth(identity_id)))?.into())
    }

    /// Makes a client secret (operation `machine_auth.create_client_secret`).
    #[pyo3(signature = (identity_id, *, description = "", ttl_secs = 0, num_uses_limit = 0))]
    fn create_client_secret(
        &self,
        py: Python<'_>,
        identity_id: &str,
        description: &str,
        ttl_secs: u32,
        num_uses_limit: u32,
    ) -> PyResult<CreatedClientSecret> {
        Ok(engine(py.detach(|| {
            self.0
                .create_client_secret(identity_id, description, ttl_secs, num_uses_limit)
        }))?
        .into())
    }

    /// Client secrets (operation `machine_auth.list_client_secrets`).
    fn list_client_secrets(
        &self,
        py: Python<'_>,
        identity_id: &str,
    ) -> PyResult<Vec<ClientSecretInfo>> {
        Ok(list(engine(
            py.detach(|| self.0.list_client_secrets(identity_id)),
        )?))
    }

    /// Revokes a client secret (operation `machine_auth.revoke_client_secret`).
    fn revoke_client_secret(
        &self,
        py: Python<'_>,
        identity_id: &str,
        secret_id: &str,
    ) -> PyResult<ClientSecretInfo> {
        Ok(engine(py.detach(|| self.0.revoke_client_secret(identity_id, secret_id)))?.into())
    }

    /// Logs in (operation `machine_auth.login`).
    fn login(
        &self,
        py: Python<'_>,
        client_id: &str,
        client_secret: &str,
        client_ip: &str,
    ) -> PyResult<AccessTokenGrant> {
        Ok(engine(py.detach(|| self.0.login(client_id, client_secret, client_ip)))?.into())
    }

    /// Checks an access token (operation `machine_auth.authenticate`).
    fn authenticate(
        &self,
        py: Python<'_>,
        access_token: &str,
        client_ip: &str,
    ) -> PyResult<AccessTokenInfo> {
        Ok(engine(py.detach(|| self.0.authenticate(access_token, client_ip)))?.into())
    }

    /// Extends an access token (operation `machine_auth.renew`).
    fn renew(&self, py: Python<'_>, access_token: &str) -> PyResult<AccessTokenInfo> {
        Ok(engine(py.detach(|| self.0.renew(access_token)))?.into())
    }

    /// Revokes an access token (operation `machine_auth.revoke`).
    fn revoke(&self, py: Python<'_>, access_token: &str) -> PyResult<()> {
        engine(py.detach(|| self.0.revoke(access_token)))
    }

    fn __repr__(&self) -> String {
        "MachineAuth()".to_owned()
    }
}

/// Identities, authenticators, external JWT signers and API sessions of
/// one tenant. Thread-safe.
#[pyclass(frozen, name = "Identities", module = "credcycle._native")]
pub struct PyIdentities(pub facade::Identities);

#[pymethods]
impl PyIdentities {
    /// Creates an identity with optional `tags` (a dict of str, bool or None
    /// values) (operation `identities.create`).
    #[pyo3(signature = (name, *, tags = None))]
    fn create(
        &self,
        py: Python<'_>,
        name: &str,
        tags: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Identity> {
        let t = opt_json(py, tags)?;
        Ok(engine(py.detach(|| self.0.create(name, t.as_deref())))?.into())
    }

    /// An identity by id (operation `identities.get`).
    fn get(&self, py: Python<'_>, id: &str) -> PyResult<Identity> {
        Ok(engine(py.detach(|| self.0.get(id)))?.into())
    }

    /// An identity by name (operation `identities.find_by_name`).
    fn find_by_name(&self, py: Python<'_>, name: &str) -> PyResult<Identity> {
        Ok(engine(py.detach(|| self.0.find_by_name(name)))?.into())
    }

    /// Every identity (operation `identities.list`).
    fn list(&self, py: Python<'_>) -> PyResult<Vec<Identity>> {
        Ok(list(engine(py.detach(|| self.0.list()))?))
    }

    /// Deletes an identity (operation `identities.delete`).
    fn delete(&self, py: Python<'_>, id: &str) -> PyResult<()> {
        engine(py.detach(|| self.0.delete(id)))
    }

    /// Sets the username/password authenticator (operation
    /// `identities.set_password`).
    fn set_password(
        &self,
        py: Python<'_>,
        identity_id: &str,
        username: &str,
        password: &str,
    ) -> PyResult<Authenticator> {
        let pw = Zeroizing::new(password.to_owned());
        Ok(engine(py.detach(|| self.0.set_password(identity_id, username, &pw)))?.into())
    }

    /// Adds a certificate authenticator (operation
    /// `identities.add_cert_authenticator`).
    fn add_cert_authenticator(
        &self,
        py: Python<'_>,
        identity_id: &str,
        fingerprint: &str,
    ) -> PyResult<Authenticator> {
        Ok(engine(py.detach(|| self.0.add_cert_authenticator(identity_id, fingerprint)))?.into())
    }

    /// Forces a password change (operation `identities.mark_password_compromised`).
    fn mark_password_compromised(
        &self,
        py: Python<'_>,
        authenticator_id: &str,
    ) -> PyResult<Authenticator> {
        Ok(engine(py.detach(|| self.0.mark_password_compromised(authenticator_id)))?.into())
    }

    /// Deletes an authenticator (operation `identities.delete_authenticator`).
    fn delete_authenticator(&self, py: Python<'_>, authenticator_id: &str) -> PyResult<()> {
        engine(py.detach(|| self.0.delete_authenticator(authenticator_id)))
    }

    /// The subject's authenticators (operation `identities.authenticators`).
    #[pyo3(signature = (*, session = None, identity = None))]
    fn authenticators(
        &self,
        py: Python<'_>,
        session: Option<String>,
        identity: Option<String>,
    ) -> PyResult<Vec<Authenticator>> {
        let who = subject(session, identity)?;
        Ok(list(engine(py.detach(|| self.0.authenticators(&who)))?))
    }

    /// One authenticator of the subject (operation `identities.authenticator`).
    #[pyo3(signature = (authenticator_id, *, session = None, identity = None))]
    fn authenticator(
        &self,
        py: Python<'_>,
        authenticator_id: &str,
        session: Option<String>,
        identity: Option<String>,
    ) -> PyResult<Authenticator> {
        let who = subject(session, identity)?;
        Ok(engine(py.detach(|| self.0.authenticator(&who, authenticator_id)))?.into())
    }

    /// Replaces username and password, proving the current password
    /// (operation `identities.update_authenticator`).
    #[pyo3(signature = (authenticator_id, *, username, password, current_password,
        tags = None, session = None, identity = None))]
    #[allow(clippy::too_many_arguments)]
    fn update_authenticator(
        &self,
        py: Python<'_>,
        authenticator_id: &str,
        username: &str,
        password: &str,
        current_password: &str,
        tags: Option<&Bound<'_, PyAny>>,
        session: Option<String>,
        identity: Option<String>,
    ) -> PyResult<Authenticator> {
        let who = subject(session, identity)?;
        let t = opt_json(py, tags)?;
        let (pw, cur) = (
            Zeroizing::new(password.to_owned()),
            Zeroizing::new(current_password.to_owned()),
        );
        Ok(engine(py.detach(|| {
            self.0
                .update_authenticator(&who, authenticator_id, username, &pw, &cur, t.as_deref())
        }))?
        .into())
    }

    /// Changes some of username, password and tags (`clear_tags=True`
    /// removes them), proving the current password (operation
    /// `identities.patch_authenticator`).
    #[pyo3(signature = (authenticator_id, *, current_password, username = None,
        password = None, tags = None, clear_tags = false, session = None, identity = None))]
    #[allow(clippy::too_many_arguments)]
    fn patch_authenticator(
        &self,
        py: Python<'_>,
        authenticator_id: &str,
        current_password: &str,
        username: Option<&str>,
        password: Option<&str>,
        tags: Option<&Bound<'_, PyAny>>,
        clear_tags: bool,
        session: Option<String>,
        identity: Option<String>,
    ) -> PyResult<Authenticator> {
        let who = subject(session, identity)?;
        let t = match (tags, clear_tags) {
            (Some(_), true) => {
                return Err(PyValueError::new_err(
                    "give either tags or clear_tags, not both",
                ));
            }
            (_, true) => Some("null".to_owned()),
            (t, false) => opt_json(py, t)?,
        };
        let cur = Zeroizing::new(current_password.to_owned());
        let pw = password.map(|p| Zeroizing::new(p.to_owned()));
        Ok(engine(py.detach(|| {
            self.0.patch_authenticator(
                &who,
                authenticator_id,
                &cur,
                username,
                pw.as_deref().map(String::as_str),
                t.as_deref(),
            )
        }))?
        .into())
    }

    /// Registers an external JWT signer with a JWKS (`jwks=`, JSON text)
    /// or a PEM public key (`pem=`) (operation
    /// `identities.create_ext_jwt_signer`).
    #[pyo3(signature = (name, *, issuer, audience, jwks = None, pem = None,
        identity_claim = None, claim_match = None))]
    #[allow(clippy::too_many_arguments)]
    fn create_ext_jwt_signer(
        &self,
        py: Python<'_>,
        name: &str,
        issuer: &str,
        audience: &str,
        jwks: Option<String>,
        pem: Option<String>,
        identity_claim: Option<String>,
        claim_match: Option<String>,
    ) -> PyResult<ExtJwtSigner> {
        let (keys, is_pem) = match (jwks, pem) {
            (Some(j), None) => (j, false),
            (None, Some(p)) => (p, true),
            _ => return Err(PyValueError::new_err("give exactly one of jwks= or pem=")),
        };
        Ok(engine(py.detach(|| {
            self.0.create_ext_jwt_signer(
                name,
                issuer,
                audience,
                &keys,
                is_pem,
                identity_claim.as_deref(),
                claim_match.as_deref(),
            )
        }))?
        .into())
    }

    /// Every external JWT signer (operation `identities.ext_jwt_signers`).
    fn ext_jwt_signers(&self, py: Python<'_>) -> PyResult<Vec<ExtJwtSigner>> {
        Ok(list(engine(py.detach(|| self.0.ext_jwt_signers()))?))
    }

    /// Deletes an external JWT signer (operation
    /// `identities.delete_ext_jwt_signer`).
    fn delete_ext_jwt_signer(&self, py: Python<'_>, id: &str) -> PyResult<()> {
        engine(py.detach(|| self.0.delete_ext_jwt_signer(id)))
    }

    /// Logs in with a username and password, a certificate chain (DER,
    /// leaf first) or an external JWT, and opens an API session
    /// (operation `identities.authenticate`).
    #[pyo3(signature = (*, username = None, password = None, cert_chain = None,
        ext_jwt = None, env_info = None, sdk_info = None, config_types = Vec::new()))]
    #[allow(clippy::too_many_arguments)]
    fn authenticate(
        &self,
        py: Python<'_>,
        username: Option<String>,
        password: Option<String>,
        cert_chain: Option<Vec<Vec<u8>>>,
        ext_jwt: Option<String>,
        env_info: Option<&Bound<'_, PyAny>>,
        sdk_info: Option<&Bound<'_, PyAny>>,
        config_types: Vec<String>,
    ) -> PyResult<NewSession> {
        let creds = match (username, password, cert_chain, ext_jwt) {
            (Some(username), Some(password), None, None) => facade::AuthInput::Password {
                username,
                password: Zeroizing::new(password),
            },
            (None, None, Some(chain), None) => facade::AuthInput::Cert { chain },
            (None, None, None, Some(token)) => facade::AuthInput::ExtJwt {
                token: Zeroizing::new(token),
            },
            _ => {
                return Err(PyValueError::new_err(
                    "give username= and password=, or cert_chain=, or ext_jwt=",
                ));
            }
        };
        let env = opt_json(py, env_info)?;
        let sdk = opt_json(py, sdk_info)?;
        Ok(engine(py.detach(|| {
            self.0
                .authenticate(creds, env.as_deref(), sdk.as_deref(), config_types)
        }))?
        .into())
    }

    /// The session of a token (operation `identities.current_session`).
    fn current_session(&self, py: Python<'_>, session_token: &str) -> PyResult<Session> {
        Ok(engine(py.detach(|| self.0.current_session(session_token)))?.into())
    }

    /// Checks a session before serving `operation` (operation
    /// `identities.validate_session`).
    fn validate_session(
        &self,
        py: Python<'_>,
        session_token: &str,
        operation: &str,
    ) -> PyResult<Session> {
        Ok(engine(py.detach(|| self.0.validate_session(session_token, operation)))?.into())
    }

    /// The identity of a session (operation `identities.current_identity`).
    fn current_identity(&self, py: Python<'_>, session_token: &str) -> PyResult<Identity> {
        Ok(engine(py.detach(|| self.0.current_identity(session_token)))?.into())
    }

    /// Ends a session (operation `identities.logout`).
    fn logout(&self, py: Python<'_>, session_token: &str) -> PyResult<()> {
        engine(py.detach(|| self.0.logout(session_token)))
    }

    /// The subject's live sessions (operation `identities.sessions`).
    #[pyo3(signature = (*, session = None, identity = None))]
    fn sessions(
        &self,
        py: Python<'_>,
        session: Option<String>,
        identity: Option<String>,
    ) -> PyResult<Vec<Session>> {
        let who = subject(session, identity)?;
        Ok(list(engine(py.detach(|| self.0.sessions(&who)))?))
    }

    /// Deletes expired sessions; returns how many (operation
    /// `identities.purge_expired_sessions`).
    fn purge_expired_sessions(&self, py: Python<'_>) -> PyResult<u32> {
        engine(py.detach(|| self.0.purge_expired_sessions()))
    }

    fn __repr__(&self) -> String {
        "Identities()".to_owned()
    }
}

/// TOTP second factors of one tenant. Thread-safe. Methods about an
/// identity take `session=` (the identity acting for itself) or
/// `identity=` (an administrator).
#[pyclass(frozen, name = "Mfa", module = "credcycle._native")]
pub struct PyMfa(pub facade::Mfa);

#[pymethods]
impl PyMfa {
    /// Enrolls (operation `mfa.enroll`).
    #[pyo3(signature = (*, session = None, identity = None))]
    fn enroll(
        &self,
        py: Python<'_>,
        session: Option<String>,
        identity: Option<String>,
    ) -> PyResult<MfaEnrollment> {
        let who = subject(session, identity)?;
        Ok(engine(py.detach(|| self.0.enroll(&who)))?.into())
    }

    /// The MFA state (operation `mfa.status`).
    #[pyo3(signature = (*, session = None, identity = None))]
    fn status(
        &self,
        py: Python<'_>,
        session: Option<String>,
        identity: Option<String>,
    ) -> PyResult<MfaStatus> {
        let who = subject(session, identity)?;
        Ok(engine(py.detach(|| self.0.status(&who)))?.into())
    }

    /// The provisioning URI as a `png` or `svg` QR code (operation
    /// `mfa.qr_code`).
    #[pyo3(signature = (*, format = "png", session = None, identity = None))]
    fn qr_code<'py>(
        &self,
        py: Python<'py>,
        format: &str,
        session: Option<String>,
        identity: Option<String>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let who = subject(session, identity)?;
        let v = engine(py.detach(|| self.0.qr_code(&who, format)))?;
        Ok(PyBytes::new(py, &v))
    }

    /// Confirms the enrollment (operation `mfa.verify`).
    #[pyo3(signature = (code, *, session = None, identity = None))]
    fn verify(
        &self,
        py: Python<'_>,
        code: &str,
        session: Option<String>,
        identity: Option<String>,
    ) -> PyResult<()> {
        let who = subject(session, identity)?;
        engine(py.detach(|| self.0.verify(&who, code)))
    }

    /// Gives a session its second factor (operation `mfa.authenticate_mfa`).
    fn authenticate_mfa(
        &self,
        py: Python<'_>,
        session_token: &str,
        code: &str,
    ) -> PyResult<Session> {
        Ok(engine(py.detach(|| self.0.authenticate_mfa(session_token, code)))?.into())
    }

    /// Removes MFA, proving a current code (operation `mfa.disable`).
    #[pyo3(signature = (code, *, session = None, identity = None))]
    fn disable(
        &self,
        py: Python<'_>,
        code: &str,
        session: Option<String>,
        identity: Option<String>,
    ) -> PyResult<()> {
        let who = subject(session, identity)?;
        engine(py.detach(|| self.0.disable(&who, code)))
    }

    /// Removes an identity's MFA without a code (operation `mfa.remove`).
    fn remove(&self, py: Python<'_>, identity_id: &str) -> PyResult<()> {
        engine(py.detach(|| self.0.remove(identity_id)))
    }

    /// Replaces the recovery codes (operation `mfa.regenerate_recovery_codes`).
    #[pyo3(signature = (code, *, session = None, identity = None))]
    fn regenerate_recovery_codes(
        &self,
        py: Python<'_>,
        code: &str,
        session: Option<String>,
        identity: Option<String>,
    ) -> PyResult<Vec<String>> {
        let who = subject(session, identity)?;
        let v = engine(py.detach(|| self.0.regenerate_recovery_codes(&who, code)))?;
        Ok(v.iter().map(|c| c.as_str().to_owned()).collect())
    }

    /// The recovery codes (operation `mfa.view_recovery_codes`).
    #[pyo3(signature = (code, *, session = None, identity = None))]
    fn view_recovery_codes(
        &self,
        py: Python<'_>,
        code: &str,
        session: Option<String>,
        identity: Option<String>,
    ) -> PyResult<RecoveryCodes> {
        let who = subject(session, identity)?;
        Ok(engine(py.detach(|| self.0.view_recovery_codes(&who, code)))?.into())
    }

    fn __repr__(&self) -> String {
        "Mfa()".to_owned()
    }
}

/// A TOTP/HOTP key (RFC 6238 / RFC 4226). `repr` shows no secret.
#[pyclass(frozen, name = "Totp", module = "credcycle._native")]
pub struct PyTotp(facade::Totp);

#[pymethods]
impl PyTotp {
    /// A key from its secret bytes (operation `totp.new`).
    #[new]
    #[pyo3(signature = (secret, *, algorithm = "SHA1", digits = 6, period = 30))]
    fn new(secret: Vec<u8>, algorithm: &str, digits: u32, period: u32) -> PyResult<Self> {
        let secret = Zeroizing::new(secret);
        Ok(PyTotp(engine(facade::Totp::new(
            &secret, algorithm, digits, period,
        ))?))
    }

    /// The key of an `otpauth://totp/…` URI (operation `totp.from_uri`).
    #[staticmethod]
    fn from_uri(uri: &str) -> PyResult<Self> {
        Ok(PyTotp(engine(facade::Totp::from_uri(uri))?))
    }

    /// `SHA1`, `SHA256` or `SHA512`.
    #[getter]
    fn algorithm(&self) -> &'static str {
        self.0.algorithm()
    }

    /// Code length.
    #[getter]
    fn digits(&self) -> u32 {
        self.0.digits()
    }

    /// Step in seconds.
    #[getter]
    fn period(&self) -> u32 {
        self.0.period()
    }

    /// The URI's issuer, if it came from one.
    #[getter]
    fn issuer(&self) -> Option<String> {
        self.0.issuer().map(str::to_owned)
    }

    /// The URI's account, if it came from one.
    #[getter]
    fn account(&self) -> Option<String> {
        self.0.account().map(str::to_owned)
    }

    /// The HOTP code for `counter` (operation `totp.hotp`).
    fn hotp(&self, counter: u64) -> String {
        self.0.hotp(counter)
    }

    /// The TOTP code at `time` (default now) (operation `totp.code_at`).
    #[pyo3(signature = (time = None))]
    fn code_at(&self, time: Option<i64>) -> String {
        self.0.code_at(time)
    }

    /// The matching step of `code` at `time` (default now) within `window`
    /// steps, or None (operation `totp.verify`). A client helper, not an
    /// engine call: it keeps the GIL, because the work (one HMAC per
    /// candidate step, under a microsecond) costs less than releasing and
    /// re-taking it (as `hashlib` does for small inputs).
    #[pyo3(signature = (code, *, time = None, window = 1))]
    fn verify(&self, code: &str, time: Option<i64>, window: u32) -> PyResult<Option<i64>> {
        engine(self.0.verify(code, time, window))
    }

    /// The `otpauth://totp/…` URI (operation `totp.provisioning_uri`).
    fn provisioning_uri(&self, issuer: &str, account: &str) -> String {
        self.0.provisioning_uri(issuer, account).as_str().to_owned()
    }

    fn __repr__(&self) -> String {
        format!(
            "Totp(algorithm={:?}, digits={}, period={})",
            self.0.algorithm(),
            self.0.digits(),
            self.0.period()
        )
    }
}

/// Remembers webhook message ids so a replay is refused. Thread-safe.
#[pyclass(frozen, name = "ReplayGuard", module = "credcycle._native")]
pub struct PyReplayGuard(pub client::ReplayGuard);

#[pymethods]
impl PyReplayGuard {
    /// An in-process guard (operation `replay_guard.memory`).
    #[staticmethod]
    fn memory() -> Self {
        PyReplayGuard(client::ReplayGuard::memory())
    }

    fn __repr__(&self) -> String {
        "ReplayGuard()".to_owned()
    }
}

/// Verifies a `ZITADEL-Signature` header (operation
/// `client.verify_webhook_zitadel`).
#[pyfunction]
#[pyo3(signature = (header, body, keys, *, tolerance_secs = None, now = None, guard = None))]
pub fn verify_webhook_zitadel(
    py: Python<'_>,
    header: &str,
    body: &Bound<'_, PyAny>,
    keys: &Bound<'_, PyAny>,
    tolerance_secs: Option<i64>,
    now: Option<i64>,
    guard: Option<PyRef<'_, PyReplayGuard>>,
) -> PyResult<VerifiedWebhook> {
    let (b, k) = (body_bytes(body)?, strings(keys)?);
    let g = guard.map(|g| g.0.clone());
    Ok(engine(py.detach(|| {
        client::verify_webhook_zitadel(header, &b, &k, tolerance_secs, now, g.as_ref())
    }))?
    .into())
}

/// Verifies Standard Webhooks headers (operation
/// `client.verify_webhook_standard`).
#[pyfunction]
#[pyo3(signature = (headers, body, keys, *, tolerance_secs = None, now = None, guard = None))]
pub fn verify_webhook_standard(
    py: Python<'_>,
    headers: &Bound<'_, PyAny>,
    body: &Bound<'_, PyAny>,
    keys: &Bound<'_, PyAny>,
    tolerance_secs: Option<i64>,
    now: Option<i64>,
    guard: Option<PyRef<'_, PyReplayGuard>>,
) -> PyResult<VerifiedWebhook> {
    let (h, b, k) = (self::headers(headers)?, body_bytes(body)?, strings(keys)?);
    let g = guard.map(|g| g.0.clone());
    Ok(engine(
        py.detach(|| client::verify_webhook_standard(&h, &b, &k, tolerance_secs, now, g.as_ref())),
    )?
    .into())
}

/// The `ZITADEL-Signature` value for `body` (operation
/// `client.sign_webhook_zitadel`).
#[pyfunction]
pub fn sign_webhook_zitadel(
    keys: &Bound<'_, PyAny>,
    timestamp: i64,
    body: &Bound<'_, PyAny>,
) -> PyResult<String> {
    engine(client::sign_webhook_zitadel(
        &strings(keys)?,
        timestamp,
        &body_bytes(body)?,
    ))
}

/// The Standard Webhooks `webhook-signature` value (operation
/// `client.sign_webhook_standard`).
#[pyfunction]
pub fn sign_webhook_standard(
    keys: &Bound<'_, PyAny>,
    msg_id: &str,
    timestamp: i64,
    body: &Bound<'_, PyAny>,
) -> PyResult<String> {
    engine(client::sign_webhook_standard(
        &strings(keys)?,
        msg_id,
        timestamp,
        &body_bytes(body)?,
    ))
}

fn validation(
    algorithms: Vec<String>,
    leeway_secs: i64,
    issuer: Option<String>,
    audience: Option<String>,
    typ: Option<String>,
    require_exp: bool,
) -> facade::JwtValidation {
    facade::JwtValidation {
        algorithms,
        leeway_secs,
        issuer,
        audience,
        typ,
        require_exp,
    }
}

/// Verifies a compact JWT against a JWKS (JSON text) (operation
/// `client.verify_jwt`).
#[pyfunction]
#[pyo3(signature = (token, jwks, *, audience = None, issuer = None, algorithms = Vec::new(),
    leeway_secs = 60, typ = None, require_exp = true, now = None))]
#[allow(clippy::too_many_arguments)]
pub fn verify_jwt(
    py: Python<'_>,
    token: &Bound<'_, PyAny>,
    jwks: &str,
    audience: Option<String>,
    issuer: Option<String>,
    algorithms: Vec<String>,
    leeway_secs: i64,
    typ: Option<String>,
    require_exp: bool,
    now: Option<i64>,
) -> PyResult<VerifiedJwt> {
    let t = body_bytes(token)?;
    let v = validation(algorithms, leeway_secs, issuer, audience, typ, require_exp);
    Ok(engine(py.detach(|| client::verify_jwt(&t, jwks, &v, now)))?.into())
}

/// Decrypts a compact JWE with the receiver's private key (JWK JSON or
/// PEM), then verifies the inner JWT against the sender's JWKS (operation
/// `client.decrypt_jwe`).
#[pyfunction]
#[pyo3(signature = (token, private_key, jwks, *, audience = None, issuer = None,
    algorithms = Vec::new(), jwe_algorithms = Vec::new(), leeway_secs = 60, typ = None,
    require_exp = true, now = None))]
#[allow(clippy::too_many_arguments)]
pub fn decrypt_jwe(
    py: Python<'_>,
    token: &Bound<'_, PyAny>,
    private_key: &str,
    jwks: &str,
    audience: Option<String>,
    issuer: Option<String>,
    algorithms: Vec<String>,
    jwe_algorithms: Vec<String>,
    leeway_secs: i64,
    typ: Option<String>,
    require_exp: bool,
    now: Option<i64>,
) -> PyResult<VerifiedJwt> {
    let t = body_bytes(token)?;
    let key = Zeroizing::new(private_key.to_owned());
    let v = validation(algorithms, leeway_secs, issuer, audience, typ, require_exp);
    Ok(engine(py.detach(|| client::decrypt_jwe(&t, &key, jwks, &v, &jwe_algorithms, now)))?.into())
}

/// The client address behind trusted proxies (operation
/// `client.resolve_client_ip`).
#[pyfunction]
#[pyo3(signature = (peer, forwarded_for = Vec::new(), trusted_proxies = Vec::new()))]
pub fn resolve_client_ip(
    peer: &str,
    forwarded_for: Vec<String>,
    trusted_proxies: Vec<String>,
) -> PyResult<String> {
    engine(client::resolve_client_ip(
        peer,
        &forwarded_for,
        &trusted_proxies,
    ))
}

/// Benchmark helper (not API): runs `n` calls of operation `op` on `handle`
/// in a Rust loop with the GIL released, and returns the seconds taken, so
/// the Python benchmark can put the same call made from Python beside it.
/// `op` is `secrets.get` (handle: `Secrets`, `arg`: a name) or
/// `totp.verify` (handle: `Totp`, `arg`: a code checked at time 59).
#[pyfunction]
pub fn _time_in_rust(
    py: Python<'_>,
    op: &str,
    handle: &Bound<'_, PyAny>,
    arg: &str,
    n: u32,
) -> PyResult<f64> {
    use std::hint::black_box;
    use std::time::Instant;
    match op {
        "secrets.get" => {
            let s = handle
                .cast::<crate::engine::PySecrets>()?
                .get()
                .inner()
                .clone();
            py.detach(|| {
                let start = Instant::now();
                for _ in 0..n {
                    black_box(s.get(black_box(arg)))?;
                }
                Ok(start.elapsed().as_secs_f64())
            })
            .map_err(crate::errors::to_pyerr)
        }
        "totp.verify" => {
            let t = handle.cast::<PyTotp>()?.get().0.clone();
            py.detach(|| {
                let start = Instant::now();
                for _ in 0..n {
                    black_box(t.verify(black_box(arg), Some(59), 1))?;
                }
                Ok(start.elapsed().as_secs_f64())
            })
            .map_err(crate::errors::to_pyerr)
        }
        _ => Err(PyValueError::new_err(
            "op must be secrets.get or totp.verify",
        )),
    }
}
