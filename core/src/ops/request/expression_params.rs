//! What every item operation does alike with its expression parameters: the rules on which
//! parameters may appear together, ExpressionAttributeNames/Values checks, compiling each
//! expression of the request against one shared [`ExpressionAttributes`] (so "unused" spans all
//! of them), and the condition check run inside the write transaction.
//!
//! Texts and order as DynamoDB answers (captured by dynalite's tests): mixing legacy and
//! expression parameters, then attribute maps without expressions, then (later, after value
//! rules) the maps themselves, each expression in the order Update, Condition, KeyCondition,
//! Filter, Projection, and finally unused names before unused values.

use crate::error::ApiError;
use crate::expr::legacy::{self, ExpectedAttributeValue};
use crate::expr::UpdateExpression;
use crate::expr::{self, Condition, ExpressionAttributes, ExpressionKind, Projection};
use crate::model::validate;
use crate::model::{AttributeValue, Item};
use crate::ops::request::item_key::ItemCheck;
use std::collections::{BTreeMap, HashMap};

/// ExpressionAttributeNames as a request carries it.
pub type Names = HashMap<String, String>;
/// ExpressionAttributeValues as a request carries it.
pub type Values = HashMap<String, AttributeValue>;

/// A request parameter's DynamoDB name and whether the request carries it.
pub type Param = (&'static str, bool);

/// DynamoDB's rules on which parameters may appear together: expression parameters exclude
/// legacy ones ("Can not use both expression and non-expression parameters …"), and the
/// attribute maps need an expression. `expressions` and `legacy` list the operation's
/// parameters in DynamoDB's order; ProjectionExpression does not count for the values map.
pub fn check_usage(
    expressions: &[Param],
    legacy: &[Param],
    names_given: bool,
    values_given: bool,
) -> Result<(), ApiError> {
    let present = |ps: &[Param]| -> Vec<&'static str> {
        ps.iter().filter(|(_, p)| *p).map(|(n, _)| *n).collect()
    };
    let used = present(expressions);
    let legacy_used = present(legacy);
    if !used.is_empty() && !legacy_used.is_empty() {
        return Err(ApiError::validation(format!(
            "Can not use both expression and non-expression parameters in the same request: \
             Non-expression parameters: {{{}}} Expression parameters: {{{}}}",
            legacy_used.join(", "),
            used.join(", ")
        )));
    }
    if names_given && used.is_empty() {
        return Err(ApiError::validation(
            "ExpressionAttributeNames can only be specified when using expressions",
        ));
    }
    let value_exprs: Vec<&'static str> = expressions
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| *n != "ProjectionExpression")
        .collect();
    let value_used = expressions
        .iter()
        .any(|(n, p)| *p && *n != "ProjectionExpression");
    if values_given && !value_exprs.is_empty() && !value_used {
        return Err(ApiError::validation(format!(
            "ExpressionAttributeValues can only be specified when using expressions: {} {} null",
            value_exprs.join(" and "),
            if value_exprs.len() > 1 { "are" } else { "is" }
        )));
    }
    Ok(())
}

/// The expressions of one request, compiled against its shared attribute maps.
pub struct Expressions<'a> {
    attrs: ExpressionAttributes<'a>,
}

impl<'a> Expressions<'a> {
    /// Checks the maps (not empty, well-formed keys, valid values) and starts compiling.
    pub fn new(names: Option<&'a Names>, values: Option<&'a Values>) -> Result<Self, ApiError> {
        let attrs = ExpressionAttributes::new(names, values);
        attrs.validate_maps()?;
        if let Some(values) = values {
            let mut keys: Vec<&String> = values.keys().collect();
            keys.sort();
            for k in keys {
                if let Some(Err(e)) = values.get(k).map(validate::attribute_value) {
                    return Err(ApiError::validation(format!(
                        "ExpressionAttributeValues contains invalid value: {e} for key {k}"
                    )));
                }
            }
        }
        Ok(Expressions { attrs })
    }

    /// Compiles an UpdateExpression, if given.
    pub fn update(&mut self, text: Option<&str>) -> Result<Option<UpdateExpression>, ApiError> {
        text.map(|t| expr::parse_update(t, &mut self.attrs))
            .transpose()
    }

    /// Compiles a ConditionExpression (or FilterExpression, per `kind`), if given.
    pub fn condition(
        &mut self,
        text: Option<&str>,
        kind: ExpressionKind,
    ) -> Result<Option<Condition>, ApiError> {
        text.map(|t| expr::parse_condition(t, kind, &mut self.attrs))
            .transpose()
    }

    /// Compiles a ProjectionExpression, if given.
    pub fn projection(&mut self, text: Option<&str>) -> Result<Option<Projection>, ApiError> {
        text.map(|t| expr::parse_projection(t, &mut self.attrs))
            .transpose()
    }

    /// After every expression: fails if a supplied name or value went unused.
    pub fn finish(self) -> Result<(), ApiError> {
        self.attrs.check_unused()
    }
}

/// The legacy condition parameters of PutItem, DeleteItem and UpdateItem.
pub type Expected = BTreeMap<String, ExpectedAttributeValue>;

/// The condition `Expected` + `ConditionalOperator` stand for (`None` when absent or empty).
pub fn expected_condition(
    expected: Option<&Expected>,
    conditional_operator: Option<&str>,
) -> Result<Option<Condition>, ApiError> {
    let condition = match expected {
        Some(e) => legacy::expected(e, conditional_operator)?,
        None => None,
    };
    legacy::check_conditional_operator(conditional_operator, expected.map(|e| e.len()))?;
    Ok(condition)
}

