//! Machine identities and universal auth (`credcycle_machine_auth`).
//!
//! Thread-safety: `credcycle_machine_auth` is shared, immutable and
//! thread-safe. Client secrets and access tokens are passed in as
//! NUL-terminated strings and never kept.

use std::ffi::c_char;

use credcycle_facade::{MachineAuth, UniversalAuthInfo, UniversalAuthSettings};

use crate::engine::{credcycle_engine, engine_ref};
use crate::error::{CREDCYCLE_RESULT_OK, credcycle_result, try_engine};
use crate::ffi::{
    Castable, OwnershipArc, free_arc, require, require_out, set_opt_out, set_out, to_arc_const_ptr,
    to_boxed_mut_ptr, tri, try_opt_str, try_ref_from_ptr, try_str,
};
use crate::panic::ffi_panic_boundary;
use crate::results_machine::{
    credcycle_access_token_grant, credcycle_access_token_info, credcycle_client_secret_info,
    credcycle_client_secret_info_list, credcycle_created_client_secret,
    credcycle_machine_identity_info, credcycle_machine_identity_info_list,
    credcycle_universal_auth_info,
};
use crate::types::{credcycle_tristate, tristate};

/// Machine identities and universal auth of one tenant. Shared and
/// thread-safe; free with `credcycle_machine_auth_free`.
pub struct credcycle_machine_auth {
    _private: [u8; 0],
}

impl Castable for credcycle_machine_auth {
    type Ownership = OwnershipArc;
    type RustType = MachineAuth;
}

/// Universal-auth settings to attach or change. Zero-initialize it (`{0}`):
/// every field then keeps the default (attach) or the current value
/// (update). A number is used only when its `has_` flag is set. An IP list
/// is used when its pointer is not NULL: `*_count` NUL-terminated
/// addresses/CIDRs (a count of 0 clears the list).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct credcycle_universal_auth_settings {
    /// Addresses/CIDRs allowed to log in.
    pub client_secret_trusted_ips: *const *const c_char,
    /// How many entries `client_secret_trusted_ips` has.
    pub client_secret_trusted_ips_count: usize,
    /// Addresses/CIDRs allowed to use access tokens.
    pub access_token_trusted_ips: *const *const c_char,
    /// How many entries `access_token_trusted_ips` has.
    pub access_token_trusted_ips_count: usize,
    /// Whether `access_token_ttl` is set.
    pub has_access_token_ttl: bool,
    /// Access token lifetime in seconds.
    pub access_token_ttl: u32,
    /// Whether `access_token_max_ttl` is set.
    pub has_access_token_max_ttl: bool,
    /// Longest lifetime through renewals, in seconds.
    pub access_token_max_ttl: u32,
    /// Whether `access_token_num_uses_limit` is set.
    pub has_access_token_num_uses_limit: bool,
    /// Uses per access token (0: unlimited).
    pub access_token_num_uses_limit: u32,
    /// Whether `access_token_period` is set.
    pub has_access_token_period: bool,
    /// Periodic renewal period in seconds.
    pub access_token_period: u32,
    /// Whether failed logins lock the client out.
    pub lockout_enabled: credcycle_tristate,
    /// Whether `lockout_threshold` is set.
    pub has_lockout_threshold: bool,
    /// Failed logins before a lockout.
    pub lockout_threshold: u32,
    /// Whether `lockout_duration_secs` is set.
    pub has_lockout_duration_secs: bool,
    /// Lockout length in seconds.
    pub lockout_duration_secs: u32,
    /// Whether `lockout_counter_reset_secs` is set.
    pub has_lockout_counter_reset_secs: bool,
    /// Seconds after which the failure counter resets.
    pub lockout_counter_reset_secs: u32,
}

/// An optional array of NUL-terminated strings.
///
/// # Safety
/// `p` is NULL or points to `n` NUL-terminated strings.
unsafe fn string_array(
    p: *const *const c_char,
    n: usize,
) -> Result<Option<Vec<String>>, credcycle_result> {
    if p.is_null() {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        // SAFETY: `p` has `n` readable entries, each NUL-terminated.
        out.push(unsafe { try_str(*p.add(i)) }?.to_owned());
    }
    Ok(Some(out))
}

