//! `tessera serve --demo`'s organization part: registry entries, organization cards
//! on `/demo` and the demo staff account exist after a start (the agency card registers with the
//! matching code and goes to review with the mismatching one, the staff account signs in to
//! /admin), and a second start duplicates none of them.

mod demo_support;

use demo_support::{admin, certs_on_card, demo_page, free_port, signer_url, start_demo_in};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_has_organizations_their_cards_and_a_staff_account_once() {
    let data = tempfile::tempdir().expect("tempdir");
    let d = start_demo_in(data.path(), &format!("http://127.0.0.1:{}", free_port()));
    let signer = signer_url(&d);
    let http = reqwest::Client::new();

    // The organization cards are on /demo, with the agency codes and the staff login.
    let (text, csrf) = demo_page(&http, &d.base).await;
    for needle in [
        "國家發展委員會",
        "臺北市立建國高級中學",
        "NDC01",
        "NDC02",
        "TPHS1",
        "demostaff / Demo2026-staff!",
    ] {
        assert!(text.contains(needle), "demo page lacks {needle}");
    }
    // 插入此卡: the agency card goes into the demo signer.
    let r = http
        .post(format!("{}/demo/card", d.base))
        .header("cookie", format!("tessera_csrf={csrf}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("_csrf={csrf}&id=agency-ndc"))
        .send()
        .await
        .expect("insert");
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.status()
    );
    let card = certs_on_card(&http, &signer, &d.base).await;
    assert!(
        card.contains("國家發展委員會") && !card.contains("王小明"),
        "{card}"
    );

    // 機關憑證註冊 with that card: NDC01 matches and goes on, NDC02 goes to the review form.
    let cookie = format!("tessera_csrf={csrf}");
    for (code, step) in [("NDC01", "manager_certificate"), ("NDC02", "contact")] {
        let post = |path: String, body: Value| {
            http.post(format!("{}{path}", d.base))
                .header("cookie", &cookie)
                .header("x-csrf-token", &csrf)
                .json(&body)
        };
        let f: Value = post("/api/v1/org-flows".into(), json!({"kind": "register"}))
            .send()
            .await
            .expect("flow")
            .json()
            .await
            .expect("json");
        let flow = f["flow_id"].as_str().expect("flow_id").to_owned();
        let r = post(
            format!("/api/v1/org-flows/{flow}/terms"),
            json!({"agree": true}),
        )
        .send()
        .await
        .expect("terms");
        assert!(r.status().is_success(), "{}", r.status());
        let c: Value = post(
            "/api/v1/cert/challenges".into(),
            json!({"purpose": "org-register"}),
        )
        .send()
        .await
        .expect("challenge")
        .json()
        .await
        .expect("json");
        let signed: Value = http
            .post(format!("{signer}/sign"))
            .header("origin", &d.base)
            .json(
                &json!({"func": "MakeSignature", "tbs": c["tbs"], "tbsEncoding": "base64",
                "hashAlgorithm": "SHA256", "signatureType": "PKCS7", "pin": "tessera-test"}),
            )
            .send()
            .await
            .expect("sign")
            .json()
            .await
            .expect("json");
        let r: Value = post(
            format!("/api/v1/org-flows/{flow}/org-certificate"),
            json!({"agency_code": code, "challenge_id": c["challenge_id"],
                "signature": signed["signature"]}),
        )
        .send()
        .await
        .expect("org-certificate")
        .json()
        .await
        .expect("json");
        assert_eq!(r["step"], json!(step), "{code}: {r}");
    }

    // The demo staff account signs in to the back office with the documented password.
    let no_follow = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = no_follow
        .post(format!("{}/admin/login", d.base))
        .header("cookie", format!("tessera_csrf={csrf}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "_csrf={csrf}&username=demostaff&password=Demo2026-staff%21&next=%2Fadmin"
        ))
        .send()
        .await
        .expect("staff login");
    assert!(r.status().is_redirection(), "{}", r.status());
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(!location.contains("/admin/login"), "{location}");

    // A second start on the same data adds nothing.
    drop(d);
    let again = start_demo_in(data.path(), &format!("http://127.0.0.1:{}", free_port()));
    let (again_text, _) = demo_page(&http, &again.base).await;
    for name in ["國家發展委員會", "臺北市立建國高級中學"] {
        assert_eq!(
            again_text.matches(name).count(),
            text.matches(name).count(),
            "{name} listed as often as before"
        );
    }
    drop(again);
    let dir = data.path();

    let orgs = admin(dir, &["orgs", "list"]);
    for code in ["NDC01\t", "NDC02\t", "TPHS1\t"] {
        assert_eq!(orgs.matches(code).count(), 1, "{orgs}");
    }
    // The four medical institutions of the applications demo (臺北市, 臺中市) come once too.
    for code in ["NTUH1\t", "TPCH1\t", "CMUH1\t", "TCVG1\t"] {
        assert_eq!(orgs.matches(code).count(), 1, "{orgs}");
    }
    assert!(orgs.contains("7 organization(s)"), "{orgs}");
    let staff = admin(dir, &["staff", "list"]);
    assert_eq!(staff.lines().count(), 3, "{staff}");
    assert!(
        staff.starts_with("demostaff\toperator,reviewer\t-\t"),
        "{staff}"
    );
    // One reviewer per county's 衛生局.
    for reviewer in [
        "tpehealth\tmedical_support_reviewer\t",
        "txghealth\tmedical_support_reviewer\t",
    ] {
        assert_eq!(staff.matches(reviewer).count(), 1, "{staff}");
    }
}
