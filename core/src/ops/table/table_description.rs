//! The `TableDescription` DynamoDB returns from CreateTable, DescribeTable and DeleteTable,
//! rendered from a catalog `TableDefinition` and the store's item statistics; plus the
//! table-name checks and errors those control-plane operations share.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::{BillingMode, TableDefinition};
use crate::ops::index::index_description::{describe_index, IndexDescription};
use crate::ops::table::stream_spec::{self, StreamSpecificationDescription};
use crate::traits::TableStats;
use serde::Serialize;

pub use crate::ops::table::description_parts::{
    AttributeDefinition, KeySchemaElement, OnDemandThroughputDescription,
    ProvisionedThroughputDescription,
};

/// `BillingModeSummary`, present for on-demand tables.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BillingModeSummary {
    /// `PAY_PER_REQUEST`, or `PROVISIONED` for a table UpdateTable switched back.
    pub billing_mode: String,
    /// When the table last became on-demand, seconds since the epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_update_to_pay_per_request_date_time: Option<f64>,
}

/// DynamoDB's `TableDescription`, field for field in the order DynamoDB sends them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableDescription {
    /// The key attributes' definitions, in request order.
    pub attribute_definitions: Vec<AttributeDefinition>,
    /// The table's name.
    pub table_name: String,
    /// Partition key, then sort key.
    pub key_schema: Vec<KeySchemaElement>,
    /// `CREATING`, `ACTIVE`, `UPDATING` or `DELETING`.
    pub table_status: String,
    /// Creation time, seconds since the epoch with fractions.
    pub creation_date_time: f64,
    /// Provisioned capacity (zeros when on-demand).
    pub provisioned_throughput: ProvisionedThroughputDescription,
    /// Sum of the items' sizes.
    pub table_size_bytes: u64,
    /// Number of items.
    pub item_count: u64,
    /// The table's ARN.
    pub table_arn: String,
    /// The table's UUID.
    pub table_id: String,
    /// Present for on-demand tables; DynamoDB omits it for tables always provisioned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_mode_summary: Option<BillingModeSummary>,
    /// Whether DeleteTable is refused.
    pub deletion_protection_enabled: bool,
    /// The table's LSIs, when it has any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_secondary_indexes: Option<Vec<IndexDescription>>,
    /// The table's GSIs, when it has any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub global_secondary_indexes: Option<Vec<IndexDescription>>,
    /// The maximum request units of an on-demand table, when one is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_demand_throughput: Option<OnDemandThroughputDescription>,
    /// Whether the table has a stream, and its view type (absent if it never had one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_specification: Option<StreamSpecificationDescription>,
    /// The label of the table's latest stream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_stream_label: Option<String>,
    /// The ARN of the table's latest stream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_stream_arn: Option<String>,
    /// Where a restored table came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restore_summary: Option<RestoreSummary>,
}

/// RestoreSummary of a restored table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RestoreSummary {
    /// The backup restored from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_backup_arn: Option<String>,
    /// The table the backup (or point in time) belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_table_arn: Option<String>,
    /// The instant the restored items are as of.
    pub restore_date_time: f64,
    /// Whether items are still being restored.
    pub restore_in_progress: bool,
}

