//! BatchGetItem: up to 100 items by key over several tables, each table with its own
//! projection and read consistency.
//!
//! Order of checks, as DynamoDB answers them (dynalite's captured texts): constraint errors →
//! per table: expression vs legacy parameters, key value rules, duplicate keys, more than 100
//! keys in all, AttributesToGet duplicates and the projection → table lookups → key schema.
//! Reads stop adding items once the answer holds 16 MB, and keys the throttler refuses are not
//! read; both are returned in `UnprocessedKeys` with their table's parameters, as DynamoDB does.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::expr::Projection;
use crate::model::key_encoding;
use crate::model::table::TableDefinition;
use crate::model::validate;
use crate::model::Item;
use crate::ops::authorize;
use crate::ops::request::batch_common::{self, DUPLICATE_KEYS};
use crate::ops::request::capacity::Units;
use crate::ops::request::capacity::{
    read_units, ConsumedCapacity, ReturnConsumedCapacity, TableUnits,
};
use crate::ops::request::expression_params::Names;
use crate::ops::request::item_key;
use crate::ops::request::protocol;
use crate::ops::table::lifecycle;
use crate::ops::Operation;
use crate::traits::reads_for;
use crate::traits::Direction;
use crate::traits::ItemKey;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// Most keys in one call.
pub const MAX_KEYS: usize = 100;

/// Largest answer: items past this many bytes are left in `UnprocessedKeys`.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// BatchGetItem's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// Table name → the keys to read there and how (required).
    pub request_items: Option<BTreeMap<String, KeysAndAttributes>>,
    /// INDEXES | TOTAL | NONE.
    pub return_consumed_capacity: Option<String>,
}

/// One table's part of a BatchGetItem (also the shape of `UnprocessedKeys`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeysAndAttributes {
    /// The keys (required, 1–100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<Item>>,
    /// Legacy projection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes_to_get: Option<Vec<String>>,
    /// Strongly consistent reads (from the primary store, at twice the units; without it a
    /// replica may serve them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistent_read: Option<bool>,
    /// The attributes (document paths) to return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projection_expression: Option<String>,
    /// `#name` placeholders of the projection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression_attribute_names: Option<Names>,
}

/// BatchGetItem's response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// Table name → the items found (every requested table appears).
    pub responses: BTreeMap<String, Vec<Item>>,
    /// Keys not read because the answer reached 16 MB.
    pub unprocessed_keys: BTreeMap<String, KeysAndAttributes>,
    /// With `ReturnConsumedCapacity` TOTAL or INDEXES: one entry per table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
}

/// The per-table key count check the model leaves to the operation: more than 100 keys for
/// one table is DynamoDB's "Too many items" (its model's KeyList limit is not checked as a
/// constraint; `devtools/gen-shapes` skips it).
fn per_table_limit(req: &Request) -> Result<(), ApiError> {
    let too_many = req
        .request_items
        .iter()
        .flatten()
        .any(|(_, t)| t.keys.as_ref().is_some_and(|k| k.len() > MAX_KEYS));
    if too_many {
        return Err(ApiError::validation(
            "Too many items requested for the BatchGetItem call",
        ));
    }
    Ok(())
}

/// One table's validated part.
struct TablePart {
    name: String,
    keys: Vec<Item>,
    params: KeysAndAttributes,
    projection: Option<Projection>,
}

/// The per-table checks that need no table definition.
fn check_tables(items: BTreeMap<String, KeysAndAttributes>) -> Result<Vec<TablePart>, ApiError> {
    let mut total = 0;
    let mut parts = Vec::with_capacity(items.len());
    for (name, mut params) in items {
        if params.projection_expression.is_some() && params.attributes_to_get.is_some() {
            batch_common::projection(
                params.projection_expression.as_deref(),
                None,
                params.attributes_to_get.as_deref(),
            )?;
        }
        let keys = params.keys.take().unwrap_or_default();
        let mut seen = HashSet::new();
        for key in &keys {
            validate::item_values(key)?;
            // Value-level identity, independent of the schema (checked later).
            let mut attrs: Vec<(&String, Vec<u8>)> = key
                .iter()
                .map(|(n, v)| (n, key_encoding::item_key(v, None)))
                .collect();
            attrs.sort();
            if !seen.insert(attrs) {
                return Err(ApiError::validation(DUPLICATE_KEYS));
            }
            total += 1;
            if total > MAX_KEYS {
                return Err(ApiError::validation(
                    "Too many items requested for the BatchGetItem call",
                ));
            }
        }
        let projection = batch_common::projection(
            params.projection_expression.as_deref(),
            params.expression_attribute_names.as_ref(),
            params.attributes_to_get.as_deref(),
        )?;
        parts.push(TablePart {
            name,
            keys,
            params,
            projection,
        });
    }
    Ok(parts)
}

