//! The operations of the MFA domain.

use super::record::MfaRecord;
use super::recovery::{self, RecoveryCode};
use super::totp::Totp;
use super::{
    CodeInput, MfaEnrollment, MfaStatus, QrFormat, RecoveryCodesView, parse_code_input, qr,
};
use crate::codec::bytes::ByteBuf;
use crate::crypto::{SecretBytes, ct_eq};
use crate::engine::Engine;
use crate::envelope::{self, RecordAad};
use crate::error::{Error, Result};
use crate::identities::context::{Ctx, Factor, Gate, Resolved, new_uuid, put};
use crate::identities::{ApiSession, Subject};
use crate::namespace::TenantId;
use crate::services::UnixTime;
use crate::store::{Op, Table, Version};

/// Which codes an operation accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Accept {
    /// TOTP codes only (verify, regenerate, view).
    Totp,
    /// TOTP or recovery codes (authenticate, disable).
    TotpOrRecovery,
}

/// What the accepted code does to the enrollment.
enum Write {
    Put,
    Delete,
}

/// The MFA enrollments of one tenant. Get one from [`Engine::mfa`]; cheap to
/// clone. Every change, every failed or replayed code and every refusal
/// while locked appends an event to the identity's audit chain
/// (`identity:<id>`), in the same commit as the change.
#[derive(Clone, Debug)]
pub struct Mfa {
    ctx: Ctx,
}

impl Mfa {
    pub(crate) fn new(engine: Engine, tenant: TenantId) -> Self {
        Mfa {
            ctx: Ctx::new(engine, tenant),
        }
    }

    /// The same handle, recording `actor` as the author of its audit events.
    pub fn with_actor(mut self, actor: &str) -> Self {
        self.ctx.set_actor(actor);
        self
    }

    /// Starts TOTP enrollment for the subject's identity: a fresh secret
    /// (policy algorithm, digits and period; 20/32/64 random bytes), the
    /// recovery codes, the provisioning URI and its QR code (PNG). The
    /// enrollment is unverified until [`Mfa::verify`].
    ///
    /// # Errors
    /// [`Error::AlreadyExists`] (`mfa enrollment`) when the identity has one
    /// (verified or not; disable it first); session errors; key manager
    /// failures.
    pub fn enroll(&self, who: Subject<'_>) -> Result<MfaEnrollment> {
        let r = self.ctx.resolve(who, Gate::Mfa, "mfa enroll")?;
        let policy = self.ctx.engine.policy();
        let s = self.ctx.engine.services();
        let (ident, _) = self.ctx.load_identity(&r.identity_id)?;
        let kek = self.ctx.engine.ensure_default_key()?;
        let mut raw = vec![0u8; policy.totp_algorithm.secret_len()];
        s.rng.fill(&mut raw).map_err(|_| Error::Random)?;
        let totp = Totp::new(
            SecretBytes::new(raw),
            policy.totp_algorithm,
            policy.totp_digits,
            policy.totp_period_secs,
        )?;
        let uri = totp.provisioning_uri(&policy.mfa_issuer, &ident.name);
        let qr_png = qr::render(uri.reveal(), QrFormat::Png)?;
        let codes = self.new_codes()?;
        let key = self.ctx.mfa_key(&r.identity_id);
        self.ctx.engine.retry(|| {
            if self.ctx.store().get(Table::Mfa, &key)?.is_some() {
                return Err(Error::AlreadyExists {
                    what: "mfa enrollment",
                });
            }
            let now = self.ctx.now().0;
            let mut rec = MfaRecord {
                enrollment_id: new_uuid(&self.ctx.engine)?,
                identity_id: r.identity_id.clone(),
                verified: false,
                algorithm: totp.algorithm().as_str().to_owned(),
                digits: totp.digits(),
                period: totp.period(),
                secret: ByteBuf::default(),
                last_step: None,
                drift: 0,
                recovery_digests: Vec::new(),
                recovery_sealed: None,
                recovery_generation: 0,
                create_time: now,
                update_time: now,
            };
            rec.secret = ByteBuf(envelope::seal(
                s.keys.as_ref(),
                s.rng.as_ref(),
                &kek,
                &self.aad(&rec.secret_aad_key(), 1),
                totp.secret().expose(),
            )?);
            self.store_codes(&mut rec, &codes)?;
            let mut ops = vec![put(Table::Mfa, key.clone(), &rec, Version::ABSENT)?];
            ops.extend(self.ctx.audit_ops(&r.identity_id, "mfa.enroll", "ok")?);
            self.ctx.store().commit(&ops)?;
            Ok(())
        })?;
        Ok(MfaEnrollment {
            provisioning_uri: uri,
            recovery_codes: codes,
            qr_png,
        })
    }

