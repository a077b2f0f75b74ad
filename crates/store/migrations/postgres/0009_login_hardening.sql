-- Failed sign-ins under usernames that have no account (of the kind asked for), counted exactly
-- like an account's `failed_logins` / `disabled`, so that the answers — the CAPTCHA demand after
-- the third failure, the lock after the fifth — are the same for known and unknown names.
-- Rows untouched for 180 days are purged.
CREATE TABLE login_phantoms (
    username_key  TEXT PRIMARY KEY NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    disabled      BIGINT NOT NULL DEFAULT 0,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX login_phantoms_updated ON login_phantoms (updated_at);

-- How many SMS-code tries are left for (account, purpose) across resends: a fresh code no
-- longer brings fresh tries while the budget's window lasts.
ALTER TABLE codes ADD COLUMN budget_until BIGINT NOT NULL DEFAULT 0;
