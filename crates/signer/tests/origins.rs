//! Who may use the signer: only approved sites get an answer they can read (CORS) and a
//! signature; everyone else gets 0x76000031. Also the Host check against DNS rebinding, the
//! popup-only routes (token and own origin required), the user's cancel (0x76000999) and the
//! first-use approval, remembered across restarts.

mod common;

use common::*;

const EVIL: &str = "https://evil.example.com";

fn acao(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get("access-control-allow-origin")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[tokio::test]
async fn sites_that_are_not_approved_get_0x76000031_and_no_cors() {
    let hsm = SoftHsm::with_entity("moica-card", "citizen-wang");
    let s = start_on(&hsm, SOFTHSM_MODULE, &[]);
    let c = client();
    let body = make_signature("c", USER_PIN, "SHA256", "PKCS7");

    let resp = c
        .post(format!("{}/sign", s.base))
        .header("Origin", EVIL)
        .json(&body)
        .send()
        .await
        .expect("POST");
    assert_eq!(acao(&resp), None);
    let r: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(r["ret_code"], 0x7600_0031_u32, "{r}");
    assert!(r.get("signature").is_none() && r.get("certb64").is_none());

    // No Origin at all (not a browser page): refused as well.
    let r: serde_json::Value = c
        .post(format!("{}/sign", s.base))
        .json(&body)
        .send()
        .await
        .expect("POST")
        .json()
        .await
        .expect("json");
    assert_eq!(r["ret_code"], 0x7600_0031_u32, "{r}");

    // Certificate listing reveals who the user is: refused too.
    let resp = c
        .get(format!("{}/pkcs11info?withcert=true", s.base))
        .header("Origin", EVIL)
        .send()
        .await
        .expect("GET");
    assert_eq!(acao(&resp), None);
    let r: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(r["ret_code"], 0x7600_0031_u32, "{r}");
    assert_eq!(r["slots"].as_array().map(Vec::len), Some(0), "{r}");

    // CORS preflight: only the approved site.
    let pre = |origin: &'static str| {
        c.request(reqwest::Method::OPTIONS, format!("{}/sign", s.base))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type")
            .send()
    };
    let resp = pre(EVIL).await.expect("OPTIONS");
    assert_eq!(resp.status(), 403);
    assert_eq!(acao(&resp), None);
    let resp = pre(SITE).await.expect("OPTIONS");
    assert_eq!(resp.status(), 204);
    assert_eq!(acao(&resp).as_deref(), Some(SITE));

    // A look-alike of the approved origin is not approved.
    let r = sign_json(
        &s,
        "https://portal.example.gov.tw.evil.example.com",
        body.clone(),
    )
    .await;
    assert_eq!(r["ret_code"], 0x7600_0031_u32, "{r}");
    let r = sign_json(&s, "http://portal.example.gov.tw", body).await;
    assert_eq!(r["ret_code"], 0x7600_0031_u32, "{r}");
}

#[tokio::test]
async fn a_foreign_host_header_is_refused_against_dns_rebinding() {
    let hsm = SoftHsm::with_entity("moica-card", "citizen-wang");
    let s = start_on(&hsm, SOFTHSM_MODULE, &[]);
    let resp = client()
        .get(format!("{}/pkcs11info?withcert=true", s.base))
        .header("Host", format!("rebind.example.com:{}", s.port))
        .send()
        .await
        .expect("GET");
    assert_eq!(resp.status(), 403);
    let resp = client()
        .get(format!("http://localhost:{}/pkcs11info", s.port))
        .send()
        .await
        .expect("GET");
    assert_eq!(resp.status(), 200);
}

async fn popup_token(s: &Signer) -> String {
    let resp = client()
        .get(format!("{}/popupForm", s.base))
        .send()
        .await
        .expect("GET /popupForm");
    let csp = resp
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let html = resp.text().await.expect("html");
    assert!(html.contains("/popup.js"));
    let start = html.find("data-token=\"").expect("token attribute") + 12;
    html[start..start + 64].to_owned()
}

async fn popup_post(
    s: &Signer,
    path: &str,
    origin: &str,
    token: &str,
    site: Option<&str>,
    body: serde_json::Value,
) -> reqwest::Response {
    let mut req = client()
        .post(format!("{}{path}", s.base))
        .header("Origin", origin)
        .header("X-Tessera-Popup", token)
        .json(&body);
    if let Some(site) = site {
        req = req.header("X-Tessera-Site", site);
    }
    req.send().await.expect("POST")
}

