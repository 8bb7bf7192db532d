//! What the identities and MFA handles share: record keys, audit, API
//! session resolution (with the sliding idle timeout), and the failed-attempt
//! counters.

use super::record::{IdentityRecord, LockoutRecord, SessionRecord};
use super::{SESSION_TOKEN_PREFIX, Subject};
use crate::audit;
use crate::codec;
use crate::encoding::hex_encode;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::namespace::TenantId;
use crate::services::UnixTime;
use crate::store::{Op, Store, Table, Version};
use crate::token;

/// Longest id accepted in a lookup (UUIDs are 36).
const MAX_ID_LEN: usize = 64;

/// What a session must have done before an operation is allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Gate {
    /// Allowed to every live session (`current_session`, `logout`).
    Any,
    /// MFA operations: allowed while MFA is owed.
    Mfa,
    /// Changing one's own password: allowed while a password change is
    /// required, not while MFA is owed.
    PasswordChange,
    /// Everything else.
    Full,
}

/// A session loaded for an operation.
#[derive(Clone, Debug)]
pub(crate) struct LoadedSession {
    pub(crate) key: Vec<u8>,
    pub(crate) rec: SessionRecord,
}

/// The identity an operation acts for, and its session if it came with one.
#[derive(Clone, Debug)]
pub(crate) struct Resolved {
    pub(crate) identity_id: String,
    pub(crate) session: Option<LoadedSession>,
}

/// A failure counter as read, with its version for the CAS.
#[derive(Clone, Debug)]
pub(crate) struct LockState {
    pub(crate) key: Vec<u8>,
    pub(crate) rec: LockoutRecord,
    pub(crate) version: Version,
}

/// The factors with their own failure counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Factor {
    Password,
    Mfa,
}

impl Factor {
    fn as_str(self) -> &'static str {
        match self {
            Factor::Password => "password",
            Factor::Mfa => "mfa",
        }
    }
}

/// Engine, tenant and actor of a handle.
#[derive(Clone, Debug)]
pub(crate) struct Ctx {
    pub(crate) engine: Engine,
    pub(crate) tenant: TenantId,
    pub(crate) actor: String,
}

impl Ctx {
    pub(crate) fn new(engine: Engine, tenant: TenantId) -> Self {
        Ctx {
            engine,
            tenant,
            actor: "engine".to_owned(),
        }
    }

    pub(crate) fn set_actor(&mut self, actor: &str) {
        self.actor = actor
            .chars()
            .filter(|c| !c.is_control())
            .take(128)
            .collect();
    }

    pub(crate) fn store(&self) -> &dyn Store {
        self.engine.services().store.as_ref()
    }

    pub(crate) fn now(&self) -> UnixTime {
        self.engine.services().clock.now()
    }

    pub(crate) fn idle_secs(&self) -> i64 {
        i64::from(self.engine.policy().api_session_idle_timeout_secs)
    }

    pub(crate) fn max_life_secs(&self) -> i64 {
        i64::from(self.engine.policy().api_session_max_lifetime_secs)
    }

    // ---- keys ------------------------------------------------------------

    pub(crate) fn identity_key(&self, id: &str) -> Vec<u8> {
        self.tenant.key(&["identity", id])
    }

    pub(crate) fn identity_name_key(&self, name: &str) -> Vec<u8> {
        self.tenant
            .key(&["identity-name", &hex_encode(name.as_bytes())])
    }

    pub(crate) fn username_key(&self, username: &str) -> Vec<u8> {
        self.tenant
            .key(&["username", &hex_encode(username.as_bytes())])
    }

    pub(crate) fn cert_key(&self, fingerprint_hex: &str) -> Vec<u8> {
        self.tenant.key(&["cert", fingerprint_hex])
    }

    pub(crate) fn signer_name_key(&self, name: &str) -> Vec<u8> {
        self.tenant.key(&["ext-jwt-signer-name", name])
    }

    pub(crate) fn authenticator_key(&self, id: &str) -> Vec<u8> {
        self.tenant.key(&["authenticator", id])
    }

    pub(crate) fn signer_key(&self, id: &str) -> Vec<u8> {
        self.tenant.key(&["ext-jwt-signer", id])
    }

    pub(crate) fn session_key(&self, digest_hex: &str) -> Vec<u8> {
        self.tenant.key(&["api-session", digest_hex])
    }

    pub(crate) fn session_index_key(&self, identity_id: &str, session_id: &str) -> Vec<u8> {
        self.tenant.key(&[identity_id, session_id])
    }

    pub(crate) fn session_index_prefix(&self, identity_id: &str) -> Vec<u8> {
        self.tenant.prefix(&[identity_id])
    }

