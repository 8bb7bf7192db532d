//! A rustls [`ClientCertVerifier`] backed by a [`ClientCertAuthorizer`]:
//! the chain and the authority decision come from the authorizer (the
//! engine's enrollment half, or [`AnchorAuthorizer`] for plain chain
//! verification); TLS handshake signatures are checked with ring.

use std::fmt;
use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, UnixTime as TlsTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, OtherError, SignatureScheme,
};

use super::verify::{TrustAnchors, VerifyOptions, verify_chain};
use crate::error::{Error, Result};
use crate::services::{Clock, UnixTime};

/// Decides whether a presented client certificate chain authenticates.
///
/// Implementations typically run [`verify_chain`] against their trust
/// anchors and then look the leaf up (by fingerprint) among the
/// certificates they recognise.
pub trait ClientCertAuthorizer: Send + Sync + fmt::Debug {
    /// `Ok` when `leaf_der` (with `intermediates`) is acceptable at `now`.
    ///
    /// # Errors
    /// Any [`Error`]; [`Error::CertificateRejected`] for chain failures.
    fn authorize(&self, leaf_der: &[u8], intermediates: &[&[u8]], now: UnixTime) -> Result<()>;

    /// Subjects (DER Names) of acceptable CAs, sent to clients as hints.
    fn root_hint_subjects(&self) -> Vec<Vec<u8>> {
        Vec::new()
    }
}

/// An authorizer that accepts any chain verifying to its anchors for
/// clientAuth.
#[derive(Clone, Debug)]
pub struct AnchorAuthorizer {
    anchors: TrustAnchors,
    opts: VerifyOptions,
}

impl AnchorAuthorizer {
    /// Accepts chains to `anchors` for clientAuth.
    pub fn new(anchors: TrustAnchors) -> Self {
        AnchorAuthorizer {
            anchors,
            opts: VerifyOptions::default(),
        }
    }
}

impl ClientCertAuthorizer for AnchorAuthorizer {
    fn authorize(&self, leaf_der: &[u8], intermediates: &[&[u8]], now: UnixTime) -> Result<()> {
        let mut chain: Vec<&[u8]> = Vec::with_capacity(intermediates.len() + 1);
        chain.push(leaf_der);
        chain.extend_from_slice(intermediates);
        verify_chain(&self.anchors, &chain, now, &self.opts)?;
        Ok(())
    }

    fn root_hint_subjects(&self) -> Vec<Vec<u8>> {
        self.anchors.subjects()
    }
}

/// The rustls client-certificate verifier: mandatory client
/// authentication, decided by a [`ClientCertAuthorizer`] at the time of an
/// injected [`Clock`].
pub struct MtlsVerifier {
    authorizer: Arc<dyn ClientCertAuthorizer>,
    clock: Arc<dyn Clock>,
    hints: Vec<DistinguishedName>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl fmt::Debug for MtlsVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MtlsVerifier")
            .field("authorizer", &self.authorizer)
            .finish_non_exhaustive()
    }
}

impl MtlsVerifier {
    /// A verifier asking `authorizer`, with "now" from `clock`.
    pub fn new(authorizer: Arc<dyn ClientCertAuthorizer>, clock: Arc<dyn Clock>) -> Self {
        let hints = authorizer
            .root_hint_subjects()
            .into_iter()
            .map(DistinguishedName::from)
            .collect();
        MtlsVerifier {
            authorizer,
            clock,
            hints,
            algorithms: rustls::crypto::ring::default_provider().signature_verification_algorithms,
        }
    }
}

/// The rustls error for an engine error: the engine's message (which names
/// the certificate and the reason) travels as `CertificateError::Other`.
fn tls_error(e: Error) -> rustls::Error {
    rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(e))))
}

impl ClientCertVerifier for MtlsVerifier {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _now: TlsTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        let inter: Vec<&[u8]> = intermediates.iter().map(|c| c.as_ref()).collect();
        self.authorizer
            .authorize(end_entity.as_ref(), &inter, self.clock.now())
            .map_err(tls_error)?;
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
