//! Engine construction from a plain configuration, and the domain handles
//! whose methods are the facade's operations.

use std::fmt;
use std::sync::Arc;

use credcycle::secrets::{CreateSecret, UpdateSecret, VersionSelector};
use credcycle::{
    KeyAlgorithm, KeyId, KeyManager, KeyState, LocalKeyManager, MemoryStore, OsRandom, Policy,
    SecretBytes, SecureRandom, Store,
};
use credcycle_pkcs11::{PinSource, Pkcs11Config, Pkcs11KeyManager};
use credcycle_postgres::PostgresStore;
use credcycle_sqlite::SqliteStore;
use zeroize::Zeroizing;

use crate::domains::{Enrollment, Identities, Jose, MachineAuth, Mfa, Pki, Targets, Tokens};
use crate::error::{Error, Result};
use crate::foreign::{
    ForeignClock, ForeignKeyManager, ForeignStore, clock_from_foreign, key_manager_from_foreign,
    store_from_foreign,
};
use crate::types::{AuditTrailInfo, KeyInfo, RewrapResult, SecretInfo, SecretInput, SecretValue};

/// Where records are kept.
#[derive(Clone)]
pub enum StoreConfig {
    /// In memory (not durable): tests and throwaway engines.
    Memory,
    /// An embedded SQLite database file (created if missing; WAL mode).
    Sqlite {
        /// The database file.
        path: String,
    },
    /// A PostgreSQL database (`postgres://[user[:password]@]host[:port]/db`,
    /// `sslmode=require` and `sslrootcert=` honoured). The schema is created
    /// if missing.
    Postgres {
        /// The connection URL (never shown in errors or `Debug`).
        url: String,
    },
    /// A store implemented by the host program.
    Foreign(Arc<dyn ForeignStore>),
}

impl fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreConfig::Memory => f.write_str("Memory"),
            StoreConfig::Sqlite { path } => f.debug_struct("Sqlite").field("path", path).finish(),
            StoreConfig::Postgres { .. } => f.write_str("Postgres { url: <redacted> }"),
            StoreConfig::Foreign(_) => f.write_str("Foreign"),
        }
    }
}

/// Who keeps the keys.
#[derive(Clone)]
pub enum KmsConfig {
    /// The software key manager: keys sealed in the store under a 32-byte
    /// root key that the caller keeps (see [`crate::client::generate_root_key`]).
    Local {
        /// The root key (exactly 32 bytes).
        root_key: Zeroizing<Vec<u8>>,
    },
    /// A PKCS#11 token (an HSM, or SoftHSM2): keys never leave it.
    Pkcs11 {
        /// The PKCS#11 module (shared library) path.
        module: String,
        /// The token, by label.
        token: String,
        /// Where the user PIN is read from.
        pin: Pkcs11Pin,
        /// Keeps this engine's keys apart from other users of the token
        /// (1..=64 characters of `[A-Za-z0-9_.-]`).
        namespace: Option<String>,
    },
    /// A key manager implemented by the host program.
    Foreign(Arc<dyn ForeignKeyManager>),
}

/// Where a PKCS#11 user PIN comes from. The PIN itself is never passed
/// through the API, so it never sits in a host-language string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pkcs11Pin {
    /// The named environment variable.
    Env(String),
    /// The first line of this file.
    File(String),
}

impl fmt::Debug for KmsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KmsConfig::Local { .. } => f.write_str("Local { root_key: <redacted> }"),
            KmsConfig::Pkcs11 {
                module,
                token,
                namespace,
                ..
            } => f
                .debug_struct("Pkcs11")
                .field("module", module)
                .field("token", token)
                .field("namespace", namespace)
                .finish_non_exhaustive(),
            KmsConfig::Foreign(_) => f.write_str("Foreign"),
        }
    }
}

