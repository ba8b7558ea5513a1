//! The fast path of [`super::parse_notification_with`]: serde visitors that read the body
//! straight into a [`Notification`], without building a `serde_json::Value` of the whole
//! document first (that tree was most of the parsing time: docs/benchmarks.md).
//!
//! Why a fast path and a reference path instead of one: the reference path (a `Value`, then
//! [`super::reader`]) gives every error its JSON path and message, which serde's
//! typed errors cannot. So this reader only ever says "yes, here is the result" or "not me":
//! on any input it does not fully understand — a syntax error, a wrong type, a float id,
//! a `null` where an object belongs — it gives up and the reference path runs and reports
//! the precise error. The rule it keeps: whenever it succeeds, its result equals the reference
//! path's. `fuzz/src/lib.rs` checks exactly that on every fuzzed input, and
//! `tests/fuzz_corpus.rs` replays it on the committed corpus.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::notification::{empty, ElementEvent, EventType, Notification, Shape};
use super::notification::{EVENT_KEYS, MESSAGE_KEYS};
use super::reader::hootsuite_from;
use crate::json::Doc;
use crate::path::Path;

/// `DeserializeSeed` for a visitor that is its own seed: `seed_any!` for any JSON value,
/// `seed_map!` for an object.
macro_rules! seed_any {
    ($t:ty) => {
        impl<'de> DeserializeSeed<'de> for $t {
            type Value = <$t as Visitor<'de>>::Value;
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
        }
    };
}

macro_rules! seed_map {
    ($t:ty) => {
        impl<'de> DeserializeSeed<'de> for $t {
            type Value = <$t as Visitor<'de>>::Value;
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_map(self)
            }
        }
    };
}

/// Reads `body` as a notification, or `None` when the reference path must decide.
pub(super) fn parse(body: &[u8]) -> Option<Notification> {
    // The reference path rejects invalid UTF-8 anywhere, but serde_json does not check the
    // strings it skips; checking the whole body first keeps both paths in agreement.
    let text = std::str::from_utf8(body).ok()?;
    let mut de = serde_json::Deserializer::from_str(text);
    let root = RootSeed.deserialize(&mut de).ok()?;
    de.end().ok()?;
    root.finish(body)
}

/// Gives up: the reference path will report what is wrong.
fn fail<E: de::Error>() -> E {
    E::custom("not on the fast path")
}

/// A field key: the index of a known key in `known`, or another key (kept only when asked).
enum Key {
    Known(usize),
    Other(Option<String>),
}

struct KeySeed {
    known: &'static [&'static str],
    keep_other: bool,
}

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(match self.known.iter().position(|k| *k == v) {
            Some(i) => Key::Known(i),
            None => Key::Other(self.keep_other.then(|| v.to_string())),
        })
    }
}

fn next_key<'de, A: MapAccess<'de>>(
    map: &mut A,
    known: &'static [&'static str],
    keep_other: bool,
) -> Result<Option<Key>, A::Error> {
    map.next_key_seed(KeySeed { known, keep_other })
}

/// `Doc::opt_str` (`integers: false`): a string or null; `Doc::opt_id` (`integers: true`):
/// also an integer, kept as its decimal text. Anything else gives up — a float too, so that its
/// text is the reference path's (serde_json's float formatting), not ours.
#[derive(Clone, Copy)]
struct OptText {
    integers: bool,
}

const OPT_STR: OptText = OptText { integers: false };
const OPT_ID: OptText = OptText { integers: true };

seed_any!(OptText);

impl Visitor<'_> for OptText {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.integers {
            "a string, an integer or null"
        } else {
            "a string or null"
        })
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.integers.then(|| Some(v.to_string())).ok_or_else(fail)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.integers.then(|| Some(v.to_string())).ok_or_else(fail)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// `Doc::opt_u64`: a non-negative integer, a string of digits that fits, or null.
struct OptU64;

seed_any!(OptU64);

impl Visitor<'_> for OptU64 {
    type Value = Option<u64>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-negative integer or null")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
            v.parse().map(Some).map_err(|_| fail())
        } else {
            Err(fail())
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// `eventType`: a string (the four known ones without allocating) or null for `UNKNOWN`.
struct OptEventType;

seed_any!(OptEventType);

impl Visitor<'_> for OptEventType {
    type Value = EventType;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or null")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(EventType::from_text(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(EventType::Unknown)
    }
}

/// Any JSON value, or `None` for null (`raw` is kept only when it is not null).
struct OptValue;

impl<'de> DeserializeSeed<'de> for OptValue {
    type Value = Option<Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        let v: Value = serde::Deserialize::deserialize(d)?;
        Ok((!v.is_null()).then_some(v))
    }
}

/// `instanceTags`: an array of strings, or null.
struct OptStrings;

seed_any!(OptStrings);

