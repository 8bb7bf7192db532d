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

    /// Store URL: `sqlite:PATH` (same as --db PATH); `postgres://…` is not
    /// supported in this build. Takes precedence over CREDCYCLE_DB; cannot be
    /// combined with --db.
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
    /// file); `pkcs11:…` is not supported in this build.
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
        /// Algorithm: aes256gcm (wrap), p256 or ed25519 (sign). Default:
        /// aes256gcm for wrap keys, p256 for sign keys.
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
    KeyAlgorithm::parse(s).ok_or_else(|| "must be one of aes256gcm, p256, ed25519".to_owned())
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
    /// --value-file or --generate).
    #[arg(long, value_name = "V")]
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
