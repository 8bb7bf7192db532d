//! The only place where C pointers become Rust references and back.
//!
//! Every opaque C type implements [`Castable`], which names the Rust type
//! behind it and how it is owned: [`OwnershipBox`] (single owner, mutable,
//! freed with `Box`), [`OwnershipArc`] (shared, immutable, thread-safe) or
//! [`OwnershipRef`] (borrowed from another object, never freed by C).

use std::ffi::{CStr, c_char};
use std::sync::Arc;

use crate::error::{
    CREDCYCLE_RESULT_INSUFFICIENT_SIZE, CREDCYCLE_RESULT_INVALID_UTF8,
    CREDCYCLE_RESULT_NULL_PARAMETER, CREDCYCLE_RESULT_OK, credcycle_result,
};

/// Owned by one `Box`; C frees it with the type's `_free`.
pub(crate) struct OwnershipBox;
/// Shared through an `Arc`; C frees its reference with the type's `_free`.
pub(crate) struct OwnershipArc;
/// Borrowed from another object; valid while that object lives.
pub(crate) struct OwnershipRef;

/// Links an opaque C type to the Rust type it stands for.
pub(crate) trait Castable {
    /// How C owns it.
    type Ownership;
    /// The Rust type behind the pointer.
    type RustType;
}

/// A new single-owner C object.
pub(crate) fn to_boxed_mut_ptr<C>(value: C::RustType) -> *mut C
where
    C: Castable<Ownership = OwnershipBox>,
{
    Box::into_raw(Box::new(value)).cast::<C>()
}

/// A new shared C object.
pub(crate) fn to_arc_const_ptr<C>(value: C::RustType) -> *const C
where
    C: Castable<Ownership = OwnershipArc>,
{
    Arc::into_raw(Arc::new(value)).cast::<C>()
}

/// A borrowed C view of a Rust value.
pub(crate) fn to_ref_ptr<C>(value: &C::RustType) -> *const C
where
    C: Castable<Ownership = OwnershipRef>,
{
    (value as *const C::RustType).cast::<C>()
}

/// A borrowed C view of a value that C may also own elsewhere (an entry of
/// a list, a field of a result): valid while its owner lives, never freed
/// through this pointer.
pub(crate) fn borrowed_ptr<C: Castable>(value: &C::RustType) -> *const C {
    (value as *const C::RustType).cast::<C>()
}

/// Ownership kinds whose pointer can be borrowed as a reference.
pub(crate) trait Borrowable {}
impl Borrowable for OwnershipBox {}
impl Borrowable for OwnershipArc {}
impl Borrowable for OwnershipRef {}

/// The Rust value behind `ptr`, or `None` for NULL.
///
/// # Safety
/// `ptr` is NULL or was made by this crate for type `C` and is still alive;
/// the reference does not outlive it.
pub(crate) unsafe fn try_ref_from_ptr<'a, C>(ptr: *const C) -> Option<&'a C::RustType>
where
    C: Castable,
    C::Ownership: Borrowable,
{
    // SAFETY: the caller promises `ptr` is NULL or a live object of this type.
    unsafe { ptr.cast::<C::RustType>().as_ref() }
}

/// The mutable Rust value behind a single-owner `ptr`, or `None` for NULL.
///
/// # Safety
/// As [`try_ref_from_ptr`], and no other reference to it is in use.
pub(crate) unsafe fn try_mut_from_ptr<'a, C>(ptr: *mut C) -> Option<&'a mut C::RustType>
where
    C: Castable<Ownership = OwnershipBox>,
{
    // SAFETY: the caller promises exclusive access to a live object.
    unsafe { ptr.cast::<C::RustType>().as_mut() }
}

/// Takes back ownership of a single-owner object (`None` for NULL).
///
/// # Safety
/// `ptr` is NULL or a live object of this type that C will not use again.
pub(crate) unsafe fn try_box_from_ptr<C>(ptr: *mut C) -> Option<Box<C::RustType>>
where
    C: Castable<Ownership = OwnershipBox>,
{
    if ptr.is_null() {
        return None;
    }
    // SAFETY: made by `to_boxed_mut_ptr` and not freed (caller's promise).
    Some(unsafe { Box::from_raw(ptr.cast::<C::RustType>()) })
}

/// Drops C's reference to a shared object; NULL is a no-op.
///
/// # Safety
/// `ptr` is NULL or a live shared object of this type that C will not use
/// again through this reference.
pub(crate) unsafe fn free_arc<C>(ptr: *const C)
where
    C: Castable<Ownership = OwnershipArc>,
{
    if !ptr.is_null() {
        // SAFETY: made by `to_arc_const_ptr`; this gives back C's count.
        drop(unsafe { Arc::from_raw(ptr.cast::<C::RustType>()) });
    }
}

/// Frees a single-owner object; NULL is a no-op.
///
/// # Safety
/// As [`try_box_from_ptr`].
pub(crate) unsafe fn free_box<C>(ptr: *mut C)
where
    C: Castable<Ownership = OwnershipBox>,
{
    // SAFETY: forwarded contract.
    drop(unsafe { try_box_from_ptr(ptr) });
}

