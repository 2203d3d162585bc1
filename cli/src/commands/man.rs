//! `extenddb man`: the manual pages, generated from the clap definitions (clap_mangen) with
//! the same descriptions and examples as `--help`.

use anyhow::Context;
use clap::Args;
use std::path::PathBuf;

/// Options of `extenddb man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write extenddb.1 and one page per subcommand (extenddb-export.1, …) into this
    /// directory instead of printing extenddb(1) on stdout.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// Runs `man`.
pub fn run(args: ManArgs) -> anyhow::Result<()> {
    let cmd = crate::command();
    match args.out_dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(cmd, &dir)
                .with_context(|| format!("cannot write the man pages to {}", dir.display()))?;
            println!("Wrote the man pages to {}.", dir.display());
        }
        None => {
            clap_mangen::Man::new(cmd)
                .render(&mut std::io::stdout())
                .context("cannot write the man page")?;
        }
    }
    Ok(())
}
