//! DynamoDB JSON lines, the format of DynamoDB's export to S3 (`DYNAMODB_JSON`): one item per
//! line as `{"Item": {"pk": {"S": "a"}, "n": {"N": "1"}}}`, every value wrapped in its type.
//! Export writes it; import reads it, checking every line's shape so that a malformed file
//! is refused with the line that is wrong before anything is written.

use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::fmt::Write as _;

/// The attribute value types and what each holds.
const TYPES: &str = "S, N, B, BOOL, NULL, M, L, SS, NS, BS";

/// A line that is not a valid item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct LineError {
    /// 1-based line number.
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

/// One item read from a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemLine {
    /// 1-based line number in the file.
    pub line: u64,
    /// The item's JSON (the value of `"Item"`), compact.
    pub item: String,
    /// The item's key attribute values, serialized: equal keys give equal strings.
    pub key: String,
}

/// Appends the export line of `item` (a Scan result item, as raw JSON) to `out`.
pub fn write_line(out: &mut Vec<u8>, item: &RawValue) {
    out.extend_from_slice(b"{\"Item\":");
    out.extend_from_slice(item.get().as_bytes());
    out.extend_from_slice(b"}\n");
}

/// Parses line number `line` of a file. Blank lines give `Ok(None)`.
pub fn parse_line(
    text: &str,
    line: u64,
    key_names: &[String],
) -> Result<Option<ItemLine>, LineError> {
    let fail = |message: String| LineError { line, message };
    if text.trim().is_empty() {
        return Ok(None);
    }
    let value: Value =
        serde_json::from_str(text).map_err(|e| fail(format!("not valid JSON: {e}")))?;
    let Value::Object(mut top) = value else {
        return Err(fail(format!(
            "expected {{\"Item\": {{...}}}}, found {}",
            describe(&value)
        )));
    };
    let item = match top.remove("Item") {
        Some(Value::Object(item)) => item,
        Some(other) => {
            return Err(fail(format!(
                "\"Item\" must be an object of attributes, found {}",
                describe(&other)
            )))
        }
        None => {
            let keys: Vec<&str> = top.keys().map(String::as_str).collect();
            return Err(fail(format!(
                "expected {{\"Item\": {{...}}}}, found an object with keys {keys:?}"
            )));
        }
    };
    if let Some(extra) = top.keys().next() {
        return Err(fail(format!("unexpected key \"{extra}\" beside \"Item\"")));
    }
    if item.is_empty() {
        return Err(fail("the item has no attributes".into()));
    }
    for (name, value) in &item {
        check_value(value, &mut name.clone()).map_err(fail)?;
    }
    let mut key = String::new();
    for name in key_names {
        let Some(Value::Object(v)) = item.get(name) else {
            return Err(fail(format!("the item lacks key attribute '{name}'")));
        };
        if !(v.contains_key("S") || v.contains_key("N") || v.contains_key("B")) {
            return Err(fail(format!(
                "key attribute '{name}' must be of type S, N or B"
            )));
        }
        let _ = write!(key, "{}\u{0}", Value::Object(v.clone()));
    }
    Ok(Some(ItemLine {
        line,
        item: Value::Object(item).to_string(),
        key,
    }))
}

