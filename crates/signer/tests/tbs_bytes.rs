//! The bytes a page asks to have signed are the bytes signed. Random content in every
//! `tbsEncoding` the signer reads (`base64` for binary, `NONE` for text) and every hash
//! algorithm goes to `/sign` in each way pages send it — a JSON body; the `tbsPackage` field
//! encoded by a form encoder (Tessera's popup, `reqwest`'s `.form`); the page's JSON text
//! appended unencoded, as HiPKI pages post it and HiPKI's popup forwards it (bare `+` in a
//! base64 `tbs`), with any content type or none; with `+` escaped as `%2B`; with the `tbs`
//! `encodeURIComponent`-encoded as MOICA's sample page does — and must come out of the parser
//! as exactly those bytes, in a CMS SignedData (PKCS#12 soft token, through the real router)
//! that OpenSSL verifies over exactly those bytes. Arbitrary bodies never make the parser
//! panic.

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Request as HttpRequest, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{SITE, pki};
use openssl::cms::{CMSOptions, CmsContentInfo};
use openssl::x509::store::{X509Store, X509StoreBuilder};
use openssl::x509::{X509, X509PurposeId};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::prelude::*;
use tessera_pki::testpki::P12_PASSWORD;
use tessera_signer::backend::pkcs12::Pkcs12Backend;
use tessera_signer::backend::{Backend, HashAlg};
use tessera_signer::origins::Origins;
use tessera_signer::protocol::Request;
use tessera_signer::server::{AppState, router};
use tower::ServiceExt;

/// What JavaScript's `encodeURIComponent` leaves alone.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

fn encode_uri_component(s: &str) -> String {
    utf8_percent_encode(s, URI_COMPONENT).to_string()
}

/// How a page writes the `tbs` value into its JSON text.
#[derive(Debug, Clone, Copy)]
enum Page {
    /// As it is: `JSON.stringify` of the value, nothing escaped (a bare `+` stays).
    Bare,
    /// `JSON.stringify(…).replace(/\+/g, "%2B")`, as many HiPKI pages do.
    PlusEscaped,
    /// `tbs: encodeURIComponent(value)`, as MOICA's sample page does.
    UriEncoded,
    /// `%` written as `%25` and `+` as `%2B`, as Tessera's client module does.
    PercentEscaped,
}

/// How the text reaches `/sign`.
#[derive(Debug, Clone, Copy)]
enum Transport {
    /// `tbsPackage=` + form-encoded text (a form encoder; Tessera's popup).
    FormEncoded,
    /// `tbsPackage=` + the text unencoded, typed as a form (HiPKI's popup, IE pages).
    RawForm,
    /// The same, sent by `fetch` with a string body (text/plain).
    RawTextPlain,
    /// The same without any content type.
    RawUntyped,
}

const HASHES: [&str; 5] = ["SHA256", "SHA384", "SHA512", "sha-256", "SHA-512"];

fn hash_of(name: &str) -> HashAlg {
    HashAlg::parse(name).unwrap_or_else(|| panic!("{name} is a supported hash"))
}

/// The page's JSON text for `tbs` (already in its encoding) written the page's way.
fn package(tbs: &str, encoding: Option<&str>, hash: &str, page: Page) -> String {
    let tbs_value = match page {
        Page::Bare | Page::PlusEscaped => tbs.to_owned(),
        Page::UriEncoded => encode_uri_component(tbs),
        Page::PercentEscaped => tbs.replace('%', "%25").replace('+', "%2B"),
    };
    let mut req = serde_json::json!({
        "func": "MakeSignature",
        "tbs": tbs_value,
        "hashAlgorithm": hash,
        "signatureType": "PKCS7",
        "pin": encode_uri_component(P12_PASSWORD),
        "withCardSN": "true",
        "nonce": "n-1",
    });
    if let Some(e) = encoding {
        req["tbsEncoding"] = serde_json::json!(e);
    }
    let text = req.to_string();
    match page {
        Page::PlusEscaped => text.replace('+', "%2B"),
        _ => text,
    }
}

