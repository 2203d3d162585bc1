//! UpdateItem: change (or create) one item with an UpdateExpression or legacy AttributeUpdates,
//! optionally guarded by a ConditionExpression or legacy Expected.
//!
//! Order of checks, as DynamoDB answers them (dynalite's captured texts): the model's
//! constraint errors (`shapes`) →
//! which expression parameters appear together → key value rules → AttributeUpdates →
//! Expected → expression maps, UpdateExpression, ConditionExpression, unused placeholders →
//! table lookup → key → key attributes in the update → authorization → throttling → the write
//! transaction: lock and read
//! the item, check the condition, apply the update to it (or to the bare key when absent —
//! DynamoDB creates the item even when the update sets nothing), check the result, write.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::expr::legacy::{self, AttributeValueUpdate};
use crate::expr::{Condition, ExpressionKind, UpdateExpression};
use crate::model::item::{item_size, MAX_ITEM_SIZE};
use crate::model::table::TableDefinition;
use crate::model::validate;
use crate::model::Item;
use crate::ops::authorize;
use crate::ops::change::ChangeWriter;
use crate::ops::index::index_capacity;
use crate::ops::index::index_maintenance;
use crate::ops::request::capacity::Units;
use crate::ops::request::capacity::{write_units, ConsumedCapacity, ReturnConsumedCapacity};
use crate::ops::request::expression_params::{self, Expected, Expressions, Names, Values};
use crate::ops::request::item_collection::{self, ItemCollectionMetrics};
use crate::ops::request::item_key;
use crate::ops::request::protocol;
use crate::ops::request::return_values::UpdateReturnValues;
use crate::ops::table::lifecycle;
use crate::ops::Operation;
use crate::traits::Direction;
use crate::traits::{ItemKey, StoredItem, WriteDecider, WriteOp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// UpdateItem's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// TableName (required).
    pub table_name: Option<String>,
    /// Key (required): exactly the table's key attributes.
    pub key: Option<Item>,
    /// The changes, in the expression language.
    pub update_expression: Option<String>,
    /// A condition the item as it is must satisfy for the update to happen.
    pub condition_expression: Option<String>,
    /// `#name` placeholders of the expressions.
    pub expression_attribute_names: Option<Names>,
    /// `:value` placeholders of the expressions.
    pub expression_attribute_values: Option<Values>,
    /// Legacy changes (instead of UpdateExpression).
    pub attribute_updates: Option<BTreeMap<String, AttributeValueUpdate>>,
    /// Legacy conditions (instead of ConditionExpression).
    pub expected: Option<Expected>,
    /// AND | OR: how the `Expected` conditions combine.
    pub conditional_operator: Option<String>,
    /// NONE | ALL_OLD | UPDATED_OLD | ALL_NEW | UPDATED_NEW.
    pub return_values: Option<String>,
    /// INDEXES | TOTAL | NONE.
    pub return_consumed_capacity: Option<String>,
    /// SIZE | NONE (accepted; metrics concern tables with local secondary indexes).
    pub return_item_collection_metrics: Option<String>,
    /// ALL_OLD | NONE: whether a failed condition returns the item it was checked against.
    pub return_values_on_condition_check_failure: Option<String>,
}

/// UpdateItem's response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// What `ReturnValues` asked for, when not empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Item>,
    /// With `ReturnConsumedCapacity` TOTAL or INDEXES.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
    /// With `ReturnItemCollectionMetrics=SIZE` on a table with local secondary indexes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_collection_metrics: Option<ItemCollectionMetrics>,
}

const PARAM_INVALID: &str = "One or more parameter values were invalid: ";
const WRONG_TYPE: &str = "An operand in the update expression has an incorrect data type";

/// Everything the write transaction needs to decide, owned so the decider can move it.
struct Plan {
    key: Item,
    storage_key: ItemKey,
    update: UpdateExpression,
    condition: Option<Condition>,
    old_on_failure: bool,
    /// Legacy AttributeUpdates word type errors differently.
    legacy: bool,
    /// What the change adds: index entries, the stream record.
    changes: ChangeWriter,
}

