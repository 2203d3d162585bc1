-- extenddb catalog database, schema version 0.0.2: table definitions, storage ids, runtime
-- settings, accounts, admin users and the data-key check.

-- Facts about the catalog itself; `catalog_version` is what `verify` and `version` print.
CREATE TABLE catalog_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO catalog_meta (key, value) VALUES ('catalog_version', '0.0.2');

-- Storage ids: one per table incarnation, never reused.
CREATE SEQUENCE storage_ids START WITH 1;

-- Table definitions (extenddb_core::model::table::TableDefinition as JSON). Names sort in
-- byte order ("C" collation), as ListTables returns them.
CREATE TABLE tables (
    account_id text NOT NULL,
    name       text COLLATE "C" NOT NULL,
    definition jsonb NOT NULL,
    PRIMARY KEY (account_id, name)
);

-- Runtime settings (`extenddb settings set …`).
CREATE TABLE settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);

-- Accounts: 12-digit ids.
CREATE TABLE accounts (
    account_id char(12) PRIMARY KEY CHECK (account_id ~ '^[0-9]{12}$'),
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Administrators of the management API; passwords as argon2 PHC strings.
CREATE TABLE admins (
    name          text PRIMARY KEY,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- The AES-256-GCM data key lives outside the database (a key file); this row holds a known
-- plaintext encrypted under it, so a wrong or replaced key file is detected at startup.
CREATE TABLE data_key_check (
    id         int PRIMARY KEY CHECK (id = 1),
    nonce      bytea NOT NULL,
    ciphertext bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
