//! The operations of the targets domain.

use std::time::Duration;

use serde_json::{Map, Value};

use super::record::{EncryptionKeyRecord, SigningKeyRecord, TargetRecord};
use super::webhook;
use super::{
    CreateTarget, CreatedTarget, EncryptionKeyInfo, InterruptUpdate, MAX_ENCRYPTION_KEYS,
    MAX_ENDPOINT_CHARS, MAX_NAME_CHARS, MAX_PAYLOAD_BYTES, MAX_SIGNING_KEYS, MAX_TIMEOUT,
    PayloadType, SIGNING_KEY_BYTES, SignatureScheme, SignedRequest, SigningSecret, Target,
    TargetType, UpdateResponse, UpdateTarget,
};
use crate::audit;
use crate::codec::{self, bytes::ByteBuf};
use crate::crypto::SecretBytes;
use crate::encoding::base32_encode;
use crate::engine::Engine;
use crate::envelope::{self, RecordAad};
use crate::error::{Error, Result};
use crate::jose::{PublicKey, jwe};
use crate::kms::KeyId;
use crate::namespace::TenantId;
use crate::services::UnixTime;
use crate::store::{Op, Table, Version};

const SCAN_PAGE: u32 = 256;
const ID_LEN: usize = 36;

/// The targets of one tenant. Get one from [`Engine::targets`]; cheap to
/// clone; every mutation is one atomic commit that also appends its audit
/// event (subject `target:<id>`).
#[derive(Clone, Debug)]
pub struct Targets {
    engine: Engine,
    tenant: TenantId,
    actor: String,
}

