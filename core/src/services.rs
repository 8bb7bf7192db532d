//! The [`Clock`] and [`SecureRandom`] plug-in traits and the [`Services`]
//! bundle of all four plug-ins.

use std::fmt;
use std::sync::Arc;

use crate::kms::KeyManager;
use crate::store::Store;

/// Seconds since the Unix epoch (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UnixTime(pub i64);

impl UnixTime {
    /// Seconds since the epoch.
    pub fn secs(self) -> i64 {
        self.0
    }

    /// This time plus `secs` seconds (saturating).
    pub fn plus(self, secs: i64) -> UnixTime {
        UnixTime(self.0.saturating_add(secs))
    }
}

/// The source of "now" for every expiry, TTL, step and audit time.
///
/// Tests inject a fake clock; nothing in the engine reads the wall clock
/// except through this trait.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> UnixTime;
}

/// The system wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> UnixTime {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        UnixTime(secs)
    }
}

/// The random generator failed (the OS source is unavailable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("random generator failed")]
pub struct RandomError;

/// A cryptographically secure random generator.
pub trait SecureRandom: Send + Sync + fmt::Debug {
    /// Fills `buf` with random bytes.
    ///
    /// # Errors
    /// When the underlying source fails; `buf` must then not be used.
    fn fill(&self, buf: &mut [u8]) -> Result<(), RandomError>;
}

/// The operating system's generator, through ring.
#[derive(Debug)]
pub struct OsRandom {
    rng: ring::rand::SystemRandom,
}

impl OsRandom {
    /// The OS generator.
    pub fn new() -> Self {
        OsRandom {
            rng: ring::rand::SystemRandom::new(),
        }
    }
}

impl Default for OsRandom {
    fn default() -> Self {
        Self::new()
    }
}

impl SecureRandom for OsRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), RandomError> {
        ring::rand::SecureRandom::fill(&self.rng, buf).map_err(|_| RandomError)
    }
}

/// Everything the engine takes from the outside world. Fields are public so a
/// caller can replace one part and keep the rest.
#[derive(Clone, Debug)]
pub struct Services {
    /// Persistence.
    pub store: Arc<dyn Store>,
    /// Key custody.
    pub keys: Arc<dyn KeyManager>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Randomness.
    pub rng: Arc<dyn SecureRandom>,
}
