//! Version information and client helpers that need no engine.

use std::ffi::c_char;

use credcycle_facade::{Header, JwtValidation, ReplayGuard, Totp, client};

use crate::engine::{credcycle_engine, engine_ref};
use crate::error::{
    CREDCYCLE_RESULT_OK, CREDCYCLE_RESULT_VERIFICATION_FAILED, credcycle_result, try_engine,
};
use crate::ffi::{
    Castable, OwnershipArc, free_arc, require, require_out, set_opt_out, set_out, to_arc_const_ptr,
    to_boxed_mut_ptr, tri, try_ref_from_ptr, try_slice, try_str, write_bytes_out,
    write_secret_str_out, write_str_out,
};
use crate::panic::ffi_panic_boundary;
use crate::results_identities::credcycle_verified_webhook;
use crate::results_targets::credcycle_verified_jwt;
use crate::types::{credcycle_str, credcycle_tristate, opt_string, tristate};

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

// ---------------------------------------------------------------------------
// TOTP / HOTP
// ---------------------------------------------------------------------------

/// A TOTP/HOTP key (RFC 6238 / RFC 4226) for apps that compute or check
/// codes themselves. Immutable and thread-safe; free with
/// `credcycle_totp_free`. Its secret stays inside the library.
pub struct credcycle_totp {
    _private: [u8; 0],
}

impl Castable for credcycle_totp {
    type Ownership = OwnershipArc;
    type RustType = Totp;
}

/// A key from its secret bytes `(secret, secret_len)` (16..=128 bytes),
/// `algorithm` `SHA1`/`SHA256`/`SHA512`, 6..=8 `digits` and a `period` of
/// 1..=120 seconds (operation `totp.new`). Free with `credcycle_totp_free`.
/// `INVALID_INPUT` naming the field.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_totp_new(
    secret: *const u8,
    secret_len: usize,
    algorithm: *const c_char,
    digits: u32,
    period: u32,
    out_totp: *mut *const credcycle_totp,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: `secret_len` readable bytes and a NUL-terminated string.
        let secret = tri!(unsafe { try_slice(secret, secret_len) });
        // SAFETY: as above.
        let alg = tri!(unsafe { try_str(algorithm) });
        require_out!(out_totp);
        let t = try_engine!(Totp::new(secret, alg, digits, period));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_totp, to_arc_const_ptr::<credcycle_totp>(t)) }
    }
}

/// The key of an `otpauth://totp/...` provisioning URI (operation
/// `totp.from_uri`). Free with `credcycle_totp_free`. `INVALID_INPUT`
/// naming the part (the message never repeats the secret).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_totp_from_uri(
    uri: *const c_char,
    out_totp: *mut *const credcycle_totp,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let uri = tri!(unsafe { try_str(uri) });
        require_out!(out_totp);
        let t = try_engine!(Totp::from_uri(uri));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_totp, to_arc_const_ptr::<credcycle_totp>(t)) }
    }
}

/// Frees a TOTP key. NULL is a no-op.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_totp_free(totp: *const credcycle_totp) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or a handle from this library, not used again.
        unsafe { free_arc(totp) }
    }
}

fn totp_ref<'a>(p: *const credcycle_totp) -> Option<&'a Totp> {
    // SAFETY: NULL or a live handle (the C contract).
    unsafe { try_ref_from_ptr(p) }
}

/// `SHA1`, `SHA256` or `SHA512` (static). Empty for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_totp_algorithm(totp: *const credcycle_totp) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        totp_ref(totp).map_or(credcycle_str::EMPTY, |t| credcycle_str::from_static(t.algorithm()))
    }
}

/// Code length. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_totp_digits(totp: *const credcycle_totp) -> u32 {
    ffi_panic_boundary! { default: 0;
        totp_ref(totp).map_or(0, Totp::digits)
    }
}

/// Step in seconds. 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_totp_period(totp: *const credcycle_totp) -> u32 {
    ffi_panic_boundary! { default: 0;
        totp_ref(totp).map_or(0, Totp::period)
    }
}

