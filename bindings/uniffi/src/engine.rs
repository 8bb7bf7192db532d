//! The engine and its domain handles as uniffi objects. Every method is one
//! facade operation; arguments and results are the records of
//! [`crate::types`].

use std::sync::Arc;

use credcycle_facade as facade;
use zeroize::Zeroizing;

use crate::error::CredcycleError;
use crate::foreign::{Clock, ClockAdapter, KeyManager, KeyManagerAdapter, Store, StoreAdapter};
use crate::types::{
    AuditTrailInfo, CreateSecretOptions, KeyInfo, RewrapResult, SecretInfo, SecretInput,
    SecretValue,
};

type Result<T, E = CredcycleError> = std::result::Result<T, E>;

/// Where records are kept.
#[derive(uniffi::Enum)]
pub enum StoreConfig {
    /// In memory (not durable): tests and throwaway engines.
    Memory,
    /// An embedded SQLite database file (created if missing).
    Sqlite {
        /// The database file.
        path: String,
    },
    /// A PostgreSQL database (`postgres://[user[:password]@]host[:port]/db`,
    /// `sslmode=require` and `sslrootcert=` honoured); the schema is created
    /// if missing.
    Postgres {
        /// The connection URL (never shown in errors).
        url: String,
    },
    /// A store written in the host language.
    Foreign {
        /// The store.
        store: Arc<dyn Store>,
    },
}

/// Who keeps the keys.
#[derive(uniffi::Enum)]
pub enum KmsConfig {
    /// The software key manager: keys sealed in the store under a 32-byte
    /// root key that the caller keeps (see `generateRootKey`).
    Local {
        /// The root key (exactly 32 bytes).
        root_key: Vec<u8>,
    },
    /// A PKCS#11 token (an HSM, or SoftHSM2): keys never leave it.
    Pkcs11 {
        /// The PKCS#11 module (shared library) path.
        module: String,
        /// The token, by label.
        token: String,
        /// Where the user PIN is read from (never passed through the API).
        pin: Pkcs11Pin,
        /// Keeps this engine's keys apart from other users of the token.
        namespace: Option<String>,
    },
    /// A key manager written in the host language.
    Foreign {
        /// The key manager.
        key_manager: Arc<dyn KeyManager>,
    },
}

/// Where a PKCS#11 user PIN comes from.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum Pkcs11Pin {
    /// The named environment variable.
    Env {
        /// The variable's name.
        name: String,
    },
    /// The first line of this file.
    File {
        /// The file's path.
        path: String,
    },
}

