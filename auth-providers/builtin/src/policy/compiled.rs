//! Policy elements compiled once, when the policy is parsed: each `Action` and `Resource`
//! pattern (and each `StringLike` condition value) is sorted into the shape its matching takes
//! — `*`, exact text, `prefix*`, or a general wildcard pattern — and an ARN pattern is split
//! into its six components, so that evaluating a request compares bytes instead of scanning
//! every pattern for wildcards, variables and `:` again. The resource ARN of a request is split
//! once per authorization question (`ArnParts`), not once per statement.
//!
//! A pattern that is not ASCII, or that holds `${` (a policy variable, whose value depends on
//! the request), is not compiled: it is matched as written by `pattern`'s functions, which
//! remain the reference these matchers must agree with (see the property tests below).
//!
//! Hand-written: this is part of the IAM evaluator (see evaluate.rs).

use super::condition::Condition;
use super::context::Context;
use super::document::Patterns;
use super::pattern::{element_arn_matches, element_matches, has_variable, matches_plain};

/// A resource ARN split at its first five `:` into partition, service, region, account,
/// resource (which may hold further `:`), as `Resource` patterns match it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArnParts<'a> {
    /// The ARN as given.
    pub text: &'a str,
    /// Its six components; `None` when it has fewer than five `:` (not an ARN: it matches no
    /// ARN pattern).
    pub parts: Option<[&'a str; 6]>,
}

impl<'a> ArnParts<'a> {
    /// Splits `text`, `memchr` finding each `:`. Per GetItem (callgrind): `memchr::memchr`
    /// 370 instructions, memchr's portable word-at-a-time `One` 420, a byte loop 430,
    /// `str::splitn` (as before) about 870.
    pub fn split(text: &'a str) -> ArnParts<'a> {
        let bytes = text.as_bytes();
        let mut parts = [""; 6];
        let mut start = 0;
        for part in parts.iter_mut().take(5) {
            let Some(i) = memchr::memchr(b':', &bytes[start..]) else {
                return ArnParts { text, parts: None };
            };
            // `:` is ASCII, so both ends fall on character boundaries.
            *part = &text[start..start + i];
            start += i + 1;
        }
        parts[5] = &text[start..];
        ArnParts {
            text,
            parts: Some(parts),
        }
    }

    /// The account component (the fifth), as `text.split(':').nth(4)` reads it.
    pub fn account(&self) -> Option<&'a str> {
        match self.parts {
            Some(p) => Some(p[4]),
            None => self.text.split(':').nth(4),
        }
    }
}

/// A plain pattern (ASCII, no variable) by the shape of its wildcards.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Plain {
    /// `*` alone: matches everything.
    Any,
    /// No wildcard: the text itself.
    Exact(Box<[u8]>),
    /// `prefix*`, no other wildcard: texts starting with the prefix.
    Prefix(Box<[u8]>),
    /// Any other arrangement of `*` and `?`: the wildcard matcher.
    Wild(Box<[u8]>),
}

impl Plain {
    /// The shape of the ASCII pattern `pat`.
    fn of(pat: &[u8]) -> Plain {
        match pat.iter().position(|&b| b == b'*' || b == b'?') {
            None => Plain::Exact(pat.into()),
            Some(_) if pat == b"*" => Plain::Any,
            Some(i) if i + 1 == pat.len() && pat[i] == b'*' => Plain::Prefix(pat[..i].into()),
            Some(_) => Plain::Wild(pat.into()),
        }
    }

    /// Whether `text` matches; `fold` compares ASCII case-insensitively.
    fn matches(&self, text: &str, fold: bool) -> bool {
        let eq = |a: &[u8], b: &[u8]| {
            if fold {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        };
        match self {
            Plain::Any => true,
            Plain::Exact(p) => eq(p, text.as_bytes()),
            // The prefix is ASCII: a text starting with it splits at a character boundary.
            Plain::Prefix(p) => text.len() >= p.len() && eq(p, &text.as_bytes()[..p.len()]),
            Plain::Wild(p) => matches_plain(p, text, fold),
        }
    }
}

/// One pattern of `Action`/`NotAction` or a `StringLike` value, compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element(ElementKind);

#[derive(Debug, Clone, PartialEq, Eq)]
enum ElementKind {
    /// ASCII with no `${`: matched by shape.
    Plain(Plain),
    /// ASCII with `${`: plain where variables do not apply (Version 2008-10-17), else
    /// expanded per request.
    Variable(Plain, String),
    /// Not ASCII: matched as written.
    Text(String),
}

impl Element {
    /// `pat` compiled.
    pub fn compile(pat: &str) -> Element {
        Element(if !pat.is_ascii() {
            ElementKind::Text(pat.to_string())
        } else if has_variable(pat) {
            ElementKind::Variable(Plain::of(pat.as_bytes()), pat.to_string())
        } else {
            ElementKind::Plain(Plain::of(pat.as_bytes()))
        })
    }

