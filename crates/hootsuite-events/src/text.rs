//! Text joined without `core::fmt`: the form path's messages and numbers. `format!` would put
//! the formatting machinery into the browser build, and is a slower way to join a few pieces.

/// `template` with each `{}` replaced by the next of `args`, in order: one string per message
/// rather than its pieces (each piece passed costs code at every call site).
pub(crate) fn fill(template: &str, args: &[&str]) -> String {
    let mut out =
        String::with_capacity(template.len() + args.iter().map(|a| a.len()).sum::<usize>());
    let mut args = args.iter();
    // A byte loop, not `search::find`: messages are built per keystroke (warnings included).
    let b = template.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i + 1 < b.len() {
        if b[i] == b'{' && b[i + 1] == b'}' {
            out.push_str(&template[start..i]);
            out.push_str(args.next().copied().unwrap_or_default());
            i += 2;
            start = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&template[start..]);
    out
}

/// Whether `s` is empty or white space only: `s.trim().is_empty()` (see [`trim`]).
pub(crate) fn is_blank(s: &str) -> bool {
    trim(s).is_empty()
}

/// `s.trim()`, reading forward only (`str::trim`'s reverse UTF-8 decoding weighs on the
/// browser build); a string that ends in ASCII characters other than white space at both
/// ends, the usual case, is returned without decoding it.
pub(crate) fn trim(s: &str) -> &str {
    // `char::is_whitespace` in ASCII (with U+000B, which `u8::is_ascii_whitespace` leaves out).
    let edge =
        |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii() && !matches!(b, b' ' | b'\t'..=b'\r'));
    if edge(s.as_bytes().first()) && edge(s.as_bytes().last()) {
        return s;
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

/// `String::from_utf8_lossy(bytes)`: each maximal prefix of a valid sequence that cannot be
/// completed (or a byte that starts none) becomes one U+FFFD, as the standard library does,
/// without its `Utf8Chunks` iterator in the browser build.
pub(crate) fn from_utf8_lossy(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        // The sequence's length and the range of its second byte (RFC 3629's table).
        let (len, second) = match bytes[i] {
            0x00..=0x7F => (1, 0..=0),
            0xC2..=0xDF => (2, 0x80..=0xBF),
            0xE0 => (3, 0xA0..=0xBF),
            0xED => (3, 0x80..=0x9F),
            0xE1..=0xEF => (3, 0x80..=0xBF),
            0xF0 => (4, 0x90..=0xBF),
            0xF1..=0xF3 => (4, 0x80..=0xBF),
            0xF4 => (4, 0x80..=0x8F),
            _ => (0, 0..=0),
        };
        let mut n = 1;
        while n < len {
            let range = if n == 1 { second.clone() } else { 0x80..=0xBF };
            match bytes.get(i + n) {
                Some(b) if range.contains(b) => n += 1,
                _ => break,
            }
        }
        match std::str::from_utf8(&bytes[i..i + n]) {
            Ok(text) if n == len => out.push_str(text),
            _ => out.push('\u{FFFD}'),
        }
        i += n;
    }
    out
}

/// `n` in decimal, without `core::fmt` (see [`fill`]).
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
    fn fill_is_the_concatenation_of_its_pieces() {
        assert_eq!(fill("", &[]), "");
        assert_eq!(fill("no placeholder", &[]), "no placeholder");
        assert_eq!(fill("{}", &["x"]), "x");
        assert_eq!(
            fill("`{}` must be {}, found {}", &["a.b", "a string", "{}"]),
            ["`", "a.b", "` must be ", "a string", ", found ", "{}"].concat()
        );
        assert_eq!(fill("{}{}é{}", &["1", "", "ü"]), "1éü");
        // A placeholder without an argument is left empty (no call site has one).
        assert_eq!(fill("a{}b", &[]), "ab");
    }

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
            // U+000B and U+000C: whitespace to `char::is_whitespace`, only the latter to
            // `u8::is_ascii_whitespace`.
            "\x0bA\x0b",
            "\x0c",
            "\x0c\x0b",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
            assert_eq!(is_blank(s), s.trim().is_empty(), "{s:?}");
        }
    }

    #[test]
    fn from_utf8_lossy_replaces_as_the_standard_library_does() {
        let same = |b: &[u8]| assert_eq!(from_utf8_lossy(b), String::from_utf8_lossy(b), "{b:x?}");
        // Every sequence of one and two bytes.
        for a in 0..=255u8 {
            same(&[a]);
            for b in 0..=255u8 {
                same(&[a, b]);
            }
        }
        // Four bytes from the boundaries of RFC 3629's table, in every order.
        let edges = [
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
            0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
        ];
        for &a in &edges {
            for &b in &edges {
                for &c in &edges {
                    for &d in &edges {
                        same(&[a, b, c, d]);
                    }
                }
            }
        }
        same("héllo €𝄞 ok".as_bytes());
    }
}
