//! TransactGetItems: up to 100 Gets over several tables, read as one consistent snapshot.
//!
//! The snapshot is a store write transaction whose decider writes nothing: the store locks and
//! reads every item in one transaction, so no other write (single-item or transactional) can be
//! seen half-applied — and it needs nothing of the store beyond `ItemStore::write`.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::expr::Projection;
use crate::model::item::item_size;
use crate::model::table::TableDefinition;
use crate::model::validate;
use crate::model::Item;
use crate::ops::authorize;
use crate::ops::request::batch_common::{self, MULTIPLE_OPERATIONS};
use crate::ops::request::capacity::Units;
use crate::ops::request::capacity::{
    transactional_read_units, ConsumedCapacity, ReturnConsumedCapacity, TableUnits,
};
use crate::ops::request::expression_params::Names;
use crate::ops::request::item_key;
use crate::ops::request::protocol;
use crate::ops::table::lifecycle;
use crate::ops::transaction::decide;
use crate::ops::Operation;
use crate::traits::{Claim, Direction};
use crate::traits::{ItemKey, WriteDecider};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::Arc;

/// Most Gets in one call.
pub const MAX_GETS: usize = 100;

/// TransactGetItems' request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// The reads (required, 1–100).
    pub transact_items: Option<Vec<TransactGetItem>>,
    /// INDEXES | TOTAL | NONE.
    pub return_consumed_capacity: Option<String>,
}

/// One entry of `TransactItems`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransactGetItem {
    /// The read (required).
    pub get: Option<Get>,
}

/// One read.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Get {
    /// TableName (required).
    pub table_name: Option<String>,
    /// Key (required).
    pub key: Option<Item>,
    /// The attributes (document paths) to return.
    pub projection_expression: Option<String>,
    /// `#name` placeholders of the projection.
    pub expression_attribute_names: Option<Names>,
}

/// One entry of `Responses`: the item, absent when it does not exist.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ItemResponse {
    /// The item (projected), if found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Item>,
}

/// TransactGetItems' response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// One entry per Get, in request order.
    pub responses: Vec<ItemResponse>,
    /// With `ReturnConsumedCapacity` TOTAL or INDEXES: one entry per table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
}

/// One Get, checked and resolved.
pub struct Planned {
    /// The table's name (capacity per table).
    pub table: String,
    /// The table.
    pub def: Arc<TableDefinition>,
    /// The item's storage key.
    pub key: ItemKey,
    /// The ProjectionExpression, applied to the item read.
    pub projection: Option<Projection>,
}

/// Runs TransactGetItems.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let capacity = ReturnConsumedCapacity::parse(req.return_consumed_capacity.as_deref());
    let mut planned = Vec::new();
    for item in req.transact_items.unwrap_or_default() {
        let get = item.get.unwrap_or_default();
        let key = get.key.unwrap_or_default();
        validate::item_values(&key)?;
        let projection = batch_common::projection(
            get.projection_expression.as_deref(),
            get.expression_attribute_names.as_ref(),
            None,
        )?;
        let def = lifecycle::for_data(ctx, get.table_name.as_deref().unwrap_or_default()).await?;
        let storage_key = item_key::for_key(&def, &key)?;
        authorize::on_table(ctx, "dynamodb:GetItem", &def, || {
            let mut c = authorize::item_context(
                &def,
                &key,
                projection.as_ref().map(Projection::top_level_names),
                None,
                None,
            );
            c.enclosing_operation = Some("TransactGetItems".to_string());
            c
        })
        .await?;
        planned.push(Planned {
            key: storage_key,
            table: def.name.clone(),
            def,
            projection,
        });
    }
    let (items, units) = read(ctx, &planned).await?;
    Ok(Response {
        responses: items
            .into_iter()
            .map(|item| ItemResponse { item })
            .collect(),
        consumed_capacity: capacity.report_tables(&units),
    })
}

/// Reads the planned items in one snapshot (TransactGetItems, and PartiQL's ExecuteTransaction
/// of SELECTs): one item at most once, the throttling gate Get by Get, then transactional read
/// units. Returns each item, projected, in order, and the units per table.
pub async fn read(
    ctx: &Ctx,
    planned: &[Planned],
) -> Result<(Vec<Option<Item>>, TableUnits), ApiError> {
    let mut seen = HashSet::new();
    if !planned.iter().all(|p| seen.insert(&p.key)) {
        return Err(ApiError::validation(MULTIPLE_OPERATIONS));
    }
    admit(ctx, planned)?;
    let reads = planned.iter().map(|p| p.key.clone()).collect();
    let snapshot: WriteDecider = Box::new(|_| Ok(Vec::new()));
    let outcome = ctx
        .store
        .write(reads, snapshot)
        .await
        .map_err(|e| decide::on_conflict(e, planned.len()))?;
    let mut units = TableUnits::new();
    let mut items = Vec::with_capacity(planned.len());
    for (p, stored) in planned.iter().zip(outcome.before) {
        let item = stored.map(|s| s.decode()).transpose()?;
        let read = transactional_read_units(item.as_ref().map(item_size));
        ctx.charge(&claim(p), &Units::table(read));
        units.add(&p.table, read);
        items.push(match (item, &p.projection) {
            (Some(i), Some(proj)) => Some(proj.apply(&i)),
            (item, _) => item,
        });
    }
    Ok((items, units))
}

fn claim(p: &Planned) -> Claim<'_> {
    Ctx::claim(
        &p.def,
        None,
        Some(item_key::partition_of(&p.key.key)),
        Direction::Read,
    )
}

/// The throttling gate, Get by Get: any refusal cancels the transaction with a throttling
/// reason for each refused Get.
fn admit(ctx: &Ctx, planned: &[Planned]) -> Result<(), ApiError> {
    if !ctx.throttles() {
        return Ok(());
    }
    let mut refusals = Vec::with_capacity(planned.len());
    let mut refused = false;
    for p in planned {
        match ctx.admit(&claim(p)) {
            Ok(_) => refusals.push(None),
            Err(e) if e.is_throttling() => {
                refused = true;
                refusals.push(Some(e));
            }
            Err(e) => return Err(e),
        }
    }
    if refused {
        return Err(decide::throttled(refusals));
    }
    Ok(())
}

/// Decodes a TransactGetItems body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::TransactGetItems, body)?;
    protocol::encode(&execute(ctx, req).await?)
}

#[cfg(test)]
#[path = "transact_get_items_tests.rs"]
mod tests;
