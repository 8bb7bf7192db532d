#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| credcycle::internal::fuzzing::ip_list_parse(data));
