//! `Engine`, `Secrets`, `Kms` and `Audit`: thin wrappers over the facade
//! that release the GIL around every engine call.

use std::sync::Arc;

use credcycle_facade as facade;
use credcycle_facade::{CreateSecretOptions, EngineConfig, KmsConfig, PolicyConfig, StoreConfig};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use zeroize::Zeroizing;

use crate::domains::{
    PyIdentities, PyJose, PyMachineAuth, PyMfa, PyReplayGuard, PyTargets, PyTokens,
};
use crate::errors::{engine, to_pyerr};
use crate::foreign::{PyClock, PyKeyManager, PyStore};
use crate::pki::{PyEnrollment, PyPki};
use crate::types::{AuditTrail, KeyInfo, RewrapResult, SecretInfo, SecretValue};

fn value_arg(
    value: Option<Vec<u8>>,
    generate: Option<u32>,
) -> PyResult<Option<facade::SecretInput>> {
    match (value, generate) {
        (Some(_), Some(_)) => Err(PyValueError::new_err(
            "give either value or generate, not both",
        )),
        (Some(v), None) => Ok(Some(facade::SecretInput::Bytes(Zeroizing::new(v)))),
        (None, Some(n)) => Ok(Some(facade::SecretInput::Generate(n))),
        (None, None) => Ok(None),
    }
}

fn required_value(value: Option<Vec<u8>>, generate: Option<u32>) -> PyResult<facade::SecretInput> {
    value_arg(value, generate)?
        .ok_or_else(|| PyValueError::new_err("a value (bytes) or generate=N is required"))
}

/// Policy overrides given as keyword arguments.
#[derive(Default)]
struct PolicyArgs {
    default_kms_key: Option<String>,
    max_secret_versions: Option<u32>,
    max_secret_value_bytes: Option<u64>,
    default_delete_window_days: Option<u32>,
    allow_unwrap_with_disabled_key: Option<bool>,
    conflict_retries: Option<u32>,
}

impl From<PolicyArgs> for PolicyConfig {
    fn from(p: PolicyArgs) -> Self {
        PolicyConfig {
            default_kms_key: p.default_kms_key,
            max_secret_versions: p.max_secret_versions,
            max_secret_value_bytes: p.max_secret_value_bytes,
            default_delete_window_days: p.default_delete_window_days,
            allow_unwrap_with_disabled_key: p.allow_unwrap_with_disabled_key,
            conflict_retries: p.conflict_retries,
            ..PolicyConfig::default()
        }
    }
}

/// The credential lifecycle engine. Thread-safe; share one per process.
#[pyclass(frozen, name = "Engine", module = "credcycle._native")]
pub struct PyEngine(facade::Engine);

/// A PKCS#11 token given as keyword arguments.
#[derive(Default)]
struct Pkcs11Args {
    module: Option<String>,
    token: Option<String>,
    pin_env: Option<String>,
    pin_file: Option<String>,
    namespace: Option<String>,
}

impl Pkcs11Args {
    fn config(self) -> PyResult<Option<KmsConfig>> {
        let Some(module) = self.module else {
            if self.token.is_some() || self.pin_env.is_some() || self.pin_file.is_some() {
                return Err(PyValueError::new_err("pkcs11_module is required"));
            }
            return Ok(None);
        };
        let token = self
            .token
            .ok_or_else(|| PyValueError::new_err("pkcs11_token (the token label) is required"))?;
        let pin = match (self.pin_env, self.pin_file) {
            (Some(v), None) => facade::Pkcs11Pin::Env(v),
            (None, Some(f)) => facade::Pkcs11Pin::File(f),
            _ => {
                return Err(PyValueError::new_err(
                    "give exactly one of pkcs11_pin_env or pkcs11_pin_file",
                ));
            }
        };
        Ok(Some(KmsConfig::Pkcs11 {
            module,
            token,
            pin,
            namespace: self.namespace,
        }))
    }
}

