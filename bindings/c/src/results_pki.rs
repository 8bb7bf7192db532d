//! Result objects of the PKI and enrollment domains.
//!
//! Result objects are immutable and `Send + Sync`: read them from any
//! thread, free them once. Strings come as `credcycle_str` views borrowed
//! from the object (not NUL-terminated; print with `%.*s`); secrets shown
//! once (private keys, enrollment JWTs) are copied into caller buffers
//! instead, and the library's copies are zeroized when the object is freed.
//! Accessors return a documented default for a NULL object.

#![allow(unused_imports)]

use std::ffi::c_char;

use credcycle_facade::*;

use crate::error::credcycle_result;
use crate::ffi::{
    Castable, OwnershipBox, borrowed_ptr, free_box, require, require_found, require_out,
    set_opt_out, try_ref_from_ptr, write_secret_str_out,
};
use crate::panic::ffi_panic_boundary;
use crate::types::{credcycle_str, num_of, str_of};

/// A parsed certificate. Free with `credcycle_certificate_info_free`.
/// Immutable; may be read from any thread and freed from any thread, once.
pub struct credcycle_certificate_info {
    _private: [u8; 0],
}

impl Castable for credcycle_certificate_info {
    type Ownership = OwnershipBox;
    type RustType = CertificateInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_certificate_info_free(p: *mut credcycle_certificate_info) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The certificate (PEM). Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_certificate_info_pem(
    p: *const credcycle_certificate_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.pem) }
    }
}

/// The subject, RFC 4514 style. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_certificate_info_subject(
    p: *const credcycle_certificate_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.subject) }
    }
}

/// The subject's first commonName, if any. Returns whether it is set; if so
/// and `out` is not NULL, writes a view borrowed from the object to `*out`.
/// `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_certificate_info_common_name(
    p: *const credcycle_certificate_info,
    out: *mut credcycle_str,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_certificate_info>(p) }.and_then(|v| v.common_name.as_deref()) {
            Some(s) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, credcycle_str::borrow(s)) };
                true
            }
            None => false,
        }
    }
}

/// Serial number, lower-case hex. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_certificate_info_serial_hex(
    p: *const credcycle_certificate_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.serial_hex) }
    }
}

/// Lower-case hex SHA-256 of the DER. Borrowed from the object; empty for
/// NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_certificate_info_fingerprint(
    p: *const credcycle_certificate_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.fingerprint) }
    }
}

/// Start of validity. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_certificate_info_not_before(
    p: *const credcycle_certificate_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.not_before) }
    }
}

/// End of validity. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_certificate_info_not_after(
    p: *const credcycle_certificate_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.not_after) }
    }
}

/// The key type (`EC P-256`, `EC P-384`, `Ed25519`, `RSA-<bits>`), empty for
/// a key the engine refuses. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_certificate_info_key_type(
    p: *const credcycle_certificate_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.key_type) }
    }
}

/// basicConstraints cA. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_certificate_info_is_ca(
    p: *const credcycle_certificate_info,
) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.is_ca) }
    }
}

/// The number of entries of `dns_name`. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_certificate_info_dns_name_count(
    p: *const credcycle_certificate_info,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.dns_names.len()) }
    }
}

/// subjectAltName DNS names. Entry `i`, borrowed from the object; empty when
/// out of range or NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_certificate_info_dns_name(
    p: *const credcycle_certificate_info,
    i: usize,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| v.dns_names.get(i).map_or("", |s| s.as_str())) }
    }
}

/// The number of entries of `ip_address`. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_certificate_info_ip_address_count(
    p: *const credcycle_certificate_info,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.ip_addresses.len()) }
    }
}

/// subjectAltName IP addresses. Entry `i`, borrowed from the object; empty
/// when out of range or NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_certificate_info_ip_address(
    p: *const credcycle_certificate_info,
    i: usize,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| v.ip_addresses.get(i).map_or("", |s| s.as_str())) }
    }
}

/// The number of entries of `uri`. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_certificate_info_uri_count(
    p: *const credcycle_certificate_info,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.uris.len()) }
    }
}

/// subjectAltName URIs. Entry `i`, borrowed from the object; empty when out
/// of range or NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_certificate_info_uri(
    p: *const credcycle_certificate_info,
    i: usize,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| v.uris.get(i).map_or("", |s| s.as_str())) }
    }
}

/// The tenant's internal CA. Free with `credcycle_ca_info_free`. Immutable;
/// may be read from any thread and freed from any thread, once.
pub struct credcycle_ca_info {
    _private: [u8; 0],
}

