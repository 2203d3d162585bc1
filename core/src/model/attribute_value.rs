//! `AttributeValue` in DynamoDB JSON (`{"S":"x"}`, `{"N":"1"}`, `{"B":"<base64>"}`, …).
//!
//! Deserialization checks the JSON shape only (a wrong shape is a SerializationException, as in
//! DynamoDB); `validate` then applies DynamoDB's value rules with their ValidationException texts.

use super::number::{Number, NumberError};
use super::Item;
use base64::Engine;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// One DynamoDB attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeValue {
    /// String.
    S(String),
    /// Number (exact, normalized once validated).
    N(Number),
    /// Binary.
    B(Vec<u8>),
    /// String set (non-empty, distinct members once validated).
    SS(Vec<String>),
    /// Number set.
    NS(Vec<Number>),
    /// Binary set.
    BS(Vec<Vec<u8>>),
    /// Map.
    M(Item),
    /// List.
    L(Vec<AttributeValue>),
    /// Null (always `true` on the wire).
    Null(bool),
    /// Boolean.
    Bool(bool),
}

impl AttributeValue {
    /// DynamoDB's one- or two-letter type descriptor (`S`, `N`, `B`, `SS`, … `NULL`, `BOOL`).
    pub fn type_name(&self) -> &'static str {
        match self {
            AttributeValue::S(_) => "S",
            AttributeValue::N(_) => "N",
            AttributeValue::B(_) => "B",
            AttributeValue::SS(_) => "SS",
            AttributeValue::NS(_) => "NS",
            AttributeValue::BS(_) => "BS",
            AttributeValue::M(_) => "M",
            AttributeValue::L(_) => "L",
            AttributeValue::Null(_) => "NULL",
            AttributeValue::Bool(_) => "BOOL",
        }
    }
}

pub(crate) fn b64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

impl Serialize for AttributeValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        match self {
            AttributeValue::S(s) => map.serialize_entry("S", s)?,
            AttributeValue::N(n) => map.serialize_entry("N", n.as_str())?,
            AttributeValue::B(b) => map.serialize_entry("B", &b64_encode(b))?,
            AttributeValue::SS(v) => map.serialize_entry("SS", v)?,
            AttributeValue::NS(v) => {
                let v: Vec<&str> = v.iter().map(|n| n.as_str()).collect();
                map.serialize_entry("NS", &v)?
            }
            AttributeValue::BS(v) => {
                let v: Vec<String> = v.iter().map(|b| b64_encode(b)).collect();
                map.serialize_entry("BS", &v)?
            }
            AttributeValue::M(m) => map.serialize_entry("M", m)?,
            AttributeValue::L(l) => map.serialize_entry("L", l)?,
            AttributeValue::Null(b) => map.serialize_entry("NULL", b)?,
            AttributeValue::Bool(b) => map.serialize_entry("BOOL", b)?,
        }
        map.end()
    }
}

/// Prefix that marks a deserialization error as a ValidationException rather than a
/// SerializationException; `ops::protocol` strips it when mapping serde errors.
pub const VALIDATION_MARK: &str = "\u{1}VALIDATION\u{1}";

fn validation_err<E: de::Error>(msg: &str) -> E {
    E::custom(format!("{VALIDATION_MARK}{msg}"))
}

fn parse_number<E: de::Error>(s: &str) -> Result<Number, E> {
    Number::parse(s).map_err(|e| match e {
        // DynamoDB names the offending text, except when it is empty.
        NumberError::NotNumeric if !s.is_empty() => {
            validation_err(&format!("{}: {s}", e.message()))
        }
        _ => validation_err(e.message()),
    })
}

/// Decodes base64 binary; failures are SerializationExceptions with DynamoDB's texts.
fn parse_binary<E: de::Error>(s: &str) -> Result<Vec<u8>, E> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|_| E::custom(binary_error(s)))
}

fn binary_error(s: &str) -> String {
    let detail = if !s.len().is_multiple_of(4) {
        format!(
            "Base64 encoded length is expected a multiple of 4 bytes but found: {}",
            s.len()
        )
    } else if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')))
    {
        format!("Invalid Base64 character: '{c}'")
    } else {
        // DynamoDB's own spelling.
        "Invalid last non-pad Base64 character dectected".to_string()
    };
    format!("'{s}' can not be converted to a Blob: {detail}")
}

struct AvVisitor;

