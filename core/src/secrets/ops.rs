//! The operations of the secrets domain.

use super::record::{IdempotencyEntry, SecretRecord, VersionMeta};
use super::{
    CreateSecret, Label, MAX_DESCRIPTION_BYTES, MAX_GENERATE_BYTES, MAX_IDEMPOTENCY_TOKEN_LEN,
    MAX_NAME_LEN, NewValue, RewrapReport, SecretMetadata, SecretState, SecretValue, UpdateSecret,
    VersionSelector,
};
use crate::audit;
use crate::codec::bytes::ByteBuf;
use crate::crypto::{SecretBytes, ct_eq, hazmat};
use crate::engine::Engine;
use crate::envelope::{self, RecordAad};
use crate::error::{Error, Result};
use crate::kms::{KeyId, KeyPurpose, KeyState};
use crate::namespace::{TenantId, check_name};
use crate::policy::{MAX_DELETE_WINDOW_DAYS, MIN_DELETE_WINDOW_DAYS};
use crate::services::UnixTime;
use crate::store::{Op, Table, Version};

const SECONDS_PER_DAY: i64 = 86_400;
const SCAN_PAGE: u32 = 256;

/// The secrets of one tenant. Get one from [`Engine::secrets`]; cheap to
/// clone; every mutation is one atomic commit that also appends its audit
/// event.
#[derive(Clone, Debug)]
pub struct Secrets {
    engine: Engine,
    tenant: TenantId,
    actor: String,
}

impl Secrets {
    pub(crate) fn new(engine: Engine, tenant: TenantId) -> Self {
        Secrets {
            engine,
            tenant,
            actor: "engine".to_owned(),
        }
    }

    /// The same handle, recording `actor` (truncated to 128 characters) as
    /// the author of its audit events.
    pub fn with_actor(mut self, actor: &str) -> Self {
        self.actor = actor
            .chars()
            .filter(|c| !c.is_control())
            .take(128)
            .collect();
        self
    }

    /// The tenant this handle is scoped to.
    pub fn tenant(&self) -> &str {
        self.tenant.as_str()
    }

    // ---- reads ---------------------------------------------------------

    /// The metadata of secret `name` (readable in every state).
    ///
    /// # Errors
    /// [`Error::NotFound`] (`secret`); invalid name; store failures.
    pub fn get(&self, name: &str) -> Result<SecretMetadata> {
        self.load(name)?.0.to_metadata()
    }

