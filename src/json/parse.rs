//! A strict JSON parser (RFC 8259) that hands every value to a [`Sink`].
//!
//! It differs from Python's `json.loads` where JOSE asks for strictness or a
//! token's size calls for bounds: duplicate member names are refused (RFC 7515
//! section 5.2), strings must be well-formed Unicode (no lone surrogates),
//! the text must be UTF-8 (no BOM, no UTF-16/32 detection), nesting is
//! bounded, and so is an integer's length (as Python bounds it). It accepts
//! `NaN`, `Infinity` and `-Infinity` as Python does, since Python's encoder
//! writes them.

use std::borrow::Cow;

use crate::error::Error;

/// Deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 64;

/// Longest integer accepted, in digits: Python's own default limit for
/// int-from-text conversion (`sys.get_int_max_str_digits()`), which
/// `json.loads` applies and PyJWT inherits.
pub const MAX_INT_DIGITS: usize = 4300;

/// Receives the values the parser reads, innermost first.
pub trait Sink {
    type Value;
    type Array;
    type Object;

    fn null(&mut self) -> Result<Self::Value, Error>;
    fn boolean(&mut self, value: bool) -> Result<Self::Value, Error>;
    /// An integer that fits in an i64.
    fn int(&mut self, value: i64) -> Result<Self::Value, Error>;
    /// An integer too large for an i64, as its decimal digits (with sign).
    fn big_int(&mut self, digits: &str) -> Result<Self::Value, Error>;
    fn float(&mut self, value: f64) -> Result<Self::Value, Error>;
    fn string(&mut self, value: &str) -> Result<Self::Value, Error>;
    fn array(&mut self) -> Result<Self::Array, Error>;
    fn push(&mut self, array: &mut Self::Array, value: Self::Value) -> Result<(), Error>;
    fn end_array(&mut self, array: Self::Array) -> Result<Self::Value, Error>;
    fn object(&mut self) -> Result<Self::Object, Error>;
    /// Adds a member; returns false when `key` was already present.
    fn insert(
        &mut self,
        object: &mut Self::Object,
        key: &str,
        value: Self::Value,
    ) -> Result<bool, Error>;
    fn end_object(&mut self, object: Self::Object) -> Result<Self::Value, Error>;
}

/// Parses a document that must be a JSON object. `what` names the document
/// in error messages ("header" or "payload"), as PyJWT's do.
pub fn parse_object<S: Sink>(input: &[u8], sink: &mut S, what: &str) -> Result<S::Object, Error> {
    let text = match std::str::from_utf8(input) {
        Ok(text) => text,
        Err(_) => return Err(invalid(what, "not UTF-8")),
    };
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
        sink,
    };
    parser.skip_ws();
    if parser.peek() != Some(b'{') {
        return Err(Error::decode(format!(
            "Invalid {what} string: must be a json object"
        )));
    }
    let object = parser.object().map_err(|e| e.into_error(what))?;
    parser.skip_ws();
    if parser.pos != parser.bytes.len() {
        return Err(invalid(what, "extra data after the object"));
    }
    Ok(object)
}

#[cold]
fn invalid(what: &str, why: &str) -> Error {
    Error::decode(format!("Invalid {what} string: {why}"))
}

/// A syntax error with its byte offset, or an error the sink raised.
enum Fail {
    Syntax(Cow<'static, str>, usize),
    Sink(Error),
}

impl Fail {
    fn into_error(self, what: &str) -> Error {
        match self {
            Fail::Syntax(why, at) => invalid(what, &format!("{why} at byte {at}")),
            Fail::Sink(err) => err,
        }
    }
}

impl From<Error> for Fail {
    fn from(err: Error) -> Fail {
        Fail::Sink(err)
    }
}

struct Parser<'a, 's, S: Sink> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    sink: &'s mut S,
}

