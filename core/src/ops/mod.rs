//! DynamoDB operations and what they share, by concern:
//!
//! - `data/` and `control/`: one file per operation, named after it (request and response
//!   types, validation, logic);
//! - `request/`: request types and checks several operations share;
//! - `index/`: secondary-index upkeep; `table/`: the table lifecycle and definitions;
//! - `change`: what an item change adds to its write transaction (index entries, stream
//!   records); `authorize`: the condition keys operations authorize with;
//! - `background/`: the jobs the server runs beside requests;
//! - `transaction/`: TransactWriteItems' actions and decider;
//! - `streams/`: the DynamoDB Streams API (one file per operation).
//! - `backup/`: on-demand backups and their restore (one file per operation).
//! - `pitr/`: point-in-time recovery (history, restore, one file per operation).
//! - `partiql/`: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction (DynamoDB's
//!   PartiQL: lexer, parser, planner, one file per operation).
//!
//! `Operation` names every operation; `dispatch` runs one on a JSON body.

pub mod authorize;
pub mod background;
pub mod backup;
pub mod change;
pub mod control;
pub mod data;
pub mod index;
pub mod operation;
pub mod partiql;
pub mod pitr;
pub mod request;
pub mod streams;
pub mod table;
pub mod transaction;

#[cfg(test)]
pub(crate) mod multi_test_support;
#[cfg(test)]
pub(crate) mod read_test_support;
#[cfg(test)]
pub(crate) mod test_support;

use crate::context::Ctx;
use crate::error::ApiError;
pub use operation::{Api, Operation};

/// Runs `op` on the JSON request `body` and answers the JSON response. DescribeEndpoints is
/// answered by the server (it needs the request's host), so it is not dispatched here.
pub async fn dispatch(ctx: &Ctx, op: Operation, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    use Operation as O;
    if let Some(answer) = control::not_offered::handle(ctx, op, body).await {
        return answer;
    }
    match op {
        O::BatchExecuteStatement => partiql::batch_execute_statement::handle(ctx, body).await,
        O::BatchGetItem => data::batch_get_item::handle(ctx, body).await,
        O::BatchWriteItem => data::batch_write_item::handle(ctx, body).await,
        O::CreateBackup => backup::create_backup::handle(ctx, body).await,
        O::CreateTable => control::create_table::handle(ctx, body).await,
        O::DeleteBackup => backup::delete_backup::handle(ctx, body).await,
        O::DescribeBackup => backup::describe_backup::handle(ctx, body).await,
        O::DescribeContinuousBackups => pitr::describe_continuous_backups::handle(ctx, body).await,
        O::DescribeLimits => control::describe_limits::handle(ctx, body).await,
        O::ListBackups => backup::list_backups::handle(ctx, body).await,
        O::RestoreTableFromBackup => backup::restore_table_from_backup::handle(ctx, body).await,
        O::RestoreTableToPointInTime => {
            pitr::restore_table_to_point_in_time::handle(ctx, body).await
        }
        O::UpdateContinuousBackups => pitr::update_continuous_backups::handle(ctx, body).await,
        O::DeleteItem => data::delete_item::handle(ctx, body).await,
        O::DeleteTable => control::delete_table::handle(ctx, body).await,
        O::DescribeTable => control::describe_table::handle(ctx, body).await,
        O::DescribeTimeToLive => control::describe_time_to_live::handle(ctx, body).await,
        O::ExecuteStatement => partiql::execute_statement::handle(ctx, body).await,
        O::ExecuteTransaction => partiql::execute_transaction::handle(ctx, body).await,
        O::GetItem => data::get_item::handle(ctx, body).await,
        O::ListTables => control::list_tables::handle(ctx, body).await,
        O::ListTagsOfResource => control::list_tags_of_resource::handle(ctx, body).await,
        O::PutItem => data::put_item::handle(ctx, body).await,
        O::Query => data::query::handle(ctx, body).await,
        O::Scan => data::scan::handle(ctx, body).await,
        O::TagResource => control::tag_resource::handle(ctx, body).await,
        O::TransactGetItems => data::transact_get_items::handle(ctx, body).await,
        O::TransactWriteItems => data::transact_write_items::handle(ctx, body).await,
        O::UntagResource => control::untag_resource::handle(ctx, body).await,
        O::UpdateItem => data::update_item::handle(ctx, body).await,
        O::UpdateTable => control::update_table::handle(ctx, body).await,
        O::UpdateTimeToLive => control::update_time_to_live::handle(ctx, body).await,
        O::DescribeStream => streams::describe_stream::handle(ctx, body).await,
        O::GetRecords => streams::get_records::handle(ctx, body).await,
        O::GetShardIterator => streams::get_shard_iterator::handle(ctx, body).await,
        O::ListStreams => streams::list_streams::handle(ctx, body).await,
        // Served by the server; reaching here means a caller skipped that.
        O::DescribeEndpoints => Err(ApiError::unknown_operation()),
        // Answered by `control::not_offered` above.
        O::DescribeContributorInsights
        | O::DescribeExport
        | O::DescribeGlobalTable
        | O::DescribeGlobalTableSettings
        | O::DescribeImport
        | O::DescribeKinesisStreamingDestination
        | O::DescribeTableReplicaAutoScaling
        | O::GetResourcePolicy
        | O::ListContributorInsights
        | O::ListExports
        | O::ListGlobalTables
        | O::ListImports => Err(ApiError::unknown_operation()),
    }
}

/// The body of operations that answer nothing (TagResource, UntagResource): empty, as
/// DynamoDB sends it.
pub(crate) fn empty_answer() -> Vec<u8> {
    Vec::new()
}
