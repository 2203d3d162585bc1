//! ClientRequestToken idempotency of TransactWriteItems, kept in the item store itself.
//!
//! A token's record lives under [`SYSTEM_STORAGE_ID`] (a storage id no table is ever given),
//! keyed by account and token. The transaction locks and reads the record together with its
//! items, so two concurrent requests with one token serialize on it: the first writes its
//! items and the record in one commit, the second then finds the record and answers without
//! writing. The record holds the request's parameters in canonical JSON (compared exactly, so
//! no hash collision can pass a different request as a retry) and its expiry, 10 minutes after
//! the first request completed. An expired record counts as absent and is overwritten.

use crate::error::ApiError;
use crate::model::{AttributeValue, Item, Number};
use crate::traits::{ItemKey, StoredItem, WriteOp};

pub use crate::model::reserved::{SYSTEM_STORAGE_ID, TOKEN_TAG};

/// How long a token stays bound to its request.
pub const WINDOW_SECONDS: f64 = 600.0;

/// DynamoDB's answer to a token reused with other parameters.
pub const MISMATCH: &str =
    "Specified idempotent token was used with different request parameters within the idempotency window";

/// Where the record of `token` in `account` lives.
pub fn token_key(account: &str, token: &str) -> ItemKey {
    let mut key = TOKEN_TAG.to_vec();
    key.extend_from_slice(account.as_bytes());
    key.push(0);
    key.extend_from_slice(token.as_bytes());
    ItemKey {
        storage_id: SYSTEM_STORAGE_ID,
        key,
    }
}

/// What a token's record says about a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    /// No live record: run the request and record it.
    Fresh,
    /// The same request ran already: answer without writing.
    Replay,
}

/// Checks `stored` (the record, if any) against a request with `params` at time `now`.
pub fn check(stored: Option<&StoredItem>, params: &str, now: f64) -> Result<TokenState, ApiError> {
    let Some(stored) = stored else {
        return Ok(TokenState::Fresh);
    };
    let record = stored.decode()?;
    if expiry(&record).is_none_or(|at| at <= now) {
        return Ok(TokenState::Fresh);
    }
    match record.get("params") {
        Some(AttributeValue::S(p)) if p == params => Ok(TokenState::Replay),
        _ => Err(ApiError::IdempotentParameterMismatch(MISMATCH.into())),
    }
}

/// When a record's window ends (epoch seconds), if it says.
fn expiry(record: &Item) -> Option<f64> {
    match record.get("expires") {
        Some(AttributeValue::N(n)) => n.as_str().parse::<f64>().ok(),
        _ => None,
    }
}

/// When a stored token record's window ends, or `None` if the record is unreadable.
pub fn expires_at(stored: &StoredItem) -> Option<f64> {
    stored.decode().ok().as_ref().and_then(expiry)
}

/// The write that records `params` under `key` until `now` + the window.
pub fn record(key: ItemKey, params: &str, now: f64) -> Result<WriteOp, ApiError> {
    let expires = Number::parse(&format!("{:.3}", now + WINDOW_SECONDS))
        .map_err(|e| ApiError::Internal(format!("token expiry: {e:?}")))?;
    let item = Item::from([
        ("params".to_string(), AttributeValue::S(params.to_string())),
        ("expires".to_string(), AttributeValue::N(expires)),
    ]);
    Ok(WriteOp::Put {
        key,
        item: StoredItem::encode(&item),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(op: WriteOp) -> StoredItem {
        match op {
            WriteOp::Put { item, .. } => item,
            other => panic!("expected a put: {other:?}"),
        }
    }

    #[test]
    fn tokens_are_per_account_and_outside_every_table() {
        let a = token_key("111111111111", "t");
        let b = token_key("222222222222", "t");
        assert_ne!(a, b);
        assert_eq!(a.storage_id, SYSTEM_STORAGE_ID);
        assert_ne!(token_key("1", "23"), token_key("12", "3"));
    }

    #[test]
    fn same_parameters_replay_and_others_mismatch_until_expiry() {
        let key = token_key("1", "tok");
        let rec = stored(record(key, r#"{"a":1}"#, 1000.0).unwrap());
        assert_eq!(check(None, "x", 1000.0), Ok(TokenState::Fresh));
        assert_eq!(
            check(Some(&rec), r#"{"a":1}"#, 1500.0),
            Ok(TokenState::Replay)
        );
        assert_eq!(
            check(Some(&rec), r#"{"a":2}"#, 1599.0),
            Err(ApiError::IdempotentParameterMismatch(MISMATCH.into()))
        );
        assert_eq!(
            check(Some(&rec), r#"{"a":2}"#, 1600.5),
            Ok(TokenState::Fresh)
        );
    }
}
