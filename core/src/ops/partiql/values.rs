//! PartiQL values as DynamoDB AttributeValues: `'s'` is S, numbers N, TRUE/FALSE BOOL, NULL
//! NULL, `{'k': v}` M, `[v]` L, `<<v>>` a set (SS, NS or BS by its members), `?` the
//! request's parameter. Messages are DynamoDB's, with the descriptive path of the value
//! (`under root`, `under root.x`, `under root[1]`).

use super::ast::{Expr, Lit};
use super::error::{at, invalid, PARAMETER_COUNT};
use crate::error::ApiError;
use crate::model::{AttributeValue, Item, Number};

/// The value `e` stands for, with `params` the request's parameters.
pub fn value(e: &Expr, params: &[AttributeValue]) -> Result<AttributeValue, ApiError> {
    value_at(e, params, &mut "root".to_string())
}

/// The item of an INSERT: a tuple whose fields' values are each described as `root` (their
/// insides as `root.x`, `root[1]`, as DynamoDB prints them).
pub fn item(e: &Expr, params: &[AttributeValue]) -> Result<Item, ApiError> {
    let Expr::Tuple(fields, _) = e else {
        return Err(at(
            "Unsupported format in item expression. Please use struct format {...} to express item values for insert statement.",
            e.pos(),
        ));
    };
    let mut map = Item::new();
    for (k, v) in fields {
        let key = key_of(k, params, "root")?;
        if map.contains_key(&key) {
            return Err(invalid(format!(
                "Duplicate keys in tuple. Key: {key} under root"
            )));
        }
        let v = value_at(v, params, &mut "root".to_string())?;
        map.insert(key, v);
    }
    Ok(map)
}

fn key_of(k: &Expr, params: &[AttributeValue], path: &str) -> Result<String, ApiError> {
    match value_at(k, params, &mut path.to_string())? {
        AttributeValue::S(s) => Ok(s),
        other => Err(invalid(format!(
            "Tuple keys must be of type String. Actual type: {} under {path}",
            other.type_name()
        ))),
    }
}

/// The request's `n`-th parameter (from 0).
pub fn param(n: usize, params: &[AttributeValue]) -> Result<AttributeValue, ApiError> {
    params
        .get(n)
        .cloned()
        .ok_or_else(|| invalid(PARAMETER_COUNT))
}

/// DynamoDB's name of an expression that is not a value, for "Unsupported data type".
fn shown(e: &Expr) -> String {
    match e {
        Expr::Call(name, _, _) => name.clone(),
        Expr::Path(p) => match p.steps.first() {
            Some(super::ast::Step::Attr(a)) => a.clone(),
            _ => String::new(),
        },
        _ => "expression".to_string(),
    }
}

fn value_at(
    e: &Expr,
    params: &[AttributeValue],
    path: &mut String,
) -> Result<AttributeValue, ApiError> {
    Ok(match e {
        Expr::Lit(Lit::Str(s), _) => AttributeValue::S(s.clone()),
        Expr::Lit(Lit::Num(n), _) => number(n, path)?,
        Expr::Lit(Lit::Bool(b), _) => AttributeValue::Bool(*b),
        Expr::Lit(Lit::Null, _) => AttributeValue::Null(true),
        Expr::Lit(Lit::Missing, _) => {
            return Err(invalid("MISSING must be compared using IS operator"))
        }
        Expr::Param(n, _) => param(*n, params)?,
        Expr::Tuple(fields, _) => {
            let mut map = Item::new();
            for (k, v) in fields {
                let key = key_of(k, params, path)?;
                if map.contains_key(&key) {
                    return Err(invalid(format!(
                        "Duplicate keys in tuple. Key: {key} under {path}"
                    )));
                }
                let len = path.len();
                path.push('.');
                path.push_str(&key);
                let v = value_at(v, params, path)?;
                path.truncate(len);
                map.insert(key, v);
            }
            AttributeValue::M(map)
        }
        Expr::List(items, _) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                out.push(value_at(item, params, path)?);
                path.truncate(len);
            }
            AttributeValue::L(out)
        }
        Expr::Bag(items, _) => bag(items, params, path)?,
        other => {
            return Err(at(
                format!("Unsupported data type: {} under key {path}", shown(other)),
                other.pos(),
            ))
        }
    })
}

fn number(text: &str, path: &str) -> Result<AttributeValue, ApiError> {
    Number::parse(text)
        .map(AttributeValue::N)
        .map_err(|e| invalid(format!("{} under {path}", e.message())))
}

