//! `store_conformance!`: the Store contract, run against every Store.
//!
//! The macro [`store_conformance!`](crate::store_conformance) expands to a
//! module of `#[test]` functions, one per check below. Each check is a plain
//! public function of this module, so a foreign-language suite can also call
//! them one by one.
//!
//! Every check panics (fails the test) when the store breaks the contract of
//! [`Store`]. They are test helpers: they use `expect` and `assert!` freely.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex};

use crate::store::{Op, Record, Store, StoreError, Table, Version};

/// Runs the [`Store`] conformance suite against a store implementation.
///
/// Expands to `mod $name { #[test] fn … }`, one test per check of
/// [`testing::store`](crate::testing::store). The module is `#[cfg(test)]`
/// and glob-imports its parent (`use super::*`), so the factory may name
/// anything in scope at the call site.
///
/// # In-memory (or otherwise non-durable) stores
///
/// ```text
/// credcycle::store_conformance!(NAME, FACTORY);
/// ```
///
/// `FACTORY` is a closure `|| -> S` called once per test for an empty store,
/// where `S` is any `impl Store + 'static`, an `Arc<impl Store>`, or an
/// `Arc<dyn Store>` (see [`IntoSharedStore`]).
///
/// # Durable stores
///
/// ```text
/// credcycle::store_conformance!(NAME, durable: OPEN);
/// ```
///
/// `OPEN` is a closure `|dir: &std::path::Path| -> S` that opens (creating
/// if needed) the store kept in directory `dir`. The suite makes a fresh
/// [`TempDir`] per test (std only, so no extra dev-dependency is needed) and
/// removes it afterwards. Calling `OPEN` again on the same `dir` must give
/// another handle on the *same* storage, as reopening after a restart or a
/// second process would. On top of every check above, the durable form runs
/// [`persists_across_reopen`], [`handles_share_storage`] and
/// [`concurrent_cas_across_handles`].
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
///
/// credcycle::store_conformance!(memory, || Arc::new(credcycle::MemoryStore::new()));
///
/// // A durable backend (here `SqliteStore` from `credcycle-sqlite`) would write:
/// // credcycle::store_conformance!(sqlite, durable: |dir| {
/// //     SqliteStore::open(dir.join("db.sqlite")).expect("open store")
/// // });
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! store_conformance {
    ($name:ident, durable: $open:expr $(,)?) => {
        #[cfg(test)]
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn open(dir: &::std::path::Path) -> ::std::sync::Arc<dyn $crate::Store> {
                $crate::testing::store::open_shared($open, dir)
            }

            fn fresh() -> $crate::testing::store::Fixture {
                $crate::testing::store::Fixture::durable(open)
            }

            $crate::__store_conformance_tests!(fresh);

            #[test]
            fn persists_across_reopen() {
                $crate::testing::store::persists_across_reopen(&open)
            }

            #[test]
            fn handles_share_storage() {
                $crate::testing::store::handles_share_storage(&open)
            }

            #[test]
            fn concurrent_cas_across_handles() {
                $crate::testing::store::concurrent_cas_across_handles(&open)
            }
        }
    };
    ($name:ident, $fresh:expr $(,)?) => {
        #[cfg(test)]
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn fresh() -> $crate::testing::store::Fixture {
                $crate::testing::store::Fixture::new($fresh)
            }

            $crate::__store_conformance_tests!(fresh);
        }
    };
}

/// Internal to [`store_conformance!`](crate::store_conformance): one `#[test]`
/// per check that needs only fresh stores.
#[doc(hidden)]
#[macro_export]
macro_rules! __store_conformance_tests {
    ($fresh:ident) => {
        $crate::__store_conformance_tests!(
            $fresh;
            get_absent_is_none,
            put_absent_creates_version_1,
            put_current_version_bumps,
            put_wrong_expect_conflicts,
            delete_current_version_removes,
            delete_wrong_expect_conflicts,
            delete_absent_expect_zero_is_noop,
            recreate_after_delete_starts_at_1,
            check_op_passes_and_fails_without_writing,
            failed_batch_writes_nothing,
            batch_naming_key_twice_conflicts,
            empty_batch_succeeds,
            tables_are_separate_namespaces,
            scan_ascending_byte_order,
            scan_prefix_filters,
            scan_after_paging_reproduces_full_list,
            scan_limit_zero_is_empty,
            values_round_trip_arbitrary_bytes,
            large_values_round_trip,
            concurrent_cas_one_winner_per_round,
        );
    };
    ($fresh:ident; $($check:ident),+ $(,)?) => {
        $(
            #[test]
            fn $check() {
                $crate::testing::store::$check(&$fresh)
            }
        )+
    };
}

// ---------------------------------------------------------------------------
// Factories and fixtures
// ---------------------------------------------------------------------------

/// What a conformance factory may return: a store by value, an `Arc` of a
/// store, or an `Arc<dyn Store>`.
pub trait IntoSharedStore {
    /// The store as the engine holds it.
    fn into_shared_store(self) -> Arc<dyn Store>;
}

impl<S: Store + 'static> IntoSharedStore for S {
    fn into_shared_store(self) -> Arc<dyn Store> {
        Arc::new(self)
    }
}

impl<S: Store + 'static> IntoSharedStore for Arc<S> {
    fn into_shared_store(self) -> Arc<dyn Store> {
        self
    }
}

