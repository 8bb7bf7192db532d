//! End-to-end tests of the `credcycle` binary: each test gets its own
//! temporary directory holding the database and the root key file.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;

struct Env {
    dir: tempfile::TempDir,
}

struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

impl Run {
    fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON object ({e}): {:?}\nstderr: {}",
                self.stdout_str(),
                self.stderr
            )
        })
    }

    fn error_json(&self) -> Value {
        let v: Value = serde_json::from_str(self.stderr.trim_end())
            .unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {:?}", self.stderr));
        assert!(v["error"]["code"].is_u64(), "{v}");
        assert!(v["error"]["kind"].is_string(), "{v}");
        assert!(v["error"]["message"].is_string(), "{v}");
        v
    }

    fn error_message(&self) -> String {
        self.error_json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

impl Env {
    fn new() -> Self {
        Env {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A fresh directory where `init` has run.
    fn init() -> Self {
        let env = Env::new();
        let r = env.run(&["init"]);
        assert_eq!(r.code, 0, "init failed: {}", r.stderr);
        env
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("test.db")
    }

    fn key(&self) -> PathBuf {
        self.dir.path().join("test.key")
    }

    fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_credcycle"));
        c.arg("--db")
            .arg(self.db())
            .arg("--root-key-file")
            .arg(self.key())
            .env_remove("CREDCYCLE_DB")
            .env_remove("CREDCYCLE_ROOT_KEY_FILE")
            .current_dir(self.dir.path());
        c
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, None)
    }

    fn run_with_stdin(&self, args: &[&str], stdin: Option<&[u8]>) -> Run {
        let mut c = self.command();
        c.args(args)
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
        let out: Output = child.wait_with_output().expect("wait");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: out.stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs with `--json`, expects success, returns the object.
    fn ok_json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let r = self.run(&all);
        assert_eq!(r.code, 0, "{args:?} failed: {}", r.stderr);
        r.json()
    }

    /// Runs with `--json`, expects exit `code`, returns the error message.
    fn fails(&self, code: i32, args: &[&str]) -> String {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let r = self.run(&all);
        assert_eq!(r.code, code, "{args:?}: stderr {}", r.stderr);
        assert!(
            r.stdout.is_empty(),
            "stdout on failure: {:?}",
            r.stdout_str()
        );
        r.error_message()
    }

    fn value(&self, name: &str, version: &str) -> Vec<u8> {
        let v = self.ok_json(&["secret", "get", name, "--version", version]);
        assert_eq!(v["name"], name);
        assert_eq!(v["version"], version);
        BASE64
            .decode(v["value_b64"].as_str().expect("value_b64"))
            .expect("base64")
    }
}

fn versions(meta: &Value) -> Vec<Value> {
    meta["versions"].as_array().expect("versions").clone()
}

// ---- acceptance checks ----------------------------------------------------

#[test]
fn description_over_2048_bytes_exits_2_naming_field_and_limit() {
    let env = Env::init();
    env.ok_json(&["secret", "create", "X", "--value", "v1"]);
    let long = "é".repeat(1024) + "x"; // 2049 bytes, 1025 characters
    let msg = env.fails(2, &["secret", "update", "X", "--description", &long]);
    assert!(msg.contains("description"), "{msg}");
    assert!(msg.contains("2048"), "{msg}");
    let r = env.run(&["--json", "secret", "update", "X", "--description", &long]);
    let err = r.error_json();
    assert_eq!(err["error"]["kind"], "invalid_input");
    assert_eq!(err["error"]["code"], 1004);
    // Exactly 2048 bytes is fine.
    let meta = env.ok_json(&["secret", "update", "X", "--description", &"d".repeat(2048)]);
    assert_eq!(meta["description"].as_str().map(str::len), Some(2048));
}

#[test]
fn update_kms_key_then_put_keeps_old_versions_under_old_key() {
    let env = Env::init();
    env.ok_json(&["secret", "create", "X", "--value", "one"]);
    env.ok_json(&["secret", "put", "X", "--value", "two"]);
    // A value may start with '-'.
    env.ok_json(&["secret", "create", "DASH", "--value", "-starts-with-a-dash"]);
    assert_eq!(env.value("DASH", "v1"), b"-starts-with-a-dash");
    let k2 = env.ok_json(&["kms", "key", "create", "k2"]);
    assert_eq!(k2["name"], "k2");
    assert_eq!(k2["purpose"], "wrap");
    assert_eq!(k2["alg"], "aes256gcm");
    assert_eq!(k2["primary_version"], 1);
    let meta = env.ok_json(&["secret", "update", "X", "--kms-key", "k2"]);
    assert_eq!(meta["kms_key_id"], "k2");
    let put = env.ok_json(&["secret", "put", "X", "--value", "three"]);
    assert_eq!(put["version"], "v3");

    let show = env.ok_json(&["secret", "show", "X"]);
    let vs = versions(&show);
    assert_eq!(vs.len(), 3);
    for (v, key) in vs.iter().zip(["default", "default", "k2"]) {
        assert_eq!(v["kms_key_id"], key, "{v}");
        assert_eq!(v["kms_key_version"], 1, "{v}");
        assert!(v["create_time_unix"].is_i64(), "{v}");
    }
    assert_eq!(vs[2]["labels"], serde_json::json!(["CURRENT"]));
    assert_eq!(vs[1]["labels"], serde_json::json!(["PREVIOUS"]));
    assert_eq!(vs[0]["labels"], serde_json::json!([]));
    for (v, want) in [("v1", "one"), ("v2", "two"), ("v3", "three")] {
        assert_eq!(env.value("X", v), want.as_bytes());
    }
}

#[test]
fn frozen_secret_refuses_update_put_get_with_exit_4() {
    let env = Env::init();
    env.ok_json(&["secret", "create", "X", "--value", "frozen-value"]);
    let meta = env.ok_json(&["secret", "freeze", "X"]);
    assert_eq!(meta["state"], "FROZEN");
    for args in [
        &["secret", "update", "X", "--description", "d"][..],
        &["secret", "put", "X", "--value", "v2"][..],
        &["secret", "get", "X"][..],
    ] {
        let msg = env.fails(4, args);
        assert!(msg.contains("FROZEN"), "{args:?}: {msg}");
    }
    // Without --json too: exit 4 and a plain message naming the state.
    let r = env.run(&["secret", "get", "X"]);
    assert_eq!(r.code, 4);
    assert!(r.stderr.starts_with("credcycle: error: "), "{}", r.stderr);
    assert!(r.stderr.contains("FROZEN"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let meta = env.ok_json(&["secret", "unfreeze", "X"]);
    assert_eq!(meta["state"], "ENABLED");
    assert_eq!(env.value("X", "v1"), b"frozen-value");
}

#[test]
fn pending_delete_refuses_changes_but_show_and_restore_work() {
    let env = Env::init();
    env.ok_json(&["secret", "create", "X", "--value", "v1"]);
    let meta = env.ok_json(&["secret", "delete", "X", "--window-days", "7"]);
    assert_eq!(meta["state"], "PENDING_DELETE");
    let due = meta["scheduled_delete_time_unix"]
        .as_i64()
        .expect("due time");
    let updated = meta["update_time_unix"].as_i64().expect("update time");
    assert!((due - updated - 7 * 86_400).abs() <= 1, "{meta}");
    for args in [
        &["secret", "put", "X", "--value", "v2"][..],
        &["secret", "get", "X"][..],
        &["secret", "update", "X", "--description", "d"][..],
    ] {
        let msg = env.fails(4, args);
        assert!(msg.contains("PENDING_DELETE"), "{args:?}: {msg}");
    }
    let show = env.ok_json(&["secret", "show", "X"]);
    assert_eq!(show["state"], "PENDING_DELETE");
    let meta = env.ok_json(&["secret", "restore", "X"]);
    assert_eq!(meta["state"], "ENABLED");
    assert!(meta["scheduled_delete_time_unix"].is_null());
    assert_eq!(env.value("X", "v1"), b"v1");
    // Nothing is due yet.
    let purged = env.ok_json(&["secret", "purge-due"]);
    assert_eq!(purged["purged"], serde_json::json!([]));
}

#[test]
fn delete_window_out_of_range_exits_2() {
    let env = Env::init();
    env.ok_json(&["secret", "create", "X", "--value", "v1"]);
    let msg = env.fails(2, &["secret", "delete", "X", "--window-days", "6"]);
    assert!(msg.contains("window_days") && msg.contains("7"), "{msg}");
}

#[test]
fn demo_passes_and_prints_the_summary() {
    let env = Env::new();
    let r = env.run(&["demo"]);
    let out = r.stdout_str();
    assert_eq!(r.code, 0, "{out}\n{}", r.stderr);
    assert!(!out.contains("FAIL"), "{out}");
    let last = out.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("demo: ") && last.ends_with(" checks passed, 0 failed"),
        "{last}"
    );
    assert!(out.lines().any(|l| l.starts_with("ok  ")), "{out}");
}

#[test]
fn demo_json_reports_no_failures() {
    let env = Env::new();
    let kept = env.dir.path().join("kept");
    let r = env.run(&["demo", "--json", "--keep", kept.to_str().expect("utf-8")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["checks_failed"], 0, "{v}");
    let steps = v["steps"].as_array().expect("steps");
    assert_eq!(v["checks_passed"].as_u64(), Some(steps.len() as u64));
    assert!(steps.len() >= 20, "{v}");
    assert!(
        steps
            .iter()
            .all(|s| s["ok"] == true && s["step"].is_string())
    );
    // The kept store works with the other commands.
    let key = kept.join("credcycle.key");
    let mode = fs::metadata(&key).expect("kept key").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let mut c = Command::new(env!("CARGO_BIN_EXE_credcycle"));
    let out = c
        .arg("--json")
        .arg("--db")
        .arg(kept.join("credcycle.db"))
        .arg("--root-key-file")
        .arg(&key)
        .args(["kms", "key", "list"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keys: Value = serde_json::from_slice(&out.stdout).expect("json");
    let names: Vec<&str> = keys["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter_map(|k| k["name"].as_str())
        .collect();
    // `token-signing` is the engine's JWT key, made by the targets tour;
    // `enrollment-signing` signs enrollment JWTs and the internal CA's key is
    // `pki.<tenant>.ca.<random>` (the enrollment tour).
    assert_eq!(names.len(), 5, "{names:?}");
    assert_eq!(names[..2], ["default", "enrollment-signing"]);
    assert_eq!(names[2], "k2");
    assert!(names[3].starts_with("pki.default.ca."), "{names:?}");
    assert_eq!(names[4], "token-signing");
}

#[test]
fn init_creates_mode_0600_key_and_refuses_to_overwrite() {
    let env = Env::new();
    let v = env.ok_json(&["init"]);
    assert_eq!(v["db"], env.db().to_str().expect("utf-8"));
    assert_eq!(v["root_key_file"], env.key().to_str().expect("utf-8"));
    let meta = fs::metadata(env.key()).expect("key file");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let meta = fs::metadata(env.db()).expect("db file");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let text = fs::read_to_string(env.key()).expect("read key");
    assert_eq!(text.len(), 65);
    assert!(text.ends_with('\n'));
    assert!(text.trim_end().bytes().all(|b| b.is_ascii_hexdigit()));

    let keys = env.ok_json(&["kms", "key", "list"]);
    assert_eq!(keys["keys"][0]["name"], "default");
    assert_eq!(keys["keys"][0]["state"], "ENABLED");
    assert_eq!(keys["keys"][0]["versions"], 1);

    let msg = env.fails(4, &["init"]);
    assert!(msg.contains("already exists"), "{msg}");
    assert_eq!(fs::read_to_string(env.key()).expect("read key"), text);

    // A key file alone also blocks init (and is left untouched).
    let other = Env::new();
    fs::write(other.key(), "not a key\n").expect("write");
    let r = other.run(&["init"]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_eq!(
        fs::read_to_string(other.key()).expect("read"),
        "not a key\n"
    );
    assert!(!other.db().exists());
}

#[test]
fn not_found_exits_3() {
    let env = Env::init();
    assert!(
        env.fails(3, &["secret", "show", "nope"])
            .contains("not found")
    );
    env.fails(3, &["secret", "get", "nope"]);
    env.fails(3, &["secret", "put", "nope", "--value", "x"]);
    env.fails(3, &["kms", "key", "rotate", "nope"]);
    env.ok_json(&["secret", "create", "X", "--value", "v1"]);
    let msg = env.fails(3, &["secret", "get", "X", "--version", "v9"]);
    assert!(msg.contains("version"), "{msg}");
    env.fails(3, &["secret", "rotate", "finish", "X"]);
}

#[test]
fn postgres_store_with_db_and_bad_pkcs11_spec_exit_2() {
    // (`--store postgres://…` and `--kms pkcs11:…` themselves are tested
    // against real servers in tests/backends.rs.)
    let env = Env::new();
    let r = env.run(&["--store", "postgres://user:hunter2@db/x", "secret", "list"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not both"), "{}", r.stderr);
    assert!(!r.stderr.contains("hunter2"), "{}", r.stderr);
    let r = env.run(&["--kms", "pkcs11:token=x", "secret", "list"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("module"), "{}", r.stderr);
    let r = env.run(&["--kms", "hsm", "secret", "list"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("pkcs11:"), "{}", r.stderr);
}

// ---- more behaviour ---------------------------------------------------------

#[test]
fn store_url_sqlite_path_is_the_same_as_db() {
    let env = Env::new();
    let db = env.dir.path().join("via-url.db");
    let key = env.key();
    let url = format!("sqlite:{}", db.display());
    let key = key.to_str().expect("utf-8");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_credcycle"))
            .env_remove("CREDCYCLE_DB")
            .args(["--json", "--store", &url, "--root-key-file", key])
            .args(args)
            .output()
            .expect("run")
    };
    assert!(run(&["init"]).status.success());
    assert!(db.exists());
    assert!(
        run(&["secret", "create", "S", "--value", "x"])
            .status
            .success()
    );
    // --db and --store together are refused.
    let r = env.run(&["--store", &url, "secret", "list"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not both"), "{}", r.stderr);
}

#[test]
fn missing_or_exposed_key_file_is_refused() {
    let env = Env::new();
    let msg = env.fails(2, &["secret", "list"]);
    assert!(msg.contains("credcycle init"), "{msg}");
    assert!(msg.contains("not found"), "{msg}");

    let env = Env::init();
    fs::set_permissions(env.key(), fs::Permissions::from_mode(0o644)).expect("chmod");
    let r = env.run(&["--json", "secret", "list"]);
    assert_eq!(r.code, 2);
    let err = r.error_json();
    assert_eq!(err["error"]["kind"], "policy");
    let msg = r.error_message();
    assert!(msg.contains("0644") && msg.contains("chmod 600"), "{msg}");
    fs::set_permissions(env.key(), fs::Permissions::from_mode(0o600)).expect("chmod");
    env.ok_json(&["secret", "list"]);

    // A key file that is not a key.
    fs::write(env.key(), "zz\n").expect("write");
    let msg = env.fails(2, &["secret", "list"]);
    assert!(msg.contains("hex"), "{msg}");
    assert!(!msg.contains("zz"), "{msg}");
}

#[test]
fn wrong_root_key_is_refused() {
    let env = Env::init();
    fs::write(env.key(), format!("{}\n", "ab".repeat(32))).expect("write");
    let r = env.run(&["--json", "secret", "list"]);
    // Its own code (1207) and the verification-failed exit code, so scripts
    // can tell a wrong key file from a broken disk.
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(r.error_message().contains("root key"), "{}", r.stderr);
    assert!(r.stderr.contains("1207"), "{}", r.stderr);
}

#[test]
fn failed_init_leaves_nothing_behind() {
    let env = Env::new();
    let db = env.dir.path().join("missing-dir").join("x.db");
    let r = Command::new(env!("CARGO_BIN_EXE_credcycle"))
        .env_remove("CREDCYCLE_DB")
        .arg("--db")
        .arg(&db)
        .arg("--root-key-file")
        .arg(env.key())
        .arg("init")
        .output()
        .expect("run");
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("db: cannot create"));
    assert!(!env.key().exists());
}

#[test]
fn secret_get_errors_never_print_the_value() {
    let env = Env::init();
    let secret = "s3cr3t-VALUE-do-not-print";
    env.ok_json(&["secret", "create", "X", "--value", secret]);
    env.ok_json(&["secret", "disable", "X"]);
    for json in [true, false] {
        let mut args = vec!["secret", "get", "X"];
        if json {
            args.insert(0, "--json");
        }
        let r = env.run(&args);
        assert_eq!(r.code, 4, "{}", r.stderr);
        assert!(r.stdout.is_empty());
        assert!(!r.stderr.contains(secret), "{}", r.stderr);
        assert!(r.stderr.contains("DISABLED"), "{}", r.stderr);
    }
    let r = env.run(&["secret", "show", "X"]);
    assert_eq!(r.code, 0);
    assert!(!r.stdout_str().contains(secret));
    let r = env.run(&["--json", "secret", "list"]);
    assert!(!r.stdout_str().contains(secret));
    // A bad version selector does not echo the value either.
    env.ok_json(&["secret", "enable", "X"]);
    let r = env.run(&["--json", "secret", "get", "X", "--version", "vX"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert!(!r.stderr.contains(secret));
}

#[test]
fn json_errors_are_valid_json_on_stderr() {
    let env = Env::init();
    // Engine error.
    let r = env.run(&["--json", "secret", "show", "missing"]);
    assert_eq!(r.code, 3);
    let e = r.error_json();
    assert_eq!(e["error"]["kind"], "not_found");
    assert_eq!(e["error"]["code"], 1001);
    // Usage error (clap), --json after the command.
    let r = env.run(&["secret", "put", "X", "--json"]);
    assert_eq!(r.code, 2);
    let e = r.error_json();
    assert_eq!(e["error"]["kind"], "invalid_input");
    // Conflicting value sources.
    let r = env.run(&[
        "--json",
        "secret",
        "create",
        "X",
        "--value",
        "a",
        "--generate",
        "8",
    ]);
    assert_eq!(r.code, 2);
    r.error_json();
    // Without --json, clap's usual text and exit 2.
    let r = env.run(&["secret", "frobnicate"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("frobnicate"));
}

#[test]
fn get_without_json_writes_raw_bytes() {
    let env = Env::init();
    let bytes: Vec<u8> = (0u8..=255).collect();
    let r = env.run_with_stdin(
        &["--json", "secret", "create", "B", "--value-file", "-"],
        Some(&bytes),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run(&["secret", "get", "B"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, bytes);
    let file = env.dir.path().join("value.bin");
    fs::write(&file, b"from a file\n").expect("write");
    let put = env.ok_json(&[
        "secret",
        "put",
        "B",
        "--value-file",
        file.to_str().expect("utf-8"),
    ]);
    assert_eq!(put["version"], "v2");
    assert_eq!(env.value("B", "v2"), b"from a file\n");
    let r = env.run(&["secret", "get", "B", "--label", "PREVIOUS"]);
    assert_eq!(r.stdout, bytes);
    // Generated values have the requested length.
    env.ok_json(&["secret", "put", "B", "--generate", "48"]);
    assert_eq!(env.value("B", "v3").len(), 48);
    let msg = env.fails(2, &["secret", "put", "B", "--generate", "0"]);
    assert!(msg.contains("generate"), "{msg}");
    let msg = env.fails(2, &["secret", "put", "B", "--value-file", "/nonexistent/x"]);
    assert!(msg.contains("value_file"), "{msg}");
}

#[test]
fn idempotency_token_repeats_and_conflicts() {
    let env = Env::init();
    env.ok_json(&["secret", "create", "X", "--value", "v1"]);
    let a = env.ok_json(&[
        "secret",
        "put",
        "X",
        "--value",
        "v2",
        "--idempotency-token",
        "t1",
    ]);
    let b = env.ok_json(&[
        "secret",
        "put",
        "X",
        "--value",
        "v2",
        "--idempotency-token",
        "t1",
    ]);
    assert_eq!(a["version"], "v2");
    assert_eq!(b["version"], "v2");
    let msg = env.fails(
        4,
        &[
            "secret",
            "put",
            "X",
            "--value",
            "v3",
            "--idempotency-token",
            "t1",
        ],
    );
    assert!(msg.contains("idempotency"), "{msg}");
    assert_eq!(versions(&env.ok_json(&["secret", "show", "X"])).len(), 2);
}

#[test]
fn two_phase_rotation() {
    let env = Env::init();
    env.ok_json(&["secret", "create", "X", "--value", "v1"]);
    let begun = env.ok_json(&["secret", "rotate", "begin", "X", "--value", "v2"]);
    assert_eq!(begun["version"], "v2");
    let pending = env.ok_json(&["secret", "get", "X", "--label", "PENDING"]);
    assert_eq!(pending["version"], "v2");
    let current = env.ok_json(&["secret", "get", "X"]);
    assert_eq!(current["version"], "v1");
    env.fails(4, &["secret", "rotate", "begin", "X", "--generate", "8"]);
    let meta = env.ok_json(&["secret", "rotate", "finish", "X"]);
    let vs = versions(&meta);
    assert_eq!(vs[1]["labels"], serde_json::json!(["CURRENT"]));
    assert_eq!(vs[0]["labels"], serde_json::json!(["PREVIOUS"]));
    env.ok_json(&["secret", "rotate", "begin", "X", "--generate", "8"]);
    let meta = env.ok_json(&["secret", "rotate", "cancel", "X"]);
    assert_eq!(versions(&meta).len(), 2);
}

#[test]
fn kms_rotate_then_rewrap_moves_every_version() {
    let env = Env::init();
    env.ok_json(&["secret", "create", "X", "--value", "v1"]);
    env.ok_json(&["secret", "put", "X", "--value", "v2"]);
    let k = env.ok_json(&["kms", "key", "rotate", "default"]);
    assert_eq!(k["name"], "default");
    assert_eq!(k["primary_version"], 2);
    assert_eq!(k["state"], "ENABLED");
    let r = env.ok_json(&["secret", "rewrap", "X"]);
    assert_eq!(r["rewrapped"], 2);
    assert_eq!(r["unchanged"], 0);
    let again = env.ok_json(&["secret", "rewrap", "X"]);
    assert_eq!(again["rewrapped"], 0);
    assert_eq!(again["unchanged"], 2);
    let show = env.ok_json(&["secret", "show", "X"]);
    assert!(versions(&show).iter().all(|v| v["kms_key_version"] == 2));
    assert_eq!(env.value("X", "v1"), b"v1");
    assert_eq!(env.value("X", "v2"), b"v2");

    let k = env.ok_json(&["kms", "key", "disable", "default"]);
    assert_eq!(k["state"], "DISABLED");
    let msg = env.fails(4, &["secret", "put", "X", "--value", "v3"]);
    assert!(msg.contains("DISABLED"), "{msg}");
    assert_eq!(env.value("X", "v2"), b"v2");
    let k = env.ok_json(&["kms", "key", "enable", "default"]);
    assert_eq!(k["state"], "ENABLED");
    let sign = env.ok_json(&["kms", "key", "create", "signer", "--purpose", "sign"]);
    assert_eq!(sign["purpose"], "sign");
    assert_eq!(sign["alg"], "p256");
    let msg = env.fails(2, &["secret", "update", "X", "--kms-key", "signer"]);
    assert!(msg.contains("kms_key_id"), "{msg}");
    env.fails(
        2,
        &[
            "kms",
            "key",
            "create",
            "bad",
            "--purpose",
            "wrap",
            "--alg",
            "ed25519",
        ],
    );
    env.fails(4, &["kms", "key", "create", "default"]);
    let p384 = env.ok_json(&["kms", "key", "create", "signer384", "--alg", "p384"]);
    assert_eq!(p384["purpose"], "sign");
    assert_eq!(p384["alg"], "p384");
    let msg = env.fails(2, &["kms", "key", "create", "bad", "--alg", "rsa"]);
    assert!(
        msg.contains("aes256gcm, p256, p384, ed25519"),
        "the error lists every algorithm: {msg}"
    );
}

#[test]
fn list_and_audit() {
    let env = Env::init();
    env.ok_json(&[
        "secret",
        "create",
        "b",
        "--value",
        "1",
        "--description",
        "second",
    ]);
    env.ok_json(&["secret", "create", "a", "--value", "1"]);
    let list = env.ok_json(&["secret", "list"]);
    let names: Vec<&str> = list["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["a", "b"]);
    // Tenants are separate.
    let other = env.ok_json(&["--tenant", "other", "secret", "list"]);
    assert_eq!(other["secrets"], serde_json::json!([]));

    env.ok_json(&["secret", "put", "a", "--value", "2"]);
    let trail = env.ok_json(&["audit", "secret:a", "--verify"]);
    assert_eq!(trail["chain_valid"], true);
    let events = trail["events"].as_array().expect("events");
    let actions: Vec<&str> = events.iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, ["secret.create", "secret.put_value"]);
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["seq"], i as u64 + 1);
        assert_eq!(e["actor"], "cli");
        assert_eq!(e["subject"], "secret:a");
        assert_eq!(e["outcome"], "ok");
        assert!(e["time_unix"].is_i64());
        assert!(e["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    }
    // Human output: aligned table with a header.
    let r = env.run(&["secret", "list"]);
    let out = r.stdout_str();
    assert!(out.starts_with("NAME"), "{out}");
    assert!(out.lines().count() == 3, "{out}");
    let r = env.run(&["secret", "show", "a"]);
    let out = r.stdout_str();
    assert!(out.contains("state:") && out.contains("ENABLED"), "{out}");
    assert!(out.contains("VERSION") && out.contains("CURRENT"), "{out}");
}

#[test]
fn audit_verify_exits_5_when_the_chain_is_broken() {
    use credcycle::{Op, Store, Table};

    let env = Env::init();
    env.ok_json(&["secret", "create", "X", "--value", "v1"]);
    env.ok_json(&["secret", "put", "X", "--value", "v2"]);
    assert_eq!(
        env.ok_json(&["audit", "secret:X", "--verify"])["chain_valid"],
        true
    );

    // Remove the first event behind the engine's back (through the Store).
    {
        let store = credcycle_sqlite::SqliteStore::open(env.db()).expect("open store");
        let first = b"default/secret:X/e/00000000000000000001".to_vec();
        let rec = store
            .get(Table::Audit, &first)
            .expect("get")
            .expect("the first audit event is stored under the documented key");
        store
            .commit(&[Op::Delete {
                table: Table::Audit,
                key: first,
                expect: rec.version,
            }])
            .expect("delete");
    }
    let r = env.run(&["--json", "audit", "secret:X", "--verify"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert_eq!(r.json()["chain_valid"], false);
    let err = r.error_json();
    assert_eq!(err["error"]["kind"], "verification_failed");
    // Without --verify the broken chain is reported, not an error.
    let r = env.run(&["--json", "audit", "secret:X"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.json()["chain_valid"], false);
}

#[test]
fn target_create_sign_verify_rotate_and_jwks() {
    let env = Env::init();
    let created = env.run(&[
        "--json",
        "target",
        "create",
        "orders",
        "--endpoint",
        "https://hooks.example.com/x",
        "--timeout",
        "5s",
    ]);
    assert_eq!(created.code, 0, "{}", created.stderr);
    let c = created.json();
    let id = c["id"].as_str().expect("id").to_owned();
    let key = c["signing_key"].as_str().expect("signing_key").to_owned();
    assert!(key.starts_with("whsec_"));
    assert_eq!(c["timeout_ms"], 5000);
    let body = env.dir.path().join("body.json");
    fs::write(&body, br#"{"event":"x"}"#).expect("write body");
    let signed = env.run(&[
        "--json",
        "target",
        "sign",
        &id,
        "--body-file",
        body.to_str().expect("utf-8"),
    ]);
    assert_eq!(signed.code, 0, "{}", signed.stderr);
    let s = signed.json();
    let header = s["headers"]["ZITADEL-Signature"]
        .as_str()
        .expect("header")
        .to_owned();
    assert_eq!(
        BASE64
            .decode(s["body_b64"].as_str().expect("b64"))
            .expect("b64"),
        br#"{"event":"x"}"#
    );
    let verify = |k: &str| {
        env.run(&[
            "--json",
            "target",
            "verify",
            "--key",
            k,
            "--header",
            &header,
            "--body-file",
            body.to_str().expect("utf-8"),
        ])
    };
    let ok = verify(&key);
    assert_eq!(
        (ok.code, ok.json()["valid"].as_bool()),
        (0, Some(true)),
        "{}",
        ok.stderr
    );
    let bad = verify("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    assert_eq!((bad.code, bad.json()["valid"].as_bool()), (5, Some(false)));

    // update: signing_key only with --expiration-signing-key.
    let u = env.run(&["--json", "target", "update", &id, "--name", "renamed"]);
    assert_eq!(u.code, 0, "{}", u.stderr);
    assert!(u.json().get("signing_key").is_none());
    let u = env.run(&[
        "--json",
        "target",
        "update",
        &id,
        "--expiration-signing-key",
        "1h",
    ]);
    let new_key = u.json()["signing_key"]
        .as_str()
        .expect("new key")
        .to_owned();
    assert_ne!(new_key, key);
    let s = env
        .run(&[
            "--json",
            "target",
            "sign",
            &id,
            "--body-file",
            body.to_str().expect("utf-8"),
        ])
        .json();
    assert_eq!(
        s["headers"]["ZITADEL-Signature"]
            .as_str()
            .expect("h")
            .matches("v1=")
            .count(),
        2
    );

    // Limits are named; unknown ids are not found (exit 3).
    let e = env.run(&["--json", "target", "update", &id, "--timeout", "271s"]);
    assert_eq!(e.code, 2);
    assert!(e.error_message().contains("timeout"), "{}", e.stderr);
    let e = env.run(&[
        "--json",
        "target",
        "show",
        "00000000-0000-4000-8000-000000000000",
    ]);
    assert_eq!(e.code, 3);

    let j = env.run(&["--json", "jwks"]);
    assert_eq!(j.code, 0, "{}", j.stderr);
    let keys = j.json()["keys"].as_array().expect("keys").clone();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["crv"], "P-256");
    assert_eq!(keys[0]["alg"], "ES256");
}

/// `target create --encryption-key-file`: the key is checked before
/// anything is written, so a bad PEM (or a key unfit for JWE) leaves no
/// target and no one-time signing key is lost; a good one is active at once.
#[test]
fn target_create_with_a_bad_encryption_key_creates_nothing() {
    let env = Env::init();
    let create = |pem_file: &std::path::Path| {
        env.run(&[
            "--json",
            "target",
            "create",
            "enc",
            "--endpoint",
            "https://hooks.example.com/x",
            "--payload",
            "jwe",
            "--encryption-key-file",
            pem_file.to_str().expect("utf-8"),
        ])
    };
    let bad = env.dir.path().join("bad.pem");
    let p521 = josekit::jwk::alg::ec::EcKeyPair::generate(josekit::jwk::alg::ec::EcCurve::P521)
        .expect("P-521");
    for content in [
        b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".to_vec(),
        b"not a key".to_vec(),
        p521.to_pem_public_key(),
    ] {
        fs::write(&bad, &content).expect("write pem");
        let r = create(&bad);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.error_message().starts_with("--encryption-key-file: "),
            "{}",
            r.stderr
        );
        assert!(r.stdout.is_empty(), "no signing key printed");
    }
    let list = env.ok_json(&["target", "list"]);
    assert_eq!(list["targets"].as_array().map(Vec::len), Some(0), "{list}");

    let good = env.dir.path().join("good.pem");
    let p256 = josekit::jwk::alg::ec::EcKeyPair::generate(josekit::jwk::alg::ec::EcCurve::P256)
        .expect("P-256");
    fs::write(&good, p256.to_pem_public_key()).expect("write pem");
    let r = create(&good);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let c = r.json();
    assert!(
        c["signing_key"]
            .as_str()
            .is_some_and(|k| k.starts_with("whsec_"))
    );
    let keys = c["encryption_keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["active"], true);
    assert_eq!(keys[0]["algorithm"], "ECDH-ES+A256KW");
    let list = env.ok_json(&["target", "list"]);
    assert_eq!(list["targets"].as_array().map(Vec::len), Some(1));
}

/// `target update --interrupt-on-error[=BOOL]`: kept when not given (also
/// across `--type`), applied to the current type when given alone, refused
/// by name where it cannot apply (async), with nothing changed.
#[test]
fn target_update_interrupt_on_error_is_explicit() {
    let env = Env::init();
    let c = env.ok_json(&[
        "target",
        "create",
        "t",
        "--endpoint",
        "https://hooks.example.com/x",
        "--interrupt-on-error",
    ]);
    let id = c["id"].as_str().expect("id").to_owned();
    assert_eq!(c["interrupt_on_error"], true);
    let state = |env: &Env| {
        let v = env.ok_json(&["target", "show", &id]);
        (
            v["target_type"].as_str().unwrap_or_default().to_owned(),
            v["interrupt_on_error"].as_bool(),
        )
    };
    let st = |t: &str, b: bool| (t.to_owned(), Some(b));
    // --type alone keeps the flag (it used to reset it to false).
    env.ok_json(&["target", "update", &id, "--type", "call"]);
    assert_eq!(state(&env), st("REST_CALL", true));
    // The flag alone applies to the current type (it used to be ignored).
    env.ok_json(&["target", "update", &id, "--interrupt-on-error=false"]);
    assert_eq!(state(&env), st("REST_CALL", false));
    env.ok_json(&["target", "update", &id, "--interrupt-on-error"]);
    assert_eq!(state(&env), st("REST_CALL", true));
    env.ok_json(&[
        "target",
        "update",
        &id,
        "--type",
        "webhook",
        "--interrupt-on-error=false",
    ]);
    assert_eq!(state(&env), st("REST_WEBHOOK", false));
    // Other updates leave it alone.
    env.ok_json(&["target", "update", &id, "--name", "renamed"]);
    assert_eq!(state(&env), st("REST_WEBHOOK", false));
    // Where it cannot apply: refused, naming the flag, nothing changed.
    for args in [
        vec!["--type", "async", "--interrupt-on-error"],
        vec!["--type", "async", "--interrupt-on-error=false"],
    ] {
        let mut all = vec!["target", "update", id.as_str()];
        all.extend(args);
        let m = env.fails(2, &all);
        assert!(m.contains("--interrupt-on-error"), "{m}");
        assert_eq!(state(&env), st("REST_WEBHOOK", false));
    }
    env.ok_json(&["target", "update", &id, "--type", "async"]);
    assert_eq!(state(&env), st("REST_ASYNC", false));
    let m = env.fails(2, &["target", "update", &id, "--interrupt-on-error"]);
    assert!(
        m.contains("--interrupt-on-error") && m.contains("async"),
        "{m}"
    );
    assert_eq!(state(&env), st("REST_ASYNC", false));
    // Not a boolean: a usage error.
    let r = env.run(&["target", "update", &id, "--interrupt-on-error=maybe"]);
    assert_ne!(r.code, 0);
    // And at create time too.
    let m = env.fails(
        2,
        &[
            "target",
            "create",
            "a",
            "--endpoint",
            "https://hooks.example.com/x",
            "--type",
            "async",
            "--interrupt-on-error",
        ],
    );
    assert!(m.contains("--interrupt-on-error"), "{m}");
}

// ---- identities, authentication, MFA ---------------------------------------------

/// The current TOTP code of `uri`, through `credcycle mfa code`.
fn totp_code(env: &Env, uri: &str) -> String {
    let r = env.run_with_stdin(&["--json", "mfa", "code"], Some(uri.as_bytes()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()["code"].as_str().expect("code").to_owned()
}

fn login(env: &Env, user: &str, password: &str) -> Run {
    env.run_with_stdin(
        &[
            "--json",
            "auth",
            "password",
            "--username",
            user,
            "--password-stdin",
        ],
        Some(format!("{password}\n").as_bytes()),
    )
}

#[test]
fn identity_password_login_and_mfa_flow() {
    let env = Env::init();
    let created = env.ok_json(&["identity", "create", "alice"]);
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(created["name"], "alice");
    let r = env.run_with_stdin(
        &[
            "--json",
            "authenticator",
            "password",
            "set",
            "alice",
            "--username",
            "alice-user",
            "--password-stdin",
        ],
        Some(b"correct horse battery\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["method"], "updb");
    // Passwords come from stdin only, and the policy minimum applies.
    let r = env.run_with_stdin(
        &[
            "--json",
            "authenticator",
            "password",
            "set",
            &id,
            "--username",
            "alice-user",
            "--password-stdin",
        ],
        Some(b"short\n"),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.error_message().contains("password"), "{}", r.stderr);
    let s = login(&env, "alice-user", "correct horse battery");
    assert_eq!(s.code, 0, "{}", s.stderr);
    let v = s.json();
    assert!(
        v["session_token"]
            .as_str()
            .expect("token")
            .starts_with("ccas_")
    );
    assert_eq!(
        (v["mfa_required"].as_bool(), v["mfa_complete"].as_bool()),
        (Some(false), Some(false))
    );
    assert_eq!(login(&env, "alice-user", "wrong horse battery").code, 5);

    // Enroll with QR files, verify with a computed code.
    let png = env.dir.path().join("qr.png");
    let svg = env.dir.path().join("qr.svg");
    let e = env.ok_json(&[
        "mfa",
        "enroll",
        "alice",
        "--qr-png",
        png.to_str().expect("utf-8"),
        "--qr-svg",
        svg.to_str().expect("utf-8"),
    ]);
    let uri = e["provisioning_uri"].as_str().expect("uri").to_owned();
    assert!(
        uri.starts_with("otpauth://totp/credcycle:alice?secret="),
        "{uri}"
    );
    let codes: Vec<String> = e["recovery_codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| c.as_str().expect("code").to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    let png_bytes = fs::read(&png).expect("png written");
    assert_eq!(&png_bytes[1..4], b"PNG");
    assert!(
        fs::read_to_string(&svg)
            .expect("svg written")
            .contains("<svg")
    );
    assert!(
        env.fails(4, &["mfa", "enroll", "alice"])
            .contains("mfa enrollment")
    );
    let st = env.ok_json(&["mfa", "status", "alice"]);
    assert_eq!(
        (st["enrolled"].as_bool(), st["verified"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(st["provisioning_uri"], uri.as_str());
    let code = totp_code(&env, &uri);
    assert_eq!(
        env.ok_json(&["mfa", "verify", "alice", &code])["verified"],
        true
    );
    let st = env.ok_json(&["mfa", "status", &id]);
    assert_eq!(st["verified"], true);
    assert!(st["provisioning_uri"].is_null());

    // Log in with MFA: the recovery code completes it once.
    let s = login(&env, "alice-user", "correct horse battery").json();
    assert_eq!(
        (s["mfa_required"].as_bool(), s["mfa_complete"].as_bool()),
        (Some(true), Some(false))
    );
    let token = format!("{}\n", s["session_token"].as_str().expect("token"));
    let r = env.run_with_stdin(
        &["--json", "auth", "mfa", "--code", &codes[0]],
        Some(token.as_bytes()),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["mfa_complete"], true);
    let s2 = login(&env, "alice-user", "correct horse battery").json();
    let token2 = format!("{}\n", s2["session_token"].as_str().expect("token"));
    let r = env.run_with_stdin(
        &["--json", "auth", "mfa", "--code", &codes[0]],
        Some(token2.as_bytes()),
    );
    assert_eq!(r.code, 5, "a used recovery code: {}", r.stderr);
    let r = env.run_with_stdin(&["--json", "auth", "session"], Some(token.as_bytes()));
    assert_eq!(r.json()["mfa_complete"], true);
    let r = env.run_with_stdin(&["--json", "auth", "logout"], Some(token.as_bytes()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run_with_stdin(&["--json", "auth", "session"], Some(token.as_bytes()));
    assert_eq!(r.code, 5);

    // Recovery codes need a TOTP code (the verified step is spent: exit 5).
    let r = env.run(&[
        "--json",
        "mfa",
        "recovery-codes",
        "view",
        "alice",
        "--code",
        &codes[1],
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let shown = env.ok_json(&["identity", "show", "alice"]);
    assert_eq!(shown["mfa_verified"], true);
    assert_eq!(shown["authenticators"][0]["username"], "alice-user");
    let list = env.ok_json(&["identity", "list"]);
    assert_eq!(list["identities"].as_array().map(Vec::len), Some(1));

    // Disable with a recovery code; then the identity can be deleted.
    assert_eq!(
        env.ok_json(&["mfa", "disable", "alice", "--code", &codes[2]])["disabled"],
        true
    );
    assert_eq!(env.ok_json(&["mfa", "status", "alice"])["enrolled"], false);
    env.ok_json(&["identity", "delete", "alice"]);
    assert!(
        env.fails(3, &["identity", "show", "alice"])
            .contains("identity")
    );
    let audit = env.ok_json(&["audit", &format!("identity:{id}"), "--verify"]);
    assert_eq!(audit["chain_valid"], true);
}

#[test]
fn mfa_lockout_exits_4_and_bad_identity_names_are_refused() {
    let env = Env::init();
    env.ok_json(&["identity", "create", "bob"]);
    let e = env.ok_json(&["mfa", "enroll", "bob"]);
    let uri = e["provisioning_uri"].as_str().expect("uri").to_owned();
    env.ok_json(&["mfa", "verify", "bob", &totp_code(&env, &uri)]);
    for _ in 0..5 {
        env.fails(
            5,
            &[
                "mfa",
                "disable",
                "bob",
                "--code",
                "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA",
            ],
        );
    }
    let code = e["recovery_codes"][0].as_str().expect("code").to_owned();
    assert!(
        env.fails(4, &["mfa", "disable", "bob", "--code", &code])
            .contains("locked")
    );
    assert!(env.ok_json(&["mfa", "status", "bob"])["locked_until_unix"].is_i64());
    assert!(
        env.fails(2, &["identity", "create", "a/b"])
            .contains("name")
    );
    assert!(
        env.fails(4, &["identity", "create", "bob"])
            .contains("identity")
    );
    let r = env.run_with_stdin(
        &["--json", "mfa", "code"],
        Some(b"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"),
    );
    assert_eq!(r.code, 2);
    assert!(r.error_message().contains("secret"), "{}", r.stderr);
}
