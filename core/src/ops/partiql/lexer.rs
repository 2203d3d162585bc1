//! Tokens of DynamoDB's PartiQL: identifiers (bare or `"quoted"`), `'strings'`, numbers
//! (`1`, `1.5`, `.5`, `7.31e6`), `?`, punctuation and operators (`<<` `>>` for bags), with
//! `--` line and `/* */` block comments skipped. Positions are 1-based line and column in
//! characters, as DynamoDB prints them (`at 1:8:16`).

use super::error::not_well_formed;
use crate::error::ApiError;

/// Where a token starts and how many characters it spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub col: usize,
    /// Length in characters.
    pub len: usize,
}

impl Pos {
    /// DynamoDB's `line:column:length`.
    pub fn describe(&self) -> String {
        format!("{}:{}:{}", self.line, self.col, self.len)
    }
}

/// A token's kind and text.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A bare identifier or keyword, as written.
    Ident(String),
    /// A `"double-quoted"` identifier, unescaped.
    Quoted(String),
    /// A `'single-quoted'` string, unescaped.
    Str(String),
    /// A number literal as written.
    Num(String),
    /// `?`.
    Param,
    /// Punctuation or an operator.
    Punct(&'static str),
    /// The end of the statement.
    Eof,
}

/// A token and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// What it is.
    pub tok: Tok,
    /// Where it starts.
    pub pos: Pos,
}

/// Operators and punctuation, longest first.
const PUNCT: [&str; 20] = [
    "<<", ">>", "<>", "!=", "<=", ">=", "||", "(", ")", "[", "]", "{", "}", ",", ".", ":", "*",
    "=", "<", ">",
];
const SINGLE: [&str; 2] = ["+", "-"];

/// Splits `src` into tokens ending with `Eof`. A character DynamoDB's lexer does not read
/// (`#`, an unterminated string or comment) is "Statement wasn't well formed" with no detail.
pub fn lex(src: &str) -> Result<Vec<Token>, ApiError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line, mut line_start) = (0usize, 1usize, 0usize);
    let bad = || not_well_formed("");
    while i < chars.len() {
        let c = chars[i];
        let pos = |start: usize, end: usize| Pos {
            line,
            col: start - line_start + 1,
            len: end - start,
        };
        if c == '\n' {
            i += 1;
            line += 1;
            line_start = i;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            loop {
                match chars.get(i) {
                    None => return Err(bad()),
                    Some('*') if chars.get(i + 1) == Some(&'/') => {
                        i += 2;
                        break;
                    }
                    Some('\n') => {
                        i += 1;
                        line += 1;
                        line_start = i;
                    }
                    Some(_) => i += 1,
                }
            }
            continue;
        }
        let start = i;
        if c == '\'' || c == '"' {
            let mut text = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(bad()),
                    Some(&q) if q == c => {
                        if chars.get(i + 1) == Some(&c) {
                            text.push(c);
                            i += 2;
                        } else {
                            i += 1;
                            break;
                        }
                    }
                    Some(&ch) => {
                        text.push(ch);
                        i += 1;
                    }
                }
            }
            let tok = if c == '\'' {
                Tok::Str(text)
            } else {
                Tok::Quoted(text)
            };
            out.push(Token {
                tok,
                pos: pos(start, i),
            });
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            i = number_end(&chars, i).ok_or_else(bad)?;
            out.push(Token {
                tok: Tok::Num(chars[start..i].iter().collect()),
                pos: pos(start, i),
            });
            continue;
        }
        if c.is_alphabetic() || c == '_' || c == '$' {
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(chars[start..i].iter().collect()),
                pos: pos(start, i),
            });
            continue;
        }
        if c == '?' {
            i += 1;
            out.push(Token {
                tok: Tok::Param,
                pos: pos(start, i),
            });
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
        let punct = PUNCT
            .iter()
            .chain(SINGLE.iter())
            .find(|p| rest.starts_with(**p))
            .ok_or_else(bad)?;
        i += punct.chars().count();
        out.push(Token {
            tok: Tok::Punct(punct),
            pos: pos(start, i),
        });
    }
    let end = Pos {
        line,
        col: chars.len() - line_start + 1,
        len: 0,
    };
    out.push(Token {
        tok: Tok::Eof,
        pos: end,
    });
    Ok(out)
}

/// Where the number starting at `i` ends: digits, an optional fraction, an optional exponent
/// whose value (and the scale it leaves) fits a 32-bit integer, as Java's BigDecimal needs.
fn number_end(chars: &[char], mut i: usize) -> Option<usize> {
    let digits = |i: &mut usize| {
        let s = *i;
        while chars.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
        *i - s
    };
    digits(&mut i);
    let mut fraction = 0;
    if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
        i += 1;
        fraction = digits(&mut i);
    }
    if matches!(chars.get(i), Some('e' | 'E')) {
        let mut j = i + 1;
        let negative = chars.get(j) == Some(&'-');
        if matches!(chars.get(j), Some('+' | '-')) {
            j += 1;
        }
        let s = j;
        if digits(&mut j) > 0 {
            let text: String = chars[s..j].iter().collect();
            let exp: i64 = text.parse().ok()?;
            let exp = if negative { -exp } else { exp };
            let scale = fraction as i64 - exp;
            if i32::try_from(exp).is_err() || i32::try_from(scale).is_err() {
                return None;
            }
            i = j;
        }
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok> {
        lex(src).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn tokens_and_comments() {
        assert_eq!(
            kinds("SELECT \"a\"\"b\", 'it''s' FROM t -- note\n/* x */ WHERE a<>? AND b IN <<1, .5e1>>"),
            vec![
                Tok::Ident("SELECT".into()),
                Tok::Quoted("a\"b".into()),
                Tok::Punct(","),
                Tok::Str("it's".into()),
                Tok::Ident("FROM".into()),
                Tok::Ident("t".into()),
                Tok::Ident("WHERE".into()),
                Tok::Ident("a".into()),
                Tok::Punct("<>"),
                Tok::Param,
                Tok::Ident("AND".into()),
                Tok::Ident("b".into()),
                Tok::Ident("IN".into()),
                Tok::Punct("<<"),
                Tok::Num("1".into()),
                Tok::Punct(","),
                Tok::Num(".5e1".into()),
                Tok::Punct(">>"),
                Tok::Eof,
            ]
        );
        // "1 e5" is a number and an identifier; "7.31E+6" one number.
        assert_eq!(kinds("1 e5")[1], Tok::Ident("e5".into()));
        assert_eq!(kinds("7.31E+6")[0], Tok::Num("7.31E+6".into()));
    }

    #[test]
    fn positions_are_line_column_length() {
        let t = lex("SELECT x\n  FROM \"tbl\"").unwrap();
        assert_eq!(
            t[1].pos,
            Pos {
                line: 1,
                col: 8,
                len: 1
            }
        );
        assert_eq!(t[3].pos.describe(), "2:8:5");
    }

    #[test]
    fn what_the_lexer_refuses() {
        let envelope = "Statement wasn't well formed, can't be processed: ";
        for bad in [
            "a # b",
            "'open",
            "\"open",
            "x /* open",
            "1e2147483648",
            "1.5e-2147483647",
        ] {
            assert_eq!(lex(bad).unwrap_err().to_string(), envelope, "{bad}");
        }
        assert!(lex("1e2147483647").is_ok());
    }
}
