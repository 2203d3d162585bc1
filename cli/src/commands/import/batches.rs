//! Cutting an import file into BatchWriteItem batches: up to 25 items each, in file order,
//! and a new batch whenever an item's key is already in the current one (BatchWriteItem
//! refuses duplicate keys in one request). The cut depends only on the file and the key
//! schema, so batch `i` is the same items on every run — which is what lets an interrupted
//! import skip the batches it already wrote.

use crate::commands::transfer::dynamo_json::{parse_line, ItemLine, LineError};
use std::collections::HashSet;
use std::io::BufRead;

/// Items per BatchWriteItem request (DynamoDB's limit).
pub const BATCH_SIZE: usize = 25;

/// One batch of items.
#[derive(Debug, Clone)]
pub struct Batch {
    /// 0-based position of the batch in the file.
    pub index: u64,
    /// The items, in file order.
    pub items: Vec<ItemLine>,
}

/// Why reading batches failed.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// A line is not a valid item.
    #[error(transparent)]
    Line(#[from] LineError),
    /// The file could not be read (or a line is not UTF-8).
    #[error("line {line}: {source}")]
    Read {
        /// The line being read.
        line: u64,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// An iterator of batches over a reader of DynamoDB JSON lines.
pub struct Batcher<R> {
    reader: R,
    key_names: Vec<String>,
    line: u64,
    next_index: u64,
    pending: Option<ItemLine>,
    buf: String,
    failed: bool,
}

impl<R: BufRead> Batcher<R> {
    /// Batches the lines of `reader` for a table keyed by `key_names`.
    pub fn new(reader: R, key_names: Vec<String>) -> Self {
        Batcher {
            reader,
            key_names,
            line: 0,
            next_index: 0,
            pending: None,
            buf: String::new(),
            failed: false,
        }
    }

    fn next_item(&mut self) -> Result<Option<ItemLine>, BatchError> {
        if let Some(item) = self.pending.take() {
            return Ok(Some(item));
        }
        loop {
            self.buf.clear();
            self.line += 1;
            let n = self
                .reader
                .read_line(&mut self.buf)
                .map_err(|source| BatchError::Read {
                    line: self.line,
                    source,
                })?;
            if n == 0 {
                return Ok(None);
            }
            if let Some(item) = parse_line(&self.buf, self.line, &self.key_names)? {
                return Ok(Some(item));
            }
        }
    }

    fn next_batch(&mut self) -> Result<Option<Batch>, BatchError> {
        let mut items = Vec::with_capacity(BATCH_SIZE);
        let mut keys = HashSet::with_capacity(BATCH_SIZE);
        while items.len() < BATCH_SIZE {
            let Some(item) = self.next_item()? else { break };
            if !keys.insert(item.key.clone()) {
                self.pending = Some(item);
                break;
            }
            items.push(item);
        }
        if items.is_empty() {
            return Ok(None);
        }
        let index = self.next_index;
        self.next_index += 1;
        Ok(Some(Batch { index, items }))
    }
}

impl<R: BufRead> Iterator for Batcher<R> {
    type Item = Result<Batch, BatchError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let next = self.next_batch();
        self.failed = next.is_err();
        next.transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(keys: &[&str]) -> String {
        keys.iter()
            .map(|k| format!("{{\"Item\":{{\"pk\":{{\"S\":\"{k}\"}}}}}}\n"))
            .collect()
    }

    fn batch_sizes(text: &str) -> Vec<usize> {
        Batcher::new(text.as_bytes(), vec!["pk".into()])
            .map(|b| b.unwrap().items.len())
            .collect()
    }

    #[test]
    fn batches_hold_25_items_in_file_order() {
        let keys: Vec<String> = (0..60).map(|i| format!("k{i}")).collect();
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let text = lines(&refs);
        assert_eq!(batch_sizes(&text), vec![25, 25, 10]);
        let batches: Vec<Batch> = Batcher::new(text.as_bytes(), vec!["pk".into()])
            .map(Result::unwrap)
            .collect();
        assert_eq!(batches[1].index, 1);
        assert_eq!(batches[1].items[0].line, 26);
        assert_eq!(batches[2].items[9].line, 60);
    }

    #[test]
    fn a_repeated_key_starts_a_new_batch_and_blank_lines_are_skipped() {
        let text = lines(&["a", "b", "a", "c"]).replace("\"b\"}}}\n", "\"b\"}}}\n\n   \n");
        assert_eq!(batch_sizes(&text), vec![2, 2]);
        let last = Batcher::new(text.as_bytes(), vec!["pk".into()])
            .last()
            .unwrap()
            .unwrap();
        assert_eq!(last.items[1].line, 6);
    }

    #[test]
    fn the_first_bad_line_ends_the_iteration_with_its_number() {
        let text = format!("{}{{\"Item\":7}}\n{}", lines(&["a"]), lines(&["b"]));
        let mut it = Batcher::new(text.as_bytes(), vec!["pk".into()]);
        let err = it.next().unwrap().unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 2: \"Item\" must be an object of attributes, found the number 7"
        );
        assert!(it.next().is_none());
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let mut bytes = lines(&["a"]).into_bytes();
        bytes.extend_from_slice(b"{\"Item\":{\"pk\":{\"S\":\"\xff\"}}}\n");
        let err = Batcher::new(&bytes[..], vec!["pk".into()])
            .find_map(Result::err)
            .unwrap();
        assert!(err.to_string().starts_with("line 2: "), "{err}");
    }
}
