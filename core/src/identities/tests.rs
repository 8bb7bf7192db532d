//! Tests of the identities domain: every limit, PW-1..PW-10, TK-1..TK-4 for
//! API sessions, PUT/PATCH rules, ownership, lockout, cascade deletes,
//! tenancy, and atomicity of failed operations. The fixture is shared with
//! the MFA tests.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;

use super::*;
use crate::error::{Error, ErrorCode};
use crate::kms::LocalKeyManager;
use crate::policy::Policy;
use crate::services::Clock;
use crate::store::{MemoryStore, Record, Store, Table};
use crate::testing::{FakeClock, SeededRng};
use crate::{Engine, SecretBytes, UnixTime};

/// The start of a 30-second step.
pub(crate) const T0: i64 = 1_700_000_010;
const ROOT: [u8; 32] = [9; 32];

pub(crate) struct Fx {
    pub(crate) engine: Engine,
    pub(crate) clock: Arc<FakeClock>,
    pub(crate) store: Arc<dyn Store>,
}

/// The default policy with cheap argon2 parameters (tests that are about
/// the parameters use the defaults).
pub(crate) fn policy() -> Policy {
    Policy {
        password_hash: PasswordHashParams::insecure_for_tests(64, 1, 1),
        ..Policy::default()
    }
}

