//! KeyConditionExpression: turning a compiled condition into a partition-key value and an
//! optional sort-key predicate for one key schema, with DynamoDB's messages.

use super::ast::Comparator;
use super::compare::compare_values;
use super::condition::{Condition, Term};
use super::path::DocPath;
use crate::error::ApiError;
use crate::model::table::KeyAttribute;
use crate::model::AttributeValue;
use std::cmp::Ordering;

/// A predicate on the sort key.
#[derive(Debug, Clone, PartialEq)]
pub enum SortKeyPredicate {
    /// `= v`
    Eq(AttributeValue),
    /// `< v`
    Lt(AttributeValue),
    /// `<= v`
    Le(AttributeValue),
    /// `> v`
    Gt(AttributeValue),
    /// `>= v`
    Ge(AttributeValue),
    /// `BETWEEN lo AND hi` (inclusive)
    Between(AttributeValue, AttributeValue),
    /// `begins_with(key, prefix)` (S or B)
    BeginsWith(AttributeValue),
}

impl SortKeyPredicate {
    /// Whether a sort-key value satisfies the predicate.
    pub fn matches(&self, v: &AttributeValue) -> bool {
        let cmp = |b: &AttributeValue| compare_values(v, b);
        match self {
            SortKeyPredicate::Eq(b) => cmp(b) == Some(Ordering::Equal),
            SortKeyPredicate::Lt(b) => cmp(b) == Some(Ordering::Less),
            SortKeyPredicate::Le(b) => matches!(cmp(b), Some(Ordering::Less | Ordering::Equal)),
            SortKeyPredicate::Gt(b) => cmp(b) == Some(Ordering::Greater),
            SortKeyPredicate::Ge(b) => {
                matches!(cmp(b), Some(Ordering::Greater | Ordering::Equal))
            }
            SortKeyPredicate::Between(lo, hi) => {
                matches!(
                    compare_values(v, lo),
                    Some(Ordering::Greater | Ordering::Equal)
                ) && matches!(
                    compare_values(v, hi),
                    Some(Ordering::Less | Ordering::Equal)
                )
            }
            SortKeyPredicate::BeginsWith(p) => match (v, p) {
                (AttributeValue::S(a), AttributeValue::S(b)) => a.starts_with(b.as_str()),
                (AttributeValue::B(a), AttributeValue::B(b)) => a.starts_with(b),
                _ => false,
            },
        }
    }

    fn values(&self) -> Vec<&AttributeValue> {
        match self {
            SortKeyPredicate::Between(a, b) => vec![a, b],
            SortKeyPredicate::Eq(a)
            | SortKeyPredicate::Lt(a)
            | SortKeyPredicate::Le(a)
            | SortKeyPredicate::Gt(a)
            | SortKeyPredicate::Ge(a)
            | SortKeyPredicate::BeginsWith(a) => vec![a],
        }
    }
}

/// A validated key condition for one key schema.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyCondition {
    /// The partition key's value.
    pub partition_value: AttributeValue,
    /// The sort-key predicate, if the condition has one.
    pub sort: Option<SortKeyPredicate>,
}

fn v(msg: impl Into<String>) -> ApiError {
    ApiError::validation(msg)
}

fn nested_ops() -> ApiError {
    v("KeyConditionExpressions cannot contain nested operations")
}

