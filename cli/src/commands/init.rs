//! `credcycle init`.

use serde::Serialize;

use super::Ctx;
use crate::backend;
use crate::error::CliError;
use crate::output::{Block, Output};

#[derive(Serialize)]
struct Initialized {
    db: String,
    root_key_file: String,
    default_kms_key: String,
}

/// Creates the root key file, the database and the default wrap key.
pub(super) fn run(ctx: &Ctx) -> Result<Output, CliError> {
    let backend = backend::init(&ctx.paths)?;
    let default_key = credcycle::Policy::default().default_kms_key;
    // init just created it; reading it back confirms the store is usable.
    let info = backend.keys().key_info(&default_key)?;
    let out = Initialized {
        db: ctx.paths.store_description(),
        root_key_file: if ctx.paths.local_kms() {
            ctx.paths.root_key_file.display().to_string()
        } else {
            String::from("-")
        },
        default_kms_key: info.map(|i| i.id.to_string()).unwrap_or_default(),
    };
    let key_line = if ctx.paths.local_kms() {
        format!("{} (mode 0600)", out.root_key_file)
    } else {
        "- (keys are generated and kept in the PKCS#11 token)".to_owned()
    };
    let mut human = vec![Block::Fields(vec![
        ("db", out.db.clone()),
        ("root_key_file", key_line),
        ("default_kms_key", out.default_kms_key.clone()),
    ])];
    if ctx.paths.local_kms() {
        human.push(Block::Line(
            "Keep the root key file safe and separate from backups of the database: \
             without it nothing in the store can be decrypted."
                .to_owned(),
        ));
    }
    Output::new(&out, human)
}
