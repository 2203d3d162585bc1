//! Condition operators and their evaluation, by AWS's rules:
//! - String, Numeric, Date, Bool, IpAddress (`aws:SourceIp`), Arn and Null families, each
//!   operator also with `IfExists` (not Null);
//! - several values of one key: OR (a negated operator: NOR); several keys or operators: AND;
//! - a key absent from the request: positive operators fail, negated ones hold, `IfExists`
//!   holds;
//! - `ForAllValues:` holds when every request value matches (and when the key is absent or
//!   empty); `ForAnyValue:` when at least one does (never when absent or empty);
//! - an operator without a set qualifier never matches a multivalued key (`dynamodb:LeadingKeys`,
//!   `dynamodb:Attributes`), as AWS answers for DynamoDB's keys;
//! - a request value of the wrong type (a non-number under Numeric…) matches nothing, and
//!   fails negated operators too.

use super::compiled::Element;
use super::context::{Context, CtxValue};
pub use super::operator::{Cmp, Family, Operator, SetQualifier};
use super::parsed::{date, parse_bool, Parsed};
use super::pattern::{
    arn_matches, element_arn_matches, element_matches, expand, has_variable, literal, matches, Tok,
};
use std::borrow::Cow;
use std::net::IpAddr;

/// One condition: operator, key (lower-case) and the policy's values.
#[derive(Debug, Clone)]
pub struct Condition {
    /// The operator.
    pub op: Operator,
    /// The context key, lower-cased.
    pub key: String,
    /// The values given in the policy (variables not yet substituted).
    pub values: Vec<String>,
    /// `values`, each parsed once for the operator's family (`IpAddress`, `Numeric`, `Date`,
    /// `Bool`) when it holds no variable: what matching would otherwise parse per request.
    parsed: Vec<Parsed>,
    /// For `StringLike`: `values` compiled as patterns (compiled.rs); empty for the others.
    likes: Vec<Element>,
    /// Whether a value holds `${` (a policy variable or escape).
    any_variable: bool,
    /// Whether a value is not of the family's type (`Parsed::Invalid`).
    any_invalid: bool,
}

impl PartialEq for Condition {
    fn eq(&self, other: &Condition) -> bool {
        // `parsed` follows from the other fields.
        self.op == other.op && self.key == other.key && self.values == other.values
    }
}

impl Eq for Condition {}

impl Condition {
    /// A condition of `op` on `key` (lower-cased here) with the policy's `values`.
    pub fn new(op: Operator, key: &str, values: Vec<String>) -> Condition {
        let parsed: Vec<Parsed> = values.iter().map(|v| Parsed::of(op.family, v)).collect();
        let likes = match op.family {
            Family::StringLike => values.iter().map(|v| Element::compile(v)).collect(),
            _ => Vec::new(),
        };
        Condition {
            op,
            key: key.to_ascii_lowercase(),
            any_variable: values.iter().any(|v| has_variable(v)),
            any_invalid: parsed.contains(&Parsed::Invalid),
            values,
            parsed,
            likes,
        }
    }

    /// The `i`th value as parsed with the policy (`Text` when it was not).
    fn parsed_value(&self, i: usize) -> Parsed {
        self.parsed.get(i).copied().unwrap_or(Parsed::Text)
    }
}

/// Whether the condition holds in `ctx`; `variables` enables policy variables in its values.
pub fn holds(cond: &Condition, ctx: &dyn Context, variables: bool) -> bool {
    let op = cond.op;
    if op.family == Family::IpAddress {
        // An address the context holds as one (`aws:SourceIp`) is compared without its text.
        if let Some(ip) = ctx.ip(&cond.key) {
            return holds_for_ip(cond, ip, ctx, variables);
        }
    }
    let value = ctx.get(&cond.key);
    if op.family == Family::Null {
        let present = value.as_ref().is_some_and(|v| !v.values().is_empty());
        return cond
            .values
            .iter()
            .any(|p| match p.to_ascii_lowercase().as_str() {
                "true" => !present,
                "false" => present,
                _ => false,
            });
    }
    // Policy values with variables substituted; one that cannot be resolved fails the condition.
    // A value with no variable (nearly all) is used as written: nothing is expanded.
    let Some(pats) = policy_values(cond, ctx, variables) else {
        return false;
    };
    // Whether one request value satisfies the (possibly negated) operator.
    let satisfied = |v: &str| match any_matches(op.family, &pats, Request::Text(v), ctx) {
        Some(m) => m != op.negated,
        None => false,
    };
    match (op.qualifier, value) {
        (_, None) if op.if_exists => true,
        (None, None) => op.negated,
        (None, Some(CtxValue { multi: true, .. })) => false,
        (None, Some(v)) => v.values().first().is_some_and(|v| satisfied(v)),
        (Some(SetQualifier::ForAllValues), v) => {
            v.is_none_or(|v| v.values().iter().all(|x| satisfied(x)))
        }
        (Some(SetQualifier::ForAnyValue), v) => {
            v.is_some_and(|v| v.values().iter().any(|x| satisfied(x)))
        }
    }
}

