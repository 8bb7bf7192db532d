#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs, rustdoc::broken_intra_doc_links)]

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

use credcycle::{
    KeyAlgorithm, KeyId, KeyInfo, KeyManager, KeyPurpose, KeyState, KmsError, SecretBytes,
    WrappedKey,
};
use cryptoki::context::Pkcs11;
use cryptoki::error::RvError;
use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::aead::GcmParams;
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use cryptoki::slot::Slot;
use ring::rand::SecureRandom as _;
use zeroize::Zeroizing;

mod config;
mod error;
mod token;

pub use config::{PinSource, Pkcs11Config};
pub use error::Pkcs11Error;

use error::rv;
use token::{SessionError, Sessions};

/// Prefix of every object label this crate writes.
const LABEL_PREFIX: &str = "credcycle:";
/// Suffix of a key's metadata object label.
const META_SUFFIX: &str = ":meta";
/// `CKA_APPLICATION` of metadata objects (what `list_keys` searches for).
const APPLICATION: &[u8] = b"credcycle";
/// First field of the metadata value (its format).
const META_FORMAT: &str = "credcycle-pkcs11/1";
/// AAD label of wrapped data keys.
const WRAP_LABEL: &[u8] = b"credcycle/pkcs11/wrap/v1";
/// First byte of a wrapped data key.
const WRAP_FORMAT_V1: u8 = 1;
const IV_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// DER of the named curve P-256 (`prime256v1`), for `CKA_EC_PARAMS`.
const P256_PARAMS: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// DER of the Ed25519 OID (1.3.101.112), for `CKA_EC_PARAMS`.
/// DER OID of secp384r1 (CKA_EC_PARAMS of P-384 keys).
const P384_PARAMS: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
/// DER prefix of a P-384 SubjectPublicKeyInfo (then the 97-byte point).
const P384_SPKI_PREFIX: &[u8] = &[
    0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b,
    0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00,
];
const ED25519_PARAMS: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];
/// SubjectPublicKeyInfo of a P-256 key, up to the 65-byte point.
const P256_SPKI_PREFIX: &[u8] = &[
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];
/// SubjectPublicKeyInfo of an Ed25519 key, up to the 32-byte key.
const ED25519_SPKI_PREFIX: &[u8] = &[
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A [`KeyManager`] on a PKCS#11 token (an HSM, a smart card, SoftHSM2).
///
/// # Keys on the token
/// Every key version is its own token object, generated inside the token,
/// `CKA_SENSITIVE=true` and `CKA_EXTRACTABLE=false`, so key material never
/// leaves it:
///
/// | algorithm | objects of version n (label `credcycle:<id>:v<n>`) | use |
/// |---|---|---|
/// | `Aes256Gcm` | AES-256 secret key (`CKM_AES_KEY_GEN`) | `CKM_AES_GCM` encrypt/decrypt of data keys |
/// | `EcdsaP256Sha256` | P-256 key pair (`CKM_EC_KEY_PAIR_GEN`) | SHA-256 outside, `CKM_ECDSA` inside: raw `r‖s` (64 bytes) |
/// | `Ed25519` | Ed25519 key pair (`CKM_EC_EDWARDS_KEY_PAIR_GEN`) | `CKM_EDDSA` (pure Ed25519, 64 bytes) |
///
/// A key's metadata is a data object (`CKO_DATA`, `CKA_APPLICATION =
/// "credcycle"`, label `credcycle:<id>:meta`, private to the logged-in
/// user) whose value is `credcycle-pkcs11/1;gen=G;alg=…;state=…;primary=N`.
/// Tokens do not let a data object's value change, so a change writes a
/// new object with generation G+1 and then removes the old one; readers
/// take the highest generation, so every change is atomic. The metadata
/// is the key's existence marker: `create_key` generates version 1 first
/// and writes the metadata last, and `rotate_key` generates version n+1
/// first and then moves `primary` to it, so a crash in between leaves an
/// unused object that the next attempt replaces, never a half-made key.
/// Versions `1..=primary` all exist. With a namespace
/// ([`Pkcs11Config::with_namespace`]) labels read `credcycle:<ns>/<id>…`.
///
/// # Wrapped data key format
/// `0x01 || iv (12) || ciphertext || tag (16)`: AES-256-GCM in the token
/// under the key version, a fresh random IV, and AAD binding the format,
/// the key id, the version and the caller's AAD.
///
/// # Concurrency
/// `Send + Sync`; operations run on a pool of read-write sessions, so
/// wraps, unwraps and signatures proceed in parallel. Key administration
/// (`create_key`, `rotate_key`, `set_key_state`) is serialized within the
/// process. PKCS#11 has no compare-and-swap, so administering the *same*
/// key from two processes at once is not supported (two concurrent
/// rotations could make the same version twice); use from any number of
/// processes is otherwise fine, and every call reads the key's current
/// state from the token.
///
/// # Ed25519
/// Needs a token with `CKM_EC_EDWARDS_KEY_PAIR_GEN` and `CKM_EDDSA`
/// (SoftHSM 2.6 built with OpenSSL ≥ 1.1.1, as Debian's is). On a token
/// without them, `create_key` with `Ed25519` fails with
/// [`KmsError::InvalidInput`] saying so.
pub struct Pkcs11KeyManager {
    config: Pkcs11Config,
    slot: Slot,
    sessions: Sessions,
    admin: Mutex<()>,
    /// Handles of version objects (immutable once the version is in use).
    handles: Mutex<HashMap<(String, u8), ObjectHandle>>,
    /// SubjectPublicKeyInfo per version label.
    spki: Mutex<HashMap<String, Vec<u8>>>,
    rng: ring::rand::SystemRandom,
}

impl fmt::Debug for Pkcs11KeyManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs11KeyManager")
            .field("config", &self.config)
            .field("slot", &self.slot.id())
            .finish_non_exhaustive()
    }
}

