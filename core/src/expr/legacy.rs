//! The legacy (pre-expression) parameters mapped onto the expression AST, so one evaluator
//! serves both: `ComparisonOperator` + `AttributeValueList` conditions (Expected, KeyConditions,
//! QueryFilter, ScanFilter), `Exists`/`Value` expectations, `ConditionalOperator`, and
//! `AttributesToGet`.
//!
//! Messages and semantics follow DynamoDB as recorded by dynalite's tests and ScyllaDB
//! alternator's `test_expected.py` (which runs against DynamoDB): NE on a missing attribute is
//! true, NOT_CONTAINS on a missing attribute is false, values of another type never match.

use super::ast::Comparator;
use super::compare::compare_values;
use super::condition::{Condition, Term};
use super::path::DocPath;
use super::projection::Projection;
use super::update::{SetOperand, SetValue, UpdateAction, UpdateExpression};
use crate::error::ApiError;
use crate::model::validate;
use crate::model::AttributeValue;
use serde::Deserialize;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Prefix DynamoDB puts on these parameter errors.
const INVALID: &str = "One or more parameter values were invalid: ";

/// Every `ComparisonOperator`, in the order DynamoDB lists its enum.
pub const COMPARISON_OPERATORS: &str =
    "[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]";

/// One entry of `Expected` (ExpectedAttributeValue).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExpectedAttributeValue {
    /// The value the attribute must equal (with `Exists` true or absent).
    pub value: Option<AttributeValue>,
    /// `false`: the attribute must not exist; `true` only alongside `Value`.
    pub exists: Option<bool>,
    /// The operator, with `AttributeValueList` (or `Value`) as its operands.
    pub comparison_operator: Option<String>,
    /// The operands of `ComparisonOperator`.
    pub attribute_value_list: Option<Vec<AttributeValue>>,
}

/// One entry of `KeyConditions`, `QueryFilter` or `ScanFilter` (Condition).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LegacyCondition {
    /// The operator (required).
    pub comparison_operator: Option<String>,
    /// Its operands.
    pub attribute_value_list: Option<Vec<AttributeValue>>,
}

/// How many operands an operator takes (`None`: one or more), and which operand types it
/// accepts (`None`: no operands at all). `None` overall: not an operator.
fn operator_rules(op: &str) -> Option<(Option<usize>, &'static [&'static str])> {
    const SCALAR: &[&str] = &["S", "N", "B"];
    Some(match op {
        // Every type: alternator's test_query_filter_eq (run against DynamoDB) filters EQ on
        // lists, maps and booleans; the API reference says "EQ is supported for all data
        // types, including lists and maps" (and the same of NE).
        "EQ" | "NE" => (
            Some(1),
            &["S", "N", "B", "SS", "NS", "BS", "BOOL", "NULL", "L", "M"],
        ),
        "LE" | "LT" | "GE" | "GT" | "CONTAINS" | "NOT_CONTAINS" => (Some(1), SCALAR),
        "BEGINS_WITH" => (Some(1), &["S", "B"]),
        "IN" => (None, SCALAR),
        "BETWEEN" => (Some(2), SCALAR),
        "NULL" | "NOT_NULL" => (Some(0), &[]),
        _ => return None,
    })
}

/// Whether `op` is a ComparisonOperator DynamoDB knows.
pub fn is_comparison_operator(op: &str) -> bool {
    operator_rules(op).is_some()
}

