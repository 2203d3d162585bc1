//! Deleted tables that had point-in-time recovery: the table reaper records their last
//! definition (with its PITR state, base and history kept) under `PITR_DELETED_TAG` in the
//! system storage id, keyed by account, name and deletion time, so RestoreTableToPointInTime
//! can restore them within their window as DynamoDB does.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::key_encoding::prefix_successor;
use crate::model::reserved::{PITR_DELETED_TAG, SYSTEM_STORAGE_ID};
use crate::model::table::TableDefinition;
use crate::model::{AttributeValue, Item};
use crate::traits::{ItemKey, KeyRange, StoredItem, WriteOp};
use std::ops::Bound;

fn prefix(account: &str, name: &str) -> Vec<u8> {
    let mut key = PITR_DELETED_TAG.to_vec();
    key.extend_from_slice(account.as_bytes());
    key.push(0);
    key.extend_from_slice(name.as_bytes());
    key.push(0);
    key
}

/// Records `def` (DELETING, its `status_since` the deletion time) as deleted with its PITR
/// state. Idempotent: a retire run twice writes the same record.
pub async fn remember(ctx: &Ctx, def: &TableDefinition) -> Result<(), ApiError> {
    let mut key = prefix(&def.account_id, &def.name);
    key.extend_from_slice(&((def.status_since * 1000.0) as u64).to_be_bytes());
    let json = serde_json::to_string(def).map_err(|e| ApiError::Internal(e.to_string()))?;
    let item = Item::from([("def".to_string(), AttributeValue::S(json))]);
    ctx.store
        .write_unconditional(vec![WriteOp::Put {
            key: ItemKey {
                storage_id: SYSTEM_STORAGE_ID,
                key,
            },
            item: StoredItem::encode(&item),
        }])
        .await
}

/// The most recently deleted table `name` of `account` that had PITR, if any.
pub async fn latest(
    ctx: &Ctx,
    account: &str,
    name: &str,
) -> Result<Option<TableDefinition>, ApiError> {
    let start = prefix(account, name);
    let range = KeyRange {
        lower: Bound::Included(start.clone()),
        upper: prefix_successor(&start).map_or(Bound::Unbounded, Bound::Excluded),
        prefix: start,
    };
    let page = ctx
        .store
        .range(SYSTEM_STORAGE_ID, &range, false, 1, usize::MAX)
        .await?;
    let Some((_, stored)) = page.items.first() else {
        return Ok(None);
    };
    match stored.decode()?.get("def") {
        Some(AttributeValue::S(json)) => serde_json::from_str(json)
            .map(Some)
            .map_err(|e| ApiError::Internal(format!("unreadable PITR record: {e}"))),
        _ => Err(ApiError::Internal("unreadable PITR record".into())),
    }
}
