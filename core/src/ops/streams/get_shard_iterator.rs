//! GetShardIterator: a position in one shard — its oldest readable record (TRIM_HORIZON), just
//! past its newest (LATEST), at or after a given sequence number — as an iterator that
//! GetRecords accepts for 15 minutes.

use super::{check_length, check_present, locate, parse_shard_id, shard_not_found, trimmed};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::ops::request::protocol;
use crate::ops::streams::constraints::Constraints;
use crate::streams::iterator::ShardIterator;
use crate::streams::log::parse_seq;
use serde::{Deserialize, Serialize};

/// The four iterator types, as the service model lists them.
const TYPES: [&str; 4] = [
    "TRIM_HORIZON",
    "LATEST",
    "AT_SEQUENCE_NUMBER",
    "AFTER_SEQUENCE_NUMBER",
];

/// GetShardIterator's input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// The stream (required).
    pub stream_arn: Option<String>,
    /// The shard (required).
    pub shard_id: Option<String>,
    /// Where to start (required).
    pub shard_iterator_type: Option<String>,
    /// For AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER only.
    pub sequence_number: Option<String>,
}

/// GetShardIterator's output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// The iterator.
    pub shard_iterator: String,
}

/// Checks the request on its own; answers the iterator type.
fn validate(req: &Request) -> Result<&str, ApiError> {
    let mut c = Constraints::new();
    check_present(&mut c, req.stream_arn.as_ref(), "streamArn");
    check_length(&mut c, req.stream_arn.as_deref(), "streamArn", 37, 1024);
    check_present(&mut c, req.shard_id.as_ref(), "shardId");
    check_length(&mut c, req.shard_id.as_deref(), "shardId", 28, 65);
    check_present(
        &mut c,
        req.shard_iterator_type.as_ref(),
        "shardIteratorType",
    );
    if let Some(t) = req.shard_iterator_type.as_deref() {
        if !TYPES.contains(&t) {
            c.violation(
                Some(t),
                "shardIteratorType",
                &format!("Member must satisfy enum value set: [{}]", TYPES.join(", ")),
            );
        }
    }
    check_length(
        &mut c,
        req.sequence_number.as_deref(),
        "sequenceNumber",
        21,
        40,
    );
    c.finish()?;
    let kind = req.shard_iterator_type.as_deref().unwrap_or_default();
    let at = matches!(kind, "AT_SEQUENCE_NUMBER" | "AFTER_SEQUENCE_NUMBER");
    match (&req.sequence_number, at) {
        // DynamoDB Local's wordings (AWS answers a ValidationException for both).
        (None, true) => Err(ApiError::validation(
            "SequenceNumber must be given for AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER iterators",
        )),
        (Some(_), false) => Err(ApiError::validation(
            "SequenceNumber should not be passed for this iterator type",
        )),
        (Some(s), true) if !s.bytes().all(|b| b.is_ascii_digit()) => {
            Err(ApiError::validation("Invalid SequenceNumber"))
        }
        _ => Ok(kind),
    }
}

/// Issues the iterator `req` asks for.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let kind = validate(&req)?;
    let arn = req.stream_arn.as_deref().unwrap_or_default();
    let shard_text = req.shard_id.as_deref().unwrap_or_default();
    let located = locate(ctx, "dynamodb:GetShardIterator", arn).await?;
    let (created_ms, index) =
        parse_shard_id(shard_text).ok_or_else(|| shard_not_found(shard_text))?;
    let view = located.view(ctx).await?;
    let shard = view
        .shard(ctx.store.as_ref(), located.stream.log_id, index)
        .await?
        .filter(|s| s.created_ms == created_ms)
        .ok_or_else(|| shard_not_found(shard_text))?;
    let position = match kind {
        "TRIM_HORIZON" => view.horizon(&shard),
        "LATEST" => view.latest(&shard),
        _ => {
            let text = req.sequence_number.as_deref().unwrap_or_default();
            // A number of another stream's form can hold none of this shard's records.
            let seq = parse_seq(text)
                .filter(|s| *s >= shard.start && shard.end.is_none_or(|e| *s <= e))
                .ok_or_else(|| ApiError::validation("Invalid SequenceNumber for the shard"))?;
            if seq < view.trim.below {
                return Err(trimmed());
            }
            if kind == "AT_SEQUENCE_NUMBER" {
                seq
            } else {
                seq + 1
            }
        }
    };
    let iterator = ShardIterator {
        stream_arn: located.arn(),
        shard: index,
        position,
        issued_ms: crate::streams::iterator::issue_ms((ctx.now_epoch() * 1000.0) as u64),
    };
    Ok(Response {
        shard_iterator: iterator.encode(),
    })
}

/// Decodes a GetShardIterator body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::decode(body)?;
    protocol::encode(&execute(ctx, req).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str =
        "arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2026-04-08T07:00:00.000";
    const SHARD: &str = "shardId-00000001775631600000-00000000";
    const SEQ: &str = "100000000000000000001";

    fn check(kind: &str, seq: Option<&str>) -> Result<&'static str, ApiError> {
        let req = Request {
            stream_arn: Some(ARN.into()),
            shard_id: Some(SHARD.into()),
            shard_iterator_type: Some(kind.into()),
            sequence_number: seq.map(str::to_string),
        };
        validate(&req).map(|k| TYPES.iter().copied().find(|t| *t == k).unwrap_or(""))
    }

    #[test]
    fn sequence_numbers_go_with_at_and_after_only() {
        assert!(check("TRIM_HORIZON", None).is_ok());
        assert!(check("LATEST", None).is_ok());
        assert!(check("AT_SEQUENCE_NUMBER", Some(SEQ)).is_ok());
        assert!(check("AFTER_SEQUENCE_NUMBER", Some(SEQ)).is_ok());
        for (kind, seq) in [
            ("AT_SEQUENCE_NUMBER", None),
            ("AFTER_SEQUENCE_NUMBER", None),
            ("TRIM_HORIZON", Some(SEQ)),
            ("LATEST", Some(SEQ)),
            ("bulle", Some(SEQ)),
            (
                "LATEST",
                Some("sdfsafglldfngjdafnasdflgnaldklkafdsgklnasdlv"),
            ),
            ("AT_SEQUENCE_NUMBER", Some("1000000000000000000x1")),
        ] {
            assert!(
                matches!(check(kind, seq), Err(ApiError::Validation(_))),
                "{kind} {seq:?}"
            );
        }
    }
}
