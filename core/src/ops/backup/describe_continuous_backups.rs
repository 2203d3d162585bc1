//! DescribeContinuousBackups: continuous backups are ENABLED for every table (what on-demand
//! backups rest on, as DynamoDB reports it); point-in-time recovery is DISABLED, as extenddb
//! does not offer it yet (UpdateContinuousBackups is not served).

use super::create_backup::table_not_found;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::ops::authorize;
use crate::ops::request::protocol;
use crate::ops::table::lifecycle;
use crate::ops::Operation;
use serde::Deserialize;
use serde_json::{json, Value};

/// DescribeContinuousBackups' input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// TableName (required).
    pub table_name: Option<String>,
}

/// Describes the table's continuous backups.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Value, ApiError> {
    let name = req.table_name.unwrap_or_default();
    let found = lifecycle::find(ctx, &name).await?;
    authorize::on_lookup(
        ctx,
        "dynamodb:DescribeContinuousBackups",
        &name,
        found.as_ref(),
    )
    .await?;
    if found.is_none() {
        return Err(table_not_found(&name));
    }
    Ok(json!({
        "ContinuousBackupsDescription": {
            "ContinuousBackupsStatus": "ENABLED",
            "PointInTimeRecoveryDescription": { "PointInTimeRecoveryStatus": "DISABLED" },
        }
    }))
}

/// Decodes a DescribeContinuousBackups body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::DescribeContinuousBackups, body)?;
    protocol::encode(&execute(ctx, req).await?)
}
