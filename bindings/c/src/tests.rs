//! Binding-level checks: every facade operation has a C function that says
//! so in its documentation, no C function claims an operation the facade
//! does not have, and every opaque type states its thread-safety. (That the
//! committed header is the one cbindgen generates is checked by
//! `scripts/test-c.sh`, which has cbindgen.)

const HEADER: &str = include_str!("../../../include/credcycle.h");

/// The C function that implements a facade operation.
fn c_symbol(op: &str) -> String {
    match op {
        "engine.open" => "credcycle_engine_builder_build".to_owned(),
        "testing.store_conformance" => "credcycle_store_conformance_run".to_owned(),
        "testing.kms_conformance" => "credcycle_kms_conformance_run".to_owned(),
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

/// The doc comment of the header declaration of `symbol`, if it is declared.
fn doc_of(symbol: &str) -> Option<&'static str> {
    // The declaration: a line that starts in column 0 (comment lines are
    // indented) and names the function.
    let needle = format!(" {symbol}(");
    let mut offset = 0;
    let mut decl = None;
    for line in HEADER.split_inclusive('\n') {
        if !line.starts_with([' ', '/', '*', '#']) && line.contains(&needle) {
            decl = Some(offset);
            break;
        }
        offset += line.len();
    }
    let decl = decl?;
    let before = &HEADER[..decl];
    let start = before.rfind("/*")?;
    let end = before.rfind("*/")?;
    (end > start).then(|| &HEADER[start..end])
}

/// Comment text with its line breaks (and leading spaces) as single spaces.
fn flat(text: &str) -> String {
    text.split('\n')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Facade operations without a C function yet. The parity tests accept
/// these and fail on any other missing operation; the
/// list only shrinks, and an entry that has a C function fails
/// [`pending_operations_are_really_missing`].
const PENDING: &[&str] = &[];

#[test]
fn pending_operations_are_really_missing() {
    let done: Vec<&&str> = PENDING
        .iter()
        .filter(|op| HEADER.contains(&format!(" {}(", c_symbol(op))))
        .collect();
    assert!(done.is_empty(), "remove from PENDING: {done:?}");
    assert!(
        PENDING
            .iter()
            .all(|op| credcycle_facade::OPERATIONS.contains(op))
    );
}

#[test]
fn every_facade_operation_has_a_c_function() {
    let missing: Vec<String> = credcycle_facade::OPERATIONS
        .iter()
        .filter(|op| !PENDING.contains(op))
        .map(|op| c_symbol(op))
        .filter(|sym| !HEADER.contains(&format!(" {sym}(")))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a C function: {missing:?}"
    );
}

#[test]
fn every_c_function_of_an_operation_names_it() {
    let wrong: Vec<String> = credcycle_facade::OPERATIONS
        .iter()
        .filter(|op| !PENDING.contains(op))
        .filter(|op| {
            let doc = flat(doc_of(&c_symbol(op)).unwrap_or(""));
            !doc.contains(&format!("(operation `{op}`"))
                && !doc.contains(&format!("operation `{op}`"))
        })
        .map(|op| op.to_string())
        .collect();
    assert!(
        wrong.is_empty(),
        "C functions whose docs do not name their operation: {wrong:?}"
    );
}

#[test]
fn no_c_function_claims_an_unknown_operation() {
    let text = flat(HEADER);
    let stale: Vec<&str> = text
        .match_indices("operation `")
        .filter_map(|(i, m)| {
            let rest = &text[i + m.len()..];
            rest.find('`').map(|end| &rest[..end])
        })
        .filter(|op| op.contains('.') && !credcycle_facade::OPERATIONS.contains(op))
        .collect();
    assert!(
        stale.is_empty(),
        "the header names operations the facade lacks: {stale:?}"
    );
}

#[test]
fn every_opaque_handle_states_its_thread_safety() {
    // Opaque types are `typedef struct credcycle_x credcycle_x;` preceded by
    // their doc comment.
    let mut unstated = Vec::new();
    for line in HEADER.lines() {
        let Some(rest) = line.strip_prefix("typedef struct ") else {
            continue;
        };
        let Some((name, tail)) = rest.split_once(' ') else {
            continue;
        };
        if tail != format!("{name};") {
            continue;
        }
        let at = HEADER.find(line).unwrap_or(0);
        let doc = HEADER[..at].rfind("/*").map_or("", |s| &HEADER[s..at]);
        let doc = doc.to_ascii_lowercase();
        let stated = [
            "thread-safe",
            "thread",
            "single-owner",
            "immutable",
            "borrowed",
        ]
        .iter()
        .any(|w| doc.contains(w));
        if !stated {
            unstated.push(name.to_owned());
        }
    }
    assert!(
        unstated.is_empty(),
        "opaque types without a thread-safety statement: {unstated:?}"
    );
}
