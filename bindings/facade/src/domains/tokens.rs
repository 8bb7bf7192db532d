//! API tokens (with optional refresh tokens).

use credcycle::UnixTime;
use credcycle::token::NewToken;
use credcycle::tokens::{ApiToken, CreateToken, TokenRotation, TokenType, UpdateToken};
use zeroize::Zeroizing;

use crate::error::Result;

/// A named reference (owner, organization).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityRef {
    /// Display name.
    pub name: String,
    /// Id.
    pub id: String,
}

impl From<credcycle::tokens::EntityRef> for EntityRef {
    fn from(e: credcycle::tokens::EntityRef) -> Self {
        EntityRef {
            name: e.name,
            id: e.id,
        }
    }
}

impl From<EntityRef> for credcycle::tokens::EntityRef {
    fn from(e: EntityRef) -> Self {
        credcycle::tokens::EntityRef::new(e.name, e.id)
    }
}

/// An API token's metadata (never its value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiTokenInfo {
    /// UUID.
    pub id: String,
    /// Name.
    pub name: String,
    /// `PROXY` or `EXTENSION`.
    pub token_type: String,
    /// Owner, if set.
    pub owner: Option<EntityRef>,
    /// Organization, if set.
    pub org: Option<EntityRef>,
    /// Expiry.
    pub expiration_time: i64,
    /// Whether the value must be rotated on next use (`None`: no policy).
    pub require_rotation: Option<bool>,
    /// `ALWAYS`, `NEVER`, `ONCE_ON_NEXT_LOGIN` or `NONE`.
    pub token_rotation: String,
    /// `ACTIVE`, `EXPIRED` or `REVOKED`.
    pub state: String,
    /// Why it was revoked, if it was.
    pub revoke_reason: Option<String>,
    /// Whether a refresh token exists for it.
    pub has_refresh_token: bool,
    /// Creation time.
    pub create_time: i64,
    /// Last change.
    pub update_time: i64,
}

impl From<ApiToken> for ApiTokenInfo {
    fn from(t: ApiToken) -> Self {
        ApiTokenInfo {
            id: t.id,
            name: t.name,
            token_type: t.token_type.as_str().to_owned(),
            owner: t.owner.map(EntityRef::from),
            org: t.org.map(EntityRef::from),
            expiration_time: t.expiration_time_utc.secs(),
            require_rotation: t.require_rotation,
            token_rotation: t.token_rotation.as_str().to_owned(),
            state: t.state.as_str().to_owned(),
            revoke_reason: t.revoke_reason,
            has_refresh_token: t.has_refresh_token,
            create_time: t.create_time.secs(),
            update_time: t.update_time.secs(),
        }
    }
}

pub(crate) fn reveal(t: NewToken) -> Zeroizing<String> {
    t.into_revealed()
}

/// Options of [`Tokens::create`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateTokenOptions {
    /// Owner.
    pub owner: Option<EntityRef>,
    /// Organization.
    pub org: Option<EntityRef>,
    /// Expiry (default: the policy's lifetime).
    pub expiration_time: Option<i64>,
    /// `ALWAYS`, `NEVER`, `ONCE_ON_NEXT_LOGIN` or `NONE` (default).
    pub token_rotation: Option<String>,
}

/// What [`Tokens::create`] returns.
#[derive(Debug)]
pub struct CreatedTokenInfo {
    /// The token.
    pub token: ApiTokenInfo,
    /// Its value, shown once.
    pub value: Zeroizing<String>,
    /// A refresh token, shown once, when the policy issues them.
    pub refresh_token: Option<Zeroizing<String>>,
}

/// Options of [`Tokens::update`]; `None` leaves a field unchanged
/// (`token_type`, `owner` and `org` cannot change: when given they must
/// equal the stored values).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdateTokenOptions {
    /// New expiry.
    pub expiration_time: Option<i64>,
    /// New rotation policy.
    pub token_rotation: Option<String>,
    /// New `require_rotation`.
    pub require_rotation: Option<bool>,
    /// Must equal the stored type.
    pub token_type: Option<String>,
    /// Must equal the stored owner.
    pub owner: Option<EntityRef>,
    /// Must equal the stored organization.
    pub org: Option<EntityRef>,
}

/// What [`Tokens::authenticate`] returns.
#[derive(Debug)]
pub struct TokenUseInfo {
    /// The token.
    pub token: ApiTokenInfo,
    /// The new value when the rotation policy replaced it on this use
    /// (the old one no longer works).
    pub rotated_value: Option<Zeroizing<String>>,
}