/// Applies `policy={…}` (every knob of the engine policy by name).
fn apply_policy(p: &mut PolicyConfig, policy: Option<&Bound<'_, PyDict>>) -> PyResult<()> {
    let Some(d) = policy else { return Ok(()) };
    for (k, v) in d.iter() {
        let key: String = k.extract()?;
        macro_rules! set {
            ($($name:ident),* $(,)?) => {
                match key.as_str() {
                    $(stringify!($name) => p.$name = Some(v.extract()?),)*
                    other => {
                        return Err(PyValueError::new_err(format!("unknown policy setting {other:?}")));
                    }
                }
            };
        }
        set!(
            default_kms_key,
            max_secret_versions,
            max_secret_value_bytes,
            default_delete_window_days,
            allow_unwrap_with_disabled_key,
            conflict_retries,
            password_min_len,
            password_normalize_nfkc,
            password_lockout_threshold,
            password_lockout_secs,
            api_session_idle_timeout_secs,
            api_session_max_lifetime_secs,
            mfa_issuer,
            totp_algorithm,
            totp_digits,
            totp_period_secs,
            totp_window_steps,
            totp_max_drift_steps,
            mfa_lockout_threshold,
            mfa_lockout_secs,
            recovery_code_count,
            recovery_codes_viewable,
            token_signing_key,
            token_key_retention_secs,
            jwt_ttl_secs,
            jwt_issuer,
            max_signing_key_grace_secs,
            max_api_token_lifetime_secs,
            refresh_token_reuse_grace_secs,
            refresh_token_idle_timeout_secs,
        );
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn open_engine(
    py: Python<'_>,
    store: StoreConfig,
    root_key: Option<Vec<u8>>,
    key_manager: Option<Py<PyAny>>,
    pkcs11: Pkcs11Args,
    clock: Option<Py<PyAny>>,
    policy: PolicyArgs,
    policy_dict: Option<&Bound<'_, PyDict>>,
    generate_key: bool,
) -> PyResult<PyEngine> {
    let pkcs11 = pkcs11.config()?;
    let kms = match (root_key, key_manager, pkcs11) {
        (None, None, Some(p)) => p,
        (_, _, Some(_)) => {
            return Err(PyValueError::new_err(
                "give one of root_key, key_manager or pkcs11_module",
            ));
        }
        (Some(_), Some(_), None) => {
            return Err(PyValueError::new_err(
                "give either root_key or key_manager, not both",
            ));
        }
        (Some(k), None, None) => KmsConfig::Local {
            root_key: Zeroizing::new(k),
        },
        (None, Some(km), None) => KmsConfig::Foreign(Arc::new(PyKeyManager(km))),
        (None, None, None) if generate_key => KmsConfig::Local {
            root_key: engine(facade::client::generate_root_key())?,
        },
        (None, None, None) => {
            return Err(PyValueError::new_err(
                "root_key (32 bytes) or key_manager is required",
            ));
        }
    };
    let mut config = EngineConfig::new(store, kms);
    config.policy = policy.into();
    apply_policy(&mut config.policy, policy_dict)?;
    config.clock = clock.map(|c| Arc::new(PyClock(c)) as Arc<dyn facade::ForeignClock>);
    let e = py
        .detach(|| facade::Engine::open(config))
        .map_err(to_pyerr)?;
    Ok(PyEngine(e))
}

#[pymethods]
impl PyEngine {
    /// Opens an engine (operation `engine.open`) on the SQLite file `path`,
    /// the PostgreSQL database `postgres_url` or a Python `store`, with the
    /// local key manager under `root_key` (32 bytes), a PKCS#11 token
    /// (`pkcs11_module`, `pkcs11_token` label, `pkcs11_pin_env` or
    /// `pkcs11_pin_file`, optional `pkcs11_namespace`) or a Python
    /// `key_manager`. `policy` sets any engine policy knob by name.
    #[staticmethod]
    #[pyo3(signature = (*, path = None, postgres_url = None, store = None, root_key = None,
        key_manager = None, pkcs11_module = None, pkcs11_token = None, pkcs11_pin_env = None,
        pkcs11_pin_file = None, pkcs11_namespace = None, clock = None, default_kms_key = None,
        max_secret_versions = None, max_secret_value_bytes = None,
        default_delete_window_days = None, allow_unwrap_with_disabled_key = None,
        conflict_retries = None, policy = None))]
    #[allow(clippy::too_many_arguments)]
    fn open(
        py: Python<'_>,
        path: Option<std::path::PathBuf>,
        postgres_url: Option<String>,
        store: Option<Py<PyAny>>,
        root_key: Option<Vec<u8>>,
        key_manager: Option<Py<PyAny>>,
        pkcs11_module: Option<String>,
        pkcs11_token: Option<String>,
        pkcs11_pin_env: Option<String>,
        pkcs11_pin_file: Option<String>,
        pkcs11_namespace: Option<String>,
        clock: Option<Py<PyAny>>,
        default_kms_key: Option<String>,
        max_secret_versions: Option<u32>,
        max_secret_value_bytes: Option<u64>,
        default_delete_window_days: Option<u32>,
        allow_unwrap_with_disabled_key: Option<bool>,
        conflict_retries: Option<u32>,
        policy: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let store = match (path, postgres_url, store) {
            (Some(p), None, None) => StoreConfig::Sqlite {
                path: p.to_string_lossy().into_owned(),
            },
            (None, Some(url), None) => StoreConfig::Postgres { url },
            (None, None, Some(s)) => StoreConfig::Foreign(Arc::new(PyStore(s))),
            (None, None, None) => {
                return Err(PyValueError::new_err(
                    "path, postgres_url or store is required (Engine.memory() keeps records in memory)",
                ));
            }
            _ => {
                return Err(PyValueError::new_err(
                    "give only one of path, postgres_url or store",
                ));
            }
        };
        let pkcs11 = Pkcs11Args {
            module: pkcs11_module,
            token: pkcs11_token,
            pin_env: pkcs11_pin_env,
            pin_file: pkcs11_pin_file,
            namespace: pkcs11_namespace,
        };
        let policy_args = PolicyArgs {
            default_kms_key,
            max_secret_versions,
            max_secret_value_bytes,
            default_delete_window_days,
            allow_unwrap_with_disabled_key,
            conflict_retries,
        };
        open_engine(
            py,
            store,
            root_key,
            key_manager,
            pkcs11,
            clock,
            policy_args,
            policy,
            false,
        )
    }

    /// An engine whose records live in memory (operation `engine.open`):
    /// the local key manager under `root_key` (a random one if omitted), a
    /// PKCS#11 token or a Python `key_manager`.
    #[staticmethod]
    #[pyo3(signature = (*, root_key = None, key_manager = None, pkcs11_module = None,
        pkcs11_token = None, pkcs11_pin_env = None, pkcs11_pin_file = None,
        pkcs11_namespace = None, clock = None, default_kms_key = None,
        max_secret_versions = None, max_secret_value_bytes = None,
        default_delete_window_days = None, allow_unwrap_with_disabled_key = None,
        conflict_retries = None, policy = None))]
    #[allow(clippy::too_many_arguments)]
    fn memory(
        py: Python<'_>,
        root_key: Option<Vec<u8>>,
        key_manager: Option<Py<PyAny>>,
        pkcs11_module: Option<String>,
        pkcs11_token: Option<String>,
        pkcs11_pin_env: Option<String>,
        pkcs11_pin_file: Option<String>,
        pkcs11_namespace: Option<String>,
        clock: Option<Py<PyAny>>,
        default_kms_key: Option<String>,
        max_secret_versions: Option<u32>,
        max_secret_value_bytes: Option<u64>,
        default_delete_window_days: Option<u32>,
        allow_unwrap_with_disabled_key: Option<bool>,
        conflict_retries: Option<u32>,
        policy: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let pkcs11 = Pkcs11Args {
            module: pkcs11_module,
            token: pkcs11_token,
            pin_env: pkcs11_pin_env,
            pin_file: pkcs11_pin_file,
            namespace: pkcs11_namespace,
        };
        let policy_args = PolicyArgs {
            default_kms_key,
            max_secret_versions,
            max_secret_value_bytes,
            default_delete_window_days,
            allow_unwrap_with_disabled_key,
            conflict_retries,
        };
        open_engine(
            py,
            StoreConfig::Memory,
            root_key,
            key_manager,
            pkcs11,
            clock,
            policy_args,
            policy,
            true,
        )
    }

    /// The same engine, recording `actor` as the author of audit events
    /// (operation `engine.with_actor`).
    fn with_actor(&self, actor: &str) -> Self {
        PyEngine(self.0.with_actor(actor))
    }

    /// Creates the policy's default wrap key if missing; returns its id
    /// (operation `engine.ensure_default_key`).
    fn ensure_default_key(&self, py: Python<'_>) -> PyResult<String> {
        engine(py.detach(|| self.0.ensure_default_key()))
    }

    /// The secrets of `tenant` (operation `engine.secrets`).
    fn secrets(&self, tenant: &str) -> PyResult<PySecrets> {
        Ok(PySecrets(engine(self.0.secrets(tenant))?))
    }

    /// The key manager's keys (operation `engine.kms`).
    fn kms(&self) -> PyKms {
        PyKms(self.0.kms())
    }

    /// The action targets of `tenant` (operation `engine.targets`).
    fn targets(&self, tenant: &str) -> PyResult<PyTargets> {
        Ok(PyTargets(engine(self.0.targets(tenant))?))
    }

    /// The token-signing key and JWKS (operation `engine.jose`).
    fn jose(&self) -> PyJose {
        PyJose(self.0.jose())
    }

    /// The API tokens of `tenant` (operation `engine.tokens`).
    fn tokens(&self, tenant: &str) -> PyResult<PyTokens> {
        Ok(PyTokens(engine(self.0.tokens(tenant))?))
    }

    /// Machine identities of `tenant` (operation `engine.machine_auth`).
    fn machine_auth(&self, tenant: &str) -> PyResult<PyMachineAuth> {
        Ok(PyMachineAuth(engine(self.0.machine_auth(tenant))?))
    }

    /// Identities and sessions of `tenant` (operation `engine.identities`).
    fn identities(&self, tenant: &str) -> PyResult<PyIdentities> {
        Ok(PyIdentities(engine(self.0.identities(tenant))?))
    }

    /// The internal CA of `tenant` (operation `engine.pki`).
    fn pki(&self, tenant: &str) -> PyResult<PyPki> {
        Ok(PyPki(engine(self.0.pki(tenant))?))
    }

    /// Enrollment and certificate lifecycle of `tenant` (operation
    /// `engine.enrollment`).
    fn enrollment(&self, tenant: &str) -> PyResult<PyEnrollment> {
        Ok(PyEnrollment(engine(self.0.enrollment(tenant))?))
    }

    /// TOTP second factors of `tenant` (operation `engine.mfa`).
    fn mfa(&self, tenant: &str) -> PyResult<PyMfa> {
        Ok(PyMfa(engine(self.0.mfa(tenant))?))
    }

    /// The engine clock's time, seconds since the epoch (operation
    /// `engine.now`).
    fn now(&self) -> i64 {
        self.0.now()
    }

    /// A webhook replay guard kept in the engine's store (operation
    /// `engine.webhook_replay_guard`).
    fn webhook_replay_guard(&self, namespace: &str) -> PyResult<PyReplayGuard> {
        Ok(PyReplayGuard(engine(
            self.0.webhook_replay_guard(namespace),
        )?))
    }

    /// The audit trails of `tenant` (operation `engine.audit`).
    fn audit(&self, tenant: &str) -> PyResult<PyAudit> {
        Ok(PyAudit(engine(self.0.audit(tenant))?))
    }

    fn __repr__(&self) -> String {
        match self.0.actor() {
            Some(a) => format!("Engine(actor={a:?})"),
            None => "Engine()".to_owned(),
        }
    }
}

