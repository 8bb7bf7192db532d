//! `credcycle cert …`: checks on certificates.
//!
//! `cert verify` checks a certificate chain for a purpose at a time:
//!
//! - without `--roots-file`, against the engine's trusted CAs of the tenant
//!   (its internal CA and every verified external CA) through
//!   [`Enrollment::verify_certificate`](credcycle::enrollment::Enrollment::verify_certificate):
//!   the chain checks certificate authentication and CA auto-enrollment
//!   use. This opens the store (it holds the CAs).
//! - with `--roots-file`, against those roots only, through
//!   [`credcycle::pki::verify_chain`]; the store is not opened, so this works
//!   on any machine without `credcycle init`.
//!
//! The result is `{valid, reason, …}` on stdout. A refused chain still
//! prints it (`valid: false` and the reason naming the certificate), then
//! exits 5 with the error on stderr, like `target verify`; bad input (a
//! missing or malformed file, a bad `--at`) exits 2 without a result.

use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use credcycle::enrollment::TrustedCa;
use credcycle::pki::{self, Purpose, TrustAnchors, VerifyOptions};
use credcycle::{Clock as _, ErrorCode, UnixTime};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Ctx;
use crate::error::CliError;
use crate::output::{Block, Output, or_dash, rfc3339};

/// Largest certificate file read (a PEM bundle of up to 16 certificates).
const MAX_CERT_FILE_BYTES: u64 = 1024 * 1024;

/// `cert …`
#[derive(Debug, Subcommand)]
pub(crate) enum CertCommand {
    /// Verify a certificate chain: against the tenant's trusted CAs
    /// (internal and verified external), or with --roots-file against those
    /// roots only (the store is then not opened). Prints {valid, reason};
    /// exits 5 when the chain is refused.
    Verify {
        /// The leaf certificate (PEM or DER); further PEM certificates in
        /// the file are taken as intermediates.
        #[arg(long, value_name = "FILE")]
        cert_file: PathBuf,
        /// Intermediate CA certificates (PEM bundle or one DER).
        #[arg(long, value_name = "FILE")]
        chain_file: Option<PathBuf>,
        /// Trust these roots (PEM bundle or one DER) instead of the
        /// tenant's CAs.
        #[arg(long, value_name = "FILE")]
        roots_file: Option<PathBuf>,
        /// Verify at this time (RFC 3339) instead of now.
        #[arg(long, value_name = "RFC3339")]
        at: Option<String>,
        /// What the leaf must be good for (its extendedKeyUsage).
        #[arg(long, value_enum, default_value = "client")]
        purpose: PurposeArg,
    },
}

/// `--purpose`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum PurposeArg {
    /// TLS client authentication (clientAuth).
    Client,
    /// TLS server authentication (serverAuth).
    Server,
    /// Any purpose (no extendedKeyUsage requirement).
    Any,
}

impl PurposeArg {
    fn engine(self) -> Purpose {
        match self {
            PurposeArg::Client => Purpose::ClientAuth,
            PurposeArg::Server => Purpose::ServerAuth,
            PurposeArg::Any => Purpose::Any,
        }
    }
}

/// The JSON result of `cert verify`.
#[derive(Debug, Default, Serialize)]
struct VerifyView {
    valid: bool,
    /// Why the chain was refused (null when valid).
    reason: Option<String>,
    /// `internal`, `external` or `roots` (null when refused).
    anchor: Option<&'static str>,
    /// The external CA's id when `anchor` is `external`.
    ca_id: Option<String>,
    /// CA certificates above the leaf on the path, the anchor included.
    depth: Option<usize>,
    /// The leaf's SHA-256 fingerprint.
    fingerprint: String,
    /// Fingerprints from the leaf to the anchor (empty when refused).
    path_fingerprints: Vec<String>,
    not_after: Option<String>,
    not_after_unix: Option<i64>,
    /// The time the chain was checked at.
    at_unix: i64,
    purpose: &'static str,
}

pub(crate) fn run(ctx: &Ctx, command: CertCommand) -> Result<Output, CliError> {
    match command {
        CertCommand::Verify {
            cert_file,
            chain_file,
            roots_file,
            at,
            purpose,
        } => verify(
            ctx,
            &cert_file,
            chain_file.as_deref(),
            roots_file.as_deref(),
            at.as_deref(),
            purpose,
        ),
    }
}

