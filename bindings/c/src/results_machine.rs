//! Result objects of the machine identities / universal auth domain.
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

/// Universal-auth settings of a machine identity. Free with
/// `credcycle_universal_auth_info_free`. Immutable; may be read from any
/// thread and freed from any thread, once.
pub struct credcycle_universal_auth_info {
    _private: [u8; 0],
}

impl Castable for credcycle_universal_auth_info {
    type Ownership = OwnershipBox;
    type RustType = UniversalAuthInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_universal_auth_info_free(p: *mut credcycle_universal_auth_info) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The identity. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_universal_auth_info_identity_id(
    p: *const credcycle_universal_auth_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.identity_id) }
    }
}

/// The client id used to log in. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_universal_auth_info_client_id(
    p: *const credcycle_universal_auth_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.client_id) }
    }
}

/// The number of entries of `client_secret_trusted_ip`. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_universal_auth_info_client_secret_trusted_ip_count(
    p: *const credcycle_universal_auth_info,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.client_secret_trusted_ips.len()) }
    }
}

/// Client-secret trusted IP range `i` (CIDR). Entry `i`, borrowed from the
/// object; empty when out of range or NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_universal_auth_info_client_secret_trusted_ip(
    p: *const credcycle_universal_auth_info,
    i: usize,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| v.client_secret_trusted_ips.get(i).map_or("", |s| s.as_str())) }
    }
}

/// The number of entries of `access_token_trusted_ip`. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_universal_auth_info_access_token_trusted_ip_count(
    p: *const credcycle_universal_auth_info,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.access_token_trusted_ips.len()) }
    }
}

/// Access-token trusted IP range `i` (CIDR). Entry `i`, borrowed from the
/// object; empty when out of range or NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_universal_auth_info_access_token_trusted_ip(
    p: *const credcycle_universal_auth_info,
    i: usize,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| v.access_token_trusted_ips.get(i).map_or("", |s| s.as_str())) }
    }
}

/// Access token lifetime in seconds. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_universal_auth_info_access_token_ttl(
    p: *const credcycle_universal_auth_info,
) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.access_token_ttl) }
    }
}

/// Longest access token lifetime through renewals, in seconds. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_universal_auth_info_access_token_max_ttl(
    p: *const credcycle_universal_auth_info,
) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.access_token_max_ttl) }
    }
}

/// Uses allowed per access token (0: unlimited). 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_universal_auth_info_access_token_num_uses_limit(
    p: *const credcycle_universal_auth_info,
) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.access_token_num_uses_limit) }
    }
}

/// Renewal period in seconds (0: not periodic). 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_universal_auth_info_access_token_period(
    p: *const credcycle_universal_auth_info,
) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.access_token_period) }
    }
}

/// Whether failed logins lock the client out. false for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_universal_auth_info_lockout_enabled(
    p: *const credcycle_universal_auth_info,
) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.lockout_enabled) }
    }
}

/// Failed logins before a lockout. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_universal_auth_info_lockout_threshold(
    p: *const credcycle_universal_auth_info,
) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.lockout_threshold) }
    }
}

/// Lockout length in seconds. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_universal_auth_info_lockout_duration_secs(
    p: *const credcycle_universal_auth_info,
) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.lockout_duration_secs) }
    }
}

/// Seconds after which the failure counter resets. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_universal_auth_info_lockout_counter_reset_secs(
    p: *const credcycle_universal_auth_info,
) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.lockout_counter_reset_secs) }
    }
}

/// Creation time. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_universal_auth_info_create_time(
    p: *const credcycle_universal_auth_info,
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
pub unsafe extern "C" fn credcycle_universal_auth_info_update_time(
    p: *const credcycle_universal_auth_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.update_time) }
    }
}

/// A machine identity. Free with `credcycle_machine_identity_info_free`.
/// Immutable; may be read from any thread and freed from any thread, once.
pub struct credcycle_machine_identity_info {
    _private: [u8; 0],
}

