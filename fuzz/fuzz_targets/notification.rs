#![no_main]
//! Any bytes into the notification parser: a value or an error, never a panic.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hootsuite_events_fuzz::notification(data);
});
