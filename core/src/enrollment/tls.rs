//! An in-memory TLS handshake between a rustls client and server, for
//! self-tests of an mTLS setup (the CLI's `demo` runs one with the
//! engine's [`Enrollment::mtls_verifier`](super::Enrollment::mtls_verifier)).

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection};

use crate::error::{Error, Result};
use crate::services::Clock;

/// Why an in-memory handshake failed, and on which side.
#[derive(Debug)]
#[non_exhaustive]
pub enum HandshakeError {
    /// The server refused (for example the client certificate).
    Server(rustls::Error),
    /// The client refused (for example the server certificate) or was
    /// refused by an alert.
    Client(rustls::Error),
    /// The handshake did not finish.
    Stalled,
}

impl std::fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HandshakeError::Server(e) => write!(f, "server refused: {e}"),
            HandshakeError::Client(e) => write!(f, "client refused: {e}"),
            HandshakeError::Stalled => f.write_str("handshake did not finish"),
        }
    }
}

impl std::error::Error for HandshakeError {}

/// Runs a full TLS handshake between `client` and `server` in memory (no
/// sockets), then sends one application byte each way so the server's
/// verdict on the client certificate is known to both sides.
///
/// # Errors
/// [`HandshakeError`] naming the side that refused.
pub fn memory_handshake(
    client: Arc<ClientConfig>,
    server: Arc<ServerConfig>,
    server_name: &str,
) -> std::result::Result<(), HandshakeError> {
    let name = ServerName::try_from(server_name.to_owned())
        .map_err(|e| HandshakeError::Client(rustls::Error::General(e.to_string())))?;
    let mut c = ClientConnection::new(client, name).map_err(HandshakeError::Client)?;
    let mut s = ServerConnection::new(server).map_err(HandshakeError::Server)?;
    let mut sent = false;
    for _ in 0..32 {
        let mut buf = Vec::new();
        while c.wants_write() {
            c.write_tls(&mut buf)
                .map_err(|e| HandshakeError::Client(rustls::Error::General(e.to_string())))?;
        }
        if !buf.is_empty() {
            s.read_tls(&mut &buf[..])
                .map_err(|e| HandshakeError::Server(rustls::Error::General(e.to_string())))?;
            if let Err(e) = s.process_new_packets() {
                return Err(HandshakeError::Server(e));
            }
        }
        let mut buf = Vec::new();
        while s.wants_write() {
            s.write_tls(&mut buf)
                .map_err(|e| HandshakeError::Server(rustls::Error::General(e.to_string())))?;
        }
        if !buf.is_empty() {
            c.read_tls(&mut &buf[..])
                .map_err(|e| HandshakeError::Client(rustls::Error::General(e.to_string())))?;
            c.process_new_packets().map_err(HandshakeError::Client)?;
        }
        if !c.is_handshaking() && !s.is_handshaking() {
            if sent {
                return Ok(());
            }
            use std::io::Write as _;
            c.writer()
                .write_all(b"x")
                .map_err(|e| HandshakeError::Client(rustls::Error::General(e.to_string())))?;
            s.writer()
                .write_all(b"y")
                .map_err(|e| HandshakeError::Server(rustls::Error::General(e.to_string())))?;
            sent = true;
        }
    }
    Err(HandshakeError::Stalled)
}

/// A rustls server config presenting `cert_chain` (DER, leaf first) with the
/// PKCS#8 `key`, verifying clients with `verifier` (ring provider, TLS 1.2
/// and 1.3).
///
/// # Errors
/// [`Error::InvalidInput`] naming `server_key` when rustls refuses the key or
/// chain.
pub fn server_config(
    verifier: crate::pki::MtlsVerifier,
    cert_chain: Vec<Vec<u8>>,
    key_pkcs8: &[u8],
) -> Result<Arc<ServerConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::invalid("server_key", e.to_string()))?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(
            cert_chain.into_iter().map(CertificateDer::from).collect(),
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pkcs8.to_vec())),
        )
        .map_err(|e| Error::invalid("server_key", e.to_string()))?;
    Ok(Arc::new(cfg))
}

/// rustls' notion of "now" from an engine [`Clock`] (so certificates are
/// checked at the same injected time on both sides).
#[derive(Debug)]
struct ClockTime(Arc<dyn Clock>);

impl rustls::time_provider::TimeProvider for ClockTime {
    fn current_time(&self) -> Option<rustls::pki_types::UnixTime> {
        let secs = u64::try_from(self.0.now().0).ok()?;
        Some(rustls::pki_types::UnixTime::since_unix_epoch(
            std::time::Duration::from_secs(secs),
        ))
    }
}

/// A rustls client config trusting `roots` (DER CA certificates) and
/// presenting `cert_chain` (DER, leaf first) with the PKCS#8 `key`; the
/// server certificate is checked at `clock`'s time.
///
/// # Errors
/// [`Error::InvalidInput`] naming `roots` or `client_key`.
pub fn client_config(
    roots: &[Vec<u8>],
    cert_chain: Vec<Vec<u8>>,
    key_pkcs8: &[u8],
    clock: Arc<dyn Clock>,
) -> Result<Arc<ClientConfig>> {
    let mut store = RootCertStore::empty();
    for r in roots {
        store
            .add(CertificateDer::from(r.clone()))
            .map_err(|e| Error::invalid("roots", e.to_string()))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = ClientConfig::builder_with_details(provider, Arc::new(ClockTime(clock)))
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::invalid("client_key", e.to_string()))?
        .with_root_certificates(store)
        .with_client_auth_cert(
            cert_chain.into_iter().map(CertificateDer::from).collect(),
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pkcs8.to_vec())),
        )
        .map_err(|e| Error::invalid("client_key", e.to_string()))?;
    Ok(Arc::new(cfg))
}