/// Overrides of the engine policy; null keeps the engine's default.
#[derive(Clone, Debug, Default, PartialEq, Eq, uniffi::Record)]
pub struct PolicyConfig {
    /// The wrap key used when a secret names none (default `default`).
    #[uniffi(default)]
    pub default_kms_key: Option<String>,
    /// Versions kept per secret (default 100, 3..=10,000).
    #[uniffi(default)]
    pub max_secret_versions: Option<u32>,
    /// Largest secret value in bytes (default 65,536, at most 1 MiB).
    #[uniffi(default)]
    pub max_secret_value_bytes: Option<u64>,
    /// Deletion window in days when none is given (default 30, 7..=30).
    #[uniffi(default)]
    pub default_delete_window_days: Option<u32>,
    /// Whether values wrapped by a disabled key may be read (default true).
    #[uniffi(default)]
    pub allow_unwrap_with_disabled_key: Option<bool>,
    /// Re-runs after a lost compare-and-swap race (default 8, at most 100).
    #[uniffi(default)]
    pub conflict_retries: Option<u32>,
    /// Shortest password in code points (default 8, 5..=100).
    #[uniffi(default)]
    pub password_min_len: Option<u32>,
    /// NFKC-normalise passwords before hashing (default false).
    #[uniffi(default)]
    pub password_normalize_nfkc: Option<bool>,
    /// Wrong passwords that lock password login (default 5, 1..=100).
    #[uniffi(default)]
    pub password_lockout_threshold: Option<u32>,
    /// Password lock length in seconds (default 300, 1..=86,400).
    #[uniffi(default)]
    pub password_lockout_secs: Option<u32>,
    /// API session idle timeout in seconds (default 1,800, 60..=86,400).
    #[uniffi(default)]
    pub api_session_idle_timeout_secs: Option<u32>,
    /// API session absolute lifetime in seconds (default 86,400).
    #[uniffi(default)]
    pub api_session_max_lifetime_secs: Option<u32>,
    /// Issuer shown in authenticator apps (default `credcycle`).
    #[uniffi(default)]
    pub mfa_issuer: Option<String>,
    /// HMAC of new TOTP enrollments: `SHA1` (default), `SHA256` or `SHA512`.
    #[uniffi(default)]
    pub totp_algorithm: Option<String>,
    /// Digits of new TOTP enrollments (default 6, 6..=8).
    #[uniffi(default)]
    pub totp_digits: Option<u32>,
    /// Period of new TOTP enrollments in seconds (default 30, 1..=120).
    #[uniffi(default)]
    pub totp_period_secs: Option<u32>,
    /// Steps accepted either side (default 1, at most 2).
    #[uniffi(default)]
    pub totp_window_steps: Option<u32>,
    /// Largest accepted drift in steps (default 1, window..=4).
    #[uniffi(default)]
    pub totp_max_drift_steps: Option<u32>,
    /// Failed MFA codes that lock MFA (default 5, 1..=100).
    #[uniffi(default)]
    pub mfa_lockout_threshold: Option<u32>,
    /// MFA lock length in seconds (default 300, 1..=86,400).
    #[uniffi(default)]
    pub mfa_lockout_secs: Option<u32>,
    /// Recovery codes per enrollment (default 10, 1..=32).
    #[uniffi(default)]
    pub recovery_code_count: Option<u32>,
    /// Whether unused recovery codes may be shown again (default false).
    #[uniffi(default)]
    pub recovery_codes_viewable: Option<bool>,
    /// Key manager key (P-256) signing the engine's JWTs (default `token-signing`).
    #[uniffi(default)]
    pub token_signing_key: Option<String>,
    /// How long a rotated-out token-signing key stays in the JWKS (default 86,400).
    #[uniffi(default)]
    pub token_key_retention_secs: Option<i64>,
    /// Lifetime of the JWTs the engine signs (default 300, 1..=86,400).
    #[uniffi(default)]
    pub jwt_ttl_secs: Option<i64>,
    /// `iss` of the JWTs the engine signs (default `credcycle`).
    #[uniffi(default)]
    pub jwt_issuer: Option<String>,
    /// Longest grace of a target's previous signing key (default 7 days).
    #[uniffi(default)]
    pub max_signing_key_grace_secs: Option<i64>,
    /// Longest API token lifetime in seconds (default 365 days).
    #[uniffi(default)]
    pub max_api_token_lifetime_secs: Option<u32>,
    /// Grace for re-presenting an exchanged refresh token (default 0, at most 60).
    #[uniffi(default)]
    pub refresh_token_reuse_grace_secs: Option<u32>,
    /// Refresh tokens unused this long are refused (default 30 days).
    #[uniffi(default)]
    pub refresh_token_idle_timeout_secs: Option<u32>,
}

impl From<PolicyConfig> for facade::PolicyConfig {
    fn from(p: PolicyConfig) -> Self {
        facade::PolicyConfig {
            default_kms_key: p.default_kms_key,
            max_secret_versions: p.max_secret_versions,
            max_secret_value_bytes: p.max_secret_value_bytes,
            default_delete_window_days: p.default_delete_window_days,
            allow_unwrap_with_disabled_key: p.allow_unwrap_with_disabled_key,
            conflict_retries: p.conflict_retries,
            password_min_len: p.password_min_len,
            password_normalize_nfkc: p.password_normalize_nfkc,
            password_lockout_threshold: p.password_lockout_threshold,
            password_lockout_secs: p.password_lockout_secs,
            api_session_idle_timeout_secs: p.api_session_idle_timeout_secs,
            api_session_max_lifetime_secs: p.api_session_max_lifetime_secs,
            mfa_issuer: p.mfa_issuer,
            totp_algorithm: p.totp_algorithm,
            totp_digits: p.totp_digits,
            totp_period_secs: p.totp_period_secs,
            totp_window_steps: p.totp_window_steps,
            totp_max_drift_steps: p.totp_max_drift_steps,
            mfa_lockout_threshold: p.mfa_lockout_threshold,
            mfa_lockout_secs: p.mfa_lockout_secs,
            recovery_code_count: p.recovery_code_count,
            recovery_codes_viewable: p.recovery_codes_viewable,
            token_signing_key: p.token_signing_key,
            token_key_retention_secs: p.token_key_retention_secs,
            jwt_ttl_secs: p.jwt_ttl_secs,
            jwt_issuer: p.jwt_issuer,
            max_signing_key_grace_secs: p.max_signing_key_grace_secs,
            max_api_token_lifetime_secs: p.max_api_token_lifetime_secs,
            refresh_token_reuse_grace_secs: p.refresh_token_reuse_grace_secs,
            refresh_token_idle_timeout_secs: p.refresh_token_idle_timeout_secs,
        }
    }
}

