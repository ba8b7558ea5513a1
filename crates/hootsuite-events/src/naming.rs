//! JavaScript's naming rule, applied to any value of this crate: struct field names in
//! camelCase, everything else untouched.
//!
//! The core's types serialize with Rust's snake_case field names. The JavaScript packages show
//! the same values with camelCase names (`seqNo`, `keyIndex`), while the keys of maps are data
//! and must stay as sent: configuration keys (`oauth.api.key`), `extra`, `message_extra`,
//! `raw`, `user` (`serde_json::Map` and `Value` serialize as maps, not structs). [`Camel`]
//! wraps any [`Serialize`] value and any [`Serializer`] so that only `serialize_struct` (and
//! struct variants) see their field names converted, however deeply nested; internally tagged
//! enums such as [`crate::events::HootsuiteData`] go through `serialize_struct` too.
//!
//! ```
//! use hootsuite_events::naming::to_camel_json;
//! #[derive(serde::Serialize)]
//! struct Event { seq_no: u32, extra: serde_json::Map<String, serde_json::Value> }
//! let mut extra = serde_json::Map::new();
//! extra.insert("snake_key".into(), 1.into());
//! assert_eq!(to_camel_json(&Event { seq_no: 7, extra })?, r#"{"seqNo":7,"extra":{"snake_key":1}}"#);
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::fmt::Display;

use serde::ser::{
    self, Serialize, SerializeMap, SerializeSeq, SerializeStruct, SerializeStructVariant,
    SerializeTuple, SerializeTupleStruct, SerializeTupleVariant, Serializer,
};

/// `value` as JSON text with struct field names in camelCase.
pub fn to_camel_json<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string(&Camel(value))
}

/// `value` as a JSON value with struct field names in camelCase.
pub fn to_camel_value<T: Serialize + ?Sized>(
    value: &T,
) -> Result<serde_json::Value, serde_json::Error> {
    serde_json::to_value(Camel(value))
}

/// A field name in camelCase: `seq_no` → `seqNo`, `type` → `type`.
pub fn camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Serializes the wrapped value with struct field names in camelCase, through any serializer.
pub struct Camel<'a, T: ?Sized>(pub &'a T);

impl<T: Serialize + ?Sized> Serialize for Camel<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(CamelSerializer(serializer))
    }
}

/// A field name written in camelCase without allocating when it fits a small buffer.
struct FieldName(&'static str);

impl Serialize for FieldName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !self.0.contains('_') {
            return serializer.serialize_str(self.0);
        }
        let mut buf = [0u8; 64];
        let mut len = 0;
        let mut upper = false;
        for &b in self.0.as_bytes() {
            if b == b'_' {
                upper = true;
                continue;
            }
            // Field names are ASCII identifiers; anything longer or wider takes the slow path.
            if len == buf.len() || !b.is_ascii() {
                return serializer.serialize_str(&camel_case(self.0));
            }
            buf[len] = if upper { b.to_ascii_uppercase() } else { b };
            upper = false;
            len += 1;
        }
        match std::str::from_utf8(&buf[..len]) {
            Ok(s) => serializer.serialize_str(s),
            Err(_) => serializer.serialize_str(&camel_case(self.0)),
        }
    }
}

/// The serializer wrapper: every nested value is wrapped again, so nested structs convert too.
struct CamelSerializer<S>(S);

/// A compound serializer whose elements are wrapped.
struct Wrap<C>(C);

