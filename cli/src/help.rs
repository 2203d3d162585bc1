//! The "Examples:" section of every subcommand's `--help` (and so of its man page), attached
//! to the clap command tree in one place by [`with_examples`]; a test checks that no
//! subcommand lacks one.

use clap::Command;

/// Examples by command path (subcommand names joined with spaces; "" is `extenddb` itself).
const EXAMPLES: &[(&str, &str)] = &[
    (
        "",
        "extenddb dev                                  # a development server, nothing to set up
  extenddb init && extenddb serve --config extenddb.toml   # a PostgreSQL deployment
  extenddb <COMMAND> --help                     # each command's options and examples",
    ),
    (
        "dev",
        "extenddb dev                                  # embedded store in ./extenddb-data, port 8000
  extenddb dev --in-memory --port 8001          # keep nothing on disk
  extenddb dev --tls --data-dir ~/extenddb-data # HTTPS with a generated certificate",
    ),
    (
        "init",
        "extenddb init                                 # local PostgreSQL, peer authentication
  extenddb init --pg-user postgres --catalog-db my_catalog --data-db my_data_db
  extenddb init --pg-host db.example.com --pg-user postgres --pg-pass <admin-password>
  extenddb init --bind-addr 10.0.1.5            # also a SAN of the generated certificate
  extenddb init --reset-role-password           # the extenddb role exists; give it a new password",
    ),
    ("verify", "extenddb verify --config extenddb.toml"),
    (
        "serve",
        "extenddb serve --config extenddb.toml        # daemon, logs to syslog
  extenddb serve --config extenddb.toml --foreground --port 9000",
    ),
    ("status", "extenddb status --config extenddb.toml"),
    (
        "stop",
        "extenddb stop --config extenddb.toml
  extenddb stop --config extenddb.toml --timeout 60",
    ),
    ("migrate", "extenddb migrate --config extenddb.toml"),
    (
        "destroy",
        "extenddb destroy --config extenddb.toml --yes                   # drops both databases
  extenddb destroy --config extenddb.toml --yes --pg-user postgres  # and the extenddb role",
    ),
    (
        "settings",
        "extenddb settings --config extenddb.toml list
  extenddb settings --config extenddb.toml set log_level debug
  extenddb settings --config extenddb.toml get control_plane_delay_seconds",
    ),
    (
        "settings set",
        "extenddb settings --config extenddb.toml set control_plane_delay_seconds 0
  extenddb settings --config extenddb.toml set throttling_enabled false",
    ),
    (
        "settings get",
        "extenddb settings --config extenddb.toml get gsi_propagation_delay_ms",
    ),
    ("settings list", "extenddb settings --config extenddb.toml list"),
    (
        "settings index-delay",
        "extenddb settings --config extenddb.toml index-delay --table Orders --index ByCustomer 50
  extenddb settings --config extenddb.toml index-delay --table Orders --index ByCustomer default",
    ),
    (
        "export",
        "extenddb export --table MyTable --out MyTable.jsonl        # the server of ./extenddb.toml
  extenddb export --table MyTable --out MyTable.jsonl.gz --segments 8 \\
      --endpoint https://127.0.0.1:8000 --ca-bundle ~/.extenddb/tls/cert.pem

Each line of the file is one item, {\"Item\": {\"pk\": {\"S\": \"a\"}, ...}}, as in DynamoDB's
export to S3; `extenddb import` reads it back. Credentials come from the standard AWS
variables or profile (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE).",
    ),
    (
        "import",
        "extenddb import --table MyTable MyTable.jsonl                # the server of ./extenddb.toml
  extenddb import --table MyTable --concurrency 16 data-00000.json.gz
  extenddb import --table MyTable --dry-run MyTable.jsonl      # check the file, write nothing

The table must exist. If an import stops (Ctrl-C, a lost server, throttling that does not
let up), run the same command again: it skips the batches recorded in the progress file
<FILE>.<TABLE>.import-progress. Items are written with PutRequest: an item already in the
table with the same key is replaced.",
    ),
    (
        "completions",
        "extenddb completions bash > ~/.local/share/bash-completion/completions/extenddb
  extenddb completions zsh > \"${fpath[1]}/_extenddb\"
  extenddb completions fish > ~/.config/fish/completions/extenddb.fish",
    ),
    (
        "man",
        "extenddb man | man -l -                       # read extenddb(1)
  extenddb man --out-dir /usr/local/share/man/man1   # a page per command",
    ),
    ("version", "extenddb version"),
];

/// Attaches the examples to `cmd` and its subcommands.
pub fn with_examples(cmd: Command) -> Command {
    attach(cmd, "")
}

fn attach(mut cmd: Command, path: &str) -> Command {
    if let Some((_, text)) = EXAMPLES.iter().find(|(p, _)| *p == path) {
        cmd = cmd.after_help(format!("Examples:\n  {text}"));
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        cmd = cmd.mut_subcommand(&name, |sub| attach(sub, &sub_path));
    }
    cmd
}
