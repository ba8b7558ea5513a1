#![no_main]
//! A secret planted anywhere under a secret name never appears in any rendering.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hootsuite_events_fuzz::redact(data);
});
