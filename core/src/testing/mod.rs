//! Test support (feature `testing`): a settable [`FakeClock`], a
//! deterministic [`SeededRng`], and the conformance suites
//! [`store_conformance!`](crate::store_conformance) and
//! [`kms_conformance!`](crate::kms_conformance) that every `Store` and
//! `KeyManager` implementation runs, and the [`crash`] harness of the
//! durable stores' kill tests.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::services::{Clock, RandomError, SecureRandom, UnixTime};

pub mod crash;
mod kms;
pub mod store;

#[doc(hidden)]
pub use kms::verify_signature;

/// A clock that tests set and advance by hand.
#[derive(Debug, Default)]
pub struct FakeClock {
    now: AtomicI64,
}

impl FakeClock {
    /// A clock reading `start` seconds since the epoch.
    pub fn new(start: i64) -> Self {
        FakeClock {
            now: AtomicI64::new(start),
        }
    }

    /// Sets the time.
    pub fn set(&self, secs: i64) {
        self.now.store(secs, Ordering::SeqCst);
    }

    /// Moves the time forward by `secs`.
    pub fn advance(&self, secs: i64) {
        self.now.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for FakeClock {
    fn now(&self) -> UnixTime {
        UnixTime(self.now.load(Ordering::SeqCst))
    }
}

/// A deterministic generator for tests (xorshift-based; **not** secure).
#[derive(Debug)]
pub struct SeededRng {
    state: Mutex<u64>,
}

impl SeededRng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        SeededRng {
            state: Mutex::new(seed ^ 0x9E37_79B9_7F4A_7C15),
        }
    }
}

impl SecureRandom for SeededRng {
    fn fill(&self, buf: &mut [u8]) -> Result<(), RandomError> {
        let mut s = self.state.lock().map_err(|_| RandomError)?;
        for b in buf.iter_mut() {
            // splitmix64
            *s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = *s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            *b = (z & 0xff) as u8;
        }
        Ok(())
    }
}

/// A generator that always fails (to test error paths).
#[derive(Debug, Default)]
pub struct FailingRng;

impl SecureRandom for FailingRng {
    fn fill(&self, _buf: &mut [u8]) -> Result<(), RandomError> {
        Err(RandomError)
    }
}
