//! The command line: global options and the command tree (clap derive).
//!
//! Names here are a contract (`/work/shared/CLI.md`): add, never rename.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use credcycle::KeyAlgorithm;
use credcycle::secrets::Label;

/// The default database file.
pub(crate) const DEFAULT_DB: &str = "./credcycle.db";
/// The default root key file.
pub(crate) const DEFAULT_ROOT_KEY_FILE: &str = "./credcycle.key";

/// credcycle: versioned secrets under envelope encryption, on an embedded
/// SQLite store with a local key manager.
#[derive(Debug, Parser)]
#[command(
    name = "credcycle",
    version,
    after_help = "Exit codes: 0 ok, 2 bad input, 3 not found, 4 conflict or state, \
                  5 verification failed, 1 anything else.\n\
                  Start with `credcycle init`, or try `credcycle demo`."
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every command accepts (before or after the command name).
#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// SQLite database file.
    #[arg(
        long,
        global = true,
        env = "CREDCYCLE_DB",
        value_name = "PATH",
        default_value = DEFAULT_DB
    )]
    pub(crate) db: PathBuf,

    /// Store URL: `sqlite:PATH` (same as --db PATH) or
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (`?sslmode=require`
    /// for TLS, `&sslrootcert=PATH` for its CA). Takes precedence over
    /// CREDCYCLE_DB; cannot be combined with --db.
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) store: Option<String>,

    /// Root key of the local key manager: 64 hex digits and a newline,
    /// mode 0600 (created by `credcycle init`).
    #[arg(
        long,
        global = true,
        env = "CREDCYCLE_ROOT_KEY_FILE",
        value_name = "PATH",
        default_value = DEFAULT_ROOT_KEY_FILE
    )]
    pub(crate) root_key_file: PathBuf,

    /// Key manager: `local` (the default: keys sealed under the root key
    /// file) or `pkcs11:module=PATH;token=LABEL;pin-env=VAR` (or
    /// `pin-file=PATH`): keys generated in a PKCS#11 token.
    #[arg(long, global = true, value_name = "SPEC")]
    pub(crate) kms: Option<String>,

    /// Tenant (project) the command works in.
    #[arg(long, global = true, value_name = "ID", default_value = "default")]
    pub(crate) tenant: String,

    /// Print exactly one JSON object on stdout (errors as JSON on stderr).
    #[arg(long, global = true)]
    pub(crate) json: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create the root key file (mode 0600), the database and the default
    /// wrap key. Never overwrites an existing key file or database.
    Init,
    /// Walk every capability on a fresh temporary store, checking each step.
    Demo(DemoArgs),
    /// Keys of the key manager.
    Kms {
        #[command(subcommand)]
        command: KmsCommand,
    },
    /// Versioned secrets.
    Secret {
        #[command(subcommand)]
        command: SecretCommand,
    },
    /// The audit trail of one subject (e.g. `secret:NAME`) and whether its
    /// hash chain verifies.
    Audit(AuditArgs),
    /// Action targets: signed (and optionally encrypted) webhook payloads.
    Target {
        #[command(subcommand)]
        command: TargetCommand,
    },
    /// The engine's JWKS (token-signing keys, current and still-valid
    /// previous), created on first use.
    Jwks,
    /// Identities (people and devices that authenticate).
    Identity {
        #[command(subcommand)]
        command: IdentityCommand,
    },
    /// Authenticators of identities.
    Authenticator {
        #[command(subcommand)]
        command: AuthenticatorCommand,
    },
    /// Authenticate and manage API sessions.
    Auth {
        #[command(subcommand)]
        command: AuthCommand,
    },
    /// TOTP multi-factor authentication and recovery codes.
    Mfa {
        #[command(subcommand)]
        command: MfaCommand,
    },
    /// API tokens with rotation policies and refresh tokens.
    Token {
        #[command(subcommand)]
        command: crate::commands::token::TokenCommand,
    },
    /// The tenant's internal CA (init, bundle) and external CAs.
    Ca {
        #[command(subcommand)]
        command: crate::commands::enroll::CaCommand,
    },
    /// Enrollment: one-time tokens, CSR enrollment, extension, challenge.
    Enroll {
        #[command(subcommand)]
        command: crate::commands::enroll::EnrollCommand,
    },
    /// Certificate checks: verify a chain against the tenant's trusted CAs
    /// or given roots.
    Cert {
        #[command(subcommand)]
        command: crate::commands::cert::CertCommand,
    },
    /// Universal auth of machine identities: configuration, client secrets,
    /// login, access tokens.
    Ua {
        #[command(subcommand)]
        command: crate::commands::machine::UaCommand,
    },
}

