//! Patterns of the policy language: `*` (any run of characters) and `?` (one character), and
//! policy variables — `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, and the escapes
//! `${*}`, `${?}`, `${$}` that stand for a literal `*`, `?` and `$`. A variable's value is
//! always literal text, never a wildcard. Under Version 2008-10-17 `${…}` is plain text.

use super::context::Context;
use std::borrow::Cow;

/// One element of an expanded pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    /// A literal character.
    Char(char),
    /// `*`: any run of characters, possibly empty.
    Any,
    /// `?`: exactly one character.
    One,
}

/// Expands `s` into tokens: wildcards become `Any`/`One`, variables their value from `ctx`
/// (when `variables` is true). `None` when a variable has no value and no default: the
/// element then matches nothing.
pub fn expand(s: &str, variables: bool, ctx: &dyn Context) -> Option<Vec<Tok>> {
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if variables && rest.starts_with("${") {
            if let Some(end) = rest.find('}') {
                let inner = &rest[2..end];
                rest = &rest[end + 1..];
                match inner {
                    "*" => out.push(Tok::Char('*')),
                    "?" => out.push(Tok::Char('?')),
                    "$" => out.push(Tok::Char('$')),
                    _ => out.extend(variable(inner, ctx)?.chars().map(Tok::Char)),
                }
                continue;
            }
        }
        out.push(match c {
            '*' => Tok::Any,
            '?' => Tok::One,
            c => Tok::Char(c),
        });
        rest = &rest[c.len_utf8()..];
    }
    Some(out)
}

/// The value of `key` or `key, 'default'`. Only single-valued keys can be variables.
fn variable(inner: &str, ctx: &dyn Context) -> Option<String> {
    let (key, default) = match inner.split_once(',') {
        Some((k, d)) => {
            let d = d.trim();
            let d = d.strip_prefix('\'').and_then(|d| d.strip_suffix('\''))?;
            (k.trim(), Some(d))
        }
        None => (inner.trim(), None),
    };
    match ctx.get(&key.to_ascii_lowercase()) {
        Some(v) if !v.multi && v.values().len() == 1 => v.into_single().map(Cow::into_owned),
        _ => default.map(str::to_string),
    }
}

/// The expanded tokens as plain text, wildcards as their characters (for the operators that
/// compare exactly).
pub fn literal(toks: &[Tok]) -> String {
    toks.iter()
        .map(|t| match t {
            Tok::Char(c) => *c,
            Tok::Any => '*',
            Tok::One => '?',
        })
        .collect()
}

/// A pattern as the matcher reads it: its length in characters and each token.
trait Pattern {
    fn len(&self) -> usize;
    fn tok(&self, i: usize) -> Tok;
}

impl Pattern for [Tok] {
    fn len(&self) -> usize {
        <[Tok]>::len(self)
    }
    fn tok(&self, i: usize) -> Tok {
        self[i]
    }
}

/// An ASCII pattern with no variable to substitute, read in place: `*` and `?` are wildcards,
/// every other byte is itself (what `expand` would answer, without building it).
struct Plain<'a>(&'a [u8]);

impl Pattern for Plain<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn tok(&self, i: usize) -> Tok {
        match self.0[i] {
            b'*' => Tok::Any,
            b'?' => Tok::One,
            c => Tok::Char(char::from(c)),
        }
    }
}

/// Tokens `start..end` of another pattern.
struct Sub<'p, P: ?Sized> {
    pat: &'p P,
    start: usize,
    end: usize,
}

impl<P: Pattern + ?Sized> Pattern for Sub<'_, P> {
    fn len(&self) -> usize {
        self.end - self.start
    }
    fn tok(&self, i: usize) -> Tok {
        self.pat.tok(self.start + i)
    }
}

/// Whether `s` holds `${` (a policy variable or escape). A byte scan: `str::contains` with a
/// string needle sets up a substring searcher each call, and this runs for every element of
/// every statement of every request.
pub fn has_variable(s: &str) -> bool {
    s.as_bytes().windows(2).any(|w| w == b"${")
}

/// Whether `pat` (a policy element as written) can be matched without expanding it: ASCII,
/// and no `${` when variables apply.
fn plain(pat: &str, variables: bool) -> Option<Plain<'_>> {
    (pat.is_ascii() && !(variables && has_variable(pat))).then_some(Plain(pat.as_bytes()))
}

/// `expand` then `matches`: whether `text` matches the policy element `pat` (`false` when a
/// variable in it has no value). A plain pattern is matched in place, with no allocation.
pub fn element_matches(
    pat: &str,
    variables: bool,
    ctx: &dyn Context,
    text: &str,
    fold: bool,
) -> bool {
    match plain(pat, variables) {
        Some(p) => plain_matches(p, text, fold),
        None => expand(pat, variables, ctx).is_some_and(|t| matches(&t, text, fold)),
    }
}

