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

#[cfg(test)]
mod proptests {
    use super::*;
    use ciborium::Value;
    use proptest::prelude::*;
    use serde::Deserialize;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Sample {
        name: String,
        n: u64,
        #[serde(default)]
        opt: Option<i64>,
        list: Vec<String>,
        raw: bytes::ByteBuf,
    }

    fn sample() -> impl Strategy<Value = Sample> {
        (
            ".{0,16}",
            any::<u64>(),
            any::<Option<i64>>(),
            prop::collection::vec(".{0,8}", 0..4),
            prop::collection::vec(any::<u8>(), 0..64),
        )
            .prop_map(|(name, n, opt, list, raw)| Sample {
                name,
                n,
                opt,
                list,
                raw: bytes::ByteBuf(raw),
            })
    }

    /// Leaves of CBOR values of every major type.
    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<i64>().prop_map(|i| Value::Integer(i.into())),
            any::<u64>().prop_map(|i| Value::Integer(i.into())),
            prop::collection::vec(any::<u8>(), 0..16).prop_map(Value::Bytes),
            ".{0,12}".prop_map(Value::Text),
            any::<bool>().prop_map(Value::Bool),
            any::<f64>().prop_map(Value::Float),
            Just(Value::Null),
        ]
    }

    /// A map keyed by the secret record's field names (and a stray one),
    /// with values of arbitrary shape: the typed decoder must reject the bad
    /// ones without panicking.
    fn record_like() -> impl Strategy<Value = Value> {
        const FIELDS: &[&str] = &[
            "id",
            "name",
            "description",
            "kms_key_id",
            "state",
            "prior_state",
            "create_time",
            "update_time",
            "scheduled_delete_time",
            "next_version",
            "versions",
            "idempotency",
            "n",
            "labels",
            "kms_key_version",
            "token",
            "version",
            "value_mac",
            "unknown",
        ];
        let value = leaf().prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec(
                    (
                        prop::sample::select(FIELDS).prop_map(|f| Value::Text(f.into())),
                        inner
                    ),
                    0..6
                )
                .prop_map(Value::Map),
            ]
        });
        prop::collection::vec(
            (
                prop::sample::select(FIELDS).prop_map(|f| Value::Text(f.into())),
                value,
            ),
            0..14,
        )
        .prop_map(Value::Map)
    }

    fn to_record_bytes(v: &Value) -> Vec<u8> {
        let mut out = vec![FORMAT_CBOR_V1];
        ciborium::into_writer(v, &mut out).expect("encode value");
        out
    }

    /// Every decoder the crate has for persisted records, on `data`.
    fn decode_all(data: &[u8]) {
        let _ = decode::<Value>(data, "value");
        let _ = decode::<Sample>(data, "sample");
        crate::secrets::fuzz_decode_record(data);
        crate::internal::fuzzing::record_codec(data);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn decode_never_panics_on_arbitrary_bytes(data in prop::collection::vec(any::<u8>(), 0..512)) {
            decode_all(&data);
        }

        #[test]
        fn decode_never_panics_past_the_format_byte(body in prop::collection::vec(any::<u8>(), 0..512)) {
            let mut data = vec![FORMAT_CBOR_V1];
            data.extend_from_slice(&body);
            decode_all(&data);
        }

        #[test]
        fn roundtrip(s in sample()) {
            let bytes = encode(&s).expect("encode");
            prop_assert_eq!(bytes[0], FORMAT_CBOR_V1);
            let back: Sample = decode(&bytes, "sample").expect("decode");
            prop_assert_eq!(back, s);
        }

        /// Truncated or damaged encodings of valid records fail cleanly (or
        /// decode to something), never panic.
        #[test]
        fn damaged_encodings_never_panic(
            s in sample(),
            cut in any::<prop::sample::Index>(),
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
        ) {
            let bytes = encode(&s).expect("encode");
            decode_all(&bytes[..cut.index(bytes.len())]);
            let mut damaged = bytes;
            let i = at.index(damaged.len());
            damaged[i] = byte;
            decode_all(&damaged);
        }

        /// Record-shaped maps with values of the wrong type, missing or
        /// duplicated fields decode to an error or a record, never a panic.
        #[test]
        fn record_shaped_values_never_panic(v in record_like()) {
            decode_all(&to_record_bytes(&v));
        }
    }

    #[test]
    fn deep_nesting_is_rejected_without_overflow() {
        // 10k nested arrays: beyond ciborium's recursion limit.
        let mut data = vec![FORMAT_CBOR_V1];
        data.extend(std::iter::repeat_n(0x81u8, 10_000));
        data.push(0x00);
        assert!(decode::<Value>(&data, "value").is_err());
        decode_all(&data);
    }

    #[test]
    fn oversized_record_is_rejected() {
        let mut data = vec![FORMAT_CBOR_V1];
        data.resize(MAX_RECORD_LEN + 2, 0);
        assert!(decode::<Value>(&data, "value").is_err());
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

/// A minimal CBOR reader and writer for the hand-written fast paths of hot
/// records (see `crate::secrets::record`). It reads only definite-length
/// items and writes exactly what the serde encoder writes (shortest argument
/// encodings, definite lengths), so a fast path can always fall back to
/// [`decode`] for anything it does not take, and property tests compare the
/// two byte for byte.
pub(crate) mod cbor {
    /// Major types.
    pub(crate) const UINT: u8 = 0;
    pub(crate) const NINT: u8 = 1;
    pub(crate) const BYTES: u8 = 2;
    pub(crate) const TEXT: u8 = 3;
    pub(crate) const ARRAY: u8 = 4;
    pub(crate) const MAP: u8 = 5;
    /// The simple value `null`.
    pub(crate) const NULL: u8 = 0xf6;

    /// A cursor over CBOR bytes. Every method returns `None` (and the
    /// caller gives up) on anything unexpected; none panics.
    #[derive(Clone)]
    pub(crate) struct Reader<'a> {
        buf: &'a [u8],
        pos: usize,
    }

    impl<'a> Reader<'a> {
        pub(crate) fn new(buf: &'a [u8]) -> Self {
            Reader { buf, pos: 0 }
        }

        pub(crate) fn at_end(&self) -> bool {
            self.pos == self.buf.len()
        }

        #[inline]
        fn take(&mut self, n: usize) -> Option<&'a [u8]> {
            let end = self.pos.checked_add(n)?;
            let s = self.buf.get(self.pos..end)?;
            self.pos = end;
            Some(s)
        }

        /// A header: major type and argument (definite lengths only).
        #[inline]
        pub(crate) fn head(&mut self) -> Option<(u8, u64)> {
            let b = *self.buf.get(self.pos)?;
            self.pos += 1;
            let arg = match b & 0x1f {
                ai @ 0..=23 => u64::from(ai),
                24 => u64::from(self.take(1)?[0]),
                25 => {
                    let s = self.take(2)?;
                    u64::from(u16::from_be_bytes([s[0], s[1]]))
                }
                26 => {
                    let s = self.take(4)?;
                    u64::from(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
                }
                27 => {
                    let s = self.take(8)?;
                    let mut a = [0u8; 8];
                    a.copy_from_slice(s);
                    u64::from_be_bytes(a)
                }
                _ => return None,
            };
            Some((b >> 5, arg))
        }

        fn expect(&mut self, major: u8) -> Option<u64> {
            match self.head()? {
                (m, arg) if m == major => Some(arg),
                _ => None,
            }
        }

        fn len(&mut self, major: u8) -> Option<usize> {
            usize::try_from(self.expect(major)?).ok()
        }

        /// A text string's raw bytes, not checked for UTF-8: for map keys
        /// that are only compared with ASCII field names (any other key
        /// makes the caller give up).
        #[inline]
        pub(crate) fn key(&mut self) -> Option<&'a [u8]> {
            let n = self.len(TEXT)?;
            self.take(n)
        }

        pub(crate) fn text(&mut self) -> Option<&'a str> {
            let n = self.len(TEXT)?;
            std::str::from_utf8(self.take(n)?).ok()
        }

        pub(crate) fn bytes(&mut self) -> Option<&'a [u8]> {
            let n = self.len(BYTES)?;
            self.take(n)
        }

        pub(crate) fn uint(&mut self) -> Option<u64> {
            self.expect(UINT)
        }

        pub(crate) fn int(&mut self) -> Option<i64> {
            match self.head()? {
                (UINT, n) => i64::try_from(n).ok(),
                (NINT, n) => i64::try_from(n).ok().map(|n| -1 - n),
                _ => None,
            }
        }

        /// Consumes a `null` if one is next.
        pub(crate) fn null(&mut self) -> bool {
            if self.buf.get(self.pos) == Some(&NULL) {
                self.pos += 1;
                true
            } else {
                false
            }
        }

        pub(crate) fn array(&mut self) -> Option<usize> {
            self.len(ARRAY)
        }

        pub(crate) fn map(&mut self) -> Option<usize> {
            self.len(MAP)
        }
    }

    /// Appends a header with the shortest argument encoding.
    pub(crate) fn put_head(out: &mut Vec<u8>, major: u8, arg: u64) {
        let m = major << 5;
        if arg < 24 {
            out.push(m | arg as u8);
        } else if let Ok(a) = u8::try_from(arg) {
            out.extend_from_slice(&[m | 24, a]);
        } else if let Ok(a) = u16::try_from(arg) {
            out.push(m | 25);
            out.extend_from_slice(&a.to_be_bytes());
        } else if let Ok(a) = u32::try_from(arg) {
            out.push(m | 26);
            out.extend_from_slice(&a.to_be_bytes());
        } else {
            out.push(m | 27);
            out.extend_from_slice(&arg.to_be_bytes());
        }
    }

    pub(crate) fn put_text(out: &mut Vec<u8>, s: &str) {
        put_head(out, TEXT, s.len() as u64);
        out.extend_from_slice(s.as_bytes());
    }

    pub(crate) fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
        put_head(out, BYTES, b.len() as u64);
        out.extend_from_slice(b);
    }

    pub(crate) fn put_int(out: &mut Vec<u8>, v: i64) {
        if v < 0 {
            // -1 - v fits in u64 for every negative i64.
            put_head(out, NINT, !(v as u64));
        } else {
            put_head(out, UINT, v as u64);
        }
    }
}