impl IntoSharedStore for Arc<dyn Store> {
    fn into_shared_store(self) -> Arc<dyn Store> {
        self
    }
}

/// Opens a durable store in `dir` with the caller's factory (used by
/// [`store_conformance!`](crate::store_conformance); the generic bound lets
/// the factory closure leave its argument type unannotated).
pub fn open_shared<F, S>(open: F, dir: &Path) -> Arc<dyn Store>
where
    F: FnOnce(&Path) -> S,
    S: IntoSharedStore,
{
    open(dir).into_shared_store()
}

/// An empty store for one check, plus whatever must outlive it (the
/// temporary directory of a durable store).
pub struct Fixture {
    // Field order matters: the store is dropped before its directory.
    store: Arc<dyn Store>,
    _dir: Option<TempDir>,
}

impl Fixture {
    /// A fixture around the store that `fresh` makes.
    pub fn new<F, S>(fresh: F) -> Fixture
    where
        F: FnOnce() -> S,
        S: IntoSharedStore,
    {
        Fixture {
            store: fresh().into_shared_store(),
            _dir: None,
        }
    }

    /// A fixture around a durable store opened in a new temporary directory.
    pub fn durable(open: fn(&Path) -> Arc<dyn Store>) -> Fixture {
        let dir = TempDir::new();
        Fixture {
            store: open(dir.path()),
            _dir: Some(dir),
        }
    }

    /// The store under test.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }
}

impl fmt::Debug for Fixture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fixture")
            .field("store", &self.store)
            .field("dir", &self._dir)
            .finish()
    }
}

/// A temporary directory under [`std::env::temp_dir`], removed (with its
/// contents) on drop. Std-only, so conformance callers need no extra crate.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates a new, empty, uniquely named directory.
    ///
    /// # Panics
    /// If no directory can be created (a test-environment failure).
    #[allow(clippy::new_without_default)]
    pub fn new() -> TempDir {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let base = std::env::temp_dir();
        let pid = std::process::id();
        for _ in 0..1000 {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let path = base.join(format!("credcycle-test-{pid}-{n}"));
            match std::fs::create_dir(&path) {
                Ok(()) => return TempDir { path },
                // Left over by a dead process that had the same pid.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => panic!("cannot create temporary directory {path:?}: {e}"),
            }
        }
        panic!("cannot find a free temporary directory name in {base:?}")
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Best effort: a leftover directory must not fail a passing test.
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A factory of empty stores, as the checks take it.
pub type Fresh<'a> = &'a dyn Fn() -> Fixture;

/// A factory of durable store handles on the storage kept in a directory.
pub type Open<'a> = &'a dyn Fn(&Path) -> Arc<dyn Store>;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn put(table: Table, key: &[u8], value: &[u8], expect: u64) -> Op {
    Op::Put {
        table,
        key: key.to_vec(),
        value: value.to_vec(),
        expect: Version(expect),
    }
}

fn del(table: Table, key: &[u8], expect: u64) -> Op {
    Op::Delete {
        table,
        key: key.to_vec(),
        expect: Version(expect),
    }
}

fn check(table: Table, key: &[u8], expect: u64) -> Op {
    Op::Check {
        table,
        key: key.to_vec(),
        expect: Version(expect),
    }
}

#[track_caller]
fn commit_ok(store: &dyn Store, ops: &[Op]) {
    if let Err(e) = store.commit(ops) {
        panic!("commit {ops:?} failed: {e}");
    }
}

#[track_caller]
fn commit_conflict(store: &dyn Store, ops: &[Op]) {
    match store.commit(ops) {
        Err(StoreError::Conflict) => {}
        Ok(()) => panic!("commit {ops:?} succeeded; expected Conflict"),
        Err(e) => panic!("commit {ops:?} failed with {e}; expected Conflict"),
    }
}

#[track_caller]
fn get(store: &dyn Store, table: Table, key: &[u8]) -> Option<Record> {
    match store.get(table, key) {
        Ok(r) => r,
        Err(e) => panic!("get {table:?} {key:?} failed: {e}"),
    }
}

#[track_caller]
fn assert_record(store: &dyn Store, table: Table, key: &[u8], value: &[u8], version: u64) {
    let rec = get(store, table, key)
        .unwrap_or_else(|| panic!("record {table:?} {key:?} absent; expected version {version}"));
    assert_eq!(
        rec.version,
        Version(version),
        "version of {table:?} {key:?}"
    );
    assert!(
        rec.value == value,
        "value of {table:?} {key:?} differs: {} bytes stored, {} expected",
        rec.value.len(),
        value.len()
    );
}

#[track_caller]
fn assert_absent(store: &dyn Store, table: Table, key: &[u8]) {
    if let Some(r) = get(store, table, key) {
        panic!("record {table:?} {key:?} present ({r:?}); expected absent");
    }
}

#[track_caller]
fn scan(
    store: &dyn Store,
    table: Table,
    prefix: &[u8],
    after: Option<&[u8]>,
    limit: u32,
) -> Vec<(Vec<u8>, Record)> {
    match store.scan(table, prefix, after, limit) {
        Ok(v) => v,
        Err(e) => panic!("scan {table:?} prefix {prefix:?} after {after:?} failed: {e}"),
    }
}

fn keys_of(rows: &[(Vec<u8>, Record)]) -> Vec<Vec<u8>> {
    rows.iter().map(|(k, _)| k.clone()).collect()
}

/// Every record of every table, for "nothing was written" assertions.
fn snapshot(store: &dyn Store) -> Vec<(Table, Vec<u8>, Vec<u8>, Version)> {
    let mut all = Vec::new();
    for &t in Table::ALL {
        for (k, r) in scan(store, t, &[], None, u32::MAX) {
            all.push((t, k, r.value, r.version));
        }
    }
    all
}

/// Reads every key with `prefix` page by page, `limit` at a time.
fn scan_paged(store: &dyn Store, table: Table, prefix: &[u8], limit: u32) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    // Bounded: each page must make progress.
    for _ in 0..100_000 {
        let page = scan(store, table, prefix, out.last().map(Vec::as_slice), limit);
        assert!(
            page.len() <= limit as usize,
            "scan returned more than limit"
        );
        let done = page.len() < limit as usize;
        out.extend(keys_of(&page));
        if done {
            return out;
        }
    }
    panic!("scan paging did not terminate");
}

