//! `credcycle identity …`, `authenticator password set` and `auth …`.

use std::io::Read;

use credcycle::identities::{
    ApiSession, AuthRequest, Authenticator, CreateIdentity, Identities, Identity, Subject,
};
use credcycle::{Engine, Error};
use serde::Serialize;
use zeroize::Zeroizing;

use super::{ACTOR, Ctx};
use crate::args::{AuthCommand, AuthenticatorCommand, IdentityCommand, PasswordCommand};
use crate::error::CliError;
use crate::output::{Block, Output, rfc3339};

/// Longest line read from stdin (a password or a token).
const MAX_STDIN_LINE: u64 = 4096;

#[derive(Serialize)]
pub(super) struct IdentityView {
    id: String,
    name: String,
    create_time_unix: i64,
    create_time: String,
    update_time_unix: i64,
    update_time: String,
}

impl From<&Identity> for IdentityView {
    fn from(i: &Identity) -> Self {
        IdentityView {
            id: i.id.clone(),
            name: i.name.clone(),
            create_time_unix: i.create_time.0,
            create_time: rfc3339(i.create_time.0),
            update_time_unix: i.update_time.0,
            update_time: rfc3339(i.update_time.0),
        }
    }
}

#[derive(Serialize)]
struct AuthenticatorView {
    id: String,
    identity_id: String,
    method: &'static str,
    username: Option<String>,
    cert_fingerprint: Option<String>,
    password_change_required: bool,
    create_time_unix: i64,
    update_time_unix: i64,
}

impl From<&Authenticator> for AuthenticatorView {
    fn from(a: &Authenticator) -> Self {
        AuthenticatorView {
            id: a.id.clone(),
            identity_id: a.identity_id.clone(),
            method: a.method.as_str(),
            username: a.username.clone(),
            cert_fingerprint: a.cert_fingerprint.clone(),
            password_change_required: a.password_change_required,
            create_time_unix: a.create_time.0,
            update_time_unix: a.update_time.0,
        }
    }
}

#[derive(Serialize)]
struct SessionView {
    id: String,
    identity_id: String,
    auth_method: String,
    mfa_required: bool,
    mfa_complete: bool,
    password_change_required: bool,
    create_time_unix: i64,
    create_time: String,
    last_activity_time_unix: i64,
    expires_at_unix: i64,
    expires_at: String,
}

impl From<&ApiSession> for SessionView {
    fn from(s: &ApiSession) -> Self {
        SessionView {
            id: s.id.clone(),
            identity_id: s.identity_id.clone(),
            auth_method: s.auth_method.clone(),
            mfa_required: s.mfa_required,
            mfa_complete: s.mfa_complete,
            password_change_required: s.password_change_required,
            create_time_unix: s.create_time.0,
            create_time: rfc3339(s.create_time.0),
            last_activity_time_unix: s.last_activity_time.0,
            expires_at_unix: s.expires_at.0,
            expires_at: rfc3339(s.expires_at.0),
        }
    }
}

impl SessionView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("session_id", self.id.clone()),
            ("identity_id", self.identity_id.clone()),
            ("auth_method", self.auth_method.clone()),
            ("mfa_required", self.mfa_required.to_string()),
            ("mfa_complete", self.mfa_complete.to_string()),
            (
                "password_change_required",
                self.password_change_required.to_string(),
            ),
            ("expires_at", self.expires_at.clone()),
        ]
    }
}

/// The handle of the tenant, recording the CLI as actor.
pub(super) fn identities(engine: &Engine, ctx: &Ctx) -> Result<Identities, CliError> {
    Ok(engine.identities(&ctx.tenant)?.with_actor(ACTOR))
}

/// An identity by id, else by name.
pub(super) fn resolve(ids: &Identities, id_or_name: &str) -> Result<Identity, CliError> {
    match ids.get(id_or_name) {
        Ok(i) => Ok(i),
        Err(Error::NotFound { .. } | Error::InvalidInput(_)) => Ok(ids.find_by_name(id_or_name)?),
        Err(e) => Err(e.into()),
    }
}

