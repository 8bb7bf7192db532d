//! `credcycle ua …`: universal auth of identities (client secrets, login
//! with lockout, access tokens). IDENTITY is the id or name of an identity
//! made by `credcycle identity create`.
//!
//! Secrets and tokens are printed once (`ua secret create`, `ua login`). A
//! SECRET or TOKEN argument of `-` is read from the first line of stdin.

use std::net::IpAddr;

use clap::{Args, Subcommand};
use credcycle::Error;
use credcycle::identities::Identities;
use credcycle::machine_auth::{
    AccessTokenInfo, ClientSecretInfo, CreateClientSecret, IpList, MachineAuth, UniversalAuth,
    UniversalAuthSettings, resolve_client_ip,
};
use serde::Serialize;

use super::{ACTOR, Ctx};
use crate::error::CliError;
use crate::output::{Block, Output, or_dash, rfc3339};

/// `ua …`
#[derive(Debug, Subcommand)]
pub(crate) enum UaCommand {
    /// Attach universal auth to an identity (defaults for what is not given).
    Attach(UaSettingsArgs),
    /// Change the fields given; the merged configuration must be valid
    /// (access-token TTL at most the max TTL).
    Update(UaSettingsArgs),
    /// Show an identity's universal-auth configuration.
    Show {
        /// Identity id.
        identity: String,
    },
    /// Client secrets.
    Secret {
        #[command(subcommand)]
        command: SecretCommand,
    },
    /// Log in with a client id and secret; prints an access token once.
    Login(LoginArgs),
    /// Check an access token used from --ip (counts a use when the token
    /// has a use limit).
    Authenticate {
        /// The access token (`ccat_…`; `-` = stdin).
        token: String,
        /// The client's address.
        #[arg(long, value_name = "IP")]
        ip: String,
    },
    /// Extend an access token by its TTL (never past creation + max TTL) or
    /// its period.
    Renew {
        /// The access token (`-` = stdin).
        token: String,
    },
    /// Revoke an access token.
    Revoke {
        /// The access token (`-` = stdin).
        token: String,
    },
    /// Resolve a client address from the peer address and X-Forwarded-For
    /// through trusted proxies (walks from the right).
    ResolveIp {
        /// The connection's peer address.
        #[arg(long, value_name = "IP")]
        peer: String,
        /// An X-Forwarded-For header value (repeat for several headers).
        #[arg(long, value_name = "VALUE")]
        forwarded_for: Vec<String>,
        /// Trusted proxies, comma-separated addresses or CIDR ranges.
        #[arg(long, value_name = "CIDR,...", default_value = "")]
        trusted_proxies: String,
    },
}

/// `ua secret …`
#[derive(Debug, Subcommand)]
pub(crate) enum SecretCommand {
    /// Create a client secret; prints it once.
    Create {
        /// Identity id.
        identity: String,
        /// TTL in seconds (0 = never expires).
        #[arg(long, value_name = "S", default_value_t = 0)]
        ttl: u32,
        /// Use limit (0 = unlimited).
        #[arg(long, value_name = "N", default_value_t = 0)]
        num_uses: u32,
        /// Description (at most 1024 bytes).
        #[arg(long, value_name = "D", default_value = "")]
        description: String,
    },
    /// List an identity's client secrets (prefix and metadata only).
    List {
        /// Identity id.
        identity: String,
    },
    /// Revoke a client secret.
    Revoke {
        /// Identity id.
        identity: String,
        /// Client secret id.
        secret_id: String,
    },
}

/// `ua attach|update` options.
#[derive(Debug, Args)]
pub(crate) struct UaSettingsArgs {
    /// Identity id.
    identity: String,
    /// Addresses allowed to log in, comma-separated IPs or CIDR ranges.
    #[arg(long, value_name = "CIDR,...")]
    client_secret_trusted_ips: Option<String>,
    /// Addresses allowed to use access tokens.
    #[arg(long, value_name = "CIDR,...")]
    access_token_trusted_ips: Option<String>,
    /// Access-token TTL in seconds (0 = none).
    #[arg(long, value_name = "S")]
    access_token_ttl: Option<u32>,
    /// Access-token max TTL in seconds (0 = none).
    #[arg(long, value_name = "S")]
    access_token_max_ttl: Option<u32>,
    /// Uses per access token (0 = unlimited).
    #[arg(long, value_name = "N")]
    access_token_num_uses_limit: Option<u32>,
    /// Period of periodic tokens in seconds (0 = not periodic).
    #[arg(long, value_name = "S")]
    access_token_period: Option<u32>,
    /// Whether failed logins lock the identity out.
    #[arg(long, value_name = "BOOL")]
    lockout_enabled: Option<bool>,
    /// Failures that lock (1..=30).
    #[arg(long, value_name = "N")]
    lockout_threshold: Option<u32>,
    /// Lock duration in seconds (30..=86400).
    #[arg(long, value_name = "S")]
    lockout_duration: Option<u32>,
    /// Seconds after which failures stop adding up (5..=3600).
    #[arg(long, value_name = "S")]
    lockout_counter_reset: Option<u32>,
}

