//! The [`Store`] plug-in trait: a versioned key-value map with one atomic,
//! compare-and-swap write path.
//!
//! Every exactly-once rule of the engine (one-time tokens, recovery codes,
//! TOTP step replay, use limits, two-phase rotations) is kept by
//! [`Store::commit`]: a batch of operations, each naming the version its
//! caller read, applied all-or-nothing.

use std::fmt;

mod memory;

pub use memory::MemoryStore;

/// A table (namespace) of the store. Numbers are stable and persisted by
/// backends; new tables are only ever added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
#[non_exhaustive]
pub enum Table {
    /// Secret metadata, one record per secret.
    Secret = 1,
    /// Secret versions (envelope-encrypted values).
    SecretVersion = 2,
    /// Key material and metadata of the local key manager.
    Kms = 3,
    /// Audit events and per-subject chain heads.
    Audit = 4,
    /// Engine metadata (per-tenant keys, schema markers).
    Meta = 5,
    /// Action targets (one record per target, signing keys sealed inside).
    Target = 20,
    /// Webhook message ids already seen by a receiver's replay guard.
    WebhookSeen = 21,
    /// The engine's published token-signing keys (its JWKS).
    JoseSigningKeys = 22,
    /// API tokens (one record per token family).
    ApiToken = 30,
    /// API token digests (access and refresh values, current and
    /// invalidated) → their token.
    ApiTokenDigest = 31,
    /// Machine identities and their universal-auth configuration.
    MachineIdentity = 40,
    /// Universal-auth client ids → their identity.
    UaClientId = 41,
    /// Universal-auth client secrets (digests and metadata).
    UaClientSecret = 42,
    /// Universal-auth access tokens (digests and metadata).
    UaAccessToken = 43,
    /// Universal-auth login lockout counters, one per identity.
    UaLockout = 44,
    /// Identities, one record per identity.
    Identity = 50,
    /// Unique lookups of the identities domain: identity names, usernames,
    /// certificate fingerprints, external-JWT signer names.
    IdentityIndex = 51,
    /// Authenticators (`updb`, `cert`).
    Authenticator = 52,
    /// External JWT signers.
    ExtJwtSigner = 53,
    /// API sessions, keyed by the digest of their token.
    ApiSession = 54,
    /// API sessions by identity (for listing and deleting).
    ApiSessionIndex = 55,
    /// MFA (TOTP) enrollments, one per identity, with the last accepted step
    /// and the recovery-code digests.
    Mfa = 56,
    /// Failed-attempt counters and locks (password and MFA).
    Lockout = 57,
}

impl Table {
    /// Every table, in number order.
    pub const ALL: &'static [Table] = &[
        Table::Secret,
        Table::SecretVersion,
        Table::Kms,
        Table::Audit,
        Table::Meta,
        Table::Target,
        Table::WebhookSeen,
        Table::JoseSigningKeys,
        Table::ApiToken,
        Table::ApiTokenDigest,
        Table::MachineIdentity,
        Table::UaClientId,
        Table::UaClientSecret,
        Table::UaAccessToken,
        Table::UaLockout,
        Table::Identity,
        Table::IdentityIndex,
        Table::Authenticator,
        Table::ExtJwtSigner,
        Table::ApiSession,
        Table::ApiSessionIndex,
        Table::Mfa,
        Table::Lockout,
    ];

    /// The persisted number of the table.
    pub fn as_u32(self) -> u32 {
        self as u32
    }

    /// The table with that number, if any (for foreign stores).
    pub fn from_u32(n: u32) -> Option<Table> {
        Self::ALL.iter().copied().find(|t| t.as_u32() == n)
    }
}

/// The version of a stored record. Every successful `Put` stores `expect + 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Version(pub u64);

impl Version {
    /// "Must not exist": the `expect` of a `Put` that creates a record.
    pub const ABSENT: Version = Version(0);

    /// The version a `Put` expecting `self` stores.
    pub fn next(self) -> Version {
        Version(self.0.saturating_add(1))
    }
}

/// A stored value and its version.
#[derive(Clone, PartialEq, Eq)]
pub struct Record {
    /// The bytes the engine stored (opaque to the store).
    pub value: Vec<u8>,
    /// The current version (≥ 1).
    pub version: Version,
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values may be (encrypted) secret material: print only the length.
        f.debug_struct("Record")
            .field("value_len", &self.value.len())
            .field("version", &self.version)
            .finish()
    }
}

