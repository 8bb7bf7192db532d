//! The secrets of one tenant (`credcycle_secrets`).
//!
//! Thread-safety: `credcycle_secrets` is shared, immutable and thread-safe.
//! Secret values are copied into caller buffers; the Rust copy is zeroized
//! right after.

use std::ffi::c_char;

use credcycle_facade::{CreateSecretOptions, SecretInfo, SecretInput, Secrets};
use zeroize::Zeroizing;

use crate::engine::{credcycle_engine, engine_ref};
use crate::error::{CREDCYCLE_RESULT_OK, credcycle_result, try_engine};
use crate::ffi::{
    Castable, OwnershipArc, free_arc, require, require_out, set_opt_out, set_out, to_arc_const_ptr,
    to_boxed_mut_ptr, tri, try_opt_str, try_ref_from_ptr, try_slice, try_str, write_bytes_out,
};
use crate::panic::ffi_panic_boundary;
use crate::types::{
    credcycle_secret_info, credcycle_secret_info_list, credcycle_secret_input,
    credcycle_string_list,
};

/// The secrets of one tenant. Shared and thread-safe; free with
/// `credcycle_secrets_free`.
pub struct credcycle_secrets {
    _private: [u8; 0],
}

impl Castable for credcycle_secrets {
    type Ownership = OwnershipArc;
    type RustType = Secrets;
}

/// The secrets of `tenant` (operation `engine.secrets`). Audit events
/// written through it name the engine handle's actor. `INVALID_INPUT` for an
/// invalid tenant id. Free with `credcycle_secrets_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_secrets(
    engine: *const credcycle_engine,
    tenant: *const c_char,
    out_secrets: *mut *const credcycle_secrets,
) -> credcycle_result {
    ffi_panic_boundary! {
        let e = require!(engine_ref(engine));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let tenant = tri!(unsafe { try_str(tenant) });
        require_out!(out_secrets);
        let s = try_engine!(e.secrets(tenant));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_secrets, to_arc_const_ptr::<credcycle_secrets>(s)) }
    }
}

/// Drops this secrets handle. NULL is a no-op.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secrets_free(secrets: *const credcycle_secrets) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or a handle from this library, not used again.
        unsafe { free_arc(secrets) }
    }
}

fn secrets_ref<'a>(p: *const credcycle_secrets) -> Option<&'a Secrets> {
    // SAFETY: NULL or a live handle (the C contract).
    unsafe { try_ref_from_ptr(p) }
}

/// Reads a `credcycle_secret_input` (the bytes are copied into a zeroizing
/// buffer).
///
/// # Safety
/// `input` is NULL or readable, and its `data` has `len` readable bytes.
unsafe fn read_input(
    input: *const credcycle_secret_input,
) -> Result<Option<SecretInput>, credcycle_result> {
    // SAFETY: NULL or readable (the C contract).
    let Some(i) = (unsafe { input.as_ref() }) else {
        return Ok(None);
    };
    if i.generate > 0 {
        return Ok(Some(SecretInput::Generate(i.generate)));
    }
    // SAFETY: `len` readable bytes at `data` (the C contract).
    let bytes = unsafe { try_slice(i.data, i.len) }?;
    Ok(Some(SecretInput::Bytes(Zeroizing::new(bytes.to_vec()))))
}

/// Writes a secret info to an optional out-pointer (NULL drops it).
unsafe fn info_out(out: *mut *mut credcycle_secret_info, info: SecretInfo) -> credcycle_result {
    if !out.is_null() {
        // SAFETY: non-NULL and writable (the C contract).
        unsafe { set_opt_out(out, to_boxed_mut_ptr::<credcycle_secret_info>(info)) };
    }
    CREDCYCLE_RESULT_OK
}

