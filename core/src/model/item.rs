//! Items (attribute name → value) and DynamoDB's item-size rules.

use super::AttributeValue;
use std::collections::HashMap;

/// An item: attribute names to values.
pub type Item = HashMap<String, AttributeValue>;

/// The largest item DynamoDB stores: 400 KB, names and values included.
pub const MAX_ITEM_SIZE: usize = 400 * 1024;

/// Size of a number as DynamoDB counts it.
///
/// DynamoDB documents "approximately 1 byte per two significant digits, plus 1 byte"; the
/// exact rule, measured against DynamoDB's 400 KB limit (dynalite's size tests), stores the
/// digits in base-100 pairs aligned on the decimal point, so an even digit count whose leading
/// digit has an even exponent takes one more byte, and a negative sign takes one byte.
/// `text` is a normalized number (`Number::as_str`: no exponent).
pub fn number_size(text: &str) -> usize {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
    let Some(first) = digits.iter().position(|&d| d != b'0') else {
        return 1;
    };
    let last = digits.iter().rposition(|&d| d != b'0').unwrap_or(first);
    let significant = last + 1 - first;
    // Decimal exponent of the leading significant digit.
    let exponent = int.len() as i64 - 1 - first as i64;
    let unaligned = significant % 2 == 0 && exponent % 2 == 0;
    1 + significant.div_ceil(2) + usize::from(unaligned) + usize::from(negative)
}

/// Size in bytes of one value, as DynamoDB bills and limits it.
pub fn value_size(v: &AttributeValue) -> usize {
    match v {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => number_size(n.as_str()),
        AttributeValue::B(b) => b.len(),
        AttributeValue::SS(v) => v.iter().map(String::len).sum(),
        AttributeValue::NS(v) => v.iter().map(|n| number_size(n.as_str())).sum(),
        AttributeValue::BS(v) => v.iter().map(Vec::len).sum(),
        // Maps and lists: 3 bytes of overhead plus 1 byte per element, plus their contents.
        AttributeValue::M(m) => {
            3 + m
                .iter()
                .map(|(k, v)| k.len() + value_size(v) + 1)
                .sum::<usize>()
        }
        AttributeValue::L(l) => 3 + l.iter().map(|v| value_size(v) + 1).sum::<usize>(),
        AttributeValue::Null(_) | AttributeValue::Bool(_) => 1,
    }
}

/// Size in bytes of an item: the sum over attributes of name length plus value size.
pub fn item_size(item: &Item) -> usize {
    item.iter().map(|(k, v)| k.len() + value_size(v)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Number;

    fn n(s: &str) -> AttributeValue {
        AttributeValue::N(Number::parse(s).unwrap())
    }

    #[test]
    fn sizes() {
        let mut item = Item::new();
        item.insert("pk".into(), AttributeValue::S("abc".into()));
        item.insert("n".into(), n("12345"));
        // "pk"(2)+3, "n"(1)+ (5 digits, exponent 4 -> 3 + 1 = 4)
        assert_eq!(item_size(&item), 2 + 3 + 1 + 4);
    }

    #[test]
    fn number_sizes_follow_dynamodb() {
        // Cases from DynamoDB's item-size limit behaviour (dynalite's putItem size tests).
        assert_eq!(value_size(&n(&format!("1{}", "0".repeat(125)))), 2);
        assert_eq!(value_size(&n(&format!("11{}", "0".repeat(124)))), 2);
        assert_eq!(value_size(&n(&format!("11111{}", "0".repeat(121)))), 4);
        assert_eq!(value_size(&n(&format!("111111{}", "0".repeat(120)))), 4);
        assert_eq!(value_size(&n(&format!("1111111{}", "0".repeat(119)))), 5);
        assert_eq!(
            value_size(&n(&format!("{}{}", "1".repeat(38), "0".repeat(88)))),
            20
        );
        assert_eq!(value_size(&n("0")), 1);
        // Even digit count with an even leading exponent needs a padding pair; sign costs 1.
        assert_eq!(value_size(&n("1.1")), 3);
        assert_eq!(value_size(&n("-1.1")), 4);
        assert_eq!(value_size(&n("0.001")), 2);
    }

    #[test]
    fn container_and_scalar_sizes() {
        let mut inner = Item::new();
        inner.insert("ab".into(), AttributeValue::S("xyz".into()));
        // map: 3 + per entry (1 + name + value)
        assert_eq!(value_size(&AttributeValue::M(inner)), 3 + 1 + 2 + 3);
        let list = AttributeValue::L(vec![AttributeValue::Bool(true), AttributeValue::Null(true)]);
        assert_eq!(value_size(&list), 3 + 2 + 2);
        assert_eq!(value_size(&AttributeValue::S("é".into())), 2, "UTF-8 bytes");
        assert_eq!(
            value_size(&AttributeValue::BS(vec![vec![1, 2], vec![3]])),
            3
        );
    }
}
