//! Connection URL handling: the parts `postgres::Config` does not know
//! (`sslrootcert`), TLS set-up with rustls, and a credential-free
//! description of the target for messages.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use postgres::config::{Host, SslMode};
use rustls::RootCertStore;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::PgError;

/// Default connect timeout when the URL sets none.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A parsed connection target.
pub(crate) struct Target {
    pub(crate) config: postgres::Config,
    /// `Some` when the URL asks for TLS (`sslmode=require`).
    pub(crate) tls: Option<MakeRustlsConnect>,
    /// `host:port/database`, for messages.
    pub(crate) describe: String,
}

/// Percent-decodes a URL component.
fn percent_decode(s: &str) -> Result<String, PgError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| PgError::InvalidUrl("bad percent-encoding in a parameter".into()))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PgError::InvalidUrl("parameter is not UTF-8".into()))
}

/// Removes the `sslrootcert` query parameter from a `postgres://` URL
/// (the client library refuses unknown parameters) and returns it decoded.
fn take_sslrootcert(url: &str) -> Result<(String, Option<String>), PgError> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), None));
    };
    let mut kept = Vec::new();
    let mut root = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslrootcert", value)) => root = Some(percent_decode(value)?),
            _ => kept.push(pair),
        }
    }
    let rebuilt = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((rebuilt, root))
}

/// Parses `url` (`postgres://` / `postgresql://`).
pub(crate) fn parse(url: &str) -> Result<Target, PgError> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(PgError::InvalidUrl(
            "must start with postgres:// or postgresql://".into(),
        ));
    }
    let (rest, sslrootcert) = take_sslrootcert(url)?;
    // The library's message may quote the offending part but not the
    // password; still, only its kind is repeated here.
    let mut config = postgres::Config::from_str(&rest).map_err(|e| {
        let reason = std::error::Error::source(&e)
            .map(|s| s.to_string())
            .unwrap_or_else(|| e.to_string());
        PgError::InvalidUrl(reason)
    })?;
    if config.get_hosts().is_empty() {
        return Err(PgError::InvalidUrl("no host".into()));
    }
    if config.get_dbname().is_none() {
        // libpq's default: the database named like the user.
        if let Some(user) = config.get_user().map(str::to_owned) {
            config.dbname(&user);
        }
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("credcycle");
    }
    let describe = describe(&config);
    let tls = match config.get_ssl_mode() {
        SslMode::Require => Some(tls_connector(sslrootcert.as_deref())?),
        // `prefer` (the library's default) cannot be honoured with a
        // verifying TLS client: a server with a certificate we cannot
        // verify would fail instead of falling back. It means plain TCP.
        _ => {
            if sslrootcert.is_some() {
                return Err(PgError::InvalidUrl(
                    "sslrootcert needs sslmode=require".into(),
                ));
            }
            config.ssl_mode(SslMode::Disable);
            None
        }
    };
    Ok(Target {
        config,
        tls,
        describe,
    })
}

/// `host:port/database` of the first host.
fn describe(config: &postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(Host::Unix(p)) => p.display().to_string(),
        None => String::from("?"),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().unwrap_or("?");
    format!("{host}:{port}/{db}")
}

/// A rustls connector (ring provider) trusting the CA certificates in the
/// PEM file `root_file`, or the system's trusted roots without one. The
/// server certificate is always verified against the host name.
fn tls_connector(root_file: Option<&str>) -> Result<MakeRustlsConnect, PgError> {
    let mut roots = RootCertStore::empty();
    match root_file {
        Some(path) => {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                .map_err(|e| PgError::Tls(format!("sslrootcert {path}: {e}")))?
                .collect::<Result<_, _>>()
                .map_err(|e| PgError::Tls(format!("sslrootcert {path}: {e}")))?;
            let (added, _) = roots.add_parsable_certificates(certs);
            if added == 0 {
                return Err(PgError::Tls(format!(
                    "sslrootcert {path}: no usable CA certificate"
                )));
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(found.certs);
            if roots.is_empty() {
                return Err(PgError::Tls(
                    "no trusted root certificates on this system; pass sslrootcert=PATH".into(),
                ));
            }
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| PgError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslrootcert_is_taken_out_of_the_query() {
        let (u, r) =
            take_sslrootcert("postgres://h/db?sslmode=require&sslrootcert=%2Ftmp%2Fca.crt")
                .expect("parse");
        assert_eq!(u, "postgres://h/db?sslmode=require");
        assert_eq!(r.as_deref(), Some("/tmp/ca.crt"));
        let (u, r) = take_sslrootcert("postgres://h/db?sslrootcert=/x").expect("parse");
        assert_eq!((u.as_str(), r.as_deref()), ("postgres://h/db", Some("/x")));
        let (u, r) = take_sslrootcert("postgres://h/db").expect("parse");
        assert_eq!((u.as_str(), r), ("postgres://h/db", None));
        assert!(take_sslrootcert("postgres://h/db?sslrootcert=%zz").is_err());
    }

    #[test]
    fn plain_and_tls_urls_parse() {
        let t = parse("postgres://u:secret@127.0.0.1:5433/app").expect("plain");
        assert!(t.tls.is_none());
        assert_eq!(t.describe, "127.0.0.1:5433/app");
        assert_eq!(t.config.get_ssl_mode(), SslMode::Disable);
        assert_eq!(
            t.config.get_connect_timeout(),
            Some(&DEFAULT_CONNECT_TIMEOUT)
        );

        let t = parse("postgresql://u@db.example/app?sslmode=prefer").expect("prefer");
        assert!(t.tls.is_none());
        assert_eq!(t.describe, "db.example:5432/app");

        let t = parse("postgres://u@localhost?sslmode=require").expect("require, system roots");
        assert!(t.tls.is_some());
        assert_eq!(t.config.get_dbname(), Some("u"));
    }

    #[test]
    fn bad_urls_are_invalid_and_never_repeat_the_password() {
        for url in [
            "mysql://u:hunter2@h/db",
            "postgres://u:hunter2@h/db?sslmode=bogus",
            "postgres://u:hunter2@h/db?nosuchoption=1",
            "postgres://u:hunter2@h/db?sslrootcert=/x",
            "postgres://u:hunter2@h/db?sslmode=require&sslrootcert=/nonexistent/ca.pem",
        ] {
            let err = parse(url).err().expect("must fail");
            let msg = err.to_string();
            assert!(!msg.contains("hunter2"), "{msg}");
            assert!(
                matches!(err, PgError::InvalidUrl(_) | PgError::Tls(_)),
                "{url}: {err:?}"
            );
        }
    }
}
