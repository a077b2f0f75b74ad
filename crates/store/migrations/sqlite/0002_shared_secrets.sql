-- Secrets every node must share (e.g. the CAPTCHA signing key), created once by whichever node
-- starts first.
CREATE TABLE shared_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
