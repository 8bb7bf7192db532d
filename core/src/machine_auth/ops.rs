//! The operations of the machine-auth domain.

use std::net::IpAddr;

use super::record::{
    AccessTokenRecord, ClientIdRecord, ClientSecretRecord, IdentityRecord, LockoutRecord, UaRecord,
};
use super::{
    ACCESS_TOKEN_PREFIX, AccessTokenGrant, AccessTokenInfo, CLIENT_SECRET_PREFIX, ClientSecretInfo,
    ClientSecretState, CreateClientSecret, CreatedClientSecret, DEFAULT_ACCESS_TOKEN_TTL_SECS,
    IpList, LOCKOUT_COUNTER_RESET_RANGE, LOCKOUT_DURATION_RANGE, LOCKOUT_THRESHOLD_RANGE, Lockout,
    MAX_IDENTITY_NAME_LEN, MAX_SECRET_DESCRIPTION_BYTES, MAX_TTL_SECS, MachineIdentity,
    UniversalAuth, UniversalAuthSettings, canonical_ip,
};
use crate::audit;
use crate::codec::{self, bytes::ByteBuf};
use crate::crypto::ct_eq;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::namespace::TenantId;
use crate::services::UnixTime;
use crate::store::{Op, Table, Version};
use crate::token::{self, TokenDigest};
use crate::tokens::ops::{check_text, clean_actor, is_uuid, new_uuid};

const SCAN_PAGE: u32 = 256;

/// Machine identities and universal auth of one tenant. Get one from
/// [`Engine::machine_auth`]; cheap to clone. Every change is one atomic
/// commit that also appends its audit event: configuration, client secrets
/// and lockouts under `identity:<uuid>`, logins under
/// `ua-secret:<secret uuid>`, access-token uses, renewals and revocations
/// under `ua-token:<token uuid>`.
#[derive(Clone, Debug)]
pub struct MachineAuth {
    engine: Engine,
    tenant: TenantId,
    actor: String,
}

impl MachineAuth {
    pub(crate) fn new(engine: Engine, tenant: TenantId) -> Self {
        MachineAuth {
            engine,
            tenant,
            actor: "engine".to_owned(),
        }
    }

    /// The same handle, recording `actor` (control characters removed,
    /// truncated to 128 characters) as the author of its audit events.
    pub fn with_actor(mut self, actor: &str) -> Self {
        self.actor = clean_actor(actor);
        self
    }

    /// The tenant this handle is scoped to.
    pub fn tenant(&self) -> &str {
        self.tenant.as_str()
    }

    // ---- identities --------------------------------------------------------

    /// Creates a machine identity (without universal auth).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `name` (1..=128 characters, no control
    /// characters).
    pub fn create_identity(&self, name: &str) -> Result<MachineIdentity> {
        check_text("name", name, MAX_IDENTITY_NAME_LEN)?;
        let id = new_uuid(self.engine.services().rng.as_ref())?;
        self.create_identity_with_id(&id, name)
    }