/// Creates secret `name` (operation `secrets.create`). `value` may be NULL
/// (no version yet); `kms_key_id` NULL uses the policy's default key;
/// `description` may be NULL. If `out_info` is not NULL, writes the new
/// secret's info (free with `credcycle_secret_info_free`).
/// `ALREADY_EXISTS`, `INVALID_INPUT`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secrets_create(
    secrets: *const credcycle_secrets,
    name: *const c_char,
    value: *const credcycle_secret_input,
    kms_key_id: *const c_char,
    description: *const c_char,
    out_info: *mut *mut credcycle_secret_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let s = require!(secrets_ref(secrets));
        // SAFETY: NULL or NUL-terminated strings and a readable input.
        let name = tri!(unsafe { try_str(name) });
        // SAFETY: as above.
        let value = tri!(unsafe { read_input(value) });
        // SAFETY: as above.
        let kms_key_id = tri!(unsafe { try_opt_str(kms_key_id) }).map(str::to_owned);
        // SAFETY: as above.
        let description = tri!(unsafe { try_opt_str(description) }).map(str::to_owned);
        let info = try_engine!(s.create(name, CreateSecretOptions { value, kms_key_id, description }));
        // SAFETY: NULL or writable (the C contract).
        unsafe { info_out(out_info, info) }
    }
}

/// The metadata of secret `name`, in every state (operation `secrets.get`).
/// Free with `credcycle_secret_info_free`. `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secrets_get(
    secrets: *const credcycle_secrets,
    name: *const c_char,
    out_info: *mut *mut credcycle_secret_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let s = require!(secrets_ref(secrets));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let name = tri!(unsafe { try_str(name) });
        require_out!(out_info);
        let info = try_engine!(s.get(name));
        // SAFETY: checked non-NULL above.
        unsafe { info_out(out_info, info) }
    }
}

/// Every secret of the tenant, by name (operation `secrets.list`). Free
/// with `credcycle_secret_info_list_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secrets_list(
    secrets: *const credcycle_secrets,
    out_list: *mut *mut credcycle_secret_info_list,
) -> credcycle_result {
    ffi_panic_boundary! {
        let s = require!(secrets_ref(secrets));
        require_out!(out_list);
        let list = try_engine!(s.list());
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_list, to_boxed_mut_ptr::<credcycle_secret_info_list>(list)) }
    }
}

/// At most `limit` secrets whose names sort after `after` (NULL: from the
/// start) (operation `secrets.list_page`). Free with
/// `credcycle_secret_info_list_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secrets_list_page(
    secrets: *const credcycle_secrets,
    after: *const c_char,
    limit: u32,
    out_list: *mut *mut credcycle_secret_info_list,
) -> credcycle_result {
    ffi_panic_boundary! {
        let s = require!(secrets_ref(secrets));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let after = tri!(unsafe { try_opt_str(after) });
        require_out!(out_list);
        let list = try_engine!(s.list_page(after, limit));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_list, to_boxed_mut_ptr::<credcycle_secret_info_list>(list)) }
    }
}

/// Copies a version's value into `(buf, len)` (operation
/// `secrets.get_value`). `version` is `vN`, `N`, `CURRENT`, `PREVIOUS` or
/// `PENDING`; NULL reads `CURRENT`. `*out_n` receives the value's length; on
/// `INSUFFICIENT_SIZE` it is the size needed and nothing else is written.
/// `out_version` may be NULL. `INVALID_STATE` unless the secret is enabled,
/// `NOT_FOUND`, `VERIFICATION_FAILED`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secrets_get_value(
    secrets: *const credcycle_secrets,
    name: *const c_char,
    version: *const c_char,
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
    out_version: *mut u64,
) -> credcycle_result {
    ffi_panic_boundary! {
        let s = require!(secrets_ref(secrets));
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let name = tri!(unsafe { try_str(name) });
        // SAFETY: as above.
        let version = tri!(unsafe { try_opt_str(version) });
        require_out!(out_n);
        let v = try_engine!(s.get_value(name, version));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        let r = unsafe { write_bytes_out(&v.value, buf, len, out_n) };
        if r == CREDCYCLE_RESULT_OK {
            // SAFETY: NULL or writable (the C contract).
            unsafe { set_opt_out(out_version, v.version) };
        }
        r
        // `v.value` is zeroized when `v` drops here.
    }
}

