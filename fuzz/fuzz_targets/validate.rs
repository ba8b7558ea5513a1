#![no_main]
//! Any text into validation: deterministic, and building agrees with the report.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hootsuite_events_fuzz::validate(data);
});
