//! What the certificate benchmark sets up before anything is timed: the test PKI, a real
//! `openssl ocsp` responder on a free loopback port, Tessera in-process on SQLite trusting the
//! PKI with OCSP (answers cached after the first), accounts with the citizens' cards bound, and
//! the challenges issued over HTTP and signed by the cards (CMS SignedData, as the signer
//! makes them).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use openssl::cms::{CMSOptions, CmsContentInfo};
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;
use tessera_notify::{Mailer, SmsSender};
use tessera_pki::testpki::Manifest;
use tessera_pki::{PkiSettings, RevocationMode, Verifier, VerifyRequest};
use tessera_store::certs::NewBinding;
use tessera_store::{NewAccount, Store};
use tessera_web::{AppState, Settings};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The valid MOICA citizens of the test PKI whose cards sign in.
pub const CITIZENS: [&str; 3] = ["citizen-wang", "citizen-chen", "citizen-li"];

/// A card: certificate and key.
#[derive(Clone)]
pub struct Card {
    pub cert: X509,
    pub key: PKey<Private>,
}

pub fn card(dir: &Path, m: &Manifest, id: &str) -> Result<Card, BoxError> {
    let e = m.entity(id).ok_or_else(|| format!("no entity {id}"))?;
    Ok(Card {
        cert: X509::from_pem(&std::fs::read(dir.join(&e.cert))?)?,
        key: PKey::private_key_from_pem(&std::fs::read(dir.join(&e.key))?)?,
    })
}

/// CMS SignedData over `content` (attached, SHA-256), as tessera-signer answers `MakeSignature`.
pub fn sign(card: &Card, content: &[u8]) -> Result<Vec<u8>, BoxError> {
    let cms = CmsContentInfo::sign(
        Some(&card.cert),
        Some(&card.key),
        None,
        Some(content),
        CMSOptions::BINARY,
    )?;
    Ok(cms.to_der()?)
}

/// `openssl ocsp` for the MOICA test CA; killed on drop.
pub struct Responder(Child);

impl Drop for Responder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> Result<u16, BoxError> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

pub fn start_responder(dir: &Path, m: &Manifest, port: u16) -> Result<Responder, BoxError> {
    let p = |rel: &str| dir.join(rel).display().to_string();
    let mut child = Command::new("openssl")
        .args([
            "ocsp",
            "-index",
            &p(&m.ocsp_index),
            "-port",
            &port.to_string(),
        ])
        .args(["-rsigner", &p("ocsp/moica-test-ocsp.pem")])
        .args(["-rkey", &p("ocsp/moica-test-ocsp.key")])
        .args([
            "-CA",
            &p("trust/moica-test.pem"),
            "-nmin",
            "60",
            "-ignore_err",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("the openssl CLI is needed for the OCSP responder: {e}"))?;
    // Wait for its ready line (never probe it: the single-threaded responder would hang).
    let stderr = child.stderr.take().ok_or("no stderr")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("waiting for OCSP client connections") {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(10))
        .map_err(|_| "openssl ocsp did not start")?;
    Ok(Responder(child))
}

/// The verifier: the test PKI's trust directory, OCSP only (no CRL fallback) at `ocsp_url`.
pub fn verifier(dir: &Path, m: &Manifest, ocsp_url: &str) -> Result<Verifier, BoxError> {
    let settings = PkiSettings {
        trust_dir: Some(dir.join(&m.trust_dir)),
        revocation: RevocationMode::Ocsp,
        crl_fallback: false,
        ocsp_responder: Some(ocsp_url.to_owned()),
        ..PkiSettings::default()
    };
    Ok(settings.build()?)
}

/// Tessera on a free loopback port with SQLite in `dir`, challenge limits off (the bench is
/// one browser asking for thousands of challenges).
pub async fn start_server(dir: &Path, verifier: Verifier) -> Result<(SocketAddr, Store), BoxError> {
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let mut settings = Settings::new(&format!("http://{addr}"), "bench-secret".into());
    settings.cert_challenges_per_browser = 0;
    settings.cert_challenges_per_ip = 0;
    let state = AppState::new(
        store.clone(),
        settings,
        Mailer::maildir(dir.join("mail")),
        SmsSender::file(dir.join("sms.jsonl")),
    )
    .map_err(|f| format!("state: {}", f.code))?
    .with_pki(verifier);
    let app = tessera_web::app(state);
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    Ok((addr, store))
}

/// An account per citizen, registered with the national ID, the card bound.
pub async fn bind_cards(
    store: &Store,
    verifier: &Verifier,
    m: &Manifest,
    cards: &[Card],
) -> Result<(), BoxError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    for (id, card) in CITIZENS.iter().zip(cards) {
        let e = m.entity(id).ok_or("entity")?;
        let national_id = e.national_id.clone().ok_or("national id")?;
        let account = store
            .create_account(&NewAccount {
                username: national_id.clone(),
                name: e.name.clone(),
                email: format!("{id}@example.tw"),
                mobile: None,
                national_id: Some(national_id),
                birthday: None,
                landline: None,
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
                terms_version: "bench".into(),
                terms_accepted_at: now,
                created_at: now,
            })
            .await?;
        let content = b"identity of the bench card".to_vec();
        let verified = verifier.verify(&VerifyRequest {
            signature: sign(card, &content)?,
            expected_content: content,
            ..VerifyRequest::default()
        })?;
        let asn1 = |t: &openssl::asn1::Asn1TimeRef| tessera_pki::timeutil::asn1_to_unix(t);
        store
            .bind_certificate(&NewBinding {
                account_id: account.id,
                issuer: verified.identity.issuer.clone(),
                serial: verified.identity.serial.clone(),
                kind: verified.identity.kind.as_str().to_owned(),
                subject: verified.identity.subject.clone(),
                not_before: asn1(card.cert.not_before()).ok_or("not_before")?,
                not_after: asn1(card.cert.not_after()).ok_or("not_after")?,
                bound_at: now,
            })
            .await?;
    }
    Ok(())
}

/// A signed sign-in request body.
pub fn body(challenge_id: &str, signature: &[u8]) -> String {
    serde_json::json!({ "challenge_id": challenge_id, "signature": STANDARD.encode(signature) })
        .to_string()
}
