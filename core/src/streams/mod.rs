//! DynamoDB Streams, the built-in way: the `BuiltinStreams` sink appends each item change's
//! record to the stream's log in the store, inside the write's transaction (`sink`); `log`
//! lays the log out and rolls shards over; `record` stores and renders records; `reader`
//! reads logs for the Streams API (`ops::streams`); `arn` and `iterator` are the API's
//! identifiers.

pub mod arn;
pub mod iterator;
pub mod log;
pub mod reader;
pub mod record;
pub mod sink;

pub use sink::BuiltinStreams;
