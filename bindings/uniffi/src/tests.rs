//! Rust-side tests of the binding layer (the Kotlin program tests it through
//! the generated bindings).

use std::collections::BTreeSet;

use super::*;

#[test]
fn every_facade_operation_has_exactly_one_counterpart() {
    let ours: Vec<&str> = COUNTERPARTS.iter().map(|(op, _, _)| *op).collect();
    let unique: BTreeSet<&str> = ours.iter().copied().collect();
    assert_eq!(unique.len(), ours.len(), "an operation is listed twice");
    let missing: Vec<&&str> = credcycle_facade::OPERATIONS
        .iter()
        .filter(|op| !unique.contains(**op) && !PENDING.contains(op))
        .collect();
    assert!(
        missing.is_empty(),
        "facade operations without a uniffi counterpart: {missing:?}"
    );
    let stale: Vec<&&str> = unique
        .iter()
        .filter(|op| !credcycle_facade::OPERATIONS.contains(op))
        .collect();
    assert!(
        stale.is_empty(),
        "counterparts of no facade operation: {stale:?}"
    );
}
