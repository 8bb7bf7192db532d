//! The operations of the API-token domain.

use super::record::{
    DigestRecord, EntityRecord, KIND_REFRESH, KIND_VALUE, RefreshRecord, STATE_ACTIVE,
    STATE_REVOKED, TokenRecord,
};
use super::{
    ApiToken, CreateToken, CreatedToken, EntityRef, ID_PREFIX, MAX_ENTITY_FIELD_LEN, MAX_NAME_LEN,
    REFRESH_PREFIX, Refreshed, TokenRotation, TokenState, TokenUse, UpdateToken, VALUE_PREFIX,
};
use crate::audit;
use crate::codec::{self, bytes::ByteBuf};
use crate::crypto::ct_eq;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::namespace::TenantId;
use crate::services::{SecureRandom, UnixTime};
use crate::store::{Op, Record, Table, Version};
use crate::token::{self, TokenDigest};

const SCAN_PAGE: u32 = 256;

/// The API tokens of one tenant. Get one from [`Engine::tokens`]; cheap to
/// clone. Every change is one atomic commit that also appends its audit
/// event (subject `token:<uuid>`).
#[derive(Clone, Debug)]
pub struct Tokens {
    engine: Engine,
    tenant: TenantId,
    actor: String,
}

impl Tokens {
    pub(crate) fn new(engine: Engine, tenant: TenantId) -> Self {
        Tokens {
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

    // ---- creation and metadata ------------------------------------------

    /// Creates a token and returns its value (and refresh token unless the
    /// policy is `NONE`), shown this once.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `name`, `owner`, `org` or
    /// `expiration_time_utc` and the limit.
    pub fn create(&self, req: CreateToken) -> Result<CreatedToken> {
        check_text("name", &req.name, MAX_NAME_LEN)?;
        let owner = req.owner.as_ref().map(|e| entity("owner", e)).transpose()?;
        let org = req.org.as_ref().map(|e| entity("org", e)).transpose()?;
        let now = self.now();
        let max = self.max_expiry(now.0);
        let expiration_time = match req.expiration_time_utc {
            Some(t) => {
                check_expiry(t, now, max)?;
                t.0
            }
            None => max,
        };
        let rotation = req.token_rotation.unwrap_or(TokenRotation::Always);
        let rng = self.engine.services().rng.as_ref();
        let id = new_uuid(rng)?;
        let value = token::generate(rng, VALUE_PREFIX)?;
        let refresh = match rotation {
            TokenRotation::None => None,
            _ => Some(token::generate(rng, REFRESH_PREFIX)?),
        };
        let rec = TokenRecord {
            id: id.clone(),
            name: req.name.clone(),
            token_type: req.token_type.as_str().to_owned(),
            owner,
            org,
            expiration_time,
            token_rotation: rotation.as_str().to_owned(),
            require_rotation: rotation.require_rotation(),
            state: STATE_ACTIVE.to_owned(),
            revoke_reason: None,
            create_time: now.0,
            update_time: now.0,
            value_digest: ByteBuf(value.digest().0.to_vec()),
            refresh: refresh.as_ref().map(|r| RefreshRecord {
                digest: ByteBuf(r.digest().0.to_vec()),
                generation: 1,
                issued_at: now.0,
                last_used_at: now.0,
            }),
        };
        let mut ops = vec![
            put(Table::ApiToken, self.token_key(&id), &rec, Version::ABSENT)?,
            self.put_digest(value.digest(), &id, KIND_VALUE, now)?,
        ];
        if let Some(r) = &refresh {
            ops.push(self.put_digest(r.digest(), &id, KIND_REFRESH, now)?);
        }
        ops.extend(self.audit_ops(&id, "token.create", "ok", now)?);
        self.engine.services().store.commit(&ops)?;
        Ok(CreatedToken {
            token: rec.to_api(now)?,
            value,
            refresh_token: refresh,
        })
    }

    /// The token with `id` (`urn:credcycle:token:<uuid>`), in any state.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `id` for a malformed id;
    /// [`Error::NotFound`] (`token`).
    pub fn get(&self, id: &str) -> Result<ApiToken> {
        let uuid = parse_id(id)?;
        self.load(&uuid)?.0.to_api(self.now())
    }

    /// Every token of the tenant, in id order.
    ///
    /// # Errors
    /// Store failures; corrupt records.
    pub fn list(&self) -> Result<Vec<ApiToken>> {
        let prefix = self.tenant.prefix(&["token"]);
        let store = &self.engine.services().store;
        let now = self.now();
        let mut out = Vec::new();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = store.scan(Table::ApiToken, &prefix, after.as_deref(), SCAN_PAGE)?;
            let done = page.len() < SCAN_PAGE as usize;
            after = page.last().map(|(k, _)| k.clone());
            for (_, r) in &page {
                out.push(codec::decode::<TokenRecord>(&r.value, "token")?.to_api(now)?);
            }
            if done {
                return Ok(out);
            }
        }
    }

    /// Changes a token (the seed's Update Token; rules in the [module
    /// docs](super)).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the field: `name` (required,
    /// 1..=128), `expiration_time_utc` (in the future, at most creation +
    /// the policy maximum), inconsistent `token_rotation` /
    /// `require_rotation`, or an `id`, `type`, `owner` or `org` that differs
    /// from the stored one; [`Error::State`] when the token is `REVOKED`;
    /// [`Error::NotFound`].
    pub fn update(&self, id: &str, req: UpdateToken) -> Result<ApiToken> {
        let uuid = parse_id(id)?;
        check_text("name", &req.name, MAX_NAME_LEN)?;
        if let Some(given) = &req.id {
            if parse_id(given).ok().as_deref() != Some(uuid.as_str()) {
                return Err(Error::invalid(
                    "id",
                    "must be the id of the token being updated",
                ));
            }
        }
        self.engine.retry(|| {
            let (mut rec, ver) = self.load(&uuid)?;
            let now = self.now();
            if rec.is_revoked() {
                return Err(state_error(TokenState::Revoked, "update"));
            }
            if let Some(t) = req.token_type {
                if t.as_str() != rec.token_type {
                    return Err(Error::invalid("type", "cannot be changed"));
                }
            }
            for (field, given, stored) in [
                ("owner", &req.owner, &rec.owner),
                ("org", &req.org, &rec.org),
            ] {
                if let Some(g) = given {
                    let same = stored
                        .as_ref()
                        .is_some_and(|s| s.name == g.name && s.id == g.id);
                    if !same {
                        return Err(Error::invalid(field, "cannot be changed"));
                    }
                }
            }
            if let Some(t) = req.expiration_time_utc {
                check_expiry(t, now, self.max_expiry(rec.create_time))?;
                rec.expiration_time = t.0;
            }
            let rotation = resolve_rotation(
                rec.rotation()?,
                req.token_rotation,
                req.require_rotation,
                rec.refresh.is_some(),
            )?;
            rec.token_rotation = rotation.as_str().to_owned();
            rec.require_rotation = rotation.require_rotation();
            rec.name = req.name.clone();
            rec.update_time = now.0;
            let mut ops = vec![put(Table::ApiToken, self.token_key(&uuid), &rec, ver)?];
            ops.extend(self.audit_ops(&uuid, "token.update", "ok", now)?);
            self.engine.services().store.commit(&ops)?;
            rec.to_api(now)
        })
    }

    /// Revokes a token: its value and refresh token stop working at once.
    ///
    /// # Errors
    /// [`Error::State`] when already `REVOKED`; [`Error::NotFound`].
    pub fn revoke(&self, id: &str) -> Result<ApiToken> {
        let uuid = parse_id(id)?;
        self.engine.retry(|| {
            let (mut rec, ver) = self.load(&uuid)?;
            let now = self.now();
            if rec.is_revoked() {
                return Err(state_error(TokenState::Revoked, "revoke"));
            }
            rec.state = STATE_REVOKED.to_owned();
            rec.revoke_reason = Some("revoked".to_owned());
            rec.update_time = now.0;
            let mut ops = vec![put(Table::ApiToken, self.token_key(&uuid), &rec, ver)?];
            ops.extend(self.audit_ops(&uuid, "token.revoke", "ok", now)?);
            self.engine.services().store.commit(&ops)?;
            rec.to_api(now)
        })
    }

    // ---- use -------------------------------------------------------------

    /// Checks a token value. With `ONCE_ON_NEXT_LOGIN`, this successful use
    /// rotates the value (the new one is returned, the presented one stops
    /// working) and resets the policy to `NEVER`/`false`, in one commit.
    ///
    /// # Errors
    /// [`Error::VerificationFailed`] for a malformed (no store read),
    /// unknown or replaced value; [`Error::State`] naming `REVOKED` or
    /// `EXPIRED`.
    pub fn authenticate(&self, value: &str) -> Result<TokenUse> {
        let digest = token::parse(VALUE_PREFIX, value)?;
        self.engine.retry(|| {
            let (entry, entry_ver) = self.lookup(&digest, KIND_VALUE)?;
            let (mut rec, ver) = self.load_for_use(&entry.token_id)?;
            if !ct_eq(&rec.value_digest.0, &digest.0) {
                return Err(Error::VerificationFailed);
            }
            let now = self.now();
            match rec.state_at(now) {
                TokenState::Active => {}
                s => return Err(state_error(s, "authenticate")),
            }
            if rec.rotation()? != TokenRotation::OnceOnNextLogin {
                return Ok(TokenUse {
                    token: rec.to_api(now)?,
                    rotated_value: None,
                });
            }
            let fresh = token::generate(self.engine.services().rng.as_ref(), VALUE_PREFIX)?;
            rec.value_digest = ByteBuf(fresh.digest().0.to_vec());
            reset_once(&mut rec);
            rec.update_time = now.0;
            let mut ops = vec![
                put(Table::ApiToken, self.token_key(&rec.id), &rec, ver)?,
                Op::Delete {
                    table: Table::ApiTokenDigest,
                    key: self.digest_key(&digest),
                    expect: entry_ver,
                },
                self.put_digest(fresh.digest(), &rec.id, KIND_VALUE, now)?,
            ];
            ops.extend(self.audit_ops(&rec.id, "token.rotate_on_use", "ok", now)?);
            self.engine.services().store.commit(&ops)?;
            Ok(TokenUse {
                token: rec.to_api(now)?,
                rotated_value: Some(fresh),
            })
        })
    }

    /// Exchanges a refresh token for a new token value and, when rotation
    /// applies (`ALWAYS`, `ONCE_ON_NEXT_LOGIN`, or a re-use inside the grace
    /// window), a new refresh token. Presenting an invalidated refresh token
    /// outside the grace window revokes the family.
    ///
    /// # Errors
    /// [`Error::VerificationFailed`] for a malformed or unknown refresh
    /// token; [`Error::RefreshTokenReused`] for an invalidated one (the
    /// family is then revoked); [`Error::State`] naming `REVOKED` or
    /// `EXPIRED` (the family's expiry or the refresh token's idle timeout).
    pub fn refresh(&self, refresh_token: &str) -> Result<Refreshed> {
        let digest = token::parse(REFRESH_PREFIX, refresh_token)?;
        let policy = self.engine.policy();
        let grace = i64::from(policy.refresh_token_reuse_grace_secs);
        let idle = i64::from(policy.refresh_token_idle_timeout_secs);
        let store = &self.engine.services().store;
        let outcome = self.engine.retry(|| {
            let (mut entry, entry_ver) = self.lookup(&digest, KIND_REFRESH)?;
            let (mut rec, ver) = self.load_for_use(&entry.token_id)?;
            let now = self.now();
            let Some(live) = rec.refresh.clone() else {
                return Err(Error::VerificationFailed);
            };
            let is_live = ct_eq(&live.digest.0, &digest.0);
            if !is_live {
                let in_grace = grace > 0
                    && !entry.grace_used
                    && entry
                        .invalidated_at
                        .is_some_and(|t| now.0 < t.saturating_add(grace));
                if !in_grace {
                    if rec.state_at(now) == TokenState::Active {
                        rec.state = STATE_REVOKED.to_owned();
                        rec.revoke_reason = Some("refresh_token_reuse".to_owned());
                        rec.update_time = now.0;
                        let mut ops =
                            vec![put(Table::ApiToken, self.token_key(&rec.id), &rec, ver)?];
                        ops.extend(self.audit_ops(
                            &rec.id,
                            "token.refresh",
                            "refresh token reused: family revoked",
                            now,
                        )?);
                        store.commit(&ops)?;
                    }
                    return Ok(None);
                }
            }
            match rec.state_at(now) {
                TokenState::Active => {}
                s => return Err(state_error(s, "refresh")),
            }
            if is_live && now.0 >= live.last_used_at.saturating_add(idle) {
                return Err(Error::State {
                    what: "refresh token",
                    state: "EXPIRED",
                    operation: "refresh",
                });
            }
            let rotation = rec.rotation()?;
            let rotate = !is_live
                || matches!(
                    rotation,
                    TokenRotation::Always | TokenRotation::OnceOnNextLogin
                );
            let rng = self.engine.services().rng.as_ref();
            let value = token::generate(rng, VALUE_PREFIX)?;
            let old_value = TokenDigest(digest_array(&rec.value_digest.0)?);
            let mut ops = Vec::new();
            if !is_live {
                // The one exchange the grace window allows for this token.
                entry.grace_used = true;
                ops.push(put(
                    Table::ApiTokenDigest,
                    self.digest_key(&digest),
                    &entry,
                    entry_ver,
                )?);
            }
            if let Some(r) = store.get(Table::ApiTokenDigest, &self.digest_key(&old_value))? {
                ops.push(Op::Delete {
                    table: Table::ApiTokenDigest,
                    key: self.digest_key(&old_value),
                    expect: r.version,
                });
            }
            ops.push(self.put_digest(value.digest(), &rec.id, KIND_VALUE, now)?);
            rec.value_digest = ByteBuf(value.digest().0.to_vec());
            let new_refresh = if rotate {
                let fresh = token::generate(rng, REFRESH_PREFIX)?;
                // Invalidate the live refresh token (the presented one, or —
                // inside the grace window — the one issued after it).
                let live_digest = TokenDigest(digest_array(&live.digest.0)?);
                let (mut live_entry, live_ver) = if is_live {
                    (entry, entry_ver)
                } else {
                    self.lookup(&live_digest, KIND_REFRESH)
                        .map_err(|_| Error::corrupt("live refresh token digest missing"))?
                };
                live_entry.invalidated_at = Some(now.0);
                ops.push(put(
                    Table::ApiTokenDigest,
                    self.digest_key(&live_digest),
                    &live_entry,
                    live_ver,
                )?);
                ops.push(self.put_digest(fresh.digest(), &rec.id, KIND_REFRESH, now)?);
                rec.refresh = Some(RefreshRecord {
                    digest: ByteBuf(fresh.digest().0.to_vec()),
                    generation: live.generation.saturating_add(1),
                    issued_at: now.0,
                    last_used_at: now.0,
                });
                Some(fresh)
            } else {
                if let Some(r) = rec.refresh.as_mut() {
                    r.last_used_at = now.0;
                }
                None
            };
            if rotation == TokenRotation::OnceOnNextLogin {
                reset_once(&mut rec);
            }
            rec.update_time = now.0;
            ops.insert(0, put(Table::ApiToken, self.token_key(&rec.id), &rec, ver)?);
            let outcome = if is_live { "ok" } else { "ok (grace window)" };
            ops.extend(self.audit_ops(&rec.id, "token.refresh", outcome, now)?);
            store.commit(&ops)?;
            Ok(Some(Refreshed {
                token: rec.to_api(now)?,
                value,
                refresh_token: new_refresh,
            }))
        })?;
        outcome.ok_or(Error::RefreshTokenReused)
    }

    // ---- internals -------------------------------------------------------

    fn now(&self) -> UnixTime {
        self.engine.services().clock.now()
    }

    fn max_expiry(&self, from: i64) -> i64 {
        from.saturating_add(i64::from(self.engine.policy().max_api_token_lifetime_secs))
    }

    fn token_key(&self, uuid: &str) -> Vec<u8> {
        self.tenant.key(&["token", uuid])
    }

    fn digest_key(&self, d: &TokenDigest) -> Vec<u8> {
        self.tenant.key(&[&d.to_hex()])
    }

    fn load(&self, uuid: &str) -> Result<(TokenRecord, Version)> {
        match self
            .engine
            .services()
            .store
            .get(Table::ApiToken, &self.token_key(uuid))?
        {
            Some(r) => Ok((codec::decode(&r.value, "token")?, r.version)),
            None => Err(Error::NotFound { what: "token" }),
        }
    }

    /// As `load`, but a missing record is a verification failure (the
    /// presented credential named it).
    fn load_for_use(&self, uuid: &str) -> Result<(TokenRecord, Version)> {
        match self.load(uuid) {
            Err(Error::NotFound { .. }) => Err(Error::VerificationFailed),
            other => other,
        }
    }

    fn lookup(&self, d: &TokenDigest, kind: &str) -> Result<(DigestRecord, Version)> {
        let Some(Record { value, version }) = self
            .engine
            .services()
            .store
            .get(Table::ApiTokenDigest, &self.digest_key(d))?
        else {
            return Err(Error::VerificationFailed);
        };
        let entry: DigestRecord = codec::decode(&value, "token digest")?;
        if entry.kind != kind {
            return Err(Error::VerificationFailed);
        }
        Ok((entry, version))
    }

    fn put_digest(&self, d: &TokenDigest, uuid: &str, kind: &str, now: UnixTime) -> Result<Op> {
        put(
            Table::ApiTokenDigest,
            self.digest_key(d),
            &DigestRecord {
                token_id: uuid.to_owned(),
                kind: kind.to_owned(),
                issued_at: now.0,
                invalidated_at: None,
                grace_used: false,
            },
            Version::ABSENT,
        )
    }

    fn audit_ops(&self, uuid: &str, action: &str, outcome: &str, now: UnixTime) -> Result<Vec<Op>> {
        audit::append(
            &self.engine,
            &self.tenant,
            &self.actor,
            &format!("token:{uuid}"),
            action,
            outcome,
            now,
        )
    }
}

/// `ONCE_ON_NEXT_LOGIN` has been used: back to `NEVER` / `false`.
fn reset_once(rec: &mut TokenRecord) {
    rec.token_rotation = TokenRotation::Never.as_str().to_owned();
    rec.require_rotation = TokenRotation::Never.require_rotation();
}

/// The rotation policy after an update (rules in the module docs).
fn resolve_rotation(
    current: TokenRotation,
    rotation: Option<TokenRotation>,
    require: Option<bool>,
    has_refresh: bool,
) -> Result<TokenRotation> {
    if !has_refresh {
        if rotation.is_some_and(|r| r != TokenRotation::None) {
            return Err(Error::invalid(
                "token_rotation",
                "must be NONE: this token has no refresh token",
            ));
        }
        if require.is_some() {
            return Err(Error::invalid(
                "require_rotation",
                "applies only to tokens with a refresh token (token_rotation is NONE)",
            ));
        }
        return Ok(TokenRotation::None);
    }
    if rotation == Some(TokenRotation::None) {
        return Err(Error::invalid(
            "token_rotation",
            "NONE applies only to tokens without a refresh token",
        ));
    }
    match (rotation, require) {
        (Some(r), Some(q)) => {
            if r.require_rotation() != Some(q) {
                return Err(Error::invalid(
                    "require_rotation",
                    format!("must be {} when token_rotation is {r}, got {q}", !q),
                ));
            }
            Ok(r)
        }
        (Some(r), None) => Ok(r),
        (None, Some(true)) => Ok(match current {
            TokenRotation::Always | TokenRotation::OnceOnNextLogin => current,
            _ => TokenRotation::Always,
        }),
        (None, Some(false)) => Ok(TokenRotation::Never),
        (None, None) => Ok(current),
    }
}

fn check_expiry(t: UnixTime, now: UnixTime, max: i64) -> Result<()> {
    if t.0 <= now.0 {
        return Err(Error::invalid(
            "expiration_time_utc",
            format!("must be in the future (after {}), got {}", now.0, t.0),
        ));
    }
    if t.0 > max {
        return Err(Error::invalid(
            "expiration_time_utc",
            format!(
                "must be at most {max} (creation + max_api_token_lifetime_secs), got {}",
                t.0
            ),
        ));
    }
    Ok(())
}

fn entity(field: &'static str, e: &EntityRef) -> Result<EntityRecord> {
    check_text(field, &e.name, MAX_ENTITY_FIELD_LEN)?;
    check_text(field, &e.id, MAX_ENTITY_FIELD_LEN)?;
    Ok(EntityRecord {
        name: e.name.clone(),
        id: e.id.clone(),
    })
}

fn state_error(state: TokenState, operation: &'static str) -> Error {
    Error::State {
        what: "token",
        state: state.as_str(),
        operation,
    }
}

fn digest_array(b: &[u8]) -> Result<[u8; 32]> {
    b.try_into().map_err(|_| Error::corrupt("token digest"))
}

fn put<T: serde::Serialize>(table: Table, key: Vec<u8>, rec: &T, expect: Version) -> Result<Op> {
    Ok(Op::Put {
        table,
        key,
        value: codec::encode(rec)?,
        expect,
    })
}

/// The UUID of a token id `urn:credcycle:token:<uuid>`.
pub(crate) fn parse_id(id: &str) -> Result<String> {
    id.strip_prefix(ID_PREFIX)
        .filter(|u| is_uuid(u))
        .map(str::to_owned)
        .ok_or_else(|| Error::invalid("id", format!("must be {ID_PREFIX}<uuid>")))
}

/// A lower-case hyphenated UUID (8-4-4-4-12 hex digits).
pub(crate) fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        })
}

/// A random (version 4) UUID from `rng`.
pub(crate) fn new_uuid(rng: &dyn SecureRandom) -> Result<String> {
    let mut b = [0u8; 16];
    rng.fill(&mut b).map_err(|_| Error::Random)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = crate::encoding::hex_encode(&b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        h.get(0..8).unwrap_or_default(),
        h.get(8..12).unwrap_or_default(),
        h.get(12..16).unwrap_or_default(),
        h.get(16..20).unwrap_or_default(),
        h.get(20..32).unwrap_or_default()
    ))
}

/// 1..=`max` characters, no control characters.
pub(crate) fn check_text(field: &'static str, value: &str, max: usize) -> Result<()> {
    let n = value.chars().count();
    if n == 0 || n > max {
        return Err(Error::invalid(
            field,
            format!("must be 1..={max} characters, got {n}"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

/// An audit actor: control characters removed, at most 128 characters.
pub(crate) fn clean_actor(actor: &str) -> String {
    actor
        .chars()
        .filter(|c| !c.is_control())
        .take(128)
        .collect()
}
