//! Result objects: frozen, with read-only attributes, equality and a
//! `repr` (which never shows secret values).

use credcycle_facade as facade;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// Information about a KMS key (never its material). Python key managers
/// return these too.
#[pyclass(frozen, get_all, eq, module = "credcycle._native", from_py_object)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    /// The key id.
    pub id: String,
    /// `wrap` or `sign`.
    pub purpose: String,
    /// `aes256gcm`, `p256` or `ed25519`.
    pub algorithm: String,
    /// The version new wraps and signatures use.
    pub primary_version: u32,
    /// How many versions exist.
    pub versions: u32,
    /// `ENABLED`, `DISABLED` or `PENDING_DELETION`.
    pub state: String,
}

#[pymethods]
impl KeyInfo {
    #[new]
    #[pyo3(signature = (*, id, purpose, algorithm, primary_version, versions, state))]
    fn new(
        id: String,
        purpose: String,
        algorithm: String,
        primary_version: u32,
        versions: u32,
        state: String,
    ) -> Self {
        KeyInfo {
            id,
            purpose,
            algorithm,
            primary_version,
            versions,
            state,
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "KeyInfo(id={:?}, purpose={:?}, algorithm={:?}, primary_version={}, versions={}, state={:?})",
            self.id, self.purpose, self.algorithm, self.primary_version, self.versions, self.state
        )
    }
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
#[pyclass(frozen, get_all, eq, module = "credcycle._native")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretVersion {
    /// The version number (`v3` is 3).
    pub number: u64,
    /// `v<number>`.
    pub id: String,
    /// `CURRENT`, `PREVIOUS`, `PENDING`.
    pub labels: Vec<String>,
    /// The key that wraps its data key.
    pub kms_key_id: String,
    /// The version of that key.
    pub kms_key_version: u32,
    /// When it was written (seconds since the epoch).
    pub create_time: i64,
}

#[pymethods]
impl SecretVersion {
    fn __repr__(&self) -> String {
        format!(
            "SecretVersion(id={:?}, labels={:?}, kms_key_id={:?}, kms_key_version={}, create_time={})",
            self.id, self.labels, self.kms_key_id, self.kms_key_version, self.create_time
        )
    }
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
#[pyclass(frozen, get_all, eq, module = "credcycle._native")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretInfo {
    /// UUID.
    pub id: String,
    /// The name.
    pub name: String,
    /// The description.
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

#[pymethods]
impl SecretInfo {
    fn __repr__(&self) -> String {
        format!(
            "SecretInfo(name={:?}, state={:?}, kms_key_id={:?}, versions={})",
            self.name,
            self.state,
            self.kms_key_id,
            self.versions.len()
        )
    }
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

/// A secret value: `version` and `value` (bytes). Its `repr` hides the value.
#[pyclass(frozen, module = "credcycle._native")]
pub struct SecretValue {
    version: u64,
    value: Py<PyBytes>,
}

impl SecretValue {
    /// Copies the value into a Python `bytes` (the Rust copy is zeroized when
    /// `v` drops).
    pub fn from_facade(py: Python<'_>, v: facade::SecretValue) -> Self {
        SecretValue {
            version: v.version,
            value: PyBytes::new(py, &v.value).unbind(),
        }
    }
}

#[pymethods]
impl SecretValue {
    /// The version read.
    #[getter]
    fn version(&self) -> u64 {
        self.version
    }

    /// The value.
    #[getter]
    fn value(&self, py: Python<'_>) -> Py<PyBytes> {
        self.value.clone_ref(py)
    }

    fn __repr__(&self) -> String {
        format!("SecretValue(version={}, value=<redacted>)", self.version)
    }
}

/// What a rewrap did.
#[pyclass(frozen, get_all, eq, module = "credcycle._native")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RewrapResult {
    /// Versions whose data key was re-wrapped.
    pub rewrapped: u32,
    /// Versions already under the target key's primary version.
    pub unchanged: u32,
}

#[pymethods]
impl RewrapResult {
    fn __repr__(&self) -> String {
        format!(
            "RewrapResult(rewrapped={}, unchanged={})",
            self.rewrapped, self.unchanged
        )
    }
}

/// One audit event.
#[pyclass(frozen, get_all, eq, module = "credcycle._native")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    /// Position in the chain, from 1.
    pub seq: u64,
    /// When (seconds since the epoch).
    pub time: i64,
    /// Who.
    pub actor: String,
    /// What (`secret.create`, …).
    pub action: String,
    /// The record (`secret:<name>`).
    pub subject: String,
    /// `ok`, or what was refused.
    pub outcome: String,
}

#[pymethods]
impl AuditEvent {
    fn __repr__(&self) -> String {
        format!(
            "AuditEvent(seq={}, time={}, actor={:?}, action={:?}, subject={:?}, outcome={:?})",
            self.seq, self.time, self.actor, self.action, self.subject, self.outcome
        )
    }
}

/// The events of one subject and whether their HMAC chain verifies.
#[pyclass(frozen, get_all, eq, module = "credcycle._native")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditTrail {
    /// Events, oldest first.
    pub events: Vec<AuditEvent>,
    /// Whether every MAC verifies and no event is missing.
    pub chain_valid: bool,
}

#[pymethods]
impl AuditTrail {
    fn __repr__(&self) -> String {
        format!(
            "AuditTrail(events={}, chain_valid={})",
            self.events.len(),
            if self.chain_valid { "True" } else { "False" }
        )
    }
}

impl From<facade::AuditTrailInfo> for AuditTrail {
    fn from(t: facade::AuditTrailInfo) -> Self {
        AuditTrail {
            events: t
                .events
                .into_iter()
                .map(|e| AuditEvent {
                    seq: e.seq,
                    time: e.time,
                    actor: e.actor,
                    action: e.action,
                    subject: e.subject,
                    outcome: e.outcome,
                })
                .collect(),
            chain_valid: t.chain_valid,
        }
    }
}

/// The outcome of one Store conformance scenario.
#[pyclass(frozen, get_all, eq, module = "credcycle._native")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConformanceResult {
    /// The scenario.
    pub name: String,
    /// Whether it passed.
    pub passed: bool,
    /// The failure (empty when it passed).
    pub message: String,
}

#[pymethods]
impl ConformanceResult {
    fn __repr__(&self) -> String {
        format!(
            "ConformanceResult(name={:?}, passed={})",
            self.name,
            if self.passed { "True" } else { "False" }
        )
    }
}

/// One operation of a store `commit` batch, as a Python store receives it.
#[pyclass(frozen, get_all, module = "credcycle._native")]
pub struct StoreOp {
    /// `put`, `delete` or `check`.
    pub kind: String,
    /// The table number.
    pub table: u32,
    /// The key.
    pub key: Py<PyBytes>,
    /// The new value (`put`; empty otherwise).
    pub value: Py<PyBytes>,
    /// The version the engine read (0 = must be absent); a put stores
    /// `expect + 1`.
    pub expect: u64,
}

#[pymethods]
impl StoreOp {
    fn __repr__(&self) -> String {
        format!(
            "StoreOp(kind={:?}, table={}, expect={})",
            self.kind, self.table, self.expect
        )
    }
}
