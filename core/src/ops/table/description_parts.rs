//! The small structures of a `TableDescription` that table and index descriptions share.

use crate::model::table::{OnDemandThroughput, ThroughputHistory};
use serde::Serialize;

/// One `KeySchemaElement` as DynamoDB reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeySchemaElement {
    /// The key attribute's name.
    pub attribute_name: String,
    /// `HASH` or `RANGE`.
    pub key_type: String,
}

/// One `AttributeDefinition` as DynamoDB reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeDefinition {
    /// The attribute's name.
    pub attribute_name: String,
    /// `S`, `N` or `B`.
    pub attribute_type: String,
}

/// `ProvisionedThroughputDescription`: zeros for on-demand tables, as DynamoDB reports them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProvisionedThroughputDescription {
    /// When UpdateTable last raised a capacity, seconds since the epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_increase_date_time: Option<f64>,
    /// When UpdateTable last lowered a capacity, seconds since the epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_decrease_date_time: Option<f64>,
    /// Decreases made during the current UTC day.
    pub number_of_decreases_today: i64,
    /// Read capacity units.
    pub read_capacity_units: i64,
    /// Write capacity units.
    pub write_capacity_units: i64,
}

impl ProvisionedThroughputDescription {
    /// The description of capacities `read` / `write` with their change history.
    /// `now` (seconds since the epoch) decides which day `NumberOfDecreasesToday` counts.
    pub fn new(history: &ThroughputHistory, read: i64, write: i64, now: f64) -> Self {
        ProvisionedThroughputDescription {
            last_increase_date_time: history.last_increase,
            last_decrease_date_time: history.last_decrease,
            number_of_decreases_today: history.decreases_on(now),
            read_capacity_units: read,
            write_capacity_units: write,
        }
    }
}

/// `OnDemandThroughput` as DynamoDB reports it: `-1` where no maximum is set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OnDemandThroughputDescription {
    /// MaxReadRequestUnits.
    pub max_read_request_units: i64,
    /// MaxWriteRequestUnits.
    pub max_write_request_units: i64,
}

impl OnDemandThroughputDescription {
    /// The description of a stored maximum.
    pub fn new(o: &OnDemandThroughput) -> Self {
        OnDemandThroughputDescription {
            max_read_request_units: o.max_read_request_units.unwrap_or(-1),
            max_write_request_units: o.max_write_request_units.unwrap_or(-1),
        }
    }
}
