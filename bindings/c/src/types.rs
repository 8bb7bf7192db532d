//! Plain C views and the opaque result objects with their accessors.
//!
//! Result objects (`credcycle_secret_info`, lists, …) are immutable and
//! `Send + Sync`: they may be read from any thread and freed from any thread,
//! once. Accessors take `const` pointers; a NULL object gives the documented
//! default (empty string, 0, false or NULL). Strings returned as
//! [`credcycle_str`] are borrowed from the object and valid until it is freed;
//! they are **not** NUL-terminated (print with `%.*s`).

use std::ffi::c_char;

use credcycle_facade::conformance::ConformanceResult;
use credcycle_facade::{AuditEventInfo, AuditTrailInfo, KeyInfo, SecretInfo, SecretVersion};

use crate::ffi::{Castable, OwnershipBox, OwnershipRef, free_box, to_ref_ptr, try_ref_from_ptr};
use crate::panic::ffi_panic_boundary;

/// A borrowed UTF-8 string: `len` bytes at `data`, not NUL-terminated. Its
/// lifetime is documented by the function that returns it.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct credcycle_str {
    /// The bytes (never NULL; may point to an empty static string).
    pub data: *const c_char,
    /// The length in bytes.
    pub len: usize,
}

impl credcycle_str {
    /// The empty string.
    pub(crate) const EMPTY: credcycle_str = credcycle_str {
        data: c"".as_ptr(),
        len: 0,
    };

    /// A view of a static string.
    pub(crate) fn from_static(s: &'static str) -> Self {
        Self::borrow(s)
    }

    /// A view of `s`, valid while `s` lives.
    pub(crate) fn borrow(s: &str) -> Self {
        credcycle_str {
            data: s.as_ptr().cast::<c_char>(),
            len: s.len(),
        }
    }

    /// The string back (tests only).
    #[cfg(test)]
    pub(crate) fn as_str(&self) -> &str {
        // SAFETY: made from a live `&str` by this crate.
        unsafe {
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(
                self.data.cast::<u8>(),
                self.len,
            ))
        }
    }
}

/// A borrowed byte string: `len` bytes at `data`. Its lifetime is
/// documented by the function that returns it.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct credcycle_bytes {
    /// The bytes (never NULL; may point to an empty static array).
    pub data: *const u8,
    /// The length in bytes.
    pub len: usize,
}

impl credcycle_bytes {
    /// No bytes.
    pub(crate) const EMPTY: credcycle_bytes = credcycle_bytes {
        data: c"".as_ptr().cast::<u8>(),
        len: 0,
    };

    /// A view of `b`, valid while `b` lives.
    pub(crate) fn borrow(b: &[u8]) -> Self {
        if b.is_empty() {
            return Self::EMPTY;
        }
        credcycle_bytes {
            data: b.as_ptr(),
            len: b.len(),
        }
    }
}

/// A new secret value: `generate > 0` asks for that many random bytes
/// (1..=4096) and ignores `data`; otherwise the `len` bytes at `data` (NULL
/// allowed when `len` is 0).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct credcycle_secret_input {
    /// The value's bytes (when `generate` is 0).
    pub data: *const u8,
    /// Their length.
    pub len: usize,
    /// How many random bytes to generate instead (0 = use `data`).
    pub generate: u32,
}

pub(crate) unsafe fn str_of<'a, C, F>(p: *const C, f: F) -> credcycle_str
where
    C: Castable,
    C::Ownership: crate::ffi::Borrowable,
    F: FnOnce(&'a C::RustType) -> &'a str,
    C::RustType: 'a,
{
    // SAFETY: NULL or a live object of this type (the C caller's contract).
    match unsafe { try_ref_from_ptr::<C>(p) } {
        Some(v) => credcycle_str::borrow(f(v)),
        None => credcycle_str::EMPTY,
    }
}

pub(crate) unsafe fn num_of<'a, C, T, F>(p: *const C, f: F) -> T
where
    C: Castable,
    C::Ownership: crate::ffi::Borrowable,
    T: Default,
    F: FnOnce(&'a C::RustType) -> T,
    C::RustType: 'a,
{
    // SAFETY: NULL or a live object of this type (the C caller's contract).
    unsafe { try_ref_from_ptr::<C>(p) }
        .map(f)
        .unwrap_or_default()
}

unsafe fn item_of<'a, C, I, F>(p: *const C, i: usize, f: F) -> *const I
where
    C: Castable,
    C::Ownership: crate::ffi::Borrowable,
    I: Castable<Ownership = OwnershipRef>,
    F: FnOnce(&'a C::RustType) -> &'a [I::RustType],
    C::RustType: 'a,
    I::RustType: 'a,
{
    // SAFETY: NULL or a live object of this type (the C caller's contract).
    match unsafe { try_ref_from_ptr::<C>(p) }
        .map(f)
        .and_then(|v| v.get(i))
    {
        Some(item) => to_ref_ptr::<I>(item),
        None => std::ptr::null(),
    }
}

/// A secret's metadata and versions (from `credcycle_secrets_*`). Free with
/// `credcycle_secret_info_free`. Thread-safe (immutable).
pub struct credcycle_secret_info {
    _private: [u8; 0],
}

impl Castable for credcycle_secret_info {
    type Ownership = OwnershipBox;
    type RustType = SecretInfo;
}

/// One version of a secret, borrowed from its `credcycle_secret_info`.
pub struct credcycle_secret_version {
    _private: [u8; 0],
}

impl Castable for credcycle_secret_version {
    type Ownership = OwnershipRef;
    type RustType = SecretVersion;
}

/// Frees a secret info. NULL is a no-op; call it exactly once per object.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secret_info_free(p: *mut credcycle_secret_info) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The secret's UUID. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secret_info_id(
    p: *const credcycle_secret_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.id) }
    }
}