/// Keys chosen to catch signed-byte, string-collation, NUL-terminated and
/// naive prefix-successor bugs.
fn tricky_keys() -> Vec<Vec<u8>> {
    vec![
        vec![],
        vec![0x00],
        vec![0x00, 0x00],
        b"a".to_vec(),
        b"a\x00".to_vec(),
        b"a\x00b".to_vec(),
        b"a\xff".to_vec(),
        b"a\xff\x00".to_vec(),
        b"a\xff\xff".to_vec(),
        b"a\xff\xff\xff".to_vec(),
        b"aa".to_vec(),
        b"ab".to_vec(),
        b"ab\x00".to_vec(),
        b"abc".to_vec(),
        b"abd".to_vec(),
        b"ab\xff".to_vec(),
        b"ac".to_vec(),
        b"b".to_vec(),
        b"B".to_vec(),
        vec![0x7f],
        vec![0x80],
        vec![0xc3, 0xa9],
        vec![0xfe, 0xff],
        vec![0xff],
        vec![0xff, 0x00],
        vec![0xff, 0xff],
        vec![0xff, 0xff, 0xff],
    ]
}

/// Inserts `keys` into `table` in a scrambled (deterministic) order.
fn insert_scrambled(store: &dyn Store, table: Table, keys: &[Vec<u8>]) {
    let n = keys.len();
    // 7 is coprime with the length checked below, so this is a permutation.
    assert!(n % 7 != 0, "key count must be coprime with 7");
    for i in 0..n {
        let k = &keys[(i * 7 + 3) % n];
        let mut value = b"v:".to_vec();
        value.extend_from_slice(k);
        commit_ok(store, &[put(table, k, &value, 0)]);
    }
}

fn sorted(mut keys: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    keys.sort();
    keys.dedup();
    keys
}

// ---------------------------------------------------------------------------
// Checks on fresh stores
// ---------------------------------------------------------------------------

/// `get` of a key never written is `Ok(None)`, in every table, including the
/// empty key; `scan` of an empty store is empty.
pub fn get_absent_is_none(fresh: Fresh<'_>) {
    let fx = fresh();
    let s = fx.store().as_ref();
    for &t in Table::ALL {
        for key in [&b""[..], b"missing", b"\x00", b"\xff\xff"] {
            assert_absent(s, t, key);
        }
        assert!(scan(s, t, &[], None, 100).is_empty());
    }
}

/// A `Put` expecting [`Version::ABSENT`] creates the record at version 1.
pub fn put_absent_creates_version_1(fresh: Fresh<'_>) {
    let fx = fresh();
    let s = fx.store().as_ref();
    commit_ok(s, &[put(Table::Secret, b"k", b"v1", 0)]);
    assert_record(s, Table::Secret, b"k", b"v1", 1);
    let rows = scan(s, Table::Secret, b"", None, 10);
    assert_eq!(keys_of(&rows), vec![b"k".to_vec()]);
    assert_eq!(rows[0].1.version, Version(1));
    assert_eq!(rows[0].1.value, b"v1");
}

/// A `Put` expecting the current version stores `expect + 1`.
pub fn put_current_version_bumps(fresh: Fresh<'_>) {
    let fx = fresh();
    let s = fx.store().as_ref();
    commit_ok(s, &[put(Table::Secret, b"k", b"v1", 0)]);
    for v in 1..=20u64 {
        let value = format!("value {}", v + 1);
        commit_ok(s, &[put(Table::Secret, b"k", value.as_bytes(), v)]);
        assert_record(s, Table::Secret, b"k", value.as_bytes(), v + 1);
    }
}

