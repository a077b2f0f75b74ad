-- Certificate-only sessions (issue 5, 004 六): a verified certificate holder who skipped binding
-- holds a session without an account. Only the SHA-256 of the cookie value is stored.
CREATE TABLE cert_sessions (
    id_hash     TEXT PRIMARY KEY NOT NULL,
    national_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    issuer      TEXT NOT NULL,
    serial      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX cert_sessions_expires ON cert_sessions (expires_at);
