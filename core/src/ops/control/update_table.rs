//! UpdateTable: BillingMode, ProvisionedThroughput, DeletionProtectionEnabled,
//! GlobalSecondaryIndexUpdates (Create / Update / Delete) and StreamSpecification (enable,
//! disable: `table::stream_spec`).
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
use crate::ops::table::stream_spec::{self, StreamChange};
use crate::ops::table::table_description::{describe, not_found, TableDescription};
use crate::ops::table::update_table_capacity::{self as capacity, in_use};
use crate::ops::table::update_table_indexes as indexes;
use crate::ops::table::update_table_request::{validate, Request};
use crate::ops::table::{lifecycle, on_demand};
use crate::ops::Operation;
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

/// Applies `req` to the table it names.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let name = validate(&req)?;
    let found = lifecycle::find(ctx, name).await?;
    authorize::on_lookup(ctx, "dynamodb:UpdateTable", name, found.as_ref()).await?;
    let mut def = found.ok_or_else(|| not_found(name))?;
    match def.status {
        TableStatus::Creating => return Err(in_use(format!("Table is being created: {name}"))),
        TableStatus::Deleting => return Err(in_use(format!("Table is being deleted: {name}"))),
        TableStatus::Active | TableStatus::Updating => {}
    }
    let now = ctx.now_epoch();
    let creates = req.index_updates().iter().any(|u| u.create.is_some());
    // Allocated before the checks so `apply` stays synchronous; an id left unused by a refused
    // request is harmless (ids only need to be unique).
    let new_storage_id = if creates && req.creates_or_deletes() == 1 {
        Some(ctx.catalog.next_storage_id().await?)
    } else {
        None
    };
    let stream_change = req
        .stream_specification
        .as_ref()
        .map(stream_spec::for_update)
        .transpose()?;
    let log_id = match stream_change {
        Some(StreamChange::Enable(_)) if def.stream.is_none() => {
            if !ctx.streams.supports_streams() {
                return Err(stream_spec::unsupported());
            }
            ctx.catalog.next_storage_id().await?
        }
        _ => 0,
    };
    let capacity_changed = capacity::apply(&mut def, &req, now)?;
    let online = indexes::apply(&mut def, &req, new_storage_id, now)?;
    if let Some(protect) = req.deletion_protection_enabled {
        def.deletion_protection = protect;
    }
    def.on_demand_throughput = on_demand::resolve(
        req.on_demand_throughput.as_ref(),
        def.billing_mode,
        def.on_demand_throughput,
    )?;
    if let Some(change) = stream_change {
        stream_spec::apply(&mut def, change, log_id, now)?;
        if matches!(change, StreamChange::Enable(_)) {
            stream_spec::start_log(ctx, &def).await?;
        }
    }
    if capacity_changed || online || stream_change.is_some() {
        def.status = TableStatus::Updating;
        def.status_since = now;
    }
    let answered = def.clone();
    let mut stored = def;
    if ctx.control_plane_delay().is_zero() {
        stored = settled(stored);
        index_lifecycle::remove_deleted(ctx, &mut stored).await?;
    }
    ctx.catalog.put_table(&stored).await?;
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
