//! The PKI and enrollment domains (`credcycle_pki`, `credcycle_enrollment`)
//! and the client helpers `credcycle_generate_key_and_csr`,
//! `credcycle_verify_challenge`, `credcycle_verify_chain`,
//! `credcycle_parse_enrollment_jwt` and `credcycle_verify_enrollment_jwt`.
//!
//! Thread-safety: `credcycle_pki` and `credcycle_enrollment` are shared,
//! immutable and thread-safe. Enrollment JWTs, passwords and session tokens
//! are passed in as NUL-terminated strings and never kept; private keys and
//! JWTs come out through result objects that zeroize them when freed.

use std::ffi::c_char;

use credcycle_facade::{
    ChallengeInfo, CreateCaOptions, Enrollment, EnrollmentSpec, ExternalCaOptions, IssueProfile,
    Pki, client,
};

use crate::engine::{credcycle_engine, engine_ref};
use crate::error::{CREDCYCLE_RESULT_OK, credcycle_result, try_engine};
use crate::ffi::{
    Castable, OwnershipArc, free_arc, require, require_out, set_out, to_arc_const_ptr,
    to_boxed_mut_ptr, tri, try_opt_str, try_ref_from_ptr, try_str, write_str_out,
};
use crate::identities::{credcycle_subject, subject};
use crate::panic::ffi_panic_boundary;
use crate::results_identities::credcycle_authenticator_info;
use crate::results_pki::*;

/// The internal CA of one tenant. Shared and thread-safe; free with
/// `credcycle_pki_free`.
pub struct credcycle_pki {
    _private: [u8; 0],
}

impl Castable for credcycle_pki {
    type Ownership = OwnershipArc;
    type RustType = Pki;
}

/// Enrollment and certificate lifecycle of one tenant. Shared and
/// thread-safe; free with `credcycle_enrollment_free`.
pub struct credcycle_enrollment {
    _private: [u8; 0],
}

impl Castable for credcycle_enrollment {
    type Ownership = OwnershipArc;
    type RustType = Enrollment;
}

/// Options of `credcycle_pki_create_ca`. Zero-initialize it (`{0}`) for the
/// defaults.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct credcycle_create_ca_options {
    /// `p256` (default when NULL), `p384` or `ed25519`.
    pub algorithm: *const c_char,
    /// Whether `validity_secs` is set.
    pub has_validity_secs: bool,
    /// Root validity in seconds (default: the policy's).
    pub validity_secs: i64,
    /// The KeyManager key to create (NULL: a generated id).
    pub key_id: *const c_char,
}

/// How `credcycle_pki_issue` issues one certificate. Zero-initialize it and
/// set `identity_id`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct credcycle_issue_profile {
    /// `client` (default when NULL), `router_server` or `session`.
    pub kind: *const c_char,
    /// The identity id: the subject CN and the SPIFFE id's last segment.
    pub identity_id: *const c_char,
    /// DNS subjectAltNames (router server certificates only).
    pub dns_names: *const *const c_char,
    /// How many entries `dns_names` has.
    pub dns_names_count: usize,
    /// IP subjectAltNames (router server certificates only).
    pub ip_addresses: *const *const c_char,
    /// How many entries `ip_addresses` has.
    pub ip_addresses_count: usize,
    /// Also copy the CSR's requested DNS/IP names (router server only).
    pub include_requested_sans: bool,
    /// Whether `validity_secs` is set.
    pub has_validity_secs: bool,
    /// A validity shorter than the policy's, in seconds (at least 60).
    pub validity_secs: i64,
}

/// What `credcycle_enrollment_create` makes. Zero-initialize it and set
/// `method`; fields the method does not use must stay NULL / empty.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct credcycle_enrollment_spec {
    /// `ott`, `ottca`, `updb` or `router`.
    pub method: *const c_char,
    /// The external CA (`ottca`, required).
    pub ca_id: *const c_char,
    /// The username (`updb`, required).
    pub username: *const c_char,
    /// Server certificate DNS names (`router`).
    pub dns_names: *const *const c_char,
    /// How many entries `dns_names` has.
    pub dns_names_count: usize,
    /// Server certificate IP addresses (`router`).
    pub ip_addresses: *const *const c_char,
    /// How many entries `ip_addresses` has.
    pub ip_addresses_count: usize,
}

/// Options of `credcycle_enrollment_register_ca`: every flag is read as
/// given (zero-initialized means every use disabled).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct credcycle_external_ca_options {
    /// Unique name (1..=64 of `[A-Za-z0-9_.-]`).
    pub name: *const c_char,
    /// Certificates of this CA may create identities.
    pub auto_enrollment: bool,
    /// Certificates of this CA may enroll through `ottca` tokens.
    pub ott_ca_enrollment: bool,
    /// Certificates of this CA may authenticate.
    pub auth_enabled: bool,
    /// Name format of auto-enrolled identities (NULL: `[caName]-[commonName]`).
    pub identity_name_format: *const c_char,
}

/// `n` NUL-terminated strings at `p` (NULL or `n == 0`: none).
///
/// # Safety
/// `p` is NULL or has `n` readable NUL-terminated strings.
unsafe fn strings(p: *const *const c_char, n: usize) -> Result<Vec<String>, credcycle_result> {
    if p.is_null() || n == 0 {
        return Ok(Vec::new());
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        // SAFETY: `p` has `n` readable entries, each NUL-terminated.
        out.push(unsafe { try_str(*p.add(i)) }?.to_owned());
    }
    Ok(out)
}

/// # Safety
/// `o` is NULL or readable, its strings NULL or NUL-terminated.
unsafe fn create_ca_options(
    o: *const credcycle_create_ca_options,
) -> Result<CreateCaOptions, credcycle_result> {
    // SAFETY: NULL or readable (the C contract).
    let Some(o) = (unsafe { o.as_ref() }) else {
        return Ok(CreateCaOptions::default());
    };
    Ok(CreateCaOptions {
        // SAFETY: NULL or NUL-terminated (the C contract).
        algorithm: unsafe { try_opt_str(o.algorithm) }?.map(str::to_owned),
        validity_secs: o.has_validity_secs.then_some(o.validity_secs),
        // SAFETY: as above.
        key_id: unsafe { try_opt_str(o.key_id) }?.map(str::to_owned),
    })
}

