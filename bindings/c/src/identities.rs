//! Identities, authenticators, external JWT signers and API sessions
//! (`credcycle_identities`), and TOTP second factors (`credcycle_mfa`).
//!
//! Thread-safety: `credcycle_identities` and `credcycle_mfa` are shared,
//! immutable and thread-safe. Passwords, session tokens and codes are
//! passed in as NUL-terminated strings and never kept.

use std::ffi::c_char;

use credcycle_facade::{AuthInput, Identities, Mfa, RecoveryCodesInfo, Subject};
use zeroize::Zeroizing;

use crate::engine::{credcycle_engine, engine_ref};
use crate::error::{
    CREDCYCLE_RESULT_INVALID_INPUT, CREDCYCLE_RESULT_OK, credcycle_result, try_engine,
};
use crate::ffi::{
    Castable, OwnershipArc, free_arc, require, require_out, set_opt_out, set_out, to_arc_const_ptr,
    tri, try_opt_str, try_ref_from_ptr, try_slice, try_str, write_bytes_out,
};
use crate::panic::ffi_panic_boundary;
use crate::results_identities::{
    credcycle_authenticator_info, credcycle_authenticator_info_list, credcycle_ext_jwt_signer_info,
    credcycle_ext_jwt_signer_info_list, credcycle_identity_info, credcycle_identity_info_list,
    credcycle_mfa_enrollment, credcycle_mfa_state, credcycle_new_session, credcycle_recovery_codes,
    credcycle_session_info, credcycle_session_info_list,
};
use crate::types::credcycle_bytes;

/// Identities, authenticators, external JWT signers and API sessions of
/// one tenant. Shared and thread-safe; free with `credcycle_identities_free`.
pub struct credcycle_identities {
    _private: [u8; 0],
}

impl Castable for credcycle_identities {
    type Ownership = OwnershipArc;
    type RustType = Identities;
}

/// TOTP second factors of one tenant's identities. Shared and thread-safe;
/// free with `credcycle_mfa_free`.
pub struct credcycle_mfa {
    _private: [u8; 0],
}

impl Castable for credcycle_mfa {
    type Ownership = OwnershipArc;
    type RustType = Mfa;
}

/// Whom an operation is about: set exactly one of the two (NUL-terminated).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct credcycle_subject {
    /// The identity behind this live API session token (the identity
    /// acting for itself).
    pub session_token: *const c_char,
    /// This identity id (an administrator acting on it).
    pub identity_id: *const c_char,
}

/// The credentials of `credcycle_identities_authenticate`: set exactly one
/// method — `username` and `password`; or `cert_chain` (`cert_chain_len`
/// DER certificates, leaf first, already validated by the TLS layer); or
/// `ext_jwt` (a JWT from a registered external signer). Strings are
/// NUL-terminated.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct credcycle_auth_input {
    /// Username (password method).
    pub username: *const c_char,
    /// Password (password method).
    pub password: *const c_char,
    /// Certificate chain (cert method).
    pub cert_chain: *const credcycle_bytes,
    /// How many certificates `cert_chain` has.
    pub cert_chain_len: usize,
    /// External JWT (ext-jwt method).
    pub ext_jwt: *const c_char,
}

/// The facade subject of a C subject.
///
/// # Safety
/// `who` is NULL or readable, its strings NULL or NUL-terminated.
pub(crate) unsafe fn subject(who: *const credcycle_subject) -> Result<Subject, credcycle_result> {
    // SAFETY: NULL or readable (the C contract).
    let w = unsafe { who.as_ref() }.ok_or(crate::error::CREDCYCLE_RESULT_NULL_PARAMETER)?;
    // SAFETY: NULL or NUL-terminated strings (the C contract).
    let (s, i) = unsafe { (try_opt_str(w.session_token)?, try_opt_str(w.identity_id)?) };
    match (s, i) {
        (Some(s), None) => Ok(Subject::Session(s.to_owned())),
        (None, Some(i)) => Ok(Subject::Identity(i.to_owned())),
        _ => Err(CREDCYCLE_RESULT_INVALID_INPUT),
    }
}

