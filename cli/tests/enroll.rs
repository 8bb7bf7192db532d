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
    // Kids are base64url thumbprints and may start with '-': still a kid
    // (unknown here, exit 3), never taken for an option (exit 2).
    env.fails(
        3,
        &[
            "enroll",
            "challenge",
            "--kid",
            "-lXyz0123456789",
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

/// `cert verify`: stdout `{valid, reason, …}`, exit 0 when valid; when
/// refused the same object, exit 5 and the error on stderr.
fn cert_verify(env: &Env, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["--json", "cert", "verify"];
    all.extend_from_slice(args);
    let r = env.run(&all, None);
    assert!(
        r.code == 0 || r.code == 5,
        "{args:?}: exit {} {}",
        r.code,
        r.stderr
    );
    let v: Value = serde_json::from_slice(&r.stdout).expect("one JSON object");
    assert_eq!(v["valid"], r.code == 0, "{v}");
    if r.code == 5 {
        let e: Value = serde_json::from_str(r.stderr.trim_end()).expect("JSON error");
        assert_eq!(e["error"]["code"], 1601, "{e}");
    }
    (r.code, v)
}

/// Enrolls a new identity `name` of `tenant` with a CSR; returns the path
/// of its certificate chain (PEM).
fn enroll_device(env: &Env, tenant: &str, name: &str) -> PathBuf {
    env.ok_json(&["--tenant", tenant, "identity", "create", name]);
    let jwt = env.ok_json(&["--tenant", tenant, "enroll", "ott", name])["jwt"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_k, csr) = env.keygen(&format!("{tenant}-{name}"));
    let out = env.path(&format!("{tenant}-{name}.chain.pem"));
    env.ok_json(&[
        "--tenant",
        tenant,
        "enroll",
        "csr",
        "--token",
        &jwt,
        "--csr-file",
        &csr,
        "--cert-out",
        s(&out),
    ]);
    out
}

#[test]
fn cert_verify_checks_chains_against_the_tenant_cas_or_given_roots() {
    let env = Env::init();
    env.ok_json(&["ca", "init", "--trust-domain", "test.example"]);
    let chain = enroll_device(&env, "default", "device-1");
    let chain_pem = std::fs::read_to_string(&chain).unwrap();
    // The leaf alone in its own file, the CA as the intermediate file.
    let blocks: Vec<&str> = chain_pem
        .split_inclusive("-----END CERTIFICATE-----\n")
        .collect();
    assert_eq!(blocks.len(), 2);
    let leaf = env.path("leaf.pem");
    let ca = env.path("ca.pem");
    std::fs::write(&leaf, blocks[0]).unwrap();
    std::fs::write(&ca, blocks[1]).unwrap();

    // Valid against the engine's CAs: leaf only, leaf + chain, whole chain.
    let (_, v) = cert_verify(&env, &["--cert-file", s(&leaf)]);
    assert_eq!(v["valid"], true);
    assert_eq!(v["reason"], Value::Null);
    assert_eq!(v["anchor"], "internal");
    assert_eq!(v["depth"], 1);
    assert_eq!(v["purpose"], "client");
    assert_eq!(v["path_fingerprints"].as_array().unwrap().len(), 2);
    let (_, v2) = cert_verify(&env, &["--cert-file", s(&leaf), "--chain-file", s(&ca)]);
    assert_eq!(v2["fingerprint"], v["fingerprint"]);
    let (code, _) = cert_verify(&env, &["--cert-file", s(&chain)]);
    assert_eq!(code, 0);
    // The same against explicit roots: anchor "roots", no store needed
    // (run from a directory without one).
    let (_, r) = cert_verify(&env, &["--cert-file", s(&leaf), "--roots-file", s(&ca)]);
    assert_eq!(r["anchor"], "roots");
    let bare = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_credcycle"))
        .current_dir(bare.path())
        .env_remove("CREDCYCLE_DB")
        .env_remove("CREDCYCLE_ROOT_KEY_FILE")
        .args([
            "--json",
            "cert",
            "verify",
            "--cert-file",
            s(&leaf),
            "--roots-file",
            s(&ca),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!bare.path().join("credcycle.db").exists());

    // A certificate from another CA (tenant "other" has its own): refused,
    // exit 5, the reason names the certificate; valid in its own tenant.
    env.ok_json(&["--tenant", "other", "ca", "init"]);
    let foreign = enroll_device(&env, "other", "device-2");
    let (code, f) = cert_verify(&env, &["--cert-file", s(&foreign)]);
    assert_eq!(code, 5);
    let reason = f["reason"].as_str().unwrap();
    assert!(
        reason.contains("CN=credcycle other CA") && reason.contains("issuer is not a trust anchor"),
        "{reason}"
    );
    assert_eq!(f["anchor"], Value::Null);
    // The leaf alone names the leaf.
    let foreign_pem = std::fs::read_to_string(&foreign).unwrap();
    let foreign_leaf = env.path("foreign-leaf.pem");
    std::fs::write(
        &foreign_leaf,
        foreign_pem
            .split_inclusive("-----END CERTIFICATE-----\n")
            .next()
            .unwrap(),
    )
    .unwrap();
    let (code, f) = cert_verify(&env, &["--cert-file", s(&foreign_leaf)]);
    assert_eq!(code, 5);
    assert!(
        f["reason"].as_str().unwrap().contains("certificate 0"),
        "{f}"
    );
    let (code, _) = cert_verify(&env, &["--tenant", "other", "--cert-file", s(&foreign)]);
    assert_eq!(code, 0);
    // Against our CA as explicit roots: refused too.
    let (code, _) = cert_verify(&env, &["--cert-file", s(&foreign), "--roots-file", s(&ca)]);
    assert_eq!(code, 5);

    // --at past expiry (and before validity): refused with the reason.
    let (code, x) = cert_verify(
        &env,
        &["--cert-file", s(&leaf), "--at", "2100-01-01T00:00:00Z"],
    );
    assert_eq!(code, 5);
    assert!(x["reason"].as_str().unwrap().contains("expired"), "{x}");
    assert_eq!(x["at_unix"], 4_102_444_800_i64);
    let (code, x) = cert_verify(
        &env,
        &[
            "--cert-file",
            s(&leaf),
            "--roots-file",
            s(&ca),
            "--at",
            "2000-01-01T00:00:00Z",
        ],
    );
    assert_eq!(code, 5);
    assert!(
        x["reason"].as_str().unwrap().contains("not valid before"),
        "{x}"
    );
    let not_after = v["not_after"].as_str().unwrap().to_owned();
    let (code, _) = cert_verify(&env, &["--cert-file", s(&leaf), "--at", &not_after]);
    assert_eq!(code, 0, "valid at its notAfter");

    // --purpose server: a client certificate is refused.
    let (code, p) = cert_verify(&env, &["--cert-file", s(&leaf), "--purpose", "server"]);
    assert_eq!(code, 5);
    assert!(p["reason"].as_str().unwrap().contains("serverAuth"), "{p}");
    assert_eq!(p["purpose"], "server");
    let (code, _) = cert_verify(&env, &["--cert-file", s(&leaf), "--purpose", "any"]);
    assert_eq!(code, 0);
}

#[test]
fn cert_verify_bad_input_exits_2_naming_the_option() {
    let env = Env::init();
    env.ok_json(&["ca", "init"]);
    let chain = enroll_device(&env, "default", "device-1");
    // Missing file, not a certificate, a bad --at, a bad --purpose.
    let m = env.fails(
        2,
        &["cert", "verify", "--cert-file", s(&env.path("missing.pem"))],
    );
    assert!(m.contains("--cert-file"), "{m}");
    let junk = env.path("junk.pem");
    std::fs::write(&junk, "hello\n").unwrap();
    let m = env.fails(2, &["cert", "verify", "--cert-file", s(&junk)]);
    assert!(
        m.contains("--cert-file") && m.contains("CERTIFICATE"),
        "{m}"
    );
    let m = env.fails(
        2,
        &[
            "cert",
            "verify",
            "--cert-file",
            s(&chain),
            "--chain-file",
            s(&junk),
        ],
    );
    assert!(m.contains("--chain-file"), "{m}");
    let m = env.fails(
        2,
        &[
            "cert",
            "verify",
            "--cert-file",
            s(&chain),
            "--roots-file",
            s(&junk),
        ],
    );
    assert!(m.contains("--roots-file"), "{m}");
    let bin = env.path("bin.der");
    std::fs::write(&bin, [0x30, 0x03, 0x02, 0x01, 0x00]).unwrap();
    let m = env.fails(2, &["cert", "verify", "--cert-file", s(&bin)]);
    assert!(m.contains("--cert-file"), "{m}");
    let nonutf8 = env.path("nonutf8");
    std::fs::write(&nonutf8, [0xff, 0xfe, 0x00]).unwrap();
    let m = env.fails(2, &["cert", "verify", "--cert-file", s(&nonutf8)]);
    assert!(m.contains("neither PEM"), "{m}");
    let m = env.fails(
        2,
        &[
            "cert",
            "verify",
            "--cert-file",
            s(&chain),
            "--at",
            "yesterday",
        ],
    );
    assert!(m.contains("--at") && m.contains("RFC 3339"), "{m}");
    env.fails(
        2,
        &[
            "cert",
            "verify",
            "--cert-file",
            s(&chain),
            "--purpose",
            "email",
        ],
    );
    // DER input works as well as PEM.
    let pem = std::fs::read_to_string(&chain).unwrap();
    let body: String = pem
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    use base64::Engine as _;
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    let der_file = env.path("leaf.der");
    std::fs::write(&der_file, der).unwrap();
    let (code, v) = cert_verify(&env, &["--cert-file", s(&der_file)]);
    assert_eq!(code, 0, "{v}");
}
