//! Reading and writing the transfer files, gzip-compressed when the name ends in `.gz` (or
//! when asked, or — for reading — when the file starts with gzip's magic bytes). Output goes to
//! `<file>.partial` and is renamed into place only when complete, so a failed or interrupted
//! export never leaves a file that looks finished.

use anyhow::Context;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Whether `path` names a gzip file.
pub fn gz_name(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// Opens `path` for reading lines, decompressing when it is gzip (by `gzip`, its name or its
/// first two bytes).
pub fn open_lines(path: &Path, gzip: bool) -> anyhow::Result<Box<dyn BufRead + Send>> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut magic = [0u8; 2];
    let n = file.read(&mut magic).unwrap_or(0);
    let is_gz = gzip || gz_name(path) || (n == 2 && magic == [0x1f, 0x8b]);
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(if is_gz {
        Box::new(BufReader::with_capacity(
            1 << 16,
            MultiGzDecoder::new(BufReader::new(file)),
        ))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, file))
    })
}

/// The SHA-256 of the file's bytes as stored (hex), which identifies an import's input
/// across runs.
pub fn fingerprint(path: &Path) -> anyhow::Result<String> {
    use sha2::{Digest, Sha256};
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file
            .read(&mut buf)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// An output file written to `<path>.partial` and renamed to `path` by [`Output::commit`];
/// dropped uncommitted, the partial file is removed.
pub struct Output {
    path: PathBuf,
    partial: PathBuf,
    writer: Option<Sink>,
}

enum Sink {
    Plain(BufWriter<File>),
    Gzip(GzEncoder<BufWriter<File>>),
}

impl Output {
    /// Creates `<path>.partial` (replacing a stale one); gzip when `gzip` or the name ends
    /// in `.gz`.
    pub fn create(path: &Path, gzip: bool) -> anyhow::Result<Output> {
        let partial = super::sibling(path, ".partial");
        let file = File::create(&partial)
            .with_context(|| format!("cannot create {}", partial.display()))?;
        let buffered = BufWriter::with_capacity(1 << 16, file);
        let writer = if gzip || gz_name(path) {
            Sink::Gzip(GzEncoder::new(buffered, Compression::fast()))
        } else {
            Sink::Plain(buffered)
        };
        Ok(Output {
            path: path.to_path_buf(),
            partial,
            writer: Some(writer),
        })
    }

    /// Appends `bytes`.
    pub fn write_all(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        let result = match self.writer.as_mut() {
            Some(Sink::Plain(w)) => w.write_all(bytes),
            Some(Sink::Gzip(w)) => w.write_all(bytes),
            None => Ok(()),
        };
        result.with_context(|| format!("cannot write {}", self.partial.display()))
    }

    /// Finishes compression, flushes to disk and renames the file into place.
    pub fn commit(mut self) -> anyhow::Result<()> {
        let context = || format!("cannot finish {}", self.partial.display());
        let buffered = match self.writer.take() {
            Some(Sink::Plain(w)) => w,
            Some(Sink::Gzip(w)) => w.finish().with_context(context)?,
            None => return Ok(()),
        };
        let file = buffered
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(context)?;
        file.sync_all().with_context(context)?;
        std::fs::rename(&self.partial, &self.path).with_context(|| {
            format!(
                "cannot rename {} to {}",
                self.partial.display(),
                self.path.display()
            )
        })
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(path: &Path, gzip: bool) -> String {
        let mut s = String::new();
        open_lines(path, gzip)
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        s
    }

    #[test]
    fn plain_and_gzip_round_trip_and_gzip_is_sniffed() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.jsonl", "b.jsonl.gz"] {
            let path = dir.path().join(name);
            let mut out = Output::create(&path, false).unwrap();
            out.write_all(b"one\ntwo\n").unwrap();
            assert!(
                !path.exists(),
                "only the .partial file exists before commit"
            );
            out.commit().unwrap();
            assert!(!dir.path().join(format!("{name}.partial")).exists());
            assert_eq!(read_all(&path, false), "one\ntwo\n");
        }
        let raw = std::fs::read(dir.path().join("b.jsonl.gz")).unwrap();
        assert_eq!(&raw[..2], &[0x1f, 0x8b]);
        let renamed = dir.path().join("c.data");
        std::fs::write(&renamed, raw).unwrap();
        assert_eq!(read_all(&renamed, false), "one\ntwo\n");
    }

    #[test]
    fn an_uncommitted_output_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.jsonl");
        let mut out = Output::create(&path, true).unwrap();
        out.write_all(b"half").unwrap();
        drop(out);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
