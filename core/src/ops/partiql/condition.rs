//! A WHERE clause as core's compiled `Condition`, so PartiQL filters and write conditions are
//! evaluated by the same code as FilterExpression and ConditionExpression.
//!
//! PartiQL's forms map as DynamoDB Local maps them: `IS MISSING` is attribute_not_exists,
//! `IS NULL` is `= NULL`, `IS <type>` is attribute_type, `NOT IN` / `NOT BETWEEN` are NOT of
//! the positive form; functions are begins_with, contains, attribute_exists,
//! attribute_not_exists, attribute_type and size, case-insensitive. Operand checks and their
//! texts are the expression language's ("Incorrect operand type for operator or function; …").

use super::ast::{Cmp, Expr, IsType, Lit, PathExpr, Step};
use super::error::{at, invalid};
use super::values::value;
use crate::error::ApiError;
use crate::expr::ast::Comparator;
use crate::expr::compare::is_orderable;
use crate::expr::{Condition, DocPath, PathElement, Term};
use crate::model::AttributeValue;

const BOOLEAN_FUNCTIONS: [&str; 5] = [
    "attribute_exists",
    "attribute_not_exists",
    "attribute_type",
    "begins_with",
    "contains",
];

/// The condition a WHERE clause stands for.
pub fn condition(e: &Expr, params: &[AttributeValue]) -> Result<Condition, ApiError> {
    Ok(match e {
        Expr::And(l, r) => Condition::And(
            Box::new(condition(l, params)?),
            Box::new(condition(r, params)?),
        ),
        Expr::Or(l, r) => Condition::Or(
            Box::new(condition(l, params)?),
            Box::new(condition(r, params)?),
        ),
        Expr::Not(inner, _) => Condition::Not(Box::new(condition(inner, params)?)),
        Expr::Compare(op, a, b, _) => compare(*op, a, b, params)?,
        Expr::In(a, list, negated, _) => {
            let items = match list.as_ref() {
                Expr::List(items, _) if !items.is_empty() => items,
                _ => return Err(invalid(
                    "IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member",
                )),
            };
            let a = term(a, params)?;
            let list = items
                .iter()
                .map(|i| term(i, params))
                .collect::<Result<Vec<_>, _>>()?;
            if list.len() > crate::expr::condition::MAX_IN_OPERANDS {
                return Err(invalid(format!(
                    "The IN operator is provided with too many operands; number of operands: {}",
                    list.len()
                )));
            }
            negate(Condition::In(a, list), *negated)
        }
        Expr::Between(a, lo, hi, negated, _) => {
            let (a, lo, hi) = (term(a, params)?, term(lo, params)?, term(hi, params)?);
            orderable("BETWEEN", &[&a, &lo, &hi])?;
            negate(Condition::Between(a, lo, hi), *negated)
        }
        Expr::Is(a, ty, negated, _) => negate(is(a, ty, params)?, *negated),
        Expr::Call(name, args, pos) => function(name, args, *pos, params)?,
        Expr::Lit(Lit::Bool(b), _) => constant(*b),
        _ => {
            return Err(invalid(
                "WHERE clause must contain an expression that resolves to a boolean",
            ))
        }
    })
}

fn negate(c: Condition, negated: bool) -> Condition {
    if negated {
        Condition::Not(Box::new(c))
    } else {
        c
    }
}

/// A condition that is always `value` (comparing a constant with itself).
fn constant(value: bool) -> Condition {
    let t = Term::Value(AttributeValue::Bool(true));
    let op = if value {
        Comparator::Eq
    } else {
        Comparator::Ne
    };
    Condition::Compare(t.clone(), op, t)
}

fn comparator(op: Cmp) -> Comparator {
    match op {
        Cmp::Eq => Comparator::Eq,
        Cmp::Ne => Comparator::Ne,
        Cmp::Lt => Comparator::Lt,
        Cmp::Le => Comparator::Le,
        Cmp::Gt => Comparator::Gt,
        Cmp::Ge => Comparator::Ge,
    }
}