/// `target …`
#[derive(Debug, Subcommand)]
pub(crate) enum TargetCommand {
    /// Create a target; prints its first signing key once.
    Create {
        /// Name (1..=1000 characters).
        name: String,
        /// Absolute http(s) URL (at most 2048 characters).
        #[arg(long, value_name = "URL")]
        endpoint: String,
        /// Timeout, e.g. 10s, 500ms (> 0, at most 270s).
        #[arg(long, default_value = "10s", value_parser = parse_duration, value_name = "D")]
        timeout: std::time::Duration,
        /// Target type.
        #[arg(long = "type", value_enum, default_value = "webhook")]
        target_type: TargetTypeArg,
        /// Stop the execution when this target fails (webhook and call;
        /// refused with --type async).
        #[arg(long)]
        interrupt_on_error: bool,
        /// Payload type.
        #[arg(long, value_enum, default_value = "json")]
        payload: PayloadArg,
        /// Signature scheme.
        #[arg(long, value_enum, default_value = "zitadel")]
        scheme: SchemeArg,
        /// Header name of the zitadel scheme (default ZITADEL-Signature).
        #[arg(long, value_name = "NAME")]
        signature_header: Option<String>,
        /// The receiver's public key (PEM) for --payload jwe, added as the
        /// active encryption key in the same commit (a bad key creates
        /// nothing).
        #[arg(long, value_name = "PEM")]
        encryption_key_file: Option<PathBuf>,
    },
    /// Update Target: unset options are unchanged; --expiration-signing-key
    /// makes a new signing key (0s retires the old one at once, a longer
    /// duration keeps it signing until then).
    Update {
        /// Target id.
        id: String,
        /// New name.
        #[arg(long, value_name = "N")]
        name: Option<String>,
        /// New endpoint.
        #[arg(long, value_name = "URL")]
        endpoint: Option<String>,
        /// New timeout.
        #[arg(long, value_parser = parse_duration, value_name = "D")]
        timeout: Option<std::time::Duration>,
        /// New type.
        #[arg(long = "type", value_enum)]
        target_type: Option<TargetTypeArg>,
        /// Stop the execution on failure: `--interrupt-on-error` or
        /// `--interrupt-on-error=true|false`. Applies to the new --type if
        /// given, else to the current type; refused for async targets.
        /// When not given the current value is kept, also across --type.
        #[arg(
            long,
            value_name = "BOOL",
            num_args = 0..=1,
            require_equals = true,
            default_missing_value = "true"
        )]
        interrupt_on_error: Option<bool>,
        /// New payload type.
        #[arg(long, value_enum)]
        payload: Option<PayloadArg>,
        /// Grace period of the current signing keys, e.g. 0s, 1h, 7d.
        #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
        expiration_signing_key: Option<std::time::Duration>,
    },
    /// Show a target.
    Show {
        /// Target id.
        id: String,
    },
    /// List the tenant's targets.
    List,
    /// Delete a target and its keys.
    Delete {
        /// Target id.
        id: String,
    },
    /// The exact request for a payload: headers and body.
    Sign {
        /// Target id.
        id: String,
        /// The payload (JSON).
        #[arg(long, value_name = "F")]
        body_file: PathBuf,
    },
    /// Verify a received request (receiver side; no store needed).
    Verify {
        /// Signing key (whsec_… or base64); repeat for several.
        #[arg(long = "key", value_name = "K", required = true)]
        keys: Vec<String>,
        /// The signature header value (ZITADEL-Signature or webhook-signature).
        #[arg(long, value_name = "VALUE")]
        header: String,
        /// The received body.
        #[arg(long, value_name = "F")]
        body_file: PathBuf,
        /// Accepted clock difference, both ways.
        #[arg(long, default_value = "300s", value_parser = parse_duration, value_name = "D")]
        tolerance: std::time::Duration,
        /// Signature scheme.
        #[arg(long, value_enum, default_value = "zitadel")]
        scheme: SchemeArg,
        /// webhook-id (standard-webhooks).
        #[arg(long, value_name = "ID")]
        webhook_id: Option<String>,
        /// webhook-timestamp (standard-webhooks).
        #[arg(long, value_name = "UNIX")]
        webhook_timestamp: Option<String>,
    },
    /// Receiver public keys for --payload jwe.
    Key {
        #[command(subcommand)]
        command: TargetKeyCommand,
    },
}

