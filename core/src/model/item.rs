//! Items (attribute name → value) and DynamoDB's item-size rules.

use super::AttributeValue;
use std::collections::HashMap;

/// An item: attribute names to values.
pub type Item = HashMap<String, AttributeValue>;

/// The largest item DynamoDB stores: 400 KB, names and values included.
pub const MAX_ITEM_SIZE: usize = 400 * 1024;

/// Size of a number as DynamoDB counts it: roughly one byte per two significant digits plus one.
pub fn number_size(text: &str) -> usize {
    let digits: Vec<u8> = text.bytes().filter(|b| b.is_ascii_digit()).collect();
    let start = digits
        .iter()
        .position(|&d| d != b'0')
        .unwrap_or(digits.len());
    let end = digits
        .iter()
        .rposition(|&d| d != b'0')
        .map_or(start, |p| p + 1);
    let significant = end.saturating_sub(start).max(1);
    significant.div_ceil(2) + 1
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

    #[test]
    fn sizes() {
        let mut item = Item::new();
        item.insert("pk".into(), AttributeValue::S("abc".into()));
        item.insert(
            "n".into(),
            AttributeValue::N(Number::parse("12345").unwrap()),
        );
        // "pk"(2)+3, "n"(1)+ (5 digits -> 3 + 1 = 4)
        assert_eq!(item_size(&item), 2 + 3 + 1 + 4);
    }
}
