//! DescribeContinuousBackups: continuous backups are ENABLED for every table (what on-demand
//! backups rest on, as DynamoDB reports it); point-in-time recovery is DISABLED, ENABLING
//! while its base copy is taken, or ENABLED with its restorable window.

use super::window::description;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::ops::authorize;
use crate::ops::backup::create_backup::table_not_found;
use crate::ops::request::protocol;
use crate::ops::table::lifecycle;
use crate::ops::Operation;
use serde::Deserialize;
use serde_json::Value;

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
        found.as_deref(),
    )
    .await?;
    let def = found.ok_or_else(|| table_not_found(&name))?;
    Ok(description(def.pitr.as_ref(), ctx.now_epoch()))
}

/// Decodes a DescribeContinuousBackups body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::DescribeContinuousBackups, body)?;
    protocol::encode(&execute(ctx, req).await?)
}
