//! Writing cases: creation, draft values, new versions and moves, each in one transaction
//! that begins by claiming the case row at the row_version the caller read.
//!
//! The claim is an `UPDATE … WHERE row_version = $expected` that bumps it, as the first
//! statement: SQLite takes its write lock at once (no read-then-write upgrade that could fail
//! under another node's writer), and on PostgreSQL a concurrent writer of the same case waits
//! for the row lock, then finds a row_version that no longer matches. Of two moves of one
//! case read at the same row_version exactly one commits; the other gets
//! [`StoreError::Conflict`] and writes nothing.

use sqlx::{Any, AnyConnection, Row};

use super::args::{Arg, Args};
use super::model::*;
use crate::rows::to_flag;
use crate::{NewAuditEvent, Store, StoreError};

/// What the claim read of the case (before this write's changes).
pub(crate) struct Claimed {
    pub(crate) type_id: String,
    pub(crate) status: String,
    pub(crate) number: Option<String>,
    pub(crate) current_version: i64,
    pub(crate) in_force_version: Option<i64>,
}

/// Claims the case `case_id` at `expected` (see the module documentation), setting
/// `updated_at`. [`StoreError::Conflict`] when its row_version differs,
/// [`StoreError::NotFound`] when there is no such case.
pub(crate) async fn claim(
    conn: &mut AnyConnection,
    case_id: &str,
    expected: i64,
    now: i64,
) -> Result<Claimed, StoreError> {
    let row = sqlx::query(
        "UPDATE cases SET row_version = row_version + 1, updated_at = $3 \
         WHERE id = $1 AND row_version = $2 \
         RETURNING type_id, status, number, current_version, in_force_version",
    )
    .bind(case_id)
    .bind(expected)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = row {
        return Ok(Claimed {
            type_id: row.try_get("type_id")?,
            status: row.try_get("status")?,
            number: row.try_get("number")?,
            current_version: row.try_get("current_version")?,
            in_force_version: row.try_get("in_force_version")?,
        });
    }
    let exists = sqlx::query("SELECT 1 AS one FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await?;
    Err(if exists.is_some() {
        StoreError::Conflict
    } else {
        StoreError::NotFound
    })
}

/// The case as it now is inside `conn`.
pub(crate) async fn reread(
    conn: &mut AnyConnection,
    case_id: &str,
) -> Result<CaseRecord, StoreError> {
    let row = sqlx::query(&format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1"))
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::Inconsistent("claimed case vanished"))?;
    Ok(case_from_row(&row)?)
}

/// Replaces the values of one version. [`StoreError::NotFound`] when the case has no such
/// version.
pub(crate) async fn write_values(
    conn: &mut AnyConnection,
    case_id: &str,
    version: i64,
    values_json: &str,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE case_versions SET values_json = $3 WHERE case_id = $1 AND version = $2",
    )
    .bind(case_id)
    .bind(version)
    .bind(values_json)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// The `SET` list of a move's update, its values numbered after `$1` (the case id).
struct Sets {
    clauses: Vec<String>,
    args: Args,
}

impl Sets {
    fn new() -> Self {
        Self {
            clauses: Vec::new(),
            args: Args::starting_at(2),
        }
    }

    /// `column = <arg>`.
    fn set(&mut self, column: &str, arg: Arg) {
        self.set_with(&format!("{column} = ?"), arg);
    }

    /// `clause` with its `?` standing for `arg`'s placeholder.
    fn set_with(&mut self, clause: &str, arg: Arg) {
        let placeholder = self.args.push(arg);
        self.clauses.push(clause.replace('?', &placeholder));
    }
}

/// Gives out the next number of `prefix` and `roc_year`: `{prefix}-{roc_year:03}-{seq:06}`.
/// The sequence row stays locked until the caller commits, so numbers have no gaps.
async fn next_number(
    conn: &mut AnyConnection,
    prefix: &str,
    roc_year: i64,
) -> Result<String, StoreError> {
    let seq: i64 = sqlx::query(
        "INSERT INTO case_sequences (prefix, roc_year, last_seq) VALUES ($1, $2, 1) \
         ON CONFLICT (prefix, roc_year) DO UPDATE SET last_seq = case_sequences.last_seq + 1 \
         RETURNING last_seq",
    )
    .bind(prefix)
    .bind(roc_year)
    .fetch_one(&mut *conn)
    .await?
    .try_get("last_seq")?;
    Ok(format!("{prefix}-{roc_year:03}-{seq:06}"))
}

async fn insert_event(
    conn: &mut AnyConnection,
    case_id: &str,
    from_status: &str,
    to_status: &str,
    now: i64,
    e: &NewCaseEvent,
) -> Result<(), StoreError> {
    // The case row is claimed: no other writer numbers this case's events meanwhile.
    let seq: i64 =
        sqlx::query("SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM case_events WHERE case_id = $1")
            .bind(case_id)
            .fetch_one(&mut *conn)
            .await?
            .try_get("next")?;
    sqlx::query(
        "INSERT INTO case_events (id, case_id, seq, at, actor_account_id, actor_role, \
         on_behalf, action, from_status, to_status, comment, deadline_at, effective_from) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(case_id)
    .bind(seq)
    .bind(now)
    .bind(&e.actor_account_id)
    .bind(&e.actor_role)
    .bind(to_flag(e.on_behalf))
    .bind(&e.action)
    .bind(from_status)
    .bind(to_status)
    .bind(&e.comment)
    .bind(e.deadline_at)
    .bind(&e.effective_from)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn replace_bookings(
    conn: &mut AnyConnection,
    case_id: &str,
    type_id: &str,
    rows: &[NewBooking],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM case_bookings WHERE case_id = $1")
        .bind(case_id)
        .execute(&mut *conn)
        .await?;
    for (position, b) in rows.iter().enumerate() {
        sqlx::query(
            "INSERT INTO case_bookings (case_id, position, type_id, national_id, start_date, \
             end_date, schedule) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(case_id)
        .bind(position as i64)
        .bind(type_id)
        .bind(&b.national_id)
        .bind(&b.start_date)
        .bind(&b.end_date)
        .bind(&b.schedule)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Stores a new case with version 1 of its values (row_version 1) and `audit`, in one
    /// transaction.
    pub async fn create_case(
        &self,
        new: &NewCase,
        audit: &[NewAuditEvent],
    ) -> Result<CaseRecord, StoreError> {
        let mut tx = self.writer.begin().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO cases (id, type_id, status, filer_account_id, filer_kind, org_code, \
             subject_national_id, subject_name, reader_counties, current_version, created_at, \
             updated_at, row_version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', 1, $9, $9, 1) RETURNING {CASE_COLUMNS}"
        ))
        .bind(&new.id)
        .bind(&new.type_id)
        .bind(&new.status)
        .bind(&new.filer_account_id)
        .bind(&new.filer_kind)
        .bind(&new.org_code)
        .bind(&new.subject_national_id)
        .bind(&new.subject_name)
        .bind(new.now)
        .fetch_one(&mut *tx)
        .await?;
        let record = case_from_row(&row)?;
        sqlx::query(
            "INSERT INTO case_versions (case_id, version, values_json, created_at, created_by) \
             VALUES ($1, 1, $2, $3, $4)",
        )
        .bind(&new.id)
        .bind(&new.values_json)
        .bind(new.now)
        .bind(&new.filer_account_id)
        .execute(&mut *tx)
        .await?;
        crate::audit_queue::write_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Replaces the values of `version` (a draft being edited). [`StoreError::Conflict`]
    /// when the case changed since `expected_row_version` was read, [`StoreError::NotFound`]
    /// when there is no such case or version; nothing is written then.
    pub async fn save_case_values(
        &self,
        case_id: &str,
        version: i64,
        expected_row_version: i64,
        values_json: &str,
        now: i64,
    ) -> Result<CaseRecord, StoreError> {
        let mut tx = self.writer.begin().await?;
        claim(&mut tx, case_id, expected_row_version, now).await?;
        write_values(&mut tx, case_id, version, values_json).await?;
        let record = reread(&mut tx, case_id).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Starts a new version (`current_version + 1`) with `values_json` and makes it current;
    /// the status and the version in force stay (the approved values remain readable while
    /// the change is under way). [`StoreError::Conflict`] / [`StoreError::NotFound`] as for
    /// [`Store::save_case_values`].
    pub async fn start_case_version(
        &self,
        case_id: &str,
        expected_row_version: i64,
        values_json: &str,
        created_by: &str,
        now: i64,
    ) -> Result<CaseRecord, StoreError> {
        let mut tx = self.writer.begin().await?;
        let claimed = claim(&mut tx, case_id, expected_row_version, now).await?;
        let version = claimed.current_version + 1;
        sqlx::query(
            "INSERT INTO case_versions (case_id, version, values_json, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(case_id)
        .bind(version)
        .bind(values_json)
        .bind(now)
        .bind(created_by)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(&format!(
            "UPDATE cases SET current_version = $2 WHERE id = $1 RETURNING {CASE_COLUMNS}"
        ))
        .bind(case_id)
        .bind(version)
        .fetch_one(&mut *tx)
        .await?;
        let record = case_from_row(&row)?;
        tx.commit().await?;
        Ok(record)
    }

    /// Applies one move (see [`CaseMove`]) in one transaction: the new status and the
    /// fields the move sets, its number, its versions, its bookings, its history event
    /// (from the status read inside the transaction), its audit events and its mail. All of
    /// it is committed or none. [`StoreError::Conflict`] when the case changed since
    /// `expected_row_version` was read (another move, an edit), [`StoreError::NotFound`]
    /// when there is no such case (or [`VersionChange::Discard`] finds no version in force).
    pub async fn move_case(&self, mv: &CaseMove) -> Result<CaseRecord, StoreError> {
        let mut tx = self.writer.begin().await?;
        let claimed = claim(&mut tx, &mv.case_id, mv.expected_row_version, mv.now).await?;
        let mut sets = Sets::new();
        sets.set("status", Arg::Text(Some(mv.to_status.clone())));
        if let Some((prefix, roc_year)) = &mv.assign_number
            && claimed.number.is_none()
        {
            let number = next_number(&mut tx, prefix, *roc_year).await?;
            sets.set("number", Arg::Text(Some(number)));
        }
        match mv.version {
            VersionChange::Keep => {}
            VersionChange::AdoptCurrent => {
                sets.set("in_force_version", Arg::Int(Some(claimed.current_version)));
            }
            VersionChange::Discard => {
                let in_force = claimed.in_force_version.ok_or(StoreError::NotFound)?;
                for sql in [
                    "DELETE FROM case_attachments WHERE case_id = $1 AND version > $2",
                    "DELETE FROM case_versions WHERE case_id = $1 AND version > $2",
                ] {
                    sqlx::query(sql)
                        .bind(&mv.case_id)
                        .bind(in_force)
                        .execute(&mut *tx)
                        .await?;
                }
                sets.set("current_version", Arg::Int(Some(in_force)));
            }
        }
        if let Some(r) = &mv.routing {
            sets.set("county", Arg::Text(r.county.clone()));
            sets.set(
                "reader_counties",
                Arg::Text(Some(encode_counties(&r.reader_counties))),
            );
            sets.set("institution", Arg::Text(r.institution.clone()));
            sets.set(
                "subject_national_id",
                Arg::Text(r.subject_national_id.clone()),
            );
            sets.set("subject_name", Arg::Text(r.subject_name.clone()));
        }
        if let Some(deadline) = mv.deadline_at {
            sets.set("deadline_at", Arg::Int(deadline));
        }
        if let Some(date) = &mv.effective_from {
            sets.set("effective_from", Arg::Text(Some(date.clone())));
        }
        if mv.submitted {
            // Only the first sending counts: an earlier time stays.
            sets.set_with(
                "submitted_at = COALESCE(submitted_at, ?)",
                Arg::Int(Some(mv.now)),
            );
        }
        if mv.decided {
            sets.set("decided_at", Arg::Int(Some(mv.now)));
        }
        if let Some(rows) = &mv.bookings {
            replace_bookings(&mut tx, &mv.case_id, &claimed.type_id, rows).await?;
        }
        insert_event(
            &mut tx,
            &mv.case_id,
            &claimed.status,
            &mv.to_status,
            mv.now,
            &mv.event,
        )
        .await?;
        let sql = format!(
            "UPDATE cases SET {} WHERE id = $1 RETURNING {CASE_COLUMNS}",
            sets.clauses.join(", ")
        );
        let q = sets.args.bind(sqlx::query::<Any>(&sql).bind(&mv.case_id));
        let record = case_from_row(&q.fetch_one(&mut *tx).await?)?;
        for mail in &mv.mail {
            crate::outbox::insert(&mut tx, mail, mv.now).await?;
        }
        // Last, so that the audit chain's head stays locked only for the end of the
        // transaction.
        crate::audit_queue::write_in(&mut tx, &mv.audit).await?;
        tx.commit().await?;
        Ok(record)
    }
}