impl Castable for credcycle_machine_identity_info {
    type Ownership = OwnershipBox;
    type RustType = MachineIdentityInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_machine_identity_info_free(
    p: *mut credcycle_machine_identity_info,
) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// Id. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_machine_identity_info_id(
    p: *const credcycle_machine_identity_info,
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
pub unsafe extern "C" fn credcycle_machine_identity_info_name(
    p: *const credcycle_machine_identity_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.name) }
    }
}

/// Creation time. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_machine_identity_info_create_time(
    p: *const credcycle_machine_identity_info,
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
pub unsafe extern "C" fn credcycle_machine_identity_info_update_time(
    p: *const credcycle_machine_identity_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.update_time) }
    }
}

/// Its universal-auth settings, if attached. Borrowed from the object (valid
/// until it is freed; do not free it). NULL when absent or for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_machine_identity_info_universal_auth(
    p: *const credcycle_machine_identity_info,
) -> *const credcycle_universal_auth_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_machine_identity_info>(p) }.and_then(|v| v.universal_auth.as_ref()) {
            Some(s) => borrowed_ptr::<credcycle_universal_auth_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// A list of machine identities. Free with
/// `credcycle_machine_identity_info_list_free`. Immutable and thread-safe.
pub struct credcycle_machine_identity_info_list {
    _private: [u8; 0],
}

impl Castable for credcycle_machine_identity_info_list {
    type Ownership = OwnershipBox;
    type RustType = Vec<MachineIdentityInfo>;
}

/// Frees the list and its entries. NULL is a no-op; call it exactly once.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_machine_identity_info_list_free(
    p: *mut credcycle_machine_identity_info_list,
) {
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
pub unsafe extern "C" fn credcycle_machine_identity_info_list_len(
    p: *const credcycle_machine_identity_info_list,
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
pub unsafe extern "C" fn credcycle_machine_identity_info_list_get(
    p: *const credcycle_machine_identity_info_list,
    i: usize,
) -> *const credcycle_machine_identity_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_machine_identity_info_list>(p) }.and_then(|v| v.get(i)) {
            Some(s) => borrowed_ptr::<credcycle_machine_identity_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// A universal-auth client secret's metadata (never the secret). Free with
/// `credcycle_client_secret_info_free`. Immutable; may be read from any
/// thread and freed from any thread, once.
pub struct credcycle_client_secret_info {
    _private: [u8; 0],
}

impl Castable for credcycle_client_secret_info {
    type Ownership = OwnershipBox;
    type RustType = ClientSecretInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_client_secret_info_free(p: *mut credcycle_client_secret_info) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// Id. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_client_secret_info_id(
    p: *const credcycle_client_secret_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.id) }
    }
}

/// The identity. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_client_secret_info_identity_id(
    p: *const credcycle_client_secret_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.identity_id) }
    }
}

/// Description. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_client_secret_info_description(
    p: *const credcycle_client_secret_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.description) }
    }
}

/// The first characters of the secret, to recognise it. Borrowed from the
/// object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_client_secret_info_prefix(
    p: *const credcycle_client_secret_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.prefix) }
    }
}

/// Lifetime in seconds (0: no expiry). 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_client_secret_info_ttl_secs(
    p: *const credcycle_client_secret_info,
) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.ttl_secs) }
    }
}

/// Logins so far. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_client_secret_info_num_uses(
    p: *const credcycle_client_secret_info,
) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.num_uses) }
    }
}

/// Logins allowed (0: unlimited). 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_client_secret_info_num_uses_limit(
    p: *const credcycle_client_secret_info,
) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.num_uses_limit) }
    }
}

/// `ACTIVE`, `REVOKED`, ... Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_client_secret_info_state(
    p: *const credcycle_client_secret_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.state) }
    }
}

/// Creation time. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_client_secret_info_create_time(
    p: *const credcycle_client_secret_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.create_time) }
    }
}

