//! `tessera serve --demo` as a newcomer uses it: the demo people exist with their passwords
//! and verified addresses, the in-process signer answers with the inserted demo card, a card it signs with signs in
//! (王小明's is bound), the `/demo` page swaps cards; and when the signer address is taken by
//! another program, that program is left alone and the demo signer moves to a free port.
//! (Never on 61161: the signer address is always a free port here.)

mod demo_support;

use std::net::TcpListener;

use base64::Engine;
use demo_support::{certs_on_card, free_port, signer_url, start_demo};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_signs_in_with_its_cards_and_swaps_them() {
    let signer_port = free_port();
    let d = start_demo(&format!("http://127.0.0.1:{signer_port}"));
    let signer = signer_url(&d);
    assert_eq!(
        signer,
        format!("http://127.0.0.1:{signer_port}"),
        "the free configured port is used"
    );
    let http = reqwest::Client::new();

    // The demo page lists the people and their passwords; 王小明's card is in the reader.
    let page = http
        .get(format!("{}/demo", d.base))
        .send()
        .await
        .expect("demo page");
    let csrf = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("tessera_csrf="))
        .and_then(|c| c.split(';').next())
        .expect("csrf cookie")
        .to_owned();
    let text = page.text().await.expect("page");
    for needle in [
        "王小明",
        "A123456789",
        "Demo2026wang",
        "陳美麗",
        "chenmeili",
        "林醫師",
        "tessera-test",
    ] {
        assert!(text.contains(needle), "demo page lacks {needle}");
    }
    assert!(
        certs_on_card(&http, &signer, &d.base)
            .await
            .contains("王小明")
    );

    // The demo signer signs a login challenge; the bound card signs in at level certificate.
    let cookie = format!("tessera_csrf={csrf}");
    let post = |path: &str, body: Value| {
        http.post(format!("{}{path}", d.base))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .json(&body)
    };
    let c: Value = post("/api/v1/cert/challenges", json!({"purpose": "login"}))
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
    assert_eq!(signed["ret_code"], json!(0), "{signed}");
    assert!(
        base64::engine::general_purpose::STANDARD
            .decode(signed["signature"].as_str().unwrap_or(""))
            .is_ok()
    );
    let r: Value = post(
        "/api/v1/cert/session",
        json!({"challenge_id": c["challenge_id"], "signature": signed["signature"]}),
    )
    .send()
    .await
    .expect("session")
    .json()
    .await
    .expect("json");
    assert_eq!(r["loa"], json!("certificate"), "{r}");
    assert_eq!(r["account"]["username"], json!("A123456789"), "{r}");
    // Demo accounts are verified: nothing a newcomer tries is held back for the address.
    assert_eq!(r["account"]["email_verified"], json!(true), "{r}");
    let r: Value = post(
        "/api/v1/session",
        json!({"username": "chenmeili", "password": "Demo2026chen"}),
    )
    .send()
    .await
    .expect("password sign-in")
    .json()
    .await
    .expect("json");
    assert_eq!(r["account"]["email_verified"], json!(true), "{r}");

    // 插入此卡: 陳美麗's card goes into the reader.
    let r = http
        .post(format!("{}/demo/card", d.base))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("_csrf={csrf}&id=citizen-chen"))
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
        card.contains("陳美麗") && !card.contains("王小明"),
        "{card}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_taken_signer_port_is_left_alone() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("listener");
    let port = taken.local_addr().expect("addr").port();
    let d = start_demo(&format!("http://127.0.0.1:{port}"));
    assert!(
        d.lines
            .iter()
            .any(|l| l.contains("is taken") && l.contains("left alone")),
        "{:?}",
        d.lines
    );
    let signer = signer_url(&d);
    assert_ne!(signer, format!("http://127.0.0.1:{port}"));
    // The pages (and their CSP) talk to the demo signer, which answers.
    let page = reqwest::get(format!("{}/login", d.base))
        .await
        .expect("login page");
    let csp = page
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(csp.contains(&signer), "{csp}");
    assert!(page.text().await.expect("body").contains(&signer));
    let answer = reqwest::get(format!("{signer}/"))
        .await
        .expect("demo signer");
    assert!(
        answer
            .text()
            .await
            .expect("body")
            .contains("tessera-signer")
    );
    // The other program still holds its port.
    assert_eq!(taken.local_addr().expect("addr").port(), port);
}
