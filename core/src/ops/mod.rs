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
use std::future::Future;
use std::pin::Pin;

/// The running operation: its JSON response or error.
pub type Answer<'a> = Pin<Box<dyn Future<Output = Result<Vec<u8>, ApiError>> + Send + 'a>>;

/// Runs `op` on the JSON request `body` and answers the JSON response. DescribeEndpoints is
/// answered by the server (it needs the request's host), so it is not dispatched here.
///
/// Each operation's future is boxed on its own, so the request carries only the running
/// operation's state machine: one future over every arm would be as large as the largest
/// (several KB: transactions, PartiQL), and moving it to the heap copied all of it on every
/// request (~10 % of a GetItem's instructions, measured with callgrind).
pub fn dispatch<'a>(ctx: &'a Ctx, op: Operation, body: &'a [u8]) -> Answer<'a> {
    use Operation as O;
    match op {
        O::BatchExecuteStatement => Box::pin(partiql::batch_execute_statement::handle(ctx, body)),
        O::BatchGetItem => Box::pin(data::batch_get_item::handle(ctx, body)),
        O::BatchWriteItem => Box::pin(data::batch_write_item::handle(ctx, body)),
        O::CreateBackup => Box::pin(backup::create_backup::handle(ctx, body)),
        O::CreateTable => Box::pin(control::create_table::handle(ctx, body)),
        O::DeleteBackup => Box::pin(backup::delete_backup::handle(ctx, body)),
        O::DescribeBackup => Box::pin(backup::describe_backup::handle(ctx, body)),
        O::DescribeContinuousBackups => {
            Box::pin(pitr::describe_continuous_backups::handle(ctx, body))
        }
        O::DescribeLimits => Box::pin(control::describe_limits::handle(ctx, body)),
        O::ListBackups => Box::pin(backup::list_backups::handle(ctx, body)),
        O::RestoreTableFromBackup => Box::pin(backup::restore_table_from_backup::handle(ctx, body)),
        O::RestoreTableToPointInTime => {
            Box::pin(pitr::restore_table_to_point_in_time::handle(ctx, body))
        }
        O::UpdateContinuousBackups => Box::pin(pitr::update_continuous_backups::handle(ctx, body)),
        O::DeleteItem => Box::pin(data::delete_item::handle(ctx, body)),
        O::DeleteTable => Box::pin(control::delete_table::handle(ctx, body)),
        O::DescribeTable => Box::pin(control::describe_table::handle(ctx, body)),
        O::DescribeTimeToLive => Box::pin(control::describe_time_to_live::handle(ctx, body)),
        O::ExecuteStatement => Box::pin(partiql::execute_statement::handle(ctx, body)),
        O::ExecuteTransaction => Box::pin(partiql::execute_transaction::handle(ctx, body)),
        O::GetItem => Box::pin(data::get_item::handle(ctx, body)),
        O::ListTables => Box::pin(control::list_tables::handle(ctx, body)),
        O::ListTagsOfResource => Box::pin(control::list_tags_of_resource::handle(ctx, body)),
        O::PutItem => Box::pin(data::put_item::handle(ctx, body)),
        O::Query => Box::pin(data::query::handle(ctx, body)),
        O::Scan => Box::pin(data::scan::handle(ctx, body)),
        O::TagResource => Box::pin(control::tag_resource::handle(ctx, body)),
        O::TransactGetItems => Box::pin(data::transact_get_items::handle(ctx, body)),
        O::TransactWriteItems => Box::pin(data::transact_write_items::handle(ctx, body)),
        O::UntagResource => Box::pin(control::untag_resource::handle(ctx, body)),
        O::UpdateItem => Box::pin(data::update_item::handle(ctx, body)),
        O::UpdateTable => Box::pin(control::update_table::handle(ctx, body)),
        O::UpdateTimeToLive => Box::pin(control::update_time_to_live::handle(ctx, body)),
        O::DescribeStream => Box::pin(streams::describe_stream::handle(ctx, body)),
        O::GetRecords => Box::pin(streams::get_records::handle(ctx, body)),
        O::GetShardIterator => Box::pin(streams::get_shard_iterator::handle(ctx, body)),
        O::ListStreams => Box::pin(streams::list_streams::handle(ctx, body)),
        // Served by the server; reaching here means a caller skipped that.
        O::DescribeEndpoints => Box::pin(std::future::ready(Err(ApiError::unknown_operation()))),
        // Features a local server does not offer (`control::not_offered`).
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
        | O::ListImports => Box::pin(async move {
            control::not_offered::handle(ctx, op, body)
                .await
                .unwrap_or_else(|| Err(ApiError::unknown_operation()))
        }),
    }
}

/// The body of operations that answer nothing (TagResource, UntagResource): empty, as
/// DynamoDB sends it.
pub(crate) fn empty_answer() -> Vec<u8> {
    Vec::new()
}
