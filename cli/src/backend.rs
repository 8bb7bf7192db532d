//! Where the engine's state lives: the SQLite store (or a PostgreSQL
//! database, `--store postgres://…`), the local key manager and its root
//! key file (or a PKCS#11 token, `--kms pkcs11:…`); `init` creates them,
//! every other command opens them.

use std::fmt::Write as _;
use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use credcycle::{
    Clock, Engine, ErrorCode, KeyManager, LocalKeyManager, OsRandom, SecretBytes, SecureRandom,
    Store,
};
use credcycle_pkcs11::{Pkcs11Config, Pkcs11KeyManager};
use credcycle_postgres::PostgresStore;
use credcycle_sqlite::SqliteStore;
use zeroize::Zeroizing;

use crate::args::GlobalArgs;
use crate::error::CliError;

/// Length of the root key in bytes.
const ROOT_KEY_LEN: usize = 32;
/// Permission bits a root key file must not have (any group/other access).
const FORBIDDEN_MODE_BITS: u32 = 0o077;

/// The files of one store.
#[derive(Clone, Debug)]
pub(crate) struct Paths {
    /// The SQLite database.
    pub(crate) db: PathBuf,
    /// The root key file of the local key manager.
    pub(crate) root_key_file: PathBuf,
    /// `--store postgres://…`: the database URL (then `db` is unused).
    pub(crate) postgres: Option<String>,
    /// `--kms pkcs11:…`: the token configuration (then `root_key_file` is
    /// unused).
    pub(crate) pkcs11: Option<String>,
}

impl Paths {
    /// Resolves `--db`/`--store`/`--root-key-file`/`--kms`. `db_explicit`
    /// says whether `--db` was given on the command line (not from the
    /// environment or the default).
    ///
    /// # Errors
    /// Exit 2: `--store` with `--db`, an unsupported or unknown store URL or
    /// key manager.
    pub(crate) fn resolve(global: &GlobalArgs, db_explicit: bool) -> Result<Self, CliError> {
        let pkcs11 = match global.kms.as_deref() {
            None | Some("local") => None,
            Some(k) if k.starts_with("pkcs11:") => {
                // Checked now (exit 2 on a bad spec); the token is opened
                // by the command.
                Pkcs11Config::parse(k).map_err(|e| CliError::input(format!("kms: {e}")))?;
                Some(k.to_owned())
            }
            Some(_) => {
                return Err(CliError::input(
                    "kms: must be `local` or `pkcs11:module=PATH;token=LABEL;pin-env=VAR` \
                     (or pin-file=PATH)",
                ));
            }
        };
        let postgres = match global.store.as_deref() {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                if db_explicit {
                    return Err(CliError::input(
                        "store: give either --db PATH or --store URL, not both",
                    ));
                }
                Some(url.to_owned())
            }
            _ => None,
        };
        let db = match global.store.as_deref() {
            _ if postgres.is_some() => global.db.clone(),
            None => global.db.clone(),
            Some(url) => {
                // The URL first: an unsupported store is the clearer message.
                let path = store_path(url)?;
                if db_explicit {
                    return Err(CliError::input(
                        "store: give either --db PATH or --store URL, not both",
                    ));
                }
                path
            }
        };
        Ok(Paths {
            db,
            root_key_file: global.root_key_file.clone(),
            postgres,
            pkcs11,
        })
    }

    /// The store for messages: the SQLite path, or the PostgreSQL URL
    /// without credentials or parameters.
    pub(crate) fn store_description(&self) -> String {
        match &self.postgres {
            Some(url) => {
                let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
                let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
                let rest = rest.split('?').next().unwrap_or(rest);
                format!("{scheme}://{rest}")
            }
            None => self.db.display().to_string(),
        }
    }

    /// Whether the local key manager (and so the root key file) is used.
    pub(crate) fn local_kms(&self) -> bool {
        self.pkcs11.is_none()
    }
}

/// The database path of a `--store` URL.
fn store_path(url: &str) -> Result<PathBuf, CliError> {
    if let Some(path) = url.strip_prefix("sqlite:") {
        let path = path.strip_prefix("//").unwrap_or(path);
        if path.is_empty() {
            return Err(CliError::input("store: sqlite:PATH needs a PATH"));
        }
        return Ok(PathBuf::from(path));
    }
    Err(CliError::input(
        "store: must be sqlite:PATH or postgres://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE",
    ))
}

/// An opened store and key manager, from which engines are built.
#[derive(Clone, Debug)]
pub(crate) struct Backend {
    store: Arc<dyn Store>,
    keys: Arc<dyn KeyManager>,
    rng: Arc<dyn SecureRandom>,
}

impl Backend {
    /// An engine over this backend reading time from `clock`.
    ///
    /// # Errors
    /// Engine construction errors.
    pub(crate) fn engine(&self, clock: Arc<dyn Clock>) -> Result<Engine, CliError> {
        Ok(Engine::builder()
            .store(self.store.clone())
            .key_manager(self.keys.clone())
            .rng(self.rng.clone())
            .clock(clock)
            .build()?)
    }