/// Renders `def` with the given item statistics as of `now` (seconds since the epoch).
pub fn render(def: &TableDefinition, stats: TableStats, now: f64) -> TableDescription {
    let key_schema = std::iter::once(KeySchemaElement {
        attribute_name: def.key_schema.hash.name.clone(),
        key_type: "HASH".to_string(),
    })
    .chain(def.key_schema.range.iter().map(|r| KeySchemaElement {
        attribute_name: r.name.clone(),
        key_type: "RANGE".to_string(),
    }))
    .collect();
    let billing_mode_summary = match (def.billing_mode, def.pay_per_request_since) {
        (BillingMode::PayPerRequest, since) => Some(BillingModeSummary {
            billing_mode: "PAY_PER_REQUEST".to_string(),
            // Never switched: the table has been on-demand since its creation.
            last_update_to_pay_per_request_date_time: Some(since.unwrap_or(def.created_at)),
        }),
        // A table once switched to on-demand keeps the summary after switching back.
        (BillingMode::Provisioned, Some(since)) => Some(BillingModeSummary {
            billing_mode: "PROVISIONED".to_string(),
            last_update_to_pay_per_request_date_time: Some(since),
        }),
        (BillingMode::Provisioned, None) => None,
    };
    let (stream_specification, latest_stream_arn, latest_stream_label) = stream_spec::describe(def);
    let (read, write) = match def.billing_mode {
        BillingMode::PayPerRequest => (0, 0),
        BillingMode::Provisioned => (def.throughput.read, def.throughput.write),
    };
    TableDescription {
        attribute_definitions: def
            .attribute_definitions
            .iter()
            .map(|a| AttributeDefinition {
                attribute_name: a.name.clone(),
                attribute_type: a.attr_type.as_str().to_string(),
            })
            .collect(),
        table_name: def.name.clone(),
        key_schema,
        table_status: def.status.as_str().to_string(),
        creation_date_time: def.created_at,
        provisioned_throughput: ProvisionedThroughputDescription::new(
            &def.throughput_history,
            read,
            write,
            now,
        ),
        table_size_bytes: stats.size_bytes,
        item_count: stats.item_count,
        table_arn: def.arn(),
        table_id: def.table_id.clone(),
        billing_mode_summary,
        deletion_protection_enabled: def.deletion_protection,
        local_secondary_indexes: indexes(def, false, &[], now),
        global_secondary_indexes: indexes(def, true, &[], now),
        on_demand_throughput: def
            .on_demand_throughput
            .filter(|_| def.billing_mode == BillingMode::PayPerRequest)
            .as_ref()
            .map(OnDemandThroughputDescription::new),
        stream_specification,
        latest_stream_label,
        latest_stream_arn,
        restore_summary: def.restore.as_ref().map(|r| RestoreSummary {
            source_backup_arn: r.source_backup_arn.clone(),
            source_table_arn: r.source_table_arn.clone(),
            restore_date_time: r.restore_date_time,
            restore_in_progress: r.in_progress,
        }),
    }
}

/// The descriptions of the table's local or global indexes (`None` when it has none), with
/// the statistics given by storage id (zeros for the others).
fn indexes(
    def: &TableDefinition,
    global: bool,
    stats: &[(u64, TableStats)],
    now: f64,
) -> Option<Vec<IndexDescription>> {
    let list = if global {
        &def.global_secondary_indexes
    } else {
        &def.local_secondary_indexes
    };
    (!list.is_empty()).then(|| {
        list.iter()
            .map(|i| {
                let s = stats
                    .iter()
                    .find(|(id, _)| *id == i.storage_id)
                    .map_or_else(TableStats::default, |(_, s)| *s);
                describe_index(def, i, global, s, now)
            })
            .collect()
    })
}

/// Renders `def` with its current item statistics from the store.
pub async fn describe(ctx: &Ctx, def: &TableDefinition) -> Result<TableDescription, ApiError> {
    let stats = ctx.store.stats(def.storage_id).await?;
    let now = ctx.now_epoch();
    let mut out = render(def, stats, now);
    if def.indexes().next().is_some() {
        let mut index_stats = Vec::new();
        for (i, _) in def.indexes() {
            index_stats.push((i.storage_id, ctx.store.stats(i.storage_id).await?));
        }
        out.local_secondary_indexes = indexes(def, false, &index_stats, now);
        out.global_secondary_indexes = indexes(def, true, &index_stats, now);
    }
    Ok(out)
}

/// The ResourceNotFoundException DescribeTable and DeleteTable answer for a missing table.
pub fn not_found(name: &str) -> ApiError {
    ApiError::ResourceNotFound(format!(
        "Requested resource not found: Table: {name} not found"
    ))
}

