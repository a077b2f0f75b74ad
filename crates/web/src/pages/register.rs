//! 加入會員: the registration form with every field of `RegisterInput`, hints stating the
//! rules as the seed words them, the terms checkbox and the ALTCHA widget; then the page that
//! asks the registrant to open the verification email.

use crate::error::FailureExt;
use askama::Template;
use axum::Form as PostForm;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use tessera_core::password::PasswordPolicy;

use super::form::{Field, Form, Group, opt};
use super::i18n::L;
use super::layout::{Page, PageCtx, redirect, render};
use crate::error::Failure;
use tessera_app::flows::register::{self, RegisterInput};
use tessera_app::flows::upstream::{cookie, link, pending_cookie_name};
use tessera_app::state::AppState;

/// The registration form as posted (`_csrf` is checked by the middleware).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    username: String,
    password: String,
    password_confirm: String,
    name: String,
    email: String,
    mobile: String,
    national_id: String,
    birthday: String,
    landline: String,
    accept_terms: String,
    captcha: String,
}

#[derive(Template)]
#[template(path = "register/form.html")]
struct RegisterPage {
    page: Page,
    form: Form,
    /// Registering after an unlinked upstream sign-in: what happens to the link ("" if not).
    upstream_note: String,
}

#[derive(Template)]
#[template(path = "register/done.html")]
struct DonePage {
    page: Page,
}

/// The password rule, stated with the configured limits.
pub fn password_hint(l: L, p: &PasswordPolicy) -> String {
    match l.0 {
        tessera_core::lang::Lang::ZhTw => format!(
            "密碼需設 {}-{} 個字元，至少須含英文字母及數字，有區分大小寫；不得與帳號相同或包含帳號，也請避免使用身分證字號、生日等個人資訊或常見密碼。",
            p.min_len, p.max_len
        ),
        tessera_core::lang::Lang::En => format!(
            "Use {}-{} characters with at least one letter and one digit (case-sensitive). It must not be or contain your username; avoid your ID number, birthday and common passwords.",
            p.min_len, p.max_len
        ),
    }
}

fn form(l: L, policy: &PasswordPolicy, v: &RegisterForm) -> Form {
    Form::grouped(vec![
        Group {
            legend: l.t("步驟一：設定帳號和密碼", "Step 1: username and password"),
            fields: vec![
                Field::text("username", l.t("帳號", "Username"))
                    .required()
                    .autocomplete("username")
                    .hint(l.t(
                        "帳號需設 5-15 字元的英文字母、數字，第一個字須為英文字母；註冊後不能修改。",
                        "5-15 letters (A-Z) or digits, starting with a letter. It cannot be changed later.",
                    ))
                    .value(&v.username),
                Field::password("password", l.t("密碼", "Password"))
                    .required()
                    .autocomplete("new-password")
                    .hint(password_hint(l, policy)),
                Field::password("password_confirm", l.t("確認密碼", "Confirm password"))
                    .required()
                    .autocomplete("new-password")
                    .hint(l.t("請再輸入一次密碼。", "Type the password again.")),
            ],
        },
        Group {
            legend: l.t("步驟二：基本資料", "Step 2: about you"),
            fields: profile_fields(l, &v.name, &v.email, &v.national_id, &v.birthday, &v.landline),
        },
        Group {
            legend: l.t("步驟三：忘記密碼救援手機", "Step 3: recovery mobile"),
            fields: vec![mobile_field(l, &v.mobile)],
        },
        Group {
            legend: l.t("步驟四：您同意嗎？", "Step 4: do you agree?"),
            fields: vec![
                Field::checkbox(
                    "accept_terms",
                    l.t(
                        "我已經詳細閱讀並同意服務條款和隱私權政策",
                        "I have read and accept the terms of use and the privacy policy",
                    ),
                )
                .required()
                .value(if v.accept_terms.is_empty() { "" } else { "on" })
                .hint(l.t("請先閱讀全文：", "Read them first:"))
                .link(
                    "/terms",
                    l.t(
                        "服務條款和隱私權政策（另開新視窗）",
                        "terms of use and privacy policy (opens a new window)",
                    ),
                ),
                Field::captcha(l),
            ],
        },
    ])
}

/// The recovery-mobile field (registration and profile).
pub fn mobile_field(l: L, value: &str) -> Field {
    Field::tel("mobile", l.t("救援手機", "Recovery mobile"))
        .autocomplete("tel")
        .hint(l.t(
            "選填。請輸入 09 開頭的 10 位數字，例如 0911123456；忘記密碼時可用簡訊取得驗證碼（需先完成手機驗證）。",
            "Optional. 10 digits starting with 09, e.g. 0911123456. Once verified, it can receive a code if you forget your password.",
        ))
        .value(value)
}