/// Overrides of the engine policy; `None` keeps the default of
/// `credcycle::Policy`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyConfig {
    /// The wrap key used when a secret names none (default `default`).
    pub default_kms_key: Option<String>,
    /// Versions kept per secret (default 100, 3..=10,000).
    pub max_secret_versions: Option<u32>,
    /// Largest secret value in bytes (default 65,536, at most 1 MiB).
    pub max_secret_value_bytes: Option<u64>,
    /// Deletion window in days when none is given (default 30, 7..=30).
    pub default_delete_window_days: Option<u32>,
    /// Whether values wrapped by a disabled key may be read (default true).
    pub allow_unwrap_with_disabled_key: Option<bool>,
    /// Re-runs after a lost compare-and-swap race (default 8, at most 100).
    pub conflict_retries: Option<u32>,
    /// Shortest password in code points (default 8, 5..=100).
    pub password_min_len: Option<u32>,
    /// NFKC-normalise passwords before hashing (default false).
    pub password_normalize_nfkc: Option<bool>,
    /// Wrong passwords that lock password login (default 5, 1..=100).
    pub password_lockout_threshold: Option<u32>,
    /// Password lock length in seconds (default 300, 1..=86,400).
    pub password_lockout_secs: Option<u32>,
    /// API session idle timeout in seconds (default 1,800, 60..=86,400).
    pub api_session_idle_timeout_secs: Option<u32>,
    /// API session absolute lifetime in seconds (default 86,400).
    pub api_session_max_lifetime_secs: Option<u32>,
    /// Issuer shown in authenticator apps (default `credcycle`).
    pub mfa_issuer: Option<String>,
    /// HMAC of new TOTP enrollments: `SHA1` (default), `SHA256` or `SHA512`.
    pub totp_algorithm: Option<String>,
    /// Digits of new TOTP enrollments (default 6, 6..=8).
    pub totp_digits: Option<u32>,
    /// Period of new TOTP enrollments in seconds (default 30, 1..=120).
    pub totp_period_secs: Option<u32>,
    /// Steps accepted either side (default 1, at most 2).
    pub totp_window_steps: Option<u32>,
    /// Largest accepted drift in steps (default 1, window..=4).
    pub totp_max_drift_steps: Option<u32>,
    /// Failed MFA codes that lock MFA (default 5, 1..=100).
    pub mfa_lockout_threshold: Option<u32>,
    /// MFA lock length in seconds (default 300, 1..=86,400).
    pub mfa_lockout_secs: Option<u32>,
    /// Recovery codes per enrollment (default 10, 1..=32).
    pub recovery_code_count: Option<u32>,
    /// Whether unused recovery codes may be shown again (default false).
    pub recovery_codes_viewable: Option<bool>,
    /// Key manager key (P-256) signing the engine's JWTs (default `token-signing`).
    pub token_signing_key: Option<String>,
    /// How long a rotated-out token-signing key stays in the JWKS (default 86,400).
    pub token_key_retention_secs: Option<i64>,
    /// Lifetime of the JWTs the engine signs (default 300, 1..=86,400).
    pub jwt_ttl_secs: Option<i64>,
    /// `iss` of the JWTs the engine signs (default `credcycle`).
    pub jwt_issuer: Option<String>,
    /// Longest grace of a target's previous signing key (default 7 days).
    pub max_signing_key_grace_secs: Option<i64>,
    /// Longest API token lifetime in seconds (default 365 days).
    pub max_api_token_lifetime_secs: Option<u32>,
    /// Grace for re-presenting an exchanged refresh token (default 0, at most 60).
    pub refresh_token_reuse_grace_secs: Option<u32>,
    /// Refresh tokens unused this long are refused (default 30 days).
    pub refresh_token_idle_timeout_secs: Option<u32>,
}

