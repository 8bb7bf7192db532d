//! IP allow-lists (addresses and CIDR ranges) and client-address resolution
//! behind trusted proxies.
//!
//! # Matching rules
//! - An entry is an IPv4 or IPv6 address (a single host: `/32` or `/128`) or
//!   a CIDR range `address/prefix`. The range must be written with its host
//!   bits clear (`10.0.0.0/8`, not `10.1.2.3/8`), the prefix in decimal
//!   without leading zeros. Zone ids (`fe80::1%eth0`), ports and surrounding
//!   text are refused. Entries are stored in canonical form (`10.0.0.0/8`,
//!   `2001:db8::/32`, `10.1.2.3/32`).
//! - **IPv4-mapped IPv6 addresses are IPv4 addresses.** A client address
//!   `::ffff:10.1.2.3` is matched as `10.1.2.3`, and an entry written in
//!   mapped form (`::ffff:10.0.0.0/104`) is stored as the IPv4 range
//!   (`10.0.0.0/8`; a mapped entry needs a prefix of at least 96). An IPv4
//!   address matches only IPv4 entries: `::/0` does not admit IPv4 clients,
//!   `0.0.0.0/0` does not admit IPv6 clients.
//! - An empty [`IpList`] matches nothing. Universal-auth allow-lists refuse
//!   to be empty (at least one entry); "allow everyone" is spelled
//!   `0.0.0.0/0, ::/0` (the default).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::error::{Error, Result};

/// Most entries an [`IpList`] holds.
pub const MAX_IP_LIST_ENTRIES: usize = 256;
/// Longest entry, in bytes.
pub const MAX_IP_ENTRY_LEN: usize = 64;
/// Most `X-Forwarded-For` hops [`resolve_client_ip`] walks.
pub const MAX_FORWARDED_HOPS: usize = 64;

/// An IPv4-mapped IPv6 address as the IPv4 address; any other address
/// unchanged.
pub fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// One allow-list entry: a network address and a prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IpRange {
    addr: IpAddr,
    prefix: u8,
}

impl IpRange {
    /// Parses an address or a CIDR range (rules in the [module
    /// docs](self)). Surrounding ASCII whitespace is ignored.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `field` and what is wrong. The message
    /// quotes the entry only when it is a short, printable ASCII string.
    pub fn parse(field: &'static str, entry: &str) -> Result<IpRange> {
        let s = entry.trim_matches(|c: char| c.is_ascii_whitespace());
        let bad = |why: &str| {
            let shown = if s.len() <= MAX_IP_ENTRY_LEN && s.bytes().all(|b| b.is_ascii_graphic()) {
                format!("'{s}'")
            } else {
                "entry".to_owned()
            };
            Error::invalid(field, format!("{shown} {why}"))
        };
        if s.is_empty() {
            return Err(bad("is empty"));
        }
        if s.len() > MAX_IP_ENTRY_LEN {
            return Err(bad(&format!("is longer than {MAX_IP_ENTRY_LEN} bytes")));
        }
        let (addr_part, prefix_part) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr_part
            .parse()
            .map_err(|_| bad("is not an IPv4 or IPv6 address or CIDR range"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix_part {
            None => max,
            Some(p) => parse_prefix(p)
                .filter(|n| *n <= max)
                .ok_or_else(|| bad(&format!("has a prefix length that is not 0..={max}")))?,
        };
        let range = match addr {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) if prefix >= 96 => IpRange {
                    addr: IpAddr::V4(v4),
                    prefix: prefix - 96,
                },
                Some(_) => {
                    return Err(bad(
                        "is an IPv4-mapped range with a prefix below 96; write it as IPv4",
                    ));
                }
                None => IpRange { addr, prefix },
            },
            IpAddr::V4(_) => IpRange { addr, prefix },
        };
        if range.network() != range.addr {
            return Err(bad("has bits set after the prefix length"));
        }
        Ok(range)
    }

