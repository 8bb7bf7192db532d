//! API tokens (`credcycle_tokens`).
//!
//! Thread-safety: `credcycle_tokens` is shared, immutable and thread-safe.
//! Token values are passed in as NUL-terminated strings and never kept.

use std::ffi::c_char;

use credcycle_facade::{ApiTokenInfo, CreateTokenOptions, EntityRef, Tokens, UpdateTokenOptions};

use crate::engine::{credcycle_engine, engine_ref};
use crate::error::{CREDCYCLE_RESULT_INVALID_INPUT, credcycle_result, try_engine};
use crate::ffi::{
    Castable, OwnershipArc, free_arc, require, require_out, set_out, to_arc_const_ptr,
    to_boxed_mut_ptr, tri, try_ref_from_ptr, try_str,
};
use crate::panic::ffi_panic_boundary;
use crate::results_tokens::{
    credcycle_api_token_info, credcycle_api_token_info_list, credcycle_created_token,
    credcycle_refreshed_token, credcycle_token_use,
};
use crate::types::{credcycle_tristate, opt_string, tristate};

/// The API tokens of one tenant. Shared and thread-safe; free with
/// `credcycle_tokens_free`.
pub struct credcycle_tokens {
    _private: [u8; 0],
}

impl Castable for credcycle_tokens {
    type Ownership = OwnershipArc;
    type RustType = Tokens;
}

/// Options of `credcycle_tokens_create`. Zero-initialize it (`{0}`) for
/// every default. Strings are NUL-terminated; NULL means unset. An owner or
/// organization needs both its name and its id.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct credcycle_create_token_options {
    /// Owner's display name.
    pub owner_name: *const c_char,
    /// Owner's id.
    pub owner_id: *const c_char,
    /// Organization's display name.
    pub org_name: *const c_char,
    /// Organization's id.
    pub org_id: *const c_char,
    /// Whether `expiration_time` is set (default: the policy's lifetime).
    pub has_expiration_time: bool,
    /// Expiry (seconds since the Unix epoch).
    pub expiration_time: i64,
    /// `ALWAYS`, `NEVER`, `ONCE_ON_NEXT_LOGIN` or `NONE` (default).
    pub token_rotation: *const c_char,
}

/// Options of `credcycle_tokens_update`. Zero-initialize it (`{0}`) to
/// change only the name. NULL/unset leaves a field unchanged; `token_type`,
/// owner and organization cannot change (when given they must equal the
/// stored values).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct credcycle_update_token_options {
    /// Whether `expiration_time` is set.
    pub has_expiration_time: bool,
    /// New expiry (seconds since the Unix epoch).
    pub expiration_time: i64,
    /// New rotation policy.
    pub token_rotation: *const c_char,
    /// New `require_rotation`.
    pub require_rotation: credcycle_tristate,
    /// Must equal the stored type.
    pub token_type: *const c_char,
    /// Must equal the stored owner's name.
    pub owner_name: *const c_char,
    /// Must equal the stored owner's id.
    pub owner_id: *const c_char,
    /// Must equal the stored organization's name.
    pub org_name: *const c_char,
    /// Must equal the stored organization's id.
    pub org_id: *const c_char,
}

/// An entity from a (name, id) pair of optional strings: both or neither.
///
/// # Safety
/// Each is NULL or a NUL-terminated string.
unsafe fn entity(
    name: *const c_char,
    id: *const c_char,
) -> Result<Option<EntityRef>, credcycle_result> {
    // SAFETY: forwarded contract.
    let (name, id) = unsafe { (opt_string(name)?, opt_string(id)?) };
    match (name, id) {
        (Some(name), Some(id)) => Ok(Some(EntityRef { name, id })),
        (None, None) => Ok(None),
        _ => Err(CREDCYCLE_RESULT_INVALID_INPUT),
    }
}

/// The API tokens of `tenant` (operation `engine.tokens`). Free with
/// `credcycle_tokens_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_tokens(
    engine: *const credcycle_engine,
    tenant: *const c_char,
    out_tokens: *mut *const credcycle_tokens,
) -> credcycle_result {
    ffi_panic_boundary! {
        let e = require!(engine_ref(engine));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let tenant = tri!(unsafe { try_str(tenant) });
        require_out!(out_tokens);
        let t = try_engine!(e.tokens(tenant));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_tokens, to_arc_const_ptr::<credcycle_tokens>(t)) }
    }
}

/// Drops this tokens handle. NULL is a no-op.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_tokens_free(tokens: *const credcycle_tokens) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or a handle from this library, not used again.
        unsafe { free_arc(tokens) }
    }
}

fn tokens_ref<'a>(p: *const credcycle_tokens) -> Option<&'a Tokens> {
    // SAFETY: NULL or a live handle (the C contract).
    unsafe { try_ref_from_ptr(p) }
}

/// Creates a token of type `token_type` (`PROXY` or `EXTENSION`)
/// (operation `tokens.create`). `options` may be NULL. On success writes
/// the token with its value (and refresh token), shown once; free with
/// `credcycle_created_token_free`. `INVALID_INPUT` naming the field,
/// `ALREADY_EXISTS`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_tokens_create(
    tokens: *const credcycle_tokens,
    name: *const c_char,
    token_type: *const c_char,
    options: *const credcycle_create_token_options,
    out_created: *mut *mut credcycle_created_token,
) -> credcycle_result {
    ffi_panic_boundary! {
        let t = require!(tokens_ref(tokens));
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (name, ty) = unsafe { (tri!(try_str(name)), tri!(try_str(token_type))) };
        require_out!(out_created);
        let mut opts = CreateTokenOptions::default();
        // SAFETY: NULL or a readable options struct (the C contract).
        if let Some(o) = unsafe { options.as_ref() } {
            // SAFETY: the struct's strings are NULL or NUL-terminated.
            unsafe {
                opts.owner = tri!(entity(o.owner_name, o.owner_id));
                opts.org = tri!(entity(o.org_name, o.org_id));
                opts.token_rotation = tri!(opt_string(o.token_rotation));
            }
            opts.expiration_time = o.has_expiration_time.then_some(o.expiration_time);
        }
        let c = try_engine!(t.create(name, ty, opts));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_created, to_boxed_mut_ptr::<credcycle_created_token>(c)) }
    }
}

