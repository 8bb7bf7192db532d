//! Engine construction (`credcycle_engine_builder`), the engine handle, and
//! the key-manager and audit handles.
//!
//! Thread-safety: `credcycle_engine_builder` is single-owner and must not be
//! shared between threads without external locking. `credcycle_engine`,
//! `credcycle_kms`, `credcycle_secrets` and `credcycle_audit` are shared,
//! immutable and thread-safe: call them from any number of threads at once.

use std::ffi::c_char;
use std::sync::Arc;

use credcycle_facade::{
    Audit, Engine, EngineConfig, Kms, KmsConfig, Pkcs11Pin, PolicyConfig, StoreConfig,
};
use zeroize::Zeroizing;

use crate::error::{
    CREDCYCLE_RESULT_INVALID_INPUT, CREDCYCLE_RESULT_OK, credcycle_result, try_engine,
};
use crate::ffi::{
    Castable, OwnershipArc, OwnershipBox, free_arc, free_box, require, require_out, set_opt_out,
    set_out, to_arc_const_ptr, to_boxed_mut_ptr, tri, try_box_from_ptr, try_mut_from_ptr,
    try_opt_str, try_ref_from_ptr, try_slice, try_str, write_bytes_out, write_str_out,
};
use crate::foreign::{
    CForeignClock, CForeignKeyManager, CForeignStore, credcycle_clock_vtable,
    credcycle_key_manager_vtable, credcycle_store_vtable,
};
use crate::panic::ffi_panic_boundary;
use crate::types::{credcycle_audit_trail, credcycle_key_info, credcycle_key_info_list};

/// What the builder has collected so far.
#[derive(Default)]
pub(crate) struct BuilderState {
    store: Option<StoreConfig>,
    kms: Option<KmsConfig>,
    clock: Option<Arc<CForeignClock>>,
    policy: PolicyConfig,
}

/// Collects the configuration of an engine. Single-owner, not thread-safe.
/// Made by `credcycle_engine_builder_new`; consumed by
/// `credcycle_engine_builder_build` or freed by `credcycle_engine_builder_free`.
pub struct credcycle_engine_builder {
    _private: [u8; 0],
}

impl Castable for credcycle_engine_builder {
    type Ownership = OwnershipBox;
    type RustType = BuilderState;
}

/// The engine. Shared and thread-safe; free with `credcycle_engine_free`
/// (handles made from it keep the engine alive on their own).
pub struct credcycle_engine {
    _private: [u8; 0],
}

impl Castable for credcycle_engine {
    type Ownership = OwnershipArc;
    type RustType = Engine;
}

/// The engine's key manager. Shared and thread-safe; free with
/// `credcycle_kms_free`.
pub struct credcycle_kms {
    _private: [u8; 0],
}

impl Castable for credcycle_kms {
    type Ownership = OwnershipArc;
    type RustType = Kms;
}

/// The audit trails of one tenant. Shared and thread-safe; free with
/// `credcycle_audit_free`.
pub struct credcycle_audit {
    _private: [u8; 0],
}

impl Castable for credcycle_audit {
    type Ownership = OwnershipArc;
    type RustType = Audit;
}

// ---------------------------------------------------------------------------
// Builder
// ---------------------------------------------------------------------------

/// Makes an empty builder. A store and a key manager must be set before
/// `credcycle_engine_builder_build`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_builder_new(
    out_builder: *mut *mut credcycle_engine_builder,
) -> credcycle_result {
    ffi_panic_boundary! {
        require_out!(out_builder);
        let b = to_boxed_mut_ptr::<credcycle_engine_builder>(BuilderState::default());
        // SAFETY: checked non-NULL; the caller provides a writable pointer.
        unsafe { set_out(out_builder, b) }
    }
}

/// Frees a builder that was not built (and any custom store, key manager or
/// clock it holds: their `free_userdata` runs). NULL is a no-op.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_builder_free(builder: *mut credcycle_engine_builder) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or a builder from this library, not used again.
        unsafe { free_box(builder) }
    }
}

