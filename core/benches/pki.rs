//! Certificate issuance from a P-256 CSR, three ways in the same run:
//!
//! - `issue_engine`: `Csr::from_der` (structure, key policy, the CSR's own
//!   ECDSA signature verified with ring) then `IssuingCa::issue` (random
//!   serial, TBSCertificate built by hand, signed through
//!   `KeyManager::sign` of a `LocalKeyManager` P-256 key, PEM and chain PEM,
//!   SHA-256 fingerprint).
//! - `issue_engine_handle`: the same through `Engine::pki(..).issue`, which
//!   also reads the tenant's CA record from the store (memory) and checks
//!   the CA key's public key against its certificate.
//! - `issue_rcgen`: rcgen 0.14 (ring backend): parse + verify the CSR, set
//!   the same profile (CA:FALSE, digitalSignature, clientAuth, SAN URI,
//!   random serial), sign with an in-memory ring key.
//! - `csr_parse_verify` / `issue_preparsed_csr`: the two halves of
//!   `issue_engine`, to show where its time goes.
//! - `raw_ring`: the floor: one ECDSA P-256 verify (the CSR's signature) and
//!   one ECDSA P-256 sign of a TBSCertificate-sized message, nothing else.
//!
//! After the criterion groups, a paired measurement interleaves the engine
//! and the raw baseline round by round and prints their ratio, which stays
//! meaningful when the machine's load changes during the run.
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use credcycle::pki::{CertProfile, ClientKeyAlgorithm, CreateCa, Csr, generate_key_and_csr};
use credcycle::{Clock, Engine, LocalKeyManager, MemoryStore, OsRandom, Policy, SystemClock};
use criterion::{Criterion, criterion_group};
use ring::signature::{self as rs, EcdsaKeyPair, UnparsedPublicKey};

/// The CertificationRequestInfo, signature and public key of a DER CSR
/// (P-256), split by hand for the raw baseline.
fn split_csr(der: &[u8]) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    fn tlv(d: &[u8]) -> (usize, usize) {
        // (header length, content length) of a definite-length item
        let first = d[1];
        if first < 0x80 {
            (2, first as usize)
        } else {
            let n = (first & 0x7f) as usize;
            let len = d[2..2 + n]
                .iter()
                .fold(0usize, |a, b| (a << 8) | *b as usize);
            (2 + n, len)
        }
    }
    let (h, _) = tlv(der);
    let body = &der[h..];
    let (ih, il) = tlv(body);
    let info = body[..ih + il].to_vec();
    let rest = &body[ih + il..];
    let (ah, al) = tlv(rest);
    let sig_bits = &rest[ah + al..];
    let (bh, bl) = tlv(sig_bits);
    let sig = sig_bits[bh + 1..bh + bl].to_vec();
    let csr = Csr::from_der(der).unwrap();
    let spki = csr.spki_der();
    let point = spki[spki.len() - 65..].to_vec();
    (info, sig, point)
}

/// Everything the benchmarks share: the engine CA, the client CSR, the
/// rcgen CA and the raw ring baseline's inputs.
struct Setup {
    rng: Arc<OsRandom>,
    pki: credcycle::pki::Pki,
    issuer: credcycle::pki::IssuingCa,
    policy: Policy,
    csr_der: Vec<u8>,
    profile: CertProfile,
    rc_issuer: rcgen::Issuer<'static, rcgen::KeyPair>,
    info: Vec<u8>,
    sig: Vec<u8>,
    point: Vec<u8>,
    tbs: Vec<u8>,
    sys: ring::rand::SystemRandom,
    pair: EcdsaKeyPair,
}

fn setup() -> Setup {
    let store = Arc::new(MemoryStore::new());
    let rng = Arc::new(OsRandom::new());
    let root = LocalKeyManager::generate_root_key(rng.as_ref()).unwrap();
    let keys = Arc::new(LocalKeyManager::new(store.clone(), rng.clone(), root).unwrap());
    let engine = Engine::builder()
        .store(store)
        .key_manager(keys)
        .rng(rng.clone())
        .build()
        .unwrap();
    let pki = engine.pki("bench").unwrap();
    let ca = pki
        .create_ca(CreateCa::new("bench CA", "bench.example"))
        .unwrap();
    let issuer = pki.issuer().unwrap();
    let policy = Policy::default();
    let client = generate_key_and_csr(ClientKeyAlgorithm::P256, "device").unwrap();
    let csr_der = client.csr_der;
    let profile = CertProfile::client("id-1");

    // rcgen: a P-256 CA of its own, same profile.
    let rc_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut rc_ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    rc_ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(0));
    let rc_ca_cert = rc_ca_params.self_signed(&rc_key).unwrap();
    let rc_issuer = rcgen::Issuer::from_ca_cert_der(rc_ca_cert.der(), rc_key).unwrap();

    // raw ring: the CSR's verify + one sign of a TBS-sized message.
    let (info, sig, point) = split_csr(&csr_der);
    let sample = issuer
        .issue(
            &Csr::from_der(&csr_der).unwrap(),
            &profile,
            SystemClock.now(),
            rng.as_ref(),
            &policy,
        )
        .unwrap();
    let tbs = sample.der[4..sample.der.len() - 80].to_vec();
    let sys = ring::rand::SystemRandom::new();
    let doc = EcdsaKeyPair::generate_pkcs8(&rs::ECDSA_P256_SHA256_ASN1_SIGNING, &sys).unwrap();
    let pair =
        EcdsaKeyPair::from_pkcs8(&rs::ECDSA_P256_SHA256_ASN1_SIGNING, doc.as_ref(), &sys).unwrap();
    assert!(
        UnparsedPublicKey::new(&rs::ECDSA_P256_SHA256_ASN1, &point)
            .verify(&info, &sig)
            .is_ok()
    );
    let _ = ca;

    Setup {
        rng,
        pki,
        issuer,
        policy,
        csr_der,
        profile,
        rc_issuer,
        info,
        sig,
        point,
        tbs,
        sys,
        pair,
    }
}

