//! The persisted secret record (format byte + CBOR map; see `crate::codec`).
//!
//! Field names are the on-disk layout; a known-answer test pins them.

use serde::{Deserialize, Serialize};

use super::{Label, SecretMetadata, SecretState, VersionInfo, VersionSelector};
use crate::codec::{self, bytes::ByteBuf, cbor};
use crate::error::{Error, Result};
use crate::kms::KeyId;
use crate::services::UnixTime;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct SecretRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) kms_key_id: String,
    pub(crate) state: String,
    /// The state to return to from FROZEN or PENDING_DELETE.
    #[serde(default)]
    pub(crate) prior_state: Option<String>,
    pub(crate) create_time: i64,
    pub(crate) update_time: i64,
    #[serde(default)]
    pub(crate) scheduled_delete_time: Option<i64>,
    /// The number the next version gets.
    pub(crate) next_version: u64,
    pub(crate) versions: Vec<VersionMeta>,
    #[serde(default)]
    pub(crate) idempotency: Vec<IdempotencyEntry>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct VersionMeta {
    pub(crate) n: u64,
    pub(crate) labels: Vec<String>,
    pub(crate) kms_key_id: String,
    pub(crate) kms_key_version: u32,
    pub(crate) create_time: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct IdempotencyEntry {
    pub(crate) token: String,
    pub(crate) version: u64,
    /// HMAC of the value under the tenant's idempotency key.
    pub(crate) value_mac: ByteBuf,
}

impl SecretRecord {
    pub(crate) fn state(&self) -> Result<SecretState> {
        SecretState::from_str_opt(&self.state).ok_or_else(|| Error::corrupt("secret state"))
    }

    pub(crate) fn prior(&self) -> Result<SecretState> {
        match &self.prior_state {
            Some(s) => SecretState::from_str_opt(s).ok_or_else(|| Error::corrupt("secret state")),
            None => Ok(SecretState::Enabled),
        }
    }

    pub(crate) fn version_with(&self, label: Label) -> Option<&VersionMeta> {
        self.versions
            .iter()
            .find(|v| v.labels.iter().any(|l| l == label.as_str()))
    }

    pub(crate) fn version(&self, n: u64) -> Option<&VersionMeta> {
        self.versions.iter().find(|v| v.n == n)
    }

    /// Removes `label` from every version.
    pub(crate) fn clear_label(&mut self, label: Label) {
        for v in &mut self.versions {
            v.labels.retain(|l| l != label.as_str());
        }
    }

    /// Adds `label` to version `n` (after clearing it elsewhere).
    pub(crate) fn set_label(&mut self, n: u64, label: Label) {
        self.clear_label(label);
        if let Some(v) = self.versions.iter_mut().find(|v| v.n == n) {
            v.labels.push(label.as_str().to_owned());
            v.labels.sort();
        }
    }

    pub(crate) fn to_metadata(&self) -> Result<SecretMetadata> {
        let versions = self
            .versions
            .iter()
            .map(|v| {
                let mut labels = v
                    .labels
                    .iter()
                    .map(|l| Label::parse(l).ok_or_else(|| Error::corrupt("secret label")))
                    .collect::<Result<Vec<_>>>()?;
                labels.sort();
                Ok(VersionInfo {
                    number: v.n,
                    labels,
                    kms_key_id: KeyId::new(v.kms_key_id.clone())
                        .map_err(|_| Error::corrupt("secret version key id"))?,
                    kms_key_version: v.kms_key_version,
                    create_time: UnixTime(v.create_time),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(SecretMetadata {
            id: self.id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            kms_key_id: KeyId::new(self.kms_key_id.clone())
                .map_err(|_| Error::corrupt("secret key id"))?,
            state: self.state()?,
            create_time: UnixTime(self.create_time),
            update_time: UnixTime(self.update_time),
            scheduled_delete_time: self.scheduled_delete_time.map(UnixTime),
            versions,
        })
    }
}

/// The fields of a stored secret record that reading a value needs, and the
/// number of the version a selector names (found without building any
/// version).
#[derive(Debug)]
pub(crate) struct ValueLookup {
    pub(crate) id: String,
    pub(crate) state: String,
    /// The matching version's number, if any version matched.
    pub(crate) version: Option<u64>,
}

impl ValueLookup {
    pub(crate) fn state(&self) -> Result<SecretState> {
        SecretState::from_str_opt(&self.state).ok_or_else(|| Error::corrupt("secret state"))
    }
}

/// One version as the fast reader sees it, borrowed.
struct VersionView<'a> {
    n: u64,
    /// The labels array, validated, re-read on demand.
    labels: cbor::Reader<'a>,
    label_count: usize,
    kms_key_id: &'a str,
    kms_key_version: u32,
    create_time: i64,
}

impl<'a> VersionView<'a> {
    fn labels(&self) -> impl Iterator<Item = &'a str> + '_ {
        let mut r = self.labels.clone();
        (0..self.label_count).filter_map(move |_| r.text())
    }
}

/// What the fast reader does with the versions and idempotency entries it
/// meets.
trait Sink<'a> {
    fn version(&mut self, v: VersionView<'a>);
    fn idempotency(&mut self, token: &'a str, version: u64, value_mac: &'a [u8]);
}

/// The scalar fields of a record, borrowed.
#[derive(Default)]
struct Scalars<'a> {
    id: Option<&'a str>,
    name: Option<&'a str>,
    description: Option<&'a str>,
    kms_key_id: Option<&'a str>,
    state: Option<&'a str>,
    prior_state: Option<Option<&'a str>>,
    create_time: Option<i64>,
    update_time: Option<i64>,
    scheduled_delete_time: Option<Option<i64>>,
    next_version: Option<u64>,
    versions: bool,
    idempotency: bool,
}

/// Sets `slot` once; a repeated field is not the fast path's business.
fn once<T>(slot: &mut Option<T>, v: T) -> Option<()> {
    match slot {
        Some(_) => None,
        None => {
            *slot = Some(v);
            Some(())
        }
    }
}

/// Reads a record as written by the serde encoder (format byte, then a
/// definite-length CBOR map of the known fields, in any order), handing
/// versions and idempotency entries to `sink`. `None` for anything else
/// (unknown or repeated fields, indefinite lengths, other types, trailing
/// bytes): the caller then falls back to the serde decoder, which decides.
fn read<'a>(bytes: &'a [u8], sink: &mut impl Sink<'a>) -> Option<Scalars<'a>> {
    let body = match bytes.split_first() {
        Some((&codec::FORMAT_CBOR_V1, body)) if body.len() <= codec::MAX_RECORD_LEN => body,
        _ => return None,
    };
    let mut r = cbor::Reader::new(body);
    let mut f = Scalars::default();
    for _ in 0..r.map()? {
        match r.key()? {
            b"id" => once(&mut f.id, r.text()?)?,
            b"name" => once(&mut f.name, r.text()?)?,
            b"description" => once(&mut f.description, r.text()?)?,
            b"kms_key_id" => once(&mut f.kms_key_id, r.text()?)?,
            b"state" => once(&mut f.state, r.text()?)?,
            b"prior_state" => {
                let v = if r.null() { None } else { Some(r.text()?) };
                once(&mut f.prior_state, v)?
            }
            b"create_time" => once(&mut f.create_time, r.int()?)?,
            b"update_time" => once(&mut f.update_time, r.int()?)?,
            b"scheduled_delete_time" => {
                let v = if r.null() { None } else { Some(r.int()?) };
                once(&mut f.scheduled_delete_time, v)?
            }
            b"next_version" => once(&mut f.next_version, r.uint()?)?,
            b"versions" if !f.versions => {
                f.versions = true;
                for _ in 0..r.array()? {
                    sink.version(read_version(&mut r)?);
                }
            }
            b"idempotency" if !f.idempotency => {
                f.idempotency = true;
                for _ in 0..r.array()? {
                    let (mut token, mut version, mut mac) = (None, None, None);
                    for _ in 0..r.map()? {
                        match r.key()? {
                            b"token" => once(&mut token, r.text()?)?,
                            b"version" => once(&mut version, r.uint()?)?,
                            b"value_mac" => once(&mut mac, r.bytes()?)?,
                            _ => return None,
                        }
                    }
                    sink.idempotency(token?, version?, mac?);
                }
            }
            _ => return None,
        }
    }
    // Required fields (the serde decoder rejects a record without them).
    let complete = f.id.is_some()
        && f.name.is_some()
        && f.description.is_some()
        && f.kms_key_id.is_some()
        && f.state.is_some()
        && f.create_time.is_some()
        && f.update_time.is_some()
        && f.next_version.is_some()
        && f.versions;
    (complete && r.at_end()).then_some(f)
}

fn read_version<'a>(r: &mut cbor::Reader<'a>) -> Option<VersionView<'a>> {
    let (mut n, mut labels, mut key, mut key_version, mut time) = (None, None, None, None, None);
    for _ in 0..r.map()? {
        match r.key()? {
            b"n" => once(&mut n, r.uint()?)?,
            b"labels" => {
                let count = r.array()?;
                let start = r.clone();
                for _ in 0..count {
                    r.text()?;
                }
                once(&mut labels, (start, count))?
            }
            b"kms_key_id" => once(&mut key, r.text()?)?,
            b"kms_key_version" => once(&mut key_version, u32::try_from(r.uint()?).ok()?)?,
            b"create_time" => once(&mut time, r.int()?)?,
            _ => return None,
        }
    }
    let (labels, label_count) = labels?;
    Some(VersionView {
        n: n?,
        labels,
        label_count,
        kms_key_id: key?,
        kms_key_version: key_version?,
        create_time: time?,
    })
}

/// Builds the owned record.
#[derive(Default)]
struct Owned {
    versions: Vec<VersionMeta>,
    idempotency: Vec<IdempotencyEntry>,
}

impl<'a> Sink<'a> for Owned {
    fn version(&mut self, v: VersionView<'a>) {
        self.versions.push(VersionMeta {
            n: v.n,
            labels: v.labels().map(str::to_owned).collect(),
            kms_key_id: v.kms_key_id.to_owned(),
            kms_key_version: v.kms_key_version,
            create_time: v.create_time,
        });
    }

    fn idempotency(&mut self, token: &'a str, version: u64, value_mac: &'a [u8]) {
        self.idempotency.push(IdempotencyEntry {
            token: token.to_owned(),
            version,
            value_mac: ByteBuf(value_mac.to_vec()),
        });
    }
}

/// Finds the first version a selector names, building nothing.
struct Find {
    selector: VersionSelector,
    found: Option<u64>,
}

impl<'a> Sink<'a> for Find {
    fn version(&mut self, v: VersionView<'a>) {
        if self.found.is_some() {
            return;
        }
        let hit = match self.selector {
            VersionSelector::Number(n) => v.n == n,
            VersionSelector::Label(l) => v.labels().any(|x| x == l.as_str()),
        };
        if hit {
            self.found = Some(v.n);
        }
    }

    fn idempotency(&mut self, _: &'a str, _: u64, _: &'a [u8]) {}
}

impl SecretRecord {
    /// Decodes a stored record: the hand-written reader for records in the
    /// shape the encoder writes, the serde decoder for anything else (which
    /// also produces every error). Both give the same record; property
    /// tests check it.
    pub(crate) fn decode(bytes: &[u8]) -> Result<SecretRecord> {
        let mut sink = Owned::default();
        match read(bytes, &mut sink) {
            Some(f) => Ok(SecretRecord {
                id: f.id.unwrap_or_default().to_owned(),
                name: f.name.unwrap_or_default().to_owned(),
                description: f.description.unwrap_or_default().to_owned(),
                kms_key_id: f.kms_key_id.unwrap_or_default().to_owned(),
                state: f.state.unwrap_or_default().to_owned(),
                prior_state: f.prior_state.flatten().map(str::to_owned),
                create_time: f.create_time.unwrap_or_default(),
                update_time: f.update_time.unwrap_or_default(),
                scheduled_delete_time: f.scheduled_delete_time.flatten(),
                next_version: f.next_version.unwrap_or_default(),
                versions: sink.versions,
                idempotency: sink.idempotency,
            }),
            None => codec::decode(bytes, "secret"),
        }
    }

    /// Encodes the record: the same bytes as `codec::encode(self)` (property
    /// tests compare them), written directly.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256 + self.versions.len() * 96);
        out.push(codec::FORMAT_CBOR_V1);
        cbor::put_head(&mut out, cbor::MAP, 12);
        let text = |out: &mut Vec<u8>, k: &str, v: &str| {
            cbor::put_text(out, k);
            cbor::put_text(out, v);
        };
        text(&mut out, "id", &self.id);
        text(&mut out, "name", &self.name);
        text(&mut out, "description", &self.description);
        text(&mut out, "kms_key_id", &self.kms_key_id);
        text(&mut out, "state", &self.state);
        cbor::put_text(&mut out, "prior_state");
        match &self.prior_state {
            Some(p) => cbor::put_text(&mut out, p),
            None => out.push(cbor::NULL),
        }
        cbor::put_text(&mut out, "create_time");
        cbor::put_int(&mut out, self.create_time);
        cbor::put_text(&mut out, "update_time");
        cbor::put_int(&mut out, self.update_time);
        cbor::put_text(&mut out, "scheduled_delete_time");
        match self.scheduled_delete_time {
            Some(t) => cbor::put_int(&mut out, t),
            None => out.push(cbor::NULL),
        }
        cbor::put_text(&mut out, "next_version");
        cbor::put_head(&mut out, cbor::UINT, self.next_version);
        cbor::put_text(&mut out, "versions");
        cbor::put_head(&mut out, cbor::ARRAY, self.versions.len() as u64);
        for v in &self.versions {
            cbor::put_head(&mut out, cbor::MAP, 5);
            cbor::put_text(&mut out, "n");
            cbor::put_head(&mut out, cbor::UINT, v.n);
            cbor::put_text(&mut out, "labels");
            cbor::put_head(&mut out, cbor::ARRAY, v.labels.len() as u64);
            for l in &v.labels {
                cbor::put_text(&mut out, l);
            }
            text(&mut out, "kms_key_id", &v.kms_key_id);
            cbor::put_text(&mut out, "kms_key_version");
            cbor::put_head(&mut out, cbor::UINT, u64::from(v.kms_key_version));
            cbor::put_text(&mut out, "create_time");
            cbor::put_int(&mut out, v.create_time);
        }
        cbor::put_text(&mut out, "idempotency");
        cbor::put_head(&mut out, cbor::ARRAY, self.idempotency.len() as u64);
        for e in &self.idempotency {
            cbor::put_head(&mut out, cbor::MAP, 3);
            text(&mut out, "token", &e.token);
            cbor::put_text(&mut out, "version");
            cbor::put_head(&mut out, cbor::UINT, e.version);
            cbor::put_text(&mut out, "value_mac");
            cbor::put_bytes(&mut out, &e.value_mac.0);
        }
        out
    }

    /// What [`crate::secrets::Secrets::get_value`] needs from a stored
    /// record: its id, its state and the number of the version `selector`
    /// names, without building the versions (reading one value does not
    /// grow with the number of versions kept). Records the fast reader does
    /// not take are decoded in full.
    pub(crate) fn lookup(bytes: &[u8], selector: VersionSelector) -> Result<ValueLookup> {
        let mut find = Find {
            selector,
            found: None,
        };
        if let Some(f) = read(bytes, &mut find) {
            return Ok(ValueLookup {
                id: f.id.unwrap_or_default().to_owned(),
                state: f.state.unwrap_or_default().to_owned(),
                version: find.found,
            });
        }
        let rec = SecretRecord::decode(bytes)?;
        let version = match selector {
            VersionSelector::Number(n) => rec.version(n),
            VersionSelector::Label(l) => rec.version_with(l),
        }
        .map(|v| v.n);
        Ok(ValueLookup {
            id: rec.id,
            state: rec.state,
            version,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec;

    /// Pins the on-disk layout of a secret record written by release 0.1.
    /// If this fails, records written by earlier releases may no longer load.
    #[test]
    fn secret_record_layout_is_stable() {
        let rec = SecretRecord {
            id: "00000000-0000-4000-8000-000000000000".into(),
            name: "db".into(),
            description: "d".into(),
            kms_key_id: "default".into(),
            state: "ENABLED".into(),
            prior_state: None,
            create_time: 1,
            update_time: 2,
            scheduled_delete_time: None,
            next_version: 2,
            versions: vec![VersionMeta {
                n: 1,
                labels: vec!["CURRENT".into()],
                kms_key_id: "default".into(),
                kms_key_version: 1,
                create_time: 1,
            }],
            idempotency: vec![],
        };
        let bytes = codec::encode(&rec).expect("encode");
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, KAT_SECRET_RECORD_V1);
        let back: SecretRecord = codec::decode(&bytes, "secret").expect("decode");
        assert_eq!(back, rec);
        // The hand-written encoder and reader agree with the pinned bytes.
        assert_eq!(rec.encode(), bytes);
        assert_eq!(SecretRecord::decode(&bytes).expect("fast decode"), rec);
    }

    /// A record as release 0.1 wrote it (before any optional field existed
    /// the decoder must still accept records that lack them).
    #[test]
    fn record_without_optional_fields_loads() {
        // Same as the KAT, with `prior_state`, `scheduled_delete_time` and
        // `idempotency` removed from the map by re-encoding a JSON-like map.
        let v: ciborium::Value = ciborium::Value::Map(vec![
            (text("id"), text("x")),
            (text("name"), text("n")),
            (text("description"), text("")),
            (text("kms_key_id"), text("default")),
            (text("state"), text("DISABLED")),
            (text("create_time"), ciborium::Value::Integer(5.into())),
            (text("update_time"), ciborium::Value::Integer(6.into())),
            (text("next_version"), ciborium::Value::Integer(1.into())),
            (text("versions"), ciborium::Value::Array(vec![])),
        ]);
        let mut bytes = vec![codec::FORMAT_CBOR_V1];
        ciborium::into_writer(&v, &mut bytes).expect("encode");
        let rec: SecretRecord = codec::decode(&bytes, "secret").expect("decode");
        assert_eq!(rec.state().expect("state"), SecretState::Disabled);
        assert!(rec.idempotency.is_empty());
        assert_eq!(rec.prior_state, None);
    }

    fn text(s: &str) -> ciborium::Value {
        ciborium::Value::Text(s.into())
    }

    const KAT_SECRET_RECORD_V1: &str = concat!(
        "01ac626964782430303030303030302d303030302d343030302d383030302d303030303030303030",
        "303030646e616d656264626b6465736372697074696f6e61646a6b6d735f6b65795f696467646566",
        "61756c7465737461746567454e41424c45446b7072696f725f7374617465f66b6372656174655f74",
        "696d65016b7570646174655f74696d6502757363686564756c65645f64656c6574655f74696d65f6",
        "6c6e6578745f76657273696f6e026876657273696f6e7381a5616e01666c6162656c738167435552",
        "52454e546a6b6d735f6b65795f69646764656661756c746f6b6d735f6b65795f76657273696f6e01",
        "6b6372656174655f74696d65016b6964656d706f74656e637980",
    );
}

#[cfg(test)]
mod fast_codec_tests {
    use super::*;
    use crate::codec;
    use proptest::prelude::*;

    fn label() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("CURRENT".to_owned()),
            Just("PREVIOUS".to_owned()),
            Just("PENDING".to_owned()),
            ".{0,30}",
        ]
    }

    fn int() -> impl Strategy<Value = i64> {
        prop_oneof![any::<i64>(), -30i64..30, Just(i64::MIN), Just(i64::MAX)]
    }

    fn uint() -> impl Strategy<Value = u64> {
        prop_oneof![any::<u64>(), 0u64..300, Just(u64::MAX), 65_530u64..65_540]
    }

    fn version() -> impl Strategy<Value = VersionMeta> {
        (
            uint(),
            prop::collection::vec(label(), 0..3),
            ".{0,40}",
            any::<u32>(),
            int(),
        )
            .prop_map(|(n, labels, kms_key_id, kms_key_version, create_time)| {
                VersionMeta {
                    n,
                    labels,
                    kms_key_id,
                    kms_key_version,
                    create_time,
                }
            })
    }

    fn entry() -> impl Strategy<Value = IdempotencyEntry> {
        (".{0,20}", uint(), prop::collection::vec(any::<u8>(), 0..40)).prop_map(
            |(token, version, mac)| IdempotencyEntry {
                token,
                version,
                value_mac: ByteBuf(mac),
            },
        )
    }

    fn record() -> impl Strategy<Value = SecretRecord> {
        (
            (
                ".{0,40}",
                ".{0,300}",
                ".{0,30}",
                label(),
                prop::option::of(label()),
            ),
            (int(), int(), prop::option::of(int()), uint()),
            prop::collection::vec(version(), 0..30),
            prop::collection::vec(entry(), 0..4),
        )
            .prop_map(
                |((id, name, description, state, prior_state), (c, u, d, next), versions, idem)| {
                    SecretRecord {
                        id,
                        name,
                        kms_key_id: description.clone(),
                        description,
                        state,
                        prior_state,
                        create_time: c,
                        update_time: u,
                        scheduled_delete_time: d,
                        next_version: next,
                        versions,
                        idempotency: idem,
                    }
                },
            )
    }

    fn selector() -> impl Strategy<Value = VersionSelector> {
        prop_oneof![
            uint().prop_map(VersionSelector::Number),
            prop::sample::select(vec![Label::Current, Label::Previous, Label::Pending])
                .prop_map(VersionSelector::Label),
        ]
    }

    /// The fast reader's answer must be the serde decoder's answer whenever
    /// it gives one.
    fn agrees(bytes: &[u8], sel: VersionSelector) {
        let serde: std::result::Result<SecretRecord, _> = codec::decode(bytes, "secret");
        let fast = SecretRecord::decode(bytes);
        match (&serde, &fast) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(_), Err(_)) => {}
            _ => panic!("decoders disagree: serde {serde:?}, fast {fast:?}"),
        }
        let lookup = SecretRecord::lookup(bytes, sel);
        match (&serde, lookup) {
            (Ok(rec), Ok(l)) => {
                let want = match sel {
                    VersionSelector::Number(n) => rec.version(n),
                    VersionSelector::Label(l) => rec.version_with(l),
                }
                .map(|v| v.n);
                assert_eq!(
                    (l.id.as_str(), l.state.as_str(), l.version),
                    (rec.id.as_str(), rec.state.as_str(), want)
                );
            }
            (Err(_), Err(_)) => {}
            (a, b) => panic!("lookup disagrees: serde {a:?}, lookup {b:?}"),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn encoder_writes_the_serde_bytes(rec in record()) {
            let fast = rec.encode();
            prop_assert_eq!(&fast, &codec::encode(&rec).expect("encode"));
            prop_assert_eq!(SecretRecord::decode(&fast).expect("decode"), rec);
        }

        #[test]
        fn fast_reader_agrees_with_serde(rec in record(), sel in selector()) {
            agrees(&rec.encode(), sel);
        }

        #[test]
        fn fast_reader_agrees_on_damaged_records(
            rec in record(),
            sel in selector(),
            cut in any::<prop::sample::Index>(),
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
        ) {
            let bytes = rec.encode();
            agrees(&bytes[..cut.index(bytes.len())], sel);
            let mut damaged = bytes;
            let i = at.index(damaged.len());
            damaged[i] = byte;
            agrees(&damaged, sel);
        }

        #[test]
        fn fast_reader_never_panics(data in prop::collection::vec(any::<u8>(), 0..256)) {
            let mut bytes = vec![codec::FORMAT_CBOR_V1];
            bytes.extend_from_slice(&data);
            agrees(&bytes, VersionSelector::Label(Label::Current));
        }
    }

    /// Shapes the fast reader leaves to serde: fields in another order,
    /// missing optional fields, an unknown field, non-shortest integers.
    #[test]
    fn other_shapes_decode_as_serde_decodes_them() {
        use ciborium::Value;
        let t = |s: &str| Value::Text(s.into());
        let version = Value::Map(vec![
            (t("labels"), Value::Array(vec![t("CURRENT")])),
            (t("n"), Value::Integer(3.into())),
            (t("create_time"), Value::Integer((-5).into())),
            (t("kms_key_version"), Value::Integer(1.into())),
            (t("kms_key_id"), t("k")),
        ]);
        let base = vec![
            (t("versions"), Value::Array(vec![version])),
            (t("id"), t("x")),
            (t("name"), t("n")),
            (t("description"), t("")),
            (t("kms_key_id"), t("default")),
            (t("state"), t("ENABLED")),
            (t("create_time"), Value::Integer(5.into())),
            (t("update_time"), Value::Integer(6.into())),
            (t("next_version"), Value::Integer(4.into())),
        ];
        let mut with_unknown = base.clone();
        with_unknown.push((t("later_field"), Value::Bool(true)));
        for map in [base, with_unknown] {
            let mut bytes = vec![codec::FORMAT_CBOR_V1];
            ciborium::into_writer(&Value::Map(map), &mut bytes).expect("encode");
            agrees(&bytes, VersionSelector::Label(Label::Current));
            let l = SecretRecord::lookup(&bytes, VersionSelector::Label(Label::Current))
                .expect("lookup");
            assert_eq!(l.version, Some(3));
        }
        // The KAT record with its `next_version` argument in two bytes
        // (0x18 0x02) instead of one.
        let mut rec = SecretRecord::decode(
            &codec::encode(&SecretRecord {
                id: "i".into(),
                name: "n".into(),
                description: String::new(),
                kms_key_id: "k".into(),
                state: "ENABLED".into(),
                prior_state: None,
                create_time: 1,
                update_time: 2,
                scheduled_delete_time: None,
                next_version: 2,
                versions: vec![],
                idempotency: vec![],
            })
            .expect("encode"),
        )
        .expect("decode")
        .encode();
        let at = rec
            .windows(13)
            .position(|w| w == b"\x6cnext_version")
            .expect("field")
            + 13;
        rec.splice(at..=at, [0x18, 0x02]);
        agrees(&rec, VersionSelector::Number(1));
        assert_eq!(SecretRecord::decode(&rec).expect("decode").next_version, 2);
    }
}
