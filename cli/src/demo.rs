//! `credcycle demo [--keep DIR]`: a narrated tour of every capability on a
//! fresh store, run in-process, that checks each step and reports
//! `ok  <step>` or `FAIL <step>: <why>`.
//!
//! The store is built by the same code as `credcycle init` in a temporary
//! directory (or in DIR with `--keep`, to explore it afterwards with the
//! other commands). Purging after the deletion window needs time to pass:
//! that part runs on a second engine over the same store whose clock is a
//! [`ManualClock`].

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use credcycle::secrets::{
    CreateSecret, Label, NewValue, SecretMetadata, SecretState, Secrets, UpdateSecret,
    VersionSelector,
};
use credcycle::{
    Clock, Engine, ErrorCode, ErrorKind, KeyAlgorithm, KeyId, KeyPurpose, KeyState, SystemClock,
    UnixTime,
};
use serde::Serialize;

use crate::args::DemoArgs;
use crate::backend::{self, Backend, Paths};
use crate::commands::{ACTOR, Ctx};
use crate::error::CliError;
use crate::output::{Block, Output};

const SECONDS_PER_DAY: i64 = 86_400;
const NAME: &str = "demo-db-password";
const TOKEN: &str = "deploy-42";

/// A clock that stands still until told to move.
#[derive(Debug)]
pub(crate) struct ManualClock {
    now: AtomicI64,
}

impl ManualClock {
    /// A clock reading `start` (Unix seconds).
    pub(crate) fn new(start: i64) -> Self {
        ManualClock {
            now: AtomicI64::new(start),
        }
    }

    /// Moves the clock forward by `secs`.
    pub(crate) fn advance(&self, secs: i64) {
        self.now.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> UnixTime {
        UnixTime(self.now.load(Ordering::SeqCst))
    }
}

/// The outcome of one check.
#[derive(Debug, Serialize)]
struct StepView {
    step: String,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    why: Option<String>,
}

/// `demo --json`: `{checks_passed, checks_failed, steps: [{step, ok, why?}], kept_dir?}`.
#[derive(Debug, Serialize)]
struct Summary {
    checks_passed: usize,
    checks_failed: usize,
    steps: Vec<StepView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kept_dir: Option<String>,
}

/// The running tour: narration and check results.
#[derive(Debug, Default)]
struct Tour {
    lines: Vec<Block>,
    steps: Vec<StepView>,
}

type Check = Result<(), String>;

impl Tour {
    /// A line of narration.
    fn say(&mut self, text: &str) {
        self.lines.push(Block::Line(format!("\n== {text}")));
    }

    /// Runs one check and records its outcome.
    fn check(&mut self, step: &str, f: impl FnOnce() -> Check) -> bool {
        let outcome = f();
        self.record(step, outcome)
    }

