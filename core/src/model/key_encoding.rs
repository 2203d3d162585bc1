//! Order-preserving byte encoding of primary keys, so a store's byte order is DynamoDB's order.
//!
//! Written by hand: no crate encodes DynamoDB's 38-digit decimals order-preservingly.
//!
//! Layout of an item's storage key (within its table):
//! `partition_hash (2 bytes, big endian) ‖ enc(partition value) ‖ enc(sort value)?`
//! The leading hash spreads partitions over the key space the way DynamoDB's hashing does, so a
//! Scan returns partitions in hash order and a parallel-scan segment is a contiguous range.
//! Each component encoding is prefix-free, so `enc(pk)` is a prefix of exactly its own items.
//!
//! Component encodings:
//! - S, B: the bytes with `00` escaped as `00 FF`, terminated by `00 01`.
//! - N: `02` for zero; otherwise a sign byte (`01` negative, `03` positive), one exponent byte and
//!   one byte per significant digit, closed by a terminator; negative numbers invert exponent,
//!   digits and terminator so larger magnitudes sort first.

use super::{AttributeValue, Number};

/// Number of distinct partition-hash values (the 2-byte prefix).
pub const HASH_SPACE: u32 = 1 << 16;

/// Appends the order-preserving encoding of a key value. Only S, N and B are key types; other
/// types are refused by validation before encoding, and encode as empty here.
pub fn encode_value(v: &AttributeValue, out: &mut Vec<u8>) {
    match v {
        AttributeValue::S(s) => encode_bytes(s.as_bytes(), out),
        AttributeValue::B(b) => encode_bytes(b, out),
        AttributeValue::N(n) => encode_number(n, out),
        _ => {}
    }
}

fn encode_bytes(b: &[u8], out: &mut Vec<u8>) {
    out.reserve(b.len() + 2);
    for &byte in b {
        out.push(byte);
        if byte == 0 {
            out.push(0xFF);
        }
    }
    out.extend_from_slice(&[0x00, 0x01]);
}

fn encode_number(n: &Number, out: &mut Vec<u8>) {
    let text = n.as_str();
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let all: Vec<u8> = int.bytes().chain(frac.bytes()).map(|b| b - b'0').collect();
    let Some(first) = all.iter().position(|&d| d != 0) else {
        out.push(0x02);
        return;
    };
    let last = all.iter().rposition(|&d| d != 0).unwrap_or(first);
    let digits = &all[first..=last];
    // Decimal exponent of the leading significant digit: int.len() - 1 - first.
    let exp = int.len() as i64 - 1 - first as i64;
    let exp_byte = (exp + 130).clamp(0, 255) as u8;
    if negative {
        out.push(0x01);
        out.push(255 - exp_byte);
        out.extend(digits.iter().map(|d| 10 - d));
        out.push(0xFF);
    } else {
        out.push(0x03);
        out.push(exp_byte);
        out.extend(digits.iter().map(|d| d + 1));
        out.push(0x00);
    }
}

/// A stable 16-bit hash of an encoded partition value (FNV-1a folded); it is persisted in keys,
/// so it must never change.
pub fn partition_hash(encoded_partition: &[u8]) -> u16 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in encoded_partition {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    ((h >> 16) ^ (h & 0xFFFF)) as u16
}

/// The prefix shared by every item of one partition: `hash ‖ enc(partition value)`.
pub fn partition_prefix(partition: &AttributeValue) -> Vec<u8> {
    let mut enc = Vec::with_capacity(16);
    encode_value(partition, &mut enc);
    let mut out = Vec::with_capacity(enc.len() + 2);
    out.extend_from_slice(&partition_hash(&enc).to_be_bytes());
    out.extend_from_slice(&enc);
    out
}

/// The partition prefix of a multi-attribute partition key (a GSI with several HASH
/// attributes): `hash ‖ enc(v1) ‖ enc(v2) ‖ …`. With one value it equals `partition_prefix`.
pub fn composite_partition_prefix(values: &[&AttributeValue]) -> Vec<u8> {
    let mut enc = Vec::with_capacity(16 * values.len());
    for v in values {
        encode_value(v, &mut enc);
    }
    let mut out = Vec::with_capacity(enc.len() + 2);
    out.extend_from_slice(&partition_hash(&enc).to_be_bytes());
    out.extend_from_slice(&enc);
    out
}