/// The issuer of the URI the key came from, borrowed from the key; empty
/// when there is none or for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_totp_issuer(totp: *const credcycle_totp) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        totp_ref(totp).and_then(Totp::issuer).map_or(credcycle_str::EMPTY, credcycle_str::borrow)
    }
}

/// The account name of the URI the key came from, borrowed from the key;
/// empty when there is none or for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_totp_account(totp: *const credcycle_totp) -> credcycle_str {
    ffi_panic_boundary! { default: credcycle_str::EMPTY;
        totp_ref(totp).and_then(Totp::account).map_or(credcycle_str::EMPTY, credcycle_str::borrow)
    }
}

/// Writes the HOTP code for `counter` (NUL-terminated; 9 bytes always
/// suffice) to `(buf, len)` (operation `totp.hotp`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_totp_hotp(
    totp: *const credcycle_totp,
    counter: u64,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        let t = require!(totp_ref(totp));
        require_out!(out_n);
        let code = zeroize::Zeroizing::new(t.hotp(counter));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_secret_str_out(&code, buf, len, out_n) }
    }
}

/// Writes the TOTP code at `*time` (seconds since the Unix epoch; NULL:
/// now, by the system clock), NUL-terminated (9 bytes always suffice), to
/// `(buf, len)` (operation `totp.code_at`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_totp_code_at(
    totp: *const credcycle_totp,
    time: *const i64,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        let t = require!(totp_ref(totp));
        require_out!(out_n);
        // SAFETY: NULL or readable (the C contract).
        let time = unsafe { time.as_ref() }.copied();
        let code = zeroize::Zeroizing::new(t.code_at(time));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_secret_str_out(&code, buf, len, out_n) }
    }
}

/// Checks `code` at `*time` (NULL: now), accepting `window` steps on either
/// side (0..=10), in constant time (operation `totp.verify`). On a match
/// returns OK and writes the matching step to `*out_step` (may be NULL);
/// otherwise `VERIFICATION_FAILED`. `INVALID_INPUT` naming `window`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_totp_verify(
    totp: *const credcycle_totp,
    code: *const c_char,
    time: *const i64,
    window: u32,
    out_step: *mut i64,
) -> credcycle_result {
    ffi_panic_boundary! {
        let t = require!(totp_ref(totp));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let code = tri!(unsafe { try_str(code) });
        // SAFETY: NULL or readable (the C contract).
        let time = unsafe { time.as_ref() }.copied();
        match try_engine!(t.verify(code, time, window)) {
            Some(step) => {
                // SAFETY: NULL or writable (the C contract).
                unsafe { set_opt_out(out_step, step) };
                CREDCYCLE_RESULT_OK
            }
            None => CREDCYCLE_RESULT_VERIFICATION_FAILED,
        }
    }
}

/// Writes the `otpauth://totp/...` URI of this key for `issuer` and
/// `account`, NUL-terminated, to `(buf, len)` (operation
/// `totp.provisioning_uri`). It holds the secret: zero your copy.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_totp_provisioning_uri(
    totp: *const credcycle_totp,
    issuer: *const c_char,
    account: *const c_char,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        let t = require!(totp_ref(totp));
        // SAFETY: NULL or NUL-terminated strings (the C contract).
        let (issuer, account) = unsafe { (tri!(try_str(issuer)), tri!(try_str(account))) };
        require_out!(out_n);
        let uri = t.provisioning_uri(issuer, account);
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_secret_str_out(&uri, buf, len, out_n) }
    }
}

// ---------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------

/// Remembers verified webhook messages so a replay is refused. Thread-safe;
/// free with `credcycle_replay_guard_free`.
pub struct credcycle_replay_guard {
    _private: [u8; 0],
}

impl Castable for credcycle_replay_guard {
    type Ownership = OwnershipArc;
    type RustType = ReplayGuard;
}