/// # Safety
/// `p` is NULL or readable, its strings and arrays as documented.
unsafe fn issue_profile(
    p: *const credcycle_issue_profile,
) -> Result<IssueProfile, credcycle_result> {
    // SAFETY: NULL or readable (the C contract).
    let p = unsafe { p.as_ref() }.ok_or(crate::error::CREDCYCLE_RESULT_NULL_PARAMETER)?;
    Ok(IssueProfile {
        // SAFETY: NULL or NUL-terminated (the C contract).
        kind: unsafe { try_opt_str(p.kind) }?
            .unwrap_or("client")
            .to_owned(),
        // SAFETY: as above.
        identity_id: unsafe { try_str(p.identity_id) }?.to_owned(),
        // SAFETY: as documented on the struct.
        dns_names: unsafe { strings(p.dns_names, p.dns_names_count) }?,
        // SAFETY: as above.
        ip_addresses: unsafe { strings(p.ip_addresses, p.ip_addresses_count) }?,
        include_requested_sans: p.include_requested_sans,
        validity_secs: p.has_validity_secs.then_some(p.validity_secs),
    })
}

/// # Safety
/// `s` is NULL or readable, its strings and arrays as documented.
unsafe fn enrollment_spec(
    s: *const credcycle_enrollment_spec,
) -> Result<EnrollmentSpec, credcycle_result> {
    // SAFETY: NULL or readable (the C contract).
    let s = unsafe { s.as_ref() }.ok_or(crate::error::CREDCYCLE_RESULT_NULL_PARAMETER)?;
    Ok(EnrollmentSpec {
        // SAFETY: NULL or NUL-terminated (the C contract).
        method: unsafe { try_str(s.method) }?.to_owned(),
        // SAFETY: as above.
        ca_id: unsafe { try_opt_str(s.ca_id) }?.map(str::to_owned),
        // SAFETY: as above.
        username: unsafe { try_opt_str(s.username) }?.map(str::to_owned),
        // SAFETY: as documented on the struct.
        dns_names: unsafe { strings(s.dns_names, s.dns_names_count) }?,
        // SAFETY: as above.
        ip_addresses: unsafe { strings(s.ip_addresses, s.ip_addresses_count) }?,
    })
}

/// # Safety
/// `o` is NULL or readable, its strings NULL or NUL-terminated.
unsafe fn external_ca_options(
    o: *const credcycle_external_ca_options,
) -> Result<ExternalCaOptions, credcycle_result> {
    // SAFETY: NULL or readable (the C contract).
    let o = unsafe { o.as_ref() }.ok_or(crate::error::CREDCYCLE_RESULT_NULL_PARAMETER)?;
    Ok(ExternalCaOptions {
        // SAFETY: NULL or NUL-terminated (the C contract).
        name: unsafe { try_str(o.name) }?.to_owned(),
        auto_enrollment: o.auto_enrollment,
        ott_ca_enrollment: o.ott_ca_enrollment,
        auth_enabled: o.auth_enabled,
        // SAFETY: as above.
        identity_name_format: unsafe { try_opt_str(o.identity_name_format) }?.map(str::to_owned),
    })
}

fn pki_ref<'a>(p: *const credcycle_pki) -> Option<&'a Pki> {
    // SAFETY: NULL or a live handle (the C contract).
    unsafe { try_ref_from_ptr(p) }
}

fn en_ref<'a>(p: *const credcycle_enrollment) -> Option<&'a Enrollment> {
    // SAFETY: NULL or a live handle (the C contract).
    unsafe { try_ref_from_ptr(p) }
}

/// The internal CA of `tenant` (operation `engine.pki`). Free with
/// `credcycle_pki_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_pki(
    engine: *const credcycle_engine,
    tenant: *const c_char,
    out_pki: *mut *const credcycle_pki,
) -> credcycle_result {
    ffi_panic_boundary! {
        let e = require!(engine_ref(engine));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let tenant = tri!(unsafe { try_str(tenant) });
        require_out!(out_pki);
        let p = try_engine!(e.pki(tenant));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_pki, to_arc_const_ptr::<credcycle_pki>(p)) }
    }
}

/// Drops this handle. NULL is a no-op.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_pki_free(pki: *const credcycle_pki) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or a handle from this library, not used again.
        unsafe { free_arc(pki) }
    }
}

/// Enrollment and certificate lifecycle of `tenant` (operation
/// `engine.enrollment`). Free with `credcycle_enrollment_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_enrollment(
    engine: *const credcycle_engine,
    tenant: *const c_char,
    out_enrollment: *mut *const credcycle_enrollment,
) -> credcycle_result {
    ffi_panic_boundary! {
        let e = require!(engine_ref(engine));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let tenant = tri!(unsafe { try_str(tenant) });
        require_out!(out_enrollment);
        let en = try_engine!(e.enrollment(tenant));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_enrollment, to_arc_const_ptr::<credcycle_enrollment>(en)) }
    }
}

/// Drops this handle. NULL is a no-op.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_free(enrollment: *const credcycle_enrollment) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or a handle from this library, not used again.
        unsafe { free_arc(enrollment) }
    }
}

/// A new private key of `algorithm` (`p256`, `p384` or `ed25519`) and its
/// CSR for `CN=<common_name>`, requesting `dns_names_len` DNS names and
/// `ip_addresses_len` IP addresses (either array may be NULL when its length
/// is 0) (operation `client.generate_key_and_csr`). Free with
/// `credcycle_client_key_info_free`. `INVALID_INPUT` naming `algorithm`,
/// `common_name` or `ip_addresses`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_generate_key_and_csr(
    algorithm: *const c_char,
    common_name: *const c_char,
    dns_names: *const *const c_char,
    dns_names_len: usize,
    ip_addresses: *const *const c_char,
    ip_addresses_len: usize,
    out_key: *mut *mut credcycle_client_key_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (algorithm, common_name) = unsafe { (tri!(try_str(algorithm)), tri!(try_str(common_name))) };
        // SAFETY: arrays as documented.
        let dns = tri!(unsafe { strings(dns_names, dns_names_len) });
        // SAFETY: as above.
        let ips = tri!(unsafe { strings(ip_addresses, ip_addresses_len) });
        require_out!(out_key);
        let k = try_engine!(client::generate_key_and_csr(algorithm, common_name, &dns, &ips));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_key, to_boxed_mut_ptr::<credcycle_client_key_info>(k)) }
    }
}

