//! Compiled conditions: the syntax tree checked against DynamoDB's rules (function names and
//! uses, reserved words, placeholders, operand counts and types) with placeholders resolved.
//! Checks run in DynamoDB's order of precedence: unknown functions, misused functions,
//! reserved words, then per condition in written order.

use super::ast::{Call, Comparator, ConditionAst, Operand};
use super::compare::{compare_values, describe_value, is_orderable};
use super::names::ExpressionAttributes;
use super::path::DocPath;
use crate::model::AttributeValue;
use std::cmp::Ordering;

/// The most operands the IN operator's list may have.
pub const MAX_IN_OPERANDS: usize = 100;

/// An operand with placeholders resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    /// A document path into the item.
    Path(DocPath),
    /// A constant from ExpressionAttributeValues.
    Value(AttributeValue),
    /// `size(term)`.
    Size(Box<Term>),
}

/// A compiled condition, ready to evaluate against items.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `a <op> b`
    Compare(Term, Comparator, Term),
    /// `a BETWEEN lo AND hi`
    Between(Term, Term, Term),
    /// `a IN (…)`
    In(Term, Vec<Term>),
    /// `attribute_exists(path)`
    AttributeExists(DocPath),
    /// `attribute_not_exists(path)`
    AttributeNotExists(DocPath),
    /// `attribute_type(term, :t)`, with the type descriptor (`S`, `NS`, …).
    AttributeType(Term, String),
    /// `begins_with(a, b)`
    BeginsWith(Term, Term),
    /// `contains(a, b)`
    Contains(Term, Term),
    /// `NOT c`
    Not(Box<Condition>),
    /// `l AND r`
    And(Box<Condition>, Box<Condition>),
    /// `l OR r`
    Or(Box<Condition>, Box<Condition>),
}

const FUNCTIONS: [(&str, usize); 6] = [
    ("attribute_exists", 1),
    ("attribute_not_exists", 1),
    ("attribute_type", 2),
    ("begins_with", 2),
    ("contains", 2),
    ("size", 1),
];

/// Functions of UpdateExpression that DynamoDB names as misplaced in a condition.
const UPDATE_ONLY_FUNCTIONS: [&str; 2] = ["if_not_exists", "list_append"];

const TYPE_NAMES: [&str; 10] = ["S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M"];

/// Compiles a parsed condition. `Err` is DynamoDB's message without the `Invalid <Kind>: `
/// prefix.
pub fn compile_condition(
    ast: &ConditionAst,
    attrs: &mut ExpressionAttributes<'_>,
) -> Result<Condition, String> {
    let mut calls = Vec::new();
    collect_calls(ast, &mut calls);
    if let Some(c) = calls
        .iter()
        .find(|c| !FUNCTIONS.iter().any(|(n, _)| *n == c.name))
    {
        if UPDATE_ONLY_FUNCTIONS.contains(&c.name.as_str()) {
            return Err(format!(
                "The function is not allowed in a condition expression; function: {}",
                c.name
            ));
        }
        return Err(format!("Invalid function name; function: {}", c.name));
    }
    if let Some(name) = misused_function(ast) {
        return Err(format!(
            "The function is not allowed to be used this way in an expression; function: {name}"
        ));
    }
    if let Some(word) = reserved_word(ast) {
        return Err(format!(
            "Attribute name is a reserved keyword; reserved keyword: {word}"
        ));
    }
    build(ast, attrs)
}

fn operands(ast: &ConditionAst) -> Vec<&Operand> {
    match ast {
        ConditionAst::Compare(a, _, b) => vec![a, b],
        ConditionAst::Between(a, b, c) => vec![a, b, c],
        ConditionAst::In(a, list) => std::iter::once(a).chain(list).collect(),
        ConditionAst::Call(c) => c.args.iter().collect(),
        _ => Vec::new(),
    }
}

fn children(ast: &ConditionAst) -> Vec<&ConditionAst> {
    match ast {
        ConditionAst::Not(c) => vec![c],
        ConditionAst::And(l, r) | ConditionAst::Or(l, r) => vec![l, r],
        _ => Vec::new(),
    }
}

