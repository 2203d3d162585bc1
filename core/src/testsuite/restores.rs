//! Restores and backups in the background (`ops::background::restores`) on a backend's store
//! and catalog: a restore request only records the work; the worker claims it, clears a
//! half-copied target and copies; a claim of a live process is left alone, a dead one's is
//! taken over; a restore whose backup (or point-in-time history) is gone deletes its target;
//! a backup a crash left CREATING is removed with its copies queued for dropping.

use super::fixtures::{account_ctx, suite_services};
use crate::context::Ctx;
use crate::model::table::{Claim, TableDefinition, TableStatus};
use crate::ops::background::{claim, restores};
use crate::ops::backup::record::{self, BackupRecord, BackupStatus};
use crate::ops::table::drops::drop_key;
use crate::ops::{dispatch, Operation};
use crate::services::Services;
use crate::traits::{
    Catalog, Coordination, ItemKey, ItemStore, Job, KeyRange, StoredItem, WriteOp,
};
use serde_json::{json, Value};
use std::sync::Arc;

/// Two servers over the store: another process's claim may be alive.
struct Crowd;

impl Coordination for Crowd {
    fn runs(&self, _: Job) -> bool {
        true
    }

    fn servers(&self) -> u32 {
        2
    }
}

async fn call(ctx: &Ctx, op: Operation, body: Value) -> Result<Value, String> {
    match dispatch(ctx, op, body.to_string().as_bytes()).await {
        Ok(out) if out.is_empty() => Ok(Value::Null),
        Ok(out) => Ok(serde_json::from_slice(&out).unwrap()),
        Err(e) => Err(format!("{e:?}")),
    }
}

async fn ok(ctx: &Ctx, op: Operation, body: Value) -> Value {
    call(ctx, op, body.clone())
        .await
        .unwrap_or_else(|e| panic!("{op:?} {body}: {e}"))
}

/// Every stored item of the table `storage_id`, raw.
async fn stored(ctx: &Ctx, storage_id: u64) -> Vec<(Vec<u8>, StoredItem)> {
    ctx.store
        .range(
            storage_id,
            &KeyRange::table_after(None),
            true,
            usize::MAX,
            usize::MAX,
        )
        .await
        .unwrap()
        .items
}

async fn def(ctx: &Ctx, name: &str) -> TableDefinition {
    TableDefinition::clone(
        &ctx.catalog
            .get_table(ctx.account_id(), name)
            .await
            .unwrap()
            .unwrap(),
    )
}

async fn set_claim(ctx: &Ctx, name: &str, claim: Option<Claim>) -> TableDefinition {
    ctx.catalog
        .update_table(ctx.account_id(), name, |d| {
            if let Some(r) = d.restore.as_mut() {
                r.claim = claim.clone();
            }
            Ok(true)
        })
        .await
        .unwrap()
}

async fn restore(ctx: &Ctx, arn: &str, target: &str) -> TableDefinition {
    let answer = ok(
        ctx,
        Operation::RestoreTableFromBackup,
        json!({ "TargetTableName": target, "BackupArn": arn }),
    )
    .await;
    let table = &answer["TableDescription"];
    assert_eq!(table["TableStatus"], "CREATING", "{answer}");
    assert_eq!(table["RestoreSummary"]["RestoreInProgress"], true);
    def(ctx, target).await
}

