//! `extenddb`: the command-line entry point. Each subcommand lives in its own module under
//! `commands/`; `main` only parses arguments and reports errors on one line.

mod commands;
mod config;
mod help;
mod logging;
mod services;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
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
    /// Write every item of a table to a file (DynamoDB JSON lines, optionally gzip), over
    /// the DynamoDB API of any endpoint.
    Export(commands::export::ExportArgs),
    /// Load a file of DynamoDB JSON lines into a table (resumable), over the DynamoDB API of
    /// any endpoint.
    Import(commands::import::ImportArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(commands::completions::CompletionsArgs),
    /// Print the manual page, or write one per command into a directory.
    Man(commands::man::ManArgs),
    /// Print the version, catalog version, commit and build time.
    Version,
}

/// The complete command-line definition: the derived parser with every subcommand's
/// examples attached (used to parse, and by `completions` and `man`).
pub fn command() -> clap::Command {
    help::with_examples(Cli::command()).version(env!("CARGO_PKG_VERSION"))
}

fn main() -> ExitCode {
    let cli = match Cli::from_arg_matches(&command().get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
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
        Some(Command::Export(args)) => commands::export::run(args),
        Some(Command::Import(args)) => commands::import::run(args),
        Some(Command::Completions(args)) => commands::completions::run(args),
        Some(Command::Man(args)) => commands::man::run(args),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every subcommand, nested ones included, with its path.
    fn all_commands(cmd: &clap::Command, path: String, out: &mut Vec<(String, clap::Command)>) {
        for sub in cmd.get_subcommands() {
            if sub.get_name() == "help" {
                continue;
            }
            let p = format!("{path} {}", sub.get_name());
            out.push((p.clone(), sub.clone()));
            all_commands(sub, p, out);
        }
    }

    #[test]
    fn the_command_definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn every_subcommand_has_examples_in_its_help() {
        let mut cmd = command();
        cmd.build();
        let mut commands = Vec::new();
        all_commands(&cmd, "extenddb".into(), &mut commands);
        assert!(commands.len() >= 18, "{}", commands.len());
        for (path, mut sub) in commands {
            let help = sub.render_long_help().to_string();
            let name = path.rsplit(' ').next().unwrap_or_default().to_string();
            assert!(
                help.contains("Examples:\n  extenddb "),
                "{path} has no examples:\n{help}"
            );
            assert!(
                help.split("Examples:")
                    .nth(1)
                    .is_some_and(|ex| ex.contains(&name)),
                "{path}'s examples do not show it"
            );
        }
    }

    #[test]
    fn completions_cover_the_subcommands_and_are_valid_bash() {
        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
        ] {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut command(), "extenddb", &mut out);
            let text = String::from_utf8(out).unwrap();
            for word in [
                "export",
                "import",
                "segments",
                "reset-role-password",
                "completions",
            ] {
                assert!(text.contains(word), "{shell}: no {word}");
            }
            if shell == clap_complete::Shell::Bash {
                let dir = tempfile::tempdir().unwrap();
                let file = dir.path().join("extenddb.bash");
                std::fs::write(&file, &text).unwrap();
                let status = std::process::Command::new("bash")
                    .arg("-n")
                    .arg(&file)
                    .status()
                    .unwrap();
                assert!(status.success(), "bash -n rejects the completion script");
            }
        }
    }

    #[test]
    fn the_man_page_has_the_commands_and_examples() {
        let mut out = Vec::new();
        clap_mangen::Man::new(command()).render(&mut out).unwrap();
        let page = String::from_utf8(out).unwrap();
        assert!(
            page.starts_with(".ie \\n(.g .ds Aq \\(aq") || page.contains(".TH extenddb 1"),
            "{}",
            &page[..200]
        );
        assert!(page.contains(".TH extenddb 1"));
        assert!(page.contains("extenddb\\-export"), "subcommands are listed");
        assert!(page.contains("Examples:"));
        let dir = tempfile::tempdir().unwrap();
        clap_mangen::generate_to(command(), dir.path()).unwrap();
        for name in [
            "extenddb.1",
            "extenddb-export.1",
            "extenddb-import.1",
            "extenddb-settings-set.1",
        ] {
            assert!(dir.path().join(name).is_file(), "{name} missing");
        }
    }
}