impl PolicyConfig {
    fn to_policy(&self) -> Result<Policy> {
        let mut p = Policy::default();
        if let Some(k) = &self.default_kms_key {
            p.default_kms_key = KeyId::new(k.as_str())?;
        }
        if let Some(n) = self.max_secret_versions {
            p.max_secret_versions = n;
        }
        if let Some(n) = self.max_secret_value_bytes {
            p.max_secret_value_bytes = usize::try_from(n).map_err(|_| {
                Error::invalid("max_secret_value_bytes", "does not fit this platform")
            })?;
        }
        if let Some(n) = self.default_delete_window_days {
            p.default_delete_window_days = n;
        }
        if let Some(b) = self.allow_unwrap_with_disabled_key {
            p.allow_unwrap_with_disabled_key = b;
        }
        if let Some(n) = self.conflict_retries {
            p.conflict_retries = n;
        }
        if let Some(v) = self.password_min_len {
            p.password_min_len = v;
        }
        if let Some(v) = self.password_normalize_nfkc {
            p.password_normalize_nfkc = v;
        }
        if let Some(v) = self.password_lockout_threshold {
            p.password_lockout_threshold = v;
        }
        if let Some(v) = self.password_lockout_secs {
            p.password_lockout_secs = v;
        }
        if let Some(v) = self.api_session_idle_timeout_secs {
            p.api_session_idle_timeout_secs = v;
        }
        if let Some(v) = self.api_session_max_lifetime_secs {
            p.api_session_max_lifetime_secs = v;
        }
        if let Some(v) = &self.mfa_issuer {
            p.mfa_issuer.clone_from(v);
        }
        if let Some(a) = &self.totp_algorithm {
            p.totp_algorithm = credcycle::mfa::TotpAlgorithm::parse(a).ok_or_else(|| {
                Error::invalid("totp_algorithm", "must be SHA1, SHA256 or SHA512")
            })?;
        }
        if let Some(v) = self.totp_digits {
            p.totp_digits = v;
        }
        if let Some(v) = self.totp_period_secs {
            p.totp_period_secs = v;
        }
        if let Some(v) = self.totp_window_steps {
            p.totp_window_steps = v;
        }
        if let Some(v) = self.totp_max_drift_steps {
            p.totp_max_drift_steps = v;
        }
        if let Some(v) = self.mfa_lockout_threshold {
            p.mfa_lockout_threshold = v;
        }
        if let Some(v) = self.mfa_lockout_secs {
            p.mfa_lockout_secs = v;
        }
        if let Some(v) = self.recovery_code_count {
            p.recovery_code_count = v;
        }
        if let Some(v) = self.recovery_codes_viewable {
            p.recovery_codes_viewable = v;
        }
        if let Some(k) = &self.token_signing_key {
            p.token_signing_key = KeyId::new(k.as_str())?;
        }
        if let Some(v) = self.token_key_retention_secs {
            p.token_key_retention_secs = v;
        }
        if let Some(v) = self.jwt_ttl_secs {
            p.jwt_ttl_secs = v;
        }
        if let Some(v) = &self.jwt_issuer {
            p.jwt_issuer.clone_from(v);
        }
        if let Some(v) = self.max_signing_key_grace_secs {
            p.max_signing_key_grace_secs = v;
        }
        if let Some(v) = self.max_api_token_lifetime_secs {
            p.max_api_token_lifetime_secs = v;
        }
        if let Some(v) = self.refresh_token_reuse_grace_secs {
            p.refresh_token_reuse_grace_secs = v;
        }
        if let Some(v) = self.refresh_token_idle_timeout_secs {
            p.refresh_token_idle_timeout_secs = v;
        }
        Ok(p)
    }
}

/// Everything needed to open an engine.
#[derive(Clone)]
pub struct EngineConfig {
    /// The store.
    pub store: StoreConfig,
    /// The key manager.
    pub kms: KmsConfig,
    /// A host clock (default: the system clock).
    pub clock: Option<Arc<dyn ForeignClock>>,
    /// Policy overrides.
    pub policy: PolicyConfig,
}

impl fmt::Debug for EngineConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EngineConfig")
            .field("store", &self.store)
            .field("kms", &self.kms)
            .field("clock", &self.clock.as_ref().map(|_| "ForeignClock"))
            .field("policy", &self.policy)
            .finish()
    }
}

