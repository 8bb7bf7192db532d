//! `credcycle ca …` and `credcycle enroll …`: the tenant's internal CA,
//! external CAs, enrollment tokens (JWTs), certificate enrollment with a
//! CSR, extension, and the enrollment challenge.
//!
//! A JWT argument of `-` is read from the first line of stdin, so tokens
//! need not appear in the process list.

use std::fs;
use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use credcycle::enrollment::{
    CaOptions, CertStatus, EnrolledCert, Enrollment, EnrollmentInfo, EnrollmentMethod,
    EnrollmentRequest, ExternalCa,
};
use credcycle::identities::Subject;
use credcycle::pki::{CaKeyAlgorithm, ClientKeyAlgorithm, CreateCa, generate_key_and_csr};
use serde::Serialize;

use super::identity::{identities, resolve, stdin_line};
use super::{ACTOR, Ctx};
use crate::error::CliError;
use crate::output::{Block, Output, or_dash, rfc3339};

/// Largest file read by these commands (certificates, CSRs, chains).
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// Key algorithm of the internal CA.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum CaAlg {
    /// ECDSA P-256 (default).
    P256,
    /// ECDSA P-384.
    P384,
    /// Ed25519.
    Ed25519,
}

/// Key algorithm of a client key made by `enroll keygen`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum KeyAlg {
    /// ECDSA P-256 (default).
    P256,
    /// ECDSA P-384.
    P384,
    /// Ed25519.
    Ed25519,
}

/// Enrollment method of `enroll ott`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub(crate) enum Method {
    /// Token + CSR → a certificate from the internal CA.
    Ott,
    /// Token + a certificate from an external CA (`--ca`).
    Ottca,
    /// Token → the initial username and password (`--username`).
    Updb,
    /// Token + client CSR + server CSR → a router's certificates.
    Router,
}

impl Method {
    fn engine(self) -> EnrollmentMethod {
        match self {
            Method::Ott => EnrollmentMethod::Ott,
            Method::Ottca => EnrollmentMethod::OttCa,
            Method::Updb => EnrollmentMethod::Updb,
            Method::Router => EnrollmentMethod::Router,
        }
    }
}

/// `ca …`
#[derive(Debug, Subcommand)]
pub(crate) enum CaCommand {
    /// Create the tenant's internal CA: a key in the key manager and a
    /// self-signed root.
    Init {
        /// Key algorithm.
        #[arg(long, value_enum, default_value = "p256")]
        alg: CaAlg,
        /// SPIFFE trust domain of issued certificates.
        #[arg(long, default_value = "credcycle.local")]
        trust_domain: String,
        /// The root's common name (default `credcycle <tenant> CA`).
        #[arg(long)]
        name: Option<String>,
    },
    /// Show the internal CA.
    Show,
    /// The CA bundle: PEM, or with --pkcs7 a PKCS#7 certs-only structure in
    /// base64 (the seed's "CA cert store").
    Bundle {
        /// Print the PKCS#7 form.
        #[arg(long)]
        pkcs7: bool,
    },
    /// Register an external CA; prints its verification token.
    Register {
        /// Unique name.
        name: String,
        /// The CA certificate (PEM).
        #[arg(long, value_name = "FILE")]
        cert_file: PathBuf,
        /// Do not let its certificates create identities.
        #[arg(long)]
        no_auto_enrollment: bool,
        /// Name format of auto-enrolled identities
        /// (`[caName]`, `[caId]`, `[commonName]`, `[fingerprint]`).
        #[arg(long)]
        identity_name_format: Option<String>,
    },
    /// Verify an external CA with a certificate it signed whose common name
    /// is the verification token.
    Verify {
        /// CA id.
        id: String,
        /// The proof certificate (PEM).
        #[arg(long, value_name = "FILE")]
        cert_file: PathBuf,
    },
    /// List external CAs.
    List,
    /// Delete an external CA (its certificates stop authenticating).
    Delete {
        /// CA id.
        id: String,
    },
}

