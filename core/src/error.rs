//! `ApiError`: every failure a request can end in, and its one mapping to DynamoDB's wire form
//! (`__type`, `message`, HTTP status).

use crate::model::Item;
use serde::Serialize;

/// The reason one action of a cancelled transaction failed, in request order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CancellationReason {
    /// `None`, `ConditionalCheckFailed`, `TransactionConflict`, `ValidationError`, …
    #[serde(rename = "Code")]
    pub code: String,
    /// Human-readable detail; absent for `None`.
    #[serde(rename = "Message", skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The item as it was, when `ReturnValuesOnConditionCheckFailure=ALL_OLD`.
    #[serde(rename = "Item", skip_serializing_if = "Option::is_none")]
    pub item: Option<Item>,
}

/// One entry of the `ThrottlingReasons` a throttling error carries: `reason` is
/// `<Table|Index><Read|Write><LimitType>`, `resource` the table's or index's ARN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThrottlingReason {
    /// E.g. `TableWriteProvisionedThroughputExceeded`.
    pub reason: String,
    /// The throttled table's or index's ARN.
    pub resource: String,
}

/// A failure of a DynamoDB request. Each variant is one DynamoDB error type; the payload is the
/// message DynamoDB sends (word for word where DynamoDB's wording is known).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// Input failed validation.
    #[error("{0}")]
    Validation(String),
    /// The request body could not be parsed into the operation's shape.
    #[error("{0}")]
    Serialization(String),
    /// `X-Amz-Target` names no operation we serve.
    #[error("{0}")]
    UnknownOperation(String),
    /// The table (or index, stream, …) does not exist.
    #[error("{0}")]
    ResourceNotFound(String),
    /// The resource exists already or is in a state that forbids the request.
    #[error("{0}")]
    ResourceInUse(String),
    /// A ConditionExpression evaluated to false; `item` is the old item when the request asked
    /// for it with `ReturnValuesOnConditionCheckFailure=ALL_OLD`.
    #[error("The conditional request failed")]
    ConditionalCheckFailed {
        /// The item at the time of the check, if requested.
        item: Option<Item>,
    },
    /// A transaction was cancelled; one reason per action, in request order.
    #[error("{message}")]
    TransactionCanceled {
        /// The summary message DynamoDB sends.
        message: String,
        /// One entry per action.
        reasons: Vec<CancellationReason>,
    },
    /// A PartiQL INSERT of a key an item already has ("Duplicate primary key exists in
    /// table").
    #[error("{0}")]
    DuplicateItem(String),
    /// Another transaction holds an item this request needs.
    #[error("{0}")]
    TransactionConflict(String),
    /// A transaction with the same client token is still running.
    #[error("{0}")]
    TransactionInProgress(String),
    /// A client token was reused with different parameters.
    #[error("{0}")]
    IdempotentParameterMismatch(String),
    /// Too many concurrent control-plane operations, or a quota.
    #[error("{0}")]
    LimitExceeded(String),
    /// Provisioned throughput exceeded for a provisioned table or index.
    #[error("{message}")]
    ProvisionedThroughputExceeded {
        /// DynamoDB's message (table or GSI wording).
        message: String,
        /// Which limits were exceeded on which resources (`ThrottlingReasons`).
        reasons: Vec<ThrottlingReason>,
    },
    /// Throughput exceeds what an on-demand table, a hot key or a configured maximum allows.
    #[error("{message}")]
    Throttling {
        /// DynamoDB's message.
        message: String,
        /// Which limits were exceeded on which resources (`throttlingReasons`).
        reasons: Vec<ThrottlingReason>,
    },
    /// An item collection exceeded 10 GB (tables with an LSI).
    #[error("{0}")]
    ItemCollectionSizeLimitExceeded(String),
    /// No credentials were supplied.
    #[error("{0}")]
    MissingAuthenticationToken(String),
    /// The access key is unknown.
    #[error("{0}")]
    UnrecognizedClient(String),
    /// The signature does not match.
    #[error("{0}")]
    InvalidSignature(String),
    /// The `Authorization` header (or signing query) lacks a required part or is malformed.
    #[error("{0}")]
    IncompleteSignature(String),
    /// The session credentials' token has expired.
    #[error("{0}")]
    ExpiredToken(String),
    /// The principal is not allowed to do this.
    #[error("{0}")]
    AccessDenied(String),
    /// The request body is larger than the server accepts.
    #[error("{0}")]
    RequestTooLarge(String),
    /// The request's body did not arrive within the server's body read timeout.
    #[error("{0}")]
    RequestTimeout(String),
    /// Something failed inside the server; the message never carries secrets.
    #[error("{0}")]
    Internal(String),
    /// A DynamoDB Streams shard iterator is older than 15 minutes.
    #[error("{0}")]
    ExpiredIterator(String),
    /// A DynamoDB Streams read asked for records that have been trimmed (older than 24 h).
    #[error("{0}")]
    TrimmedDataAccess(String),
    /// The server cannot serve the request now: its disk is full, its database is out of
    /// reach, or the request's deadline passed. Answered as an `InternalServerError` (500, so
    /// SDKs retry) with a message that says which; the fault is logged once per episode by the
    /// store and the health monitor, not once per request.
    #[error("{0}")]
    Unavailable(String),
    /// An error type of one operation family (backups, point-in-time recovery, global tables,
    /// exports, imports, resource policies: `BackupNotFoundException`, …), answered with HTTP
    /// 400 in DynamoDB's namespace. `type_name` is the part of `__type` after `#`.
    #[error("{message}")]
    Named {
        /// E.g. `BackupNotFoundException`.
        type_name: &'static str,
        /// DynamoDB's message.
        message: String,
    },
}

