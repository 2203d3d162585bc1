//! `AuthProvider`: who is calling (authenticate) and may they (authorize). Kept apart from the
//! operations: an operation never parses a signature, a key lookup never decides permissions.

use crate::error::ApiError;
use async_trait::async_trait;
use std::any::Any;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::SystemTime;

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
///
/// The fields every provider fills are plain data; `identity` is the provider's own resolved
/// view of the caller (policies, tags, session) that its `authorize` reads back. Core never
/// looks inside it.
#[derive(Clone)]
pub struct Principal {
    /// The account the caller acts in (12 digits). Shared, not copied: a provider hands out
    /// the same text on every request of one caller.
    pub account_id: Arc<str>,
    /// The caller's ARN: `arn:aws:iam::<acct>:root`, `…:user/<name>`, or
    /// `arn:aws:sts::<acct>:assumed-role/<role>/<session>`.
    pub arn: Arc<str>,
    /// IAM's unique id of the caller (`aws:userid`): the account id for root, `AIDA…` for a
    /// user, `AROA…:<session>` for a role session.
    pub user_id: Arc<str>,
    /// The access key used. Shared like the texts above: a provider that caches its
    /// credentials hands out the cached key id.
    pub access_key_id: Arc<str>,
    /// Region from the request's credential scope. Shared like the texts above: a provider
    /// can keep one per signing key it caches.
    pub region: Arc<str>,
    /// Provider-specific resolved identity, opaque to core.
    pub identity: Option<Arc<dyn Any + Send + Sync>>,
}

impl Principal {
    /// The root of `account_id`, as the `none` provider and embedders without IAM use it.
    pub fn account_root(account_id: &str, access_key_id: &str, region: &str) -> Principal {
        let account: Arc<str> = account_id.into();
        Principal::root_of(
            &account,
            &Principal::root_arn(account_id),
            access_key_id,
            region,
        )
    }

    /// The root ARN of `account_id` (`arn:aws:iam::<acct>:root`).
    pub fn root_arn(account_id: &str) -> Arc<str> {
        ["arn:aws:iam::", account_id, ":root"].concat().into()
    }

    /// `account_root` from the account id and its root ARN made once (`root_arn`): the
    /// `none` provider answers every request with this, sharing the two texts.
    pub fn root_of(
        account_id: &Arc<str>,
        root_arn: &Arc<str>,
        access_key_id: &str,
        region: &str,
    ) -> Principal {
        Principal {
            account_id: account_id.clone(),
            arn: root_arn.clone(),
            user_id: account_id.clone(),
            access_key_id: access_key_id.into(),
            region: region.into(),
            identity: None,
        }
    }
}

impl std::fmt::Debug for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Principal")
            .field("account_id", &self.account_id)
            .field("arn", &self.arn)
            .field("user_id", &self.user_id)
            .field("access_key_id", &self.access_key_id)
            .field("region", &self.region)
            .field("identity", &self.identity.as_ref().map(|_| ".."))
            .finish()
    }
}

impl PartialEq for Principal {
    /// Equal when the plain fields are; the opaque `identity` is not compared.
    fn eq(&self, other: &Self) -> bool {
        self.account_id == other.account_id
            && self.arn == other.arn
            && self.user_id == other.user_id
            && self.access_key_id == other.access_key_id
            && self.region == other.region
    }
}

/// Facts about the request itself that policy conditions can test: `aws:SourceIp`,
/// `aws:SecureTransport`, `aws:CurrentTime` / `aws:EpochTime`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFacts {
    /// The client's address, when the listener knows it.
    pub source_ip: Option<IpAddr>,
    /// Whether the request came over TLS.
    pub secure_transport: bool,
    /// When the request arrived (the services' clock).
    pub time: SystemTime,
}

impl Default for RequestFacts {
    fn default() -> Self {
        RequestFacts {
            source_ip: None,
            secure_transport: false,
            time: SystemTime::UNIX_EPOCH,
        }
    }
}

/// DynamoDB's condition keys for one authorization question (the `dynamodb:*` keys of the
/// Service Authorization Reference) and the resource's tags (`aws:ResourceTag/<k>`). A key
/// that does not apply to the action is left empty / `None`, which policies see as absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthzContext {
    /// `dynamodb:LeadingKeys`: the partition-key values the request touches, as strings
    /// (numbers in their normalized text, binary in base64).
    pub leading_keys: Vec<String>,
    /// `dynamodb:Attributes`: attribute names the request names or returns; `None` when the
    /// request does not limit them (absent from the context).
    pub attributes: Option<Vec<String>>,
    /// `dynamodb:Select`.
    pub select: Option<String>,
    /// `dynamodb:ReturnValues`.
    pub return_values: Option<String>,
    /// `dynamodb:ReturnConsumedCapacity`.
    pub return_consumed_capacity: Option<String>,
    /// `dynamodb:EnclosingOperation`: `TransactWriteItems`, `TransactGetItems` or
    /// `ExecuteTransaction` when the item action runs inside one.
    pub enclosing_operation: Option<String>,
    /// `dynamodb:FullTableScan` (PartiQL SELECT that scans).
    pub full_table_scan: Option<bool>,
    /// The resource's tags, `(key, value)`: `aws:ResourceTag/<key>`.
    pub resource_tags: Vec<(String, String)>,
}

