#![no_main]
//! Any key, header and body into verification (and verify-then-parse).
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hootsuite_events_fuzz::signature(data);
});
