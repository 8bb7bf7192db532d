//! Replay guards for webhook receivers: a set of message ids already
//! accepted, each remembered until its timestamp can no longer pass the
//! tolerance check.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use crate::codec;
use crate::crypto::hazmat;
use crate::encoding::hex_encode;
use crate::error::{Error, Result};
use crate::services::UnixTime;
use crate::store::{Op, Store, StoreError, Table, Version};

/// A set of message ids seen by a receiver.
///
/// # Contract
/// `first_seen` returns `Ok(true)` exactly once per id while the id is
/// remembered (until `until`), even when called concurrently from many
/// threads or processes sharing the backing storage; every other call for
/// that id returns `Ok(false)`. After `until` the id may be accepted again.
/// Thread-safe; must not call back into the engine.
pub trait SeenSet: Send + Sync + fmt::Debug {
    /// Records `id` as seen until `until`; whether it was new.
    ///
    /// # Errors
    /// Backend failures.
    fn first_seen(&self, id: &str, until: UnixTime, now: UnixTime) -> Result<bool>;
}

/// An in-process seen-set (one receiver process).
#[derive(Debug, Default)]
pub struct MemorySeenSet {
    seen: Mutex<HashMap<String, i64>>,
}

impl MemorySeenSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }
}

impl SeenSet for MemorySeenSet {
    fn first_seen(&self, id: &str, until: UnixTime, now: UnixTime) -> Result<bool> {
        let mut seen = self
            .seen
            .lock()
            .map_err(|_| Error::Internal("seen-set lock poisoned"))?;
        if seen.len() > 100_000 {
            seen.retain(|_, exp| *exp > now.secs());
        }
        match seen.get(id) {
            Some(exp) if *exp > now.secs() => Ok(false),
            _ => {
                seen.insert(id.to_owned(), until.secs());
                Ok(true)
            }
        }
    }
}

/// A seen-set kept in a [`Store`] (table [`Table::WebhookSeen`]), shared by
/// every receiver process on that store. Exactly-once comes from the store's
/// compare-and-swap: of racing callers, one `Put` wins.
#[derive(Clone)]
pub struct StoreSeenSet {
    store: Arc<dyn Store>,
    namespace: String,
}

impl fmt::Debug for StoreSeenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreSeenSet")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct SeenRecord {
    until: i64,
}

impl StoreSeenSet {
    /// A set in `store` under `namespace` (for example the receiving
    /// endpoint's name), so receivers can keep separate sets.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `namespace` unless 1..=64 characters of
    /// `[A-Za-z0-9_.-]`.
    pub fn new(store: Arc<dyn Store>, namespace: &str) -> Result<Self> {
        crate::namespace::check_name("namespace", namespace, 64)?;
        Ok(StoreSeenSet {
            store,
            namespace: namespace.to_owned(),
        })
    }

    fn key(&self, id: &str) -> Vec<u8> {
        // The id is outside input: store its digest, so any spelling is a
        // fixed-size key under this namespace.
        format!(
            "@webhook-seen/{}/{}",
            self.namespace,
            hex_encode(&hazmat::sha256(id.as_bytes()))
        )
        .into_bytes()
    }
}

impl SeenSet for StoreSeenSet {
    fn first_seen(&self, id: &str, until: UnixTime, now: UnixTime) -> Result<bool> {
        let key = self.key(id);
        let expect = match self.store.get(Table::WebhookSeen, &key)? {
            None => Version::ABSENT,
            Some(r) => {
                let rec: SeenRecord = codec::decode(&r.value, "webhook seen id")?;
                if rec.until > now.secs() {
                    return Ok(false);
                }
                r.version
            }
        };
        let value = codec::encode(&SeenRecord {
            until: until.secs(),
        })?;
        match self.store.commit(&[Op::Put {
            table: Table::WebhookSeen,
            key,
            value,
            expect,
        }]) {
            Ok(()) => Ok(true),
            // Another receiver recorded it first.
            Err(StoreError::Conflict) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}
