//! Compiled update expressions: the syntax tree checked in DynamoDB's order (reserved words,
//! function names, repeated clauses, placeholders, overlapping and conflicting paths, ADD and
//! DELETE operand types, function operands) with placeholders resolved.

use super::ast::{Operand, RawPath, SetRhs, UpdateAst, UpdateClause};
use super::names::ExpressionAttributes;
use super::path::{check_overlaps, DocPath};
use crate::error::ApiError;
use crate::model::AttributeValue;

/// An operand of a SET action's right-hand side, resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum SetOperand {
    /// The value at a path of the item as it was before the update.
    Path(DocPath),
    /// A constant.
    Value(AttributeValue),
    /// `if_not_exists(path, operand)`.
    IfNotExists(DocPath, Box<SetOperand>),
    /// `list_append(a, b)`.
    ListAppend(Box<SetOperand>, Box<SetOperand>),
}

/// A SET action's right-hand side.
#[derive(Debug, Clone, PartialEq)]
pub enum SetValue {
    /// A single operand.
    Operand(SetOperand),
    /// `a + b` (numbers).
    Plus(SetOperand, SetOperand),
    /// `a - b` (numbers).
    Minus(SetOperand, SetOperand),
}

/// One action of an update, in written order within its clause.
#[derive(Debug, Clone, PartialEq)]
pub enum UpdateAction {
    /// `SET path = value`
    Set(DocPath, SetValue),
    /// `REMOVE path`
    Remove(DocPath),
    /// `ADD path :v` (a number or a set).
    Add(DocPath, AttributeValue),
    /// `DELETE path :v` (a set).
    Delete(DocPath, AttributeValue),
}

impl UpdateAction {
    /// The path the action writes.
    pub fn path(&self) -> &DocPath {
        match self {
            UpdateAction::Set(p, _)
            | UpdateAction::Remove(p)
            | UpdateAction::Add(p, _)
            | UpdateAction::Delete(p, _) => p,
        }
    }
}

/// A compiled UpdateExpression: its actions in written order.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateExpression {
    /// The actions, in the order written.
    pub actions: Vec<UpdateAction>,
}

impl UpdateExpression {
    /// The paths the update writes, in written order.
    pub fn paths(&self) -> Vec<DocPath> {
        self.actions.iter().map(|a| a.path().clone()).collect()
    }

    /// True when the update has actions and every one is a REMOVE.
    pub fn removes_only(&self) -> bool {
        !self.actions.is_empty()
            && self
                .actions
                .iter()
                .all(|a| matches!(a, UpdateAction::Remove(_)))
    }

    /// Fails as DynamoDB does when the update writes a key attribute (or inside one):
    /// "Cannot update attribute <k>. This attribute is part of the key".
    pub fn check_key_attributes<'k>(
        &self,
        key_names: impl IntoIterator<Item = &'k str>,
    ) -> Result<(), ApiError> {
        let keys: Vec<&str> = key_names.into_iter().collect();
        for a in &self.actions {
            let top = a.path().top();
            if keys.contains(&top) {
                return Err(ApiError::validation(format!(
                    "Cannot update attribute {top}. This attribute is part of the key"
                )));
            }
        }
        Ok(())
    }
}

const UPDATE_FUNCTIONS: [&str; 2] = ["if_not_exists", "list_append"];

fn calls_in(op: &Operand, out: &mut Vec<String>) {
    if let Operand::Call(c) = op {
        out.push(c.name.clone());
        c.args.iter().for_each(|a| calls_in(a, out));
    }
}

fn rhs_operands(r: &SetRhs) -> Vec<&Operand> {
    match r {
        SetRhs::Operand(a) => vec![a],
        SetRhs::Plus(a, b) | SetRhs::Minus(a, b) => vec![a, b],
    }
}

fn operand_paths<'a>(op: &'a Operand, out: &mut Vec<&'a RawPath>) {
    match op {
        Operand::Path(p) => out.push(p),
        Operand::Call(c) => c.args.iter().for_each(|a| operand_paths(a, out)),
        Operand::Value(_) => {}
    }
}

/// Every path written in the expression, targets and operands, in written order.
fn all_paths(ast: &UpdateAst) -> Vec<&RawPath> {
    let mut out = Vec::new();
    for clause in &ast.0 {
        match clause {
            UpdateClause::Set(v) => {
                for (p, r) in v {
                    out.push(p);
                    rhs_operands(r)
                        .into_iter()
                        .for_each(|o| operand_paths(o, &mut out));
                }
            }
            UpdateClause::Remove(v) => out.extend(v.iter()),
            UpdateClause::Add(v) | UpdateClause::Delete(v) => out.extend(v.iter().map(|(p, _)| p)),
        }
    }
    out
}

