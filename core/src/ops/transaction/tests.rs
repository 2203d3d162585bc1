//! The decider on its own: conditions, writes and reasons against given current items.

use super::actions::{Action, Kind};
use super::decide::{decide, on_conflict};
use crate::error::ApiError;
use crate::expr::{self, ExpressionAttributes, ExpressionKind};
use crate::model::Item;
use crate::ops::multi_test_support::tbl_key;
use crate::ops::test_support::item;
use crate::traits::{StoredItem, WriteOp};

fn action(pk: &str, kind: Kind, condition: Option<&str>) -> Action {
    let mut attrs = ExpressionAttributes::new(None, None);
    Action {
        table: "tbl".into(),
        key: tbl_key(pk),
        kind,
        condition: condition
            .map(|c| expr::parse_condition(c, ExpressionKind::Condition, &mut attrs).unwrap()),
        old_on_failure: false,
        def: std::sync::Arc::new(crate::ops::test_support::hash_table()),
        partition: Vec::new(),
        changes: crate::ops::change::ChangeWriter::default(),
    }
}

fn stored(json: &str) -> Option<StoredItem> {
    Some(StoredItem::encode(&item(json)))
}

#[test]
fn every_action_writes_in_order_when_all_hold() {
    let mut attrs = ExpressionAttributes::new(None, None);
    let update = expr::parse_update("REMOVE x", &mut attrs).unwrap();
    let actions = [
        action(
            "a",
            Kind::Put(item(r#"{"pk":{"S":"a"}}"#)),
            Some("attribute_not_exists(pk)"),
        ),
        action("b", Kind::Check, Some("attribute_exists(pk)")),
        action("c", Kind::Delete, None),
        action(
            "d",
            Kind::Update {
                key: item(r#"{"pk":{"S":"d"}}"#),
                update,
            },
            None,
        ),
    ];
    let current = [
        None,
        stored(r#"{"pk":{"S":"b"}}"#),
        stored(r#"{"pk":{"S":"c"}}"#),
        stored(r#"{"pk":{"S":"d"},"x":{"S":"gone"}}"#),
    ];
    let writes = decide(&actions, &current).unwrap();
    assert_eq!(
        writes,
        vec![
            WriteOp::Put {
                key: tbl_key("a"),
                item: StoredItem::encode(&item(r#"{"pk":{"S":"a"}}"#))
            },
            WriteOp::Delete { key: tbl_key("c") },
            WriteOp::Put {
                key: tbl_key("d"),
                item: StoredItem::encode(&item(r#"{"pk":{"S":"d"}}"#))
            },
        ]
    );
}

#[test]
fn every_failing_action_has_its_reason() {
    let actions = [
        action("a", Kind::Check, Some("attribute_exists(pk)")),
        action("b", Kind::Delete, None),
        action(
            "c",
            Kind::Put(Item::new()),
            Some("attribute_not_exists(pk)"),
        ),
    ];
    let current = [None, None, stored(r#"{"pk":{"S":"c"}}"#)];
    let ApiError::TransactionCanceled { message, reasons } =
        decide(&actions, &current).unwrap_err()
    else {
        panic!("expected a cancellation");
    };
    assert!(message.ends_with("[ConditionalCheckFailed, None, ConditionalCheckFailed]"));
    let codes: Vec<&str> = reasons.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(
        codes,
        ["ConditionalCheckFailed", "None", "ConditionalCheckFailed"]
    );
    // Without ReturnValuesOnConditionCheckFailure no item is returned.
    assert!(reasons.iter().all(|r| r.item.is_none()));
}

#[test]
fn store_conflicts_cancel_every_action() {
    let e = on_conflict(
        ApiError::TransactionConflict("Transaction is ongoing for the item".into()),
        2,
    );
    let ApiError::TransactionCanceled { message, reasons } = e else {
        panic!("expected a cancellation");
    };
    assert!(message.ends_with("[TransactionConflict, TransactionConflict]"));
    assert_eq!(
        reasons[1].message.as_deref(),
        Some("Transaction is ongoing for the item")
    );
    assert_eq!(
        on_conflict(ApiError::validation("x"), 2),
        ApiError::validation("x")
    );
}