/// A key's metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Meta {
    /// Incremented by every change: the object with the highest
    /// generation is the current one.
    generation: u64,
    algorithm: KeyAlgorithm,
    state: KeyState,
    primary: u32,
}

impl Meta {
    fn encode(&self) -> Vec<u8> {
        format!(
            "{META_FORMAT};gen={};alg={};state={};primary={}",
            self.generation,
            self.algorithm.as_str(),
            self.state.as_str(),
            self.primary
        )
        .into_bytes()
    }

    fn decode(bytes: &[u8]) -> Option<Meta> {
        let text = std::str::from_utf8(bytes).ok()?;
        let mut fields = text.split(';');
        if fields.next()? != META_FORMAT {
            return None;
        }
        let (mut generation, mut algorithm, mut state, mut primary) = (None, None, None, None);
        for field in fields {
            match field.split_once('=')? {
                ("gen", v) => generation = v.parse::<u64>().ok(),
                ("alg", v) => algorithm = KeyAlgorithm::parse(v),
                ("state", v) => {
                    state = [
                        KeyState::Enabled,
                        KeyState::Disabled,
                        KeyState::PendingDeletion,
                    ]
                    .into_iter()
                    .find(|s| s.as_str() == v)
                }
                ("primary", v) => primary = v.parse::<u32>().ok().filter(|n| *n >= 1),
                _ => return None,
            }
        }
        Some(Meta {
            generation: generation?,
            algorithm: algorithm?,
            state: state?,
            primary: primary?,
        })
    }

    fn info(&self, id: &KeyId) -> KeyInfo {
        KeyInfo {
            id: id.clone(),
            purpose: self.algorithm.purpose(),
            algorithm: self.algorithm,
            primary_version: self.primary,
            versions: self.primary,
            state: self.state,
        }
    }

    fn require_purpose(&self, needed: KeyPurpose, operation: &'static str) -> Result<(), KmsError> {
        let purpose = self.algorithm.purpose();
        if purpose == needed {
            Ok(())
        } else {
            Err(KmsError::WrongPurpose { purpose, operation })
        }
    }

    fn refuse_if(&self, refused: &[KeyState], operation: &'static str) -> Result<(), KmsError> {
        if refused.contains(&self.state) {
            Err(KmsError::State {
                state: self.state,
                operation,
            })
        } else {
            Ok(())
        }
    }
}

