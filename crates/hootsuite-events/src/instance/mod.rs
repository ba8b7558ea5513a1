//! Step 3 and after: creating a Hootsuite element instance, and managing it.
//!
//! [`validate`] holds the rule set that every binding shares (Python, Node and the browser run
//! this very code); [`CreateInstance`] is a body that passed it. The request builders take a
//! [`Config`](crate::Config) and return [`HttpRequest`](crate::HttpRequest)s; the parsers take
//! [`HttpResponse`](crate::HttpResponse)s.
//!
//! One file per concern: the body ([`CreateInstance`]), its builder, the rules, the requests and
//! the responses; the field table they all read is [`crate::fields`].

mod body;
mod builder;
mod requests;
mod responses;
mod rules;

pub use crate::fields::{
    Field, ELEMENT_KEY, FIELDS, KEY_API_KEY, KEY_API_SECRET, KEY_CALLBACK_URL, KEY_EVENTS_ENABLED,
    KEY_EVENT_CALLBACK_URL, KEY_RETRIEVE_OBJECTS, KEY_SIGNATURE_KEY, KEY_VENDOR_TYPE,
};
pub use body::CreateInstance;
pub use builder::CreateInstanceBuilder;
pub use requests::*;
pub use responses::*;
pub use rules::*;