/// One line from stdin without its line ending (a password or a token).
fn stdin_line(what: &str) -> Result<Zeroizing<String>, CliError> {
    let mut buf = Zeroizing::new(Vec::new());
    std::io::stdin()
        .lock()
        .take(MAX_STDIN_LINE + 2)
        .read_to_end(&mut buf)
        .map_err(|e| CliError::input(format!("{what}: reading stdin: {e}")))?;
    let text = std::str::from_utf8(&buf)
        .map_err(|_| CliError::input(format!("{what}: stdin is not UTF-8")))?;
    let line = text.strip_suffix('\n').unwrap_or(text);
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.contains('\n') || line.len() as u64 > MAX_STDIN_LINE {
        return Err(CliError::input(format!(
            "{what}: stdin must hold one line of at most {MAX_STDIN_LINE} bytes"
        )));
    }
    Ok(Zeroizing::new(line.to_owned()))
}

pub(super) fn run(ctx: &Ctx, command: IdentityCommand) -> Result<Output, CliError> {
    let engine = ctx.engine()?;
    let ids = identities(&engine, ctx)?;
    match command {
        IdentityCommand::Create { name } => {
            let i = ids.create(CreateIdentity::new(name))?;
            let v = IdentityView::from(&i);
            let human = vec![Block::Fields(vec![
                ("id", v.id.clone()),
                ("name", v.name.clone()),
                ("create_time", v.create_time.clone()),
            ])];
            Output::new(&v, human)
        }
        IdentityCommand::List => {
            #[derive(Serialize)]
            struct List {
                identities: Vec<IdentityView>,
            }
            let list = List {
                identities: ids.list()?.iter().map(IdentityView::from).collect(),
            };
            let rows = list
                .identities
                .iter()
                .map(|i| vec![i.id.clone(), i.name.clone(), i.create_time.clone()])
                .collect();
            let human = vec![Block::Table {
                headers: vec!["ID", "NAME", "CREATED"],
                rows,
            }];
            Output::new(&list, human)
        }
        IdentityCommand::Show { identity } => {
            let i = resolve(&ids, &identity)?;
            let who = Subject::Identity(&i.id);
            let auths: Vec<AuthenticatorView> = ids
                .authenticators(who)?
                .iter()
                .map(AuthenticatorView::from)
                .collect();
            let sessions: Vec<SessionView> =
                ids.sessions(who)?.iter().map(SessionView::from).collect();
            let mfa = engine.mfa(&ctx.tenant)?.status(who)?;
            let universal_auth = match engine.machine_auth(&ctx.tenant)?.universal_auth(&i.id) {
                Ok(u) => Some(u),
                Err(Error::NotFound { .. }) => None,
                Err(e) => return Err(e.into()),
            };
            #[derive(Serialize)]
            struct Show {
                #[serde(flatten)]
                identity: IdentityView,
                authenticators: Vec<AuthenticatorView>,
                mfa_enrolled: bool,
                mfa_verified: bool,
                sessions: Vec<SessionView>,
                universal_auth: Option<super::machine::UaView>,
            }
            let show = Show {
                identity: IdentityView::from(&i),
                authenticators: auths,
                mfa_enrolled: mfa.enrolled,
                mfa_verified: mfa.verified,
                sessions,
                universal_auth: universal_auth.as_ref().map(super::machine::UaView::from),
            };
            let mfa_text = match (mfa.enrolled, mfa.verified) {
                (false, _) => "not enrolled",
                (true, false) => "enrolled, unverified",
                (true, true) => "verified",
            };
            let human = vec![
                Block::Fields(vec![
                    ("id", show.identity.id.clone()),
                    ("name", show.identity.name.clone()),
                    ("mfa", mfa_text.to_owned()),
                    ("live_sessions", show.sessions.len().to_string()),
                    (
                        "universal_auth",
                        show.universal_auth
                            .as_ref()
                            .map_or_else(|| "-".to_owned(), |u| u.client_id.clone()),
                    ),
                ]),
                Block::Table {
                    headers: vec!["AUTHENTICATOR", "METHOD", "USERNAME"],
                    rows: show
                        .authenticators
                        .iter()
                        .map(|a| {
                            vec![
                                a.id.clone(),
                                a.method.to_owned(),
                                a.username.clone().unwrap_or_else(|| "-".into()),
                            ]
                        })
                        .collect(),
                },
            ];
            Output::new(&show, human)
        }
        IdentityCommand::Delete { identity } => {
            let i = resolve(&ids, &identity)?;
            ids.delete(&i.id)?;
            #[derive(Serialize)]
            struct Deleted {
                id: String,
                deleted: bool,
            }
            let human = vec![Block::Line(format!("deleted identity {}", i.id))];
            Output::new(
                &Deleted {
                    id: i.id,
                    deleted: true,
                },
                human,
            )
        }
    }
}

