//! `credcycle target …` and `credcycle jwks`.

use std::fs;
use std::path::Path;

use credcycle::targets::{
    CreateTarget, EncryptionKeyInfo, InterruptUpdate, PayloadType, SignatureScheme, Target,
    TargetType, UpdateTarget, webhook,
};
use credcycle::{Clock, ErrorCode, SystemClock, UnixTime};
use serde::Serialize;
use serde_json::Value;

use super::{ACTOR, Ctx};
use crate::args::{PayloadArg, SchemeArg, TargetCommand, TargetKeyCommand, TargetTypeArg};
use crate::error::CliError;
use crate::output::{Block, Output, or_dash, rfc3339};

/// Largest file read for a body or a PEM key.
const MAX_FILE_BYTES: u64 = 1024 * 1024 + 1;

#[derive(Serialize)]
struct TargetView {
    id: String,
    name: String,
    endpoint: String,
    timeout_ms: u128,
    target_type: &'static str,
    interrupt_on_error: bool,
    payload_type: &'static str,
    scheme: &'static str,
    signature_header: String,
    signing_keys: Vec<SigningKeyView>,
    encryption_keys: Vec<EncKeyView>,
    create_time_unix: i64,
    change_date_unix: i64,
    change_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    signing_key: Option<String>,
}

#[derive(Serialize)]
struct SigningKeyView {
    number: u64,
    create_time_unix: i64,
    expire_time_unix: Option<i64>,
}

#[derive(Serialize)]
struct EncKeyView {
    fingerprint: String,
    kind: String,
    algorithm: &'static str,
    create_time_unix: i64,
    expire_time_unix: Option<i64>,
    active: bool,
}

impl From<&EncryptionKeyInfo> for EncKeyView {
    fn from(k: &EncryptionKeyInfo) -> Self {
        EncKeyView {
            fingerprint: k.fingerprint.clone(),
            kind: k.kind.clone(),
            algorithm: k.algorithm,
            create_time_unix: k.create_time.0,
            expire_time_unix: k.expire_time.map(|t| t.0),
            active: k.active,
        }
    }
}

impl TargetView {
    fn new(t: &Target, signing_key: Option<String>) -> Self {
        TargetView {
            id: t.id.clone(),
            name: t.name.clone(),
            endpoint: t.endpoint.clone(),
            timeout_ms: t.timeout.as_millis(),
            target_type: t.target_type.as_str(),
            interrupt_on_error: t.target_type.interrupt_on_error(),
            payload_type: t.payload_type.as_str(),
            scheme: t.scheme.as_str(),
            signature_header: t.signature_header.clone(),
            signing_keys: t
                .signing_keys
                .iter()
                .map(|k| SigningKeyView {
                    number: k.number,
                    create_time_unix: k.create_time.0,
                    expire_time_unix: k.expire_time.map(|t| t.0),
                })
                .collect(),
            encryption_keys: t.encryption_keys.iter().map(EncKeyView::from).collect(),
            create_time_unix: t.create_time.0,
            change_date_unix: t.change_date.0,
            change_date: rfc3339(t.change_date.0),
            signing_key,
        }
    }

    fn human(&self) -> Vec<Block> {
        let mut fields = vec![
            ("id", self.id.clone()),
            ("name", self.name.clone()),
            ("endpoint", self.endpoint.clone()),
            ("timeout", format!("{}ms", self.timeout_ms)),
            ("type", self.target_type.to_owned()),
            ("interrupt_on_error", self.interrupt_on_error.to_string()),
            ("payload", self.payload_type.to_owned()),
            ("scheme", self.scheme.to_owned()),
            ("signature_header", self.signature_header.clone()),
            ("signing_keys", self.signing_keys.len().to_string()),
            ("encryption_keys", self.encryption_keys.len().to_string()),
            ("change_date", self.change_date.clone()),
        ];
        if let Some(k) = &self.signing_key {
            fields.push(("signing_key", k.clone()));
        }
        vec![Block::Fields(fields)]
    }
}

fn read_file(option: &str, path: &Path) -> Result<Vec<u8>, CliError> {
    let meta = fs::metadata(path).map_err(|e| CliError::io(option, "read", path, &e))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(CliError::input(format!(
            "{option}: {} is larger than 1 MiB",
            path.display()
        )));
    }
    fs::read(path).map_err(|e| CliError::io(option, "read", path, &e))
}

fn target_type(t: TargetTypeArg, interrupt: bool) -> TargetType {
    match t {
        TargetTypeArg::Webhook => TargetType::RestWebhook {
            interrupt_on_error: interrupt,
        },
        TargetTypeArg::Call => TargetType::RestCall {
            interrupt_on_error: interrupt,
        },
        TargetTypeArg::Async => TargetType::RestAsync,
    }
}

/// `--interrupt-on-error` given where it cannot apply.
fn async_interrupt() -> CliError {
    CliError::input(
        "--interrupt-on-error: does not apply to async targets (their failures never interrupt)",
    )
}

