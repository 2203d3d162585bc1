//! Patterns of the policy language: `*` (any run of characters) and `?` (one character), and
//! policy variables — `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, and the escapes
//! `${*}`, `${?}`, `${$}` that stand for a literal `*`, `?` and `$`. A variable's value is
//! always literal text, never a wildcard. Under Version 2008-10-17 `${…}` is plain text.

use super::context::Context;

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
        Some(v) if !v.multi && v.values.len() == 1 => v.values.into_iter().next(),
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

/// Whether `text` matches `pat`; `fold` compares ASCII case-insensitively.
pub fn matches(pat: &[Tok], text: &str, fold: bool) -> bool {
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
fn matches_at(pat: &[Tok], len: usize, at: impl Fn(usize) -> char, fold: bool) -> bool {
    let eq = |a: char, b: char| {
        if fold {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < len {
        match pat.get(p) {
            Some(Tok::Any) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Tok::One) => {
                p += 1;
                t += 1;
            }
            Some(Tok::Char(c)) if eq(*c, at(t)) => {
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
    pat[p..].iter().all(|t| *t == Tok::Any)
}

/// Matches an ARN against an ARN pattern component by component (the first five `:` split
/// partition, service, region, account and resource; `*` and `?` do not cross them), as
/// `Resource` and the `Arn*` operators do. `"*"` alone matches everything.
pub fn arn_matches(pat: &[Tok], arn: &str) -> bool {
    if pat == [Tok::Any] {
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
    let mut pat_parts: [&[Tok]; 6] = [&[]; 6];
    let (mut count, mut start) = (0, 0);
    for (i, t) in pat.iter().enumerate() {
        if *t == Tok::Char(':') && count < 5 {
            pat_parts[count] = &pat[start..i];
            count += 1;
            start = i + 1;
        }
    }
    pat_parts[count] = &pat[start..];
    count == 5
        && pat_parts
            .iter()
            .zip(&parts)
            .all(|(p, text)| matches(p, text, false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::context::MapContext;

    fn toks(s: &str) -> Vec<Tok> {
        expand(s, true, &MapContext::default()).unwrap()
    }

    #[test]
    fn non_ascii_text_matches_by_character() {
        assert!(matches(&toks("caf?/*"), "café/x", false));
        assert!(matches(&toks("*ée"), "crème brûlée", false));
        assert!(!matches(&toks("caf??"), "café", false));
        assert!(arn_matches(
            &toks("arn:aws:dynamodb:*:*:table/caf?"),
            "arn:aws:dynamodb:us-east-1:123456789012:table/café"
        ));
    }

    #[test]
    fn wildcards() {
        assert!(matches(&toks("dynamodb:Get*"), "dynamodb:GetItem", false));
        assert!(matches(&toks("dynamodb:*Item"), "dynamodb:GetItem", false));
        assert!(matches(
            &toks("dynamodb:?etItem"),
            "dynamodb:GetItem",
            false
        ));
        assert!(!matches(&toks("dynamodb:?Item"), "dynamodb:GetItem", false));
        assert!(matches(&toks("*"), "", false));
        assert!(matches(&toks("a*b*c"), "aXbYbZc", false));
        assert!(!matches(&toks("a*b*c"), "aXbYbZ", false));
        assert!(matches(&toks("DYNAMODB:getitem"), "dynamodb:GetItem", true));
        assert!(!matches(
            &toks("DYNAMODB:getitem"),
            "dynamodb:GetItem",
            false
        ));
    }

    #[test]
    fn variables_defaults_and_escapes() {
        let mut ctx = MapContext::default();
        ctx.set("aws:username", "alice");
        ctx.set_many("dynamodb:leadingkeys", &["a"]);
        let t = expand("home/${aws:username}/*", true, &ctx).unwrap();
        assert!(matches(&t, "home/alice/x", false));
        assert!(!matches(&t, "home/bob/x", false));
        assert_eq!(
            literal(&expand("${aws:PrincipalTag/team, 'all'}", true, &ctx).unwrap()),
            "all"
        );
        assert_eq!(
            literal(&expand("${aws:PrincipalTag/team,'x y'}", true, &ctx).unwrap()),
            "x y"
        );
        assert_eq!(expand("${aws:PrincipalTag/team}", true, &ctx), None);
        assert_eq!(
            expand("${dynamodb:LeadingKeys}", true, &ctx),
            None,
            "multi-valued"
        );
        // Escapes are literal, never wildcards.
        let e = expand("a${*}b${?}${$}", true, &ctx).unwrap();
        assert_eq!(literal(&e), "a*b?$");
        assert!(matches(&e, "a*b?$", false));
        assert!(!matches(&e, "aXXb?$", false));
        // Under 2008-10-17 the text is literal (the `*` inside stays a wildcard).
        assert_eq!(
            literal(&expand("${aws:username}", false, &ctx).unwrap()),
            "${aws:username}"
        );
        // An unclosed `${` is text.
        assert_eq!(literal(&expand("a${b", true, &ctx).unwrap()), "a${b");
    }

    #[test]
    fn arns_match_component_by_component() {
        let arn = "arn:aws:dynamodb:us-east-1:123456789012:table/Books/index/ByAuthor";
        assert!(arn_matches(&toks("*"), arn));
        assert!(arn_matches(&toks("arn:aws:dynamodb:*:*:table/Books*"), arn));
        assert!(arn_matches(
            &toks("arn:aws:dynamodb:us-east-1:123456789012:table/Books/index/*"),
            arn
        ));
        assert!(!arn_matches(
            &toks("arn:aws:dynamodb:us-east-1:123456789012:table/Books"),
            arn
        ));
        assert!(
            !arn_matches(&toks("arn:aws:dynamodb:*"), arn),
            "a * does not cross ':'"
        );
        assert!(!arn_matches(
            &toks("arn:aws:dynamodb:us-east-1:*:table/Other"),
            arn
        ));
        assert!(arn_matches(
            &toks("arn:aws:iam::*:role/x:y"),
            "arn:aws:iam::1:role/x:y"
        ));
    }
}
