//! `credcycle_result`: the engine's error codes, `0` for success, and the
//! binding-only codes in the reserved range 9000..=9099.
//!
//! The one conversion from an engine error is `result_of`: its code. The
//! text is a static message per code ([`credcycle_result_message`]); there is
//! no thread-local "last error".

use std::ffi::c_char;

use credcycle_facade::error::{kind_of, static_message};

use crate::ffi::write_str_out;
use crate::panic::ffi_panic_boundary;
use crate::types::credcycle_str;

/// The result of every fallible call: `CREDCYCLE_RESULT_OK` (0) or an error
/// code. Numbers are stable and never reused.
pub type credcycle_result = u32;

/// Success.
pub const CREDCYCLE_RESULT_OK: credcycle_result = 0;
/// The named record does not exist (in this tenant).
pub const CREDCYCLE_RESULT_NOT_FOUND: credcycle_result = 1001;
/// A concurrent update won the race; the call may be retried.
pub const CREDCYCLE_RESULT_CONFLICT: credcycle_result = 1002;
/// A record with the same unique name already exists.
pub const CREDCYCLE_RESULT_ALREADY_EXISTS: credcycle_result = 1003;
/// An input failed validation.
pub const CREDCYCLE_RESULT_INVALID_INPUT: credcycle_result = 1004;
/// The policy forbids the request.
pub const CREDCYCLE_RESULT_POLICY_VIOLATION: credcycle_result = 1005;
/// A MAC, signature, code or ciphertext did not verify (no detail).
pub const CREDCYCLE_RESULT_VERIFICATION_FAILED: credcycle_result = 1006;
/// The record's state forbids the operation.
pub const CREDCYCLE_RESULT_INVALID_STATE: credcycle_result = 1007;
/// A bug or an impossible state; please report.
pub const CREDCYCLE_RESULT_INTERNAL: credcycle_result = 1008;
/// The random generator failed.
pub const CREDCYCLE_RESULT_RANDOM_FAILED: credcycle_result = 1009;
/// The store failed.
pub const CREDCYCLE_RESULT_STORE_BACKEND: credcycle_result = 1101;
/// The store is unavailable.
pub const CREDCYCLE_RESULT_STORE_UNAVAILABLE: credcycle_result = 1102;
/// A stored record could not be decoded.
pub const CREDCYCLE_RESULT_STORE_CORRUPT: credcycle_result = 1103;
/// The key manager does not know the key.
pub const CREDCYCLE_RESULT_KEY_NOT_FOUND: credcycle_result = 1201;
/// The key's state forbids the operation.
pub const CREDCYCLE_RESULT_KEY_STATE: credcycle_result = 1202;
/// The key's purpose or algorithm does not fit the operation.
pub const CREDCYCLE_RESULT_KEY_PURPOSE: credcycle_result = 1203;
/// The key manager failed.
pub const CREDCYCLE_RESULT_KMS_BACKEND: credcycle_result = 1204;
/// The key manager is unavailable.
pub const CREDCYCLE_RESULT_KMS_UNAVAILABLE: credcycle_result = 1205;
/// A key with that id already exists.
pub const CREDCYCLE_RESULT_KEY_EXISTS: credcycle_result = 1206;
/// The root key does not open the store's keys (wrong key file).
pub const CREDCYCLE_RESULT_WRONG_ROOT_KEY: credcycle_result = 1207;
/// A two-phase rotation is already in progress.
pub const CREDCYCLE_RESULT_ROTATION_IN_PROGRESS: credcycle_result = 1301;
/// The idempotency token was used with a different value.
pub const CREDCYCLE_RESULT_IDEMPOTENCY_MISMATCH: credcycle_result = 1302;
/// An already-used refresh token was presented again; its family is revoked.
pub const CREDCYCLE_RESULT_REFRESH_TOKEN_REUSED: credcycle_result = 1401;
/// Too many failed logins: the client is locked out for a while.
pub const CREDCYCLE_RESULT_LOGIN_LOCKED: credcycle_result = 1451;
/// Too many failed attempts: the factor (password or MFA) is locked for a while.
pub const CREDCYCLE_RESULT_LOCKED: credcycle_result = 1501;
/// The API session still owes its second factor.
pub const CREDCYCLE_RESULT_MFA_REQUIRED: credcycle_result = 1502;
/// The password must be changed before anything else.
pub const CREDCYCLE_RESULT_PASSWORD_CHANGE_REQUIRED: credcycle_result = 1503;
/// The operation is not supported by this build.
pub const CREDCYCLE_RESULT_NOT_SUPPORTED: credcycle_result = 1504;
/// A certificate chain was rejected (path validation or an unknown leaf).
pub const CREDCYCLE_RESULT_CERTIFICATE_REJECTED: credcycle_result = 1601;
/// The enrollment token was already redeemed.
pub const CREDCYCLE_RESULT_ENROLLMENT_TOKEN_USED: credcycle_result = 1650;
/// A webhook's timestamp is outside the tolerance.
pub const CREDCYCLE_RESULT_WEBHOOK_TIMESTAMP: credcycle_result = 1701;
/// A webhook message id was already accepted (replay).
pub const CREDCYCLE_RESULT_WEBHOOK_REPLAY: credcycle_result = 1702;
/// A required pointer argument was NULL.
pub const CREDCYCLE_RESULT_NULL_PARAMETER: credcycle_result = 9001;
/// A caller buffer is too small; `*out_n` holds the size needed.
pub const CREDCYCLE_RESULT_INSUFFICIENT_SIZE: credcycle_result = 9002;
/// A panic was caught at the boundary (a bug; please report).
pub const CREDCYCLE_RESULT_PANIC: credcycle_result = 9003;
/// A string argument was not valid UTF-8.
pub const CREDCYCLE_RESULT_INVALID_UTF8: credcycle_result = 9004;
/// A callback broke its contract (for instance, returned no value).
pub const CREDCYCLE_RESULT_CALLBACK_CONTRACT: credcycle_result = 9005;

