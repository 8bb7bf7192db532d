//! The per-tenant internal CA: creation (self-signed root) or import (chain +
//! KeyManager key reference), bundles, and certificate issuance.

use std::net::IpAddr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::alg::KeyType;
use super::cert::{
    self, CertInfo, KU_CRL_SIGN, KU_DIGITAL_SIGNATURE, KU_KEY_CERT_SIGN, KU_KEY_ENCIPHERMENT,
    KmsSigner, OID_AKI, OID_BASIC_CONSTRAINTS, OID_CLIENT_AUTH, OID_EKU, OID_KEY_USAGE,
    OID_SERVER_AUTH, OID_SKI, Parsed, TbsSpec,
};
use super::csr::{Csr, OID_SAN};
use super::verify::{TrustAnchors, VerifiedChain, VerifyOptions, verify_chain};
use super::{alg, pem, pkcs7};
use crate::audit;
use crate::codec::{self, bytes::ByteBuf};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::kms::{KeyAlgorithm, KeyId, KeyManager};
use crate::namespace::TenantId;
use crate::policy::Policy;
use crate::services::{SecureRandom, UnixTime};
use crate::store::{Op, Table, Version};

/// Longest trust domain (SPIFFE: 255 characters).
pub const MAX_TRUST_DOMAIN_LEN: usize = 255;
/// Longest identity id placed in a SPIFFE path.
pub const MAX_IDENTITY_ID_LEN: usize = 128;
/// Most subjectAltNames (DNS + IP) on a router server certificate.
pub const MAX_SERVER_SANS: usize = 32;
/// Longest commonName of a CA.
pub const MAX_CA_NAME_LEN: usize = 64;

/// The issuing key's algorithm for a new CA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum CaKeyAlgorithm {
    /// ECDSA P-256 with SHA-256 (default).
    #[default]
    P256,
    /// ECDSA P-384 with SHA-384.
    P384,
    /// Ed25519.
    Ed25519,
}

impl CaKeyAlgorithm {
    fn kms(self) -> KeyAlgorithm {
        match self {
            CaKeyAlgorithm::P256 => KeyAlgorithm::EcdsaP256Sha256,
            CaKeyAlgorithm::P384 => KeyAlgorithm::EcdsaP384Sha384,
            CaKeyAlgorithm::Ed25519 => KeyAlgorithm::Ed25519,
        }
    }
}

/// Parameters of [`Pki::create_ca`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CreateCa {
    /// The root's commonName (1..=64 characters).
    pub common_name: String,
    /// SPIFFE trust domain of issued certificates (`example.org`).
    pub trust_domain: String,
    /// Issuing key algorithm (default P-256).
    pub algorithm: CaKeyAlgorithm,
    /// Root validity in seconds (default: the policy's `ca_validity_secs`).
    pub validity_secs: Option<i64>,
    /// KeyManager key to create (default `pki.<tenant>.ca.<random>`).
    pub key_id: Option<KeyId>,
}

impl CreateCa {
    /// A P-256 root named `common_name` for `trust_domain`.
    pub fn new(common_name: impl Into<String>, trust_domain: impl Into<String>) -> Self {
        CreateCa {
            common_name: common_name.into(),
            trust_domain: trust_domain.into(),
            algorithm: CaKeyAlgorithm::P256,
            validity_secs: None,
            key_id: None,
        }
    }

    /// Sets the key algorithm.
    pub fn algorithm(mut self, a: CaKeyAlgorithm) -> Self {
        self.algorithm = a;
        self
    }

    /// Sets the validity in seconds.
    pub fn validity_secs(mut self, secs: i64) -> Self {
        self.validity_secs = Some(secs);
        self
    }

    /// Uses `id` for the new KeyManager key.
    pub fn key_id(mut self, id: KeyId) -> Self {
        self.key_id = Some(id);
        self
    }
}

/// Parameters of [`Pki::import_ca`]: an existing CA certificate (first),
/// optionally followed by its issuers, and the KeyManager key that holds
/// its private key.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ImportCa {
    /// PEM chain: the issuing CA certificate first, then its issuers.
    pub chain_pem: String,
    /// The signing key (P-256, P-384 or Ed25519) whose public key is the
    /// CA certificate's.
    pub key_id: KeyId,
    /// SPIFFE trust domain of issued certificates.
    pub trust_domain: String,
}

impl ImportCa {
    /// An import of `chain_pem` signed by `key_id` for `trust_domain`.
    pub fn new(
        chain_pem: impl Into<String>,
        key_id: KeyId,
        trust_domain: impl Into<String>,
    ) -> Self {
        ImportCa {
            chain_pem: chain_pem.into(),
            key_id,
            trust_domain: trust_domain.into(),
        }
    }
}

