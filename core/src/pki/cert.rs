//! Certificates: parsing into what the checks need, a public summary
//! ([`CertInfo`]), and building a TBSCertificate and signing it through a
//! [`KeyManager`].

use std::net::IpAddr;

use der::asn1::ObjectIdentifier as Oid;
use der::{Decode, Encode, Tagged};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAltName,
    SubjectKeyIdentifier,
};

use super::alg::{self, KeyType, Refused, SignatureAlgorithm};
use super::csr::{OID_SAN, ip_from_bytes};
use super::{der as w, pem};
use crate::encoding::hex_encode;
use crate::error::{Error, Result};
use crate::kms::{KeyId, KeyManager};
use crate::services::UnixTime;

pub(crate) const OID_BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
pub(crate) const OID_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.15");
pub(crate) const OID_EKU: Oid = Oid::new_unwrap("2.5.29.37");
pub(crate) const OID_SKI: Oid = Oid::new_unwrap("2.5.29.14");
pub(crate) const OID_AKI: Oid = Oid::new_unwrap("2.5.29.35");
/// Extensions a verifier may see marked critical and still understand.
const OID_NAME_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.30");
const OID_CERT_POLICIES: Oid = Oid::new_unwrap("2.5.29.32");
const OID_POLICY_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.36");
/// id-kp-serverAuth.
pub(crate) const OID_SERVER_AUTH: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.1");
/// id-kp-clientAuth.
pub(crate) const OID_CLIENT_AUTH: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.2");
const OID_CN: Oid = Oid::new_unwrap("2.5.4.3");

/// keyUsage bits (RFC 5280 §4.2.1.3), as numbered in the BIT STRING.
pub(crate) const KU_DIGITAL_SIGNATURE: u16 = 1 << 0;
pub(crate) const KU_KEY_ENCIPHERMENT: u16 = 1 << 2;
pub(crate) const KU_KEY_CERT_SIGN: u16 = 1 << 5;
pub(crate) const KU_CRL_SIGN: u16 = 1 << 6;

/// Largest certificate accepted, in bytes.
pub const MAX_CERT_BYTES: usize = 64 * 1024;
/// Most certificates accepted in one chain or bundle.
pub const MAX_CHAIN_CERTS: usize = 16;

/// The extensions the checks read.
#[derive(Clone, Debug, Default)]
pub(crate) struct Exts {
    /// (cA, pathLenConstraint, critical).
    pub(crate) basic_constraints: Option<(bool, Option<u8>, bool)>,
    pub(crate) key_usage: Option<u16>,
    pub(crate) eku: Option<Vec<Oid>>,
    pub(crate) ski: Option<Vec<u8>>,
    pub(crate) aki: Option<Vec<u8>>,
    pub(crate) dns: Vec<String>,
    pub(crate) ips: Vec<IpAddr>,
    pub(crate) uris: Vec<String>,
    /// Critical extensions this module does not process.
    pub(crate) unknown_critical: Vec<Oid>,
}

/// A certificate parsed for verification. Parsing checks structure only;
/// algorithm and key refusals are kept so a verifier can report them at
/// the certificate they concern.
#[derive(Clone, Debug)]
pub(crate) struct Parsed {
    pub(crate) der: Vec<u8>,
    pub(crate) tbs: std::ops::Range<usize>,
    pub(crate) version: u8,
    pub(crate) sig_alg: Result<SignatureAlgorithm, Refused>,
    pub(crate) signature: Vec<u8>,
    pub(crate) spki: SubjectPublicKeyInfoOwned,
    pub(crate) spki_der: Vec<u8>,
    pub(crate) key_type: Result<KeyType, Refused>,
    pub(crate) subject_der: Vec<u8>,
    pub(crate) issuer_der: Vec<u8>,
    pub(crate) serial: Vec<u8>,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
    pub(crate) exts: Exts,
}

impl Parsed {
    /// The subject, RFC 4514 style. Computed on demand: naming the
    /// attribute types walks const-oid's name table, which costs more than
    /// the rest of a parse, and path validation never needs it.
    pub(crate) fn subject(&self) -> String {
        name_text(&self.subject_der)
    }