pub(crate) fn fixture_with(policy: Policy, store: Arc<dyn Store>) -> Fx {
    let clock = Arc::new(FakeClock::new(T0));
    let rng = Arc::new(SeededRng::new(42));
    let keys = Arc::new(
        LocalKeyManager::new(store.clone(), rng.clone(), SecretBytes::new(ROOT.to_vec())).unwrap(),
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

pub(crate) fn fixture() -> Fx {
    fixture_with(policy(), Arc::new(MemoryStore::new()))
}

/// A second engine over the same store (another "process"), its own clock
/// at the same time and its own random stream.
pub(crate) fn fixture_sharing(fx: &Fx) -> Fx {
    let clock = Arc::new(FakeClock::new(fx.clock.now().0));
    let rng = Arc::new(SeededRng::new(4242));
    let keys = Arc::new(
        LocalKeyManager::new(
            fx.store.clone(),
            rng.clone(),
            SecretBytes::new(ROOT.to_vec()),
        )
        .unwrap(),
    );
    let engine = Engine::builder()
        .store(fx.store.clone())
        .key_manager(keys)
        .clock(clock.clone())
        .rng(rng)
        .policy(fx.engine.policy().clone())
        .build()
        .unwrap();
    Fx {
        engine,
        clock,
        store: fx.store.clone(),
    }
}

/// Every record in every table.
pub(crate) fn snapshot(store: &dyn Store) -> Vec<(Table, Vec<u8>, Record)> {
    let mut out = Vec::new();
    for t in Table::ALL {
        for (k, r) in store.scan(*t, b"", None, u32::MAX).unwrap() {
            out.push((*t, k, r));
        }
    }
    out
}

/// An identity `name` with username `<name>-user` and password
/// `correct horse`; returns (id, username, password).
pub(crate) fn new_user(fx: &Fx, name: &str) -> (String, String, String) {
    let ids = fx.engine.identities("t1").unwrap();
    let i = ids.create(CreateIdentity::new(name)).unwrap();
    let username = format!("{name}-user");
    ids.set_password(&i.id, &username, "correct horse").unwrap();
    (i.id, username, "correct horse".to_owned())
}

fn ids(fx: &Fx) -> Identities {
    fx.engine.identities("t1").unwrap()
}

fn login(fx: &Fx, u: &str, p: &str) -> Result<NewApiSession, Error> {
    ids(fx).authenticate(AuthRequest::password(u, p))
}

fn auth_record(fx: &Fx, id: &str) -> record::AuthenticatorRecord {
    crate::codec::decode(
        &fx.store
            .get(
                Table::Authenticator,
                format!("t1/authenticator/{id}").as_bytes(),
            )
            .unwrap()
            .unwrap()
            .value,
        "a",
    )
    .unwrap()
}

fn stored_hash(fx: &Fx, identity: &str) -> String {
    let a = ids(fx).authenticators(Subject::Identity(identity)).unwrap();
    auth_record(fx, &a[0].id).password_hash.unwrap()
}

fn assert_invalid(e: Error, field: &str, limit: &str) {
    assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
    let m = e.to_string();
    assert!(
        m.contains(field) && m.contains(limit),
        "{m} should name {field} and {limit}"
    );
}

fn put(u: &str, p: &str, cur: &str) -> UpdateAuthenticator {
    UpdateAuthenticator {
        username: u.into(),
        password: zeroize::Zeroizing::new(p.into()),
        current_password: zeroize::Zeroizing::new(cur.into()),
        tags: None,
    }
}

// ---- identities ------------------------------------------------------------------------

#[test]
fn identity_create_get_list_delete() {
    let fx = fixture();
    let s = ids(&fx);
    let mut tags = Tags::new();
    tags.insert("team".into(), TagValue::String("blue".into()));
    let a = s
        .create(CreateIdentity {
            name: "alice".into(),
            tags: tags.clone(),
        })
        .unwrap();
    assert_eq!(a.id.len(), 36);
    assert_eq!(a.create_time, UnixTime(T0));
    assert_eq!(s.get(&a.id).unwrap(), a);
    assert_eq!(s.find_by_name("alice").unwrap().tags, tags);
    let b = s.create(CreateIdentity::new("Bob Smith")).unwrap();
    let names: Vec<_> = s.list().unwrap().into_iter().map(|i| i.name).collect();
    assert_eq!(names, ["Bob Smith", "alice"]);
    let before = snapshot(fx.store.as_ref());
    assert_eq!(
        s.create(CreateIdentity::new("alice")).unwrap_err().code(),
        ErrorCode::AlreadyExists
    );
    assert_eq!(snapshot(fx.store.as_ref()), before);
    s.delete(&b.id).unwrap();
    assert_eq!(s.get(&b.id).unwrap_err().code(), ErrorCode::NotFound);
    assert_eq!(s.delete(&b.id).unwrap_err().code(), ErrorCode::NotFound);
    // The name is free again.
    s.create(CreateIdentity::new("Bob Smith")).unwrap();
}

#[test]
fn identity_name_and_tag_limits() {
    let fx = fixture();
    let s = ids(&fx);
    s.create(CreateIdentity::new("é".repeat(128))).unwrap();
    for bad in [String::new(), "é".repeat(129), "a/b".into(), "a\nb".into()] {
        let e = s.create(CreateIdentity::new(bad.clone())).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput, "{bad:?}");
        assert!(e.to_string().contains("name"));
    }
    let e = s.create(CreateIdentity::new("é".repeat(129))).unwrap_err();
    assert_invalid(e, "name", "128");
    let mut many = Tags::new();
    for i in 0..65 {
        many.insert(format!("k{i}"), TagValue::Null);
    }
    assert_invalid(
        s.create(CreateIdentity {
            name: "x".into(),
            tags: many,
        })
        .unwrap_err(),
        "tags",
        "64",
    );
    let mut long = Tags::new();
    long.insert("k".into(), TagValue::String("v".repeat(1025)));
    assert_invalid(
        s.create(CreateIdentity {
            name: "x".into(),
            tags: long,
        })
        .unwrap_err(),
        "tags",
        "1024",
    );
    assert_eq!(s.get("../x").unwrap_err().code(), ErrorCode::InvalidInput);
}

/// Tags accept only null, string and boolean values.
#[test]
fn tags_values_are_null_string_or_bool() {
    let t = tags_from_json(r#"{"a": null, "b": "x", "c": true}"#).unwrap();
    assert_eq!(t["a"], TagValue::Null);
    assert_eq!(t["b"], TagValue::String("x".into()));
    assert_eq!(t["c"], TagValue::Bool(true));
    for bad in [
        r#"{"a": 1}"#,
        r#"{"a": [1]}"#,
        r#"{"a": {"b": 1}}"#,
        r#"{"a": 1.5}"#,
        "[]",
        "null",
        "{",
    ] {
        assert_invalid(
            tags_from_json(bad).unwrap_err(),
            "tags",
            "null, strings or booleans",
        );
    }
    // And through the record codec.
    let bytes = crate::codec::encode(&t).unwrap();
    assert_eq!(crate::codec::decode::<Tags>(&bytes, "t").unwrap(), t);
}

#[test]
fn delete_cascades_to_authenticators_sessions_mfa_and_counters() {
    let fx = fixture();
    let (id, u, p) = new_user(&fx, "alice");
    let s = login(&fx, &u, &p).unwrap();
    assert!(login(&fx, &u, "wrong horse").is_err());
    fx.engine
        .mfa("t1")
        .unwrap()
        .enroll(Subject::Identity(&id))
        .unwrap();
    ids(&fx).delete(&id).unwrap();
    assert_eq!(
        ids(&fx).current_session(s.token()).unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
    assert_eq!(
        login(&fx, &u, &p).unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
    for t in [
        Table::Identity,
        Table::Authenticator,
        Table::ApiSession,
        Table::ApiSessionIndex,
        Table::Mfa,
        Table::Lockout,
        Table::IdentityIndex,
    ] {
        assert!(
            fx.store.scan(t, b"t1/", None, 10).unwrap().is_empty(),
            "{t:?} not empty"
        );
    }
    // The username can be reused by a new identity.
    new_user(&fx, "alice");
}

#[test]
fn tenants_are_isolated() {
    let fx = fixture();
    let (id, u, p) = new_user(&fx, "alice");
    let other = fx.engine.identities("t2").unwrap();
    assert_eq!(other.get(&id).unwrap_err().code(), ErrorCode::NotFound);
    assert!(other.list().unwrap().is_empty());
    assert_eq!(
        other
            .authenticate(AuthRequest::password(&u, &p))
            .unwrap_err()
            .code(),
        ErrorCode::VerificationFailed
    );
    let s = login(&fx, &u, &p).unwrap();
    assert_eq!(
        other.current_session(s.token()).unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
}

// ---- passwords: PW-1 .. PW-10 -------------------------------------------------------------

/// PW-1: the policy minimum (default 8; 15 when set so): `min-1` refused,
/// `min` and 64 accepted; the seed's 100 is the maximum.
#[test]
fn pw1_minimum_length_from_policy() {
    for min in [8u32, 15] {
        let fx = fixture_with(
            Policy {
                password_min_len: min,
                ..policy()
            },
            Arc::new(MemoryStore::new()),
        );
        let s = ids(&fx);
        let i = s.create(CreateIdentity::new("alice")).unwrap();
        let m = min as usize;
        assert_invalid(
            s.set_password(&i.id, "alice", &"p".repeat(m - 1))
                .unwrap_err(),
            "password",
            &format!("at least {m}"),
        );
        s.set_password(&i.id, "alice", &"p".repeat(m)).unwrap();
        s.set_password(&i.id, "alice", &"p".repeat(64)).unwrap();
        s.set_password(&i.id, "alice", &"p".repeat(100)).unwrap();
        assert_invalid(
            s.set_password(&i.id, "alice", &"p".repeat(101))
                .unwrap_err(),
            "password",
            "at most 100",
        );
    }
    assert_eq!(Policy::default().password_min_len, 8);
    for bad in [4, 101] {
        let p = Policy {
            password_min_len: bad,
            ..Policy::default()
        };
        assert_invalid(p.validate().unwrap_err(), "password_min_len", "5..=100");
    }
}

/// PW-2: no truncation; lengths in code points.
#[test]
fn pw2_no_truncation_and_code_point_lengths() {
    let fx = fixture();
    let s = ids(&fx);
    let i = s.create(CreateIdentity::new("alice")).unwrap();
    // 7 code points, 14 bytes: too short for 8.
    assert_invalid(
        s.set_password(&i.id, "alice", "ééééééé").unwrap_err(),
        "password",
        "got 7",
    );
    s.set_password(&i.id, "alice", "éééééééé").unwrap();
    // 100 code points (multi-byte), differing only in the last one.
    let a = format!("{}a", "ü".repeat(99));
    let b = format!("{}b", "ü".repeat(99));
    s.set_password(&i.id, "alice", &a).unwrap();
    login(&fx, "alice", &a).unwrap();
    assert_eq!(
        login(&fx, "alice", &b).unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
    // Login input is bounded too (5..=100 code points).
    assert_invalid(
        login(&fx, "alice", &"x".repeat(101)).unwrap_err(),
        "password",
        "100",
    );
    assert_invalid(login(&fx, "alice", "abcd").unwrap_err(), "password", "5");
}

/// PW-3: NFKC normalisation is a policy setting (off by default, see
/// `Policy::password_normalize_nfkc`): off, a decomposed "é" does not match
/// the precomposed one; on, it does.
#[test]
fn pw3_unicode_normalization_is_a_policy_choice() {
    let composed = "caf\u{e9}-password";
    let decomposed = "cafe\u{301}-password";
    for nfkc in [false, true] {
        let fx = fixture_with(
            Policy {
                password_normalize_nfkc: nfkc,
                ..policy()
            },
            Arc::new(MemoryStore::new()),
        );
        let s = ids(&fx);
        let i = s.create(CreateIdentity::new("alice")).unwrap();
        s.set_password(&i.id, "alice", composed).unwrap();
        login(&fx, "alice", composed).unwrap();
        assert_eq!(login(&fx, "alice", decomposed).is_ok(), nfkc);
    }
    assert!(!Policy::default().password_normalize_nfkc);
}

/// PW-4: no composition rules: an all-lowercase 15-character passphrase is
/// accepted.
#[test]
fn pw4_no_composition_rules() {
    let fx = fixture();
    let s = ids(&fx);
    let i = s.create(CreateIdentity::new("alice")).unwrap();
    s.set_password(&i.id, "alice", "correcthorsebat").unwrap();
    login(&fx, "alice", "correcthorsebat").unwrap();
}

/// PW-5: a pluggable blocklist refuses listed passwords with a policy code.
#[test]
fn pw5_blocklist_refuses_common_passwords() {
    let fx = fixture();
    let s = ids(&fx).with_blocklist(Arc::new(StaticBlocklist::new([
        "password1234567",
        "qwertyuiop",
    ])));
    let i = s.create(CreateIdentity::new("alice")).unwrap();
    let before = snapshot(fx.store.as_ref());
    let e = s
        .set_password(&i.id, "alice", "Password1234567")
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::PolicyViolation);
    assert!(e.to_string().contains("common"), "{e}");
    assert!(
        !e.to_string().contains("assword123"),
        "no secret in the message"
    );
    assert_eq!(snapshot(fx.store.as_ref()), before);
    s.set_password(&i.id, "alice", "not on the list").unwrap();
    let e = s
        .update_authenticator(
            Subject::Identity(&i.id),
            &s.authenticators(Subject::Identity(&i.id)).unwrap()[0].id,
            put("alice", "qwertyuiop", "not on the list"),
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::PolicyViolation);
}

/// PW-6: changing a password needs the current one. A wrong current
/// password fails, leaves the stored hash as it was and counts as a failed
/// attempt; the right one changes it: the old password then fails and the
/// new one works.
#[test]
fn pw6_change_requires_current_password() {
    let fx = fixture();
    let (id, u, p) = new_user(&fx, "alice");
    let s = login(&fx, &u, &p).unwrap();
    let me = Subject::Session(s.token());
    let aid = ids(&fx).authenticators(me).unwrap()[0].id.clone();
    let hash_before = stored_hash(&fx, &id);
    let e = ids(&fx)
        .update_authenticator(me, &aid, put(&u, "new password 1", "wrong horse"))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::VerificationFailed);
    assert_eq!(stored_hash(&fx, &id), hash_before, "hash unchanged");
    let lock = fx
        .store
        .get(Table::Lockout, format!("t1/{id}/password").as_bytes())
        .unwrap()
        .unwrap();
    let lock: record::LockoutRecord = crate::codec::decode(&lock.value, "l").unwrap();
    assert_eq!(lock.failures, 1);
    ids(&fx)
        .update_authenticator(me, &aid, put(&u, "new password 1", &p))
        .unwrap();
    assert!(
        fx.store
            .get(Table::Lockout, format!("t1/{id}/password").as_bytes())
            .unwrap()
            .is_none(),
        "success resets"
    );
    assert_eq!(
        login(&fx, &u, &p).unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
    login(&fx, &u, "new password 1").unwrap();
    let actions: Vec<_> = fx
        .engine
        .audit("t1")
        .unwrap()
        .events(&format!("identity:{id}"))
        .unwrap()
        .events
        .into_iter()
        .map(|e| (e.action, e.outcome))
        .collect();
    assert!(actions.contains(&("authenticator.update".into(), "failed".into())));
    assert!(actions.contains(&("authenticator.update".into(), "ok".into())));
}

/// PW-7: a unique salt of ≥ 16 bytes per hash; the same password gives
/// different hashes; the PHC string carries the policy's parameters.
#[test]
fn pw7_unique_salts_of_sixteen_bytes() {
    let fx = fixture();
    let (a, _, _) = new_user(&fx, "alice");
    let (b, _, _) = new_user(&fx, "bob");
    let (ha, hb) = (stored_hash(&fx, &a), stored_hash(&fx, &b));
    assert_ne!(ha, hb);
    let (sa, sb) = (
        password::salt_of(&ha).unwrap(),
        password::salt_of(&hb).unwrap(),
    );
    assert!(sa.len() >= 16 && sb.len() >= 16);
    assert_ne!(sa, sb);
    assert!(ha.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{ha}");
}

/// PW-8: the default parameters give `$argon2id$v=19$m=19456,t=2,p=1`;
/// weaker parameters are refused by the policy; a hash below the policy is
/// re-hashed at the next successful login. (This test uses the defaults.)
#[test]
fn pw8_default_argon2id_parameters_floor_and_rehash() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    // Written by an engine with weak (test) parameters...
    let weak = fixture_with(policy(), store.clone());
    let (id, u, p) = new_user(&weak, "alice");
    assert!(stored_hash(&weak, &id).starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
    // ...logged into by an engine with the default policy: re-hashed.
    let strong = fixture_with(Policy::default(), store);
    assert_eq!(
        strong.engine.policy().password_hash,
        PasswordHashParams::new(19_456, 2, 1)
    );
    login(&strong, &u, &p).unwrap();
    let h = stored_hash(&strong, &id);
    assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
    login(&strong, &u, &p).unwrap();
    assert_eq!(stored_hash(&strong, &id), h, "no second re-hash");
    // Floors.
    for (m, t) in [(47_103, 1), (19_455, 2), (12_287, 3)] {
        let p = Policy {
            password_hash: PasswordHashParams::new(m, t, 1),
            ..Policy::default()
        };
        assert_invalid(
            p.validate().unwrap_err(),
            "password_hash",
            "below the floor",
        );
    }
    for (m, t) in [(47_104, 1), (19_456, 2), (12_288, 3)] {
        Policy {
            password_hash: PasswordHashParams::new(m, t, 1),
            ..Policy::default()
        }
        .validate()
        .unwrap();
    }
    assert!(password::needs_rehash(
        "$2b$10$abc",
        &PasswordHashParams::default()
    ));
}

/// PW-9 / OTP-5 for passwords: 5 wrong passwords (at login or as a current
/// password, through any session or engine) lock password authentication
/// for 5 minutes; a success resets the count.
#[test]
fn pw9_password_lockout() {
    let fx = fixture();
    let (_, u, p) = new_user(&fx, "alice");
    let fx2 = fixture_sharing(&fx);
    for _ in 0..4 {
        assert_eq!(
            login(&fx, &u, "wrong horse").unwrap_err().code(),
            ErrorCode::VerificationFailed
        );
    }
    login(&fx2, &u, &p).unwrap();
    for i in 0..5 {
        let f = if i % 2 == 0 { &fx } else { &fx2 };
        assert_eq!(
            login(f, &u, "wrong horse").unwrap_err().code(),
            ErrorCode::VerificationFailed
        );
    }
    let e = login(&fx2, &u, &p).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Locked);
    assert!(e.to_string().contains("password is locked"));
    fx.clock.advance(300);
    login(&fx, &u, &p).unwrap();
    assert_eq!(Policy::default().password_lockout_threshold, 5);
}

/// PW-10: a password marked compromised forces a change at the next login:
/// the session can only change it; changing it lifts the restriction.
#[test]
fn pw10_compromised_password_forces_a_change() {
    let fx = fixture();
    let (_, u, p) = new_user(&fx, "alice");
    let s0 = login(&fx, &u, &p).unwrap();
    let aid = ids(&fx)
        .authenticators(Subject::Session(s0.token()))
        .unwrap()[0]
        .id
        .clone();
    assert!(
        ids(&fx)
            .mark_password_compromised(&aid)
            .unwrap()
            .password_change_required
    );
    let s = login(&fx, &u, &p).unwrap();
    assert!(s.session.password_change_required);
    let e = ids(&fx).validate_session(s.token(), "read").unwrap_err();
    assert_eq!(e.code(), ErrorCode::PasswordChangeRequired);
    assert!(e.to_string().contains("read"));
    ids(&fx)
        .patch_authenticator(
            Subject::Session(s.token()),
            &aid,
            PatchAuthenticator {
                password: Some(zeroize::Zeroizing::new("brand new pass".into())),
                current_password: zeroize::Zeroizing::new(p),
                ..PatchAuthenticator::default()
            },
        )
        .unwrap();
    ids(&fx).validate_session(s.token(), "read").unwrap();
    assert!(
        !login(&fx, &u, "brand new pass")
            .unwrap()
            .session
            .password_change_required
    );
    // No expiry by default: a password never has to change without cause.
}

// ---- authenticator PUT / PATCH --------------------------------------------------------------

#[test]
fn put_requires_every_field_and_patch_only_the_current_password() {
    let fx = fixture();
    let (_, u, p) = new_user(&fx, "alice");
    let s = login(&fx, &u, &p).unwrap();
    let me = Subject::Session(s.token());
    let aid = ids(&fx).authenticators(me).unwrap()[0].id.clone();
    let before = snapshot(fx.store.as_ref());
    // PUT: each field is validated and required (an empty one is invalid).
    assert_invalid(
        ids(&fx)
            .update_authenticator(me, &aid, put("", "new password", &p))
            .unwrap_err(),
        "username",
        "4..=100",
    );
    assert_invalid(
        ids(&fx)
            .update_authenticator(me, &aid, put(&u, "", &p))
            .unwrap_err(),
        "password",
        "at least 8",
    );
    assert_invalid(
        ids(&fx)
            .update_authenticator(me, &aid, put(&u, "new password", ""))
            .unwrap_err(),
        "current_password",
        "at least 5",
    );
    // PATCH: nothing to change is invalid.
    let e = ids(&fx)
        .patch_authenticator(
            me,
            &aid,
            PatchAuthenticator {
                current_password: zeroize::Zeroizing::new(p.clone()),
                ..PatchAuthenticator::default()
            },
        )
        .unwrap_err();
    assert_invalid(e, "patch", "at least one");
    assert_eq!(
        snapshot(fx.store.as_ref())[..],
        before[..],
        "refusals wrote nothing"
    );
    // PATCH tags only: username and password untouched.
    let mut tags = Tags::new();
    tags.insert("device".into(), TagValue::String("laptop".into()));
    let a = ids(&fx)
        .patch_authenticator(
            me,
            &aid,
            PatchAuthenticator {
                tags: Some(Some(tags.clone())),
                current_password: zeroize::Zeroizing::new(p.clone()),
                ..PatchAuthenticator::default()
            },
        )
        .unwrap();
    assert_eq!(a.tags, tags);
    assert_eq!(a.username.as_deref(), Some(u.as_str()));
    login(&fx, &u, &p).unwrap();
    // PATCH username only.
    let a = ids(&fx)
        .patch_authenticator(
            me,
            &aid,
            PatchAuthenticator {
                username: Some("alice-renamed".into()),
                current_password: zeroize::Zeroizing::new(p.clone()),
                ..PatchAuthenticator::default()
            },
        )
        .unwrap();
    assert_eq!(a.tags, tags, "tags untouched");
    login(&fx, "alice-renamed", &p).unwrap();
    assert_eq!(
        login(&fx, &u, &p).unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
    // PUT replaces everything; tags None clears them.
    let a = ids(&fx)
        .update_authenticator(me, &aid, put("alice-put", "put password", &p))
        .unwrap();
    assert!(a.tags.is_empty());
    login(&fx, "alice-put", "put password").unwrap();
    // PATCH tags: Some(None) clears.
    let mut t2 = Tags::new();
    t2.insert("x".into(), TagValue::Bool(false));
    let cur = || zeroize::Zeroizing::new("put password".to_string());
    ids(&fx)
        .patch_authenticator(
            me,
            &aid,
            PatchAuthenticator {
                tags: Some(Some(t2)),
                current_password: cur(),
                ..Default::default()
            },
        )
        .unwrap();
    let a = ids(&fx)
        .patch_authenticator(
            me,
            &aid,
            PatchAuthenticator {
                tags: Some(None),
                current_password: cur(),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(a.tags.is_empty());
}

#[test]
fn only_own_authenticators_and_unique_usernames() {
    let fx = fixture();
    let (_, ua, pa) = new_user(&fx, "alice");
    let (bob, _, pb) = new_user(&fx, "bob");
    let sa = login(&fx, &ua, &pa).unwrap();
    let bob_auth = ids(&fx).authenticators(Subject::Identity(&bob)).unwrap()[0]
        .id
        .clone();
    let me = Subject::Session(sa.token());
    assert_eq!(
        ids(&fx).authenticator(me, &bob_auth).unwrap_err().code(),
        ErrorCode::NotFound
    );
    let e = ids(&fx)
        .update_authenticator(me, &bob_auth, put("mallory", "new password", &pb))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    // Usernames are unique.
    let own = ids(&fx).authenticators(me).unwrap()[0].id.clone();
    let e = ids(&fx)
        .update_authenticator(me, &own, put("bob-user", "new password", &pa))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AlreadyExists);
    let e = ids(&fx)
        .set_password(&bob, "alice-user", "whatever pass")
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AlreadyExists);
    // A cert authenticator has no password to change.
    let i = ids(&fx).get(&bob).unwrap();
    let c = ids(&fx)
        .add_cert_authenticator(&i.id, &"AB".repeat(32))
        .unwrap();
    assert_eq!(c.method, AuthenticatorMethod::Cert);
    assert_eq!(
        c.cert_fingerprint.as_deref(),
        Some("ab".repeat(32).as_str())
    );
    let sb = login(&fx, "bob-user", &pb).unwrap();
    let e = ids(&fx)
        .update_authenticator(
            Subject::Session(sb.token()),
            &c.id,
            put("bobcert", "new password", &pb),
        )
        .unwrap_err();
    assert_invalid(e, "authenticator", "updb");
    assert_eq!(
        ids(&fx)
            .add_cert_authenticator(&i.id, &"ab".repeat(32))
            .unwrap_err()
            .code(),
        ErrorCode::AlreadyExists
    );
    assert_invalid(
        ids(&fx).add_cert_authenticator(&i.id, "xyz").unwrap_err(),
        "fingerprint",
        "64 hex",
    );
    ids(&fx).delete_authenticator(&c.id).unwrap();
    assert_eq!(
        ids(&fx)
            .authenticators(Subject::Identity(&bob))
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn username_limits_in_code_points() {
    let fx = fixture();
    let s = ids(&fx);
    let i = s.create(CreateIdentity::new("alice")).unwrap();
    s.set_password(&i.id, "ääää", "password ok").unwrap();
    s.set_password(&i.id, &"ä".repeat(100), "password ok")
        .unwrap();
    assert_invalid(
        s.set_password(&i.id, "äää", "password ok").unwrap_err(),
        "username",
        "4..=100",
    );
    assert_invalid(
        s.set_password(&i.id, &"ä".repeat(101), "password ok")
            .unwrap_err(),
        "username",
        "got 101",
    );
    assert_invalid(
        login(&fx, "abc", "password ok").unwrap_err(),
        "username",
        "4..=100",
    );
}

// ---- authentication and sessions -----------------------------------------------------------

#[test]
fn password_login_records_client_info_and_returns_a_session() {
    let fx = fixture();
    let (id, u, p) = new_user(&fx, "alice");
    let env = EnvInfo {
        os: Some("linux".into()),
        arch: Some("x86_64".into()),
        hostname: Some("h1".into()),
        ..EnvInfo::default()
    };
    let sdk = SdkInfo {
        sdk_type: Some("rust".into()),
        version: Some("1.2.3".into()),
        ..SdkInfo::default()
    };
    let s = ids(&fx)
        .authenticate(
            AuthRequest::password(&u, &p)
                .env_info(env.clone())
                .sdk_info(sdk.clone())
                .config_types(vec!["intercept.v1".into()]),
        )
        .unwrap();
    assert!(s.token().starts_with("ccas_"));
    let cur = ids(&fx).current_session(s.token()).unwrap();
    assert_eq!(cur, s.session);
    assert_eq!(cur.identity_id, id);
    assert_eq!(cur.auth_method, "password");
    assert_eq!(cur.env_info, Some(env));
    assert_eq!(cur.sdk_info, Some(sdk));
    assert_eq!(cur.config_types, ["intercept.v1"]);
    assert!(!cur.mfa_required && !cur.mfa_complete);
    assert_eq!(cur.expires_at, UnixTime(T0 + 1800));
    assert_eq!(ids(&fx).current_identity(s.token()).unwrap().name, "alice");
    let unknown = login(&fx, "nobody-here", &p).unwrap_err();
    assert_eq!(unknown.to_string(), "verification failed");
}

#[test]
fn client_info_limits() {
    let fx = fixture();
    let (_, u, p) = new_user(&fx, "alice");
    let big = "x".repeat(257);
    let r = AuthRequest::password(&u, &p).env_info(EnvInfo {
        os: Some(big.clone()),
        ..EnvInfo::default()
    });
    assert_invalid(ids(&fx).authenticate(r).unwrap_err(), "env_info", "256");
    let r = AuthRequest::password(&u, &p).sdk_info(SdkInfo {
        branch: Some(big),
        ..SdkInfo::default()
    });
    assert_invalid(ids(&fx).authenticate(r).unwrap_err(), "sdk_info", "256");
    let r = AuthRequest::password(&u, &p).config_types(vec!["c".into(); 65]);
    assert_invalid(ids(&fx).authenticate(r).unwrap_err(), "config_types", "64");
    let r = AuthRequest::password(&u, &p).config_types(vec![String::new()]);
    assert_invalid(
        ids(&fx).authenticate(r).unwrap_err(),
        "config_types",
        "1..=128",
    );
}

/// TK-1 / TK-2: the session token has 256 random bits in the shared token
/// format; the store keeps only its digest.
#[test]
fn tk1_tk2_session_tokens_are_random_and_stored_as_digests() {
    let fx = fixture();
    let (_, u, p) = new_user(&fx, "alice");
    let mut seen = std::collections::HashSet::new();
    for _ in 0..20 {
        let s = login(&fx, &u, &p).unwrap();
        let body = crate::encoding::base32_decode("t", &s.token()[5..]).unwrap();
        assert!(body.len() >= 16 + 4);
        assert!(seen.insert(s.token().to_owned()));
        for (_, _, r) in snapshot(fx.store.as_ref()) {
            assert!(
                !r.value
                    .windows(s.token().len())
                    .any(|w| w == s.token().as_bytes())
            );
            assert!(!r.value.windows(20).any(|w| w == &body[..20]));
        }
    }
    for bad in ["", "ccas_", "ccas_x", "cct_aaaa"] {
        assert_eq!(
            ids(&fx).current_session(bad).unwrap_err().code(),
            ErrorCode::VerificationFailed
        );
    }
}

/// TK-3: the idle timeout slides with use; the absolute lifetime caps it.
#[test]
fn tk3_sliding_idle_timeout_and_absolute_lifetime() {
    let fx = fixture_with(
        Policy {
            api_session_idle_timeout_secs: 600,
            api_session_max_lifetime_secs: 1500,
            ..policy()
        },
        Arc::new(MemoryStore::new()),
    );
    let (_, u, p) = new_user(&fx, "alice");
    let s = login(&fx, &u, &p).unwrap();
    fx.clock.advance(599);
    assert_eq!(
        ids(&fx).current_session(s.token()).unwrap().expires_at,
        UnixTime(T0 + 599 + 600)
    );
    fx.clock.advance(599);
    ids(&fx).validate_session(s.token(), "x").unwrap();
    fx.clock.advance(300); // T0+1498: idle fine, lifetime not yet reached
    assert_eq!(
        ids(&fx).current_session(s.token()).unwrap().expires_at,
        UnixTime(T0 + 1500)
    );
    fx.clock.advance(2);
    assert_eq!(
        ids(&fx).current_session(s.token()).unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
    // Idle expiry, default 30 minutes.
    let fx = fixture();
    let (_, u, p) = new_user(&fx, "alice");
    let s = login(&fx, &u, &p).unwrap();
    fx.clock.advance(1799);
    ids(&fx).current_session(s.token()).unwrap();
    fx.clock.advance(1800);
    assert_eq!(
        ids(&fx).current_session(s.token()).unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
    assert!(
        fx.store
            .scan(Table::ApiSession, b"t1/", None, 10)
            .unwrap()
            .is_empty(),
        "expired session deleted"
    );
    for (p, field) in [
        (
            Policy {
                api_session_idle_timeout_secs: 59,
                ..Policy::default()
            },
            "api_session_idle_timeout_secs",
        ),
        (
            Policy {
                api_session_max_lifetime_secs: 1799,
                ..Policy::default()
            },
            "api_session_max_lifetime_secs",
        ),
    ] {
        assert!(p.validate().unwrap_err().to_string().contains(field));
    }
}

/// TK-4: logout ends the session at once, also for another engine sharing
/// the store.
#[test]
fn tk4_logout_is_immediate_everywhere() {
    let fx = fixture();
    let fx2 = fixture_sharing(&fx);
    let (id, u, p) = new_user(&fx, "alice");
    let s = login(&fx, &u, &p).unwrap();
    let keep = login(&fx, &u, &p).unwrap();
    ids(&fx2).current_session(s.token()).unwrap();
    ids(&fx).logout(s.token()).unwrap();
    assert_eq!(
        ids(&fx2).current_session(s.token()).unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
    assert_eq!(
        ids(&fx).logout(s.token()).unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
    let list = ids(&fx2).sessions(Subject::Identity(&id)).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, keep.session.id);
}

#[test]
fn sessions_list_and_purge() {
    let fx = fixture();
    let (id, u, p) = new_user(&fx, "alice");
    let a = login(&fx, &u, &p).unwrap();
    fx.clock.advance(10);
    let b = login(&fx, &u, &p).unwrap();
    let list = ids(&fx).sessions(Subject::Session(b.token())).unwrap();
    assert_eq!(
        list.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
        [a.session.id, b.session.id.clone()]
    );
    fx.clock.advance(1795);
    ids(&fx).current_session(b.token()).unwrap();
    assert_eq!(
        ids(&fx).sessions(Subject::Identity(&id)).unwrap().len(),
        1,
        "expired not listed"
    );
    assert_eq!(ids(&fx).purge_expired_sessions().unwrap(), 1);
    assert_eq!(
        fx.store
            .scan(Table::ApiSessionIndex, b"t1/", None, 10)
            .unwrap()
            .len(),
        1
    );
}

/// `cert`: the method and its errors exist; chains are checked by the
/// enrollment domain, so a well-formed request is "not supported" (1504).
#[test]
fn cert_authentication_is_not_supported_yet() {
    let fx = fixture();
    let e = ids(&fx)
        .authenticate(AuthRequest::cert(vec![vec![0x30, 0x00]]))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotSupported);
    assert_eq!(e.code().as_u32(), 1504);
    assert!(e.to_string().contains("cert authentication"));
    assert_invalid(
        ids(&fx)
            .authenticate(AuthRequest::cert(vec![]))
            .unwrap_err(),
        "chain",
        "1..=10",
    );
    assert_eq!(AuthRequest::cert(vec![]).credentials.method(), "cert");
}

#[test]
fn debug_output_never_shows_secrets() {
    let fx = fixture();
    let (_, u, p) = new_user(&fx, "alice");
    let s = login(&fx, &u, &p).unwrap();
    let r = AuthRequest::password(&u, "hunter2-secret");
    let patch = PatchAuthenticator {
        password: Some(zeroize::Zeroizing::new("hunter3-secret".into())),
        current_password: zeroize::Zeroizing::new("hunter4-secret".into()),
        ..PatchAuthenticator::default()
    };
    let d = format!(
        "{r:?} {s:?} {patch:?} {:?} {:?} {:?}",
        put("u", "hunter5-secret", "hunter6-secret"),
        AuthRequest::ext_jwt("eyJhbGciOi.secret.sig"),
        Subject::Session(s.token())
    );
    for secret in ["hunter", s.token(), "eyJhbGciOi"] {
        assert!(!d.contains(secret), "{secret} in {d}");
    }
}

#[test]
fn error_codes_of_the_domain_are_stable() {
    use crate::error::ErrorKind;
    for (c, n, k) in [
        (ErrorCode::Locked, 1501, ErrorKind::State),
        (ErrorCode::MfaRequired, 1502, ErrorKind::State),
        (ErrorCode::PasswordChangeRequired, 1503, ErrorKind::State),
        (ErrorCode::NotSupported, 1504, ErrorKind::Policy),
    ] {
        assert_eq!(c.as_u32(), n);
        assert_eq!(c.kind(), k);
        assert_eq!(ErrorCode::from_u32(n), Some(c));
    }
}

#[test]
fn audit_chain_records_the_lifecycle() {
    let fx = fixture();
    let (id, u, p) = new_user(&fx, "alice");
    let s = login(&fx, &u, &p).unwrap();
    ids(&fx).logout(s.token()).unwrap();
    let trail = fx
        .engine
        .audit("t1")
        .unwrap()
        .events(&format!("identity:{id}"))
        .unwrap();
    assert!(trail.chain_valid);
    let actions: Vec<_> = trail.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "identity.create",
            "authenticator.password.set",
            "auth.password",
            "auth.logout"
        ]
    );
}

// ---- external JWT signers (TK-8) ------------------------------------------------------------

mod ext_jwt {
    use super::*;
    use base64::Engine as _;
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
    use serde_json::json;

    struct Signer {
        key: EcdsaKeyPair,
        pem: String,
    }

    fn signer(seed: u8) -> Signer {
        let rng = ring::rand::SystemRandom::new();
        let _ = seed;
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        let spki = crate::crypto::hazmat::p256_spki(key.public_key().as_ref()).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(spki);
        let pem = format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n");
        Signer { key, pem }
    }

    fn b64u(b: &[u8]) -> String {
        crate::jose::base64url_encode(b)
    }

    fn jwt(s: &Signer, header: serde_json::Value, claims: serde_json::Value) -> String {
        let signing_input = format!(
            "{}.{}",
            b64u(header.to_string().as_bytes()),
            b64u(claims.to_string().as_bytes())
        );
        let sig = s
            .key
            .sign(&ring::rand::SystemRandom::new(), signing_input.as_bytes())
            .unwrap();
        format!("{signing_input}.{}", b64u(sig.as_ref()))
    }

    fn es256(s: &Signer, claims: serde_json::Value) -> String {
        jwt(s, json!({"alg": "ES256", "typ": "JWT"}), claims)
    }

    fn register(fx: &Fx, name: &str, s: &Signer, claim_match: IdentityClaimMatch) -> ExtJwtSigner {
        ids(fx)
            .create_ext_jwt_signer(CreateExtJwtSigner {
                name: name.into(),
                issuer: "https://issuer.example".into(),
                audience: "credcycle".into(),
                keys: SignerKeys::Pem(s.pem.clone()),
                identity_claim: None,
                claim_match,
            })
            .unwrap()
    }

    fn claims(sub: &str) -> serde_json::Value {
        json!({"iss": "https://issuer.example", "aud": "credcycle", "sub": sub, "exp": T0 + 300, "iat": T0})
    }

    #[test]
    fn ext_jwt_opens_a_session_for_the_named_identity() {
        let fx = fixture();
        let (id, _, _) = new_user(&fx, "alice");
        let s = signer(1);
        let reg = register(&fx, "idp", &s, IdentityClaimMatch::Id);
        assert_eq!(reg.identity_claim, "sub");
        let sess = ids(&fx)
            .authenticate(AuthRequest::ext_jwt(es256(&s, claims(&id))))
            .unwrap();
        assert_eq!(sess.session.identity_id, id);
        assert_eq!(sess.session.auth_method, "ext-jwt");
        assert_eq!(
            sess.session.authenticator_id.as_deref(),
            Some(reg.id.as_str())
        );
        // A signer matching by name, with its keys as a JWKS.
        let s2 = signer(2);
        let jwk = crate::jose::Jwk::from_pem(&s2.pem, Some("k1".into())).unwrap();
        let jwks = json!({"keys": [serde_json::Value::Object(jwk.public_members())]}).to_string();
        ids(&fx)
            .create_ext_jwt_signer(CreateExtJwtSigner {
                name: "idp2".into(),
                issuer: "https://other.example".into(),
                audience: "credcycle".into(),
                keys: SignerKeys::Jwks(jwks),
                identity_claim: Some("preferred_username".into()),
                claim_match: IdentityClaimMatch::Name,
            })
            .unwrap();
        let t = jwt(
            &s2,
            json!({"alg": "ES256", "kid": "k1"}),
            json!({"iss": "https://other.example", "aud": ["x", "credcycle"], "preferred_username": "alice", "exp": T0 + 60}),
        );
        assert_eq!(
            ids(&fx)
                .authenticate(AuthRequest::ext_jwt(t))
                .unwrap()
                .session
                .identity_id,
            id
        );
        assert_eq!(ids(&fx).ext_jwt_signers().unwrap().len(), 2);
    }

    /// TK-8: allow-listed algorithms only (`none` and HS256 confusion
    /// refused), `exp`/`nbf` checked, `aud` and `iss` required and matched,
    /// the key must be the signer's, the identity must exist.
    #[test]
    fn tk8_ext_jwt_refusals() {
        let fx = fixture();
        let (id, _, _) = new_user(&fx, "alice");
        let s = signer(1);
        let reg = register(&fx, "idp", &s, IdentityClaimMatch::Id);
        let other = signer(3);
        let mut no_aud = claims(&id);
        no_aud.as_object_mut().unwrap().remove("aud");
        let mut no_exp = claims(&id);
        no_exp.as_object_mut().unwrap().remove("exp");
        let spki = crate::jose::pem_to_der(&s.pem).unwrap();
        let hs = {
            let input = format!(
                "{}.{}",
                b64u(json!({"alg": "HS256"}).to_string().as_bytes()),
                b64u(claims(&id).to_string().as_bytes())
            );
            let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &spki);
            let tag = ring::hmac::sign(&k, input.as_bytes());
            format!("{input}.{}", b64u(tag.as_ref()))
        };
        let none = format!(
            "{}.{}.",
            b64u(json!({"alg": "none"}).to_string().as_bytes()),
            b64u(claims(&id).to_string().as_bytes())
        );
        let cases = vec![
            ("alg none", none),
            ("hs256 confusion", hs),
            (
                "expired",
                es256(
                    &s,
                    json!({"iss": "https://issuer.example", "aud": "credcycle", "sub": id, "exp": T0 - 61}),
                ),
            ),
            (
                "not yet valid",
                es256(
                    &s,
                    json!({"iss": "https://issuer.example", "aud": "credcycle", "sub": id, "exp": T0 + 600, "nbf": T0 + 120}),
                ),
            ),
            (
                "wrong aud",
                es256(
                    &s,
                    json!({"iss": "https://issuer.example", "aud": "other", "sub": id, "exp": T0 + 60}),
                ),
            ),
            ("no aud", es256(&s, no_aud)),
            ("no exp", es256(&s, no_exp)),
            (
                "wrong iss",
                es256(
                    &s,
                    json!({"iss": "https://evil.example", "aud": "credcycle", "sub": id, "exp": T0 + 60}),
                ),
            ),
            ("other key", es256(&other, claims(&id))),
            (
                "unknown identity",
                es256(&s, claims("00000000-0000-4000-8000-000000000000")),
            ),
            (
                "claim not a string",
                es256(
                    &s,
                    json!({"iss": "https://issuer.example", "aud": "credcycle", "sub": 7, "exp": T0 + 60}),
                ),
            ),
            ("garbage", "a.b.c".into()),
            ("too long", "a".repeat(20_000)),
        ];
        for (what, token) in cases {
            let e = ids(&fx)
                .authenticate(AuthRequest::ext_jwt(token))
                .unwrap_err();
            assert_eq!(e.code(), ErrorCode::VerificationFailed, "{what}: {e}");
        }
        // Deleting the signer stops its tokens.
        let good = es256(&s, claims(&id));
        ids(&fx)
            .authenticate(AuthRequest::ext_jwt(good.clone()))
            .unwrap();
        ids(&fx).delete_ext_jwt_signer(&reg.id).unwrap();
        assert_eq!(
            ids(&fx)
                .authenticate(AuthRequest::ext_jwt(good))
                .unwrap_err()
                .code(),
            ErrorCode::VerificationFailed
        );
        assert_eq!(
            ids(&fx).delete_ext_jwt_signer(&reg.id).unwrap_err().code(),
            ErrorCode::NotFound
        );
    }

    #[test]
    fn signer_limits_are_named() {
        let fx = fixture();
        let s = signer(1);
        let base = || CreateExtJwtSigner {
            name: "idp".into(),
            issuer: "https://issuer.example".into(),
            audience: "credcycle".into(),
            keys: SignerKeys::Pem(s.pem.clone()),
            identity_claim: None,
            claim_match: IdentityClaimMatch::Id,
        };
        let before = snapshot(fx.store.as_ref());
        for (req, field) in [
            (
                CreateExtJwtSigner {
                    name: "a b".into(),
                    ..base()
                },
                "name",
            ),
            (
                CreateExtJwtSigner {
                    issuer: String::new(),
                    ..base()
                },
                "issuer",
            ),
            (
                CreateExtJwtSigner {
                    audience: "a".repeat(1025),
                    ..base()
                },
                "audience",
            ),
            (
                CreateExtJwtSigner {
                    identity_claim: Some(String::new()),
                    ..base()
                },
                "identity_claim",
            ),
            (
                CreateExtJwtSigner {
                    keys: SignerKeys::Pem("not pem".into()),
                    ..base()
                },
                "keys",
            ),
            (
                CreateExtJwtSigner {
                    keys: SignerKeys::Jwks("{\"keys\": []}".into()),
                    ..base()
                },
                "keys",
            ),
            (
                CreateExtJwtSigner {
                    keys: SignerKeys::Jwks("{".into()),
                    ..base()
                },
                "keys",
            ),
        ] {
            let e = ids(&fx).create_ext_jwt_signer(req).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidInput, "{field}: {e}");
            assert!(e.to_string().contains(field), "{field}: {e}");
        }
        assert_eq!(snapshot(fx.store.as_ref()), before);
        ids(&fx).create_ext_jwt_signer(base()).unwrap();
        assert_eq!(
            ids(&fx).create_ext_jwt_signer(base()).unwrap_err().code(),
            ErrorCode::AlreadyExists
        );
    }
}
