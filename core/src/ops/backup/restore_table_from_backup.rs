//! RestoreTableFromBackup: a new table from a backup, under a new name.
//!
//! The target is stored in the catalog CREATING with `RestoreInProgress` — the catalog's
//! unique name is what makes a restore happen once, whichever server takes the request (a
//! second request for the name gets TableAlreadyExistsException) — and the request answers
//! at once, as DynamoDB does. The table reaper's worker then claims the restore (once across
//! servers), copies the backup's items and LSI entries in one `ItemStore::copy_tables` call
//! and ends it: the table leaves `RestoreInProgress` and turns ACTIVE as a created table
//! does (`background::restores`; a crash mid-copy is redone from a cleared target). Its
//! GSIs are rebuilt from the restored items by the GSI backfill worker (CREATING until
//! filled), which waits for the copy to finish. What DynamoDB does not
//! restore is not restored either: streams, Time to Live, tags, deletion protection.
//!
//! Overrides, as DynamoDB allows: BillingModeOverride, ProvisionedThroughputOverride,
//! OnDemandThroughputOverride, and Global/LocalSecondaryIndexOverride naming the indexes to
//! keep (the backup's definitions; a GSI override's ProvisionedThroughput applies).
//! SSESpecificationOverride is accepted and, as CreateTable's SSESpecification, not stored.

use super::create_backup::on_backup;
use super::delete_backup::in_use;
use super::record::{self, BackupStatus};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::{
    BillingMode, IndexStatus, OnDemandThroughput, RestoreState, SecondaryIndex, TableDefinition,
    TableStatus, Throughput,
};
use crate::ops::authorize;
use crate::ops::request::protocol;
use crate::ops::request::table_input::{OnDemandThroughputInput, ProvisionedThroughputInput};
use crate::ops::table::table_description::render;
use crate::ops::Operation;
use crate::traits::{CatalogError, TableStats};
use serde::Deserialize;
use serde_json::{json, Value};

/// One index of an index override: its name, and a GSI's throughput.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IndexOverride {
    /// IndexName.
    pub index_name: Option<String>,
    /// ProvisionedThroughput (GSIs of a provisioned table).
    pub provisioned_throughput: Option<ProvisionedThroughputInput>,
    /// The rest of the index's shape, accepted as the model has it.
    #[serde(flatten)]
    pub rest: serde_json::Map<String, Value>,
}

/// RestoreTableFromBackup's input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// TargetTableName (required).
    pub target_table_name: Option<String>,
    /// BackupArn (required).
    pub backup_arn: Option<String>,
    /// BillingModeOverride.
    pub billing_mode_override: Option<String>,
    /// GlobalSecondaryIndexOverride: the GSIs to keep.
    pub global_secondary_index_override: Option<Vec<IndexOverride>>,
    /// LocalSecondaryIndexOverride: the LSIs to keep.
    pub local_secondary_index_override: Option<Vec<IndexOverride>>,
    /// ProvisionedThroughputOverride.
    pub provisioned_throughput_override: Option<ProvisionedThroughputInput>,
    /// OnDemandThroughputOverride.
    pub on_demand_throughput_override: Option<OnDemandThroughputInput>,
    /// SSESpecificationOverride (accepted, not stored).
    #[serde(rename = "SSESpecificationOverride")]
    pub sse_specification_override: Option<Value>,
}

/// TableAlreadyExistsException (moto's wording; DynamoDB's is not published).
pub fn already_exists(name: &str) -> ApiError {
    ApiError::named(
        "TableAlreadyExistsException",
        format!("Table already exists: {name}"),
    )
}

/// Gives a restored definition's table and every index new storage ids.
pub async fn allocate_storage_ids(ctx: &Ctx, def: &mut TableDefinition) -> Result<(), ApiError> {
    def.storage_id = ctx.catalog.next_storage_id().await?;
    for index in def
        .local_secondary_indexes
        .iter_mut()
        .chain(def.global_secondary_indexes.iter_mut())
    {
        index.storage_id = ctx.catalog.next_storage_id().await?;
    }
    Ok(())
}

