//! The claims released about a member, by scope: `profile` → `name`; `email` → `email`,
//! `email_verified`; `phone` → `phone_number`, `phone_number_verified`; `tw_national_id`
//! → the national ID, only to clients allowed it AND for a sign-in at `nhi-card` or
//! `certificate`; `organization` → the acting organization recorded with the grant.

use serde_json::{Map, Value, json};
use tessera_core::loa::Loa;
use tessera_core::oidc::national_id_releasable;
use tessera_store::Account;
use tessera_store::oidc::{Grant, OidcClient};

/// The userinfo document for `scope` (a subset of the grant's).
pub fn userinfo(
    client: &OidcClient,
    grant: &Grant,
    account: &Account,
    sub: &str,
    scope: &str,
) -> Value {
    let scopes: Vec<&str> = scope.split(' ').collect();
    let mut c = Map::new();
    c.insert("sub".into(), json!(sub));
    if scopes.contains(&"profile") {
        c.insert("name".into(), json!(account.name));
    }
    if scopes.contains(&"email") && !account.email.is_empty() {
        c.insert("email".into(), json!(account.email));
        c.insert("email_verified".into(), json!(account.email_verified));
    }
    if scopes.contains(&"phone")
        && let Some(m) = &account.mobile
    {
        c.insert("phone_number".into(), json!(m));
        c.insert(
            "phone_number_verified".into(),
            json!(account.mobile_verified),
        );
    }
    let loa = Loa::parse(&grant.acr).unwrap_or(Loa::Password);
    if scopes.contains(&"tw_national_id")
        && national_id_releasable(client.allow_national_id, loa)
        && let Some(id) = &account.national_id
    {
        c.insert("tw_national_id".into(), json!(id));
    }
    if scopes.contains(&"organization")
        && let Some(o) = grant
            .organization
            .as_deref()
            .and_then(|o| serde_json::from_str::<Value>(o).ok())
    {
        c.insert("organization".into(), o);
    }
    Value::Object(c)
}
