//! The facade every credcycle binding wraps (C, Python, Kotlin/Swift).
//!
//! Bindings must not re-implement conversions: they call this crate, whose
//! API has only plain types (strings, integers, bytes, options, vectors and
//! plain structs of those), and map [`Error`] — `{code, kind, message}` —
//! to their own error form in one place.
//!
//! - Construction: [`Engine::open`] with an [`EngineConfig`] (store: memory,
//!   SQLite path or a host-language [`ForeignStore`]; key manager: local with
//!   a root key, or a host-language [`ForeignKeyManager`]; optional
//!   [`ForeignClock`]; [`PolicyConfig`] overrides).
//! - Construction also takes a PostgreSQL URL ([`StoreConfig::Postgres`])
//!   and a PKCS#11 token ([`KmsConfig::Pkcs11`]).
//! - Operations: methods of [`Engine`], [`Kms`], [`Secrets`], [`Audit`],
//!   [`Targets`], [`Jose`], [`Tokens`], [`MachineAuth`], [`Identities`],
//!   [`Mfa`], [`Pki`], [`Enrollment`], [`Totp`] and [`ReplayGuard`], and the functions of [`client`]
//!   and [`conformance`]. [`OPERATIONS`]
//!   names every one of them; each binding has a parity test that fails when
//!   an operation in the list has no counterpart in the binding.
//!
//! ```
//! use credcycle_facade::{
//!     CreateSecretOptions, Engine, EngineConfig, KmsConfig, SecretInput, StoreConfig, client,
//! };
//!
//! # fn main() -> Result<(), credcycle_facade::Error> {
//! let root_key = client::generate_root_key()?;
//! let engine = Engine::open(EngineConfig::new(StoreConfig::Memory, KmsConfig::Local { root_key }))?;
//! let secrets = engine.with_actor("alice").secrets("shop")?;
//! let value = SecretInput::Bytes(b"hunter2".to_vec().into());
//! let info = secrets.create("db-password", CreateSecretOptions { value: Some(value), ..Default::default() })?;
//! assert_eq!(info.state, "ENABLED");
//! assert_eq!(&*secrets.get_value("db-password", None)?.value, b"hunter2");
//! let err = secrets.get("missing").unwrap_err();
//! assert_eq!((err.code, err.kind.as_str()), (1001, "not_found"));
//! # Ok(()) }
//! ```

pub mod client;
pub mod conformance;
pub mod domains;
mod engine;
pub mod error;
pub mod foreign;
pub mod kms_conformance;
mod types;

pub use client::{JwtValidation, ReplayGuard, Totp, VerifiedWebhook};
pub use domains::*;
pub use engine::{
    Audit, CreateSecretOptions, Engine, EngineConfig, Kms, KmsConfig, Pkcs11Pin, PolicyConfig,
    Secrets, StoreConfig,
};
pub use error::{Error, Result};
pub use foreign::{
    ForeignClock, ForeignError, ForeignKeyManager, ForeignStore, ScanEntry, StoreOp, StoreOpKind,
    StoredRecord, WrappedKeyData,
};
pub use types::{
    AuditEventInfo, AuditTrailInfo, KeyInfo, RewrapResult, SecretInfo, SecretInput, SecretValue,
    SecretVersion,
};

