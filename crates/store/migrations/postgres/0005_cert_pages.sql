-- Issue 5, the pages: limits on how often something may be done, shared by every node (fixed
-- windows: one row per key), and the verified card a browser holds between the steps of a
-- certificate sign-in (national ID → the accounts of that ID → password), so the holder types
-- the PIN once. Only the SHA-256 of the pending cookie is stored. Times are unix seconds.
CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY NOT NULL,
    window_start BIGINT NOT NULL,
    hits         BIGINT NOT NULL
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);

CREATE TABLE cert_pending (
    id_hash     TEXT PRIMARY KEY NOT NULL,
    -- The verified identity (tessera_pki::Identity as JSON) and the certificate's validity.
    identity    TEXT NOT NULL,
    not_before  BIGINT NOT NULL,
    not_after   BIGINT NOT NULL,
    -- The typed national ID once it matched the certificate.
    national_id TEXT,
    -- Usernames the holder removed from the list as "not mine" (space-separated).
    removed     TEXT NOT NULL DEFAULT '',
    expires_at  BIGINT NOT NULL
);
CREATE INDEX cert_pending_expires ON cert_pending (expires_at);