/// A borrowed `(ptr, len)` byte slice; NULL is allowed when `len` is 0.
///
/// # Safety
/// Unless NULL, `ptr` points to `len` readable bytes that outlive the use.
pub(crate) unsafe fn try_slice<'a>(
    ptr: *const u8,
    len: usize,
) -> Result<&'a [u8], credcycle_result> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(CREDCYCLE_RESULT_NULL_PARAMETER);
    }
    // SAFETY: the caller promises `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// A NUL-terminated UTF-8 string (`None` for NULL).
///
/// # Safety
/// Unless NULL, `ptr` is a NUL-terminated string that outlives the use.
pub(crate) unsafe fn try_opt_str<'a>(
    ptr: *const c_char,
) -> Result<Option<&'a str>, credcycle_result> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: the caller promises a NUL-terminated string.
    let c = unsafe { CStr::from_ptr(ptr) };
    c.to_str()
        .map(Some)
        .map_err(|_| CREDCYCLE_RESULT_INVALID_UTF8)
}

/// A required NUL-terminated UTF-8 string.
///
/// # Safety
/// As [`try_opt_str`].
pub(crate) unsafe fn try_str<'a>(ptr: *const c_char) -> Result<&'a str, credcycle_result> {
    // SAFETY: forwarded contract.
    unsafe { try_opt_str(ptr) }?.ok_or(CREDCYCLE_RESULT_NULL_PARAMETER)
}

/// Copies `src` into the caller's buffer `(buf, len)` and sets `*out_n` to
/// `src.len()`. When `len` is too small, writes nothing to `buf`, sets
/// `*out_n` to the size needed and returns `INSUFFICIENT_SIZE`.
///
/// # Safety
/// `buf` is NULL or has `len` writable bytes; `out_n` is NULL or writable.
pub(crate) unsafe fn write_bytes_out(
    src: &[u8],
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    if out_n.is_null() {
        return CREDCYCLE_RESULT_NULL_PARAMETER;
    }
    if len < src.len() {
        // SAFETY: checked non-NULL; the caller promises it is writable.
        unsafe { *out_n = src.len() };
        return CREDCYCLE_RESULT_INSUFFICIENT_SIZE;
    }
    if !src.is_empty() {
        if buf.is_null() {
            return CREDCYCLE_RESULT_NULL_PARAMETER;
        }
        // SAFETY: `buf` has at least `len >= src.len()` writable bytes and
        // cannot overlap a Rust-owned `src`.
        unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), buf, src.len()) };
    }
    // SAFETY: checked non-NULL above.
    unsafe { *out_n = src.len() };
    CREDCYCLE_RESULT_OK
}

/// Copies `s` and a terminating NUL into `(buf, len)`; `*out_n` is the
/// number of bytes written or needed, NUL included.
///
/// # Safety
/// As [`write_bytes_out`].
pub(crate) unsafe fn write_str_out(
    s: &str,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    let mut with_nul = Vec::with_capacity(s.len() + 1);
    with_nul.extend_from_slice(s.as_bytes());
    with_nul.push(0);
    // SAFETY: forwarded contract.
    unsafe { write_bytes_out(&with_nul, buf.cast::<u8>(), len, out_n) }
}

/// As [`write_str_out`] for a secret: the temporary NUL-terminated copy is
/// zeroized.
///
/// # Safety
/// As [`write_bytes_out`].
pub(crate) unsafe fn write_secret_str_out(
    s: &str,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    let mut with_nul = zeroize::Zeroizing::new(Vec::with_capacity(s.len() + 1));
    with_nul.extend_from_slice(s.as_bytes());
    with_nul.push(0);
    // SAFETY: forwarded contract.
    unsafe { write_bytes_out(&with_nul, buf.cast::<u8>(), len, out_n) }
}

/// Writes `value` to a required out-pointer.
///
/// # Safety
/// `out` is NULL or writable.
pub(crate) unsafe fn set_out<T>(out: *mut T, value: T) -> credcycle_result {
    if out.is_null() {
        return CREDCYCLE_RESULT_NULL_PARAMETER;
    }
    // SAFETY: checked non-NULL; the caller promises it is writable.
    unsafe { out.write(value) };
    CREDCYCLE_RESULT_OK
}

/// Writes `value` to an optional out-pointer (NULL discards it).
///
/// # Safety
/// `out` is NULL or writable.
pub(crate) unsafe fn set_opt_out<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: checked non-NULL; the caller promises it is writable.
        unsafe { out.write(value) };
    }
}

/// Returns early with the error code of a `Result<T, credcycle_result>`.
macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(code) => return code,
        }
    };
}

/// Returns `NULL_PARAMETER` early when a required pointer is NULL.
macro_rules! require {
    ($e:expr) => {
        match $e {
            Some(v) => v,
            None => return $crate::error::CREDCYCLE_RESULT_NULL_PARAMETER,
        }
    };
}

/// Returns `NOT_FOUND` early when an optional value is absent.
macro_rules! require_found {
    ($e:expr) => {
        match $e {
            Some(v) => v,
            None => return $crate::error::CREDCYCLE_RESULT_NOT_FOUND,
        }
    };
}

pub(crate) use {require, require_found, tri};

/// Returns `NULL_PARAMETER` early when a required out-pointer is NULL, so
/// that no work is done for a call that could not report its result.
macro_rules! require_out {
    ($($p:expr),+ $(,)?) => {
        $(
            if $p.is_null() {
                return $crate::error::CREDCYCLE_RESULT_NULL_PARAMETER;
            }
        )+
    };
}

pub(crate) use require_out;