/// The tenant's internal CA as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CaInfo {
    /// The KeyManager key that signs.
    pub key_id: KeyId,
    /// The issuing key's type.
    pub key_type: KeyType,
    /// SPIFFE trust domain.
    pub trust_domain: String,
    /// The issuing CA certificate.
    pub certificate: CertInfo,
    /// The issuing CA certificate, then its issuers (DER).
    pub chain: Vec<Vec<u8>>,
    /// When the CA was created or imported.
    pub create_time: UnixTime,
    /// Whether it was imported (otherwise self-signed here).
    pub imported: bool,
}

impl CaInfo {
    /// The chain as PEM (issuing CA first).
    pub fn chain_pem(&self) -> String {
        self.chain
            .iter()
            .map(|c| pem::encode("CERTIFICATE", c))
            .collect()
    }

    /// The trust anchor: the last certificate of the chain (the root).
    pub fn anchor_der(&self) -> &[u8] {
        self.chain.last().map_or(&[], Vec::as_slice)
    }
}

#[derive(Serialize, Deserialize)]
struct CaRecord {
    key_id: String,
    key_type: String,
    trust_domain: String,
    chain: Vec<ByteBuf>,
    create_time: i64,
    imported: bool,
}

fn key_type_str(kt: KeyType) -> &'static str {
    match kt {
        KeyType::EcP256 => "p256",
        KeyType::EcP384 => "p384",
        KeyType::Ed25519 => "ed25519",
        KeyType::Rsa { .. } => "rsa",
    }
}

fn key_type_parse(s: &str) -> Option<KeyType> {
    match s {
        "p256" => Some(KeyType::EcP256),
        "p384" => Some(KeyType::EcP384),
        "ed25519" => Some(KeyType::Ed25519),
        _ => None,
    }
}

impl CaRecord {
    fn info(&self) -> Result<CaInfo> {
        let key_id = KeyId::new(&self.key_id).map_err(|_| Error::corrupt("ca record key id"))?;
        let key_type =
            key_type_parse(&self.key_type).ok_or_else(|| Error::corrupt("ca record key type"))?;
        let first = self
            .chain
            .first()
            .ok_or_else(|| Error::corrupt("ca record chain"))?;
        let certificate =
            CertInfo::from_der(&first.0).map_err(|_| Error::corrupt("ca record certificate"))?;
        Ok(CaInfo {
            key_id,
            key_type,
            trust_domain: self.trust_domain.clone(),
            certificate,
            chain: self.chain.iter().map(|c| c.0.clone()).collect(),
            create_time: UnixTime(self.create_time),
            imported: self.imported,
        })
    }
}

/// What kind of certificate [`IssuingCa::issue`] makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProfileKind {
    /// Identity client certificate: EKU clientAuth, policy client validity.
    Client,
    /// Router server certificate: EKU serverAuth, DNS/IP SANs.
    RouterServer,
    /// API-session client certificate: EKU clientAuth, policy session
    /// validity.
    SessionClient,
}

/// How to issue one certificate. Subject is `CN=<identity id>`; the SAN URI
/// is `spiffe://<trust domain>/identity/<identity id>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertProfile {
    kind: ProfileKind,
    identity_id: String,
    dns: Vec<String>,
    ips: Vec<IpAddr>,
    include_requested_sans: bool,
    validity_secs: Option<i64>,
}

impl CertProfile {
    /// An identity client certificate.
    pub fn client(identity_id: impl Into<String>) -> Self {
        Self::of(ProfileKind::Client, identity_id.into())
    }

    /// A router server certificate (add names with [`CertProfile::dns`],
    /// [`CertProfile::ip`], or [`CertProfile::with_requested_sans`]).
    pub fn router_server(identity_id: impl Into<String>) -> Self {
        Self::of(ProfileKind::RouterServer, identity_id.into())
    }

    /// An API-session client certificate.
    pub fn session_client(identity_id: impl Into<String>) -> Self {
        Self::of(ProfileKind::SessionClient, identity_id.into())
    }

    fn of(kind: ProfileKind, identity_id: String) -> Self {
        CertProfile {
            kind,
            identity_id,
            dns: Vec::new(),
            ips: Vec::new(),
            include_requested_sans: false,
            validity_secs: None,
        }
    }

    /// Adds a DNS subjectAltName (router server certificates only).
    pub fn dns(mut self, name: impl Into<String>) -> Self {
        self.dns.push(name.into());
        self
    }

    /// Adds an IP subjectAltName (router server certificates only).
    pub fn ip(mut self, ip: IpAddr) -> Self {
        self.ips.push(ip);
        self
    }

    /// Also copies the CSR's requested DNS/IP SANs (router server
    /// certificates only; requested URIs are never copied).
    pub fn with_requested_sans(mut self) -> Self {
        self.include_requested_sans = true;
        self
    }

    /// A validity shorter than the policy's (seconds, at least 60).
    pub fn validity_secs(mut self, secs: i64) -> Self {
        self.validity_secs = Some(secs);
        self
    }

