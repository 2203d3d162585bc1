use super::*;
use crate::policy::condition::{Family, SetQualifier};

fn ok(doc: &str, kind: PolicyKind) -> Policy {
    parse_policy(doc, kind).unwrap_or_else(|e| panic!("{doc}: {e}"))
}

fn refused(doc: &str, kind: PolicyKind) -> String {
    parse_policy(doc, kind).unwrap_err().0
}

#[test]
fn guide_policies_parse() {
    let p = ok(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}"#,
        PolicyKind::Identity,
    );
    assert_eq!(p.version, PolicyVersion::V2012);
    assert_eq!(p.statements.len(), 1);
    assert_eq!(
        p.statements[0].actions,
        Patterns::Any(vec!["dynamodb:*".into()])
    );
    let t = ok(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"sts:AssumeRole"}]}"#,
        PolicyKind::Trust,
    );
    assert_eq!(
        t.statements[0].principal,
        Some(PrincipalSpec::Aws {
            aws: vec!["arn:aws:iam::123456789012:user/alice".into()],
            not: false
        })
    );
}

#[test]
fn statement_object_and_defaults() {
    let p = ok(
        r#"{"Statement":{"Sid":"A1","Effect":"Deny","NotAction":["DynamoDB:GetItem"],"NotResource":"arn:aws:dynamodb:*:*:table/x","Condition":{"ForAnyValue:StringLikeIfExists":{"dynamodb:Attributes":["a*",1,true]}}}}"#,
        PolicyKind::Boundary,
    );
    assert_eq!(
        p.version,
        PolicyVersion::V2008,
        "no Version means 2008-10-17"
    );
    let s = &p.statements[0];
    assert_eq!(s.sid.as_deref(), Some("A1"));
    assert_eq!(s.effect, Effect::Deny);
    assert_eq!(s.actions, Patterns::Not(vec!["dynamodb:getitem".into()]));
    let c = &s.conditions[0];
    assert_eq!(c.key, "dynamodb:attributes");
    assert_eq!(c.values, vec!["a*", "1", "true"]);
    assert_eq!(c.op.family, Family::StringLike);
    assert_eq!(c.op.qualifier, Some(SetQualifier::ForAnyValue));
    assert!(c.op.if_exists && !c.op.negated);
}

#[test]
fn malformed_documents_are_refused_with_clear_errors() {
    let id = PolicyKind::Identity;
    assert_eq!(refused("not json", id), "Syntax errors in policy.");
    assert_eq!(refused("[]", id), "Syntax errors in policy.");
    assert_eq!(
        refused(r#"{"Version":"2012-10-18","Statement":[]}"#, id),
        "The policy failed legacy parsing"
    );
    assert!(refused(r#"{"Version":"2012-10-17"}"#, id).contains("Statement"));
    assert!(refused(r#"{"Version":"2012-10-17","Statement":[]}"#, id).contains("non-empty"));
    assert!(refused(
        r#"{"Statement":[{"Effect":"Allow","Action":"a:b","Resource":"*"}],"Extra":1}"#,
        id
    )
    .contains("Unknown field Extra"));
    assert_eq!(
        refused(r#"{"Statement":{"Action":"a:b","Resource":"*"}}"#, id),
        "Missing required field Effect"
    );
    assert_eq!(
        refused(
            r#"{"Statement":{"Effect":"Permit","Action":"a:b","Resource":"*"}}"#,
            id
        ),
        "Invalid effect: \"Permit\""
    );
    assert_eq!(
        refused(r#"{"Statement":{"Effect":"Allow","Resource":"*"}}"#, id),
        "Policy statement must contain actions."
    );
    assert!(refused(
        r#"{"Statement":{"Effect":"Allow","Action":"a:b","NotAction":"a:c","Resource":"*"}}"#,
        id
    )
    .contains("not both"));
    assert_eq!(
        refused(r#"{"Statement":{"Effect":"Allow","Action":"a:b"}}"#, id),
        "Policy statement must contain resources."
    );
    assert_eq!(
        refused(
            r#"{"Statement":{"Effect":"Allow","Action":"GetItem","Resource":"*"}}"#,
            id
        ),
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
    );
    assert_eq!(
        refused(
            r#"{"Statement":{"Effect":"Allow","Action":"a:b","Resource":"table/x"}}"#,
            id
        ),
        "Resource table/x must be in ARN format or \"*\"."
    );
    assert_eq!(
        refused(
            r#"{"Statement":{"Effect":"Allow","Action":"a:b","Resource":"*","Principal":"*"}}"#,
            id
        ),
        "Policy document should not specify a principal."
    );
    assert_eq!(
        refused(
            r#"{"Statement":{"Effect":"Allow","Action":"a:b","Resource":"*","Condition":{"StringEqualz":{"a:b":"c"}}}}"#,
            id
        ),
        "Invalid Condition type : StringEqualz"
    );
    assert!(refused(r#"{"Statement":{"Effect":"Allow","Action":"a:b","Resource":"*","Condition":{"NullIfExists":{"a:b":"true"}}}}"#, id).contains("NullIfExists"));
    assert_eq!(
        refused(
            r#"{"Statement":[{"Sid":"x","Effect":"Allow","Action":"a:b","Resource":"*"},{"Sid":"x","Effect":"Deny","Action":"a:b","Resource":"*"}]}"#,
            id
        ),
        "Statement IDs (SID) in a single policy must be unique."
    );
    assert_eq!(
        refused(
            r#"{"Statement":{"Sid":"a b","Effect":"Allow","Action":"a:b","Resource":"*"}}"#,
            id
        ),
        "Statement IDs (SID) must be alpha-numeric."
    );
    assert!(refused(
        r#"{"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}"#,
        id
    )
    .contains("non-empty"));
    assert!(refused(r#"{"Statement":{"Effect":"Allow","Action":"a:b","Resource":"*","Condition":{"StringEquals":{"a:b":{}}}}}"#, id).contains("strings"));
}

#[test]
fn trust_policies_need_principal_and_forbid_resource() {
    let t = PolicyKind::Trust;
    assert_eq!(
        refused(
            r#"{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}"#,
            t
        ),
        "Missing required field Principal"
    );
    assert_eq!(
        refused(
            r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}}"#,
            t
        ),
        "Has prohibited field Resource"
    );
    assert_eq!(
        refused(
            r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"sts:AssumeRole"}}"#,
            t
        ),
        "Invalid principal in policy: \"AWS\":\"alice\""
    );
    let any = ok(
        r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}}"#,
        t,
    );
    assert_eq!(any.statements[0].principal, Some(PrincipalSpec::Anyone));
}

#[test]
fn size_limits() {
    let big = format!(
        r#"{{"Statement":{{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":["{}"]}}}}"#,
        vec!["arn:aws:dynamodb:us-east-1:123456789012:table/t"; 140].join("\",\"")
    );
    assert!(refused(&big, PolicyKind::Identity).contains("6144"));
    let medium = format!(
        r#"{{"Statement":{{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":["{}"]}}}}"#,
        vec!["arn:aws:dynamodb:us-east-1:123456789012:table/t"; 50].join("\",\"")
    );
    assert!(parse_policy(&medium, PolicyKind::Identity).is_ok());
    assert!(refused(&medium, PolicyKind::Session).contains("2048"));
}
