//! PutItem: create or replace one item.
//!
//! Order of checks, as DynamoDB answers them: the model's constraint errors (table name, null
//! item, enum values; `shapes`, before `execute`) → which expression parameters appear
//! together → value rules → ReturnValues → item size → Expected → expressions → table lookup →
//! key attributes → authorization → index key types → throttling → the write transaction
//! (lock and read the old item, check the condition, write) → capacity accounting.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::item::item_size;
use crate::model::validate;
use crate::model::Item;
use crate::ops::authorize;
use crate::ops::index::index_capacity;
use crate::ops::index::index_maintenance;
use crate::ops::request::capacity::{write_units, ConsumedCapacity, ReturnConsumedCapacity};
use crate::ops::request::expression_params::{self, Expected, Names, Values};
use crate::ops::request::item_collection::{self, ItemCollectionMetrics};
use crate::ops::request::item_key::{self, ReturnValues};
use crate::ops::request::protocol;
use crate::ops::request::shapes::{Members, ModelChecked};
use crate::ops::table::lifecycle;
use crate::ops::Operation;
use crate::traits::Direction;
use crate::traits::{StoredItem, WriteOp};
use serde::{Deserialize, Serialize};

/// PutItem's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// TableName (required).
    pub table_name: Option<String>,
    /// Item (required): the whole new item, key attributes included.
    pub item: Option<Item>,
    /// NONE | ALL_OLD.
    pub return_values: Option<String>,
    /// INDEXES | TOTAL | NONE.
    pub return_consumed_capacity: Option<String>,
    /// SIZE | NONE (accepted; metrics concern tables with local secondary indexes).
    pub return_item_collection_metrics: Option<String>,
    /// ALL_OLD | NONE: whether a failed condition returns the item it was checked against.
    pub return_values_on_condition_check_failure: Option<String>,
    /// A condition the item as it is must satisfy for the write to happen.
    pub condition_expression: Option<String>,
    /// `#name` placeholders of the expressions.
    pub expression_attribute_names: Option<Names>,
    /// `:value` placeholders of the expressions.
    pub expression_attribute_values: Option<Values>,
    /// Legacy conditions (instead of ConditionExpression).
    pub expected: Option<Expected>,
    /// AND | OR: how the `Expected` conditions combine.
    pub conditional_operator: Option<String>,
}

impl ModelChecked for Request {
    fn holds(&self, m: &Members) -> bool {
        // Expected (legacy conditions, a map of structures) is left to the walk.
        self.expected.is_none()
            && m.string("TableName", self.table_name.as_deref())
            && m.present("Item", self.item.is_some())
            && m.string("ReturnValues", self.return_values.as_deref())
            && m.string(
                "ReturnConsumedCapacity",
                self.return_consumed_capacity.as_deref(),
            )
            && m.string(
                "ReturnItemCollectionMetrics",
                self.return_item_collection_metrics.as_deref(),
            )
            && m.string("ConditionalOperator", self.conditional_operator.as_deref())
            && m.names(
                "ExpressionAttributeNames",
                self.expression_attribute_names.as_ref(),
            )
            && m.string(
                "ReturnValuesOnConditionCheckFailure",
                self.return_values_on_condition_check_failure.as_deref(),
            )
    }
}

/// PutItem's response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// The replaced item, with `ReturnValues=ALL_OLD` when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Item>,
    /// With `ReturnConsumedCapacity` TOTAL or INDEXES.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
    /// With `ReturnItemCollectionMetrics=SIZE` on a table with local secondary indexes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_collection_metrics: Option<ItemCollectionMetrics>,
}

/// Runs PutItem.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let capacity = ReturnConsumedCapacity::parse(req.return_consumed_capacity.as_deref());
    let return_values = ReturnValues::parse(req.return_values.as_deref());
    // Both are present: the model's constraints (`shapes`) refused the request otherwise.
    let table_name = req.table_name.unwrap_or_default();
    let item = req.item.unwrap_or_default();

    expression_params::check_usage(
        &[("ConditionExpression", req.condition_expression.is_some())],
        &[
            ("Expected", req.expected.is_some()),
            ("ConditionalOperator", req.conditional_operator.is_some()),
        ],
        req.expression_attribute_names.is_some(),
        req.expression_attribute_values.is_some(),
    )?;
    validate::item_values(&item)?;
    let wants_old = return_values.wants_old()?;
    validate::item_size_limit(&item)?;
    let condition = expression_params::write_condition(
        req.condition_expression.as_deref(),
        req.expected.as_ref(),
        req.conditional_operator.as_deref(),
        req.expression_attribute_names.as_ref(),
        req.expression_attribute_values.as_ref(),
    )?;
    let check = expression_params::condition_check(
        condition,
        expression_params::old_on_failure(req.return_values_on_condition_check_failure.as_deref()),
    );

    let def = lifecycle::for_data(ctx, &table_name).await?;
    let key = item_key::for_item(&def, &item)?;
    authorize::on_table(ctx, "dynamodb:PutItem", &def, || {
        authorize::item_context(
            &def,
            &item,
            Some(item.keys().cloned().collect()),
            req.return_values.as_deref(),
            req.return_consumed_capacity.as_deref(),
        )
    })
    .await?;
    index_maintenance::check_item(&def, &item)?;
    let partition = item_key::partition_of(&key.key).to_vec();
    let claim = Ctx::claim(&def, None, Some(&partition), Direction::Write);
    let grant = ctx.admit(&claim)?;
    let new_size = item_size(&item);
    let write = WriteOp::Put {
        key,
        item: StoredItem::encode(&item),
    };
    let wants_metrics =
        item_collection::wanted(req.return_item_collection_metrics.as_deref(), &def);
    let collection = wants_metrics
        .then(|| item.get(&def.key_schema.hash.name).cloned())
        .flatten();
    let indexed = def.indexes().next().is_some();
    let counted = indexed.then(|| item.clone());
    // The change hooks (index entries, the stream record, the PITR history entry) need the
    // new item.
    let new = (indexed || def.stream.is_some() || def.ttl.index.is_some() || def.pitr.is_some())
        .then_some(item);
    let before =
        item_key::run_single_write(ctx, &def, check, write, new, wants_old || capacity.wanted())
            .await?;
    let old = before.map(|stored| stored.decode()).transpose()?;
    let old_size = old.as_ref().map_or(0, item_size);
    let units = index_capacity::write(
        &def,
        old.as_ref(),
        counted.as_ref(),
        write_units(&[new_size, old_size]),
    );
    ctx.charge_grant(&claim, grant, &units);
    Ok(Response {
        consumed_capacity: capacity.report_units(&def.name, &units),
        attributes: old.filter(|_| wants_old),
        item_collection_metrics: match collection {
            Some(p) => Some(item_collection::measure(ctx, &def, &p).await?),
            None => None,
        },
    })
}

/// Decodes a PutItem body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::checked_request(Operation::PutItem, body)?;
    protocol::encode(&execute(ctx, req).await?)
}

#[cfg(test)]
#[path = "put_item_tests.rs"]
mod tests;