/// `expand` then `arn_matches`, in place for a plain pattern.
pub fn element_arn_matches(pat: &str, variables: bool, ctx: &dyn Context, arn: &str) -> bool {
    match plain(pat, variables) {
        Some(p) => plain_arn_matches(p, arn),
        None => expand(pat, variables, ctx).is_some_and(|t| arn_matches(&t, arn)),
    }
}

/// A plain pattern against `text`, with the shapes policies nearly always use answered
/// without the wildcard matcher: `*`, no wildcard at all (equality), and `prefix*`.
fn plain_matches(p: Plain<'_>, text: &str, fold: bool) -> bool {
    let pat = p.0;
    let eq = |a: &[u8], b: &[u8]| {
        if fold {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    match pat.iter().position(|&b| b == b'*' || b == b'?') {
        None => eq(pat, text.as_bytes()),
        Some(i) if i + 1 == pat.len() && pat[i] == b'*' => {
            // `prefix*`: the pattern is ASCII, so a text starting with it splits at a
            // character boundary.
            text.len() >= i && eq(&pat[..i], &text.as_bytes()[..i])
        }
        Some(_) => matches_pattern(&p, text, fold),
    }
}

/// `arn_matches` for a plain pattern: split once, each of the six components compared as
/// `plain_matches` does.
fn plain_arn_matches(p: Plain<'_>, arn: &str) -> bool {
    if p.0 == b"*" {
        return true;
    }
    let mut pats = p.0.splitn(6, |&b| b == b':');
    let mut texts = arn.splitn(6, ':');
    for _ in 0..6 {
        match (pats.next(), texts.next()) {
            (Some(pat), Some(text)) => {
                if !plain_matches(Plain(pat), text, false) {
                    return false;
                }
            }
            _ => return false,
        }
    }
    true
}

/// Whether `text` matches the ASCII pattern `pat` read in place (`*` and `?` wildcards,
/// every other byte itself), by the wildcard matcher.
pub(super) fn matches_plain(pat: &[u8], text: &str, fold: bool) -> bool {
    matches_pattern(&Plain(pat), text, fold)
}

/// Whether `text` matches `pat`; `fold` compares ASCII case-insensitively.
pub fn matches(pat: &[Tok], text: &str, fold: bool) -> bool {
    matches_pattern(pat, text, fold)
}

fn matches_pattern<P: Pattern + ?Sized>(pat: &P, text: &str, fold: bool) -> bool {
    // ASCII text (nearly every ARN, action and key) is matched byte by byte, with no copy.
    if text.is_ascii() {
        let bytes = text.as_bytes();
        matches_at(pat, bytes.len(), |i| char::from(bytes[i]), fold)
    } else {
        let chars: Vec<char> = text.chars().collect();
        matches_at(pat, chars.len(), |i| chars[i], fold)
    }
}

/// Wildcard matching of `pat` over the `len` characters `at` gives (`*` backtracks to the
/// last star only: linear in practice).
fn matches_at<P: Pattern + ?Sized>(
    pat: &P,
    len: usize,
    at: impl Fn(usize) -> char,
    fold: bool,
) -> bool {
    let eq = |a: char, b: char| {
        if fold {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let plen = pat.len();
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < len {
        let tok = (p < plen).then(|| pat.tok(p));
        match tok {
            Some(Tok::Any) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Tok::One) => {
                p += 1;
                t += 1;
            }
            Some(Tok::Char(c)) if eq(c, at(t)) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    (p..plen).all(|i| pat.tok(i) == Tok::Any)
}

/// Matches an ARN against an ARN pattern component by component (the first five `:` split
/// partition, service, region, account and resource; `*` and `?` do not cross them), as
/// `Resource` and the `Arn*` operators do. `"*"` alone matches everything.
pub fn arn_matches(pat: &[Tok], arn: &str) -> bool {
    arn_matches_pattern(pat, arn)
}

fn arn_matches_pattern<P: Pattern + ?Sized>(pat: &P, arn: &str) -> bool {
    if pat.len() == 1 && pat.tok(0) == Tok::Any {
        return true;
    }
    // Fixed arrays, not vectors: this runs for every statement of every request.
    let mut parts: [&str; 6] = [""; 6];
    let mut n = 0;
    for part in arn.splitn(6, ':') {
        parts[n] = part;
        n += 1;
    }
    if n != 6 {
        return false;
    }
    let mut bounds: [(usize, usize); 6] = [(0, 0); 6];
    let (mut count, mut start) = (0, 0);
    for i in 0..pat.len() {
        if count < 5 && pat.tok(i) == Tok::Char(':') {
            bounds[count] = (start, i);
            count += 1;
            start = i + 1;
        }
    }
    bounds[count] = (start, pat.len());
    count == 5
        && bounds
            .iter()
            .zip(&parts)
            .all(|(&(start, end), text)| matches_pattern(&Sub { pat, start, end }, text, false))
}

#[cfg(test)]
#[path = "pattern_tests.rs"]
mod tests;
