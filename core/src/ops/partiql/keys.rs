//! What a WHERE clause says about the key, as DynamoDB reads it:
//!
//! - a write (UPDATE, DELETE) and a single-item read (batch, transaction, EXISTS) need an
//!   equality on every key attribute among the clause's top-level `AND` terms; those terms
//!   name the item and the rest is a condition on it ("Where clause does not contain a
//!   mandatory equality on all key attributes" otherwise);
//! - a SELECT reads partitions when the top-level terms hold `hash = v` or `hash IN [...]`
//!   (with at most one sort-key predicate narrowing them), and scans otherwise.

use super::error::{invalid, INCOMPLETE_KEY};
use crate::error::ApiError;
use crate::expr::ast::Comparator;
use crate::expr::{Condition, SortKeyPredicate, Term};
use crate::model::table::{KeyAttribute, KeySchema, ScalarType};
use crate::model::{AttributeValue, Item};

/// The top-level `AND` terms of a condition, in written order.
pub fn conjuncts(c: Condition, out: &mut Vec<Condition>) {
    match c {
        Condition::And(l, r) => {
            conjuncts(*l, out);
            conjuncts(*r, out);
        }
        other => out.push(other),
    }
}

/// The terms joined by AND again (`None` when there are none).
pub fn join(terms: Vec<Condition>) -> Option<Condition> {
    terms
        .into_iter()
        .reduce(|l, r| Condition::And(Box::new(l), Box::new(r)))
}

/// `name = value` (either way round) on a top-level attribute.
fn equality(c: &Condition) -> Option<(&str, &AttributeValue)> {
    match c {
        Condition::Compare(Term::Path(p), Comparator::Eq, Term::Value(v))
        | Condition::Compare(Term::Value(v), Comparator::Eq, Term::Path(p))
            if p.is_top_level() =>
        {
            Some((p.top(), v))
        }
        _ => None,
    }
}

/// Checks a key value against its schema type, with DynamoDB's messages.
pub fn check_key_type(attr: &KeyAttribute, v: &AttributeValue) -> Result<(), ApiError> {
    let ty = match v {
        AttributeValue::S(_) => ScalarType::S,
        AttributeValue::N(_) => ScalarType::N,
        AttributeValue::B(_) => ScalarType::B,
        other => {
            return Err(invalid(format!(
                "Key value must be of type S, N, or B. Key name: {}, Key type: {}",
                attr.name,
                other.type_name()
            )))
        }
    };
    if ty != attr.attr_type {
        return Err(invalid(format!(
            "Key attribute's data type should match its data type in table's schema: Key {}",
            attr.name
        )));
    }
    Ok(())
}

/// The key a write's WHERE names and the condition left: every key attribute needs one
/// equality among the top-level terms.
pub fn single_item(
    schema: &KeySchema,
    filter: Option<Condition>,
) -> Result<(Item, Option<Condition>), ApiError> {
    let mut terms = Vec::new();
    if let Some(f) = filter {
        conjuncts(f, &mut terms);
    }
    let mut key = Item::new();
    let mut rest = Vec::new();
    for t in terms {
        match equality(&t).filter(|(n, _)| schema.attributes().any(|k| k.name == *n)) {
            Some((name, v)) => {
                if let Some(prev) = key.get(name) {
                    if prev != v {
                        return Err(invalid(format!(
                            "Multiple conditions on same key {name}. Only single item Update/Insert/Delete are supported"
                        )));
                    }
                    continue;
                }
                key.insert(name.to_string(), v.clone());
            }
            None => rest.push(t),
        }
    }
    for k in schema.attributes() {
        match key.get(&k.name) {
            Some(v) => check_key_type(k, v)?,
            None => return Err(invalid(INCOMPLETE_KEY)),
        }
    }
    Ok((key, join(rest)))
}

/// How a SELECT reaches its items.
#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    /// Read these partitions (in this order), narrowed by the sort-key predicate.
    Partitions(Vec<AttributeValue>, Option<SortKeyPredicate>),
    /// Read everything.
    Scan,
}