fn with_builder(
    builder: *mut credcycle_engine_builder,
    f: impl FnOnce(&mut BuilderState) -> credcycle_result,
) -> credcycle_result {
    // SAFETY: NULL or a live builder used by one thread (the C contract).
    let b = require!(unsafe { try_mut_from_ptr(builder) });
    f(b)
}

/// Keeps records in memory (not durable).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_builder_set_store_memory(
    builder: *mut credcycle_engine_builder,
) -> credcycle_result {
    ffi_panic_boundary! {
        with_builder(builder, |b| {
            b.store = Some(StoreConfig::Memory);
            CREDCYCLE_RESULT_OK
        })
    }
}

/// Keeps records in the SQLite database file `path` (NUL-terminated UTF-8;
/// created if missing). The file is opened by `_build`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_builder_set_store_sqlite(
    builder: *mut credcycle_engine_builder,
    path: *const c_char,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let path = tri!(unsafe { try_str(path) });
        with_builder(builder, |b| {
            b.store = Some(StoreConfig::Sqlite { path: path.to_owned() });
            CREDCYCLE_RESULT_OK
        })
    }
}

/// Keeps records in the PostgreSQL database at `url`
/// (`postgres://[user[:password]@]host[:port]/db`; `sslmode=require` and
/// `sslrootcert=` honoured; NUL-terminated). The schema is created if
/// missing. `_build` connects; the URL is never shown in errors.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_builder_set_store_postgres(
    builder: *mut credcycle_engine_builder,
    url: *const c_char,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let url = tri!(unsafe { try_str(url) });
        with_builder(builder, |b| {
            b.store = Some(StoreConfig::Postgres { url: url.to_owned() });
            CREDCYCLE_RESULT_OK
        })
    }
}

/// Uses a store implemented in C. The vtable is copied; on success the
/// builder (and then the engine) owns `vtable->userdata` and calls
/// `free_userdata` (if set) once the last user is gone. `get`, `scan` and
/// `commit` must be set.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_builder_set_store_custom(
    builder: *mut credcycle_engine_builder,
    vtable: *const credcycle_store_vtable,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a readable vtable (the C contract).
        let vt = require!(unsafe { vtable.as_ref() });
        with_builder(builder, |b| {
            let store = tri!(CForeignStore::new(*vt));
            b.store = Some(StoreConfig::Foreign(Arc::new(store)));
            CREDCYCLE_RESULT_OK
        })
    }
}

/// Uses the local key manager with the 32-byte root key at
/// `(root_key, root_key_len)` (copied; the copy is zeroized when the engine
/// goes). `INVALID_INPUT` unless it is 32 bytes.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_builder_set_kms_local(
    builder: *mut credcycle_engine_builder,
    root_key: *const u8,
    root_key_len: usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: `root_key_len` readable bytes (the C contract).
        let key = tri!(unsafe { try_slice(root_key, root_key_len) });
        if key.len() != 32 {
            return CREDCYCLE_RESULT_INVALID_INPUT;
        }
        with_builder(builder, |b| {
            b.kms = Some(KmsConfig::Local { root_key: Zeroizing::new(key.to_vec()) });
            CREDCYCLE_RESULT_OK
        })
    }
}

