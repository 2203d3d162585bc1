//! `Throttler`: capacity admission and accounting. Core asks it twice per request and per item
//! of a batch or transaction: `admit` before the store is touched (is there capacity left in
//! every bucket the request draws from?) and `charge` after, with the units DynamoDB's
//! item-size rules say the request consumed (balances may go negative, as DynamoDB's do).
//! `admit_grant`/`charge_grant` are the same pair passing what admission found on to the
//! charge. Core calls none of them while the `throttling_enabled` setting is off. The
//! implementation that models DynamoDB is `crate::throttle::BucketThrottler`.

use crate::error::ApiError;
use crate::model::table::TableDefinition;
use crate::ops::request::capacity::Units;
pub use crate::throttle::Grant;

/// Whether a claim reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Read capacity.
    Read,
    /// Write capacity.
    Write,
}

/// One request's (or one batch item's) claim on capacity.
#[derive(Debug, Clone, Copy)]
pub struct Claim<'a> {
    /// The table, as the request sees it (its capacity settings and indexes).
    pub table: &'a TableDefinition,
    /// The global secondary index a read goes to; `None` for the table (and LSIs, which
    /// share the table's capacity).
    pub index: Option<&'a str>,
    /// The encoded partition-key value the request touches; `None` for a Scan.
    pub partition: Option<&'a [u8]>,
    /// Read or write.
    pub direction: Direction,
}

/// Admits or refuses capacity claims and accounts for what requests consumed.
pub trait Throttler: Send + Sync {
    /// `Ok` when every bucket `claim` draws from has capacity left at `now` (seconds since
    /// the epoch); otherwise DynamoDB's throttling error (ProvisionedThroughputExceeded or
    /// Throttling, with its `ThrottlingReasons`).
    fn admit(&self, claim: &Claim<'_>, now: f64) -> Result<(), ApiError>;

    /// Takes `consumed` from the buckets `claim` drew from (table and LSI units from the
    /// table's, each GSI's units from that index's).
    fn charge(&self, claim: &Claim<'_>, consumed: &Units, now: f64);

    /// `admit`, answering on success the buckets it drew from so that `charge_grant` reaches
    /// them without looking them up again. By default an empty grant.
    fn admit_grant(&self, claim: &Claim<'_>, now: f64) -> Result<Grant, ApiError> {
        self.admit(claim, now).map(|()| Grant::default())
    }

    /// `charge`, through the buckets `grant` (from `admit_grant` of the same claim) holds.
    /// By default the grant is ignored.
    fn charge_grant(&self, claim: &Claim<'_>, grant: Grant, consumed: &Units, now: f64) {
        drop(grant);
        self.charge(claim, consumed, now);
    }
}

/// Admits everything and keeps no accounts: for embedders that never throttle.
#[derive(Debug, Default, Clone, Copy)]
pub struct Unthrottled;

impl Throttler for Unthrottled {
    fn admit(&self, _: &Claim<'_>, _: f64) -> Result<(), ApiError> {
        Ok(())
    }

    fn charge(&self, _: &Claim<'_>, _: &Units, _: f64) {}
}
