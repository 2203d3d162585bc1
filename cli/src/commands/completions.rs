//! `extenddb completions SHELL`: prints the shell completion script generated from the clap
//! definitions (clap_complete), so completions never drift from the real options.

use clap::Args;
use clap_complete::Shell;

/// Options of `extenddb completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Runs `completions`: the script goes to stdout.
pub fn run(args: CompletionsArgs) -> anyhow::Result<()> {
    let mut cmd = crate::command();
    clap_complete::generate(args.shell, &mut cmd, "extenddb", &mut std::io::stdout());
    Ok(())
}
