use super::*;
use crate::policy::context::MapContext;
use proptest::prelude::*;

/// A context where `${aws:username}` is `al*ce` (a value with a wildcard character, which
/// must stay literal) and nothing else is set.
fn ctx() -> MapContext {
    let mut ctx = MapContext::default();
    ctx.set("aws:username", "al*ce");
    ctx
}

/// Texts of pieces that exercise every branch: wildcards, `:` (ARN components), variables
/// and escapes, case, and a non-ASCII character.
fn text(pieces: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(pieces), 0..max).prop_map(|v| v.concat())
}

const PATTERN_PIECES: &[&str] = &[
    "*",
    "?",
    ":",
    "a",
    "A",
    "b",
    "arn",
    "x",
    "\u{e9}",
    "${aws:username}",
    "${*}",
    "${",
    "}",
    "$",
];
const TEXT_PIECES: &[&str] = &[
    ":", "a", "A", "b", "arn", "x", "\u{e9}", "*", "?", "al*ce", "$",
];

proptest! {
    /// A compiled element answers what `element_matches` answers for the pattern as written.
    #[test]
    fn elements_agree_with_the_reference(
        pat in text(PATTERN_PIECES, 8),
        t in text(TEXT_PIECES, 8),
        variables in any::<bool>(),
        fold in any::<bool>(),
    ) {
        let ctx = ctx();
        prop_assert_eq!(
            Element::compile(&pat).matches(variables, &ctx, &t, fold),
            element_matches(&pat, variables, &ctx, &t, fold)
        );
    }

    /// A compiled ARN pattern answers what `element_arn_matches` answers.
    #[test]
    fn arn_patterns_agree_with_the_reference(
        pat in text(PATTERN_PIECES, 14),
        t in text(TEXT_PIECES, 14),
        variables in any::<bool>(),
    ) {
        let ctx = ctx();
        prop_assert_eq!(
            ArnPattern::compile(&pat).matches(variables, &ctx, &ArnParts::split(&t)),
            element_arn_matches(&pat, variables, &ctx, &t),
            "{} ~ {}", pat, t
        );
    }

    /// The split agrees with `splitn(6, ':')` and the account with `split(':').nth(4)`.
    #[test]
    fn arns_split_as_splitn_does(t in text(TEXT_PIECES, 14)) {
        let split = ArnParts::split(&t);
        let want: Vec<&str> = t.splitn(6, ':').collect();
        match split.parts {
            Some(parts) => prop_assert_eq!(parts.to_vec(), want),
            None => prop_assert!(want.len() < 6),
        }
        prop_assert_eq!(split.account(), t.split(':').nth(4));
        prop_assert_eq!(split.text, t.as_str());
    }
}

#[test]
fn shapes() {
    let ctx = MapContext::default();
    let m = |p: &str, t: &str| Element::compile(p).matches(true, &ctx, t, true);
    assert!(m("*", ""));
    assert!(m("dynamodb:*", "DynamoDB:GetItem"));
    assert!(!m("dynamodb:*", "dynamodb"));
    assert!(m("dynamodb:getitem", "dynamodb:GetItem"));
    assert!(!m("dynamodb:getitem", "dynamodb:GetItems"));
    assert!(m("dynamodb:get*m", "dynamodb:GetItem"));
    assert!(!m("dynamodb:get?m", "dynamodb:GetItem"));
    let arn = ArnParts::split("arn:aws:dynamodb:us-east-1:123456789012:table/T/index/I");
    assert_eq!(arn.account(), Some("123456789012"));
    let a = |p: &str| ArnPattern::compile(p).matches(true, &ctx, &arn);
    assert!(a("*"));
    assert!(a("arn:aws:dynamodb:*:*:table/*"));
    assert!(!a("arn:aws:dynamodb:*:*:table/T"));
    assert!(
        !a("arn:aws:dynamodb:*"),
        "fewer than six components match nothing"
    );
    assert!(!a("arn:aws:dynamodb:*:111111111111:*"));
    assert!(a("arn:aws:dynamodb:us-?ast-1:*:table/T/*"));
    assert!(ArnPattern::compile("*").is_any());
    assert!(!ArnPattern::compile("arn:*:*:*:*:*").is_any());
}

/// A policy reads the request's `AuthzContext` exactly when it has a condition on a DynamoDB
/// key or a resource tag, or a variable (which may name one) in a resource or condition.
#[test]
fn policies_know_whether_they_read_the_request_keys() {
    use crate::policy::{parse_policy, PolicyKind, PolicySet};
    use std::sync::Arc;
    let policy = |resource: &str, condition: &str| {
        let doc = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"dynamodb:*","Resource":"{resource}"{condition}}}]}}"#
        );
        parse_policy(&doc, PolicyKind::Identity).unwrap()
    };
    let table = "arn:aws:dynamodb:*:*:table/*";
    let cases = [
        (table, "", false),
        ("*", "", false),
        (
            table,
            r#","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"},"StringLike":{"aws:username":"b*"}}"#,
            false,
        ),
        (
            table,
            r#","Condition":{"Bool":{"aws:SecureTransport":"true"},"StringEquals":{"aws:PrincipalTag/team":"blue"}}"#,
            false,
        ),
        (
            table,
            r#","Condition":{"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":"a"}}"#,
            true,
        ),
        (
            table,
            r#","Condition":{"StringEquals":{"dynamodb:ReturnValues":"NONE"}}"#,
            true,
        ),
        (
            table,
            r#","Condition":{"Null":{"dynamodb:Attributes":"true"}}"#,
            true,
        ),
        (
            table,
            r#","Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}"#,
            true,
        ),
        (
            table,
            r#","Condition":{"StringEquals":{"aws:username":"${aws:PrincipalTag/x}"}}"#,
            true,
        ),
        ("arn:aws:dynamodb:*:*:table/${aws:username}", "", true),
    ];
    for (resource, condition, reads) in cases {
        let p = Arc::new(policy(resource, condition));
        assert_eq!(p.reads_request_keys(), reads, "{resource} {condition}");
        // Any policy of a set, whatever its place, makes the set read them.
        let plain = Arc::new(policy(table, ""));
        for set in [
            PolicySet {
                identity: vec![plain.clone(), p.clone()],
                ..PolicySet::default()
            },
            PolicySet {
                identity: vec![plain.clone()],
                boundary: Some(p.clone()),
                session: None,
            },
            PolicySet {
                identity: vec![plain.clone()],
                boundary: None,
                session: Some(p.clone()),
            },
        ] {
            assert_eq!(set.reads_request_keys(), reads, "{resource} {condition}");
        }
    }
    assert!(!PolicySet::default().reads_request_keys());
}
