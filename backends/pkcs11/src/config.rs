//! [`Pkcs11Config`]: which module, token and PIN source a
//! [`Pkcs11KeyManager`](crate::Pkcs11KeyManager) uses, and the parser of
//! its text form `module=…;token=…;pin-env=VAR` (the CLI's `--kms
//! pkcs11:…`).

use std::fmt;
use std::path::{Path, PathBuf};

use credcycle::KmsError;
use zeroize::Zeroizing;

/// Where the user PIN comes from. The PIN itself is never part of a
/// configuration (command lines and config files are too easy to read).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PinSource {
    /// The named environment variable.
    Env(String),
    /// The first line of the file (a trailing newline is ignored).
    File(PathBuf),
}

/// The configuration of a [`Pkcs11KeyManager`](crate::Pkcs11KeyManager).
///
/// Its `Debug` output shows where the PIN comes from, never the PIN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pkcs11Config {
    module: PathBuf,
    token: String,
    pin: PinSource,
    namespace: Option<String>,
}

fn invalid(msg: impl Into<String>) -> KmsError {
    KmsError::InvalidInput(msg.into())
}

impl Pkcs11Config {
    /// A configuration for token `token` (its label) of the PKCS#11 module
    /// (shared library) at `module`, with the PIN from `pin`.
    pub fn new(module: impl Into<PathBuf>, token: impl Into<String>, pin: PinSource) -> Self {
        Pkcs11Config {
            module: module.into(),
            token: token.into(),
            pin,
            namespace: None,
        }
    }

    /// Keeps this manager's keys apart from other users of the same token:
    /// object labels become `credcycle:NAMESPACE/<id>:…`. 1..=64 characters
    /// of `[A-Za-z0-9_.-]`.
    ///
    /// # Errors
    /// [`KmsError::InvalidInput`] naming `pkcs11 namespace`.
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Result<Self, KmsError> {
        let ns = namespace.into();
        let ok = !ns.is_empty()
            && ns.len() <= 64
            && ns
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if !ok {
            return Err(invalid(
                "pkcs11 namespace: must be 1..=64 characters of [A-Za-z0-9_.-]",
            ));
        }
        self.namespace = Some(ns);
        Ok(self)
    }

    /// Parses `module=PATH;token=LABEL;pin-env=VAR` or
    /// `…;pin-file=PATH`, optionally with `;namespace=NAME`, in any order,
    /// with or without a leading `pkcs11:`.
    ///
    /// ```
    /// use credcycle_pkcs11::{Pkcs11Config, PinSource};
    /// let c = Pkcs11Config::parse(
    ///     "pkcs11:module=/usr/lib/softhsm/libsofthsm2.so;token=prod;pin-env=HSM_PIN",
    /// )?;
    /// assert_eq!(c.token(), "prod");
    /// assert_eq!(c.pin_source(), &PinSource::Env("HSM_PIN".into()));
    /// # Ok::<(), credcycle::KmsError>(())
    /// ```
    ///
    /// # Errors
    /// [`KmsError::InvalidInput`] naming the missing, repeated or unknown
    /// field. A `pin=` field is refused: PINs come from the environment or
    /// a file.
    pub fn parse(text: &str) -> Result<Self, KmsError> {
        let body = text.strip_prefix("pkcs11:").unwrap_or(text);
        let (mut module, mut token, mut pin, mut namespace) = (None, None, None, None);
        for field in body.split(';').map(str::trim).filter(|f| !f.is_empty()) {
            let (name, value) = field
                .split_once('=')
                .ok_or_else(|| invalid(format!("pkcs11: field {field:?} is not NAME=VALUE")))?;
            if value.is_empty() {
                return Err(invalid(format!("pkcs11 {name}: empty value")));
            }
            let slot = match name {
                "module" => &mut module,
                "token" => &mut token,
                "pin-env" | "pin-file" => &mut pin,
                "namespace" => &mut namespace,
                "pin" => {
                    return Err(invalid(
                        "pkcs11 pin: not accepted in the configuration; \
                         use pin-env=VAR or pin-file=PATH",
                    ));
                }
                other => {
                    return Err(invalid(format!(
                        "pkcs11: unknown field {other:?} (expected module, token, \
                         pin-env, pin-file, namespace)"
                    )));
                }
            };
            if slot.is_some() {
                return Err(invalid(format!("pkcs11 {name}: given twice")));
            }
            *slot = Some((name, value));
        }
        let module = module.ok_or_else(|| invalid("pkcs11 module: missing (module=PATH)"))?;
        let token = token.ok_or_else(|| invalid("pkcs11 token: missing (token=LABEL)"))?;
        let pin = match pin {
            Some(("pin-env", var)) => PinSource::Env(var.to_owned()),
            Some((_, path)) => PinSource::File(PathBuf::from(path)),
            None => {
                return Err(invalid(
                    "pkcs11 pin: missing (pin-env=VAR or pin-file=PATH)",
                ));
            }
        };
        let config = Pkcs11Config::new(module.1, token.1, pin);
        match namespace {
            Some((_, ns)) => config.with_namespace(ns),
            None => Ok(config),
        }
    }

