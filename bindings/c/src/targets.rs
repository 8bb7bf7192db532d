//! Action targets (`credcycle_targets`) and the engine's JOSE token signing
//! (`credcycle_jose`).
//!
//! Thread-safety: `credcycle_targets` and `credcycle_jose` are shared,
//! immutable and thread-safe. Option structs are read during the call only.

use std::ffi::c_char;

use credcycle_facade::{CreateTargetOptions, Jose, Targets, UpdateTargetOptions};

use crate::engine::{credcycle_engine, engine_ref};
use crate::error::{CREDCYCLE_RESULT_OK, credcycle_result, try_engine};
use crate::ffi::{
    Castable, OwnershipArc, free_arc, require, require_out, set_opt_out, set_out, to_arc_const_ptr,
    to_boxed_mut_ptr, tri, try_opt_str, try_ref_from_ptr, try_slice, try_str, write_str_out,
};
use crate::panic::ffi_panic_boundary;
use crate::results_targets::{
    credcycle_created_target, credcycle_encryption_key_info, credcycle_encryption_key_info_list,
    credcycle_signed_request, credcycle_target_info, credcycle_target_info_list,
    credcycle_target_update, credcycle_token_signing_key,
};
use crate::types::{credcycle_tristate, opt_string, tristate};

/// The action targets of one tenant. Shared and thread-safe; free with
/// `credcycle_targets_free`.
pub struct credcycle_targets {
    _private: [u8; 0],
}

impl Castable for credcycle_targets {
    type Ownership = OwnershipArc;
    type RustType = Targets;
}

/// The engine's token-signing key, JWKS and JWS/JWT signing. Shared and
/// thread-safe; free with `credcycle_jose_free`.
pub struct credcycle_jose {
    _private: [u8; 0],
}

impl Castable for credcycle_jose {
    type Ownership = OwnershipArc;
    type RustType = Jose;
}

/// Options of `credcycle_targets_create`. Zero-initialize it (`{0}`) for
/// every default, then set what you need. Strings are NUL-terminated; NULL
/// keeps the default.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct credcycle_create_target_options {
    /// Timeout in milliseconds (0: the default, 10,000; at most 270,000).
    pub timeout_ms: u64,
    /// `REST_WEBHOOK` (default), `REST_CALL` or `REST_ASYNC`.
    pub target_type: *const c_char,
    /// Whether a failure stops the execution (default false; refused for
    /// `REST_ASYNC`).
    pub interrupt_on_error: credcycle_tristate,
    /// `JSON` (default), `JWT` or `JWE`.
    pub payload_type: *const c_char,
    /// `ZITADEL` (default) or `STANDARD_WEBHOOKS`.
    pub scheme: *const c_char,
    /// Zitadel-scheme header name (default `ZITADEL-Signature`).
    pub signature_header: *const c_char,
    /// A receiver's public key (PEM SubjectPublicKeyInfo), added as the
    /// active encryption key in the same commit (needed for `JWE`).
    pub encryption_key_pem: *const c_char,
}

/// Options of `credcycle_targets_update`. Zero-initialize it (`{0}`) to
/// change nothing, then set what changes. Strings are NUL-terminated; NULL
/// leaves a field unchanged.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct credcycle_update_target_options {
    /// New name.
    pub name: *const c_char,
    /// New timeout in milliseconds (0: unchanged).
    pub timeout_ms: u64,
    /// New endpoint.
    pub endpoint: *const c_char,
    /// Make a new signing key (returned once in the result).
    pub new_signing_key: bool,
    /// With `new_signing_key`: how many seconds the old keys keep signing
    /// (0: retired at once; at most the policy's grace, 7 days).
    pub expiration_signing_key_secs: u64,
    /// New payload type.
    pub payload_type: *const c_char,
    /// New type (`interrupt_on_error` is kept across the change unless set).
    pub target_type: *const c_char,
    /// Sets `interrupt_on_error` on the resulting type.
    pub interrupt_on_error: credcycle_tristate,
}

/// The action targets of `tenant` (operation `engine.targets`). Audit
/// events name the engine handle's actor. Free with `credcycle_targets_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_targets(
    engine: *const credcycle_engine,
    tenant: *const c_char,
    out_targets: *mut *const credcycle_targets,
) -> credcycle_result {
    ffi_panic_boundary! {
        let e = require!(engine_ref(engine));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let tenant = tri!(unsafe { try_str(tenant) });
        require_out!(out_targets);
        let t = try_engine!(e.targets(tenant));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_targets, to_arc_const_ptr::<credcycle_targets>(t)) }
    }
}

/// Drops this targets handle. NULL is a no-op.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_targets_free(targets: *const credcycle_targets) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or a handle from this library, not used again.
        unsafe { free_arc(targets) }
    }
}

