//! The operations of the identities domain.

use std::sync::Arc;

use super::context::{Ctx, Factor, Gate, LoadedSession, check_id, new_uuid, put};
use super::password::{self, PasswordBlocklist};
use super::record::{AuthenticatorRecord, IdentityRecord, InfoRecord, SessionRecord, SignerRecord};
use super::{
    ApiSession, AuthRequest, Authenticator, AuthenticatorMethod, CreateExtJwtSigner,
    CreateIdentity, Credentials, EnvInfo, ExtJwtSigner, Identity, MAX_CONFIG_TYPE_BYTES,
    MAX_CONFIG_TYPES, MAX_IDENTITY_NAME_LEN, MAX_INFO_FIELD_BYTES, MAX_TAG_NAME_BYTES,
    MAX_TAG_VALUE_BYTES, MAX_TAGS, MAX_USERNAME_LEN, MIN_USERNAME_LEN, NewApiSession,
    PatchAuthenticator, SESSION_TOKEN_PREFIX, SdkInfo, Subject, TagValue, Tags,
    UpdateAuthenticator,
};
use crate::codec;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::mfa::record::MfaRecord;
use crate::namespace::TenantId;
use crate::store::{Op, Table, Version};
use crate::token;

const SCAN_PAGE: u32 = 256;

/// Identities, authenticators, external-JWT signers and API sessions of one
/// tenant. Get one from [`Engine::identities`]; cheap to clone; every
/// mutation is one atomic commit that also appends its audit event to the
/// identity's chain (`identity:<id>`).
#[derive(Clone, Debug)]
pub struct Identities {
    ctx: Ctx,
    blocklist: Option<Arc<dyn PasswordBlocklist>>,
}

/// A successful password check, carried into the commit that acts on it.
struct Verified {
    auth: AuthenticatorRecord,
    hash: String,
}

impl Identities {
    pub(crate) fn new(engine: Engine, tenant: TenantId) -> Self {
        Identities {
            ctx: Ctx::new(engine, tenant),
            blocklist: None,
        }
    }

    /// The same handle, recording `actor` (control characters dropped,
    /// truncated to 128 characters) as the author of its audit events.
    pub fn with_actor(mut self, actor: &str) -> Self {
        self.ctx.set_actor(actor);
        self
    }

    /// The same handle, refusing new passwords that `blocklist` names
    /// (NIST 800-63B §5.1.1.2: common, expected or compromised values).
    pub fn with_blocklist(mut self, blocklist: Arc<dyn PasswordBlocklist>) -> Self {
        self.blocklist = Some(blocklist);
        self
    }

    /// The tenant this handle is scoped to.
    pub fn tenant(&self) -> &str {
        self.ctx.tenant.as_str()
    }

    // ---- identities --------------------------------------------------------

    /// Creates an identity.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `name` or `tags` and the limit;
    /// [`Error::AlreadyExists`] when the name is taken.
    pub fn create(&self, req: CreateIdentity) -> Result<Identity> {
        check_identity_name(&req.name)?;
        check_tags(&req.tags)?;
        let name_key = self.ctx.identity_name_key(&req.name);
        self.ctx.engine.retry(|| {
            if self
                .ctx
                .store()
                .get(Table::IdentityIndex, &name_key)?
                .is_some()
            {
                return Err(Error::AlreadyExists { what: "identity" });
            }
            let now = self.ctx.now().0;
            let rec = IdentityRecord {
                id: new_uuid(&self.ctx.engine)?,
                name: req.name.clone(),
                tags: req.tags.clone(),
                create_time: now,
                update_time: now,
                authenticators: Vec::new(),
            };
            let mut ops = vec![
                put(
                    Table::Identity,
                    self.ctx.identity_key(&rec.id),
                    &rec,
                    Version::ABSENT,
                )?,
                Op::Put {
                    table: Table::IdentityIndex,
                    key: name_key.clone(),
                    value: rec.id.clone().into_bytes(),
                    expect: Version::ABSENT,
                },
            ];
            ops.extend(self.ctx.audit_ops(&rec.id, "identity.create", "ok")?);
            self.ctx.store().commit(&ops)?;
            Ok(rec.to_public())
        })
    }

    /// Identity `id`.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`identity`); an invalid id.
    pub fn get(&self, id: &str) -> Result<Identity> {
        Ok(self.ctx.load_identity(id)?.0.to_public())
    }

    /// The identity named `name`.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`identity`); an invalid name.
    pub fn find_by_name(&self, name: &str) -> Result<Identity> {
        check_identity_name(name)?;
        let id = self
            .ctx
            .store()
            .get(Table::IdentityIndex, &self.ctx.identity_name_key(name))?
            .ok_or(Error::NotFound { what: "identity" })?;
        let id = String::from_utf8(id.value).map_err(|_| Error::corrupt("identity index"))?;
        self.get(&id)
    }