/// The access path of a SELECT on a table or index with this hash and range key.
pub fn access(
    hash: &KeyAttribute,
    range: Option<&KeyAttribute>,
    filter: Option<&Condition>,
) -> Result<Access, ApiError> {
    let mut terms = Vec::new();
    if let Some(f) = filter {
        conjuncts(f.clone(), &mut terms);
    }
    let mut partitions: Option<Vec<AttributeValue>> = None;
    let mut sort: Vec<SortKeyPredicate> = Vec::new();
    for t in &terms {
        if let Some((name, v)) = equality(t) {
            if name == hash.name && partitions.is_none() {
                check_key_type(hash, v)?;
                partitions = Some(vec![v.clone()]);
                continue;
            }
        }
        if let Condition::In(Term::Path(p), list) = t {
            if p.is_top_level() && p.top() == hash.name && partitions.is_none() {
                let values: Option<Vec<AttributeValue>> = list
                    .iter()
                    .map(|t| match t {
                        Term::Value(v) => Some(v.clone()),
                        _ => None,
                    })
                    .collect();
                if let Some(values) = values {
                    for v in &values {
                        check_key_type(hash, v)?;
                    }
                    let mut distinct: Vec<AttributeValue> = Vec::new();
                    for v in values {
                        if !distinct.contains(&v) {
                            distinct.push(v);
                        }
                    }
                    partitions = Some(distinct);
                    continue;
                }
            }
        }
        if let Some(r) = range {
            // A value of another type than the key's matches no item: the filter says so, the
            // range need not.
            if let Some(pred) = sort_predicate(t, &r.name).filter(|p| fits(p, r)) {
                sort.push(pred);
            }
        }
    }
    Ok(match partitions {
        // More than one sort-key term: the filter applies them all; the range is the partition.
        Some(p) => Access::Partitions(p, (sort.len() == 1).then(|| sort.remove(0))),
        None => Access::Scan,
    })
}

fn sort_predicate(c: &Condition, name: &str) -> Option<SortKeyPredicate> {
    let on_key = |t: &Term| matches!(t, Term::Path(p) if p.is_top_level() && p.top() == name);
    let scalar = |v: &AttributeValue| {
        matches!(
            v,
            AttributeValue::S(_) | AttributeValue::N(_) | AttributeValue::B(_)
        )
    };
    match c {
        Condition::Compare(a, op, Term::Value(v)) if on_key(a) && scalar(v) => {
            predicate(*op, v.clone())
        }
        Condition::Compare(Term::Value(v), op, b) if on_key(b) && scalar(v) => {
            // `v < key` is `key > v`.
            let flipped = match op {
                Comparator::Lt => Comparator::Gt,
                Comparator::Le => Comparator::Ge,
                Comparator::Gt => Comparator::Lt,
                Comparator::Ge => Comparator::Le,
                other => *other,
            };
            predicate(flipped, v.clone())
        }
        Condition::Between(a, Term::Value(lo), Term::Value(hi))
            if on_key(a) && scalar(lo) && lo.type_name() == hi.type_name() =>
        {
            Some(SortKeyPredicate::Between(lo.clone(), hi.clone()))
        }
        Condition::BeginsWith(
            a,
            Term::Value(v @ (AttributeValue::S(_) | AttributeValue::B(_))),
        ) if on_key(a) => Some(SortKeyPredicate::BeginsWith(v.clone())),
        _ => None,
    }
}

/// Whether a predicate's values have the key's type.
fn fits(p: &SortKeyPredicate, key: &KeyAttribute) -> bool {
    let ty = |v: &AttributeValue| match v {
        AttributeValue::S(_) => Some(ScalarType::S),
        AttributeValue::N(_) => Some(ScalarType::N),
        AttributeValue::B(_) => Some(ScalarType::B),
        _ => None,
    };
    let values = match p {
        SortKeyPredicate::Between(a, b) => vec![a, b],
        SortKeyPredicate::Eq(a)
        | SortKeyPredicate::Lt(a)
        | SortKeyPredicate::Le(a)
        | SortKeyPredicate::Gt(a)
        | SortKeyPredicate::Ge(a)
        | SortKeyPredicate::BeginsWith(a) => vec![a],
    };
    values.into_iter().all(|v| ty(v) == Some(key.attr_type))
}