impl Castable for credcycle_ca_info {
    type Ownership = OwnershipBox;
    type RustType = CaInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_ca_info_free(p: *mut credcycle_ca_info) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The KeyManager key that signs. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_ca_info_key_id(p: *const credcycle_ca_info) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.key_id) }
    }
}

/// The issuing key's type. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_ca_info_key_type(p: *const credcycle_ca_info) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.key_type) }
    }
}

/// SPIFFE trust domain. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_ca_info_trust_domain(
    p: *const credcycle_ca_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.trust_domain) }
    }
}

/// The issuing CA certificate. Borrowed from the object (valid until it is
/// freed; do not free it). NULL for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_ca_info_certificate(
    p: *const credcycle_ca_info,
) -> *const credcycle_certificate_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_ca_info>(p) }.map(|v| &v.certificate) {
            Some(s) => borrowed_ptr::<credcycle_certificate_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// The issuing CA certificate, then its issuers (PEM). Borrowed from the
/// object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_ca_info_chain_pem(p: *const credcycle_ca_info) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.chain_pem) }
    }
}

/// When it was created or imported. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_ca_info_create_time(p: *const credcycle_ca_info) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.create_time) }
    }
}

/// Whether it was imported (otherwise self-signed here). `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_ca_info_imported(p: *const credcycle_ca_info) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.imported) }
    }
}

/// An issued certificate. Free with `credcycle_issued_cert_info_free`.
/// Immutable; may be read from any thread and freed from any thread, once.
pub struct credcycle_issued_cert_info {
    _private: [u8; 0],
}

impl Castable for credcycle_issued_cert_info {
    type Ownership = OwnershipBox;
    type RustType = IssuedCertInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_issued_cert_info_free(p: *mut credcycle_issued_cert_info) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The certificate (PEM). Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_issued_cert_info_pem(
    p: *const credcycle_issued_cert_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.pem) }
    }
}

/// The certificate, then the CA chain (PEM). Borrowed from the object; empty
/// for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_issued_cert_info_chain_pem(
    p: *const credcycle_issued_cert_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.chain_pem) }
    }
}

/// Serial number, lower-case hex. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_issued_cert_info_serial_hex(
    p: *const credcycle_issued_cert_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.serial_hex) }
    }
}

/// Lower-case hex SHA-256 of the DER. Borrowed from the object; empty for
/// NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_issued_cert_info_fingerprint(
    p: *const credcycle_issued_cert_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.fingerprint) }
    }
}

/// Start of validity. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_issued_cert_info_not_before(
    p: *const credcycle_issued_cert_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.not_before) }
    }
}

/// End of validity. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_issued_cert_info_not_after(
    p: *const credcycle_issued_cert_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.not_after) }
    }
}

/// The SAN URI (`spiffe://…/identity/<id>`). Borrowed from the object; empty
/// for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_issued_cert_info_spiffe_id(
    p: *const credcycle_issued_cert_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.spiffe_id) }
    }
}

/// The certified key's type. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_issued_cert_info_key_type(
    p: *const credcycle_issued_cert_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.key_type) }
    }
}

/// A chain that verified. Free with `credcycle_verified_chain_info_free`.
/// Immutable; may be read from any thread and freed from any thread, once.
pub struct credcycle_verified_chain_info {
    _private: [u8; 0],
}

impl Castable for credcycle_verified_chain_info {
    type Ownership = OwnershipBox;
    type RustType = VerifiedChainInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_verified_chain_info_free(p: *mut credcycle_verified_chain_info) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The leaf. Borrowed from the object (valid until it is freed; do not free
/// it). NULL for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_verified_chain_info_leaf(
    p: *const credcycle_verified_chain_info,
) -> *const credcycle_certificate_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_verified_chain_info>(p) }.map(|v| &v.leaf) {
            Some(s) => borrowed_ptr::<credcycle_certificate_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// The number of entries of `path_fingerprint`. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_verified_chain_info_path_fingerprint_count(
    p: *const credcycle_verified_chain_info,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.path_fingerprints.len()) }
    }
}

/// Fingerprints from the leaf to the anchor (inclusive). Entry `i`, borrowed
/// from the object; empty when out of range or NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_verified_chain_info_path_fingerprint(
    p: *const credcycle_verified_chain_info,
    i: usize,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| v.path_fingerprints.get(i).map_or("", |s| s.as_str())) }
    }
}

/// The anchor the path ends at (PEM). Borrowed from the object; empty for
/// NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_verified_chain_info_anchor_pem(
    p: *const credcycle_verified_chain_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.anchor_pem) }
    }
}