impl Targets {
    pub(crate) fn new(engine: Engine, tenant: TenantId) -> Self {
        Targets {
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

    // ---- reads -------------------------------------------------------------

    /// Target `id`.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`target`); store failures.
    pub fn get(&self, id: &str) -> Result<Target> {
        self.load(id)?.0.to_target(self.now())
    }

    /// Every target of the tenant, ordered by id.
    ///
    /// # Errors
    /// Store failures; corrupt records.
    pub fn list(&self) -> Result<Vec<Target>> {
        let prefix = self.tenant.prefix(&["target"]);
        let store = &self.engine.services().store;
        let now = self.now();
        let mut out = Vec::new();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = store.scan(Table::Target, &prefix, after.as_deref(), SCAN_PAGE)?;
            let done = page.len() < SCAN_PAGE as usize;
            after = page.last().map(|(k, _)| k.clone());
            for (_, r) in &page {
                out.push(codec::decode::<TargetRecord>(&r.value, "target")?.to_target(now)?);
            }
            if done {
                return Ok(out);
            }
        }
    }

    // ---- lifecycle ---------------------------------------------------------

    /// Creates a target with a first signing key (returned once).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `name`, `endpoint`, `timeout`,
    /// `signature_header` or `public_key` (the encryption key) and the
    /// limit; key manager and store failures. Nothing is written on any
    /// error.
    pub fn create(&self, req: CreateTarget) -> Result<CreatedTarget> {
        check_name(&req.name)?;
        check_endpoint(&req.endpoint)?;
        check_timeout(req.timeout)?;
        let header = req
            .signature_header
            .unwrap_or_else(|| webhook::ZITADEL_HEADER.to_owned());
        check_header_name(&header)?;
        // Parsed before anything is written: a bad key leaves no target.
        let encryption_key = req
            .encryption_key
            .as_deref()
            .map(parse_encryption_key)
            .transpose()?;
        let kek = self.engine.ensure_default_key()?;
        let store = &self.engine.services().store;
        let (rec, secret) = self.engine.retry(|| {
            let id = self.new_uuid()?;
            let now = self.now();
            let (interrupt, ty) = type_parts(req.target_type);
            let mut rec = TargetRecord {
                id: id.clone(),
                name: req.name.clone(),
                endpoint: req.endpoint.clone(),
                timeout_ms: millis(req.timeout),
                target_type: ty.to_owned(),
                interrupt_on_error: interrupt,
                payload_type: req.payload_type.as_str().to_owned(),
                scheme: req.scheme.as_str().to_owned(),
                signature_header: header.clone(),
                signing_keys: Vec::new(),
                next_key: 1,
                encryption_keys: Vec::new(),
                create_time: now.0,
                change_date: now.0,
            };
            if let Some((fingerprint, spki)) = &encryption_key {
                rec.encryption_keys.push(EncryptionKeyRecord {
                    fingerprint: fingerprint.clone(),
                    spki: ByteBuf(spki.clone()),
                    created: now.0,
                    expires: None,
                    active: true,
                });
            }
            let secret = self.add_signing_key(&mut rec, &kek, now)?;
            let mut ops = vec![put(self.key(&id), &rec, Version::ABSENT)?];
            ops.extend(self.audit_ops(&id, "target.create")?);
            store.commit(&ops)?;
            Ok((rec, secret))
        })?;
        Ok(CreatedTarget {
            target: rec.to_target(self.now())?,
            signing_key: secret,
        })
    }

    /// The seed's Update Target. Unset fields are unchanged. With
    /// `expiration_signing_key` a new signing key is made and returned: a
    /// zero duration retires the old keys at once; a positive one (≤ the
    /// policy maximum) keeps them signing until then. `interrupt_on_error`
    /// says how that flag is set ([`InterruptUpdate`]).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the field and limit (also when no
    /// field is set, and naming `interrupt_on_error` when it is set for a
    /// `RestAsync` target); [`Error::NotFound`] (`target`); nothing is
    /// changed on any error.
    pub fn update(&self, id: &str, req: UpdateTarget) -> Result<UpdateResponse> {
        let changes_something = req.name.is_some()
            || req.timeout.is_some()
            || req.endpoint.is_some()
            || req.expiration_signing_key.is_some()
            || req.payload_type.is_some()
            || req.target_type.is_some()
            || matches!(req.interrupt_on_error, InterruptUpdate::Set(_));
        if !changes_something {
            return Err(Error::invalid(
                "update",
                "at least one of name, timeout, endpoint, expiration_signing_key, payload_type, target_type, interrupt_on_error must be given",
            ));
        }
        if let (InterruptUpdate::Set(_), Some(TargetType::RestAsync)) =
            (req.interrupt_on_error, req.target_type)
        {
            return Err(async_interrupt());
        }
        if let Some(n) = &req.name {
            check_name(n)?;
        }
        if let Some(e) = &req.endpoint {
            check_endpoint(e)?;
        }
        if let Some(t) = req.timeout {
            check_timeout(t)?;
        }
        let max_grace = self.engine.policy().max_signing_key_grace_secs;
        if let Some(g) = req.expiration_signing_key {
            if g.as_secs() > max_grace as u64
                || (g.as_secs() == max_grace as u64 && g.subsec_nanos() > 0)
            {
                return Err(Error::invalid(
                    "expiration_signing_key",
                    format!(
                        "must be at most {max_grace}s (policy max_signing_key_grace_secs), got {}s",
                        g.as_secs()
                    ),
                ));
            }
        }
        let kek = match req.expiration_signing_key {
            Some(_) => Some(self.engine.ensure_default_key()?),
            None => None,
        };
        let mut secret = None;
        let rec = self.mutate(id, "target.update", |rec, now| {
            if let Some(n) = &req.name {
                rec.name = n.clone();
            }
            if let Some(e) = &req.endpoint {
                rec.endpoint = e.clone();
            }
            if let Some(t) = req.timeout {
                rec.timeout_ms = millis(t);
            }
            if let Some(p) = req.payload_type {
                rec.payload_type = p.as_str().to_owned();
            }
            let current = rec.target_type()?;
            let mut ty = req.target_type.unwrap_or(current);
            match req.interrupt_on_error {
                InterruptUpdate::FromType => {}
                InterruptUpdate::Keep => ty = ty.with_interrupt(current.interrupt_on_error()),
                InterruptUpdate::Set(b) => {
                    if ty == TargetType::RestAsync {
                        return Err(async_interrupt());
                    }
                    ty = ty.with_interrupt(b);
                }
            }
            let (interrupt, name) = type_parts(ty);
            rec.target_type = name.to_owned();
            rec.interrupt_on_error = interrupt;
            if let (Some(grace), Some(kek)) = (req.expiration_signing_key, &kek) {
                let until = now.secs().saturating_add(grace.as_secs() as i64);
                if grace.is_zero() {
                    rec.signing_keys.clear();
                } else {
                    for k in rec.signing_keys.iter_mut() {
                        k.expires = Some(k.expires.map_or(until, |e| e.min(until)));
                    }
                }
                rec.signing_keys.retain(|k| k.live(now));
                if rec.signing_keys.len() >= MAX_SIGNING_KEYS {
                    return Err(Error::invalid(
                        "expiration_signing_key",
                        format!("at most {MAX_SIGNING_KEYS} signing keys may be live at once; wait for older ones to expire or rotate with 0s"),
                    ));
                }
                secret = Some(self.add_signing_key(rec, kek, now)?);
            }
            Ok(())
        })?;
        Ok(UpdateResponse {
            change_date: UnixTime(rec.change_date),
            signing_key: secret,
        })
    }

    /// Deletes target `id` with its keys.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`target`); store failures.
    pub fn delete(&self, id: &str) -> Result<()> {
        let store = &self.engine.services().store;
        self.engine.retry(|| {
            let (_, ver) = self.load(id)?;
            let mut ops = vec![Op::Delete {
                table: Table::Target,
                key: self.key(id),
                expect: ver,
            }];
            ops.extend(self.audit_ops(id, "target.delete")?);
            store.commit(&ops)?;
            Ok(())
        })
    }

    // ---- encryption keys -------------------------------------------------

    /// Adds a receiver's public key (PEM SubjectPublicKeyInfo: RSA ≥ 2048
    /// bits, or EC P-256/P-384), optionally expiring at `expire_time`
    /// (which must be in the future). The first key added becomes active.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `public_key` or `expire_time`;
    /// [`Error::AlreadyExists`] (`encryption key`) for the same key twice;
    /// [`Error::NotFound`] (`target`).
    pub fn add_encryption_key(
        &self,
        id: &str,
        pem: &str,
        expire_time: Option<UnixTime>,
    ) -> Result<EncryptionKeyInfo> {
        let (fingerprint, spki) = parse_encryption_key(pem)?;
        let rec = self.mutate(id, "target.encryption_key.add", |rec, now| {
            if let Some(t) = expire_time {
                if t <= now {
                    return Err(Error::invalid("expire_time", "must be in the future"));
                }
            }
            if rec
                .encryption_keys
                .iter()
                .any(|k| k.fingerprint == fingerprint)
            {
                return Err(Error::AlreadyExists {
                    what: "encryption key",
                });
            }
            if rec.encryption_keys.len() >= MAX_ENCRYPTION_KEYS {
                return Err(Error::invalid(
                    "public_key",
                    format!("a target holds at most {MAX_ENCRYPTION_KEYS} encryption keys"),
                ));
            }
            let active = !rec.encryption_keys.iter().any(|k| k.active);
            rec.encryption_keys.push(EncryptionKeyRecord {
                fingerprint: fingerprint.clone(),
                spki: ByteBuf(spki.clone()),
                created: now.0,
                expires: expire_time.map(|t| t.0),
                active,
            });
            Ok(())
        })?;
        rec.encryption_keys
            .iter()
            .find(|k| k.fingerprint == fingerprint)
            .ok_or(Error::Internal("added key vanished"))?
            .info()
    }

    /// The target's encryption keys.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`target`).
    pub fn list_encryption_keys(&self, id: &str) -> Result<Vec<EncryptionKeyInfo>> {
        Ok(self.get(id)?.encryption_keys)
    }

    /// Makes key `fingerprint` the one payloads are encrypted to (at most
    /// one is active).
    ///
    /// # Errors
    /// [`Error::NotFound`] (`target`, `encryption key`); [`Error::State`]
    /// when the key has expired.
    pub fn activate_encryption_key(&self, id: &str, fingerprint: &str) -> Result<()> {
        self.mutate(id, "target.encryption_key.activate", |rec, now| {
            let k = rec
                .encryption_keys
                .iter()
                .find(|k| k.fingerprint == fingerprint)
                .ok_or(Error::NotFound {
                    what: "encryption key",
                })?;
            if !k.usable(now) {
                return Err(Error::State {
                    what: "encryption key",
                    state: "EXPIRED",
                    operation: "activate",
                });
            }
            for k in rec.encryption_keys.iter_mut() {
                k.active = k.fingerprint == fingerprint;
            }
            Ok(())
        })
        .map(|_| ())
    }

    /// Removes key `fingerprint`; the active key cannot be removed.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`target`, `encryption key`); [`Error::State`]
    /// when the key is active.
    pub fn remove_encryption_key(&self, id: &str, fingerprint: &str) -> Result<()> {
        self.mutate(id, "target.encryption_key.remove", |rec, _| {
            let pos = rec
                .encryption_keys
                .iter()
                .position(|k| k.fingerprint == fingerprint)
                .ok_or(Error::NotFound {
                    what: "encryption key",
                })?;
            if rec.encryption_keys[pos].active {
                return Err(Error::State {
                    what: "encryption key",
                    state: "ACTIVE",
                    operation: "remove",
                });
            }
            rec.encryption_keys.remove(pos);
            Ok(())
        })
        .map(|_| ())
    }

    // ---- signing -----------------------------------------------------------

    /// The exact request to send to target `id` for `payload` at `now`:
    /// body per the payload type, and signature headers over that final
    /// body, one signature per live signing key.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `payload` when it is over 1 MiB, or
    /// (for `Jwt`/`Jwe`) not a JSON object; [`Error::State`] for `Jwe`
    /// without an active, unexpired encryption key; [`Error::NotFound`];
    /// key manager failures.
    pub fn sign(&self, id: &str, payload: &[u8], now: UnixTime) -> Result<SignedRequest> {
        if payload.len() > MAX_PAYLOAD_BYTES {
            return Err(Error::invalid(
                "payload",
                format!(
                    "must be at most {MAX_PAYLOAD_BYTES} bytes, got {}",
                    payload.len()
                ),
            ));
        }
        let (mut rec, _) = self.load(id)?;
        let keys = self.live_keys(&rec, now)?;
        if keys.is_empty() {
            return Err(Error::State {
                what: "target",
                state: "WITHOUT_SIGNING_KEY",
                operation: "sign",
            });
        }
        let msg_id = format!(
            "msg_{}",
            base32_encode(&self.random::<16>()?).to_ascii_lowercase()
        );
        let (body, content_type) = match rec.payload_type()? {
            PayloadType::Json => (payload.to_vec(), "application/json"),
            PayloadType::Jwt => (
                self.jwt(&rec, payload, &msg_id, now)?.into_bytes(),
                "application/jwt",
            ),
            PayloadType::Jwe => {
                let active = rec
                    .encryption_keys
                    .iter()
                    .find(|k| k.active && k.usable(now))
                    .ok_or(Error::State {
                        what: "target",
                        state: "WITHOUT_ACTIVE_ENCRYPTION_KEY",
                        operation: "sign with payload type JWE",
                    })?;
                let jws = self.jwt(&rec, payload, &msg_id, now)?;
                let token = jwe::encrypt(
                    &active.public_key()?,
                    &active.fingerprint,
                    "JWT",
                    jws.as_bytes(),
                )?;
                (token.into_bytes(), "application/jose")
            }
        };
        let key_refs: Vec<&[u8]> = keys.iter().map(SecretBytes::expose).collect();
        let mut headers = vec![("content-type".to_owned(), content_type.to_owned())];
        match rec.scheme()? {
            SignatureScheme::Zitadel => headers.push((
                std::mem::take(&mut rec.signature_header),
                webhook::sign_zitadel(&key_refs, now.secs(), &body)?,
            )),
            SignatureScheme::StandardWebhooks => {
                let sig = webhook::sign_standard(&key_refs, &msg_id, now.secs(), &body)?;
                headers.push((webhook::WEBHOOK_ID.to_owned(), msg_id));
                headers.push((
                    webhook::WEBHOOK_TIMESTAMP.to_owned(),
                    now.secs().to_string(),
                ));
                headers.push((webhook::WEBHOOK_SIGNATURE.to_owned(), sig));
            }
        }
        Ok(SignedRequest { headers, body })
    }

    /// The JWT of `payload` (a JSON object) with the registered claims set
    /// by the engine: `iss` (policy), `aud` (the endpoint), `iat`, `exp`
    /// (`iat` + policy `jwt_ttl_secs`) and `jti` (the message id); these
    /// replace payload members of the same names.
    fn jwt(
        &self,
        rec: &TargetRecord,
        payload: &[u8],
        msg_id: &str,
        now: UnixTime,
    ) -> Result<String> {
        let mut claims: Map<String, Value> = serde_json::from_slice(payload).map_err(|_| {
            Error::invalid(
                "payload",
                "must be a JSON object for payload types JWT and JWE",
            )
        })?;
        let policy = self.engine.policy();
        claims.insert("iss".into(), Value::String(policy.jwt_issuer.clone()));
        claims.insert("aud".into(), Value::String(rec.endpoint.clone()));
        claims.insert("iat".into(), Value::from(now.secs()));
        claims.insert(
            "exp".into(),
            Value::from(now.secs().saturating_add(policy.jwt_ttl_secs)),
        );
        claims.insert("jti".into(), Value::String(msg_id.to_owned()));
        self.engine.jose().sign_jwt(&claims)
    }

    fn live_keys(&self, rec: &TargetRecord, now: UnixTime) -> Result<Vec<SecretBytes>> {
        let keys = self.engine.keys();
        let mut live: Vec<&SigningKeyRecord> =
            rec.signing_keys.iter().filter(|k| k.live(now)).collect();
        // Newest first: receivers that check only the first value see the new key.
        live.sort_by_key(|k| std::cmp::Reverse(k.n));
        live.into_iter()
            .map(|k| envelope::open(keys.as_ref(), &self.key_aad(&rec.id, k.n), &k.sealed.0))
            .collect()
    }

    // ---- internals ---------------------------------------------------------

    fn add_signing_key(
        &self,
        rec: &mut TargetRecord,
        kek: &KeyId,
        now: UnixTime,
    ) -> Result<SigningSecret> {
        let raw = zeroize::Zeroizing::new(self.random::<SIGNING_KEY_BYTES>()?);
        let n = rec.next_key;
        let s = self.engine.services();
        let sealed = envelope::seal(
            s.keys.as_ref(),
            s.rng.as_ref(),
            kek,
            &self.key_aad(&rec.id, n),
            raw.as_ref(),
        )?;
        rec.signing_keys.push(SigningKeyRecord {
            n,
            sealed: ByteBuf(sealed),
            created: now.0,
            expires: None,
        });
        rec.next_key += 1;
        Ok(SigningSecret::new(SecretBytes::from_slice(raw.as_ref())))
    }

    /// Binds a sealed signing key to the tenant, the target and the key
    /// number.
    fn key_aad<'a>(&'a self, id: &'a str, n: u64) -> RecordAad<'a> {
        RecordAad {
            tenant: self.tenant.as_str(),
            table: Table::Target,
            key: id.as_bytes(),
            version: n,
        }
    }

    fn random<const N: usize>(&self) -> Result<[u8; N]> {
        let mut b = [0u8; N];
        self.engine
            .services()
            .rng
            .fill(&mut b)
            .map_err(|_| Error::Random)?;
        Ok(b)
    }

    fn key(&self, id: &str) -> Vec<u8> {
        self.tenant.key(&["target", id])
    }

    fn now(&self) -> UnixTime {
        self.engine.services().clock.now()
    }

    fn load(&self, id: &str) -> Result<(TargetRecord, Version)> {
        if id.len() != ID_LEN || !id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
            return Err(Error::NotFound { what: "target" });
        }
        match self
            .engine
            .services()
            .store
            .get(Table::Target, &self.key(id))?
        {
            Some(r) => Ok((codec::decode(&r.value, "target")?, r.version)),
            None => Err(Error::NotFound { what: "target" }),
        }
    }

