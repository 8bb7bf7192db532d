//! Secrets: versioned values under KMS keys (SEMANTICS.md §A, seed
//! "Update Secret").
//!
//! A secret belongs to a tenant and has a unique name, a description, the
//! KMS key that wraps its new versions, a state, times, and versions `v1`,
//! `v2`, … Each version's value is envelope-encrypted under the key the
//! secret named **when the version was written**, so changing `kms_key_id`
//! affects only later versions; older ones keep decrypting with their key
//! until [`Secrets::rewrap`] moves them.
//!
//! Labels: `CURRENT` (what reads return by default), `PREVIOUS` (the version
//! `CURRENT` replaced) and `PENDING` (a two-phase rotation in progress).
//!
//! States and what they allow:
//!
//! | state | metadata reads | value reads | changes | leaves by |
//! |---|---|---|---|---|
//! | `ENABLED` | yes | yes | yes | `disable`, `freeze`, `schedule_delete` |
//! | `DISABLED` | yes | no | yes | `enable`, `freeze`, `schedule_delete` |
//! | `FROZEN` | yes | no | no | `unfreeze` (back to the state before) |
//! | `PENDING_DELETE` | yes | no | no | `restore` (back to the state before), or purge once due |

mod ops;
mod record;

use std::fmt;

pub use ops::Secrets;

use crate::crypto::SecretBytes;
use crate::kms::KeyId;
use crate::services::UnixTime;

/// Maximum secret name length (characters of `[A-Za-z0-9_.-]`).
pub const MAX_NAME_LEN: usize = 64;
/// Maximum description length in bytes of UTF-8.
pub const MAX_DESCRIPTION_BYTES: usize = 2048;
/// Maximum idempotency token length (characters of `[A-Za-z0-9_.-]`).
pub const MAX_IDEMPOTENCY_TOKEN_LEN: usize = 64;
/// Maximum number of random bytes [`NewValue::Generate`] makes.
pub const MAX_GENERATE_BYTES: usize = 4096;

/// The state of a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SecretState {
    /// Readable and changeable.
    Enabled,
    /// Metadata readable; values not; changes allowed.
    Disabled,
    /// Metadata readable; nothing else until unfrozen.
    Frozen,
    /// Scheduled for deletion; metadata readable; only `restore`.
    PendingDelete,
}

impl SecretState {
    /// The seed's spelling: `ENABLED`, `DISABLED`, `FROZEN`, `PENDING_DELETE`.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretState::Enabled => "ENABLED",
            SecretState::Disabled => "DISABLED",
            SecretState::Frozen => "FROZEN",
            SecretState::PendingDelete => "PENDING_DELETE",
        }
    }

    pub(crate) fn from_str_opt(s: &str) -> Option<Self> {
        Some(match s {
            "ENABLED" => SecretState::Enabled,
            "DISABLED" => SecretState::Disabled,
            "FROZEN" => SecretState::Frozen,
            "PENDING_DELETE" => SecretState::PendingDelete,
            _ => return None,
        })
    }
}

impl fmt::Display for SecretState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A staging label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Label {
    /// The version reads return by default.
    Current,
    /// The version `CURRENT` replaced.
    Previous,
    /// The version a two-phase rotation wrote.
    Pending,
}

impl Label {
    /// `CURRENT`, `PREVIOUS` or `PENDING`.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Current => "CURRENT",
            Label::Previous => "PREVIOUS",
            Label::Pending => "PENDING",
        }
    }

    /// Parses the spelling of [`Label::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "CURRENT" => Some(Label::Current),
            "PREVIOUS" => Some(Label::Previous),
            "PENDING" => Some(Label::Pending),
            _ => None,
        }
    }
}

/// Which version to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionSelector {
    /// A version number (`v3` is `Number(3)`).
    Number(u64),
    /// The version holding a label.
    Label(Label),
}

impl VersionSelector {
    /// Parses `v3`, `3`, `CURRENT`, `PREVIOUS` or `PENDING`.
    ///
    /// # Errors
    /// [`crate::Error::InvalidInput`] naming `version`.
    pub fn parse(s: &str) -> crate::Result<Self> {
        if let Some(l) = Label::parse(s) {
            return Ok(VersionSelector::Label(l));
        }
        let digits = s.strip_prefix('v').unwrap_or(s);
        match digits.parse::<u64>() {
            Ok(n) if n > 0 && !digits.starts_with('+') => Ok(VersionSelector::Number(n)),
            _ => Err(crate::Error::invalid(
                "version",
                "must be vN (N ≥ 1) or one of CURRENT, PREVIOUS, PENDING",
            )),
        }
    }
}