/// The restored table's definition from the backup's, `req`'s overrides applied; every
/// storage id is still 0 (the caller allocates them).
pub fn restored_definition(
    source: &TableDefinition,
    req: &Request,
    name: &str,
    now: f64,
) -> Result<TableDefinition, ApiError> {
    let mut def = source.clone();
    def.name = name.to_string();
    def.table_id = uuid::Uuid::new_v4().to_string();
    def.storage_id = 0;
    def.status = TableStatus::Creating;
    def.created_at = now;
    def.status_since = now;
    def.deletion_protection = false;
    def.throughput_history = Default::default();
    def.pay_per_request_since = None;
    def.time_to_live_attribute = None;
    def.tags = Vec::new();
    def.stream = None;
    def.past_streams = Vec::new();
    def.ttl = Default::default();
    def.pitr = None;
    def.restore = None;
    match req.billing_mode_override.as_deref() {
        Some("PAY_PER_REQUEST") => def.billing_mode = BillingMode::PayPerRequest,
        Some("PROVISIONED") => def.billing_mode = BillingMode::Provisioned,
        _ => {}
    }
    if let Some(pt) = &req.provisioned_throughput_override {
        if def.billing_mode == BillingMode::PayPerRequest {
            return Err(ApiError::validation(
                "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
            ));
        }
        if let (Some(read), Some(write)) = (pt.read_capacity_units, pt.write_capacity_units) {
            def.throughput = Throughput { read, write };
        }
    }
    if def.billing_mode == BillingMode::Provisioned && def.throughput.read == 0 {
        return Err(ApiError::validation(
            "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
        ));
    }
    if def.billing_mode == BillingMode::PayPerRequest {
        def.throughput = Throughput { read: 0, write: 0 };
    }
    if let Some(od) = &req.on_demand_throughput_override {
        def.on_demand_throughput = Some(OnDemandThroughput {
            max_read_request_units: od.max_read_request_units,
            max_write_request_units: od.max_write_request_units,
        });
    }
    def.local_secondary_indexes = kept(
        &source.local_secondary_indexes,
        req.local_secondary_index_override.as_deref(),
        "LocalSecondaryIndexOverride",
    )?;
    def.global_secondary_indexes = kept(
        &source.global_secondary_indexes,
        req.global_secondary_index_override.as_deref(),
        "GlobalSecondaryIndexOverride",
    )?
    .into_iter()
    .filter(|g| g.status != IndexStatus::Deleting)
    .collect();
    for gsi in &mut def.global_secondary_indexes {
        let given = req
            .global_secondary_index_override
            .iter()
            .flatten()
            .find(|o| o.index_name.as_deref() == Some(gsi.name.as_str()))
            .and_then(|o| o.provisioned_throughput.as_ref())
            .and_then(|p| {
                Some(Throughput {
                    read: p.read_capacity_units?,
                    write: p.write_capacity_units?,
                })
            });
        gsi.throughput = match def.billing_mode {
            BillingMode::PayPerRequest => None,
            BillingMode::Provisioned => Some(given.or(gsi.throughput).unwrap_or(def.throughput)),
        };
        gsi.status = IndexStatus::Creating;
        gsi.status_since = now;
        gsi.backfilling = false;
        gsi.throughput_history = Default::default();
    }
    for lsi in &mut def.local_secondary_indexes {
        lsi.status = IndexStatus::Active;
        lsi.status_since = now;
    }
    Ok(def)
}

/// The indexes of `all` an override keeps (all of them without one); an override naming an
/// index the backup lacks is refused.
fn kept(
    all: &[SecondaryIndex],
    keep: Option<&[IndexOverride]>,
    member: &str,
) -> Result<Vec<SecondaryIndex>, ApiError> {
    let Some(keep) = keep else {
        return Ok(all.to_vec());
    };
    let mut out = Vec::new();
    for o in keep {
        let name = o.index_name.as_deref().unwrap_or_default();
        match all.iter().find(|i| i.name == name) {
            Some(i) => out.push(i.clone()),
            // Best guess at the wording: DynamoDB's is not published.
            None => {
                return Err(ApiError::validation(format!(
                    "One or more parameter values were invalid: {member} names index {name}, which the backup's table does not have"
                )))
            }
        }
    }
    Ok(out)
}

/// Restores the backup `req` names into a new table.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Value, ApiError> {
    let arn = req.backup_arn.clone().unwrap_or_default();
    let name = req.target_table_name.clone().unwrap_or_default();
    on_backup(ctx, "dynamodb:RestoreTableFromBackup", &arn).await?;
    authorize::on_table_name(ctx, "dynamodb:RestoreTableFromBackup", &name).await?;
    let backup = record::load(ctx, &arn).await?;
    if backup.status != BackupStatus::Available {
        return Err(in_use(&arn));
    }
    if crate::ops::table::lifecycle::find(ctx, &name)
        .await?
        .is_some()
    {
        return Err(already_exists(&name));
    }
    let now = ctx.now_epoch();
    let mut def = restored_definition(&backup.table, &req, &name, now)?;
    def.account_id = ctx.account_id().to_string();
    def.region = ctx.region().to_string();
    allocate_storage_ids(ctx, &mut def).await?;
    def.restore = Some(RestoreState {
        source_backup_arn: Some(backup.arn.clone()),
        source_table_arn: Some(backup.table.arn()),
        restore_date_time: backup.created_at,
        in_progress: true,
        source_pitr: None,
        claim: None,
    });
    match ctx.catalog.create_table(&def).await {
        Ok(()) => {}
        Err(CatalogError::AlreadyExists) => return Err(already_exists(&name)),
        Err(e) => return Err(e.into()),
    }
    Ok(json!({ "TableDescription": render(&def, TableStats::default(), now) }))
}

/// Decodes a RestoreTableFromBackup body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::RestoreTableFromBackup, body)?;
    protocol::encode(&execute(ctx, req).await?)
}
