//! JSON parsers side by side on JWT-sized documents: the core's own parser
//! (`ferrojwt::json`), jiter (pydantic's parser; its lazy `Jiter` iterator) and
//! serde_json (through a `Deserialize` visitor). Each builds the same owned
//! tree (`ferrojwt::json::value::Value`), refuses duplicate member names and
//! bounds nesting at 64, so each does the work the core's decoder needs. (An
//! integer past `i64`, which none of the documents holds, the core keeps as
//! its digits, serde_json makes a float and jiter, without its `num-bigint`
//! feature, refuses.) Rounds are interleaved, the minimum kept.
//!
//!     cargo bench --bench json_parsers
//!
//! The decision it informs is recorded in `src/json/mod.rs`.

use std::fmt;
use std::hint::black_box;
use std::time::Instant;

use ferrojwt::json::value::{insert_new, Value, ValueSink};
use ferrojwt::json::{parse_object, MAX_DEPTH};
use jiter::{Jiter, NumberAny, NumberInt, Peek};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

/// The tree every parser builds: the core's plain JSON value.
type Tree = Value;

// --- the core's parser -------------------------------------------------------------

fn ours(data: &[u8]) -> Option<Tree> {
    parse_object(data, &mut ValueSink::Strict, "payload")
        .ok()
        .map(Tree::Object)
}

// --- jiter -------------------------------------------------------------------------

fn jiter_value(jiter: &mut Jiter<'_>, peek: Peek, depth: usize) -> Option<Tree> {
    Some(match peek {
        Peek::Null => {
            jiter.known_null().ok()?;
            Tree::Null
        }
        Peek::True | Peek::False => Tree::Bool(jiter.known_bool(peek).ok()?),
        Peek::String => Tree::Str(jiter.known_str().ok()?.to_string()),
        Peek::Array => {
            if depth >= MAX_DEPTH {
                return None;
            }
            let mut items = Vec::new();
            let mut next = jiter.known_array().ok()?;
            while let Some(peek) = next {
                items.push(jiter_value(jiter, peek, depth + 1)?);
                next = jiter.array_step().ok()?;
            }
            Tree::Array(items)
        }
        Peek::Object => jiter_object(jiter, depth)?,
        _ => match jiter.known_number(peek).ok()? {
            NumberAny::Int(NumberInt::Int(int)) => Tree::Int(int),
            NumberAny::Float(float) => Tree::Float(float),
        },
    })
}

fn jiter_object(jiter: &mut Jiter<'_>, depth: usize) -> Option<Tree> {
    if depth >= MAX_DEPTH {
        return None;
    }
    let mut members = Vec::new();
    let mut key = jiter.known_object().ok()?.map(str::to_string);
    while let Some(name) = key {
        let peek = jiter.peek().ok()?;
        let value = jiter_value(jiter, peek, depth + 1)?;
        if !insert_new(&mut members, &name, value) {
            return None;
        }
        key = jiter.next_key().ok()?.map(str::to_string);
    }
    Some(Tree::Object(members))
}

fn jiter_parse(data: &[u8]) -> Option<Tree> {
    let mut jiter = Jiter::new(data).with_allow_inf_nan();
    if jiter.peek().ok()? != Peek::Object {
        return None;
    }
    let tree = jiter_object(&mut jiter, 0)?;
    jiter.finish().ok()?;
    Some(tree)
}

// --- serde_json --------------------------------------------------------------------

struct Depth(usize);

