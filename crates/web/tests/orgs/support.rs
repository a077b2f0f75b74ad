//! What the organization API tests share: a harness with the registry imported, cards (test PKI
//! entities, or renewed certificates issued with `openssl x509 -req`), challenges signed with
//! `openssl cms -sign`, back-office staff, national IDs with valid check digits. The flow
//! steps are in `steps.rs`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use axum::http::{Method, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;
use tessera_store::Store;
use tessera_store::orgs::OrgRecord;
use tessera_store::testing::TestDatabase;
use tessera_web::Settings;

use crate::common::{PASSWORD, test_settings};
use crate::helpers::*;

/// 國家發展委員會: the GCA card `agency-ndc` carries this OID.
pub const NDC: &str = "A0001";
pub const NDC_CARD: &str = "agency-ndc";
/// A school whose registry OID differs from the XCA card `org-school`'s (review needed).
pub const SCHOOL: &str = "B0002";
pub const SCHOOL_CARD: &str = "org-school";
/// 範例科技: the MOEACA card `business-acme` carries business ID 12345675.
pub const ACME: &str = "C0003";
pub const ACME_CARD: &str = "business-acme";
/// The HCA institution card `medical-hospital` carries code 0401180014.
pub const HOSPITAL: &str = "D0004";
pub const HOSPITAL_CARD: &str = "medical-hospital";
pub const LI: &str = "citizen-li";

fn rec(
    code: &str,
    name: &str,
    oid: Option<&str>,
    biz: Option<&str>,
    inst: Option<&str>,
    kind: &str,
) -> OrgRecord {
    OrgRecord {
        agency_code: code.into(),
        name: name.into(),
        organization_oid: oid.map(Into::into),
        business_id: biz.map(Into::into),
        institution_code: inst.map(Into::into),
        kind: kind.into(),
    }
}

/// A harness whose registry holds the four test organizations.
pub async fn org_harness_with(store: Store, db: TestDatabase, settings: Settings) -> CertHarness {
    let records = [
        rec(
            NDC,
            "國家發展委員會",
            Some("2.16.886.101.20003.20065"),
            None,
            None,
            "agency",
        ),
        rec(
            SCHOOL,
            "臺北市立建國高級中學",
            Some("2.16.886.101.99999.1"),
            None,
            None,
            "school",
        ),
        rec(
            ACME,
            "範例科技股份有限公司",
            None,
            Some("12345675"),
            None,
            "business",
        ),
        rec(
            HOSPITAL,
            "國立臺灣大學醫學院附設醫院",
            None,
            None,
            Some("0401180014"),
            "medical",
        ),
    ];
    store
        .import_organizations(&records, tessera_app::clock::now())
        .await
        .expect("registry");
    cert_harness_with(store, db, settings)
}

pub async fn org_harness(store: Store, db: TestDatabase) -> CertHarness {
    org_harness_with(store, db, test_settings()).await
}

/// A challenge for `purpose` signed with an explicit certificate and key.
pub async fn answer_with(
    h: &CertHarness,
    b: &mut Browser,
    purpose: &str,
    cert: &Path,
    key: &Path,
) -> (String, String) {
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/cert/challenges",
            Some(json!({ "purpose": purpose })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "challenge: {}", r.text);
    let tbs = STANDARD
        .decode(r.body["tbs"].as_str().unwrap_or(""))
        .expect("tbs");
    (
        r.body["challenge_id"].as_str().unwrap_or("").to_owned(),
        sign_with(cert, key, &tbs),
    )
}

/// A card: a test PKI entity, or a renewed certificate with an entity's key.
#[derive(Clone)]
pub struct Card {
    pub cert: PathBuf,
    pub key: PathBuf,
}

pub fn card(entity: &str) -> Card {
    let (cert, key) = entity_files(entity);
    Card { cert, key }
}

/// `entity`'s card renewed by CA `ca` with serial `serial_hex` (same subject, key, extensions).
pub fn renewed(entity: &str, ca: &str, serial_hex: &str, dir: &Path) -> Card {
    let (pki_dir, m) = pki();
    let (cert, key) = entity_files(entity);
    let ca = m.ca(ca).expect("CA");
    let (req, out) = (
        dir.join(format!("{serial_hex}.csr")),
        dir.join(format!("{serial_hex}.pem")),
    );
    let run = |args: &[&str], extra: &[&Path]| {
        let ok = Command::new("openssl")
            .args(args)
            .args(extra)
            .stderr(std::process::Stdio::null())
            .status()
            .expect("openssl")
            .success();
        assert!(ok, "openssl {args:?}");
    };
    run(
        &["x509", "-x509toreq", "-copy_extensions", "copyall", "-in"],
        &[&cert, Path::new("-signkey"), &key, Path::new("-out"), &req],
    );
    let serial = format!("0x{serial_hex}");
    let ca_cert = pki_dir.join(&ca.cert);
    let ca_key = pki_dir.join(&ca.key);
    run(
        &[
            "x509",
            "-req",
            "-copy_extensions",
            "copyall",
            "-days",
            "30",
            "-set_serial",
            &serial,
            "-in",
        ],
        &[
            &req,
            Path::new("-CA"),
            &ca_cert,
            Path::new("-CAkey"),
            &ca_key,
            Path::new("-out"),
            &out,
        ],
    );
    Card { cert: out, key }
}

/// A staff account with `roles`, signed in in a fresh browser.
pub async fn staff(h: &CertHarness, username: &str, roles: &[&str]) -> Browser {
    let hash = h.state.hasher.hash(PASSWORD).await.expect("hash");
    let now = tessera_app::clock::now();
    let new = tessera_store::NewAccount {
        username: username.into(),
        name: "後臺人員".into(),
        email: format!("{username}@example.gov.tw"),
        mobile: None,
        national_id: None,
        birthday: None,
        landline: None,
        password_hash: hash,
        terms_version: "staff".into(),
        terms_accepted_at: now,
        created_at: now,
    };
    let roles: Vec<String> = roles.iter().map(|r| (*r).to_owned()).collect();
    h.state
        .store
        .create_staff(&new, &roles)
        .await
        .expect("staff");
    let mut b = Browser::default();
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/backoffice/session",
            Some(json!({ "username": username, "password": PASSWORD })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "staff login: {}", r.text);
    b
}

/// The `n`-th synthetic national ID with a valid check digit (A1 + 7 digits + check).
pub fn synthetic_id(n: u32) -> String {
    tessera_pki::profile::national_id_with_check_digit(&format!("A1{n:07}")).expect("id")
}

/// The kinds and outcomes written to the audit log so far.
pub async fn audit_kinds(h: &CertHarness) -> Vec<(String, String)> {
    h.state
        .store
        .audit_entries(None, 1000)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| (e.event.kind, e.event.outcome))
        .collect()
}
