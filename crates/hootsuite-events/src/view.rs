//! One view of a JSON value for the form rules, whatever holds it: a `serde_json::Value` (what
//! Rust callers pass) or a [`jsonv::Value`](crate::jsonv::Value) (the form path's own). The rules
//! are written once over it, so neither input is converted into the other first.

use crate::jsonv;

/// A JSON value as the rules look at it.
pub(crate) enum Node<'v, J: Json> {
    Null,
    Bool(bool),
    Number,
    String(&'v str),
    Array(&'v [J]),
    Object(&'v J::Object),
}

impl<J: Json> Node<'_, J> {
    /// The JSON type, as a word for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Number => "a number",
            Node::String(_) => "a string",
            Node::Array(_) => "an array",
            Node::Object(_) => "an object",
        }
    }
}

/// A JSON value the rules can read.
pub(crate) trait Json: Sized + 'static {
    /// Its objects.
    type Object: JsonObject<Self>;
    /// What it is.
    fn node(&self) -> Node<'_, Self>;
    /// A copy as the form path's value: what is passed through is kept that way.
    fn to_jsonv(&self) -> jsonv::Value;
}

/// A JSON object the rules can read.
pub(crate) trait JsonObject<J: Json> {
    /// `self[key]`.
    fn get(&self, key: &str) -> Option<&J>;
    /// The entries, in order.
    fn entries(&self) -> impl Iterator<Item = (&str, &J)>;
    /// Whether `key` is present.
    fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

impl Json for jsonv::Value {
    type Object = jsonv::Map;
    fn node(&self) -> Node<'_, Self> {
        match self {
            jsonv::Value::Null => Node::Null,
            jsonv::Value::Bool(b) => Node::Bool(*b),
            jsonv::Value::Number(_) => Node::Number,
            jsonv::Value::String(s) => Node::String(s),
            jsonv::Value::Array(a) => Node::Array(a),
            jsonv::Value::Object(m) => Node::Object(m),
        }
    }
    fn to_jsonv(&self) -> jsonv::Value {
        self.clone()
    }
}

impl JsonObject<jsonv::Value> for jsonv::Map {
    fn get(&self, key: &str) -> Option<&jsonv::Value> {
        jsonv::Map::get(self, key)
    }
    fn entries(&self) -> impl Iterator<Item = (&str, &jsonv::Value)> {
        self.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl Json for serde_json::Value {
    type Object = serde_json::Map<String, serde_json::Value>;
    fn node(&self) -> Node<'_, Self> {
        use serde_json::Value;
        match self {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(_) => Node::Number,
            Value::String(s) => Node::String(s),
            Value::Array(a) => Node::Array(a),
            Value::Object(m) => Node::Object(m),
        }
    }
    fn to_jsonv(&self) -> jsonv::Value {
        crate::json::to_jsonv(self)
    }
}

impl JsonObject<serde_json::Value> for serde_json::Map<String, serde_json::Value> {
    fn get(&self, key: &str) -> Option<&serde_json::Value> {
        crate::json::field(self, key)
    }
    fn entries(&self) -> impl Iterator<Item = (&str, &serde_json::Value)> {
        self.iter().map(|(k, v)| (k.as_str(), v))
    }
}