impl<S: Serializer> Serializer for CamelSerializer<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Wrap<S::SerializeSeq>;
    type SerializeTuple = Wrap<S::SerializeTuple>;
    type SerializeTupleStruct = Wrap<S::SerializeTupleStruct>;
    type SerializeTupleVariant = Wrap<S::SerializeTupleVariant>;
    type SerializeMap = Wrap<S::SerializeMap>;
    // A struct becomes a map so that its keys can be names made at run time.
    type SerializeStruct = Wrap<S::SerializeMap>;
    type SerializeStructVariant = StructVariant<S::SerializeMap, S::Error>;

    fn serialize_bool(self, v: bool) -> Result<S::Ok, S::Error> {
        self.0.serialize_bool(v)
    }
    fn serialize_i8(self, v: i8) -> Result<S::Ok, S::Error> {
        self.0.serialize_i8(v)
    }
    fn serialize_i16(self, v: i16) -> Result<S::Ok, S::Error> {
        self.0.serialize_i16(v)
    }
    fn serialize_i32(self, v: i32) -> Result<S::Ok, S::Error> {
        self.0.serialize_i32(v)
    }
    fn serialize_i64(self, v: i64) -> Result<S::Ok, S::Error> {
        self.0.serialize_i64(v)
    }
    fn serialize_i128(self, v: i128) -> Result<S::Ok, S::Error> {
        self.0.serialize_i128(v)
    }
    fn serialize_u8(self, v: u8) -> Result<S::Ok, S::Error> {
        self.0.serialize_u8(v)
    }
    fn serialize_u16(self, v: u16) -> Result<S::Ok, S::Error> {
        self.0.serialize_u16(v)
    }
    fn serialize_u32(self, v: u32) -> Result<S::Ok, S::Error> {
        self.0.serialize_u32(v)
    }
    fn serialize_u64(self, v: u64) -> Result<S::Ok, S::Error> {
        self.0.serialize_u64(v)
    }
    fn serialize_u128(self, v: u128) -> Result<S::Ok, S::Error> {
        self.0.serialize_u128(v)
    }
    fn serialize_f32(self, v: f32) -> Result<S::Ok, S::Error> {
        self.0.serialize_f32(v)
    }
    fn serialize_f64(self, v: f64) -> Result<S::Ok, S::Error> {
        self.0.serialize_f64(v)
    }
    fn serialize_char(self, v: char) -> Result<S::Ok, S::Error> {
        self.0.serialize_char(v)
    }
    fn serialize_str(self, v: &str) -> Result<S::Ok, S::Error> {
        self.0.serialize_str(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<S::Ok, S::Error> {
        self.0.serialize_bytes(v)
    }
    fn serialize_none(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_none()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_some(&Camel(value))
    }
    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit()
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit_struct(name)
    }
    fn serialize_unit_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit_variant(name, index, variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_newtype_struct(name, &Camel(value))
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0
            .serialize_newtype_variant(name, index, variant, &Camel(value))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        self.0.serialize_seq(len).map(Wrap)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.0.serialize_tuple(len).map(Wrap)
    }
    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.0.serialize_tuple_struct(name, len).map(Wrap)
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        self.0
            .serialize_tuple_variant(name, index, variant, len)
            .map(Wrap)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.0.serialize_map(len).map(Wrap)
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.0.serialize_map(Some(len)).map(Wrap)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        // `{variant: {fields}}`: the inner map is built first, since a map's value is written
        // in one call.
        Ok(StructVariant {
            map: self.0.serialize_map(Some(1))?,
            variant,
            fields: serde_json::Map::new(),
            error: std::marker::PhantomData,
        })
    }
    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.0.collect_str(value)
    }
    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

impl<C: SerializeSeq> SerializeSeq for Wrap<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.0.serialize_element(&Camel(value))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

impl<C: SerializeTuple> SerializeTuple for Wrap<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.0.serialize_element(&Camel(value))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

impl<C: SerializeTupleStruct> SerializeTupleStruct for Wrap<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.0.serialize_field(&Camel(value))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

impl<C: SerializeTupleVariant> SerializeTupleVariant for Wrap<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.0.serialize_field(&Camel(value))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

