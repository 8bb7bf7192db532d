//! Webhook signatures, sender and receiver side, as pure functions (no
//! engine needed, so every binding's receivers can use them).
//!
//! - Scheme **Zitadel**: header `ZITADEL-Signature` (name configurable),
//!   value `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, each `v1` the lowercase
//!   hex HMAC-SHA256 of `"<t>.<body>"` under one live key.
//! - Scheme **Standard Webhooks**: headers `webhook-id`, `webhook-timestamp`
//!   and `webhook-signature` = space-separated `v1,<base64 HMAC-SHA256 of
//!   "<id>.<timestamp>.<body>">`; secrets are `whsec_` + base64.
//!
//! Verification accepts if any `v1` matches one of the keys (compared in
//! constant time), and refuses timestamps older **or newer** than the
//! tolerance. Malformed headers give an error, never a panic. Other
//! signature versions (`v1a`, `v2`, …) are ignored, never HMAC-compared.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use ring::hmac;

use super::replay::SeenSet;
use crate::crypto::{SecretBytes, ct_eq};
use crate::encoding::hex_encode;
use crate::error::{Error, Result};
use crate::services::UnixTime;

/// Default tolerance for timestamps, both ways, in seconds (all Standard
/// Webhooks reference libraries use 5 minutes).
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;
/// Largest tolerance accepted, in seconds (1 day).
pub const MAX_TOLERANCE_SECS: i64 = 86_400;
/// Default Zitadel-scheme header name.
pub const ZITADEL_HEADER: &str = "ZITADEL-Signature";
/// Standard Webhooks id header.
pub const WEBHOOK_ID: &str = "webhook-id";
/// Standard Webhooks timestamp header.
pub const WEBHOOK_TIMESTAMP: &str = "webhook-timestamp";
/// Standard Webhooks signature header.
pub const WEBHOOK_SIGNATURE: &str = "webhook-signature";
/// Largest signature header value accepted, in bytes.
pub const MAX_HEADER_BYTES: usize = 8 * 1024;
/// Largest webhook message id accepted, in bytes.
pub const MAX_MESSAGE_ID_BYTES: usize = 256;
/// Prefix of Standard Webhooks symmetric secrets.
pub const SECRET_PREFIX: &str = "whsec_";

/// Why a webhook was refused (the public errors are coarser).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reject {
    MissingHeader,
    InvalidTimestamp,
    Malformed,
    TooOld,
    TooNew,
    NoMatch,
}

impl From<Reject> for Error {
    fn from(r: Reject) -> Self {
        match r {
            Reject::MissingHeader => {
                Error::invalid("header", "a required webhook header is missing")
            }
            Reject::InvalidTimestamp => Error::invalid(
                "timestamp",
                "must be a non-negative integer of unix seconds",
            ),
            Reject::Malformed => Error::invalid("signature", "the signature header is malformed"),
            Reject::TooOld | Reject::TooNew => Error::WebhookTimestamp,
            Reject::NoMatch => Error::VerificationFailed,
        }
    }
}

/// Parses a symmetric secret: `whsec_` + base64, or bare base64; padded or
/// unpadded.
///
/// # Errors
/// [`Error::InvalidInput`] naming `secret` when it is empty or not base64.
pub fn parse_secret(text: &str) -> Result<SecretBytes> {
    let body = text.strip_prefix(SECRET_PREFIX).unwrap_or(text);
    if body.is_empty() {
        return Err(Error::invalid("secret", "must not be empty"));
    }
    if body.len() > 1024 {
        return Err(Error::invalid("secret", "must be at most 1024 characters"));
    }
    // As the reference libraries do: padding optional, and the unused
    // low bits of a final partial group are ignored.
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let bytes = LENIENT
        .decode(body)
        .map_err(|_| Error::invalid("secret", "must be base64, optionally prefixed with whsec_"))?;
    if bytes.is_empty() {
        return Err(Error::invalid("secret", "must not be empty"));
    }
    Ok(SecretBytes::new(bytes))
}