    /// Whether `text` matches, as `element_matches(pat, variables, ctx, text, fold)` answers.
    pub fn matches(&self, variables: bool, ctx: &dyn Context, text: &str, fold: bool) -> bool {
        match &self.0 {
            ElementKind::Plain(p) => p.matches(text, fold),
            ElementKind::Variable(p, _) if !variables => p.matches(text, fold),
            ElementKind::Variable(_, pat) | ElementKind::Text(pat) => {
                element_matches(pat, variables, ctx, text, fold)
            }
        }
    }
}

/// One pattern of `Resource`/`NotResource` (or an `Arn*` condition value), compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArnPattern(ArnKind);

#[derive(Debug, Clone, PartialEq, Eq)]
enum ArnKind {
    /// `*` alone.
    Any,
    /// A plain pattern with six components, each matched by shape.
    Split(Box<[Plain; 6]>),
    /// A plain pattern with fewer than six components: matches no ARN.
    Never,
    /// ASCII with `${`: split where variables do not apply, else expanded per request.
    Variable(Option<Box<[Plain; 6]>>, String),
    /// Not ASCII: matched as written.
    Text(String),
}

/// The six components of the plain pattern `pat`, or `None` when it has fewer.
fn split_plain(pat: &str) -> Option<Box<[Plain; 6]>> {
    let parts = ArnParts::split(pat).parts?;
    Some(Box::new(parts.map(|p| Plain::of(p.as_bytes()))))
}

/// Whether the split ARN `arn` matches the split pattern `pat`.
fn split_matches(pat: &[Plain; 6], arn: &ArnParts<'_>) -> bool {
    match &arn.parts {
        Some(parts) => pat.iter().zip(parts).all(|(p, t)| p.matches(t, false)),
        None => false,
    }
}

impl ArnPattern {
    /// `pat` compiled.
    pub fn compile(pat: &str) -> ArnPattern {
        ArnPattern(if pat == "*" {
            ArnKind::Any
        } else if !pat.is_ascii() {
            ArnKind::Text(pat.to_string())
        } else if has_variable(pat) {
            ArnKind::Variable(split_plain(pat), pat.to_string())
        } else {
            match split_plain(pat) {
                Some(parts) => ArnKind::Split(parts),
                None => ArnKind::Never,
            }
        })
    }

    /// Whether the pattern is `*` alone.
    pub fn is_any(&self) -> bool {
        self.0 == ArnKind::Any
    }

    /// Whether `arn` matches, as `element_arn_matches(pat, variables, ctx, arn.text)` answers.
    pub fn matches(&self, variables: bool, ctx: &dyn Context, arn: &ArnParts<'_>) -> bool {
        match &self.0 {
            ArnKind::Any => true,
            ArnKind::Split(p) => split_matches(p, arn),
            ArnKind::Never => false,
            ArnKind::Variable(p, _) if !variables => {
                p.as_ref().is_some_and(|p| split_matches(p, arn))
            }
            ArnKind::Variable(_, pat) | ArnKind::Text(pat) => {
                element_arn_matches(pat, variables, ctx, arn.text)
            }
        }
    }
}

/// A statement's patterns compiled once (compiled.rs), in the order of `actions` and
/// `resources`; whether they are negated is read from those.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Compiled {
    /// One per action pattern.
    pub(super) actions: Vec<Element>,
    /// One per resource pattern (none when the statement has no `Resource`).
    pub(super) resources: Vec<ArnPattern>,
    /// Whether evaluating the statement may read the request's `AuthzContext`: a condition
    /// on a `dynamodb:*` or `aws:ResourceTag/*` key, or a `${` (a policy variable, which may
    /// name any key) in a resource or condition value.
    pub(super) reads_request_keys: bool,
}

/// Whether a condition on `key` (lower-case) reads the request's `AuthzContext`: the
/// DynamoDB keys and the resource's tags come from it (context.rs), every other key from
/// the identity or the request's facts.
fn reads_request_key(key: &str) -> bool {
    key.starts_with("dynamodb:") || key.starts_with("aws:resourcetag/")
}

fn pattern_list(p: &Patterns) -> &[String] {
    match p {
        Patterns::Any(l) | Patterns::Not(l) => l,
    }
}

impl Compiled {
    /// The compiled form of a statement's `actions`, `resources` and `conditions`.
    pub(super) fn of(
        actions: &Patterns,
        resources: Option<&Patterns>,
        conditions: &[Condition],
    ) -> Compiled {
        let reads_request_keys = conditions
            .iter()
            .any(|c| reads_request_key(&c.key) || c.values.iter().any(|v| has_variable(v)))
            || resources.is_some_and(|r| pattern_list(r).iter().any(|p| has_variable(p)));
        Compiled {
            actions: pattern_list(actions)
                .iter()
                .map(|a| Element::compile(a))
                .collect(),
            resources: resources
                .map(|r| {
                    pattern_list(r)
                        .iter()
                        .map(|r| ArnPattern::compile(r))
                        .collect()
                })
                .unwrap_or_default(),
            reads_request_keys,
        }
    }
}

#[cfg(test)]
#[path = "compiled_tests.rs"]
mod tests;
