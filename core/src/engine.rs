//! [`Engine`] and its builder. Operations are grouped in tenant-scoped domain
//! handles ([`Engine::secrets`], [`Engine::audit`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::audit::Audit;
use crate::codec;
use crate::crypto::{SecretBytes, hazmat};
use crate::enrollment::Enrollment;
use crate::envelope::{self, RecordAad};
use crate::error::{Error, Result};
use crate::identities::Identities;
use crate::jose::Jose;
use crate::kms::{KeyAlgorithm, KeyId, KeyManager, KmsError};
use crate::machine_auth::MachineAuth;
use crate::mfa::Mfa;
use crate::namespace::TenantId;
use crate::pki::Pki;
use crate::policy::Policy;
use crate::secrets::Secrets;
use crate::services::{Clock, OsRandom, SecureRandom, Services, SystemClock};
use crate::store::{Op, Store, Table, Version};
use crate::targets::Targets;
use crate::tokens::Tokens;

/// The credential lifecycle engine: cheap to clone, thread-safe.
///
/// Build one with [`Engine::builder`]; the crate documentation has a full
/// example.
#[derive(Clone, Debug)]
pub struct Engine {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    services: Services,
    policy: Policy,
    tenant_keys: Mutex<HashMap<String, Arc<SecretBytes>>>,
    /// Parsed internal-CA issuers by tenant, with the CA record bytes they
    /// were made from (a hit needs the same bytes: see `Pki::issuer`).
    issuers: Mutex<HashMap<String, (Vec<u8>, crate::pki::IssuingCa)>>,
}

/// Most tenants whose parsed CA issuer an engine keeps (the cache starts
/// over when full).
const MAX_CACHED_ISSUERS: usize = 1024;

/// Builds an [`Engine`]. A store and a key manager are required; the clock
/// defaults to the system clock and randomness to the OS generator.
#[derive(Debug, Default)]
pub struct EngineBuilder {
    store: Option<Arc<dyn Store>>,
    keys: Option<Arc<dyn KeyManager>>,
    clock: Option<Arc<dyn Clock>>,
    rng: Option<Arc<dyn SecureRandom>>,
    policy: Option<Policy>,
}

impl EngineBuilder {
    /// The store (required).
    pub fn store(mut self, store: Arc<dyn Store>) -> Self {
        self.store = Some(store);
        self
    }

    /// The key manager (required).
    pub fn key_manager(mut self, keys: Arc<dyn KeyManager>) -> Self {
        self.keys = Some(keys);
        self
    }

    /// The clock (default: [`SystemClock`]).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The random generator (default: [`OsRandom`]).
    pub fn rng(mut self, rng: Arc<dyn SecureRandom>) -> Self {
        self.rng = Some(rng);
        self
    }

    /// The policy (default: [`Policy::default`]).
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = Some(policy);
        self
    }

    /// All four plug-ins at once.
    pub fn services(self, services: Services) -> Self {
        self.store(services.store)
            .key_manager(services.keys)
            .clock(services.clock)
            .rng(services.rng)
    }

    /// Builds the engine.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `store` or `key_manager` when missing,
    /// or the policy field that is out of range.
    pub fn build(self) -> Result<Engine> {
        let policy = self.policy.unwrap_or_default();
        policy.validate()?;
        let store = self
            .store
            .ok_or_else(|| Error::invalid("store", "is required"))?;
        let keys = self
            .keys
            .ok_or_else(|| Error::invalid("key_manager", "is required"))?;
        Ok(Engine {
            inner: Arc::new(Inner {
                services: Services {
                    store,
                    keys,
                    clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
                    rng: self.rng.unwrap_or_else(|| Arc::new(OsRandom::new())),
                },
                policy,
                tenant_keys: Mutex::new(HashMap::new()),
                issuers: Mutex::new(HashMap::new()),
            }),
        })
    }
}

impl Engine {
    /// A builder.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// The plug-ins.
    pub fn services(&self) -> &Services {
        &self.inner.services
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.inner.policy
    }

    /// The key manager.
    pub fn keys(&self) -> &Arc<dyn KeyManager> {
        &self.inner.services.keys
    }

    /// The secrets of `tenant`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `tenant` is not a valid tenant id.
    pub fn secrets(&self, tenant: &str) -> Result<Secrets> {
        Ok(Secrets::new(self.clone(), TenantId::new(tenant)?))
    }

    /// The action targets of `tenant`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `tenant` is not a valid tenant id.
    pub fn targets(&self, tenant: &str) -> Result<Targets> {
        Ok(Targets::new(self.clone(), TenantId::new(tenant)?))
    }

    /// The identities, authenticators, external-JWT signers and API sessions
    /// of `tenant`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `tenant` is not a valid tenant id.
    pub fn identities(&self, tenant: &str) -> Result<Identities> {
        Ok(Identities::new(self.clone(), TenantId::new(tenant)?))
    }

    /// The MFA (TOTP and recovery code) enrollments of `tenant`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `tenant` is not a valid tenant id.
    pub fn mfa(&self, tenant: &str) -> Result<Mfa> {
        Ok(Mfa::new(self.clone(), TenantId::new(tenant)?))
    }

    /// Enrollment, external CAs, certificate extension, session
    /// certificates and certificate authentication of `tenant`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `tenant` is not a valid tenant id.
    pub fn enrollment(&self, tenant: &str) -> Result<Enrollment> {
        Ok(Enrollment::new(self.clone(), TenantId::new(tenant)?))
    }