    pub(crate) fn mfa_key(&self, identity_id: &str) -> Vec<u8> {
        self.tenant.key(&["mfa", identity_id])
    }

    fn lockout_key(&self, identity_id: &str, factor: Factor) -> Vec<u8> {
        self.tenant.key(&[identity_id, factor.as_str()])
    }

    // ---- reads -----------------------------------------------------------

    pub(crate) fn get<T: serde::de::DeserializeOwned>(
        &self,
        table: Table,
        key: &[u8],
        what: &'static str,
    ) -> Result<Option<(T, Version)>> {
        match self.store().get(table, key)? {
            Some(r) => Ok(Some((codec::decode(&r.value, what)?, r.version))),
            None => Ok(None),
        }
    }

    /// Loads identity `id`.
    pub(crate) fn load_identity(&self, id: &str) -> Result<(IdentityRecord, Version)> {
        check_id("identity_id", id)?;
        self.get(Table::Identity, &self.identity_key(id), "identity")?
            .ok_or(Error::NotFound { what: "identity" })
    }

    // ---- audit -----------------------------------------------------------

    /// The ops that append an event to the identity's audit chain
    /// (`identity:<id>`).
    pub(crate) fn audit_ops(
        &self,
        identity_id: &str,
        action: &str,
        outcome: &str,
    ) -> Result<Vec<Op>> {
        audit::append(
            &self.engine,
            &self.tenant,
            &self.actor,
            &format!("identity:{identity_id}"),
            action,
            outcome,
            self.now(),
        )
    }

    /// Commits an audit event on its own (rejected replays, refusals while
    /// locked, failed attempts), retrying lost races on the chain head.
    pub(crate) fn audit_only(&self, identity_id: &str, action: &str, outcome: &str) -> Result<()> {
        self.engine.retry(|| {
            let ops = self.audit_ops(identity_id, action, outcome)?;
            self.store().commit(&ops)?;
            Ok(())
        })
    }

    // ---- sessions --------------------------------------------------------

    /// Resolves who an operation acts for, enforcing the session rules of
    /// `gate` for `operation`.
    pub(crate) fn resolve(
        &self,
        who: Subject<'_>,
        gate: Gate,
        operation: &'static str,
    ) -> Result<Resolved> {
        match who {
            Subject::Identity(id) => {
                self.load_identity(id)?;
                Ok(Resolved {
                    identity_id: id.to_owned(),
                    session: None,
                })
            }
            Subject::Session(token) => {
                let s = self.touch_session(token)?;
                let pending = s.rec.mfa_required && !s.rec.mfa_complete;
                match gate {
                    Gate::Any | Gate::Mfa => {}
                    Gate::PasswordChange if pending => {
                        return Err(Error::MfaRequired { operation });
                    }
                    Gate::PasswordChange => {}
                    Gate::Full if pending => return Err(Error::MfaRequired { operation }),
                    Gate::Full if s.rec.password_change_required => {
                        return Err(Error::PasswordChangeRequired { operation });
                    }
                    Gate::Full => {}
                }
                Ok(Resolved {
                    identity_id: s.rec.identity_id.clone(),
                    session: Some(s),
                })
            }
        }
    }

    /// The session key of a token (syntax and checksum checked, no store
    /// read).
    pub(crate) fn session_key_of(&self, token_text: &str) -> Result<Vec<u8>> {
        let digest = token::parse(SESSION_TOKEN_PREFIX, token_text)?;
        Ok(self.session_key(&digest.to_hex()))
    }

    /// Loads a live session and slides its idle timeout (one write per
    /// session per second at most). Unknown, malformed, logged-out and
    /// expired tokens all give [`Error::VerificationFailed`]; an expired
    /// session is deleted on the way.
    pub(crate) fn touch_session(&self, token_text: &str) -> Result<LoadedSession> {
        let key = self.session_key_of(token_text)?;
        self.engine.retry(|| {
            let Some((mut rec, ver)) =
                self.get::<SessionRecord>(Table::ApiSession, &key, "api session")?
            else {
                return Err(Error::VerificationFailed);
            };
            let now = self.now().0;
            if now >= rec.expires_at(self.idle_secs(), self.max_life_secs()) {
                let ops = self.end_session_ops(key.clone(), ver, &rec)?;
                self.store().commit(&ops)?;
                return Err(Error::VerificationFailed);
            }
            if now > rec.last_activity_time {
                rec.last_activity_time = now;
                self.store().commit(&[Op::Put {
                    table: Table::ApiSession,
                    key: key.clone(),
                    value: codec::encode(&rec)?,
                    expect: ver,
                }])?;
            }
            Ok(LoadedSession {
                key: key.clone(),
                rec,
            })
        })
    }

