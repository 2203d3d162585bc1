//! Exact admit / throttle sequences on a deterministic clock.

use super::*;
use crate::model::table::{BillingMode, OnDemandThroughput, TableDefinition, Throughput};
use crate::ops::test_support::{hash_table, keys_only_gsi};
use crate::traits::throttler::Claim;

/// A provisioned table created at t=0 with `read`/`write` units.
fn provisioned(read: i64, write: i64) -> TableDefinition {
    let mut def = hash_table();
    def.billing_mode = BillingMode::Provisioned;
    def.throughput = Throughput { read, write };
    def
}

fn write_claim<'a>(def: &'a TableDefinition, partition: &'a [u8]) -> Claim<'a> {
    Claim {
        table: def,
        index: None,
        partition: Some(partition),
        direction: Direction::Write,
    }
}

fn read_claim<'a>(def: &'a TableDefinition, index: Option<&'a str>) -> Claim<'a> {
    Claim {
        table: def,
        index,
        partition: None,
        direction: Direction::Read,
    }
}

/// Admits and charges one unit at `now`; true when admitted.
fn write_one(t: &BucketThrottler, claim: &Claim<'_>, now: f64) -> bool {
    if t.admit(claim, now).is_err() {
        return false;
    }
    t.charge(claim, &Units::table(1.0), now);
    true
}

#[test]
fn a_new_table_has_one_second_of_capacity_then_the_provisioned_rate() {
    let def = provisioned(5, 5);
    let t = BucketThrottler::new();
    let claim = write_claim(&def, b"k");
    // Created at 0, first seen at 0.5: 1 s of accrued capacity (5 units): 5 writes admitted.
    let admitted: Vec<bool> = (0..7).map(|_| write_one(&t, &claim, 0.5)).collect();
    assert_eq!(admitted, [true, true, true, true, true, false, false]);
    // 0.1 s later: 0.5 units — positive, so one more write is admitted (and goes negative).
    assert!(write_one(&t, &claim, 0.6));
    assert!(!write_one(&t, &claim, 0.6));
    // Over the next 10 s at one attempt per 10 ms: exactly 5 units/s are admitted.
    let mut n = 0;
    for i in 1..=1000 {
        if write_one(&t, &claim, 0.6 + f64::from(i) * 0.01) {
            n += 1;
        }
    }
    assert_eq!(n, 50);
}

#[test]
fn burst_accrues_up_to_300_seconds() {
    let def = provisioned(2, 2);
    let t = BucketThrottler::new();
    let claim = write_claim(&def, b"k");
    // Ten minutes after creation the bucket holds 300 s x 2 units = 600.
    let mut n = 0;
    while write_one(&t, &claim, 600.0) {
        n += 1;
    }
    assert_eq!(n, 600);
    // Idle for 1000 s refills to 600 again, not more.
    let mut n = 0;
    while write_one(&t, &claim, 1600.0) {
        n += 1;
    }
    assert_eq!(n, 600);
}

#[test]
fn refusal_is_dynamodbs_error_with_reasons() {
    let def = provisioned(1, 1);
    let t = BucketThrottler::new();
    let claim = write_claim(&def, b"k");
    assert!(write_one(&t, &claim, 0.0));
    let err = t.admit(&claim, 0.0).unwrap_err();
    assert_eq!(
        err,
        ApiError::ProvisionedThroughputExceeded {
            message: limits::TABLE_PROVISIONED.into(),
            reasons: vec![crate::error::ThrottlingReason {
                reason: "TableWriteProvisionedThroughputExceeded".into(),
                resource: "arn:aws:dynamodb:us-east-1:123456789012:table/tbl".into(),
            }],
        }
    );
    let body: serde_json::Value = serde_json::from_slice(&err.to_body()).unwrap();
    assert_eq!(
        body["__type"],
        "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"
    );
    assert_eq!(
        body["ThrottlingReasons"][0]["reason"],
        "TableWriteProvisionedThroughputExceeded"
    );
}

#[test]
fn reads_and_writes_have_separate_buckets_and_big_items_go_negative() {
    let def = provisioned(1, 1);
    let t = BucketThrottler::new();
    let read = read_claim(&def, None);
    let write = write_claim(&def, b"k");
    assert!(t.admit(&read, 0.0).is_ok());
    // A 10-unit read on a 1-unit bucket: admitted, then 9 s to pay back.
    t.charge(&read, &Units::table(10.0), 0.0);
    assert!(t.admit(&write, 0.0).is_ok(), "writes unaffected");
    assert!(t.admit(&read, 8.9).is_err());
    assert!(t.admit(&read, 9.1).is_ok());
}

