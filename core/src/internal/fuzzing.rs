//! Each function feeds arbitrary bytes to a parser of outside input; none may
//! panic. Everything here is deterministic (fixed root key, seeded
//! generator), so a crashing input reproduces.

use std::sync::{Arc, OnceLock};

use crate::envelope::{self, RecordAad};
use crate::kms::{KeyAlgorithm, KeyId, KeyManager, LocalKeyManager};
use crate::store::{MemoryStore, Table};
use crate::testing::SeededRng;

/// The wrap key that [`envelope_open`]'s key manager holds, so that inputs
/// naming it get past the key lookup into the unwrap path.
pub const FUZZ_KEK: &str = "fuzz";

/// Decodes `data` as every persisted record type.
pub fn record_codec(data: &[u8]) {
    let _ = crate::codec::decode::<ciborium::Value>(data, "fuzz");
    crate::secrets::fuzz_decode_record(data);
    crate::identities::fuzz_decode_records(data);
    crate::mfa::fuzz_decode_record(data);
}

/// Parses and opens `data` as a sealed envelope against a real local key
/// manager holding the wrap key [`FUZZ_KEK`]; then opens it again behind a
/// valid header prefix naming that key (version 1), so that every input also
/// reaches the key manager's unwrap of the wrapped data key.
pub fn envelope_open(data: &[u8]) {
    let aad = RecordAad {
        tenant: "t",
        table: Table::SecretVersion,
        key: b"k",
        version: 1,
    };
    let _ = envelope::header(data);
    let _ = envelope::body(data);
    let _ = envelope::open(key_manager(), &aad, data);

    let mut framed = Vec::with_capacity(8 + FUZZ_KEK.len() + data.len());
    framed.extend_from_slice(&[envelope::FORMAT_V1, envelope::AEAD_AES_256_GCM]);
    framed.extend_from_slice(&(FUZZ_KEK.len() as u16).to_be_bytes());
    framed.extend_from_slice(FUZZ_KEK.as_bytes());
    framed.extend_from_slice(&1u32.to_be_bytes());
    framed.extend_from_slice(data);
    let _ = envelope::open(key_manager(), &aad, &framed);
}

/// The key manager of [`envelope_open`], made once. Setup failure is a bug of
/// the harness, so it panics rather than letting runs pass vacuously.
pub fn key_manager() -> &'static LocalKeyManager {
    static KM: OnceLock<LocalKeyManager> = OnceLock::new();
    KM.get_or_init(|| {
        let store = Arc::new(MemoryStore::new());
        let root = crate::SecretBytes::new(vec![7u8; 32]);
        let km = LocalKeyManager::new(store, Arc::new(SeededRng::new(7)), root)
            .expect("fuzz harness: local key manager");
        km.create_key(&KeyId::from_trusted(FUZZ_KEK), KeyAlgorithm::Aes256Gcm)
            .expect("fuzz harness: wrap key");
        km
    })
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

/// Parses `data` as both webhook signature header schemes, a secret, and a
/// target record.
pub fn webhook_headers(data: &[u8]) {
    crate::targets::fuzz_headers(data);
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

/// Parses `data` as an API-token value, a refresh token, a token id, a
/// client secret and an access token.
pub fn token_parse(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    crate::tokens::fuzz_parse(&s);
    let _ = crate::token::parse(crate::machine_auth::CLIENT_SECRET_PREFIX, &s);
    let _ = crate::token::parse(crate::machine_auth::ACCESS_TOKEN_PREFIX, &s);
}

/// Parses `data` as a comma-separated IP/CIDR allow-list; a parsed list
/// must survive a round trip through its canonical spelling.
pub fn ip_list_parse(data: &[u8]) {
    use crate::machine_auth::IpList;
    let s = String::from_utf8_lossy(data);
    if let Ok(list) = IpList::parse_csv("ips", &s) {
        let again = IpList::parse("ips", &list.to_strings());
        assert_eq!(
            again.ok().as_ref(),
            Some(&list),
            "canonical form must re-parse"
        );
        for r in list.ranges() {
            assert!(
                list.contains(r.addr()),
                "a range contains its network address"
            );
        }
    }
}

/// Resolves a client address from fuzzed input: the first line is the
/// trusted-proxy list, the second the peer address, the rest are
/// `X-Forwarded-For` header values. The result is always the peer or one of
/// the header's hops.
pub fn xff_resolve(data: &[u8]) {
    use crate::machine_auth::{IpList, canonical_ip, resolve_client_ip};
    use std::net::{IpAddr, Ipv4Addr};
    let s = String::from_utf8_lossy(data);
    let mut lines = s.split('\n');
    let proxies = IpList::parse_csv("proxies", lines.next().unwrap_or(""))
        .unwrap_or_else(|_| IpList::allow_all());
    let peer = lines
        .next()
        .and_then(|p| p.trim().parse::<IpAddr>().ok())
        .unwrap_or(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)));
    let headers: Vec<&str> = lines.collect();
    let got = resolve_client_ip(peer, &headers, &proxies);
    let from_input = got == canonical_ip(peer)
        || headers
            .iter()
            .flat_map(|h| h.split(','))
            .filter_map(|hop| crate::machine_auth::ip::parse_hop(hop.trim()))
            .any(|hop| canonical_ip(hop) == got);
    assert!(from_input, "resolved address must come from the input");
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
