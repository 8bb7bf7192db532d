//! The operations of the enrollment domain.

use serde_json::{Map, Value};

use super::glue::{self, Anchor, CertInfo, IssueRequest};
use super::keys::{self, EnrollmentKeys};
use super::record::{CaRecord, CertAuthStateRecord, EnrollmentRecord, IssuedRecord, pem_encode};
use super::{
    CaOptions, CertPrincipal, CertStatus, CertVerification, Challenge,
    DEFAULT_IDENTITY_NAME_FORMAT, EnrolledCert, EnrollmentInfo, EnrollmentMethod,
    EnrollmentRequest, EnrollmentState, ExternalCa, IssuedKind, MAX_CA_NAME_LEN,
    MAX_NAME_FORMAT_BYTES, MAX_ROUTER_SANS, NewEnrollment, RouterCerts, SessionCert, TrustedCa,
};
use crate::codec::{self, bytes::ByteBuf};
use crate::crypto::ct_eq;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::identities::context::{Ctx, Gate, check_id, new_uuid, put};
use crate::identities::record::{AuthenticatorRecord, IdentityRecord, SessionRecord};
use crate::identities::{Authenticator, AuthenticatorMethod, Identities, Subject};
use crate::jose::Jwks;
use crate::namespace::TenantId;
use crate::services::UnixTime;
use crate::store::{Op, Table, Version};
use crate::token;

const SCAN_PAGE: u32 = 256;

/// Enrollment, external CAs, certificate extension, session certificates
/// and certificate authentication of one tenant. Get one from
/// [`Engine::enrollment`]; cheap to clone.
#[derive(Clone, Debug)]
pub struct Enrollment {
    ids: Identities,
    keys: EnrollmentKeys,
}

/// A redeemable enrollment, as read for a redemption commit.
struct Redeem {
    key: Vec<u8>,
    rec: EnrollmentRecord,
    ver: Version,
    ident: IdentityRecord,
    iver: Version,
}

impl Enrollment {
    pub(crate) fn new(engine: Engine, tenant: TenantId) -> Self {
        let ids = Identities::new(engine.clone(), tenant.clone());
        Enrollment {
            keys: EnrollmentKeys::new(engine, tenant),
            ids,
        }
    }

    /// The same handle, recording `actor` as the author of its audit events.
    pub fn with_actor(mut self, actor: &str) -> Self {
        self.ids = self.ids.with_actor(actor);
        self
    }

    /// The tenant this handle is scoped to.
    pub fn tenant(&self) -> &str {
        self.ctx().tenant.as_str()
    }

    fn ctx(&self) -> &Ctx {
        self.ids.ctx()
    }

    fn engine(&self) -> &Engine {
        &self.ctx().engine
    }

    fn tenant_id(&self) -> &TenantId {
        &self.ctx().tenant
    }

    fn now(&self) -> i64 {
        self.ctx().now().0
    }

    // ---- keys ----------------------------------------------------------------

    fn enrollment_key(&self, identity_id: &str, method: EnrollmentMethod) -> Vec<u8> {
        self.tenant_id()
            .key(&["enrollment", identity_id, method.as_str()])
    }

    fn token_key(&self, digest_hex: &str) -> Vec<u8> {
        self.tenant_id().key(&["enrollment-token", digest_hex])
    }

    fn ca_key(&self, id: &str) -> Vec<u8> {
        self.tenant_id().key(&["ca", id])
    }

    fn ca_name_key(&self, name: &str) -> Vec<u8> {
        self.tenant_id().key(&["ca-name", name])
    }

    fn ca_fp_key(&self, fp: &str) -> Vec<u8> {
        self.tenant_id().key(&["ca-fp", fp])
    }

    fn issued_key(&self, fp: &str) -> Vec<u8> {
        self.tenant_id().key(&["issued", fp])
    }

    fn session_cert_key(&self, session_id: &str, fp: &str) -> Vec<u8> {
        self.tenant_id().key(&["session-cert", session_id, fp])
    }

    fn state_key(&self, authenticator_id: &str) -> Vec<u8> {
        self.tenant_id().key(&["cert-auth", authenticator_id])
    }

    fn audit(&self, identity_id: &str, action: &str) -> Result<Vec<Op>> {
        self.ctx().audit_ops(identity_id, action, "ok")
    }

    fn ca_audit(&self, ca_id: &str, action: &str, outcome: &str) -> Result<Vec<Op>> {
        crate::audit::append(
            self.engine(),
            self.tenant_id(),
            &self.ctx().actor,
            &format!("ca:{ca_id}"),
            action,
            outcome,
            self.ctx().now(),
        )
    }

    // ---- enrollment keys, JWKS, challenge -------------------------------------

    /// The enrollment JWKS: the current signing key and the previous ones
    /// still within their retention time. Creates the key on first use.
    ///
    /// # Errors
    /// Key manager errors (the key must be a P-256 signing key); store
    /// errors.
    pub fn jwks(&self) -> Result<Jwks> {
        self.keys.jwks()
    }

    /// The `kid` of the current enrollment signing key.
    ///
    /// # Errors
    /// As [`Enrollment::jwks`].
    pub fn current_kid(&self) -> Result<String> {
        Ok(self.keys.current()?.kid)
    }

    /// Rotates the enrollment signing key (a new key manager version); the
    /// previous key stays in the JWKS for the policy's retention time, so
    /// tokens it signed still verify. Returns the new `kid`.
    ///
    /// # Errors
    /// As [`Enrollment::jwks`]; the key must be enabled.
    pub fn rotate_signing_key(&self) -> Result<String> {
        self.keys.rotate()
    }

    /// Signs the client's `nonce` (a UUID) and the tenant's CA pool with the
    /// enrollment key `kid`, so the client can check with
    /// [`super::verify_challenge`] that it talks to the holder of a key of the
    /// JWKS it trusts.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `nonce` (not a UUID) or `kid`;
    /// [`Error::NotFound`] (`enrollment signing key`) for an unknown `kid`;
    /// [`Error::State`] (`RETIRED`) for a previous key (the key manager only
    /// signs with the current one).
    pub fn challenge(&self, kid: &str, nonce: &str) -> Result<Challenge> {
        keys::check_nonce(nonce)?;
        let pool = glue::ca_pool_pem(self.engine(), self.tenant_id())?;
        self.keys.challenge(kid, nonce, pool)
    }

    // ---- enrollments -----------------------------------------------------------

    /// Creates an enrollment of identity `identity_id` and returns its JWT
    /// (shown once). An identity has at most one enrollment per method: a
    /// pending one must be deleted or used first; a used or expired one is
    /// replaced.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `username`, `dns_names`,
    /// `ip_addresses` or `ca_id`; [`Error::NotFound`] (`identity`, `ca`);
    /// [`Error::AlreadyExists`] (`enrollment`) while one of the method is
    /// pending; [`Error::Policy`] when the CA does not allow `ottca`.
    pub fn create(&self, identity_id: &str, req: EnrollmentRequest) -> Result<NewEnrollment> {
        check_id("identity_id", identity_id)?;
        let method = req.method();
        let mut rec = EnrollmentRecord {
            id: String::new(),
            identity_id: identity_id.to_owned(),
            method: method.as_str().to_owned(),
            token_digest: String::new(),
            ca_id: None,
            username: None,
            dns_names: Vec::new(),
            ip_addresses: Vec::new(),
            create_time: 0,
            expires_at: 0,
            used_at: None,
            authenticator_id: None,
        };
        match &req {
            EnrollmentRequest::Ott => {}
            EnrollmentRequest::OttCa { ca_id } => {
                let (ca, _) = self.load_ca(ca_id)?;
                if !ca.ott_ca_enrollment {
                    return Err(Error::Policy(format!(
                        "ca {} does not allow ottca enrollment",
                        ca.name
                    )));
                }
                rec.ca_id = Some(ca.id);
            }
            EnrollmentRequest::Updb { username } => {
                crate::identities::ops_check_username(username)?;
                rec.username = Some(username.clone());
            }
            EnrollmentRequest::Router {
                dns_names,
                ip_addresses,
            } => {
                check_sans(dns_names, ip_addresses)?;
                rec.dns_names = dns_names.clone();
                rec.ip_addresses = ip_addresses.iter().map(ToString::to_string).collect();
            }
        }
        let key = self.enrollment_key(identity_id, method);
        self.engine().retry(|| {
            let (_, iver) = self.ctx().load_identity(identity_id)?;
            let now = self.now();
            let old = self
                .ctx()
                .get::<EnrollmentRecord>(Table::Enrollment, &key, "enrollment")?;
            let mut ops = vec![Op::Check {
                table: Table::Identity,
                key: self.ctx().identity_key(identity_id),
                expect: iver,
            }];
            let mut rec = rec.clone();
            let expect = match &old {
                Some((o, _)) if o.state(now) == EnrollmentState::Pending => {
                    return Err(Error::AlreadyExists { what: "enrollment" });
                }
                Some((o, v)) => {
                    ops.push(
                        self.delete_exact(Table::EnrollmentToken, self.token_key(&o.token_digest))?,
                    );
                    *v
                }
                None => Version::ABSENT,
            };
            rec.id = new_uuid(self.engine())?;
            let jwt = self.issue_token(&mut rec, now, &mut ops)?;
            ops.push(put(Table::Enrollment, key.clone(), &rec, expect)?);
            ops.extend(self.audit(identity_id, &format!("enrollment.create.{}", rec.method))?);
            self.ctx().store().commit(&ops)?;
            Ok(NewEnrollment {
                jwt,
                enrollment: rec.to_public(now)?,
            })
        })
    }

