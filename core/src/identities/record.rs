//! Persisted records of the identities domain (format byte + CBOR map; see
//! `crate::codec`). Field names are the on-disk layout; known-answer tests
//! pin them.

use serde::{Deserialize, Serialize};

use super::{
    ApiSession, Authenticator, AuthenticatorMethod, EnvInfo, ExtJwtSigner, Identity,
    IdentityClaimMatch, SdkInfo, SignerKeys, Tags,
};
use crate::error::{Error, Result};
use crate::services::UnixTime;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct IdentityRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) tags: Tags,
    pub(crate) create_time: i64,
    pub(crate) update_time: i64,
    /// Ids of the identity's authenticators.
    #[serde(default)]
    pub(crate) authenticators: Vec<String>,
}

impl IdentityRecord {
    pub(crate) fn to_public(&self) -> Identity {
        Identity {
            id: self.id.clone(),
            name: self.name.clone(),
            tags: self.tags.clone(),
            create_time: UnixTime(self.create_time),
            update_time: UnixTime(self.update_time),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct AuthenticatorRecord {
    pub(crate) id: String,
    pub(crate) identity_id: String,
    /// `updb` or `cert`.
    pub(crate) method: String,
    #[serde(default)]
    pub(crate) username: Option<String>,
    /// argon2id PHC string (`updb`).
    #[serde(default)]
    pub(crate) password_hash: Option<String>,
    #[serde(default)]
    pub(crate) password_change_required: bool,
    /// Lower-case hex SHA-256 (`cert`).
    #[serde(default)]
    pub(crate) cert_fingerprint: Option<String>,
    /// The unverified replacement during extension (`cert`).
    #[serde(default)]
    pub(crate) cert_pending_fingerprint: Option<String>,
    #[serde(default)]
    pub(crate) tags: Tags,
    pub(crate) create_time: i64,
    pub(crate) update_time: i64,
}

impl AuthenticatorRecord {
    pub(crate) fn method(&self) -> Result<AuthenticatorMethod> {
        match self.method.as_str() {
            "updb" => Ok(AuthenticatorMethod::Updb),
            "cert" => Ok(AuthenticatorMethod::Cert),
            _ => Err(Error::corrupt("authenticator method")),
        }
    }

    pub(crate) fn to_public(&self) -> Result<Authenticator> {
        Ok(Authenticator {
            id: self.id.clone(),
            identity_id: self.identity_id.clone(),
            method: self.method()?,
            username: self.username.clone(),
            cert_fingerprint: self.cert_fingerprint.clone(),
            password_change_required: self.password_change_required,
            tags: self.tags.clone(),
            create_time: UnixTime(self.create_time),
            update_time: UnixTime(self.update_time),
        })
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct SignerRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) issuer: String,
    pub(crate) audience: String,
    /// `jwks` or `pem`.
    pub(crate) key_kind: String,
    pub(crate) keys: String,
    pub(crate) identity_claim: String,
    /// `id` or `name`.
    pub(crate) claim_match: String,
    pub(crate) enabled: bool,
    pub(crate) create_time: i64,
}

impl SignerRecord {
    pub(crate) fn to_public(&self) -> Result<ExtJwtSigner> {
        Ok(ExtJwtSigner {
            id: self.id.clone(),
            name: self.name.clone(),
            issuer: self.issuer.clone(),
            audience: self.audience.clone(),
            keys: match self.key_kind.as_str() {
                "jwks" => SignerKeys::Jwks(self.keys.clone()),
                "pem" => SignerKeys::Pem(self.keys.clone()),
                _ => return Err(Error::corrupt("signer key kind")),
            },
            identity_claim: self.identity_claim.clone(),
            claim_match: match self.claim_match.as_str() {
                "id" => IdentityClaimMatch::Id,
                "name" => IdentityClaimMatch::Name,
                _ => return Err(Error::corrupt("signer claim match")),
            },
            enabled: self.enabled,
            create_time: UnixTime(self.create_time),
        })
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, Default)]
pub(crate) struct InfoRecord {
    #[serde(default)]
    pub(crate) fields: Vec<(String, String)>,
}

fn info_get(i: &InfoRecord, k: &str) -> Option<String> {
    i.fields
        .iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.clone())
}

fn info_put(out: &mut Vec<(String, String)>, k: &str, v: &Option<String>) {
    if let Some(v) = v {
        out.push((k.to_owned(), v.clone()));
    }
}

impl InfoRecord {
    pub(crate) fn from_env(e: &EnvInfo) -> Self {
        let mut f = Vec::new();
        info_put(&mut f, "arch", &e.arch);
        info_put(&mut f, "os", &e.os);
        info_put(&mut f, "os_release", &e.os_release);
        info_put(&mut f, "os_version", &e.os_version);
        info_put(&mut f, "domain", &e.domain);
        info_put(&mut f, "hostname", &e.hostname);
        InfoRecord { fields: f }
    }

    pub(crate) fn from_sdk(s: &SdkInfo) -> Self {
        let mut f = Vec::new();
        info_put(&mut f, "app_id", &s.app_id);
        info_put(&mut f, "app_version", &s.app_version);
        info_put(&mut f, "branch", &s.branch);
        info_put(&mut f, "revision", &s.revision);
        info_put(&mut f, "type", &s.sdk_type);
        info_put(&mut f, "version", &s.version);
        InfoRecord { fields: f }
    }

    pub(crate) fn to_env(&self) -> EnvInfo {
        EnvInfo {
            arch: info_get(self, "arch"),
            os: info_get(self, "os"),
            os_release: info_get(self, "os_release"),
            os_version: info_get(self, "os_version"),
            domain: info_get(self, "domain"),
            hostname: info_get(self, "hostname"),
        }
    }

    pub(crate) fn to_sdk(&self) -> SdkInfo {
        SdkInfo {
            app_id: info_get(self, "app_id"),
            app_version: info_get(self, "app_version"),
            branch: info_get(self, "branch"),
            revision: info_get(self, "revision"),
            sdk_type: info_get(self, "type"),
            version: info_get(self, "version"),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct SessionRecord {
    pub(crate) id: String,
    pub(crate) identity_id: String,
    pub(crate) method: String,
    #[serde(default)]
    pub(crate) authenticator_id: Option<String>,
    pub(crate) create_time: i64,
    pub(crate) last_activity_time: i64,
    pub(crate) mfa_required: bool,
    pub(crate) mfa_complete: bool,
    #[serde(default)]
    pub(crate) password_change_required: bool,
    #[serde(default)]
    pub(crate) env_info: Option<InfoRecord>,
    #[serde(default)]
    pub(crate) sdk_info: Option<InfoRecord>,
    #[serde(default)]
    pub(crate) config_types: Vec<String>,
}

impl SessionRecord {
    /// When the session ends unless used again.
    pub(crate) fn expires_at(&self, idle: i64, max_life: i64) -> i64 {
        self.last_activity_time
            .saturating_add(idle)
            .min(self.create_time.saturating_add(max_life))
    }

    pub(crate) fn to_public(&self, idle: i64, max_life: i64) -> ApiSession {
        ApiSession {
            id: self.id.clone(),
            identity_id: self.identity_id.clone(),
            auth_method: self.method.clone(),
            authenticator_id: self.authenticator_id.clone(),
            create_time: UnixTime(self.create_time),
            last_activity_time: UnixTime(self.last_activity_time),
            expires_at: UnixTime(self.expires_at(idle, max_life)),
            mfa_required: self.mfa_required,
            mfa_complete: self.mfa_complete,
            password_change_required: self.password_change_required,
            env_info: self.env_info.as_ref().map(InfoRecord::to_env),
            sdk_info: self.sdk_info.as_ref().map(InfoRecord::to_sdk),
            config_types: self.config_types.clone(),
        }
    }
}

/// Consecutive failures of one factor of one identity.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, Default)]
pub(crate) struct LockoutRecord {
    pub(crate) failures: u32,
    #[serde(default)]
    pub(crate) locked_until: Option<i64>,
}

#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn fuzz_decode(data: &[u8]) {
    use crate::codec::decode;
    if let Ok(r) = decode::<IdentityRecord>(data, "identity") {
        let _ = r.to_public();
    }
    if let Ok(r) = decode::<AuthenticatorRecord>(data, "authenticator") {
        let _ = r.to_public();
    }
    if let Ok(r) = decode::<SignerRecord>(data, "signer") {
        let _ = r.to_public();
    }
    if let Ok(r) = decode::<SessionRecord>(data, "session") {
        let _ = r.to_public(1800, 86_400);
    }
    let _ = decode::<LockoutRecord>(data, "lockout");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec;
    use crate::identities::TagValue;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    /// Pins the layouts written by release 0.1: if one of these fails,
    /// records written earlier may no longer load.
    #[test]
    fn record_layouts_are_stable() {
        let mut tags = Tags::new();
        tags.insert("a".into(), TagValue::Bool(true));
        tags.insert("b".into(), TagValue::Null);
        let identity = IdentityRecord {
            id: "i".into(),
            name: "n".into(),
            tags: tags.clone(),
            create_time: 1,
            update_time: 2,
            authenticators: vec!["a".into()],
        };
        let bytes = codec::encode(&identity).expect("encode");
        assert_eq!(hex(&bytes), KAT_IDENTITY);
        assert_eq!(
            codec::decode::<IdentityRecord>(&bytes, "i").expect("decode"),
            identity
        );

        let auth = AuthenticatorRecord {
            id: "a".into(),
            identity_id: "i".into(),
            method: "updb".into(),
            username: Some("user".into()),
            password_hash: Some("$argon2id$".into()),
            password_change_required: false,
            cert_fingerprint: None,
            cert_pending_fingerprint: None,
            tags: Tags::new(),
            create_time: 1,
            update_time: 1,
        };
        let bytes = codec::encode(&auth).expect("encode");
        assert_eq!(
            codec::decode::<AuthenticatorRecord>(&bytes, "a").expect("decode"),
            auth
        );
        assert_eq!(hex(&bytes), KAT_AUTHENTICATOR);

        let session = SessionRecord {
            id: "s".into(),
            identity_id: "i".into(),
            method: "password".into(),
            authenticator_id: Some("a".into()),
            create_time: 10,
            last_activity_time: 20,
            mfa_required: true,
            mfa_complete: false,
            password_change_required: false,
            env_info: Some(InfoRecord::from_env(&EnvInfo {
                os: Some("linux".into()),
                ..EnvInfo::default()
            })),
            sdk_info: None,
            config_types: vec!["c".into()],
        };
        let bytes = codec::encode(&session).expect("encode");
        assert_eq!(
            codec::decode::<SessionRecord>(&bytes, "s").expect("decode"),
            session
        );
        assert_eq!(hex(&bytes), KAT_SESSION);

        let lock = LockoutRecord {
            failures: 3,
            locked_until: Some(99),
        };
        let bytes = codec::encode(&lock).expect("encode");
        assert_eq!(hex(&bytes), KAT_LOCKOUT);
    }

    #[test]
    fn expiry_is_the_earlier_of_idle_and_absolute() {
        let s = SessionRecord {
            id: "s".into(),
            identity_id: "i".into(),
            method: "password".into(),
            authenticator_id: None,
            create_time: 0,
            last_activity_time: 100,
            mfa_required: false,
            mfa_complete: false,
            password_change_required: false,
            env_info: None,
            sdk_info: None,
            config_types: vec![],
        };
        assert_eq!(s.expires_at(60, 1000), 160);
        assert_eq!(s.expires_at(60, 120), 120);
    }

    const KAT_IDENTITY: &str = concat!(
        "01a66269646169646e616d65616e6474616773a26161f56162f66b6372656174655f74696d65016b",
        "7570646174655f74696d65026e61757468656e74696361746f7273816161",
    );
    const KAT_LOCKOUT: &str = "01a2686661696c75726573036c6c6f636b65645f756e74696c1863";
    const KAT_AUTHENTICATOR: &str = concat!(
        "01ab62696461616b6964656e746974795f69646169666d6574686f64647570646268757365726e61",
        "6d6564757365726d70617373776f72645f686173686a246172676f6e32696424781870617373776f",
        "72645f6368616e67655f7265717569726564f470636572745f66696e6765727072696e74f6781863",
        "6572745f70656e64696e675f66696e6765727072696e74f66474616773a06b6372656174655f7469",
        "6d65016b7570646174655f74696d6501",
    );
    const KAT_SESSION: &str = concat!(
        "01ac62696461736b6964656e746974795f69646169666d6574686f646870617373776f7264706175",
        "7468656e74696361746f725f696461616b6372656174655f74696d650a726c6173745f6163746976",
        "6974795f74696d65146c6d66615f7265717569726564f56c6d66615f636f6d706c657465f4781870",
        "617373776f72645f6368616e67655f7265717569726564f468656e765f696e666fa1666669656c64",
        "738182626f73656c696e75786873646b5f696e666ff66c636f6e6669675f7479706573816163",
    );
}
