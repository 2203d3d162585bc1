//! `extenddb stop --config extenddb.toml`: stops the server of that configuration with SIGTERM
//! (it finishes requests in flight, then exits) and waits until it is gone; SIGKILL only with
//! `--force` after the wait.

use super::pidfile;
use crate::config::{self, expand_home};
use anyhow::bail;
use clap::Args;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::path::PathBuf;
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
}

/// Stops the server, if running.
pub fn run(args: StopArgs) -> anyhow::Result<()> {
    let config = config::load(&args.config, &config::Overrides::default())?;
    let pid_file = expand_home(&config.server.pid_file);
    let Some(r) = pidfile::running(&pid_file)? else {
        println!("extenddb is not running");
        return Ok(());
    };
    let pid = Pid::from_raw(r.pid);
    if let Err(e) = kill(pid, Signal::SIGTERM) {
        bail!("cannot signal extenddb (pid {}): {e}", r.pid);
    }
    if wait_gone(r.pid, Duration::from_secs(args.timeout)) {
        // The server removes its pid file as it exits; a crash mid-shutdown may leave it.
        std::fs::remove_file(&pid_file).ok();
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
    kill(pid, Signal::SIGKILL).ok();
    wait_gone(r.pid, Duration::from_secs(5));
    std::fs::remove_file(&pid_file).ok();
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
