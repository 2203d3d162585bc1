//! DynamoDB's PartiQL messages that more than one step uses. Texts are DynamoDB's, from
//! captures of real DynamoDB (paritysuite/dynamodb-conformance, pinned in eu-west-2 in
//! October 2026) and DynamoDB Local's message catalogue; a few syntax-error details are
//! our own (marked where they are made).

use super::lexer::Pos;
use crate::error::ApiError;

/// The envelope of a statement the parser cannot read.
pub const NOT_WELL_FORMED: &str = "Statement wasn't well formed, can't be processed: ";

/// A key attribute lacks its equality in an UPDATE's or DELETE's WHERE clause.
pub const INCOMPLETE_KEY: &str =
    "Where clause does not contain a mandatory equality on all key attributes";

/// `?` and `Parameters` disagree in number.
pub const PARAMETER_COUNT: &str = "Number of parameters in request and statement don't match.";

/// "Statement wasn't well formed, can't be processed: <detail>".
pub fn not_well_formed(detail: &str) -> ApiError {
    ApiError::validation(format!("{NOT_WELL_FORMED}{detail}"))
}

/// A message with DynamoDB's ` at <line>:<column>:<length>` suffix.
pub fn at(message: impl std::fmt::Display, pos: Pos) -> ApiError {
    ApiError::validation(format!("{message} at {}", pos.describe()))
}

/// A ValidationException with `message` as it is.
pub fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::validation(message)
}
