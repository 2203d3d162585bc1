//! ListBackups: the account's backups, filtered by table, creation time and type, a page at
//! a time (`ExclusiveStartBackupArn` / `LastEvaluatedBackupArn`), in ARN order.

use super::description::{summary, USER};
use super::record;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::ops::authorize;
use crate::ops::request::protocol;
use crate::ops::Operation;
use serde::Deserialize;
use serde_json::{json, Value};

/// Page size when the request gives no `Limit`, and the largest the model allows.
const MAX_LIMIT: i64 = 100;

/// Records read per store page while filtering.
const SCAN_PAGE: usize = 256;

/// ListBackups' input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// Only this table's backups.
    pub table_name: Option<String>,
    /// Page size, 1–100.
    pub limit: Option<i64>,
    /// Only backups created at or after this time (inclusive).
    pub time_range_lower_bound: Option<f64>,
    /// Only backups created before this time (exclusive).
    pub time_range_upper_bound: Option<f64>,
    /// List after this backup.
    pub exclusive_start_backup_arn: Option<String>,
    /// USER (the default), SYSTEM, AWS_BACKUP or ALL.
    pub backup_type: Option<String>,
}

/// Lists one page of the account's backups.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Value, ApiError> {
    authorize::on_account(ctx, "dynamodb:ListBackups").await?;
    let limit = usize::try_from(req.limit.unwrap_or(MAX_LIMIT)).unwrap_or(1);
    // Every backup here is a USER one: SYSTEM and AWS_BACKUP list nothing.
    let wanted_type = matches!(req.backup_type.as_deref(), None | Some(USER) | Some("ALL"));
    let mut out: Vec<Value> = Vec::new();
    let mut last: Option<String> = None;
    let mut cursor = req.exclusive_start_backup_arn.clone();
    let mut more_after_page = false;
    loop {
        if !wanted_type {
            break;
        }
        let (records, more) = record::list(ctx, cursor.as_deref(), SCAN_PAGE).await?;
        for r in &records {
            cursor = Some(r.arn.clone());
            let keep = req.table_name.as_deref().is_none_or(|t| t == r.table.name)
                && req
                    .time_range_lower_bound
                    .is_none_or(|lo| r.created_at >= lo)
                && req
                    .time_range_upper_bound
                    .is_none_or(|hi| r.created_at < hi);
            if !keep {
                continue;
            }
            if out.len() == limit {
                more_after_page = true;
                break;
            }
            out.push(summary(r));
            last = Some(r.arn.clone());
        }
        if more_after_page || !more {
            break;
        }
    }
    let mut answer = json!({ "BackupSummaries": out });
    if more_after_page {
        answer["LastEvaluatedBackupArn"] = json!(last);
    }
    Ok(answer)
}

/// Decodes a ListBackups body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::ListBackups, body)?;
    protocol::encode(&execute(ctx, req).await?)
}
