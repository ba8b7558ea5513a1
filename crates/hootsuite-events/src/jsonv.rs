//! A small JSON value and its reader and writer, for builds that carry no serde (the browser
//! package).
//!
//! The reader follows serde_json's grammar and reports the same errors: the same message, line
//! and column for every malformed input, the same depth limit, and "number out of range" for
//! the same numbers (serde_json's default float parsing, without `float_roundtrip`). The value
//! matches `serde_json::Value` with `preserve_order`: objects keep their keys in input order and
//! a repeated key replaces the earlier value in place.
//!
//! Numbers keep the input's spelling: `1e5` is written back as `1e5`, where serde_json
//! writes `100000.0`. Both are the same JSON number; the text is also exact where serde_json's
//! `f64` is not (integers past `u64::MAX`, decimals its fast parser rounds).

use std::fmt;

/// A JSON value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object, in insertion order.
    Object(Map),
}

/// A JSON number, kept as its text (always valid JSON number syntax).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number(String);

impl Number {
    /// The number's JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value as a `u64` when it is written as a non-negative integer that fits (what
    /// serde_json's `Number::as_u64` gives for the same text).
    pub fn as_u64(&self) -> Option<u64> {
        if self.0.bytes().all(|b| b.is_ascii_digit()) {
            self.0.parse().ok()
        } else {
            None
        }
    }
}

