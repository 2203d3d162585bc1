//! Backups and point-in-time recovery end to end through the operations (`ops::dispatch`) on
//! a backend's store and catalog: a randomized history of puts, updates and deletes with the
//! expected table recorded at several instants, each restored and compared item by item (GSI
//! included); on-demand backups that survive DeleteTable; PITR of a deleted table.

use super::fixtures::{account_ctx, suite_services};
use crate::context::Ctx;
use crate::ops::{dispatch, Operation};
use crate::traits::{Catalog, ItemStore};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

async fn call(ctx: &Ctx, op: Operation, body: Value) -> Value {
    let out = dispatch(ctx, op, body.to_string().as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{op:?} {body}: {e:?}"));
    if out.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(&out).unwrap()
}

/// Every item of `table` by `pk`, read consistently.
async fn items(ctx: &Ctx, table: &str) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let mut start: Option<Value> = None;
    loop {
        let mut body = json!({ "TableName": table, "ConsistentRead": true });
        if let Some(s) = start.take() {
            body["ExclusiveStartKey"] = s;
        }
        let page = call(ctx, Operation::Scan, body).await;
        for item in page["Items"].as_array().unwrap() {
            out.insert(item["pk"]["S"].as_str().unwrap().to_string(), item.clone());
        }
        match page.get("LastEvaluatedKey") {
            Some(k) => start = Some(k.clone()),
            None => return out,
        }
    }
}

async fn gsi_count(ctx: &Ctx, table: &str, g: &str) -> usize {
    let page = call(
        ctx,
        Operation::Query,
        json!({ "TableName": table, "IndexName": "byG", "KeyConditionExpression": "g = :g",
                "ExpressionAttributeValues": { ":g": { "S": g } } }),
    )
    .await;
    page["Items"].as_array().unwrap().len()
}