/// Compiles a parsed update expression. `Err` is DynamoDB's message without the
/// `Invalid UpdateExpression: ` prefix.
pub fn compile_update(
    ast: &UpdateAst,
    attrs: &mut ExpressionAttributes<'_>,
) -> Result<UpdateExpression, String> {
    if let Some(word) = all_paths(ast).into_iter().find_map(|p| p.reserved_word()) {
        return Err(format!(
            "Attribute name is a reserved keyword; reserved keyword: {word}"
        ));
    }
    let mut names = Vec::new();
    for clause in &ast.0 {
        if let UpdateClause::Set(v) = clause {
            for (_, r) in v {
                rhs_operands(r)
                    .into_iter()
                    .for_each(|o| calls_in(o, &mut names));
            }
        }
    }
    if let Some(bad) = names
        .iter()
        .find(|n| !UPDATE_FUNCTIONS.contains(&n.as_str()))
    {
        return Err(format!("Invalid function name; function: {bad}"));
    }
    let mut seen: Vec<&str> = Vec::new();
    for clause in &ast.0 {
        if seen.contains(&clause.keyword()) {
            return Err(format!(
                "The \"{}\" section can only be used once in an update expression;",
                clause.keyword()
            ));
        }
        seen.push(clause.keyword());
    }
    // Resolve placeholders: names first, then values, each in written order.
    let mut targets = Vec::new();
    for p in all_paths(ast) {
        attrs.path(p)?;
    }
    let mut actions = Vec::new();
    for clause in &ast.0 {
        match clause {
            UpdateClause::Set(v) => {
                for (p, r) in v {
                    let path = attrs.path(p)?;
                    targets.push(path.clone());
                    actions.push((path, Pending::Set(r)));
                }
            }
            UpdateClause::Remove(v) => {
                for p in v {
                    let path = attrs.path(p)?;
                    targets.push(path.clone());
                    actions.push((path, Pending::Remove));
                }
            }
            UpdateClause::Add(v) | UpdateClause::Delete(v) => {
                let add = matches!(clause, UpdateClause::Add(_));
                for (p, val) in v {
                    let path = attrs.path(p)?;
                    targets.push(path.clone());
                    let value = attrs.value(val)?;
                    actions.push((path, Pending::AddDelete(add, value)));
                }
            }
        }
    }
    // Values used in SET operands are resolved (and so reported) before path checks.
    let mut resolved = Vec::new();
    for (path, pending) in actions {
        resolved.push(match pending {
            Pending::Set(r) => (path, Resolved::Set(resolve_rhs(r, attrs)?)),
            Pending::Remove => (path, Resolved::Remove),
            Pending::AddDelete(add, v) => (path, Resolved::AddDelete(add, v)),
        });
    }
    check_overlaps(&targets)?;
    for (_, r) in &resolved {
        if let Resolved::AddDelete(add, v) = r {
            check_add_delete_type(*add, v)?;
        }
    }
    let mut out = Vec::new();
    for (path, r) in resolved {
        out.push(match r {
            Resolved::Set(v) => UpdateAction::Set(path, check_set_value(v)?),
            Resolved::Remove => UpdateAction::Remove(path),
            Resolved::AddDelete(true, v) => UpdateAction::Add(path, v),
            Resolved::AddDelete(false, v) => UpdateAction::Delete(path, v),
        });
    }
    Ok(UpdateExpression { actions: out })
}

enum Pending<'a> {
    Set(&'a SetRhs),
    Remove,
    AddDelete(bool, AttributeValue),
}

enum Resolved {
    Set(RawSetValue),
    Remove,
    AddDelete(bool, AttributeValue),
}

/// A SET value with placeholders resolved but functions not yet checked.
enum RawOperand {
    Path(DocPath),
    Value(AttributeValue),
    Call(String, Vec<RawOperand>),
}

enum RawSetValue {
    One(RawOperand),
    Plus(RawOperand, RawOperand),
    Minus(RawOperand, RawOperand),
}

fn resolve_operand(
    op: &Operand,
    attrs: &mut ExpressionAttributes<'_>,
) -> Result<RawOperand, String> {
    Ok(match op {
        Operand::Path(p) => RawOperand::Path(attrs.path(p)?),
        Operand::Value(v) => RawOperand::Value(attrs.value(v)?),
        Operand::Call(c) => RawOperand::Call(
            c.name.clone(),
            c.args
                .iter()
                .map(|a| resolve_operand(a, attrs))
                .collect::<Result<_, _>>()?,
        ),
    })
}

