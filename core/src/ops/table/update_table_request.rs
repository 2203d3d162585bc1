//! UpdateTable's request shape and the checks that need no table, in DynamoDB's order (after
//! the model's member constraints, `shapes`): "nothing to update", then the rules between
//! members.
//!
//! Messages as DynamoDB words them, learned from dynalite's updateTable validation tests,
//! ScyllaDB Alternator's test_gsi_updatetable.py and recorded DynamoDB answers catalogued by
//! the AWS controllers' quirk notes.

use crate::error::ApiError;
use crate::ops::index::index_definitions::IndexInput;
use crate::ops::request::shapes;
use crate::ops::request::table_input::{
    AttributeDefinitionInput, OnDemandThroughputInput, ProvisionedThroughputInput,
    StreamSpecification,
};
use serde::Deserialize;

/// The highest capacity DynamoDB accepts before answering "out of bounds".
pub const MAX_CAPACITY: i64 = 1_000_000_000_000;

/// DynamoDB's answer to an UpdateTable that changes nothing.
pub const NOTHING_TO_UPDATE: &str = "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required";

/// `Update` of a GlobalSecondaryIndexUpdate: a GSI's new capacity.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateIndexAction {
    /// The GSI to change.
    pub index_name: Option<String>,
    /// Its new capacity.
    pub provisioned_throughput: Option<ProvisionedThroughputInput>,
    /// Accepted and ignored (on-demand limits are not enforced).
    pub on_demand_throughput: Option<serde_json::Value>,
    /// Accepted and ignored.
    pub warm_throughput: Option<serde_json::Value>,
}

/// `Delete` of a GlobalSecondaryIndexUpdate.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteIndexAction {
    /// The GSI to delete.
    pub index_name: Option<String>,
}

/// One entry of GlobalSecondaryIndexUpdates: exactly one of its members must be set.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IndexUpdate {
    /// Add a GSI (backfilled from the table's items).
    pub create: Option<IndexInput>,
    /// Change a GSI's capacity.
    pub update: Option<UpdateIndexAction>,
    /// Remove a GSI.
    pub delete: Option<DeleteIndexAction>,
}

impl IndexUpdate {
    /// The index the entry names.
    pub fn index_name(&self) -> &str {
        self.create
            .as_ref()
            .and_then(|c| c.index_name.as_deref())
            .or_else(|| self.update.as_ref().and_then(|u| u.index_name.as_deref()))
            .or_else(|| self.delete.as_ref().and_then(|d| d.index_name.as_deref()))
            .unwrap_or_default()
    }
}

/// UpdateTable's input, member names as on the wire.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// The table to change.
    pub table_name: Option<String>,
    /// Definitions of the key attributes a GSI Create needs (others are ignored).
    pub attribute_definitions: Option<Vec<AttributeDefinitionInput>>,
    /// `PROVISIONED` or `PAY_PER_REQUEST`.
    pub billing_mode: Option<String>,
    /// The table's new capacity.
    pub provisioned_throughput: Option<ProvisionedThroughputInput>,
    /// GSI Create / Update / Delete actions.
    pub global_secondary_index_updates: Option<Vec<IndexUpdate>>,
    /// Whether DeleteTable is refused.
    pub deletion_protection_enabled: Option<bool>,
    /// Enable (with a view type) or disable the table's stream.
    pub stream_specification: Option<StreamSpecification>,
    /// Refused: encryption is the backend's concern.
    #[serde(rename = "SSESpecification")]
    pub sse_specification: Option<serde_json::Value>,
    /// Refused: global tables are not served.
    pub replica_updates: Option<serde_json::Value>,
    /// Refused.
    pub table_class: Option<serde_json::Value>,
    /// The most request units per second of an on-demand table (`-1` removes one).
    pub on_demand_throughput: Option<OnDemandThroughputInput>,
    /// Refused.
    pub warm_throughput: Option<serde_json::Value>,
    /// Refused.
    pub multi_region_consistency: Option<serde_json::Value>,
}

impl Request {
    /// The GSI actions (empty when absent).
    pub fn index_updates(&self) -> &[IndexUpdate] {
        self.global_secondary_index_updates
            .as_deref()
            .unwrap_or_default()
    }

    /// The Create and Delete actions (DynamoDB allows one per call).
    pub fn creates_or_deletes(&self) -> usize {
        self.index_updates()
            .iter()
            .filter(|u| u.create.is_some() || u.delete.is_some())
            .count()
    }
}

fn invalid(detail: impl std::fmt::Display) -> ApiError {
    ApiError::validation(format!(
        "One or more parameter values were invalid: {detail}"
    ))
}

