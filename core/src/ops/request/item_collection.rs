//! Item-collection metrics (`ReturnItemCollectionMetrics=SIZE`).
//!
//! An item collection is every item of one partition-key value in a table that has local
//! secondary indexes, together with their LSI entries. DynamoDB reports, after a write, the
//! collection's key and an estimate of its size in GB as a `[lower, upper]` range; tables
//! without LSIs report nothing. extenddb measures the collection after the write commits by
//! reading the partition of the table and of each LSI (stored bytes), and reports the whole
//! gigabytes it spans: `[floor(GB), floor(GB) + 1]` — `[0.0, 1.0]` for collections under 1 GB,
//! which is what DynamoDB answers for them.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::key_encoding::{partition_prefix, prefix_successor};
use crate::model::table::TableDefinition;
use crate::model::{AttributeValue, Item};
use crate::traits::KeyRange;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::ops::Bound;

/// Items read per range call while measuring a collection.
const PAGE: usize = 1000;
/// Bytes in a gigabyte as DynamoDB counts them.
const GB: f64 = (1u64 << 30) as f64;

/// One affected item collection, as write operations return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ItemCollectionMetrics {
    /// The collection's partition-key attribute.
    pub item_collection_key: Item,
    /// Lower and upper bound of the collection's size in GB.
    #[serde(rename = "SizeEstimateRangeGB")]
    pub size_estimate_range_gb: [f64; 2],
}

/// `ItemCollectionMetrics` of BatchWriteItem and TransactWriteItems: per table, one entry per
/// write on it, in request order.
pub type PerTable = HashMap<String, Vec<ItemCollectionMetrics>>;

/// Whether a write on `def` with `ReturnItemCollectionMetrics` = `option` reports metrics:
/// only `SIZE` on a table with local secondary indexes.
pub fn wanted(option: Option<&str>, def: &TableDefinition) -> bool {
    option == Some("SIZE") && !def.local_secondary_indexes.is_empty()
}

/// The size range DynamoDB reports for a collection of `bytes`.
pub fn size_range(bytes: u64) -> [f64; 2] {
    let lower = (bytes as f64 / GB).floor();
    [lower, lower + 1.0]
}

/// Measures the collection of `partition` (the value of the table's partition key) in `def`.
pub async fn measure(
    ctx: &Ctx,
    def: &TableDefinition,
    partition: &AttributeValue,
) -> Result<ItemCollectionMetrics, ApiError> {
    let prefix = partition_prefix(partition);
    let mut bytes = partition_bytes(ctx, def.storage_id, &prefix).await?;
    for lsi in &def.local_secondary_indexes {
        bytes += partition_bytes(ctx, lsi.storage_id, &prefix).await?;
    }
    let mut key = Item::new();
    key.insert(def.key_schema.hash.name.clone(), partition.clone());
    Ok(ItemCollectionMetrics {
        item_collection_key: key,
        size_estimate_range_gb: size_range(bytes),
    })
}

/// Measures the collection holding `item` (an item or a primary key of `def`), or `None` when
/// the item lacks the partition key (the write was refused before that could happen).
pub async fn measure_item(
    ctx: &Ctx,
    def: &TableDefinition,
    item: &Item,
) -> Result<Option<ItemCollectionMetrics>, ApiError> {
    match item.get(&def.key_schema.hash.name) {
        Some(partition) => Ok(Some(measure(ctx, def, partition).await?)),
        None => Ok(None),
    }
}

/// Sum of stored bytes of the items of one partition of one storage id.
async fn partition_bytes(ctx: &Ctx, storage_id: u64, prefix: &[u8]) -> Result<u64, ApiError> {
    let upper = prefix_successor(prefix).map_or(Bound::Unbounded, Bound::Excluded);
    let mut lower = Bound::Included(prefix.to_vec());
    let mut total = 0u64;
    loop {
        let range = KeyRange {
            prefix: prefix.to_vec(),
            lower,
            upper: upper.clone(),
        };
        let page = ctx
            .store
            .range(storage_id, &range, true, PAGE, usize::MAX)
            .await?;
        total += page
            .items
            .iter()
            .map(|(k, v)| (k.len() + v.as_bytes().len()) as u64)
            .sum::<u64>();
        match page.items.last() {
            Some((last, _)) if page.more => lower = Bound::Excluded(last.clone()),
            _ => return Ok(total),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_range_spans_whole_gigabytes() {
        assert_eq!(size_range(0), [0.0, 1.0]);
        assert_eq!(size_range(1024), [0.0, 1.0]);
        assert_eq!(size_range((1 << 30) - 1), [0.0, 1.0]);
        assert_eq!(size_range(1 << 30), [1.0, 2.0]);
        assert_eq!(size_range(5 * (1 << 30) + 7), [5.0, 6.0]);
    }

    #[test]
    fn serializes_like_dynamodb() {
        let mut key = Item::new();
        key.insert("pk".into(), AttributeValue::S("a".into()));
        let m = ItemCollectionMetrics {
            item_collection_key: key,
            size_estimate_range_gb: [0.0, 1.0],
        };
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"ItemCollectionKey":{"pk":{"S":"a"}},"SizeEstimateRangeGB":[0.0,1.0]}"#
        );
    }
}
