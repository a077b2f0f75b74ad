//! The signer against real SoftHSM2 tokens holding test-PKI keys: PKCS7 and PKCS1 signatures
//! with RSA and EC keys and SHA-256/384/512 that verify with Tessera's verifier and with
//! `openssl cms -verify`, HiPKI's form-encoded request, certificate listing and no-card.

mod common;

use common::*;
use tessera_pki::{DigestAlg, RsaPadding, SignatureFormat};

#[tokio::test]
async fn pkcs7_from_the_token_verifies_with_tessera_and_openssl() {
    let hsm = SoftHsm::with_entity("moica-card", "citizen-wang");
    let s = start_on(&hsm, SOFTHSM_MODULE, &[]);
    let challenge = "tessera-login-challenge-0123456789abcdef";
    let r = sign_json(
        &s,
        SITE,
        make_signature(challenge, USER_PIN, "SHA256", "PKCS7"),
    )
    .await;
    assert_eq!(r["func"], "sign", "{r}");
    assert_eq!(r["ret_code"], 0, "{r}");
    assert_eq!(r["last_error"], 0);
    assert!(r["version"].as_str().is_some_and(|v| !v.is_empty()));
    assert!(r["cardSN"].as_str().is_some_and(|v| !v.is_empty()), "{r}");
    assert_eq!(b64(&r, "certb64"), pki().cert_der("citizen-wang"));
    let sig = b64(&r, "signature");
    let v = tessera_verify(&sig, SignatureFormat::Cms, None, challenge.as_bytes());
    assert_eq!(v.identity.name, pki().entity("citizen-wang").name);
    let content = openssl_cms_verify(&sig, "citizen-wang", None);
    assert_eq!(content, challenge.as_bytes());
}

#[tokio::test]
async fn ec_keys_and_sha384_sha512_verify() {
    for (entity, hash) in [("citizen-chen", "SHA384"), ("citizen-li", "SHA512")] {
        let hsm = SoftHsm::with_entity("ec-card", entity);
        let s = start_on(&hsm, SOFTHSM_MODULE, &[]);
        let tbs = format!("challenge for {entity}");
        let r = sign_json(&s, SITE, make_signature(&tbs, USER_PIN, hash, "PKCS7")).await;
        assert_eq!(r["ret_code"], 0, "{entity}: {r}");
        let sig = b64(&r, "signature");
        tessera_verify(&sig, SignatureFormat::Cms, None, tbs.as_bytes());
        assert_eq!(openssl_cms_verify(&sig, entity, None), tbs.as_bytes());
    }
}

#[tokio::test]
async fn rsa_sha512_pkcs7_and_raw_pkcs1_verify() {
    let hsm = SoftHsm::with_entity("moica-card", "citizen-wang");
    let s = start_on(&hsm, SOFTHSM_MODULE, &[]);
    let r = sign_json(&s, SITE, make_signature("abc", USER_PIN, "SHA512", "PKCS7")).await;
    assert_eq!(r["ret_code"], 0, "{r}");
    assert_eq!(
        openssl_cms_verify(&b64(&r, "signature"), "citizen-wang", None),
        b"abc"
    );

    let r = sign_json(
        &s,
        SITE,
        make_signature("raw challenge", USER_PIN, "SHA384", "PKCS1"),
    )
    .await;
    assert_eq!(r["ret_code"], 0, "{r}");
    let format = SignatureFormat::Raw {
        digest: DigestAlg::Sha384,
        padding: RsaPadding::Pkcs1,
    };
    let v = tessera_verify(
        &b64(&r, "signature"),
        format,
        Some(b64(&r, "certb64")),
        b"raw challenge",
    );
    assert_eq!(v.identity.name, pki().entity("citizen-wang").name);
}

#[tokio::test]
async fn hipki_form_post_with_base64_tbs_and_encoded_pin() {
    let hsm = SoftHsm::with_entity("moica-card", "citizen-wang");
    let s = start_on(&hsm, SOFTHSM_MODULE, &[]);
    let content = [0u8, 1, 2, 0xfe, 0xff, b'+', b'/'];
    let package = serde_json::json!({
        "func": "MakeSignature",
        "tbs": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, content),
        "tbsEncoding": "base64",
        "hashAlgorithm": "SHA256",
        "signatureType": "PKCS7",
        "pin": USER_PIN,
    })
    .to_string();
    let r: serde_json::Value = client()
        .post(format!("{}/sign", s.base))
        .header("Origin", SITE)
        .form(&[("tbsPackage", package)])
        .send()
        .await
        .expect("POST")
        .json()
        .await
        .expect("json");
    assert_eq!(r["ret_code"], 0, "{r}");
    assert!(
        r.get("cardSN").is_none(),
        "cardSN only when withCardSN: {r}"
    );
    assert_eq!(
        openssl_cms_verify(&b64(&r, "signature"), "citizen-wang", None),
        content
    );
}