    /// Parses one DER certificate.
    pub(crate) fn from_der(der: &[u8]) -> Result<Parsed> {
        let bad = |why: String| Error::invalid("certificate", why);
        if der.len() > MAX_CERT_BYTES {
            return Err(bad(format!(
                "must be at most {MAX_CERT_BYTES} bytes, got {}",
                der.len()
            )));
        }
        let tbs = w::signed_part(der).ok_or_else(|| bad("is not a DER SEQUENCE".into()))?;
        // signed_part returns a sub-slice of `der` starting after the outer header
        let start = tbs.as_ptr() as usize - der.as_ptr() as usize;
        let cert = Certificate::from_der(der)
            .map_err(|e| bad(format!("is not a valid X.509 certificate: {e}")))?;
        if cert.to_der().ok().as_deref() != Some(der) {
            return Err(bad("is not in canonical DER (re-encoding differs)".into()));
        }
        let t = cert.tbs_certificate();
        if t.signature() != cert.signature_algorithm() {
            return Err(bad("the inner and outer signature algorithms differ".into()));
        }
        let version = t.version() as u8;
        let spki = t.subject_public_key_info().clone();
        let spki_der = spki
            .to_der()
            .map_err(|_| bad("public key cannot be re-encoded".into()))?;
        let subject_der = t
            .subject()
            .to_der()
            .map_err(|_| bad("subject cannot be re-encoded".into()))?;
        let issuer_der = t
            .issuer()
            .to_der()
            .map_err(|_| bad("issuer cannot be re-encoded".into()))?;
        let signature = cert
            .signature()
            .as_bytes()
            .ok_or_else(|| bad("signature bit string has unused bits".into()))?
            .to_vec();
        let validity = t.validity();
        let secs = |tm: x509_cert::time::Time| {
            i64::try_from(tm.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
        };
        let mut exts = Exts::default();
        let mut seen: Vec<Oid> = Vec::new();
        for ext in t.extensions().map(|e| e.as_slice()).unwrap_or_default() {
            if seen.contains(&ext.extn_id) {
                return Err(bad(format!("extension {} appears twice", ext.extn_id)));
            }
            seen.push(ext.extn_id);
            let v = ext.extn_value.as_bytes();
            let malformed = |name: &str| bad(format!("{name} extension is malformed"));
            match ext.extn_id {
                OID_BASIC_CONSTRAINTS => {
                    let bc =
                        BasicConstraints::from_der(v).map_err(|_| malformed("basicConstraints"))?;
                    exts.basic_constraints = Some((bc.ca, bc.path_len_constraint, ext.critical));
                }
                OID_KEY_USAGE => {
                    let ku = KeyUsage::from_der(v).map_err(|_| malformed("keyUsage"))?;
                    exts.key_usage = Some(ku.0.bits());
                }
                OID_EKU => {
                    let eku =
                        ExtendedKeyUsage::from_der(v).map_err(|_| malformed("extendedKeyUsage"))?;
                    if eku.0.is_empty() {
                        return Err(malformed("extendedKeyUsage (empty)"));
                    }
                    exts.eku = Some(eku.0);
                }
                OID_SKI => {
                    let ski = SubjectKeyIdentifier::from_der(v)
                        .map_err(|_| malformed("subjectKeyIdentifier"))?;
                    exts.ski = Some(ski.0.as_bytes().to_vec());
                }
                OID_AKI => {
                    let aki = AuthorityKeyIdentifier::from_der(v)
                        .map_err(|_| malformed("authorityKeyIdentifier"))?;
                    exts.aki = aki.key_identifier.map(|k| k.as_bytes().to_vec());
                }
                OID_SAN => {
                    let san =
                        SubjectAltName::from_der(v).map_err(|_| malformed("subjectAltName"))?;
                    if san.0.is_empty() {
                        return Err(malformed("subjectAltName (empty)"));
                    }
                    for name in san.0 {
                        match name {
                            GeneralName::DnsName(d) => exts.dns.push(d.to_string()),
                            GeneralName::IpAddress(ip) => exts.ips.push(
                                ip_from_bytes(ip.as_bytes())
                                    .ok_or_else(|| malformed("subjectAltName"))?,
                            ),
                            GeneralName::UniformResourceIdentifier(u) => {
                                exts.uris.push(u.to_string());
                            }
                            _ => {}
                        }
                    }
                }
                OID_NAME_CONSTRAINTS | OID_CERT_POLICIES | OID_POLICY_CONSTRAINTS
                    if ext.critical =>
                {
                    // Not processed: a critical one is refused like any
                    // other unknown critical extension.
                    exts.unknown_critical.push(ext.extn_id);
                }
                other if ext.critical => exts.unknown_critical.push(other),
                _ => {}
            }
        }
        Ok(Parsed {
            der: der.to_vec(),
            tbs: start..start + tbs.len(),
            version,
            sig_alg: alg::signature_algorithm(cert.signature_algorithm()),
            signature,
            key_type: alg::key_type(&spki),
            spki,
            spki_der,
            subject_der,
            issuer_der,
            serial: t.serial_number().as_bytes().to_vec(),
            not_before: secs(validity.not_before),
            not_after: secs(validity.not_after),
            exts,
        })
    }

    pub(crate) fn tbs(&self) -> &[u8] {
        &self.der[self.tbs.clone()]
    }

    /// Whether `issuer` signed this certificate (`Err` says why not).
    pub(crate) fn signed_by(&self, issuer: &Parsed) -> Result<(), Refused> {
        let alg = self.sig_alg.clone()?;
        let kt = issuer.key_type.clone()?;
        alg::verify(&issuer.spki, kt, alg, self.tbs(), &self.signature)
    }

    pub(crate) fn is_ca(&self) -> bool {
        matches!(self.exts.basic_constraints, Some((true, _, _)))
    }

    pub(crate) fn self_issued(&self) -> bool {
        self.subject_der == self.issuer_der
    }

    pub(crate) fn fingerprint(&self) -> String {
        fingerprint(&self.der)
    }

    pub(crate) fn info(&self) -> CertInfo {
        CertInfo {
            der: self.der.clone(),
            subject: self.subject(),
            common_name: common_name(&self.subject_der),
            serial_hex: hex_encode(&self.serial),
            fingerprint: self.fingerprint(),
            not_before: UnixTime(self.not_before),
            not_after: UnixTime(self.not_after),
            key_type: self.key_type.clone().ok(),
            spki_der: self.spki_der.clone(),
            is_ca: self.is_ca(),
            dns_names: self.exts.dns.clone(),
            ip_addresses: self.exts.ips.clone(),
            uris: self.exts.uris.clone(),
        }
    }
}

/// Lower-case hex SHA-256 of `der` (the `cert_fingerprint` form of the
/// identities domain).
pub fn fingerprint(der: &[u8]) -> String {
    hex_encode(ring::digest::digest(&ring::digest::SHA256, der).as_ref())
}

/// The first commonName of a DER Name, if it is a UTF8String,
/// PrintableString or IA5String.
fn common_name(name_der: &[u8]) -> Option<String> {
    let name = x509_cert::name::Name::from_der(name_der).ok()?;
    for atv in name.iter() {
        if atv.oid == OID_CN {
            let v = &atv.value;
            if matches!(
                v.tag(),
                der::Tag::Utf8String | der::Tag::PrintableString | der::Tag::Ia5String
            ) {
                return std::str::from_utf8(v.value()).ok().map(str::to_owned);
            }
        }
    }
    None
}

/// What a certificate says, for callers (enrollment, authentication, the
/// CLI). Made by [`CertInfo::from_der`] / [`CertInfo::from_pem`]; structure is
/// checked, the signature is not (use [`super::verify_chain`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CertInfo {
    /// The certificate (DER).
    pub der: Vec<u8>,
    /// The subject, RFC 4514 style.
    pub subject: String,
    /// The subject's first commonName, if any.
    pub common_name: Option<String>,
    /// The serial number, lower-case hex of its DER INTEGER content.
    pub serial_hex: String,
    /// Lower-case hex SHA-256 of the DER.
    pub fingerprint: String,
    /// Start of validity.
    pub not_before: UnixTime,
    /// End of validity.
    pub not_after: UnixTime,
    /// The public key's type, or `None` when it is one this module refuses.
    pub key_type: Option<KeyType>,
    /// The SubjectPublicKeyInfo (DER).
    pub spki_der: Vec<u8>,
    /// basicConstraints cA is true.
    pub is_ca: bool,
    /// subjectAltName DNS names.
    pub dns_names: Vec<String>,
    /// subjectAltName IP addresses.
    pub ip_addresses: Vec<IpAddr>,
    /// subjectAltName URIs (the SPIFFE id of issued certificates).
    pub uris: Vec<String>,
}