/// `whsec_` + base64 of `key`.
pub fn format_secret(key: &[u8]) -> String {
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// Parses a timestamp header or argument: decimal unix seconds, no sign,
/// no fraction.
///
/// # Errors
/// [`Error::InvalidInput`] naming `timestamp`.
pub fn parse_timestamp(text: &str) -> Result<i64> {
    parse_ts(text).ok_or_else(|| Reject::InvalidTimestamp.into())
}

fn parse_ts(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > 18 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn mac(key: &[u8], parts: &[&[u8]]) -> hmac::Tag {
    let mut ctx = hmac::Context::with_key(&hmac::Key::new(hmac::HMAC_SHA256, key));
    for p in parts {
        ctx.update(p);
    }
    ctx.sign()
}

fn check_timestamp(ts: i64) -> Result<()> {
    if ts < 0 {
        return Err(Reject::InvalidTimestamp.into());
    }
    Ok(())
}

/// The Zitadel-scheme header value for `body` at `timestamp`: one `v1` per
/// key, in order.
///
/// # Errors
/// [`Error::InvalidInput`] naming `timestamp` when negative, or `keys` when
/// empty.
pub fn sign_zitadel(keys: &[&[u8]], timestamp: i64, body: &[u8]) -> Result<String> {
    check_timestamp(timestamp)?;
    if keys.is_empty() {
        return Err(Error::invalid(
            "keys",
            "at least one signing key is required",
        ));
    }
    let t = timestamp.to_string();
    let mut out = String::with_capacity(t.len() + 2 + keys.len() * 68);
    out.push_str("t=");
    out.push_str(&t);
    for k in keys {
        out.push_str(",v1=");
        out.push_str(&hex_encode(mac(k, &[t.as_bytes(), b".", body]).as_ref()));
    }
    Ok(out)
}

/// The Standard Webhooks `webhook-signature` value for message `msg_id` at
/// `timestamp`: `v1,<base64>` per key, space-separated.
///
/// # Errors
/// [`Error::InvalidInput`] naming `timestamp` when negative, `keys` when
/// empty, or `msg_id` when empty, over 256 bytes, or containing `.` or
/// whitespace.
pub fn sign_standard(keys: &[&[u8]], msg_id: &str, timestamp: i64, body: &[u8]) -> Result<String> {
    check_timestamp(timestamp)?;
    check_msg_id(msg_id)?;
    if keys.is_empty() {
        return Err(Error::invalid(
            "keys",
            "at least one signing key is required",
        ));
    }
    let t = timestamp.to_string();
    let sigs: Vec<String> = keys
        .iter()
        .map(|k| {
            let tag = mac(k, &[msg_id.as_bytes(), b".", t.as_bytes(), b".", body]);
            format!("v1,{}", STANDARD.encode(tag.as_ref()))
        })
        .collect();
    Ok(sigs.join(" "))
}

fn check_msg_id(id: &str) -> Result<()> {
    if id.is_empty()
        || id.len() > MAX_MESSAGE_ID_BYTES
        || id
            .bytes()
            .any(|b| b == b'.' || b.is_ascii_whitespace() || b.is_ascii_control())
    {
        return Err(Error::invalid(
            "msg_id",
            "must be 1..=256 bytes without '.', whitespace or control characters",
        ));
    }
    Ok(())
}

fn check_window(ts: i64, tolerance: i64, now: UnixTime) -> std::result::Result<(), Reject> {
    let now = now.secs();
    if now.saturating_sub(ts) > tolerance {
        return Err(Reject::TooOld);
    }
    if ts.saturating_sub(now) > tolerance {
        return Err(Reject::TooNew);
    }
    Ok(())
}

fn check_tolerance(tolerance: i64) -> Result<()> {
    if !(0..=MAX_TOLERANCE_SECS).contains(&tolerance) {
        return Err(Error::invalid(
            "tolerance",
            format!("must be 0..={MAX_TOLERANCE_SECS} seconds, got {tolerance}"),
        ));
    }
    Ok(())
}

/// What a successful verification established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The signed timestamp.
    pub timestamp: i64,
    /// The message id (Standard Webhooks), or the matching `v1` value
    /// (Zitadel scheme, which has no id).
    pub message_id: String,
}

/// Verifies a Zitadel-scheme header value against `body` and `keys`.
///
/// With a `guard`, the matching signature is recorded as seen until the
/// timestamp leaves the tolerance, and a second delivery is refused.
///
/// # Errors
/// [`Error::InvalidInput`] for a malformed header or bad tolerance;
/// [`Error::WebhookTimestamp`] outside the tolerance;
/// [`Error::VerificationFailed`] when no `v1` matches;
/// [`Error::WebhookReplay`] for a repeat; guard (store) errors.
pub fn verify_zitadel(
    header: &str,
    body: &[u8],
    keys: &[&[u8]],
    tolerance_secs: i64,
    now: UnixTime,
    guard: Option<&dyn SeenSet>,
) -> Result<Verified> {
    check_tolerance(tolerance_secs)?;
    let v = verify_zitadel_inner(header, body, keys, tolerance_secs, now)?;
    remember(guard, v, tolerance_secs, now)
}

pub(crate) fn verify_zitadel_inner(
    header: &str,
    body: &[u8],
    keys: &[&[u8]],
    tolerance: i64,
    now: UnixTime,
) -> std::result::Result<Verified, Reject> {
    if header.len() > MAX_HEADER_BYTES {
        return Err(Reject::Malformed);
    }
    let mut ts: Option<&str> = None;
    let mut sigs: Vec<&str> = Vec::new();
    for part in header.split(',') {
        let (k, v) = part.trim().split_once('=').ok_or(Reject::Malformed)?;
        match k {
            "t" if ts.is_none() => ts = Some(v),
            "t" => return Err(Reject::Malformed),
            "v1" => sigs.push(v),
            _ => {} // other versions are ignored
        }
    }
    let ts_text = ts.ok_or(Reject::Malformed)?;
    let t = parse_ts(ts_text).ok_or(Reject::InvalidTimestamp)?;
    check_window(t, tolerance, now)?;
    let wanted: Vec<Vec<u8>> = keys
        .iter()
        .map(|k| hex_encode(mac(k, &[ts_text.as_bytes(), b".", body]).as_ref()).into_bytes())
        .collect();
    let mut found: Option<&str> = None;
    for s in &sigs {
        for w in &wanted {
            if ct_eq(s.as_bytes(), w) && found.is_none() {
                found = Some(s);
            }
        }
    }
    found
        .map(|s| Verified {
            timestamp: t,
            message_id: format!("v1={s}"),
        })
        .ok_or(Reject::NoMatch)
}

/// Verifies Standard Webhooks headers. `headers` are (name, value) pairs;
/// names match case-insensitively.
///
/// # Errors
/// [`Error::InvalidInput`] naming `header` when one of the three is
/// missing, `timestamp` when not integer seconds, or a bad tolerance;
/// [`Error::WebhookTimestamp`] outside the tolerance;
/// [`Error::VerificationFailed`] when no `v1` matches;
/// [`Error::WebhookReplay`] when `guard` has seen the id; guard errors.
pub fn verify_standard(
    headers: &[(&str, &str)],
    body: &[u8],
    keys: &[&[u8]],
    tolerance_secs: i64,
    now: UnixTime,
    guard: Option<&dyn SeenSet>,
) -> Result<Verified> {
    check_tolerance(tolerance_secs)?;
    let v = verify_standard_inner(headers, body, keys, tolerance_secs, now)?;
    remember(guard, v, tolerance_secs, now)
}

fn header<'a>(headers: &[(&str, &'a str)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

