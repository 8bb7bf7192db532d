//! The versioned record codec: one format byte, then a self-describing CBOR
//! encoding of the record (a map keyed by field name).
//!
//! Field names are part of the persisted layout: renaming a field is a format
//! change. New optional fields carry `#[serde(default)]` so that records
//! written by an earlier release still load; known-answer tests pin the bytes.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Format byte of records encoded as CBOR maps (the only format so far).
pub const FORMAT_CBOR_V1: u8 = 1;

/// Largest record the codec decodes (bounded so hostile input cannot make it
/// allocate without limit).
pub const MAX_RECORD_LEN: usize = 4 * 1024 * 1024;

/// Encodes `value` as a versioned record.
///
/// # Errors
/// [`Error::Internal`] if serialization fails (it does not for engine types).
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut out = vec![FORMAT_CBOR_V1];
    ciborium::into_writer(value, &mut out)
        .map_err(|_| Error::Internal("record encoding failed"))?;
    Ok(out)
}

/// Decodes a versioned record. Never panics, whatever the bytes.
///
/// # Errors
/// [`crate::StoreError::Corrupt`] (as [`Error::Store`]) naming `what` when
/// the format byte is unknown or the body does not decode.
pub fn decode<T: DeserializeOwned>(bytes: &[u8], what: &'static str) -> Result<T> {
    match bytes.split_first() {
        Some((&FORMAT_CBOR_V1, body)) if body.len() <= MAX_RECORD_LEN => {
            // Recursion of hostile nesting is bounded by ciborium's default
            // recursion limit (256).
            ciborium::from_reader(body).map_err(|_| Error::corrupt(what))
        }
        _ => Err(Error::corrupt(what)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Sample {
        name: String,
        n: u64,
        #[serde(with = "serde_bytes_compat")]
        raw: Vec<u8>,
    }

    mod serde_bytes_compat {
        pub(super) use crate::codec::bytes::{deserialize, serialize};
    }

    #[test]
    fn known_answer_layout_is_pinned() {
        let s = Sample {
            name: "a".into(),
            n: 2,
            raw: vec![0xff],
        };
        let bytes = encode(&s).expect("encode");
        // format 1, CBOR map(3) {"name": "a", "n": 2, "raw": h'ff'}
        assert_eq!(
            bytes,
            [
                0x01, 0xa3, 0x64, b'n', b'a', b'm', b'e', 0x61, b'a', 0x61, b'n', 0x02, 0x63, b'r',
                b'a', b'w', 0x41, 0xff
            ]
        );
        let back: Sample = decode(&bytes, "sample").expect("decode");
        assert_eq!(back, s);
    }

    #[test]
    fn unknown_format_byte_is_corrupt() {
        let err = decode::<Sample>(&[2, 0xa0], "sample").expect_err("must fail");
        assert_eq!(err.code(), crate::ErrorCode::StoreCorrupt);
        assert!(decode::<Sample>(&[], "sample").is_err());
    }
}

/// Serde helpers that encode `Vec<u8>` as a CBOR byte string (not an array).
pub mod bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes bytes as a byte string.
    ///
    /// # Errors
    /// Those of the serializer.
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }

    /// Deserializes a byte string.
    ///
    /// # Errors
    /// Those of the deserializer (a non-bytes value).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
        }
        d.deserialize_byte_buf(V)
    }

    /// A newtype whose serde form is a byte string, for use inside containers.
    #[derive(Clone, PartialEq, Eq, Default)]
    pub struct ByteBuf(pub Vec<u8>);

    impl std::fmt::Debug for ByteBuf {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "ByteBuf(<{} bytes>)", self.0.len())
        }
    }

    impl serde::Serialize for ByteBuf {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            serialize(&self.0, s)
        }
    }

    impl<'de> Deserialize<'de> for ByteBuf {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            deserialize(d).map(ByteBuf)
        }
    }
}