/// An in-process replay guard (operation `replay_guard.memory`). Free with
/// `credcycle_replay_guard_free`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_replay_guard_memory(
    out_guard: *mut *const credcycle_replay_guard,
) -> credcycle_result {
    ffi_panic_boundary! {
        require_out!(out_guard);
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_guard, to_arc_const_ptr::<credcycle_replay_guard>(ReplayGuard::memory())) }
    }
}

/// A replay guard kept in the engine's store under `namespace`, shared by
/// every process on that store (operation `engine.webhook_replay_guard`).
/// Free with `credcycle_replay_guard_free`. `INVALID_INPUT` naming
/// `namespace`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_webhook_replay_guard(
    engine: *const credcycle_engine,
    namespace: *const c_char,
    out_guard: *mut *const credcycle_replay_guard,
) -> credcycle_result {
    ffi_panic_boundary! {
        let e = require!(engine_ref(engine));
        // SAFETY: NULL or a NUL-terminated string (the C contract).
        let ns = tri!(unsafe { try_str(namespace) });
        require_out!(out_guard);
        let g = try_engine!(e.webhook_replay_guard(ns));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_guard, to_arc_const_ptr::<credcycle_replay_guard>(g)) }
    }
}

/// The engine clock's current time in seconds since the Unix epoch (a
/// custom clock if one was set) (operation `engine.now`). 0 for NULL.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_engine_now(engine: *const credcycle_engine) -> i64 {
    ffi_panic_boundary! { default: 0;
        engine_ref(engine).map_or(0, credcycle_facade::Engine::now)
    }
}

/// Frees a replay guard. NULL is a no-op.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_replay_guard_free(guard: *const credcycle_replay_guard) {
    ffi_panic_boundary! { default: ();
        // SAFETY: NULL or a handle from this library, not used again.
        unsafe { free_arc(guard) }
    }
}

/// One header given to `credcycle_verify_webhook_standard` (NUL-terminated
/// name and value).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct credcycle_header_pair {
    /// The name (case-insensitive).
    pub name: *const c_char,
    /// The value.
    pub value: *const c_char,
}

/// `n` NUL-terminated strings at `p` (NULL allowed when `n` is 0).
///
/// # Safety
/// `p` is NULL or has `n` readable NUL-terminated strings.
unsafe fn strings(p: *const *const c_char, n: usize) -> Result<Vec<String>, credcycle_result> {
    if n == 0 {
        return Ok(Vec::new());
    }
    if p.is_null() {
        return Err(crate::error::CREDCYCLE_RESULT_NULL_PARAMETER);
    }
    (0..n)
        // SAFETY: `p` has `n` readable entries (the C contract).
        .map(|i| unsafe { try_str(*p.add(i)) }.map(str::to_owned))
        .collect()
}

type WebhookCheck<'a> = Box<
    dyn FnOnce(
            &[String],
            Option<i64>,
            Option<i64>,
            Option<&ReplayGuard>,
        ) -> credcycle_facade::Result<credcycle_facade::VerifiedWebhook>
        + 'a,
>;

#[allow(clippy::too_many_arguments)]
unsafe fn verify_webhook(
    keys: *const *const c_char,
    keys_len: usize,
    tolerance_secs: *const i64,
    now: *const i64,
    guard: *const credcycle_replay_guard,
    out: *mut *mut credcycle_verified_webhook,
    check: WebhookCheck<'_>,
) -> credcycle_result {
    // SAFETY: `keys_len` NUL-terminated strings (the C contract).
    let keys = zeroize::Zeroizing::new(tri!(unsafe { strings(keys, keys_len) }));
    // SAFETY: NULL or readable values and a live guard (the C contract).
    let (tol, now, guard) = unsafe {
        (
            tolerance_secs.as_ref().copied(),
            now.as_ref().copied(),
            try_ref_from_ptr::<credcycle_replay_guard>(guard),
        )
    };
    let v = try_engine!(check(&keys, tol, now, guard));
    if !out.is_null() {
        // SAFETY: non-NULL and writable (the C contract).
        unsafe { set_opt_out(out, to_boxed_mut_ptr::<credcycle_verified_webhook>(v)) };
    }
    CREDCYCLE_RESULT_OK
}

