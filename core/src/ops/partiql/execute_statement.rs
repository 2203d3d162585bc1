//! ExecuteStatement: one PartiQL statement. A SELECT answers a page of items (Limit counts
//! items read; NextToken and LastEvaluatedKey when more may follow); INSERT, UPDATE and DELETE
//! answer an empty `Items` — or, with RETURNING, the item it names.
//!
//! Order of checks: the model's constraints (`shapes`) → parameter values → the statement's
//! syntax → its table and clauses (`plan`) → authorization → throttling → the read or write.

use super::parser::parse;
use super::plan::{plan, Plan, Purpose};
use super::token;
use super::{check_parameters, read, write};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::{AttributeValue, Item};
use crate::ops::request::capacity::{ConsumedCapacity, ReturnConsumedCapacity};
use crate::ops::request::protocol;
use crate::ops::Operation;
use serde::{Deserialize, Serialize};

/// ExecuteStatement's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// The statement (required, 1–8192 characters).
    pub statement: Option<String>,
    /// Values of the statement's `?`, in order.
    pub parameters: Option<Vec<AttributeValue>>,
    /// Strongly consistent read (SELECT).
    pub consistent_read: Option<bool>,
    /// Where to continue a SELECT.
    pub next_token: Option<String>,
    /// INDEXES | TOTAL | NONE.
    pub return_consumed_capacity: Option<String>,
    /// The most items a SELECT reads for this page.
    pub limit: Option<i64>,
    /// ALL_OLD | NONE: whether a failed condition returns the item.
    pub return_values_on_condition_check_failure: Option<String>,
}

/// ExecuteStatement's response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// The items (empty for a write without RETURNING).
    pub items: Vec<Item>,
    /// Where the next page of a SELECT starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// With `ReturnConsumedCapacity` TOTAL or INDEXES.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
    /// The key of the last item read, when a SELECT stopped before the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_evaluated_key: Option<Item>,
}

/// Runs ExecuteStatement.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let capacity = ReturnConsumedCapacity::parse(req.return_consumed_capacity.as_deref());
    // Present: the model's constraints refused the request otherwise.
    let statement = req.statement.unwrap_or_default();
    let params = req.parameters.unwrap_or_default();
    check_parameters(&params)?;
    let parsed = parse(&statement)?;
    match plan(ctx, &parsed, &params, Purpose::Single).await? {
        Plan::Read(p) => {
            let hash = token::fingerprint(&statement, &params);
            let resume = req
                .next_token
                .as_deref()
                .map(|t| token::decode(t, &hash))
                .transpose()?;
            let limit = crate::ops::data::scan::limit(req.limit);
            let consistent = req.consistent_read.unwrap_or(false);
            let page = read::select(ctx, &p, limit, resume.as_ref(), consistent).await?;
            let (next_token, last_evaluated_key) = match page.next {
                Some((partition, key)) => {
                    let lek = (!key.is_empty()).then(|| key.clone());
                    (Some(token::encode(partition, key, &hash)), lek)
                }
                None => (None, None),
            };
            Ok(Response {
                items: page.items,
                next_token,
                consumed_capacity: capacity.report_units(&p.def.name, &page.units),
                last_evaluated_key,
            })
        }
        Plan::Write(w) => {
            let table = w.action.table.clone();
            let old_on_failure =
                req.return_values_on_condition_check_failure.as_deref() == Some("ALL_OLD");
            let written = write::write(ctx, w, old_on_failure).await?;
            Ok(Response {
                items: written.item.into_iter().collect(),
                next_token: None,
                consumed_capacity: capacity.report_units(&table, &written.units),
                last_evaluated_key: None,
            })
        }
        // `plan` makes single-item reads for batches and transactions only.
        Plan::Get(_) => Err(ApiError::Internal("unexpected single-item read".into())),
    }
}

/// Decodes an ExecuteStatement body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::ExecuteStatement, body)?;
    protocol::encode(&execute(ctx, req).await?)
}