/// Converts one legacy condition on the top-level attribute `attribute` into a [`Condition`],
/// after DynamoDB's checks of the operands (in its order): each value's own rules, the operand
/// count, one type for all operands, the operator's allowed types, BETWEEN's bound order.
///
/// Shared by Expected here and by Query/Scan's KeyConditions, QueryFilter and ScanFilter.
/// `op` must be a known operator (see [`is_comparison_operator`]; callers report unknown ones
/// as enum constraint errors); an unknown one is refused with a ValidationException.
pub fn condition(
    attribute: &str,
    op: &str,
    values: &[AttributeValue],
) -> Result<Condition, ApiError> {
    let Some((count, types)) = operator_rules(op) else {
        return Err(ApiError::validation(format!(
            "{INVALID}Unsupported ComparisonOperator: {op}"
        )));
    };
    values.iter().try_for_each(validate::attribute_value)?;
    let count_ok = match count {
        Some(n) => values.len() == n,
        None => !values.is_empty(),
    };
    if !count_ok {
        return Err(ApiError::validation(format!(
            "{INVALID}Invalid number of argument(s) for the {op} ComparisonOperator"
        )));
    }
    if let Some(first) = values.first() {
        if values.iter().any(|v| v.type_name() != first.type_name()) {
            return Err(ApiError::validation(format!(
                "{INVALID}AttributeValues inside AttributeValueList must be of same type"
            )));
        }
    }
    if let Some(bad) = values.iter().find(|v| !types.contains(&v.type_name())) {
        return Err(ApiError::validation(format!(
            "{INVALID}ComparisonOperator {op} is not valid for {} AttributeValue type",
            bad.type_name()
        )));
    }
    let path = DocPath::attribute(attribute);
    let attr = || Term::Path(path.clone());
    let value =
        |i: usize| Term::Value(values.get(i).cloned().unwrap_or(AttributeValue::Null(true)));
    let compare = |c: Comparator| Condition::Compare(attr(), c, value(0));
    Ok(match op {
        "EQ" => compare(Comparator::Eq),
        "NE" => compare(Comparator::Ne),
        "LE" => compare(Comparator::Le),
        "LT" => compare(Comparator::Lt),
        "GE" => compare(Comparator::Ge),
        "GT" => compare(Comparator::Gt),
        "NULL" => Condition::AttributeNotExists(path),
        "NOT_NULL" => Condition::AttributeExists(path),
        "CONTAINS" => Condition::Contains(attr(), value(0)),
        // False on a missing attribute, unlike NE (alternator's test_expected.py, run against
        // DynamoDB).
        "NOT_CONTAINS" => Condition::And(
            Box::new(Condition::AttributeExists(path.clone())),
            Box::new(Condition::Not(Box::new(Condition::Contains(
                attr(),
                value(0),
            )))),
        ),
        "BEGINS_WITH" => Condition::BeginsWith(attr(), value(0)),
        "IN" => Condition::In(attr(), values.iter().cloned().map(Term::Value).collect()),
        _ => {
            if compare_values(&values[0], &values[1]) == Some(Ordering::Greater) {
                return Err(ApiError::validation(
                    "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound",
                ));
            }
            Condition::Between(attr(), value(0), value(1))
        }
    })
}

/// Joins conditions with `ConditionalOperator` (AND when absent); `None` when there are none.
pub fn combine(
    conditions: Vec<Condition>,
    conditional_operator: Option<&str>,
) -> Option<Condition> {
    let or = conditional_operator == Some("OR");
    conditions.into_iter().reduce(|l, r| {
        if or {
            Condition::Or(Box::new(l), Box::new(r))
        } else {
            Condition::And(Box::new(l), Box::new(r))
        }
    })
}

/// Converts one `Expected` entry, with DynamoDB's checks of how its fields combine.
pub fn expected_condition(
    attribute: &str,
    e: &ExpectedAttributeValue,
) -> Result<Condition, ApiError> {
    let invalid = |msg: String| Err(ApiError::validation(format!("{INVALID}{msg}")));
    if e.attribute_value_list.is_some() && e.value.is_some() {
        return invalid(format!(
            "Value and AttributeValueList cannot be used together for Attribute: {attribute}"
        ));
    }
    if let Some(op) = e.comparison_operator.as_deref() {
        if e.exists.is_some() {
            return invalid(format!(
                "Exists and ComparisonOperator cannot be used together for Attribute: {attribute}"
            ));
        }
        if !matches!(op, "NULL" | "NOT_NULL")
            && e.attribute_value_list.is_none()
            && e.value.is_none()
        {
            return invalid(format!(
                "Value or AttributeValueList must be used with ComparisonOperator: {op} for Attribute: {attribute}"
            ));
        }
        let values: Vec<AttributeValue> = match (&e.attribute_value_list, &e.value) {
            (Some(list), _) => list.clone(),
            (None, Some(v)) => vec![v.clone()],
            (None, None) => Vec::new(),
        };
        return condition(attribute, op, &values);
    }
    if e.attribute_value_list.is_some() {
        return invalid(format!(
            "AttributeValueList can only be used with a ComparisonOperator for Attribute: {attribute}"
        ));
    }
    match (e.exists, &e.value) {
        (Some(false), Some(_)) => invalid(format!(
            "Value cannot be used when Exists is false for Attribute: {attribute}"
        )),
        (Some(false), None) => Ok(Condition::AttributeNotExists(DocPath::attribute(attribute))),
        (exists, None) => invalid(format!(
            "Value must be provided when Exists is {} for Attribute: {attribute}",
            if exists.is_some() { "true" } else { "null" }
        )),
        (_, Some(v)) => {
            validate::attribute_value(v)?;
            Ok(Condition::Compare(
                Term::Path(DocPath::attribute(attribute)),
                Comparator::Eq,
                Term::Value(v.clone()),
            ))
        }
    }
}

