//! The engine's token-signing key: an ES256 key in the [`KeyManager`]
//! (id [`Policy::token_signing_key`](crate::Policy::token_signing_key),
//! created on first use), its rotation, and the JWKS that publishes it.
//!
//! The key manager only exposes the primary version's public key, so the
//! engine records each public key it has signed with in the store (table
//! [`Table::JoseSigningKeys`], one engine-wide record). After a rotation the
//! previous key stays in the JWKS for
//! [`Policy::token_key_retention_secs`](crate::Policy::token_key_retention_secs),
//! so tokens it signed keep verifying until they expire; then it is pruned.
//! `kid` is the key's RFC 7638 thumbprint.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::jwk::{Jwk, Jwks};
use super::jws;
use super::spki::{Curve, PublicKey};
use crate::codec::{self, bytes::ByteBuf};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::kms::{KeyAlgorithm, KeyId, KmsError};
use crate::store::{Op, Table, Version};

/// Store key of the engine-wide record of published signing keys. It starts
/// with `@`, which no tenant id may contain, so no tenant's keys collide.
const RECORD_KEY: &[u8] = b"@engine/jose/signing-keys";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct PublishedRecord {
    pub(crate) keys: Vec<PublishedKey>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct PublishedKey {
    pub(crate) kid: String,
    pub(crate) kms_key: String,
    pub(crate) kms_version: u32,
    pub(crate) spki: ByteBuf,
    pub(crate) created: i64,
    /// When a newer key replaced it as the signing key.
    #[serde(default)]
    pub(crate) retired: Option<i64>,
    /// When it leaves the JWKS (set on retirement).
    #[serde(default)]
    pub(crate) expires: Option<i64>,
}

/// The signing key the engine uses now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningKeyInfo {
    /// The key manager's key id.
    pub kms_key: KeyId,
    /// The key manager's version.
    pub kms_version: u32,
    /// The JWK thumbprint used as `kid`.
    pub kid: String,
}

#[derive(Debug, Default)]
struct Cache {
    kms_version: u32,
    kid: String,
}

/// JOSE operations bound to an engine: ES256 signing through the key
/// manager, rotation, and the JWKS. Get one from [`Engine::jose`]; cheap to
/// clone; clones share a small cache of the current `kid`.
#[derive(Clone, Debug)]
pub struct Jose {
    engine: Engine,
    cache: Arc<Mutex<Option<Cache>>>,
}

impl Jose {
    pub(crate) fn new(engine: Engine) -> Self {
        Jose {
            engine,
            cache: Arc::new(Mutex::new(None)),
        }
    }

    fn key_id(&self) -> &KeyId {
        &self.engine.policy().token_signing_key
    }

    /// Creates the token-signing key in the key manager if it is missing,
    /// and makes sure its current version is published.
    ///
    /// # Errors
    /// Key manager errors (for example a key with that id that is not a
    /// P-256 signing key: [`Error::Kms`] with `KeyPurpose`); store errors.
    pub fn current_key(&self) -> Result<SigningKeyInfo> {
        let keys = self.engine.keys();
        let id = self.key_id().clone();
        let info = match keys.key_info(&id)? {
            Some(i) => i,
            None => match keys.create_key(&id, KeyAlgorithm::EcdsaP256Sha256) {
                Ok(i) => i,
                Err(KmsError::AlreadyExists) => {
                    keys.key_info(&id)?.ok_or(Error::Kms(KmsError::NotFound))?
                }
                Err(e) => return Err(e.into()),
            },
        };
        if info.algorithm != KeyAlgorithm::EcdsaP256Sha256 {
            return Err(Error::Kms(KmsError::WrongPurpose {
                purpose: info.purpose,
                operation: "token signing (needs a P-256 key)",
            }));
        }
        if let Ok(guard) = self.cache.lock() {
            if let Some(c) = guard
                .as_ref()
                .filter(|c| c.kms_version == info.primary_version)
            {
                return Ok(SigningKeyInfo {
                    kms_key: id,
                    kms_version: c.kms_version,
                    kid: c.kid.clone(),
                });
            }
        }
        let spki = keys.public_key(&id)?;
        let public = PublicKey::from_spki_der(&spki)
            .map_err(|_| Error::Internal("key manager returned an unparsable public key"))?;
        let kid = Jwk::from_public_key(public, None, None).thumbprint();
        self.publish(&id, info.primary_version, &kid, &spki)?;
        if let Ok(mut guard) = self.cache.lock() {
            *guard = Some(Cache {
                kms_version: info.primary_version,
                kid: kid.clone(),
            });
        }
        Ok(SigningKeyInfo {
            kms_key: id,
            kms_version: info.primary_version,
            kid,
        })
    }