/// A `Put` with a stale, future or "absent" expectation is a `Conflict` and
/// changes nothing.
pub fn put_wrong_expect_conflicts(fresh: Fresh<'_>) {
    let fx = fresh();
    let s = fx.store().as_ref();
    // Absent record, expect ≠ 0.
    commit_conflict(s, &[put(Table::Secret, b"k", b"x", 1)]);
    commit_conflict(s, &[put(Table::Secret, b"k", b"x", u64::MAX)]);
    assert_absent(s, Table::Secret, b"k");

    commit_ok(s, &[put(Table::Secret, b"k", b"v1", 0)]);
    commit_ok(s, &[put(Table::Secret, b"k", b"v2", 1)]);
    let before = snapshot(s);
    for wrong in [0, 1, 3, 4, 1000, i64::MAX as u64, u64::MAX] {
        commit_conflict(s, &[put(Table::Secret, b"k", b"bad", wrong)]);
    }
    assert_record(s, Table::Secret, b"k", b"v2", 2);
    assert_eq!(snapshot(s), before, "a conflicting Put wrote something");
}

/// A `Delete` expecting the current version removes the record.
pub fn delete_current_version_removes(fresh: Fresh<'_>) {
    let fx = fresh();
    let s = fx.store().as_ref();
    commit_ok(s, &[put(Table::Secret, b"k", b"v1", 0)]);
    commit_ok(s, &[put(Table::Secret, b"k", b"v2", 1)]);
    commit_ok(s, &[put(Table::Secret, b"other", b"o", 0)]);
    commit_ok(s, &[del(Table::Secret, b"k", 2)]);
    assert_absent(s, Table::Secret, b"k");
    assert_eq!(
        keys_of(&scan(s, Table::Secret, b"", None, 10)),
        vec![b"other".to_vec()]
    );
    assert_record(s, Table::Secret, b"other", b"o", 1);
}

/// A `Delete` with a wrong expectation is a `Conflict` and removes nothing.
pub fn delete_wrong_expect_conflicts(fresh: Fresh<'_>) {
    let fx = fresh();
    let s = fx.store().as_ref();
    commit_ok(s, &[put(Table::Secret, b"k", b"v1", 0)]);
    commit_ok(s, &[put(Table::Secret, b"k", b"v2", 1)]);
    for wrong in [0, 1, 3, u64::MAX] {
        commit_conflict(s, &[del(Table::Secret, b"k", wrong)]);
    }
    assert_record(s, Table::Secret, b"k", b"v2", 2);
    // Absent record, expect ≠ 0.
    commit_conflict(s, &[del(Table::Secret, b"nope", 1)]);
    assert_absent(s, Table::Secret, b"nope");
}

/// A `Delete` of an absent record expecting [`Version::ABSENT`] succeeds and
/// writes nothing.
pub fn delete_absent_expect_zero_is_noop(fresh: Fresh<'_>) {
    let fx = fresh();
    let s = fx.store().as_ref();
    commit_ok(s, &[put(Table::Meta, b"keep", b"x", 0)]);
    let before = snapshot(s);
    commit_ok(s, &[del(Table::Secret, b"absent", 0)]);
    commit_ok(s, &[del(Table::Meta, b"absent", 0)]);
    assert_absent(s, Table::Secret, b"absent");
    assert_eq!(snapshot(s), before);
}

/// After a `Delete`, the record is absent again: it is recreated with
/// `expect` 0 at version 1, and the old version no longer matches.
pub fn recreate_after_delete_starts_at_1(fresh: Fresh<'_>) {
    let fx = fresh();
    let s = fx.store().as_ref();
    commit_ok(s, &[put(Table::Secret, b"k", b"v1", 0)]);
    commit_ok(s, &[put(Table::Secret, b"k", b"v2", 1)]);
    commit_ok(s, &[del(Table::Secret, b"k", 2)]);
    commit_conflict(s, &[put(Table::Secret, b"k", b"stale", 2)]);
    commit_ok(s, &[put(Table::Secret, b"k", b"again", 0)]);
    assert_record(s, Table::Secret, b"k", b"again", 1);
}

/// `Check` fails the batch on a mismatch, passes on a match, and never
/// writes.
pub fn check_op_passes_and_fails_without_writing(fresh: Fresh<'_>) {
    let fx = fresh();
    let s = fx.store().as_ref();
    commit_ok(s, &[put(Table::Secret, b"k", b"v1", 0)]);
    let before = snapshot(s);

    // Alone.
    commit_ok(s, &[check(Table::Secret, b"k", 1)]);
    commit_ok(s, &[check(Table::Secret, b"absent", 0)]);
    commit_conflict(s, &[check(Table::Secret, b"k", 0)]);
    commit_conflict(s, &[check(Table::Secret, b"k", 2)]);
    commit_conflict(s, &[check(Table::Secret, b"absent", 1)]);
    assert_eq!(snapshot(s), before, "a Check wrote something");

    // Guarding a write.
    commit_conflict(
        s,
        &[
            check(Table::Secret, b"k", 2),
            put(Table::Meta, b"guarded", b"no", 0),
        ],
    );
    assert_eq!(snapshot(s), before, "a failed Check let a Put through");
    commit_ok(
        s,
        &[
            check(Table::Secret, b"k", 1),
            put(Table::Meta, b"guarded", b"yes", 0),
        ],
    );
    assert_record(s, Table::Meta, b"guarded", b"yes", 1);
    assert_record(s, Table::Secret, b"k", b"v1", 1);
}