/// The enrolling client's check of a challenge answer (its four fields, as
/// received) against the enrollment JWKS (JSON) it trusts and the `nonce`
/// it sent (operation `client.verify_challenge`). `CREDCYCLE_RESULT_OK`
/// when it verifies; `VERIFICATION_FAILED`; `INVALID_INPUT` naming `nonce`
/// or the JWKS.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_verify_challenge(
    jwks_json: *const c_char,
    nonce: *const c_char,
    algorithm: *const c_char,
    kid: *const c_char,
    signature: *const c_char,
    ca_pool: *const c_char,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (jwks, nonce) = unsafe { (tri!(try_str(jwks_json)), tri!(try_str(nonce))) };
        // SAFETY: as above.
        let c = unsafe {
            ChallengeInfo {
                algorithm: tri!(try_str(algorithm)).to_owned(),
                kid: tri!(try_str(kid)).to_owned(),
                signature: tri!(try_str(signature)).to_owned(),
                ca_pool: tri!(try_str(ca_pool)).to_owned(),
            }
        };
        try_engine!(client::verify_challenge(jwks, nonce, &c));
        CREDCYCLE_RESULT_OK
    }
}

/// Verifies a certificate chain (PEM, leaf first, then any intermediates)
/// against the trust anchors `roots_pem` (PEM) at `*at` (NULL: the system
/// clock) for `purpose` (`client`, the default when NULL; `server`; `any`),
/// without an engine. Free the result with
/// `credcycle_verified_chain_info_free`. `CERTIFICATE_REJECTED` (1601)
/// naming the certificate and why; `INVALID_INPUT` naming `roots_pem`, the
/// chain or `purpose` (operation `client.verify_chain`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_verify_chain(
    roots_pem: *const c_char,
    chain_pem: *const c_char,
    at: *const i64,
    purpose: *const c_char,
    out_verified: *mut *mut credcycle_verified_chain_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (roots, chain) = unsafe { (tri!(try_str(roots_pem)), tri!(try_str(chain_pem))) };
        // SAFETY: NULL or NUL-terminated (the C contract).
        let purpose = tri!(unsafe { try_opt_str(purpose) }).unwrap_or_default();
        // SAFETY: NULL or readable (the C contract).
        let at = unsafe { at.as_ref() }.copied();
        require_out!(out_verified);
        let r = try_engine!(client::verify_chain(roots, chain, at, purpose));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_verified, to_boxed_mut_ptr::<credcycle_verified_chain_info>(r)) }
    }
}

/// Reads an enrollment JWT without checking its signature (to show what it
/// holds, or to pick the key). Free the result with
/// `credcycle_enrollment_claims_info_free`. `INVALID_INPUT` naming `token`
/// (operation `client.parse_enrollment_jwt`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_parse_enrollment_jwt(
    token: *const c_char,
    out_claims: *mut *mut credcycle_enrollment_claims_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or NUL-terminated (the C contract).
        let token = tri!(unsafe { try_str(token) });
        require_out!(out_claims);
        let r = try_engine!(client::parse_enrollment_jwt(token));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_claims, to_boxed_mut_ptr::<credcycle_enrollment_claims_info>(r)) }
    }
}

/// Verifies an enrollment JWT against the enrollment JWKS (JSON) the client
/// trusts: ES256 by the key its `kid` names, its `typ`, `issuer`, and not
/// expired at `*now` (NULL: the system clock). Free the result with
/// `credcycle_enrollment_claims_info_free`. `VERIFICATION_FAILED` (no
/// detail); `INVALID_STATE` when expired; `INVALID_INPUT` naming `token` or
/// the JWKS (operation `client.verify_enrollment_jwt`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_verify_enrollment_jwt(
    token: *const c_char,
    jwks_json: *const c_char,
    issuer: *const c_char,
    now: *const i64,
    out_claims: *mut *mut credcycle_enrollment_claims_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (token, jwks, issuer) = unsafe {
            (tri!(try_str(token)), tri!(try_str(jwks_json)), tri!(try_str(issuer)))
        };
        // SAFETY: NULL or readable (the C contract).
        let now = unsafe { now.as_ref() }.copied();
        require_out!(out_claims);
        let r = try_engine!(client::verify_enrollment_jwt(token, jwks, issuer, now));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_claims, to_boxed_mut_ptr::<credcycle_enrollment_claims_info>(r)) }
    }
}

/// Creates the tenant's CA: a KeyManager key and a self-signed root.
/// `options` may be NULL (P-256, the policy's validity, a generated key id).
/// Free the result with `credcycle_ca_info_free`. `INVALID_INPUT` naming the
/// field; `ALREADY_EXISTS` when the tenant has a CA (operation
/// `pki.create_ca`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_pki_create_ca(
    pki: *const credcycle_pki,
    common_name: *const c_char,
    trust_domain: *const c_char,
    options: *const credcycle_create_ca_options,
    out_ca: *mut *mut credcycle_ca_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(pki_ref(pki));
        // SAFETY: NULL or readable as documented (the C contract).
        let common_name = tri!(unsafe { try_str(common_name) });
        // SAFETY: NULL or readable as documented (the C contract).
        let trust_domain = tri!(unsafe { try_str(trust_domain) });
        // SAFETY: NULL or readable as documented (the C contract).
        let options = tri!(unsafe { create_ca_options(options) });
        require_out!(out_ca);
        let r = try_engine!(h.create_ca(common_name, trust_domain, options));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_ca, to_boxed_mut_ptr::<credcycle_ca_info>(r)) }
    }
}

