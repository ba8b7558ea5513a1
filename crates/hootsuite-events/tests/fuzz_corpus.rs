//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) through the same entry points
//! the fuzz targets use, so that every input the fuzzers kept stays a regression test of the
//! ordinary suite.

#[path = "../../../fuzz/src/lib.rs"]
#[allow(dead_code, clippy::unwrap_used)]
mod fuzz;

use std::path::PathBuf;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("corpus entry").path();
        run(&std::fs::read(&path).expect("corpus file"));
        count += 1;
    }
    assert!(count > 0, "the {target} corpus is empty");
}

#[test]
fn notification_corpus() {
    replay("notification", fuzz::notification);
}

#[test]
fn signature_corpus() {
    replay("signature", fuzz::signature);
}

#[test]
fn responses_corpus() {
    replay("responses", fuzz::responses);
}

#[test]
fn callback_corpus() {
    replay("callback", fuzz::callback);
}

#[test]
fn validate_corpus() {
    replay("validate", fuzz::validate);
}

#[test]
fn urls_corpus() {
    replay("urls", fuzz::urls);
}

#[test]
fn redact_corpus() {
    replay("redact", fuzz::redact);
}

#[test]
fn jsonv_corpus() {
    replay("jsonv", fuzz::jsonv);
}