impl EngineConfig {
    /// A configuration with `store` and `kms`, the system clock and the
    /// default policy.
    pub fn new(store: StoreConfig, kms: KmsConfig) -> Self {
        EngineConfig {
            store,
            kms,
            clock: None,
            policy: PolicyConfig::default(),
        }
    }
}

/// The engine: cheap to clone, thread-safe (`Send + Sync`).
#[derive(Clone, Debug)]
pub struct Engine {
    inner: credcycle::Engine,
    actor: Option<String>,
}

impl Engine {
    /// Opens an engine (operation `engine.open`).
    ///
    /// # Errors
    /// `INVALID_INPUT` for a root key that is not 32 bytes or a policy value
    /// out of range (the message names the setting); store failures opening
    /// the database or connecting to PostgreSQL; `WRONG_ROOT_KEY` when the
    /// root key does not match the one the store was sealed with; key
    /// manager failures opening a PKCS#11 token (module, token label, PIN).
    pub fn open(config: EngineConfig) -> Result<Engine> {
        let policy = config.policy.to_policy()?;
        let store: Arc<dyn Store> = match config.store {
            StoreConfig::Memory => Arc::new(MemoryStore::new()),
            StoreConfig::Sqlite { path } => Arc::new(SqliteStore::open(path)?),
            StoreConfig::Postgres { url } => Arc::new(PostgresStore::connect(&url)?),
            StoreConfig::Foreign(s) => store_from_foreign(s),
        };
        let rng: Arc<dyn SecureRandom> = Arc::new(OsRandom::new());
        let keys: Arc<dyn KeyManager> = match config.kms {
            KmsConfig::Local { root_key } => Arc::new(LocalKeyManager::new(
                store.clone(),
                rng.clone(),
                SecretBytes::from_slice(&root_key),
            )?),
            KmsConfig::Pkcs11 {
                module,
                token,
                pin,
                namespace,
            } => {
                let pin = match pin {
                    Pkcs11Pin::Env(v) => PinSource::Env(v),
                    Pkcs11Pin::File(p) => PinSource::File(p.into()),
                };
                let mut config = Pkcs11Config::new(module, token, pin);
                if let Some(ns) = namespace {
                    config = config.with_namespace(ns)?;
                }
                Arc::new(Pkcs11KeyManager::new(config)?)
            }
            KmsConfig::Foreign(k) => key_manager_from_foreign(k),
        };
        let mut builder = credcycle::Engine::builder()
            .store(store)
            .key_manager(keys)
            .rng(rng)
            .policy(policy);
        if let Some(c) = config.clock {
            builder = builder.clock(clock_from_foreign(c));
        }
        Ok(Engine {
            inner: builder.build()?,
            actor: None,
        })
    }

    /// Wraps an engine built in Rust (for programs that mix both).
    pub fn from_core(inner: credcycle::Engine) -> Engine {
        Engine { inner, actor: None }
    }

    /// The Rust engine underneath.
    pub fn core(&self) -> &credcycle::Engine {
        &self.inner
    }

    /// The same engine, recording `actor` (at most 128 characters, control
    /// characters dropped) as the author of audit events written through it
    /// (operation `engine.with_actor`).
    pub fn with_actor(&self, actor: &str) -> Engine {
        Engine {
            inner: self.inner.clone(),
            actor: Some(actor.to_owned()),
        }
    }

    /// The actor audit events record, if one was set.
    pub fn actor(&self) -> Option<&str> {
        self.actor.as_deref()
    }

    /// Creates the policy's default wrap key if missing; returns its id
    /// (operation `engine.ensure_default_key`).
    ///
    /// # Errors
    /// Key manager failures.
    pub fn ensure_default_key(&self) -> Result<String> {
        Ok(self.inner.ensure_default_key()?.as_str().to_owned())
    }

    /// The secrets of `tenant` (operation `engine.secrets`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `tenant`.
    pub fn secrets(&self, tenant: &str) -> Result<Secrets> {
        let mut inner = self.inner.secrets(tenant)?;
        if let Some(a) = &self.actor {
            inner = inner.with_actor(a);
        }
        Ok(Secrets { inner })
    }

