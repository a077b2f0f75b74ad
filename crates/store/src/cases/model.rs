//! The case types as stored and as written, with their row decoders and the encoding of the
//! reader counties.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::rows::flag;
use crate::{NewAuditEvent, NewMail};

/// An online application (case) as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    /// UUID, text (chosen by the caller).
    pub id: String,
    /// The reference number (`報備-115-000001`), assigned when the case is first sent.
    pub number: Option<String>,
    /// The application type.
    pub type_id: String,
    /// The status, as the use-case crate names it.
    pub status: String,
    /// The account that filed the case.
    pub filer_account_id: String,
    /// `member`, `handler`, `organization` or `staff`.
    pub filer_kind: String,
    /// The organization filed for.
    pub org_code: Option<String>,
    /// The person the case is about.
    pub subject_national_id: Option<String>,
    /// That person's name.
    pub subject_name: Option<String>,
    /// The reviewing jurisdiction.
    pub county: Option<String>,
    /// Further counties that may read the case.
    pub reader_counties: Vec<String>,
    /// The institution the case concerns.
    pub institution: Option<String>,
    /// The version being edited or reviewed.
    pub current_version: i64,
    /// The version in force (approved), if any.
    pub in_force_version: Option<i64>,
    /// When the system's next step is due.
    pub deadline_at: Option<i64>,
    /// ISO date from which the case takes effect.
    pub effective_from: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// When the case was first sent.
    pub submitted_at: Option<i64>,
    /// When the case was last decided.
    pub decided_at: Option<i64>,
    /// Bumped by every write; writes name the value they read.
    pub row_version: i64,
}

/// What [`Store::create_case`](crate::Store::create_case) stores: the case, in `status`,
/// with its first version of values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub id: String,
    pub type_id: String,
    pub status: String,
    pub filer_account_id: String,
    pub filer_kind: String,
    pub org_code: Option<String>,
    pub subject_national_id: Option<String>,
    pub subject_name: Option<String>,
    /// The values of version 1 (JSON).
    pub values_json: String,
    pub now: i64,
}

/// One version of a case's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseVersion {
    pub case_id: String,
    pub version: i64,
    /// JSON.
    pub values_json: String,
    pub created_at: i64,
    /// The account that started the version.
    pub created_by: String,
}

/// The history entry a move writes. Its `from_status` is the status the case had inside the
/// move's transaction, its `to_status` the move's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewCaseEvent {
    pub actor_account_id: Option<String>,
    /// `filer`, `reviewer` or `system`.
    pub actor_role: String,
    /// Done by staff on the filer's behalf.
    pub on_behalf: bool,
    pub action: String,
    pub comment: Option<String>,
    /// The deadline the move set, for the history.
    pub deadline_at: Option<i64>,
    /// The effective date the move set, for the history.
    pub effective_from: Option<String>,
}

/// A recorded move of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEvent {
    /// 1, 2, 3 … per case.
    pub seq: i64,
    pub at: i64,
    pub actor_account_id: Option<String>,
    pub actor_role: String,
    pub on_behalf: bool,
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub comment: Option<String>,
    pub deadline_at: Option<i64>,
    pub effective_from: Option<String>,
}

/// Where a case goes: its jurisdiction, readers and queue filter, and its subject.
/// Replaces all five fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseRouting {
    pub county: Option<String>,
    /// County names never contain commas (they are stored comma-separated).
    pub reader_counties: Vec<String>,
    pub institution: Option<String>,
    pub subject_national_id: Option<String>,
    pub subject_name: Option<String>,
}

/// What a move does to the case's versions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum VersionChange {
    /// Nothing.
    #[default]
    Keep,
    /// The current version comes into force (`in_force_version = current_version`).
    AdoptCurrent,
    /// The versions after the one in force are deleted, with the attachments added to them,
    /// and the version in force becomes current again. [`StoreError::NotFound`] when no
    /// version is in force.
    ///
    /// [`StoreError::NotFound`]: crate::StoreError::NotFound
    Discard,
}

/// A booking row the overlap rule reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewBooking {
    pub national_id: String,
    /// ISO date.
    pub start_date: String,
    /// ISO date.
    pub end_date: String,
    /// Space-separated slot tokens.
    pub schedule: String,
}

