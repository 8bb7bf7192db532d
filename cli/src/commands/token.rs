//! `credcycle token …`: API tokens with rotation policies and refresh
//! tokens (the seed's Update Token).
//!
//! Token values are printed once, by `create`, by a `use` that rotates, and
//! by `refresh`. A TOKEN argument of `-` is read from the first line of
//! stdin, so values need not appear in the process list.

use clap::{Args, Subcommand, ValueEnum};
use credcycle::UnixTime;
use credcycle::tokens::{
    ApiToken, CreateToken, EntityRef, TokenRotation, TokenType, Tokens, UpdateToken,
};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{ACTOR, Ctx};
use crate::error::CliError;
use crate::output::{Block, Output, or_dash, rfc3339};

/// `token …`
#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Create a token; prints its value (and refresh token) once.
    Create(CreateArgs),
    /// Change a token (PUT semantics: --name is required, other fields are
    /// unchanged unless given).
    Update(UpdateArgs),
    /// Show a token's metadata (never its value).
    Show {
        /// Token id (`urn:credcycle:token:<uuid>`).
        id: String,
    },
    /// List the tenant's tokens.
    List,
    /// Revoke a token: its value and refresh token stop working at once.
    Revoke {
        /// Token id.
        id: String,
    },
    /// Check a token value (`-` = read it from stdin). A token with
    /// ONCE_ON_NEXT_LOGIN rotates now: the new value is printed once.
    Use {
        /// The token value (`ccapi_…`).
        token: String,
    },
    /// Exchange a refresh token (`-` = stdin) for a new value and, when
    /// rotation applies, a new refresh token. Presenting a used refresh
    /// token again revokes the whole token family.
    Refresh {
        /// The refresh token (`ccrt_…`).
        refresh_token: String,
    },
}

/// `token create` options.
#[derive(Debug, Args)]
pub(crate) struct CreateArgs {
    /// Token name (1..=128 characters).
    name: String,
    /// Token type.
    #[arg(long = "type", value_enum, ignore_case = true)]
    token_type: TypeArg,
    /// Expiry (RFC 3339); default and maximum: now + the policy's maximum
    /// lifetime (365 days).
    #[arg(long, value_name = "RFC3339")]
    expires: Option<String>,
    /// Rotation policy (default ALWAYS; NONE = no refresh token).
    #[arg(long, value_enum, ignore_case = true)]
    rotation: Option<RotationArg>,
    /// Owner as NAME:ID.
    #[arg(long, value_name = "NAME:ID")]
    owner: Option<String>,
    /// Organization as NAME:ID.
    #[arg(long, value_name = "NAME:ID")]
    org: Option<String>,
}

/// `token update` options.
#[derive(Debug, Args)]
pub(crate) struct UpdateArgs {
    /// Token id.
    id: String,
    /// Name (required, as in the seed).
    #[arg(long)]
    name: String,
    /// New expiry (RFC 3339), at most creation + the policy maximum.
    #[arg(long, value_name = "RFC3339")]
    expires: Option<String>,
    /// New rotation policy.
    #[arg(long, value_enum, ignore_case = true)]
    rotation: Option<RotationArg>,
    /// New require_rotation (kept consistent with --rotation).
    #[arg(long, value_name = "BOOL")]
    require_rotation: Option<bool>,
}

/// `--type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum TypeArg {
    /// A user token for proxies.
    Proxy,
    /// An extension's token.
    Extension,
}

/// `--rotation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum RotationArg {
    /// Every refresh rotates the refresh token.
    #[value(name = "ALWAYS")]
    Always,
    /// Refreshes keep the refresh token.
    #[value(name = "NEVER")]
    Never,
    /// The next successful use rotates, then NEVER.
    #[value(name = "ONCE_ON_NEXT_LOGIN")]
    OnceOnNextLogin,
    /// No refresh token.
    #[value(name = "NONE")]
    None,
}

impl From<RotationArg> for TokenRotation {
    fn from(r: RotationArg) -> Self {
        match r {
            RotationArg::Always => TokenRotation::Always,
            RotationArg::Never => TokenRotation::Never,
            RotationArg::OnceOnNextLogin => TokenRotation::OnceOnNextLogin,
            RotationArg::None => TokenRotation::None,
        }
    }
}

#[derive(Serialize)]
struct EntityView {
    name: String,
    id: String,
}

