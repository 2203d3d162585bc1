//! The DynamoDB Streams API (`DynamoDBStreams_20120810`): ListStreams, DescribeStream,
//! GetShardIterator and GetRecords, one file each, over the logs the built-in sink keeps
//! (`crate::streams`). What they share: finding the stream an ARN names (authorized on that
//! ARN), its status, ShardIds, and the errors DynamoDB answers.
//!
//! Error texts: DynamoDB's where known (recorded by Alternator's and others' tests against
//! AWS); otherwise DynamoDB Local's wording (`Invalid StreamArn`, `Invalid ShardIterator`,
//! `Invalid SequenceNumber for the shard`), marked below as best guesses.
//!
//! Every read here goes to the primary store (`ctx.store`), never to the replicas that may
//! serve eventually consistent item reads (`traits::reads_for`): a view first sequences what
//! has committed (a write, on PostgreSQL), then reads the head and records it just wrote, and
//! an iterator's next position must never be behind what an earlier page showed — a lagging
//! replica would answer with a head or records older than the ones the sequencer committed.

pub mod constraints;
pub mod describe_stream;
pub mod get_records;
pub mod get_shard_iterator;
pub mod list_streams;

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::{TableDefinition, TableStatus, TableStream};
use crate::ops::authorize;
use crate::ops::streams::constraints::Constraints;
use crate::ops::table::lifecycle;
use crate::ops::table::stream_spec::PAST_STREAM_RETENTION_SECONDS;
use crate::streams::log::ShardMeta;
use crate::streams::reader::{self, LogView};

use crate::streams::arn;
use std::sync::Arc;

/// A malformed stream ARN (DynamoDB Local's wording; AWS answers a ValidationException too).
pub const INVALID_STREAM_ARN: &str = "Invalid StreamArn";

/// DynamoDB's answer for a well-formed ARN of a stream that does not exist.
pub fn stream_not_found(arn: &str) -> ApiError {
    ApiError::ResourceNotFound(format!(
        "Requested resource not found: Stream: {arn} not found"
    ))
}

/// The answer for a ShardId the stream does not have (best guess at DynamoDB's wording).
pub fn shard_not_found(shard_id: &str) -> ApiError {
    ApiError::ResourceNotFound(format!(
        "Requested resource not found: Shard does not exist: {shard_id}"
    ))
}

/// The answer for a position older than the stream keeps (DynamoDB Local's wording).
pub fn trimmed() -> ApiError {
    ApiError::TrimmedDataAccess(
        "The operation attempted to read past the oldest stream record in a shard.".into(),
    )
}

/// A stream an ARN named: its table, the stream, and when it was disabled (`None` while
/// enabled).
#[derive(Debug, Clone)]
pub struct Located {
    /// The stream's table.
    pub table: Arc<TableDefinition>,
    /// The stream.
    pub stream: TableStream,
    /// When it was disabled.
    pub disabled_at: Option<f64>,
}

impl Located {
    /// The stream's ARN.
    pub fn arn(&self) -> String {
        self.table.stream_arn_of(&self.stream.label)
    }

    /// Whether its shards are all closed (it was disabled, or its table is being deleted).
    pub fn closed(&self) -> bool {
        self.disabled_at.is_some() || self.table.status == TableStatus::Deleting
    }

    /// StreamStatus: ENABLING / DISABLING for the control-plane delay after the change,
    /// then ENABLED / DISABLED.
    pub fn status(&self, ctx: &Ctx) -> &'static str {
        let now = ctx.now_epoch();
        let delay = ctx.control_plane_delay().as_secs_f64();
        match self.disabled_at {
            None if self.table.status == TableStatus::Deleting => "DISABLED",
            None if now - self.stream.created_at < delay => "ENABLING",
            None => "ENABLED",
            Some(at) if now - at < delay => "DISABLING",
            Some(_) => "DISABLED",
        }
    }

    /// The view of its log, sequenced up to now.
    pub async fn view(&self, ctx: &Ctx) -> Result<LogView, ApiError> {
        Ok(reader::view(
            ctx.store.as_ref(),
            self.stream.log_id,
            created_ms(&self.stream),
            ctx.streams.log_policy(),
            self.closed(),
        )
        .await?)
    }
}

/// When a stream was created, milliseconds since the epoch (its first shard's creation).
pub fn created_ms(stream: &TableStream) -> u64 {
    (stream.created_at * 1000.0).max(0.0) as u64
}

/// The streams of `def` still listed at `now`, oldest first.
pub fn listed(
    def: &TableDefinition,
    now: f64,
) -> impl Iterator<Item = (&TableStream, Option<f64>)> {
    def.all_streams().filter(move |(_, disabled)| {
        disabled.is_none_or(|at| now - at < PAST_STREAM_RETENTION_SECONDS)
    })
}