/// Expiry, if it has one. Returns whether it is set; if so and `out` is not
/// NULL, writes it to `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_client_secret_info_expires_at(
    p: *const credcycle_client_secret_info,
    out: *mut i64,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_client_secret_info>(p) }.and_then(|v| v.expires_at) {
            Some(x) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, x) };
                true
            }
            None => false,
        }
    }
}

/// Last login with it, if any. Returns whether it is set; if so and `out` is
/// not NULL, writes it to `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_client_secret_info_last_used_at(
    p: *const credcycle_client_secret_info,
    out: *mut i64,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_client_secret_info>(p) }.and_then(|v| v.last_used_at) {
            Some(x) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, x) };
                true
            }
            None => false,
        }
    }
}

/// A list of client secrets. Free with
/// `credcycle_client_secret_info_list_free`. Immutable and thread-safe.
pub struct credcycle_client_secret_info_list {
    _private: [u8; 0],
}

impl Castable for credcycle_client_secret_info_list {
    type Ownership = OwnershipBox;
    type RustType = Vec<ClientSecretInfo>;
}

/// Frees the list and its entries. NULL is a no-op; call it exactly once.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_client_secret_info_list_free(
    p: *mut credcycle_client_secret_info_list,
) {
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
pub unsafe extern "C" fn credcycle_client_secret_info_list_len(
    p: *const credcycle_client_secret_info_list,
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
pub unsafe extern "C" fn credcycle_client_secret_info_list_get(
    p: *const credcycle_client_secret_info_list,
    i: usize,
) -> *const credcycle_client_secret_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_client_secret_info_list>(p) }.and_then(|v| v.get(i)) {
            Some(s) => borrowed_ptr::<credcycle_client_secret_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// What `credcycle_machine_auth_create_client_secret` returns. Free with
/// `credcycle_created_client_secret_free`. Immutable; may be read from any
/// thread and freed from any thread, once.
pub struct credcycle_created_client_secret {
    _private: [u8; 0],
}

impl Castable for credcycle_created_client_secret {
    type Ownership = OwnershipBox;
    type RustType = CreatedClientSecretInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_created_client_secret_free(
    p: *mut credcycle_created_client_secret,
) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The client id to log in with. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_created_client_secret_client_id(
    p: *const credcycle_created_client_secret,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.client_id) }
    }
}

/// The client secret, shown once. Copies it, NUL-terminated, into `(buf,
/// len)`; `*out_n` is the bytes written or needed, NUL included
/// (`INSUFFICIENT_SIZE` when `len` is too small). Secret: the library's
/// temporary copy is zeroized; zero yours when done.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_created_client_secret_secret(
    p: *const credcycle_created_client_secret,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live object of this type (the C contract).
        let v = require!(unsafe { try_ref_from_ptr::<credcycle_created_client_secret>(p) });
        require_out!(out_n);
        let s = require_found!(Some(v.secret.as_str()));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_secret_str_out(s, buf, len, out_n) }
    }
}

/// Its metadata. Borrowed from the object (valid until it is freed; do not
/// free it). NULL for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_created_client_secret_info(
    p: *const credcycle_created_client_secret,
) -> *const credcycle_client_secret_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_created_client_secret>(p) }.map(|v| &v.info) {
            Some(s) => borrowed_ptr::<credcycle_client_secret_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// An access token's metadata (never the token). Free with
/// `credcycle_access_token_info_free`. Immutable; may be read from any thread
/// and freed from any thread, once.
pub struct credcycle_access_token_info {
    _private: [u8; 0],
}

impl Castable for credcycle_access_token_info {
    type Ownership = OwnershipBox;
    type RustType = AccessTokenInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_access_token_info_free(p: *mut credcycle_access_token_info) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// Id. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_access_token_info_id(
    p: *const credcycle_access_token_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.id) }
    }
}

