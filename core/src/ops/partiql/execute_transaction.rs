//! ExecuteTransaction: up to 100 statements, all or nothing — all SELECTs of one item by its
//! full key (read in one snapshot, as TransactGetItems reads), or all writes and EXISTS
//! checks (run as TransactWriteItems' actions in one store transaction, with its
//! ClientRequestToken idempotency, cancellation reasons and capacity). A write transaction
//! answers an empty `Responses`; a read transaction one entry per statement.
//!
//! A statement that breaks a transaction's rules is refused as "Validation failed in
//! TransactStatements[i]: …"; an INSERT whose item lacks a key attribute, or has one of the
//! wrong type, cancels the transaction with a `ValidationError` reason at that statement.

use super::ast::Statement;
use super::parser::{parse, Parsed};
use super::plan::{plan, GetPlan, Plan, Purpose, WritePlan};
use super::read::project;
use super::{check_parameters, write};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::{AttributeValue, Item};
use crate::ops::data::transact_get_items::{self, Planned};
use crate::ops::request::batch_common::MULTIPLE_OPERATIONS;
use crate::ops::request::capacity::{ConsumedCapacity, ReturnConsumedCapacity};
use crate::ops::request::protocol;
use crate::ops::transaction::{decide, run};
use crate::ops::Operation;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// One statement of the transaction.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ParameterizedStatement {
    /// The statement (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    /// Values of its `?`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<AttributeValue>>,
    /// ALL_OLD | NONE: whether a failed condition's reason carries the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_values_on_condition_check_failure: Option<String>,
}

/// ExecuteTransaction's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// The statements (required, 1–100).
    pub transact_statements: Option<Vec<ParameterizedStatement>>,
    /// Makes the request idempotent for 10 minutes (1–36 characters).
    pub client_request_token: Option<String>,
    /// INDEXES | TOTAL | NONE.
    pub return_consumed_capacity: Option<String>,
}

/// One entry of a read transaction's answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ItemResponse {
    /// The item, when it exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Item>,
}

/// ExecuteTransaction's response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// One entry per SELECT; empty for writes.
    pub responses: Vec<ItemResponse>,
    /// With `ReturnConsumedCapacity` TOTAL or INDEXES: one entry per table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
}

const MIXED: &str =
    "ExecuteTransaction API does not support both read and write operations in the same request.";
const KEY_ABSENT: &str = "Key attribute should be present in the item:";
const KEY_TYPE: &str = "Key attribute's data type should match its data type in table's schema:";

/// The error of statement `i` that broke a rule, as the transaction reports it.
fn statement_error(i: usize, total: usize, e: ApiError) -> ApiError {
    match e {
        ApiError::Validation(m) if m.starts_with(KEY_ABSENT) || m.starts_with(KEY_TYPE) => {
            decide::validation_error_at(i, total, &ApiError::Validation(m))
        }
        ApiError::Validation(m) => {
            ApiError::validation(format!("Validation failed in TransactStatements[{i}]: {m}"))
        }
        other => other,
    }
}

/// Runs ExecuteTransaction.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let capacity = ReturnConsumedCapacity::parse(req.return_consumed_capacity.as_deref());
    let statements = req.transact_statements.unwrap_or_default();
    let mut parsed: Vec<Parsed> = Vec::with_capacity(statements.len());
    for s in &statements {
        check_parameters(s.parameters.as_deref().unwrap_or_default())?;
        parsed.push(parse(s.statement.as_deref().unwrap_or_default())?);
    }
    let reads = parsed
        .iter()
        .filter(|p| matches!(p.statement, Statement::Select(_)))
        .count();
    if reads > 0 && reads < parsed.len() {
        return Err(ApiError::validation(MIXED));
    }
    let total = parsed.len();
    let mut plans = Vec::with_capacity(total);
    for (i, (s, p)) in statements.iter().zip(&parsed).enumerate() {
        if matches!(&p.statement, Statement::Update(u) if u.returning.is_some())
            || matches!(&p.statement, Statement::Delete(d) if d.returning.is_some())
        {
            return Err(statement_error(
                i,
                total,
                ApiError::validation("RETURNING clause is not supported in ExecuteTransaction."),
            ));
        }
        let params = s.parameters.as_deref().unwrap_or_default();
        let planned = plan(ctx, p, params, Purpose::Transaction)
            .await
            .map_err(|e| statement_error(i, total, e))?;
        plans.push(planned);
    }
    if reads > 0 {
        return read(ctx, plans, capacity).await;
    }
    let mut writes: Vec<WritePlan> = Vec::with_capacity(total);
    for (s, p) in statements.iter().zip(plans) {
        if let Plan::Write(mut w) = p {
            w.action.old_on_failure =
                s.return_values_on_condition_check_failure.as_deref() == Some("ALL_OLD");
            writes.push(w);
        }
    }
    let mut seen = HashSet::new();
    if !writes.iter().all(|w| seen.insert(w.action.key.clone())) {
        return Err(ApiError::validation(MULTIPLE_OPERATIONS));
    }
    for w in &writes {
        write::authorize(ctx, w, Some("ExecuteTransaction")).await?;
    }
    let actions: Vec<_> = writes.into_iter().map(|w| w.action).collect();
    let token = match req.client_request_token {
        Some(t) => Some((t, canonical(&statements)?)),
        None => None,
    };
    let units = run::run(ctx, &actions, token, capacity.wanted()).await?;
    Ok(Response {
        responses: Vec::new(),
        consumed_capacity: capacity.report_tables(&units),
    })
}

/// A read transaction: every SELECT's item in one snapshot.
async fn read(
    ctx: &Ctx,
    plans: Vec<Plan>,
    capacity: ReturnConsumedCapacity,
) -> Result<Response, ApiError> {
    let gets: Vec<GetPlan> = plans
        .into_iter()
        .filter_map(|p| match p {
            Plan::Get(g) => Some(g),
            _ => None,
        })
        .collect();
    let mut planned = Vec::with_capacity(gets.len());
    for g in &gets {
        let leading: Vec<AttributeValue> = g
            .key
            .get(&g.def.key_schema.hash.name)
            .cloned()
            .into_iter()
            .collect();
        crate::ops::authorize::on_table(ctx, "dynamodb:PartiQLSelect", &g.def, || {
            super::read::context(
                &leading,
                g.projection.as_deref(),
                Some(false),
                Some("ExecuteTransaction"),
            )
        })
        .await?;
        planned.push(Planned {
            table: g.def.name.clone(),
            def: g.def.clone(),
            key: g.storage_key.clone(),
            projection: None,
        });
    }
    let (items, units) = transact_get_items::read(ctx, &planned).await?;
    let responses = items
        .into_iter()
        .zip(&gets)
        .map(|(item, g)| ItemResponse {
            item: item.map(|i| project(i, g.projection.as_deref())),
        })
        .collect();
    Ok(Response {
        responses,
        consumed_capacity: capacity.report_tables(&units),
    })
}

/// What a retry with the same ClientRequestToken must repeat, in canonical JSON.
fn canonical(statements: &[ParameterizedStatement]) -> Result<String, ApiError> {
    serde_json::to_value(statements)
        .map(|v| v.to_string())
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// Decodes an ExecuteTransaction body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::ExecuteTransaction, body)?;
    protocol::encode(&execute(ctx, req).await?)
}
