//! Request bodies for each workload, built straight into one `Vec<u8>` per request.
//!
//! Key i maps to `pk = "k" + i` (12 digits) on a hash-only table; on a table with a sort
//! key it maps to `pk = "k" + i / sort_keys`, `sk = "s" + i % sort_keys`, so a Query of one
//! partition returns up to `sort_keys` items.

use crate::args::Workload;
use std::fmt::Write as _;

/// One DynamoDB operation the bench sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// PutItem.
    Put,
    /// GetItem.
    Get,
    /// Query on the partition key.
    Query,
    /// UpdateItem.
    Update,
    /// BatchWriteItem of PutRequests.
    BatchWrite,
}

impl Op {
    /// The DynamoDB operation name used in `X-Amz-Target`.
    pub fn name(self) -> &'static str {
        match self {
            Op::Put => "PutItem",
            Op::Get => "GetItem",
            Op::Query => "Query",
            Op::Update => "UpdateItem",
            Op::BatchWrite => "BatchWriteItem",
        }
    }
}

/// Bytes of a key value: a one-letter prefix and 12 digits.
const KEY_VALUE_LEN: usize = 13;

/// Builds request bodies; shared read-only by all workers.
pub struct RequestFactory {
    table_json: String,
    keys: u64,
    sort_keys: Option<u64>,
    payload: String,
    consistent_read: bool,
    batch_size: u64,
    read_ratio: f64,
    workload: Workload,
}

