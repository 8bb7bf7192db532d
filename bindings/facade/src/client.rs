//! Client-side helpers that need no engine.

use credcycle::{LocalKeyManager, OsRandom};
use zeroize::Zeroizing;

use crate::error::Result;

/// The version of the engine (the workspace version, `MAJOR.MINOR.PATCH`)
/// (operation `client.version`).
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// A fresh random 32-byte root key for the local key manager, from the OS
/// generator (operation `client.generate_root_key`). Keep it safe: the
/// store's keys are sealed under it.
///
/// # Errors
/// `KMS_BACKEND` when the OS generator fails.
pub fn generate_root_key() -> Result<Zeroizing<Vec<u8>>> {
    let key = LocalKeyManager::generate_root_key(&OsRandom::new())?;
    Ok(Zeroizing::new(key.expose().to_vec()))
}

/// Parses the text form of a root key: 64 hex digits or base64 of 32 bytes,
/// surrounding whitespace ignored (operation `client.parse_root_key`).
///
/// # Errors
/// `INVALID_INPUT` naming `root_key` (the message never repeats the input).
pub fn parse_root_key(text: &str) -> Result<Zeroizing<Vec<u8>>> {
    let key = LocalKeyManager::parse_root_key(text)?;
    Ok(Zeroizing::new(key.expose().to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_keys() {
        let k = generate_root_key().expect("generate");
        assert_eq!(k.len(), 32);
        let hex: String = k.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(*parse_root_key(&format!("{hex}\n")).expect("parse"), *k);
        let e = parse_root_key("nope").expect_err("invalid");
        assert_eq!(e.code, 1004);
        assert!(!e.message.contains("nope"));
        assert_eq!(version(), "0.1.0");
    }
}