/// Checks one attribute value's shape; `path` names it in the message.
fn check_value(value: &Value, path: &mut String) -> Result<(), String> {
    let Value::Object(map) = value else {
        return Err(format!(
            "attribute '{path}' must be a typed value like {{\"S\": \"text\"}}, found {}",
            describe(value)
        ));
    };
    let mut entries = map.iter();
    let (Some((ty, inner)), None) = (entries.next(), entries.next()) else {
        return Err(format!(
            "attribute '{path}' must have exactly one type key (one of {TYPES}), found {}",
            map.len()
        ));
    };
    let expect = |ok: bool, what: &str| {
        if ok {
            Ok(())
        } else {
            Err(format!(
                "attribute '{path}': \"{ty}\" must be {what}, found {}",
                describe(inner)
            ))
        }
    };
    match ty.as_str() {
        "S" | "N" | "B" => expect(inner.is_string(), "a string"),
        "BOOL" => expect(inner.is_boolean(), "true or false"),
        "NULL" => expect(inner == &Value::Bool(true), "true"),
        "SS" | "NS" | "BS" => expect(
            inner
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_string)),
            "an array of strings",
        ),
        "M" => {
            let Some(members) = inner.as_object() else {
                return expect(false, "an object");
            };
            check_members(members, path)
        }
        "L" => {
            let Some(elements) = inner.as_array() else {
                return expect(false, "an array");
            };
            let len = path.len();
            for (i, element) in elements.iter().enumerate() {
                let _ = write!(path, "[{i}]");
                check_value(element, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        other => Err(format!(
            "attribute '{path}': unknown type \"{other}\" (one of {TYPES})"
        )),
    }
}

fn check_members(members: &Map<String, Value>, path: &mut String) -> Result<(), String> {
    let len = path.len();
    for (name, value) in members {
        path.push('.');
        path.push_str(name);
        check_value(value, path)?;
        path.truncate(len);
    }
    Ok(())
}

fn describe(v: &Value) -> String {
    let kind = match v {
        Value::Null => return "null".into(),
        Value::Bool(b) => return b.to_string(),
        Value::Number(n) => return format!("the number {n}"),
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    kind.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Vec<String> {
        vec!["pk".into(), "sk".into()]
    }

    fn err(text: &str) -> String {
        parse_line(text, 7, &keys()).unwrap_err().to_string()
    }

    #[test]
    fn a_valid_line_gives_the_item_and_its_key() {
        let line = r#"{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"m":{"M":{"l":{"L":[{"NULL":true},{"SS":["x"]}]}}},"b":{"BOOL":false}}}"#;
        let item = parse_line(line, 3, &keys()).unwrap().unwrap();
        assert_eq!(item.line, 3);
        assert!(
            item.item.starts_with(r#"{"pk":{"S":"a"}"#) || item.item.contains(r#""pk":{"S":"a"}"#)
        );
        assert_eq!(item.key, "{\"S\":\"a\"}\u{0}{\"N\":\"1\"}\u{0}");
        assert_eq!(parse_line("   ", 4, &keys()).unwrap(), None);
    }

    #[test]
    fn export_lines_round_trip() {
        let raw = RawValue::from_string(r#"{"pk":{"S":"a"},"sk":{"N":"2"}}"#.into()).unwrap();
        let mut out = Vec::new();
        write_line(&mut out, &raw);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "{\"Item\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"2\"}}}\n"
        );
        assert!(parse_line(text.trim_end(), 1, &keys()).unwrap().is_some());
    }

    #[test]
    fn malformed_lines_are_named_and_explained() {
        assert!(err("{not json").starts_with("line 7: not valid JSON: "));
        assert_eq!(
            err("[1]"),
            "line 7: expected {\"Item\": {...}}, found an array"
        );
        assert_eq!(
            err(r#"{"pk":{"S":"a"}}"#),
            "line 7: expected {\"Item\": {...}}, found an object with keys [\"pk\"]"
        );
        assert_eq!(
            err(r#"{"Item":{"pk":{"S":"a"},"sk":{"N":1}}}"#),
            "line 7: attribute 'sk': \"N\" must be a string, found the number 1"
        );
        assert_eq!(
            err(r#"{"Item":{"pk":{"S":"a"},"sk":{"S":"b"},"x":"plain"}}"#),
            "line 7: attribute 'x' must be a typed value like {\"S\": \"text\"}, found a string"
        );
        assert_eq!(
            err(r#"{"Item":{"pk":{"S":"a"},"sk":{"S":"b"},"m":{"M":{"q":{"Q":"1"}}}}}"#),
            "line 7: attribute 'm.q': unknown type \"Q\" (one of S, N, B, BOOL, NULL, M, L, SS, NS, BS)"
        );
        assert_eq!(
            err(
                r#"{"Item":{"pk":{"S":"a"},"sk":{"S":"b"},"l":{"L":[{"S":"ok"},{"NULL":false}]}}}"#
            ),
            "line 7: attribute 'l[1]': \"NULL\" must be true, found false"
        );
        assert_eq!(
            err(r#"{"Item":{"pk":{"S":"a"}}}"#),
            "line 7: the item lacks key attribute 'sk'"
        );
        assert_eq!(
            err(r#"{"Item":{"pk":{"S":"a"},"sk":{"BOOL":true}}}"#),
            "line 7: key attribute 'sk' must be of type S, N or B"
        );
        assert_eq!(
            err(r#"{"Item":{"pk":{"S":"a","N":"1"},"sk":{"S":"b"}}}"#),
            "line 7: attribute 'pk' must have exactly one type key (one of S, N, B, BOOL, NULL, M, L, SS, NS, BS), found 2"
        );
        assert_eq!(
            err(r#"{"Item":{"pk":{"S":"a"},"sk":{"S":"b"}},"Extra":1}"#),
            "line 7: unexpected key \"Extra\" beside \"Item\""
        );
        assert_eq!(err(r#"{"Item":{}}"#), "line 7: the item has no attributes");
    }
}
