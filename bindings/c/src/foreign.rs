//! Stores, key managers and clocks implemented in C, through vtables of
//! function pointers with a `userdata` pointer, and the Store conformance
//! runner for them.
//!
//! Callbacks:
//! - receive `userdata` first and a `credcycle_value_out *out` last;
//! - return `CREDCYCLE_RESULT_OK` or an error code (see each vtable);
//! - hand values back by calling the `credcycle_value_*` setters on `out`,
//!   which is valid only during the callback; byte and string arguments are
//!   likewise valid only during the callback (copy what you keep);
//! - may run on any thread, concurrently, and must not call back into the
//!   engine (that could deadlock).
//!
//! On error a callback may call `credcycle_value_set_message` to keep a
//! message in the engine's error (never put secrets in it).

use std::ffi::{CString, c_char, c_void};
use std::sync::Arc;

use credcycle_facade::conformance::run_store_conformance;
use credcycle_facade::error::static_message;
use credcycle_facade::{
    ForeignClock, ForeignError, ForeignKeyManager, ForeignStore, KeyInfo, ScanEntry, StoreOp,
    StoreOpKind, StoredRecord, WrappedKeyData,
};
use zeroize::Zeroizing;

use crate::error::{
    CREDCYCLE_RESULT_CALLBACK_CONTRACT, CREDCYCLE_RESULT_NULL_PARAMETER, CREDCYCLE_RESULT_OK,
    credcycle_result,
};
use crate::ffi::{
    Castable, OwnershipBox, require, require_out, set_out, to_boxed_mut_ptr, tri, try_mut_from_ptr,
    try_opt_str, try_slice, try_str,
};
use crate::panic::ffi_panic_boundary;
use crate::types::credcycle_conformance_report;

/// What a callback hands back through its `credcycle_value_out`.
#[derive(Default)]
pub(crate) struct ValueOut {
    bytes: Option<Zeroizing<Vec<u8>>>,
    version: Option<u64>,
    rows: Vec<ScanEntry>,
    keys: Vec<KeyInfo>,
    wrapped: Option<WrappedKeyData>,
    message: Option<String>,
}

/// The place a callback writes its result to. Owned by the library and
/// valid only during the callback that received it; not thread-safe: use
/// it only from that callback's thread.
pub struct credcycle_value_out {
    _private: [u8; 0],
}

impl Castable for credcycle_value_out {
    type Ownership = OwnershipBox;
    type RustType = ValueOut;
}

fn with_out(
    out: *mut credcycle_value_out,
    f: impl FnOnce(&mut ValueOut) -> credcycle_result,
) -> credcycle_result {
    // SAFETY: NULL or the live `out` of the running callback (the C
    // contract); only that callback's thread uses it.
    let o = require!(unsafe { try_mut_from_ptr(out) });
    f(o)
}

/// Sets the bytes a callback returns (a store `get` value without version,
/// an unwrapped data key, a signature, a public key). The bytes are copied.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_value_set(
    out: *mut credcycle_value_out,
    data: *const u8,
    len: usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: `len` readable bytes (the C contract).
        let bytes = tri!(unsafe { try_slice(data, len) });
        with_out(out, |o| {
            o.bytes = Some(Zeroizing::new(bytes.to_vec()));
            CREDCYCLE_RESULT_OK
        })
    }
}

/// Sets the record a store `get` found: its value and version (≥ 1). Not
/// calling it means "absent".
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_value_set_record(
    out: *mut credcycle_value_out,
    value: *const u8,
    value_len: usize,
    version: u64,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: `value_len` readable bytes (the C contract).
        let value = tri!(unsafe { try_slice(value, value_len) });
        with_out(out, |o| {
            o.bytes = Some(Zeroizing::new(value.to_vec()));
            o.version = Some(version);
            CREDCYCLE_RESULT_OK
        })
    }
}

/// Appends one row to a store `scan` result (call it per row, in ascending
/// key order).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_value_push_row(
    out: *mut credcycle_value_out,
    key: *const u8,
    key_len: usize,
    value: *const u8,
    value_len: usize,
    version: u64,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: readable bytes (the C contract).
        let key = tri!(unsafe { try_slice(key, key_len) });
        // SAFETY: as above.
        let value = tri!(unsafe { try_slice(value, value_len) });
        with_out(out, |o| {
            o.rows.push(ScanEntry { key: key.to_vec(), value: value.to_vec(), version });
            CREDCYCLE_RESULT_OK
        })
    }
}

