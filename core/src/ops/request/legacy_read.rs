//! Query's and Scan's legacy parameters — KeyConditions, QueryFilter, ScanFilter,
//! ConditionalOperator, AttributesToGet — turned into what the expression parameters yield: a
//! [`KeyCondition`], a filter [`Condition`], a [`Projection`].
//!
//! Messages and their order as DynamoDB answers, learned from dynalite's query/scan tests
//! (recorded against DynamoDB) and ScyllaDB alternator's test_key_conditions.py /
//! test_query_filter.py: each map's operands are checked before the table is read
//! ("Invalid number of argument(s) for the EQ ComparisonOperator", …), KeyConditions must hold
//! one or two entries, then against the key schema in key order: "Query key condition not
//! supported", "Query condition missed key schema element: pk", "Attempted conditional
//! constraint is not an indexable operation", "Condition parameter type does not match schema
//! type".

use crate::error::ApiError;
use crate::expr::legacy::{self, LegacyCondition};
use crate::expr::{CompositeKeyCondition, Condition, KeyCondition, Projection, SortKeyPredicate};
use crate::model::table::{KeyAttribute, KeySchema, SecondaryIndex};
use crate::model::AttributeValue;
use std::collections::BTreeMap;

/// KeyConditions, QueryFilter or ScanFilter as a request carries them (attribute-name order).
pub type Conditions = BTreeMap<String, LegacyCondition>;

fn operator(cond: &LegacyCondition) -> &str {
    // A missing operator was refused as a constraint error before any conversion.
    cond.comparison_operator.as_deref().unwrap_or_default()
}

fn operands(cond: &LegacyCondition) -> &[AttributeValue] {
    cond.attribute_value_list.as_deref().unwrap_or_default()
}

/// Each entry converted with DynamoDB's operand checks.
fn convert(map: &Conditions) -> Result<Vec<Condition>, ApiError> {
    map.iter()
        .map(|(name, cond)| legacy::condition(name, operator(cond), operands(cond)))
        .collect()
}

/// QueryFilter / ScanFilter joined by ConditionalOperator (AND when absent): the filter it
/// stands for, `None` when absent or empty. Also applies ConditionalOperator's need for a map
/// of two or more conditions.
pub fn filter(
    map: Option<&Conditions>,
    conditional_operator: Option<&str>,
) -> Result<Option<Condition>, ApiError> {
    let conditions = map.map(convert).transpose()?.unwrap_or_default();
    legacy::check_conditional_operator(conditional_operator, map.map(|m| m.len()))?;
    Ok(legacy::combine(conditions, conditional_operator))
}

/// AttributesToGet as a projection (duplicates refused).
pub fn projection(names: Option<&[String]>) -> Result<Option<Projection>, ApiError> {
    names.map(legacy::attributes_to_get).transpose()
}

/// The checks of KeyConditions that need no table: each entry's operands, then one or two
/// entries.
pub fn check_key_conditions(map: &Conditions) -> Result<(), ApiError> {
    convert(map)?;
    if map.is_empty() || map.len() > 2 {
        return Err(ApiError::validation(
            "Conditions can be of length 1 or 2 only",
        ));
    }
    Ok(())
}

/// The sort-key predicate an indexable operator with checked operands stands for.
fn predicate(op: &str, values: &[AttributeValue]) -> Option<SortKeyPredicate> {
    let first = values.first().cloned();
    Some(match op {
        "EQ" => SortKeyPredicate::Eq(first?),
        "LT" => SortKeyPredicate::Lt(first?),
        "LE" => SortKeyPredicate::Le(first?),
        "GT" => SortKeyPredicate::Gt(first?),
        "GE" => SortKeyPredicate::Ge(first?),
        "BEGINS_WITH" => SortKeyPredicate::BeginsWith(first?),
        "BETWEEN" => SortKeyPredicate::Between(first?, values.get(1).cloned()?),
        _ => return None,
    })
}

/// KeyConditions (already through [`check_key_conditions`]) against a key schema: the same
/// structured key condition a KeyConditionExpression yields.
pub fn key_condition(map: &Conditions, schema: &KeySchema) -> Result<KeyCondition, ApiError> {
    let v = |msg: String| Err(ApiError::validation(msg));
    let mut partition_value = None;
    let mut sort = None;
    let keys: [(Option<&KeyAttribute>, bool); 2] =
        [(Some(&schema.hash), true), (schema.range.as_ref(), false)];
    for (key, is_hash) in keys {
        let Some(key) = key else { continue };
        if is_hash && schema.range.is_none() && map.len() > 1 {
            return v("Query key condition not supported".into());
        }
        let Some(cond) = map.get(&key.name) else {
            if is_hash || map.len() > 1 {
                return v(format!(
                    "Query condition missed key schema element: {}",
                    key.name
                ));
            }
            continue;
        };
        let op = operator(cond);
        let values = operands(cond);
        let Some(pred) = predicate(op, values) else {
            return v("Attempted conditional constraint is not an indexable operation".into());
        };
        if values
            .iter()
            .any(|val| val.type_name() != key.attr_type.as_str())
        {
            return v("One or more parameter values were invalid: Condition parameter type does not match schema type".into());
        }
        match (is_hash, pred) {
            (true, SortKeyPredicate::Eq(value)) => partition_value = Some(value),
            (true, _) => return v("Query key condition not supported".into()),
            (false, pred) => sort = Some(pred),
        }
    }
    match partition_value {
        Some(partition_value) => Ok(KeyCondition {
            partition_value,
            sort,
        }),
        // The loop returned for a missing partition-key condition.
        None => v(format!(
            "Query condition missed key schema element: {}",
            schema.hash.name
        )),
    }
}

/// KeyConditions (already through [`check_key_conditions`]) against a secondary index's key.
/// A single-attribute key answers as the table's does ([`key_condition`]); a multi-attribute
/// key follows the rules of [`crate::expr::composite_key_condition`].
pub fn index_key_condition(
    map: &Conditions,
    index: &SecondaryIndex,
) -> Result<CompositeKeyCondition, ApiError> {
    if let ([hash], [] | [_]) = (index.hash.as_slice(), index.range.as_slice()) {
        let schema = KeySchema {
            hash: hash.clone(),
            range: index.range.first().cloned(),
        };
        let kc = key_condition(map, &schema)?;
        let (sort_equal, sort_last) = match kc.sort {
            Some(SortKeyPredicate::Eq(v)) => (vec![v], None),
            other => (Vec::new(), other),
        };
        return Ok(CompositeKeyCondition {
            partition_values: vec![kc.partition_value],
            sort_equal,
            sort_last,
        });
    }
    let mut leaves = Vec::new();
    for (name, cond) in map {
        let Some(pred) = predicate(operator(cond), operands(cond)) else {
            return Err(ApiError::validation(
                "Attempted conditional constraint is not an indexable operation",
            ));
        };
        leaves.push((name.clone(), pred));
    }
    crate::expr::composite_from_leaves(&leaves, &index.hash, &index.range)
}

#[cfg(test)]
#[path = "legacy_read_tests.rs"]
mod tests;