impl<'de> Visitor<'de> for OptStrings {
    type Value = Option<Vec<String>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of strings or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(s) = seq.next_element_seed(OPT_STR)? {
            // A null item is a wrong type for the reference path: give up.
            out.push(s.ok_or_else(fail)?);
        }
        Ok(Some(out))
    }
}

/// `events`: an array of event objects, or null for none.
struct Events;

seed_any!(Events);

impl<'de> Visitor<'de> for Events {
    type Value = Vec<ElementEvent>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of events or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // Most notifications carry a few events: a small start beats reserving the maximum (20).
        let mut out = Vec::with_capacity(4);
        while let Some(e) = seq.next_element_seed(Event)? {
            out.push(e);
        }
        Ok(out)
    }
}

struct Event;

seed_map!(Event);

impl<'de> Visitor<'de> for Event {
    type Value = ElementEvent;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an event object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut e = ElementEvent {
            object_type: None,
            object_id: None,
            event_type: EventType::Unknown,
            element_key: None,
            date: None,
            hub_key: None,
            extra: Map::new(),
        };
        while let Some(key) = next_key(&mut map, EVENT_KEYS, true)? {
            match key {
                Key::Known(0) => e.object_type = map.next_value_seed(OPT_STR)?,
                Key::Known(1) => e.object_id = map.next_value_seed(OPT_ID)?,
                Key::Known(2) => e.event_type = map.next_value_seed(OptEventType)?,
                Key::Known(3) => e.element_key = map.next_value_seed(OPT_STR)?,
                Key::Known(4) => e.date = map.next_value_seed(OPT_ID)?,
                Key::Known(_) => e.hub_key = map.next_value_seed(OPT_STR)?,
                Key::Other(k) => {
                    let k = k.ok_or_else(fail)?;
                    let v: Value = map.next_value()?;
                    e.extra.insert(k, v);
                }
            }
        }
        Ok(e)
    }
}

/// Reads one of the fields of `message` (index into `MESSAGE_KEYS`) into `n`.
fn field<'de, A: MapAccess<'de>>(
    map: &mut A,
    n: &mut Notification,
    index: usize,
) -> Result<(), A::Error> {
    match index {
        0 => n.event_id = map.next_value_seed(OPT_ID)?,
        1 => n.instance_id = map.next_value_seed(OptU64)?,
        2 => n.instance_name = map.next_value_seed(OPT_STR)?,
        3 => n.instance_tags = map.next_value_seed(OptStrings)?,
        4 => n.element_key = map.next_value_seed(OPT_STR)?,
        5 => n.account_id = map.next_value_seed(OPT_ID)?,
        6 => n.company_id = map.next_value_seed(OPT_ID)?,
        7 => n.user_id = map.next_value_seed(OPT_ID)?,
        8 => n.notification_id = map.next_value_seed(OPT_ID)?,
        9 => n.events = map.next_value_seed(Events)?,
        _ => n.raw = map.next_value_seed(OptValue)?,
    }
    Ok(())
}

/// Another key's value, kept as JSON in `extra`.
fn keep<'de, A: MapAccess<'de>>(
    map: &mut A,
    extra: &mut Map<String, Value>,
    key: Option<String>,
) -> Result<(), A::Error> {
    let key = key.ok_or_else(fail)?;
    let value: Value = map.next_value()?;
    extra.insert(key, value);
    Ok(())
}

struct Message;

seed_map!(Message);

impl<'de> Visitor<'de> for Message {
    type Value = Notification;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the message object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut n = empty(Shape::Message);
        while let Some(key) = next_key(&mut map, MESSAGE_KEYS, true)? {
            match key {
                Key::Known(i) => field(&mut map, &mut n, i)?,
                Key::Other(k) => keep(&mut map, &mut n.message_extra, k)?,
            }
        }
        Ok(n)
    }
}

/// The older shape's `response`: its `events`, and its other fields kept.
struct Response;

seed_map!(Response);

impl<'de> Visitor<'de> for Response {
    type Value = (Vec<ElementEvent>, Map<String, Value>);
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the response object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut events, mut extra) = (Vec::new(), Map::new());
        while let Some(key) = next_key(&mut map, &["events"], true)? {
            match key {
                Key::Known(_) => events = map.next_value_seed(Events)?,
                Key::Other(k) => keep(&mut map, &mut extra, k)?,
            }
        }
        Ok((events, extra))
    }
}

/// The root object: the envelope, `message` (current shape) or the older shape's fields.
struct Root {
    message: Option<Notification>,
    response: Option<(Vec<ElementEvent>, Map<String, Value>)>,
    /// The older shape's fields (and the envelope's, for both shapes).
    legacy: Notification,
    /// Whether a field of `message` stood at the root (`events` aside).
    legacy_fields: bool,
}

struct RootSeed;

seed_map!(RootSeed);

