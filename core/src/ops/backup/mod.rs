//! On-demand backups (one file per operation): CreateBackup, DescribeBackup, ListBackups,
//! DeleteBackup, RestoreTableFromBackup. A backup is a
//! record (`record`) plus copies of the table's items and LSI entries made as of one instant
//! by `ItemStore::copy_tables`; `description` renders the shapes they are answered in.

pub mod create_backup;
pub mod delete_backup;
pub mod describe_backup;
pub mod description;
pub mod list_backups;
pub mod record;
pub mod restore_table_from_backup;