    /// Fills a fresh token into `rec` (digest, times), adds its index op,
    /// and returns the signed JWT.
    fn issue_token(
        &self,
        rec: &mut EnrollmentRecord,
        now: i64,
        ops: &mut Vec<Op>,
    ) -> Result<zeroize::Zeroizing<String>> {
        let policy = self.engine().policy();
        let tok = token::generate(
            self.engine().services().rng.as_ref(),
            keys::ENROLLMENT_TOKEN_PREFIX,
        )?;
        rec.token_digest = tok.digest().to_hex();
        rec.create_time = now;
        rec.expires_at = now.saturating_add(policy.enrollment_token_ttl_secs);
        let mut claims = Map::new();
        claims.insert("em".into(), Value::String(rec.method.clone()));
        claims.insert("jti".into(), Value::String(tok.reveal().to_owned()));
        claims.insert("sub".into(), Value::String(rec.identity_id.clone()));
        claims.insert("iss".into(), Value::String(policy.jwt_issuer.clone()));
        claims.insert("iat".into(), Value::from(now));
        claims.insert("exp".into(), Value::from(rec.expires_at));
        let jwt = self.keys.sign_jwt(&claims)?;
        ops.push(Op::Put {
            table: Table::EnrollmentToken,
            key: self.token_key(&rec.token_digest),
            value: format!("{}/{}", rec.identity_id, rec.method).into_bytes(),
            expect: Version::ABSENT,
        });
        Ok(zeroize::Zeroizing::new(jwt))
    }

    /// Issues a new token (and JWT) for an unused enrollment, expired or not;
    /// the old token stops working.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`enrollment`); [`Error::State`] (`USED`).
    pub fn reissue(&self, identity_id: &str, method: EnrollmentMethod) -> Result<NewEnrollment> {
        check_id("identity_id", identity_id)?;
        let key = self.enrollment_key(identity_id, method);
        self.engine().retry(|| {
            let (mut rec, ver) = self
                .ctx()
                .get::<EnrollmentRecord>(Table::Enrollment, &key, "enrollment")?
                .ok_or(Error::NotFound { what: "enrollment" })?;
            let now = self.now();
            if rec.state(now) == EnrollmentState::Used {
                return Err(Error::State {
                    what: "enrollment",
                    state: "USED",
                    operation: "reissue",
                });
            }
            let mut ops =
                vec![self.delete_exact(Table::EnrollmentToken, self.token_key(&rec.token_digest))?];
            let jwt = self.issue_token(&mut rec, now, &mut ops)?;
            ops.push(put(Table::Enrollment, key.clone(), &rec, ver)?);
            ops.extend(self.audit(identity_id, &format!("enrollment.reissue.{}", rec.method))?);
            self.ctx().store().commit(&ops)?;
            Ok(NewEnrollment {
                jwt,
                enrollment: rec.to_public(now)?,
            })
        })
    }

    /// The enrollment of `identity_id` for `method`.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`enrollment`).
    pub fn get(&self, identity_id: &str, method: EnrollmentMethod) -> Result<EnrollmentInfo> {
        check_id("identity_id", identity_id)?;
        self.ctx()
            .get::<EnrollmentRecord>(
                Table::Enrollment,
                &self.enrollment_key(identity_id, method),
                "enrollment",
            )?
            .ok_or(Error::NotFound { what: "enrollment" })?
            .0
            .to_public(self.now())
    }

    /// Every enrollment of `identity_id`.
    ///
    /// # Errors
    /// Store failures; corrupt records.
    pub fn list(&self, identity_id: &str) -> Result<Vec<EnrollmentInfo>> {
        check_id("identity_id", identity_id)?;
        let prefix = self.tenant_id().prefix(&["enrollment", identity_id]);
        let now = self.now();
        self.ctx()
            .store()
            .scan(Table::Enrollment, &prefix, None, SCAN_PAGE)?
            .iter()
            .map(|(_, r)| codec::decode::<EnrollmentRecord>(&r.value, "enrollment")?.to_public(now))
            .collect()
    }

    /// Deletes an enrollment; its token stops working.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`enrollment`).
    pub fn delete(&self, identity_id: &str, method: EnrollmentMethod) -> Result<()> {
        check_id("identity_id", identity_id)?;
        let key = self.enrollment_key(identity_id, method);
        self.engine().retry(|| {
            let (rec, ver) = self
                .ctx()
                .get::<EnrollmentRecord>(Table::Enrollment, &key, "enrollment")?
                .ok_or(Error::NotFound { what: "enrollment" })?;
            let mut ops = vec![
                Op::Delete {
                    table: Table::Enrollment,
                    key: key.clone(),
                    expect: ver,
                },
                self.delete_exact(Table::EnrollmentToken, self.token_key(&rec.token_digest))?,
            ];
            ops.extend(self.audit(identity_id, &format!("enrollment.delete.{}", rec.method))?);
            self.ctx().store().commit(&ops)?;
            Ok(())
        })
    }

    /// Checks an enrollment JWT for `method` and loads what its redemption
    /// changes. Called inside the redemption's retry loop, so a lost race
    /// re-reads the record and reports it used.
    fn redeem(&self, claims: &super::EnrollmentClaims, method: EnrollmentMethod) -> Result<Redeem> {
        if claims.method != method {
            return Err(Error::invalid(
                "token",
                format!(
                    "is an enrollment token for method {}, not {}",
                    claims.method.as_str(),
                    method.as_str()
                ),
            ));
        }
        let digest = token::parse(keys::ENROLLMENT_TOKEN_PREFIX, &claims.jti)?;
        let index = self
            .ctx()
            .store()
            .get(Table::EnrollmentToken, &self.token_key(&digest.to_hex()))?
            .ok_or(Error::VerificationFailed)?;
        let target = String::from_utf8(index.value).map_err(|_| Error::corrupt("token index"))?;
        let (identity_id, m) = target
            .split_once('/')
            .ok_or(Error::corrupt("token index"))?;
        if identity_id != claims.sub || m != method.as_str() {
            return Err(Error::VerificationFailed);
        }
        let key = self.enrollment_key(identity_id, method);
        let (rec, ver) = self
            .ctx()
            .get::<EnrollmentRecord>(Table::Enrollment, &key, "enrollment")?
            .ok_or(Error::VerificationFailed)?;
        if !ct_eq(rec.token_digest.as_bytes(), digest.to_hex().as_bytes()) {
            return Err(Error::VerificationFailed);
        }
        match rec.state(self.now()) {
            EnrollmentState::Used => return Err(Error::EnrollmentTokenUsed),
            EnrollmentState::Expired => {
                return Err(Error::State {
                    what: "enrollment token",
                    state: "EXPIRED",
                    operation: "enroll",
                });
            }
            EnrollmentState::Pending => {}
        }
        let (ident, iver) = self.ctx().load_identity(identity_id)?;
        Ok(Redeem {
            key,
            rec,
            ver,
            ident,
            iver,
        })
    }

    /// The ops that mark a redeemed enrollment used.
    fn consume_ops(&self, r: &Redeem, authenticator_id: &str) -> Result<Op> {
        let mut rec = r.rec.clone();
        rec.used_at = Some(self.now());
        rec.authenticator_id = Some(authenticator_id.to_owned());
        put(Table::Enrollment, r.key.clone(), &rec, r.ver)
    }

    fn verify_token(&self, token_text: &str) -> Result<super::EnrollmentClaims> {
        let jwks = self.keys.jwks()?;
        keys::verify_enrollment_jwt(
            token_text,
            &jwks,
            &self.engine().policy().jwt_issuer,
            self.ctx().now(),
        )
    }

    /// `ott`: redeems the token with a CSR and returns the certificate issued
    /// by the tenant's internal CA. The token is consumed in the commit that
    /// creates the cert authenticator: it works exactly once, even when
    /// redeemed concurrently.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `token` (malformed, other method) or
    /// `csr` (unparsable, bad signature, refused key);
    /// [`Error::VerificationFailed`] for a token that does not verify or is
    /// unknown; [`Error::EnrollmentTokenUsed`]; [`Error::State`] (`EXPIRED`).
    pub fn enroll_ott(&self, token_text: &str, csr_pem: &str) -> Result<EnrolledCert> {
        let claims = self.verify_token(token_text)?;
        self.engine().retry(|| {
            let mut r = self.redeem(&claims, EnrollmentMethod::Ott)?;
            let issued = glue::issue(
                self.engine(),
                self.tenant_id(),
                &IssueRequest {
                    kind: IssuedKind::Client,
                    identity_id: &r.ident.id,
                    csr: csr_pem,
                    not_after_max: None,
                    dns_names: &[],
                    ip_addresses: &[],
                },
            )?;
            let (mut ops, a) =
                self.ids
                    .cert_authenticator_ops(&mut r.ident, r.iver, &issued.info.fingerprint)?;
            ops.push(self.issued_put(
                &issued,
                IssuedKind::Client,
                &r.ident.id,
                Some(&a.id),
                None,
            )?);
            ops.push(self.consume_ops(&r, &a.id)?);
            ops.extend(self.audit(&r.ident.id, "enrollment.ott")?);
            self.ctx().store().commit(&ops)?;
            Ok(enrolled(&a, &issued.info, &issued.chain_pem))
        })
    }

