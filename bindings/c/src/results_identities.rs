//! Result objects of the identities (authenticators, external JWT signers, API sessions) and MFA domains, and of the client helpers.
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

/// An identity. Free with `credcycle_identity_info_free`. Immutable; may be
/// read from any thread and freed from any thread, once.
pub struct credcycle_identity_info {
    _private: [u8; 0],
}

impl Castable for credcycle_identity_info {
    type Ownership = OwnershipBox;
    type RustType = IdentityInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identity_info_free(p: *mut credcycle_identity_info) {
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
pub unsafe extern "C" fn credcycle_identity_info_id(
    p: *const credcycle_identity_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.id) }
    }
}

/// Unique name. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identity_info_name(
    p: *const credcycle_identity_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.name) }
    }
}

/// Tags (a JSON object of null, string or boolean values). Borrowed from the
/// object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identity_info_tags_json(
    p: *const credcycle_identity_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.tags_json) }
    }
}

/// Creation time. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identity_info_create_time(
    p: *const credcycle_identity_info,
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
pub unsafe extern "C" fn credcycle_identity_info_update_time(
    p: *const credcycle_identity_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.update_time) }
    }
}

/// A list of identities. Free with `credcycle_identity_info_list_free`.
/// Immutable and thread-safe.
pub struct credcycle_identity_info_list {
    _private: [u8; 0],
}

impl Castable for credcycle_identity_info_list {
    type Ownership = OwnershipBox;
    type RustType = Vec<IdentityInfo>;
}

/// Frees the list and its entries. NULL is a no-op; call it exactly once.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identity_info_list_free(p: *mut credcycle_identity_info_list) {
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
pub unsafe extern "C" fn credcycle_identity_info_list_len(
    p: *const credcycle_identity_info_list,
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
pub unsafe extern "C" fn credcycle_identity_info_list_get(
    p: *const credcycle_identity_info_list,
    i: usize,
) -> *const credcycle_identity_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_identity_info_list>(p) }.and_then(|v| v.get(i)) {
            Some(s) => borrowed_ptr::<credcycle_identity_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// An authenticator of an identity (never its password). Free with
/// `credcycle_authenticator_info_free`. Immutable; may be read from any
/// thread and freed from any thread, once.
pub struct credcycle_authenticator_info {
    _private: [u8; 0],
}

impl Castable for credcycle_authenticator_info {
    type Ownership = OwnershipBox;
    type RustType = AuthenticatorInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_authenticator_info_free(p: *mut credcycle_authenticator_info) {
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
pub unsafe extern "C" fn credcycle_authenticator_info_id(
    p: *const credcycle_authenticator_info,
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
pub unsafe extern "C" fn credcycle_authenticator_info_identity_id(
    p: *const credcycle_authenticator_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.identity_id) }
    }
}

/// `updb` (username/password) or `cert`. Borrowed from the object; empty for
/// NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_authenticator_info_method(
    p: *const credcycle_authenticator_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.method) }
    }
}

/// Username (`updb`). Returns whether it is set; if so and `out` is not NULL,
/// writes a view borrowed from the object to `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_authenticator_info_username(
    p: *const credcycle_authenticator_info,
    out: *mut credcycle_str,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_authenticator_info>(p) }.and_then(|v| v.username.as_deref()) {
            Some(s) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, credcycle_str::borrow(s)) };
                true
            }
            None => false,
        }
    }
}

/// Certificate fingerprint (`cert`). Returns whether it is set; if so and
/// `out` is not NULL, writes a view borrowed from the object to `*out`.
/// `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_authenticator_info_cert_fingerprint(
    p: *const credcycle_authenticator_info,
    out: *mut credcycle_str,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_authenticator_info>(p) }.and_then(|v| v.cert_fingerprint.as_deref()) {
            Some(s) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, credcycle_str::borrow(s)) };
                true
            }
            None => false,
        }
    }
}

/// Whether the password must be changed on next login. false for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_authenticator_info_password_change_required(
    p: *const credcycle_authenticator_info,
) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.password_change_required) }
    }
}

/// Tags (JSON object). Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_authenticator_info_tags_json(
    p: *const credcycle_authenticator_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.tags_json) }
    }
}

/// Creation time. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_authenticator_info_create_time(
    p: *const credcycle_authenticator_info,
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
pub unsafe extern "C" fn credcycle_authenticator_info_update_time(
    p: *const credcycle_authenticator_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.update_time) }
    }
}

