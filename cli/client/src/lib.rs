//! A small client for DynamoDB's JSON protocol, shared by `extenddb-bench` and the `extenddb`
//! command's `export` and `import`.
//!
//! - [`sigv4`]: AWS Signature Version 4 request signing;
//! - [`transport`]: the endpoint (plain HTTP or rustls with a CA bundle), transport errors and
//!   replies; [`connection`]: one keep-alive HTTP/1.1 connection sending signed requests;
//! - [`environment`] and [`profile`]: credentials, region, CA bundle and endpoint from the
//!   standard AWS variables and shared files;
//! - [`retry`]: calls with the SDKs' retry behaviour (throttling, 5xx, transport failures).
//!
//! Why not the AWS SDK for Rust (`aws-config` + `aws-sdk-dynamodb`): measured on this
//! project's 2-core build machine, the two add 4 min 10 s (375 CPU-seconds, 160 crates,
//! aws-lc-sys compiled from C beside the `ring` the project already uses) to a cold release
//! build, and clippy checks them again. And the SDK's AttributeValue has no serde form, so
//! `export`/`import`, whose file format *is* the wire format (DynamoDB JSON), would convert
//! every item to the SDK's types and back by hand; here items pass through as raw JSON.

pub mod connection;
pub mod environment;
pub mod profile;
pub mod retry;
pub mod sigv4;
pub mod transport;