/// Adds a key's information to a key-manager result: once for
/// `create_key`, `key_info` (not calling it means "no such key"),
/// `rotate_key` and `set_key_state`; once per key, ordered by id, for
/// `list_keys`. Strings are NUL-terminated: `purpose` `wrap`/`sign`,
/// `algorithm` `aes256gcm`/`p256`/`ed25519`, `state`
/// `ENABLED`/`DISABLED`/`PENDING_DELETION`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_value_add_key_info(
    out: *mut credcycle_value_out,
    id: *const c_char,
    purpose: *const c_char,
    algorithm: *const c_char,
    primary_version: u32,
    versions: u32,
    state: *const c_char,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NUL-terminated strings (the C contract).
        let (id, purpose, algorithm, state) = unsafe {
            (tri!(try_str(id)), tri!(try_str(purpose)), tri!(try_str(algorithm)), tri!(try_str(state)))
        };
        with_out(out, |o| {
            o.keys.push(KeyInfo {
                id: id.to_owned(),
                purpose: purpose.to_owned(),
                algorithm: algorithm.to_owned(),
                primary_version,
                versions,
                state: state.to_owned(),
            });
            CREDCYCLE_RESULT_OK
        })
    }
}

/// Sets the result of a key-manager `wrap`: the wrapping key's id
/// (NUL-terminated), the key version used, and the wrapped bytes.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_value_set_wrapped(
    out: *mut credcycle_value_out,
    key_id: *const c_char,
    key_version: u32,
    ciphertext: *const u8,
    ciphertext_len: usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: a NUL-terminated string and readable bytes (the C contract).
        let key = tri!(unsafe { try_str(key_id) });
        // SAFETY: as above.
        let ct = tri!(unsafe { try_slice(ciphertext, ciphertext_len) });
        with_out(out, |o| {
            o.wrapped = Some(WrappedKeyData { key: key.to_owned(), version: key_version, ciphertext: ct.to_vec() });
            CREDCYCLE_RESULT_OK
        })
    }
}

/// Sets the message of a failing callback (NUL-terminated; kept in the
/// engine's backend error). Never include secrets.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_value_set_message(
    out: *mut credcycle_value_out,
    message: *const c_char,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let m = tri!(unsafe { try_opt_str(message) }).unwrap_or_default();
        with_out(out, |o| {
            o.message = Some(m.to_owned());
            CREDCYCLE_RESULT_OK
        })
    }
}

/// Runs `f` with a fresh `credcycle_value_out` and maps its result.
fn call(
    f: impl FnOnce(*mut credcycle_value_out) -> credcycle_result,
) -> Result<ValueOut, ForeignError> {
    let mut out = ValueOut::default();
    let r = f((&raw mut out).cast::<credcycle_value_out>());
    if r == CREDCYCLE_RESULT_OK {
        Ok(out)
    } else {
        let message = out.message.unwrap_or_else(|| static_message(r).to_owned());
        Err(ForeignError::new(r, message))
    }
}

fn cstring(s: &str) -> Result<CString, ForeignError> {
    CString::new(s).map_err(|_| ForeignError::contract("string argument contains NUL"))
}

/// A `(ptr, len)` view of a slice for C (never NULL).
fn c_bytes(b: &[u8]) -> (*const u8, usize) {
    (b.as_ptr(), b.len())
}

// ---------------------------------------------------------------------------
// Store
// ---------------------------------------------------------------------------

/// `credcycle_store_op.kind` of a write.
pub const CREDCYCLE_STORE_OP_PUT: u32 = 1;
/// `credcycle_store_op.kind` of a delete.
pub const CREDCYCLE_STORE_OP_DELETE: u32 = 2;
/// `credcycle_store_op.kind` of a version check that writes nothing.
pub const CREDCYCLE_STORE_OP_CHECK: u32 = 3;

/// One operation of a store `commit` batch. Pointers are valid only during
/// the callback.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct credcycle_store_op {
    /// `CREDCYCLE_STORE_OP_PUT`, `_DELETE` or `_CHECK`.
    pub kind: u32,
    /// The table number.
    pub table: u32,
    /// The key.
    pub key: *const u8,
    /// The key's length.
    pub key_len: usize,
    /// The new value (`PUT` only; length 0 otherwise).
    pub value: *const u8,
    /// The value's length.
    pub value_len: usize,
    /// The version the engine read (0 = must be absent). A `PUT` stores
    /// `expect + 1`.
    pub expect: u64,
}