#[test]
fn tables_do_not_share_buckets() {
    let a = provisioned(1, 1);
    let mut b = provisioned(1, 1);
    b.storage_id = 8;
    let t = BucketThrottler::new();
    assert!(write_one(&t, &write_claim(&a, b"k"), 0.0));
    assert!(!write_one(&t, &write_claim(&a, b"k"), 0.0));
    assert!(write_one(&t, &write_claim(&b, b"k"), 0.0));
}

#[test]
fn a_capacity_increase_applies_at_once() {
    let mut def = provisioned(1, 1);
    let t = BucketThrottler::new();
    assert!(write_one(&t, &write_claim(&def, b"k"), 0.0));
    assert!(
        write_one(&t, &write_claim(&def, b"k"), 0.5),
        "0.5 units left"
    );
    assert!(!write_one(&t, &write_claim(&def, b"k"), 0.6), "-0.4 left");
    def.throughput.write = 100;
    // At 100 units/s the debt is repaid within 10 ms.
    assert!(write_one(&t, &write_claim(&def, b"k"), 0.61));
}

#[test]
fn a_hot_key_on_demand_is_throttled_at_1000_write_units() {
    let def = hash_table();
    let t = BucketThrottler::new();
    let hot = write_claim(&def, b"hot");
    let mut n = 0;
    while write_one(&t, &hot, 10.0) {
        n += 1;
    }
    assert_eq!(n, 5000, "5 s of burst");
    // Then exactly 1,000 units per second.
    let mut sustained = 0;
    for i in 1..=2000 {
        if write_one(&t, &hot, 10.0 + f64::from(i) * 0.001) {
            sustained += 1;
        }
    }
    assert_eq!(sustained, 2000, "2 s at one write per ms");
    assert!(!write_one(&t, &hot, 12.0));
    let err = t.admit(&hot, 10.0).unwrap_err();
    match &err {
        ApiError::Throttling { message, reasons } => {
            assert_eq!(message, limits::ON_DEMAND);
            assert_eq!(reasons[0].reason, "TableWriteKeyRangeThroughputExceeded");
        }
        other => panic!("unexpected {other:?}"),
    }
    let body: serde_json::Value = serde_json::from_slice(&err.to_body()).unwrap();
    assert_eq!(
        body["throttlingReasons"][0]["reason"],
        "TableWriteKeyRangeThroughputExceeded"
    );
    // Another key of the same table is unaffected.
    assert!(write_one(&t, &write_claim(&def, b"cold"), 10.0));
}