/// A bag literal as a set: all strings (SS), all numbers (NS) or all binary (BS, from
/// parameters).
fn bag(
    items: &[Expr],
    params: &[AttributeValue],
    path: &mut String,
) -> Result<AttributeValue, ApiError> {
    if items.is_empty() {
        return Err(invalid("Empty bags are not supported"));
    }
    let values = items
        .iter()
        .map(|i| value_at(i, params, path))
        .collect::<Result<Vec<_>, _>>()?;
    let unsupported = || {
        invalid("Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags")
    };
    Ok(match values.first() {
        Some(AttributeValue::S(_)) => AttributeValue::SS(
            values
                .into_iter()
                .map(|v| match v {
                    AttributeValue::S(s) => Ok(s),
                    _ => Err(unsupported()),
                })
                .collect::<Result<_, _>>()?,
        ),
        Some(AttributeValue::N(_)) => AttributeValue::NS(
            values
                .into_iter()
                .map(|v| match v {
                    AttributeValue::N(n) => Ok(n),
                    _ => Err(unsupported()),
                })
                .collect::<Result<_, _>>()?,
        ),
        Some(AttributeValue::B(_)) => AttributeValue::BS(
            values
                .into_iter()
                .map(|v| match v {
                    AttributeValue::B(b) => Ok(b),
                    _ => Err(unsupported()),
                })
                .collect::<Result<_, _>>()?,
        ),
        _ => return Err(unsupported()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::partiql::ast::Statement;
    use crate::ops::partiql::parser::parse;

    /// The item of an INSERT's item expression, as one map value.
    fn item(src: &str, params: &[AttributeValue]) -> Result<AttributeValue, ApiError> {
        let parsed = parse(&format!("INSERT INTO t VALUE {src}"))?;
        match parsed.statement {
            Statement::Insert(i) => super::item(&i.value, params).map(AttributeValue::M),
            other => panic!("{other:?}"),
        }
    }

    fn n(x: &str) -> AttributeValue {
        AttributeValue::N(Number::parse(x).unwrap())
    }

    #[test]
    fn literals_become_attribute_values() {
        let v = item(
            "{'s': 'x', 'n': -1.50, 'b': TRUE, 'z': NULL, 'l': [1, 'a'], 'm': {'k': .5e1}, 'ss': <<'a', 'b'>>, 'ns': <<1, 2>>, 'p': ?}",
            &[AttributeValue::B(vec![1])],
        )
        .unwrap();
        let AttributeValue::M(m) = v else { panic!() };
        assert_eq!(m["s"], AttributeValue::S("x".into()));
        assert_eq!(m["n"], n("-1.5"));
        assert_eq!(m["b"], AttributeValue::Bool(true));
        assert_eq!(m["z"], AttributeValue::Null(true));
        assert_eq!(
            m["l"],
            AttributeValue::L(vec![n("1"), AttributeValue::S("a".into())])
        );
        assert_eq!(
            m["m"],
            AttributeValue::M(Item::from([("k".into(), n("5"))]))
        );
        assert_eq!(m["ss"], AttributeValue::SS(vec!["a".into(), "b".into()]));
        assert_eq!(
            m["ns"],
            AttributeValue::NS(vec![
                Number::parse("1").unwrap(),
                Number::parse("2").unwrap()
            ])
        );
        assert_eq!(m["p"], AttributeValue::B(vec![1]));
    }

    #[test]
    fn dynamodb_messages() {
        let e = |src: &str| item(src, &[]).unwrap_err().to_string();
        assert_eq!(
            e("{'m': {'x': 1e126}}"),
            "Number overflow. Attempting to store a number with magnitude larger than supported range under root.x"
        );
        assert_eq!(
            e("{'l': [1, 1e-131]}"),
            "Number underflow. Attempting to store a number with magnitude smaller than supported range under root[1]"
        );
        assert_eq!(
            e("{'a': 1, 'a': 2}"),
            "Duplicate keys in tuple. Key: a under root"
        );
        assert_eq!(
            e("{1: 2}"),
            "Tuple keys must be of type String. Actual type: N under root"
        );
        assert_eq!(e("{'s': <<>>}"), "Empty bags are not supported");
        assert_eq!(
            e("{'s': <<1, 'a'>>}"),
            "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"
        );
        assert_eq!(e("{'a': ?}"), PARAMETER_COUNT);
        assert_eq!(
            e("[1]"),
            "Unsupported format in item expression. Please use struct format {...} to express item values for insert statement. at 1:21:1"
        );
        assert_eq!(
            e("{'ss': set_add(<<'a'>>, <<'b'>>)}"),
            "Unsupported data type: set_add under key root at 1:28:7"
        );
    }
}
