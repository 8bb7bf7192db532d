//! The persisted MFA enrollment (format byte + CBOR map; see
//! `crate::codec`). The TOTP secret and, when viewable, the recovery codes
//! are envelope-encrypted; the recovery codes are otherwise kept only as
//! keyed digests.

use serde::{Deserialize, Serialize};

use super::TotpAlgorithm;
use crate::codec::bytes::ByteBuf;
use crate::error::{Error, Result};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct MfaRecord {
    /// Random per enrollment; binds the sealed values (a re-enrollment never
    /// opens the old ones).
    pub(crate) enrollment_id: String,
    pub(crate) identity_id: String,
    pub(crate) verified: bool,
    pub(crate) algorithm: String,
    pub(crate) digits: u32,
    pub(crate) period: u32,
    /// Envelope-sealed TOTP secret.
    pub(crate) secret: ByteBuf,
    /// The last accepted time step (replay protection).
    #[serde(default)]
    pub(crate) last_step: Option<i64>,
    /// Steps between the last accepted code and the clock (RFC 6238 §6).
    #[serde(default)]
    pub(crate) drift: i64,
    /// HMAC digests of the unused recovery codes.
    #[serde(default)]
    pub(crate) recovery_digests: Vec<ByteBuf>,
    /// Envelope-sealed recovery codes (only when the policy keeps them
    /// viewable).
    #[serde(default)]
    pub(crate) recovery_sealed: Option<ByteBuf>,
    /// Bumped on each regeneration; binds `recovery_sealed`.
    #[serde(default)]
    pub(crate) recovery_generation: u64,
    pub(crate) create_time: i64,
    pub(crate) update_time: i64,
}

impl MfaRecord {
    pub(crate) fn algorithm(&self) -> Result<TotpAlgorithm> {
        TotpAlgorithm::parse(&self.algorithm).ok_or_else(|| Error::corrupt("mfa algorithm"))
    }

    /// The logical key that binds the sealed secret.
    pub(crate) fn secret_aad_key(&self) -> Vec<u8> {
        format!("mfa-secret/{}", self.enrollment_id).into_bytes()
    }

    /// The logical key that binds the sealed recovery codes.
    pub(crate) fn recovery_aad_key(&self) -> Vec<u8> {
        format!("mfa-recovery/{}", self.enrollment_id).into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec;

    /// Pins the layout written by release 0.1.
    #[test]
    fn mfa_record_layout_is_stable() {
        let rec = MfaRecord {
            enrollment_id: "e".into(),
            identity_id: "i".into(),
            verified: true,
            algorithm: "SHA1".into(),
            digits: 6,
            period: 30,
            secret: ByteBuf(vec![1, 2]),
            last_step: Some(5),
            drift: -1,
            recovery_digests: vec![ByteBuf(vec![9])],
            recovery_sealed: None,
            recovery_generation: 1,
            create_time: 1,
            update_time: 2,
        };
        let bytes = codec::encode(&rec).expect("encode");
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, KAT_MFA_RECORD);
        assert_eq!(
            codec::decode::<MfaRecord>(&bytes, "mfa").expect("decode"),
            rec
        );
        assert_eq!(rec.algorithm().expect("alg"), TotpAlgorithm::Sha1);
    }

    const KAT_MFA_RECORD: &str = concat!(
        "01ae6d656e726f6c6c6d656e745f696461656b6964656e746974795f696461696876657269666965",
        "64f569616c676f726974686d6453484131666469676974730666706572696f64181e667365637265",
        "74420102696c6173745f737465700565647269667420707265636f766572795f6469676573747381",
        "41096f7265636f766572795f7365616c6564f6737265636f766572795f67656e65726174696f6e01",
        "6b6372656174655f74696d65016b7570646174655f74696d6502",
    );
}