/// The identities of `tenant` (operation `engine.identities`). Free with
/// `credcycle_identities_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_identities(
    engine: *const credcycle_engine,
    tenant: *const c_char,
    out_identities: *mut *const credcycle_identities,
) -> credcycle_result {
    ffi_panic_boundary! {
        let e = require!(engine_ref(engine));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let tenant = tri!(unsafe { try_str(tenant) });
        require_out!(out_identities);
        let i = try_engine!(e.identities(tenant));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_identities, to_arc_const_ptr::<credcycle_identities>(i)) }
    }
}

/// Drops this handle. NULL is a no-op.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_free(identities: *const credcycle_identities) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or a handle from this library, not used again.
        unsafe { free_arc(identities) }
    }
}

fn ids_ref<'a>(p: *const credcycle_identities) -> Option<&'a Identities> {
    // SAFETY: NULL or a live handle (the C contract).
    unsafe { try_ref_from_ptr(p) }
}

/// Writes a boxed result to a required out-pointer.
///
/// # Safety
/// `out` is NULL or writable.
unsafe fn boxed_out<C>(out: *mut *mut C, v: C::RustType) -> credcycle_result
where
    C: Castable<Ownership = crate::ffi::OwnershipBox>,
{
    // SAFETY: forwarded contract.
    unsafe { set_out(out, crate::ffi::to_boxed_mut_ptr::<C>(v)) }
}

/// Writes a boxed result to an optional out-pointer (NULL drops it).
///
/// # Safety
/// `out` is NULL or writable.
unsafe fn opt_boxed_out<C>(out: *mut *mut C, v: C::RustType) -> credcycle_result
where
    C: Castable<Ownership = crate::ffi::OwnershipBox>,
{
    if !out.is_null() {
        // SAFETY: non-NULL and writable (the C contract).
        unsafe { set_opt_out(out, crate::ffi::to_boxed_mut_ptr::<C>(v)) };
    }
    CREDCYCLE_RESULT_OK
}

/// Creates an identity named `name` with `tags_json` (a JSON object of
/// null, string or boolean values; NULL for none) (operation
/// `identities.create`). Free with `credcycle_identity_info_free`.
/// `INVALID_INPUT`, `ALREADY_EXISTS`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_create(
    identities: *const credcycle_identities,
    name: *const c_char,
    tags_json: *const c_char,
    out_identity: *mut *mut credcycle_identity_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let ids = require!(ids_ref(identities));
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (name, tags) = unsafe { (tri!(try_str(name)), tri!(try_opt_str(tags_json))) };
        require_out!(out_identity);
        let i = try_engine!(ids.create(name, tags));
        // SAFETY: checked non-NULL above.
        unsafe { boxed_out::<credcycle_identity_info>(out_identity, i) }
    }
}

type IdentityLookup =
    fn(&Identities, &str) -> credcycle_facade::Result<credcycle_facade::IdentityInfo>;

unsafe fn identity_lookup(
    identities: *const credcycle_identities,
    key: *const c_char,
    out: *mut *mut credcycle_identity_info,
    op: IdentityLookup,
) -> credcycle_result {
    let ids = require!(ids_ref(identities));
    // SAFETY: NULL or a NUL-terminated string (the C contract).
    let key = tri!(unsafe { try_str(key) });
    require_out!(out);
    let i = try_engine!(op(ids, key));
    // SAFETY: checked non-NULL above.
    unsafe { boxed_out::<credcycle_identity_info>(out, i) }
}

/// An identity by id (operation `identities.get`). Free with
/// `credcycle_identity_info_free`. `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_get(
    identities: *const credcycle_identities,
    id: *const c_char,
    out_identity: *mut *mut credcycle_identity_info,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { identity_lookup(identities, id, out_identity, Identities::get) } }
}

/// An identity by name (operation `identities.find_by_name`). Free with
/// `credcycle_identity_info_free`. `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_find_by_name(
    identities: *const credcycle_identities,
    name: *const c_char,
    out_identity: *mut *mut credcycle_identity_info,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { identity_lookup(identities, name, out_identity, Identities::find_by_name) } }
}

