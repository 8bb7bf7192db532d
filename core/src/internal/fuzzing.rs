//! Each function feeds arbitrary bytes to a parser of outside input; none may
//! panic.

use std::sync::Arc;

use crate::envelope::{self, RecordAad};
use crate::kms::LocalKeyManager;
use crate::services::OsRandom;
use crate::store::{MemoryStore, Table};

/// Decodes `data` as every persisted record type.
pub fn record_codec(data: &[u8]) {
    let _ = crate::codec::decode::<ciborium::Value>(data, "fuzz");
    crate::secrets::fuzz_decode_record(data);
    crate::identities::fuzz_decode_records(data);
    crate::mfa::fuzz_decode_record(data);
}

/// Opens `data` as a sealed envelope against a real local key manager.
pub fn envelope_open(data: &[u8]) {
    thread_local! {
        static KM: Option<LocalKeyManager> = {
            let store = Arc::new(MemoryStore::new());
            let root = crate::SecretBytes::new(vec![7u8; 32]);
            LocalKeyManager::new(store, Arc::new(OsRandom::new()), root).ok()
        };
    }
    let aad = RecordAad {
        tenant: "t",
        table: Table::SecretVersion,
        key: b"k",
        version: 1,
    };
    let _ = envelope::header(data);
    KM.with(|km| {
        if let Some(km) = km {
            let _ = envelope::open(km, &aad, data);
        }
    });
}

/// Parses `data` as a compact JWS, a JWK/JWKS and a DER/PEM public key.
pub fn jose_parsers(data: &[u8]) {
    crate::jose::fuzz_parsers(data);
}

/// Parses `data` as a PEM public key (the target encryption-key loader).
pub fn pem_public_key(data: &[u8]) {
    let _ = crate::jose::PublicKey::from_pem(&String::from_utf8_lossy(data));
}

/// Decrypts `data` as a compact JWE with a fixed EC receiver key.
pub fn jwe_decrypt(data: &[u8]) {
    thread_local! {
        static KEY: Option<crate::jose::DecryptionKey> = {
            josekit::jwk::alg::ec::EcKeyPair::generate(josekit::jwk::alg::ec::EcCurve::P256)
                .ok()
                .map(|k| k.to_jwk_private_key().to_string())
                .and_then(|j| crate::jose::DecryptionKey::from_jwk_json(&j).ok())
        };
    }
    let text = String::from_utf8_lossy(data);
    KEY.with(|k| {
        if let Some(k) = k {
            let _ = crate::jose::jwe::decrypt(&text, k, &crate::jose::JweOptions::default());
        }
    });
}

/// Parses `data` as an `otpauth://` provisioning URI (and re-parses what a
/// successful parse writes back).
pub fn otpauth_uri(data: &[u8]) {
    crate::mfa::fuzz_parse_uri(data);
}

/// Reads `data` as a submitted MFA code: the code-input parser and the
/// recovery-code normaliser.
pub fn mfa_code_input(data: &[u8]) {
    crate::mfa::fuzz_code_input(data);
}

/// Verifies `data` as an external JWT against a fixed signer, and parses it
/// as signer keys (JWKS and PEM).
pub fn ext_jwt(data: &[u8]) {
    crate::identities::fuzz_ext_jwt(data);
}

#[cfg(test)]
mod tests {
    /// The entry points run on typical and hostile input without panicking.
    #[test]
    fn identity_and_mfa_entry_points_accept_anything() {
        for d in [
            &b""[..],
            b"otpauth://totp/a:b?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            b"abcde-fghij-klmno-pqrst-uvwxy",
            b"123456",
            b"eyJhbGciOiJFUzI1NiJ9.e30.AAAA",
            b"\xff\xfe%%%",
        ] {
            super::otpauth_uri(d);
            super::mfa_code_input(d);
            super::ext_jwt(d);
            super::record_codec(d);
        }
    }
}
