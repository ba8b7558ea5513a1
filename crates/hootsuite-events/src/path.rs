//! JSON paths: [`PathSegment`] for errors, and a borrowed path built while walking a document
//! that becomes a `Vec` only when an error is reported.

use serde::Serialize;

/// One step of a JSON path: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum PathSegment {
    /// An object key.
    Key(String),
    /// An array index.
    Index(usize),
}

impl From<&str> for PathSegment {
    fn from(key: &str) -> Self {
        PathSegment::Key(key.to_string())
    }
}

impl From<usize> for PathSegment {
    fn from(index: usize) -> Self {
        PathSegment::Index(index)
    }
}

/// Writes a path as `configuration["oauth.api.key"]`, `tags[0]`, `message.events[2].objectId`;
/// the empty path is `$` (the whole document).
pub fn format_path(path: &[PathSegment]) -> String {
    if path.is_empty() {
        return "$".to_string();
    }
    let mut out = String::new();
    for seg in path {
        match seg {
            PathSegment::Index(i) => {
                out.push('[');
                crate::text::push_decimal(&mut out, *i as u64);
                out.push(']');
            }
            PathSegment::Key(k) => {
                let plain = !k.is_empty()
                    && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !k.starts_with(|c: char| c.is_ascii_digit());
                if plain {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                } else {
                    // jsonv's string writer, not serde_json's: the browser build carries no serde.
                    out.push('[');
                    crate::jsonv::write_str(&mut out, k);
                    out.push(']');
                }
            }
        }
    }
    out
}

/// One step of a path under construction.
#[derive(Clone, Copy)]
pub(crate) enum Seg<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

/// A JSON path as a linked list of borrowed steps.
#[derive(Clone, Copy)]
pub(crate) struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    seg: Seg<'a>,
}

impl<'a> Path<'a> {
    pub(crate) const ROOT: Path<'static> = Path {
        parent: None,
        seg: Seg::Root,
    };

    pub(crate) fn key(&'a self, key: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            seg: Seg::Key(key),
        }
    }

    pub(crate) fn index(&'a self, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            seg: Seg::Index(index),
        }
    }

    pub(crate) fn to_vec(self) -> Vec<PathSegment> {
        let mut out = Vec::new();
        let mut cur = Some(&self);
        while let Some(p) = cur {
            match p.seg {
                Seg::Root => {}
                Seg::Key(k) => out.push(PathSegment::Key(k.to_string())),
                Seg::Index(i) => out.push(PathSegment::Index(i)),
            }
            cur = p.parent;
        }
        out.reverse();
        out
    }
}
