//! Condition grammar (ConditionExpression, FilterExpression, KeyConditionExpression):
//!
//! ```text
//! or      := and ( OR and )*
//! and     := not ( AND not )*
//! not     := NOT not | primary
//! primary := '(' or ')'
//!          | operand comparator operand
//!          | operand BETWEEN operand AND operand
//!          | operand IN '(' operand ( ',' operand )* ')'
//!          | call
//! ```
//! Keywords are case-insensitive; AND and OR associate to the left.

use super::{furthest, run, PResult, Parser};
use crate::expr::ast::{Comparator, ConditionAst, Operand};
use crate::expr::lexer::TokenKind;

/// Parses condition text into its syntax tree. `Err` is DynamoDB's message without the
/// `Invalid <Kind>: ` prefix.
pub fn parse_condition_ast(src: &str) -> Result<ConditionAst, String> {
    run(src, |p| {
        let c = or(p)?;
        p.expect_eof()?;
        Ok(c)
    })
}

fn or(p: &mut Parser<'_>) -> PResult<ConditionAst> {
    let mut left = and(p)?;
    while p.peek().is_keyword("OR") {
        p.bump();
        let right = and(p)?;
        left = ConditionAst::Or(Box::new(left), Box::new(right));
    }
    Ok(left)
}

fn and(p: &mut Parser<'_>) -> PResult<ConditionAst> {
    let mut left = not(p)?;
    while p.peek().is_keyword("AND") {
        p.bump();
        let right = not(p)?;
        left = ConditionAst::And(Box::new(left), Box::new(right));
    }
    Ok(left)
}

/// `NOT NOT … primary`, iteratively: a chain of thousands of NOTs must not recurse.
fn not(p: &mut Parser<'_>) -> PResult<ConditionAst> {
    let mut nots = 0usize;
    while p.peek().is_keyword("NOT") {
        p.bump();
        nots += 1;
    }
    let mut c = primary(p)?;
    for _ in 0..nots {
        c = ConditionAst::Not(Box::new(c));
    }
    Ok(c)
}

fn comparator(kind: &TokenKind) -> Option<Comparator> {
    Some(match kind {
        TokenKind::Eq => Comparator::Eq,
        TokenKind::Ne => Comparator::Ne,
        TokenKind::Lt => Comparator::Lt,
        TokenKind::Le => Comparator::Le,
        TokenKind::Gt => Comparator::Gt,
        TokenKind::Ge => Comparator::Ge,
        _ => return None,
    })
}

/// Whether the current token continues an operand into a comparison.
fn starts_comparison(p: &Parser<'_>) -> bool {
    let t = p.peek();
    comparator(&t.kind).is_some() || t.is_keyword("BETWEEN") || t.is_keyword("IN")
}

fn primary(p: &mut Parser<'_>) -> PResult<ConditionAst> {
    let mut paren_err = None;
    if p.peek().kind == TokenKind::LParen {
        // `(` may open a parenthesized condition or a parenthesized operand: try the
        // condition first and fall back, keeping whichever error got further.
        let start = p.pos();
        let flag = p.redundant_parens;
        let attempt = (|| {
            p.bump();
            let c = or(p)?;
            p.expect(&TokenKind::RParen)?;
            if starts_comparison(p) {
                return Err(p.error());
            }
            Ok(c)
        })();
        match attempt {
            Ok(c) => {
                p.note_parens(start, p.pos() - 1);
                return Ok(c);
            }
            Err(e) => {
                paren_err = Some(e);
                p.reset(start);
                p.redundant_parens = flag;
            }
        }
    }
    let result = comparison(p);
    match (result, paren_err) {
        (Err(e), Some(pe)) => Err(furthest(pe, e)),
        (r, _) => r,
    }
}

