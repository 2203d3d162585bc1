//! Query: the items of one partition, optionally narrowed by a sort-key condition, in sort-key
//! order either way, a page at a time.
//!
//! The legacy KeyConditions, QueryFilter (+ ConditionalOperator) and AttributesToGet are
//! converted by [`legacy_read`] into the same key condition, filter and projection.
//!
//! Checks run in DynamoDB's order: the model's constraints (`shapes`, before `execute`),
//! legacy/expression mixing, Select, the legacy maps' operands, the expressions (key
//! condition, filter, projection, then unused placeholders), the table, the index, the start
//! key's shape, the key condition against the key schema, the start key against the
//! condition, and key attributes misused in projection or filter.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::expr::{self, Condition, DocPath, ExpressionAttributes, ExpressionKind, Projection};
use crate::model::table::TableDefinition;
use crate::model::{AttributeValue, Item};
use crate::ops::authorize;
use crate::ops::index::index_read;
use crate::ops::request::capacity::{read_units, ReturnConsumedCapacity, Units};
use crate::ops::request::expression_params;
use crate::ops::request::item_key;
use crate::ops::request::legacy_read::{self, Conditions};
use crate::ops::request::pagination;
use crate::ops::request::protocol;
use crate::ops::request::query_range::key_range;
use crate::ops::request::read_page::{self, Output, PageSpec};
use crate::ops::request::read_request::{self as common, Response};
use crate::ops::request::select::{self, Select};
use crate::ops::table::lifecycle;
use crate::ops::Operation;
use crate::traits::reads_for;
use crate::traits::KeyRange;
use crate::traits::{AuthzContext, Direction};
use serde::Deserialize;
use std::collections::HashMap;
use std::ops::Bound;

/// DynamoDB's answer to a Query with neither key-condition parameter.
const NO_KEY_CONDITION: &str =
    "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.";

/// Query's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// TableName (required).
    pub table_name: Option<String>,
    /// IndexName: a local or global secondary index to read instead of the table.
    pub index_name: Option<String>,
    /// ALL_ATTRIBUTES | ALL_PROJECTED_ATTRIBUTES | SPECIFIC_ATTRIBUTES | COUNT.
    pub select: Option<String>,
    /// The most items to evaluate.
    pub limit: Option<i64>,
    /// Strongly consistent read: from the primary store; without it the read may be served
    /// by a replica within its lag bound (`reads_for`), and costs half the units.
    pub consistent_read: Option<bool>,
    /// Ascending sort-key order unless false.
    pub scan_index_forward: Option<bool>,
    /// Where to resume: the previous page's LastEvaluatedKey.
    pub exclusive_start_key: Option<Item>,
    /// INDEXES | TOTAL | NONE.
    pub return_consumed_capacity: Option<String>,
    /// KeyConditionExpression.
    pub key_condition_expression: Option<String>,
    /// FilterExpression.
    pub filter_expression: Option<String>,
    /// ProjectionExpression.
    pub projection_expression: Option<String>,
    /// `#name` placeholders.
    pub expression_attribute_names: Option<HashMap<String, String>>,
    /// `:value` placeholders.
    pub expression_attribute_values: Option<HashMap<String, AttributeValue>>,
    /// Legacy KeyConditions: the key condition as ComparisonOperator entries.
    pub key_conditions: Option<Conditions>,
    /// Legacy QueryFilter: the filter as ComparisonOperator entries.
    pub query_filter: Option<Conditions>,
    /// Legacy AttributesToGet: top-level attributes to return.
    pub attributes_to_get: Option<Vec<String>>,
    /// Legacy ConditionalOperator (AND | OR) joining the QueryFilter entries.
    pub conditional_operator: Option<String>,
}

/// What the request's parameters say once they are checked on their own.
struct Checked {
    table_name: String,
    select: Option<Select>,
    limit: Option<usize>,
    capacity: ReturnConsumedCapacity,
    /// QueryFilter's condition.
    legacy_filter: Option<Condition>,
    /// AttributesToGet's projection.
    legacy_projection: Option<Projection>,
}

