//! The running server's pid file: `<pid>\n<port>\n`, written once the server listens and
//! removed when it stops. `status` and `stop` find the server through it; a file whose process
//! is gone (a crash, kill -9) is stale and is removed when found.

use anyhow::{bail, Context};
use nix::errno::Errno;
use nix::sys::signal::kill;
use nix::unistd::Pid;
use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// A server the pid file names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Running {
    /// Its process id.
    pub pid: i32,
    /// The port it listens on.
    pub port: u16,
}

/// Whether process `pid` exists (signal 0 probes without signalling) and is not a zombie (an
/// exited daemon whose new parent has not reaped it yet, as in containers without an init).
pub fn alive(pid: i32) -> bool {
    matches!(kill(Pid::from_raw(pid), None), Ok(()) | Err(Errno::EPERM)) && !zombie(pid)
}

/// True when /proc says `pid` has exited and awaits reaping (state `Z`).
fn zombie(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            // Fields after the parenthesized command name: the first is the state.
            let after = &s[s.rfind(')')? + 1..];
            after.split_whitespace().next().map(|st| st == "Z")
        })
        .unwrap_or(false)
}

/// The server the pid file at `path` names, if it is running; a stale file is removed.
pub fn running(path: &Path) -> anyhow::Result<Option<Running>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let mut lines = text.lines().map(str::trim);
    let parsed = (
        lines.next().and_then(|l| l.parse::<i32>().ok()),
        lines.next().and_then(|l| l.parse::<u16>().ok()),
    );
    match parsed {
        (Some(pid), Some(port)) if pid > 0 && alive(pid) => Ok(Some(Running { pid, port })),
        _ => {
            // Stale or unreadable: the server it named is not running.
            std::fs::remove_file(path).ok();
            Ok(None)
        }
    }
}

/// The pid file of this process, removed when dropped.
pub struct PidFile {
    path: PathBuf,
}

impl PidFile {
    /// Records this process and `port` at `path`; refuses when another live server holds it.
    pub fn create(path: &Path, port: u16) -> anyhow::Result<PidFile> {
        if let Some(r) = running(path)? {
            bail!(
                "extenddb is already running on port {} (pid {}); stop it with `extenddb stop`",
                r.port,
                r.pid
            );
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .with_context(|| format!("cannot create the pid file {}", path.display()))?;
        writeln!(file, "{}\n{port}", std::process::id())
            .with_context(|| format!("cannot write the pid file {}", path.display()))?;
        Ok(PidFile {
            path: path.to_path_buf(),
        })
    }
}

impl Drop for PidFile {
    fn drop(&mut self) {
        std::fs::remove_file(&self.path).ok();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_read_refused_twice_and_removed_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/extenddb.pid");
        assert_eq!(running(&path).unwrap(), None);
        let file = PidFile::create(&path, 8123).unwrap();
        let me = Running {
            pid: std::process::id() as i32,
            port: 8123,
        };
        assert_eq!(running(&path).unwrap(), Some(me));
        let err = PidFile::create(&path, 9000).err().unwrap().to_string();
        assert!(
            err.starts_with("extenddb is already running on port 8123"),
            "{err}"
        );
        drop(file);
        assert!(!path.exists());
    }

    #[test]
    fn stale_and_garbled_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pid");
        // pid_max on Linux is at most 2^22, so this pid cannot exist.
        std::fs::write(&path, "2147483000\n8000\n").unwrap();
        assert_eq!(running(&path).unwrap(), None);
        assert!(!path.exists());
        std::fs::write(&path, "garbage").unwrap();
        assert_eq!(running(&path).unwrap(), None);
        assert!(!path.exists());
    }
}
