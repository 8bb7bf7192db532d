//! Result objects of the targets domain and the engine's JOSE signing.
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

/// A target's HMAC signing key (never the key itself). Free with
/// `credcycle_signing_key_info_free`. Immutable; may be read from any thread
/// and freed from any thread, once.
pub struct credcycle_signing_key_info {
    _private: [u8; 0],
}

impl Castable for credcycle_signing_key_info {
    type Ownership = OwnershipBox;
    type RustType = SigningKeyInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_signing_key_info_free(p: *mut credcycle_signing_key_info) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// Its number on the target (1, 2, ...). 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_signing_key_info_number(
    p: *const credcycle_signing_key_info,
) -> u64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.number) }
    }
}

/// When it was made (seconds since the Unix epoch). 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_signing_key_info_create_time(
    p: *const credcycle_signing_key_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.create_time) }
    }
}

/// When it stops signing, if a newer key replaced it with a grace period.
/// Returns whether it is set; if so and `out` is not NULL, writes it to
/// `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_signing_key_info_expire_time(
    p: *const credcycle_signing_key_info,
    out: *mut i64,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_signing_key_info>(p) }.and_then(|v| v.expire_time) {
            Some(x) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, x) };
                true
            }
            None => false,
        }
    }
}

/// A receiver's public encryption key on a target. Free with
/// `credcycle_encryption_key_info_free`. Immutable; may be read from any
/// thread and freed from any thread, once.
pub struct credcycle_encryption_key_info {
    _private: [u8; 0],
}

impl Castable for credcycle_encryption_key_info {
    type Ownership = OwnershipBox;
    type RustType = EncryptionKeyInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_encryption_key_info_free(p: *mut credcycle_encryption_key_info) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// `SHA256:` + base64 of the SHA-256 of its SubjectPublicKeyInfo; its id and
/// the JWE `kid`. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_encryption_key_info_fingerprint(
    p: *const credcycle_encryption_key_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.fingerprint) }
    }
}

/// `RSA-<bits>`, `EC-P256` or `EC-P384`. Borrowed from the object; empty for
/// NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_encryption_key_info_kind(
    p: *const credcycle_encryption_key_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.kind) }
    }
}

/// The JWE key management algorithm used with it. Borrowed from the object;
/// empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_encryption_key_info_algorithm(
    p: *const credcycle_encryption_key_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.algorithm) }
    }
}

/// When it was added. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_encryption_key_info_create_time(
    p: *const credcycle_encryption_key_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.create_time) }
    }
}

/// When it stops being usable, if ever. Returns whether it is set; if so and
/// `out` is not NULL, writes it to `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_encryption_key_info_expire_time(
    p: *const credcycle_encryption_key_info,
    out: *mut i64,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_encryption_key_info>(p) }.and_then(|v| v.expire_time) {
            Some(x) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, x) };
                true
            }
            None => false,
        }
    }
}

/// Whether payloads are encrypted to it. false for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_encryption_key_info_active(
    p: *const credcycle_encryption_key_info,
) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.active) }
    }
}

/// A list of encryption keys. Free with
/// `credcycle_encryption_key_info_list_free`. Immutable and thread-safe.
pub struct credcycle_encryption_key_info_list {
    _private: [u8; 0],
}

impl Castable for credcycle_encryption_key_info_list {
    type Ownership = OwnershipBox;
    type RustType = Vec<EncryptionKeyInfo>;
}

/// Frees the list and its entries. NULL is a no-op; call it exactly once.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_encryption_key_info_list_free(
    p: *mut credcycle_encryption_key_info_list,
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
pub unsafe extern "C" fn credcycle_encryption_key_info_list_len(
    p: *const credcycle_encryption_key_info_list,
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
pub unsafe extern "C" fn credcycle_encryption_key_info_list_get(
    p: *const credcycle_encryption_key_info_list,
    i: usize,
) -> *const credcycle_encryption_key_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_encryption_key_info_list>(p) }.and_then(|v| v.get(i)) {
            Some(s) => borrowed_ptr::<credcycle_encryption_key_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// A target's metadata (signing keys are never included). Free with
/// `credcycle_target_info_free`. Immutable; may be read from any thread and
/// freed from any thread, once.
pub struct credcycle_target_info {
    _private: [u8; 0],
}

impl Castable for credcycle_target_info {
    type Ownership = OwnershipBox;
    type RustType = TargetInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_target_info_free(p: *mut credcycle_target_info) {
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
pub unsafe extern "C" fn credcycle_target_info_id(
    p: *const credcycle_target_info,
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
pub unsafe extern "C" fn credcycle_target_info_name(
    p: *const credcycle_target_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.name) }
    }
}

/// Absolute `http`/`https` URL. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_target_info_endpoint(
    p: *const credcycle_target_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.endpoint) }
    }
}

/// Call timeout in milliseconds. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_target_info_timeout_ms(p: *const credcycle_target_info) -> u64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.timeout_ms) }
    }
}