    /// The kind.
    pub fn kind(&self) -> ProfileKind {
        self.kind
    }

    /// The identity id.
    pub fn identity_id(&self) -> &str {
        &self.identity_id
    }
}

/// An issued certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct IssuedCert {
    /// The certificate (DER).
    pub der: Vec<u8>,
    /// The certificate (PEM).
    pub pem: String,
    /// The certificate, then the CA chain (PEM) — OpenZiti's enrollment
    /// response.
    pub chain_pem: String,
    /// Serial number, lower-case hex of its DER INTEGER content.
    pub serial_hex: String,
    /// Lower-case hex SHA-256 of the DER (the `cert_fingerprint` form).
    pub fingerprint: String,
    /// Start of validity (now − skew).
    pub not_before: UnixTime,
    /// End of validity (never after the CA's).
    pub not_after: UnixTime,
    /// The SAN URI (`spiffe://…/identity/<id>`).
    pub spiffe_id: String,
    /// The certified key's type.
    pub key_type: KeyType,
    /// The certified SubjectPublicKeyInfo (DER).
    pub spki_der: Vec<u8>,
}

/// A CA that issues: its chain and its KeyManager key. Made by
/// [`Pki::issuer`], or directly for embedding without a Store.
#[derive(Clone, Debug)]
pub struct IssuingCa {
    keys: Arc<dyn KeyManager>,
    key_id: KeyId,
    key_type: KeyType,
    trust_domain: String,
    chain: Vec<Vec<u8>>,
    ca: Arc<Parsed>,
    chain_pem: String,
    ca_sig_alg: Vec<u8>,
    ca_key_id: Vec<u8>,
    /// The earliest notAfter along the chain.
    chain_not_after: i64,
}

impl IssuingCa {
    /// A CA issuing with `key_id` of `keys`, whose certificate is
    /// `chain[0]` (followed by its issuers).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `certificate_chain` when the chain is
    /// empty or does not parse, the first certificate is not a CA
    /// (basicConstraints cA, keyUsage keyCertSign), or its key type cannot
    /// issue; naming `key_id` when the key's public key is not the
    /// certificate's; KeyManager errors.
    pub fn new(
        keys: Arc<dyn KeyManager>,
        key_id: KeyId,
        chain: Vec<Vec<u8>>,
        trust_domain: &str,
    ) -> Result<IssuingCa> {
        check_trust_domain(trust_domain)?;
        let first = chain
            .first()
            .ok_or_else(|| Error::invalid("certificate_chain", "is empty"))?;
        let ca = Parsed::from_der(first)?;
        if !ca.is_ca() {
            return Err(Error::invalid(
                "certificate_chain",
                "the issuing certificate lacks basicConstraints cA=TRUE",
            ));
        }
        if ca
            .exts
            .key_usage
            .is_some_and(|ku| ku & KU_KEY_CERT_SIGN == 0)
        {
            return Err(Error::invalid(
                "certificate_chain",
                "the issuing certificate's keyUsage lacks keyCertSign",
            ));
        }
        let key_type = ca
            .key_type
            .clone()
            .map_err(|r| Error::invalid("certificate_chain", r.0))?;
        let ca_sig_alg = alg::signing_alg_der(key_type).ok_or_else(|| {
            Error::invalid("certificate_chain", "RSA issuing keys are not supported")
        })?;
        let mut chain_not_after = ca.not_after;
        for c in &chain[1..] {
            chain_not_after = chain_not_after.min(Parsed::from_der(c)?.not_after);
        }
        let ca_key_id = ca
            .exts
            .ski
            .clone()
            .unwrap_or_else(|| cert::key_id(&ca.spki));
        let chain_pem = chain
            .iter()
            .map(|c| pem::encode("CERTIFICATE", c))
            .collect();
        let issuer = IssuingCa {
            keys,
            key_id,
            key_type,
            trust_domain: trust_domain.to_owned(),
            chain,
            ca: Arc::new(ca),
            chain_pem,
            ca_sig_alg,
            ca_key_id,
            chain_not_after,
        };
        issuer.check_key()?;
        Ok(issuer)
    }

    /// Checks that the key manager's current public key of the CA key is
    /// the CA certificate's.
    fn check_key(&self) -> Result<()> {
        if self.keys.public_key(&self.key_id)? != self.ca.spki_der {
            return Err(Error::invalid(
                "key_id",
                "the key's public key is not the CA certificate's",
            ));
        }
        Ok(())
    }

    /// The CA chain (issuing certificate first, DER).
    pub fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    /// The SPIFFE trust domain.
    pub fn trust_domain(&self) -> &str {
        &self.trust_domain
    }

    /// The SPIFFE id of `identity_id` under this CA.
    pub fn spiffe_id(&self, identity_id: &str) -> String {
        format!("spiffe://{}/identity/{identity_id}", self.trust_domain)
    }

