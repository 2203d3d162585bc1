//! TransactWriteItems: up to 100 ConditionCheck / Put / Delete / Update actions over several
//! tables, all or nothing, in ONE store write transaction.
//!
//! Order of checks: constraint errors (null or too many TransactItems, token length, each
//! action's required members and enums) → each action's own checks in request order (one
//! action kind, expression parameters, value rules, expressions, table, key) → one item at
//! most once → 4 MB of items in all. Then the store locks and reads every item (and the
//! ClientRequestToken's record), the decider runs every condition and update against them and
//! returns all writes — or cancels with one reason per action, in request order.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::item::item_size;
use crate::model::Item;
use crate::ops::request::batch_common::MULTIPLE_OPERATIONS;
use crate::ops::request::capacity::{ConsumedCapacity, ReturnConsumedCapacity};
use crate::ops::request::item_collection::{self, PerTable};
use crate::ops::request::protocol;
use crate::ops::table::lifecycle;
use crate::ops::transaction::actions::{self, Action, CompileError, Kind, TransactWriteItem};
use crate::ops::transaction::{decide, run};
use crate::ops::Operation;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Most actions in one transaction.
pub const MAX_ACTIONS: usize = 100;

/// Largest aggregate size of the items a transaction writes.
pub const MAX_TRANSACTION_BYTES: usize = 4 * 1024 * 1024;

/// TransactWriteItems' request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// The actions (required, 1–100).
    pub transact_items: Option<Vec<TransactWriteItem>>,
    /// INDEXES | TOTAL | NONE.
    pub return_consumed_capacity: Option<String>,
    /// SIZE | NONE (accepted; metrics concern tables with local secondary indexes).
    pub return_item_collection_metrics: Option<String>,
    /// Makes the request idempotent for 10 minutes (1–36 characters).
    pub client_request_token: Option<String>,
}

/// TransactWriteItems' response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// With `ReturnConsumedCapacity` TOTAL or INDEXES: one entry per table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
    /// With `ReturnItemCollectionMetrics=SIZE`: per table with local secondary indexes, the
    /// item collection of each Put, Update and Delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_collection_metrics: Option<PerTable>,
}

/// Compiles every action and applies the whole-transaction rules.
async fn compile(ctx: &Ctx, items: Vec<TransactWriteItem>) -> Result<Vec<Action>, ApiError> {
    let total = items.len();
    let mut compiled = Vec::with_capacity(total);
    for (i, item) in items.into_iter().enumerate() {
        match actions::compile(ctx, item).await {
            Ok(action) => compiled.push(action),
            Err(CompileError::Request(e)) => return Err(e),
            // DynamoDB stops at the first such action: the others get no reason.
            Err(CompileError::Item(e)) => return Err(decide::validation_error_at(i, total, &e)),
        }
    }
    let mut seen = HashSet::new();
    if !compiled.iter().all(|a| seen.insert(&a.key)) {
        return Err(ApiError::validation(MULTIPLE_OPERATIONS));
    }
    let bytes: usize = compiled
        .iter()
        .map(|a| match &a.kind {
            Kind::Put(item) | Kind::Insert(item) => item_size(item),
            Kind::Update { key, .. } => item_size(key),
            Kind::Check | Kind::Delete => 0,
        })
        .sum();
    if bytes > MAX_TRANSACTION_BYTES {
        return Err(ApiError::validation(
            "Transaction request size has exceeded the maximum allowed size of 4 MB",
        ));
    }
    Ok(compiled)
}

/// Runs TransactWriteItems.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let capacity = ReturnConsumedCapacity::parse(req.return_consumed_capacity.as_deref());
    let items = req.transact_items.unwrap_or_default();
    let params = canonical_params(&items)?;
    let written = match req.return_item_collection_metrics.as_deref() {
        Some("SIZE") => written_items(&items),
        _ => Vec::new(),
    };
    let compiled = compile(ctx, items).await?;
    let token = req.client_request_token.map(|t| (t, params));
    let units = run::run(ctx, &compiled, token, capacity.wanted()).await?;
    Ok(Response {
        consumed_capacity: capacity.report_tables(&units),
        item_collection_metrics: collections(ctx, &written).await?,
    })
}

/// The table and the item (Put) or key (Update, Delete) of each writing action.
fn written_items(items: &[TransactWriteItem]) -> Vec<(String, Item)> {
    items
        .iter()
        .filter_map(|i| {
            let (params, item) = match (&i.put, &i.update, &i.delete) {
                (Some(p), _, _) => (p, p.item.as_ref()),
                (_, Some(p), _) | (_, _, Some(p)) => (p, p.key.as_ref()),
                _ => return None,
            };
            Some((params.table_name.clone()?, item?.clone()))
        })
        .collect()
}

/// Item-collection metrics of the written items on tables with local secondary indexes.
async fn collections(ctx: &Ctx, written: &[(String, Item)]) -> Result<Option<PerTable>, ApiError> {
    let mut out = PerTable::new();
    for (table, item) in written {
        let def = lifecycle::for_data(ctx, table).await?;
        if !item_collection::wanted(Some("SIZE"), &def) {
            continue;
        }
        if let Some(m) = item_collection::measure_item(ctx, &def, item).await? {
            out.entry(def.name.clone()).or_default().push(m);
        }
    }
    Ok((!out.is_empty()).then_some(out))
}

/// The parameters a retry must repeat, in canonical JSON: items are hash maps with no fixed
/// order, so they go through `serde_json::Value`, whose maps are sorted by key.
fn canonical_params(items: &[TransactWriteItem]) -> Result<String, ApiError> {
    serde_json::to_value(items)
        .map(|v| v.to_string())
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// Decodes a TransactWriteItems body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::TransactWriteItems, body)?;
    protocol::encode(&execute(ctx, req).await?)
}

#[cfg(test)]
#[path = "transact_write_items_tests.rs"]
mod tests;
