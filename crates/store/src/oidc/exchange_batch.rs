//! One transaction of code exchanges (see `exchange.rs`): a fixed handful of statements for
//! any number of exchanges. `IN` lists are padded to a power of two and multi-row inserts
//! cut into power-of-two chunks, so each statement is prepared for a few sizes only.

use std::collections::{HashMap, HashSet};

use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, AnyPool, Row};

use super::exchange_types::{CodeExchange, Exchanged, Redemption};
use super::grants::{GRANT_COLUMNS, code_from_row, grant_from_row};
use super::{Code, Grant};
use crate::group_commit::{placeholders, pow2_chunks};
use crate::{NewAuditEvent, StoreError};

/// `values` padded (with its last value) to the next power of two: the `IN` list's length.
fn padded<'a>(values: &[&'a str]) -> Vec<&'a str> {
    let mut out = values.to_vec();
    if let Some(last) = values.last() {
        out.resize(values.len().next_power_of_two(), last);
    }
    out
}

/// Rows of `sql`, whose `{in}` becomes the placeholders of `values` padded to a power of
/// two; `now`, when given, is bound first as `$1`.
async fn fetch_in(
    conn: &mut AnyConnection,
    sql: &str,
    now: Option<i64>,
    values: &[&str],
) -> Result<Vec<AnyRow>, StoreError> {
    let list = padded(values);
    let first = if now.is_some() { 2 } else { 1 };
    let sql = sql.replace("{in}", &placeholders(first, list.len()));
    let mut q = sqlx::query::<Any>(&sql);
    if let Some(now) = now {
        q = q.bind(now);
    }
    for v in list {
        q = q.bind(v);
    }
    Ok(q.fetch_all(&mut *conn).await?)
}

/// Spends every unused, unexpired code of `hashes` at `now`: the codes spent, by hash.
async fn spend(
    conn: &mut AnyConnection,
    hashes: &[&str],
    now: i64,
) -> Result<HashMap<String, Code>, StoreError> {
    let sql = "UPDATE oidc_codes SET used_at = $1 \
               WHERE used_at IS NULL AND expires_at > $1 AND hash IN ({in}) \
               RETURNING hash, grant_id, redirect_uri, code_challenge, nonce, expires_at";
    let mut spent = HashMap::new();
    for row in fetch_in(conn, sql, Some(now), hashes).await? {
        let code = code_from_row(&row)?;
        spent.insert(code.hash.clone(), code);
    }
    Ok(spent)
}

/// Codes of `hashes` that were not spent now: their grant and whether they were used.
async fn unspent(
    conn: &mut AnyConnection,
    hashes: &[&str],
) -> Result<HashMap<String, (String, bool)>, StoreError> {
    if hashes.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = "SELECT hash, grant_id, used_at FROM oidc_codes WHERE hash IN ({in})";
    let mut out = HashMap::new();
    for row in fetch_in(conn, sql, None, hashes).await? {
        let used = row.try_get::<Option<i64>, _>("used_at")?.is_some();
        out.insert(row.try_get("hash")?, (row.try_get("grant_id")?, used));
    }
    Ok(out)
}

/// The grants of `ids` with whether their account is usable (a missing account counts as
/// disabled: it cascades the grant away anyway).
async fn grants(
    conn: &mut AnyConnection,
    ids: &[&str],
) -> Result<HashMap<String, (Grant, bool)>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT {GRANT_COLUMNS}, COALESCE((SELECT a.disabled FROM accounts a \
         WHERE a.id = oidc_grants.account_id), 1) AS account_disabled \
         FROM oidc_grants WHERE id IN ({{in}})"
    );
    let mut out = HashMap::new();
    for row in fetch_in(conn, &sql, None, ids).await? {
        let grant = grant_from_row(&row)?;
        let usable = row.try_get::<i64, _>("account_disabled")? == 0;
        out.insert(grant.id.clone(), (grant, usable));
    }
    Ok(out)
}

/// Stores the accepted refresh tokens: (hash, grant id, created, expires).
async fn insert_refresh(
    conn: &mut AnyConnection,
    rows: &[(&str, &str, i64, i64)],
) -> Result<(), StoreError> {
    let mut rest = rows;
    for size in pow2_chunks(rows.len()) {
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        let values: Vec<String> = (0..size)
            .map(|i| format!("({}, NULL)", placeholders(i * 4 + 1, 4)))
            .collect();
        let sql = format!(
            "INSERT INTO oidc_refresh_tokens (hash, grant_id, created_at, expires_at, used_at) \
             VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query::<Any>(&sql);
        for (hash, grant_id, created, expires) in chunk {
            q = q.bind(*hash).bind(*grant_id).bind(*created).bind(*expires);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Writes `items` in one transaction; their outcomes in the same order. On error nothing
/// is committed.
pub(super) async fn write(
    pool: &AnyPool,
    items: &[&CodeExchange],
) -> Result<Vec<Exchanged>, StoreError> {
    let now = items.iter().map(|x| x.now).max().unwrap_or_default();
    let mut hashes: Vec<&str> = Vec::new();
    let mut seen = HashSet::new();
    for x in items {
        if seen.insert(x.code_hash.as_str()) {
            hashes.push(&x.code_hash);
        }
    }
    let mut tx = pool.begin().await?;
    let mut spent = spend(&mut tx, &hashes, now).await?;
    let missing: Vec<&str> = hashes
        .iter()
        .copied()
        .filter(|h| !spent.contains_key(*h))
        .collect();
    let before = unspent(&mut tx, &missing).await?;
    let mut grant_ids: Vec<&str> = spent.values().map(|c| c.grant_id.as_str()).collect();
    grant_ids.sort_unstable();
    grant_ids.dedup();
    let grants = grants(&mut tx, &grant_ids).await?;

    let mut outcomes = Vec::with_capacity(items.len());
    let mut refresh: Vec<(&str, &str, i64, i64)> = Vec::new();
    let mut events: Vec<NewAuditEvent> = Vec::new();
    let mut winners: HashMap<&str, String> = HashMap::new();
    for x in items {
        let hash = x.code_hash.as_str();
        let outcome = if let Some(code) = spent.remove(hash) {
            // The first exchange of this code in the batch wins; the others see it used.
            winners.insert(hash, code.grant_id.clone());
            match grants.get(&code.grant_id) {
                None => Exchanged::Unknown,
                Some((grant, usable)) => {
                    let r = Redemption {
                        code,
                        grant: grant.clone(),
                        account_usable: *usable,
                    };
                    match (x.check)(&r) {
                        Ok(event) => {
                            let expires = x.refresh.expires_at.min(grant.expires_at);
                            refresh.push((
                                &x.refresh.hash,
                                &grant.id,
                                x.refresh.created_at,
                                expires,
                            ));
                            events.push(event);
                            Exchanged::Issued(Box::new(r))
                        }
                        Err(reason) => Exchanged::Refused(reason),
                    }
                }
            }
        } else if let Some(grant_id) = winners.get(hash) {
            Exchanged::Reused {
                grant_id: grant_id.clone(),
            }
        } else {
            match before.get(hash) {
                None => Exchanged::Unknown,
                Some((grant_id, true)) => Exchanged::Reused {
                    grant_id: grant_id.clone(),
                },
                Some((_, false)) => Exchanged::Expired,
            }
        };
        outcomes.push(outcome);
    }
    insert_refresh(&mut tx, &refresh).await?;
    crate::audit_queue::write_in(&mut tx, &events).await?;
    tx.commit().await?;
    Ok(outcomes)
}