    /// Every identity of the tenant, ordered by name (bytes).
    ///
    /// # Errors
    /// Store failures; corrupt records.
    pub fn list(&self) -> Result<Vec<Identity>> {
        let prefix = self.ctx.tenant.prefix(&["identity-name"]);
        let mut out = Vec::new();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = self.ctx.store().scan(
                Table::IdentityIndex,
                &prefix,
                after.as_deref(),
                SCAN_PAGE,
            )?;
            let done = page.len() < SCAN_PAGE as usize;
            after = page.last().map(|(k, _)| k.clone());
            for (_, r) in page {
                let id =
                    String::from_utf8(r.value).map_err(|_| Error::corrupt("identity index"))?;
                // An identity deleted between the scan and the read is skipped.
                if let Some((rec, _)) = self.ctx.get::<IdentityRecord>(
                    Table::Identity,
                    &self.ctx.identity_key(&id),
                    "identity",
                )? {
                    out.push(rec.to_public());
                }
            }
            if done {
                return Ok(out);
            }
        }
    }

    /// Deletes identity `id` with its authenticators, API sessions (they stop
    /// working at once), MFA enrollment and failure counters, in one commit.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`identity`).
    pub fn delete(&self, id: &str) -> Result<()> {
        self.ctx.engine.retry(|| {
            let (rec, ver) = self.ctx.load_identity(id)?;
            let mut ops = vec![
                Op::Delete {
                    table: Table::Identity,
                    key: self.ctx.identity_key(id),
                    expect: ver,
                },
                self.delete_exact(Table::IdentityIndex, self.ctx.identity_name_key(&rec.name))?,
            ];
            let enrollment = self.enrollment();
            for aid in &rec.authenticators {
                if let Some((a, av)) = self.load_authenticator_opt(aid)? {
                    ops.extend(self.authenticator_delete_ops(&a, av)?);
                    ops.extend(enrollment.authenticator_cleanup_ops(&a)?);
                }
            }
            let sessions = self.sessions_of(id)?;
            let session_ids: Vec<String> =
                sessions.iter().map(|((_, s), _)| s.id.clone()).collect();
            ops.extend(enrollment.identity_cleanup_ops(id, &session_ids)?);
            for (s, sv) in sessions {
                ops.push(Op::Delete {
                    table: Table::ApiSession,
                    key: s.0,
                    expect: sv,
                });
                ops.push(self.ctx.delete_index_op(&s.1)?);
            }
            if let Some(r) = self.ctx.store().get(Table::Mfa, &self.ctx.mfa_key(id))? {
                ops.push(Op::Delete {
                    table: Table::Mfa,
                    key: self.ctx.mfa_key(id),
                    expect: r.version,
                });
            }
            ops.extend(self.ctx.lock_delete_ops(id)?);
            ops.extend(self.ctx.audit_ops(id, "identity.delete", "ok")?);
            self.ctx.store().commit(&ops)?;
            Ok(())
        })
    }

    // ---- authenticators: administration -------------------------------------

    /// Sets the identity's password authenticator (`updb`), creating it or
    /// replacing its username and password. This is the administrator's (and
    /// enrollment's) path: no current password is asked for. The password
    /// must meet the policy minimum and not be blocklisted.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `username` (4..=100 code points) or
    /// `password` (policy minimum..=100 code points); [`Error::Policy`] for a
    /// blocklisted password; [`Error::AlreadyExists`] (`username`) when
    /// another authenticator has the username; [`Error::NotFound`]
    /// (`identity`).
    pub fn set_password(
        &self,
        identity_id: &str,
        username: &str,
        password_text: &str,
    ) -> Result<Authenticator> {
        check_username(username)?;
        self.check_new_password("password", password_text)?;
        let hash = self.hash(password_text)?;
        self.ctx.engine.retry(|| {
            let (mut ident, iver) = self.ctx.load_identity(identity_id)?;
            let now = self.ctx.now().0;
            let existing = self.updb_of(&ident)?;
            let mut ops = Vec::new();
            let rec = match existing {
                Some((mut a, av)) => {
                    ops.extend(self.move_username(&a, username)?);
                    a.username = Some(username.to_owned());
                    a.password_hash = Some(hash.clone());
                    a.password_change_required = false;
                    a.update_time = now;
                    ops.push(put(
                        Table::Authenticator,
                        self.ctx.authenticator_key(&a.id),
                        &a,
                        av,
                    )?);
                    ops.push(Op::Check {
                        table: Table::Identity,
                        key: self.ctx.identity_key(identity_id),
                        expect: iver,
                    });
                    a
                }
                None => {
                    let a = AuthenticatorRecord {
                        id: new_uuid(&self.ctx.engine)?,
                        identity_id: identity_id.to_owned(),
                        method: AuthenticatorMethod::Updb.as_str().to_owned(),
                        username: Some(username.to_owned()),
                        password_hash: Some(hash.clone()),
                        password_change_required: false,
                        cert_fingerprint: None,
                        cert_pending_fingerprint: None,
                        tags: Tags::new(),
                        create_time: now,
                        update_time: now,
                    };
                    ops.push(self.claim_username(username, &a.id)?);
                    ops.push(put(
                        Table::Authenticator,
                        self.ctx.authenticator_key(&a.id),
                        &a,
                        Version::ABSENT,
                    )?);
                    ident.authenticators.push(a.id.clone());
                    ident.update_time = now;
                    ops.push(put(
                        Table::Identity,
                        self.ctx.identity_key(identity_id),
                        &ident,
                        iver,
                    )?);
                    a
                }
            };
            ops.extend(
                self.ctx
                    .audit_ops(identity_id, "authenticator.password.set", "ok")?,
            );
            self.ctx.store().commit(&ops)?;
            rec.to_public()
        })
    }

    /// Adds a certificate authenticator holding the SHA-256 fingerprint (64
    /// hex characters) of the identity's certificate. Enrollment calls this.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `fingerprint`; [`Error::AlreadyExists`]
    /// (`certificate`) when another authenticator holds it;
    /// [`Error::NotFound`] (`identity`).
    pub fn add_cert_authenticator(
        &self,
        identity_id: &str,
        fingerprint: &str,
    ) -> Result<Authenticator> {
        let fp = fingerprint.to_ascii_lowercase();
        if fp.len() != 64 || !fp.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::invalid(
                "fingerprint",
                "must be the SHA-256 of the certificate as 64 hex characters",
            ));
        }
        self.ctx.engine.retry(|| {
            let (mut ident, iver) = self.ctx.load_identity(identity_id)?;
            let (mut ops, a) = self.cert_authenticator_ops(&mut ident, iver, &fp)?;
            ops.extend(
                self.ctx
                    .audit_ops(identity_id, "authenticator.cert.add", "ok")?,
            );
            self.ctx.store().commit(&ops)?;
            a.to_public()
        })
    }

    /// The ops that add a cert authenticator for fingerprint `fp` (lower-case
    /// hex) to `ident` (read at `iver`): the fingerprint index entry, the
    /// authenticator and the identity's new authenticator list. No audit.
    /// For enrollment, which adds them to the commit that consumes a token.
    pub(crate) fn cert_authenticator_ops(
        &self,
        ident: &mut IdentityRecord,
        iver: Version,
        fp: &str,
    ) -> Result<(Vec<Op>, AuthenticatorRecord)> {
        let ck = self.ctx.cert_key(fp);
        if self.ctx.store().get(Table::IdentityIndex, &ck)?.is_some() {
            return Err(Error::AlreadyExists {
                what: "certificate",
            });
        }
        let now = self.ctx.now().0;
        let a = AuthenticatorRecord {
            id: new_uuid(&self.ctx.engine)?,
            identity_id: ident.id.clone(),
            method: AuthenticatorMethod::Cert.as_str().to_owned(),
            username: None,
            password_hash: None,
            password_change_required: false,
            cert_fingerprint: Some(fp.to_owned()),
            cert_pending_fingerprint: None,
            tags: Tags::new(),
            create_time: now,
            update_time: now,
        };
        ident.authenticators.push(a.id.clone());
        ident.update_time = now;
        let ops = vec![
            Op::Put {
                table: Table::IdentityIndex,
                key: ck,
                value: a.id.clone().into_bytes(),
                expect: Version::ABSENT,
            },
            put(
                Table::Authenticator,
                self.ctx.authenticator_key(&a.id),
                &a,
                Version::ABSENT,
            )?,
            put(
                Table::Identity,
                self.ctx.identity_key(&ident.id),
                ident,
                iver,
            )?,
        ];
        Ok((ops, a))
    }

    /// Checks a new username and password and hashes the password (the slow
    /// part, done before any commit).
    pub(crate) fn prepare_password(&self, username: &str, password_text: &str) -> Result<String> {
        check_username(username)?;
        self.check_new_password("password", password_text)?;
        self.hash(password_text)
    }

    /// The ops that create `ident`'s first password authenticator with an
    /// already computed hash. No audit. For enrollment (`updb`).
    ///
    /// # Errors
    /// [`Error::AlreadyExists`] (`authenticator`) when the identity already
    /// has one, (`username`) when the username is taken.
    pub(crate) fn new_password_ops(
        &self,
        ident: &mut IdentityRecord,
        iver: Version,
        username: &str,
        hash: &str,
    ) -> Result<(Vec<Op>, AuthenticatorRecord)> {
        if self.updb_of(ident)?.is_some() {
            return Err(Error::AlreadyExists {
                what: "password authenticator",
            });
        }
        let now = self.ctx.now().0;
        let a = AuthenticatorRecord {
            id: new_uuid(&self.ctx.engine)?,
            identity_id: ident.id.clone(),
            method: AuthenticatorMethod::Updb.as_str().to_owned(),
            username: Some(username.to_owned()),
            password_hash: Some(hash.to_owned()),
            password_change_required: false,
            cert_fingerprint: None,
            cert_pending_fingerprint: None,
            tags: Tags::new(),
            create_time: now,
            update_time: now,
        };
        ident.authenticators.push(a.id.clone());
        ident.update_time = now;
        let ops = vec![
            self.claim_username(username, &a.id)?,
            put(
                Table::Authenticator,
                self.ctx.authenticator_key(&a.id),
                &a,
                Version::ABSENT,
            )?,
            put(
                Table::Identity,
                self.ctx.identity_key(&ident.id),
                ident,
                iver,
            )?,
        ];
        Ok((ops, a))
    }

    /// A new identity record named `name` and the op that reserves its name
    /// (no audit), for CA auto-enrollment. The caller adds the `Put` of the
    /// record itself (expecting [`Version::ABSENT`]).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `name`; [`Error::AlreadyExists`].
    pub(crate) fn new_identity_ops(&self, name: &str) -> Result<(Op, IdentityRecord)> {
        check_identity_name(name)?;
        let name_key = self.ctx.identity_name_key(name);
        if self
            .ctx
            .store()
            .get(Table::IdentityIndex, &name_key)?
            .is_some()
        {
            return Err(Error::AlreadyExists { what: "identity" });
        }
        let now = self.ctx.now().0;
        let rec = IdentityRecord {
            id: new_uuid(&self.ctx.engine)?,
            name: name.to_owned(),
            tags: Tags::new(),
            create_time: now,
            update_time: now,
            authenticators: Vec::new(),
        };
        let op = Op::Put {
            table: Table::IdentityIndex,
            key: name_key,
            value: rec.id.clone().into_bytes(),
            expect: Version::ABSENT,
        };
        Ok((op, rec))
    }

    /// The enrollment handle of the same tenant (for cascading deletes).
    fn enrollment(&self) -> crate::enrollment::Enrollment {
        crate::enrollment::Enrollment::new(self.ctx.engine.clone(), self.ctx.tenant.clone())
    }

    /// The shared context (enrollment builds its commits with it).
    pub(crate) fn ctx(&self) -> &Ctx {
        &self.ctx
    }

    /// Loads an authenticator by id (any identity of the tenant).
    pub(crate) fn load_authenticator_rec(
        &self,
        id: &str,
    ) -> Result<(AuthenticatorRecord, Version)> {
        self.load_authenticator(id)
    }

    /// Marks a password as compromised: the next login's session must change
    /// it before doing anything else (NIST 800-63B §5.1.1.2; PW-10).
    ///
    /// # Errors
    /// [`Error::NotFound`] (`authenticator`); [`Error::InvalidInput`] for a
    /// non-`updb` authenticator.
    pub fn mark_password_compromised(&self, authenticator_id: &str) -> Result<Authenticator> {
        self.ctx.engine.retry(|| {
            let (mut a, av) = self.load_authenticator(authenticator_id)?;
            require_updb(&a)?;
            a.password_change_required = true;
            a.update_time = self.ctx.now().0;
            let mut ops = vec![put(
                Table::Authenticator,
                self.ctx.authenticator_key(&a.id),
                &a,
                av,
            )?];
            ops.extend(self.ctx.audit_ops(
                &a.identity_id,
                "authenticator.password.compromised",
                "ok",
            )?);
            self.ctx.store().commit(&ops)?;
            a.to_public()
        })
    }

    /// Deletes an authenticator (administration).
    ///
    /// # Errors
    /// [`Error::NotFound`] (`authenticator`).
    pub fn delete_authenticator(&self, authenticator_id: &str) -> Result<()> {
        self.ctx.engine.retry(|| {
            let (a, av) = self.load_authenticator(authenticator_id)?;
            let (mut ident, iver) = self.ctx.load_identity(&a.identity_id)?;
            ident.authenticators.retain(|x| *x != a.id);
            ident.update_time = self.ctx.now().0;
            let mut ops = self.authenticator_delete_ops(&a, av)?;
            ops.extend(self.enrollment().authenticator_cleanup_ops(&a)?);
            ops.push(put(
                Table::Identity,
                self.ctx.identity_key(&ident.id),
                &ident,
                iver,
            )?);
            ops.extend(
                self.ctx
                    .audit_ops(&a.identity_id, "authenticator.delete", "ok")?,
            );
            self.ctx.store().commit(&ops)?;
            Ok(())
        })
    }

    // ---- authenticators: the identity's own ---------------------------------

    /// The authenticators of the subject's identity.
    ///
    /// # Errors
    /// Session errors ([`Error::VerificationFailed`] for a dead token,
    /// [`Error::MfaRequired`]); [`Error::NotFound`] (`identity`).
    pub fn authenticators(&self, who: Subject<'_>) -> Result<Vec<Authenticator>> {
        let r = self
            .ctx
            .resolve(who, Gate::PasswordChange, "list authenticators")?;
        let (ident, _) = self.ctx.load_identity(&r.identity_id)?;
        let mut out = Vec::new();
        for aid in &ident.authenticators {
            if let Some((a, _)) = self.load_authenticator_opt(aid)? {
                out.push(a.to_public()?);
            }
        }
        Ok(out)
    }

    /// One authenticator of the subject's identity; another identity's
    /// authenticator is reported as not found.
    ///
    /// # Errors
    /// As [`Identities::authenticators`]; [`Error::NotFound`]
    /// (`authenticator`).
    pub fn authenticator(&self, who: Subject<'_>, authenticator_id: &str) -> Result<Authenticator> {
        let r = self
            .ctx
            .resolve(who, Gate::PasswordChange, "read authenticator")?;
        let (a, _) = self.load_own(&r.identity_id, authenticator_id)?;
        a.to_public()
    }

    /// The seed's PUT on one of the subject's own authenticators: username,
    /// password and current password are all required; tags are replaced
    /// (`None` clears them). A wrong current password changes nothing, is
    /// audited and counts toward the password lockout.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `username`, `password`,
    /// `current_password` or `tags`; [`Error::VerificationFailed`] for a
    /// wrong current password; [`Error::Locked`]; [`Error::NotFound`]
    /// (`authenticator`) for another identity's authenticator; session
    /// errors.
    pub fn update_authenticator(
        &self,
        who: Subject<'_>,
        authenticator_id: &str,
        req: UpdateAuthenticator,
    ) -> Result<Authenticator> {
        check_username(&req.username)?;
        self.check_new_password("password", &req.password)?;
        password::check_presented("current_password", &req.current_password)?;
        if let Some(t) = &req.tags {
            check_tags(t)?;
        }
        let patch = PatchAuthenticator {
            username: Some(req.username),
            password: Some(req.password),
            current_password: req.current_password,
            tags: Some(req.tags),
        };
        self.change_authenticator(who, authenticator_id, patch, "authenticator.update")
    }

    /// The seed's PATCH: only `current_password` is required; unset fields
    /// are untouched; `tags: Some(None)` clears the tags. At least one field
    /// must be given.
    ///
    /// # Errors
    /// As [`Identities::update_authenticator`]; [`Error::InvalidInput`]
    /// naming `patch` when no field is given.
    pub fn patch_authenticator(
        &self,
        who: Subject<'_>,
        authenticator_id: &str,
        req: PatchAuthenticator,
    ) -> Result<Authenticator> {
        if req.username.is_none() && req.password.is_none() && req.tags.is_none() {
            return Err(Error::invalid(
                "patch",
                "at least one of username, password, tags must be given",
            ));
        }
        if let Some(u) = &req.username {
            check_username(u)?;
        }
        if let Some(p) = &req.password {
            self.check_new_password("password", p)?;
        }
        password::check_presented("current_password", &req.current_password)?;
        if let Some(Some(t)) = &req.tags {
            check_tags(t)?;
        }
        self.change_authenticator(who, authenticator_id, req, "authenticator.patch")
    }

    fn change_authenticator(
        &self,
        who: Subject<'_>,
        authenticator_id: &str,
        req: PatchAuthenticator,
        action: &str,
    ) -> Result<Authenticator> {
        let r = self
            .ctx
            .resolve(who, Gate::PasswordChange, "change authenticator")?;
        let (a, _) = self.load_own(&r.identity_id, authenticator_id)?;
        require_updb(&a)?;
        let verified = self.verify_password(&a, &req.current_password, action)?;
        let new_hash = req.password.as_ref().map(|p| self.hash(p)).transpose()?;
        self.ctx.engine.retry(|| {
            let (mut a, av) = self.load_own(&r.identity_id, authenticator_id)?;
            if a.password_hash.as_deref() != Some(verified.hash.as_str()) {
                // The password changed since it was checked.
                return Err(Error::VerificationFailed);
            }
            let mut ops = Vec::new();
            if let Some(u) = &req.username {
                ops.extend(self.move_username(&a, u)?);
                a.username = Some(u.clone());
            }
            if let Some(h) = &new_hash {
                a.password_hash = Some(h.clone());
                a.password_change_required = false;
            }
            if let Some(t) = &req.tags {
                a.tags = t.clone().unwrap_or_default();
            }
            a.update_time = self.ctx.now().0;
            ops.push(put(
                Table::Authenticator,
                self.ctx.authenticator_key(&a.id),
                &a,
                av,
            )?);
            let lock = self.ctx.load_lock(&a.identity_id, Factor::Password)?;
            ops.extend(lock.reset_op());
            if let (Some(s), Some(_)) = (&r.session, &new_hash) {
                if let Some((mut sr, sv)) = self.ctx.reload_session(&s.key)? {
                    if sr.password_change_required {
                        sr.password_change_required = false;
                        ops.push(put(Table::ApiSession, s.key.clone(), &sr, sv)?);
                    }
                }
            }
            ops.extend(self.ctx.audit_ops(&a.identity_id, action, "ok")?);
            self.ctx.store().commit(&ops)?;
            a.to_public()
        })
    }

    // ---- external JWT signers ------------------------------------------------

    /// Registers an external JWT signer.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `name`, `issuer`, `audience`,
    /// `identity_claim` or `keys` (unparsable or unsupported keys);
    /// [`Error::AlreadyExists`] (`ext-jwt signer`) when the name is taken.
    pub fn create_ext_jwt_signer(&self, req: CreateExtJwtSigner) -> Result<ExtJwtSigner> {
        crate::namespace::check_name("name", &req.name, 64)?;
        check_text("issuer", &req.issuer, 1, 1024)?;
        check_text("audience", &req.audience, 1, 1024)?;
        let claim = req
            .identity_claim
            .clone()
            .unwrap_or_else(|| "sub".to_owned());
        check_text("identity_claim", &claim, 1, 128)?;
        super::extjwt::check_keys(&req.keys)?;
        let name_key = self.ctx.signer_name_key(&req.name);
        self.ctx.engine.retry(|| {
            if self
                .ctx
                .store()
                .get(Table::IdentityIndex, &name_key)?
                .is_some()
            {
                return Err(Error::AlreadyExists {
                    what: "ext-jwt signer",
                });
            }
            let (key_kind, keys) = match &req.keys {
                super::SignerKeys::Jwks(s) => ("jwks", s.clone()),
                super::SignerKeys::Pem(s) => ("pem", s.clone()),
            };
            let rec = SignerRecord {
                id: new_uuid(&self.ctx.engine)?,
                name: req.name.clone(),
                issuer: req.issuer.clone(),
                audience: req.audience.clone(),
                key_kind: key_kind.to_owned(),
                keys,
                identity_claim: claim.clone(),
                claim_match: match req.claim_match {
                    super::IdentityClaimMatch::Id => "id",
                    super::IdentityClaimMatch::Name => "name",
                }
                .to_owned(),
                enabled: true,
                create_time: self.ctx.now().0,
            };
            let ops = vec![
                Op::Put {
                    table: Table::IdentityIndex,
                    key: name_key.clone(),
                    value: rec.id.clone().into_bytes(),
                    expect: Version::ABSENT,
                },
                put(
                    Table::ExtJwtSigner,
                    self.ctx.signer_key(&rec.id),
                    &rec,
                    Version::ABSENT,
                )?,
            ];
            self.ctx.store().commit(&ops)?;
            rec.to_public()
        })
    }

    /// The external JWT signers of the tenant.
    ///
    /// # Errors
    /// Store failures; corrupt records.
    pub fn ext_jwt_signers(&self) -> Result<Vec<ExtJwtSigner>> {
        self.signer_records()?
            .iter()
            .map(SignerRecord::to_public)
            .collect()
    }

    /// Deletes an external JWT signer; its tokens stop authenticating.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`ext-jwt signer`).
    pub fn delete_ext_jwt_signer(&self, id: &str) -> Result<()> {
        check_id("id", id)?;
        self.ctx.engine.retry(|| {
            let (rec, ver) = self
                .ctx
                .get::<SignerRecord>(
                    Table::ExtJwtSigner,
                    &self.ctx.signer_key(id),
                    "ext-jwt signer",
                )?
                .ok_or(Error::NotFound {
                    what: "ext-jwt signer",
                })?;
            let ops = vec![
                Op::Delete {
                    table: Table::ExtJwtSigner,
                    key: self.ctx.signer_key(id),
                    expect: ver,
                },
                self.delete_exact(Table::IdentityIndex, self.ctx.signer_name_key(&rec.name))?,
            ];
            self.ctx.store().commit(&ops)?;
            Ok(())
        })
    }

    fn signer_records(&self) -> Result<Vec<SignerRecord>> {
        let prefix = self.ctx.tenant.prefix(&["ext-jwt-signer"]);
        let rows = self
            .ctx
            .store()
            .scan(Table::ExtJwtSigner, &prefix, None, 1000)?;
        rows.iter()
            .map(|(_, r)| codec::decode::<SignerRecord>(&r.value, "ext-jwt signer"))
            .collect()
    }

    // ---- authentication and sessions -------------------------------------------

    /// Authenticates and opens an API session (seed "Authenticate"):
    ///
    /// - `password`: username 4..=100 and password 5..=100 code points. An
    ///   unknown username costs the same hashing work as a wrong password.
    ///   A wrong password is audited and counts toward the lockout; a hash
    ///   weaker than the policy is re-hashed in the commit that opens the
    ///   session.
    /// - `cert`: a client certificate chain (DER, leaf first) that verifies
    ///   to the tenant's internal CA or a verified external CA and whose leaf
    ///   is the current or pending certificate of a cert authenticator
    ///   ([`crate::enrollment::Enrollment::authorize_chain`]).
    /// - `ext-jwt`: a JWT of a registered, enabled signer (signature, `iss`,
    ///   `aud`, `exp`, `nbf`, algorithm allow-list) whose identity claim names
    ///   an existing identity.
    ///
    /// `env_info`, `sdk_info` and `config_types` are recorded. The session
    /// requires MFA when the identity has a verified MFA enrollment.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the field and limit;
    /// [`Error::VerificationFailed`] for any wrong or unknown credential (no
    /// detail); [`Error::Locked`] while password authentication is locked.
    pub fn authenticate(&self, req: AuthRequest) -> Result<NewApiSession> {
        check_client_info(&req)?;
        match &req.credentials {
            Credentials::Password {
                username,
                password: pw,
            } => {
                check_username(username)?;
                password::check_presented("password", pw)?;
                let Some((a, _)) = self.load_by_username(username)? else {
                    // Same work as a real check, then the same answer.
                    let _ = self.hash(pw);
                    return Err(Error::VerificationFailed);
                };
                let verified = self.verify_password(&a, pw, "auth.password")?;
                let rehash = if password::needs_rehash(
                    &verified.hash,
                    &self.ctx.engine.policy().password_hash,
                ) {
                    Some(self.hash(pw)?)
                } else {
                    None
                };
                let identity_id = verified.auth.identity_id.clone();
                let change_required = verified.auth.password_change_required;
                self.open_session(
                    &req,
                    &identity_id,
                    "password",
                    Some(&verified.auth.id),
                    change_required,
                    |ops| {
                        let (mut a, av) = self.load_authenticator(&verified.auth.id)?;
                        if a.password_hash.as_deref() != Some(verified.hash.as_str()) {
                            return Err(Error::VerificationFailed);
                        }
                        if let Some(h) = &rehash {
                            a.password_hash = Some(h.clone());
                            ops.push(put(
                                Table::Authenticator,
                                self.ctx.authenticator_key(&a.id),
                                &a,
                                av,
                            )?);
                        } else {
                            ops.push(Op::Check {
                                table: Table::Authenticator,
                                key: self.ctx.authenticator_key(&a.id),
                                expect: av,
                            });
                        }
                        let lock = self.ctx.load_lock(&a.identity_id, Factor::Password)?;
                        ops.extend(lock.reset_op());
                        Ok(())
                    },
                )
            }
            Credentials::Cert { chain } => {
                if chain.is_empty()
                    || chain.len() > 10
                    || chain.iter().any(|c| c.is_empty() || c.len() > 64 * 1024)
                {
                    return Err(Error::invalid(
                        "chain",
                        "must hold 1..=10 DER certificates of 1..=65536 bytes each",
                    ));
                }
                let principal = self.enrollment().authorize_chain(chain)?;
                // A session certificate belongs to its session; it does not
                // open new ones.
                let Some(aid) = principal.authenticator_id else {
                    return Err(Error::VerificationFailed);
                };
                self.open_session(
                    &req,
                    &principal.identity_id,
                    "cert",
                    Some(&aid),
                    false,
                    |ops| {
                        // The certificate must still be the authenticator's
                        // when the session opens.
                        let (a, av) = self.load_authenticator(&aid)?;
                        let fp = &principal.fingerprint;
                        if a.cert_fingerprint.as_deref() != Some(fp.as_str())
                            && a.cert_pending_fingerprint.as_deref() != Some(fp.as_str())
                        {
                            return Err(Error::VerificationFailed);
                        }
                        ops.push(Op::Check {
                            table: Table::Authenticator,
                            key: self.ctx.authenticator_key(&aid),
                            expect: av,
                        });
                        Ok(())
                    },
                )
            }
            Credentials::ExtJwt { token: jwt } => {
                let signers = self.signer_records()?;
                let (signer, claim) = super::extjwt::verify(&signers, jwt, self.ctx.now())?;
                let identity_id = match signer.claim_match.as_str() {
                    "name" => {
                        check_identity_name(&claim).map_err(|_| Error::VerificationFailed)?;
                        match self.find_by_name(&claim) {
                            Ok(i) => i.id,
                            Err(Error::NotFound { .. }) => return Err(Error::VerificationFailed),
                            Err(e) => return Err(e),
                        }
                    }
                    _ => {
                        check_id("identity_id", &claim).map_err(|_| Error::VerificationFailed)?;
                        match self.ctx.load_identity(&claim) {
                            Ok(_) => claim,
                            Err(Error::NotFound { .. }) => return Err(Error::VerificationFailed),
                            Err(e) => return Err(e),
                        }
                    }
                };
                self.open_session(
                    &req,
                    &identity_id,
                    "ext-jwt",
                    Some(&signer.id),
                    false,
                    |_| Ok(()),
                )
            }
        }
    }

    /// The API session of `session_token` (seed "Return the current API
    /// session"). Allowed while MFA is owed, so a client can see
    /// `mfa_required`. Slides the idle timeout.
    ///
    /// # Errors
    /// [`Error::VerificationFailed`] for an unknown, malformed, logged-out or
    /// expired token.
    pub fn current_session(&self, session_token: &str) -> Result<ApiSession> {
        let r = self.ctx.resolve(
            Subject::Session(session_token),
            Gate::Any,
            "current session",
        )?;
        self.public_session(r.session)
    }

    /// Checks a session token for an ordinary operation named `operation`
    /// (what a service calls before serving a request): the session must be
    /// live, must not owe MFA and must not owe a password change. Slides the
    /// idle timeout.
    ///
    /// # Errors
    /// [`Error::VerificationFailed`] for a dead token; [`Error::MfaRequired`];
    /// [`Error::PasswordChangeRequired`].
    pub fn validate_session(
        &self,
        session_token: &str,
        operation: &'static str,
    ) -> Result<ApiSession> {
        let r = self
            .ctx
            .resolve(Subject::Session(session_token), Gate::Full, operation)?;
        self.public_session(r.session)
    }

    /// The identity of a session (seed "Return the current identity").
    ///
    /// # Errors
    /// As [`Identities::validate_session`].
    pub fn current_identity(&self, session_token: &str) -> Result<Identity> {
        let r = self.ctx.resolve(
            Subject::Session(session_token),
            Gate::Full,
            "current identity",
        )?;
        self.get(&r.identity_id)
    }

    /// Ends the session of `session_token`: its record is deleted, so the
    /// token stops working at once for every engine and process sharing the
    /// store.
    ///
    /// # Errors
    /// [`Error::VerificationFailed`] for an unknown or malformed token.
    pub fn logout(&self, session_token: &str) -> Result<()> {
        let key = self.ctx.session_key_of(session_token)?;
        self.ctx.engine.retry(|| {
            let (rec, ver) = self
                .ctx
                .reload_session(&key)?
                .ok_or(Error::VerificationFailed)?;
            let mut ops = self.ctx.end_session_ops(key.clone(), ver, &rec)?;
            ops.extend(self.ctx.audit_ops(&rec.identity_id, "auth.logout", "ok")?);
            self.ctx.store().commit(&ops)?;
            Ok(())
        })
    }

    /// The live API sessions of the subject's identity, oldest first.
    ///
    /// # Errors
    /// Session errors; [`Error::NotFound`] (`identity`).
    pub fn sessions(&self, who: Subject<'_>) -> Result<Vec<ApiSession>> {
        let r = self.ctx.resolve(who, Gate::Full, "list sessions")?;
        let now = self.ctx.now().0;
        let (idle, max) = (self.ctx.idle_secs(), self.ctx.max_life_secs());
        let mut out: Vec<ApiSession> = self
            .sessions_of(&r.identity_id)?
            .into_iter()
            .filter(|((_, s), _)| now < s.expires_at(idle, max))
            .map(|((_, s), _)| s.to_public(idle, max))
            .collect();
        out.sort_by(|a, b| a.create_time.cmp(&b.create_time).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// Deletes every expired API session of the tenant, with the
    /// certificates issued for it; returns how many sessions.
    ///
    /// # Errors
    /// Store failures (sessions deleted before the failure stay deleted).
    pub fn purge_expired_sessions(&self) -> Result<u32> {
        let prefix = self.ctx.tenant.prefix(&["api-session"]);
        let (idle, max) = (self.ctx.idle_secs(), self.ctx.max_life_secs());
        let now = self.ctx.now().0;
        let mut after: Option<Vec<u8>> = None;
        let mut purged = 0;
        loop {
            let page =
                self.ctx
                    .store()
                    .scan(Table::ApiSession, &prefix, after.as_deref(), SCAN_PAGE)?;
            let done = page.len() < SCAN_PAGE as usize;
            after = page.last().map(|(k, _)| k.clone());
            for (k, r) in page {
                let s: SessionRecord = codec::decode(&r.value, "api session")?;
                if now < s.expires_at(idle, max) {
                    continue;
                }
                let ops = self.ctx.end_session_ops(k, r.version, &s)?;
                match self.ctx.store().commit(&ops) {
                    Ok(()) => purged += 1,
                    Err(crate::StoreError::Conflict) => {} // touched or ended meanwhile
                    Err(e) => return Err(e.into()),
                }
            }
            if done {
                return Ok(purged);
            }
        }
    }

    // ---- internals -----------------------------------------------------------

    fn public_session(&self, s: Option<LoadedSession>) -> Result<ApiSession> {
        let s = s.ok_or(Error::Internal("session subject without session"))?;
        Ok(s.rec
            .to_public(self.ctx.idle_secs(), self.ctx.max_life_secs()))
    }

    /// Opens a session for `identity_id`; `extra` adds the method's own ops
    /// (re-run with the commit on conflict).
    fn open_session(
        &self,
        req: &AuthRequest,
        identity_id: &str,
        method: &str,
        authenticator_id: Option<&str>,
        password_change_required: bool,
        mut extra: impl FnMut(&mut Vec<Op>) -> Result<()>,
    ) -> Result<NewApiSession> {
        let new = token::generate(
            self.ctx.engine.services().rng.as_ref(),
            SESSION_TOKEN_PREFIX,
        )?;
        let key = self.ctx.session_key(&new.digest().to_hex());
        let session_id = new_uuid(&self.ctx.engine)?;
        let rec = self.ctx.engine.retry(|| {
            let (_, iver) = self.ctx.load_identity(identity_id)?;
            let mk = self.ctx.mfa_key(identity_id);
            let (mfa_verified, mver) = match self.ctx.get::<MfaRecord>(Table::Mfa, &mk, "mfa")? {
                Some((m, v)) => (m.verified, v),
                None => (false, Version::ABSENT),
            };
            let now = self.ctx.now().0;
            let rec = SessionRecord {
                id: session_id.clone(),
                identity_id: identity_id.to_owned(),
                method: method.to_owned(),
                authenticator_id: authenticator_id.map(str::to_owned),
                create_time: now,
                last_activity_time: now,
                mfa_required: mfa_verified,
                mfa_complete: false,
                password_change_required,
                env_info: req.env_info.as_ref().map(InfoRecord::from_env),
                sdk_info: req.sdk_info.as_ref().map(InfoRecord::from_sdk),
                config_types: req.config_types.clone(),
            };
            let mut ops = vec![
                Op::Check {
                    table: Table::Identity,
                    key: self.ctx.identity_key(identity_id),
                    expect: iver,
                },
                Op::Check {
                    table: Table::Mfa,
                    key: mk,
                    expect: mver,
                },
                put(Table::ApiSession, key.clone(), &rec, Version::ABSENT)?,
                Op::Put {
                    table: Table::ApiSessionIndex,
                    key: self.ctx.session_index_key(identity_id, &session_id),
                    value: key.clone(),
                    expect: Version::ABSENT,
                },
            ];
            extra(&mut ops)?;
            ops.extend(
                self.ctx
                    .audit_ops(identity_id, &format!("auth.{method}"), "ok")?,
            );
            self.ctx.store().commit(&ops)?;
            Ok(rec)
        })?;
        Ok(NewApiSession {
            token: new.into_revealed(),
            session: rec.to_public(self.ctx.idle_secs(), self.ctx.max_life_secs()),
        })
    }

    /// Checks a password of authenticator `a` (lockout first). A wrong one is
    /// counted and audited under `action`.
    fn verify_password(
        &self,
        a: &AuthenticatorRecord,
        presented: &str,
        action: &str,
    ) -> Result<Verified> {
        let policy = self.ctx.engine.policy();
        let lock = self.ctx.load_lock(&a.identity_id, Factor::Password)?;
        if let Err(e) = lock.check("password", self.ctx.now()) {
            self.ctx
                .audit_only(&a.identity_id, action, "refused: locked")?;
            return Err(e);
        }
        let hash = a
            .password_hash
            .clone()
            .ok_or(Error::corrupt("updb authenticator without hash"))?;
        let prepared = password::prepare(presented, policy.password_normalize_nfkc);
        if password::verify(&prepared, &hash)? {
            return Ok(Verified {
                auth: a.clone(),
                hash,
            });
        }
        self.ctx.engine.retry(|| {
            let lock = self.ctx.load_lock(&a.identity_id, Factor::Password)?;
            let now = self.ctx.now();
            let (op, locks) = lock.failure_op(
                now,
                policy.password_lockout_threshold,
                policy.password_lockout_secs,
            )?;
            let outcome = if locks { "failed: locked" } else { "failed" };
            let mut ops = vec![op];
            ops.extend(self.ctx.audit_ops(&a.identity_id, action, outcome)?);
            self.ctx.store().commit(&ops)?;
            Ok(())
        })?;
        Err(Error::VerificationFailed)
    }

    fn hash(&self, password_text: &str) -> Result<String> {
        let policy = self.ctx.engine.policy();
        let prepared = password::prepare(password_text, policy.password_normalize_nfkc);
        password::hash(
            self.ctx.engine.services().rng.as_ref(),
            &policy.password_hash,
            &prepared,
        )
    }

    fn check_new_password(&self, field: &'static str, p: &str) -> Result<()> {
        password::check_new(field, p, self.ctx.engine.policy().password_min_len as usize)?;
        if self.blocklist.as_ref().is_some_and(|b| b.is_blocked(p)) {
            return Err(Error::Policy(
                "password is on the list of common, expected or compromised passwords".into(),
            ));
        }
        Ok(())
    }

    fn load_authenticator_opt(&self, id: &str) -> Result<Option<(AuthenticatorRecord, Version)>> {
        check_id("authenticator_id", id)?;
        self.ctx.get(
            Table::Authenticator,
            &self.ctx.authenticator_key(id),
            "authenticator",
        )
    }

    fn load_authenticator(&self, id: &str) -> Result<(AuthenticatorRecord, Version)> {
        self.load_authenticator_opt(id)?.ok_or(Error::NotFound {
            what: "authenticator",
        })
    }

    /// An authenticator of `identity_id`; another identity's is "not found".
    fn load_own(&self, identity_id: &str, id: &str) -> Result<(AuthenticatorRecord, Version)> {
        match self.load_authenticator_opt(id)? {
            Some((a, v)) if a.identity_id == identity_id => Ok((a, v)),
            _ => Err(Error::NotFound {
                what: "authenticator",
            }),
        }
    }

    fn load_by_username(&self, username: &str) -> Result<Option<(AuthenticatorRecord, Version)>> {
        let Some(r) = self
            .ctx
            .store()
            .get(Table::IdentityIndex, &self.ctx.username_key(username))?
        else {
            return Ok(None);
        };
        let id = String::from_utf8(r.value).map_err(|_| Error::corrupt("username index"))?;
        self.load_authenticator_opt(&id)
    }

    fn updb_of(&self, ident: &IdentityRecord) -> Result<Option<(AuthenticatorRecord, Version)>> {
        for aid in &ident.authenticators {
            if let Some((a, v)) = self.load_authenticator_opt(aid)? {
                if a.method == AuthenticatorMethod::Updb.as_str() {
                    return Ok(Some((a, v)));
                }
            }
        }
        Ok(None)
    }

    /// The op that reserves `username` for authenticator `id`.
    fn claim_username(&self, username: &str, id: &str) -> Result<Op> {
        let k = self.ctx.username_key(username);
        if self.ctx.store().get(Table::IdentityIndex, &k)?.is_some() {
            return Err(Error::AlreadyExists { what: "username" });
        }
        Ok(Op::Put {
            table: Table::IdentityIndex,
            key: k,
            value: id.as_bytes().to_vec(),
            expect: Version::ABSENT,
        })
    }

    /// The ops that move `a`'s username index entry to `new` (none if equal).
    fn move_username(&self, a: &AuthenticatorRecord, new: &str) -> Result<Vec<Op>> {
        if a.username.as_deref() == Some(new) {
            return Ok(Vec::new());
        }
        let mut ops = vec![self.claim_username(new, &a.id)?];
        if let Some(old) = &a.username {
            ops.push(self.delete_exact(Table::IdentityIndex, self.ctx.username_key(old))?);
        }
        Ok(ops)
    }

    fn authenticator_delete_ops(&self, a: &AuthenticatorRecord, av: Version) -> Result<Vec<Op>> {
        let mut ops = vec![Op::Delete {
            table: Table::Authenticator,
            key: self.ctx.authenticator_key(&a.id),
            expect: av,
        }];
        if let Some(u) = &a.username {
            ops.push(self.delete_exact(Table::IdentityIndex, self.ctx.username_key(u))?);
        }
        for fp in [&a.cert_fingerprint, &a.cert_pending_fingerprint]
            .into_iter()
            .flatten()
        {
            ops.push(self.delete_exact(Table::IdentityIndex, self.ctx.cert_key(fp))?);
        }
        Ok(ops)
    }

    /// A delete of `key` at its current version (a no-op delete if absent).
    fn delete_exact(&self, table: Table, key: Vec<u8>) -> Result<Op> {
        let expect = self
            .ctx
            .store()
            .get(table, &key)?
            .map_or(Version::ABSENT, |r| r.version);
        Ok(Op::Delete { table, key, expect })
    }

    /// Every session of an identity: ((key, record), version).
    #[allow(clippy::type_complexity)]
    fn sessions_of(&self, identity_id: &str) -> Result<Vec<((Vec<u8>, SessionRecord), Version)>> {
        let prefix = self.ctx.session_index_prefix(identity_id);
        let mut out = Vec::new();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = self.ctx.store().scan(
                Table::ApiSessionIndex,
                &prefix,
                after.as_deref(),
                SCAN_PAGE,
            )?;
            let done = page.len() < SCAN_PAGE as usize;
            after = page.last().map(|(k, _)| k.clone());
            for (_, r) in page {
                if let Some((s, v)) = self.ctx.reload_session(&r.value)? {
                    out.push(((r.value, s), v));
                }
            }
            if done {
                return Ok(out);
            }
        }
    }
}

