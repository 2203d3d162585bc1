//! Request ids in DynamoDB's shape: 52 characters of `[0-9A-Z]`, random per request.

use http::HeaderValue;
use rand::Rng;

const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LEN: usize = 52;

/// A request's id: sent as `x-amzn-RequestId` and recorded in its tracing span.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RequestId([u8; LEN]);

impl RequestId {
    /// A fresh random id.
    pub fn new() -> Self {
        let mut rng = rand::thread_rng();
        let mut id = [0u8; LEN];
        for b in &mut id {
            *b = ALPHABET[rng.gen_range(0..ALPHABET.len())];
        }
        RequestId(id)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        // Every byte comes from ALPHABET, so this never fails.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The id as a header value.
    pub fn header_value(&self) -> HeaderValue {
        // ALPHABET holds only visible ASCII, always a valid header value.
        HeaderValue::from_bytes(&self.0).unwrap_or_else(|_| HeaderValue::from_static("0"))
    }
}

impl Default for RequestId {
    fn default() -> Self {
        RequestId::new()
    }
}

impl std::fmt::Debug for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_dynamodb_shape_and_differ() {
        let a = RequestId::new();
        let b = RequestId::new();
        assert_eq!(a.as_str().len(), 52);
        assert!(a
            .as_str()
            .bytes()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
        assert_ne!(a, b);
        assert_eq!(a.header_value().to_str().unwrap(), a.as_str());
    }
}