#[tokio::test]
async fn pkcs11info_lists_readers_tokens_and_certificates() {
    let hsm = SoftHsm::with_entity("moica-card", "citizen-wang");
    let s = start_on(&hsm, SOFTHSM_MODULE, &[]);
    let get = |q: &'static str| {
        let url = format!("{}/pkcs11info{q}", s.base);
        async move {
            client()
                .get(url)
                .header("Origin", SITE)
                .send()
                .await
                .expect("GET")
        }
    };
    let resp = get("?withcert=true").await;
    assert_eq!(
        resp.headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some(SITE)
    );
    let r: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(r["func"], "pkcs11info");
    assert_eq!(r["ret_code"], 0, "{r}");
    let slots = r["slots"].as_array().expect("slots");
    let token_slot = slots
        .iter()
        .find(|s| s["token"].is_object())
        .unwrap_or_else(|| panic!("no token in {r}"));
    assert!(
        token_slot["slotDescription"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
    let token = &token_slot["token"];
    assert_eq!(token["label"], "moica-card");
    assert!(
        token["serialNumber"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
    let cert = &token["certs"][0];
    assert_eq!(b64(cert, "certb64"), pki().cert_der("citizen-wang"));
    assert!(
        cert["usage"]
            .as_str()
            .is_some_and(|u| u.contains("digitalSignature")),
        "{cert}"
    );
    let name = &pki().entity("citizen-wang").name;
    assert!(
        cert["subjectDN"]
            .as_str()
            .is_some_and(|d| d.contains(name.as_str())),
        "{cert}"
    );
    assert!(
        cert["issuerDN"]
            .as_str()
            .is_some_and(|d| d.contains("內政部")),
        "{cert}"
    );
    assert!(
        cert["notAfter"].as_str().is_some_and(|d| d.len() >= 20),
        "{cert}"
    );

    let r: serde_json::Value = get("").await.json().await.expect("json");
    assert_eq!(r["ret_code"], 0);
    let certs: usize = r["slots"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s["token"]["certs"].as_array())
                .map(Vec::len)
                .sum()
        })
        .unwrap_or(0);
    assert_eq!(certs, 0, "CheckEnvir-style info lists no certificates: {r}");

    // HiPKI's IE path POSTs to /pkcs11info.
    let r: serde_json::Value = client()
        .post(format!("{}/pkcs11info?withcert=true", s.base))
        .header("Origin", SITE)
        .send()
        .await
        .expect("POST")
        .json()
        .await
        .expect("json");
    assert_eq!(r["ret_code"], 0, "{r}");
    assert!(r["slots"].to_string().contains("certb64"), "{r}");
}

#[tokio::test]
async fn no_card_is_0x76000006_and_missing_pin_or_tbs_have_their_codes() {
    let hsm = SoftHsm::empty();
    let s = start_on(&hsm, SOFTHSM_MODULE, &[]);
    let r = sign_json(&s, SITE, make_signature("x", USER_PIN, "SHA256", "PKCS7")).await;
    assert_eq!(r["ret_code"], 0x7600_0006_u32, "{r}");
    assert_eq!(r["message"], "未插入IC卡");

    let hsm = SoftHsm::with_entity("moica-card", "citizen-wang");
    let s = start_on(&hsm, SOFTHSM_MODULE, &[]);
    let r = sign_json(&s, SITE, make_signature("x", "", "SHA256", "PKCS7")).await;
    assert_eq!(r["ret_code"], 0x7600_0998_u32, "{r}");
    let r = sign_json(&s, SITE, make_signature("", USER_PIN, "SHA256", "PKCS7")).await;
    assert_eq!(r["ret_code"], 0x7600_0003_u32, "{r}");
    let r = sign_json(&s, SITE, make_signature("x", USER_PIN, "MD5", "PKCS7")).await;
    assert_eq!(r["ret_code"], 0x7630_0002_u32, "{r}");
    let r = sign_json(&s, SITE, serde_json::json!({"func": "FormatCard"})).await;
    assert_eq!(r["ret_code"], 0x7600_000E_u32, "{r}");
}

#[tokio::test]
async fn a_module_that_cannot_load_is_reported() {
    let hsm = SoftHsm::empty();
    let s = start_on(&hsm, "/nonexistent/libnothing.so", &[]);
    let r = sign_json(&s, SITE, make_signature("x", USER_PIN, "SHA256", "PKCS7")).await;
    assert_eq!(r["ret_code"], 0x7610_0001_u32, "{r}");
}

#[tokio::test]
async fn hipki_popup_transport_unencoded_form_with_escaped_plus() {
    // HiPKI pages escape '+' as %2B and send `tbsPackage=` + JSON without further encoding.
    let hsm = SoftHsm::with_entity("moica-card", "citizen-wang");
    let s = start_on(&hsm, SOFTHSM_MODULE, &[]);
    let content = [0xfb_u8, 0xff, 0xbf, b'x'];
    let tbs = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, content);
    assert!(tbs.contains('+'));
    let json = serde_json::json!({
        "func": "MakeSignature", "tbs": tbs, "tbsEncoding": "base64",
        "hashAlgorithm": "SHA256", "signatureType": "PKCS7", "pin": USER_PIN,
    })
    .to_string()
    .replace('+', "%2B");
    let r: serde_json::Value = client()
        .post(format!("{}/sign", s.base))
        .header("Origin", SITE)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("tbsPackage={json}"))
        .send()
        .await
        .expect("POST")
        .json()
        .await
        .expect("json");
    assert_eq!(r["ret_code"], 0, "{r}");
    assert_eq!(
        openssl_cms_verify(&b64(&r, "signature"), "citizen-wang", None),
        content
    );
}

