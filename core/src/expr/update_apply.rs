//! Applying a compiled update to an item: every SET value is computed from the item as it was
//! before the update, then actions are applied (SET, REMOVE, ADD, DELETE). Upsert semantics:
//! a missing item is an empty one. Errors carry DynamoDB's runtime messages.

use super::path::{DocPath, PathElement};
use super::update::{SetOperand, SetValue, UpdateAction, UpdateExpression};
use crate::error::ApiError;
use crate::model::{AttributeValue, Item, Number};
use std::cmp::Ordering;

/// The result of applying an update.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateOutcome {
    /// The item after the update.
    pub item: Item,
    /// The paths the update wrote, in written order; project the old and new items onto them
    /// (see `projection::project`) for ReturnValues UPDATED_OLD / UPDATED_NEW.
    pub updated_paths: Vec<DocPath>,
}

const INVALID_PATH: &str =
    "The document path provided in the update expression is invalid for update";
const WRONG_TYPE: &str = "An operand in the update expression has an incorrect data type";
const MISSING: &str =
    "The provided expression refers to an attribute that does not exist in the item";

impl UpdateExpression {
    /// Applies the update to `old` (an empty item when the item does not exist yet).
    pub fn apply(&self, old: &Item) -> Result<UpdateOutcome, ApiError> {
        let mut sets = Vec::new();
        let mut removes = Vec::new();
        let mut others = Vec::new();
        for a in &self.actions {
            match a {
                UpdateAction::Set(p, v) => sets.push((p, set_value(v, old)?)),
                UpdateAction::Remove(p) => removes.push(p),
                _ => others.push(a),
            }
        }
        let mut item = old.clone();
        // Appends past the end of a list land in index order; other SET paths are disjoint.
        sets.sort_by(|a, b| a.0.cmp(b.0));
        for (p, v) in sets {
            set_at(&mut item, p, v)?;
        }
        // Highest indexes first, so each REMOVE addresses the element it named originally.
        removes.sort_by(|a, b| b.cmp(a));
        for p in removes {
            remove_at(&mut item, p)?;
        }
        for a in others {
            match a {
                UpdateAction::Add(p, v) => add_at(&mut item, p, v)?,
                UpdateAction::Delete(p, v) => delete_at(&mut item, p, v)?,
                _ => {}
            }
        }
        Ok(UpdateOutcome {
            item,
            updated_paths: self.paths(),
        })
    }
}

fn invalid(msg: &str) -> ApiError {
    ApiError::validation(msg)
}

fn operand(op: &SetOperand, item: &Item) -> Result<AttributeValue, ApiError> {
    match op {
        SetOperand::Path(p) => p.get(item).cloned().ok_or_else(|| invalid(MISSING)),
        SetOperand::Value(v) => Ok(v.clone()),
        SetOperand::IfNotExists(p, default) => match p.get(item) {
            Some(v) => Ok(v.clone()),
            None => operand(default, item),
        },
        SetOperand::ListAppend(a, b) => {
            let a = operand(a, item)?;
            let b = operand(b, item)?;
            match (a, b) {
                (AttributeValue::L(mut a), AttributeValue::L(b)) => {
                    a.extend(b);
                    Ok(AttributeValue::L(a))
                }
                _ => Err(invalid(WRONG_TYPE)),
            }
        }
    }
}

fn number(op: &SetOperand, item: &Item) -> Result<Number, ApiError> {
    match operand(op, item)? {
        AttributeValue::N(n) => Ok(n),
        _ => Err(invalid(WRONG_TYPE)),
    }
}

fn set_value(v: &SetValue, item: &Item) -> Result<AttributeValue, ApiError> {
    let arith = |r: Result<Number, crate::model::number::NumberError>| {
        r.map(AttributeValue::N)
            .map_err(|e| ApiError::validation(e.message()))
    };
    match v {
        SetValue::Operand(o) => operand(o, item),
        SetValue::Plus(a, b) => arith(number(a, item)?.add(&number(b, item)?)),
        SetValue::Minus(a, b) => arith(number(a, item)?.sub(&number(b, item)?)),
    }
}

/// The map or list that holds the last element of a path.
enum Container<'a> {
    Map(&'a mut Item),
    List(&'a mut Vec<AttributeValue>),
}

fn container<'a>(item: &'a mut Item, path: &DocPath) -> Result<Container<'a>, ApiError> {
    let els = &path.0;
    if els.len() <= 1 {
        return Ok(Container::Map(item));
    }
    let mut cur = item
        .get_mut(path.top())
        .ok_or_else(|| invalid(INVALID_PATH))?;
    for el in &els[1..els.len() - 1] {
        cur = match (cur, el) {
            (AttributeValue::M(m), PathElement::Attr(k)) => m.get_mut(k),
            (AttributeValue::L(l), PathElement::Index(i)) => l.get_mut(*i),
            _ => None,
        }
        .ok_or_else(|| invalid(INVALID_PATH))?;
    }
    match cur {
        AttributeValue::M(m) => Ok(Container::Map(m)),
        AttributeValue::L(l) => Ok(Container::List(l)),
        _ => Err(invalid(INVALID_PATH)),
    }
}

