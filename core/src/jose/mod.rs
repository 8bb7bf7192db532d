//! JOSE: compact JWS/JWT signing and verification, JWKS, and JWE.
//!
//! - **Signing** ([`Jose`], from [`Engine::jose`](crate::Engine::jose)):
//!   ES256 through [`KeyManager::sign`](crate::KeyManager::sign) (whose P-256
//!   signatures are the 64-byte `r || s` JWS uses), `kid` = RFC 7638
//!   thumbprint, key created on first use, rotation with the previous key
//!   kept in the JWKS for a retention time.
//! - **Verification** (pure functions, no engine needed):
//!   [`verify_compact`] (any JWS) and [`jwt::verify`] (claims too) against a
//!   [`Jwks`] with an algorithm allow-list. `alg: none`, unknown algorithms,
//!   `crit`, JSON serialization, algorithm confusion (an `HS*` token checked
//!   with a public key, or the reverse), keys whose `alg`/`use`/`key_ops`
//!   forbid it, weak keys, and malformed base64url are refused.
//! - **JWE** ([`jwe`]): encryption to RSA (`RSA-OAEP-256`) and EC
//!   (`ECDH-ES+A256KW`) public keys with `A256GCM`, and decryption for
//!   receivers with an allow-list (`RSA1_5` and `zip` refused by default).
//! - **Keys from outside**: [`PublicKey`] parses PEM/DER
//!   SubjectPublicKeyInfo; [`Jwk`]/[`Jwks`] parse and export JWKs.
//!
//! Every parser here takes untrusted input and never panics (fuzzed).

mod b64;
pub mod jwe;
mod jwk;
pub mod jws;
pub mod jwt;
mod keys;
mod spki;

pub use jwe::{DecryptedJwe, DecryptionKey, JweAlgorithm, JweOptions};
pub use jwk::{Jwk, Jwks, MAX_JWKS_BYTES, MAX_JWKS_KEYS};
pub use jws::{JwsAlgorithm, VerifiedJws, sign_compact, verify_compact};
pub use jwt::{Validation, VerifiedJwt};
pub use keys::{Jose, SigningKeyInfo};
pub(crate) use spki::rsa_modulus_is_roca;
pub use spki::{Curve, MAX_PUBLIC_KEY_BYTES, PublicKey, fingerprint_der, pem_to_der};

/// Base64url without padding (as JOSE uses it).
pub fn base64url_encode(data: &[u8]) -> String {
    b64::encode(data)
}

/// Feeds `data` to every JOSE parser (fuzzing entry point).
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub fn fuzz_parsers(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = jws::parse(data);
    let _ = PublicKey::from_spki_der(data);
    let _ = PublicKey::from_pem(&text);
    let _ = Jwks::from_json(&text);
    let _ = Jwk::from_json(&text);
}

#[cfg(test)]
mod tests;