/// Uses a PKCS#11 token (an HSM, or SoftHSM2): keys never leave it.
/// `module` is the PKCS#11 library path and `token` the token label. The
/// user PIN is never passed through the API: set exactly one of `pin_env`
/// (the name of an environment variable holding it) and `pin_file` (a file
/// whose first line is the PIN). `namespace` (NULL: none; 1..=64 characters
/// of `[A-Za-z0-9_.-]`) keeps this engine's keys apart from other users of
/// the token. `_build` opens the token. `INVALID_INPUT` unless exactly one
/// PIN source is given.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_builder_set_kms_pkcs11(
    builder: *mut credcycle_engine_builder,
    module: *const c_char,
    token: *const c_char,
    pin_env: *const c_char,
    pin_file: *const c_char,
    namespace: *const c_char,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (module, token, env, file, ns) = unsafe {
            (
                tri!(try_str(module)),
                tri!(try_str(token)),
                tri!(try_opt_str(pin_env)),
                tri!(try_opt_str(pin_file)),
                tri!(try_opt_str(namespace)),
            )
        };
        let pin = match (env, file) {
            (Some(v), None) => Pkcs11Pin::Env(v.to_owned()),
            (None, Some(f)) => Pkcs11Pin::File(f.to_owned()),
            _ => return CREDCYCLE_RESULT_INVALID_INPUT,
        };
        with_builder(builder, |b| {
            b.kms = Some(KmsConfig::Pkcs11 {
                module: module.to_owned(),
                token: token.to_owned(),
                pin,
                namespace: ns.map(str::to_owned),
            });
            CREDCYCLE_RESULT_OK
        })
    }
}

/// Uses a key manager implemented in C. Ownership as for
/// `credcycle_engine_builder_set_store_custom`; every function pointer
/// except `free_userdata` must be set.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_builder_set_kms_custom(
    builder: *mut credcycle_engine_builder,
    vtable: *const credcycle_key_manager_vtable,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a readable vtable (the C contract).
        let vt = require!(unsafe { vtable.as_ref() });
        with_builder(builder, |b| {
            let km = tri!(CForeignKeyManager::new(*vt));
            b.kms = Some(KmsConfig::Foreign(Arc::new(km)));
            CREDCYCLE_RESULT_OK
        })
    }
}

/// Uses a clock implemented in C instead of the system clock (tests,
/// simulations). Ownership as for `credcycle_engine_builder_set_store_custom`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_builder_set_clock_custom(
    builder: *mut credcycle_engine_builder,
    vtable: *const credcycle_clock_vtable,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a readable vtable (the C contract).
        let vt = require!(unsafe { vtable.as_ref() });
        with_builder(builder, |b| {
            b.clock = Some(Arc::new(tri!(CForeignClock::new(*vt))));
            CREDCYCLE_RESULT_OK
        })
    }
}

/// Policy: the wrap key used when a secret names none (default `default`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_builder_set_default_kms_key(
    builder: *mut credcycle_engine_builder,
    key_id: *const c_char,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let id = tri!(unsafe { try_str(key_id) });
        with_builder(builder, |b| {
            b.policy.default_kms_key = Some(id.to_owned());
            CREDCYCLE_RESULT_OK
        })
    }
}

/// Policy: versions kept per secret (default 100, 3..=10000; checked by
/// `_build`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_builder_set_max_secret_versions(
    builder: *mut credcycle_engine_builder,
    versions: u32,
) -> credcycle_result {
    ffi_panic_boundary! {
        with_builder(builder, |b| {
            b.policy.max_secret_versions = Some(versions);
            CREDCYCLE_RESULT_OK
        })
    }
}

/// Policy: the largest secret value in bytes (default 65536, at most 1 MiB;
/// checked by `_build`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_builder_set_max_secret_value_bytes(
    builder: *mut credcycle_engine_builder,
    bytes: u64,
) -> credcycle_result {
    ffi_panic_boundary! {
        with_builder(builder, |b| {
            b.policy.max_secret_value_bytes = Some(bytes);
            CREDCYCLE_RESULT_OK
        })
    }
}

/// Policy: the deletion window in days when none is given (default 30,
/// 7..=30; checked by `_build`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_builder_set_default_delete_window_days(
    builder: *mut credcycle_engine_builder,
    days: u32,
) -> credcycle_result {
    ffi_panic_boundary! {
        with_builder(builder, |b| {
            b.policy.default_delete_window_days = Some(days);
            CREDCYCLE_RESULT_OK
        })
    }
}