impl CertInfo {
    /// Parses one DER certificate.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `certificate` and what is wrong.
    pub fn from_der(der: &[u8]) -> Result<CertInfo> {
        Ok(Parsed::from_der(der)?.info())
    }

    /// Parses the single certificate of a PEM text.
    ///
    /// # Errors
    /// As [`CertInfo::from_der`]; also when the text holds no or several
    /// certificates.
    pub fn from_pem(text: &str) -> Result<CertInfo> {
        let mut certs = parse_chain_pem(text)?;
        if certs.len() != 1 {
            return Err(Error::invalid(
                "certificate",
                format!("expected one CERTIFICATE block, got {}", certs.len()),
            ));
        }
        Self::from_der(&certs.remove(0))
    }

    /// The certificate as PEM.
    pub fn to_pem(&self) -> String {
        pem::encode("CERTIFICATE", &self.der)
    }
}

/// The DER certificates of a PEM text, in order (text between blocks and
/// blocks with other labels are ignored). Each is checked to parse.
///
/// # Errors
/// [`Error::InvalidInput`] naming `certificate_chain` when the PEM is
/// malformed, holds no certificate or more than [`MAX_CHAIN_CERTS`], or a
/// certificate does not parse.
pub fn parse_chain_pem(text: &str) -> Result<Vec<Vec<u8>>> {
    if text.len() > MAX_CERT_BYTES * MAX_CHAIN_CERTS {
        return Err(Error::invalid(
            "certificate_chain",
            format!(
                "must be at most {} bytes, got {}",
                MAX_CERT_BYTES * MAX_CHAIN_CERTS,
                text.len()
            ),
        ));
    }
    let certs: Vec<Vec<u8>> = pem::decode_all("certificate_chain", text)?
        .into_iter()
        .filter(|(l, _)| l == "CERTIFICATE")
        .map(|(_, d)| d)
        .collect();
    if certs.is_empty() {
        return Err(Error::invalid(
            "certificate_chain",
            "holds no CERTIFICATE block",
        ));
    }
    if certs.len() > MAX_CHAIN_CERTS {
        return Err(Error::invalid(
            "certificate_chain",
            format!(
                "must hold at most {MAX_CHAIN_CERTS} certificates, got {}",
                certs.len()
            ),
        ));
    }
    for c in &certs {
        Parsed::from_der(c)?;
    }
    Ok(certs)
}