/// Changes the wrap key of later versions and/or the description; NULL
/// leaves a field unchanged, at least one must be given (operation
/// `secrets.update`). `out_info` may be NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secrets_update(
    secrets: *const credcycle_secrets,
    name: *const c_char,
    kms_key_id: *const c_char,
    description: *const c_char,
    out_info: *mut *mut credcycle_secret_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let s = require!(secrets_ref(secrets));
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let name = tri!(unsafe { try_str(name) });
        // SAFETY: as above.
        let key = tri!(unsafe { try_opt_str(kms_key_id) });
        // SAFETY: as above.
        let desc = tri!(unsafe { try_opt_str(description) });
        let info = try_engine!(s.update(name, key, desc));
        // SAFETY: NULL or writable (the C contract).
        unsafe { info_out(out_info, info) }
    }
}

/// Adds a version that becomes `CURRENT` and writes its number (operation
/// `secrets.put_value`). `idempotency_token` may be NULL; repeating a token
/// with the same value returns the same version, with another value
/// `IDEMPOTENCY_MISMATCH`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secrets_put_value(
    secrets: *const credcycle_secrets,
    name: *const c_char,
    value: *const credcycle_secret_input,
    idempotency_token: *const c_char,
    out_version: *mut u64,
) -> credcycle_result {
    ffi_panic_boundary! {
        let s = require!(secrets_ref(secrets));
        // SAFETY: NULL or NUL-terminated strings and a readable input.
        let name = tri!(unsafe { try_str(name) });
        // SAFETY: as above.
        let value = require!(tri!(unsafe { read_input(value) }));
        // SAFETY: as above.
        let token = tri!(unsafe { try_opt_str(idempotency_token) });
        require_out!(out_version);
        let n = try_engine!(s.put_value(name, value, token));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_version, n) }
    }
}

/// Writes a `PENDING` version (two-phase rotation) and its number
/// (operation `secrets.begin_rotation`). `ROTATION_IN_PROGRESS`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secrets_begin_rotation(
    secrets: *const credcycle_secrets,
    name: *const c_char,
    value: *const credcycle_secret_input,
    out_version: *mut u64,
) -> credcycle_result {
    ffi_panic_boundary! {
        let s = require!(secrets_ref(secrets));
        // SAFETY: NULL or a NUL-terminated string and a readable input.
        let name = tri!(unsafe { try_str(name) });
        // SAFETY: as above.
        let value = require!(tri!(unsafe { read_input(value) }));
        require_out!(out_version);
        let n = try_engine!(s.begin_rotation(name, value));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_version, n) }
    }
}

type InfoOp = fn(&Secrets, &str) -> credcycle_facade::Result<SecretInfo>;

unsafe fn info_op(
    secrets: *const credcycle_secrets,
    name: *const c_char,
    out_info: *mut *mut credcycle_secret_info,
    op: InfoOp,
) -> credcycle_result {
    let s = require!(secrets_ref(secrets));
    // SAFETY: NULL or a NUL-terminated string (the C contract).
    let name = tri!(unsafe { try_str(name) });
    let info = try_engine!(op(s, name));
    // SAFETY: NULL or writable (the C contract).
    unsafe { info_out(out_info, info) }
}

/// Promotes `PENDING` to `CURRENT` (operation `secrets.finish_rotation`).
/// `out_info` may be NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secrets_finish_rotation(
    secrets: *const credcycle_secrets,
    name: *const c_char,
    out_info: *mut *mut credcycle_secret_info,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { info_op(secrets, name, out_info, Secrets::finish_rotation) } }
}