impl<'de> DeserializeSeed<'de> for Depth {
    type Value = Tree;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Tree, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Depth {
    type Value = Tree;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Tree, E> {
        Ok(Tree::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Tree, E> {
        Ok(Tree::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Tree, E> {
        Ok(i64::try_from(v).map_or(Tree::Float(v as f64), Tree::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Tree, E> {
        Ok(Tree::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Tree, E> {
        Ok(Tree::Str(v.to_string()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
        if self.0 >= MAX_DEPTH {
            return Err(de::Error::custom("too deep"));
        }
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Depth(self.0 + 1))? {
            items.push(item);
        }
        Ok(Tree::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
        if self.0 >= MAX_DEPTH {
            return Err(de::Error::custom("too deep"));
        }
        let mut members = Vec::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let value = map.next_value_seed(Depth(self.0 + 1))?;
            if !insert_new(&mut members, &key, value) {
                return Err(de::Error::custom("duplicate member"));
            }
        }
        Ok(Tree::Object(members))
    }
}

fn serde_parse(data: &[u8]) -> Option<Tree> {
    let mut de = serde_json::Deserializer::from_slice(data);
    let tree = Depth(0).deserialize(&mut de).ok()?;
    de.end().ok()?;
    matches!(tree, Tree::Object(_)).then_some(tree)
}

// --- the run -----------------------------------------------------------------------

type Parser = fn(&[u8]) -> Option<Tree>;

fn main() {
    let header = br#"{"alg":"HS256","typ":"JWT"}"#.to_vec();
    let access = br#"{"token_type":"access","exp":1764633600,"iat":1764633300,"jti":"6f1c0a9e8b7d4c3a9f2e1d0c8b7a6958","user_id":"42"}"#.to_vec();
    let mut large = String::from("{");
    for i in 0..30 {
        if i > 0 {
            large.push(',');
        }
        match i % 5 {
            0 => large.push_str(&format!("\"claim_{i}\":\"value number {i} \\u00e9\\n\"")),
            1 => large.push_str(&format!("\"claim_{i}\":{}", 1_700_000_000 + i)),
            2 => large.push_str(&format!("\"claim_{i}\":[\"a\",\"b\",{i},true,null]")),
            3 => large.push_str(&format!("\"claim_{i}\":{{\"nested\":{i}.5,\"ok\":false}}")),
            _ => large.push_str(&format!("\"claim_{i}\":\"{}\"", "x".repeat(24))),
        }
    }
    large.push('}');
    let documents: [(&str, &[u8]); 3] = [
        ("header (27 B)", &header),
        ("access payload, 5 claims", &access),
        ("30 members, nested", large.as_bytes()),
    ];
    let parsers: [(&str, Parser); 3] = [
        ("ferrojwt::json", ours),
        ("jiter 0.19 (Jiter)", jiter_parse),
        ("serde_json (visitor)", serde_parse),
    ];
    // The parsers agree, and each refuses a duplicate member and deep nesting.
    let deep = format!("{{\"a\":{}1{}}}", "[".repeat(70), "]".repeat(70));
    for (name, parse) in parsers {
        for (_, doc) in documents {
            assert_eq!(parse(doc), ours(doc), "{name}");
            assert!(parse(doc).is_some(), "{name}");
        }
        assert!(
            parse(br#"{"exp":1,"exp":2}"#).is_none(),
            "{name}: duplicate"
        );
        assert!(parse(deep.as_bytes()).is_none(), "{name}: nesting");
    }
    let rounds = 40;
    println!("ns per document, minimum of {rounds} interleaved rounds (median in parentheses)");
    for (what, doc) in documents {
        let iterations = 2_000_000 / doc.len().max(64);
        let mut samples = vec![Vec::new(); parsers.len()];
        for _ in 0..rounds {
            for (i, (_, parse)) in parsers.iter().enumerate() {
                let start = Instant::now();
                for _ in 0..iterations {
                    black_box(parse(black_box(doc)));
                }
                samples[i].push(start.elapsed().as_nanos() as f64 / iterations as f64);
            }
        }
        println!("{what}:");
        for (i, (name, _)) in parsers.iter().enumerate() {
            let s = &mut samples[i];
            s.sort_by(f64::total_cmp);
            println!("  {name:<22} {:>8.1} ({:.1})", s[0], s[s.len() / 2]);
        }
    }
}
