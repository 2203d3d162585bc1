//! DynamoDB's expression language: ConditionExpression, FilterExpression,
//! KeyConditionExpression, UpdateExpression and ProjectionExpression.
//!
//! Each expression goes through three steps: `lexer` + `parser` (syntax only, DynamoDB's
//! `token:`/`near:` messages), a compile step (`condition`, `update`, `projection`:
//! reserved words, functions, placeholders via `names`, paths), then use (`eval`,
//! `update_apply`, `projection::project`, `key_condition`). The functions below run the first
//! two steps and wrap messages in DynamoDB's `Invalid <Kind>: ` prefix.
//!
//! One request's expressions share one [`ExpressionAttributes`]; after compiling all of them
//! the operation calls [`ExpressionAttributes::check_unused`].

pub mod ast;
pub mod compare;
pub mod condition;
pub mod eval;
pub mod key_condition;
pub mod legacy;
pub mod lexer;
pub mod names;
pub mod parser;
pub mod path;
pub mod projection;
pub mod reserved;
pub mod update;
pub mod update_apply;

#[cfg(test)]
mod tests;

pub use condition::{Condition, Term};
pub use key_condition::{
    composite_from_leaves, composite_key_condition, key_condition, CompositeKeyCondition,
    KeyCondition, SortKeyPredicate,
};
pub use names::ExpressionAttributes;
pub use path::{DocPath, PathElement};
pub use projection::{project, Projection};
pub use update::UpdateExpression;
pub use update_apply::UpdateOutcome;

use crate::error::ApiError;

/// Which request parameter an expression came from; names the `Invalid <Kind>: ` prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpressionKind {
    /// `ConditionExpression` (PutItem, UpdateItem, DeleteItem, transactions).
    Condition,
    /// `FilterExpression` (Query, Scan).
    Filter,
    /// `KeyConditionExpression` (Query).
    KeyCondition,
    /// `UpdateExpression` (UpdateItem).
    Update,
    /// `ProjectionExpression` (GetItem, Query, Scan, …).
    Projection,
}

impl ExpressionKind {
    /// The request parameter's name.
    pub fn parameter(self) -> &'static str {
        match self {
            ExpressionKind::Condition => "ConditionExpression",
            ExpressionKind::Filter => "FilterExpression",
            ExpressionKind::KeyCondition => "KeyConditionExpression",
            ExpressionKind::Update => "UpdateExpression",
            ExpressionKind::Projection => "ProjectionExpression",
        }
    }

    fn invalid(self, msg: String) -> ApiError {
        ApiError::validation(format!("Invalid {}: {msg}", self.parameter()))
    }
}

/// Parses and compiles a ConditionExpression, FilterExpression or (before
/// [`key_condition`]) KeyConditionExpression; `kind` picks the message prefix.
pub fn parse_condition(
    text: &str,
    kind: ExpressionKind,
    attrs: &mut ExpressionAttributes<'_>,
) -> Result<Condition, ApiError> {
    parser::parse_condition_ast(text)
        .and_then(|ast| condition::compile_condition(&ast, attrs))
        .map_err(|m| kind.invalid(m))
}

/// Parses and compiles an UpdateExpression.
pub fn parse_update(
    text: &str,
    attrs: &mut ExpressionAttributes<'_>,
) -> Result<UpdateExpression, ApiError> {
    parser::parse_update_ast(text)
        .and_then(|ast| update::compile_update(&ast, attrs))
        .map_err(|m| ExpressionKind::Update.invalid(m))
}

/// Parses and compiles a ProjectionExpression.
pub fn parse_projection(
    text: &str,
    attrs: &mut ExpressionAttributes<'_>,
) -> Result<Projection, ApiError> {
    parser::parse_projection_ast(text)
        .and_then(|ast| projection::compile_projection(&ast, attrs))
        .map_err(|m| ExpressionKind::Projection.invalid(m))
}
