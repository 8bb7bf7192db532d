//! Envelope encryption of a 4 KiB value through the engine
//! (`credcycle::envelope::{seal, open}` with a `LocalKeyManager` over a
//! `MemoryStore`), side by side with raw ring AES-256-GCM on the same value.
//!
//! The engine does strictly more work per seal: a fresh random data key (its
//! own AES key schedule), the wrap of that key under the KEK (a second
//! AES-GCM operation and a second nonce), and the header. Per open it
//! unwraps the data key first. The raw baseline reuses one expanded key and
//! draws only a nonce.
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use credcycle::envelope::{self, RecordAad};
use credcycle::store::Table;
use credcycle::{KeyAlgorithm, KeyId, KeyManager, LocalKeyManager, MemoryStore, OsRandom};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

const VALUE_LEN: usize = 4096;

fn envelope_4k(c: &mut Criterion) {
    let rng = Arc::new(OsRandom::new());
    let root = LocalKeyManager::generate_root_key(rng.as_ref()).unwrap();
    let keys = LocalKeyManager::new(Arc::new(MemoryStore::new()), rng.clone(), root).unwrap();
    let kek = KeyId::new("bench-kek").unwrap();
    keys.create_key(&kek, KeyAlgorithm::Aes256Gcm).unwrap();
    let aad = RecordAad {
        tenant: "bench-tenant",
        table: Table::SecretVersion,
        key: b"secret/0123456789abcdef/v1",
        version: 1,
    };
    let value = vec![0x5au8; VALUE_LEN];
    let sealed = envelope::seal(&keys, rng.as_ref(), &kek, &aad, &value).unwrap();

    // Raw ring: one expanded key, a fresh random nonce per seal, the same
    // AAD bytes the engine binds, and an owned output buffer (as the engine
    // returns one).
    let sys = SystemRandom::new();
    let mut key_bytes = [0u8; 32];
    sys.fill(&mut key_bytes).unwrap();
    let raw_key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &key_bytes).unwrap());
    let aad_bytes = aad.to_bytes();
    let raw_seal = |pt: &[u8]| -> ([u8; NONCE_LEN], Vec<u8>) {
        let mut nonce = [0u8; NONCE_LEN];
        sys.fill(&mut nonce).unwrap();
        let mut buf = Vec::with_capacity(pt.len() + AES_256_GCM.tag_len());
        buf.extend_from_slice(pt);
        raw_key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(&aad_bytes),
                &mut buf,
            )
            .unwrap();
        (nonce, buf)
    };
    let raw_open = |nonce: &[u8; NONCE_LEN], ct: &[u8]| -> Vec<u8> {
        let mut buf = ct.to_vec();
        let n = raw_key
            .open_in_place(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(&aad_bytes),
                &mut buf,
            )
            .unwrap()
            .len();
        buf.truncate(n);
        buf
    };
    let (raw_nonce, raw_ct) = raw_seal(&value);
    assert_eq!(raw_open(&raw_nonce, &raw_ct), value);
    assert_eq!(
        envelope::open(&keys, &aad, &sealed).unwrap().expose(),
        &value[..]
    );

    let mut g = c.benchmark_group("envelope_4KiB");
    g.throughput(Throughput::Bytes(VALUE_LEN as u64));
    g.bench_function("seal_engine", |b| {
        b.iter(|| envelope::seal(&keys, rng.as_ref(), &kek, &aad, black_box(&value)).unwrap())
    });
    g.bench_function("seal_ring_raw", |b| b.iter(|| raw_seal(black_box(&value))));
    g.bench_function("open_engine", |b| {
        b.iter(|| envelope::open(&keys, &aad, black_box(&sealed)).unwrap())
    });
    g.bench_function("open_ring_raw", |b| {
        b.iter(|| raw_open(&raw_nonce, black_box(&raw_ct)))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30);
    targets = envelope_4k
}
criterion_main!(benches);