/// The name. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secret_info_name(
    p: *const credcycle_secret_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.name) }
    }
}

/// The description (may be empty). Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secret_info_description(
    p: *const credcycle_secret_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.description) }
    }
}

/// The key that wraps versions written from now on. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secret_info_kms_key_id(
    p: *const credcycle_secret_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.kms_key_id) }
    }
}

/// `ENABLED`, `DISABLED`, `FROZEN` or `PENDING_DELETE`. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secret_info_state(
    p: *const credcycle_secret_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.state) }
    }
}

/// Creation time (seconds since the Unix epoch). 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secret_info_create_time(p: *const credcycle_secret_info) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.create_time) }
    }
}

/// Time of the last change (seconds since the Unix epoch). 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secret_info_update_time(p: *const credcycle_secret_info) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.update_time) }
    }
}

/// Whether the secret is scheduled for deletion; if so, and `out_time` is
/// not NULL, writes the time it becomes purgeable. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secret_info_scheduled_delete_time(
    p: *const credcycle_secret_info,
    out_time: *mut i64,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object (the C caller's contract).
        match unsafe { try_ref_from_ptr::<credcycle_secret_info>(p) }.and_then(|v| v.scheduled_delete_time) {
            Some(t) => {
                // SAFETY: NULL or writable (the C caller's contract).
                unsafe { crate::ffi::set_opt_out(out_time, t) };
                true
            }
            None => false,
        }
    }
}

/// The number of versions. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secret_info_version_count(
    p: *const credcycle_secret_info,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.versions.len()) }
    }
}

/// Version `i` (0 = oldest). Borrowed from the object; NULL when `i` is out of range or `p` is
/// NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secret_info_version(
    p: *const credcycle_secret_info,
    i: usize,
) -> *const credcycle_secret_version {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { item_of::<credcycle_secret_info, credcycle_secret_version, _>(p, i, |v| &v.versions) }
    }
}

/// The version number (`v3` is 3). 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secret_version_number(
    p: *const credcycle_secret_version,
) -> u64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.number) }
    }
}

/// `v<number>`. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secret_version_id(
    p: *const credcycle_secret_version,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.id) }
    }
}

/// The key that wraps this version's data key. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secret_version_kms_key_id(
    p: *const credcycle_secret_version,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.kms_key_id) }
    }
}

/// The version of that key. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secret_version_kms_key_version(
    p: *const credcycle_secret_version,
) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.kms_key_version) }
    }
}

/// When it was written (seconds since the Unix epoch). 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secret_version_create_time(
    p: *const credcycle_secret_version,
) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.create_time) }
    }
}

/// The number of labels. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secret_version_label_count(
    p: *const credcycle_secret_version,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.labels.len()) }
    }
}

/// Label `i` (`CURRENT`, `PREVIOUS` or `PENDING`). Borrowed from the secret
/// info; empty when out of range or NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secret_version_label(
    p: *const credcycle_secret_version,
    i: usize,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| v.labels.get(i).map_or("", String::as_str)) }
    }
}

/// A list of secrets. Free with `credcycle_secret_info_list_free`.
/// Thread-safe (immutable).
pub struct credcycle_secret_info_list {
    _private: [u8; 0],
}

impl Castable for credcycle_secret_info_list {
    type Ownership = OwnershipBox;
    type RustType = Vec<SecretInfo>;
}

