//! The typed check (`ModelChecked`) against the walk: it says "holds" for valid requests, and
//! never for a request the walk refuses — every constraint of every member of each
//! implementing operation broken in turn (the cases of `every_operation_tests`).

use super::every_operation_tests::{broken, sample};
use super::tests::msg;
use super::*;
use crate::ops::data::{get_item, put_item};
use serde_json::{json, Value};

/// The operations whose requests implement `ModelChecked`.
const TYPED: [Operation; 2] = [Operation::GetItem, Operation::PutItem];

/// Whether the typed check of `op` holds for `body`; `None` when the body does not decode
/// (the decoder refuses it before any constraint is looked at).
fn typed_holds(op: Operation, body: &Value) -> Option<bool> {
    let members = Members::of(op).expect("a structure input");
    let bytes = serde_json::to_vec(body).unwrap();
    match op {
        Operation::GetItem => crate::ops::request::protocol::decode::<get_item::Request>(&bytes)
            .ok()
            .map(|r| r.holds(&members)),
        Operation::PutItem => crate::ops::request::protocol::decode::<put_item::Request>(&bytes)
            .ok()
            .map(|r| r.holds(&members)),
        _ => unreachable!("{op:?} has no typed check"),
    }
}

/// The smallest valid body of `op`, with an item or key that decodes as one.
fn base(op: Operation) -> Value {
    let mut body = sample(input(op).unwrap());
    for member in ["Key", "Item"] {
        if body.get(member).is_some() {
            body[member] = json!({"pk": {"S": "a"}});
        }
    }
    body
}

#[test]
fn valid_requests_hold_without_the_walk() {
    let names = json!({"#a": "a", "#b": "b"});
    let full = [
        (
            Operation::GetItem,
            json!({"TableName": "Music-1.x_y", "Key": {"pk": {"S": "a"}},
                   "AttributesToGet": ["a", "b"], "ReturnConsumedCapacity": "TOTAL",
                   "ExpressionAttributeNames": names, "ConsistentRead": true,
                   "ProjectionExpression": "#a, #b"}),
        ),
        (
            Operation::PutItem,
            json!({"TableName": "t".repeat(255), "Item": {"pk": {"S": "a"}},
                   "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "INDEXES",
                   "ReturnItemCollectionMetrics": "SIZE", "ConditionalOperator": "AND",
                   "ExpressionAttributeNames": names,
                   "ExpressionAttributeValues": {":v": {"N": "1"}},
                   "ConditionExpression": "#a = :v",
                   "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
        ),
    ];
    for (op, body) in full {
        assert_eq!(msg(op, body.clone()), "ok", "{op:?}");
        assert_eq!(typed_holds(op, &body), Some(true), "{op:?}: {body}");
        let minimal = base(op);
        assert_eq!(typed_holds(op, &minimal), Some(true), "{op:?}: {minimal}");
    }
}

#[test]
fn every_broken_member_is_left_to_the_walk() {
    let mut compared = 0;
    for op in TYPED {
        let shape = input(op).unwrap();
        let Kind::Structure(members) = &shape.kind else {
            unreachable!()
        };
        let valid = base(op);
        for m in members.iter() {
            for (value, _, _) in broken(m) {
                let mut body = valid.clone();
                match value {
                    Some(v) => body[m.name] = v,
                    None => {
                        body.as_object_mut().map(|o| o.remove(m.name));
                    }
                }
                assert_ne!(msg(op, body.clone()), "ok", "{op:?}.{}", m.name);
                if let Some(holds) = typed_holds(op, &body) {
                    assert!(!holds, "{op:?}.{}: typed check passed {body}", m.name);
                    compared += 1;
                }
            }
        }
    }
    // TableName (required, pattern, shortest, longest), Key/Item (required), the enums and
    // AttributesToGet's length, on both operations.
    assert!(compared >= 15, "{compared} cases compared");
}

#[test]
fn a_long_non_ascii_table_name_counts_utf16_units() {
    // 100 'é' is 100 UTF-16 units but 200 bytes: within 255, yet the pattern refuses it.
    let body = json!({"TableName": "é".repeat(100), "Key": {"pk": {"S": "a"}}});
    assert_ne!(msg(Operation::GetItem, body.clone()), "ok");
    assert_eq!(typed_holds(Operation::GetItem, &body), Some(false));
}

#[test]
fn legacy_expected_is_left_to_the_walk() {
    let body = json!({"TableName": "Music", "Item": {"pk": {"S": "a"}},
                      "Expected": {"a": {"Exists": false}}});
    assert_eq!(typed_holds(Operation::PutItem, &body), Some(false));
}