    /// The key manager's keys (operation `engine.kms`; keys are not
    /// tenant-scoped).
    pub fn kms(&self) -> Kms {
        Kms {
            keys: self.inner.keys().clone(),
        }
    }

    /// The action targets of `tenant` (operation `engine.targets`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `tenant`.
    pub fn targets(&self, tenant: &str) -> Result<Targets> {
        let mut inner = self.inner.targets(tenant)?;
        if let Some(a) = &self.actor {
            inner = inner.with_actor(a);
        }
        Ok(Targets {
            inner,
            clock: self.inner.services().clock.clone(),
        })
    }

    /// The engine's token-signing key and JWKS (operation `engine.jose`).
    pub fn jose(&self) -> Jose {
        Jose {
            inner: self.inner.jose(),
        }
    }

    /// The API tokens of `tenant` (operation `engine.tokens`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `tenant`.
    pub fn tokens(&self, tenant: &str) -> Result<Tokens> {
        let mut inner = self.inner.tokens(tenant)?;
        if let Some(a) = &self.actor {
            inner = inner.with_actor(a);
        }
        Ok(Tokens { inner })
    }

    /// Machine identities and universal auth of `tenant` (operation
    /// `engine.machine_auth`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `tenant`.
    pub fn machine_auth(&self, tenant: &str) -> Result<MachineAuth> {
        let mut inner = self.inner.machine_auth(tenant)?;
        if let Some(a) = &self.actor {
            inner = inner.with_actor(a);
        }
        Ok(MachineAuth { inner })
    }

    /// Identities, authenticators and API sessions of `tenant` (operation
    /// `engine.identities`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `tenant`.
    pub fn identities(&self, tenant: &str) -> Result<Identities> {
        let mut inner = self.inner.identities(tenant)?;
        if let Some(a) = &self.actor {
            inner = inner.with_actor(a);
        }
        Ok(Identities { inner })
    }

    /// The internal CA of `tenant` (operation `engine.pki`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `tenant`.
    pub fn pki(&self, tenant: &str) -> Result<Pki> {
        let mut inner = self.inner.pki(tenant)?;
        if let Some(a) = &self.actor {
            inner = inner.with_actor(a);
        }
        Ok(Pki { inner })
    }

    /// Enrollment and certificate lifecycle of `tenant` (operation
    /// `engine.enrollment`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `tenant`.
    pub fn enrollment(&self, tenant: &str) -> Result<Enrollment> {
        let mut inner = self.inner.enrollment(tenant)?;
        if let Some(a) = &self.actor {
            inner = inner.with_actor(a);
        }
        Ok(Enrollment { inner })
    }

    /// TOTP second factors of `tenant`'s identities (operation `engine.mfa`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `tenant`.
    pub fn mfa(&self, tenant: &str) -> Result<Mfa> {
        let mut inner = self.inner.mfa(tenant)?;
        if let Some(a) = &self.actor {
            inner = inner.with_actor(a);
        }
        Ok(Mfa { inner })
    }

    /// A webhook replay guard kept in the engine's store under `namespace`
    /// (so every receiver process sharing the store refuses a replay)
    /// (operation `engine.webhook_replay_guard`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming the namespace.
    pub fn webhook_replay_guard(&self, namespace: &str) -> Result<crate::client::ReplayGuard> {
        let set =
            credcycle::targets::StoreSeenSet::new(self.inner.services().store.clone(), namespace)?;
        Ok(crate::client::ReplayGuard::from_seen_set(Arc::new(set)))
    }

    /// The engine clock's current time, in seconds since the Unix epoch
    /// (operation `engine.now`; a host clock if one was configured).
    pub fn now(&self) -> i64 {
        self.inner.services().clock.now().secs()
    }

    /// The audit trails of `tenant` (operation `engine.audit`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `tenant`.
    pub fn audit(&self, tenant: &str) -> Result<Audit> {
        Ok(Audit {
            inner: self.inner.audit(tenant)?,
        })
    }
}

