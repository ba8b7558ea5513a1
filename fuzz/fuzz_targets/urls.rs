#![no_main]
//! Any text as a base URL, a callback URL and the other URL arguments.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hootsuite_events_fuzz::urls(data);
});
