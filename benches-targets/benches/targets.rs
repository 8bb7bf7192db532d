//! Webhook signing and JOSE next to the raw primitive and the peer crates,
//! in one run:
//! - HMAC: `webhook::sign_zitadel` / `sign_standard` / `verify_standard`
//!   vs raw ring HMAC-SHA256 over the same content vs the `standardwebhooks`
//!   crate, for 256 B, 4 KiB and 64 KiB bodies.
//! - ES256: the JOSE layer with a ring key (`jws::sign_compact`), the engine
//!   path through `LocalKeyManager`, raw ring ECDSA, and `jsonwebtoken`
//!   (aws-lc-rs); verification likewise.
//! - JWE: `jwe::encrypt`/`decrypt` (ECDH-ES+A256KW, A256GCM) vs josekit.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::sync::Arc;

use credcycle::jose::{self, DecryptionKey, JweOptions, Jwk, Jwks, JwsAlgorithm, PublicKey};
use credcycle::targets::webhook;
use credcycle::testing::FakeClock;
use credcycle::{Engine, LocalKeyManager, MemoryStore, OsRandom, SecretBytes, UnixTime};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ring::rand::SystemRandom;
use ring::signature::{self as rs, EcdsaKeyPair, KeyPair};
use serde_json::{Map, Value, json};

const TS: i64 = 1_700_000_000;

fn hmac(c: &mut Criterion) {
    let key = [7u8; 32];
    let secret = webhook::format_secret(&key);
    let peer = standardwebhooks::Webhook::new(&secret).unwrap();
    let mut g = c.benchmark_group("hmac_sign");
    for size in [256usize, 4096, 65536] {
        let body = vec![b'a'; size];
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_with_input(BenchmarkId::new("ring_raw", size), &body, |b, body| {
            let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key);
            b.iter(|| {
                let mut ctx = ring::hmac::Context::with_key(&k);
                ctx.update(b"1700000000.");
                ctx.update(body);
                black_box(ctx.sign())
            })
        });
        g.bench_with_input(
            BenchmarkId::new("credcycle_zitadel", size),
            &body,
            |b, body| b.iter(|| black_box(webhook::sign_zitadel(&[&key], TS, body).unwrap())),
        );
        g.bench_with_input(
            BenchmarkId::new("credcycle_standard", size),
            &body,
            |b, body| {
                b.iter(|| black_box(webhook::sign_standard(&[&key], "msg_1", TS, body).unwrap()))
            },
        );
        g.bench_with_input(
            BenchmarkId::new("standardwebhooks_crate", size),
            &body,
            |b, body| b.iter(|| black_box(peer.sign("msg_1", TS, body).unwrap())),
        );
    }
    g.finish();

    let mut g = c.benchmark_group("hmac_verify");
    for size in [256usize, 4096, 65536] {
        let body = vec![b'a'; size];
        // The peer crate checks against the wall clock: sign at "now".
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let sig = webhook::sign_standard(&[&key], "msg_1", now, &body).unwrap();
        let ts = now.to_string();
        let mut map = http::HeaderMap::new();
        map.insert("webhook-id", "msg_1".parse().unwrap());
        map.insert("webhook-timestamp", ts.parse().unwrap());
        map.insert("webhook-signature", sig.parse().unwrap());
        let headers = [
            ("webhook-id", "msg_1"),
            ("webhook-timestamp", ts.as_str()),
            ("webhook-signature", sig.as_str()),
        ];
        let zheader = webhook::sign_zitadel(&[&key], now, &body).unwrap();
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_with_input(BenchmarkId::new("ring_raw", size), &body, |b, body| {
            let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key);
            let tag = {
                let mut ctx = ring::hmac::Context::with_key(&k);
                ctx.update(b"msg_1.1700000000.");
                ctx.update(body);
                ctx.sign()
            };
            b.iter(|| {
                let mut ctx = ring::hmac::Context::with_key(&k);
                ctx.update(b"msg_1.1700000000.");
                ctx.update(body);
                black_box(credcycle::crypto::ct_eq(ctx.sign().as_ref(), tag.as_ref()))
            })
        });
        g.bench_with_input(
            BenchmarkId::new("credcycle_standard", size),
            &body,
            |b, body| {
                b.iter(|| {
                    webhook::verify_standard(&headers, body, &[&key], 300, UnixTime(now), None)
                        .unwrap()
                })
            },
        );
        g.bench_with_input(
            BenchmarkId::new("credcycle_zitadel", size),
            &body,
            |b, body| {
                b.iter(|| {
                    webhook::verify_zitadel(&zheader, body, &[&key], 300, UnixTime(now), None)
                        .unwrap()
                })
            },
        );
        g.bench_with_input(
            BenchmarkId::new("standardwebhooks_crate", size),
            &body,
            |b, body| b.iter(|| peer.verify(body, &map).unwrap()),
        );
    }
    g.finish();
}