/// Frees a secret list. NULL is a no-op; call it exactly once per object.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secret_info_list_free(p: *mut credcycle_secret_info_list) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The number of secrets. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secret_info_list_len(
    p: *const credcycle_secret_info_list,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.len()) }
    }
}

/// Secret `i`, borrowed from the list (do not free it); NULL when out of
/// range or `p` is NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_secret_info_list_get(
    p: *const credcycle_secret_info_list,
    i: usize,
) -> *const credcycle_secret_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object (the C caller's contract).
        match unsafe { try_ref_from_ptr::<credcycle_secret_info_list>(p) }.and_then(|v| v.get(i)) {
            Some(item) => (item as *const SecretInfo).cast::<credcycle_secret_info>(),
            None => std::ptr::null(),
        }
    }
}

/// Information about a KMS key (never its material). Free with
/// `credcycle_key_info_free`. Thread-safe (immutable).
pub struct credcycle_key_info {
    _private: [u8; 0],
}

impl Castable for credcycle_key_info {
    type Ownership = OwnershipBox;
    type RustType = KeyInfo;
}

/// Frees a key info. NULL is a no-op; call it exactly once per object.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_key_info_free(p: *mut credcycle_key_info) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The key id. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_key_info_id(p: *const credcycle_key_info) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.id) }
    }
}

/// `wrap` or `sign`. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_key_info_purpose(p: *const credcycle_key_info) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.purpose) }
    }
}

/// `aes256gcm`, `p256` or `ed25519`. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_key_info_algorithm(
    p: *const credcycle_key_info,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.algorithm) }
    }
}

/// `ENABLED`, `DISABLED` or `PENDING_DELETION`. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_key_info_state(p: *const credcycle_key_info) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.state) }
    }
}

/// The version new wraps and signatures use. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_key_info_primary_version(p: *const credcycle_key_info) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.primary_version) }
    }
}

/// How many versions exist. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_key_info_versions(p: *const credcycle_key_info) -> u32 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.versions) }
    }
}

/// A list of keys. Free with `credcycle_key_info_list_free`. Thread-safe.
pub struct credcycle_key_info_list {
    _private: [u8; 0],
}

impl Castable for credcycle_key_info_list {
    type Ownership = OwnershipBox;
    type RustType = Vec<KeyInfo>;
}

/// Frees a key list. NULL is a no-op; call it exactly once per object.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_key_info_list_free(p: *mut credcycle_key_info_list) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The number of keys. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_key_info_list_len(p: *const credcycle_key_info_list) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.len()) }
    }
}

/// Key `i`, borrowed from the list (do not free it); NULL when out of range
/// or `p` is NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_key_info_list_get(
    p: *const credcycle_key_info_list,
    i: usize,
) -> *const credcycle_key_info {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object (the C caller's contract).
        match unsafe { try_ref_from_ptr::<credcycle_key_info_list>(p) }.and_then(|v| v.get(i)) {
            Some(item) => (item as *const KeyInfo).cast::<credcycle_key_info>(),
            None => std::ptr::null(),
        }
    }
}

/// The events of one audit subject and whether their HMAC chain verifies.
/// Free with `credcycle_audit_trail_free`. Thread-safe (immutable).
pub struct credcycle_audit_trail {
    _private: [u8; 0],
}

impl Castable for credcycle_audit_trail {
    type Ownership = OwnershipBox;
    type RustType = AuditTrailInfo;
}

/// One audit event, borrowed from its `credcycle_audit_trail`.
pub struct credcycle_audit_event {
    _private: [u8; 0],
}

impl Castable for credcycle_audit_event {
    type Ownership = OwnershipRef;
    type RustType = AuditEventInfo;
}

/// Frees an audit trail. NULL is a no-op; call it exactly once per object.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_audit_trail_free(p: *mut credcycle_audit_trail) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// Whether every MAC verifies and no event is missing. `false` for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_audit_trail_chain_valid(
    p: *const credcycle_audit_trail,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.chain_valid) }
    }
}

/// The number of events. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_audit_trail_event_count(
    p: *const credcycle_audit_trail,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.events.len()) }
    }
}

/// Event `i` (0 = oldest). Borrowed from the object; NULL when `i` is out of range or `p` is
/// NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_audit_trail_event(
    p: *const credcycle_audit_trail,
    i: usize,
) -> *const credcycle_audit_event {
    ffi_panic_boundary! { default: std::ptr::null();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { item_of::<credcycle_audit_trail, credcycle_audit_event, _>(p, i, |v| &v.events) }
    }
}

/// Position in the chain, from 1. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_audit_event_seq(p: *const credcycle_audit_event) -> u64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.seq) }
    }
}

/// When it happened (seconds since the Unix epoch). 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_audit_event_time(p: *const credcycle_audit_event) -> i64 {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.time) }
    }
}

