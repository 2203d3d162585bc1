//! `extenddb manage`: a thin client of the server's management API (`/management/*`), using
//! its request and response types (`extenddb_server::management::api`). It logs in with HTTP
//! Basic as `--user` (an admin, or `<account_id>/<user_name>` for an IAM user's
//! self-service) and `--password` (or `EXTENDDB_ADMIN_PASSWORD`), finds the server from
//! extenddb.toml (or `--endpoint`), trusts the generated certificate, prints readable text
//! (or `--json`), and fails with one line.

pub mod client;
mod commands;
mod exec;
mod exec_groups_roles;
mod exec_owned;
mod inputs;
mod output;
pub mod transport;

use crate::config;
use anyhow::bail;
use clap::Args;
use std::path::PathBuf;
use zeroize::Zeroizing;

pub use commands::ManageCommand;

/// Options of `extenddb manage`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  extenddb manage --user admin --password <pw> list-admins
  extenddb manage --user admin --password <pw> create-user --account-id 123456789012 --user-name alice --user-password secret
  extenddb manage --user 123456789012/alice --password secret create-access-key
  EXTENDDB_ADMIN_PASSWORD=<pw> extenddb manage --user admin --endpoint 127.0.0.1:9000 --json list-accounts")]
pub struct ManageArgs {
    /// Who logs in: an admin name, or <account_id>/<user_name> for an IAM user.
    #[arg(long, global = true)]
    pub user: Option<String>,
    /// The password (visible in `ps`; prefer EXTENDDB_ADMIN_PASSWORD).
    #[arg(
        long,
        global = true,
        env = "EXTENDDB_ADMIN_PASSWORD",
        hide_env_values = true
    )]
    pub password: Option<String>,
    /// The server: host:port or https://host:port (default: from the configuration file).
    #[arg(long, global = true)]
    pub endpoint: Option<String>,
    /// The configuration file to find the server and its certificate in.
    #[arg(long, global = true, default_value = "extenddb.toml")]
    pub config: PathBuf,
    /// The PEM certificate(s) to trust for HTTPS (default: the configured certificate).
    #[arg(long, global = true)]
    pub ca_bundle: Option<PathBuf>,
    /// Print the API's JSON answer instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: ManageCommand,
}

/// Runs `manage`.
pub fn run(args: ManageArgs) -> anyhow::Result<()> {
    let config = if args.config.is_file() {
        Some(config::load(&args.config, &config::Overrides::default())?)
    } else if args.endpoint.is_none() {
        bail!(
            "{} not found: pass --config <file> (written by `extenddb init`) or --endpoint <host:port>",
            args.config.display()
        );
    } else {
        None
    };
    let Some(user) = args.user else {
        bail!("--user is required: an admin name, or <account_id>/<user_name> for an IAM user");
    };
    let Some(password) = args.password.map(Zeroizing::new) else {
        bail!("no password: pass --password or set EXTENDDB_ADMIN_PASSWORD");
    };
    let endpoint = client::endpoint(config.as_ref(), args.endpoint.as_deref(), args.ca_bundle)?;
    let login = inputs::Login::parse(&user);
    let client = client::Client::new(endpoint, client::Auth::Basic { user, password });
    let print = exec::Print { json: args.json };
    crate::commands::runtime()?.block_on(exec::run(args.command, &client, &login, print))
}
