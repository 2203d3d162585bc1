//! What Query and Scan check alike (the parameter-mixing rules live in
//! `expression_params::check_usage`): ExpressionAttributeValues and ExclusiveStartKey values, key attributes used as document paths, the
//! index name (no secondary indexes yet), and the answer's shape.

use crate::error::ApiError;
use crate::expr::{Condition, DocPath, Term};
use crate::model::table::KeySchema;
use crate::model::{validate, AttributeValue, Item};
use crate::ops::request::capacity::ConsumedCapacity;
use crate::ops::request::read_page::PageResult;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Checks each ExpressionAttributeValues entry against the value rules, in key order.
pub fn expression_values(values: Option<&HashMap<String, AttributeValue>>) -> Result<(), ApiError> {
    let Some(values) = values else {
        return Ok(());
    };
    let mut keys: Vec<&String> = values.keys().collect();
    keys.sort();
    for k in keys {
        if let Err(e) = validate::attribute_value(&values[k]) {
            return Err(ApiError::validation(format!(
                "ExpressionAttributeValues contains invalid value: {e} for key {k}"
            )));
        }
    }
    Ok(())
}

/// Checks the values of an ExclusiveStartKey with DynamoDB's prefix.
pub fn start_key_values(key: Option<&Item>) -> Result<(), ApiError> {
    match key.map(validate::item_values) {
        Some(Err(e)) => Err(ApiError::validation(format!(
            "The provided starting key is invalid: {e}"
        ))),
        _ => Ok(()),
    }
}

/// Refuses an IndexName: this table has no secondary indexes (they arrive with their issue),
/// so DynamoDB's answer for an index the table lacks applies.
pub fn no_index(index_name: Option<&str>) -> Result<(), ApiError> {
    match index_name {
        Some(name) => Err(ApiError::validation(format!(
            "The table does not have the specified index: {name}"
        ))),
        None => Ok(()),
    }
}

/// Every document path a condition reads.
pub fn condition_paths<'c>(c: &'c Condition, out: &mut Vec<&'c DocPath>) {
    fn term<'c>(t: &'c Term, out: &mut Vec<&'c DocPath>) {
        match t {
            Term::Path(p) => out.push(p),
            Term::Size(inner) => term(inner, out),
            Term::Value(_) => {}
        }
    }
    match c {
        Condition::Compare(a, _, b) | Condition::BeginsWith(a, b) | Condition::Contains(a, b) => {
            term(a, out);
            term(b, out);
        }
        Condition::Between(a, lo, hi) => {
            term(a, out);
            term(lo, out);
            term(hi, out);
        }
        Condition::In(a, list) => {
            term(a, out);
            list.iter().for_each(|t| term(t, out));
        }
        Condition::AttributeExists(p) | Condition::AttributeNotExists(p) => out.push(p),
        Condition::AttributeType(a, _) => term(a, out),
        Condition::Not(inner) => condition_paths(inner, out),
        Condition::And(l, r) | Condition::Or(l, r) => {
            condition_paths(l, out);
            condition_paths(r, out);
        }
    }
}

/// DynamoDB's refusal of nested paths into key attributes ("Key attributes must be scalars").
pub fn scalar_keys(schema: &KeySchema, paths: &[&DocPath]) -> Result<(), ApiError> {
    for k in schema.attributes() {
        if paths.iter().any(|p| p.top() == k.name && !p.is_top_level()) {
            return Err(ApiError::validation(format!(
                "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: {}",
                k.name
            )));
        }
    }
    Ok(())
}

/// Query's refusal of key attributes in a filter; `what` names it as DynamoDB does
/// ("Filter Expression" or "QueryFilter").
pub fn filter_without_keys(
    schema: &KeySchema,
    paths: &[&DocPath],
    what: &str,
) -> Result<(), ApiError> {
    for k in schema.attributes() {
        if paths.iter().any(|p| p.top() == k.name) {
            return Err(ApiError::validation(format!(
                "{what} can only contain non-primary key attributes: Primary key attribute: {}",
                k.name
            )));
        }
    }
    Ok(())
}

/// The answer of Query and Scan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// The items (absent with `Select=COUNT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<Item>>,
    /// Items returned (after the filter).
    pub count: usize,
    /// Items evaluated (before the filter).
    pub scanned_count: usize,
    /// Where the next page starts, when this one stopped at Limit or 1 MB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_evaluated_key: Option<Item>,
    /// With `ReturnConsumedCapacity` TOTAL or INDEXES.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
}

impl Response {
    /// Shapes a page into the answer.
    pub fn from_page(
        page: PageResult,
        count_only: bool,
        consumed: Option<ConsumedCapacity>,
    ) -> Response {
        Response {
            items: (!count_only).then_some(page.items),
            count: page.count,
            scanned_count: page.scanned_count,
            last_evaluated_key: page.last_evaluated_key,
            consumed_capacity: consumed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_names_are_refused() {
        assert_eq!(
            no_index(Some("gsi1")).unwrap_err().to_string(),
            "The table does not have the specified index: gsi1"
        );
        assert!(no_index(None).is_ok());
    }
}