/// `enroll …`
#[derive(Debug, Subcommand)]
pub(crate) enum EnrollCommand {
    /// Create an enrollment of IDENTITY; prints its JWT once.
    Ott {
        /// Identity id or name.
        identity: String,
        /// Method.
        #[arg(long, value_enum, default_value = "ott")]
        method: Method,
        /// External CA id (`--method ottca`).
        #[arg(long = "ca", value_name = "CA_ID")]
        ca: Option<String>,
        /// Username (`--method updb`).
        #[arg(long)]
        username: Option<String>,
        /// Router server certificate DNS name (`--method router`; repeat).
        #[arg(long = "dns")]
        dns: Vec<String>,
        /// Router server certificate IP address (`--method router`; repeat).
        #[arg(long = "ip")]
        ip: Vec<std::net::IpAddr>,
    },
    /// Issue a new JWT for an unused enrollment (expired or not).
    Reissue {
        /// Identity id or name.
        identity: String,
        /// Method.
        #[arg(long, value_enum, default_value = "ott")]
        method: Method,
    },
    /// List the enrollments of IDENTITY.
    List {
        /// Identity id or name.
        identity: String,
    },
    /// Make a key pair and a CSR (the client side of `enroll csr`).
    Keygen {
        /// Where to write the private key (PKCS#8 PEM, mode 0600).
        #[arg(long, value_name = "FILE")]
        key_file: PathBuf,
        /// Where to write the CSR (PEM).
        #[arg(long, value_name = "FILE")]
        csr_file: PathBuf,
        /// Key algorithm.
        #[arg(long, value_enum, default_value = "p256")]
        alg: KeyAlg,
        /// Subject common name of the CSR.
        #[arg(long, default_value = "credcycle-client")]
        common_name: String,
    },
    /// Redeem an `ott` JWT with a CSR: prints the certificate and chain.
    Csr {
        /// The enrollment JWT (`-` = stdin).
        #[arg(long)]
        token: String,
        /// The CSR (PEM or DER).
        #[arg(long, value_name = "FILE")]
        csr_file: PathBuf,
        /// Also write the certificate chain (PEM) to FILE.
        #[arg(long, value_name = "FILE")]
        cert_out: Option<PathBuf>,
    },
    /// Redeem an `ottca` JWT with a certificate chain from the named CA.
    Ottca {
        /// The enrollment JWT (`-` = stdin).
        #[arg(long)]
        token: String,
        /// The certificate chain (PEM, leaf first).
        #[arg(long, value_name = "FILE")]
        cert_file: PathBuf,
    },
    /// Redeem an `updb` JWT: sets the username and the password read from
    /// stdin.
    Updb {
        /// The enrollment JWT.
        #[arg(long)]
        token: String,
        /// Username.
        #[arg(long)]
        username: String,
        /// Read the password from stdin (required).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// CA auto-enrollment: a certificate chain from a verified external CA
    /// with auto-enrollment creates an identity.
    CaAuto {
        /// The certificate chain (PEM, leaf first).
        #[arg(long, value_name = "FILE")]
        cert_file: PathBuf,
    },
    /// Extend a cert authenticator's certificate with its current
    /// certificate and a CSR; the new certificate is pending until
    /// `extend-verify`.
    Extend {
        /// Authenticator id.
        authenticator: String,
        /// The current certificate (PEM).
        #[arg(long, value_name = "FILE")]
        cert_file: PathBuf,
        /// The CSR (PEM), with a new key or the same.
        #[arg(long, value_name = "FILE")]
        csr_file: PathBuf,
        /// Also write the new certificate chain (PEM) to FILE.
        #[arg(long, value_name = "FILE")]
        cert_out: Option<PathBuf>,
    },
    /// Complete an extension with the new certificate; the old one stops
    /// authenticating.
    ExtendVerify {
        /// Authenticator id.
        authenticator: String,
        /// The new certificate (PEM).
        #[arg(long, value_name = "FILE")]
        cert_file: PathBuf,
    },
    /// Ask the owner of a cert authenticator to extend (and with
    /// --key-roll, to use a new key).
    RequestExtend {
        /// Authenticator id.
        authenticator: String,
        /// Request a key roll instead of a plain extension.
        #[arg(long)]
        key_roll: bool,
    },
    /// The extension state of the cert authenticator holding CERT.
    Status {
        /// The authenticator's current certificate (PEM).
        #[arg(long, value_name = "FILE")]
        cert_file: PathBuf,
    },
    /// Sign a nonce (UUID) and the CA pool with enrollment key KID.
    Challenge {
        /// Key id from the enrollment JWKS (a base64url thumbprint, which
        /// may start with `-`).
        #[arg(long, allow_hyphen_values = true)]
        kid: String,
        /// A UUID.
        #[arg(long)]
        nonce: String,
    },
    /// The enrollment JWKS (current and still-valid previous keys).
    Jwks,
}

pub(crate) fn read_file(option: &str, path: &Path) -> Result<String, CliError> {
    let meta = fs::metadata(path).map_err(|e| CliError::io(option, "read", path, &e))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(CliError::input(format!(
            "{option}: {} must be at most {MAX_FILE_BYTES} bytes",
            path.display()
        )));
    }
    let bytes = fs::read(path).map_err(|e| CliError::io(option, "read", path, &e))?;
    String::from_utf8(bytes)
        .map_err(|_| CliError::input(format!("{option}: {} is not PEM text", path.display())))
}