impl UaSettingsArgs {
    fn settings(&self) -> UniversalAuthSettings {
        let list = |s: &Option<String>| {
            s.as_ref()
                .map(|s| s.split(',').map(|e| e.trim().to_owned()).collect())
        };
        UniversalAuthSettings {
            client_secret_trusted_ips: list(&self.client_secret_trusted_ips),
            access_token_trusted_ips: list(&self.access_token_trusted_ips),
            access_token_ttl: self.access_token_ttl,
            access_token_max_ttl: self.access_token_max_ttl,
            access_token_num_uses_limit: self.access_token_num_uses_limit,
            access_token_period: self.access_token_period,
            lockout_enabled: self.lockout_enabled,
            lockout_threshold: self.lockout_threshold,
            lockout_duration_secs: self.lockout_duration,
            lockout_counter_reset_secs: self.lockout_counter_reset,
        }
    }
}

/// `ua login` options.
#[derive(Debug, Args)]
pub(crate) struct LoginArgs {
    /// Client id.
    #[arg(long, value_name = "ID")]
    client_id: String,
    /// Client secret (`-` = stdin).
    #[arg(long, value_name = "S")]
    client_secret: String,
    /// The client's address.
    #[arg(long, value_name = "IP")]
    ip: String,
}

#[derive(Serialize)]
struct LockoutView {
    enabled: bool,
    threshold: u32,
    duration_secs: u32,
    counter_reset_secs: u32,
}

#[derive(Serialize)]
pub(super) struct UaView {
    identity_id: String,
    pub(super) client_id: String,
    client_secret_trusted_ips: Vec<String>,
    access_token_trusted_ips: Vec<String>,
    access_token_ttl: u32,
    access_token_max_ttl: u32,
    access_token_num_uses_limit: u32,
    access_token_period: u32,
    lockout: LockoutView,
    create_time_unix: i64,
    update_time_unix: i64,
}

impl From<&UniversalAuth> for UaView {
    fn from(u: &UniversalAuth) -> Self {
        UaView {
            identity_id: u.identity_id.clone(),
            client_id: u.client_id.clone(),
            client_secret_trusted_ips: u.client_secret_trusted_ips.to_strings(),
            access_token_trusted_ips: u.access_token_trusted_ips.to_strings(),
            access_token_ttl: u.access_token_ttl,
            access_token_max_ttl: u.access_token_max_ttl,
            access_token_num_uses_limit: u.access_token_num_uses_limit,
            access_token_period: u.access_token_period,
            lockout: LockoutView {
                enabled: u.lockout.enabled,
                threshold: u.lockout.threshold,
                duration_secs: u.lockout.duration_secs,
                counter_reset_secs: u.lockout.counter_reset_secs,
            },
            create_time_unix: u.create_time.0,
            update_time_unix: u.update_time.0,
        }
    }
}

impl UaView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("identity_id", self.identity_id.clone()),
            ("client_id", self.client_id.clone()),
            (
                "client_secret_trusted_ips",
                self.client_secret_trusted_ips.join(","),
            ),
            (
                "access_token_trusted_ips",
                self.access_token_trusted_ips.join(","),
            ),
            ("access_token_ttl", self.access_token_ttl.to_string()),
            (
                "access_token_max_ttl",
                self.access_token_max_ttl.to_string(),
            ),
            (
                "access_token_num_uses_limit",
                self.access_token_num_uses_limit.to_string(),
            ),
            ("access_token_period", self.access_token_period.to_string()),
            (
                "lockout",
                format!(
                    "{} (threshold {}, duration {} s, counter reset {} s)",
                    if self.lockout.enabled { "on" } else { "off" },
                    self.lockout.threshold,
                    self.lockout.duration_secs,
                    self.lockout.counter_reset_secs
                ),
            ),
        ]
    }
}

#[derive(Serialize)]
struct SecretView {
    id: String,
    identity_id: String,
    description: String,
    prefix: String,
    ttl: u32,
    num_uses: u32,
    num_uses_limit: u32,
    state: &'static str,
    create_time_unix: i64,
    expires_at_unix: Option<i64>,
    last_used_at_unix: Option<i64>,
}

