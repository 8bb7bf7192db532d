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

use credcycle::identities::{AuthRequest, CreateIdentity, Subject};
use credcycle::mfa::{QrFormat, parse_provisioning_uri};
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

    /// An indented detail line under the last check.
    fn note(&mut self, text: &str) {
        self.lines.push(Block::Line(format!("      {text}")));
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
    // `--store postgres://…` / `--kms pkcs11:…` run the tour there (the
    // database must be empty: a new root key cannot open an old store).
    let paths = Paths {
        db: dir.join("credcycle.db"),
        root_key_file: dir.join("credcycle.key"),
        postgres: ctx.paths.postgres.clone(),
        pkcs11: ctx.paths.pkcs11.clone(),
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
            let hint = if paths.postgres.is_some() {
                " (demo --store postgres://… needs an empty database)"
            } else {
                ""
            };
            t.record("init creates the store", Err(format!("{e}{hint}")));
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
    if paths.local_kms() {
        t.check("init creates the root key file with mode 0600", || {
            let meta = fs::metadata(&paths.root_key_file).map_err(|e| e.to_string())?;
            let mode = meta.permissions().mode() & 0o777;
            ensure(mode == 0o600, || format!("mode is {mode:04o}"))?;
            ensure(meta.len() == 65, || {
                format!("{} bytes, expected 64 hex digits and a newline", meta.len())
            })
        });
    }
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
    targets_tour(t, &engine, tenant);
    identities_and_mfa(t, &backend, tenant);
    let sqlite_file = paths.postgres.is_none().then_some(paths.db.as_path());
    api_tokens(t, &engine, tenant, sqlite_file);
    machine_identities(t, &backend, tenant);
    enrollment_tour(t, &engine, tenant);

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

/// Identities, password login, TOTP enrollment and MFA logins, recovery
/// codes, replay and lockout, on an engine with a manual clock (so that
/// TOTP steps can pass without waiting).
fn identities_and_mfa(t: &mut Tour, backend: &Backend, tenant: &str) {
    t.say("identities: a password authenticator and an API session");
    let clock = Arc::new(ManualClock::new(SystemClock.now().0));
    let engine = match backend.engine(clock.clone()) {
        Ok(e) => e,
        Err(e) => {
            t.record("an engine for the identity steps", Err(e.to_string()));
            return;
        }
    };
    let (ids, mfa) = match engine
        .identities(tenant)
        .and_then(|i| Ok((i.with_actor(ACTOR), engine.mfa(tenant)?.with_actor(ACTOR))))
    {
        Ok(x) => x,
        Err(e) => {
            t.record("identity handles", Err(e.to_string()));
            return;
        }
    };
    const USER: &str = "demo-alice";
    const PASSWORD: &str = "correct horse battery staple";
    let mut id = String::new();
    t.check(
        "identity create + authenticator password set (argon2id, policy parameters)",
        || {
            let i = ok(ids.create(CreateIdentity::new(USER)))?;
            let a = ok(ids.set_password(&i.id, USER, PASSWORD))?;
            id = i.id;
            ensure(a.username.as_deref() == Some(USER), || format!("{a:?}"))
        },
    );
    t.check(
        "a password shorter than the policy minimum (8) is refused, naming the limit",
        || {
            refused(
                ids.set_password(&id, USER, "short"),
                ErrorKind::InvalidInput,
                &["password", "8"],
            )
        },
    );
    t.check(
        "auth password: a session; no MFA owed before enrollment",
        || {
            let s = ok(ids.authenticate(AuthRequest::password(USER, PASSWORD)))?;
            ensure(
                s.token().starts_with("ccas_") && !s.session.mfa_required,
                || format!("{:?}", s.session),
            )
        },
    );
    t.check("a wrong password is refused without detail", || {
        refused(
            ids.authenticate(AuthRequest::password(USER, "wrong horse battery")),
            ErrorKind::VerificationFailed,
            &["verification failed"],
        )
    });

    t.say("mfa enroll: otpauth:// URI, QR code (PNG 256 px), 10 recovery codes");
    let who = Subject::Identity(&id);
    let mut totp = None;
    let mut recovery: Vec<String> = Vec::new();
    t.check(
        "mfa enroll returns the URI, a 256 px PNG and 10 recovery codes",
        || {
            let e = ok(mfa.enroll(who))?;
            let uri = e.provisioning_uri.reveal();
            ensure(
                uri.starts_with(&format!("otpauth://totp/credcycle:{USER}?secret="))
                    && uri.ends_with("&issuer=credcycle&algorithm=SHA1&digits=6&period=30"),
                || "unexpected URI layout".to_owned(),
            )?;
            ensure(
                e.qr_png.get(1..4) == Some(&b"PNG"[..])
                    && e.qr_png.get(16..24) == Some(&[0, 0, 1, 0, 0, 0, 1, 0][..]),
                || "not a 256x256 PNG".to_owned(),
            )?;
            recovery = e
                .recovery_codes
                .iter()
                .map(|c| c.reveal().to_owned())
                .collect();
            totp = Some(ok(parse_provisioning_uri(uri))?.totp);
            ensure(recovery.len() == 10, || format!("{} codes", recovery.len()))
        },
    );
    let Some(totp) = totp else { return };
    t.check("a second enrollment is a conflict", || {
        refused(mfa.enroll(who), ErrorKind::Conflict, &["mfa enrollment"])
    });
    t.check(
        "compute the current code from the URI and verify: enrollment complete",
        || {
            ok(mfa.verify(who, &totp.generate(clock.as_ref())))?;
            let st = ok(mfa.status(who))?;
            ensure(st.verified && st.provisioning_uri.is_none(), || {
                format!("{st:?}")
            })?;
            refused(
                mfa.qr_code(who, QrFormat::Png),
                ErrorKind::NotFound,
                &["mfa enrollment"],
            )
        },
    );

    t.say("log in with MFA: the session can do nothing but MFA until a code is given");
    clock.advance(30);
    let mut token = String::new();
    t.check(
        "auth password now returns mfa_required, mfa_complete = false",
        || {
            let s = ok(ids.authenticate(AuthRequest::password(USER, PASSWORD)))?;
            token = s.token().to_owned();
            ensure(s.session.mfa_required && !s.session.mfa_complete, || {
                format!("{:?}", s.session)
            })
        },
    );
    t.check("the session owing MFA is refused other operations", || {
        refused(
            ids.validate_session(&token, "read secrets"),
            ErrorKind::State,
            &["mfa"],
        )
    });
    let code = totp.generate(clock.as_ref());
    t.check(
        "auth mfa with the TOTP code completes the session's MFA",
        || {
            let s = ok(mfa.authenticate_mfa(&token, &code))?;
            ensure(s.mfa_complete, || format!("{s:?}"))?;
            ok(ids.validate_session(&token, "read secrets")).map(|_| ())
        },
    );
    t.check(
        "the same code again (a replay) is refused, and audited",
        || {
            let s = ok(ids.authenticate(AuthRequest::password(USER, PASSWORD)))?;
            refused(
                mfa.authenticate_mfa(s.token(), &code),
                ErrorKind::VerificationFailed,
                &[],
            )?;
            let trail = ok(engine
                .audit(tenant)
                .and_then(|a| a.events(&format!("identity:{id}"))))?;
            ensure(
                trail.events.iter().any(|e| e.outcome == "refused: replay"),
                || "no replay event".to_owned(),
            )
        },
    );

    t.say("recovery codes: each works once, in any case, with or without dashes");
    t.check(
        "a recovery code (lower case, no dashes) completes MFA; 9 remain",
        || {
            let s = ok(ids.authenticate(AuthRequest::password(USER, PASSWORD)))?;
            let typed = recovery
                .first()
                .ok_or("no code")?
                .to_lowercase()
                .replace('-', "");
            ok(mfa.authenticate_mfa(s.token(), &typed))?;
            let st = ok(mfa.status(who))?;
            ensure(st.recovery_codes_remaining == 9, || {
                format!("{} remain", st.recovery_codes_remaining)
            })
        },
    );
    t.check(
        "the used recovery code is exhausted: a second use is refused",
        || {
            let s = ok(ids.authenticate(AuthRequest::password(USER, PASSWORD)))?;
            let used = recovery.first().ok_or("no code")?;
            refused(
                mfa.authenticate_mfa(s.token(), used),
                ErrorKind::VerificationFailed,
                &[],
            )
        },
    );

    t.say("brute force: failed codes share one counter in the store");
    t.check(
        "after 5 failures MFA is locked for 5 minutes, then works again",
        || {
            let s = ok(ids.authenticate(AuthRequest::password(USER, PASSWORD)))?;
            // One failure was counted above (the exhausted recovery code).
            for _ in 0..4 {
                refused(
                    mfa.authenticate_mfa(s.token(), "00000-00000"),
                    ErrorKind::VerificationFailed,
                    &[],
                )?;
            }
            clock.advance(30);
            let good = totp.generate(clock.as_ref());
            refused(
                mfa.authenticate_mfa(s.token(), &good),
                ErrorKind::State,
                &["locked"],
            )?;
            clock.advance(300);
            ok(mfa.authenticate_mfa(s.token(), &totp.generate(clock.as_ref()))).map(|_| ())
        },
    );
    t.check("logout: the token stops working at once", || {
        ok(ids.logout(&token))?;
        refused(
            ids.current_session(&token),
            ErrorKind::VerificationFailed,
            &[],
        )
    });
    t.check("the identity's audit chain verifies", || {
        let trail = ok(engine
            .audit(tenant)
            .and_then(|a| a.events(&format!("identity:{id}"))))?;
        ensure(trail.chain_valid, || "chain_valid is false".to_owned())?;
        for action in [
            "identity.create",
            "mfa.enroll",
            "mfa.verify",
            "mfa.authenticate",
            "auth.logout",
        ] {
            ensure(trail.events.iter().any(|e| e.action == action), || {
                format!("no {action} event")
            })?;
        }
        Ok(())
    });
}

/// A client certificate chain (PEM) from a CA that exists only in a
/// throwaway in-memory engine: a certificate no tenant trusts.
fn throwaway_ca_chain() -> credcycle::Result<String> {
    use credcycle::pki::{CertProfile, ClientKeyAlgorithm, CreateCa, Csr, generate_key_and_csr};
    use credcycle::{LocalKeyManager, MemoryStore, OsRandom};
    let store = Arc::new(MemoryStore::new());
    let rng = Arc::new(OsRandom::new());
    let root = LocalKeyManager::generate_root_key(rng.as_ref())?;
    let keys = Arc::new(LocalKeyManager::new(store.clone(), rng, root)?);
    let engine = Engine::builder().store(store).key_manager(keys).build()?;
    let pki = engine.pki("throwaway")?;
    pki.create_ca(CreateCa::new("throwaway CA", "throwaway.example"))?;
    let k = generate_key_and_csr(ClientKeyAlgorithm::P256, "stranger")?;
    let csr = Csr::parse(k.csr_pem.as_bytes())?;
    Ok(pki.issue(&csr, &CertProfile::client("stranger"))?.chain_pem)
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

/// Targets: each payload type signed and verified as a receiver would, and a
/// signing-key rotation with a grace period.
fn targets_tour(t: &mut Tour, engine: &Engine, tenant: &str) {
    use credcycle::jose::{DecryptionKey, JweOptions, Validation};
    use credcycle::targets::{
        CreateTarget, PayloadType, SignatureScheme, UpdateTarget, decrypt_jwe_body,
        verify_jwt_body, webhook,
    };
    use std::time::Duration;

    const ENDPOINT: &str = "https://hooks.example.com/credcycle";
    let payload = br#"{"event":"user.created","user":"alice"}"#;
    t.say("targets: signed webhook payloads (ZITADEL Update Target)");
    let targets = match engine.targets(tenant) {
        Ok(x) => x.with_actor(ACTOR),
        Err(e) => {
            t.record("open the targets", Err(e.to_string()));
            return;
        }
    };
    let created = match targets.create(CreateTarget::new("demo hook", ENDPOINT)) {
        Ok(c) => c,
        Err(e) => {
            t.record("create a target", Err(e.to_string()));
            return;
        }
    };
    let id = created.target.id.clone();
    let first = created.signing_key.expose().to_vec();
    t.check(
        "create returns a 32-byte signing key once, as whsec_…",
        || {
            ensure(
                first.len() == 32 && created.signing_key.reveal().starts_with("whsec_"),
                || "unexpected key form".to_owned(),
            )
        },
    );
    let now = SystemClock.now();
    let verify = |req: &credcycle::targets::SignedRequest, keys: &[&[u8]]| {
        let h = req.header("ZITADEL-Signature").unwrap_or_default();
        webhook::verify_zitadel(h, &req.body, keys, 300, now, None)
    };
    t.check(
        "JSON payload: body unchanged, ZITADEL-Signature verifies",
        || {
            let req = ok(targets.sign(&id, payload, now))?;
            ensure(req.body == payload, || "body changed".to_owned())?;
            ok(verify(&req, &[&first]).map(|_| ()))?;
            refused(
                verify(&req, &[&[0u8; 32]]),
                ErrorKind::VerificationFailed,
                &[],
            )
        },
    );
    let jwks = match engine.jose().jwks() {
        Ok(j) => j,
        Err(e) => {
            t.record("the engine's JWKS", Err(e.to_string()));
            return;
        }
    };
    let validation = Validation {
        audience: Some(ENDPOINT.to_owned()),
        issuer: Some(engine.policy().jwt_issuer.clone()),
        typ: Some("JWT".to_owned()),
        ..Validation::default()
    };
    t.check(
        "JWT payload: an ES256 JWS that verifies against the JWKS",
        || {
            ok(targets.update(
                &id,
                UpdateTarget {
                    payload_type: Some(PayloadType::Jwt),
                    ..UpdateTarget::default()
                },
            ))?;
            let req = ok(targets.sign(&id, payload, now))?;
            ok(verify(&req, &[&first]).map(|_| ()))?;
            let jwt = ok(verify_jwt_body(&req.body, &jwks, &validation, now))?;
            ensure(
                jwt.claims.get("user").and_then(|v| v.as_str()) == Some("alice"),
                || "claims lost".to_owned(),
            )
        },
    );
    t.check(
        "JWE payload: encrypted to the receiver's P-256 key, decrypts and verifies",
        || {
            let pair =
                josekit::jwk::alg::ec::EcKeyPair::generate(josekit::jwk::alg::ec::EcCurve::P256)
                    .map_err(|e| e.to_string())?;
            let public = String::from_utf8(pair.to_pem_public_key()).map_err(|e| e.to_string())?;
            let private =
                String::from_utf8(pair.to_pem_private_key()).map_err(|e| e.to_string())?;
            let info = ok(targets.add_encryption_key(&id, &public, None))?;
            ensure(
                info.active && info.fingerprint.starts_with("SHA256:"),
                || format!("{info:?}"),
            )?;
            ok(targets.update(
                &id,
                UpdateTarget {
                    payload_type: Some(PayloadType::Jwe),
                    ..UpdateTarget::default()
                },
            ))?;
            let req = ok(targets.sign(&id, payload, now))?;
            ok(verify(&req, &[&first]).map(|_| ()))?;
            let key = DecryptionKey::from_pem(&private);
            let jwt = ok(decrypt_jwe_body(
                &req.body,
                &key,
                &JweOptions::default(),
                &jwks,
                &validation,
                now,
            ))?;
            ensure(jwt.claims.get("event").is_some(), || {
                "claims lost".to_owned()
            })
        },
    );
    // The grace window is measured on the engine's clock from the update's
    // change_date, so the checks below use the returned change_date and the
    // old key's recorded expiry, never a wall-clock reading of their own.
    let mut grace_values: Vec<String> = Vec::new();
    t.check(
        "rotate with a 1h grace: two v1 signatures until the old key expires, each key alone verifies; then only the new key",
        || {
            let r = ok(targets.update(
                &id,
                UpdateTarget {
                    expiration_signing_key: Some(Duration::from_secs(3600)),
                    payload_type: Some(PayloadType::Json),
                    ..UpdateTarget::default()
                },
            ))?;
            let second = r
                .signing_key
                .ok_or("no new key returned")?
                .expose()
                .to_vec();
            let changed = r.change_date;
            let keys = ok(targets.get(&id))?.signing_keys;
            let old_expiry = keys
                .iter()
                .find_map(|k| k.expire_time)
                .ok_or_else(|| format!("no key with an expiry: {keys:?}"))?;
            ensure(old_expiry == changed.plus(3600), || {
                format!("old key expires at {old_expiry:?}, change_date {changed:?}")
            })?;
            let during = |at: UnixTime| -> Result<String, String> {
                let req = ok(targets.sign(&id, payload, at))?;
                let h = req
                    .header("ZITADEL-Signature")
                    .unwrap_or_default()
                    .to_owned();
                let verify_at = |keys: &[&[u8]]| {
                    webhook::verify_zitadel(&h, &req.body, keys, 300, at, None).map(|_| ())
                };
                ensure(h.matches("v1=").count() == 2, || format!("header {h}"))?;
                ok(verify_at(&[&first]))?;
                ok(verify_at(&[&second]))?;
                Ok(h)
            };
            // At the change and in the last second of the window.
            let h = during(changed)?;
            during(UnixTime(old_expiry.0 - 1))?;
            grace_values = h
                .split(',')
                .filter_map(|p| p.strip_prefix("v1="))
                .map(str::to_owned)
                .collect();
            // Newest first: the first value alone verifies with the new key.
            let t_part = h.split(',').next().unwrap_or_default();
            let only_first = format!("{t_part},v1={}", grace_values[0]);
            ok(
                webhook::verify_zitadel(&only_first, payload, &[&second], 300, changed, None)
                    .map(|_| ()),
            )?;
            let req = ok(targets.sign(&id, payload, old_expiry))?;
            let h = req
                .header("ZITADEL-Signature")
                .unwrap_or_default()
                .to_owned();
            ensure(h.matches("v1=").count() == 1, || {
                format!("after the window: {h}")
            })?;
            ok(
                webhook::verify_zitadel(&h, &req.body, &[&second], 300, old_expiry, None)
                    .map(|_| ()),
            )?;
            refused(
                webhook::verify_zitadel(&h, &req.body, &[&first], 300, old_expiry, None),
                ErrorKind::VerificationFailed,
                &[],
            )
        },
    );
    for (label, v) in ["new key", "old key"].iter().zip(&grace_values) {
        t.note(&format!("v1 ({label}): {v}"));
    }
    t.check(
        "Standard Webhooks scheme: webhook-id/-timestamp/-signature verify",
        || {
            let mut req = CreateTarget::new("standard hook", ENDPOINT);
            req.scheme = SignatureScheme::StandardWebhooks;
            let c = ok(targets.create(req))?;
            let signed = ok(targets.sign(&c.target.id, payload, now))?;
            let headers: Vec<(&str, &str)> = signed
                .headers
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            let key = c.signing_key.expose().to_vec();
            ok(
                webhook::verify_standard(&headers, &signed.body, &[&key], 300, now, None)
                    .map(|_| ()),
            )
        },
    );
}

// ---- API tokens and machine identities (issue 4) ----------------------------

/// `db` is the SQLite file to search for token values (none on PostgreSQL).
fn api_tokens(t: &mut Tour, engine: &Engine, tenant: &str, db: Option<&std::path::Path>) {
    use credcycle::tokens::{CreateToken, TokenRotation, TokenState, TokenType, UpdateToken};
    t.say("API tokens: prefixed values shown once, refresh rotation, reuse detection");
    let tokens = match engine.tokens(tenant) {
        Ok(x) => x.with_actor(ACTOR),
        Err(e) => {
            t.record("open the tokens of the tenant", Err(e.to_string()));
            return;
        }
    };
    let mut issued: Vec<String> = Vec::new();
    let mut created = None;
    t.check(
        "token create: a ccapi_ value and a ccrt_ refresh token, policy ALWAYS",
        || {
            let c = ok(tokens.create(CreateToken::new("demo-proxy", TokenType::Proxy)))?;
            ensure(
                c.value.reveal().starts_with("ccapi_")
                    && c.refresh_token
                        .as_ref()
                        .is_some_and(|r| r.reveal().starts_with("ccrt_"))
                    && c.token.token_rotation == TokenRotation::Always
                    && c.token.require_rotation == Some(true),
                || format!("{:?}", c.token),
            )?;
            issued.push(c.value.reveal().to_owned());
            created = Some(c);
            Ok(())
        },
    );
    let Some(c) = created else { return };
    let rt1 = c.refresh_token.as_ref().map(|r| r.reveal().to_owned());
    let mut rt2 = None;
    t.check(
        "token use accepts the value; refresh returns a new value and refresh token",
        || {
            ok(tokens.authenticate(c.value.reveal()))?;
            let r = ok(tokens.refresh(rt1.as_deref().ok_or("no refresh token")?))?;
            refused(
                tokens.authenticate(c.value.reveal()),
                ErrorKind::VerificationFailed,
                &[],
            )?;
            ok(tokens.authenticate(r.value.reveal()))?;
            let next = r.refresh_token.ok_or("ALWAYS did not rotate")?;
            issued.push(r.value.reveal().to_owned());
            issued.push(next.reveal().to_owned());
            rt2 = Some(next);
            Ok(())
        },
    );
    t.check(
        "presenting the used refresh token again revokes the whole family (RFC 9700)",
        || {
            let Err(e) = tokens.refresh(rt1.as_deref().ok_or("no refresh token")?) else {
                return Err("reuse was accepted".to_owned());
            };
            ensure(e.code() == ErrorCode::RefreshTokenReused, || e.to_string())?;
            let rt2 = rt2.as_ref().ok_or("no second refresh token")?;
            refused(tokens.refresh(rt2.reveal()), ErrorKind::State, &["REVOKED"])?;
            let now = ok(tokens.get(&c.token.id))?;
            ensure(now.state == TokenState::Revoked, || {
                format!("{:?}", now.state)
            })
        },
    );
    t.check(
        "ONCE_ON_NEXT_LOGIN: the next use returns a new value, then the policy is NEVER",
        || {
            let c = ok(tokens.create(
                CreateToken::new("demo-ext", TokenType::Extension)
                    .rotation(TokenRotation::OnceOnNextLogin),
            ))?;
            let u = ok(tokens.authenticate(c.value.reveal()))?;
            let fresh = u.rotated_value.ok_or("no rotation")?;
            ensure(
                u.token.token_rotation == TokenRotation::Never
                    && u.token.require_rotation == Some(false),
                || format!("{:?}", u.token.token_rotation),
            )?;
            refused(
                tokens.authenticate(c.value.reveal()),
                ErrorKind::VerificationFailed,
                &[],
            )?;
            let again = ok(tokens.authenticate(fresh.reveal()))?;
            issued.push(fresh.reveal().to_owned());
            ensure(again.rotated_value.is_none(), || "rotated twice".to_owned())
        },
    );
    t.check(
        "token update: expiry past the policy maximum and inconsistent rotation fields are refused",
        || {
            let c = ok(tokens.create(CreateToken::new("demo-upd", TokenType::Proxy)))?;
            let far = UpdateToken {
                expiration_time_utc: Some(UnixTime(c.token.create_time.0 + 400 * SECONDS_PER_DAY)),
                ..UpdateToken::named("demo-upd")
            };
            refused(
                tokens.update(&c.token.id, far),
                ErrorKind::InvalidInput,
                &["expiration_time_utc", "max_api_token_lifetime_secs"],
            )?;
            let clash = UpdateToken {
                token_rotation: Some(TokenRotation::Never),
                require_rotation: Some(true),
                ..UpdateToken::named("demo-upd")
            };
            refused(
                tokens.update(&c.token.id, clash),
                ErrorKind::InvalidInput,
                &["require_rotation", "token_rotation"],
            )
        },
    );
    let Some(db) = db else {
        return;
    };
    t.check(
        "the database file holds no token value (only SHA-256 digests)",
        || {
            let mut bytes = fs::read(db).map_err(|e| e.to_string())?;
            let wal = db.with_extension("db-wal");
            if let Ok(w) = fs::read(&wal) {
                bytes.extend(w);
            }
            for v in &issued {
                let body = v.split_once('_').map_or(v.as_str(), |(_, b)| b);
                ensure(
                    !bytes.windows(body.len()).any(|w| w == body.as_bytes()),
                    || "a token value was found in the database file".to_owned(),
                )?;
            }
            ensure(!issued.is_empty(), || "nothing was issued".to_owned())
        },
    );
}

fn machine_identities(t: &mut Tour, backend: &Backend, tenant: &str) {
    use credcycle::machine_auth::{
        CreateClientSecret, IpList, UniversalAuthSettings, resolve_client_ip,
    };
    use std::net::IpAddr;
    t.say(
        "machine identities: universal auth, trusted IPs, use limits, TTLs, lockout \
         (an engine with a manual clock on the same store)",
    );
    let clock = Arc::new(ManualClock::new(SystemClock.now().0));
    let ma = match backend
        .engine(clock.clone())
        .and_then(|e| Ok(e.machine_auth(tenant)?.with_actor(ACTOR)))
    {
        Ok(x) => x,
        Err(e) => {
            t.record(
                "open the machine identities of the tenant",
                Err(e.to_string()),
            );
            return;
        }
    };
    let ip = |s: &str| s.parse::<IpAddr>().map_err(|e| e.to_string());
    let mut client: Option<(String, String, String)> = None;
    t.check(
        "identity create; ua attach with trusted IPs 10.0.0.0/8, TTL 10 s, max TTL 60 s, 3 uses",
        || {
            let id = ok(ma.create_identity("demo-runner"))?.id;
            let ua = ok(ma.attach_universal_auth(
                &id,
                UniversalAuthSettings {
                    client_secret_trusted_ips: Some(vec!["10.0.0.0/8".into()]),
                    access_token_trusted_ips: Some(vec!["10.0.0.0/8".into(), "::1".into()]),
                    access_token_ttl: Some(10),
                    access_token_max_ttl: Some(60),
                    access_token_num_uses_limit: Some(3),
                    ..Default::default()
                },
            ))?;
            let s = ok(ma.create_client_secret(&id, CreateClientSecret::default()))?;
            ensure(s.secret.reveal().starts_with("cccs_"), || {
                "prefix".to_owned()
            })?;
            client = Some((id, ua.client_id, s.secret.reveal().to_owned()));
            Ok(())
        },
    );
    let Some((id, client_id, secret)) = client else {
        return;
    };
    t.check(
        "ua update --access-token-ttl 100 --access-token-max-ttl 50 is refused naming both fields",
        || {
            refused(
                ma.update_universal_auth(
                    &id,
                    UniversalAuthSettings {
                        access_token_ttl: Some(100),
                        access_token_max_ttl: Some(50),
                        ..Default::default()
                    },
                ),
                ErrorKind::InvalidInput,
                &["access_token_ttl", "access_token_max_ttl"],
            )?;
            refused(
                ma.update_universal_auth(
                    &id,
                    UniversalAuthSettings {
                        access_token_trusted_ips: Some(vec!["10.0.0.0/33".into()]),
                        ..Default::default()
                    },
                ),
                ErrorKind::InvalidInput,
                &["access_token_trusted_ips"],
            )
        },
    );
    t.check(
        "the client IP behind a trusted proxy comes from X-Forwarded-For, walked from the right",
        || {
            let proxies = ok(IpList::parse_csv("trusted_proxies", "192.0.2.0/24"))?;
            let got = resolve_client_ip(ip("192.0.2.10")?, &["6.6.6.6, 10.1.2.3"], &proxies);
            ensure(got == ip("10.1.2.3")?, || format!("resolved {got}"))?;
            let direct = resolve_client_ip(ip("203.0.113.9")?, &["10.1.2.3"], &proxies);
            ensure(direct == ip("203.0.113.9")?, || {
                format!("resolved {direct}")
            })
        },
    );
    let mut token = None;
    t.check(
        "login from outside the allow-list is refused before the secret is checked; \
         from ::ffff:10.1.2.3 (IPv4-mapped) it succeeds",
        || {
            refused(
                ma.login(&client_id, &secret, ip("203.0.113.9")?),
                ErrorKind::Policy,
                &["client_secret_trusted_ips"],
            )?;
            let g = ok(ma.login(&client_id, &secret, ip("::ffff:10.1.2.3")?))?;
            ensure(g.expires_in == 10 && g.access_token_max_ttl == 60, || {
                format!("expires_in {} max {}", g.expires_in, g.access_token_max_ttl)
            })?;
            token = Some(g.access_token.reveal().to_owned());
            Ok(())
        },
    );
    let Some(token) = token else { return };
    t.check(
        "renew at 9 s extends to 19 s; renewals stop at creation + max TTL (60 s)",
        || {
            let start = clock.now().0;
            clock.advance(9);
            let r = ok(ma.renew(&token))?;
            ensure(r.expires_at == Some(UnixTime(start + 19)), || {
                format!("{:?}", r.expires_at)
            })?;
            // 18, 27, 36, 45, 54 s: the last renewal is capped at 60 s.
            for _ in 0..5 {
                clock.advance(9);
                ok(ma.renew(&token))?;
            }
            let r = ok(ma.renew(&token))?;
            ensure(r.expires_at == Some(UnixTime(start + 60)), || {
                format!("{:?}", r.expires_at)
            })
        },
    );
    t.check(
        "access token: 3 uses succeed, the 4th is EXHAUSTED; a disallowed IP is refused",
        || {
            refused(
                ma.authenticate(&token, ip("11.0.0.1")?),
                ErrorKind::Policy,
                &["access_token_trusted_ips"],
            )?;
            for _ in 0..3 {
                ok(ma.authenticate(&token, ip("10.9.9.9")?))?;
            }
            refused(
                ma.authenticate(&token, ip("10.9.9.9")?),
                ErrorKind::State,
                &["EXHAUSTED"],
            )
        },
    );
    t.check(
        "past creation + max TTL the token is EXPIRED, renewed or not",
        || {
            clock.advance(61);
            refused(ma.renew(&token), ErrorKind::State, &["EXPIRED"])
        },
    );
    t.check(
        "lockout: 3 wrong secrets lock the identity for 300 s, even for the right secret",
        || {
            // A well-formed secret of another identity is a wrong secret here.
            let other = ok(ma.create_identity("demo-other"))?.id;
            ok(ma.attach_universal_auth(&other, UniversalAuthSettings::default()))?;
            let foreign = ok(ma.create_client_secret(&other, CreateClientSecret::default()))?;
            for _ in 0..3 {
                refused(
                    ma.login(&client_id, foreign.secret.reveal(), ip("10.1.2.3")?),
                    ErrorKind::VerificationFailed,
                    &[],
                )?;
            }
            let Err(e) = ma.login(&client_id, &secret, ip("10.1.2.3")?) else {
                return Err("not locked".to_owned());
            };
            ensure(e.code() == ErrorCode::LoginLocked, || e.to_string())?;
            clock.advance(300);
            ok(ma.login(&client_id, &secret, ip("10.1.2.3")?)).map(|_| ())
        },
    );
}

// ---- enrollment and certificates -------------------------------------------

/// A certificate chain (DER) from PEM, for the handshake steps.
fn chain_der(pem: &str) -> Result<Vec<Vec<u8>>, String> {
    credcycle::pki::parse_chain_pem(pem).map_err(|e| e.to_string())
}

fn enrollment_tour(t: &mut Tour, engine: &Engine, tenant: &str) {
    use credcycle::enrollment::{EnrollmentRequest, parse_enrollment_jwt, tls, verify_challenge};
    use credcycle::pki::{CertProfile, ClientKeyAlgorithm, CreateCa, Csr, generate_key_and_csr};

    t.say("enrollment: an internal CA, a one-time token, a CSR, mTLS, extension with a new key");
    let handles = engine.enrollment(tenant).and_then(|e| {
        Ok((
            e.with_actor(ACTOR),
            engine.identities(tenant)?.with_actor(ACTOR),
            engine.pki(tenant)?,
        ))
    });
    let (enr, ids, pki) = match handles {
        Ok(x) => x,
        Err(e) => {
            t.record("enrollment handles", Err(e.to_string()));
            return;
        }
    };
    if !t.check(
        "ca init: a P-256 CA key in the key manager and a self-signed root",
        || {
            let ca = ok(pki.create_ca(CreateCa::new("demo CA", "demo.credcycle")))?;
            ensure(ca.chain.len() == 1, || {
                format!("{} certificates", ca.chain.len())
            })
        },
    ) {
        return;
    }
    let mut id = String::new();
    let mut jwt = String::new();
    t.check(
        "enroll ott: an ES256 enrollment JWT (em, jti, sub, iss, exp = 180 min)",
        || {
            let i = ok(ids.create(CreateIdentity::new("demo-device")))?;
            let n = ok(enr.create(&i.id, EnrollmentRequest::Ott))?;
            let c = ok(parse_enrollment_jwt(n.jwt()))?;
            id = i.id;
            jwt = n.jwt().to_owned();
            ensure(
                c.sub == id && c.exp - c.iat.unwrap_or(0) == 180 * 60,
                || format!("{c:?}"),
            )
        },
    );
    t.check(
        "enroll challenge: the client checks the signed nonce and CA pool against the JWKS",
        || {
            let kid = ok(enr.current_kid())?;
            let nonce = "3f8b1c2e-9a4d-4e6f-8b0a-1c2d3e4f5a6b";
            let c = ok(enr.challenge(&kid, nonce))?;
            let jwks = ok(enr.jwks())?;
            ok(verify_challenge(&jwks, nonce, &c))?;
            ensure(c.ca_pool.contains("BEGIN CERTIFICATE"), || {
                "empty CA pool".to_owned()
            })
        },
    );
    let key1 = match generate_key_and_csr(ClientKeyAlgorithm::P256, "demo-device") {
        Ok(k) => k,
        Err(e) => {
            t.record("enroll keygen: a P-256 key and a CSR", Err(e.to_string()));
            return;
        }
    };
    let mut cert = None;
    t.check(
        "enroll csr: the token and a CSR the CLI made give a SPIFFE client certificate",
        || {
            let c = ok(enr.enroll_ott(&jwt, &key1.csr_pem))?;
            let info = ok(credcycle::pki::CertInfo::from_pem(&c.certificate_pem))?;
            let want = format!("spiffe://demo.credcycle/identity/{id}");
            let r = ensure(info.uris == [want.clone()], || {
                format!("SAN {:?}, expected {want}", info.uris)
            });
            cert = Some(c);
            r
        },
    );
    let Some(cert) = cert else { return };
    t.check("the same token again: refused, already used", || {
        refused(
            enr.enroll_ott(&jwt, &key1.csr_pem),
            ErrorKind::State,
            &["already used"],
        )
    });
    // A server identity for the in-process handshakes.
    let server = generate_key_and_csr(ClientKeyAlgorithm::P256, "localhost").and_then(|k| {
        let csr = Csr::parse(k.csr_pem.as_bytes())?;
        let c = pki.issue(
            &csr,
            &CertProfile::router_server("demo-server").dns("localhost"),
        )?;
        Ok((k, c))
    });
    let Ok((server_key, server_cert)) = server else {
        t.record(
            "a server certificate for the handshakes",
            Err("issuance failed".into()),
        );
        return;
    };
    let roots = match pki.ca() {
        Ok(ca) => ca.chain,
        Err(e) => {
            t.record("the CA bundle", Err(e.to_string()));
            return;
        }
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let handshake = |chain: &str, key: &[u8]| -> Result<(), String> {
        let server = ok(tls::server_config(
            enr.mtls_verifier(),
            chain_der(&server_cert.chain_pem)?,
            server_key.key_pkcs8_der(),
        ))?;
        let client = ok(tls::client_config(
            &roots,
            chain_der(chain)?,
            key,
            clock.clone(),
        ))?;
        tls::memory_handshake(client, server, "localhost").map_err(|e| e.to_string())
    };
    t.check(
        "mTLS in process: the issued certificate completes a handshake",
        || handshake(&cert.chain_pem, key1.key_pkcs8_der()),
    );
    let key2 = match generate_key_and_csr(ClientKeyAlgorithm::P256, "demo-device") {
        Ok(k) => k,
        Err(e) => {
            t.record("a new key for the extension", Err(e.to_string()));
            return;
        }
    };
    let who = Subject::Identity(&id);
    let mut new_cert = None;
    t.check(
        "enroll extend: a new certificate for a new key, pending; the old one still works",
        || {
            let n = ok(enr.extend(
                who,
                &cert.authenticator_id,
                &cert.certificate_pem,
                &key2.csr_pem,
            ))?;
            handshake(&cert.chain_pem, key1.key_pkcs8_der())?;
            new_cert = Some(n);
            Ok(())
        },
    );
    let Some(new_cert) = new_cert else { return };
    t.check(
        "enroll extend-verify: swapped, the key change recorded",
        || {
            let st = ok(enr.extend_verify(who, &cert.authenticator_id, &new_cert.certificate_pem))?;
            ensure(
                st.last_extend_key_changed == Some(true) && st.pending_fingerprint.is_none(),
                || format!("{st:?}"),
            )
        },
    );
    t.check("mTLS: the new certificate is accepted", || {
        handshake(&new_cert.chain_pem, key2.key_pkcs8_der())
    });
    t.check(
        "mTLS: the old certificate is refused after the swap",
        || match handshake(&cert.chain_pem, key1.key_pkcs8_der()) {
            Ok(()) => Err("the old certificate was accepted".to_owned()),
            Err(e) if e.starts_with("server refused") => Ok(()),
            Err(e) => Err(format!("refused for another reason: {e}")),
        },
    );
    t.check(
        "cert login: the new certificate opens an API session",
        || {
            let s = ok(ids.authenticate(AuthRequest::cert(chain_der(&new_cert.chain_pem)?)))?;
            ensure(
                s.session.identity_id == id && s.session.auth_method == "cert",
                || format!("{:?}", s.session),
            )
        },
    );
    t.check(
        "cert verify: the new certificate verifies to the internal CA; one from a throwaway CA does not",
        || {
            use credcycle::enrollment::TrustedCa;
            use credcycle::pki::Purpose;
            let v = ok(enr.verify_certificate(
                &chain_der(&new_cert.chain_pem)?,
                None,
                Purpose::ClientAuth,
            ))?;
            ensure(v.anchor == TrustedCa::Internal && v.depth == 1, || {
                format!("{v:?}")
            })?;
            let stranger = ok(throwaway_ca_chain())?;
            refused(
                enr.verify_certificate(&chain_der(&stranger)?, None, Purpose::ClientAuth),
                ErrorKind::VerificationFailed,
                &["throwaway CA", "issuer is not a trust anchor"],
            )
        },
    );
    t.check(
        "ca bundle --pkcs7: the CA chain as PKCS#7 certs-only",
        || {
            let p7 = ok(pki.bundle_pkcs7_base64())?;
            let certs = ok(credcycle::pki::pkcs7::parse_certs_only_base64(&p7))?;
            ensure(certs == roots, || {
                "the bundle differs from the CA chain".to_owned()
            })
        },
    );
}
