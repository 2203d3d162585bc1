//! Table metadata as the Catalog stores it: key schema, attribute definitions, billing, status.

pub use super::tags::Tag;
use serde::{Deserialize, Serialize};

/// `S`, `N` or `B`: the scalar types a key attribute may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScalarType {
    /// String.
    S,
    /// Number.
    N,
    /// Binary.
    B,
}

impl ScalarType {
    /// The type's descriptor as DynamoDB spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ScalarType::S => "S",
            ScalarType::N => "N",
            ScalarType::B => "B",
        }
    }
}

/// One key attribute: its name and scalar type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyAttribute {
    /// Attribute name.
    pub name: String,
    /// Its declared type (from AttributeDefinitions).
    pub attr_type: ScalarType,
}

/// A primary key: a partition (HASH) attribute and an optional sort (RANGE) attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySchema {
    /// The partition key.
    pub hash: KeyAttribute,
    /// The sort key, if the table has one.
    pub range: Option<KeyAttribute>,
}

impl KeySchema {
    /// The key attributes in order: partition then sort.
    pub fn attributes(&self) -> impl Iterator<Item = &KeyAttribute> {
        std::iter::once(&self.hash).chain(self.range.iter())
    }
}

/// Lifecycle state of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TableStatus {
    /// Being created.
    #[serde(rename = "CREATING")]
    Creating,
    /// Serving requests.
    #[serde(rename = "ACTIVE")]
    Active,
    /// Being updated.
    #[serde(rename = "UPDATING")]
    Updating,
    /// Being deleted.
    #[serde(rename = "DELETING")]
    Deleting,
}

impl TableStatus {
    /// The status as DynamoDB spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            TableStatus::Creating => "CREATING",
            TableStatus::Active => "ACTIVE",
            TableStatus::Updating => "UPDATING",
            TableStatus::Deleting => "DELETING",
        }
    }
}

/// Billing mode of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BillingMode {
    /// Provisioned capacity.
    #[serde(rename = "PROVISIONED")]
    Provisioned,
    /// On-demand.
    #[serde(rename = "PAY_PER_REQUEST")]
    PayPerRequest,
}

/// Provisioned read and write capacity units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Throughput {
    /// Read capacity units.
    pub read: i64,
    /// Write capacity units.
    pub write: i64,
}

/// `OnDemandThroughput`: the most request units per second an on-demand table may consume;
/// `None` (or -1 on the wire) means no maximum of the table's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OnDemandThroughput {
    /// MaxReadRequestUnits.
    #[serde(default)]
    pub max_read_request_units: Option<i64>,
    /// MaxWriteRequestUnits.
    #[serde(default)]
    pub max_write_request_units: Option<i64>,
}

/// `StreamViewType`: what a stream record of a change carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StreamViewType {
    /// Only the key attributes.
    #[serde(rename = "KEYS_ONLY")]
    KeysOnly,
    /// The item as it is after the change.
    #[serde(rename = "NEW_IMAGE")]
    NewImage,
    /// The item as it was before the change.
    #[serde(rename = "OLD_IMAGE")]
    OldImage,
    /// Both images.
    #[serde(rename = "NEW_AND_OLD_IMAGES")]
    NewAndOldImages,
}

impl StreamViewType {
    /// The view type as DynamoDB spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            StreamViewType::KeysOnly => "KEYS_ONLY",
            StreamViewType::NewImage => "NEW_IMAGE",
            StreamViewType::OldImage => "OLD_IMAGE",
            StreamViewType::NewAndOldImages => "NEW_AND_OLD_IMAGES",
        }
    }
}

/// The table's current DynamoDB stream, while one is enabled: every item change then hands a
/// record to the `StreamSink` inside the write's store transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableStream {
    /// StreamViewType.
    pub view_type: StreamViewType,
    /// LatestStreamLabel (an ISO-8601 timestamp with milliseconds): with the table's ARN it
    /// names the stream.
    pub label: String,
    /// Where the built-in sink keeps the stream's records (a storage id of its own, from
    /// `Catalog::next_storage_id`; see `streams::log`).
    #[serde(default)]
    pub log_id: u64,
    /// When the stream was enabled, seconds since the epoch (CreationRequestDateTime).
    #[serde(default)]
    pub created_at: f64,
}

/// A stream the table had before: disabled (or replaced by a new one), still listed and
/// readable, with every shard closed, until 24 hours after `disabled_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PastStream {
    /// The stream as it was while enabled.
    pub stream: TableStream,
    /// When it was disabled, seconds since the epoch.
    pub disabled_at: f64,
}

