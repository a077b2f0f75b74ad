//! Small helpers for reading portable column types from [`sqlx::any::AnyRow`]s.

use sqlx::Row;
use sqlx::any::AnyRow;

/// A 0/1 BIGINT column as a `bool`.
pub(crate) fn flag(row: &AnyRow, column: &str) -> sqlx::Result<bool> {
    Ok(row.try_get::<i64, _>(column)? != 0)
}

/// A `bool` as the 0/1 BIGINT the schema stores.
pub(crate) fn to_flag(value: bool) -> i64 {
    i64::from(value)
}
