//! Fault episodes of the embedded store: a full disk (or file-size limit) or another I/O
//! failure of the database file, from the first failed commit to the next one that succeeds.
//!
//! An episode is logged twice, whatever the number of requests it refuses: once when it
//! begins (the file, the error and the space left on its file system) and once when the
//! readiness check finds that a write larger than any item fits again (how long it lasted and
//! how many writes it refused). Small writes that still fit meanwhile do not end it. In between, requests
//! get `StoreError::OutOfSpace` or `Unavailable` (a DynamoDB InternalServerError that says
//! so) and the readiness check says why the store cannot write.

use extenddb_core::error::StoreError;
use extenddb_core::traits::Readiness;
use nix::errno::Errno;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// What kind of failure an episode is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FaultKind {
    /// No space left on the file system, a quota, or the process's file-size limit.
    OutOfSpace,
    /// Any other I/O failure of the database file.
    Io,
}

/// The episode under way.
struct Episode {
    kind: FaultKind,
    /// The failure as first seen, with the space left then.
    detail: String,
    since: Instant,
    /// Writes refused so far.
    refused: u64,
}

/// The fault state of one store.
pub(crate) struct Faults {
    /// The database file (`None` in memory).
    file: Option<PathBuf>,
    episode: Mutex<Option<Episode>>,
    /// Mirrors `episode.is_some()`, read without the lock on every readiness check.
    active: AtomicBool,
}

impl Faults {
    /// The fault state of the store in `file` (`None`: in memory).
    pub(crate) fn new(file: Option<&Path>) -> Faults {
        Faults {
            file: file.map(Path::to_path_buf),
            episode: Mutex::new(None),
            active: AtomicBool::new(false),
        }
    }

    /// Whether an episode is under way.
    pub(crate) fn active(&self) -> bool {
        self.active.load(Ordering::Acquire)
    }

    /// The kind of I/O fault `e` is, or `None` when it is not one (corruption, a value too
    /// large, a bug): those are not cured by reopening. A `PreviousIo` is the latch of an
    /// earlier failure and continues the episode under way.
    pub(crate) fn classify(&self, e: &redb::Error) -> Option<FaultKind> {
        match e {
            redb::Error::Io(io) if is_out_of_space(io) => Some(FaultKind::OutOfSpace),
            redb::Error::Io(_) => Some(FaultKind::Io),
            redb::Error::PreviousIo | redb::Error::DatabaseClosed => Some(self.kind()),
            _ => None,
        }
    }

    /// Whether the episode under way is one of a full disk.
    pub(crate) fn out_of_space(&self) -> bool {
        self.active() && self.kind() == FaultKind::OutOfSpace
    }

    /// Bytes free (for this process) on the file system of the store's file; `None` in memory
    /// or when unknown.
    pub(crate) fn free_bytes(&self) -> Option<u64> {
        let dir = self.file.as_deref().and_then(Path::parent)?;
        available_bytes(dir).ok()
    }

    /// The kind of the episode under way (`Io` when none is).
    fn kind(&self) -> FaultKind {
        self.lock().as_ref().map_or(FaultKind::Io, |e| e.kind)
    }

    /// Records that a commit of `jobs` writes failed with `error` (of `kind`): begins an
    /// episode (logging it) unless one is under way, and returns the error the jobs get.
    pub(crate) fn record(&self, kind: FaultKind, error: &str, jobs: usize) -> StoreError {
        let mut guard = self.lock();
        let episode = guard.get_or_insert_with(|| {
            let detail = format!("{error} ({})", self.space_left());
            let file = self.file_name();
            match kind {
                FaultKind::OutOfSpace => tracing::error!(
                    file = %file,
                    %detail,
                    "the embedded store is out of disk space: writes that do not fit are refused until space is \
                     freed (no restart needed); reads and deletes go on where possible"
                ),
                FaultKind::Io => tracing::error!(
                    file = %file,
                    %detail,
                    "the embedded store's file failed a write: writes are refused until it \
                     takes them again (the store reopens the file by itself)"
                ),
            }
            self.active.store(true, Ordering::Release);
            Episode {
                kind,
                detail,
                since: Instant::now(),
                refused: 0,
            }
        });
        episode.refused += jobs as u64;
        episode_error(episode, &self.file_name())
    }

    /// The error writes get while the database cannot be opened again.
    pub(crate) fn refuse(&self, jobs: usize, why: &str) -> StoreError {
        let mut guard = self.lock();
        match guard.as_mut() {
            Some(episode) => {
                episode.refused += jobs as u64;
                episode_error(episode, &self.file_name())
            }
            None => StoreError::Unavailable(why.to_string()),
        }
    }

