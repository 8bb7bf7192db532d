//! Functions that need no engine: version, root keys, and the store
//! conformance runner for host-language stores.

use std::sync::Arc;

use credcycle_facade as facade;

use crate::error::CredcycleError;
use crate::foreign::{KeyManagerAdapter, KeyManagerFactory, StoreAdapter, StoreFactory};
use crate::types::ConformanceResult;

/// The version of the engine (`MAJOR.MINOR.PATCH`).
#[uniffi::export]
pub fn version() -> String {
    facade::client::version().to_owned()
}

/// A fresh random 32-byte root key for the local key manager. Keep it safe:
/// the store's keys are sealed under it.
///
/// # Errors
/// `KeyManager` when the OS generator fails.
#[uniffi::export]
pub fn generate_root_key() -> Result<Vec<u8>, CredcycleError> {
    Ok(facade::client::generate_root_key()?.to_vec())
}

/// Parses the text form of a root key: 64 hex digits or base64 of 32 bytes,
/// surrounding whitespace ignored.
///
/// # Errors
/// `InvalidInput` naming `root_key` (the reason never repeats the input).
#[uniffi::export]
pub fn parse_root_key(text: String) -> Result<Vec<u8>, CredcycleError> {
    Ok(facade::client::parse_root_key(&text)?.to_vec())
}

/// Runs the engine's store conformance scenarios (all, or those named in
/// `only`) against stores made by `factory`, one fresh store per scenario,
/// and returns one result per scenario. Scenarios call the store from many
/// threads at once.
#[uniffi::export(default(only = None))]
pub fn store_conformance(
    factory: Arc<dyn StoreFactory>,
    only: Option<Vec<String>>,
) -> Vec<ConformanceResult> {
    let fresh =
        move || -> Arc<dyn facade::ForeignStore> { Arc::new(StoreAdapter(factory.fresh())) };
    facade::conformance::run_store_conformance(&fresh, only.as_deref())
        .into_iter()
        .map(Into::into)
        .collect()
}

/// The names of the conformance scenarios, in run order.
#[uniffi::export]
pub fn store_conformance_names() -> Vec<String> {
    facade::conformance::store_conformance_names()
}

/// Runs the KeyManager conformance scenarios (all, or those named in
/// `only`) against key managers made by `factory`, one fresh key manager
/// per scenario, and returns one result per scenario.
#[uniffi::export(default(only = None))]
pub fn kms_conformance(
    factory: Arc<dyn KeyManagerFactory>,
    only: Option<Vec<String>>,
) -> Vec<ConformanceResult> {
    let fresh = move || -> Arc<dyn facade::ForeignKeyManager> {
        Arc::new(KeyManagerAdapter(factory.fresh()))
    };
    facade::kms_conformance::run_kms_conformance(&fresh, only.as_deref())
        .into_iter()
        .map(Into::into)
        .collect()
}

/// The names of the KeyManager conformance scenarios, in run order.
#[uniffi::export]
pub fn kms_conformance_names() -> Vec<String> {
    facade::kms_conformance::kms_conformance_names()
}