#[tokio::test]
async fn get_user_cert_and_check_envir_through_sign_answer_like_pkcs11info() {
    let hsm = SoftHsm::with_entity("moica-card", "citizen-wang");
    let s = start_on(&hsm, SOFTHSM_MODULE, &[]);
    let r = sign_json(&s, SITE, serde_json::json!({"func": "GetUserCert"})).await;
    assert_eq!(r["func"], "pkcs11info", "{r}");
    assert_eq!(r["ret_code"], 0, "{r}");
    assert!(r["slots"].to_string().contains("certb64"), "{r}");
    let r = sign_json(&s, SITE, serde_json::json!({"func": "CheckEnvir"})).await;
    assert_eq!(r["func"], "pkcs11info", "{r}");
    assert!(
        r["serverVersion"].as_str().is_some_and(|v| !v.is_empty()),
        "{r}"
    );
    assert!(!r["slots"].to_string().contains("certb64"), "{r}");
}

#[tokio::test]
async fn a_two_key_card_signs_with_its_signing_certificate_and_honours_keyidb64() {
    // Like a MOICA card: one key pair may not sign (keyUsage without digitalSignature).
    let hsm = SoftHsm::empty();
    hsm.init_token("two-keys");
    hsm.import("two-keys", "citizen-wu-nosign", "01");
    hsm.import("two-keys", "citizen-wang", "02");
    let s = start_on(&hsm, SOFTHSM_MODULE, &[]);
    let r = sign_json(
        &s,
        SITE,
        make_signature("pick", USER_PIN, "SHA256", "PKCS7"),
    )
    .await;
    assert_eq!(r["ret_code"], 0, "{r}");
    assert_eq!(b64(&r, "certb64"), pki().cert_der("citizen-wang"));

    let mut req = make_signature("pick", USER_PIN, "SHA256", "PKCS7");
    req["keyidb64"] = serde_json::json!("AQ==");
    let r = sign_json(&s, SITE, req).await;
    assert_eq!(
        r["ret_code"], 0x7610_000C_u32,
        "a non-signing key must not sign: {r}"
    );

    let mut req = make_signature("pick", USER_PIN, "SHA256", "PKCS7");
    req["keyidb64"] = serde_json::json!("Ag==");
    req["slotDescription"] = serde_json::json!("no such reader");
    let r = sign_json(&s, SITE, req).await;
    assert_eq!(r["ret_code"], 0x7600_0006_u32, "{r}");
}