/// Every identity of the tenant (operation `identities.list`). Free with
/// `credcycle_identity_info_list_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_list(
    identities: *const credcycle_identities,
    out_list: *mut *mut credcycle_identity_info_list,
) -> credcycle_result {
    ffi_panic_boundary! {
        let ids = require!(ids_ref(identities));
        require_out!(out_list);
        let l = try_engine!(ids.list());
        // SAFETY: checked non-NULL above.
        unsafe { boxed_out::<credcycle_identity_info_list>(out_list, l) }
    }
}

/// Deletes an identity with its authenticators, sessions and MFA
/// (operation `identities.delete`). `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_delete(
    identities: *const credcycle_identities,
    id: *const c_char,
) -> credcycle_result {
    ffi_panic_boundary! {
        let ids = require!(ids_ref(identities));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let id = tri!(unsafe { try_str(id) });
        try_engine!(ids.delete(id));
        CREDCYCLE_RESULT_OK
    }
}

/// Sets (or replaces) an identity's username/password authenticator
/// (operation `identities.set_password`). `out_info` may be NULL;
/// otherwise free it with `credcycle_authenticator_info_free`.
/// `INVALID_INPUT` naming the password rule it breaks, `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_set_password(
    identities: *const credcycle_identities,
    identity_id: *const c_char,
    username: *const c_char,
    password: *const c_char,
    out_info: *mut *mut credcycle_authenticator_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let ids = require!(ids_ref(identities));
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (id, user, pw) = unsafe {
            (tri!(try_str(identity_id)), tri!(try_str(username)), tri!(try_str(password)))
        };
        let a = try_engine!(ids.set_password(id, user, pw));
        // SAFETY: NULL or writable (the C contract).
        unsafe { opt_boxed_out::<credcycle_authenticator_info>(out_info, a) }
    }
}

/// Adds a certificate authenticator by the certificate's fingerprint
/// (operation `identities.add_cert_authenticator`). `out_info` may be NULL.
/// `INVALID_INPUT`, `ALREADY_EXISTS`, `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_add_cert_authenticator(
    identities: *const credcycle_identities,
    identity_id: *const c_char,
    fingerprint: *const c_char,
    out_info: *mut *mut credcycle_authenticator_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let ids = require!(ids_ref(identities));
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (id, fp) = unsafe { (tri!(try_str(identity_id)), tri!(try_str(fingerprint))) };
        let a = try_engine!(ids.add_cert_authenticator(id, fp));
        // SAFETY: NULL or writable (the C contract).
        unsafe { opt_boxed_out::<credcycle_authenticator_info>(out_info, a) }
    }
}

/// Marks a password authenticator compromised: it must be changed before
/// the next login (operation `identities.mark_password_compromised`).
/// `out_info` may be NULL. `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_mark_password_compromised(
    identities: *const credcycle_identities,
    authenticator_id: *const c_char,
    out_info: *mut *mut credcycle_authenticator_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let ids = require!(ids_ref(identities));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let id = tri!(unsafe { try_str(authenticator_id) });
        let a = try_engine!(ids.mark_password_compromised(id));
        // SAFETY: NULL or writable (the C contract).
        unsafe { opt_boxed_out::<credcycle_authenticator_info>(out_info, a) }
    }
}

/// Deletes an authenticator (operation `identities.delete_authenticator`).
/// `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_delete_authenticator(
    identities: *const credcycle_identities,
    authenticator_id: *const c_char,
) -> credcycle_result {
    ffi_panic_boundary! {
        let ids = require!(ids_ref(identities));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let id = tri!(unsafe { try_str(authenticator_id) });
        try_engine!(ids.delete_authenticator(id));
        CREDCYCLE_RESULT_OK
    }
}

/// The subject's authenticators (operation `identities.authenticators`).
/// Free with `credcycle_authenticator_info_list_free`.
/// `VERIFICATION_FAILED` for a dead session, `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_authenticators(
    identities: *const credcycle_identities,
    who: *const credcycle_subject,
    out_list: *mut *mut credcycle_authenticator_info_list,
) -> credcycle_result {
    ffi_panic_boundary! {
        let ids = require!(ids_ref(identities));
        // SAFETY: NULL or a readable subject (the C contract).
        let who = tri!(unsafe { subject(who) });
        require_out!(out_list);
        let l = try_engine!(ids.authenticators(&who));
        // SAFETY: checked non-NULL above.
        unsafe { boxed_out::<credcycle_authenticator_info_list>(out_list, l) }
    }
}