/// A list of authenticators. Free with
/// `credcycle_authenticator_info_list_free`. Immutable and thread-safe.
pub struct credcycle_authenticator_info_list {
    _private: [u8; 0],
}

impl Castable for credcycle_authenticator_info_list {
    type Ownership = OwnershipBox;
    type RustType = Vec<AuthenticatorInfo>;
}

/// Frees the list and its entries. NULL is a no-op; call it exactly once.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_authenticator_info_list_free(
    p: *mut credcycle_authenticator_info_list,
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
pub unsafe extern "C" fn credcycle_authenticator_info_list_len(
    p: *const credcycle_authenticator_info_list,
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
pub unsafe extern "C" fn credcycle_authenticator_info_list_get(
    p: *const credcycle_authenticator_info_list,
    i: usize,
) -> *const credcycle_authenticator_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_authenticator_info_list>(p) }.and_then(|v| v.get(i)) {
            Some(s) => borrowed_ptr::<credcycle_authenticator_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// An external JWT signer whose tokens log identities in. Free with
/// `credcycle_ext_jwt_signer_info_free`. Immutable; may be read from any
/// thread and freed from any thread, once.
pub struct credcycle_ext_jwt_signer_info {
    _private: [u8; 0],
}

impl Castable for credcycle_ext_jwt_signer_info {
    type Ownership = OwnershipBox;
    type RustType = ExtJwtSignerInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_ext_jwt_signer_info_free(p: *mut credcycle_ext_jwt_signer_info) {
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
pub unsafe extern "C" fn credcycle_ext_jwt_signer_info_id(
    p: *const credcycle_ext_jwt_signer_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.id) }
    }
}

/// Unique name. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_ext_jwt_signer_info_name(
    p: *const credcycle_ext_jwt_signer_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.name) }
    }
}

/// The `iss` tokens must carry. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_ext_jwt_signer_info_issuer(
    p: *const credcycle_ext_jwt_signer_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.issuer) }
    }
}

/// The `aud` tokens must carry. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_ext_jwt_signer_info_audience(
    p: *const credcycle_ext_jwt_signer_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.audience) }
    }
}

/// Verification keys: a JWKS JSON document or a PEM public key. Borrowed from
/// the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_ext_jwt_signer_info_keys(
    p: *const credcycle_ext_jwt_signer_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.keys) }
    }
}

/// Whether `keys` is a PEM key (else a JWKS). false for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_ext_jwt_signer_info_keys_are_pem(
    p: *const credcycle_ext_jwt_signer_info,
) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.keys_are_pem) }
    }
}

/// The claim naming the identity. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_ext_jwt_signer_info_identity_claim(
    p: *const credcycle_ext_jwt_signer_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.identity_claim) }
    }
}

/// `id` or `name`: what the claim holds. Borrowed from the object; empty for
/// NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_ext_jwt_signer_info_claim_match(
    p: *const credcycle_ext_jwt_signer_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.claim_match) }
    }
}

/// Whether it is used. false for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_ext_jwt_signer_info_enabled(
    p: *const credcycle_ext_jwt_signer_info,
) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.enabled) }
    }
}

/// Creation time. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_ext_jwt_signer_info_create_time(
    p: *const credcycle_ext_jwt_signer_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.create_time) }
    }
}

/// A list of external JWT signers. Free with
/// `credcycle_ext_jwt_signer_info_list_free`. Immutable and thread-safe.
pub struct credcycle_ext_jwt_signer_info_list {
    _private: [u8; 0],
}

impl Castable for credcycle_ext_jwt_signer_info_list {
    type Ownership = OwnershipBox;
    type RustType = Vec<ExtJwtSignerInfo>;
}

