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

/// Most entries one [`StoreSeenSet`] insertion looks at for pruning.
pub const PRUNE_BATCH: u32 = 16;

/// A seen-set kept in a [`Store`] (table [`Table::WebhookSeen`]), shared by
/// every receiver process on that store. Exactly-once comes from the store's
/// compare-and-swap: of racing callers, one `Put` wins.
///
/// Entries are pruned as ids are recorded: each call first looks at up to
/// [`PRUNE_BATCH`] entries of the namespace, continuing where the previous
/// call of this handle (or its clones) stopped and wrapping around, and
/// deletes those whose `until` has passed (with compare-and-swap, so an
/// entry re-recorded meanwhile stays). As each call adds at most one entry
/// and examines up to 16, the set holds little more than the ids of the
/// tolerance window.
#[derive(Clone)]
pub struct StoreSeenSet {
    store: Arc<dyn Store>,
    namespace: String,
    /// The last key the pruning pass examined (`None`: start over).
    cursor: Arc<Mutex<Option<Vec<u8>>>>,
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
            cursor: Arc::new(Mutex::new(None)),
        })
    }

    fn prefix(&self) -> Vec<u8> {
        format!("@webhook-seen/{}/", self.namespace).into_bytes()
    }

    fn key(&self, id: &str) -> Vec<u8> {
        // The id is outside input: store its digest, so any spelling is a
        // fixed-size key under this namespace.
        let mut key = self.prefix();
        key.extend_from_slice(hex_encode(&hazmat::sha256(id.as_bytes())).as_bytes());
        key
    }

    /// Deletes the expired entries among the next [`PRUNE_BATCH`] of the
    /// namespace. Bounded: one scan and at most one commit.
    fn prune(&self, now: UnixTime) -> Result<()> {
        let lock = || {
            self.cursor
                .lock()
                .map_err(|_| Error::Internal("seen-set lock poisoned"))
        };
        // Not held across the scan: concurrent callers may look at the same
        // entries, which only costs a conflict.
        let after = lock()?.clone();
        let page = self.store.scan(
            Table::WebhookSeen,
            &self.prefix(),
            after.as_deref(),
            PRUNE_BATCH,
        )?;
        *lock()? = if page.len() < PRUNE_BATCH as usize {
            None
        } else {
            page.last().map(|(k, _)| k.clone())
        };
        let ops: Vec<Op> = page
            .into_iter()
            .filter(|(_, r)| {
                // An undecodable entry is left for `first_seen` to report.
                codec::decode::<SeenRecord>(&r.value, "webhook seen id")
                    .is_ok_and(|rec| rec.until <= now.secs())
            })
            .map(|(key, r)| Op::Delete {
                table: Table::WebhookSeen,
                key,
                expect: r.version,
            })
            .collect();
        if ops.is_empty() {
            return Ok(());
        }
        match self.store.commit(&ops) {
            // Another receiver pruned or re-recorded one of them: the next
            // pass sees what is left.
            Ok(()) | Err(StoreError::Conflict) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

impl SeenSet for StoreSeenSet {
    fn first_seen(&self, id: &str, until: UnixTime, now: UnixTime) -> Result<bool> {
        // Before recording: a failure here leaves nothing recorded.
        self.prune(now)?;
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