/// `IpAddress` on a key the context holds as an address: one value, so every qualifier
/// reduces to whether that value satisfies the operator.
fn holds_for_ip(cond: &Condition, ip: IpAddr, ctx: &dyn Context, variables: bool) -> bool {
    if let Some(m) = ip_in_parsed(cond, ip) {
        return m != cond.op.negated;
    }
    let Some(pats) = policy_values(cond, ctx, variables) else {
        return false;
    };
    match any_matches(cond.op.family, &pats, Request::Ip(ip), ctx) {
        Some(m) => m != cond.op.negated,
        None => false,
    }
}

/// Whether `ip` is in any of the condition's values when every value was parsed with the
/// policy as a range or an address (nearly always: no variable, no malformed value); `None`
/// otherwise, for the general path.
fn ip_in_parsed(cond: &Condition, ip: IpAddr) -> Option<bool> {
    let mut any = false;
    for p in &cond.parsed {
        any |= match *p {
            Parsed::Net(n) => n.contains(&ip),
            Parsed::Ip(a) => a == ip,
            _ => return None,
        };
    }
    Some(any)
}

/// The condition's policy values ready to compare.
enum PolicyValues<'c> {
    /// No value needs a variable substituted (nearly every condition): the values as written,
    /// read in place.
    Plain(&'c Condition),
    /// Values with their variables substituted.
    Expanded(Vec<PolicyValue<'c>>),
}

/// The condition's policy values ready to compare, variables substituted; `None` when a
/// variable cannot be resolved (the condition fails).
fn policy_values<'c>(
    cond: &'c Condition,
    ctx: &dyn Context,
    variables: bool,
) -> Option<PolicyValues<'c>> {
    if !(variables && cond.any_variable) {
        return Some(PolicyValues::Plain(cond));
    }
    let mut pats = Vec::with_capacity(cond.values.len());
    for (i, v) in cond.values.iter().enumerate() {
        if !has_variable(v) {
            pats.push(PolicyValue::Plain(
                v,
                cond.parsed_value(i),
                cond.likes.get(i),
            ));
            continue;
        }
        pats.push(PolicyValue::Expanded(expand(v, variables, ctx)?));
    }
    Some(PolicyValues::Expanded(pats))
}

/// For one request value: whether any policy value matches it, `None` on a type error (which
/// fails the whole condition, negated or not).
fn any_matches(
    family: Family,
    pats: &PolicyValues<'_>,
    v: Request<'_>,
    ctx: &dyn Context,
) -> Option<bool> {
    let mut any = false;
    match pats {
        PolicyValues::Plain(cond) => {
            for (i, p) in cond.values.iter().enumerate() {
                let p = PolicyValue::Plain(p, cond.parsed_value(i), cond.likes.get(i));
                if matches_value(family, &p, v, ctx)? {
                    any = true;
                    // With every policy value of the family's type, a type error can come
                    // only from the request value, which each policy value reads alike: the
                    // first match decides.
                    if !cond.any_invalid {
                        break;
                    }
                }
            }
        }
        PolicyValues::Expanded(list) => {
            for p in list {
                if matches_value(family, p, v, ctx)? {
                    any = true;
                }
            }
        }
    }
    Some(any)
}

/// A request value: text, or an address the context holds as one.
#[derive(Clone, Copy)]
enum Request<'a> {
    /// As text.
    Text(&'a str),
    /// An address.
    Ip(IpAddr),
}

