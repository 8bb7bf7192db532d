//! The `credcycle` command on PostgreSQL (`--store postgres://…`) and on a
//! PKCS#11 token (`--kms pkcs11:…`): the demo tour and a secret's life.
//!
//! Returns early with a notice when `CREDCYCLE_TEST_PG_URL` /
//! `CREDCYCLE_TEST_PKCS11` are unset, unless `CREDCYCLE_REQUIRE_SERVICES=1`.

use std::process::{Command, Output};

use credcycle_pkcs11::testing::test_config;
use credcycle_postgres::testing::{URL_ENV, fresh_database, service_env};

fn credcycle(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_credcycle"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run credcycle")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn unique(hint: &str) -> String {
    format!("{hint}-{}", std::process::id())
}

#[test]
fn demo_on_postgres_with_local_kms() {
    let Some(admin) = service_env(URL_ENV) else {
        return;
    };
    let url = fresh_database(&admin, "cli_demo");
    let dir = tempfile::tempdir().expect("tempdir");
    let out = credcycle(dir.path(), &["demo", "--store", &url]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains(" 0 failed"), "{}", text(&out));
}

#[test]
fn demo_on_postgres_with_pkcs11_kms() {
    let (Some(admin), Some(hsm)) = (service_env(URL_ENV), test_config()) else {
        return;
    };
    let url = fresh_database(&admin, "cli_demo_hsm");
    let kms = format!("pkcs11:{hsm};namespace={}", unique("cli-demo"));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = credcycle(dir.path(), &["demo", "--store", &url, "--kms", &kms]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains(" 0 failed"), "{}", text(&out));
}

#[test]
fn secret_life_on_postgres_and_pkcs11() {
    let (Some(admin), Some(hsm)) = (service_env(URL_ENV), test_config()) else {
        return;
    };
    let url = fresh_database(&admin, "cli_life");
    let kms = format!("pkcs11:{hsm};namespace={}", unique("cli-life"));
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        let mut all = vec!["--store", url.as_str(), "--kms", kms.as_str()];
        all.extend_from_slice(args);
        let out = credcycle(dir.path(), &all);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let init = run(&["init"]);
    assert!(init.contains("PKCS#11"), "{init}");
    assert!(
        !dir.path().join("credcycle.key").exists(),
        "no root key file with pkcs11"
    );
    assert!(
        !dir.path().join("credcycle.db").exists(),
        "no SQLite file with postgres"
    );
    run(&["secret", "create", "db-password", "--value", "hunter2"]);
    run(&["kms", "key", "create", "k2"]);
    run(&["secret", "update", "db-password", "--kms-key", "k2"]);
    run(&["secret", "put", "db-password", "--value", "correct horse"]);
    run(&["kms", "key", "rotate", "k2"]);
    run(&["secret", "rewrap", "db-password"]);
    assert_eq!(
        run(&["secret", "get", "db-password", "--version", "v1"]),
        "hunter2"
    );
    assert_eq!(run(&["secret", "get", "db-password"]), "correct horse");
    let listed = run(&["kms", "key", "list"]);
    assert!(
        listed.contains("k2") && listed.contains("default"),
        "{listed}"
    );
    run(&["audit", "secret:db-password", "--verify"]);
}

#[test]
fn unreachable_postgres_and_bad_pkcs11_spec_are_clear_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = credcycle(
        dir.path(),
        &[
            "--store",
            "postgres://u:hunter2@127.0.0.1:1/x?connect_timeout=2",
            "--kms",
            "pkcs11:module=/nonexistent.so;token=t;pin-env=CC_NO_PIN",
            "secret",
            "list",
        ],
    );
    assert!(!out.status.success());
    let msg = text(&out);
    assert!(!msg.contains("hunter2"), "{msg}");
    let out = credcycle(
        dir.path(),
        &["--kms", "pkcs11:module=/x.so;token=t", "secret", "list"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("pin"), "{}", text(&out));
}