/// A booking of a case, with the case's number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub case_id: String,
    pub case_number: Option<String>,
    pub start_date: String,
    pub end_date: String,
    pub schedule: String,
}

/// One move of a case, applied by [`Store::move_case`](crate::Store::move_case) in one
/// transaction. Every `Option` left `None` leaves its field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseMove {
    pub case_id: String,
    /// The row_version the caller read; the move is refused when the case has changed since.
    pub expected_row_version: i64,
    pub to_status: String,
    pub now: i64,
    pub event: NewCaseEvent,
    /// `(prefix, roc_year)`: gives the case the next number of that prefix and year, unless
    /// it already has one (then it keeps it).
    pub assign_number: Option<(String, i64)>,
    pub routing: Option<CaseRouting>,
    pub version: VersionChange,
    /// `Some(x)` sets the deadline to `x` (`Some(None)` clears it).
    pub deadline_at: Option<Option<i64>>,
    /// `Some(date)` sets the effective date.
    pub effective_from: Option<String>,
    /// Sets `submitted_at` to `now` unless it is set already.
    pub submitted: bool,
    /// Sets `decided_at` to `now`.
    pub decided: bool,
    /// `Some(rows)` replaces the case's bookings with `rows`.
    pub bookings: Option<Vec<NewBooking>>,
    /// Audit events committed with the move.
    pub audit: Vec<NewAuditEvent>,
    /// Mail queued with the move.
    pub mail: Vec<NewMail>,
}

/// What the review queue shows: cases of one type that were sent, in the reviewer's
/// jurisdiction, newest sent first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub type_id: String,
    /// The reviewer's counties; empty shows nothing.
    pub counties: Vec<String>,
    /// Also cases one of `counties` may read (their reader counties).
    pub include_readable: bool,
    /// Empty: any status.
    pub statuses: Vec<String>,
    /// Sent at or after this time.
    pub submitted_from: Option<i64>,
    /// Sent before this time (exclusive).
    pub submitted_to: Option<i64>,
    pub institution: Option<String>,
    /// Keyset paging: `(submitted_at, id)` of the last row shown; the page continues after it.
    pub before: Option<(i64, String)>,
    pub limit: i64,
}

/// An attachment to add.
#[derive(Clone, PartialEq, Eq)]
pub struct NewAttachment {
    pub id: String,
    pub case_id: String,
    /// The case version it is added to.
    pub version: i64,
    /// File name as uploaded.
    pub name: String,
    pub mime: String,
    /// Bytes.
    pub size: i64,
    /// Lowercase hex.
    pub sha256: String,
    /// The bytes, when stored in the database.
    pub content: Option<Vec<u8>>,
    /// The key on the object store, when stored there.
    pub object_key: Option<String>,
    pub created_by: String,
    pub now: i64,
}

/// An attachment as stored. Listings leave `content` out (`None`).
#[derive(Clone, PartialEq, Eq)]
pub struct AttachmentRow {
    pub id: String,
    pub case_id: String,
    pub version: i64,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
    pub content: Option<Vec<u8>>,
    pub object_key: Option<String>,
    pub created_at: i64,
}

/// `<n bytes>` instead of the bytes, in `Debug`.
struct Bytes<'a>(&'a Option<Vec<u8>>);

impl std::fmt::Debug for Bytes<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(b) => write!(f, "Some(<{} bytes>)", b.len()),
            None => f.write_str("None"),
        }
    }
}

impl std::fmt::Debug for NewAttachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAttachment")
            .field("id", &self.id)
            .field("case_id", &self.case_id)
            .field("version", &self.version)
            .field("name", &self.name)
            .field("mime", &self.mime)
            .field("size", &self.size)
            .field("sha256", &self.sha256)
            .field("content", &Bytes(&self.content))
            .field("object_key", &self.object_key)
            .field("created_by", &self.created_by)
            .field("now", &self.now)
            .finish()
    }
}