/// When provisioned capacity last changed, and how many decreases the current UTC day saw
/// (DynamoDB's `LastIncreaseDateTime`, `LastDecreaseDateTime`, `NumberOfDecreasesToday`).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ThroughputHistory {
    /// Last increase of either capacity, seconds since the epoch.
    #[serde(default)]
    pub last_increase: Option<f64>,
    /// Last decrease of either capacity, seconds since the epoch.
    #[serde(default)]
    pub last_decrease: Option<f64>,
    /// Decreases during the UTC day `decrease_day`.
    #[serde(default)]
    pub decreases: i64,
    /// The UTC day (days since the epoch) `decreases` counts.
    #[serde(default)]
    pub decrease_day: i64,
}

impl ThroughputHistory {
    /// `NumberOfDecreasesToday` as of `now` (seconds since the epoch): 0 once the day changed.
    pub fn decreases_on(&self, now: f64) -> i64 {
        if self.decrease_day == (now / 86_400.0).floor() as i64 {
            self.decreases
        } else {
            0
        }
    }
}

/// Everything the catalog knows about one table. Indexes, streams and TTL join it with their
/// issues; the struct is serde so backends can store it as a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableDefinition {
    /// Owning account (12 digits).
    pub account_id: String,
    /// Region used in the table's ARN.
    pub region: String,
    /// TableName.
    pub name: String,
    /// TableId (a UUID, as DynamoDB reports it).
    pub table_id: String,
    /// Storage identity: distinct for every incarnation of a table name, so a re-created table
    /// never sees a dropped table's items.
    pub storage_id: u64,
    /// The primary key.
    pub key_schema: KeySchema,
    /// AttributeDefinitions as given (name, type), in request order.
    pub attribute_definitions: Vec<KeyAttribute>,
    /// Billing mode.
    pub billing_mode: BillingMode,
    /// Provisioned throughput (zeros for on-demand, as DynamoDB reports them).
    pub throughput: Throughput,
    /// Lifecycle status.
    pub status: TableStatus,
    /// Creation time, seconds since the epoch.
    pub created_at: f64,
    /// When `status` was last set, seconds since the epoch (drives lazy transitions).
    pub status_since: f64,
    /// DeletionProtectionEnabled.
    #[serde(default)]
    pub deletion_protection: bool,
    /// LocalSecondaryIndexes (fixed at CreateTable).
    #[serde(default)]
    pub local_secondary_indexes: Vec<SecondaryIndex>,
    /// GlobalSecondaryIndexes (CreateTable, then UpdateTable).
    #[serde(default)]
    pub global_secondary_indexes: Vec<SecondaryIndex>,
    /// Changes of the table's provisioned capacity (UpdateTable).
    #[serde(default)]
    pub throughput_history: ThroughputHistory,
    /// When UpdateTable last switched the table to PAY_PER_REQUEST (`None`: never switched;
    /// an on-demand table then reports its creation time).
    #[serde(default)]
    pub pay_per_request_since: Option<f64>,
    /// Time to Live: the attribute holding each item's expiry (epoch seconds) while TTL is
    /// enabled (UpdateTimeToLive), `None` while it is disabled.
    #[serde(default)]
    pub time_to_live_attribute: Option<String>,
    /// The table's tags (CreateTable's Tags, then TagResource / UntagResource), in the order
    /// keys were first set. Only `Catalog::update_tags` changes them once the table exists:
    /// `Catalog::put_table` keeps the stored ones, so a concurrent definition change never
    /// undoes a tag change.
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// OnDemandThroughput of an on-demand table (CreateTable, UpdateTable).
    #[serde(default)]
    pub on_demand_throughput: Option<OnDemandThroughput>,
    /// The enabled stream, if any.
    #[serde(default)]
    pub stream: Option<TableStream>,
    /// Streams disabled within the last 24 hours, oldest first (still listed and readable).
    #[serde(default)]
    pub past_streams: Vec<PastStream>,
    /// Time to Live upkeep: the expiry index and when TTL last changed.
    #[serde(default)]
    pub ttl: TtlState,
    /// Where the table was restored from (RestoreTableFromBackup), `None` for a table created
    /// by CreateTable. DescribeTable reports it as RestoreSummary.
    #[serde(default)]
    pub restore: Option<RestoreState>,
    /// Point-in-time recovery, while enabled (UpdateContinuousBackups).
    #[serde(default)]
    pub pitr: Option<PitrState>,
}

