//! Attachments of cases: added or removed together with the version values that reference
//! them, in one transaction claiming the case (so a stale edit writes neither); their content
//! kept in the database (BLOB / BYTEA) or named on an object store.

use sqlx::Row;

use super::model::*;
use super::write::{claim, reread, write_values};
use crate::{Store, StoreError};

impl Store {
    /// Adds the attachment to version `new.version` and sets that version's values to
    /// `values_json_after` (which reference it), in one transaction.
    /// [`StoreError::Conflict`] when the case changed since `expected_row_version` was read,
    /// [`StoreError::NotFound`] when there is no such case or version; nothing is written
    /// then.
    pub async fn add_attachment(
        &self,
        new: &NewAttachment,
        expected_row_version: i64,
        values_json_after: &str,
    ) -> Result<CaseRecord, StoreError> {
        let mut tx = self.writer.begin().await?;
        claim(&mut tx, &new.case_id, expected_row_version, new.now).await?;
        write_values(&mut tx, &new.case_id, new.version, values_json_after).await?;
        sqlx::query(
            "INSERT INTO case_attachments (id, case_id, version, name, mime, size, sha256, \
             content, object_key, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&new.id)
        .bind(&new.case_id)
        .bind(new.version)
        .bind(&new.name)
        .bind(&new.mime)
        .bind(new.size)
        .bind(&new.sha256)
        .bind(new.content.as_deref())
        .bind(&new.object_key)
        .bind(new.now)
        .bind(&new.created_by)
        .execute(&mut *tx)
        .await?;
        let record = reread(&mut tx, &new.case_id).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Takes the attachment out of the case's current version: sets that version's values
    /// to `values_json_after` and deletes the attachment when it was added to that version.
    /// One added to an earlier version stays stored, since that version still references it
    /// (e.g. the approved values while a change is under way). One transaction;
    /// [`StoreError::Conflict`] as for [`Store::add_attachment`], [`StoreError::NotFound`]
    /// when the case has no such attachment.
    pub async fn remove_attachment(
        &self,
        case_id: &str,
        attachment_id: &str,
        expected_row_version: i64,
        values_json_after: &str,
        now: i64,
    ) -> Result<CaseRecord, StoreError> {
        let mut tx = self.writer.begin().await?;
        let claimed = claim(&mut tx, case_id, expected_row_version, now).await?;
        let version: i64 =
            sqlx::query("SELECT version FROM case_attachments WHERE id = $1 AND case_id = $2")
                .bind(attachment_id)
                .bind(case_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?
                .try_get("version")?;
        if version == claimed.current_version {
            sqlx::query("DELETE FROM case_attachments WHERE id = $1")
                .bind(attachment_id)
                .execute(&mut *tx)
                .await?;
        }
        write_values(&mut tx, case_id, claimed.current_version, values_json_after).await?;
        let record = reread(&mut tx, case_id).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// The attachment with this id, content included.
    pub async fn attachment(&self, id: &str) -> Result<Option<AttachmentRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {ATTACHMENT_META}, content FROM case_attachments WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row
            .as_ref()
            .map(|r| attachment_from_row(r, true))
            .transpose()?)
    }

    /// A case's attachments without their content (`content` is `None`), by version, then
    /// oldest first.
    pub async fn attachments_of(&self, case_id: &str) -> Result<Vec<AttachmentRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ATTACHMENT_META} FROM case_attachments WHERE case_id = $1 \
             ORDER BY version, created_at, id"
        ))
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| attachment_from_row(r, false))
            .collect::<sqlx::Result<_>>()?)
    }
}