fn write_file(option: &str, path: &Path, text: &str, secret: bool) -> Result<(), CliError> {
    use std::io::Write as _;
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    if secret {
        use std::os::unix::fs::OpenOptionsExt as _;
        o.mode(0o600);
    }
    let mut f = o
        .open(path)
        .map_err(|e| CliError::io(option, "create", path, &e))?;
    f.write_all(text.as_bytes())
        .map_err(|e| CliError::io(option, "write", path, &e))
}

fn token_arg(t: &str) -> Result<String, CliError> {
    if t == "-" {
        Ok(stdin_line("token")?.to_string())
    } else {
        Ok(t.to_owned())
    }
}

fn enrollment(ctx: &Ctx, engine: &credcycle::Engine) -> Result<Enrollment, CliError> {
    Ok(engine.enrollment(&ctx.tenant)?.with_actor(ACTOR))
}

#[derive(Serialize)]
struct CertOut {
    identity_id: String,
    authenticator_id: String,
    fingerprint: String,
    certificate_pem: String,
    chain_pem: String,
}

fn cert_output(c: EnrolledCert, file: Option<(&str, &Path)>) -> Result<Output, CliError> {
    if let Some((opt, p)) = file {
        write_file(opt, p, &c.chain_pem, false)?;
    }
    let out = CertOut {
        identity_id: c.identity_id,
        authenticator_id: c.authenticator_id,
        fingerprint: c.fingerprint,
        certificate_pem: c.certificate_pem,
        chain_pem: c.chain_pem,
    };
    let human = vec![
        Block::Fields(vec![
            ("identity_id", out.identity_id.clone()),
            ("authenticator_id", out.authenticator_id.clone()),
            ("fingerprint", out.fingerprint.clone()),
        ]),
        Block::Line(out.chain_pem.trim_end().to_owned()),
    ];
    Output::new(&out, human)
}

#[derive(Serialize)]
struct EnrollmentView {
    id: String,
    identity_id: String,
    method: &'static str,
    state: &'static str,
    ca_id: Option<String>,
    username: Option<String>,
    dns_names: Vec<String>,
    ip_addresses: Vec<String>,
    create_time_unix: i64,
    expires_at: String,
    expires_at_unix: i64,
    used_at_unix: Option<i64>,
    authenticator_id: Option<String>,
}