/// Point-in-time recovery of a table (`ops::pitr`): a base copy of the items as of `base_at`
/// plus a history of every item change since, written in each change's own transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PitrState {
    /// When PITR was enabled, seconds since the epoch.
    pub enabled_at: f64,
    /// RecoveryPeriodInDays (1–35).
    pub recovery_days: u32,
    /// Where the history entries live (`ops::pitr::history`).
    pub history_id: u64,
    /// Where the base copy lives.
    pub base_id: u64,
    /// The instant the base copy is as of; `None` until it is taken. The earliest restorable
    /// time.
    pub base_at: Option<f64>,
}

/// A restored table's origin and whether its items are still being copied
/// (`ops::backup::restore_table_from_backup`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestoreState {
    /// SourceBackupArn: the backup restored from.
    pub source_backup_arn: Option<String>,
    /// SourceTableArn: the table the backup was taken of.
    pub source_table_arn: Option<String>,
    /// RestoreDateTime: the instant the restored items are as of, seconds since the epoch.
    pub restore_date_time: f64,
    /// RestoreInProgress: true until every item is copied. While true the table stays
    /// CREATING and its GSIs are not backfilled.
    pub in_progress: bool,
    /// The source table's point-in-time state the items are rebuilt from
    /// (RestoreTableToPointInTime); `None` for a restore from a backup.
    #[serde(default)]
    pub source_pitr: Option<PitrState>,
    /// The process copying the items and until when its claim holds
    /// (`ops::background::restores`); `None` until a worker claims the restore.
    #[serde(default)]
    pub claim: Option<Claim>,
}

/// A claim on background work that must run once (a restore's copy, a backup's): the process
/// doing it and until when, seconds since the epoch. A claim past its time, or of another
/// process when this one serves the store alone, belongs to a process that died
/// (`ops::background::claim`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// The owning process (`ops::background::claim::process_id`).
    pub owner: String,
    /// Until when the claim holds unless renewed.
    pub until: f64,
}

/// Time to Live beyond the attribute: the expiry index the sweeper finds expired items by,
/// and when UpdateTimeToLive last changed the setting (ENABLING / DISABLING, and DynamoDB's
/// one change per interval).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TtlState {
    /// The expiry index, while TTL is enabled.
    #[serde(default)]
    pub index: Option<TtlIndex>,
    /// When UpdateTimeToLive last changed TTL, seconds since the epoch.
    #[serde(default)]
    pub changed_at: Option<f64>,
}

/// An index of a table's items by expiry (`ops::index::ttl_index`): kept by every write in
/// its transaction, filled for the items older than it by a backfill pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TtlIndex {
    /// Where its entries are stored.
    pub storage_id: u64,
    /// The TTL attribute it indexes.
    pub attribute: String,
    /// When it was stored, seconds since the epoch: its backfill waits until requests that
    /// read the definition before then (and so keep no entries) have finished.
    #[serde(default)]
    pub since: f64,
    /// True once every item written before the index existed has its entry.
    #[serde(default)]
    pub backfilled: bool,
    /// The backfill's progress: the last item key done (`None`: from the start).
    #[serde(default)]
    pub backfill_after: Option<Vec<u8>>,
}

impl TableDefinition {
    /// Every secondary index, local ones first, with whether it is global.
    pub fn indexes(&self) -> impl Iterator<Item = (&SecondaryIndex, bool)> {
        self.local_secondary_indexes
            .iter()
            .map(|i| (i, false))
            .chain(self.global_secondary_indexes.iter().map(|i| (i, true)))
    }

    /// The index named `name`, with whether it is global.
    pub fn index(&self, name: &str) -> Option<(&SecondaryIndex, bool)> {
        self.indexes().find(|(i, _)| i.name == name)
    }

    /// The table's ARN. Built by concatenation (one allocation of the exact size): every
    /// authorized request asks for it, and `format!` costs several times as much.
    pub fn arn(&self) -> String {
        self.arn_with(&[])
    }

    /// The ARN of the table's index `index`.
    pub fn index_arn(&self, index: &str) -> String {
        self.arn_with(&["/index/", index])
    }

    /// The table's ARN followed by `tail`.
    fn arn_with(&self, tail: &[&str]) -> String {
        let head = [
            "arn:aws:dynamodb:",
            self.region.as_str(),
            ":",
            self.account_id.as_str(),
            ":table/",
            self.name.as_str(),
        ];
        let len = head.iter().chain(tail).map(|s| s.len()).sum();
        let mut arn = String::with_capacity(len);
        for s in head.iter().chain(tail) {
            arn.push_str(s);
        }
        arn
    }

