//! Demo mode (`tessera serve --demo`, issue 5): a newcomer tries every certificate flow in a
//! browser without a card reader. On top of the demo test PKI (`certs.rs`) this module
//!
//! * creates the demo people's accounts once (known passwords; 王小明 with his card bound,
//!   陳美麗 and 林醫師 registered but unbound, 李大同 without an account, an HCA institution
//!   card, a revoked card), and
//! * with `demo_orgs`, adds the organization registry entries, the organization cards and
//!   a back-office staff account (issue 6), and
//! * runs the signing component **in-process**, from the `tessera-signer` library, on a
//!   PKCS#12 "reader" whose card the `/demo` page swaps (like pulling one card and inserting
//!   another). In-process rather than a child process: the demo must swap cards from a web
//!   page, which needs the signer's key store in reach; nothing extra has to be built, found
//!   or stopped, and it ends with `serve`.
//!
//! The demo signer takes the configured signer address (default 127.0.0.1:61161) when it is
//! free. When something already listens there — a real tessera-signer or HiPKI — that
//! program is left alone: the demo signer listens on a free loopback port instead, the demo's
//! pages use that one (CSP included), and the start-up message says so.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use tessera_pki::testpki::Manifest;
use tessera_pki::{Verifier, VerifyRequest};
use tessera_signer::backend::pkcs12::Pkcs12Backend;
use tessera_signer::backend::{Backend, Selection, SignOp, Signed, SlotReport};
use tessera_signer::pin::Pin;
use tessera_signer::{SignerError, origins::Origins};
use tessera_store::NewAccount;
use tessera_store::certs::NewBinding;
use tessera_web::AppState;
use tessera_web::demo::{DemoCards, DemoPerson};
use tokio::net::TcpListener;

use crate::config::Config;
use crate::runtime::RunError;

/// A demo person: test PKI entity, account (username, password, card bound?), what to try.
struct Seed {
    id: &'static str,
    account: Option<(&'static str, &'static str, bool)>,
    try_zh: &'static str,
    try_en: &'static str,
}

/// `""` as username = the national ID (a citizen-certificate registration).
const SEEDS: &[Seed] = &[
    Seed {
        id: "citizen-wang",
        account: Some(("", "Demo2026wang", true)),
        try_zh: "帳號已綁定這張卡：憑證登入、會員中心的解除憑證綁定與重新綁定、忘記密碼 › 使用自然人憑證重設密碼。",
        try_en: "His account has this card bound: sign in with the card, unbind and bind it again in My account, reset the password with the card.",
    },
    Seed {
        id: "citizen-chen",
        account: Some(("chenmeili", "Demo2026chen", false)),
        try_zh: "已註冊帳號但卡片尚未綁定：憑證登入 → 輸入身分證字號 → 輸入帳號密碼 → 憑證綁定成功。",
        try_en: "Registered, card not bound: sign in with the card → type the ID number → the account's password → bound.",
    },
    Seed {
        id: "citizen-li",
        account: None,
        try_zh: "尚無帳號：自然人憑證註冊；或憑證登入後選擇暫不綁定（僅憑證登入）。",
        try_en: "No account yet: register with the card, or sign in with it and skip binding (certificate-only session).",
    },
    Seed {
        id: "medical-doctor",
        account: Some(("drlin01", "Demo2026doctor", false)),
        try_zh: "醫事人員卡（HCA）：以卡內的身分證字號綁定醫師的會員帳號。",
        try_en: "HCA personnel card: bind it to the doctor's member account by the ID number it carries.",
    },
    Seed {
        id: "medical-hospital",
        account: None,
        try_zh: "醫事機構卡（HCA）：以機構帳號（H＋機構代碼）登入，第一次使用時自動建立。",
        try_en: "HCA institution card: signs in as the institution's account (H + institution code), made on first use.",
    },
    Seed {
        id: "citizen-lin-revoked",
        account: None,
        try_zh: "已廢止的憑證：登入時會被拒絕並顯示「憑證已被廢止」。",
        try_en: "A revoked certificate: every use is refused with “The certificate has been revoked”.",
    },
];

/// The demo signer's reader: one PKCS#12 card at a time, swapped by the `/demo` page.
pub struct DemoReader {
    dir: PathBuf,
    manifest: Manifest,
    people: Vec<DemoPerson>,
    card: RwLock<(String, Arc<dyn Backend>)>,
}