    /// Issues a certificate for the key of `csr` (whose signature was
    /// verified when it was parsed) under `profile`, at `now`.
    ///
    /// The certificate: random positive serial of at most 20 octets,
    /// `CN=<identity id>`, SAN URI `spiffe://<td>/identity/<id>` (plus DNS/IP
    /// for router server certificates), basicConstraints CA:FALSE
    /// (critical), keyUsage digitalSignature (critical; plus
    /// keyEncipherment for RSA server keys), EKU clientAuth or serverAuth,
    /// SKI and AKI, notBefore = now − `cert_clock_skew_secs`, notAfter =
    /// now + the policy's validity, clamped to the CA chain's notAfter.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `identity_id`, `dns_name`,
    /// `ip_address` or `validity_secs`; [`Error::State`] when the CA has
    /// expired; KeyManager and random failures.
    pub fn issue(
        &self,
        csr: &Csr,
        profile: &CertProfile,
        now: UnixTime,
        rng: &dyn SecureRandom,
        policy: &Policy,
    ) -> Result<IssuedCert> {
        let subject = cert::cn_name(&profile.identity_id);
        self.issue_for(
            csr.spki_der(),
            csr.key_type(),
            &subject,
            Some(csr),
            profile,
            now,
            rng,
            policy,
        )
    }