    /// The module (shared library) path.
    pub fn module(&self) -> &Path {
        &self.module
    }

    /// The token label.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Where the PIN comes from.
    pub fn pin_source(&self) -> &PinSource {
        &self.pin
    }

    /// The namespace, if any.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// Reads the PIN.
    pub(crate) fn read_pin(&self) -> Result<Zeroizing<String>, KmsError> {
        let pin = match &self.pin {
            PinSource::Env(var) => Zeroizing::new(std::env::var(var).map_err(|_| {
                invalid(format!(
                    "pkcs11 pin-env: environment variable {var} is not set (or not UTF-8)"
                ))
            })?),
            PinSource::File(path) => {
                let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
                    invalid(format!(
                        "pkcs11 pin-file: cannot read {}: {e}",
                        path.display()
                    ))
                })?);
                Zeroizing::new(text.lines().next().unwrap_or("").to_owned())
            }
        };
        if pin.is_empty() {
            return Err(invalid("pkcs11 pin: empty"));
        }
        Ok(pin)
    }
}

impl fmt::Display for Pkcs11Config {
    /// The text form [`Pkcs11Config::parse`] reads (no PIN is in it).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "module={};token={};", self.module.display(), self.token)?;
        match &self.pin {
            PinSource::Env(v) => write!(f, "pin-env={v}")?,
            PinSource::File(p) => write!(f, "pin-file={}", p.display())?,
        }
        if let Some(ns) = &self.namespace {
            write!(f, ";namespace={ns}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_field_in_any_order() {
        let c = Pkcs11Config::parse("token=t;pin-file=/run/pin;module=/m.so;namespace=ns-1")
            .expect("parse");
        assert_eq!(c.module(), Path::new("/m.so"));
        assert_eq!(c.token(), "t");
        assert_eq!(c.pin_source(), &PinSource::File("/run/pin".into()));
        assert_eq!(c.namespace(), Some("ns-1"));
        assert_eq!(Pkcs11Config::parse(&c.to_string()).expect("round trip"), c);
        let c = Pkcs11Config::parse("pkcs11:module=/m.so;token=a b;pin-env=P;").expect("parse");
        assert_eq!(c.token(), "a b");
        assert_eq!(c.namespace(), None);
    }

    #[test]
    fn errors_name_the_field() {
        for (text, field) in [
            ("token=t;pin-env=P", "module"),
            ("module=/m;pin-env=P", "token"),
            ("module=/m;token=t", "pin"),
            ("module=/m;token=t;pin=1234", "pin"),
            ("module=/m;module=/n;token=t;pin-env=P", "module"),
            ("module=/m;token=t;pin-env=P;pin-file=/f", "pin-file"),
            ("module=/m;token=t;pin-env=P;colour=red", "colour"),
            ("module=/m;token=t;pin-env=P;namespace=a/b", "namespace"),
            ("module=/m;token=;pin-env=P", "token"),
            ("module", "module"),
        ] {
            let err = Pkcs11Config::parse(text).expect_err(text);
            assert!(matches!(err, KmsError::InvalidInput(_)), "{text}");
            assert!(err.to_string().contains(field), "{text}: {err}");
            assert!(!err.to_string().contains("1234"), "{err}");
        }
    }

    #[test]
    fn pin_sources_are_read_and_never_shown() {
        let dir = std::env::temp_dir().join(format!("cc-pkcs11-pin-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("pin");
        std::fs::write(&file, "s3cret-pin\n").expect("write");
        let c = Pkcs11Config::new("/m.so", "t", PinSource::File(file));
        assert_eq!(c.read_pin().expect("read").as_str(), "s3cret-pin");
        assert!(!format!("{c:?}{c}").contains("s3cret"));
        let missing = Pkcs11Config::new("/m.so", "t", PinSource::Env("CC_NO_SUCH_PIN_VAR".into()));
        let err = missing.read_pin().expect_err("unset");
        assert!(err.to_string().contains("CC_NO_SUCH_PIN_VAR"), "{err}");
        let unreadable = Pkcs11Config::new("/m.so", "t", PinSource::File(dir.join("none")));
        assert!(
            unreadable
                .read_pin()
                .expect_err("missing file")
                .to_string()
                .contains("pin-file")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