/// A new private key and its CSR (from
/// `crate::client::generate_key_and_csr`). Free with
/// `credcycle_client_key_info_free`. Immutable; may be read from any thread
/// and freed from any thread, once.
pub struct credcycle_client_key_info {
    _private: [u8; 0],
}

impl Castable for credcycle_client_key_info {
    type Ownership = OwnershipBox;
    type RustType = ClientKeyInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_client_key_info_free(p: *mut credcycle_client_key_info) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The private key, PKCS#8 PEM. Keep it secret. Copies it, NUL-terminated,
/// into `(buf, len)`; `*out_n` is the bytes written or needed, NUL included
/// (`INSUFFICIENT_SIZE` when `len` is too small). Secret: the library's copy
/// is zeroized when the object is freed; zero yours when done.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_client_key_info_key_pkcs8_pem(
    p: *const credcycle_client_key_info,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live object of this type (the C contract).
        let v = require!(unsafe { try_ref_from_ptr::<credcycle_client_key_info>(p) });
        require_out!(out_n);
        let s = require_found!(Some(v.key_pkcs8_pem.as_str()));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_secret_str_out(s, buf, len, out_n) }
    }
}

/// The CSR (PEM). Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_client_key_info_csr_pem(
    p: *const credcycle_client_key_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.csr_pem) }
    }
}

/// An enrollment (never its token). Free with
/// `credcycle_enrollment_info_free`. Immutable; may be read from any thread
/// and freed from any thread, once.
pub struct credcycle_enrollment_info {
    _private: [u8; 0],
}

impl Castable for credcycle_enrollment_info {
    type Ownership = OwnershipBox;
    type RustType = EnrollmentInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_info_free(p: *mut credcycle_enrollment_info) {
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
pub unsafe extern "C" fn credcycle_enrollment_info_id(
    p: *const credcycle_enrollment_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.id) }
    }
}

/// The identity it enrolls. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_info_identity_id(
    p: *const credcycle_enrollment_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.identity_id) }
    }
}

/// `ott`, `ottca`, `updb` or `erott` (router). Borrowed from the object;
/// empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_info_method(
    p: *const credcycle_enrollment_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.method) }
    }
}

/// The external CA (`ottca`). Returns whether it is set; if so and `out` is
/// not NULL, writes a view borrowed from the object to `*out`. `false` for
/// NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_info_ca_id(
    p: *const credcycle_enrollment_info,
    out: *mut credcycle_str,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_enrollment_info>(p) }.and_then(|v| v.ca_id.as_deref()) {
            Some(s) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, credcycle_str::borrow(s)) };
                true
            }
            None => false,
        }
    }
}

/// The username (`updb`). Returns whether it is set; if so and `out` is not
/// NULL, writes a view borrowed from the object to `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_info_username(
    p: *const credcycle_enrollment_info,
    out: *mut credcycle_str,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_enrollment_info>(p) }.and_then(|v| v.username.as_deref()) {
            Some(s) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, credcycle_str::borrow(s)) };
                true
            }
            None => false,
        }
    }
}

/// The number of entries of `dns_name`. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_info_dns_name_count(
    p: *const credcycle_enrollment_info,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.dns_names.len()) }
    }
}

/// Router server certificate DNS names. Entry `i`, borrowed from the object;
/// empty when out of range or NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_info_dns_name(
    p: *const credcycle_enrollment_info,
    i: usize,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| v.dns_names.get(i).map_or("", |s| s.as_str())) }
    }
}

/// The number of entries of `ip_address`. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_info_ip_address_count(
    p: *const credcycle_enrollment_info,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.ip_addresses.len()) }
    }
}

/// Router server certificate IP addresses. Entry `i`, borrowed from the
/// object; empty when out of range or NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_info_ip_address(
    p: *const credcycle_enrollment_info,
    i: usize,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| v.ip_addresses.get(i).map_or("", |s| s.as_str())) }
    }
}

/// `PENDING`, `USED` or `EXPIRED` (when read). Borrowed from the object;
/// empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_info_state(
    p: *const credcycle_enrollment_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.state) }
    }
}

/// Creation (or last re-issue) time. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_info_create_time(
    p: *const credcycle_enrollment_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.create_time) }
    }
}

/// When the token stops working. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_info_expires_at(
    p: *const credcycle_enrollment_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.expires_at) }
    }
}