impl From<u64> for Number {
    fn from(n: u64) -> Self {
        Number(n.to_string())
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Self {
        Number(n.to_string())
    }
}

impl Number {
    /// A number from text that is already JSON number syntax (what serde_json writes).
    pub(crate) fn from_json_text(text: String) -> Self {
        Number(text)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A JSON object: keys in insertion order; inserting an existing key replaces its value in
/// place. Lookups scan, which beats hashing for the handful of keys the library's objects have.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Map(Vec<(String, Value)>);

impl Map {
    /// An empty object.
    pub fn new() -> Self {
        Map(Vec::new())
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Sets `key`, in place when it is already present, at the end otherwise.
    pub fn insert(&mut self, key: String, value: Value) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The entries, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// The entries, in order, with their values mutable (masking secrets in place).
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut Value)> {
        self.0.iter_mut().map(|(k, v)| (k.as_str(), v))
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        let mut map = Map::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

impl IntoIterator for Map {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl Value {
    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The JSON type, as a word for messages (`a string`, `an object`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// `self[key]` when this is an object that has `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|m| m.get(key))
    }

    /// Compact JSON text, as `serde_json::to_string` writes it (numbers as written).
    pub fn to_json(&self) -> String {
        // serde_json's starting capacity: most bodies then grow once or not at all.
        let mut out = String::with_capacity(128);
        write_value(&mut out, self, None);
        out
    }

    /// Indented JSON text, as `serde_json::to_string_pretty` writes it (numbers as written).
    pub fn to_json_pretty(&self) -> String {
        let mut out = String::new();
        write_value(&mut out, self, Some(0));
        out
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Self {
        Value::Number(n.into())
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Object(m)
    }
}

impl From<Vec<Value>> for Value {
    fn from(a: Vec<Value>) -> Self {
        Value::Array(a)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

/// Appends `s` as a JSON string literal, escaped as serde_json escapes it.
pub fn write_str(out: &mut String, s: &str) {
    let b = s.as_bytes();
    out.reserve(b.len() + 2);
    out.push('"');
    let mut start = 0;
    // An index loop rather than an iterator: the size-optimized browser build would call the
    // iterator's `next` for every byte.
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        i += 1;
        let escape = match c {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\x08' => "\\b",
            b'\x0c' => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        // Escaped bytes are ASCII, so both ends lie on character boundaries.
        out.push_str(s.get(start..i - 1).unwrap_or_default());
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(c >> 4)]));
            out.push(char::from(HEX[usize::from(c & 0xf)]));
        } else {
            out.push_str(escape);
        }
        start = i;
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

fn newline(out: &mut String, indent: usize) {
    out.push('\n');
    for _ in 0..indent {
        out.push_str("  ");
    }
}

/// Appends `value` as compact JSON text (what [`Value::to_json`] gives).
pub fn write_json(out: &mut String, value: &Value) {
    write_value(out, value, None);
}

/// `indent`: `None` for compact text, the current depth for pretty text.
fn write_value(out: &mut String, value: &Value, indent: Option<usize>) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => out.push_str(&n.0),
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            let inner = indent.map(|d| d + 1);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if let Some(d) = inner {
                    newline(out, d);
                }
                write_value(out, item, inner);
            }
            if let (Some(d), false) = (indent, items.is_empty()) {
                newline(out, d);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            let inner = indent.map(|d| d + 1);
            for (i, (k, v)) in map.0.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if let Some(d) = inner {
                    newline(out, d);
                }
                write_str(out, k);
                out.push_str(if indent.is_some() { ": " } else { ":" });
                write_value(out, v, inner);
            }
            if let (Some(d), false) = (indent, map.is_empty()) {
                newline(out, d);
            }
            out.push('}');
        }
    }
}

/// What is wrong with malformed JSON: serde_json's error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Code {
    /// The text ends inside an array.
    EofWhileParsingList,
    /// The text ends inside an object.
    EofWhileParsingObject,
    /// The text ends inside a string.
    EofWhileParsingString,
    /// The text ends where a value was expected.
    EofWhileParsingValue,
    /// No `:` after an object key.
    ExpectedColon,
    /// Neither `,` nor `]` after an array element.
    ExpectedListCommaOrEnd,
    /// Neither `,` nor `}` after an object value.
    ExpectedObjectCommaOrEnd,
    /// A misspelt `null`, `true` or `false`.
    ExpectedSomeIdent,
    /// No value where one was expected.
    ExpectedSomeValue,
    /// An unknown backslash escape.
    InvalidEscape,
    /// Bad number syntax.
    InvalidNumber,
    /// A number too large for an `f64`.
    NumberOutOfRange,
    /// A raw control character inside a string.
    ControlCharacterWhileParsingString,
    /// An object key that is not a string.
    KeyMustBeAString,
    /// A `\u` escape of a surrogate not part of a pair.
    LoneLeadingSurrogateInHexEscape,
    /// A comma before `]` or `}`.
    TrailingComma,
    /// More text after the value.
    TrailingCharacters,
    /// A leading surrogate `\u` escape not followed by another `\u` escape.
    UnexpectedEndOfHexEscape,
    /// Nesting deeper than 127 arrays or objects.
    RecursionLimitExceeded,
}

impl Code {
    /// The message, word for word serde_json's.
    pub fn message(self) -> &'static str {
        match self {
            Code::EofWhileParsingList => "EOF while parsing a list",
            Code::EofWhileParsingObject => "EOF while parsing an object",
            Code::EofWhileParsingString => "EOF while parsing a string",
            Code::EofWhileParsingValue => "EOF while parsing a value",
            Code::ExpectedColon => "expected `:`",
            Code::ExpectedListCommaOrEnd => "expected `,` or `]`",
            Code::ExpectedObjectCommaOrEnd => "expected `,` or `}`",
            Code::ExpectedSomeIdent => "expected ident",
            Code::ExpectedSomeValue => "expected value",
            Code::InvalidEscape => "invalid escape",
            Code::InvalidNumber => "invalid number",
            Code::NumberOutOfRange => "number out of range",
            Code::ControlCharacterWhileParsingString => {
                "control character (\\u0000-\\u001F) found while parsing a string"
            }
            Code::KeyMustBeAString => "key must be a string",
            Code::LoneLeadingSurrogateInHexEscape => "lone leading surrogate in hex escape",
            Code::TrailingComma => "trailing comma",
            Code::TrailingCharacters => "trailing characters",
            Code::UnexpectedEndOfHexEscape => "unexpected end of hex escape",
            Code::RecursionLimitExceeded => "recursion limit exceeded",
        }
    }
}

/// Malformed JSON: what and where (1-based line; column in bytes, as serde_json counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntaxError {
    /// What is wrong.
    pub code: Code,
    /// 1-based line.
    pub line: usize,
    /// Column: bytes since the start of the line (serde_json's count).
    pub column: usize,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.code.message(),
            self.line,
            self.column
        )
    }
}

