//! DynamoDB's value rules for items and keys, with its ValidationException texts word for word.
//!
//! Shape errors (an empty AttributeValue, bad numbers, bad base64) are caught while
//! deserializing (`attribute_value`); the rules here need the whole value (sets, nesting) or the
//! table's key schema. The texts were captured from DynamoDB by dynalite's test suite
//! (`test/putItem.js`, `test/getItem.js`, …), including DynamoDB's odd spacing ("An number set
//! may not be empty" has two spaces, "…]of type BS" none).

use super::attribute_value::b64_encode;
use super::item::{item_size, MAX_ITEM_SIZE};
use super::table::{KeyAttribute, KeySchema, ScalarType};
use super::{AttributeValue, Item};
use crate::error::ApiError;
use std::collections::HashSet;

/// Prefix DynamoDB puts on most value-rule failures.
const INVALID: &str = "One or more parameter values were invalid: ";

/// Largest partition key value, in bytes.
pub const MAX_HASH_KEY_SIZE: usize = 2048;

/// Largest sort key value, in bytes.
pub const MAX_RANGE_KEY_SIZE: usize = 1024;

/// Deepest nesting DynamoDB stores: a top-level attribute is level 1, its map or list members
/// level 2, and so on.
pub const MAX_NESTING_DEPTH: usize = 32;

/// Checks every value of an item (or a key) against DynamoDB's value rules, nested maps and
/// lists included.
pub fn item_values(item: &Item) -> Result<(), ApiError> {
    if let Some(problem) = item.keys().find_map(|name| attribute_name_problem(name)) {
        return Err(invalid(&problem));
    }
    item.values().try_for_each(attribute_value)
}

/// What is wrong with a top-level attribute name, if anything: DynamoDB refuses empty names and
/// names over [`MAX_ATTRIBUTE_NAME_SIZE`] bytes wherever a name appears (items, expression
/// attribute names, AttributesToGet, AttributeUpdates).
pub fn attribute_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        Some("Empty attribute name".to_string())
    } else if name.len() > MAX_ATTRIBUTE_NAME_SIZE {
        Some(format!(
            "Attribute name is too large, must be less than {} bytes",
            MAX_ATTRIBUTE_NAME_SIZE + 1
        ))
    } else {
        None
    }
}

/// [`attribute_name_problem`] as DynamoDB's ValidationException.
pub fn attribute_name(name: &str) -> Result<(), ApiError> {
    attribute_name_problem(name).map_or(Ok(()), |p| Err(invalid(&p)))
}

/// Longest attribute name, in bytes (DynamoDB documents 64 KB; 65535 is the last it accepts).
pub const MAX_ATTRIBUTE_NAME_SIZE: usize = 65535;

/// Checks one top-level value: NULL must be true; sets are non-empty with distinct members;
/// maps and lists are checked element by element, at most `MAX_NESTING_DEPTH` levels deep.
pub fn attribute_value(v: &AttributeValue) -> Result<(), ApiError> {
    value_at(v, 1)
}

fn value_at(v: &AttributeValue, depth: usize) -> Result<(), ApiError> {
    if depth > MAX_NESTING_DEPTH {
        return Err(ApiError::validation(
            "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit",
        ));
    }
    match v {
        AttributeValue::Null(false) => Err(invalid(
            "Null attribute value types must have the value of true",
        )),
        AttributeValue::SS(set) if set.is_empty() => {
            Err(invalid("An string set  may not be empty"))
        }
        AttributeValue::NS(set) if set.is_empty() => {
            Err(invalid("An number set  may not be empty"))
        }
        AttributeValue::BS(set) if set.is_empty() => {
            Err(invalid("Binary sets should not be empty"))
        }
        AttributeValue::SS(set) if has_duplicates(set) => Err(invalid(&format!(
            "Input collection [{}] contains duplicates.",
            set.join(", ")
        ))),
        // Numbers are normalized, so equal values have equal text.
        AttributeValue::NS(set) if has_duplicates(set.iter().map(|n| n.as_str())) => {
            Err(ApiError::validation("Input collection contains duplicates"))
        }
        AttributeValue::BS(set) if has_duplicates(set) => {
            let shown: Vec<String> = set.iter().map(|b| b64_encode(b)).collect();
            Err(invalid(&format!(
                "Input collection [{}]of type BS contains duplicates.",
                shown.join(", ")
            )))
        }
        AttributeValue::M(map) => map.values().try_for_each(|m| value_at(m, depth + 1)),
        AttributeValue::L(list) => list.iter().try_for_each(|m| value_at(m, depth + 1)),
        _ => Ok(()),
    }
}