impl Plan {
    /// The item the update produces from `current`, after the condition holds.
    fn decide(self, current: Option<&StoredItem>) -> Result<Vec<WriteOp>, ApiError> {
        let old = current.map(StoredItem::decode).transpose()?;
        if let Some(c) = &self.condition {
            expression_params::check_condition(c, old.as_ref(), self.old_on_failure)?;
        }
        let created = old.is_none();
        // REMOVE on a missing item removes nothing, whatever its paths: DynamoDB accepts
        // `REMOVE x.y` and `REMOVE x[0]` there although `x` does not exist.
        if created && self.update.removes_only() {
            return Ok(vec![WriteOp::Delete {
                key: self.storage_key,
            }]);
        }
        let base = old.clone().unwrap_or(self.key);
        let key_attributes = base.len();
        let item = apply_update(&self.update, base, self.legacy)?;
        // Actions that only remove (REMOVE, DELETE) do not create a missing item, while an
        // empty update does: the item stays absent when the update had actions and left
        // nothing beyond the key.
        if created && !self.update.actions.is_empty() && item.len() == key_attributes {
            return Ok(vec![WriteOp::Delete {
                key: self.storage_key,
            }]);
        }
        if let Some(def) = self.changes.table() {
            index_maintenance::check_item(def, &item)?;
        }
        let mut writes = self
            .changes
            .writes(&self.storage_key, old.as_ref(), Some(&item))?;
        writes.insert(
            0,
            WriteOp::Put {
                key: self.storage_key,
                item: StoredItem::encode(&item),
            },
        );
        Ok(writes)
    }
}

/// The item `update` makes of `base` (the current item, or the bare key when absent), checked
/// against the value rules and the item size limit. `legacy` words type errors as
/// AttributeUpdates does. Shared with TransactWriteItems' Update action.
pub fn apply_update(update: &UpdateExpression, base: Item, legacy: bool) -> Result<Item, ApiError> {
    let outcome = update.apply(&base).map_err(|e| match e {
        ApiError::Validation(m) if legacy && m == WRONG_TYPE => {
            ApiError::validation("Type mismatch for attribute to update")
        }
        other => other,
    })?;
    validate::item_values(&outcome.item)?;
    if item_size(&outcome.item) > MAX_ITEM_SIZE {
        return Err(ApiError::validation(
            "Item size to update has exceeded the maximum allowed size",
        ));
    }
    Ok(outcome.item)
}