    /// The ARN of the table's enabled stream, if any.
    pub fn stream_arn(&self) -> Option<String> {
        self.stream.as_ref().map(|s| self.stream_arn_of(&s.label))
    }

    /// The ARN of the table's stream labelled `label` (current or past).
    pub fn stream_arn_of(&self, label: &str) -> String {
        format!("{}/stream/{label}", self.arn())
    }

    /// Every stream of the table still listed: the past ones (oldest first), then the enabled
    /// one; each with when it was disabled (`None` while enabled).
    pub fn all_streams(&self) -> impl Iterator<Item = (&TableStream, Option<f64>)> {
        self.past_streams
            .iter()
            .map(|p| (&p.stream, Some(p.disabled_at)))
            .chain(self.stream.iter().map(|s| (s, None)))
    }
}

/// `KEYS_ONLY`, `INCLUDE` or `ALL`: which attributes an index entry carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProjectionType {
    /// The table's and the index's key attributes.
    #[serde(rename = "KEYS_ONLY")]
    KeysOnly,
    /// The keys plus `non_key_attributes`.
    #[serde(rename = "INCLUDE")]
    Include,
    /// The whole item.
    #[serde(rename = "ALL")]
    All,
}

impl ProjectionType {
    /// The type as DynamoDB spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectionType::KeysOnly => "KEYS_ONLY",
            ProjectionType::Include => "INCLUDE",
            ProjectionType::All => "ALL",
        }
    }
}

/// Lifecycle state of a secondary index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndexStatus {
    /// Being created (a GSI added by UpdateTable is backfilled in this state).
    #[serde(rename = "CREATING")]
    Creating,
    /// Serving requests.
    #[serde(rename = "ACTIVE")]
    Active,
    /// Throughput being changed.
    #[serde(rename = "UPDATING")]
    Updating,
    /// Being deleted: no longer maintained or readable, entries dropped when due.
    #[serde(rename = "DELETING")]
    Deleting,
}

impl IndexStatus {
    /// The status as DynamoDB spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            IndexStatus::Creating => "CREATING",
            IndexStatus::Active => "ACTIVE",
            IndexStatus::Updating => "UPDATING",
            IndexStatus::Deleting => "DELETING",
        }
    }
}

/// One local or global secondary index. Its entries live under their own `storage_id`; an
/// entry's key is the index key followed by the table's primary key (`ops::index_keys`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecondaryIndex {
    /// IndexName.
    pub name: String,
    /// Where the index's entries are stored (from `Catalog::next_storage_id`).
    pub storage_id: u64,
    /// Partition (HASH) attributes: one, or up to four for a multi-attribute GSI key.
    pub hash: Vec<KeyAttribute>,
    /// Sort (RANGE) attributes: none, one, or up to four for a multi-attribute GSI key.
    pub range: Vec<KeyAttribute>,
    /// ProjectionType.
    pub projection: ProjectionType,
    /// NonKeyAttributes of an INCLUDE projection.
    #[serde(default)]
    pub non_key_attributes: Vec<String>,
    /// A GSI's provisioned throughput (`None` for LSIs and on-demand tables).
    #[serde(default)]
    pub throughput: Option<Throughput>,
    /// IndexStatus (LSIs are always ACTIVE).
    pub status: IndexStatus,
    /// When `status` was last set, seconds since the epoch.
    #[serde(default)]
    pub status_since: f64,
    /// Backfilling: true while a GSI added by UpdateTable is being filled from the table.
    #[serde(default)]
    pub backfilling: bool,
    /// This GSI's own propagation delay; `None` follows `gsi_propagation_delay_ms`.
    #[serde(default)]
    pub propagation_delay_ms: Option<u64>,
    /// Changes of a GSI's provisioned capacity (UpdateTable).
    #[serde(default)]
    pub throughput_history: ThroughputHistory,
}

impl SecondaryIndex {
    /// The index key attributes in order: partition ones, then sort ones.
    pub fn key_attributes(&self) -> impl Iterator<Item = &KeyAttribute> {
        self.hash.iter().chain(self.range.iter())
    }

    /// Whether writes maintain this index (every state but DELETING).
    pub fn maintained(&self) -> bool {
        self.status != IndexStatus::Deleting
    }
}
