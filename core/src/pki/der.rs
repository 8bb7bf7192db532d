//! A minimal DER writer and TLV reader for the structures this module emits
//! (TBSCertificate, CertificationRequestInfo, PKCS#7 certs-only) and for
//! taking the exact signed bytes out of a parsed structure.
//!
//! Parsing of certificates and CSRs themselves is done by `x509-cert`; the
//! reader here only splits tag-length-value items and never panics.

/// Universal tags used here.
pub(crate) const BOOLEAN: u8 = 0x01;
pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const BIT_STRING: u8 = 0x03;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const OID: u8 = 0x06;
pub(crate) const UTF8_STRING: u8 = 0x0c;
pub(crate) const UTC_TIME: u8 = 0x17;
pub(crate) const GENERALIZED_TIME: u8 = 0x18;
pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const SET: u8 = 0x31;

/// Appends the DER length of `len` to `out`.
fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    out.push(0x80 | (bytes.len() - skip) as u8);
    out.extend_from_slice(&bytes[skip..]);
}

/// One TLV item.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    push_len(&mut out, content.len());
    out.extend_from_slice(content);
    out
}

/// A constructed item (SEQUENCE, SET, context tag) of the concatenated parts.
pub(crate) fn cons(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let mut out = Vec::with_capacity(len + 6);
    out.push(tag);
    push_len(&mut out, len);
    for p in parts {
        out.extend_from_slice(p);
    }
    out
}

/// `SEQUENCE { parts }`.
pub(crate) fn seq(parts: &[&[u8]]) -> Vec<u8> {
    cons(SEQUENCE, parts)
}

/// `[n] EXPLICIT` (constructed context-specific tag).
pub(crate) fn explicit(n: u8, inner: &[u8]) -> Vec<u8> {
    cons(0xa0 | n, &[inner])
}

/// An INTEGER from unsigned big-endian bytes (leading zeros stripped, a zero
/// octet added when the top bit is set).
pub(crate) fn uint(bytes: &[u8]) -> Vec<u8> {
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let b = &bytes[skip..];
    if b.is_empty() {
        return tlv(INTEGER, &[0]);
    }
    if b[0] & 0x80 != 0 {
        let mut c = Vec::with_capacity(b.len() + 1);
        c.push(0);
        c.extend_from_slice(b);
        tlv(INTEGER, &c)
    } else {
        tlv(INTEGER, b)
    }
}

/// A small non-negative INTEGER.
pub(crate) fn small_uint(v: u64) -> Vec<u8> {
    uint(&v.to_be_bytes())
}

/// `BOOLEAN TRUE`.
pub(crate) fn bool_true() -> Vec<u8> {
    tlv(BOOLEAN, &[0xff])
}

/// A BIT STRING with no unused bits.
pub(crate) fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut c = Vec::with_capacity(bytes.len() + 1);
    c.push(0);
    c.extend_from_slice(bytes);
    tlv(BIT_STRING, &c)
}

/// An OBJECT IDENTIFIER from its content bytes.
pub(crate) fn oid(content: &[u8]) -> Vec<u8> {
    tlv(OID, content)
}

/// A civil date-time (UTC) from Unix seconds.
pub(crate) fn civil(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        ((rem % 3600) / 60) as u32,
        (rem % 60) as u32,
    )
}

/// Earliest and latest times X.509 can carry (years 0000..=9999).
pub(crate) const MIN_TIME: i64 = -62_167_219_200;
/// 9999-12-31T23:59:59Z, RFC 5280's "no well-defined expiration".
pub(crate) const MAX_TIME: i64 = 253_402_300_799;

/// RFC 5280 §4.1.2.5 time: UTCTime for 1950..=2049, GeneralizedTime
/// otherwise. `secs` is clamped to years 0000..=9999.
pub(crate) fn time(secs: i64) -> Vec<u8> {
    let (y, mo, d, h, mi, s) = civil(secs.clamp(MIN_TIME, MAX_TIME));
    if (1950..2050).contains(&y) {
        let text = format!("{:02}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z", y % 100);
        tlv(UTC_TIME, text.as_bytes())
    } else {
        let text = format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z");
        tlv(GENERALIZED_TIME, text.as_bytes())
    }
}

/// One TLV item read from the front of `data`: `(tag, content, rest)`.
/// Only definite lengths in minimal form are accepted.
pub(crate) fn read(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = data.split_first()?;
    if tag & 0x1f == 0x1f {
        return None; // high tag numbers are not used by these structures
    }
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (lb, rest) = rest.split_at(n);
        if lb[0] == 0 {
            return None;
        }
        let len = lb
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        if len < 0x80 {
            return None;
        }
        (len, rest)
    };
    if rest.len() < len {
        return None;
    }
    let (content, rest) = rest.split_at(len);
    Some((tag, content, rest))
}

/// The whole encoding (header included) of the first TLV item of `data`.
pub(crate) fn first_item(data: &[u8]) -> Option<&[u8]> {
    let (_, _, rest) = read(data)?;
    Some(&data[..data.len() - rest.len()])
}

/// The encoding of the first element inside the outer SEQUENCE of `data`
/// (the signed part of a certificate or CSR). `None` unless `data` is
/// exactly one SEQUENCE.
pub(crate) fn signed_part(data: &[u8]) -> Option<&[u8]> {
    let (tag, content, rest) = read(data)?;
    if tag != SEQUENCE || !rest.is_empty() {
        return None;
    }
    first_item(content)
}

/// ECDSA `r || s` (fixed size) as a DER `Ecdsa-Sig-Value`.
pub(crate) fn ecdsa_fixed_to_der(sig: &[u8]) -> Option<Vec<u8>> {
    if sig.is_empty() || sig.len() % 2 != 0 {
        return None;
    }
    let (r, s) = sig.split_at(sig.len() / 2);
    Some(seq(&[&uint(r), &uint(s)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_round_trip_through_the_reader() {
        for n in [0usize, 1, 127, 128, 255, 256, 65_535, 65_536, 1 << 20] {
            let item = tlv(OCTET_STRING, &vec![7u8; n]);
            let (tag, content, rest) = read(&item).expect("read");
            assert_eq!((tag, content.len(), rest.len()), (OCTET_STRING, n, 0));
        }
    }

    #[test]
    fn reader_refuses_non_minimal_and_truncated_lengths() {
        assert!(read(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5]).is_none());
        assert!(read(&[0x04, 0x82, 0x00, 0x80]).is_none());
        assert!(read(&[0x04, 0x80]).is_none());
        assert!(read(&[0x04, 0x05, 1]).is_none());
        assert!(read(&[]).is_none());
        assert!(read(&[0x1f, 0x01, 0x00]).is_none());
    }

    #[test]
    fn integers_are_minimal_and_positive() {
        assert_eq!(uint(&[0, 0, 1]), vec![2, 1, 1]);
        assert_eq!(uint(&[0x80]), vec![2, 2, 0, 0x80]);
        assert_eq!(uint(&[]), vec![2, 1, 0]);
    }

    #[test]
    fn times_use_utc_time_until_2049() {
        assert_eq!(time(0), tlv(UTC_TIME, b"700101000000Z"));
        assert_eq!(time(2_524_607_999), tlv(UTC_TIME, b"491231235959Z"));
        assert_eq!(
            time(2_524_608_000),
            tlv(GENERALIZED_TIME, b"20500101000000Z")
        );
        assert_eq!(time(i64::MAX), tlv(GENERALIZED_TIME, b"99991231235959Z"));
        assert_eq!(civil(951_782_400), (2000, 2, 29, 0, 0, 0));
    }
}
