//! PKCS#10 certificate signing requests: parsing (PEM or DER), proof of
//! possession (the CSR's own signature, verified with ring), the key-type
//! policy, and the requested subject alternative names.

use std::net::IpAddr;

use der::{Decode, Encode};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::request::{CertReq, ExtensionReq, Version};

use super::alg::{self, KeyType, SignatureAlgorithm};
use super::{der as w, pem};
use crate::error::{Error, Result};

/// Largest CSR accepted, in bytes (PEM or DER).
pub const MAX_CSR_BYTES: usize = 16 * 1024;

/// OID of the PKCS#9 extensionRequest attribute.
const OID_EXTENSION_REQ: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.14");
/// OID of subjectAltName.
pub(crate) const OID_SAN: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("2.5.29.17");

/// A parsed CSR whose signature verified and whose key and algorithms are
/// allowed. Only [`Csr::parse`], [`Csr::from_der`] and [`Csr::from_pem`]
/// make one.
#[derive(Clone, Debug)]
pub struct Csr {
    der: Vec<u8>,
    spki_der: Vec<u8>,
    spki: SubjectPublicKeyInfoOwned,
    key_type: KeyType,
    signature_algorithm: SignatureAlgorithm,
    subject_der: Vec<u8>,
    /// RFC 4514 text of `subject_der`, made on first use (see
    /// [`Csr::subject`]).
    subject: std::sync::OnceLock<String>,
    dns_names: Vec<String>,
    ip_addresses: Vec<IpAddr>,
    uris: Vec<String>,
}

impl Csr {
    /// Parses a CSR given as PEM (`CERTIFICATE REQUEST` or the older `NEW
    /// CERTIFICATE REQUEST`) or DER, verifies its signature and applies the
    /// key policy.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the part that failed:
    /// `csr` (size, PEM, DER structure), `csr.version`,
    /// `csr.signature_algorithm` (MD4/MD5/SHA-1/DSA/… refused),
    /// `csr.public_key` (DSA, RSA < 2048, curves other than P-256/P-384),
    /// `csr.signature` (does not verify: no proof of possession),
    /// `csr.extensions` (malformed or duplicate requested extensions).
    pub fn parse(data: &[u8]) -> Result<Csr> {
        if data.len() > MAX_CSR_BYTES {
            return Err(Error::invalid(
                "csr",
                format!("must be at most {MAX_CSR_BYTES} bytes, got {}", data.len()),
            ));
        }
        if pem::looks_like_pem(data) {
            let text = std::str::from_utf8(data)
                .map_err(|_| Error::invalid("csr", "PEM text is not UTF-8"))?;
            Self::from_pem(text)
        } else {
            Self::from_der(data)
        }
    }

    /// Parses a PEM CSR; see [`Csr::parse`].
    ///
    /// # Errors
    /// As [`Csr::parse`]; also when the text holds no CSR block or several.
    pub fn from_pem(text: &str) -> Result<Csr> {
        if text.len() > MAX_CSR_BYTES {
            return Err(Error::invalid(
                "csr",
                format!("must be at most {MAX_CSR_BYTES} bytes, got {}", text.len()),
            ));
        }
        let blocks = pem::decode_all("csr", text)?;
        let mut found = blocks
            .into_iter()
            .filter(|(l, _)| l == "CERTIFICATE REQUEST" || l == "NEW CERTIFICATE REQUEST");
        let (_, der) = found
            .next()
            .ok_or_else(|| Error::invalid("csr", "no CERTIFICATE REQUEST PEM block"))?;
        if found.next().is_some() {
            return Err(Error::invalid(
                "csr",
                "more than one CERTIFICATE REQUEST block",
            ));
        }
        Self::from_der(&der)
    }

    /// Parses a DER CSR; see [`Csr::parse`].
    ///
    /// # Errors
    /// As [`Csr::parse`].
    pub fn from_der(der: &[u8]) -> Result<Csr> {
        if der.len() > MAX_CSR_BYTES {
            return Err(Error::invalid(
                "csr",
                format!("must be at most {MAX_CSR_BYTES} bytes, got {}", der.len()),
            ));
        }
        let signed =
            w::signed_part(der).ok_or_else(|| Error::invalid("csr", "is not a DER SEQUENCE"))?;
        let req = match CertReq::from_der(der) {
            Ok(r) => r,
            Err(e) => {
                // A v2/v3 request fails to decode: say so rather than
                // reporting a generic structure error.
                if let Some(v) = request_version(signed).filter(|v| *v != 0 && *v < 16) {
                    return Err(Error::invalid(
                        "csr.version",
                        format!("must be 0 (v1), got {v}"),
                    ));
                }
                return Err(Error::invalid(
                    "csr",
                    format!("is not a valid PKCS#10 request: {e}"),
                ));
            }
        };
        if req.info.version != Version::V1 {
            return Err(Error::invalid("csr.version", "must be 0 (v1)"));
        }
        let sig_alg = alg::signature_algorithm(&req.algorithm)
            .map_err(|r| Error::invalid("csr.signature_algorithm", r.0))?;
        let spki = req.info.public_key.clone();
        let key_type = alg::key_type(&spki).map_err(|r| Error::invalid("csr.public_key", r.0))?;
        let sig = req
            .signature
            .as_bytes()
            .ok_or_else(|| Error::invalid("csr.signature", "bit string has unused bits"))?;
        alg::verify(&spki, key_type, sig_alg, signed, sig).map_err(|r| {
            Error::invalid(
                "csr.signature",
                format!("{} (no proof of possession of the key)", r.0),
            )
        })?;
        let (dns_names, ip_addresses, uris) = requested_sans(&req)?;
        let spki_der = spki
            .to_der()
            .map_err(|_| Error::invalid("csr.public_key", "cannot be re-encoded"))?;
        let subject_der = req
            .info
            .subject
            .to_der()
            .map_err(|_| Error::invalid("csr.subject", "cannot be re-encoded"))?;
        Ok(Csr {
            der: der.to_vec(),
            spki_der,
            spki,
            key_type,
            signature_algorithm: sig_alg,
            subject_der,
            subject: std::sync::OnceLock::new(),
            dns_names,
            ip_addresses,
            uris,
        })
    }