/// The `/sign` body and its content type.
fn body(text: &str, transport: Transport) -> (Vec<u8>, Option<&'static str>) {
    const FORM: &str = "application/x-www-form-urlencoded";
    match transport {
        Transport::FormEncoded => {
            let b = form_urlencoded::Serializer::new(String::new())
                .append_pair("tbsPackage", text)
                .finish();
            (b.into_bytes(), Some(FORM))
        }
        Transport::RawForm => (format!("tbsPackage={text}").into_bytes(), Some(FORM)),
        Transport::RawTextPlain => (
            format!("tbsPackage={text}").into_bytes(),
            Some("text/plain;charset=UTF-8"),
        ),
        Transport::RawUntyped => (format!("tbsPackage={text}").into_bytes(), None),
    }
}

/// Parses a `tbsPackage` body as `/sign` does (the router's choice of form or JSON is tested
/// through the router) and returns the tbs bytes, hash and PIN, or the signer's error.
fn parse(text: &str, transport: Transport) -> Result<(Vec<u8>, HashAlg, String), String> {
    let (b, _) = body(text, transport);
    let r = Request::from_body(&b, true).map_err(|e| e.to_string())?;
    let pin = r
        .pin
        .as_ref()
        .map(|p| p.expose().to_owned())
        .unwrap_or_default();
    Ok((r.tbs.unwrap_or_default(), r.hash, pin))
}

/// The two bodies the parser sees: form-encoded or the page's text appended as it is.
fn bodies() -> impl Strategy<Value = Transport> {
    prop_oneof![Just(Transport::FormEncoded), Just(Transport::RawForm)]
}

/// Every way a body reaches the router.
fn transports() -> impl Strategy<Value = Transport> {
    prop_oneof![
        Just(Transport::FormEncoded),
        Just(Transport::RawForm),
        Just(Transport::RawTextPlain),
        Just(Transport::RawUntyped),
    ]
}

/// Pages that sign binary content send it base64, in any of the four ways.
fn binary_pages() -> impl Strategy<Value = Page> {
    prop_oneof![
        Just(Page::Bare),
        Just(Page::PlusEscaped),
        Just(Page::UriEncoded),
        Just(Page::PercentEscaped),
    ]
}

