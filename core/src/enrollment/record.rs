//! Persisted records of the enrollment domain (format byte + CBOR map; see
//! `crate::codec`).

use serde::{Deserialize, Serialize};

use super::{EnrollmentInfo, EnrollmentMethod, EnrollmentState, ExternalCa, IssuedKind};
use crate::codec::bytes::ByteBuf;
use crate::error::{Error, Result};
use crate::services::UnixTime;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct EnrollmentRecord {
    pub(crate) id: String,
    pub(crate) identity_id: String,
    /// `ott`, `ottca`, `updb`, `erott`.
    pub(crate) method: String,
    /// Lower-case hex SHA-256 of the current token.
    pub(crate) token_digest: String,
    #[serde(default)]
    pub(crate) ca_id: Option<String>,
    #[serde(default)]
    pub(crate) username: Option<String>,
    #[serde(default)]
    pub(crate) dns_names: Vec<String>,
    #[serde(default)]
    pub(crate) ip_addresses: Vec<String>,
    pub(crate) create_time: i64,
    pub(crate) expires_at: i64,
    #[serde(default)]
    pub(crate) used_at: Option<i64>,
    #[serde(default)]
    pub(crate) authenticator_id: Option<String>,
}

impl EnrollmentRecord {
    pub(crate) fn method(&self) -> Result<EnrollmentMethod> {
        EnrollmentMethod::parse(&self.method).ok_or(Error::corrupt("enrollment method"))
    }

    pub(crate) fn state(&self, now: i64) -> EnrollmentState {
        if self.used_at.is_some() {
            EnrollmentState::Used
        } else if now >= self.expires_at {
            EnrollmentState::Expired
        } else {
            EnrollmentState::Pending
        }
    }

    pub(crate) fn to_public(&self, now: i64) -> Result<EnrollmentInfo> {
        Ok(EnrollmentInfo {
            id: self.id.clone(),
            identity_id: self.identity_id.clone(),
            method: self.method()?,
            ca_id: self.ca_id.clone(),
            username: self.username.clone(),
            dns_names: self.dns_names.clone(),
            ip_addresses: self
                .ip_addresses
                .iter()
                .map(|s| s.parse().map_err(|_| Error::corrupt("enrollment ip")))
                .collect::<Result<_>>()?,
            state: self.state(now),
            create_time: UnixTime(self.create_time),
            expires_at: UnixTime(self.expires_at),
            used_at: self.used_at.map(UnixTime),
            authenticator_id: self.authenticator_id.clone(),
        })
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct CaRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) cert_der: ByteBuf,
    pub(crate) fingerprint: String,
    pub(crate) verified: bool,
    pub(crate) verification_token: String,
    pub(crate) auto_enrollment: bool,
    pub(crate) ott_ca_enrollment: bool,
    pub(crate) auth_enabled: bool,
    pub(crate) identity_name_format: String,
    pub(crate) create_time: i64,
    pub(crate) update_time: i64,
}

impl CaRecord {
    pub(crate) fn to_public(&self) -> ExternalCa {
        ExternalCa {
            id: self.id.clone(),
            name: self.name.clone(),
            certificate_pem: pem_encode("CERTIFICATE", &self.cert_der.0),
            fingerprint: self.fingerprint.clone(),
            verified: self.verified,
            verification_token: (!self.verified).then(|| self.verification_token.clone()),
            auto_enrollment: self.auto_enrollment,
            ott_ca_enrollment: self.ott_ca_enrollment,
            auth_enabled: self.auth_enabled,
            identity_name_format: self.identity_name_format.clone(),
            create_time: UnixTime(self.create_time),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct IssuedRecord {
    pub(crate) fingerprint: String,
    pub(crate) identity_id: String,
    /// `client`, `router-client`, `router-server`, `session`.
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) authenticator_id: Option<String>,
    /// The API session's store key (hex), for session certificates.
    #[serde(default)]
    pub(crate) session_key: Option<String>,
    #[serde(default)]
    pub(crate) session_id: Option<String>,
    pub(crate) serial: String,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
    pub(crate) der: ByteBuf,
    /// The chain after the leaf (PEM).
    #[serde(default)]
    pub(crate) chain_pem: String,
    /// SHA-256 of the SubjectPublicKeyInfo (hex).
    pub(crate) spki_sha256: String,
    pub(crate) create_time: i64,
}

impl IssuedRecord {
    pub(crate) fn kind(&self) -> Result<IssuedKind> {
        IssuedKind::parse(&self.kind).ok_or(Error::corrupt("issued certificate kind"))
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, Default)]
pub(crate) struct CertAuthStateRecord {
    #[serde(default)]
    pub(crate) request_extend: bool,
    #[serde(default)]
    pub(crate) request_key_roll: bool,
    #[serde(default)]
    pub(crate) last_extend_time: Option<i64>,
    #[serde(default)]
    pub(crate) last_extend_key_changed: Option<bool>,
    /// A router's current server certificate.
    #[serde(default)]
    pub(crate) router_server_fingerprint: Option<String>,
    #[serde(default)]
    pub(crate) router_dns_names: Vec<String>,
    #[serde(default)]
    pub(crate) router_ip_addresses: Vec<String>,
}

/// PEM text of one DER object.
pub(crate) fn pem_encode(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn fuzz_decode(data: &[u8]) {
    use crate::codec::decode;
    if let Ok(r) = decode::<EnrollmentRecord>(data, "enrollment") {
        let _ = r.to_public(0);
    }
    if let Ok(r) = decode::<CaRecord>(data, "ca") {
        let _ = r.to_public();
    }
    if let Ok(r) = decode::<IssuedRecord>(data, "issued") {
        let _ = r.kind();
    }
    let _ = decode::<CertAuthStateRecord>(data, "cert auth state");
}
