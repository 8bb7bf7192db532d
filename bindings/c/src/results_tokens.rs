//! Result objects of the API tokens domain.
//!
//! Result objects are immutable and `Send + Sync`: read them from any
//! thread, free them once. Strings come as `credcycle_str` views borrowed
//! from the object (not NUL-terminated; print with `%.*s`); secrets shown
//! once are copied into caller buffers instead, and the library's copies
//! are zeroized when the object is freed. Accessors return a documented
//! default for a NULL object.

#![allow(unused_imports)]

use std::ffi::c_char;

use credcycle_facade::*;

use crate::error::credcycle_result;
use crate::ffi::{
    Castable, OwnershipBox, borrowed_ptr, free_box, require, require_found, require_out,
    set_opt_out, try_ref_from_ptr, write_secret_str_out,
};
use crate::panic::ffi_panic_boundary;
use crate::types::{credcycle_bytes, credcycle_str, num_of, str_of};

/// A named reference (a token's owner or organization). Free with
/// `credcycle_entity_ref_free`. Immutable; may be read from any thread and
/// freed from any thread, once.
pub struct credcycle_entity_ref {
    _private: [u8; 0],
}

impl Castable for credcycle_entity_ref {
    type Ownership = OwnershipBox;
    type RustType = EntityRef;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_entity_ref_free(p: *mut credcycle_entity_ref) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// Display name. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_entity_ref_name(
    p: *const credcycle_entity_ref,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.name) }
    }
}

/// Id. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_entity_ref_id(p: *const credcycle_entity_ref) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.id) }
    }
}

/// An API token's metadata (never its value). Free with
/// `credcycle_api_token_info_free`. Immutable; may be read from any thread
/// and freed from any thread, once.
pub struct credcycle_api_token_info {
    _private: [u8; 0],
}

impl Castable for credcycle_api_token_info {
    type Ownership = OwnershipBox;
    type RustType = ApiTokenInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_api_token_info_free(p: *mut credcycle_api_token_info) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// UUID. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_api_token_info_id(
    p: *const credcycle_api_token_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.id) }
    }
}

/// Name. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_api_token_info_name(
    p: *const credcycle_api_token_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.name) }
    }
}

/// `PROXY` or `EXTENSION`. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_api_token_info_token_type(
    p: *const credcycle_api_token_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.token_type) }
    }
}

/// The owner, if set. Borrowed from the object (valid until it is freed; do
/// not free it). NULL when absent or for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_api_token_info_owner(
    p: *const credcycle_api_token_info,
) -> *const credcycle_entity_ref {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_api_token_info>(p) }.and_then(|v| v.owner.as_ref()) {
            Some(s) => borrowed_ptr::<credcycle_entity_ref>(s),
            None => std::ptr::null(),
        }
    }
}

/// The organization, if set. Borrowed from the object (valid until it is
/// freed; do not free it). NULL when absent or for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_api_token_info_org(
    p: *const credcycle_api_token_info,
) -> *const credcycle_entity_ref {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_api_token_info>(p) }.and_then(|v| v.org.as_ref()) {
            Some(s) => borrowed_ptr::<credcycle_entity_ref>(s),
            None => std::ptr::null(),
        }
    }
}

/// Expiry (seconds since the Unix epoch). 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_api_token_info_expiration_time(
    p: *const credcycle_api_token_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.expiration_time) }
    }
}

/// Whether the value must be rotated on next use (unset: no policy). Returns
/// whether it is set; if so and `out` is not NULL, writes it to `*out`.
/// `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_api_token_info_require_rotation(
    p: *const credcycle_api_token_info,
    out: *mut bool,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_api_token_info>(p) }.and_then(|v| v.require_rotation) {
            Some(x) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, x) };
                true
            }
            None => false,
        }
    }
}

/// `ALWAYS`, `NEVER`, `ONCE_ON_NEXT_LOGIN` or `NONE`. Borrowed from the
/// object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_api_token_info_token_rotation(
    p: *const credcycle_api_token_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.token_rotation) }
    }
}

