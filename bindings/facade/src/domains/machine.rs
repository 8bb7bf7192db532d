//! Machine identities with universal auth: client secrets, login, access
//! tokens.

use std::net::IpAddr;

use credcycle::machine_auth::{
    self as core_ma, CreateClientSecret, MachineIdentity, UniversalAuth,
};
use zeroize::Zeroizing;

use super::tokens::reveal;
use crate::error::{Error, Result};

pub(crate) fn parse_ip(field: &'static str, s: &str) -> Result<IpAddr> {
    s.trim()
        .parse()
        .map_err(|_| Error::invalid(field, "must be an IPv4 or IPv6 address"))
}

/// Universal-auth settings of an identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UniversalAuthInfo {
    /// The identity.
    pub identity_id: String,
    /// The client id used to log in.
    pub client_id: String,
    /// Addresses/CIDRs allowed to log in.
    pub client_secret_trusted_ips: Vec<String>,
    /// Addresses/CIDRs allowed to use access tokens.
    pub access_token_trusted_ips: Vec<String>,
    /// Access token lifetime in seconds.
    pub access_token_ttl: u32,
    /// Longest lifetime through renewals, in seconds.
    pub access_token_max_ttl: u32,
    /// Uses per access token (0: unlimited).
    pub access_token_num_uses_limit: u32,
    /// Periodic token renewal period in seconds (0: not periodic).
    pub access_token_period: u32,
    /// Whether failed logins lock the client out.
    pub lockout_enabled: bool,
    /// Failed logins before a lockout.
    pub lockout_threshold: u32,
    /// Lockout length in seconds.
    pub lockout_duration_secs: u32,
    /// Seconds after which the failure counter resets.
    pub lockout_counter_reset_secs: u32,
    /// Creation time.
    pub create_time: i64,
    /// Last change.
    pub update_time: i64,
}

impl From<UniversalAuth> for UniversalAuthInfo {
    fn from(u: UniversalAuth) -> Self {
        UniversalAuthInfo {
            identity_id: u.identity_id,
            client_id: u.client_id,
            client_secret_trusted_ips: u.client_secret_trusted_ips.to_strings(),
            access_token_trusted_ips: u.access_token_trusted_ips.to_strings(),
            access_token_ttl: u.access_token_ttl,
            access_token_max_ttl: u.access_token_max_ttl,
            access_token_num_uses_limit: u.access_token_num_uses_limit,
            access_token_period: u.access_token_period,
            lockout_enabled: u.lockout.enabled,
            lockout_threshold: u.lockout.threshold,
            lockout_duration_secs: u.lockout.duration_secs,
            lockout_counter_reset_secs: u.lockout.counter_reset_secs,
            create_time: u.create_time.secs(),
            update_time: u.update_time.secs(),
        }
    }
}

/// A machine identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MachineIdentityInfo {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Creation time.
    pub create_time: i64,
    /// Last change.
    pub update_time: i64,
    /// Its universal auth, if attached.
    pub universal_auth: Option<UniversalAuthInfo>,
}

impl From<MachineIdentity> for MachineIdentityInfo {
    fn from(m: MachineIdentity) -> Self {
        MachineIdentityInfo {
            id: m.id,
            name: m.name,
            create_time: m.create_time.secs(),
            update_time: m.update_time.secs(),
            universal_auth: m.universal_auth.map(UniversalAuthInfo::from),
        }
    }
}

/// Universal-auth settings to attach or change; `None` keeps the default
/// (attach) or the current value (update).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UniversalAuthSettings {
    /// Addresses/CIDRs allowed to log in.
    pub client_secret_trusted_ips: Option<Vec<String>>,
    /// Addresses/CIDRs allowed to use access tokens.
    pub access_token_trusted_ips: Option<Vec<String>>,
    /// Access token lifetime in seconds.
    pub access_token_ttl: Option<u32>,
    /// Longest lifetime through renewals, in seconds.
    pub access_token_max_ttl: Option<u32>,
    /// Uses per access token (0: unlimited).
    pub access_token_num_uses_limit: Option<u32>,
    /// Periodic renewal period in seconds.
    pub access_token_period: Option<u32>,
    /// Whether failed logins lock the client out.
    pub lockout_enabled: Option<bool>,
    /// Failed logins before a lockout.
    pub lockout_threshold: Option<u32>,
    /// Lockout length in seconds.
    pub lockout_duration_secs: Option<u32>,
    /// Seconds after which the failure counter resets.
    pub lockout_counter_reset_secs: Option<u32>,
}

impl From<UniversalAuthSettings> for core_ma::UniversalAuthSettings {
    fn from(s: UniversalAuthSettings) -> Self {
        core_ma::UniversalAuthSettings {
            client_secret_trusted_ips: s.client_secret_trusted_ips,
            access_token_trusted_ips: s.access_token_trusted_ips,
            access_token_ttl: s.access_token_ttl,
            access_token_max_ttl: s.access_token_max_ttl,
            access_token_num_uses_limit: s.access_token_num_uses_limit,
            access_token_period: s.access_token_period,
            lockout_enabled: s.lockout_enabled,
            lockout_threshold: s.lockout_threshold,
            lockout_duration_secs: s.lockout_duration_secs,
            lockout_counter_reset_secs: s.lockout_counter_reset_secs,
        }
    }
}