    /// Creates the machine identity `id` (a lower-case UUID), for an
    /// application that keeps one identity namespace across domains: pass
    /// the id of an identity of [`crate::identities`] to give that identity
    /// universal auth.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `identity_id` (not a lower-case UUID)
    /// or `name` (1..=128 characters, no control characters);
    /// [`Error::AlreadyExists`] (`identity`) when `id` is taken.
    pub fn create_identity_with_id(&self, id: &str, name: &str) -> Result<MachineIdentity> {
        if !is_uuid(id) {
            return Err(Error::invalid("identity_id", "must be a lower-case UUID"));
        }
        check_text("name", name, MAX_IDENTITY_NAME_LEN)?;
        let now = self.now();
        let id = id.to_owned();
        let rec = IdentityRecord {
            id: id.clone(),
            name: name.to_owned(),
            create_time: now.0,
            update_time: now.0,
            ua: None,
        };
        let mut ops = vec![put(
            Table::MachineIdentity,
            self.identity_key(&id),
            &rec,
            Version::ABSENT,
        )?];
        ops.extend(self.audit_ops(&format!("identity:{id}"), "identity.create", "ok", now)?);
        let store = &self.engine.services().store;
        match store.commit(&ops) {
            Ok(()) => rec.to_api(),
            Err(crate::store::StoreError::Conflict)
                if store
                    .get(Table::MachineIdentity, &self.identity_key(&id))?
                    .is_some() =>
            {
                Err(Error::AlreadyExists { what: "identity" })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The identity `id`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `identity_id` for a malformed id;
    /// [`Error::NotFound`] (`identity`).
    pub fn identity(&self, id: &str) -> Result<MachineIdentity> {
        self.load_identity(id)?.0.to_api()
    }

    /// Every identity of the tenant, in id order.
    ///
    /// # Errors
    /// Store failures; corrupt records.
    pub fn list_identities(&self) -> Result<Vec<MachineIdentity>> {
        let prefix = self.tenant.prefix(&["identity"]);
        let store = &self.engine.services().store;
        let mut out = Vec::new();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = store.scan(Table::MachineIdentity, &prefix, after.as_deref(), SCAN_PAGE)?;
            let done = page.len() < SCAN_PAGE as usize;
            after = page.last().map(|(k, _)| k.clone());
            for (_, r) in &page {
                out.push(codec::decode::<IdentityRecord>(&r.value, "identity")?.to_api()?);
            }
            if done {
                return Ok(out);
            }
        }
    }

    // ---- universal-auth configuration ----------------------------------------

    /// Attaches universal auth to an identity: a new client id, and the
    /// given settings over the defaults.
    ///
    /// # Errors
    /// [`Error::AlreadyExists`] when already attached; [`Error::InvalidInput`]
    /// naming the field and its range (see the [module docs](super)),
    /// including `access_token_ttl` above `access_token_max_ttl`.
    pub fn attach_universal_auth(
        &self,
        identity_id: &str,
        settings: UniversalAuthSettings,
    ) -> Result<UniversalAuth> {
        let now = self.now();
        let mut ua = UaRecord {
            client_id: new_uuid(self.engine.services().rng.as_ref())?,
            client_secret_trusted_ips: IpList::allow_all().to_strings(),
            access_token_trusted_ips: IpList::allow_all().to_strings(),
            access_token_ttl: DEFAULT_ACCESS_TOKEN_TTL_SECS,
            access_token_max_ttl: DEFAULT_ACCESS_TOKEN_TTL_SECS,
            access_token_num_uses_limit: 0,
            access_token_period: 0,
            lockout_enabled: Lockout::default().enabled,
            lockout_threshold: Lockout::default().threshold,
            lockout_duration: Lockout::default().duration_secs,
            lockout_counter_reset: Lockout::default().counter_reset_secs,
            create_time: now.0,
            update_time: now.0,
        };
        apply_settings(&mut ua, &settings)?;
        self.engine.retry(|| {
            let (mut rec, ver) = self.load_identity(identity_id)?;
            if rec.ua.is_some() {
                return Err(Error::AlreadyExists {
                    what: "universal auth configuration",
                });
            }
            rec.ua = Some(ua.clone());
            rec.update_time = now.0;
            let mut ops = vec![
                put(
                    Table::MachineIdentity,
                    self.identity_key(&rec.id),
                    &rec,
                    ver,
                )?,
                put(
                    Table::UaClientId,
                    self.tenant.key(&[&ua.client_id]),
                    &ClientIdRecord {
                        identity_id: rec.id.clone(),
                    },
                    Version::ABSENT,
                )?,
            ];
            ops.extend(self.audit_ops(&format!("identity:{}", rec.id), "ua.attach", "ok", now)?);
            self.engine.services().store.commit(&ops)?;
            ua.to_api(&rec.id)
        })
    }

    /// Changes the fields given and keeps the others; the merged result is
    /// validated as a whole (the seed's PATCH).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when no field is given, naming a field out of
    /// range or a malformed or empty IP list, or naming `access_token_ttl`
    /// and `access_token_max_ttl` when the merged TTL exceeds the merged max
    /// TTL; [`Error::NotFound`] (`identity` or `universal auth
    /// configuration`).
    pub fn update_universal_auth(
        &self,
        identity_id: &str,
        settings: UniversalAuthSettings,
    ) -> Result<UniversalAuth> {
        if settings.is_empty() {
            return Err(Error::invalid(
                "update",
                "at least one universal-auth field must be given",
            ));
        }
        self.engine.retry(|| {
            let (mut rec, ver) = self.load_identity(identity_id)?;
            let now = self.now();
            let Some(ua) = rec.ua.as_mut() else {
                return Err(Error::NotFound {
                    what: "universal auth configuration",
                });
            };
            apply_settings(ua, &settings)?;
            ua.update_time = now.0;
            let out = ua.to_api(&rec.id)?;
            rec.update_time = now.0;
            let mut ops = vec![put(
                Table::MachineIdentity,
                self.identity_key(&rec.id),
                &rec,
                ver,
            )?];
            ops.extend(self.audit_ops(&format!("identity:{}", rec.id), "ua.update", "ok", now)?);
            self.engine.services().store.commit(&ops)?;
            Ok(out)
        })
    }

    /// The universal-auth configuration of an identity.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`identity` or `universal auth configuration`).
    pub fn universal_auth(&self, identity_id: &str) -> Result<UniversalAuth> {
        let (rec, _) = self.load_identity(identity_id)?;
        rec.ua
            .as_ref()
            .ok_or(Error::NotFound {
                what: "universal auth configuration",
            })?
            .to_api(&rec.id)
    }

    // ---- client secrets ----------------------------------------------------

    /// Creates a client secret for an identity with universal auth; the
    /// value is returned this once.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `description` (≤ 1024 bytes) or
    /// `ttl_secs` (≤ 315,360,000); [`Error::NotFound`] (`identity` or
    /// `universal auth configuration`).
    pub fn create_client_secret(
        &self,
        identity_id: &str,
        req: CreateClientSecret,
    ) -> Result<CreatedClientSecret> {
        if req.description.len() > MAX_SECRET_DESCRIPTION_BYTES {
            return Err(Error::invalid(
                "description",
                format!(
                    "must be at most {MAX_SECRET_DESCRIPTION_BYTES} bytes, got {}",
                    req.description.len()
                ),
            ));
        }
        check_secs("ttl_secs", req.ttl_secs)?;
        let rng = self.engine.services().rng.as_ref();
        let secret = token::generate(rng, CLIENT_SECRET_PREFIX)?;
        let secret_id = new_uuid(rng)?;
        let prefix_len = CLIENT_SECRET_PREFIX.len() + 5;
        let prefix = secret
            .reveal()
            .get(..prefix_len)
            .unwrap_or_default()
            .to_owned();
        let (client_id, info) = self.engine.retry(|| {
            let (rec, _) = self.load_identity(identity_id)?;
            let Some(ua) = &rec.ua else {
                return Err(Error::NotFound {
                    what: "universal auth configuration",
                });
            };
            let now = self.now();
            let srec = ClientSecretRecord {
                id: secret_id.clone(),
                identity_id: rec.id.clone(),
                description: req.description.clone(),
                prefix: prefix.clone(),
                digest: ByteBuf(secret.digest().0.to_vec()),
                ttl: req.ttl_secs,
                num_uses_limit: req.num_uses_limit,
                num_uses: 0,
                revoked: false,
                create_time: now.0,
                last_used_at: None,
            };
            let mut ops = vec![put(
                Table::UaClientSecret,
                self.secret_key(&rec.id, secret.digest()),
                &srec,
                Version::ABSENT,
            )?];
            ops.extend(self.audit_ops(
                &format!("identity:{}", rec.id),
                "ua.client_secret.create",
                "ok",
                now,
            )?);
            self.engine.services().store.commit(&ops)?;
            Ok((ua.client_id.clone(), srec.to_api(now)))
        })?;
        Ok(CreatedClientSecret {
            client_id,
            secret,
            info,
        })
    }

    /// The client secrets of an identity (metadata and prefix only), in any
    /// state, oldest first.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`identity`); store failures.
    pub fn list_client_secrets(&self, identity_id: &str) -> Result<Vec<ClientSecretInfo>> {
        let (rec, _) = self.load_identity(identity_id)?;
        let now = self.now();
        let mut all: Vec<ClientSecretInfo> = self
            .secret_records(&rec.id)?
            .into_iter()
            .map(|(_, _, s)| s.to_api(now))
            .collect();
        all.sort_by(|a, b| (a.create_time, &a.id).cmp(&(b.create_time, &b.id)));
        Ok(all)
    }

    /// Revokes a client secret; later logins with it fail.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`identity` or `client secret`); [`Error::State`]
    /// when already `REVOKED`.
    pub fn revoke_client_secret(
        &self,
        identity_id: &str,
        secret_id: &str,
    ) -> Result<ClientSecretInfo> {
        let (rec, _) = self.load_identity(identity_id)?;
        self.engine.retry(|| {
            let now = self.now();
            let (key, ver, mut s) = self
                .secret_records(&rec.id)?
                .into_iter()
                .find(|(_, _, s)| s.id == secret_id)
                .ok_or(Error::NotFound {
                    what: "client secret",
                })?;
            if s.revoked {
                return Err(Error::State {
                    what: "client secret",
                    state: ClientSecretState::Revoked.as_str(),
                    operation: "revoke",
                });
            }
            s.revoked = true;
            let mut ops = vec![put(Table::UaClientSecret, key, &s, ver)?];
            ops.extend(self.audit_ops(
                &format!("identity:{}", rec.id),
                "ua.client_secret.revoke",
                "ok",
                now,
            )?);
            self.engine.services().store.commit(&ops)?;
            Ok(s.to_api(now))
        })
    }

    // ---- login ---------------------------------------------------------------

    /// Logs in with a client id and secret from `client_ip` (resolve it
    /// with [`super::resolve_client_ip`] behind proxies) and issues an
    /// access token. Checks in the order of the [module docs](super).
    ///
    /// # Errors
    /// - [`Error::VerificationFailed`]: malformed secret, unknown client id,
    ///   or wrong secret (counted toward lockout);
    /// - [`Error::Policy`]: `client_ip` is not in `client_secret_trusted_ips`
    ///   (not counted);
    /// - [`Error::LockedOut`]: too many recent failures;
    /// - [`Error::State`] naming the secret's state: `REVOKED`, `EXPIRED` or
    ///   `EXHAUSTED`.
    pub fn login(
        &self,
        client_id: &str,
        client_secret: &str,
        client_ip: IpAddr,
    ) -> Result<AccessTokenGrant> {
        if !is_uuid(client_id) {
            return Err(Error::VerificationFailed);
        }
        let digest = token::parse(CLIENT_SECRET_PREFIX, client_secret)?;
        let client_ip = canonical_ip(client_ip);
        let store = &self.engine.services().store;
        self.engine.retry(|| {
            let Some(r) = store.get(Table::UaClientId, &self.tenant.key(&[client_id]))? else {
                return Err(Error::VerificationFailed);
            };
            let idx: ClientIdRecord = codec::decode(&r.value, "client id")?;
            let (rec, _) = match self.load_identity(&idx.identity_id) {
                Err(Error::NotFound { .. }) => return Err(Error::VerificationFailed),
                other => other?,
            };
            let Some(ua) = rec.ua.as_ref().filter(|u| u.client_id == client_id) else {
                return Err(Error::VerificationFailed);
            };
            if !ua.client_secret_ips()?.contains(client_ip) {
                return Err(Error::Policy(
                    "client ip is not in client_secret_trusted_ips".into(),
                ));
            }
            let now = self.now();
            let lockout = ua.lockout();
            let lock_key = self.tenant.key(&[&rec.id]);
            let lock = match store.get(Table::UaLockout, &lock_key)? {
                Some(r) => Some((
                    codec::decode::<LockoutRecord>(&r.value, "lockout")?,
                    r.version,
                )),
                None => None,
            };
            if lockout.enabled {
                if let Some(until) = lock.as_ref().and_then(|(l, _)| l.locked_until) {
                    if until > now.0 {
                        return Err(Error::LockedOut {
                            retry_after_secs: u64::try_from(until - now.0).unwrap_or(0),
                        });
                    }
                }
            }
            let skey = self.secret_key(&rec.id, &digest);
            let found = match store.get(Table::UaClientSecret, &skey)? {
                Some(r) => {
                    let s: ClientSecretRecord = codec::decode(&r.value, "client secret")?;
                    ct_eq(&s.digest.0, &digest.0).then_some((s, r.version))
                }
                None => None,
            };
            let Some((mut secret, secret_ver)) = found else {
                if lockout.enabled {
                    self.count_failure(&rec.id, &lock_key, lock, lockout, now)?;
                }
                return Err(Error::VerificationFailed);
            };
            match secret.state_at(now) {
                ClientSecretState::Active => {}
                s => {
                    return Err(Error::State {
                        what: "client secret",
                        state: s.as_str(),
                        operation: "login",
                    });
                }
            }
            secret.num_uses = secret.num_uses.saturating_add(1);
            secret.last_used_at = Some(now.0);
            let rng = self.engine.services().rng.as_ref();
            let access = token::generate(rng, ACCESS_TOKEN_PREFIX)?;
            let periodic = ua.access_token_period > 0;
            let mut trec = AccessTokenRecord {
                id: new_uuid(rng)?,
                identity_id: rec.id.clone(),
                client_secret_id: secret.id.clone(),
                digest: ByteBuf(access.digest().0.to_vec()),
                create_time: now.0,
                ttl: ua.access_token_ttl,
                max_ttl: ua.access_token_max_ttl,
                period: ua.access_token_period,
                expires_at: None,
                num_uses: 0,
                num_uses_limit: ua.access_token_num_uses_limit,
                revoked: false,
                last_renewed_at: None,
            };
            trec.expires_at = if periodic {
                Some(now.0.saturating_add(i64::from(ua.access_token_period)))
            } else if ua.access_token_ttl > 0 {
                Some(now.0.saturating_add(i64::from(ua.access_token_ttl)))
            } else {
                None
            };
            let mut ops = vec![
                put(Table::UaClientSecret, skey, &secret, secret_ver)?,
                put(
                    Table::UaAccessToken,
                    self.tenant.key(&[&access.digest().to_hex()]),
                    &trec,
                    Version::ABSENT,
                )?,
            ];
            // Success clears the failure counter; if there is nothing to
            // clear, the commit still depends on the lockout record staying
            // as read, so a lock committed meanwhile wins.
            ops.push(match &lock {
                Some((l, v)) if *l != LockoutRecord::default() => Op::Delete {
                    table: Table::UaLockout,
                    key: lock_key,
                    expect: *v,
                },
                Some((_, v)) => Op::Check {
                    table: Table::UaLockout,
                    key: lock_key,
                    expect: *v,
                },
                None => Op::Check {
                    table: Table::UaLockout,
                    key: lock_key,
                    expect: Version::ABSENT,
                },
            });
            ops.extend(self.audit_ops(
                &format!("ua-secret:{}", secret.id),
                "ua.login",
                "ok",
                now,
            )?);
            store.commit(&ops)?;
            let info = trec.to_api();
            let expires_in = info
                .expires_at
                .map_or(0, |t| u64::try_from(t.0 - now.0).unwrap_or(0));
            Ok(AccessTokenGrant {
                access_token: access,
                expires_in,
                access_token_max_ttl: if periodic { 0 } else { trec.max_ttl },
                token_type: "Bearer",
                info,
            })
        })
    }

    /// Records one failed login; locks when the threshold is reached.
    fn count_failure(
        &self,
        identity_id: &str,
        lock_key: &[u8],
        lock: Option<(LockoutRecord, Version)>,
        lockout: Lockout,
        now: UnixTime,
    ) -> Result<()> {
        let (mut l, ver) = lock.unwrap_or_default();
        if l.locked_until.is_some_and(|t| t <= now.0) {
            l.locked_until = None;
        }
        if l.failures > 0
            && now.0
                >= l.last_failure_at
                    .saturating_add(i64::from(lockout.counter_reset_secs))
        {
            l.failures = 0;
        }
        l.failures = l.failures.saturating_add(1);
        l.last_failure_at = now.0;
        let mut ops = Vec::new();
        if l.failures >= lockout.threshold {
            l.failures = 0;
            l.locked_until = Some(now.0.saturating_add(i64::from(lockout.duration_secs)));
            ops.extend(self.audit_ops(
                &format!("identity:{identity_id}"),
                "ua.login.lockout",
                &format!(
                    "locked for {} s after {} failed logins",
                    lockout.duration_secs, lockout.threshold
                ),
                now,
            )?);
        }
        ops.insert(0, put(Table::UaLockout, lock_key.to_vec(), &l, ver)?);
        self.engine.services().store.commit(&ops)?;
        Ok(())
    }

    // ---- access tokens -------------------------------------------------------

    /// Checks an access token used from `client_ip`: revocation, expiry,
    /// the identity's current `access_token_trusted_ips`, and the use limit
    /// (a use is counted in the store, exactly once, for tokens with a
    /// limit).
    ///
    /// # Errors
    /// [`Error::VerificationFailed`] for a malformed (no store read) or
    /// unknown token; [`Error::State`] naming `REVOKED`, `EXPIRED` or
    /// `EXHAUSTED`; [`Error::Policy`] when `client_ip` is not allowed.
    pub fn authenticate(&self, access_token: &str, client_ip: IpAddr) -> Result<AccessTokenInfo> {
        let digest = token::parse(ACCESS_TOKEN_PREFIX, access_token)?;
        let client_ip = canonical_ip(client_ip);
        self.engine.retry(|| {
            let (mut t, ver) = self.load_token(&digest)?;
            let now = self.now();
            check_usable(&t, now, "authenticate")?;
            let (rec, _) = match self.load_identity(&t.identity_id) {
                Err(Error::NotFound { .. }) => return Err(Error::VerificationFailed),
                other => other?,
            };
            let Some(ua) = &rec.ua else {
                return Err(Error::VerificationFailed);
            };
            if !ua.access_token_ips()?.contains(client_ip) {
                return Err(Error::Policy(
                    "client ip is not in access_token_trusted_ips".into(),
                ));
            }
            if t.num_uses_limit == 0 {
                return Ok(t.to_api());
            }
            if t.is_exhausted() {
                return Err(exhausted("authenticate"));
            }
            t.num_uses = t.num_uses.saturating_add(1);
            let mut ops = vec![put(
                Table::UaAccessToken,
                self.tenant.key(&[&digest.to_hex()]),
                &t,
                ver,
            )?];
            ops.extend(self.audit_ops(&format!("ua-token:{}", t.id), "ua.token.use", "ok", now)?);
            self.engine.services().store.commit(&ops)?;
            Ok(t.to_api())
        })
    }

    /// Renews an access token: a periodic token gets `now + period`; any
    /// other token `now + TTL`, capped at creation + max TTL (a token
    /// without TTL is returned unchanged).
    ///
    /// # Errors
    /// [`Error::VerificationFailed`] for a malformed or unknown token;
    /// [`Error::State`] naming `REVOKED`, `EXPIRED` (including past its max
    /// TTL) or `EXHAUSTED`.
    pub fn renew(&self, access_token: &str) -> Result<AccessTokenInfo> {
        let digest = token::parse(ACCESS_TOKEN_PREFIX, access_token)?;
        self.engine.retry(|| {
            let (mut t, ver) = self.load_token(&digest)?;
            let now = self.now();
            check_usable(&t, now, "renew")?;
            if t.is_exhausted() {
                return Err(exhausted("renew"));
            }
            let extend = if t.period > 0 { t.period } else { t.ttl };
            if extend == 0 {
                return Ok(t.to_api());
            }
            let mut until = now.0.saturating_add(i64::from(extend));
            if let Some(max) = t.max_expires_at() {
                until = until.min(max);
            }
            t.expires_at = Some(until);
            t.last_renewed_at = Some(now.0);
            let mut ops = vec![put(
                Table::UaAccessToken,
                self.tenant.key(&[&digest.to_hex()]),
                &t,
                ver,
            )?];
            ops.extend(self.audit_ops(
                &format!("ua-token:{}", t.id),
                "ua.token.renew",
                "ok",
                now,
            )?);
            self.engine.services().store.commit(&ops)?;
            Ok(t.to_api())
        })
    }

    /// Revokes an access token: it stops working at once, in every process
    /// sharing the store. Revoking a revoked token changes nothing.
    ///
    /// # Errors
    /// [`Error::VerificationFailed`] for a malformed or unknown token.
    pub fn revoke(&self, access_token: &str) -> Result<()> {
        let digest = token::parse(ACCESS_TOKEN_PREFIX, access_token)?;
        self.engine.retry(|| {
            let (mut t, ver) = self.load_token(&digest)?;
            if t.revoked {
                return Ok(());
            }
            let now = self.now();
            t.revoked = true;
            let mut ops = vec![put(
                Table::UaAccessToken,
                self.tenant.key(&[&digest.to_hex()]),
                &t,
                ver,
            )?];
            ops.extend(self.audit_ops(
                &format!("ua-token:{}", t.id),
                "ua.token.revoke",
                "ok",
                now,
            )?);
            self.engine.services().store.commit(&ops)?;
            Ok(())
        })
    }

    // ---- internals -----------------------------------------------------------

    fn now(&self) -> UnixTime {
        self.engine.services().clock.now()
    }

    fn identity_key(&self, id: &str) -> Vec<u8> {
        self.tenant.key(&["identity", id])
    }

    fn secret_key(&self, identity_id: &str, d: &TokenDigest) -> Vec<u8> {
        self.tenant.key(&[identity_id, &d.to_hex()])
    }

    fn load_identity(&self, id: &str) -> Result<(IdentityRecord, Version)> {
        if !is_uuid(id) {
            return Err(Error::invalid("identity_id", "must be a lower-case UUID"));
        }
        match self
            .engine
            .services()
            .store
            .get(Table::MachineIdentity, &self.identity_key(id))?
        {
            Some(r) => Ok((codec::decode(&r.value, "identity")?, r.version)),
            None => Err(Error::NotFound { what: "identity" }),
        }
    }

    fn secret_records(
        &self,
        identity_id: &str,
    ) -> Result<Vec<(Vec<u8>, Version, ClientSecretRecord)>> {
        let prefix = self.tenant.prefix(&[identity_id]);
        let store = &self.engine.services().store;
        let mut out = Vec::new();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = store.scan(Table::UaClientSecret, &prefix, after.as_deref(), SCAN_PAGE)?;
            let done = page.len() < SCAN_PAGE as usize;
            after = page.last().map(|(k, _)| k.clone());
            for (k, r) in page {
                let s = codec::decode::<ClientSecretRecord>(&r.value, "client secret")?;
                out.push((k, r.version, s));
            }
            if done {
                return Ok(out);
            }
        }
    }

    fn load_token(&self, d: &TokenDigest) -> Result<(AccessTokenRecord, Version)> {
        let Some(r) = self
            .engine
            .services()
            .store
            .get(Table::UaAccessToken, &self.tenant.key(&[&d.to_hex()]))?
        else {
            return Err(Error::VerificationFailed);
        };
        let t: AccessTokenRecord = codec::decode(&r.value, "access token")?;
        if !ct_eq(&t.digest.0, &d.0) {
            return Err(Error::VerificationFailed);
        }
        Ok((t, r.version))
    }

    fn audit_ops(
        &self,
        subject: &str,
        action: &str,
        outcome: &str,
        now: UnixTime,
    ) -> Result<Vec<Op>> {
        audit::append(
            &self.engine,
            &self.tenant,
            &self.actor,
            subject,
            action,
            outcome,
            now,
        )
    }
}

fn check_usable(t: &AccessTokenRecord, now: UnixTime, operation: &'static str) -> Result<()> {
    if t.revoked {
        return Err(Error::State {
            what: "access token",
            state: "REVOKED",
            operation,
        });
    }
    if t.is_expired(now) {
        return Err(Error::State {
            what: "access token",
            state: "EXPIRED",
            operation,
        });
    }
    Ok(())
}

fn exhausted(operation: &'static str) -> Error {
    Error::State {
        what: "access token",
        state: "EXHAUSTED",
        operation,
    }
}

fn check_secs(field: &'static str, v: u32) -> Result<()> {
    if v > MAX_TTL_SECS {
        return Err(Error::invalid(
            field,
            format!("must be 0..={MAX_TTL_SECS} seconds, got {v}"),
        ));
    }
    Ok(())
}

fn check_range(field: &'static str, v: u32, (lo, hi): (u32, u32)) -> Result<()> {
    if !(lo..=hi).contains(&v) {
        return Err(Error::invalid(
            field,
            format!("must be {lo}..={hi}, got {v}"),
        ));
    }
    Ok(())
}

/// Applies the given settings to `ua` and validates the merged result.
/// On error `ua` may be half-changed; callers discard it.
fn apply_settings(ua: &mut UaRecord, s: &UniversalAuthSettings) -> Result<()> {
    if let Some(ips) = &s.client_secret_trusted_ips {
        ua.client_secret_trusted_ips =
            IpList::parse_non_empty("client_secret_trusted_ips", ips)?.to_strings();
    }
    if let Some(ips) = &s.access_token_trusted_ips {
        ua.access_token_trusted_ips =
            IpList::parse_non_empty("access_token_trusted_ips", ips)?.to_strings();
    }
    for (field, given, slot) in [
        (
            "access_token_ttl",
            s.access_token_ttl,
            &mut ua.access_token_ttl,
        ),
        (
            "access_token_max_ttl",
            s.access_token_max_ttl,
            &mut ua.access_token_max_ttl,
        ),
        (
            "access_token_period",
            s.access_token_period,
            &mut ua.access_token_period,
        ),
    ] {
        if let Some(v) = given {
            check_secs(field, v)?;
            *slot = v;
        }
    }
    if let Some(v) = s.access_token_num_uses_limit {
        ua.access_token_num_uses_limit = v;
    }
    if let Some(v) = s.lockout_enabled {
        ua.lockout_enabled = v;
    }
    if let Some(v) = s.lockout_threshold {
        check_range("lockout_threshold", v, LOCKOUT_THRESHOLD_RANGE)?;
        ua.lockout_threshold = v;
    }
    if let Some(v) = s.lockout_duration_secs {
        check_range("lockout_duration_secs", v, LOCKOUT_DURATION_RANGE)?;
        ua.lockout_duration = v;
    }
    if let Some(v) = s.lockout_counter_reset_secs {
        check_range("lockout_counter_reset_secs", v, LOCKOUT_COUNTER_RESET_RANGE)?;
        ua.lockout_counter_reset = v;
    }
    if ua.access_token_max_ttl > 0 && ua.access_token_ttl > ua.access_token_max_ttl {
        return Err(Error::invalid(
            "access_token_ttl",
            format!(
                "must be at most access_token_max_ttl ({}), got {}",
                ua.access_token_max_ttl, ua.access_token_ttl
            ),
        ));
    }
    Ok(())
}

fn put<T: serde::Serialize>(table: Table, key: Vec<u8>, rec: &T, expect: Version) -> Result<Op> {
    Ok(Op::Put {
        table,
        key,
        value: codec::encode(rec)?,
        expect,
    })
}