fn is_boolean_call(e: &Expr) -> bool {
    matches!(e, Expr::Call(name, _, _) if BOOLEAN_FUNCTIONS.contains(&name.as_str()))
}

fn compare(op: Cmp, a: &Expr, b: &Expr, params: &[AttributeValue]) -> Result<Condition, ApiError> {
    // `attribute_exists(x) = true`: a boolean function compared with a boolean literal.
    for (call, other) in [(a, b), (b, a)] {
        if let (true, Expr::Lit(Lit::Bool(v), _)) = (is_boolean_call(call), other) {
            if let Expr::Call(name, args, pos) = call {
                let c = function(name, args, *pos, params)?;
                return Ok(match (op, *v) {
                    (Cmp::Eq, true) | (Cmp::Ne, false) => c,
                    (Cmp::Eq, false) | (Cmp::Ne, true) => Condition::Not(Box::new(c)),
                    _ => return Err(operand_type(op_text(op), "BOOL")),
                });
            }
        }
    }
    let (a, b) = (term(a, params)?, term(b, params)?);
    let op = comparator(op);
    if !matches!(op, Comparator::Eq | Comparator::Ne) {
        orderable(op.as_str(), &[&a, &b])?;
    }
    Ok(Condition::Compare(a, op, b))
}

fn op_text(op: Cmp) -> &'static str {
    comparator(op).as_str()
}

fn operand_type(op: &str, ty: &str) -> ApiError {
    invalid(format!(
        "Incorrect operand type for operator or function; operator or function: {op}, operand type: {ty}"
    ))
}

fn orderable(op: &str, terms: &[&Term]) -> Result<(), ApiError> {
    for t in terms {
        if let Term::Value(v) = t {
            if !is_orderable(v) {
                return Err(operand_type(op, v.type_name()));
            }
        }
    }
    Ok(())
}

fn is(a: &Expr, ty: &IsType, params: &[AttributeValue]) -> Result<Condition, ApiError> {
    if !matches!(a, Expr::Path(_) | Expr::Lit(..) | Expr::Param(..)) {
        return Err(invalid(
            "The left hand side argument to IS must be a Variable Reference, Literal, or Path",
        ));
    }
    Ok(match ty {
        IsType::Missing => match a {
            Expr::Path(p) => Condition::AttributeNotExists(doc_path(p)?),
            Expr::Lit(Lit::Missing, _) => constant(true),
            _ => constant(false),
        },
        IsType::Null => Condition::Compare(
            term(a, params)?,
            Comparator::Eq,
            Term::Value(AttributeValue::Null(true)),
        ),
        IsType::Type(t) => {
            let name = match t.as_str() {
                "BOOL" | "BOOLEAN" => "BOOL",
                "STRING" => "S",
                "NUMERIC" => "N",
                "BLOB" => "B",
                "STRUCT" | "TUPLE" => "M",
                "LIST" => "L",
                other => return Err(invalid(format!(
                    "Unsupported data type for IS operator: {other}. Supported data types are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]"
                ))),
            };
            Condition::AttributeType(term(a, params)?, name.to_string())
        }
    })
}

fn count(name: &str, args: &[Expr], want: usize) -> Result<(), ApiError> {
    if args.len() != want {
        return Err(invalid(format!(
            "Incorrect number of operands for operator or function; operator or function: {name}, number of operands: {}",
            args.len()
        )));
    }
    Ok(())
}