/// A policy value ready to compare: as written (no variable in it) with its parsed form, or
/// expanded.
enum PolicyValue<'a> {
    /// The value as the policy wrote it: its `*` and `?` are wildcards for the `Like`
    /// operators and plain text for the others; with its parsed form, and compiled as a
    /// pattern for `StringLike`.
    Plain(&'a str, Parsed, Option<&'a Element>),
    /// The value with its variables substituted.
    Expanded(Vec<Tok>),
}

impl PolicyValue<'_> {
    /// The value as text, wildcards as their characters.
    fn text(&self) -> Cow<'_, str> {
        match self {
            PolicyValue::Plain(s, _, _) => Cow::Borrowed(s),
            PolicyValue::Expanded(t) => Cow::Owned(literal(t)),
        }
    }
}

/// Whether request value `v` matches policy value `p` under `family`; `None` when either
/// side is not of the family's type.
fn matches_value(
    family: Family,
    p: &PolicyValue<'_>,
    v: Request<'_>,
    ctx: &dyn Context,
) -> Option<bool> {
    let parsed = match p {
        PolicyValue::Plain(_, parsed, _) => *parsed,
        PolicyValue::Expanded(_) => Parsed::Text,
    };
    if parsed == Parsed::Invalid {
        return None;
    }
    let v = match (family, v) {
        (Family::IpAddress, Request::Ip(ip)) => return ip_matches(parsed, p, ip),
        (_, Request::Text(v)) => v,
        // Only `IpAddress` asks for an address.
        (_, Request::Ip(_)) => return None,
    };
    Some(match family {
        Family::StringEquals { fold: false } => p.text() == v,
        Family::StringEquals { fold: true } => p.text().to_lowercase() == v.to_lowercase(),
        Family::StringLike => match p {
            PolicyValue::Plain(_, _, Some(like)) => like.matches(false, ctx, v, false),
            PolicyValue::Plain(s, _, None) => element_matches(s, false, ctx, v, false),
            PolicyValue::Expanded(t) => matches(t, v, false),
        },
        Family::Numeric(cmp) => compare(
            cmp,
            v.trim().parse::<f64>().ok()?,
            number(parsed, || p.text().trim().parse::<f64>().ok())?,
        ),
        Family::Date(cmp) => compare(cmp, date(v)?, number(parsed, || date(&p.text()))?),
        Family::Bool => {
            let policy = match parsed {
                Parsed::Bool(b) => b,
                _ => parse_bool(&p.text())?,
            };
            parse_bool(v)? == policy
        }
        Family::IpAddress => return ip_matches(parsed, p, v.parse().ok()?),
        Family::Arn => match p {
            PolicyValue::Plain(s, _, _) => element_arn_matches(s, false, ctx, v),
            PolicyValue::Expanded(t) => arn_matches(t, v),
        },
        Family::Null => false,
    })
}

/// The policy value as a number: parsed already, or by `parse` now.
fn number(parsed: Parsed, parse: impl FnOnce() -> Option<f64>) -> Option<f64> {
    match parsed {
        Parsed::Number(n) => Some(n),
        _ => parse(),
    }
}

/// Whether address `ip` is in the policy value (a range or one address); `None` when the
/// value is neither.
fn ip_matches(parsed: Parsed, p: &PolicyValue<'_>, ip: IpAddr) -> Option<bool> {
    let parsed = match parsed {
        Parsed::Net(_) | Parsed::Ip(_) => parsed,
        _ => Parsed::of(Family::IpAddress, &p.text()),
    };
    match parsed {
        Parsed::Net(n) => Some(n.contains(&ip)),
        Parsed::Ip(a) => Some(a == ip),
        _ => None,
    }
}

fn compare<T: PartialOrd>(cmp: Cmp, request: T, policy: T) -> bool {
    match cmp {
        Cmp::Eq => request == policy,
        Cmp::Lt => request < policy,
        Cmp::Le => request <= policy,
        Cmp::Gt => request > policy,
        Cmp::Ge => request >= policy,
    }
}

#[cfg(test)]
#[path = "condition_tests.rs"]
mod tests;