fn resolve_rhs(r: &SetRhs, attrs: &mut ExpressionAttributes<'_>) -> Result<RawSetValue, String> {
    Ok(match r {
        SetRhs::Operand(a) => RawSetValue::One(resolve_operand(a, attrs)?),
        SetRhs::Plus(a, b) => {
            RawSetValue::Plus(resolve_operand(a, attrs)?, resolve_operand(b, attrs)?)
        }
        SetRhs::Minus(a, b) => {
            RawSetValue::Minus(resolve_operand(a, attrs)?, resolve_operand(b, attrs)?)
        }
    })
}

fn long_type_name(v: &AttributeValue) -> &'static str {
    match v {
        AttributeValue::S(_) => "STRING",
        AttributeValue::N(_) => "NUMBER",
        AttributeValue::B(_) => "BINARY",
        AttributeValue::Null(_) => "NULL",
        AttributeValue::Bool(_) => "BOOLEAN",
        AttributeValue::L(_) => "LIST",
        AttributeValue::M(_) => "MAP",
        other => other.type_name(),
    }
}

fn check_add_delete_type(add: bool, v: &AttributeValue) -> Result<(), String> {
    let ok = matches!(
        v,
        AttributeValue::SS(_) | AttributeValue::NS(_) | AttributeValue::BS(_)
    ) || (add && matches!(v, AttributeValue::N(_)));
    if ok {
        return Ok(());
    }
    Err(format!(
        "Incorrect operand type for operator or function; operator: {}, operand type: {}",
        if add { "ADD" } else { "DELETE" },
        long_type_name(v)
    ))
}

fn operand_type_error(func: &str, ty: &str) -> String {
    format!(
        "Incorrect operand type for operator or function; operator or function: {func}, operand type: {ty}"
    )
}

/// The constant type an operand is known to have before the item is read.
fn static_type(op: &SetOperand) -> Option<&'static str> {
    match op {
        SetOperand::Value(v) => Some(v.type_name()),
        SetOperand::ListAppend(..) => Some("L"),
        _ => None,
    }
}

/// Checks one SET operand. `nested` is true inside another function's arguments, where
/// DynamoDB allows only `if_not_exists` (`list_append(list_append(:a, :b), :c)` is refused).
fn check_operand(op: RawOperand, nested: bool) -> Result<SetOperand, String> {
    Ok(match op {
        RawOperand::Path(p) => SetOperand::Path(p),
        RawOperand::Value(v) => SetOperand::Value(v),
        RawOperand::Call(name, args) => {
            if nested && name != "if_not_exists" {
                return Err(format!(
                    "The function is not allowed to be used this way in an expression; function: {name}"
                ));
            }
            if args.len() != 2 {
                return Err(format!(
                    "Incorrect number of operands for operator or function; operator or function: {name}, number of operands: {}",
                    args.len()
                ));
            }
            let mut it = args.into_iter();
            let (a, b) = match (it.next(), it.next()) {
                (Some(a), Some(b)) => (a, b),
                _ => return Err(format!("Invalid function name; function: {name}")),
            };
            if name == "if_not_exists" {
                let RawOperand::Path(p) = a else {
                    return Err(format!(
                        "Operator or function requires a document path; operator or function: {name}"
                    ));
                };
                SetOperand::IfNotExists(p, Box::new(check_operand(b, true)?))
            } else {
                let (a, b) = (check_operand(a, true)?, check_operand(b, true)?);
                for t in [&a, &b] {
                    if let SetOperand::Value(v) = t {
                        if v.type_name() != "L" {
                            return Err(operand_type_error("list_append", v.type_name()));
                        }
                    }
                }
                SetOperand::ListAppend(Box::new(a), Box::new(b))
            }
        }
    })
}