fn put_lv(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

fn wrap_aad(id: &KeyId, version: u32, caller_aad: &[u8]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(64 + id.as_str().len() + caller_aad.len());
    aad.extend_from_slice(WRAP_LABEL);
    aad.push(WRAP_FORMAT_V1);
    put_lv(&mut aad, id.as_str().as_bytes());
    aad.extend_from_slice(&version.to_be_bytes());
    put_lv(&mut aad, caller_aad);
    aad
}

/// The raw public key inside `CKA_EC_POINT`, which tokens return either
/// DER-wrapped in an OCTET STRING (SoftHSM) or raw.
fn ec_point(value: &[u8], raw_len: usize) -> Option<&[u8]> {
    match value {
        [0x04, len, rest @ ..] if usize::from(*len) == raw_len && rest.len() == raw_len => {
            Some(rest)
        }
        raw if raw.len() == raw_len => Some(raw),
        _ => None,
    }
}

/// A hashable stand-in for the object classes this crate uses.
fn class_tag(class: ObjectClass) -> u8 {
    if class == ObjectClass::SECRET_KEY {
        1
    } else if class == ObjectClass::PRIVATE_KEY {
        2
    } else if class == ObjectClass::PUBLIC_KEY {
        3
    } else {
        0
    }
}

fn ck(operation: &'static str) -> impl Fn(cryptoki::error::Error) -> SessionError {
    move |e| SessionError::Ck(operation, e)
}

/// How many times a read of metadata objects starts over when one of the
/// objects it found was destroyed before it could be read.
const META_READ_ATTEMPTS: usize = 8;

/// Whether `e` says an object found a moment ago no longer exists: another
/// manager (in this or another process) replaced a metadata object with its
/// next generation, or deleted a key, between our find and our read.
fn vanished(e: &SessionError) -> bool {
    matches!(
        e,
        SessionError::Ck(
            _,
            cryptoki::error::Error::Pkcs11(RvError::ObjectHandleInvalid, _)
        )
    )
}

/// Runs `read` (a find followed by reads of what it found) again while an
/// object vanishes in between, at most [`META_READ_ATTEMPTS`] times.
fn reread<T>(mut read: impl FnMut() -> Result<T, SessionError>) -> Result<T, SessionError> {
    let mut attempt = 1;
    loop {
        match read() {
            Err(e) if vanished(&e) && attempt < META_READ_ATTEMPTS => attempt += 1,
            other => return other,
        }
    }
}

impl Pkcs11KeyManager {
    /// Shortest data key [`KeyManager::wrap`] accepts, in bytes.
    pub const MIN_DEK_LEN: usize = 16;
    /// Longest data key [`KeyManager::wrap`] accepts, in bytes.
    pub const MAX_DEK_LEN: usize = 64;
    /// Most versions one key may have.
    pub const MAX_VERSIONS: u32 = 10_000;

    /// Opens the token of `config` and logs in with its PIN.
    ///
    /// The module is loaded and initialized once per process (later
    /// managers on the same module share it).
    ///
    /// # Errors
    /// - [`KmsError::InvalidInput`] when the PIN source cannot be read
    ///   (unset variable, unreadable file).
    /// - [`Pkcs11Error::Module`] (in [`KmsError::Backend`]) when the module
    ///   cannot be loaded or initialized; [`Pkcs11Error::TokenNotFound`]
    ///   naming the tokens that are present; [`Pkcs11Error::WrongPin`];
    ///   [`Pkcs11Error::PinLocked`].
    pub fn new(config: Pkcs11Config) -> Result<Self, KmsError> {
        let pin = config.read_pin()?;
        let ctx: Pkcs11 = token::context(config.module())?;
        let slot = find_slot(&ctx, &config)?;
        let anchor = ctx
            .open_rw_session(slot)
            .map_err(|e| error::call("open session", e))?;
        token::login(config.module(), slot, config.token(), &anchor, &pin)?;
        drop(pin);
        Ok(Pkcs11KeyManager {
            slot,
            sessions: Sessions::new(ctx, slot, anchor),
            config,
            admin: Mutex::new(()),
            handles: Mutex::new(HashMap::new()),
            spki: Mutex::new(HashMap::new()),
            rng: ring::rand::SystemRandom::new(),
        })
    }

    /// Parses `text` with [`Pkcs11Config::parse`] and opens the token.
    ///
    /// # Errors
    /// As [`Pkcs11Config::parse`] and [`Pkcs11KeyManager::new`].
    pub fn from_config_str(text: &str) -> Result<Self, KmsError> {
        Self::new(Pkcs11Config::parse(text)?)
    }

    /// The configuration (without the PIN).
    pub fn config(&self) -> &Pkcs11Config {
        &self.config
    }

    fn base_label(&self, id: &KeyId) -> String {
        match self.config.namespace() {
            Some(ns) => format!("{LABEL_PREFIX}{ns}/{}", id.as_str()),
            None => format!("{LABEL_PREFIX}{}", id.as_str()),
        }
    }

    fn meta_label(&self, id: &KeyId) -> String {
        format!("{}{META_SUFFIX}", self.base_label(id))
    }

    fn version_label(&self, id: &KeyId, version: u32) -> String {
        format!("{}:v{version}", self.base_label(id))
    }

    /// The key id of a metadata label of this manager's namespace.
    fn id_of_meta_label(&self, label: &str) -> Option<KeyId> {
        let rest = label.strip_prefix(LABEL_PREFIX)?;
        let rest = match self.config.namespace() {
            Some(ns) => rest.strip_prefix(ns)?.strip_prefix('/')?,
            None if rest.contains('/') => return None,
            None => rest,
        };
        KeyId::new(rest.strip_suffix(META_SUFFIX)?).ok()
    }

    fn meta_template(&self, id: &KeyId) -> Vec<Attribute> {
        vec![
            Attribute::Class(ObjectClass::DATA),
            Attribute::Token(true),
            Attribute::Application(APPLICATION.to_vec()),
            Attribute::Label(self.meta_label(id).into_bytes()),
        ]
    }

    /// The key's metadata objects and the current content, or `None` if
    /// the key does not exist. Token data objects cannot be changed in
    /// place, so a change writes a new object with the next generation and
    /// then removes the older ones; a crash in between leaves two, and the
    /// higher generation is the current one.
    fn load_meta(
        &self,
        session: &Session,
        id: &KeyId,
    ) -> Result<Option<(Vec<ObjectHandle>, Meta)>, SessionError> {
        reread(|| self.load_meta_once(session, id))
    }

    fn load_meta_once(
        &self,
        session: &Session,
        id: &KeyId,
    ) -> Result<Option<(Vec<ObjectHandle>, Meta)>, SessionError> {
        let found = session
            .find_objects(&self.meta_template(id))
            .map_err(ck("find key metadata"))?;
        let mut current: Option<Meta> = None;
        for handle in &found {
            let value = self.meta_value(session, *handle)?;
            let meta = Meta::decode(&value)
                .ok_or_else(|| Pkcs11Error::Metadata(format!("key {id}: unreadable metadata")))?;
            match current {
                Some(c) if c.generation == meta.generation && c != meta => {
                    return Err(Pkcs11Error::Metadata(format!(
                        "key {id}: two different metadata objects of generation {}",
                        meta.generation
                    ))
                    .into());
                }
                Some(c) if c.generation >= meta.generation => {}
                _ => current = Some(meta),
            }
        }
        Ok(current.map(|m| (found, m)))
    }

    /// One listing of every key's current metadata (see
    /// [`KeyManager::list_keys`]); fails when an object it found vanishes
    /// before it is read.
    fn list_keys_once(&self, s: &Session) -> Result<Vec<KeyInfo>, SessionError> {
        let handles = s
            .find_objects(&[
                Attribute::Class(ObjectClass::DATA),
                Attribute::Token(true),
                Attribute::Application(APPLICATION.to_vec()),
            ])
            .map_err(ck("list key metadata"))?;
        let mut latest: std::collections::BTreeMap<KeyId, Meta> = Default::default();
        for h in handles {
            let attrs = s
                .get_attributes(h, &[AttributeType::Label, AttributeType::Value])
                .map_err(ck("read key metadata"))?;
            let (mut label, mut value) = (None, None);
            for a in attrs {
                match a {
                    Attribute::Label(l) => label = String::from_utf8(l).ok(),
                    Attribute::Value(v) => value = Some(v),
                    _ => {}
                }
            }
            let Some(id) = label.as_deref().and_then(|l| self.id_of_meta_label(l)) else {
                continue;
            };
            let meta = value
                .as_deref()
                .and_then(Meta::decode)
                .ok_or_else(|| Pkcs11Error::Metadata(format!("key {id}: unreadable metadata")))?;
            match latest.get(&id) {
                Some(m) if m.generation >= meta.generation => {}
                _ => {
                    latest.insert(id, meta);
                }
            }
        }
        // BTreeMap: ordered by id.
        Ok(latest.iter().map(|(id, m)| m.info(id)).collect())
    }

    fn meta_value(&self, session: &Session, handle: ObjectHandle) -> Result<Vec<u8>, SessionError> {
        let attrs = session
            .get_attributes(handle, &[AttributeType::Value])
            .map_err(ck("read key metadata"))?;
        attrs
            .into_iter()
            .find_map(|a| match a {
                Attribute::Value(v) => Some(v),
                _ => None,
            })
            .ok_or_else(|| Pkcs11Error::Metadata("metadata object has no value".into()).into())
    }

    fn require_meta(
        &self,
        session: &Session,
        id: &KeyId,
    ) -> Result<(Vec<ObjectHandle>, Meta), SessionError> {
        self.load_meta(session, id)?
            .ok_or(SessionError::Kms(KmsError::NotFound))
    }

    /// The handle of version object `label` of `class`.
    fn version_object(
        &self,
        session: &Session,
        label: &str,
        class: ObjectClass,
    ) -> Result<ObjectHandle, SessionError> {
        let key = (label.to_owned(), class_tag(class));
        if let Some(h) = lock(&self.handles).get(&key) {
            return Ok(*h);
        }
        let found = session
            .find_objects(&[
                Attribute::Class(class),
                Attribute::Token(true),
                Attribute::Label(label.as_bytes().to_vec()),
            ])
            .map_err(ck("find key version"))?;
        match found.as_slice() {
            [one] => {
                lock(&self.handles).insert(key, *one);
                Ok(*one)
            }
            [] => {
                Err(Pkcs11Error::Metadata(format!("key version object {label} is missing")).into())
            }
            _ => Err(
                Pkcs11Error::Metadata(format!("key version object {label} exists twice")).into(),
            ),
        }
    }

    /// Removes objects left under `label` by a create or rotation that did
    /// not finish (they were never in use).
    fn remove_leftovers(&self, session: &Session, label: &str) -> Result<(), SessionError> {
        let found = session
            .find_objects(&[
                Attribute::Token(true),
                Attribute::Label(label.as_bytes().to_vec()),
            ])
            .map_err(ck("find leftover objects"))?;
        for h in found {
            session
                .destroy_object(h)
                .map_err(ck("remove leftover object"))?;
        }
        lock(&self.handles).retain(|(l, _), _| l != label);
        Ok(())
    }

    /// Generates the objects of one key version inside the token.
    fn generate(
        &self,
        session: &Session,
        algorithm: KeyAlgorithm,
        label: &str,
    ) -> Result<(), SessionError> {
        let label_attr = Attribute::Label(label.as_bytes().to_vec());
        let id_attr = Attribute::Id(label.as_bytes().to_vec());
        match algorithm {
            KeyAlgorithm::Aes256Gcm => {
                let template = [
                    Attribute::Class(ObjectClass::SECRET_KEY),
                    Attribute::KeyType(KeyType::AES),
                    Attribute::ValueLen(32u64.into()),
                    Attribute::Token(true),
                    Attribute::Private(true),
                    Attribute::Sensitive(true),
                    Attribute::Extractable(false),
                    Attribute::Encrypt(true),
                    Attribute::Decrypt(true),
                    Attribute::Wrap(false),
                    Attribute::Unwrap(false),
                    label_attr,
                    id_attr,
                ];
                session
                    .generate_key(&Mechanism::AesKeyGen, &template)
                    .map_err(ck("generate AES-256 key"))?;
            }
            KeyAlgorithm::EcdsaP256Sha256
            | KeyAlgorithm::EcdsaP384Sha384
            | KeyAlgorithm::Ed25519 => {
                let (mechanism, params) = match algorithm {
                    KeyAlgorithm::Ed25519 => (Mechanism::EccEdwardsKeyPairGen, ED25519_PARAMS),
                    KeyAlgorithm::EcdsaP384Sha384 => (Mechanism::EccKeyPairGen, P384_PARAMS),
                    _ => (Mechanism::EccKeyPairGen, P256_PARAMS),
                };
                let public = [
                    Attribute::Token(true),
                    Attribute::Private(false),
                    Attribute::Verify(true),
                    Attribute::EcParams(params.to_vec()),
                    label_attr.clone(),
                    id_attr.clone(),
                ];
                let private = [
                    Attribute::Token(true),
                    Attribute::Private(true),
                    Attribute::Sensitive(true),
                    Attribute::Extractable(false),
                    Attribute::Sign(true),
                    label_attr,
                    id_attr,
                ];
                match session.generate_key_pair(&mechanism, &public, &private) {
                    Ok(_) => {}
                    Err(e)
                        if algorithm == KeyAlgorithm::Ed25519
                            && matches!(
                                rv(&e),
                                Some(
                                    RvError::MechanismInvalid
                                        | RvError::DomainParamsInvalid
                                        | RvError::CurveNotSupported
                                )
                            ) =>
                    {
                        return Err(KmsError::InvalidInput(format!(
                            "algorithm: this PKCS#11 token does not support Ed25519 \
                             (CKM_EC_EDWARDS_KEY_PAIR_GEN: {e}); use p256"
                        ))
                        .into());
                    }
                    Err(e) => return Err(SessionError::Ck("generate key pair", e)),
                }
            }
            _ => {
                return Err(KmsError::InvalidInput(format!(
                    "algorithm: {} is not supported by the PKCS#11 key manager",
                    algorithm.as_str()
                ))
                .into());
            }
        }
        Ok(())
    }

    /// Writes `meta` (with the next generation) as a new metadata object,
    /// then removes the `old` ones.
    fn write_meta(
        &self,
        session: &Session,
        id: &KeyId,
        old: &[ObjectHandle],
        meta: &mut Meta,
    ) -> Result<(), SessionError> {
        if !old.is_empty() {
            meta.generation += 1;
        }
        let mut template = self.meta_template(id);
        template.push(Attribute::Private(true));
        template.push(Attribute::Value(meta.encode()));
        session
            .create_object(&template)
            .map_err(ck("write key metadata"))?;
        for h in old {
            session
                .destroy_object(*h)
                .map_err(ck("remove old key metadata"))?;
        }
        Ok(())
    }

    fn admin(&self) -> MutexGuard<'_, ()> {
        lock(&self.admin)
    }

    fn run<T>(&self, f: impl FnOnce(&Session) -> Result<T, SessionError>) -> Result<T, KmsError> {
        self.sessions.with(f).map_err(KmsError::from)
    }

    fn spki(&self, session: &Session, id: &KeyId, meta: &Meta) -> Result<Vec<u8>, SessionError> {
        let label = self.version_label(id, meta.primary);
        if let Some(spki) = lock(&self.spki).get(&label) {
            return Ok(spki.clone());
        }
        let handle = self.version_object(session, &label, ObjectClass::PUBLIC_KEY)?;
        let attrs = session
            .get_attributes(handle, &[AttributeType::EcPoint])
            .map_err(ck("read public key"))?;
        let point = attrs
            .into_iter()
            .find_map(|a| match a {
                Attribute::EcPoint(p) => Some(p),
                _ => None,
            })
            .ok_or_else(|| Pkcs11Error::Metadata(format!("{label}: no CKA_EC_POINT")))?;
        let (prefix, raw_len) = match meta.algorithm {
            KeyAlgorithm::Ed25519 => (ED25519_SPKI_PREFIX, 32),
            KeyAlgorithm::EcdsaP384Sha384 => (P384_SPKI_PREFIX, 97),
            _ => (P256_SPKI_PREFIX, 65),
        };
        let raw = ec_point(&point, raw_len)
            .ok_or_else(|| Pkcs11Error::Metadata(format!("{label}: malformed CKA_EC_POINT")))?;
        let mut spki = prefix.to_vec();
        spki.extend_from_slice(raw);
        lock(&self.spki).insert(label, spki.clone());
        Ok(spki)
    }
}