/// One of the subject's authenticators (operation
/// `identities.authenticator`). Free with
/// `credcycle_authenticator_info_free`. `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_authenticator(
    identities: *const credcycle_identities,
    who: *const credcycle_subject,
    authenticator_id: *const c_char,
    out_info: *mut *mut credcycle_authenticator_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let ids = require!(ids_ref(identities));
        // SAFETY: NULL or a readable subject and string (the C contract).
        let who = tri!(unsafe { subject(who) });
        // SAFETY: as above.
        let id = tri!(unsafe { try_str(authenticator_id) });
        require_out!(out_info);
        let a = try_engine!(ids.authenticator(&who, id));
        // SAFETY: checked non-NULL above.
        unsafe { boxed_out::<credcycle_authenticator_info>(out_info, a) }
    }
}

/// Replaces the username and password of one of the subject's password
/// authenticators, proving `current_password`; `tags_json` NULL keeps the
/// tags (operation `identities.update_authenticator`). `out_info` may be
/// NULL. `VERIFICATION_FAILED` for a wrong current password,
/// `INVALID_INPUT`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_update_authenticator(
    identities: *const credcycle_identities,
    who: *const credcycle_subject,
    authenticator_id: *const c_char,
    username: *const c_char,
    password: *const c_char,
    current_password: *const c_char,
    tags_json: *const c_char,
    out_info: *mut *mut credcycle_authenticator_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let ids = require!(ids_ref(identities));
        // SAFETY: NULL or readable arguments (the C contract).
        let who = tri!(unsafe { subject(who) });
        // SAFETY: as above.
        let (id, user, pw, cur, tags) = unsafe {
            (
                tri!(try_str(authenticator_id)),
                tri!(try_str(username)),
                tri!(try_str(password)),
                tri!(try_str(current_password)),
                tri!(try_opt_str(tags_json)),
            )
        };
        let a = try_engine!(ids.update_authenticator(&who, id, user, pw, cur, tags));
        // SAFETY: NULL or writable (the C contract).
        unsafe { opt_boxed_out::<credcycle_authenticator_info>(out_info, a) }
    }
}

/// Changes some of a password authenticator's fields, proving
/// `current_password`: NULL `username`/`password` keep them; `tags_json`
/// NULL keeps the tags, the text `null` clears them (operation
/// `identities.patch_authenticator`). `out_info` may be NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_patch_authenticator(
    identities: *const credcycle_identities,
    who: *const credcycle_subject,
    authenticator_id: *const c_char,
    current_password: *const c_char,
    username: *const c_char,
    password: *const c_char,
    tags_json: *const c_char,
    out_info: *mut *mut credcycle_authenticator_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let ids = require!(ids_ref(identities));
        // SAFETY: NULL or readable arguments (the C contract).
        let who = tri!(unsafe { subject(who) });
        // SAFETY: as above.
        let (id, cur, user, pw, tags) = unsafe {
            (
                tri!(try_str(authenticator_id)),
                tri!(try_str(current_password)),
                tri!(try_opt_str(username)),
                tri!(try_opt_str(password)),
                tri!(try_opt_str(tags_json)),
            )
        };
        let a = try_engine!(ids.patch_authenticator(&who, id, cur, user, pw, tags));
        // SAFETY: NULL or writable (the C contract).
        unsafe { opt_boxed_out::<credcycle_authenticator_info>(out_info, a) }
    }
}

