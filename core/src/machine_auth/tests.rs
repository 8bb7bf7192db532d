//! Tests of the machine-auth domain: every field's default and range, the
//! merged-update rule, client secrets, login order and lockout, access
//! tokens (TK-3, TK-4, TK-5, TK-6), exactly-once under races, and
//! digest-only storage.
#![allow(clippy::unwrap_used)]

use std::net::IpAddr;
use std::sync::{Arc, Barrier};

use super::*;
use crate::error::{Error, ErrorCode};
use crate::kms::LocalKeyManager;
use crate::policy::Policy;
use crate::services::Clock;
use crate::store::{MemoryStore, Op, Record, Store, StoreError, Table};
use crate::testing::{FakeClock, SeededRng};
use crate::{Engine, SecretBytes};

const T0: i64 = 1_700_000_000;

struct Fx {
    engine: Engine,
    clock: Arc<FakeClock>,
    store: Arc<dyn Store>,
}

fn fixture_on(store: Arc<dyn Store>, policy: Policy) -> Fx {
    let clock = Arc::new(FakeClock::new(T0));
    let rng = Arc::new(SeededRng::new(11));
    let keys = Arc::new(
        LocalKeyManager::new(store.clone(), rng.clone(), SecretBytes::new(vec![5u8; 32])).unwrap(),
    );
    let engine = Engine::builder()
        .store(store.clone())
        .key_manager(keys)
        .clock(clock.clone())
        .rng(rng)
        .policy(policy)
        .build()
        .unwrap();
    Fx {
        engine,
        clock,
        store,
    }
}