impl DemoReader {
    fn open(&self, id: &str) -> Result<Arc<dyn Backend>, String> {
        let e = self
            .manifest
            .entity(id)
            .filter(|_| self.people.iter().any(|p| p.id == id))
            .ok_or_else(|| format!("no demo card {id}"))?;
        let pin = Pin::from_request(&self.manifest.p12_password);
        Pkcs12Backend::open(&self.dir.join(&e.p12), pin.as_ref())
            .map(|b| Arc::new(b) as Arc<dyn Backend>)
            .map_err(|e| e.to_string())
    }

    fn current(&self) -> Arc<dyn Backend> {
        match self.card.read() {
            Ok(c) => c.1.clone(),
            Err(p) => p.into_inner().1.clone(),
        }
    }
}

impl Backend for DemoReader {
    fn slots(&self, with_certs: bool) -> Result<Vec<SlotReport>, SignerError> {
        self.current().slots(with_certs)
    }

    fn sign_with(
        &self,
        sel: &Selection,
        pin: &Pin,
        op: &mut SignOp<'_>,
    ) -> Result<Signed, SignerError> {
        self.current().sign_with(sel, pin, op)
    }
}

impl DemoCards for DemoReader {
    fn people(&self) -> Vec<DemoPerson> {
        self.people.clone()
    }

    fn inserted(&self) -> Option<String> {
        self.card.read().ok().map(|c| c.0.clone())
    }

    fn insert(&self, id: &str) -> Result<(), String> {
        let backend = self.open(id)?;
        let mut card = self
            .card
            .write()
            .map_err(|_| "reader poisoned".to_owned())?;
        *card = (id.to_owned(), backend);
        tracing::info!(card = id, "demo card inserted");
        Ok(())
    }

    fn pin(&self) -> String {
        self.manifest.p12_password.clone()
    }
}

/// The demo people's accounts, made once (and the bound card bound again when the demo PKI
/// was rebuilt with new serials).
async fn seed(
    state: &AppState,
    verifier: &Verifier,
    dir: &Path,
    m: &Manifest,
) -> Result<Vec<DemoPerson>, RunError> {
    let now = tessera_web::state::now();
    let mut people = Vec::new();
    for s in SEEDS {
        let e = m
            .entity(s.id)
            .ok_or_else(|| format!("demo PKI lacks {}", s.id))?;
        let mut account = None;
        if let Some((username, password, bind)) = s.account {
            let username = if username.is_empty() {
                e.national_id.clone().unwrap_or_default()
            } else {
                username.to_owned()
            };
            let a = match state.store.account_by_username(&username).await? {
                Some(a) => a,
                None => {
                    let hash = state
                        .hasher
                        .hash(password)
                        .await
                        .map_err(|f| format!("demo account: {}", f.code))?;
                    let email = format!("{}@demo.tessera.test", username.to_lowercase());
                    let a = state
                        .store
                        .create_account(&NewAccount {
                            username: username.clone(),
                            name: e.name.clone(),
                            email: email.clone(),
                            mobile: None,
                            national_id: e.national_id.clone(),
                            birthday: None,
                            landline: None,
                            password_hash: hash,
                            terms_version: state.settings.terms_version.clone(),
                            terms_accepted_at: now,
                            created_at: now,
                        })
                        .await?;
                    state.store.set_email_verified(&a.id, &email).await?;
                    a
                }
            };
            if bind {
                bind_card(state, verifier, dir, e, &a.id, now).await?;
            }
            account = Some((username, password.to_owned()));
        }
        people.push(DemoPerson {
            id: s.id.to_owned(),
            name: e.name.clone(),
            national_id: e.national_id.clone(),
            account,
            try_zh: s.try_zh.to_owned(),
            try_en: s.try_en.to_owned(),
        });
    }
    Ok(people)
}