/// Policy: whether values wrapped by a disabled key may be read (default
/// true).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_builder_set_allow_unwrap_with_disabled_key(
    builder: *mut credcycle_engine_builder,
    allow: bool,
) -> credcycle_result {
    ffi_panic_boundary! {
        with_builder(builder, |b| {
            b.policy.allow_unwrap_with_disabled_key = Some(allow);
            CREDCYCLE_RESULT_OK
        })
    }
}

/// Policy: re-runs after a lost compare-and-swap race (default 8, at most
/// 100; checked by `_build`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_builder_set_conflict_retries(
    builder: *mut credcycle_engine_builder,
    retries: u32,
) -> credcycle_result {
    ffi_panic_boundary! {
        with_builder(builder, |b| {
            b.policy.conflict_retries = Some(retries);
            CREDCYCLE_RESULT_OK
        })
    }
}

/// Builds the engine (operation `engine.open`). Always consumes `builder`,
/// even on failure (do not free it afterwards). On success writes a new
/// engine to `*out_engine`; free it with `credcycle_engine_free`.
///
/// `INVALID_INPUT` when the store or key manager is missing or a policy
/// value is out of range; store errors opening a database;
/// `WRONG_ROOT_KEY` when the root key does not match the store's.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_builder_build(
    builder: *mut credcycle_engine_builder,
    out_engine: *mut *const credcycle_engine,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live builder that C gives up (the C contract).
        let b = require!(unsafe { try_box_from_ptr(builder) });
        require_out!(out_engine);
        let (Some(store), Some(kms)) = (b.store, b.kms) else {
            return CREDCYCLE_RESULT_INVALID_INPUT;
        };
        let mut config = EngineConfig::new(store, kms);
        config.policy = b.policy;
        config.clock = b.clock.map(|c| c as Arc<dyn credcycle_facade::ForeignClock>);
        let engine = try_engine!(Engine::open(config));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_engine, to_arc_const_ptr::<credcycle_engine>(engine)) }
    }
}

// ---------------------------------------------------------------------------
// Engine
// ---------------------------------------------------------------------------

/// Drops this reference to the engine. NULL is a no-op.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_free(engine: *const credcycle_engine) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an engine from this library, not used again.
        unsafe { free_arc(engine) }
    }
}

pub(crate) fn engine_ref<'a>(engine: *const credcycle_engine) -> Option<&'a Engine> {
    // SAFETY: NULL or a live engine (the C contract).
    unsafe { try_ref_from_ptr(engine) }
}

/// A new engine handle on the same engine that records `actor`
/// (NUL-terminated; at most 128 characters kept) as the author of the audit
/// events it writes (operation `engine.with_actor`). Free it with
/// `credcycle_engine_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_with_actor(
    engine: *const credcycle_engine,
    actor: *const c_char,
    out_engine: *mut *const credcycle_engine,
) -> credcycle_result {
    ffi_panic_boundary! {
        let e = require!(engine_ref(engine));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let actor = tri!(unsafe { try_str(actor) });
        require_out!(out_engine);
        let next = e.with_actor(actor);
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_engine, to_arc_const_ptr::<credcycle_engine>(next)) }
    }
}

/// Creates the policy's default wrap key if missing, and writes its id
/// (NUL-terminated) to `(buf, len)`; `*out_n` is the bytes written or
/// needed, NUL included (operation `engine.ensure_default_key`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_ensure_default_key(
    engine: *const credcycle_engine,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        let e = require!(engine_ref(engine));
        require_out!(out_n);
        let id = try_engine!(e.ensure_default_key());
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_str_out(&id, buf, len, out_n) }
    }
}

/// The engine's key manager (operation `engine.kms`). Free the handle with
/// `credcycle_kms_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_kms(
    engine: *const credcycle_engine,
    out_kms: *mut *const credcycle_kms,
) -> credcycle_result {
    ffi_panic_boundary! {
        let e = require!(engine_ref(engine));
        require_out!(out_kms);
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_kms, to_arc_const_ptr::<credcycle_kms>(e.kms())) }
    }
}

