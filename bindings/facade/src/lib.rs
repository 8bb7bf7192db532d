//! The facade every credcycle binding wraps (C, Python, Kotlin/Swift).
//!
//! Bindings must not re-implement conversions: they call this crate, whose
//! API has only plain types (strings, integers, bytes, options, vectors and
//! plain structs of those), and map [`Error`] — `{code, kind, message}` —
//! to their own error form in one place.
//!
//! - Construction: [`Engine::open`] with an [`EngineConfig`] (store: memory,
//!   SQLite path or a host-language [`ForeignStore`]; key manager: local with
//!   a root key, or a host-language [`ForeignKeyManager`]; optional
//!   [`ForeignClock`]; [`PolicyConfig`] overrides).
//! - Operations: methods of [`Engine`], [`Kms`], [`Secrets`] and [`Audit`],
//!   and the functions of [`client`] and [`conformance`]. [`OPERATIONS`]
//!   names every one of them; each binding has a parity test that fails when
//!   an operation in the list has no counterpart in the binding.
//!
//! ```
//! use credcycle_facade::{
//!     CreateSecretOptions, Engine, EngineConfig, KmsConfig, SecretInput, StoreConfig, client,
//! };
//!
//! # fn main() -> Result<(), credcycle_facade::Error> {
//! let root_key = client::generate_root_key()?;
//! let engine = Engine::open(EngineConfig::new(StoreConfig::Memory, KmsConfig::Local { root_key }))?;
//! let secrets = engine.with_actor("alice").secrets("shop")?;
//! let value = SecretInput::Bytes(b"hunter2".to_vec().into());
//! let info = secrets.create("db-password", CreateSecretOptions { value: Some(value), ..Default::default() })?;
//! assert_eq!(info.state, "ENABLED");
//! assert_eq!(&*secrets.get_value("db-password", None)?.value, b"hunter2");
//! let err = secrets.get("missing").unwrap_err();
//! assert_eq!((err.code, err.kind.as_str()), (1001, "not_found"));
//! # Ok(()) }
//! ```

pub mod client;
pub mod conformance;
mod engine;
pub mod error;
pub mod foreign;
mod types;

pub use engine::{
    Audit, CreateSecretOptions, Engine, EngineConfig, Kms, KmsConfig, PolicyConfig, Secrets,
    StoreConfig,
};
pub use error::{Error, Result};
pub use foreign::{
    ForeignClock, ForeignError, ForeignKeyManager, ForeignStore, ScanEntry, StoreOp, StoreOpKind,
    StoredRecord, WrappedKeyData,
};
pub use types::{
    AuditEventInfo, AuditTrailInfo, KeyInfo, RewrapResult, SecretInfo, SecretInput, SecretValue,
    SecretVersion,
};

/// Every operation of the facade, as `handle.method`: `engine.*` are
/// methods of [`Engine`], `kms.*` of [`Kms`], `secrets.*` of [`Secrets`],
/// `audit.*` of [`Audit`], `client.*` functions of [`client`] and
/// `testing.*` functions of [`conformance`].
///
/// Each binding's parity test reads this list: an operation added here
/// without a counterpart in a binding fails that binding's tests.
pub const OPERATIONS: &[&str] = &[
    "engine.open",
    "engine.with_actor",
    "engine.ensure_default_key",
    "engine.secrets",
    "engine.kms",
    "engine.audit",
    "kms.create_key",
    "kms.key_info",
    "kms.list_keys",
    "kms.rotate_key",
    "kms.enable_key",
    "kms.disable_key",
    "kms.schedule_key_deletion",
    "kms.public_key",
    "kms.sign",
    "secrets.create",
    "secrets.get",
    "secrets.list",
    "secrets.list_page",
    "secrets.get_value",
    "secrets.update",
    "secrets.put_value",
    "secrets.begin_rotation",
    "secrets.finish_rotation",
    "secrets.cancel_rotation",
    "secrets.disable",
    "secrets.enable",
    "secrets.freeze",
    "secrets.unfreeze",
    "secrets.schedule_delete",
    "secrets.restore",
    "secrets.purge_due",
    "secrets.rewrap",
    "audit.events",
    "client.version",
    "client.generate_root_key",
    "client.parse_root_key",
    "testing.store_conformance",
];

#[cfg(test)]
mod tests;