fn find_slot(ctx: &Pkcs11, config: &Pkcs11Config) -> Result<Slot, KmsError> {
    let slots = ctx
        .get_slots_with_token()
        .map_err(|e| error::call("list slots", e))?;
    let mut present = Vec::new();
    for slot in slots {
        let info = ctx
            .get_token_info(slot)
            .map_err(|e| error::call("read token info", e))?;
        let label = info.label().trim_end().to_owned();
        if label == config.token() {
            return Ok(slot);
        }
        present.push(label);
    }
    Err(Pkcs11Error::TokenNotFound {
        token: config.token().to_owned(),
        module: config.module().display().to_string(),
        present: if present.is_empty() {
            "none".to_owned()
        } else {
            present.join(", ")
        },
    }
    .into())
}

impl KeyManager for Pkcs11KeyManager {
    fn create_key(&self, id: &KeyId, algorithm: KeyAlgorithm) -> Result<KeyInfo, KmsError> {
        let _admin = self.admin();
        self.run(|s| {
            if self.load_meta(s, id)?.is_some() {
                return Err(KmsError::AlreadyExists.into());
            }
            let label = self.version_label(id, 1);
            self.remove_leftovers(s, &label)?;
            self.generate(s, algorithm, &label)?;
            let mut meta = Meta {
                generation: 1,
                algorithm,
                state: KeyState::Enabled,
                primary: 1,
            };
            self.write_meta(s, id, &[], &mut meta)?;
            Ok(meta.info(id))
        })
    }

