//! TOTP (RFC 6238) over HOTP (RFC 4226), and the `otpauth://` provisioning
//! URI (the Google Authenticator key-URI format).

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use subtle::ConstantTimeEq;

use crate::crypto::SecretBytes;
use crate::encoding::{base32_decode, base32_encode};
use crate::error::{Error, Result};
use crate::services::{Clock, UnixTime};

/// Smallest secret accepted for an imported key, in bytes (RFC 4226 R6:
/// at least 128 bits).
pub const MIN_SECRET_BYTES: usize = 16;
/// Largest secret accepted, in bytes.
pub const MAX_SECRET_BYTES: usize = 128;
/// Longest period accepted, in seconds (NIST 800-63B §5.1.4.1: the nonce
/// changes at least every 2 minutes).
pub const MAX_PERIOD_SECS: u32 = 120;
/// Longest provisioning URI the parser reads.
pub const MAX_URI_LEN: usize = 4096;

/// The HMAC of a TOTP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TotpAlgorithm {
    /// HMAC-SHA-1 (the default, understood by every authenticator app).
    #[default]
    Sha1,
    /// HMAC-SHA-256.
    Sha256,
    /// HMAC-SHA-512.
    Sha512,
}

impl TotpAlgorithm {
    /// `SHA1`, `SHA256` or `SHA512` (the URI spelling).
    pub fn as_str(self) -> &'static str {
        match self {
            TotpAlgorithm::Sha1 => "SHA1",
            TotpAlgorithm::Sha256 => "SHA256",
            TotpAlgorithm::Sha512 => "SHA512",
        }
    }

    /// Parses the URI spelling (case-insensitive; `SHA-256` also accepted).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().replace('-', "").as_str() {
            "SHA1" => Some(TotpAlgorithm::Sha1),
            "SHA256" => Some(TotpAlgorithm::Sha256),
            "SHA512" => Some(TotpAlgorithm::Sha512),
            _ => None,
        }
    }

    /// Length of a generated secret: the HMAC's output size (20, 32 or 64
    /// bytes), as RFC 4226 §4 and RFC 6238 §5.1 recommend.
    pub fn secret_len(self) -> usize {
        match self {
            TotpAlgorithm::Sha1 => 20,
            TotpAlgorithm::Sha256 => 32,
            TotpAlgorithm::Sha512 => 64,
        }
    }

    fn key(self, secret: &[u8]) -> HotpKey {
        // HMAC accepts keys of any length, so `new_from_slice` cannot fail;
        // the fallbacks keep that an error-free path without a panic.
        match self {
            TotpAlgorithm::Sha1 => HotpKey::Sha1(
                Hmac::new_from_slice(secret).unwrap_or_else(|_| Hmac::new(&Default::default())),
            ),
            TotpAlgorithm::Sha256 => HotpKey::Sha256(
                Hmac::new_from_slice(secret).unwrap_or_else(|_| Hmac::new(&Default::default())),
            ),
            TotpAlgorithm::Sha512 => HotpKey::Sha512(
                Hmac::new_from_slice(secret).unwrap_or_else(|_| Hmac::new(&Default::default())),
            ),
        }
    }
}

/// An HMAC keyed with the TOTP secret, its inner and outer pads already
/// absorbed: each HOTP value clones it and hashes the 8-byte counter.
#[derive(Clone)]
enum HotpKey {
    Sha1(Hmac<sha1::Sha1>),
    Sha256(Hmac<sha2::Sha256>),
    Sha512(Hmac<sha2::Sha512>),
}

impl HotpKey {
    /// Calls `f` with HMAC(secret, counter).
    fn with_tag<R>(&self, counter: u64, f: impl FnOnce(&[u8]) -> R) -> R {
        let c = counter.to_be_bytes();
        match self {
            HotpKey::Sha1(k) => f(&k.clone().chain_update(c).finalize().into_bytes()),
            HotpKey::Sha256(k) => f(&k.clone().chain_update(c).finalize().into_bytes()),
            HotpKey::Sha512(k) => f(&k.clone().chain_update(c).finalize().into_bytes()),
        }
    }
}

impl fmt::Display for TotpAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A TOTP generator and checker: secret, algorithm, digits and period.
/// `Debug` never shows the secret.
pub struct Totp {
    key: HotpKey,
    secret: SecretBytes,
    algorithm: TotpAlgorithm,
    digits: u32,
    period: u32,
}

impl fmt::Debug for Totp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Totp")
            .field("secret", &self.secret)
            .field("algorithm", &self.algorithm)
            .field("digits", &self.digits)
            .field("period", &self.period)
            .finish()
    }
}

