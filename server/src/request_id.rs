//! Request ids in DynamoDB's shape: 52 characters of `[0-9A-Z]`, random per request.

use http::HeaderValue;
use rand::Rng;

const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LEN: usize = 52;
/// Base-36 digits taken from one random 64-bit word.
const DIGITS_PER_WORD: usize = 12;

/// A request's id: sent as `x-amzn-RequestId` and recorded in its tracing span.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RequestId([u8; LEN]);

impl RequestId {
    /// A fresh random id.
    ///
    /// Five random 64-bit words, each read as 12 base-36 digits (36^12 < 2^64), give the 52
    /// characters: one draw from the thread's generator instead of one range draw per
    /// character, which showed up at ~1 % of a PutItem's CPU. The digits are very slightly
    /// uneven (2^64 is not a multiple of 36^12); an id only has to be unique, not uniform.
    pub fn new() -> Self {
        let mut words = [0u64; LEN.div_ceil(DIGITS_PER_WORD)];
        rand::thread_rng().fill(&mut words[..]);
        let mut id = [0u8; LEN];
        for (chunk, mut word) in id.chunks_mut(DIGITS_PER_WORD).zip(words) {
            for b in chunk {
                *b = ALPHABET[(word % 36) as usize];
                word /= 36;
            }
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
        // Every position varies: no digit is stuck at the word's high, mostly-zero end.
        let ids: Vec<RequestId> = (0..64).map(|_| RequestId::new()).collect();
        for pos in 0..52 {
            assert!(
                ids.iter().any(|i| i.0[pos] != ids[0].0[pos]),
                "position {pos}"
            );
        }
        assert_eq!(a.header_value().to_str().unwrap(), a.as_str());
    }
}
