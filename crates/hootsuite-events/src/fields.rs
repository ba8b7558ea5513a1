//! The field table of the create-instance body: the one source of each field's path, label,
//! description, requiredness and secrecy, read by the rules, the JSON Schema, redaction and the
//! emulator.

/// The element key of Hootsuite at Cloud Elements.
pub const ELEMENT_KEY: &str = "hootsuite";

/// `oauth.callback.url`: the callback URL registered at Hootsuite.
pub const KEY_CALLBACK_URL: &str = "oauth.callback.url";
/// `oauth.api.key`: the REST API client id.
pub const KEY_API_KEY: &str = "oauth.api.key";
/// `oauth.api.secret`: the REST API client secret.
pub const KEY_API_SECRET: &str = "oauth.api.secret";
/// `event.notification.enabled`: whether Cloud Elements sends events.
pub const KEY_EVENTS_ENABLED: &str = "event.notification.enabled";
/// `event.notification.callback.url`: where Cloud Elements POSTs events.
pub const KEY_EVENT_CALLBACK_URL: &str = "event.notification.callback.url";
/// `event.notification.signature.key`: the key that signs each event.
pub const KEY_SIGNATURE_KEY: &str = "event.notification.signature.key";
/// `event.vendor.type`: `webhook` or `polling`.
pub const KEY_VENDOR_TYPE: &str = "event.vendor.type";

/// A field of the create-instance body, as the Cloud Elements UI shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Where the field sits in the body.
    pub path: &'static [&'static str],
    /// The UI label, when the UI shows the field.
    pub label: Option<&'static str>,
    /// What the field is for.
    pub description: &'static str,
    /// Whether it is required (the event callback URL is required only with events on).
    pub required: bool,
    /// Whether its value is a secret.
    pub secret: bool,
}

/// Every documented field of the create-instance body, in the order of the built body.
/// The JSON Schema ([`crate::schema`]) and the validation messages are made from this table.
pub const FIELDS: &[Field] = &[
    Field {
        path: &["element", "key"],
        label: None,
        description: "The element key: always `hootsuite`.",
        required: true,
        secret: false,
    },
    Field {
        path: &["providerData", "code"],
        label: None,
        description: "The OAuth authorization grant code from the callback (step 2). Single use.",
        required: true,
        secret: true,
    },
    Field {
        path: &["configuration", KEY_CALLBACK_URL],
        label: Some("API Callback URL"),
        description:
            "The callback URL registered at Hootsuite; the same `callbackUrl` as in step 1.",
        required: true,
        secret: false,
    },
    Field {
        path: &["configuration", KEY_API_KEY],
        label: Some("REST API Client ID"),
        description: "The REST API client id of your Hootsuite app.",
        required: true,
        secret: false,
    },
    Field {
        path: &["configuration", KEY_API_SECRET],
        label: Some("REST API Client Secret"),
        description: "The REST API client secret of your Hootsuite app.",
        required: true,
        secret: true,
    },
    Field {
        path: &["configuration", KEY_EVENTS_ENABLED],
        label: Some("Events Enabled"),
        description: "Whether Cloud Elements sends events for this instance. Default false.",
        required: false,
        secret: false,
    },
    Field {
        path: &["configuration", KEY_EVENT_CALLBACK_URL],
        label: Some("Event Notification Callback URL"),
        description:
            "Where Cloud Elements POSTs event notifications. Required when events are enabled.",
        required: false,
        secret: false,
    },
    Field {
        path: &["configuration", KEY_SIGNATURE_KEY],
        label: Some("Callback Notification Signature Key"),
        description: "Makes Cloud Elements sign each event (Elements-Webhook-Signature).",
        required: false,
        secret: true,
    },
    Field {
        path: &["configuration", KEY_VENDOR_TYPE],
        label: None,
        description: "How Cloud Elements gets events from Hootsuite: `webhook` or `polling`.",
        required: false,
        secret: false,
    },
    Field {
        path: &["tags"],
        label: Some("Tags"),
        description: "User-defined tags for the instance.",
        required: false,
        secret: false,
    },
    Field {
        path: &["name"],
        label: Some("Name"),
        description: "The name of the instance.",
        required: true,
        secret: false,
    },
];

/// `retrieveObjectsAfterInstantiation`: a documented optional boolean of the create body
/// (the platform's "authenticate an instance" page).
pub const KEY_RETRIEVE_OBJECTS: &str = "retrieveObjectsAfterInstantiation";

/// Each field's last key, label and secrecy, made from [`FIELDS`] at compile time: what the
/// messages and redaction read, so that a build without the JSON Schema (the browser's)
/// carries no description text.
pub(crate) const KEYS: [(&str, Option<&str>, bool); FIELDS.len()] = {
    let mut out = [("", None, false); FIELDS.len()];
    let mut i = 0;
    while i < FIELDS.len() {
        let f = &FIELDS[i];
        out[i] = (f.path[f.path.len() - 1], f.label, f.secret);
        i += 1;
    }
    out
};

pub(crate) fn label_of(key: &str) -> Option<&'static str> {
    KEYS.iter()
        .find(|(k, _, _)| *k == key)
        .and_then(|(_, label, _)| *label)
}

/// How a field is named in messages: its UI label with the key, or the key alone.
pub(crate) fn display(key: &str) -> String {
    use crate::text::fill;
    match label_of(key) {
        Some(label) => fill("{} (`{}`)", &[label, key]),
        None => fill("`{}`", &[key]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_each_fields_last_key_label_and_secrecy() {
        assert_eq!(KEYS.len(), FIELDS.len());
        for ((key, label, secret), f) in KEYS.iter().zip(FIELDS) {
            assert_eq!(
                (Some(key), *label, *secret),
                (f.path.last(), f.label, f.secret)
            );
        }
        assert_eq!(label_of(KEY_CALLBACK_URL), Some("API Callback URL"));
        assert_eq!(label_of("code"), None);
        assert_eq!(label_of("oauth.callback"), None);
    }
}
