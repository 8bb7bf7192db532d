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
