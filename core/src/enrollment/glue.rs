//! The enrollment domain's view of the PKI module: parsing certificates and
//! CSRs, issuing certificates from the tenant's internal CA, and verifying
//! chains. Kept in one place so the rest of enrollment does not depend on
//! the PKI module's shapes.

use crate::crypto::hazmat;
use crate::encoding::hex_encode;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::namespace::TenantId;
use crate::pki;
use crate::services::UnixTime;

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

/// Parses a certificate (PEM or DER); of a PEM chain, the first (leaf).
pub(crate) fn parse_cert(field: &'static str, input: &[u8]) -> Result<CertInfo> {
    let mut blocks = pem_blocks(field, input, "CERTIFICATE")?;
    cert_info(field, blocks.swap_remove(0))
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
pub(crate) fn cert_info(field: &'static str, der: Vec<u8>) -> Result<CertInfo> {
    let c = pki::CertInfo::from_der(&der).map_err(|e| match e {
        Error::InvalidInput(i) => Error::invalid(field, format!("{}: {}", i.field, i.reason)),
        other => other,
    })?;
    Ok(from_pki(c))
}

fn from_pki(c: pki::CertInfo) -> CertInfo {
    CertInfo {
        spki_sha256: sha256_hex(&c.spki_der),
        fingerprint: c.fingerprint,
        serial: c.serial_hex,
        not_before: c.not_before.0,
        not_after: c.not_after.0,
        subject_cn: c.common_name,
        der: c.der,
    }
}

/// Verifies a CSR (signature, key policy) and returns the SHA-256 of its
/// SubjectPublicKeyInfo.
pub(crate) fn csr_spki_sha256(csr: &str) -> Result<String> {
    Ok(sha256_hex(pki::Csr::parse(csr.as_bytes())?.spki_der()))
}

/// Issues a certificate from the tenant's internal CA.
pub(crate) fn issue(engine: &Engine, tenant: &TenantId, req: &IssueRequest<'_>) -> Result<Issued> {
    let csr = pki::Csr::parse(req.csr.as_bytes())?;
    let mut profile = match req.kind {
        IssuedKind::Client | IssuedKind::RouterClient => pki::CertProfile::client(req.identity_id),
        IssuedKind::RouterServer => {
            let mut p = pki::CertProfile::router_server(req.identity_id);
            for d in req.dns_names {
                p = p.dns(d.clone());
            }
            for ip in req.ip_addresses {
                p = p.ip(*ip);
            }
            p
        }
        IssuedKind::Session => pki::CertProfile::session_client(req.identity_id),
    };
    if let Some(end) = req.not_after_max {
        let now = engine.services().clock.now().0;
        let max = engine.policy().cert_session_validity_secs;
        let secs = end.saturating_sub(now).min(max);
        if secs < 60 {
            return Err(Error::State {
                what: "api session",
                state: "ENDING",
                operation: "issue a certificate (less than 60 s of the session remain)",
            });
        }
        profile = profile.validity_secs(secs);
    }
    let pki = engine.pki(tenant.as_str())?;
    let cert = pki.issue(&csr, &profile).map_err(|e| match e {
        Error::NotFound { what: "ca" } => Error::State {
            what: "tenant",
            state: "WITHOUT_CA",
            operation: "issue certificates (create or import the internal CA first)",
        },
        other => other,
    })?;
    let chain_pem = cert.chain_pem[cert.pem.len()..].to_owned();
    Ok(Issued {
        info: CertInfo {
            spki_sha256: sha256_hex(&cert.spki_der),
            fingerprint: cert.fingerprint,
            serial: cert.serial_hex,
            not_before: cert.not_before.0,
            not_after: cert.not_after.0,
            subject_cn: Some(req.identity_id.to_owned()),
            der: cert.der,
        },
        chain_pem,
    })
}

/// The tenant's CA bundle (PEM), or an empty string when it has no CA yet.
pub(crate) fn ca_pool_pem(engine: &Engine, tenant: &TenantId) -> Result<String> {
    match engine.pki(tenant.as_str())?.bundle_pem() {
        Ok(p) => Ok(p),
        Err(Error::NotFound { .. }) => Ok(String::new()),
        Err(e) => Err(e),
    }
}

/// Checks that `der` is a CA certificate fit to be an external trust anchor.
pub(crate) fn check_ca_cert(der: Vec<u8>) -> Result<CertInfo> {
    let c = pki::CertInfo::from_der(&der).map_err(|e| match e {
        Error::InvalidInput(i) => {
            Error::invalid("certificate", format!("{}: {}", i.field, i.reason))
        }
        other => other,
    })?;
    if !c.is_ca {
        return Err(Error::invalid(
            "certificate",
            "must be a CA certificate (basicConstraints cA=TRUE)",
        ));
    }
    Ok(from_pki(c))
}

/// Checks that `cert` is a valid certificate signed by `ca`'s key at `now`
/// (any purpose).
pub(crate) fn signed_by(cert: &[u8], ca: &[u8], now: i64) -> Result<()> {
    let anchors = pki::TrustAnchors::from_der(&[ca])?;
    pki::verify_chain(
        &anchors,
        &[cert],
        UnixTime(now),
        &pki::VerifyOptions::for_purpose(pki::Purpose::Any),
    )?;
    Ok(())
}

/// Anchor DERs with the external CA id each belongs to (`None` = internal).
pub(crate) type AnchorIds = Vec<(Vec<u8>, Option<String>)>;

/// The trust anchors of certificate authentication: the tenant's internal
/// CA (when `internal` and it has one) and `externals` (`(ca id, CA DER)`),
/// with the id each anchor's DER belongs to (`None` = internal).
pub(crate) fn anchors(
    engine: &Engine,
    tenant: &TenantId,
    internal: bool,
    externals: &[(String, Vec<u8>)],
) -> Result<(pki::TrustAnchors, AnchorIds)> {
    let mut ders: Vec<(Vec<u8>, Option<String>)> = Vec::new();
    if internal {
        match engine.pki(tenant.as_str())?.ca_chain_der() {
            Ok(chain) => {
                if let Some(first) = chain.into_iter().next() {
                    ders.push((first, None));
                }
            }
            Err(Error::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    for (id, der) in externals {
        ders.push((der.clone(), Some(id.clone())));
    }
    let list: Vec<&[u8]> = ders.iter().map(|(d, _)| d.as_slice()).collect();
    Ok((pki::TrustAnchors::from_der(&list)?, ders))
}

/// Verifies a client chain (leaf first) at `now` for clientAuth to the
/// internal CA (when `internal`) or one of `externals` (`(ca id, CA DER)`).
///
/// # Errors
/// [`Error::CertificateRejected`] naming the certificate and the reason.
pub(crate) fn verify_client_chain(
    engine: &Engine,
    tenant: &TenantId,
    chain: &[Vec<u8>],
    internal: bool,
    externals: &[(String, Vec<u8>)],
    now: i64,
) -> Result<Anchor> {
    verify_chain_to(
        engine,
        tenant,
        chain,
        internal,
        externals,
        now,
        pki::Purpose::ClientAuth,
    )
    .map(|(a, _)| a)
}

/// Verifies a chain (leaf first) at `now` for `purpose` to the internal CA
/// (when `internal`) or one of `externals` (`(ca id, CA DER)`): the anchor
/// it ends at and the verified path.
///
/// # Errors
/// [`Error::CertificateRejected`] naming the certificate and the reason
/// (also when there is no anchor at all).
pub(crate) fn verify_chain_to(
    engine: &Engine,
    tenant: &TenantId,
    chain: &[Vec<u8>],
    internal: bool,
    externals: &[(String, Vec<u8>)],
    now: i64,
    purpose: pki::Purpose,
) -> Result<(Anchor, pki::VerifiedChain)> {
    let (anchors, ids) = anchors(engine, tenant, internal, externals)?;
    if anchors.is_empty() {
        return Err(Error::CertificateRejected {
            reason: "no trusted certificate authority".into(),
        });
    }
    let v = pki::verify_chain(
        &anchors,
        chain,
        UnixTime(now),
        &pki::VerifyOptions::for_purpose(purpose),
    )?;
    match ids.into_iter().find(|(d, _)| *d == v.anchor_der) {
        Some((_, None)) => Ok((Anchor::Internal, v)),
        Some((_, Some(id))) => Ok((Anchor::External(id), v)),
        None => Err(Error::Internal("verified chain ends at an unknown anchor")),
    }
}
