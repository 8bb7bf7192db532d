//! The persisted API-token records (format byte + CBOR map; see
//! `crate::codec`). Field names are the on-disk layout; known-answer tests
//! pin them.
//!
//! - `TokenRecord` in `Table::ApiToken` at `<tenant>/token/<uuid>`: one per
//!   family; holds the digests of the live value and refresh token.
//! - `DigestRecord` in `Table::ApiTokenDigest` at `<tenant>/<digest hex>`:
//!   one per value or refresh token ever issued and not yet replaced (values)
//!   or ever issued (refresh tokens, kept with `invalidated_at` for reuse
//!   detection).

use serde::{Deserialize, Serialize};

use super::{ApiToken, EntityRef, ID_PREFIX, TokenRotation, TokenState, TokenType};
use crate::codec::bytes::ByteBuf;
use crate::error::{Error, Result};
use crate::services::UnixTime;

pub(crate) const STATE_ACTIVE: &str = "ACTIVE";
pub(crate) const STATE_REVOKED: &str = "REVOKED";
pub(crate) const KIND_VALUE: &str = "value";
pub(crate) const KIND_REFRESH: &str = "refresh";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct EntityRecord {
    pub(crate) name: String,
    pub(crate) id: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct RefreshRecord {
    /// SHA-256 of the live refresh token.
    pub(crate) digest: ByteBuf,
    /// 1 for the first refresh token, +1 per rotation.
    pub(crate) generation: u64,
    pub(crate) issued_at: i64,
    /// Last exchange (or issue): the start of the idle timeout.
    pub(crate) last_used_at: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct TokenRecord {
    /// The UUID part of the id.
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) token_type: String,
    pub(crate) owner: Option<EntityRecord>,
    pub(crate) org: Option<EntityRecord>,
    pub(crate) expiration_time: i64,
    pub(crate) token_rotation: String,
    pub(crate) require_rotation: Option<bool>,
    pub(crate) state: String,
    pub(crate) revoke_reason: Option<String>,
    pub(crate) create_time: i64,
    pub(crate) update_time: i64,
    /// SHA-256 of the live value.
    pub(crate) value_digest: ByteBuf,
    pub(crate) refresh: Option<RefreshRecord>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct DigestRecord {
    /// The UUID of the token it belongs to.
    pub(crate) token_id: String,
    /// `value` or `refresh`.
    pub(crate) kind: String,
    pub(crate) issued_at: i64,
    /// When a refresh token was exchanged (or replaced); `None` while live.
    pub(crate) invalidated_at: Option<i64>,
    /// An invalidated refresh token was already exchanged once inside the
    /// grace window; it gets no second one. Absent (false) in records
    /// written before the flag existed, and not written while false, so the
    /// pinned layout is unchanged.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) grace_used: bool,
}

impl TokenRecord {
    pub(crate) fn rotation(&self) -> Result<TokenRotation> {
        TokenRotation::parse(&self.token_rotation).map_err(|_| Error::corrupt("token rotation"))
    }

    pub(crate) fn is_revoked(&self) -> bool {
        self.state == STATE_REVOKED
    }

    pub(crate) fn state_at(&self, now: UnixTime) -> TokenState {
        if self.is_revoked() {
            TokenState::Revoked
        } else if now.0 >= self.expiration_time {
            TokenState::Expired
        } else {
            TokenState::Active
        }
    }

    pub(crate) fn to_api(&self, now: UnixTime) -> Result<ApiToken> {
        let entity = |e: &Option<EntityRecord>| {
            e.as_ref().map(|e| EntityRef {
                name: e.name.clone(),
                id: e.id.clone(),
            })
        };
        Ok(ApiToken {
            id: format!("{ID_PREFIX}{}", self.id),
            name: self.name.clone(),
            token_type: TokenType::parse(&self.token_type)
                .map_err(|_| Error::corrupt("token type"))?,
            owner: entity(&self.owner),
            org: entity(&self.org),
            expiration_time_utc: UnixTime(self.expiration_time),
            require_rotation: self.require_rotation,
            token_rotation: self.rotation()?,
            state: self.state_at(now),
            revoke_reason: self.revoke_reason.clone(),
            has_refresh_token: self.refresh.is_some(),
            create_time: UnixTime(self.create_time),
            update_time: UnixTime(self.update_time),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    /// Pins the on-disk layout of the token records written by release 0.1.
    #[test]
    fn token_record_layout_is_stable() {
        let rec = TokenRecord {
            id: "u".into(),
            name: "n".into(),
            token_type: "PROXY".into(),
            owner: Some(EntityRecord {
                name: "o".into(),
                id: "i".into(),
            }),
            org: None,
            expiration_time: 10,
            token_rotation: "ALWAYS".into(),
            require_rotation: Some(true),
            state: STATE_ACTIVE.into(),
            revoke_reason: None,
            create_time: 1,
            update_time: 2,
            value_digest: ByteBuf(vec![0xaa]),
            refresh: Some(RefreshRecord {
                digest: ByteBuf(vec![0xbb]),
                generation: 1,
                issued_at: 1,
                last_used_at: 1,
            }),
        };
        let bytes = codec::encode(&rec).expect("encode");
        assert_eq!(hex(&bytes), KAT_TOKEN_RECORD_V1);
        assert_eq!(
            codec::decode::<TokenRecord>(&bytes, "token").expect("decode"),
            rec
        );

        let d = DigestRecord {
            token_id: "u".into(),
            kind: KIND_REFRESH.into(),
            issued_at: 1,
            invalidated_at: Some(2),
            grace_used: false,
        };
        let bytes = codec::encode(&d).expect("encode");
        assert_eq!(hex(&bytes), KAT_DIGEST_RECORD_V1);
        assert_eq!(
            codec::decode::<DigestRecord>(&bytes, "token digest").expect("decode"),
            d
        );
    }

    #[test]
    fn corrupt_enums_are_store_corruption() {
        let mut rec: TokenRecord =
            codec::decode(&hex_decode(KAT_TOKEN_RECORD_V1), "token").expect("decode");
        rec.token_type = "OTHER".into();
        assert_eq!(
            rec.to_api(UnixTime(0)).expect_err("bad type").code(),
            crate::ErrorCode::StoreCorrupt
        );
    }

    fn hex_decode(s: &str) -> Vec<u8> {
        crate::encoding::hex_decode("kat", s).expect("hex")
    }

    const KAT_TOKEN_RECORD_V1: &str = concat!(
        "01ae626964617564",
        "6e616d65616e",
        "6a746f6b656e5f747970656550524f5859",
        "656f776e6572a2646e616d65616f6269646169",
        "636f7267f6",
        "6f65787069726174696f6e5f74696d650a",
        "6e746f6b656e5f726f746174696f6e66414c57415953",
        "70726571756972655f726f746174696f6ef5",
        "65737461746566414354495645",
        "6d7265766f6b655f726561736f6ef6",
        "6b6372656174655f74696d6501",
        "6b7570646174655f74696d6502",
        "6c76616c75655f64696765737441aa",
        "67726566726573",
        "68a4666469676573744",
        "1bb6a67656e65726174696f6e0169697373756564",
        "5f6174016c6c6173745f757365645f617401",
    );

    const KAT_DIGEST_RECORD_V1: &str = concat!(
        "01a468746f6b656e5f69646175646b696e6467726566726573686969737375",
        "65645f6174016e696e76616c6964617465645f617402",
    );
}
