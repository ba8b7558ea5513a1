//! Text joined without `core::fmt`: the form path's messages and numbers. `format!` would put
//! the formatting machinery into the browser build, and is a slower way to join a few pieces.

/// The pieces joined into one `String`.
pub(crate) fn cat(pieces: &[&str]) -> String {
    pieces.concat()
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