fn key_id(id: &str) -> Result<KeyId> {
    Ok(KeyId::new(id)?)
}

/// Key operations of the engine's key manager. Cheap to clone, thread-safe.
#[derive(Clone, Debug)]
pub struct Kms {
    keys: Arc<dyn KeyManager>,
}

impl Kms {
    /// Creates key `id` with `algorithm` (`aes256gcm` wraps secrets; `p256`
    /// and `ed25519` sign) (operation `kms.create_key`).
    ///
    /// # Errors
    /// `INVALID_INPUT` (id syntax, unknown algorithm); `KEY_EXISTS`.
    pub fn create_key(&self, id: &str, algorithm: &str) -> Result<KeyInfo> {
        let alg = KeyAlgorithm::parse(algorithm)
            .ok_or_else(|| Error::invalid("algorithm", "must be aes256gcm, p256 or ed25519"))?;
        Ok(self.keys.create_key(&key_id(id)?, alg)?.into())
    }

    /// The key's information, or `None` (operation `kms.key_info`).
    ///
    /// # Errors
    /// `INVALID_INPUT` (id syntax); key manager failures.
    pub fn key_info(&self, id: &str) -> Result<Option<KeyInfo>> {
        Ok(self.keys.key_info(&key_id(id)?)?.map(KeyInfo::from))
    }

    /// Every key, ordered by id (operation `kms.list_keys`).
    ///
    /// # Errors
    /// Key manager failures.
    pub fn list_keys(&self) -> Result<Vec<KeyInfo>> {
        Ok(self
            .keys
            .list_keys()?
            .into_iter()
            .map(KeyInfo::from)
            .collect())
    }

    /// Adds a version that becomes primary (operation `kms.rotate_key`).
    ///
    /// # Errors
    /// `KEY_NOT_FOUND`; `KEY_STATE` unless enabled.
    pub fn rotate_key(&self, id: &str) -> Result<KeyInfo> {
        Ok(self.keys.rotate_key(&key_id(id)?)?.into())
    }

    fn set_state(&self, id: &str, state: KeyState) -> Result<KeyInfo> {
        Ok(self.keys.set_key_state(&key_id(id)?, state)?.into())
    }

    /// Enables the key; also cancels a scheduled deletion (operation
    /// `kms.enable_key`).
    ///
    /// # Errors
    /// `KEY_NOT_FOUND`.
    pub fn enable_key(&self, id: &str) -> Result<KeyInfo> {
        self.set_state(id, KeyState::Enabled)
    }

    /// Disables the key: no new wraps or signatures (operation
    /// `kms.disable_key`).
    ///
    /// # Errors
    /// `KEY_NOT_FOUND`.
    pub fn disable_key(&self, id: &str) -> Result<KeyInfo> {
        self.set_state(id, KeyState::Disabled)
    }

    /// Schedules the key's deletion: it refuses everything until enabled
    /// again (operation `kms.schedule_key_deletion`).
    ///
    /// # Errors
    /// `KEY_NOT_FOUND`.
    pub fn schedule_key_deletion(&self, id: &str) -> Result<KeyInfo> {
        self.set_state(id, KeyState::PendingDeletion)
    }

    /// The SubjectPublicKeyInfo (DER) of signing key `id` (operation
    /// `kms.public_key`).
    ///
    /// # Errors
    /// `KEY_NOT_FOUND`, `KEY_PURPOSE`, `KEY_STATE`.
    pub fn public_key(&self, id: &str) -> Result<Vec<u8>> {
        Ok(self.keys.public_key(&key_id(id)?)?)
    }

    /// Signs `msg` with signing key `id` (P-256: 64-byte `r || s`; Ed25519:
    /// 64 bytes) (operation `kms.sign`).
    ///
    /// # Errors
    /// `KEY_NOT_FOUND`, `KEY_PURPOSE`, `KEY_STATE`.
    pub fn sign(&self, id: &str, msg: &[u8]) -> Result<Vec<u8>> {
        Ok(self.keys.sign(&key_id(id)?, msg)?)
    }
}