/// When the token was redeemed. Returns whether it is set; if so and `out` is
/// not NULL, writes it to `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_info_used_at(
    p: *const credcycle_enrollment_info,
    out: *mut i64,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_enrollment_info>(p) }.and_then(|v| v.used_at) {
            Some(x) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, x) };
                true
            }
            None => false,
        }
    }
}

/// The authenticator the redemption created. Returns whether it is set; if so
/// and `out` is not NULL, writes a view borrowed from the object to `*out`.
/// `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_info_authenticator_id(
    p: *const credcycle_enrollment_info,
    out: *mut credcycle_str,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_enrollment_info>(p) }.and_then(|v| v.authenticator_id.as_deref()) {
            Some(s) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, credcycle_str::borrow(s)) };
                true
            }
            None => false,
        }
    }
}

/// A list of `credcycle_enrollment_info`. Free with `credcycle_enrollment_info_list_free`. Immutable and thread-safe.
pub struct credcycle_enrollment_info_list {
    _private: [u8; 0],
}

impl Castable for credcycle_enrollment_info_list {
    type Ownership = OwnershipBox;
    type RustType = Vec<EnrollmentInfo>;
}

/// Frees the list and its entries. NULL is a no-op; call it exactly once.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_info_list_free(
    p: *mut credcycle_enrollment_info_list,
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
pub unsafe extern "C" fn credcycle_enrollment_info_list_len(
    p: *const credcycle_enrollment_info_list,
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
pub unsafe extern "C" fn credcycle_enrollment_info_list_get(
    p: *const credcycle_enrollment_info_list,
    i: usize,
) -> *const credcycle_enrollment_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_enrollment_info_list>(p) }.and_then(|v| v.get(i)) {
            Some(s) => borrowed_ptr::<credcycle_enrollment_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// A new or re-issued enrollment with its JWT, shown once. Free with
/// `credcycle_new_enrollment_info_free`. Immutable; may be read from any
/// thread and freed from any thread, once.
pub struct credcycle_new_enrollment_info {
    _private: [u8; 0],
}

impl Castable for credcycle_new_enrollment_info {
    type Ownership = OwnershipBox;
    type RustType = NewEnrollmentInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_new_enrollment_info_free(p: *mut credcycle_new_enrollment_info) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The enrollment JWT for the enrolling client. Copies it, NUL-terminated,
/// into `(buf, len)`; `*out_n` is the bytes written or needed, NUL included
/// (`INSUFFICIENT_SIZE` when `len` is too small). Secret: the library's copy
/// is zeroized when the object is freed; zero yours when done.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_new_enrollment_info_jwt(
    p: *const credcycle_new_enrollment_info,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live object of this type (the C contract).
        let v = require!(unsafe { try_ref_from_ptr::<credcycle_new_enrollment_info>(p) });
        require_out!(out_n);
        let s = require_found!(Some(v.jwt.as_str()));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_secret_str_out(s, buf, len, out_n) }
    }
}

/// The enrollment. Borrowed from the object (valid until it is freed; do not
/// free it). NULL for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_new_enrollment_info_enrollment(
    p: *const credcycle_new_enrollment_info,
) -> *const credcycle_enrollment_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_new_enrollment_info>(p) }.map(|v| &v.enrollment) {
            Some(s) => borrowed_ptr::<credcycle_enrollment_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// The result of a certificate enrollment or extension. Free with
/// `credcycle_enrolled_cert_info_free`. Immutable; may be read from any
/// thread and freed from any thread, once.
pub struct credcycle_enrolled_cert_info {
    _private: [u8; 0],
}

impl Castable for credcycle_enrolled_cert_info {
    type Ownership = OwnershipBox;
    type RustType = EnrolledCertInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrolled_cert_info_free(p: *mut credcycle_enrolled_cert_info) {
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
pub unsafe extern "C" fn credcycle_enrolled_cert_info_identity_id(
    p: *const credcycle_enrolled_cert_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.identity_id) }
    }
}

/// The cert authenticator created (or, for extension, used). Borrowed from
/// the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrolled_cert_info_authenticator_id(
    p: *const credcycle_enrolled_cert_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.authenticator_id) }
    }
}

/// The certificate (PEM). Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrolled_cert_info_certificate_pem(
    p: *const credcycle_enrolled_cert_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.certificate_pem) }
    }
}

/// The certificate and its issuing chain (PEM). Borrowed from the object;
/// empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrolled_cert_info_chain_pem(
    p: *const credcycle_enrolled_cert_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.chain_pem) }
    }
}

/// Lower-case hex SHA-256 of the certificate. Borrowed from the object; empty
/// for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrolled_cert_info_fingerprint(
    p: *const credcycle_enrolled_cert_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.fingerprint) }
    }
}

