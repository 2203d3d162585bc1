//! Definitions the backends' own tests share (feature `testsuite`).

use crate::model::table::{
    BillingMode, KeyAttribute, KeySchema, ScalarType, TableDefinition, TableStatus, Throughput,
};

/// An ACTIVE on-demand table of `account_id` with a string partition key `pk` and no sort key
/// or indexes; its table id is derived from `storage_id`.
pub fn hash_table_definition(account_id: &str, name: &str, storage_id: u64) -> TableDefinition {
    let hash = KeyAttribute {
        name: "pk".into(),
        attr_type: ScalarType::S,
    };
    TableDefinition {
        account_id: account_id.into(),
        region: "us-east-1".into(),
        name: name.into(),
        table_id: format!("00000000-0000-4000-8000-{storage_id:012}"),
        storage_id,
        key_schema: KeySchema {
            hash: hash.clone(),
            range: None,
        },
        attribute_definitions: vec![hash],
        billing_mode: BillingMode::PayPerRequest,
        throughput: Throughput { read: 0, write: 0 },
        status: TableStatus::Active,
        created_at: 1_700_000_000.0,
        status_since: 1_700_000_000.0,
        deletion_protection: false,
        local_secondary_indexes: Vec::new(),
        global_secondary_indexes: Vec::new(),
        throughput_history: Default::default(),
        pay_per_request_since: None,
        time_to_live_attribute: None,
        tags: Vec::new(),
    }
}
