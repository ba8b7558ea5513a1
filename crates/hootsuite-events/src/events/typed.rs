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

use super::notification::{empty, ElementEvent, EventType, LazyJson, Notification, Shape};
use super::notification::{HootsuiteData, HootsuiteEvent, EVENT_KEYS, MESSAGE_KEYS};

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

/// A set of known keys, as a type: each set gets its own copy of the key reader, in which
/// the keys are constants and their comparisons need no call to `memcmp`.
trait Keys {
    const KNOWN: &'static [&'static str];
}

macro_rules! keys {
    ($($t:ident = $known:expr;)*) => {
        $(
            struct $t;
            impl Keys for $t {
                const KNOWN: &'static [&'static str] = $known;
            }
        )*
    };
}

keys! {
    EventKeys = EVENT_KEYS;
    MessageKeys = MESSAGE_KEYS;
    ResponseKeys = &["events"];
    HsEventKeys = &["seq_no", "type", "data"];
    DataKeys = &[
        "state",
        "timestamp",
        "organization",
        "message",
        "comment",
        "app",
        "member",
    ];
    IdKeys = &["id"];
}

struct KeySeed<K> {
    keep_other: bool,
    keys: std::marker::PhantomData<K>,
}

impl<'de, K: Keys> DeserializeSeed<'de> for KeySeed<K> {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<K: Keys> Visitor<'_> for KeySeed<K> {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(match K::KNOWN.iter().position(|k| *k == v) {
            Some(i) => Key::Known(i),
            None => Key::Other(self.keep_other.then(|| v.to_string())),
        })
    }
}

fn next_key<'de, K: Keys, A: MapAccess<'de>>(
    map: &mut A,
    keep_other: bool,
) -> Result<Option<Key>, A::Error> {
    map.next_key_seed(KeySeed::<K> {
        keep_other,
        keys: std::marker::PhantomData,
    })
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
        while seq.next_element_seed(Event(&mut out))?.is_some() {}
        Ok(out)
    }
}

/// Pushed onto `.0` by the visitor itself, as [`HsEvent`]: not copied on its way back.
struct Event<'a>(&'a mut Vec<ElementEvent>);

impl<'de> DeserializeSeed<'de> for Event<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Event<'_> {
    type Value = ();
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
        while let Some(key) = next_key::<EventKeys, _>(&mut map, true)? {
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
        self.0.push(e);
        Ok(())
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
        _ => {
            // `raw` itself is set by `Root::finish`, which has the body: a placeholder till then.
            let read = map.next_value_seed(RawEvents)?;
            n.raw = read.is_some().then(|| LazyJson::from(Value::Null));
            n.hootsuite_events = read.unwrap_or_default();
        }
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
        while let Some(key) = next_key::<MessageKeys, _>(&mut map, true)? {
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
        while let Some(key) = next_key::<ResponseKeys, _>(&mut map, true)? {
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
        if n.raw.is_some() {
            n.raw = Some(LazyJson::in_body(body, n.shape == Shape::Message));
        }
        super::units::derive(&mut n, body);
        Some(n)
    }
}

/// Nesting the fast path reads inside `raw` (the array is 1); deeper gives up, well inside
/// serde_json's limit of 128 for the whole body, which the reference path applies.
const RAW_DEPTH: usize = 100;

/// `raw`'s value, read in the same pass as the rest of the body, its values checked as a
/// `Value` would be (numbers in range, escapes, depth) without building one: `None` for null,
/// else its Hootsuite events (none unless it is an array).
struct RawEvents;

seed_any!(RawEvents);

impl<'de> Visitor<'de> for RawEvents {
    type Value = Option<Vec<HootsuiteEvent>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Hootsuite's events")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Some(Vec::new()))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Some(Vec::new()))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Some(Vec::new()))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Some(Vec::new()))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Some(Vec::new()))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Skip(1).visit_map(map)?;
        Ok(Some(Vec::new()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(4).min(32));
        while seq.next_element_seed(HsEvent(&mut out))?.is_some() {}
        Ok(Some(out))
    }
}

/// Any value, checked as serde_json checks a `Value` (it reads numbers and strings the same
/// way) without building it; `.0` is its nesting inside `raw`.
#[derive(Clone, Copy)]
struct Skip(usize);

seed_any!(Skip);

impl<'de> Visitor<'de> for Skip {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let inner = self.deeper()?;
        while seq.next_element_seed(inner)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let inner = self.deeper()?;
        while map.next_key_seed(inner)?.is_some() {
            map.next_value_seed(inner)?;
        }
        Ok(())
    }
}

impl Skip {
    fn deeper<E: de::Error>(self) -> Result<Skip, E> {
        if self.0 >= RAW_DEPTH {
            return Err(fail());
        }
        Ok(Skip(self.0 + 1))
    }
}

/// A value kept as JSON inside `raw` (an event's other fields, an unknown type's data) at
/// nesting `depth`: built as a `Value`, given up on past [`RAW_DEPTH`].
fn kept<E: de::Error>(v: Value, depth: usize) -> Result<Value, E> {
    if depth + nesting(&v) > RAW_DEPTH {
        return Err(fail());
    }
    Ok(v)
}

