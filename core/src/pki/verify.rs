//! Certificate chain verification: the subset of RFC 5280 §6 path
//! validation that client-certificate authentication needs.
//!
//! For each certificate on the path from the leaf to a trust anchor:
//! signature by the next one (ring; the algorithm policy of [`Csr`](super::Csr)),
//! validity at `now`, a positive non-zero serial of at most 20 octets, no
//! unknown critical extension, an allowed public key (no DSA, RSA < 2048,
//! P-192, …), and an authorityKeyIdentifier equal to the issuer's
//! subjectKeyIdentifier. Issuers (intermediates and the anchor) must carry
//! basicConstraints cA=TRUE, keyCertSign when keyUsage is present, a
//! pathLenConstraint not exceeded, and the purpose in extendedKeyUsage when
//! that is present. The leaf must not be a CA, and its extendedKeyUsage
//! (when present) must hold the purpose (clientAuth by default).
//!
//! Not implemented (refused when critical, ignored otherwise): name
//! constraints, certificate policies, revocation (CRL/OCSP).

use std::fmt;

use der::asn1::ObjectIdentifier as Oid;

use super::cert::{
    CertInfo, KU_DIGITAL_SIGNATURE, KU_KEY_CERT_SIGN, MAX_CHAIN_CERTS, OID_CLIENT_AUTH,
    OID_SERVER_AUTH, Parsed, parse_chain_pem,
};
use crate::error::{Error, Result};
use crate::services::UnixTime;

/// What the leaf certificate must be good for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Purpose {
    /// TLS client authentication (id-kp-clientAuth), the default.
    #[default]
    ClientAuth,
    /// TLS server authentication (id-kp-serverAuth).
    ServerAuth,
    /// No extendedKeyUsage requirement.
    Any,
}

impl Purpose {
    fn oid(self) -> Option<Oid> {
        match self {
            Purpose::ClientAuth => Some(OID_CLIENT_AUTH),
            Purpose::ServerAuth => Some(OID_SERVER_AUTH),
            Purpose::Any => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Purpose::ClientAuth => "clientAuth",
            Purpose::ServerAuth => "serverAuth",
            Purpose::Any => "any",
        }
    }
}

/// Options of [`verify_chain`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// The leaf's purpose (default clientAuth).
    pub purpose: Purpose,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            purpose: Purpose::ClientAuth,
        }
    }
}

impl VerifyOptions {
    /// Options for `purpose`.
    pub fn for_purpose(purpose: Purpose) -> Self {
        VerifyOptions { purpose }
    }
}

/// Why a chain was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChainFailure {
    /// No certificate was presented.
    Empty,
    /// More certificates than [`MAX_CHAIN_CERTS`].
    TooManyCertificates,
    /// The certificate does not parse; the text says why.
    Malformed(String),
    /// Past its notAfter.
    Expired {
        /// notAfter (Unix seconds).
        not_after: i64,
    },
    /// Before its notBefore.
    NotYetValid {
        /// notBefore (Unix seconds).
        not_before: i64,
    },
    /// No trust anchor or presented certificate is its issuer.
    UnknownIssuer,
    /// The issuer's signature does not verify.
    BadSignature,
    /// Signed with a refused algorithm (MD5, SHA-1, …).
    WeakAlgorithm(String),
    /// A refused public key (DSA, RSA < 2048, P-192, …).
    WeakKey(String),
    /// An issuer without basicConstraints cA=TRUE.
    NotCa,
    /// An issuer whose pathLenConstraint is exceeded.
    PathLenExceeded {
        /// The issuer's pathLenConstraint.
        path_len: u8,
        /// Intermediate CAs below it.
        below: usize,
    },
    /// An issuer whose keyUsage lacks keyCertSign.
    MissingKeyCertSign,
    /// The leaf's keyUsage lacks digitalSignature.
    MissingDigitalSignature,
    /// extendedKeyUsage present without the purpose.
    WrongExtendedKeyUsage {
        /// The purpose asked for.
        purpose: Purpose,
    },
    /// A critical extension this verifier does not process (OID).
    UnknownCriticalExtension(String),
    /// A serial number that is zero, negative or longer than 20 octets.
    BadSerial(String),
    /// authorityKeyIdentifier / subjectKeyIdentifier missing or not equal.
    KeyIdentifierMismatch(String),
    /// The leaf is a CA certificate.
    CaAsLeaf,
    /// Certificate version other than v3.
    NotV3,
}