    /// The network address.
    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The prefix length (32 or 128 for a single address).
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip` (after [`canonical_ip`]) is in the range.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical_ip(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                mask32(u32::from(ip), self.prefix) == u32::from(net)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                mask128(u128::from(ip), self.prefix) == u128::from(net)
            }
            _ => false,
        }
    }

    fn network(&self) -> IpAddr {
        match self.addr {
            IpAddr::V4(a) => IpAddr::V4(Ipv4Addr::from(mask32(u32::from(a), self.prefix))),
            IpAddr::V6(a) => IpAddr::V6(Ipv6Addr::from(mask128(u128::from(a), self.prefix))),
        }
    }
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

fn parse_prefix(p: &str) -> Option<u8> {
    let ok = !p.is_empty()
        && p.len() <= 3
        && p.bytes().all(|b| b.is_ascii_digit())
        && (p == "0" || !p.starts_with('0'));
    if ok { p.parse().ok() } else { None }
}

fn mask32(x: u32, prefix: u8) -> u32 {
    match prefix {
        0 => 0,
        p if p >= 32 => x,
        p => x & (u32::MAX << (32 - u32::from(p))),
    }
}

fn mask128(x: u128, prefix: u8) -> u128 {
    match prefix {
        0 => 0,
        p if p >= 128 => x,
        p => x & (u128::MAX << (128 - u32::from(p))),
    }
}

/// A list of [`IpRange`]s; an address is allowed when any entry contains it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct IpList {
    ranges: Vec<IpRange>,
}

impl IpList {
    /// Parses every entry (at most 256). An empty input gives an empty list,
    /// which matches nothing.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `field`, the entry's position and the
    /// problem, or the entry limit.
    pub fn parse<S: AsRef<str>>(field: &'static str, entries: &[S]) -> Result<IpList> {
        if entries.len() > MAX_IP_LIST_ENTRIES {
            return Err(Error::invalid(
                field,
                format!(
                    "must have at most {MAX_IP_LIST_ENTRIES} entries, got {}",
                    entries.len()
                ),
            ));
        }
        let mut ranges = Vec::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            let r = IpRange::parse(field, e.as_ref()).map_err(|err| match err {
                Error::InvalidInput(ii) => {
                    Error::invalid(field, format!("entry {}: {}", i + 1, ii.reason))
                }
                other => other,
            })?;
            if !ranges.contains(&r) {
                ranges.push(r);
            }
        }
        Ok(IpList { ranges })
    }

    /// As [`IpList::parse`], but at least one entry is required.
    ///
    /// # Errors
    /// As [`IpList::parse`], and [`Error::InvalidInput`] for an empty list.
    pub fn parse_non_empty<S: AsRef<str>>(field: &'static str, entries: &[S]) -> Result<IpList> {
        if entries.is_empty() {
            return Err(Error::invalid(
                field,
                "must have at least 1 entry (use 0.0.0.0/0 and ::/0 to allow every address)",
            ));
        }
        Self::parse(field, entries)
    }

    /// Parses a comma-separated list (`"10.0.0.0/8, ::1"`), as the CLI and
    /// configuration files spell it. An empty string is an empty list.
    ///
    /// # Errors
    /// As [`IpList::parse`].
    pub fn parse_csv(field: &'static str, csv: &str) -> Result<IpList> {
        if csv.trim().is_empty() {
            return Ok(IpList::default());
        }
        let entries: Vec<&str> = csv.split(',').collect();
        Self::parse(field, &entries)
    }

    /// `0.0.0.0/0` and `::/0`: every address.
    pub fn allow_all() -> IpList {
        IpList {
            ranges: vec![
                IpRange {
                    addr: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                    prefix: 0,
                },
                IpRange {
                    addr: IpAddr::V6(Ipv6Addr::UNSPECIFIED),
                    prefix: 0,
                },
            ],
        }
    }

    /// Whether some entry contains `ip` (after [`canonical_ip`]).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical_ip(ip);
        self.ranges.iter().any(|r| r.contains(ip))
    }

    /// The entries, duplicates removed, in the order given.
    pub fn ranges(&self) -> &[IpRange] {
        &self.ranges
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The canonical spelling of each entry.
    pub fn to_strings(&self) -> Vec<String> {
        self.ranges.iter().map(ToString::to_string).collect()
    }
}

/// The client's address, from the connection's `peer` address and the
/// `X-Forwarded-For` header values (in the order received), believing only
/// proxies in `trusted_proxies`.
///
/// If the peer is not a trusted proxy, the peer is the client and the header
/// is ignored (anyone can send one). Otherwise the hops are walked from the
/// right (the nearest proxy's report) and the first hop that is not a
/// trusted proxy is the client. If every hop is trusted, the leftmost is the
/// client. A hop that does not parse as an address (`unknown`, an empty
/// element, a hostname) stops the walk: the last address reached — a trusted
/// proxy, which reported the unparsable value — is returned. At most
/// [`MAX_FORWARDED_HOPS`] hops are walked. Every address is returned and
/// compared in [`canonical_ip`] form. Hops may carry a port (`1.2.3.4:80`,
/// `[2001:db8::1]:443`).
pub fn resolve_client_ip(peer: IpAddr, forwarded_for: &[&str], trusted_proxies: &IpList) -> IpAddr {
    let mut current = canonical_ip(peer);
    if !trusted_proxies.contains(current) {
        return current;
    }
    let hops = forwarded_for.iter().rev().flat_map(|h| h.rsplit(','));
    for (i, hop) in hops.enumerate() {
        if i >= MAX_FORWARDED_HOPS {
            break;
        }
        let Some(ip) = parse_hop(hop.trim_matches(|c: char| c.is_ascii_whitespace())) else {
            return current;
        };
        let ip = canonical_ip(ip);
        if !trusted_proxies.contains(ip) {
            return ip;
        }
        current = ip;
    }
    current
}

/// An `X-Forwarded-For` element: an address, optionally with a port
/// (`[v6]:port` for IPv6).
pub(crate) fn parse_hop(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        let (addr, tail) = rest.split_once(']')?;
        if !(tail.is_empty() || tail.strip_prefix(':').is_some_and(is_port)) {
            return None;
        }
        return addr.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    let (addr, port) = s.rsplit_once(':')?;
    if !is_port(port) {
        return None;
    }
    addr.parse::<Ipv4Addr>().ok().map(IpAddr::V4)
}

fn is_port(p: &str) -> bool {
    !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn list(entries: &[&str]) -> IpList {
        IpList::parse("ips", entries).unwrap()
    }

    /// TK-6: the table of allow-list cases, IPv4, IPv6, CIDR edges and
    /// IPv4-mapped addresses.
    #[test]
    fn tk6_trusted_ip_table() {
        let cases: &[(&[&str], &str, bool)] = &[
            (&["10.0.0.0/8"], "10.1.2.3", true),
            (&["10.0.0.0/8"], "11.0.0.1", false),
            (&["10.0.0.0/8"], "9.255.255.255", false),
            (&["10.0.0.0/8"], "10.255.255.255", true),
            (&["10.0.0.0/8"], "::ffff:10.1.2.3", true),
            (&["10.0.0.0/8"], "::ffff:11.1.2.3", false),
            (&["::ffff:10.0.0.0/104"], "10.9.9.9", true),
            (&["::ffff:10.1.2.3"], "10.1.2.3", true),
            (&["10.1.2.3"], "::ffff:10.1.2.3", true),
            (&["10.1.2.3"], "10.1.2.4", false),
            (&["192.168.1.0/31"], "192.168.1.1", true),
            (&["192.168.1.0/31"], "192.168.1.2", false),
            (&["0.0.0.0/0"], "255.255.255.255", true),
            (&["0.0.0.0/0"], "::1", false),
            (&["::/0"], "2001:db8::1", true),
            (&["::/0"], "10.0.0.1", false),
            (&["::/0"], "::ffff:10.0.0.1", false),
            (&["2001:db8::/32"], "2001:db8:ffff:ffff::1", true),
            (&["2001:db8::/32"], "2001:db9::1", false),
            (&["2001:db8::/32"], "2001:db7:ffff::1", false),
            (&["2001:db8::1/128"], "2001:db8::1", true),
            (&["2001:db8::1"], "2001:db8::2", false),
            (&["2001:db8::/127"], "2001:db8::1", true),
            (&["2001:db8::/127"], "2001:db8::2", false),
            (&["10.0.0.0/8", "2001:db8::/32"], "2001:db8::5", true),
            (&[], "10.0.0.1", false),
        ];
        for (entries, addr, want) in cases {
            assert_eq!(
                list(entries).contains(ip(addr)),
                *want,
                "{entries:?} contains {addr}"
            );
        }
        assert!(IpList::allow_all().contains(ip("1.2.3.4")));
        assert!(IpList::allow_all().contains(ip("::ffff:1.2.3.4")));
        assert!(IpList::allow_all().contains(ip("fe80::1")));
    }

    #[test]
    fn tk6_malformed_entries_are_rejected_naming_the_field() {
        for bad in [
            "",
            " ",
            "10.0.0.0/33",
            "::/129",
            "10.1.2.3/8",
            "2001:db8::1/32",
            "10.0.0",
            "10.0.0.0/",
            "/8",
            "10.0.0.0/08",
            "10.0.0.0/+8",
            "10.0.0.0/8/8",
            "010.0.0.1",
            "999.1.1.1",
            "fe80::1%eth0",
            "1.2.3.4:80",
            "[::1]",
            "::ffff:10.0.0.0/95",
            "localhost",
            "10.0.0.0/8 # office",
            &"1".repeat(65),
        ] {
            let e = IpList::parse("access_token_trusted_ips", &[bad]).unwrap_err();
            let msg = e.to_string();
            assert_eq!(e.code(), crate::ErrorCode::InvalidInput, "{bad:?}");
            assert!(msg.contains("access_token_trusted_ips"), "{msg}");
            assert!(msg.contains("entry 1"), "{msg}");
        }
        let many: Vec<String> = (0..257)
            .map(|i| format!("10.0.{}.{}/32", i / 256, i % 256))
            .collect();
        let e = IpList::parse("x", &many).unwrap_err().to_string();
        assert!(e.contains("at most 256"), "{e}");
        IpList::parse("x", &many[..256]).unwrap();
        let e = IpList::parse_non_empty::<&str>("client_secret_trusted_ips", &[])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("client_secret_trusted_ips") && e.contains("at least 1"),
            "{e}"
        );
    }

    #[test]
    fn entries_are_canonical_and_deduplicated() {
        let l = list(&[
            " 10.0.0.0/8 ",
            "::FFFF:10.0.0.0/104",
            "2001:DB8::/32",
            "1.2.3.4",
        ]);
        assert_eq!(
            l.to_strings(),
            ["10.0.0.0/8", "2001:db8::/32", "1.2.3.4/32"]
        );
        let again = IpList::parse("x", &l.to_strings()).unwrap();
        assert_eq!(again, l);
        assert_eq!(
            IpList::parse_csv("x", "10.0.0.0/8,::1")
                .unwrap()
                .to_strings(),
            ["10.0.0.0/8", "::1/128"]
        );
        assert!(IpList::parse_csv("x", "").unwrap().is_empty());
    }

    #[test]
    fn client_ip_resolution_walks_from_the_right() {
        let proxies = list(&["10.0.0.0/8", "2001:db8::/32"]);
        let r = |peer: &str, xff: &[&str]| resolve_client_ip(ip(peer), xff, &proxies);
        // Untrusted peer: header ignored.
        assert_eq!(r("203.0.113.9", &["1.1.1.1"]), ip("203.0.113.9"));
        // Trusted peer, one hop.
        assert_eq!(r("10.0.0.1", &["198.51.100.7"]), ip("198.51.100.7"));
        // Spoofed left part is never reached.
        assert_eq!(
            r("10.0.0.1", &["6.6.6.6, 198.51.100.7, 10.0.0.2"]),
            ip("198.51.100.7")
        );
        // Several headers are one list, in order.
        assert_eq!(
            r("10.0.0.1", &["6.6.6.6", "198.51.100.7, 10.2.2.2"]),
            ip("198.51.100.7")
        );
        // All trusted: the leftmost.
        assert_eq!(r("10.0.0.1", &["10.9.9.9, 10.0.0.2"]), ip("10.9.9.9"));
        // No header: the peer.
        assert_eq!(r("10.0.0.1", &[]), ip("10.0.0.1"));
        // Unparsable hop stops at the proxy that reported it.
        assert_eq!(
            r("10.0.0.1", &["1.1.1.1, unknown, 10.0.0.3"]),
            ip("10.0.0.3")
        );
        assert_eq!(r("10.0.0.1", &[""]), ip("10.0.0.1"));
        // IPv4-mapped peers and hops are IPv4.
        assert_eq!(
            r("::ffff:10.0.0.1", &["::ffff:198.51.100.7"]),
            ip("198.51.100.7")
        );
        assert_eq!(r("::ffff:203.0.113.9", &["1.1.1.1"]), ip("203.0.113.9"));
        // IPv6 proxies and ports.
        assert_eq!(
            r("2001:db8::1", &["[2001:db8::2]:443, 198.51.100.7:1234"]),
            ip("198.51.100.7")
        );
        assert_eq!(r("2001:db8::1", &["[2001:db9::2]:443"]), ip("2001:db9::2"));
        assert_eq!(r("2001:db8::1", &["[2001:db9::2]:x"]), ip("2001:db8::1"));
        // No trusted proxies: always the peer.
        assert_eq!(
            resolve_client_ip(ip("10.0.0.1"), &["1.1.1.1"], &IpList::default()),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn client_ip_resolution_is_bounded() {
        let proxies = list(&["10.0.0.0/8"]);
        let hops: Vec<String> = (0..200).map(|i| format!("10.0.0.{}", i % 250)).collect();
        let header = hops.join(",");
        let got = resolve_client_ip(ip("10.0.0.1"), &[&header], &proxies);
        assert!(proxies.contains(got));
    }

    mod proptests {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn parsing_never_panics(s in "\\PC{0,80}") {
                let _ = IpList::parse_csv("x", &s);
                let _ = resolve_client_ip(
                    IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
                    &[&s],
                    &IpList::allow_all(),
                );
            }

            #[test]
            fn v4_range_membership_matches_arithmetic(a in any::<u32>(), b in any::<u32>(), p in 0u8..=32) {
                let net = mask32(a, p);
                let r = IpRange::parse("x", &format!("{}/{p}", Ipv4Addr::from(net))).unwrap();
                let inside = mask32(b, p) == net;
                prop_assert_eq!(r.contains(IpAddr::V4(Ipv4Addr::from(b))), inside);
                prop_assert_eq!(
                    r.contains(IpAddr::V6(Ipv4Addr::from(b).to_ipv6_mapped())),
                    inside
                );
            }
        }
    }
}
