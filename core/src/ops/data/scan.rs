//! Scan: every item of a table (or of one parallel-scan segment), a page at a time, in storage
//! order (partition hash, then key). The legacy ScanFilter (+ ConditionalOperator) and
//! AttributesToGet become the same filter and projection as the expressions (see
//! [`legacy_read`]); unlike Query's filter, a scan filter may name key attributes.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::expr::{self, ExpressionAttributes, ExpressionKind, Projection};
use crate::model::{AttributeValue, Item};
use crate::ops::authorize;
use crate::ops::index::index_read;
use crate::ops::request::capacity::{read_units, ReturnConsumedCapacity, Units};
use crate::ops::request::expression_params;
use crate::ops::request::legacy_read::{self, Conditions};
use crate::ops::request::pagination::{self, Segment};
use crate::ops::request::protocol;
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

/// Scan's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// TableName (required).
    pub table_name: Option<String>,
    /// IndexName: refused until secondary indexes exist.
    pub index_name: Option<String>,
    /// ALL_ATTRIBUTES | ALL_PROJECTED_ATTRIBUTES | SPECIFIC_ATTRIBUTES | COUNT.
    pub select: Option<String>,
    /// The most items to evaluate.
    pub limit: Option<i64>,
    /// Strongly consistent read (from the primary store; without it a replica may serve it).
    pub consistent_read: Option<bool>,
    /// Where to resume: the previous page's LastEvaluatedKey.
    pub exclusive_start_key: Option<Item>,
    /// INDEXES | TOTAL | NONE.
    pub return_consumed_capacity: Option<String>,
    /// Parallel scan: this worker's segment, zero-based.
    pub segment: Option<i64>,
    /// Parallel scan: the number of segments.
    pub total_segments: Option<i64>,
    /// FilterExpression.
    pub filter_expression: Option<String>,
    /// ProjectionExpression.
    pub projection_expression: Option<String>,
    /// `#name` placeholders.
    pub expression_attribute_names: Option<HashMap<String, String>>,
    /// `:value` placeholders.
    pub expression_attribute_values: Option<HashMap<String, AttributeValue>>,
    /// Legacy ScanFilter: the filter as ComparisonOperator entries.
    pub scan_filter: Option<Conditions>,
    /// Legacy AttributesToGet: top-level attributes to return.
    pub attributes_to_get: Option<Vec<String>>,
    /// Legacy ConditionalOperator (AND | OR) joining the ScanFilter entries.
    pub conditional_operator: Option<String>,
}

/// `Limit` as a count. Values below 1 never get here (the model's range constraint refused
/// them); read as no limit all the same.
pub fn limit(limit: Option<i64>) -> Option<usize> {
    limit
        .filter(|l| *l >= 1)
        .map(|l| usize::try_from(l).unwrap_or(usize::MAX))
}

/// The segment to scan, after DynamoDB's checks of Segment and TotalSegments together.
fn segment(req: &Request) -> Result<Option<Segment>, ApiError> {
    match (req.segment, req.total_segments) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(ApiError::validation(
            "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
        )),
        (None, Some(_)) => Err(ApiError::validation(
            "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
        )),
        (Some(s), Some(t)) if s >= t => Err(ApiError::validation(format!(
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: {s} is not less than TotalSegments: {t}"
        ))),
        // Both were range-checked by the model's constraints (0..=999999, 1..=1000000).
        (Some(s), Some(t)) => match (u32::try_from(s), u32::try_from(t)) {
            (Ok(segment), Ok(total)) => Ok(Some(Segment { segment, total })),
            _ => Err(ApiError::validation(format!(
                "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: {s} is not less than TotalSegments: {t}"
            ))),
        },
    }
}