#[test]
fn on_demand_maximum_caps_the_table() {
    let mut def = hash_table();
    def.on_demand_throughput = Some(OnDemandThroughput {
        max_read_request_units: Some(3),
        max_write_request_units: None,
    });
    let t = BucketThrottler::new();
    let read = read_claim(&def, None);
    let mut n = 0;
    while t.admit(&read, 5.0).is_ok() {
        t.charge(&read, &Units::table(1.0), 5.0);
        n += 1;
    }
    assert_eq!(n, 3);
    match t.admit(&read, 5.0).unwrap_err() {
        ApiError::Throttling { reasons, .. } => {
            assert_eq!(reasons[0].reason, "TableReadMaxOnDemandThroughputExceeded")
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_provisioned_gsi_throttles_writes_to_its_table_with_the_index_wording() {
    let mut def = provisioned(100, 100);
    let mut gsi = keys_only_gsi("g", 9, "x");
    gsi.throughput = Some(Throughput { read: 1, write: 1 });
    def.global_secondary_indexes.push(gsi);
    let t = BucketThrottler::new();
    let claim = write_claim(&def, b"k");
    let consumed = Units {
        table: Some(1.0),
        global: vec![("g".to_string(), 1.0)],
        local: vec![],
    };
    assert!(t.admit(&claim, 0.0).is_ok());
    t.charge(&claim, &consumed, 0.0);
    match t.admit(&claim, 0.0).unwrap_err() {
        ApiError::ProvisionedThroughputExceeded { message, reasons } => {
            assert_eq!(message, limits::INDEX_PROVISIONED);
            assert_eq!(reasons[0].reason, "IndexWriteProvisionedThroughputExceeded");
            assert_eq!(
                reasons[0].resource,
                "arn:aws:dynamodb:us-east-1:123456789012:table/tbl/index/g"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    // Queries of the GSI draw from its read bucket, not the table's.
    let gsi_read = read_claim(&def, Some("g"));
    assert!(t.admit(&gsi_read, 0.0).is_ok());
    t.charge(&gsi_read, &Units::index("g", true, 5.0), 0.0);
    assert!(t.admit(&gsi_read, 0.0).is_err());
    assert!(t.admit(&read_claim(&def, None), 0.0).is_ok());
}

#[test]
fn full_partition_buckets_are_forgotten_when_a_shard_grows() {
    let def = hash_table();
    let t = BucketThrottler::new();
    for i in 0..(SHARDS * SHARD_SOFT_LIMIT * 2) as u32 {
        let key = i.to_be_bytes();
        write_one(&t, &write_claim(&def, &key), f64::from(i) * 0.01);
    }
    assert!(t.bucket_count() <= SHARDS * SHARD_SOFT_LIMIT + SHARDS);
}

#[test]
fn a_dropped_tables_partition_buckets_are_forgotten_by_the_sweep_of_every_group() {
    let gone = hash_table();
    let mut live = hash_table();
    live.storage_id = gone.storage_id + 1;
    let t = BucketThrottler::new();
    // The dropped table filled the budget; no request reaches its group again.
    for i in 0..(SHARDS * SHARD_SOFT_LIMIT) as u32 {
        write_one(&t, &write_claim(&gone, &i.to_be_bytes()), 0.0);
    }
    assert!(t.bucket_count() >= SHARDS * SHARD_SOFT_LIMIT);
    // Once its buckets have refilled, a request to another table sweeps them.
    write_one(&t, &write_claim(&live, b"k"), 60.0);
    assert!(t.bucket_count() <= 4, "{} buckets left", t.bucket_count());
    // Under budget again: no sweep on the next request.
    write_one(&t, &write_claim(&live, b"j"), 60.5);
    assert!(t.bucket_count() <= 5);
}

/// A fixed count of processes.
struct Servers(u32);

impl Coordination for Servers {
    fn runs(&self, _: crate::traits::Job) -> bool {
        true
    }
    fn servers(&self) -> u32 {
        self.0
    }
}

#[test]
fn three_processes_each_enforce_a_third_and_together_the_rate() {
    let def = provisioned(30, 30);
    let shared: Vec<BucketThrottler> = (0..3)
        .map(|_| BucketThrottler::shared(Arc::new(Servers(3))))
        .collect();
    // Round-robin over the three processes, one write per 10 ms for 10 s after 1 s of burst:
    // the three together admit the table's 30 units/s (plus its first second), as one would.
    let mut admitted = 0;
    for i in 0..1100 {
        let claim = write_claim(&def, format!("k{}", i % 50).as_bytes().to_vec().leak());
        if write_one(&shared[i % 3], &claim, 0.5 + i as f64 * 0.01) {
            admitted += 1;
        }
    }
    let alone = BucketThrottler::new();
    let mut admitted_alone = 0;
    for i in 0..1100 {
        let claim = write_claim(&def, format!("k{}", i % 50).as_bytes().to_vec().leak());
        if write_one(&alone, &claim, 0.5 + i as f64 * 0.01) {
            admitted_alone += 1;
        }
    }
    assert!(
        (admitted as i64 - admitted_alone as i64).abs() <= 3,
        "3 processes admitted {admitted}, one alone {admitted_alone}"
    );
    // 30 units/s for 11 s, plus the burst a new table starts with.
    assert!((330..=375).contains(&admitted_alone), "{admitted_alone}");
    // All of the traffic through one of the three: it admits only its third.
    let skewed = BucketThrottler::shared(Arc::new(Servers(3)));
    let mut admitted_one = 0;
    for i in 0..1100 {
        let claim = write_claim(&def, format!("k{}", i % 50).as_bytes().to_vec().leak());
        if write_one(&skewed, &claim, 0.5 + i as f64 * 0.01) {
            admitted_one += 1;
        }
    }
    assert!(
        (admitted_one as i64 * 3 - admitted_alone as i64).abs() <= 9,
        "one of three admitted {admitted_one}, one alone {admitted_alone}"
    );
}
