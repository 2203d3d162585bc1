//! Every operation of the model, generically: a valid body built from the constraints passes,
//! and breaking one top-level member (required, enum, length, pattern, range, list length)
//! answers exactly that one violation in DynamoDB's words. Also the check's cost beside
//! decoding (an ignored test).

use super::tests::{msg, one, MIN1, NOT_NULL};
use super::*;
use serde_json::{json, Value};

/// The cost of the check beside the decoding it follows, for a typical PutItem and GetItem
/// body: `cargo test --release -p extenddb-core --lib -- --ignored shapes_cost --nocapture`.
#[test]
#[ignore]
fn shapes_cost() {
    use crate::ops::data::{get_item, put_item};
    use crate::ops::request::protocol;
    use std::time::Instant;
    let attrs: Vec<String> = (0..20)
        .map(|i| format!(r#""a{i}":{{"S":"value number {i} of the item"}}"#))
        .collect();
    let put = format!(
        r#"{{"TableName":"Music","Item":{{"pk":{{"S":"artist#1"}},{}}},"ReturnConsumedCapacity":"TOTAL","ConditionExpression":"attribute_not_exists(pk)"}}"#,
        attrs.join(",")
    );
    let get = r#"{"TableName":"Music","Key":{"pk":{"S":"artist#1"}},"ConsistentRead":true}"#;
    let n = 200_000;
    for (name, body, op) in [
        ("PutItem", put.as_bytes(), Operation::PutItem),
        ("GetItem", get.as_bytes(), Operation::GetItem),
    ] {
        let t = Instant::now();
        for _ in 0..n {
            match op {
                Operation::PutItem => {
                    let _: put_item::Request = protocol::decode(body).unwrap();
                }
                _ => {
                    let _: get_item::Request = protocol::decode(body).unwrap();
                }
            }
        }
        let decode = t.elapsed().as_nanos() as f64 / n as f64;
        let t = Instant::now();
        for _ in 0..n {
            check(op, body).unwrap();
        }
        let walk = t.elapsed().as_nanos() as f64 / n as f64;
        println!(
            "{name} ({} bytes): decode {decode:.0} ns, constraint check {walk:.0} ns ({:.0} % of decode)",
            body.len(),
            100.0 * walk / decode
        );
    }
}

/// A valid value of `shape` (the smallest the constraints allow), for building bodies.
pub(super) fn sample(shape: &Shape) -> Value {
    match &shape.kind {
        Kind::Structure(members) => {
            let mut m = serde_json::Map::new();
            for mem in members.iter().filter(|m| m.required) {
                m.insert(mem.name.to_string(), sample(mem.shape));
            }
            Value::Object(m)
        }
        Kind::List { member, min, .. } => {
            Value::Array((0..min.unwrap_or(0)).map(|_| sample(member)).collect())
        }
        Kind::Map {
            key, value, min, ..
        } => {
            let mut m = serde_json::Map::new();
            for i in 0..min.unwrap_or(0) {
                let k = match sample(key) {
                    Value::String(s) => format!("{s}{i}"),
                    _ => format!("key{i}"),
                };
                m.insert(k, sample(value));
            }
            Value::Object(m)
        }
        Kind::String { min, values, .. } => match values.first() {
            Some(v) => json!(v),
            None => json!("a".repeat(min.unwrap_or(1).max(1) as usize)),
        },
        Kind::Number { min, .. } => json!(min.unwrap_or(1).max(1)),
        Kind::Opaque => json!({"S": "x"}),
    }
}

/// Every constraint kind of every top-level member of every operation served: the body with
/// that one member broken answers exactly the one violation, in DynamoDB's words.
#[test]
fn every_operation_reports_each_constraint_kind() {
    let mut checked = 0;
    for op in Operation::ALL.iter().copied() {
        let Some(shape) = input(op) else { continue };
        let Kind::Structure(members) = &shape.kind else {
            continue;
        };
        let valid = sample(shape);
        assert_eq!(msg(op, valid.clone()), "ok", "{op:?}: {valid}");
        for m in members.iter() {
            let cases = broken(m);
            for (value, shown, constraint) in cases {
                let mut body = valid.clone();
                match &value {
                    Some(v) => body[m.name] = v.clone(),
                    None => {
                        body.as_object_mut().map(|o| o.remove(m.name));
                    }
                }
                assert_eq!(
                    msg(op, body.clone()),
                    one(&shown, m.path, &constraint),
                    "{op:?}.{}: {body}",
                    m.name
                );
                checked += 1;
            }
        }
    }
    // Every kind occurs: required, enum, lengths, pattern, ranges, list lengths.
    assert!(checked > 60, "{checked} cases");
}

/// One body change per constraint of member `m` that breaks it alone: the value to set
/// (`None`: leave the member out), the value as DynamoDB shows it, and the constraint's text.
pub(super) fn broken(m: &Member) -> Vec<(Option<Value>, String, String)> {
    let mut cases: Vec<(Option<Value>, String, String)> = Vec::new();
    if m.required {
        cases.push((None, "null".into(), NOT_NULL.into()));
    }
    match &m.shape.kind {
        Kind::String {
            min,
            max,
            pattern,
            values,
        } => {
            if !values.is_empty() {
                cases.push((
                    Some(json!("BOGUS")),
                    "BOGUS".into(),
                    format!(
                        "Member must satisfy enum value set: [{}]",
                        values.join(", ")
                    ),
                ));
            }
            let fill = |n: u64| "a".repeat(n as usize);
            // A too-short filler that also breaks the member's pattern (a NextToken
            // of 16-digit hex groups) would report two violations: not this case.
            let fits = |v: &str| pattern.is_none_or(|p| p.matches(v));
            if let Some(min) = min.filter(|m| *m > 1 && fits(&fill(*m - 1))) {
                let v = fill(min - 1);
                cases.push((
                    Some(json!(v)),
                    v,
                    format!("Member must have length greater than or equal to {min}"),
                ));
            }
            if let Some(max) = max.filter(|m| *m < 5000 && fits(&fill(*m + 1))) {
                let v = fill(max + 1);
                cases.push((
                    Some(json!(v)),
                    v,
                    format!("Member must have length less than or equal to {max}"),
                ));
            }
            if let Some(p) = pattern {
                let v = format!("{}!", fill(min.unwrap_or(1).max(2)));
                cases.push((
                    Some(json!(v)),
                    v,
                    format!(
                        "Member must satisfy regular expression pattern: {}",
                        p.text()
                    ),
                ));
            }
        }
        Kind::Number { min, max } => {
            if let Some(min) = min {
                cases.push((
                    Some(json!(min - 1)),
                    (min - 1).to_string(),
                    format!("Member must have value greater than or equal to {min}"),
                ));
            }
            if let Some(max) = max {
                cases.push((
                    Some(json!(max + 1)),
                    (max + 1).to_string(),
                    format!("Member must have value less than or equal to {max}"),
                ));
            }
        }
        Kind::List { min: Some(1), .. } => {
            cases.push((Some(json!([])), "[]".into(), MIN1.into()));
        }
        _ => {}
    }
    cases
}