impl From<&EnrollmentInfo> for EnrollmentView {
    fn from(e: &EnrollmentInfo) -> Self {
        EnrollmentView {
            id: e.id.clone(),
            identity_id: e.identity_id.clone(),
            method: e.method.as_str(),
            state: e.state.as_str(),
            ca_id: e.ca_id.clone(),
            username: e.username.clone(),
            dns_names: e.dns_names.clone(),
            ip_addresses: e.ip_addresses.iter().map(ToString::to_string).collect(),
            create_time_unix: e.create_time.0,
            expires_at: rfc3339(e.expires_at.0),
            expires_at_unix: e.expires_at.0,
            used_at_unix: e.used_at.map(|t| t.0),
            authenticator_id: e.authenticator_id.clone(),
        }
    }
}

#[derive(Serialize)]
struct StatusView {
    authenticator_id: String,
    fingerprint: String,
    pending_fingerprint: Option<String>,
    not_after_unix: Option<i64>,
    issued_by_engine: bool,
    request_extend: bool,
    request_key_roll: bool,
    last_extend_time_unix: Option<i64>,
    last_extend_key_changed: Option<bool>,
}

fn status_output(s: CertStatus) -> Result<Output, CliError> {
    let out = StatusView {
        authenticator_id: s.authenticator_id,
        fingerprint: s.fingerprint,
        pending_fingerprint: s.pending_fingerprint,
        not_after_unix: s.not_after.map(|t| t.0),
        issued_by_engine: s.issued_by_engine,
        request_extend: s.request_extend,
        request_key_roll: s.request_key_roll,
        last_extend_time_unix: s.last_extend_time.map(|t| t.0),
        last_extend_key_changed: s.last_extend_key_changed,
    };
    let human = vec![Block::Fields(vec![
        ("authenticator_id", out.authenticator_id.clone()),
        ("fingerprint", out.fingerprint.clone()),
        (
            "pending_fingerprint",
            or_dash(out.pending_fingerprint.clone()),
        ),
        ("not_after", or_dash(out.not_after_unix.map(rfc3339))),
        ("request_extend", out.request_extend.to_string()),
        ("request_key_roll", out.request_key_roll.to_string()),
        (
            "last_extend_key_changed",
            or_dash(out.last_extend_key_changed.map(|b| b.to_string())),
        ),
    ])];
    Output::new(&out, human)
}

#[derive(Serialize)]
struct CaView {
    id: String,
    name: String,
    fingerprint: String,
    verified: bool,
    verification_token: Option<String>,
    auto_enrollment: bool,
    ott_ca_enrollment: bool,
    auth_enabled: bool,
    identity_name_format: String,
    create_time_unix: i64,
}

impl From<ExternalCa> for CaView {
    fn from(c: ExternalCa) -> Self {
        CaView {
            id: c.id,
            name: c.name,
            fingerprint: c.fingerprint,
            verified: c.verified,
            verification_token: c.verification_token,
            auto_enrollment: c.auto_enrollment,
            ott_ca_enrollment: c.ott_ca_enrollment,
            auth_enabled: c.auth_enabled,
            identity_name_format: c.identity_name_format,
            create_time_unix: c.create_time.0,
        }
    }
}

fn ca_output(c: ExternalCa) -> Result<Output, CliError> {
    let v = CaView::from(c);
    let human = vec![Block::Fields(vec![
        ("id", v.id.clone()),
        ("name", v.name.clone()),
        ("fingerprint", v.fingerprint.clone()),
        ("verified", v.verified.to_string()),
        ("verification_token", or_dash(v.verification_token.clone())),
        ("auto_enrollment", v.auto_enrollment.to_string()),
        ("identity_name_format", v.identity_name_format.clone()),
    ])];
    Output::new(&v, human)
}

