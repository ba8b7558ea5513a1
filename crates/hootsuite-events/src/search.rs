//! Byte searches for ASCII patterns, with the results of `str`'s own (`find`, `rsplit_once`)
//! and a fraction of their code (the two-way and char searchers weigh on the browser build).
//! A leaf module, so that `url` and `redact` both use it without using each other.

/// Where `needle` first occurs in `haystack`, as `str::find` with a `&str` finds it: a byte
/// window instead of the two-way searcher, which the browser build need not carry.
pub(crate) fn find(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0); // `windows(0)` would panic
    }
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
}

/// Where the first of the ASCII bytes `set` occurs in `s`: `str::find` with an array of ASCII
/// chars, without the char searchers (the browser build's size).
// `set.contains` would call `memchr` for each byte of `s`: slower on a set of two or three
// bytes, and more code in the browser build.
#[allow(clippy::manual_contains)]
pub(crate) fn find_any(s: &str, set: &[u8]) -> Option<usize> {
    s.bytes().position(|b| set.iter().any(|&x| x == b))
}

/// Where the ASCII byte `b` first occurs in `s`: `str::find` with an ASCII char, without the
/// char searcher and `memchr`.
pub(crate) fn find_byte(s: &str, b: u8) -> Option<usize> {
    // A non-ASCII byte could be found inside a character, where the callers' slices would panic.
    debug_assert!(b.is_ascii());
    s.bytes().position(|x| x == b)
}

/// `s` split around its first ASCII byte `b`: `str::split_once` with an ASCII char.
pub(crate) fn split_once_byte(s: &str, b: u8) -> Option<(&str, &str)> {
    let at = find_byte(s, b)?;
    Some((&s[..at], &s[at + 1..]))
}

/// `s` split at every ASCII byte `b`: `str::split` with an ASCII char.
pub(crate) fn split_byte(s: &str, b: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        Some(match split_once_byte(r, b) {
            Some((part, more)) => {
                rest = Some(more);
                part
            }
            None => {
                rest = None;
                r
            }
        })
    })
}

/// `s` split around its last ASCII byte `b`: `str::rsplit_once` with an ASCII char, without
/// the reverse char searcher.
pub(crate) fn rsplit_once_byte(s: &str, b: u8) -> Option<(&str, &str)> {
    let at = s.bytes().rposition(|x| x == b)?;
    Some((&s[..at], &s[at + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_find_what_str_finds() {
        for hay in [
            "",
            "a",
            "https://u@h:1/p?q#f",
            "..a..",
            "é://ü@ö:€",
            "::@@",
            "127.0.0.1",
            "it's",
            "a=b&c&&=d",
            "/x/",
            ".",
        ] {
            for needle in ["", "..", "://", "@", "/elements/api-v2/events/hootsuite"] {
                assert_eq!(find(hay, needle), hay.find(needle), "{hay} {needle}");
            }
            assert_eq!(find_any(hay, b"/?#"), hay.find(['/', '?', '#']), "{hay}");
            assert_eq!(rsplit_once_byte(hay, b'@'), hay.rsplit_once('@'), "{hay}");
            assert_eq!(rsplit_once_byte(hay, b':'), hay.rsplit_once(':'), "{hay}");
            for b in [b'@', b':', b'.', b'/', b'\'', b'&'] {
                let c = char::from(b);
                assert_eq!(find_byte(hay, b), hay.find(c), "{hay} {c}");
                assert_eq!(split_once_byte(hay, b), hay.split_once(c), "{hay} {c}");
                let parts: Vec<&str> = split_byte(hay, b).collect();
                assert_eq!(parts, hay.split(c).collect::<Vec<_>>(), "{hay} {c}");
            }
        }
    }
}