/// How many arrays and objects deep `v` is (0 for a scalar).
fn nesting(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(nesting).max().unwrap_or(0),
        Value::Object(o) => 1 + o.values().map(nesting).max().unwrap_or(0),
        _ => 0,
    }
}

/// The kind of `data` an event's `type` names (`reader::data_from`).
#[derive(Clone, Copy)]
enum DataKind {
    Message,
    Comment,
    App,
    Ping,
    Other,
}

impl DataKind {
    fn of(event_type: &str) -> Self {
        match event_type {
            "com.hootsuite.messages.event.v1" => DataKind::Message,
            "com.hootsuite.comments.event.v1" => DataKind::Comment,
            "com.hootsuite.apps.event.v1" => DataKind::App,
            "com.hootsuite.ping.event.v1" => DataKind::Ping,
            _ => DataKind::Other,
        }
    }

    /// The data of an event without `data` (`reader::data_from` of null).
    fn absent(self) -> HootsuiteData {
        Known::default()
            .finish(self)
            .unwrap_or(HootsuiteData::Other { data: Value::Null })
    }
}

/// One Hootsuite event (`reader::hootsuite_event`), at nesting 2 inside `raw`. Anything the
/// reference path would reject gives up: rejections are its to report.
/// Pushed onto `.0` by the visitor itself: an event is large, and returning it through
/// serde's `Result`s and `Option`s copied it at every level.
struct HsEvent<'a>(&'a mut Vec<HootsuiteEvent>);

impl<'de> DeserializeSeed<'de> for HsEvent<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for HsEvent<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Hootsuite event")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut seq_no = None;
        let mut event_type: Option<String> = None;
        // `data` read as its type says, or as a value when it comes before `type`.
        let mut data: Option<HootsuiteData> = None;
        let mut data_value: Option<Value> = None;
        let mut extra = Map::new();
        while let Some(key) = next_key::<HsEventKeys, _>(&mut map, true)? {
            match key {
                Key::Known(0) => seq_no = map.next_value_seed(OPT_ID)?,
                Key::Known(1) => {
                    // A repeated `type` or `data` (the last one counts) is left to the reference.
                    if event_type.is_some() {
                        return Err(fail());
                    }
                    event_type = Some(map.next_value_seed(OPT_STR)?.ok_or_else(fail)?);
                }
                Key::Known(_) => {
                    if data.is_some() || data_value.is_some() {
                        return Err(fail());
                    }
                    match &event_type {
                        Some(t) => data = Some(map.next_value_seed(DataSeed(DataKind::of(t)))?),
                        None => data_value = Some(map.next_value()?),
                    }
                }
                Key::Other(k) => {
                    let k = k.ok_or_else(fail)?;
                    let v = kept(map.next_value()?, 2)?;
                    extra.insert(k, v);
                }
            }
        }
        let event_type = event_type.ok_or_else(fail)?;
        let kind = DataKind::of(&event_type);
        let data = match (data, data_value) {
            (Some(d), _) => d,
            (None, Some(value)) => DataSeed(kind).deserialize(value).map_err(|_| fail())?,
            (None, None) => kind.absent(),
        };
        self.0.push(HootsuiteEvent {
            seq_no,
            event_type,
            data,
            extra,
        });
        Ok(())
    }
}

/// An event's `data` (`reader::data_from`), at nesting 3 inside `raw`.
struct DataSeed(DataKind);

impl<'de> DeserializeSeed<'de> for DataSeed {
    type Value = HootsuiteData;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        match self.0 {
            DataKind::Ping => d.deserialize_any(Skip(3)).map(|()| HootsuiteData::Ping),
            DataKind::Other => {
                let data = kept(<Value as serde::Deserialize>::deserialize(d)?, 3)?;
                Ok(HootsuiteData::Other { data })
            }
            kind => d
                .deserialize_any(KnownSeed(kind))?
                .finish(kind)
                .ok_or_else(fail),
        }
    }
}

/// The fields of a message, comment or app event's data.
#[derive(Default)]
struct Known {
    state: Option<String>,
    timestamp: Option<String>,
    organization: Option<String>,
    /// `message.id`, `comment.id` or `app.id`.
    object: Option<String>,
    member: Option<String>,
}

impl Known {
    fn finish(self, kind: DataKind) -> Option<HootsuiteData> {
        let Known {
            state,
            timestamp,
            organization: organization_id,
            object,
            member,
        } = self;
        Some(match kind {
            DataKind::Message => HootsuiteData::Message {
                state,
                message_id: object,
                organization_id,
                timestamp,
            },
            DataKind::Comment => HootsuiteData::Comment {
                state,
                comment_id: object,
                organization_id,
                timestamp,
            },
            DataKind::App => HootsuiteData::App {
                state,
                app_id: object,
                member_id: member,
                organization_id,
                timestamp,
            },
            DataKind::Ping => HootsuiteData::Ping,
            DataKind::Other => return None,
        })
    }
}