fn predicate(op: Comparator, v: AttributeValue) -> Option<SortKeyPredicate> {
    Some(match op {
        Comparator::Eq => SortKeyPredicate::Eq(v),
        Comparator::Lt => SortKeyPredicate::Lt(v),
        Comparator::Le => SortKeyPredicate::Le(v),
        Comparator::Gt => SortKeyPredicate::Gt(v),
        Comparator::Ge => SortKeyPredicate::Ge(v),
        Comparator::Ne => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::DocPath;
    use crate::model::Number;

    fn s(x: &str) -> AttributeValue {
        AttributeValue::S(x.into())
    }

    fn eq(name: &str, v: AttributeValue) -> Condition {
        Condition::Compare(
            Term::Path(DocPath::attribute(name)),
            Comparator::Eq,
            Term::Value(v),
        )
    }

    fn and(l: Condition, r: Condition) -> Condition {
        Condition::And(Box::new(l), Box::new(r))
    }

    fn schema() -> KeySchema {
        KeySchema {
            hash: KeyAttribute {
                name: "pk".into(),
                attr_type: ScalarType::S,
            },
            range: Some(KeyAttribute {
                name: "sk".into(),
                attr_type: ScalarType::N,
            }),
        }
    }

    fn n(x: &str) -> AttributeValue {
        AttributeValue::N(Number::parse(x).unwrap())
    }

    #[test]
    fn single_item_takes_the_key_and_leaves_the_rest() {
        let f = and(and(eq("pk", s("a")), eq("x", s("y"))), eq("sk", n("1")));
        let (key, rest) = single_item(&schema(), Some(f)).unwrap();
        assert_eq!(
            key,
            Item::from([("pk".into(), s("a")), ("sk".into(), n("1"))])
        );
        assert_eq!(rest, Some(eq("x", s("y"))));
        assert_eq!(
            single_item(&schema(), Some(eq("pk", s("a"))))
                .unwrap_err()
                .to_string(),
            INCOMPLETE_KEY
        );
        assert_eq!(
            single_item(&schema(), None).unwrap_err().to_string(),
            INCOMPLETE_KEY
        );
        let twice = and(and(eq("pk", s("a")), eq("pk", s("b"))), eq("sk", n("1")));
        assert_eq!(
            single_item(&schema(), Some(twice)).unwrap_err().to_string(),
            "Multiple conditions on same key pk. Only single item Update/Insert/Delete are supported"
        );
        let wrong = and(eq("pk", n("1")), eq("sk", n("1")));
        assert_eq!(
            single_item(&schema(), Some(wrong)).unwrap_err().to_string(),
            "Key attribute's data type should match its data type in table's schema: Key pk"
        );
        // An OR hides the key.
        let or = Condition::Or(Box::new(eq("pk", s("a"))), Box::new(eq("sk", n("1"))));
        assert!(single_item(&schema(), Some(or)).is_err());
    }

    #[test]
    fn select_access_paths() {
        let sch = schema();
        let (h, r) = (&sch.hash, sch.range.as_ref());
        assert_eq!(access(h, r, None).unwrap(), Access::Scan);
        assert_eq!(access(h, r, Some(&eq("x", s("a")))).unwrap(), Access::Scan);
        let gt = Condition::Compare(
            Term::Value(n("5")),
            Comparator::Lt,
            Term::Path(DocPath::attribute("sk")),
        );
        assert_eq!(
            access(h, r, Some(&and(eq("pk", s("a")), gt))).unwrap(),
            Access::Partitions(vec![s("a")], Some(SortKeyPredicate::Gt(n("5"))))
        );
        let inn = Condition::In(
            Term::Path(DocPath::attribute("pk")),
            vec![
                Term::Value(s("b")),
                Term::Value(s("a")),
                Term::Value(s("b")),
            ],
        );
        assert_eq!(
            access(h, r, Some(&inn)).unwrap(),
            Access::Partitions(vec![s("b"), s("a")], None)
        );
        let or = Condition::Or(Box::new(eq("pk", s("a"))), Box::new(eq("pk", s("b"))));
        assert_eq!(access(h, r, Some(&or)).unwrap(), Access::Scan);
    }
}