fn collect_calls<'a>(ast: &'a ConditionAst, out: &mut Vec<&'a Call>) {
    fn in_operand<'a>(op: &'a Operand, out: &mut Vec<&'a Call>) {
        if let Operand::Call(c) = op {
            out.push(c);
            c.args.iter().for_each(|a| in_operand(a, out));
        }
    }
    if let ConditionAst::Call(c) = ast {
        out.push(c);
    }
    operands(ast).into_iter().for_each(|o| in_operand(o, out));
    children(ast)
        .into_iter()
        .for_each(|c| collect_calls(c, out));
}

/// The first function used where its result cannot go: a boolean function as an operand,
/// or `size` as a whole condition.
fn misused_function(ast: &ConditionAst) -> Option<String> {
    fn in_operand(op: &Operand) -> Option<String> {
        match op {
            Operand::Call(c) if c.name != "size" => Some(c.name.clone()),
            Operand::Call(c) => c.args.iter().find_map(in_operand),
            _ => None,
        }
    }
    if let ConditionAst::Call(c) = ast {
        if c.name == "size" {
            return Some(c.name.clone());
        }
    }
    operands(ast)
        .into_iter()
        .find_map(in_operand)
        .or_else(|| children(ast).into_iter().find_map(misused_function))
}

fn reserved_word(ast: &ConditionAst) -> Option<String> {
    fn in_operand(op: &Operand) -> Option<String> {
        match op {
            Operand::Path(p) => p.reserved_word(),
            Operand::Call(c) => c.args.iter().find_map(in_operand),
            Operand::Value(_) => None,
        }
    }
    operands(ast)
        .into_iter()
        .find_map(in_operand)
        .or_else(|| children(ast).into_iter().find_map(reserved_word))
}

fn type_of(t: &Term) -> Option<&'static str> {
    match t {
        Term::Value(v) => Some(v.type_name()),
        Term::Size(_) => Some("N"),
        Term::Path(_) => None,
    }
}

fn operand_type_error(func: &str, ty: &str) -> String {
    format!(
        "Incorrect operand type for operator or function; operator or function: {func}, operand type: {ty}"
    )
}

fn term(op: &Operand, attrs: &mut ExpressionAttributes<'_>) -> Result<Term, String> {
    match op {
        Operand::Path(p) => Ok(Term::Path(attrs.path(p)?)),
        Operand::Value(v) => Ok(Term::Value(attrs.value(v)?)),
        Operand::Call(c) => {
            let args = terms(&c.args, attrs)?;
            check_count(&c.name, args.len())?;
            let arg = args.into_iter().next().ok_or_else(|| c.name.clone())?;
            if let Some(ty @ ("N" | "BOOL" | "NULL")) = type_of(&arg) {
                return Err(operand_type_error("size", ty));
            }
            Ok(Term::Size(Box::new(arg)))
        }
    }
}

fn terms(ops: &[Operand], attrs: &mut ExpressionAttributes<'_>) -> Result<Vec<Term>, String> {
    ops.iter().map(|o| term(o, attrs)).collect()
}

fn check_count(name: &str, n: usize) -> Result<(), String> {
    let want = FUNCTIONS.iter().find(|(f, _)| *f == name).map(|(_, n)| *n);
    if want != Some(n) {
        return Err(format!(
            "Incorrect number of operands for operator or function; operator or function: {name}, number of operands: {n}"
        ));
    }
    Ok(())
}

fn check_distinct(op: &str, a: &Term, b: &Term) -> Result<(), String> {
    if let (Term::Path(p), Term::Path(q)) = (a, b) {
        if p == q {
            return Err(format!(
                "The first operand must be distinct from the remaining operands for this operator or function; operator: {op}, first operand: {}",
                p.describe()
            ));
        }
    }
    Ok(())
}

fn check_orderable(op: &str, ts: &[&Term]) -> Result<(), String> {
    for t in ts {
        if let Term::Value(v) = t {
            if !is_orderable(v) {
                return Err(operand_type_error(op, v.type_name()));
            }
        }
    }
    Ok(())
}