impl<C: SerializeMap> SerializeMap for Wrap<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    // Map keys are data (configuration keys, `extra`): written as they are.
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), C::Error> {
        self.0.serialize_key(key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.0.serialize_value(&Camel(value))
    }
    fn serialize_entry<K: Serialize + ?Sized, V: Serialize + ?Sized>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<(), C::Error> {
        self.0.serialize_entry(key, &Camel(value))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

impl<C: SerializeMap> SerializeStruct for Wrap<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), C::Error> {
        self.0.serialize_entry(&FieldName(key), &Camel(value))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

/// An externally tagged struct variant, `{variant: {fields}}`, its fields gathered first.
struct StructVariant<M, E> {
    map: M,
    variant: &'static str,
    fields: serde_json::Map<String, serde_json::Value>,
    error: std::marker::PhantomData<E>,
}

impl<M: SerializeMap<Error = E>, E: ser::Error> SerializeStructVariant for StructVariant<M, E> {
    type Ok = M::Ok;
    type Error = E;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), E> {
        let value = to_camel_value(value).map_err(E::custom)?;
        self.fields.insert(camel_case(key), value);
        Ok(())
    }
    fn end(mut self) -> Result<M::Ok, E> {
        self.map.serialize_entry(self.variant, &self.fields)?;
        self.map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::{camel_case, to_camel_json, to_camel_value};
    use serde::Serialize;
    use serde_json::{json, Map, Value};

    #[derive(Serialize)]
    struct Inner {
        message_id: Option<String>,
        long_field_name_number_three: u8,
    }

    #[derive(Serialize)]
    #[serde(tag = "kind", rename_all = "snake_case")]
    enum Tagged {
        MessageEvent { state_now: Option<String> },
        Ping,
        Other { raw_data: Value },
    }

    #[derive(Serialize)]
    #[allow(dead_code)]
    enum External {
        Fields { some_field: Inner },
        Pair(Inner, u8),
        Single(Inner),
        Nothing,
    }

    #[derive(Serialize)]
    struct Newtype(Inner);

    #[derive(Serialize)]
    struct TupleStruct(Inner, String);

    #[derive(Serialize)]
    struct Outer {
        seq_no: Option<String>,
        #[serde(rename = "type")]
        event_type: String,
        nested_struct: Inner,
        no_value: Option<Inner>,
        some_value: Option<Inner>,
        list_of_structs: Vec<Inner>,
        user_map: Map<String, Value>,
        tagged_enums: Vec<Tagged>,
        external_enums: Vec<External>,
        newtype_struct: Newtype,
        tuple_struct: TupleStruct,
        plain_tuple: (Inner, bool),
        unit_value: (),
        text_value: &'static str,
        big_number: u128,
    }

    fn inner(id: &str) -> Inner {
        Inner {
            message_id: Some(id.into()),
            long_field_name_number_three: 3,
        }
    }

    #[test]
    fn only_struct_field_names_change() {
        let mut user_map = Map::new();
        user_map.insert(
            "snake_case_key".into(),
            json!({"nested_snake": [{"a_b": 1}]}),
        );
        user_map.insert("oauth.api.key".into(), json!("k"));
        let value = Outer {
            seq_no: Some("seq_value_stays".into()),
            event_type: "com.hootsuite.messages".into(),
            nested_struct: inner("n"),
            no_value: None,
            some_value: Some(inner("s")),
            list_of_structs: vec![inner("a"), inner("b")],
            user_map,
            tagged_enums: vec![
                Tagged::MessageEvent {
                    state_now: Some("SENT".into()),
                },
                Tagged::Ping,
                Tagged::Other {
                    raw_data: json!({"kept_as_is": true}),
                },
            ],
            external_enums: vec![
                External::Fields {
                    some_field: inner("sv"),
                },
                External::Pair(inner("tv"), 1),
                External::Single(inner("nv")),
                External::Nothing,
            ],
            newtype_struct: Newtype(inner("nt")),
            tuple_struct: TupleStruct(inner("ts"), "x_y".into()),
            plain_tuple: (inner("pt"), true),
            unit_value: (),
            text_value: "snake_text",
            big_number: u128::from(u64::MAX),
        };
        let i = |id: &str| json!({"messageId": id, "longFieldNameNumberThree": 3});
        let expected = json!({
            "seqNo": "seq_value_stays",
            "type": "com.hootsuite.messages",
            "nestedStruct": i("n"),
            "noValue": null,
            "someValue": i("s"),
            "listOfStructs": [i("a"), i("b")],
            "userMap": {"snake_case_key": {"nested_snake": [{"a_b": 1}]}, "oauth.api.key": "k"},
            "taggedEnums": [
                {"kind": "message_event", "stateNow": "SENT"},
                {"kind": "ping"},
                {"kind": "other", "rawData": {"kept_as_is": true}},
            ],
            "externalEnums": [
                {"Fields": {"someField": i("sv")}},
                {"Pair": [i("tv"), 1]},
                {"Single": i("nv")},
                "Nothing",
            ],
            "newtypeStruct": i("nt"),
            "tupleStruct": [i("ts"), "x_y"],
            "plainTuple": [i("pt"), true],
            "unitValue": null,
            "textValue": "snake_text",
            "bigNumber": u64::MAX,
        });
        let text = to_camel_json(&value).expect("serializes");
        let parsed: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(parsed, expected);
        assert_eq!(to_camel_value(&value).expect("serializes"), expected);
        // Key order is the struct's field order, as serde_json writes structs.
        assert!(text.starts_with(r#"{"seqNo":"seq_value_stays","type":"#));
    }

    #[test]
    fn field_names() {
        assert_eq!(camel_case("seq_no"), "seqNo");
        assert_eq!(camel_case("type"), "type");
        assert_eq!(camel_case("instance_tags"), "instanceTags");
        let long: &'static str =
            "a_very_long_field_name_that_does_not_fit_the_buffer_of_sixty_four_bytes";
        let mut m = Map::new();
        m.insert(camel_case(long), json!(1));
        #[derive(Serialize)]
        struct Long {
            a_very_long_field_name_that_does_not_fit_the_buffer_of_sixty_four_bytes: u8,
        }
        let v = to_camel_value(&Long {
            a_very_long_field_name_that_does_not_fit_the_buffer_of_sixty_four_bytes: 1,
        })
        .expect("serializes");
        assert_eq!(v, Value::Object(m));
    }

    #[test]
    fn a_notification_keeps_its_data() {
        let body = br#"{"id": "env", "user": {"email_address": "u"}, "extra_top": 1,
            "message": {"eventId": "9", "instanceId": 3, "instanceTags": ["t_1"], "custom_field": 2,
            "events": [{"eventType": "CREATED", "objectId": "o", "hubKey": "social", "other_key": 1}],
            "raw": [{"seq_no": "5", "type": "com.hootsuite.messages.event.v1",
                     "data": {"state": "SENT", "message": {"id": "m1"}}, "extra_item": 1}]}}"#;
        let n = crate::events::parse_notification(body).expect("parses");
        let v = to_camel_value(&n).expect("serializes");
        assert_eq!(v["user"], json!({"email_address": "u"}));
        assert_eq!(v["extra"], json!({"extra_top": 1}));
        assert_eq!(v["messageExtra"], json!({"custom_field": 2}));
        assert_eq!(v["instanceTags"], json!(["t_1"]));
        assert_eq!(v["events"][0]["hubKey"], "social");
        assert_eq!(v["events"][0]["extra"], json!({"other_key": 1}));
        assert_eq!(v["hootsuiteEvents"][0]["seqNo"], "5");
        assert_eq!(v["hootsuiteEvents"][0]["data"]["kind"], "message");
        assert_eq!(v["hootsuiteEvents"][0]["data"]["messageId"], "m1");
        assert_eq!(v["hootsuiteEvents"][0]["extra"], json!({"extra_item": 1}));
        assert_eq!(v["raw"][0]["seq_no"], "5");
        assert_eq!(
            v["units"],
            json!([{"key": "hs:3:5", "kind": "hootsuite_event", "index": 0}])
        );
        assert_eq!(v["keyIndex"], Value::Null);
    }
}
