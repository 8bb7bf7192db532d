//! The uniffi bindings generator, built from the workspace so its version
//! always matches the `uniffi` crate the library is compiled with:
//!
//! ```text
//! cargo run -p credcycle-uniffi --bin uniffi-bindgen -- generate --no-format \
//!     --library target/debug/libcredcycle_uniffi.so --language kotlin --out-dir out/kotlin
//! ```

fn main() {
    uniffi::uniffi_bindgen_main()
}