#[tokio::test]
async fn popup_cancel_is_0x76000999_and_popup_routes_need_the_token() {
    let hsm = SoftHsm::with_entity("moica-card", "citizen-wang");
    let s = start_on(&hsm, SOFTHSM_MODULE, &[]);
    let token = popup_token(&s).await;
    let own = s.base.clone();
    let body = serde_json::json!({ "site": SITE, "func": "MakeSignature" });

    let r: serde_json::Value = popup_post(&s, "/popup/cancel", &own, &token, None, body.clone())
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(r["func"], "sign");
    assert_eq!(r["ret_code"], 0x7600_0999_u32, "{r}");
    assert_eq!(r["message"], "使用者已取消動作");

    let deny = serde_json::json!({ "site": EVIL, "func": "GetUserCert", "reason": "deny" });
    let r: serde_json::Value = popup_post(&s, "/popup/cancel", &own, &token, None, deny)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(r["func"], "pkcs11info");
    assert_eq!(r["ret_code"], 0x7600_0031_u32, "{r}");

    // Wrong token, or another origin holding the token: refused.
    let resp = popup_post(
        &s,
        "/popup/cancel",
        &own,
        "0".repeat(64).as_str(),
        None,
        body.clone(),
    )
    .await;
    assert_eq!(resp.status(), 403);
    let resp = popup_post(
        &s,
        "/popup/approve",
        EVIL,
        &token,
        None,
        serde_json::json!({"site": EVIL}),
    )
    .await;
    assert_eq!(resp.status(), 403);
    let resp = popup_post(&s, "/popup/cancel", &own, "", None, body).await;
    assert_eq!(resp.status(), 403);
}

#[tokio::test]
async fn first_use_approval_lets_the_popup_sign_and_is_remembered() {
    let hsm = SoftHsm::with_entity("moica-card", "citizen-wang");
    let conf = hsm.conf.to_string_lossy().into_owned();
    let env = [("SOFTHSM2_CONF", conf.as_str())];
    let args = ["--pkcs11-module", SOFTHSM_MODULE];
    let newcomer = "https://newcomer.example.gov.tw";
    let keep = tempfile::tempdir().expect("tempdir");
    let approvals = keep.path().join("tessera-signer/approved-origins.json");
    let s = start_signer_with_approvals(&args, &env, Some(&approvals));
    let token = popup_token(&s).await;
    let own = s.base.clone();
    let req = make_signature("popup challenge", USER_PIN, "SHA256", "PKCS7");

    // The popup may not act for a site the user has not approved.
    let r: serde_json::Value = popup_post(&s, "/sign", &own, &token, Some(newcomer), req.clone())
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(r["ret_code"], 0x7600_0031_u32, "{r}");
    let st: serde_json::Value = popup_post(
        &s,
        "/popup/status",
        &own,
        &token,
        None,
        serde_json::json!({"site": newcomer}),
    )
    .await
    .json()
    .await
    .expect("json");
    assert_eq!(st["approved"], false);

    let resp = popup_post(
        &s,
        "/popup/approve",
        &own,
        &token,
        None,
        serde_json::json!({"site": newcomer}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let r: serde_json::Value = popup_post(&s, "/sign", &own, &token, Some(newcomer), req.clone())
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(r["ret_code"], 0, "{r}");
    assert_eq!(
        openssl_cms_verify(&b64(&r, "signature"), "citizen-wang", None),
        b"popup challenge"
    );
    // Approval is for that site only.
    let r: serde_json::Value = popup_post(&s, "/sign", &own, &token, Some(EVIL), req.clone())
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(r["ret_code"], 0x7600_0031_u32, "{r}");
    drop(s);

    // Remembered after a restart, for direct calls as well.
    let s = start_signer_with_approvals(&args, &env, Some(&approvals));
    let r = sign_json(&s, newcomer, req).await;
    assert_eq!(r["ret_code"], 0, "{r}");
    let stored = std::fs::read_to_string(&approvals).expect("approvals file");
    assert!(
        stored.contains(newcomer) && !stored.contains("123456"),
        "{stored}"
    );
}
