//! BatchWriteItem: up to 25 PutRequest / DeleteRequest over several tables.
//!
//! Order of checks, as DynamoDB answers them (texts captured by dynalite's tests): constraint
//! errors (null or empty RequestItems, an empty list for a table, null Item / Key, enum values)
//! → each WriteRequest holds exactly one of PutRequest / DeleteRequest → value rules → more
//! than 25 requests in all → table lookups → key attributes and item sizes → duplicate keys.
//! Each write is authorized (`dynamodb:BatchWriteItem` on its table, with its own condition
//! keys) and admitted by the throttler (refused ones are returned in `UnprocessedItems`, which
//! is `{}` otherwise); the admitted writes then run in one store write transaction, all durable
//! together, and each is charged the units it consumed.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::item::item_size;
use crate::model::table::TableDefinition;
use crate::model::validate;
use crate::model::{AttributeValue, Item};
use crate::ops::authorize;
use crate::ops::change::ChangeWriter;
use crate::ops::index::index_capacity;
use crate::ops::index::index_maintenance;
use crate::ops::request::batch_common::{self, DUPLICATE_KEYS};
use crate::ops::request::capacity::{
    write_units, ConsumedCapacity, ReturnConsumedCapacity, TableUnits, Units, WRITE_UNIT_BYTES,
};
use crate::ops::request::item_collection::{self, PerTable};
use crate::ops::request::item_key;
use crate::ops::request::protocol;
use crate::ops::table::lifecycle;
use crate::ops::Operation;
use crate::traits::{Direction, ItemKey, StoredItem, WriteDecider, WriteOp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// Most write requests in one call.
pub const MAX_WRITES: usize = 25;

/// BatchWriteItem's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// Table name → its write requests (required).
    pub request_items: Option<BTreeMap<String, Vec<WriteRequest>>>,
    /// INDEXES | TOTAL | NONE.
    pub return_consumed_capacity: Option<String>,
    /// SIZE | NONE (accepted; metrics concern tables with local secondary indexes).
    pub return_item_collection_metrics: Option<String>,
}

/// One write: exactly one of its members is set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WriteRequest {
    /// Put (create or replace) an item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub put_request: Option<PutRequest>,
    /// Delete an item by key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_request: Option<DeleteRequest>,
}

/// `PutRequest`: the whole item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRequest {
    /// The item (required).
    pub item: Option<Item>,
}

/// `DeleteRequest`: the key of the item to remove.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteRequest {
    /// The key (required).
    pub key: Option<Item>,
}

/// BatchWriteItem's response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// Writes not done (always every write is done: `{}`).
    pub unprocessed_items: BTreeMap<String, Vec<WriteRequest>>,
    /// With `ReturnConsumedCapacity` TOTAL or INDEXES: one entry per table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
    /// With `ReturnItemCollectionMetrics=SIZE`: per table with local secondary indexes, the
    /// item collection of each write.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_collection_metrics: Option<PerTable>,
}

/// What the request asks to do to one item, after validation.
struct Planned {
    table: String,
    key: ItemKey,
    /// The new item, or `None` for a delete.
    item: Option<Item>,
    /// The table.
    def: Arc<TableDefinition>,
    /// The item's partition, for the throttler.
    partition: Vec<u8>,
    /// The request as sent, to hand back in `UnprocessedItems`.
    request: WriteRequest,
    /// What the item's change adds (index entries, stream record).
    changes: ChangeWriter,
    /// The table and the item's partition-key value, when its item collection is reported.
    collection: Option<(Arc<TableDefinition>, AttributeValue)>,
}

const ONE_DATATYPE: &str = "Supplied AttributeValue has more than one datatypes set, \
                            must contain exactly one of the supported datatypes";

/// Validates every write and resolves its table and storage key.
async fn plan(
    ctx: &Ctx,
    items: BTreeMap<String, Vec<WriteRequest>>,
    metrics: Option<&str>,
    return_consumed_capacity: Option<&str>,
) -> Result<Vec<Planned>, ApiError> {
    let mut total = 0;
    for writes in items.values() {
        for w in writes {
            match (&w.put_request, &w.delete_request) {
                (Some(PutRequest { item: Some(item) }), None) => validate::item_values(item)?,
                (None, Some(DeleteRequest { key: Some(key) })) => validate::item_values(key)?,
                _ => return Err(ApiError::validation(ONE_DATATYPE)),
            }
            total += 1;
        }
    }
    if total > MAX_WRITES {
        return Err(ApiError::validation(
            "Too many items requested for the BatchWriteItem call",
        ));
    }
    let mut planned = Vec::with_capacity(total);
    let mut seen = HashSet::new();
    for (table, writes) in items {
        let def = lifecycle::for_data(ctx, &table).await?;
        let changes = ChangeWriter::for_table(ctx, &def);
        let collections = item_collection::wanted(metrics, &def);
        for w in writes {
            let request = w.clone();
            let (key, item, values) = match (w.put_request, w.delete_request) {
                (Some(PutRequest { item: Some(item) }), _) => {
                    let key = item_key::for_item(&def, &item)?;
                    validate::item_size_limit(&item)?;
                    index_maintenance::check_item(&def, &item)?;
                    (key, Some(item.clone()), item)
                }
                (_, Some(DeleteRequest { key: Some(key) })) => {
                    (item_key::for_key(&def, &key)?, None, key)
                }
                _ => return Err(ApiError::validation(ONE_DATATYPE)),
            };
            if !seen.insert(key.clone()) {
                return Err(ApiError::validation(DUPLICATE_KEYS));
            }
            authorize::on_table(ctx, "dynamodb:BatchWriteItem", &def, || {
                authorize::item_context(
                    &def,
                    &values,
                    item.as_ref().map(|i| i.keys().cloned().collect()),
                    None,
                    return_consumed_capacity,
                )
            })
            .await?;
            let partition_value = values.get(&def.key_schema.hash.name);
            let partition = item_key::partition_of(&key.key).to_vec();
            let collection = partition_value
                .filter(|_| collections)
                .map(|v| (def.clone(), v.clone()));
            planned.push(Planned {
                table: def.name.clone(),
                key,
                item,
                def: def.clone(),
                partition,
                request,
                changes: changes.clone(),
                collection,
            });
        }
    }
    Ok(planned)
}

