//! PartiQL for DynamoDB: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.
//!
//! Written by hand, not on `partiql-lang-rust`: its parser (`partiql-parser` 0.14, lalrpop)
//! reads only queries — its grammar has no INSERT, UPDATE, DELETE or RETURNING productions
//! and uses `?` only in graph patterns, not as a value parameter — and DynamoDB's dialect is
//! a small subset (one table, one item per write, its own functions and messages). A lexer
//! and a recursive-descent parser of that subset are a few hundred lines and answer with
//! DynamoDB's texts; the crate would add a heavy dependency tree for the SELECT half alone.
//!
//! A statement goes `lexer` → `parser` (`ast`) → `plan` (the table; `condition`, `values`,
//! `update`, `keys`) → `read` (SELECT: Query's and Scan's page reader) or `write` (INSERT,
//! UPDATE, DELETE: a transaction action through the TransactWriteItems decider, so index
//! entries, stream records, conditions and updates are core's). `token` is the NextToken.
//! One file per operation: `execute_statement`, `batch_execute_statement`,
//! `execute_transaction`.

pub mod ast;
pub mod batch_execute_statement;
pub mod condition;
pub mod error;
pub mod execute_statement;
pub mod execute_transaction;
pub mod keys;
pub mod lexer;
pub mod parser;
pub mod plan;
pub mod read;
pub mod token;
pub mod update;
pub mod values;
pub mod write;

use crate::error::ApiError;
use crate::model::{validate, AttributeValue};

/// Checks the request's parameters with the value rules (empty sets, NULL false, nesting),
/// in order, as DynamoDB does before it reads the statement.
pub fn check_parameters(params: &[AttributeValue]) -> Result<(), ApiError> {
    params.iter().try_for_each(validate::attribute_value)
}

/// The code a statement's error has in BatchExecuteStatement's `Responses` (the model's
/// `BatchStatementErrorCodeEnum`).
pub fn error_code(e: &ApiError) -> &'static str {
    match e {
        ApiError::Validation(_) | ApiError::Serialization(_) => "ValidationError",
        ApiError::ConditionalCheckFailed { .. } => "ConditionalCheckFailed",
        ApiError::DuplicateItem(_) => "DuplicateItem",
        ApiError::ResourceNotFound(_) => "ResourceNotFound",
        ApiError::ProvisionedThroughputExceeded { .. } => "ProvisionedThroughputExceeded",
        ApiError::Throttling { .. } => "ThrottlingError",
        ApiError::TransactionConflict(_) | ApiError::TransactionInProgress(_) => {
            "TransactionConflict"
        }
        ApiError::ItemCollectionSizeLimitExceeded(_) => "ItemCollectionSizeLimitExceeded",
        ApiError::AccessDenied(_) => "AccessDenied",
        ApiError::LimitExceeded(_) => "RequestLimitExceeded",
        _ => "InternalServerError",
    }
}

#[cfg(test)]
mod replica_tests;
#[cfg(test)]
mod stream_tests;
#[cfg(test)]
mod tests;