/// `REST_WEBHOOK`, `REST_CALL` or `REST_ASYNC`. Borrowed from the object;
/// empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_target_info_target_type(
    p: *const credcycle_target_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.target_type) }
    }
}

/// Whether a failure stops the execution. false for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_target_info_interrupt_on_error(
    p: *const credcycle_target_info,
) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.interrupt_on_error) }
    }
}

/// `JSON`, `JWT` or `JWE`. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_target_info_payload_type(
    p: *const credcycle_target_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.payload_type) }
    }
}

/// `ZITADEL` or `STANDARD_WEBHOOKS`. Borrowed from the object; empty for
/// NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_target_info_scheme(
    p: *const credcycle_target_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.scheme) }
    }
}

/// Header name of the Zitadel scheme. Borrowed from the object; empty for
/// NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_target_info_signature_header(
    p: *const credcycle_target_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.signature_header) }
    }
}

/// The number of entries of `signing_key`. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_target_info_signing_key_count(
    p: *const credcycle_target_info,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.signing_keys.len()) }
    }
}

/// Signing key `i` (oldest first). Entry `i`, borrowed from the object (valid
/// until it is freed; do not free it); NULL when out of range or for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_target_info_signing_key(
    p: *const credcycle_target_info,
    i: usize,
) -> *const credcycle_signing_key_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_target_info>(p) }.and_then(|v| v.signing_keys.get(i)) {
            Some(s) => borrowed_ptr::<credcycle_signing_key_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// The number of entries of `encryption_key`. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_target_info_encryption_key_count(
    p: *const credcycle_target_info,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.encryption_keys.len()) }
    }
}

/// Encryption key `i` (in the order added). Entry `i`, borrowed from the
/// object (valid until it is freed; do not free it); NULL when out of range
/// or for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_target_info_encryption_key(
    p: *const credcycle_target_info,
    i: usize,
) -> *const credcycle_encryption_key_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_target_info>(p) }.and_then(|v| v.encryption_keys.get(i)) {
            Some(s) => borrowed_ptr::<credcycle_encryption_key_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// Creation time. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_target_info_create_time(p: *const credcycle_target_info) -> i64 {
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
pub unsafe extern "C" fn credcycle_target_info_change_date(p: *const credcycle_target_info) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.change_date) }
    }
}

/// A list of targets. Free with `credcycle_target_info_list_free`. Immutable
/// and thread-safe.
pub struct credcycle_target_info_list {
    _private: [u8; 0],
}

impl Castable for credcycle_target_info_list {
    type Ownership = OwnershipBox;
    type RustType = Vec<TargetInfo>;
}

/// Frees the list and its entries. NULL is a no-op; call it exactly once.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_target_info_list_free(p: *mut credcycle_target_info_list) {
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
pub unsafe extern "C" fn credcycle_target_info_list_len(
    p: *const credcycle_target_info_list,
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
pub unsafe extern "C" fn credcycle_target_info_list_get(
    p: *const credcycle_target_info_list,
    i: usize,
) -> *const credcycle_target_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_target_info_list>(p) }.and_then(|v| v.get(i)) {
            Some(s) => borrowed_ptr::<credcycle_target_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// What `credcycle_targets_create` returns: the target and its first signing
/// key. Free with `credcycle_created_target_free`. Immutable; may be read
/// from any thread and freed from any thread, once.
pub struct credcycle_created_target {
    _private: [u8; 0],
}

impl Castable for credcycle_created_target {
    type Ownership = OwnershipBox;
    type RustType = CreatedTargetInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_created_target_free(p: *mut credcycle_created_target) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The target. Borrowed from the object (valid until it is freed; do not free
/// it). NULL for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_created_target_target(
    p: *const credcycle_created_target,
) -> *const credcycle_target_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_created_target>(p) }.map(|v| &v.target) {
            Some(s) => borrowed_ptr::<credcycle_target_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// Its first signing key (`whsec_` + base64), shown once. Copies it,
/// NUL-terminated, into `(buf, len)`; `*out_n` is the bytes written or
/// needed, NUL included (`INSUFFICIENT_SIZE` when `len` is too small).
/// Secret: the library's temporary copy is zeroized; zero yours when done.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_created_target_signing_key(
    p: *const credcycle_created_target,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live object of this type (the C contract).
        let v = require!(unsafe { try_ref_from_ptr::<credcycle_created_target>(p) });
        require_out!(out_n);
        let s = require_found!(Some(v.signing_key.as_str()));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_secret_str_out(s, buf, len, out_n) }
    }
}

/// What `credcycle_targets_update` returns. Free with
/// `credcycle_target_update_free`. Immutable; may be read from any thread and
/// freed from any thread, once.
pub struct credcycle_target_update {
    _private: [u8; 0],
}

impl Castable for credcycle_target_update {
    type Ownership = OwnershipBox;
    type RustType = TargetUpdateResult;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_target_update_free(p: *mut credcycle_target_update) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// When the change was made. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_target_update_change_date(
    p: *const credcycle_target_update,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.change_date) }
    }
}