    fn key_info(&self, id: &KeyId) -> Result<Option<KeyInfo>, KmsError> {
        self.run(|s| Ok(self.load_meta(s, id)?.map(|(_, m)| m.info(id))))
    }

    fn list_keys(&self) -> Result<Vec<KeyInfo>, KmsError> {
        self.run(|s| reread(|| self.list_keys_once(s)))
    }

    fn rotate_key(&self, id: &KeyId) -> Result<KeyInfo, KmsError> {
        let _admin = self.admin();
        self.run(|s| {
            let (old, mut meta) = self.require_meta(s, id)?;
            meta.refuse_if(
                &[KeyState::Disabled, KeyState::PendingDeletion],
                "rotate_key",
            )?;
            if meta.primary >= Self::MAX_VERSIONS {
                return Err(KmsError::InvalidInput(format!(
                    "kms_key_id: key {id} has the most versions allowed ({})",
                    Self::MAX_VERSIONS
                ))
                .into());
            }
            let next = meta.primary + 1;
            let label = self.version_label(id, next);
            self.remove_leftovers(s, &label)?;
            self.generate(s, meta.algorithm, &label)?;
            meta.primary = next;
            self.write_meta(s, id, &old, &mut meta)?;
            Ok(meta.info(id))
        })
    }

    fn set_key_state(&self, id: &KeyId, state: KeyState) -> Result<KeyInfo, KmsError> {
        let _admin = self.admin();
        self.run(|s| {
            let (old, mut meta) = self.require_meta(s, id)?;
            if meta.state != state || old.len() > 1 {
                meta.state = state;
                self.write_meta(s, id, &old, &mut meta)?;
            }
            Ok(meta.info(id))
        })
    }

