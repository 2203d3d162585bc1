//! One page of a Query or Scan: walk a key range of the store in the requested direction,
//! stop where DynamoDB stops (after `Limit` items evaluated, or after the item that brings the
//! data read to 1 MB), then filter, project and count.
//!
//! DynamoDB applies `Limit` and the 1 MB cap to the items it *reads*; FilterExpression runs
//! afterwards, so `Count` (items returned) can be smaller than `ScannedCount` (items read), and
//! `LastEvaluatedKey` names the last item read whether or not it passed the filter.

use crate::error::ApiError;
use crate::expr::{Condition, Projection};
use crate::model::item::item_size;
use crate::model::table::{KeySchema, TableDefinition};
use crate::model::Item;
use crate::traits::{ItemKey, ItemStore, KeyRange};
use std::ops::Bound;

/// The data a page may read, in bytes of item size as DynamoDB computes it (1 MB).
pub const MAX_PAGE_BYTES: usize = 1024 * 1024;

/// How many items to ask the store for at a time when the request has no (or a large)
/// `Limit`: the 1 MB cap is on DynamoDB item sizes, which the store cannot compute, so core
/// reads in chunks and stops itself.
const CHUNK: usize = 256;

/// What the page returns for each item that passes the filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// The whole item.
    AllAttributes,
    /// The item reduced to a ProjectionExpression.
    Projected(Projection),
    /// Nothing: `Select=COUNT`.
    Count,
}

/// What to read.
pub struct PageSpec<'a> {
    /// The table's storage id.
    pub storage_id: u64,
    /// The key range to walk (already narrowed by any ExclusiveStartKey).
    pub range: KeyRange,
    /// Ascending key order when true.
    pub forward: bool,
    /// `Limit`: the most items to read.
    pub limit: Option<usize>,
    /// FilterExpression, applied to the items read.
    pub filter: Option<&'a Condition>,
    /// What to return per item.
    pub output: &'a Output,
    /// The key schema whose attributes make up `LastEvaluatedKey`.
    pub key_schema: &'a KeySchema,
    /// Reading an index: the attributes that make up `LastEvaluatedKey` instead (index keys,
    /// then the table's).
    pub index_key_names: Option<&'a [String]>,
    /// Reading an LSI whose projection lacks what the request wants: fetch each item from this
    /// table (DynamoDB's fetch of non-projected attributes).
    pub fetch_from: Option<&'a TableDefinition>,
}

/// One page's answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageResult {
    /// The items that passed the filter, projected (empty for `Select=COUNT`).
    pub items: Vec<Item>,
    /// Items that passed the filter.
    pub count: usize,
    /// Items read.
    pub scanned_count: usize,
    /// The key of the last item read, when the page stopped at `Limit` or at 1 MB.
    pub last_evaluated_key: Option<Item>,
    /// Summed size of the items read (for read capacity units).
    pub scanned_bytes: usize,
}

/// The key attributes of `item` under `schema`.
pub fn key_of(item: &Item, schema: &KeySchema) -> Item {
    schema
        .attributes()
        .filter_map(|k| item.get(&k.name).map(|v| (k.name.clone(), v.clone())))
        .collect()
}

/// Reads one page.
pub async fn read(store: &dyn ItemStore, spec: PageSpec<'_>) -> Result<PageResult, ApiError> {
    let mut out = PageResult::default();
    let mut range = spec.range.clone();
    loop {
        let remaining = spec.limit.map_or(usize::MAX, |l| l - out.scanned_count);
        let want = remaining.min(CHUNK);
        let page = store
            .range(spec.storage_id, &range, spec.forward, want, usize::MAX)
            .await?;
        let mut last_key: Option<Vec<u8>> = None;
        for (key, stored) in &page.items {
            let entry = stored.decode()?;
            let fetched = match spec.fetch_from {
                Some(def) => {
                    let base = ItemKey {
                        storage_id: def.storage_id,
                        key: crate::ops::request::pagination::encode(&def.key_schema, &entry),
                    };
                    // Absent: deleted between the index read and this one; DynamoDB's
                    // answer is then the projected entry alone.
                    Some(match store.get(&base).await? {
                        Some(full) => full.decode()?,
                        None => entry.clone(),
                    })
                }
                None => None,
            };
            let item = fetched.as_ref().unwrap_or(&entry);
            out.scanned_count += 1;
            out.scanned_bytes += item_size(item);
            last_key = Some(key.clone());
            let stop = spec.limit.is_some_and(|l| out.scanned_count >= l)
                || out.scanned_bytes >= MAX_PAGE_BYTES;
            if stop {
                out.last_evaluated_key = Some(match spec.index_key_names {
                    Some(names) => names
                        .iter()
                        .filter_map(|n| entry.get(n).map(|v| (n.clone(), v.clone())))
                        .collect(),
                    None => key_of(&entry, spec.key_schema),
                });
            }
            if spec.filter.is_none_or(|f| f.evaluate(item)) {
                out.count += 1;
                match spec.output {
                    // The decoded item itself, not a copy.
                    Output::AllAttributes => out.items.push(fetched.unwrap_or(entry)),
                    Output::Projected(p) => out.items.push(p.apply(item)),
                    Output::Count => {}
                }
            }
            if stop {
                return Ok(out);
            }
        }
        let Some(last) = last_key else {
            return Ok(out);
        };
        if !page.more {
            return Ok(out);
        }
        if spec.forward {
            range.lower = Bound::Excluded(last);
        } else {
            range.upper = Bound::Excluded(last);
        }
    }
}

#[cfg(test)]
#[path = "read_page_tests.rs"]
mod tests;