impl std::error::Error for SyntaxError {}

/// The deepest nesting accepted, in levels of objects and arrays, for JSON text and Python
/// values alike: a document nested deeper is refused (`too_deep`). It is serde_json's own
/// recursion limit, which refuses the 128th level.
// In the leaf reader, so that it depends on no other module of the crate.
pub const MAX_DEPTH: usize = 127;

/// Reads one JSON value (with surrounding whitespace) from `text`.
pub fn from_str(text: &str) -> Result<Value, SyntaxError> {
    let mut r = Reader {
        text,
        b: text.as_bytes(),
        i: 0,
        // One more than the deepest level accepted: the level that reaches 0 is refused.
        depth: MAX_DEPTH as u8 + 1,
    };
    let value = r.value()?;
    match r.whitespace() {
        Some(_) => Err(r.peek_error(Code::TrailingCharacters)),
        None => Ok(value),
    }
}

// 10^289 ..= 10^308: the only powers for which `significand * 10^e` can overflow an f64.
#[rustfmt::skip]
const POW10_HIGH: [f64; 20] = [
    1e289, 1e290, 1e291, 1e292, 1e293, 1e294, 1e295, 1e296, 1e297, 1e298,
    1e299, 1e300, 1e301, 1e302, 1e303, 1e304, 1e305, 1e306, 1e307, 1e308,
];

struct Reader<'t> {
    text: &'t str,
    b: &'t [u8],
    i: usize,
    depth: u8,
}

