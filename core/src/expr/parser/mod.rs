//! Recursive-descent parsers for the five expression kinds, over the tokens of `lexer`.
//!
//! Hand-written because DynamoDB's syntax errors name the offending token and the source
//! around it (`Syntax error; token: "<tok>", near: "<text>"`), which no parser generator
//! reproduces. The parsers check syntax only; meaning is checked when the tree is compiled.

mod condition;
mod projection;
mod update;

pub use condition::parse_condition_ast;
pub use projection::parse_projection_ast;
pub use update::parse_update_ast;

use super::ast::{Call, Operand, PathSegment, RawPath};
use super::lexer::{tokenize, Token, TokenKind};

/// A syntax failure at a token index (the message is built from the source at the end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// Index of the offending token.
    pub at: usize,
}

/// Keeps the error that got furthest into the input, as a backtracking parser reports it.
pub(crate) fn furthest(a: SyntaxError, b: SyntaxError) -> SyntaxError {
    if b.at > a.at {
        b
    } else {
        a
    }
}

/// DynamoDB's limit on the length of any one expression, in bytes.
pub(crate) const MAX_EXPRESSION_BYTES: usize = 4096;

/// Deepest parenthesis nesting the recursive-descent parsers accept. DynamoDB accepts 149
/// nested parenthesized conditions and rejects 454; the bound keeps recursion (and the
/// condition/operand backtracking at each `(`) far from the thread's stack limit.
pub(crate) const MAX_NESTING: usize = 256;

/// DynamoDB's limit on operators and functions in one expression ("The maximum number of
/// operators or functions allowed in a single expression is 300"). It also bounds the depth
/// of the left-deep trees that compiling and evaluating walk recursively.
pub(crate) const MAX_OPERATORS: usize = 300;

/// Comparators, AND / OR / NOT / BETWEEN / IN and function calls (a word before `(`).
fn operator_count(tokens: &[Token]) -> usize {
    let mut n = 0;
    for (i, t) in tokens.iter().enumerate() {
        let call = matches!(t.kind, TokenKind::Ident(_))
            && tokens
                .get(i + 1)
                .is_some_and(|next| next.kind == TokenKind::LParen);
        let op = matches!(
            t.kind,
            TokenKind::Eq
                | TokenKind::Ne
                | TokenKind::Lt
                | TokenKind::Le
                | TokenKind::Gt
                | TokenKind::Ge
        ) || ["AND", "OR", "NOT", "BETWEEN", "IN"]
            .iter()
            .any(|k| t.is_keyword(k));
        if call || op {
            n += 1;
        }
    }
    n
}

/// The index of the first `(` nested deeper than [`MAX_NESTING`], if any.
fn too_deep(tokens: &[Token]) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            TokenKind::LParen => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            TokenKind::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Parsing state shared by the expression grammars.
pub(crate) struct Parser<'s> {
    src: &'s str,
    tokens: Vec<Token>,
    pos: usize,
    /// Set when `((…))` was seen; DynamoDB rejects redundant parentheses after parsing.
    pub redundant_parens: bool,
}

pub(crate) type PResult<T> = Result<T, SyntaxError>;

impl<'s> Parser<'s> {
    /// A parser over `src`.
    pub fn new(src: &'s str) -> Self {
        Parser {
            src,
            tokens: tokenize(src),
            pos: 0,
            redundant_parens: false,
        }
    }

    /// The current token.
    pub fn peek(&self) -> &Token {
        let last = self.tokens.len() - 1;
        &self.tokens[self.pos.min(last)]
    }

    /// The token `n` places ahead of the current one.
    pub fn peek_at(&self, n: usize) -> &Token {
        let last = self.tokens.len() - 1;
        &self.tokens[(self.pos + n).min(last)]
    }

    /// Current position (for backtracking).
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Returns to a saved position.
    pub fn reset(&mut self, pos: usize) {
        self.pos = pos;
    }

    /// Moves past the current token.
    pub fn bump(&mut self) {
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
    }

    /// An error at the current token.
    pub fn error(&self) -> SyntaxError {
        SyntaxError { at: self.pos }
    }

