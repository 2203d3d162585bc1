//! The `extenddb` PostgreSQL role on a repeated `init`. PostgreSQL keeps only a hash of a
//! role's password, so an existing role's password cannot be read back, and changing it
//! silently would break every deployment whose extenddb.toml holds the old one. So:
//!
//! | the role | what init does |
//! |---|---|
//! | does not exist | creates it with `--role-password` or a generated password |
//! | exists, `--reset-role-password` | gives it `--role-password` or a generated password (said loudly) |
//! | exists, `--role-password` | keeps it, after checking the password logs in |
//! | exists, the `--config` file being replaced holds its password | keeps it, after the same check (the guide's destroy-then-init) |
//! | exists, none of these | refuses before creating anything, saying which flag to pass |

use super::{secrets, InitArgs, ROLE};
use crate::config;
use anyhow::bail;
use extenddb_backend_postgres::{Admin, PgOptions};

/// Creates the role or settles which password it has; returns the password for the new
/// extenddb.toml. `server_host` is the host that file will name.
pub async fn prepare(
    admin: &mut Admin,
    args: &InitArgs,
    server_host: &str,
) -> anyhow::Result<String> {
    if !admin.role_exists(ROLE).await? {
        let password = new_password(args);
        admin.create_role(ROLE, &password).await?;
        println!("Created role '{ROLE}'.");
        return Ok(password);
    }
    if args.reset_role_password {
        let password = new_password(args);
        admin.set_role_password(ROLE, &password).await?;
        println!(
            "Reset the password of the existing role '{ROLE}' (--reset-role-password); other deployments on this cluster that log in as '{ROLE}' need the new password from {}.",
            args.config.display()
        );
        return Ok(password);
    }
    let (password, source) = match (&args.role_password, password_in_config(args, server_host)) {
        (Some(p), _) => (p.clone(), "--role-password".to_string()),
        (None, Some(p)) => (p, format!("the existing {}", args.config.display())),
        (None, None) => bail!(
            "PostgreSQL role '{ROLE}' already exists (another deployment on this cluster may use it) and its password cannot be read back; pass --role-password <its password> to keep it, or --reset-role-password to give it a new one (deployments using the old password must then be updated)"
        ),
    };
    let login = PgOptions {
        host: server_host.to_string(),
        port: args.pg_port,
        user: ROLE.to_string(),
        password: Some(password.clone()),
        ..PgOptions::default()
    };
    if let Err(e) = login.connect_one("postgres").await {
        bail!(
            "PostgreSQL role '{ROLE}' already exists and the password from {source} does not log in ({e}); pass --role-password with the right one, or --reset-role-password to give the role a new one"
        );
    }
    println!("Kept the existing role '{ROLE}' and its password (from {source}).");
    Ok(password)
}

fn new_password(args: &InitArgs) -> String {
    args.role_password
        .clone()
        .unwrap_or_else(|| secrets::password(32))
}

/// The role's password in the configuration file init is about to replace, when that file
/// is for the same cluster and role.
fn password_in_config(args: &InitArgs, server_host: &str) -> Option<String> {
    if !args.config.is_file() {
        return None;
    }
    let old = config::load(&args.config, &config::Overrides::default()).ok()?;
    let pg = old.storage.postgres;
    (pg.user == ROLE && pg.port == args.pg_port && pg.host == server_host)
        .then_some(pg.password)
        .flatten()
}