/// Runs Scan.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let select = Select::parse(req.select.as_deref());
    let capacity = ReturnConsumedCapacity::parse(req.return_consumed_capacity.as_deref());
    let limit = limit(req.limit);

    expression_params::check_usage(
        &[
            ("ProjectionExpression", req.projection_expression.is_some()),
            ("FilterExpression", req.filter_expression.is_some()),
        ],
        &[
            ("AttributesToGet", req.attributes_to_get.is_some()),
            ("ScanFilter", req.scan_filter.is_some()),
            ("ConditionalOperator", req.conditional_operator.is_some()),
        ],
        req.expression_attribute_names.is_some(),
        req.expression_attribute_values.is_some(),
    )?;
    let projection_param = select::projection_param(
        req.projection_expression.is_some(),
        req.attributes_to_get.is_some(),
    );
    select::check(select, projection_param, req.index_name.is_some(), false)?;
    // DynamoDB checks AttributesToGet before ScanFilter here (Query does the reverse).
    let legacy_projection = legacy_read::projection(req.attributes_to_get.as_deref())?;
    let legacy_filter = legacy_read::filter(
        req.scan_filter.as_ref(),
        req.conditional_operator.as_deref(),
    )?;
    common::start_key_values(req.exclusive_start_key.as_ref())?;
    let seg = segment(&req)?;

    let mut attrs = ExpressionAttributes::new(
        req.expression_attribute_names.as_ref(),
        req.expression_attribute_values.as_ref(),
    );
    attrs.validate_maps()?;
    common::expression_values(req.expression_attribute_values.as_ref())?;
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
        .or(legacy_projection);
    attrs.check_unused()?;

    let def = lifecycle::for_data(ctx, req.table_name.as_deref().unwrap_or_default()).await?;
    let schema = &def.key_schema;
    let index = match req.index_name.as_deref() {
        Some(name) => {
            let (index, global) = index_read::resolve(&def, name)?;
            index_read::check_read(index, global, req.consistent_read.unwrap_or(false), select)?;
            Some((index, global))
        }
        None => None,
    };
    let (mut lower, upper) = seg.map_or((Bound::Unbounded, Bound::Unbounded), Segment::bounds);
    if let Some(start) = &req.exclusive_start_key {
        let key = match index {
            Some((index, _)) => index_read::start_key(&def, index, start)?,
            None => {
                pagination::scan_key(schema, start)?;
                pagination::encode(schema, start)
            }
        };
        if let Some(s) = seg.filter(|s| !s.contains(&key)) {
            return Err(s.wrong_segment());
        }
        lower = Bound::Excluded(key);
    }
    let mut paths = Vec::new();
    if let Some(p) = &projection {
        paths.extend(p.paths.iter());
        if let Some((index, global)) = index {
            let wanted: Vec<&str> = p.paths.iter().map(|p| p.top()).collect();
            index_read::check_gsi_projection(&def, index, global, &wanted)?;
        }
    }
    common::scalar_keys(schema, &paths)?;
    let mut paths = Vec::new();
    if let Some(f) = &filter {
        common::condition_paths(f, &mut paths);
    }
    common::scalar_keys(schema, &paths)?;
    let filter = filter.or(legacy_filter);
    let mut tops: Vec<&str> = projection
        .iter()
        .flat_map(|p| p.paths.iter().map(|p| p.top()))
        .collect();
    let mut filter_paths = Vec::new();
    if let Some(f) = &filter {
        common::condition_paths(f, &mut filter_paths);
    }
    tops.extend(filter_paths.iter().map(|p| p.top()));
    let fetch = index.is_some_and(|(i, g)| index_read::needs_fetch(&def, i, g, select, &tops));
    let index_names = index.map(|(i, _)| index_read::key_names(&def, i));

    let context = || AuthzContext {
        attributes: projection.as_ref().map(Projection::top_level_names),
        select: req.select.clone(),
        return_consumed_capacity: req.return_consumed_capacity.clone(),
        ..AuthzContext::default()
    };
    match req.index_name.as_deref() {
        Some(name) => authorize::on_index(ctx, "dynamodb:Scan", &def, name, context).await?,
        None => authorize::on_table(ctx, "dynamodb:Scan", &def, context).await?,
    }
    let claim = Ctx::claim(&def, req.index_name.as_deref(), None, Direction::Read);
    let grant = ctx.admit(&claim)?;

    let count_only = select == Some(Select::Count);
    let output = match (count_only, projection) {
        (true, _) => Output::Count,
        (false, Some(p)) => Output::Projected(p),
        (false, None) => Output::AllAttributes,
    };
    let page = read_page::read(
        &*reads_for(ctx.store.as_ref(), req.consistent_read.unwrap_or(false)),
        PageSpec {
            storage_id: index.map_or(def.storage_id, |(i, _)| i.storage_id),
            range: KeyRange {
                prefix: Vec::new(),
                lower,
                upper,
            },
            forward: true,
            limit,
            filter: filter.as_ref(),
            output: &output,
            key_schema: schema,
            index_key_names: index_names.as_deref(),
            fetch_from: fetch.then_some(&def),
        },
    )
    .await?;
    let consistent = req.consistent_read.unwrap_or(false);
    let whole_table = seg.is_none() && page.last_evaluated_key.is_none();
    let units = scan_units(page.scanned_bytes, consistent, whole_table);
    let units = match index {
        Some((i, global)) => Units::index(&i.name, global, units),
        None => Units::table(units),
    };
    ctx.charge_grant(&claim, grant, &units);
    let consumed = capacity.report_units(&def.name, &units);
    Ok(Response::from_page(page, count_only, consumed))
}

/// Partitions a new DynamoDB table starts with; a Scan that reads a whole table without
/// segments visits each and pays at least one read for each, even when they are empty.
const INITIAL_PARTITIONS: f64 = 4.0;

/// Read units of a Scan page of `bytes`: the usual rounding per 4 KB, and when the page read the
/// whole table (no segment, no LastEvaluatedKey) at least one read per initial partition —
/// DynamoDB reports 4 units (2 eventually consistent) for a full scan of a one-item table.
fn scan_units(bytes: usize, consistent: bool, whole_table: bool) -> f64 {
    let units = read_units(Some(bytes), consistent);
    if whole_table {
        units.max(INITIAL_PARTITIONS * read_units(None, consistent))
    } else {
        units
    }
}

/// Decodes a Scan body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::Scan, body)?;
    protocol::encode(&execute(ctx, req).await?)
}

#[cfg(test)]
#[path = "scan_tests.rs"]
mod tests;
