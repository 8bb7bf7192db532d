#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs, rustdoc::broken_intra_doc_links)]

pub mod audit;
pub mod codec;
pub mod crypto;
pub mod encoding;
pub mod engine;
pub mod envelope;
pub mod error;
pub mod identities;
pub mod jose;
pub mod kms;
pub mod machine_auth;
pub mod mfa;
mod namespace;
pub mod policy;
pub mod secrets;
pub mod services;
pub mod store;
pub mod targets;
pub mod token;
pub mod tokens;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod internal;

pub use crypto::SecretBytes;
pub use engine::{Engine, EngineBuilder};
pub use policy::Policy;

pub use error::{Error, ErrorCode, ErrorKind, InvalidInput, Result};
pub use kms::{
    KeyAlgorithm, KeyId, KeyInfo, KeyManager, KeyPurpose, KeyState, KmsError, LocalKeyManager,
    WrappedKey,
};

pub use services::{Clock, OsRandom, RandomError, SecureRandom, Services, SystemClock, UnixTime};
pub use store::{MemoryStore, Op, Record, Store, StoreError, Table, Version};

/// The repository README's Rust example, compiled and run as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