/// A token as the CLI shows it (the seed's fields, snake_case).
#[derive(Serialize)]
struct TokenView {
    id: String,
    name: String,
    #[serde(rename = "type")]
    token_type: &'static str,
    owner: Option<EntityView>,
    org: Option<EntityView>,
    expiration_time_utc: String,
    expiration_time_utc_unix: i64,
    require_rotation: Option<bool>,
    token_rotation: &'static str,
    state: &'static str,
    revoke_reason: Option<String>,
    has_refresh_token: bool,
    create_time: String,
    create_time_unix: i64,
    update_time: String,
    update_time_unix: i64,
}

impl From<&ApiToken> for TokenView {
    fn from(t: &ApiToken) -> Self {
        let entity = |e: &Option<EntityRef>| {
            e.as_ref().map(|e| EntityView {
                name: e.name.clone(),
                id: e.id.clone(),
            })
        };
        TokenView {
            id: t.id.clone(),
            name: t.name.clone(),
            token_type: t.token_type.as_str(),
            owner: entity(&t.owner),
            org: entity(&t.org),
            expiration_time_utc: rfc3339(t.expiration_time_utc.0),
            expiration_time_utc_unix: t.expiration_time_utc.0,
            require_rotation: t.require_rotation,
            token_rotation: t.token_rotation.as_str(),
            state: t.state.as_str(),
            revoke_reason: t.revoke_reason.clone(),
            has_refresh_token: t.has_refresh_token,
            create_time: rfc3339(t.create_time.0),
            create_time_unix: t.create_time.0,
            update_time: rfc3339(t.update_time.0),
            update_time_unix: t.update_time.0,
        }
    }
}

impl TokenView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let entity =
            |e: &Option<EntityView>| or_dash(e.as_ref().map(|e| format!("{}:{}", e.name, e.id)));
        vec![
            ("id", self.id.clone()),
            ("name", self.name.clone()),
            ("type", self.token_type.to_owned()),
            ("owner", entity(&self.owner)),
            ("org", entity(&self.org)),
            ("expiration_time_utc", self.expiration_time_utc.clone()),
            ("token_rotation", self.token_rotation.to_owned()),
            (
                "require_rotation",
                or_dash(self.require_rotation.map(|b| b.to_string())),
            ),
            ("state", self.state.to_owned()),
            ("revoke_reason", or_dash(self.revoke_reason.clone())),
        ]
    }
}

#[derive(Serialize)]
struct Created {
    #[serde(flatten)]
    token: TokenView,
    /// The value (CLI.md `token`).
    #[serde(rename = "token")]
    value: String,
    refresh_token: Option<String>,
}

#[derive(Serialize)]
struct Used {
    id: String,
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    rotated_token: Option<String>,
    token_rotation: &'static str,
}

#[derive(Serialize)]
struct RefreshedView {
    id: String,
    access_token: String,
    refresh_token: Option<String>,
    token_rotation: &'static str,
}

#[derive(Serialize)]
struct List {
    tokens: Vec<TokenView>,
}

pub(super) fn run(ctx: &Ctx, command: TokenCommand) -> Result<Output, CliError> {
    let engine = ctx.engine()?;
    let tokens = engine.tokens(&ctx.tenant)?.with_actor(ACTOR);
    match command {
        TokenCommand::Create(a) => create(&tokens, a),
        TokenCommand::Update(a) => {
            let req = UpdateToken {
                expiration_time_utc: a.expires.as_deref().map(parse_time).transpose()?,
                token_rotation: a.rotation.map(Into::into),
                require_rotation: a.require_rotation,
                ..UpdateToken::named(a.name)
            };
            show(&tokens.update(&a.id, req)?)
        }
        TokenCommand::Show { id } => show(&tokens.get(&id)?),
        TokenCommand::List => list(&tokens),
        TokenCommand::Revoke { id } => show(&tokens.revoke(&id)?),
        TokenCommand::Use { token } => {
            let token = read_secret_arg("token", token)?;
            let u = tokens.authenticate(&token)?;
            let out = Used {
                id: u.token.id.clone(),
                valid: true,
                rotated_token: u.rotated_value.map(|v| v.reveal().to_owned()),
                token_rotation: u.token.token_rotation.as_str(),
            };
            let mut fields = vec![("id", out.id.clone()), ("valid", "true".to_owned())];
            if let Some(v) = &out.rotated_token {
                fields.push(("rotated_token", v.clone()));
            }
            let mut human = vec![Block::Fields(fields)];
            if out.rotated_token.is_some() {
                human.push(Block::Line(
                    "the token rotated (ONCE_ON_NEXT_LOGIN): the old value no longer works; \
                     store the new one, it is not shown again"
                        .to_owned(),
                ));
            }
            Output::new(&out, human)
        }
        TokenCommand::Refresh { refresh_token } => {
            let rt = read_secret_arg("refresh_token", refresh_token)?;
            let r = tokens.refresh(&rt)?;
            let out = RefreshedView {
                id: r.token.id.clone(),
                access_token: r.value.reveal().to_owned(),
                refresh_token: r.refresh_token.map(|v| v.reveal().to_owned()),
                token_rotation: r.token.token_rotation.as_str(),
            };
            let human = vec![Block::Fields(vec![
                ("id", out.id.clone()),
                ("access_token", out.access_token.clone()),
                (
                    "refresh_token",
                    out.refresh_token
                        .clone()
                        .unwrap_or_else(|| "(unchanged)".to_owned()),
                ),
            ])];
            Output::new(&out, human)
        }
    }
}