/// Imports an existing CA: its PEM chain (issuing CA first) and the
/// KeyManager key holding its private key. Free with
/// `credcycle_ca_info_free`. `INVALID_INPUT`, `ALREADY_EXISTS`, key manager
/// errors (operation `pki.import_ca`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_pki_import_ca(
    pki: *const credcycle_pki,
    chain_pem: *const c_char,
    key_id: *const c_char,
    trust_domain: *const c_char,
    out_ca: *mut *mut credcycle_ca_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(pki_ref(pki));
        // SAFETY: NULL or readable as documented (the C contract).
        let chain_pem = tri!(unsafe { try_str(chain_pem) });
        // SAFETY: NULL or readable as documented (the C contract).
        let key_id = tri!(unsafe { try_str(key_id) });
        // SAFETY: NULL or readable as documented (the C contract).
        let trust_domain = tri!(unsafe { try_str(trust_domain) });
        require_out!(out_ca);
        let r = try_engine!(h.import_ca(chain_pem, key_id, trust_domain));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_ca, to_boxed_mut_ptr::<credcycle_ca_info>(r)) }
    }
}

/// The tenant's CA. Free with `credcycle_ca_info_free`. `NOT_FOUND` before
/// one is created or imported (operation `pki.ca`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_pki_ca(
    pki: *const credcycle_pki,
    out_ca: *mut *mut credcycle_ca_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(pki_ref(pki));
        require_out!(out_ca);
        let r = try_engine!(h.ca());
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_ca, to_boxed_mut_ptr::<credcycle_ca_info>(r)) }
    }
}

/// Writes the CA chain as PEM, NUL-terminated, to `(buf, len)`; `*out_n` is
/// the bytes written or needed, NUL included. `NOT_FOUND` without a CA
/// (operation `pki.bundle_pem`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_pki_bundle_pem(
    pki: *const credcycle_pki,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(pki_ref(pki));
        require_out!(out_n);
        let s = try_engine!(h.bundle_pem());
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_str_out(&s, buf, len, out_n) }
    }
}

/// Writes the CA chain as a base64 certs-only PKCS#7, NUL-terminated, to
/// `(buf, len)`; `*out_n` is the bytes written or needed, NUL included.
/// `NOT_FOUND` without a CA (operation `pki.bundle_pkcs7_base64`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_pki_bundle_pkcs7_base64(
    pki: *const credcycle_pki,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(pki_ref(pki));
        require_out!(out_n);
        let s = try_engine!(h.bundle_pkcs7_base64());
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_str_out(&s, buf, len, out_n) }
    }
}

/// Parses and verifies a CSR (PEM), then issues a certificate of `profile`;
/// writes nothing to the store. Free with `credcycle_issued_cert_info_free`.
/// `INVALID_INPUT` naming `csr` or the profile field; `NOT_FOUND` without a
/// CA (operation `pki.issue`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_pki_issue(
    pki: *const credcycle_pki,
    csr_pem: *const c_char,
    profile: *const credcycle_issue_profile,
    out_cert: *mut *mut credcycle_issued_cert_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(pki_ref(pki));
        // SAFETY: NULL or readable as documented (the C contract).
        let csr_pem = tri!(unsafe { try_str(csr_pem) });
        // SAFETY: NULL or readable as documented (the C contract).
        let profile = tri!(unsafe { issue_profile(profile) });
        require_out!(out_cert);
        let r = try_engine!(h.issue(csr_pem, profile));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_cert, to_boxed_mut_ptr::<credcycle_issued_cert_info>(r)) }
    }
}

/// Renews a certificate this CA issued (PEM, or a chain whose first
/// certificate it is): same subject, the key of `new_csr_pem` (NULL: the
/// same key), SANs from `profile`, a new serial and a fresh validity;
/// writes nothing to the store. Free with `credcycle_issued_cert_info_free`.
/// `INVALID_INPUT` naming `current_certificate`, `csr` or the profile
/// field; `NOT_FOUND` without a CA (operation `pki.renew`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_pki_renew(
    pki: *const credcycle_pki,
    current_certificate_pem: *const c_char,
    new_csr_pem: *const c_char,
    profile: *const credcycle_issue_profile,
    out_cert: *mut *mut credcycle_issued_cert_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(pki_ref(pki));
        // SAFETY: NULL or readable as documented (the C contract).
        let current = tri!(unsafe { try_str(current_certificate_pem) });
        // SAFETY: NULL or readable as documented (the C contract).
        let csr = tri!(unsafe { try_opt_str(new_csr_pem) });
        // SAFETY: NULL or readable as documented (the C contract).
        let profile = tri!(unsafe { issue_profile(profile) });
        require_out!(out_cert);
        let r = try_engine!(h.renew(current, csr, profile));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_cert, to_boxed_mut_ptr::<credcycle_issued_cert_info>(r)) }
    }
}

/// Verifies a client chain (PEM, leaf first) against the tenant CA now. Free
/// with `credcycle_verified_chain_info_free`. `CERTIFICATE_REJECTED` (1601)
/// naming the certificate and why; `INVALID_INPUT`; `NOT_FOUND` without a CA
/// (operation `pki.verify_client_chain`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_pki_verify_client_chain(
    pki: *const credcycle_pki,
    chain_pem: *const c_char,
    out_verified: *mut *mut credcycle_verified_chain_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(pki_ref(pki));
        // SAFETY: NULL or readable as documented (the C contract).
        let chain_pem = tri!(unsafe { try_str(chain_pem) });
        require_out!(out_verified);
        let r = try_engine!(h.verify_client_chain(chain_pem));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_verified, to_boxed_mut_ptr::<credcycle_verified_chain_info>(r)) }
    }
}

/// Writes the enrollment JWKS (`{"keys":[...]}` JSON, NUL-terminated) to
/// `(buf, len)`; `*out_n` is the bytes written or needed, NUL included.
/// Creates the signing key on first use (operation `enrollment.jwks`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_jwks(
    enrollment: *const credcycle_enrollment,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        require_out!(out_n);
        let s = try_engine!(h.jwks());
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_str_out(&s, buf, len, out_n) }
    }
}