/// Frees the list and its entries. NULL is a no-op; call it exactly once.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_ext_jwt_signer_info_list_free(
    p: *mut credcycle_ext_jwt_signer_info_list,
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
pub unsafe extern "C" fn credcycle_ext_jwt_signer_info_list_len(
    p: *const credcycle_ext_jwt_signer_info_list,
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
pub unsafe extern "C" fn credcycle_ext_jwt_signer_info_list_get(
    p: *const credcycle_ext_jwt_signer_info_list,
    i: usize,
) -> *const credcycle_ext_jwt_signer_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_ext_jwt_signer_info_list>(p) }.and_then(|v| v.get(i)) {
            Some(s) => borrowed_ptr::<credcycle_ext_jwt_signer_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// An API session (never its token). Free with `credcycle_session_info_free`.
/// Immutable; may be read from any thread and freed from any thread, once.
pub struct credcycle_session_info {
    _private: [u8; 0],
}

impl Castable for credcycle_session_info {
    type Ownership = OwnershipBox;
    type RustType = SessionInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_info_free(p: *mut credcycle_session_info) {
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
pub unsafe extern "C" fn credcycle_session_info_id(
    p: *const credcycle_session_info,
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
pub unsafe extern "C" fn credcycle_session_info_identity_id(
    p: *const credcycle_session_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.identity_id) }
    }
}

/// `password`, `cert` or `ext-jwt`. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_info_auth_method(
    p: *const credcycle_session_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.auth_method) }
    }
}

/// The authenticator used, if any. Returns whether it is set; if so and `out`
/// is not NULL, writes a view borrowed from the object to `*out`. `false` for
/// NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_info_authenticator_id(
    p: *const credcycle_session_info,
    out: *mut credcycle_str,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_session_info>(p) }.and_then(|v| v.authenticator_id.as_deref()) {
            Some(s) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, credcycle_str::borrow(s)) };
                true
            }
            None => false,
        }
    }
}

/// Creation time. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_info_create_time(
    p: *const credcycle_session_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.create_time) }
    }
}

/// Last activity (slides the idle timeout). 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_info_last_activity_time(
    p: *const credcycle_session_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.last_activity_time) }
    }
}

/// Expiry. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_info_expires_at(
    p: *const credcycle_session_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.expires_at) }
    }
}

/// Whether the identity has MFA, so the session owes a second factor. false
/// for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_info_mfa_required(
    p: *const credcycle_session_info,
) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.mfa_required) }
    }
}

/// Whether the second factor was given. false for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_info_mfa_complete(
    p: *const credcycle_session_info,
) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.mfa_complete) }
    }
}

/// Whether the password must be changed first. false for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_info_password_change_required(
    p: *const credcycle_session_info,
) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.password_change_required) }
    }
}

/// Client environment given at login (JSON object, `{}` if none). Borrowed
/// from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_info_env_info_json(
    p: *const credcycle_session_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.env_info_json) }
    }
}

/// Client SDK given at login (JSON object, `{}` if none). Borrowed from the
/// object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_info_sdk_info_json(
    p: *const credcycle_session_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.sdk_info_json) }
    }
}

/// The number of entries of `config_type`. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_info_config_type_count(
    p: *const credcycle_session_info,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.config_types.len()) }
    }
}

/// Config type `i` requested at login. Entry `i`, borrowed from the object;
/// empty when out of range or NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_info_config_type(
    p: *const credcycle_session_info,
    i: usize,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| v.config_types.get(i).map_or("", |s| s.as_str())) }
    }
}

/// A list of API sessions. Free with `credcycle_session_info_list_free`.
/// Immutable and thread-safe.
pub struct credcycle_session_info_list {
    _private: [u8; 0],
}

impl Castable for credcycle_session_info_list {
    type Ownership = OwnershipBox;
    type RustType = Vec<SessionInfo>;
}

/// Frees the list and its entries. NULL is a no-op; call it exactly once.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_info_list_free(p: *mut credcycle_session_info_list) {
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
pub unsafe extern "C" fn credcycle_session_info_list_len(
    p: *const credcycle_session_info_list,
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
pub unsafe extern "C" fn credcycle_session_info_list_get(
    p: *const credcycle_session_info_list,
    i: usize,
) -> *const credcycle_session_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_session_info_list>(p) }.and_then(|v| v.get(i)) {
            Some(s) => borrowed_ptr::<credcycle_session_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// What `credcycle_identities_authenticate` returns: the session token (shown
/// once) and the session. Free with `credcycle_new_session_free`. Immutable;
/// may be read from any thread and freed from any thread, once.
pub struct credcycle_new_session {
    _private: [u8; 0],
}

impl Castable for credcycle_new_session {
    type Ownership = OwnershipBox;
    type RustType = NewSessionInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_new_session_free(p: *mut credcycle_new_session) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The session token (`ccas_...`), shown once. Copies it, NUL-terminated,
/// into `(buf, len)`; `*out_n` is the bytes written or needed, NUL included
/// (`INSUFFICIENT_SIZE` when `len` is too small). Secret: the library's
/// temporary copy is zeroized; zero yours when done.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_new_session_token(
    p: *const credcycle_new_session,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live object of this type (the C contract).
        let v = require!(unsafe { try_ref_from_ptr::<credcycle_new_session>(p) });
        require_out!(out_n);
        let s = require_found!(Some(v.token.as_str()));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_secret_str_out(s, buf, len, out_n) }
    }
}

