//! The engine's Store conformance scenarios, run against a store given by
//! a factory, one result per scenario (operation `testing.store_conformance`).
//!
//! Bindings call this from their own test suites with a store written in
//! the host language (C, Python, Kotlin), so a foreign store is held to the
//! exact contract the Rust stores are. Each scenario runs with a fresh
//! store; a failed assertion inside a scenario is caught and reported as a
//! failure with its message. The scenarios use many threads at once.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use credcycle::Store;
use credcycle::testing::store::{self as checks, Fixture, Fresh};

use crate::foreign::{ForeignStore, store_from_foreign};

/// The outcome of one scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConformanceResult {
    /// The scenario's name.
    pub name: String,
    /// Whether it passed.
    pub passed: bool,
    /// Empty on success; the failure otherwise.
    pub message: String,
}

type Check = fn(Fresh<'_>);

/// Every scenario that needs only fresh stores (the durable ones — reopen,
/// several handles — need a store that can be reopened by path and are run
/// by the backend crates themselves).
const CHECKS: &[(&str, Check)] = &[
    ("get_absent_is_none", checks::get_absent_is_none),
    (
        "put_absent_creates_version_1",
        checks::put_absent_creates_version_1,
    ),
    (
        "put_current_version_bumps",
        checks::put_current_version_bumps,
    ),
    (
        "put_wrong_expect_conflicts",
        checks::put_wrong_expect_conflicts,
    ),
    (
        "delete_current_version_removes",
        checks::delete_current_version_removes,
    ),
    (
        "delete_wrong_expect_conflicts",
        checks::delete_wrong_expect_conflicts,
    ),
    (
        "delete_absent_expect_zero_is_noop",
        checks::delete_absent_expect_zero_is_noop,
    ),
    (
        "recreate_after_delete_starts_at_1",
        checks::recreate_after_delete_starts_at_1,
    ),
    (
        "check_op_passes_and_fails_without_writing",
        checks::check_op_passes_and_fails_without_writing,
    ),
    (
        "failed_batch_writes_nothing",
        checks::failed_batch_writes_nothing,
    ),
    (
        "batch_naming_key_twice_conflicts",
        checks::batch_naming_key_twice_conflicts,
    ),
    ("empty_batch_succeeds", checks::empty_batch_succeeds),
    (
        "tables_are_separate_namespaces",
        checks::tables_are_separate_namespaces,
    ),
    (
        "scan_ascending_byte_order",
        checks::scan_ascending_byte_order,
    ),
    ("scan_prefix_filters", checks::scan_prefix_filters),
    (
        "scan_after_paging_reproduces_full_list",
        checks::scan_after_paging_reproduces_full_list,
    ),
    ("scan_limit_zero_is_empty", checks::scan_limit_zero_is_empty),
    (
        "values_round_trip_arbitrary_bytes",
        checks::values_round_trip_arbitrary_bytes,
    ),
    ("large_values_round_trip", checks::large_values_round_trip),
    (
        "concurrent_cas_one_winner_per_round",
        checks::concurrent_cas_one_winner_per_round,
    ),
];

/// The names of the scenarios, in run order.
pub fn store_conformance_names() -> Vec<String> {
    CHECKS.iter().map(|(n, _)| (*n).to_owned()).collect()
}

pub(crate) fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_owned()
    } else {
        "scenario panicked".to_owned()
    }
}

/// Runs the scenarios (all, or only those named in `only`) against stores
/// made by `fresh`, which must return a new, empty store on every call.
pub fn run_store_conformance(
    fresh: &(dyn Fn() -> Arc<dyn ForeignStore> + Sync),
    only: Option<&[String]>,
) -> Vec<ConformanceResult> {
    let factory = || Fixture::new(|| -> Arc<dyn Store> { store_from_foreign(fresh()) });
    CHECKS
        .iter()
        .filter(|(name, _)| only.is_none_or(|o| o.iter().any(|n| n == name)))
        .map(|(name, check)| {
            let outcome = catch_unwind(AssertUnwindSafe(|| check(&factory)));
            ConformanceResult {
                name: (*name).to_owned(),
                passed: outcome.is_ok(),
                message: outcome.err().map(|p| panic_text(&*p)).unwrap_or_default(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foreign::{ForeignError, ScanEntry, StoreOp, StoredRecord};

    /// Forwards to the engine's MemoryStore through the plain types.
    struct ViaMemory(credcycle::MemoryStore);

    impl ForeignStore for ViaMemory {
        fn get(&self, table: u32, key: &[u8]) -> Result<Option<StoredRecord>, ForeignError> {
            let t = credcycle::Table::from_u32(table).ok_or_else(|| ForeignError::contract("t"))?;
            Ok(self
                .0
                .get(t, key)
                .map_err(|e| ForeignError::store_backend(e.to_string()))?
                .map(|r| StoredRecord {
                    value: r.value,
                    version: r.version.0,
                }))
        }
        fn scan(
            &self,
            table: u32,
            prefix: &[u8],
            after: Option<&[u8]>,
            limit: u32,
        ) -> Result<Vec<ScanEntry>, ForeignError> {
            let t = credcycle::Table::from_u32(table).ok_or_else(|| ForeignError::contract("t"))?;
            Ok(self
                .0
                .scan(t, prefix, after, limit)
                .map_err(|e| ForeignError::store_backend(e.to_string()))?
                .into_iter()
                .map(|(key, r)| ScanEntry {
                    key,
                    value: r.value,
                    version: r.version.0,
                })
                .collect())
        }
        fn commit(&self, _ops: &[StoreOp]) -> Result<(), ForeignError> {
            // Deliberately broken: accepts everything and writes nothing.
            Ok(())
        }
    }

    #[test]
    fn a_broken_store_fails_with_messages_and_only_filters() {
        let fresh = || -> Arc<dyn ForeignStore> { Arc::new(ViaMemory(Default::default())) };
        let only = vec![
            "get_absent_is_none".to_owned(),
            "put_absent_creates_version_1".to_owned(),
        ];
        let results = run_store_conformance(&fresh, Some(&only));
        assert_eq!(results.len(), 2);
        assert!(results[0].passed, "{results:?}");
        assert!(!results[1].passed);
        assert!(!results[1].message.is_empty());
        assert_eq!(store_conformance_names().len(), CHECKS.len());
    }
}
