//! The persisted secret record (format byte + CBOR map; see `crate::codec`).
//!
//! Field names are the on-disk layout; a known-answer test pins them.

use serde::{Deserialize, Serialize};

use super::{Label, SecretMetadata, SecretState, VersionInfo};
use crate::codec::bytes::ByteBuf;
use crate::error::{Error, Result};
use crate::kms::KeyId;
use crate::services::UnixTime;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct SecretRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) kms_key_id: String,
    pub(crate) state: String,
    /// The state to return to from FROZEN or PENDING_DELETE.
    #[serde(default)]
    pub(crate) prior_state: Option<String>,
    pub(crate) create_time: i64,
    pub(crate) update_time: i64,
    #[serde(default)]
    pub(crate) scheduled_delete_time: Option<i64>,
    /// The number the next version gets.
    pub(crate) next_version: u64,
    pub(crate) versions: Vec<VersionMeta>,
    #[serde(default)]
    pub(crate) idempotency: Vec<IdempotencyEntry>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct VersionMeta {
    pub(crate) n: u64,
    pub(crate) labels: Vec<String>,
    pub(crate) kms_key_id: String,
    pub(crate) kms_key_version: u32,
    pub(crate) create_time: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct IdempotencyEntry {
    pub(crate) token: String,
    pub(crate) version: u64,
    /// HMAC of the value under the tenant's idempotency key.
    pub(crate) value_mac: ByteBuf,
}

impl SecretRecord {
    pub(crate) fn state(&self) -> Result<SecretState> {
        SecretState::from_str_opt(&self.state).ok_or_else(|| Error::corrupt("secret state"))
    }

    pub(crate) fn prior(&self) -> Result<SecretState> {
        match &self.prior_state {
            Some(s) => SecretState::from_str_opt(s).ok_or_else(|| Error::corrupt("secret state")),
            None => Ok(SecretState::Enabled),
        }
    }

    pub(crate) fn version_with(&self, label: Label) -> Option<&VersionMeta> {
        self.versions
            .iter()
            .find(|v| v.labels.iter().any(|l| l == label.as_str()))
    }

    pub(crate) fn version(&self, n: u64) -> Option<&VersionMeta> {
        self.versions.iter().find(|v| v.n == n)
    }

    /// Removes `label` from every version.
    pub(crate) fn clear_label(&mut self, label: Label) {
        for v in &mut self.versions {
            v.labels.retain(|l| l != label.as_str());
        }
    }

    /// Adds `label` to version `n` (after clearing it elsewhere).
    pub(crate) fn set_label(&mut self, n: u64, label: Label) {
        self.clear_label(label);
        if let Some(v) = self.versions.iter_mut().find(|v| v.n == n) {
            v.labels.push(label.as_str().to_owned());
            v.labels.sort();
        }
    }

    pub(crate) fn to_metadata(&self) -> Result<SecretMetadata> {
        let versions = self
            .versions
            .iter()
            .map(|v| {
                let mut labels = v
                    .labels
                    .iter()
                    .map(|l| Label::parse(l).ok_or_else(|| Error::corrupt("secret label")))
                    .collect::<Result<Vec<_>>>()?;
                labels.sort();
                Ok(VersionInfo {
                    number: v.n,
                    labels,
                    kms_key_id: KeyId::new(v.kms_key_id.clone())
                        .map_err(|_| Error::corrupt("secret version key id"))?,
                    kms_key_version: v.kms_key_version,
                    create_time: UnixTime(v.create_time),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(SecretMetadata {
            id: self.id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            kms_key_id: KeyId::new(self.kms_key_id.clone())
                .map_err(|_| Error::corrupt("secret key id"))?,
            state: self.state()?,
            create_time: UnixTime(self.create_time),
            update_time: UnixTime(self.update_time),
            scheduled_delete_time: self.scheduled_delete_time.map(UnixTime),
            versions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec;

    /// Pins the on-disk layout of a secret record written by release 0.1.
    /// If this fails, records written by earlier releases may no longer load.
    #[test]
    fn secret_record_layout_is_stable() {
        let rec = SecretRecord {
            id: "00000000-0000-4000-8000-000000000000".into(),
            name: "db".into(),
            description: "d".into(),
            kms_key_id: "default".into(),
            state: "ENABLED".into(),
            prior_state: None,
            create_time: 1,
            update_time: 2,
            scheduled_delete_time: None,
            next_version: 2,
            versions: vec![VersionMeta {
                n: 1,
                labels: vec!["CURRENT".into()],
                kms_key_id: "default".into(),
                kms_key_version: 1,
                create_time: 1,
            }],
            idempotency: vec![],
        };
        let bytes = codec::encode(&rec).expect("encode");
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, KAT_SECRET_RECORD_V1);
        let back: SecretRecord = codec::decode(&bytes, "secret").expect("decode");
        assert_eq!(back, rec);
    }

    /// A record as release 0.1 wrote it (before any optional field existed
    /// the decoder must still accept records that lack them).
    #[test]
    fn record_without_optional_fields_loads() {
        // Same as the KAT, with `prior_state`, `scheduled_delete_time` and
        // `idempotency` removed from the map by re-encoding a JSON-like map.
        let v: ciborium::Value = ciborium::Value::Map(vec![
            (text("id"), text("x")),
            (text("name"), text("n")),
            (text("description"), text("")),
            (text("kms_key_id"), text("default")),
            (text("state"), text("DISABLED")),
            (text("create_time"), ciborium::Value::Integer(5.into())),
            (text("update_time"), ciborium::Value::Integer(6.into())),
            (text("next_version"), ciborium::Value::Integer(1.into())),
            (text("versions"), ciborium::Value::Array(vec![])),
        ]);
        let mut bytes = vec![codec::FORMAT_CBOR_V1];
        ciborium::into_writer(&v, &mut bytes).expect("encode");
        let rec: SecretRecord = codec::decode(&bytes, "secret").expect("decode");
        assert_eq!(rec.state().expect("state"), SecretState::Disabled);
        assert!(rec.idempotency.is_empty());
        assert_eq!(rec.prior_state, None);
    }

    fn text(s: &str) -> ciborium::Value {
        ciborium::Value::Text(s.into())
    }

    const KAT_SECRET_RECORD_V1: &str = concat!(
        "01ac626964782430303030303030302d303030302d343030302d383030302d303030303030303030",
        "303030646e616d656264626b6465736372697074696f6e61646a6b6d735f6b65795f696467646566",
        "61756c7465737461746567454e41424c45446b7072696f725f7374617465f66b6372656174655f74",
        "696d65016b7570646174655f74696d6502757363686564756c65645f64656c6574655f74696d65f6",
        "6c6e6578745f76657273696f6e026876657273696f6e7381a5616e01666c6162656c738167435552",
        "52454e546a6b6d735f6b65795f69646764656661756c746f6b6d735f6b65795f76657273696f6e01",
        "6b6372656174655f74696d65016b6964656d706f74656e637980",
    );
}
