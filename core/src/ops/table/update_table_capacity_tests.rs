//! Capacity changes: history, the decrease budget, switches of billing mode.

use super::*;
use crate::ops::table::table_description::test_support::table;

fn req(json: serde_json::Value) -> Request {
    serde_json::from_value(json).unwrap()
}

const DAY: f64 = 86_400.0;

#[test]
fn increases_and_decreases_are_recorded() {
    let mut h = ThroughputHistory::default();
    let now = 1_700_000_000.0;
    let t = |read, write| Throughput { read, write };
    record_change(&mut h, t(5, 5), t(6, 5), now).unwrap();
    assert_eq!(h.last_increase, Some(now));
    assert_eq!(h.decreases_on(now), 0);
    record_change(&mut h, t(6, 5), t(4, 5), now + 1.0).unwrap();
    assert_eq!(h.last_decrease, Some(now + 1.0));
    assert_eq!(h.decreases_on(now + 1.0), 1);
    // A new UTC day starts the count again.
    assert_eq!(h.decreases_on(now + DAY), 0);
}

#[test]
fn a_fifth_decrease_within_the_hour_is_refused() {
    let mut h = ThroughputHistory::default();
    // 2023-11-14 22:13:20 UTC.
    let now = 1_700_000_000.0;
    let t = |read| Throughput { read, write: 1 };
    for i in 0..4 {
        record_change(&mut h, t(10 - i), t(9 - i), now + i as f64).unwrap();
    }
    let err = record_change(&mut h, t(6), t(5), now + 10.0).unwrap_err();
    assert_eq!(
        err,
        ApiError::LimitExceeded("Subscriber limit exceeded: Provisioned throughput decreases are limited within a given UTC day. After the first 4 decreases, each subsequent decrease in the same UTC day can be performed at most once every 3600 seconds. Number of decreases today: 4. Last decrease at Tuesday, November 14, 2023 at 10:13:23 PM Coordinated Universal Time. Next decrease can be made at Tuesday, November 14, 2023 at 11:13:23 PM Coordinated Universal Time".into())
    );
    assert_eq!(h.decreases_on(now), 4);
    // An hour later it is allowed.
    record_change(&mut h, t(6), t(5), now + 3.0 + 3600.0).unwrap();
    assert_eq!(h.decreases_on(now), 5);
}

#[test]
fn same_capacity_will_not_change() {
    let mut def = table("Music", TableStatus::Active, 0.0);
    let err = apply(
        &mut def,
        &req(serde_json::json!({"TableName": "Music", "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 7}})),
        1.0,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: 5. Requested ReadCapacityUnits: 5. Current WriteCapacityUnits provisioned for the table: 7. Requested WriteCapacityUnits: 7. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.");
}

#[test]
fn switching_modes() {
    let mut def = table("Music", TableStatus::Active, 0.0);
    let to_ppr = req(serde_json::json!({"TableName": "Music", "BillingMode": "PAY_PER_REQUEST"}));
    assert!(apply(&mut def, &to_ppr, 50.0).unwrap());
    assert_eq!(def.billing_mode, BillingMode::PayPerRequest);
    assert_eq!(def.pay_per_request_since, Some(50.0));
    // Re-sending the mode changes nothing.
    assert!(!apply(&mut def, &to_ppr, 60.0).unwrap());
    let pt = req(
        serde_json::json!({"TableName": "Music", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}),
    );
    assert_eq!(
        apply(&mut def, &pt, 70.0).unwrap_err().to_string(),
        "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
    );
    let back = req(
        serde_json::json!({"TableName": "Music", "BillingMode": "PROVISIONED", "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3}}),
    );
    assert!(apply(&mut def, &back, 80.0).unwrap());
    assert_eq!(def.throughput, Throughput { read: 2, write: 3 });
    assert_eq!(def.pay_per_request_since, Some(50.0));
}

#[test]
fn capacity_is_busy_while_updating_or_indexes_change() {
    let pt = req(
        serde_json::json!({"TableName": "Music", "ProvisionedThroughput": {"ReadCapacityUnits": 9, "WriteCapacityUnits": 9}}),
    );
    let mut updating = table("Music", TableStatus::Updating, 0.0);
    assert_eq!(
        apply(&mut updating, &pt, 1.0).unwrap_err(),
        ApiError::ResourceInUse("Attempt to change a resource which is still in use: Table IOPS are currently being updated. Table: Music".into())
    );
}