/// The secrets of one tenant. Thread-safe.
#[pyclass(frozen, name = "Secrets", module = "credcycle._native")]
pub struct PySecrets(facade::Secrets);

impl PySecrets {
    /// The facade handle.
    pub fn inner(&self) -> &facade::Secrets {
        &self.0
    }
}

#[pymethods]
impl PySecrets {
    /// The tenant.
    #[getter]
    fn tenant(&self) -> String {
        self.0.tenant().to_owned()
    }

    /// Creates secret `name`, with a first value (`value` bytes or
    /// `generate` random bytes) if given (operation `secrets.create`).
    #[pyo3(signature = (name, *, value = None, generate = None, kms_key_id = None, description = None))]
    fn create(
        &self,
        py: Python<'_>,
        name: &str,
        value: Option<Vec<u8>>,
        generate: Option<u32>,
        kms_key_id: Option<String>,
        description: Option<String>,
    ) -> PyResult<SecretInfo> {
        let options = CreateSecretOptions {
            value: value_arg(value, generate)?,
            kms_key_id,
            description,
        };
        Ok(engine(py.detach(|| self.0.create(name, options)))?.into())
    }

    /// The metadata of secret `name` (operation `secrets.get`).
    fn get(&self, py: Python<'_>, name: &str) -> PyResult<SecretInfo> {
        Ok(engine(py.detach(|| self.0.get(name)))?.into())
    }

