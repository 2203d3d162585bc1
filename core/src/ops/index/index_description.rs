//! `LocalSecondaryIndexDescription` and `GlobalSecondaryIndexDescription` as DescribeTable
//! (and CreateTable, UpdateTable, DeleteTable) report them.

use crate::model::table::{BillingMode, IndexStatus, SecondaryIndex, TableDefinition};
use crate::ops::table::description_parts::{KeySchemaElement, ProvisionedThroughputDescription};
use crate::traits::TableStats;
use serde::Serialize;

/// `Projection` as DynamoDB reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProjectionDescription {
    /// KEYS_ONLY | INCLUDE | ALL.
    pub projection_type: String,
    /// The INCLUDE projection's extra attributes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub non_key_attributes: Option<Vec<String>>,
}

/// One index's description; the GSI-only members are absent for LSIs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IndexDescription {
    /// IndexName.
    pub index_name: String,
    /// HASH element(s), then RANGE element(s).
    pub key_schema: Vec<KeySchemaElement>,
    /// Projection.
    pub projection: ProjectionDescription,
    /// CREATING | ACTIVE | UPDATING | DELETING (GSIs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_status: Option<String>,
    /// For a GSI added by UpdateTable while CREATING: whether it is being filled yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backfilling: Option<bool>,
    /// A GSI's capacity (zeros when on-demand).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provisioned_throughput: Option<ProvisionedThroughputDescription>,
    /// Summed size of the index entries.
    pub index_size_bytes: u64,
    /// Number of index entries.
    pub item_count: u64,
    /// The index's ARN.
    pub index_arn: String,
}

/// Describes `index` of `def` with its entry statistics.
pub fn describe_index(
    def: &TableDefinition,
    index: &SecondaryIndex,
    global: bool,
    stats: TableStats,
    now: f64,
) -> IndexDescription {
    let key = |kind: &str, names: &[crate::model::table::KeyAttribute]| {
        names
            .iter()
            .map(|a| KeySchemaElement {
                attribute_name: a.name.clone(),
                key_type: kind.to_string(),
            })
            .collect::<Vec<_>>()
    };
    let mut key_schema = key("HASH", &index.hash);
    key_schema.extend(key("RANGE", &index.range));
    let throughput = index
        .throughput
        .filter(|_| def.billing_mode == BillingMode::Provisioned);
    IndexDescription {
        index_name: index.name.clone(),
        key_schema,
        projection: ProjectionDescription {
            projection_type: index.projection.as_str().to_string(),
            non_key_attributes: (!index.non_key_attributes.is_empty())
                .then(|| index.non_key_attributes.clone()),
        },
        index_status: global.then(|| index.status.as_str().to_string()),
        // Only a GSI added by UpdateTable is ever CREATING: false while its resources are
        // allocated, true while it is filled; absent in every other state.
        backfilling: (global && index.status == IndexStatus::Creating).then_some(index.backfilling),
        provisioned_throughput: global.then(|| {
            ProvisionedThroughputDescription::new(
                &index.throughput_history,
                throughput.map_or(0, |t| t.read),
                throughput.map_or(0, |t| t.write),
                now,
            )
        }),
        index_size_bytes: stats.size_bytes,
        item_count: stats.item_count,
        index_arn: format!("{}/index/{}", def.arn(), index.name),
    }
}
