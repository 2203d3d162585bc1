//! Request types and checks the operations share: protocol decoding, the model's member
//! constraints (`shapes`), capacity, expression parameters, keys, pagination, read pages, ARNs.

pub mod batch_common;
pub mod capacity;
pub mod expression_params;
pub mod idempotency;
pub mod item_collection;
pub mod item_key;
pub mod legacy_read;
pub mod pagination;
pub mod protocol;
pub(crate) mod query_range;
pub mod read_page;
pub mod read_request;
pub mod resource_arn;
pub mod return_values;
pub mod select;
pub mod shapes;
pub mod table_input;
pub(crate) mod tag_validation;