/// Writes the current enrollment signing key's `kid`, NUL-terminated, to
/// `(buf, len)`; `*out_n` is the bytes written or needed, NUL included
/// (operation `enrollment.current_kid`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_current_kid(
    enrollment: *const credcycle_enrollment,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        require_out!(out_n);
        let s = try_engine!(h.current_kid());
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_str_out(&s, buf, len, out_n) }
    }
}

/// Rotates the enrollment signing key and writes the new `kid`, NUL-
/// terminated, to `(buf, len)`; `*out_n` is the bytes written or needed, NUL
/// included. Each call rotates: size the buffer generously (a `kid` is short)
/// (operation `enrollment.rotate_signing_key`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_rotate_signing_key(
    enrollment: *const credcycle_enrollment,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        require_out!(out_n);
        let s = try_engine!(h.rotate_signing_key());
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_str_out(&s, buf, len, out_n) }
    }
}

/// Signs the client's `nonce` (a UUID) and the tenant's CA pool with key
/// `kid`. Free with `credcycle_challenge_info_free`. `INVALID_INPUT` naming
/// `nonce` or `kid`; `NOT_FOUND`; `INVALID_STATE` for a retired key
/// (operation `enrollment.challenge`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_challenge(
    enrollment: *const credcycle_enrollment,
    kid: *const c_char,
    nonce: *const c_char,
    out_challenge: *mut *mut credcycle_challenge_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let kid = tri!(unsafe { try_str(kid) });
        // SAFETY: NULL or readable as documented (the C contract).
        let nonce = tri!(unsafe { try_str(nonce) });
        require_out!(out_challenge);
        let r = try_engine!(h.challenge(kid, nonce));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_challenge, to_boxed_mut_ptr::<credcycle_challenge_info>(r)) }
    }
}

/// Creates an enrollment of an identity; its JWT is shown once. Free with
/// `credcycle_new_enrollment_info_free`. `INVALID_INPUT` naming the field;
/// `NOT_FOUND`; `ALREADY_EXISTS` while one of the method is pending;
/// `POLICY_VIOLATION` (operation `enrollment.create`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_create(
    enrollment: *const credcycle_enrollment,
    identity_id: *const c_char,
    spec: *const credcycle_enrollment_spec,
    out_enrollment: *mut *mut credcycle_new_enrollment_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let identity_id = tri!(unsafe { try_str(identity_id) });
        // SAFETY: NULL or readable as documented (the C contract).
        let spec = tri!(unsafe { enrollment_spec(spec) });
        require_out!(out_enrollment);
        let r = try_engine!(h.create(identity_id, spec));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_enrollment, to_boxed_mut_ptr::<credcycle_new_enrollment_info>(r)) }
    }
}

/// Re-issues an unused enrollment with a new token and expiry. Free with
/// `credcycle_new_enrollment_info_free`. `INVALID_INPUT`; `NOT_FOUND`;
/// `INVALID_STATE` for a used one (operation `enrollment.reissue`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_reissue(
    enrollment: *const credcycle_enrollment,
    identity_id: *const c_char,
    method: *const c_char,
    out_enrollment: *mut *mut credcycle_new_enrollment_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let identity_id = tri!(unsafe { try_str(identity_id) });
        // SAFETY: NULL or readable as documented (the C contract).
        let method = tri!(unsafe { try_str(method) });
        require_out!(out_enrollment);
        let r = try_engine!(h.reissue(identity_id, method));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_enrollment, to_boxed_mut_ptr::<credcycle_new_enrollment_info>(r)) }
    }
}

/// An identity's enrollment of `method` (`ott`, `ottca`, `updb`, `router`).
/// Free with `credcycle_enrollment_info_free`. `INVALID_INPUT`; `NOT_FOUND`
/// (operation `enrollment.get`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_get(
    enrollment: *const credcycle_enrollment,
    identity_id: *const c_char,
    method: *const c_char,
    out_enrollment: *mut *mut credcycle_enrollment_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let identity_id = tri!(unsafe { try_str(identity_id) });
        // SAFETY: NULL or readable as documented (the C contract).
        let method = tri!(unsafe { try_str(method) });
        require_out!(out_enrollment);
        let r = try_engine!(h.get(identity_id, method));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_enrollment, to_boxed_mut_ptr::<credcycle_enrollment_info>(r)) }
    }
}

/// An identity's enrollments. Free with `credcycle_enrollment_info_list_free`
/// (operation `enrollment.list`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_list(
    enrollment: *const credcycle_enrollment,
    identity_id: *const c_char,
    out_list: *mut *mut credcycle_enrollment_info_list,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let identity_id = tri!(unsafe { try_str(identity_id) });
        require_out!(out_list);
        let r = try_engine!(h.list(identity_id));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_list, to_boxed_mut_ptr::<credcycle_enrollment_info_list>(r)) }
    }
}

/// Deletes an identity's enrollment of `method`. `INVALID_INPUT`; `NOT_FOUND`
/// (operation `enrollment.delete`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_delete(
    enrollment: *const credcycle_enrollment,
    identity_id: *const c_char,
    method: *const c_char,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let identity_id = tri!(unsafe { try_str(identity_id) });
        // SAFETY: NULL or readable as documented (the C contract).
        let method = tri!(unsafe { try_str(method) });
        try_engine!(h.delete(identity_id, method));
        CREDCYCLE_RESULT_OK
    }
}

/// `ott`: redeems the enrollment JWT with a CSR (PEM); the certificate of the
/// new cert authenticator. A token works once. Free with
/// `credcycle_enrolled_cert_info_free`. `INVALID_INPUT` naming `token` or
/// `csr`; `VERIFICATION_FAILED`; `ENROLLMENT_TOKEN_USED` (1650);
/// `INVALID_STATE` (expired) (operation `enrollment.enroll_ott`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_enroll_ott(
    enrollment: *const credcycle_enrollment,
    jwt: *const c_char,
    csr_pem: *const c_char,
    out_cert: *mut *mut credcycle_enrolled_cert_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let jwt = tri!(unsafe { try_str(jwt) });
        // SAFETY: NULL or readable as documented (the C contract).
        let csr_pem = tri!(unsafe { try_str(csr_pem) });
        require_out!(out_cert);
        let r = try_engine!(h.enroll_ott(jwt, csr_pem));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_cert, to_boxed_mut_ptr::<credcycle_enrolled_cert_info>(r)) }
    }
}