pub(super) fn run_ca(ctx: &Ctx, command: CaCommand) -> Result<Output, CliError> {
    let engine = ctx.engine()?;
    let pki = engine.pki(&ctx.tenant)?;
    let e = enrollment(ctx, &engine)?;
    match command {
        CaCommand::Init {
            alg,
            trust_domain,
            name,
        } => {
            let alg = match alg {
                CaAlg::P256 => CaKeyAlgorithm::P256,
                CaAlg::P384 => CaKeyAlgorithm::P384,
                CaAlg::Ed25519 => CaKeyAlgorithm::Ed25519,
            };
            let name = name.unwrap_or_else(|| format!("credcycle {} CA", ctx.tenant));
            pki.create_ca(CreateCa::new(name, trust_domain).algorithm(alg))?;
            ca_show(&pki)
        }
        CaCommand::Show => ca_show(&pki),
        CaCommand::Bundle { pkcs7 } => {
            if pkcs7 {
                #[derive(Serialize)]
                struct P7 {
                    pkcs7_b64: String,
                }
                let out = P7 {
                    pkcs7_b64: pki.bundle_pkcs7_base64()?,
                };
                let human = vec![Block::Line(out.pkcs7_b64.clone())];
                Output::new(&out, human)
            } else {
                #[derive(Serialize)]
                struct Pem {
                    pem: String,
                }
                let out = Pem {
                    pem: pki.bundle_pem()?,
                };
                let human = vec![Block::Line(out.pem.trim_end().to_owned())];
                Output::new(&out, human)
            }
        }
        CaCommand::Register {
            name,
            cert_file,
            no_auto_enrollment,
            identity_name_format,
        } => {
            let pem = read_file("cert-file", &cert_file)?;
            let mut o = CaOptions::new(name);
            o.auto_enrollment = !no_auto_enrollment;
            o.identity_name_format = identity_name_format;
            ca_output(e.register_ca(&pem, o)?)
        }
        CaCommand::Verify { id, cert_file } => {
            let pem = read_file("cert-file", &cert_file)?;
            ca_output(e.verify_ca(&id, &pem)?)
        }
        CaCommand::List => {
            let cas: Vec<CaView> = e.list_cas()?.into_iter().map(CaView::from).collect();
            let rows = cas
                .iter()
                .map(|c| {
                    vec![
                        c.id.clone(),
                        c.name.clone(),
                        c.verified.to_string(),
                        c.auto_enrollment.to_string(),
                    ]
                })
                .collect();
            #[derive(Serialize)]
            struct List {
                cas: Vec<CaView>,
            }
            Output::new(
                &List { cas },
                vec![Block::Table {
                    headers: vec!["ID", "NAME", "VERIFIED", "AUTO_ENROLLMENT"],
                    rows,
                }],
            )
        }
        CaCommand::Delete { id } => {
            e.delete_ca(&id)?;
            #[derive(Serialize)]
            struct Deleted {
                id: String,
                deleted: bool,
            }
            let human = vec![Block::Line(format!("ca {id} deleted"))];
            Output::new(&Deleted { id, deleted: true }, human)
        }
    }
}

fn ca_show(pki: &credcycle::pki::Pki) -> Result<Output, CliError> {
    let ca = pki.ca()?;
    #[derive(Serialize)]
    struct Show {
        subject: String,
        trust_domain: String,
        key_id: String,
        fingerprint: String,
        not_before_unix: i64,
        not_after_unix: i64,
        not_after: String,
        imported: bool,
        pem: String,
    }
    let out = Show {
        subject: ca.certificate.subject.clone(),
        trust_domain: ca.trust_domain.clone(),
        key_id: ca.key_id.as_str().to_owned(),
        fingerprint: ca.certificate.fingerprint.clone(),
        not_before_unix: ca.certificate.not_before.0,
        not_after_unix: ca.certificate.not_after.0,
        not_after: rfc3339(ca.certificate.not_after.0),
        imported: ca.imported,
        pem: ca.certificate.to_pem(),
    };
    let human = vec![Block::Fields(vec![
        ("subject", out.subject.clone()),
        ("trust_domain", out.trust_domain.clone()),
        ("key_id", out.key_id.clone()),
        ("fingerprint", out.fingerprint.clone()),
        ("not_after", out.not_after.clone()),
    ])];
    Output::new(&out, human)
}