fn targets_ref<'a>(p: *const credcycle_targets) -> Option<&'a Targets> {
    // SAFETY: NULL or a live handle (the C contract).
    unsafe { try_ref_from_ptr(p) }
}

/// Creates a target with a first signing key (operation `targets.create`).
/// `options` may be NULL (all defaults). On success writes the target and
/// its signing key (shown once) to `*out_created`; free it with
/// `credcycle_created_target_free`. `INVALID_INPUT` naming the field.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_targets_create(
    targets: *const credcycle_targets,
    name: *const c_char,
    endpoint: *const c_char,
    options: *const credcycle_create_target_options,
    out_created: *mut *mut credcycle_created_target,
) -> credcycle_result {
    ffi_panic_boundary! {
        let t = require!(targets_ref(targets));
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (name, endpoint) = unsafe { (tri!(try_str(name)), tri!(try_str(endpoint))) };
        require_out!(out_created);
        let mut opts = CreateTargetOptions::default();
        // SAFETY: NULL or a readable options struct (the C contract).
        if let Some(o) = unsafe { options.as_ref() } {
            opts.timeout_ms = (o.timeout_ms > 0).then_some(o.timeout_ms);
            // SAFETY: the struct's strings are NULL or NUL-terminated.
            unsafe {
                opts.target_type = tri!(opt_string(o.target_type));
                opts.payload_type = tri!(opt_string(o.payload_type));
                opts.scheme = tri!(opt_string(o.scheme));
                opts.signature_header = tri!(opt_string(o.signature_header));
                opts.encryption_key_pem = tri!(opt_string(o.encryption_key_pem));
            }
            opts.interrupt_on_error = tri!(tristate(o.interrupt_on_error));
        }
        let created = try_engine!(t.create(name, endpoint, opts));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_created, to_boxed_mut_ptr::<credcycle_created_target>(created)) }
    }
}

/// A target (operation `targets.get`). Free with
/// `credcycle_target_info_free`. `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_targets_get(
    targets: *const credcycle_targets,
    id: *const c_char,
    out_info: *mut *mut credcycle_target_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let t = require!(targets_ref(targets));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let id = tri!(unsafe { try_str(id) });
        require_out!(out_info);
        let info = try_engine!(t.get(id));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_info, to_boxed_mut_ptr::<credcycle_target_info>(info)) }
    }
}

/// Every target of the tenant (operation `targets.list`). Free with
/// `credcycle_target_info_list_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_targets_list(
    targets: *const credcycle_targets,
    out_list: *mut *mut credcycle_target_info_list,
) -> credcycle_result {
    ffi_panic_boundary! {
        let t = require!(targets_ref(targets));
        require_out!(out_list);
        let list = try_engine!(t.list());
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_list, to_boxed_mut_ptr::<credcycle_target_info_list>(list)) }
    }
}

/// Changes a target; with `options->new_signing_key`, makes a new signing
/// key, returned once in the result (operation `targets.update`). Free the
/// result with `credcycle_target_update_free`. `NOT_FOUND`,
/// `INVALID_INPUT` naming the field.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_targets_update(
    targets: *const credcycle_targets,
    id: *const c_char,
    options: *const credcycle_update_target_options,
    out_update: *mut *mut credcycle_target_update,
) -> credcycle_result {
    ffi_panic_boundary! {
        let t = require!(targets_ref(targets));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let id = tri!(unsafe { try_str(id) });
        // SAFETY: NULL or a readable options struct (the C contract).
        let o = require!(unsafe { options.as_ref() });
        require_out!(out_update);
        let mut opts = UpdateTargetOptions {
            timeout_ms: (o.timeout_ms > 0).then_some(o.timeout_ms),
            expiration_signing_key_secs: o.new_signing_key.then_some(o.expiration_signing_key_secs),
            interrupt_on_error: tri!(tristate(o.interrupt_on_error)),
            ..Default::default()
        };
        // SAFETY: the struct's strings are NULL or NUL-terminated.
        unsafe {
            opts.name = tri!(opt_string(o.name));
            opts.endpoint = tri!(opt_string(o.endpoint));
            opts.payload_type = tri!(opt_string(o.payload_type));
            opts.target_type = tri!(opt_string(o.target_type));
        }
        let r = try_engine!(t.update(id, opts));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_update, to_boxed_mut_ptr::<credcycle_target_update>(r)) }
    }
}

/// Deletes a target and its keys (operation `targets.delete`). `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_targets_delete(
    targets: *const credcycle_targets,
    id: *const c_char,
) -> credcycle_result {
    ffi_panic_boundary! {
        let t = require!(targets_ref(targets));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let id = tri!(unsafe { try_str(id) });
        try_engine!(t.delete(id));
        CREDCYCLE_RESULT_OK
    }
}

