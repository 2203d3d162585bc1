//! Control-plane operations: tables, Time to Live and tags, one file per DynamoDB operation.

pub mod create_table;
pub mod delete_table;
pub mod describe_limits;
pub mod describe_table;
pub mod describe_time_to_live;
pub mod list_tables;
pub mod list_tags_of_resource;
pub mod not_offered;
pub mod tag_resource;
pub mod untag_resource;
pub mod update_table;
pub mod update_time_to_live;
