#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| credcycle::internal::fuzzing::record_codec(data));