    /// The subject's MFA state; while unverified it includes the
    /// provisioning URI (seed "Returns the current status of MFA
    /// enrollment").
    ///
    /// # Errors
    /// Session errors; key manager failures.
    pub fn status(&self, who: Subject<'_>) -> Result<MfaStatus> {
        let r = self.ctx.resolve(who, Gate::Mfa, "mfa status")?;
        let lock = self.ctx.load_lock(&r.identity_id, Factor::Mfa)?;
        let now = self.ctx.now();
        let locked_until = lock.rec.locked_until.filter(|u| *u > now.0).map(UnixTime);
        let Some((rec, _)) = self.load(&r.identity_id)? else {
            return Ok(MfaStatus {
                enrolled: false,
                verified: false,
                provisioning_uri: None,
                algorithm: None,
                digits: None,
                period: None,
                recovery_codes_remaining: 0,
                create_time: None,
                locked_until,
            });
        };
        let provisioning_uri = if rec.verified {
            None
        } else {
            Some(self.uri_of(&rec)?)
        };
        Ok(MfaStatus {
            enrolled: true,
            verified: rec.verified,
            provisioning_uri,
            algorithm: Some(rec.algorithm()?),
            digits: Some(rec.digits),
            period: Some(rec.period),
            recovery_codes_remaining: u32::try_from(rec.recovery_digests.len()).unwrap_or(u32::MAX),
            create_time: Some(UnixTime(rec.create_time)),
            locked_until,
        })
    }

    /// The QR code of the provisioning URI, only while the enrollment is
    /// unverified (seed: 404 once completed or when not started).
    ///
    /// # Errors
    /// [`Error::NotFound`] (`mfa enrollment`) when there is none or it is
    /// verified; session errors.
    pub fn qr_code(&self, who: Subject<'_>, format: QrFormat) -> Result<Vec<u8>> {
        let r = self.ctx.resolve(who, Gate::Mfa, "mfa qr code")?;
        match self.load(&r.identity_id)? {
            Some((rec, _)) if !rec.verified => qr::render(self.uri_of(&rec)?.reveal(), format),
            _ => Err(Error::NotFound {
                what: "mfa enrollment",
            }),
        }
    }

    /// Completes enrollment with a current TOTP code; when the subject is a
    /// session, its MFA is then complete too.
    ///
    /// # Errors
    /// [`Error::VerificationFailed`] for a wrong or replayed code;
    /// [`Error::Locked`]; [`Error::State`] when already verified;
    /// [`Error::NotFound`] when not enrolled; [`Error::InvalidInput`] naming
    /// `code` for a recovery code or an empty code.
    pub fn verify(&self, who: Subject<'_>, code: &str) -> Result<()> {
        let r = self.ctx.resolve(who, Gate::Mfa, "mfa verify")?;
        self.use_code(
            &r,
            code,
            Accept::Totp,
            Some(false),
            "mfa.verify",
            |rec, ops| {
                rec.verified = true;
                self.complete_session(&r, ops)?;
                Ok(((), Write::Put))
            },
        )
    }

    /// Completes the MFA of an API session with a TOTP or recovery code
    /// (seed "Complete MFA authentication").
    ///
    /// # Errors
    /// [`Error::VerificationFailed`] for a wrong, used or replayed code or a
    /// dead session; [`Error::Locked`]; [`Error::State`] when the enrollment
    /// is unverified; [`Error::NotFound`] when not enrolled.
    pub fn authenticate_mfa(&self, session_token: &str, code: &str) -> Result<ApiSession> {
        let r = self.ctx.resolve(
            Subject::Session(session_token),
            Gate::Mfa,
            "mfa authenticate",
        )?;
        self.use_code(
            &r,
            code,
            Accept::TotpOrRecovery,
            Some(true),
            "mfa.authenticate",
            |_, ops| {
                let s = self.complete_session(&r, ops)?;
                Ok((s, Write::Put))
            },
        )?
        .ok_or(Error::Internal("session subject without session"))
    }

