//! [`MemoryStore`]: the in-process reference implementation of [`Store`].

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::{Op, Record, Store, StoreError, Table, Version, batch_has_duplicates};

/// The records of a [`MemoryStore`], by (table, key).
type Records = BTreeMap<(Table, Vec<u8>), Record>;

/// A [`Store`] in memory: one mutex around an ordered map. Not durable.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Records>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Records>, StoreError> {
        self.inner
            .lock()
            .map_err(|_| StoreError::Corrupt("memory store mutex poisoned"))
    }
}

impl Store for MemoryStore {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Record>, StoreError> {
        Ok(self.lock()?.get(&(table, key.to_vec())).cloned())
    }

    fn scan(
        &self,
        table: Table,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: u32,
    ) -> Result<Vec<(Vec<u8>, Record)>, StoreError> {
        let map = self.lock()?;
        let start = (table, prefix.to_vec());
        Ok(map
            .range(start..)
            .take_while(|((t, k), _)| *t == table && k.starts_with(prefix))
            .filter(|((_, k), _)| after.is_none_or(|a| k.as_slice() > a))
            .take(limit as usize)
            .map(|((_, k), r)| (k.clone(), r.clone()))
            .collect())
    }

    fn commit(&self, ops: &[Op]) -> Result<(), StoreError> {
        if batch_has_duplicates(ops) {
            return Err(StoreError::Conflict);
        }
        let mut map = self.lock()?;
        for op in ops {
            let (t, k, expect) = op.target();
            let current = map
                .get(&(t, k.to_vec()))
                .map_or(Version::ABSENT, |r| r.version);
            if current != expect {
                return Err(StoreError::Conflict);
            }
        }
        for op in ops {
            match op {
                Op::Put {
                    table,
                    key,
                    value,
                    expect,
                } => {
                    map.insert(
                        (*table, key.clone()),
                        Record {
                            value: value.clone(),
                            version: expect.next(),
                        },
                    );
                }
                Op::Delete { table, key, .. } => {
                    map.remove(&(*table, key.clone()));
                }
                Op::Check { .. } => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
crate::store_conformance!(conformance, MemoryStore::new);
