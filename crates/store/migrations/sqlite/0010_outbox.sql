-- Outgoing email, durable. A request that sends mail commits the message here, in the same
-- transaction as the rows it concerns when it has any (a registration's account, audit entry
-- and verification token); a node then sends it at once and deletes the row. Every node's
-- background job sends what is due: rows a stopped node left behind, and failed sends, whose
-- next try moves back exponentially. Times are unix seconds.
CREATE TABLE mail_outbox (
    id              TEXT PRIMARY KEY NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    -- Sends begun (claims), whatever became of them.
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- Due from then on. A claim moves it past the send's lease, so that exactly one node
    -- sends; a failure moves it by the backoff.
    next_attempt_at INTEGER NOT NULL,
    -- Why the last send failed (the delivery error, never the message).
    last_error      TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at);
