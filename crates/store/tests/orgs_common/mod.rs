//! Records and steps shared by the organization storage tests.

#![allow(dead_code)]

use crate::common::{NOW, TestResult, new_account};
use tessera_store::Store;
use tessera_store::orgs::*;

pub fn record(code: &str, name: &str, oid: Option<&str>) -> OrgRecord {
    OrgRecord {
        agency_code: code.to_owned(),
        name: name.to_owned(),
        organization_oid: oid.map(str::to_owned),
        business_id: None,
        institution_code: None,
        kind: "agency".to_owned(),
    }
}

pub fn cert(serial: &str, kind: &str, national_id: Option<&str>) -> CertRecord {
    CertRecord {
        issuer: "C=TW, O=行政院, OU=測試".to_owned(),
        serial: serial.to_owned(),
        kind: kind.to_owned(),
        subject: format!("C=TW, CN={serial}"),
        holder_name: "國家發展委員會".to_owned(),
        card_number: None,
        national_id: national_id.map(str::to_owned),
        not_before: NOW - 10,
        not_after: NOW + 1000,
    }
}

pub fn manager(id: &str) -> ManagerContact {
    ManagerContact {
        national_id: id.to_owned(),
        name: "王小明".to_owned(),
        email: "wang@example.tw".to_owned(),
        phone: "0227013411".to_owned(),
        extension: Some("5312".to_owned()),
        notes: None,
    }
}

pub async fn flow(store: &Store, id: &str, step: &str) -> TestResult {
    store
        .create_org_flow(&OrgFlow {
            id_hash: id.to_owned(),
            kind: "register".to_owned(),
            step: step.to_owned(),
            browser: "b".to_owned(),
            agency_code: Some("A0001".to_owned()),
            data: "{}".to_owned(),
            created_at: NOW,
            expires_at: NOW + 600,
        })
        .await?;
    Ok(())
}

pub fn registration(flow_id: &str, org_serial: &str) -> Registration {
    Registration {
        flow_id_hash: flow_id.to_owned(),
        flow_step: "details".to_owned(),
        agency_code: "A0001".to_owned(),
        org_cert: cert(org_serial, "gca_agency", None),
        manager_cert: cert("m1", "moica_citizen", Some("A123456789")),
        manager: manager("A123456789"),
        account: new_account("A0001"),
        receipt_detail: None,
        at: NOW,
    }
}