    /// `ottca`: redeems the token with a certificate chain (leaf first, PEM)
    /// issued by the external CA the enrollment names, which must be
    /// verified. No CSR: the presented certificate becomes the cert
    /// authenticator's.
    ///
    /// # Errors
    /// As [`Enrollment::enroll_ott`]; [`Error::InvalidInput`] naming `chain`;
    /// [`Error::State`] (`UNVERIFIED`) for an unverified CA;
    /// [`Error::VerificationFailed`] when the chain does not verify to the
    /// CA; [`Error::AlreadyExists`] (`certificate`) when the certificate
    /// already belongs to an authenticator.
    pub fn enroll_ottca(&self, token_text: &str, chain_pem: &str) -> Result<EnrolledCert> {
        let claims = self.verify_token(token_text)?;
        let chain = glue::parse_chain("chain", chain_pem.as_bytes())?;
        self.engine().retry(|| {
            let mut r = self.redeem(&claims, EnrollmentMethod::OttCa)?;
            let ca_id = r
                .rec
                .ca_id
                .clone()
                .ok_or(Error::corrupt("ottca enrollment without ca"))?;
            let (ca, cav) = self.load_ca(&ca_id)?;
            if !ca.verified {
                return Err(Error::State {
                    what: "ca",
                    state: "UNVERIFIED",
                    operation: "ottca enrollment",
                });
            }
            glue::verify_client_chain(
                self.engine(),
                self.tenant_id(),
                &chain,
                false,
                &[(ca.id.clone(), ca.cert_der.0.clone())],
                self.now(),
            )?;
            let leaf = glue::cert_info("chain", chain[0].clone())?;
            let (mut ops, a) =
                self.ids
                    .cert_authenticator_ops(&mut r.ident, r.iver, &leaf.fingerprint)?;
            ops.push(Op::Check {
                table: Table::ExternalCa,
                key: self.ca_key(&ca.id),
                expect: cav,
            });
            ops.push(self.consume_ops(&r, &a.id)?);
            ops.extend(self.audit(&r.ident.id, "enrollment.ottca")?);
            self.ctx().store().commit(&ops)?;
            Ok(enrolled(&a, &leaf, &chain_tail_pem(&chain)))
        })
    }

    /// `updb`: redeems the token and sets the identity's initial username and
    /// password. When the enrollment names a username, `username` must be it.
    ///
    /// # Errors
    /// As [`Enrollment::enroll_ott`]; [`Error::InvalidInput`] naming
    /// `username` or `password`; [`Error::Policy`] for a blocklisted
    /// password; [`Error::AlreadyExists`] (`username`, `password
    /// authenticator`).
    pub fn enroll_updb(
        &self,
        token_text: &str,
        username: &str,
        password_text: &str,
    ) -> Result<Authenticator> {
        let claims = self.verify_token(token_text)?;
        // Fail fast on the method before the (slow) hash.
        if claims.method != EnrollmentMethod::Updb {
            self.redeem(&claims, EnrollmentMethod::Updb)?;
        }
        let hash = self.ids.prepare_password(username, password_text)?;
        self.engine().retry(|| {
            let mut r = self.redeem(&claims, EnrollmentMethod::Updb)?;
            if let Some(u) = &r.rec.username {
                if u != username {
                    return Err(Error::invalid(
                        "username",
                        "must be the username the enrollment was created with",
                    ));
                }
            }
            let (mut ops, a) = self
                .ids
                .new_password_ops(&mut r.ident, r.iver, username, &hash)?;
            ops.push(self.consume_ops(&r, &a.id)?);
            ops.extend(self.audit(&r.ident.id, "enrollment.updb")?);
            self.ctx().store().commit(&ops)?;
            a.to_public()
        })
    }

    /// Router enrollment: redeems the token with a client CSR and a server
    /// CSR; returns a client certificate (for the router's cert
    /// authenticator) and a server certificate carrying the enrollment's DNS
    /// names and IP addresses.
    ///
    /// # Errors
    /// As [`Enrollment::enroll_ott`], naming `client_csr` or `server_csr`.
    pub fn enroll_router(
        &self,
        token_text: &str,
        client_csr: &str,
        server_csr: &str,
    ) -> Result<RouterCerts> {
        let claims = self.verify_token(token_text)?;
        self.engine().retry(|| {
            let mut r = self.redeem(&claims, EnrollmentMethod::Router)?;
            let ips = parse_ips(&r.rec.ip_addresses)?;
            let (client, server) = self.issue_router_pair(
                &r.ident.id,
                client_csr,
                server_csr,
                &r.rec.dns_names,
                &ips,
            )?;
            let (mut ops, a) =
                self.ids
                    .cert_authenticator_ops(&mut r.ident, r.iver, &client.info.fingerprint)?;
            ops.push(self.issued_put(
                &client,
                IssuedKind::RouterClient,
                &r.ident.id,
                Some(&a.id),
                None,
            )?);
            ops.push(self.issued_put(
                &server,
                IssuedKind::RouterServer,
                &r.ident.id,
                Some(&a.id),
                None,
            )?);
            ops.push(self.consume_ops(&r, &a.id)?);
            let state = CertAuthStateRecord {
                router_server_fingerprint: Some(server.info.fingerprint.clone()),
                router_dns_names: r.rec.dns_names.clone(),
                router_ip_addresses: r.rec.ip_addresses.clone(),
                ..CertAuthStateRecord::default()
            };
            ops.push(put(
                Table::CertAuthState,
                self.state_key(&a.id),
                &state,
                Version::ABSENT,
            )?);
            ops.extend(self.audit(&r.ident.id, "enrollment.router")?);
            self.ctx().store().commit(&ops)?;
            Ok(RouterCerts {
                client: enrolled(&a, &client.info, &client.chain_pem),
                server_certificate_pem: pem_encode("CERTIFICATE", &server.info.der),
                server_chain_pem: format!(
                    "{}{}",
                    pem_encode("CERTIFICATE", &server.info.der),
                    server.chain_pem
                ),
            })
        })
    }