impl fmt::Display for ChainFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("no certificate presented"),
            Self::TooManyCertificates => {
                write!(f, "more than {MAX_CHAIN_CERTS} certificates presented")
            }
            Self::Malformed(why) => write!(f, "malformed: {why}"),
            Self::Expired { not_after } => write!(f, "expired at unix time {not_after}"),
            Self::NotYetValid { not_before } => {
                write!(f, "not valid before unix time {not_before}")
            }
            Self::UnknownIssuer => f.write_str("issuer is not a trust anchor nor in the chain"),
            Self::BadSignature => f.write_str("issuer's signature does not verify"),
            Self::WeakAlgorithm(why) => write!(f, "signature algorithm refused: {why}"),
            Self::WeakKey(why) => write!(f, "public key refused: {why}"),
            Self::NotCa => f.write_str("issuer lacks basicConstraints cA=TRUE"),
            Self::PathLenExceeded { path_len, below } => write!(
                f,
                "pathLenConstraint {path_len} exceeded by {below} intermediate CA(s) below it"
            ),
            Self::MissingKeyCertSign => f.write_str("issuer's keyUsage lacks keyCertSign"),
            Self::MissingDigitalSignature => f.write_str("keyUsage lacks digitalSignature"),
            Self::WrongExtendedKeyUsage { purpose } => {
                write!(f, "extendedKeyUsage does not include {}", purpose.name())
            }
            Self::UnknownCriticalExtension(oid) => {
                write!(f, "unknown critical extension {oid}")
            }
            Self::BadSerial(why) => write!(f, "serial number {why}"),
            Self::KeyIdentifierMismatch(why) => write!(f, "key identifier linkage: {why}"),
            Self::CaAsLeaf => f.write_str("a CA certificate is presented as the leaf"),
            Self::NotV3 => f.write_str("certificate is not X.509 v3"),
        }
    }
}

/// A refused chain: which certificate of the path (0 = leaf; the anchor
/// comes last) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainError {
    /// Position on the path, 0 = the leaf.
    pub depth: usize,
    /// The certificate's subject (empty when it did not parse).
    pub subject: String,
    /// The reason.
    pub failure: ChainFailure,
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "certificate {} ({}): {}",
            self.depth, self.subject, self.failure
        )
    }
}

impl std::error::Error for ChainError {}

impl From<ChainError> for Error {
    fn from(e: ChainError) -> Self {
        Error::CertificateRejected {
            reason: e.to_string(),
        }
    }
}

/// Parsed trust anchors (root or intermediate CA certificates a chain may
/// end at).
#[derive(Clone, Debug)]
pub struct TrustAnchors {
    anchors: Vec<Parsed>,
}

impl TrustAnchors {
    /// Anchors from DER certificates.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `certificate` when one does not parse.
    pub fn from_der<B: AsRef<[u8]>>(certs: &[B]) -> Result<TrustAnchors> {
        Ok(TrustAnchors {
            anchors: certs
                .iter()
                .map(|c| Parsed::from_der(c.as_ref()))
                .collect::<Result<_>>()?,
        })
    }

    /// Anchors from a PEM bundle.
    ///
    /// # Errors
    /// As [`parse_chain_pem`].
    pub fn from_pem(text: &str) -> Result<TrustAnchors> {
        Self::from_der(&parse_chain_pem(text)?)
    }

    /// The anchors' subjects (DER), for TLS CertificateRequest hints.
    pub fn subjects(&self) -> Vec<Vec<u8>> {
        self.anchors.iter().map(|a| a.subject_der.clone()).collect()
    }

    /// How many anchors.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }
}

/// A chain that verified.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedChain {
    /// The leaf.
    pub leaf: CertInfo,
    /// Fingerprints of the path from the leaf to the anchor (inclusive).
    pub path_fingerprints: Vec<String>,
    /// The anchor the path ends at (DER).
    pub anchor_der: Vec<u8>,
}

