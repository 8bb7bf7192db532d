//! The tenant's internal CA: creation or import, issuance, bundles and chain
//! verification; and the client-side key + CSR helper.

use credcycle::KeyId;
use credcycle::pki::{self as core_pki, CertProfile, Csr};
use zeroize::Zeroizing;

use super::machine::parse_ip;
use crate::error::{Error, Result};

/// A parsed certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateInfo {
    /// The certificate (PEM).
    pub pem: String,
    /// The subject, RFC 4514 style.
    pub subject: String,
    /// The subject's first commonName, if any.
    pub common_name: Option<String>,
    /// Serial number, lower-case hex.
    pub serial_hex: String,
    /// Lower-case hex SHA-256 of the DER.
    pub fingerprint: String,
    /// Start of validity.
    pub not_before: i64,
    /// End of validity.
    pub not_after: i64,
    /// The key type (`EC P-256`, `EC P-384`, `Ed25519`, `RSA-<bits>`), empty
    /// for a key the engine refuses.
    pub key_type: String,
    /// basicConstraints cA.
    pub is_ca: bool,
    /// subjectAltName DNS names.
    pub dns_names: Vec<String>,
    /// subjectAltName IP addresses.
    pub ip_addresses: Vec<String>,
    /// subjectAltName URIs.
    pub uris: Vec<String>,
}

impl From<core_pki::CertInfo> for CertificateInfo {
    fn from(c: core_pki::CertInfo) -> Self {
        CertificateInfo {
            pem: c.to_pem(),
            subject: c.subject,
            common_name: c.common_name,
            serial_hex: c.serial_hex,
            fingerprint: c.fingerprint,
            not_before: c.not_before.secs(),
            not_after: c.not_after.secs(),
            key_type: c.key_type.map(|k| k.to_string()).unwrap_or_default(),
            is_ca: c.is_ca,
            dns_names: c.dns_names,
            ip_addresses: c.ip_addresses.iter().map(ToString::to_string).collect(),
            uris: c.uris,
        }
    }
}

/// One DER certificate as PEM (empty when it does not parse).
fn pem_of(der: &[u8]) -> String {
    core_pki::CertInfo::from_der(der)
        .map(|c| c.to_pem())
        .unwrap_or_default()
}

/// The tenant's internal CA.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaInfo {
    /// The KeyManager key that signs.
    pub key_id: String,
    /// The issuing key's type.
    pub key_type: String,
    /// SPIFFE trust domain.
    pub trust_domain: String,
    /// The issuing CA certificate.
    pub certificate: CertificateInfo,
    /// The issuing CA certificate, then its issuers (PEM).
    pub chain_pem: String,
    /// When it was created or imported.
    pub create_time: i64,
    /// Whether it was imported (otherwise self-signed here).
    pub imported: bool,
}

impl From<core_pki::CaInfo> for CaInfo {
    fn from(c: core_pki::CaInfo) -> Self {
        CaInfo {
            chain_pem: c.chain_pem(),
            key_id: c.key_id.as_str().to_owned(),
            key_type: c.key_type.to_string(),
            trust_domain: c.trust_domain,
            certificate: c.certificate.into(),
            create_time: c.create_time.secs(),
            imported: c.imported,
        }
    }
}

/// Options of [`Pki::create_ca`]; `None` takes the default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateCaOptions {
    /// `p256` (default), `p384` or `ed25519`.
    pub algorithm: Option<String>,
    /// Root validity in seconds (default: the policy's).
    pub validity_secs: Option<i64>,
    /// The KeyManager key to create (default: a generated id).
    pub key_id: Option<String>,
}

/// How [`Pki::issue`] issues one certificate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IssueProfile {
    /// `client` (default when empty), `router_server` or `session`.
    pub kind: String,
    /// The identity id: the subject CN and the SPIFFE id's last segment.
    pub identity_id: String,
    /// DNS subjectAltNames (router server certificates only).
    pub dns_names: Vec<String>,
    /// IP subjectAltNames (router server certificates only).
    pub ip_addresses: Vec<String>,
    /// Also copy the CSR's requested DNS/IP names (router server only).
    pub include_requested_sans: bool,
    /// A validity shorter than the policy's, in seconds (at least 60).
    pub validity_secs: Option<i64>,
}

impl IssueProfile {
    fn core(&self) -> Result<CertProfile> {
        let id = self.identity_id.clone();
        let mut p = match self.kind.as_str() {
            "" | "client" => CertProfile::client(id),
            "router_server" => CertProfile::router_server(id),
            "session" => CertProfile::session_client(id),
            _ => {
                return Err(Error::invalid(
                    "kind",
                    "must be client, router_server or session",
                ));
            }
        };
        for d in &self.dns_names {
            p = p.dns(d.clone());
        }
        for ip in &self.ip_addresses {
            p = p.ip(parse_ip("ip_addresses", ip)?);
        }
        if self.include_requested_sans {
            p = p.with_requested_sans();
        }
        if let Some(s) = self.validity_secs {
            p = p.validity_secs(s);
        }
        Ok(p)
    }
}

