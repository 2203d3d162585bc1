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

/// Refuses a table being created or deleted.
fn updatable(def: &TableDefinition) -> Result<(), ApiError> {
    let name = &def.name;
    match def.status {
        TableStatus::Creating => Err(in_use(format!("Table is being created: {name}"))),
        TableStatus::Deleting => Err(in_use(format!("Table is being deleted: {name}"))),
        TableStatus::Active | TableStatus::Updating => Ok(()),
    }
}

/// What `change` applies: the request, and what was allocated for it beforehand (storage ids
/// are allocated outside the compare-and-swap so that `change` stays synchronous; an id left
/// unused by a refused request is harmless, ids only need to be unique).
struct Planned<'a> {
    /// The request.
    req: &'a Request,
    /// The storage of the index the request creates, if it creates one.
    new_storage_id: Option<u64>,
    /// The stream change asked for.
    stream_change: Option<StreamChange>,
    /// The log of the stream the request enables (0 unless it enables one).
    log_id: u64,
}

/// Applies the planned request to `def` (the stored definition: `Catalog::update_table` may
/// call this again with a newer one after a concurrent change); answers the definition as the
/// update leaves it for the caller's description, while `def` becomes what is stored.
fn change(
    ctx: &Ctx,
    plan: &Planned<'_>,
    def: &mut TableDefinition,
    now: f64,
) -> Result<TableDefinition, ApiError> {
    let req = plan.req;
    updatable(def)?;
    let capacity_changed = capacity::apply(def, req, now)?;
    let online = indexes::apply(def, req, plan.new_storage_id, now)?;
    if let Some(protect) = req.deletion_protection_enabled {
        def.deletion_protection = protect;
    }
    def.on_demand_throughput = on_demand::resolve(
        req.on_demand_throughput.as_ref(),
        def.billing_mode,
        def.on_demand_throughput,
    )?;
    if let Some(change) = plan.stream_change {
        stream_spec::apply(def, change, plan.log_id, now)?;
    }
    if capacity_changed || online || plan.stream_change.is_some() {
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
    authorize::on_lookup(ctx, "dynamodb:UpdateTable", name, found.as_deref()).await?;
    let found = found.ok_or_else(|| not_found(name))?;
    updatable(&found)?;
    let now = ctx.now_epoch();
    let creates = req.index_updates().iter().any(|u| u.create.is_some());
    // Allocated before the checks so `change` stays synchronous; an id left unused by a refused
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
        Some(StreamChange::Enable(_)) if found.stream.is_none() => {
            if !ctx.streams.supports_streams() {
                return Err(stream_spec::unsupported());
            }
            ctx.catalog.next_storage_id().await?
        }
        _ => 0,
    };
    let planned = Planned {
        req: &req,
        new_storage_id,
        stream_change,
        log_id,
    };
    if log_id != 0 {
        // The new stream's log starts before the catalog names it (every sequencer must find
        // its head), so only once the request is known to apply: a dry run on the definition
        // read refuses it in DynamoDB's order first. A refusal after a concurrent change leaves
        // an unnamed head behind, which is harmless (its storage id is never used again).
        let mut dry = TableDefinition::clone(&found);
        let planned_def = change(ctx, &planned, &mut dry, now)?;
        stream_spec::start_log(ctx, &planned_def).await?;
    }
    let mut answered = None;
    let stored = ctx
        .catalog
        .update_table(&found.account_id, name, |def: &mut TableDefinition| {
            answered = Some(change(ctx, &planned, def, now)?);
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