struct KnownSeed(DataKind);

impl<'de> Visitor<'de> for KnownSeed {
    type Value = Known;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Known, E> {
        Ok(Known::default())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Known, A::Error> {
        let mut k = Known::default();
        while let Some(key) = next_key::<DataKeys, _>(&mut map, false)? {
            match (key, self.0) {
                (Key::Known(0), _) => k.state = map.next_value_seed(OPT_STR)?,
                (Key::Known(1), _) => k.timestamp = map.next_value_seed(OPT_ID)?,
                (Key::Known(2), _) => k.organization = map.next_value_seed(NestedId)?,
                (Key::Known(3), DataKind::Message)
                | (Key::Known(4), DataKind::Comment)
                | (Key::Known(5), DataKind::App) => k.object = map.next_value_seed(NestedId)?,
                (Key::Known(6), DataKind::App) => k.member = map.next_value_seed(NestedId)?,
                _ => map.next_value_seed(Skip(4))?,
            }
        }
        Ok(k)
    }
}

/// `{"id": ...}` or null (`nested_id` in `reader::data_from`), at nesting 4 inside `raw`.
struct NestedId;

seed_any!(NestedId);

impl<'de> Visitor<'de> for NestedId {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with `id` or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut id = None;
        while let Some(key) = next_key::<IdKeys, _>(&mut map, false)? {
            match key {
                Key::Known(_) => id = map.next_value_seed(OPT_ID)?,
                Key::Other(_) => map.next_value_seed(Skip(5))?,
            }
        }
        Ok(id)
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
                // `raw` read in one pass: data before type, other fields, every known type.
                r#"{"message": {"instanceId": 4, "raw": [
                    {"data": {"state": "SENT", "message": {"id": 12, "x": [1, {"y": null}]}}, "type": "com.hootsuite.messages.event.v1", "seq_no": 7},
                    {"seq_no": "8", "type": "com.hootsuite.comments.event.v1", "data": {"comment": {"id": "c"}, "organization": null, "timestamp": 1764151200, "message": 5}, "more": {"a": [1.5e3, "\ud83d\ude00"]}, "more": 2},
                    {"seq_no": "9", "type": "com.hootsuite.apps.event.v1", "data": {"app": {"id": "a", "id": "b"}, "member": {"id": -4}, "state": null}},
                    {"seq_no": null, "seq_no": "10", "type": "com.hootsuite.ping.event.v1", "data": [true, {"z": 1e-7}]},
                    {"type": "com.example.other", "data": {"kept": [1, 2.50, "x"]}},
                    {"type": "com.hootsuite.messages.event.v1"},
                    {"type": "com.hootsuite.apps.event.v1", "data": null}]}}"#,
                r#"{"eventId": 3, "response": {"events": []}, "raw": [{"type": "t", "seq_no": -1}]}"#,
                r#"{"message": {"raw": "text"}}"#,
                r#"{"message": {"raw": 12.5e1}}"#,
                r#"{"message": {"raw": [], "raw": [{"type": "t"}]}}"#,
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
        let deep = format!(
            r#"{{"message": {{"raw": [{{"type": "t", "data": {}1{}}}]}}}}"#,
            "[".repeat(125),
            "]".repeat(125)
        );
        let deep_other = format!(
            r#"{{"message": {{"raw": [{{"type": "t", "x": {}1{}}}]}}}}"#,
            "[".repeat(99),
            "]".repeat(99)
        );
        let left: [&[u8]; 26] = [
            deep.as_bytes(),
            deep_other.as_bytes(),
            // What the reference path rejects in `raw`, or reads otherwise than a first look.
            br#"{"message": {"raw": [{"seq_no": "1"}]}}"#,
            br#"{"message": {"raw": [{"type": null}]}}"#,
            br#"{"message": {"raw": [5]}}"#,
            br#"{"message": {"raw": [{"type": "com.hootsuite.messages.event.v1", "data": 1}]}}"#,
            br#"{"message": {"raw": [{"type": "com.hootsuite.apps.event.v1", "data": {"member": 1}}]}}"#,
            br#"{"message": {"raw": [{"type": "com.hootsuite.apps.event.v1", "data": {"member": {"id": true}}}]}}"#,
            br#"{"message": {"raw": [{"type": "com.hootsuite.comments.event.v1", "data": {"state": 1}}]}}"#,
            br#"{"message": {"raw": [{"seq_no": 1.0, "type": "t"}]}}"#,
            br#"{"message": {"raw": [{"type": "t", "type": "u"}]}}"#,
            br#"{"message": {"raw": [{"type": "t", "data": 1, "data": 2}]}}"#,
            br#"{"message": {"raw": [{"type": "t", "data": ["\ud800"]}]}}"#,
            br#"{"message": {"raw": [{"type": "com.hootsuite.ping.event.v1", "data": 1e999}]}}"#,
            br#"{"message": {"raw": {"x": 1e999}}}"#,
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