fn check_parameters(req: &Request) -> Result<Checked, ApiError> {
    let select = Select::parse(req.select.as_deref());
    let capacity = ReturnConsumedCapacity::parse(req.return_consumed_capacity.as_deref());
    let limit = crate::ops::data::scan::limit(req.limit);

    // KeyConditions may go with FilterExpression or ProjectionExpression; only
    // KeyConditionExpression excludes it.
    let key_conditions_mixed =
        req.key_conditions.is_some() && req.key_condition_expression.is_some();
    expression_params::check_usage(
        &[
            ("ProjectionExpression", req.projection_expression.is_some()),
            ("FilterExpression", req.filter_expression.is_some()),
            (
                "KeyConditionExpression",
                req.key_condition_expression.is_some(),
            ),
        ],
        &[
            ("AttributesToGet", req.attributes_to_get.is_some()),
            ("QueryFilter", req.query_filter.is_some()),
            ("ConditionalOperator", req.conditional_operator.is_some()),
            ("KeyConditions", key_conditions_mixed),
        ],
        req.expression_attribute_names.is_some(),
        req.expression_attribute_values.is_some(),
    )?;
    let projection_param = select::projection_param(
        req.projection_expression.is_some(),
        req.attributes_to_get.is_some(),
    );
    select::check(select, projection_param, req.index_name.is_some(), true)?;
    let legacy_filter = legacy_read::filter(
        req.query_filter.as_ref(),
        req.conditional_operator.as_deref(),
    )?;
    let legacy_projection = legacy_read::projection(req.attributes_to_get.as_deref())?;
    common::start_key_values(req.exclusive_start_key.as_ref())?;
    match (&req.key_conditions, &req.key_condition_expression) {
        (None, None) => return Err(ApiError::validation(NO_KEY_CONDITION)),
        (Some(kc), None) => legacy_read::check_key_conditions(kc)?,
        _ => {}
    }
    Ok(Checked {
        table_name: req.table_name.clone().unwrap_or_default(),
        select,
        limit,
        capacity,
        legacy_filter,
        legacy_projection,
    })
}

/// Runs Query.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let checked = check_parameters(&req)?;

    let mut attrs = ExpressionAttributes::new(
        req.expression_attribute_names.as_ref(),
        req.expression_attribute_values.as_ref(),
    );
    attrs.validate_maps()?;
    common::expression_values(req.expression_attribute_values.as_ref())?;
    let key_cond = req
        .key_condition_expression
        .as_deref()
        .map(|k| expr::parse_condition(k, ExpressionKind::KeyCondition, &mut attrs))
        .transpose()?;
    let filter = req
        .filter_expression
        .as_deref()
        .map(|f| expr::parse_condition(f, ExpressionKind::Filter, &mut attrs))
        .transpose()?;
    let projection = req
        .projection_expression
        .as_deref()
        .map(|p| expr::parse_projection(p, &mut attrs))
        .transpose()?
        .or(checked.legacy_projection);
    attrs.check_unused()?;

    let def = lifecycle::for_data(ctx, &checked.table_name).await?;
    let forward = req.scan_index_forward.unwrap_or(true);
    let consistent = req.consistent_read.unwrap_or(false);
    let mut index_read = None;
    let mut leading: Vec<String> = Vec::new();
    let range = match req.index_name.as_deref() {
        Some(name) => {
            let (index, global) = index_read::resolve(&def, name)?;
            index_read::check_read(index, global, consistent, checked.select)?;
            let kc = match (&key_cond, &req.key_conditions) {
                (Some(k), _) => expr::composite_key_condition(k, &index.hash, &index.range)?,
                (None, Some(k)) => legacy_read::index_key_condition(k, index)?,
                // check_parameters refused a request with neither.
                (None, None) => return Err(ApiError::validation(NO_KEY_CONDITION)),
            };
            if ctx.authorizes() {
                leading = kc
                    .partition_values
                    .iter()
                    .map(authorize::leading_key)
                    .collect();
            }
            let mut named: Vec<&DocPath> = Vec::new();
            if let Some(p) = &projection {
                named.extend(p.paths.iter());
                let wanted: Vec<&str> = p.paths.iter().map(|p| p.top()).collect();
                index_read::check_gsi_projection(&def, index, global, &wanted)?;
            }
            let mut filter_paths = Vec::new();
            if let Some(f) = &filter {
                common::condition_paths(f, &mut filter_paths);
                for k in index.key_attributes() {
                    if filter_paths.iter().any(|p| p.top() == k.name) {
                        return Err(ApiError::validation(format!(
                            "Filter Expression can only contain non-primary key attributes: Primary key attribute: {}",
                            k.name
                        )));
                    }
                }
            }
            named.extend(filter_paths);
            if let Some(f) = &req.query_filter {
                for k in index.key_attributes() {
                    if f.contains_key(&k.name) {
                        return Err(ApiError::validation(format!(
                            "QueryFilter can only contain non-primary key attributes: Primary key attribute: {}",
                            k.name
                        )));
                    }
                }
            }
            let mut tops: Vec<&str> = named.iter().map(|p| p.top()).collect();
            tops.extend(
                req.query_filter
                    .iter()
                    .flat_map(|f| f.keys().map(String::as_str)),
            );
            let fetch = index_read::needs_fetch(&def, index, global, checked.select, &tops);
            let mut range = index_read::key_range(&kc);
            if let Some(start) = &req.exclusive_start_key {
                let after = Bound::Excluded(index_read::start_key(&def, index, start)?);
                index_read::start_key_bounds(index, start, &kc)?;
                if forward {
                    range.lower = after;
                } else {
                    range.upper = after;
                }
            }
            index_read = Some((index.storage_id, index_read::key_names(&def, index), fetch));
            range
        }
        None => {
            let (range, partition) = table_range(
                &req,
                &def,
                key_cond.as_ref(),
                projection.as_ref(),
                filter.as_ref(),
                forward,
            )?;
            if ctx.authorizes() {
                leading.push(authorize::leading_key(&partition));
            }
            range
        }
    };
    let context = || AuthzContext {
        leading_keys: leading,
        attributes: projection.as_ref().map(Projection::top_level_names),
        select: req.select.clone(),
        return_consumed_capacity: req.return_consumed_capacity.clone(),
        ..AuthzContext::default()
    };
    match req.index_name.as_deref() {
        Some(index) => authorize::on_index(ctx, "dynamodb:Query", &def, index, context).await?,
        None => authorize::on_table(ctx, "dynamodb:Query", &def, context).await?,
    }
    let partition = item_key::partition_of(&range.prefix).to_vec();
    let claim = Ctx::claim(
        &def,
        req.index_name.as_deref(),
        Some(&partition),
        Direction::Read,
    );
    let grant = ctx.admit(&claim)?;
    let filter = filter.or(checked.legacy_filter);
    let schema = &def.key_schema;
    let count_only = checked.select == Some(Select::Count);
    let output = match (count_only, projection) {
        (true, _) => Output::Count,
        (false, Some(p)) => Output::Projected(p),
        (false, None) => Output::AllAttributes,
    };
    let page = read_page::read(
        &*reads_for(ctx.store.as_ref(), consistent),
        PageSpec {
            storage_id: index_read.as_ref().map_or(def.storage_id, |(id, _, _)| *id),
            range,
            forward,
            limit: checked.limit,
            filter: filter.as_ref(),
            output: &output,
            key_schema: schema,
            index_key_names: index_read.as_ref().map(|(_, names, _)| names.as_slice()),
            fetch_from: index_read
                .as_ref()
                .and_then(|(_, _, fetch)| fetch.then_some(&*def)),
        },
    )
    .await?;
    let units = read_units(Some(page.scanned_bytes), consistent);
    let units = match req.index_name.as_deref() {
        Some(name) => Units::index(
            name,
            def.global_secondary_indexes.iter().any(|g| g.name == name),
            units,
        ),
        None => Units::table(units),
    };
    ctx.charge_grant(&claim, grant, &units);
    let consumed = checked.capacity.report_units(&def.name, &units);
    Ok(Response::from_page(page, count_only, consumed))
}