    /// Renews `current` (a certificate this CA issued): same subject, the
    /// key of `new_csr` if given (a key roll) or else the same key, SANs
    /// from `profile`, a new serial and a fresh validity. Whether the
    /// current certificate may still be renewed (expired, revoked) is the
    /// caller's rule.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `current_certificate` when it does not
    /// parse, was not signed by this CA, or its key is no longer allowed;
    /// otherwise as [`IssuingCa::issue`].
    pub fn renew(
        &self,
        current: &[u8],
        new_csr: Option<&Csr>,
        profile: &CertProfile,
        now: UnixTime,
        rng: &dyn SecureRandom,
        policy: &Policy,
    ) -> Result<IssuedCert> {
        let cur = Parsed::from_der(current)
            .map_err(|e| Error::invalid("current_certificate", e.to_string()))?;
        cur.signed_by(&self.ca).map_err(|r| {
            Error::invalid(
                "current_certificate",
                format!("was not issued by this CA: {}", r.0),
            )
        })?;
        match new_csr {
            Some(csr) => self.issue_for(
                csr.spki_der(),
                csr.key_type(),
                &cur.subject_der,
                Some(csr),
                profile,
                now,
                rng,
                policy,
            ),
            None => {
                let kt = cur
                    .key_type
                    .clone()
                    .map_err(|r| Error::invalid("current_certificate", r.0))?;
                self.issue_for(
                    &cur.spki_der,
                    kt,
                    &cur.subject_der,
                    None,
                    profile,
                    now,
                    rng,
                    policy,
                )
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn issue_for(
        &self,
        spki_der: &[u8],
        key_type: KeyType,
        subject_der: &[u8],
        csr: Option<&Csr>,
        profile: &CertProfile,
        now: UnixTime,
        rng: &dyn SecureRandom,
        policy: &Policy,
    ) -> Result<IssuedCert> {
        check_identity_id(&profile.identity_id)?;
        let (dns, ips) = self.server_sans(csr, profile)?;
        let validity = self.validity(profile, now, policy)?;
        let serial = random_serial(rng)?;
        let spiffe_id = self.spiffe_id(&profile.identity_id);
        let subject_spki = match csr {
            Some(c) => cert::key_id(c.spki()),
            None => {
                let parsed = spki_from_der(spki_der)?;
                cert::key_id(&parsed)
            }
        };
        let (ku, eku) = match profile.kind {
            ProfileKind::Client | ProfileKind::SessionClient => {
                (KU_DIGITAL_SIGNATURE, OID_CLIENT_AUTH)
            }
            ProfileKind::RouterServer => {
                let ku = if matches!(key_type, KeyType::Rsa { .. }) {
                    KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT
                } else {
                    KU_DIGITAL_SIGNATURE
                };
                (ku, OID_SERVER_AUTH)
            }
        };
        let extensions = vec![
            cert::extension(
                OID_BASIC_CONSTRAINTS,
                true,
                &cert::basic_constraints(false, None),
            ),
            cert::extension(OID_KEY_USAGE, true, &cert::key_usage(ku)),
            cert::extension(OID_EKU, false, &cert::eku(&[eku])),
            cert::extension(OID_SKI, false, &cert::ski(&subject_spki)),
            cert::extension(OID_AKI, false, &cert::aki(&self.ca_key_id)),
            cert::extension(
                OID_SAN,
                false,
                &cert::san(&dns, &ips, std::slice::from_ref(&spiffe_id)),
            ),
        ];
        let spec = TbsSpec {
            serial: &serial,
            sig_alg_der: &self.ca_sig_alg,
            issuer_der: &self.ca.subject_der,
            not_before: validity.0,
            not_after: validity.1,
            subject_der,
            spki_der,
            extensions: &extensions,
        };
        let signer = KmsSigner {
            keys: self.keys.as_ref(),
            id: &self.key_id,
            key_type: self.key_type,
        };
        let der = cert::sign_cert(&signer, &spec)?;
        let pem = pem::encode("CERTIFICATE", &der);
        let mut chain_pem = String::with_capacity(pem.len() + self.chain_pem.len());
        chain_pem.push_str(&pem);
        chain_pem.push_str(&self.chain_pem);
        Ok(IssuedCert {
            fingerprint: cert::fingerprint(&der),
            serial_hex: crate::encoding::hex_encode(&serial_content(&serial)),
            der,
            pem,
            chain_pem,
            not_before: UnixTime(validity.0),
            not_after: UnixTime(validity.1),
            spiffe_id,
            key_type,
            spki_der: spki_der.to_vec(),
        })
    }

    fn server_sans(
        &self,
        csr: Option<&Csr>,
        profile: &CertProfile,
    ) -> Result<(Vec<String>, Vec<IpAddr>)> {
        if profile.kind != ProfileKind::RouterServer {
            if !profile.dns.is_empty() || !profile.ips.is_empty() {
                return Err(Error::invalid(
                    "dns_name",
                    "DNS/IP names are only for router server certificates",
                ));
            }
            return Ok((Vec::new(), Vec::new()));
        }
        let mut dns = profile.dns.clone();
        let mut ips = profile.ips.clone();
        if profile.include_requested_sans {
            if let Some(c) = csr {
                dns.extend(c.dns_names().iter().cloned());
                ips.extend(c.ip_addresses().iter().copied());
            }
        }
        for d in &mut dns {
            *d = d.to_ascii_lowercase();
        }
        dns.sort();
        dns.dedup();
        ips.sort();
        ips.dedup();
        if dns.len() + ips.len() > MAX_SERVER_SANS {
            return Err(Error::invalid(
                "dns_name",
                format!(
                    "at most {MAX_SERVER_SANS} DNS and IP names, got {}",
                    dns.len() + ips.len()
                ),
            ));
        }
        for d in &dns {
            check_dns_name(d)?;
        }
        Ok((dns, ips))
    }

    fn validity(
        &self,
        profile: &CertProfile,
        now: UnixTime,
        policy: &Policy,
    ) -> Result<(i64, i64)> {
        let max = match profile.kind {
            ProfileKind::Client | ProfileKind::RouterServer => policy.cert_client_validity_secs,
            ProfileKind::SessionClient => policy.cert_session_validity_secs,
        };
        let secs = match profile.validity_secs {
            Some(s) if !(60..=max).contains(&s) => {
                return Err(Error::invalid(
                    "validity_secs",
                    format!("must be 60..={max} (the policy's limit), got {s}"),
                ));
            }
            Some(s) => s,
            None => max,
        };
        if self.chain_not_after <= now.0 {
            return Err(Error::State {
                what: "ca",
                state: "EXPIRED",
                operation: "issue",
            });
        }
        let not_before = now.0.saturating_sub(policy.cert_clock_skew_secs);
        let not_after = now.0.saturating_add(secs).min(self.chain_not_after);
        Ok((not_before, not_after))
    }
}

fn spki_from_der(der: &[u8]) -> Result<spki::SubjectPublicKeyInfoOwned> {
    use der::Decode;
    spki::SubjectPublicKeyInfoOwned::from_der(der)
        .map_err(|_| Error::invalid("public_key", "is not a SubjectPublicKeyInfo"))
}

/// A random serial: 20 octets from the injected generator with the top bit
/// cleared (so the INTEGER is positive and at most 20 octets), never zero.
/// Returned as the DER INTEGER content (minimal).
pub(crate) fn random_serial(rng: &dyn SecureRandom) -> Result<Vec<u8>> {
    let mut b = [0u8; 20];
    rng.fill(&mut b).map_err(|_| Error::Random)?;
    b[0] &= 0x7f;
    if b.iter().all(|x| *x == 0) {
        b[19] = 1;
    }
    Ok(serial_content(&b))
}

/// Minimal INTEGER content of an unsigned value whose top bit is clear.
fn serial_content(b: &[u8]) -> Vec<u8> {
    let skip = b.iter().take_while(|x| **x == 0).count();
    let mut v = b[skip..].to_vec();
    if v.first().is_some_and(|x| x & 0x80 != 0) {
        v.insert(0, 0);
    }
    if v.is_empty() {
        v.push(0);
    }
    v
}

/// A SPIFFE trust domain: 1..=255 of `[a-z0-9._-]`.
pub(crate) fn check_trust_domain(td: &str) -> Result<()> {
    if td.is_empty() || td.len() > MAX_TRUST_DOMAIN_LEN {
        return Err(Error::invalid(
            "trust_domain",
            format!(
                "must be 1..={MAX_TRUST_DOMAIN_LEN} characters, got {}",
                td.len()
            ),
        ));
    }
    if !td
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_'))
    {
        return Err(Error::invalid(
            "trust_domain",
            "may contain only lower-case letters, digits, '.', '-' and '_'",
        ));
    }
    Ok(())
}

/// An identity id usable as a SPIFFE path segment and a commonName.
pub(crate) fn check_identity_id(id: &str) -> Result<()> {
    if id.is_empty() || id.len() > MAX_IDENTITY_ID_LEN {
        return Err(Error::invalid(
            "identity_id",
            format!(
                "must be 1..={MAX_IDENTITY_ID_LEN} characters, got {}",
                id.len()
            ),
        ));
    }
    if id == "."
        || id == ".."
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    {
        return Err(Error::invalid(
            "identity_id",
            "may contain only letters, digits, '.', '-' and '_' (and is not '.' or '..')",
        ));
    }
    Ok(())
}

/// A DNS name for a server certificate: LDH labels of 1..=63, total ≤ 253,
/// no wildcard.
fn check_dns_name(d: &str) -> Result<()> {
    let ok = !d.is_empty()
        && d.len() <= 253
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "dns_name",
            format!(
                "{d:?} is not a valid host name (letters, digits, '-', labels of 1..=63, no wildcard)"
            ),
        ))
    }
}