fn es256(c: &mut Criterion) {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&rs::ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(&rs::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
        .unwrap();
    let point = pair.public_key().as_ref().to_vec();
    let public = PublicKey::Ec {
        curve: jose::Curve::P256,
        point: point.clone(),
    };
    let jwks = Jwks::new(vec![Jwk::from_public_key(
        public,
        Some("k1".into()),
        Some("ES256"),
    )])
    .unwrap();
    let claims = json!({"sub": "alice", "iss": "credcycle", "exp": 4_000_000_000i64, "event": "user.created"});
    let claims_map: Map<String, Value> = claims.as_object().unwrap().clone();
    let mut header = Map::new();
    header.insert("alg".into(), json!("ES256"));
    header.insert("typ".into(), json!("JWT"));
    header.insert("kid".into(), json!("k1"));
    let payload = serde_json::to_vec(&claims).unwrap();
    let token = jose::sign_compact(&header, &payload, |m| {
        Ok(pair.sign(&rng, m).unwrap().as_ref().to_vec())
    })
    .unwrap();
    let signing_input = token.rsplit_once('.').unwrap().0.to_owned();

    // The engine path: the key lives in a LocalKeyManager on a MemoryStore.
    let store = Arc::new(MemoryStore::new());
    let os = Arc::new(OsRandom::new());
    let km = Arc::new(
        LocalKeyManager::new(store.clone(), os.clone(), SecretBytes::new(vec![1; 32])).unwrap(),
    );
    let engine = Engine::builder()
        .store(store)
        .key_manager(km)
        .rng(os)
        .clock(Arc::new(FakeClock::new(TS)))
        .build()
        .unwrap();
    let engine_jose = engine.jose();
    engine_jose.current_key().unwrap();

    // jsonwebtoken with the same key.
    let jwt_enc = jsonwebtoken::EncodingKey::from_ec_der(pkcs8.as_ref());
    let x = jose::base64url_encode(&point[1..33]);
    let y = jose::base64url_encode(&point[33..]);
    let jwt_dec = jsonwebtoken::DecodingKey::from_ec_components(&x, &y).unwrap();
    let mut jwt_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    jwt_header.kid = Some("k1".into());
    let mut jwt_validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    jwt_validation.set_issuer(&["credcycle"]);

    let mut g = c.benchmark_group("es256_sign");
    g.bench_function("ring_raw", |b| {
        b.iter(|| black_box(pair.sign(&rng, signing_input.as_bytes()).unwrap()))
    });
    g.bench_function("credcycle_jws_ring_key", |b| {
        b.iter(|| {
            black_box(
                jose::sign_compact(&header, &payload, |m| {
                    Ok(pair.sign(&rng, m).unwrap().as_ref().to_vec())
                })
                .unwrap(),
            )
        })
    });
    g.bench_function("credcycle_engine_local_kms", |b| {
        b.iter(|| black_box(engine_jose.sign_jwt(&claims_map).unwrap()))
    });
    g.bench_function("jsonwebtoken_aws_lc", |b| {
        b.iter(|| black_box(jsonwebtoken::encode(&jwt_header, &claims, &jwt_enc).unwrap()))
    });
    g.finish();

    let validation = jose::Validation {
        issuer: Some("credcycle".into()),
        ..jose::Validation::default()
    };
    let mut g = c.benchmark_group("es256_verify");
    g.bench_function("ring_raw", |b| {
        let sig = jose_sig(&token);
        let key = rs::UnparsedPublicKey::new(&rs::ECDSA_P256_SHA256_FIXED, &point);
        b.iter(|| key.verify(signing_input.as_bytes(), &sig).unwrap())
    });
    g.bench_function("credcycle_jwt_verify", |b| {
        b.iter(|| black_box(jose::jwt::verify(&token, &jwks, &validation, UnixTime(TS)).unwrap()))
    });
    g.bench_function("credcycle_jws_verify", |b| {
        b.iter(|| black_box(jose::verify_compact(&token, &jwks, &[JwsAlgorithm::Es256]).unwrap()))
    });
    g.bench_function("jsonwebtoken_aws_lc", |b| {
        b.iter(|| {
            black_box(jsonwebtoken::decode::<Value>(&token, &jwt_dec, &jwt_validation).unwrap())
        })
    });
    g.finish();
}

fn jose_sig(token: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.rsplit_once('.').unwrap().1)
        .unwrap()
}

fn jwe(c: &mut Criterion) {
    use josekit::jwe::{ECDH_ES_A256KW, JweHeader};
    use josekit::jwk::alg::ec::{EcCurve, EcKeyPair};
    let pair = EcKeyPair::generate(EcCurve::P256).unwrap();
    let public_pem = pair.to_pem_public_key();
    let private_pem = pair.to_pem_private_key();
    let key = PublicKey::from_pem(std::str::from_utf8(&public_pem).unwrap()).unwrap();
    let dk = DecryptionKey::from_pem(std::str::from_utf8(&private_pem).unwrap());
    let plaintext = vec![b'x'; 1024];
    let token = jose::jwe::encrypt(&key, "k1", "JWT", &plaintext).unwrap();
    let enc = ECDH_ES_A256KW.encrypter_from_pem(&public_pem).unwrap();
    let dec = ECDH_ES_A256KW.decrypter_from_pem(&private_pem).unwrap();
    let mut header = JweHeader::new();
    header.set_content_encryption("A256GCM");
    header.set_content_type("JWT");
    header.set_key_id("k1");
    let opts = JweOptions::default();

    let mut g = c.benchmark_group("jwe_ecdh_es_a256kw_1KiB");
    g.bench_function("credcycle_encrypt", |b| {
        b.iter(|| black_box(jose::jwe::encrypt(&key, "k1", "JWT", &plaintext).unwrap()))
    });
    g.bench_function("josekit_encrypt", |b| {
        b.iter(|| black_box(josekit::jwe::serialize_compact(&plaintext, &header, &enc).unwrap()))
    });
    g.bench_function("credcycle_decrypt", |b| {
        b.iter(|| black_box(jose::jwe::decrypt(&token, &dk, &opts).unwrap()))
    });
    g.bench_function("josekit_decrypt", |b| {
        b.iter(|| black_box(josekit::jwe::deserialize_compact(&token, &dec).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, hmac, es256, jwe);
criterion_main!(benches);
