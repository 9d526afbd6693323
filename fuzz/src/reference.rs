//! An independent, deliberately plain implementation of ferrojwt's decode
//! rules (token shape, strict base64url, strict JSON, header, HMAC signature,
//! registered claims), written from the rules in the README and the docs, not
//! from the core's code. The differential target checks that the core
//! reaches the same decision, and refuses with the same exception class.

use std::collections::BTreeMap;

/// What the reference decoder is asked to check.
pub struct Rules<'a> {
    /// The `algorithms` argument of `decode`.
    pub allowed: &'a [&'a str],
    pub secret: &'a [u8],
    pub now: f64,
    pub leeway: f64,
    pub audience: Option<&'a str>,
    pub issuer: Option<&'a str>,
    pub require: &'a [&'a str],
}

/// A member value, as much of it as the rules look at.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<Val>),
    Obj(usize),
}

impl Val {
    fn truthy(&self) -> bool {
        match self {
            Val::Null => false,
            Val::Bool(b) => *b,
            Val::Num(n) => *n != 0.0,
            Val::Str(s) => !s.is_empty(),
            Val::List(items) => !items.is_empty(),
            Val::Obj(len) => *len > 0,
        }
    }
}

/// Decides on `token`: `Ok` or the name of the exception it is refused with.
pub fn decide(token: &[u8], rules: &Rules) -> Result<(), &'static str> {
    const DECODE: &str = "DecodeError";
    if token.len() > 1 << 20 {
        return Err(DECODE);
    }
    let parts: Vec<&[u8]> = token.split(|b| *b == b'.').collect();
    if parts.len() != 3 {
        return Err(DECODE);
    }
    let header = unbase64(parts[0]).ok_or(DECODE)?;
    let payload = unbase64(parts[1]).ok_or(DECODE)?;
    let signature = unbase64(parts[2]).ok_or(DECODE)?;
    let header = object(&header).ok_or(DECODE)?;

    if !matches!(header.get("kid"), None | Some(Val::Str(_))) {
        return Err("InvalidTokenError");
    }
    if header.contains_key("crit") {
        return Err("InvalidTokenError");
    }
    let alg = match header.get("alg") {
        None => return Err("InvalidAlgorithmError"),
        Some(Val::Str(alg)) if rules.allowed.contains(&alg.as_str()) => alg.as_str(),
        Some(_) => return Err("InvalidAlgorithmError"),
    };
    let hmac_alg = match alg {
        "HS256" => aws_lc_rs::hmac::HMAC_SHA256,
        "HS384" => aws_lc_rs::hmac::HMAC_SHA384,
        "HS512" => aws_lc_rs::hmac::HMAC_SHA512,
        "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" | "ES256" | "ES384" | "ES512"
        | "EdDSA" => return Err("InvalidKeyError"),
        _ => return Err("InvalidAlgorithmError"),
    };
    let signed_len = parts[0].len() + 1 + parts[1].len();
    let key = aws_lc_rs::hmac::Key::new(hmac_alg, rules.secret);
    if aws_lc_rs::hmac::verify(&key, &token[..signed_len], &signature).is_err() {
        return Err("InvalidSignatureError");
    }
    let claims = object(&payload).ok_or(DECODE)?;
    check_claims(&claims, rules)
}

