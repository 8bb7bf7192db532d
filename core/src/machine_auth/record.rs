//! The persisted machine-auth records (format byte + CBOR map; see
//! `crate::codec`). Field names are the on-disk layout; a known-answer test
//! pins them.
//!
//! | table | key | record |
//! |---|---|---|
//! | `MachineIdentity` | `<tenant>/identity/<uuid>` | `IdentityRecord` (with its `UaRecord`) |
//! | `UaClientId` | `<tenant>/<client id>` | `ClientIdRecord` |
//! | `UaClientSecret` | `<tenant>/<identity uuid>/<digest hex>` | `ClientSecretRecord` |
//! | `UaAccessToken` | `<tenant>/<digest hex>` | `AccessTokenRecord` |
//! | `UaLockout` | `<tenant>/<identity uuid>` | `LockoutRecord` |

use serde::{Deserialize, Serialize};

use super::{
    AccessTokenInfo, ClientSecretInfo, ClientSecretState, IpList, Lockout, MachineIdentity,
    UniversalAuth,
};
use crate::codec::bytes::ByteBuf;
use crate::error::{Error, Result};
use crate::services::UnixTime;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct IdentityRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) create_time: i64,
    pub(crate) update_time: i64,
    pub(crate) ua: Option<UaRecord>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct UaRecord {
    pub(crate) client_id: String,
    /// Canonical entries.
    pub(crate) client_secret_trusted_ips: Vec<String>,
    /// Canonical entries.
    pub(crate) access_token_trusted_ips: Vec<String>,
    pub(crate) access_token_ttl: u32,
    pub(crate) access_token_max_ttl: u32,
    pub(crate) access_token_num_uses_limit: u32,
    pub(crate) access_token_period: u32,
    pub(crate) lockout_enabled: bool,
    pub(crate) lockout_threshold: u32,
    pub(crate) lockout_duration: u32,
    pub(crate) lockout_counter_reset: u32,
    pub(crate) create_time: i64,
    pub(crate) update_time: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct ClientIdRecord {
    pub(crate) identity_id: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct ClientSecretRecord {
    pub(crate) id: String,
    pub(crate) identity_id: String,
    pub(crate) description: String,
    /// `cccs_` and the first 4 characters of the body.
    pub(crate) prefix: String,
    pub(crate) digest: ByteBuf,
    pub(crate) ttl: u32,
    pub(crate) num_uses_limit: u32,
    pub(crate) num_uses: u32,
    pub(crate) revoked: bool,
    pub(crate) create_time: i64,
    pub(crate) last_used_at: Option<i64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct AccessTokenRecord {
    pub(crate) id: String,
    pub(crate) identity_id: String,
    pub(crate) client_secret_id: String,
    pub(crate) digest: ByteBuf,
    pub(crate) create_time: i64,
    pub(crate) ttl: u32,
    pub(crate) max_ttl: u32,
    pub(crate) period: u32,
    /// Current expiry (TTL or period, capped by max TTL); `None` = none.
    pub(crate) expires_at: Option<i64>,
    pub(crate) num_uses: u32,
    pub(crate) num_uses_limit: u32,
    pub(crate) revoked: bool,
    pub(crate) last_renewed_at: Option<i64>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct LockoutRecord {
    /// Consecutive failures since the last reset.
    pub(crate) failures: u32,
    pub(crate) last_failure_at: i64,
    pub(crate) locked_until: Option<i64>,
}

impl UaRecord {
    pub(crate) fn lockout(&self) -> Lockout {
        Lockout {
            enabled: self.lockout_enabled,
            threshold: self.lockout_threshold,
            duration_secs: self.lockout_duration,
            counter_reset_secs: self.lockout_counter_reset,
        }
    }

    pub(crate) fn client_secret_ips(&self) -> Result<IpList> {
        IpList::parse("client_secret_trusted_ips", &self.client_secret_trusted_ips)
            .map_err(|_| Error::corrupt("client_secret_trusted_ips"))
    }

    pub(crate) fn access_token_ips(&self) -> Result<IpList> {
        IpList::parse("access_token_trusted_ips", &self.access_token_trusted_ips)
            .map_err(|_| Error::corrupt("access_token_trusted_ips"))
    }

    pub(crate) fn to_api(&self, identity_id: &str) -> Result<UniversalAuth> {
        Ok(UniversalAuth {
            identity_id: identity_id.to_owned(),
            client_id: self.client_id.clone(),
            client_secret_trusted_ips: self.client_secret_ips()?,
            access_token_trusted_ips: self.access_token_ips()?,
            access_token_ttl: self.access_token_ttl,
            access_token_max_ttl: self.access_token_max_ttl,
            access_token_num_uses_limit: self.access_token_num_uses_limit,
            access_token_period: self.access_token_period,
            lockout: self.lockout(),
            create_time: UnixTime(self.create_time),
            update_time: UnixTime(self.update_time),
        })
    }
}

impl IdentityRecord {
    pub(crate) fn to_api(&self) -> Result<MachineIdentity> {
        Ok(MachineIdentity {
            id: self.id.clone(),
            name: self.name.clone(),
            create_time: UnixTime(self.create_time),
            update_time: UnixTime(self.update_time),
            universal_auth: self.ua.as_ref().map(|u| u.to_api(&self.id)).transpose()?,
        })
    }
}

impl ClientSecretRecord {
    pub(crate) fn expires_at(&self) -> Option<i64> {
        (self.ttl > 0).then(|| self.create_time.saturating_add(i64::from(self.ttl)))
    }

    pub(crate) fn state_at(&self, now: UnixTime) -> ClientSecretState {
        if self.revoked {
            ClientSecretState::Revoked
        } else if self.expires_at().is_some_and(|t| now.0 >= t) {
            ClientSecretState::Expired
        } else if self.num_uses_limit > 0 && self.num_uses >= self.num_uses_limit {
            ClientSecretState::Exhausted
        } else {
            ClientSecretState::Active
        }
    }

    pub(crate) fn to_api(&self, now: UnixTime) -> ClientSecretInfo {
        ClientSecretInfo {
            id: self.id.clone(),
            identity_id: self.identity_id.clone(),
            description: self.description.clone(),
            prefix: self.prefix.clone(),
            ttl_secs: self.ttl,
            num_uses: self.num_uses,
            num_uses_limit: self.num_uses_limit,
            state: self.state_at(now),
            create_time: UnixTime(self.create_time),
            expires_at: self.expires_at().map(UnixTime),
            last_used_at: self.last_used_at.map(UnixTime),
        }
    }
}

impl AccessTokenRecord {
    pub(crate) fn max_expires_at(&self) -> Option<i64> {
        (self.period == 0 && self.max_ttl > 0)
            .then(|| self.create_time.saturating_add(i64::from(self.max_ttl)))
    }

    /// The earliest of the current expiry and the maximum.
    pub(crate) fn effective_expiry(&self) -> Option<i64> {
        match (self.expires_at, self.max_expires_at()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub(crate) fn is_expired(&self, now: UnixTime) -> bool {
        self.effective_expiry().is_some_and(|t| now.0 >= t)
    }

    pub(crate) fn is_exhausted(&self) -> bool {
        self.num_uses_limit > 0 && self.num_uses >= self.num_uses_limit
    }

    pub(crate) fn to_api(&self) -> AccessTokenInfo {
        AccessTokenInfo {
            id: self.id.clone(),
            identity_id: self.identity_id.clone(),
            client_secret_id: self.client_secret_id.clone(),
            create_time: UnixTime(self.create_time),
            expires_at: self.effective_expiry().map(UnixTime),
            max_expires_at: self.max_expires_at().map(UnixTime),
            ttl_secs: self.ttl,
            max_ttl_secs: self.max_ttl,
            period_secs: self.period,
            num_uses: self.num_uses,
            num_uses_limit: self.num_uses_limit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    fn roundtrip<T>(rec: &T, what: &'static str) -> String
    where
        T: Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let bytes = codec::encode(rec).expect("encode");
        assert_eq!(&codec::decode::<T>(&bytes, what).expect("decode"), rec);
        hex(&bytes)
    }

    /// Pins the on-disk layout of every machine-auth record of release 0.1.
    #[test]
    fn machine_auth_record_layouts_are_stable() {
        let ua = UaRecord {
            client_id: "c".into(),
            client_secret_trusted_ips: vec!["0.0.0.0/0".into()],
            access_token_trusted_ips: vec!["::/0".into()],
            access_token_ttl: 1,
            access_token_max_ttl: 2,
            access_token_num_uses_limit: 3,
            access_token_period: 4,
            lockout_enabled: true,
            lockout_threshold: 3,
            lockout_duration: 300,
            lockout_counter_reset: 30,
            create_time: 5,
            update_time: 6,
        };
        let identity = IdentityRecord {
            id: "i".into(),
            name: "n".into(),
            create_time: 1,
            update_time: 2,
            ua: Some(ua),
        };
        let secret = ClientSecretRecord {
            id: "s".into(),
            identity_id: "i".into(),
            description: "d".into(),
            prefix: "cccs_abcd".into(),
            digest: ByteBuf(vec![0xaa]),
            ttl: 0,
            num_uses_limit: 5,
            num_uses: 1,
            revoked: false,
            create_time: 1,
            last_used_at: Some(2),
        };
        let token = AccessTokenRecord {
            id: "t".into(),
            identity_id: "i".into(),
            client_secret_id: "s".into(),
            digest: ByteBuf(vec![0xbb]),
            create_time: 1,
            ttl: 10,
            max_ttl: 60,
            period: 0,
            expires_at: Some(11),
            num_uses: 0,
            num_uses_limit: 5,
            revoked: false,
            last_renewed_at: None,
        };
        let lockout = LockoutRecord {
            failures: 2,
            last_failure_at: 7,
            locked_until: None,
        };
        let client = ClientIdRecord {
            identity_id: "i".into(),
        };
        let got = [
            roundtrip(&identity, "identity"),
            roundtrip(&secret, "client secret"),
            roundtrip(&token, "access token"),
            roundtrip(&lockout, "lockout"),
            roundtrip(&client, "client id"),
        ];
        assert_eq!(got, KATS);
    }

    #[test]
    fn access_token_expiry_rules() {
        let mut t = AccessTokenRecord {
            id: "t".into(),
            identity_id: "i".into(),
            client_secret_id: "s".into(),
            digest: ByteBuf(vec![0; 32]),
            create_time: 100,
            ttl: 10,
            max_ttl: 60,
            period: 0,
            expires_at: Some(110),
            num_uses: 0,
            num_uses_limit: 0,
            revoked: false,
            last_renewed_at: None,
        };
        assert_eq!(t.effective_expiry(), Some(110));
        t.expires_at = Some(170);
        assert_eq!(t.effective_expiry(), Some(160));
        t.period = 10;
        assert_eq!(t.max_expires_at(), None);
        assert_eq!(t.effective_expiry(), Some(170));
        t.period = 0;
        t.max_ttl = 0;
        t.expires_at = None;
        assert!(!t.is_expired(UnixTime(i64::MAX)));
    }

    const KATS: [&str; 5] = [
        concat!(
            "01a56269646169646e616d65616e6b6372656174655f74696d65016b7570646174655f74696d6502",
            "627561ad69636c69656e745f696461637819636c69656e745f7365637265745f747275737465645f",
            "6970738169302e302e302e302f3078186163636573735f746f6b656e5f747275737465645f697073",
            "81643a3a2f30706163636573735f746f6b656e5f74746c01746163636573735f746f6b656e5f6d61",
            "785f74746c02781b6163636573735f746f6b656e5f6e756d5f757365735f6c696d69740373616363",
            "6573735f746f6b656e5f706572696f64046f6c6f636b6f75745f656e61626c6564f5716c6f636b6f",
            "75745f7468726573686f6c6403706c6f636b6f75745f6475726174696f6e19012c756c6f636b6f75",
            "745f636f756e7465725f7265736574181e6b6372656174655f74696d65056b7570646174655f7469",
            "6d6506",
        ),
        concat!(
            "01ab62696461736b6964656e746974795f696461696b6465736372697074696f6e61646670726566",
            "697869636363735f616263646664696765737441aa6374746c006e6e756d5f757365735f6c696d69",
            "7405686e756d5f7573657301677265766f6b6564f46b6372656174655f74696d65016c6c6173745f",
            "757365645f617402",
        ),
        concat!(
            "01ad62696461746b6964656e746974795f6964616970636c69656e745f7365637265745f69646173",
            "6664696765737441bb6b6372656174655f74696d65016374746c0a676d61785f74746c183c667065",
            "72696f64006a657870697265735f61740b686e756d5f75736573006e6e756d5f757365735f6c696d",
            "697405677265766f6b6564f46f6c6173745f72656e657765645f6174f6",
        ),
        concat!(
            "01a3686661696c75726573026f6c6173745f6661696c7572655f6174076c6c6f636b65645f756e74",
            "696cf6",
        ),
        "01a16b6964656e746974795f69646169",
    ];
}
