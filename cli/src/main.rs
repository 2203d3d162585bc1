//! `extenddb`: the command-line entry point. Each subcommand lives in its own module under
//! `commands/`; `main` only parses arguments and reports errors on one line.

mod commands;
mod logging;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// extenddb: a DynamoDB-compatible server.
#[derive(Debug, Parser)]
#[command(
    name = "extenddb",
    disable_version_flag = true,
    arg_required_else_help = true
)]
struct Cli {
    /// Print version information (same as `extenddb version`).
    #[arg(short = 'V', long = "version")]
    version: bool,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a development server in the foreground: embedded storage, no authentication checks,
    /// tables ACTIVE at once.
    Dev(commands::dev::DevArgs),
    /// Print the version, commit and build time.
    Version,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        _ if cli.version => commands::version::run(),
        Some(Command::Version) => commands::version::run(),
        Some(Command::Dev(args)) => commands::dev::run(args),
        None => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
