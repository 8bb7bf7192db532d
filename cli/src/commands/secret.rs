//! `credcycle secret …`: versioned secrets.

use std::io::Read;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use credcycle::secrets::{
    CreateSecret, NewValue, SecretMetadata, Secrets, UpdateSecret, VersionSelector,
};
use credcycle::{ErrorCode, KeyId};
use serde::Serialize;
use zeroize::Zeroizing;

use super::{ACTOR, Ctx};
use crate::args::{RotateCommand, SecretCommand, ValueArgs};
use crate::error::CliError;
use crate::output::{Block, Output, or_dash, rfc3339};

/// A secret's metadata as the CLI shows it (CLI.md `secret show`), with
/// RFC 3339 companions of the `_unix` times.
#[derive(Serialize)]
struct MetadataView {
    id: String,
    name: String,
    description: String,
    kms_key_id: String,
    state: &'static str,
    create_time_unix: i64,
    create_time: String,
    update_time_unix: i64,
    update_time: String,
    scheduled_delete_time_unix: Option<i64>,
    scheduled_delete_time: Option<String>,
    versions: Vec<VersionView>,
}

#[derive(Serialize)]
struct VersionView {
    version: String,
    labels: Vec<&'static str>,
    kms_key_id: String,
    kms_key_version: u32,
    create_time_unix: i64,
    create_time: String,
}

impl From<&SecretMetadata> for MetadataView {
    fn from(m: &SecretMetadata) -> Self {
        MetadataView {
            id: m.id.clone(),
            name: m.name.clone(),
            description: m.description.clone(),
            kms_key_id: m.kms_key_id.to_string(),
            state: m.state.as_str(),
            create_time_unix: m.create_time.0,
            create_time: rfc3339(m.create_time.0),
            update_time_unix: m.update_time.0,
            update_time: rfc3339(m.update_time.0),
            scheduled_delete_time_unix: m.scheduled_delete_time.map(|t| t.0),
            scheduled_delete_time: m.scheduled_delete_time.map(|t| rfc3339(t.0)),
            versions: m
                .versions
                .iter()
                .map(|v| VersionView {
                    version: v.id(),
                    labels: v.labels.iter().map(|l| l.as_str()).collect(),
                    kms_key_id: v.kms_key_id.to_string(),
                    kms_key_version: v.kms_key_version,
                    create_time_unix: v.create_time.0,
                    create_time: rfc3339(v.create_time.0),
                })
                .collect(),
        }
    }
}

impl MetadataView {
    fn human(&self) -> Vec<Block> {
        let rows = self
            .versions
            .iter()
            .map(|v| {
                vec![
                    v.version.clone(),
                    or_dash((!v.labels.is_empty()).then(|| v.labels.join(","))),
                    v.kms_key_id.clone(),
                    v.kms_key_version.to_string(),
                    v.create_time.clone(),
                ]
            })
            .collect();
        vec![
            Block::Fields(vec![
                ("id", self.id.clone()),
                ("name", self.name.clone()),
                ("description", self.description.clone()),
                ("kms_key_id", self.kms_key_id.clone()),
                ("state", self.state.to_owned()),
                ("create_time", self.create_time.clone()),
                ("update_time", self.update_time.clone()),
                (
                    "scheduled_delete_time",
                    or_dash(self.scheduled_delete_time.clone()),
                ),
            ]),
            Block::Table {
                headers: vec!["VERSION", "LABELS", "KMS_KEY", "KEY_VERSION", "CREATED"],
                rows,
            },
        ]
    }
}

fn metadata(m: &SecretMetadata) -> Result<Output, CliError> {
    let view = MetadataView::from(m);
    let human = view.human();
    Output::new(&view, human)
}

#[derive(Serialize)]
struct List {
    secrets: Vec<MetadataView>,
}

#[derive(Serialize)]
struct Written {
    name: String,
    version: String,
}

#[derive(Serialize)]
struct Value {
    name: String,
    version: String,
    value_b64: String,
}

#[derive(Serialize)]
struct Rewrapped {
    name: String,
    rewrapped: u32,
    unchanged: u32,
}

#[derive(Serialize)]
struct Purged {
    purged: Vec<String>,
}

