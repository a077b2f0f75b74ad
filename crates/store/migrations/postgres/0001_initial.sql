-- Tessera schema, PostgreSQL flavour. Times are unix seconds, booleans 0/1, all integers BIGINT.

-- Every username ever registered (lower-cased), so that a username is never reusable,
-- even after its account was deleted and its personal data erased.
CREATE TABLE reserved_usernames (
    username_lower TEXT PRIMARY KEY NOT NULL,
    account_id     TEXT NOT NULL,
    reserved_at    BIGINT NOT NULL,
    deleted_at     BIGINT
);

CREATE TABLE accounts (
    id                   TEXT PRIMARY KEY NOT NULL,
    username             TEXT NOT NULL,
    username_lower       TEXT NOT NULL UNIQUE REFERENCES reserved_usernames (username_lower),
    name                 TEXT NOT NULL,
    email                TEXT NOT NULL,
    email_verified       BIGINT NOT NULL DEFAULT 0,
    mobile               TEXT,
    mobile_verified      BIGINT NOT NULL DEFAULT 0,
    national_id          TEXT,
    birthday             TEXT,
    landline             TEXT,
    password_hash        TEXT NOT NULL,
    password_changed_at  BIGINT NOT NULL,
    failed_logins        BIGINT NOT NULL DEFAULT 0,
    last_failed_login_at BIGINT,
    disabled             BIGINT NOT NULL DEFAULT 0,
    created_at           BIGINT NOT NULL,
    last_login_at        BIGINT,
    inactivity_warned_at BIGINT,
    terms_version        TEXT NOT NULL,
    terms_accepted_at    BIGINT NOT NULL
);
CREATE INDEX accounts_last_activity ON accounts (COALESCE(last_login_at, created_at));

CREATE TABLE sessions (
    id_hash              TEXT PRIMARY KEY NOT NULL,
    account_id           TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    loa                  TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    last_seen_at         BIGINT NOT NULL,
    expires_at           BIGINT NOT NULL,
    csrf_token           TEXT NOT NULL,
    password_change_only BIGINT NOT NULL DEFAULT 0,
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
    expires_at BIGINT NOT NULL
);
CREATE INDEX tokens_account ON tokens (account_id, purpose);
CREATE INDEX tokens_expires ON tokens (expires_at);

CREATE TABLE codes (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts   BIGINT NOT NULL,
    PRIMARY KEY (account_id, purpose)
);
CREATE INDEX codes_expires ON codes (expires_at);

CREATE TABLE captcha_used (
    challenge  TEXT PRIMARY KEY NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX captcha_used_expires ON captcha_used (expires_at);

-- Append-only, hash-chained audit log. `audit_head` (one row) holds the last sequence
-- number and hash; appends update it first, which serialises them across nodes.
CREATE TABLE audit_log (
    seq        BIGINT PRIMARY KEY NOT NULL,
    at         BIGINT NOT NULL,
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
    id   BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