fn function(
    name: &str,
    args: &[Expr],
    pos: super::lexer::Pos,
    params: &[AttributeValue],
) -> Result<Condition, ApiError> {
    let need_path = |e: &Expr| match e {
        Expr::Path(p) => doc_path(p),
        _ => Err(invalid(format!(
            "Operator or function requires a document path; operator or function: {name}"
        ))),
    };
    Ok(match name {
        "attribute_exists" | "attribute_not_exists" => {
            count(name, args, 1)?;
            let p = need_path(&args[0])?;
            if name == "attribute_exists" {
                Condition::AttributeExists(p)
            } else {
                Condition::AttributeNotExists(p)
            }
        }
        "attribute_type" => {
            count(name, args, 2)?;
            let a = term(&args[0], params)?;
            match term(&args[1], params)? {
                Term::Value(AttributeValue::S(t)) => {
                    const TYPES: [&str; 10] =
                        ["S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M"];
                    if !TYPES.contains(&t.as_str()) {
                        return Err(invalid(format!(
                            "Invalid attribute type name found; type: {t}, valid types: {{B,NULL,SS,BOOL,L,BS,N,NS,S,M}}"
                        )));
                    }
                    Condition::AttributeType(a, t)
                }
                Term::Value(v) => return Err(operand_type("attribute_type", v.type_name())),
                _ => {
                    return Err(operand_type(
                        "attribute_type",
                        "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}",
                    ))
                }
            }
        }
        "begins_with" | "contains" => {
            count(name, args, 2)?;
            let (a, b) = (term(&args[0], params)?, term(&args[1], params)?);
            if name == "begins_with" {
                for t in [&a, &b] {
                    if let Term::Value(v) = t {
                        if !matches!(v, AttributeValue::S(_) | AttributeValue::B(_)) {
                            return Err(operand_type("begins_with", v.type_name()));
                        }
                    }
                }
                Condition::BeginsWith(a, b)
            } else {
                Condition::Contains(a, b)
            }
        }
        "size" => {
            return Err(invalid(
                "WHERE clause must contain an expression that resolves to a boolean",
            ))
        }
        other => return Err(at(format!("Unrecognized function: {other}"), pos)),
    })
}

/// A value operand: a path, a value, or `size(…)`.
pub fn term(e: &Expr, params: &[AttributeValue]) -> Result<Term, ApiError> {
    match e {
        Expr::Path(p) => Ok(Term::Path(doc_path(p)?)),
        Expr::Lit(Lit::Missing, _) => Err(invalid("MISSING must be compared using IS operator")),
        Expr::Lit(..) | Expr::Param(..) | Expr::Tuple(..) | Expr::List(..) | Expr::Bag(..) => {
            Ok(Term::Value(value(e, params)?))
        }
        Expr::Call(name, args, _) if name == "size" => {
            count("size", args, 1)?;
            let inner = term(&args[0], params)?;
            if let Term::Value(
                v @ (AttributeValue::N(_) | AttributeValue::Bool(_) | AttributeValue::Null(_)),
            ) = &inner
            {
                return Err(operand_type("size", v.type_name()));
            }
            Ok(Term::Size(Box::new(inner)))
        }
        Expr::Call(name, _, pos) if !BOOLEAN_FUNCTIONS.contains(&name.as_str()) => {
            Err(at(format!("Unrecognized function: {name}"), *pos))
        }
        Expr::Arith(plus, ..) => Err(invalid(format!(
            "Unsupported operator in Condition Expression. Operator: {}",
            if *plus { "+" } else { "-" }
        ))),
        _ => Err(invalid(
            "WHERE clause must contain an expression that resolves to a boolean",
        )),
    }
}

/// A parsed path as a document path. List indexes beyond what a list can hold are refused as
/// DynamoDB refuses them.
pub fn doc_path(p: &PathExpr) -> Result<DocPath, ApiError> {
    let mut out = Vec::with_capacity(p.steps.len());
    for (i, s) in p.steps.iter().enumerate() {
        out.push(match s {
            Step::Attr(a) if a.is_empty() => {
                return Err(invalid("Path component cannot be an empty string"))
            }
            Step::Attr(a) => PathElement::Attr(a.clone()),
            Step::Index(_) if i == 0 => {
                return Err(invalid("A path cannot start with a list index"))
            }
            Step::Index(n) => PathElement::Index(usize::try_from(*n).map_err(|_| {
                invalid(format!(
                    "List index is not within the allowable range; index: [{n}]"
                ))
            })?),
        });
    }
    Ok(DocPath(out))
}

#[cfg(test)]
#[path = "condition_tests.rs"]
mod tests;