pub(super) fn run(ctx: &Ctx, command: SecretCommand) -> Result<Output, CliError> {
    let engine = ctx.engine()?;
    let secrets = engine.secrets(&ctx.tenant)?.with_actor(ACTOR);
    let max_value = engine.policy().max_secret_value_bytes;
    match command {
        SecretCommand::Create {
            name,
            value,
            kms_key,
            description,
        } => {
            let mut req = CreateSecret::new(name).value(new_value(&value, max_value)?);
            if let Some(k) = kms_key {
                req = req.kms_key_id(KeyId::new(k)?);
            }
            if let Some(d) = description {
                req = req.description(d);
            }
            metadata(&secrets.create(req)?)
        }
        SecretCommand::Update {
            name,
            kms_key,
            description,
        } => {
            let req = UpdateSecret {
                kms_key_id: kms_key.map(KeyId::new).transpose()?,
                description,
            };
            metadata(&secrets.update(&name, req)?)
        }
        SecretCommand::Put {
            name,
            value,
            idempotency_token,
        } => {
            let v = new_value(&value, max_value)?;
            let n = secrets.put_value(&name, v, idempotency_token.as_deref())?;
            written(name, n)
        }
        SecretCommand::Get {
            name,
            version,
            label,
        } => {
            let which = match (version, label) {
                (Some(v), _) => Some(VersionSelector::parse(&v)?),
                (None, Some(l)) => Some(VersionSelector::Label(l.into())),
                (None, None) => None,
            };
            let v = secrets.get_value(&name, which)?;
            if ctx.json {
                let out = Value {
                    name,
                    version: format!("v{}", v.version),
                    value_b64: BASE64.encode(v.value.expose()),
                };
                Output::new(&out, Vec::new())
            } else {
                Output::new(&(), vec![Block::Secret(v.value)])
            }
        }
        SecretCommand::Show { name } => metadata(&secrets.get(&name)?),
        SecretCommand::List => list(&secrets),
        SecretCommand::Rewrap { name } => {
            let r = secrets.rewrap(&name)?;
            let out = Rewrapped {
                name,
                rewrapped: r.rewrapped,
                unchanged: r.unchanged,
            };
            let human = vec![Block::Fields(vec![
                ("name", out.name.clone()),
                ("rewrapped", out.rewrapped.to_string()),
                ("unchanged", out.unchanged.to_string()),
            ])];
            Output::new(&out, human)
        }
        SecretCommand::PurgeDue => {
            let out = Purged {
                purged: secrets.purge_due()?,
            };
            let human = if out.purged.is_empty() {
                vec![Block::Line("nothing is due for purging".to_owned())]
            } else {
                out.purged
                    .iter()
                    .map(|n| Block::Line(format!("purged {n}")))
                    .collect()
            };
            Output::new(&out, human)
        }
        SecretCommand::Rotate { command } => match command {
            RotateCommand::Begin { name, value } => {
                let n = secrets.begin_rotation(&name, new_value(&value, max_value)?)?;
                written(name, n)
            }
            RotateCommand::Finish { name } => metadata(&secrets.finish_rotation(&name)?),
            RotateCommand::Cancel { name } => metadata(&secrets.cancel_rotation(&name)?),
        },
        SecretCommand::Disable { name } => metadata(&secrets.disable(&name)?),
        SecretCommand::Enable { name } => metadata(&secrets.enable(&name)?),
        SecretCommand::Freeze { name } => metadata(&secrets.freeze(&name)?),
        SecretCommand::Unfreeze { name } => metadata(&secrets.unfreeze(&name)?),
        SecretCommand::Restore { name } => metadata(&secrets.restore(&name)?),
        SecretCommand::Delete { name, window_days } => {
            metadata(&secrets.schedule_delete(&name, window_days)?)
        }
    }
}

fn written(name: String, n: u64) -> Result<Output, CliError> {
    let out = Written {
        name,
        version: format!("v{n}"),
    };
    let human = vec![Block::Fields(vec![
        ("name", out.name.clone()),
        ("version", out.version.clone()),
    ])];
    Output::new(&out, human)
}

fn list(secrets: &Secrets) -> Result<Output, CliError> {
    let all = secrets.list()?;
    let rows = all
        .iter()
        .map(|m| {
            vec![
                m.name.clone(),
                m.state.as_str().to_owned(),
                m.kms_key_id.to_string(),
                m.versions.len().to_string(),
                or_dash(
                    m.version_with(credcycle::secrets::Label::Current)
                        .map(|v| v.id()),
                ),
                rfc3339(m.update_time.0),
            ]
        })
        .collect();
    let out = List {
        secrets: all.iter().map(MetadataView::from).collect(),
    };
    let human = vec![Block::Table {
        headers: vec!["NAME", "STATE", "KMS_KEY", "VERSIONS", "CURRENT", "UPDATED"],
        rows,
    }];
    Output::new(&out, human)
}

/// The value of `--value`, `--value-file` (`-` = stdin) or `--generate`.
fn new_value(v: &ValueArgs, max: usize) -> Result<NewValue, CliError> {
    if let Some(s) = &v.value {
        return Ok(NewValue::bytes(s.as_bytes().to_vec()));
    }
    if let Some(n) = v.generate {
        return Ok(NewValue::Generate(n));
    }
    let Some(path) = &v.value_file else {
        return Err(CliError::input(
            "value: one of --value, --value-file, --generate is required",
        ));
    };
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    let mut buf = Zeroizing::new(Vec::new());
    let read = if path == Path::new("-") {
        std::io::stdin().lock().take(limit).read_to_end(&mut buf)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut buf))
    };
    read.map_err(|e| CliError::io("value_file", "read", path, &e))?;
    if buf.len() > max {
        return Err(CliError::new(
            ErrorCode::InvalidInput,
            format!("value: must be 1..={max} bytes, the file holds more"),
        ));
    }
    Ok(NewValue::bytes(std::mem::take(&mut *buf)))
}