/// Registers an external JWT signer (operation
/// `identities.create_ext_jwt_signer`): `keys` is a JWKS JSON document, or
/// a PEM public key when `keys_are_pem`; `identity_claim` NULL uses `sub`;
/// `claim_match` `id` (default, NULL) or `name`. `out_info` may be NULL;
/// otherwise free it with `credcycle_ext_jwt_signer_info_free`.
/// `INVALID_INPUT`, `ALREADY_EXISTS`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_create_ext_jwt_signer(
    identities: *const credcycle_identities,
    name: *const c_char,
    issuer: *const c_char,
    audience: *const c_char,
    keys: *const c_char,
    keys_are_pem: bool,
    identity_claim: *const c_char,
    claim_match: *const c_char,
    out_info: *mut *mut credcycle_ext_jwt_signer_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let ids = require!(ids_ref(identities));
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (name, iss, aud, keys, claim, matching) = unsafe {
            (
                tri!(try_str(name)),
                tri!(try_str(issuer)),
                tri!(try_str(audience)),
                tri!(try_str(keys)),
                tri!(try_opt_str(identity_claim)),
                tri!(try_opt_str(claim_match)),
            )
        };
        let s = try_engine!(ids.create_ext_jwt_signer(name, iss, aud, keys, keys_are_pem, claim, matching));
        // SAFETY: NULL or writable (the C contract).
        unsafe { opt_boxed_out::<credcycle_ext_jwt_signer_info>(out_info, s) }
    }
}

/// Every external JWT signer (operation `identities.ext_jwt_signers`).
/// Free with `credcycle_ext_jwt_signer_info_list_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_ext_jwt_signers(
    identities: *const credcycle_identities,
    out_list: *mut *mut credcycle_ext_jwt_signer_info_list,
) -> credcycle_result {
    ffi_panic_boundary! {
        let ids = require!(ids_ref(identities));
        require_out!(out_list);
        let l = try_engine!(ids.ext_jwt_signers());
        // SAFETY: checked non-NULL above.
        unsafe { boxed_out::<credcycle_ext_jwt_signer_info_list>(out_list, l) }
    }
}

/// Deletes an external JWT signer (operation
/// `identities.delete_ext_jwt_signer`). `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_delete_ext_jwt_signer(
    identities: *const credcycle_identities,
    id: *const c_char,
) -> credcycle_result {
    ffi_panic_boundary! {
        let ids = require!(ids_ref(identities));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let id = tri!(unsafe { try_str(id) });
        try_engine!(ids.delete_ext_jwt_signer(id));
        CREDCYCLE_RESULT_OK
    }
}

/// The facade credentials of a C auth input.
///
/// # Safety
/// `c` is NULL or readable, its strings and chain as documented.
unsafe fn auth_input(c: *const credcycle_auth_input) -> Result<AuthInput, credcycle_result> {
    // SAFETY: NULL or readable (the C contract).
    let c = unsafe { c.as_ref() }.ok_or(crate::error::CREDCYCLE_RESULT_NULL_PARAMETER)?;
    // SAFETY: NULL or NUL-terminated strings (the C contract).
    let (user, pw, jwt) = unsafe {
        (
            try_opt_str(c.username)?,
            try_opt_str(c.password)?,
            try_opt_str(c.ext_jwt)?,
        )
    };
    let cert = !c.cert_chain.is_null();
    match (user, pw, cert, jwt) {
        (Some(u), Some(p), false, None) => Ok(AuthInput::Password {
            username: u.to_owned(),
            password: Zeroizing::new(p.to_owned()),
        }),
        (None, None, true, None) => {
            let mut chain = Vec::with_capacity(c.cert_chain_len);
            for i in 0..c.cert_chain_len {
                // SAFETY: `cert_chain` has `cert_chain_len` readable entries.
                let b = unsafe { *c.cert_chain.add(i) };
                // SAFETY: each entry has `len` readable bytes.
                chain.push(unsafe { try_slice(b.data, b.len) }?.to_vec());
            }
            Ok(AuthInput::Cert { chain })
        }
        (None, None, false, Some(t)) => Ok(AuthInput::ExtJwt {
            token: Zeroizing::new(t.to_owned()),
        }),
        _ => Err(CREDCYCLE_RESULT_INVALID_INPUT),
    }
}