/// An issued certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedCertInfo {
    /// The certificate (PEM).
    pub pem: String,
    /// The certificate, then the CA chain (PEM).
    pub chain_pem: String,
    /// Serial number, lower-case hex.
    pub serial_hex: String,
    /// Lower-case hex SHA-256 of the DER.
    pub fingerprint: String,
    /// Start of validity.
    pub not_before: i64,
    /// End of validity.
    pub not_after: i64,
    /// The SAN URI (`spiffe://…/identity/<id>`).
    pub spiffe_id: String,
    /// The certified key's type.
    pub key_type: String,
}

impl From<core_pki::IssuedCert> for IssuedCertInfo {
    fn from(c: core_pki::IssuedCert) -> Self {
        IssuedCertInfo {
            pem: c.pem,
            chain_pem: c.chain_pem,
            serial_hex: c.serial_hex,
            fingerprint: c.fingerprint,
            not_before: c.not_before.secs(),
            not_after: c.not_after.secs(),
            spiffe_id: c.spiffe_id,
            key_type: c.key_type.to_string(),
        }
    }
}

/// A chain that verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedChainInfo {
    /// The leaf.
    pub leaf: CertificateInfo,
    /// Fingerprints from the leaf to the anchor (inclusive).
    pub path_fingerprints: Vec<String>,
    /// The anchor the path ends at (PEM).
    pub anchor_pem: String,
}

/// A new private key and its CSR (from [`crate::client::generate_key_and_csr`]).
/// `Debug` never shows the key.
pub struct ClientKeyInfo {
    /// The private key, PKCS#8 PEM. Keep it secret.
    pub key_pkcs8_pem: Zeroizing<String>,
    /// The CSR (PEM).
    pub csr_pem: String,
}

impl std::fmt::Debug for ClientKeyInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientKeyInfo")
            .field("key_pkcs8_pem", &"<redacted>")
            .field("csr_pem", &self.csr_pem)
            .finish()
    }
}

pub(crate) fn generate_key_and_csr(
    algorithm: &str,
    common_name: &str,
    dns_names: &[String],
    ip_addresses: &[String],
) -> Result<ClientKeyInfo> {
    let alg = core_pki::ClientKeyAlgorithm::parse(algorithm)
        .ok_or_else(|| Error::invalid("algorithm", "must be p256, p384 or ed25519"))?;
    let ips = ip_addresses
        .iter()
        .map(|s| parse_ip("ip_addresses", s))
        .collect::<Result<Vec<_>>>()?;
    let k = core_pki::generate_key_and_csr_with(alg, common_name, dns_names, &ips)?;
    Ok(ClientKeyInfo {
        key_pkcs8_pem: Zeroizing::new(k.key_pkcs8_pem().to_owned()),
        csr_pem: k.csr_pem.clone(),
    })
}

/// Parses a PEM chain (leaf first) into DER certificates.
pub(crate) fn chain_der(chain_pem: &str) -> Result<Vec<Vec<u8>>> {
    Ok(core_pki::parse_chain_pem(chain_pem)?)
}

/// `client` (default when empty), `server` or `any`.
pub(crate) fn purpose_of(purpose: &str) -> Result<core_pki::Purpose> {
    match purpose {
        "" | "client" => Ok(core_pki::Purpose::ClientAuth),
        "server" => Ok(core_pki::Purpose::ServerAuth),
        "any" => Ok(core_pki::Purpose::Any),
        _ => Err(Error::invalid("purpose", "must be client, server or any")),
    }
}

fn verified_info(v: core_pki::VerifiedChain) -> VerifiedChainInfo {
    VerifiedChainInfo {
        leaf: v.leaf.into(),
        path_fingerprints: v.path_fingerprints,
        anchor_pem: pem_of(&v.anchor_der),
    }
}

/// Verifies `chain_pem` (leaf first, then intermediates) against the PEM
/// `roots_pem` at `at` (default: the system clock) for `purpose`.
pub(crate) fn verify_chain(
    roots_pem: &str,
    chain_pem: &str,
    at: Option<i64>,
    purpose: &str,
) -> Result<VerifiedChainInfo> {
    let purpose = purpose_of(purpose)?;
    let anchors = core_pki::TrustAnchors::from_pem(roots_pem).map_err(|e| match e {
        credcycle::Error::InvalidInput(i) => {
            Error::invalid("roots_pem", format!("{}: {}", i.field, i.reason))
        }
        other => other.into(),
    })?;
    let chain = chain_der(chain_pem)?;
    let now = at.map_or_else(
        || credcycle::Clock::now(&credcycle::SystemClock),
        credcycle::UnixTime,
    );
    let v = core_pki::verify_chain(
        &anchors,
        &chain,
        now,
        &core_pki::VerifyOptions::for_purpose(purpose),
    )
    .map_err(credcycle::Error::from)?;
    Ok(verified_info(v))
}

/// The internal CA of one tenant. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Pki {
    pub(crate) inner: core_pki::Pki,
}

