#![no_main]
//! Any URL or query into the OAuth callback parser.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hootsuite_events_fuzz::callback(data);
});
