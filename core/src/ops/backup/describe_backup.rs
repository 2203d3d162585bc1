//! DescribeBackup: a backup's details, its source table as it was, and the table's features.

use super::create_backup::on_backup;
use super::description::description;
use super::record;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::ops::request::protocol;
use crate::ops::Operation;
use serde::Deserialize;
use serde_json::{json, Value};

/// DescribeBackup's input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// BackupArn (required).
    pub backup_arn: Option<String>,
}

/// Describes the backup `req` names.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Value, ApiError> {
    let arn = req.backup_arn.unwrap_or_default();
    on_backup(ctx, "dynamodb:DescribeBackup", &arn).await?;
    let r = record::load(ctx, &arn).await?;
    Ok(json!({ "BackupDescription": description(&r, r.status) }))
}

/// Decodes a DescribeBackup body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::DescribeBackup, body)?;
    protocol::encode(&execute(ctx, req).await?)
}