/// The key attribute a single condition is about, and its predicate.
fn leaf(c: &Condition) -> Result<(String, SortKeyPredicate), ApiError> {
    let (op_name, terms): (&str, Vec<&Term>) = match c {
        Condition::Compare(a, op, b) => {
            if *op == Comparator::Ne {
                return Err(v("Invalid operator used in KeyConditionExpression: <>"));
            }
            (op.as_str(), vec![a, b])
        }
        Condition::Between(a, lo, hi) => {
            if !matches!(a, Term::Path(_)) {
                return Err(v("Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand"));
            }
            ("BETWEEN", vec![a, lo, hi])
        }
        Condition::BeginsWith(a, b) => {
            if !matches!(a, Term::Path(_)) {
                return Err(v("Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand"));
            }
            ("begins_with", vec![a, b])
        }
        Condition::In(..) => return Err(v("Invalid operator used in KeyConditionExpression: IN")),
        Condition::AttributeExists(_) => {
            return Err(v(
                "Invalid operator used in KeyConditionExpression: attribute_exists",
            ))
        }
        Condition::AttributeNotExists(_) => {
            return Err(v(
                "Invalid operator used in KeyConditionExpression: attribute_not_exists",
            ))
        }
        Condition::AttributeType(..) => {
            return Err(v(
                "Invalid operator used in KeyConditionExpression: attribute_type",
            ))
        }
        Condition::Contains(..) => {
            return Err(v(
                "Invalid operator used in KeyConditionExpression: contains",
            ))
        }
        Condition::Not(_) => return Err(v("Invalid operator used in KeyConditionExpression: NOT")),
        Condition::Or(..) => return Err(v("Invalid operator used in KeyConditionExpression: OR")),
        Condition::And(..) => return Err(nested_ops()),
    };
    let mut key: Option<(usize, &DocPath)> = None;
    let mut values = Vec::new();
    for (i, t) in terms.iter().enumerate() {
        match t {
            Term::Path(p) => {
                if key.is_some() {
                    return Err(v("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"));
                }
                if !p.is_top_level() {
                    return Err(v(
                        "KeyConditionExpressions cannot have conditions on nested attributes",
                    ));
                }
                key = Some((i, p));
            }
            Term::Size(_) => return Err(nested_ops()),
            Term::Value(val) => values.push(val.clone()),
        }
    }
    let Some((idx, path)) = key else {
        return Err(v(
            "Invalid condition in KeyConditionExpression: No key attribute specified",
        ));
    };
    let mut vals = values.into_iter();
    let mut next = || vals.next().ok_or_else(nested_ops);
    let pred = match (op_name, idx) {
        ("BETWEEN", _) => SortKeyPredicate::Between(next()?, next()?),
        ("begins_with", _) => SortKeyPredicate::BeginsWith(next()?),
        // `:v < key` is `key > :v`.
        ("=", _) => SortKeyPredicate::Eq(next()?),
        ("<", 0) | (">", 1) => SortKeyPredicate::Lt(next()?),
        ("<=", 0) | (">=", 1) => SortKeyPredicate::Le(next()?),
        (">", 0) | ("<", 1) => SortKeyPredicate::Gt(next()?),
        _ => SortKeyPredicate::Ge(next()?),
    };
    Ok((path.top().to_string(), pred))
}

fn collect(c: &Condition, out: &mut Vec<(String, SortKeyPredicate)>) -> Result<(), ApiError> {
    if let Condition::And(l, r) = c {
        collect(l, out)?;
        return collect(r, out);
    }
    let (name, pred) = leaf(c)?;
    if out.iter().any(|(n, _)| *n == name) {
        return Err(v(
            "KeyConditionExpressions must only contain one condition per key",
        ));
    }
    out.push((name, pred));
    Ok(())
}

/// Checks a compiled KeyConditionExpression against a key schema (the table's or an index's:
/// partition key, optional sort key) and splits it into the partition value and the sort-key
/// predicate. Call after `ExpressionAttributes::check_unused`, as DynamoDB reports unused
/// placeholders first.
pub fn key_condition(
    cond: &Condition,
    partition: &KeyAttribute,
    sort: Option<&KeyAttribute>,
) -> Result<KeyCondition, ApiError> {
    let mut conds = Vec::new();
    collect(cond, &mut conds)?;
    if conds.is_empty() || conds.len() > 2 {
        return Err(v("Conditions can be of length 1 or 2 only"));
    }
    let find = |name: &str| conds.iter().find(|(n, _)| n == name).map(|(_, p)| p);
    if sort.is_none() && conds.len() > 1 {
        return Err(v("Query key condition not supported"));
    }
    let mismatch = || {
        v("One or more parameter values were invalid: Condition parameter type does not match schema type")
    };
    let type_ok = |p: &SortKeyPredicate, k: &KeyAttribute| {
        p.values()
            .iter()
            .all(|val| val.type_name() == k.attr_type.as_str())
    };
    let Some(hash_pred) = find(&partition.name) else {
        return Err(v(format!(
            "Query condition missed key schema element: {}",
            partition.name
        )));
    };
    if !type_ok(hash_pred, partition) {
        return Err(mismatch());
    }
    let SortKeyPredicate::Eq(partition_value) = hash_pred.clone() else {
        return Err(v("Query key condition not supported"));
    };
    let mut sort_pred = None;
    if let Some(sk) = sort {
        match find(&sk.name) {
            Some(p) => {
                if !type_ok(p, sk) {
                    return Err(mismatch());
                }
                sort_pred = Some(p.clone());
            }
            None if conds.len() > 1 => {
                return Err(v(format!(
                    "Query condition missed key schema element: {}",
                    sk.name
                )))
            }
            None => {}
        }
    }
    Ok(KeyCondition {
        partition_value,
        sort: sort_pred,
    })
}