// ---- building ---------------------------------------------------------

/// One extension: `SEQUENCE { extnID, critical DEFAULT FALSE, extnValue }`.
pub(crate) fn extension(id: Oid, critical: bool, value: &[u8]) -> Vec<u8> {
    let o = w::oid(id.as_bytes());
    let v = w::tlv(w::OCTET_STRING, value);
    if critical {
        w::seq(&[&o, &w::bool_true(), &v])
    } else {
        w::seq(&[&o, &v])
    }
}

/// basicConstraints value.
pub(crate) fn basic_constraints(ca: bool, path_len: Option<u8>) -> Vec<u8> {
    let mut parts: Vec<Vec<u8>> = Vec::new();
    if ca {
        parts.push(w::bool_true());
        if let Some(n) = path_len {
            parts.push(w::small_uint(u64::from(n)));
        }
    }
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    w::seq(&refs)
}

/// keyUsage value: a named-bit BIT STRING without trailing zero bits.
pub(crate) fn key_usage(bits: u16) -> Vec<u8> {
    // bit n of `bits` is bit n of the BIT STRING (MSB first)
    let mut bytes = [0u8; 2];
    for n in 0..9u16 {
        if bits & (1 << n) != 0 {
            bytes[usize::from(n / 8)] |= 0x80 >> (n % 8);
        }
    }
    let len = if bytes[1] != 0 { 2 } else { 1 };
    let last = bytes[len - 1];
    let unused = if last == 0 {
        0
    } else {
        last.trailing_zeros() as u8
    };
    let mut c = vec![unused];
    c.extend_from_slice(&bytes[..len]);
    w::tlv(w::BIT_STRING, &c)
}

/// extendedKeyUsage value.
pub(crate) fn eku(oids: &[Oid]) -> Vec<u8> {
    let items: Vec<Vec<u8>> = oids.iter().map(|o| w::oid(o.as_bytes())).collect();
    let refs: Vec<&[u8]> = items.iter().map(Vec::as_slice).collect();
    w::seq(&refs)
}

/// subjectKeyIdentifier value.
pub(crate) fn ski(id: &[u8]) -> Vec<u8> {
    w::tlv(w::OCTET_STRING, id)
}

/// authorityKeyIdentifier value with only the key identifier.
pub(crate) fn aki(id: &[u8]) -> Vec<u8> {
    w::seq(&[&w::tlv(0x80, id)])
}

/// subjectAltName value.
pub(crate) fn san(dns: &[String], ips: &[IpAddr], uris: &[String]) -> Vec<u8> {
    let mut items = Vec::new();
    for u in uris {
        items.push(w::tlv(0x86, u.as_bytes()));
    }
    for d in dns {
        items.push(w::tlv(0x82, d.as_bytes()));
    }
    for ip in ips {
        match ip {
            IpAddr::V4(a) => items.push(w::tlv(0x87, &a.octets())),
            IpAddr::V6(a) => items.push(w::tlv(0x87, &a.octets())),
        }
    }
    let refs: Vec<&[u8]> = items.iter().map(Vec::as_slice).collect();
    w::seq(&refs)
}