/// A store implemented in C. The contract is the engine's `Store`:
///
/// - `get`: call `credcycle_value_set_record` if the record exists; return
///   OK either way. Errors mean the backend failed.
/// - `scan`: rows of `table` whose key starts with `prefix`, ascending by
///   key bytes, strictly after `after` when `has_after`, at most `limit`;
///   push each with `credcycle_value_push_row`.
/// - `commit`: apply all operations or none. If any `expect` differs from
///   the record's version (absent = 0), or a batch names one (table, key)
///   twice, return `CREDCYCLE_RESULT_CONFLICT` and write nothing.
///   `CREDCYCLE_RESULT_STORE_UNAVAILABLE` means retryable; any other code is
///   a backend failure.
/// - Thread-safe: callbacks run concurrently on any thread.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct credcycle_store_vtable {
    /// Passed as the first argument of every callback.
    pub userdata: *mut c_void,
    /// Reads one record.
    pub get: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            table: u32,
            key: *const u8,
            key_len: usize,
            out: *mut credcycle_value_out,
        ) -> credcycle_result,
    >,
    /// Reads a range of records.
    pub scan: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            table: u32,
            prefix: *const u8,
            prefix_len: usize,
            has_after: bool,
            after: *const u8,
            after_len: usize,
            limit: u32,
            out: *mut credcycle_value_out,
        ) -> credcycle_result,
    >,
    /// Applies a batch atomically.
    pub commit: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            ops: *const credcycle_store_op,
            n_ops: usize,
            out: *mut credcycle_value_out,
        ) -> credcycle_result,
    >,
    /// Called once with `userdata` when the store is no longer used (may be
    /// NULL).
    pub free_userdata: Option<unsafe extern "C" fn(userdata: *mut c_void)>,
}

/// A C store as a facade `ForeignStore`.
pub(crate) struct CForeignStore {
    vt: credcycle_store_vtable,
}

// SAFETY: the vtable's contract requires thread-safe callbacks and userdata.
unsafe impl Send for CForeignStore {}
// SAFETY: as above.
unsafe impl Sync for CForeignStore {}

impl CForeignStore {
    pub(crate) fn new(vt: credcycle_store_vtable) -> Result<Self, credcycle_result> {
        if vt.get.is_none() || vt.scan.is_none() || vt.commit.is_none() {
            return Err(CREDCYCLE_RESULT_NULL_PARAMETER);
        }
        Ok(CForeignStore { vt })
    }
}

impl Drop for CForeignStore {
    fn drop(&mut self) {
        if let Some(f) = self.vt.free_userdata {
            // SAFETY: called once, as the vtable's contract says.
            unsafe { f(self.vt.userdata) }
        }
    }
}

impl ForeignStore for CForeignStore {
    fn get(&self, table: u32, key: &[u8]) -> Result<Option<StoredRecord>, ForeignError> {
        let f = self
            .vt
            .get
            .ok_or_else(|| ForeignError::contract("get missing"))?;
        let (k, kl) = c_bytes(key);
        // SAFETY: the C callback's contract; arguments live for the call.
        let out = call(|o| unsafe { f(self.vt.userdata, table, k, kl, o) })?;
        match (out.bytes, out.version) {
            (Some(v), Some(n)) => Ok(Some(StoredRecord {
                value: v.to_vec(),
                version: n,
            })),
            (None, None) => Ok(None),
            _ => Err(ForeignError::contract(
                "store get set a value without a version",
            )),
        }
    }

    fn scan(
        &self,
        table: u32,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: u32,
    ) -> Result<Vec<ScanEntry>, ForeignError> {
        let f = self
            .vt
            .scan
            .ok_or_else(|| ForeignError::contract("scan missing"))?;
        let (p, pl) = c_bytes(prefix);
        let (a, al) = c_bytes(after.unwrap_or(&[]));
        // SAFETY: the C callback's contract; arguments live for the call.
        let out = call(|o| unsafe {
            f(
                self.vt.userdata,
                table,
                p,
                pl,
                after.is_some(),
                a,
                al,
                limit,
                o,
            )
        })?;
        Ok(out.rows)
    }