/// The result of a router enrollment or extension. Free with
/// `credcycle_router_certs_info_free`. Immutable; may be read from any thread
/// and freed from any thread, once.
pub struct credcycle_router_certs_info {
    _private: [u8; 0],
}

impl Castable for credcycle_router_certs_info {
    type Ownership = OwnershipBox;
    type RustType = RouterCertsInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_router_certs_info_free(p: *mut credcycle_router_certs_info) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The client certificate and its authenticator. Borrowed from the object
/// (valid until it is freed; do not free it). NULL for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_router_certs_info_client(
    p: *const credcycle_router_certs_info,
) -> *const credcycle_enrolled_cert_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_router_certs_info>(p) }.map(|v| &v.client) {
            Some(s) => borrowed_ptr::<credcycle_enrolled_cert_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// The server certificate (PEM). Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_router_certs_info_server_certificate_pem(
    p: *const credcycle_router_certs_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.server_certificate_pem) }
    }
}

/// The server certificate and its chain (PEM). Borrowed from the object;
/// empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_router_certs_info_server_chain_pem(
    p: *const credcycle_router_certs_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.server_chain_pem) }
    }
}

/// An external certificate authority. Free with
/// `credcycle_external_ca_info_free`. Immutable; may be read from any thread
/// and freed from any thread, once.
pub struct credcycle_external_ca_info {
    _private: [u8; 0],
}

impl Castable for credcycle_external_ca_info {
    type Ownership = OwnershipBox;
    type RustType = ExternalCaInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_external_ca_info_free(p: *mut credcycle_external_ca_info) {
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
pub unsafe extern "C" fn credcycle_external_ca_info_id(
    p: *const credcycle_external_ca_info,
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
pub unsafe extern "C" fn credcycle_external_ca_info_name(
    p: *const credcycle_external_ca_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.name) }
    }
}

/// The CA certificate (PEM). Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_external_ca_info_certificate_pem(
    p: *const credcycle_external_ca_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.certificate_pem) }
    }
}

/// Lower-case hex SHA-256 of the CA certificate. Borrowed from the object;
/// empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_external_ca_info_fingerprint(
    p: *const credcycle_external_ca_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.fingerprint) }
    }
}

/// Whether proof of possession was given. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_external_ca_info_verified(
    p: *const credcycle_external_ca_info,
) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.verified) }
    }
}

/// The common name the proof certificate must carry (while unverified).
/// Returns whether it is set; if so and `out` is not NULL, writes a view
/// borrowed from the object to `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_external_ca_info_verification_token(
    p: *const credcycle_external_ca_info,
    out: *mut credcycle_str,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_external_ca_info>(p) }.and_then(|v| v.verification_token.as_deref()) {
            Some(s) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, credcycle_str::borrow(s)) };
                true
            }
            None => false,
        }
    }
}

/// Auto-enrollment allowed. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_external_ca_info_auto_enrollment(
    p: *const credcycle_external_ca_info,
) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.auto_enrollment) }
    }
}

/// `ottca` enrollment allowed. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_external_ca_info_ott_ca_enrollment(
    p: *const credcycle_external_ca_info,
) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.ott_ca_enrollment) }
    }
}

/// Authentication allowed. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_external_ca_info_auth_enabled(
    p: *const credcycle_external_ca_info,
) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.auth_enabled) }
    }
}

/// Name format of auto-enrolled identities. Borrowed from the object; empty
/// for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_external_ca_info_identity_name_format(
    p: *const credcycle_external_ca_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.identity_name_format) }
    }
}

/// Creation time. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_external_ca_info_create_time(
    p: *const credcycle_external_ca_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.create_time) }
    }
}

/// A list of `credcycle_external_ca_info`. Free with `credcycle_external_ca_info_list_free`. Immutable and thread-safe.
pub struct credcycle_external_ca_info_list {
    _private: [u8; 0],
}

impl Castable for credcycle_external_ca_info_list {
    type Ownership = OwnershipBox;
    type RustType = Vec<ExternalCaInfo>;
}