/// The whole `Expected` map (entries in attribute-name order) joined by `ConditionalOperator`.
/// An empty map is no condition.
pub fn expected(
    expected: &BTreeMap<String, ExpectedAttributeValue>,
    conditional_operator: Option<&str>,
) -> Result<Option<Condition>, ApiError> {
    let conditions = expected
        .iter()
        .map(|(name, e)| expected_condition(name, e))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(combine(conditions, conditional_operator))
}

/// DynamoDB's rule that `ConditionalOperator` needs a map (`Expected`, `QueryFilter`,
/// `ScanFilter`) of two or more conditions to join; `map_len` is `None` when the map is absent.
/// Texts as in the DynamoDB Accelerator client's request validator.
pub fn check_conditional_operator(
    conditional_operator: Option<&str>,
    map_len: Option<usize>,
) -> Result<(), ApiError> {
    match (conditional_operator, map_len) {
        (None, _) => Ok(()),
        (Some(_), None) => Err(ApiError::validation(
            "ConditionalOperator cannot be used without Filter or Expected",
        )),
        (Some(_), Some(n)) if n <= 1 => Err(ApiError::validation(
            "ConditionalOperator can only be used when Filter or Expected has two or more elements",
        )),
        _ => Ok(()),
    }
}

/// `AttributesToGet` as a projection of top-level attributes, refusing duplicates as DynamoDB
/// does ("Duplicate value in attribute name: a").
pub fn attributes_to_get(names: &[String]) -> Result<Projection, ApiError> {
    for (i, n) in names.iter().enumerate() {
        validate::attribute_name(n)?;
        if names[..i].contains(n) {
            return Err(ApiError::validation(format!(
                "{INVALID}Duplicate value in attribute name: {n}"
            )));
        }
    }
    Ok(Projection {
        paths: names.iter().map(DocPath::attribute).collect(),
    })
}

/// One entry of `AttributeUpdates` (AttributeValueUpdate).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeValueUpdate {
    /// The operand; absent only with `DELETE` (remove the attribute).
    pub value: Option<AttributeValue>,
    /// PUT (the default) | ADD | DELETE; other values are refused as enum constraint errors
    /// by the operation before conversion.
    pub action: Option<String>,
}

/// Converts `AttributeUpdates` (in attribute-name order) into an update expression, after
/// DynamoDB's checks of each entry: the value's own rules, a value for every action but DELETE,
/// DELETE only with a set, ADD only with a number, set or list. ADD of a list appends to the
/// attribute's list (or starts one).
pub fn attribute_updates(
    updates: &BTreeMap<String, AttributeValueUpdate>,
) -> Result<UpdateExpression, ApiError> {
    let mut actions = Vec::with_capacity(updates.len());
    for (name, u) in updates {
        validate::attribute_name(name)?;
        if let Some(v) = &u.value {
            validate::attribute_value(v)?;
        }
        let action = u.action.as_deref().unwrap_or("PUT");
        let path = DocPath::attribute(name);
        let unsupported = |what: &str, v: &AttributeValue| {
            Err(ApiError::validation(format!(
                "{INVALID}{what} is not supported for the type {}",
                v.type_name()
            )))
        };
        actions.push(match (action, &u.value) {
            ("DELETE", None) => UpdateAction::Remove(path),
            (_, None) => {
                return Err(ApiError::validation(format!(
                    "{INVALID}Only DELETE action is allowed when no attribute value is specified"
                )))
            }
            ("DELETE", Some(v)) => match v {
                AttributeValue::SS(_) | AttributeValue::NS(_) | AttributeValue::BS(_) => {
                    UpdateAction::Delete(path, v.clone())
                }
                _ => return unsupported("DELETE action with value", v),
            },
            ("ADD", Some(v)) => match v {
                AttributeValue::L(_) => UpdateAction::Set(
                    path.clone(),
                    SetValue::Operand(SetOperand::ListAppend(
                        Box::new(SetOperand::IfNotExists(
                            path,
                            Box::new(SetOperand::Value(AttributeValue::L(Vec::new()))),
                        )),
                        Box::new(SetOperand::Value(v.clone())),
                    )),
                ),
                AttributeValue::N(_)
                | AttributeValue::SS(_)
                | AttributeValue::NS(_)
                | AttributeValue::BS(_) => UpdateAction::Add(path, v.clone()),
                _ => return unsupported("ADD action", v),
            },
            (_, Some(v)) => {
                UpdateAction::Set(path, SetValue::Operand(SetOperand::Value(v.clone())))
            }
        });
    }
    Ok(UpdateExpression { actions })
}

#[cfg(test)]
#[path = "legacy_tests.rs"]
mod tests;