/// Every result constant, for the tests that keep this table complete.
#[cfg(test)]
pub(crate) const ALL_RESULTS: &[credcycle_result] = &[
    CREDCYCLE_RESULT_OK,
    CREDCYCLE_RESULT_NOT_FOUND,
    CREDCYCLE_RESULT_CONFLICT,
    CREDCYCLE_RESULT_ALREADY_EXISTS,
    CREDCYCLE_RESULT_INVALID_INPUT,
    CREDCYCLE_RESULT_POLICY_VIOLATION,
    CREDCYCLE_RESULT_VERIFICATION_FAILED,
    CREDCYCLE_RESULT_INVALID_STATE,
    CREDCYCLE_RESULT_INTERNAL,
    CREDCYCLE_RESULT_RANDOM_FAILED,
    CREDCYCLE_RESULT_STORE_BACKEND,
    CREDCYCLE_RESULT_STORE_UNAVAILABLE,
    CREDCYCLE_RESULT_STORE_CORRUPT,
    CREDCYCLE_RESULT_KEY_NOT_FOUND,
    CREDCYCLE_RESULT_KEY_STATE,
    CREDCYCLE_RESULT_KEY_PURPOSE,
    CREDCYCLE_RESULT_KMS_BACKEND,
    CREDCYCLE_RESULT_KMS_UNAVAILABLE,
    CREDCYCLE_RESULT_KEY_EXISTS,
    CREDCYCLE_RESULT_WRONG_ROOT_KEY,
    CREDCYCLE_RESULT_ROTATION_IN_PROGRESS,
    CREDCYCLE_RESULT_IDEMPOTENCY_MISMATCH,
    CREDCYCLE_RESULT_REFRESH_TOKEN_REUSED,
    CREDCYCLE_RESULT_LOGIN_LOCKED,
    CREDCYCLE_RESULT_LOCKED,
    CREDCYCLE_RESULT_MFA_REQUIRED,
    CREDCYCLE_RESULT_PASSWORD_CHANGE_REQUIRED,
    CREDCYCLE_RESULT_CERTIFICATE_REJECTED,
    CREDCYCLE_RESULT_ENROLLMENT_TOKEN_USED,
    CREDCYCLE_RESULT_NOT_SUPPORTED,
    CREDCYCLE_RESULT_WEBHOOK_TIMESTAMP,
    CREDCYCLE_RESULT_WEBHOOK_REPLAY,
    CREDCYCLE_RESULT_NULL_PARAMETER,
    CREDCYCLE_RESULT_INSUFFICIENT_SIZE,
    CREDCYCLE_RESULT_PANIC,
    CREDCYCLE_RESULT_INVALID_UTF8,
    CREDCYCLE_RESULT_CALLBACK_CONTRACT,
];

