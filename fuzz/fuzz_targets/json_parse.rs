//! The strict JSON parser on arbitrary bytes. A document it accepts must
//! write back (with the core's writing rules) as ASCII text that parses to
//! the same value and writes identically again; and the core's member sink
//! must refuse exactly the documents that name a member twice.
#![no_main]

use ferrojwt::json::parse_object;
use ferrojwt::json::value::{Value, ValueSink};
use ferrojwt::members::MemberSink;
use ferrojwt_fuzz::tree::{has_duplicate, write};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let strict = parse_object(data, &mut MemberSink, "payload");
    let members = match parse_object(data, &mut ValueSink::KeepDuplicates, "payload") {
        Ok(members) => members,
        Err(err) => {
            // What the parser refuses, no sink can make it accept.
            assert!(strict.is_err());
            assert_eq!(err.exception_name(), "DecodeError");
            return;
        }
    };
    let tree = Value::Object(members);
    match (&strict, has_duplicate(&tree)) {
        (Ok(_), false) => {}
        (Err(err), true) => assert!(
            err.to_string().contains("duplicate member name"),
            "refused for another reason: {err}"
        ),
        (Ok(_), true) => panic!("a duplicate member was accepted"),
        (Err(err), false) => panic!("refused without a duplicate: {err}"),
    }
    let mut text = String::new();
    write(&tree, &mut text);
    assert!(text.is_ascii(), "the writer wrote non-ASCII: {text:?}");
    let again = match parse_object(text.as_bytes(), &mut ValueSink::KeepDuplicates, "payload") {
        Ok(members) => Value::Object(members),
        Err(err) => panic!("written text does not parse: {err}: {text:?}"),
    };
    assert_eq!(tree, again, "round trip changed the value: {text:?}");
    let mut twice = String::new();
    write(&again, &mut twice);
    assert_eq!(text, twice);
});
