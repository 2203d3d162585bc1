//! `Throttler`: token buckets per table and partition. The `Unthrottled` implementation is the
//! one used while `throttling_enabled` is false.

use crate::error::ApiError;
use async_trait::async_trait;

/// Admits or refuses request capacity.
#[async_trait]
pub trait Throttler: Send + Sync {
    /// Takes `read_units` / `write_units` from the buckets of `table_arn` and `partition`;
    /// `ProvisionedThroughputExceeded` when they are empty.
    async fn acquire(
        &self,
        table_arn: &str,
        partition: &[u8],
        read_units: f64,
        write_units: f64,
    ) -> Result<(), ApiError>;
}

/// Admits everything: throttling disabled.
#[derive(Debug, Default, Clone, Copy)]
pub struct Unthrottled;

#[async_trait]
impl Throttler for Unthrottled {
    async fn acquire(&self, _: &str, _: &[u8], _: f64, _: f64) -> Result<(), ApiError> {
        Ok(())
    }
}