    /// Every secret of the tenant, by name (operation `secrets.list`).
    fn list(&self, py: Python<'_>) -> PyResult<Vec<SecretInfo>> {
        let v = engine(py.detach(|| self.0.list()))?;
        Ok(v.into_iter().map(SecretInfo::from).collect())
    }

    /// At most `limit` secrets whose names sort after `after` (operation
    /// `secrets.list_page`).
    #[pyo3(signature = (*, after = None, limit = 100))]
    fn list_page(
        &self,
        py: Python<'_>,
        after: Option<&str>,
        limit: u32,
    ) -> PyResult<Vec<SecretInfo>> {
        let v = engine(py.detach(|| self.0.list_page(after, limit)))?;
        Ok(v.into_iter().map(SecretInfo::from).collect())
    }

    /// A version's value (`version`: `"v3"`, `3`-as-string, `"CURRENT"`,
    /// `"PREVIOUS"`, `"PENDING"`; default `CURRENT`) (operation
    /// `secrets.get_value`).
    #[pyo3(signature = (name, *, version = None))]
    fn get_value(
        &self,
        py: Python<'_>,
        name: &str,
        version: Option<&str>,
    ) -> PyResult<SecretValue> {
        let v = engine(py.detach(|| self.0.get_value(name, version)))?;
        Ok(SecretValue::from_facade(py, v))
    }

