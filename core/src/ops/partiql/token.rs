//! ExecuteStatement's NextToken: where a SELECT stopped (the partition it was reading when
//! it read several, and the last key evaluated), bound to the statement and parameters it
//! came from. Opaque to clients: base64 of a small JSON document.

use super::error::invalid;
use crate::error::ApiError;
use crate::model::{AttributeValue, Item};
use base64::Engine;
use serde::{Deserialize, Serialize};

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resume {
    /// Which of the statement's partitions (0 for a scan).
    #[serde(rename = "p")]
    pub partition: usize,
    /// The last key evaluated on the previous page.
    #[serde(rename = "k")]
    pub key: Item,
    /// The fingerprint of the statement and parameters.
    #[serde(rename = "h")]
    hash: String,
}

/// A fingerprint of the request a token belongs to (FNV-1a over the statement and the
/// parameters' JSON; a check against mix-ups, not a secret).
pub fn fingerprint(statement: &str, params: &[AttributeValue]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let json = serde_json::to_string(params).unwrap_or_default();
    for b in statement.bytes().chain([0u8]).chain(json.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The NextToken for a page that stopped at `key` in partition `partition`.
pub fn encode(partition: usize, key: Item, hash: &str) -> String {
    let resume = Resume {
        partition,
        key,
        hash: hash.to_string(),
    };
    let json = serde_json::to_vec(&resume).unwrap_or_default();
    base64::engine::general_purpose::STANDARD.encode(json)
}

/// The position a NextToken names, checked against the request's fingerprint `hash`.
pub fn decode(token: &str, hash: &str) -> Result<Resume, ApiError> {
    let bad = || invalid("Invalid NextToken");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(token)
        .map_err(|_| bad())?;
    let resume: Resume = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if resume.hash != hash {
        return Err(invalid("NextToken does not match request"));
    }
    crate::model::validate::item_values(&resume.key).map_err(|_| bad())?;
    Ok(resume)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let key = Item::from([("pk".to_string(), AttributeValue::S("a".into()))]);
        let h = fingerprint("SELECT * FROM t", &[]);
        let t = encode(2, key.clone(), &h);
        let r = decode(&t, &h).unwrap();
        assert_eq!((r.partition, r.key), (2, key));
        let other = fingerprint("SELECT * FROM u", &[]);
        assert_eq!(
            decode(&t, &other).unwrap_err().to_string(),
            "NextToken does not match request"
        );
        assert_eq!(
            decode("%%%", &h).unwrap_err().to_string(),
            "Invalid NextToken"
        );
        assert_eq!(
            decode("e30=", &h).unwrap_err().to_string(),
            "Invalid NextToken"
        );
        assert_ne!(
            fingerprint("SELECT * FROM t", &[AttributeValue::S("a".into())]),
            h
        );
    }
}