    fn issue_router_pair(
        &self,
        identity_id: &str,
        client_csr: &str,
        server_csr: &str,
        dns: &[String],
        ips: &[std::net::IpAddr],
    ) -> Result<(glue::Issued, glue::Issued)> {
        let rename = |field: &'static str| {
            move |e: Error| match e {
                Error::InvalidInput(i) if i.field.starts_with("csr") => {
                    Error::invalid(field, format!("{}: {}", i.field, i.reason))
                }
                other => other,
            }
        };
        let client = glue::issue(
            self.engine(),
            self.tenant_id(),
            &IssueRequest {
                kind: IssuedKind::RouterClient,
                identity_id,
                csr: client_csr,
                not_after_max: None,
                dns_names: &[],
                ip_addresses: &[],
            },
        )
        .map_err(rename("client_csr"))?;
        let server = glue::issue(
            self.engine(),
            self.tenant_id(),
            &IssueRequest {
                kind: IssuedKind::RouterServer,
                identity_id,
                csr: server_csr,
                not_after_max: None,
                dns_names: dns,
                ip_addresses: ips,
            },
        )
        .map_err(rename("server_csr"))?;
        Ok((client, server))
    }

    /// Router extension: with the router's current valid client certificate,
    /// issues a new client and server certificate. The old client
    /// certificate stops authenticating at once (no verify step).
    ///
    /// # Errors
    /// As [`Enrollment::extend`].
    pub fn extend_router(
        &self,
        who: Subject<'_>,
        authenticator_id: &str,
        current_cert_pem: &str,
        client_csr: &str,
        server_csr: &str,
    ) -> Result<RouterCerts> {
        let current = glue::parse_cert("current_cert", current_cert_pem.as_bytes())?;
        let resolved = self.ctx().resolve(who, Gate::Full, "extend router")?;
        self.engine().retry(|| {
            let (mut a, av, old, state, sver) = self.extendable(
                &resolved.identity_id,
                authenticator_id,
                &current,
                IssuedKind::RouterClient,
            )?;
            let ips = parse_ips(&state.router_ip_addresses)?;
            let (client, server) = self.issue_router_pair(
                &a.identity_id,
                client_csr,
                server_csr,
                &state.router_dns_names,
                &ips,
            )?;
            let mut ops = vec![
                self.delete_exact(Table::IdentityIndex, self.ctx().cert_key(&old.fingerprint))?,
                self.delete_exact(Table::IssuedCert, self.issued_key(&old.fingerprint))?,
                Op::Put {
                    table: Table::IdentityIndex,
                    key: self.ctx().cert_key(&client.info.fingerprint),
                    value: a.id.clone().into_bytes(),
                    expect: Version::ABSENT,
                },
            ];
            if let Some(p) = a.cert_pending_fingerprint.take() {
                ops.push(self.delete_exact(Table::IdentityIndex, self.ctx().cert_key(&p))?);
                ops.push(self.delete_exact(Table::IssuedCert, self.issued_key(&p))?);
            }
            let mut state = state;
            if let Some(s) = state.router_server_fingerprint.take() {
                ops.push(self.delete_exact(Table::IssuedCert, self.issued_key(&s))?);
            }
            a.cert_fingerprint = Some(client.info.fingerprint.clone());
            a.update_time = self.now();
            ops.push(put(
                Table::Authenticator,
                self.ctx().authenticator_key(&a.id),
                &a,
                av,
            )?);
            ops.push(self.issued_put(
                &client,
                IssuedKind::RouterClient,
                &a.identity_id,
                Some(&a.id),
                None,
            )?);
            ops.push(self.issued_put(
                &server,
                IssuedKind::RouterServer,
                &a.identity_id,
                Some(&a.id),
                None,
            )?);
            state.router_server_fingerprint = Some(server.info.fingerprint.clone());
            state.last_extend_time = Some(self.now());
            state.last_extend_key_changed = Some(old.spki_sha256 != client.info.spki_sha256);
            state.request_extend = false;
            if old.spki_sha256 != client.info.spki_sha256 {
                state.request_key_roll = false;
            }
            ops.push(put(
                Table::CertAuthState,
                self.state_key(&a.id),
                &state,
                sver,
            )?);
            ops.extend(self.audit(&a.identity_id, "authenticator.cert.extend_router")?);
            self.ctx().store().commit(&ops)?;
            Ok(RouterCerts {
                client: enrolled(&a.to_public()?, &client.info, &client.chain_pem),
                server_certificate_pem: pem_encode("CERTIFICATE", &server.info.der),
                server_chain_pem: format!(
                    "{}{}",
                    pem_encode("CERTIFICATE", &server.info.der),
                    server.chain_pem
                ),
            })
        })
    }

    // ---- extension -------------------------------------------------------------

    /// Loads a cert authenticator of `identity_id` whose current certificate
    /// is `current`, issued by the engine as `kind`, and checks its validity.
    #[allow(clippy::type_complexity)]
    fn extendable(
        &self,
        identity_id: &str,
        authenticator_id: &str,
        current: &CertInfo,
        kind: IssuedKind,
    ) -> Result<(
        AuthenticatorRecord,
        Version,
        IssuedRecord,
        CertAuthStateRecord,
        Version,
    )> {
        let (a, av) = self.load_cert_authenticator(identity_id, authenticator_id)?;
        let fp = a
            .cert_fingerprint
            .clone()
            .ok_or(Error::corrupt("cert authenticator without fingerprint"))?;
        if !ct_eq(fp.as_bytes(), current.fingerprint.as_bytes()) {
            return Err(Error::VerificationFailed);
        }
        let (old, _) = self
            .ctx()
            .get::<IssuedRecord>(
                Table::IssuedCert,
                &self.issued_key(&fp),
                "issued certificate",
            )?
            .ok_or(Error::State {
                what: "certificate",
                state: "EXTERNAL",
                operation: "extend (only certificates issued by the engine can be extended)",
            })?;
        let old_kind = old.kind()?;
        if old_kind != kind {
            return Err(Error::State {
                what: "certificate",
                state: if old_kind == IssuedKind::RouterClient {
                    "ROUTER"
                } else {
                    "CLIENT"
                },
                operation: if kind == IssuedKind::RouterClient {
                    "extend_router"
                } else {
                    "extend"
                },
            });
        }
        let now = self.now();
        if now < old.not_before {
            return Err(Error::State {
                what: "certificate",
                state: "NOT_YET_VALID",
                operation: "extend",
            });
        }
        if now >= old.not_after && !self.engine().policy().cert_renew_after_expiry {
            return Err(Error::State {
                what: "certificate",
                state: "EXPIRED",
                operation: "extend (the policy does not allow renewal after expiry)",
            });
        }
        let (state, sver) = self
            .ctx()
            .get::<CertAuthStateRecord>(
                Table::CertAuthState,
                &self.state_key(&a.id),
                "cert authenticator state",
            )?
            .unwrap_or((CertAuthStateRecord::default(), Version::ABSENT));
        Ok((a, av, old, state, sver))
    }

    fn load_cert_authenticator(
        &self,
        identity_id: &str,
        authenticator_id: &str,
    ) -> Result<(AuthenticatorRecord, Version)> {
        check_id("authenticator_id", authenticator_id)?;
        let (a, av) = match self.ids.load_authenticator_rec(authenticator_id) {
            Ok((a, av)) if a.identity_id == identity_id => (a, av),
            Ok(_) => {
                return Err(Error::NotFound {
                    what: "authenticator",
                });
            }
            Err(e) => return Err(e),
        };
        if a.method()? != AuthenticatorMethod::Cert {
            return Err(Error::invalid(
                "authenticator",
                format!("must be a cert authenticator, this one is {}", a.method),
            ));
        }
        Ok((a, av))
    }

    /// Extends a cert authenticator's certificate: `current_cert_pem` must be
    /// its current certificate (fingerprint match), issued by the engine and
    /// still valid (or expired, if the policy allows renewal after expiry).
    /// The new certificate, issued for `csr_pem` (a new key or the same), is
    /// stored as the authenticator's pending certificate and returned; the
    /// old one keeps working until [`Enrollment::extend_verify`]. A second
    /// `extend` replaces an earlier pending certificate. When a key roll was
    /// requested, the CSR must carry a new key.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `current_cert` or `csr`;
    /// [`Error::VerificationFailed`] when `current_cert` is not the current
    /// certificate; [`Error::State`] (`EXPIRED`, `NOT_YET_VALID`, `EXTERNAL`,
    /// `ROUTER`); [`Error::NotFound`] (`authenticator`); session errors.
    pub fn extend(
        &self,
        who: Subject<'_>,
        authenticator_id: &str,
        current_cert_pem: &str,
        csr_pem: &str,
    ) -> Result<EnrolledCert> {
        let current = glue::parse_cert("current_cert", current_cert_pem.as_bytes())?;
        let resolved = self.ctx().resolve(who, Gate::Full, "extend certificate")?;
        self.engine().retry(|| {
            let (mut a, av, old, state, _) = self.extendable(
                &resolved.identity_id,
                authenticator_id,
                &current,
                IssuedKind::Client,
            )?;
            if state.request_key_roll && glue::csr_spki_sha256(csr_pem)? == old.spki_sha256 {
                return Err(Error::invalid(
                    "csr",
                    "a key roll was requested: the CSR must carry a new key",
                ));
            }
            let issued = glue::issue(
                self.engine(),
                self.tenant_id(),
                &IssueRequest {
                    kind: IssuedKind::Client,
                    identity_id: &a.identity_id,
                    csr: csr_pem,
                    not_after_max: None,
                    dns_names: &[],
                    ip_addresses: &[],
                },
            )?;
            let mut ops = Vec::new();
            if let Some(p) = a.cert_pending_fingerprint.take() {
                ops.push(self.delete_exact(Table::IdentityIndex, self.ctx().cert_key(&p))?);
                ops.push(self.delete_exact(Table::IssuedCert, self.issued_key(&p))?);
            }
            ops.push(Op::Put {
                table: Table::IdentityIndex,
                key: self.ctx().cert_key(&issued.info.fingerprint),
                value: a.id.clone().into_bytes(),
                expect: Version::ABSENT,
            });
            a.cert_pending_fingerprint = Some(issued.info.fingerprint.clone());
            a.update_time = self.now();
            ops.push(put(
                Table::Authenticator,
                self.ctx().authenticator_key(&a.id),
                &a,
                av,
            )?);
            ops.push(self.issued_put(
                &issued,
                IssuedKind::Client,
                &a.identity_id,
                Some(&a.id),
                None,
            )?);
            ops.extend(self.audit(&a.identity_id, "authenticator.cert.extend")?);
            self.ctx().store().commit(&ops)?;
            Ok(enrolled(&a.to_public()?, &issued.info, &issued.chain_pem))
        })
    }

    /// Completes an extension: `new_cert_pem` must be the authenticator's
    /// pending certificate. It becomes the current one and the old one stops
    /// authenticating at once; whether the key changed is recorded (and
    /// shown by [`Enrollment::cert_status`]); the administrator's extension
    /// request is cleared, and the key-roll request too when the key changed.
    ///
    /// # Errors
    /// [`Error::State`] (`NOT_EXTENDING`) without a pending certificate;
    /// [`Error::VerificationFailed`] when `new_cert_pem` is not it;
    /// [`Error::InvalidInput`] naming `new_cert`; [`Error::NotFound`]
    /// (`authenticator`); session errors.
    pub fn extend_verify(
        &self,
        who: Subject<'_>,
        authenticator_id: &str,
        new_cert_pem: &str,
    ) -> Result<CertStatus> {
        let new = glue::parse_cert("new_cert", new_cert_pem.as_bytes())?;
        let resolved = self
            .ctx()
            .resolve(who, Gate::Full, "verify certificate extension")?;
        self.engine().retry(|| {
            let (mut a, av) =
                self.load_cert_authenticator(&resolved.identity_id, authenticator_id)?;
            let pending = a.cert_pending_fingerprint.clone().ok_or(Error::State {
                what: "authenticator",
                state: "NOT_EXTENDING",
                operation: "extend_verify",
            })?;
            if !ct_eq(pending.as_bytes(), new.fingerprint.as_bytes()) {
                return Err(Error::VerificationFailed);
            }
            let old_fp = a
                .cert_fingerprint
                .clone()
                .ok_or(Error::corrupt("cert authenticator without fingerprint"))?;
            let old = self.ctx().get::<IssuedRecord>(
                Table::IssuedCert,
                &self.issued_key(&old_fp),
                "issued certificate",
            )?;
            let (mut state, sver) = self
                .ctx()
                .get::<CertAuthStateRecord>(
                    Table::CertAuthState,
                    &self.state_key(&a.id),
                    "cert authenticator state",
                )?
                .unwrap_or((CertAuthStateRecord::default(), Version::ABSENT));
            let key_changed = old
                .as_ref()
                .is_none_or(|(o, _)| o.spki_sha256 != new.spki_sha256);
            let mut ops = vec![
                self.delete_exact(Table::IdentityIndex, self.ctx().cert_key(&old_fp))?,
                self.delete_exact(Table::IssuedCert, self.issued_key(&old_fp))?,
            ];
            a.cert_fingerprint = Some(pending);
            a.cert_pending_fingerprint = None;
            a.update_time = self.now();
            ops.push(put(
                Table::Authenticator,
                self.ctx().authenticator_key(&a.id),
                &a,
                av,
            )?);
            state.last_extend_time = Some(self.now());
            state.last_extend_key_changed = Some(key_changed);
            state.request_extend = false;
            if key_changed {
                state.request_key_roll = false;
            }
            ops.push(put(
                Table::CertAuthState,
                self.state_key(&a.id),
                &state,
                sver,
            )?);
            ops.extend(self.audit(&a.identity_id, "authenticator.cert.extend_verify")?);
            self.ctx().store().commit(&ops)?;
            self.status_of(&a, &state)
        })
    }

    /// Administrator: asks the owner of cert authenticator `authenticator_id`
    /// to extend its certificate (shown by [`Enrollment::cert_status`];
    /// cleared by the next verified extension).
    ///
    /// # Errors
    /// [`Error::NotFound`] (`authenticator`); [`Error::InvalidInput`] for a
    /// non-cert authenticator.
    pub fn request_extend(&self, authenticator_id: &str) -> Result<CertStatus> {
        self.set_request(
            authenticator_id,
            |s| s.request_extend = true,
            "authenticator.cert.request_extend",
        )
    }

    /// Administrator: asks for a new key at the next extension (shown by
    /// [`Enrollment::cert_status`]; the next extension's CSR must carry a new
    /// key; cleared by an extension that changes the key). Separate from
    /// [`Enrollment::request_extend`].
    ///
    /// # Errors
    /// As [`Enrollment::request_extend`].
    pub fn request_key_roll(&self, authenticator_id: &str) -> Result<CertStatus> {
        self.set_request(
            authenticator_id,
            |s| s.request_key_roll = true,
            "authenticator.cert.request_key_roll",
        )
    }

    fn set_request(
        &self,
        authenticator_id: &str,
        set: impl Fn(&mut CertAuthStateRecord),
        action: &str,
    ) -> Result<CertStatus> {
        check_id("authenticator_id", authenticator_id)?;
        self.engine().retry(|| {
            let (a, av) = self.ids.load_authenticator_rec(authenticator_id)?;
            let (a, _) = self.load_cert_authenticator(&a.identity_id, &a.id)?;
            let (mut state, sver) = self
                .ctx()
                .get::<CertAuthStateRecord>(
                    Table::CertAuthState,
                    &self.state_key(&a.id),
                    "cert authenticator state",
                )?
                .unwrap_or((CertAuthStateRecord::default(), Version::ABSENT));
            set(&mut state);
            let mut ops = vec![
                Op::Check {
                    table: Table::Authenticator,
                    key: self.ctx().authenticator_key(&a.id),
                    expect: av,
                },
                put(Table::CertAuthState, self.state_key(&a.id), &state, sver)?,
            ];
            ops.extend(self.audit(&a.identity_id, action)?);
            self.ctx().store().commit(&ops)?;
            self.status_of(&a, &state)
        })
    }

    /// The extension state of one of the subject's cert authenticators,
    /// including the administrator's requests.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`authenticator`); [`Error::InvalidInput`] for a
    /// non-cert authenticator; session errors.
    pub fn cert_status(&self, who: Subject<'_>, authenticator_id: &str) -> Result<CertStatus> {
        let resolved = self.ctx().resolve(who, Gate::Full, "certificate status")?;
        let (a, _) = self.load_cert_authenticator(&resolved.identity_id, authenticator_id)?;
        let state = self
            .ctx()
            .get::<CertAuthStateRecord>(
                Table::CertAuthState,
                &self.state_key(&a.id),
                "cert authenticator state",
            )?
            .map(|(s, _)| s)
            .unwrap_or_default();
        self.status_of(&a, &state)
    }

    fn status_of(
        &self,
        a: &AuthenticatorRecord,
        state: &CertAuthStateRecord,
    ) -> Result<CertStatus> {
        let fp = a
            .cert_fingerprint
            .clone()
            .ok_or(Error::corrupt("cert authenticator without fingerprint"))?;
        let issued = self.ctx().get::<IssuedRecord>(
            Table::IssuedCert,
            &self.issued_key(&fp),
            "issued certificate",
        )?;
        Ok(CertStatus {
            authenticator_id: a.id.clone(),
            fingerprint: fp,
            pending_fingerprint: a.cert_pending_fingerprint.clone(),
            not_after: issued.as_ref().map(|(i, _)| UnixTime(i.not_after)),
            issued_by_engine: issued.is_some(),
            request_extend: state.request_extend,
            request_key_roll: state.request_key_roll,
            last_extend_time: state.last_extend_time.map(UnixTime),
            last_extend_key_changed: state.last_extend_key_changed,
        })
    }

    // ---- external CAs ------------------------------------------------------------

    /// Registers an external CA from its certificate (PEM or DER; it must be
    /// a CA certificate). It starts unverified, with a verification token
    /// (in the returned record) that [`Enrollment::verify_ca`] expects as
    /// the common name of a certificate the CA signs.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `certificate`, `name` or
    /// `identity_name_format`; [`Error::AlreadyExists`] (`ca`) for a taken
    /// name or a CA certificate registered already.
    pub fn register_ca(&self, certificate_pem: &str, opts: CaOptions) -> Result<ExternalCa> {
        crate::namespace::check_name("name", &opts.name, MAX_CA_NAME_LEN)?;
        let format = opts
            .identity_name_format
            .clone()
            .unwrap_or_else(|| DEFAULT_IDENTITY_NAME_FORMAT.to_owned());
        check_name_format(&format)?;
        let der = glue::parse_chain("certificate", certificate_pem.as_bytes())?;
        if der.len() != 1 {
            return Err(Error::invalid(
                "certificate",
                "must hold exactly one CA certificate",
            ));
        }
        let info = glue::check_ca_cert(der[0].clone())?;
        self.engine().retry(|| {
            let name_key = self.ca_name_key(&opts.name);
            let fp_key = self.ca_fp_key(&info.fingerprint);
            for k in [&name_key, &fp_key] {
                if self.ctx().store().get(Table::ExternalCaIndex, k)?.is_some() {
                    return Err(Error::AlreadyExists { what: "ca" });
                }
            }
            let now = self.now();
            let rec = CaRecord {
                id: new_uuid(self.engine())?,
                name: opts.name.clone(),
                cert_der: ByteBuf(info.der.clone()),
                fingerprint: info.fingerprint.clone(),
                verified: false,
                verification_token: new_uuid(self.engine())?,
                auto_enrollment: opts.auto_enrollment,
                ott_ca_enrollment: opts.ott_ca_enrollment,
                auth_enabled: opts.auth_enabled,
                identity_name_format: format.clone(),
                create_time: now,
                update_time: now,
            };
            let mut ops = vec![
                put(
                    Table::ExternalCa,
                    self.ca_key(&rec.id),
                    &rec,
                    Version::ABSENT,
                )?,
                Op::Put {
                    table: Table::ExternalCaIndex,
                    key: name_key,
                    value: rec.id.clone().into_bytes(),
                    expect: Version::ABSENT,
                },
                Op::Put {
                    table: Table::ExternalCaIndex,
                    key: fp_key,
                    value: rec.id.clone().into_bytes(),
                    expect: Version::ABSENT,
                },
            ];
            ops.extend(self.ca_audit(&rec.id, "ca.register", "ok")?);
            self.ctx().store().commit(&ops)?;
            Ok(rec.to_public())
        })
    }

    /// Proof of possession: `certificate_pem` must be signed by the CA's key
    /// and carry the CA's verification token as its common name. The CA is
    /// then verified. A failed proof is audited.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`ca`); [`Error::State`] (`VERIFIED`) when already
    /// verified; [`Error::InvalidInput`] naming `certificate`;
    /// [`Error::VerificationFailed`] for a wrong signature or common name.
    pub fn verify_ca(&self, ca_id: &str, certificate_pem: &str) -> Result<ExternalCa> {
        let cert = glue::parse_cert("certificate", certificate_pem.as_bytes())?;
        self.engine().retry(|| {
            let (mut ca, ver) = self.load_ca(ca_id)?;
            if ca.verified {
                return Err(Error::State {
                    what: "ca",
                    state: "VERIFIED",
                    operation: "verify",
                });
            }
            let cn_ok = cert
                .subject_cn
                .as_deref()
                .is_some_and(|cn| ct_eq(cn.as_bytes(), ca.verification_token.as_bytes()));
            if !cn_ok || glue::signed_by(&cert.der, &ca.cert_der.0, self.now()).is_err() {
                let ops = self.ca_audit(&ca.id, "ca.verify", "failed")?;
                self.ctx().store().commit(&ops)?;
                return Err(Error::VerificationFailed);
            }
            ca.verified = true;
            ca.update_time = self.now();
            let mut ops = vec![put(Table::ExternalCa, self.ca_key(&ca.id), &ca, ver)?];
            ops.extend(self.ca_audit(&ca.id, "ca.verify", "ok")?);
            self.ctx().store().commit(&ops)?;
            Ok(ca.to_public())
        })
    }

    /// External CA `ca_id`.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`ca`).
    pub fn get_ca(&self, ca_id: &str) -> Result<ExternalCa> {
        Ok(self.load_ca(ca_id)?.0.to_public())
    }

    /// Every external CA of the tenant.
    ///
    /// # Errors
    /// Store failures; corrupt records.
    pub fn list_cas(&self) -> Result<Vec<ExternalCa>> {
        Ok(self.ca_records()?.iter().map(CaRecord::to_public).collect())
    }

    /// Deletes an external CA: its certificates stop authenticating (and
    /// stop enrolling) at once.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`ca`).
    pub fn delete_ca(&self, ca_id: &str) -> Result<()> {
        self.engine().retry(|| {
            let (ca, ver) = self.load_ca(ca_id)?;
            let mut ops = vec![
                Op::Delete {
                    table: Table::ExternalCa,
                    key: self.ca_key(&ca.id),
                    expect: ver,
                },
                self.delete_exact(Table::ExternalCaIndex, self.ca_name_key(&ca.name))?,
                self.delete_exact(Table::ExternalCaIndex, self.ca_fp_key(&ca.fingerprint))?,
            ];
            ops.extend(self.ca_audit(&ca.id, "ca.delete", "ok")?);
            self.ctx().store().commit(&ops)?;
            Ok(())
        })
    }

    fn load_ca(&self, ca_id: &str) -> Result<(CaRecord, Version)> {
        check_id("ca_id", ca_id)?;
        self.ctx()
            .get::<CaRecord>(Table::ExternalCa, &self.ca_key(ca_id), "ca")?
            .ok_or(Error::NotFound { what: "ca" })
    }

    fn ca_records(&self) -> Result<Vec<CaRecord>> {
        let prefix = self.tenant_id().prefix(&["ca"]);
        self.ctx()
            .store()
            .scan(Table::ExternalCa, &prefix, None, 1000)?
            .iter()
            .map(|(_, r)| codec::decode::<CaRecord>(&r.value, "ca"))
            .collect()
    }

    /// CA auto-enrollment: a certificate chain (leaf first, PEM) that
    /// verifies to a verified external CA with auto-enrollment on creates an
    /// identity (named by the CA's format; `-2`, `-3`, … is appended when the
    /// name is taken) and its cert authenticator, in one commit. A
    /// certificate enrolls once: again, it is [`Error::AlreadyExists`].
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `chain`; [`Error::VerificationFailed`]
    /// when no such CA verifies the chain; [`Error::AlreadyExists`]
    /// (`certificate`).
    pub fn enroll_ca_auto(&self, chain_pem: &str) -> Result<EnrolledCert> {
        let chain = glue::parse_chain("chain", chain_pem.as_bytes())?;
        let leaf = glue::cert_info("chain", chain[0].clone())?;
        let cas: Vec<CaRecord> = self
            .ca_records()?
            .into_iter()
            .filter(|c| c.verified && c.auto_enrollment)
            .collect();
        let anchors: Vec<(String, Vec<u8>)> = cas
            .iter()
            .map(|c| (c.id.clone(), c.cert_der.0.clone()))
            .collect();
        let Anchor::External(ca_id) = glue::verify_client_chain(
            self.engine(),
            self.tenant_id(),
            &chain,
            false,
            &anchors,
            self.now(),
        )?
        else {
            return Err(Error::VerificationFailed);
        };
        let ca = cas
            .iter()
            .find(|c| c.id == ca_id)
            .ok_or(Error::VerificationFailed)?;
        let base = format_identity_name(&ca.identity_name_format, ca, &leaf);
        self.engine().retry(|| {
            if self
                .ctx()
                .store()
                .get(
                    Table::IdentityIndex,
                    &self.ctx().cert_key(&leaf.fingerprint),
                )?
                .is_some()
            {
                return Err(Error::AlreadyExists {
                    what: "certificate",
                });
            }
            let (name_op, mut ident) = self.free_identity_name(&base)?;
            let (mut ops, a) =
                self.ids
                    .cert_authenticator_ops(&mut ident, Version::ABSENT, &leaf.fingerprint)?;
            ops.push(name_op);
            ops.push(Op::Check {
                table: Table::ExternalCa,
                key: self.ca_key(&ca.id),
                expect: self
                    .ctx()
                    .store()
                    .get(Table::ExternalCa, &self.ca_key(&ca.id))?
                    .map_or(Version::ABSENT, |r| r.version),
            });
            ops.extend(self.audit(&ident.id, "enrollment.ca_auto")?);
            self.ctx().store().commit(&ops)?;
            Ok(enrolled(&a, &leaf, &chain_tail_pem(&chain)))
        })
    }

    fn free_identity_name(&self, base: &str) -> Result<(Op, IdentityRecord)> {
        for n in 1..=100u32 {
            let name = if n == 1 {
                base.to_owned()
            } else {
                let suffix = format!("-{n}");
                let keep: String = base
                    .chars()
                    .take(crate::identities::MAX_IDENTITY_NAME_LEN - suffix.len())
                    .collect();
                format!("{keep}{suffix}")
            };
            match self.ids.new_identity_ops(&name) {
                Err(Error::AlreadyExists { .. }) => {}
                other => return other,
            }
        }
        Err(Error::AlreadyExists { what: "identity" })
    }

    // ---- session certificates -----------------------------------------------------

    /// Issues a short-lived client certificate for the API session of
    /// `session_token` (policy default 12 h, never past the session's
    /// absolute end). It authenticates only while the session lives.
    ///
    /// # Errors
    /// Session errors; [`Error::InvalidInput`] naming `csr`.
    pub fn create_session_cert(&self, session_token: &str, csr_pem: &str) -> Result<SessionCert> {
        let r = self.ctx().resolve(
            Subject::Session(session_token),
            Gate::Full,
            "create session certificate",
        )?;
        let s = r
            .session
            .ok_or(Error::Internal("session subject without session"))?;
        let now = self.now();
        let end = s.rec.create_time.saturating_add(self.ctx().max_life_secs());
        let not_after = now
            .saturating_add(self.engine().policy().cert_session_validity_secs)
            .min(end);
        let issued = glue::issue(
            self.engine(),
            self.tenant_id(),
            &IssueRequest {
                kind: IssuedKind::Session,
                identity_id: &s.rec.identity_id,
                csr: csr_pem,
                not_after_max: Some(not_after),
                dns_names: &[],
                ip_addresses: &[],
            },
        )?;
        let session_key_hex = crate::encoding::hex_encode(&s.key);
        let fp = issued.info.fingerprint.clone();
        let rec = IssuedRecord {
            fingerprint: fp.clone(),
            identity_id: s.rec.identity_id.clone(),
            kind: IssuedKind::Session.as_str().to_owned(),
            authenticator_id: None,
            session_key: Some(session_key_hex),
            session_id: Some(s.rec.id.clone()),
            serial: issued.info.serial.clone(),
            not_before: issued.info.not_before,
            not_after: issued.info.not_after,
            der: ByteBuf(issued.info.der.clone()),
            chain_pem: issued.chain_pem.clone(),
            spki_sha256: issued.info.spki_sha256,
            create_time: now,
        };
        self.engine().retry(|| {
            let mut ops = vec![
                put(
                    Table::IssuedCert,
                    self.issued_key(&fp),
                    &rec,
                    Version::ABSENT,
                )?,
                Op::Put {
                    table: Table::SessionCertIndex,
                    key: self.session_cert_key(&s.rec.id, &fp),
                    value: fp.clone().into_bytes(),
                    expect: Version::ABSENT,
                },
            ];
            ops.extend(self.audit(&s.rec.identity_id, "session_cert.create")?);
            self.ctx().store().commit(&ops)?;
            Ok(())
        })?;
        session_cert(&rec)
    }

    /// The certificates of the API session of `session_token`.
    ///
    /// # Errors
    /// Session errors.
    pub fn list_session_certs(&self, session_token: &str) -> Result<Vec<SessionCert>> {
        let r = self.ctx().resolve(
            Subject::Session(session_token),
            Gate::Full,
            "list session certificates",
        )?;
        let s = r
            .session
            .ok_or(Error::Internal("session subject without session"))?;
        let prefix = self.tenant_id().prefix(&["session-cert", &s.rec.id]);
        let mut out = Vec::new();
        for (_, row) in
            self.ctx()
                .store()
                .scan(Table::SessionCertIndex, &prefix, None, SCAN_PAGE)?
        {
            let fp =
                String::from_utf8(row.value).map_err(|_| Error::corrupt("session cert index"))?;
            if let Some((rec, _)) = self.ctx().get::<IssuedRecord>(
                Table::IssuedCert,
                &self.issued_key(&fp),
                "issued certificate",
            )? {
                out.push(session_cert(&rec)?);
            }
        }
        Ok(out)
    }

    /// One certificate of the API session of `session_token` (by id =
    /// fingerprint); another session's is not found.
    ///
    /// # Errors
    /// Session errors; [`Error::NotFound`] (`session certificate`).
    pub fn get_session_cert(&self, session_token: &str, id: &str) -> Result<SessionCert> {
        let (rec, _, _) = self.own_session_cert(session_token, id)?;
        session_cert(&rec)
    }

    /// Deletes one certificate of the API session of `session_token`; it
    /// stops authenticating at once.
    ///
    /// # Errors
    /// As [`Enrollment::get_session_cert`].
    pub fn delete_session_cert(&self, session_token: &str, id: &str) -> Result<()> {
        self.engine().retry(|| {
            let (rec, ver, session_id) = self.own_session_cert(session_token, id)?;
            let mut ops = vec![
                Op::Delete {
                    table: Table::IssuedCert,
                    key: self.issued_key(&rec.fingerprint),
                    expect: ver,
                },
                self.delete_exact(
                    Table::SessionCertIndex,
                    self.session_cert_key(&session_id, &rec.fingerprint),
                )?,
            ];
            ops.extend(self.audit(&rec.identity_id, "session_cert.delete")?);
            self.ctx().store().commit(&ops)?;
            Ok(())
        })
    }

    fn own_session_cert(
        &self,
        session_token: &str,
        id: &str,
    ) -> Result<(IssuedRecord, Version, String)> {
        let r = self.ctx().resolve(
            Subject::Session(session_token),
            Gate::Full,
            "session certificate",
        )?;
        let s = r
            .session
            .ok_or(Error::Internal("session subject without session"))?;
        let fp = id.to_ascii_lowercase();
        if fp.len() != 64 || !fp.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::invalid(
                "id",
                "must be a SHA-256 fingerprint as 64 hex characters",
            ));
        }
        match self.ctx().get::<IssuedRecord>(
            Table::IssuedCert,
            &self.issued_key(&fp),
            "issued certificate",
        )? {
            Some((rec, ver)) if rec.session_id.as_deref() == Some(s.rec.id.as_str()) => {
                Ok((rec, ver, s.rec.id))
            }
            _ => Err(Error::NotFound {
                what: "session certificate",
            }),
        }
    }

    // ---- certificate authentication ------------------------------------------------

    /// Who a client certificate chain (DER, leaf first) speaks for: the
    /// chain must verify now (RFC 5280 path validation for clientAuth) to
    /// the tenant's internal CA or to a verified external CA with
    /// authentication enabled, and the leaf must be the current or pending
    /// certificate of a cert authenticator, or a certificate of a live API
    /// session.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `chain` (empty, too many or too large
    /// certificates); [`Error::CertificateRejected`] when the chain does not
    /// verify (the message names the certificate and why);
    /// [`Error::VerificationFailed`] when it verifies but the leaf is no
    /// live credential (no detail).
    pub fn authorize_chain(&self, chain: &[Vec<u8>]) -> Result<CertPrincipal> {
        self.authorize_chain_at(chain, self.ctx().now())
    }

    pub(crate) fn authorize_chain_at(
        &self,
        chain: &[Vec<u8>],
        now: UnixTime,
    ) -> Result<CertPrincipal> {
        check_chain_input(chain)?;
        glue::verify_client_chain(
            self.engine(),
            self.tenant_id(),
            chain,
            true,
            &self.auth_externals()?,
            now.0,
        )?;
        self.principal_of_leaf(&chain[0])
    }

    /// Verifies a certificate chain (DER, leaf first, then any
    /// intermediates) at `at` (default: the engine's clock) for `purpose`
    /// against the tenant's trusted CAs: its internal CA and every
    /// verified external CA (whatever that CA's authentication and
    /// enrollment switches, which govern what its certificates may do, not
    /// whether it is trusted). The path validation is the one of
    /// certificate authentication and CA auto-enrollment
    /// ([`crate::pki::verify_chain`]); unlike
    /// [`Enrollment::authorize_chain`], the leaf need not be anyone's
    /// credential. Reads only; writes nothing.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `chain` (empty, more than 10
    /// certificates, or one empty or over 65536 bytes);
    /// [`Error::CertificateRejected`] naming the certificate and why (also
    /// when the tenant trusts no CA at all).
    pub fn verify_certificate(
        &self,
        chain: &[Vec<u8>],
        at: Option<UnixTime>,
        purpose: crate::pki::Purpose,
    ) -> Result<CertVerification> {
        check_chain_input(chain)?;
        let externals: Vec<(String, Vec<u8>)> = self
            .ca_records()?
            .into_iter()
            .filter(|c| c.verified)
            .map(|c| (c.id, c.cert_der.0))
            .collect();
        let now = at.unwrap_or_else(|| self.ctx().now());
        let (anchor, v) = glue::verify_chain_to(
            self.engine(),
            self.tenant_id(),
            chain,
            true,
            &externals,
            now.0,
            purpose,
        )?;
        Ok(CertVerification {
            anchor: match anchor {
                Anchor::Internal => TrustedCa::Internal,
                Anchor::External(ca_id) => TrustedCa::External { ca_id },
            },
            depth: v.path_fingerprints.len().saturating_sub(1),
            path_fingerprints: v.path_fingerprints,
            fingerprint: v.leaf.fingerprint,
            common_name: v.leaf.common_name,
            not_before: v.leaf.not_before,
            not_after: v.leaf.not_after,
        })
    }

    fn auth_externals(&self) -> Result<Vec<(String, Vec<u8>)>> {
        Ok(self
            .ca_records()?
            .into_iter()
            .filter(|c| c.verified && c.auth_enabled)
            .map(|c| (c.id, c.cert_der.0))
            .collect())
    }

    /// A rustls client-certificate verifier backed by this tenant: a TLS
    /// client is accepted exactly when [`Enrollment::authorize_chain`]
    /// accepts its chain at the engine's clock. Trust anchors are read at
    /// each handshake, so new and deleted CAs and credentials apply at once.
    pub fn mtls_verifier(&self) -> crate::pki::MtlsVerifier {
        crate::pki::MtlsVerifier::new(
            std::sync::Arc::new(EngineAuthorizer {
                enrollment: self.clone(),
            }),
            self.engine().services().clock.clone(),
        )
    }

    /// Whose credential a certificate (PEM or DER) is, without verifying
    /// its chain (for administration and tools that already hold the
    /// certificate; authentication uses [`Enrollment::authorize_chain`]).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming `certificate`;
    /// [`Error::VerificationFailed`] when it is no live credential.
    pub fn cert_owner(&self, certificate_pem: &str) -> Result<CertPrincipal> {
        let c = glue::parse_cert("certificate", certificate_pem.as_bytes())?;
        self.principal_of_leaf(&c.der)
    }

    /// The principal of a leaf whose chain the caller has verified (the
    /// rustls verifier does the chain itself).
    pub(crate) fn principal_of_leaf(&self, leaf: &[u8]) -> Result<CertPrincipal> {
        let fp = glue::sha256_hex(leaf);
        if let Some(r) = self
            .ctx()
            .store()
            .get(Table::IdentityIndex, &self.ctx().cert_key(&fp))?
        {
            let aid = String::from_utf8(r.value).map_err(|_| Error::corrupt("cert index"))?;
            let (a, _) = self.ids.load_authenticator_rec(&aid)?;
            let current = a.cert_fingerprint.as_deref() == Some(fp.as_str());
            let pending = a.cert_pending_fingerprint.as_deref() == Some(fp.as_str());
            if a.method()? == AuthenticatorMethod::Cert && (current || pending) {
                return Ok(CertPrincipal {
                    identity_id: a.identity_id,
                    authenticator_id: Some(a.id),
                    session_id: None,
                    pending,
                    fingerprint: fp,
                });
            }
            return Err(Error::VerificationFailed);
        }
        if let Some((rec, _)) = self.ctx().get::<IssuedRecord>(
            Table::IssuedCert,
            &self.issued_key(&fp),
            "issued certificate",
        )? {
            if rec.kind()? == IssuedKind::Session {
                let key = crate::encoding::hex_decode(
                    "session_key",
                    rec.session_key.as_deref().unwrap_or_default(),
                )
                .map_err(|_| Error::corrupt("session certificate"))?;
                if let Some((s, _)) = self.ctx().reload_session(&key)? {
                    let live = self.now()
                        < s.expires_at(self.ctx().idle_secs(), self.ctx().max_life_secs());
                    if live && Some(&s.id) == rec.session_id.as_ref() {
                        return Ok(CertPrincipal {
                            identity_id: s.identity_id,
                            authenticator_id: None,
                            session_id: Some(s.id),
                            pending: false,
                            fingerprint: fp,
                        });
                    }
                }
            }
        }
        Err(Error::VerificationFailed)
    }

    // ---- cascades (called by the identities domain) ----------------------------------

    /// The ops that delete what this domain keeps for cert authenticator `a`
    /// (its issued-certificate records, a router's server certificate
    /// record, its extension state), for the commit that deletes it.
    pub(crate) fn authenticator_cleanup_ops(&self, a: &AuthenticatorRecord) -> Result<Vec<Op>> {
        let mut ops = Vec::new();
        for fp in [&a.cert_fingerprint, &a.cert_pending_fingerprint]
            .into_iter()
            .flatten()
        {
            ops.push(self.delete_exact(Table::IssuedCert, self.issued_key(fp))?);
        }
        if let Some((st, ver)) = self.ctx().get::<CertAuthStateRecord>(
            Table::CertAuthState,
            &self.state_key(&a.id),
            "cert authenticator state",
        )? {
            if let Some(fp) = &st.router_server_fingerprint {
                ops.push(self.delete_exact(Table::IssuedCert, self.issued_key(fp))?);
            }
            ops.push(Op::Delete {
                table: Table::CertAuthState,
                key: self.state_key(&a.id),
                expect: ver,
            });
        }
        Ok(ops)
    }

    /// The ops that delete identity `identity_id`'s enrollments (and their
    /// token index entries) and the certificates of its API sessions
    /// `session_ids`, for the commit that deletes the identity.
    pub(crate) fn identity_cleanup_ops(
        &self,
        identity_id: &str,
        session_ids: &[String],
    ) -> Result<Vec<Op>> {
        let mut ops = Vec::new();
        let prefix = self.tenant_id().prefix(&["enrollment", identity_id]);
        for (k, r) in self
            .ctx()
            .store()
            .scan(Table::Enrollment, &prefix, None, SCAN_PAGE)?
        {
            let rec: EnrollmentRecord = codec::decode(&r.value, "enrollment")?;
            ops.push(self.delete_exact(Table::EnrollmentToken, self.token_key(&rec.token_digest))?);
            ops.push(Op::Delete {
                table: Table::Enrollment,
                key: k,
                expect: r.version,
            });
        }
        ops.extend(self.session_cert_cleanup_ops(session_ids)?);
        Ok(ops)
    }

    /// The ops that delete the certificates of the API sessions
    /// `session_ids` (and their index entries), for the commit that ends
    /// those sessions (logout, expiry, purge, identity deletion).
    pub(crate) fn session_cert_cleanup_ops(&self, session_ids: &[String]) -> Result<Vec<Op>> {
        let mut ops = Vec::new();
        for sid in session_ids {
            let prefix = self.tenant_id().prefix(&["session-cert", sid]);
            for (k, r) in
                self.ctx()
                    .store()
                    .scan(Table::SessionCertIndex, &prefix, None, SCAN_PAGE)?
            {
                let fp =
                    String::from_utf8(r.value).map_err(|_| Error::corrupt("session cert index"))?;
                ops.push(self.delete_exact(Table::IssuedCert, self.issued_key(&fp))?);
                ops.push(Op::Delete {
                    table: Table::SessionCertIndex,
                    key: k,
                    expect: r.version,
                });
            }
        }
        Ok(ops)
    }

    // ---- internals -------------------------------------------------------------------

    fn issued_put(
        &self,
        issued: &glue::Issued,
        kind: IssuedKind,
        identity_id: &str,
        authenticator_id: Option<&str>,
        session: Option<&SessionRecord>,
    ) -> Result<Op> {
        let rec = IssuedRecord {
            fingerprint: issued.info.fingerprint.clone(),
            identity_id: identity_id.to_owned(),
            kind: kind.as_str().to_owned(),
            authenticator_id: authenticator_id.map(str::to_owned),
            session_key: None,
            session_id: session.map(|s| s.id.clone()),
            serial: issued.info.serial.clone(),
            not_before: issued.info.not_before,
            not_after: issued.info.not_after,
            der: ByteBuf(issued.info.der.clone()),
            chain_pem: issued.chain_pem.clone(),
            spki_sha256: issued.info.spki_sha256.clone(),
            create_time: self.now(),
        };
        put(
            Table::IssuedCert,
            self.issued_key(&rec.fingerprint),
            &rec,
            Version::ABSENT,
        )
    }

    /// A delete of `key` at its current version (a no-op if absent).
    fn delete_exact(&self, table: Table, key: Vec<u8>) -> Result<Op> {
        let expect = self
            .ctx()
            .store()
            .get(table, &key)?
            .map_or(Version::ABSENT, |r| r.version);
        Ok(Op::Delete { table, key, expect })
    }
}