pub(crate) fn verify_standard_inner(
    headers: &[(&str, &str)],
    body: &[u8],
    keys: &[&[u8]],
    tolerance: i64,
    now: UnixTime,
) -> std::result::Result<Verified, Reject> {
    let id = header(headers, WEBHOOK_ID).ok_or(Reject::MissingHeader)?;
    let ts_text = header(headers, WEBHOOK_TIMESTAMP).ok_or(Reject::MissingHeader)?;
    let sig = header(headers, WEBHOOK_SIGNATURE).ok_or(Reject::MissingHeader)?;
    if sig.len() > MAX_HEADER_BYTES || id.len() > MAX_MESSAGE_ID_BYTES {
        return Err(Reject::Malformed);
    }
    let t = parse_ts(ts_text).ok_or(Reject::InvalidTimestamp)?;
    check_window(t, tolerance, now)?;
    let wanted: Vec<Vec<u8>> = keys
        .iter()
        .map(|k| {
            let tag = mac(k, &[id.as_bytes(), b".", ts_text.as_bytes(), b".", body]);
            STANDARD.encode(tag.as_ref()).into_bytes()
        })
        .collect();
    let mut matched = false;
    for entry in sig.split(' ').filter(|e| !e.is_empty()) {
        let Some(("v1", value)) = entry.split_once(',') else {
            continue; // other versions, or no comma: never compared
        };
        for w in &wanted {
            matched |= ct_eq(value.as_bytes(), w);
        }
    }
    if matched {
        Ok(Verified {
            timestamp: t,
            message_id: id.to_owned(),
        })
    } else {
        Err(Reject::NoMatch)
    }
}

fn remember(
    guard: Option<&dyn SeenSet>,
    v: Verified,
    tolerance: i64,
    now: UnixTime,
) -> Result<Verified> {
    if let Some(g) = guard {
        // Remember the id as long as the timestamp could still be accepted.
        let until = UnixTime(v.timestamp.saturating_add(tolerance).max(now.secs()) + 1);
        if !g.first_seen(&v.message_id, until, now)? {
            return Err(Error::WebhookReplay);
        }
    }
    Ok(v)
}
