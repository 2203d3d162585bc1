//! The model's member constraints checked on a request already decoded, for the hot
//! operations: the body is parsed once instead of twice.
//!
//! `check` walks the raw body a second time after the typed decoding (its texts need the
//! values as sent). Nearly every request breaks no constraint, so an operation whose request
//! type implements `ModelChecked` first asks its typed members, against the same constraint
//! table (`generated`), whether they all hold; only when one may not (or a member is one the
//! typed check does not look into) does the walk run, with DynamoDB's texts. A typed check
//! may say "may not hold" too often — the walk then decides — but never "holds" for a
//! request the walk would refuse: `typed_tests` breaks every member of every implementing
//! operation and compares.

use super::{Kind, Member, Shape};
use crate::ops::Operation;

/// A request type that can say, from its decoded members, that the model's constraints hold.
pub trait ModelChecked {
    /// True only if no member constraint of the operation's input is broken; false when one is
    /// or may be (the body is then walked).
    fn holds(&self, members: &Members) -> bool;
}

/// The constrained members of one operation's input, looked up by wire name.
#[derive(Debug, Clone, Copy)]
pub struct Members(&'static [Member]);

impl Members {
    /// The members of `op`'s input structure, when the model has one.
    pub fn of(op: Operation) -> Option<Members> {
        match super::input(op).map(|s| &s.kind) {
            Some(Kind::Structure(members)) => Some(Members(members)),
            _ => None,
        }
    }

    fn get(&self, name: &str) -> Option<&'static Member> {
        self.0.iter().find(|m| m.name == name)
    }

    /// A string member: present when required, and within its constraints when present. A
    /// name the model does not list answers false (a misspelt name must not pass silently).
    pub fn string(&self, name: &str, value: Option<&str>) -> bool {
        match (self.get(name), value) {
            (Some(m), None) => !m.required,
            (Some(m), Some(v)) => string_holds(m.shape, v),
            (None, _) => false,
        }
    }

    /// A member whose value the model does not constrain (an AttributeValue, an item): only
    /// its presence when required.
    pub fn present(&self, name: &str, present: bool) -> bool {
        match self.get(name) {
            Some(m) => matches!(m.shape.kind, Kind::Opaque) && (present || !m.required),
            None => false,
        }
    }

    /// A list of strings: its length and every element.
    pub fn string_list(&self, name: &str, value: Option<&[String]>) -> bool {
        let Some(m) = self.get(name) else {
            return false;
        };
        let Some(list) = value else {
            return !m.required;
        };
        match &m.shape.kind {
            Kind::List {
                member, min, max, ..
            } => {
                count_holds(*min, *max, list.len()) && list.iter().all(|s| string_holds(member, s))
            }
            _ => false,
        }
    }

    /// A map of string keys to string values (`values`: `None` for values the model does not
    /// constrain, as AttributeValues): its size, every key and every value.
    pub fn string_map<'a>(
        &self,
        name: &str,
        len: Option<usize>,
        mut entries: impl Iterator<Item = (&'a str, Option<&'a str>)>,
    ) -> bool {
        let Some(m) = self.get(name) else {
            return false;
        };
        let Some(len) = len else {
            return !m.required;
        };
        match &m.shape.kind {
            Kind::Map {
                key,
                value,
                min,
                max,
            } => {
                count_holds(*min, *max, len)
                    && entries.all(|(k, v)| {
                        string_holds(key, k)
                            && match v {
                                Some(v) => string_holds(value, v),
                                None => matches!(value.kind, Kind::Opaque),
                            }
                    })
            }
            _ => false,
        }
    }

    /// ExpressionAttributeNames-like members: a map of strings to strings.
    pub fn names(
        &self,
        name: &str,
        value: Option<&std::collections::HashMap<String, String>>,
    ) -> bool {
        self.string_map(
            name,
            value.map(|n| n.len()),
            value
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.as_str(), Some(v.as_str()))),
        )
    }
}

/// Whether `s` meets the string constraints of `shape` (any string does for an opaque one).
fn string_holds(shape: &Shape, s: &str) -> bool {
    match &shape.kind {
        Kind::Opaque => true,
        Kind::String {
            min,
            max,
            pattern,
            values,
        } => {
            // Lengths count UTF-16 units, as the walk does; an ASCII string has one per byte.
            let len = if s.is_ascii() {
                s.len()
            } else {
                s.encode_utf16().count()
            };
            count_holds(*min, *max, len)
                && pattern.is_none_or(|p| p.matches(s))
                && (values.is_empty() || values.contains(&s))
        }
        _ => false,
    }
}

fn count_holds(min: Option<u64>, max: Option<u64>, n: usize) -> bool {
    let n = n as u64;
    min.is_none_or(|m| n >= m) && max.is_none_or(|m| n <= m)
}
