//! Unit tests of the ID-token checks for what the fake issuer of the integration tests does not
//! produce: ES256 and EdDSA keys, a header without `kid` against a set whose keys have one, a
//! key of the wrong type under the right `kid`, a JWE-shaped token, and profile claims.

use josekit::jwk::{Jwk, JwkSet};
use josekit::jws::{self, JwsHeader};
use josekit::jwt::{self, JwtPayload};
use serde_json::{Map, Value, json};

use super::{Expected, Identity, TokenError, verify};

const NOW: i64 = 1_800_000_000;

fn claims() -> Value {
    json!({ "iss": "https://idp.example.tw", "aud": "client-1", "sub": "person-1",
            "exp": NOW + 300, "iat": NOW - 5, "nonce": "n-1" })
}

fn token(c: &Value, signer: &dyn jws::JwsSigner, kid: Option<&str>) -> String {
    let mut p = JwtPayload::new();
    for (k, v) in c.as_object().cloned().unwrap_or_default() {
        p.set_claim(&k, Some(v)).expect("claim");
    }
    let mut h = JwsHeader::new();
    if let Some(kid) = kid {
        h.set_key_id(kid);
    }
    jwt::encode_with_signer(&p, &h, signer).expect("sign")
}

fn set(keys: &[Jwk]) -> JwkSet {
    let list: Vec<Value> = keys
        .iter()
        .map(|k| Value::Object(k.as_ref().clone()))
        .collect();
    let mut m = Map::new();
    m.insert("keys".into(), Value::Array(list));
    JwkSet::from_map(m).expect("set")
}

fn public(private: &Jwk, kid: &str) -> Jwk {
    let mut k = private.to_public_key().expect("public");
    k.set_key_id(kid);
    k
}

fn expected(algs: &[String]) -> Expected<'_> {
    Expected {
        issuer: "https://idp.example.tw",
        client_id: "client-1",
        nonce: "n-1",
        algs,
        now: NOW,
        access_token: None,
    }
}

#[test]
fn es256_and_eddsa_keys_verify_and_kid_may_be_absent() {
    let algs = vec!["ES256".to_owned(), "EdDSA".to_owned()];
    let ec = Jwk::generate_ec_key(josekit::jwk::P_256).expect("ec");
    let ed = Jwk::generate_ed_key(josekit::jwk::Ed25519).expect("ed");
    let keys = set(&[public(&ec, "ec-1"), public(&ed, "ed-1")]);
    let es = jws::ES256.signer_from_jwk(&ec).expect("signer");
    let eddsa = jws::EdDSA.signer_from_jwk(&ed).expect("signer");
    for t in [
        token(&claims(), &es, Some("ec-1")),
        token(&claims(), &es, None),
        token(&claims(), &eddsa, Some("ed-1")),
    ] {
        let who = verify(&t, &keys, &expected(&algs)).expect("valid");
        assert_eq!(who.subject, "person-1");
    }
    // The right kid on a key of another type is no key for the token.
    let wrong = token(&claims(), &es, Some("ed-1"));
    assert_eq!(
        verify(&wrong, &keys, &expected(&algs)),
        Err(TokenError::UnknownKey)
    );
    // ES256 is not on an RS256-only list, even with a fitting key.
    let rs_only = vec!["RS256".to_owned()];
    let t = token(&claims(), &es, Some("ec-1"));
    assert_eq!(
        verify(&t, &keys, &expected(&rs_only)),
        Err(TokenError::AlgNotAllowed)
    );
}

#[test]
fn malformed_tokens_are_refused_before_any_key_is_tried() {
    let algs = vec!["RS256".to_owned()];
    let keys = set(&[]);
    for t in [
        "",
        "a.b",
        "a.b.c.d.e",
        "not base64.x.y",
        &"A".repeat(20_000),
    ] {
        assert_eq!(
            verify(t, &keys, &expected(&algs)),
            Err(TokenError::Malformed),
            "{t:.20}"
        );
    }
}

#[test]
fn profile_claims_are_taken_only_when_sane() {
    let who = Identity {
        subject: "s".into(),
        email: None,
        email_verified: false,
        name: None,
    };
    let c = json!({ "email": "a@b.tw", "email_verified": "true", "name": "林\u{7}小美" });
    let who = who.with_profile(c.as_object().expect("object"));
    assert_eq!(who.email.as_deref(), Some("a@b.tw"));
    assert!(who.email_verified);
    assert_eq!(who.name, None, "control characters refused");
    let c = json!({ "email": "x@y.tw" });
    let who = who.with_profile(c.as_object().expect("object"));
    assert!(!who.email_verified, "unverified unless said");
}