/// Frees the list and its entries. NULL is a no-op; call it exactly once.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_external_ca_info_list_free(
    p: *mut credcycle_external_ca_info_list,
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
pub unsafe extern "C" fn credcycle_external_ca_info_list_len(
    p: *const credcycle_external_ca_info_list,
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
pub unsafe extern "C" fn credcycle_external_ca_info_list_get(
    p: *const credcycle_external_ca_info_list,
    i: usize,
) -> *const credcycle_external_ca_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_external_ca_info_list>(p) }.and_then(|v| v.get(i)) {
            Some(s) => borrowed_ptr::<credcycle_external_ca_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// The extension state of a cert authenticator. Free with
/// `credcycle_cert_status_info_free`. Immutable; may be read from any thread
/// and freed from any thread, once.
pub struct credcycle_cert_status_info {
    _private: [u8; 0],
}

impl Castable for credcycle_cert_status_info {
    type Ownership = OwnershipBox;
    type RustType = CertStatusInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_status_info_free(p: *mut credcycle_cert_status_info) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The authenticator. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_status_info_authenticator_id(
    p: *const credcycle_cert_status_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.authenticator_id) }
    }
}

/// Fingerprint of the current certificate. Borrowed from the object; empty
/// for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_status_info_fingerprint(
    p: *const credcycle_cert_status_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.fingerprint) }
    }
}

/// Fingerprint of the pending replacement, during an extension. Returns
/// whether it is set; if so and `out` is not NULL, writes a view borrowed
/// from the object to `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_status_info_pending_fingerprint(
    p: *const credcycle_cert_status_info,
    out: *mut credcycle_str,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_cert_status_info>(p) }.and_then(|v| v.pending_fingerprint.as_deref()) {
            Some(s) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, credcycle_str::borrow(s)) };
                true
            }
            None => false,
        }
    }
}

/// When the current certificate expires (engine-issued ones). Returns whether
/// it is set; if so and `out` is not NULL, writes it to `*out`. `false` for
/// NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_status_info_not_after(
    p: *const credcycle_cert_status_info,
    out: *mut i64,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_cert_status_info>(p) }.and_then(|v| v.not_after) {
            Some(x) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, x) };
                true
            }
            None => false,
        }
    }
}

/// Whether the engine issued the current certificate. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_status_info_issued_by_engine(
    p: *const credcycle_cert_status_info,
) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.issued_by_engine) }
    }
}

/// An administrator asked for an extension. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_status_info_request_extend(
    p: *const credcycle_cert_status_info,
) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.request_extend) }
    }
}

/// An administrator asked for a new key. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_status_info_request_key_roll(
    p: *const credcycle_cert_status_info,
) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.request_key_roll) }
    }
}

/// When the last extension was verified. Returns whether it is set; if so and
/// `out` is not NULL, writes it to `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_status_info_last_extend_time(
    p: *const credcycle_cert_status_info,
    out: *mut i64,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_cert_status_info>(p) }.and_then(|v| v.last_extend_time) {
            Some(x) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, x) };
                true
            }
            None => false,
        }
    }
}

/// Whether the last verified extension changed the key. Returns whether it is
/// set; if so and `out` is not NULL, writes it to `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_status_info_last_extend_key_changed(
    p: *const credcycle_cert_status_info,
    out: *mut bool,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_cert_status_info>(p) }.and_then(|v| v.last_extend_key_changed) {
            Some(x) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, x) };
                true
            }
            None => false,
        }
    }
}

/// A session certificate. Free with `credcycle_session_cert_info_free`.
/// Immutable; may be read from any thread and freed from any thread, once.
pub struct credcycle_session_cert_info {
    _private: [u8; 0],
}

impl Castable for credcycle_session_cert_info {
    type Ownership = OwnershipBox;
    type RustType = SessionCertInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_cert_info_free(p: *mut credcycle_session_cert_info) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// Its id: the lower-case hex SHA-256 fingerprint. Borrowed from the object;
/// empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_cert_info_id(
    p: *const credcycle_session_cert_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.id) }
    }
}

/// The API session's id. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_cert_info_session_id(
    p: *const credcycle_session_cert_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.session_id) }
    }
}

/// The identity. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_cert_info_identity_id(
    p: *const credcycle_session_cert_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.identity_id) }
    }
}

/// The certificate (PEM). Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_cert_info_certificate_pem(
    p: *const credcycle_session_cert_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.certificate_pem) }
    }
}

/// The certificate and its chain (PEM). Borrowed from the object; empty for
/// NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_cert_info_chain_pem(
    p: *const credcycle_session_cert_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.chain_pem) }
    }
}

/// Serial number (hex). Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_cert_info_serial(
    p: *const credcycle_session_cert_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.serial) }
    }
}

/// Start of validity. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_cert_info_not_before(
    p: *const credcycle_session_cert_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.not_before) }
    }
}

/// End of validity. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_cert_info_not_after(
    p: *const credcycle_session_cert_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.not_after) }
    }
}

