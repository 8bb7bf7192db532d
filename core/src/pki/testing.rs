//! Test CA helpers: build certificates with any combination of the fields
//! the verifier checks (including broken ones), signed by in-memory ring
//! keys. Not for production use (feature `testing`).

use ring::rand::SystemRandom;
use ring::signature::{self as rs, EcdsaKeyPair, KeyPair};

use super::alg::{OID_EC_PUBLIC_KEY, OID_ECDSA_SHA256, OID_P256};
use super::cert::{self, CertSigner, TbsSpec};
use super::der as w;
use super::pem;
use crate::error::{Error, Result};

/// keyUsage digitalSignature.
pub const KU_DIGITAL_SIGNATURE: u16 = cert::KU_DIGITAL_SIGNATURE;
/// keyUsage keyCertSign.
pub const KU_KEY_CERT_SIGN: u16 = cert::KU_KEY_CERT_SIGN;
/// keyUsage cRLSign.
pub const KU_CRL_SIGN: u16 = cert::KU_CRL_SIGN;
/// id-kp-clientAuth.
pub const EKU_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
/// id-kp-serverAuth.
pub const EKU_SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";

/// A P-256 key held in memory (tests only).
pub struct TestKey {
    pair: EcdsaKeyPair,
    pkcs8: Vec<u8>,
    rng: SystemRandom,
}

impl std::fmt::Debug for TestKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TestKey(P-256)")
    }
}

impl TestKey {
    /// A new P-256 key.
    ///
    /// # Errors
    /// [`Error::Random`] when the generator fails.
    pub fn generate() -> Result<TestKey> {
        let rng = SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(&rs::ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
            .map_err(|_| Error::Random)?;
        let pair =
            EcdsaKeyPair::from_pkcs8(&rs::ECDSA_P256_SHA256_ASN1_SIGNING, doc.as_ref(), &rng)
                .map_err(|_| Error::Internal("ring rejected its own key"))?;
        Ok(TestKey {
            pair,
            pkcs8: doc.as_ref().to_vec(),
            rng,
        })
    }

    /// The SubjectPublicKeyInfo (DER).
    pub fn spki_der(&self) -> Vec<u8> {
        w::seq(&[
            &w::seq(&[
                &w::oid(OID_EC_PUBLIC_KEY.as_bytes()),
                &w::oid(OID_P256.as_bytes()),
            ]),
            &w::bit_string(self.pair.public_key().as_ref()),
        ])
    }

    /// The private key, PKCS#8 DER.
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }
}

impl CertSigner for TestKey {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
        self.pair
            .sign(&self.rng, msg)
            .map(|s| s.as_ref().to_vec())
            .map_err(|_| Error::Random)
    }
}

/// Every field of a test certificate. Start from [`CertSpec::ca`] or
/// [`CertSpec::leaf`] and break what the test needs.
#[derive(Clone, Debug)]
pub struct CertSpec {
    /// Subject commonName.
    pub cn: String,
    /// basicConstraints: `None` omits the extension; `Some((ca, pathLen))`.
    pub basic_constraints: Option<(bool, Option<u8>)>,
    /// keyUsage bits (`None` omits the extension).
    pub key_usage: Option<u16>,
    /// extendedKeyUsage OIDs (`None` omits the extension).
    pub eku: Option<Vec<&'static str>>,
    /// Serial number: the DER INTEGER content bytes, used as given.
    pub serial: Vec<u8>,
    /// notBefore (Unix seconds).
    pub not_before: i64,
    /// notAfter (Unix seconds).
    pub not_after: i64,
    /// Include subjectKeyIdentifier.
    pub ski: bool,
    /// Include authorityKeyIdentifier (the issuer's key id).
    pub aki: bool,
    /// Extra extensions: (OID, critical, DER value).
    pub extra: Vec<(&'static str, bool, Vec<u8>)>,
    /// A SubjectPublicKeyInfo to certify instead of the new key's (to make
    /// certificates for weak keys nobody holds).
    pub spki_override: Option<Vec<u8>>,
    /// SAN URIs.
    pub uris: Vec<String>,
}

impl CertSpec {
    /// A CA valid around `now` (cA=TRUE, keyCertSign|cRLSign, SKI, AKI).
    pub fn ca(cn: &str, now: i64) -> CertSpec {
        CertSpec {
            cn: cn.to_owned(),
            basic_constraints: Some((true, None)),
            key_usage: Some(KU_KEY_CERT_SIGN | KU_CRL_SIGN),
            eku: None,
            serial: vec![0x11, 0x22, 0x33],
            not_before: now - 3600,
            not_after: now + 365 * 86_400,
            ski: true,
            aki: true,
            extra: Vec::new(),
            spki_override: None,
            uris: Vec::new(),
        }
    }

    /// A client leaf valid around `now` (cA=FALSE, digitalSignature,
    /// clientAuth, SKI, AKI).
    pub fn leaf(cn: &str, now: i64) -> CertSpec {
        CertSpec {
            basic_constraints: Some((false, None)),
            key_usage: Some(KU_DIGITAL_SIGNATURE),
            eku: Some(vec![EKU_CLIENT_AUTH]),
            serial: vec![0x44, 0x55],
            not_after: now + 86_400,
            ..CertSpec::ca(cn, now)
        }
    }
}

/// A test certificate and its private key.
#[derive(Debug)]
pub struct TestCert {
    /// The certificate (DER).
    pub der: Vec<u8>,
    /// Its key.
    pub key: TestKey,
    spki: Vec<u8>,
}

impl TestCert {
    /// A self-signed certificate from `spec`.
    ///
    /// # Errors
    /// [`Error::Random`]; [`Error::InvalidInput`] for a bad OID in `spec`.
    pub fn self_signed(spec: &CertSpec) -> Result<TestCert> {
        let key = TestKey::generate()?;
        let spki = spec.spki_override.clone().unwrap_or_else(|| key.spki_der());
        let kid = key_id_of(&spki)?;
        let name = cert::cn_name(&spec.cn);
        let der = build(spec, &key, &name, &name, &spki, &kid, &kid)?;
        Ok(TestCert { der, key, spki })
    }