/// A value to store: given bytes, or freshly generated random bytes.
#[derive(Debug)]
pub enum NewValue {
    /// These bytes.
    Bytes(SecretBytes),
    /// This many random bytes from the engine's generator (1..=4096).
    Generate(usize),
}

impl NewValue {
    /// A value from bytes.
    pub fn bytes(v: Vec<u8>) -> Self {
        NewValue::Bytes(SecretBytes::new(v))
    }
}

/// Information about one version (never its value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionInfo {
    /// The version number (`v3` is 3).
    pub number: u64,
    /// Its labels.
    pub labels: Vec<Label>,
    /// The key that wraps its data key.
    pub kms_key_id: KeyId,
    /// The version of that key.
    pub kms_key_version: u32,
    /// When it was written.
    pub create_time: UnixTime,
}

impl VersionInfo {
    /// `v<number>`.
    pub fn id(&self) -> String {
        format!("v{}", self.number)
    }
}

/// A secret's metadata (the seed's `Secret` object, plus its versions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretMetadata {
    /// UUID.
    pub id: String,
    /// Unique name within the tenant.
    pub name: String,
    /// Description (may be empty).
    pub description: String,
    /// Key that wraps versions written from now on.
    pub kms_key_id: KeyId,
    /// State.
    pub state: SecretState,
    /// Creation time.
    pub create_time: UnixTime,
    /// Last change of metadata, state or versions.
    pub update_time: UnixTime,
    /// Set only while `PENDING_DELETE`.
    pub scheduled_delete_time: Option<UnixTime>,
    /// Versions, oldest first.
    pub versions: Vec<VersionInfo>,
}

impl SecretMetadata {
    /// The version holding `label`, if any.
    pub fn version_with(&self, label: Label) -> Option<&VersionInfo> {
        self.versions.iter().find(|v| v.labels.contains(&label))
    }
}

/// A secret value read by [`Secrets::get_value`].
#[derive(Debug)]
pub struct SecretValue {
    /// The version read.
    pub version: u64,
    /// The value.
    pub value: SecretBytes,
}

/// What [`Secrets::create`] takes.
#[derive(Debug)]
pub struct CreateSecret {
    /// Name (1..=64 of `[A-Za-z0-9_.-]`, unique in the tenant).
    pub name: String,
    /// First value (becomes `v1`, `CURRENT`), or none.
    pub value: Option<NewValue>,
    /// Wrap key; the policy's default key when `None`.
    pub kms_key_id: Option<KeyId>,
    /// Description (≤ 2048 bytes).
    pub description: Option<String>,
}

impl CreateSecret {
    /// A request with only a name.
    pub fn new(name: impl Into<String>) -> Self {
        CreateSecret {
            name: name.into(),
            value: None,
            kms_key_id: None,
            description: None,
        }
    }

    /// Sets the first value.
    pub fn value(mut self, value: NewValue) -> Self {
        self.value = Some(value);
        self
    }

    /// Sets the wrap key.
    pub fn kms_key_id(mut self, key: KeyId) -> Self {
        self.kms_key_id = Some(key);
        self
    }

    /// Sets the description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }
}

/// What [`Secrets::update`] takes: metadata only; unset fields are untouched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdateSecret {
    /// New wrap key for versions written from now on.
    pub kms_key_id: Option<KeyId>,
    /// New description (≤ 2048 bytes).
    pub description: Option<String>,
}

/// What [`Secrets::rewrap`] did.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct RewrapReport {
    /// Versions whose data key was re-wrapped.
    pub rewrapped: u32,
    /// Versions already under the target key's primary version.
    pub unchanged: u32,
}

/// Decodes `data` as a secret record (fuzzing entry point; also run by the
/// codec property tests).
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub fn fuzz_decode_record(data: &[u8]) {
    if let Ok(r) = crate::codec::decode::<record::SecretRecord>(data, "secret") {
        let _ = r.to_metadata();
    }
    let _ = record::SecretRecord::decode(data);
    let _ = record::SecretRecord::lookup(data, VersionSelector::Label(Label::Current));
}

#[cfg(test)]
mod tests;
