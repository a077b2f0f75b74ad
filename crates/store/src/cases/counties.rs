//! Jurisdictions: the counties a staff member reviews (replaced as a whole) and the county
//! of an organization (a side table, so the registry's rows stay as imported).

use sqlx::Row;

use crate::{Store, StoreError};

impl Store {
    /// Replaces the counties of the staff account. [`StoreError::NotFound`] when there is no
    /// staff account with this id.
    pub async fn set_staff_counties(
        &self,
        account_id: &str,
        counties: &[String],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        // A write first, so SQLite takes its write lock at once.
        sqlx::query("DELETE FROM staff_counties WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        let staff = sqlx::query("SELECT 1 AS one FROM accounts WHERE id = $1 AND kind = 'staff'")
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await?;
        if staff.is_none() {
            return Err(StoreError::NotFound);
        }
        for county in counties {
            sqlx::query(
                "INSERT INTO staff_counties (account_id, county) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(account_id)
            .bind(county)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The counties of a staff account, sorted.
    pub async fn staff_counties(&self, account_id: &str) -> Result<Vec<String>, StoreError> {
        let rows =
            sqlx::query("SELECT county FROM staff_counties WHERE account_id = $1 ORDER BY county")
                .bind(account_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get("county"))
            .collect::<sqlx::Result<_>>()?)
    }

    /// Sets the county of the organization. [`StoreError::NotFound`] when the registry has
    /// no such agency code.
    pub async fn set_org_county(&self, agency_code: &str, county: &str) -> Result<(), StoreError> {
        let done = sqlx::query(
            "INSERT INTO org_counties (agency_code, county) \
             SELECT agency_code, $2 FROM organizations WHERE agency_code = $1 \
             ON CONFLICT (agency_code) DO UPDATE SET county = excluded.county",
        )
        .bind(agency_code)
        .bind(county)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The county of the organization, when set.
    pub async fn org_county(&self, agency_code: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT county FROM org_counties WHERE agency_code = $1")
            .bind(agency_code)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("county")).transpose()?)
    }
}