/// Text holding what form and percent decoding would change, CJK, controls and quotes.
fn awkward_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            3 => any::<char>(),
            1 => proptest::sample::select(vec![
                '+', '%', '&', '=', ' ', '"', '\\', '/', '\n', '中', '𠀀', '2', 'B', 'f',
            ]),
        ],
        0..200,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn base64_content_is_parsed_to_exactly_its_bytes(
        bytes in proptest::collection::vec(any::<u8>(), 1..2048),
        hash in proptest::sample::select(HASHES.to_vec()),
        encoding in proptest::sample::select(vec!["base64", "BASE64", "Base64"]),
        page in binary_pages(),
        transport in bodies(),
    ) {
        let b64 = STANDARD.encode(&bytes);
        let text = package(&b64, Some(encoding), hash, page);
        let (tbs, alg, pin) = parse(&text, transport)
            .map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        prop_assert_eq!(tbs, bytes, "{:?} {:?}: {}", page, transport, text);
        prop_assert_eq!(alg, hash_of(hash));
        prop_assert_eq!(pin, P12_PASSWORD);
    }

    #[test]
    fn text_content_is_parsed_to_exactly_its_utf8_bytes(
        s in awkward_text().prop_filter("a tbs is not empty", |s| !s.is_empty()),
        hash in proptest::sample::select(HASHES.to_vec()),
        encoding in proptest::sample::select(vec![None, Some("NONE"), Some("none"), Some("")]),
        page in prop_oneof![Just(Page::UriEncoded), Just(Page::PercentEscaped)],
        transport in bodies(),
    ) {
        // Pages that send text with '%' escape it (HiPKI decodes %XX once); both ways here.
        let text = package(&s, encoding, hash, page);
        let (tbs, alg, _) = parse(&text, transport)
            .map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        prop_assert_eq!(tbs, s.as_bytes(), "{:?} {:?}: {}", page, transport, text);
        prop_assert_eq!(alg, hash_of(hash));
    }

    #[test]
    fn text_without_percent_signs_may_be_sent_bare(
        s in awkward_text().prop_map(|s| s.replace('%', "")).prop_filter("not empty", |s| !s.is_empty()),
        transport in bodies(),
    ) {
        let text = package(&s, Some("NONE"), "SHA256", Page::Bare);
        let (tbs, _, _) = parse(&text, transport)
            .map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        prop_assert_eq!(tbs, s.as_bytes(), "{:?}: {}", transport, text);
    }

    #[test]
    fn a_json_body_is_taken_literally(
        s in awkward_text().prop_filter("not empty", |s| !s.is_empty()),
        bytes in proptest::collection::vec(any::<u8>(), 1..512),
    ) {
        let text = package(&s, Some("NONE"), "SHA256", Page::Bare);
        let r = Request::from_body(text.as_bytes(), false)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(r.tbs.unwrap_or_default(), s.as_bytes());
        let text = package(&STANDARD.encode(&bytes), Some("base64"), "SHA384", Page::Bare);
        let r = Request::from_body(text.as_bytes(), false)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(r.tbs.unwrap_or_default(), bytes);
    }

    #[test]
    fn arbitrary_bodies_never_panic(
        prefix in proptest::sample::select(vec![
            &b""[..], b"tbsPackage=", b"tbsPackage={", b"tbsPackage= {\"tbs\":\"", b"a=1&tbsPackage=",
            b"tbsPackage=%7B",
        ]),
        rest in proptest::collection::vec(any::<u8>(), 0..512),
        form in any::<bool>(),
    ) {
        let mut b = prefix.to_vec();
        b.extend_from_slice(&rest);
        let _ = Request::from_body(&b, form);
    }

    #[test]
    fn arbitrary_json_packages_never_panic(
        tbs in any::<String>(),
        encoding in any::<String>(),
        pin in any::<String>(),
        key in any::<String>(),
        slot in any::<String>(),
        transport in bodies(),
    ) {
        let text = serde_json::json!({
            "func": "MakeSignature", "tbs": tbs, "tbsEncoding": encoding, "pin": pin,
            "keyidb64": key, "slotDescription": slot,
        })
        .to_string();
        let (b, _) = body(&text, transport);
        let _ = Request::from_body(&b, true);
    }
}

/// The test root and every CA of the test PKI, with any purpose accepted (`-purpose any`).
fn trust() -> &'static X509Store {
    static STORE: OnceLock<X509Store> = OnceLock::new();
    STORE.get_or_init(|| {
        let p = pki();
        let mut b = X509StoreBuilder::new().expect("store");
        let mut add = |path: std::path::PathBuf| {
            let pem = std::fs::read(path).expect("read CA");
            for c in X509::stack_from_pem(&pem).expect("CA PEM") {
                b.add_cert(c).expect("add CA");
            }
        };
        add(p.root_pem());
        add(p.ca_pem("citizen-wang"));
        b.set_purpose(X509PurposeId::ANY).expect("purpose any");
        b.build()
    })
}

/// Verifies a CMS SignedData with OpenSSL (binary mode) and returns the content it signs.
fn openssl_verified_content(der: &[u8]) -> Result<Vec<u8>, String> {
    let mut cms = CmsContentInfo::from_der(der).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    cms.verify(
        None,
        Some(trust()),
        None,
        Some(&mut out),
        CMSOptions::BINARY,
    )
    .map_err(|e| e.to_string())?;
    Ok(out)
}

