//! Text joined without `core::fmt`: the form path's messages and numbers. `format!` would put
//! the formatting machinery into the browser build, and is a slower way to join a few pieces.

/// The pieces joined into one `String`.
pub(crate) fn cat(pieces: &[&str]) -> String {
    pieces.concat()
}

/// Whether `s` is empty or white space only: `s.trim().is_empty()` (see [`trim`]).
pub(crate) fn is_blank(s: &str) -> bool {
    trim(s).is_empty()
}

/// `s.trim()`: ASCII ends are trimmed byte by byte, and only a string with a non-ASCII
/// character at either end is decoded, forward (`str::trim`'s reverse UTF-8 decoding weighs on
/// the browser build, and decoding every character is slow at its `opt-level`).
pub(crate) fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let ws = |c: u8| matches!(c, b' ' | b'\t'..=b'\r');
    let mut start = 0;
    while start < b.len() && ws(b[start]) {
        start += 1;
    }
    let mut end = b.len();
    while end > start && ws(b[end - 1]) {
        end -= 1;
    }
    if start == end || (b[start].is_ascii() && b[end - 1].is_ascii()) {
        return &s[start..end];
    }
    let mut first = None;
    let mut last = 0;
    for (i, c) in s.char_indices() {
        if !c.is_whitespace() {
            first.get_or_insert(i);
            last = i + c.len_utf8();
        }
    }
    first.map_or("", |first| &s[first..last])
}

/// `n` in decimal, without `core::fmt` (see [`cat`]).
pub(crate) fn decimal(n: usize) -> String {
    let mut out = String::new();
    push_decimal(&mut out, n as u64);
    out
}

/// Appends `n` in decimal.
pub(crate) fn push_decimal(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_and_is_blank_agree_with_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a ",
            "\t\n a b \r\n",
            "\u{a0}x\u{3000}",
            "\u{2028}\u{85}",
            "é ",
            " ü",
            "\u{200b}",
            "x\u{1680}",
            "\u{1680}",
            "  <A>  ",
            " \u{a0} ",
            "\u{a0} a",
            "a \u{3000}",
            "\u{85}a\u{85}",
            " é\t",
            "\r\n",
            "ab",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
            assert_eq!(is_blank(s), s.trim().is_empty(), "{s:?}");
        }
    }
}