/// The audit trails of `tenant` (operation `engine.audit`).
/// `INVALID_INPUT` for an invalid tenant id. Free with `credcycle_audit_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_audit(
    engine: *const credcycle_engine,
    tenant: *const c_char,
    out_audit: *mut *const credcycle_audit,
) -> credcycle_result {
    ffi_panic_boundary! {
        let e = require!(engine_ref(engine));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let tenant = tri!(unsafe { try_str(tenant) });
        require_out!(out_audit);
        let a = try_engine!(e.audit(tenant));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_audit, to_arc_const_ptr::<credcycle_audit>(a)) }
    }
}

// ---------------------------------------------------------------------------
// KMS
// ---------------------------------------------------------------------------

/// Drops this key-manager handle. NULL is a no-op.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_kms_free(kms: *const credcycle_kms) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or a handle from this library, not used again.
        unsafe { free_arc(kms) }
    }
}

fn kms_ref<'a>(kms: *const credcycle_kms) -> Option<&'a Kms> {
    // SAFETY: NULL or a live handle (the C contract).
    unsafe { try_ref_from_ptr(kms) }
}

/// Creates key `id` with `algorithm` (`aes256gcm` wraps secrets; `p256`,
/// `ed25519` sign) (operation `kms.create_key`). If `out_info` is not NULL,
/// writes the new key's info (free with `credcycle_key_info_free`).
/// `KEY_EXISTS`, `INVALID_INPUT`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_kms_create_key(
    kms: *const credcycle_kms,
    id: *const c_char,
    algorithm: *const c_char,
    out_info: *mut *mut credcycle_key_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let k = require!(kms_ref(kms));
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (id, alg) = (tri!(unsafe { try_str(id) }), tri!(unsafe { try_str(algorithm) }));
        let info = try_engine!(k.create_key(id, alg));
        // SAFETY: NULL or writable (the C contract).
        unsafe { opt_key_info_out(out_info, info) }
    }
}

/// Writes `info` to `out` unless `out` is NULL (then it is dropped).
unsafe fn opt_key_info_out(
    out: *mut *mut credcycle_key_info,
    info: credcycle_facade::KeyInfo,
) -> credcycle_result {
    if !out.is_null() {
        // SAFETY: non-NULL and writable (the C contract).
        unsafe { set_opt_out(out, to_boxed_mut_ptr::<credcycle_key_info>(info)) };
    }
    CREDCYCLE_RESULT_OK
}

/// Looks up key `id` (operation `kms.key_info`). On success writes the info
/// to `*out_info`, or NULL when there is no such key (free a non-NULL result
/// with `credcycle_key_info_free`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_kms_key_info(
    kms: *const credcycle_kms,
    id: *const c_char,
    out_info: *mut *mut credcycle_key_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let k = require!(kms_ref(kms));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let id = tri!(unsafe { try_str(id) });
        require_out!(out_info);
        let ptr = match try_engine!(k.key_info(id)) {
            Some(info) => to_boxed_mut_ptr::<credcycle_key_info>(info),
            None => std::ptr::null_mut(),
        };
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_info, ptr) }
    }
}

/// Every key, ordered by id (operation `kms.list_keys`). Free the list with
/// `credcycle_key_info_list_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_kms_list_keys(
    kms: *const credcycle_kms,
    out_list: *mut *mut credcycle_key_info_list,
) -> credcycle_result {
    ffi_panic_boundary! {
        let k = require!(kms_ref(kms));
        require_out!(out_list);
        let list = try_engine!(k.list_keys());
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_list, to_boxed_mut_ptr::<credcycle_key_info_list>(list)) }
    }
}

type KmsStateFn = fn(&Kms, &str) -> credcycle_facade::Result<credcycle_facade::KeyInfo>;

unsafe fn kms_key_op(
    kms: *const credcycle_kms,
    id: *const c_char,
    out_info: *mut *mut credcycle_key_info,
    op: KmsStateFn,
) -> credcycle_result {
    let k = require!(kms_ref(kms));
    // SAFETY: NULL or a NUL-terminated string (the C contract).
    let id = tri!(unsafe { try_str(id) });
    let info = try_engine!(op(k, id));
    // SAFETY: NULL or writable (the C contract).
    unsafe { opt_key_info_out(out_info, info) }
}