/// PutItem's and DeleteItem's condition: from `Expected` or from `ConditionExpression` (whose
/// placeholders must all be used). Call after [`check_usage`] and the item's value rules.
pub fn write_condition(
    condition_expression: Option<&str>,
    expected: Option<&Expected>,
    conditional_operator: Option<&str>,
    names: Option<&Names>,
    values: Option<&Values>,
) -> Result<Option<Condition>, ApiError> {
    let legacy = expected_condition(expected, conditional_operator)?;
    let mut exprs = Expressions::new(names, values)?;
    let condition = exprs.condition(condition_expression, ExpressionKind::Condition)?;
    exprs.finish()?;
    Ok(condition.or(legacy))
}

/// Whether `ReturnValuesOnConditionCheckFailure` asks for the old item.
pub fn old_on_failure(value: Option<&str>) -> bool {
    value == Some("ALL_OLD")
}

/// Evaluates `condition` against the item as it is (`None`: absent, evaluated as an empty
/// item). On failure: ConditionalCheckFailedException, carrying the item when `return_old`
/// and the item exists.
pub fn check_condition(
    condition: &Condition,
    current: Option<&Item>,
    return_old: bool,
) -> Result<(), ApiError> {
    let empty = Item::new();
    if condition.evaluate(current.unwrap_or(&empty)) {
        return Ok(());
    }
    Err(ApiError::ConditionalCheckFailed {
        item: current.filter(|_| return_old).cloned(),
    })
}

/// The check slot of a one-item write for an optional condition.
pub fn condition_check(condition: Option<Condition>, return_old: bool) -> Option<ItemCheck> {
    let condition = condition?;
    Some(Box::new(move |stored| {
        let current = stored.map(|s| s.decode()).transpose()?;
        check_condition(&condition, current.as_ref(), return_old)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::traits::StoredItem;

    fn msg(r: Result<(), ApiError>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn usage_rules_name_the_parameters() {
        let exprs = [("UpdateExpression", true), ("ConditionExpression", true)];
        let legacy = [("AttributeUpdates", true), ("Expected", true)];
        assert_eq!(
            msg(check_usage(&exprs, &legacy, false, false)),
            "Can not use both expression and non-expression parameters in the same request: \
             Non-expression parameters: {AttributeUpdates, Expected} \
             Expression parameters: {UpdateExpression, ConditionExpression}"
        );
        let none = [("UpdateExpression", false), ("ConditionExpression", false)];
        assert_eq!(
            msg(check_usage(&none, &[], true, true)),
            "ExpressionAttributeNames can only be specified when using expressions"
        );
        assert_eq!(
            msg(check_usage(&none, &[], false, true)),
            "ExpressionAttributeValues can only be specified when using expressions: \
             UpdateExpression and ConditionExpression are null"
        );
        assert_eq!(
            msg(check_usage(
                &[("ConditionExpression", false)],
                &[],
                false,
                true
            )),
            "ExpressionAttributeValues can only be specified when using expressions: \
             ConditionExpression is null"
        );
        assert!(check_usage(&[("ProjectionExpression", true)], &[], true, false).is_ok());
        assert!(check_usage(
            &[("ConditionExpression", true)],
            &[("Expected", false)],
            true,
            true
        )
        .is_ok());
    }

    #[test]
    fn invalid_values_and_unused_placeholders() {
        let values: Values = [(
            ":b".to_string(),
            serde_json::from_str(r#"{"SS":[]}"#).unwrap(),
        )]
        .into();
        assert_eq!(
            Expressions::new(None, Some(&values))
                .err()
                .unwrap()
                .to_string(),
            "ExpressionAttributeValues contains invalid value: One or more parameter values were \
             invalid: An string set  may not be empty for key :b"
        );
        let values: Values = [
            (":a".to_string(), AttributeValue::Bool(true)),
            (":b".to_string(), AttributeValue::Bool(false)),
        ]
        .into();
        let names: Names = [("#n".to_string(), "x".to_string())].into();
        let mut e = Expressions::new(Some(&names), Some(&values)).unwrap();
        e.update(Some("SET #n = :a")).unwrap();
        e.condition(None, ExpressionKind::Condition).unwrap();
        assert_eq!(
            msg(e.finish()),
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:b}"
        );
        let mut e = Expressions::new(Some(&names), Some(&values)).unwrap();
        e.update(Some("SET #n = :a")).unwrap();
        e.condition(Some("x = :b"), ExpressionKind::Condition)
            .unwrap();
        assert!(e.finish().is_ok());
    }

    #[test]
    fn failed_condition_returns_the_old_item_only_when_asked() {
        let values: Values = [(
            ":v".to_string(),
            AttributeValue::N(crate::model::Number::parse("1").unwrap()),
        )]
        .into();
        let mut e = Expressions::new(None, Some(&values)).unwrap();
        let cond = e
            .condition(Some("a = :v"), ExpressionKind::Condition)
            .unwrap()
            .unwrap();
        let old: Item = serde_json::from_str(r#"{"a":{"N":"2"}}"#).unwrap();
        let stored = StoredItem::encode(&old);
        let check = condition_check(Some(cond.clone()), true).unwrap();
        assert_eq!(
            check(Some(&stored)),
            Err(ApiError::ConditionalCheckFailed {
                item: Some(old.clone())
            })
        );
        assert_eq!(
            check_condition(&cond, Some(&old), false),
            Err(ApiError::ConditionalCheckFailed { item: None })
        );
        assert_eq!(
            check_condition(&cond, None, true),
            Err(ApiError::ConditionalCheckFailed { item: None })
        );
        let ok: Item = serde_json::from_str(r#"{"a":{"N":"1.0"}}"#).unwrap();
        assert_eq!(check_condition(&cond, Some(&ok), true), Ok(()));
        assert!(condition_check(None, true).is_none());
        assert!(old_on_failure(Some("ALL_OLD")) && !old_on_failure(Some("NONE")));
    }
}