/// The one conversion from a facade error to a C result: its code.
pub(crate) fn result_of(e: &credcycle_facade::Error) -> credcycle_result {
    e.code
}

/// Turns a facade `Result` into a value or an early-returned result code.
macro_rules! try_engine {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(err) => return $crate::error::result_of(&err),
        }
    };
}

pub(crate) use try_engine;

/// Writes the static, secret-free message of `result` (NUL-terminated)
/// into `(buf, len)`; `*out_n` receives the bytes written or needed, NUL
/// included. Unknown codes get "unknown result code".
///
/// Returns `CREDCYCLE_RESULT_INSUFFICIENT_SIZE` when `len` is too small,
/// `CREDCYCLE_RESULT_NULL_PARAMETER` when `out_n` is NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_result_message(
    result: credcycle_result,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: the caller provides `len` writable bytes at `buf`.
        unsafe { write_str_out(static_message(result), buf, len, out_n) }
    }
}

/// The family of `result` as a static string: `ok`, `not_found`,
/// `conflict`, `invalid_input`, `policy`, `verification_failed`, `state`,
/// `store`, `key_manager`, `internal`, `binding`, or `unknown`. The string
/// is static (never freed).
#[unsafe(no_mangle)]
pub extern "C" fn credcycle_result_kind(result: credcycle_result) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        if result == CREDCYCLE_RESULT_OK {
            return credcycle_str::from_static("ok");
        }
        credcycle_str::from_static(kind_of(result).unwrap_or("unknown"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use credcycle_facade::error::binding_codes;

    #[test]
    fn result_table_is_complete_and_matches_the_engine() {
        let mut expected: Vec<u32> = credcycle_core::ErrorCode::ALL
            .iter()
            .map(|c| c.as_u32())
            .collect();
        expected.extend(binding_codes::ALL.iter().map(|(c, _)| *c));
        expected.push(0);
        expected.sort_unstable();
        let mut ours = ALL_RESULTS.to_vec();
        ours.sort_unstable();
        assert_eq!(
            ours, expected,
            "a CREDCYCLE_RESULT_* constant is missing or stale"
        );
    }

    #[test]
    fn binding_codes_match_the_facade() {
        assert_eq!(
            CREDCYCLE_RESULT_NULL_PARAMETER,
            binding_codes::NULL_PARAMETER
        );
        assert_eq!(
            CREDCYCLE_RESULT_INSUFFICIENT_SIZE,
            binding_codes::INSUFFICIENT_SIZE
        );
        assert_eq!(CREDCYCLE_RESULT_PANIC, binding_codes::PANIC);
        assert_eq!(CREDCYCLE_RESULT_INVALID_UTF8, binding_codes::INVALID_UTF8);
        assert_eq!(
            CREDCYCLE_RESULT_CALLBACK_CONTRACT,
            binding_codes::CALLBACK_CONTRACT
        );
    }

    #[test]
    fn message_buffer_contract() {
        let mut n = 0usize;
        let mut small = [0 as c_char; 2];
        // SAFETY: valid buffers.
        let r = unsafe {
            credcycle_result_message(CREDCYCLE_RESULT_NOT_FOUND, small.as_mut_ptr(), 2, &mut n)
        };
        assert_eq!(r, CREDCYCLE_RESULT_INSUFFICIENT_SIZE);
        assert_eq!(n, "record not found".len() + 1);
        let mut buf = vec![0 as c_char; n];
        // SAFETY: valid buffers.
        let r = unsafe {
            credcycle_result_message(CREDCYCLE_RESULT_NOT_FOUND, buf.as_mut_ptr(), n, &mut n)
        };
        assert_eq!(r, CREDCYCLE_RESULT_OK);
        assert_eq!(
            credcycle_result_kind(CREDCYCLE_RESULT_VERIFICATION_FAILED).as_str(),
            "verification_failed"
        );
    }
}