fn check_claims(claims: &BTreeMap<String, Val>, rules: &Rules) -> Result<(), &'static str> {
    for name in rules.require {
        if matches!(claims.get(*name), None | Some(Val::Null)) {
            return Err("MissingRequiredClaimError");
        }
    }
    let date = |name: &str, bad: &'static str| -> Result<Option<f64>, &'static str> {
        match claims.get(name) {
            None => Ok(None),
            Some(Val::Num(n)) if n.is_finite() => Ok(Some(n.trunc())),
            Some(_) => Err(bad),
        }
    };
    if let Some(iat) = date("iat", "InvalidIssuedAtError")? {
        if iat > rules.now + rules.leeway {
            return Err("ImmatureSignatureError");
        }
    }
    if let Some(nbf) = date("nbf", "DecodeError")? {
        if nbf > rules.now + rules.leeway {
            return Err("ImmatureSignatureError");
        }
    }
    if let Some(exp) = date("exp", "DecodeError")? {
        if exp <= rules.now - rules.leeway {
            return Err("ExpiredSignatureError");
        }
    }
    if let Some(issuer) = rules.issuer {
        match claims.get("iss") {
            None => return Err("MissingRequiredClaimError"),
            Some(Val::Str(iss)) if iss == issuer => {}
            Some(_) => return Err("InvalidIssuerError"),
        }
    }
    let aud = claims.get("aud");
    match rules.audience {
        None => {
            if aud.is_some_and(Val::truthy) {
                return Err("InvalidAudienceError");
            }
        }
        Some(want) => match aud {
            Some(aud) if aud.truthy() => {
                let found = match aud {
                    Val::Str(one) => one == want,
                    Val::List(items) => {
                        let mut found = false;
                        for item in items {
                            match item {
                                Val::Str(s) => found |= s == want,
                                _ => return Err("InvalidAudienceError"),
                            }
                        }
                        found
                    }
                    _ => return Err("InvalidAudienceError"),
                };
                if !found {
                    return Err("InvalidAudienceError");
                }
            }
            _ => return Err("MissingRequiredClaimError"),
        },
    }
    if !matches!(claims.get("sub"), None | Some(Val::Str(_))) {
        return Err("InvalidSubjectError");
    }
    if !matches!(claims.get("jti"), None | Some(Val::Str(_))) {
        return Err("InvalidJTIError");
    }
    Ok(())
}

/// Strict base64url: the URL-safe alphabet, no whitespace, canonical final
/// bits; `=` padding only as the exact padding of a multiple of four.
pub fn unbase64(text: &[u8]) -> Option<Vec<u8>> {
    let mut text = text;
    if text.len() % 4 == 0 {
        if let Some(rest) = text.strip_suffix(b"==").or_else(|| text.strip_suffix(b"=")) {
            text = rest;
        }
    }
    let mut sextets = Vec::with_capacity(text.len());
    for &c in text {
        sextets.push(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        } as u32);
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in sextets.chunks(4) {
        let mut acc = 0u32;
        for s in chunk {
            acc = acc << 6 | s;
        }
        match chunk.len() {
            4 => out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]),
            3 => {
                if acc & 0b11 != 0 {
                    return None;
                }
                out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]);
            }
            2 => {
                if acc & 0b1111 != 0 {
                    return None;
                }
                out.push((acc >> 4) as u8);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// A strict JSON object: UTF-8, no duplicate names at any depth, nesting of
/// at most 64, integers of at most 4300 digits, no lone surrogates; NaN and
/// (-)Infinity accepted as Python accepts them. The top-level members.
pub fn object(bytes: &[u8]) -> Option<BTreeMap<String, Val>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let chars: Vec<char> = text.chars().collect();
    let mut reader = Reader { chars, at: 0 };
    reader.space();
    if reader.peek() != Some('{') {
        return None;
    }
    let members = reader.members(1)?;
    reader.space();
    if reader.at != reader.chars.len() {
        return None;
    }
    Some(members)
}

struct Reader {
    chars: Vec<char>,
    at: usize,
}