impl RequestFactory {
    /// `sort_keys` is `Some(n)` when the table has a sort key `sk`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        table: &str,
        workload: Workload,
        keys: u64,
        sort_keys: Option<u64>,
        item_size: usize,
        consistent_read: bool,
        batch_size: u64,
        read_ratio: f64,
    ) -> Self {
        let key_bytes = 2
            + KEY_VALUE_LEN
            + if sort_keys.is_some() {
                2 + KEY_VALUE_LEN
            } else {
                0
            };
        // DynamoDB counts attribute names and values; "v" is the payload attribute's name.
        let payload_len = item_size.saturating_sub(key_bytes + 1).max(1);
        RequestFactory {
            table_json: json_string(table),
            keys,
            sort_keys,
            payload: "x".repeat(payload_len),
            consistent_read,
            batch_size,
            read_ratio,
            workload,
        }
    }

    /// Size in bytes of a written item as DynamoDB measures it.
    pub fn item_size(&self) -> usize {
        let key = 2 + KEY_VALUE_LEN;
        key + self.sort_keys.map_or(0, |_| key) + 1 + self.payload.len()
    }

    /// Size of the key space.
    pub fn keys(&self) -> u64 {
        self.keys
    }

    /// Number of partition keys the key space spans.
    pub fn partitions(&self) -> u64 {
        match self.sort_keys {
            Some(n) => self.keys.div_ceil(n),
            None => self.keys,
        }
    }

    /// Picks the next operation for this workload.
    pub fn next_op(&self, rng: &mut fastrand::Rng) -> Op {
        match self.workload {
            Workload::Put => Op::Put,
            Workload::Get => Op::Get,
            Workload::Query => Op::Query,
            Workload::Update => Op::Update,
            Workload::BatchWrite => Op::BatchWrite,
            Workload::Mixed => {
                if rng.f64() < self.read_ratio {
                    Op::Get
                } else {
                    Op::Put
                }
            }
        }
    }

    /// Items an `op` request writes or reads when it succeeds (batch size for BatchWriteItem).
    pub fn items_per_request(&self, op: Op) -> u64 {
        if op == Op::BatchWrite {
            self.batch_size
        } else {
            1
        }
    }

    /// Builds the body of `op` on random keys drawn from `rng`.
    pub fn body(&self, op: Op, rng: &mut fastrand::Rng) -> Vec<u8> {
        match op {
            Op::Put => self.put_item(rng.u64(0..self.keys)),
            Op::Get => self.get_item(rng.u64(0..self.keys)),
            Op::Query => self.query(rng.u64(0..self.partitions())),
            Op::Update => self.update_item(rng.u64(0..self.keys)),
            Op::BatchWrite => self.batch_write(rng.u64(0..self.keys)),
        }
    }

    /// PutItem of key `i` with the payload.
    pub fn put_item(&self, i: u64) -> Vec<u8> {
        let mut s = self.start(64);
        s.push_str(",\"Item\":{");
        self.push_item(&mut s, i);
        s.push_str("}}");
        s.into_bytes()
    }

    /// GetItem of key `i`.
    pub fn get_item(&self, i: u64) -> Vec<u8> {
        let mut s = self.start(64);
        s.push_str(",\"Key\":{");
        self.push_key(&mut s, i);
        s.push('}');
        if self.consistent_read {
            s.push_str(",\"ConsistentRead\":true");
        }
        s.push('}');
        s.into_bytes()
    }

    /// Query of partition number `p`.
    pub fn query(&self, p: u64) -> Vec<u8> {
        let mut s = self.start(160);
        s.push_str(",\"KeyConditionExpression\":\"#pk = :p\",\"ExpressionAttributeNames\":{\"#pk\":\"pk\"},\"ExpressionAttributeValues\":{\":p\":{\"S\":\"");
        push_key_value(&mut s, 'k', p);
        s.push_str("\"}}");
        if self.consistent_read {
            s.push_str(",\"ConsistentRead\":true");
        }
        s.push('}');
        s.into_bytes()
    }

    /// UpdateItem of key `i`: SET the payload and ADD 1 to counter `c`.
    pub fn update_item(&self, i: u64) -> Vec<u8> {
        let mut s = self.start(200);
        s.push_str(",\"Key\":{");
        self.push_key(&mut s, i);
        s.push_str("},\"UpdateExpression\":\"SET #v = :v ADD #c :one\",\"ExpressionAttributeNames\":{\"#v\":\"v\",\"#c\":\"c\"},\"ExpressionAttributeValues\":{\":v\":{\"S\":\"");
        s.push_str(&self.payload);
        s.push_str("\"},\":one\":{\"N\":\"1\"}}}");
        s.into_bytes()
    }

    /// BatchWriteItem of `batch_size` PutRequests on keys `start`, `start + 1`, … (mod keys).
    pub fn batch_write(&self, start: u64) -> Vec<u8> {
        let per_item = self.payload.len() + 80;
        let mut s =
            String::with_capacity(self.table_json.len() + 32 + per_item * self.batch_size as usize);
        s.push_str("{\"RequestItems\":{");
        s.push_str(&self.table_json);
        s.push_str(":[");
        for j in 0..self.batch_size {
            if j > 0 {
                s.push(',');
            }
            s.push_str("{\"PutRequest\":{\"Item\":{");
            self.push_item(&mut s, (start + j) % self.keys);
            s.push_str("}}}");
        }
        s.push_str("]}}");
        s.into_bytes()
    }

    fn start(&self, extra: usize) -> String {
        let mut s = String::with_capacity(self.table_json.len() + self.payload.len() + extra + 64);
        s.push_str("{\"TableName\":");
        s.push_str(&self.table_json);
        s
    }

    fn push_key(&self, s: &mut String, i: u64) {
        match self.sort_keys {
            None => {
                s.push_str("\"pk\":{\"S\":\"");
                push_key_value(s, 'k', i);
                s.push_str("\"}");
            }
            Some(n) => {
                s.push_str("\"pk\":{\"S\":\"");
                push_key_value(s, 'k', i / n);
                s.push_str("\"},\"sk\":{\"S\":\"");
                push_key_value(s, 's', i % n);
                s.push_str("\"}");
            }
        }
    }

    fn push_item(&self, s: &mut String, i: u64) {
        self.push_key(s, i);
        s.push_str(",\"v\":{\"S\":\"");
        s.push_str(&self.payload);
        s.push_str("\"}");
    }
}

fn push_key_value(s: &mut String, prefix: char, n: u64) {
    s.push(prefix);
    let _ = write!(s, "{n:012}");
}

fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn factory(workload: Workload, sort_keys: Option<u64>) -> RequestFactory {
        RequestFactory::new("bench", workload, 100, sort_keys, 64, false, 3, 0.5)
    }

    fn parse(body: Vec<u8>) -> Value {
        serde_json::from_slice(&body).unwrap()
    }

    #[test]
    fn item_size_is_met() {
        let f = factory(Workload::Put, None);
        assert_eq!(f.item_size(), 64);
        let f = factory(Workload::Put, Some(10));
        assert_eq!(f.item_size(), 64);
        // Too small for the keys: the payload keeps one byte.
        let f = RequestFactory::new("bench", Workload::Put, 1, None, 1, false, 1, 0.5);
        assert_eq!(f.item_size(), 2 + 13 + 1 + 1);
    }

    #[test]
    fn put_and_get_bodies() {
        let f = factory(Workload::Put, None);
        let put = parse(f.put_item(42));
        assert_eq!(put["TableName"], "bench");
        assert_eq!(put["Item"]["pk"], json!({"S": "k000000000042"}));
        assert_eq!(put["Item"]["v"]["S"].as_str().unwrap().len(), 64 - 16);
        let get = parse(f.get_item(7));
        assert_eq!(
            get,
            json!({"TableName": "bench", "Key": {"pk": {"S": "k000000000007"}}})
        );
        let f = RequestFactory::new("a\"b", Workload::Get, 10, None, 64, true, 1, 0.5);
        let get = parse(f.get_item(1));
        assert_eq!(get["TableName"], "a\"b");
        assert_eq!(get["ConsistentRead"], true);
    }

    #[test]
    fn sort_key_mapping_and_query() {
        let f = factory(Workload::Query, Some(10));
        assert_eq!(f.partitions(), 10);
        let put = parse(f.put_item(42));
        assert_eq!(put["Item"]["pk"], json!({"S": "k000000000004"}));
        assert_eq!(put["Item"]["sk"], json!({"S": "s000000000002"}));
        let q = parse(f.query(4));
        assert_eq!(q["KeyConditionExpression"], "#pk = :p");
        assert_eq!(q["ExpressionAttributeNames"], json!({"#pk": "pk"}));
        assert_eq!(
            q["ExpressionAttributeValues"],
            json!({":p": {"S": "k000000000004"}})
        );
        assert_eq!(factory(Workload::Query, Some(30)).partitions(), 4);
    }

    #[test]
    fn update_body() {
        let u = parse(factory(Workload::Update, None).update_item(3));
        assert_eq!(u["Key"], json!({"pk": {"S": "k000000000003"}}));
        assert_eq!(u["UpdateExpression"], "SET #v = :v ADD #c :one");
        assert_eq!(u["ExpressionAttributeNames"], json!({"#v": "v", "#c": "c"}));
        assert_eq!(u["ExpressionAttributeValues"][":one"], json!({"N": "1"}));
    }

    #[test]
    fn batch_write_wraps_keys() {
        let f = factory(Workload::BatchWrite, None);
        let b = parse(f.batch_write(99));
        let puts = b["RequestItems"]["bench"].as_array().unwrap();
        let keys: Vec<&str> = puts
            .iter()
            .map(|p| p["PutRequest"]["Item"]["pk"]["S"].as_str().unwrap())
            .collect();
        assert_eq!(keys, ["k000000000099", "k000000000000", "k000000000001"]);
        assert_eq!(f.items_per_request(Op::BatchWrite), 3);
        assert_eq!(f.items_per_request(Op::Put), 1);
    }

    #[test]
    fn mixed_follows_read_ratio() {
        let mut rng = fastrand::Rng::with_seed(1);
        let f = RequestFactory::new("bench", Workload::Mixed, 10, None, 64, false, 1, 0.8);
        let reads = (0..10_000)
            .filter(|_| f.next_op(&mut rng) == Op::Get)
            .count();
        assert!((7_700..8_300).contains(&reads), "reads = {reads}");
        let f = RequestFactory::new("bench", Workload::Mixed, 10, None, 64, false, 1, 0.0);
        assert!((0..100).all(|_| f.next_op(&mut rng) == Op::Put));
        assert_eq!(
            factory(Workload::Update, None).next_op(&mut rng),
            Op::Update
        );
    }

    #[test]
    fn random_keys_stay_in_range() {
        let mut rng = fastrand::Rng::with_seed(9);
        let f = factory(Workload::Get, None);
        for _ in 0..1000 {
            let get = parse(f.body(Op::Get, &mut rng));
            let k = get["Key"]["pk"]["S"].as_str().unwrap();
            assert!(k[1..].parse::<u64>().unwrap() < 100);
        }
        assert_eq!(Op::BatchWrite.name(), "BatchWriteItem");
    }
}
