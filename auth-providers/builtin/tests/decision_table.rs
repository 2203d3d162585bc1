//! The decision table: tests/decision_table/cases.json holds groups of cases — policies
//! (identity, optional boundary and session policy) and requests (action, resource, context
//! keys) with the expected decision: `Allow`, or the `DenyReason` of an implicit or explicit
//! deny. Each group names its source when it reproduces an AWS documentation example.
//!
//! Every case starts from the context of IAM user `alice` in account 123456789012 (below);
//! a case's `context` overrides it: a string sets a single-valued key, an array a multivalued
//! key, `null` removes the key.

use extenddb_auth_builtin::policy::{evaluate, parse_policy, MapContext, PolicyKind, PolicySet};
use extenddb_core::traits::{Decision, DenyReason};
use serde_json::Value;
use std::sync::Arc;

const DEFAULTS: &[(&str, &str)] = &[
    ("aws:username", "alice"),
    ("aws:userid", "AIDAEXAMPLEALICE00001"),
    ("aws:PrincipalArn", "arn:aws:iam::123456789012:user/alice"),
    ("aws:PrincipalAccount", "123456789012"),
    ("aws:PrincipalType", "User"),
    ("aws:PrincipalTag/team", "blue"),
    ("aws:PrincipalTag/CostCenter", "1234"),
    ("aws:RequestedRegion", "us-east-1"),
    ("aws:CurrentTime", "2026-06-01T12:00:00Z"),
    ("aws:EpochTime", "1780315200"),
    ("aws:SecureTransport", "true"),
    ("aws:SourceIp", "203.0.113.7"),
];

fn expected(s: &str) -> Decision {
    match s {
        "Allow" => Decision::Allow,
        "NoIdentityPolicy" => Decision::Deny(DenyReason::NoIdentityPolicy),
        "ExplicitIdentityDeny" => Decision::Deny(DenyReason::ExplicitIdentityDeny),
        "NoBoundary" => Decision::Deny(DenyReason::NoBoundary),
        "ExplicitBoundaryDeny" => Decision::Deny(DenyReason::ExplicitBoundaryDeny),
        "NoSessionPolicy" => Decision::Deny(DenyReason::NoSessionPolicy),
        "ExplicitSessionDeny" => Decision::Deny(DenyReason::ExplicitSessionDeny),
        other => panic!("unknown expectation {other}"),
    }
}

fn policy(v: &Value, kind: PolicyKind, group: &str) -> Arc<extenddb_auth_builtin::policy::Policy> {
    Arc::new(
        parse_policy(&v.to_string(), kind)
            .unwrap_or_else(|e| panic!("group '{group}': policy refused: {e}")),
    )
}

fn context(overrides: Option<&Value>) -> MapContext {
    let mut ctx = MapContext::default();
    let mut entries: Vec<(String, Value)> = DEFAULTS
        .iter()
        .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
        .collect();
    if let Some(Value::Object(o)) = overrides {
        for (k, v) in o {
            entries.retain(|(ek, _)| !ek.eq_ignore_ascii_case(k));
            entries.push((k.clone(), v.clone()));
        }
    }
    for (k, v) in entries {
        match v {
            Value::String(s) => ctx.set(&k, &s),
            Value::Array(a) => {
                let vals: Vec<&str> = a.iter().map(|x| x.as_str().unwrap()).collect();
                ctx.set_many(&k, &vals);
            }
            Value::Null => {}
            other => panic!("context value {other} of {k}"),
        }
    }
    ctx
}

#[test]
fn decision_table() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/decision_table/cases.json"
    ))
    .unwrap();
    let groups: Vec<Value> = serde_json::from_str(&text).unwrap();
    let (mut total, mut failures) = (0, Vec::new());
    let mut seen = std::collections::HashSet::new();
    for g in &groups {
        let name = g["group"].as_str().unwrap();
        let set = PolicySet {
            identity: g["identity"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| policy(p, PolicyKind::Identity, name))
                .collect(),
            boundary: g
                .get("boundary")
                .map(|p| policy(p, PolicyKind::Boundary, name)),
            session: g
                .get("session")
                .map(|p| policy(p, PolicyKind::Session, name)),
        };
        for c in g["cases"].as_array().unwrap() {
            total += 1;
            let case = c["name"].as_str().unwrap();
            assert!(seen.insert((name, case)), "duplicate case {name} / {case}");
            let ctx = context(c.get("context"));
            let got = evaluate(
                &set,
                c["action"].as_str().unwrap(),
                c["resource"].as_str().unwrap(),
                &ctx,
            );
            let want = expected(c["expect"].as_str().unwrap());
            if got != want {
                failures.push(format!("{name} / {case}: expected {want:?}, got {got:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(total >= 200, "only {total} cases");
    // Every outcome is exercised.
    for outcome in [
        "Allow",
        "NoIdentityPolicy",
        "ExplicitIdentityDeny",
        "NoBoundary",
        "ExplicitBoundaryDeny",
        "NoSessionPolicy",
        "ExplicitSessionDeny",
    ] {
        assert!(
            text.contains(&format!("\"expect\": \"{outcome}\"")),
            "{outcome} never expected"
        );
    }
}