    fn audit_ops(&self, id: &str, action: &str) -> Result<Vec<Op>> {
        audit::append(
            &self.engine,
            &self.tenant,
            &self.actor,
            &format!("target:{id}"),
            action,
            "ok",
            self.now(),
        )
    }

    /// Read-modify-write of one target with CAS on the version read, the
    /// audit event in the same commit; re-run on conflict.
    fn mutate(
        &self,
        id: &str,
        action: &str,
        mut f: impl FnMut(&mut TargetRecord, UnixTime) -> Result<()>,
    ) -> Result<TargetRecord> {
        self.engine.retry(|| {
            let (mut rec, ver) = self.load(id)?;
            let now = self.now();
            f(&mut rec, now)?;
            rec.change_date = now.0;
            let mut ops = vec![put(self.key(id), &rec, ver)?];
            ops.extend(self.audit_ops(id, action)?);
            self.engine.services().store.commit(&ops)?;
            Ok(rec)
        })
    }

    fn new_uuid(&self) -> Result<String> {
        let mut b = self.random::<16>()?;
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h = crate::encoding::hex_encode(&b);
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

fn put(key: Vec<u8>, rec: &TargetRecord, expect: Version) -> Result<Op> {
    Ok(Op::Put {
        table: Table::Target,
        key,
        value: codec::encode(rec)?,
        expect,
    })
}

/// A receiver's PEM public key checked as an encryption key: its
/// fingerprint and DER SubjectPublicKeyInfo.
fn parse_encryption_key(pem: &str) -> Result<(String, Vec<u8>)> {
    let key = PublicKey::from_pem(pem)?;
    jwe::algorithm_for(&key)?;
    if let PublicKey::Rsa { n, .. } = &key {
        if crate::jose::rsa_modulus_is_roca(n) {
            return Err(Error::invalid(
                "public_key",
                "RSA key has the ROCA weakness (CVE-2017-15361)",
            ));
        }
    }
    Ok((key.fingerprint(), key.to_spki_der()))
}

fn async_interrupt() -> Error {
    Error::invalid(
        "interrupt_on_error",
        "does not apply to REST_ASYNC targets (their failures never interrupt)",
    )
}

fn type_parts(t: TargetType) -> (bool, &'static str) {
    (t.interrupt_on_error(), t.as_str())
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn check_name(name: &str) -> Result<()> {
    let n = name.chars().count();
    if n == 0 || n > MAX_NAME_CHARS {
        return Err(Error::invalid(
            "name",
            format!("must be 1..={MAX_NAME_CHARS} characters, got {n}"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "name",
            "must not contain control characters",
        ));
    }
    Ok(())
}

fn check_timeout(t: Duration) -> Result<()> {
    if t.is_zero() || t > MAX_TIMEOUT {
        return Err(Error::invalid(
            "timeout",
            format!("must be > 0 and at most 270s, got {}ms", t.as_millis()),
        ));
    }
    if t.subsec_nanos() % 1_000_000 != 0 {
        return Err(Error::invalid(
            "timeout",
            "must be a whole number of milliseconds",
        ));
    }
    Ok(())
}

fn check_header_name(h: &str) -> Result<()> {
    // RFC 9110 token characters.
    let ok = !h.is_empty()
        && h.len() <= 64
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !ok {
        return Err(Error::invalid(
            "signature_header",
            "must be 1..=64 characters of an HTTP header name",
        ));
    }
    Ok(())
}

/// Checks an absolute `http`/`https` URL of at most 2048 characters with a
/// host, an optional numeric port, and no whitespace, control characters or
/// fragment.
pub(crate) fn check_endpoint(url: &str) -> Result<()> {
    let bad = |why: &str| Error::invalid("endpoint", why.to_owned());
    let n = url.chars().count();
    if n == 0 || n > MAX_ENDPOINT_CHARS {
        return Err(Error::invalid(
            "endpoint",
            format!("must be 1..={MAX_ENDPOINT_CHARS} characters, got {n}"),
        ));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("must not contain whitespace or control characters"));
    }
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return Err(bad("must be an absolute http:// or https:// URL"));
    };
    if url.contains('#') {
        return Err(bad("must not have a fragment"));
    }
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let (host, port) = if let Some(v6) = host_port.strip_prefix('[') {
        let (h, after) = v6
            .split_once(']')
            .ok_or_else(|| bad("has an unterminated IPv6 address"))?;
        (h, after.strip_prefix(':'))
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    if host.is_empty() {
        return Err(bad("must name a host"));
    }
    if let Some(p) = port {
        if p.is_empty()
            || p.len() > 5
            || !p.bytes().all(|b| b.is_ascii_digit())
            || p.parse::<u32>().map_or(true, |v| v > 65_535)
        {
            return Err(bad("port must be a number 0..=65535"));
        }
    }
    Ok(())
}
