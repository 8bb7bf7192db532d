//! Per-call overhead of the C API: the same cheap engine call made three
//! ways on one engine (memory store, local key manager):
//!
//! - `rust_core`: the Rust engine (`credcycle::Engine`);
//! - `rust_facade`: the binding facade (`credcycle_facade`), which converts
//!   results to plain types;
//! - `c_abi`: the exported `extern "C"` function, called exactly as C calls
//!   it (NUL-terminated strings in, an opaque result out that is then freed
//!   with its `_free`), so the panic boundary, the pointer checks, the
//!   string checks and the boxing of the result are all measured.
//!
//! `scripts/bench-c.sh` also times the same `c_abi` calls from a C program
//! (bindings/c/bench/overhead.c) to show that calling from C adds nothing
//! on top. Figures in BENCHMARKS.md.
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::ptr;

use credcycle::engine::{
    credcycle_engine, credcycle_engine_builder_build, credcycle_engine_builder_new,
    credcycle_engine_builder_set_kms_local, credcycle_engine_builder_set_store_memory,
    credcycle_engine_free, credcycle_engine_kms, credcycle_kms, credcycle_kms_free,
    credcycle_kms_key_info,
};
use credcycle::secrets::{
    credcycle_engine_secrets, credcycle_secrets, credcycle_secrets_create, credcycle_secrets_free,
    credcycle_secrets_get, credcycle_secrets_get_value,
};
use credcycle::types::{
    credcycle_key_info_free, credcycle_secret_info_free, credcycle_secret_input,
};
use credcycle_core::KeyId;
use credcycle_facade::{
    CreateSecretOptions, Engine, EngineConfig, KmsConfig, SecretInput, StoreConfig,
};
use criterion::{Criterion, criterion_group, criterion_main};
use zeroize::Zeroizing;

struct Fixture {
    facade: Engine,
    c_engine: *const credcycle_engine,
    c_secrets: *const credcycle_secrets,
    c_kms: *const credcycle_kms,
}

const ROOT_KEY: [u8; 32] = [7; 32];
const VALUE: [u8; 64] = [0x42; 64];

/// Two engines set up alike: one through the facade, one through the C
/// API (as a C program does), each with secret `api-key` (64 bytes).
fn fixture() -> Fixture {
    let config = EngineConfig::new(
        StoreConfig::Memory,
        KmsConfig::Local {
            root_key: Zeroizing::new(ROOT_KEY.to_vec()),
        },
    );
    let facade = Engine::open(config).unwrap();
    let s = facade.secrets("bench").unwrap();
    s.create(
        "api-key",
        CreateSecretOptions {
            value: Some(SecretInput::Bytes(Zeroizing::new(VALUE.to_vec()))),
            ..Default::default()
        },
    )
    .unwrap();

    let (mut b, mut c_engine, mut c_secrets, mut c_kms) =
        (ptr::null_mut(), ptr::null(), ptr::null(), ptr::null());
    let value = credcycle_secret_input {
        data: VALUE.as_ptr(),
        len: VALUE.len(),
        generate: 0,
    };
    // SAFETY: every pointer is live or a writable out-pointer.
    unsafe {
        assert_eq!(credcycle_engine_builder_new(&mut b), 0);
        assert_eq!(credcycle_engine_builder_set_store_memory(b), 0);
        assert_eq!(
            credcycle_engine_builder_set_kms_local(b, ROOT_KEY.as_ptr(), 32),
            0
        );
        assert_eq!(credcycle_engine_builder_build(b, &mut c_engine), 0);
        assert_eq!(
            credcycle_engine_secrets(c_engine, c"bench".as_ptr(), &mut c_secrets),
            0
        );
        assert_eq!(credcycle_engine_kms(c_engine, &mut c_kms), 0);
        let rc = credcycle_secrets_create(
            c_secrets,
            c"api-key".as_ptr(),
            &value,
            ptr::null(),
            ptr::null(),
            ptr::null_mut(),
        );
        assert_eq!(rc, 0);
    }
    Fixture {
        facade,
        c_engine,
        c_secrets,
        c_kms,
    }
}

fn bench(c: &mut Criterion) {
    let f = fixture();
    let core_secrets = f.facade.core().secrets("bench").unwrap();
    let facade_secrets = f.facade.secrets("bench").unwrap();
    let core_keys = f.facade.core().keys().clone();
    let facade_kms = f.facade.kms();
    let default = KeyId::new("default").unwrap();

    let mut g = c.benchmark_group("ffi_secrets_get");
    g.bench_function("rust_core", |b| {
        b.iter(|| black_box(core_secrets.get(black_box("api-key")).unwrap()))
    });
    g.bench_function("rust_facade", |b| {
        b.iter(|| black_box(facade_secrets.get(black_box("api-key")).unwrap()))
    });
    g.bench_function("c_abi", |b| {
        b.iter(|| {
            let mut info = ptr::null_mut();
            // SAFETY: live handle, NUL-terminated name, writable out.
            let rc = unsafe { credcycle_secrets_get(f.c_secrets, c"api-key".as_ptr(), &mut info) };
            assert_eq!(rc, 0);
            // SAFETY: made by the call above, freed once.
            unsafe { credcycle_secret_info_free(black_box(info)) };
        })
    });
    g.finish();

    let mut g = c.benchmark_group("ffi_kms_key_info");
    g.bench_function("rust_core", |b| {
        b.iter(|| black_box(core_keys.key_info(black_box(&default)).unwrap()))
    });
    g.bench_function("rust_facade", |b| {
        b.iter(|| black_box(facade_kms.key_info(black_box("default")).unwrap()))
    });
    g.bench_function("c_abi", |b| {
        b.iter(|| {
            let mut info = ptr::null_mut();
            // SAFETY: live handle, NUL-terminated id, writable out.
            let rc = unsafe { credcycle_kms_key_info(f.c_kms, c"default".as_ptr(), &mut info) };
            assert_eq!(rc, 0);
            // SAFETY: made by the call above, freed once.
            unsafe { credcycle_key_info_free(black_box(info)) };
        })
    });
    g.finish();

    let mut g = c.benchmark_group("ffi_secrets_get_value_64b");
    g.bench_function("rust_core", |b| {
        b.iter(|| black_box(core_secrets.get_value(black_box("api-key"), None).unwrap()))
    });
    g.bench_function("rust_facade", |b| {
        b.iter(|| {
            black_box(
                facade_secrets
                    .get_value(black_box("api-key"), None)
                    .unwrap(),
            )
        })
    });
    g.bench_function("c_abi", |b| {
        let mut buf = [0u8; 64];
        b.iter(|| {
            let mut n = 0usize;
            // SAFETY: live handle, NUL-terminated name, a 64-byte buffer.
            let rc = unsafe {
                credcycle_secrets_get_value(
                    f.c_secrets,
                    c"api-key".as_ptr(),
                    ptr::null(),
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut n,
                    ptr::null_mut(),
                )
            };
            assert_eq!(rc, 0);
            black_box(&buf);
        })
    });
    g.finish();

    // SAFETY: handles made above, each freed once.
    unsafe {
        credcycle_secrets_free(f.c_secrets);
        credcycle_kms_free(f.c_kms);
        credcycle_engine_free(f.c_engine);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