/// Mock-backed contexts and table definitions for the control-plane operations' tests.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::context::Ctx;
    use crate::model::table::{
        BillingMode, KeyAttribute, KeySchema, ScalarType, TableDefinition, TableStatus, Throughput,
    };
    use crate::traits::catalog::MockCatalog;
    use crate::traits::item_store::MockItemStore;
    use std::sync::Arc;
    use std::time::Duration;

    /// A context over the given doubles, account 123456789012 in us-east-1.
    pub fn ctx(catalog: MockCatalog, store: MockItemStore, delay: Duration) -> Ctx {
        crate::ops::test_support::request_ctx(crate::ops::test_support::services(
            Arc::new(catalog),
            Arc::new(store),
            delay,
        ))
    }

    /// A provisioned (5/7) table with partition key `pk` (S) and sort key `sk` (N).
    pub fn table(name: &str, status: TableStatus, status_since: f64) -> TableDefinition {
        TableDefinition {
            account_id: "123456789012".to_string(),
            region: "us-east-1".to_string(),
            name: name.to_string(),
            table_id: "0f6a1c1e-7c55-4a8e-9d52-3d1f8f5e2b10".to_string(),
            storage_id: 42,
            key_schema: KeySchema {
                hash: KeyAttribute {
                    name: "pk".to_string(),
                    attr_type: ScalarType::S,
                },
                range: Some(KeyAttribute {
                    name: "sk".to_string(),
                    attr_type: ScalarType::N,
                }),
            },
            attribute_definitions: vec![
                KeyAttribute {
                    name: "pk".to_string(),
                    attr_type: ScalarType::S,
                },
                KeyAttribute {
                    name: "sk".to_string(),
                    attr_type: ScalarType::N,
                },
            ],
            billing_mode: BillingMode::Provisioned,
            throughput: Throughput { read: 5, write: 7 },
            status,
            created_at: 1_700_000_000.25,
            status_since,
            deletion_protection: false,
            local_secondary_indexes: Vec::new(),
            global_secondary_indexes: Vec::new(),
            throughput_history: Default::default(),
            pay_per_request_since: None,
            time_to_live_attribute: None,
            tags: Vec::new(),
            on_demand_throughput: None,
            stream: None,
            past_streams: Vec::new(),
            ttl: Default::default(),
            restore: None,
            pitr: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::table;
    use super::*;
    use crate::model::table::{TableStatus, Throughput};

    #[test]
    fn provisioned_table_renders_every_field() {
        let def = table("Music", TableStatus::Active, 0.0);
        let stats = TableStats {
            item_count: 3,
            size_bytes: 120,
        };
        let json = serde_json::to_value(render(&def, stats, 0.0)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "N"}
                ],
                "TableName": "Music",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"}
                ],
                "TableStatus": "ACTIVE",
                "CreationDateTime": 1_700_000_000.25,
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 5,
                    "WriteCapacityUnits": 7
                },
                "TableSizeBytes": 120,
                "ItemCount": 3,
                "TableArn": "arn:aws:dynamodb:us-east-1:123456789012:table/Music",
                "TableId": "0f6a1c1e-7c55-4a8e-9d52-3d1f8f5e2b10",
                "DeletionProtectionEnabled": false
            })
        );
    }

    #[test]
    fn on_demand_table_reports_zero_throughput_and_billing_summary() {
        let mut def = table("Music", TableStatus::Creating, 0.0);
        def.billing_mode = BillingMode::PayPerRequest;
        def.throughput = Throughput { read: 9, write: 9 };
        def.key_schema.range = None;
        def.deletion_protection = true;
        let json = serde_json::to_value(render(&def, TableStats::default(), 0.0)).unwrap();
        assert_eq!(
            json["ProvisionedThroughput"],
            serde_json::json!({"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0})
        );
        assert_eq!(
            json["BillingModeSummary"],
            serde_json::json!({
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": 1_700_000_000.25
            })
        );
        assert_eq!(
            json["KeySchema"],
            serde_json::json!([{"AttributeName": "pk", "KeyType": "HASH"}])
        );
        assert_eq!(json["TableStatus"], "CREATING");
        assert_eq!(json["DeletionProtectionEnabled"], true);
    }

    #[test]
    fn not_found_message_names_the_table() {
        assert_eq!(
            not_found("Nope"),
            ApiError::ResourceNotFound(
                "Requested resource not found: Table: Nope not found".into()
            )
        );
    }
}