/// `target key …`
#[derive(Debug, Subcommand)]
pub(crate) enum TargetKeyCommand {
    /// Add a PEM public key (RSA ≥ 2048, EC P-256/P-384); the first is active.
    Add {
        /// Target id.
        id: String,
        /// PEM file.
        #[arg(long, value_name = "PEM")]
        file: PathBuf,
        /// Expiry (unix seconds, in the future).
        #[arg(long, value_name = "UNIX")]
        expires_unix: Option<i64>,
    },
    /// List the keys with their SHA256: fingerprints.
    List {
        /// Target id.
        id: String,
    },
    /// Make a key the one payloads are encrypted to.
    Activate {
        /// Target id.
        id: String,
        /// Fingerprint (SHA256:…).
        fingerprint: String,
    },
    /// Remove a key (not the active one).
    Remove {
        /// Target id.
        id: String,
        /// Fingerprint (SHA256:…).
        fingerprint: String,
    },
}

/// `--type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum TargetTypeArg {
    /// REST webhook.
    Webhook,
    /// REST call.
    Call,
    /// REST async.
    Async,
}

/// `--payload`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum PayloadArg {
    /// The payload bytes.
    Json,
    /// A signed JWT (ES256).
    Jwt,
    /// The JWT encrypted to the target's key.
    Jwe,
}

/// `--scheme`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum SchemeArg {
    /// ZITADEL-Signature: t=…,v1=…
    Zitadel,
    /// webhook-id / webhook-timestamp / webhook-signature.
    StandardWebhooks,
}

/// Parses `500ms`, `10s`, `5m`, `2h`, `7d` (a bare number is seconds).
pub(crate) fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let bad = || format!("{s:?} is not a duration like 500ms, 10s, 5m, 2h or 7d");
    let (num, unit_ms) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1u64)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60_000)
    } else if let Some(n) = s.strip_suffix('h') {
        (n, 3_600_000)
    } else if let Some(n) = s.strip_suffix('d') {
        (n, 86_400_000)
    } else {
        (s, 1000)
    };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: u64 = num.parse().map_err(|_| bad())?;
    n.checked_mul(unit_ms)
        .map(std::time::Duration::from_millis)
        .ok_or_else(bad)
}

/// `identity …`
#[derive(Debug, Subcommand)]
pub(crate) enum IdentityCommand {
    /// Create an identity.
    Create {
        /// Unique name (1..=128 characters, no `/`).
        name: String,
    },
    /// List identities.
    List,
    /// Show an identity with its authenticators, MFA state and live sessions.
    Show {
        /// Identity id or name.
        identity: String,
    },
    /// Delete an identity with its authenticators, sessions and MFA.
    Delete {
        /// Identity id or name.
        identity: String,
    },
}

/// `authenticator …`
#[derive(Debug, Subcommand)]
pub(crate) enum AuthenticatorCommand {
    /// Username and password (`updb`) authenticators.
    Password {
        #[command(subcommand)]
        command: PasswordCommand,
    },
}

