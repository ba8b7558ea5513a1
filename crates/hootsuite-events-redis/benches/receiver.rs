//! Receiver throughput (placeholder).
fn main() {}
