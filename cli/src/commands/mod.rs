//! The commands: each turns parsed arguments into engine calls and an
//! [`Output`].

mod audit;
pub(crate) mod cert;
pub(crate) mod enroll;
mod identity;
mod init;
mod kms;
pub(crate) mod machine;
mod mfa;
mod secret;
mod target;
pub(crate) mod token;

use std::sync::Arc;

use credcycle::{Engine, SystemClock};

use crate::args::Command;
use crate::backend::{self, Paths};
use crate::demo;
use crate::error::CliError;
use crate::output::Output;

/// The actor recorded in audit events written by the command.
pub(crate) const ACTOR: &str = "cli";

/// What every command needs besides its own arguments.
#[derive(Debug)]
pub(crate) struct Ctx {
    /// `--json` was given.
    pub(crate) json: bool,
    /// `--tenant`.
    pub(crate) tenant: String,
    /// The store's files.
    pub(crate) paths: Paths,
}

impl Ctx {
    /// An engine on the existing store, with the system clock.
    pub(crate) fn engine(&self) -> Result<Engine, CliError> {
        backend::open(&self.paths)?.engine(Arc::new(SystemClock))
    }
}

/// Runs `command`.
///
/// # Errors
/// Whatever the command or the engine refuses.
pub(crate) fn run(ctx: &Ctx, command: Command) -> Result<Output, CliError> {
    match command {
        Command::Init => init::run(ctx),
        Command::Demo(args) => demo::run(ctx, &args),
        Command::Kms { command } => kms::run(ctx, command),
        Command::Secret { command } => secret::run(ctx, command),
        Command::Audit(args) => audit::run(ctx, &args),
        Command::Target { command } => target::run(ctx, command),
        Command::Jwks => target::jwks(ctx),
        Command::Identity { command } => identity::run(ctx, command),
        Command::Authenticator { command } => identity::run_authenticator(ctx, command),
        Command::Auth { command } => identity::run_auth(ctx, command),
        Command::Mfa { command } => mfa::run(ctx, command),
        Command::Token { command } => token::run(ctx, command),
        Command::Ua { command } => machine::run_ua(ctx, command),
        Command::Ca { command } => enroll::run_ca(ctx, command),
        Command::Enroll { command } => enroll::run(ctx, command),
        Command::Cert { command } => cert::run(ctx, command),
    }
}
