//! DynamoDB operations, one file each, named after the operation. `dispatch` maps an
//! `X-Amz-Target` operation name and a JSON body to the operation and its JSON answer.

pub mod lifecycle;
pub mod protocol;
pub mod validate;

use crate::context::Ctx;
use crate::error::ApiError;

/// Every DynamoDB operation extenddb serves, by its wire name.
pub const OPERATIONS: &[&str] = &[];

/// Runs the operation named `op` (the part of `X-Amz-Target` after the dot) on `body`.
pub async fn dispatch(ctx: &Ctx, op: &str, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let _ = (ctx, body);
    Err(ApiError::UnknownOperation(format!(
        "unknown operation {op}"
    )))
}
