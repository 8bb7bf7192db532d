//! Binding-level checks: every facade operation has a C function, and the
//! committed header is the one cbindgen generates (checked by the bindings
//! script, which has cbindgen).

/// The C function that implements a facade operation.
fn c_symbol(op: &str) -> String {
    match op {
        "engine.open" => "credcycle_engine_builder_build".to_owned(),
        "testing.store_conformance" => "credcycle_store_conformance_run".to_owned(),
        "engine.secrets" => "credcycle_engine_secrets".to_owned(),
        _ => {
            let (handle, method) = op.split_once('.').unwrap_or(("", op));
            if handle == "client" {
                format!("credcycle_{method}")
            } else {
                format!("credcycle_{handle}_{method}")
            }
        }
    }
}

#[test]
fn every_facade_operation_has_a_c_function() {
    let header = include_str!("../../../include/credcycle.h");
    let missing: Vec<String> = credcycle_facade::OPERATIONS
        .iter()
        .map(|op| c_symbol(op))
        .filter(|sym| !header.contains(&format!("{sym}(")))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a C function: {missing:?}"
    );
}
