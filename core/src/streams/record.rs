//! Stream records: how the built-in sink stores one item change, and how GetRecords renders it
//! exactly as AWS writes it.
//!
//! A stored record is a short binary header followed by the record's `dynamodb` members as
//! ready JSON, split around `SequenceNumber` (which only sequencing decides):
//!
//! | bytes | holds |
//! |---|---|
//! | 0 | format version (1) |
//! | 1 | event: 0 INSERT, 1 MODIFY, 2 REMOVE |
//! | 2 | flags: bit 0 = made by the service (a TTL deletion) |
//! | 3..11 | when the change was made, milliseconds since the epoch (u64 BE) |
//! | 11..15 | length of part A (u32 BE) |
//! | part A | `"ApproximateCreationDateTime":…,"Keys":{…}[,"NewImage":{…}][,"OldImage":{…}]` |
//! | part B | `"SizeBytes":…,"StreamViewType":"…"` (the rest) |
//!
//! Rendering is then concatenation, which keeps a GetRecords loop cheap. `SizeBytes` follows
//! DynamoDB's item-size rule over `Keys` plus the images the record carries (checked against a
//! record AWS produced: 46 bytes for the example in the tests).

use crate::error::StoreError;
use crate::model::item::item_size;
use crate::model::table::{StreamViewType, TableDefinition};
use crate::model::{AttributeValue, Item};
use crate::traits::ItemChange;
use std::collections::BTreeMap;

const VERSION: u8 = 1;
const HEADER: usize = 15;

/// INSERT, MODIFY or REMOVE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventName {
    /// The item did not exist.
    Insert,
    /// The item existed and still does.
    Modify,
    /// The item was removed.
    Remove,
}

impl EventName {
    /// The name as the record spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            EventName::Insert => "INSERT",
            EventName::Modify => "MODIFY",
            EventName::Remove => "REMOVE",
        }
    }

    fn code(self) -> u8 {
        match self {
            EventName::Insert => 0,
            EventName::Modify => 1,
            EventName::Remove => 2,
        }
    }

    fn from_code(code: u8) -> Option<EventName> {
        match code {
            0 => Some(EventName::Insert),
            1 => Some(EventName::Modify),
            2 => Some(EventName::Remove),
            _ => None,
        }
    }
}

/// The stored form of `change` under `view` (`None` when the change is no change: both sides
/// absent).
pub fn encode(change: &ItemChange<'_>, view: StreamViewType) -> Option<Vec<u8>> {
    let event = match (change.old, change.new) {
        (None, Some(_)) => EventName::Insert,
        (Some(_), Some(_)) => EventName::Modify,
        (Some(_), None) => EventName::Remove,
        (None, None) => return None,
    };
    let any = change.new.or(change.old)?;
    let keys = key_attributes(change.table, any);
    let new = change.new.filter(|_| {
        matches!(
            view,
            StreamViewType::NewImage | StreamViewType::NewAndOldImages
        )
    });
    let old = change.old.filter(|_| {
        matches!(
            view,
            StreamViewType::OldImage | StreamViewType::NewAndOldImages
        )
    });
    let size = keys
        .iter()
        .map(|(k, v)| k.len() + crate::model::item::value_size(v))
        .sum::<usize>()
        + new.map_or(0, item_size)
        + old.map_or(0, item_size);
    let at_ms = (change.at * 1000.0).max(0.0) as u64;
    let mut a = Vec::with_capacity(64 + size * 2);
    a.extend_from_slice(b"\"ApproximateCreationDateTime\":");
    a.extend_from_slice((at_ms / 1000).to_string().as_bytes());
    a.extend_from_slice(b",\"Keys\":");
    write_json(&mut a, &keys);
    if let Some(new) = new {
        a.extend_from_slice(b",\"NewImage\":");
        write_json(&mut a, &sorted(new));
    }
    if let Some(old) = old {
        a.extend_from_slice(b",\"OldImage\":");
        write_json(&mut a, &sorted(old));
    }
    let b = format!(
        "\"SizeBytes\":{size},\"StreamViewType\":\"{}\"",
        view.as_str()
    );
    let mut out = Vec::with_capacity(HEADER + a.len() + b.len());
    out.push(VERSION);
    out.push(event.code());
    out.push(u8::from(change.by_service));
    out.extend_from_slice(&at_ms.to_be_bytes());
    out.extend_from_slice(&(a.len() as u32).to_be_bytes());
    out.extend_from_slice(&a);
    out.extend_from_slice(b.as_bytes());
    Some(out)
}