/// The smallest byte string greater than every string that starts with `prefix` (`None` when
/// there is none: the prefix is all `FF`). Turns "keys starting with x" into an exclusive bound.
pub fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let last = prefix.iter().rposition(|&b| b != 0xFF)?;
    let mut out = prefix[..=last].to_vec();
    out[last] += 1;
    Some(out)
}

/// The full storage key of an item: partition prefix plus the encoded sort value, if any.
pub fn item_key(partition: &AttributeValue, sort: Option<&AttributeValue>) -> Vec<u8> {
    let mut out = partition_prefix(partition);
    if let Some(s) = sort {
        encode_value(s, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(s: &str) -> AttributeValue {
        AttributeValue::N(Number::parse(s).unwrap())
    }

    fn enc(v: &AttributeValue) -> Vec<u8> {
        let mut out = Vec::new();
        encode_value(v, &mut out);
        out
    }

    #[test]
    fn numbers_sort_by_value() {
        let ordered = [
            "-1e125", "-100", "-1.25", "-1.2", "-1", "-0.001", "0", "1e-130", "0.5", "1", "1.2",
            "1.25", "9", "10", "99.9", "1e125",
        ];
        for w in ordered.windows(2) {
            assert!(enc(&n(w[0])) < enc(&n(w[1])), "{} < {}", w[0], w[1]);
        }
    }

    #[test]
    fn composite_prefix_of_one_value_is_the_partition_prefix() {
        let a = AttributeValue::S("x".into());
        assert_eq!(composite_partition_prefix(&[&a]), partition_prefix(&a));
        let b = n("5");
        let two = composite_partition_prefix(&[&a, &b]);
        assert_ne!(&two[2..], &partition_prefix(&a)[2..]);
        assert!(two[2..].starts_with(&partition_prefix(&a)[2..]));
    }

    #[test]
    fn successor_bounds_every_extension() {
        assert_eq!(prefix_successor(&[1, 2]), Some(vec![1, 3]));
        assert_eq!(prefix_successor(&[1, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_successor(&[0xFF, 0xFF]), None);
        let s = prefix_successor(&[7, 0xFF]).unwrap();
        assert!(vec![7, 0xFF, 0xFF, 0xFF, 9] < s && vec![7, 0xFE] < s && vec![8] >= s);
    }

    #[test]
    fn strings_with_nul_sort_and_stay_prefix_free() {
        let a = AttributeValue::S("a".into());
        let a0 = AttributeValue::S("a\0".into());
        let ab = AttributeValue::S("ab".into());
        assert!(enc(&a) < enc(&a0));
        assert!(enc(&a0) < enc(&ab));
    }

    fn decimal_strategy() -> impl Strategy<Value = String> {
        (any::<bool>(), 0u64..1_000_000_000, 0u32..12, -20i32..20).prop_map(|(neg, m, frac, e)| {
            format!("{}{}e{}", if neg { "-" } else { "" }, m, e - frac as i32)
        })
    }

    proptest! {
        #[test]
        fn number_order_preserved(a in decimal_strategy(), b in decimal_strategy()) {
            let (na, nb) = (Number::parse(&a).unwrap(), Number::parse(&b).unwrap());
            let ord = na.cmp_value(&nb);
            prop_assert_eq!(enc(&AttributeValue::N(na)).cmp(&enc(&AttributeValue::N(nb))), ord);
        }

        #[test]
        fn bytes_order_preserved(a in proptest::collection::vec(any::<u8>(), 0..8), b in proptest::collection::vec(any::<u8>(), 0..8)) {
            let ea = enc(&AttributeValue::B(a.clone()));
            let eb = enc(&AttributeValue::B(b.clone()));
            prop_assert_eq!(ea.cmp(&eb), a.cmp(&b));
        }

        #[test]
        fn string_order_preserved(a in ".{0,6}", b in ".{0,6}") {
            let ea = enc(&AttributeValue::S(a.clone()));
            let eb = enc(&AttributeValue::S(b.clone()));
            prop_assert_eq!(ea.cmp(&eb), a.as_bytes().cmp(b.as_bytes()));
        }
    }
}