fn payload(p: PayloadArg) -> PayloadType {
    match p {
        PayloadArg::Json => PayloadType::Json,
        PayloadArg::Jwt => PayloadType::Jwt,
        PayloadArg::Jwe => PayloadType::Jwe,
    }
}

fn scheme(s: SchemeArg) -> SignatureScheme {
    match s {
        SchemeArg::Zitadel => SignatureScheme::Zitadel,
        SchemeArg::StandardWebhooks => SignatureScheme::StandardWebhooks,
    }
}

pub(super) fn jwks(ctx: &Ctx) -> Result<Output, CliError> {
    let jwks = ctx.engine()?.jose().jwks()?;
    let value = jwks.to_json_value();
    let rows = jwks
        .keys()
        .iter()
        .map(|k| {
            vec![
                k.kid().unwrap_or("-").to_owned(),
                k.kty().to_owned(),
                k.alg().unwrap_or("-").to_owned(),
            ]
        })
        .collect();
    Output::new(
        &value,
        vec![Block::Table {
            headers: vec!["KID", "KTY", "ALG"],
            rows,
        }],
    )
}

pub(super) fn run(ctx: &Ctx, command: TargetCommand) -> Result<Output, CliError> {
    if let TargetCommand::Verify {
        keys,
        header,
        body_file,
        tolerance,
        scheme: s,
        webhook_id,
        webhook_timestamp,
    } = command
    {
        return verify(
            &keys,
            &header,
            &body_file,
            tolerance.as_secs() as i64,
            s,
            webhook_id,
            webhook_timestamp,
        );
    }
    let engine = ctx.engine()?;
    let t = engine.targets(&ctx.tenant)?.with_actor(ACTOR);
    match command {
        TargetCommand::Create {
            name,
            endpoint,
            timeout,
            target_type: ty,
            interrupt_on_error,
            payload: p,
            scheme: s,
            signature_header,
            encryption_key_file,
        } => {
            let pem = match &encryption_key_file {
                Some(f) => Some(
                    String::from_utf8(read_file("encryption-key-file", f)?)
                        .map_err(|_| CliError::input("encryption-key-file: not UTF-8 PEM"))?,
                ),
                None => None,
            };
            if interrupt_on_error && matches!(ty, TargetTypeArg::Async) {
                return Err(async_interrupt());
            }
            let mut req = CreateTarget::new(name, endpoint);
            req.timeout = timeout;
            req.target_type = target_type(ty, interrupt_on_error);
            req.payload_type = payload(p);
            req.scheme = scheme(s);
            req.signature_header = signature_header;
            // Added in the creation commit: a bad key creates nothing, so
            // the one-time signing key is never shown for a target that
            // failed half-way.
            req.encryption_key = pem;
            let created = t.create(req).map_err(|e| match &e {
                credcycle::Error::InvalidInput(i) if i.field == "public_key" => {
                    CliError::input(format!("--encryption-key-file: {}", i.reason))
                }
                _ => e.into(),
            })?;
            let view = TargetView::new(&created.target, Some(created.signing_key.reveal()));
            let human = view.human();
            Output::new(&view, human)
        }
        TargetCommand::Update {
            id,
            name,
            endpoint,
            timeout,
            target_type: ty,
            interrupt_on_error,
            payload: p,
            expiration_signing_key,
        } => {
            if interrupt_on_error.is_some() && matches!(ty, Some(TargetTypeArg::Async)) {
                return Err(async_interrupt());
            }
            let interrupt = match (interrupt_on_error, ty) {
                (Some(b), _) => InterruptUpdate::Set(b),
                // A type change keeps the current flag (core reads it in
                // the same commit).
                (None, Some(_)) => InterruptUpdate::Keep,
                (None, None) => InterruptUpdate::FromType,
            };
            let r = t
                .update(
                    &id,
                    UpdateTarget {
                        name,
                        timeout,
                        endpoint,
                        expiration_signing_key,
                        payload_type: p.map(payload),
                        target_type: ty.map(|ty| target_type(ty, false)),
                        interrupt_on_error: interrupt,
                    },
                )
                .map_err(|e| match &e {
                    credcycle::Error::InvalidInput(i) if i.field == "interrupt_on_error" => {
                        async_interrupt()
                    }
                    _ => e.into(),
                })?;
            #[derive(Serialize)]
            struct Updated {
                change_date: String,
                change_date_unix: i64,
                #[serde(skip_serializing_if = "Option::is_none")]
                signing_key: Option<String>,
            }
            let out = Updated {
                change_date: rfc3339(r.change_date.0),
                change_date_unix: r.change_date.0,
                signing_key: r.signing_key.map(|k| k.reveal()),
            };
            let mut fields = vec![("change_date", out.change_date.clone())];
            if let Some(k) = &out.signing_key {
                fields.push(("signing_key", k.clone()));
            }
            Output::new(&out, vec![Block::Fields(fields)])
        }
        TargetCommand::Show { id } => {
            let view = TargetView::new(&t.get(&id)?, None);
            let human = view.human();
            Output::new(&view, human)
        }
        TargetCommand::List => {
            #[derive(Serialize)]
            struct List {
                targets: Vec<TargetView>,
            }
            let list = List {
                targets: t.list()?.iter().map(|x| TargetView::new(x, None)).collect(),
            };
            let rows = list
                .targets
                .iter()
                .map(|x| {
                    vec![
                        x.id.clone(),
                        x.name.clone(),
                        x.payload_type.to_owned(),
                        x.scheme.to_owned(),
                        x.endpoint.clone(),
                    ]
                })
                .collect();
            Output::new(
                &list,
                vec![Block::Table {
                    headers: vec!["ID", "NAME", "PAYLOAD", "SCHEME", "ENDPOINT"],
                    rows,
                }],
            )
        }
        TargetCommand::Delete { id } => {
            t.delete(&id)?;
            Output::new(
                &serde_json::json!({"id": id, "deleted": true}),
                vec![Block::Line(format!("deleted target {id}"))],
            )
        }
        TargetCommand::Sign { id, body_file } => {
            let body = read_file("body-file", &body_file)?;
            let req = t.sign(&id, &body, SystemClock.now())?;
            use base64::Engine as _;
            let headers: serde_json::Map<String, Value> = req
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            let out = serde_json::json!({
                "headers": headers,
                "body_b64": base64::engine::general_purpose::STANDARD.encode(&req.body),
            });
            let mut human: Vec<Block> = req
                .headers
                .iter()
                .map(|(k, v)| Block::Line(format!("{k}: {v}")))
                .collect();
            human.push(Block::Line(String::new()));
            human.push(Block::Line(String::from_utf8_lossy(&req.body).into_owned()));
            Output::new(&out, human)
        }
        TargetCommand::Key { command } => key_command(&t, command),
        TargetCommand::Verify { .. } => Err(CliError::new(
            ErrorCode::Internal,
            "verify is handled above",
        )),
    }
}