/// The storage-key range of a Query on the table itself, after DynamoDB's checks of the key
/// condition (expression or legacy KeyConditions), the start key, and key attributes in the
/// projection and filters.
fn table_range(
    req: &Request,
    def: &TableDefinition,
    key_cond: Option<&Condition>,
    projection: Option<&Projection>,
    filter: Option<&Condition>,
    forward: bool,
) -> Result<(KeyRange, AttributeValue), ApiError> {
    let schema = &def.key_schema;
    if let Some(start) = &req.exclusive_start_key {
        pagination::query_shape(schema, start)?;
    }
    let kc = match (key_cond, &req.key_conditions) {
        (Some(k), _) => expr::key_condition(k, &schema.hash, schema.range.as_ref())?,
        (None, Some(k)) => legacy_read::key_condition(k, schema)?,
        // check_parameters refused a request with neither.
        (None, None) => return Err(ApiError::validation(NO_KEY_CONDITION)),
    };
    if let Some(start) = &req.exclusive_start_key {
        pagination::query_bounds(schema, start, &kc.partition_value, kc.sort.as_ref())?;
    }
    if let Some(p) = projection {
        common::scalar_keys(schema, &p.paths.iter().collect::<Vec<_>>())?;
    }
    if let Some(f) = filter {
        let mut paths = Vec::new();
        common::condition_paths(f, &mut paths);
        common::filter_without_keys(schema, &paths, "Filter Expression")?;
    }
    if let Some(f) = &req.query_filter {
        let paths: Vec<DocPath> = f.keys().map(DocPath::attribute).collect();
        common::filter_without_keys(schema, &paths.iter().collect::<Vec<_>>(), "QueryFilter")?;
    }
    let mut range = key_range(&kc);
    if let Some(start) = &req.exclusive_start_key {
        let after = Bound::Excluded(pagination::encode(schema, start));
        if forward {
            range.lower = after;
        } else {
            range.upper = after;
        }
    }
    Ok((range, kc.partition_value))
}

/// Decodes a Query body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::Query, body)?;
    protocol::encode(&execute(ctx, req).await?)
}

#[cfg(test)]
#[path = "query_tests.rs"]
mod tests;
