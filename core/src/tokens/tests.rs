//! Tests of the API-token domain: every limit, the rotation rules both
//! ways, refresh rotation and reuse detection (TK-7), digest-only storage
//! (TK-2), atomicity of failed operations and races.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use super::*;
use crate::error::{Error, ErrorCode};
use crate::kms::LocalKeyManager;
use crate::policy::Policy;
use crate::services::{RandomError, SecureRandom};
use crate::store::{MemoryStore, Op, Record, Store, StoreError, Table};
use crate::testing::{FakeClock, SeededRng};
use crate::{Engine, SecretBytes};

const T0: i64 = 1_700_000_000;
const YEAR: i64 = 31_536_000;

/// A store that counts reads, to prove malformed tokens are refused before
/// any lookup.
#[derive(Debug, Default)]
struct CountingStore {
    inner: MemoryStore,
    reads: AtomicUsize,
}

impl Store for CountingStore {
    fn get(&self, t: Table, k: &[u8]) -> Result<Option<Record>, StoreError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.get(t, k)
    }
    fn scan(
        &self,
        t: Table,
        p: &[u8],
        a: Option<&[u8]>,
        l: u32,
    ) -> Result<Vec<(Vec<u8>, Record)>, StoreError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.scan(t, p, a, l)
    }
    fn commit(&self, ops: &[Op]) -> Result<(), StoreError> {
        self.inner.commit(ops)
    }
}

/// A generator that records how many bytes the engine drew from it.
#[derive(Debug)]
struct RecordingRng {
    inner: SeededRng,
    bytes: AtomicUsize,
}

impl SecureRandom for RecordingRng {
    fn fill(&self, buf: &mut [u8]) -> Result<(), RandomError> {
        self.bytes.fetch_add(buf.len(), Ordering::SeqCst);
        self.inner.fill(buf)
    }
}

struct Fx {
    engine: Engine,
    clock: Arc<FakeClock>,
    store: Arc<CountingStore>,
}