impl From<&ClientSecretInfo> for SecretView {
    fn from(s: &ClientSecretInfo) -> Self {
        SecretView {
            id: s.id.clone(),
            identity_id: s.identity_id.clone(),
            description: s.description.clone(),
            prefix: s.prefix.clone(),
            ttl: s.ttl_secs,
            num_uses: s.num_uses,
            num_uses_limit: s.num_uses_limit,
            state: s.state.as_str(),
            create_time_unix: s.create_time.0,
            expires_at_unix: s.expires_at.map(|t| t.0),
            last_used_at_unix: s.last_used_at.map(|t| t.0),
        }
    }
}

#[derive(Serialize)]
struct CreatedSecret {
    client_id: String,
    client_secret: String,
    #[serde(flatten)]
    info: SecretView,
}

#[derive(Serialize)]
struct TokenView {
    id: String,
    identity_id: String,
    client_secret_id: String,
    create_time_unix: i64,
    expires_at_unix: Option<i64>,
    max_expires_at_unix: Option<i64>,
    access_token_ttl: u32,
    access_token_max_ttl: u32,
    access_token_period: u32,
    num_uses: u32,
    num_uses_limit: u32,
}

impl From<&AccessTokenInfo> for TokenView {
    fn from(t: &AccessTokenInfo) -> Self {
        TokenView {
            id: t.id.clone(),
            identity_id: t.identity_id.clone(),
            client_secret_id: t.client_secret_id.clone(),
            create_time_unix: t.create_time.0,
            expires_at_unix: t.expires_at.map(|x| x.0),
            max_expires_at_unix: t.max_expires_at.map(|x| x.0),
            access_token_ttl: t.ttl_secs,
            access_token_max_ttl: t.max_ttl_secs,
            access_token_period: t.period_secs,
            num_uses: t.num_uses,
            num_uses_limit: t.num_uses_limit,
        }
    }
}

impl TokenView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let limit = if self.num_uses_limit == 0 {
            "unlimited".to_owned()
        } else {
            self.num_uses_limit.to_string()
        };
        vec![
            ("id", self.id.clone()),
            ("identity_id", self.identity_id.clone()),
            ("expires_at", or_dash(self.expires_at_unix.map(rfc3339))),
            (
                "max_expires_at",
                or_dash(self.max_expires_at_unix.map(rfc3339)),
            ),
            ("uses", format!("{} of {limit}", self.num_uses)),
        ]
    }
}

#[derive(Serialize)]
struct LoginView {
    access_token: String,
    expires_in: u64,
    access_token_max_ttl: u32,
    token_type: &'static str,
    #[serde(flatten)]
    info: TokenView,
}

#[derive(Serialize)]
struct Revoked {
    revoked: bool,
}

#[derive(Serialize)]
struct Resolved {
    client_ip: String,
}

pub(super) fn run_ua(ctx: &Ctx, command: UaCommand) -> Result<Output, CliError> {
    if let UaCommand::ResolveIp {
        peer,
        forwarded_for,
        trusted_proxies,
    } = &command
    {
        let proxies = IpList::parse_csv("trusted_proxies", trusted_proxies)?;
        let headers: Vec<&str> = forwarded_for.iter().map(String::as_str).collect();
        let ip = resolve_client_ip(parse_ip("peer", peer)?, &headers, &proxies);
        let out = Resolved {
            client_ip: ip.to_string(),
        };
        return Output::new(
            &out,
            vec![Block::Fields(vec![("client_ip", out.client_ip.clone())])],
        );
    }
    let engine = ctx.engine()?;
    let ma = engine.machine_auth(&ctx.tenant)?.with_actor(ACTOR);
    let ids = super::identity::identities(&engine, ctx)?;
    let id_of = |identity: &str| -> Result<String, CliError> {
        Ok(super::identity::resolve(&ids, identity)?.id)
    };
    match command {
        UaCommand::Attach(a) => {
            let id = adopt(&ma, &ids, &a.identity)?;
            ua(&ma.attach_universal_auth(&id, a.settings())?)
        }
        UaCommand::Update(a) => ua(&ma.update_universal_auth(&id_of(&a.identity)?, a.settings())?),
        UaCommand::Show { identity } => ua(&ma.universal_auth(&id_of(&identity)?)?),
        UaCommand::Secret { command } => secret(&ma, &id_of, command),
        UaCommand::Login(a) => {
            let secret = super::token::read_secret_arg("client_secret", a.client_secret)?;
            let g = ma.login(&a.client_id, &secret, parse_ip("ip", &a.ip)?)?;
            let out = LoginView {
                access_token: g.access_token.reveal().to_owned(),
                expires_in: g.expires_in,
                access_token_max_ttl: g.access_token_max_ttl,
                token_type: g.token_type,
                info: TokenView::from(&g.info),
            };
            let mut fields = vec![
                ("access_token", out.access_token.clone()),
                ("expires_in", out.expires_in.to_string()),
                ("access_token_max_ttl", out.access_token_max_ttl.to_string()),
            ];
            fields.extend(out.info.fields());
            Output::new(&out, vec![Block::Fields(fields)])
        }
        UaCommand::Authenticate { token, ip } => {
            let token = super::token::read_secret_arg("token", token)?;
            token_info(&ma.authenticate(&token, parse_ip("ip", &ip)?)?)
        }
        UaCommand::Renew { token } => {
            let token = super::token::read_secret_arg("token", token)?;
            token_info(&ma.renew(&token)?)
        }
        UaCommand::Revoke { token } => {
            let token = super::token::read_secret_arg("token", token)?;
            ma.revoke(&token)?;
            Output::new(
                &Revoked { revoked: true },
                vec![Block::Line("revoked".to_owned())],
            )
        }
        UaCommand::ResolveIp { .. } => Err(CliError::new(
            credcycle::ErrorCode::Internal,
            "resolve-ip is handled above",
        )),
    }
}

