//! The shape of validation results: every problem at once, each with a path, a stable code, a
//! message a person can act on and the UI label of the field.
//!
//! The rules themselves live with the data they check ([`crate::instance::validate`],
//! [`crate::oauth::RedirectUrlParams`]); this module only holds the report they fill.

use crate::text::fill;
use std::fmt;

use serde::Serialize;

use crate::path::{format_path, Path, PathSegment};
use crate::text::{decimal, push_decimal};

/// One problem found by validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// Where: keys and indices from the document's root.
    pub path: Vec<PathSegment>,
    /// A stable machine-readable code, such as `required` or `invalid_url`.
    pub code: &'static str,
    /// What is wrong and what was expected, in a sentence.
    pub message: String,
    /// The field's label in the Cloud Elements UI ("Name", "Events Enabled"), when it has one.
    pub label: Option<&'static str>,
    /// 1-based line, for malformed JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column, for malformed JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl Issue {
    /// Appends the issue as compact JSON text, byte for byte what its `Serialize` writes
    /// through serde_json, without serde (the browser build carries none).
    pub fn write_json(&self, out: &mut String) {
        use crate::jsonv::write_str;
        out.push_str("{\"path\":[");
        for (i, seg) in self.path.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match seg {
                PathSegment::Key(k) => write_str(out, k),
                // Writing into a `String` cannot fail.
                PathSegment::Index(n) => push_decimal(out, *n as u64),
            }
        }
        out.push_str("],\"code\":");
        write_str(out, self.code);
        out.push_str(",\"message\":");
        write_str(out, &self.message);
        out.push_str(",\"label\":");
        match self.label {
            Some(label) => write_str(out, label),
            None => out.push_str("null"),
        }
        for (key, n) in [(",\"line\":", self.line), (",\"column\":", self.column)] {
            if let Some(n) = n {
                out.push_str(key);
                push_decimal(out, n as u64);
            }
        }
        out.push('}');
    }

    /// Appends `issues` as a JSON array of [`Issue::write_json`].
    pub fn write_json_array(out: &mut String, issues: &[Issue]) {
        out.push('[');
        for (i, issue) in issues.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            issue.write_json(out);
        }
        out.push(']');
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.push_text(&mut out);
        f.write_str(&out)
    }
}

impl Issue {
    /// Appends the `Display` text: `path: message [code]`.
    fn push_text(&self, out: &mut String) {
        for piece in [
            &format_path(&self.path),
            ": ",
            &self.message,
            " [",
            self.code,
            "]",
        ] {
            out.push_str(piece);
        }
    }
}

/// All errors and warnings found in one input, in a stable order (the order of the fields in
/// the built body, then unknown fields in input order).
///
/// Errors make the input unusable; warnings point at things that work but are likely wrong
/// (plain `http`, events without a signature key, a misspelt configuration key).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ValidationReport {
    /// Whether there are no errors.
    pub valid: bool,
    /// Problems that make the input unusable.
    pub errors: Vec<Issue>,
    /// Problems that do not block, but deserve a look.
    pub warnings: Vec<Issue>,
}