fn check_between_bounds(lo: &Term, hi: &Term) -> Result<(), String> {
    if let (Term::Value(l), Term::Value(h)) = (lo, hi) {
        let bounds = format!(
            "lower bound operand: AttributeValue: {}, upper bound operand: AttributeValue: {}",
            describe_value(l),
            describe_value(h)
        );
        if l.type_name() != h.type_name() {
            return Err(format!(
                "The BETWEEN operator requires same data type for lower and upper bounds; {bounds}"
            ));
        }
        if compare_values(l, h) == Some(Ordering::Greater) {
            return Err(format!(
                "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; {bounds}"
            ));
        }
    }
    Ok(())
}

fn build(ast: &ConditionAst, attrs: &mut ExpressionAttributes<'_>) -> Result<Condition, String> {
    Ok(match ast {
        ConditionAst::Compare(a, op, b) => {
            let (a, b) = (term(a, attrs)?, term(b, attrs)?);
            check_distinct(op.as_str(), &a, &b)?;
            if !matches!(op, Comparator::Eq | Comparator::Ne) {
                check_orderable(op.as_str(), &[&a, &b])?;
            }
            Condition::Compare(a, *op, b)
        }
        ConditionAst::Between(a, lo, hi) => {
            let (a, lo, hi) = (term(a, attrs)?, term(lo, attrs)?, term(hi, attrs)?);
            check_orderable("BETWEEN", &[&a, &lo, &hi])?;
            check_between_bounds(&lo, &hi)?;
            Condition::Between(a, lo, hi)
        }
        ConditionAst::In(a, list) => {
            let a = term(a, attrs)?;
            let list = terms(list, attrs)?;
            if list.len() > MAX_IN_OPERANDS {
                return Err(format!(
                    "The IN operator is provided with too many operands; number of operands: {}",
                    list.len()
                ));
            }
            Condition::In(a, list)
        }
        ConditionAst::Call(c) => function(c, attrs)?,
        ConditionAst::Not(c) => Condition::Not(Box::new(build(c, attrs)?)),
        ConditionAst::And(l, r) => {
            Condition::And(Box::new(build(l, attrs)?), Box::new(build(r, attrs)?))
        }
        ConditionAst::Or(l, r) => {
            Condition::Or(Box::new(build(l, attrs)?), Box::new(build(r, attrs)?))
        }
    })
}

