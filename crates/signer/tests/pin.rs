//! PIN handling against a token that counts wrong PINs like a smart card (SoftHSM2 behind the
//! PIN-counting test module): a wrong PIN is `ret_code` 0x76100006 with `last_error` 0xA0 and
//! is tried exactly once, the final try is announced, and a locked PIN is reported as 0xA4 —
//! also for the right PIN afterwards and in `/pkcs11info`.

mod common;

use common::*;

fn logins(log: &std::path::Path) -> usize {
    std::fs::read_to_string(log)
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

#[tokio::test]
async fn wrong_pin_is_0xa0_tried_once_then_locked_card_is_0xa4() {
    let hsm = SoftHsm::with_entity("moica-card", "citizen-wang");
    let shim = build_pinlock(hsm.dir.path());
    let log = hsm.dir.path().join("logins.txt");
    let log_s = log.to_string_lossy().into_owned();
    let shim_s = shim.to_string_lossy().into_owned();
    let s = start_on(
        &hsm,
        &shim_s,
        &[("PINLOCK_REAL", SOFTHSM_MODULE), ("PINLOCK_LOG", &log_s)],
    );

    let r = sign_json(&s, SITE, make_signature("c1", "000000", "SHA256", "PKCS7")).await;
    assert_eq!(r["ret_code"], 0x7610_0006_u32, "{r}");
    assert_eq!(r["last_error"], 0xA0, "{r}");
    assert_eq!(r["pinState"], "count_low", "{r}");
    assert!(r.get("signature").is_none());
    assert_eq!(logins(&log), 1, "the signer must not retry a refused PIN");

    let r = sign_json(&s, SITE, make_signature("c2", "111111", "SHA256", "PKCS7")).await;
    assert_eq!(r["last_error"], 0xA0, "{r}");
    assert_eq!(r["pinState"], "final_try", "{r}");
    assert_eq!(r["pinTriesLeft"], 1, "{r}");
    assert_eq!(logins(&log), 2);

    let r = sign_json(&s, SITE, make_signature("c3", "222222", "SHA256", "PKCS7")).await;
    assert_eq!(r["ret_code"], 0x7610_0006_u32, "{r}");
    assert_eq!(r["last_error"], 0xA4, "{r}");
    assert_eq!(r["pinState"], "locked", "{r}");
    assert_eq!(r["pinTriesLeft"], 0, "{r}");

    // Locked is locked: the right PIN is refused too, and the lock is not hidden.
    let r = sign_json(&s, SITE, make_signature("c4", USER_PIN, "SHA256", "PKCS7")).await;
    assert_eq!(r["last_error"], 0xA4, "{r}");
    assert_eq!(logins(&log), 4);

    let info: serde_json::Value = client()
        .get(format!("{}/pkcs11info", s.base))
        .header("Origin", SITE)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("json");
    let locked = info["slots"]
        .as_array()
        .is_some_and(|a| a.iter().any(|s| s["token"]["pinState"] == "locked"));
    assert!(locked, "{info}");
}

#[tokio::test]
async fn right_pin_after_a_wrong_one_signs_and_clears_the_warning() {
    let hsm = SoftHsm::with_entity("moica-card", "citizen-wang");
    let shim = build_pinlock(hsm.dir.path());
    let shim_s = shim.to_string_lossy().into_owned();
    let s = start_on(&hsm, &shim_s, &[("PINLOCK_REAL", SOFTHSM_MODULE)]);
    let r = sign_json(&s, SITE, make_signature("c1", "000000", "SHA256", "PKCS7")).await;
    assert_eq!(r["last_error"], 0xA0, "{r}");
    let r = sign_json(&s, SITE, make_signature("c2", USER_PIN, "SHA256", "PKCS7")).await;
    assert_eq!(r["ret_code"], 0, "{r}");
    assert!(r.get("pinState").is_none(), "{r}");
    assert_eq!(
        openssl_cms_verify(&b64(&r, "signature"), "citizen-wang", None),
        b"c2"
    );
}

#[tokio::test]
async fn the_pin_never_appears_in_the_log_or_the_approvals_file() {
    let hsm = SoftHsm::with_entity("moica-card", "citizen-wang");
    let log = hsm.dir.path().join("signer.log");
    let conf = hsm.conf.to_string_lossy().into_owned();
    let s = start_signer_logged(
        &["--pkcs11-module", SOFTHSM_MODULE, "--allow-origin", SITE],
        &[("SOFTHSM2_CONF", conf.as_str())],
        &log,
    );
    let secret = "pin-9Q7Z5X-secret";
    let r = sign_json(&s, SITE, make_signature("c1", secret, "SHA256", "PKCS7")).await;
    assert_eq!(r["last_error"], 0xA0, "{r}");
    let form = serde_json::json!({"func": "MakeSignature", "tbs": "c2", "pin": secret}).to_string();
    let r: serde_json::Value = client()
        .post(format!("{}/sign", s.base))
        .header("Origin", SITE)
        .form(&[("tbsPackage", form)])
        .send()
        .await
        .expect("POST")
        .json()
        .await
        .expect("json");
    assert_eq!(r["last_error"], 0xA0, "{r}");
    assert!(!r.to_string().contains(secret));
    let approvals = s.approvals.clone();
    drop(s);
    let text = std::fs::read_to_string(&log).expect("signer log");
    assert!(
        text.contains("request"),
        "the log should show the requests: {text}"
    );
    assert!(!text.contains(secret), "the PIN leaked into the log");
    let stored = std::fs::read_to_string(approvals).unwrap_or_default();
    assert!(!stored.contains(secret));
}