/// The writes handed back unprocessed, by table.
type Unprocessed = BTreeMap<String, Vec<WriteRequest>>;

/// The throttling gate, item by item: refused writes are handed back as unprocessed. When
/// every write is refused the call fails with the throttler's error, as DynamoDB does.
fn admit(ctx: &Ctx, planned: Vec<Planned>) -> Result<(Vec<Planned>, Unprocessed), ApiError> {
    let mut admitted = Vec::with_capacity(planned.len());
    let mut unprocessed = Unprocessed::new();
    let mut refusal = None;
    for p in planned {
        match ctx.admit(&Ctx::claim(
            &p.def,
            None,
            Some(&p.partition),
            Direction::Write,
        )) {
            Ok(_) => admitted.push(p),
            Err(e) if e.is_throttling() => {
                unprocessed.entry(p.table).or_default().push(p.request);
                refusal = Some(e);
            }
            Err(e) => return Err(e),
        }
    }
    match refusal {
        Some(e) if admitted.is_empty() => Err(e),
        _ => Ok((admitted, unprocessed)),
    }
}

/// Runs BatchWriteItem.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let capacity = ReturnConsumedCapacity::parse(req.return_consumed_capacity.as_deref());
    let planned = plan(
        ctx,
        req.request_items.unwrap_or_default(),
        req.return_item_collection_metrics.as_deref(),
        req.return_consumed_capacity.as_deref(),
    )
    .await?;
    let (planned, unprocessed) = admit(ctx, planned)?;

    let reads: Vec<ItemKey> = planned.iter().map(|p| p.key.clone()).collect();
    let changes: Vec<(ItemKey, Option<Item>, ChangeWriter)> = planned
        .iter()
        .map(|p| (p.key.clone(), p.item.clone(), p.changes.clone()))
        .collect();
    let decide: WriteDecider = Box::new(move |current| {
        let mut writes = Vec::with_capacity(changes.len());
        for ((key, item, hooks), stored) in changes.into_iter().zip(current) {
            // Index entries and the stream record follow the item from what is stored now to
            // what is written.
            if hooks.is_active() {
                let old = stored.as_ref().map(StoredItem::decode).transpose()?;
                writes.extend(hooks.writes(&key, old.as_ref(), item.as_ref())?);
            }
            writes.push(match item {
                Some(item) => WriteOp::Put {
                    item: StoredItem::encode(&item),
                    key,
                },
                None => WriteOp::Delete { key },
            });
        }
        Ok(writes)
    });
    let outcome = ctx.store.write(reads, decide).await?;

    let mut units = TableUnits::new();
    for (p, before) in planned.iter().zip(&outcome.before) {
        let new = p.item.as_ref().map_or(0, item_size);
        let counted = if p.def.indexes().next().is_some() {
            let old = before.as_ref().map(StoredItem::decode).transpose()?;
            let table = write_units(&[old.as_ref().map_or(0, item_size), new]);
            index_capacity::write(&p.def, old.as_ref(), p.item.as_ref(), table)
        } else {
            let old = batch_common::size_for_units(before.as_ref(), WRITE_UNIT_BYTES)?;
            Units::table(write_units(&[old.unwrap_or(0), new]))
        };
        ctx.charge(
            &Ctx::claim(&p.def, None, Some(&p.partition), Direction::Write),
            &counted,
        );
        if capacity.wanted() {
            units.add_units(&p.table, counted);
        }
    }
    let mut collections = PerTable::new();
    for (def, partition) in planned.iter().filter_map(|p| p.collection.as_ref()) {
        let metrics = item_collection::measure(ctx, def, partition).await?;
        collections
            .entry(def.name.clone())
            .or_default()
            .push(metrics);
    }
    Ok(Response {
        unprocessed_items: unprocessed,
        consumed_capacity: capacity.report_tables(&units),
        item_collection_metrics: (!collections.is_empty()).then_some(collections),
    })
}

/// Decodes a BatchWriteItem body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::BatchWriteItem, body)?;
    protocol::encode(&execute(ctx, req).await?)
}

#[cfg(test)]
#[path = "batch_write_item_tests.rs"]
mod tests;