/// One authorization question: may the principal perform `action` on `resource`?
#[derive(Debug, Clone, Copy)]
pub struct AuthzRequest<'a> {
    /// The IAM action, e.g. `dynamodb:PutItem`.
    pub action: &'a str,
    /// The resource ARN (table, `…/index/<I>`, `…/stream/<label>`, or `*` for ListTables and
    /// other account-wide actions).
    pub resource: &'a str,
    /// Facts about the request.
    pub facts: &'a RequestFacts,
    /// DynamoDB's condition keys and the resource's tags.
    pub context: &'a AuthzContext,
}

/// Which policy type left a request denied: the variants of AWS's AccessDenied text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenyReason {
    /// No identity-based policy allows the action (implicit deny).
    NoIdentityPolicy,
    /// A statement of an identity-based policy denies it (explicit deny).
    ExplicitIdentityDeny,
    /// The permissions boundary does not allow it.
    NoBoundary,
    /// A statement of the permissions boundary denies it.
    ExplicitBoundaryDeny,
    /// The session policy of an assumed-role session does not allow it.
    NoSessionPolicy,
    /// A statement of the session policy denies it.
    ExplicitSessionDeny,
}

impl DenyReason {
    /// The tail AWS appends to "User: … is not authorized to perform: <action> on resource:
    /// <arn>".
    pub fn suffix(self, action: &str) -> String {
        match self {
            DenyReason::NoIdentityPolicy => {
                format!("because no identity-based policy allows the {action} action")
            }
            DenyReason::ExplicitIdentityDeny => {
                "with an explicit deny in an identity-based policy".to_string()
            }
            DenyReason::NoBoundary => {
                format!("because no permissions boundary allows the {action} action")
            }
            DenyReason::ExplicitBoundaryDeny => {
                "with an explicit deny in a permissions boundary".to_string()
            }
            DenyReason::NoSessionPolicy => {
                format!("because no session policy allows the {action} action")
            }
            DenyReason::ExplicitSessionDeny => {
                "with an explicit deny in a session policy".to_string()
            }
        }
    }
}

/// Outcome of an authorization check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Allowed.
    Allow,
    /// Denied, with the policy type that decided it.
    Deny(DenyReason),
}

impl Decision {
    /// `Ok` when allowed, else DynamoDB's AccessDeniedException in AWS's words.
    pub fn into_result(
        self,
        principal: &Principal,
        request: &AuthzRequest<'_>,
    ) -> Result<(), ApiError> {
        match self {
            Decision::Allow => Ok(()),
            Decision::Deny(reason) => Err(ApiError::AccessDenied(format!(
                "User: {} is not authorized to perform: {} on resource: {} {}",
                principal.arn,
                request.action,
                request.resource,
                reason.suffix(request.action)
            ))),
        }
    }
}

/// Authentication and authorization of DynamoDB requests: the public extension point for
/// embedders who bring their own identities (see docs/embedding.md for a walkthrough, and the
/// `extenddb-auth-static-keys` crate for a complete small provider).
///
/// The request pipeline calls `authenticate` once per request, before the body is parsed into
/// an operation, and `authorize` once per IAM action the operation performs (a batch or a
/// transaction asks once per item action). Neither sees the other's inputs beyond the
/// `Principal`, so a key lookup never decides permissions and a policy never parses a header.
///
/// Contract for implementations:
/// - `authenticate` answers DynamoDB's own errors for bad credentials
///   (`MissingAuthenticationToken`, `IncompleteSignature`, `InvalidSignature`,
///   `UnrecognizedClient`, `ExpiredToken`); `extenddb_auth_builtin::sigv4` parses and verifies
///   SigV4 with those texts, so a provider only has to find the secret for a key id.
///   `body_sha256` is the SHA-256 of the body as received; verify it against the signature.
/// - The `Principal` names the account the caller acts in; the pipeline scopes every table to
///   it. Put whatever `authorize` needs later into `Principal::identity`.
/// - `authorize` returns `Decision::Deny(reason)` for a denial (the pipeline turns it into
///   AWS's AccessDenied text) and `Err` only when it cannot decide (a store outage). It must
///   be cheap: it runs for every item of a batch. Decisions must not be cached across requests
///   unless the provider knows its policies are immutable.
/// - Both methods may run concurrently from many tasks; never log secrets.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait AuthProvider: Send + Sync {
    /// Verifies the request's credentials; `body_sha256` is the SHA-256 of the body as sent.
    async fn authenticate(
        &self,
        head: &RequestHead,
        body_sha256: &[u8; 32],
    ) -> Result<Principal, ApiError>;

    /// Decides whether `principal` may perform `request.action` on `request.resource`.
    /// Errors are for failures to decide (a store outage), never for a denial.
    async fn authorize<'r>(
        &self,
        principal: &Principal,
        request: &AuthzRequest<'r>,
    ) -> Result<Decision, ApiError>;

    /// True when `authorize` allows everything (the `none` provider): the request pipeline
    /// then skips building authorization contexts, so the gate costs nothing.
    fn allows_everything(&self) -> bool {
        false
    }

    /// False when `authorize` for `principal` reads nothing of `AuthzRequest::context` (the
    /// DynamoDB condition keys and the resource's tags): the pipeline then passes an empty
    /// context instead of building one. The default, true, is always correct.
    fn reads_request_keys(&self, _principal: &Principal) -> bool {
        true
    }

    /// False when `authenticate` ignores `body_sha256` (it checks no signature): the server
    /// then passes zeros instead of hashing every request body.
    fn reads_body_hash(&self) -> bool {
        true
    }
}