/// Wire namespace of errors raised by AWS's generic service framework.
const CORAL_SERVICE: &str = "com.amazon.coral.service#";
/// Wire namespace of DynamoDB's own errors.
const DYNAMODB: &str = "com.amazonaws.dynamodb.v20120810#";

/// Message of UnknownOperationException: the text real DynamoDB answered an operation it does
/// not serve with (boto/boto3#1542, 2018; aws/aws-toolkit-jetbrains#2956, 2021). Older
/// captures (dynalite, 2013) show no message at all.
pub const UNKNOWN_OPERATION_MESSAGE: &str = "Unknown operation exception";

/// Message of an `Unavailable` error caused by a full disk.
pub const OUT_OF_SPACE_MESSAGE: &str =
    "The server is out of disk space; the write was not applied. Retry once space is freed.";

impl ApiError {
    /// Shorthand for a ValidationException.
    pub fn validation(msg: impl Into<String>) -> Self {
        ApiError::Validation(msg.into())
    }

    /// The UnknownOperationException of a target that names no operation we serve.
    pub fn unknown_operation() -> Self {
        ApiError::UnknownOperation(UNKNOWN_OPERATION_MESSAGE.to_string())
    }

    /// An error of the type `type_name` (in DynamoDB's namespace, HTTP 400) with `message`.
    pub fn named(type_name: &'static str, message: impl Into<String>) -> Self {
        ApiError::Named {
            type_name,
            message: message.into(),
        }
    }

    /// Whether this is a throttling refusal (a batch hands the item back unprocessed).
    pub fn is_throttling(&self) -> bool {
        matches!(
            self,
            ApiError::ProvisionedThroughputExceeded { .. } | ApiError::Throttling { .. }
        )
    }