fn enrolled(a: &impl AuthenticatorLike, leaf: &CertInfo, chain_tail: &str) -> EnrolledCert {
    let pem = pem_encode("CERTIFICATE", &leaf.der);
    EnrolledCert {
        identity_id: a.identity_id().to_owned(),
        authenticator_id: a.id().to_owned(),
        chain_pem: format!("{pem}{chain_tail}"),
        certificate_pem: pem,
        fingerprint: leaf.fingerprint.clone(),
    }
}

trait AuthenticatorLike {
    fn id(&self) -> &str;
    fn identity_id(&self) -> &str;
}

impl AuthenticatorLike for AuthenticatorRecord {
    fn id(&self) -> &str {
        &self.id
    }
    fn identity_id(&self) -> &str {
        &self.identity_id
    }
}

impl AuthenticatorLike for Authenticator {
    fn id(&self) -> &str {
        &self.id
    }
    fn identity_id(&self) -> &str {
        &self.identity_id
    }
}

/// The input limits of a presented chain: 1..=10 DER certificates of
/// 1..=65536 bytes each.
fn check_chain_input(chain: &[Vec<u8>]) -> Result<()> {
    if chain.is_empty()
        || chain.len() > super::MAX_CHAIN_LEN
        || chain
            .iter()
            .any(|c| c.is_empty() || c.len() > super::MAX_PEM_BYTES)
    {
        return Err(Error::invalid(
            "chain",
            format!(
                "must hold 1..={} DER certificates of 1..={} bytes each, got {}",
                super::MAX_CHAIN_LEN,
                super::MAX_PEM_BYTES,
                chain.len()
            ),
        ));
    }
    Ok(())
}

