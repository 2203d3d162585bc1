//! `extenddb stop --config extenddb.toml [--port P]`: stops the servers of that configuration
//! (every one, or the one listening on port P) with SIGTERM — each finishes its requests in
//! flight, then exits — and waits until they are gone; SIGKILL only with `--force` after the
//! wait.

use super::pidfile;
use crate::config::{self, expand_home};
use anyhow::bail;
use clap::Args;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Options of `extenddb stop`.
#[derive(Debug, Args)]
pub struct StopArgs {
    /// The configuration file.
    #[arg(long, default_value = "extenddb.toml")]
    pub config: PathBuf,
    /// Seconds to wait for the server to exit.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Kill the server (SIGKILL) if it has not exited within the timeout.
    #[arg(long)]
    pub force: bool,
    /// Stop only the server listening on this port (default: every server of the
    /// configuration).
    #[arg(long)]
    pub port: Option<u16>,
}

/// Stops the servers, if running.
pub fn run(args: StopArgs) -> anyhow::Result<()> {
    let config = config::load(&args.config, &config::Overrides::default())?;
    let servers: Vec<_> = pidfile::all_running(&expand_home(&config.server.pid_file))?
        .into_iter()
        .filter(|(_, r)| args.port.is_none_or(|p| p == r.port))
        .collect();
    if servers.is_empty() {
        match args.port {
            Some(p) => println!("extenddb is not running on port {p}"),
            None => println!("extenddb is not running"),
        }
        return Ok(());
    }
    // Signalled together, so they drain their requests in parallel.
    for (_, r) in &servers {
        if let Err(e) = kill(Pid::from_raw(r.pid), Signal::SIGTERM) {
            bail!("cannot signal extenddb (pid {}): {e}", r.pid);
        }
    }
    for (pid_file, r) in servers {
        stop_one(&args, &pid_file, r)?;
    }
    Ok(())
}

/// Waits for one signalled server to exit (killing it with `--force`).
fn stop_one(args: &StopArgs, pid_file: &Path, r: pidfile::Running) -> anyhow::Result<()> {
    if wait_gone(r.pid, Duration::from_secs(args.timeout)) {
        // The server removes its pid file as it exits; a crash mid-shutdown may leave it.
        std::fs::remove_file(pid_file).ok();
        println!("extenddb stopped (pid {})", r.pid);
        return Ok(());
    }
    if !args.force {
        bail!(
            "extenddb (pid {}) did not exit within {} s; run `extenddb stop --force` to kill it",
            r.pid,
            args.timeout
        );
    }
    kill(Pid::from_raw(r.pid), Signal::SIGKILL).ok();
    wait_gone(r.pid, Duration::from_secs(5));
    std::fs::remove_file(pid_file).ok();
    println!("extenddb killed (pid {})", r.pid);
    Ok(())
}

/// Polls until process `pid` is gone or `timeout` passes; true when gone.
fn wait_gone(pid: i32, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while pidfile::alive(pid) {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    true
}
