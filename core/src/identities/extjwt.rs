//! External-JWT authentication: a JWT from a registered signer, verified by
//! the shared JOSE verifier ([`crate::jose::jwt`]) with the asymmetric
//! algorithm allow-list (`alg: none`, `HS*` and algorithm confusion are
//! refused there), the signer's issuer and audience (both required), and
//! `exp` (required) / `nbf` / `iat` with the verifier's default leeway.

use serde_json::Value;

use super::SignerKeys;
use super::record::SignerRecord;
use crate::error::{Error, Result};
use crate::jose::jwt::{self, Validation};
use crate::jose::{Jwk, Jwks, JwsAlgorithm, PublicKey};
use crate::services::UnixTime;

/// Longest JWT accepted, in bytes.
pub(crate) const MAX_JWT_BYTES: usize = 16 * 1024;

/// Checks a signer's keys when it is registered.
///
/// # Errors
/// [`Error::InvalidInput`] naming `keys`.
pub(crate) fn check_keys(keys: &SignerKeys) -> Result<()> {
    jwks_of_keys(keys).map(|_| ()).map_err(|e| match e {
        Error::InvalidInput(i) => Error::invalid("keys", i.reason),
        other => other,
    })
}

fn jwks_of_keys(keys: &SignerKeys) -> Result<Jwks> {
    match keys {
        SignerKeys::Jwks(text) => {
            let set = Jwks::from_json(text)?;
            if set.keys().is_empty() {
                return Err(Error::invalid("keys", "the JWKS holds no key"));
            }
            Ok(set)
        }
        SignerKeys::Pem(pem) => {
            PublicKey::from_pem(pem)?;
            Jwks::new(vec![Jwk::from_pem(pem, None)?])
        }
    }
}

fn jwks_of(rec: &SignerRecord) -> Result<Jwks> {
    let keys = match rec.key_kind.as_str() {
        "jwks" => SignerKeys::Jwks(rec.keys.clone()),
        "pem" => SignerKeys::Pem(rec.keys.clone()),
        _ => return Err(Error::corrupt("signer key kind")),
    };
    jwks_of_keys(&keys).map_err(|_| Error::corrupt("signer keys"))
}

/// Finds the enabled signer whose keys, issuer and audience `token`
/// satisfies, and returns it with the value of its identity claim.
///
/// # Errors
/// [`Error::VerificationFailed`] for every refusal (no detail).
pub(crate) fn verify<'a>(
    signers: &'a [SignerRecord],
    token: &str,
    now: UnixTime,
) -> Result<(&'a SignerRecord, String)> {
    if token.is_empty() || token.len() > MAX_JWT_BYTES {
        return Err(Error::VerificationFailed);
    }
    for s in signers.iter().filter(|s| s.enabled) {
        let validation = Validation {
            algorithms: JwsAlgorithm::ASYMMETRIC.to_vec(),
            issuer: Some(s.issuer.clone()),
            audience: Some(s.audience.clone()),
            require_exp: true,
            ..Validation::default()
        };
        let Ok(keys) = jwks_of(s) else { continue };
        let Ok(v) = jwt::verify(token, &keys, &validation, now) else {
            continue;
        };
        if !v.claims.contains_key("aud") {
            continue;
        }
        if let Some(Value::String(id)) = v.claims.get(&s.identity_claim) {
            return Ok((s, id.clone()));
        }
    }
    Err(Error::VerificationFailed)
}