    /// The key manager.
    pub(crate) fn keys(&self) -> &Arc<dyn KeyManager> {
        &self.keys
    }

    fn assemble(paths: &Paths, root_key: Option<SecretBytes>) -> Result<Self, CliError> {
        let rng: Arc<dyn SecureRandom> = Arc::new(OsRandom::new());
        let store: Arc<dyn Store> = match &paths.postgres {
            Some(url) => Arc::new(PostgresStore::connect(url).map_err(|e| match e {
                // The URL may carry a password: never repeat it.
                credcycle::StoreError::Unavailable { .. } => CliError::new(
                    ErrorCode::StoreUnavailable,
                    "store: cannot reach the PostgreSQL server of --store \
                     (is it running, and is the host and port right?)",
                ),
                other => CliError::from(other),
            })?),
            None => Arc::new(SqliteStore::open(&paths.db)?),
        };
        let keys: Arc<dyn KeyManager> = match (&paths.pkcs11, root_key) {
            (Some(spec), _) => Arc::new(Pkcs11KeyManager::from_config_str(spec)?),
            (None, Some(root_key)) => {
                Arc::new(LocalKeyManager::new(store.clone(), rng.clone(), root_key)?)
            }
            (None, None) => {
                return Err(CliError::new(
                    ErrorCode::Internal,
                    "the local key manager needs the root key",
                ));
            }
        };
        Ok(Backend { store, keys, rng })
    }
}

/// Opens an existing store.
///
/// # Errors
/// Exit 2 when the key file or the database is missing (suggesting
/// `credcycle init`), or the key file is malformed or accessible by group or
/// other; store and key manager failures (a root key that does not match the
/// store's is a key manager error, exit 1).
pub(crate) fn open(paths: &Paths) -> Result<Backend, CliError> {
    let root_key = if paths.local_kms() {
        Some(read_root_key(&paths.root_key_file)?)
    } else {
        None
    };
    if paths.postgres.is_none() && !paths.db.exists() {
        return Err(CliError::input(format!(
            "db: database {} not found; run `credcycle init` to create a store, \
             or point --db / CREDCYCLE_DB at an existing one",
            paths.db.display()
        )));
    }
    Backend::assemble(paths, root_key)
}

/// Creates a store: the root key file (mode 0600, never overwriting), the
/// database and the default wrap key. On failure nothing it created is left.
///
/// # Errors
/// Exit 4 when the key file or the database already exists; I/O, store and
/// key manager failures.
pub(crate) fn init(paths: &Paths) -> Result<Backend, CliError> {
    if paths.postgres.is_some() || !paths.local_kms() {
        return init_external(paths);
    }
    if fs::symlink_metadata(&paths.root_key_file).is_ok() {
        return Err(CliError::new(
            ErrorCode::AlreadyExists,
            format!(
                "root_key_file: {} already exists; refusing to overwrite a root key \
                 (move it away, or choose another --root-key-file)",
                paths.root_key_file.display()
            ),
        ));
    }
    if fs::symlink_metadata(&paths.db).is_ok() {
        return Err(CliError::new(
            ErrorCode::AlreadyExists,
            format!(
                "db: {} already exists; init creates a new store \
                 (choose another --db, or use the existing one with its key file)",
                paths.db.display()
            ),
        ));
    }
    let root_key = LocalKeyManager::generate_root_key(&OsRandom::new())?;
    write_root_key(&paths.root_key_file, &root_key)?;
    // An empty file is a valid new SQLite database: creating it first gives
    // it (and the -wal/-shm files SQLite derives from it) mode 0600.
    if let Err(e) = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&paths.db)
    {
        // Best effort: the error that matters is the one in hand.
        let _ = fs::remove_file(&paths.root_key_file);
        return Err(CliError::io("db", "create", &paths.db, &e));
    }
    let created = Backend::assemble(paths, Some(root_key)).and_then(|b| {
        b.engine(Arc::new(credcycle::SystemClock))?
            .ensure_default_key()?;
        Ok(b)
    });
    if created.is_err() {
        // Leave nothing half-made behind: both files are ours.
        let _ = fs::remove_file(&paths.root_key_file);
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = paths.db.clone().into_os_string();
            p.push(suffix);
            let _ = fs::remove_file(PathBuf::from(p));
        }
    }
    created
}