    /// Every secret of the tenant, ordered by name.
    ///
    /// # Errors
    /// Store failures; corrupt records.
    pub fn list(&self) -> Result<Vec<SecretMetadata>> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = self.list_page(after.as_deref(), SCAN_PAGE)?;
            let done = page.len() < SCAN_PAGE as usize;
            after = page.last().map(|m| m.name.clone());
            out.extend(page);
            if done {
                return Ok(out);
            }
        }
    }

    /// At most `limit` secrets whose names sort after `after`.
    ///
    /// # Errors
    /// Store failures; corrupt records; an invalid `after` name.
    pub fn list_page(&self, after: Option<&str>, limit: u32) -> Result<Vec<SecretMetadata>> {
        let prefix = self.tenant.prefix(&["secret"]);
        let after_key = match after {
            Some(a) => {
                check_name("after", a, MAX_NAME_LEN)?;
                Some(self.secret_key(a))
            }
            None => None,
        };
        let rows = self.engine.services().store.scan(
            Table::Secret,
            &prefix,
            after_key.as_deref(),
            limit,
        )?;
        rows.iter()
            .map(|(_, r)| SecretRecord::decode(&r.value)?.to_metadata())
            .collect()
    }

    /// The value of a version of `name`: `CURRENT` when `which` is `None`.
    ///
    /// # Errors
    /// [`Error::State`] unless the secret is `ENABLED`; [`Error::NotFound`]
    /// for an unknown secret, version or label; [`Error::VerificationFailed`]
    /// if the stored value was tampered with; key manager errors (a key
    /// pending deletion, or a disabled key when the policy forbids reads).
    pub fn get_value(&self, name: &str, which: Option<VersionSelector>) -> Result<SecretValue> {
        check_name("name", name, MAX_NAME_LEN)?;
        let stored = self
            .engine
            .services()
            .store
            .get(Table::Secret, &self.secret_key(name))?
            .ok_or(Error::NotFound { what: "secret" })?;
        // Only the id, the state and the selected version's number: the
        // other versions' metadata is skipped, not decoded.
        let rec = SecretRecord::lookup(
            &stored.value,
            which.unwrap_or(VersionSelector::Label(Label::Current)),
        )?;
        let state = rec.state()?;
        if state != SecretState::Enabled {
            return Err(state_error(state, "reading a value"));
        }
        let n = rec.version.ok_or(Error::NotFound { what: "version" })?;
        let sealed = self
            .engine
            .services()
            .store
            .get(Table::SecretVersion, &self.version_key(&rec.id, n))?
            .ok_or(Error::corrupt("secret version record missing"))?;
        if !self.engine.policy().allow_unwrap_with_disabled_key {
            let h = envelope::header(&sealed.value)?;
            if let Some(info) = self.engine.keys().key_info(&h.kek)? {
                if info.state == KeyState::Disabled {
                    return Err(Error::Policy(
                        "the key that wraps this version is disabled and the policy forbids reading with it".into(),
                    ));
                }
            }
        }
        let value = envelope::open(
            self.engine.keys().as_ref(),
            &self.version_aad(&rec.id, n),
            &sealed.value,
        )?;
        Ok(SecretValue { version: n, value })
    }

    // ---- creation and metadata -----------------------------------------

    /// Creates a secret, with a first value if given.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `name`, `description`, `kms_key_id` or
    /// `value` and the limit; [`Error::AlreadyExists`] if the name is taken.
    pub fn create(&self, req: CreateSecret) -> Result<SecretMetadata> {
        check_name("name", &req.name, MAX_NAME_LEN)?;
        let description = req.description.unwrap_or_default();
        check_description(&description)?;
        let kms_key_id = match req.kms_key_id {
            Some(k) => {
                self.check_wrap_key(&k)?;
                k
            }
            None => self.engine.ensure_default_key()?,
        };
        let value = req.value.map(|v| self.materialize(v)).transpose()?;
        let key = self.secret_key(&req.name);
        let store = &self.engine.services().store;
        self.engine.retry(|| {
            if store.get(Table::Secret, &key)?.is_some() {
                return Err(Error::AlreadyExists { what: "secret" });
            }
            let now = self.now();
            let mut rec = SecretRecord {
                id: self.new_uuid()?,
                name: req.name.clone(),
                description: description.clone(),
                kms_key_id: kms_key_id.as_str().to_owned(),
                state: SecretState::Enabled.as_str().to_owned(),
                prior_state: None,
                create_time: now.0,
                update_time: now.0,
                scheduled_delete_time: None,
                next_version: 1,
                versions: Vec::new(),
                idempotency: Vec::new(),
            };
            let mut ops = Vec::new();
            if let Some(v) = &value {
                let op = self.add_version(&mut rec, v.expose(), Label::Current, now)?;
                ops.push(op);
            }
            ops.insert(0, put(Table::Secret, key.clone(), &rec, Version::ABSENT)?);
            ops.extend(self.audit_ops(&req.name, "secret.create")?);
            store.commit(&ops)?;
            rec.to_metadata()
        })
    }

    /// Changes metadata only (the seed's Update Secret): a new `kms_key_id`
    /// wraps versions written afterwards; older versions keep their key.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when no field is set, the description is over
    /// 2048 bytes, or the key is unknown, not enabled or not a wrap key;
    /// [`Error::State`] when `FROZEN` or `PENDING_DELETE`.
    pub fn update(&self, name: &str, req: UpdateSecret) -> Result<SecretMetadata> {
        if req.kms_key_id.is_none() && req.description.is_none() {
            return Err(Error::invalid(
                "update",
                "at least one of kms_key_id, description must be given",
            ));
        }
        if let Some(d) = &req.description {
            check_description(d)?;
        }
        if let Some(k) = &req.kms_key_id {
            self.check_wrap_key(k)?;
        }
        self.mutate(name, "secret.update", |rec, _| {
            require(rec, WRITABLE, "update")?;
            if let Some(k) = &req.kms_key_id {
                rec.kms_key_id = k.as_str().to_owned();
            }
            if let Some(d) = &req.description {
                rec.description = d.clone();
            }
            Ok(Vec::new())
        })
    }

    // ---- versions --------------------------------------------------------

    /// Adds a version holding `value`; it becomes `CURRENT` and the old
    /// `CURRENT` becomes `PREVIOUS`. With an idempotency token, a repeat with
    /// the same value returns the version the first call wrote.
    ///
    /// # Errors
    /// [`Error::IdempotencyMismatch`] when the token was used with another
    /// value; [`Error::State`] when `FROZEN` or `PENDING_DELETE`; invalid
    /// value or token.
    pub fn put_value(
        &self,
        name: &str,
        value: NewValue,
        idempotency_token: Option<&str>,
    ) -> Result<u64> {
        if let Some(t) = idempotency_token {
            check_name("idempotency_token", t, MAX_IDEMPOTENCY_TOKEN_LEN)?;
        }
        let value = self.materialize(value)?;
        let value_mac = match idempotency_token {
            Some(_) => {
                let k = self
                    .engine
                    .tenant_mac_key(&self.tenant, b"secret-idempotency")?;
                Some(hazmat::hmac_sha256(k.expose(), value.expose()).to_vec())
            }
            None => None,
        };
        let mut written = 0;
        self.change(name, "secret.put_value", |rec, now| {
            require(rec, WRITABLE, "put_value")?;
            if let (Some(t), Some(mac)) = (idempotency_token, &value_mac) {
                if let Some(e) = rec.idempotency.iter().find(|e| e.token == t) {
                    return if ct_eq(&e.value_mac.0, mac) {
                        written = e.version;
                        Ok(None)
                    } else {
                        Err(Error::IdempotencyMismatch)
                    };
                }
            }
            let mut ops = vec![self.add_version(rec, value.expose(), Label::Current, now)?];
            written = rec.next_version - 1;
            if let (Some(t), Some(mac)) = (idempotency_token, &value_mac) {
                rec.idempotency.push(IdempotencyEntry {
                    token: t.to_owned(),
                    version: written,
                    value_mac: ByteBuf(mac.clone()),
                });
                let cap = self.engine.policy().max_secret_versions as usize;
                if rec.idempotency.len() > cap {
                    let extra = rec.idempotency.len() - cap;
                    rec.idempotency.drain(..extra);
                }
            }
            ops.extend(self.prune(rec)?);
            Ok(Some(ops))
        })?;
        Ok(written)
    }

    /// Phase one of a rotation: writes a `PENDING` version without moving
    /// `CURRENT`. Returns its number.
    ///
    /// # Errors
    /// [`Error::RotationInProgress`] when a `PENDING` version exists;
    /// [`Error::State`] when `FROZEN` or `PENDING_DELETE`.
    pub fn begin_rotation(&self, name: &str, value: NewValue) -> Result<u64> {
        let value = self.materialize(value)?;
        let mut written = 0;
        self.mutate(name, "secret.rotation.begin", |rec, now| {
            require(rec, WRITABLE, "begin_rotation")?;
            if rec.version_with(Label::Pending).is_some() {
                return Err(Error::RotationInProgress);
            }
            let mut ops = vec![self.add_version(rec, value.expose(), Label::Pending, now)?];
            written = rec.next_version - 1;
            ops.extend(self.prune(rec)?);
            Ok(ops)
        })?;
        Ok(written)
    }

    /// Phase two: the `PENDING` version becomes `CURRENT`, the old `CURRENT`
    /// becomes `PREVIOUS`.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`pending version`) when no rotation is in
    /// progress; [`Error::State`] when `FROZEN` or `PENDING_DELETE`.
    pub fn finish_rotation(&self, name: &str) -> Result<SecretMetadata> {
        self.mutate(name, "secret.rotation.finish", |rec, _| {
            require(rec, WRITABLE, "finish_rotation")?;
            let pending = pending_version(rec)?;
            promote(rec, pending);
            rec.clear_label(Label::Pending);
            Ok(Vec::new())
        })
    }

    /// Drops the `PENDING` version of an unfinished rotation.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`pending version`) when no rotation is in
    /// progress; [`Error::State`] when `FROZEN` or `PENDING_DELETE`.
    pub fn cancel_rotation(&self, name: &str) -> Result<SecretMetadata> {
        let store = self.engine.services().store.clone();
        self.mutate(name, "secret.rotation.cancel", |rec, _| {
            require(rec, WRITABLE, "cancel_rotation")?;
            let pending = pending_version(rec)?;
            rec.versions.retain(|v| v.n != pending);
            let vk = self.version_key(&rec.id, pending);
            let expect = store
                .get(Table::SecretVersion, &vk)?
                .map_or(Version::ABSENT, |r| r.version);
            Ok(vec![Op::Delete {
                table: Table::SecretVersion,
                key: vk,
                expect,
            }])
        })
    }

    // ---- states ----------------------------------------------------------

    /// `ENABLED` → `DISABLED`.
    ///
    /// # Errors
    /// [`Error::State`] from any other state.
    pub fn disable(&self, name: &str) -> Result<SecretMetadata> {
        self.transition(name, "disable", &[SecretState::Enabled], |rec| {
            rec.state = SecretState::Disabled.as_str().into();
        })
    }

    /// `DISABLED` → `ENABLED`.
    ///
    /// # Errors
    /// [`Error::State`] from any other state.
    pub fn enable(&self, name: &str) -> Result<SecretMetadata> {
        self.transition(name, "enable", &[SecretState::Disabled], |rec| {
            rec.state = SecretState::Enabled.as_str().into();
        })
    }

    /// `ENABLED`/`DISABLED` → `FROZEN`: no value reads and no changes until
    /// [`Secrets::unfreeze`].
    ///
    /// # Errors
    /// [`Error::State`] from any other state.
    pub fn freeze(&self, name: &str) -> Result<SecretMetadata> {
        self.transition(name, "freeze", WRITABLE, |rec| {
            rec.prior_state = Some(rec.state.clone());
            rec.state = SecretState::Frozen.as_str().into();
        })
    }

    /// `FROZEN` → the state it was frozen from.
    ///
    /// # Errors
    /// [`Error::State`] unless `FROZEN`.
    pub fn unfreeze(&self, name: &str) -> Result<SecretMetadata> {
        self.mutate(name, "secret.unfreeze", |rec, _| {
            require(rec, &[SecretState::Frozen], "unfreeze")?;
            rec.state = rec.prior()?.as_str().into();
            rec.prior_state = None;
            Ok(Vec::new())
        })
    }

    /// `ENABLED`/`DISABLED` → `PENDING_DELETE`, deleted by
    /// [`Secrets::purge_due`] once `window_days` (7..=30, default from the
    /// policy) have passed.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `window_days` and 7..=30;
    /// [`Error::State`] from `FROZEN` or `PENDING_DELETE`.
    pub fn schedule_delete(&self, name: &str, window_days: Option<u32>) -> Result<SecretMetadata> {
        let days = window_days.unwrap_or(self.engine.policy().default_delete_window_days);
        if !(MIN_DELETE_WINDOW_DAYS..=MAX_DELETE_WINDOW_DAYS).contains(&days) {
            return Err(Error::invalid(
                "window_days",
                format!("must be {MIN_DELETE_WINDOW_DAYS}..={MAX_DELETE_WINDOW_DAYS}, got {days}"),
            ));
        }
        self.mutate(name, "secret.schedule_delete", |rec, now| {
            require(rec, WRITABLE, "schedule_delete")?;
            rec.prior_state = Some(rec.state.clone());
            rec.state = SecretState::PendingDelete.as_str().into();
            rec.scheduled_delete_time = Some(now.plus(i64::from(days) * SECONDS_PER_DAY).0);
            Ok(Vec::new())
        })
    }

    /// `PENDING_DELETE` → the state it was in before; cancels the deletion.
    ///
    /// # Errors
    /// [`Error::State`] unless `PENDING_DELETE`.
    pub fn restore(&self, name: &str) -> Result<SecretMetadata> {
        self.mutate(name, "secret.restore", |rec, _| {
            require(rec, &[SecretState::PendingDelete], "restore")?;
            rec.state = rec.prior()?.as_str().into();
            rec.prior_state = None;
            rec.scheduled_delete_time = None;
            Ok(Vec::new())
        })
    }

    /// Deletes every secret of the tenant whose deletion time has passed,
    /// with all its versions (one atomic commit per secret). Returns their
    /// names.
    ///
    /// # Errors
    /// Store failures (secrets purged before the failure stay purged).
    pub fn purge_due(&self) -> Result<Vec<String>> {
        let mut purged = Vec::new();
        for meta in self.list()? {
            if meta.state != SecretState::PendingDelete {
                continue;
            }
            let done = self.engine.retry(|| {
                let Some((rec, ver)) = self.try_load(&meta.name)? else {
                    return Ok(false);
                };
                let due = rec.state()? == SecretState::PendingDelete
                    && rec.scheduled_delete_time.is_some_and(|t| t <= self.now().0);
                if !due {
                    return Ok(false);
                }
                let store = &self.engine.services().store;
                let mut ops = vec![Op::Delete {
                    table: Table::Secret,
                    key: self.secret_key(&rec.name),
                    expect: ver,
                }];
                for v in &rec.versions {
                    let vk = self.version_key(&rec.id, v.n);
                    if let Some(r) = store.get(Table::SecretVersion, &vk)? {
                        ops.push(Op::Delete {
                            table: Table::SecretVersion,
                            key: vk,
                            expect: r.version,
                        });
                    }
                }
                ops.extend(self.audit_ops(&rec.name, "secret.purge")?);
                store.commit(&ops)?;
                Ok(true)
            })?;
            if done {
                purged.push(meta.name);
            }
        }
        Ok(purged)
    }

    /// Re-wraps each version's data key under the primary version of the
    /// secret's current `kms_key_id`, leaving every ciphertext as it is. One
    /// commit per version, so an interrupted run resumes where it stopped.
    ///
    /// # Errors
    /// [`Error::State`] when `FROZEN` or `PENDING_DELETE`; key manager errors
    /// (the target key must be enabled).
    pub fn rewrap(&self, name: &str) -> Result<RewrapReport> {
        let (rec, _) = self.load(name)?;
        require(&rec, WRITABLE, "rewrap")?;
        let numbers: Vec<u64> = rec.versions.iter().map(|v| v.n).collect();
        let mut report = RewrapReport::default();
        let store = &self.engine.services().store;
        for n in numbers {
            let changed = self.engine.retry(|| {
                let (mut rec, ver) = self.load(name)?;
                require(&rec, WRITABLE, "rewrap")?;
                let target = KeyId::new(rec.kms_key_id.clone())
                    .map_err(|_| Error::corrupt("secret key id"))?;
                let info = self
                    .engine
                    .keys()
                    .key_info(&target)?
                    .ok_or(Error::Kms(crate::KmsError::NotFound))?;
                let vk = self.version_key(&rec.id, n);
                let Some(vr) = store.get(Table::SecretVersion, &vk)? else {
                    return Ok(None); // pruned meanwhile
                };
                let h = envelope::header(&vr.value)?;
                if h.kek == target && h.kek_version == info.primary_version {
                    return Ok(Some(false));
                }
                let sealed = envelope::rewrap(
                    self.engine.keys().as_ref(),
                    &self.version_aad(&rec.id, n),
                    &vr.value,
                    &target,
                )?;
                let nh = envelope::header(&sealed)?;
                if let Some(vm) = rec.versions.iter_mut().find(|v| v.n == n) {
                    vm.kms_key_id = nh.kek.as_str().to_owned();
                    vm.kms_key_version = nh.kek_version;
                }
                rec.update_time = self.now().0;
                let mut ops = vec![
                    Op::Put {
                        table: Table::SecretVersion,
                        key: vk,
                        value: sealed,
                        expect: vr.version,
                    },
                    put(Table::Secret, self.secret_key(name), &rec, ver)?,
                ];
                ops.extend(self.audit_ops(name, "secret.rewrap")?);
                store.commit(&ops)?;
                Ok(Some(true))
            })?;
            match changed {
                Some(true) => report.rewrapped += 1,
                Some(false) => report.unchanged += 1,
                None => {}
            }
        }
        Ok(report)
    }

    // ---- internals ---------------------------------------------------------

    fn secret_key(&self, name: &str) -> Vec<u8> {
        self.tenant.key(&["secret", name])
    }

    fn version_key(&self, id: &str, n: u64) -> Vec<u8> {
        self.tenant.key(&[id, &format!("{n:020}")])
    }

    /// Binds a version's envelope to the tenant, the secret's id (which a
    /// re-created secret of the same name does not share) and the number.
    fn version_aad<'a>(&'a self, id: &'a str, n: u64) -> RecordAad<'a> {
        RecordAad {
            tenant: self.tenant.as_str(),
            table: Table::SecretVersion,
            key: id.as_bytes(),
            version: n,
        }
    }

    fn now(&self) -> UnixTime {
        self.engine.services().clock.now()
    }

    fn try_load(&self, name: &str) -> Result<Option<(SecretRecord, Version)>> {
        check_name("name", name, MAX_NAME_LEN)?;
        match self
            .engine
            .services()
            .store
            .get(Table::Secret, &self.secret_key(name))?
        {
            Some(r) => Ok(Some((SecretRecord::decode(&r.value)?, r.version))),
            None => Ok(None),
        }
    }

    fn load(&self, name: &str) -> Result<(SecretRecord, Version)> {
        self.try_load(name)?
            .ok_or(Error::NotFound { what: "secret" })
    }

    fn audit_ops(&self, name: &str, action: &str) -> Result<Vec<Op>> {
        audit::append(
            &self.engine,
            &self.tenant,
            &self.actor,
            &format!("secret:{name}"),
            action,
            "ok",
            self.now(),
        )
    }

    /// Read-modify-write of one secret: `f` changes the record and returns
    /// extra ops; the record (CAS on the version read), the extra ops and the
    /// audit event are committed together. Re-run on conflict.
    fn mutate(
        &self,
        name: &str,
        action: &str,
        mut f: impl FnMut(&mut SecretRecord, UnixTime) -> Result<Vec<Op>>,
    ) -> Result<SecretMetadata> {
        self.mutate_or_keep(name, action, |rec, now| f(rec, now).map(Some))
    }

    /// As [`Secrets::mutate`], but `f` may return `None` to write nothing
    /// (an idempotent repeat).
    fn mutate_or_keep(
        &self,
        name: &str,
        action: &str,
        f: impl FnMut(&mut SecretRecord, UnixTime) -> Result<Option<Vec<Op>>>,
    ) -> Result<SecretMetadata> {
        self.change(name, action, f)?.to_metadata()
    }

    /// As [`Secrets::mutate_or_keep`], returning the record as written (or
    /// kept) instead of its metadata, for callers that do not return the
    /// metadata (building it converts every version).
    fn change(
        &self,
        name: &str,
        action: &str,
        mut f: impl FnMut(&mut SecretRecord, UnixTime) -> Result<Option<Vec<Op>>>,
    ) -> Result<SecretRecord> {
        self.engine.retry(|| {
            let (mut rec, ver) = self.load(name)?;
            let now = self.now();
            let Some(mut ops) = f(&mut rec, now)? else {
                return Ok(rec);
            };
            rec.update_time = now.0;
            ops.insert(0, put(Table::Secret, self.secret_key(name), &rec, ver)?);
            ops.extend(self.audit_ops(name, action)?);
            self.engine.services().store.commit(&ops)?;
            Ok(rec)
        })
    }

    fn transition(
        &self,
        name: &str,
        op: &'static str,
        from: &[SecretState],
        f: impl Fn(&mut SecretRecord),
    ) -> Result<SecretMetadata> {
        let action = format!("secret.{op}");
        self.mutate(name, &action, |rec, _| {
            require(rec, from, op)?;
            f(rec);
            Ok(Vec::new())
        })
    }

    /// Seals `value` as the next version of `rec` under its current key,
    /// labels it, and returns the op that writes the version record.
    fn add_version(
        &self,
        rec: &mut SecretRecord,
        value: &[u8],
        label: Label,
        now: UnixTime,
    ) -> Result<Op> {
        let n = rec.next_version;
        let kek =
            KeyId::new(rec.kms_key_id.clone()).map_err(|_| Error::corrupt("secret key id"))?;
        let s = self.engine.services();
        let sealed = envelope::seal(
            s.keys.as_ref(),
            s.rng.as_ref(),
            &kek,
            &self.version_aad(&rec.id, n),
            value,
        )?;
        let h = envelope::header(&sealed)?;
        rec.versions.push(VersionMeta {
            n,
            labels: Vec::new(),
            kms_key_id: h.kek.as_str().to_owned(),
            kms_key_version: h.kek_version,
            create_time: now.0,
        });
        rec.next_version += 1;
        match label {
            Label::Current => promote(rec, n),
            other => rec.set_label(n, other),
        }
        Ok(Op::Put {
            table: Table::SecretVersion,
            key: self.version_key(&rec.id, n),
            value: sealed,
            expect: Version::ABSENT,
        })
    }

    /// Removes the oldest unlabelled versions beyond the policy maximum and
    /// returns the deletes of their records.
    fn prune(&self, rec: &mut SecretRecord) -> Result<Vec<Op>> {
        let max = self.engine.policy().max_secret_versions as usize;
        let mut ops = Vec::new();
        while rec.versions.len() > max {
            let Some(pos) = rec.versions.iter().position(|v| v.labels.is_empty()) else {
                break;
            };
            let v = rec.versions.remove(pos);
            let vk = self.version_key(&rec.id, v.n);
            if let Some(r) = self
                .engine
                .services()
                .store
                .get(Table::SecretVersion, &vk)?
            {
                ops.push(Op::Delete {
                    table: Table::SecretVersion,
                    key: vk,
                    expect: r.version,
                });
            }
        }
        Ok(ops)
    }

    fn materialize(&self, v: NewValue) -> Result<SecretBytes> {
        let max = self.engine.policy().max_secret_value_bytes;
        match v {
            NewValue::Bytes(b) => {
                if b.is_empty() || b.len() > max {
                    return Err(Error::invalid(
                        "value",
                        format!("must be 1..={max} bytes, got {}", b.len()),
                    ));
                }
                Ok(b)
            }
            NewValue::Generate(n) => {
                if n == 0 || n > MAX_GENERATE_BYTES.min(max) {
                    return Err(Error::invalid(
                        "generate",
                        format!("must be 1..={} bytes, got {n}", MAX_GENERATE_BYTES.min(max)),
                    ));
                }
                let mut buf = vec![0u8; n];
                self.engine
                    .services()
                    .rng
                    .fill(&mut buf)
                    .map_err(|_| Error::Random)?;
                Ok(SecretBytes::new(buf))
            }
        }
    }

    fn check_wrap_key(&self, k: &KeyId) -> Result<()> {
        let info = self
            .engine
            .keys()
            .key_info(k)?
            .ok_or_else(|| Error::invalid("kms_key_id", "must name an existing key"))?;
        if info.purpose != KeyPurpose::Wrap {
            return Err(Error::invalid(
                "kms_key_id",
                format!(
                    "must name a wrap key, this one has purpose {}",
                    info.purpose.as_str()
                ),
            ));
        }
        if info.state != KeyState::Enabled {
            return Err(Error::invalid(
                "kms_key_id",
                format!(
                    "must name an enabled key, this one is {}",
                    info.state.as_str()
                ),
            ));
        }
        Ok(())
    }

    fn new_uuid(&self) -> Result<String> {
        let mut b = [0u8; 16];
        self.engine
            .services()
            .rng
            .fill(&mut b)
            .map_err(|_| Error::Random)?;
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
        Ok(format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        ))
    }
}