fn check_set_value(v: RawSetValue) -> Result<SetValue, String> {
    let arith =
        |sym: &str, a: RawOperand, b: RawOperand| -> Result<(SetOperand, SetOperand), String> {
            let (a, b) = (check_operand(a, false)?, check_operand(b, false)?);
            for t in [&a, &b] {
                if let Some(ty) = static_type(t).filter(|ty| *ty != "N") {
                    return Err(operand_type_error(sym, ty));
                }
            }
            Ok((a, b))
        };
    Ok(match v {
        RawSetValue::One(a) => SetValue::Operand(check_operand(a, false)?),
        RawSetValue::Plus(a, b) => {
            let (a, b) = arith("+", a, b)?;
            SetValue::Plus(a, b)
        }
        RawSetValue::Minus(a, b) => {
            let (a, b) = arith("-", a, b)?;
            SetValue::Minus(a, b)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parser::parse_update_ast;
    use crate::model::Number;
    use std::collections::HashMap;

    fn compile(src: &str) -> Result<UpdateExpression, String> {
        let names: HashMap<String, String> = [
            ("#c".to_string(), "c".to_string()),
            ("#d".into(), "[3]".into()),
        ]
        .into();
        let values: HashMap<String, AttributeValue> = [
            (":s".to_string(), AttributeValue::S("x".into())),
            (
                ":n".to_string(),
                AttributeValue::N(Number::parse("1").unwrap()),
            ),
            (":l".to_string(), AttributeValue::L(vec![])),
            (":ss".to_string(), AttributeValue::SS(vec!["a".into()])),
            (":m".to_string(), AttributeValue::M(Default::default())),
        ]
        .into();
        let mut attrs = ExpressionAttributes::new(Some(&names), Some(&values));
        compile_update(&parse_update_ast(src)?, &mut attrs)
    }

    #[test]
    fn compiles_actions_in_order() {
        let u =
            compile("SET a = :n, b = if_not_exists(b, :n) + :n REMOVE c ADD d :ss DELETE e :ss")
                .unwrap();
        assert_eq!(u.actions.len(), 5);
        assert_eq!(u.paths()[2], DocPath::attribute("c"));
        assert!(matches!(
            &u.actions[1],
            UpdateAction::Set(_, SetValue::Plus(SetOperand::IfNotExists(..), _))
        ));
    }

    #[test]
    fn static_errors_in_dynamodb_order() {
        let e = |s: &str| compile(s).unwrap_err();
        assert_eq!(
            e("SET a = :n SET b = :n"),
            "The \"SET\" section can only be used once in an update expression;"
        );
        assert_eq!(
            e("REMOVE Absolute"),
            "Attribute name is a reserved keyword; reserved keyword: Absolute"
        );
        assert_eq!(
            e("SET a = if_not_exist(a, :n)"),
            "Invalid function name; function: if_not_exist"
        );
        assert_eq!(
            e("SET a = :zz"),
            "An expression attribute value used in expression is not defined; attribute value: :zz"
        );
        assert_eq!(
            e("SET a = :n REMOVE a.b"),
            "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"
        );
        assert_eq!(
            e("set #c[3].#d = :n, #c[3] = :n"),
            "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c, [3], [3]], path two: [c, [3]]"
        );
        assert_eq!(
            e("remove a.#c set a[1] = :n"),
            "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, c], path two: [a, [1]]"
        );
        assert_eq!(
            e("ADD a :s"),
            "Incorrect operand type for operator or function; operator: ADD, operand type: STRING"
        );
        assert_eq!(e("DELETE a :n"), "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER");
        assert_eq!(
            e("ADD a :m"),
            "Incorrect operand type for operator or function; operator: ADD, operand type: MAP"
        );
        assert_eq!(e("SET a = a + :s"), "Incorrect operand type for operator or function; operator or function: +, operand type: S");
        assert_eq!(e("SET a = :l - a"), "Incorrect operand type for operator or function; operator or function: -, operand type: L");
        assert_eq!(e("SET a = list_append(:n, a)"), "Incorrect operand type for operator or function; operator or function: list_append, operand type: N");
        assert_eq!(
            e("SET a = if_not_exists(:n, a)"),
            "Operator or function requires a document path; operator or function: if_not_exists"
        );
        assert_eq!(e("SET a = list_append(a)"), "Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1");
    }

    #[test]
    fn only_if_not_exists_nests() {
        let e = |s: &str| compile(s).unwrap_err();
        let refused = "The function is not allowed to be used this way in an expression; function: list_append";
        assert_eq!(e("SET a = list_append(list_append(:l, :l), :l)"), refused);
        assert_eq!(e("SET a = list_append(:l, list_append(:l, :l))"), refused);
        assert_eq!(e("SET a = if_not_exists(a, list_append(:l, :l))"), refused);
        compile("SET a = list_append(if_not_exists(a, :l), :l)").unwrap();
        compile("SET a = if_not_exists(b, if_not_exists(c, :n))").unwrap();
        compile("SET a = if_not_exists(b, :n) + :n").unwrap();
    }

    #[test]
    fn key_attributes_cannot_be_updated() {
        let u = compile("SET a.b = :n").unwrap();
        assert_eq!(
            u.check_key_attributes(["pk", "a"]).unwrap_err().to_string(),
            "Cannot update attribute a. This attribute is part of the key"
        );
        assert!(u.check_key_attributes(["pk"]).is_ok());
    }
}
