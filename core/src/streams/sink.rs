//! `BuiltinStreams`: the built-in `StreamSink`. It keeps every record in the store, in the
//! stream's log (`log`), appended in the write's own transaction — so the DynamoDB Streams API
//! (`ops::streams`) reads exactly the changes that committed, in commit order per key.

use super::record;
use crate::error::ApiError;
use crate::model::stream::ShardPolicy;
use crate::traits::{ItemChange, StreamSink, WriteOp};
use bytes::Bytes;

/// The built-in sink: records kept in the store for the Streams API (24 hours, trimmed by the
/// server's stream trimmer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BuiltinStreams {
    policy: ShardPolicy,
}

impl BuiltinStreams {
    /// The sink with DynamoDB's shard rollover (`ShardPolicy::default`).
    pub fn new() -> BuiltinStreams {
        BuiltinStreams::default()
    }

    /// The sink rolling shards over by `policy` (tests use small shards).
    pub fn with_policy(policy: ShardPolicy) -> BuiltinStreams {
        BuiltinStreams { policy }
    }
}

impl StreamSink for BuiltinStreams {
    fn record(&self, change: &ItemChange<'_>) -> Result<Vec<WriteOp>, ApiError> {
        let Some(stream) = &change.table.stream else {
            return Ok(Vec::new());
        };
        let Some(bytes) = record::encode(change, stream.view_type) else {
            return Ok(Vec::new());
        };
        Ok(vec![WriteOp::StreamAppend {
            log_id: stream.log_id,
            record: Bytes::from(bytes),
            at_ms: (change.at * 1000.0).max(0.0) as u64,
            policy: self.policy,
        }])
    }

    fn log_policy(&self) -> Option<ShardPolicy> {
        Some(self.policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::table::{StreamViewType, TableStream};
    use crate::ops::test_support::hash_table;
    use crate::traits::ItemKey;
    use serde_json::json;

    #[test]
    fn appends_to_the_tables_log_with_its_policy() {
        let mut def = hash_table();
        def.stream = Some(TableStream {
            view_type: StreamViewType::KeysOnly,
            label: "2026-01-01T00:00:00.000".into(),
            log_id: 99,
            created_at: 0.0,
        });
        let policy = ShardPolicy {
            max_records: 5,
            max_age_ms: 10,
        };
        let item = serde_json::from_value(json!({"pk": {"S": "a"}})).unwrap();
        let key = ItemKey {
            storage_id: 7,
            key: vec![],
        };
        let change = ItemChange {
            table: &def,
            key: &key,
            old: None,
            new: Some(&item),
            at: 2.5,
            by_service: false,
        };
        let sink = BuiltinStreams::with_policy(policy);
        match sink.record(&change).unwrap().as_slice() {
            [WriteOp::StreamAppend {
                log_id: 99,
                at_ms: 2500,
                policy: p,
                record,
            }] => {
                assert_eq!(*p, policy);
                assert!(record::StoredRecord::parse(record).is_ok());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(sink.log_policy(), Some(policy));
        let mut plain = def.clone();
        plain.stream = None;
        let change = ItemChange {
            table: &plain,
            ..change
        };
        assert!(sink.record(&change).unwrap().is_empty());
    }
}