    /// The error type's name as DynamoDB spells it (the part of `__type` after `#`).
    pub fn type_name(&self) -> &'static str {
        match self {
            ApiError::Validation(_) => "ValidationException",
            ApiError::Serialization(_) => "SerializationException",
            ApiError::UnknownOperation(_) => "UnknownOperationException",
            ApiError::ResourceNotFound(_) => "ResourceNotFoundException",
            ApiError::ResourceInUse(_) => "ResourceInUseException",
            ApiError::ConditionalCheckFailed { .. } => "ConditionalCheckFailedException",
            ApiError::TransactionCanceled { .. } => "TransactionCanceledException",
            ApiError::DuplicateItem(_) => "DuplicateItemException",
            ApiError::TransactionConflict(_) => "TransactionConflictException",
            ApiError::TransactionInProgress(_) => "TransactionInProgressException",
            ApiError::IdempotentParameterMismatch(_) => "IdempotentParameterMismatchException",
            ApiError::LimitExceeded(_) => "LimitExceededException",
            ApiError::ProvisionedThroughputExceeded { .. } => {
                "ProvisionedThroughputExceededException"
            }
            ApiError::Throttling { .. } => "ThrottlingException",
            ApiError::ItemCollectionSizeLimitExceeded(_) => {
                "ItemCollectionSizeLimitExceededException"
            }
            ApiError::MissingAuthenticationToken(_) => "MissingAuthenticationTokenException",
            ApiError::UnrecognizedClient(_) => "UnrecognizedClientException",
            ApiError::InvalidSignature(_) => "InvalidSignatureException",
            ApiError::IncompleteSignature(_) => "IncompleteSignatureException",
            ApiError::ExpiredToken(_) => "ExpiredTokenException",
            ApiError::AccessDenied(_) => "AccessDeniedException",
            ApiError::RequestTooLarge(_) => "RequestEntityTooLarge",
            // Best guess: AWS's generic framework names this error so (botocore retries it as
            // a transient error); DynamoDB's own answer to a stalled body is not documented.
            ApiError::RequestTimeout(_) => "RequestTimeoutException",
            ApiError::Internal(_) | ApiError::Unavailable(_) => "InternalServerError",
            ApiError::ExpiredIterator(_) => "ExpiredIteratorException",
            ApiError::TrimmedDataAccess(_) => "TrimmedDataAccessException",
            ApiError::Named { type_name, .. } => type_name,
        }
    }

    /// The full `__type` value, with the namespace DynamoDB uses for this type.
    pub fn wire_type(&self) -> String {
        let ns = match self {
            ApiError::Validation(_) => "com.amazon.coral.validate#",
            ApiError::Serialization(_)
            | ApiError::UnknownOperation(_)
            | ApiError::MissingAuthenticationToken(_)
            | ApiError::UnrecognizedClient(_)
            | ApiError::InvalidSignature(_)
            | ApiError::IncompleteSignature(_)
            | ApiError::ExpiredToken(_)
            | ApiError::AccessDenied(_)
            | ApiError::RequestTooLarge(_)
            | ApiError::RequestTimeout(_) => CORAL_SERVICE,
            _ => DYNAMODB,
        };
        format!("{ns}{}", self.type_name())
    }

    /// The HTTP status DynamoDB answers this error with.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Internal(_) | ApiError::Unavailable(_) => 500,
            ApiError::RequestTooLarge(_) => 413,
            ApiError::RequestTimeout(_) => 408,
            _ => 400,
        }
    }

    /// Whether the error belongs to a fault episode that is logged once (by the store and the
    /// health monitor) rather than once per request.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, ApiError::Unavailable(_))
    }

    /// The JSON body DynamoDB sends for this error.
    pub fn to_body(&self) -> Vec<u8> {
        let mut body = serde_json::Map::new();
        body.insert("__type".into(), self.wire_type().into());
        body.insert("message".into(), self.to_string().into());
        match self {
            ApiError::ConditionalCheckFailed { item: Some(item) } => {
                body.insert(
                    "Item".into(),
                    serde_json::to_value(item).unwrap_or_default(),
                );
            }
            ApiError::TransactionCanceled { reasons, .. } => {
                body.insert(
                    "CancellationReasons".into(),
                    serde_json::to_value(reasons).unwrap_or_default(),
                );
            }
            // The service model spells the member differently on the two exceptions.
            ApiError::ProvisionedThroughputExceeded { reasons, .. } if !reasons.is_empty() => {
                body.insert(
                    "ThrottlingReasons".into(),
                    serde_json::to_value(reasons).unwrap_or_default(),
                );
            }
            ApiError::Throttling { reasons, .. } if !reasons.is_empty() => {
                body.insert(
                    "throttlingReasons".into(),
                    serde_json::to_value(reasons).unwrap_or_default(),
                );
            }
            _ => {}
        }
        serde_json::to_vec(&serde_json::Value::Object(body)).unwrap_or_default()
    }
}