impl<'de> Visitor<'de> for RootSeed {
    type Value = Root;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the notification object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut root = Root {
            message: None,
            response: None,
            legacy: empty(Shape::Legacy),
            legacy_fields: false,
        };
        while let Some(key) = map.next_key::<String>()? {
            let n = &mut root.legacy;
            match key.as_str() {
                "message" => root.message = Some(map.next_value_seed(Message)?),
                "response" => root.response = Some(map.next_value_seed(Response)?),
                "id" => n.id = map.next_value_seed(OPT_ID)?,
                "topic" => n.topic = map.next_value_seed(OPT_STR)?,
                "action" => n.action = map.next_value_seed(OPT_STR)?,
                "severity" => n.severity = map.next_value_seed(OPT_STR)?,
                "createdDate" => n.created_date = map.next_value_seed(OPT_ID)?,
                "user" => n.user = map.next_value_seed(OptValue)?,
                // The root's own `events` are kept, never read as the older shape's.
                "events" => keep(&mut map, &mut n.extra, Some(key))?,
                k => match MESSAGE_KEYS.iter().position(|m| *m == k) {
                    Some(i) => {
                        root.legacy_fields = true;
                        field(&mut map, n, i)?;
                    }
                    None => keep(&mut map, &mut n.extra, Some(key))?,
                },
            }
        }
        Ok(root)
    }
}

impl Root {
    fn finish(self, body: &[u8]) -> Option<Notification> {
        let envelope = self.legacy;
        let mut n = match (self.message, self.response) {
            // With `message`, fields at the root are extra: leave them to the reference path,
            // which keeps them as JSON (here they were read as typed values).
            (Some(_), Some(_)) => return None,
            (Some(_), None) if self.legacy_fields => return None,
            (Some(m), None) => Notification {
                id: envelope.id,
                topic: envelope.topic,
                action: envelope.action,
                severity: envelope.severity,
                created_date: envelope.created_date,
                user: envelope.user,
                extra: envelope.extra,
                ..m
            },
            (None, Some((events, response_extra))) => Notification {
                events,
                message_extra: response_extra,
                ..envelope
            },
            (None, None) => return None,
        };
        if let Some(v) = &n.raw {
            // Hootsuite's part is small next to the rest; its decoder walks the `Value`.
            let raw_path = match n.shape {
                Shape::Message => Path::ROOT.key("message"),
                Shape::Legacy => Path::ROOT,
            };
            let mut rejected = Vec::new();
            n.hootsuite_events =
                hootsuite_from(&Doc::new(body), v, raw_path.key("raw"), &mut rejected);
            // Rejections are the reference path's to report.
            if !rejected.is_empty() {
                return None;
            }
        }
        super::units::derive(&mut n, body);
        Some(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Limits;

    /// Bodies the fast path must take (and agree on), and bodies it must leave to the
    /// reference path, whose errors carry paths.
    #[test]
    fn takes_ordinary_bodies_and_leaves_the_rest() {
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
        let mut taken = vec![
            std::fs::read(format!("{fixtures}notification-message.json")).expect("fixture"),
            std::fs::read(format!("{fixtures}notification-legacy.json")).expect("fixture"),
        ];
        taken.extend(
            [
                r#"{"message": {"eventId": 7, "instanceId": "12", "events": null, "raw": null}}"#,
                r#"{"message": {"events": [{"x": 1, "objectId": -3, "x": [2], "eventType": null}]}}"#,
                r#"{"eventId": 1, "response": {"events": [], "more": {}}, "raw": [{"type": "t", "data": 1.5}]}"#,
                r#"{"message": {"raw": {"not": "hootsuite"}}, "message": {"eventId": "\u00e9"}}"#,
            ]
            .map(|s| s.as_bytes().to_vec()),
        );
        for body in &taken {
            let fast = parse(body).unwrap_or_else(|| {
                panic!("fast path gave up on {}", String::from_utf8_lossy(body))
            });
            let reference = super::super::reference_parse_with(body, &Limits::default());
            assert_eq!(Ok(fast), reference);
        }
        let left: [&[u8]; 11] = [
            br#"{"message": {"eventId": 1.0}}"#,
            br#"{"message": {"instanceId": -1}}"#,
            br#"{"message": {"instanceId": "99999999999999999999"}}"#,
            br#"{"message": null}"#,
            br#"{"message": {"events": [{"eventType": 5}]}}"#,
            br#"{"message": {"raw": [{"type": 5}]}}"#,
            br#"{"nothing": 1}"#,
            b"{\"message\": {}, \"x\": \"\xff\"}",
            br#"{"message": {}} x"#,
            // Found by the fuzz target: out of range in a field nobody reads.
            br#"{"message": {"inst.tIdd": 6e99999999999999999999999999990}}"#,
            br#"{"message": {}, "x": ["\ud800"]}"#,
        ];
        for body in left {
            assert!(
                parse(body).is_none(),
                "fast path took {}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
