//! UpdateTable end to end over mocked catalog and store.

use super::*;
use crate::model::table::Throughput;
use crate::ops::table::table_description::test_support::{ctx, table};
use crate::ops::test_support::now_epoch;
use crate::traits::catalog::MockCatalog;
use crate::traits::item_store::MockItemStore;
use crate::traits::TableStats;
use std::sync::Arc;
use std::time::Duration;

fn run(
    delay: Duration,
    def: TableDefinition,
    body: &str,
) -> (Result<serde_json::Value, ApiError>, Vec<TableDefinition>) {
    let mut catalog = MockCatalog::new();
    let stored = crate::ops::test_support::serve_updates(&mut catalog, def.clone());
    catalog
        .expect_get_table()
        .returning(move |_, _| Ok(Some(Arc::new(def.clone()))));
    catalog.expect_next_storage_id().returning(|| Ok(99));
    let mut store = MockItemStore::new();
    store.expect_eventual_reads().returning(|| None);
    store
        .expect_stats()
        .returning(|_| Ok(TableStats::default()));
    let c = ctx(catalog, store, delay);
    let out = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(handle(&c, body.as_bytes()))
        .map(|b| serde_json::from_slice(&b).unwrap());
    let stored = stored.lock().unwrap().clone();
    (out, stored)
}

#[test]
fn throughput_change_answers_updating_and_settles_at_once_without_delay() {
    let body = r#"{"TableName":"Music","ProvisionedThroughput":{"ReadCapacityUnits":9,"WriteCapacityUnits":7}}"#;
    let (out, stored) = run(
        Duration::ZERO,
        table("Music", TableStatus::Active, 0.0),
        body,
    );
    let out = out.unwrap();
    assert_eq!(out["TableDescription"]["TableStatus"], "UPDATING");
    assert_eq!(
        out["TableDescription"]["ProvisionedThroughput"]["ReadCapacityUnits"],
        9
    );
    assert!(out["TableDescription"]["ProvisionedThroughput"]["LastIncreaseDateTime"].is_f64());
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].status, TableStatus::Active);
    assert_eq!(stored[0].throughput, Throughput { read: 9, write: 7 });
}

#[test]
fn with_a_delay_the_table_stays_updating() {
    let body = r#"{"TableName":"Music","BillingMode":"PAY_PER_REQUEST"}"#;
    let (out, stored) = run(
        Duration::from_secs(30),
        table("Music", TableStatus::Active, 0.0),
        body,
    );
    assert_eq!(
        out.unwrap()["TableDescription"]["BillingModeSummary"]["BillingMode"],
        "PAY_PER_REQUEST"
    );
    assert_eq!(stored[0].status, TableStatus::Updating);
}

#[test]
fn deletion_protection_alone_keeps_the_status() {
    let body = r#"{"TableName":"Music","DeletionProtectionEnabled":true}"#;
    let (out, stored) = run(
        Duration::from_secs(30),
        table("Music", TableStatus::Active, 0.0),
        body,
    );
    let out = out.unwrap();
    assert_eq!(out["TableDescription"]["TableStatus"], "ACTIVE");
    assert_eq!(out["TableDescription"]["DeletionProtectionEnabled"], true);
    assert!(stored[0].deletion_protection);
}

#[test]
fn create_index_gets_a_storage_id_and_backfilling_false() {
    let body = r#"{"TableName":"Music","AttributeDefinitions":[{"AttributeName":"x","AttributeType":"S"}],
        "GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"byX","KeySchema":[{"AttributeName":"x","KeyType":"HASH"}],
        "Projection":{"ProjectionType":"KEYS_ONLY"},"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}}]}"#;
    let (out, stored) = run(
        Duration::ZERO,
        table("Music", TableStatus::Active, 0.0),
        body,
    );
    let out = out.unwrap();
    let gsi = &out["TableDescription"]["GlobalSecondaryIndexes"][0];
    assert_eq!(gsi["IndexStatus"], "CREATING");
    assert_eq!(gsi["Backfilling"], false);
    assert_eq!(out["TableDescription"]["TableStatus"], "UPDATING");
    assert_eq!(stored[0].global_secondary_indexes[0].storage_id, 99);
    assert_eq!(
        stored[0].global_secondary_indexes[0].status,
        IndexStatus::Creating
    );
}

#[test]
fn busy_or_missing_tables() {
    let body = r#"{"TableName":"Music","DeletionProtectionEnabled":true}"#;
    let (out, _) = run(
        Duration::from_secs(60),
        table("Music", TableStatus::Creating, now_epoch()),
        body,
    );
    assert_eq!(
        out.unwrap_err(),
        ApiError::ResourceInUse(
            "Attempt to change a resource which is still in use: Table is being created: Music"
                .into()
        )
    );
    let mut catalog = MockCatalog::new();
    catalog.expect_get_table().returning(|_, _| Ok(None));
    let c = ctx(catalog, MockItemStore::new(), Duration::ZERO);
    let err = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(handle(&c, body.as_bytes()))
        .unwrap_err();
    assert_eq!(
        err,
        ApiError::ResourceNotFound("Requested resource not found: Table: Music not found".into())
    );
}