    /// Removes the subject's enrollment. Once verified it needs a valid TOTP
    /// or recovery code; while unverified the code must be empty.
    ///
    /// # Errors
    /// [`Error::VerificationFailed`]; [`Error::Locked`];
    /// [`Error::InvalidInput`] naming `code` for a non-empty code while
    /// unverified; [`Error::NotFound`] when not enrolled.
    pub fn disable(&self, who: Subject<'_>, code: &str) -> Result<()> {
        let r = self.ctx.resolve(who, Gate::Mfa, "mfa disable")?;
        let (rec, _) = self.load(&r.identity_id)?.ok_or(Error::NotFound {
            what: "mfa enrollment",
        })?;
        if !rec.verified {
            if !code.trim().is_empty() {
                return Err(Error::invalid(
                    "code",
                    "must be empty while the enrollment is unverified",
                ));
            }
            return self.delete_record(&r.identity_id, "mfa.disable");
        }
        self.use_code(
            &r,
            code,
            Accept::TotpOrRecovery,
            Some(true),
            "mfa.disable",
            |_, _| Ok(((), Write::Delete)),
        )
    }

    /// Removes an identity's enrollment without a code (seed: administrator
    /// `DELETE /identities/<id>/mfa`).
    ///
    /// # Errors
    /// [`Error::NotFound`] (`identity`, `mfa enrollment`).
    pub fn remove(&self, identity_id: &str) -> Result<()> {
        self.ctx.load_identity(identity_id)?;
        self.delete_record(identity_id, "mfa.remove")
    }

    /// Replaces every recovery code; needs a current TOTP code (not a
    /// recovery code). Returns the new codes, shown once.
    ///
    /// # Errors
    /// As [`Mfa::verify`]; [`Error::State`] when unverified.
    pub fn regenerate_recovery_codes(
        &self,
        who: Subject<'_>,
        code: &str,
    ) -> Result<Vec<RecoveryCode>> {
        let r = self
            .ctx
            .resolve(who, Gate::Mfa, "mfa regenerate recovery codes")?;
        let codes = self.new_codes()?;
        self.use_code(
            &r,
            code,
            Accept::Totp,
            Some(true),
            "mfa.recovery.regenerate",
            |rec, _| {
                rec.recovery_generation += 1;
                self.store_codes(rec, &codes)?;
                Ok(((), Write::Put))
            },
        )?;
        Ok(codes)
    }

    /// With a current TOTP code: the unused recovery codes when the policy
    /// keeps them viewable, otherwise only how many remain.
    ///
    /// # Errors
    /// As [`Mfa::regenerate_recovery_codes`].
    pub fn view_recovery_codes(&self, who: Subject<'_>, code: &str) -> Result<RecoveryCodesView> {
        let r = self
            .ctx
            .resolve(who, Gate::Mfa, "mfa view recovery codes")?;
        self.use_code(
            &r,
            code,
            Accept::Totp,
            Some(true),
            "mfa.recovery.view",
            |rec, _| {
                let remaining = u32::try_from(rec.recovery_digests.len()).unwrap_or(u32::MAX);
                let codes = match (
                    &rec.recovery_sealed,
                    self.ctx.engine.policy().recovery_codes_viewable,
                ) {
                    (Some(sealed), true) => Some(self.open_codes(rec, &sealed.0)?),
                    _ => None,
                };
                Ok((RecoveryCodesView { codes, remaining }, Write::Put))
            },
        )
    }

    // ---- internals ---------------------------------------------------------

    fn aad<'a>(&'a self, key: &'a [u8], version: u64) -> RecordAad<'a> {
        RecordAad {
            tenant: self.ctx.tenant.as_str(),
            table: Table::Mfa,
            key,
            version,
        }
    }

    fn load(&self, identity_id: &str) -> Result<Option<(MfaRecord, Version)>> {
        self.ctx
            .get(Table::Mfa, &self.ctx.mfa_key(identity_id), "mfa")
    }

    fn totp_of(&self, rec: &MfaRecord) -> Result<Totp> {
        let secret = envelope::open(
            self.ctx.engine.keys().as_ref(),
            &self.aad(&rec.secret_aad_key(), 1),
            &rec.secret.0,
        )?;
        Totp::new(secret, rec.algorithm()?, rec.digits, rec.period)
            .map_err(|_| Error::corrupt("mfa parameters"))
    }

    fn uri_of(&self, rec: &MfaRecord) -> Result<super::ProvisioningUri> {
        let (ident, _) = self.ctx.load_identity(&rec.identity_id)?;
        Ok(self
            .totp_of(rec)?
            .provisioning_uri(&self.ctx.engine.policy().mfa_issuer, &ident.name))
    }

