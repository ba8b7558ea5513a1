#![no_main]
//! The browser build's JSON reader against serde_json: same value or same error.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hootsuite_events_fuzz::jsonv(data);
});
