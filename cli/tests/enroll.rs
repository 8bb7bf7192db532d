//! End-to-end tests of `credcycle ca …` and `credcycle enroll …`: each test
//! gets its own temporary directory holding the database and root key.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

struct Env {
    dir: tempfile::TempDir,
}

struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

impl Env {
    fn init() -> Self {
        let env = Env {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        let r = env.run(&["init"], None);
        assert_eq!(r.code, 0, "init failed: {}", r.stderr);
        env
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Run {
        let mut c = Command::new(env!("CARGO_BIN_EXE_credcycle"));
        c.arg("--db")
            .arg(self.path("test.db"))
            .arg("--root-key-file")
            .arg(self.path("test.key"))
            .env_remove("CREDCYCLE_DB")
            .env_remove("CREDCYCLE_ROOT_KEY_FILE")
            .current_dir(self.dir.path())
            .args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().expect("spawn credcycle");
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(input)
                .expect("write stdin");
        }
        let out = child.wait_with_output().expect("wait");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: out.stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn ok_json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let r = self.run(&all, None);
        assert_eq!(r.code, 0, "{args:?} failed: {}", r.stderr);
        serde_json::from_slice(&r.stdout).expect("one JSON object")
    }

    /// Expects exit `code`; returns the JSON error message.
    fn fails(&self, code: i32, args: &[&str]) -> String {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let r = self.run(&all, None);
        assert_eq!(r.code, code, "{args:?}: stderr {}", r.stderr);
        assert!(r.stdout.is_empty());
        let v: Value = serde_json::from_str(r.stderr.trim_end()).expect("JSON error");
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    fn keygen(&self, stem: &str) -> (String, String) {
        let key = self.path(&format!("{stem}.key.pem"));
        let csr = self.path(&format!("{stem}.csr.pem"));
        self.ok_json(&[
            "enroll",
            "keygen",
            "--key-file",
            s(&key),
            "--csr-file",
            s(&csr),
        ]);
        (s(&key).to_owned(), s(&csr).to_owned())
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn ca_init_enroll_csr_extend_and_verify() {
    let env = Env::init();
    // No CA yet: enrollment is refused with a state error (exit 4).
    let ca = env.ok_json(&["ca", "init", "--trust-domain", "test.example"]);
    assert_eq!(ca["trust_domain"], "test.example");
    let bundle = env.ok_json(&["ca", "bundle"]);
    assert!(
        bundle["pem"]
            .as_str()
            .unwrap()
            .contains("BEGIN CERTIFICATE")
    );
    let p7 = env.ok_json(&["ca", "bundle", "--pkcs7"]);
    assert!(!p7["pkcs7_b64"].as_str().unwrap().is_empty());
    env.ok_json(&["identity", "create", "device-1"]);
    let e = env.ok_json(&["enroll", "ott", "device-1"]);
    let jwt = e["jwt"].as_str().unwrap().to_owned();
    assert_eq!(e["method"], "ott");
    assert_eq!(e["state"], "PENDING");
    let (_key, csr) = env.keygen("one");
    let key_mode = std::fs::metadata(env.path("one.key.pem")).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(key_mode.permissions().mode() & 0o777, 0o600);
    let cert_file = env.path("one.cert.pem");
    let c = env.ok_json(&[
        "enroll",
        "csr",
        "--token",
        &jwt,
        "--csr-file",
        &csr,
        "--cert-out",
        s(&cert_file),
    ]);
    for f in [
        "identity_id",
        "authenticator_id",
        "certificate_pem",
        "chain_pem",
    ] {
        assert!(c[f].is_string(), "{f} in {c}");
    }
    // The token works once: exit 4, "already used".
    let m = env.fails(4, &["enroll", "csr", "--token", &jwt, "--csr-file", &csr]);
    assert!(m.contains("already used"), "{m}");
    // A token from stdin works the same way (here: an unknown one, exit 5).
    let r = env.run(
        &[
            "--json",
            "enroll",
            "csr",
            "--token",
            "-",
            "--csr-file",
            &csr,
        ],
        Some(b"not-a-jwt\n"),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    // Extend with a new key, then verify.
    let aid = c["authenticator_id"].as_str().unwrap().to_owned();
    let (_k2, csr2) = env.keygen("two");
    let new_file = env.path("two.cert.pem");
    let n = env.ok_json(&[
        "enroll",
        "extend",
        &aid,
        "--cert-file",
        s(&cert_file),
        "--csr-file",
        &csr2,
        "--cert-out",
        s(&new_file),
    ]);
    assert_ne!(n["fingerprint"], c["fingerprint"]);
    let st = env.ok_json(&["enroll", "status", "--cert-file", s(&cert_file)]);
    assert_eq!(st["pending_fingerprint"], n["fingerprint"]);
    // Verifying with the old certificate is a verification failure (exit 5).
    env.fails(
        5,
        &[
            "enroll",
            "extend-verify",
            &aid,
            "--cert-file",
            s(&cert_file),
        ],
    );
    let v = env.ok_json(&["enroll", "extend-verify", &aid, "--cert-file", s(&new_file)]);
    assert_eq!(v["fingerprint"], n["fingerprint"]);
    assert_eq!(v["last_extend_key_changed"], true);
    // The old certificate is no longer any authenticator's (exit 5).
    env.fails(5, &["enroll", "status", "--cert-file", s(&cert_file)]);
    // Requests are visible to the client.
    let r = env.ok_json(&["enroll", "request-extend", &aid, "--key-roll"]);
    assert_eq!(r["request_key_roll"], true);
    assert_eq!(r["request_extend"], false);
}

#[test]
fn enroll_limits_and_errors_name_the_field() {
    let env = Env::init();
    env.ok_json(&["identity", "create", "device-1"]);
    // updb needs --username; ottca needs --ca (exit 2).
    let m = env.fails(2, &["enroll", "ott", "device-1", "--method", "updb"]);
    assert!(m.contains("username"), "{m}");
    let m = env.fails(2, &["enroll", "ott", "device-1", "--method", "ottca"]);
    assert!(m.contains("ca"), "{m}");
    // Without a CA, a CSR enrollment is a state error (exit 4).
    let jwt = env.ok_json(&["enroll", "ott", "device-1"])["jwt"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_k, csr) = env.keygen("one");
    let m = env.fails(4, &["enroll", "csr", "--token", &jwt, "--csr-file", &csr]);
    assert!(m.contains("WITHOUT_CA"), "{m}");
    // A second pending ott enrollment is a conflict (exit 4).
    env.fails(4, &["enroll", "ott", "device-1"]);
    // The challenge needs a UUID nonce (exit 2) and a known kid (exit 3).
    let jwks = env.ok_json(&["enroll", "jwks"]);
    let kid = jwks["keys"][0]["kid"].as_str().unwrap().to_owned();
    let m = env.fails(2, &["enroll", "challenge", "--kid", &kid, "--nonce", "abc"]);
    assert!(m.contains("nonce") && m.contains("UUID"), "{m}");
    env.fails(
        3,
        &[
            "enroll",
            "challenge",
            "--kid",
            "nope",
            "--nonce",
            "3f8b1c2e-9a4d-4e6f-8b0a-1c2d3e4f5a6b",
        ],
    );
    let c = env.ok_json(&[
        "enroll",
        "challenge",
        "--kid",
        &kid,
        "--nonce",
        "3f8b1c2e-9a4d-4e6f-8b0a-1c2d3e4f5a6b",
    ]);
    assert_eq!(c["algorithm"], "ES256");
    assert_eq!(c["kid"], kid.as_str());
    // updb enrollment end to end, password from stdin.
    let u = env.ok_json(&[
        "enroll",
        "ott",
        "device-1",
        "--method",
        "updb",
        "--username",
        "device-user",
    ]);
    let ujwt = u["jwt"].as_str().unwrap();
    let r = env.run(
        &[
            "--json",
            "enroll",
            "updb",
            "--token",
            ujwt,
            "--username",
            "device-user",
            "--password-stdin",
        ],
        Some(b"correct horse battery\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list = env.ok_json(&["enroll", "list", "device-1"]);
    let states: Vec<_> = list["enrollments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["method"].clone(), e["state"].clone()))
        .collect();
    assert!(states.contains(&(Value::from("updb"), Value::from("USED"))));
}
