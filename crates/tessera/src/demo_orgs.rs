//! Demo mode's organization part (`tessera serve --demo`): so a newcomer can try the
//! organization pages (/orgs) and the back office (/admin) without a registry or staff of
//! their own, the first demo start adds
//!
//! * registry entries for the test PKI's organization cards — `NDC01` matches the GCA agency
//!   card (國家發展委員會), `TPHS1` matches the XCA school card (建國高中), and `NDC02` carries a
//!   deliberately different organization OID, so typing it with the agency card goes to the
//!   review queue (資料審核中);
//! * the two organization cards in the `/demo` card list (insertable into the demo signer);
//! * a staff account `demostaff` (roles reviewer + operator, password [`STAFF_PASSWORD`]).
//!
//! Idempotent like the people's seeding: an entry or account that exists is left as it is
//! (an operator's edits survive a restart). It goes through the same calls as
//! `tessera admin orgs import` and `tessera admin staff add`.

use tessera_app::demo::DemoPerson;
use tessera_app::flows::orgs::import::{OrgInput, validate};
use tessera_pki::testpki::Manifest;
use tessera_store::orgs::OrgRecord;
use tessera_web::AppState;

use crate::runtime::RunError;

/// The demo staff account (back office `/admin`).
pub const STAFF_USERNAME: &str = "demostaff";
pub const STAFF_PASSWORD: &str = "Demo2026-staff!";

/// A registry entry: agency code, test PKI card it is for, OID override (a mismatch), kind.
struct OrgSeed {
    code: &'static str,
    card: &'static str,
    oid: Option<&'static str>,
    kind: &'static str,
}

const ORGS: &[OrgSeed] = &[
    OrgSeed {
        code: "NDC01",
        card: "agency-ndc",
        oid: None,
        kind: "agency",
    },
    OrgSeed {
        code: "TPHS1",
        card: "org-school",
        oid: None,
        kind: "school",
    },
    OrgSeed {
        code: "NDC02",
        card: "agency-ndc",
        oid: Some("2.16.886.101.20003.99999"),
        kind: "agency",
    },
];

/// The organization cards on `/demo`: entity id and what to try, zh-TW and English.
const CARDS: &[(&str, &str, &str)] = &[
    (
        "agency-ndc",
        "政府機關憑證（GCA）：機關憑證註冊輸入機關代號 NDC01（與卡片相符，直接下一步）；輸入 NDC02 則與登錄資料不符，填寫聯絡資料後進入審核佇列（後台 /admin 以 {staff} 登入審核）。授權管理者以王小明的卡。",
        "GCA agency card: register with agency code NDC01 (matches the card); NDC02 does not match, so after the contact form the case waits in the review queue (review it in /admin, signed in as {staff}). The manager uses 王小明's card.",
    ),
    (
        "org-school",
        "學校憑證（XCA）：機關憑證註冊輸入機關代號 TPHS1。",
        "XCA school card: register with agency code TPHS1.",
    ),
];

/// The organization cards for the `/demo` list (after the people).
pub fn cards(m: &Manifest) -> Result<Vec<DemoPerson>, RunError> {
    let staff = format!("{STAFF_USERNAME} / {STAFF_PASSWORD}");
    CARDS
        .iter()
        .map(|(id, zh, en)| {
            let e = m.entity(id).ok_or_else(|| format!("demo PKI lacks {id}"))?;
            Ok(DemoPerson {
                id: (*id).to_owned(),
                name: e.name.clone(),
                national_id: None,
                account: None,
                try_zh: zh.replace("{staff}", &staff),
                try_en: en.replace("{staff}", &staff),
            })
        })
        .collect()
}

/// Adds the missing registry entries and the staff account.
pub async fn seed(state: &AppState, m: &Manifest) -> Result<(), RunError> {
    let mut missing = Vec::new();
    for o in ORGS {
        if state.store.organization(o.code).await?.is_some() {
            continue;
        }
        let e = m
            .entity(o.card)
            .ok_or_else(|| format!("demo PKI lacks {}", o.card))?;
        let input = OrgInput {
            agency_code: o.code.to_owned(),
            name: e.name.clone(),
            organization_oid: o
                .oid
                .map(str::to_owned)
                .or_else(|| e.organization_oid.clone()),
            business_id: None,
            institution_code: None,
            kind: o.kind.to_owned(),
        };
        let record: OrgRecord =
            validate(&input).map_err(|errs| format!("demo registry entry {}: {errs:?}", o.code))?;
        missing.push(record);
    }
    if !missing.is_empty() {
        crate::orgs::import(&state.store, &missing, "demo", "tessera serve --demo").await?;
    }
    if state
        .store
        .account_by_username(STAFF_USERNAME)
        .await?
        .is_none()
    {
        let roles = crate::staff::check_roles(state, &["reviewer".into(), "operator".into()])?;
        crate::staff::create(
            state,
            STAFF_USERNAME,
            &roles,
            "示範審核員",
            "demostaff@demo.tessera.test",
            STAFF_PASSWORD,
        )
        .await?;
    }
    Ok(())
}
