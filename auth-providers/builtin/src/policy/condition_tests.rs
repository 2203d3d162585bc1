use super::*;
use crate::policy::context::MapContext;

fn cond(op: &str, key: &str, values: &[&str]) -> Condition {
    Condition::new(
        Operator::parse(op).unwrap(),
        key,
        values.iter().map(|s| s.to_string()).collect(),
    )
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

/// A context holding `aws:SourceIp` as an address (as a request's does) over `MapContext`.
struct IpContext {
    map: MapContext,
    ip: Option<std::net::IpAddr>,
}

impl Context for IpContext {
    fn get(&self, key: &str) -> Option<super::super::context::CtxValue<'_>> {
        self.map.get(key)
    }
    fn ip(&self, key: &str) -> Option<std::net::IpAddr> {
        (key == "aws:sourceip").then_some(self.ip).flatten()
    }
}

#[test]
fn an_address_held_as_one_matches_as_its_text_does() {
    let ops = [
        "IpAddress",
        "NotIpAddress",
        "IpAddressIfExists",
        "NotIpAddressIfExists",
        "ForAnyValue:IpAddress",
        "ForAllValues:NotIpAddress",
    ];
    let policies: [&[&str]; 9] = [
        &["10.0.0.0/8"],
        &["10.1.2.3"],
        &["10.1.2.3/32", "192.0.2.0/24"],
        &["::1/128", "127.0.0.0/8"],
        &["2001:db8::/32"],
        &["not-an-ip"],
        &["10.0.0.0/8", "not-an-ip"],
        &["${aws:username}"],
        &["${aws:PrincipalTag/net, '10.0.0.0/8'}"],
    ];
    let ips = [
        "10.1.2.3",
        "192.0.2.9",
        "127.0.0.1",
        "::1",
        "2001:db8::7",
        "8.8.8.8",
    ];
    let mut checked = 0;
    for op in ops {
        for values in policies {
            for ip in ips {
                let c = cond(op, "aws:SourceIp", values);
                let mut text = MapContext::default();
                text.set("aws:SourceIp", ip);
                text.set("aws:username", "10.0.0.0/8");
                let native = IpContext {
                    map: {
                        let mut m = MapContext::default();
                        m.set("aws:username", "10.0.0.0/8");
                        m
                    },
                    ip: ip.parse().ok(),
                };
                for variables in [true, false] {
                    assert_eq!(
                        holds(&c, &native, variables),
                        holds(&c, &text, variables),
                        "{op} {values:?} on {ip} (variables {variables})"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 6 * 9 * 6 * 2);
    // And the answers are the expected ones, not merely equal.
    let native = |ip: &str| IpContext {
        map: MapContext::default(),
        ip: ip.parse().ok(),
    };
    let c = cond("IpAddress", "aws:SourceIp", &["10.0.0.0/8", "::1/128"]);
    assert!(holds(&c, &native("10.9.9.9"), true));
    assert!(holds(&c, &native("::1"), true));
    assert!(!holds(&c, &native("11.0.0.1"), true));
    let c = cond("NotIpAddress", "aws:SourceIp", &["10.0.0.0/8", "bad"]);
    assert!(
        !holds(&c, &native("11.0.0.1"), true),
        "a bad value fails even negated"
    );
    let absent = IpContext {
        map: MapContext::default(),
        ip: None,
    };
    assert!(!holds(
        &cond("IpAddress", "aws:SourceIp", &["0.0.0.0/0"]),
        &absent,
        true
    ));
    assert!(holds(
        &cond("IpAddressIfExists", "aws:SourceIp", &["10.0.0.0/8"]),
        &absent,
        true
    ));
}

#[test]
fn values_parsed_once_compare_as_parsed_per_request() {
    let mut ctx = MapContext::default();
    ctx.set("aws:EpochTime", "1700000000");
    ctx.set("aws:CurrentTime", "2023-11-14T22:13:20Z");
    ctx.set("aws:SecureTransport", "true");
    ctx.set("dynamodb:n", "5");
    assert!(check("NumericLessThan", "dynamodb:n", &["5.5"], &ctx));
    assert!(!check("NumericLessThan", "dynamodb:n", &[" 5 "], &ctx));
    assert!(
        !check("NumericEquals", "dynamodb:n", &["five", "5"], &ctx),
        "a bad value fails all"
    );
    assert!(check(
        "DateEquals",
        "aws:CurrentTime",
        &["1700000000"],
        &ctx
    ));
    assert!(check(
        "DateGreaterThan",
        "aws:EpochTime",
        &["2023-11-14"],
        &ctx
    ));
    assert!(check("Bool", "aws:SecureTransport", &["TRUE"], &ctx));
    assert!(!check("Bool", "aws:SecureTransport", &["yes"], &ctx));
    // A value with a variable is parsed per request, from the variable's value.
    ctx.set("aws:PrincipalTag/limit", "6");
    assert!(check(
        "NumericLessThan",
        "dynamodb:n",
        &["${aws:PrincipalTag/limit}"],
        &ctx
    ));
    ctx.set("aws:PrincipalTag/limit", "4");
    assert!(!check(
        "NumericLessThan",
        "dynamodb:n",
        &["${aws:PrincipalTag/limit}"],
        &ctx
    ));
}

/// The values of a condition are tried in order and the first match decides, except when a
/// value is not of the family's type: that fails the condition wherever it stands.
#[test]
fn a_value_of_the_wrong_type_fails_the_condition_even_after_a_match() {
    let mut ctx = MapContext::default();
    ctx.set("n:n", "1");
    ctx.set("s:s", "Hello");
    ctx.set("aws:sourceip", "127.0.0.1");
    assert!(check("NumericEquals", "n:n", &["1", "2"], &ctx));
    assert!(check("NumericEquals", "n:n", &["2", "1"], &ctx));
    assert!(!check("NumericEquals", "n:n", &["1", "x"], &ctx));
    assert!(!check("NumericEquals", "n:n", &["x", "1"], &ctx));
    assert!(!check("NumericNotEquals", "n:n", &["1", "x"], &ctx));
    assert!(!check("NumericEquals", "s:s", &["1", "2"], &ctx));
    assert!(check(
        "IpAddress",
        "aws:SourceIp",
        &["127.0.0.0/8", "::1/128"],
        &ctx
    ));
    assert!(!check(
        "IpAddress",
        "aws:SourceIp",
        &["127.0.0.0/8", "nope"],
        &ctx
    ));
    assert!(!check(
        "NotIpAddress",
        "aws:SourceIp",
        &["127.0.0.0/8", "::1/128"],
        &ctx
    ));
    assert!(check("StringLike", "s:s", &["H*", "x*"], &ctx));
    assert!(check("StringLike", "s:s", &["x*", "H*"], &ctx));
    assert!(!check("StringNotLike", "s:s", &["x*", "H?llo"], &ctx));
}
