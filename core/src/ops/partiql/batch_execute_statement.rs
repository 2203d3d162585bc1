//! BatchExecuteStatement: up to 25 statements, all reads (SELECTs of one item by its full
//! key) or all writes, each succeeding or failing on its own: a statement's error is an entry
//! of `Responses` (`Error: {Code, Message}`), not the request's. Writes run one by one as
//! ExecuteStatement would run them; two writes of one item refuse the whole request first.

use super::ast::Statement;
use super::parser::{parse, Parsed};
use super::plan::{plan, Plan, Purpose};
use super::{check_parameters, error_code, read, write};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::{AttributeValue, Item};
use crate::ops::request::batch_common::DUPLICATE_KEYS;
use crate::ops::request::capacity::{ConsumedCapacity, ReturnConsumedCapacity, TableUnits};
use crate::ops::request::protocol;
use crate::ops::Operation;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// One statement of the batch.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchStatementRequest {
    /// The statement (required).
    pub statement: Option<String>,
    /// Values of its `?`.
    pub parameters: Option<Vec<AttributeValue>>,
    /// Strongly consistent read (SELECT).
    pub consistent_read: Option<bool>,
    /// ALL_OLD | NONE.
    pub return_values_on_condition_check_failure: Option<String>,
}

/// BatchExecuteStatement's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// The statements (required, 1–25).
    pub statements: Option<Vec<BatchStatementRequest>>,
    /// INDEXES | TOTAL | NONE.
    pub return_consumed_capacity: Option<String>,
}

/// A statement's error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchStatementError {
    /// `ConditionalCheckFailed`, `DuplicateItem`, `ValidationError`, …
    pub code: String,
    /// The error's message.
    pub message: String,
    /// The item a failed condition was checked against (ALL_OLD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Item>,
}

/// One statement's answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchStatementResponse {
    /// Why the statement failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<BatchStatementError>,
    /// The statement's table, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_name: Option<String>,
    /// The item read, or the item RETURNING names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Item>,
}

/// BatchExecuteStatement's response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// One entry per statement, in order.
    pub responses: Vec<BatchStatementResponse>,
    /// With `ReturnConsumedCapacity` TOTAL or INDEXES: one entry per table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
}

const MIXED: &str = "Read and write requests together in the same batch is not supported.";
const EXISTS: &str = "EXISTS can only be used in ExecuteTransaction write requests.";

fn failed(e: &ApiError, table: Option<String>) -> BatchStatementResponse {
    let item = match e {
        ApiError::ConditionalCheckFailed { item } => item.clone(),
        _ => None,
    };
    BatchStatementResponse {
        error: Some(BatchStatementError {
            code: error_code(e).to_string(),
            message: e.to_string(),
            item,
        }),
        table_name: table,
        item: None,
    }
}

/// Runs BatchExecuteStatement.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let capacity = ReturnConsumedCapacity::parse(req.return_consumed_capacity.as_deref());
    let statements = req.statements.unwrap_or_default();
    // Parse every statement; a statement that does not parse fails alone.
    let mut parsed: Vec<Result<Parsed, ApiError>> = Vec::with_capacity(statements.len());
    for s in &statements {
        let params = s.parameters.as_deref().unwrap_or_default();
        parsed.push(
            check_parameters(params)
                .and_then(|()| parse(s.statement.as_deref().unwrap_or_default())),
        );
    }
    let mut reads = false;
    let mut writes = false;
    for p in parsed.iter().flatten() {
        match p.statement {
            Statement::Select(_) => reads = true,
            Statement::Exists(_) => {}
            _ => writes = true,
        }
    }
    if reads && writes {
        return Err(ApiError::validation(MIXED));
    }
    // Plan every parsed statement; refuse the batch when two writes name one item.
    let mut plans: Vec<Result<Plan, ApiError>> = Vec::with_capacity(statements.len());
    for (s, p) in statements.iter().zip(&parsed) {
        plans.push(match p {
            Err(e) => Err(e.clone()),
            Ok(p) if matches!(p.statement, Statement::Exists(_)) => {
                Err(ApiError::validation(EXISTS))
            }
            Ok(p) => {
                let params = s.parameters.as_deref().unwrap_or_default();
                plan(ctx, p, params, Purpose::Batch).await
            }
        });
    }
    let mut seen = HashSet::new();
    for p in plans.iter().flatten() {
        if let Plan::Write(w) = p {
            if !seen.insert(w.action.key.clone()) {
                return Err(ApiError::validation(DUPLICATE_KEYS));
            }
        }
    }
    let mut units = TableUnits::new();
    let mut responses = Vec::with_capacity(plans.len());
    for (s, p) in statements.iter().zip(plans) {
        let response = match p {
            Err(e) => failed(&e, None),
            Ok(Plan::Write(w)) => {
                let table = w.action.table.clone();
                let old = s.return_values_on_condition_check_failure.as_deref() == Some("ALL_OLD");
                match write::write(ctx, w, old).await {
                    Ok(done) => {
                        units.add_units(&table, done.units);
                        BatchStatementResponse {
                            error: None,
                            table_name: Some(table),
                            item: done.item,
                        }
                    }
                    Err(e) => failed(&e, Some(table)),
                }
            }
            Ok(Plan::Get(g)) => {
                let table = g.def.name.clone();
                match read::get(ctx, &g, s.consistent_read.unwrap_or(false), None).await {
                    Ok((item, u)) => {
                        units.add_units(&table, u);
                        BatchStatementResponse {
                            error: None,
                            table_name: Some(table),
                            item,
                        }
                    }
                    Err(e) => failed(&e, Some(table)),
                }
            }
            // `plan` gives batches single-item reads only.
            Ok(Plan::Read(_)) => failed(&ApiError::Internal("unexpected scan".into()), None),
        };
        responses.push(response);
    }
    Ok(Response {
        responses,
        consumed_capacity: capacity.report_tables(&units),
    })
}

/// Decodes a BatchExecuteStatement body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::BatchExecuteStatement, body)?;
    protocol::encode(&execute(ctx, req).await?)
}