    fn record(&mut self, step: &str, outcome: Check) -> bool {
        let ok = outcome.is_ok();
        self.lines.push(Block::Line(match &outcome {
            Ok(()) => format!("ok  {step}"),
            Err(why) => format!("FAIL {step}: {why}"),
        }));
        self.steps.push(StepView {
            step: step.to_owned(),
            ok,
            why: outcome.err(),
        });
        ok
    }
}

/// Runs the tour.
///
/// # Errors
/// Only when the demo directory cannot be made; a failed check is reported
/// in the output and makes the command exit 1.
pub(crate) fn run(ctx: &Ctx, args: &DemoArgs) -> Result<Output, CliError> {
    let (temp, dir) = match &args.keep {
        Some(d) => {
            fs::create_dir_all(d).map_err(|e| CliError::io("keep", "create", d, &e))?;
            (None, d.clone())
        }
        None => {
            let t = tempfile::Builder::new()
                .prefix("credcycle-demo-")
                .tempdir()
                .map_err(|e| CliError::io("demo", "create", &std::env::temp_dir(), &e))?;
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    };
    let paths = Paths {
        db: dir.join("credcycle.db"),
        root_key_file: dir.join("credcycle.key"),
    };
    let mut tour = Tour::default();
    tour.lines.push(Block::Line(format!(
        "credcycle demo: a fresh store in {}",
        dir.display()
    )));
    steps(&mut tour, &paths, &ctx.tenant);
    // Removing the temporary store is best effort; the results stand either way.
    if let Some(t) = temp {
        let _ = t.close();
    }

    let failed = tour.steps.iter().filter(|s| !s.ok).count();
    let passed = tour.steps.len() - failed;
    let kept_dir = args.keep.as_ref().map(|_| dir.display().to_string());
    let mut human = tour.lines;
    human.push(Block::Line(String::new()));
    if let Some(d) = &kept_dir {
        human.push(Block::Line(format!(
            "the store is kept in {d}; explore it with \
             `credcycle --db {d}/credcycle.db --root-key-file {d}/credcycle.key secret show {NAME}` \
             (the demo secret is purged at the end; its audit trail remains)"
        )));
    }
    human.push(Block::Line(format!(
        "demo: {passed} checks passed, {failed} failed"
    )));
    let summary = Summary {
        checks_passed: passed,
        checks_failed: failed,
        steps: tour.steps,
        kept_dir,
    };
    let mut out = Output::new(&summary, human)?;
    if failed > 0 {
        out.failure = Some(CliError::new(
            ErrorCode::Internal,
            format!("demo: {failed} checks failed"),
        ));
    }
    Ok(out)
}

/// The tour proper. Stops early only when there is nothing left to check
/// (the store could not be created).
fn steps(t: &mut Tour, paths: &Paths, tenant: &str) {
    t.say("init: a root key file (mode 0600), a SQLite store and the default wrap key");
    let backend = match backend::init(paths) {
        Ok(b) => b,
        Err(e) => {
            t.record("init creates the store", Err(e.to_string()));
            return;
        }
    };
    let opened = backend
        .engine(Arc::new(SystemClock))
        .and_then(|e| Ok((e.secrets(tenant)?.with_actor(ACTOR), e)));
    let (s, engine) = match opened {
        Ok(x) => x,
        Err(e) => {
            t.record("init creates the store", Err(e.to_string()));
            return;
        }
    };
    t.check("init creates the root key file with mode 0600", || {
        let meta = fs::metadata(&paths.root_key_file).map_err(|e| e.to_string())?;
        let mode = meta.permissions().mode() & 0o777;
        ensure(mode == 0o600, || format!("mode is {mode:04o}"))?;
        ensure(meta.len() == 65, || {
            format!("{} bytes, expected 64 hex digits and a newline", meta.len())
        })
    });
    let default_key = engine.policy().default_kms_key.clone();
    t.check("init creates the default wrap key", || {
        let info = ok(engine.keys().key_info(&default_key).map_err(Into::into))?
            .ok_or("the default key is missing")?;
        ensure(
            info.purpose == KeyPurpose::Wrap
                && info.state == KeyState::Enabled
                && info.primary_version == 1,
            || format!("{info:?}"),
        )
    });

    let mut values: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
    secrets_and_versions(t, &s, &mut values);
    keys_and_rewrap(t, &engine, &s, &mut values);
    rotation(t, &s, &mut values);
    states(t, &s, &values);
    purge(t, &backend, &s, tenant);

    t.say("audit: every change appended an event to a hash chain");
    t.check(
        "the secret's audit chain verifies (chain_valid), every event by `cli`",
        || {
            let trail = ok(engine
                .audit(tenant)
                .and_then(|a| a.events(&format!("secret:{NAME}"))))?;
            ensure(trail.chain_valid, || "chain_valid is false".to_owned())?;
            ensure(trail.events.iter().all(|e| e.actor == ACTOR), || {
                "an event has another actor".to_owned()
            })?;
            for action in [
                "secret.create",
                "secret.put_value",
                "secret.update",
                "secret.rewrap",
                "secret.rotation.finish",
                "secret.freeze",
                "secret.restore",
                "secret.purge",
            ] {
                ensure(trail.events.iter().any(|e| e.action == action), || {
                    format!("no {action} event")
                })?;
            }
            Ok(())
        },
    );
}

fn secrets_and_versions(t: &mut Tour, s: &Secrets, values: &mut BTreeMap<u64, Vec<u8>>) {
    t.say("secrets: a secret, versions v1..v3, labels CURRENT and PREVIOUS, idempotent puts");
    t.check("secret create: v1 CURRENT, under the default key", || {
        let v1 = b"correct horse v1".to_vec();
        let m = ok(s.create(
            CreateSecret::new(NAME)
                .value(NewValue::bytes(v1.clone()))
                .description("the demo's database password"),
        ))?;
        values.insert(1, v1);
        ensure(
            m.state == SecretState::Enabled
                && m.kms_key_id.as_str() == "default"
                && labels(&m, 1) == ["CURRENT"],
            || format!("unexpected metadata {m:?}"),
        )
    });
    t.check("secret put: v2 becomes CURRENT, v1 PREVIOUS", || {
        let v2 = b"correct horse v2".to_vec();
        let n = ok(s.put_value(NAME, NewValue::bytes(v2.clone()), None))?;
        values.insert(n, v2);
        ensure(n == 2, || format!("wrote v{n}"))?;
        let m = ok(s.get(NAME))?;
        ensure(
            labels(&m, 2) == ["CURRENT"] && labels(&m, 1) == ["PREVIOUS"],
            || labels_of(&m),
        )
    });
    t.check(
        "secret put --idempotency-token: v3 CURRENT, v2 PREVIOUS, v1 unlabelled",
        || {
            let v3 = b"correct horse v3".to_vec();
            let n = ok(s.put_value(NAME, NewValue::bytes(v3.clone()), Some(TOKEN)))?;
            values.insert(n, v3);
            ensure(n == 3, || format!("wrote v{n}"))?;
            let m = ok(s.get(NAME))?;
            ensure(
                labels(&m, 3) == ["CURRENT"]
                    && labels(&m, 2) == ["PREVIOUS"]
                    && labels(&m, 1).is_empty(),
                || labels_of(&m),
            )
        },
    );
    t.check(
        "the same token and value again returns v3 and writes nothing",
        || {
            let n = ok(s.put_value(
                NAME,
                NewValue::bytes(b"correct horse v3".to_vec()),
                Some(TOKEN),
            ))?;
            ensure(n == 3, || format!("returned v{n}"))?;
            let m = ok(s.get(NAME))?;
            ensure(m.versions.len() == 3, || {
                format!("{} versions", m.versions.len())
            })
        },
    );
    t.check("the same token with another value is a conflict", || {
        refused(
            s.put_value(
                NAME,
                NewValue::bytes(b"something else".to_vec()),
                Some(TOKEN),
            ),
            ErrorKind::Conflict,
            &["idempotency"],
        )
    });
    t.check("secret get --version vN returns each value written", || {
        all_decrypt(s, values)
    });
}

fn keys_and_rewrap(
    t: &mut Tour,
    engine: &Engine,
    s: &Secrets,
    values: &mut BTreeMap<u64, Vec<u8>>,
) {
    t.say("KMS keys: new versions under k2 while old versions keep their key; rotate; rewrap");
    let k2 = match KeyId::new("k2") {
        Ok(k) => k,
        Err(e) => {
            t.record("kms key create k2", Err(e.to_string()));
            return;
        }
    };
    let keys = engine.keys();
    t.check("kms key create k2 (aes256gcm, version 1)", || {
        let info = ok(keys
            .create_key(&k2, KeyAlgorithm::Aes256Gcm)
            .map_err(Into::into))?;
        ensure(
            info.primary_version == 1 && info.state == KeyState::Enabled,
            || format!("{info:?}"),
        )
    });
    t.check(
        "secret update --kms-key k2 changes metadata only (v1..v3 stay under default)",
        || {
            let m = ok(s.update(
                NAME,
                UpdateSecret {
                    kms_key_id: Some(k2.clone()),
                    description: None,
                },
            ))?;
            ensure(m.kms_key_id == k2, || {
                format!("kms_key_id is {}", m.kms_key_id)
            })?;
            ensure(
                m.versions.len() == 3
                    && m.versions
                        .iter()
                        .all(|v| v.kms_key_id.as_str() == "default"),
                || keys_of(&m),
            )
        },
    );
    t.check("secret put: v4 is wrapped by k2, v1..v3 by default", || {
        let v4 = b"battery staple v4".to_vec();
        let n = ok(s.put_value(NAME, NewValue::bytes(v4.clone()), None))?;
        values.insert(n, v4);
        ensure(n == 4, || format!("wrote v{n}"))?;
        let m = ok(s.get(NAME))?;
        ensure(
            m.versions.iter().all(|v| {
                let want = if v.number == 4 { "k2" } else { "default" };
                v.kms_key_id.as_str() == want && v.kms_key_version == 1
            }),
            || keys_of(&m),
        )
    });
    t.check(
        "every version decrypts with the key that wrapped it",
        || all_decrypt(s, values),
    );
    t.check(
        "a description over 2048 bytes is refused, naming description and 2048",
        || {
            refused(
                s.update(
                    NAME,
                    UpdateSecret {
                        kms_key_id: None,
                        description: Some("d".repeat(2049)),
                    },
                ),
                ErrorKind::InvalidInput,
                &["description", "2048"],
            )
        },
    );
    t.check("kms key rotate k2: primary version 2", || {
        let info = ok(keys.rotate_key(&k2).map_err(Into::into))?;
        ensure(info.primary_version == 2 && info.versions == 2, || {
            format!("{info:?}")
        })
    });
    t.check(
        "secret rewrap: every version under k2's primary version (2)",
        || {
            let r = ok(s.rewrap(NAME))?;
            ensure(r.rewrapped == 4 && r.unchanged == 0, || format!("{r:?}"))?;
            let m = ok(s.get(NAME))?;
            ensure(
                m.versions
                    .iter()
                    .all(|v| v.kms_key_id == k2 && v.kms_key_version == 2),
                || keys_of(&m),
            )
        },
    );
    t.check("every version still decrypts to what was written", || {
        all_decrypt(s, values)
    });
    t.check(
        "kms key disable k2: new versions refused (DISABLED), existing ones still read",
        || {
            ok(keys
                .set_key_state(&k2, KeyState::Disabled)
                .map_err(Into::into))?;
            refused(
                s.put_value(NAME, NewValue::bytes(b"refused".to_vec()), None),
                ErrorKind::State,
                &["DISABLED"],
            )?;
            all_decrypt(s, values)
        },
    );
    t.check("kms key enable k2", || {
        let info = ok(keys
            .set_key_state(&k2, KeyState::Enabled)
            .map_err(Into::into))?;
        ensure(info.state == KeyState::Enabled, || format!("{info:?}"))
    });
}

fn rotation(t: &mut Tour, s: &Secrets, values: &mut BTreeMap<u64, Vec<u8>>) {
    t.say("two-phase rotation: begin writes PENDING, finish promotes it, cancel drops it");
    t.check(
        "secret rotate begin --generate 32: v5 PENDING, CURRENT stays v4",
        || {
            let n = ok(s.begin_rotation(NAME, NewValue::Generate(32)))?;
            ensure(n == 5, || format!("wrote v{n}"))?;
            let m = ok(s.get(NAME))?;
            ensure(
                labels(&m, 5) == ["PENDING"] && labels(&m, 4) == ["CURRENT"],
                || labels_of(&m),
            )?;
            let current = ok(s.get_value(NAME, None))?;
            ensure(current.version == 4, || {
                format!("CURRENT is v{}", current.version)
            })?;
            let pending = ok(s.get_value(NAME, Some(VersionSelector::Label(Label::Pending))))?;
            ensure(pending.value.len() == 32, || {
                format!("{} bytes generated", pending.value.len())
            })?;
            values.insert(5, pending.value.expose().to_vec());
            Ok(())
        },
    );
    t.check("secret rotate finish: v5 CURRENT, v4 PREVIOUS", || {
        let m = ok(s.finish_rotation(NAME))?;
        ensure(
            labels(&m, 5) == ["CURRENT"] && labels(&m, 4) == ["PREVIOUS"],
            || labels_of(&m),
        )
    });
    t.check(
        "secret rotate begin, a second begin is refused, cancel drops v6",
        || {
            let n = ok(s.begin_rotation(NAME, NewValue::bytes(b"abandoned v6".to_vec())))?;
            ensure(n == 6, || format!("wrote v{n}"))?;
            refused(
                s.begin_rotation(NAME, NewValue::Generate(16)),
                ErrorKind::Conflict,
                &["rotation"],
            )?;
            let m = ok(s.cancel_rotation(NAME))?;
            ensure(
                m.versions.iter().all(|v| v.number != 6)
                    && m.version_with(Label::Pending).is_none(),
                || labels_of(&m),
            )?;
            let current = ok(s.get_value(NAME, None))?;
            ensure(current.version == 5, || {
                format!("CURRENT is v{}", current.version)
            })
        },
    );
}

fn states(t: &mut Tour, s: &Secrets, values: &BTreeMap<u64, Vec<u8>>) {
    t.say("states: DISABLED, FROZEN, PENDING_DELETE and back");
    t.check(
        "secret disable: value reads refused (DISABLED), metadata readable",
        || {
            ok(s.disable(NAME))?;
            refused(s.get_value(NAME, None), ErrorKind::State, &["DISABLED"])?;
            let m = ok(s.get(NAME))?;
            ensure(m.state == SecretState::Disabled, || m.state.to_string())
        },
    );
    t.check("secret enable: values readable again", || {
        ok(s.enable(NAME))?;
        ok(s.get_value(NAME, None)).map(|_| ())
    });
    t.check(
        "secret freeze: update, put and get refused naming FROZEN",
        || {
            ok(s.freeze(NAME))?;
            refused(
                s.update(
                    NAME,
                    UpdateSecret {
                        kms_key_id: None,
                        description: Some("changed".into()),
                    },
                ),
                ErrorKind::State,
                &["FROZEN"],
            )?;
            refused(
                s.put_value(NAME, NewValue::bytes(b"refused".to_vec()), None),
                ErrorKind::State,
                &["FROZEN"],
            )?;
            refused(s.get_value(NAME, None), ErrorKind::State, &["FROZEN"])?;
            ok(s.get(NAME)).map(|_| ())
        },
    );
    t.check("secret unfreeze: ENABLED again", || {
        let m = ok(s.unfreeze(NAME))?;
        ensure(m.state == SecretState::Enabled, || m.state.to_string())?;
        ok(s.get_value(NAME, None)).map(|_| ())
    });
    t.check(
        "secret delete --window-days 7: PENDING_DELETE, due in 7 days",
        || {
            let before = SystemClock.now().0;
            let m = ok(s.schedule_delete(NAME, Some(7)))?;
            let after = SystemClock.now().0;
            ensure(m.state == SecretState::PendingDelete, || {
                m.state.to_string()
            })?;
            let due = m.scheduled_delete_time.map_or(0, |t| t.0);
            ensure(
                (before + 7 * SECONDS_PER_DAY..=after + 7 * SECONDS_PER_DAY).contains(&due),
                || format!("scheduled_delete_time is {due}"),
            )
        },
    );
    t.check(
        "pending delete: put, get and update refused naming PENDING_DELETE; show works",
        || {
            refused(
                s.put_value(NAME, NewValue::bytes(b"refused".to_vec()), None),
                ErrorKind::State,
                &["PENDING_DELETE"],
            )?;
            refused(
                s.get_value(NAME, None),
                ErrorKind::State,
                &["PENDING_DELETE"],
            )?;
            refused(
                s.update(
                    NAME,
                    UpdateSecret {
                        kms_key_id: None,
                        description: Some("changed".into()),
                    },
                ),
                ErrorKind::State,
                &["PENDING_DELETE"],
            )?;
            ok(s.get(NAME)).map(|_| ())
        },
    );
    t.check("secret restore: ENABLED, every version intact", || {
        let m = ok(s.restore(NAME))?;
        ensure(
            m.state == SecretState::Enabled && m.scheduled_delete_time.is_none(),
            || format!("{} {:?}", m.state, m.scheduled_delete_time),
        )?;
        all_decrypt(s, values)
    });
}

fn purge(t: &mut Tour, backend: &Backend, s: &Secrets, tenant: &str) {
    t.say("purge: due after the window (a second engine on the same store, with a manual clock)");
    let mut due = None;
    t.check("secret delete again; purge-due now purges nothing", || {
        let m = ok(s.schedule_delete(NAME, Some(7)))?;
        due = m.scheduled_delete_time;
        let purged = ok(s.purge_due())?;
        ensure(purged.is_empty(), || format!("purged {purged:?}"))
    });
    t.check(
        "purge-due one second before the deletion time purges nothing; at it, the secret",
        || {
            let due = due.ok_or("no scheduled_delete_time")?;
            let clock = Arc::new(ManualClock::new(due.0 - 1));
            let later = backend.engine(clock.clone()).map_err(|e| e.to_string())?;
            let later = ok(later.secrets(tenant))?.with_actor(ACTOR);
            let purged = ok(later.purge_due())?;
            ensure(purged.is_empty(), || format!("early: purged {purged:?}"))?;
            clock.advance(1);
            let purged = ok(later.purge_due())?;
            ensure(purged == [NAME], || format!("purged {purged:?}"))?;
            refused(s.get(NAME), ErrorKind::NotFound, &["secret"])
        },
    );
}

// ---- check helpers --------------------------------------------------------

fn ok<T>(r: credcycle::Result<T>) -> Result<T, String> {
    r.map_err(|e| format!("unexpected error: {e}"))
}

fn ensure(cond: bool, why: impl FnOnce() -> String) -> Check {
    if cond { Ok(()) } else { Err(why()) }
}

/// `r` must be refused with `kind`, by a message naming each of `needles`.
fn refused<T>(r: credcycle::Result<T>, kind: ErrorKind, needles: &[&str]) -> Check {
    match r {
        Ok(_) => Err(format!("allowed, expected a {} error", kind.as_str())),
        Err(e) if e.kind() != kind => Err(format!(
            "refused as {} ({e}), expected {}",
            e.kind().as_str(),
            kind.as_str()
        )),
        Err(e) => {
            let msg = e.to_string();
            match needles.iter().find(|n| !msg.contains(*n)) {
                Some(n) => Err(format!("message {msg:?} does not name {n}")),
                None => Ok(()),
            }
        }
    }
}

/// Every version in `values` reads back as written.
fn all_decrypt(s: &Secrets, values: &BTreeMap<u64, Vec<u8>>) -> Check {
    for (n, want) in values {
        let got = ok(s.get_value(NAME, Some(VersionSelector::Number(*n))))?;
        ensure(
            got.version == *n && got.value.expose() == want.as_slice(),
            || format!("v{n} reads back differently"),
        )?;
    }
    Ok(())
}

fn labels(m: &SecretMetadata, n: u64) -> Vec<&'static str> {
    m.versions
        .iter()
        .find(|v| v.number == n)
        .map(|v| v.labels.iter().map(|l| l.as_str()).collect())
        .unwrap_or_default()
}

fn labels_of(m: &SecretMetadata) -> String {
    let parts: Vec<String> = m
        .versions
        .iter()
        .map(|v| format!("{}={:?}", v.id(), labels(m, v.number)))
        .collect();
    format!("labels: {}", parts.join(" "))
}

fn keys_of(m: &SecretMetadata) -> String {
    let parts: Vec<String> = m
        .versions
        .iter()
        .map(|v| format!("{}={}/{}", v.id(), v.kms_key_id, v.kms_key_version))
        .collect();
    format!("keys: {}", parts.join(" "))
}
