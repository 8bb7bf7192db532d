//! `credcycle mfa …`: TOTP enrollment, verification, status, disabling and
//! recovery codes.

use std::fs;
use std::io::{IsTerminal, Read};
use std::path::Path;
use std::sync::Arc;

use credcycle::identities::Subject;
use credcycle::mfa::{Mfa, QrFormat, RecoveryCode, parse_provisioning_uri, qr};
use credcycle::{Clock, SystemClock};
use serde::Serialize;
use zeroize::Zeroizing;

use super::identity::{identities, resolve};
use super::{ACTOR, Ctx};
use crate::args::{MfaCommand, RecoveryCodesCommand};
use crate::error::CliError;
use crate::output::{Block, Output, rfc3339};

fn codes(c: &[RecoveryCode]) -> Vec<String> {
    c.iter().map(|c| c.reveal().to_owned()).collect()
}

fn write_file(option: &str, path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    fs::write(path, bytes).map_err(|e| CliError::io(option, "write", path, &e))
}

pub(super) fn run(ctx: &Ctx, command: MfaCommand) -> Result<Output, CliError> {
    if let MfaCommand::Code = command {
        return current_code();
    }
    let engine = ctx.engine()?;
    let ids = identities(&engine, ctx)?;
    let mfa: Mfa = engine.mfa(&ctx.tenant)?.with_actor(ACTOR);
    match command {
        MfaCommand::Enroll {
            identity,
            qr_png,
            qr_svg,
        } => {
            let i = resolve(&ids, &identity)?;
            let e = mfa.enroll(Subject::Identity(&i.id))?;
            let uri = e.provisioning_uri.reveal().to_owned();
            if let Some(p) = &qr_png {
                write_file("qr-png", p, &e.qr_png)?;
            }
            if let Some(p) = &qr_svg {
                write_file("qr-svg", p, &qr::render(&uri, QrFormat::Svg)?)?;
            }
            #[derive(Serialize)]
            struct Enrolled {
                identity_id: String,
                provisioning_uri: String,
                recovery_codes: Vec<String>,
                qr_png_file: Option<String>,
                qr_svg_file: Option<String>,
            }
            let out = Enrolled {
                identity_id: i.id,
                provisioning_uri: uri.clone(),
                recovery_codes: codes(&e.recovery_codes),
                qr_png_file: qr_png.map(|p| p.display().to_string()),
                qr_svg_file: qr_svg.map(|p| p.display().to_string()),
            };
            let mut human = vec![Block::Fields(vec![
                ("identity_id", out.identity_id.clone()),
                ("provisioning_uri", out.provisioning_uri.clone()),
            ])];
            if !ctx.json && std::io::stdout().is_terminal() {
                human.push(Block::Line(String::new()));
                human.push(Block::Line(qr::terminal(&uri)?));
            }
            human.push(Block::Line(
                "recovery codes (each works once; store them safely, they are not shown again):"
                    .to_owned(),
            ));
            for c in &out.recovery_codes {
                human.push(Block::Line(format!("  {c}")));
            }
            human.push(Block::Line(format!(
                "scan the QR code or add the URI to an authenticator app, then run \
                 `credcycle mfa verify {identity} CODE`"
            )));
            Output::new(&out, human)
        }
        MfaCommand::Verify { identity, code } => {
            let i = resolve(&ids, &identity)?;
            mfa.verify(Subject::Identity(&i.id), &code)?;
            done(&i.id, "verified", "mfa enrollment verified")
        }
        MfaCommand::Status { identity } => {
            let i = resolve(&ids, &identity)?;
            let st = mfa.status(Subject::Identity(&i.id))?;
            #[derive(Serialize)]
            struct Status {
                identity_id: String,
                enrolled: bool,
                verified: bool,
                provisioning_uri: Option<String>,
                algorithm: Option<&'static str>,
                digits: Option<u32>,
                period: Option<u32>,
                recovery_codes_remaining: u32,
                create_time_unix: Option<i64>,
                locked_until_unix: Option<i64>,
                locked_until: Option<String>,
            }
            let out = Status {
                identity_id: i.id,
                enrolled: st.enrolled,
                verified: st.verified,
                provisioning_uri: st.provisioning_uri.as_ref().map(|u| u.reveal().to_owned()),
                algorithm: st.algorithm.map(|a| a.as_str()),
                digits: st.digits,
                period: st.period,
                recovery_codes_remaining: st.recovery_codes_remaining,
                create_time_unix: st.create_time.map(|t| t.0),
                locked_until_unix: st.locked_until.map(|t| t.0),
                locked_until: st.locked_until.map(|t| rfc3339(t.0)),
            };
            let mut fields = vec![
                ("identity_id", out.identity_id.clone()),
                ("enrolled", out.enrolled.to_string()),
                ("verified", out.verified.to_string()),
                (
                    "recovery_codes_remaining",
                    out.recovery_codes_remaining.to_string(),
                ),
            ];
            if let Some(u) = &out.provisioning_uri {
                fields.push(("provisioning_uri", u.clone()));
            }
            if let Some(l) = &out.locked_until {
                fields.push(("locked_until", l.clone()));
            }
            Output::new(&out, vec![Block::Fields(fields)])
        }
        MfaCommand::Disable { identity, code } => {
            let i = resolve(&ids, &identity)?;
            mfa.disable(Subject::Identity(&i.id), &code)?;
            done(&i.id, "disabled", "mfa disabled")
        }
        MfaCommand::Remove { identity } => {
            let i = resolve(&ids, &identity)?;
            mfa.remove(&i.id)?;
            done(&i.id, "removed", "mfa removed")
        }
        MfaCommand::RecoveryCodes { command } => match command {
            RecoveryCodesCommand::View { identity, code } => {
                let i = resolve(&ids, &identity)?;
                let v = mfa.view_recovery_codes(Subject::Identity(&i.id), &code)?;
                #[derive(Serialize)]
                struct View {
                    identity_id: String,
                    remaining: u32,
                    recovery_codes: Option<Vec<String>>,
                }
                let out = View {
                    identity_id: i.id,
                    remaining: v.remaining,
                    recovery_codes: v.codes.as_deref().map(codes),
                };
                let mut human = vec![Block::Fields(vec![(
                    "remaining",
                    out.remaining.to_string(),
                )])];
                match &out.recovery_codes {
                    Some(list) => human.extend(list.iter().map(|c| Block::Line(format!("  {c}")))),
                    None => human.push(Block::Line(
                        "(the policy does not keep recovery codes viewable)".to_owned(),
                    )),
                }
                Output::new(&out, human)
            }
            RecoveryCodesCommand::Regenerate { identity, code } => {
                let i = resolve(&ids, &identity)?;
                let new = mfa.regenerate_recovery_codes(Subject::Identity(&i.id), &code)?;
                #[derive(Serialize)]
                struct Regenerated {
                    identity_id: String,
                    recovery_codes: Vec<String>,
                }
                let out = Regenerated {
                    identity_id: i.id,
                    recovery_codes: codes(&new),
                };
                let mut human = vec![Block::Line(
                    "new recovery codes (the old ones no longer work):".to_owned(),
                )];
                human.extend(
                    out.recovery_codes
                        .iter()
                        .map(|c| Block::Line(format!("  {c}"))),
                );
                Output::new(&out, human)
            }
        },
        MfaCommand::Code => current_code(),
    }
}

fn done(identity_id: &str, what: &'static str, line: &str) -> Result<Output, CliError> {
    let mut map = serde_json::Map::new();
    map.insert("identity_id".into(), identity_id.into());
    map.insert(what.into(), true.into());
    Output::new(&map, vec![Block::Line(line.to_owned())])
}

/// `mfa code`: the current code of the URI on stdin, from the system clock.
fn current_code() -> Result<Output, CliError> {
    let mut buf = Zeroizing::new(String::new());
    std::io::stdin()
        .lock()
        .take(8192)
        .read_to_string(&mut buf)
        .map_err(|e| CliError::input(format!("uri: reading stdin: {e}")))?;
    let parsed = parse_provisioning_uri(buf.trim())?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let now = clock.now();
    let step = parsed.totp.step_at(now);
    let period = i64::from(parsed.totp.period());
    #[derive(Serialize)]
    struct Code {
        code: String,
        step: i64,
        expires_in: i64,
    }
    let out = Code {
        code: parsed.totp.generate(clock.as_ref()),
        step,
        expires_in: (step + 1) * period - now.0,
    };
    let human = vec![Block::Line(out.code.clone())];
    Output::new(&out, human)
}
