//! GetRecords: up to `Limit` (1–1000, default 1000) records of one shard from an iterator's
//! position, at most 1 MB, as AWS writes them; `NextShardIterator` continues while the shard
//! is open (even with no records) and is absent once a closed shard is drained.
//!
//! The answer is written straight from the stored records (`streams::record`), so a polling
//! loop costs a view (two point reads), at most one shard read and one range read per call.

use super::{check_length, check_present, locate, shard_not_found, trimmed};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::ops::request::protocol;
use crate::ops::streams::constraints::Constraints;
use crate::streams::iterator::ShardIterator;
use crate::streams::reader;
use crate::streams::record::{event_id, StoredRecord};
use serde::Deserialize;

/// The most records one call returns (and the default `Limit`).
const MAX_LIMIT: i64 = 1000;
/// The most record bytes one call returns.
const MAX_BYTES: usize = 1024 * 1024;

/// DynamoDB's answer for an iterator that is not one (DynamoDB Local's wording).
pub const INVALID_ITERATOR: &str = "Invalid ShardIterator";

/// GetRecords' input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// Where to read (required).
    pub shard_iterator: Option<String>,
    /// Most records to return, 1–1000.
    pub limit: Option<i64>,
}

fn validate(req: &Request) -> Result<usize, ApiError> {
    let mut c = Constraints::new();
    check_present(&mut c, req.shard_iterator.as_ref(), "shardIterator");
    check_length(
        &mut c,
        req.shard_iterator.as_deref(),
        "shardIterator",
        1,
        2048,
    );
    if let Some(l) = req.limit.filter(|l| *l < 1) {
        c.violation(
            Some(&l.to_string()),
            "limit",
            "Member must have value greater than or equal to 1",
        );
    }
    c.finish()?;
    match req.limit {
        // DynamoDB Local's wording.
        Some(l) if l > MAX_LIMIT => Err(ApiError::validation(
            "One or more parameter values were invalid: Limit should be less than or equal to 1000",
        )),
        Some(l) => Ok(usize::try_from(l).unwrap_or(1)),
        None => Ok(MAX_LIMIT as usize),
    }
}

/// Reads the records `req`'s iterator points at and answers the JSON response.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Vec<u8>, ApiError> {
    let limit = validate(&req)?;
    let text = req.shard_iterator.as_deref().unwrap_or_default();
    let it = ShardIterator::decode(text).ok_or_else(|| ApiError::validation(INVALID_ITERATOR))?;
    let now_ms = (ctx.now_epoch() * 1000.0) as u64;
    if it.expired(now_ms) {
        // The API reference's description; DynamoDB's exact message is not known here.
        return Err(ApiError::ExpiredIterator(
            "The shard iterator has expired and can no longer be used to retrieve stream records."
                .into(),
        ));
    }
    let located = locate(ctx, "dynamodb:GetRecords", &it.stream_arn).await?;
    let log_id = located.stream.log_id;
    let view = located.view(ctx).await?;
    let Some(shard) = view.shard(ctx.store.as_ref(), log_id, it.shard).await? else {
        // A shard older than every listed one was trimmed; any other is unknown.
        return Err(if it.shard < view.head.open.index {
            trimmed()
        } else {
            shard_not_found(&format!("{}", it.shard))
        });
    };
    if it.position < view.trim.below {
        return Err(trimmed());
    }
    let last = view.last_of(&shard);
    let page = reader::read(
        ctx.store.as_ref(),
        log_id,
        it.position,
        last,
        limit,
        MAX_BYTES,
    )
    .await?;
    let region = &located.table.region;
    let mut out = Vec::with_capacity(
        64 + page
            .records
            .iter()
            .map(|(_, r)| r.0.len() + 200)
            .sum::<usize>(),
    );
    out.extend_from_slice(b"{");
    let next = page.records.last().map_or(it.position, |(seq, _)| seq + 1);
    // A closed shard ends when nothing is left up to its end (an empty closed shard ends at
    // once); an open one always continues.
    if shard.end.is_none() || page.more {
        let next_it = ShardIterator {
            position: next,
            issued_ms: crate::streams::iterator::issue_ms(now_ms),
            ..it
        };
        out.extend_from_slice(b"\"NextShardIterator\":");
        let _ = serde_json::to_writer(&mut out, &next_it.encode());
        out.push(b',');
    }
    out.extend_from_slice(b"\"Records\":[");
    for (i, (seq, stored)) in page.records.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        StoredRecord::parse(stored.as_bytes())?.render(
            &mut out,
            *seq,
            &event_id(log_id, *seq),
            region,
        );
    }
    out.extend_from_slice(b"]}");
    Ok(out)
}

/// Decodes a GetRecords body and runs it.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::decode(body)?;
    execute(ctx, req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(limit: Option<i64>) -> Request {
        Request {
            shard_iterator: Some("x".into()),
            limit,
        }
    }

    #[test]
    fn limit_is_one_to_a_thousand() {
        assert_eq!(validate(&req(None)).unwrap(), 1000);
        assert_eq!(validate(&req(Some(1000))).unwrap(), 1000);
        for bad in [0, -1, 1001] {
            match validate(&req(Some(bad))) {
                Err(ApiError::Validation(m)) => assert!(m.contains("imit"), "{m}"),
                other => panic!("{other:?}"),
            }
        }
    }
}