/// `ottca`: redeems the JWT with a chain (PEM, leaf first) from the
/// enrollment's external CA. Free with `credcycle_enrolled_cert_info_free`.
/// As `credcycle_enrollment_enroll_ott`; `CERTIFICATE_REJECTED` (1601)
/// (operation `enrollment.enroll_ottca`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_enroll_ottca(
    enrollment: *const credcycle_enrollment,
    jwt: *const c_char,
    chain_pem: *const c_char,
    out_cert: *mut *mut credcycle_enrolled_cert_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let jwt = tri!(unsafe { try_str(jwt) });
        // SAFETY: NULL or readable as documented (the C contract).
        let chain_pem = tri!(unsafe { try_str(chain_pem) });
        require_out!(out_cert);
        let r = try_engine!(h.enroll_ottca(jwt, chain_pem));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_cert, to_boxed_mut_ptr::<credcycle_enrolled_cert_info>(r)) }
    }
}

/// `updb`: redeems the JWT and sets the initial username and password. Free
/// with `credcycle_authenticator_info_free`. As
/// `credcycle_enrollment_enroll_ott`; `INVALID_INPUT` naming `username` or
/// `password`; `POLICY_VIOLATION` (operation `enrollment.enroll_updb`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_enroll_updb(
    enrollment: *const credcycle_enrollment,
    jwt: *const c_char,
    username: *const c_char,
    password: *const c_char,
    out_authenticator: *mut *mut credcycle_authenticator_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let jwt = tri!(unsafe { try_str(jwt) });
        // SAFETY: NULL or readable as documented (the C contract).
        let username = tri!(unsafe { try_str(username) });
        // SAFETY: NULL or readable as documented (the C contract).
        let password = tri!(unsafe { try_str(password) });
        require_out!(out_authenticator);
        let r = try_engine!(h.enroll_updb(jwt, username, password));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_authenticator, to_boxed_mut_ptr::<credcycle_authenticator_info>(r)) }
    }
}

/// Router enrollment: the JWT with a client CSR and a server CSR. Free with
/// `credcycle_router_certs_info_free`. As `credcycle_enrollment_enroll_ott`,
/// naming `client_csr` or `server_csr` (operation
/// `enrollment.enroll_router`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_enroll_router(
    enrollment: *const credcycle_enrollment,
    jwt: *const c_char,
    client_csr: *const c_char,
    server_csr: *const c_char,
    out_certs: *mut *mut credcycle_router_certs_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let jwt = tri!(unsafe { try_str(jwt) });
        // SAFETY: NULL or readable as documented (the C contract).
        let client_csr = tri!(unsafe { try_str(client_csr) });
        // SAFETY: NULL or readable as documented (the C contract).
        let server_csr = tri!(unsafe { try_str(server_csr) });
        require_out!(out_certs);
        let r = try_engine!(h.enroll_router(jwt, client_csr, server_csr));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_certs, to_boxed_mut_ptr::<credcycle_router_certs_info>(r)) }
    }
}

/// CA auto-enrollment: a chain (PEM, leaf first) from a verified external CA
/// with auto-enrollment creates an identity and its cert authenticator, once
/// per certificate. Free with `credcycle_enrolled_cert_info_free`.
/// `CERTIFICATE_REJECTED`; `POLICY_VIOLATION`; `ALREADY_EXISTS` (operation
/// `enrollment.enroll_ca_auto`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_enroll_ca_auto(
    enrollment: *const credcycle_enrollment,
    chain_pem: *const c_char,
    out_cert: *mut *mut credcycle_enrolled_cert_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let chain_pem = tri!(unsafe { try_str(chain_pem) });
        require_out!(out_cert);
        let r = try_engine!(h.enroll_ca_auto(chain_pem));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_cert, to_boxed_mut_ptr::<credcycle_enrolled_cert_info>(r)) }
    }
}

/// Extends a cert authenticator's certificate; the new one is pending until
/// `credcycle_enrollment_extend_verify`. Free with
/// `credcycle_enrolled_cert_info_free`. `INVALID_INPUT`;
/// `VERIFICATION_FAILED`; `INVALID_STATE`; `NOT_FOUND` (operation
/// `enrollment.extend`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_extend(
    enrollment: *const credcycle_enrollment,
    who: *const credcycle_subject,
    authenticator_id: *const c_char,
    current_cert_pem: *const c_char,
    csr_pem: *const c_char,
    out_cert: *mut *mut credcycle_enrolled_cert_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let who = tri!(unsafe { subject(who) });
        // SAFETY: NULL or readable as documented (the C contract).
        let authenticator_id = tri!(unsafe { try_str(authenticator_id) });
        // SAFETY: NULL or readable as documented (the C contract).
        let current_cert_pem = tri!(unsafe { try_str(current_cert_pem) });
        // SAFETY: NULL or readable as documented (the C contract).
        let csr_pem = tri!(unsafe { try_str(csr_pem) });
        require_out!(out_cert);
        let r = try_engine!(h.extend(&who, authenticator_id, current_cert_pem, csr_pem));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_cert, to_boxed_mut_ptr::<credcycle_enrolled_cert_info>(r)) }
    }
}

/// Completes an extension with the pending certificate; the old one stops at
/// once. Free with `credcycle_cert_status_info_free`. `INVALID_STATE` without
/// a pending certificate; `VERIFICATION_FAILED` when it is not that one
/// (operation `enrollment.extend_verify`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_extend_verify(
    enrollment: *const credcycle_enrollment,
    who: *const credcycle_subject,
    authenticator_id: *const c_char,
    new_cert_pem: *const c_char,
    out_status: *mut *mut credcycle_cert_status_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let who = tri!(unsafe { subject(who) });
        // SAFETY: NULL or readable as documented (the C contract).
        let authenticator_id = tri!(unsafe { try_str(authenticator_id) });
        // SAFETY: NULL or readable as documented (the C contract).
        let new_cert_pem = tri!(unsafe { try_str(new_cert_pem) });
        require_out!(out_status);
        let r = try_engine!(h.extend_verify(&who, authenticator_id, new_cert_pem));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_status, to_boxed_mut_ptr::<credcycle_cert_status_info>(r)) }
    }
}