fn key_command(
    t: &credcycle::targets::Targets,
    command: TargetKeyCommand,
) -> Result<Output, CliError> {
    let list = |id: &str| -> Result<Output, CliError> {
        #[derive(Serialize)]
        struct Keys {
            keys: Vec<EncKeyView>,
        }
        let keys = Keys {
            keys: t
                .list_encryption_keys(id)?
                .iter()
                .map(EncKeyView::from)
                .collect(),
        };
        let rows = keys
            .keys
            .iter()
            .map(|k| {
                vec![
                    k.fingerprint.clone(),
                    k.kind.clone(),
                    k.algorithm.to_owned(),
                    if k.active { "yes" } else { "no" }.to_owned(),
                    or_dash(k.expire_time_unix.map(rfc3339)),
                ]
            })
            .collect();
        Output::new(
            &keys,
            vec![Block::Table {
                headers: vec!["FINGERPRINT", "KIND", "ALG", "ACTIVE", "EXPIRES"],
                rows,
            }],
        )
    };
    match command {
        TargetKeyCommand::Add {
            id,
            file,
            expires_unix,
        } => {
            let pem = String::from_utf8(read_file("file", &file)?)
                .map_err(|_| CliError::input("file: not UTF-8 PEM"))?;
            t.add_encryption_key(&id, &pem, expires_unix.map(UnixTime))?;
            list(&id)
        }
        TargetKeyCommand::List { id } => list(&id),
        TargetKeyCommand::Activate { id, fingerprint } => {
            t.activate_encryption_key(&id, &fingerprint)?;
            list(&id)
        }
        TargetKeyCommand::Remove { id, fingerprint } => {
            t.remove_encryption_key(&id, &fingerprint)?;
            list(&id)
        }
    }
}

fn verify(
    keys: &[String],
    header: &str,
    body_file: &Path,
    tolerance: i64,
    s: SchemeArg,
    webhook_id: Option<String>,
    webhook_timestamp: Option<String>,
) -> Result<Output, CliError> {
    let body = read_file("body-file", body_file)?;
    let secrets = keys
        .iter()
        .map(|k| webhook::parse_secret(k))
        .collect::<credcycle::Result<Vec<_>>>()?;
    let refs: Vec<&[u8]> = secrets.iter().map(|k| k.expose()).collect();
    let now = SystemClock.now();
    let result = match s {
        SchemeArg::Zitadel => webhook::verify_zitadel(header, &body, &refs, tolerance, now, None),
        SchemeArg::StandardWebhooks => {
            let id = webhook_id.ok_or_else(|| CliError::input("--webhook-id is required"))?;
            let ts = webhook_timestamp
                .ok_or_else(|| CliError::input("--webhook-timestamp is required"))?;
            let headers = [
                (webhook::WEBHOOK_ID, id.as_str()),
                (webhook::WEBHOOK_TIMESTAMP, ts.as_str()),
                (webhook::WEBHOOK_SIGNATURE, header),
            ];
            webhook::verify_standard(&headers, &body, &refs, tolerance, now, None)
        }
    };
    let valid = result.is_ok();
    let mut out = Output::new(
        &serde_json::json!({ "valid": valid }),
        vec![Block::Line(format!("valid: {valid}"))],
    )?;
    if let Err(e) = result {
        out.failure = Some(e.into());
    }
    Ok(out)
}