/// Verifies a `ZITADEL-Signature` header value (`t=...,v1=...`) over
/// `(body, body_len)` with any of the `keys_len` signing keys
/// (`whsec_...`), within `*tolerance_secs` (NULL: 300) of `*now` (NULL: the
/// system clock), remembering the message in `guard` (NULL: no replay
/// check) (operation `client.verify_webhook_zitadel`). `out_verified` may
/// be NULL; otherwise free it with `credcycle_verified_webhook_free`.
/// `VERIFICATION_FAILED` (no detail), `WEBHOOK_TIMESTAMP`, `WEBHOOK_REPLAY`,
/// `INVALID_INPUT` naming `keys`/`tolerance_secs`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_verify_webhook_zitadel(
    header: *const c_char,
    body: *const u8,
    body_len: usize,
    keys: *const *const c_char,
    keys_len: usize,
    tolerance_secs: *const i64,
    now: *const i64,
    guard: *const credcycle_replay_guard,
    out_verified: *mut *mut credcycle_verified_webhook,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: a NUL-terminated string and `body_len` readable bytes.
        let header = tri!(unsafe { try_str(header) });
        // SAFETY: as above.
        let body = tri!(unsafe { try_slice(body, body_len) });
        // SAFETY: forwarded C contract.
        unsafe {
            verify_webhook(keys, keys_len, tolerance_secs, now, guard, out_verified,
                Box::new(|k, t, n, g| client::verify_webhook_zitadel(header, body, k, t, n, g)))
        }
    }
}

/// Verifies Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature`; `headers_len` pairs, names case-insensitive) over
/// the body, as `credcycle_verify_webhook_zitadel` (operation
/// `client.verify_webhook_standard`).
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_verify_webhook_standard(
    headers: *const credcycle_header_pair,
    headers_len: usize,
    body: *const u8,
    body_len: usize,
    keys: *const *const c_char,
    keys_len: usize,
    tolerance_secs: *const i64,
    now: *const i64,
    guard: *const credcycle_replay_guard,
    out_verified: *mut *mut credcycle_verified_webhook,
) -> credcycle_result {
    ffi_panic_boundary! {
        let mut hs = Vec::with_capacity(headers_len);
        if headers_len > 0 {
            let p = require!((!headers.is_null()).then_some(headers));
            for i in 0..headers_len {
                // SAFETY: `headers_len` readable pairs (the C contract).
                let h = unsafe { *p.add(i) };
                // SAFETY: NUL-terminated strings (the C contract).
                let (name, value) = unsafe { (tri!(try_str(h.name)), tri!(try_str(h.value))) };
                hs.push(Header { name: name.to_owned(), value: value.to_owned() });
            }
        }
        // SAFETY: `body_len` readable bytes (the C contract).
        let body = tri!(unsafe { try_slice(body, body_len) });
        // SAFETY: forwarded C contract.
        unsafe {
            verify_webhook(keys, keys_len, tolerance_secs, now, guard, out_verified,
                Box::new(|k, t, n, g| client::verify_webhook_standard(&hs, body, k, t, n, g)))
        }
    }
}

/// Writes the `ZITADEL-Signature` header value for `(body, body_len)` at
/// `timestamp`, signed with every key, NUL-terminated, to `(buf, len)` (a
/// sender's view; operation `client.sign_webhook_zitadel`).
/// `INVALID_INPUT` naming `keys`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_sign_webhook_zitadel(
    keys: *const *const c_char,
    keys_len: usize,
    timestamp: i64,
    body: *const u8,
    body_len: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: `keys_len` strings and `body_len` bytes (the C contract).
        let keys = zeroize::Zeroizing::new(tri!(unsafe { strings(keys, keys_len) }));
        // SAFETY: as above.
        let body = tri!(unsafe { try_slice(body, body_len) });
        require_out!(out_n);
        let h = try_engine!(client::sign_webhook_zitadel(&keys, timestamp, body));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_str_out(&h, buf, len, out_n) }
    }
}