    /// The CSR as DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The CSR as PEM.
    pub fn to_pem(&self) -> String {
        pem::encode("CERTIFICATE REQUEST", &self.der)
    }

    /// The requested key's SubjectPublicKeyInfo (DER).
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// The requested key's type.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// The algorithm the CSR was signed with.
    pub fn signature_algorithm(&self) -> SignatureAlgorithm {
        self.signature_algorithm
    }

    /// The requested subject, RFC 4514 style (`CN=router1,O=acme`).
    pub fn subject(&self) -> &str {
        // Made on first use: issuance copies the subject as DER, and naming
        // its attribute types costs as much as the rest of the parse.
        self.subject
            .get_or_init(|| super::cert::name_text(&self.subject_der))
    }

    /// The requested subject as DER.
    pub fn subject_der(&self) -> &[u8] {
        &self.subject_der
    }

    /// DNS names requested in the extensionRequest's subjectAltName.
    pub fn dns_names(&self) -> &[String] {
        &self.dns_names
    }

    /// IP addresses requested in the extensionRequest's subjectAltName.
    pub fn ip_addresses(&self) -> &[IpAddr] {
        &self.ip_addresses
    }

    /// URIs requested in the extensionRequest's subjectAltName (never copied
    /// into issued certificates: the CA sets the SPIFFE id itself).
    pub fn uris(&self) -> &[String] {
        &self.uris
    }

    pub(crate) fn spki(&self) -> &SubjectPublicKeyInfoOwned {
        &self.spki
    }
}

/// The INTEGER version at the start of a CertificationRequestInfo, if it is
/// a small one.
fn request_version(info: &[u8]) -> Option<u64> {
    let (tag, content, _) = w::read(info)?;
    if tag != w::SEQUENCE {
        return None;
    }
    let (tag, v, _) = w::read(content)?;
    if tag != w::INTEGER || v.is_empty() || v.len() > 8 || v[0] & 0x80 != 0 {
        return None;
    }
    Some(v.iter().fold(0u64, |a, b| (a << 8) | u64::from(*b)))
}

type Sans = (Vec<String>, Vec<IpAddr>, Vec<String>);

/// The DNS names, IPs and URIs of the requested subjectAltName.
fn requested_sans(req: &CertReq) -> Result<Sans> {
    let bad = |why: String| Error::invalid("csr.extensions", why);
    let mut out: Sans = (Vec::new(), Vec::new(), Vec::new());
    let mut seen_ext_req = false;
    for attr in req.info.attributes.iter() {
        if attr.oid != OID_EXTENSION_REQ {
            continue;
        }
        if seen_ext_req || attr.values.len() != 1 {
            return Err(bad(
                "extensionRequest must appear once with one value".into()
            ));
        }
        seen_ext_req = true;
        let Some(value) = attr.values.iter().next() else {
            continue;
        };
        let bytes = value
            .to_der()
            .map_err(|_| bad("extensionRequest cannot be re-encoded".into()))?;
        let exts = ExtensionReq::from_der(&bytes)
            .map_err(|e| bad(format!("extensionRequest is malformed: {e}")))?;
        let mut oids = Vec::new();
        for ext in &exts.0 {
            if oids.contains(&ext.extn_id) {
                return Err(bad(format!("extension {} is requested twice", ext.extn_id)));
            }
            oids.push(ext.extn_id);
            if ext.extn_id != OID_SAN {
                continue; // requested extensions other than SANs are ignored
            }
            let san = SubjectAltName::from_der(ext.extn_value.as_bytes())
                .map_err(|e| bad(format!("subjectAltName is malformed: {e}")))?;
            for name in san.0 {
                match name {
                    GeneralName::DnsName(d) => out.0.push(d.to_string()),
                    GeneralName::IpAddress(ip) => {
                        out.1.push(ip_from_bytes(ip.as_bytes()).ok_or_else(|| {
                            bad("subjectAltName IP address must be 4 or 16 bytes".into())
                        })?)
                    }
                    GeneralName::UniformResourceIdentifier(u) => out.2.push(u.to_string()),
                    _ => {}
                }
            }
        }
    }
    Ok(out)
}

pub(crate) fn ip_from_bytes(b: &[u8]) -> Option<IpAddr> {
    match b.len() {
        4 => <[u8; 4]>::try_from(b).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(b).ok().map(IpAddr::from),
        _ => None,
    }
}
