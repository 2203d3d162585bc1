//! Table metadata as the Catalog stores it: key schema, attribute definitions, billing, status.

use serde::{Deserialize, Serialize};

/// `S`, `N` or `B`: the scalar types a key attribute may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScalarType {
    /// String.
    S,
    /// Number.
    N,
    /// Binary.
    B,
}

impl ScalarType {
    /// The type's descriptor as DynamoDB spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ScalarType::S => "S",
            ScalarType::N => "N",
            ScalarType::B => "B",
        }
    }
}

/// One key attribute: its name and scalar type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyAttribute {
    /// Attribute name.
    pub name: String,
    /// Its declared type (from AttributeDefinitions).
    pub attr_type: ScalarType,
}

/// A primary key: a partition (HASH) attribute and an optional sort (RANGE) attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySchema {
    /// The partition key.
    pub hash: KeyAttribute,
    /// The sort key, if the table has one.
    pub range: Option<KeyAttribute>,
}

impl KeySchema {
    /// The key attributes in order: partition then sort.
    pub fn attributes(&self) -> impl Iterator<Item = &KeyAttribute> {
        std::iter::once(&self.hash).chain(self.range.iter())
    }
}

/// Lifecycle state of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TableStatus {
    /// Being created.
    #[serde(rename = "CREATING")]
    Creating,
    /// Serving requests.
    #[serde(rename = "ACTIVE")]
    Active,
    /// Being updated.
    #[serde(rename = "UPDATING")]
    Updating,
    /// Being deleted.
    #[serde(rename = "DELETING")]
    Deleting,
}

impl TableStatus {
    /// The status as DynamoDB spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            TableStatus::Creating => "CREATING",
            TableStatus::Active => "ACTIVE",
            TableStatus::Updating => "UPDATING",
            TableStatus::Deleting => "DELETING",
        }
    }
}

/// Billing mode of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BillingMode {
    /// Provisioned capacity.
    #[serde(rename = "PROVISIONED")]
    Provisioned,
    /// On-demand.
    #[serde(rename = "PAY_PER_REQUEST")]
    PayPerRequest,
}

/// Provisioned read and write capacity units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Throughput {
    /// Read capacity units.
    pub read: i64,
    /// Write capacity units.
    pub write: i64,
}

/// Everything the catalog knows about one table. Indexes, streams and TTL join it with their
/// issues; the struct is serde so backends can store it as a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableDefinition {
    /// Owning account (12 digits).
    pub account_id: String,
    /// Region used in the table's ARN.
    pub region: String,
    /// TableName.
    pub name: String,
    /// TableId (a UUID, as DynamoDB reports it).
    pub table_id: String,
    /// Storage identity: distinct for every incarnation of a table name, so a re-created table
    /// never sees a dropped table's items.
    pub storage_id: u64,
    /// The primary key.
    pub key_schema: KeySchema,
    /// AttributeDefinitions as given (name, type), in request order.
    pub attribute_definitions: Vec<KeyAttribute>,
    /// Billing mode.
    pub billing_mode: BillingMode,
    /// Provisioned throughput (zeros for on-demand, as DynamoDB reports them).
    pub throughput: Throughput,
    /// Lifecycle status.
    pub status: TableStatus,
    /// Creation time, seconds since the epoch.
    pub created_at: f64,
    /// When `status` was last set, seconds since the epoch (drives lazy transitions).
    pub status_since: f64,
    /// DeletionProtectionEnabled.
    #[serde(default)]
    pub deletion_protection: bool,
}

impl TableDefinition {
    /// The table's ARN.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:dynamodb:{}:{}:table/{}",
            self.region, self.account_id, self.name
        )
    }
}