    fn commit(&self, ops: &[StoreOp]) -> Result<(), ForeignError> {
        let f = self
            .vt
            .commit
            .ok_or_else(|| ForeignError::contract("commit missing"))?;
        let c_ops: Vec<credcycle_store_op> = ops
            .iter()
            .map(|op| credcycle_store_op {
                kind: match op.kind {
                    StoreOpKind::Put => CREDCYCLE_STORE_OP_PUT,
                    StoreOpKind::Delete => CREDCYCLE_STORE_OP_DELETE,
                    StoreOpKind::Check => CREDCYCLE_STORE_OP_CHECK,
                },
                table: op.table,
                key: op.key.as_ptr(),
                key_len: op.key.len(),
                value: op.value.as_ptr(),
                value_len: op.value.len(),
                expect: op.expect,
            })
            .collect();
        // SAFETY: the C callback's contract; `ops` outlives the call.
        call(|o| unsafe { f(self.vt.userdata, c_ops.as_ptr(), c_ops.len(), o) })?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// KeyManager
// ---------------------------------------------------------------------------

/// A key manager implemented in C. The contract is the engine's
/// `KeyManager`; strings are NUL-terminated. Results go through `out`:
/// key information with `credcycle_value_add_key_info`, `wrap` results with
/// `credcycle_value_set_wrapped`, bytes with `credcycle_value_set`.
///
/// Error codes with a meaning: `KEY_NOT_FOUND`, `KEY_EXISTS`, `KEY_STATE`
/// (message = the key's state), `KEY_PURPOSE` (message = the key's
/// purpose), `INVALID_INPUT`, `VERIFICATION_FAILED` (unwrap did not
/// authenticate), `KMS_UNAVAILABLE`; anything else is a backend failure.
/// Thread-safe: callbacks run concurrently on any thread.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct credcycle_key_manager_vtable {
    /// Passed as the first argument of every callback.
    pub userdata: *mut c_void,
    /// Creates key `id` (version 1) with `algorithm`.
    pub create_key: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            id: *const c_char,
            algorithm: *const c_char,
            out: *mut credcycle_value_out,
        ) -> credcycle_result,
    >,
    /// Describes key `id`, or adds nothing when there is none.
    pub key_info: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            id: *const c_char,
            out: *mut credcycle_value_out,
        ) -> credcycle_result,
    >,
    /// Describes every key, ordered by id.
    pub list_keys: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            out: *mut credcycle_value_out,
        ) -> credcycle_result,
    >,
    /// Adds a version to key `id` and makes it primary.
    pub rotate_key: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            id: *const c_char,
            out: *mut credcycle_value_out,
        ) -> credcycle_result,
    >,
    /// Moves key `id` to `state`.
    pub set_key_state: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            id: *const c_char,
            state: *const c_char,
            out: *mut credcycle_value_out,
        ) -> credcycle_result,
    >,
    /// Wraps the data key `dek` with the primary version of `id`, binding
    /// `aad`; randomized.
    pub wrap: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            id: *const c_char,
            dek: *const u8,
            dek_len: usize,
            aad: *const u8,
            aad_len: usize,
            out: *mut credcycle_value_out,
        ) -> credcycle_result,
    >,
    /// Unwraps what `wrap` made with key `key_id` version `key_version`.
    pub unwrap: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            key_id: *const c_char,
            key_version: u32,
            ciphertext: *const u8,
            ciphertext_len: usize,
            aad: *const u8,
            aad_len: usize,
            out: *mut credcycle_value_out,
        ) -> credcycle_result,
    >,
    /// Signs `msg` with the primary version of signing key `id`.
    pub sign: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            id: *const c_char,
            msg: *const u8,
            msg_len: usize,
            out: *mut credcycle_value_out,
        ) -> credcycle_result,
    >,
    /// The SubjectPublicKeyInfo (DER) of signing key `id`.
    pub public_key: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            id: *const c_char,
            out: *mut credcycle_value_out,
        ) -> credcycle_result,
    >,
    /// Called once with `userdata` when the key manager is no longer used
    /// (may be NULL).
    pub free_userdata: Option<unsafe extern "C" fn(userdata: *mut c_void)>,
}

/// A C key manager as a facade `ForeignKeyManager`.
pub(crate) struct CForeignKeyManager {
    vt: credcycle_key_manager_vtable,
}

// SAFETY: the vtable's contract requires thread-safe callbacks and userdata.
unsafe impl Send for CForeignKeyManager {}
// SAFETY: as above.
unsafe impl Sync for CForeignKeyManager {}

