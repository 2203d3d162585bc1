//! Data-plane operations: items, reads, batches and transactions, one file per DynamoDB operation.

pub mod batch_get_item;
pub mod batch_write_item;
pub mod delete_item;
pub mod get_item;
pub mod put_item;
pub mod query;
pub mod scan;
pub mod transact_get_items;
pub mod transact_write_items;
pub mod update_item;