/// The session. Borrowed from the object (valid until it is freed; do not
/// free it). NULL for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_new_session_session(
    p: *const credcycle_new_session,
) -> *const credcycle_session_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_new_session>(p) }.map(|v| &v.session) {
            Some(s) => borrowed_ptr::<credcycle_session_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// What `credcycle_mfa_enroll` returns; everything in it is shown once. Free
/// with `credcycle_mfa_enrollment_free`. Immutable; may be read from any
/// thread and freed from any thread, once.
pub struct credcycle_mfa_enrollment {
    _private: [u8; 0],
}

impl Castable for credcycle_mfa_enrollment {
    type Ownership = OwnershipBox;
    type RustType = MfaEnrollmentInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_enrollment_free(p: *mut credcycle_mfa_enrollment) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The `otpauth://` URI (it contains the TOTP secret). Copies it,
/// NUL-terminated, into `(buf, len)`; `*out_n` is the bytes written or
/// needed, NUL included (`INSUFFICIENT_SIZE` when `len` is too small).
/// Secret: the library's temporary copy is zeroized; zero yours when done.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_enrollment_provisioning_uri(
    p: *const credcycle_mfa_enrollment,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live object of this type (the C contract).
        let v = require!(unsafe { try_ref_from_ptr::<credcycle_mfa_enrollment>(p) });
        require_out!(out_n);
        let s = require_found!(Some(v.provisioning_uri.as_str()));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_secret_str_out(s, buf, len, out_n) }
    }
}

/// The number of entries of `recovery_code`. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_enrollment_recovery_code_count(
    p: *const credcycle_mfa_enrollment,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.recovery_codes.len()) }
    }
}

/// One-time recovery code `i`. Copies entry `i`, NUL-terminated, into `(buf,
/// len)`; `*out_n` is the bytes written or needed, NUL included. `NOT_FOUND`
/// when `i` is out of range. Secret: zero your copy when done.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_enrollment_recovery_code(
    p: *const credcycle_mfa_enrollment,
    i: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live object of this type (the C contract).
        let v = require!(unsafe { try_ref_from_ptr::<credcycle_mfa_enrollment>(p) });
        require_out!(out_n);
        let s = require_found!(v.recovery_codes.get(i).map(|s| s.as_str()));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_secret_str_out(s, buf, len, out_n) }
    }
}

/// The URI as a PNG QR code (it contains the TOTP secret). Borrowed from the
/// object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_enrollment_qr_png(
    p: *const credcycle_mfa_enrollment,
) -> credcycle_bytes {
    ffi_panic_boundary! { default: credcycle_bytes::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_mfa_enrollment>(p) } {
            Some(v) => credcycle_bytes::borrow(&v.qr_png),
            None => credcycle_bytes::EMPTY,
        }
    }
}

/// An identity's MFA state. Free with `credcycle_mfa_state_free`. Immutable;
/// may be read from any thread and freed from any thread, once.
pub struct credcycle_mfa_state {
    _private: [u8; 0],
}

impl Castable for credcycle_mfa_state {
    type Ownership = OwnershipBox;
    type RustType = MfaStatusInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_state_free(p: *mut credcycle_mfa_state) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// Whether a TOTP secret exists. false for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_state_enrolled(p: *const credcycle_mfa_state) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.enrolled) }
    }
}

/// Whether a first code confirmed it. false for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_state_verified(p: *const credcycle_mfa_state) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.verified) }
    }
}

/// The `otpauth://` URI, while the enrollment is not yet verified. Copies it,
/// NUL-terminated, into `(buf, len)`; `*out_n` is the bytes written or
/// needed, NUL included (`INSUFFICIENT_SIZE` when `len` is too small).
/// Secret: the library's temporary copy is zeroized; zero yours when done.
/// `NOT_FOUND` when there is none.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_state_provisioning_uri(
    p: *const credcycle_mfa_state,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live object of this type (the C contract).
        let v = require!(unsafe { try_ref_from_ptr::<credcycle_mfa_state>(p) });
        require_out!(out_n);
        let s = require_found!(v.provisioning_uri.as_deref());
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_secret_str_out(s, buf, len, out_n) }
    }
}