/// The facade settings of a C settings struct.
///
/// # Safety
/// `s` is NULL or readable, its arrays as documented.
unsafe fn settings(
    s: *const credcycle_universal_auth_settings,
) -> Result<UniversalAuthSettings, credcycle_result> {
    // SAFETY: NULL or readable (the C contract).
    let Some(s) = (unsafe { s.as_ref() }) else {
        return Ok(UniversalAuthSettings::default());
    };
    let opt = |has: bool, v: u32| has.then_some(v);
    Ok(UniversalAuthSettings {
        // SAFETY: forwarded contract.
        client_secret_trusted_ips: unsafe {
            string_array(
                s.client_secret_trusted_ips,
                s.client_secret_trusted_ips_count,
            )
        }?,
        // SAFETY: forwarded contract.
        access_token_trusted_ips: unsafe {
            string_array(s.access_token_trusted_ips, s.access_token_trusted_ips_count)
        }?,
        access_token_ttl: opt(s.has_access_token_ttl, s.access_token_ttl),
        access_token_max_ttl: opt(s.has_access_token_max_ttl, s.access_token_max_ttl),
        access_token_num_uses_limit: opt(
            s.has_access_token_num_uses_limit,
            s.access_token_num_uses_limit,
        ),
        access_token_period: opt(s.has_access_token_period, s.access_token_period),
        lockout_enabled: tristate(s.lockout_enabled)?,
        lockout_threshold: opt(s.has_lockout_threshold, s.lockout_threshold),
        lockout_duration_secs: opt(s.has_lockout_duration_secs, s.lockout_duration_secs),
        lockout_counter_reset_secs: opt(
            s.has_lockout_counter_reset_secs,
            s.lockout_counter_reset_secs,
        ),
    })
}

/// Machine identities and universal auth of `tenant` (operation
/// `engine.machine_auth`). Free with `credcycle_machine_auth_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_machine_auth(
    engine: *const credcycle_engine,
    tenant: *const c_char,
    out_machine_auth: *mut *const credcycle_machine_auth,
) -> credcycle_result {
    ffi_panic_boundary! {
        let e = require!(engine_ref(engine));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let tenant = tri!(unsafe { try_str(tenant) });
        require_out!(out_machine_auth);
        let m = try_engine!(e.machine_auth(tenant));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_machine_auth, to_arc_const_ptr::<credcycle_machine_auth>(m)) }
    }
}

/// Drops this handle. NULL is a no-op.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_machine_auth_free(machine_auth: *const credcycle_machine_auth) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or a handle from this library, not used again.
        unsafe { free_arc(machine_auth) }
    }
}

fn ma_ref<'a>(p: *const credcycle_machine_auth) -> Option<&'a MachineAuth> {
    // SAFETY: NULL or a live handle (the C contract).
    unsafe { try_ref_from_ptr(p) }
}

/// Creates a machine identity named `name`, with a generated id unless
/// `id` is not NULL (operation `machine_auth.create_identity`). Free with
/// `credcycle_machine_identity_info_free`. `INVALID_INPUT`,
/// `ALREADY_EXISTS`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_machine_auth_create_identity(
    machine_auth: *const credcycle_machine_auth,
    name: *const c_char,
    id: *const c_char,
    out_identity: *mut *mut credcycle_machine_identity_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let m = require!(ma_ref(machine_auth));
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (name, id) = unsafe { (tri!(try_str(name)), tri!(try_opt_str(id))) };
        require_out!(out_identity);
        let i = try_engine!(m.create_identity(name, id));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_identity, to_boxed_mut_ptr::<credcycle_machine_identity_info>(i)) }
    }
}

/// A machine identity (operation `machine_auth.identity`). Free with
/// `credcycle_machine_identity_info_free`. `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_machine_auth_identity(
    machine_auth: *const credcycle_machine_auth,
    id: *const c_char,
    out_identity: *mut *mut credcycle_machine_identity_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let m = require!(ma_ref(machine_auth));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let id = tri!(unsafe { try_str(id) });
        require_out!(out_identity);
        let i = try_engine!(m.identity(id));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_identity, to_boxed_mut_ptr::<credcycle_machine_identity_info>(i)) }
    }
}

/// Every machine identity of the tenant (operation
/// `machine_auth.list_identities`). Free with
/// `credcycle_machine_identity_info_list_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_machine_auth_list_identities(
    machine_auth: *const credcycle_machine_auth,
    out_list: *mut *mut credcycle_machine_identity_info_list,
) -> credcycle_result {
    ffi_panic_boundary! {
        let m = require!(ma_ref(machine_auth));
        require_out!(out_list);
        let list = try_engine!(m.list_identities());
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_list, to_boxed_mut_ptr::<credcycle_machine_identity_info_list>(list)) }
    }
}