impl Setup {
    fn issue_engine(&self) -> credcycle::pki::IssuedCert {
        let csr = Csr::from_der(black_box(&self.csr_der)).unwrap();
        self.issuer
            .issue(
                &csr,
                &self.profile,
                SystemClock.now(),
                self.rng.as_ref(),
                &self.policy,
            )
            .unwrap()
    }

    fn issue_engine_handle(&self) -> credcycle::pki::IssuedCert {
        let csr = Csr::from_der(black_box(&self.csr_der)).unwrap();
        self.pki.issue(&csr, &self.profile).unwrap()
    }

    fn raw_ring(&self) -> ring::signature::Signature {
        UnparsedPublicKey::new(&rs::ECDSA_P256_SHA256_ASN1, black_box(&self.point))
            .verify(black_box(&self.info), black_box(&self.sig))
            .unwrap();
        self.pair.sign(&self.sys, black_box(&self.tbs)).unwrap()
    }
}

fn bench(c: &mut Criterion) {
    let s = setup();
    let mut g = c.benchmark_group("pki_issue_p256");
    g.bench_function("issue_engine", |b| b.iter(|| black_box(s.issue_engine())));
    // Breakdown of issue_engine: the CSR parse + verify alone, and the
    // issuance from an already parsed CSR.
    g.bench_function("csr_parse_verify", |b| {
        b.iter(|| black_box(Csr::from_der(black_box(&s.csr_der)).unwrap()))
    });
    let parsed = Csr::from_der(&s.csr_der).unwrap();
    g.bench_function("issue_preparsed_csr", |b| {
        b.iter(|| {
            black_box(
                s.issuer
                    .issue(
                        black_box(&parsed),
                        &s.profile,
                        SystemClock.now(),
                        s.rng.as_ref(),
                        &s.policy,
                    )
                    .unwrap(),
            )
        })
    });
    g.bench_function("issue_engine_handle", |b| {
        b.iter(|| black_box(s.issue_engine_handle()))
    });
    g.bench_function("issue_rcgen", |b| {
        b.iter(|| {
            let der =
                rustls_pki_types::CertificateSigningRequestDer::from(black_box(&s.csr_der[..]));
            let mut params = rcgen::CertificateSigningRequestParams::from_der(&der).unwrap();
            let p = &mut params.params;
            p.is_ca = rcgen::IsCa::ExplicitNoCa;
            p.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
            p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
            p.subject_alt_names = vec![rcgen::SanType::URI(
                "spiffe://bench.example/identity/id-1".try_into().unwrap(),
            )];
            let mut serial = [0u8; 20];
            ring::rand::SecureRandom::fill(&s.sys, &mut serial).unwrap();
            serial[0] &= 0x7f;
            p.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
            p.use_authority_key_identifier_extension = true;
            black_box(params.signed_by(&s.rc_issuer).unwrap())
        })
    });
    g.bench_function("raw_ring", |b| b.iter(|| black_box(s.raw_ring())));
    g.finish();
}

/// The engine/raw ratio measured in interleaved rounds: each round times
/// `PER_ROUND` engine issuances and `PER_ROUND` raw verify+sign pairs back
/// to back, so a change of machine load between criterion's separate
/// measurements cannot tilt the ratio. Prints the median and the quartiles
/// of the per-round ratios (raw time / engine time, the "≥ 0.9" figure).
#[allow(clippy::print_stdout)]
fn paired() {
    const ROUNDS: usize = 40;
    const PER_ROUND: usize = 100;
    let s = setup();
    let time = |f: &dyn Fn()| {
        let t = std::time::Instant::now();
        for _ in 0..PER_ROUND {
            f();
        }
        t.elapsed().as_secs_f64()
    };
    // Warm up both paths (caches, the issuer cache, page faults).
    time(&|| {
        black_box(s.issue_engine());
    });
    time(&|| {
        black_box(s.raw_ring());
    });
    time(&|| {
        black_box(s.issue_engine_handle());
    });
    let mut issuer = Vec::with_capacity(ROUNDS);
    let mut handle = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let raw = time(&|| {
            black_box(s.raw_ring());
        });
        let engine = time(&|| {
            black_box(s.issue_engine());
        });
        let via_handle = time(&|| {
            black_box(s.issue_engine_handle());
        });
        issuer.push(raw / engine);
        handle.push(raw / via_handle);
    }
    let quartiles = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[v.len() / 4], v[v.len() / 2], v[3 * v.len() / 4])
    };
    for (name, v) in [
        ("issue_engine", &mut issuer),
        ("issue_engine_handle", &mut handle),
    ] {
        let (q1, med, q3) = quartiles(v);
        println!(
            "pki_issue_p256 paired: raw_ring / {name} = {med:.3} (quartiles {q1:.3}..{q3:.3}; \
             {ROUNDS} interleaved rounds of {PER_ROUND})"
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .sample_size(30);
    targets = bench
}

fn main() {
    benches();
    // Only in a real bench run (`cargo bench`), not when `cargo test`
    // smoke-runs the benches.
    if std::env::args().any(|a| a == "--bench") {
        paired();
    }
    Criterion::default().configure_from_args().final_summary();
}