/// `authenticator password …`
#[derive(Debug, Subcommand)]
pub(crate) enum PasswordCommand {
    /// Set (create or replace) an identity's username and password, as an
    /// administrator: no current password is asked for.
    Set {
        /// Identity id or name.
        identity: String,
        /// Username (4..=100 characters).
        #[arg(long)]
        username: String,
        /// Read the password from stdin (one line). Required: passwords are
        /// never taken from the command line.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

/// `auth …`
#[derive(Debug, Subcommand)]
pub(crate) enum AuthCommand {
    /// Authenticate with a username and password; prints a new API session
    /// token.
    Password {
        /// Username.
        #[arg(long)]
        username: String,
        /// Read the password from stdin (one line). Required.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Complete the MFA of the API session whose token is on stdin, with a
    /// TOTP code or a recovery code.
    Mfa {
        /// The code.
        #[arg(long)]
        code: String,
    },
    /// Show the API session whose token is on stdin.
    Session,
    /// End the API session whose token is on stdin.
    Logout,
}

/// `mfa …`
#[derive(Debug, Subcommand)]
pub(crate) enum MfaCommand {
    /// Start TOTP enrollment: prints the otpauth:// URI and the recovery
    /// codes, draws the QR code when stdout is a terminal.
    Enroll {
        /// Identity id or name.
        identity: String,
        /// Also write the QR code as a PNG (256 px) to FILE.
        #[arg(long, value_name = "FILE")]
        qr_png: Option<PathBuf>,
        /// Also write the QR code as SVG to FILE.
        #[arg(long, value_name = "FILE")]
        qr_svg: Option<PathBuf>,
    },
    /// Complete enrollment with a current TOTP code.
    Verify {
        /// Identity id or name.
        identity: String,
        /// The code from the authenticator app.
        code: String,
    },
    /// Show the MFA state (and, while unverified, the URI).
    Status {
        /// Identity id or name.
        identity: String,
    },
    /// Remove the enrollment: a TOTP or recovery code once verified, none
    /// while unverified.
    Disable {
        /// Identity id or name.
        identity: String,
        /// The code (empty while unverified).
        #[arg(long, default_value = "")]
        code: String,
    },
    /// Remove the enrollment as an administrator (no code).
    Remove {
        /// Identity id or name.
        identity: String,
    },
    /// Recovery codes.
    RecoveryCodes {
        #[command(subcommand)]
        command: RecoveryCodesCommand,
    },
    /// Print the current TOTP code of the otpauth:// URI on stdin (what an
    /// authenticator app shows; for scripts and demos).
    Code,
}

/// `mfa recovery-codes …`
#[derive(Debug, Subcommand)]
pub(crate) enum RecoveryCodesCommand {
    /// With a current TOTP code: the unused codes if the policy keeps them
    /// viewable, otherwise how many remain.
    View {
        /// Identity id or name.
        identity: String,
        /// A current TOTP code.
        #[arg(long)]
        code: String,
    },
    /// With a current TOTP code: replace every recovery code.
    Regenerate {
        /// Identity id or name.
        identity: String,
        /// A current TOTP code.
        #[arg(long)]
        code: String,
    },
}

/// `demo` options.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Build the demo store in DIR (created if missing) and keep it, instead
    /// of a temporary directory that is removed afterwards.
    #[arg(long, value_name = "DIR")]
    pub(crate) keep: Option<PathBuf>,
}

/// `audit` options.
#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    /// The subject, e.g. `secret:db-password`.
    pub(crate) subject: String,
    /// Exit with code 5 when the chain does not verify.
    #[arg(long)]
    pub(crate) verify: bool,
}

/// `kms …`
#[derive(Debug, Subcommand)]
pub(crate) enum KmsCommand {
    /// Manage keys.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
}

/// `kms key …`
#[derive(Debug, Subcommand)]
pub(crate) enum KeyCommand {
    /// Create a key (version 1).
    Create {
        /// Key name (1..=128 of `[A-Za-z0-9_.:-]`).
        name: String,
        /// What the key is for (default: from --alg, else wrap).
        #[arg(long, value_enum)]
        purpose: Option<PurposeArg>,
        /// Algorithm: aes256gcm (wrap), p256, p384 or ed25519 (sign).
        /// Default: aes256gcm for wrap keys, p256 for sign keys.
        #[arg(long, value_parser = parse_alg, value_name = "ALG")]
        alg: Option<KeyAlgorithm>,
    },
    /// Add a key version that becomes primary (older versions still unwrap).
    Rotate {
        /// Key name.
        name: String,
    },
    /// Refuse new wraps and signatures with the key (unwraps still work).
    Disable {
        /// Key name.
        name: String,
    },
    /// Enable a disabled key.
    Enable {
        /// Key name.
        name: String,
    },
    /// List every key.
    List,
}

/// `--purpose`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum PurposeArg {
    /// Wraps data keys.
    Wrap,
    /// Signs.
    Sign,
}

fn parse_alg(s: &str) -> Result<KeyAlgorithm, String> {
    KeyAlgorithm::parse(s).ok_or_else(|| "must be one of aes256gcm, p256, p384, ed25519".to_owned())
}

