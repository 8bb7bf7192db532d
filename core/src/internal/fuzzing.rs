//! Each function feeds arbitrary bytes to a parser of outside input; none may
//! panic.

use std::sync::Arc;

use crate::envelope::{self, RecordAad};
use crate::kms::LocalKeyManager;
use crate::services::OsRandom;
use crate::store::{MemoryStore, Table};

/// Decodes `data` as every persisted record type.
pub fn record_codec(data: &[u8]) {
    let _ = crate::codec::decode::<ciborium::Value>(data, "fuzz");
    crate::secrets::fuzz_decode_record(data);
}

/// Opens `data` as a sealed envelope against a real local key manager.
pub fn envelope_open(data: &[u8]) {
    thread_local! {
        static KM: Option<LocalKeyManager> = {
            let store = Arc::new(MemoryStore::new());
            let root = crate::SecretBytes::new(vec![7u8; 32]);
            LocalKeyManager::new(store, Arc::new(OsRandom::new()), root).ok()
        };
    }
    let aad = RecordAad {
        tenant: "t",
        table: Table::SecretVersion,
        key: b"k",
        version: 1,
    };
    let _ = envelope::header(data);
    KM.with(|km| {
        if let Some(km) = km {
            let _ = envelope::open(km, &aad, data);
        }
    });
}
