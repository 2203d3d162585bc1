//! What the multi-item operations (BatchGetItem, BatchWriteItem, TransactGetItems,
//! TransactWriteItems) share: DynamoDB's texts for their common failures, item sizes of stored
//! items, and the per-table projection of the read operations.

use crate::error::{ApiError, StoreError};
use crate::expr::{legacy, Projection};
use crate::model::item::item_size;
use crate::ops::request::expression_params::{self, Expressions, Names};
use crate::traits::StoredItem;

/// A batch naming one item twice.
pub const DUPLICATE_KEYS: &str = "Provided list of item keys contains duplicates";

/// A transaction naming one item twice.
pub const MULTIPLE_OPERATIONS: &str =
    "Transaction request cannot include multiple operations on one item";

/// The DynamoDB size of a stored item (`None` when absent).
pub fn stored_size(stored: Option<&StoredItem>) -> Result<Option<usize>, StoreError> {
    stored
        .map(|s| s.decode().map(|i| item_size(&i)))
        .transpose()
}

/// The size of a stored item as far as capacity units of `unit_bytes` (4,096 for reads, 1,024
/// for writes) can tell: a stored form (DynamoDB JSON, never shorter than DynamoDB's item size)
/// that fits in one unit costs one unit, so its length serves without decoding the item;
/// larger items are decoded and measured exactly.
pub fn size_for_units(
    stored: Option<&StoredItem>,
    unit_bytes: usize,
) -> Result<Option<usize>, StoreError> {
    match stored {
        Some(s) if s.as_bytes().len() <= unit_bytes => Ok(Some(s.as_bytes().len())),
        other => stored_size(other),
    }
}

/// The projection of one table's reads: ProjectionExpression (with its names) or the legacy
/// AttributesToGet, never both, with GetItem's texts.
pub fn projection(
    projection_expression: Option<&str>,
    names: Option<&Names>,
    attributes_to_get: Option<&[String]>,
) -> Result<Option<Projection>, ApiError> {
    expression_params::check_usage(
        &[("ProjectionExpression", projection_expression.is_some())],
        &[("AttributesToGet", attributes_to_get.is_some())],
        names.is_some(),
        false,
    )?;
    let legacy = attributes_to_get
        .map(legacy::attributes_to_get)
        .transpose()?;
    let mut exprs = Expressions::new(names, None)?;
    let projection = exprs.projection(projection_expression)?;
    exprs.finish()?;
    Ok(projection.or(legacy))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Item;

    #[test]
    fn projection_rules() {
        assert_eq!(projection(None, None, None), Ok(None));
        assert_eq!(
            projection(Some("a"), None, Some(&["b".to_string()]))
                .unwrap_err()
                .to_string(),
            "Can not use both expression and non-expression parameters in the same request: \
             Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"
        );
        let names: Names = [("#x".to_string(), "x".to_string())].into();
        assert_eq!(
            projection(Some("a"), Some(&names), None)
                .unwrap_err()
                .to_string(),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}"
        );
        let p = projection(Some("#x"), Some(&names), None).unwrap().unwrap();
        let item: Item = serde_json::from_str(r#"{"x":{"S":"1"},"y":{"S":"2"}}"#).unwrap();
        assert_eq!(p.apply(&item).len(), 1);
        assert_eq!(
            stored_size(Some(&StoredItem::encode(&item))).unwrap(),
            Some(4)
        );
        assert_eq!(stored_size(None).unwrap(), None);
    }
}