impl<'de> Visitor<'de> for AvVisitor {
    type Value = AttributeValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an AttributeValue object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AttributeValue, A::Error> {
        let mut found: Option<AttributeValue> = None;
        let mut count = 0usize;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let v = match key.as_ref() {
                "S" => map.next_value::<Option<String>>()?.map(AttributeValue::S),
                "N" => match map.next_value::<Option<String>>()? {
                    Some(s) => Some(AttributeValue::N(parse_number(&s)?)),
                    None => None,
                },
                "B" => match map.next_value::<Option<String>>()? {
                    Some(s) => Some(AttributeValue::B(parse_binary(&s)?)),
                    None => None,
                },
                "SS" => map
                    .next_value::<Option<Vec<String>>>()?
                    .map(AttributeValue::SS),
                "NS" => match map.next_value::<Option<Vec<String>>>()? {
                    Some(v) => Some(AttributeValue::NS(
                        v.iter()
                            .map(|s| parse_number(s))
                            .collect::<Result<_, _>>()?,
                    )),
                    None => None,
                },
                "BS" => match map.next_value::<Option<Vec<String>>>()? {
                    Some(v) => Some(AttributeValue::BS(
                        v.iter()
                            .map(|s| parse_binary(s))
                            .collect::<Result<_, _>>()?,
                    )),
                    None => None,
                },
                "M" => map.next_value::<Option<Item>>()?.map(AttributeValue::M),
                "L" => map
                    .next_value::<Option<Vec<AttributeValue>>>()?
                    .map(AttributeValue::L),
                "NULL" => map.next_value::<Option<bool>>()?.map(AttributeValue::Null),
                "BOOL" => map.next_value::<Option<bool>>()?.map(AttributeValue::Bool),
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                    None
                }
            };
            if let Some(v) = v {
                count += 1;
                found = Some(v);
            }
        }
        match (count, found) {
            (1, Some(v)) => Ok(v),
            (0, _) => Err(validation_err(
                "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
            )),
            _ => Err(validation_err(
                "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
            )),
        }
    }
}

impl<'de> Deserialize<'de> for AttributeValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(AvVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_type() {
        let json = r#"{"a":{"S":"x"},"b":{"N":"1.50"},"c":{"B":"AAE="},"d":{"SS":["a","b"]},"e":{"NS":["1","2"]},"f":{"BS":["AA=="]},"g":{"M":{"x":{"BOOL":true}}},"h":{"L":[{"NULL":true}]}}"#;
        let item: Item = serde_json::from_str(json).unwrap();
        assert_eq!(item["b"], AttributeValue::N(Number::parse("1.5").unwrap()));
        assert_eq!(item["c"], AttributeValue::B(vec![0, 1]));
        let back: Item = serde_json::from_str(&serde_json::to_string(&item).unwrap()).unwrap();
        assert_eq!(back, item);
    }

    fn validation_text(json: &str) -> String {
        let err = serde_json::from_str::<AttributeValue>(json)
            .unwrap_err()
            .to_string();
        let rest = err
            .strip_prefix(VALIDATION_MARK)
            .unwrap_or_else(|| panic!("{err}"));
        rest.rsplit_once(" at line ")
            .map_or(rest, |(m, _)| m)
            .to_string()
    }

    #[test]
    fn number_messages_match_dynamodb() {
        assert_eq!(
            validation_text(r#"{"N":"b"}"#),
            "The parameter cannot be converted to a numeric value: b"
        );
        assert_eq!(
            validation_text(r#"{"N":""}"#),
            "The parameter cannot be converted to a numeric value"
        );
        assert_eq!(
            validation_text(r#"{"NS":["1","b","a"]}"#),
            "The parameter cannot be converted to a numeric value: b"
        );
        assert_eq!(
            validation_text(r#"{"N":"-1e126"}"#),
            "Number overflow. Attempting to store a number with magnitude larger than supported range"
        );
        assert_eq!(
            validation_text(r#"{"N":"-1e-131"}"#),
            "Number underflow. Attempting to store a number with magnitude smaller than supported range"
        );
        assert_eq!(
            validation_text(r#"{"N":"-1.23456789012345678901234567890123456789"}"#),
            "Attempting to store more than 38 significant digits in a Number"
        );
    }

    #[test]
    fn binary_messages_match_dynamodb() {
        let err = serde_json::from_str::<AttributeValue>(r#"{"B":"abc"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3"),
            "{err}"
        );
        let err = serde_json::from_str::<AttributeValue>(r#"{"B":"ab!d"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("'ab!d' can not be converted to a Blob: Invalid Base64 character: '!'"),
            "{err}"
        );
        let err = serde_json::from_str::<AttributeValue>(r#"{"B":"YR=="}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("'YR==' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"),
            "{err}"
        );
    }

    #[test]
    fn empty_attribute_value_is_validation_error() {
        let err = serde_json::from_str::<AttributeValue>("{}")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(VALIDATION_MARK), "{err}");
    }
}