/// A key condition over a (possibly multi-attribute) index key: every partition attribute by
/// equality, then the sort attributes used, left to right: equalities, and a last predicate
/// that may be a range.
#[derive(Debug, Clone, PartialEq)]
pub struct CompositeKeyCondition {
    /// The partition attributes' values, in key-schema order.
    pub partition_values: Vec<AttributeValue>,
    /// Values of the leading sort attributes compared by equality.
    pub sort_equal: Vec<AttributeValue>,
    /// The predicate on the next sort attribute, if any.
    pub sort_last: Option<SortKeyPredicate>,
}

/// [`key_condition`] for an index key with `partition` (1–4) and `sort` (0–4) attributes.
/// Single-attribute keys answer exactly as [`key_condition`] does; multi-attribute keys follow
/// DynamoDB's rules: all partition attributes by equality, sort attributes left to right without
/// gaps, a range condition only on the last one used.
pub fn composite_key_condition(
    cond: &Condition,
    partition: &[KeyAttribute],
    sort: &[KeyAttribute],
) -> Result<CompositeKeyCondition, ApiError> {
    if let ([p], [] | [_]) = (partition, sort) {
        let kc = key_condition(cond, p, sort.first())?;
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
    let mut conds = Vec::new();
    collect(cond, &mut conds)?;
    composite_from_leaves(&conds, partition, sort)
}

/// The multi-attribute rules of [`composite_key_condition`] over conditions already split into
/// one predicate per named key attribute (from an expression or legacy KeyConditions).
pub fn composite_from_leaves(
    conds: &[(String, SortKeyPredicate)],
    partition: &[KeyAttribute],
    sort: &[KeyAttribute],
) -> Result<CompositeKeyCondition, ApiError> {
    let unsupported = || v("Query key condition not supported");
    let mismatch = || {
        v("One or more parameter values were invalid: Condition parameter type does not match schema type")
    };
    let typed = |p: &SortKeyPredicate, k: &KeyAttribute| {
        p.values()
            .iter()
            .all(|val| val.type_name() == k.attr_type.as_str())
    };
    let mut used = 0;
    let mut partition_values = Vec::new();
    for k in partition {
        let Some((_, p)) = conds.iter().find(|(n, _)| *n == k.name) else {
            return Err(v(format!(
                "Query condition missed key schema element: {}",
                k.name
            )));
        };
        if !typed(p, k) {
            return Err(mismatch());
        }
        let SortKeyPredicate::Eq(value) = p else {
            return Err(unsupported());
        };
        partition_values.push(value.clone());
        used += 1;
    }
    let mut sort_equal = Vec::new();
    let mut sort_last = None;
    for k in sort {
        let Some((_, p)) = conds.iter().find(|(n, _)| *n == k.name) else {
            break;
        };
        if sort_last.is_some() {
            return Err(unsupported());
        }
        if !typed(p, k) {
            return Err(mismatch());
        }
        match p {
            SortKeyPredicate::Eq(value) => sort_equal.push(value.clone()),
            other => sort_last = Some(other.clone()),
        }
        used += 1;
    }
    if used != conds.len() {
        // A condition on a non-key attribute, or a sort attribute after a gap.
        return Err(unsupported());
    }
    Ok(CompositeKeyCondition {
        partition_values,
        sort_equal,
        sort_last,
    })
}