    /// Changes the wrap key of later versions and/or the description
    /// (operation `secrets.update`).
    #[pyo3(signature = (name, *, kms_key_id = None, description = None))]
    fn update(
        &self,
        py: Python<'_>,
        name: &str,
        kms_key_id: Option<&str>,
        description: Option<&str>,
    ) -> PyResult<SecretInfo> {
        Ok(engine(py.detach(|| self.0.update(name, kms_key_id, description)))?.into())
    }

    /// Adds a version that becomes `CURRENT`; returns its number (operation
    /// `secrets.put_value`).
    #[pyo3(signature = (name, value = None, *, generate = None, idempotency_token = None))]
    fn put_value(
        &self,
        py: Python<'_>,
        name: &str,
        value: Option<Vec<u8>>,
        generate: Option<u32>,
        idempotency_token: Option<&str>,
    ) -> PyResult<u64> {
        let input = required_value(value, generate)?;
        engine(py.detach(|| self.0.put_value(name, input, idempotency_token)))
    }

    /// Writes a `PENDING` version; returns its number (operation
    /// `secrets.begin_rotation`).
    #[pyo3(signature = (name, value = None, *, generate = None))]
    fn begin_rotation(
        &self,
        py: Python<'_>,
        name: &str,
        value: Option<Vec<u8>>,
        generate: Option<u32>,
    ) -> PyResult<u64> {
        let input = required_value(value, generate)?;
        engine(py.detach(|| self.0.begin_rotation(name, input)))
    }

    /// Promotes `PENDING` to `CURRENT` (operation `secrets.finish_rotation`).
    fn finish_rotation(&self, py: Python<'_>, name: &str) -> PyResult<SecretInfo> {
        Ok(engine(py.detach(|| self.0.finish_rotation(name)))?.into())
    }

    /// Drops the `PENDING` version (operation `secrets.cancel_rotation`).
    fn cancel_rotation(&self, py: Python<'_>, name: &str) -> PyResult<SecretInfo> {
        Ok(engine(py.detach(|| self.0.cancel_rotation(name)))?.into())
    }

    /// `ENABLED` → `DISABLED` (operation `secrets.disable`).
    fn disable(&self, py: Python<'_>, name: &str) -> PyResult<SecretInfo> {
        Ok(engine(py.detach(|| self.0.disable(name)))?.into())
    }

    /// `DISABLED` → `ENABLED` (operation `secrets.enable`).
    fn enable(&self, py: Python<'_>, name: &str) -> PyResult<SecretInfo> {
        Ok(engine(py.detach(|| self.0.enable(name)))?.into())
    }

    /// → `FROZEN` (operation `secrets.freeze`).
    fn freeze(&self, py: Python<'_>, name: &str) -> PyResult<SecretInfo> {
        Ok(engine(py.detach(|| self.0.freeze(name)))?.into())
    }

    /// `FROZEN` → the state before (operation `secrets.unfreeze`).
    fn unfreeze(&self, py: Python<'_>, name: &str) -> PyResult<SecretInfo> {
        Ok(engine(py.detach(|| self.0.unfreeze(name)))?.into())
    }

    /// → `PENDING_DELETE` for `window_days` (7..=30; default from the
    /// policy) (operation `secrets.schedule_delete`).
    #[pyo3(signature = (name, *, window_days = None))]
    fn schedule_delete(
        &self,
        py: Python<'_>,
        name: &str,
        window_days: Option<u32>,
    ) -> PyResult<SecretInfo> {
        Ok(engine(py.detach(|| self.0.schedule_delete(name, window_days)))?.into())
    }