/// Adds a receiver's public key (PEM SubjectPublicKeyInfo; RSA ≥ 2048,
/// P-256, P-384), active if it is the first (operation
/// `targets.add_encryption_key`). `expire_time` is NULL (never) or points
/// to the expiry (seconds since the Unix epoch). `out_info` may be NULL;
/// otherwise free it with `credcycle_encryption_key_info_free`.
/// `INVALID_INPUT`, `ALREADY_EXISTS`, `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_targets_add_encryption_key(
    targets: *const credcycle_targets,
    id: *const c_char,
    public_key_pem: *const c_char,
    expire_time: *const i64,
    out_info: *mut *mut credcycle_encryption_key_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let t = require!(targets_ref(targets));
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (id, pem) = unsafe { (tri!(try_str(id)), tri!(try_str(public_key_pem))) };
        // SAFETY: NULL or a readable value (the C contract).
        let expire = unsafe { expire_time.as_ref() }.copied();
        let info = try_engine!(t.add_encryption_key(id, pem, expire));
        if !out_info.is_null() {
            // SAFETY: non-NULL and writable (the C contract).
            unsafe { set_opt_out(out_info, to_boxed_mut_ptr::<credcycle_encryption_key_info>(info)) };
        }
        CREDCYCLE_RESULT_OK
    }
}

/// The target's encryption keys (operation `targets.list_encryption_keys`).
/// Free with `credcycle_encryption_key_info_list_free`. `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_targets_list_encryption_keys(
    targets: *const credcycle_targets,
    id: *const c_char,
    out_list: *mut *mut credcycle_encryption_key_info_list,
) -> credcycle_result {
    ffi_panic_boundary! {
        let t = require!(targets_ref(targets));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let id = tri!(unsafe { try_str(id) });
        require_out!(out_list);
        let list = try_engine!(t.list_encryption_keys(id));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_list, to_boxed_mut_ptr::<credcycle_encryption_key_info_list>(list)) }
    }
}

type FingerprintOp = fn(&Targets, &str, &str) -> credcycle_facade::Result<()>;

unsafe fn fingerprint_op(
    targets: *const credcycle_targets,
    id: *const c_char,
    fingerprint: *const c_char,
    op: FingerprintOp,
) -> credcycle_result {
    let t = require!(targets_ref(targets));
    // SAFETY: NULL or NUL-terminated strings (the C contract).
    let (id, fp) = unsafe { (tri!(try_str(id)), tri!(try_str(fingerprint))) };
    try_engine!(op(t, id, fp));
    CREDCYCLE_RESULT_OK
}

/// Makes the key with `fingerprint` the active one (operation
/// `targets.activate_encryption_key`). `NOT_FOUND`; `INVALID_STATE` for an
/// expired key.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_targets_activate_encryption_key(
    targets: *const credcycle_targets,
    id: *const c_char,
    fingerprint: *const c_char,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { fingerprint_op(targets, id, fingerprint, Targets::activate_encryption_key) } }
}

/// Removes an encryption key (operation `targets.remove_encryption_key`).
/// `NOT_FOUND`; `INVALID_STATE` for the active key of a `JWE` target.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_targets_remove_encryption_key(
    targets: *const credcycle_targets,
    id: *const c_char,
    fingerprint: *const c_char,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { fingerprint_op(targets, id, fingerprint, Targets::remove_encryption_key) } }
}

unsafe fn sign_common(
    targets: *const credcycle_targets,
    id: *const c_char,
    payload: *const u8,
    payload_len: usize,
    now: Option<i64>,
    out_request: *mut *mut credcycle_signed_request,
) -> credcycle_result {
    let t = require!(targets_ref(targets));
    // SAFETY: NULL or a NUL-terminated string (the C contract).
    let id = tri!(unsafe { try_str(id) });
    // SAFETY: `payload_len` readable bytes (the C contract).
    let payload = tri!(unsafe { try_slice(payload, payload_len) });
    require_out!(out_request);
    let r = match now {
        Some(now) => try_engine!(t.sign_at(id, payload, now)),
        None => try_engine!(t.sign(id, payload)),
    };
    // SAFETY: checked non-NULL above.
    unsafe { set_out(out_request, to_boxed_mut_ptr::<credcycle_signed_request>(r)) }
}

/// The exact request (body and signature headers) that delivers
/// `(payload, payload_len)` to the target, at the engine clock's time
/// (operation `targets.sign`). Free with `credcycle_signed_request_free`.
/// `NOT_FOUND`; `INVALID_INPUT` for a payload over 1 MiB or not a JSON
/// object (JWT/JWE); `INVALID_STATE` without a usable key.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_targets_sign(
    targets: *const credcycle_targets,
    id: *const c_char,
    payload: *const u8,
    payload_len: usize,
    out_request: *mut *mut credcycle_signed_request,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { sign_common(targets, id, payload, payload_len, None, out_request) } }
}