/// `ACTIVE`, `EXPIRED` or `REVOKED`. Borrowed from the object; empty for
/// NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_api_token_info_state(
    p: *const credcycle_api_token_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.state) }
    }
}

/// Why it was revoked, if it was. Returns whether it is set; if so and `out`
/// is not NULL, writes a view borrowed from the object to `*out`. `false` for
/// NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_api_token_info_revoke_reason(
    p: *const credcycle_api_token_info,
    out: *mut credcycle_str,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_api_token_info>(p) }.and_then(|v| v.revoke_reason.as_deref()) {
            Some(s) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, credcycle_str::borrow(s)) };
                true
            }
            None => false,
        }
    }
}

/// Whether a refresh token exists for it. false for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_api_token_info_has_refresh_token(
    p: *const credcycle_api_token_info,
) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.has_refresh_token) }
    }
}

/// Creation time. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_api_token_info_create_time(
    p: *const credcycle_api_token_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.create_time) }
    }
}

/// Last change. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_api_token_info_update_time(
    p: *const credcycle_api_token_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.update_time) }
    }
}

/// A list of API tokens. Free with `credcycle_api_token_info_list_free`.
/// Immutable and thread-safe.
pub struct credcycle_api_token_info_list {
    _private: [u8; 0],
}

impl Castable for credcycle_api_token_info_list {
    type Ownership = OwnershipBox;
    type RustType = Vec<ApiTokenInfo>;
}

/// Frees the list and its entries. NULL is a no-op; call it exactly once.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_api_token_info_list_free(p: *mut credcycle_api_token_info_list) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The number of entries. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_api_token_info_list_len(
    p: *const credcycle_api_token_info_list,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.len()) }
    }
}

/// Entry `i`, borrowed from the list (valid until the list is freed; do not
/// free it); NULL when out of range or for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_api_token_info_list_get(
    p: *const credcycle_api_token_info_list,
    i: usize,
) -> *const credcycle_api_token_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_api_token_info_list>(p) }.and_then(|v| v.get(i)) {
            Some(s) => borrowed_ptr::<credcycle_api_token_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// What `credcycle_tokens_create` returns: the token and its value (and
/// refresh token), shown once. Free with `credcycle_created_token_free`.
/// Immutable; may be read from any thread and freed from any thread, once.
pub struct credcycle_created_token {
    _private: [u8; 0],
}

impl Castable for credcycle_created_token {
    type Ownership = OwnershipBox;
    type RustType = CreatedTokenInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_created_token_free(p: *mut credcycle_created_token) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The token. Borrowed from the object (valid until it is freed; do not free
/// it). NULL for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_created_token_token(
    p: *const credcycle_created_token,
) -> *const credcycle_api_token_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_created_token>(p) }.map(|v| &v.token) {
            Some(s) => borrowed_ptr::<credcycle_api_token_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// The token value, shown once. Copies it, NUL-terminated, into `(buf, len)`;
/// `*out_n` is the bytes written or needed, NUL included (`INSUFFICIENT_SIZE`
/// when `len` is too small). Secret: the library's temporary copy is
/// zeroized; zero yours when done.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_created_token_value(
    p: *const credcycle_created_token,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live object of this type (the C contract).
        let v = require!(unsafe { try_ref_from_ptr::<credcycle_created_token>(p) });
        require_out!(out_n);
        let s = require_found!(Some(v.value.as_str()));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_secret_str_out(s, buf, len, out_n) }
    }
}

