//! `credcycle kms key …`: keys of the local key manager.

use credcycle::{Error, KeyAlgorithm, KeyId, KeyInfo, KeyPurpose, KeyState};
use serde::Serialize;

use super::Ctx;
use crate::args::{KeyCommand, KmsCommand, PurposeArg};
use crate::backend;
use crate::error::CliError;
use crate::output::{Block, Output};

/// A key as the CLI shows it: `{name, purpose, alg, primary_version,
/// versions, state}`.
#[derive(Serialize)]
struct KeyView {
    name: String,
    purpose: &'static str,
    alg: &'static str,
    primary_version: u32,
    versions: u32,
    state: &'static str,
}

impl From<&KeyInfo> for KeyView {
    fn from(k: &KeyInfo) -> Self {
        KeyView {
            name: k.id.to_string(),
            purpose: k.purpose.as_str(),
            alg: k.algorithm.as_str(),
            primary_version: k.primary_version,
            versions: k.versions,
            state: k.state.as_str(),
        }
    }
}

impl KeyView {
    fn fields(&self) -> Block {
        Block::Fields(vec![
            ("name", self.name.clone()),
            ("purpose", self.purpose.to_owned()),
            ("alg", self.alg.to_owned()),
            ("primary_version", self.primary_version.to_string()),
            ("versions", self.versions.to_string()),
            ("state", self.state.to_owned()),
        ])
    }
}

#[derive(Serialize)]
struct KeyList {
    keys: Vec<KeyView>,
}

pub(super) fn run(ctx: &Ctx, command: KmsCommand) -> Result<Output, CliError> {
    let KmsCommand::Key { command } = command;
    let backend = backend::open(&ctx.paths)?;
    let keys = backend.keys();
    let info = match command {
        KeyCommand::Create { name, purpose, alg } => {
            let id = KeyId::new(name)?;
            keys.create_key(&id, algorithm(purpose, alg)?)?
        }
        KeyCommand::Rotate { name } => keys.rotate_key(&KeyId::new(name)?)?,
        KeyCommand::Disable { name } => {
            keys.set_key_state(&KeyId::new(name)?, KeyState::Disabled)?
        }
        KeyCommand::Enable { name } => keys.set_key_state(&KeyId::new(name)?, KeyState::Enabled)?,
        KeyCommand::List => {
            let list = KeyList {
                keys: keys.list_keys()?.iter().map(KeyView::from).collect(),
            };
            let rows = list
                .keys
                .iter()
                .map(|k| {
                    vec![
                        k.name.clone(),
                        k.purpose.to_owned(),
                        k.alg.to_owned(),
                        k.primary_version.to_string(),
                        k.versions.to_string(),
                        k.state.to_owned(),
                    ]
                })
                .collect();
            let table = Block::Table {
                headers: vec!["NAME", "PURPOSE", "ALG", "PRIMARY", "VERSIONS", "STATE"],
                rows,
            };
            return Output::new(&list, vec![table]);
        }
    };
    let view = KeyView::from(&info);
    let human = vec![view.fields()];
    Output::new(&view, human)
}

/// The algorithm for `--purpose`/`--alg`: the default of the purpose, or the
/// one given, which must serve the purpose.
fn algorithm(
    purpose: Option<PurposeArg>,
    alg: Option<KeyAlgorithm>,
) -> Result<KeyAlgorithm, Error> {
    let purpose = purpose.map(|p| match p {
        PurposeArg::Wrap => KeyPurpose::Wrap,
        PurposeArg::Sign => KeyPurpose::Sign,
    });
    match (purpose, alg) {
        (None, Some(a)) => Ok(a),
        (None | Some(KeyPurpose::Wrap), None) => Ok(KeyAlgorithm::Aes256Gcm),
        (Some(KeyPurpose::Sign), None) => Ok(KeyAlgorithm::EcdsaP256Sha256),
        (Some(p), Some(a)) if a.purpose() == p => Ok(a),
        (Some(p), Some(a)) => Err(Error::invalid(
            "alg",
            format!(
                "{} is a {} algorithm, --purpose {} needs {}",
                a.as_str(),
                a.purpose().as_str(),
                p.as_str(),
                match p {
                    KeyPurpose::Wrap => "aes256gcm",
                    _ => "p256 or ed25519",
                }
            ),
        )),
        // KeyPurpose is non-exhaustive: a purpose this build does not know.
        (Some(p), None) => Err(Error::invalid(
            "purpose",
            format!("{} keys need an explicit --alg", p.as_str()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purpose_and_alg_combine() {
        assert_eq!(algorithm(None, None).ok(), Some(KeyAlgorithm::Aes256Gcm));
        assert_eq!(
            algorithm(Some(PurposeArg::Sign), None).ok(),
            Some(KeyAlgorithm::EcdsaP256Sha256)
        );
        assert_eq!(
            algorithm(None, Some(KeyAlgorithm::Ed25519)).ok(),
            Some(KeyAlgorithm::Ed25519)
        );
        let e =
            algorithm(Some(PurposeArg::Wrap), Some(KeyAlgorithm::Ed25519)).expect_err("mismatch");
        assert!(e.to_string().contains("alg"));
    }
}
