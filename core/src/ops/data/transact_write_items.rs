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
use crate::ops::index::index_capacity;
use crate::ops::request::batch_common::{self, MULTIPLE_OPERATIONS};
use crate::ops::request::capacity::Units;
use crate::ops::request::capacity::{
    transactional_read_units, transactional_write_units, ConsumedCapacity, ReturnConsumedCapacity,
    TableUnits,
};
use crate::ops::request::idempotency::{self, TokenState};
use crate::ops::request::item_collection::{self, PerTable};
use crate::ops::request::item_key;
use crate::ops::request::protocol;
use crate::ops::request::validate::Constraints;
use crate::ops::table::lifecycle;
use crate::ops::transaction::actions::{self, Action, CompileError, Kind, TransactWriteItem};
use crate::ops::transaction::decide;
use crate::traits::{Direction, ItemKey, StoredItem, WriteDecider, WriteOp};
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

/// Constraint errors of the request's shape and enums.
fn constraints(req: &Request) -> Result<ReturnConsumedCapacity, ApiError> {
    let mut c = Constraints::new();
    let capacity = ReturnConsumedCapacity::parse(req.return_consumed_capacity.as_deref(), &mut c);
    item_key::write_options(req.return_item_collection_metrics.as_deref(), None, &mut c);
    if let Some(t) = &req.client_request_token {
        if t.is_empty() {
            c.violation(
                Some(t),
                "clientRequestToken",
                "Member must have length greater than or equal to 1",
            );
        } else if t.chars().count() > 36 {
            c.violation(
                Some(t),
                "clientRequestToken",
                "Member must have length less than or equal to 36",
            );
        }
    }
    match &req.transact_items {
        None => c.violation(None, "transactItems", "Member must not be null"),
        Some(items) if items.is_empty() => c.violation(
            Some("[]"),
            "transactItems",
            "Member must have length greater than or equal to 1",
        ),
        Some(items) if items.len() > MAX_ACTIONS => c.violation(
            Some(&format!("[{} items]", items.len())),
            "transactItems",
            "Member must have length less than or equal to 100",
        ),
        Some(items) => {
            for (i, item) in items.iter().enumerate() {
                actions::constraints(i + 1, item, &mut c);
            }
        }
    }
    c.finish()?;
    Ok(capacity)
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
            Kind::Put(item) => item_size(item),
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
    let capacity = constraints(&req)?;
    let items = req.transact_items.unwrap_or_default();
    let params = canonical_params(&items)?;
    let written = match req.return_item_collection_metrics.as_deref() {
        Some("SIZE") => written_items(&items),
        _ => Vec::new(),
    };
    let compiled = compile(ctx, items).await?;
    admit(ctx, &compiled)?;

    let mut reads: Vec<ItemKey> = compiled.iter().map(|a| a.key.clone()).collect();
    let token = req
        .client_request_token
        .map(|t| idempotency::token_key(ctx.account_id(), &t));
    reads.extend(token.clone());
    let plan = compiled.clone();
    let now = ctx.now_epoch();
    let decide: WriteDecider = Box::new(move |current| {
        if let Some(key) = token {
            let record = current.get(plan.len()).and_then(Option::as_ref);
            if idempotency::check(record, &params, now)? == TokenState::Replay {
                return Ok(Vec::new());
            }
            let mut writes = decide::decide(&plan, current)?;
            writes.push(idempotency::record(key, &params, now)?);
            return Ok(writes);
        }
        decide::decide(&plan, current)
    });
    let outcome = ctx
        .store
        .write(reads, decide)
        .await
        .map_err(|e| decide::on_conflict(e, compiled.len()))?;

    let mut units = TableUnits::new();
    let replay = outcome.writes.is_empty() && reads_token(&outcome.before, compiled.len());
    for (i, action) in compiled.iter().enumerate() {
        let claim = Ctx::claim(&action.def, None, Some(&action.partition), Direction::Write);
        let old = batch_common::stored_size(outcome.before.get(i).and_then(Option::as_ref))?;
        if replay {
            // A replayed request reads its items instead of writing them.
            let read = transactional_read_units(old);
            ctx.charge(
                &Ctx::claim(&action.def, None, Some(&action.partition), Direction::Read),
                &Units::table(read),
            );
            units.add(&action.table, read);
            continue;
        }
        let new = outcome.writes.iter().find_map(|w| match w {
            WriteOp::Put { key, item } if *key == action.key => Some(item),
            _ => None,
        });
        let table_units = transactional_write_units(&[
            old.unwrap_or(0),
            batch_common::stored_size(new)?.unwrap_or(0),
        ]);
        let counted =
            if action.def.indexes().next().is_some() && !matches!(action.kind, Kind::Check) {
                // A ConditionCheck writes nothing and changes no index entry.
                let before = outcome.before.get(i).and_then(Option::as_ref);
                let old_item = before.map(StoredItem::decode).transpose()?;
                let new_item = new.map(StoredItem::decode).transpose()?;
                // Index entries cost ordinary write units: DynamoDB keeps indexes outside the
                // transaction's prepare/commit pair that doubles the table's share.
                index_capacity::write(
                    &action.def,
                    old_item.as_ref(),
                    new_item.as_ref(),
                    table_units,
                )
            } else {
                Units::table(table_units)
            };
        ctx.charge(&claim, &counted);
        if capacity.wanted() {
            units.add_units(&action.table, counted);
        }
    }
    Ok(Response {
        consumed_capacity: capacity.report_tables(&units),
        item_collection_metrics: collections(ctx, &written).await?,
    })
}

/// The throttling gate, action by action: any refusal cancels the transaction with a
/// throttling reason for each refused action.
fn admit(ctx: &Ctx, compiled: &[Action]) -> Result<(), ApiError> {
    if !ctx.throttles() {
        return Ok(());
    }
    let mut refusals = Vec::with_capacity(compiled.len());
    let mut refused = false;
    for action in compiled {
        let claim = Ctx::claim(&action.def, None, Some(&action.partition), Direction::Write);
        match ctx.admit(&claim) {
            Ok(()) => refusals.push(None),
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

/// True when the read list ended with a token record that existed (a replayed request).
fn reads_token(before: &[Option<crate::traits::StoredItem>], actions: usize) -> bool {
    before.len() > actions && before.get(actions).is_some_and(Option::is_some)
}

/// Decodes a TransactWriteItems body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::decode(body)?;
    protocol::encode(&execute(ctx, req).await?)
}

#[cfg(test)]
#[path = "transact_write_items_tests.rs"]
mod tests;