/// Adds a version to key `id` that becomes primary (operation
/// `kms.rotate_key`). `out_info` may be NULL. `KEY_NOT_FOUND`, `KEY_STATE`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_kms_rotate_key(
    kms: *const credcycle_kms,
    id: *const c_char,
    out_info: *mut *mut credcycle_key_info,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { kms_key_op(kms, id, out_info, Kms::rotate_key) } }
}

/// Enables key `id`, also cancelling a scheduled deletion (operation
/// `kms.enable_key`). `out_info` may be NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_kms_enable_key(
    kms: *const credcycle_kms,
    id: *const c_char,
    out_info: *mut *mut credcycle_key_info,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { kms_key_op(kms, id, out_info, Kms::enable_key) } }
}

/// Disables key `id`: no new wraps or signatures (operation
/// `kms.disable_key`). `out_info` may be NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_kms_disable_key(
    kms: *const credcycle_kms,
    id: *const c_char,
    out_info: *mut *mut credcycle_key_info,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { kms_key_op(kms, id, out_info, Kms::disable_key) } }
}

/// Schedules key `id` for deletion: it refuses everything until enabled
/// again (operation `kms.schedule_key_deletion`). `out_info` may be NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_kms_schedule_key_deletion(
    kms: *const credcycle_kms,
    id: *const c_char,
    out_info: *mut *mut credcycle_key_info,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { kms_key_op(kms, id, out_info, Kms::schedule_key_deletion) } }
}

/// Writes the SubjectPublicKeyInfo (DER) of signing key `id` to
/// `(buf, len)`; `*out_n` is the bytes written or needed (operation
/// `kms.public_key`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_kms_public_key(
    kms: *const credcycle_kms,
    id: *const c_char,
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        let k = require!(kms_ref(kms));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let id = tri!(unsafe { try_str(id) });
        require_out!(out_n);
        let spki = try_engine!(k.public_key(id));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_bytes_out(&spki, buf, len, out_n) }
    }
}

/// Signs `(msg, msg_len)` with signing key `id` and writes the signature
/// (64 bytes for `p256` and `ed25519`) to `(buf, len)` (operation
/// `kms.sign`). `KEY_PURPOSE` for a wrap key.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_kms_sign(
    kms: *const credcycle_kms,
    id: *const c_char,
    msg: *const u8,
    msg_len: usize,
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        let k = require!(kms_ref(kms));
        // SAFETY: NULL or a NUL-terminated string; `msg_len` readable bytes.
        let id = tri!(unsafe { try_str(id) });
        // SAFETY: as above.
        let msg = tri!(unsafe { try_slice(msg, msg_len) });
        require_out!(out_n);
        let sig = try_engine!(k.sign(id, msg));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_bytes_out(&sig, buf, len, out_n) }
    }
}

// ---------------------------------------------------------------------------
// Audit
// ---------------------------------------------------------------------------

/// Drops this audit handle. NULL is a no-op.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_audit_free(audit: *const credcycle_audit) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or a handle from this library, not used again.
        unsafe { free_arc(audit) }
    }
}

/// The events of `subject` (`secret:<name>`) and whether their chain
/// verifies (operation `audit.events`). Free the trail with
/// `credcycle_audit_trail_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_audit_events(
    audit: *const credcycle_audit,
    subject: *const c_char,
    out_trail: *mut *mut credcycle_audit_trail,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live handle (the C contract).
        let a = require!(unsafe { try_ref_from_ptr(audit) });
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let subject = tri!(unsafe { try_str(subject) });
        require_out!(out_trail);
        let trail = try_engine!(a.events(subject));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_trail, to_boxed_mut_ptr::<credcycle_audit_trail>(trail)) }
    }
}