/// The one member constraint of UpdateTable that is not the model's: an Update of a GSI needs
/// ProvisionedThroughput unless it changes OnDemandThroughput or WarmThroughput (the model made
/// the member optional when those arrived).
fn index_update_throughput(req: &Request) -> Result<(), ApiError> {
    let mut missing = Vec::new();
    for (i, u) in req.index_updates().iter().enumerate() {
        if let Some(up) = &u.update {
            if up.provisioned_throughput.is_none()
                && up.on_demand_throughput.is_none()
                && up.warm_throughput.is_none()
            {
                missing.push(format!(
                    "Value null at 'globalSecondaryIndexUpdates.{}.member.update.provisionedThroughput' failed to satisfy constraint: Member must not be null",
                    i + 1
                ));
            }
        }
    }
    shapes::finish(missing)
}

/// Rejects, saying so, the members extenddb does not serve yet rather than ignoring them.
fn unsupported(req: &Request) -> Result<(), ApiError> {
    let members = [
        ("SSESpecification", req.sse_specification.is_some()),
        ("ReplicaUpdates", req.replica_updates.is_some()),
        ("TableClass", req.table_class.is_some()),
        ("WarmThroughput", req.warm_throughput.is_some()),
        (
            "MultiRegionConsistency",
            req.multi_region_consistency.is_some(),
        ),
    ];
    match members.iter().find(|(_, present)| *present) {
        Some((member, _)) => Err(ApiError::validation(format!(
            "{member} is not supported yet by extenddb; omit it from UpdateTable"
        ))),
        None => Ok(()),
    }
}

/// Checks `req` on its own; returns the table name.
pub fn validate(req: &Request) -> Result<&str, ApiError> {
    // The model's constraints (`shapes`) refused the request when the name is absent.
    let name = req.table_name.as_deref().unwrap_or_default();
    index_update_throughput(req)?;
    let updates = req.index_updates();
    let changes = req.billing_mode.is_some()
        || req.provisioned_throughput.is_some()
        || req.deletion_protection_enabled.is_some()
        || !updates.is_empty()
        || req.stream_specification.is_some()
        || req.sse_specification.is_some()
        || req.replica_updates.is_some()
        || req.table_class.is_some()
        || req.on_demand_throughput.is_some()
        || req.warm_throughput.is_some();
    if !changes {
        return Err(ApiError::validation(NOTHING_TO_UPDATE));
    }
    if let Some(spec) = &req.stream_specification {
        crate::ops::table::stream_spec::for_update(spec)?;
    }
    if req.global_secondary_index_updates.is_some() && updates.is_empty() {
        return Err(invalid("List of GlobalSecondaryIndexUpdates is empty"));
    }
    match (req.billing_mode.as_deref(), &req.provisioned_throughput) {
        (Some("PROVISIONED"), None) => {
            return Err(invalid(
                "ProvisionedThroughput must be specified when BillingMode is PROVISIONED",
            ))
        }
        (Some("PAY_PER_REQUEST"), Some(_)) => {
            return Err(invalid("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"))
        }
        _ => {}
    }
    if let Some(pt) = &req.provisioned_throughput {
        for (value, member) in [
            (pt.read_capacity_units, "ReadCapacityUnits"),
            (pt.write_capacity_units, "WriteCapacityUnits"),
        ] {
            if let Some(v) = value.filter(|v| *v > MAX_CAPACITY) {
                return Err(ApiError::validation(format!(
                    "Given value {v} for {member} is out of bounds"
                )));
            }
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    for u in updates {
        let actions = [u.create.is_some(), u.update.is_some(), u.delete.is_some()];
        match actions.iter().filter(|a| **a).count() {
            0 => return Err(invalid("One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null")),
            1 => {}
            _ => return Err(invalid("Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object")),
        }
        let name = u.index_name();
        if seen.contains(&name) {
            return Err(invalid(format!(
                "Only one global secondary index update per index is allowed simultaneously. Index: {name}"
            )));
        }
        seen.push(name);
    }
    let creates_or_deletes = req.creates_or_deletes() > 0;
    if creates_or_deletes && req.provisioned_throughput.is_some() {
        return Err(invalid(
            "You cannot create or delete index while updating table IOPS",
        ));
    }
    let others =
        req.billing_mode.is_some() || req.provisioned_throughput.is_some() || !updates.is_empty();
    if req.deletion_protection_enabled.is_some() && others {
        return Err(invalid(
            "DeletionProtection modification must be the only operation in the request",
        ));
    }
    unsupported(req)?;
    Ok(name)
}

#[cfg(test)]
#[path = "update_table_request_tests.rs"]
mod tests;
