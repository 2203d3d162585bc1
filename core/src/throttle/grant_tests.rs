//! Charging through a grant reaches exactly the buckets a look-up would.

use super::group::slab_of;
use super::*;
use crate::model::table::{BillingMode, TableDefinition, Throughput};
use crate::ops::test_support::{hash_table, keys_only_gsi};

/// A provisioned table (`read`/`write` units) with provisioned GSIs `g0`… of 1 unit each.
fn with_gsis(read: i64, write: i64, gsis: u64) -> TableDefinition {
    let mut def = hash_table();
    def.billing_mode = BillingMode::Provisioned;
    def.throughput = Throughput { read, write };
    for i in 0..gsis {
        let mut gsi = keys_only_gsi(&format!("g{i}"), 100 + i, "x");
        gsi.throughput = Some(Throughput { read: 1, write: 1 });
        def.global_secondary_indexes.push(gsi);
    }
    def
}

fn write<'a>(def: &'a TableDefinition, partition: &'a [u8]) -> Claim<'a> {
    Claim {
        table: def,
        index: None,
        partition: Some(partition),
        direction: Direction::Write,
    }
}

#[test]
fn charging_through_the_grant_admits_what_charging_by_look_up_does() {
    let def = with_gsis(3, 3, 1);
    let units = Units {
        table: Some(1.0),
        global: vec![("g0".to_string(), 0.5)],
        local: vec![],
    };
    let granted = BucketThrottler::new();
    let looked_up = BucketThrottler::new();
    let keys: Vec<Vec<u8>> = (0..4u8).map(|k| vec![k, 7]).collect();
    let mut outcomes = Vec::new();
    for i in 0..400 {
        let claim = write(&def, &keys[i % 4]);
        let now = 0.5 + i as f64 * 0.05;
        let a = match granted.admit_grant(&claim, now) {
            Ok(grant) => {
                granted.charge_grant(&claim, grant, &units, now);
                true
            }
            Err(_) => false,
        };
        let b = looked_up.admit(&claim, now).is_ok();
        if b {
            looked_up.charge(&claim, &units, now);
        }
        assert_eq!(a, b, "attempt {i}");
        outcomes.push(a);
    }
    // The GSI's 1 unit/s at 0.5 units per write decides: about 2 writes a second are let in,
    // so the comparison saw both answers many times.
    let admitted = outcomes.iter().filter(|a| **a).count();
    assert!((40..=60).contains(&admitted), "{admitted}");
}

#[test]
fn a_grant_holds_a_table_and_two_gsis_without_allocating() {
    let t = BucketThrottler::new();
    let two = with_gsis(10, 10, 2);
    let grant = t.admit_grant(&write(&two, b"k"), 0.0).unwrap();
    assert_eq!(format!("{grant:?}"), "Grant { groups: 3 }");
    assert!(!grant.spilled());
    let three = with_gsis(10, 10, 3);
    let grant = t.admit_grant(&write(&three, b"k"), 0.0).unwrap();
    assert_eq!(format!("{grant:?}"), "Grant { groups: 4 }");
    assert!(grant.spilled());
}

#[test]
fn a_partition_bucket_forgotten_after_admission_is_charged_anew() {
    let def = hash_table();
    let t = BucketThrottler::new();
    let hot = 7u32.to_be_bytes();
    let slab = slab_of(partition_number(&hot));
    // Partitions of the same slab, more than the throttler's budget: adding them makes the
    // slab forget its full buckets (the hot one among them) and reuse their slots.
    let others: Vec<[u8; 4]> = (1_000u32..)
        .map(u32::to_be_bytes)
        .filter(|k| slab_of(partition_number(k)) == slab)
        .take(PARTITION_BUDGET + SHARD_SOFT_LIMIT)
        .collect();
    let grant = t.admit_grant(&write(&def, &hot), 10.0).unwrap();
    for k in &others {
        assert!(t.admit(&write(&def, k), 10.0).is_ok());
    }
    assert!(t.bucket_count() < others.len(), "the slab forgot some");
    // More than the hot partition's 5,000-unit burst: the charge must land on its bucket.
    t.charge_grant(&write(&def, &hot), grant, &Units::table(6_000.0), 10.0);
    assert!(t.admit(&write(&def, &hot), 10.0).is_err());
    for k in others.iter().rev().take(2 * SHARD_SOFT_LIMIT) {
        assert!(t.admit(&write(&def, k), 10.0).is_ok(), "{k:?}");
    }
}

#[test]
fn a_grant_of_another_table_is_not_charged_in_its_place() {
    let a = with_gsis(1, 1, 0);
    let mut b = with_gsis(1, 1, 0);
    b.storage_id = 8;
    let t = BucketThrottler::new();
    let grant = t.admit_grant(&write(&a, b"k"), 0.0).unwrap();
    t.charge_grant(&write(&b, b"k"), grant, &Units::table(5.0), 0.0);
    assert!(t.admit(&write(&a, b"k"), 0.0).is_ok());
    assert!(t.admit(&write(&b, b"k"), 0.0).is_err());
}
