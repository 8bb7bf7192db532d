//! The C API of credcycle: `libcredcycle.so` / `libcredcycle.a` and the
//! generated header `include/credcycle.h`.
//!
//! A thin layer over `credcycle-facade`, modeled on rustls-ffi:
//!
//! - every symbol is prefixed `credcycle_`; opaque handles come from
//!   `_new`/`_build`/accessor calls and are released with `_free`, which
//!   accepts NULL;
//! - every fallible function returns a `credcycle_result` (0 = OK; otherwise
//!   the engine's stable error code, or a binding code in 9000..=9099), takes
//!   its outputs last, and writes them only on success;
//! - byte outputs go to caller buffers `(buf, len, out_n)`;
//!   `CREDCYCLE_RESULT_INSUFFICIENT_SIZE` reports the size needed in
//!   `*out_n`;
//! - every entry point catches panics (`CREDCYCLE_RESULT_PANIC`);
//! - `credcycle_result_message` gives a static message per code (no
//!   thread-local last error);
//! - stores, key managers and clocks can be written in C
//!   (`credcycle_store_vtable`, `credcycle_key_manager_vtable`,
//!   `credcycle_clock_vtable`).
//!
//! Thread-safety is stated on each type: builders are single-owner; the
//! engine and its domain handles are shared and thread-safe; result objects
//! are immutable.
#![allow(non_camel_case_types)]

mod ffi;
mod panic;

pub mod client;
pub mod engine;
pub mod error;
pub mod foreign;
pub mod identities;
pub mod machine;
pub mod pki;
pub mod results_identities;
pub mod results_machine;
pub mod results_pki;
pub mod results_targets;
pub mod results_tokens;
pub mod secrets;
pub mod targets;
pub mod tokens;
pub mod types;

#[cfg(test)]
mod tests;