/// The PKI handle of one tenant: its internal CA. Get it with
/// [`Engine::pki`].
#[derive(Clone, Debug)]
pub struct Pki {
    engine: Engine,
    tenant: TenantId,
    actor: String,
}

const CA_SUBJECT: &str = "ca:internal";

impl Pki {
    pub(crate) fn new(engine: Engine, tenant: TenantId) -> Self {
        Pki {
            engine,
            tenant,
            actor: "engine".to_owned(),
        }
    }

    /// The same handle, recording `actor` as the author of its audit events.
    pub fn with_actor(mut self, actor: &str) -> Self {
        self.actor = actor
            .chars()
            .filter(|c| !c.is_control())
            .take(128)
            .collect();
        self
    }

    /// The tenant.
    pub fn tenant(&self) -> &str {
        self.tenant.as_str()
    }

    fn now(&self) -> UnixTime {
        self.engine.services().clock.now()
    }

    fn record_key(&self) -> Vec<u8> {
        self.tenant.key(&["ca", "internal"])
    }

    /// Creates the tenant's CA: a new KeyManager signing key and a
    /// self-signed root (`CN=<common_name>`, basicConstraints CA:TRUE
    /// pathLen 0, keyUsage keyCertSign+cRLSign+digitalSignature, SKI/AKI).
    ///
    /// # Errors
    /// [`Error::AlreadyExists`] when the tenant has a CA;
    /// [`Error::InvalidInput`] naming `common_name`, `trust_domain` or
    /// `validity_secs`; KeyManager and store errors.
    pub fn create_ca(&self, req: CreateCa) -> Result<CaInfo> {
        let n = req.common_name.chars().count();
        if n == 0 || n > MAX_CA_NAME_LEN || req.common_name.chars().any(char::is_control) {
            return Err(Error::invalid(
                "common_name",
                format!(
                    "must be 1..={MAX_CA_NAME_LEN} characters without control characters, got {n}"
                ),
            ));
        }
        check_trust_domain(&req.trust_domain)?;
        let policy = self.engine.policy();
        let validity = req.validity_secs.unwrap_or(policy.ca_validity_secs);
        if !(86_400..=MAX_CA_VALIDITY_SECS).contains(&validity) {
            return Err(Error::invalid(
                "validity_secs",
                format!("must be 86400..={MAX_CA_VALIDITY_SECS}, got {validity}"),
            ));
        }
        let s = self.engine.services();
        if s.store.get(Table::Ca, &self.record_key())?.is_some() {
            return Err(Error::AlreadyExists { what: "ca" });
        }
        let key_id = match req.key_id {
            Some(k) => k,
            None => {
                let mut r = [0u8; 8];
                s.rng.fill(&mut r).map_err(|_| Error::Random)?;
                KeyId::new(format!(
                    "pki.{}.ca.{}",
                    self.tenant.as_str(),
                    crate::encoding::hex_encode(&r)
                ))?
            }
        };
        s.keys.create_key(&key_id, req.algorithm.kms())?;
        let now = self.now();
        let spki_der = s.keys.public_key(&key_id)?;
        let spki = spki_from_der(&spki_der)?;
        let key_type = alg::key_type(&spki).map_err(|_| {
            Error::Internal("KeyManager returned a key type that cannot sign certificates")
        })?;
        let sig_alg = alg::signing_alg_der(key_type)
            .ok_or(Error::Internal("CA key type cannot sign certificates"))?;
        let kid = cert::key_id(&spki);
        let name = cert::cn_name(&req.common_name);
        let serial = random_serial(s.rng.as_ref())?;
        let extensions = vec![
            cert::extension(
                OID_BASIC_CONSTRAINTS,
                true,
                &cert::basic_constraints(true, Some(0)),
            ),
            cert::extension(
                OID_KEY_USAGE,
                true,
                &cert::key_usage(KU_KEY_CERT_SIGN | KU_CRL_SIGN | KU_DIGITAL_SIGNATURE),
            ),
            cert::extension(OID_SKI, false, &cert::ski(&kid)),
            cert::extension(OID_AKI, false, &cert::aki(&kid)),
        ];
        let spec = TbsSpec {
            serial: &serial,
            sig_alg_der: &sig_alg,
            issuer_der: &name,
            not_before: now.0.saturating_sub(policy.cert_clock_skew_secs),
            not_after: now.0.saturating_add(validity),
            subject_der: &name,
            spki_der: &spki_der,
            extensions: &extensions,
        };
        let signer = KmsSigner {
            keys: s.keys.as_ref(),
            id: &key_id,
            key_type,
        };
        let der = cert::sign_cert(&signer, &spec)?;
        self.store_ca(
            key_id,
            key_type,
            &req.trust_domain,
            vec![der],
            false,
            "pki.ca.create",
        )
    }

