//! CreateBackup: an on-demand backup of a table, consistent to one instant while writes go
//! on. The record is stored CREATING first, claimed by this process (`background::claim`)
//! and naming the storage its copies will use, so a crash leaves nothing unaccounted for;
//! then the table's items and its LSIs' entries are copied in ONE `ItemStore::copy_tables`
//! call (one snapshot), then the record becomes AVAILABLE with the copy's size and item
//! count — if this process still holds the claim. The copies are the backup's own storage:
//! DeleteTable never touches them.
//!
//! The copy stays inside the request, unlike a restore's: it is what makes the backup the
//! table as of the request, and it cannot be redone later as of that instant. A backup a
//! crash cut short is therefore removed by the table reaper (`background::restores`), as
//! DynamoDB deletes a backup it cannot complete; the request answered CREATING.

use super::description::details;
use super::record::{self, backup_arn, BackupRecord, BackupStatus};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::TableDefinition;
use crate::model::table::TableStatus;
use crate::ops::authorize;
use crate::ops::background::claim;
use crate::ops::request::protocol;
use crate::ops::table::drops::queue_drops;
use crate::ops::table::lifecycle;
use crate::ops::Operation;
use crate::traits::AuthzContext;
use serde::Deserialize;
use serde_json::{json, Value};

/// CreateBackup's input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// TableName (required).
    pub table_name: Option<String>,
    /// BackupName (required).
    pub backup_name: Option<String>,
}

/// TableNotFoundException (moto's wording; DynamoDB's is not published).
pub fn table_not_found(name: &str) -> ApiError {
    ApiError::named("TableNotFoundException", format!("Table not found: {name}"))
}

/// Backs up the table `req` names.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Value, ApiError> {
    let name = req.table_name.unwrap_or_default();
    let found = lifecycle::find(ctx, &name).await?;
    authorize::on_lookup(ctx, "dynamodb:CreateBackup", &name, found.as_deref()).await?;
    let table = match found {
        Some(t) if matches!(t.status, TableStatus::Active | TableStatus::Updating) => t,
        _ => return Err(table_not_found(&name)),
    };
    let now = ctx.now_epoch();
    let items = ctx.store.stats(table.storage_id).await?.item_count;
    let storage_id = ctx.catalog.next_storage_id().await?;
    let mut lsi_storage = Vec::new();
    for lsi in &table.local_secondary_indexes {
        lsi_storage.push((lsi.name.clone(), ctx.catalog.next_storage_id().await?));
    }
    let mut rec = BackupRecord {
        arn: backup_arn(&table, now),
        name: req.backup_name.unwrap_or_default(),
        status: BackupStatus::Creating,
        created_at: now,
        size_bytes: 0,
        item_count: 0,
        table: TableDefinition::clone(&table),
        storage_id,
        lsi_storage,
        claim: Some(claim::mine(now, items)),
    };
    let account = ctx.account_id().to_string();
    record::store(ctx, &account, &rec).await?;
    let mut pairs = vec![(table.storage_id, storage_id)];
    for lsi in &table.local_secondary_indexes {
        if let Some((_, to)) = rec.lsi_storage.iter().find(|(n, _)| *n == lsi.name) {
            pairs.push((lsi.storage_id, *to));
        }
    }
    let stats = ctx.store.copy_tables(&pairs).await?;
    let copied = stats.first().copied().unwrap_or_default();
    rec.size_bytes = copied.size_bytes;
    rec.item_count = copied.item_count;
    claim::pause_after_copy().await;
    rec.status = BackupStatus::Available;
    rec.claim = None;
    if !record::store_if_claimed(ctx, &account, &rec).await? {
        // Taken for abandoned (this copy outlived its claim) and removed meanwhile.
        queue_drops(ctx, &rec.storage_ids()).await?;
        return Err(ApiError::Internal(
            "the backup's copy outlived its claim; the backup was removed".into(),
        ));
    }
    // DynamoDB answers CREATING, as it does for every new backup.
    Ok(json!({ "BackupDetails": details(&rec, BackupStatus::Creating) }))
}

/// Authorizes `action` on the backup ARN `arn` (DescribeBackup, DeleteBackup,
/// RestoreTableFromBackup), as IAM names backups as resources.
pub async fn on_backup(ctx: &Ctx, action: &str, arn: &str) -> Result<(), ApiError> {
    if !ctx.authorizes() {
        return Ok(());
    }
    ctx.authorize(action, arn, &AuthzContext::default()).await
}

/// Decodes a CreateBackup body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::CreateBackup, body)?;
    protocol::encode(&execute(ctx, req).await?)
}