fn fail(depth: usize, p: Option<&Parsed>, failure: ChainFailure) -> ChainError {
    ChainError {
        depth,
        subject: p.map(Parsed::subject).unwrap_or_default(),
        failure,
    }
}

/// Checks every certificate gets: version, validity, serial, critical
/// extensions, key.
fn common_checks(p: &Parsed, depth: usize, now: i64) -> Result<(), ChainError> {
    let f = |failure| Err(fail(depth, Some(p), failure));
    if p.version != 2 {
        return f(ChainFailure::NotV3);
    }
    if now < p.not_before {
        return f(ChainFailure::NotYetValid {
            not_before: p.not_before,
        });
    }
    if now > p.not_after {
        return f(ChainFailure::Expired {
            not_after: p.not_after,
        });
    }
    let s = &p.serial;
    if s.is_empty() || s.iter().all(|b| *b == 0) {
        return f(ChainFailure::BadSerial("is zero".into()));
    }
    if s[0] & 0x80 != 0 {
        return f(ChainFailure::BadSerial("is negative".into()));
    }
    let significant = s.len() - usize::from(s[0] == 0);
    if s.len() > 20 {
        return f(ChainFailure::BadSerial(format!(
            "must be at most 20 octets, got {} ({significant} significant)",
            s.len()
        )));
    }
    if let Some(oid) = p.exts.unknown_critical.first() {
        return f(ChainFailure::UnknownCriticalExtension(oid.to_string()));
    }
    if let Err(r) = &p.key_type {
        return f(ChainFailure::WeakKey(r.0.clone()));
    }
    Ok(())
}

/// Checks of an issuer at `depth` with `below` intermediate CAs under it.
fn issuer_checks(
    p: &Parsed,
    depth: usize,
    below: usize,
    purpose: Purpose,
) -> Result<(), ChainError> {
    let f = |failure| Err(fail(depth, Some(p), failure));
    match p.exts.basic_constraints {
        Some((true, path_len, _)) => {
            if let Some(n) = path_len {
                if below > usize::from(n) {
                    return f(ChainFailure::PathLenExceeded { path_len: n, below });
                }
            }
        }
        _ => return f(ChainFailure::NotCa),
    }
    if p.exts
        .key_usage
        .is_some_and(|ku| ku & KU_KEY_CERT_SIGN == 0)
    {
        return f(ChainFailure::MissingKeyCertSign);
    }
    eku_check(p, depth, purpose)
}

fn eku_check(p: &Parsed, depth: usize, purpose: Purpose) -> Result<(), ChainError> {
    if let (Some(eku), Some(want)) = (&p.exts.eku, purpose.oid()) {
        if !eku.contains(&want) {
            return Err(fail(
                depth,
                Some(p),
                ChainFailure::WrongExtendedKeyUsage { purpose },
            ));
        }
    }
    Ok(())
}

/// The link child → issuer: signature and key identifiers.
/// `signature_verified`: the caller has already verified the child's
/// signature with this issuer's key (choosing the issuer needs that check;
/// an ECDSA verification is most of a link's cost, so it is not repeated).
fn link(
    child: &Parsed,
    depth: usize,
    issuer: &Parsed,
    signature_verified: bool,
) -> Result<(), ChainError> {
    let f = |failure| Err(fail(depth, Some(child), failure));
    if let Err(r) = &child.sig_alg {
        return f(ChainFailure::WeakAlgorithm(r.0.clone()));
    }
    if let Err(r) = &issuer.key_type {
        return Err(fail(
            depth + 1,
            Some(issuer),
            ChainFailure::WeakKey(r.0.clone()),
        ));
    }
    if !signature_verified && child.signed_by(issuer).is_err() {
        return f(ChainFailure::BadSignature);
    }
    match (&child.exts.aki, &issuer.exts.ski) {
        (Some(a), Some(s)) if a == s => Ok(()),
        (Some(_), Some(_)) => f(ChainFailure::KeyIdentifierMismatch(
            "authorityKeyIdentifier does not match the issuer's subjectKeyIdentifier".into(),
        )),
        (None, _) => f(ChainFailure::KeyIdentifierMismatch(
            "authorityKeyIdentifier is missing".into(),
        )),
        (_, None) => Err(fail(
            depth + 1,
            Some(issuer),
            ChainFailure::KeyIdentifierMismatch("issuer has no subjectKeyIdentifier".into()),
        )),
    }
}