/// A multi-operation batch whose *last* operation conflicts writes nothing
/// at all.
pub fn failed_batch_writes_nothing(fresh: Fresh<'_>) {
    let fx = fresh();
    let s = fx.store().as_ref();
    commit_ok(
        s,
        &[
            put(Table::Secret, b"a", b"a1", 0),
            put(Table::Secret, b"b", b"b1", 0),
            put(Table::Kms, b"c", b"c1", 0),
        ],
    );
    let before = snapshot(s);
    let tails = [
        put(Table::Meta, b"last", b"x", 7),
        del(Table::Kms, b"c", 5),
        check(Table::Secret, b"b", 0),
        put(Table::Secret, b"a2", b"x", 1),
    ];
    for tail in tails {
        let batch = vec![
            put(Table::Secret, b"a", b"a2", 1),
            del(Table::Secret, b"b", 1),
            put(Table::Secret, b"new", b"n", 0),
            check(Table::Kms, b"c", 1),
            put(Table::Audit, b"log", &[7u8; 4096], 0),
            tail,
        ];
        commit_conflict(s, &batch);
        assert_eq!(snapshot(s), before, "a failed batch wrote something");
    }
    // The same batch without the bad tail goes through whole.
    commit_ok(
        s,
        &[
            put(Table::Secret, b"a", b"a2", 1),
            del(Table::Secret, b"b", 1),
            put(Table::Secret, b"new", b"n", 0),
            check(Table::Kms, b"c", 1),
        ],
    );
    assert_record(s, Table::Secret, b"a", b"a2", 2);
    assert_absent(s, Table::Secret, b"b");
    assert_record(s, Table::Secret, b"new", b"n", 1);
    assert_record(s, Table::Kms, b"c", b"c1", 1);
}

/// A batch that names one (table, key) twice is refused with `Conflict`,
/// even when each operation alone would succeed; the same key in two tables
/// is fine.
pub fn batch_naming_key_twice_conflicts(fresh: Fresh<'_>) {
    let fx = fresh();
    let s = fx.store().as_ref();
    commit_ok(s, &[put(Table::Secret, b"k", b"v1", 0)]);
    let before = snapshot(s);
    let batches = [
        vec![
            put(Table::Secret, b"n", b"1", 0),
            put(Table::Secret, b"n", b"2", 1),
        ],
        vec![
            put(Table::Secret, b"k", b"x", 1),
            put(Table::Secret, b"k", b"x", 1),
        ],
        vec![
            put(Table::Secret, b"k", b"x", 1),
            del(Table::Secret, b"k", 1),
        ],
        vec![
            check(Table::Secret, b"k", 1),
            put(Table::Secret, b"k", b"x", 1),
        ],
        vec![check(Table::Secret, b"k", 1), check(Table::Secret, b"k", 1)],
        vec![
            put(Table::Meta, b"other", b"o", 0),
            del(Table::Secret, b"absent", 0),
            del(Table::Secret, b"absent", 0),
        ],
    ];
    for batch in &batches {
        commit_conflict(s, batch);
        assert_eq!(snapshot(s), before, "a duplicate-key batch wrote something");
    }
    commit_ok(
        s,
        &[
            put(Table::Secret, b"same", b"s", 0),
            put(Table::Meta, b"same", b"m", 0),
        ],
    );
    assert_record(s, Table::Secret, b"same", b"s", 1);
    assert_record(s, Table::Meta, b"same", b"m", 1);
}

/// An empty batch succeeds and writes nothing.
pub fn empty_batch_succeeds(fresh: Fresh<'_>) {
    let fx = fresh();
    let s = fx.store().as_ref();
    commit_ok(s, &[]);
    assert!(snapshot(s).is_empty());
}

/// Tables are separate namespaces: one key has independent records,
/// versions, deletes and scans in each table.
pub fn tables_are_separate_namespaces(fresh: Fresh<'_>) {
    let fx = fresh();
    let s = fx.store().as_ref();
    for (i, &t) in Table::ALL.iter().enumerate() {
        commit_ok(s, &[put(t, b"key", format!("t{i}").as_bytes(), 0)]);
        // Table i ends at version i + 1.
        for v in 1..=i as u64 {
            commit_ok(s, &[put(t, b"key", format!("t{i}").as_bytes(), v)]);
        }
    }
    for (i, &t) in Table::ALL.iter().enumerate() {
        assert_record(s, t, b"key", format!("t{i}").as_bytes(), i as u64 + 1);
        assert_eq!(keys_of(&scan(s, t, b"", None, 100)), vec![b"key".to_vec()]);
    }
    // Another table's version does not satisfy this table's expectation.
    commit_conflict(s, &[put(Table::Secret, b"key", b"x", 2)]);
    commit_conflict(s, &[check(Table::Meta, b"key", 1)]);
    // Deleting in one table leaves the others.
    commit_ok(s, &[del(Table::Secret, b"key", 1)]);
    assert_absent(s, Table::Secret, b"key");
    for (i, &t) in Table::ALL.iter().enumerate().skip(1) {
        assert_record(s, t, b"key", format!("t{i}").as_bytes(), i as u64 + 1);
    }
    // A key only in one table.
    commit_ok(s, &[put(Table::Kms, b"only", b"k", 0)]);
    for &t in Table::ALL {
        if t != Table::Kms {
            assert_absent(s, t, b"only");
        }
    }
}

