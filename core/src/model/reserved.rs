//! Storage ids no table or index is ever given, and the tags of the system records kept under
//! them: the one place that says which ids and tags are taken. Catalogs hand out storage ids
//! counting up from 1, so ids at the top of the `i64` range never collide with a table's (and
//! backends that store ids as BIGINT hold them unchanged).

/// extenddb's own records (ClientRequestToken records, GSI backfill progress, storage waiting
/// to be dropped), told apart by the tag their keys start with.
pub const SYSTEM_STORAGE_ID: u64 = i64::MAX as u64;

/// The queue of GSI entries waiting for their propagation delay
/// (`ops::background::gsi_propagation`).
pub const GSI_QUEUE_STORAGE_ID: u64 = SYSTEM_STORAGE_ID - 1;

/// Tag of TransactWriteItems ClientRequestToken records (`ops::request::idempotency`).
pub const TOKEN_TAG: &[u8] = b"transact-token\0";

/// Tag of GSI backfill progress records (`ops::background::gsi_backfill`).
pub const BACKFILL_TAG: &[u8] = b"gsi-backfill\0";

/// Tag of storage ids waiting for the table reaper to drop their items
/// (`ops::background::table_reaper`).
pub const DROP_TAG: &[u8] = b"drop-storage\0";

/// Tag of on-demand backup records (`ops::backup::record`).
pub const BACKUP_TAG: &[u8] = b"backup\0";

/// Tag of the point-in-time recovery records of deleted tables (`ops::pitr::deleted`).
pub const PITR_DELETED_TAG: &[u8] = b"pitr-deleted\0";

/// Tag of the markers of backups still being created (`ops::backup::record`), which the
/// table reaper checks for ones a crash cut short (`ops::background::restores`).
pub const BACKUP_PENDING_TAG: &[u8] = b"backup-pending\0";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_fit_in_i64_and_tags_never_prefix_each_other() {
        assert!(i64::try_from(SYSTEM_STORAGE_ID).is_ok());
        assert!(i64::try_from(GSI_QUEUE_STORAGE_ID).is_ok());
        let tags = [
            TOKEN_TAG,
            BACKFILL_TAG,
            DROP_TAG,
            BACKUP_TAG,
            PITR_DELETED_TAG,
            BACKUP_PENDING_TAG,
        ];
        for a in tags {
            for b in tags {
                assert!(a == b || !a.starts_with(b), "{a:?} / {b:?}");
            }
        }
    }
}
