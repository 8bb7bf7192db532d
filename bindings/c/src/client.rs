//! Version information and client helpers that need no engine.

use std::ffi::c_char;

use credcycle_facade::client;

use crate::error::{credcycle_result, try_engine};
use crate::ffi::{require_out, tri, try_str, write_bytes_out};
use crate::panic::ffi_panic_boundary;
use crate::types::credcycle_str;

/// The major version of this library (also `CREDCYCLE_VERSION_MAJOR`).
pub const CREDCYCLE_VERSION_MAJOR: u32 = 0;
/// The minor version of this library.
pub const CREDCYCLE_VERSION_MINOR: u32 = 1;
/// The patch version of this library.
pub const CREDCYCLE_VERSION_PATCH: u32 = 0;

/// The library version, `"MAJOR.MINOR.PATCH"` (operation `client.version`).
/// A static string; never freed.
#[unsafe(no_mangle)]
pub extern "C" fn credcycle_version() -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        credcycle_str::from_static(client::version())
    }
}

/// Writes a fresh random 32-byte root key for the local key manager to
/// `(buf, len)` (operation `client.generate_root_key`); `*out_n` is 32 on
/// success. Keep it safe; zero your copy when done.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_generate_root_key(
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        require_out!(out_n);
        let key = try_engine!(client::generate_root_key());
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_bytes_out(&key, buf, len, out_n) }
    }
}

/// Parses the text form of a root key (64 hex digits or base64 of 32
/// bytes; surrounding whitespace ignored) into `(buf, len)` (operation
/// `client.parse_root_key`). `INVALID_INPUT` otherwise.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_parse_root_key(
    text: *const c_char,
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let text = tri!(unsafe { try_str(text) });
        require_out!(out_n);
        let key = try_engine!(client::parse_root_key(text));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_bytes_out(&key, buf, len, out_n) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_macros_match_the_crate() {
        assert_eq!(
            format!(
                "{CREDCYCLE_VERSION_MAJOR}.{CREDCYCLE_VERSION_MINOR}.{CREDCYCLE_VERSION_PATCH}"
            ),
            env!("CARGO_PKG_VERSION")
        );
        assert_eq!(credcycle_version().as_str(), env!("CARGO_PKG_VERSION"));
    }
}
