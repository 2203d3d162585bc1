//! `AuthProvider`: who is calling (authenticate) and may they (authorize). Kept apart from the
//! operations: an operation never parses a signature, a key lookup never decides permissions.

use crate::error::ApiError;
use async_trait::async_trait;

/// What authentication needs from an HTTP request.
#[derive(Debug, Clone)]
pub struct RequestHead {
    /// HTTP method.
    pub method: String,
    /// Request path (no query string).
    pub path: String,
    /// Raw query string, if any.
    pub query: String,
    /// Header (lower-case name, value) pairs in arrival order.
    pub headers: Vec<(String, String)>,
}

impl RequestHead {
    /// The first value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The account the caller acts in.
    pub account_id: String,
    /// The caller's ARN.
    pub arn: String,
    /// The access key used.
    pub access_key_id: String,
    /// Region from the request's credential scope.
    pub region: String,
}

/// Outcome of an authorization check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Allowed.
    Allow,
    /// Denied (explicitly or by default).
    Deny,
}

/// Authentication and authorization of DynamoDB requests. Public so embedders can plug their own.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait AuthProvider: Send + Sync {
    /// Verifies the request's credentials; `body_sha256` is the SHA-256 of the body.
    async fn authenticate(
        &self,
        head: &RequestHead,
        body_sha256: &[u8; 32],
    ) -> Result<Principal, ApiError>;

    /// Decides whether `principal` may perform `action` (e.g. `dynamodb:PutItem`) on `resource`.
    async fn authorize(
        &self,
        principal: &Principal,
        action: &str,
        resource: &str,
    ) -> Result<Decision, ApiError>;
}