/// Deletes a machine identity with its universal-auth configuration, client
/// secrets, access tokens and lockout counter, in one commit (operation
/// `machine_auth.delete_identity`). `INVALID_INPUT` for a malformed id;
/// `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_machine_auth_delete_identity(
    machine_auth: *const credcycle_machine_auth,
    id: *const c_char,
) -> credcycle_result {
    ffi_panic_boundary! {
        let m = require!(ma_ref(machine_auth));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let id = tri!(unsafe { try_str(id) });
        try_engine!(m.delete_identity(id));
        CREDCYCLE_RESULT_OK
    }
}

type UaOp =
    fn(&MachineAuth, &str, UniversalAuthSettings) -> credcycle_facade::Result<UniversalAuthInfo>;

unsafe fn ua_op(
    machine_auth: *const credcycle_machine_auth,
    identity_id: *const c_char,
    s: *const credcycle_universal_auth_settings,
    out: *mut *mut credcycle_universal_auth_info,
    op: UaOp,
) -> credcycle_result {
    let m = require!(ma_ref(machine_auth));
    // SAFETY: NULL or a NUL-terminated string (the C contract).
    let id = tri!(unsafe { try_str(identity_id) });
    // SAFETY: NULL or a readable settings struct (the C contract).
    let s = tri!(unsafe { settings(s) });
    let info = try_engine!(op(m, id, s));
    if !out.is_null() {
        // SAFETY: non-NULL and writable (the C contract).
        unsafe { set_opt_out(out, to_boxed_mut_ptr::<credcycle_universal_auth_info>(info)) };
    }
    CREDCYCLE_RESULT_OK
}

/// Attaches universal auth to an identity (operation
/// `machine_auth.attach_universal_auth`). `settings` may be NULL (all
/// defaults); `out_info` may be NULL, otherwise free it with
/// `credcycle_universal_auth_info_free`. `NOT_FOUND`, `ALREADY_EXISTS`,
/// `INVALID_INPUT` naming the setting.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_machine_auth_attach_universal_auth(
    machine_auth: *const credcycle_machine_auth,
    identity_id: *const c_char,
    settings: *const credcycle_universal_auth_settings,
    out_info: *mut *mut credcycle_universal_auth_info,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { ua_op(machine_auth, identity_id, settings, out_info, MachineAuth::attach_universal_auth) } }
}

/// Changes universal-auth settings (operation
/// `machine_auth.update_universal_auth`); unset fields keep their value.
/// `out_info` may be NULL. `NOT_FOUND`, `INVALID_INPUT`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_machine_auth_update_universal_auth(
    machine_auth: *const credcycle_machine_auth,
    identity_id: *const c_char,
    settings: *const credcycle_universal_auth_settings,
    out_info: *mut *mut credcycle_universal_auth_info,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { ua_op(machine_auth, identity_id, settings, out_info, MachineAuth::update_universal_auth) } }
}

/// An identity's universal-auth settings (operation
/// `machine_auth.universal_auth`). Free with
/// `credcycle_universal_auth_info_free`. `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_machine_auth_universal_auth(
    machine_auth: *const credcycle_machine_auth,
    identity_id: *const c_char,
    out_info: *mut *mut credcycle_universal_auth_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let m = require!(ma_ref(machine_auth));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let id = tri!(unsafe { try_str(identity_id) });
        require_out!(out_info);
        let info = try_engine!(m.universal_auth(id));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_info, to_boxed_mut_ptr::<credcycle_universal_auth_info>(info)) }
    }
}

/// Makes a client secret for an identity (operation
/// `machine_auth.create_client_secret`): `ttl_secs` 0 never expires,
/// `num_uses_limit` 0 is unlimited. The result holds the client id and the
/// secret, shown once; free it with `credcycle_created_client_secret_free`.
/// `NOT_FOUND`, `INVALID_INPUT`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_machine_auth_create_client_secret(
    machine_auth: *const credcycle_machine_auth,
    identity_id: *const c_char,
    description: *const c_char,
    ttl_secs: u32,
    num_uses_limit: u32,
    out_created: *mut *mut credcycle_created_client_secret,
) -> credcycle_result {
    ffi_panic_boundary! {
        let m = require!(ma_ref(machine_auth));
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let id = tri!(unsafe { try_str(identity_id) });
        // SAFETY: as above.
        let desc = tri!(unsafe { try_opt_str(description) }).unwrap_or("");
        require_out!(out_created);
        let c = try_engine!(m.create_client_secret(id, desc, ttl_secs, num_uses_limit));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_created, to_boxed_mut_ptr::<credcycle_created_client_secret>(c)) }
    }
}

