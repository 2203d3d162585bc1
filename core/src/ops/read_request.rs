//! What Query and Scan check alike: legacy versus expression parameters, placeholders supplied
//! without expressions, ExclusiveStartKey values, key attributes used as document paths, the
//! index name (no secondary indexes yet), and the answer's shape.

use super::capacity::ConsumedCapacity;
use super::read_page::PageResult;
use crate::error::ApiError;
use crate::expr::{Condition, DocPath, Term};
use crate::model::table::KeySchema;
use crate::model::{validate, AttributeValue, Item};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The parameters of a request by name, in DynamoDB's listing order, and whether each is set.
pub type Present<'a> = &'a [(&'a str, bool)];

fn names_of<'a>(params: Present<'a>) -> Vec<&'a str> {
    params
        .iter()
        .filter(|(_, on)| *on)
        .map(|(n, _)| *n)
        .collect()
}

/// DynamoDB's refusal to mix legacy and expression parameters, then (until the legacy
/// converter is wired) a clear refusal of the legacy ones.
pub fn legacy_parameters(expressions: Present<'_>, legacy: Present<'_>) -> Result<(), ApiError> {
    let exprs = names_of(expressions);
    let olds = names_of(legacy);
    if !exprs.is_empty() && !olds.is_empty() {
        return Err(ApiError::validation(format!(
            "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {{{}}} Expression parameters: {{{}}}",
            olds.join(", "),
            exprs.join(", ")
        )));
    }
    super::item_key::reject_unsupported(legacy)
}

/// `ExpressionAttributeNames` / `ExpressionAttributeValues` given with no expression to use
/// them. `value_expressions` are the expressions that may hold values (all but projection).
pub fn placeholders_need_expressions(
    has_names: bool,
    has_values: bool,
    expressions: Present<'_>,
    value_expressions: Present<'_>,
) -> Result<(), ApiError> {
    if has_names && names_of(expressions).is_empty() {
        return Err(ApiError::validation(
            "ExpressionAttributeNames can only be specified when using expressions",
        ));
    }
    if has_values && names_of(value_expressions).is_empty() {
        let all: Vec<&str> = value_expressions.iter().map(|(n, _)| *n).collect();
        let verb = if all.len() > 1 { "are" } else { "is" };
        return Err(ApiError::validation(format!(
            "ExpressionAttributeValues can only be specified when using expressions: {} {verb} null",
            all.join(" and ")
        )));
    }
    Ok(())
}

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

/// Query's refusal of key attributes in a FilterExpression.
pub fn filter_without_keys(schema: &KeySchema, paths: &[&DocPath]) -> Result<(), ApiError> {
    for k in schema.attributes() {
        if paths.iter().any(|p| p.top() == k.name) {
            return Err(ApiError::validation(format!(
                "Filter Expression can only contain non-primary key attributes: Primary key attribute: {}",
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
    fn mixing_and_legacy_messages() {
        let exprs = [
            ("ProjectionExpression", true),
            ("FilterExpression", false),
            ("KeyConditionExpression", true),
        ];
        let legacy = [
            ("AttributesToGet", true),
            ("QueryFilter", false),
            ("ConditionalOperator", true),
        ];
        assert_eq!(
            legacy_parameters(&exprs, &legacy).unwrap_err().to_string(),
            "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet, ConditionalOperator} Expression parameters: {ProjectionExpression, KeyConditionExpression}"
        );
        assert_eq!(
            legacy_parameters(&[("FilterExpression", false)], &legacy)
                .unwrap_err()
                .to_string(),
            "AttributesToGet is not supported yet by this server"
        );
        assert!(legacy_parameters(&exprs, &[("ScanFilter", false)]).is_ok());
    }

    #[test]
    fn placeholders_without_expressions() {
        let none = [("ProjectionExpression", false), ("FilterExpression", false)];
        let vals = [("FilterExpression", false)];
        assert_eq!(
            placeholders_need_expressions(true, false, &none, &vals)
                .unwrap_err()
                .to_string(),
            "ExpressionAttributeNames can only be specified when using expressions"
        );
        assert_eq!(
            placeholders_need_expressions(false, true, &none, &vals)
                .unwrap_err()
                .to_string(),
            "ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null"
        );
        let two = [
            ("FilterExpression", false),
            ("KeyConditionExpression", false),
        ];
        assert_eq!(
            placeholders_need_expressions(false, true, &none, &two)
                .unwrap_err()
                .to_string(),
            "ExpressionAttributeValues can only be specified when using expressions: FilterExpression and KeyConditionExpression are null"
        );
        let proj = [("ProjectionExpression", true), ("FilterExpression", false)];
        assert!(placeholders_need_expressions(true, false, &proj, &vals).is_ok());
    }

    #[test]
    fn index_names_are_refused() {
        assert_eq!(
            no_index(Some("gsi1")).unwrap_err().to_string(),
            "The table does not have the specified index: gsi1"
        );
        assert!(no_index(None).is_ok());
    }
}
