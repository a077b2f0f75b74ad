-- Upstream identity brokering (issue 7 part B, 004 二 Q6–Q7): external identities (an upstream
-- OpenID provider's issuer + subject) linked to accounts, the state of sign-ins in flight at
-- an upstream, and verified-but-unlinked identities waiting to be bound or to register.
-- Times are unix seconds.

CREATE TABLE external_identities (
    id           TEXT PRIMARY KEY NOT NULL,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The configured provider's id when linked (e.g. `google`), for display.
    provider     TEXT NOT NULL,
    issuer       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    -- The email the upstream reported at the last sign-in, if any.
    email        TEXT,
    linked_at    BIGINT NOT NULL,
    last_used_at BIGINT
);
-- An external identity is linked to at most one account, and an account has at most one
-- identity per issuer.
CREATE UNIQUE INDEX external_identities_subject ON external_identities (issuer, subject);
CREATE UNIQUE INDEX external_identities_account ON external_identities (account_id, issuer);

-- Sign-ins in flight: taken at most once (DELETE … RETURNING) at the callback. `state_hash` is
-- the SHA-256 of the `state` sent to the upstream, `browser_hash` a digest of the browser's
-- flow cookie; `account_id` is set when a signed-in member links an identity.
CREATE TABLE upstream_states (
    state_hash    TEXT PRIMARY KEY NOT NULL,
    provider      TEXT NOT NULL,
    browser_hash  TEXT NOT NULL,
    nonce         TEXT NOT NULL,
    code_verifier TEXT NOT NULL,
    purpose       TEXT NOT NULL,
    account_id    TEXT,
    next_path     TEXT,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX upstream_states_expires ON upstream_states (expires_at);

-- A verified external identity with no account yet, found by the SHA-256 of its cookie value.
CREATE TABLE upstream_pending (
    id_hash        TEXT PRIMARY KEY NOT NULL,
    provider       TEXT NOT NULL,
    issuer         TEXT NOT NULL,
    subject        TEXT NOT NULL,
    email          TEXT,
    email_verified BIGINT NOT NULL DEFAULT 0,
    name           TEXT,
    next_path      TEXT,
    expires_at     BIGINT NOT NULL
);
CREATE INDEX upstream_pending_expires ON upstream_pending (expires_at);