/// `init` with a PostgreSQL store or a PKCS#11 key manager: the root key
/// file only for the local key manager (never overwritten), the SQLite file
/// only for a SQLite store; then the default wrap key (idempotent, so
/// `init` on an initialized PostgreSQL database or token changes nothing).
fn init_external(paths: &Paths) -> Result<Backend, CliError> {
    let mut created_key_file = false;
    let root_key = if paths.local_kms() {
        if fs::symlink_metadata(&paths.root_key_file).is_ok() {
            Some(read_root_key(&paths.root_key_file)?)
        } else {
            let key = LocalKeyManager::generate_root_key(&OsRandom::new())?;
            write_root_key(&paths.root_key_file, &key)?;
            created_key_file = true;
            Some(key)
        }
    } else {
        None
    };
    if paths.postgres.is_none() && fs::symlink_metadata(&paths.db).is_ok() {
        return Err(CliError::new(
            ErrorCode::AlreadyExists,
            format!("db: {} already exists", paths.db.display()),
        ));
    }
    let created = Backend::assemble(paths, root_key).and_then(|b| {
        b.engine(Arc::new(credcycle::SystemClock))?
            .ensure_default_key()?;
        Ok(b)
    });
    if created.is_err() && created_key_file {
        let _ = fs::remove_file(&paths.root_key_file);
    }
    created
}

/// Writes `key` as 64 hex digits and a newline to a new file of mode 0600.
fn write_root_key(path: &Path, key: &SecretBytes) -> Result<(), CliError> {
    let mut text = Zeroizing::new(String::with_capacity(2 * ROOT_KEY_LEN + 1));
    for b in key.expose() {
        // Writing to a String cannot fail.
        let _ = write!(text, "{b:02x}");
    }
    text.push('\n');
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| CliError::io("root_key_file", "create", path, &e))?;
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all());
    if let Err(e) = written {
        let _ = fs::remove_file(path);
        return Err(CliError::io("root_key_file", "write", path, &e));
    }
    Ok(())
}

/// Reads and checks a root key file.
fn read_root_key(path: &Path) -> Result<SecretBytes, CliError> {
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(CliError::input(format!(
                "root_key_file: {} not found; run `credcycle init` to create a store and \
                 its root key, or point --root-key-file / CREDCYCLE_ROOT_KEY_FILE at it",
                path.display()
            )));
        }
        Err(e) => return Err(CliError::io("root_key_file", "read", path, &e)),
    };
    if !meta.is_file() {
        return Err(CliError::input(format!(
            "root_key_file: {} is not a regular file",
            path.display()
        )));
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & FORBIDDEN_MODE_BITS != 0 {
        return Err(CliError::new(
            ErrorCode::PolicyViolation,
            format!(
                "root_key_file: {} has mode {mode:04o}, accessible by group or other; \
                 refusing to use it (run `chmod 600 {}`)",
                path.display(),
                path.display()
            ),
        ));
    }
    let mut text = Zeroizing::new(String::new());
    let read = fs::File::open(path)
        .and_then(|f| f.take(1024).read_to_string(&mut text))
        .map_err(|e| CliError::io("root_key_file", "read", path, &e));
    read.and_then(|_| {
        parse_hex_key(text.trim_end()).ok_or_else(|| {
            CliError::input(format!(
                "root_key_file: {} is not a root key (expected {} hex digits and a newline)",
                path.display(),
                2 * ROOT_KEY_LEN
            ))
        })
    })
}

fn parse_hex_key(s: &str) -> Option<SecretBytes> {
    let s = s.as_bytes();
    if s.len() != 2 * ROOT_KEY_LEN {
        return None;
    }
    let mut out = Zeroizing::new(Vec::with_capacity(ROOT_KEY_LEN));
    for pair in s.chunks_exact(2) {
        let hi = hex_digit(pair[0])?;
        let lo = hex_digit(pair[1])?;
        out.push(hi << 4 | lo);
    }
    Some(SecretBytes::from_slice(&out))
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_keys_parse_and_reject() {
        let hex = "00ff".repeat(16);
        let k = parse_hex_key(&hex).expect("valid");
        assert_eq!(k.len(), 32);
        assert_eq!(&k.expose()[..2], &[0x00, 0xff]);
        assert!(parse_hex_key(&hex[..62]).is_none());
        assert!(parse_hex_key(&format!("{}zz", &hex[..62])).is_none());
    }

    #[test]
    fn postgres_store_description_has_no_credentials() {
        let paths = Paths {
            db: PathBuf::from("x.db"),
            root_key_file: PathBuf::from("k"),
            postgres: Some("postgres://u:hunter2@db.example:5433/app?sslmode=require".into()),
            pkcs11: None,
        };
        assert_eq!(paths.store_description(), "postgres://db.example:5433/app");
        assert!(paths.local_kms());
    }

    #[test]
    fn store_urls() {
        assert_eq!(
            store_path("sqlite:/tmp/x.db").expect("ok"),
            PathBuf::from("/tmp/x.db")
        );
        let e = store_path("mysql://u:hunter2@h/db").expect_err("unsupported");
        assert!(e.message().contains("postgres://"));
        assert!(!e.message().contains("hunter2"));
        assert_eq!(e.exit_code(), 2);
    }
}
