//! The DynamoDB data model: attribute values, numbers, items, key encoding and sizes.

pub mod attribute_value;
pub mod iam;
mod iam_rules;
pub mod item;
pub mod key_encoding;
pub mod number;
pub mod reserved;
pub mod stream;
pub mod table;
pub mod tags;
pub mod validate;

pub use attribute_value::AttributeValue;
pub use item::Item;
pub use number::Number;
