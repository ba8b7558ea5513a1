#![no_main]
//! Any status and body into the instance, page, events, configuration, redirect-URL and error
//! parsers.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hootsuite_events_fuzz::responses(data);
});
