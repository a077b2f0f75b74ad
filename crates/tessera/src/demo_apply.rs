//! Demo mode's applications part (`tessera serve --demo`): so a newcomer can file, review and
//! print a 報備支援 within minutes, the first demo start adds medical institutions in two
//! counties (臺北市 and 臺中市) to the registry, with their counties, and a reviewer of each
//! county's 衛生局 (role `medical_support_reviewer`). Idempotent: what exists is left alone.
//! It goes through the same calls as `tessera admin orgs import` and `tessera admin staff add`.

use tessera_app::flows::orgs::import::{OrgInput, validate};
use tessera_web::AppState;

use crate::runtime::RunError;

/// The demo reviewers' password.
pub const REVIEWER_PASSWORD: &str = "Demo2026-review!";

/// (agency code, name, 醫事機構代碼, county)
const INSTITUTIONS: &[(&str, &str, &str, &str)] = &[
    (
        "NTUH1",
        "國立臺灣大學醫學院附設醫院",
        "0401180014",
        "臺北市",
    ),
    ("TPCH1", "臺北市立聯合醫院中興院區", "0101090517", "臺北市"),
    ("CMUH1", "中國醫藥大學附設醫院", "0617060018", "臺中市"),
    ("TCVG1", "臺中榮民總醫院", "0617050014", "臺中市"),
];

/// (username, name, county)
const REVIEWERS: &[(&str, &str, &str)] = &[
    ("tpehealth", "臺北市政府衛生局 審查員", "臺北市"),
    ("txghealth", "臺中市政府衛生局 審查員", "臺中市"),
];

/// Adds the missing institutions, their counties and the reviewers.
pub async fn seed(state: &AppState) -> Result<(), RunError> {
    let mut missing = Vec::new();
    for (code, name, institution, _) in INSTITUTIONS {
        if state.store.organization(code).await?.is_some() {
            continue;
        }
        let input = OrgInput {
            agency_code: (*code).to_owned(),
            name: (*name).to_owned(),
            organization_oid: None,
            business_id: None,
            institution_code: Some((*institution).to_owned()),
            kind: "medical".to_owned(),
        };
        missing
            .push(validate(&input).map_err(|errs| format!("demo institution {code}: {errs:?}"))?);
    }
    if !missing.is_empty() {
        crate::orgs::import(&state.store, &missing, "demo", "tessera serve --demo").await?;
    }
    for (code, _, _, county) in INSTITUTIONS {
        if state.store.org_county(code).await?.is_none() {
            state.store.set_org_county(code, county).await?;
        }
    }
    let Some(kind) = state.applications.get("medical-support") else {
        return Ok(());
    };
    let role = kind.review.role.clone();
    for (username, name, county) in REVIEWERS {
        if state.store.account_by_username(username).await?.is_some() {
            continue;
        }
        let roles = crate::staff::check_roles(state, std::slice::from_ref(&role))?;
        let a = crate::staff::create(
            state,
            username,
            &roles,
            name,
            &format!("{username}@demo.tessera.test"),
            REVIEWER_PASSWORD,
        )
        .await?;
        state
            .store
            .set_staff_counties(&a.id, &[(*county).to_owned()])
            .await?;
    }
    Ok(())
}
