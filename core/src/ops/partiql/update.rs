//! An UPDATE's SET and REMOVE clauses as core's `UpdateExpression`, applied by the same code
//! as UpdateItem's: `SET a = v`, `SET a = b + 1` / `- 1`, `SET l = list_append(l, [v])`,
//! `SET s = set_add(s, <<v>>)` (the ADD action), `SET s = set_delete(s, <<v>>)` (DELETE),
//! `REMOVE a`. The set functions' rules and texts are DynamoDB's.

use super::ast::{Action, Expr};
use super::condition::doc_path;
use super::error::{at, invalid};
use super::values::value;
use crate::error::ApiError;
use crate::expr::path::check_overlaps;
use crate::expr::update::{SetOperand, SetValue, UpdateAction};
use crate::expr::{DocPath, UpdateExpression};
use crate::model::AttributeValue;

/// The update the actions stand for.
pub fn update(actions: &[Action], params: &[AttributeValue]) -> Result<UpdateExpression, ApiError> {
    let mut out = Vec::with_capacity(actions.len());
    for a in actions {
        out.push(match a {
            Action::Remove(p) => UpdateAction::Remove(doc_path(p)?),
            Action::Set(p, e) => set(doc_path(p)?, e, params)?,
        });
    }
    let targets: Vec<DocPath> = out.iter().map(|a| a.path().clone()).collect();
    check_overlaps(&targets).map_err(invalid)?;
    Ok(UpdateExpression { actions: out })
}

fn set(target: DocPath, e: &Expr, params: &[AttributeValue]) -> Result<UpdateAction, ApiError> {
    Ok(match e {
        Expr::Call(name, args, pos) if name == "set_add" || name == "set_delete" => {
            let upper = name.to_ascii_uppercase();
            if args.len() != 2 {
                return Err(at(format!("{upper} must have exactly two arguments"), *pos));
            }
            let same =
                matches!(&args[0], Expr::Path(p) if doc_path(p).ok().as_ref() == Some(&target));
            if !same {
                return Err(at(
                    format!("The first argument to {upper} must equal the assignment value"),
                    *pos,
                ));
            }
            let set = match &args[1] {
                Expr::Bag(..) | Expr::Param(..) => value(&args[1], params)?,
                _ => AttributeValue::Null(true),
            };
            if !matches!(
                set,
                AttributeValue::SS(_) | AttributeValue::NS(_) | AttributeValue::BS(_)
            ) {
                // DynamoDB points at the first argument here.
                return Err(at(
                    format!("The second argument to {upper} must be a value with type SET"),
                    args[0].pos(),
                ));
            }
            crate::model::validate::attribute_value(&set)?;
            if name == "set_add" {
                UpdateAction::Add(target, set)
            } else {
                UpdateAction::Delete(target, set)
            }
        }
        Expr::Arith(plus, a, b, _) => {
            let (a, b) = (operand(a, params)?, operand(b, params)?);
            UpdateAction::Set(
                target,
                if *plus {
                    SetValue::Plus(a, b)
                } else {
                    SetValue::Minus(a, b)
                },
            )
        }
        Expr::Is(..) => {
            return Err(invalid(
                "IS operator is not supported in update expressions",
            ))
        }
        other => UpdateAction::Set(target, SetValue::Operand(operand(other, params)?)),
    })
}

fn operand(e: &Expr, params: &[AttributeValue]) -> Result<SetOperand, ApiError> {
    Ok(match e {
        Expr::Path(p) => SetOperand::Path(doc_path(p)?),
        Expr::Call(name, args, pos) => match name.as_str() {
            "list_append" => {
                if args.len() != 2 {
                    return Err(invalid(format!(
                        "Incorrect number of operands for operator or function; operator or function: list_append, number of operands: {}",
                        args.len()
                    )));
                }
                SetOperand::ListAppend(
                    Box::new(operand(&args[0], params)?),
                    Box::new(operand(&args[1], params)?),
                )
            }
            "if_not_exists" => {
                let path = match args.first() {
                    Some(Expr::Path(p)) if args.len() == 2 => doc_path(p)?,
                    _ => {
                        return Err(invalid(format!(
                            "Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: {}",
                            args.len()
                        )))
                    }
                };
                SetOperand::IfNotExists(path, Box::new(operand(&args[1], params)?))
            }
            other => return Err(at(format!("Unrecognized function: {other}"), *pos)),
        },
        Expr::Compare(..) | Expr::And(..) | Expr::Or(..) | Expr::Not(..) | Expr::In(..) => {
            return Err(invalid(
                "Unsupported operator in Update Expression. Operator: =",
            ))
        }
        Expr::Arith(..) => {
            return Err(invalid(
                "Unsupported operator in Update Expression. Operator: +",
            ))
        }
        other => SetOperand::Value(value(other, params)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::partiql::ast::Statement;
    use crate::ops::partiql::parser::parse;

    fn compile(src: &str, params: &[AttributeValue]) -> Result<UpdateExpression, ApiError> {
        let Statement::Update(u) = parse(src)?.statement else {
            panic!("not an update: {src}")
        };
        update(&u.actions, params)
    }

    fn msg(set: &str) -> String {
        compile(&format!("UPDATE t SET {set} WHERE pk = 'x'"), &[])
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn actions_map_to_the_update_expression() {
        let u = compile(
            "UPDATE t SET a = 1, b = b + 2 SET c = list_append(c, [1]) REMOVE d SET s = set_add(s, <<'x'>>), n = SET_DELETE(n, ?) WHERE pk = 'x'",
            &[AttributeValue::NS(vec![crate::model::Number::parse("1").unwrap()])],
        )
        .unwrap();
        let kinds: Vec<&str> = u
            .actions
            .iter()
            .map(|a| match a {
                UpdateAction::Set(_, SetValue::Operand(SetOperand::Value(_))) => "set",
                UpdateAction::Set(_, SetValue::Plus(..)) => "plus",
                UpdateAction::Set(_, SetValue::Operand(SetOperand::ListAppend(..))) => "append",
                UpdateAction::Remove(_) => "remove",
                UpdateAction::Add(..) => "add",
                UpdateAction::Delete(..) => "delete",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, ["set", "plus", "append", "remove", "add", "delete"]);
    }

    #[test]
    fn set_function_messages() {
        // Columns count from 1 in "UPDATE t SET ".
        assert_eq!(
            msg("t = set_add(ss, <<'x'>>)"),
            "The first argument to SET_ADD must equal the assignment value at 1:18:7"
        );
        assert_eq!(
            msg("ss = set_add(ss, 'x')"),
            "The second argument to SET_ADD must be a value with type SET at 1:27:2"
        );
        assert_eq!(
            msg("ss = set_add(ss)"),
            "SET_ADD must have exactly two arguments at 1:19:7"
        );
        assert_eq!(
            msg("ss = set_delete(ss, ['a'])"),
            "The second argument to SET_DELETE must be a value with type SET at 1:30:2"
        );
        assert_eq!(
            msg("ss = set_add(ss, <<>>)"),
            "Empty bags are not supported"
        );
        assert_eq!(
            msg("ss = set_add(ss, <<'x', 'x'>>)"),
            "One or more parameter values were invalid: Input collection [x, x] contains duplicates."
        );
        assert_eq!(msg("a = nope(a)"), "Unrecognized function: nope at 1:18:4");
        assert_eq!(
            msg("a = 1, a = 2"),
            "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"
        );
    }
}