/// The machine-auth side of the identity `identity` (id or name of an
/// identity made by `identity create`): created with the same id the first
/// time universal auth is attached, so one identity carries passwords, MFA
/// and universal auth alike.
fn adopt(ma: &MachineAuth, ids: &Identities, identity: &str) -> Result<String, CliError> {
    let i = super::identity::resolve(ids, identity)?;
    match ma.identity(&i.id) {
        Ok(_) => {}
        Err(Error::NotFound { .. }) => {
            ma.create_identity_with_id(&i.id, &i.name)?;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(i.id)
}

fn secret(
    ma: &MachineAuth,
    id_of: &dyn Fn(&str) -> Result<String, CliError>,
    command: SecretCommand,
) -> Result<Output, CliError> {
    match command {
        SecretCommand::Create {
            identity,
            ttl,
            num_uses,
            description,
        } => {
            let c = ma.create_client_secret(
                &id_of(&identity)?,
                CreateClientSecret {
                    description,
                    ttl_secs: ttl,
                    num_uses_limit: num_uses,
                },
            )?;
            let out = CreatedSecret {
                client_id: c.client_id.clone(),
                client_secret: c.secret.reveal().to_owned(),
                info: SecretView::from(&c.info),
            };
            let human = vec![
                Block::Fields(vec![
                    ("client_id", out.client_id.clone()),
                    ("client_secret", out.client_secret.clone()),
                    ("id", out.info.id.clone()),
                ]),
                Block::Line("the client secret is shown only now; store it safely".to_owned()),
            ];
            Output::new(&out, human)
        }
        SecretCommand::List { identity } => {
            let all: Vec<SecretView> = ma
                .list_client_secrets(&id_of(&identity)?)?
                .iter()
                .map(SecretView::from)
                .collect();
            let rows = all
                .iter()
                .map(|s| {
                    vec![
                        s.id.clone(),
                        s.prefix.clone(),
                        s.state.to_owned(),
                        format!("{}/{}", s.num_uses, s.num_uses_limit),
                        or_dash(s.expires_at_unix.map(rfc3339)),
                        s.description.clone(),
                    ]
                })
                .collect();
            #[derive(Serialize)]
            struct List {
                client_secrets: Vec<SecretView>,
            }
            let human = vec![Block::Table {
                headers: vec!["ID", "PREFIX", "STATE", "USES", "EXPIRES", "DESCRIPTION"],
                rows,
            }];
            Output::new(
                &List {
                    client_secrets: all,
                },
                human,
            )
        }
        SecretCommand::Revoke {
            identity,
            secret_id,
        } => {
            let info = ma.revoke_client_secret(&id_of(&identity)?, &secret_id)?;
            let view = SecretView::from(&info);
            let human = vec![Block::Fields(vec![
                ("id", view.id.clone()),
                ("state", view.state.to_owned()),
            ])];
            Output::new(&view, human)
        }
    }
}

fn ua(u: &UniversalAuth) -> Result<Output, CliError> {
    let view = UaView::from(u);
    let human = vec![Block::Fields(view.fields())];
    Output::new(&view, human)
}

fn token_info(t: &AccessTokenInfo) -> Result<Output, CliError> {
    let view = TokenView::from(t);
    let human = vec![Block::Fields(view.fields())];
    Output::new(&view, human)
}

fn parse_ip(field: &str, s: &str) -> Result<IpAddr, CliError> {
    s.trim()
        .parse()
        .map_err(|_| CliError::input(format!("{field}: must be an IPv4 or IPv6 address")))
}