/// Logs an identity in and opens an API session (operation
/// `identities.authenticate`). `env_info_json`/`sdk_info_json` describe the
/// client (JSON objects of strings; NULL for none); `config_types` is NULL
/// or `config_types_len` NUL-terminated names. The result holds the session
/// token, shown once; free it with `credcycle_new_session_free`.
/// `VERIFICATION_FAILED` (no detail), `INVALID_INPUT`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_authenticate(
    identities: *const credcycle_identities,
    credentials: *const credcycle_auth_input,
    env_info_json: *const c_char,
    sdk_info_json: *const c_char,
    config_types: *const *const c_char,
    config_types_len: usize,
    out_session: *mut *mut credcycle_new_session,
) -> credcycle_result {
    ffi_panic_boundary! {
        let ids = require!(ids_ref(identities));
        // SAFETY: NULL or readable credentials (the C contract).
        let creds = tri!(unsafe { auth_input(credentials) });
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (env, sdk) = unsafe { (tri!(try_opt_str(env_info_json)), tri!(try_opt_str(sdk_info_json))) };
        let mut types = Vec::with_capacity(config_types_len);
        if !config_types.is_null() {
            for i in 0..config_types_len {
                // SAFETY: `config_types_len` readable NUL-terminated strings.
                types.push(tri!(unsafe { try_str(*config_types.add(i)) }).to_owned());
            }
        }
        require_out!(out_session);
        let s = try_engine!(ids.authenticate(creds, env, sdk, types));
        // SAFETY: checked non-NULL above.
        unsafe { boxed_out::<credcycle_new_session>(out_session, s) }
    }
}

/// The session of `session_token` (operation `identities.current_session`).
/// Free with `credcycle_session_info_free`. `VERIFICATION_FAILED` for a
/// dead or unknown session.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_current_session(
    identities: *const credcycle_identities,
    session_token: *const c_char,
    out_session: *mut *mut credcycle_session_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let ids = require!(ids_ref(identities));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let t = tri!(unsafe { try_str(session_token) });
        require_out!(out_session);
        let s = try_engine!(ids.current_session(t));
        // SAFETY: checked non-NULL above.
        unsafe { boxed_out::<credcycle_session_info>(out_session, s) }
    }
}

/// Checks that the session may perform `operation` (a name of at most 128
/// bytes): alive, second factor given if owed, password not due (operation
/// `identities.validate_session`). `out_session` may be NULL.
/// `VERIFICATION_FAILED`, `MFA_REQUIRED`, `PASSWORD_CHANGE_REQUIRED`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_validate_session(
    identities: *const credcycle_identities,
    session_token: *const c_char,
    operation: *const c_char,
    out_session: *mut *mut credcycle_session_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let ids = require!(ids_ref(identities));
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (t, op) = unsafe { (tri!(try_str(session_token)), tri!(try_str(operation))) };
        let s = try_engine!(ids.validate_session(t, op));
        // SAFETY: NULL or writable (the C contract).
        unsafe { opt_boxed_out::<credcycle_session_info>(out_session, s) }
    }
}

/// The identity of `session_token` (operation `identities.current_identity`).
/// Free with `credcycle_identity_info_free`. `VERIFICATION_FAILED`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_current_identity(
    identities: *const credcycle_identities,
    session_token: *const c_char,
    out_identity: *mut *mut credcycle_identity_info,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { identity_lookup(identities, session_token, out_identity, Identities::current_identity) } }
}

/// Ends the session of `session_token` (operation `identities.logout`).
/// `VERIFICATION_FAILED` for an unknown session.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_logout(
    identities: *const credcycle_identities,
    session_token: *const c_char,
) -> credcycle_result {
    ffi_panic_boundary! {
        let ids = require!(ids_ref(identities));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let t = tri!(unsafe { try_str(session_token) });
        try_engine!(ids.logout(t));
        CREDCYCLE_RESULT_OK
    }
}

/// The subject's live sessions (operation `identities.sessions`). Free with
/// `credcycle_session_info_list_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_sessions(
    identities: *const credcycle_identities,
    who: *const credcycle_subject,
    out_list: *mut *mut credcycle_session_info_list,
) -> credcycle_result {
    ffi_panic_boundary! {
        let ids = require!(ids_ref(identities));
        // SAFETY: NULL or a readable subject (the C contract).
        let who = tri!(unsafe { subject(who) });
        require_out!(out_list);
        let l = try_engine!(ids.sessions(&who));
        // SAFETY: checked non-NULL above.
        unsafe { boxed_out::<credcycle_session_info_list>(out_list, l) }
    }
}

/// Deletes every expired session of the tenant and writes how many
/// (operation `identities.purge_expired_sessions`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_identities_purge_expired_sessions(
    identities: *const credcycle_identities,
    out_purged: *mut u32,
) -> credcycle_result {
    ffi_panic_boundary! {
        let ids = require!(ids_ref(identities));
        require_out!(out_purged);
        let n = try_engine!(ids.purge_expired_sessions());
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_purged, n) }
    }
}

