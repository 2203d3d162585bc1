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