    fn wrap(&self, id: &KeyId, dek: &SecretBytes, aad: &[u8]) -> Result<WrappedKey, KmsError> {
        if !(Self::MIN_DEK_LEN..=Self::MAX_DEK_LEN).contains(&dek.len()) {
            return Err(KmsError::InvalidInput(format!(
                "dek: must be {}..={} bytes, got {}",
                Self::MIN_DEK_LEN,
                Self::MAX_DEK_LEN,
                dek.len()
            )));
        }
        let mut iv = [0u8; IV_LEN];
        self.rng.fill(&mut iv).map_err(|_| {
            KmsError::backend(Pkcs11Error::Metadata("random generator failed".into()))
        })?;
        self.run(|s| {
            let (_, meta) = self.require_meta(s, id)?;
            meta.require_purpose(KeyPurpose::Wrap, "wrap")?;
            meta.refuse_if(&[KeyState::Disabled, KeyState::PendingDeletion], "wrap")?;
            let key = self.version_object(
                s,
                &self.version_label(id, meta.primary),
                ObjectClass::SECRET_KEY,
            )?;
            let gcm_aad = wrap_aad(id, meta.primary, aad);
            let mut iv_param = iv;
            let params = GcmParams::new(&mut iv_param, &gcm_aad, (TAG_LEN as u64 * 8).into())
                .map_err(ck("set up AES-GCM"))?;
            let sealed = s
                .encrypt(&Mechanism::AesGcm(params), key, dek.expose())
                .map_err(ck("AES-GCM encrypt"))?;
            let mut ciphertext = Vec::with_capacity(1 + IV_LEN + sealed.len());
            ciphertext.push(WRAP_FORMAT_V1);
            ciphertext.extend_from_slice(&iv);
            ciphertext.extend_from_slice(&sealed);
            Ok(WrappedKey {
                key: id.clone(),
                version: meta.primary,
                ciphertext,
            })
        })
    }