/// `scan` returns keys in ascending unsigned byte order (not signed bytes,
/// not string collation, not length-first), with their records.
pub fn scan_ascending_byte_order(fresh: Fresh<'_>) {
    let fx = fresh();
    let s = fx.store().as_ref();
    let keys = tricky_keys();
    insert_scrambled(s, Table::Secret, &keys);
    let rows = scan(s, Table::Secret, b"", None, u32::MAX);
    let got = keys_of(&rows);
    assert_eq!(got, sorted(keys));
    // Spelled out, independent of `Vec<u8>`'s `Ord`, for a few landmarks.
    let pos = |k: &[u8]| got.iter().position(|g| g == k).expect("key present");
    let order: [&[u8]; 13] = [
        b"",
        b"\x00",
        b"\x00\x00",
        b"B",
        b"a",
        b"a\x00",
        b"aa",
        b"a\xff",
        b"b",
        b"\x7f",
        b"\x80",
        b"\xff",
        b"\xff\x00",
    ];
    for w in order.windows(2) {
        assert!(
            pos(w[0]) < pos(w[1]),
            "{:?} must sort before {:?}",
            w[0],
            w[1]
        );
    }
    for (k, r) in &rows {
        let mut value = b"v:".to_vec();
        value.extend_from_slice(k);
        assert_eq!(r.value, value, "scan returned the wrong value for {k:?}");
        assert_eq!(r.version, Version(1));
    }
}

/// `scan` with a prefix returns exactly the keys that start with it,
/// including prefixes that are keys themselves, byte-prefixes of other keys,
/// and prefixes ending in (or made of) `0xff`; other tables never leak in.
pub fn scan_prefix_filters(fresh: Fresh<'_>) {
    let fx = fresh();
    let s = fx.store().as_ref();
    let keys = tricky_keys();
    insert_scrambled(s, Table::Secret, &keys);
    // Decoys in neighbouring tables.
    insert_scrambled(s, Table::SecretVersion, &keys);
    commit_ok(s, &[put(Table::Kms, b"abz", b"decoy", 0)]);
    let all = sorted(keys);
    for prefix in prefixes() {
        let want: Vec<Vec<u8>> = all
            .iter()
            .filter(|k| k.starts_with(&prefix))
            .cloned()
            .collect();
        let got = keys_of(&scan(s, Table::Secret, &prefix, None, u32::MAX));
        assert_eq!(got, want, "scan with prefix {prefix:?}");
        let got = keys_of(&scan(s, Table::Secret, &prefix, None, 1000));
        assert_eq!(got, want, "scan with prefix {prefix:?}, limit 1000");
    }
    assert!(scan(s, Table::Meta, b"", None, 100).is_empty());
}

fn prefixes() -> Vec<Vec<u8>> {
    vec![
        vec![],
        vec![0x00],
        b"a".to_vec(),
        b"a\x00".to_vec(),
        b"ab".to_vec(),
        b"abc".to_vec(),
        b"a\xff".to_vec(),
        b"a\xff\xff".to_vec(),
        b"a\xfe".to_vec(),
        vec![0xfe],
        vec![0xff],
        vec![0xff, 0xff],
        vec![0xff, 0xff, 0xff, 0xff],
        b"zz".to_vec(),
    ]
}

/// Paging with `after` (the last key of the previous page) and small limits
/// reproduces the full listing; `after` may be any byte string, present or
/// not, inside or outside the prefix.
pub fn scan_after_paging_reproduces_full_list(fresh: Fresh<'_>) {
    let fx = fresh();
    let s = fx.store().as_ref();
    let keys = tricky_keys();
    insert_scrambled(s, Table::Secret, &keys);
    insert_scrambled(s, Table::Audit, &keys);
    let all = sorted(keys);
    let mut afters = all.clone();
    afters.extend([
        b"aaa".to_vec(),
        b"ab\x00\x00".to_vec(),
        b"a\xff\xff\xff\xff".to_vec(),
        vec![0xff, 0xff, 0xff, 0xff],
        b"0".to_vec(),
    ]);
    for prefix in prefixes() {
        let want: Vec<Vec<u8>> = all
            .iter()
            .filter(|k| k.starts_with(&prefix))
            .cloned()
            .collect();
        for limit in [1, 2, 3, 5, 1000] {
            assert_eq!(
                scan_paged(s, Table::Secret, &prefix, limit),
                want,
                "paging prefix {prefix:?} limit {limit}"
            );
        }
        for after in &afters {
            let tail: Vec<Vec<u8>> = want
                .iter()
                .filter(|k| k.as_slice() > after.as_slice())
                .cloned()
                .collect();
            for limit in [1u32, 2, 1000] {
                let got = keys_of(&scan(s, Table::Secret, &prefix, Some(after), limit));
                let expect: Vec<Vec<u8>> = tail.iter().take(limit as usize).cloned().collect();
                assert_eq!(
                    got, expect,
                    "scan prefix {prefix:?} after {after:?} limit {limit}"
                );
            }
        }
    }
}

/// A `scan` with limit 0 returns nothing.
pub fn scan_limit_zero_is_empty(fresh: Fresh<'_>) {
    let fx = fresh();
    let s = fx.store().as_ref();
    insert_scrambled(s, Table::Secret, &tricky_keys());
    assert!(scan(s, Table::Secret, b"", None, 0).is_empty());
    assert!(scan(s, Table::Secret, b"a", None, 0).is_empty());
    assert!(scan(s, Table::Secret, b"", Some(b"a"), 0).is_empty());
    assert_eq!(scan(s, Table::Secret, b"", None, 1).len(), 1);
}

