//! Plain result and argument types: strings, numbers, bytes, options and
//! vectors only. Engine enums appear as their stable spellings
//! (`"ENABLED"`, `"CURRENT"`, `"aes256gcm"`, …); times are seconds since the
//! Unix epoch.

use zeroize::Zeroizing;

use credcycle::audit::{AuditEvent, AuditTrail};
use credcycle::secrets::{RewrapReport, SecretMetadata, VersionInfo};

/// Information about a KMS key (never its material).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    /// The key id.
    pub id: String,
    /// `wrap` or `sign`.
    pub purpose: String,
    /// `aes256gcm`, `p256` or `ed25519`.
    pub algorithm: String,
    /// The version new wraps and signatures use (from 1).
    pub primary_version: u32,
    /// How many versions exist.
    pub versions: u32,
    /// `ENABLED`, `DISABLED` or `PENDING_DELETION`.
    pub state: String,
}

impl From<credcycle::KeyInfo> for KeyInfo {
    fn from(k: credcycle::KeyInfo) -> Self {
        KeyInfo {
            id: k.id.as_str().to_owned(),
            purpose: k.purpose.as_str().to_owned(),
            algorithm: k.algorithm.as_str().to_owned(),
            primary_version: k.primary_version,
            versions: k.versions,
            state: k.state.as_str().to_owned(),
        }
    }
}

/// One version of a secret (never its value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretVersion {
    /// The version number (`v3` is 3).
    pub number: u64,
    /// `v<number>`.
    pub id: String,
    /// Its labels: `CURRENT`, `PREVIOUS`, `PENDING`.
    pub labels: Vec<String>,
    /// The key that wraps its data key.
    pub kms_key_id: String,
    /// The version of that key.
    pub kms_key_version: u32,
    /// When it was written.
    pub create_time: i64,
}

impl From<VersionInfo> for SecretVersion {
    fn from(v: VersionInfo) -> Self {
        SecretVersion {
            number: v.number,
            id: v.id(),
            labels: v.labels.iter().map(|l| l.as_str().to_owned()).collect(),
            kms_key_id: v.kms_key_id.as_str().to_owned(),
            kms_key_version: v.kms_key_version,
            create_time: v.create_time.secs(),
        }
    }
}

/// A secret's metadata and versions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretInfo {
    /// UUID.
    pub id: String,
    /// Unique name within the tenant.
    pub name: String,
    /// Description (may be empty).
    pub description: String,
    /// The key that wraps versions written from now on.
    pub kms_key_id: String,
    /// `ENABLED`, `DISABLED`, `FROZEN` or `PENDING_DELETE`.
    pub state: String,
    /// Creation time.
    pub create_time: i64,
    /// Last change.
    pub update_time: i64,
    /// When a `PENDING_DELETE` secret becomes purgeable.
    pub scheduled_delete_time: Option<i64>,
    /// Versions, oldest first.
    pub versions: Vec<SecretVersion>,
}

impl From<SecretMetadata> for SecretInfo {
    fn from(m: SecretMetadata) -> Self {
        SecretInfo {
            id: m.id,
            name: m.name,
            description: m.description,
            kms_key_id: m.kms_key_id.as_str().to_owned(),
            state: m.state.as_str().to_owned(),
            create_time: m.create_time.secs(),
            update_time: m.update_time.secs(),
            scheduled_delete_time: m.scheduled_delete_time.map(|t| t.secs()),
            versions: m.versions.into_iter().map(SecretVersion::from).collect(),
        }
    }
}

/// A secret value. The bytes are zeroized when this is dropped: bindings
/// copy them out and drop it.
#[derive(Debug)]
pub struct SecretValue {
    /// The version read.
    pub version: u64,
    /// The value.
    pub value: Zeroizing<Vec<u8>>,
}

/// The value of a new secret version.
#[derive(Debug)]
pub enum SecretInput {
    /// These bytes.
    Bytes(Zeroizing<Vec<u8>>),
    /// This many random bytes from the engine's generator (1..=4096).
    Generate(u32),
}

impl SecretInput {
    /// The engine's form.
    pub(crate) fn into_new_value(self) -> credcycle::secrets::NewValue {
        match self {
            SecretInput::Bytes(b) => {
                credcycle::secrets::NewValue::Bytes(credcycle::SecretBytes::from_slice(&b))
            }
            SecretInput::Generate(n) => credcycle::secrets::NewValue::Generate(n as usize),
        }
    }
}

/// What a rewrap did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct RewrapResult {
    /// Versions whose data key was re-wrapped.
    pub rewrapped: u32,
    /// Versions already under the target key's primary version.
    pub unchanged: u32,
}

impl From<RewrapReport> for RewrapResult {
    fn from(r: RewrapReport) -> Self {
        RewrapResult {
            rewrapped: r.rewrapped,
            unchanged: r.unchanged,
        }
    }
}

/// One audit event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEventInfo {
    /// Position in the subject's chain, from 1.
    pub seq: u64,
    /// When it happened.
    pub time: i64,
    /// Who did it.
    pub actor: String,
    /// What was done (`secret.create`, …).
    pub action: String,
    /// The record it concerns (`secret:<name>`).
    pub subject: String,
    /// `ok`, or what was refused.
    pub outcome: String,
}

impl From<AuditEvent> for AuditEventInfo {
    fn from(e: AuditEvent) -> Self {
        AuditEventInfo {
            seq: e.seq,
            time: e.time.secs(),
            actor: e.actor,
            action: e.action,
            subject: e.subject,
            outcome: e.outcome,
        }
    }
}

/// The events of one subject and whether their HMAC chain verifies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditTrailInfo {
    /// Events, oldest first.
    pub events: Vec<AuditEventInfo>,
    /// Whether every MAC verifies and no event is missing.
    pub chain_valid: bool,
}

impl From<AuditTrail> for AuditTrailInfo {
    fn from(t: AuditTrail) -> Self {
        AuditTrailInfo {
            events: t.events.into_iter().map(AuditEventInfo::from).collect(),
            chain_valid: t.chain_valid,
        }
    }
}
