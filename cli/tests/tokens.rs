//! End-to-end tests of `credcycle token …`, `identity …` and `ua …`: each
//! test gets its own temporary directory with a database and a root key.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

struct Env {
    dir: tempfile::TempDir,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Env {
    fn init() -> Self {
        let env = Env {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        let r = env.run(&["init"], None);
        assert_eq!(r.code, 0, "init: {}", r.stderr);
        env
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let mut c = Command::new(env!("CARGO_BIN_EXE_credcycle"));
        c.arg("--db")
            .arg(self.dir.path().join("t.db"))
            .arg("--root-key-file")
            .arg(self.dir.path().join("t.key"))
            .env_remove("CREDCYCLE_DB")
            .env_remove("CREDCYCLE_ROOT_KEY_FILE")
            .args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().expect("spawn");
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(input.as_bytes())
                .expect("write");
        }
        let out = child.wait_with_output().expect("wait");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `--json ARGS`, expecting success.
    fn ok(&self, args: &[&str]) -> Value {
        self.ok_stdin(args, None)
    }

    fn ok_stdin(&self, args: &[&str], stdin: Option<&str>) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let r = self.run(&all, stdin);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        serde_json::from_str(&r.stdout).expect("one JSON object")
    }

    /// `--json ARGS`, expecting exit `code`; returns the error message.
    fn fails(&self, code: i32, args: &[&str]) -> String {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let r = self.run(&all, None);
        assert_eq!(r.code, code, "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "stdout on failure: {}", r.stdout);
        let v: Value = serde_json::from_str(r.stderr.trim()).expect("JSON error");
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str()
        .unwrap_or_else(|| panic!("{k} missing in {v}"))
        .to_owned()
}

#[test]
fn token_lifecycle_with_rotation_and_reuse_detection() {
    let env = Env::init();
    let c = env.ok(&[
        "token",
        "create",
        "ci bot",
        "--type",
        "proxy",
        "--owner",
        "alice:urn:user:1",
        "--org",
        "acme:o1",
    ]);
    let id = s(&c, "id");
    let value = s(&c, "token");
    let rt1 = s(&c, "refresh_token");
    assert!(id.starts_with("urn:credcycle:token:"));
    assert!(value.starts_with("ccapi_") && rt1.starts_with("ccrt_"));
    assert_eq!(c["type"], "PROXY");
    assert_eq!(c["token_rotation"], "ALWAYS");
    assert_eq!(c["require_rotation"], true);
    assert_eq!(c["owner"]["id"], "urn:user:1");
    assert!(c["expiration_time_utc_unix"].is_i64());

    let shown = env.ok(&["token", "show", &id]);
    assert!(shown.get("token").is_none(), "show never prints the value");
    assert_eq!(shown["name"], "ci bot");
    let used = env.ok(&["token", "use", &value]);
    assert_eq!(used["valid"], true);
    assert_eq!(used["id"], id.as_str());
    assert!(used.get("rotated_token").is_none());

    let r = env.ok_stdin(&["token", "refresh", "-"], Some(&format!("{rt1}\n")));
    let rt2 = s(&r, "refresh_token");
    let at2 = s(&r, "access_token");
    assert_eq!(env.ok(&["token", "use", &at2])["valid"], true);
    assert!(
        env.fails(5, &["token", "use", &value])
            .contains("verification failed")
    );
    // Reuse of rt1: exit 5, the family is revoked.
    let msg = env.fails(5, &["token", "refresh", &rt1]);
    assert!(msg.contains("already used"), "{msg}");
    assert!(
        env.fails(4, &["token", "refresh", &rt2])
            .contains("REVOKED")
    );
    assert_eq!(env.ok(&["token", "show", &id])["state"], "REVOKED");
    assert_eq!(
        env.ok(&["token", "show", &id])["revoke_reason"],
        "refresh_token_reuse"
    );
    let list = env.ok(&["token", "list"]);
    assert_eq!(list["tokens"].as_array().map(Vec::len), Some(1));
    let r = env.run(&["token", "list"], None);
    assert!(r.stdout.contains("REVOKED") && !r.stdout.contains(&value));
}

#[test]
fn token_update_rules_and_once_on_next_login() {
    let env = Env::init();
    let c = env.ok(&[
        "token",
        "create",
        "ext",
        "--type",
        "extension",
        "--rotation",
        "ONCE_ON_NEXT_LOGIN",
    ]);
    let id = s(&c, "id");
    let u = env.ok(&["token", "use", &s(&c, "token")]);
    let fresh = s(&u, "rotated_token");
    assert_eq!(u["token_rotation"], "NEVER");
    assert!(
        env.ok(&["token", "use", &fresh])
            .get("rotated_token")
            .is_none()
    );

    let msg = env.fails(
        2,
        &[
            "token",
            "update",
            &id,
            "--name",
            "x",
            "--rotation",
            "NEVER",
            "--require-rotation",
            "true",
        ],
    );
    assert!(
        msg.contains("require_rotation") && msg.contains("token_rotation"),
        "{msg}"
    );
    let msg = env.fails(
        2,
        &[
            "token",
            "update",
            &id,
            "--name",
            "x",
            "--expires",
            "2999-01-01T00:00:00Z",
        ],
    );
    assert!(msg.contains("expiration_time_utc"), "{msg}");
    let msg = env.fails(
        2,
        &["token", "update", &id, "--name", "x", "--expires", "soon"],
    );
    assert!(msg.contains("RFC 3339"), "{msg}");
    let r = env.run(&["token", "update", &id], None);
    assert_eq!(r.code, 2, "--name is required");
    let t = env.ok(&[
        "token",
        "update",
        &id,
        "--name",
        "renamed",
        "--rotation",
        "ALWAYS",
    ]);
    assert_eq!(t["name"], "renamed");
    assert_eq!(t["require_rotation"], true);
    let none = env.ok(&[
        "token",
        "create",
        "n",
        "--type",
        "proxy",
        "--rotation",
        "NONE",
    ]);
    assert!(none["refresh_token"].is_null());
    assert!(none["require_rotation"].is_null());
    assert_eq!(env.ok(&["token", "revoke", &id])["state"], "REVOKED");
    assert!(env.fails(4, &["token", "revoke", &id]).contains("REVOKED"));
    assert!(
        env.fails(2, &["token", "show", "nope"])
            .contains("urn:credcycle:token:")
    );
    assert!(
        env.fails(5, &["token", "use", "garbage"])
            .contains("verification failed")
    );
    let r = env.run(&["token", "create", "x", "--type", "user"], None);
    assert_eq!(r.code, 2);
}

/// The acceptance check.
#[test]
fn ua_update_with_ttl_above_max_ttl_exits_2_naming_both_fields() {
    let env = Env::init();
    let id = s(&env.ok(&["identity", "create", "runner"]), "id");
    env.ok(&["ua", "attach", &id]);
    let r = env.run(
        &[
            "ua",
            "update",
            &id,
            "--access-token-ttl",
            "100",
            "--access-token-max-ttl",
            "50",
        ],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("access_token_ttl") && r.stderr.contains("access_token_max_ttl"),
        "{}",
        r.stderr
    );
    // The merged rule also applies when only one of them is sent.
    env.ok(&[
        "ua",
        "update",
        &id,
        "--access-token-max-ttl",
        "500",
        "--access-token-ttl",
        "400",
    ]);
    let msg = env.fails(2, &["ua", "update", &id, "--access-token-max-ttl", "300"]);
    assert!(
        msg.contains("access_token_ttl") && msg.contains("access_token_max_ttl"),
        "{msg}"
    );
    let msg = env.fails(2, &["ua", "update", &id, "--lockout-threshold", "31"]);
    assert!(
        msg.contains("lockout_threshold") && msg.contains("1..=30"),
        "{msg}"
    );
    let msg = env.fails(
        2,
        &[
            "ua",
            "update",
            &id,
            "--access-token-trusted-ips",
            "10.0.0.0/8,10.1.2.3/8",
        ],
    );
    assert!(
        msg.contains("access_token_trusted_ips") && msg.contains("entry 2"),
        "{msg}"
    );
    let msg = env.fails(2, &["ua", "update", &id, "--client-secret-trusted-ips", ""]);
    assert!(msg.contains("client_secret_trusted_ips"), "{msg}");
    let shown = env.ok(&["ua", "show", &id]);
    assert_eq!(shown["access_token_ttl"], 400);
    assert_eq!(shown["access_token_max_ttl"], 500);
    assert_eq!(shown["lockout"]["threshold"], 3);
    assert_eq!(shown["client_secret_trusted_ips"][0], "0.0.0.0/0");
}

#[test]
fn ua_login_authenticate_renew_revoke() {
    let env = Env::init();
    let id = s(&env.ok(&["identity", "create", "runner"]), "id");
    let ua = env.ok(&[
        "ua",
        "attach",
        &id,
        "--client-secret-trusted-ips",
        "10.0.0.0/8, ::1",
        "--access-token-num-uses-limit",
        "2",
        "--access-token-ttl",
        "600",
    ]);
    assert_eq!(ua["client_secret_trusted_ips"][1], "::1/128");
    let sec = env.ok(&[
        "ua",
        "secret",
        "create",
        &id,
        "--num-uses",
        "5",
        "--description",
        "ci",
    ]);
    let client_id = s(&sec, "client_id");
    let secret = s(&sec, "client_secret");
    assert_eq!(client_id, s(&ua, "client_id"));
    assert!(secret.starts_with("cccs_"));
    assert_eq!(s(&sec, "prefix"), secret[..9]);

    let msg = env.fails(
        2,
        &[
            "ua",
            "login",
            "--client-id",
            &client_id,
            "--client-secret",
            &secret,
            "--ip",
            "11.0.0.1",
        ],
    );
    assert!(msg.contains("client_secret_trusted_ips"), "{msg}");
    let g = env.ok_stdin(
        &[
            "ua",
            "login",
            "--client-id",
            &client_id,
            "--client-secret",
            "-",
            "--ip",
            "::ffff:10.1.2.3",
        ],
        Some(&secret),
    );
    let token = s(&g, "access_token");
    assert!(token.starts_with("ccat_"));
    assert_eq!(g["expires_in"], 600);
    assert_eq!(g["token_type"], "Bearer");
    let a = env.ok(&["ua", "authenticate", &token, "--ip", "1.2.3.4"]);
    assert_eq!(a["num_uses"], 1);
    env.ok(&["ua", "renew", &token]);
    env.ok(&["ua", "authenticate", &token, "--ip", "1.2.3.4"]);
    assert!(
        env.fails(4, &["ua", "authenticate", &token, "--ip", "1.2.3.4"])
            .contains("EXHAUSTED")
    );
    assert!(
        env.fails(2, &["ua", "authenticate", &token, "--ip", "nope"])
            .contains("ip")
    );
    let g2 = env.ok(&[
        "ua",
        "login",
        "--client-id",
        &client_id,
        "--client-secret",
        &secret,
        "--ip",
        "10.0.0.1",
    ]);
    let t2 = s(&g2, "access_token");
    assert_eq!(env.ok(&["ua", "revoke", &t2])["revoked"], true);
    assert!(
        env.fails(4, &["ua", "authenticate", &t2, "--ip", "10.0.0.1"])
            .contains("REVOKED")
    );
    // Secrets are listed by prefix, never by value.
    let r = env.run(&["--json", "ua", "secret", "list", &id], None);
    assert_eq!(r.code, 0);
    assert!(!r.stdout.contains(&secret) && r.stdout.contains(&secret[..9]));
    let list: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(list["client_secrets"][0]["num_uses"], 2);
    let secret_id = s(&list["client_secrets"][0], "id");
    assert_eq!(
        env.ok(&["ua", "secret", "revoke", &id, &secret_id])["state"],
        "REVOKED"
    );
    assert!(
        env.fails(
            4,
            &[
                "ua",
                "login",
                "--client-id",
                &client_id,
                "--client-secret",
                &secret,
                "--ip",
                "10.0.0.1"
            ],
        )
        .contains("REVOKED")
    );
    let shown = env.ok(&["identity", "show", &id]);
    assert_eq!(shown["universal_auth"]["client_id"], client_id.as_str());
    assert_eq!(
        env.ok(&["identity", "list"])["identities"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert!(
        env.fails(
            5,
            &[
                "ua",
                "login",
                "--client-id",
                &client_id,
                "--client-secret",
                "x",
                "--ip",
                "10.0.0.1"
            ]
        )
        .contains("verification failed")
    );
}

#[test]
fn ua_lockout_is_exit_4_and_shared_by_separate_processes() {
    let env = Env::init();
    let id = s(&env.ok(&["identity", "create", "runner"]), "id");
    env.ok(&["ua", "attach", &id, "--lockout-threshold", "2"]);
    let sec = env.ok(&["ua", "secret", "create", &id]);
    let other = s(&env.ok(&["identity", "create", "other"]), "id");
    env.ok(&["ua", "attach", &other]);
    let wrong = s(
        &env.ok(&["ua", "secret", "create", &other]),
        "client_secret",
    );
    let client_id = s(&sec, "client_id");
    // Each command is its own process: the count lives in the store.
    for _ in 0..2 {
        env.fails(
            5,
            &[
                "ua",
                "login",
                "--client-id",
                &client_id,
                "--client-secret",
                &wrong,
                "--ip",
                "10.0.0.1",
            ],
        );
    }
    let msg = env.fails(
        4,
        &[
            "ua",
            "login",
            "--client-id",
            &client_id,
            "--client-secret",
            &s(&sec, "client_secret"),
            "--ip",
            "10.0.0.1",
        ],
    );
    assert!(msg.contains("locked"), "{msg}");
}

#[test]
fn ua_resolve_ip_walks_forwarded_for_from_the_right() {
    let env = Env::init();
    let r = env.ok(&[
        "ua",
        "resolve-ip",
        "--peer",
        "10.0.0.1",
        "--forwarded-for",
        "6.6.6.6, 198.51.100.7, 10.0.0.2",
        "--trusted-proxies",
        "10.0.0.0/8",
    ]);
    assert_eq!(r["client_ip"], "198.51.100.7");
    let r = env.ok(&[
        "ua",
        "resolve-ip",
        "--peer",
        "::ffff:203.0.113.9",
        "--forwarded-for",
        "1.1.1.1",
    ]);
    assert_eq!(r["client_ip"], "203.0.113.9");
    let msg = env.fails(
        2,
        &[
            "ua",
            "resolve-ip",
            "--peer",
            "10.0.0.1",
            "--trusted-proxies",
            "10.0.0.0/99",
        ],
    );
    assert!(msg.contains("trusted_proxies"), "{msg}");
}