fn function(c: &Call, attrs: &mut ExpressionAttributes<'_>) -> Result<Condition, String> {
    let args = terms(&c.args, attrs)?;
    check_count(&c.name, args.len())?;
    let mut it = args.into_iter();
    let (a, b) = (it.next(), it.next());
    if let (Some(a), Some(b)) = (&a, &b) {
        check_distinct(&c.name, a, b)?;
    }
    let need_path = |t: Option<Term>| match t {
        Some(Term::Path(p)) => Ok(p),
        _ => Err(format!(
            "Operator or function requires a document path; operator or function: {}",
            c.name
        )),
    };
    let pair = |a: Option<Term>, b: Option<Term>| a.zip(b).ok_or_else(|| c.name.clone());
    Ok(match c.name.as_str() {
        "attribute_exists" => Condition::AttributeExists(need_path(a)?),
        "attribute_not_exists" => Condition::AttributeNotExists(need_path(a)?),
        "attribute_type" => {
            let (a, b) = pair(a, b)?;
            let t = match &b {
                Term::Value(AttributeValue::S(s)) => s.clone(),
                other => {
                    let ty = type_of(other).unwrap_or("{NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
                    return Err(operand_type_error("attribute_type", ty));
                }
            };
            if !TYPE_NAMES.contains(&t.as_str()) {
                return Err(format!(
                    "Invalid attribute type name found; type: {t}, valid types: {{B,NULL,SS,BOOL,L,BS,N,NS,S,M}}"
                ));
            }
            Condition::AttributeType(a, t)
        }
        "begins_with" => {
            let (a, b) = pair(a, b)?;
            for t in [&a, &b] {
                if let Some(ty) = type_of(t).filter(|ty| *ty != "S" && *ty != "B") {
                    return Err(operand_type_error("begins_with", ty));
                }
            }
            Condition::BeginsWith(a, b)
        }
        "contains" => {
            let (a, b) = pair(a, b)?;
            Condition::Contains(a, b)
        }
        other => {
            return Err(format!(
            "The function is not allowed to be used this way in an expression; function: {other}"
        ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parser::parse_condition_ast;
    use crate::model::Number;
    use std::collections::HashMap;

    fn compile(src: &str) -> Result<Condition, String> {
        let names: HashMap<String, String> = [("#n".to_string(), "name".to_string())].into();
        let values: HashMap<String, AttributeValue> = [
            (":s".to_string(), AttributeValue::S("x".into())),
            (":t".to_string(), AttributeValue::S("SS".into())),
            (":bad".to_string(), AttributeValue::S("XX".into())),
            (
                ":n".to_string(),
                AttributeValue::N(Number::parse("1").unwrap()),
            ),
            (
                ":m".to_string(),
                AttributeValue::N(Number::parse("2").unwrap()),
            ),
            (":l".to_string(), AttributeValue::L(vec![])),
        ]
        .into();
        let mut attrs = ExpressionAttributes::new(Some(&names), Some(&values));
        compile_condition(&parse_condition_ast(src)?, &mut attrs)
    }

    #[test]
    fn compiles_valid_conditions() {
        let c = compile("#n = :s AND attribute_type(a, :t) AND size(b) > :n").unwrap();
        assert!(matches!(c, Condition::And(..)));
        assert_eq!(
            compile("attribute_exists(#n)").unwrap(),
            Condition::AttributeExists(DocPath::attribute("name"))
        );
    }

    #[test]
    fn function_errors() {
        let e = |s: &str| compile(s).unwrap_err();
        assert_eq!(
            e("foo(a) AND size(a) = :n"),
            "Invalid function name; function: foo"
        );
        assert_eq!(
            e("if_not_exists(a, a) = :n"),
            "The function is not allowed in a condition expression; function: if_not_exists"
        );
        assert_eq!(
            e("size(a) > :n AND list_append(a, a) = :n"),
            "The function is not allowed in a condition expression; function: list_append"
        );
        assert_eq!(
            e("attribute_exists(a) > :n"),
            "The function is not allowed to be used this way in an expression; function: attribute_exists"
        );
        assert_eq!(
            e("size(a)"),
            "The function is not allowed to be used this way in an expression; function: size"
        );
        assert_eq!(
            e("begins_with(a, :n)"),
            "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"
        );
        assert_eq!(
            e("attribute_exists(:s)"),
            "Operator or function requires a document path; operator or function: attribute_exists"
        );
        assert_eq!(
            e("contains(a)"),
            "Incorrect number of operands for operator or function; operator or function: contains, number of operands: 1"
        );
        assert_eq!(
            e("attribute_type(a, :bad)"),
            "Invalid attribute type name found; type: XX, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"
        );
        assert_eq!(
            e("size(:n) = :n"),
            "Incorrect operand type for operator or function; operator or function: size, operand type: N"
        );
    }

    #[test]
    fn operand_errors() {
        let e = |s: &str| compile(s).unwrap_err();
        assert_eq!(
            e("name = :s"),
            "Attribute name is a reserved keyword; reserved keyword: name"
        );
        assert_eq!(
            e("a = a"),
            "The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]"
        );
        assert_eq!(
            e("a < :l"),
            "Incorrect operand type for operator or function; operator or function: <, operand type: L"
        );
        assert_eq!(
            e("a BETWEEN :m AND :n"),
            "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}"
        );
        assert_eq!(
            e("a BETWEEN :n AND :s"),
            "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:x}"
        );
        assert_eq!(
            e("#zz = :s"),
            "An expression attribute name used in the document path is not defined; attribute name: #zz"
        );
        let many: Vec<&str> = vec![":n"; 101];
        assert_eq!(
            e(&format!("a IN ({})", many.join(","))),
            "The IN operator is provided with too many operands; number of operands: 101"
        );
    }
}