/// Runs the table reaper's round, which carries out restores the requests recorded.
async fn reap(ctx: &Ctx) {
    crate::ops::background::table_reaper::run_step(ctx)
        .await
        .unwrap();
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// A small deterministic generator (xorshift), so a failure replays.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Runs the backup and PITR checks on `store` and `catalog` (one backend).
pub async fn backup_suite(store: Arc<dyn ItemStore>, catalog: Arc<dyn Catalog>) {
    let run = catalog.next_storage_id().await.unwrap();
    let account = format!("{:012}", 500_000_000_000 + run % 100_000_000_000);
    let ctx = account_ctx(suite_services(store, catalog), &account);
    call(
        &ctx,
        Operation::CreateTable,
        json!({
            "TableName": "src", "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{ "AttributeName": "pk", "KeyType": "HASH" }],
            "AttributeDefinitions": [{ "AttributeName": "pk", "AttributeType": "S" },
                                     { "AttributeName": "g", "AttributeType": "S" }],
            "GlobalSecondaryIndexes": [{ "IndexName": "byG",
                "KeySchema": [{ "AttributeName": "g", "KeyType": "HASH" }],
                "Projection": { "ProjectionType": "ALL" } }],
        }),
    )
    .await;
    let mut rng = Rng(0x5eed ^ run);
    let write = |rng: &mut Rng| {
        let k = format!("k{}", rng.below(40));
        match rng.below(3) {
            0 => (
                Operation::DeleteItem,
                json!({ "TableName": "src", "Key": { "pk": { "S": k } } }),
            ),
            1 => (
                Operation::UpdateItem,
                json!({ "TableName": "src", "Key": { "pk": { "S": k } },
                        "UpdateExpression": "SET g = :g ADD n :one",
                        "ExpressionAttributeValues": { ":g": { "S": format!("g{}", rng.below(3)) },
                                                       ":one": { "N": "1" } } }),
            ),
            _ => (
                Operation::PutItem,
                json!({ "TableName": "src", "Item": { "pk": { "S": k },
                        "g": { "S": format!("g{}", rng.below(3)) },
                        "v": { "N": rng.below(1000).to_string() } } }),
            ),
        }
    };
    for _ in 0..60 {
        let (op, body) = write(&mut rng);
        call(&ctx, op, body).await;
    }
    let enabled = call(
        &ctx,
        Operation::UpdateContinuousBackups,
        json!({ "TableName": "src",
                "PointInTimeRecoverySpecification": { "PointInTimeRecoveryEnabled": true } }),
    )
    .await;
    // A table without indexes too: its writes take other paths (PutItem's new item).
    call(
        &ctx,
        Operation::CreateTable,
        json!({
            "TableName": "plain", "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{ "AttributeName": "pk", "KeyType": "HASH" }],
            "AttributeDefinitions": [{ "AttributeName": "pk", "AttributeType": "S" }],
        }),
    )
    .await;
    call(
        &ctx,
        Operation::UpdateContinuousBackups,
        json!({ "TableName": "plain",
                "PointInTimeRecoverySpecification": { "PointInTimeRecoveryEnabled": true } }),
    )
    .await;
    let pitr = &enabled["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"];
    assert_eq!(pitr["PointInTimeRecoveryStatus"], "ENABLING", "{enabled}");
    assert_eq!(pitr["RecoveryPeriodInDays"], 35);
    // The worker takes the base once requests with the old definition are done (1 s).
    crate::ops::background::table_reaper::run_step(&ctx)
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    crate::ops::background::table_reaper::run_step(&ctx)
        .await
        .unwrap();
    let described = call(
        &ctx,
        Operation::DescribeContinuousBackups,
        json!({ "TableName": "src" }),
    )
    .await;
    let pitr = &described["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"];
    assert_eq!(pitr["PointInTimeRecoveryStatus"], "ENABLED", "{described}");
    for (op, body) in [
        (
            Operation::PutItem,
            json!({ "TableName": "plain", "Item": { "pk": { "S": "a" } } }),
        ),
        (
            Operation::PutItem,
            json!({ "TableName": "plain", "Item": { "pk": { "S": "b" } } }),
        ),
        (
            Operation::DeleteItem,
            json!({ "TableName": "plain", "Key": { "pk": { "S": "a" } } }),
        ),
        (
            Operation::UpdateItem,
            json!({ "TableName": "plain", "Key": { "pk": { "S": "c" } },
                                        "UpdateExpression": "SET n = :n",
                                        "ExpressionAttributeValues": { ":n": { "N": "1" } } }),
        ),
        (
            Operation::BatchWriteItem,
            json!({ "RequestItems": { "plain": [
            { "PutRequest": { "Item": { "pk": { "S": "d" } } } } ] } }),
        ),
    ] {
        call(&ctx, op, body).await;
    }
    call(
        &ctx,
        Operation::RestoreTableToPointInTime,
        json!({ "SourceTableName": "plain", "TargetTableName": "plainAt",
                "UseLatestRestorableTime": true }),
    )
    .await;
    reap(&ctx).await;
    assert_eq!(items(&ctx, "plainAt").await, items(&ctx, "plain").await);
    assert_eq!(items(&ctx, "plainAt").await.len(), 3);
    // The table at several instants, each a few random changes apart.
    let mut expected: Vec<(f64, BTreeMap<String, Value>)> = Vec::new();
    for round in 0..5 {
        for _ in 0..(10 + 10 * round) {
            let (op, body) = write(&mut rng);
            call(&ctx, op, body).await;
        }
        let state = items(&ctx, "src").await;
        let at = now();
        expected.push((at, state));
        // The next change is stamped in a later millisecond.
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    }
    for (i, (at, state)) in expected.iter().enumerate() {
        let target = format!("at{i}");
        let answer = call(
            &ctx,
            Operation::RestoreTableToPointInTime,
            json!({ "SourceTableName": "src", "TargetTableName": target, "RestoreDateTime": at }),
        )
        .await;
        assert_eq!(
            answer["TableDescription"]["RestoreSummary"]["RestoreInProgress"],
            true
        );
        reap(&ctx).await;
        assert_eq!(&items(&ctx, &target).await, state, "restore {i} to {at}");
        for g in ["g0", "g1", "g2"] {
            let want = state.values().filter(|it| it["g"]["S"] == g).count();
            assert_eq!(
                gsi_count(&ctx, &target, g).await,
                want,
                "restore {i}: GSI {g}"
            );
        }
    }
    // An on-demand backup survives DeleteTable; so does the PITR window.
    let latest = items(&ctx, "src").await;
    let backup = call(
        &ctx,
        Operation::CreateBackup,
        json!({ "TableName": "src", "BackupName": "bkp" }),
    )
    .await;
    let arn = backup["BackupDetails"]["BackupArn"]
        .as_str()
        .unwrap()
        .to_string();
    call(&ctx, Operation::DeleteTable, json!({ "TableName": "src" })).await;
    crate::ops::background::table_reaper::run_step(&ctx)
        .await
        .unwrap();
    call(
        &ctx,
        Operation::RestoreTableFromBackup,
        json!({ "TargetTableName": "fromBackup", "BackupArn": arn }),
    )
    .await;
    reap(&ctx).await;
    assert_eq!(items(&ctx, "fromBackup").await, latest);
    call(
        &ctx,
        Operation::RestoreTableToPointInTime,
        json!({ "SourceTableName": "src", "TargetTableName": "afterDrop",
                "UseLatestRestorableTime": true }),
    )
    .await;
    reap(&ctx).await;
    assert_eq!(items(&ctx, "afterDrop").await, latest);
    let (at, state) = &expected[2];
    call(
        &ctx,
        Operation::RestoreTableToPointInTime,
        json!({ "SourceTableName": "src", "TargetTableName": "dropAt2", "RestoreDateTime": at }),
    )
    .await;
    reap(&ctx).await;
    assert_eq!(&items(&ctx, "dropAt2").await, state);
    call(&ctx, Operation::DeleteBackup, json!({ "BackupArn": arn })).await;
    // Retention, on the restored table: PITR on, a few changes, then 36 days on every entry
    // is folded into the base, which is then the table.
    call(
        &ctx,
        Operation::UpdateContinuousBackups,
        json!({ "TableName": "fromBackup",
                "PointInTimeRecoverySpecification": { "PointInTimeRecoveryEnabled": true,
                                                      "RecoveryPeriodInDays": 1 } }),
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    crate::ops::background::table_reaper::run_step(&ctx)
        .await
        .unwrap();
    for i in 0..5 {
        call(
            &ctx,
            Operation::PutItem,
            json!({ "TableName": "fromBackup", "Item": { "pk": { "S": format!("t{i}") } } }),
        )
        .await;
    }
    call(
        &ctx,
        Operation::DeleteItem,
        json!({ "TableName": "fromBackup", "Key": { "pk": { "S": "t0" } } }),
    )
    .await;
    let def = ctx
        .catalog
        .get_table(&account, "fromBackup")
        .await
        .unwrap()
        .unwrap();
    let pitr = def.pitr.clone().unwrap();
    let later = now() + 2.0 * 86_400.0;
    assert!(
        crate::ops::background::pitr_trim::trim_table(&ctx, &def, later)
            .await
            .unwrap()
    );
    let all = crate::traits::KeyRange::table_after(None);
    let history = ctx
        .store
        .range(pitr.history_id, &all, true, usize::MAX, usize::MAX)
        .await
        .unwrap();
    assert!(history.items.is_empty(), "history left after folding");
    assert!(def.pitr.as_ref().unwrap().base_at.is_some());
    let base = ctx
        .store
        .range(pitr.base_id, &all, true, usize::MAX, usize::MAX)
        .await
        .unwrap();
    let table = ctx
        .store
        .range(def.storage_id, &all, true, usize::MAX, usize::MAX)
        .await
        .unwrap();
    assert_eq!(base.items, table.items);
}
