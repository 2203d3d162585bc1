//! The import's progress file (a sidecar beside the input, `<FILE>.<TABLE>.import-progress`):
//! which batches are written, so that a re-run after an interruption or a failure skips them.
//!
//! Format, one JSON header line then one batch index per line, appended after each batch's
//! BatchWriteItem succeeded:
//!
//! ```text
//! {"extenddb_import_progress":1,"table":"T","file_sha256":"…","key":["pk"],"items":100000,"batches":4000}
//! 0
//! 2
//! 1
//! ```
//!
//! The header ties the record to the exact input (its SHA-256) and table key schema, which
//! fix the batches. Writes are idempotent (PutRequest), so a batch written but not yet
//! recorded when the process died is simply written again; a torn last line is ignored.

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What the progress file is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Format version (1).
    pub extenddb_import_progress: u32,
    /// The table imported into.
    pub table: String,
    /// SHA-256 of the input file's bytes.
    pub file_sha256: String,
    /// The table's key attribute names (they decide the batches).
    pub key: Vec<String>,
    /// Items in the file.
    pub items: u64,
    /// Batches in the file.
    pub batches: u64,
}

/// An open progress file.
pub struct Checkpoint {
    path: PathBuf,
    file: File,
    done: HashSet<u64>,
}

impl Checkpoint {
    /// Opens the progress file at `path` for `header`'s import: creates it, or reads the
    /// batches an earlier run of the same import recorded. `restart` discards an existing one.
    pub fn open(path: &Path, header: &Header, restart: bool) -> anyhow::Result<Checkpoint> {
        let mut done = HashSet::new();
        let existing = if restart {
            None
        } else {
            match std::fs::read_to_string(path) {
                Ok(text) => Some(text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
            }
        };
        if let Some(text) = existing {
            // Only newline-terminated lines count: a torn last line ("1" of "13") is no record.
            let complete = text.rfind('\n').map_or("", |i| &text[..=i]);
            let mut lines = complete.lines();
            let recorded: Option<Header> = lines.next().and_then(|l| serde_json::from_str(l).ok());
            match recorded {
                Some(h) if &h == header => {}
                Some(h) if h.table != header.table => bail!(
                    "{} records an import into table '{}', not '{}'; pass --progress-file to use another file, or --restart to discard it",
                    path.display(),
                    h.table,
                    header.table
                ),
                _ => bail!(
                    "{} records an import of different data (the input file or the table's key schema changed since); pass --restart to discard it and import everything",
                    path.display()
                ),
            }
            done.extend(
                lines
                    .filter_map(|l| l.trim().parse::<u64>().ok())
                    .filter(|i| *i < header.batches),
            );
            let file = OpenOptions::new()
                .append(true)
                .open(path)
                .with_context(|| format!("cannot open {}", path.display()))?;
            // A torn last line (the process died mid-write) is cut off, so that it cannot
            // become a record when the next one is appended.
            if complete.len() < text.len() {
                file.set_len(complete.len() as u64)
                    .with_context(|| format!("cannot repair {}", path.display()))?;
            }
            let cp = Checkpoint {
                path: path.to_path_buf(),
                file,
                done,
            };
            return Ok(cp);
        }
        let mut file =
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        let line = serde_json::to_string(header)?;
        writeln!(file, "{line}").with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Checkpoint {
            path: path.to_path_buf(),
            file,
            done,
        })
    }

    /// Batches recorded as written.
    pub fn done_count(&self) -> u64 {
        self.done.len() as u64
    }

    /// The recorded batch indices.
    pub fn done(&self) -> &HashSet<u64> {
        &self.done
    }

    /// Records batch `index` as written.
    pub fn record(&mut self, index: u64) -> anyhow::Result<()> {
        if self.done.insert(index) {
            self.append(&format!("{index}\n"))?;
        }
        Ok(())
    }

    fn append(&mut self, text: &str) -> anyhow::Result<()> {
        self.file
            .write_all(text.as_bytes())
            .with_context(|| format!("cannot write {}", self.path.display()))
    }

    /// Flushes the record to disk (before reporting a failure that asks for a re-run).
    pub fn sync(&self) -> anyhow::Result<()> {
        self.file
            .sync_all()
            .with_context(|| format!("cannot sync {}", self.path.display()))
    }

    /// Removes the file (the import is complete).
    pub fn remove(self) -> anyhow::Result<()> {
        std::fs::remove_file(&self.path)
            .with_context(|| format!("cannot remove {}", self.path.display()))
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            extenddb_import_progress: 1,
            table: "T".into(),
            file_sha256: "ab".into(),
            key: vec!["pk".into()],
            items: 100,
            batches: 4,
        }
    }

    #[test]
    fn a_rerun_sees_what_the_first_run_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p");
        let mut cp = Checkpoint::open(&path, &header(), false).unwrap();
        cp.record(2).unwrap();
        cp.record(0).unwrap();
        cp.record(2).unwrap();
        drop(cp);
        // A torn line from a crash mid-write is ignored and does not corrupt the next record.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"3")
            .unwrap();
        let mut cp = Checkpoint::open(&path, &header(), false).unwrap();
        assert_eq!(cp.done_count(), 2);
        let done = cp.done();
        assert!(done.contains(&0) && done.contains(&2) && !done.contains(&1) && !done.contains(&3));
        cp.record(1).unwrap();
        drop(cp);
        let cp = Checkpoint::open(&path, &header(), false).unwrap();
        assert_eq!(cp.done_count(), 3);
        cp.remove().unwrap();
        assert!(!path.exists());
    }

    #[test]
    fn another_file_or_table_is_refused_unless_restarted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p");
        Checkpoint::open(&path, &header(), false)
            .unwrap()
            .record(1)
            .unwrap();
        let other_file = Header {
            file_sha256: "cd".into(),
            ..header()
        };
        let err = Checkpoint::open(&path, &other_file, false).err().unwrap();
        assert!(err
            .to_string()
            .contains("records an import of different data"));
        let other_table = Header {
            table: "U".into(),
            ..header()
        };
        let err = Checkpoint::open(&path, &other_table, false).err().unwrap();
        assert!(err.to_string().contains("into table 'T', not 'U'"));
        let cp = Checkpoint::open(&path, &other_file, true).unwrap();
        assert_eq!(cp.done_count(), 0);
    }
}