/// What [`Tokens::refresh`] returns.
#[derive(Debug)]
pub struct RefreshedInfo {
    /// The token.
    pub token: ApiTokenInfo,
    /// Its new value.
    pub value: Zeroizing<String>,
    /// The next refresh token (the one presented is spent).
    pub refresh_token: Option<Zeroizing<String>>,
}

/// The API tokens of one tenant. Cheap to clone, thread-safe.
#[derive(Clone, Debug)]
pub struct Tokens {
    pub(crate) inner: credcycle::tokens::Tokens,
}

impl Tokens {
    /// Creates a token of type `token_type` (`PROXY` or `EXTENSION`)
    /// (operation `tokens.create`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming the field; `ALREADY_EXISTS`.
    pub fn create(
        &self,
        name: &str,
        token_type: &str,
        options: CreateTokenOptions,
    ) -> Result<CreatedTokenInfo> {
        let mut req = CreateToken::new(name, TokenType::parse(token_type)?);
        if let Some(o) = options.owner {
            req = req.owner(o.into());
        }
        if let Some(o) = options.org {
            req = req.org(o.into());
        }
        if let Some(t) = options.expiration_time {
            req = req.expires(UnixTime(t));
        }
        if let Some(r) = &options.token_rotation {
            req = req.rotation(TokenRotation::parse(r)?);
        }
        let c = self.inner.create(req)?;
        Ok(CreatedTokenInfo {
            token: c.token.into(),
            value: reveal(c.value),
            refresh_token: c.refresh_token.map(reveal),
        })
    }

    /// A token (operation `tokens.get`).
    ///
    /// # Errors
    /// `NOT_FOUND`.
    pub fn get(&self, id: &str) -> Result<ApiTokenInfo> {
        Ok(self.inner.get(id)?.into())
    }

    /// Every token of the tenant (operation `tokens.list`).
    ///
    /// # Errors
    /// Store failures.
    pub fn list(&self) -> Result<Vec<ApiTokenInfo>> {
        Ok(self
            .inner
            .list()?
            .into_iter()
            .map(ApiTokenInfo::from)
            .collect())
    }

    /// Renames a token and changes its expiry/rotation (operation
    /// `tokens.update`).
    ///
    /// # Errors
    /// `NOT_FOUND`; `INVALID_INPUT` naming the field.
    pub fn update(
        &self,
        id: &str,
        name: &str,
        options: UpdateTokenOptions,
    ) -> Result<ApiTokenInfo> {
        let mut req = UpdateToken::named(name);
        req.expiration_time_utc = options.expiration_time.map(UnixTime);
        req.token_rotation = options
            .token_rotation
            .as_deref()
            .map(TokenRotation::parse)
            .transpose()?;
        req.require_rotation = options.require_rotation;
        req.token_type = options
            .token_type
            .as_deref()
            .map(TokenType::parse)
            .transpose()?;
        req.owner = options.owner.map(Into::into);
        req.org = options.org.map(Into::into);
        Ok(self.inner.update(id, req)?.into())
    }

    /// Revokes a token and its refresh token (operation `tokens.revoke`).
    ///
    /// # Errors
    /// `NOT_FOUND`.
    pub fn revoke(&self, id: &str) -> Result<ApiTokenInfo> {
        Ok(self.inner.revoke(id)?.into())
    }

    /// Checks a presented token value (operation `tokens.authenticate`).
    ///
    /// # Errors
    /// `VERIFICATION_FAILED` (no detail) for an unknown, expired or revoked
    /// value.
    pub fn authenticate(&self, value: &str) -> Result<TokenUseInfo> {
        let u = self.inner.authenticate(value)?;
        Ok(TokenUseInfo {
            token: u.token.into(),
            rotated_value: u.rotated_value.map(reveal),
        })
    }

    /// Exchanges a refresh token for a new token value and refresh token
    /// (operation `tokens.refresh`).
    ///
    /// # Errors
    /// `VERIFICATION_FAILED`; `REFRESH_TOKEN_REUSED` when a spent refresh
    /// token comes back (the whole family is revoked).
    pub fn refresh(&self, refresh_token: &str) -> Result<RefreshedInfo> {
        let r = self.inner.refresh(refresh_token)?;
        Ok(RefreshedInfo {
            token: r.token.into(),
            value: reveal(r.value),
            refresh_token: r.refresh_token.map(reveal),
        })
    }
}