/// The signer's router on a PKCS#12 soft token, the test site approved, and a runtime.
fn signer() -> &'static (axum::Router, tokio::runtime::Runtime) {
    static SIGNER: OnceLock<(axum::Router, tokio::runtime::Runtime)> = OnceLock::new();
    SIGNER.get_or_init(|| {
        let p12 = pki().path(&pki().entity("citizen-wang").p12);
        let backend: Arc<dyn Backend> =
            Arc::new(Pkcs12Backend::open(&p12, None).expect("open p12"));
        let origins = Arc::new(Origins::new(&[SITE.to_owned()], None).expect("origins"));
        let addr: SocketAddr = "127.0.0.1:61161".parse().expect("addr");
        let app = router(Arc::new(AppState::new(backend, origins, addr)));
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        (app, rt)
    })
}

/// `POST /sign` through the router as the approved site; the JSON answer.
fn post_sign(body: Vec<u8>, content_type: Option<&str>) -> serde_json::Value {
    let (app, rt) = signer();
    let mut req = HttpRequest::builder()
        .method("POST")
        .uri("/sign")
        .header(header::HOST, "127.0.0.1:61161")
        .header(header::ORIGIN, SITE);
    if let Some(ct) = content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    let req = req.body(Body::from(body)).expect("request");
    rt.block_on(async {
        let resp = app.clone().oneshot(req).await.expect("router answers");
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .expect("body");
        serde_json::from_slice(&bytes).expect("JSON answer")
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn the_signature_verifies_over_exactly_the_bytes_the_page_sent(
        binary in proptest::collection::vec(any::<u8>(), 1..1024),
        text in awkward_text().prop_filter("not empty", |s| !s.is_empty()),
        as_text in any::<bool>(),
        hash in proptest::sample::select(vec!["SHA256", "SHA384", "SHA512"]),
        page in binary_pages(),
        transport in transports(),
    ) {
        let (content, tbs, encoding, page) = if as_text {
            // Text goes the way a page must send a '%': escaped (or encodeURIComponent).
            let page = match page {
                Page::Bare | Page::PlusEscaped => Page::PercentEscaped,
                p => p,
            };
            (text.clone().into_bytes(), text, "NONE", page)
        } else {
            (binary.clone(), STANDARD.encode(&binary), "base64", page)
        };
        let json = package(&tbs, Some(encoding), hash, page);
        let (b, ct) = body(&json, transport);
        let answer = post_sign(b, ct);
        prop_assert_eq!(&answer["ret_code"], 0, "{:?} {:?}: {} -> {}", page, transport, json, answer);
        let sig = STANDARD
            .decode(answer["signature"].as_str().unwrap_or_default())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let signed = openssl_verified_content(&sig).map_err(TestCaseError::fail)?;
        prop_assert_eq!(signed, content, "{:?} {:?} {}", page, transport, hash);
    }
}

#[test]
fn a_hipki_page_base64_with_bare_plus_is_signed_over_its_bytes() {
    // The third-party page's request: base64 holding '+' and '/', nothing escaped.
    let content = [0xfb_u8, 0xff, 0xbf, 0x3e, 0x00, 0xfe, b'x'];
    let b64 = STANDARD.encode(content);
    assert!(b64.contains('+') && b64.contains('/'), "{b64}");
    let json = package(&b64, Some("base64"), "SHA256", Page::Bare);
    for transport in [
        Transport::RawForm,
        Transport::FormEncoded,
        Transport::RawTextPlain,
    ] {
        let (b, ct) = body(&json, transport);
        let answer = post_sign(b, ct);
        assert_eq!(answer["ret_code"], 0, "{transport:?}: {answer}");
        let sig = STANDARD
            .decode(answer["signature"].as_str().unwrap_or_default())
            .expect("base64 signature");
        assert_eq!(openssl_verified_content(&sig).as_deref(), Ok(&content[..]));
    }
}