/// Options of [`Secrets::create`].
#[derive(Debug, Default)]
pub struct CreateSecretOptions {
    /// The first value (becomes `v1`, `CURRENT`).
    pub value: Option<SecretInput>,
    /// The wrap key (default: the policy's default key).
    pub kms_key_id: Option<String>,
    /// Description (≤ 2048 bytes).
    pub description: Option<String>,
}

/// The secrets of one tenant. Cheap to clone, thread-safe.
#[derive(Clone, Debug)]
pub struct Secrets {
    inner: credcycle::secrets::Secrets,
}

impl Secrets {
    /// The tenant.
    pub fn tenant(&self) -> &str {
        self.inner.tenant()
    }

    /// Creates a secret (operation `secrets.create`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming the field; `ALREADY_EXISTS`.
    pub fn create(&self, name: &str, options: CreateSecretOptions) -> Result<SecretInfo> {
        let mut req = CreateSecret::new(name);
        if let Some(v) = options.value {
            req = req.value(v.into_new_value());
        }
        if let Some(k) = options.kms_key_id {
            req = req.kms_key_id(key_id(&k)?);
        }
        if let Some(d) = options.description {
            req = req.description(d);
        }
        Ok(self.inner.create(req)?.into())
    }

    /// The secret's metadata, in every state (operation `secrets.get`).
    ///
    /// # Errors
    /// `NOT_FOUND`.
    pub fn get(&self, name: &str) -> Result<SecretInfo> {
        Ok(self.inner.get(name)?.into())
    }

    /// Every secret of the tenant, by name (operation `secrets.list`).
    ///
    /// # Errors
    /// Store failures.
    pub fn list(&self) -> Result<Vec<SecretInfo>> {
        Ok(self
            .inner
            .list()?
            .into_iter()
            .map(SecretInfo::from)
            .collect())
    }

    /// At most `limit` secrets whose names sort after `after` (operation
    /// `secrets.list_page`).
    ///
    /// # Errors
    /// Store failures; an invalid `after`.
    pub fn list_page(&self, after: Option<&str>, limit: u32) -> Result<Vec<SecretInfo>> {
        Ok(self
            .inner
            .list_page(after, limit)?
            .into_iter()
            .map(SecretInfo::from)
            .collect())
    }

    /// A version's value: `version` is `vN`, `N`, `CURRENT`, `PREVIOUS` or
    /// `PENDING`; `None` reads `CURRENT` (operation `secrets.get_value`).
    ///
    /// # Errors
    /// `INVALID_STATE` unless enabled; `NOT_FOUND`; `VERIFICATION_FAILED`.
    pub fn get_value(&self, name: &str, version: Option<&str>) -> Result<SecretValue> {
        let which = version.map(VersionSelector::parse).transpose()?;
        let v = self.inner.get_value(name, which)?;
        Ok(SecretValue {
            version: v.version,
            value: Zeroizing::new(v.value.expose().to_vec()),
        })
    }

    /// Changes the wrap key for later versions and/or the description
    /// (operation `secrets.update`).
    ///
    /// # Errors
    /// `INVALID_INPUT` when neither is given; state errors.
    pub fn update(
        &self,
        name: &str,
        kms_key_id: Option<&str>,
        description: Option<&str>,
    ) -> Result<SecretInfo> {
        let req = UpdateSecret {
            kms_key_id: kms_key_id.map(key_id).transpose()?,
            description: description.map(str::to_owned),
        };
        Ok(self.inner.update(name, req)?.into())
    }

    /// Adds a version that becomes `CURRENT`; returns its number. A repeated
    /// `idempotency_token` with the same value returns the same version
    /// (operation `secrets.put_value`).
    ///
    /// # Errors
    /// `IDEMPOTENCY_MISMATCH`; state and input errors.
    pub fn put_value(
        &self,
        name: &str,
        value: SecretInput,
        idempotency_token: Option<&str>,
    ) -> Result<u64> {
        Ok(self
            .inner
            .put_value(name, value.into_new_value(), idempotency_token)?)
    }

