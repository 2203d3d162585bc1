//! Reading a whole table a page at a time, in key order: the restores and the retention fold
//! walk history, base and restored tables so, never holding more than one page.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::traits::{KeyRange, StoredItem};

/// Items read per page.
pub const PAGE: usize = 1000;

/// The pages of one table, from its first key to its last.
#[derive(Debug)]
pub struct TablePages {
    storage_id: u64,
    /// The last key read; `None` before the first page.
    cursor: Option<Vec<u8>>,
    done: bool,
}

impl TablePages {
    /// The pages of the table `storage_id`.
    pub fn new(storage_id: u64) -> TablePages {
        TablePages {
            storage_id,
            cursor: None,
            done: false,
        }
    }

    /// The next page (`None` once the table is read to its end).
    pub async fn next(
        &mut self,
        ctx: &Ctx,
    ) -> Result<Option<Vec<(Vec<u8>, StoredItem)>>, ApiError> {
        if self.done {
            return Ok(None);
        }
        let page = ctx
            .store
            .range(
                self.storage_id,
                &KeyRange::table_after(self.cursor.take()),
                true,
                PAGE,
                usize::MAX,
            )
            .await?;
        match page.items.last() {
            Some((last, _)) if page.more => self.cursor = Some(last.clone()),
            _ => self.done = true,
        }
        Ok(Some(page.items))
    }
}