/// Who did it. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_audit_event_actor(
    p: *const credcycle_audit_event,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.actor) }
    }
}

/// What was done (`secret.create`, ...). Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_audit_event_action(
    p: *const credcycle_audit_event,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.action) }
    }
}

/// The record it concerns (`secret:<name>`). Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_audit_event_subject(
    p: *const credcycle_audit_event,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.subject) }
    }
}

/// `ok`, or what was refused. Borrowed from the object; empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_audit_event_outcome(
    p: *const credcycle_audit_event,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| &v.outcome) }
    }
}

/// A list of strings. Free with `credcycle_string_list_free`. Thread-safe.
pub struct credcycle_string_list {
    _private: [u8; 0],
}

impl Castable for credcycle_string_list {
    type Ownership = OwnershipBox;
    type RustType = Vec<String>;
}

/// Frees a string list. NULL is a no-op; call it exactly once per object.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_string_list_free(p: *mut credcycle_string_list) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The number of strings. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_string_list_len(p: *const credcycle_string_list) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.len()) }
    }
}

/// String `i`, borrowed from the list; empty when out of range or NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_string_list_get(
    p: *const credcycle_string_list,
    i: usize,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| v.get(i).map_or("", String::as_str)) }
    }
}

/// The outcome of `credcycle_store_conformance_run`, one entry per
/// scenario. Free with `credcycle_conformance_report_free`. Thread-safe.
pub struct credcycle_conformance_report {
    _private: [u8; 0],
}

impl Castable for credcycle_conformance_report {
    type Ownership = OwnershipBox;
    type RustType = Vec<ConformanceResult>;
}

/// Frees a conformance report. NULL is a no-op; call it exactly once per object.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_conformance_report_free(p: *mut credcycle_conformance_report) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or an object made by this library, not used again.
        unsafe { free_box(p) }
    }
}

/// The number of scenarios run. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_conformance_report_len(
    p: *const credcycle_conformance_report,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.len()) }
    }
}

/// The number of scenarios that failed. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_conformance_report_failed(
    p: *const credcycle_conformance_report,
) -> usize {
    ffi_panic_boundary! { default: Default::default();
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.iter().filter(|r| !r.passed).count()) }
    }
}

/// The name of scenario `i`; empty when out of range or NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_conformance_report_name(
    p: *const credcycle_conformance_report,
    i: usize,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| v.get(i).map_or("", |r| r.name.as_str())) }
    }
}

/// Whether scenario `i` passed; `false` when out of range or NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_conformance_report_passed(
    p: *const credcycle_conformance_report,
    i: usize,
) -> bool {
    ffi_panic_boundary! { default: false;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { num_of(p, |v| v.get(i).is_some_and(|r| r.passed)) }
    }
}

/// The failure message of scenario `i` (empty when it passed, is out of
/// range, or `p` is NULL).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_conformance_report_message(
    p: *const credcycle_conformance_report,
    i: usize,
) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        // SAFETY: NULL or a live object of this type (the C contract).
        unsafe { str_of(p, |v| v.get(i).map_or("", |r| r.message.as_str())) }
    }
}

/// An optional boolean in option structs: `CREDCYCLE_TRISTATE_UNSET` (0,
/// what zero-initialization gives) keeps the default or leaves the field
/// unchanged; any value other than the three constants is `INVALID_INPUT`.
pub type credcycle_tristate = u8;
/// Not set: the default, or unchanged.
pub const CREDCYCLE_TRISTATE_UNSET: credcycle_tristate = 0;
/// Set to false.
pub const CREDCYCLE_TRISTATE_FALSE: credcycle_tristate = 1;
/// Set to true.
pub const CREDCYCLE_TRISTATE_TRUE: credcycle_tristate = 2;

/// The `Option<bool>` of a tristate.
pub(crate) fn tristate(
    v: credcycle_tristate,
) -> Result<Option<bool>, crate::error::credcycle_result> {
    match v {
        CREDCYCLE_TRISTATE_UNSET => Ok(None),
        CREDCYCLE_TRISTATE_FALSE => Ok(Some(false)),
        CREDCYCLE_TRISTATE_TRUE => Ok(Some(true)),
        _ => Err(crate::error::CREDCYCLE_RESULT_INVALID_INPUT),
    }
}

/// An optional NUL-terminated string, owned.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string.
pub(crate) unsafe fn opt_string(
    p: *const c_char,
) -> Result<Option<String>, crate::error::credcycle_result> {
    // SAFETY: forwarded contract.
    Ok(unsafe { crate::ffi::try_opt_str(p) }?.map(str::to_owned))
}