fn last(path: &DocPath) -> Result<&PathElement, ApiError> {
    path.0.last().ok_or_else(|| invalid(INVALID_PATH))
}

fn set_at(item: &mut Item, path: &DocPath, v: AttributeValue) -> Result<(), ApiError> {
    let el = last(path)?;
    match (container(item, path)?, el) {
        (Container::Map(m), PathElement::Attr(k)) => {
            m.insert(k.clone(), v);
        }
        (Container::List(l), PathElement::Index(i)) => match l.get_mut(*i) {
            Some(slot) => *slot = v,
            None => l.push(v),
        },
        _ => return Err(invalid(INVALID_PATH)),
    }
    Ok(())
}

fn remove_at(item: &mut Item, path: &DocPath) -> Result<(), ApiError> {
    let el = last(path)?;
    match (container(item, path)?, el) {
        (Container::Map(m), PathElement::Attr(k)) => {
            m.remove(k);
        }
        (Container::List(l), PathElement::Index(i)) => {
            if *i < l.len() {
                l.remove(*i);
            }
        }
        _ => return Err(invalid(INVALID_PATH)),
    }
    Ok(())
}

fn num_eq(a: &Number, b: &Number) -> bool {
    a.cmp_value(b) == Ordering::Equal
}

fn add_at(item: &mut Item, path: &DocPath, v: &AttributeValue) -> Result<(), ApiError> {
    let new = match (path.get(item), v) {
        (None, v) => v.clone(),
        (Some(AttributeValue::N(a)), AttributeValue::N(b)) => {
            AttributeValue::N(a.add(b).map_err(|e| ApiError::validation(e.message()))?)
        }
        (Some(AttributeValue::SS(a)), AttributeValue::SS(b)) => {
            let mut out = a.clone();
            out.extend(b.iter().filter(|x| !a.contains(x)).cloned());
            AttributeValue::SS(out)
        }
        (Some(AttributeValue::BS(a)), AttributeValue::BS(b)) => {
            let mut out = a.clone();
            out.extend(b.iter().filter(|x| !a.contains(x)).cloned());
            AttributeValue::BS(out)
        }
        (Some(AttributeValue::NS(a)), AttributeValue::NS(b)) => {
            let mut out = a.clone();
            out.extend(
                b.iter()
                    .filter(|x| !a.iter().any(|y| num_eq(x, y)))
                    .cloned(),
            );
            AttributeValue::NS(out)
        }
        _ => return Err(invalid(WRONG_TYPE)),
    };
    set_at(item, path, new)
}

