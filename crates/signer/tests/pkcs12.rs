//! The PKCS#12 soft token (demo mode): the file password plays the PIN; SHA-256 goes through
//! OpenSSL's CMS API, other hashes through the signer's own SignedData assembly; both verify
//! with Tessera's verifier and `openssl cms -verify`. A wrong password is reported like a
//! wrong card PIN.

mod common;

use common::*;
use tessera_pki::SignatureFormat;
use tessera_pki::testpki::P12_PASSWORD;

fn start_p12(entity: &str, with_password: bool) -> Signer {
    let p12 = pki().path(&pki().entity(entity).p12);
    let p12_s = p12.to_string_lossy().into_owned();
    let mut args = vec!["--pkcs12", p12_s.as_str(), "--allow-origin", SITE];
    if with_password {
        args.extend(["--pkcs12-password-env", "TEST_P12_PASSWORD"]);
    }
    start_signer(&args, &[("TEST_P12_PASSWORD", P12_PASSWORD)])
}

#[tokio::test]
async fn soft_token_signs_pkcs7_that_verifies_everywhere() {
    let s = start_p12("citizen-wang", true);
    for hash in ["SHA256", "SHA384", "SHA512"] {
        let tbs = format!("soft token {hash}");
        let r = sign_json(&s, SITE, make_signature(&tbs, P12_PASSWORD, hash, "PKCS7")).await;
        assert_eq!(r["ret_code"], 0, "{hash}: {r}");
        let sig = b64(&r, "signature");
        let v = tessera_verify(&sig, SignatureFormat::Cms, None, tbs.as_bytes());
        assert_eq!(v.identity.name, pki().entity("citizen-wang").name);
        assert_eq!(
            openssl_cms_verify(&sig, "citizen-wang", None),
            tbs.as_bytes()
        );
    }
}

#[tokio::test]
async fn soft_ec_key_and_detached_content() {
    let s = start_p12("citizen-chen", false);
    let mut req = make_signature("detached challenge", P12_PASSWORD, "SHA256", "PKCS7");
    req["detached"] = serde_json::json!(true);
    let r = sign_json(&s, SITE, req).await;
    assert_eq!(r["ret_code"], 0, "{r}");
    let sig = b64(&r, "signature");
    tessera_verify(&sig, SignatureFormat::Cms, None, b"detached challenge");
    openssl_cms_verify(&sig, "citizen-chen", Some(b"detached challenge"));
}

#[tokio::test]
async fn soft_token_lists_its_certificate_and_refuses_a_wrong_password() {
    let s = start_p12("citizen-wang", true);
    let info: serde_json::Value = client()
        .get(format!("{}/pkcs11info?withcert=true", s.base))
        .header("Origin", SITE)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("json");
    assert_eq!(info["ret_code"], 0, "{info}");
    let cert = &info["slots"][0]["token"]["certs"][0];
    assert_eq!(b64(cert, "certb64"), pki().cert_der("citizen-wang"));

    let r = sign_json(
        &s,
        SITE,
        make_signature("x", "wrong-password", "SHA256", "PKCS7"),
    )
    .await;
    assert_eq!(r["ret_code"], 0x7610_0006_u32, "{r}");
    assert_eq!(r["last_error"], 0xA0, "{r}");
    assert!(r.get("signature").is_none());
}

#[tokio::test]
async fn reported_version_can_match_what_old_pages_expect() {
    let p12 = pki().path(&pki().entity("citizen-wang").p12);
    let p12_s = p12.to_string_lossy().into_owned();
    let args = [
        "--pkcs12",
        p12_s.as_str(),
        "--allow-origin",
        SITE,
        "--report-version",
        "1.3.4.999999",
    ];
    let s = start_signer(&args, &[]);
    let r = sign_json(&s, SITE, serde_json::json!({"func": "CheckEnvir"})).await;
    assert_eq!(r["serverVersion"], "1.3.4.999999", "{r}");
    assert_eq!(r["product"], "tessera-signer", "{r}");
    let plain = start_p12("citizen-wang", false);
    let r = sign_json(&plain, SITE, serde_json::json!({"func": "CheckEnvir"})).await;
    assert_eq!(r["serverVersion"], env!("CARGO_PKG_VERSION"), "{r}");
}
