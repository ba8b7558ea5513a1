//! Units of work and their idempotency keys.
//!
//! A key is made only of bytes the signature covers, so that nobody who holds one captured
//! delivery can make it look new (the `Elements-Webhook-Id` header is not signed). In order of
//! preference, a notification names:
//!
//! 1. one unit per Hootsuite event in `raw`: `hs:<instanceId>:<seq_no>`. Hootsuite numbers each
//!    event; Cloud Elements splits a batch of more than 20 into several notifications that
//!    each carry the whole `raw`, so every part names the same units and the batch is
//!    processed once however it was split. An event without `seq_no` is keyed by a digest of
//!    its JSON and its position in the batch (`hs:<instanceId>:@<digest>:<position>`), the same
//!    in every part.
//! 2. otherwise one unit per Cloud Elements event: `ce:<instanceId>:<eventId>:<position>`
//!    (`eventId` names the notification, the position the event in it); without an `eventId`,
//!    `ce:<instanceId>:@<digest of the body>:<position>`.
//! 3. otherwise one unit for the whole notification: `nb:<instanceId>:@<digest of the body>`.
//!
//! `<instanceId>` is `-` when absent. A text component that is not short and plain
//! (`[A-Za-z0-9._-]`, at most 64 bytes) is replaced by `~<digest>`, so that keys stay short
//! and unambiguous whatever the body holds. Digests are the first 16 bytes of SHA-256, in hex.

use sha2::{Digest, Sha256};

use super::notification::{Notification, Unit, UnitKind};

/// Sets the units of `n`, parsed from `body`, and the keys of its rejected events.
pub(crate) fn derive(n: &mut Notification, body: &[u8]) {
    let instance = n
        .instance_id
        .map_or_else(|| "-".to_string(), |i| i.to_string());
    let mut units: Vec<Unit> = Vec::new();
    if let Some(count) = list_len(n, UnitKind::HootsuiteEvent) {
        units.reserve_exact(count);
        let mut valid = 0;
        for position in 0..count {
            // An event without seq_no, or one that could not be read, is keyed by its JSON;
            // the position keeps two identical events of one batch apart, and every part of a
            // split batch carries the whole batch, so it is stable.
            // Only here is `raw` built, for an event without seq_no or a rejected one.
            let by_json = || {
                let json = n
                    .raw
                    .as_deref()
                    .and_then(serde_json::Value::as_array)
                    .and_then(|items| items.get(position))
                    .and_then(|v| serde_json::to_vec(v).ok())
                    .unwrap_or_default();
                format!("hs:{instance}:@{}:{position}", digest(&json))
            };
            let unit = match find(n, UnitKind::HootsuiteEvent, position) {
                Some(r) => rejected_unit(r, by_json()),
                None => {
                    let key = match n
                        .hootsuite_events
                        .get(valid)
                        .and_then(|e| e.seq_no.as_ref())
                    {
                        Some(seq) if plain(seq) => {
                            // One allocation and no formatting: this runs once per event.
                            let mut key = String::with_capacity(4 + instance.len() + seq.len());
                            key.push_str("hs:");
                            key.push_str(&instance);
                            key.push(':');
                            key.push_str(seq);
                            key
                        }
                        Some(seq) => format!("hs:{instance}:{}", component(seq)),
                        None => by_json(),
                    };
                    valid += 1;
                    Unit {
                        key,
                        kind: UnitKind::HootsuiteEvent,
                        index: Some(valid - 1),
                    }
                }
            };
            units.push(unit);
        }
    } else if let Some(count) = list_len(n, UnitKind::ElementEvent) {
        let notification = n
            .event_id
            .as_deref()
            .map_or_else(|| format!("@{}", digest(body)), component);
        units.reserve_exact(count);
        let mut valid = 0;
        for position in 0..count {
            let key = format!("ce:{instance}:{notification}:{position}");
            let unit = match find(n, UnitKind::ElementEvent, position) {
                Some(r) => rejected_unit(r, key),
                None => {
                    valid += 1;
                    Unit {
                        key,
                        kind: UnitKind::ElementEvent,
                        index: Some(valid - 1),
                    }
                }
            };
            units.push(unit);
        }
    } else {
        units.push(Unit {
            key: format!("nb:{instance}:@{}", digest(body)),
            kind: UnitKind::Notification,
            index: None,
        });
    }
    for unit in &units {
        if let (UnitKind::Rejected, Some(r)) = (unit.kind, unit.index) {
            if let Some(r) = n.rejected.get_mut(r) {
                r.key = Some(unit.key.clone());
            }
        }
    }
    n.units = units;
}

/// How many events `source`'s list had as received (read and rejected), when it had any.
fn list_len(n: &Notification, source: UnitKind) -> Option<usize> {
    let read = match source {
        UnitKind::HootsuiteEvent => n.hootsuite_events.len(),
        _ => n.events.len(),
    };
    let count = read + n.rejected.iter().filter(|r| r.source == source).count();
    (count > 0).then_some(count)
}