    /// Writes a `PENDING` version (operation `secrets.begin_rotation`).
    ///
    /// # Errors
    /// `ROTATION_IN_PROGRESS`; state errors.
    pub fn begin_rotation(&self, name: &str, value: SecretInput) -> Result<u64> {
        Ok(self.inner.begin_rotation(name, value.into_new_value())?)
    }

    /// Promotes `PENDING` to `CURRENT` (operation `secrets.finish_rotation`).
    ///
    /// # Errors
    /// `NOT_FOUND` without a pending version; state errors.
    pub fn finish_rotation(&self, name: &str) -> Result<SecretInfo> {
        Ok(self.inner.finish_rotation(name)?.into())
    }

    /// Drops the `PENDING` version (operation `secrets.cancel_rotation`).
    ///
    /// # Errors
    /// `NOT_FOUND` without a pending version; state errors.
    pub fn cancel_rotation(&self, name: &str) -> Result<SecretInfo> {
        Ok(self.inner.cancel_rotation(name)?.into())
    }

    /// `ENABLED` → `DISABLED` (operation `secrets.disable`).
    ///
    /// # Errors
    /// `INVALID_STATE`.
    pub fn disable(&self, name: &str) -> Result<SecretInfo> {
        Ok(self.inner.disable(name)?.into())
    }

    /// `DISABLED` → `ENABLED` (operation `secrets.enable`).
    ///
    /// # Errors
    /// `INVALID_STATE`.
    pub fn enable(&self, name: &str) -> Result<SecretInfo> {
        Ok(self.inner.enable(name)?.into())
    }

    /// → `FROZEN` (operation `secrets.freeze`).
    ///
    /// # Errors
    /// `INVALID_STATE`.
    pub fn freeze(&self, name: &str) -> Result<SecretInfo> {
        Ok(self.inner.freeze(name)?.into())
    }

    /// `FROZEN` → the state before (operation `secrets.unfreeze`).
    ///
    /// # Errors
    /// `INVALID_STATE`.
    pub fn unfreeze(&self, name: &str) -> Result<SecretInfo> {
        Ok(self.inner.unfreeze(name)?.into())
    }

    /// → `PENDING_DELETE` for `window_days` (7..=30; default from the
    /// policy) (operation `secrets.schedule_delete`).
    ///
    /// # Errors
    /// `INVALID_INPUT` for the window; `INVALID_STATE`.
    pub fn schedule_delete(&self, name: &str, window_days: Option<u32>) -> Result<SecretInfo> {
        Ok(self.inner.schedule_delete(name, window_days)?.into())
    }

    /// `PENDING_DELETE` → the state before (operation `secrets.restore`).
    ///
    /// # Errors
    /// `INVALID_STATE`.
    pub fn restore(&self, name: &str) -> Result<SecretInfo> {
        Ok(self.inner.restore(name)?.into())
    }

    /// Deletes every secret whose deletion time has passed; returns their
    /// names (operation `secrets.purge_due`).
    ///
    /// # Errors
    /// Store failures.
    pub fn purge_due(&self) -> Result<Vec<String>> {
        Ok(self.inner.purge_due()?)
    }

    /// Re-wraps every version's data key under the secret's current key
    /// (operation `secrets.rewrap`).
    ///
    /// # Errors
    /// `INVALID_STATE`; key manager errors.
    pub fn rewrap(&self, name: &str) -> Result<RewrapResult> {
        Ok(self.inner.rewrap(name)?.into())
    }
}

/// The audit trails of one tenant.
#[derive(Clone, Debug)]
pub struct Audit {
    inner: credcycle::audit::Audit,
}

impl Audit {
    /// The events of `subject` (`secret:<name>`) and whether their chain
    /// verifies (operation `audit.events`).
    ///
    /// # Errors
    /// `INVALID_INPUT` naming `subject`; store failures.
    pub fn events(&self, subject: &str) -> Result<AuditTrailInfo> {
        Ok(self.inner.events(subject)?.into())
    }
}