/// A client secret's metadata (never the secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientSecretInfo {
    /// Id.
    pub id: String,
    /// The identity.
    pub identity_id: String,
    /// Description.
    pub description: String,
    /// The first characters of the secret, to tell secrets apart.
    pub prefix: String,
    /// Lifetime in seconds (0: none).
    pub ttl_secs: u32,
    /// Logins made with it.
    pub num_uses: u32,
    /// Logins allowed (0: unlimited).
    pub num_uses_limit: u32,
    /// `ACTIVE`, `EXPIRED`, `EXHAUSTED` or `REVOKED`.
    pub state: String,
    /// Creation time.
    pub create_time: i64,
    /// Expiry, if it has a lifetime.
    pub expires_at: Option<i64>,
    /// Last login with it.
    pub last_used_at: Option<i64>,
}

impl From<core_ma::ClientSecretInfo> for ClientSecretInfo {
    fn from(c: core_ma::ClientSecretInfo) -> Self {
        ClientSecretInfo {
            id: c.id,
            identity_id: c.identity_id,
            description: c.description,
            prefix: c.prefix,
            ttl_secs: c.ttl_secs,
            num_uses: c.num_uses,
            num_uses_limit: c.num_uses_limit,
            state: c.state.as_str().to_owned(),
            create_time: c.create_time.secs(),
            expires_at: c.expires_at.map(|t| t.secs()),
            last_used_at: c.last_used_at.map(|t| t.secs()),
        }
    }
}

/// What [`MachineAuth::create_client_secret`] returns.
#[derive(Debug)]
pub struct CreatedClientSecretInfo {
    /// The client id to log in with.
    pub client_id: String,
    /// The client secret, shown once.
    pub secret: Zeroizing<String>,
    /// Its metadata.
    pub info: ClientSecretInfo,
}

/// An access token's metadata (never the token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessTokenInfo {
    /// Id.
    pub id: String,
    /// The identity.
    pub identity_id: String,
    /// The client secret it was issued for.
    pub client_secret_id: String,
    /// Issue time.
    pub create_time: i64,
    /// Current expiry (`None`: periodic or unlimited).
    pub expires_at: Option<i64>,
    /// Expiry through renewals.
    pub max_expires_at: Option<i64>,
    /// Lifetime in seconds.
    pub ttl_secs: u32,
    /// Longest lifetime in seconds.
    pub max_ttl_secs: u32,
    /// Renewal period in seconds.
    pub period_secs: u32,
    /// Uses so far.
    pub num_uses: u32,
    /// Uses allowed (0: unlimited).
    pub num_uses_limit: u32,
}

impl From<core_ma::AccessTokenInfo> for AccessTokenInfo {
    fn from(a: core_ma::AccessTokenInfo) -> Self {
        AccessTokenInfo {
            id: a.id,
            identity_id: a.identity_id,
            client_secret_id: a.client_secret_id,
            create_time: a.create_time.secs(),
            expires_at: a.expires_at.map(|t| t.secs()),
            max_expires_at: a.max_expires_at.map(|t| t.secs()),
            ttl_secs: a.ttl_secs,
            max_ttl_secs: a.max_ttl_secs,
            period_secs: a.period_secs,
            num_uses: a.num_uses,
            num_uses_limit: a.num_uses_limit,
        }
    }
}

/// What [`MachineAuth::login`] returns.
#[derive(Debug)]
pub struct AccessTokenGrantInfo {
    /// The access token, shown once.
    pub access_token: Zeroizing<String>,
    /// Seconds until it expires.
    pub expires_in: u64,
    /// Longest lifetime through renewals, in seconds.
    pub access_token_max_ttl: u32,
    /// `Bearer`.
    pub token_type: String,
    /// Its metadata.
    pub info: AccessTokenInfo,
}

/// Machine identities and universal auth of one tenant. Cheap to clone.
#[derive(Clone, Debug)]
pub struct MachineAuth {
    pub(crate) inner: credcycle::machine_auth::MachineAuth,
}

impl MachineAuth {
    /// Creates a machine identity, with a generated id unless `id` is given
    /// (operation `machine_auth.create_identity`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming the field; `ALREADY_EXISTS`.
    pub fn create_identity(&self, name: &str, id: Option<&str>) -> Result<MachineIdentityInfo> {
        Ok(match id {
            Some(id) => self.inner.create_identity_with_id(id, name)?,
            None => self.inner.create_identity(name)?,
        }
        .into())
    }

    /// An identity (operation `machine_auth.identity`).
    ///
    /// # Errors
    /// `NOT_FOUND`.
    pub fn identity(&self, id: &str) -> Result<MachineIdentityInfo> {
        Ok(self.inner.identity(id)?.into())
    }