/// The index in [`Notification::rejected`] of the event at `position` of `source`'s list.
fn find(n: &Notification, source: UnitKind, position: usize) -> Option<usize> {
    n.rejected
        .iter()
        .position(|r| r.source == source && r.position == position)
}

/// The unit of the rejected event `index`, keyed `key`.
fn rejected_unit(index: usize, key: String) -> Unit {
    Unit {
        key,
        kind: UnitKind::Rejected,
        index: Some(index),
    }
}

/// Whether `text` is a key component as it is: short and `[A-Za-z0-9._-]`.
fn plain(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// A text as a key component: itself when short and plain, else `~<digest>`.
fn component(text: &str) -> String {
    if plain(text) {
        text.to_string()
    } else {
        format!("~{}", digest(text.as_bytes()))
    }
}

/// The first 16 bytes of SHA-256, in lower-case hex.
fn digest(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let hash = Sha256::digest(bytes);
    let mut out = String::with_capacity(32);
    for b in &hash[..16] {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::events::parse_notification;

    fn keys(body: &str) -> Vec<String> {
        parse_notification(body.as_bytes())
            .expect("parses")
            .units
            .into_iter()
            .map(|u| u.key)
            .collect()
    }

    #[test]
    fn hootsuite_events_are_keyed_by_seq_no_in_every_part() {
        let raw = r#"[{"seq_no": "7", "type": "t"}, {"seq_no": "8", "type": "t"}, {"type": "t", "data": {"x": 1}}]"#;
        let part1 = format!(
            r#"{{"message": {{"eventId": "a", "instanceId": 5, "events": [{{}}], "raw": {raw}}}}}"#
        );
        let part2 = format!(
            r#"{{"message": {{"eventId": "b", "instanceId": 5, "events": [{{}}, {{}}], "raw": {raw}}}}}"#
        );
        let k = keys(&part1);
        assert_eq!(&k[..2], ["hs:5:7", "hs:5:8"]);
        assert!(k[2].starts_with("hs:5:@") && k[2].ends_with(":2"), "{k:?}");
        // Two identical events without seq_no in one batch stay two units.
        let twin = r#"{"message": {"raw": [{"type": "t"}, {"type": "t"}]}}"#;
        let twins = keys(twin);
        assert_ne!(twins[0], twins[1]);
        assert_eq!(k, keys(&part2));
    }

    #[test]
    fn element_events_and_bare_notifications() {
        assert_eq!(
            keys(r#"{"message": {"eventId": 12, "events": [{}, {}]}}"#),
            ["ce:-:12:0", "ce:-:12:1"]
        );
        let a = keys(r#"{"message": {"instanceId": 3, "events": [{}]}}"#);
        assert!(a[0].starts_with("ce:3:@") && a[0].ends_with(":0"), "{a:?}");
        let b = keys(r#"{"message": {"instanceId": 3}}"#);
        let c = keys(r#"{"message": {"instanceId": 3} }"#);
        assert!(b[0].starts_with("nb:3:@"));
        assert_ne!(b, c, "a different body is a different notification");
    }

    #[test]
    fn numbers_are_keyed_by_their_text_as_signed() {
        // Past u64::MAX serde_json rounds both to 1.8446744073709552e19: one would be
        // skipped as the other's duplicate.
        let big = |n: &str| {
            keys(&format!(
                r#"{{"message": {{"instanceId": 1, "raw": [{{"seq_no": {n}, "type": "t"}}]}}}}"#
            ))
        };
        assert_eq!(big("18446744073709551616"), ["hs:1:18446744073709551616"]);
        assert_eq!(big("18446744073709551617"), ["hs:1:18446744073709551617"]);
        assert_eq!(big("1.5e3"), ["hs:1:1.5e3"]);
        let ce = |n: &str| {
            keys(&format!(
                r#"{{"message": {{"eventId": {n}, "events": [{{}}]}}}}"#
            ))
        };
        assert_eq!(ce("18446744073709551616"), ["ce:-:18446744073709551616:0"]);
        assert_eq!(ce("18446744073709551617"), ["ce:-:18446744073709551617:0"]);
        let n = parse_notification(
            br#"{"message": {"raw": [{"seq_no": 18446744073709551617, "type": "t"}]}}"#,
        )
        .expect("parses");
        assert_eq!(
            n.hootsuite_events[0].seq_no.as_deref(),
            Some("18446744073709551617")
        );
    }

    #[test]
    fn odd_components_become_digests() {
        let k = keys(r#"{"message": {"raw": [{"seq_no": "a:b", "type": "t"}]}}"#);
        assert!(k[0].starts_with("hs:-:~"), "{k:?}");
        let long = "9".repeat(65);
        let k = keys(&format!(
            r#"{{"message": {{"raw": [{{"seq_no": "{long}", "type": "t"}}]}}}}"#
        ));
        assert_eq!(k[0].len(), "hs:-:~".len() + 32);
    }
}