/// A failure inside a storage backend. Converted to `ApiError` at the trait boundary; the text
/// is for logs and never reaches a client verbatim beyond InternalServerError.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The backend's I/O or engine failed.
    #[error("storage error: {0}")]
    Backend(String),
    /// The stored bytes could not be decoded.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// Another writer holds a lock this transaction needs.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The store's disk (or file-size limit) is full: nothing was written. The text names the
    /// path and the free space, for the operator.
    #[error("out of disk space: {0}")]
    OutOfSpace(String),
    /// The store cannot be reached or used now (database down, connection pool exhausted,
    /// store reopening after an I/O error); nothing was written, retrying later may succeed.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(_) => {
                ApiError::TransactionConflict("Transaction is ongoing for the item".to_string())
            }
            // Logged once per episode by the store and the health monitor, not here.
            StoreError::OutOfSpace(reason) => {
                tracing::debug!(%reason, "write refused: out of disk space");
                ApiError::Unavailable(OUT_OF_SPACE_MESSAGE.to_string())
            }
            StoreError::Unavailable(reason) => {
                tracing::debug!(%reason, "request refused: storage unavailable");
                ApiError::Unavailable(
                    "The server's storage is unavailable; the request was not applied. Retry later."
                        .to_string(),
                )
            }
            other => {
                tracing::error!(error = %other, "storage failure");
                ApiError::Internal("Internal server error".to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(e: &ApiError) -> serde_json::Value {
        serde_json::from_slice(&e.to_body()).unwrap()
    }

    #[test]
    fn validation_uses_coral_validate_namespace() {
        let e = ApiError::validation("bad");
        assert_eq!(
            body(&e)["__type"],
            "com.amazon.coral.validate#ValidationException"
        );
        assert_eq!(body(&e)["message"], "bad");
        assert_eq!(e.status(), 400);
    }

    #[test]
    fn resource_not_found_uses_dynamodb_namespace() {
        let e = ApiError::ResourceNotFound("Requested resource not found".into());
        assert_eq!(
            body(&e)["__type"],
            "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
        );
    }

    #[test]
    fn every_type_has_its_status_and_namespace() {
        let cases = [
            (
                ApiError::Serialization("x".into()),
                "com.amazon.coral.service#SerializationException",
                400,
            ),
            (
                ApiError::unknown_operation(),
                "com.amazon.coral.service#UnknownOperationException",
                400,
            ),
            (
                ApiError::ResourceInUse("x".into()),
                "com.amazonaws.dynamodb.v20120810#ResourceInUseException",
                400,
            ),
            (
                ApiError::ConditionalCheckFailed { item: None },
                "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
                400,
            ),
            (
                ApiError::DuplicateItem("x".into()),
                "com.amazonaws.dynamodb.v20120810#DuplicateItemException",
                400,
            ),
            (
                ApiError::LimitExceeded("x".into()),
                "com.amazonaws.dynamodb.v20120810#LimitExceededException",
                400,
            ),
            (
                ApiError::ExpiredIterator("x".into()),
                "com.amazonaws.dynamodb.v20120810#ExpiredIteratorException",
                400,
            ),
            (
                ApiError::TrimmedDataAccess("x".into()),
                "com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException",
                400,
            ),
            (
                ApiError::named("BackupNotFoundException", "x"),
                "com.amazonaws.dynamodb.v20120810#BackupNotFoundException",
                400,
            ),
            (
                ApiError::UnrecognizedClient("x".into()),
                "com.amazon.coral.service#UnrecognizedClientException",
                400,
            ),
            (
                ApiError::MissingAuthenticationToken("x".into()),
                "com.amazon.coral.service#MissingAuthenticationTokenException",
                400,
            ),
            (
                ApiError::IncompleteSignature("x".into()),
                "com.amazon.coral.service#IncompleteSignatureException",
                400,
            ),
            (
                ApiError::ExpiredToken("x".into()),
                "com.amazon.coral.service#ExpiredTokenException",
                400,
            ),
            (
                ApiError::RequestTooLarge("x".into()),
                "com.amazon.coral.service#RequestEntityTooLarge",
                413,
            ),
            (
                ApiError::Internal("x".into()),
                "com.amazonaws.dynamodb.v20120810#InternalServerError",
                500,
            ),
            (
                ApiError::Unavailable("x".into()),
                "com.amazonaws.dynamodb.v20120810#InternalServerError",
                500,
            ),
            (
                ApiError::RequestTimeout("x".into()),
                "com.amazon.coral.service#RequestTimeoutException",
                408,
            ),
        ];
        for (e, ty, status) in cases {
            assert_eq!(body(&e)["__type"], ty);
            assert_eq!(e.status(), status);
        }
    }

    #[test]
    fn unknown_operation_says_so() {
        let b = body(&ApiError::UnknownOperation(
            UNKNOWN_OPERATION_MESSAGE.into(),
        ));
        assert_eq!(b["message"], "Unknown operation exception");
    }

    #[test]
    fn storage_faults_are_internal_server_errors_that_say_which() {
        let e: ApiError = StoreError::OutOfSpace("/data: 0 bytes free".into()).into();
        assert!(e.is_unavailable());
        assert_eq!(e.status(), 500);
        let b = body(&e);
        assert_eq!(
            b["__type"],
            "com.amazonaws.dynamodb.v20120810#InternalServerError"
        );
        assert!(b["message"].as_str().unwrap().contains("out of disk space"));
        // The operator's details (paths, hosts) stay in the log.
        assert!(!b["message"].as_str().unwrap().contains("/data"));
        let e: ApiError = StoreError::Unavailable("cannot reach db.internal:5432".into()).into();
        assert!(e.is_unavailable());
        let msg = body(&e)["message"].as_str().unwrap().to_string();
        assert!(
            msg.contains("unavailable") && !msg.contains("db.internal"),
            "{msg}"
        );
        let e: ApiError = StoreError::Backend("boom".into()).into();
        assert!(!e.is_unavailable());
    }

    /// Every error DynamoDB answers carries a message; an empty one would be a bug.
    #[test]
    fn every_wire_body_has_a_message_key() {
        for e in [
            ApiError::Serialization("x".into()),
            ApiError::UnknownOperation(UNKNOWN_OPERATION_MESSAGE.into()),
            ApiError::ConditionalCheckFailed { item: None },
            ApiError::Internal("x".into()),
        ] {
            assert!(body(&e)["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
    }

    #[test]
    fn conditional_check_failed_carries_message_and_item() {
        let mut item = Item::new();
        item.insert("pk".into(), crate::AttributeValue::S("a".into()));
        let b = body(&ApiError::ConditionalCheckFailed { item: Some(item) });
        assert_eq!(b["message"], "The conditional request failed");
        assert_eq!(b["Item"]["pk"]["S"], "a");
    }
}