impl Drop for CForeignKeyManager {
    fn drop(&mut self) {
        if let Some(f) = self.vt.free_userdata {
            // SAFETY: called once, as the vtable's contract says.
            unsafe { f(self.vt.userdata) }
        }
    }
}

fn missing(name: &str) -> ForeignError {
    ForeignError::contract(format!("{name} callback missing"))
}

fn one_key(out: ValueOut) -> Result<KeyInfo, ForeignError> {
    let mut keys = out.keys;
    match (keys.pop(), keys.is_empty()) {
        (Some(k), true) => Ok(k),
        _ => Err(ForeignError::contract(
            "key manager callback must add exactly one key info",
        )),
    }
}

fn some_bytes(out: ValueOut) -> Result<Vec<u8>, ForeignError> {
    out.bytes
        .map(|b| b.to_vec())
        .ok_or_else(|| ForeignError::contract("key manager callback set no bytes"))
}

impl CForeignKeyManager {
    pub(crate) fn new(vt: credcycle_key_manager_vtable) -> Result<Self, credcycle_result> {
        let complete = vt.create_key.is_some()
            && vt.key_info.is_some()
            && vt.list_keys.is_some()
            && vt.rotate_key.is_some()
            && vt.set_key_state.is_some()
            && vt.wrap.is_some()
            && vt.unwrap.is_some()
            && vt.sign.is_some()
            && vt.public_key.is_some();
        if !complete {
            return Err(CREDCYCLE_RESULT_NULL_PARAMETER);
        }
        Ok(CForeignKeyManager { vt })
    }

    fn id_call(
        &self,
        f: Option<
            unsafe extern "C" fn(
                *mut c_void,
                *const c_char,
                *mut credcycle_value_out,
            ) -> credcycle_result,
        >,
        name: &str,
        id: &str,
    ) -> Result<ValueOut, ForeignError> {
        let f = f.ok_or_else(|| missing(name))?;
        let id = cstring(id)?;
        // SAFETY: the C callback's contract; arguments live for the call.
        call(|o| unsafe { f(self.vt.userdata, id.as_ptr(), o) })
    }
}

impl ForeignKeyManager for CForeignKeyManager {
    fn create_key(&self, id: &str, algorithm: &str) -> Result<KeyInfo, ForeignError> {
        let f = self.vt.create_key.ok_or_else(|| missing("create_key"))?;
        let (id, alg) = (cstring(id)?, cstring(algorithm)?);
        // SAFETY: the C callback's contract; arguments live for the call.
        one_key(call(|o| unsafe {
            f(self.vt.userdata, id.as_ptr(), alg.as_ptr(), o)
        })?)
    }

    fn key_info(&self, id: &str) -> Result<Option<KeyInfo>, ForeignError> {
        let out = self.id_call(self.vt.key_info, "key_info", id)?;
        if out.keys.is_empty() {
            Ok(None)
        } else {
            one_key(out).map(Some)
        }
    }

    fn list_keys(&self) -> Result<Vec<KeyInfo>, ForeignError> {
        let f = self.vt.list_keys.ok_or_else(|| missing("list_keys"))?;
        // SAFETY: the C callback's contract.
        Ok(call(|o| unsafe { f(self.vt.userdata, o) })?.keys)
    }

    fn rotate_key(&self, id: &str) -> Result<KeyInfo, ForeignError> {
        one_key(self.id_call(self.vt.rotate_key, "rotate_key", id)?)
    }

    fn set_key_state(&self, id: &str, state: &str) -> Result<KeyInfo, ForeignError> {
        let f = self
            .vt
            .set_key_state
            .ok_or_else(|| missing("set_key_state"))?;
        let (id, st) = (cstring(id)?, cstring(state)?);
        // SAFETY: the C callback's contract; arguments live for the call.
        one_key(call(|o| unsafe {
            f(self.vt.userdata, id.as_ptr(), st.as_ptr(), o)
        })?)
    }

    fn wrap(&self, id: &str, dek: &[u8], aad: &[u8]) -> Result<WrappedKeyData, ForeignError> {
        let f = self.vt.wrap.ok_or_else(|| missing("wrap"))?;
        let id = cstring(id)?;
        let ((d, dl), (a, al)) = (c_bytes(dek), c_bytes(aad));
        // SAFETY: the C callback's contract; arguments live for the call.
        let out = call(|o| unsafe { f(self.vt.userdata, id.as_ptr(), d, dl, a, al, o) })?;
        out.wrapped
            .ok_or_else(|| ForeignError::contract("wrap callback set no wrapped key"))
    }