impl<'a, S: Sink> Parser<'a, '_, S> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[cold]
    fn fail<T>(&self, why: impl Into<Cow<'static, str>>) -> Result<T, Fail> {
        Err(Fail::Syntax(why.into(), self.pos))
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8, why: &'static str) -> Result<(), Fail> {
        self.skip_ws();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            self.fail(why)
        }
    }

    fn literal(&mut self, word: &'static str) -> Result<(), Fail> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            self.fail("invalid literal")
        }
    }

    fn value(&mut self) -> Result<S::Value, Fail> {
        self.skip_ws();
        match self.peek() {
            Some(b'{') => {
                let object = self.object()?;
                Ok(self.sink.end_object(object)?)
            }
            Some(b'[') => self.array(),
            Some(b'"') => {
                let text = self.string()?;
                Ok(self.sink.string(&text)?)
            }
            Some(b't') => {
                self.literal("true")?;
                Ok(self.sink.boolean(true)?)
            }
            Some(b'f') => {
                self.literal("false")?;
                Ok(self.sink.boolean(false)?)
            }
            Some(b'n') => {
                self.literal("null")?;
                Ok(self.sink.null()?)
            }
            Some(b'N') => {
                self.literal("NaN")?;
                Ok(self.sink.float(f64::NAN)?)
            }
            Some(b'I') => {
                self.literal("Infinity")?;
                Ok(self.sink.float(f64::INFINITY)?)
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => self.fail("expected a value"),
            None => self.fail("unexpected end of data"),
        }
    }

    fn enter(&mut self) -> Result<(), Fail> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.fail(format!("nesting deeper than {MAX_DEPTH}"));
        }
        Ok(())
    }

    /// Parses `{...}` (the cursor is on the brace) and returns the sink's object.
    fn object(&mut self) -> Result<S::Object, Fail> {
        self.enter()?;
        self.pos += 1;
        let mut object = self.sink.object()?;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(object);
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return self.fail("expected a member name");
            }
            let key_at = self.pos;
            let key = self.string()?;
            self.expect(b':', "expected ':'")?;
            let value = self.value()?;
            if !self.sink.insert(&mut object, &key, value)? {
                return Err(Fail::Syntax(
                    format!("duplicate member name {key:?}").into(),
                    key_at,
                ));
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(object);
                }
                _ => return self.fail("expected ',' or '}'"),
            }
        }
    }

    fn array(&mut self) -> Result<S::Value, Fail> {
        self.enter()?;
        self.pos += 1;
        let mut array = self.sink.array()?;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                let value = self.value()?;
                self.sink.push(&mut array, value)?;
                self.skip_ws();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b']') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return self.fail("expected ',' or ']'"),
                }
            }
        }
        self.depth -= 1;
        Ok(self.sink.end_array(array)?)
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<S::Value, Fail> {
        if let Some(value) = self.small_int() {
            return Ok(self.sink.int(value)?);
        }
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
            if self.peek() == Some(b'I') {
                self.literal("Infinity")?;
                return Ok(self.sink.float(f64::NEG_INFINITY)?);
            }
        }
        let int_start = self.pos;
        let int_len = self.digits();
        if int_len == 0 {
            return self.fail("expected a digit");
        }
        if int_len > 1 && self.bytes[int_start] == b'0' {
            return Err(Fail::Syntax("leading zero".into(), int_start));
        }
        let mut is_float = false;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return self.fail("expected a digit after '.'");
            }
            is_float = true;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return self.fail("expected a digit in the exponent");
            }
            is_float = true;
        }
        if !is_float && int_len > MAX_INT_DIGITS {
            return Err(Fail::Syntax(
                format!("integer longer than {MAX_INT_DIGITS} digits").into(),
                int_start,
            ));
        }
        let text = self.slice(start, self.pos);
        if is_float {
            match text.parse::<f64>() {
                Ok(value) => Ok(self.sink.float(value)?),
                Err(_) => Err(Fail::Syntax("invalid number".into(), start)),
            }
        } else {
            match text.parse::<i64>() {
                Ok(value) => Ok(self.sink.int(value)?),
                Err(_) => Ok(self.sink.big_int(text)?),
            }
        }
    }

    /// A non-negative integer of 1 to 18 digits without a leading zero,
    /// followed by no fraction or exponent (a JWT's NumericDates and most
    /// ids): read in one pass. None, the cursor unmoved, for anything else.
    #[inline]
    fn small_int(&mut self) -> Option<i64> {
        let rest = &self.bytes[self.pos..];
        let mut value: i64 = 0;
        let mut len = 0;
        while let Some(digit @ b'0'..=b'9') = rest.get(len).copied() {
            if len == 18 {
                return None;
            }
            value = value * 10 + i64::from(digit - b'0');
            len += 1;
        }
        let leading_zero = len > 1 && rest[0] == b'0';
        if len == 0 || leading_zero || matches!(rest.get(len), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        self.pos += len;
        Some(value)
    }

    /// Parses a string (the cursor is on the opening quote). Borrows from the
    /// input when there is no escape to undo.
    fn string(&mut self) -> Result<Cow<'a, str>, Fail> {
        self.pos += 1;
        let start = self.pos;
        loop {
            self.pos = plain_run(self.bytes, self.pos);
            match self.peek() {
                Some(b'"') => {
                    let text = self.slice(start, self.pos);
                    self.pos += 1;
                    return Ok(Cow::Borrowed(text));
                }
                Some(b'\\') => break,
                Some(0..=0x1f) => return self.fail("control character in string"),
                Some(_) => self.pos += 1,
                None => return self.fail("unterminated string"),
            }
        }
        let mut out = String::from(self.slice(start, self.pos));
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(0..=0x1f) => return self.fail("control character in string"),
                Some(_) => {
                    let run = self.pos;
                    self.pos = plain_run(self.bytes, self.pos);
                    out.push_str(self.slice(run, self.pos));
                }
                None => return self.fail("unterminated string"),
            }
        }
    }

    /// The input between two positions that both sit on ASCII bytes, hence on
    /// character boundaries of the (already validated) UTF-8 text.
    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or("")
    }

    fn escape(&mut self, out: &mut String) -> Result<(), Fail> {
        let byte = match self.peek() {
            Some(byte) => byte,
            None => return self.fail("unterminated string"),
        };
        self.pos += 1;
        let ch = match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                let code = match unit {
                    0xD800..=0xDBFF => {
                        if !self.bytes[self.pos..].starts_with(b"\\u") {
                            return self.fail("lone surrogate in string");
                        }
                        self.pos += 2;
                        let low = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return self.fail("lone surrogate in string");
                        }
                        0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return self.fail("lone surrogate in string"),
                    _ => unit,
                };
                match char::from_u32(code) {
                    Some(ch) => ch,
                    None => return self.fail("invalid \\u escape"),
                }
            }
            _ => return self.fail("invalid escape"),
        };
        out.push(ch);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, Fail> {
        let mut code = 0u32;
        for _ in 0..4 {
            let digit = match self.peek().map(|b| (b as char).to_digit(16)) {
                Some(Some(digit)) => digit,
                _ => return self.fail("invalid \\u escape"),
            };
            code = code * 16 + digit;
            self.pos += 1;
        }
        Ok(code)
    }
}