/// Writes the Standard Webhooks `webhook-signature` header value for
/// message `msg_id` at `timestamp`, NUL-terminated, to `(buf, len)`
/// (operation `client.sign_webhook_standard`). `INVALID_INPUT` naming
/// `keys` or `msg_id`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_sign_webhook_standard(
    keys: *const *const c_char,
    keys_len: usize,
    msg_id: *const c_char,
    timestamp: i64,
    body: *const u8,
    body_len: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: `keys_len` strings, a NUL-terminated id, `body_len` bytes.
        let keys = zeroize::Zeroizing::new(tri!(unsafe { strings(keys, keys_len) }));
        // SAFETY: as above.
        let msg_id = tri!(unsafe { try_str(msg_id) });
        // SAFETY: as above.
        let body = tri!(unsafe { try_slice(body, body_len) });
        require_out!(out_n);
        let h = try_engine!(client::sign_webhook_standard(&keys, msg_id, timestamp, body));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_str_out(&h, buf, len, out_n) }
    }
}

// ---------------------------------------------------------------------------
// JWT / JWE bodies
// ---------------------------------------------------------------------------

/// How `credcycle_verify_jwt`/`credcycle_decrypt_jwe` check a JWT.
/// Zero-initialize it (`{0}`) for the defaults: the asymmetric algorithms,
/// 60 s leeway, `exp` required, no `iss`/`aud`/`typ` requirement. Strings
/// are NUL-terminated; NULL means no requirement.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct credcycle_jwt_validation {
    /// Accepted `alg` values (`ES256`, `RS256`, `EdDSA`, ...): NULL or
    /// `algorithms_len` strings (none: the asymmetric ones).
    pub algorithms: *const *const c_char,
    /// How many entries `algorithms` has.
    pub algorithms_len: usize,
    /// Whether `leeway_secs` is set.
    pub has_leeway_secs: bool,
    /// Clock leeway in seconds (0..=600; default 60).
    pub leeway_secs: i64,
    /// Required `iss`.
    pub issuer: *const c_char,
    /// Required `aud` member.
    pub audience: *const c_char,
    /// Required `typ` header.
    pub typ: *const c_char,
    /// Whether `exp` must be present (default true).
    pub require_exp: credcycle_tristate,
}

/// The facade validation of a C one (NULL: the defaults).
///
/// # Safety
/// `v` is NULL or readable, its strings as documented.
unsafe fn validation(
    v: *const credcycle_jwt_validation,
) -> Result<JwtValidation, credcycle_result> {
    let mut out = JwtValidation::default();
    // SAFETY: NULL or readable (the C contract).
    let Some(v) = (unsafe { v.as_ref() }) else {
        return Ok(out);
    };
    // SAFETY: as documented on the struct (the C contract).
    unsafe {
        out.algorithms = strings(v.algorithms, v.algorithms_len)?;
        out.issuer = opt_string(v.issuer)?;
        out.audience = opt_string(v.audience)?;
        out.typ = opt_string(v.typ)?;
    }
    if v.has_leeway_secs {
        out.leeway_secs = v.leeway_secs;
    }
    if let Some(b) = tristate(v.require_exp)? {
        out.require_exp = b;
    }
    Ok(out)
}

