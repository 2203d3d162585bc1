//! DeleteBackup: removes a backup. Its record goes at once (answered DELETED, as DynamoDB
//! answers) and its copied items are queued for the table reaper, which drops them in the
//! background — queued first, so a crash between the two leaves no orphaned items.

use super::create_backup::on_backup;
use super::description::description;
use super::record::{self, record_key, BackupStatus};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::ops::request::protocol;
use crate::ops::table::drops::queue_drops;
use crate::ops::Operation;
use crate::traits::WriteOp;
use serde::Deserialize;
use serde_json::{json, Value};

/// DeleteBackup's input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// BackupArn (required).
    pub backup_arn: Option<String>,
}

/// BackupInUseException: the backup is still being created or restored. Best guess at the wording; the
/// model documents the type as "another ongoing conflicting backup control plane operation".
pub fn in_use(arn: &str) -> ApiError {
    ApiError::named(
        "BackupInUseException",
        format!("Backup is being created or restored: {arn}"),
    )
}

/// Whether a table is still being restored from the backup `arn` (its copy needs the
/// backup's items; DynamoDB answers BackupInUseException while a backup is restored).
async fn restoring_from(ctx: &Ctx, arn: &str) -> Result<bool, ApiError> {
    Ok(ctx.catalog.all_tables().await?.iter().any(|t| {
        t.restore
            .as_ref()
            .is_some_and(|r| r.in_progress && r.source_backup_arn.as_deref() == Some(arn))
    }))
}

/// Deletes the backup `req` names.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Value, ApiError> {
    let arn = req.backup_arn.unwrap_or_default();
    on_backup(ctx, "dynamodb:DeleteBackup", &arn).await?;
    let r = record::load(ctx, &arn).await?;
    if r.status == BackupStatus::Creating || restoring_from(ctx, &arn).await? {
        return Err(in_use(&arn));
    }
    queue_drops(ctx, &r.storage_ids()).await?;
    let key = record_key(ctx.account_id(), &arn);
    let removed = ctx
        .store
        .write(
            vec![key.clone()],
            Box::new(move |before| {
                // Another DeleteBackup came first: nothing left to delete.
                if before.first().is_none_or(|b| b.is_none()) {
                    return Ok(Vec::new());
                }
                Ok(vec![WriteOp::Delete { key }])
            }),
        )
        .await?;
    if removed.writes.is_empty() {
        return Err(record::not_found(&arn));
    }
    Ok(json!({ "BackupDescription": description(&r, BackupStatus::Deleted) }))
}

/// Decodes a DeleteBackup body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::DeleteBackup, body)?;
    protocol::encode(&execute(ctx, req).await?)
}