    fn new_codes(&self) -> Result<Vec<RecoveryCode>> {
        let rng = self.ctx.engine.services().rng.clone();
        (0..self.ctx.engine.policy().recovery_code_count)
            .map(|_| recovery::generate(rng.as_ref()))
            .collect()
    }

    fn recovery_key(&self) -> Result<SecretBytes> {
        self.ctx
            .engine
            .tenant_mac_key(&self.ctx.tenant, b"mfa-recovery-codes")
    }

    /// Puts the digests (and, if viewable, the sealed codes) of `codes` into
    /// `rec`, replacing what was there.
    fn store_codes(&self, rec: &mut MfaRecord, codes: &[RecoveryCode]) -> Result<()> {
        let key = self.recovery_key()?;
        rec.recovery_digests = codes
            .iter()
            .map(|c| {
                ByteBuf(recovery::digest(key.expose(), &rec.identity_id, &c.normalized()).to_vec())
            })
            .collect();
        rec.recovery_sealed = if self.ctx.engine.policy().recovery_codes_viewable {
            let joined = zeroize::Zeroizing::new(
                codes
                    .iter()
                    .map(|c| c.normalized().to_string())
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
            let s = self.ctx.engine.services();
            let kek = self.ctx.engine.ensure_default_key()?;
            Some(ByteBuf(envelope::seal(
                s.keys.as_ref(),
                s.rng.as_ref(),
                &kek,
                &self.aad(&rec.recovery_aad_key(), rec.recovery_generation),
                joined.as_bytes(),
            )?))
        } else {
            None
        };
        Ok(())
    }

    /// The sealed codes whose digests are still unused.
    fn open_codes(&self, rec: &MfaRecord, sealed: &[u8]) -> Result<Vec<RecoveryCode>> {
        let plain = envelope::open(
            self.ctx.engine.keys().as_ref(),
            &self.aad(&rec.recovery_aad_key(), rec.recovery_generation),
            sealed,
        )?;
        let text =
            std::str::from_utf8(plain.expose()).map_err(|_| Error::corrupt("recovery codes"))?;
        let key = self.recovery_key()?;
        Ok(text
            .split('\n')
            .filter(|n| {
                let d = recovery::digest(key.expose(), &rec.identity_id, n);
                rec.recovery_digests.iter().any(|x| ct_eq(&x.0, &d))
            })
            .map(RecoveryCode::from_normalized)
            .collect())
    }

    fn delete_record(&self, identity_id: &str, action: &str) -> Result<()> {
        self.ctx.engine.retry(|| {
            let (_, ver) = self.load(identity_id)?.ok_or(Error::NotFound {
                what: "mfa enrollment",
            })?;
            let mut ops = vec![Op::Delete {
                table: Table::Mfa,
                key: self.ctx.mfa_key(identity_id),
                expect: ver,
            }];
            ops.extend(self.ctx.audit_ops(identity_id, action, "ok")?);
            self.ctx.store().commit(&ops)?;
            Ok(())
        })
    }

    /// Marks the resolved session's MFA complete (re-read for the commit);
    /// returns it, or `None` for an identity subject.
    fn complete_session(&self, r: &Resolved, ops: &mut Vec<Op>) -> Result<Option<ApiSession>> {
        let Some(s) = &r.session else {
            return Ok(None);
        };
        let (mut rec, ver) = self
            .ctx
            .reload_session(&s.key)?
            .ok_or(Error::VerificationFailed)?;
        rec.mfa_required = true;
        rec.mfa_complete = true;
        ops.push(put(Table::ApiSession, s.key.clone(), &rec, ver)?);
        Ok(Some(
            rec.to_public(self.ctx.idle_secs(), self.ctx.max_life_secs()),
        ))
    }

    /// Checks `code` against the identity's enrollment and, on success, lets
    /// `on_ok` change the record; all in one compare-and-swap commit with the
    /// counter reset and the audit event. Failures are counted (and audited)
    /// in their own commit; replays are audited and not counted.
    fn use_code<R>(
        &self,
        r: &Resolved,
        code: &str,
        accept: Accept,
        want_verified: Option<bool>,
        action: &str,
        mut on_ok: impl FnMut(&mut MfaRecord, &mut Vec<Op>) -> Result<(R, Write)>,
    ) -> Result<R> {
        let id = &r.identity_id;
        let policy = self.ctx.engine.policy();
        let key = self.ctx.mfa_key(id);
        self.ctx.engine.retry(|| {
            let (mut rec, ver) = self.load(id)?.ok_or(Error::NotFound {
                what: "mfa enrollment",
            })?;
            if let Some(v) = want_verified {
                if rec.verified != v {
                    return Err(Error::State {
                        what: "mfa enrollment",
                        state: if rec.verified {
                            "VERIFIED"
                        } else {
                            "UNVERIFIED"
                        },
                        operation: action_name(action),
                    });
                }
            }
            let now = self.ctx.now();
            let lock = self.ctx.load_lock(id, Factor::Mfa)?;
            if let Err(e) = lock.check("mfa", now) {
                self.ctx.audit_only(id, action, "refused: locked")?;
                return Err(e);
            }
            let accepted = match parse_code_input(code, rec.digits) {
                CodeInput::Empty => return Err(Error::invalid("code", "is required")),
                CodeInput::Recovery(_) if accept == Accept::Totp => {
                    return Err(Error::invalid(
                        "code",
                        "must be a current TOTP code; recovery codes are not accepted here",
                    ));
                }
                CodeInput::Totp(c) => {
                    let totp = self.totp_of(&rec)?;
                    let now_step = totp.step_at(now);
                    let window = i64::from(policy.totp_window_steps);
                    let max_drift = i64::from(policy.totp_max_drift_steps);
                    let centre = now_step.saturating_add(rec.drift);
                    let lo = centre
                        .saturating_sub(window)
                        .max(now_step.saturating_sub(max_drift));
                    let hi = centre
                        .saturating_add(window)
                        .min(now_step.saturating_add(max_drift));
                    // Steps after the last accepted one are the only ones a
                    // code may be accepted for. They are searched first, so
                    // that a fresh code which happens to equal the code of
                    // an already-used step (1 in 10^digits) is still
                    // accepted; only a code that matches nothing newer is a
                    // replay.
                    let fresh_lo = rec
                        .last_step
                        .map_or(lo, |last| lo.max(last.saturating_add(1)));
                    let search = |from: i64, to: i64| {
                        (from <= to)
                            .then(|| totp.match_steps(&c, from, 0, to - from))
                            .flatten()
                    };
                    match search(fresh_lo, hi) {
                        Some(step) => {
                            rec.last_step = Some(step);
                            rec.drift = step - now_step;
                            Some("ok")
                        }
                        None if search(lo, hi.min(fresh_lo.saturating_sub(1))).is_some() => {
                            self.ctx.audit_only(id, action, "refused: replay")?;
                            return Err(Error::VerificationFailed);
                        }
                        None => None,
                    }
                }
                CodeInput::Recovery(n) => {
                    let k = self.recovery_key()?;
                    let d = recovery::digest(k.expose(), id, &n);
                    let mut hit = None;
                    for (i, x) in rec.recovery_digests.iter().enumerate() {
                        if ct_eq(&x.0, &d) && hit.is_none() {
                            hit = Some(i);
                        }
                    }
                    hit.map(|i| {
                        rec.recovery_digests.remove(i);
                        "ok: recovery code"
                    })
                }
                CodeInput::Invalid => None,
            };
            let Some(outcome) = accepted else {
                let (op, locks) =
                    lock.failure_op(now, policy.mfa_lockout_threshold, policy.mfa_lockout_secs)?;
                let mut ops = vec![op];
                ops.extend(self.ctx.audit_ops(
                    id,
                    action,
                    if locks { "failed: locked" } else { "failed" },
                )?);
                self.ctx.store().commit(&ops)?;
                return Err(Error::VerificationFailed);
            };
            let mut ops = Vec::new();
            let (out, write) = on_ok(&mut rec, &mut ops)?;
            rec.update_time = now.0;
            ops.push(match write {
                Write::Put => put(Table::Mfa, key.clone(), &rec, ver)?,
                Write::Delete => Op::Delete {
                    table: Table::Mfa,
                    key: key.clone(),
                    expect: ver,
                },
            });
            ops.extend(lock.reset_op());
            ops.extend(self.ctx.audit_ops(id, action, outcome)?);
            self.ctx.store().commit(&ops)?;
            Ok(out)
        })
    }
}

/// The operation name for state errors (`mfa.verify` → `verify`).
fn action_name(action: &str) -> &'static str {
    match action {
        "mfa.verify" => "verify",
        "mfa.authenticate" => "authenticate_mfa",
        "mfa.disable" => "disable",
        "mfa.recovery.regenerate" => "regenerate recovery codes",
        "mfa.recovery.view" => "view recovery codes",
        _ => "this operation",
    }
}
