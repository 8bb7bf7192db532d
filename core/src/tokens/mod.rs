//! API tokens with rotation policies and refresh-token reuse detection
//! (SEMANTICS.md §C, seed "Update Token", VMware Cloud Director).
//!
//! A token ([`ApiToken`]) is a family of credentials owned by one record:
//! - its **value** (`ccapi_…`): the bearer credential, shown once at
//!   creation and whenever it is rotated; checked by [`Tokens::authenticate`];
//! - unless its rotation policy is `NONE`, a **refresh token** (`ccrt_…`):
//!   [`Tokens::refresh`] exchanges it for a new value, and — when rotation
//!   applies — a new refresh token.
//!
//! Values use the shared opaque format of [`crate::token`]: a prefix per
//! kind, 256 random bits, and a checksum that rejects a malformed value
//! before any store read. Only SHA-256 digests are stored; lookups are by
//! digest and digests are compared in constant time. A family has one live
//! value and one live refresh token at a time: issuing a new one ends the
//! previous one.
//!
//! # Rotation policies (`token_rotation` ⇒ `require_rotation`)
//! | policy | `require_rotation` | effect |
//! |---|---|---|
//! | `ALWAYS` (default) | `true` | every refresh returns a new refresh token |
//! | `NEVER` | `false` | a refresh keeps the same refresh token |
//! | `ONCE_ON_NEXT_LOGIN` | `true` | the next successful use rotates the credential used — [`Tokens::authenticate`] returns a new value, [`Tokens::refresh`] a new refresh token — then the policy becomes `NEVER`/`false` |
//! | `NONE` | `null` | the token has no refresh token |
//!
//! [`Tokens::update`] keeps the two fields consistent: sending both with
//! values that disagree is an [`Error::InvalidInput`](crate::Error) naming
//! both; sending only `require_rotation` picks the matching policy (`true` ⇒
//! `ALWAYS` unless already `ALWAYS` or `ONCE_ON_NEXT_LOGIN`, `false` ⇒
//! `NEVER`); `NONE` is the only policy of a token without refresh token and
//! never applies to one with.
//!
//! # Refresh-token rotation and reuse detection (RFC 9700 §4.14.2)
//! An exchanged refresh token is invalidated but remembered (its digest
//! stays in the store, marked with the time it was invalidated). Presenting
//! it again revokes the whole family — the live value and the live refresh
//! token stop working at once, in every process — and fails with
//! [`Error::RefreshTokenReused`](crate::Error::RefreshTokenReused). The one
//! exception is the policy's grace window
//! ([`Policy::refresh_token_reuse_grace_secs`](crate::Policy), default 0 =
//! none, at most 60 s): within it, an invalidated refresh token is exchanged
//! once more — exactly once — as if current (the client lost the previous
//! response), which
//! again rotates and thereby invalidates the refresh token issued in the
//! lost response. Every change of a family — value, refresh token, remembered
//! digests, state, audit event — is one [`Store::commit`](crate::Store).
//!
//! Refresh tokens also expire: with the family at `expiration_time_utc`,
//! and after [`Policy::refresh_token_idle_timeout_secs`](crate::Policy) without
//! an exchange. There is no scope parameter: a refresh can never broaden
//! what the family grants.
//!
//! # Expiry
//! `expiration_time_utc` is never later than creation +
//! [`Policy::max_api_token_lifetime_secs`](crate::Policy) (default 365 days),
//! so updates cannot extend a token without bound.

pub(crate) mod ops;
mod record;

use std::fmt;

pub use ops::Tokens;

use crate::services::UnixTime;
use crate::token::NewToken;

/// Prefix of token values.
pub const VALUE_PREFIX: &str = "ccapi";
/// Prefix of refresh tokens.
pub const REFRESH_PREFIX: &str = "ccrt";
/// Prefix of token ids (`urn:credcycle:token:<uuid>`).
pub const ID_PREFIX: &str = "urn:credcycle:token:";
/// Longest token name, in characters.
pub const MAX_NAME_LEN: usize = 128;
/// Longest entity-reference name or id, in characters.
pub const MAX_ENTITY_FIELD_LEN: usize = 128;

/// The token's type (the seed's `type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenType {
    /// A user token used to access proxies.
    Proxy,
    /// A token of an extension.
    Extension,
}

