//! DescribeEndpoints: DynamoDB answers with one endpoint, the address the client should keep
//! using (the request's own host here) and how long it may cache it (1440 minutes, as
//! DynamoDB). Answered by the server because only it sees the request's `Host`.

use bytes::Bytes;
use extenddb_core::traits::RequestHead;
use serde_json::json;

/// Minutes a client may cache the answer (DynamoDB's value).
const CACHE_PERIOD_IN_MINUTES: u64 = 1440;

/// The DescribeEndpoints answer for a request with these headers.
pub(crate) fn answer(head: &RequestHead) -> Bytes {
    let address = head.header("host").unwrap_or_default();
    Bytes::from(
        json!({"Endpoints": [{"Address": address, "CachePeriodInMinutes": CACHE_PERIOD_IN_MINUTES}]})
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_is_the_requests_host() {
        let head = RequestHead::from_pairs("POST", "/", "", [("host", "127.0.0.1:8000")]);
        let v: serde_json::Value = serde_json::from_slice(&answer(&head)).unwrap();
        assert_eq!(
            v,
            json!({"Endpoints": [{"Address": "127.0.0.1:8000", "CachePeriodInMinutes": 1440}]})
        );
    }
}