/// `SHA1`, `SHA256` or `SHA512`, when enrolled. Returns whether it is set; if
/// so and `out` is not NULL, writes a view borrowed from the object to
/// `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_state_algorithm(
    p: *const credcycle_mfa_state,
    out: *mut credcycle_str,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_mfa_state>(p) }.and_then(|v| v.algorithm.as_deref()) {
            Some(s) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, credcycle_str::borrow(s)) };
                true
            }
            None => false,
        }
    }
}

/// Code length, when enrolled. Returns whether it is set; if so and `out` is
/// not NULL, writes it to `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_state_digits(
    p: *const credcycle_mfa_state,
    out: *mut u32,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_mfa_state>(p) }.and_then(|v| v.digits) {
            Some(x) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, x) };
                true
            }
            None => false,
        }
    }
}

/// Step in seconds, when enrolled. Returns whether it is set; if so and `out`
/// is not NULL, writes it to `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_state_period(
    p: *const credcycle_mfa_state,
    out: *mut u32,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_mfa_state>(p) }.and_then(|v| v.period) {
            Some(x) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, x) };
                true
            }
            None => false,
        }
    }
}

/// Unused recovery codes. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_state_recovery_codes_remaining(
    p: *const credcycle_mfa_state,
) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.recovery_codes_remaining) }
    }
}

/// Enrollment time. Returns whether it is set; if so and `out` is not NULL,
/// writes it to `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_state_create_time(
    p: *const credcycle_mfa_state,
    out: *mut i64,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_mfa_state>(p) }.and_then(|v| v.create_time) {
            Some(x) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, x) };
                true
            }
            None => false,
        }
    }
}

/// Locked after too many wrong codes until this time. Returns whether it is
/// set; if so and `out` is not NULL, writes it to `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_state_locked_until(
    p: *const credcycle_mfa_state,
    out: *mut i64,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_mfa_state>(p) }.and_then(|v| v.locked_until) {
            Some(x) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, x) };
                true
            }
            None => false,
        }
    }
}

/// Recovery codes: shown only while none has been used since they were made.
/// Free with `credcycle_recovery_codes_free`. Immutable; may be read from any
/// thread and freed from any thread, once.
pub struct credcycle_recovery_codes {
    _private: [u8; 0],
}

impl Castable for credcycle_recovery_codes {
    type Ownership = OwnershipBox;
    type RustType = RecoveryCodesInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_recovery_codes_free(p: *mut credcycle_recovery_codes) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The number of entries of `code` (0 when they are not shown). 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_recovery_codes_code_count(
    p: *const credcycle_recovery_codes,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.codes.as_ref().map_or(0, Vec::len)) }
    }
}

/// Recovery code `i`. Copies entry `i`, NUL-terminated, into `(buf, len)`;
/// `*out_n` is the bytes written or needed, NUL included. `NOT_FOUND` when
/// `i` is out of range or they are not shown. Secret: zero your copy when
/// done.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_recovery_codes_code(
    p: *const credcycle_recovery_codes,
    i: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live object of this type (the C contract).
        let v = require!(unsafe { try_ref_from_ptr::<credcycle_recovery_codes>(p) });
        require_out!(out_n);
        let s = require_found!(v.codes.as_ref().and_then(|c| c.get(i)).map(|s| s.as_str()));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_secret_str_out(s, buf, len, out_n) }
    }
}

/// How many are unused. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_recovery_codes_remaining(
    p: *const credcycle_recovery_codes,
) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.remaining) }
    }
}

/// What a verified webhook carried. Free with
/// `credcycle_verified_webhook_free`. Immutable; may be read from any thread
/// and freed from any thread, once.
pub struct credcycle_verified_webhook {
    _private: [u8; 0],
}

impl Castable for credcycle_verified_webhook {
    type Ownership = OwnershipBox;
    type RustType = VerifiedWebhook;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_verified_webhook_free(p: *mut credcycle_verified_webhook) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// Its timestamp. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_verified_webhook_timestamp(
    p: *const credcycle_verified_webhook,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.timestamp) }
    }
}

/// Its message id (`webhook-id`; for the Zitadel scheme, the matching `v1=`
/// signature). Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_verified_webhook_message_id(
    p: *const credcycle_verified_webhook,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.message_id) }
    }
}