/// The refresh token, for rotating tokens. Copies it, NUL-terminated, into
/// `(buf, len)`; `*out_n` is the bytes written or needed, NUL included
/// (`INSUFFICIENT_SIZE` when `len` is too small). Secret: the library's
/// temporary copy is zeroized; zero yours when done. `NOT_FOUND` when there
/// is none.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_created_token_refresh_token(
    p: *const credcycle_created_token,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live object of this type (the C contract).
        let v = require!(unsafe { try_ref_from_ptr::<credcycle_created_token>(p) });
        require_out!(out_n);
        let s = require_found!(v.refresh_token.as_deref());
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_secret_str_out(s, buf, len, out_n) }
    }
}

/// What `credcycle_tokens_authenticate` returns. Free with
/// `credcycle_token_use_free`. Immutable; may be read from any thread and
/// freed from any thread, once.
pub struct credcycle_token_use {
    _private: [u8; 0],
}

impl Castable for credcycle_token_use {
    type Ownership = OwnershipBox;
    type RustType = TokenUseInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_token_use_free(p: *mut credcycle_token_use) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The token. Borrowed from the object (valid until it is freed; do not free
/// it). NULL for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_token_use_token(
    p: *const credcycle_token_use,
) -> *const credcycle_api_token_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_token_use>(p) }.map(|v| &v.token) {
            Some(s) => borrowed_ptr::<credcycle_api_token_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// The new value when the rotation policy replaced it on this use (the old
/// one no longer works). Copies it, NUL-terminated, into `(buf, len)`;
/// `*out_n` is the bytes written or needed, NUL included (`INSUFFICIENT_SIZE`
/// when `len` is too small). Secret: the library's temporary copy is
/// zeroized; zero yours when done. `NOT_FOUND` when there is none.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_token_use_rotated_value(
    p: *const credcycle_token_use,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live object of this type (the C contract).
        let v = require!(unsafe { try_ref_from_ptr::<credcycle_token_use>(p) });
        require_out!(out_n);
        let s = require_found!(v.rotated_value.as_deref());
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_secret_str_out(s, buf, len, out_n) }
    }
}

/// What `credcycle_tokens_refresh` returns. Free with
/// `credcycle_refreshed_token_free`. Immutable; may be read from any thread
/// and freed from any thread, once.
pub struct credcycle_refreshed_token {
    _private: [u8; 0],
}

impl Castable for credcycle_refreshed_token {
    type Ownership = OwnershipBox;
    type RustType = RefreshedInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_refreshed_token_free(p: *mut credcycle_refreshed_token) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The token. Borrowed from the object (valid until it is freed; do not free
/// it). NULL for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_refreshed_token_token(
    p: *const credcycle_refreshed_token,
) -> *const credcycle_api_token_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_refreshed_token>(p) }.map(|v| &v.token) {
            Some(s) => borrowed_ptr::<credcycle_api_token_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// Its new value. Copies it, NUL-terminated, into `(buf, len)`; `*out_n` is
/// the bytes written or needed, NUL included (`INSUFFICIENT_SIZE` when `len`
/// is too small). Secret: the library's temporary copy is zeroized; zero
/// yours when done.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_refreshed_token_value(
    p: *const credcycle_refreshed_token,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live object of this type (the C contract).
        let v = require!(unsafe { try_ref_from_ptr::<credcycle_refreshed_token>(p) });
        require_out!(out_n);
        let s = require_found!(Some(v.value.as_str()));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_secret_str_out(s, buf, len, out_n) }
    }
}

/// The next refresh token (the one presented is spent). Copies it,
/// NUL-terminated, into `(buf, len)`; `*out_n` is the bytes written or
/// needed, NUL included (`INSUFFICIENT_SIZE` when `len` is too small).
/// Secret: the library's temporary copy is zeroized; zero yours when done.
/// `NOT_FOUND` when there is none.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_refreshed_token_refresh_token(
    p: *const credcycle_refreshed_token,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live object of this type (the C contract).
        let v = require!(unsafe { try_ref_from_ptr::<credcycle_refreshed_token>(p) });
        require_out!(out_n);
        let s = require_found!(v.refresh_token.as_deref());
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_secret_str_out(s, buf, len, out_n) }
    }
}
