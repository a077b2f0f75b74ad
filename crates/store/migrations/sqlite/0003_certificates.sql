-- Certificate sign-in (issue 5): challenges shared by every node, certificates bound to
-- accounts (history kept: unbinding sets unbound_at), and "not mine" reports from the
-- binding screen. Times are unix seconds.

-- Issued challenges, consumed at most once (DELETE … RETURNING). `session_binding` is a
-- digest of the browser's CSRF cookie; `bytes_hex` the 32 bytes to be signed.
CREATE TABLE cert_challenges (
    id              TEXT PRIMARY KEY NOT NULL,
    bytes_hex       TEXT NOT NULL,
    purpose         TEXT NOT NULL,
    session_binding TEXT NOT NULL,
    expires_at      INTEGER NOT NULL
);
CREATE INDEX cert_challenges_expires ON cert_challenges (expires_at);

CREATE TABLE certificates (
    id             TEXT PRIMARY KEY NOT NULL,
    account_id     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    issuer         TEXT NOT NULL,
    serial         TEXT NOT NULL,
    kind           TEXT NOT NULL,
    subject        TEXT NOT NULL,
    not_before     INTEGER NOT NULL,
    not_after      INTEGER NOT NULL,
    bound_at       INTEGER NOT NULL,
    unbound_at     INTEGER,
    unbound_reason TEXT
);
-- A certificate is bound to at most one account at a time.
CREATE UNIQUE INDEX certificates_live ON certificates (issuer, serial) WHERE unbound_at IS NULL;
CREATE INDEX certificates_account ON certificates (account_id, bound_at);

CREATE TABLE cert_reports (
    id              TEXT PRIMARY KEY NOT NULL,
    account_id      TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    reporter_issuer TEXT NOT NULL,
    reporter_serial TEXT NOT NULL,
    reporter_name   TEXT NOT NULL,
    reported_at     INTEGER NOT NULL,
    reviewed_at     INTEGER
);
CREATE INDEX cert_reports_account ON cert_reports (account_id);