fn verify(
    ctx: &Ctx,
    cert_file: &Path,
    chain_file: Option<&Path>,
    roots_file: Option<&Path>,
    at: Option<&str>,
    purpose: PurposeArg,
) -> Result<Output, CliError> {
    let mut chain = read_certs("--cert-file", cert_file)?;
    if let Some(p) = chain_file {
        chain.extend(read_certs("--chain-file", p)?);
    }
    let at = at.map(parse_at).transpose()?;
    let mut view = VerifyView {
        fingerprint: pki::fingerprint(&chain[0]),
        purpose: match purpose {
            PurposeArg::Client => "client",
            PurposeArg::Server => "server",
            PurposeArg::Any => "any",
        },
        ..VerifyView::default()
    };
    let result = match roots_file {
        Some(p) => {
            let roots = read_certs("--roots-file", p)?;
            let anchors = TrustAnchors::from_der(&roots)
                .map_err(|e| CliError::new(e.code(), format!("--roots-file: {e}")))?;
            let now = at.unwrap_or_else(now);
            view.at_unix = now.0;
            pki::verify_chain(
                &anchors,
                &chain,
                now,
                &VerifyOptions::for_purpose(purpose.engine()),
            )
            .map(|v| {
                view.anchor = Some("roots");
                view.depth = Some(v.path_fingerprints.len().saturating_sub(1));
                view.path_fingerprints = v.path_fingerprints;
                view.not_after_unix = Some(v.leaf.not_after.0);
            })
            .map_err(credcycle::Error::from)
        }
        None => {
            let engine = ctx.engine()?;
            let enr = engine.enrollment(&ctx.tenant)?;
            view.at_unix = at.unwrap_or_else(|| engine.services().clock.now()).0;
            enr.verify_certificate(&chain, Some(UnixTime(view.at_unix)), purpose.engine())
                .map(|v| {
                    match v.anchor {
                        TrustedCa::External { ca_id } => {
                            view.anchor = Some("external");
                            view.ca_id = Some(ca_id);
                        }
                        _ => view.anchor = Some("internal"),
                    }
                    view.depth = Some(v.depth);
                    view.path_fingerprints = v.path_fingerprints;
                    view.not_after_unix = Some(v.not_after.0);
                })
        }
    };
    let failure = match result {
        Ok(()) => None,
        Err(e) if e.code() == ErrorCode::CertificateRejected => {
            view.reason = Some(e.to_string());
            Some(CliError::from(e))
        }
        Err(e) => return Err(e.into()),
    };
    view.valid = failure.is_none();
    view.not_after = view.not_after_unix.map(rfc3339);
    let human = vec![Block::Fields(vec![
        ("valid", view.valid.to_string()),
        ("reason", or_dash(view.reason.clone())),
        (
            "anchor",
            or_dash(view.anchor.map(|a| match &view.ca_id {
                Some(id) => format!("{a} ({id})"),
                None => a.to_owned(),
            })),
        ),
        ("depth", or_dash(view.depth.map(|d| d.to_string()))),
        ("fingerprint", view.fingerprint.clone()),
        ("not_after", or_dash(view.not_after.clone())),
    ])];
    let mut out = Output::new(&view, human)?;
    out.failure = failure;
    Ok(out)
}

fn now() -> UnixTime {
    credcycle::SystemClock.now()
}

fn parse_at(s: &str) -> Result<UnixTime, CliError> {
    OffsetDateTime::parse(s, &Rfc3339)
        .map(|t| UnixTime(t.unix_timestamp()))
        .map_err(|_| CliError::input("--at: must be an RFC 3339 time, e.g. 2027-01-31T00:00:00Z"))
}

/// The certificates of a file: one DER certificate, or the CERTIFICATE
/// blocks of PEM text (at least one, at most 16), each checked to parse.
fn read_certs(option: &str, path: &Path) -> Result<Vec<Vec<u8>>, CliError> {
    let file = fs::File::open(path).map_err(|e| CliError::io(option, "read", path, &e))?;
    let mut bytes = Vec::new();
    file.take(MAX_CERT_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::io(option, "read", path, &e))?;
    if bytes.len() as u64 > MAX_CERT_FILE_BYTES {
        return Err(CliError::input(format!(
            "{option}: {} must be at most {MAX_CERT_FILE_BYTES} bytes",
            path.display()
        )));
    }
    let named = |e: credcycle::Error| CliError::new(e.code(), format!("{option}: {e}"));
    if bytes.first() == Some(&0x30) {
        pki::CertInfo::from_der(&bytes).map_err(named)?;
        return Ok(vec![bytes]);
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        CliError::input(format!(
            "{option}: {} is neither PEM text nor a DER certificate",
            path.display()
        ))
    })?;
    pki::parse_chain_pem(&text).map_err(named)
}