// ---------------------------------------------------------------------------
// MFA
// ---------------------------------------------------------------------------

/// TOTP second factors of `tenant` (operation `engine.mfa`). Free with
/// `credcycle_mfa_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_mfa(
    engine: *const credcycle_engine,
    tenant: *const c_char,
    out_mfa: *mut *const credcycle_mfa,
) -> credcycle_result {
    ffi_panic_boundary! {
        let e = require!(engine_ref(engine));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let tenant = tri!(unsafe { try_str(tenant) });
        require_out!(out_mfa);
        let m = try_engine!(e.mfa(tenant));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_mfa, to_arc_const_ptr::<credcycle_mfa>(m)) }
    }
}

/// Drops this MFA handle. NULL is a no-op.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_free(mfa: *const credcycle_mfa) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or a handle from this library, not used again.
        unsafe { free_arc(mfa) }
    }
}

fn mfa_ref<'a>(p: *const credcycle_mfa) -> Option<&'a Mfa> {
    // SAFETY: NULL or a live handle (the C contract).
    unsafe { try_ref_from_ptr(p) }
}

/// Enrolls the subject in TOTP (operation `mfa.enroll`). The result holds
/// the provisioning URI, recovery codes and a PNG QR code, shown once; free
/// it with `credcycle_mfa_enrollment_free`. `ALREADY_EXISTS` when enrolled;
/// `VERIFICATION_FAILED` for a dead session.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_enroll(
    mfa: *const credcycle_mfa,
    who: *const credcycle_subject,
    out_enrollment: *mut *mut credcycle_mfa_enrollment,
) -> credcycle_result {
    ffi_panic_boundary! {
        let m = require!(mfa_ref(mfa));
        // SAFETY: NULL or a readable subject (the C contract).
        let who = tri!(unsafe { subject(who) });
        require_out!(out_enrollment);
        let e = try_engine!(m.enroll(&who));
        // SAFETY: checked non-NULL above.
        unsafe { boxed_out::<credcycle_mfa_enrollment>(out_enrollment, e) }
    }
}

/// The subject's MFA state (operation `mfa.status`). Free with
/// `credcycle_mfa_state_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_status(
    mfa: *const credcycle_mfa,
    who: *const credcycle_subject,
    out_status: *mut *mut credcycle_mfa_state,
) -> credcycle_result {
    ffi_panic_boundary! {
        let m = require!(mfa_ref(mfa));
        // SAFETY: NULL or a readable subject (the C contract).
        let who = tri!(unsafe { subject(who) });
        require_out!(out_status);
        let s = try_engine!(m.status(&who));
        // SAFETY: checked non-NULL above.
        unsafe { boxed_out::<credcycle_mfa_state>(out_status, s) }
    }
}

/// Writes the provisioning URI as a QR code (`format` `png` or `svg`) to
/// `(buf, len)`, while the enrollment is unverified (operation
/// `mfa.qr_code`). `INVALID_INPUT` naming `format`; `NOT_FOUND` once
/// verified (the URI is gone). The code contains the TOTP secret.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_qr_code(
    mfa: *const credcycle_mfa,
    who: *const credcycle_subject,
    format: *const c_char,
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        let m = require!(mfa_ref(mfa));
        // SAFETY: NULL or readable arguments (the C contract).
        let who = tri!(unsafe { subject(who) });
        // SAFETY: as above.
        let format = tri!(unsafe { try_str(format) });
        require_out!(out_n);
        let qr = Zeroizing::new(try_engine!(m.qr_code(&who, format)));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_bytes_out(&qr, buf, len, out_n) }
    }
}

type CodeOp = fn(&Mfa, &Subject, &str) -> credcycle_facade::Result<()>;

unsafe fn code_op(
    mfa: *const credcycle_mfa,
    who: *const credcycle_subject,
    code: *const c_char,
    op: CodeOp,
) -> credcycle_result {
    let m = require!(mfa_ref(mfa));
    // SAFETY: NULL or readable arguments (the C contract).
    let who = tri!(unsafe { subject(who) });
    // SAFETY: as above.
    let code = tri!(unsafe { try_str(code) });
    try_engine!(op(m, &who, code));
    CREDCYCLE_RESULT_OK
}