/// The states in which a secret's values and metadata may change.
const WRITABLE: &[SecretState] = &[SecretState::Enabled, SecretState::Disabled];

/// The number of the `PENDING` version, or `NotFound` when no rotation is
/// in progress.
fn pending_version(rec: &SecretRecord) -> Result<u64> {
    rec.version_with(Label::Pending)
        .map(|v| v.n)
        .ok_or(Error::NotFound {
            what: "pending version",
        })
}

/// `n` becomes `CURRENT`, the old `CURRENT` becomes `PREVIOUS`.
fn promote(rec: &mut SecretRecord, n: u64) {
    let old = rec.version_with(Label::Current).map(|v| v.n);
    if let Some(old) = old.filter(|o| *o != n) {
        rec.set_label(old, Label::Previous);
    }
    rec.set_label(n, Label::Current);
}

fn require(rec: &SecretRecord, allowed: &[SecretState], op: &'static str) -> Result<()> {
    let state = rec.state()?;
    if allowed.contains(&state) {
        Ok(())
    } else {
        Err(state_error(state, op))
    }
}

fn state_error(state: SecretState, operation: &'static str) -> Error {
    Error::State {
        what: "secret",
        state: state.as_str(),
        operation,
    }
}

fn check_description(d: &str) -> Result<()> {
    if d.len() > MAX_DESCRIPTION_BYTES {
        return Err(Error::invalid(
            "description",
            format!(
                "must be at most {MAX_DESCRIPTION_BYTES} bytes, got {}",
                d.len()
            ),
        ));
    }
    Ok(())
}

fn put(table: Table, key: Vec<u8>, rec: &SecretRecord, expect: Version) -> Result<Op> {
    Ok(Op::Put {
        table,
        key,
        value: rec.encode(),
        expect,
    })
}
