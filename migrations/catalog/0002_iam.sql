-- extenddb catalog: IAM entities (users, access keys, groups and memberships, roles, inline
-- policies, permissions boundaries, role sessions) and the IAM version. `accounts` and
-- `admins` (0001) are reused. User, group and role names are unique per account
-- case-insensitively: `name_key` is the lower-cased name, the name column keeps the spelling.
-- Unique ids (AIDA…, AGPA…, AROA…) are random and not constrained here, as on the embedded
-- store. Times are epoch seconds. Deleting a user, group, role or account cascades to everything
-- that hangs off it.

-- Grows with every IAM change, in the same transaction, so auth caches in every process can
-- tell that they are stale.
CREATE TABLE iam_version (
    id      int PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL
);
INSERT INTO iam_version (id, version) VALUES (1, 0);

CREATE TABLE iam_users (
    account_id           char(12) NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
    name_key             text COLLATE "C" NOT NULL,
    user_name            text NOT NULL,
    user_id              text NOT NULL,
    password_hash        text,
    tags                 jsonb NOT NULL DEFAULT '[]',
    permissions_boundary text,
    created              bigint NOT NULL,
    PRIMARY KEY (account_id, name_key)
);

-- Long-lived keys; the secret sealed with AES-256-GCM under the data key (nonce ‖ ciphertext).
CREATE TABLE iam_access_keys (
    access_key_id text PRIMARY KEY,
    account_id    char(12) NOT NULL,
    user_key      text COLLATE "C" NOT NULL,
    user_name     text NOT NULL,
    nonce         bytea NOT NULL,
    ciphertext    bytea NOT NULL,
    status        text NOT NULL CHECK (status IN ('Active', 'Inactive')),
    created       bigint NOT NULL,
    FOREIGN KEY (account_id, user_key) REFERENCES iam_users (account_id, name_key) ON DELETE CASCADE
);
CREATE INDEX iam_access_keys_by_user ON iam_access_keys (account_id, user_key);

CREATE TABLE iam_groups (
    account_id char(12) NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
    name_key   text COLLATE "C" NOT NULL,
    group_name text NOT NULL,
    group_id   text NOT NULL,
    created    bigint NOT NULL,
    PRIMARY KEY (account_id, name_key)
);

CREATE TABLE iam_group_members (
    account_id char(12) NOT NULL,
    group_key  text COLLATE "C" NOT NULL,
    user_key   text COLLATE "C" NOT NULL,
    PRIMARY KEY (account_id, group_key, user_key),
    FOREIGN KEY (account_id, group_key) REFERENCES iam_groups (account_id, name_key) ON DELETE CASCADE,
    FOREIGN KEY (account_id, user_key) REFERENCES iam_users (account_id, name_key) ON DELETE CASCADE
);
CREATE INDEX iam_group_members_by_user ON iam_group_members (account_id, user_key);

CREATE TABLE iam_roles (
    account_id           char(12) NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
    name_key             text COLLATE "C" NOT NULL,
    role_name            text NOT NULL,
    role_id              text NOT NULL,
    trust_policy         text NOT NULL,
    tags                 jsonb NOT NULL DEFAULT '[]',
    permissions_boundary text,
    created              bigint NOT NULL,
    PRIMARY KEY (account_id, name_key)
);

-- Inline policies, one table per owner kind so each cascades with its owner.
CREATE TABLE iam_user_policies (
    account_id  char(12) NOT NULL,
    owner_key   text COLLATE "C" NOT NULL,
    policy_name text COLLATE "C" NOT NULL,
    document    text NOT NULL,
    PRIMARY KEY (account_id, owner_key, policy_name),
    FOREIGN KEY (account_id, owner_key) REFERENCES iam_users (account_id, name_key) ON DELETE CASCADE
);
CREATE TABLE iam_group_policies (
    account_id  char(12) NOT NULL,
    owner_key   text COLLATE "C" NOT NULL,
    policy_name text COLLATE "C" NOT NULL,
    document    text NOT NULL,
    PRIMARY KEY (account_id, owner_key, policy_name),
    FOREIGN KEY (account_id, owner_key) REFERENCES iam_groups (account_id, name_key) ON DELETE CASCADE
);
CREATE TABLE iam_role_policies (
    account_id  char(12) NOT NULL,
    owner_key   text COLLATE "C" NOT NULL,
    policy_name text COLLATE "C" NOT NULL,
    document    text NOT NULL,
    PRIMARY KEY (account_id, owner_key, policy_name),
    FOREIGN KEY (account_id, owner_key) REFERENCES iam_roles (account_id, name_key) ON DELETE CASCADE
);

-- Temporary credentials from AssumeRole. Only the SHA-256 of the session token is kept.
CREATE TABLE iam_role_sessions (
    access_key_id  text PRIMARY KEY,
    account_id     char(12) NOT NULL,
    role_key       text COLLATE "C" NOT NULL,
    role_name      text NOT NULL,
    session_name   text NOT NULL,
    nonce          bytea NOT NULL,
    ciphertext     bytea NOT NULL,
    token_sha256   bytea NOT NULL,
    expires        bigint NOT NULL,
    session_tags   jsonb NOT NULL DEFAULT '[]',
    session_policy text,
    source_arn     text NOT NULL,
    created        bigint NOT NULL,
    FOREIGN KEY (account_id, role_key) REFERENCES iam_roles (account_id, name_key) ON DELETE CASCADE
);
CREATE INDEX iam_role_sessions_by_expiry ON iam_role_sessions (expires);