pub(super) fn run_authenticator(
    ctx: &Ctx,
    command: AuthenticatorCommand,
) -> Result<Output, CliError> {
    let AuthenticatorCommand::Password {
        command:
            PasswordCommand::Set {
                identity,
                username,
                password_stdin: _,
            },
    } = command;
    let engine = ctx.engine()?;
    let ids = identities(&engine, ctx)?;
    let i = resolve(&ids, &identity)?;
    let password = stdin_line("password")?;
    let a = ids.set_password(&i.id, &username, &password)?;
    let v = AuthenticatorView::from(&a);
    let human = vec![Block::Fields(vec![
        ("authenticator_id", v.id.clone()),
        ("identity_id", v.identity_id.clone()),
        ("method", v.method.to_owned()),
        ("username", v.username.clone().unwrap_or_default()),
    ])];
    Output::new(&v, human)
}

pub(super) fn run_auth(ctx: &Ctx, command: AuthCommand) -> Result<Output, CliError> {
    let engine = ctx.engine()?;
    let ids = identities(&engine, ctx)?;
    match command {
        AuthCommand::Password {
            username,
            password_stdin: _,
        } => {
            let password = stdin_line("password")?;
            let s = ids.authenticate(AuthRequest::password(username, password.as_str()))?;
            #[derive(Serialize)]
            struct Authenticated {
                session_token: String,
                /// `mfa_required`, `mfa_complete` and the rest of the session.
                #[serde(flatten)]
                session: SessionView,
            }
            let out = Authenticated {
                session_token: s.token().to_owned(),
                session: SessionView::from(&s.session),
            };
            let mut fields = vec![("session_token", out.session_token.clone())];
            fields.extend(out.session.fields());
            let mut human = vec![Block::Fields(fields)];
            if s.session.mfa_pending() {
                human.push(Block::Line(
                    "this session owes MFA: complete it with \
                     `credcycle auth mfa --code CODE` (token on stdin)"
                        .to_owned(),
                ));
            }
            Output::new(&out, human)
        }
        AuthCommand::Mfa { code } => {
            let token = stdin_line("session_token")?;
            let s = engine
                .mfa(&ctx.tenant)?
                .with_actor(ACTOR)
                .authenticate_mfa(&token, &code)?;
            let v = SessionView::from(&s);
            let human = vec![Block::Fields(v.fields())];
            Output::new(&v, human)
        }
        AuthCommand::Session => {
            let token = stdin_line("session_token")?;
            let s = ids.current_session(&token)?;
            let v = SessionView::from(&s);
            let human = vec![Block::Fields(v.fields())];
            Output::new(&v, human)
        }
        AuthCommand::Logout => {
            let token = stdin_line("session_token")?;
            ids.logout(&token)?;
            #[derive(Serialize)]
            struct LoggedOut {
                logged_out: bool,
            }
            Output::new(
                &LoggedOut { logged_out: true },
                vec![Block::Line("logged out".to_owned())],
            )
        }
    }
}