    fn unwrap(&self, w: &WrappedKeyData, aad: &[u8]) -> Result<Vec<u8>, ForeignError> {
        let f = self.vt.unwrap.ok_or_else(|| missing("unwrap"))?;
        let id = cstring(&w.key)?;
        let ((c, cl), (a, al)) = (c_bytes(&w.ciphertext), c_bytes(aad));
        // SAFETY: the C callback's contract; arguments live for the call.
        some_bytes(call(|o| unsafe {
            f(self.vt.userdata, id.as_ptr(), w.version, c, cl, a, al, o)
        })?)
    }

    fn sign(&self, id: &str, msg: &[u8]) -> Result<Vec<u8>, ForeignError> {
        let f = self.vt.sign.ok_or_else(|| missing("sign"))?;
        let id = cstring(id)?;
        let (m, ml) = c_bytes(msg);
        // SAFETY: the C callback's contract; arguments live for the call.
        some_bytes(call(|o| unsafe {
            f(self.vt.userdata, id.as_ptr(), m, ml, o)
        })?)
    }

    fn public_key(&self, id: &str) -> Result<Vec<u8>, ForeignError> {
        some_bytes(self.id_call(self.vt.public_key, "public_key", id)?)
    }
}

// ---------------------------------------------------------------------------
// Clock
// ---------------------------------------------------------------------------

/// A clock implemented in C: `now` returns seconds since the Unix epoch.
/// Called concurrently from any thread.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct credcycle_clock_vtable {
    /// Passed to `now` and `free_userdata`.
    pub userdata: *mut c_void,
    /// The current time.
    pub now: Option<unsafe extern "C" fn(userdata: *mut c_void) -> i64>,
    /// Called once with `userdata` when the clock is no longer used (may be
    /// NULL).
    pub free_userdata: Option<unsafe extern "C" fn(userdata: *mut c_void)>,
}

/// A C clock as a facade `ForeignClock`.
pub(crate) struct CForeignClock {
    vt: credcycle_clock_vtable,
}

// SAFETY: the vtable's contract requires a thread-safe callback.
unsafe impl Send for CForeignClock {}
// SAFETY: as above.
unsafe impl Sync for CForeignClock {}

impl CForeignClock {
    pub(crate) fn new(vt: credcycle_clock_vtable) -> Result<Self, credcycle_result> {
        if vt.now.is_none() {
            return Err(CREDCYCLE_RESULT_NULL_PARAMETER);
        }
        Ok(CForeignClock { vt })
    }
}

impl Drop for CForeignClock {
    fn drop(&mut self) {
        if let Some(f) = self.vt.free_userdata {
            // SAFETY: called once, as the vtable's contract says.
            unsafe { f(self.vt.userdata) }
        }
    }
}

impl ForeignClock for CForeignClock {
    fn now(&self) -> i64 {
        match self.vt.now {
            // SAFETY: the C callback's contract.
            Some(f) => unsafe { f(self.vt.userdata) },
            None => 0,
        }
    }
}

// ---------------------------------------------------------------------------
// Conformance
// ---------------------------------------------------------------------------

/// Makes a new, empty C store for one conformance scenario: fills
/// `*out_vtable` and returns `CREDCYCLE_RESULT_OK`. The runner owns the
/// store from then on (its `free_userdata` runs after the scenario).
pub type credcycle_store_factory = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        out_vtable: *mut credcycle_store_vtable,
    ) -> credcycle_result,
>;

/// A store whose every call fails (stands for a factory that failed).
struct FailedStore(credcycle_result);

impl ForeignStore for FailedStore {
    fn get(&self, _: u32, _: &[u8]) -> Result<Option<StoredRecord>, ForeignError> {
        Err(ForeignError::new(self.0, "store factory failed"))
    }
    fn scan(
        &self,
        _: u32,
        _: &[u8],
        _: Option<&[u8]>,
        _: u32,
    ) -> Result<Vec<ScanEntry>, ForeignError> {
        Err(ForeignError::new(self.0, "store factory failed"))
    }
    fn commit(&self, _: &[StoreOp]) -> Result<(), ForeignError> {
        Err(ForeignError::new(self.0, "store factory failed"))
    }
}

