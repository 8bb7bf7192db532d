//! The process-wide PKCS#11 contexts (one `C_Initialize` per module), the
//! login registry, and a pool of sessions on one token.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::RvError;
use cryptoki::session::Session;
use cryptoki::slot::Slot;

use crate::error::{Pkcs11Error, rv, session_lost};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every guarded value here is consistent after a panic (maps, lists).
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One initialized context per module path, for the life of the process:
/// `C_Initialize` may run only once per process, and `C_Finalize` would end
/// every other user's sessions.
fn contexts() -> &'static Mutex<HashMap<PathBuf, Pkcs11>> {
    static CONTEXTS: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    CONTEXTS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The context of `module`, loading and initializing it on first use.
pub(crate) fn context(module: &Path) -> Result<Pkcs11, Pkcs11Error> {
    let mut map = lock(contexts());
    if let Some(ctx) = map.get(module) {
        return Ok(ctx.clone());
    }
    let fail = |reason: String| Pkcs11Error::Module {
        module: module.display().to_string(),
        reason,
    };
    let ctx = Pkcs11::new(module).map_err(|e| fail(e.to_string()))?;
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) => {}
        // Someone else in the process initialized it: usable as is.
        Err(e) if rv(&e) == Some(RvError::CryptokiAlreadyInitialized) => {}
        Err(e) => return Err(fail(e.to_string())),
    }
    map.insert(module.to_path_buf(), ctx.clone());
    Ok(ctx)
}

/// PIN digests by (module, slot id).
type LoginDigests = HashMap<(PathBuf, u64), [u8; 32]>;

/// Digests of the PINs that logged in successfully, per (module, slot): a
/// second manager on a token this process is already logged in to cannot
/// have its PIN checked by the token (`C_Login` answers "already logged
/// in"), so it is checked against the one that worked.
fn logins() -> &'static Mutex<LoginDigests> {
    static LOGINS: OnceLock<Mutex<LoginDigests>> = OnceLock::new();
    LOGINS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// A per-process random salt for the PIN digests.
fn salt() -> &'static [u8; 32] {
    static SALT: OnceLock<[u8; 32]> = OnceLock::new();
    SALT.get_or_init(|| {
        let mut s = [0u8; 32];
        // A failure leaves zeros: the digest is then unsalted, which only
        // matters to someone who can already read this process's memory.
        let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut s);
        s
    })
}

fn pin_digest(pin: &str) -> [u8; 32] {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(salt());
    ctx.update(pin.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// Compares two digests without an early exit.
fn same_digest(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Logs the user in on `session` (which makes every session of this
/// process on the token logged in).
pub(crate) fn login(
    module: &Path,
    slot: Slot,
    token: &str,
    session: &Session,
    pin: &str,
) -> Result<(), Pkcs11Error> {
    let key = (module.to_path_buf(), slot.id());
    let digest = pin_digest(pin);
    let auth = cryptoki::types::AuthPin::from(pin.to_owned());
    match session.login(cryptoki::session::UserType::User, Some(&auth)) {
        Ok(()) => {
            lock(logins()).insert(key, digest);
            Ok(())
        }
        Err(e) => match rv(&e) {
            Some(RvError::UserAlreadyLoggedIn) => match lock(logins()).get(&key) {
                Some(known) if !same_digest(known, &digest) => Err(Pkcs11Error::WrongPin {
                    token: token.to_owned(),
                }),
                _ => Ok(()),
            },
            Some(RvError::PinIncorrect | RvError::PinInvalid | RvError::PinLenRange) => {
                Err(Pkcs11Error::WrongPin {
                    token: token.to_owned(),
                })
            }
            Some(RvError::PinLocked) => Err(Pkcs11Error::PinLocked {
                token: token.to_owned(),
            }),
            _ => Err(Pkcs11Error::Call {
                operation: "login",
                source: e,
            }),
        },
    }
}

/// Read-write sessions on one token. One session (the anchor) stays open
/// for the life of the pool so that the login lasts; the others are opened
/// on demand and kept idle for reuse.
pub(crate) struct Sessions {
    ctx: Pkcs11,
    slot: Slot,
    idle: Mutex<Vec<Session>>,
    _anchor: Mutex<Session>,
}

impl Sessions {
    pub(crate) fn new(ctx: Pkcs11, slot: Slot, anchor: Session) -> Sessions {
        Sessions {
            ctx,
            slot,
            idle: Mutex::new(Vec::new()),
            _anchor: Mutex::new(anchor),
        }
    }

    /// Runs `f` on an idle session (or a new one). The session goes back to
    /// the pool unless `f` failed in a way that lost it.
    pub(crate) fn with<T>(
        &self,
        f: impl FnOnce(&Session) -> Result<T, SessionError>,
    ) -> Result<T, SessionError> {
        let popped = lock(&self.idle).pop();
        let session = match popped {
            Some(s) => s,
            None => self
                .ctx
                .open_rw_session(self.slot)
                .map_err(|e| SessionError::Ck("open session", e))?,
        };
        let result = f(&session);
        let lost = matches!(&result, Err(SessionError::Ck(_, e)) if session_lost(e));
        if !lost {
            lock(&self.idle).push(session);
        }
        result
    }
}

/// An error inside [`Sessions::with`].
pub(crate) enum SessionError {
    /// A failed call, with what was being done.
    Ck(&'static str, cryptoki::error::Error),
    /// A key manager answer (not found, wrong state, …).
    Kms(credcycle::KmsError),
}

impl From<credcycle::KmsError> for SessionError {
    fn from(e: credcycle::KmsError) -> Self {
        SessionError::Kms(e)
    }
}

impl From<Pkcs11Error> for SessionError {
    fn from(e: Pkcs11Error) -> Self {
        SessionError::Kms(e.into())
    }
}

impl From<SessionError> for credcycle::KmsError {
    fn from(e: SessionError) -> Self {
        match e {
            SessionError::Ck(op, e) => crate::error::call(op, e),
            SessionError::Kms(e) => e,
        }
    }
}
