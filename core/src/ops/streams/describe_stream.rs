//! DescribeStream: a stream's status, view type, key schema and shards (oldest first, a page
//! of at most `Limit` after `ExclusiveStartShardId`), or only the children of one shard
//! (`ShardFilter` `CHILD_SHARDS`, as the Kinesis adapter asks). A shard without
//! `EndingSequenceNumber` is open; every shard of a disabled stream is closed.

use super::{check_length, check_limit, check_present, locate, parent_shard_id, shard_id, Located};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::ops::request::protocol;
use crate::ops::streams::constraints::Constraints;
use crate::ops::table::description_parts::KeySchemaElement;
use crate::streams::log::display_seq;
use crate::streams::log::ShardMeta;
use serde::{Deserialize, Serialize};

/// The largest `Limit` (and the page size when none is given).
const MAX_LIMIT: i64 = 100;

/// `ShardFilter`: which shards to list instead of all.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ShardFilter {
    /// `CHILD_SHARDS` (the only type).
    #[serde(rename = "Type")]
    pub filter_type: Option<String>,
    /// The shard whose children to list.
    pub shard_id: Option<String>,
}

/// DescribeStream's input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// The stream (required).
    pub stream_arn: Option<String>,
    /// Shards per page, 1–100.
    pub limit: Option<i64>,
    /// List the shards after this one.
    pub exclusive_start_shard_id: Option<String>,
    /// List only some shards.
    pub shard_filter: Option<ShardFilter>,
}

/// `SequenceNumberRange`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SequenceNumberRange {
    /// The first sequence number the shard may hold.
    pub starting_sequence_number: String,
    /// The last one, once the shard is closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ending_sequence_number: Option<String>,
}

/// One shard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Shard {
    /// ShardId.
    pub shard_id: String,
    /// Its sequence-number range.
    pub sequence_number_range: SequenceNumberRange,
    /// The shard it continues.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_shard_id: Option<String>,
}

/// `StreamDescription`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamDescription {
    /// StreamArn.
    pub stream_arn: String,
    /// StreamLabel.
    pub stream_label: String,
    /// ENABLING, ENABLED, DISABLING or DISABLED.
    pub stream_status: &'static str,
    /// What its records carry.
    pub stream_view_type: &'static str,
    /// When it was enabled, seconds since the epoch.
    pub creation_request_date_time: f64,
    /// Its table.
    pub table_name: String,
    /// The table's key schema.
    pub key_schema: Vec<KeySchemaElement>,
    /// The page of shards.
    pub shards: Vec<Shard>,
    /// The last ShardId of the page, when more shards follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_evaluated_shard_id: Option<String>,
}

/// DescribeStream's output.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// The stream.
    pub stream_description: StreamDescription,
}

fn validate(req: &Request) -> Result<usize, ApiError> {
    let mut c = Constraints::new();
    check_present(&mut c, req.stream_arn.as_ref(), "streamArn");
    check_length(&mut c, req.stream_arn.as_deref(), "streamArn", 37, 1024);
    check_length(
        &mut c,
        req.exclusive_start_shard_id.as_deref(),
        "exclusiveStartShardId",
        28,
        65,
    );
    if let Some(f) = &req.shard_filter {
        check_present(&mut c, f.filter_type.as_ref(), "shardFilter.type");
        if let Some(t) = f.filter_type.as_deref().filter(|t| *t != "CHILD_SHARDS") {
            c.violation(
                Some(t),
                "shardFilter.type",
                "Member must satisfy enum value set: [CHILD_SHARDS]",
            );
        }
        check_present(&mut c, f.shard_id.as_ref(), "shardFilter.shardId");
        check_length(&mut c, f.shard_id.as_deref(), "shardFilter.shardId", 28, 65);
    }
    c.finish()?;
    check_limit(
        req.limit,
        MAX_LIMIT,
        "Limit cannot be greater than the maximum: 100",
    )
}

fn shard(meta: &ShardMeta) -> Shard {
    Shard {
        shard_id: shard_id(meta),
        sequence_number_range: SequenceNumberRange {
            starting_sequence_number: display_seq(meta.start),
            ending_sequence_number: meta.end.map(display_seq),
        },
        parent_shard_id: parent_shard_id(meta),
    }
}

