//! Point-in-time recovery (continuous backups): UpdateContinuousBackups,
//! DescribeContinuousBackups and RestoreTableToPointInTime.
//!
//! While PITR is on, every item change also writes a history entry (`history`) in the
//! change's own store transaction (`ops::change::ChangeWriter`), and a base copy of the table
//! taken when PITR was enabled marks the earliest restorable time. Restoring to T
//! (`restore`) puts, for each item, its newest entry at or before T over the base. Deleted
//! tables keep their base and history (`deleted`).

pub mod deleted;
pub mod describe_continuous_backups;
pub mod history;
pub mod pages;
pub mod restore;
pub mod restore_table_to_point_in_time;
pub mod update_continuous_backups;
pub mod window;
