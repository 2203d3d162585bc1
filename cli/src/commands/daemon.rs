//! `extenddb serve` without `--foreground`: start the server as a daemon.
//!
//! The command re-runs this binary as `serve --foreground --daemon-child` in a new session
//! (no controlling terminal), logging to syslog — or, when no syslog socket answers, to the
//! log file, which the parent says on stderr before it starts the child (so that a machine
//! without syslog never swallows the daemon's log unseen). The child binds, writes the pid file and
//! prints the banner on its stdout; the parent relays that line and exits, so the banner
//! confirms a server that is really listening. If the child fails first, the parent reports
//! its one-line error. A re-exec rather than fork(): the child starts clean, with no async
//! runtime or threads to inherit.

use super::pidfile;
use super::serve::ServeArgs;
use crate::config::{AuthProviderKind, Config, AUTH_OFF_WARNING};
use crate::logging::DaemonLog;
use anyhow::{bail, Context};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// Starts the daemon that will hold `pid_file` and prints its banner.
pub fn start(args: &ServeArgs, config: &Config, pid_file: &Path) -> anyhow::Result<()> {
    if let Some(r) = pidfile::running(pid_file)? {
        bail!(
            "extenddb is already running on port {} (pid {}); stop it with `extenddb stop`",
            r.port,
            r.pid
        );
    }
    let log_hint = match crate::logging::daemon_destination(&config.server) {
        DaemonLog::Syslog(_) => "journalctl -t extenddb".to_string(),
        DaemonLog::File { path, why } => {
            eprintln!("extenddb: {why}; the daemon logs to {}", path.display());
            path.display().to_string()
        }
    };
    if config.auth.provider == AuthProviderKind::None {
        eprintln!("warning: {AUTH_OFF_WARNING}");
    }
    let exe = std::env::current_exe().context("cannot find the extenddb binary")?;
    let mut cmd = Command::new(exe);
    cmd.arg("serve")
        .arg("--config")
        .arg(&args.config)
        .args(["--foreground", "--daemon-child"]);
    if let Some(port) = args.port {
        cmd.arg("--port").arg(port.to_string());
    }
    if let Some(addr) = args.bind_addr {
        cmd.arg("--bind-addr").arg(addr.to_string());
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot start the server process")?;
    let mut banner = String::new();
    if let Some(out) = child.stdout.take() {
        BufReader::new(out)
            .read_line(&mut banner)
            .context("cannot read the server's banner")?;
    }
    if !banner.trim().is_empty() {
        print!("{banner}");
        std::io::stdout().flush().ok();
        return Ok(());
    }
    let status = child.wait().context("cannot wait for the server process")?;
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        e.read_to_string(&mut err).ok();
    }
    match err.lines().rev().find(|l| !l.trim().is_empty()) {
        Some(line) => bail!("{}", line.trim().trim_start_matches("error: ")),
        None => bail!("the server exited during startup ({status}); see its log: {log_hint}"),
    }
}

/// In the daemon child: leaves the parent's session, so the terminal's hang-up or Ctrl-C no
/// longer reaches the server.
pub fn detach_session() {
    // Fails only when already a session leader, which a spawned child never is.
    nix::unistd::setsid().ok();
}

/// In the daemon child, after the banner: points stdout and stderr at /dev/null, so nothing
/// written later depends on the parent's pipes, which close when it exits.
pub fn detach_stdio() -> anyhow::Result<()> {
    use std::os::fd::AsRawFd;
    let null = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/null")
        .context("cannot open /dev/null")?;
    for fd in [1, 2] {
        nix::unistd::dup2(null.as_raw_fd(), fd).context("cannot redirect the server's output")?;
    }
    Ok(())
}
