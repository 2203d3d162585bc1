//! UpdateTimeToLive: enable Time to Live on a table's expiry attribute, or disable it.
//!
//! Order of checks, as DynamoDB answers: TableName present and 3–255 characters → constraint
//! errors (table name pattern, the specification and its members) → the table exists → the
//! change is a change (enabling an enabled table, disabling a disabled one or naming another
//! attribute than the enabled one are ValidationExceptions) → no other change within
//! `ttl_change_interval_seconds` (DynamoDB allows one per hour: "Time to live has been modified
//! multiple times within a fixed interval"). Enabling gives the table an expiry index (a new
//! storage id, backfilled by the sweeper); disabling queues that index's storage for dropping.
//! The setting is stored with the table definition; the server's TTL sweeper
//! (`background::ttl_sweep`) deletes expired items through the index.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::{TableDefinition, TtlIndex};
use crate::ops::authorize;
use crate::ops::request::protocol;
use crate::ops::table::drops::queue_drops;
use crate::ops::table::lifecycle;
use crate::ops::table::table_description::not_found;
use crate::ops::Operation;
use serde::{Deserialize, Serialize};

/// TimeToLiveSpecification: whether TTL is to be on, and on which attribute.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimeToLiveSpecification {
    /// Enabled (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// AttributeName (required, 1–255 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_name: Option<String>,
}

/// UpdateTimeToLive's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// TableName (required).
    pub table_name: Option<String>,
    /// TimeToLiveSpecification (required).
    pub time_to_live_specification: Option<TimeToLiveSpecification>,
}

/// UpdateTimeToLive's response: the specification as applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// The specification now in force (echoes the request).
    pub time_to_live_specification: TimeToLiveSpecification,
}

/// DynamoDB's answer when the table already has TTL on this attribute.
pub const ALREADY_ENABLED: &str = "TimeToLive is already enabled";
/// DynamoDB's answer when TTL is disabled already.
pub const ALREADY_DISABLED: &str = "TimeToLive is already disabled";

/// DynamoDB's answer to a second change within the interval.
pub const MODIFIED_TOO_OFTEN: &str =
    "Time to live has been modified multiple times within a fixed interval";

/// Refuses a change made within `interval` seconds of the last one (`changed_at`).
pub fn check_interval(changed_at: Option<f64>, now: f64, interval: f64) -> Result<(), ApiError> {
    match changed_at {
        Some(at) if now - at < interval => Err(ApiError::validation(MODIFIED_TOO_OFTEN)),
        _ => Ok(()),
    }
}

/// DynamoDB's answer when the request names another attribute than the one TTL is on.
fn different_attribute(current: &str) -> ApiError {
    ApiError::validation(format!(
        "TimeToLive is active on a different AttributeName: current AttributeName is {current}"
    ))
}

/// Checks the request; returns the table name, whether TTL is to be on, and the attribute.
fn validate(req: &Request) -> Result<(&str, bool, &str), ApiError> {
    // The model's constraints (`shapes`) refused the request unless all are present.
    let name = req.table_name.as_deref().unwrap_or_default();
    let spec = req.time_to_live_specification.as_ref();
    let enabled = spec.and_then(|s| s.enabled).unwrap_or_default();
    let attribute = spec
        .and_then(|s| s.attribute_name.as_deref())
        .unwrap_or_default();
    Ok((name, enabled, attribute))
}

/// The TTL attribute after the change from `current`, or DynamoDB's refusal.
pub fn apply(
    current: Option<&str>,
    enabled: bool,
    attribute: &str,
) -> Result<Option<String>, ApiError> {
    match (current, enabled) {
        (Some(a), true) if a == attribute => Err(ApiError::validation(ALREADY_ENABLED)),
        (Some(a), _) if a != attribute => Err(different_attribute(a)),
        (None, false) => Err(ApiError::validation(ALREADY_DISABLED)),
        (_, true) => Ok(Some(attribute.to_string())),
        (_, false) => Ok(None),
    }
}

/// Runs UpdateTimeToLive.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let (name, enabled, attribute) = validate(&req)?;
    let found = lifecycle::find(ctx, name).await?;
    authorize::on_lookup(ctx, "dynamodb:UpdateTimeToLive", name, found.as_deref()).await?;
    let found = found.ok_or_else(|| not_found(name))?;
    let now = ctx.now_epoch();
    let interval = ctx.settings.ttl_change_interval().as_secs_f64();
    // Allocated before the compare-and-swap so the change stays synchronous; an id left unused
    // by a refused request is harmless (ids only need to be unique).
    let new_index = if enabled {
        Some(ctx.catalog.next_storage_id().await?)
    } else {
        None
    };
    let mut dropped = None;
    // Applied to the stored definition (again after a concurrent change), so a new GSI or a
    // status transition stored meanwhile is kept, and two racing changes cannot both pass the
    // interval check.
    ctx.catalog
        .update_table(&found.account_id, name, |def: &mut TableDefinition| {
            def.time_to_live_attribute =
                apply(def.time_to_live_attribute.as_deref(), enabled, attribute)?;
            check_interval(def.ttl.changed_at, now, interval)?;
            def.ttl.changed_at = Some(now);
            dropped = None;
            match new_index {
                Some(storage_id) => {
                    def.ttl.index = Some(TtlIndex {
                        storage_id,
                        attribute: attribute.to_string(),
                        backfilled: false,
                        backfill_after: None,
                        since: now,
                    });
                }
                None => dropped = def.ttl.index.take().map(|index| index.storage_id),
            }
            Ok(true)
        })
        .await
        .map_err(|e| match e {
            crate::traits::CatalogError::NotFound => not_found(name),
            other => other.into(),
        })?;
    // Queued once the catalog no longer names the index (queued before, a lost race would drop
    // the storage of an index still in use).
    if let Some(storage_id) = dropped {
        queue_drops(ctx, &[storage_id]).await?;
    }
    Ok(Response {
        time_to_live_specification: TimeToLiveSpecification {
            enabled: Some(enabled),
            attribute_name: Some(attribute.to_string()),
        },
    })
}

/// Decodes an UpdateTimeToLive body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::UpdateTimeToLive, body)?;
    protocol::encode(&execute(ctx, req).await?)
}

#[cfg(test)]
#[path = "update_time_to_live_tests.rs"]
mod tests;