fn comparison(p: &mut Parser<'_>) -> PResult<ConditionAst> {
    let left = p.operand()?;
    if let Some(op) = comparator(&p.peek().kind) {
        p.bump();
        let right = p.operand()?;
        return Ok(ConditionAst::Compare(left, op, right));
    }
    if p.peek().is_keyword("BETWEEN") {
        p.bump();
        let lo = p.operand()?;
        if !p.peek().is_keyword("AND") {
            return Err(p.error());
        }
        p.bump();
        let hi = p.operand()?;
        return Ok(ConditionAst::Between(left, lo, hi));
    }
    if p.peek().is_keyword("IN") {
        p.bump();
        p.expect(&TokenKind::LParen)?;
        let mut list = vec![p.operand()?];
        while p.peek().kind == TokenKind::Comma {
            p.bump();
            list.push(p.operand()?);
        }
        p.expect(&TokenKind::RParen)?;
        return Ok(ConditionAst::In(left, list));
    }
    match left {
        Operand::Call(call) => Ok(ConditionAst::Call(call)),
        _ => Err(p.error()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::ast::{Call, PathSegment, RawPath};

    fn path(s: &str) -> Operand {
        Operand::Path(RawPath(vec![PathSegment::Attr(s.into())]))
    }

    fn val(s: &str) -> Operand {
        Operand::Value(s.into())
    }

    fn eq(a: &str, v: &str) -> Box<ConditionAst> {
        Box::new(ConditionAst::Compare(path(a), Comparator::Eq, val(v)))
    }

    #[test]
    fn precedence_not_and_or() {
        let c = parse_condition_ast("a = :a OR NOT b = :b AND c = :c").unwrap();
        assert_eq!(
            c,
            ConditionAst::Or(
                eq("a", ":a"),
                Box::new(ConditionAst::And(
                    Box::new(ConditionAst::Not(eq("b", ":b"))),
                    eq("c", ":c")
                ))
            )
        );
    }

    #[test]
    fn parentheses_group_and_operands_may_be_parenthesized() {
        let c = parse_condition_ast("(a = :a or b = :b) and (c) = :c").unwrap();
        assert_eq!(
            c,
            ConditionAst::And(
                Box::new(ConditionAst::Or(eq("a", ":a"), eq("b", ":b"))),
                eq("c", ":c")
            )
        );
    }

    #[test]
    fn between_in_and_functions() {
        let c = parse_condition_ast("a between :x AND :y").unwrap();
        assert_eq!(c, ConditionAst::Between(path("a"), val(":x"), val(":y")));
        let c = parse_condition_ast("a IN (:x, :y)").unwrap();
        assert_eq!(c, ConditionAst::In(path("a"), vec![val(":x"), val(":y")]));
        let c = parse_condition_ast("size(a) > :n AND attribute_exists(b)").unwrap();
        assert_eq!(
            c,
            ConditionAst::And(
                Box::new(ConditionAst::Compare(
                    Operand::Call(Call {
                        name: "size".into(),
                        args: vec![path("a")]
                    }),
                    Comparator::Gt,
                    val(":n")
                )),
                Box::new(ConditionAst::Call(Call {
                    name: "attribute_exists".into(),
                    args: vec![path("b")]
                }))
            )
        );
    }

    #[test]
    fn syntax_errors() {
        let e = |s: &str| parse_condition_ast(s).unwrap_err();
        assert_eq!(e("foo"), "Syntax error; token: \"<EOF>\", near: \"foo\"");
        assert_eq!(e("a = "), "Syntax error; token: \"<EOF>\", near: \"=\"");
        assert_eq!(
            e("a = :v :w"),
            "Syntax error; token: \":w\", near: \":v :w\""
        );
        assert_eq!(e("a IN ()"), "Syntax error; token: \")\", near: \"()\"");
        assert_eq!(
            e("a = :v AND"),
            "Syntax error; token: \"<EOF>\", near: \"AND\""
        );
        assert_eq!(e("(a = :v"), "Syntax error; token: \"<EOF>\", near: \":v\"");
    }

    #[test]
    fn redundant_parentheses() {
        let msg = "The expression has redundant parentheses;";
        assert_eq!(parse_condition_ast("((a = :v))").unwrap_err(), msg);
        assert_eq!(parse_condition_ast("((a)) = :v").unwrap_err(), msg);
        assert!(parse_condition_ast("(a = :v) AND (b = :v)").is_ok());
        assert!(parse_condition_ast("((a = :v) AND (b = :v))").is_ok());
        assert!(parse_condition_ast("((a) = :v)").is_ok());
    }
}
