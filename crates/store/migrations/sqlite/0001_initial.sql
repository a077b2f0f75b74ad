-- Tessera schema, SQLite flavour. Times are unix seconds, booleans 0/1 (INTEGER = 64-bit).

-- Every username ever registered (lower-cased), so that a username is never reusable,
-- even after its account was deleted and its personal data erased.
CREATE TABLE reserved_usernames (
    username_lower TEXT PRIMARY KEY NOT NULL,
    account_id     TEXT NOT NULL,
    reserved_at    INTEGER NOT NULL,
    deleted_at     INTEGER
);

CREATE TABLE accounts (
    id                   TEXT PRIMARY KEY NOT NULL,
    username             TEXT NOT NULL,
    username_lower       TEXT NOT NULL UNIQUE REFERENCES reserved_usernames (username_lower),
    name                 TEXT NOT NULL,
    email                TEXT NOT NULL,
    email_verified       INTEGER NOT NULL DEFAULT 0,
    mobile               TEXT,
    mobile_verified      INTEGER NOT NULL DEFAULT 0,
    national_id          TEXT,
    birthday             TEXT,
    landline             TEXT,
    password_hash        TEXT NOT NULL,
    password_changed_at  INTEGER NOT NULL,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    last_failed_login_at INTEGER,
    disabled             INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL,
    last_login_at        INTEGER,
    inactivity_warned_at INTEGER,
    terms_version        TEXT NOT NULL,
    terms_accepted_at    INTEGER NOT NULL
);
CREATE INDEX accounts_last_activity ON accounts (COALESCE(last_login_at, created_at));

CREATE TABLE sessions (
    id_hash              TEXT PRIMARY KEY NOT NULL,
    account_id           TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    loa                  TEXT NOT NULL,
    created_at           INTEGER NOT NULL,
    last_seen_at         INTEGER NOT NULL,
    expires_at           INTEGER NOT NULL,
    csrf_token           TEXT NOT NULL,
    password_change_only INTEGER NOT NULL DEFAULT 0,
    ip                   TEXT,
    user_agent           TEXT
);
CREATE INDEX sessions_account ON sessions (account_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE tokens (
    hash       TEXT PRIMARY KEY NOT NULL,
    purpose    TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    data       TEXT,
    expires_at INTEGER NOT NULL
);
CREATE INDEX tokens_account ON tokens (account_id, purpose);
CREATE INDEX tokens_expires ON tokens (expires_at);

CREATE TABLE codes (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL,
    PRIMARY KEY (account_id, purpose)
);
CREATE INDEX codes_expires ON codes (expires_at);

CREATE TABLE captcha_used (
    challenge  TEXT PRIMARY KEY NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX captcha_used_expires ON captcha_used (expires_at);

-- Append-only, hash-chained audit log. `audit_head` (one row) holds the last sequence
-- number and hash; appends update it first, which serialises them across nodes.
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY NOT NULL,
    at         INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    account_id TEXT,
    username   TEXT,
    ip         TEXT,
    user_agent TEXT,
    outcome    TEXT NOT NULL,
    detail     TEXT,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_log_account ON audit_log (account_id, seq);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