/// As `credcycle_targets_sign`, at time `now` (seconds since the Unix
/// epoch) (operation `targets.sign_at`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_targets_sign_at(
    targets: *const credcycle_targets,
    id: *const c_char,
    payload: *const u8,
    payload_len: usize,
    now: i64,
    out_request: *mut *mut credcycle_signed_request,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { sign_common(targets, id, payload, payload_len, Some(now), out_request) } }
}

// ---------------------------------------------------------------------------
// JOSE
// ---------------------------------------------------------------------------

/// The engine's JOSE signing (operation `engine.jose`). Free with
/// `credcycle_jose_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_jose(
    engine: *const credcycle_engine,
    out_jose: *mut *const credcycle_jose,
) -> credcycle_result {
    ffi_panic_boundary! {
        let e = require!(engine_ref(engine));
        require_out!(out_jose);
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_jose, to_arc_const_ptr::<credcycle_jose>(e.jose())) }
    }
}

/// Drops this JOSE handle. NULL is a no-op.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_jose_free(jose: *const credcycle_jose) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or a handle from this library, not used again.
        unsafe { free_arc(jose) }
    }
}

fn jose_ref<'a>(p: *const credcycle_jose) -> Option<&'a Jose> {
    // SAFETY: NULL or a live handle (the C contract).
    unsafe { try_ref_from_ptr(p) }
}

type JoseKeyOp = fn(&Jose) -> credcycle_facade::Result<credcycle_facade::TokenSigningKeyInfo>;

unsafe fn jose_key_op(
    jose: *const credcycle_jose,
    out_key: *mut *mut credcycle_token_signing_key,
    op: JoseKeyOp,
) -> credcycle_result {
    let j = require!(jose_ref(jose));
    require_out!(out_key);
    let k = try_engine!(op(j));
    // SAFETY: checked non-NULL above.
    unsafe { set_out(out_key, to_boxed_mut_ptr::<credcycle_token_signing_key>(k)) }
}

/// The current token-signing key, created on first use (operation
/// `jose.current_key`). Free with `credcycle_token_signing_key_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_jose_current_key(
    jose: *const credcycle_jose,
    out_key: *mut *mut credcycle_token_signing_key,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { jose_key_op(jose, out_key, Jose::current_key) } }
}

/// Rotates the token-signing key; older versions stay in the JWKS
/// (operation `jose.rotate_signing_key`). Free with
/// `credcycle_token_signing_key_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_jose_rotate_signing_key(
    jose: *const credcycle_jose,
    out_key: *mut *mut credcycle_token_signing_key,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { jose_key_op(jose, out_key, Jose::rotate_signing_key) } }
}

/// Writes the public JWKS (`{"keys":[...]}` JSON, NUL-terminated) of every
/// usable version to `(buf, len)`; `*out_n` is the bytes written or needed,
/// NUL included (operation `jose.jwks`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_jose_jwks(
    jose: *const credcycle_jose,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        let j = require!(jose_ref(jose));
        require_out!(out_n);
        let jwks = try_engine!(j.jwks());
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_str_out(&jwks, buf, len, out_n) }
    }
}

/// Writes a compact ES256 JWS of `claims_json` (a JSON object),
/// NUL-terminated, to `(buf, len)` (operation `jose.sign_jwt`). Each call
/// signs anew: after `INSUFFICIENT_SIZE`, call again with a buffer of
/// `*out_n` bytes (the length does not change between calls).
/// `INVALID_INPUT` naming `claims`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_jose_sign_jwt(
    jose: *const credcycle_jose,
    claims_json: *const c_char,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        let j = require!(jose_ref(jose));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let claims = tri!(unsafe { try_str(claims_json) });
        require_out!(out_n);
        let jwt = try_engine!(j.sign_jwt(claims));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_str_out(&jwt, buf, len, out_n) }
    }
}

/// Writes a compact ES256 JWS of `(payload, payload_len)` with extra
/// protected-header members `header_json` (a JSON object; NULL or `{}` for
/// none), NUL-terminated, to `(buf, len)` (operation `jose.sign_jws`). As
/// `credcycle_jose_sign_jwt` for the buffer.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_jose_sign_jws(
    jose: *const credcycle_jose,
    header_json: *const c_char,
    payload: *const u8,
    payload_len: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        let j = require!(jose_ref(jose));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let header = tri!(unsafe { try_opt_str(header_json) }).unwrap_or("{}");
        // SAFETY: `payload_len` readable bytes (the C contract).
        let payload = tri!(unsafe { try_slice(payload, payload_len) });
        require_out!(out_n);
        let jws = try_engine!(j.sign_jws(header, payload));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_str_out(&jws, buf, len, out_n) }
    }
}
