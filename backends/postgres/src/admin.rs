//! Provisioning and inspection for the operator commands: `Admin` (a superuser-ish connection
//! to the maintenance database: roles and databases) and the deployment records `init` writes
//! into the catalog (accounts, admin users, the data-key check).

use crate::error::PgError;
use crate::options::check_identifier;
use crate::{PgOptions, PgStore};
use sqlx::{Connection, PgConnection, Row};

/// A connection to the server's maintenance database (`postgres`) as an administrative role.
pub struct Admin {
    conn: PgConnection,
}

impl Admin {
    /// Connects to the `postgres` database with `opts`' host, port, user and password.
    pub async fn connect(opts: &PgOptions) -> Result<Admin, PgError> {
        Ok(Admin {
            conn: opts.connect_one("postgres").await?,
        })
    }

    /// Whether database `name` exists.
    pub async fn database_exists(&mut self, name: &str) -> Result<bool, PgError> {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(&mut self.conn)
            .await
            .map_err(PgError::from_query)
    }

    /// Whether role `name` exists.
    pub async fn role_exists(&mut self, name: &str) -> Result<bool, PgError> {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
            .bind(name)
            .fetch_one(&mut self.conn)
            .await
            .map_err(PgError::from_query)
    }

    /// Creates login role `name` with `password`.
    pub async fn create_role(&mut self, name: &str, password: &str) -> Result<(), PgError> {
        self.role_statement("CREATE", name, password).await
    }

    /// Gives the existing role `name` a new `password` (every configuration that logs in
    /// with the old one stops working).
    pub async fn set_role_password(&mut self, name: &str, password: &str) -> Result<(), PgError> {
        self.role_statement("ALTER", name, password).await
    }

    async fn role_statement(
        &mut self,
        verb: &str,
        name: &str,
        password: &str,
    ) -> Result<(), PgError> {
        check_identifier(name)?;
        // Utility statements take no bind parameters: the name was checked above and the
        // password is written as an escape string literal (E'…', backslashes and quotes
        // escaped), which reads the same whatever standard_conforming_strings says.
        if password.contains('\0') {
            return Err(PgError::Query("a role password cannot contain NUL".into()));
        }
        let literal = password.replace('\\', "\\\\").replace('\'', "''");
        let sql = format!("{verb} ROLE \"{name}\" LOGIN PASSWORD E'{literal}'");
        sqlx::raw_sql(&sql)
            .execute(&mut self.conn)
            .await
            .map_err(PgError::from_query)?;
        Ok(())
    }

    /// Creates database `name` owned by `owner`.
    pub async fn create_database(&mut self, name: &str, owner: &str) -> Result<(), PgError> {
        check_identifier(name)?;
        check_identifier(owner)?;
        let sql = format!(
            "CREATE DATABASE \"{name}\" OWNER \"{owner}\" ENCODING 'UTF8' TEMPLATE template0"
        );
        sqlx::raw_sql(&sql)
            .execute(&mut self.conn)
            .await
            .map_err(PgError::from_query)?;
        Ok(())
    }

    /// Drops database `name` if it exists, disconnecting its sessions first.
    pub async fn drop_database(&mut self, name: &str) -> Result<(), PgError> {
        check_identifier(name)?;
        let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        sqlx::raw_sql(&sql)
            .execute(&mut self.conn)
            .await
            .map_err(PgError::from_query)?;
        Ok(())
    }

    /// Drops role `name` if it exists.
    pub async fn drop_role(&mut self, name: &str) -> Result<(), PgError> {
        check_identifier(name)?;
        let sql = format!("DROP ROLE IF EXISTS \"{name}\"");
        sqlx::raw_sql(&sql)
            .execute(&mut self.conn)
            .await
            .map_err(PgError::from_query)?;
        Ok(())
    }

    /// Closes the connection.
    pub async fn close(self) -> Result<(), PgError> {
        self.conn.close().await.map_err(PgError::from_query)
    }
}

/// What `verify` enumerates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeploymentSummary {
    /// Tables in the catalog (every account).
    pub tables: u64,
    /// Secondary indexes over all tables.
    pub indexes: u64,
}

impl PgStore {
    /// Stores the data-key check (a known plaintext sealed under the data key).
    pub async fn put_key_check(&self, nonce: &[u8], ciphertext: &[u8]) -> Result<(), PgError> {
        sqlx::query(
            "INSERT INTO data_key_check (id, nonce, ciphertext) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET nonce = EXCLUDED.nonce, ciphertext = EXCLUDED.ciphertext",
        )
        .bind(nonce)
        .bind(ciphertext)
        .execute(&self.catalog)
        .await
        .map_err(PgError::from_query)?;
        Ok(())
    }

    /// The data-key check, if `init` stored one: `(nonce, ciphertext)`.
    pub async fn key_check(&self) -> Result<Option<(Vec<u8>, Vec<u8>)>, PgError> {
        let row = sqlx::query("SELECT nonce, ciphertext FROM data_key_check WHERE id = 1")
            .fetch_optional(&self.catalog)
            .await
            .map_err(PgError::from_query)?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .transpose()
            .map_err(PgError::from_query)
    }

    /// Counts tables and their secondary indexes.
    pub async fn summary(&self) -> Result<DeploymentSummary, PgError> {
        let row = sqlx::query(
            "SELECT count(*)::bigint, coalesce(sum( \
               coalesce(jsonb_array_length(CASE jsonb_typeof(definition->'global_secondary_indexes') \
                 WHEN 'array' THEN definition->'global_secondary_indexes' END), 0) + \
               coalesce(jsonb_array_length(CASE jsonb_typeof(definition->'local_secondary_indexes') \
                 WHEN 'array' THEN definition->'local_secondary_indexes' END), 0)), 0)::bigint \
             FROM tables",
        )
        .fetch_one(&self.catalog)
        .await
        .map_err(PgError::from_query)?;
        let tables: i64 = row.try_get(0).map_err(PgError::from_query)?;
        let indexes: i64 = row.try_get(1).map_err(PgError::from_query)?;
        Ok(DeploymentSummary {
            tables: u64::try_from(tables).unwrap_or(0),
            indexes: u64::try_from(indexes).unwrap_or(0),
        })
    }

    /// Whether the data database has its schema (the `items` table).
    pub async fn data_schema_present(&self) -> Result<bool, PgError> {
        sqlx::query_scalar("SELECT to_regclass('items') IS NOT NULL")
            .fetch_one(&self.data)
            .await
            .map_err(PgError::from_query)
    }
}