/// The end of the run of bytes from `at` that a string holds as they are
/// (anything but `"`, `\\` and control characters), read eight at a time.
#[inline]
fn plain_run(bytes: &[u8], at: usize) -> usize {
    use super::runs::{lanes_below, lanes_equal, run_end};
    run_end(
        bytes,
        at,
        // A quote, a backslash or a control byte; non-ASCII lanes masked off.
        |word| {
            (lanes_equal(word, b'"') | lanes_equal(word, b'\\') | lanes_below(word, 0x20)) & !word
        },
        |byte| byte != b'"' && byte != b'\\' && byte >= 0x20,
    )
}

#[cfg(test)]
mod tests {
    use super::super::value::{parse, Value};
    use crate::error::Error;

    fn obj(members: &[(&str, Value)]) -> Value {
        Value::Object(
            members
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn parses_every_kind_of_value() {
        let text = r#" {"a": [1, -2, 3.5, 1e2, true, false, null, "x\u00e9\ud83d\ude00\n"],
            "b": {"c": {}} , "big": 123456789012345678901234567890, "neg": -9223372036854775808,
            "inf": Infinity, "ninf": -Infinity} "#;
        let parsed = parse(text.as_bytes()).unwrap();
        assert_eq!(
            parsed,
            obj(&[
                (
                    "a",
                    Value::Array(vec![
                        Value::Int(1),
                        Value::Int(-2),
                        Value::Float(3.5),
                        Value::Float(100.0),
                        Value::Bool(true),
                        Value::Bool(false),
                        Value::Null,
                        Value::Str("x\u{e9}\u{1f600}\n".into()),
                    ])
                ),
                ("b", obj(&[("c", obj(&[]))])),
                (
                    "big",
                    Value::BigInt("123456789012345678901234567890".into())
                ),
                ("neg", Value::Int(i64::MIN)),
                ("inf", Value::Float(f64::INFINITY)),
                ("ninf", Value::Float(f64::NEG_INFINITY)),
            ])
        );
    }

    #[test]
    fn nan_is_accepted_like_python() {
        match parse(br#"{"x":NaN}"#).unwrap() {
            Value::Object(members) => match &members[0].1 {
                Value::Float(f) => assert!(f.is_nan()),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refusals_name_the_reason() {
        let cases: &[(&[u8], &str)] = &[
            (b"[1]", "must be a json object"),
            (b"\"x\"", "must be a json object"),
            (b"", "must be a json object"),
            (b"{\"a\":1,\"a\":2}", "duplicate member name \"a\""),
            (b"{\"a\":1", "expected ',' or '}'"),
            (b"{\"a\":01}", "leading zero"),
            (b"{\"a\":1.}", "expected a digit after '.'"),
            (b"{\"a\":1e}", "expected a digit in the exponent"),
            (b"{\"a\":\"\\ud800\"}", "lone surrogate"),
            (b"{\"a\":\"\\udc00\"}", "lone surrogate"),
            (b"{\"a\":\"\x01\"}", "control character"),
            (b"{\"a\":\"\\x\"}", "invalid escape"),
            (b"{\"a\":tru}", "invalid literal"),
            (b"{\"a\":1} x", "extra data"),
            (b"{\"a\":1,}", "expected a member name"),
            (b"{\"a\":\"\xff\"}", "not UTF-8"),
            (b"{'a':1}", "expected a member name"),
            (
                format!("{{\"a\":{}}}", "9".repeat(4301)).leak().as_bytes(),
                "integer longer than 4300 digits",
            ),
        ];
        for (input, reason) in cases {
            match parse(input) {
                Err(Error::Decode(msg)) => {
                    assert!(msg.starts_with("Invalid payload string: "), "{msg}");
                    assert!(msg.contains(reason), "{msg} should say {reason}");
                }
                other => panic!("{:?}: {other:?}", String::from_utf8_lossy(input)),
            }
        }
    }

    #[test]
    fn plain_runs_stop_at_the_first_special_byte() {
        let naive = |bytes: &[u8], at: usize| {
            (at..bytes.len())
                .find(|&i| matches!(bytes[i], b'"' | b'\\' | 0..=0x1f))
                .unwrap_or(bytes.len())
        };
        // Every special byte at every offset of a 20-byte run of each filler,
        // ASCII and not, with a second special byte after it.
        for filler in [
            b'a', b' ', b'~', 0x7f, 0x80, 0xc3, 0xff, b'!', b'#', b'[', b']',
        ] {
            for special in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                for at in 0..20 {
                    let mut bytes = vec![filler; 20];
                    bytes[at] = special;
                    if at + 3 < 20 {
                        bytes[at + 3] = b'"';
                    }
                    for start in 0..=at {
                        assert_eq!(super::plain_run(&bytes, start), naive(&bytes, start));
                    }
                }
            }
            let bytes = vec![filler; 19];
            assert_eq!(super::plain_run(&bytes, 0), 19);
        }
    }

    #[test]
    fn integers_read_fast_or_slow_alike() {
        for text in [
            "0",
            "7",
            "-0",
            "-7",
            "123456789012345678",
            "1234567890123456789",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "1.5",
            "10e2",
            "1E2",
            "0.0",
        ] {
            let doc = format!("{{\"n\":{text}}}");
            let parsed = parse(doc.as_bytes()).unwrap();
            let expected = match text.parse::<i64>() {
                Ok(int) if !text.contains(['.', 'e', 'E']) => Value::Int(int),
                _ if !text.contains(['.', 'e', 'E']) => Value::BigInt(text.into()),
                _ => Value::Float(text.parse().unwrap()),
            };
            assert_eq!(parsed, obj(&[("n", expected)]), "{text}");
        }
        for bad in ["01", "-01", "00", "1.", "1e", "-"] {
            assert!(
                parse(format!("{{\"n\":{bad}}}").as_bytes()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let ok = format!(
            "{{\"a\":{}1{}}}",
            "[".repeat(super::MAX_DEPTH - 1),
            "]".repeat(super::MAX_DEPTH - 1)
        );
        assert!(parse(ok.as_bytes()).is_ok());
        let deep = format!(
            "{{\"a\":{}1{}}}",
            "[".repeat(super::MAX_DEPTH),
            "]".repeat(super::MAX_DEPTH)
        );
        match parse(deep.as_bytes()) {
            Err(Error::Decode(msg)) => assert!(msg.contains("nesting deeper than 64"), "{msg}"),
            other => panic!("{other:?}"),
        }
    }
}