/// Confirms the enrollment with a first code (operation `mfa.verify`).
/// `VERIFICATION_FAILED`; `LOCKED` after too many wrong codes.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_verify(
    mfa: *const credcycle_mfa,
    who: *const credcycle_subject,
    code: *const c_char,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { code_op(mfa, who, code, Mfa::verify) } }
}

/// Removes the subject's MFA, proving a current code (operation
/// `mfa.disable`). `VERIFICATION_FAILED`, `LOCKED`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_disable(
    mfa: *const credcycle_mfa,
    who: *const credcycle_subject,
    code: *const c_char,
) -> credcycle_result {
    // SAFETY: forwarded C contract.
    ffi_panic_boundary! { unsafe { code_op(mfa, who, code, Mfa::disable) } }
}

/// Gives a session its second factor: a TOTP code or a recovery code
/// (operation `mfa.authenticate_mfa`). `out_session` may be NULL.
/// `VERIFICATION_FAILED`, `LOCKED`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_authenticate_mfa(
    mfa: *const credcycle_mfa,
    session_token: *const c_char,
    code: *const c_char,
    out_session: *mut *mut credcycle_session_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let m = require!(mfa_ref(mfa));
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (t, code) = unsafe { (tri!(try_str(session_token)), tri!(try_str(code))) };
        let s = try_engine!(m.authenticate_mfa(t, code));
        // SAFETY: NULL or writable (the C contract).
        unsafe { opt_boxed_out::<credcycle_session_info>(out_session, s) }
    }
}

/// Removes an identity's MFA without a code (an administrator's reset)
/// (operation `mfa.remove`). `NOT_FOUND`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_remove(
    mfa: *const credcycle_mfa,
    identity_id: *const c_char,
) -> credcycle_result {
    ffi_panic_boundary! {
        let m = require!(mfa_ref(mfa));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let id = tri!(unsafe { try_str(identity_id) });
        try_engine!(m.remove(id));
        CREDCYCLE_RESULT_OK
    }
}

/// Replaces the recovery codes, proving a current code (operation
/// `mfa.regenerate_recovery_codes`). The result holds the new codes, shown
/// once; free it with `credcycle_recovery_codes_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_regenerate_recovery_codes(
    mfa: *const credcycle_mfa,
    who: *const credcycle_subject,
    code: *const c_char,
    out_codes: *mut *mut credcycle_recovery_codes,
) -> credcycle_result {
    ffi_panic_boundary! {
        let m = require!(mfa_ref(mfa));
        // SAFETY: NULL or readable arguments (the C contract).
        let who = tri!(unsafe { subject(who) });
        // SAFETY: as above.
        let code = tri!(unsafe { try_str(code) });
        require_out!(out_codes);
        let codes = try_engine!(m.regenerate_recovery_codes(&who, code));
        let remaining = u32::try_from(codes.len()).unwrap_or(u32::MAX);
        let info = RecoveryCodesInfo { codes: Some(codes), remaining };
        // SAFETY: checked non-NULL above.
        unsafe { boxed_out::<credcycle_recovery_codes>(out_codes, info) }
    }
}

/// The recovery codes (shown only while none has been used since they were
/// made), proving a current code (operation `mfa.view_recovery_codes`).
/// Free with `credcycle_recovery_codes_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_mfa_view_recovery_codes(
    mfa: *const credcycle_mfa,
    who: *const credcycle_subject,
    code: *const c_char,
    out_codes: *mut *mut credcycle_recovery_codes,
) -> credcycle_result {
    ffi_panic_boundary! {
        let m = require!(mfa_ref(mfa));
        // SAFETY: NULL or readable arguments (the C contract).
        let who = tri!(unsafe { subject(who) });
        // SAFETY: as above.
        let code = tri!(unsafe { try_str(code) });
        require_out!(out_codes);
        let info = try_engine!(m.view_recovery_codes(&who, code));
        // SAFETY: checked non-NULL above.
        unsafe { boxed_out::<credcycle_recovery_codes>(out_codes, info) }
    }
}