fn in_progress(def: &TableDefinition) -> bool {
    def.restore.as_ref().is_some_and(|r| r.in_progress)
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// Runs the background restore checks on `store` and `catalog` (one backend).
pub async fn restore_suite(store: Arc<dyn ItemStore>, catalog: Arc<dyn Catalog>) {
    let run = catalog.next_storage_id().await.unwrap();
    let account = format!("{:012}", 600_000_000_000 + run % 100_000_000_000);
    let alone = account_ctx(suite_services(store.clone(), catalog.clone()), &account);
    let settings = alone.settings.clone();
    let crowd_services = Services::new(store, catalog, Arc::new(super::AllowAll), "us-east-1")
        .with_settings(settings)
        .with_coordination(Arc::new(Crowd));
    let crowd = account_ctx(Arc::new(crowd_services), &account);
    ok(
        &alone,
        Operation::CreateTable,
        json!({
            "TableName": "src", "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{ "AttributeName": "pk", "KeyType": "HASH" }],
            "AttributeDefinitions": [{ "AttributeName": "pk", "AttributeType": "S" }],
        }),
    )
    .await;
    for i in 0..30 {
        ok(
            &alone,
            Operation::PutItem,
            json!({ "TableName": "src", "Item": { "pk": { "S": format!("k{i}") },
                    "n": { "N": i.to_string() } } }),
        )
        .await;
    }
    let source = stored(&alone, def(&alone, "src").await.storage_id).await;
    let backup = ok(
        &alone,
        Operation::CreateBackup,
        json!({ "TableName": "src", "BackupName": "bkp" }),
    )
    .await;
    let arn = backup["BackupDetails"]["BackupArn"]
        .as_str()
        .unwrap()
        .to_string();
    let described = ok(
        &alone,
        Operation::DescribeBackup,
        json!({ "BackupArn": arn }),
    )
    .await;
    let details = &described["BackupDescription"]["BackupDetails"];
    assert_eq!(details["BackupStatus"], "AVAILABLE", "{described}");
    let pending = record::pending(&alone, 1000).await.unwrap();
    assert!(!pending.iter().any(|(_, a)| *a == arn), "marker left");

    // The request only records the restore: nothing is copied yet, nobody claims it.
    let r1 = restore(&alone, &arn, "rst1").await;
    assert!(in_progress(&r1));
    assert_eq!(r1.restore.as_ref().unwrap().claim, None);
    assert!(stored(&alone, r1.storage_id).await.is_empty());
    // The backup is in use while a table is restored from it.
    let refused = call(&alone, Operation::DeleteBackup, json!({ "BackupArn": arn }))
        .await
        .unwrap_err();
    assert!(refused.contains("BackupInUseException"), "{refused}");

    // Another process's live claim (two servers) is left alone, and a half copy it left
    // in the target stays until someone redoes the restore.
    let other = Claim {
        owner: "another process".into(),
        until: now() + 600.0,
    };
    let r1 = set_claim(&alone, "rst1", Some(other.clone())).await;
    let stray = ItemKey {
        storage_id: r1.storage_id,
        key: b"stray".to_vec(),
    };
    let stray_item =
        StoredItem::encode(&serde_json::from_value(json!({ "pk": { "S": "stray" } })).unwrap());
    alone
        .store
        .write_unconditional(vec![WriteOp::Put {
            key: stray,
            item: stray_item,
        }])
        .await
        .unwrap();
    assert!(!restores::resume(&crowd, &r1).await.unwrap());
    assert!(in_progress(&def(&alone, "rst1").await));
    assert!(
        !restores::finish(&alone, &r1).await.unwrap(),
        "finished another's claim"
    );
    assert!(in_progress(&def(&alone, "rst1").await));
    // Alone over the store, the other owner is a crashed predecessor: redone, cleared first.
    assert!(restores::resume(&alone, &r1).await.unwrap());
    let done = def(&alone, "rst1").await;
    assert!(!in_progress(&done));
    assert_eq!(done.status, TableStatus::Active);
    assert_eq!(done.restore.as_ref().unwrap().claim, None);
    assert_eq!(stored(&alone, done.storage_id).await, source);
    // Done: another round leaves it.
    assert!(!restores::resume(&alone, &done).await.unwrap());

    // A claim past its time is taken over even with another server.
    restore(&alone, &arn, "rst2").await;
    let r2 = set_claim(
        &alone,
        "rst2",
        Some(Claim {
            owner: "another process".into(),
            until: now() - 1.0,
        }),
    )
    .await;
    assert!(restores::resume(&crowd, &r2).await.unwrap());
    assert_eq!(stored(&alone, r2.storage_id).await, source);
    assert!(!in_progress(&def(&alone, "rst2").await));
    // This process's own claim is live with two servers until its time.
    restore(&alone, &arn, "rst3").await;
    let r3 = set_claim(&alone, "rst3", Some(claim::mine(now(), 0))).await;
    assert!(!restores::resume(&crowd, &r3).await.unwrap());
    assert!(restores::finish(&alone, &r3).await.unwrap());
    let refused = call(&alone, Operation::DeleteBackup, json!({ "BackupArn": arn })).await;
    assert!(refused.is_ok(), "{refused:?}");

    // A restore whose backup is gone cannot be done: its target is deleted.
    let backup = ok(
        &alone,
        Operation::CreateBackup,
        json!({ "TableName": "src", "BackupName": "gone" }),
    )
    .await;
    let gone = backup["BackupDetails"]["BackupArn"]
        .as_str()
        .unwrap()
        .to_string();
    let r4 = restore(&alone, &gone, "rst4").await;
    alone
        .store
        .write_unconditional(vec![WriteOp::Delete {
            key: record::record_key(&account, &gone),
        }])
        .await
        .unwrap();
    assert!(restores::resume(&alone, &r4).await.unwrap());
    assert_eq!(def(&alone, "rst4").await.status, TableStatus::Deleting);

    // A backup a crash left CREATING: kept while its claim may be alive, then removed.
    let id = alone.catalog.next_storage_id().await.unwrap();
    let dead = BackupRecord {
        arn: format!(
            "{}/backup/00000000000001-deadbeef",
            def(&alone, "src").await.arn()
        ),
        name: "cut short".into(),
        status: BackupStatus::Creating,
        created_at: now(),
        size_bytes: 0,
        item_count: 0,
        table: def(&alone, "src").await,
        storage_id: id,
        lsi_storage: Vec::new(),
        claim: Some(other.clone()),
    };
    record::store(&alone, &account, &dead).await.unwrap();
    assert_eq!(restores::sweep_backups(&crowd).await.unwrap(), 0);
    let described = ok(
        &alone,
        Operation::DescribeBackup,
        json!({ "BackupArn": dead.arn }),
    )
    .await;
    assert_eq!(
        described["BackupDescription"]["BackupDetails"]["BackupStatus"],
        "CREATING"
    );
    // This process's own live claim (a CreateBackup copying now) is left alone too.
    let mut live = dead.clone();
    live.arn = format!("{}/backup/00000000000002-0000beef", dead.table.arn());
    live.claim = Some(claim::mine(now(), 0));
    record::store(&alone, &account, &live).await.unwrap();
    assert_eq!(restores::sweep_backups(&alone).await.unwrap(), 1);
    let missing = call(
        &alone,
        Operation::DescribeBackup,
        json!({ "BackupArn": dead.arn }),
    )
    .await
    .unwrap_err();
    assert!(missing.contains("BackupNotFoundException"), "{missing}");
    assert!(alone.store.get(&drop_key(id)).await.unwrap().is_some());
    let pending = record::pending(&alone, 1000).await.unwrap();
    assert!(!pending.iter().any(|(_, a)| *a == dead.arn));
    assert!(pending.iter().any(|(_, a)| *a == live.arn));
    // Once it completes, its marker goes with the CREATING status.
    live.status = BackupStatus::Available;
    live.claim = None;
    record::store(&alone, &account, &live).await.unwrap();
    let pending = record::pending(&alone, 1000).await.unwrap();
    assert!(!pending.iter().any(|(_, a)| *a == live.arn));

    // Point in time: recorded by the request, carried out by the worker; a restore whose
    // source's history went (PITR disabled before the worker came) deletes its target.
    ok(
        &alone,
        Operation::UpdateContinuousBackups,
        json!({ "TableName": "src",
                "PointInTimeRecoverySpecification": { "PointInTimeRecoveryEnabled": true } }),
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    crate::ops::background::table_reaper::run_step(&alone)
        .await
        .unwrap();
    let latest = json!({ "SourceTableName": "src", "UseLatestRestorableTime": true });
    let mut body = latest.clone();
    body["TargetTableName"] = json!("pit1");
    ok(&alone, Operation::RestoreTableToPointInTime, body).await;
    let pit1 = def(&alone, "pit1").await;
    assert!(in_progress(&pit1));
    assert!(stored(&alone, pit1.storage_id).await.is_empty());
    assert!(restores::resume(&alone, &pit1).await.unwrap());
    assert!(!in_progress(&def(&alone, "pit1").await));
    assert_eq!(stored(&alone, pit1.storage_id).await, source);
    let mut body = latest;
    body["TargetTableName"] = json!("pit2");
    ok(&alone, Operation::RestoreTableToPointInTime, body).await;
    ok(
        &alone,
        Operation::UpdateContinuousBackups,
        json!({ "TableName": "src",
                "PointInTimeRecoverySpecification": { "PointInTimeRecoveryEnabled": false } }),
    )
    .await;
    let pit2 = def(&alone, "pit2").await;
    assert!(restores::resume(&alone, &pit2).await.unwrap());
    assert_eq!(def(&alone, "pit2").await.status, TableStatus::Deleting);
}
