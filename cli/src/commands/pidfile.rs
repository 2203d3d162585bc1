//! The running servers' pid files: `<pid>\n<port>\n`, written once a server listens and
//! removed when it stops. `status` and `stop` find the servers through them; a file whose
//! process is gone (a crash, kill -9) is stale and is removed when found.
//!
//! One file per server, so several servers of one configuration (several processes over one
//! PostgreSQL) can run side by side: the server on the configured port — or on `--port 0`,
//! any free port — holds the configured `server.pid_file`; a server started with
//! `--port <P>`, another port, holds `<stem>.<P>.<ext>` beside it (`extenddb.8001.pid`). A
//! second server asking for the same port as a running one is refused.

use anyhow::{bail, Context};
use nix::errno::Errno;
use nix::sys::signal::kill;
use nix::unistd::Pid;
use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// The pid file of a server asking for port `requested` when the configuration's port is
/// `configured` and its pid file `pid_file`.
pub fn path_for(pid_file: &Path, configured: u16, requested: u16) -> PathBuf {
    if requested == configured || requested == 0 {
        return pid_file.to_path_buf();
    }
    port_path(pid_file, requested)
}

/// The per-port pid file of port `port` beside `pid_file`.
fn port_path(pid_file: &Path, port: u16) -> PathBuf {
    let stem = pid_file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match pid_file.extension() {
        Some(ext) => format!("{stem}.{port}.{}", ext.to_string_lossy()),
        None => format!("{stem}.{port}"),
    };
    pid_file.with_file_name(name)
}

/// Every server of the configuration whose pid file is `pid_file`: the one holding it, then
/// those holding per-port files beside it, by port. Stale files are removed.
pub fn all_running(pid_file: &Path) -> anyhow::Result<Vec<(PathBuf, Running)>> {
    let mut found = Vec::new();
    if let Some(r) = running(pid_file)? {
        found.push((pid_file.to_path_buf(), r));
    }
    let dir = match pid_file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(e).with_context(|| format!("cannot list {}", dir.display())),
    };
    let mut others = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(port) = port_of(pid_file, &path) else {
            continue;
        };
        if port_path(pid_file, port) != path {
            continue;
        }
        if let Some(r) = running(&path)? {
            others.push((path, r));
        }
    }
    others.sort_by_key(|(_, r)| r.port);
    found.extend(others);
    Ok(found)
}

/// The port a per-port pid file name carries (`<stem>.<port>.<ext>`), if `path` is one.
fn port_of(pid_file: &Path, path: &Path) -> Option<u16> {
    let stem = pid_file.file_stem()?.to_string_lossy().into_owned();
    let name = path.file_name()?.to_string_lossy().into_owned();
    let rest = name.strip_prefix(&stem)?.strip_prefix('.')?;
    let digits = match pid_file.extension() {
        Some(ext) => rest.strip_suffix(&format!(".{}", ext.to_string_lossy()))?,
        None => rest,
    };
    digits.parse().ok()
}

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
    fn one_file_per_server_and_all_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("extenddb.pid");
        assert_eq!(path_for(&main, 8000, 8000), main);
        assert_eq!(path_for(&main, 8000, 0), main);
        let other = path_for(&main, 8000, 8001);
        assert_eq!(other, dir.path().join("extenddb.8001.pid"));
        assert_eq!(all_running(&main).unwrap(), Vec::new());
        let a = PidFile::create(&main, 8000).unwrap();
        let b = PidFile::create(&other, 8001).unwrap();
        let c = PidFile::create(&path_for(&main, 8000, 7999), 7999).unwrap();
        // Not ours: another stem, and a name that only looks like a port file.
        std::fs::write(dir.path().join("other.9000.pid"), "1\n9000\n").unwrap();
        std::fs::write(dir.path().join("extenddb.x.pid"), "1\n9000\n").unwrap();
        let err = PidFile::create(&other, 8001).err().unwrap().to_string();
        assert!(
            err.starts_with("extenddb is already running on port 8001"),
            "{err}"
        );
        let ports: Vec<u16> = all_running(&main)
            .unwrap()
            .into_iter()
            .map(|(_, r)| r.port)
            .collect();
        assert_eq!(ports, vec![8000, 7999, 8001]);
        drop((a, b, c));
        assert_eq!(all_running(&main).unwrap(), Vec::new());
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
