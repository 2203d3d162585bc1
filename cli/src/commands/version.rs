//! `extenddb version` / `extenddb -V`: version, catalog schema version, commit and build time
//! (from build.rs).

/// The catalog schema version this build's migrations create.
#[cfg(feature = "postgres")]
const CATALOG: &str = extenddb_backend_postgres::CATALOG_VERSION;
#[cfg(not(feature = "postgres"))]
const CATALOG: &str = "none (built without PostgreSQL)";

/// The lines `extenddb version` prints.
pub fn text() -> String {
    format!(
        "extenddb {}\ncatalog {CATALOG}\ncommit {}\nbuilt {}",
        env!("CARGO_PKG_VERSION"),
        env!("EXTENDDB_COMMIT"),
        env!("EXTENDDB_BUILT"),
    )
}

/// Prints the version text.
pub fn run() -> anyhow::Result<()> {
    println!("{}", text());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_has_version_catalog_commit_and_build_time() {
        let t = text();
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0], "extenddb 0.0.2");
        #[cfg(feature = "postgres")]
        assert_eq!(lines[1], "catalog 0.0.2");
        let commit = lines[2].strip_prefix("commit ").unwrap();
        assert!(
            commit == "unknown"
                || (commit.len() >= 7 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
            "{commit}"
        );
        let built = lines[3].strip_prefix("built ").unwrap();
        assert!(
            built == "unknown" || (built.len() == 20 && built.ends_with('Z')),
            "{built}"
        );
    }
}