/// The listed shards of `located` as of now, oldest first.
async fn shards(ctx: &Ctx, located: &Located) -> Result<Vec<Shard>, ApiError> {
    let view = located.view(ctx).await?;
    let all = view
        .shards(ctx.store.as_ref(), located.stream.log_id)
        .await?;
    Ok(all.iter().map(shard).collect())
}

/// Describes the stream `req` names.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let limit = validate(&req)?;
    let arn = req.stream_arn.as_deref().unwrap_or_default();
    let located = locate(ctx, "dynamodb:DescribeStream", arn).await?;
    let mut list = shards(ctx, &located).await?;
    if let Some(parent) = req
        .shard_filter
        .as_ref()
        .and_then(|f| f.shard_id.as_deref())
    {
        list.retain(|s| s.parent_shard_id.as_deref() == Some(parent));
    }
    if let Some(start) = &req.exclusive_start_shard_id {
        list.retain(|s| s.shard_id.as_str() > start.as_str());
    }
    let more = list.len() > limit;
    list.truncate(limit);
    let last_evaluated_shard_id = more
        .then(|| list.last().map(|s| s.shard_id.clone()))
        .flatten();
    let def = &located.table;
    let key_schema = std::iter::once(KeySchemaElement {
        attribute_name: def.key_schema.hash.name.clone(),
        key_type: "HASH".to_string(),
    })
    .chain(def.key_schema.range.iter().map(|r| KeySchemaElement {
        attribute_name: r.name.clone(),
        key_type: "RANGE".to_string(),
    }))
    .collect();
    Ok(Response {
        stream_description: StreamDescription {
            stream_arn: located.arn(),
            stream_label: located.stream.label.clone(),
            stream_status: located.status(ctx),
            stream_view_type: located.stream.view_type.as_str(),
            creation_request_date_time: located.stream.created_at,
            table_name: def.name.clone(),
            key_schema,
            shards: list,
            last_evaluated_shard_id,
        },
    })
}

/// Decodes a DescribeStream body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::decode(body)?;
    protocol::encode(&execute(ctx, req).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(v: serde_json::Value) -> Request {
        serde_json::from_value(v).unwrap()
    }

    const ARN: &str =
        "arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2026-04-08T07:00:00.000";

    fn message(v: serde_json::Value) -> String {
        match validate(&req(v)).unwrap_err() {
            ApiError::Validation(m) => m,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn shard_filter_members_are_checked() {
        let m = message(
            serde_json::json!({"StreamArn": ARN, "ShardFilter": {"ShardId": "qwerty", "Type": "CHILD_SHARDS"}}),
        );
        assert!(m.contains("'shardFilter.shardId' failed to satisfy constraint: Member must have length greater than or equal to 28"), "{m}");
        let m = message(
            serde_json::json!({"StreamArn": ARN, "ShardFilter": {"ShardId": "shardId-00000000000000000000-00000000", "Type": "foo"}}),
        );
        assert!(m.contains("Value 'foo' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value set: [CHILD_SHARDS]"), "{m}");
        let m = message(
            serde_json::json!({"StreamArn": ARN, "ShardFilter": {"ShardId": "shardId-00000000000000000000-00000000"}}),
        );
        assert!(m.contains("Value null at 'shardFilter.type'"), "{m}");
        let m =
            message(serde_json::json!({"StreamArn": ARN, "ShardFilter": {"Type": "CHILD_SHARDS"}}));
        assert!(m.contains("Value null at 'shardFilter.shardId'"), "{m}");
    }

    #[test]
    fn limits_and_lengths() {
        assert_eq!(
            validate(&req(serde_json::json!({"StreamArn": ARN}))).unwrap(),
            100
        );
        let m = message(serde_json::json!({"StreamArn": ARN, "Limit": 101}));
        assert_eq!(m, "One or more parameter values were invalid: Limit cannot be greater than the maximum: 100");
        let m = message(serde_json::json!({"StreamArn": ARN, "ExclusiveStartShardId": "short"}));
        assert!(m.contains("'exclusiveStartShardId'"), "{m}");
    }
}