/// Drops the `PENDING` version (operation `secrets.cancel_rotation`).
/// `out_info` may be NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secrets_cancel_rotation(
    secrets: *const credcycle_secrets,
    name: *const c_char,
    out_info: *mut *mut credcycle_secret_info,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { info_op(secrets, name, out_info, Secrets::cancel_rotation) } }
}

/// `ENABLED` → `DISABLED` (operation `secrets.disable`). `out_info` may be
/// NULL. `INVALID_STATE`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secrets_disable(
    secrets: *const credcycle_secrets,
    name: *const c_char,
    out_info: *mut *mut credcycle_secret_info,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { info_op(secrets, name, out_info, Secrets::disable) } }
}

/// `DISABLED` → `ENABLED` (operation `secrets.enable`). `out_info` may be
/// NULL. `INVALID_STATE`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secrets_enable(
    secrets: *const credcycle_secrets,
    name: *const c_char,
    out_info: *mut *mut credcycle_secret_info,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { info_op(secrets, name, out_info, Secrets::enable) } }
}

/// → `FROZEN`: no value reads and no changes until unfrozen (operation
/// `secrets.freeze`). `out_info` may be NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secrets_freeze(
    secrets: *const credcycle_secrets,
    name: *const c_char,
    out_info: *mut *mut credcycle_secret_info,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { info_op(secrets, name, out_info, Secrets::freeze) } }
}

/// `FROZEN` → the state before (operation `secrets.unfreeze`). `out_info`
/// may be NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secrets_unfreeze(
    secrets: *const credcycle_secrets,
    name: *const c_char,
    out_info: *mut *mut credcycle_secret_info,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { info_op(secrets, name, out_info, Secrets::unfreeze) } }
}

/// `PENDING_DELETE` → the state before (operation `secrets.restore`).
/// `out_info` may be NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secrets_restore(
    secrets: *const credcycle_secrets,
    name: *const c_char,
    out_info: *mut *mut credcycle_secret_info,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { info_op(secrets, name, out_info, Secrets::restore) } }
}

/// → `PENDING_DELETE` for `window_days` days (7..=30; 0 = the policy's
/// default) (operation `secrets.schedule_delete`). `out_info` may be NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secrets_schedule_delete(
    secrets: *const credcycle_secrets,
    name: *const c_char,
    window_days: u32,
    out_info: *mut *mut credcycle_secret_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let s = require!(secrets_ref(secrets));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let name = tri!(unsafe { try_str(name) });
        let days = (window_days > 0).then_some(window_days);
        let info = try_engine!(s.schedule_delete(name, days));
        // SAFETY: NULL or writable (the C contract).
        unsafe { info_out(out_info, info) }
    }
}

/// Deletes every secret of the tenant whose deletion time has passed and
/// writes their names (operation `secrets.purge_due`). Free the list with
/// `credcycle_string_list_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secrets_purge_due(
    secrets: *const credcycle_secrets,
    out_names: *mut *mut credcycle_string_list,
) -> credcycle_result {
    ffi_panic_boundary! {
        let s = require!(secrets_ref(secrets));
        require_out!(out_names);
        let names = try_engine!(s.purge_due());
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_names, to_boxed_mut_ptr::<credcycle_string_list>(names)) }
    }
}

/// Re-wraps every version's data key under the secret's current key
/// (operation `secrets.rewrap`); writes how many versions were re-wrapped
/// and how many were already current (either out-pointer may be NULL).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secrets_rewrap(
    secrets: *const credcycle_secrets,
    name: *const c_char,
    out_rewrapped: *mut u32,
    out_unchanged: *mut u32,
) -> credcycle_result {
    ffi_panic_boundary! {
        let s = require!(secrets_ref(secrets));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let name = tri!(unsafe { try_str(name) });
        let r = try_engine!(s.rewrap(name));
        // SAFETY: NULL or writable (the C contract).
        unsafe {
            set_opt_out(out_rewrapped, r.rewrapped);
            set_opt_out(out_unchanged, r.unchanged);
        }
        CREDCYCLE_RESULT_OK
    }
}
