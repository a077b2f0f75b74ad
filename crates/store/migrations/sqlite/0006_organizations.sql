-- Organizations (issue 6, seed 003 chapter 3 and seed 000 機關端). Times are unix seconds.

-- Accounts have a kind: `member` (people), `organization` (the organization's own password
-- account, username = agency code) or `staff` (back office). Member sign-in, reset and the
-- inactive-account job only ever see the kinds meant for them.
ALTER TABLE accounts ADD COLUMN kind TEXT NOT NULL DEFAULT 'member';

-- The registry operators load (`tessera admin orgs import`) and edit (back office), with the
-- registration state: `registered_at` set by the first registration, `account_id` its account.
CREATE TABLE organizations (
    agency_code      TEXT PRIMARY KEY NOT NULL,
    name             TEXT NOT NULL,
    organization_oid TEXT,
    business_id      TEXT,
    institution_code TEXT,
    kind             TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    registered_at    INTEGER,
    account_id       TEXT REFERENCES accounts (id) ON DELETE SET NULL
);
CREATE INDEX organizations_name ON organizations (name);

-- Organization and manager certificates, with history (replacement sets unbound_at).
CREATE TABLE org_certificates (
    id             TEXT PRIMARY KEY NOT NULL,
    agency_code    TEXT NOT NULL REFERENCES organizations (agency_code) ON DELETE CASCADE,
    role           TEXT NOT NULL,
    issuer         TEXT NOT NULL,
    serial         TEXT NOT NULL,
    kind           TEXT NOT NULL,
    subject        TEXT NOT NULL,
    holder_name    TEXT NOT NULL,
    card_number    TEXT,
    national_id    TEXT,
    not_before     INTEGER NOT NULL,
    not_after      INTEGER NOT NULL,
    bound_at       INTEGER NOT NULL,
    unbound_at     INTEGER,
    unbound_reason TEXT
);
-- One live certificate per role (exactly one manager), and an organization card registered for
-- one agency code at a time.
CREATE UNIQUE INDEX org_certificates_live ON org_certificates (agency_code, role) WHERE unbound_at IS NULL;
CREATE UNIQUE INDEX org_certificates_org_card ON org_certificates (issuer, serial)
    WHERE unbound_at IS NULL AND role = 'organization';
CREATE INDEX org_certificates_history ON org_certificates (agency_code, bound_at);

-- The authorization manager's contact details (one row: exactly one manager).
CREATE TABLE org_managers (
    agency_code TEXT PRIMARY KEY NOT NULL REFERENCES organizations (agency_code) ON DELETE CASCADE,
    national_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    phone       TEXT NOT NULL,
    extension   TEXT,
    notes       TEXT,
    updated_at  INTEGER NOT NULL
);

-- Receipt records (收件紀錄) of registrations and replacements.
CREATE TABLE org_receipts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_code TEXT NOT NULL REFERENCES organizations (agency_code) ON DELETE CASCADE,
    org_name    TEXT NOT NULL,
    item        TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    detail      TEXT
);
CREATE INDEX org_receipts_code ON org_receipts (agency_code, received_at);

-- Multi-step flows (registration, replacement, assignment) kept server-side for every node,
-- bound to the browser (digest of its CSRF cookie), expiring. Only the id's SHA-256 is stored.
CREATE TABLE org_flows (
    id_hash     TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL,
    step        TEXT NOT NULL,
    browser     TEXT NOT NULL,
    agency_code TEXT,
    data        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX org_flows_expires ON org_flows (expires_at);

-- Review cases of organization cards that did not match the registry.
CREATE TABLE org_reviews (
    id                    TEXT PRIMARY KEY NOT NULL,
    agency_code           TEXT NOT NULL REFERENCES organizations (agency_code) ON DELETE CASCADE,
    card_kind             TEXT NOT NULL,
    issuer                TEXT NOT NULL,
    serial                TEXT NOT NULL,
    subject               TEXT NOT NULL,
    card_name             TEXT NOT NULL,
    card_oid              TEXT,
    card_business_id      TEXT,
    card_institution_code TEXT,
    applicant_name        TEXT NOT NULL,
    applicant_phone       TEXT NOT NULL,
    applicant_email       TEXT NOT NULL,
    lang                  TEXT NOT NULL,
    status                TEXT NOT NULL,
    reason                TEXT,
    created_at            INTEGER NOT NULL,
    decided_at            INTEGER,
    decided_by            TEXT,
    effective_at          INTEGER
);
CREATE INDEX org_reviews_status ON org_reviews (status, created_at);
CREATE INDEX org_reviews_card ON org_reviews (agency_code, issuer, serial, created_at);

-- Handlers (經辦人) and their function permissions (space-separated ids of the tree).
CREATE TABLE org_handlers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_code TEXT NOT NULL REFERENCES organizations (agency_code) ON DELETE CASCADE,
    national_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    cert_serial TEXT NOT NULL,
    permissions TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX org_handlers_person ON org_handlers (agency_code, national_id);
-- The list (page N in id order) and the sign-in lookup.
CREATE INDEX org_handlers_list ON org_handlers (agency_code, id);
CREATE INDEX org_handlers_national_id ON org_handlers (national_id);

-- Handler sessions (acting organization chosen after sign-in) and the short assignment
-- sessions opened with both certificates. Only the cookie value's SHA-256 is stored.
CREATE TABLE org_sessions (
    id_hash      TEXT PRIMARY KEY NOT NULL,
    kind         TEXT NOT NULL,
    national_id  TEXT NOT NULL,
    name         TEXT NOT NULL,
    issuer       TEXT NOT NULL,
    serial       TEXT NOT NULL,
    agency_code  TEXT,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX org_sessions_expires ON org_sessions (expires_at);
CREATE INDEX org_sessions_code ON org_sessions (agency_code, kind);

-- Back-office staff: roles of `staff` accounts, and their own sessions.
CREATE TABLE staff_roles (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    PRIMARY KEY (account_id, role)
);

CREATE TABLE staff_sessions (
    id_hash      TEXT PRIMARY KEY NOT NULL,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX staff_sessions_account ON staff_sessions (account_id);
CREATE INDEX staff_sessions_expires ON staff_sessions (expires_at);
