//! The writing rules of Python's `json.dumps(obj, separators=(",", ":"))`
//! with its defaults (`ensure_ascii=True`, `allow_nan=True`), so a token
//! ferrojwt signs is byte-identical to the one PyJWT signs.

use std::fmt::Write;

/// Appends `text` as a JSON string, escaping as Python does with
/// `ensure_ascii=True`: every character outside `' '..='~'` becomes `\uXXXX`
/// (lower-case hex, astral characters as surrogate pairs), except the five
/// short escapes `\n \r \t \b \f`.
pub fn string(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    let bytes = text.as_bytes();
    let mut run = 0;
    let mut at = 0;
    while at < bytes.len() {
        at = printable_run(bytes, at);
        if at == bytes.len() {
            break;
        }
        out.push_str(&text[run..at]);
        let ch = text[at..].chars().next().unwrap_or('\u{fffd}');
        at += ch.len_utf8();
        run = at;
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            _ => {
                let mut units = [0u16; 2];
                for unit in ch.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push_str(&text[run..]);
    out.push('"');
}

/// The end of the run of bytes from `at` written as they are (`' '..='~'`
/// but `"` and `\\`), read eight at a time.
#[inline]
fn printable_run(bytes: &[u8], at: usize) -> usize {
    use super::runs::{lanes_below, lanes_equal, run_end};
    run_end(
        bytes,
        at,
        // `"`, `\\`, DEL or a control byte, or any non-ASCII lane (its own high bit).
        |word| {
            (lanes_equal(word, b'"')
                | lanes_equal(word, b'\\')
                | lanes_equal(word, 0x7f)
                | lanes_below(word, 0x20))
                & !word
                | word
        },
        |byte| (b' '..=b'~').contains(&byte) && byte != b'"' && byte != b'\\',
    )
}

/// Appends the decimal digits of `value`, two at a time.
pub fn int(out: &mut String, value: i64) {
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let mut digits = [b'-'; 20];
    let mut at = digits.len();
    let mut rest = value.unsigned_abs();
    while rest >= 100 {
        let pair = (rest % 100) as usize * 2;
        rest /= 100;
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if rest >= 10 {
        let pair = rest as usize * 2;
        at -= 2;
        digits[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        at -= 1;
        digits[at] = b'0' + rest as u8;
    }
    if value < 0 {
        out.push('-');
    }
    // SAFETY: only ASCII digits were written at and after `at`.
    out.push_str(unsafe { std::str::from_utf8_unchecked(&digits[at..]) });
}

/// Appends `value` as Python's `float.__repr__` writes it (`NaN`,
/// `Infinity` and `-Infinity` for the non-finite values, as `allow_nan`
/// does): the shortest digits that round-trip, positional notation for
/// decimal exponents -4 to 15, scientific with a two-digit signed exponent
/// otherwise, and always a '.0' on integral positional values.
///
/// The digits are Rust's shortest round trip, which reads back as the same
/// float but, when two shortest texts are equally near, may not pick CPython's
/// (ties to even): 779539845543410.25 is "...410.3" here, "...410.2" in Python.
/// So the Python writer (`py::json_out`) takes CPython's own text for finite
/// floats, and this one serves the non-finite ones and the pure-Rust callers.
pub fn float(out: &mut String, value: f64) {
    if value.is_nan() {
        out.push_str("NaN");
        return;
    }
    if value.is_infinite() {
        out.push_str(if value > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "-1.2345e-7".
    let sci = format!("{value:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    out.push_str(sign);
    if !(-4..16).contains(&exponent) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(
            out,
            "e{}{:02}",
            if exponent < 0 { '-' } else { '+' },
            exponent.abs()
        );
    } else if exponent < 0 {
        out.push_str("0.");
        for _ in 0..(-exponent - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let point = exponent as usize + 1;
        if digits.len() > point {
            out.push_str(&digits[..point]);
            out.push('.');
            out.push_str(&digits[point..]);
        } else {
            out.push_str(&digits);
            for _ in digits.len()..point {
                out.push('0');
            }
            out.push_str(".0");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(value: f64) -> String {
        let mut out = String::new();
        float(&mut out, value);
        out
    }

    fn s(text: &str) -> String {
        let mut out = String::new();
        string(&mut out, text);
        out
    }

    #[test]
    fn floats_match_python_repr() {
        // Expected values are what CPython's repr() prints.
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1.5, "1.5"),
            (-2.25, "-2.25"),
            (123456.789, "123456.789"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (0.000123, "0.000123"),
            (1e-7, "1e-07"),
            (1.5e-10, "1.5e-10"),
            (1e15, "1000000000000000.0"),
            (1234567890123456.0, "1234567890123456.0"),
            (1e16, "1e+16"),
            (1.2345e17, "1.2345e+17"),
            (1.5e300, "1.5e+300"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (1700000000.5, "1700000000.5"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (value, expected) in cases {
            assert_eq!(f(*value), *expected, "{value:e}");
        }
    }

    #[test]
    fn printable_runs_stop_at_the_first_byte_to_escape() {
        let naive = |bytes: &[u8], at: usize| {
            (at..bytes.len())
                .find(|&i| !(b' '..=b'~').contains(&bytes[i]) || matches!(bytes[i], b'"' | b'\\'))
                .unwrap_or(bytes.len())
        };
        for filler in [b'a', b' ', b'~', b'!', b'#', b'[', b']', b'}'] {
            for special in [b'"', b'\\', 0x00, 0x1f, 0x7f, 0x80, 0xc3, 0xff] {
                for at in 0..20 {
                    let mut bytes = vec![filler; 20];
                    bytes[at] = special;
                    if at + 2 < 20 {
                        bytes[at + 2] = 0x7f;
                    }
                    for start in 0..=at {
                        assert_eq!(super::printable_run(&bytes, start), naive(&bytes, start));
                    }
                }
            }
        }
    }

    #[test]
    fn ints() {
        for (value, text) in [
            (0, "0"),
            (7, "7"),
            (-7, "-7"),
            (1700000000, "1700000000"),
            (i64::MIN, "-9223372036854775808"),
            (i64::MAX, "9223372036854775807"),
        ] {
            let mut out = String::new();
            int(&mut out, value);
            assert_eq!(out, text);
        }
        let mut edges: Vec<i64> = (-1000..1000).collect();
        for power in 1..19 {
            let p = 10i64.pow(power);
            edges.extend([p - 1, p, p + 1, -p + 1, -p, -p - 1]);
        }
        for value in edges {
            let mut out = String::new();
            int(&mut out, value);
            assert_eq!(out, value.to_string());
        }
    }

    #[test]
    fn strings_match_python_ensure_ascii() {
        let cases: &[(&str, &str)] = &[
            ("plain", r#""plain""#),
            ("a\"b\\c/", r#""a\"b\\c/""#),
            ("\n\r\t\u{8}\u{c}", r#""\n\r\t\b\f""#),
            ("\u{0}\u{1f}\u{7f}", r#""\u0000\u001f\u007f""#),
            ("é", r#""\u00e9""#),
            ("日本", r#""\u65e5\u672c""#),
            ("😀", r#""\ud83d\ude00""#),
            ("", r#""""#),
            ("mixed é and \"q\" end", r#""mixed \u00e9 and \"q\" end""#),
        ];
        for (text, expected) in cases {
            assert_eq!(s(text), *expected);
        }
    }
}