impl std::fmt::Debug for AttachmentRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttachmentRow")
            .field("id", &self.id)
            .field("case_id", &self.case_id)
            .field("version", &self.version)
            .field("name", &self.name)
            .field("mime", &self.mime)
            .field("size", &self.size)
            .field("sha256", &self.sha256)
            .field("content", &Bytes(&self.content))
            .field("object_key", &self.object_key)
            .field("created_at", &self.created_at)
            .finish()
    }
}

pub(crate) const CASE_COLUMNS: &str = "id, number, type_id, status, filer_account_id, \
     filer_kind, org_code, subject_national_id, subject_name, county, reader_counties, \
     institution, current_version, in_force_version, deadline_at, effective_from, created_at, \
     updated_at, submitted_at, decided_at, row_version";

pub(crate) fn case_from_row(row: &AnyRow) -> sqlx::Result<CaseRecord> {
    let readers: String = row.try_get("reader_counties")?;
    Ok(CaseRecord {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        type_id: row.try_get("type_id")?,
        status: row.try_get("status")?,
        filer_account_id: row.try_get("filer_account_id")?,
        filer_kind: row.try_get("filer_kind")?,
        org_code: row.try_get("org_code")?,
        subject_national_id: row.try_get("subject_national_id")?,
        subject_name: row.try_get("subject_name")?,
        county: row.try_get("county")?,
        reader_counties: decode_counties(&readers),
        institution: row.try_get("institution")?,
        current_version: row.try_get("current_version")?,
        in_force_version: row.try_get("in_force_version")?,
        deadline_at: row.try_get("deadline_at")?,
        effective_from: row.try_get("effective_from")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        submitted_at: row.try_get("submitted_at")?,
        decided_at: row.try_get("decided_at")?,
        row_version: row.try_get("row_version")?,
    })
}

pub(crate) fn cases_from_rows(rows: &[AnyRow]) -> sqlx::Result<Vec<CaseRecord>> {
    rows.iter().map(case_from_row).collect()
}

pub(crate) fn event_from_row(row: &AnyRow) -> sqlx::Result<CaseEvent> {
    Ok(CaseEvent {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        actor_account_id: row.try_get("actor_account_id")?,
        actor_role: row.try_get("actor_role")?,
        on_behalf: flag(row, "on_behalf")?,
        action: row.try_get("action")?,
        from_status: row.try_get("from_status")?,
        to_status: row.try_get("to_status")?,
        comment: row.try_get("comment")?,
        deadline_at: row.try_get("deadline_at")?,
        effective_from: row.try_get("effective_from")?,
    })
}

/// The columns of an attachment but its content.
pub(crate) const ATTACHMENT_META: &str =
    "id, case_id, version, name, mime, size, sha256, object_key, created_at";

/// An attachment row; `with_content` when `content` was selected.
pub(crate) fn attachment_from_row(row: &AnyRow, with_content: bool) -> sqlx::Result<AttachmentRow> {
    Ok(AttachmentRow {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        version: row.try_get("version")?,
        name: row.try_get("name")?,
        mime: row.try_get("mime")?,
        size: row.try_get("size")?,
        sha256: row.try_get("sha256")?,
        content: if with_content {
            row.try_get("content")?
        } else {
            None
        },
        object_key: row.try_get("object_key")?,
        created_at: row.try_get("created_at")?,
    })
}

/// The stored form of reader counties: `,臺北市,臺中市,` (a comma around every name, so
/// that `LIKE '%,' || name || ',%'` finds one), `''` for none.
pub(crate) fn encode_counties(counties: &[String]) -> String {
    let names: Vec<&str> = counties
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    if names.is_empty() {
        String::new()
    } else {
        format!(",{},", names.join(","))
    }
}

pub(crate) fn decode_counties(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{decode_counties, encode_counties};

    #[test]
    fn reader_counties_round_trip_with_commas_around_each() {
        let counties = vec!["臺北市".to_owned(), "臺中市".to_owned()];
        assert_eq!(encode_counties(&counties), ",臺北市,臺中市,");
        assert_eq!(decode_counties(",臺北市,臺中市,"), counties);
        assert_eq!(encode_counties(&[]), "");
        assert!(decode_counties("").is_empty());
    }
}