/// Keys and values are arbitrary bytes: empty, NUL bytes, invalid UTF-8,
/// every byte value; all round-trip exactly through `get` and `scan`.
pub fn values_round_trip_arbitrary_bytes(fresh: Fresh<'_>) {
    let fx = fresh();
    let s = fx.store().as_ref();
    let all_bytes: Vec<u8> = (0..=255u8).collect();
    let mut reversed = all_bytes.clone();
    reversed.reverse();
    let values: Vec<Vec<u8>> = vec![
        vec![],
        vec![0],
        vec![0, 0, 0],
        b"a\x00b\x00".to_vec(),
        b"\xff\xfe\xfd not utf-8 \xc3\x28".to_vec(),
        "h\u{e9}llo \u{1f511}".as_bytes().to_vec(),
        all_bytes.clone(),
        reversed,
        (0..65_536u32).map(|i| (i * 7 % 256) as u8).collect(),
    ];
    let keys: Vec<Vec<u8>> = vec![
        vec![],
        vec![0],
        b"k\x00k".to_vec(),
        vec![0xff],
        b"\xc3\x28".to_vec(),
        all_bytes,
        b"plain".to_vec(),
        vec![0x80, 0x00],
        vec![0xff; 300],
    ];
    assert_eq!(keys.len(), values.len());
    let ops: Vec<Op> = keys
        .iter()
        .zip(&values)
        .map(|(k, v)| put(Table::Secret, k, v, 0))
        .collect();
    commit_ok(s, &ops);
    for (k, v) in keys.iter().zip(&values) {
        assert_record(s, Table::Secret, k, v, 1);
    }
    let rows = scan(s, Table::Secret, b"", None, u32::MAX);
    assert_eq!(rows.len(), keys.len());
    for (k, r) in &rows {
        let i = keys
            .iter()
            .position(|x| x == k)
            .expect("scanned key was written");
        assert!(r.value == values[i], "scan value of {k:?} differs");
    }
    // Rewrite: empty → non-empty → empty.
    commit_ok(s, &[put(Table::Secret, b"", b"now set", 1)]);
    assert_record(s, Table::Secret, b"", b"now set", 2);
    commit_ok(s, &[put(Table::Secret, b"", b"", 2)]);
    assert_record(s, Table::Secret, b"", b"", 3);
    commit_ok(s, &[put(Table::Secret, b"plain", b"", 1)]);
    assert_record(s, Table::Secret, b"plain", b"", 2);
}

/// 1 MiB values round-trip through `put`, `get`, `scan`, overwrite and
/// delete.
pub fn large_values_round_trip(fresh: Fresh<'_>) {
    let fx = fresh();
    let s = fx.store().as_ref();
    const MIB: usize = 1 << 20;
    let a: Vec<u8> = (0..MIB).map(|i| (i * 31 + 7) as u8).collect();
    let b: Vec<u8> = (0..MIB + 13).map(|i| (i * 17 % 251) as u8).collect();
    commit_ok(s, &[put(Table::SecretVersion, b"big", &a, 0)]);
    assert_record(s, Table::SecretVersion, b"big", &a, 1);
    commit_ok(
        s,
        &[
            put(Table::SecretVersion, b"big", &b, 1),
            put(Table::SecretVersion, b"big2", &a, 0),
        ],
    );
    assert_record(s, Table::SecretVersion, b"big", &b, 2);
    let rows = scan(s, Table::SecretVersion, b"big", None, 10);
    assert_eq!(keys_of(&rows), vec![b"big".to_vec(), b"big2".to_vec()]);
    assert!(
        rows[0].1.value == b && rows[1].1.value == a,
        "scan of large values"
    );
    commit_conflict(
        s,
        &[
            put(Table::SecretVersion, b"big2", &b, 1),
            check(Table::SecretVersion, b"big", 1),
        ],
    );
    assert_record(s, Table::SecretVersion, b"big2", &a, 1);
    commit_ok(s, &[del(Table::SecretVersion, b"big", 2)]);
    assert_absent(s, Table::SecretVersion, b"big");
}

/// Threads racing compare-and-swap on one key, used by the concurrency
/// checks.
const RACE_THREADS: usize = 8;

/// 8 threads on one handle race a CAS `Put` on one key for 1,000 rounds:
/// exactly one winner per round.
pub fn concurrent_cas_one_winner_per_round(fresh: Fresh<'_>) {
    let fx = fresh();
    let handles = vec![Arc::clone(fx.store()); RACE_THREADS];
    race_cas(&handles, 1000);
}

