//! The shapes backups are answered in — BackupDetails, BackupSummary and BackupDescription
//! (with SourceTableDetails and SourceTableFeatureDetails) — rendered from a `BackupRecord`.
//! The source table's parts come from the table's own description (`table_description::
//! render`) as of the backup, so both spell key schemas, projections and throughput alike.

use super::record::{BackupRecord, BackupStatus};
use crate::model::table::BillingMode;
use crate::ops::table::table_description::render;
use crate::traits::TableStats;
use serde_json::{json, Map, Value};

/// BackupType of every backup CreateBackup makes.
pub const USER: &str = "USER";

/// BackupDetails, with `status` as answered (CreateBackup answers CREATING, DeleteBackup
/// DELETED).
pub fn details(r: &BackupRecord, status: BackupStatus) -> Value {
    json!({
        "BackupArn": r.arn,
        "BackupName": r.name,
        "BackupSizeBytes": r.size_bytes,
        "BackupStatus": status.as_str(),
        "BackupType": USER,
        "BackupCreationDateTime": r.created_at,
    })
}

/// BackupSummary (ListBackups).
pub fn summary(r: &BackupRecord) -> Value {
    json!({
        "TableName": r.table.name,
        "TableId": r.table.table_id,
        "TableArn": r.table.arn(),
        "BackupArn": r.arn,
        "BackupName": r.name,
        "BackupCreationDateTime": r.created_at,
        "BackupStatus": r.status.as_str(),
        "BackupType": USER,
        "BackupSizeBytes": r.size_bytes,
    })
}

/// BackupDescription (DescribeBackup, DeleteBackup).
pub fn description(r: &BackupRecord, status: BackupStatus) -> Value {
    let stats = TableStats {
        item_count: r.item_count,
        size_bytes: r.size_bytes,
    };
    let table = serde_json::to_value(render(&r.table, stats, r.created_at)).unwrap_or_default();
    let pick = |v: &Value, keys: &[&str]| -> Value {
        let mut out = Map::new();
        for k in keys {
            if let Some(x) = v.get(*k) {
                out.insert((*k).to_string(), x.clone());
            }
        }
        Value::Object(out)
    };
    let mut source = pick(
        &table,
        &[
            "TableName",
            "TableId",
            "TableArn",
            "TableSizeBytes",
            "KeySchema",
            "ItemCount",
            "OnDemandThroughput",
        ],
    );
    source["TableCreationDateTime"] = json!(r.table.created_at);
    source["ProvisionedThroughput"] = json!({
        "ReadCapacityUnits": r.table.throughput.read,
        "WriteCapacityUnits": r.table.throughput.write,
    });
    source["BillingMode"] = json!(match r.table.billing_mode {
        BillingMode::Provisioned => "PROVISIONED",
        BillingMode::PayPerRequest => "PAY_PER_REQUEST",
    });
    let mut features = Map::new();
    for (member, provisioned) in [
        ("LocalSecondaryIndexes", false),
        ("GlobalSecondaryIndexes", true),
    ] {
        if let Some(Value::Array(list)) = table.get(member) {
            let keys: &[&str] = if provisioned {
                &[
                    "IndexName",
                    "KeySchema",
                    "Projection",
                    "ProvisionedThroughput",
                ]
            } else {
                &["IndexName", "KeySchema", "Projection"]
            };
            let infos: Vec<Value> = list.iter().map(|i| pick(i, keys)).collect();
            features.insert(member.to_string(), Value::Array(infos));
        }
    }
    if let Some(stream) = &r.table.stream {
        features.insert(
            "StreamDescription".into(),
            json!({ "StreamEnabled": true, "StreamViewType": stream.view_type.as_str() }),
        );
    }
    let ttl = match &r.table.time_to_live_attribute {
        Some(a) => json!({ "TimeToLiveStatus": "ENABLED", "AttributeName": a }),
        None => json!({ "TimeToLiveStatus": "DISABLED" }),
    };
    features.insert("TimeToLiveDescription".into(), ttl);
    json!({
        "BackupDetails": details(r, status),
        "SourceTableDetails": source,
        "SourceTableFeatureDetails": Value::Object(features),
    })
}
