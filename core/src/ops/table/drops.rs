//! Storage waiting to be dropped: the durable queue of storage ids (a table's or an index's)
//! whose items the table reaper (`background::table_reaper`) drops in the background. A
//! deletion queues its storage before the definition that refers to it goes, so a crash
//! leaves nothing orphaned.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::reserved::{DROP_TAG, SYSTEM_STORAGE_ID};
use crate::traits::{ItemKey, StoredItem, WriteOp};
use bytes::Bytes;

/// The queue record of `storage_id`.
pub fn drop_key(storage_id: u64) -> ItemKey {
    let mut key = DROP_TAG.to_vec();
    key.extend_from_slice(&storage_id.to_be_bytes());
    ItemKey {
        storage_id: SYSTEM_STORAGE_ID,
        key,
    }
}

/// Queues `storage_ids` for dropping (durably, before anything refers to them no more).
pub async fn queue_drops(ctx: &Ctx, storage_ids: &[u64]) -> Result<(), ApiError> {
    let writes: Vec<WriteOp> = storage_ids
        .iter()
        .map(|id| WriteOp::Put {
            key: drop_key(*id),
            item: StoredItem(Bytes::from_static(b"{}")),
        })
        .collect();
    ctx.store.write_unconditional(writes).await
}