    /// Records `kid` as the current signing key (if it is not already),
    /// retiring the others and pruning expired ones, in one CAS commit.
    fn publish(&self, id: &KeyId, version: u32, kid: &str, spki: &[u8]) -> Result<()> {
        let store = &self.engine.services().store;
        let retention = self.engine.policy().token_key_retention_secs;
        self.engine.retry(|| {
            let now = self.engine.services().clock.now().secs();
            let (mut rec, ver) = self.load()?;
            if rec.keys.iter().any(|k| k.kid == kid && k.retired.is_none()) {
                return Ok(());
            }
            for k in rec.keys.iter_mut().filter(|k| k.retired.is_none()) {
                k.retired = Some(now);
                k.expires = Some(now.saturating_add(retention));
            }
            rec.keys
                .retain(|k| k.kid != kid && k.expires.is_none_or(|e| e > now));
            rec.keys.push(PublishedKey {
                kid: kid.to_owned(),
                kms_key: id.as_str().to_owned(),
                kms_version: version,
                spki: ByteBuf(spki.to_vec()),
                created: now,
                retired: None,
                expires: None,
            });
            store.commit(&[Op::Put {
                table: Table::JoseSigningKeys,
                key: RECORD_KEY.to_vec(),
                value: codec::encode(&rec)?,
                expect: ver,
            }])?;
            Ok(())
        })
    }

    fn load(&self) -> Result<(PublishedRecord, Version)> {
        match self
            .engine
            .services()
            .store
            .get(Table::JoseSigningKeys, RECORD_KEY)?
        {
            Some(r) => Ok((codec::decode(&r.value, "jose signing keys")?, r.version)),
            None => Ok((PublishedRecord { keys: Vec::new() }, Version::ABSENT)),
        }
    }

    /// Adds a new version to the token-signing key and publishes it; the
    /// previous key stays in the JWKS for the policy's retention time.
    ///
    /// # Errors
    /// Key manager errors (the key must be enabled); store errors.
    pub fn rotate_signing_key(&self) -> Result<SigningKeyInfo> {
        self.current_key()?;
        self.engine.keys().rotate_key(self.key_id())?;
        self.current_key()
    }

    /// The JWKS: the current signing key and the previous ones still within
    /// their retention time. Creates the key on first use.
    ///
    /// # Errors
    /// As [`Jose::current_key`]; corrupt records.
    pub fn jwks(&self) -> Result<Jwks> {
        self.current_key()?;
        let now = self.engine.services().clock.now().secs();
        let (rec, _) = self.load()?;
        let keys = rec
            .keys
            .iter()
            .filter(|k| k.expires.is_none_or(|e| e > now))
            .map(|k| {
                let public = PublicKey::from_spki_der(&k.spki.0)
                    .map_err(|_| Error::corrupt("jose signing key"))?;
                if !matches!(
                    public,
                    PublicKey::Ec {
                        curve: Curve::P256,
                        ..
                    }
                ) {
                    return Err(Error::corrupt("jose signing key"));
                }
                Ok(Jwk::from_public_key(
                    public,
                    Some(k.kid.clone()),
                    Some("ES256"),
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Jwks::new(keys)
    }

    /// Signs `payload` as a compact JWS (ES256, `kid` set) with extra
    /// protected header members `extra` (for example `typ`).
    ///
    /// # Errors
    /// As [`Jose::current_key`]; key manager signing errors.
    pub fn sign_jws(&self, extra: &Map<String, Value>, payload: &[u8]) -> Result<String> {
        let key = self.current_key()?;
        let mut header = extra.clone();
        header.insert("alg".into(), Value::String("ES256".into()));
        header.insert("kid".into(), Value::String(key.kid));
        let keys = self.engine.keys();
        jws::sign_compact(&header, payload, |msg| {
            keys.sign(&key.kms_key, msg).map_err(Error::from)
        })
    }

    /// Signs `claims` as a JWT (`typ` `JWT`).
    ///
    /// # Errors
    /// As [`Jose::sign_jws`].
    pub fn sign_jwt(&self, claims: &Map<String, Value>) -> Result<String> {
        let payload = serde_json::to_vec(claims)
            .map_err(|_| Error::Internal("jwt claims encoding failed"))?;
        let mut extra = Map::new();
        extra.insert("typ".into(), Value::String("JWT".into()));
        self.sign_jws(&extra, &payload)
    }
}