pub(super) fn run(ctx: &Ctx, command: EnrollCommand) -> Result<Output, CliError> {
    if let EnrollCommand::Keygen {
        key_file,
        csr_file,
        alg,
        common_name,
    } = command
    {
        return keygen(&key_file, &csr_file, alg, &common_name);
    }
    let engine = ctx.engine()?;
    let e = enrollment(ctx, &engine)?;
    match command {
        EnrollCommand::Keygen { .. } => Err(CliError::input("unreachable")),
        EnrollCommand::Ott {
            identity,
            method,
            ca,
            username,
            dns,
            ip,
        } => {
            let ids = identities(&engine, ctx)?;
            let i = resolve(&ids, &identity)?;
            let req = match method {
                Method::Ott => EnrollmentRequest::Ott,
                Method::Ottca => EnrollmentRequest::OttCa {
                    ca_id: ca.ok_or_else(|| CliError::input("ca: required with --method ottca"))?,
                },
                Method::Updb => EnrollmentRequest::Updb {
                    username: username
                        .ok_or_else(|| CliError::input("username: required with --method updb"))?,
                },
                Method::Router => EnrollmentRequest::Router {
                    dns_names: dns,
                    ip_addresses: ip,
                },
            };
            let n = e.create(&i.id, req)?;
            jwt_output(n.jwt(), &n.enrollment)
        }
        EnrollCommand::Reissue { identity, method } => {
            let ids = identities(&engine, ctx)?;
            let i = resolve(&ids, &identity)?;
            let n = e.reissue(&i.id, method.engine())?;
            jwt_output(n.jwt(), &n.enrollment)
        }
        EnrollCommand::List { identity } => {
            let ids = identities(&engine, ctx)?;
            let i = resolve(&ids, &identity)?;
            let list: Vec<EnrollmentView> =
                e.list(&i.id)?.iter().map(EnrollmentView::from).collect();
            let rows = list
                .iter()
                .map(|v| {
                    vec![
                        v.method.to_owned(),
                        v.state.to_owned(),
                        v.expires_at.clone(),
                        or_dash(v.authenticator_id.clone()),
                    ]
                })
                .collect();
            #[derive(Serialize)]
            struct List {
                enrollments: Vec<EnrollmentView>,
            }
            Output::new(
                &List { enrollments: list },
                vec![Block::Table {
                    headers: vec!["METHOD", "STATE", "EXPIRES", "AUTHENTICATOR"],
                    rows,
                }],
            )
        }
        EnrollCommand::Csr {
            token,
            csr_file,
            cert_out,
        } => {
            let jwt = token_arg(&token)?;
            let csr = read_file("csr-file", &csr_file)?;
            let c = e.enroll_ott(&jwt, &csr)?;
            cert_output(c, cert_out.as_deref().map(|p| ("cert-out", p)))
        }
        EnrollCommand::Ottca { token, cert_file } => {
            let jwt = token_arg(&token)?;
            let chain = read_file("cert-file", &cert_file)?;
            cert_output(e.enroll_ottca(&jwt, &chain)?, None)
        }
        EnrollCommand::Updb {
            token,
            username,
            password_stdin: _,
        } => {
            let password = stdin_line("password")?;
            let a = e.enroll_updb(&token, &username, &password)?;
            #[derive(Serialize)]
            struct Updb {
                identity_id: String,
                authenticator_id: String,
                username: Option<String>,
            }
            let out = Updb {
                identity_id: a.identity_id,
                authenticator_id: a.id,
                username: a.username,
            };
            let human = vec![Block::Fields(vec![
                ("identity_id", out.identity_id.clone()),
                ("authenticator_id", out.authenticator_id.clone()),
                ("username", or_dash(out.username.clone())),
            ])];
            Output::new(&out, human)
        }
        EnrollCommand::CaAuto { cert_file } => {
            let chain = read_file("cert-file", &cert_file)?;
            cert_output(e.enroll_ca_auto(&chain)?, None)
        }
        EnrollCommand::Extend {
            authenticator,
            cert_file,
            csr_file,
            cert_out,
        } => {
            let cert = read_file("cert-file", &cert_file)?;
            let csr = read_file("csr-file", &csr_file)?;
            let owner = e.cert_owner(&cert)?;
            let c = e.extend(
                Subject::Identity(&owner.identity_id),
                &authenticator,
                &cert,
                &csr,
            )?;
            cert_output(c, cert_out.as_deref().map(|p| ("cert-out", p)))
        }
        EnrollCommand::ExtendVerify {
            authenticator,
            cert_file,
        } => {
            let cert = read_file("cert-file", &cert_file)?;
            let owner = e.cert_owner(&cert)?;
            status_output(e.extend_verify(
                Subject::Identity(&owner.identity_id),
                &authenticator,
                &cert,
            )?)
        }
        EnrollCommand::RequestExtend {
            authenticator,
            key_roll,
        } => status_output(if key_roll {
            e.request_key_roll(&authenticator)?
        } else {
            e.request_extend(&authenticator)?
        }),
        EnrollCommand::Status { cert_file } => {
            let cert = read_file("cert-file", &cert_file)?;
            let owner = e.cert_owner(&cert)?;
            let aid = owner.authenticator_id.ok_or_else(|| {
                CliError::input("cert-file: a session certificate has no authenticator")
            })?;
            status_output(e.cert_status(Subject::Identity(&owner.identity_id), &aid)?)
        }
        EnrollCommand::Challenge { kid, nonce } => {
            let c = e.challenge(&kid, &nonce)?;
            #[derive(Serialize)]
            struct Ch {
                algorithm: String,
                kid: String,
                signature: String,
                ca_pool: String,
            }
            let out = Ch {
                algorithm: c.algorithm,
                kid: c.kid,
                signature: c.signature,
                ca_pool: c.ca_pool,
            };
            let human = vec![Block::Fields(vec![
                ("algorithm", out.algorithm.clone()),
                ("kid", out.kid.clone()),
                ("signature", out.signature.clone()),
                ("ca_pool", out.ca_pool.trim_end().to_owned()),
            ])];
            Output::new(&out, human)
        }
        EnrollCommand::Jwks => {
            let v = e.jwks()?.to_json_value();
            let human = vec![Block::Line(
                serde_json::to_string_pretty(&v).unwrap_or_default(),
            )];
            Output::new(&v, human)
        }
    }
}