/// The new signing key (`whsec_` + base64), only when a new key was asked
/// for. Copies it, NUL-terminated, into `(buf, len)`; `*out_n` is the bytes
/// written or needed, NUL included (`INSUFFICIENT_SIZE` when `len` is too
/// small). Secret: the library's temporary copy is zeroized; zero yours when
/// done. `NOT_FOUND` when there is none.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_target_update_signing_key(
    p: *const credcycle_target_update,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live object of this type (the C contract).
        let v = require!(unsafe { try_ref_from_ptr::<credcycle_target_update>(p) });
        require_out!(out_n);
        let s = require_found!(v.signing_key.as_deref());
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_secret_str_out(s, buf, len, out_n) }
    }
}

/// One HTTP header. Free with `credcycle_header_free`. Immutable; may be read
/// from any thread and freed from any thread, once.
pub struct credcycle_header {
    _private: [u8; 0],
}

impl Castable for credcycle_header {
    type Ownership = OwnershipBox;
    type RustType = Header;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_header_free(p: *mut credcycle_header) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The name. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_header_name(p: *const credcycle_header) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.name) }
    }
}

/// The value. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_header_value(p: *const credcycle_header) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.value) }
    }
}

/// The exact request to send to a target. Free with
/// `credcycle_signed_request_free`. Immutable; may be read from any thread
/// and freed from any thread, once.
pub struct credcycle_signed_request {
    _private: [u8; 0],
}

impl Castable for credcycle_signed_request {
    type Ownership = OwnershipBox;
    type RustType = SignedRequestInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_signed_request_free(p: *mut credcycle_signed_request) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The number of entries of `header`. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_signed_request_header_count(
    p: *const credcycle_signed_request,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.headers.len()) }
    }
}

/// Header `i` to set (`content-type` first). Entry `i`, borrowed from the
/// object (valid until it is freed; do not free it); NULL when out of range
/// or for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_signed_request_header(
    p: *const credcycle_signed_request,
    i: usize,
) -> *const credcycle_header {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_signed_request>(p) }.and_then(|v| v.headers.get(i)) {
            Some(s) => borrowed_ptr::<credcycle_header>(s),
            None => std::ptr::null(),
        }
    }
}

/// The body. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_signed_request_body(
    p: *const credcycle_signed_request,
) -> credcycle_bytes {
    ffi_panic_boundary! { default: credcycle_bytes::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_signed_request>(p) } {
            Some(v) => credcycle_bytes::borrow(&v.body),
            None => credcycle_bytes::EMPTY,
        }
    }
}

/// The engine's token-signing key (ES256 in the key manager). Free with
/// `credcycle_token_signing_key_free`. Immutable; may be read from any thread
/// and freed from any thread, once.
pub struct credcycle_token_signing_key {
    _private: [u8; 0],
}

impl Castable for credcycle_token_signing_key {
    type Ownership = OwnershipBox;
    type RustType = TokenSigningKeyInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_token_signing_key_free(p: *mut credcycle_token_signing_key) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The key manager key. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_token_signing_key_kms_key(
    p: *const credcycle_token_signing_key,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.kms_key) }
    }
}

/// Its primary version. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_token_signing_key_kms_version(
    p: *const credcycle_token_signing_key,
) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.kms_version) }
    }
}

/// The JWS `kid` (the RFC 7638 thumbprint of the public key). Borrowed from
/// the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_token_signing_key_kid(
    p: *const credcycle_token_signing_key,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.kid) }
    }
}

/// The header and claims of a verified JWT, as JSON texts. Free with
/// `credcycle_verified_jwt_free`. Immutable; may be read from any thread and
/// freed from any thread, once.
pub struct credcycle_verified_jwt {
    _private: [u8; 0],
}

impl Castable for credcycle_verified_jwt {
    type Ownership = OwnershipBox;
    type RustType = VerifiedJwtInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_verified_jwt_free(p: *mut credcycle_verified_jwt) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The algorithm that verified (`ES256`, ...). Borrowed from the object;
/// empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_verified_jwt_algorithm(
    p: *const credcycle_verified_jwt,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.algorithm) }
    }
}

/// The `kid` of the key that verified, if any. Returns whether it is set; if
/// so and `out` is not NULL, writes a view borrowed from the object to
/// `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_verified_jwt_kid(
    p: *const credcycle_verified_jwt,
    out: *mut credcycle_str,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_verified_jwt>(p) }.and_then(|v| v.kid.as_deref()) {
            Some(s) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, credcycle_str::borrow(s)) };
                true
            }
            None => false,
        }
    }
}

/// The protected header (JSON object). Borrowed from the object; empty for
/// NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_verified_jwt_header_json(
    p: *const credcycle_verified_jwt,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.header_json) }
    }
}

/// The claims (JSON object). Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_verified_jwt_claims_json(
    p: *const credcycle_verified_jwt,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.claims_json) }
    }
}
