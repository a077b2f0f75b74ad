//! Revocation against real parts: `openssl ocsp` running as a responder on loopback (good,
//! revoked, unknown, stranger-signed, stale, CA-signed, cached), CRL files and CRLs fetched
//! from a certificate's distribution point, fallback, fail-open and the host allow-list.

mod common;

use std::sync::atomic::Ordering;

use common::*;
use tessera_pki::{RevocationConfig, RevocationMode, RevocationOutcome, VerifyRequest};

const CHALLENGE: &[u8] = b"revocation-challenge";

fn request(id: &str) -> VerifyRequest {
    VerifyRequest {
        signature: cms_sign(id, CHALLENGE, &[]),
        expected_content: CHALLENGE.to_vec(),
        purpose: Some("login".into()),
        ..VerifyRequest::default()
    }
}

fn ocsp_only(url: Option<String>) -> RevocationConfig {
    RevocationConfig {
        crl_fallback: false,
        ocsp_responder: url,
        ..mode(RevocationMode::Ocsp)
    }
}

fn moica_responder(port: u16, nmin: u32) -> Responder {
    Responder::start(
        port,
        "moica-test",
        "ocsp/moica-test-ocsp.pem",
        "ocsp/moica-test-ocsp.key",
        nmin,
    )
}

fn source(outcome: &RevocationOutcome) -> String {
    match outcome {
        RevocationOutcome::Good { source } => source.clone(),
        other => format!("{other:?}"),
    }
}

#[test]
fn ocsp_from_aia_is_good_then_cached_until_next_update() {
    let responder = moica_responder(pki().moica_ocsp_port, 10);
    let (v, counter) = verifier_with(ocsp_only(None), login_policies());
    let first = v.verify(&request("citizen-wang")).expect("good via AIA");
    assert_eq!(source(&first.revocation), "ocsp");
    assert_eq!(
        counter.urls.lock().map(|u| u.clone()).unwrap_or_default(),
        vec![responder.url()]
    );
    drop(responder);
    let second = v.verify(&request("citizen-wang")).expect("good from cache");
    assert_eq!(source(&second.revocation), "ocsp-cache");
    assert_eq!(
        counter.calls.load(Ordering::SeqCst),
        1,
        "cached answer needs no fetch"
    );
    // Past nextUpdate the cache no longer answers and the (stopped) responder is asked again.
    let later = VerifyRequest {
        at: Some(tessera_pki::timeutil::now_unix() + 3600),
        ..request("citizen-wang")
    };
    assert_eq!(
        v.verify(&later).map(|_| ()).map_err(|e| e.code()),
        Err("revocation_unknown")
    );
    assert_eq!(counter.calls.load(Ordering::SeqCst), 2);
}

#[test]
fn ocsp_revoked_and_unknown_are_refused() {
    let responder = moica_responder(free_port(), 5);
    let (v, _) = verifier_with(ocsp_only(Some(responder.url())), login_policies());
    let revoked = v
        .verify(&request("citizen-lin-revoked"))
        .expect_err("revoked");
    assert_eq!(revoked.code(), "revoked");
    let unknown = v
        .verify(&request("citizen-tsai-unknown"))
        .expect_err("unknown");
    assert_eq!(unknown.code(), "revocation_unknown");
}

#[test]
fn responder_must_echo_the_nonce_when_required() {
    let responder = moica_responder(free_port(), 5);
    let config = RevocationConfig {
        require_nonce: true,
        ..ocsp_only(Some(responder.url()))
    };
    let (v, _) = verifier_with(config, login_policies());
    assert!(
        v.verify(&request("citizen-wang")).is_ok(),
        "openssl ocsp echoes the request nonce"
    );
}

#[test]
fn ca_signed_ocsp_answer_is_accepted() {
    let responder = Responder::start(
        free_port(),
        "moica-test",
        "trust/moica-test.pem",
        "ca/moica-test.key",
        5,
    );
    let (v, _) = verifier_with(ocsp_only(Some(responder.url())), login_policies());
    assert!(v.verify(&request("citizen-wang")).is_ok());
}