/// Router extension: new client and server certificates; the old client
/// certificate stops at once. Free with `credcycle_router_certs_info_free`.
/// As `credcycle_enrollment_extend` (operation `enrollment.extend_router`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_extend_router(
    enrollment: *const credcycle_enrollment,
    who: *const credcycle_subject,
    authenticator_id: *const c_char,
    current_cert_pem: *const c_char,
    client_csr: *const c_char,
    server_csr: *const c_char,
    out_certs: *mut *mut credcycle_router_certs_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let who = tri!(unsafe { subject(who) });
        // SAFETY: NULL or readable as documented (the C contract).
        let authenticator_id = tri!(unsafe { try_str(authenticator_id) });
        // SAFETY: NULL or readable as documented (the C contract).
        let current_cert_pem = tri!(unsafe { try_str(current_cert_pem) });
        // SAFETY: NULL or readable as documented (the C contract).
        let client_csr = tri!(unsafe { try_str(client_csr) });
        // SAFETY: NULL or readable as documented (the C contract).
        let server_csr = tri!(unsafe { try_str(server_csr) });
        require_out!(out_certs);
        let r = try_engine!(h.extend_router(&who, authenticator_id, current_cert_pem, client_csr, server_csr));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_certs, to_boxed_mut_ptr::<credcycle_router_certs_info>(r)) }
    }
}

/// An administrator asks for the certificate to be extended. Free with
/// `credcycle_cert_status_info_free`. `NOT_FOUND`; `INVALID_INPUT` (operation
/// `enrollment.request_extend`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_request_extend(
    enrollment: *const credcycle_enrollment,
    authenticator_id: *const c_char,
    out_status: *mut *mut credcycle_cert_status_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let authenticator_id = tri!(unsafe { try_str(authenticator_id) });
        require_out!(out_status);
        let r = try_engine!(h.request_extend(authenticator_id));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_status, to_boxed_mut_ptr::<credcycle_cert_status_info>(r)) }
    }
}

/// An administrator asks for a new key at the next extension. Free with
/// `credcycle_cert_status_info_free`. `NOT_FOUND`; `INVALID_INPUT` (operation
/// `enrollment.request_key_roll`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_request_key_roll(
    enrollment: *const credcycle_enrollment,
    authenticator_id: *const c_char,
    out_status: *mut *mut credcycle_cert_status_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let authenticator_id = tri!(unsafe { try_str(authenticator_id) });
        require_out!(out_status);
        let r = try_engine!(h.request_key_roll(authenticator_id));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_status, to_boxed_mut_ptr::<credcycle_cert_status_info>(r)) }
    }
}

/// The extension state of one of the subject's cert authenticators. Free with
/// `credcycle_cert_status_info_free`. `NOT_FOUND`; `INVALID_INPUT` (operation
/// `enrollment.cert_status`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_cert_status(
    enrollment: *const credcycle_enrollment,
    who: *const credcycle_subject,
    authenticator_id: *const c_char,
    out_status: *mut *mut credcycle_cert_status_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let who = tri!(unsafe { subject(who) });
        // SAFETY: NULL or readable as documented (the C contract).
        let authenticator_id = tri!(unsafe { try_str(authenticator_id) });
        require_out!(out_status);
        let r = try_engine!(h.cert_status(&who, authenticator_id));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_status, to_boxed_mut_ptr::<credcycle_cert_status_info>(r)) }
    }
}

/// Registers an external CA (one PEM certificate); the result carries the
/// verification token. Free with `credcycle_external_ca_info_free`.
/// `INVALID_INPUT` naming the field; `ALREADY_EXISTS` (operation
/// `enrollment.register_ca`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_register_ca(
    enrollment: *const credcycle_enrollment,
    certificate_pem: *const c_char,
    options: *const credcycle_external_ca_options,
    out_ca: *mut *mut credcycle_external_ca_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let certificate_pem = tri!(unsafe { try_str(certificate_pem) });
        // SAFETY: NULL or readable as documented (the C contract).
        let options = tri!(unsafe { external_ca_options(options) });
        require_out!(out_ca);
        let r = try_engine!(h.register_ca(certificate_pem, options));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_ca, to_boxed_mut_ptr::<credcycle_external_ca_info>(r)) }
    }
}

/// Verifies an external CA with a certificate it signed whose common name is
/// the verification token. Free with `credcycle_external_ca_info_free`.
/// `VERIFICATION_FAILED`; `INVALID_INPUT`; `NOT_FOUND` (operation
/// `enrollment.verify_ca`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_verify_ca(
    enrollment: *const credcycle_enrollment,
    ca_id: *const c_char,
    certificate_pem: *const c_char,
    out_ca: *mut *mut credcycle_external_ca_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let ca_id = tri!(unsafe { try_str(ca_id) });
        // SAFETY: NULL or readable as documented (the C contract).
        let certificate_pem = tri!(unsafe { try_str(certificate_pem) });
        require_out!(out_ca);
        let r = try_engine!(h.verify_ca(ca_id, certificate_pem));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_ca, to_boxed_mut_ptr::<credcycle_external_ca_info>(r)) }
    }
}

/// An external CA. Free with `credcycle_external_ca_info_free`. `NOT_FOUND`
/// (operation `enrollment.get_ca`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_get_ca(
    enrollment: *const credcycle_enrollment,
    ca_id: *const c_char,
    out_ca: *mut *mut credcycle_external_ca_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let ca_id = tri!(unsafe { try_str(ca_id) });
        require_out!(out_ca);
        let r = try_engine!(h.get_ca(ca_id));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_ca, to_boxed_mut_ptr::<credcycle_external_ca_info>(r)) }
    }
}

/// Every external CA of the tenant. Free with
/// `credcycle_external_ca_info_list_free` (operation `enrollment.list_cas`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_list_cas(
    enrollment: *const credcycle_enrollment,
    out_list: *mut *mut credcycle_external_ca_info_list,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        require_out!(out_list);
        let r = try_engine!(h.list_cas());
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_list, to_boxed_mut_ptr::<credcycle_external_ca_info_list>(r)) }
    }
}