/// Everything needed to open an engine.
#[derive(uniffi::Record)]
pub struct EngineConfig {
    /// The store.
    pub store: StoreConfig,
    /// The key manager.
    pub kms: KmsConfig,
    /// A host clock (default: the system clock).
    #[uniffi(default)]
    pub clock: Option<Arc<dyn Clock>>,
    /// Policy overrides (default: none).
    #[uniffi(default)]
    pub policy: Option<PolicyConfig>,
}

impl From<EngineConfig> for facade::EngineConfig {
    fn from(c: EngineConfig) -> Self {
        let store = match c.store {
            StoreConfig::Memory => facade::StoreConfig::Memory,
            StoreConfig::Sqlite { path } => facade::StoreConfig::Sqlite { path },
            StoreConfig::Postgres { url } => facade::StoreConfig::Postgres { url },
            StoreConfig::Foreign { store } => {
                facade::StoreConfig::Foreign(Arc::new(StoreAdapter(store)))
            }
        };
        let kms = match c.kms {
            KmsConfig::Local { root_key } => facade::KmsConfig::Local {
                root_key: Zeroizing::new(root_key),
            },
            KmsConfig::Pkcs11 {
                module,
                token,
                pin,
                namespace,
            } => facade::KmsConfig::Pkcs11 {
                module,
                token,
                pin: match pin {
                    Pkcs11Pin::Env { name } => facade::Pkcs11Pin::Env(name),
                    Pkcs11Pin::File { path } => facade::Pkcs11Pin::File(path),
                },
                namespace,
            },
            KmsConfig::Foreign { key_manager } => {
                facade::KmsConfig::Foreign(Arc::new(KeyManagerAdapter(key_manager)))
            }
        };
        let mut config = facade::EngineConfig::new(store, kms);
        config.clock = c
            .clock
            .map(|k| -> Arc<dyn facade::ForeignClock> { Arc::new(ClockAdapter(k)) });
        config.policy = c.policy.unwrap_or_default().into();
        config
    }
}

/// The credential lifecycle engine. Thread-safe; handles it returns share
/// its store and key manager.
#[derive(Debug, uniffi::Object)]
pub struct Engine {
    inner: facade::Engine,
}

#[uniffi::export]
impl Engine {
    /// Opens an engine.
    ///
    /// # Errors
    /// `InvalidInput` for a root key that is not 32 bytes or a policy value
    /// out of range; store failures opening the database; `VerificationFailed`
    /// (code 1207) when the root key is not the one the store was sealed with.
    #[uniffi::constructor]
    pub fn open(config: EngineConfig) -> Result<Arc<Self>> {
        Ok(Arc::new(Engine {
            inner: facade::Engine::open(config.into())?,
        }))
    }

    /// The same engine, recording `actor` as the author of audit events
    /// written through it.
    pub fn with_actor(&self, actor: String) -> Arc<Engine> {
        Arc::new(Engine {
            inner: self.inner.with_actor(&actor),
        })
    }

    /// The actor audit events record, if one was set.
    pub fn actor(&self) -> Option<String> {
        self.inner.actor().map(str::to_owned)
    }

    /// Creates the policy's default wrap key if missing; returns its id.
    ///
    /// # Errors
    /// Key manager failures.
    pub fn ensure_default_key(&self) -> Result<String> {
        Ok(self.inner.ensure_default_key()?)
    }

    /// The secrets of `tenant`.
    ///
    /// # Errors
    /// `InvalidInput` naming `tenant`.
    pub fn secrets(&self, tenant: String) -> Result<Arc<Secrets>> {
        Ok(Arc::new(Secrets {
            inner: self.inner.secrets(&tenant)?,
        }))
    }

