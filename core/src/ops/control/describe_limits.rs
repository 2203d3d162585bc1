//! DescribeLimits: the account's provisioned-capacity quotas in the region. extenddb enforces
//! no account quota, so it answers DynamoDB's default quotas (80,000 read and write capacity
//! units per account, 40,000 per table), which is what tools that size tables from it expect.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::ops::authorize;
use crate::ops::request::protocol;
use crate::ops::Operation;
use serde::Serialize;

/// DynamoDB's default account-level read and write capacity quota per region.
pub const ACCOUNT_MAX_CAPACITY_UNITS: i64 = 80_000;
/// DynamoDB's default table-level read and write capacity quota (table plus its GSIs).
pub const TABLE_MAX_CAPACITY_UNITS: i64 = 40_000;

/// DescribeLimits' output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// AccountMaxReadCapacityUnits.
    pub account_max_read_capacity_units: i64,
    /// AccountMaxWriteCapacityUnits.
    pub account_max_write_capacity_units: i64,
    /// TableMaxReadCapacityUnits.
    pub table_max_read_capacity_units: i64,
    /// TableMaxWriteCapacityUnits.
    pub table_max_write_capacity_units: i64,
}

/// Runs DescribeLimits (authorized account-wide, resource `*`, as IAM documents it).
pub async fn execute(ctx: &Ctx) -> Result<Response, ApiError> {
    authorize::on_account(ctx, "dynamodb:DescribeLimits").await?;
    Ok(Response {
        account_max_read_capacity_units: ACCOUNT_MAX_CAPACITY_UNITS,
        account_max_write_capacity_units: ACCOUNT_MAX_CAPACITY_UNITS,
        table_max_read_capacity_units: TABLE_MAX_CAPACITY_UNITS,
        table_max_write_capacity_units: TABLE_MAX_CAPACITY_UNITS,
    })
}

/// Decodes a DescribeLimits body (no members), runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let _: serde_json::Value = protocol::request(Operation::DescribeLimits, body)?;
    protocol::encode(&execute(ctx).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{catalog_with, ctx, untouched_store};

    #[tokio::test]
    async fn answers_the_default_quotas() {
        let c = ctx(catalog_with(vec![]), untouched_store());
        let body = handle(&c, b"{}").await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "AccountMaxReadCapacityUnits": 80000,
                "AccountMaxWriteCapacityUnits": 80000,
                "TableMaxReadCapacityUnits": 40000,
                "TableMaxWriteCapacityUnits": 40000
            })
        );
    }
}
