//! Stream settings shared by core and the backends that sequence stream records.

use serde::{Deserialize, Serialize};

/// When a stream's open shard closes. DynamoDB rolls shards over about every four hours; a
/// bounded record count keeps one shard's reads and trims short under heavy writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardPolicy {
    /// Records after which the open shard closes at the next append.
    pub max_records: u64,
    /// Age (milliseconds) after which the open shard closes at the next append.
    pub max_age_ms: u64,
}

impl Default for ShardPolicy {
    fn default() -> Self {
        ShardPolicy {
            max_records: 1_000_000,
            max_age_ms: 4 * 3600 * 1000,
        }
    }
}
