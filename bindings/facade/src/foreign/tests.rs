//! The adapters pass the engine's own conformance suites: a plain-typed
//! in-memory store, and a plain-typed key manager delegating to
//! `LocalKeyManager` (so every error crosses the plain form both ways).

use std::collections::BTreeMap;
use std::sync::Mutex;

use credcycle::testing::SeededRng;
use credcycle::{LocalKeyManager, MemoryStore};

use super::*;

/// (table, key) → (value, version).
type Rows = BTreeMap<(u32, Vec<u8>), (Vec<u8>, u64)>;

/// A plain-typed store, written as a binding's user would.
#[derive(Default)]
struct PlainMapStore {
    map: Mutex<Rows>,
}

impl ForeignStore for PlainMapStore {
    fn get(&self, table: u32, key: &[u8]) -> Result<Option<StoredRecord>, ForeignError> {
        let map = self
            .map
            .lock()
            .map_err(|_| ForeignError::store_backend("poisoned"))?;
        Ok(map.get(&(table, key.to_vec())).map(|(v, n)| StoredRecord {
            value: v.clone(),
            version: *n,
        }))
    }

    fn scan(
        &self,
        table: u32,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: u32,
    ) -> Result<Vec<ScanEntry>, ForeignError> {
        let map = self
            .map
            .lock()
            .map_err(|_| ForeignError::store_backend("poisoned"))?;
        Ok(map
            .range((table, prefix.to_vec())..)
            .take_while(|((t, k), _)| *t == table && k.starts_with(prefix))
            .filter(|((_, k), _)| after.is_none_or(|a| k.as_slice() > a))
            .take(limit as usize)
            .map(|((_, k), (v, n))| ScanEntry {
                key: k.clone(),
                value: v.clone(),
                version: *n,
            })
            .collect())
    }

    fn commit(&self, ops: &[StoreOp]) -> Result<(), ForeignError> {
        let mut map = self
            .map
            .lock()
            .map_err(|_| ForeignError::store_backend("poisoned"))?;
        let mut seen = std::collections::HashSet::new();
        for op in ops {
            if !seen.insert((op.table, op.key.clone())) {
                return Err(ForeignError::conflict());
            }
            let cur = map.get(&(op.table, op.key.clone())).map_or(0, |r| r.1);
            if cur != op.expect {
                return Err(ForeignError::conflict());
            }
        }
        for op in ops {
            match op.kind {
                StoreOpKind::Put => {
                    map.insert(
                        (op.table, op.key.clone()),
                        (op.value.clone(), op.expect + 1),
                    );
                }
                StoreOpKind::Delete => {
                    map.remove(&(op.table, op.key.clone()));
                }
                StoreOpKind::Check => {}
            }
        }
        Ok(())
    }
}

credcycle::store_conformance!(foreign_store, || store_from_foreign(Arc::new(
    PlainMapStore::default()
)));

/// A plain-typed key manager delegating to a `LocalKeyManager`.
struct PlainDelegate(LocalKeyManager);

fn id(s: &str) -> Result<KeyId, ForeignError> {
    KeyId::new(s).map_err(ForeignError::from)
}

impl ForeignKeyManager for PlainDelegate {
    fn create_key(&self, key: &str, algorithm: &str) -> Result<KeyInfo, ForeignError> {
        let alg = KeyAlgorithm::parse(algorithm)
            .ok_or_else(|| ForeignError::new(1004, "algorithm: unknown"))?;
        Ok(self.0.create_key(&id(key)?, alg)?.into())
    }
    fn key_info(&self, key: &str) -> Result<Option<KeyInfo>, ForeignError> {
        Ok(self.0.key_info(&id(key)?)?.map(KeyInfo::from))
    }
    fn list_keys(&self) -> Result<Vec<KeyInfo>, ForeignError> {
        Ok(self.0.list_keys()?.into_iter().map(KeyInfo::from).collect())
    }
    fn rotate_key(&self, key: &str) -> Result<KeyInfo, ForeignError> {
        Ok(self.0.rotate_key(&id(key)?)?.into())
    }
    fn set_key_state(&self, key: &str, state: &str) -> Result<KeyInfo, ForeignError> {
        let st = parse_key_state(state).ok_or_else(|| ForeignError::new(1004, "state"))?;
        Ok(self.0.set_key_state(&id(key)?, st)?.into())
    }
    fn wrap(&self, key: &str, dek: &[u8], aad: &[u8]) -> Result<WrappedKeyData, ForeignError> {
        let w = self.0.wrap(&id(key)?, &SecretBytes::from_slice(dek), aad)?;
        Ok(WrappedKeyData {
            key: w.key.as_str().to_owned(),
            version: w.version,
            ciphertext: w.ciphertext,
        })
    }
    fn unwrap(&self, w: &WrappedKeyData, aad: &[u8]) -> Result<Vec<u8>, ForeignError> {
        let wrapped = WrappedKey {
            key: id(&w.key)?,
            version: w.version,
            ciphertext: w.ciphertext.clone(),
        };
        Ok(self.0.unwrap(&wrapped, aad)?.expose().to_vec())
    }
    fn sign(&self, key: &str, msg: &[u8]) -> Result<Vec<u8>, ForeignError> {
        Ok(self.0.sign(&id(key)?, msg)?)
    }
    fn public_key(&self, key: &str) -> Result<Vec<u8>, ForeignError> {
        Ok(self.0.public_key(&id(key)?)?)
    }
}

fn delegating_manager() -> Arc<dyn KeyManager> {
    let local = LocalKeyManager::new(
        Arc::new(MemoryStore::new()),
        Arc::new(SeededRng::new(3)),
        SecretBytes::from_slice(&[9; 32]),
    )
    .expect("local key manager");
    key_manager_from_foreign(Arc::new(PlainDelegate(local)))
}

credcycle::kms_conformance!(foreign_key_manager, delegating_manager);

#[test]
fn unknown_codes_become_backend_errors_with_their_message() {
    let s = StoreError::from(ForeignError::new(77, "disk on fire"));
    assert!(matches!(s, StoreError::Backend(_)));
    assert_eq!(s.to_string(), "backend: disk on fire");
    let k = KmsError::from(ForeignError::new(1202, "not-a-state"));
    assert_eq!(k.to_string(), "backend: not-a-state");
    let e = credcycle::Error::from(StoreError::from(ForeignError::new(1102, "x")));
    assert_eq!(e.code(), ErrorCode::StoreUnavailable);
}

#[test]
fn version_zero_records_break_the_contract() {
    struct Bad;
    impl ForeignStore for Bad {
        fn get(&self, _: u32, _: &[u8]) -> Result<Option<StoredRecord>, ForeignError> {
            Ok(Some(StoredRecord {
                value: vec![],
                version: 0,
            }))
        }
        fn scan(
            &self,
            _: u32,
            _: &[u8],
            _: Option<&[u8]>,
            _: u32,
        ) -> Result<Vec<ScanEntry>, ForeignError> {
            Ok(vec![
                ScanEntry {
                    key: vec![1],
                    value: vec![],
                    version: 1
                };
                3
            ])
        }
        fn commit(&self, _: &[StoreOp]) -> Result<(), ForeignError> {
            Ok(())
        }
    }
    let s = store_from_foreign(Arc::new(Bad));
    assert!(matches!(
        s.get(Table::Meta, b"k"),
        Err(StoreError::Backend(_))
    ));
    assert!(matches!(
        s.scan(Table::Meta, b"", None, 2),
        Err(StoreError::Backend(_))
    ));
}