fn create(tokens: &Tokens, a: CreateArgs) -> Result<Output, CliError> {
    let token_type = match a.token_type {
        TypeArg::Proxy => TokenType::Proxy,
        TypeArg::Extension => TokenType::Extension,
    };
    let mut req = CreateToken::new(a.name, token_type);
    if let Some(o) = &a.owner {
        req = req.owner(parse_entity("owner", o)?);
    }
    if let Some(o) = &a.org {
        req = req.org(parse_entity("org", o)?);
    }
    if let Some(e) = &a.expires {
        req = req.expires(parse_time(e)?);
    }
    if let Some(r) = a.rotation {
        req = req.rotation(r.into());
    }
    let c = tokens.create(req)?;
    let view = TokenView::from(&c.token);
    let mut fields = view.fields();
    fields.push(("token", c.value.reveal().to_owned()));
    if let Some(rt) = &c.refresh_token {
        fields.push(("refresh_token", rt.reveal().to_owned()));
    }
    let human = vec![
        Block::Fields(fields),
        Block::Line("the token values are shown only now; store them safely".to_owned()),
    ];
    let out = Created {
        token: view,
        value: c.value.reveal().to_owned(),
        refresh_token: c.refresh_token.map(|v| v.reveal().to_owned()),
    };
    Output::new(&out, human)
}

fn show(t: &ApiToken) -> Result<Output, CliError> {
    let view = TokenView::from(t);
    let human = vec![Block::Fields(view.fields())];
    Output::new(&view, human)
}

fn list(tokens: &Tokens) -> Result<Output, CliError> {
    let all = tokens.list()?;
    let views: Vec<TokenView> = all.iter().map(TokenView::from).collect();
    let rows = views
        .iter()
        .map(|v| {
            vec![
                v.id.clone(),
                v.name.clone(),
                v.token_type.to_owned(),
                v.token_rotation.to_owned(),
                v.state.to_owned(),
                v.expiration_time_utc.clone(),
            ]
        })
        .collect();
    let human = vec![Block::Table {
        headers: vec!["ID", "NAME", "TYPE", "ROTATION", "STATE", "EXPIRES"],
        rows,
    }];
    Output::new(&List { tokens: views }, human)
}

/// `NAME:ID` (the id may itself contain `:`; the name may not).
fn parse_entity(field: &str, s: &str) -> Result<EntityRef, CliError> {
    match s.split_once(':') {
        Some((name, id)) if !name.is_empty() && !id.is_empty() => Ok(EntityRef::new(name, id)),
        _ => Err(CliError::input(format!("{field}: must be NAME:ID"))),
    }
}

fn parse_time(s: &str) -> Result<UnixTime, CliError> {
    OffsetDateTime::parse(s, &Rfc3339)
        .map(|t| UnixTime(t.unix_timestamp()))
        .map_err(|_| {
            CliError::input(
                "expiration_time_utc: must be an RFC 3339 time, e.g. 2027-01-31T00:00:00Z",
            )
        })
}

/// A secret command-line argument: itself, or for `-` the first line of
/// stdin (so the secret need not appear in the process list).
pub(super) fn read_secret_arg(field: &str, arg: String) -> Result<String, CliError> {
    if arg != "-" {
        return Ok(arg);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| CliError::input(format!("{field}: cannot read stdin: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