impl Totp {
    /// A TOTP over `secret`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `secret` (16..=128 bytes), `digits`
    /// (6..=8) or `period` (1..=120 seconds).
    pub fn new(
        secret: SecretBytes,
        algorithm: TotpAlgorithm,
        digits: u32,
        period: u32,
    ) -> Result<Self> {
        if secret.len() < MIN_SECRET_BYTES || secret.len() > MAX_SECRET_BYTES {
            return Err(Error::invalid(
                "secret",
                format!(
                    "must be {MIN_SECRET_BYTES}..={MAX_SECRET_BYTES} bytes, got {}",
                    secret.len()
                ),
            ));
        }
        if !(6..=8).contains(&digits) {
            return Err(Error::invalid(
                "digits",
                format!("must be 6..=8, got {digits}"),
            ));
        }
        if period == 0 || period > MAX_PERIOD_SECS {
            return Err(Error::invalid(
                "period",
                format!("must be 1..={MAX_PERIOD_SECS} seconds, got {period}"),
            ));
        }
        Ok(Totp {
            key: algorithm.key(secret.expose()),
            secret,
            algorithm,
            digits,
            period,
        })
    }

    /// The algorithm.
    pub fn algorithm(&self) -> TotpAlgorithm {
        self.algorithm
    }

    /// Digits per code.
    pub fn digits(&self) -> u32 {
        self.digits
    }

    /// Period in seconds.
    pub fn period(&self) -> u32 {
        self.period
    }

    /// The secret (callers must not log it).
    pub fn secret(&self) -> &SecretBytes {
        &self.secret
    }

    /// The HOTP value (RFC 4226 §5.3 dynamic truncation) for `counter`.
    pub fn hotp(&self, counter: u64) -> u32 {
        let bin = self.key.with_tag(counter, |mac| {
            // The last byte always exists (20..=64-byte tags); offset ≤ 15
            // and offset + 3 < 20 ≤ mac.len().
            let offset = usize::from(mac.last().copied().unwrap_or(0) & 0x0f);
            (u32::from(mac[offset] & 0x7f) << 24)
                | (u32::from(mac[offset + 1]) << 16)
                | (u32::from(mac[offset + 2]) << 8)
                | u32::from(mac[offset + 3])
        });
        bin % 10u32.pow(self.digits)
    }

    /// The code for `counter`, zero-padded to [`Totp::digits`].
    pub fn code_for_counter(&self, counter: u64) -> String {
        format!(
            "{:0width$}",
            self.hotp(counter),
            width = self.digits as usize
        )
    }

    /// The time step of `t` (RFC 6238 `T = floor((t - T0) / X)`, `T0 = 0`).
    /// Times before the epoch are step 0 and earlier, never a panic.
    pub fn step_at(&self, t: UnixTime) -> i64 {
        t.0.div_euclid(i64::from(self.period))
    }

    /// The code of time step `step` (steps before 0 have no code: `None`).
    pub fn code_for_step(&self, step: i64) -> Option<String> {
        u64::try_from(step).ok().map(|c| self.code_for_counter(c))
    }

    /// The code the clock's current step expects (for authenticator-side
    /// use: tests, the CLI demo, benchmarks).
    pub fn generate(&self, clock: &dyn Clock) -> String {
        self.code_for_step(self.step_at(clock.now()))
            .unwrap_or_default()
    }

    /// Checks `code` against the steps within `window` of the clock's
    /// current step (time comes from the [`Clock`], never from the caller;
    /// ASVS 5.0 6.5.8) and returns the step that matched. Steps are tried
    /// from the oldest, each compared in constant time; a wrong code is
    /// compared with every step of the window. This is the
    /// stateless check: replay protection (one use per step) is the MFA
    /// domain's job, which stores the last accepted step.
    pub fn verify(&self, code: &str, clock: &dyn Clock, window: u32) -> Option<i64> {
        let now = self.step_at(clock.now());
        self.match_steps(code, now, i64::from(window), i64::from(window))
    }

    /// The earliest step in `centre - before ..= centre + after` whose code
    /// equals `code` (constant-time per candidate; a miss computes every
    /// candidate).
    pub(crate) fn match_steps(
        &self,
        code: &str,
        centre: i64,
        before: i64,
        after: i64,
    ) -> Option<i64> {
        if code.len() != self.digits as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // `code` is exactly `digits` ASCII digits, so it equals a candidate's
        // zero-padded code exactly when the numbers are equal: compare the
        // HOTP values (constant time) instead of formatting each candidate.
        let Ok(wanted) = code.parse::<u32>() else {
            return None;
        };
        let mut found = None;
        let lo = centre.saturating_sub(before);
        let hi = centre.saturating_add(after);
        let mut s = lo;
        while s <= hi {
            if let Ok(counter) = u64::try_from(s) {
                let hit: bool = self.hotp(counter).ct_eq(&wanted).into();
                if hit {
                    // The earliest matching step. Stopping here only tells
                    // a timing observer which step a *valid* code belonged
                    // to; a wrong code always costs every candidate.
                    found = Some(s);
                    break;
                }
            }
            if s == i64::MAX {
                break;
            }
            s += 1;
        }
        found
    }

    /// The `otpauth://totp/…` URI authenticator apps import, exactly as
    /// SEMANTICS.md §E spells it: label `<issuer>:<account>`, then `secret`
    /// (base32, no padding), `issuer`, `algorithm`, `digits`, `period`, every
    /// text part percent-encoded (RFC 3986 unreserved characters kept).
    pub fn provisioning_uri(&self, issuer: &str, account: &str) -> ProvisioningUri {
        let secret = zeroize::Zeroizing::new(base32_encode(self.secret.expose()));
        let uri = format!(
            "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm={}&digits={}&period={}",
            percent_encode(issuer),
            percent_encode(account),
            secret.as_str(),
            percent_encode(issuer),
            self.algorithm.as_str(),
            self.digits,
            self.period
        );
        ProvisioningUri(zeroize::Zeroizing::new(uri))
    }
}

