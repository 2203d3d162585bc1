//! DynamoDB operations, one file each, named after the operation. `dispatch` maps an
//! `X-Amz-Target` operation name and a JSON body to the operation and its JSON answer.

pub mod batch_common;
pub mod batch_get_item;
pub mod batch_write_item;
pub mod capacity;
pub mod create_table;
mod create_table_validation;
pub mod delete_item;
pub mod delete_table;
pub mod describe_table;
pub mod describe_time_to_live;
pub mod expression_params;
pub mod get_item;
pub mod gsi_backfill;
pub mod gsi_propagation;
pub mod idempotency;
pub mod idempotency_sweep;
pub mod index_capacity;
pub mod index_definitions;
pub mod index_description;
pub mod index_keys;
pub mod index_lifecycle;
pub mod index_maintenance;
pub mod index_read;
pub mod item_collection;
pub mod item_key;
pub mod legacy_read;
pub mod lifecycle;
pub mod list_tables;
pub mod list_tags_of_resource;
pub mod pagination;
pub mod protocol;
pub mod put_item;
pub mod query;
mod query_range;
pub mod read_page;
pub mod read_request;
pub mod resource_arn;
pub mod return_values;
pub mod scan;
pub mod select;
pub mod table_description;
pub mod tag_resource;
mod tag_validation;
pub mod transact_get_items;
pub mod transact_write_items;
pub mod transaction;
pub mod ttl_sweep;
pub mod untag_resource;
pub mod update_item;
pub mod update_table;
mod update_table_capacity;
mod update_table_indexes;
pub mod update_table_request;
pub mod update_time_to_live;
pub mod validate;

#[cfg(test)]
pub(crate) mod multi_test_support;
#[cfg(test)]
pub(crate) mod read_test_support;
#[cfg(test)]
pub(crate) mod test_support;

use crate::context::Ctx;
use crate::error::ApiError;

/// Every DynamoDB operation extenddb serves, by its wire name.
pub const OPERATIONS: &[&str] = &[
    "BatchGetItem",
    "BatchWriteItem",
    "CreateTable",
    "DeleteItem",
    "DeleteTable",
    "DescribeTable",
    "DescribeTimeToLive",
    "GetItem",
    "ListTables",
    "ListTagsOfResource",
    "PutItem",
    "Query",
    "Scan",
    "TagResource",
    "TransactGetItems",
    "TransactWriteItems",
    "UntagResource",
    "UpdateItem",
    "UpdateTable",
    "UpdateTimeToLive",
];

/// Runs the operation named `op` (the part of `X-Amz-Target` after the dot) on `body`.
pub async fn dispatch(ctx: &Ctx, op: &str, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    match op {
        "BatchGetItem" => batch_get_item::handle(ctx, body).await,
        "BatchWriteItem" => batch_write_item::handle(ctx, body).await,
        "CreateTable" => create_table::handle(ctx, body).await,
        "DeleteItem" => delete_item::handle(ctx, body).await,
        "DeleteTable" => delete_table::handle(ctx, body).await,
        "DescribeTable" => describe_table::handle(ctx, body).await,
        "DescribeTimeToLive" => describe_time_to_live::handle(ctx, body).await,
        "GetItem" => get_item::handle(ctx, body).await,
        "ListTables" => list_tables::handle(ctx, body).await,
        "ListTagsOfResource" => list_tags_of_resource::handle(ctx, body).await,
        "PutItem" => put_item::handle(ctx, body).await,
        "Query" => query::handle(ctx, body).await,
        "Scan" => scan::handle(ctx, body).await,
        "TagResource" => tag_resource::handle(ctx, body).await,
        "TransactGetItems" => transact_get_items::handle(ctx, body).await,
        "TransactWriteItems" => transact_write_items::handle(ctx, body).await,
        "UntagResource" => untag_resource::handle(ctx, body).await,
        "UpdateItem" => update_item::handle(ctx, body).await,
        "UpdateTable" => update_table::handle(ctx, body).await,
        "UpdateTimeToLive" => update_time_to_live::handle(ctx, body).await,
        // DynamoDB answers an unknown operation with a bare type and no message.
        _ => Err(ApiError::UnknownOperation(String::new())),
    }
}

/// The body of operations that answer nothing (TagResource, UntagResource): empty, as
/// DynamoDB sends it.
pub(crate) fn empty_answer() -> Vec<u8> {
    Vec::new()
}
