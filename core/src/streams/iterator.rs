//! Shard iterators: `<stream ARN>|1|<base64 of shard, position, issue time, check>`, the
//! shape AWS's iterators have (the ARN, a version, an opaque part). An iterator names the next
//! sequence number to read in one shard; it expires 15 minutes after it was issued.

use base64::Engine;

/// How long an iterator may be used after it was issued (milliseconds).
pub const ITERATOR_LIFETIME_MS: u64 = 15 * 60 * 1000;

/// The issue time to put in an iterator issued at `now_ms`: `now_ms`, or one millisecond past
/// the last one this process issued when that is not earlier. Every iterator a process issues
/// is then a different text, as DynamoDB's are (consumers tell them apart): two requests for
/// the same position can come within one millisecond. The lead over the clock is at most the
/// excess of iterators issued beyond one per millisecond, which only lengthens their
/// 15 minutes by as much.
pub fn issue_ms(now_ms: u64) -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static LAST: AtomicU64 = AtomicU64::new(0);
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let next = now_ms.max(last + 1);
        match LAST.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return next,
            Err(seen) => last = seen,
        }
    }
}

/// What an iterator stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardIterator {
    /// The stream's ARN.
    pub stream_arn: String,
    /// The shard's index in the stream's lineage.
    pub shard: u32,
    /// The next sequence number to read.
    pub position: u64,
    /// When it was issued, milliseconds since the epoch.
    pub issued_ms: u64,
}

const PAYLOAD: usize = 4 + 8 + 8 + 8;

impl ShardIterator {
    /// The iterator's text.
    pub fn encode(&self) -> String {
        let mut p = Vec::with_capacity(PAYLOAD);
        p.extend_from_slice(&self.shard.to_be_bytes());
        p.extend_from_slice(&self.position.to_be_bytes());
        p.extend_from_slice(&self.issued_ms.to_be_bytes());
        p.extend_from_slice(&check(&self.stream_arn, &p).to_be_bytes());
        let opaque = base64::engine::general_purpose::STANDARD.encode(p);
        format!("{}|1|{opaque}", self.stream_arn)
    }

    /// Reads an iterator's text; `None` unless this server made it (unaltered).
    pub fn decode(text: &str) -> Option<ShardIterator> {
        let (rest, opaque) = text.rsplit_once('|')?;
        let stream_arn = rest.strip_suffix("|1")?;
        let p = base64::engine::general_purpose::STANDARD
            .decode(opaque)
            .ok()?;
        if p.len() != PAYLOAD {
            return None;
        }
        let u64_at = |i: usize| {
            p.get(i..i + 8)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_be_bytes)
        };
        let shard = u32::from_be_bytes(p.get(0..4)?.try_into().ok()?);
        let (position, issued_ms, sum) = (u64_at(4)?, u64_at(12)?, u64_at(20)?);
        if sum != check(stream_arn, &p[..20]) {
            return None;
        }
        Some(ShardIterator {
            stream_arn: stream_arn.to_string(),
            shard,
            position,
            issued_ms,
        })
    }

    /// Whether the iterator has expired at `now_ms`.
    pub fn expired(&self, now_ms: u64) -> bool {
        now_ms.saturating_sub(self.issued_ms) > ITERATOR_LIFETIME_MS
    }
}

/// FNV-1a over the ARN and the payload: catches garbage and truncated iterators (not a
/// secret: an iterator grants nothing the caller is not authorized for on the ARN anyway).
fn check(arn: &str, payload: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in arn.as_bytes().iter().chain(payload) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn it() -> ShardIterator {
        ShardIterator {
            stream_arn:
                "arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2026-04-08T07:00:00.000"
                    .into(),
            shard: 3,
            position: 1234,
            issued_ms: 1_000_000,
        }
    }

    #[test]
    fn iterators_issued_in_one_millisecond_differ() {
        let a = issue_ms(5_000);
        let b = issue_ms(5_000);
        assert!(b > a && a >= 5_000);
    }

    #[test]
    fn round_trips() {
        let text = it().encode();
        assert!(text.starts_with("arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/"));
        assert!(text.len() <= 2048);
        assert_eq!(ShardIterator::decode(&text), Some(it()));
    }

    #[test]
    fn garbage_and_altered_iterators_are_refused() {
        assert_eq!(
            ShardIterator::decode("sdfsdfsgagaddafgagasgasgasdfasdfasdfasdfasdgasdasdgasdg"),
            None
        );
        let text = it().encode();
        let other = text.replacen("table/T/", "table/U/", 1);
        assert_eq!(ShardIterator::decode(&other), None);
        assert_eq!(ShardIterator::decode(&text[..text.len() - 4]), None);
    }

    #[test]
    fn expires_after_fifteen_minutes() {
        let i = it();
        assert!(!i.expired(1_000_000 + ITERATOR_LIFETIME_MS));
        assert!(i.expired(1_000_001 + ITERATOR_LIFETIME_MS));
    }
}
