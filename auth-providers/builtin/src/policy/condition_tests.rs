use super::*;
use crate::policy::context::MapContext;

fn cond(op: &str, key: &str, values: &[&str]) -> Condition {
    Condition {
        op: Operator::parse(op).unwrap(),
        key: key.to_ascii_lowercase(),
        values: values.iter().map(|s| s.to_string()).collect(),
    }
}

fn check(op: &str, key: &str, values: &[&str], ctx: &MapContext) -> bool {
    holds(&cond(op, key, values), ctx, true)
}

#[test]
fn operator_names() {
    assert!(Operator::parse("ForAllValues:StringEqualsIgnoreCaseIfExists").is_some());
    assert!(Operator::parse("stringequals").is_none());
    assert!(Operator::parse("ForSomeValues:StringEquals").is_none());
    assert!(Operator::parse("NullIfExists").is_none());
    let op = Operator::parse("ArnNotLike").unwrap();
    assert!(op.negated && op.family == Family::Arn);
}

#[test]
fn absent_keys() {
    let ctx = MapContext::default();
    assert!(!check("StringEquals", "a:b", &["x"], &ctx));
    assert!(
        check("StringNotEquals", "a:b", &["x"], &ctx),
        "negated operators hold on absent keys"
    );
    assert!(check("StringEqualsIfExists", "a:b", &["x"], &ctx));
    assert!(check("ForAllValues:StringEquals", "a:b", &["x"], &ctx));
    assert!(!check("ForAnyValue:StringEquals", "a:b", &["x"], &ctx));
    assert!(check("Null", "a:b", &["true"], &ctx));
    assert!(!check("Null", "a:b", &["false"], &ctx));
}

#[test]
fn families() {
    let mut ctx = MapContext::default();
    ctx.set("n:n", "10.5");
    ctx.set("d:d", "2024-06-01T12:00:00Z");
    ctx.set("b:b", "TRUE");
    ctx.set("aws:sourceip", "203.0.113.7");
    ctx.set("s:s", "Hello");
    ctx.set("a:a", "arn:aws:iam::123456789012:user/alice");
    assert!(check("NumericGreaterThan", "n:n", &["10"], &ctx));
    assert!(check("NumericLessThanEquals", "n:n", &["10.5"], &ctx));
    assert!(!check("NumericEquals", "n:n", &["10"], &ctx));
    assert!(check("NumericNotEquals", "n:n", &["10"], &ctx));
    assert!(
        !check("NumericNotEquals", "s:s", &["10"], &ctx),
        "type errors fail negated operators too"
    );
    assert!(check("DateGreaterThan", "d:d", &["2024-01-01"], &ctx));
    assert!(check("DateLessThan", "d:d", &["1717243201"], &ctx));
    assert!(check(
        "DateEquals",
        "d:d",
        &["2024-06-01T12:00:00.000Z"],
        &ctx
    ));
    assert!(check(
        "DateEquals",
        "d:d",
        &["2024-06-01T14:00:00+02:00"],
        &ctx
    ));
    assert!(check("Bool", "b:b", &["true"], &ctx));
    assert!(!check("Bool", "b:b", &["false"], &ctx));
    assert!(check(
        "IpAddress",
        "aws:SourceIp",
        &["203.0.113.0/24"],
        &ctx
    ));
    assert!(check(
        "IpAddress",
        "aws:SourceIp",
        &["10.0.0.0/8", "203.0.113.7"],
        &ctx
    ));
    assert!(check("NotIpAddress", "aws:SourceIp", &["10.0.0.0/8"], &ctx));
    assert!(!check("IpAddress", "aws:SourceIp", &["not-an-ip"], &ctx));
    assert!(check("StringEqualsIgnoreCase", "s:s", &["hello"], &ctx));
    assert!(!check("StringEquals", "s:s", &["hello"], &ctx));
    assert!(check("StringLike", "s:s", &["H*o"], &ctx));
    assert!(check("StringNotLike", "s:s", &["h*"], &ctx));
    assert!(check("ArnLike", "a:a", &["arn:aws:iam::*:user/*"], &ctx));
    assert!(check(
        "ArnEquals",
        "a:a",
        &["arn:aws:iam::123456789012:user/al*"],
        &ctx
    ));
    assert!(check("ArnNotLike", "a:a", &["arn:aws:iam::*:role/*"], &ctx));
    assert!(!check("ArnLike", "a:a", &["arn:aws:iam::*"], &ctx));
}

#[test]
fn multivalued_keys_need_a_set_operator() {
    let mut ctx = MapContext::default();
    ctx.set_many("dynamodb:leadingkeys", &["u1"]);
    assert!(!check(
        "StringEquals",
        "dynamodb:LeadingKeys",
        &["u1"],
        &ctx
    ));
    assert!(!check(
        "StringNotEquals",
        "dynamodb:LeadingKeys",
        &["u2"],
        &ctx
    ));
    assert!(check(
        "ForAllValues:StringEquals",
        "dynamodb:LeadingKeys",
        &["u1"],
        &ctx
    ));
    ctx.set_many("dynamodb:leadingkeys", &[]);
    assert!(check(
        "ForAllValues:StringEquals",
        "dynamodb:LeadingKeys",
        &["u1"],
        &ctx
    ));
    assert!(!check(
        "ForAnyValue:StringEquals",
        "dynamodb:LeadingKeys",
        &["u1"],
        &ctx
    ));
    assert!(
        check("Null", "dynamodb:LeadingKeys", &["true"], &ctx),
        "an empty set is absent"
    );
}