impl TokenType {
    /// `PROXY` or `EXTENSION`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenType::Proxy => "PROXY",
            TokenType::Extension => "EXTENSION",
        }
    }

    /// Parses `PROXY`/`EXTENSION`, case-insensitively.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] naming `type`.
    pub fn parse(s: &str) -> crate::Result<Self> {
        if s.eq_ignore_ascii_case("PROXY") {
            Ok(TokenType::Proxy)
        } else if s.eq_ignore_ascii_case("EXTENSION") {
            Ok(TokenType::Extension)
        } else {
            Err(crate::Error::invalid("type", "must be PROXY or EXTENSION"))
        }
    }
}

impl fmt::Display for TokenType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The token's rotation policy (the seed's `tokenRotation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenRotation {
    /// Every refresh rotates the refresh token (`require_rotation = true`).
    Always,
    /// Refreshes keep the refresh token (`require_rotation = false`).
    Never,
    /// The next successful use rotates, then the policy becomes `NEVER`.
    OnceOnNextLogin,
    /// The token has no refresh token (`require_rotation = null`).
    None,
}

impl TokenRotation {
    /// `ALWAYS`, `NEVER`, `ONCE_ON_NEXT_LOGIN` or `NONE`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenRotation::Always => "ALWAYS",
            TokenRotation::Never => "NEVER",
            TokenRotation::OnceOnNextLogin => "ONCE_ON_NEXT_LOGIN",
            TokenRotation::None => "NONE",
        }
    }

    /// Parses the spelling of [`TokenRotation::as_str`], case-insensitively.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] naming `token_rotation`.
    pub fn parse(s: &str) -> crate::Result<Self> {
        [
            TokenRotation::Always,
            TokenRotation::Never,
            TokenRotation::OnceOnNextLogin,
            TokenRotation::None,
        ]
        .into_iter()
        .find(|r| r.as_str().eq_ignore_ascii_case(s))
        .ok_or_else(|| {
            crate::Error::invalid(
                "token_rotation",
                "must be ALWAYS, NEVER, ONCE_ON_NEXT_LOGIN or NONE",
            )
        })
    }

    /// The `require_rotation` value this policy implies.
    pub fn require_rotation(self) -> Option<bool> {
        match self {
            TokenRotation::Always | TokenRotation::OnceOnNextLogin => Some(true),
            TokenRotation::Never => Some(false),
            TokenRotation::None => None,
        }
    }
}

impl fmt::Display for TokenRotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The state of a token, as of the read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenState {
    /// Usable.
    Active,
    /// Past `expiration_time_utc`.
    Expired,
    /// Revoked by [`Tokens::revoke`] or by refresh-token reuse detection.
    Revoked,
}

impl TokenState {
    /// `ACTIVE`, `EXPIRED` or `REVOKED`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenState::Active => "ACTIVE",
            TokenState::Expired => "EXPIRED",
            TokenState::Revoked => "REVOKED",
        }
    }
}

impl fmt::Display for TokenState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A reference to another entity (the seed's `{name, id}`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EntityRef {
    /// Display name (1..=128 characters, no control characters).
    pub name: String,
    /// Identifier (1..=128 characters, no control characters).
    pub id: String,
}

impl EntityRef {
    /// A reference.
    pub fn new(name: impl Into<String>, id: impl Into<String>) -> Self {
        EntityRef {
            name: name.into(),
            id: id.into(),
        }
    }
}

/// A token's metadata (the seed's `Token` object, without the value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiToken {
    /// `urn:credcycle:token:<uuid>`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Type.
    pub token_type: TokenType,
    /// Owner, if given.
    pub owner: Option<EntityRef>,
    /// Organization, if given.
    pub org: Option<EntityRef>,
    /// When the family expires.
    pub expiration_time_utc: UnixTime,
    /// See [`TokenRotation::require_rotation`]; `None` for `NONE`.
    pub require_rotation: Option<bool>,
    /// Rotation policy.
    pub token_rotation: TokenRotation,
    /// State at the time of the read.
    pub state: TokenState,
    /// Why it was revoked (`revoked`, `refresh_token_reuse`), if it was.
    pub revoke_reason: Option<String>,
    /// Whether the family has a refresh token.
    pub has_refresh_token: bool,
    /// Creation time.
    pub create_time: UnixTime,
    /// Last change.
    pub update_time: UnixTime,
}

/// What [`Tokens::create`] takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateToken {
    /// Name (1..=128 characters, no control characters).
    pub name: String,
    /// Type.
    pub token_type: TokenType,
    /// Owner.
    pub owner: Option<EntityRef>,
    /// Organization.
    pub org: Option<EntityRef>,
    /// Expiry; default and maximum: now + the policy's maximum lifetime.
    pub expiration_time_utc: Option<UnixTime>,
    /// Rotation policy (default `ALWAYS`; `NONE` = no refresh token).
    pub token_rotation: Option<TokenRotation>,
}

impl CreateToken {
    /// A request with a name and a type; everything else default.
    pub fn new(name: impl Into<String>, token_type: TokenType) -> Self {
        CreateToken {
            name: name.into(),
            token_type,
            owner: None,
            org: None,
            expiration_time_utc: None,
            token_rotation: None,
        }
    }

    /// Sets the owner.
    pub fn owner(mut self, owner: EntityRef) -> Self {
        self.owner = Some(owner);
        self
    }

    /// Sets the organization.
    pub fn org(mut self, org: EntityRef) -> Self {
        self.org = Some(org);
        self
    }

    /// Sets the expiry.
    pub fn expires(mut self, at: UnixTime) -> Self {
        self.expiration_time_utc = Some(at);
        self
    }

    /// Sets the rotation policy.
    pub fn rotation(mut self, rotation: TokenRotation) -> Self {
        self.token_rotation = Some(rotation);
        self
    }
}

/// A new token: its metadata and its credentials, shown this once.
#[derive(Debug)]
pub struct CreatedToken {
    /// Metadata.
    pub token: ApiToken,
    /// The token value (`ccapi_…`).
    pub value: NewToken,
    /// The refresh token (`ccrt_…`), unless the policy is `NONE`.
    pub refresh_token: Option<NewToken>,
}

/// What [`Tokens::update`] takes (the seed's PUT body). `name` is required;
/// other unset fields are unchanged. `id`, `token_type`, `owner` and `org`
/// are accepted so a client can send back the object it read, but they must
/// equal the stored values: a token never changes identity, type or owner.
/// The value cannot be set: values are only generated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdateToken {
    /// Must equal the token's id when given.
    pub id: Option<String>,
    /// New name (required, 1..=128 characters).
    pub name: String,
    /// New expiry (in the future, at most creation + the policy maximum).
    pub expiration_time_utc: Option<UnixTime>,
    /// New rotation policy.
    pub token_rotation: Option<TokenRotation>,
    /// New `require_rotation` (kept consistent with `token_rotation`).
    pub require_rotation: Option<bool>,
    /// Must equal the stored type when given.
    pub token_type: Option<TokenType>,
    /// Must equal the stored owner when given.
    pub owner: Option<EntityRef>,
    /// Must equal the stored organization when given.
    pub org: Option<EntityRef>,
}

impl UpdateToken {
    /// A request that sets the name (required by the seed) and nothing else.
    pub fn named(name: impl Into<String>) -> Self {
        UpdateToken {
            name: name.into(),
            ..UpdateToken::default()
        }
    }
}

/// The result of [`Tokens::authenticate`].
#[derive(Debug)]
pub struct TokenUse {
    /// The token the value belongs to.
    pub token: ApiToken,
    /// The replacement value when this use rotated the token
    /// (`ONCE_ON_NEXT_LOGIN`); the presented value no longer works.
    pub rotated_value: Option<NewToken>,
}

/// The result of [`Tokens::refresh`].
#[derive(Debug)]
pub struct Refreshed {
    /// The token.
    pub token: ApiToken,
    /// The new token value; the previous value no longer works.
    pub value: NewToken,
    /// The new refresh token when rotation applied; the presented one is
    /// then invalidated (and remembered for reuse detection).
    pub refresh_token: Option<NewToken>,
}

/// Checks `data` as a token value and a refresh token (fuzzing entry point).
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub fn fuzz_parse(data: &str) {
    let _ = crate::token::parse(VALUE_PREFIX, data);
    let _ = crate::token::parse(REFRESH_PREFIX, data);
    let _ = ops::parse_id(data);
}

/// Decodes `data` as each token record type (fuzzing entry point).
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub fn fuzz_decode_records(data: &[u8]) {
    if let Ok(r) = crate::codec::decode::<record::TokenRecord>(data, "token") {
        let _ = r.to_api(UnixTime(0));
    }
    let _ = crate::codec::decode::<record::DigestRecord>(data, "token digest");
}

#[cfg(test)]
mod tests;
