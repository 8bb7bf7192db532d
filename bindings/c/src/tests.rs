//! Binding-level checks: every facade operation has a C function, and the
//! committed header is the one cbindgen generates (checked by the bindings
//! script, which has cbindgen).

/// The C function that implements a facade operation.
fn c_symbol(op: &str) -> String {
    match op {
        "engine.open" => "credcycle_engine_builder_build".to_owned(),
        "testing.store_conformance" => "credcycle_store_conformance_run".to_owned(),
        "engine.secrets" => "credcycle_engine_secrets".to_owned(),
        _ => {
            let (handle, method) = op.split_once('.').unwrap_or(("", op));
            if handle == "client" {
                format!("credcycle_{method}")
            } else {
                format!("credcycle_{handle}_{method}")
            }
        }
    }
}

/// Facade operations added (with the targets, tokens, machine-auth,
/// identities and MFA domains and their client helpers) before their C
/// functions exist. Being written on branch `bindings-c`; each entry goes
/// when its function lands (the test below fails on a stale entry).
const PENDING_IN_C: &[&str] = &[
    "engine.targets",
    "engine.jose",
    "engine.tokens",
    "engine.machine_auth",
    "engine.identities",
    "engine.mfa",
    "engine.now",
    "engine.webhook_replay_guard",
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
    "totp.new",
    "totp.from_uri",
    "totp.hotp",
    "totp.code_at",
    "totp.verify",
    "totp.provisioning_uri",
    "replay_guard.memory",
    "client.verify_webhook_zitadel",
    "client.verify_webhook_standard",
    "client.sign_webhook_zitadel",
    "client.sign_webhook_standard",
    "client.verify_jwt",
    "client.decrypt_jwe",
    "client.resolve_client_ip",
];

#[test]
fn every_facade_operation_has_a_c_function() {
    let header = include_str!("../../../include/credcycle.h");
    let has = |op: &&str| header.contains(&format!("{}(", c_symbol(op)));
    let missing: Vec<String> = credcycle_facade::OPERATIONS
        .iter()
        .filter(|op| !has(op) && !PENDING_IN_C.contains(op))
        .map(|op| c_symbol(op))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a C function: {missing:?}"
    );
    let stale: Vec<&str> = PENDING_IN_C.iter().copied().filter(|op| has(op)).collect();
    assert!(
        stale.is_empty(),
        "implemented, drop from PENDING_IN_C: {stale:?}"
    );
    for op in PENDING_IN_C {
        assert!(credcycle_facade::OPERATIONS.contains(op), "unknown {op}");
    }
}
