//! Projection grammar: `path ( ',' path )*`.

use super::run;
use crate::expr::ast::ProjectionAst;
use crate::expr::lexer::TokenKind;

/// Parses projection text into its syntax tree. `Err` is DynamoDB's message without the
/// `Invalid ProjectionExpression: ` prefix.
pub fn parse_projection_ast(src: &str) -> Result<ProjectionAst, String> {
    run(src, |p| {
        let mut paths = vec![p.path()?];
        while p.peek().kind == TokenKind::Comma {
            p.bump();
            paths.push(p.path()?);
        }
        p.expect_eof()?;
        Ok(ProjectionAst(paths))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_paths() {
        let p = parse_projection_ast("a, b.c[1], #d").unwrap();
        assert_eq!(p.to_string(), "a, b.c[1], #d");
    }

    #[test]
    fn rejects_trailing_comma_and_functions() {
        assert_eq!(
            parse_projection_ast("a,").unwrap_err(),
            "Syntax error; token: \"<EOF>\", near: \",\""
        );
        assert_eq!(
            parse_projection_ast("size(a)").unwrap_err(),
            "Syntax error; token: \"(\", near: \"size(a\""
        );
    }
}