    /// The key manager's keys (not tenant-scoped).
    pub fn kms(&self) -> Arc<Kms> {
        Arc::new(Kms {
            inner: self.inner.kms(),
        })
    }

    /// The webhook targets of `tenant`.
    ///
    /// # Errors
    /// `InvalidInput` naming `tenant`.
    pub fn targets(&self, tenant: String) -> Result<Arc<crate::domains::Targets>> {
        Ok(Arc::new(crate::domains::Targets {
            inner: self.inner.targets(&tenant)?,
        }))
    }

    /// The engine's JWT/JWS signing keys.
    pub fn jose(&self) -> Arc<crate::domains::Jose> {
        Arc::new(crate::domains::Jose {
            inner: self.inner.jose(),
        })
    }

    /// The API tokens of `tenant`.
    ///
    /// # Errors
    /// `InvalidInput` naming `tenant`.
    pub fn tokens(&self, tenant: String) -> Result<Arc<crate::domains::Tokens>> {
        Ok(Arc::new(crate::domains::Tokens {
            inner: self.inner.tokens(&tenant)?,
        }))
    }

    /// The machine identities of `tenant`.
    ///
    /// # Errors
    /// `InvalidInput` naming `tenant`.
    pub fn machine_auth(&self, tenant: String) -> Result<Arc<crate::domains::MachineAuth>> {
        Ok(Arc::new(crate::domains::MachineAuth {
            inner: self.inner.machine_auth(&tenant)?,
        }))
    }

    /// The identities and API sessions of `tenant`.
    ///
    /// # Errors
    /// `InvalidInput` naming `tenant`.
    pub fn identities(&self, tenant: String) -> Result<Arc<crate::domains::Identities>> {
        Ok(Arc::new(crate::domains::Identities {
            inner: self.inner.identities(&tenant)?,
        }))
    }

    /// The internal CA of `tenant`.
    ///
    /// # Errors
    /// `InvalidInput` naming `tenant`.
    pub fn pki(&self, tenant: String) -> Result<Arc<crate::pki::Pki>> {
        Ok(crate::pki::pki_of(self.inner.pki(&tenant)?))
    }

    /// Enrollment and certificate lifecycle of `tenant`.
    ///
    /// # Errors
    /// `InvalidInput` naming `tenant`.
    pub fn enrollment(&self, tenant: String) -> Result<Arc<crate::pki::Enrollment>> {
        Ok(crate::pki::enrollment_of(self.inner.enrollment(&tenant)?))
    }

    /// The MFA of `tenant`'s identities.
    ///
    /// # Errors
    /// `InvalidInput` naming `tenant`.
    pub fn mfa(&self, tenant: String) -> Result<Arc<crate::domains::Mfa>> {
        Ok(Arc::new(crate::domains::Mfa {
            inner: self.inner.mfa(&tenant)?,
        }))
    }

    /// A webhook replay guard kept in the engine's store (shared by every
    /// process on the store), under `namespace`.
    ///
    /// # Errors
    /// `InvalidInput` naming `namespace`.
    pub fn webhook_replay_guard(
        &self,
        namespace: String,
    ) -> Result<Arc<crate::helpers::ReplayGuard>> {
        Ok(Arc::new(crate::helpers::ReplayGuard {
            inner: self.inner.webhook_replay_guard(&namespace)?,
        }))
    }

    /// The engine clock's time (seconds since the Unix epoch).
    pub fn now(&self) -> i64 {
        self.inner.now()
    }

    /// The audit trails of `tenant`.
    ///
    /// # Errors
    /// `InvalidInput` naming `tenant`.
    pub fn audit(&self, tenant: String) -> Result<Arc<Audit>> {
        Ok(Arc::new(Audit {
            inner: self.inner.audit(&tenant)?,
        }))
    }
}

impl Engine {
    /// The facade engine underneath (for the other domain handles).
    pub fn facade(&self) -> &facade::Engine {
        &self.inner
    }
}

/// Key operations of the engine's key manager.
#[derive(Debug, uniffi::Object)]
pub struct Kms {
    inner: facade::Kms,
}

#[uniffi::export]
impl Kms {
    /// Creates key `id` with `algorithm` (`aes256gcm` wraps secrets; `p256`
    /// and `ed25519` sign).
    ///
    /// # Errors
    /// `InvalidInput` (id syntax, unknown algorithm); `Conflict` (exists).
    pub fn create_key(&self, id: String, algorithm: String) -> Result<KeyInfo> {
        Ok(self.inner.create_key(&id, &algorithm)?.into())
    }