fn jwt_output(jwt: &str, e: &EnrollmentInfo) -> Result<Output, CliError> {
    #[derive(Serialize)]
    struct Jwt {
        jwt: String,
        #[serde(flatten)]
        enrollment: EnrollmentView,
    }
    let out = Jwt {
        jwt: jwt.to_owned(),
        enrollment: EnrollmentView::from(e),
    };
    let human = vec![
        Block::Fields(vec![
            ("identity_id", out.enrollment.identity_id.clone()),
            ("method", out.enrollment.method.to_owned()),
            ("expires_at", out.enrollment.expires_at.clone()),
        ]),
        Block::Line("enrollment token (works once; hand it to the enrolling client):".to_owned()),
        Block::Line(out.jwt.clone()),
    ];
    Output::new(&out, human)
}

fn keygen(key_file: &Path, csr_file: &Path, alg: KeyAlg, cn: &str) -> Result<Output, CliError> {
    let alg = match alg {
        KeyAlg::P256 => ClientKeyAlgorithm::P256,
        KeyAlg::P384 => ClientKeyAlgorithm::P384,
        KeyAlg::Ed25519 => ClientKeyAlgorithm::Ed25519,
    };
    let k = generate_key_and_csr(alg, cn)?;
    write_file("key-file", key_file, k.key_pkcs8_pem(), true)?;
    write_file("csr-file", csr_file, &k.csr_pem, false)?;
    #[derive(Serialize)]
    struct Keygen {
        key_file: String,
        csr_file: String,
        csr_pem: String,
    }
    let out = Keygen {
        key_file: key_file.display().to_string(),
        csr_file: csr_file.display().to_string(),
        csr_pem: k.csr_pem,
    };
    let human = vec![Block::Fields(vec![
        ("key_file", out.key_file.clone()),
        ("csr_file", out.csr_file.clone()),
    ])];
    Output::new(&out, human)
}
