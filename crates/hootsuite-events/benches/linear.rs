//! Time at 1× and 4× input for the parsers whose allocations `tests/limits.rs` checks: a ratio
//! near 4 is linear, near 16 quadratic. Timing lives here, not in a test (a busy machine would
//! decide a timed assertion).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use hootsuite_events::events::parse_notification;
use hootsuite_events::oauth::parse_callback;

fn notification(events: usize) -> Vec<u8> {
    let items: Vec<String> = (0..events)
        .map(|i| format!(r#"{{"objectType":"messages","objectId":"{i}","eventType":"UPDATED"}}"#))
        .collect();
    format!(
        r#"{{"message":{{"eventId":"e","events":[{}]}}}}"#,
        items.join(",")
    )
    .into_bytes()
}

fn linear(c: &mut Criterion) {
    let mut g = c.benchmark_group("linear");
    for n in [1_000, 4_000] {
        let body = notification(n);
        g.bench_function(format!("parse_notification {n} events"), |b| {
            b.iter(|| parse_notification(black_box(&body)))
        });
        let query = format!("?state=s&code=c{}", "&x=1".repeat(n * 10));
        g.bench_function(format!("parse_callback {} parameters", n * 10), |b| {
            b.iter(|| parse_callback(black_box(&query), "s"))
        });
    }
    g.finish();
}

criterion_group!(benches, linear);
criterion_main!(benches);