    /// JOSE operations: the token-signing key, its rotation and the JWKS.
    pub fn jose(&self) -> Jose {
        Jose::new(self.clone())
    }

    /// The PKI handle of `tenant`: its internal CA and certificate issuance.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `tenant` when the id is invalid.
    pub fn pki(&self, tenant: &str) -> Result<Pki> {
        Ok(Pki::new(self.clone(), TenantId::new(tenant)?))
    }

    /// The API tokens of `tenant`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `tenant` is not a valid tenant id.
    pub fn tokens(&self, tenant: &str) -> Result<Tokens> {
        Ok(Tokens::new(self.clone(), TenantId::new(tenant)?))
    }

    /// The machine identities and universal auth of `tenant`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `tenant` is not a valid tenant id.
    pub fn machine_auth(&self, tenant: &str) -> Result<MachineAuth> {
        Ok(MachineAuth::new(self.clone(), TenantId::new(tenant)?))
    }

    /// The audit trails of `tenant`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `tenant` is not a valid tenant id.
    pub fn audit(&self, tenant: &str) -> Result<Audit> {
        Ok(Audit {
            engine: self.clone(),
            tenant: TenantId::new(tenant)?,
        })
    }

    /// Creates the policy's default wrap key if the key manager lacks it.
    ///
    /// # Errors
    /// Key manager failures.
    pub fn ensure_default_key(&self) -> Result<KeyId> {
        let id = self.inner.policy.default_kms_key.clone();
        if self.keys().key_info(&id)?.is_none() {
            match self.keys().create_key(&id, KeyAlgorithm::Aes256Gcm) {
                Ok(_) | Err(KmsError::AlreadyExists) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(id)
    }

    /// Runs `op` again while it loses compare-and-swap races, at most
    /// `policy.conflict_retries` extra times. `op` must re-read what it
    /// changes, so that re-running it is safe.
    pub(crate) fn retry<T>(&self, mut op: impl FnMut() -> Result<T>) -> Result<T> {
        let mut attempts = 0;
        loop {
            match op() {
                Err(Error::Conflict) if attempts < self.inner.policy.conflict_retries => {
                    attempts += 1;
                    // Let the winner of the race finish before re-reading.
                    std::thread::yield_now();
                }
                other => return other,
            }
        }
    }

    /// A per-tenant 256-bit key derived for `label`. The tenant's root MAC
    /// key is created on first use and stored envelope-encrypted under the
    /// default wrap key.
    pub(crate) fn tenant_mac_key(&self, tenant: &TenantId, label: &[u8]) -> Result<SecretBytes> {
        let root = self.tenant_root_key(tenant)?;
        Ok(SecretBytes::from_slice(&hazmat::hmac_sha256(
            root.expose(),
            label,
        )))
    }

    /// The cached issuer of `tenant`'s CA if it was made from exactly
    /// `record` (the CA record's current bytes).
    pub(crate) fn cached_issuer(
        &self,
        tenant: &TenantId,
        record: &[u8],
    ) -> Option<crate::pki::IssuingCa> {
        let cache = self.inner.issuers.lock().ok()?;
        match cache.get(tenant.as_str()) {
            Some((bytes, issuer)) if bytes.as_slice() == record => Some(issuer.clone()),
            _ => None,
        }
    }

    /// Remembers `issuer`, made from CA record bytes `record`, for `tenant`.
    pub(crate) fn cache_issuer(
        &self,
        tenant: &TenantId,
        record: Vec<u8>,
        issuer: &crate::pki::IssuingCa,
    ) {
        if let Ok(mut cache) = self.inner.issuers.lock() {
            if cache.len() >= MAX_CACHED_ISSUERS && !cache.contains_key(tenant.as_str()) {
                cache.clear();
            }
            cache.insert(tenant.as_str().to_owned(), (record, issuer.clone()));
        }
    }

    fn tenant_root_key(&self, tenant: &TenantId) -> Result<Arc<SecretBytes>> {
        if let Some(k) = self
            .inner
            .tenant_keys
            .lock()
            .map_err(|_| Error::Internal("tenant key cache poisoned"))?
            .get(tenant.as_str())
        {
            return Ok(k.clone());
        }
        let key = tenant.key(&["tenant-mac-key"]);
        let aad = RecordAad {
            tenant: tenant.as_str(),
            table: Table::Meta,
            key: b"tenant-mac-key",
            version: 1,
        };
        let s = self.services();
        let loaded = self.retry(|| {
            if let Some(r) = s.store.get(Table::Meta, &key)? {
                let sealed: codec::bytes::ByteBuf = codec::decode(&r.value, "tenant key")?;
                return envelope::open(s.keys.as_ref(), &aad, &sealed.0);
            }
            let kek = self.ensure_default_key()?;
            let mut raw = zeroize::Zeroizing::new([0u8; 32]);
            s.rng.fill(raw.as_mut()).map_err(|_| Error::Random)?;
            let sealed = envelope::seal(s.keys.as_ref(), s.rng.as_ref(), &kek, &aad, raw.as_ref())?;
            s.store.commit(&[Op::Put {
                table: Table::Meta,
                key: key.clone(),
                value: codec::encode(&codec::bytes::ByteBuf(sealed))?,
                expect: Version::ABSENT,
            }])?;
            Ok(SecretBytes::from_slice(raw.as_ref()))
        })?;
        let loaded = Arc::new(loaded);
        self.inner
            .tenant_keys
            .lock()
            .map_err(|_| Error::Internal("tenant key cache poisoned"))?
            .insert(tenant.as_str().to_owned(), loaded.clone());
        Ok(loaded)
    }
}