struct FactoryUserdata(*mut c_void);
// SAFETY: the factory's contract: it may be called from any thread.
unsafe impl Sync for FactoryUserdata {}
// SAFETY: as above.
unsafe impl Send for FactoryUserdata {}

/// Runs the engine's Store conformance scenarios against stores made by
/// `factory` (operation `testing.store_conformance`): every scenario, or
/// only the one named `only` (NUL-terminated; NULL = all). Scenarios use up
/// to 8 threads at once. Writes a report (free with
/// `credcycle_conformance_report_free`); the call itself succeeds even when
/// scenarios fail.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_store_conformance_run(
    factory: credcycle_store_factory,
    userdata: *mut c_void,
    only: *const c_char,
    out_report: *mut *mut credcycle_conformance_report,
) -> credcycle_result {
    ffi_panic_boundary! {
        let make = require!(factory);
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let only = tri!(unsafe { try_opt_str(only) }).map(|s| vec![s.to_owned()]);
        require_out!(out_report);
        let ud = FactoryUserdata(userdata);
        let fresh = || -> Arc<dyn ForeignStore> {
            let ud = &ud;
            let mut vt = credcycle_store_vtable {
                userdata: std::ptr::null_mut(),
                get: None,
                scan: None,
                commit: None,
                free_userdata: None,
            };
            // SAFETY: the factory's contract.
            let r = unsafe { make(ud.0, &raw mut vt) };
            if r != CREDCYCLE_RESULT_OK {
                return Arc::new(FailedStore(r));
            }
            match CForeignStore::new(vt) {
                Ok(s) => Arc::new(s),
                Err(_) => Arc::new(FailedStore(CREDCYCLE_RESULT_CALLBACK_CONTRACT)),
            }
        };
        let report = run_store_conformance(&fresh, only.as_deref());
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_report, to_boxed_mut_ptr::<credcycle_conformance_report>(report)) }
    }
}

/// Makes a new, empty C key manager for one conformance scenario: fills
/// `*out_vtable` and returns `CREDCYCLE_RESULT_OK`. The runner owns it from
/// then on (its `free_userdata` runs after the scenario).
pub type credcycle_key_manager_factory = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        out_vtable: *mut credcycle_key_manager_vtable,
    ) -> credcycle_result,
>;

/// Runs the KeyManager conformance scenarios (key info and order,
/// duplicates, wrap/unwrap bound to the AAD, rotation, states both ways,
/// purposes, signatures checked against the public key) against key
/// managers made by `factory` (operation `testing.kms_conformance`): every
/// scenario, or only the one named `only` (NUL-terminated; NULL = all).
/// Writes a report (free with `credcycle_conformance_report_free`); the
/// call succeeds even when scenarios fail. A factory that fails, or fills
/// an incomplete vtable, fails that scenario with a message naming it.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_kms_conformance_run(
    factory: credcycle_key_manager_factory,
    userdata: *mut c_void,
    only: *const c_char,
    out_report: *mut *mut credcycle_conformance_report,
) -> credcycle_result {
    ffi_panic_boundary! {
        let make = require!(factory);
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let only = tri!(unsafe { try_opt_str(only) }).map(|s| vec![s.to_owned()]);
        require_out!(out_report);
        let ud = FactoryUserdata(userdata);
        let fresh = || -> Arc<dyn ForeignKeyManager> {
            let ud = &ud;
            // SAFETY: every field is a raw pointer or an `Option` of a
            // function pointer, for which all-zero is NULL / `None`.
            let mut vt: credcycle_key_manager_vtable = unsafe { std::mem::zeroed() };
            // SAFETY: the factory's contract.
            let r = unsafe { make(ud.0, &raw mut vt) };
            // Inside the runner's unwind guard: a panic here fails only this
            // scenario, with this message.
            assert!(r == CREDCYCLE_RESULT_OK, "the key manager factory returned {r}");
            match CForeignKeyManager::new(vt) {
                Ok(k) => Arc::new(k),
                Err(code) => panic!("the key manager factory filled an incomplete vtable ({code})"),
            }
        };
        let report = credcycle_facade::kms_conformance::run_kms_conformance(&fresh, only.as_deref());
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_report, to_boxed_mut_ptr::<credcycle_conformance_report>(report)) }
    }
}