/// Refuses an item larger than 400 KB (DynamoDB's sizing rules, `item::item_size`).
pub fn item_size_limit(item: &Item) -> Result<(), ApiError> {
    if item_size(item) > MAX_ITEM_SIZE {
        return Err(ApiError::validation(
            "Item size has exceeded the maximum allowed size",
        ));
    }
    Ok(())
}

/// The first key attribute of `item` whose type is not the declared one, as [`item_key`]
/// words it; missing attributes are not this check's business.
pub fn item_key_types(schema: &KeySchema, item: &Item) -> Result<(), ApiError> {
    for (attr, _) in key_parts(schema) {
        if let Some(value) = item.get(&attr.name) {
            if !has_type(value, attr.attr_type) {
                return Err(invalid(&format!(
                    "Type mismatch for key {} expected: {} actual: {}",
                    attr.name,
                    attr.attr_type.as_str(),
                    value.type_name()
                )));
            }
        }
    }
    Ok(())
}

/// Checks that an item to write carries the table's key attributes with their declared types,
/// non-empty and within the key size limits (PutItem's rules and texts).
pub fn item_key(schema: &KeySchema, item: &Item) -> Result<(), ApiError> {
    for (attr, is_hash) in key_parts(schema) {
        let Some(value) = item.get(&attr.name) else {
            return Err(invalid(&format!(
                "Missing the key {} in the item",
                attr.name
            )));
        };
        if !has_type(value, attr.attr_type) {
            return Err(invalid(&format!(
                "Type mismatch for key {} expected: {} actual: {}",
                attr.name,
                attr.attr_type.as_str(),
                value.type_name()
            )));
        }
        if let Some(kind) = empty_kind(value) {
            // PutItem words this one differently from the Key checks below.
            return Err(ApiError::validation(format!(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty {kind} value. Key: {}",
                attr.name
            )));
        }
        key_size(value, is_hash)?;
    }
    Ok(())
}

/// Checks a `Key` parameter (GetItem, DeleteItem): exactly the table's key attributes, with
/// their declared types, non-empty and within the key size limits.
pub fn key(schema: &KeySchema, key: &Item) -> Result<(), ApiError> {
    let mismatch = || ApiError::validation("The provided key element does not match the schema");
    if key.len() != schema.attributes().count() {
        return Err(mismatch());
    }
    for (attr, is_hash) in key_parts(schema) {
        let value = key.get(&attr.name).ok_or_else(mismatch)?;
        if !has_type(value, attr.attr_type) {
            return Err(mismatch());
        }
        if let Some(kind) = empty_kind(value) {
            return Err(invalid(&format!(
                "The AttributeValue for a key attribute cannot contain an empty {kind} value. Key: {}",
                attr.name
            )));
        }
        key_size(value, is_hash)?;
    }
    Ok(())
}

fn invalid(detail: &str) -> ApiError {
    ApiError::validation(format!("{INVALID}{detail}"))
}

fn has_duplicates<T: std::hash::Hash + Eq>(items: impl IntoIterator<Item = T>) -> bool {
    let mut seen = HashSet::new();
    items.into_iter().any(|x| !seen.insert(x))
}

/// The key attributes with whether each is the partition (hash) key.
fn key_parts(schema: &KeySchema) -> impl Iterator<Item = (&KeyAttribute, bool)> {
    std::iter::once((&schema.hash, true)).chain(schema.range.iter().map(|r| (r, false)))
}

fn has_type(value: &AttributeValue, t: ScalarType) -> bool {
    matches!(
        (value, t),
        (AttributeValue::S(_), ScalarType::S)
            | (AttributeValue::N(_), ScalarType::N)
            | (AttributeValue::B(_), ScalarType::B)
    )
}

/// `Some("string")` / `Some("binary")` for an empty S / B value.
fn empty_kind(value: &AttributeValue) -> Option<&'static str> {
    match value {
        AttributeValue::S(s) if s.is_empty() => Some("string"),
        AttributeValue::B(b) if b.is_empty() => Some("binary"),
        _ => None,
    }
}

fn key_size(value: &AttributeValue, is_hash: bool) -> Result<(), ApiError> {
    let size = match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::B(b) => b.len(),
        // Numbers are bounded by their 38 digits; DynamoDB does not size-check them here.
        _ => return Ok(()),
    };
    if is_hash && size > MAX_HASH_KEY_SIZE {
        return Err(invalid(
            "Size of hashkey has exceeded the maximum size limit of2048 bytes",
        ));
    }
    if !is_hash && size > MAX_RANGE_KEY_SIZE {
        return Err(invalid(
            "Aggregated size of all range keys has exceeded the size limit of 1024 bytes",
        ));
    }
    Ok(())
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