    /// `PENDING_DELETE` → the state before (operation `secrets.restore`).
    fn restore(&self, py: Python<'_>, name: &str) -> PyResult<SecretInfo> {
        Ok(engine(py.detach(|| self.0.restore(name)))?.into())
    }

    /// Deletes every secret whose deletion time has passed; returns their
    /// names (operation `secrets.purge_due`).
    fn purge_due(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        engine(py.detach(|| self.0.purge_due()))
    }

    /// Re-wraps every version's data key under the secret's current key
    /// (operation `secrets.rewrap`).
    fn rewrap(&self, py: Python<'_>, name: &str) -> PyResult<RewrapResult> {
        let r = engine(py.detach(|| self.0.rewrap(name)))?;
        Ok(RewrapResult {
            rewrapped: r.rewrapped,
            unchanged: r.unchanged,
        })
    }

    fn __repr__(&self) -> String {
        format!("Secrets(tenant={:?})", self.0.tenant())
    }
}

/// The engine's key manager. Thread-safe.
#[pyclass(frozen, name = "Kms", module = "credcycle._native")]
pub struct PyKms(facade::Kms);

#[pymethods]
impl PyKms {
    /// Creates key `id` (`aes256gcm` wraps secrets; `p256`, `ed25519` sign)
    /// (operation `kms.create_key`).
    #[pyo3(signature = (id, algorithm = "aes256gcm"))]
    fn create_key(&self, py: Python<'_>, id: &str, algorithm: &str) -> PyResult<KeyInfo> {
        Ok(engine(py.detach(|| self.0.create_key(id, algorithm)))?.into())
    }

    /// The key's information, or None (operation `kms.key_info`).
    fn key_info(&self, py: Python<'_>, id: &str) -> PyResult<Option<KeyInfo>> {
        Ok(engine(py.detach(|| self.0.key_info(id)))?.map(KeyInfo::from))
    }

    /// Every key, by id (operation `kms.list_keys`).
    fn list_keys(&self, py: Python<'_>) -> PyResult<Vec<KeyInfo>> {
        let v = engine(py.detach(|| self.0.list_keys()))?;
        Ok(v.into_iter().map(KeyInfo::from).collect())
    }

    /// Adds a version that becomes primary (operation `kms.rotate_key`).
    fn rotate_key(&self, py: Python<'_>, id: &str) -> PyResult<KeyInfo> {
        Ok(engine(py.detach(|| self.0.rotate_key(id)))?.into())
    }

    /// Enables the key (also cancels a scheduled deletion) (operation
    /// `kms.enable_key`).
    fn enable_key(&self, py: Python<'_>, id: &str) -> PyResult<KeyInfo> {
        Ok(engine(py.detach(|| self.0.enable_key(id)))?.into())
    }

    /// Disables the key (operation `kms.disable_key`).
    fn disable_key(&self, py: Python<'_>, id: &str) -> PyResult<KeyInfo> {
        Ok(engine(py.detach(|| self.0.disable_key(id)))?.into())
    }

    /// Schedules the key's deletion (operation `kms.schedule_key_deletion`).
    fn schedule_key_deletion(&self, py: Python<'_>, id: &str) -> PyResult<KeyInfo> {
        Ok(engine(py.detach(|| self.0.schedule_key_deletion(id)))?.into())
    }

    /// The SubjectPublicKeyInfo (DER) of signing key `id` (operation
    /// `kms.public_key`).
    fn public_key<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyBytes>> {
        let v = engine(py.detach(|| self.0.public_key(id)))?;
        Ok(PyBytes::new(py, &v))
    }

    /// Signs `msg` with signing key `id` (operation `kms.sign`).
    fn sign<'py>(&self, py: Python<'py>, id: &str, msg: Vec<u8>) -> PyResult<Bound<'py, PyBytes>> {
        let v = engine(py.detach(|| self.0.sign(id, &msg)))?;
        Ok(PyBytes::new(py, &v))
    }

    fn __repr__(&self) -> String {
        "Kms()".to_owned()
    }
}

/// The audit trails of one tenant.
#[pyclass(frozen, name = "Audit", module = "credcycle._native")]
pub struct PyAudit(facade::Audit);

#[pymethods]
impl PyAudit {
    /// The events of `subject` (`secret:<name>`) and whether their chain
    /// verifies (operation `audit.events`).
    fn events(&self, py: Python<'_>, subject: &str) -> PyResult<AuditTrail> {
        Ok(engine(py.detach(|| self.0.events(subject)))?.into())
    }

    fn __repr__(&self) -> String {
        "Audit()".to_owned()
    }
}