/// Each round: every thread reads the version, all meet at a barrier, all
/// try a `Put` expecting what they read, all meet again. Asserts that
/// exactly one `Put` wins every round and that only `Conflict` is returned
/// to the losers.
fn race_cas(handles: &[Arc<dyn Store>], rounds: usize) {
    const KEY: &[u8] = b"race";
    let n = handles.len();
    let before_put = Barrier::new(n);
    let after_put = Barrier::new(n);
    let wins: Vec<AtomicU32> = (0..rounds).map(|_| AtomicU32::new(0)).collect();
    let failures: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let fail = |msg: String| {
        if let Ok(mut f) = failures.lock() {
            // Keep the report readable when every call fails.
            if f.len() < 20 {
                f.push(msg);
            }
        }
    };
    std::thread::scope(|scope| {
        for (id, store) in handles.iter().enumerate() {
            let (before_put, after_put, wins, fail) = (&before_put, &after_put, &wins, &fail);
            scope.spawn(move || {
                for (round, won) in wins.iter().enumerate() {
                    // On an error the thread keeps meeting the barriers (so
                    // no one hangs) but stops competing.
                    let read = match store.get(Table::Meta, KEY) {
                        Ok(r) => Some(r.map_or(0, |r| r.version.0)),
                        Err(e) => {
                            fail(format!("thread {id} round {round}: get: {e}"));
                            None
                        }
                    };
                    before_put.wait();
                    if let Some(v) = read {
                        let value = format!("{id}:{round}");
                        match store.commit(&[put(Table::Meta, KEY, value.as_bytes(), v)]) {
                            Ok(()) => {
                                won.fetch_add(1, Ordering::SeqCst);
                            }
                            Err(StoreError::Conflict) => {}
                            Err(e) => fail(format!("thread {id} round {round}: commit: {e}")),
                        }
                    }
                    after_put.wait();
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap_or_else(|p| p.into_inner());
    assert!(
        failures.is_empty(),
        "store errors during the race: {failures:?}"
    );
    for (round, w) in wins.iter().enumerate() {
        let w = w.load(Ordering::SeqCst);
        assert_eq!(w, 1, "round {round} had {w} winners");
    }
    let rec = get(handles[0].as_ref(), Table::Meta, KEY).expect("race key written");
    assert_eq!(rec.version, Version(rounds as u64));
}

// ---------------------------------------------------------------------------
// Checks on durable stores
// ---------------------------------------------------------------------------

/// Committed data (values, versions, deletions, every table, large values)
/// survives dropping every handle and opening the storage again, and CAS
/// continues from the persisted versions.
pub fn persists_across_reopen(open: Open<'_>) {
    let dir = TempDir::new();
    let big: Vec<u8> = (0..(1usize << 20)).map(|i| (i * 13 + 1) as u8).collect();
    {
        let s = open(dir.path());
        let s = s.as_ref();
        commit_ok(s, &[put(Table::Secret, b"k", b"v1", 0)]);
        commit_ok(s, &[put(Table::Secret, b"k", b"v2", 1)]);
        commit_ok(s, &[put(Table::Secret, b"k", b"v3", 2)]);
        commit_ok(
            s,
            &[
                put(Table::Kms, b"kek", b"\x00key\xff", 0),
                put(Table::Meta, b"gone", b"x", 0),
                put(Table::SecretVersion, b"big", &big, 0),
                put(Table::Audit, b"", b"", 0),
            ],
        );
        commit_ok(s, &[del(Table::Meta, b"gone", 1)]);
        commit_conflict(s, &[put(Table::Secret, b"k", b"lost", 1)]);
    }
    {
        let s = open(dir.path());
        let s = s.as_ref();
        assert_record(s, Table::Secret, b"k", b"v3", 3);
        assert_record(s, Table::Kms, b"kek", b"\x00key\xff", 1);
        assert_record(s, Table::SecretVersion, b"big", &big, 1);
        assert_record(s, Table::Audit, b"", b"", 1);
        assert_absent(s, Table::Meta, b"gone");
        assert_eq!(snapshot(s).len(), 4);
        commit_conflict(s, &[put(Table::Secret, b"k", b"stale", 2)]);
        commit_ok(s, &[put(Table::Secret, b"k", b"v4", 3)]);
    }
    let s = open(dir.path());
    assert_record(s.as_ref(), Table::Secret, b"k", b"v4", 4);
}

/// Two handles opened on the same storage see each other's commits at
/// once, and their compare-and-swap excludes each other.
pub fn handles_share_storage(open: Open<'_>) {
    let dir = TempDir::new();
    let a = open(dir.path());
    let b = open(dir.path());
    let (a, b) = (a.as_ref(), b.as_ref());
    commit_ok(a, &[put(Table::Secret, b"k", b"from a", 0)]);
    assert_record(b, Table::Secret, b"k", b"from a", 1);
    assert_eq!(
        keys_of(&scan(b, Table::Secret, b"", None, 10)),
        vec![b"k".to_vec()]
    );
    commit_conflict(b, &[put(Table::Secret, b"k", b"stale", 0)]);
    commit_ok(b, &[put(Table::Secret, b"k", b"from b", 1)]);
    assert_record(a, Table::Secret, b"k", b"from b", 2);
    commit_conflict(a, &[put(Table::Secret, b"k", b"stale", 1)]);
    commit_ok(a, &[del(Table::Secret, b"k", 2)]);
    assert_absent(b, Table::Secret, b"k");
}

/// 8 threads, each with its own handle on one storage, race a CAS `Put` on
/// one key for 1,000 rounds: exactly one winner per round. This proves the
/// exclusion holds across connections, not just inside one handle.
pub fn concurrent_cas_across_handles(open: Open<'_>) {
    let dir = TempDir::new();
    let handles: Vec<Arc<dyn Store>> = (0..RACE_THREADS).map(|_| open(dir.path())).collect();
    race_cas(&handles, 1000);
}
