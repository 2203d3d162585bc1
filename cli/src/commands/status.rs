//! `extenddb status --config extenddb.toml`: whether the servers of that configuration run,
//! on which port and under which pid (from their pid files, `pidfile`): one line per server.
//! Exits 0 when one runs at least, 3 when none does (the LSB convention for "program is not
//! running").

use super::pidfile;
use crate::config::{self, expand_home};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Options of `extenddb status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The configuration file.
    #[arg(long, default_value = "extenddb.toml")]
    pub config: PathBuf,
}

/// Exit code when the server is not running.
pub const NOT_RUNNING: u8 = 3;

/// Prints the status lines; the exit code says running (0) or not (3).
pub fn run(args: StatusArgs) -> anyhow::Result<ExitCode> {
    let config = config::load(&args.config, &config::Overrides::default())?;
    let servers = pidfile::all_running(&expand_home(&config.server.pid_file))?;
    if servers.is_empty() {
        println!("extenddb is not running");
        return Ok(ExitCode::from(NOT_RUNNING));
    }
    for (_, r) in servers {
        println!("extenddb is running on port {} (pid {})", r.port, r.pid);
    }
    Ok(ExitCode::SUCCESS)
}