/// Runs UpdateItem.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let capacity = ReturnConsumedCapacity::parse(req.return_consumed_capacity.as_deref());
    let return_values = UpdateReturnValues::parse(req.return_values.as_deref());
    expression_params::check_usage(
        &[
            ("UpdateExpression", req.update_expression.is_some()),
            ("ConditionExpression", req.condition_expression.is_some()),
        ],
        &[
            ("AttributeUpdates", req.attribute_updates.is_some()),
            ("Expected", req.expected.is_some()),
            ("ConditionalOperator", req.conditional_operator.is_some()),
        ],
        req.expression_attribute_names.is_some(),
        req.expression_attribute_values.is_some(),
    )?;
    // Both are present: the model's constraints (`shapes`) refused the request otherwise.
    let table_name = req.table_name.clone().unwrap_or_default();
    let key = req.key.clone().unwrap_or_default();
    validate::item_values(&key)?;

    let legacy_update = req
        .attribute_updates
        .as_ref()
        .map(legacy::attribute_updates)
        .transpose()?;
    let legacy_condition = expression_params::expected_condition(
        req.expected.as_ref(),
        req.conditional_operator.as_deref(),
    )?;
    let mut exprs = Expressions::new(
        req.expression_attribute_names.as_ref(),
        req.expression_attribute_values.as_ref(),
    )?;
    let update = exprs.update(req.update_expression.as_deref())?;
    let condition = exprs.condition(
        req.condition_expression.as_deref(),
        ExpressionKind::Condition,
    )?;
    exprs.finish()?;
    let legacy = legacy_update.is_some();
    let update = update.or(legacy_update).unwrap_or(UpdateExpression {
        actions: Vec::new(),
    });

    let def = lifecycle::for_data(ctx, &table_name).await?;
    let storage_key = item_key::for_key(&def, &key)?;
    update
        .check_key_attributes(def.key_schema.attributes().map(|a| a.name.as_str()))
        .map_err(|e| ApiError::validation(format!("{PARAM_INVALID}{e}")))?;

    let updated_paths = update.paths();
    authorize::on_table(ctx, "dynamodb:UpdateItem", &def, || {
        let mut names: Vec<String> = Vec::new();
        for p in &updated_paths {
            if !names.iter().any(|n| n == p.top()) {
                names.push(p.top().to_string());
            }
        }
        authorize::item_context(
            &def,
            &key,
            Some(names),
            req.return_values.as_deref(),
            req.return_consumed_capacity.as_deref(),
        )
    })
    .await?;
    let partition = item_key::partition_of(&storage_key.key).to_vec();
    let claim = Ctx::claim(&def, None, Some(&partition), Direction::Write);
    let grant = ctx.admit(&claim)?;
    let plan = Plan {
        key,
        storage_key: storage_key.clone(),
        update,
        condition: condition.or(legacy_condition),
        old_on_failure: expression_params::old_on_failure(
            req.return_values_on_condition_check_failure.as_deref(),
        ),
        legacy,
        changes: ChangeWriter::for_table(ctx, &def),
    };
    let decide: WriteDecider =
        Box::new(move |current| plan.decide(current.first().and_then(Option::as_ref)));
    let outcome = ctx.store.write(vec![storage_key], decide).await?;

    let old = outcome
        .before
        .into_iter()
        .next()
        .flatten()
        .map(|s| s.decode())
        .transpose()?;
    let new = match outcome.writes.into_iter().next() {
        Some(WriteOp::Put { item, .. }) => item.decode()?,
        // A removal-only update of a missing item: nothing exists before or after.
        Some(WriteOp::Delete { .. }) if old.is_none() => {
            let units = Units::table(write_units(&[0, 0]));
            ctx.charge_grant(&claim, grant, &units);
            return Ok(Response {
                attributes: None,
                consumed_capacity: capacity.report_units(&def.name, &units),
                item_collection_metrics: metrics(ctx, &req, &def).await?,
            });
        }
        _ => return Err(ApiError::Internal("UpdateItem wrote no item".to_string())),
    };
    let sizes = [item_size(&new), old.as_ref().map_or(0, item_size)];
    let units = index_capacity::write(&def, old.as_ref(), Some(&new), write_units(&sizes));
    ctx.charge_grant(&claim, grant, &units);
    Ok(Response {
        attributes: return_values.select(old.as_ref(), &new, &updated_paths),
        consumed_capacity: capacity.report_units(&def.name, &units),
        item_collection_metrics: metrics(ctx, &req, &def).await?,
    })
}

/// The item collection the update touched, when the request asks and the table has LSIs.
async fn metrics(
    ctx: &Ctx,
    req: &Request,
    def: &TableDefinition,
) -> Result<Option<ItemCollectionMetrics>, ApiError> {
    match &req.key {
        Some(key)
            if item_collection::wanted(req.return_item_collection_metrics.as_deref(), def) =>
        {
            item_collection::measure_item(ctx, def, key).await
        }
        _ => Ok(None),
    }
}

/// Decodes an UpdateItem body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::UpdateItem, body)?;
    protocol::encode(&execute(ctx, req).await?)
}

#[cfg(test)]
#[path = "update_item_tests.rs"]
mod tests;
