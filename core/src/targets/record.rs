//! The persisted target record (format byte + CBOR map; see `crate::codec`).
//! Signing keys are envelope-encrypted inside it. Field names are the
//! on-disk layout; a known-answer test pins them.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{EncryptionKeyInfo, PayloadType, SignatureScheme, SigningKeyInfo, Target, TargetType};
use crate::codec::bytes::ByteBuf;
use crate::error::{Error, Result};
use crate::jose::{Curve, PublicKey, jwe};
use crate::services::UnixTime;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct TargetRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) endpoint: String,
    pub(crate) timeout_ms: u64,
    pub(crate) target_type: String,
    pub(crate) interrupt_on_error: bool,
    pub(crate) payload_type: String,
    pub(crate) scheme: String,
    pub(crate) signature_header: String,
    pub(crate) signing_keys: Vec<SigningKeyRecord>,
    /// The number the next signing key gets.
    pub(crate) next_key: u64,
    #[serde(default)]
    pub(crate) encryption_keys: Vec<EncryptionKeyRecord>,
    pub(crate) create_time: i64,
    pub(crate) change_date: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct SigningKeyRecord {
    pub(crate) n: u64,
    /// The 32-byte key, sealed by `crate::envelope`.
    pub(crate) sealed: ByteBuf,
    pub(crate) created: i64,
    #[serde(default)]
    pub(crate) expires: Option<i64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct EncryptionKeyRecord {
    pub(crate) fingerprint: String,
    /// DER SubjectPublicKeyInfo.
    pub(crate) spki: ByteBuf,
    pub(crate) created: i64,
    #[serde(default)]
    pub(crate) expires: Option<i64>,
    pub(crate) active: bool,
}

impl SigningKeyRecord {
    pub(crate) fn live(&self, now: UnixTime) -> bool {
        self.expires.is_none_or(|e| e > now.secs())
    }
}

impl EncryptionKeyRecord {
    pub(crate) fn public_key(&self) -> Result<PublicKey> {
        PublicKey::from_spki_der(&self.spki.0).map_err(|_| Error::corrupt("target encryption key"))
    }

    pub(crate) fn usable(&self, now: UnixTime) -> bool {
        self.expires.is_none_or(|e| e > now.secs())
    }

    pub(crate) fn info(&self) -> Result<EncryptionKeyInfo> {
        let key = self.public_key()?;
        let kind = match &key {
            PublicKey::Rsa { .. } => format!("RSA-{}", key.rsa_bits()),
            PublicKey::Ec {
                curve: Curve::P256, ..
            } => "EC-P256".into(),
            PublicKey::Ec {
                curve: Curve::P384, ..
            } => "EC-P384".into(),
            _ => return Err(Error::corrupt("target encryption key")),
        };
        Ok(EncryptionKeyInfo {
            fingerprint: self.fingerprint.clone(),
            kind,
            algorithm: jwe::algorithm_for(&key)
                .map_err(|_| Error::corrupt("target encryption key"))?
                .as_str(),
            create_time: UnixTime(self.created),
            expire_time: self.expires.map(UnixTime),
            active: self.active,
        })
    }
}

impl TargetRecord {
    pub(crate) fn target_type(&self) -> Result<TargetType> {
        TargetType::from_parts(&self.target_type, self.interrupt_on_error)
            .ok_or_else(|| Error::corrupt("target type"))
    }

    pub(crate) fn payload_type(&self) -> Result<PayloadType> {
        PayloadType::parse(&self.payload_type).ok_or_else(|| Error::corrupt("target payload type"))
    }

    pub(crate) fn scheme(&self) -> Result<SignatureScheme> {
        SignatureScheme::parse(&self.scheme).ok_or_else(|| Error::corrupt("target scheme"))
    }

    /// The metadata; signing keys that expired before `now` are left out.
    pub(crate) fn to_target(&self, now: UnixTime) -> Result<Target> {
        Ok(Target {
            id: self.id.clone(),
            name: self.name.clone(),
            endpoint: self.endpoint.clone(),
            timeout: Duration::from_millis(self.timeout_ms),
            target_type: self.target_type()?,
            payload_type: self.payload_type()?,
            scheme: self.scheme()?,
            signature_header: self.signature_header.clone(),
            signing_keys: self
                .signing_keys
                .iter()
                .filter(|k| k.live(now))
                .map(|k| SigningKeyInfo {
                    number: k.n,
                    create_time: UnixTime(k.created),
                    expire_time: k.expires.map(UnixTime),
                })
                .collect(),
            encryption_keys: self
                .encryption_keys
                .iter()
                .map(EncryptionKeyRecord::info)
                .collect::<Result<_>>()?,
            create_time: UnixTime(self.create_time),
            change_date: UnixTime(self.change_date),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec;

    /// Pins the on-disk layout of a target record of release 0.1.
    #[test]
    fn target_record_layout_is_stable() {
        let rec = TargetRecord {
            id: "t".into(),
            name: "n".into(),
            endpoint: "https://a".into(),
            timeout_ms: 1000,
            target_type: "REST_ASYNC".into(),
            interrupt_on_error: false,
            payload_type: "JSON".into(),
            scheme: "ZITADEL".into(),
            signature_header: "H".into(),
            signing_keys: vec![SigningKeyRecord {
                n: 1,
                sealed: ByteBuf(vec![0xaa]),
                created: 1,
                expires: None,
            }],
            next_key: 2,
            encryption_keys: vec![],
            create_time: 1,
            change_date: 2,
        };
        let bytes = codec::encode(&rec).expect("encode");
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, KAT_TARGET_RECORD_V1);
        let back: TargetRecord = codec::decode(&bytes, "target").expect("decode");
        assert_eq!(back, rec);
        let t = back.to_target(UnixTime(5)).expect("valid");
        assert_eq!(t.target_type, TargetType::RestAsync);
        assert_eq!(t.timeout, Duration::from_secs(1));
    }

    #[test]
    fn corrupt_enumerations_are_reported() {
        let mut rec: TargetRecord =
            codec::decode(&hex_bytes(KAT_TARGET_RECORD_V1), "target").expect("decode");
        rec.payload_type = "XML".into();
        assert_eq!(
            rec.to_target(UnixTime(0)).expect_err("bad").code(),
            crate::ErrorCode::StoreCorrupt
        );
    }

    fn hex_bytes(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect()
    }

    const KAT_TARGET_RECORD_V1: &str = concat!(
        "01ae6269646174646e616d65616e68656e64706f696e746968747470733a2f2f616a74696d656f75",
        "745f6d731903e86b7461726765745f747970656a524553545f4153594e4372696e74657272757074",
        "5f6f6e5f6572726f72f46c7061796c6f61645f74797065644a534f4e66736368656d65675a495441",
        "44454c707369676e61747572655f68656164657261486c7369676e696e675f6b65797381a4616e01",
        "667365616c656441aa6763726561746564016765787069726573f6686e6578745f6b6579026f656e",
        "6372797074696f6e5f6b657973806b6372656174655f74696d65016b6368616e67655f6461746502",
    );
}