fn require_updb(a: &AuthenticatorRecord) -> Result<()> {
    if a.method == AuthenticatorMethod::Updb.as_str() {
        Ok(())
    } else {
        Err(Error::invalid(
            "authenticator",
            format!("must be an updb authenticator, this one is {}", a.method),
        ))
    }
}

/// Checks 1..=`max` bytes of text without control characters.
pub(crate) fn check_text(field: &'static str, s: &str, min: usize, max: usize) -> Result<()> {
    if s.len() < min || s.len() > max {
        return Err(Error::invalid(
            field,
            format!("must be {min}..={max} bytes, got {}", s.len()),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

pub(crate) fn check_username(u: &str) -> Result<()> {
    let n = u.chars().count();
    if !(MIN_USERNAME_LEN..=MAX_USERNAME_LEN).contains(&n) {
        return Err(Error::invalid(
            "username",
            format!(
                "must be {MIN_USERNAME_LEN}..={MAX_USERNAME_LEN} characters (code points), got {n}"
            ),
        ));
    }
    if u.chars().any(char::is_control) {
        return Err(Error::invalid(
            "username",
            "must not contain control characters",
        ));
    }
    Ok(())
}

pub(crate) fn check_identity_name(name: &str) -> Result<()> {
    let n = name.chars().count();
    if n == 0 || n > MAX_IDENTITY_NAME_LEN {
        return Err(Error::invalid(
            "name",
            format!("must be 1..={MAX_IDENTITY_NAME_LEN} characters, got {n}"),
        ));
    }
    if name.contains('/') || name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "name",
            "must not contain '/' or control characters",
        ));
    }
    Ok(())
}

pub(crate) fn check_tags(tags: &Tags) -> Result<()> {
    if tags.len() > MAX_TAGS {
        return Err(Error::invalid(
            "tags",
            format!("must have at most {MAX_TAGS} entries, got {}", tags.len()),
        ));
    }
    for (k, v) in tags {
        if k.is_empty() || k.len() > MAX_TAG_NAME_BYTES || k.chars().any(char::is_control) {
            return Err(Error::invalid(
                "tags",
                format!("names must be 1..={MAX_TAG_NAME_BYTES} bytes without control characters"),
            ));
        }
        if let TagValue::String(s) = v {
            if s.len() > MAX_TAG_VALUE_BYTES {
                return Err(Error::invalid(
                    "tags",
                    format!(
                        "string values must be at most {MAX_TAG_VALUE_BYTES} bytes, got {}",
                        s.len()
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn check_client_info(req: &AuthRequest) -> Result<()> {
    let field = |name: &'static str, v: &Option<String>| -> Result<()> {
        match v {
            Some(s) if s.len() > MAX_INFO_FIELD_BYTES => Err(Error::invalid(
                name,
                format!(
                    "must be at most {MAX_INFO_FIELD_BYTES} bytes, got {}",
                    s.len()
                ),
            )),
            _ => Ok(()),
        }
    };
    if let Some(EnvInfo {
        arch,
        os,
        os_release,
        os_version,
        domain,
        hostname,
    }) = &req.env_info
    {
        for v in [arch, os, os_release, os_version, domain, hostname] {
            field("env_info", v)?;
        }
    }
    if let Some(SdkInfo {
        app_id,
        app_version,
        branch,
        revision,
        sdk_type,
        version,
    }) = &req.sdk_info
    {
        for v in [app_id, app_version, branch, revision, sdk_type, version] {
            field("sdk_info", v)?;
        }
    }
    if req.config_types.len() > MAX_CONFIG_TYPES {
        return Err(Error::invalid(
            "config_types",
            format!(
                "must have at most {MAX_CONFIG_TYPES} entries, got {}",
                req.config_types.len()
            ),
        ));
    }
    for c in &req.config_types {
        check_text("config_types", c, 1, MAX_CONFIG_TYPE_BYTES)?;
    }
    Ok(())
}