fn chain_tail_pem(chain: &[Vec<u8>]) -> String {
    chain
        .iter()
        .skip(1)
        .map(|c| pem_encode("CERTIFICATE", c))
        .collect()
}

fn session_cert(rec: &IssuedRecord) -> Result<SessionCert> {
    let pem = pem_encode("CERTIFICATE", &rec.der.0);
    Ok(SessionCert {
        id: rec.fingerprint.clone(),
        session_id: rec
            .session_id
            .clone()
            .ok_or(Error::corrupt("session certificate without session"))?,
        identity_id: rec.identity_id.clone(),
        chain_pem: format!("{pem}{}", rec.chain_pem),
        certificate_pem: pem,
        serial: rec.serial.clone(),
        not_before: UnixTime(rec.not_before),
        not_after: UnixTime(rec.not_after),
    })
}

fn parse_ips(list: &[String]) -> Result<Vec<std::net::IpAddr>> {
    list.iter()
        .map(|s| s.parse().map_err(|_| Error::corrupt("enrollment ip")))
        .collect()
}

fn check_sans(dns: &[String], ips: &[std::net::IpAddr]) -> Result<()> {
    if dns.len() > MAX_ROUTER_SANS {
        return Err(Error::invalid(
            "dns_names",
            format!(
                "must have at most {MAX_ROUTER_SANS} entries, got {}",
                dns.len()
            ),
        ));
    }
    if ips.len() > MAX_ROUTER_SANS {
        return Err(Error::invalid(
            "ip_addresses",
            format!(
                "must have at most {MAX_ROUTER_SANS} entries, got {}",
                ips.len()
            ),
        ));
    }
    for d in dns {
        let ok = !d.is_empty()
            && d.len() <= 253
            && d.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            });
        if !ok {
            return Err(Error::invalid(
                "dns_names",
                "each must be a DNS name of 1..=253 bytes, labels 1..=63 of letters, digits and '-'",
            ));
        }
    }
    Ok(())
}