/// Verifies a compact JWS/JWT `(token, token_len)` (a `JWT` target body)
/// against `jwks_json` (a JWKS document) at `*now` (NULL: the system clock)
/// (operation `client.verify_jwt`). `validation` may be NULL (defaults).
/// Free the result with `credcycle_verified_jwt_free`.
/// `VERIFICATION_FAILED` (no detail); `INVALID_INPUT` naming `jwks`,
/// `algorithms` or `leeway_secs`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_verify_jwt(
    token: *const u8,
    token_len: usize,
    jwks_json: *const c_char,
    validation: *const credcycle_jwt_validation,
    now: *const i64,
    out_jwt: *mut *mut credcycle_verified_jwt,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: readable arguments (the C contract).
        let token = tri!(unsafe { try_slice(token, token_len) });
        // SAFETY: as above.
        let jwks = tri!(unsafe { try_str(jwks_json) });
        // SAFETY: as above.
        let v = tri!(unsafe { self::validation(validation) });
        // SAFETY: as above.
        let now = unsafe { now.as_ref() }.copied();
        require_out!(out_jwt);
        let r = try_engine!(client::verify_jwt(token, jwks, &v, now));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_jwt, to_boxed_mut_ptr::<credcycle_verified_jwt>(r)) }
    }
}

/// Decrypts a compact JWE `(token, token_len)` (a `JWE` target body) with
/// the receiver's `private_key` (a JWK JSON object, or a PEM private key
/// when it starts with `-----BEGIN`), then verifies the inner JWT against
/// the sender's `jwks_json` (operation `client.decrypt_jwe`).
/// `jwe_algorithms` (NULL or `jwe_algorithms_len` names) limits the key
/// management algorithms (none: every one but `RSA1_5`). Free the result
/// with `credcycle_verified_jwt_free`. `VERIFICATION_FAILED` (no detail),
/// `INVALID_INPUT`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_decrypt_jwe(
    token: *const u8,
    token_len: usize,
    private_key: *const c_char,
    jwks_json: *const c_char,
    validation: *const credcycle_jwt_validation,
    jwe_algorithms: *const *const c_char,
    jwe_algorithms_len: usize,
    now: *const i64,
    out_jwt: *mut *mut credcycle_verified_jwt,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: readable arguments (the C contract).
        let token = tri!(unsafe { try_slice(token, token_len) });
        // SAFETY: as above.
        let key = tri!(unsafe { try_str(private_key) });
        // SAFETY: as above.
        let jwks = tri!(unsafe { try_str(jwks_json) });
        // SAFETY: as above.
        let v = tri!(unsafe { self::validation(validation) });
        // SAFETY: as above.
        let algs = tri!(unsafe { strings(jwe_algorithms, jwe_algorithms_len) });
        // SAFETY: as above.
        let now = unsafe { now.as_ref() }.copied();
        require_out!(out_jwt);
        let r = try_engine!(client::decrypt_jwe(token, key, jwks, &v, &algs, now));
        // SAFETY: checked non-NULL above.
        unsafe { set_out(out_jwt, to_boxed_mut_ptr::<credcycle_verified_jwt>(r)) }
    }
}

/// Writes the client's address, NUL-terminated, to `(buf, len)`: walks
/// `forwarded_for` (`X-Forwarded-For` hops, oldest first) from the right
/// while the hop is one of `trusted_proxies` (addresses or CIDRs), starting
/// at `peer` (operation `client.resolve_client_ip`). `INVALID_INPUT` naming
/// `peer` or `trusted_proxies`.
///
/// # Safety
/// Each pointer argument is NULL or valid for the access described above
/// (readable inputs, writable outputs, live handles from this library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn credcycle_resolve_client_ip(
    peer: *const c_char,
    forwarded_for: *const *const c_char,
    forwarded_for_len: usize,
    trusted_proxies: *const *const c_char,
    trusted_proxies_len: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> credcycle_result {
    ffi_panic_boundary! {
        // SAFETY: readable arguments (the C contract).
        let peer = tri!(unsafe { try_str(peer) });
        // SAFETY: as above.
        let hops = tri!(unsafe { strings(forwarded_for, forwarded_for_len) });
        // SAFETY: as above.
        let trusted = tri!(unsafe { strings(trusted_proxies, trusted_proxies_len) });
        require_out!(out_n);
        let ip = try_engine!(client::resolve_client_ip(peer, &hops, &trusted));
        // SAFETY: `buf` has `len` writable bytes (the C contract).
        unsafe { write_str_out(&ip, buf, len, out_n) }
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