/// A list of `credcycle_session_cert_info`. Free with `credcycle_session_cert_info_list_free`. Immutable and thread-safe.
pub struct credcycle_session_cert_info_list {
    _private: [u8; 0],
}

impl Castable for credcycle_session_cert_info_list {
    type Ownership = OwnershipBox;
    type RustType = Vec<SessionCertInfo>;
}

/// Frees the list and its entries. NULL is a no-op; call it exactly once.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_session_cert_info_list_free(
    p: *mut credcycle_session_cert_info_list,
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
pub unsafe extern "C" fn credcycle_session_cert_info_list_len(
    p: *const credcycle_session_cert_info_list,
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
pub unsafe extern "C" fn credcycle_session_cert_info_list_get(
    p: *const credcycle_session_cert_info_list,
    i: usize,
) -> *const credcycle_session_cert_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_session_cert_info_list>(p) }.and_then(|v| v.get(i)) {
            Some(s) => borrowed_ptr::<credcycle_session_cert_info>(s),
            None => std::ptr::null(),
        }
    }
}

/// Who a client certificate speaks for. Free with
/// `credcycle_cert_principal_info_free`. Immutable; may be read from any
/// thread and freed from any thread, once.
pub struct credcycle_cert_principal_info {
    _private: [u8; 0],
}

impl Castable for credcycle_cert_principal_info {
    type Ownership = OwnershipBox;
    type RustType = CertPrincipalInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_principal_info_free(p: *mut credcycle_cert_principal_info) {
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
pub unsafe extern "C" fn credcycle_cert_principal_info_identity_id(
    p: *const credcycle_cert_principal_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.identity_id) }
    }
}

/// The cert authenticator, for an authenticator's certificate. Returns
/// whether it is set; if so and `out` is not NULL, writes a view borrowed
/// from the object to `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_principal_info_authenticator_id(
    p: *const credcycle_cert_principal_info,
    out: *mut credcycle_str,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_cert_principal_info>(p) }.and_then(|v| v.authenticator_id.as_deref()) {
            Some(s) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, credcycle_str::borrow(s)) };
                true
            }
            None => false,
        }
    }
}

/// The API session's id, for a session certificate. Returns whether it is
/// set; if so and `out` is not NULL, writes a view borrowed from the object
/// to `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_principal_info_session_id(
    p: *const credcycle_cert_principal_info,
    out: *mut credcycle_str,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_cert_principal_info>(p) }.and_then(|v| v.session_id.as_deref()) {
            Some(s) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, credcycle_str::borrow(s)) };
                true
            }
            None => false,
        }
    }
}

/// The leaf is the authenticator's pending certificate. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_principal_info_pending(
    p: *const credcycle_cert_principal_info,
) -> bool {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.pending) }
    }
}

/// The leaf's fingerprint. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_principal_info_fingerprint(
    p: *const credcycle_cert_principal_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.fingerprint) }
    }
}

/// A signed answer to an enrollment challenge. Free with
/// `credcycle_challenge_info_free`. Immutable; may be read from any thread
/// and freed from any thread, once.
pub struct credcycle_challenge_info {
    _private: [u8; 0],
}

impl Castable for credcycle_challenge_info {
    type Ownership = OwnershipBox;
    type RustType = ChallengeInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_challenge_info_free(p: *mut credcycle_challenge_info) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// `ES256`. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_challenge_info_algorithm(
    p: *const credcycle_challenge_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.algorithm) }
    }
}

/// The signing key's id (in the enrollment JWKS). Borrowed from the object;
/// empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_challenge_info_kid(
    p: *const credcycle_challenge_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.kid) }
    }
}

/// base64url of the `r || s` signature. Borrowed from the object; empty for
/// NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_challenge_info_signature(
    p: *const credcycle_challenge_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.signature) }
    }
}

/// The CA bundle (PEM) the signature covers. Borrowed from the object; empty
/// for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_challenge_info_ca_pool(
    p: *const credcycle_challenge_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.ca_pool) }
    }
}
/// A certificate chain that verified to one of the tenant's trusted CAs.
/// Free with `credcycle_cert_verification_info_free`. Immutable; may be read
/// from any thread and freed from any thread, once.
pub struct credcycle_cert_verification_info {
    _private: [u8; 0],
}

impl Castable for credcycle_cert_verification_info {
    type Ownership = OwnershipBox;
    type RustType = CertVerificationInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_verification_info_free(
    p: *mut credcycle_cert_verification_info,
) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// `internal` (the tenant's CA) or `external` (a verified external CA). Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_verification_info_anchor(
    p: *const credcycle_cert_verification_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.anchor) }
    }
}

