//! extenddb's builtin authentication and authorization (`[auth] provider = "builtin"`):
//! SigV4 verification (`sigv4`), secrets at rest (`secrets`), generated ids (`ids`), AWS IAM
//! policy evaluation (`policy`), AssumeRole (`sts`), operator signatures (`operator`) and the
//! `BuiltinAuth` provider with its caches.

pub mod cache;
pub mod credentials;
pub mod identity;
pub mod ids;
pub mod operator;
pub mod policy;
pub mod provider;
pub mod resolve;
pub mod secrets;
pub mod sigv4;
pub mod sts;

pub use provider::{BuiltinAuth, SetupError};
pub use secrets::DataKey;