/// Every operation of the facade, as `handle.method`: `engine.*` are
/// methods of [`Engine`], `kms.*` of [`Kms`], `secrets.*` of [`Secrets`],
/// `audit.*` of [`Audit`], `targets.*` of [`Targets`], `jose.*` of
/// [`Jose`], `tokens.*` of [`Tokens`], `machine_auth.*` of [`MachineAuth`],
/// `identities.*` of [`Identities`], `mfa.*` of [`Mfa`], `pki.*` of
/// [`Pki`], `enrollment.*` of [`Enrollment`], `totp.*` of
/// [`Totp`], `replay_guard.*` of [`ReplayGuard`], `client.*` functions of
/// [`client`] and `testing.*` functions of [`conformance`].
///
/// Each binding's parity test reads this list: an operation added here
/// without a counterpart in a binding fails that binding's tests.
pub const OPERATIONS: &[&str] = &[
    "engine.open",
    "engine.with_actor",
    "engine.ensure_default_key",
    "engine.secrets",
    "engine.kms",
    "engine.audit",
    "engine.targets",
    "engine.jose",
    "engine.tokens",
    "engine.machine_auth",
    "engine.identities",
    "engine.mfa",
    "engine.pki",
    "engine.enrollment",
    "engine.now",
    "engine.webhook_replay_guard",
    "kms.create_key",
    "kms.key_info",
    "kms.list_keys",
    "kms.rotate_key",
    "kms.enable_key",
    "kms.disable_key",
    "kms.schedule_key_deletion",
    "kms.public_key",
    "kms.sign",
    "secrets.create",
    "secrets.get",
    "secrets.list",
    "secrets.list_page",
    "secrets.get_value",
    "secrets.update",
    "secrets.put_value",
    "secrets.begin_rotation",
    "secrets.finish_rotation",
    "secrets.cancel_rotation",
    "secrets.disable",
    "secrets.enable",
    "secrets.freeze",
    "secrets.unfreeze",
    "secrets.schedule_delete",
    "secrets.restore",
    "secrets.purge_due",
    "secrets.rewrap",
    "audit.events",
    "targets.create",
    "targets.get",
    "targets.list",
    "targets.update",
    "targets.delete",
    "targets.add_encryption_key",
    "targets.list_encryption_keys",
    "targets.activate_encryption_key",
    "targets.remove_encryption_key",
    "targets.sign",
    "targets.sign_at",
    "jose.current_key",
    "jose.rotate_signing_key",
    "jose.jwks",
    "jose.sign_jwt",
    "jose.sign_jws",
    "tokens.create",
    "tokens.get",
    "tokens.list",
    "tokens.update",
    "tokens.revoke",
    "tokens.authenticate",
    "tokens.refresh",
    "machine_auth.create_identity",
    "machine_auth.identity",
    "machine_auth.list_identities",
    "machine_auth.delete_identity",
    "machine_auth.attach_universal_auth",
    "machine_auth.update_universal_auth",
    "machine_auth.universal_auth",
    "machine_auth.create_client_secret",
    "machine_auth.list_client_secrets",
    "machine_auth.revoke_client_secret",
    "machine_auth.login",
    "machine_auth.authenticate",
    "machine_auth.renew",
    "machine_auth.revoke",
    "identities.create",
    "identities.get",
    "identities.find_by_name",
    "identities.list",
    "identities.delete",
    "identities.set_password",
    "identities.add_cert_authenticator",
    "identities.mark_password_compromised",
    "identities.delete_authenticator",
    "identities.authenticators",
    "identities.authenticator",
    "identities.update_authenticator",
    "identities.patch_authenticator",
    "identities.create_ext_jwt_signer",
    "identities.ext_jwt_signers",
    "identities.delete_ext_jwt_signer",
    "identities.authenticate",
    "identities.current_session",
    "identities.validate_session",
    "identities.current_identity",
    "identities.logout",
    "identities.sessions",
    "identities.purge_expired_sessions",
    "mfa.enroll",
    "mfa.status",
    "mfa.qr_code",
    "mfa.verify",
    "mfa.authenticate_mfa",
    "mfa.disable",
    "mfa.remove",
    "mfa.regenerate_recovery_codes",
    "mfa.view_recovery_codes",
    "pki.create_ca",
    "pki.import_ca",
    "pki.ca",
    "pki.bundle_pem",
    "pki.bundle_pkcs7_base64",
    "pki.issue",
    "pki.renew",
    "pki.verify_client_chain",
    "enrollment.jwks",
    "enrollment.current_kid",
    "enrollment.rotate_signing_key",
    "enrollment.challenge",
    "enrollment.create",
    "enrollment.reissue",
    "enrollment.get",
    "enrollment.list",
    "enrollment.delete",
    "enrollment.enroll_ott",
    "enrollment.enroll_ottca",
    "enrollment.enroll_updb",
    "enrollment.enroll_router",
    "enrollment.enroll_ca_auto",
    "enrollment.extend",
    "enrollment.extend_verify",
    "enrollment.extend_router",
    "enrollment.request_extend",
    "enrollment.request_key_roll",
    "enrollment.cert_status",
    "enrollment.register_ca",
    "enrollment.verify_ca",
    "enrollment.get_ca",
    "enrollment.list_cas",
    "enrollment.delete_ca",
    "enrollment.create_session_cert",
    "enrollment.list_session_certs",
    "enrollment.get_session_cert",
    "enrollment.delete_session_cert",
    "enrollment.authorize_chain",
    "enrollment.cert_owner",
    "enrollment.verify_certificate",
    "totp.new",
    "totp.from_uri",
    "totp.hotp",
    "totp.code_at",
    "totp.verify",
    "totp.provisioning_uri",
    "replay_guard.memory",
    "client.version",
    "client.generate_root_key",
    "client.parse_root_key",
    "client.verify_webhook_zitadel",
    "client.verify_webhook_standard",
    "client.sign_webhook_zitadel",
    "client.sign_webhook_standard",
    "client.verify_jwt",
    "client.decrypt_jwe",
    "client.resolve_client_ip",
    "client.generate_key_and_csr",
    "client.verify_challenge",
    "client.verify_chain",
    "client.parse_enrollment_jwt",
    "client.verify_enrollment_jwt",
    "testing.store_conformance",
    "testing.kms_conformance",
];

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_domains;
#[cfg(test)]
mod tests_enrollment;
