//! Calling a DynamoDB operation with the retries every AWS SDK does: throttling, server errors
//! and transport failures are retried with capped exponential backoff and full jitter; any
//! other error is returned at once with DynamoDB's error type and message.

use crate::connection::Connection;
use crate::transport::{ClientError, Reply};
use bytes::Bytes;
use std::time::Duration;

/// How often and how patiently to retry.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Attempts in all (the first one included); at least 1.
    pub max_attempts: u32,
    /// The first backoff's upper bound; doubles on every retry.
    pub base_delay: Duration,
    /// The cap of a backoff.
    pub max_delay: Duration,
    /// How long one attempt may take before it counts as a failed (retryable) attempt.
    pub attempt_timeout: Duration,
}

impl Default for RetryPolicy {
    /// 10 attempts, 50 ms doubling up to 5 s (about 20 s of waiting in the worst case), and
    /// 60 s per attempt.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(50),
            max_delay: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The pause before retry number `retry` (0 for the first retry): uniformly random in
    /// `[0, min(max_delay, base_delay * 2^retry)]` ("full jitter").
    pub fn backoff(&self, retry: u32) -> Duration {
        let cap = self
            .base_delay
            .saturating_mul(1u32 << retry.min(20))
            .min(self.max_delay);
        let millis = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(fastrand::u64(0..=millis))
    }
}

/// Why a call failed in the end.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// DynamoDB answered with an error that retrying does not fix (or retries ran out).
    #[error("{op}: {kind}: {message}{}", retried(*attempts))]
    Api {
        /// The operation, e.g. `Scan`.
        op: &'static str,
        /// HTTP status.
        status: u16,
        /// The short error type, e.g. `ResourceNotFoundException`.
        kind: String,
        /// DynamoDB's message.
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The endpoint could not be reached or the exchange failed.
    #[error("{op}: {source}{}", retried(*attempts))]
    Transport {
        /// The operation.
        op: &'static str,
        /// The last failure.
        source: ClientError,
        /// Attempts made.
        attempts: u32,
    },
    /// No answer in time.
    #[error("{op}: no answer within {}s{}", timeout.as_secs(), retried(*attempts))]
    Timeout {
        /// The operation.
        op: &'static str,
        /// The per-attempt timeout.
        timeout: Duration,
        /// Attempts made.
        attempts: u32,
    },
}

fn retried(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (after {attempts} attempts)")
    } else {
        String::new()
    }
}

impl CallError {
    /// The DynamoDB error type, when DynamoDB answered.
    pub fn kind(&self) -> Option<&str> {
        match self {
            CallError::Api { kind, .. } => Some(kind),
            _ => None,
        }
    }
}

/// Error types that retrying with backoff can fix, as the AWS SDKs classify them.
pub fn is_retryable(status: u16, kind: &str) -> bool {
    status >= 500
        || matches!(
            kind,
            "ProvisionedThroughputExceededException"
                | "ThrottlingException"
                | "RequestLimitExceeded"
                | "LimitExceededException"
                | "TransactionInProgressException"
                | "InternalServerError"
                | "ServiceUnavailable"
        )
}

/// Sends `op` with `body` on `conn`, retrying per `policy`; returns the success body.
pub async fn call(
    conn: &mut Connection,
    op: &'static str,
    body: &[u8],
    policy: &RetryPolicy,
) -> Result<Bytes, CallError> {
    let max = policy.max_attempts.max(1);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let outcome = tokio::time::timeout(policy.attempt_timeout, conn.call(op, body.to_vec()));
        let (error, retryable) = match outcome.await {
            Ok(Ok(reply)) if reply.is_success() => return Ok(reply.body),
            Ok(Ok(reply)) => (
                api_error(op, &reply, attempt),
                is_retryable(reply.status, &reply.error_type()),
            ),
            Ok(Err(source)) => {
                // The connection's state is unknown after a failed exchange: start afresh.
                conn.disconnect();
                let attempts = attempt;
                (
                    CallError::Transport {
                        op,
                        source,
                        attempts,
                    },
                    true,
                )
            }
            Err(_) => {
                conn.disconnect();
                let timeout = policy.attempt_timeout;
                let attempts = attempt;
                (
                    CallError::Timeout {
                        op,
                        timeout,
                        attempts,
                    },
                    true,
                )
            }
        };
        if !retryable || attempt >= max {
            return Err(error);
        }
        tokio::time::sleep(policy.backoff(attempt - 1)).await;
    }
}

fn api_error(op: &'static str, reply: &Reply, attempts: u32) -> CallError {
    CallError::Api {
        op,
        status: reply.status,
        kind: reply.error_type(),
        message: reply.error_message(),
        attempts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_capped_and_grows() {
        let p = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(100),
            attempt_timeout: Duration::from_secs(1),
        };
        for _ in 0..200 {
            assert!(p.backoff(0) <= Duration::from_millis(10));
            assert!(p.backoff(3) <= Duration::from_millis(80));
            assert!(p.backoff(30) <= Duration::from_millis(100));
        }
        assert!((0..200).any(|_| p.backoff(30) > Duration::from_millis(80)));
    }

    #[test]
    fn throttling_and_server_errors_are_retryable_validation_is_not() {
        assert!(is_retryable(400, "ProvisionedThroughputExceededException"));
        assert!(is_retryable(400, "ThrottlingException"));
        assert!(is_retryable(500, "InternalServerError"));
        assert!(is_retryable(503, "HTTP 503"));
        assert!(!is_retryable(400, "ValidationException"));
        assert!(!is_retryable(400, "ResourceNotFoundException"));
        assert!(!is_retryable(400, "ConditionalCheckFailedException"));
    }

    #[test]
    fn messages_name_the_operation_and_the_attempts() {
        let e = CallError::Api {
            op: "Scan",
            status: 400,
            kind: "ResourceNotFoundException".into(),
            message: "Requested resource not found".into(),
            attempts: 1,
        };
        assert_eq!(
            e.to_string(),
            "Scan: ResourceNotFoundException: Requested resource not found"
        );
        let e = CallError::Timeout {
            op: "BatchWriteItem",
            timeout: Duration::from_secs(60),
            attempts: 10,
        };
        assert_eq!(
            e.to_string(),
            "BatchWriteItem: no answer within 60s (after 10 attempts)"
        );
    }
}