    /// A certificate from `spec` signed by this one.
    ///
    /// # Errors
    /// As [`TestCert::self_signed`].
    pub fn issue(&self, spec: &CertSpec) -> Result<TestCert> {
        let key = TestKey::generate()?;
        let spki = spec.spki_override.clone().unwrap_or_else(|| key.spki_der());
        let kid = key_id_of(&spki)?;
        let issuer_kid = key_id_of(&self.spki)?;
        let issuer_der = subject_der(&self.der)?;
        let name = cert::cn_name(&spec.cn);
        let der = build(
            spec,
            &self.key,
            &issuer_der,
            &name,
            &spki,
            &kid,
            &issuer_kid,
        )?;
        Ok(TestCert { der, key, spki })
    }

    /// The certificate as PEM.
    pub fn pem(&self) -> String {
        pem::encode("CERTIFICATE", &self.der)
    }

    /// The private key as PKCS#8 PEM.
    pub fn key_pem(&self) -> String {
        pem::encode("PRIVATE KEY", self.key.pkcs8_der())
    }
}

fn subject_der(der: &[u8]) -> Result<Vec<u8>> {
    Ok(cert::Parsed::from_der(der)?.subject_der)
}

fn key_id_of(spki: &[u8]) -> Result<Vec<u8>> {
    use der::Decode;
    let s = spki::SubjectPublicKeyInfoOwned::from_der(spki)
        .map_err(|_| Error::invalid("spki_override", "is not a SubjectPublicKeyInfo"))?;
    Ok(cert::key_id(&s))
}

fn build(
    spec: &CertSpec,
    signer: &TestKey,
    issuer: &[u8],
    subject: &[u8],
    spki: &[u8],
    kid: &[u8],
    issuer_kid: &[u8],
) -> Result<Vec<u8>> {
    let mut exts = Vec::new();
    if let Some((ca, pl)) = spec.basic_constraints {
        exts.push(cert::extension(
            cert::OID_BASIC_CONSTRAINTS,
            true,
            &cert::basic_constraints(ca, pl),
        ));
    }
    if let Some(ku) = spec.key_usage {
        exts.push(cert::extension(
            cert::OID_KEY_USAGE,
            true,
            &cert::key_usage(ku),
        ));
    }
    if let Some(eku) = &spec.eku {
        let oids = eku
            .iter()
            .map(|o| der::asn1::ObjectIdentifier::new(o))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| Error::invalid("eku", "bad OID"))?;
        exts.push(cert::extension(cert::OID_EKU, false, &cert::eku(&oids)));
    }
    if spec.ski {
        exts.push(cert::extension(cert::OID_SKI, false, &cert::ski(kid)));
    }
    if spec.aki {
        exts.push(cert::extension(
            cert::OID_AKI,
            false,
            &cert::aki(issuer_kid),
        ));
    }
    if !spec.uris.is_empty() {
        exts.push(cert::extension(
            super::csr::OID_SAN,
            false,
            &cert::san(&[], &[], &spec.uris),
        ));
    }
    for (oid, critical, value) in &spec.extra {
        let oid = der::asn1::ObjectIdentifier::new(oid)
            .map_err(|_| Error::invalid("extra", "bad OID"))?;
        exts.push(cert::extension(oid, *critical, value));
    }
    let sig_alg = w::seq(&[&w::oid(OID_ECDSA_SHA256.as_bytes())]);
    let tbs = TbsSpec {
        serial: &spec.serial,
        sig_alg_der: &sig_alg,
        issuer_der: issuer,
        not_before: spec.not_before,
        not_after: spec.not_after,
        subject_der: subject,
        spki_der: spki,
        extensions: &exts,
    };
    cert::sign_cert(signer, &tbs)
}

/// A SubjectPublicKeyInfo of an RSA key of `bits` bits (random modulus,
/// e = 65537; nobody holds its private key).
pub fn rsa_spki(bits: usize) -> Vec<u8> {
    let mut n = vec![0xc3u8; bits / 8];
    n[0] = 0xc1;
    let rsa_key = w::seq(&[&w::uint(&n), &w::uint(&[1, 0, 1])]);
    w::seq(&[
        &w::seq(&[&w::oid(super::alg::OID_RSA.as_bytes()), &w::tlv(0x05, &[])]),
        &w::bit_string(&rsa_key),
    ])
}

/// A SubjectPublicKeyInfo on P-192 (nobody holds its private key).
pub fn p192_spki() -> Vec<u8> {
    let curve = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.1");
    let mut point = vec![4u8];
    point.extend_from_slice(&[0x5a; 48]);
    w::seq(&[
        &w::seq(&[
            &w::oid(OID_EC_PUBLIC_KEY.as_bytes()),
            &w::oid(curve.as_bytes()),
        ]),
        &w::bit_string(&point),
    ])
}