/// The external CA's id when the anchor is `external`. Returns whether it is set; if so and `out` is not NULL, writes a
/// view borrowed from the object to `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_verification_info_ca_id(
    p: *const credcycle_cert_verification_info,
    out: *mut credcycle_str,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_cert_verification_info>(p) }.and_then(|v| v.ca_id.as_deref()) {
            Some(s) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, credcycle_str::borrow(s)) };
                true
            }
            None => false,
        }
    }
}

/// CA certificates above the leaf on the path, the anchor included (1: the
/// anchor issued the leaf). 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_verification_info_depth(
    p: *const credcycle_cert_verification_info,
) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.depth) }
    }
}

/// The number of entries of `path_fingerprint`. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_verification_info_path_fingerprint_count(
    p: *const credcycle_cert_verification_info,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.path_fingerprints.len()) }
    }
}

/// Fingerprints from the leaf to the anchor (inclusive). Entry `i`, borrowed from the object; empty when out of range or
/// NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_verification_info_path_fingerprint(
    p: *const credcycle_cert_verification_info,
    i: usize,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| v.path_fingerprints.get(i).map_or("", |s| s.as_str())) }
    }
}

/// The leaf's fingerprint (lower-case hex SHA-256 of the DER). Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_verification_info_fingerprint(
    p: *const credcycle_cert_verification_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.fingerprint) }
    }
}

/// The leaf's subject common name, if any. Returns whether it is set; if so and `out` is not NULL, writes a
/// view borrowed from the object to `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_verification_info_common_name(
    p: *const credcycle_cert_verification_info,
    out: *mut credcycle_str,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_cert_verification_info>(p) }.and_then(|v| v.common_name.as_deref()) {
            Some(s) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, credcycle_str::borrow(s)) };
                true
            }
            None => false,
        }
    }
}

/// The leaf's start of validity. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_verification_info_not_before(
    p: *const credcycle_cert_verification_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.not_before) }
    }
}

/// The leaf's end of validity. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_cert_verification_info_not_after(
    p: *const credcycle_cert_verification_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.not_after) }
    }
}
/// The claims of an enrollment JWT. Free with
/// `credcycle_enrollment_claims_info_free`. Immutable; may be read from any
/// thread and freed from any thread, once.
pub struct credcycle_enrollment_claims_info {
    _private: [u8; 0],
}

impl Castable for credcycle_enrollment_claims_info {
    type Ownership = OwnershipBox;
    type RustType = EnrollmentClaimsInfo;
}

/// Frees the object. NULL is a no-op; call it exactly once per object (never
/// on a borrowed pointer).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_claims_info_free(
    p: *mut credcycle_enrollment_claims_info,
) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// `em`: `ott`, `ottca`, `updb` or `erott`. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_claims_info_method(
    p: *const credcycle_enrollment_claims_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.method) }
    }
}

/// `jti`: the one-time token. Copies it, NUL-terminated, into `(buf, len)`; `*out_n` is the bytes
/// written or needed, NUL included (`INSUFFICIENT_SIZE` when `len` is too
/// small). Secret: the library's copy is zeroized when the object is freed;
/// zero yours when done.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_claims_info_jti(
    p: *const credcycle_enrollment_claims_info,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live object of this type (the C contract).
        let v = require!(unsafe { try_ref_from_ptr::<credcycle_enrollment_claims_info>(p) });
        require_out!(out_n);
        let s = require_found!(Some(v.jti.as_str()));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_secret_str_out(s, buf, len, out_n) }
    }
}

/// `sub`: the identity id. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_claims_info_sub(
    p: *const credcycle_enrollment_claims_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.sub) }
    }
}

/// `iss`. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_claims_info_iss(
    p: *const credcycle_enrollment_claims_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.iss) }
    }
}

/// `exp` (seconds since the epoch). 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_claims_info_exp(
    p: *const credcycle_enrollment_claims_info,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.exp) }
    }
}

/// `iat`, if present. Returns whether it is set; if so and `out` is not NULL, writes it
/// to `*out`. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_claims_info_iat(
    p: *const credcycle_enrollment_claims_info,
    out: *mut i64,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        match unsafe { try_ref_from_ptr::<credcycle_enrollment_claims_info>(p) }.and_then(|v| v.iat) {
            Some(x) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out, x) };
                true
            }
            None => false,
        }
    }
}

/// The header's `kid`. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_enrollment_claims_info_kid(
    p: *const credcycle_enrollment_claims_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.kid) }
    }
}
