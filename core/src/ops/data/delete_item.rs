//! DeleteItem: remove one item by its key (a no-op when it does not exist).
//!
//! Order of checks: the model's constraint errors (`shapes`) → which expression parameters appear together → value
//! rules → ReturnValues → Expected → expressions → table lookup → key → authorization →
//! throttling → the write transaction (lock and read the item, check the condition, delete) →
//! capacity accounting.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::item::item_size;
use crate::model::validate;
use crate::model::Item;
use crate::ops::authorize;
use crate::ops::index::index_capacity;
use crate::ops::request::capacity::{write_units, ConsumedCapacity, ReturnConsumedCapacity};
use crate::ops::request::expression_params::{self, Expected, Names, Values};
use crate::ops::request::item_collection::{self, ItemCollectionMetrics};
use crate::ops::request::item_key::{self, ReturnValues};
use crate::ops::request::protocol;
use crate::ops::table::lifecycle;
use crate::ops::Operation;
use crate::traits::Direction;
use crate::traits::WriteOp;
use serde::{Deserialize, Serialize};

/// DeleteItem's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// TableName (required).
    pub table_name: Option<String>,
    /// Key (required): exactly the table's key attributes.
    pub key: Option<Item>,
    /// NONE | ALL_OLD.
    pub return_values: Option<String>,
    /// INDEXES | TOTAL | NONE.
    pub return_consumed_capacity: Option<String>,
    /// SIZE | NONE (accepted; metrics concern tables with local secondary indexes).
    pub return_item_collection_metrics: Option<String>,
    /// ALL_OLD | NONE: whether a failed condition returns the item it was checked against.
    pub return_values_on_condition_check_failure: Option<String>,
    /// A condition the item as it is must satisfy for the delete to happen.
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

/// DeleteItem's response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// The deleted item, with `ReturnValues=ALL_OLD` when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Item>,
    /// With `ReturnConsumedCapacity` TOTAL or INDEXES.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
    /// With `ReturnItemCollectionMetrics=SIZE` on a table with local secondary indexes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_collection_metrics: Option<ItemCollectionMetrics>,
}

/// Runs DeleteItem.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let capacity = ReturnConsumedCapacity::parse(req.return_consumed_capacity.as_deref());
    let return_values = ReturnValues::parse(req.return_values.as_deref());
    // Both are present: the model's constraints (`shapes`) refused the request otherwise.
    let table_name = req.table_name.unwrap_or_default();
    let key = req.key.unwrap_or_default();

    expression_params::check_usage(
        &[("ConditionExpression", req.condition_expression.is_some())],
        &[
            ("Expected", req.expected.is_some()),
            ("ConditionalOperator", req.conditional_operator.is_some()),
        ],
        req.expression_attribute_names.is_some(),
        req.expression_attribute_values.is_some(),
    )?;
    validate::item_values(&key)?;
    let wants_old = return_values.wants_old()?;
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
    let item_key = item_key::for_key(&def, &key)?;
    authorize::on_table(ctx, "dynamodb:DeleteItem", &def, || {
        authorize::item_context(
            &def,
            &key,
            None,
            req.return_values.as_deref(),
            req.return_consumed_capacity.as_deref(),
        )
    })
    .await?;
    let partition = item_key::partition_of(&item_key.key).to_vec();
    let claim = Ctx::claim(&def, None, Some(&partition), Direction::Write);
    let grant = ctx.admit(&claim)?;
    let write = WriteOp::Delete { key: item_key };
    let before = item_key::run_single_write(
        ctx,
        &def,
        check,
        write,
        None,
        wants_old || capacity.wanted(),
    )
    .await?;
    let old = before.map(|stored| stored.decode()).transpose()?;
    let old_size = old.as_ref().map_or(0, item_size);
    let units = index_capacity::write(&def, old.as_ref(), None, write_units(&[old_size]));
    ctx.charge_grant(&claim, grant, &units);
    Ok(Response {
        consumed_capacity: capacity.report_units(&def.name, &units),
        attributes: old.filter(|_| wants_old),
        item_collection_metrics: if item_collection::wanted(
            req.return_item_collection_metrics.as_deref(),
            &def,
        ) {
            item_collection::measure_item(ctx, &def, &key).await?
        } else {
            None
        },
    })
}

/// Decodes a DeleteItem body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::DeleteItem, body)?;
    protocol::encode(&execute(ctx, req).await?)
}

#[cfg(test)]
#[path = "delete_item_tests.rs"]
mod tests;
