//! The event notification Cloud Elements POSTs to `event.notification.callback.url`.
//!
//! Two shapes exist and both parse:
//! - the current one, `{"message": {"eventId", "instanceId", "elementKey", "events": [...], "raw": ...}}`;
//! - an older documented one, `{"eventId", "instanceId", "response": {"events": [...]}, "notificationId"}`.
//!
//! `raw` is Hootsuite's own payload, a JSON array of `{seq_no, type, data}`; it is decoded
//! into [`HootsuiteEvent`]s, and unknown types are kept as JSON.
//! Verify the signature first ([`crate::signature::Verifier::verify_event`]); parse alone only
//! for unsigned deliveries.

use crate::error::Error;
use crate::json::{Doc, Limits};
use crate::request::Headers;

mod notification;
mod reader;
mod typed;
mod units;

pub use notification::{
    ElementEvent, EventType, HootsuiteData, HootsuiteEvent, LazyJson, Notification, Rejected,
    Shape, Unit, UnitKind, Work, SIGNATURE_HEADER, WEBHOOK_ID_HEADER,
};

/// Parses a notification body with the default limits (1 MiB).
///
/// ```
/// use hootsuite_events::events::{parse_notification, EventType, HootsuiteData};
/// let body = br#"{"message": {"eventId": "e-1", "instanceId": 12345, "elementKey": "hootsuite",
///   "events": [{"objectType": "messages", "objectId": "m-9", "eventType": "UPDATED"}],
///   "raw": [{"seq_no": "100", "type": "com.hootsuite.messages.event.v1",
///            "data": {"state": "SENT", "message": {"id": "m-9"}}}]}}"#;
/// let n = parse_notification(body)?;
/// assert_eq!(n.instance_id, Some(12345));
/// assert_eq!(n.events[0].event_type, EventType::Updated);
/// assert!(matches!(&n.hootsuite_events[0].data,
///     HootsuiteData::Message { state: Some(s), .. } if s == "SENT"));
/// # Ok::<(), hootsuite_events::Error>(())
/// ```
pub fn parse_notification(body: &[u8]) -> Result<Notification, Error> {
    parse_notification_with(body, &Limits::default())
}

/// Parses a notification body within `limits`.
pub fn parse_notification_with(body: &[u8], limits: &Limits) -> Result<Notification, Error> {
    if body.len() <= limits.max_body_size {
        if let Some(n) = typed::parse(body) {
            return Ok(n);
        }
    }
    reference_parse_with(body, limits)
}

/// The reference reader: a `serde_json::Value` first, then the walk that gives every error its
/// path. [`parse_notification_with`] uses it whenever the typed fast path gives up; it is public
/// only so that the fuzz targets can check that both paths agree.
#[doc(hidden)]
pub fn reference_parse_with(body: &[u8], limits: &Limits) -> Result<Notification, Error> {
    let (doc, value) = Doc::parse(body, limits)?;
    let mut n = reader::notification_from(&doc, &value)?;
    units::derive(&mut n, body);
    Ok(n)
}

/// Parses a delivery without verifying it (for unsigned deliveries): the body, and the
/// `Elements-Webhook-Id` header as [`Notification::webhook_id`] (information only).
/// [`crate::signature::Verifier::verify_event`] does the same after checking the signature.
pub fn parse_delivery<H: Headers + ?Sized>(
    headers: &H,
    body: &[u8],
) -> Result<Notification, Error> {
    parse_delivery_with(headers, body, &Limits::default())
}

