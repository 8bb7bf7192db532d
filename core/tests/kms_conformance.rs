//! The KeyManager conformance suite, invoked from outside the crate the way
//! backend crates and bindings invoke it (feature `testing`).

use std::sync::Arc;

use credcycle::testing::SeededRng;
use credcycle::{KeyManager, LocalKeyManager, MemoryStore, SecretBytes};

credcycle::kms_conformance!(local_memory, || -> Arc<dyn KeyManager> {
    Arc::new(
        LocalKeyManager::new(
            Arc::new(MemoryStore::new()),
            Arc::new(SeededRng::new(11)),
            SecretBytes::from_slice(&[0x5a; 32]),
        )
        .expect("LocalKeyManager over a MemoryStore"),
    )
});