fn key_attributes<'a>(
    def: &'a TableDefinition,
    item: &'a Item,
) -> BTreeMap<&'a str, &'a AttributeValue> {
    def.key_schema
        .attributes()
        .filter_map(|k| item.get(&k.name).map(|v| (k.name.as_str(), v)))
        .collect()
}

fn sorted(item: &Item) -> BTreeMap<&str, &AttributeValue> {
    item.iter().map(|(k, v)| (k.as_str(), v)).collect()
}

fn write_json(out: &mut Vec<u8>, map: &BTreeMap<&str, &AttributeValue>) {
    // Serializing a map of plain values cannot fail.
    let _ = serde_json::to_writer(&mut *out, map);
}

/// A stored record, read back: its header fields and its JSON parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredRecord<'a> {
    /// INSERT, MODIFY or REMOVE.
    pub event: EventName,
    /// A TTL deletion (userIdentity names the service).
    pub by_service: bool,
    /// When the change was made, milliseconds since the epoch.
    pub at_ms: u64,
    part_a: &'a [u8],
    part_b: &'a [u8],
}

impl<'a> StoredRecord<'a> {
    /// Reads a stored record.
    pub fn parse(bytes: &'a [u8]) -> Result<StoredRecord<'a>, StoreError> {
        let corrupt = || StoreError::Corrupt("malformed stream record".into());
        if bytes.len() < HEADER || bytes[0] != VERSION {
            return Err(corrupt());
        }
        let event = EventName::from_code(bytes[1]).ok_or_else(corrupt)?;
        let at_ms = u64::from_be_bytes(bytes[3..11].try_into().map_err(|_| corrupt())?);
        let len = u32::from_be_bytes(bytes[11..15].try_into().map_err(|_| corrupt())?) as usize;
        let rest = &bytes[HEADER..];
        if len > rest.len() {
            return Err(corrupt());
        }
        let (part_a, part_b) = rest.split_at(len);
        Ok(StoredRecord {
            event,
            by_service: bytes[2] & 1 == 1,
            at_ms,
            part_a,
            part_b,
        })
    }

    /// Appends the record as GetRecords answers it (keys in AWS's order) to `out`.
    pub fn render(&self, out: &mut Vec<u8>, seq: u64, event_id: &str, region: &str) {
        out.extend_from_slice(b"{\"awsRegion\":");
        push_json_str(out, region);
        out.extend_from_slice(b",\"dynamodb\":{");
        out.extend_from_slice(self.part_a);
        out.extend_from_slice(b",\"SequenceNumber\":\"");
        out.extend_from_slice(super::log::display_seq(seq).as_bytes());
        out.extend_from_slice(b"\",");
        out.extend_from_slice(self.part_b);
        out.extend_from_slice(b"},\"eventID\":\"");
        out.extend_from_slice(event_id.as_bytes());
        out.extend_from_slice(b"\",\"eventName\":\"");
        out.extend_from_slice(self.event.as_str().as_bytes());
        out.extend_from_slice(b"\",\"eventSource\":\"aws:dynamodb\",\"eventVersion\":\"1.1\"");
        if self.by_service {
            out.extend_from_slice(
                b",\"userIdentity\":{\"PrincipalId\":\"dynamodb.amazonaws.com\",\"Type\":\"Service\"}",
            );
        }
        out.push(b'}');
    }
}

fn push_json_str(out: &mut Vec<u8>, s: &str) {
    let _ = serde_json::to_writer(&mut *out, s);
}

/// The eventID of record `seq` of log `log_id`: 32 hex digits, distinct per record.
pub fn event_id(log_id: u64, seq: u64) -> String {
    format!(
        "{:016x}{:016x}",
        mix(log_id ^ 0x5bd1_e995),
        mix(seq ^ mix(log_id))
    )
}

/// splitmix64's finalizer: spreads bits so ids look random while staying deterministic.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
#[path = "record_tests.rs"]
mod tests;