/// `secret …`
#[derive(Debug, Subcommand)]
pub(crate) enum SecretCommand {
    /// Create a secret with its first value (v1).
    Create {
        /// Secret name (1..=64 of `[A-Za-z0-9_.-]`).
        name: String,
        #[command(flatten)]
        value: ValueArgs,
        /// Wrap key (default: the `default` key).
        #[arg(long, value_name = "K")]
        kms_key: Option<String>,
        /// Description (at most 2048 bytes).
        #[arg(long, value_name = "D")]
        description: Option<String>,
    },
    /// Change metadata only; a new --kms-key wraps versions written from now
    /// on, older versions keep their key (see `secret rewrap`).
    Update {
        /// Secret name.
        name: String,
        /// New wrap key.
        #[arg(long, value_name = "K")]
        kms_key: Option<String>,
        /// New description (at most 2048 bytes).
        #[arg(long, value_name = "D")]
        description: Option<String>,
    },
    /// Add a version; it becomes CURRENT and the old CURRENT PREVIOUS.
    Put {
        /// Secret name.
        name: String,
        #[command(flatten)]
        value: ValueArgs,
        /// Repeating a put with the same token and value returns the same
        /// version; the same token with another value is a conflict.
        #[arg(long, value_name = "T")]
        idempotency_token: Option<String>,
    },
    /// Read a value (CURRENT by default).
    ///
    /// Without --json the value's raw bytes are written to stdout, with no
    /// newline added, so `credcycle secret get NAME > file` stores exactly
    /// the value. With --json: {name, version, value_b64}.
    Get {
        /// Secret name.
        name: String,
        /// Version to read (`vN`).
        #[arg(long, value_name = "vN", conflicts_with = "label")]
        version: Option<String>,
        /// Read the version holding this label.
        #[arg(long, value_enum, ignore_case = true)]
        label: Option<LabelArg>,
    },
    /// Show metadata and versions (never values).
    Show {
        /// Secret name.
        name: String,
    },
    /// List the tenant's secrets.
    List,
    /// Re-wrap every version's data key under the primary version of the
    /// secret's current key (ciphertexts stay as they are).
    Rewrap {
        /// Secret name.
        name: String,
    },
    /// Delete every secret whose deletion window has passed.
    PurgeDue,
    /// Two-phase rotation.
    Rotate {
        #[command(subcommand)]
        command: RotateCommand,
    },
    /// ENABLED → DISABLED: metadata readable, values not.
    Disable {
        /// Secret name.
        name: String,
    },
    /// DISABLED → ENABLED.
    Enable {
        /// Secret name.
        name: String,
    },
    /// No value reads and no changes until unfrozen.
    Freeze {
        /// Secret name.
        name: String,
    },
    /// FROZEN → the state it was frozen from.
    Unfreeze {
        /// Secret name.
        name: String,
    },
    /// Cancel a scheduled deletion.
    Restore {
        /// Secret name.
        name: String,
    },
    /// Schedule deletion (PENDING_DELETE); `purge-due` deletes it once the
    /// window has passed, `restore` cancels.
    Delete {
        /// Secret name.
        name: String,
        /// Deletion window in days, 7..=30 (default 30).
        #[arg(long, value_name = "DAYS")]
        window_days: Option<u32>,
    },
}

/// `secret rotate …`
#[derive(Debug, Subcommand)]
pub(crate) enum RotateCommand {
    /// Write a PENDING version; CURRENT does not move.
    Begin {
        /// Secret name.
        name: String,
        #[command(flatten)]
        value: ValueArgs,
    },
    /// Promote the PENDING version to CURRENT.
    Finish {
        /// Secret name.
        name: String,
    },
    /// Drop the PENDING version.
    Cancel {
        /// Secret name.
        name: String,
    },
}

/// Where a new value comes from (exactly one).
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub(crate) struct ValueArgs {
    /// The value (visible to other local users in the process list; prefer
    /// --value-file or --generate). May start with `-`.
    #[arg(long, value_name = "V", allow_hyphen_values = true)]
    pub(crate) value: Option<String>,
    /// Read the value's bytes from FILE, exactly as stored (`-` = stdin).
    #[arg(long, value_name = "FILE")]
    pub(crate) value_file: Option<PathBuf>,
    /// Generate this many random bytes (1..=4096).
    #[arg(long, value_name = "BYTES")]
    pub(crate) generate: Option<usize>,
}

/// `--label`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum LabelArg {
    /// The version reads return by default.
    #[value(name = "CURRENT")]
    Current,
    /// The version CURRENT replaced.
    #[value(name = "PREVIOUS")]
    Previous,
    /// The version of a rotation in progress.
    #[value(name = "PENDING")]
    Pending,
}

impl From<LabelArg> for Label {
    fn from(l: LabelArg) -> Self {
        match l {
            LabelArg::Current => Label::Current,
            LabelArg::Previous => Label::Previous,
            LabelArg::Pending => Label::Pending,
        }
    }
}
