//! Statements the registration and replacement transactions share: consuming the flow,
//! binding a certificate, writing the manager, adding a receipt record.

use super::model::*;
use crate::StoreError;
use crate::error::is_unique_violation;

pub(super) async fn take_flow(
    conn: &mut sqlx::AnyConnection,
    id_hash: &str,
    step: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let done =
        sqlx::query("DELETE FROM org_flows WHERE id_hash = $1 AND step = $2 AND expires_at > $3")
            .bind(id_hash)
            .bind(step)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Binds `cert` in `role`; `Ok(false)` when the organization card is live elsewhere.
pub(super) async fn bind(
    conn: &mut sqlx::AnyConnection,
    code: &str,
    role: &str,
    cert: &CertRecord,
    at: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO org_certificates (id, agency_code, role, issuer, serial, kind, subject, \
         holder_name, card_number, national_id, not_before, not_after, bound_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(code)
    .bind(role)
    .bind(&cert.issuer)
    .bind(&cert.serial)
    .bind(&cert.kind)
    .bind(&cert.subject)
    .bind(&cert.holder_name)
    .bind(&cert.card_number)
    .bind(&cert.national_id)
    .bind(cert.not_before)
    .bind(cert.not_after)
    .bind(at)
    .execute(&mut *conn)
    .await;
    match done {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn write_manager(
    conn: &mut sqlx::AnyConnection,
    code: &str,
    m: &ManagerContact,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO org_managers (agency_code, national_id, name, email, phone, extension, \
         notes, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (agency_code) DO UPDATE SET national_id = excluded.national_id, \
         name = excluded.name, email = excluded.email, phone = excluded.phone, \
         extension = excluded.extension, notes = excluded.notes, updated_at = excluded.updated_at",
    )
    .bind(code)
    .bind(&m.national_id)
    .bind(&m.name)
    .bind(&m.email)
    .bind(&m.phone)
    .bind(&m.extension)
    .bind(&m.notes)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(super) async fn add_receipt(
    conn: &mut sqlx::AnyConnection,
    code: &str,
    item: &str,
    detail: Option<&str>,
    at: i64,
) -> Result<Receipt, StoreError> {
    let row = sqlx::query(
        "INSERT INTO org_receipts (agency_code, org_name, item, received_at, detail) \
         SELECT agency_code, name, $2, $3, $4 FROM organizations WHERE agency_code = $1 \
         RETURNING id, agency_code, org_name, item, received_at, detail",
    )
    .bind(code)
    .bind(item)
    .bind(at)
    .bind(detail)
    .fetch_one(&mut *conn)
    .await?;
    Ok(receipt_from_row(&row)?)
}