fn check_name_format(f: &str) -> Result<()> {
    if f.is_empty() || f.len() > MAX_NAME_FORMAT_BYTES || f.chars().any(char::is_control) {
        return Err(Error::invalid(
            "identity_name_format",
            format!("must be 1..={MAX_NAME_FORMAT_BYTES} bytes without control characters"),
        ));
    }
    let mut rest = f;
    while let Some(i) = rest.find('[') {
        let after = &rest[i + 1..];
        let j = after
            .find(']')
            .ok_or_else(|| Error::invalid("identity_name_format", "has an unclosed '['"))?;
        let name = &after[..j];
        if !matches!(name, "caName" | "caId" | "commonName" | "fingerprint") {
            return Err(Error::invalid(
                "identity_name_format",
                format!(
                    "unknown placeholder [{name}]; use [caName], [caId], [commonName] or [fingerprint]"
                ),
            ));
        }
        rest = &after[j + 1..];
    }
    Ok(())
}

/// The identity name a format gives (`/` and control characters dropped,
/// at most 128 characters, `unnamed` when empty).
fn format_identity_name(format: &str, ca: &CaRecord, leaf: &CertInfo) -> String {
    let name = format
        .replace("[caName]", &ca.name)
        .replace("[caId]", &ca.id)
        .replace("[commonName]", leaf.subject_cn.as_deref().unwrap_or(""))
        .replace("[fingerprint]", &leaf.fingerprint);
    let clean: String = name
        .chars()
        .filter(|c| *c != '/' && !c.is_control())
        .take(crate::identities::MAX_IDENTITY_NAME_LEN)
        .collect();
    if clean.is_empty() {
        "unnamed".to_owned()
    } else {
        clean
    }
}

/// The [`crate::pki::ClientCertAuthorizer`] of [`Enrollment::mtls_verifier`].
#[derive(Debug)]
struct EngineAuthorizer {
    enrollment: Enrollment,
}

impl crate::pki::ClientCertAuthorizer for EngineAuthorizer {
    fn authorize(&self, leaf_der: &[u8], intermediates: &[&[u8]], now: UnixTime) -> Result<()> {
        let mut chain = Vec::with_capacity(intermediates.len() + 1);
        chain.push(leaf_der.to_vec());
        chain.extend(intermediates.iter().map(|c| c.to_vec()));
        self.enrollment.authorize_chain_at(&chain, now).map(|_| ())
    }

    fn root_hint_subjects(&self) -> Vec<Vec<u8>> {
        let e = &self.enrollment;
        e.auth_externals()
            .and_then(|x| glue::anchors(e.engine(), e.tenant_id(), true, &x))
            .map(|(a, _)| a.subjects())
            .unwrap_or_default()
    }
}
