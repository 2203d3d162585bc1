//! RestoreTableToPointInTime: a new table holding a PITR-enabled table's items as they were
//! at a second inside its window (or its latest restorable time), also for a table deleted
//! within the window. The target is created CREATING with RestoreInProgress (the catalog's
//! unique name makes the restore happen once, whichever server takes it), naming the
//! source's point-in-time state, and the request answers at once; the table reaper's worker
//! claims it and fills it with `restore::restore_items` (base + history, then every index
//! entry), then it turns ACTIVE (`background::restores`).
//! Overrides as RestoreTableFromBackup's.

use super::deleted;
use super::window::window;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::{IndexStatus, RestoreState, TableDefinition, TableStatus};
use crate::ops::authorize;
use crate::ops::backup::restore_table_from_backup::{
    allocate_storage_ids, already_exists, restored_definition, Request as Overrides,
};
use crate::ops::request::protocol;
use crate::ops::table::lifecycle;
use crate::ops::table::table_description::render;
use crate::ops::Operation;
use crate::traits::{CatalogError, TableStats};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// RestoreTableToPointInTime's input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// SourceTableArn (this or SourceTableName).
    pub source_table_arn: Option<String>,
    /// SourceTableName.
    pub source_table_name: Option<String>,
    /// UseLatestRestorableTime.
    pub use_latest_restorable_time: Option<bool>,
    /// RestoreDateTime, seconds since the epoch.
    pub restore_date_time: Option<f64>,
    /// TargetTableName and the overrides, as RestoreTableFromBackup takes them.
    #[serde(flatten)]
    pub overrides: Overrides,
}

/// SourceTableNotFoundException (moto's wording; DynamoDB's is not published).
fn source_not_found(name: &str) -> ApiError {
    ApiError::named(
        "SourceTableNotFoundException",
        format!("Source table not found: {name}"),
    )
}

/// PointInTimeRecoveryUnavailableException. Best guess at the wording.
fn unavailable(name: &str) -> ApiError {
    ApiError::named(
        "PointInTimeRecoveryUnavailableException",
        format!("Point in time recovery is not enabled for table '{name}'"),
    )
}

/// The source table and the latest time it can be restored to (now, or its deletion).
async fn source(ctx: &Ctx, name: &str) -> Result<(TableDefinition, f64), ApiError> {
    let now = ctx.now_epoch();
    if let Some(def) = ctx.catalog.get_table(ctx.account_id(), name).await? {
        if def.pitr.is_some() || def.status != TableStatus::Deleting {
            let last = if def.status == TableStatus::Deleting {
                def.status_since
            } else {
                now
            };
            return Ok((Arc::unwrap_or_clone(def), last));
        }
    }
    match deleted::latest(ctx, ctx.account_id(), name).await? {
        Some(def) => {
            let last = def.status_since;
            Ok((def, last))
        }
        None => Err(source_not_found(name)),
    }
}

/// Restores the table `req` names as it was at the requested time.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Value, ApiError> {
    let name = match (&req.source_table_name, &req.source_table_arn) {
        (Some(n), _) => n.clone(),
        (None, Some(arn)) => arn
            .rsplit_once(":table/")
            .map_or(arn.clone(), |(_, n)| n.to_string()),
        (None, None) => {
            return Err(ApiError::validation(
                "Either SourceTableArn or SourceTableName must be specified",
            ))
        }
    };
    let target = req.overrides.target_table_name.clone().unwrap_or_default();
    authorize::on_table_name(ctx, "dynamodb:RestoreTableToPointInTime", &name).await?;
    authorize::on_table_name(ctx, "dynamodb:RestoreTableToPointInTime", &target).await?;
    let (source, last) = source(ctx, &name).await?;
    let pitr = source.pitr.clone().ok_or_else(|| unavailable(&name))?;
    let now = ctx.now_epoch();
    let (earliest, latest) = window(&pitr, now, last).ok_or_else(|| unavailable(&name))?;
    let at = match (req.use_latest_restorable_time, req.restore_date_time) {
        (Some(true), Some(_)) => {
            // Best guess at the wording.
            return Err(ApiError::validation(
                "Only one of RestoreDateTime or UseLatestRestorableTime can be specified",
            ));
        }
        (Some(true), None) => latest,
        (_, Some(t)) => t,
        (_, None) => {
            return Err(ApiError::validation(
                "Either RestoreDateTime or UseLatestRestorableTime must be specified",
            ))
        }
    };
    if at < earliest || at > latest {
        // Best guess at the wording; the type is the model's.
        return Err(ApiError::named(
            "InvalidRestoreTimeException",
            format!(
                "RestoreDateTime must be between EarliestRestorableDateTime ({earliest:.3}) and LatestRestorableDateTime ({latest:.3})"
            ),
        ));
    }
    if lifecycle::find(ctx, &target).await?.is_some() {
        return Err(already_exists(&target));
    }
    let mut def = restored_definition(&source, &req.overrides, &target, now)?;
    def.account_id = ctx.account_id().to_string();
    def.region = ctx.region().to_string();
    allocate_storage_ids(ctx, &mut def).await?;
    // The restore writes every index entry itself: no backfill.
    for gsi in &mut def.global_secondary_indexes {
        gsi.status = IndexStatus::Active;
    }
    def.restore = Some(RestoreState {
        source_backup_arn: None,
        source_table_arn: Some(source.arn()),
        restore_date_time: at,
        in_progress: true,
        source_pitr: Some(pitr),
        claim: None,
    });
    match ctx.catalog.create_table(&def).await {
        Ok(()) => {}
        Err(CatalogError::AlreadyExists) => return Err(already_exists(&target)),
        Err(e) => return Err(e.into()),
    }
    Ok(json!({ "TableDescription": render(&def, TableStats::default(), now) }))
}

/// Decodes a RestoreTableToPointInTime body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::RestoreTableToPointInTime, body)?;
    protocol::encode(&execute(ctx, req).await?)
}
