//! DynamoDB operations, one file each, named after the operation. `dispatch` maps an
//! `X-Amz-Target` operation name and a JSON body to the operation and its JSON answer.

pub mod capacity;
pub mod delete_item;
pub mod get_item;
pub mod item_key;
pub mod lifecycle;
pub mod protocol;
pub mod put_item;
pub mod validate;

#[cfg(test)]
pub(crate) mod test_support;

use crate::context::Ctx;
use crate::error::ApiError;

/// Every DynamoDB operation extenddb serves, by its wire name.
pub const OPERATIONS: &[&str] = &["DeleteItem", "GetItem", "PutItem"];

/// Runs the operation named `op` (the part of `X-Amz-Target` after the dot) on `body`.
pub async fn dispatch(ctx: &Ctx, op: &str, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    match op {
        "DeleteItem" => delete_item::handle(ctx, body).await,
        "GetItem" => get_item::handle(ctx, body).await,
        "PutItem" => put_item::handle(ctx, body).await,
        _ => Err(ApiError::UnknownOperation(format!(
            "unknown operation {op}"
        ))),
    }
}
