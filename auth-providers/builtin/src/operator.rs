//! Operator signatures: how `extenddb settings` proves to a running server that it holds the
//! deployment's data key file (the same proof of local operator access as being able to open
//! the store directly), without an admin password. The header is
//!
//! ```text
//! Authorization: ExtendDB-Operator t=<epoch seconds>, sig=<hex HMAC-SHA256>
//! ```
//!
//! where the HMAC key is derived from the data key (`DataKey::derive(OPERATOR_LABEL)`) and the
//! signed text is `METHOD \n path \n t \n hex(SHA-256(body))`. The server accepts it within
//! `MAX_SKEW_SECONDS` of its own clock. A replay inside that window repeats the same request
//! (settings writes are idempotent).

use crate::secrets::DataKey;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The authorization scheme.
pub const SCHEME: &str = "ExtendDB-Operator";
/// The label the signing key is derived with.
const OPERATOR_LABEL: &[u8] = b"extenddb operator signature v1";
/// How far the signature time may be from the server's clock.
pub const MAX_SKEW_SECONDS: i64 = 300;

/// Why an operator signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OperatorError {
    /// The header is not `t=<n>, sig=<hex>`.
    #[error("malformed {SCHEME} authorization header")]
    Malformed,
    /// The time is too far from the server's.
    #[error(
        "{SCHEME} signature time is more than {MAX_SKEW_SECONDS} seconds from the server's clock"
    )]
    Skewed,
    /// The signature does not match (another data key, or an altered request).
    #[error("{SCHEME} signature does not match (the data key file is not this server's)")]
    Mismatch,
}

fn signature(key: &DataKey, method: &str, path: &str, epoch: i64, body_sha256: &[u8]) -> [u8; 32] {
    let text = format!("{method}\n{path}\n{epoch}\n{}", hex::encode(body_sha256));
    crate::sigv4::signing::hmac(key.derive(OPERATOR_LABEL).expose(), text.as_bytes())
}

/// The `Authorization` header value for a request of `method` to `path` with `body`, at
/// `epoch` seconds.
pub fn sign(key: &DataKey, method: &str, path: &str, epoch: i64, body: &[u8]) -> String {
    let sig = signature(key, method, path, epoch, &Sha256::digest(body));
    format!("{SCHEME} t={epoch}, sig={}", hex::encode(sig))
}

/// Checks the credentials part of a header (after `SCHEME` and a space) for a request of
/// `method` to `path` whose body hashes to `body_sha256`, at the server's `now` (epoch
/// seconds).
pub fn verify(
    key: &DataKey,
    credentials: &str,
    method: &str,
    path: &str,
    body_sha256: &[u8],
    now: i64,
) -> Result<(), OperatorError> {
    let mut epoch = None;
    let mut sig = None;
    for part in credentials.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => epoch = v.parse::<i64>().ok(),
            Some(("sig", v)) => sig = hex::decode(v).ok(),
            _ => return Err(OperatorError::Malformed),
        }
    }
    let (Some(epoch), Some(sig)) = (epoch, sig) else {
        return Err(OperatorError::Malformed);
    };
    if (now - epoch).abs() > MAX_SKEW_SECONDS {
        return Err(OperatorError::Skewed);
    }
    let want = signature(key, method, path, epoch, body_sha256);
    if bool::from(want.as_slice().ct_eq(&sig)) {
        Ok(())
    } else {
        Err(OperatorError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(key: &DataKey, header: &str, body: &[u8], now: i64) -> Result<(), OperatorError> {
        let creds = header.strip_prefix(SCHEME).unwrap().trim_start();
        verify(
            key,
            creds,
            "PUT",
            "/management/settings/log_level",
            &Sha256::digest(body),
            now,
        )
    }

    #[test]
    fn a_signature_verifies_only_for_its_key_request_and_time() {
        let key = DataKey::generate();
        let body = br#"{"value":"debug"}"#;
        let h = sign(&key, "PUT", "/management/settings/log_level", 1_000, body);
        assert!(h.starts_with("ExtendDB-Operator t=1000, sig="));
        assert_eq!(check(&key, &h, body, 1_000), Ok(()));
        assert_eq!(check(&key, &h, body, 1_300), Ok(()));
        assert_eq!(check(&key, &h, body, 1_301), Err(OperatorError::Skewed));
        assert_eq!(check(&key, &h, body, 699), Err(OperatorError::Skewed));
        assert_eq!(
            check(&key, &h, br#"{"value":"trace"}"#, 1_000),
            Err(OperatorError::Mismatch)
        );
        assert_eq!(
            check(&DataKey::generate(), &h, body, 1_000),
            Err(OperatorError::Mismatch)
        );
        let other_path = sign(
            &key,
            "PUT",
            "/management/settings/sqlx_log_level",
            1_000,
            body,
        );
        assert_eq!(
            check(&key, &other_path, body, 1_000),
            Err(OperatorError::Mismatch)
        );
        assert_eq!(
            check(&key, "ExtendDB-Operator t=1000", body, 1_000),
            Err(OperatorError::Malformed)
        );
        assert_eq!(
            check(&key, "ExtendDB-Operator t=x, sig=00", body, 1_000),
            Err(OperatorError::Malformed)
        );
    }
}
