//! What the fuzz targets do with the core's plain JSON value
//! (`ferrojwt::json::value`, parsed with `ValueSink::KeepDuplicates` so that
//! duplicates survive to be counted): find a duplicate member, and write the
//! value back with the core's writing rules (`ferrojwt::json::write`).

use ferrojwt::json::value::Value;
use ferrojwt::json::write;

/// Whether any object in the value names a member twice.
pub fn has_duplicate(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.iter().any(has_duplicate),
        Value::Object(members) => {
            members
                .iter()
                .enumerate()
                .any(|(i, (k, _))| members[..i].iter().any(|(seen, _)| seen == k))
                || members.iter().any(|(_, v)| has_duplicate(v))
        }
        _ => false,
    }
}

/// Writes the value as `json.dumps(..., separators=(",", ":"))` would.
pub fn write(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => write::int(out, *i),
        Value::BigInt(digits) => out.push_str(digits),
        Value::Float(f) => write::float(out, *f),
        Value::Str(s) => write::string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, (key, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write::string(out, key);
                out.push(':');
                write(value, out);
            }
            out.push('}');
        }
    }
}
