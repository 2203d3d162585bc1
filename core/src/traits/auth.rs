//! `AuthProvider`: who is calling (authenticate) and may they (authorize). Kept apart from the
//! operations: an operation never parses a signature, a key lookup never decides permissions.

use crate::error::ApiError;
use async_trait::async_trait;

/// What authentication needs from an HTTP request.
///
/// The headers are the request's own `HeaderMap`, moved here rather than copied: building
/// owned (name, value) strings for every header of every request showed up at ~2.5 % of a
/// PutItem's CPU.
#[derive(Debug, Clone)]
pub struct RequestHead {
    /// HTTP method.
    pub method: String,
    /// Request path (no query string).
    pub path: String,
    /// Raw query string, if any.
    pub query: String,
    /// The request's headers (names are lower-case; repeated headers keep every value).
    pub headers: http::HeaderMap,
}

impl RequestHead {
    /// A head from `(name, value)` pairs, for tests and for embedders that call a provider
    /// directly. A pair whose name or value is not a valid HTTP header is skipped.
    pub fn from_pairs<'a>(
        method: &str,
        path: &str,
        query: &str,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> RequestHead {
        let mut headers = http::HeaderMap::new();
        for (name, value) in pairs {
            if let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                http::HeaderValue::from_str(value),
            ) {
                headers.append(name, value);
            }
        }
        RequestHead {
            method: method.to_string(),
            path: path.to_string(),
            query: query.to_string(),
            headers,
        }
    }

    /// The first value of a header (name compared case-insensitively), if it is visible ASCII
    /// text, as every header SigV4 reads must be.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
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