    /// The key's information, or null.
    ///
    /// # Errors
    /// `InvalidInput` (id syntax); key manager failures.
    pub fn key_info(&self, id: String) -> Result<Option<KeyInfo>> {
        Ok(self.inner.key_info(&id)?.map(Into::into))
    }

    /// Every key, ordered by id.
    ///
    /// # Errors
    /// Key manager failures.
    pub fn list_keys(&self) -> Result<Vec<KeyInfo>> {
        Ok(self
            .inner
            .list_keys()?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Adds a version that becomes primary.
    ///
    /// # Errors
    /// `NotFound`; `State` (code 1202) unless enabled.
    pub fn rotate_key(&self, id: String) -> Result<KeyInfo> {
        Ok(self.inner.rotate_key(&id)?.into())
    }

    /// Enables the key; also cancels a scheduled deletion.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn enable_key(&self, id: String) -> Result<KeyInfo> {
        Ok(self.inner.enable_key(&id)?.into())
    }

    /// Disables the key: no new wraps or signatures.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn disable_key(&self, id: String) -> Result<KeyInfo> {
        Ok(self.inner.disable_key(&id)?.into())
    }

    /// Schedules the key's deletion: it refuses everything until enabled.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn schedule_key_deletion(&self, id: String) -> Result<KeyInfo> {
        Ok(self.inner.schedule_key_deletion(&id)?.into())
    }

    /// The SubjectPublicKeyInfo (DER) of signing key `id`.
    ///
    /// # Errors
    /// Not found, purpose, state.
    pub fn public_key(&self, id: String) -> Result<Vec<u8>> {
        Ok(self.inner.public_key(&id)?)
    }

    /// Signs `msg` with signing key `id` (64 bytes: P-256 `r || s`, or
    /// Ed25519).
    ///
    /// # Errors
    /// Not found, purpose, state.
    pub fn sign(&self, id: String, msg: Vec<u8>) -> Result<Vec<u8>> {
        Ok(self.inner.sign(&id, &msg)?)
    }
}

/// The secrets of one tenant.
#[derive(Debug, uniffi::Object)]
pub struct Secrets {
    inner: facade::Secrets,
}

#[uniffi::export]
impl Secrets {
    /// The tenant.
    pub fn tenant(&self) -> String {
        self.inner.tenant().to_owned()
    }

    /// Creates a secret.
    ///
    /// # Errors
    /// `InvalidInput` naming the field; `Conflict` (code 1003) when the name
    /// exists.
    #[uniffi::method(default(options = None))]
    pub fn create(&self, name: String, options: Option<CreateSecretOptions>) -> Result<SecretInfo> {
        Ok(self
            .inner
            .create(&name, options.unwrap_or_default().into())?
            .into())
    }

    /// The secret's metadata, in every state.
    ///
    /// # Errors
    /// `NotFound`.
    pub fn get(&self, name: String) -> Result<SecretInfo> {
        Ok(self.inner.get(&name)?.into())
    }

    /// Every secret of the tenant, by name.
    ///
    /// # Errors
    /// Store failures.
    pub fn list(&self) -> Result<Vec<SecretInfo>> {
        Ok(self.inner.list()?.into_iter().map(Into::into).collect())
    }