impl ValidationReport {
    pub(crate) fn new() -> Self {
        ValidationReport {
            valid: true,
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// `{valid, errors, warnings}` as compact JSON text, byte for byte what `Serialize` writes
    /// through serde_json, written without serde (the browser build's report).
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(64 + 160 * (self.errors.len() + self.warnings.len()));
        out.push_str(if self.valid {
            "{\"valid\":true,\"errors\":"
        } else {
            "{\"valid\":false,\"errors\":"
        });
        Issue::write_json_array(&mut out, &self.errors);
        out.push_str(",\"warnings\":");
        Issue::write_json_array(&mut out, &self.warnings);
        out.push('}');
        out
    }

    /// Whether there are no errors (warnings do not count).
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    pub(crate) fn error(
        &mut self,
        path: Path<'_>,
        code: &'static str,
        label: Option<&'static str>,
        message: String,
    ) {
        self.valid = false;
        self.errors.push(Issue {
            path: path.to_vec(),
            code,
            message,
            label,
            line: None,
            column: None,
        });
    }

    pub(crate) fn warning(
        &mut self,
        path: Path<'_>,
        code: &'static str,
        label: Option<&'static str>,
        message: String,
    ) {
        self.warnings.push(Issue {
            path: path.to_vec(),
            code,
            message,
            label,
            line: None,
            column: None,
        });
    }
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl ValidationReport {
    /// The `Display` text (`2 validation errors` and a line per error), built without a
    /// `Formatter`: what the browser build's `ValidationError` says, without `core::fmt`.
    pub fn message(&self) -> String {
        let mut out = match self.errors.len() {
            0 => "valid".to_string(),
            1 => "1 validation error".to_string(),
            n => fill("{} validation errors", &[&decimal(n)]),
        };
        for e in &self.errors {
            out.push_str("\n  ");
            e.push_text(&mut out);
        }
        out
    }
}

/// The closest candidate within two edits (or equal but for case), for "did you mean" hints.
pub(crate) fn did_you_mean<'c>(input: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let mut best: Option<(usize, &str)> = None;
    for &c in candidates {
        let d = if c.eq_ignore_ascii_case(input) {
            0
        } else {
            edit_distance(input, c, 2)
        };
        if d <= 2 && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Levenshtein distance, stopping early once it exceeds `cap` (returns `cap + 1` then).
/// Both strings are walked in order, so their characters are read in place, not collected.
fn edit_distance(a: &str, b: &str, cap: usize) -> usize {
    let b_len = b.chars().count();
    if a.chars().count().abs_diff(b_len) > cap {
        return cap + 1;
    }
    let mut prev: Vec<usize> = (0..=b_len).collect();
    let mut cur = vec![0; b_len + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.chars().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > cap {
            return cap + 1;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b_len]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_is_the_distance_over_collected_characters() {
        // The implementation it replaced, characters collected first.
        fn collected(a: &str, b: &str, cap: usize) -> usize {
            let a: Vec<char> = a.chars().collect();
            let b: Vec<char> = b.chars().collect();
            if a.len().abs_diff(b.len()) > cap {
                return cap + 1;
            }
            let mut prev: Vec<usize> = (0..=b.len()).collect();
            let mut cur = vec![0; b.len() + 1];
            for (i, ca) in a.iter().enumerate() {
                cur[0] = i + 1;
                let mut row_min = cur[0];
                for (j, cb) in b.iter().enumerate() {
                    let cost = usize::from(ca != cb);
                    cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
                    row_min = row_min.min(cur[j + 1]);
                }
                if row_min > cap {
                    return cap + 1;
                }
                std::mem::swap(&mut prev, &mut cur);
            }
            prev[b.len()]
        }
        let words = [
            "",
            "a",
            "name",
            "nmae",
            "Name",
            "tags",
            "tag",
            "oauth.api.key",
            "oauth.api.kye",
            "oauth.apí.key",
            "naméé",
            "named",
            "€uro",
            "euro",
            "élément",
            "element",
            "😀ags",
        ];
        for a in words {
            for b in words {
                for cap in [0, 1, 2, 5] {
                    assert_eq!(
                        edit_distance(a, b, cap),
                        collected(a, b, cap),
                        "{a} {b} {cap}"
                    );
                }
            }
        }
    }

    #[test]
    fn message_is_the_display_text() {
        let report = crate::instance::validate_json(r#"{"element": 1, "tags": [""], "x": 2}"#);
        let text = report.message();
        assert_eq!(text, report.to_string());
        assert!(text.starts_with("7 validation errors\n  element: `element` must be an object like {\"key\": \"hootsuite\"}, found a number [type]\n  "), "{text}");
        assert!(
            text.ends_with(
                "\n  name: Name (`name`) is required: the name of the instance [required]"
            ),
            "{text}"
        );
        assert!(
            text.contains("\n  tags[0]: a tag must not be blank [blank]\n"),
            "{text}"
        );
        assert!(
            text.contains("\n  configuration[\"oauth.callback.url\"]: "),
            "{text}"
        );
        assert_eq!(ValidationReport::new().message(), "valid");
    }

    #[test]
    fn suggestions() {
        let keys = [
            "event.notification.enabled",
            "event.notification.callback.url",
        ];
        assert_eq!(
            did_you_mean("event.notification.enable", &keys),
            Some("event.notification.enabled")
        );
        assert_eq!(did_you_mean("filter.response.nulls", &keys), None);
        assert_eq!(did_you_mean("Name", &["name", "tags"]), Some("name"));
    }
}
