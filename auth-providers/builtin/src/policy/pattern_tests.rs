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

/// Plain elements are matched in place; the answers are those of `expand` + `matches`.
#[test]
fn in_place_matching_agrees_with_expansion() {
    let mut ctx = MapContext::default();
    ctx.set("aws:username", "alice");
    let arn = "arn:aws:dynamodb:us-east-1:123456789012:table/Books/index/ByAuthor";
    let patterns = [
        "*",
        "arn:aws:dynamodb:*:*:table/Books*",
        "arn:aws:dynamodb:*",
        "arn:aws:dynamodb:us-east-1:*:table/Other",
        "arn:aws:dynamodb:us-?ast-1:*:table/*/index/*",
        "arn:aws:dynamodb:*:*:table/${aws:username}",
        "arn:aws:dynamodb:*:*:table/${aws:PrincipalTag/x}",
        "arn:aws:dynamodb:*:*:table/caf\u{e9}",
        "dynamodb:get*",
        "DYNAMODB:GetItem",
        "dynamodb:*",
        "dynamodb:GetItem",
        "dynamodb:GetItem*",
        "a${*}b",
        "",
        "a*",
        "*b",
        "arn:aws:dynamodb:us-east-1:123456789012:table/Books/index/ByAuthor",
        "arn:aws:dynamodb:*:*:table/*",
        "arn:aws:iam::*:role/x:*",
        "arn:aws:dynamodb:*:*:*:*",
        "arn:aws:dynamodb:*:*",
    ];
    let texts = [
        arn,
        "dynamodb:GetItem",
        "DynamoDB:getitem",
        "dynamodb:G\u{e9}tItem",
        "dynamodb:",
        "a*b",
        "aXb",
        "a",
        "",
        "arn:aws:dynamodb:x:y:table/alice",
        "arn:aws:iam::1:role/x:y",
        "arn:aws:dynamodb:x:y",
        "arn:aws:dynamodb:x:y:table/caf\u{e9}",
    ];
    for p in patterns {
        for variables in [true, false] {
            for text in texts {
                for fold in [true, false] {
                    let expanded =
                        expand(p, variables, &ctx).is_some_and(|t| matches(&t, text, fold));
                    assert_eq!(
                        element_matches(p, variables, &ctx, text, fold),
                        expanded,
                        "{p} ~ {text} (variables {variables}, fold {fold})"
                    );
                }
                let expanded = expand(p, variables, &ctx).is_some_and(|t| arn_matches(&t, text));
                assert_eq!(
                    element_arn_matches(p, variables, &ctx, text),
                    expanded,
                    "{p} ~ARN {text} (variables {variables})"
                );
            }
        }
    }
}

#[test]
fn variables_are_found_by_their_opening() {
    for (s, want) in [
        ("", false),
        ("$", false),
        ("${", true),
        ("a${b}", true),
        ("$ {", false),
        ("{$", false),
        ("\u{e9}${x}", true),
        ("arn:aws:dynamodb:*:*:table/*", false),
    ] {
        assert_eq!(has_variable(s), want, "{s:?}");
        assert_eq!(has_variable(s), s.contains("${"), "{s:?}");
    }
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