    /// Re-reads a session for a commit that changes it; `None` if it is gone.
    pub(crate) fn reload_session(&self, key: &[u8]) -> Result<Option<(SessionRecord, Version)>> {
        self.get(Table::ApiSession, key, "api session")
    }

    /// The ops that end a session: delete its record (expected at `ver`),
    /// its index entry and the certificates issued for it.
    pub(crate) fn end_session_ops(
        &self,
        key: Vec<u8>,
        ver: Version,
        rec: &SessionRecord,
    ) -> Result<Vec<Op>> {
        let mut ops = vec![
            Op::Delete {
                table: Table::ApiSession,
                key,
                expect: ver,
            },
            self.delete_index_op(rec)?,
        ];
        ops.extend(
            crate::enrollment::Enrollment::new(self.engine.clone(), self.tenant.clone())
                .session_cert_cleanup_ops(std::slice::from_ref(&rec.id))?,
        );
        Ok(ops)
    }

    /// The op that deletes a session's index entry (with its current
    /// version).
    pub(crate) fn delete_index_op(&self, rec: &SessionRecord) -> Result<Op> {
        let ik = self.session_index_key(&rec.identity_id, &rec.id);
        let expect = self
            .store()
            .get(Table::ApiSessionIndex, &ik)?
            .map_or(Version::ABSENT, |r| r.version);
        Ok(Op::Delete {
            table: Table::ApiSessionIndex,
            key: ik,
            expect,
        })
    }

    // ---- failure counters ------------------------------------------------

    pub(crate) fn load_lock(&self, identity_id: &str, factor: Factor) -> Result<LockState> {
        let key = self.lockout_key(identity_id, factor);
        Ok(
            match self.get::<LockoutRecord>(Table::Lockout, &key, "lockout")? {
                Some((rec, version)) => LockState { key, rec, version },
                None => LockState {
                    key,
                    rec: LockoutRecord::default(),
                    version: Version::ABSENT,
                },
            },
        )
    }

    /// The failure counters of an identity, for deletion with it.
    pub(crate) fn lock_delete_ops(&self, identity_id: &str) -> Result<Vec<Op>> {
        let mut ops = Vec::new();
        for f in [Factor::Password, Factor::Mfa] {
            let l = self.load_lock(identity_id, f)?;
            if l.version != Version::ABSENT {
                ops.push(Op::Delete {
                    table: Table::Lockout,
                    key: l.key,
                    expect: l.version,
                });
            }
        }
        Ok(ops)
    }
}

impl LockState {
    /// [`Error::Locked`] while the lock lasts.
    pub(crate) fn check(&self, what: &'static str, now: UnixTime) -> Result<()> {
        match self.rec.locked_until {
            Some(until) if until > now.0 => Err(Error::Locked { what, until }),
            _ => Ok(()),
        }
    }

    /// The op that records one more failure, and whether it starts a lock.
    pub(crate) fn failure_op(
        &self,
        now: UnixTime,
        threshold: u32,
        lock_secs: u32,
    ) -> Result<(Op, bool)> {
        let mut rec = self.rec.clone();
        if rec.locked_until.is_some_and(|u| u <= now.0) {
            // An expired lock starts a fresh count.
            rec = LockoutRecord::default();
        }
        rec.failures = rec.failures.saturating_add(1);
        let locks = rec.failures >= threshold;
        if locks {
            rec.locked_until = Some(now.plus(i64::from(lock_secs)).0);
        }
        Ok((
            Op::Put {
                table: Table::Lockout,
                key: self.key.clone(),
                value: codec::encode(&rec)?,
                expect: self.version,
            },
            locks,
        ))
    }

    /// The op that clears the counter after a success (none if there is
    /// nothing to clear).
    pub(crate) fn reset_op(&self) -> Option<Op> {
        (self.version != Version::ABSENT).then(|| Op::Delete {
            table: Table::Lockout,
            key: self.key.clone(),
            expect: self.version,
        })
    }
}

/// Checks an id used in a lookup: 1..=64 of `[A-Za-z0-9_.-]`.
pub(crate) fn check_id(field: &'static str, id: &str) -> Result<()> {
    crate::namespace::check_name(field, id, MAX_ID_LEN)
}

/// A fresh random UUID (v4) from the engine's generator.
pub(crate) fn new_uuid(engine: &Engine) -> Result<String> {
    let mut b = [0u8; 16];
    engine
        .services()
        .rng
        .fill(&mut b)
        .map_err(|_| Error::Random)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex_encode(&b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

/// `Put` of an encoded record.
pub(crate) fn put<T: serde::Serialize>(
    table: Table,
    key: Vec<u8>,
    rec: &T,
    expect: Version,
) -> Result<Op> {
    Ok(Op::Put {
        table,
        key,
        value: codec::encode(rec)?,
        expect,
    })
}
