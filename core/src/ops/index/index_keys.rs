//! Secondary-index entries: which items an index holds, under which key, carrying what.
//!
//! An entry's storage key (under the index's own storage id) is
//! `composite_partition_prefix(index partition values) ‖ enc(sort values…) ‖ base item key`:
//! the leading part sorts entries in index order (and starts with a 2-byte partition hash, so
//! parallel-scan segments work unchanged), the trailing base key keeps entries of items with
//! equal index keys distinct. The entry's value is the item reduced to the index projection.
//! Items lacking any index key attribute have no entry (sparse indexes).

use crate::error::ApiError;
use crate::model::key_encoding::{composite_partition_prefix, encode_value};
use crate::model::table::{ProjectionType, SecondaryIndex, TableDefinition};
use crate::model::validate::{MAX_HASH_KEY_SIZE, MAX_RANGE_KEY_SIZE};
use crate::model::{AttributeValue, Item};

/// The index key values of `item` (partition ones, then sort ones), or `None` when the item
/// lacks one of them and so has no entry. A value of the wrong type, or an empty string or
/// binary, is refused with DynamoDB's messages.
pub fn key_values<'a>(
    index: &SecondaryIndex,
    item: &'a Item,
) -> Result<Option<Vec<&'a AttributeValue>>, ApiError> {
    let mut out = Vec::with_capacity(index.hash.len() + index.range.len());
    let mut complete = true;
    for (position, attr) in index.key_attributes().enumerate() {
        let Some(v) = item.get(&attr.name) else {
            complete = false;
            continue;
        };
        if v.type_name() != attr.attr_type.as_str() {
            return Err(ApiError::validation(format!(
                "One or more parameter values were invalid: Type mismatch for Index Key {} Expected: {} Actual: {} IndexName: {}",
                attr.name,
                attr.attr_type.as_str(),
                v.type_name(),
                index.name
            )));
        }
        let empty = match v {
            AttributeValue::S(s) => s.is_empty(),
            AttributeValue::B(b) => b.is_empty(),
            _ => false,
        };
        if empty {
            return Err(ApiError::validation(format!(
                "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty {} value. IndexName: {}, IndexKey: {}",
                if matches!(v, AttributeValue::S(_)) { "string" } else { "binary" },
                index.name,
                attr.name
            )));
        }
        let max = if position < index.hash.len() {
            MAX_HASH_KEY_SIZE
        } else {
            MAX_RANGE_KEY_SIZE
        };
        let size = match v {
            AttributeValue::S(s) => s.len(),
            AttributeValue::B(b) => b.len(),
            _ => 0,
        };
        if size > max {
            return Err(ApiError::validation(format!(
                "One or more parameter values were invalid: Size limit exceeded for Index Key {} Actual Size: {size} bytes Max Size: {max} bytes IndexName: {}",
                attr.name, index.name
            )));
        }
        out.push(v);
    }
    Ok(complete.then_some(out))
}

/// The entry key for index key `values` (as `key_values` returns them) and the base item's
/// encoded primary key.
pub fn entry_key(index: &SecondaryIndex, values: &[&AttributeValue], base_key: &[u8]) -> Vec<u8> {
    let split = index.hash.len().min(values.len());
    let mut key = composite_partition_prefix(&values[..split]);
    for v in &values[split..] {
        encode_value(v, &mut key);
    }
    key.extend_from_slice(base_key);
    key
}

/// Whether an attribute (top-level name) is in the index's projection.
pub fn projects(def: &TableDefinition, index: &SecondaryIndex, name: &str) -> bool {
    index.projection == ProjectionType::All
        || def.key_schema.attributes().any(|k| k.name == name)
        || index.key_attributes().any(|k| k.name == name)
        || (index.projection == ProjectionType::Include
            && index.non_key_attributes.iter().any(|n| n == name))
}

/// `item` reduced to the index's projection.
pub fn project(def: &TableDefinition, index: &SecondaryIndex, item: &Item) -> Item {
    if index.projection == ProjectionType::All {
        return item.clone();
    }
    item.iter()
        .filter(|(name, _)| projects(def, index, name))
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect()
}

/// The entry `item` has in `index`: its key and projected value, or `None` (sparse).
pub fn entry(
    def: &TableDefinition,
    index: &SecondaryIndex,
    base_key: &[u8],
    item: &Item,
) -> Result<Option<(Vec<u8>, Item)>, ApiError> {
    Ok(key_values(index, item)?.map(|values| {
        (
            entry_key(index, &values, base_key),
            project(def, index, item),
        )
    }))
}

#[cfg(test)]
#[path = "index_keys_tests.rs"]
mod tests;
