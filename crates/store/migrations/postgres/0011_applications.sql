-- Online applications (cases): the case row with its routing and clocks, its versions of
-- entered values, its history of moves, its reference-number sequences, the booking rows the
-- overlap rule reads, its attachments; and the jurisdictions (counties) of staff and
-- organizations. The application rules live in the use-case crate; these tables only hold
-- what it decided. Times are unix seconds, dates ISO text (`2026-01-31`), booleans 0/1.
--
-- Account ids on cases, versions, events and attachments are kept as text without a foreign
-- key: a case is a record of the administration and outlives the account that filed it.

CREATE TABLE cases (
    id                  TEXT PRIMARY KEY NOT NULL,
    -- The reference number (`報備-115-000001`), assigned when the case is first sent.
    number              TEXT UNIQUE,
    type_id             TEXT NOT NULL,
    status              TEXT NOT NULL,
    filer_account_id    TEXT NOT NULL,
    -- `member`, `handler`, `organization` or `staff`.
    filer_kind          TEXT NOT NULL,
    -- The organization filed for (handlers, organization accounts).
    org_code            TEXT,
    -- The person the case is about, when it is about one.
    subject_national_id TEXT,
    subject_name        TEXT,
    -- The reviewing jurisdiction.
    county              TEXT,
    -- Further counties that may read the case, as `,臺北市,臺中市,` (commas around every
    -- name, so that one LIKE finds a county on both backends); '' for none.
    reader_counties     TEXT NOT NULL DEFAULT '',
    -- The institution the case concerns (a filter of the review queue).
    institution         TEXT,
    -- The version being edited or reviewed, and the one in force (approved), if any.
    current_version     BIGINT NOT NULL,
    in_force_version    BIGINT,
    -- When the case is due for the system's next step (e.g. an automatic approval).
    deadline_at         BIGINT,
    effective_from      TEXT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    submitted_at        BIGINT,
    decided_at          BIGINT,
    -- Bumped by every write: a write names the row_version it read (optimistic concurrency).
    row_version         BIGINT NOT NULL
);
-- The review queue: counting by jurisdiction and status, and paging newest first.
CREATE INDEX cases_queue ON cases (type_id, county, status, submitted_at);
CREATE INDEX cases_queue_order ON cases (type_id, submitted_at, id);
CREATE INDEX cases_filer ON cases (filer_account_id, updated_at);
CREATE INDEX cases_org ON cases (org_code, updated_at);
CREATE INDEX cases_subject ON cases (subject_national_id);
CREATE INDEX cases_due ON cases (deadline_at);

-- The entered values, one row per version (JSON, the use-case crate's format).
CREATE TABLE case_versions (
    case_id     TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    version     BIGINT NOT NULL,
    values_json TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    PRIMARY KEY (case_id, version)
);

-- Every move of a case, numbered 1, 2, 3 … per case.
CREATE TABLE case_events (
    id               TEXT PRIMARY KEY NOT NULL,
    case_id          TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    seq              BIGINT NOT NULL,
    at               BIGINT NOT NULL,
    actor_account_id TEXT,
    -- `filer`, `reviewer` or `system`.
    actor_role       TEXT NOT NULL,
    -- Done by staff on the filer's behalf.
    on_behalf        BIGINT NOT NULL DEFAULT 0,
    action           TEXT NOT NULL,
    from_status      TEXT NOT NULL,
    to_status        TEXT NOT NULL,
    comment          TEXT,
    deadline_at      BIGINT,
    effective_from   TEXT,
    UNIQUE (case_id, seq)
);

-- The last reference number handed out per prefix and ROC year; incremented inside the
-- transaction that sends the case, so numbers have no gaps.
CREATE TABLE case_sequences (
    prefix   TEXT NOT NULL,
    roc_year BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (prefix, roc_year)
);

-- What a case books for a person (periods and time slots), replaced by the moves that change
-- it; read by the rule refusing overlapping bookings.
CREATE TABLE case_bookings (
    case_id     TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    position    BIGINT NOT NULL,
    type_id     TEXT NOT NULL,
    national_id TEXT NOT NULL,
    start_date  TEXT NOT NULL,
    end_date    TEXT NOT NULL,
    -- Space-separated slot tokens.
    schedule    TEXT NOT NULL,
    PRIMARY KEY (case_id, position)
);
CREATE INDEX case_bookings_person ON case_bookings (type_id, national_id);

-- Uploaded files, each added to one version. The content is stored here by default; with an
-- object store, `object_key` names it there and `content` is NULL.
CREATE TABLE case_attachments (
    id         TEXT PRIMARY KEY NOT NULL,
    case_id    TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    version    BIGINT NOT NULL,
    name       TEXT NOT NULL,
    mime       TEXT NOT NULL,
    size       BIGINT NOT NULL,
    -- Lowercase hex.
    sha256     TEXT NOT NULL,
    content    BYTEA,
    object_key TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments (case_id, version);

-- The counties a staff member reviews.
CREATE TABLE staff_counties (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    county     TEXT NOT NULL,
    PRIMARY KEY (account_id, county)
);

-- The county of an organization (a side table: the registry's rows stay as imported).
CREATE TABLE org_counties (
    agency_code TEXT PRIMARY KEY NOT NULL REFERENCES organizations (agency_code) ON DELETE CASCADE,
    county      TEXT NOT NULL
);

-- Organizations looked up by their institution code (醫事機構代碼 and the like).
CREATE INDEX organizations_institution ON organizations (institution_code);
