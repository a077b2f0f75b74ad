-- OpenID Connect provider (issue 7, part A), PostgreSQL flavour. Everything nodes share: clients, signing keys,
-- pending authorization requests, grants with their codes and refresh tokens, consents and
-- used client-assertion ids. Secrets are stored as SHA-256 digests; times are unix seconds.

CREATE TABLE oidc_clients (
    id                        TEXT PRIMARY KEY NOT NULL,
    name                      TEXT NOT NULL,
    -- SHA-256 (hex) of the 256-bit secret; NULL for public and private_key_jwt clients.
    secret_hash               TEXT,
    -- client_secret_basic | client_secret_post | private_key_jwt | none (public)
    auth_method               TEXT NOT NULL,
    redirect_uris             TEXT NOT NULL,  -- JSON array, matched exactly
    post_logout_redirect_uris TEXT NOT NULL,  -- JSON array, matched exactly
    consent_required          BIGINT NOT NULL,
    allow_national_id         BIGINT NOT NULL,
    id_token_alg              TEXT NOT NULL,  -- ES256 | RS256
    jwks                      TEXT,           -- the client's public keys (private_key_jwt)
    sector                    TEXT,           -- pairwise sector; NULL = the client itself
    created_at                BIGINT NOT NULL
);

-- Signing keys. The newest unretired key of an algorithm signs; retired keys stay published
-- until publish_until (after the last token they signed has expired).
CREATE TABLE oidc_keys (
    kid           TEXT PRIMARY KEY NOT NULL,
    alg           TEXT NOT NULL,
    private_pem   TEXT NOT NULL,
    public_jwk    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    retired_at    BIGINT,
    publish_until BIGINT
);
CREATE INDEX oidc_keys_alg ON oidc_keys (alg, created_at);

-- An authorization request waiting for sign-in, step-up or consent.
CREATE TABLE oidc_auth_requests (
    id          TEXT PRIMARY KEY NOT NULL,
    client_id   TEXT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    params      TEXT NOT NULL,  -- JSON of the validated request
    login_after BIGINT,        -- prompt=login: a sign-in at or after this time is needed
    expires_at  BIGINT NOT NULL
);
CREATE INDEX oidc_auth_requests_expires ON oidc_auth_requests (expires_at);

-- One authorization: what a code issued and every refresh token rotated from it (a family).
CREATE TABLE oidc_grants (
    id             TEXT PRIMARY KEY NOT NULL,
    client_id      TEXT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    account_id     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scope          TEXT NOT NULL,
    acr            TEXT NOT NULL,
    auth_time      BIGINT NOT NULL,
    organization   TEXT,           -- JSON of the acting organization, if any
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    revoked_at     BIGINT,
    revoked_reason TEXT
);
CREATE INDEX oidc_grants_account ON oidc_grants (account_id, client_id);
CREATE INDEX oidc_grants_expires ON oidc_grants (expires_at);

CREATE TABLE oidc_codes (
    hash           TEXT PRIMARY KEY NOT NULL,
    grant_id       TEXT NOT NULL REFERENCES oidc_grants (id) ON DELETE CASCADE,
    redirect_uri   TEXT NOT NULL,
    code_challenge TEXT,
    nonce          TEXT,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT
);
CREATE INDEX oidc_codes_expires ON oidc_codes (expires_at);

CREATE TABLE oidc_refresh_tokens (
    hash       TEXT PRIMARY KEY NOT NULL,
    grant_id   TEXT NOT NULL REFERENCES oidc_grants (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX oidc_refresh_grant ON oidc_refresh_tokens (grant_id);
CREATE INDEX oidc_refresh_expires ON oidc_refresh_tokens (expires_at);

CREATE TABLE oidc_consents (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    scope      TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, client_id)
);

-- jti of private_key_jwt assertions seen, until the assertion expires (replay protection).
CREATE TABLE oidc_assertions (
    client_id  TEXT NOT NULL,
    jti        TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (client_id, jti)
);
CREATE INDEX oidc_assertions_expires ON oidc_assertions (expires_at);