/// Verifies `chain` (leaf first, then any intermediates in any order) to
/// one of `anchors` at `now`.
///
/// # Errors
/// [`ChainError`] naming the certificate and the [`ChainFailure`]; convert
/// with `?` into [`Error::CertificateRejected`].
pub fn verify_chain<B: AsRef<[u8]>>(
    anchors: &TrustAnchors,
    chain: &[B],
    now: UnixTime,
    opts: &VerifyOptions,
) -> Result<VerifiedChain, ChainError> {
    if chain.is_empty() {
        return Err(fail(0, None, ChainFailure::Empty));
    }
    if chain.len() > MAX_CHAIN_CERTS {
        return Err(fail(0, None, ChainFailure::TooManyCertificates));
    }
    let mut parsed = Vec::with_capacity(chain.len());
    for (i, c) in chain.iter().enumerate() {
        let p = Parsed::from_der(c.as_ref())
            .map_err(|e| fail(i, None, ChainFailure::Malformed(e.to_string())))?;
        parsed.push(p);
    }
    let now = now.0;
    let leaf = &parsed[0];
    common_checks(leaf, 0, now)?;
    if leaf.is_ca() {
        return Err(fail(0, Some(leaf), ChainFailure::CaAsLeaf));
    }
    if leaf
        .exts
        .key_usage
        .is_some_and(|ku| ku & KU_DIGITAL_SIGNATURE == 0)
    {
        return Err(fail(0, Some(leaf), ChainFailure::MissingDigitalSignature));
    }
    eku_check(leaf, 0, opts.purpose)?;

    let mut path: Vec<usize> = vec![0];
    let mut fingerprints = vec![leaf.fingerprint()];
    loop {
        let depth = path.len() - 1;
        let current = &parsed[path[depth]];
        // Intermediate CAs between the leaf and the next issuer; self-issued
        // ones do not count (RFC 5280 §4.2.1.9).
        let below = path[1..]
            .iter()
            .filter(|i| !parsed[**i].self_issued())
            .count();
        // A trust anchor first.
        let mut name_match = false;
        for anchor in &anchors.anchors {
            if anchor.subject_der != current.issuer_der {
                continue;
            }
            name_match = true;
            let verified = current.signed_by(anchor).is_ok();
            if !verified && current.sig_alg.is_ok() {
                continue; // another anchor with the same name may fit
            }
            link(current, depth, anchor, verified)?;
            common_checks(anchor, depth + 1, now)?;
            issuer_checks(anchor, depth + 1, below, opts.purpose)?;
            fingerprints.push(anchor.fingerprint());
            return Ok(VerifiedChain {
                leaf: leaf.info(),
                path_fingerprints: fingerprints,
                anchor_der: anchor.der.clone(),
            });
        }
        // Then a presented intermediate.
        let next = (1..parsed.len())
            .filter(|i| !path.contains(i) && parsed[*i].subject_der == current.issuer_der)
            .find(|i| current.sig_alg.is_err() || current.signed_by(&parsed[*i]).is_ok());
        let Some(next) = next else {
            let has_name = name_match
                || (1..parsed.len())
                    .any(|i| !path.contains(&i) && parsed[i].subject_der == current.issuer_der);
            let failure = if !has_name {
                ChainFailure::UnknownIssuer
            } else if let Err(r) = &current.sig_alg {
                ChainFailure::WeakAlgorithm(r.0.clone())
            } else {
                ChainFailure::BadSignature
            };
            return Err(fail(depth, Some(current), failure));
        };
        let issuer = &parsed[next];
        // `next` was chosen by a signature that verified, unless the
        // child's algorithm is refused (then `link` reports that).
        link(current, depth, issuer, current.sig_alg.is_ok())?;
        common_checks(issuer, depth + 1, now)?;
        // `below` counts intermediates under this issuer, excluding itself
        issuer_checks(issuer, depth + 1, below, opts.purpose)?;
        fingerprints.push(issuer.fingerprint());
        path.push(next);
        if path.len() > MAX_CHAIN_CERTS {
            return Err(fail(
                depth + 1,
                Some(issuer),
                ChainFailure::TooManyCertificates,
            ));
        }
    }
}
