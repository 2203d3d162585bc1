//! extenddb core: the DynamoDB data model, the operations' logic and the traits that storage,
//! authentication, throttling and streams are plugged in behind.
//!
//! Everything here is plain Rust with no I/O of its own; async appears only at the trait
//! boundaries (`traits`), so the model and each operation can be unit-tested without a server.

pub mod clock;
pub mod context;
pub mod error;
pub mod expr;
pub mod metrics;
pub mod model;
pub mod ops;
pub mod services;
pub mod settings;
pub mod streams;
pub mod striped;
#[cfg(feature = "testsuite")]
pub mod testsuite;
pub mod throttle;
pub mod traits;

pub use context::Ctx;
pub use error::ApiError;
pub use model::{AttributeValue, Item};
pub use services::Services;