fn fixture() -> Fx {
    fixture_on(Arc::new(MemoryStore::new()), Policy::default())
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn ips(list: &[&str]) -> Option<Vec<String>> {
    Some(list.iter().map(|s| (*s).to_owned()).collect())
}

/// An identity with universal auth and one client secret.
struct Client {
    identity: String,
    client_id: String,
    secret: String,
}

impl Fx {
    fn ma(&self) -> MachineAuth {
        self.engine.machine_auth("t1").unwrap()
    }

    fn client(&self, settings: UniversalAuthSettings, secret: CreateClientSecret) -> Client {
        let id = self.ma().create_identity("ci-runner").unwrap().id;
        self.ma().attach_universal_auth(&id, settings).unwrap();
        let s = self.ma().create_client_secret(&id, secret).unwrap();
        Client {
            identity: id,
            client_id: s.client_id,
            secret: s.secret.reveal().to_owned(),
        }
    }

    fn default_client(&self) -> Client {
        self.client(
            UniversalAuthSettings::default(),
            CreateClientSecret::default(),
        )
    }

    fn login(&self, c: &Client, from: &str) -> Result<AccessTokenGrant, Error> {
        self.ma().login(&c.client_id, &c.secret, ip(from))
    }

    fn snapshot(&self) -> Vec<(Table, Vec<u8>, Record)> {
        let mut out = Vec::new();
        for t in Table::ALL {
            for (k, r) in self.store.scan(*t, b"", None, u32::MAX).unwrap() {
                out.push((*t, k, r));
            }
        }
        out
    }
}

fn assert_invalid(e: &Error, fields: &[&str], needle: &str) {
    assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
    let m = e.to_string();
    for f in fields {
        assert!(m.contains(f), "{m} should name {f}");
    }
    assert!(m.contains(needle), "{m} should say {needle}");
}

fn assert_state(e: &Error, state: &str) {
    assert_eq!(e.code(), ErrorCode::InvalidState, "{e}");
    assert!(e.to_string().contains(state), "{e} should name {state}");
}

// ---- identities and configuration -------------------------------------------

#[test]
fn identities_are_created_listed_and_validated() {
    let fx = fixture();
    let a = fx.ma().create_identity("a").unwrap();
    let b = fx.ma().create_identity(&"b".repeat(128)).unwrap();
    assert!(a.universal_auth.is_none());
    assert_eq!(fx.ma().identity(&a.id).unwrap(), a);
    let mut want = vec![a, b];
    want.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(fx.ma().list_identities().unwrap(), want);
    for bad in [String::new(), "b".repeat(129), "x\u{7}".into()] {
        assert_invalid(&fx.ma().create_identity(&bad).unwrap_err(), &["name"], "");
    }
    assert_invalid(
        &fx.ma().identity("../x").unwrap_err(),
        &["identity_id"],
        "UUID",
    );
    assert_eq!(
        fx.ma()
            .identity("00000000-0000-4000-8000-000000000000")
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
}

#[test]
fn identity_with_a_given_id_is_created_once() {
    let fx = fixture();
    let id = "0b5c3c1e-2f43-4f6a-9a3e-7d0d5b1e2c44";
    let made = fx.ma().create_identity_with_id(id, "shared").unwrap();
    assert_eq!(made.id, id);
    assert_eq!(fx.ma().identity(id).unwrap(), made);
    let before = fx.ma().list_identities().unwrap();
    let e = fx.ma().create_identity_with_id(id, "again").unwrap_err();
    assert_eq!(e.code(), ErrorCode::AlreadyExists, "{e}");
    assert_eq!(
        fx.ma().list_identities().unwrap(),
        before,
        "nothing written"
    );
    for bad in ["", "not-a-uuid", "0B5C3C1E-2F43-4F6A-9A3E-7D0D5B1E2C44"] {
        assert_invalid(
            &fx.ma().create_identity_with_id(bad, "x").unwrap_err(),
            &["identity_id"],
            "UUID",
        );
    }
    assert_invalid(
        &fx.ma()
            .create_identity_with_id("1b5c3c1e-2f43-4f6a-9a3e-7d0d5b1e2c44", "")
            .unwrap_err(),
        &["name"],
        "",
    );
}

#[test]
fn attach_uses_the_defaults_of_semantics_d() {
    let fx = fixture();
    let id = fx.ma().create_identity("x").unwrap().id;
    let ua = fx
        .ma()
        .attach_universal_auth(&id, UniversalAuthSettings::default())
        .unwrap();
    assert_eq!(
        ua.client_secret_trusted_ips.to_strings(),
        ["0.0.0.0/0", "::/0"]
    );
    assert_eq!(
        ua.access_token_trusted_ips.to_strings(),
        ["0.0.0.0/0", "::/0"]
    );
    assert_eq!(ua.access_token_ttl, 2_592_000);
    assert_eq!(ua.access_token_max_ttl, 2_592_000);
    assert_eq!(ua.access_token_num_uses_limit, 0);
    assert_eq!(ua.access_token_period, 0);
    assert_eq!(
        ua.lockout,
        Lockout {
            enabled: true,
            threshold: 3,
            duration_secs: 300,
            counter_reset_secs: 30
        }
    );
    assert!(crate::tokens::ops::is_uuid(&ua.client_id));
    assert_eq!(fx.ma().universal_auth(&id).unwrap(), ua);
    assert_eq!(fx.ma().identity(&id).unwrap().universal_auth.unwrap(), ua);
    let e = fx
        .ma()
        .attach_universal_auth(&id, UniversalAuthSettings::default())
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AlreadyExists);
    let other = fx.ma().create_identity("y").unwrap().id;
    assert_eq!(
        fx.ma().universal_auth(&other).unwrap_err().code(),
        ErrorCode::NotFound
    );
}

/// Every numeric field: the limits themselves pass, one past them fails
/// naming the field and the range; nothing is written by a failure.
#[test]
fn every_field_range_is_enforced_naming_field_and_limit() {
    let fx = fixture();
    let id = fx.ma().create_identity("x").unwrap().id;
    fx.ma()
        .attach_universal_auth(
            &id,
            UniversalAuthSettings {
                access_token_max_ttl: Some(0),
                ..Default::default()
            },
        )
        .unwrap();
    type Set = fn(u32) -> UniversalAuthSettings;
    type Case<'a> = (&'a str, Set, &'a [u32], &'a [u32], &'a str);
    let cases: &[Case<'_>] = &[
        (
            "access_token_ttl",
            |v| UniversalAuthSettings {
                access_token_ttl: Some(v),
                ..Default::default()
            },
            &[0, 315_360_000],
            &[315_360_001, u32::MAX],
            "0..=315360000",
        ),
        (
            "access_token_max_ttl",
            |v| UniversalAuthSettings {
                access_token_max_ttl: Some(v),
                access_token_ttl: Some(0),
                ..Default::default()
            },
            &[0, 315_360_000],
            &[315_360_001],
            "0..=315360000",
        ),
        (
            "access_token_period",
            |v| UniversalAuthSettings {
                access_token_period: Some(v),
                ..Default::default()
            },
            &[0, 315_360_000],
            &[315_360_001],
            "0..=315360000",
        ),
        (
            "lockout_threshold",
            |v| UniversalAuthSettings {
                lockout_threshold: Some(v),
                ..Default::default()
            },
            &[1, 30],
            &[0, 31],
            "1..=30",
        ),
        (
            "lockout_duration_secs",
            |v| UniversalAuthSettings {
                lockout_duration_secs: Some(v),
                ..Default::default()
            },
            &[30, 86_400],
            &[29, 86_401],
            "30..=86400",
        ),
        (
            "lockout_counter_reset_secs",
            |v| UniversalAuthSettings {
                lockout_counter_reset_secs: Some(v),
                ..Default::default()
            },
            &[5, 3_600],
            &[4, 3_601],
            "5..=3600",
        ),
    ];
    for (field, set, good, bad) in cases.iter().map(|c| (c.0, c.1, c.2, c.3)) {
        for v in good {
            fx.ma()
                .update_universal_auth(&id, set(*v))
                .unwrap_or_else(|e| panic!("{field}={v}: {e}"));
        }
        let before = fx.snapshot();
        for v in bad {
            let e = fx.ma().update_universal_auth(&id, set(*v)).unwrap_err();
            let limit = cases.iter().find(|c| c.0 == field).unwrap().4;
            assert_invalid(&e, &[field], limit);
            let e = fx
                .ma()
                .create_identity("z")
                .map(|i| fx.ma().attach_universal_auth(&i.id, set(*v)).unwrap_err());
            assert_invalid(&e.unwrap(), &[field], limit);
        }
        // (the identities created above are the only change)
        let after: Vec<_> = fx
            .snapshot()
            .into_iter()
            .filter(|(t, _, _)| *t == Table::MachineIdentity)
            .filter(|(_, k, _)| String::from_utf8_lossy(k).contains(&id))
            .collect();
        let before: Vec<_> = before
            .into_iter()
            .filter(|(t, _, _)| *t == Table::MachineIdentity)
            .filter(|(_, k, _)| String::from_utf8_lossy(k).contains(&id))
            .collect();
        assert_eq!(after, before, "{field}: failed update wrote nothing");
    }
    // Unlimited uses is an explicit 0; any count is accepted.
    let ua = fx
        .ma()
        .update_universal_auth(
            &id,
            UniversalAuthSettings {
                access_token_num_uses_limit: Some(u32::MAX),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(ua.access_token_num_uses_limit, u32::MAX);
    assert_invalid(
        &fx.ma()
            .update_universal_auth(&id, UniversalAuthSettings::default())
            .unwrap_err(),
        &["update"],
        "at least one",
    );
}

/// The seed's bug class: `update` validates the merged configuration, so
/// sending only one of TTL / max TTL cannot break `ttl ≤ max_ttl`.
#[test]
fn update_validates_the_merged_ttl_rule_naming_both_fields() {
    let fx = fixture();
    let id = fx.ma().create_identity("x").unwrap().id;
    fx.ma()
        .attach_universal_auth(
            &id,
            UniversalAuthSettings {
                access_token_ttl: Some(60),
                access_token_max_ttl: Some(120),
                ..Default::default()
            },
        )
        .unwrap();
    let before = fx.snapshot();
    let both = UniversalAuthSettings {
        access_token_ttl: Some(100),
        access_token_max_ttl: Some(50),
        ..Default::default()
    };
    let only_max = UniversalAuthSettings {
        access_token_max_ttl: Some(50),
        ..Default::default()
    };
    let only_ttl = UniversalAuthSettings {
        access_token_ttl: Some(121),
        ..Default::default()
    };
    for s in [both, only_max, only_ttl] {
        let e = fx.ma().update_universal_auth(&id, s).unwrap_err();
        assert_invalid(&e, &["access_token_ttl", "access_token_max_ttl"], "at most");
    }
    assert_eq!(fx.snapshot(), before);
    let e = fx
        .ma()
        .create_identity("y")
        .and_then(|i| {
            fx.ma().attach_universal_auth(
                &i.id,
                UniversalAuthSettings {
                    access_token_ttl: Some(3_000_000),
                    ..Default::default()
                },
            )
        })
        .unwrap_err();
    assert_invalid(&e, &["access_token_ttl", "access_token_max_ttl"], "2592000");
    // Equal is fine; max 0 means no maximum.
    let ua = fx
        .ma()
        .update_universal_auth(
            &id,
            UniversalAuthSettings {
                access_token_ttl: Some(120),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(ua.access_token_ttl, 120);
    let ua = fx
        .ma()
        .update_universal_auth(
            &id,
            UniversalAuthSettings {
                access_token_max_ttl: Some(0),
                access_token_ttl: Some(1000),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!((ua.access_token_ttl, ua.access_token_max_ttl), (1000, 0));
    // Fields not sent are unchanged.
    assert_eq!(ua.lockout, Lockout::default());
}

#[test]
fn tk6_malformed_or_empty_ip_lists_are_rejected_at_update_time() {
    let fx = fixture();
    let id = fx.ma().create_identity("x").unwrap().id;
    fx.ma()
        .attach_universal_auth(&id, UniversalAuthSettings::default())
        .unwrap();
    let before = fx.snapshot();
    for (field, list) in [
        (
            "client_secret_trusted_ips",
            ips(&["10.0.0.0/8", "10.0.0.0/33"]),
        ),
        ("client_secret_trusted_ips", ips(&[])),
        ("access_token_trusted_ips", ips(&["banana"])),
        ("access_token_trusted_ips", ips(&["10.1.2.3/8"])),
        ("access_token_trusted_ips", ips(&[])),
    ] {
        let s = if field.starts_with("client") {
            UniversalAuthSettings {
                client_secret_trusted_ips: list,
                ..Default::default()
            }
        } else {
            UniversalAuthSettings {
                access_token_trusted_ips: list,
                ..Default::default()
            }
        };
        let e = fx.ma().update_universal_auth(&id, s).unwrap_err();
        assert_invalid(&e, &[field], "");
    }
    assert_eq!(fx.snapshot(), before);
    let ua = fx
        .ma()
        .update_universal_auth(
            &id,
            UniversalAuthSettings {
                client_secret_trusted_ips: ips(&["::ffff:10.0.0.0/104", "2001:DB8::/32"]),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        ua.client_secret_trusted_ips.to_strings(),
        ["10.0.0.0/8", "2001:db8::/32"]
    );
}

// ---- client secrets ----------------------------------------------------------

#[test]
fn client_secrets_are_shown_once_and_listed_by_prefix() {
    let fx = fixture();
    let c = fx.default_client();
    let s2 = fx
        .ma()
        .create_client_secret(
            &c.identity,
            CreateClientSecret {
                description: "deploy".into(),
                ttl_secs: 3600,
                num_uses_limit: 10,
            },
        )
        .unwrap();
    assert!(s2.secret.reveal().starts_with("cccs_"));
    assert_eq!(s2.info.prefix, s2.secret.reveal()[..9]);
    assert_eq!(s2.info.expires_at, Some(UnixTime(T0 + 3600)));
    let list = fx.ma().list_client_secrets(&c.identity).unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|s| s.state == ClientSecretState::Active));
    assert!(list.iter().any(|s| s.prefix == c.secret[..9]));
    assert!(list.contains(&s2.info));
    let text = format!("{list:?}");
    assert!(!text.contains(&c.secret) && !text.contains(s2.secret.reveal()));
    // Both log in.
    fx.login(&c, "1.2.3.4").unwrap();
    fx.ma()
        .login(&c.client_id, s2.secret.reveal(), ip("1.2.3.4"))
        .unwrap();
}

#[test]
fn client_secret_limits() {
    let fx = fixture();
    let c = fx.default_client();
    let ok = "é".repeat(512);
    fx.ma()
        .create_client_secret(
            &c.identity,
            CreateClientSecret {
                description: ok,
                ttl_secs: 315_360_000,
                num_uses_limit: u32::MAX,
            },
        )
        .unwrap();
    let e = fx
        .ma()
        .create_client_secret(
            &c.identity,
            CreateClientSecret {
                description: format!("{}x", "é".repeat(512)),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_invalid(&e, &["description"], "at most 1024 bytes, got 1025");
    let e = fx
        .ma()
        .create_client_secret(
            &c.identity,
            CreateClientSecret {
                ttl_secs: 315_360_001,
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_invalid(&e, &["ttl_secs"], "0..=315360000");
    let bare = fx.ma().create_identity("bare").unwrap().id;
    assert_eq!(
        fx.ma()
            .create_client_secret(&bare, CreateClientSecret::default())
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
}

#[test]
fn expired_exhausted_and_revoked_secrets_are_reported_as_such() {
    let fx = fixture();
    let c = fx.client(
        UniversalAuthSettings::default(),
        CreateClientSecret {
            ttl_secs: 100,
            num_uses_limit: 2,
            ..Default::default()
        },
    );
    fx.login(&c, "1.2.3.4").unwrap();
    fx.login(&c, "1.2.3.4").unwrap();
    assert_state(&fx.login(&c, "1.2.3.4").unwrap_err(), "EXHAUSTED");
    let info = &fx.ma().list_client_secrets(&c.identity).unwrap()[0];
    assert_eq!(info.state, ClientSecretState::Exhausted);
    assert_eq!(info.num_uses, 2);

    let s = fx
        .ma()
        .create_client_secret(
            &c.identity,
            CreateClientSecret {
                ttl_secs: 100,
                ..Default::default()
            },
        )
        .unwrap();
    fx.clock.advance(99);
    fx.ma()
        .login(&c.client_id, s.secret.reveal(), ip("1.2.3.4"))
        .unwrap();
    fx.clock.advance(1);
    assert_state(
        &fx.ma()
            .login(&c.client_id, s.secret.reveal(), ip("1.2.3.4"))
            .unwrap_err(),
        "EXPIRED",
    );
    let states: Vec<_> = fx
        .ma()
        .list_client_secrets(&c.identity)
        .unwrap()
        .into_iter()
        .map(|s| s.state)
        .collect();
    assert!(states.contains(&ClientSecretState::Expired));

    let r = fx
        .ma()
        .create_client_secret(&c.identity, CreateClientSecret::default())
        .unwrap();
    let info = fx
        .ma()
        .revoke_client_secret(&c.identity, &r.info.id)
        .unwrap();
    assert_eq!(info.state, ClientSecretState::Revoked);
    assert_state(
        &fx.ma()
            .login(&c.client_id, r.secret.reveal(), ip("1.2.3.4"))
            .unwrap_err(),
        "REVOKED",
    );
    assert_state(
        &fx.ma()
            .revoke_client_secret(&c.identity, &r.info.id)
            .unwrap_err(),
        "REVOKED",
    );
    assert_eq!(
        fx.ma()
            .revoke_client_secret(&c.identity, "00000000-0000-4000-8000-000000000000")
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    // None of these counted toward lockout (the secret matched).
    assert!(
        fx.store
            .scan(Table::UaLockout, b"", None, 10)
            .unwrap()
            .is_empty()
    );
}

// ---- login -------------------------------------------------------------------

#[test]
fn login_issues_a_token_with_the_configured_lifetimes() {
    let fx = fixture();
    let c = fx.client(
        UniversalAuthSettings {
            access_token_ttl: Some(600),
            access_token_max_ttl: Some(3600),
            access_token_num_uses_limit: Some(7),
            ..Default::default()
        },
        CreateClientSecret::default(),
    );
    let g = fx.login(&c, "203.0.113.5").unwrap();
    assert!(g.access_token.reveal().starts_with("ccat_"));
    assert_eq!(g.expires_in, 600);
    assert_eq!(g.access_token_max_ttl, 3600);
    assert_eq!(g.token_type, "Bearer");
    assert_eq!(g.info.identity_id, c.identity);
    assert_eq!(g.info.expires_at, Some(UnixTime(T0 + 600)));
    assert_eq!(g.info.max_expires_at, Some(UnixTime(T0 + 3600)));
    assert_eq!(g.info.num_uses_limit, 7);
    let s = &fx.ma().list_client_secrets(&c.identity).unwrap()[0];
    assert_eq!(s.num_uses, 1);
    assert_eq!(s.last_used_at, Some(UnixTime(T0)));
    let info = fx
        .ma()
        .authenticate(g.access_token.reveal(), ip("203.0.113.5"))
        .unwrap();
    assert_eq!(info.num_uses, 1);
    let trail = fx
        .engine
        .audit("t1")
        .unwrap()
        .events(&format!("ua-secret:{}", s.id))
        .unwrap();
    assert!(trail.chain_valid);
    assert_eq!(trail.events.len(), 1);
}

#[test]
fn wrong_unknown_or_malformed_credentials_fail_without_detail() {
    let fx = fixture();
    let c = fx.default_client();
    let other = fx
        .ma()
        .create_client_secret(&fx.default_client().identity, CreateClientSecret::default())
        .unwrap();
    for (client_id, secret) in [
        (c.client_id.as_str(), other.secret.reveal()),
        ("00000000-0000-4000-8000-000000000000", c.secret.as_str()),
        ("not-a-uuid", c.secret.as_str()),
        (c.client_id.as_str(), "cccs_short"),
        (c.client_id.as_str(), ""),
    ] {
        let e = fx.ma().login(client_id, secret, ip("1.2.3.4")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::VerificationFailed);
        assert_eq!(e.to_string(), "verification failed");
    }
    // Another tenant never sees this client.
    let e = fx
        .engine
        .machine_auth("t2")
        .unwrap()
        .login(&c.client_id, &c.secret, ip("1.2.3.4"))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::VerificationFailed);
}

/// Login from a disallowed address fails before the secret is checked —
/// even a wrong secret gets the IP error — writes nothing, and does not
/// count toward lockout (decision documented in the module docs).
#[test]
fn tk6_login_from_a_disallowed_ip_fails_first_and_does_not_count_toward_lockout() {
    let fx = fixture();
    let c = fx.client(
        UniversalAuthSettings {
            client_secret_trusted_ips: ips(&["10.0.0.0/8", "2001:db8::/32"]),
            lockout_threshold: Some(1),
            ..Default::default()
        },
        CreateClientSecret::default(),
    );
    let wrong = Client {
        secret: crate::token::generate(&SeededRng::new(99), CLIENT_SECRET_PREFIX)
            .unwrap()
            .reveal()
            .to_owned(),
        identity: c.identity.clone(),
        client_id: c.client_id.clone(),
    };
    let before = fx.snapshot();
    for _ in 0..10 {
        for from in ["11.0.0.1", "::ffff:11.0.0.1", "2001:db9::1"] {
            let e = fx.login(&wrong, from).unwrap_err();
            assert_eq!(e.code(), ErrorCode::PolicyViolation, "{e}");
            assert!(e.to_string().contains("client_secret_trusted_ips"), "{e}");
            assert_eq!(
                fx.login(&c, from).unwrap_err().code(),
                ErrorCode::PolicyViolation
            );
        }
    }
    assert_eq!(fx.snapshot(), before, "refusals write nothing");
    // Not locked: the right secret from an allowed address works, IPv4-mapped
    // included.
    fx.login(&c, "10.1.2.3").unwrap();
    fx.login(&c, "::ffff:10.1.2.3").unwrap();
    fx.login(&c, "2001:db8::7").unwrap();
    // While a wrong secret from an allowed address does count (threshold 1).
    assert_eq!(
        fx.login(&wrong, "10.1.2.3").unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
    assert_eq!(
        fx.login(&c, "10.1.2.3").unwrap_err().code(),
        ErrorCode::LoginLocked
    );
}

#[test]
fn lockout_threshold_duration_and_release() {
    let fx = fixture();
    let c = fx.default_client();
    let wrong = Client {
        secret: fx
            .ma()
            .create_client_secret(&fx.default_client().identity, CreateClientSecret::default())
            .unwrap()
            .secret
            .reveal()
            .to_owned(),
        identity: c.identity.clone(),
        client_id: c.client_id.clone(),
    };
    for _ in 0..2 {
        assert_eq!(
            fx.login(&wrong, "1.2.3.4").unwrap_err().code(),
            ErrorCode::VerificationFailed
        );
    }
    fx.clock.advance(1);
    assert_eq!(
        fx.login(&wrong, "1.2.3.4").unwrap_err().code(),
        ErrorCode::VerificationFailed,
        "the third failure itself is reported as a failure"
    );
    // Locked for 300 s: even the right secret fails, with a clear error.
    let e = fx.login(&c, "1.2.3.4").unwrap_err();
    assert_eq!(e.code(), ErrorCode::LoginLocked);
    assert_eq!(e.kind(), crate::ErrorKind::State);
    assert!(e.to_string().contains("300"), "{e}");
    // Attempts while locked neither count nor extend the lock.
    let before = fx.snapshot();
    fx.clock.advance(299);
    let e = fx.login(&wrong, "1.2.3.4").unwrap_err();
    assert!(
        matches!(
            e,
            Error::LockedOut {
                retry_after_secs: 1
            }
        ),
        "{e}"
    );
    assert_eq!(fx.snapshot(), before);
    fx.clock.advance(1);
    fx.login(&c, "1.2.3.4").unwrap();
    let trail = fx
        .engine
        .audit("t1")
        .unwrap()
        .events(&format!("identity:{}", c.identity))
        .unwrap();
    assert!(trail.chain_valid);
    assert!(trail.events.iter().any(|e| e.action == "ua.login.lockout"));
}

#[test]
fn lockout_counter_resets_after_the_window_and_on_success() {
    let fx = fixture();
    let c = fx.default_client();
    let wrong = Client {
        secret: crate::token::generate(&SeededRng::new(5), CLIENT_SECRET_PREFIX)
            .unwrap()
            .reveal()
            .to_owned(),
        identity: c.identity.clone(),
        client_id: c.client_id.clone(),
    };
    let fail = || {
        assert_eq!(
            fx.login(&wrong, "1.2.3.4").unwrap_err().code(),
            ErrorCode::VerificationFailed
        );
    };
    // Two failures, then 30 s of quiet: the counter starts again.
    fail();
    fail();
    fx.clock.advance(30);
    fail();
    fail();
    fx.login(&c, "1.2.3.4").unwrap();
    // Success cleared it: two more failures do not lock.
    fail();
    fail();
    fx.login(&c, "1.2.3.4").unwrap();
    // 29 s apart they add up.
    fail();
    fx.clock.advance(29);
    fail();
    fx.clock.advance(29);
    fail();
    assert_eq!(
        fx.login(&c, "1.2.3.4").unwrap_err().code(),
        ErrorCode::LoginLocked
    );
}

#[test]
fn lockout_can_be_disabled() {
    let fx = fixture();
    let c = fx.client(
        UniversalAuthSettings {
            lockout_enabled: Some(false),
            ..Default::default()
        },
        CreateClientSecret::default(),
    );
    let wrong = Client {
        secret: crate::token::generate(&SeededRng::new(5), CLIENT_SECRET_PREFIX)
            .unwrap()
            .reveal()
            .to_owned(),
        identity: c.identity.clone(),
        client_id: c.client_id.clone(),
    };
    for _ in 0..50 {
        assert!(fx.login(&wrong, "1.2.3.4").is_err());
    }
    fx.login(&c, "1.2.3.4").unwrap();
    assert!(
        fx.store
            .scan(Table::UaLockout, b"", None, 10)
            .unwrap()
            .is_empty()
    );
}

/// The use count is incremented in the same commit that issues the access
/// token: when that commit fails, neither happens.
#[test]
fn use_count_and_token_are_one_commit() {
    #[derive(Debug, Default)]
    struct FailTokens {
        inner: MemoryStore,
        fail: std::sync::atomic::AtomicBool,
    }
    impl Store for FailTokens {
        fn get(&self, t: Table, k: &[u8]) -> Result<Option<Record>, StoreError> {
            self.inner.get(t, k)
        }
        fn scan(
            &self,
            t: Table,
            p: &[u8],
            a: Option<&[u8]>,
            l: u32,
        ) -> Result<Vec<(Vec<u8>, Record)>, StoreError> {
            self.inner.scan(t, p, a, l)
        }
        fn commit(&self, ops: &[Op]) -> Result<(), StoreError> {
            if self.fail.load(std::sync::atomic::Ordering::SeqCst)
                && ops.iter().any(|o| o.target().0 == Table::UaAccessToken)
            {
                return Err(StoreError::Unavailable { retryable: true });
            }
            self.inner.commit(ops)
        }
    }
    let store = Arc::new(FailTokens::default());
    let fx = fixture_on(store.clone(), Policy::default());
    let c = fx.default_client();
    store.fail.store(true, std::sync::atomic::Ordering::SeqCst);
    let before = fx.snapshot();
    let e = fx.login(&c, "1.2.3.4").unwrap_err();
    assert_eq!(e.code(), ErrorCode::StoreUnavailable);
    assert_eq!(fx.snapshot(), before);
    assert_eq!(
        fx.ma().list_client_secrets(&c.identity).unwrap()[0].num_uses,
        0
    );
}

// ---- access tokens -------------------------------------------------------------

/// TK-3: TTL 10 s, max TTL 60 s, on a fake clock.
#[test]
fn tk3_renew_extends_by_ttl_but_never_past_max_ttl() {
    let fx = fixture();
    let c = fx.client(
        UniversalAuthSettings {
            access_token_ttl: Some(10),
            access_token_max_ttl: Some(60),
            ..Default::default()
        },
        CreateClientSecret::default(),
    );
    let g = fx.login(&c, "1.2.3.4").unwrap();
    let t = g.access_token.reveal();
    let auth = || fx.ma().authenticate(t, ip("1.2.3.4"));
    assert_eq!(g.info.expires_at, Some(UnixTime(T0 + 10)));
    fx.clock.set(T0 + 9);
    let r = fx.ma().renew(t).unwrap();
    assert_eq!(
        r.expires_at,
        Some(UnixTime(T0 + 19)),
        "renew at 9 s extends to 19 s"
    );
    fx.clock.set(T0 + 18);
    auth().unwrap();
    for at in [18, 27, 36, 45, 54] {
        fx.clock.set(T0 + at);
        let r = fx.ma().renew(t).unwrap();
        assert!(r.expires_at.unwrap().0 <= T0 + 60);
    }
    assert_eq!(
        fx.ma().renew(t).unwrap().expires_at,
        Some(UnixTime(T0 + 60)),
        "capped at creation + max TTL"
    );
    fx.clock.set(T0 + 59);
    let r = fx.ma().renew(t).unwrap();
    assert_eq!(r.expires_at, Some(UnixTime(T0 + 60)));
    auth().unwrap();
    fx.clock.set(T0 + 61);
    assert_state(&auth().unwrap_err(), "EXPIRED");
    assert_state(&fx.ma().renew(t).unwrap_err(), "EXPIRED");
    // Without renewal, the TTL alone expires it.
    let g = fx.login(&c, "1.2.3.4").unwrap();
    fx.clock.advance(10);
    assert_state(
        &fx.ma()
            .authenticate(g.access_token.reveal(), ip("1.2.3.4"))
            .unwrap_err(),
        "EXPIRED",
    );
}

#[test]
fn periodic_tokens_renew_by_period_without_a_maximum() {
    let fx = fixture();
    let c = fx.client(
        UniversalAuthSettings {
            access_token_ttl: Some(10),
            access_token_max_ttl: Some(60),
            access_token_period: Some(20),
            ..Default::default()
        },
        CreateClientSecret::default(),
    );
    let g = fx.login(&c, "1.2.3.4").unwrap();
    assert_eq!(g.expires_in, 20);
    assert_eq!(g.access_token_max_ttl, 0);
    assert_eq!(g.info.max_expires_at, None);
    let t = g.access_token.reveal();
    for _ in 0..20 {
        fx.clock.advance(19);
        let r = fx.ma().renew(t).unwrap();
        assert_eq!(r.expires_at, Some(UnixTime(fx.clock.now().0 + 20)));
        fx.ma().authenticate(t, ip("1.2.3.4")).unwrap();
    }
    assert!(fx.clock.now().0 > T0 + 60, "well past the max TTL");
    fx.clock.advance(20);
    assert_state(&fx.ma().renew(t).unwrap_err(), "EXPIRED");
}

#[test]
fn ttl_zero_means_no_ttl_expiry_and_renew_changes_nothing() {
    let fx = fixture();
    let c = fx.client(
        UniversalAuthSettings {
            access_token_ttl: Some(0),
            access_token_max_ttl: Some(0),
            ..Default::default()
        },
        CreateClientSecret::default(),
    );
    let g = fx.login(&c, "1.2.3.4").unwrap();
    assert_eq!(g.expires_in, 0);
    assert_eq!(g.info.expires_at, None);
    fx.clock.advance(100 * 86_400 * 365);
    let before = fx.snapshot();
    assert_eq!(
        fx.ma().renew(g.access_token.reveal()).unwrap().expires_at,
        None
    );
    assert_eq!(fx.snapshot(), before);
    fx.ma()
        .authenticate(g.access_token.reveal(), ip("1.2.3.4"))
        .unwrap();
}

/// TK-4: revocation is immediate, also through another engine sharing the
/// store.
#[test]
fn tk4_revoke_is_immediate_for_every_engine_sharing_the_store() {
    let fx = fixture();
    let c = fx.default_client();
    let g = fx.login(&c, "1.2.3.4").unwrap();
    let t = g.access_token.reveal();
    let other = fixture_on(fx.store.clone(), Policy::default());
    other
        .engine
        .machine_auth("t1")
        .unwrap()
        .authenticate(t, ip("1.2.3.4"))
        .unwrap();
    fx.ma().revoke(t).unwrap();
    for ma in [fx.ma(), other.engine.machine_auth("t1").unwrap()] {
        assert_state(&ma.authenticate(t, ip("1.2.3.4")).unwrap_err(), "REVOKED");
        assert_state(&ma.renew(t).unwrap_err(), "REVOKED");
    }
    let before = fx.snapshot();
    fx.ma().revoke(t).unwrap();
    assert_eq!(fx.snapshot(), before, "revoking twice changes nothing");
    assert_eq!(
        fx.ma().revoke("ccat_nope").unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
}

/// TK-5: `num_uses = 3` succeeds three times; 50 concurrent uses of a fresh
/// token give exactly 3 successes; 0 is explicitly unlimited.
#[test]
fn tk5_use_limit_is_exact_also_under_concurrency() {
    let fx = fixture();
    let c = fx.client(
        UniversalAuthSettings {
            access_token_num_uses_limit: Some(3),
            ..Default::default()
        },
        CreateClientSecret::default(),
    );
    let g = fx.login(&c, "1.2.3.4").unwrap();
    for n in 1..=3 {
        let info = fx
            .ma()
            .authenticate(g.access_token.reveal(), ip("1.2.3.4"))
            .unwrap();
        assert_eq!(info.num_uses, n);
    }
    let before = fx.snapshot();
    assert_state(
        &fx.ma()
            .authenticate(g.access_token.reveal(), ip("1.2.3.4"))
            .unwrap_err(),
        "EXHAUSTED",
    );
    assert_state(
        &fx.ma().renew(g.access_token.reveal()).unwrap_err(),
        "EXHAUSTED",
    );
    assert_eq!(fx.snapshot(), before);

    let g = fx.login(&c, "1.2.3.4").unwrap();
    let token = g.access_token.reveal().to_owned();
    let (ok, exhausted, other) = race(50, {
        let ma = fx.ma();
        move || ma.authenticate(&token, ip("1.2.3.4")).map(|_| ())
    });
    assert_eq!((ok, exhausted, other), (3, 47, 0));

    let c = fx.client(
        UniversalAuthSettings {
            access_token_num_uses_limit: Some(0),
            ..Default::default()
        },
        CreateClientSecret::default(),
    );
    let g = fx.login(&c, "1.2.3.4").unwrap();
    let before = fx.snapshot();
    for _ in 0..100 {
        fx.ma()
            .authenticate(g.access_token.reveal(), ip("1.2.3.4"))
            .unwrap();
    }
    assert_eq!(
        fx.snapshot(),
        before,
        "unlimited tokens are checked without a write"
    );
}

/// Runs `f` on `n` threads released together; counts successes,
/// "exhausted" state errors and anything else.
fn race<F>(n: usize, f: F) -> (usize, usize, usize)
where
    F: Fn() -> Result<(), Error> + Clone + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let f = f.clone();
            let b = barrier.clone();
            std::thread::spawn(move || {
                b.wait();
                f()
            })
        })
        .collect();
    let mut counts = (0, 0, 0);
    for h in handles {
        match h.join().unwrap() {
            Ok(()) => counts.0 += 1,
            Err(e)
                if e.code() == ErrorCode::InvalidState && e.to_string().contains("EXHAUSTED") =>
            {
                counts.1 += 1;
            }
            Err(e) => {
                eprintln!("unexpected: {e}");
                counts.2 += 1;
            }
        }
    }
    counts
}

#[test]
fn racing_logins_with_a_limited_secret_grant_exactly_the_limit() {
    let fx = fixture();
    let c = fx.client(
        UniversalAuthSettings::default(),
        CreateClientSecret {
            num_uses_limit: 5,
            ..Default::default()
        },
    );
    let (ok, exhausted, other) = race(16, {
        let ma = fx.ma();
        let (id, secret) = (c.client_id.clone(), c.secret.clone());
        move || ma.login(&id, &secret, ip("1.2.3.4")).map(|_| ())
    });
    assert_eq!((ok, exhausted, other), (5, 11, 0));
    assert_eq!(
        fx.ma().list_client_secrets(&c.identity).unwrap()[0].num_uses,
        5
    );
    assert_eq!(
        fx.store
            .scan(Table::UaAccessToken, b"", None, 100)
            .unwrap()
            .len(),
        5
    );
}

#[test]
fn racing_wrong_secrets_lock_at_exactly_the_threshold() {
    let fx = fixture();
    let c = fx.default_client();
    let wrong = crate::token::generate(&SeededRng::new(5), CLIENT_SECRET_PREFIX)
        .unwrap()
        .reveal()
        .to_owned();
    let ma = fx.ma();
    let id = c.client_id.clone();
    let barrier = Arc::new(Barrier::new(16));
    let handles: Vec<_> = (0..16)
        .map(|_| {
            let (ma, id, wrong, b) = (ma.clone(), id.clone(), wrong.clone(), barrier.clone());
            std::thread::spawn(move || {
                b.wait();
                ma.login(&id, &wrong, ip("1.2.3.4")).unwrap_err().code()
            })
        })
        .collect();
    let codes: Vec<ErrorCode> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let failed = codes
        .iter()
        .filter(|c| **c == ErrorCode::VerificationFailed)
        .count();
    let locked = codes
        .iter()
        .filter(|c| **c == ErrorCode::LoginLocked)
        .count();
    assert_eq!((failed, locked), (3, 13), "{codes:?}");
    assert_eq!(
        fx.login(&c, "1.2.3.4").unwrap_err().code(),
        ErrorCode::LoginLocked
    );
}

/// TK-6 on access tokens: the identity's current list applies, so
/// narrowing it takes effect for tokens already issued.
#[test]
fn tk6_access_token_trusted_ips_apply_at_each_use() {
    let fx = fixture();
    let c = fx.client(
        UniversalAuthSettings {
            access_token_trusted_ips: ips(&["10.0.0.0/8", "2001:db8::/32"]),
            access_token_num_uses_limit: Some(10),
            ..Default::default()
        },
        CreateClientSecret::default(),
    );
    let g = fx.login(&c, "198.51.100.1").unwrap();
    let t = g.access_token.reveal();
    for (from, ok) in [
        ("10.1.2.3", true),
        ("::ffff:10.1.2.3", true),
        ("2001:db8::1", true),
        ("11.0.0.1", false),
        ("2001:db9::1", false),
        ("::ffff:11.0.0.1", false),
    ] {
        let r = fx.ma().authenticate(t, ip(from));
        assert_eq!(r.is_ok(), ok, "{from}");
        if let Err(e) = r {
            assert_eq!(e.code(), ErrorCode::PolicyViolation);
            assert!(e.to_string().contains("access_token_trusted_ips"));
        }
    }
    assert_eq!(
        fx.ma().authenticate(t, ip("10.0.0.1")).unwrap().num_uses,
        4,
        "refused uses are not counted"
    );
    fx.ma()
        .update_universal_auth(
            &c.identity,
            UniversalAuthSettings {
                access_token_trusted_ips: ips(&["10.9.0.0/16"]),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        fx.ma().authenticate(t, ip("10.1.2.3")).unwrap_err().code(),
        ErrorCode::PolicyViolation
    );
    fx.ma().authenticate(t, ip("10.9.1.1")).unwrap();
}

#[test]
fn malformed_and_unknown_access_tokens_fail_without_detail() {
    let fx = fixture();
    let c = fx.default_client();
    let g = fx.login(&c, "1.2.3.4").unwrap();
    let t = g.access_token.reveal();
    for bad in [
        "",
        "ccat_",
        &t.to_uppercase(),
        &t[..t.len() - 1],
        &c.secret,
        crate::token::generate(&SeededRng::new(77), ACCESS_TOKEN_PREFIX)
            .unwrap()
            .reveal(),
    ] {
        for e in [
            fx.ma().authenticate(bad, ip("1.2.3.4")).unwrap_err(),
            fx.ma().renew(bad).unwrap_err(),
            fx.ma().revoke(bad).unwrap_err(),
        ] {
            assert_eq!(e.code(), ErrorCode::VerificationFailed);
            assert_eq!(e.to_string(), "verification failed");
        }
    }
    let other = fx.engine.machine_auth("t2").unwrap();
    assert_eq!(
        other.authenticate(t, ip("1.2.3.4")).unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
}

/// TK-2 for client secrets and access tokens: only digests are stored, and
/// the values never show in Debug output or errors.
#[test]
fn tk2_secrets_and_access_tokens_are_stored_as_digests_only() {
    let fx = fixture();
    let c = fx.client(
        UniversalAuthSettings {
            access_token_num_uses_limit: Some(1),
            ..Default::default()
        },
        CreateClientSecret::default(),
    );
    let g = fx.login(&c, "1.2.3.4").unwrap();
    let t = g.access_token.reveal().to_owned();
    let mut texts = vec![format!("{g:?}")];
    texts.push(format!("{:?}", fx.ma().authenticate(&t, ip("1.2.3.4"))));
    texts.push(format!("{:?}", fx.ma().authenticate(&t, ip("1.2.3.4"))));
    texts.push(format!("{:?}", fx.ma().renew(&t)));
    texts.push(format!(
        "{:?}",
        fx.ma()
            .login(&c.client_id, &format!("{}x", c.secret), ip("1.2.3.4"))
    ));
    texts.push(format!("{:?}", fx.ma().list_client_secrets(&c.identity)));
    let dump: Vec<u8> = fx
        .snapshot()
        .into_iter()
        .flat_map(|(_, k, r)| [k, r.value].concat())
        .collect();
    for v in [&c.secret, &t] {
        let body = v.split_once('_').unwrap().1;
        let raw = crate::encoding::base32_decode("t", body).unwrap();
        for needle in [v.as_bytes(), &body.as_bytes()[4..], &raw[..32]] {
            assert!(!dump.windows(needle.len()).any(|w| w == needle));
        }
        for text in &texts {
            assert!(!text.contains(&body[4..]), "{text}");
        }
    }
}

#[test]
fn audit_chains_verify_for_every_subject() {
    let fx = fixture();
    let c = fx.client(
        UniversalAuthSettings {
            access_token_num_uses_limit: Some(5),
            ..Default::default()
        },
        CreateClientSecret::default(),
    );
    let g = fx.login(&c, "1.2.3.4").unwrap();
    fx.ma()
        .authenticate(g.access_token.reveal(), ip("1.2.3.4"))
        .unwrap();
    fx.ma().renew(g.access_token.reveal()).unwrap();
    fx.ma().revoke(g.access_token.reveal()).unwrap();
    let audit = fx.engine.audit("t1").unwrap();
    let tok = audit.events(&format!("ua-token:{}", g.info.id)).unwrap();
    assert!(tok.chain_valid);
    let actions: Vec<_> = tok.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["ua.token.use", "ua.token.renew", "ua.token.revoke"]
    );
    let id = audit.events(&format!("identity:{}", c.identity)).unwrap();
    assert!(id.chain_valid);
    let actions: Vec<_> = id.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["identity.create", "ua.attach", "ua.client_secret.create"]
    );
}

mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn arbitrary_input_never_panics(s in "\\PC{0,100}", t in "\\PC{0,100}") {
            let fx = fixture();
            let ma = fx.ma();
            prop_assert!(ma.login(&s, &t, ip("1.2.3.4")).is_err());
            prop_assert!(ma.authenticate(&s, ip("::1")).is_err());
            prop_assert!(ma.renew(&t).is_err());
            prop_assert!(ma.revoke(&s).is_err());
            let _ = ma.identity(&s);
            let _ = ma.create_identity(&s);
            let _ = ma.revoke_client_secret(&s, &t);
        }
    }
}
