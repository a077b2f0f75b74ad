//! Demo mode's people (`tessera serve --demo`): the demo people's accounts, made once
//! with known passwords (王小明 with his card bound, 陳美麗 and 林醫師 registered but unbound,
//! 李大同 without an account, an HCA institution card, a revoked card), and what to try with
//! each card on `/demo`.

use std::path::Path;

use tessera_app::demo::DemoPerson;
use tessera_pki::testpki::Manifest;
use tessera_pki::{Verifier, VerifyRequest};
use tessera_store::NewAccount;
use tessera_store::certs::NewBinding;
use tessera_web::AppState;

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

/// The demo people's accounts, made once (and the bound card bound again when the demo PKI
/// was rebuilt with new serials).
pub async fn seed(
    state: &AppState,
    verifier: &Verifier,
    dir: &Path,
    m: &Manifest,
) -> Result<Vec<DemoPerson>, RunError> {
    let now = tessera_app::clock::now();
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
