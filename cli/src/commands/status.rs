//! `extenddb status --config extenddb.toml`: whether the server of that configuration runs,
//! on which port and under which pid (from its pid file). Exits 0 when running, 3 when not
//! (the LSB convention for "program is not running").

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

/// Prints the status line; the exit code says running (0) or not (3).
pub fn run(args: StatusArgs) -> anyhow::Result<ExitCode> {
    let config = config::load(&args.config, &config::Overrides::default())?;
    match pidfile::running(&expand_home(&config.server.pid_file))? {
        Some(r) => {
            println!("extenddb is running on port {} (pid {})", r.port, r.pid);
            Ok(ExitCode::SUCCESS)
        }
        None => {
            println!("extenddb is not running");
            Ok(ExitCode::from(NOT_RUNNING))
        }
    }
}