#[test]
fn ocsp_signed_by_a_stranger_or_another_ca_is_refused() {
    let stranger = Responder::start(
        free_port(),
        "moica-test",
        "stranger/ocsp.pem",
        "stranger/ocsp.key",
        5,
    );
    let (v, _) = verifier_with(ocsp_only(Some(stranger.url())), login_policies());
    let err = v
        .verify(&request("citizen-wang"))
        .expect_err("stranger-signed");
    assert_eq!(err.code(), "revocation_unknown");
    assert!(err.to_string().contains("not authorised"), "{err}");
    let other_ca = Responder::start(
        free_port(),
        "moica-test",
        "ocsp/gca-test-ocsp.pem",
        "ocsp/gca-test-ocsp.key",
        5,
    );
    let (v, _) = verifier_with(ocsp_only(Some(other_ca.url())), login_policies());
    assert_eq!(
        v.verify(&request("citizen-wang"))
            .map(|_| ())
            .map_err(|e| e.code()),
        Err("revocation_unknown")
    );
}

#[test]
fn stale_ocsp_answer_is_refused() {
    let responder = moica_responder(free_port(), 1);
    let (v, _) = verifier_with(ocsp_only(Some(responder.url())), login_policies());
    let req = VerifyRequest {
        at: Some(tessera_pki::timeutil::now_unix() + 3600),
        ..request("citizen-wang")
    };
    let err = v.verify(&req).expect_err("stale");
    assert_eq!(err.code(), "revocation_unknown");
    assert!(err.to_string().contains("stale"), "{err}");
    assert!(
        v.verify(&request("citizen-wang")).is_ok(),
        "the same responder is fresh now"
    );
}

#[test]
fn unreachable_responder_falls_back_to_crl_files() {
    let dead = format!("http://127.0.0.1:{}/", free_port());
    let config = RevocationConfig {
        ocsp_responder: Some(dead),
        ..mode(RevocationMode::Ocsp)
    };
    let (v, _) = verifier_with(config, login_policies());
    let ok = v.verify(&request("citizen-wang")).expect("CRL fallback");
    assert_eq!(source(&ok.revocation), "crl-file");
    assert_eq!(
        v.verify(&request("citizen-lin-revoked"))
            .map(|_| ())
            .map_err(|e| e.code()),
        Err("revoked")
    );
}

#[test]
fn fail_open_ca_passes_with_a_warning_and_fail_closed_refuses() {
    let dead = format!("http://127.0.0.1:{}/", free_port());
    let closed = ocsp_only(Some(dead.clone()));
    let (v, _) = verifier_with(closed, login_policies());
    assert_eq!(
        v.verify(&request("citizen-wang"))
            .map(|_| ())
            .map_err(|e| e.code()),
        Err("revocation_unknown")
    );
    let open = RevocationConfig {
        fail_open: vec!["moica-test.pem".into()],
        ..ocsp_only(Some(dead))
    };
    let (v, _) = verifier_with(open, login_policies());
    let ok = v.verify(&request("citizen-wang")).expect("fail-open");
    assert!(
        matches!(ok.revocation, RevocationOutcome::FailOpen { .. }),
        "{:?}",
        ok.revocation
    );
    let (v, _) = verifier_with(open_for("moica"), login_policies());
    assert!(
        v.verify(&request("citizen-wang")).is_ok(),
        "CA kind names work too"
    );
}

fn open_for(kind: &str) -> RevocationConfig {
    let dead = format!("http://127.0.0.1:{}/", free_port());
    RevocationConfig {
        fail_open: vec![kind.into()],
        ..ocsp_only(Some(dead))
    }
}

#[test]
fn crl_is_fetched_from_the_distribution_point_and_cached() {
    let hits = serve_crls(pki().crl_port);
    let no_crls = trust_dir_without_crls();
    let (v, counter) = verifier_in(no_crls.path(), mode(RevocationMode::Crl), login_policies());
    let ok = v.verify(&request("citizen-wang")).expect("CRL over HTTP");
    assert_eq!(source(&ok.revocation), "crl");
    let again = v
        .verify(&request("citizen-chen"))
        .expect("same CA, cached CRL");
    assert_eq!(source(&again.revocation), "crl-cache");
    assert_eq!(
        v.verify(&request("citizen-lin-revoked"))
            .map(|_| ())
            .map_err(|e| e.code()),
        Err("revoked")
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    assert_eq!(counter.calls.load(Ordering::SeqCst), 1);
}

#[test]
fn hosts_outside_the_allow_list_are_never_contacted() {
    let config = RevocationConfig {
        allowed_hosts: Some(vec!["ocsp.moica.nat.gov.tw".into()]),
        crl_fallback: false,
        ..mode(RevocationMode::Ocsp)
    };
    let (v, counter) = verifier_with(config, login_policies());
    assert_eq!(
        v.verify(&request("citizen-wang"))
            .map(|_| ())
            .map_err(|e| e.code()),
        Err("revocation_unknown")
    );
    assert_eq!(counter.calls.load(Ordering::SeqCst), 0);
}
