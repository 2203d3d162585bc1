//! Which buckets a claim draws from, at what rate, and how a refusal reads — DynamoDB's
//! capacity rules as data:
//!
//! - a provisioned table (and each provisioned GSI) refills at its provisioned units per
//!   second and keeps up to 300 s of unused capacity as burst; a new bucket holds what the
//!   resource has accrued since it was created (at least 1 s, at most 300 s);
//! - an on-demand table is capped by its `OnDemandThroughput` maximum when one is set, else by
//!   the per-table account quota (40,000 units/s), each with 1 s of burst;
//! - every partition serves at most 3,000 read or 1,000 write units per second, on either
//!   billing mode, with up to `PARTITION_BURST_SECONDS` of unused capacity as burst: DynamoDB's
//!   partition limit. A partition is modelled as 1/65,536 of the key space (the 16-bit hash
//!   that starts every encoded key), so in practice one hot partition-key value; the key
//!   ranges real partitions hold, their splits and adaptive capacity are not modelled.
//!
//! A write draws from the table, its partition and every provisioned GSI it maintains; a read
//! from the table (or the GSI it reads) and the partition it reads.

use crate::error::{ApiError, ThrottlingReason};
use crate::model::table::BillingMode;
use crate::traits::throttler::{Claim, Direction};

/// Seconds of unused provisioned capacity a bucket keeps (DynamoDB's burst capacity).
pub const BURST_SECONDS: f64 = 300.0;
/// Read units per second one partition serves at most.
pub const PARTITION_READ_UNITS: f64 = 3_000.0;
/// Write units per second one partition serves at most.
pub const PARTITION_WRITE_UNITS: f64 = 1_000.0;
/// Seconds of unused capacity a partition bucket keeps. DynamoDB documents the per-second
/// partition limits but not the window they are measured over; 5 s is our model — a burst of
/// a few large writes to one key passes, a sustained rate above the limit is refused.
pub const PARTITION_BURST_SECONDS: f64 = 5.0;

/// The default per-table account quota of an on-demand table, read or write units/s.
pub const ACCOUNT_TABLE_UNITS: f64 = 40_000.0;

/// DynamoDB's message for a provisioned table whose capacity is spent.
pub const TABLE_PROVISIONED: &str = "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.";
/// DynamoDB's message for a provisioned GSI whose capacity is spent.
pub const INDEX_PROVISIONED: &str = "The level of configured provisioned throughput for one or more global secondary indexes of the table was exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes with the UpdateTable API";
/// DynamoDB's message for an on-demand table or a hot key.
pub const ON_DEMAND: &str = "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or index so please try again shortly. If exceptions persist, check if you have a hot key: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html";

/// Why a bucket exists: the `LimitType` part of a throttling reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitType {
    /// Provisioned capacity of a table or GSI.
    ProvisionedThroughputExceeded,
    /// The per-table account quota of an on-demand table.
    AccountLimitExceeded,
    /// One partition-key value's limit.
    KeyRangeThroughputExceeded,
    /// An on-demand table's `OnDemandThroughput` maximum.
    MaxOnDemandThroughputExceeded,
}

impl LimitType {
    fn as_str(self) -> &'static str {
        match self {
            LimitType::ProvisionedThroughputExceeded => "ProvisionedThroughputExceeded",
            LimitType::AccountLimitExceeded => "AccountLimitExceeded",
            LimitType::KeyRangeThroughputExceeded => "KeyRangeThroughputExceeded",
            LimitType::MaxOnDemandThroughputExceeded => "MaxOnDemandThroughputExceeded",
        }
    }
}

/// What a bucket meters: the table (with its LSIs) or one GSI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meters<'a> {
    /// The table's own units plus its LSIs'.
    Table,
    /// One GSI's units.
    Index(&'a str),
}

/// One bucket a claim draws from.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit<'a> {
    /// The storage id of the resource (table or index): a new incarnation starts afresh.
    pub resource_id: u64,
    /// The hashed partition-key value, for a partition bucket.
    pub partition: Option<u64>,
    /// Units per second.
    pub rate: f64,
    /// The most units the bucket holds.
    pub capacity: f64,
    /// What a bucket seen for the first time holds.
    pub initial: f64,
    /// Whose units are charged to it.
    pub meters: Meters<'a>,
    /// Why it exists.
    pub limit: LimitType,
    /// The index name when the bucket belongs to a GSI.
    pub index: Option<&'a str>,
}

