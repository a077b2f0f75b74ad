//! `tessera serve --demo` as a newcomer uses it: the demo people exist with their passwords,
//! the in-process signer answers with the inserted demo card, a card it signs with signs in
//! (王小明's is bound), the `/demo` page swaps cards; and when the signer address is taken by
//! another program, that program is left alone and the demo signer moves to a free port.
//! The organization part (issue 6): registry entries, organization cards on `/demo` and the
//! demo staff account exist after a start (the agency card registers with the matching code and
//! goes to review with the mismatching one), and a second start duplicates none of them.
//! (Never on 61161: the signer address is always a free port here.)

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};

use base64::Engine;
use serde_json::{Value, json};

struct Demo {
    child: Child,
    base: String,
    lines: Vec<String>,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Starts the demo with the signer address `signer`; collects stdout up to the listening line.
fn start_demo(signer: &str) -> Demo {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut d = start_demo_in(dir.path(), signer);
    d._dir = Some(dir);
    d
}

/// Starts the demo on the data directory `dir` (the caller keeps it).
fn start_demo_in(dir: &std::path::Path, signer: &str) -> Demo {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("--data-dir")
        .arg(dir)
        .args([
            "--signer-url",
            signer,
            "serve",
            "--demo",
            "--listen",
            "127.0.0.1:0",
        ])
        .env_remove("TESSERA_PKI_TRUST_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("tessera");
    let mut lines = Vec::new();
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let base = loop {
        let mut line = String::new();
        if out.read_line(&mut line).expect("read") == 0 {
            panic!("tessera exited: {lines:?}");
        }
        if let Some(url) = line.trim().strip_prefix("Tessera listening on ") {
            break url.to_owned();
        }
        lines.push(line.trim().to_owned());
    };
    Demo {
        child,
        base,
        lines,
        _dir: None,
    }
}

/// The signer URL the demo printed.
fn signer_url(d: &Demo) -> String {
    d.lines
        .iter()
        .find_map(|l| {
            l.strip_prefix("Demo signer (in-process, test cards, PIN = tessera-test) on ")
        })
        .unwrap_or_else(|| panic!("no signer line in {:?}", d.lines))
        .to_owned()
}

async fn certs_on_card(http: &reqwest::Client, signer: &str, origin: &str) -> String {
    let r = http
        .get(format!("{signer}/pkcs11info?withcert=true"))
        .header("origin", origin)
        .send()
        .await
        .expect("pkcs11info");
    r.text().await.expect("body")
}

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

/// `tessera admin …` on the demo's data directory; its stdout.
fn admin(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("--data-dir")
        .arg(dir)
        .arg("admin")
        .args(args)
        .env_remove("TESSERA_PKI_TRUST_DIR")
        .output()
        .expect("tessera admin");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The `/demo` page and its CSRF token.
async fn demo_page(http: &reqwest::Client, base: &str) -> (String, String) {
    let page = http
        .get(format!("{base}/demo"))
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
    (page.text().await.expect("page"), csrf)
}

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
    assert!(orgs.contains("3 organization(s)"), "{orgs}");
    let staff = admin(dir, &["staff", "list"]);
    assert_eq!(staff.lines().count(), 1, "{staff}");
    assert!(
        staff.starts_with("demostaff\toperator,reviewer\t-\t"),
        "{staff}"
    );
}