    /// At most `limit` secrets whose names sort after `after`.
    ///
    /// # Errors
    /// Store failures; an invalid `after`.
    #[uniffi::method(default(after = None))]
    pub fn list_page(&self, limit: u32, after: Option<String>) -> Result<Vec<SecretInfo>> {
        Ok(self
            .inner
            .list_page(after.as_deref(), limit)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// A version's value: `version` is `vN`, `N`, `CURRENT`, `PREVIOUS` or
    /// `PENDING`; null reads `CURRENT`.
    ///
    /// # Errors
    /// `State` unless enabled; `NotFound`; `VerificationFailed`.
    #[uniffi::method(default(version = None))]
    pub fn get_value(&self, name: String, version: Option<String>) -> Result<SecretValue> {
        Ok(self.inner.get_value(&name, version.as_deref())?.into())
    }

    /// Changes the wrap key for later versions and/or the description.
    ///
    /// # Errors
    /// `InvalidInput` when neither is given; state errors.
    #[uniffi::method(default(kms_key_id = None, description = None))]
    pub fn update(
        &self,
        name: String,
        kms_key_id: Option<String>,
        description: Option<String>,
    ) -> Result<SecretInfo> {
        Ok(self
            .inner
            .update(&name, kms_key_id.as_deref(), description.as_deref())?
            .into())
    }

    /// Adds a version that becomes `CURRENT`; returns its number. A repeated
    /// `idempotency_token` with the same value returns the same version.
    ///
    /// # Errors
    /// `Conflict` (idempotency mismatch); state and input errors.
    #[uniffi::method(default(idempotency_token = None))]
    pub fn put_value(
        &self,
        name: String,
        value: SecretInput,
        idempotency_token: Option<String>,
    ) -> Result<u64> {
        Ok(self
            .inner
            .put_value(&name, value.into(), idempotency_token.as_deref())?)
    }

    /// Writes a `PENDING` version; returns its number.
    ///
    /// # Errors
    /// `Conflict` (a rotation is in progress); state errors.
    pub fn begin_rotation(&self, name: String, value: SecretInput) -> Result<u64> {
        Ok(self.inner.begin_rotation(&name, value.into())?)
    }

    /// Promotes `PENDING` to `CURRENT`.
    ///
    /// # Errors
    /// `NotFound` without a pending version; state errors.
    pub fn finish_rotation(&self, name: String) -> Result<SecretInfo> {
        Ok(self.inner.finish_rotation(&name)?.into())
    }

    /// Drops the `PENDING` version.
    ///
    /// # Errors
    /// `NotFound` without a pending version; state errors.
    pub fn cancel_rotation(&self, name: String) -> Result<SecretInfo> {
        Ok(self.inner.cancel_rotation(&name)?.into())
    }

    /// `ENABLED` → `DISABLED`.
    ///
    /// # Errors
    /// `State`.
    pub fn disable(&self, name: String) -> Result<SecretInfo> {
        Ok(self.inner.disable(&name)?.into())
    }

    /// `DISABLED` → `ENABLED`.
    ///
    /// # Errors
    /// `State`.
    pub fn enable(&self, name: String) -> Result<SecretInfo> {
        Ok(self.inner.enable(&name)?.into())
    }

    /// → `FROZEN`.
    ///
    /// # Errors
    /// `State`.
    pub fn freeze(&self, name: String) -> Result<SecretInfo> {
        Ok(self.inner.freeze(&name)?.into())
    }

    /// `FROZEN` → the state before.
    ///
    /// # Errors
    /// `State`.
    pub fn unfreeze(&self, name: String) -> Result<SecretInfo> {
        Ok(self.inner.unfreeze(&name)?.into())
    }

    /// → `PENDING_DELETE` for `window_days` (7..=30; default from policy).
    ///
    /// # Errors
    /// `InvalidInput` for the window; `State`.
    #[uniffi::method(default(window_days = None))]
    pub fn schedule_delete(&self, name: String, window_days: Option<u32>) -> Result<SecretInfo> {
        Ok(self.inner.schedule_delete(&name, window_days)?.into())
    }

    /// `PENDING_DELETE` → the state before.
    ///
    /// # Errors
    /// `State`.
    pub fn restore(&self, name: String) -> Result<SecretInfo> {
        Ok(self.inner.restore(&name)?.into())
    }

    /// Deletes every secret whose deletion time has passed; returns names.
    ///
    /// # Errors
    /// Store failures.
    pub fn purge_due(&self) -> Result<Vec<String>> {
        Ok(self.inner.purge_due()?)
    }

    /// Re-wraps every version's data key under the secret's current key.
    ///
    /// # Errors
    /// `State`; key manager errors.
    pub fn rewrap(&self, name: String) -> Result<RewrapResult> {
        Ok(self.inner.rewrap(&name)?.into())
    }
}

/// The audit trails of one tenant.
#[derive(Debug, uniffi::Object)]
pub struct Audit {
    inner: facade::Audit,
}

#[uniffi::export]
impl Audit {
    /// The events of `subject` (`secret:<name>`, …) and whether their chain
    /// verifies.
    ///
    /// # Errors
    /// `InvalidInput` naming `subject`; store failures.
    pub fn events(&self, subject: String) -> Result<AuditTrailInfo> {
        Ok(self.inner.events(&subject)?.into())
    }
}