fn fixture_with(policy: Policy) -> Fx {
    let store = Arc::new(CountingStore::default());
    let clock = Arc::new(FakeClock::new(T0));
    let rng = Arc::new(SeededRng::new(7));
    let keys = Arc::new(
        LocalKeyManager::new(store.clone(), rng.clone(), SecretBytes::new(vec![3u8; 32])).unwrap(),
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
    fixture_with(Policy::default())
}

impl Fx {
    fn tokens(&self) -> Tokens {
        self.engine.tokens("t1").unwrap()
    }

    fn create(&self, rotation: TokenRotation) -> CreatedToken {
        self.tokens()
            .create(CreateToken::new("ci", TokenType::Proxy).rotation(rotation))
            .unwrap()
    }

    fn snapshot(&self) -> Vec<(Table, Vec<u8>, Record)> {
        let mut out = Vec::new();
        for t in Table::ALL {
            for (k, r) in self.store.inner.scan(*t, b"", None, u32::MAX).unwrap() {
                out.push((*t, k, r));
            }
        }
        out
    }
}

fn assert_invalid(e: &Error, field: &str, needle: &str) {
    assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
    let m = e.to_string();
    assert!(
        m.contains(field) && m.contains(needle),
        "{m} should name {field} and {needle}"
    );
}

fn assert_state(e: &Error, state: &str) {
    assert_eq!(e.code(), ErrorCode::InvalidState, "{e}");
    assert!(e.to_string().contains(state), "{e} should name {state}");
}

#[test]
fn create_returns_prefixed_values_once_and_defaults() {
    let fx = fixture();
    let c = fx
        .tokens()
        .create(
            CreateToken::new("deploy bot", TokenType::Extension)
                .owner(EntityRef::new("alice", "urn:user:1"))
                .org(EntityRef::new("acme", "urn:org:1")),
        )
        .unwrap();
    assert!(c.value.reveal().starts_with("ccapi_"));
    let rt = c.refresh_token.as_ref().unwrap();
    assert!(rt.reveal().starts_with("ccrt_"));
    let t = &c.token;
    assert!(t.id.starts_with(ID_PREFIX));
    assert_eq!(t.token_rotation, TokenRotation::Always);
    assert_eq!(t.require_rotation, Some(true));
    assert_eq!(t.state, TokenState::Active);
    assert_eq!(t.expiration_time_utc.0, T0 + YEAR);
    assert_eq!(t.token_type, TokenType::Extension);
    assert_eq!(t.owner.as_ref().unwrap().name, "alice");
    assert!(t.has_refresh_token);
    assert_eq!(fx.tokens().get(&t.id).unwrap(), *t);
    assert_eq!(fx.tokens().list().unwrap(), vec![t.clone()]);
    let used = fx.tokens().authenticate(c.value.reveal()).unwrap();
    assert_eq!(used.token.id, t.id);
    assert!(used.rotated_value.is_none());
}

#[test]
fn rotation_none_means_no_refresh_token() {
    let fx = fixture();
    let c = fx.create(TokenRotation::None);
    assert!(c.refresh_token.is_none());
    assert_eq!(c.token.require_rotation, None);
    assert!(!c.token.has_refresh_token);
}

#[test]
fn tk1_token_values_are_256_bit_and_drawn_from_the_engine_rng() {
    let rng = Arc::new(RecordingRng {
        inner: SeededRng::new(1),
        bytes: AtomicUsize::new(0),
    });
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let keys = Arc::new(
        LocalKeyManager::new(store.clone(), rng.clone(), SecretBytes::new(vec![3u8; 32])).unwrap(),
    );
    let engine = Engine::builder()
        .store(store)
        .key_manager(keys)
        .clock(Arc::new(FakeClock::new(T0)))
        .rng(rng.clone())
        .build()
        .unwrap();
    let tokens = engine.tokens("t").unwrap();
    tokens
        .create(CreateToken::new("warm", TokenType::Proxy))
        .unwrap();
    let mut seen = std::collections::HashSet::new();
    for _ in 0..200 {
        let before = rng.bytes.load(Ordering::SeqCst);
        let c = tokens
            .create(CreateToken::new("x", TokenType::Proxy))
            .unwrap();
        // Two 32-byte values (value and refresh token) and a 16-byte id.
        assert!(rng.bytes.load(Ordering::SeqCst) - before >= 2 * 32);
        for v in [c.value.reveal(), c.refresh_token.as_ref().unwrap().reveal()] {
            let body = v.split_once('_').unwrap().1;
            let raw = crate::encoding::base32_decode("t", body).unwrap();
            assert_eq!(raw.len(), crate::token::TOKEN_RANDOM_BYTES + 4);
            assert!(seen.insert(v.to_owned()));
        }
    }
}

#[test]
fn name_owner_and_org_limits() {
    let fx = fixture();
    let t = fx.tokens();
    t.create(CreateToken::new("n".repeat(128), TokenType::Proxy))
        .unwrap();
    for (bad, needle) in [
        (String::new(), "1..=128"),
        ("n".repeat(129), "1..=128"),
        ("a\nb".into(), "control"),
    ] {
        let e = t
            .create(CreateToken::new(bad, TokenType::Proxy))
            .unwrap_err();
        assert_invalid(&e, "name", needle);
    }
    let e = t
        .create(CreateToken::new("x", TokenType::Proxy).owner(EntityRef::new("", "id")))
        .unwrap_err();
    assert_invalid(&e, "owner", "1..=128");
    let e = t
        .create(CreateToken::new("x", TokenType::Proxy).org(EntityRef::new("o", "i".repeat(129))))
        .unwrap_err();
    assert_invalid(&e, "org", "1..=128");
    assert_invalid(&TokenType::parse("USER").unwrap_err(), "type", "PROXY");
    assert_eq!(TokenType::parse("proxy").unwrap(), TokenType::Proxy);
    assert_invalid(
        &TokenRotation::parse("SOMETIMES").unwrap_err(),
        "token_rotation",
        "ONCE_ON_NEXT_LOGIN",
    );
}

#[test]
fn expiry_is_in_the_future_and_at_most_the_policy_maximum() {
    let fx = fixture();
    let t = fx.tokens();
    for at in [T0, T0 - 1] {
        let e = t
            .create(CreateToken::new("x", TokenType::Proxy).expires(UnixTime(at)))
            .unwrap_err();
        assert_invalid(&e, "expiration_time_utc", "future");
    }
    let e = t
        .create(CreateToken::new("x", TokenType::Proxy).expires(UnixTime(T0 + YEAR + 1)))
        .unwrap_err();
    assert_invalid(&e, "expiration_time_utc", &format!("at most {}", T0 + YEAR));
    let c = t
        .create(CreateToken::new("x", TokenType::Proxy).expires(UnixTime(T0 + YEAR)))
        .unwrap();
    assert_eq!(c.token.expiration_time_utc.0, T0 + YEAR);

    // The maximum counts from creation: an update a month later cannot
    // extend the token past creation + max.
    let c = t
        .create(CreateToken::new("y", TokenType::Proxy).expires(UnixTime(T0 + 60)))
        .unwrap();
    fx.clock.advance(30 * 86_400);
    let before = fx.snapshot();
    let mut u = UpdateToken::named("y");
    u.expiration_time_utc = Some(UnixTime(T0 + YEAR + 1));
    assert_invalid(
        &t.update(&c.token.id, u.clone()).unwrap_err(),
        "expiration_time_utc",
        "max_api_token_lifetime_secs",
    );
    assert_eq!(fx.snapshot(), before, "failed update wrote nothing");
    u.expiration_time_utc = Some(UnixTime(T0 + YEAR));
    assert_eq!(
        t.update(&c.token.id, u).unwrap().expiration_time_utc.0,
        T0 + YEAR
    );
}

#[test]
fn a_shorter_policy_maximum_applies() {
    let fx = fixture_with(Policy {
        max_api_token_lifetime_secs: 3600,
        ..Policy::default()
    });
    let c = fx.create(TokenRotation::Always);
    assert_eq!(c.token.expiration_time_utc.0, T0 + 3600);
    let e = fx
        .tokens()
        .create(CreateToken::new("x", TokenType::Proxy).expires(UnixTime(T0 + 3601)))
        .unwrap_err();
    assert_invalid(&e, "expiration_time_utc", "at most");
}

#[test]
fn expired_tokens_are_refused() {
    let fx = fixture();
    let c = fx
        .tokens()
        .create(CreateToken::new("x", TokenType::Proxy).expires(UnixTime(T0 + 100)))
        .unwrap();
    fx.clock.set(T0 + 99);
    fx.tokens().authenticate(c.value.reveal()).unwrap();
    fx.clock.set(T0 + 100);
    assert_state(
        &fx.tokens().authenticate(c.value.reveal()).unwrap_err(),
        "EXPIRED",
    );
    assert_state(
        &fx.tokens()
            .refresh(c.refresh_token.as_ref().unwrap().reveal())
            .unwrap_err(),
        "EXPIRED",
    );
    assert_eq!(
        fx.tokens().get(&c.token.id).unwrap().state,
        TokenState::Expired
    );
}

#[test]
fn update_changes_only_what_is_given_and_requires_a_name() {
    let fx = fixture();
    let c = fx
        .tokens()
        .create(CreateToken::new("old", TokenType::Proxy).owner(EntityRef::new("alice", "u1")))
        .unwrap();
    let id = &c.token.id;
    fx.clock.advance(5);
    let t = fx.tokens().update(id, UpdateToken::named("new")).unwrap();
    assert_eq!(t.name, "new");
    assert_eq!(t.token_rotation, TokenRotation::Always);
    assert_eq!(t.expiration_time_utc, c.token.expiration_time_utc);
    assert_eq!(t.update_time.0, T0 + 5);
    assert_invalid(
        &fx.tokens().update(id, UpdateToken::named("")).unwrap_err(),
        "name",
        "1..=128",
    );
    // Read-only fields may be sent back unchanged, never changed.
    let same = UpdateToken {
        id: Some(id.clone()),
        token_type: Some(TokenType::Proxy),
        owner: Some(EntityRef::new("alice", "u1")),
        ..UpdateToken::named("new")
    };
    fx.tokens().update(id, same.clone()).unwrap();
    let before = fx.snapshot();
    for (req, field) in [
        (
            UpdateToken {
                id: Some(format!("{ID_PREFIX}00000000-0000-4000-8000-000000000000")),
                ..same.clone()
            },
            "id",
        ),
        (
            UpdateToken {
                token_type: Some(TokenType::Extension),
                ..same.clone()
            },
            "type",
        ),
        (
            UpdateToken {
                owner: Some(EntityRef::new("mallory", "u2")),
                ..same.clone()
            },
            "owner",
        ),
        (
            UpdateToken {
                org: Some(EntityRef::new("acme", "o1")),
                ..same
            },
            "org",
        ),
    ] {
        assert_invalid(&fx.tokens().update(id, req).unwrap_err(), field, "");
    }
    assert_eq!(fx.snapshot(), before);
    assert_invalid(
        &fx.tokens().get("token-1").unwrap_err(),
        "id",
        "urn:credcycle:token:",
    );
    assert_eq!(
        fx.tokens()
            .get(&format!("{ID_PREFIX}00000000-0000-4000-8000-000000000000"))
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
}

/// The consistency rules between `token_rotation` and `require_rotation`,
/// accepted and refused.
#[test]
fn rotation_consistency_rules() {
    use TokenRotation::{Always, Never, None as NoneR, OnceOnNextLogin as Once};
    let fx = fixture();
    // (initial, token_rotation, require_rotation) -> Ok(policy) or Err(field)
    type Case = (
        TokenRotation,
        Option<TokenRotation>,
        Option<bool>,
        Result<TokenRotation, &'static str>,
    );
    let cases: &[Case] = &[
        (Never, Some(Always), None, Ok(Always)),
        (Always, Some(Never), None, Ok(Never)),
        (Never, Some(Once), None, Ok(Once)),
        (Never, Some(Always), Some(true), Ok(Always)),
        (Always, Some(Never), Some(false), Ok(Never)),
        (Never, Some(Once), Some(true), Ok(Once)),
        (Never, None, Some(true), Ok(Always)),
        (Once, None, Some(true), Ok(Once)),
        (Always, None, Some(true), Ok(Always)),
        (Always, None, Some(false), Ok(Never)),
        (Once, None, Some(false), Ok(Never)),
        (Once, None, None, Ok(Once)),
        (Never, Some(Always), Some(false), Err("require_rotation")),
        (Always, Some(Never), Some(true), Err("require_rotation")),
        (Never, Some(Once), Some(false), Err("require_rotation")),
        (Always, Some(NoneR), None, Err("token_rotation")),
        (NoneR, Some(Always), None, Err("token_rotation")),
        (NoneR, None, Some(true), Err("require_rotation")),
        (NoneR, None, Some(false), Err("require_rotation")),
        (NoneR, Some(NoneR), None, Ok(NoneR)),
    ];
    for (initial, rot, req, want) in cases {
        let c = fx.create(*initial);
        let u = UpdateToken {
            token_rotation: *rot,
            require_rotation: *req,
            ..UpdateToken::named("ci")
        };
        let got = fx.tokens().update(&c.token.id, u);
        match (want, got) {
            (Ok(p), Ok(t)) => {
                assert_eq!(t.token_rotation, *p, "{initial} {rot:?} {req:?}");
                assert_eq!(t.require_rotation, p.require_rotation());
            }
            (Err(field), Err(e)) => {
                assert_invalid(&e, field, "");
                if *field == "require_rotation" && rot.is_some() {
                    assert!(e.to_string().contains("token_rotation"), "{e}");
                }
                let stored = fx.tokens().get(&c.token.id).unwrap();
                assert_eq!(stored.token_rotation, *initial, "unchanged after failure");
            }
            (w, g) => panic!("{initial} {rot:?} {req:?}: wanted {w:?}, got {g:?}"),
        }
    }
}

#[test]
fn once_on_next_login_rotates_the_value_on_next_use_then_resets() {
    let fx = fixture();
    let c = fx.create(TokenRotation::OnceOnNextLogin);
    assert_eq!(c.token.require_rotation, Some(true));
    // Failed uses do not consume the rotation.
    assert!(fx.tokens().authenticate("ccapi_garbage").is_err());
    let used = fx.tokens().authenticate(c.value.reveal()).unwrap();
    let fresh = used.rotated_value.unwrap();
    assert_ne!(fresh.reveal(), c.value.reveal());
    assert_eq!(used.token.token_rotation, TokenRotation::Never);
    assert_eq!(used.token.require_rotation, Some(false));
    assert_eq!(
        fx.tokens()
            .authenticate(c.value.reveal())
            .unwrap_err()
            .code(),
        ErrorCode::VerificationFailed
    );
    let again = fx.tokens().authenticate(fresh.reveal()).unwrap();
    assert!(again.rotated_value.is_none(), "only once");
    // The refresh token is untouched.
    fx.tokens()
        .refresh(c.refresh_token.as_ref().unwrap().reveal())
        .unwrap();
    let trail = fx
        .engine
        .audit("t1")
        .unwrap()
        .events(&format!("token:{}", &c.token.id[ID_PREFIX.len()..]))
        .unwrap();
    assert!(trail.chain_valid);
    assert!(
        trail
            .events
            .iter()
            .any(|e| e.action == "token.rotate_on_use")
    );
}

#[test]
fn once_on_next_login_rotates_the_refresh_token_on_next_refresh_then_resets() {
    let fx = fixture();
    let c = fx.create(TokenRotation::OnceOnNextLogin);
    let rt1 = c.refresh_token.unwrap();
    let r = fx.tokens().refresh(rt1.reveal()).unwrap();
    let rt2 = r.refresh_token.unwrap();
    assert_eq!(r.token.token_rotation, TokenRotation::Never);
    assert_eq!(r.token.require_rotation, Some(false));
    // Now NEVER: refreshes keep rt2.
    let r2 = fx.tokens().refresh(rt2.reveal()).unwrap();
    assert!(r2.refresh_token.is_none());
    fx.tokens().refresh(rt2.reveal()).unwrap();
    // The value was not rotated by `authenticate` any more.
    assert!(
        fx.tokens()
            .authenticate(r2.value.reveal())
            .is_err_and(|e| e.code() == ErrorCode::VerificationFailed),
        "replaced by the later refresh"
    );
}

#[test]
fn never_keeps_the_refresh_token_and_replaces_the_value() {
    let fx = fixture();
    let c = fx.create(TokenRotation::Never);
    let rt = c.refresh_token.unwrap();
    let r1 = fx.tokens().refresh(rt.reveal()).unwrap();
    assert!(r1.refresh_token.is_none());
    assert_eq!(
        fx.tokens()
            .authenticate(c.value.reveal())
            .unwrap_err()
            .code(),
        ErrorCode::VerificationFailed,
        "the previous value stops working"
    );
    fx.tokens().authenticate(r1.value.reveal()).unwrap();
    let r2 = fx.tokens().refresh(rt.reveal()).unwrap();
    fx.tokens().authenticate(r2.value.reveal()).unwrap();
    assert_eq!(
        fx.tokens().get(&c.token.id).unwrap().state,
        TokenState::Active
    );
}

/// TK-7: RT1 → (AT2, RT2); RT1 is then invalid; presenting RT1 again is an
/// error and revokes the family, so RT2 and AT2 fail too.
#[test]
fn tk7_refresh_rotation_and_reuse_detection_revokes_the_family() {
    let fx = fixture();
    let c = fx.create(TokenRotation::Always);
    let rt1 = c.refresh_token.unwrap();
    fx.clock.advance(10);
    let r = fx.tokens().refresh(rt1.reveal()).unwrap();
    let rt2 = r.refresh_token.unwrap();
    let at2 = r.value;
    assert_eq!(r.token.id, c.token.id, "bound to the same token");
    assert_eq!(r.token.owner, c.token.owner);
    fx.tokens().authenticate(at2.reveal()).unwrap();
    assert_eq!(
        fx.tokens()
            .authenticate(c.value.reveal())
            .unwrap_err()
            .code(),
        ErrorCode::VerificationFailed
    );

    let e = fx.tokens().refresh(rt1.reveal()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::RefreshTokenReused);
    assert_eq!(e.kind(), crate::ErrorKind::VerificationFailed);
    assert_state(&fx.tokens().refresh(rt2.reveal()).unwrap_err(), "REVOKED");
    assert_state(
        &fx.tokens().authenticate(at2.reveal()).unwrap_err(),
        "REVOKED",
    );
    let t = fx.tokens().get(&c.token.id).unwrap();
    assert_eq!(t.state, TokenState::Revoked);
    assert_eq!(t.revoke_reason.as_deref(), Some("refresh_token_reuse"));
    // Presenting it again keeps failing the same way, and writes nothing.
    let before = fx.snapshot();
    assert_eq!(
        fx.tokens().refresh(rt1.reveal()).unwrap_err().code(),
        ErrorCode::RefreshTokenReused
    );
    assert_eq!(fx.snapshot(), before);
    let trail = fx
        .engine
        .audit("t1")
        .unwrap()
        .events(&format!("token:{}", &c.token.id[ID_PREFIX.len()..]))
        .unwrap();
    assert!(trail.chain_valid);
    assert!(
        trail
            .events
            .iter()
            .any(|e| e.outcome.contains("family revoked"))
    );
}

/// TK-7: a tampered refresh token (or one of another kind) is rejected by
/// the checksum before any store read.
#[test]
fn tk7_tampered_or_malformed_tokens_are_rejected_before_any_store_read() {
    let fx = fixture();
    let c = fx.create(TokenRotation::Always);
    let rt = c.refresh_token.unwrap().reveal().to_owned();
    let mut tampered = rt.clone().into_bytes();
    let last = tampered.len() - 3;
    tampered[last] = if tampered[last] == b'a' { b'b' } else { b'a' };
    let tampered = String::from_utf8(tampered).unwrap();
    let reads = fx.store.reads.load(Ordering::SeqCst);
    for bad in [
        tampered.as_str(),
        "",
        "ccrt_",
        c.value.reveal(),
        &rt.to_uppercase(),
        &format!("{rt} "),
    ] {
        let e = fx.tokens().refresh(bad).unwrap_err();
        assert_eq!(e.code(), ErrorCode::VerificationFailed, "{bad}");
    }
    assert_eq!(
        fx.tokens().authenticate(&rt).unwrap_err().code(),
        ErrorCode::VerificationFailed,
        "a refresh token is not a value"
    );
    assert_eq!(
        fx.store.reads.load(Ordering::SeqCst),
        reads,
        "no store read"
    );
}

/// TK-7: an idle refresh token past the inactivity timeout is rejected.
#[test]
fn tk7_idle_refresh_token_expires() {
    let fx = fixture_with(Policy {
        refresh_token_idle_timeout_secs: 3600,
        ..Policy::default()
    });
    let c = fx.create(TokenRotation::Never);
    let rt = c.refresh_token.unwrap();
    fx.clock.advance(3599);
    fx.tokens().refresh(rt.reveal()).unwrap();
    fx.clock.advance(3599);
    fx.tokens().refresh(rt.reveal()).unwrap();
    fx.clock.advance(3600);
    let e = fx.tokens().refresh(rt.reveal()).unwrap_err();
    assert_state(&e, "EXPIRED");
    assert!(e.to_string().contains("refresh token"), "{e}");
}

/// The optional grace window (documented deviation from strict reuse
/// detection): within it a lost response can be retried; outside it, reuse
/// revokes the family.
#[test]
fn grace_window_tolerates_a_lost_response_only_within_it() {
    let fx = fixture_with(Policy {
        refresh_token_reuse_grace_secs: 30,
        ..Policy::default()
    });
    let c = fx.create(TokenRotation::Always);
    let rt1 = c.refresh_token.unwrap();
    let lost = fx.tokens().refresh(rt1.reveal()).unwrap();
    fx.clock.advance(29);
    // The client never saw `lost`; it retries with rt1.
    let retry = fx.tokens().refresh(rt1.reveal()).unwrap();
    let rt3 = retry.refresh_token.unwrap();
    assert_eq!(
        fx.tokens()
            .authenticate(lost.value.reveal())
            .unwrap_err()
            .code(),
        ErrorCode::VerificationFailed
    );
    fx.tokens().authenticate(retry.value.reveal()).unwrap();
    // Outside the window, rt1 is reuse: the family is revoked.
    fx.clock.advance(2);
    assert_eq!(
        fx.tokens().refresh(rt1.reveal()).unwrap_err().code(),
        ErrorCode::RefreshTokenReused
    );
    assert_state(&fx.tokens().refresh(rt3.reveal()).unwrap_err(), "REVOKED");
}

/// Inside the window an invalidated refresh token is exchanged once more,
/// not again and again: a second retry is reuse and revokes the family.
#[test]
fn grace_window_allows_one_retry_per_refresh_token() {
    let fx = fixture_with(Policy {
        refresh_token_reuse_grace_secs: 30,
        ..Policy::default()
    });
    let c = fx.create(TokenRotation::Always);
    let rt1 = c.refresh_token.unwrap();
    fx.tokens().refresh(rt1.reveal()).unwrap();
    fx.clock.advance(5);
    let retry = fx.tokens().refresh(rt1.reveal()).unwrap();
    fx.clock.advance(5);
    assert_eq!(
        fx.tokens().refresh(rt1.reveal()).unwrap_err().code(),
        ErrorCode::RefreshTokenReused,
        "a second exchange inside the window is reuse"
    );
    assert_state(
        &fx.tokens()
            .refresh(retry.refresh_token.unwrap().reveal())
            .unwrap_err(),
        "REVOKED",
    );
}

#[test]
fn grace_window_zero_means_immediate_reuse_detection() {
    let fx = fixture();
    let c = fx.create(TokenRotation::Always);
    let rt1 = c.refresh_token.unwrap();
    fx.tokens().refresh(rt1.reveal()).unwrap();
    assert_eq!(
        fx.tokens().refresh(rt1.reveal()).unwrap_err().code(),
        ErrorCode::RefreshTokenReused
    );
}

#[test]
fn revoke_is_immediate_and_a_state_rule() {
    let fx = fixture();
    let c = fx.create(TokenRotation::Always);
    let t = fx.tokens().revoke(&c.token.id).unwrap();
    assert_eq!(t.state, TokenState::Revoked);
    assert_eq!(t.revoke_reason.as_deref(), Some("revoked"));
    assert_state(
        &fx.tokens().authenticate(c.value.reveal()).unwrap_err(),
        "REVOKED",
    );
    assert_state(
        &fx.tokens()
            .refresh(c.refresh_token.as_ref().unwrap().reveal())
            .unwrap_err(),
        "REVOKED",
    );
    let before = fx.snapshot();
    assert_state(&fx.tokens().revoke(&c.token.id).unwrap_err(), "REVOKED");
    assert_state(
        &fx.tokens()
            .update(&c.token.id, UpdateToken::named("x"))
            .unwrap_err(),
        "REVOKED",
    );
    assert_eq!(fx.snapshot(), before);
    // The other way: an active token can be updated and revoked.
    let d = fx.create(TokenRotation::Never);
    fx.tokens()
        .update(&d.token.id, UpdateToken::named("y"))
        .unwrap();
    fx.tokens().revoke(&d.token.id).unwrap();
}

/// TK-2: only digests are stored: no record key or value contains a token,
/// its body or its random bytes.
#[test]
fn tk2_only_digests_are_stored() {
    let fx = fixture();
    let c = fx.create(TokenRotation::OnceOnNextLogin);
    let used = fx.tokens().authenticate(c.value.reveal()).unwrap();
    let r = fx
        .tokens()
        .refresh(c.refresh_token.as_ref().unwrap().reveal())
        .unwrap();
    let values = [
        c.value.reveal().to_owned(),
        c.refresh_token.as_ref().unwrap().reveal().to_owned(),
        used.rotated_value.unwrap().reveal().to_owned(),
        r.value.reveal().to_owned(),
    ];
    let dump: Vec<u8> = fx
        .snapshot()
        .into_iter()
        .flat_map(|(_, k, r)| [k, r.value].concat())
        .collect();
    for (i, v) in values.iter().enumerate() {
        let body = v.split_once('_').unwrap().1;
        let raw = crate::encoding::base32_decode("t", body).unwrap();
        for needle in [v.as_bytes(), body.as_bytes(), &raw[..32], &raw[..8]] {
            assert!(
                !dump.windows(needle.len()).any(|w| w == needle),
                "token material found in the store"
            );
        }
        // Lookup is by the SHA-256 digest: the live value's and every
        // refresh token's (remembered for reuse detection) are keys; replaced
        // values are gone.
        let d = crate::token::parse(v.split_once('_').unwrap().0, v).unwrap();
        let stored = dump.windows(64).any(|w| w == d.to_hex().as_bytes());
        assert_eq!(stored, i == 1 || i == 3, "digest {i}");
    }
}

#[test]
fn tokens_never_appear_in_debug_output_or_errors() {
    let fx = fixture();
    let c = fx.create(TokenRotation::OnceOnNextLogin);
    let value = c.value.reveal().to_owned();
    let rt = c.refresh_token.as_ref().unwrap().reveal().to_owned();
    let body = |s: &str| s.split_once('_').unwrap().1.to_owned();
    let mut texts = vec![format!("{c:?}")];
    let used = fx.tokens().authenticate(&value).unwrap();
    texts.push(format!("{used:?}"));
    let r = fx.tokens().refresh(&rt).unwrap();
    texts.push(format!("{r:?}"));
    for bad in [
        format!("{value}x"),
        value.clone(),
        rt.clone(),
        format!("ccapi_{}", body(&rt)),
    ] {
        if let Err(e) = fx.tokens().authenticate(&bad) {
            texts.push(format!("{e} {e:?}"));
        }
        if let Err(e) = fx.tokens().refresh(&bad) {
            texts.push(format!("{e} {e:?}"));
        }
    }
    for t in &texts {
        for secret in [&value, &rt] {
            assert!(!t.contains(&body(secret)), "{t}");
        }
        assert!(!t.contains(&body(used.rotated_value.as_ref().unwrap().reveal())));
        assert!(!t.contains(&body(r.value.reveal())));
    }
}

#[test]
fn tenants_are_isolated() {
    let fx = fixture();
    let c = fx.create(TokenRotation::Always);
    let other = fx.engine.tokens("t2").unwrap();
    assert_eq!(
        other.authenticate(c.value.reveal()).unwrap_err().code(),
        ErrorCode::VerificationFailed
    );
    assert_eq!(
        other
            .refresh(c.refresh_token.as_ref().unwrap().reveal())
            .unwrap_err()
            .code(),
        ErrorCode::VerificationFailed
    );
    assert_eq!(
        other.get(&c.token.id).unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        other.revoke(&c.token.id).unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert!(other.list().unwrap().is_empty());
    fx.tokens().authenticate(c.value.reveal()).unwrap();
}

#[test]
fn failed_uses_write_nothing() {
    let fx = fixture();
    let c = fx.create(TokenRotation::Always);
    fx.tokens().revoke(&c.token.id).unwrap();
    let before = fx.snapshot();
    let _ = fx.tokens().authenticate(c.value.reveal());
    let _ = fx
        .tokens()
        .refresh(c.refresh_token.as_ref().unwrap().reveal());
    let _ = fx.tokens().authenticate("ccapi_x");
    assert_eq!(fx.snapshot(), before);
}

/// A store whose commits always fail: create writes nothing, and the error
/// is typed.
#[test]
fn backend_failure_is_typed_and_writes_nothing() {
    #[derive(Debug, Default)]
    struct Failing(MemoryStore);
    impl Store for Failing {
        fn get(&self, t: Table, k: &[u8]) -> Result<Option<Record>, StoreError> {
            self.0.get(t, k)
        }
        fn scan(
            &self,
            t: Table,
            p: &[u8],
            a: Option<&[u8]>,
            l: u32,
        ) -> Result<Vec<(Vec<u8>, Record)>, StoreError> {
            self.0.scan(t, p, a, l)
        }
        fn commit(&self, ops: &[Op]) -> Result<(), StoreError> {
            if ops.iter().any(|o| o.target().0 == Table::ApiToken) {
                return Err(StoreError::Unavailable { retryable: false });
            }
            self.0.commit(ops)
        }
    }
    let store = Arc::new(Failing::default());
    let rng = Arc::new(SeededRng::new(1));
    let keys = Arc::new(
        LocalKeyManager::new(store.clone(), rng.clone(), SecretBytes::new(vec![3u8; 32])).unwrap(),
    );
    let engine = Engine::builder()
        .store(store.clone())
        .key_manager(keys)
        .clock(Arc::new(FakeClock::new(T0)))
        .rng(rng)
        .build()
        .unwrap();
    let e = engine
        .tokens("t")
        .unwrap()
        .create(CreateToken::new("x", TokenType::Proxy))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::StoreUnavailable);
    for t in [Table::ApiToken, Table::ApiTokenDigest] {
        assert!(store.0.scan(t, b"", None, 10).unwrap().is_empty());
    }
}

/// Eight threads exchange the same refresh token at once: exactly one gets
/// a new pair; the others' retries find it invalidated, which is reuse, and
/// the family is revoked.
#[test]
fn racing_refreshes_give_one_pair_then_reuse_revokes_the_family() {
    let fx = fixture();
    let c = fx.create(TokenRotation::Always);
    let rt = c.refresh_token.unwrap().reveal().to_owned();
    let threads = 8;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let t = fx.tokens();
            let b = barrier.clone();
            let rt = rt.clone();
            std::thread::spawn(move || {
                b.wait();
                t.refresh(&rt)
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let wins: Vec<&Refreshed> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(wins.len(), 1, "exactly one new pair");
    for e in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            matches!(
                e.code(),
                ErrorCode::RefreshTokenReused | ErrorCode::InvalidState
            ),
            "{e}"
        );
    }
    assert!(results.iter().any(|r| {
        r.as_ref()
            .is_err_and(|e| e.code() == ErrorCode::RefreshTokenReused)
    }));
    let rt2 = wins[0].refresh_token.as_ref().unwrap();
    assert_state(&fx.tokens().refresh(rt2.reveal()).unwrap_err(), "REVOKED");
    assert_eq!(
        fx.tokens().get(&c.token.id).unwrap().state,
        TokenState::Revoked
    );
}

/// Concurrent first uses of a `ONCE_ON_NEXT_LOGIN` token rotate it exactly
/// once.
#[test]
fn racing_first_uses_rotate_exactly_once() {
    let fx = fixture();
    let c = fx.create(TokenRotation::OnceOnNextLogin);
    let v = c.value.reveal().to_owned();
    let threads = 8;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let t = fx.tokens();
            let b = barrier.clone();
            let v = v.clone();
            std::thread::spawn(move || {
                b.wait();
                t.authenticate(&v).map(|u| u.rotated_value.is_some())
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let rotated = results.iter().filter(|r| matches!(r, Ok(true))).count();
    assert_eq!(rotated, 1);
    for r in &results {
        if let Err(e) = r {
            assert_eq!(e.code(), ErrorCode::VerificationFailed, "{e}");
        }
    }
    assert_eq!(
        fx.tokens().get(&c.token.id).unwrap().token_rotation,
        TokenRotation::Never
    );
}

#[test]
fn list_returns_every_token_of_the_tenant() {
    let fx = fixture();
    let mut ids: Vec<String> = (0..300)
        .map(|_| fx.create(TokenRotation::Never).token.id)
        .collect();
    ids.sort();
    let listed: Vec<String> = fx
        .tokens()
        .list()
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(listed, ids);
}

mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn arbitrary_input_never_panics(s in "\\PC{0,120}") {
            let fx = fixture();
            prop_assert!(fx.tokens().authenticate(&s).is_err());
            prop_assert!(fx.tokens().refresh(&s).is_err());
            let _ = fx.tokens().get(&s);
            let _ = fx.tokens().update(&s, UpdateToken::named(s.clone()));
        }
    }
}