/// Binds the entity's card to `account_id` unless it is bound already.
async fn bind_card(
    state: &AppState,
    verifier: &Verifier,
    dir: &Path,
    e: &tessera_pki::testpki::manifest::EntityEntry,
    account_id: &str,
    now: i64,
) -> Result<(), RunError> {
    let cert = openssl::x509::X509::from_pem(&std::fs::read(dir.join(&e.cert))?)?;
    let key = openssl::pkey::PKey::private_key_from_pem(&std::fs::read(dir.join(&e.key))?)?;
    let content = b"tessera demo binding".to_vec();
    let cms = openssl::cms::CmsContentInfo::sign(
        Some(&cert),
        Some(&key),
        None,
        Some(&content),
        openssl::cms::CMSOptions::BINARY,
    )?
    .to_der()?;
    let v = verifier.verify(&VerifyRequest {
        signature: cms,
        expected_content: content,
        ..VerifyRequest::default()
    })?;
    let id = &v.identity;
    if state
        .store
        .account_by_certificate(&id.issuer, &id.serial)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let time = |t: &openssl::asn1::Asn1TimeRef| tessera_pki::timeutil::asn1_to_unix(t);
    state
        .store
        .bind_certificate(&NewBinding {
            account_id: account_id.to_owned(),
            issuer: id.issuer.clone(),
            serial: id.serial.clone(),
            kind: id.kind.as_str().to_owned(),
            subject: id.subject.clone(),
            not_before: time(cert.not_before()).ok_or("certificate time")?,
            not_after: time(cert.not_after()).ok_or("certificate time")?,
            bound_at: now,
        })
        .await?;
    Ok(())
}

/// The loopback address of a signer URL such as `http://127.0.0.1:61161`.
fn signer_addr(url: &str) -> Option<SocketAddr> {
    let rest = url.strip_prefix("http://")?.trim_end_matches('/');
    let rest = rest
        .strip_prefix("localhost:")
        .map_or_else(|| rest.to_owned(), |port| format!("127.0.0.1:{port}"));
    rest.parse()
        .ok()
        .filter(|a: &SocketAddr| a.ip().is_loopback())
}

/// Seeds the demo accounts, starts the in-process signer and hands its reader to the pages.
/// Call before the app is built: it may move the pages' signer address.
pub async fn start(
    config: &Config,
    state: &mut AppState,
    verifier: &Verifier,
) -> Result<(), RunError> {
    let dir = config.data_dir.join("demo-pki");
    if !dir.join("manifest.json").is_file() {
        println!(
            "Demo signer not started: [pki] trust_dir is configured, so there is no demo PKI."
        );
        return Ok(());
    }
    let manifest = Manifest::load(&dir)?;
    let mut people = seed(state, verifier, &dir, &manifest).await?;
    crate::demo_orgs::seed(state, &manifest).await?;
    people.extend(crate::demo_orgs::cards(&manifest)?);
    let wanted = signer_addr(&state.settings.signer_url)
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 61161)));
    let listener = match TcpListener::bind(wanted).await {
        Ok(l) => l,
        Err(e) => {
            println!(
                "Demo signer: {wanted} is taken ({e}) — probably your own tessera-signer or HiPKI. \
                 It is left alone; the demo signer uses another loopback port and the demo pages talk to that one."
            );
            TcpListener::bind("127.0.0.1:0").await?
        }
    };
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}");
    let reader = Arc::new(DemoReader {
        dir: dir.clone(),
        manifest,
        people,
        card: RwLock::new((String::new(), Arc::new(NoCard) as Arc<dyn Backend>)),
    });
    reader.insert("citizen-wang")?;
    let approvals = config.data_dir.join("demo-signer-approvals.json");
    let origins = Arc::new(Origins::new(
        std::slice::from_ref(&state.settings.base_url),
        Some(approvals),
    )?);
    let signer = Arc::new(tessera_signer::server::AppState::new(
        reader.clone(),
        origins,
        addr,
    ));
    tokio::spawn(async move {
        if let Err(e) =
            tessera_signer::server::serve(listener, signer, std::future::pending()).await
        {
            tracing::error!(error = %e, "demo signer stopped");
        }
    });
    let mut settings = (*state.settings).clone();
    settings.signer_url = url.clone();
    state.settings = Arc::new(settings);
    state.demo_cards = Some(reader);
    println!("Demo signer (in-process, test cards, PIN = tessera-test) on {url}");
    println!(
        "Demo people, their passwords and the card switch: {}/demo",
        state.settings.base_url
    );
    Ok(())
}

/// The reader before the first card goes in.
struct NoCard;

impl Backend for NoCard {
    fn slots(&self, _with_certs: bool) -> Result<Vec<SlotReport>, SignerError> {
        Ok(Vec::new())
    }

    fn sign_with(&self, _: &Selection, _: &Pin, _: &mut SignOp<'_>) -> Result<Signed, SignerError> {
        Err(SignerError::NoCard)
    }
}
