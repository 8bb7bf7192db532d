//! The enrollment domain's view of the PKI module: parsing certificates and
//! CSRs, issuing certificates from the tenant's internal CA, and verifying
//! chains. Kept in one place so the rest of enrollment does not depend on
//! the PKI module's shapes.

use crate::crypto::hazmat;
use crate::encoding::hex_encode;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::namespace::TenantId;

use super::{IssuedKind, MAX_PEM_BYTES};

/// What enrollment needs to know of a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CertInfo {
    pub(crate) der: Vec<u8>,
    /// Lower-case hex SHA-256 of the DER.
    pub(crate) fingerprint: String,
    /// Lower-case hex SHA-256 of the SubjectPublicKeyInfo.
    pub(crate) spki_sha256: String,
    pub(crate) serial: String,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
    pub(crate) subject_cn: Option<String>,
}

/// A certificate to issue.
pub(crate) struct IssueRequest<'a> {
    pub(crate) kind: IssuedKind,
    pub(crate) identity_id: &'a str,
    pub(crate) csr: &'a str,
    /// The certificate must not outlive this (session certificates).
    pub(crate) not_after_max: Option<i64>,
    pub(crate) dns_names: &'a [String],
    pub(crate) ip_addresses: &'a [std::net::IpAddr],
}

/// An issued certificate.
pub(crate) struct Issued {
    pub(crate) info: CertInfo,
    /// The issuing chain after the leaf (PEM).
    pub(crate) chain_pem: String,
}

/// Which trust anchor a chain verified to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Anchor {
    Internal,
    External(String),
}

/// Lower-case hex SHA-256.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex_encode(&hazmat::sha256(data))
}

/// The DER blocks of PEM text (label `label`), or the input itself when it
/// is DER (starts with a SEQUENCE tag).
pub(crate) fn pem_blocks(field: &'static str, input: &[u8], label: &str) -> Result<Vec<Vec<u8>>> {
    use base64::Engine as _;
    if input.is_empty() || input.len() > MAX_PEM_BYTES {
        return Err(Error::invalid(
            field,
            format!("must be 1..={MAX_PEM_BYTES} bytes, got {}", input.len()),
        ));
    }
    if input[0] == 0x30 {
        return Ok(vec![input.to_vec()]);
    }
    let text =
        std::str::from_utf8(input).map_err(|_| Error::invalid(field, "must be PEM text or DER"))?;
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(&begin) {
        let after = &rest[i + begin.len()..];
        let j = after
            .find(&end)
            .ok_or_else(|| Error::invalid(field, format!("PEM block '{label}' is not closed")))?;
        let body: String = after[..j]
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body.as_bytes())
            .map_err(|_| Error::invalid(field, "PEM body is not valid base64"))?;
        out.push(der);
        rest = &after[j + end.len()..];
        if out.len() > 10 {
            return Err(Error::invalid(field, "must hold at most 10 PEM blocks"));
        }
    }
    if out.is_empty() {
        return Err(Error::invalid(
            field,
            format!("must hold a '-----BEGIN {label}-----' PEM block"),
        ));
    }
    Ok(out)
}

/// Parses one certificate (PEM or DER).
pub(crate) fn parse_cert(field: &'static str, input: &[u8]) -> Result<CertInfo> {
    let mut blocks = pem_blocks(field, input, "CERTIFICATE")?;
    if blocks.len() != 1 {
        return Err(Error::invalid(field, "must hold exactly one certificate"));
    }
    cert_info(field, blocks.remove(0))
}

/// Parses a chain (PEM blocks, leaf first, or one DER certificate).
pub(crate) fn parse_chain(field: &'static str, input: &[u8]) -> Result<Vec<Vec<u8>>> {
    let blocks = pem_blocks(field, input, "CERTIFICATE")?;
    for b in &blocks {
        cert_info(field, b.clone())?;
    }
    Ok(blocks)
}

/// The facts enrollment needs of a DER certificate.
pub(crate) fn cert_info(_field: &'static str, _der: Vec<u8>) -> Result<CertInfo> {
    Err(Error::NotSupported {
        what: "certificate parsing (pki module)",
    })
}

/// Verifies a CSR (signature, key policy) and returns the SHA-256 of its
/// SubjectPublicKeyInfo.
pub(crate) fn csr_spki_sha256(_csr: &str) -> Result<String> {
    Err(Error::NotSupported {
        what: "csr verification (pki module)",
    })
}

/// Issues a certificate from the tenant's internal CA.
pub(crate) fn issue(
    _engine: &Engine,
    _tenant: &TenantId,
    _req: &IssueRequest<'_>,
) -> Result<Issued> {
    Err(Error::NotSupported {
        what: "certificate issuance (pki module)",
    })
}

/// The tenant's CA bundle (PEM), or an empty string when it has no CA yet.
pub(crate) fn ca_pool_pem(_engine: &Engine, _tenant: &TenantId) -> Result<String> {
    Ok(String::new())
}

/// Checks that `der` is a CA certificate fit to be an external trust anchor.
pub(crate) fn check_ca_cert(der: Vec<u8>) -> Result<CertInfo> {
    cert_info("certificate", der)
}

/// Checks that `cert` is signed by `ca`'s key.
pub(crate) fn signed_by(_cert: &[u8], _ca: &[u8]) -> Result<()> {
    Err(Error::NotSupported {
        what: "signature check (pki module)",
    })
}

/// Verifies a client chain (leaf first) at `now` to the internal CA (when
/// `internal`) or one of `externals` (`(ca id, CA DER)`).
pub(crate) fn verify_client_chain(
    _engine: &Engine,
    _tenant: &TenantId,
    _chain: &[Vec<u8>],
    _internal: bool,
    _externals: &[(String, Vec<u8>)],
    _now: i64,
) -> Result<Anchor> {
    Err(Error::NotSupported {
        what: "chain verification (pki module)",
    })
}
