//! `credcycle`: the credential lifecycle engine as a command, on the
//! embedded default (a SQLite file and the local key manager whose root key
//! lives in a mode-0600 file).
//!
//! The command names, JSON fields and exit codes are a contract described in
//! `CLI.md`. Modules: [`args`] (the command line), [`backend`] (store, key
//! manager, root key file), [`commands`] (one module per command group),
//! [`demo`] (the checked tour), [`output`] (JSON and human output) and
//! [`error`] (errors and exit codes).
//!
//! Output goes through locked stdout/stderr handles in [`output`]; nothing
//! uses `print!`.

mod args;
mod backend;
mod commands;
mod demo;
mod error;
mod output;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};

use crate::args::Cli;
use crate::backend::Paths;
use crate::commands::Ctx;
use crate::error::CliError;

fn main() -> ExitCode {
    let argv: Vec<OsString> = std::env::args_os().collect();
    // Known before parsing, so that usage errors can be reported as JSON too.
    let json_requested = argv
        .iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .any(|a| a == "--json");
    let matches = match Cli::command().try_get_matches_from(&argv) {
        Ok(m) => m,
        Err(e) => return usage_error(&e, json_requested),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => return usage_error(&e, json_requested),
    };
    let json = cli.global.json;
    let db_explicit = matches.value_source("db") == Some(ValueSource::CommandLine);
    let result = Paths::resolve(&cli.global, db_explicit).and_then(|paths| {
        let ctx = Ctx {
            json,
            tenant: cli.global.tenant.clone(),
            paths,
        };
        commands::run(&ctx, cli.command)
    });
    let failure = match result {
        Ok(mut out) => match out.print(json) {
            Ok(()) => out.failure.take(),
            Err(e) => Some(CliError::new(
                credcycle::ErrorCode::Internal,
                format!("writing to stdout: {e}"),
            )),
        },
        Err(e) => Some(e),
    };
    match failure {
        None => ExitCode::SUCCESS,
        Some(e) => {
            output::print_error(&e, json);
            ExitCode::from(e.exit_code())
        }
    }
}

/// Reports a clap error: help and version go to stdout as clap prints them;
/// usage errors exit 2, as JSON on stderr when `--json` was given.
fn usage_error(e: &clap::Error, json: bool) -> ExitCode {
    let code = u8::try_from(e.exit_code()).unwrap_or(2);
    if !json || !e.use_stderr() {
        // If the terminal is gone there is nobody to tell.
        let _ = e.print();
        return ExitCode::from(code);
    }
    let rendered = e.render().to_string();
    let first = rendered.lines().next().unwrap_or_default();
    let message = first.strip_prefix("error: ").unwrap_or(first);
    output::print_error(&CliError::input(format!("usage: {message}")), true);
    ExitCode::from(code)
}
