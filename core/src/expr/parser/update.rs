//! Update grammar:
//!
//! ```text
//! update := clause+
//! clause := SET path '=' rhs ( ',' path '=' rhs )*
//!         | REMOVE path ( ',' path )*
//!         | ADD path value ( ',' path value )*
//!         | DELETE path value ( ',' path value )*
//! rhs    := '(' sum ')' | sum
//! sum    := operand ( ( '+' | '-' ) operand )?
//! ```
//! Clause keywords are case-insensitive. A repeated clause parses; it is rejected when the
//! tree is compiled.

use super::{furthest, run, PResult, Parser};
use crate::expr::ast::{RawPath, SetRhs, UpdateAst, UpdateClause};
use crate::expr::lexer::TokenKind;

const CLAUSES: [&str; 4] = ["SET", "REMOVE", "ADD", "DELETE"];

/// Parses update text into its syntax tree. `Err` is DynamoDB's message without the
/// `Invalid UpdateExpression: ` prefix.
pub fn parse_update_ast(src: &str) -> Result<UpdateAst, String> {
    run(src, |p| {
        let mut clauses = vec![clause(p)?];
        while p.peek().kind != TokenKind::Eof {
            clauses.push(clause(p)?);
        }
        Ok(UpdateAst(clauses))
    })
}

fn list<T>(
    p: &mut Parser<'_>,
    mut item: impl FnMut(&mut Parser<'_>) -> PResult<T>,
) -> PResult<Vec<T>> {
    let mut out = vec![item(p)?];
    while p.peek().kind == TokenKind::Comma {
        p.bump();
        out.push(item(p)?);
    }
    Ok(out)
}

fn value(p: &mut Parser<'_>) -> PResult<String> {
    match &p.peek().kind {
        TokenKind::Value(v) => {
            let v = v.clone();
            p.bump();
            Ok(v)
        }
        _ => Err(p.error()),
    }
}

fn path_value(p: &mut Parser<'_>) -> PResult<(RawPath, String)> {
    let path = p.path()?;
    Ok((path, value(p)?))
}

fn clause(p: &mut Parser<'_>) -> PResult<UpdateClause> {
    let t = p.peek().clone();
    let keyword = CLAUSES.iter().find(|k| t.is_keyword(k));
    let Some(keyword) = keyword else {
        return Err(p.error());
    };
    p.bump();
    Ok(match *keyword {
        "SET" => UpdateClause::Set(list(p, set_action)?),
        "REMOVE" => UpdateClause::Remove(list(p, |p| p.path())?),
        "ADD" => UpdateClause::Add(list(p, path_value)?),
        _ => UpdateClause::Delete(list(p, path_value)?),
    })
}

fn set_action(p: &mut Parser<'_>) -> PResult<(RawPath, SetRhs)> {
    let path = p.path()?;
    p.expect(&TokenKind::Eq)?;
    Ok((path, rhs(p)?))
}

/// Whether the current token may follow a complete SET action.
fn ends_action(p: &Parser<'_>) -> bool {
    let t = p.peek();
    matches!(t.kind, TokenKind::Comma | TokenKind::Eof) || CLAUSES.iter().any(|k| t.is_keyword(k))
}

fn rhs(p: &mut Parser<'_>) -> PResult<SetRhs> {
    let mut paren_err = None;
    if p.peek().kind == TokenKind::LParen {
        // `(` may wrap the whole sum or only its first operand.
        let start = p.pos();
        let flag = p.redundant_parens;
        let attempt = (|| {
            p.bump();
            let s = sum(p)?;
            p.expect(&TokenKind::RParen)?;
            if !ends_action(p) {
                return Err(p.error());
            }
            Ok(s)
        })();
        match attempt {
            Ok(s) => return Ok(s),
            Err(e) => {
                paren_err = Some(e);
                p.reset(start);
                p.redundant_parens = flag;
            }
        }
    }
    match (sum(p), paren_err) {
        (Err(e), Some(pe)) => Err(furthest(pe, e)),
        (r, _) => r,
    }
}

fn sum(p: &mut Parser<'_>) -> PResult<SetRhs> {
    let a = p.operand()?;
    match p.peek().kind {
        TokenKind::Plus => {
            p.bump();
            Ok(SetRhs::Plus(a, p.operand()?))
        }
        TokenKind::Minus => {
            p.bump();
            Ok(SetRhs::Minus(a, p.operand()?))
        }
        _ => Ok(SetRhs::Operand(a)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::ast::{Call, Operand, PathSegment};

    fn path(s: &str) -> RawPath {
        RawPath(vec![PathSegment::Attr(s.into())])
    }

    #[test]
    fn parses_all_clauses_case_insensitively() {
        let u = parse_update_ast(
            "set a = :v, b = (c + :one), d = list_append(d, :l) remove e, f[1] add g :n delete h :s",
        )
        .unwrap();
        assert_eq!(u.0.len(), 4);
        assert_eq!(
            u.0[0],
            UpdateClause::Set(vec![
                (path("a"), SetRhs::Operand(Operand::Value(":v".into()))),
                (
                    path("b"),
                    SetRhs::Plus(Operand::Path(path("c")), Operand::Value(":one".into()))
                ),
                (
                    path("d"),
                    SetRhs::Operand(Operand::Call(Call {
                        name: "list_append".into(),
                        args: vec![Operand::Path(path("d")), Operand::Value(":l".into())]
                    }))
                ),
            ])
        );
        assert_eq!(u.0[2], UpdateClause::Add(vec![(path("g"), ":n".into())]));
    }

    #[test]
    fn parenthesized_first_operand() {
        let u = parse_update_ast("SET a = (b) - :x").unwrap();
        assert_eq!(
            u.0[0],
            UpdateClause::Set(vec![(
                path("a"),
                SetRhs::Minus(Operand::Path(path("b")), Operand::Value(":x".into()))
            )])
        );
    }

    #[test]
    fn syntax_errors() {
        let e = |s: &str| parse_update_ast(s).unwrap_err();
        assert_eq!(
            e("SET _123 = :v"),
            "Syntax error; token: \"_\", near: \"SET _123\""
        );
        assert_eq!(e("SET a"), "Syntax error; token: \"<EOF>\", near: \"a\"");
        assert_eq!(e("a = :v"), "Syntax error; token: \"a\", near: \"a =\"");
        assert_eq!(
            e("SET a = b + c + d"),
            "Syntax error; token: \"+\", near: \"c + d\""
        );
        assert_eq!(e("ADD a b"), "Syntax error; token: \"b\", near: \"a b\"");
        assert_eq!(e(""), "The expression can not be empty;");
    }
}
