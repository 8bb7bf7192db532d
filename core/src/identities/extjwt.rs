//! External-JWT authentication (placeholder until the JOSE verifier lands).

use super::SignerKeys;
use super::record::SignerRecord;
use crate::error::{Error, Result};
use crate::services::UnixTime;

pub(crate) fn check_keys(_keys: &SignerKeys) -> Result<()> {
    Ok(())
}

pub(crate) fn verify<'a>(
    _signers: &'a [SignerRecord],
    _jwt: &str,
    _now: UnixTime,
) -> Result<(&'a SignerRecord, String)> {
    Err(Error::NotSupported {
        what: "ext-jwt authentication",
    })
}