    fn unwrap(&self, wrapped: &WrappedKey, aad: &[u8]) -> Result<SecretBytes, KmsError> {
        let id = &wrapped.key;
        self.run(|s| {
            let (_, meta) = self.require_meta(s, id)?;
            meta.require_purpose(KeyPurpose::Wrap, "unwrap")?;
            meta.refuse_if(&[KeyState::PendingDeletion], "unwrap")?;
            if wrapped.version == 0 || wrapped.version > meta.primary {
                return Err(KmsError::NotFound.into());
            }
            let blob = wrapped.ciphertext.as_slice();
            let min = 1 + IV_LEN + Self::MIN_DEK_LEN + TAG_LEN;
            let max = 1 + IV_LEN + Self::MAX_DEK_LEN + TAG_LEN;
            if !(min..=max).contains(&blob.len()) || blob[0] != WRAP_FORMAT_V1 {
                return Err(KmsError::UnwrapFailed.into());
            }
            let key = self.version_object(
                s,
                &self.version_label(id, wrapped.version),
                ObjectClass::SECRET_KEY,
            )?;
            let mut iv = [0u8; IV_LEN];
            iv.copy_from_slice(&blob[1..1 + IV_LEN]);
            let gcm_aad = wrap_aad(id, wrapped.version, aad);
            let params = GcmParams::new(&mut iv, &gcm_aad, (TAG_LEN as u64 * 8).into())
                .map_err(ck("set up AES-GCM"))?;
            match s.decrypt(&Mechanism::AesGcm(params), key, &blob[1 + IV_LEN..]) {
                Ok(plain) => {
                    let plain = Zeroizing::new(plain);
                    Ok(SecretBytes::from_slice(&plain))
                }
                Err(e) => match rv(&e) {
                    // The tag did not verify (tampered blob, other AAD,
                    // other key) or the data is malformed.
                    Some(
                        RvError::EncryptedDataInvalid
                        | RvError::EncryptedDataLenRange
                        | RvError::DataInvalid
                        | RvError::DataLenRange
                        | RvError::FunctionFailed
                        // SoftHSM's answer to a tag mismatch.
                        | RvError::GeneralError,
                    ) => Err(KmsError::UnwrapFailed.into()),
                    _ => Err(SessionError::Ck("AES-GCM decrypt", e)),
                },
            }
        })
    }

