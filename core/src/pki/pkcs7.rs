//! PKCS#7 / CMS "certs-only" SignedData (RFC 2315 §9.1, RFC 5652 §5: no
//! content, no signers — the degenerate form EST's `cacerts` and OpenZiti's
//! CA store use), written and parsed.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::cert::{MAX_CERT_BYTES, MAX_CHAIN_CERTS, Parsed};
use super::der as w;
use crate::error::{Error, Result};

/// id-signedData.
const OID_SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
/// id-data.
const OID_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];

/// DER `ContentInfo { signedData, SignedData { version 1, digestAlgorithms
/// {}, encapContentInfo { data }, certificates [0] IMPLICIT SET OF,
/// signerInfos {} } }` holding `certs`.
pub fn certs_only_der(certs: &[Vec<u8>]) -> Vec<u8> {
    let certs_set = {
        let mut items: Vec<Vec<u8>> = certs.to_vec();
        items.sort();
        let refs: Vec<&[u8]> = items.iter().map(Vec::as_slice).collect();
        w::cons(0xa0, &refs)
    };
    let signed_data = w::seq(&[
        &w::small_uint(1),
        &w::cons(w::SET, &[]),
        &w::seq(&[&w::oid(OID_DATA)]),
        &certs_set,
        &w::cons(w::SET, &[]),
    ]);
    w::seq(&[&w::oid(OID_SIGNED_DATA), &w::explicit(0, &signed_data)])
}

/// [`certs_only_der`] in standard base64 (no line breaks).
pub fn certs_only_base64(certs: &[Vec<u8>]) -> String {
    STANDARD.encode(certs_only_der(certs))
}

/// The certificates of a certs-only PKCS#7 (DER). Each must parse as a
/// certificate.
///
/// # Errors
/// [`Error::InvalidInput`] naming `pkcs7` and the structure that is wrong.
pub fn parse_certs_only(der: &[u8]) -> Result<Vec<Vec<u8>>> {
    let bad = |why: &str| Error::invalid("pkcs7", why.to_owned());
    if der.len() > MAX_CERT_BYTES * MAX_CHAIN_CERTS {
        return Err(bad("is too large"));
    }
    let (tag, ci, rest) = w::read(der).ok_or_else(|| bad("is not DER"))?;
    if tag != w::SEQUENCE || !rest.is_empty() {
        return Err(bad("ContentInfo must be one SEQUENCE"));
    }
    let (tag, oid, rest) = w::read(ci).ok_or_else(|| bad("ContentInfo is truncated"))?;
    if tag != w::OID || oid != OID_SIGNED_DATA {
        return Err(bad("content type must be signedData"));
    }
    let (tag, explicit, rest) = w::read(rest).ok_or_else(|| bad("content is missing"))?;
    if tag != 0xa0 || !rest.is_empty() {
        return Err(bad("content must be [0] EXPLICIT"));
    }
    let (tag, sd, rest) = w::read(explicit).ok_or_else(|| bad("SignedData is truncated"))?;
    if tag != w::SEQUENCE || !rest.is_empty() {
        return Err(bad("SignedData must be one SEQUENCE"));
    }
    let (tag, version, sd) = w::read(sd).ok_or_else(|| bad("version is missing"))?;
    if tag != w::INTEGER || version.len() != 1 || version[0] > 5 {
        return Err(bad("version must be a small INTEGER"));
    }
    let (tag, _, sd) = w::read(sd).ok_or_else(|| bad("digestAlgorithms is missing"))?;
    if tag != w::SET {
        return Err(bad("digestAlgorithms must be a SET"));
    }
    let (tag, _, sd) = w::read(sd).ok_or_else(|| bad("encapContentInfo is missing"))?;
    if tag != w::SEQUENCE {
        return Err(bad("encapContentInfo must be a SEQUENCE"));
    }
    let mut certs = Vec::new();
    let mut sd = sd;
    if let Some((0xa0, body, rest)) = w::read(sd) {
        let mut body = body;
        while !body.is_empty() {
            let item = w::first_item(body).ok_or_else(|| bad("a certificate is truncated"))?;
            if certs.len() == MAX_CHAIN_CERTS {
                return Err(bad("holds too many certificates"));
            }
            Parsed::from_der(item)?;
            certs.push(item.to_vec());
            body = &body[item.len()..];
        }
        sd = rest;
    }
    if let Some((0xa1, _, rest)) = w::read(sd) {
        sd = rest; // CRLs: ignored
    }
    let (tag, signers, rest) = w::read(sd).ok_or_else(|| bad("signerInfos is missing"))?;
    if tag != w::SET || !rest.is_empty() {
        return Err(bad("signerInfos must be the last SET"));
    }
    if !signers.is_empty() {
        return Err(bad("must have no signerInfos (certs-only)"));
    }
    Ok(certs)
}

/// [`parse_certs_only`] of base64 text (whitespace ignored).
///
/// # Errors
/// As [`parse_certs_only`]; also when the text is not base64.
pub fn parse_certs_only_base64(text: &str) -> Result<Vec<Vec<u8>>> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let der = STANDARD
        .decode(compact.as_bytes())
        .map_err(|_| Error::invalid("pkcs7", "is not valid base64"))?;
    parse_certs_only(&der)
}