    /// Every identity of the tenant (operation `machine_auth.list_identities`).
    ///
    /// # Errors
    /// Store failures.
    pub fn list_identities(&self) -> Result<Vec<MachineIdentityInfo>> {
        Ok(self
            .inner
            .list_identities()?
            .into_iter()
            .map(MachineIdentityInfo::from)
            .collect())
    }

    /// Attaches universal auth to an identity (operation
    /// `machine_auth.attach_universal_auth`).
    ///
    /// # Errors
    /// `NOT_FOUND`; `ALREADY_EXISTS`; `INVALID_INPUT` naming the setting.
    pub fn attach_universal_auth(
        &self,
        identity_id: &str,
        settings: UniversalAuthSettings,
    ) -> Result<UniversalAuthInfo> {
        Ok(self
            .inner
            .attach_universal_auth(identity_id, settings.into())?
            .into())
    }

    /// Changes universal-auth settings (operation
    /// `machine_auth.update_universal_auth`).
    ///
    /// # Errors
    /// `NOT_FOUND`; `INVALID_INPUT` naming the setting.
    pub fn update_universal_auth(
        &self,
        identity_id: &str,
        settings: UniversalAuthSettings,
    ) -> Result<UniversalAuthInfo> {
        Ok(self
            .inner
            .update_universal_auth(identity_id, settings.into())?
            .into())
    }

    /// An identity's universal-auth settings (operation
    /// `machine_auth.universal_auth`).
    ///
    /// # Errors
    /// `NOT_FOUND`.
    pub fn universal_auth(&self, identity_id: &str) -> Result<UniversalAuthInfo> {
        Ok(self.inner.universal_auth(identity_id)?.into())
    }

    /// Makes a client secret (operation `machine_auth.create_client_secret`).
    ///
    /// # Errors
    /// `NOT_FOUND`; `INVALID_INPUT` naming the field.
    pub fn create_client_secret(
        &self,
        identity_id: &str,
        description: &str,
        ttl_secs: u32,
        num_uses_limit: u32,
    ) -> Result<CreatedClientSecretInfo> {
        let c = self.inner.create_client_secret(
            identity_id,
            CreateClientSecret {
                description: description.to_owned(),
                ttl_secs,
                num_uses_limit,
            },
        )?;
        Ok(CreatedClientSecretInfo {
            client_id: c.client_id,
            secret: reveal(c.secret),
            info: c.info.into(),
        })
    }

    /// An identity's client secrets (operation
    /// `machine_auth.list_client_secrets`).
    ///
    /// # Errors
    /// `NOT_FOUND`.
    pub fn list_client_secrets(&self, identity_id: &str) -> Result<Vec<ClientSecretInfo>> {
        Ok(self
            .inner
            .list_client_secrets(identity_id)?
            .into_iter()
            .map(ClientSecretInfo::from)
            .collect())
    }

    /// Revokes a client secret (operation `machine_auth.revoke_client_secret`).
    ///
    /// # Errors
    /// `NOT_FOUND`.
    pub fn revoke_client_secret(
        &self,
        identity_id: &str,
        secret_id: &str,
    ) -> Result<ClientSecretInfo> {
        Ok(self
            .inner
            .revoke_client_secret(identity_id, secret_id)?
            .into())
    }

    /// Logs in with a client id and secret from `client_ip` (operation
    /// `machine_auth.login`).
    ///
    /// # Errors
    /// `VERIFICATION_FAILED` (no detail); `LOGIN_LOCKED`; `INVALID_INPUT`
    /// naming `client_ip`.
    pub fn login(
        &self,
        client_id: &str,
        client_secret: &str,
        client_ip: &str,
    ) -> Result<AccessTokenGrantInfo> {
        let ip = parse_ip("client_ip", client_ip)?;
        let g = self.inner.login(client_id, client_secret, ip)?;
        Ok(AccessTokenGrantInfo {
            access_token: reveal(g.access_token),
            expires_in: g.expires_in,
            access_token_max_ttl: g.access_token_max_ttl,
            token_type: g.token_type.to_owned(),
            info: g.info.into(),
        })
    }

    /// Checks an access token presented from `client_ip`; counts a use
    /// (operation `machine_auth.authenticate`).
    ///
    /// # Errors
    /// `VERIFICATION_FAILED` (no detail).
    pub fn authenticate(&self, access_token: &str, client_ip: &str) -> Result<AccessTokenInfo> {
        let ip = parse_ip("client_ip", client_ip)?;
        Ok(self.inner.authenticate(access_token, ip)?.into())
    }

    /// Extends an access token by its TTL, up to its max TTL (operation
    /// `machine_auth.renew`).
    ///
    /// # Errors
    /// `VERIFICATION_FAILED`; `INVALID_STATE` past the max TTL.
    pub fn renew(&self, access_token: &str) -> Result<AccessTokenInfo> {
        Ok(self.inner.renew(access_token)?.into())
    }

    /// Revokes an access token (operation `machine_auth.revoke`).
    ///
    /// # Errors
    /// `VERIFICATION_FAILED` for an unknown token.
    pub fn revoke(&self, access_token: &str) -> Result<()> {
        Ok(self.inner.revoke(access_token)?)
    }
}