    /// Imports an existing CA: its certificate (first in `chain_pem`,
    /// followed by its issuers) and the KeyManager key holding its private
    /// key. Each certificate of the chain must be signed by the next one.
    ///
    /// # Errors
    /// [`Error::AlreadyExists`] when the tenant has a CA;
    /// [`Error::InvalidInput`] naming `certificate_chain` (not a CA, expired,
    /// links that do not verify) or `key_id` (public key mismatch);
    /// KeyManager and store errors.
    pub fn import_ca(&self, req: ImportCa) -> Result<CaInfo> {
        let chain = cert::parse_chain_pem(&req.chain_pem)?;
        let issuer = IssuingCa::new(
            Arc::clone(&self.engine.services().keys),
            req.key_id.clone(),
            chain.clone(),
            &req.trust_domain,
        )?;
        let now = self.now();
        let parsed: Vec<Parsed> = chain
            .iter()
            .map(|c| Parsed::from_der(c))
            .collect::<Result<_>>()?;
        for (i, p) in parsed.iter().enumerate() {
            if p.not_after <= now.0 || p.not_before > now.0 {
                return Err(Error::invalid(
                    "certificate_chain",
                    format!("certificate {i} is not valid now"),
                ));
            }
            if let Some(next) = parsed.get(i + 1) {
                p.signed_by(next).map_err(|r| {
                    Error::invalid(
                        "certificate_chain",
                        format!(
                            "certificate {i} is not signed by certificate {}: {}",
                            i + 1,
                            r.0
                        ),
                    )
                })?;
            }
        }
        if self
            .engine
            .services()
            .store
            .get(Table::Ca, &self.record_key())?
            .is_some()
        {
            return Err(Error::AlreadyExists { what: "ca" });
        }
        self.store_ca(
            req.key_id,
            issuer.key_type,
            &req.trust_domain,
            chain,
            true,
            "pki.ca.import",
        )
    }

    fn store_ca(
        &self,
        key_id: KeyId,
        key_type: KeyType,
        trust_domain: &str,
        chain: Vec<Vec<u8>>,
        imported: bool,
        action: &str,
    ) -> Result<CaInfo> {
        let now = self.now();
        let rec = CaRecord {
            key_id: key_id.as_str().to_owned(),
            key_type: key_type_str(key_type).to_owned(),
            trust_domain: trust_domain.to_owned(),
            chain: chain.into_iter().map(ByteBuf).collect(),
            create_time: now.0,
            imported,
        };
        let info = rec.info()?;
        let mut ops = vec![Op::Put {
            table: Table::Ca,
            key: self.record_key(),
            value: codec::encode(&rec)?,
            expect: Version::ABSENT,
        }];
        ops.extend(audit::append(
            &self.engine,
            &self.tenant,
            &self.actor,
            CA_SUBJECT,
            action,
            "ok",
            now,
        )?);
        match self.engine.services().store.commit(&ops) {
            Ok(()) => Ok(info),
            Err(crate::store::StoreError::Conflict) => Err(Error::AlreadyExists { what: "ca" }),
            Err(e) => Err(e.into()),
        }
    }

