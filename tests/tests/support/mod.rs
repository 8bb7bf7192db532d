//! The backends the cross-engine suites (`tokens.rs`, `mfa.rs`) run their
//! scenarios on. A scenario is a `fn(&dyn Backend)`; it builds several
//! engines, each on its own store handle to one shared database (as
//! separate processes would have), sharing one key space.
//! [`on_backends!`] turns scenarios into one test per backend:
//!
//! - `sqlite::NAME`: a fresh SQLite file and the local key manager;
//! - `postgres_pkcs11::NAME`: a fresh database on the server of
//!   `CREDCYCLE_TEST_PG_URL` and a fresh namespace on the SoftHSM2 token of
//!   `CREDCYCLE_TEST_PKCS11` (both started by `scripts/services.sh`). It
//!   returns early with a notice when they are unset, unless
//!   `CREDCYCLE_REQUIRE_SERVICES=1`.
#![allow(clippy::unwrap_used, unreachable_pub, dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use credcycle::{
    Clock, Engine, KeyManager, LocalKeyManager, Policy, SecretBytes, SecureRandom, Store,
};
use credcycle_pkcs11::Pkcs11KeyManager;
use credcycle_postgres::PostgresStore;
use credcycle_sqlite::SqliteStore;

/// The local key manager's root key in the SQLite runs.
const ROOT: [u8; 32] = [7u8; 32];

/// One shared database and key space.
pub trait Backend {
    /// A new handle on the database, as another process would open it.
    fn store(&self) -> Arc<dyn Store>;
    /// The key manager of an engine on `store` (every engine of the
    /// backend sees the same keys).
    fn keys(&self, store: Arc<dyn Store>, rng: Arc<dyn SecureRandom>) -> Arc<dyn KeyManager>;
}

/// An engine on a new handle of `backend`.
pub fn engine(
    backend: &dyn Backend,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn SecureRandom>,
    policy: Policy,
) -> Engine {
    let store = backend.store();
    let keys = backend.keys(store.clone(), rng.clone());
    Engine::builder()
        .store(store)
        .key_manager(keys)
        .clock(clock)
        .rng(rng)
        .policy(policy)
        .build()
        .unwrap()
}

/// A fresh SQLite file in a temporary directory (removed on drop); the
/// local key manager, its keys in the file.
pub struct Sqlite {
    dir: tempfile::TempDir,
    path: PathBuf,
}

impl Sqlite {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        Sqlite { dir, path }
    }

    /// The directory of the database file (and its WAL files).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Backend for Sqlite {
    fn store(&self) -> Arc<dyn Store> {
        Arc::new(SqliteStore::open(&self.path).unwrap())
    }

    fn keys(&self, store: Arc<dyn Store>, rng: Arc<dyn SecureRandom>) -> Arc<dyn KeyManager> {
        Arc::new(LocalKeyManager::new(store, rng, SecretBytes::new(ROOT.to_vec())).unwrap())
    }
}

/// A fresh PostgreSQL database and a fresh namespace on the SoftHSM2
/// token, one key manager shared by every engine (one PKCS#11 library per
/// process).
pub struct PostgresPkcs11 {
    url: String,
    keys: Arc<Pkcs11KeyManager>,
}

impl PostgresPkcs11 {
    /// `None` (after a notice) when the services are not there and not
    /// required.
    pub fn from_env(hint: &str) -> Option<Self> {
        use credcycle_pkcs11::testing::{fresh_manager, test_config};
        use credcycle_postgres::testing::{URL_ENV, fresh_database, service_env};
        let (Some(admin), Some(hsm)) = (service_env(URL_ENV), test_config()) else {
            return None;
        };
        // Namespaces are at most 64 characters with the pid and a counter.
        let hint = &hint[..hint.len().min(30)];
        Some(PostgresPkcs11 {
            url: fresh_database(&admin, hint),
            keys: Arc::new(fresh_manager(&hsm, hint)),
        })
    }
}

impl Backend for PostgresPkcs11 {
    fn store(&self) -> Arc<dyn Store> {
        Arc::new(PostgresStore::connect(&self.url).unwrap())
    }

    fn keys(&self, _: Arc<dyn Store>, _: Arc<dyn SecureRandom>) -> Arc<dyn KeyManager> {
        self.keys.clone()
    }
}

/// One test per backend for each scenario `fn NAME(&dyn Backend)` of the
/// calling file: `sqlite::NAME` and `postgres_pkcs11::NAME`.
macro_rules! on_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name(&crate::support::Sqlite::new());
                }
            )+
        }

        mod postgres_pkcs11 {
            $(
                #[test]
                fn $name() {
                    if let Some(b) = crate::support::PostgresPkcs11::from_env(stringify!($name)) {
                        super::$name(&b);
                    }
                }
            )+
        }
    };
}
pub(crate) use on_backends;