impl Reader {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        Some(c)
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.at += 1;
        }
    }

    fn word(&mut self, word: &str) -> Option<()> {
        for c in word.chars() {
            if self.next()? != c {
                return None;
            }
        }
        Some(())
    }

    /// `{ ... }` at nesting `depth`, the cursor on the brace.
    fn members(&mut self, depth: usize) -> Option<BTreeMap<String, Val>> {
        if depth > 64 {
            return None;
        }
        self.at += 1;
        let mut members = BTreeMap::new();
        self.space();
        if self.peek() == Some('}') {
            self.at += 1;
            return Some(members);
        }
        loop {
            self.space();
            if self.peek() != Some('"') {
                return None;
            }
            let name = self.string()?;
            self.space();
            if self.next()? != ':' {
                return None;
            }
            let value = self.value(depth)?;
            if members.insert(name, value).is_some() {
                return None;
            }
            self.space();
            match self.next()? {
                ',' => continue,
                '}' => return Some(members),
                _ => return None,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Option<Val> {
        self.space();
        match self.peek()? {
            '{' => self.members(depth + 1).map(|m| Val::Obj(m.len())),
            '[' => {
                if depth + 1 > 64 {
                    return None;
                }
                self.at += 1;
                let mut items = Vec::new();
                self.space();
                if self.peek() == Some(']') {
                    self.at += 1;
                    return Some(Val::List(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.space();
                    match self.next()? {
                        ',' => continue,
                        ']' => return Some(Val::List(items)),
                        _ => return None,
                    }
                }
            }
            '"' => self.string().map(Val::Str),
            't' => self.word("true").map(|_| Val::Bool(true)),
            'f' => self.word("false").map(|_| Val::Bool(false)),
            'n' => self.word("null").map(|_| Val::Null),
            'N' => self.word("NaN").map(|_| Val::Num(f64::NAN)),
            'I' => self.word("Infinity").map(|_| Val::Num(f64::INFINITY)),
            '-' | '0'..='9' => self.number(),
            _ => None,
        }
    }

    fn number(&mut self) -> Option<Val> {
        let start = self.at;
        if self.peek() == Some('-') {
            self.at += 1;
            if self.peek() == Some('I') {
                return self.word("Infinity").map(|_| Val::Num(f64::NEG_INFINITY));
            }
        }
        let int_digits = self.digits();
        if int_digits == 0 {
            return None;
        }
        if int_digits > 1 && self.chars[self.at - int_digits] == '0' {
            return None;
        }
        let mut integer = true;
        if self.peek() == Some('.') {
            self.at += 1;
            if self.digits() == 0 {
                return None;
            }
            integer = false;
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.at += 1;
            if matches!(self.peek(), Some('+' | '-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return None;
            }
            integer = false;
        }
        if integer && int_digits > 4300 {
            return None;
        }
        let text: String = self.chars[start..self.at].iter().collect();
        let value: f64 = text.parse().ok()?;
        // An integer beyond any float reads as the largest finite one.
        Some(Val::Num(if integer && value.is_infinite() {
            value.signum() * f64::MAX
        } else {
            value
        }))
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while matches!(self.peek(), Some('0'..='9')) {
            self.at += 1;
        }
        self.at - start
    }

    fn hex(&mut self) -> Option<u32> {
        let mut code = 0;
        for _ in 0..4 {
            code = code * 16 + self.next()?.to_digit(16)?;
        }
        Some(code)
    }

    fn string(&mut self) -> Option<String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let c = self.next()?;
            match c {
                '"' => return Some(out),
                '\u{0}'..='\u{1f}' => return None,
                '\\' => {
                    let escaped = match self.next()? {
                        '"' => '"',
                        '\\' => '\\',
                        '/' => '/',
                        'b' => '\u{8}',
                        'f' => '\u{c}',
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        'u' => {
                            let high = self.hex()?;
                            if (0xDC00..0xE000).contains(&high) {
                                return None;
                            }
                            if (0xD800..0xDC00).contains(&high) {
                                if self.next()? != '\\' || self.next()? != 'u' {
                                    return None;
                                }
                                let low = self.hex()?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return None;
                                }
                                char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))?
                            } else {
                                char::from_u32(high)?
                            }
                        }
                        _ => return None,
                    };
                    out.push(escaped);
                }
                c => out.push(c),
            }
        }
    }
}