/// A provisioning URI: it contains the TOTP secret, so `Debug` redacts it
/// and the text leaves only through [`ProvisioningUri::reveal`].
#[derive(Clone, PartialEq, Eq)]
pub struct ProvisioningUri(zeroize::Zeroizing<String>);

impl ProvisioningUri {
    /// The URI text.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ProvisioningUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProvisioningUri(otpauth://totp/<redacted>)")
    }
}

/// What [`parse_provisioning_uri`] found.
#[derive(Debug)]
pub struct ParsedUri {
    /// The TOTP (secret, algorithm, digits, period).
    pub totp: Totp,
    /// The issuer, from the label or the `issuer` parameter.
    pub issuer: Option<String>,
    /// The account name of the label.
    pub account: String,
}

/// Parses an `otpauth://totp/…` URI (the inverse of
/// [`Totp::provisioning_uri`], lenient as apps are: lower-case base32,
/// padding, missing optional parameters with their defaults SHA1/6/30).
/// Never panics, whatever the input.
///
/// # Errors
/// [`Error::InvalidInput`] naming `uri` (scheme, type, length, encoding,
/// duplicate or conflicting parameters), `secret` (missing, not base32,
/// shorter than 16 bytes — OTP-6), `algorithm`, `digits` or `period`.
pub fn parse_provisioning_uri(uri: &str) -> Result<ParsedUri> {
    let bad = |why: &str| Error::invalid("uri", why.to_owned());
    if uri.len() > MAX_URI_LEN {
        return Err(bad("must be at most 4096 bytes"));
    }
    let rest =
        strip_prefix_ci(uri, "otpauth://").ok_or_else(|| bad("must start with otpauth://"))?;
    let (kind, rest) = rest.split_once('/').ok_or_else(|| bad("has no label"))?;
    if !kind.eq_ignore_ascii_case("totp") {
        return Err(bad("type must be totp"));
    }
    let (label, query) = rest.split_once('?').unwrap_or((rest, ""));
    let label =
        percent_decode(label).ok_or_else(|| bad("label is not valid percent-encoded UTF-8"))?;
    let (label_issuer, account) = match label.split_once(':') {
        Some((i, a)) => (Some(i.to_owned()), a.trim_start().to_owned()),
        None => (None, label.clone()),
    };
    let mut secret = None;
    let mut issuer = None;
    let mut algorithm = None;
    let mut digits = None;
    let mut period = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v =
            percent_decode(v).ok_or_else(|| bad("parameter is not valid percent-encoded UTF-8"))?;
        let slot = match k.to_ascii_lowercase().as_str() {
            "secret" => &mut secret,
            "issuer" => &mut issuer,
            "algorithm" => &mut algorithm,
            "digits" => &mut digits,
            "period" => &mut period,
            _ => continue,
        };
        if slot.replace(v).is_some() {
            return Err(bad("has a duplicate parameter"));
        }
    }
    if let (Some(a), Some(b)) = (&label_issuer, &issuer) {
        if a != b {
            return Err(bad("label issuer and issuer parameter differ"));
        }
    }
    let secret =
        zeroize::Zeroizing::new(secret.ok_or_else(|| Error::invalid("secret", "is required"))?);
    let raw = base32_decode("secret", &secret)?;
    if raw.len() < MIN_SECRET_BYTES {
        return Err(Error::invalid(
            "secret",
            format!(
                "must be at least {MIN_SECRET_BYTES} bytes (128 bits), got {}",
                raw.len()
            ),
        ));
    }
    let algorithm = match algorithm {
        Some(a) => TotpAlgorithm::parse(&a)
            .ok_or_else(|| Error::invalid("algorithm", "must be SHA1, SHA256 or SHA512"))?,
        None => TotpAlgorithm::Sha1,
    };
    let number = |field: &'static str, v: Option<String>, default: u32| -> Result<u32> {
        match v {
            None => Ok(default),
            Some(s) if !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit()) => s
                .parse()
                .map_err(|_| Error::invalid(field, "must be a number")),
            Some(_) => Err(Error::invalid(field, "must be a number")),
        }
    };
    let digits = number("digits", digits, 6)?;
    let period = number("period", period, 30)?;
    let totp = Totp::new(SecretBytes::new(raw), algorithm, digits, period)?;
    Ok(ParsedUri {
        totp,
        issuer: issuer.or(label_issuer),
        account,
    })
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Percent-encodes every byte outside RFC 3986's unreserved set.
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
        }
    }
    out
}

/// Decodes `%XX` escapes (and `+` as a space, as form encoding does);
/// `None` for a bad escape or non-UTF-8 result.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hi = hex_val(*b.get(i + 1)?)?;
                let lo = hex_val(*b.get(i + 2)?)?;
                out.push(hi << 4 | lo);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}