/// An identity's client secrets (operation
/// `machine_auth.list_client_secrets`). Free with
/// `credcycle_client_secret_info_list_free`. `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_machine_auth_list_client_secrets(
    machine_auth: *const credcycle_machine_auth,
    identity_id: *const c_char,
    out_list: *mut *mut credcycle_client_secret_info_list,
) -> credcycle_result {
    ffi_panic_boundary! {
        let m = require!(ma_ref(machine_auth));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let id = tri!(unsafe { try_str(identity_id) });
        require_out!(out_list);
        let list = try_engine!(m.list_client_secrets(id));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_list, to_boxed_mut_ptr::<credcycle_client_secret_info_list>(list)) }
    }
}

/// Revokes a client secret (operation `machine_auth.revoke_client_secret`).
/// `out_info` may be NULL; otherwise free it with
/// `credcycle_client_secret_info_free`. `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_machine_auth_revoke_client_secret(
    machine_auth: *const credcycle_machine_auth,
    identity_id: *const c_char,
    secret_id: *const c_char,
    out_info: *mut *mut credcycle_client_secret_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let m = require!(ma_ref(machine_auth));
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (id, sid) = unsafe { (tri!(try_str(identity_id)), tri!(try_str(secret_id))) };
        let info = try_engine!(m.revoke_client_secret(id, sid));
        if !out_info.is_null() {
            // SAFETY: non-NULL and writable (the C contract).
            unsafe { set_opt_out(out_info, to_boxed_mut_ptr::<credcycle_client_secret_info>(info)) };
        }
        CREDCYCLE_RESULT_OK
    }
}

/// Logs in with a client id and secret from `client_ip` (an IPv4/IPv6
/// address) (operation `machine_auth.login`). The result holds the access
/// token, shown once; free it with `credcycle_access_token_grant_free`.
/// `VERIFICATION_FAILED` (no detail), `LOGIN_LOCKED`, `INVALID_INPUT`
/// naming `client_ip`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_machine_auth_login(
    machine_auth: *const credcycle_machine_auth,
    client_id: *const c_char,
    client_secret: *const c_char,
    client_ip: *const c_char,
    out_grant: *mut *mut credcycle_access_token_grant,
) -> credcycle_result {
    ffi_panic_boundary! {
        let m = require!(ma_ref(machine_auth));
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (id, secret, ip) = unsafe {
            (tri!(try_str(client_id)), tri!(try_str(client_secret)), tri!(try_str(client_ip)))
        };
        require_out!(out_grant);
        let g = try_engine!(m.login(id, secret, ip));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_grant, to_boxed_mut_ptr::<credcycle_access_token_grant>(g)) }
    }
}

/// Checks an access token presented from `client_ip`; counts a use
/// (operation `machine_auth.authenticate`). `out_info` may be NULL;
/// otherwise free it with `credcycle_access_token_info_free`.
/// `VERIFICATION_FAILED` (no detail).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_machine_auth_authenticate(
    machine_auth: *const credcycle_machine_auth,
    access_token: *const c_char,
    client_ip: *const c_char,
    out_info: *mut *mut credcycle_access_token_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let m = require!(ma_ref(machine_auth));
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (token, ip) = unsafe { (tri!(try_str(access_token)), tri!(try_str(client_ip))) };
        let info = try_engine!(m.authenticate(token, ip));
        if !out_info.is_null() {
            // SAFETY: non-NULL and writable (the C contract).
            unsafe { set_opt_out(out_info, to_boxed_mut_ptr::<credcycle_access_token_info>(info)) };
        }
        CREDCYCLE_RESULT_OK
    }
}

/// Extends an access token by its TTL, up to its max TTL (operation
/// `machine_auth.renew`). `out_info` may be NULL. `VERIFICATION_FAILED`;
/// `INVALID_STATE` past the max TTL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_machine_auth_renew(
    machine_auth: *const credcycle_machine_auth,
    access_token: *const c_char,
    out_info: *mut *mut credcycle_access_token_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let m = require!(ma_ref(machine_auth));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let token = tri!(unsafe { try_str(access_token) });
        let info = try_engine!(m.renew(token));
        if !out_info.is_null() {
            // SAFETY: non-NULL and writable (the C contract).
            unsafe { set_opt_out(out_info, to_boxed_mut_ptr::<credcycle_access_token_info>(info)) };
        }
        CREDCYCLE_RESULT_OK
    }
}

/// Revokes an access token (operation `machine_auth.revoke`).
/// `VERIFICATION_FAILED` for an unknown token.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_machine_auth_revoke(
    machine_auth: *const credcycle_machine_auth,
    access_token: *const c_char,
) -> credcycle_result {
    ffi_panic_boundary! {
        let m = require!(ma_ref(machine_auth));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let token = tri!(unsafe { try_str(access_token) });
        try_engine!(m.revoke(token));
        CREDCYCLE_RESULT_OK
    }
}
