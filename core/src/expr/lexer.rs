//! The expression lexer: splits expression text into tokens with their byte spans, so the
//! parser can quote DynamoDB's `token:` / `near:` texts from the original source.
//!
//! Written by hand (as is the parser) because DynamoDB's error texts depend on exactly which
//! token is offending and on the source around it; no lexer crate reproduces that.

/// What kind of token a span of text is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// A bare word: `[A-Za-z][A-Za-z0-9_]*` (attribute names, function names, keywords).
    Ident(String),
    /// An attribute-name placeholder `#name` (text includes the `#`).
    Name(String),
    /// An attribute-value placeholder `:value` (text includes the `:`).
    Value(String),
    /// A run of decimal digits (list indexes).
    Number(String),
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `,`
    Comma,
    /// `.`
    Dot,
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// A character no rule accepts (a lone `#`, `:`, `_`, `!`, quotes, …).
    Unknown,
    /// End of input.
    Eof,
}

/// One token and its byte span in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The token's kind.
    pub kind: TokenKind,
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset just past its last character (`start` for `Eof`).
    pub end: usize,
}

impl Token {
    /// Whether this token is the bare word `word`, compared case-insensitively (keywords).
    pub fn is_keyword(&self, word: &str) -> bool {
        matches!(&self.kind, TokenKind::Ident(s) if s.eq_ignore_ascii_case(word))
    }
}

fn is_word_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Splits `src` into tokens; the last token is always `Eof`. Never fails: characters that fit
/// no rule become `Unknown` tokens, which the parser reports as syntax errors.
pub fn tokenize(src: &str) -> Vec<Token> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
            continue;
        }
        let start = i;
        let run_end = |from: usize| {
            let mut j = from;
            while j < bytes.len() && is_word_char(bytes[j]) {
                j += 1;
            }
            j
        };
        let (kind, end) = match c {
            b'a'..=b'z' | b'A'..=b'Z' => {
                let end = run_end(i + 1);
                (TokenKind::Ident(src[start..end].to_string()), end)
            }
            b'0'..=b'9' => {
                let mut end = i + 1;
                while end < bytes.len() && bytes[end].is_ascii_digit() {
                    end += 1;
                }
                (TokenKind::Number(src[start..end].to_string()), end)
            }
            b'#' | b':' => {
                let end = run_end(i + 1);
                if end == i + 1 {
                    (TokenKind::Unknown, end)
                } else if c == b'#' {
                    (TokenKind::Name(src[start..end].to_string()), end)
                } else {
                    (TokenKind::Value(src[start..end].to_string()), end)
                }
            }
            b'(' => (TokenKind::LParen, i + 1),
            b')' => (TokenKind::RParen, i + 1),
            b'[' => (TokenKind::LBracket, i + 1),
            b']' => (TokenKind::RBracket, i + 1),
            b',' => (TokenKind::Comma, i + 1),
            b'.' => (TokenKind::Dot, i + 1),
            b'=' => (TokenKind::Eq, i + 1),
            b'+' => (TokenKind::Plus, i + 1),
            b'-' => (TokenKind::Minus, i + 1),
            b'<' => match bytes.get(i + 1) {
                Some(b'>') => (TokenKind::Ne, i + 2),
                Some(b'=') => (TokenKind::Le, i + 2),
                _ => (TokenKind::Lt, i + 1),
            },
            b'>' => match bytes.get(i + 1) {
                Some(b'=') => (TokenKind::Ge, i + 2),
                _ => (TokenKind::Gt, i + 1),
            },
            _ => {
                // One whole (possibly multi-byte) character.
                let len = src[i..].chars().next().map_or(1, char::len_utf8);
                (TokenKind::Unknown, i + len)
            }
        };
        out.push(Token { kind, start, end });
        i = end;
    }
    out.push(Token {
        kind: TokenKind::Eof,
        start: bytes.len(),
        end: bytes.len(),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<TokenKind> {
        tokenize(s).into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn words_placeholders_and_operators() {
        use TokenKind::*;
        assert_eq!(
            kinds("a.b[12] <> #n AND :v<=x"),
            vec![
                Ident("a".into()),
                Dot,
                Ident("b".into()),
                LBracket,
                Number("12".into()),
                RBracket,
                Ne,
                Name("#n".into()),
                Ident("AND".into()),
                Value(":v".into()),
                Le,
                Ident("x".into()),
                Eof
            ]
        );
    }

    #[test]
    fn lone_sigils_and_strange_characters_are_unknown() {
        use TokenKind::*;
        assert_eq!(kinds("# :"), vec![Unknown, Unknown, Eof]);
        assert_eq!(kinds("_abc"), vec![Unknown, Ident("abc".into()), Eof]);
        let t = tokenize("é!");
        assert_eq!((t[0].start, t[0].end), (0, 2));
        assert_eq!(t[1].kind, Unknown);
    }

    #[test]
    fn placeholders_may_start_with_digits() {
        assert_eq!(
            kinds("#1a :_"),
            vec![
                TokenKind::Name("#1a".into()),
                TokenKind::Value(":_".into()),
                TokenKind::Eof
            ]
        );
    }
}
