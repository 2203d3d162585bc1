//! UpdateTable: BillingMode, ProvisionedThroughput, DeletionProtectionEnabled and
//! GlobalSecondaryIndexUpdates (Create / Update / Delete).
//!
//! Checks run in DynamoDB's order: the request on its own (`update_table_request`), the table
//! (missing, CREATING, DELETING), then the capacity and index changes against the table
//! (`update_table_capacity`, `update_table_indexes`). A capacity change, an index Create or an
//! index Delete makes the table UPDATING; a GSI capacity change makes only the index UPDATING.
//! As with CreateTable, the answer shows the transitional states even when the control-plane
//! delay is zero and the stored definition is settled at once; a new GSI stays CREATING until
//! the backfill worker (`gsi_backfill`) has filled it.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::{IndexStatus, TableDefinition, TableStatus};
use crate::ops::authorize;
use crate::ops::request::protocol;
use crate::ops::table::index_lifecycle;
use crate::ops::table::table_description::{describe, not_found, TableDescription};
use crate::ops::table::update_table_capacity::{self as capacity, in_use};
use crate::ops::table::update_table_indexes as indexes;
use crate::ops::table::update_table_request::{validate, Request};
use crate::ops::table::{lifecycle, on_demand};
use crate::ops::Operation;
use crate::traits::CatalogError;
use serde::Serialize;

/// UpdateTable's output.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// The table as the update leaves it.
    pub table_description: TableDescription,
}

/// The definition to store when transitions are immediate: table ACTIVE, GSI capacity
/// changes done (DELETING indexes are removed by the caller).
fn settled(mut def: TableDefinition) -> TableDefinition {
    if def.status == TableStatus::Updating {
        def.status = TableStatus::Active;
    }
    for gsi in &mut def.global_secondary_indexes {
        if gsi.status == IndexStatus::Updating {
            gsi.status = IndexStatus::Active;
        }
    }
    def
}

/// Applies `req` to `def` (the stored definition: `Catalog::update_table` may call this again
/// with a newer one after a concurrent change); answers the definition as the update leaves it
/// for the caller's description, while `def` becomes what is stored.
fn change(
    ctx: &Ctx,
    req: &Request,
    def: &mut TableDefinition,
    new_storage_id: Option<u64>,
    now: f64,
) -> Result<TableDefinition, ApiError> {
    let name = def.name.clone();
    match def.status {
        TableStatus::Creating => return Err(in_use(format!("Table is being created: {name}"))),
        TableStatus::Deleting => return Err(in_use(format!("Table is being deleted: {name}"))),
        TableStatus::Active | TableStatus::Updating => {}
    }
    let capacity_changed = capacity::apply(def, req, now)?;
    let online = indexes::apply(def, req, new_storage_id, now)?;
    if let Some(protect) = req.deletion_protection_enabled {
        def.deletion_protection = protect;
    }
    def.on_demand_throughput = on_demand::resolve(
        req.on_demand_throughput.as_ref(),
        def.billing_mode,
        def.on_demand_throughput,
    )?;
    if capacity_changed || online {
        def.status = TableStatus::Updating;
        def.status_since = now;
    }
    let answered = def.clone();
    if ctx.control_plane_delay().is_zero() {
        *def = settled(def.clone());
    }
    Ok(answered)
}

/// Applies `req` to the table it names.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let name = validate(&req)?;
    let found = lifecycle::find(ctx, name).await?;
    authorize::on_lookup(ctx, "dynamodb:UpdateTable", name, found.as_ref()).await?;
    let found = found.ok_or_else(|| not_found(name))?;
    let now = ctx.now_epoch();
    let creates = req.index_updates().iter().any(|u| u.create.is_some());
    // Allocated before the checks so `change` stays synchronous; an id left unused by a refused
    // request is harmless (ids only need to be unique).
    let new_storage_id = if creates && req.creates_or_deletes() == 1 {
        Some(ctx.catalog.next_storage_id().await?)
    } else {
        None
    };
    let mut answered = None;
    let stored = ctx
        .catalog
        .update_table(&found.account_id, name, |def: &mut TableDefinition| {
            answered = Some(change(ctx, &req, def, new_storage_id, now)?);
            Ok(true)
        })
        .await
        .map_err(|e| match e {
            CatalogError::NotFound => not_found(name),
            other => other.into(),
        })?;
    if ctx.control_plane_delay().is_zero() {
        // Immediate transitions: the deleted indexes go at once (storage queued first).
        index_lifecycle::retire(ctx, &stored, &index_lifecycle::deleting(&stored)).await?;
    }
    let answered = answered.unwrap_or(stored);
    Ok(Response {
        table_description: describe(ctx, &answered).await?,
    })
}

/// Decodes an UpdateTable body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::UpdateTable, body)?;
    protocol::encode(&execute(ctx, req).await?)
}

#[cfg(test)]
#[path = "update_table_tests.rs"]
mod tests;