/// Finds the stream `arn` names, after authorizing `action` on it. A malformed ARN is a
/// ValidationException; a well-formed one of no stream (another account's or region's
/// included) is a ResourceNotFoundException.
pub async fn locate(ctx: &Ctx, action: &str, arn: &str) -> Result<Located, ApiError> {
    let parsed = arn::parse(arn).ok_or_else(|| ApiError::validation(INVALID_STREAM_ARN))?;
    let ours = parsed.account_id == ctx.account_id() && parsed.region == ctx.region();
    let table = if ours {
        lifecycle::find(ctx, parsed.table).await?
    } else {
        None
    };
    authorize::on_stream(ctx, action, arn, table.as_deref()).await?;
    let table = table.ok_or_else(|| stream_not_found(arn))?;
    let now = ctx.now_epoch();
    let (stream, disabled_at) = listed(&table, now)
        .find(|(s, _)| s.label == parsed.label)
        .map(|(s, d)| (s.clone(), d))
        .ok_or_else(|| stream_not_found(arn))?;
    Ok(Located {
        table,
        stream,
        disabled_at,
    })
}

/// A shard's ShardId: `shardId-<creation time, ms, 20 digits>-<index, 8 hex digits>`, so
/// ShardIds sort in creation order (a child is always created after its parent).
pub fn shard_id(meta: &ShardMeta) -> String {
    format_shard_id(meta.created_ms, meta.index)
}

/// The ParentShardId of a shard (every shard but the first has one).
pub fn parent_shard_id(meta: &ShardMeta) -> Option<String> {
    match (meta.parent_ms, meta.index.checked_sub(1)) {
        (Some(ms), Some(index)) => Some(format_shard_id(ms, index)),
        _ => None,
    }
}

fn format_shard_id(created_ms: u64, index: u32) -> String {
    format!("shardId-{created_ms:020}-{index:08x}")
}

/// The creation time and index a ShardId names; `None` unless `shard_id` made it.
pub fn parse_shard_id(text: &str) -> Option<(u64, u32)> {
    let rest = text.strip_prefix("shardId-")?;
    let (ms, index) = rest.split_once('-')?;
    if ms.len() != 20 || index.len() != 8 || !ms.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((ms.parse().ok()?, u32::from_str_radix(index, 16).ok()?))
}

/// Checks a string member's length, as DynamoDB's constraint errors word it.
pub fn check_length(c: &mut Constraints, value: Option<&str>, path: &str, min: usize, max: usize) {
    let Some(v) = value else {
        return;
    };
    if v.chars().count() < min {
        c.violation(
            Some(v),
            path,
            &format!("Member must have length greater than or equal to {min}"),
        );
    }
    if v.chars().count() > max {
        c.violation(
            Some(v),
            path,
            &format!("Member must have length less than or equal to {max}"),
        );
    }
}

/// Checks that a required member is present.
pub fn check_present<T>(c: &mut Constraints, value: Option<&T>, path: &str) {
    if value.is_none() {
        c.violation(None, path, "Member must not be null");
    }
}

/// Checks a `Limit` member: at least 1 (a constraint error), at most `max` (DynamoDB Local's
/// wording for the upper bound, which the service model does not carry).
pub fn check_limit(limit: Option<i64>, max: i64, too_high: &str) -> Result<usize, ApiError> {
    let mut c = Constraints::new();
    if let Some(l) = limit {
        if l < 1 {
            c.violation(
                Some(&l.to_string()),
                "limit",
                "Member must have value greater than or equal to 1",
            );
        }
    }
    c.finish()?;
    match limit {
        Some(l) if l > max => Err(ApiError::validation(format!(
            "One or more parameter values were invalid: {too_high}"
        ))),
        Some(l) => Ok(usize::try_from(l).unwrap_or(1)),
        None => Ok(usize::try_from(max).unwrap_or(1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_ids_have_aws_shape_sort_by_creation_and_parse_back() {
        let a = ShardMeta {
            index: 0,
            created_ms: 1_775_631_600_000,
            start: 1,
            end: None,
            parent_ms: None,
        };
        let b = ShardMeta {
            index: 16,
            created_ms: 1_775_631_600_001,
            ..a
        };
        let (ia, ib) = (shard_id(&a), shard_id(&b));
        assert_eq!(ia, "shardId-00000001775631600000-00000000");
        assert!((28..=65).contains(&ia.len()));
        assert!(ia < ib);
        assert_eq!(parse_shard_id(&ib), Some((1_775_631_600_001, 16)));
        assert_eq!(parent_shard_id(&a), None);
        let child = ShardMeta {
            index: 1,
            parent_ms: Some(a.created_ms),
            ..b
        };
        assert_eq!(parent_shard_id(&child), Some(ia.clone()));
        assert_eq!(
            parse_shard_id("semprinidfaasdasfsdvacsdcfsdsvsdvsdvsdvsdvsdv"),
            None
        );
        assert_eq!(parse_shard_id("shardId-1-2"), None);
    }

    #[test]
    fn limits_are_checked_as_dynamodb_does() {
        assert_eq!(check_limit(None, 100, "x").unwrap(), 100);
        assert_eq!(check_limit(Some(7), 100, "x").unwrap(), 7);
        let low = check_limit(Some(0), 100, "x").unwrap_err();
        assert_eq!(
            low,
            ApiError::validation("1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
        );
        let high = check_limit(Some(101), 100, "Limit too high").unwrap_err();
        assert_eq!(
            high,
            ApiError::validation("One or more parameter values were invalid: Limit too high")
        );
    }
}