impl Pki {
    /// Creates the tenant's CA: a KeyManager key and a self-signed root
    /// (operation `pki.create_ca`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `algorithm`, `common_name`, `trust_domain`,
    /// `validity_secs` or `key_id`; `ALREADY_EXISTS` when the tenant has a CA.
    pub fn create_ca(
        &self,
        common_name: &str,
        trust_domain: &str,
        options: CreateCaOptions,
    ) -> Result<CaInfo> {
        let mut req = core_pki::CreateCa::new(common_name, trust_domain);
        if let Some(a) = options.algorithm.as_deref() {
            req = req.algorithm(match a {
                "p256" => core_pki::CaKeyAlgorithm::P256,
                "p384" => core_pki::CaKeyAlgorithm::P384,
                "ed25519" => core_pki::CaKeyAlgorithm::Ed25519,
                _ => return Err(Error::invalid("algorithm", "must be p256, p384 or ed25519")),
            });
        }
        if let Some(v) = options.validity_secs {
            req = req.validity_secs(v);
        }
        if let Some(k) = options.key_id.as_deref() {
            req = req.key_id(KeyId::new(k)?);
        }
        Ok(self.inner.create_ca(req)?.into())
    }

    /// Imports an existing CA: its PEM chain (issuing CA first) and the
    /// KeyManager key holding its private key (operation `pki.import_ca`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming the chain, `key_id` or `trust_domain`;
    /// `ALREADY_EXISTS`; key manager errors.
    pub fn import_ca(&self, chain_pem: &str, key_id: &str, trust_domain: &str) -> Result<CaInfo> {
        let req = core_pki::ImportCa::new(chain_pem, KeyId::new(key_id)?, trust_domain);
        Ok(self.inner.import_ca(req)?.into())
    }

    /// The tenant's CA (operation `pki.ca`).
    ///
    /// # Errors
    /// `NOT_FOUND` before one is created or imported.
    pub fn ca(&self) -> Result<CaInfo> {
        Ok(self.inner.ca()?.into())
    }

    /// The CA chain as PEM, for clients (operation `pki.bundle_pem`).
    ///
    /// # Errors
    /// `NOT_FOUND` without a CA.
    pub fn bundle_pem(&self) -> Result<String> {
        Ok(self.inner.bundle_pem()?)
    }

    /// The CA chain as a base64 certs-only PKCS#7 (operation
    /// `pki.bundle_pkcs7_base64`).
    ///
    /// # Errors
    /// `NOT_FOUND` without a CA.
    pub fn bundle_pkcs7_base64(&self) -> Result<String> {
        Ok(self.inner.bundle_pkcs7_base64()?)
    }

    /// Parses and verifies a CSR (PEM or DER text), then issues a
    /// certificate of `profile` (operation `pki.issue`). Writes nothing to
    /// the store.
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `csr`, `kind`, `identity_id`, a SAN or
    /// `validity_secs`; `NOT_FOUND` without a CA; key manager errors.
    pub fn issue(&self, csr_pem: &str, profile: IssueProfile) -> Result<IssuedCertInfo> {
        let csr = Csr::parse(csr_pem.as_bytes())?;
        Ok(self.inner.issue(&csr, &profile.core()?)?.into())
    }

    /// Renews a certificate this CA issued (PEM, or a chain whose first
    /// certificate it is): same subject, the key of `new_csr_pem` when
    /// given (a key roll) or else the same key, SANs from `profile`, a new
    /// serial and a fresh validity (operation `pki.renew`). Writes nothing
    /// to the store; whether the certificate may still be renewed is the
    /// caller's rule.
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `current_certificate` (unparsable, not issued
    /// by this CA, a key no longer allowed), `csr` or a profile field;
    /// `NOT_FOUND` without a CA; key manager errors.
    pub fn renew(
        &self,
        current_certificate_pem: &str,
        new_csr_pem: Option<&str>,
        profile: IssueProfile,
    ) -> Result<IssuedCertInfo> {
        let current = core_pki::parse_chain_pem(current_certificate_pem).map_err(|e| match e {
            credcycle::Error::InvalidInput(i) => {
                Error::invalid("current_certificate", format!("{}: {}", i.field, i.reason))
            }
            other => other.into(),
        })?;
        let csr = new_csr_pem.map(|c| Csr::parse(c.as_bytes())).transpose()?;
        Ok(self
            .inner
            .renew(&current[0], csr.as_ref(), &profile.core()?)?
            .into())
    }

    /// Verifies a client chain (PEM, leaf first) against the tenant CA now
    /// (operation `pki.verify_client_chain`).
    ///
    /// # Errors
    /// `CERTIFICATE_REJECTED` (1601) naming the certificate and why;
    /// `INVALID_INPUT` naming the chain; `NOT_FOUND` without a CA.
    pub fn verify_client_chain(&self, chain_pem: &str) -> Result<VerifiedChainInfo> {
        let chain = chain_der(chain_pem)?;
        Ok(verified_info(self.inner.verify_client_chain(&chain)?))
    }
}