    /// A write larger than any item committed: ends the episode under way, if any (logging
    /// it).
    pub(crate) fn healed(&self) {
        if !self.active() {
            return;
        }
        if let Some(e) = self.lock().take() {
            self.active.store(false, Ordering::Release);
            tracing::warn!(
                file = %self.file_name(),
                seconds = e.since.elapsed().as_secs(),
                refused_writes = e.refused,
                "the embedded store writes again"
            );
        }
    }

    /// Ready, or why not (for an operator: names the file and the space left).
    pub(crate) fn readiness(&self) -> Readiness {
        match self.lock().as_ref() {
            None => Readiness::Ready,
            Some(e) => Readiness::NotReady(match e.kind {
                FaultKind::OutOfSpace => format!(
                    "embedded store {} is out of disk space ({}); free space on its file \
                     system and writes resume by themselves",
                    self.file_name(),
                    self.space_left()
                ),
                FaultKind::Io => format!(
                    "embedded store {} cannot write: {}",
                    self.file_name(),
                    e.detail
                ),
            }),
        }
    }

    fn file_name(&self) -> String {
        self.file
            .as_deref()
            .map_or_else(|| ":memory:".to_string(), |p| p.display().to_string())
    }

    /// "N bytes free on <dir>", or why that is unknown.
    fn space_left(&self) -> String {
        let Some(dir) = self.file.as_deref().and_then(Path::parent) else {
            return "in memory".into();
        };
        match available_bytes(dir) {
            Ok(free) => format!("{free} bytes free on {}", dir.display()),
            Err(e) => format!("free space on {} unknown: {e}", dir.display()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Episode>> {
        self.episode
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The error a write refused during `episode` gets. The operator's details (file, space) are
/// in the text; the client sees only what kind of fault it is (see `ApiError`).
fn episode_error(episode: &Episode, file: &str) -> StoreError {
    match episode.kind {
        FaultKind::OutOfSpace => StoreError::OutOfSpace(format!("{file}: {}", episode.detail)),
        FaultKind::Io => StoreError::Unavailable(format!("{file}: {}", episode.detail)),
    }
}

/// Bytes this process may still write on the file system of `dir`.
// The block counts are u64 on Linux and u32 on macOS.
#[allow(clippy::useless_conversion)]
fn available_bytes(dir: &Path) -> nix::Result<u64> {
    let s = nix::sys::statvfs::statvfs(dir)?;
    Ok(u64::from(s.blocks_available()).saturating_mul(u64::from(s.fragment_size())))
}

/// True for "no space left on device", "disk quota exceeded" and "file too large" (the
/// process's RLIMIT_FSIZE).
pub(crate) fn is_out_of_space(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull
        || e.raw_os_error().is_some_and(|code| {
            [Errno::ENOSPC, Errno::EDQUOT, Errno::EFBIG]
                .iter()
                .any(|errno| *errno as i32 == code)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enospc() -> redb::Error {
        redb::Error::Io(std::io::Error::from_raw_os_error(Errno::ENOSPC as i32))
    }

    #[test]
    fn full_disks_quotas_and_size_limits_are_out_of_space() {
        for errno in [Errno::ENOSPC, Errno::EDQUOT, Errno::EFBIG] {
            assert!(is_out_of_space(&std::io::Error::from_raw_os_error(
                errno as i32
            )));
        }
        assert!(!is_out_of_space(&std::io::Error::from_raw_os_error(
            Errno::EIO as i32
        )));
    }

    #[test]
    fn an_episode_spans_failures_until_a_commit_succeeds() {
        let dir = tempfile::tempdir().unwrap();
        let f = Faults::new(Some(&dir.path().join("db.redb")));
        assert!(f.readiness().is_ready());
        assert_eq!(f.classify(&enospc()), Some(FaultKind::OutOfSpace));
        // Not an I/O fault: reopening would not help.
        assert_eq!(f.classify(&redb::Error::Corrupted("x".into())), None);
        let e = f.record(FaultKind::OutOfSpace, "commit failed: no space", 3);
        assert!(
            matches!(&e, StoreError::OutOfSpace(m) if m.contains("bytes free")),
            "{e}"
        );
        assert!(f.active());
        // The latch that follows belongs to the same episode.
        assert_eq!(
            f.classify(&redb::Error::PreviousIo),
            Some(FaultKind::OutOfSpace)
        );
        assert!(matches!(f.refuse(2, "x"), StoreError::OutOfSpace(_)));
        match f.readiness() {
            Readiness::NotReady(why) => {
                assert!(
                    why.contains("out of disk space") && why.contains("db.redb"),
                    "{why}"
                )
            }
            Readiness::Ready => panic!("ready during an episode"),
        }
        f.healed();
        assert!(!f.active());
        assert!(f.readiness().is_ready());
        assert!(matches!(f.refuse(1, "reopening"), StoreError::Unavailable(m) if m == "reopening"));
    }
}