/// Runs BatchGetItem.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    per_table_limit(&req)?;
    let capacity = ReturnConsumedCapacity::parse(req.return_consumed_capacity.as_deref());
    let req_capacity = req.return_consumed_capacity.clone();
    let parts = check_tables(req.request_items.unwrap_or_default())?;
    let mut resolved: Vec<(TablePart, Vec<ItemKey>, Arc<TableDefinition>)> =
        Vec::with_capacity(parts.len());
    for part in parts {
        let def = lifecycle::for_data(ctx, &part.name).await?;
        let keys = part
            .keys
            .iter()
            .map(|k| item_key::for_key(&def, k))
            .collect::<Result<Vec<_>, _>>()?;
        for key in &part.keys {
            authorize::on_table(ctx, "dynamodb:BatchGetItem", &def, || {
                let mut c = authorize::item_context(
                    &def,
                    key,
                    part.projection.as_ref().map(Projection::top_level_names),
                    None,
                    req_capacity.as_deref(),
                );
                c.select = part
                    .projection
                    .as_ref()
                    .map(|_| "SPECIFIC_ATTRIBUTES".to_string());
                c
            })
            .await?;
        }
        resolved.push((part, keys, def));
    }

    let mut resp = Response::default();
    let mut units = TableUnits::new();
    let mut bytes = 0usize;
    let mut refusal = None;
    for (part, keys, def) in resolved {
        let table = def.name.clone();
        let consistent = part.params.consistent_read.unwrap_or(false);
        let reader = reads_for(ctx.store.as_ref(), consistent);
        let found = resp.responses.entry(part.name.clone()).or_default();
        let mut unprocessed = Vec::new();
        for (key, storage_key) in part.keys.into_iter().zip(keys) {
            if bytes >= MAX_RESPONSE_BYTES {
                unprocessed.push(key);
                continue;
            }
            let claim = Ctx::claim(
                &def,
                None,
                Some(item_key::partition_of(&storage_key.key)),
                Direction::Read,
            );
            let grant = match ctx.admit(&claim) {
                Ok(grant) => grant,
                Err(e) if e.is_throttling() => {
                    unprocessed.push(key);
                    refusal = Some(e);
                    continue;
                }
                Err(e) => return Err(e),
            };
            let stored = reader.get(&storage_key).await?;
            let item = stored.map(|s| s.decode()).transpose()?;
            let size = item.as_ref().map(crate::model::item::item_size);
            let read = read_units(size, consistent);
            ctx.charge_grant(&claim, grant, &Units::table(read));
            units.add(&table, read);
            if let Some(item) = item {
                bytes += size.unwrap_or(0);
                found.push(match &part.projection {
                    Some(p) => p.apply(&item),
                    None => item,
                });
            }
        }
        if !unprocessed.is_empty() {
            let mut params = part.params;
            params.keys = Some(unprocessed);
            resp.unprocessed_keys.insert(part.name, params);
        }
    }
    // Every key refused by the throttler: the call itself is throttled, as DynamoDB answers.
    if let Some(e) =
        refusal.filter(|_| resp.responses.values().all(Vec::is_empty) && units.entries().is_empty())
    {
        return Err(e);
    }
    resp.consumed_capacity = capacity.report_tables(&units);
    Ok(resp)
}

/// Decodes a BatchGetItem body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::BatchGetItem, body)?;
    protocol::encode(&execute(ctx, req).await?)
}

#[cfg(test)]
#[path = "batch_get_item_tests.rs"]
mod tests;