    /// The tenant's CA.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`ca`) when there is none; store errors.
    pub fn ca(&self) -> Result<CaInfo> {
        let r = self
            .engine
            .services()
            .store
            .get(Table::Ca, &self.record_key())?
            .ok_or(Error::NotFound { what: "ca" })?;
        codec::decode::<CaRecord>(&r.value, "ca record")?.info()
    }

    /// The tenant CA's chain (DER, issuing certificate first) as stored,
    /// without parsing it: path validation parses its anchors itself.
    ///
    /// # Errors
    /// As [`Pki::ca`].
    pub(crate) fn ca_chain_der(&self) -> Result<Vec<Vec<u8>>> {
        let r = self
            .engine
            .services()
            .store
            .get(Table::Ca, &self.record_key())?
            .ok_or(Error::NotFound { what: "ca" })?;
        let rec = codec::decode::<CaRecord>(&r.value, "ca record")?;
        Ok(rec.chain.into_iter().map(|c| c.0).collect())
    }

    /// The issuer of the tenant's CA, for [`IssuingCa::issue`].
    ///
    /// # Errors
    /// As [`Pki::ca`]; KeyManager errors (the key is gone or disabled).
    pub fn issuer(&self) -> Result<IssuingCa> {
        let r = self
            .engine
            .services()
            .store
            .get(Table::Ca, &self.record_key())?
            .ok_or(Error::NotFound { what: "ca" })?;
        // Parsing the CA chain costs about a third of an issuance; the
        // engine keeps the issuer made from the record's current bytes. The
        // key manager is asked again each time, as `IssuingCa::new` does, so
        // a rotated or deleted CA key is refused, never used.
        if let Some(issuer) = self.engine.cached_issuer(&self.tenant, &r.value) {
            issuer.check_key()?;
            return Ok(issuer);
        }
        let ca = codec::decode::<CaRecord>(&r.value, "ca record")?.info()?;
        let issuer = IssuingCa::new(
            Arc::clone(&self.engine.services().keys),
            ca.key_id,
            ca.chain,
            &ca.trust_domain,
        )?;
        self.engine.cache_issuer(&self.tenant, r.value, &issuer);
        Ok(issuer)
    }

    /// Issues a certificate with the tenant's CA at the engine's clock. Does
    /// not write to the store: the caller records it (for example in the
    /// commit that consumes an enrollment token).
    ///
    /// # Errors
    /// As [`Pki::issuer`] and [`IssuingCa::issue`].
    pub fn issue(&self, csr: &Csr, profile: &CertProfile) -> Result<IssuedCert> {
        let s = self.engine.services();
        self.issuer()?.issue(
            csr,
            profile,
            self.now(),
            s.rng.as_ref(),
            self.engine.policy(),
        )
    }

    /// Renews `current` with the tenant's CA; see [`IssuingCa::renew`].
    ///
    /// # Errors
    /// As [`IssuingCa::renew`].
    pub fn renew(
        &self,
        current: &[u8],
        new_csr: Option<&Csr>,
        profile: &CertProfile,
    ) -> Result<IssuedCert> {
        let s = self.engine.services();
        self.issuer()?.renew(
            current,
            new_csr,
            profile,
            self.now(),
            s.rng.as_ref(),
            self.engine.policy(),
        )
    }

    /// The tenant CA's issuing certificate as the trust anchor of
    /// certificates it issued.
    ///
    /// # Errors
    /// As [`Pki::ca`].
    pub fn trust_anchors(&self) -> Result<TrustAnchors> {
        let ca = self.ca()?;
        TrustAnchors::from_der(&ca.chain[..1])
    }

    /// Verifies a presented client chain (leaf first) to the tenant CA at
    /// the engine's clock, for clientAuth (RFC 5280 path validation subset,
    /// see [`verify_chain`]).
    ///
    /// # Errors
    /// [`Error::CertificateRejected`] naming the certificate and the
    /// reason; as [`Pki::ca`].
    pub fn verify_client_chain<B: AsRef<[u8]>>(&self, chain: &[B]) -> Result<VerifiedChain> {
        let anchors = self.trust_anchors()?;
        Ok(verify_chain(
            &anchors,
            chain,
            self.now(),
            &VerifyOptions::default(),
        )?)
    }

    /// The CA bundle as PEM: every certificate of the CA chain.
    ///
    /// # Errors
    /// As [`Pki::ca`].
    pub fn bundle_pem(&self) -> Result<String> {
        Ok(self.ca()?.chain_pem())
    }

    /// The CA bundle as a PKCS#7 certs-only SignedData in base64 (the
    /// seed's `/.well-known/est/cacerts` form).
    ///
    /// # Errors
    /// As [`Pki::ca`].
    pub fn bundle_pkcs7_base64(&self) -> Result<String> {
        Ok(pkcs7::certs_only_base64(&self.ca()?.chain))
    }
}

/// Longest CA validity: 30 years.
pub const MAX_CA_VALIDITY_SECS: i64 = 30 * 365 * 86_400;
