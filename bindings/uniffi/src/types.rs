//! Records and enums of the bindings: mirrors of the facade's plain types
//! (DESIGN §7: the engine and the facade carry no uniffi derives), with
//! `From` conversions. Engine enums are their stable spellings
//! (`"ENABLED"`, `"aes256gcm"`, …); times are seconds since the Unix epoch;
//! secrets are byte arrays.

use credcycle_facade as facade;

/// Information about a KMS key (never its material).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
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

impl From<facade::KeyInfo> for KeyInfo {
    fn from(k: facade::KeyInfo) -> Self {
        KeyInfo {
            id: k.id,
            purpose: k.purpose,
            algorithm: k.algorithm,
            primary_version: k.primary_version,
            versions: k.versions,
            state: k.state,
        }
    }
}

impl From<KeyInfo> for facade::KeyInfo {
    fn from(k: KeyInfo) -> Self {
        facade::KeyInfo {
            id: k.id,
            purpose: k.purpose,
            algorithm: k.algorithm,
            primary_version: k.primary_version,
            versions: k.versions,
            state: k.state,
        }
    }
}

/// One version of a secret (never its value).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
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

impl From<facade::SecretVersion> for SecretVersion {
    fn from(v: facade::SecretVersion) -> Self {
        SecretVersion {
            number: v.number,
            id: v.id,
            labels: v.labels,
            kms_key_id: v.kms_key_id,
            kms_key_version: v.kms_key_version,
            create_time: v.create_time,
        }
    }
}

/// A secret's metadata and versions.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
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

impl From<facade::SecretInfo> for SecretInfo {
    fn from(m: facade::SecretInfo) -> Self {
        SecretInfo {
            id: m.id,
            name: m.name,
            description: m.description,
            kms_key_id: m.kms_key_id,
            state: m.state,
            create_time: m.create_time,
            update_time: m.update_time,
            scheduled_delete_time: m.scheduled_delete_time,
            versions: m.versions.into_iter().map(SecretVersion::from).collect(),
        }
    }
}

/// A secret value. The bytes cross into the host language as a byte array
/// that the host should overwrite (`fill(0)`) when done.
#[derive(uniffi::Record)]
pub struct SecretValue {
    /// The version read.
    pub version: u64,
    /// The value.
    pub value: Vec<u8>,
}

impl std::fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretValue")
            .field("version", &self.version)
            .field("value", &"<redacted>")
            .finish()
    }
}

impl From<facade::SecretValue> for SecretValue {
    fn from(v: facade::SecretValue) -> Self {
        // The facade's copy is zeroized when `v` drops here.
        SecretValue {
            version: v.version,
            value: v.value.to_vec(),
        }
    }
}

/// The value of a new secret version.
#[derive(uniffi::Enum)]
pub enum SecretInput {
    /// These bytes.
    Bytes {
        /// The value.
        value: Vec<u8>,
    },
    /// This many random bytes from the engine's generator (1..=4096).
    Generate {
        /// The length in bytes.
        length: u32,
    },
}

impl std::fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretInput::Bytes { .. } => f.write_str("Bytes(<redacted>)"),
            SecretInput::Generate { length } => write!(f, "Generate({length})"),
        }
    }
}

impl From<SecretInput> for facade::SecretInput {
    fn from(v: SecretInput) -> Self {
        match v {
            SecretInput::Bytes { value } => facade::SecretInput::Bytes(value.into()),
            SecretInput::Generate { length } => facade::SecretInput::Generate(length),
        }
    }
}

/// Options of `Secrets.create`.
#[derive(Debug, Default, uniffi::Record)]
pub struct CreateSecretOptions {
    /// The first value (becomes `v1`, `CURRENT`).
    #[uniffi(default)]
    pub value: Option<SecretInput>,
    /// The wrap key (default: the policy's default key).
    #[uniffi(default)]
    pub kms_key_id: Option<String>,
    /// Description (at most 2048 bytes).
    #[uniffi(default)]
    pub description: Option<String>,
}

impl From<CreateSecretOptions> for facade::CreateSecretOptions {
    fn from(o: CreateSecretOptions) -> Self {
        facade::CreateSecretOptions {
            value: o.value.map(Into::into),
            kms_key_id: o.kms_key_id,
            description: o.description,
        }
    }
}

/// What a rewrap did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
pub struct RewrapResult {
    /// Versions whose data key was re-wrapped.
    pub rewrapped: u32,
    /// Versions already under the target key's primary version.
    pub unchanged: u32,
}

impl From<facade::RewrapResult> for RewrapResult {
    fn from(r: facade::RewrapResult) -> Self {
        RewrapResult {
            rewrapped: r.rewrapped,
            unchanged: r.unchanged,
        }
    }
}

/// One audit event.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
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

impl From<facade::AuditEventInfo> for AuditEventInfo {
    fn from(e: facade::AuditEventInfo) -> Self {
        AuditEventInfo {
            seq: e.seq,
            time: e.time,
            actor: e.actor,
            action: e.action,
            subject: e.subject,
            outcome: e.outcome,
        }
    }
}

/// The events of one subject and whether their HMAC chain verifies.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct AuditTrailInfo {
    /// Events, oldest first.
    pub events: Vec<AuditEventInfo>,
    /// Whether every MAC verifies and no event is missing.
    pub chain_valid: bool,
}

impl From<facade::AuditTrailInfo> for AuditTrailInfo {
    fn from(t: facade::AuditTrailInfo) -> Self {
        AuditTrailInfo {
            events: t.events.into_iter().map(AuditEventInfo::from).collect(),
            chain_valid: t.chain_valid,
        }
    }
}

/// The outcome of one store conformance scenario.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ConformanceResult {
    /// The scenario's name.
    pub name: String,
    /// Whether it passed.
    pub passed: bool,
    /// Empty on success; the failure otherwise.
    pub message: String,
}

impl From<facade::conformance::ConformanceResult> for ConformanceResult {
    fn from(r: facade::conformance::ConformanceResult) -> Self {
        ConformanceResult {
            name: r.name,
            passed: r.passed,
            message: r.message,
        }
    }
}