    /// Consumes the current token if it has kind `kind`, else fails at it.
    pub fn expect(&mut self, kind: &TokenKind) -> PResult<()> {
        if &self.peek().kind == kind {
            self.bump();
            Ok(())
        } else {
            Err(self.error())
        }
    }

    /// Fails unless all input was consumed.
    pub fn expect_eof(&self) -> PResult<()> {
        if self.peek().kind == TokenKind::Eof {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    /// DynamoDB's syntax error text for `err`: the offending token, and the source from the
    /// token before it through the token after it.
    pub fn message(&self, err: SyntaxError) -> String {
        let last = self.tokens.len() - 1;
        let at = err.at.min(last);
        let tok = &self.tokens[at];
        let token_text = if tok.kind == TokenKind::Eof {
            "<EOF>"
        } else {
            &self.src[tok.start..tok.end]
        };
        let start = if at > 0 {
            self.tokens[at - 1].start
        } else {
            tok.start
        };
        let end = if tok.kind == TokenKind::Eof {
            if at > 0 {
                self.tokens[at - 1].end
            } else {
                tok.start
            }
        } else if at < last && self.tokens[at + 1].kind != TokenKind::Eof {
            self.tokens[at + 1].end
        } else {
            tok.end
        };
        format!(
            "Syntax error; token: \"{token_text}\", near: \"{}\"",
            &self.src[start..end]
        )
    }

    /// Whether tokens `open..=close` are a `(` and the `)` that matches it.
    fn parens_match(&self, open: usize, close: usize) -> bool {
        if self.tokens.get(open).map(|t| &t.kind) != Some(&TokenKind::LParen)
            || self.tokens.get(close).map(|t| &t.kind) != Some(&TokenKind::RParen)
        {
            return false;
        }
        let mut depth = 0usize;
        for (i, t) in self.tokens[open..=close].iter().enumerate() {
            match t.kind {
                TokenKind::LParen => depth += 1,
                TokenKind::RParen => {
                    depth = depth.saturating_sub(1);
                    // Closing before `close` means `open` was not the outer pair.
                    if depth == 0 && open + i != close {
                        return false;
                    }
                }
                _ => {}
            }
        }
        true
    }

    /// Records redundant parentheses when the body between `(` at `open` and `)` at `close`
    /// is itself wholly parenthesized.
    pub fn note_parens(&mut self, open: usize, close: usize) {
        if close > open + 1 && self.parens_match(open + 1, close - 1) {
            self.redundant_parens = true;
        }
    }

    /// `#name` or a bare word as the first or a dotted segment of a path.
    fn path_word(&mut self) -> PResult<PathSegment> {
        let seg = match &self.peek().kind {
            TokenKind::Ident(s) => PathSegment::Attr(s.clone()),
            TokenKind::Name(s) => PathSegment::Name(s.clone()),
            _ => return Err(self.error()),
        };
        self.bump();
        Ok(seg)
    }

    /// A document path: `word ( '.' word | '[' digits ']' )*`.
    pub fn path(&mut self) -> PResult<RawPath> {
        let mut segs = vec![self.path_word()?];
        loop {
            match self.peek().kind {
                TokenKind::Dot => {
                    self.bump();
                    segs.push(self.path_word()?);
                }
                TokenKind::LBracket => {
                    self.bump();
                    let seg = match &self.peek().kind {
                        TokenKind::Number(d) => match d.parse::<u32>() {
                            Ok(n) => PathSegment::Index(n),
                            Err(_) => PathSegment::OutOfRangeIndex(d.clone()),
                        },
                        _ => return Err(self.error()),
                    };
                    self.bump();
                    self.expect(&TokenKind::RBracket)?;
                    segs.push(seg);
                }
                _ => return Ok(RawPath(segs)),
            }
        }
    }

    /// An operand: `( operand )`, a function call, a value placeholder or a path.
    pub fn operand(&mut self) -> PResult<Operand> {
        match self.peek().kind.clone() {
            TokenKind::LParen => {
                let open = self.pos;
                self.bump();
                let inner = self.operand()?;
                self.expect(&TokenKind::RParen)?;
                self.note_parens(open, self.pos - 1);
                Ok(inner)
            }
            TokenKind::Value(v) => {
                self.bump();
                Ok(Operand::Value(v))
            }
            TokenKind::Ident(name) if self.peek_at(1).kind == TokenKind::LParen => {
                self.bump();
                self.bump();
                let mut args = vec![self.operand()?];
                while self.peek().kind == TokenKind::Comma {
                    self.bump();
                    args.push(self.operand()?);
                }
                self.expect(&TokenKind::RParen)?;
                Ok(Operand::Call(Call { name, args }))
            }
            _ => Ok(Operand::Path(self.path()?)),
        }
    }
}

/// Runs a grammar over `src`: the empty-expression rule, then syntax, then redundant
/// parentheses. The `Err` text lacks the `Invalid <Kind>: ` prefix.
pub(crate) fn run<T>(
    src: &str,
    grammar: impl FnOnce(&mut Parser<'_>) -> PResult<T>,
) -> Result<T, String> {
    if src.is_empty() {
        return Err("The expression can not be empty;".to_string());
    }
    if src.len() > MAX_EXPRESSION_BYTES {
        return Err(format!(
            "Expression size has exceeded the maximum allowed size; expression size: {}",
            src.len()
        ));
    }
    let mut p = Parser::new(src);
    if let Some(at) = too_deep(&p.tokens) {
        return Err(p.message(SyntaxError { at }));
    }
    let operators = operator_count(&p.tokens);
    if operators > MAX_OPERATORS {
        return Err(format!(
            "The expression contains too many operators or functions; operator count: {operators}"
        ));
    }
    match grammar(&mut p) {
        Ok(t) if p.redundant_parens => {
            drop(t);
            Err("The expression has redundant parentheses;".to_string())
        }
        Ok(t) => Ok(t),
        Err(e) => Err(p.message(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expression_size_and_nesting_limits() {
        let ok = |src: &str| run(src, |p| p.path().map(|_| ()));
        let long = "x".repeat(4097);
        assert_eq!(
            ok(&long).unwrap_err(),
            "Expression size has exceeded the maximum allowed size; expression size: 4097"
        );
        assert!(ok(&"x".repeat(4096)).is_ok());
        let deep = "(".repeat(MAX_NESTING + 1);
        assert!(ok(&deep)
            .unwrap_err()
            .starts_with("Syntax error; token: \"(\""));
        assert_eq!(too_deep(&tokenize(&"(".repeat(MAX_NESTING))), None);
        // 1 + 300 comparators and 300 ORs: over the operator limit, refused before recursion.
        let many = format!("a<b{}", " or a<b".repeat(300));
        assert_eq!(operator_count(&tokenize(&many)), 601);
        let deny = run(&many, |p| p.path().map(|_| ())).unwrap_err();
        assert_eq!(
            deny,
            "The expression contains too many operators or functions; operator count: 601"
        );
        assert_eq!(
            operator_count(&tokenize("size(a) > :v AND NOT b IN (:x)")),
            5
        );
    }

    fn path_of(src: &str) -> Result<RawPath, String> {
        run(src, |p| {
            let r = p.path()?;
            p.expect_eof()?;
            Ok(r)
        })
    }

    #[test]
    fn parses_nested_paths() {
        let p = path_of("a.#b[3][0].c").unwrap();
        assert_eq!(
            p.0,
            vec![
                PathSegment::Attr("a".into()),
                PathSegment::Name("#b".into()),
                PathSegment::Index(3),
                PathSegment::Index(0),
                PathSegment::Attr("c".into()),
            ]
        );
    }

    #[test]
    fn syntax_error_quotes_token_and_neighbours() {
        assert_eq!(
            path_of("a.").unwrap_err(),
            "Syntax error; token: \"<EOF>\", near: \".\""
        );
        assert_eq!(
            path_of("a[x] b").unwrap_err(),
            "Syntax error; token: \"x\", near: \"[x]\""
        );
        assert_eq!(
            path_of("[object Object]").unwrap_err(),
            "Syntax error; token: \"[\", near: \"[object\""
        );
    }

    #[test]
    fn empty_expression() {
        assert_eq!(path_of("").unwrap_err(), "The expression can not be empty;");
    }
}