impl Reader<'_> {
    fn position(&self, i: usize) -> (usize, usize) {
        let before = &self.b[..i];
        let start = before
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |p| p + 1);
        let line = 1 + before[..start].iter().filter(|&&c| c == b'\n').count();
        (line, i - start)
    }

    /// An error about the byte just read.
    fn error(&self, code: Code) -> SyntaxError {
        let (line, column) = self.position(self.i);
        SyntaxError { code, line, column }
    }

    /// An error about the byte about to be read.
    fn peek_error(&self, code: Code) -> SyntaxError {
        let (line, column) = self.position((self.i + 1).min(self.b.len()));
        SyntaxError { code, line, column }
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn peek_or_null(&self) -> u8 {
        self.peek().unwrap_or(0)
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    #[inline(always)]
    fn whitespace(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.i += 1;
        }
        self.peek()
    }

    fn value(&mut self) -> Result<Value, SyntaxError> {
        let Some(c) = self.whitespace() else {
            return Err(self.peek_error(Code::EofWhileParsingValue));
        };
        match c {
            b'n' => self.ident(b"null", Value::Null),
            b't' => self.ident(b"true", Value::Bool(true)),
            b'f' => self.ident(b"false", Value::Bool(false)),
            b'-' | b'0'..=b'9' => self.number(),
            b'"' => {
                self.i += 1;
                self.string().map(Value::String)
            }
            b'[' | b'{' => {
                self.depth -= 1;
                if self.depth == 0 {
                    return Err(self.peek_error(Code::RecursionLimitExceeded));
                }
                self.i += 1;
                let v = if c == b'[' {
                    self.array()
                } else {
                    self.object()
                };
                self.depth += 1;
                v
            }
            _ => Err(self.peek_error(Code::ExpectedSomeValue)),
        }
    }

    fn ident(&mut self, word: &[u8], value: Value) -> Result<Value, SyntaxError> {
        self.i += 1;
        for &expected in &word[1..] {
            match self.next() {
                None => return Err(self.error(Code::EofWhileParsingValue)),
                Some(c) if c != expected => return Err(self.error(Code::ExpectedSomeIdent)),
                Some(_) => {}
            }
        }
        Ok(value)
    }

    fn array(&mut self) -> Result<Value, SyntaxError> {
        let mut items = Vec::new();
        loop {
            let Some(c) = self.whitespace() else {
                return Err(self.peek_error(Code::EofWhileParsingList));
            };
            if c == b']' {
                self.i += 1;
                return Ok(Value::Array(items));
            }
            if !items.is_empty() {
                if c != b',' {
                    return Err(self.peek_error(Code::ExpectedListCommaOrEnd));
                }
                self.i += 1;
                match self.whitespace() {
                    Some(b']') => return Err(self.peek_error(Code::TrailingComma)),
                    Some(_) => {}
                    None => return Err(self.peek_error(Code::EofWhileParsingValue)),
                }
            }
            items.push(self.value()?);
        }
    }

    fn object(&mut self) -> Result<Value, SyntaxError> {
        let mut map = Map::new();
        let mut first = true;
        loop {
            let Some(c) = self.whitespace() else {
                return Err(self.peek_error(Code::EofWhileParsingObject));
            };
            if c == b'}' {
                self.i += 1;
                return Ok(Value::Object(map));
            }
            if first {
                if c != b'"' {
                    return Err(self.peek_error(Code::KeyMustBeAString));
                }
            } else {
                if c != b',' {
                    return Err(self.peek_error(Code::ExpectedObjectCommaOrEnd));
                }
                self.i += 1;
                match self.whitespace() {
                    Some(b'"') => {}
                    Some(b'}') => return Err(self.peek_error(Code::TrailingComma)),
                    Some(_) => return Err(self.peek_error(Code::KeyMustBeAString)),
                    None => return Err(self.peek_error(Code::EofWhileParsingValue)),
                }
            }
            first = false;
            self.i += 1;
            let key = self.string()?;
            match self.whitespace() {
                Some(b':') => self.i += 1,
                Some(_) => return Err(self.peek_error(Code::ExpectedColon)),
                None => return Err(self.peek_error(Code::EofWhileParsingObject)),
            }
            let value = self.value()?;
            map.insert(key, value);
        }
    }

    /// The rest of a string, after its opening quote.
    fn string(&mut self) -> Result<String, SyntaxError> {
        let mut out = String::new();
        let mut start = self.i;
        loop {
            // Up to the next quote, backslash or control character, by index: the
            // size-optimized browser build would call `peek` for every byte.
            let b = self.b;
            let mut i = self.i;
            while i < b.len() && b[i] >= 0x20 && b[i] != b'"' && b[i] != b'\\' {
                i += 1;
            }
            self.i = i;
            let Some(&c) = b.get(i) else {
                return Err(self.error(Code::EofWhileParsingString));
            };
            if c < 0x20 {
                self.i += 1;
                return Err(self.error(Code::ControlCharacterWhileParsingString));
            }
            // Both are ASCII, so `start..i` lies on character boundaries.
            out.push_str(self.text.get(start..i).unwrap_or_default());
            self.i += 1;
            if c == b'"' {
                return Ok(out);
            }
            self.escape(&mut out)?;
            start = self.i;
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), SyntaxError> {
        let Some(c) = self.next() else {
            return Err(self.error(Code::EofWhileParsingString));
        };
        out.push(match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\x08',
            b'f' => '\x0c',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(out),
            _ => return Err(self.error(Code::InvalidEscape)),
        });
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let Some(digits) = self.b.get(self.i..self.i + 4) else {
            self.i = self.b.len();
            return Err(self.error(Code::EofWhileParsingString));
        };
        self.i += 4;
        let mut n = 0;
        for &d in digits {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(self.error(Code::InvalidEscape)),
            };
            n = n * 16 + u32::from(v);
        }
        Ok(n)
    }

    fn unicode_escape(&mut self, out: &mut String) -> Result<(), SyntaxError> {
        let n = self.hex4()?;
        if (0xDC00..=0xDFFF).contains(&n) {
            return Err(self.error(Code::LoneLeadingSurrogateInHexEscape));
        }
        let code = if (0xD800..=0xDBFF).contains(&n) {
            for expected in [b'\\', b'u'] {
                match self.peek() {
                    None => return Err(self.error(Code::EofWhileParsingString)),
                    Some(c) => {
                        self.i += 1;
                        if c != expected {
                            return Err(self.error(Code::UnexpectedEndOfHexEscape));
                        }
                    }
                }
            }
            let n2 = self.hex4()?;
            if !(0xDC00..=0xDFFF).contains(&n2) {
                return Err(self.error(Code::LoneLeadingSurrogateInHexEscape));
            }
            (((n - 0xD800) << 10) | (n2 - 0xDC00)) + 0x1_0000
        } else {
            n
        };
        match char::from_u32(code) {
            Some(ch) => out.push(ch),
            None => return Err(self.error(Code::LoneLeadingSurrogateInHexEscape)),
        }
        Ok(())
    }

    /// A number, kept as text; the checks and error positions are serde_json's.
    fn number(&mut self) -> Result<Value, SyntaxError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let mut significand: u64 = 0;
        let mut exponent: i32 = 0;
        match self.next() {
            None => return Err(self.error(Code::EofWhileParsingValue)),
            Some(b'0') => {
                if self.peek_or_null().is_ascii_digit() {
                    return Err(self.peek_error(Code::InvalidNumber));
                }
            }
            Some(c @ b'1'..=b'9') => {
                significand = u64::from(c - b'0');
                while let c @ b'0'..=b'9' = self.peek_or_null() {
                    self.i += 1;
                    match significand
                        .checked_mul(10)
                        .and_then(|s| s.checked_add(u64::from(c - b'0')))
                    {
                        Some(s) if exponent == 0 => significand = s,
                        // Past u64: serde_json keeps the leading digits and counts the rest.
                        _ => exponent += 1,
                    }
                }
            }
            Some(_) => return Err(self.error(Code::InvalidNumber)),
        }
        if self.peek_or_null() == b'.' {
            self.i += 1;
            let mut digits = false;
            let mut overflowed = false;
            while let c @ b'0'..=b'9' = self.peek_or_null() {
                self.i += 1;
                digits = true;
                if overflowed {
                    continue;
                }
                match significand
                    .checked_mul(10)
                    .and_then(|s| s.checked_add(u64::from(c - b'0')))
                {
                    Some(s) => {
                        significand = s;
                        exponent -= 1;
                    }
                    None => overflowed = true,
                }
            }
            if !digits {
                return Err(match self.peek() {
                    Some(_) => self.peek_error(Code::InvalidNumber),
                    None => self.peek_error(Code::EofWhileParsingValue),
                });
            }
        }
        if let b'e' | b'E' = self.peek_or_null() {
            self.i += 1;
            let positive = match self.peek_or_null() {
                b'+' => {
                    self.i += 1;
                    true
                }
                b'-' => {
                    self.i += 1;
                    false
                }
                _ => true,
            };
            let mut exp: i32 = match self.next() {
                None => return Err(self.error(Code::EofWhileParsingValue)),
                Some(c @ b'0'..=b'9') => i32::from(c - b'0'),
                Some(_) => return Err(self.error(Code::InvalidNumber)),
            };
            let mut overflowed = false;
            while let c @ b'0'..=b'9' = self.peek_or_null() {
                self.i += 1;
                if overflowed {
                    continue;
                }
                match exp
                    .checked_mul(10)
                    .and_then(|e| e.checked_add(i32::from(c - b'0')))
                {
                    Some(e) => exp = e,
                    None => {
                        if significand != 0 && positive {
                            return Err(self.error(Code::NumberOutOfRange));
                        }
                        overflowed = true;
                    }
                }
            }
            if !overflowed {
                exponent = if positive {
                    exponent.saturating_add(exp)
                } else {
                    exponent.saturating_sub(exp)
                };
                self.check_range(significand, exponent)?;
            }
        } else {
            self.check_range(significand, exponent)?;
        }
        let text = self.text.get(start..self.i).unwrap_or_default();
        Ok(Value::Number(Number(text.to_string())))
    }

    /// serde_json's "number out of range": `significand * 10^exponent` overflows an f64,
    /// computed its way (one rounded multiplication).
    fn check_range(&self, significand: u64, exponent: i32) -> Result<(), SyntaxError> {
        if exponent <= 0 || significand == 0 {
            return Ok(());
        }
        let f = significand as f64;
        let overflows = match exponent {
            1..=288 => false,
            289..=308 => (f * POW10_HIGH[(exponent - 289) as usize]).is_infinite(),
            _ => true,
        };
        if overflows {
            Err(self.error(Code::NumberOutOfRange))
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Our reading of `text` against serde_json's: the same value, or the same error.
    fn same(text: &str) {
        let ours = from_str(text);
        let theirs = serde_json::from_str::<serde_json::Value>(text);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => {
                let back: serde_json::Value =
                    serde_json::from_str(&a.to_json()).expect("our output is JSON");
                assert_eq!(&back, b, "{text:?}");
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text:?}"),
            _ => panic!("{text:?}: ours {ours:?}, serde_json {theirs:?}"),
        }
    }

    #[test]
    fn agrees_with_serde_json() {
        for text in [
            "",
            " ",
            "null",
            "nul",
            "nulx",
            "tru",
            "true",
            "false",
            "falsy",
            "x",
            "\"",
            "\"a",
            "\"\\",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\u12G4\"",
            "\"\\uD800\"",
            "\"\\uD800\\n\"",
            "\"\\uD800\\u0041\"",
            "\"\\uDC00\"",
            "\"\\uD83D\\uDE00\"",
            "\"\\uD800",
            "\"\\uD800\\",
            "\"a\nb\"",
            "\"\t\"",
            "\"é\u{1}\"",
            "[",
            "[1",
            "[1,",
            "[1,]",
            "[1 2]",
            "[,1]",
            "{",
            "{1:2}",
            "{\"a\"",
            "{\"a\" 1}",
            "{\"a\":",
            "{\"a\":1",
            "{\"a\":1,",
            "{\"a\":1,}",
            "{\"a\":1,2}",
            "{\"a\":1 \"b\"}",
            "{\"a\":1,\"a\":2,\"b\":3}",
            "1 2",
            "[] x",
            "-",
            "-x",
            "01",
            "-01",
            "1.",
            "1.x",
            "1e",
            "1e+",
            "1ex",
            "1E5",
            "1.5e-3",
            "-0",
            "0.0",
            "1e308",
            "1.7976931348623157e308",
            "1.7976931348623159e308",
            "1e309",
            "2e308",
            "0e99999999999",
            "1e99999999999",
            "1e-99999999999",
            "123456789012345678901234567890",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775809",
            "184467440737095516150e289",
            "1.8446744073709551615e308",
            "99999999999999999999e288",
            "\n\n  [1,\n  x]",
            "\r\n{\"k\": tru}",
            "[\"\\u00e9\", \"\\/\"]",
        ] {
            same(text);
        }
        let deep = |n: usize| "[".repeat(n) + &"]".repeat(n);
        same(&deep(127));
        same(&deep(128));
        same(&format!(
            "{}{{\"a\":1}}{}",
            "[".repeat(126),
            "]".repeat(126)
        ));
    }

    #[test]
    fn objects_keep_order_and_replace_in_place() {
        let v = from_str(r#"{"b":1,"a":2,"b":3}"#).expect("valid");
        assert_eq!(v.to_json(), r#"{"b":3,"a":2}"#);
    }

    #[test]
    fn numbers_keep_their_spelling() {
        let v = from_str("[1e5, -0, 1.50, 100]").expect("valid");
        assert_eq!(v.to_json(), "[1e5,-0,1.50,100]");
        let Value::Array(items) = &v else {
            panic!("an array")
        };
        let n = |i: usize| match &items[i] {
            Value::Number(n) => n.as_u64(),
            _ => None,
        };
        assert_eq!((n(0), n(1), n(3)), (None, None, Some(100)));
    }

    #[test]
    fn writes_as_serde_json_writes() {
        let text =
            "{\"a\":[1,{},[],\"\\u0001\\b\\f\\n\\r\\t\\\"\\\\/é\"],\"b\":{\"c\":null,\"d\":true}}";
        let ours = from_str(text).expect("valid");
        let theirs: serde_json::Value = serde_json::from_str(text).expect("valid");
        assert_eq!(
            ours.to_json(),
            serde_json::to_string(&theirs).expect("text")
        );
        assert_eq!(
            ours.to_json_pretty(),
            serde_json::to_string_pretty(&theirs).expect("text")
        );
    }
}