/// [`parse_delivery`] within `limits`.
pub fn parse_delivery_with<H: Headers + ?Sized>(
    headers: &H,
    body: &[u8],
    limits: &Limits,
) -> Result<Notification, Error> {
    let mut n = parse_notification_with(body, limits)?;
    n.webhook_id = headers.get_header(WEBHOOK_ID_HEADER).map(str::to_string);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_names_are_the_serialized_ones() {
        for shape in [Shape::Message, Shape::Legacy] {
            assert_eq!(
                serde_json::to_value(shape).expect("serializes"),
                serde_json::Value::from(shape.as_str())
            );
        }
    }

    #[test]
    fn serde_json_private_keys_are_plain_keys() {
        // serde_json's `raw_value` feature reads an object keyed by this token as the JSON in
        // its string: the body would then mean something its text does not say, or fail.
        const TOKEN: &str = "$serde_json::private::RawValue";
        let body = format!(
            r#"{{"message": {{"instanceId": 3, "{TOKEN}": "[1]", "raw": [
                {{"seq_no": "1", "x": {{"{TOKEN}": "[1,2]"}}, "type": "t"}},
                {{"data": {{"{TOKEN}": "nope"}}, "seq_no": "2", "type": "t"}},
                {{"seq_no": {{"{TOKEN}": "7"}}, "type": "t"}}]}}}}"#
        );
        let literal = |text: &str| {
            crate::json::from_jsonv(&crate::jsonv::from_str(text).expect("the body is JSON"))
        };
        let whole = literal(&body);
        for n in [
            parse_notification(body.as_bytes()).expect("the fast path reads it"),
            reference_parse_with(body.as_bytes(), &Limits::default())
                .expect("so does the reference"),
        ] {
            assert_eq!(n.raw.as_deref(), Some(&whole["message"]["raw"]));
            assert_eq!(n.message_extra.get(TOKEN), Some(&serde_json::json!("[1]")));
            assert_eq!(n.hootsuite_events.len(), 2);
            assert_eq!(
                n.hootsuite_events[0].extra["x"],
                whole["message"]["raw"][0]["x"]
            );
            match &n.hootsuite_events[1].data {
                HootsuiteData::Other { data } => {
                    assert_eq!(data, &whole["message"]["raw"][1]["data"])
                }
                other => panic!("data read as {other:?}"),
            }
            // An object where the id belongs is a rejected event, not the number in its string.
            assert_eq!(n.rejected.len(), 1);
            assert_eq!(n.rejected[0].code, "wrong_type");
            assert!(n.units.iter().all(|u| !u.key.ends_with(":7")));
        }
    }

    #[test]
    fn an_event_that_cannot_be_read_is_rejected_not_the_batch() {
        let body = br#"{"message": {"instanceId": 8, "eventId": "e",
            "events": [{"eventType": "CREATED"}, {"eventType": 5}],
            "raw": [{"seq_no": "1", "type": "com.hootsuite.messages.event.v1", "data": {"message": 5}},
                    {"seq_no": "2", "type": "com.hootsuite.ping.event.v1"},
                    7]}}"#;
        let n = parse_notification(body).expect("one bad event does not fail the batch");
        assert_eq!(n.hootsuite_events.len(), 1);
        assert_eq!(n.events.len(), 1);
        let seen: Vec<_> = n
            .rejected
            .iter()
            .map(|r| {
                (
                    r.source,
                    r.position,
                    r.code,
                    crate::error::format_path(&r.path),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (
                    UnitKind::ElementEvent,
                    1,
                    "wrong_type",
                    "message.events[1].eventType".to_string()
                ),
                (
                    UnitKind::HootsuiteEvent,
                    0,
                    "wrong_type",
                    "message.raw[0].data.message".to_string()
                ),
                (
                    UnitKind::HootsuiteEvent,
                    2,
                    "wrong_type",
                    "message.raw[2]".to_string()
                ),
            ]
        );
        assert_eq!(n.rejected[2].raw, serde_json::json!(7));
        // The units are the Hootsuite events: the element event's rejection has no unit.
        assert_eq!(n.rejected[0].key, None);
        let units: Vec<_> = n.units.iter().map(|u| (u.kind, u.index)).collect();
        assert_eq!(
            units,
            [
                (UnitKind::Rejected, Some(1)),
                (UnitKind::HootsuiteEvent, Some(0)),
                (UnitKind::Rejected, Some(2)),
            ]
        );
        assert_eq!(n.units[1].key, "hs:8:2");
        // Keyed by the event's JSON and position, never by a seq_no it claims: a bad event
        // cannot shadow the good one carrying the same seq_no.
        assert!(n.units[0].key.starts_with("hs:8:@") && n.units[0].key.ends_with(":0"));
        assert_eq!(n.rejected[1].key.as_ref(), Some(&n.units[0].key));
        let work: Vec<_> = n.work().map(|w| w.rejected.map(|r| r.position)).collect();
        assert_eq!(work, [Some(0), None, Some(2)]);

        // Without Hootsuite events the units are Cloud Elements' events, rejected ones too.
        let n = parse_notification(
            br#"{"message": {"eventId": "e", "events": [{"eventType": 5}, {"eventType": "CREATED"}]}}"#,
        )
        .expect("parses");
        let keys: Vec<_> = n.units.iter().map(|u| (u.key.as_str(), u.kind)).collect();
        assert_eq!(
            keys,
            [
                ("ce:-:e:0", UnitKind::Rejected),
                ("ce:-:e:1", UnitKind::ElementEvent)
            ]
        );
        assert_eq!(n.units[1].index, Some(0));
    }

    #[test]
    fn legacy_shape() {
        let n = parse_notification(br#"{"eventId": 1088, "instanceId": 31, "response": {"events": [{"objectType": "messages", "objectId": 5, "eventType": "CREATED"}]}, "notificationId": 1047}"#).expect("parses");
        assert_eq!(n.shape, Shape::Legacy);
        assert_eq!(n.event_id.as_deref(), Some("1088"));
        assert_eq!(n.notification_id.as_deref(), Some("1047"));
        assert_eq!(n.events[0].object_id.as_deref(), Some("5"));
        assert_eq!(n.units.len(), 1);
        assert_eq!(n.units[0].key, "ce:31:1088:0");
    }

    #[test]
    fn deliveries_take_their_webhook_id_from_the_header() {
        let headers = [("elements-webhook-id", "wh-7")];
        let n =
            parse_delivery(&headers[..], br#"{"message": {"eventId": "e-1"}}"#).expect("parses");
        assert_eq!(n.webhook_id.as_deref(), Some("wh-7"));
        // The header is information only: the keys come from the signed body.
        let none: [(&str, &str); 0] = [];
        let m = parse_delivery(&none[..], br#"{"message": {"eventId": "e-1"}}"#).expect("parses");
        assert_eq!(n.units, m.units);
    }

    #[test]
    fn every_field_is_kept() {
        let body = br#"{"id": 77, "topic": "events", "action": "create", "severity": "normal",
            "createdDate": "2026-11-26T10:00:00Z", "user": {"id": 5}, "future": [1],
            "message": {"eventId": "e", "instanceId": 9, "instanceName": "Acme",
              "instanceTags": ["a"], "accountId": 3, "companyId": "c", "userId": 4, "other": true,
              "events": [{"eventType": "CREATED", "hubKey": "social", "instanceId": 9}],
              "raw": [{"seq_no": "1", "type": "com.hootsuite.ping.event.v1", "more": 2}]}}"#;
        let n = parse_notification(body).expect("parses");
        assert_eq!(n.id.as_deref(), Some("77"));
        assert_eq!(
            (
                n.topic.as_deref(),
                n.action.as_deref(),
                n.severity.as_deref()
            ),
            (Some("events"), Some("create"), Some("normal"))
        );
        assert_eq!(n.created_date.as_deref(), Some("2026-11-26T10:00:00Z"));
        assert_eq!(n.user, Some(serde_json::json!({"id": 5})));
        assert_eq!(n.instance_name.as_deref(), Some("Acme"));
        assert_eq!(n.instance_tags, Some(vec!["a".to_string()]));
        assert_eq!(
            (
                n.account_id.as_deref(),
                n.company_id.as_deref(),
                n.user_id.as_deref()
            ),
            (Some("3"), Some("c"), Some("4"))
        );
        assert_eq!(n.extra["future"], serde_json::json!([1]));
        assert_eq!(n.message_extra["other"], serde_json::json!(true));
        assert_eq!(n.events[0].hub_key.as_deref(), Some("social"));
        assert_eq!(n.events[0].extra["instanceId"], serde_json::json!(9));
        assert_eq!(n.hootsuite_events[0].extra["more"], serde_json::json!(2));
        let reference = reference_parse_with(body, &Limits::default()).expect("parses");
        assert_eq!(n, reference);
    }

    #[test]
    fn errors_have_paths() {
        let e = parse_notification(br#"{"message": {"events": {"eventType": 5}}}"#).unwrap_err();
        let Error::Parse(p) = e else {
            panic!("expected a parse error")
        };
        assert_eq!(crate::error::format_path(&p.path), "message.events");
        let e = parse_notification(b"{\"message\": ").unwrap_err();
        let Error::Parse(p) = e else {
            panic!("expected a parse error")
        };
        assert_eq!((p.line, p.column), (Some(1), Some(12)));
    }
}