/// The personal-data fields shared by registration and profile maintenance.
pub fn profile_fields(
    l: L,
    name: &str,
    email: &str,
    national_id: &str,
    birthday: &str,
    landline: &str,
) -> Vec<Field> {
    vec![
        Field::text("name", l.t("姓名", "Name"))
            .required()
            .autocomplete("name")
            .hint(l.t(
                "最多 50 個字，罕用字（例如 𡘙）也可以輸入。",
                "Up to 50 characters; rare characters (such as 𡘙) are fine.",
            ))
            .value(name),
        Field::email("email", l.t("電子信箱", "Email"))
            .required()
            .hint(l.t(
                "請填寫有效的電子信箱，系統將寄發帳號通知信及驗證信至此信箱。",
                "Use a working address: account notices and the verification email go there.",
            ))
            .value(email),
        Field::text("national_id", l.t("身分證字號或居留證號", "National ID or resident certificate number"))
            .autocomplete("off")
            .hint(l.t(
                "選填。1 個英文字母加 9 個數字，例如 A123456789；居留證號亦可輸入 A800000014 或 AB12345678 格式。",
                "Optional. One letter and 9 digits, e.g. A123456789, or a resident certificate number such as A800000014 or AB12345678.",
            ))
            .value(national_id),
        Field::date("birthday", l.t("生日", "Date of birth"))
            .autocomplete("bday")
            .hint(l.t(
                "選填。以西元年月日輸入，例如 1990-01-31。",
                "Optional. Year-month-day, e.g. 1990-01-31.",
            ))
            .value(birthday),
        Field::tel("landline", l.t("聯絡電話（市話）", "Landline"))
            .hint(l.t(
                "選填。請輸入區碼及號碼，分機以 # 區隔，例如 0212345678#12345。",
                "Optional. Area code and number, extension after #, e.g. 0212345678#12345.",
            ))
            .value(landline),
    ]
}

pub async fn show(State(state): State<AppState>, pc: PageCtx, headers: HeaderMap) -> Response {
    let l = pc.l();
    let page = pc.page(l.t("加入會員", "Register")).with_captcha();
    let (prefill, upstream_note) = register_prefill(&state, l, &headers).await;
    let form = form(l, &state.settings.password_policy, &prefill);
    let t = RegisterPage {
        page,
        form,
        upstream_note,
    };
    render(&pc, StatusCode::OK, &t)
}

/// What the upstream said about the registrant waiting to be linked: name, and the email
/// when the upstream verified it.
pub fn prefilled(name: Option<&str>, email: Option<&str>) -> RegisterForm {
    RegisterForm {
        name: name.unwrap_or_default().to_owned(),
        email: email.unwrap_or_default().to_owned(),
        ..RegisterForm::default()
    }
}

pub async fn submit(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    PostForm(v): PostForm<RegisterForm>,
) -> Response {
    let l = pc.l();
    let mismatch = v.password != v.password_confirm;
    let input = RegisterInput {
        username: v.username.clone(),
        password: v.password.clone(),
        name: v.name.clone(),
        email: v.email.clone(),
        mobile: opt(&v.mobile),
        national_id: opt(&v.national_id),
        birthday: opt(&v.birthday),
        landline: opt(&v.landline),
        accept_terms: !v.accept_terms.is_empty(),
        // With mismatched passwords the flow only validates: no CAPTCHA, no account.
        captcha: if mismatch { None } else { opt(&v.captcha) },
    };
    let (_, upstream_note) = register_prefill(&state, l, &headers).await;
    let result = if upstream_note.is_empty() {
        register::register(&state, &input, &pc.ctx)
            .await
            .map(|_| vec![])
    } else {
        // Linked to the external account the registrant just signed in with.
        register_linked(&state, &pc, &headers, &input).await
    };
    let mut failure = match result {
        Ok(cookies) => return redirect("/register/done", &cookies),
        Err(failure) => failure,
    };
    let mut f = form(l, &state.settings.password_policy, &v);
    if mismatch {
        // Only the field rules were checked; the missing CAPTCHA is not the user's problem.
        failure.fields.retain(|e| e.field != "captcha");
        failure.kind = crate::error::FailureKind::Validation;
        if !failure.fields.is_empty() {
            f.fail(l, &failure);
        }
        f.field_error(l, "password_confirm", "password_mismatch");
    } else {
        f.fail(l, &failure);
    }
    let page = pc.page(l.t("加入會員", "Register")).with_captcha();
    let t = RegisterPage {
        page,
        form: f,
        upstream_note,
    };
    render(&pc, failure.status(), &t)
}

pub async fn done(pc: PageCtx) -> Response {
    let page = pc.page(pc.l().t("註冊成功", "Registration complete"));
    render(&pc, StatusCode::OK, &DonePage { page })
}

/// Registration after an unlinked upstream sign-in: the form pre-filled from the upstream
/// (the email only when it verified it) and the note saying the new account gets linked;
/// an empty note when no identity waits.
pub async fn register_prefill(
    state: &AppState,
    l: L,
    headers: &HeaderMap,
) -> (RegisterForm, String) {
    let Ok(Some(p)) = link::pending(state, &crate::cookies::jar(headers)).await else {
        return (Default::default(), String::new());
    };
    let email = p.email.as_deref().filter(|_| p.email_verified);
    let provider = state.upstream.display_name(&p.provider, l.0);
    let note = if l.is_en() {
        format!(
            "Registering links the new account to your {provider} account, so you can sign in with {provider} afterwards."
        )
    } else {
        format!(
            "完成註冊後，新帳號會與您的 {provider} 帳號建立關聯，之後可直接使用 {provider} 登入。"
        )
    };
    (prefilled(p.name.as_deref(), email), note)
}

/// Registers and links the waiting identity; the cookies to set on the way to the done page.
pub async fn register_linked(
    state: &AppState,
    pc: &PageCtx,
    headers: &HeaderMap,
    input: &tessera_app::flows::register::RegisterInput,
) -> Result<Vec<String>, Failure> {
    link::register(state, &crate::cookies::jar(headers), input, &pc.ctx).await?;
    Ok(vec![
        cookie(state, pending_cookie_name(state), None),
        pc.flash_cookie("upstream_registered"),
    ])
}