/// One operation of a [`Store::commit`] batch.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Op {
    /// Write `value` if the record's current version is `expect`
    /// ([`Version::ABSENT`] = it must not exist); stores `expect + 1`.
    Put {
        /// Table.
        table: Table,
        /// Key.
        key: Vec<u8>,
        /// New value.
        value: Vec<u8>,
        /// Version the caller read.
        expect: Version,
    },
    /// Remove the record if its current version is `expect`. With
    /// [`Version::ABSENT`] it succeeds only if the record is absent (a no-op).
    Delete {
        /// Table.
        table: Table,
        /// Key.
        key: Vec<u8>,
        /// Version the caller read.
        expect: Version,
    },
    /// Write nothing, but fail the batch unless the record's version is
    /// `expect` (0 = absent). Lets a batch depend on a record it only read.
    Check {
        /// Table.
        table: Table,
        /// Key.
        key: Vec<u8>,
        /// Version the caller read.
        expect: Version,
    },
}

impl Op {
    /// The table, key and expected version of the operation.
    pub fn target(&self) -> (Table, &[u8], Version) {
        match self {
            Op::Put {
                table, key, expect, ..
            }
            | Op::Delete { table, key, expect }
            | Op::Check { table, key, expect } => (*table, key, *expect),
        }
    }
}

impl fmt::Debug for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (table, key, expect) = self.target();
        let name = match self {
            Op::Put { .. } => "Put",
            Op::Delete { .. } => "Delete",
            Op::Check { .. } => "Check",
        };
        f.debug_struct(name)
            .field("table", &table)
            .field("key", &String::from_utf8_lossy(key))
            .field("expect", &expect)
            .finish()
    }
}

/// Errors of a [`Store`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A `commit` found a version other than the one expected; nothing was
    /// written.
    #[error("version conflict")]
    Conflict,
    /// The backend cannot be reached now.
    #[error("store unavailable (retryable: {retryable})")]
    Unavailable {
        /// Whether the same call may succeed later.
        retryable: bool,
    },
    /// A stored record or the schema is damaged.
    #[error("corrupt record: {0}")]
    Corrupt(&'static str),
    /// Any other backend failure, with its message.
    #[error("backend: {0}")]
    Backend(Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// Wraps a backend error.
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError::Backend(Box::new(e))
    }
}

/// A versioned key-value store with an atomic compare-and-swap batch write.
///
/// # Contract
/// - Keys are compared as bytes; `scan` returns them in ascending byte order.
/// - `get` returns `Ok(None)` when the record is absent. `Err` always means
///   the backend failed, never "absent".
/// - `commit` applies every operation or none. If any operation's `expect`
///   differs from the record's current version (absent = 0), it returns
///   [`StoreError::Conflict`] and writes nothing. A `Put` stores version
///   `expect + 1`. Operations in one batch name distinct (table, key) pairs;
///   a batch that names one twice is refused with `Conflict`.
/// - A committed batch is visible to every later `get`/`scan` of every
///   handle on the same storage, in every process that shares it.
/// - Implementations are thread-safe (`&self`, interior mutability) and
///   must not call back into the engine (that would deadlock).
pub trait Store: Send + Sync + fmt::Debug {
    /// The record at `key`, or `Ok(None)` if absent.
    ///
    /// # Errors
    /// Only backend failures.
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Record>, StoreError>;

    /// Records whose key starts with `prefix`, ascending, strictly after
    /// `after` if given, at most `limit` of them.
    ///
    /// # Errors
    /// Only backend failures.
    fn scan(
        &self,
        table: Table,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: u32,
    ) -> Result<Vec<(Vec<u8>, Record)>, StoreError>;

    /// Applies all of `ops` atomically, or none.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] on any version mismatch (nothing written);
    /// backend failures otherwise (nothing written either).
    fn commit(&self, ops: &[Op]) -> Result<(), StoreError>;
}

/// Checks that a batch names each (table, key) at most once.
pub fn batch_has_duplicates(ops: &[Op]) -> bool {
    let mut seen = std::collections::HashSet::with_capacity(ops.len());
    ops.iter().any(|op| {
        let (t, k, _) = op.target();
        !seen.insert((t, k))
    })
}
