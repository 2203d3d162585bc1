//! Request shapes CreateTable and UpdateTable share (and CreateTable's request itself, which
//! its validation reads): member names as on the wire, every member optional so a missing one
//! answers DynamoDB's constraint error rather than a parse error.

use serde::Deserialize;

/// One `AttributeDefinition` of the request; members are optional so that a missing one
/// answers DynamoDB's "Member must not be null" instead of a parse error.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeDefinitionInput {
    /// The attribute's name.
    pub attribute_name: Option<String>,
    /// `S`, `N` or `B`.
    pub attribute_type: Option<String>,
}

/// One `KeySchemaElement` of the request.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeySchemaElementInput {
    /// The key attribute's name.
    pub attribute_name: Option<String>,
    /// `HASH` or `RANGE`.
    pub key_type: Option<String>,
}

/// `ProvisionedThroughput` of the request.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProvisionedThroughputInput {
    /// Read capacity units (≥ 1).
    pub read_capacity_units: Option<i64>,
    /// Write capacity units (≥ 1).
    pub write_capacity_units: Option<i64>,
}

/// `StreamSpecification`: only `StreamEnabled=false` is accepted until streams are served.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamSpecification {
    /// Whether a stream is wanted.
    pub stream_enabled: Option<bool>,
    /// What the stream records carry.
    pub stream_view_type: Option<String>,
}

/// `SSESpecification`: accepted (extenddb's storage encryption is the backend's concern).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct SseSpecification {
    /// Whether KMS encryption is requested.
    #[serde(rename = "Enabled")]
    pub enabled: Option<bool>,
    /// `AES256` or `KMS`.
    #[serde(rename = "SSEType")]
    pub sse_type: Option<String>,
    /// The KMS key, if any.
    #[serde(rename = "KMSMasterKeyId")]
    pub kms_master_key_id: Option<String>,
}

/// `OnDemandThroughput` of the request: `-1` removes a maximum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OnDemandThroughputInput {
    /// MaxReadRequestUnits.
    pub max_read_request_units: Option<i64>,
    /// MaxWriteRequestUnits.
    pub max_write_request_units: Option<i64>,
}

/// One tag of the request.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// Tag key (1–128 characters).
    pub key: Option<String>,
    /// Tag value (0–256 characters).
    pub value: Option<String>,
}

/// CreateTable's input, member names as on the wire (`control::create_table::Request`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateTableRequest {
    /// The new table's name.
    pub table_name: Option<String>,
    /// Definitions of the key attributes.
    pub attribute_definitions: Option<Vec<AttributeDefinitionInput>>,
    /// Partition key, then optional sort key.
    pub key_schema: Option<Vec<KeySchemaElementInput>>,
    /// `PROVISIONED` (default) or `PAY_PER_REQUEST`.
    pub billing_mode: Option<String>,
    /// Capacity, required when provisioned.
    pub provisioned_throughput: Option<ProvisionedThroughputInput>,
    /// LocalSecondaryIndexes (up to 5).
    pub local_secondary_indexes: Option<Vec<IndexInput>>,
    /// GlobalSecondaryIndexes (up to 20).
    pub global_secondary_indexes: Option<Vec<IndexInput>>,
    /// Streams; only disabled is accepted for now.
    pub stream_specification: Option<StreamSpecification>,
    /// Server-side encryption settings.
    #[serde(rename = "SSESpecification")]
    pub sse_specification: Option<SseSpecification>,
    /// Tags for the table.
    pub tags: Option<Vec<Tag>>,
    /// `STANDARD` (accepted) or `STANDARD_INFREQUENT_ACCESS` (refused for now).
    pub table_class: Option<String>,
    /// Whether DeleteTable is refused.
    pub deletion_protection_enabled: Option<bool>,
    /// The most request units per second of an on-demand table.
    pub on_demand_throughput: Option<OnDemandThroughputInput>,
    /// Refused for now.
    pub warm_throughput: Option<serde_json::Value>,
    /// Refused for now.
    pub resource_policy: Option<serde_json::Value>,
    /// Refused for now.
    pub global_table_source_arn: Option<serde_json::Value>,
}

/// `Projection` of the request.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProjectionInput {
    /// KEYS_ONLY | INCLUDE | ALL.
    pub projection_type: Option<String>,
    /// The extra attributes of an INCLUDE projection.
    pub non_key_attributes: Option<Vec<String>>,
}

/// One LocalSecondaryIndex or GlobalSecondaryIndex of the request.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IndexInput {
    /// IndexName.
    pub index_name: Option<String>,
    /// HASH element(s), then RANGE element(s).
    pub key_schema: Option<Vec<KeySchemaElementInput>>,
    /// Projection.
    pub projection: Option<ProjectionInput>,
    /// A GSI's capacity (PROVISIONED tables).
    pub provisioned_throughput: Option<ProvisionedThroughputInput>,
    /// Accepted and ignored (on-demand limits are not enforced).
    pub on_demand_throughput: Option<serde_json::Value>,
    /// Accepted and ignored.
    pub warm_throughput: Option<serde_json::Value>,
}