    fn sign(&self, id: &KeyId, msg: &[u8]) -> Result<Vec<u8>, KmsError> {
        self.run(|s| {
            let (_, meta) = self.require_meta(s, id)?;
            meta.require_purpose(KeyPurpose::Sign, "sign")?;
            meta.refuse_if(&[KeyState::Disabled, KeyState::PendingDeletion], "sign")?;
            let key = self.version_object(
                s,
                &self.version_label(id, meta.primary),
                ObjectClass::PRIVATE_KEY,
            )?;
            let sig = match meta.algorithm {
                KeyAlgorithm::Ed25519 => s
                    .sign(
                        &Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure)),
                        key,
                        msg,
                    )
                    .map_err(ck("EdDSA sign"))?,
                KeyAlgorithm::EcdsaP384Sha384 => {
                    let digest = ring::digest::digest(&ring::digest::SHA384, msg);
                    s.sign(&Mechanism::Ecdsa, key, digest.as_ref())
                        .map_err(ck("ECDSA sign"))?
                }
                _ => {
                    let digest = ring::digest::digest(&ring::digest::SHA256, msg);
                    s.sign(&Mechanism::Ecdsa, key, digest.as_ref())
                        .map_err(ck("ECDSA sign"))?
                }
            };
            let want = if meta.algorithm == KeyAlgorithm::EcdsaP384Sha384 {
                96
            } else {
                64
            };
            if sig.len() != want {
                return Err(Pkcs11Error::Metadata(format!(
                    "token returned a {}-byte signature, expected {want}",
                    sig.len()
                ))
                .into());
            }
            Ok(sig)
        })
    }

    fn public_key(&self, id: &KeyId) -> Result<Vec<u8>, KmsError> {
        self.run(|s| {
            let (_, meta) = self.require_meta(s, id)?;
            meta.require_purpose(KeyPurpose::Sign, "public_key")?;
            meta.refuse_if(&[KeyState::PendingDeletion], "public_key")?;
            self.spki(s, id, &meta)
        })
    }
}

#[cfg(feature = "testing")]
#[doc(hidden)]
pub mod testing;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_start_over_while_found_objects_vanish_and_then_give_up() {
        let gone = || {
            SessionError::Ck(
                "read key metadata",
                cryptoki::error::Error::Pkcs11(
                    RvError::ObjectHandleInvalid,
                    cryptoki::context::Function::GetAttributeValue,
                ),
            )
        };
        // Vanished twice, then read: the third attempt's answer.
        let mut calls = 0;
        let r = reread(|| {
            calls += 1;
            if calls < 3 { Err(gone()) } else { Ok(calls) }
        });
        assert_eq!(r.ok(), Some(3));
        // Always vanishing: the error after META_READ_ATTEMPTS reads.
        let mut calls = 0;
        let r: Result<(), _> = reread(|| {
            calls += 1;
            Err(gone())
        });
        assert!(r.as_ref().is_err_and(vanished));
        assert_eq!(calls, META_READ_ATTEMPTS);
        // Any other failure is returned at once.
        let mut calls = 0;
        let r: Result<(), _> = reread(|| {
            calls += 1;
            Err(SessionError::Ck(
                "read key metadata",
                cryptoki::error::Error::Pkcs11(
                    RvError::GeneralError,
                    cryptoki::context::Function::GetAttributeValue,
                ),
            ))
        });
        assert!(r.is_err());
        assert_eq!(calls, 1);
    }

    #[test]
    fn meta_round_trips_and_rejects_garbage() {
        let m = Meta {
            generation: 3,
            algorithm: KeyAlgorithm::EcdsaP256Sha256,
            state: KeyState::PendingDeletion,
            primary: 7,
        };
        assert_eq!(Meta::decode(&m.encode()), Some(m));
        for bad in [
            &b""[..],
            b"credcycle-pkcs11/2;gen=1;alg=p256;state=ENABLED;primary=1",
            b"credcycle-pkcs11/1;alg=p256;state=ENABLED;primary=1",
            b"credcycle-pkcs11/1;gen=1;alg=p256;state=ENABLED",
            b"credcycle-pkcs11/1;gen=1;alg=p256;state=ENABLED;primary=0",
            b"credcycle-pkcs11/1;gen=1;alg=rsa;state=ENABLED;primary=1",
            b"credcycle-pkcs11/1;gen=1;alg=p256;state=ON;primary=1",
            b"credcycle-pkcs11/1;gen=1;alg=p256;state=ENABLED;primary=1;x=y",
            b"\xff",
        ] {
            assert_eq!(Meta::decode(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn ec_points_are_unwrapped() {
        let raw = [7u8; 32];
        let mut der = vec![0x04, 32];
        der.extend_from_slice(&raw);
        assert_eq!(ec_point(&der, 32), Some(&raw[..]));
        assert_eq!(ec_point(&raw, 32), Some(&raw[..]));
        let mut point = vec![0x04];
        point.extend_from_slice(&[9u8; 64]);
        let mut wrapped = vec![0x04, 65];
        wrapped.extend_from_slice(&point);
        assert_eq!(ec_point(&wrapped, 65), Some(&point[..]));
        assert_eq!(ec_point(&point, 65), Some(&point[..]));
        assert_eq!(ec_point(&point[..40], 65), None);
    }
}
