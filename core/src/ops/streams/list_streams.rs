//! ListStreams: the account's streams (or one table's), current and disabled within 24 hours,
//! ordered by ARN, a page at a time. `LastEvaluatedStreamArn` is the last ARN returned and is
//! present only when more follow; a page may resume after the ARN of a table deleted since.

use super::{check_length, check_limit, listed, INVALID_STREAM_ARN};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::TableDefinition;
use crate::ops::authorize;
use crate::ops::request::protocol;
use crate::ops::streams::constraints::Constraints;
use crate::ops::table::lifecycle;
use crate::streams::arn;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The largest `Limit`.
const MAX_LIMIT: i64 = 100;

/// ListStreams' input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// Only this table's streams.
    pub table_name: Option<String>,
    /// Page size, 1–100 (default 100).
    pub limit: Option<i64>,
    /// List the streams after this ARN.
    pub exclusive_start_stream_arn: Option<String>,
}

/// One listed stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Stream {
    /// StreamArn.
    pub stream_arn: String,
    /// TableName.
    pub table_name: String,
    /// StreamLabel.
    pub stream_label: String,
}

/// ListStreams' output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// The page.
    pub streams: Vec<Stream>,
    /// The last ARN of the page, when more streams follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_evaluated_stream_arn: Option<String>,
}

fn validate(req: &Request) -> Result<usize, ApiError> {
    let mut c = Constraints::new();
    if let Some(name) = &req.table_name {
        c.table_name(Some(name), "tableName");
    }
    check_length(
        &mut c,
        req.exclusive_start_stream_arn.as_deref(),
        "exclusiveStartStreamArn",
        37,
        1024,
    );
    c.finish()?;
    let limit = check_limit(
        req.limit,
        MAX_LIMIT,
        "Limit cannot be greater than the maximum allowed size: 100",
    )?;
    if let Some(start) = &req.exclusive_start_stream_arn {
        if arn::parse(start).is_none() {
            return Err(ApiError::validation(INVALID_STREAM_ARN));
        }
    }
    Ok(limit)
}

fn streams_of(def: &TableDefinition, now: f64, out: &mut Vec<Stream>) {
    out.extend(listed(def, now).map(|(s, _)| Stream {
        stream_arn: def.stream_arn_of(&s.label),
        table_name: def.name.clone(),
        stream_label: s.label.clone(),
    }));
}

/// Every table of the caller's account that exists (as ListTables shows them).
async fn all_tables(ctx: &Ctx) -> Result<Vec<Arc<TableDefinition>>, ApiError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let names = ctx
            .catalog
            .list_tables(ctx.account_id(), cursor.clone(), 100)
            .await?;
        let done = names.len() < 100;
        for name in &names {
            if let Some(def) = lifecycle::find(ctx, name).await? {
                out.push(def);
            }
        }
        match names.last() {
            Some(last) if !done => cursor = Some(last.clone()),
            _ => return Ok(out),
        }
    }
}

/// Lists one page of streams.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let limit = validate(&req)?;
    authorize::on_account(ctx, "dynamodb:ListStreams").await?;
    let now = ctx.now_epoch();
    let mut streams = Vec::new();
    match &req.table_name {
        Some(name) => {
            let def = lifecycle::find(ctx, name).await?.ok_or_else(|| {
                ApiError::ResourceNotFound(format!(
                    "Requested resource not found: Table: {name} not found"
                ))
            })?;
            streams_of(&def, now, &mut streams);
        }
        None => {
            for def in all_tables(ctx).await? {
                streams_of(&def, now, &mut streams);
            }
        }
    }
    streams.sort_by(|a, b| a.stream_arn.cmp(&b.stream_arn));
    if let Some(start) = &req.exclusive_start_stream_arn {
        streams.retain(|s| s.stream_arn.as_str() > start.as_str());
    }
    let more = streams.len() > limit;
    streams.truncate(limit);
    let last_evaluated_stream_arn = more
        .then(|| streams.last().map(|s| s.stream_arn.clone()))
        .flatten();
    Ok(Response {
        streams,
        last_evaluated_stream_arn,
    })
}

/// Decodes a ListStreams body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::decode(body)?;
    protocol::encode(&execute(ctx, req).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(limit: Option<i64>, start: Option<&str>) -> Request {
        Request {
            table_name: None,
            limit,
            exclusive_start_stream_arn: start.map(str::to_string),
        }
    }

    #[test]
    fn validation_follows_dynamodb() {
        assert_eq!(validate(&req(None, None)).unwrap(), 100);
        assert!(matches!(
            validate(&req(Some(0), None)),
            Err(ApiError::Validation(_))
        ));
        assert_eq!(
            validate(&req(Some(101), None)).unwrap_err(),
            ApiError::validation("One or more parameter values were invalid: Limit cannot be greater than the maximum allowed size: 100")
        );
        assert_eq!(
            validate(&req(
                None,
                Some("kossaapaaasdafsdaasdasdasdasasdasfadfadfasdasdas")
            ))
            .unwrap_err(),
            ApiError::validation(INVALID_STREAM_ARN)
        );
        assert!(matches!(
            validate(&req(None, Some("short"))).unwrap_err(),
            ApiError::Validation(m) if m.contains("'exclusiveStartStreamArn' failed to satisfy constraint: Member must have length greater than or equal to 37")
        ));
    }
}
