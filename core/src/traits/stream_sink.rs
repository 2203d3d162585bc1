//! `StreamSink`: where an item change's stream record goes. Core hands every change of an item
//! of a stream-enabled table to the sink *inside* the write's store transaction: the sink
//! answers the writes that record it, and the store applies them with the item change, so a
//! record exists exactly when its change committed — a crash can neither lose nor invent one,
//! and records of one key follow the key's commit order. The built-in sink keeps records in
//! the store for the DynamoDB Streams API; a sink that forwards records elsewhere (a message
//! broker, a webhook) reads them back from there after commit, at least once.

use crate::error::ApiError;
use crate::model::stream::ShardPolicy;
use crate::model::table::TableDefinition;
use crate::model::Item;
use crate::traits::{ItemKey, WriteOp};

/// One change of one item, as the write transaction decided it.
#[derive(Debug, Clone, Copy)]
pub struct ItemChange<'a> {
    /// The table (its stream settings name the stream and the view type).
    pub table: &'a TableDefinition,
    /// The item's storage key.
    pub key: &'a ItemKey,
    /// The item before the change (`None`: it did not exist — an INSERT).
    pub old: Option<&'a Item>,
    /// The item after the change (`None`: it was removed — a REMOVE).
    pub new: Option<&'a Item>,
    /// When the change was made, seconds since the epoch (ApproximateCreationDateTime).
    pub at: f64,
    /// True when DynamoDB itself made the change (a TTL deletion: the record's userIdentity
    /// names the service).
    pub by_service: bool,
}

/// Turns item changes into the writes that record them in a stream.
pub trait StreamSink: Send + Sync {
    /// The writes recording `change`, applied in the same store transaction as the change.
    /// Core calls it only for tables with an enabled stream and only for changes that alter
    /// the item (an unchanged item writes no record). An error aborts the transaction.
    fn record(&self, change: &ItemChange<'_>) -> Result<Vec<WriteOp>, ApiError>;

    /// Whether tables may enable streams with this sink (CreateTable and UpdateTable refuse a
    /// StreamSpecification otherwise).
    fn supports_streams(&self) -> bool {
        true
    }

    /// When the sink keeps records in the store's stream logs (`streams::log`) — the built-in
    /// sink and sinks that wrap it — the shard policy it appends with: the DynamoDB Streams
    /// API then serves those logs. `None` for a sink that keeps no log (the API then finds no
    /// records).
    fn log_policy(&self) -> Option<ShardPolicy> {
        None
    }
}

/// A sink for deployments without streams: no table can enable one (CreateTable and
/// UpdateTable refuse a StreamSpecification while this is the sink), so it is never asked.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoStreams;

impl StreamSink for NoStreams {
    fn record(&self, _: &ItemChange<'_>) -> Result<Vec<WriteOp>, ApiError> {
        Ok(Vec::new())
    }

    fn supports_streams(&self) -> bool {
        false
    }
}