/// The identity. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_access_token_info_identity_id(
    p: *const credcycle_access_token_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.identity_id) }
    }
}

/// The client secret it was issued for. Borrowed from the object; empty for
/// NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_access_token_info_client_secret_id(
    p: *const credcycle_access_token_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.client_secret_id) }
    }
}

/// Issue time. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_access_token_info_create_time(
    p: *const credcycle_access_token_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.create_time) }
    }
}

/// Current expiry (unset: periodic or unlimited). Returns whether it is set;
/// if so and `out` is not NULL, writes it to `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_access_token_info_expires_at(
    p: *const credcycle_access_token_info,
    out: *mut i64,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_access_token_info>(p) }.and_then(|v| v.expires_at) {
            Some(x) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, x) };
                true
            }
            None => false,
        }
    }
}

/// Expiry through renewals. Returns whether it is set; if so and `out` is not
/// NULL, writes it to `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_access_token_info_max_expires_at(
    p: *const credcycle_access_token_info,
    out: *mut i64,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_access_token_info>(p) }.and_then(|v| v.max_expires_at) {
            Some(x) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, x) };
                true
            }
            None => false,
        }
    }
}

/// Lifetime in seconds. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_access_token_info_ttl_secs(
    p: *const credcycle_access_token_info,
) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.ttl_secs) }
    }
}

/// Longest lifetime in seconds. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_access_token_info_max_ttl_secs(
    p: *const credcycle_access_token_info,
) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.max_ttl_secs) }
    }
}

/// Renewal period in seconds. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_access_token_info_period_secs(
    p: *const credcycle_access_token_info,
) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.period_secs) }
    }
}

/// Uses so far. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_access_token_info_num_uses(
    p: *const credcycle_access_token_info,
) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.num_uses) }
    }
}

/// Uses allowed (0: unlimited). 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_access_token_info_num_uses_limit(
    p: *const credcycle_access_token_info,
) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.num_uses_limit) }
    }
}

/// What `credcycle_machine_auth_login` returns. Free with
/// `credcycle_access_token_grant_free`. Immutable; may be read from any
/// thread and freed from any thread, once.
pub struct credcycle_access_token_grant {
    _private: [u8; 0],
}

impl Castable for credcycle_access_token_grant {
    type Ownership = OwnershipBox;
    type RustType = AccessTokenGrantInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_access_token_grant_free(p: *mut credcycle_access_token_grant) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The access token, shown once. Copies it, NUL-terminated, into `(buf,
/// len)`; `*out_n` is the bytes written or needed, NUL included
/// (`INSUFFICIENT_SIZE` when `len` is too small). Secret: the library's
/// temporary copy is zeroized; zero yours when done.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_access_token_grant_access_token(
    p: *const credcycle_access_token_grant,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live object of this type (the C contract).
        let v = require!(unsafe { try_ref_from_ptr::<credcycle_access_token_grant>(p) });
        require_out!(out_n);
        let s = require_found!(Some(v.access_token.as_str()));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_secret_str_out(s, buf, len, out_n) }
    }
}

/// Seconds until it expires. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_access_token_grant_expires_in(
    p: *const credcycle_access_token_grant,
) -> u64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.expires_in) }
    }
}

/// Longest lifetime through renewals, in seconds. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_access_token_grant_access_token_max_ttl(
    p: *const credcycle_access_token_grant,
) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.access_token_max_ttl) }
    }
}

/// `Bearer`. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_access_token_grant_token_type(
    p: *const credcycle_access_token_grant,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.token_type) }
    }
}

/// Its metadata. Borrowed from the object (valid until it is freed; do not
/// free it). NULL for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_access_token_grant_info(
    p: *const credcycle_access_token_grant,
) -> *const credcycle_access_token_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_access_token_grant>(p) }.map(|v| &v.info) {
            Some(s) => borrowed_ptr::<credcycle_access_token_info>(s),
            None => std::ptr::null(),
        }
    }
}