/// Deletes an external CA. `NOT_FOUND` (operation `enrollment.delete_ca`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_delete_ca(
    enrollment: *const credcycle_enrollment,
    ca_id: *const c_char,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let ca_id = tri!(unsafe { try_str(ca_id) });
        try_engine!(h.delete_ca(ca_id));
        CREDCYCLE_RESULT_OK
    }
}

/// Issues a client certificate for the API session of `session_token`. Free
/// with `credcycle_session_cert_info_free`. `INVALID_INPUT` naming `csr`;
/// session errors (operation `enrollment.create_session_cert`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_create_session_cert(
    enrollment: *const credcycle_enrollment,
    session_token: *const c_char,
    csr_pem: *const c_char,
    out_cert: *mut *mut credcycle_session_cert_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let session_token = tri!(unsafe { try_str(session_token) });
        // SAFETY: NULL or readable as documented (the C contract).
        let csr_pem = tri!(unsafe { try_str(csr_pem) });
        require_out!(out_cert);
        let r = try_engine!(h.create_session_cert(session_token, csr_pem));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_cert, to_boxed_mut_ptr::<credcycle_session_cert_info>(r)) }
    }
}

/// The session's certificates. Free with
/// `credcycle_session_cert_info_list_free`. Session errors (operation
/// `enrollment.list_session_certs`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_list_session_certs(
    enrollment: *const credcycle_enrollment,
    session_token: *const c_char,
    out_list: *mut *mut credcycle_session_cert_info_list,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let session_token = tri!(unsafe { try_str(session_token) });
        require_out!(out_list);
        let r = try_engine!(h.list_session_certs(session_token));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_list, to_boxed_mut_ptr::<credcycle_session_cert_info_list>(r)) }
    }
}

/// One of the session's certificates. Free with
/// `credcycle_session_cert_info_free`. `NOT_FOUND`; session errors (operation
/// `enrollment.get_session_cert`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_get_session_cert(
    enrollment: *const credcycle_enrollment,
    session_token: *const c_char,
    id: *const c_char,
    out_cert: *mut *mut credcycle_session_cert_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let session_token = tri!(unsafe { try_str(session_token) });
        // SAFETY: NULL or readable as documented (the C contract).
        let id = tri!(unsafe { try_str(id) });
        require_out!(out_cert);
        let r = try_engine!(h.get_session_cert(session_token, id));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_cert, to_boxed_mut_ptr::<credcycle_session_cert_info>(r)) }
    }
}

/// Deletes one of the session's certificates. `NOT_FOUND`; session errors
/// (operation `enrollment.delete_session_cert`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_delete_session_cert(
    enrollment: *const credcycle_enrollment,
    session_token: *const c_char,
    id: *const c_char,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let session_token = tri!(unsafe { try_str(session_token) });
        // SAFETY: NULL or readable as documented (the C contract).
        let id = tri!(unsafe { try_str(id) });
        try_engine!(h.delete_session_cert(session_token, id));
        CREDCYCLE_RESULT_OK
    }
}

/// Who a client chain (PEM, leaf first) speaks for: it must verify now to the
/// internal CA or a verified external CA, and the leaf must be a live
/// credential. Free with `credcycle_cert_principal_info_free`.
/// `INVALID_INPUT`; `CERTIFICATE_REJECTED` (1601); `VERIFICATION_FAILED`
/// (operation `enrollment.authorize_chain`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_authorize_chain(
    enrollment: *const credcycle_enrollment,
    chain_pem: *const c_char,
    out_principal: *mut *mut credcycle_cert_principal_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let chain_pem = tri!(unsafe { try_str(chain_pem) });
        require_out!(out_principal);
        let r = try_engine!(h.authorize_chain(chain_pem));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_principal, to_boxed_mut_ptr::<credcycle_cert_principal_info>(r)) }
    }
}

/// Whose credential a certificate (PEM) is, without checking its chain. Free
/// with `credcycle_cert_principal_info_free`. `INVALID_INPUT`;
/// `VERIFICATION_FAILED` (operation `enrollment.cert_owner`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_cert_owner(
    enrollment: *const credcycle_enrollment,
    certificate_pem: *const c_char,
    out_principal: *mut *mut credcycle_cert_principal_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let certificate_pem = tri!(unsafe { try_str(certificate_pem) });
        require_out!(out_principal);
        let r = try_engine!(h.cert_owner(certificate_pem));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_principal, to_boxed_mut_ptr::<credcycle_cert_principal_info>(r)) }
    }
}

/// Verifies a certificate chain (PEM, leaf first, then intermediates) at
/// `*at` (NULL: the engine clock) for `purpose` (`client`, the default when
/// NULL; `server`; `any`) against the tenant's trusted CAs: its internal CA
/// and every verified external CA. The leaf need not be anyone's
/// credential. Free with `credcycle_cert_verification_info_free`.
/// `CERTIFICATE_REJECTED` (1601) naming the certificate and why;
/// `INVALID_INPUT` naming the chain or `purpose` (operation
/// `enrollment.verify_certificate`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_verify_certificate(
    enrollment: *const credcycle_enrollment,
    chain_pem: *const c_char,
    at: *const i64,
    purpose: *const c_char,
    out_verification: *mut *mut credcycle_cert_verification_info,
) -> credcycle_result {
    ffi_panic_boundary! {
        let h = require!(en_ref(enrollment));
        // SAFETY: NULL or readable as documented (the C contract).
        let chain_pem = tri!(unsafe { try_str(chain_pem) });
        // SAFETY: NULL or NUL-terminated (the C contract).
        let purpose = tri!(unsafe { try_opt_str(purpose) }).unwrap_or_default();
        // SAFETY: NULL or readable (the C contract).
        let at = unsafe { at.as_ref() }.copied();
        require_out!(out_verification);
        let r = try_engine!(h.verify_certificate(chain_pem, at, purpose));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_verification, to_boxed_mut_ptr::<credcycle_cert_verification_info>(r)) }
    }
}
