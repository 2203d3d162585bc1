//! `extenddb`: the command-line entry point. Each subcommand lives in its own module under
//! `commands/`; `main` only parses arguments and reports errors on one line.

mod commands;
mod config;
mod logging;
mod services;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: the server allocates and frees many small buffers per
/// request on several threads (hyper, JSON, redb pages), where glibc's arenas cost ~14 % of
/// the CPU of an embedded PutItem (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Create a PostgreSQL deployment: role, databases, schema, keys, default account, admin
    /// user, TLS certificate and extenddb.toml.
    #[cfg(feature = "postgres")]
    Init(commands::init::InitArgs),
    /// Check a deployment's databases and schema and count its tables.
    #[cfg(feature = "postgres")]
    Verify(commands::verify::VerifyArgs),
    /// Run the server on the configured backend (as a daemon unless --foreground).
    Serve(commands::serve::ServeArgs),
    /// Say whether the configured server runs, on which port and pid.
    Status(commands::status::StatusArgs),
    /// Stop the configured server.
    Stop(commands::stop::StopArgs),
    /// Apply pending schema migrations to both databases.
    #[cfg(feature = "postgres")]
    Migrate(commands::migrate::MigrateArgs),
    /// Drop a deployment's databases (requires --yes).
    #[cfg(feature = "postgres")]
    Destroy(commands::destroy::DestroyArgs),
    /// Show or change the runtime settings stored in the deployment's catalog.
    Settings(commands::settings::SettingsArgs),
    /// Manage accounts, admins, IAM users, access keys, groups, roles and policies through
    /// the running server's management API.
    Manage(commands::manage::ManageArgs),
    /// Print the version, catalog version, commit and build time.
    Version,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Commands that print and exit behave like other Unix tools when their reader goes away
    // (`extenddb version | head -1`): SIGPIPE ends them quietly. Rust ignores SIGPIPE by
    // default, which makes `println!` panic on a closed pipe. The servers keep ignoring it:
    // a client that hangs up must never kill them.
    if !matches!(cli.command, Some(Command::Dev(_) | Command::Serve(_))) {
        sigpipe::reset();
    }
    let result = match cli.command {
        _ if cli.version => commands::version::run(),
        Some(Command::Version) => commands::version::run(),
        Some(Command::Dev(args)) => commands::dev::run(args),
        #[cfg(feature = "postgres")]
        Some(Command::Init(args)) => commands::init::run(args),
        #[cfg(feature = "postgres")]
        Some(Command::Verify(args)) => commands::verify::run(args),
        Some(Command::Serve(args)) => commands::serve::run(args),
        Some(Command::Status(args)) => match commands::status::run(args) {
            Ok(code) => return code,
            Err(e) => Err(e),
        },
        Some(Command::Stop(args)) => commands::stop::run(args),
        Some(Command::Settings(args)) => commands::settings::run(args),
        Some(Command::Manage(args)) => commands::manage::run(args),
        #[cfg(feature = "postgres")]
        Some(Command::Migrate(args)) => commands::migrate::run(args),
        #[cfg(feature = "postgres")]
        Some(Command::Destroy(args)) => commands::destroy::run(args),
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