/// Key identifier of a SubjectPublicKeyInfo: the leftmost 160 bits of the
/// SHA-256 of the subjectPublicKey bits (RFC 7093 §2 method 1).
pub(crate) fn key_id(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    let bits = spki.subject_public_key.raw_bytes();
    ring::digest::digest(&ring::digest::SHA256, bits).as_ref()[..20].to_vec()
}

/// A Name with one commonName (UTF8String).
pub(crate) fn cn_name(cn: &str) -> Vec<u8> {
    let atv = w::seq(&[
        &w::oid(OID_CN.as_bytes()),
        &w::tlv(w::UTF8_STRING, cn.as_bytes()),
    ]);
    let rdn = w::cons(w::SET, &[&atv]);
    w::seq(&[&rdn])
}

/// The fields of a certificate to build.
pub(crate) struct TbsSpec<'a> {
    pub(crate) serial: &'a [u8],
    pub(crate) sig_alg_der: &'a [u8],
    pub(crate) issuer_der: &'a [u8],
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
    pub(crate) subject_der: &'a [u8],
    pub(crate) spki_der: &'a [u8],
    pub(crate) extensions: &'a [Vec<u8>],
}

/// DER TBSCertificate (v3).
pub(crate) fn build_tbs(s: &TbsSpec<'_>) -> Vec<u8> {
    let version = w::explicit(0, &w::small_uint(2));
    let serial = w::tlv(w::INTEGER, s.serial);
    let validity = w::seq(&[&w::time(s.not_before), &w::time(s.not_after)]);
    let refs: Vec<&[u8]> = s.extensions.iter().map(Vec::as_slice).collect();
    let exts = if refs.is_empty() {
        Vec::new()
    } else {
        w::explicit(3, &w::seq(&refs))
    };
    w::seq(&[
        &version,
        &serial,
        s.sig_alg_der,
        s.issuer_der,
        &validity,
        s.subject_der,
        s.spki_der,
        &exts,
    ])
}

/// `Certificate ::= SEQUENCE { tbs, signatureAlgorithm, signatureValue }`.
pub(crate) fn assemble(tbs: &[u8], sig_alg_der: &[u8], signature: &[u8]) -> Vec<u8> {
    w::seq(&[tbs, sig_alg_der, &w::bit_string(signature)])
}

/// Something that signs certificates: a KeyManager key or, in tests, a
/// ring key pair.
pub(crate) trait CertSigner {
    /// The X.509 signature value over `msg` (DER `Ecdsa-Sig-Value` for
    /// ECDSA, 64 raw bytes for Ed25519).
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>>;
}

/// Signs with a [`KeyManager`] key (so a PKCS#11 key works unchanged).
pub(crate) struct KmsSigner<'a> {
    pub(crate) keys: &'a dyn KeyManager,
    pub(crate) id: &'a KeyId,
    pub(crate) key_type: KeyType,
}

impl CertSigner for KmsSigner<'_> {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
        let sig = self.keys.sign(self.id, msg)?;
        match self.key_type {
            KeyType::EcP256 | KeyType::EcP384 => {
                let want = if self.key_type == KeyType::EcP256 {
                    64
                } else {
                    96
                };
                if sig.len() != want {
                    return Err(Error::Internal(
                        "key manager returned an ECDSA signature of the wrong size",
                    ));
                }
                w::ecdsa_fixed_to_der(&sig)
                    .ok_or(Error::Internal("cannot encode the ECDSA signature"))
            }
            KeyType::Ed25519 => Ok(sig),
            KeyType::Rsa { .. } => Err(Error::Internal("RSA issuing keys are not supported")),
        }
    }
}

/// Builds and signs a certificate; returns its DER.
pub(crate) fn sign_cert(signer: &dyn CertSigner, spec: &TbsSpec<'_>) -> Result<Vec<u8>> {
    let tbs = build_tbs(spec);
    let sig = signer.sign(&tbs)?;
    Ok(assemble(&tbs, spec.sig_alg_der, &sig))
}

/// A DER Name as RFC 4514 text (empty if it does not decode, which cannot
/// happen for DER this module re-encoded itself).
pub(crate) fn name_text(der: &[u8]) -> String {
    use x509_cert::der::Decode as _;
    x509_cert::name::Name::from_der(der)
        .map(|n| n.to_string())
        .unwrap_or_default()
}