/// Calls `f` with every bucket `claim` draws from: the resource's own bucket, the provisioned
/// GSIs a write maintains, then the partition's.
pub fn for_each<'a>(
    claim: &Claim<'a>,
    partition: Option<u64>,
    now: f64,
    mut f: impl FnMut(Limit<'a>),
) {
    let def = claim.table;
    let write = claim.direction == Direction::Write;
    let pick = |read: i64, written: i64| if write { written } else { read } as f64;
    let accrued = |rate: f64, since: f64| rate * (now - since).clamp(1.0, BURST_SECONDS);
    let gsi = claim
        .index
        .and_then(|name| def.global_secondary_indexes.iter().find(|i| i.name == name));
    match (gsi, def.billing_mode) {
        (Some(index), BillingMode::Provisioned) => {
            if let Some(t) = index.throughput {
                let rate = pick(t.read, t.write);
                f(Limit {
                    resource_id: index.storage_id,
                    partition: None,
                    rate,
                    capacity: rate * BURST_SECONDS,
                    initial: accrued(rate, index.status_since.max(def.created_at)),
                    meters: Meters::Index(&index.name),
                    limit: LimitType::ProvisionedThroughputExceeded,
                    index: Some(&index.name),
                });
            }
        }
        (Some(_), BillingMode::PayPerRequest) => {}
        (None, BillingMode::Provisioned) => {
            let rate = pick(def.throughput.read, def.throughput.write);
            f(Limit {
                resource_id: def.storage_id,
                partition: None,
                rate,
                capacity: rate * BURST_SECONDS,
                initial: accrued(rate, def.created_at),
                meters: Meters::Table,
                limit: LimitType::ProvisionedThroughputExceeded,
                index: None,
            });
        }
        (None, BillingMode::PayPerRequest) => {
            let max = def.on_demand_throughput.and_then(|o| {
                if write {
                    o.max_write_request_units
                } else {
                    o.max_read_request_units
                }
            });
            let (rate, limit) = match max.filter(|m| *m > 0) {
                Some(m) => (m as f64, LimitType::MaxOnDemandThroughputExceeded),
                None => (ACCOUNT_TABLE_UNITS, LimitType::AccountLimitExceeded),
            };
            f(Limit {
                resource_id: def.storage_id,
                partition: None,
                rate,
                capacity: rate,
                initial: rate,
                meters: Meters::Table,
                limit,
                index: None,
            });
        }
    }
    if write && def.billing_mode == BillingMode::Provisioned {
        for index in def
            .global_secondary_indexes
            .iter()
            .filter(|i| i.maintained())
        {
            if let Some(t) = index.throughput {
                let rate = t.write as f64;
                f(Limit {
                    resource_id: index.storage_id,
                    partition: None,
                    rate,
                    capacity: rate * BURST_SECONDS,
                    initial: accrued(rate, index.status_since.max(def.created_at)),
                    meters: Meters::Index(&index.name),
                    limit: LimitType::ProvisionedThroughputExceeded,
                    index: Some(&index.name),
                });
            }
        }
    }
    if let Some(p) = partition {
        let rate = if write {
            PARTITION_WRITE_UNITS
        } else {
            PARTITION_READ_UNITS
        };
        f(Limit {
            resource_id: gsi.map_or(def.storage_id, |i| i.storage_id),
            partition: Some(p),
            rate,
            capacity: rate * PARTITION_BURST_SECONDS,
            initial: rate * PARTITION_BURST_SECONDS,
            meters: gsi.map_or(Meters::Table, |i| Meters::Index(&i.name)),
            limit: LimitType::KeyRangeThroughputExceeded,
            index: gsi.map(|i| i.name.as_str()),
        });
    }
}

/// The units a bucket metering `meters` is charged out of what a request consumed.
pub fn units_for(meters: Meters<'_>, consumed: &crate::ops::request::capacity::Units) -> f64 {
    match meters {
        Meters::Table => {
            consumed.table.unwrap_or(0.0) + consumed.local.iter().map(|(_, u)| u).sum::<f64>()
        }
        Meters::Index(name) => consumed
            .global
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, u)| u)
            .sum(),
    }
}

/// DynamoDB's error for a claim refused by the buckets `refused` (in check order): the first
/// decides the exception and message, every one is listed in the throttling reasons.
pub fn refusal(claim: &Claim<'_>, refused: &[Limit<'_>]) -> ApiError {
    let def = claim.table;
    let op = match claim.direction {
        Direction::Read => "Read",
        Direction::Write => "Write",
    };
    let reasons = refused
        .iter()
        .map(|l| {
            let (kind, resource) = match l.index {
                Some(index) => ("Index", format!("{}/index/{index}", def.arn())),
                None => ("Table", def.arn()),
            };
            ThrottlingReason {
                reason: format!("{kind}{op}{}", l.limit.as_str()),
                resource,
            }
        })
        .collect();
    let first = &refused[0];
    let provisioned = def.billing_mode == BillingMode::Provisioned;
    match first.limit {
        // Best guess: a hot key on a provisioned table answers as provisioned throughput did
        // before ThrottlingReasons existed; on-demand tables answer ThrottlingException.
        LimitType::ProvisionedThroughputExceeded | LimitType::KeyRangeThroughputExceeded
            if provisioned =>
        {
            let message =
                if first.index.is_some() && first.limit != LimitType::KeyRangeThroughputExceeded {
                    INDEX_PROVISIONED
                } else {
                    TABLE_PROVISIONED
                };
            ApiError::ProvisionedThroughputExceeded {
                message: message.to_string(),
                reasons,
            }
        }
        _ => ApiError::Throttling {
            message: ON_DEMAND.to_string(),
            reasons,
        },
    }
}