unsafe fn info_out(
    out: *mut *mut credcycle_api_token_info,
    info: ApiTokenInfo,
) -> credcycle_result {
    // SAFETY: checked non-NULL by the caller; writable (the C contract).
    unsafe { set_out(out, to_boxed_mut_ptr::<credcycle_api_token_info>(info)) }
}

/// A token's metadata (operation `tokens.get`). Free with
/// `credcycle_api_token_info_free`. `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_tokens_get(
    tokens: *const credcycle_tokens,
    id: *const c_char,
    out_info: *mut *mut credcycle_api_token_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let t = require!(tokens_ref(tokens));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let id = tri!(unsafe { try_str(id) });
        require_out!(out_info);
        let info = try_engine!(t.get(id));
        // SAFETY: checked non-NULL above.
        unsafe { info_out(out_info, info) }
    }
}

/// Every token of the tenant (operation `tokens.list`). Free with
/// `credcycle_api_token_info_list_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_tokens_list(
    tokens: *const credcycle_tokens,
    out_list: *mut *mut credcycle_api_token_info_list,
) -> credcycle_result {
    ffi_panic_boundary! {
        let t = require!(tokens_ref(tokens));
        require_out!(out_list);
        let list = try_engine!(t.list());
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_list, to_boxed_mut_ptr::<credcycle_api_token_info_list>(list)) }
    }
}

/// Renames a token and changes its expiry/rotation (operation
/// `tokens.update`). `options` may be NULL (rename only). Free the result
/// with `credcycle_api_token_info_free`. `NOT_FOUND`, `INVALID_INPUT`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_tokens_update(
    tokens: *const credcycle_tokens,
    id: *const c_char,
    name: *const c_char,
    options: *const credcycle_update_token_options,
    out_info: *mut *mut credcycle_api_token_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let t = require!(tokens_ref(tokens));
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (id, name) = unsafe { (tri!(try_str(id)), tri!(try_str(name))) };
        require_out!(out_info);
        let mut opts = UpdateTokenOptions::default();
        // SAFETY: NULL or a readable options struct (the C contract).
        if let Some(o) = unsafe { options.as_ref() } {
            opts.expiration_time = o.has_expiration_time.then_some(o.expiration_time);
            opts.require_rotation = tri!(tristate(o.require_rotation));
            // SAFETY: the struct's strings are NULL or NUL-terminated.
            unsafe {
                opts.token_rotation = tri!(opt_string(o.token_rotation));
                opts.token_type = tri!(opt_string(o.token_type));
                opts.owner = tri!(entity(o.owner_name, o.owner_id));
                opts.org = tri!(entity(o.org_name, o.org_id));
            }
        }
        let info = try_engine!(t.update(id, name, opts));
        // SAFETY: checked non-NULL above.
        unsafe { info_out(out_info, info) }
    }
}

/// Revokes a token and its refresh token (operation `tokens.revoke`).
/// `out_info` may be NULL; otherwise free it with
/// `credcycle_api_token_info_free`. `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_tokens_revoke(
    tokens: *const credcycle_tokens,
    id: *const c_char,
    out_info: *mut *mut credcycle_api_token_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let t = require!(tokens_ref(tokens));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let id = tri!(unsafe { try_str(id) });
        let info = try_engine!(t.revoke(id));
        if out_info.is_null() {
            return crate::error::CREDCYCLE_RESULT_OK;
        }
        // SAFETY: checked non-NULL above.
        unsafe { info_out(out_info, info) }
    }
}

/// Checks a presented token value (operation `tokens.authenticate`). Free
/// the result with `credcycle_token_use_free`; when the rotation policy
/// replaced the value on this use, the result holds the new one.
/// `VERIFICATION_FAILED` (no detail) for an unknown, expired or revoked
/// value.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_tokens_authenticate(
    tokens: *const credcycle_tokens,
    value: *const c_char,
    out_use: *mut *mut credcycle_token_use,
) -> credcycle_result {
    ffi_panic_boundary! {
        let t = require!(tokens_ref(tokens));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let value = tri!(unsafe { try_str(value) });
        require_out!(out_use);
        let u = try_engine!(t.authenticate(value));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_use, to_boxed_mut_ptr::<credcycle_token_use>(u)) }
    }
}

/// Exchanges a refresh token for a new token value and refresh token
/// (operation `tokens.refresh`). Free the result with
/// `credcycle_refreshed_token_free`. `VERIFICATION_FAILED`;
/// `REFRESH_TOKEN_REUSED` when a spent refresh token comes back (the whole
/// family is revoked).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_tokens_refresh(
    tokens: *const credcycle_tokens,
    refresh_token: *const c_char,
    out_refreshed: *mut *mut credcycle_refreshed_token,
) -> credcycle_result {
    ffi_panic_boundary! {
        let t = require!(tokens_ref(tokens));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let rt = tri!(unsafe { try_str(refresh_token) });
        require_out!(out_refreshed);
        let r = try_engine!(t.refresh(rt));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_refreshed, to_boxed_mut_ptr::<credcycle_refreshed_token>(r)) }
    }
}