fn delete_at(item: &mut Item, path: &DocPath, v: &AttributeValue) -> Result<(), ApiError> {
    let remaining = match (path.get(item), v) {
        (None, _) => {
            // Nothing to delete from; the parent must still be addressable.
            container(item, path)?;
            return Ok(());
        }
        (Some(AttributeValue::SS(a)), AttributeValue::SS(b)) => {
            let out: Vec<String> = a.iter().filter(|x| !b.contains(x)).cloned().collect();
            (!out.is_empty()).then_some(AttributeValue::SS(out))
        }
        (Some(AttributeValue::BS(a)), AttributeValue::BS(b)) => {
            let out: Vec<Vec<u8>> = a.iter().filter(|x| !b.contains(x)).cloned().collect();
            (!out.is_empty()).then_some(AttributeValue::BS(out))
        }
        (Some(AttributeValue::NS(a)), AttributeValue::NS(b)) => {
            let out: Vec<Number> = a
                .iter()
                .filter(|x| !b.iter().any(|y| num_eq(x, y)))
                .cloned()
                .collect();
            (!out.is_empty()).then_some(AttributeValue::NS(out))
        }
        _ => return Err(invalid(WRONG_TYPE)),
    };
    match remaining {
        Some(v) => set_at(item, path, v),
        None => remove_at(item, path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::names::ExpressionAttributes;
    use crate::expr::parser::parse_update_ast;
    use crate::expr::update::compile_update;
    use std::collections::HashMap;

    fn j(s: &str) -> AttributeValue {
        serde_json::from_str(s).unwrap()
    }

    fn run(src: &str, item: &str) -> Result<Item, ApiError> {
        let values: HashMap<String, AttributeValue> = [
            (":one", r#"{"N":"1"}"#),
            (
                ":big",
                r#"{"N":"9.9999999999999999999999999999999999999E+125"}"#,
            ),
            (":s", r#"{"S":"v"}"#),
            (":l", r#"{"L":[{"N":"7"}]}"#),
            (":ss", r#"{"SS":["a","c"]}"#),
            (":ns", r#"{"NS":["1","2"]}"#),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), j(v)))
        .collect();
        let mut attrs = ExpressionAttributes::new(None, Some(&values));
        let u = compile_update(&parse_update_ast(src).unwrap(), &mut attrs).unwrap();
        let old: Item = serde_json::from_str(item).unwrap();
        u.apply(&old).map(|o| o.item)
    }

    fn item(s: &str) -> Item {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn set_reads_the_old_item_and_does_arithmetic() {
        let out = run("SET a = b + :one, b = :s", r#"{"b":{"N":"41"}}"#).unwrap();
        assert_eq!(out, item(r#"{"a":{"N":"42"},"b":{"S":"v"}}"#));
        let out = run("SET c = if_not_exists(c, :one) - :one", "{}").unwrap();
        assert_eq!(out, item(r#"{"c":{"N":"0"}}"#));
        let out = run("SET l = list_append(l, :l)", r#"{"l":{"L":[{"N":"1"}]}}"#).unwrap();
        assert_eq!(out, item(r#"{"l":{"L":[{"N":"1"},{"N":"7"}]}}"#));
    }

    #[test]
    fn runtime_errors() {
        let e = |src: &str, it: &str| run(src, it).unwrap_err().to_string();
        assert_eq!(e("SET a = b + c", "{}"), MISSING);
        assert_eq!(e("SET a = b + :one", r#"{"b":{"S":"x"}}"#), WRONG_TYPE);
        assert_eq!(e("SET a.b = :one", "{}"), INVALID_PATH);
        assert_eq!(e("SET a[0] = :one", r#"{"a":{"M":{}}}"#), INVALID_PATH);
        assert_eq!(e("ADD a :one", r#"{"a":{"S":"x"}}"#), WRONG_TYPE);
        assert_eq!(
            e("SET a = a + :big", r#"{"a":{"N":"9.9999999999999999999999999999999999999E+125"}}"#),
            "Number overflow. Attempting to store a number with magnitude larger than supported range"
        );
    }

    #[test]
    fn lists_append_past_end_and_remove_shifts() {
        let l = r#"{"l":{"L":[{"N":"0"},{"N":"1"},{"N":"2"},{"N":"3"}]}}"#;
        let out = run("SET l[10] = :s", l).unwrap();
        assert_eq!(
            out["l"],
            j(r#"{"L":[{"N":"0"},{"N":"1"},{"N":"2"},{"N":"3"},{"S":"v"}]}"#)
        );
        let out = run("REMOVE l[1], l[2]", l).unwrap();
        assert_eq!(out["l"], j(r#"{"L":[{"N":"0"},{"N":"3"}]}"#));
        let out = run("REMOVE l[9], m", l).unwrap();
        assert_eq!(out, item(l));
    }

    #[test]
    fn add_and_delete_on_sets_and_numbers() {
        let out = run("ADD n :one, s :ss", "{}").unwrap();
        assert_eq!(out, item(r#"{"n":{"N":"1"},"s":{"SS":["a","c"]}}"#));
        let out = run("ADD s :ss", r#"{"s":{"SS":["a","b"]}}"#).unwrap();
        assert_eq!(out["s"], j(r#"{"SS":["a","b","c"]}"#));
        let out = run("DELETE s :ss", r#"{"s":{"SS":["a","b"]}}"#).unwrap();
        assert_eq!(out["s"], j(r#"{"SS":["b"]}"#));
        let out = run("DELETE s :ns", r#"{"s":{"NS":["2","1.0"]}}"#).unwrap();
        assert!(!out.contains_key("s"));
        let out = run("DELETE s :ss", "{}").unwrap();
        assert!(out.is_empty());
        assert_eq!(
            run("DELETE s :ss", r#"{"s":{"NS":["1"]}}"#)
                .unwrap_err()
                .to_string(),
            WRONG_TYPE
        );
    }

    #[test]
    fn nested_map_updates_and_updated_paths() {
        let values: HashMap<String, AttributeValue> =
            [(":v".to_string(), j(r#"{"N":"5"}"#))].into();
        let mut attrs = ExpressionAttributes::new(None, Some(&values));
        let u = compile_update(&parse_update_ast("SET m.x.y = :v").unwrap(), &mut attrs).unwrap();
        let old = item(r#"{"m":{"M":{"x":{"M":{}}}}}"#);
        let out = u.apply(&old).unwrap();
        assert_eq!(out.item, item(r#"{"m":{"M":{"x":{"M":{"y":{"N":"5"}}}}}}"#));
        assert_eq!(out.updated_paths[0].to_string(), "m.x.y");
    }
}
