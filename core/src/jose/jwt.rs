//! JWT (RFC 7519) verification: a [`jws`] signature check, then
//! the registered claims.

use serde_json::{Map, Value};

use super::jwk::Jwks;
use super::jws::{self, JwsAlgorithm, Reject, VerifiedJws};
use crate::error::{Error, Result};
use crate::services::UnixTime;

/// Default clock leeway for `exp`/`nbf`/`iat`, in seconds.
pub const DEFAULT_LEEWAY_SECS: i64 = 60;
/// Largest accepted leeway, in seconds.
pub const MAX_LEEWAY_SECS: i64 = 600;

/// What a JWT must satisfy besides its signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validation {
    /// Allowed algorithms (default: [`JwsAlgorithm::ASYMMETRIC`]).
    pub algorithms: Vec<JwsAlgorithm>,
    /// Clock leeway for `exp`, `nbf` and `iat`, 0..=600 s (default 60).
    pub leeway_secs: i64,
    /// Required `iss`, if set.
    pub issuer: Option<String>,
    /// This verifier's audience. A token with an `aud` claim must name it;
    /// a token with `aud` is refused when this is `None` (RFC 7519 §4.1.3).
    pub audience: Option<String>,
    /// Required header `typ` (compared case-insensitively, `application/`
    /// prefix optional), if set.
    pub typ: Option<String>,
    /// Whether `exp` must be present (default true).
    pub require_exp: bool,
}

impl Default for Validation {
    fn default() -> Self {
        Validation {
            algorithms: JwsAlgorithm::ASYMMETRIC.to_vec(),
            leeway_secs: DEFAULT_LEEWAY_SECS,
            issuer: None,
            audience: None,
            typ: None,
            require_exp: true,
        }
    }
}

/// A verified JWT.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedJwt {
    /// The signature part.
    pub jws: VerifiedJws,
    /// The claims.
    pub claims: Map<String, Value>,
}

/// Verifies a compact JWT against `keys` at time `now`.
///
/// Checks the signature (as [`jws::verify_compact`]), then: the payload is a
/// JSON object; `exp` (required unless `require_exp` is false) is after
/// `now - leeway`; `nbf` and `iat` are not after `now + leeway`; `iss`,
/// `aud` and `typ` as [`Validation`] says. Numeric dates must be numbers.
///
/// # Errors
/// [`Error::InvalidInput`] naming `leeway_secs` when out of range;
/// [`Error::VerificationFailed`] for every refusal (no detail).
pub fn verify(
    token: &str,
    keys: &Jwks,
    validation: &Validation,
    now: UnixTime,
) -> Result<VerifiedJwt> {
    if !(0..=MAX_LEEWAY_SECS).contains(&validation.leeway_secs) {
        return Err(Error::invalid(
            "leeway_secs",
            format!(
                "must be 0..={MAX_LEEWAY_SECS}, got {}",
                validation.leeway_secs
            ),
        ));
    }
    verify_inner(token, keys, validation, now).map_err(Error::from)
}

pub(crate) fn verify_inner(
    token: &str,
    keys: &Jwks,
    v: &Validation,
    now: UnixTime,
) -> std::result::Result<VerifiedJwt, Reject> {
    let jws = jws::verify_inner(token.as_bytes(), keys, &v.algorithms)?;
    if let Some(want) = &v.typ {
        let typ = jws
            .header
            .get("typ")
            .and_then(Value::as_str)
            .ok_or(Reject::Claims)?;
        let norm = |s: &str| {
            let l = s.to_ascii_lowercase();
            l.strip_prefix("application/")
                .map(str::to_owned)
                .unwrap_or(l)
        };
        if norm(typ) != norm(want) {
            return Err(Reject::Claims);
        }
    }
    let claims: Map<String, Value> =
        serde_json::from_slice(&jws.payload).map_err(|_| Reject::Claims)?;
    check_claims(&claims, v, now)?;
    Ok(VerifiedJwt { jws, claims })
}

fn numeric(claims: &Map<String, Value>, name: &str) -> std::result::Result<Option<i64>, Reject> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => {
            if let Some(i) = n.as_i64() {
                Ok(Some(i))
            } else {
                // Fractional seconds: compare on the whole-second floor.
                n.as_f64()
                    .filter(|f| f.is_finite() && f.abs() < 1e15)
                    .map(|f| Some(f.floor() as i64))
                    .ok_or(Reject::Claims)
            }
        }
        Some(_) => Err(Reject::Claims),
    }
}

pub(crate) fn check_claims(
    claims: &Map<String, Value>,
    v: &Validation,
    now: UnixTime,
) -> std::result::Result<(), Reject> {
    let now = now.secs();
    let leeway = v.leeway_secs;
    match numeric(claims, "exp")? {
        Some(exp) if now.saturating_sub(leeway) >= exp => return Err(Reject::Claims),
        None if v.require_exp => return Err(Reject::Claims),
        _ => {}
    }
    for name in ["nbf", "iat"] {
        if let Some(t) = numeric(claims, name)? {
            if t > now.saturating_add(leeway) {
                return Err(Reject::Claims);
            }
        }
    }
    if let Some(want) = &v.issuer {
        if claims.get("iss").and_then(Value::as_str) != Some(want.as_str()) {
            return Err(Reject::Claims);
        }
    }
    match (claims.get("aud"), &v.audience) {
        (None, _) => {}
        (Some(_), None) => return Err(Reject::Claims),
        (Some(Value::String(a)), Some(want)) if a == want => {}
        (Some(Value::Array(list)), Some(want))
            if list.iter().any(|a| a.as_str() == Some(want.as_str())) => {}
        _ => return Err(Reject::Claims),
    }
    Ok(())
}
