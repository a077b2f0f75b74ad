//! 線上申辦 through the pages, with the shipped type (報備支援): a member starts a case, fills
//! both form pages with the progress shown, uploads an attachment, checks the summary and sends
//! it (the case number appears); the reviewer of the host institution's county finds it in the
//! queue, returns it with a comment, the member corrects it and the reviewer approves; the CSV
//! export carries the number; the home county's reviewer may only read it, another county's
//! reviewer is told it does not exist; a staff member without the role is refused. A refused
//! date comes back (422) with the zh-TW message next to its field and what was typed.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use tessera_notify::{Mailer, SmsSender};
use tessera_store::orgs::OrgRecord;
use tessera_store::testing::TestDatabase;
use tessera_web::AppState;

use super::*;

/// The host institution (臺北市): its county's reviewers decide.
const HOST: &str = "0101090517";
/// The practitioner's registered institution (臺中市): its county's reviewers may read.
const HOME: &str = "0601160016";
const TYPE: &str = "medical-support";

/// A site offering the shipped type, with both institutions in the registry.
struct World {
    site: Site,
    state: AppState,
    _db: TestDatabase,
}

async fn world() -> World {
    let (store, db) = tessera_store::testing::sqlite_store()
        .await
        .expect("sqlite store");
    let dir = tempfile::tempdir().expect("tempdir");
    let state = AppState::new(
        store,
        settings(),
        Mailer::maildir(dir.path().join("mail")),
        SmsSender::file(dir.path().join("sms.jsonl")),
    )
    .expect("state")
    .with_applications(tessera_app::apply::Applications::shipped().expect("shipped type"));
    let now = tessera_app::clock::now();
    for (agency, code, name, county) in [
        ("MED0101090517", HOST, "臺北市立聯合醫院", "臺北市"),
        ("MED0601160016", HOME, "臺中慈恩醫院", "臺中市"),
    ] {
        let record = OrgRecord {
            agency_code: agency.into(),
            name: name.into(),
            organization_oid: None,
            business_id: None,
            institution_code: Some(code.into()),
            kind: "medical".into(),
        };
        state
            .store
            .upsert_organization(&record, now)
            .await
            .expect("registry");
        state
            .store
            .set_org_county(agency, county)
            .await
            .expect("county");
    }
    let site = Site {
        app: tessera_web::app(state.clone()),
        dir,
    };
    World {
        site,
        state,
        _db: db,
    }
}

/// A staff member with `roles` reviewing `counties`, signed in on the back office's page.
async fn staff(w: &World, username: &str, roles: &[&str], counties: &[&str]) -> Browser {
    let hash = w.state.hasher.hash(PASSWORD).await.expect("hash");
    let now = tessera_app::clock::now();
    let new = tessera_store::NewAccount {
        username: username.into(),
        name: "審查人員".into(),
        email: format!("{username}@example.gov.tw"),
        mobile: None,
        national_id: None,
        birthday: None,
        landline: None,
        password_hash: hash,
        terms_version: "staff".into(),
        terms_accepted_at: now,
        created_at: now,
    };
    let roles: Vec<String> = roles.iter().map(|r| (*r).to_owned()).collect();
    let account = w
        .state
        .store
        .create_staff(&new, &roles)
        .await
        .expect("staff");
    let counties: Vec<String> = counties.iter().map(|c| (*c).to_owned()).collect();
    w.state
        .store
        .set_staff_counties(&account.id, &counties)
        .await
        .expect("counties");
    let mut b = Browser::new(&w.site);
    b.get("/admin/login").await;
    let a = b
        .post(
            "/admin/login",
            &[
                ("username", username),
                ("password", PASSWORD),
                ("next", "/admin"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "staff sign-in: {}", a.text);
    b
}

/// A member, registered, verified and signed in.
async fn member(w: &World, username: &str) -> Browser {
    let mut b = Browser::new(&w.site);
    register_and_verify(&w.site, &mut b, username, "王小明").await;
    let a = sign_in(&mut b, username, PASSWORD, "").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "sign-in: {}", a.text);
    b
}

/// A date `days` from today (Asia/Taipei) as typed on a zh-TW form: 1150301.
fn roc_in(days: i64) -> String {
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::UtcOffset::from_hms(8, 0, 0).expect("offset"))
        .date();
    tessera_core::apply::date::roc_compact(today + time::Duration::days(days))
}

/// The case id in a form page's path.
fn case_id_of(location: &str) -> String {
    location
        .trim_start_matches("/apply/cases/")
        .split('/')
        .next()
        .unwrap_or("")
        .to_owned()
}

fn practitioner() -> Vec<(&'static str, String)> {
    vec![
        ("national_id", "A123456789".into()),
        ("name", "王小明".into()),
        ("profession", "physician".into()),
        ("certificate_number", "醫字第012345號".into()),
        ("phone", "0912345678".into()),
        ("email", "doctor@example.tw".into()),
    ]
}

fn support(start: &str, end: &str) -> Vec<(&'static str, String)> {
    vec![
        ("home_institution", HOME.into()),
        ("host_institution", HOST.into()),
        ("department", "內科".into()),
        ("reason", "outpatient".into()),
        ("reason_other", String::new()),
        ("timing", "prior".into()),
        ("justification", String::new()),
        ("period.start", start.into()),
        ("period.end", end.into()),
        ("schedule", "mon-am".into()),
        ("schedule", "wed-pm".into()),
    ]
}

async fn post_pairs(b: &mut Browser, path: &str, pairs: &[(&str, String)]) -> Answer {
    let fields: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post(path, &fields).await
}

/// Starts a case of the shipped type; returns its id.
async fn start(b: &mut Browser) -> String {
    let a = b.post(&format!("/apply/{TYPE}/start"), &[]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "start: {}", a.text);
    assert!(
        a.location().ends_with("/pages/practitioner"),
        "first page: {}",
        a.location()
    );
    case_id_of(a.location())
}

/// Uploads `bytes` as `name` to the attachments field, as the page's upload form does.
async fn upload(b: &mut Browser, id: &str, name: &str, bytes: &[u8]) -> Answer {
    let boundary = "----tessera-test-boundary";
    let mut body = Vec::new();
    for (k, v) in [("page", "support"), ("field", "attachments")] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/apply/cases/{id}/attachments"))
        .header(header::ORIGIN, BASE)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        );
    b.send(req, Body::from(body)).await
}

#[tokio::test]
async fn a_member_files_a_support_report_and_reviewers_decide_it_on_the_pages() {
    let w = world().await;
    let mut anon = Browser::new(&w.site);
    let a = anon.get("/apply").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.has("報備支援") && a.has("請先登入會員"), "{}", a.text);
    assert!(
        !a.has("/apply/medical-support/start"),
        "no start button without a session"
    );
    assert!(
        a.has(r#"<a href="/apply">線上申辦</a>"#),
        "the header links 線上申辦"
    );

    let mut m = member(&w, "Applyer01").await;
    let a = m.get("/account").await;
    assert!(a.has("我的申辦案件"), "會員中心 links the cases");
    let a = m.get("/apply").await;
    assert!(a.has("我的申辦案件") && a.has("開始申辦"), "{}", a.text);
    let id = start(&mut m).await;

    // Page 1, with the progress of the whole filing.
    let page1 = format!("/apply/cases/{id}/pages/practitioner");
    let a = m.get(&page1).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(
        a.has("已完成申辦流程的 0%") && a.has("醫事人員資料"),
        "{}",
        a.text
    );
    assert!(a.has(r#"<select id="f-profession" name="profession""#));
    let a = post_pairs(&mut m, &page1, &practitioner()).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "page 1: {}", a.text);
    let page2 = format!("/apply/cases/{id}/pages/support");
    assert_eq!(a.location(), page2);

    // Page 2: the date range, the 7 × 3 schedule grid, the attachments.
    let a = m.get(&page2).await;
    assert!(a.has("已完成申辦流程的 33%"), "{}", a.text);
    assert!(a.has(r#"name="period.start""#) && a.has(r#"name="period.end""#));
    assert!(a.has("1150301"), "the ROC hint");
    assert_eq!(
        a.text.matches(r#"type="checkbox" id="f-schedule-"#).count(),
        21
    );
    assert!(a.has("週一上午") && a.has("週日夜間"));
    assert!(a.has(r#"enctype="multipart/form-data""#));
    let (from, to) = (roc_in(30), roc_in(60));
    let a = post_pairs(&mut m, &page2, &support(&from, &to)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "page 2: {}", a.text);
    assert_eq!(a.location(), format!("/apply/cases/{id}"));
    // The saved page shows its dates as typed on zh-TW pages and its ticked slots.
    let a = m.get(&page2).await;
    assert!(a.has(&format!(r#"value="{from}""#)), "saved start date");
    assert!(a.has(r#"value="mon-am" form="page-form" checked"#));

    // An attachment: a PDF by its content, listed on its page and downloadable.
    let a = upload(&mut m, &id, "支援同意書.pdf", b"%PDF-1.4\n%test\n").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "upload: {}", a.text);
    assert_eq!(a.location(), page2);
    let a = m.follow(a).await;
    assert!(a.has("附件已上傳") && a.has("支援同意書.pdf"), "{}", a.text);
    let a = upload(&mut m, &id, "not-a.pdf", b"MZ\x90\0 not a pdf").await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.has("附件僅接受 PDF、JPEG 或 PNG 檔案"), "{}", a.text);

    // The summary is the last step: the values, the progress, the send button.
    let case = format!("/apply/cases/{id}");
    let a = m.get(&case).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(
        a.has("已完成申辦流程的 66%") && a.has("確認送出"),
        "{}",
        a.text
    );
    assert!(a.has("王小明") && a.has("週一上午") && a.has("草稿"));
    assert!(a.has(&format!(r#"href="{page2}">修改"#)));
    let att = a
        .text
        .split(&format!("/apply/cases/{id}/attachments/"))
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("download link")
        .to_owned();
    let d = m.get(&format!("/apply/cases/{id}/attachments/{att}")).await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.header("content-type"), "application/pdf");
    assert!(d.header("content-disposition").starts_with("attachment;"));

    // Sent: the case number, 報備-<ROC year>-000001.
    let a = m.post(&format!("{case}/act/submit"), &[]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "submit: {}", a.text);
    let a = m.follow(a).await;
    assert!(a.has("申請已送出"), "flash: {}", a.text);
    let number = a
        .text
        .split("案號：")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("case number")
        .to_owned();
    assert!(
        number.starts_with("報備-1") && number.ends_with("-000001"),
        "{number}"
    );
    assert!(a.has("已送出") && a.has("申請人"));
    // A reload of the action's path goes back to the case, never 405.
    let a = m.get(&format!("{case}/act/submit")).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.location(), case);

    // The host county's reviewer: the queue, then return with a comment.
    let mut tpe = staff(&w, "revtpe01", &["medical_support_reviewer"], &["臺北市"]).await;
    let a = tpe.get("/admin").await;
    assert!(
        a.has(r#"href="/admin/apply/medical-support""#),
        "{}",
        a.text
    );
    let queue = format!("/admin/apply/{TYPE}");
    let a = tpe.get(&queue).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert!(a.has(&number) && a.has(&format!(r#"href="/apply/cases/{id}""#)));
    assert!(a.has(r#"<strong id="queue-total">1</strong>"#));
    let a = tpe.get(&format!("{queue}?status=approved")).await;
    assert!(!a.has(&number), "filtered out by status");
    let a = tpe.get(&format!("{queue}?from=abc")).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.has("日期格式無法辨識"));
    let a = tpe.get(&case).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert!(a.has("退回補正") && a.has("核准") && a.has(r#"name="deadline_days""#));
    let a = tpe
        .post(&format!("{case}/act/return"), &[("comment", "")])
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.has("請填寫說明"), "{}", a.text);
    let a = tpe
        .post(
            &format!("{case}/act/return"),
            &[
                ("comment", "請補附支援機構之同意書。"),
                ("deadline_days", "14"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "return: {}", a.text);
    let a = tpe.follow(a).await;
    assert!(a.has("已退回補正") && a.has("補正中"), "{}", a.text);

    // The member sees the comment, edits and sends the correction.
    let a = m.get(&case).await;
    assert!(a.has("請補附支援機構之同意書。") && a.has("審查人員") && a.has("送出補正"));
    let a = post_pairs(&mut m, &page2, &support(&from, &to)).await;
    assert_eq!(
        a.status,
        StatusCode::SEE_OTHER,
        "corrected page: {}",
        a.text
    );
    let a = m.post(&format!("{case}/act/correct"), &[]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "correct: {}", a.text);
    assert!(m.follow(a).await.has("補正已送出"));

    // The reviewer approves.
    let a = tpe
        .post(&format!("{case}/act/approve"), &[("comment", "")])
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "approve: {}", a.text);
    let a = tpe.follow(a).await;
    assert!(
        a.has("已核准") && a.has(r#"<strong>核准</strong>"#),
        "{}",
        a.text
    );
    let a = m.get(&case).await;
    assert!(a.has("申請變更") && a.has(&format!("/apply/cases/{id}/print/decision")));
    let a = m.get("/apply").await;
    assert!(a.has(&number) && a.has("核准"), "my cases: {}", a.text);

    // A change (變更): drafted on the form pages while the approved version stays in force.
    let a = m.post(&format!("{case}/change"), &[]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "change: {}", a.text);
    assert_eq!(a.location(), page1);
    let mut changed = support(&from, &to);
    changed.push(("schedule", "fri-night".into()));
    let a = post_pairs(&mut m, &page2, &changed).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "changed page: {}", a.text);
    let a = m.get(&case).await;
    assert!(a.has("原核准內容") && a.has("週五夜間"), "{}", a.text);
    let a = m.post(&format!("{case}/act/change"), &[]).await;
    assert_eq!(
        a.status,
        StatusCode::SEE_OTHER,
        "send the change: {}",
        a.text
    );
    let a = m.follow(a).await;
    assert!(
        a.has("變更申請已送出") && a.has("<strong>變更審查中</strong>"),
        "{}",
        a.text
    );
    let a = tpe
        .post(&format!("{case}/act/approve"), &[("comment", "")])
        .await;
    assert_eq!(
        a.status,
        StatusCode::SEE_OTHER,
        "approve the change: {}",
        a.text
    );

    // The CSV export of the queue.
    let a = tpe.get(&format!("{queue}/queue.csv")).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        a.header("content-disposition"),
        r#"attachment; filename="medical-support-queue.csv""#
    );
    assert!(a.has(&number) && a.has("案號"), "{}", a.text);

    // The home county's reviewer only reads it, and only when asking for readable cases.
    let mut tch = staff(&w, "revtch01", &["medical_support_reviewer"], &["臺中市"]).await;
    let a = tch.get(&queue).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(!a.has(&number), "not theirs to review");
    let a = tch.get(&format!("{queue}?readable=on")).await;
    assert!(a.has(&number), "theirs to read: {}", a.text);
    let a = tch.get(&case).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(
        !a.has("/act/") && a.has("您可查閱此案件"),
        "read only: {}",
        a.text
    );
    let a = tch
        .post(&format!("{case}/act/approve"), &[("comment", "")])
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);

    // Another county's reviewer is told it does not exist.
    let mut khh = staff(&w, "revkhh01", &["medical_support_reviewer"], &["高雄市"]).await;
    let a = khh.get(&format!("{queue}?readable=on")).await;
    assert!(!a.has(&number));
    let a = khh.get(&case).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.has("查無此申辦案件"));

    // Staff without the role get the back office's 403 page.
    let mut op = staff(&w, "opernone1", &["operator"], &["臺北市"]).await;
    let a = op.get(&queue).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(a.has("無權使用此頁"));
    let a = op.get(&format!("{queue}/queue.csv")).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_reviewer_files_at_the_counter_on_the_same_pages() {
    let w = world().await;
    let mut tpe = staff(&w, "revtpe02", &["medical_support_reviewer"], &["臺北市"]).await;
    let a = tpe.get(&format!("/admin/apply/{TYPE}")).await;
    assert!(a.has(&format!(r#"action="/admin/apply/{TYPE}/start""#)));
    let a = tpe.post(&format!("/admin/apply/{TYPE}/start"), &[]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "counter start: {}", a.text);
    assert!(
        a.location().ends_with("/pages/practitioner"),
        "{}",
        a.location()
    );
    let id = case_id_of(a.location());
    let a = post_pairs(
        &mut tpe,
        &format!("/apply/cases/{id}/pages/practitioner"),
        &practitioner(),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "page 1: {}", a.text);
    let a = post_pairs(
        &mut tpe,
        &format!("/apply/cases/{id}/pages/support"),
        &support(&roc_in(30), &roc_in(45)),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "page 2: {}", a.text);
    let a = tpe
        .post(&format!("/apply/cases/{id}/act/submit"), &[])
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "submit: {}", a.text);
    let a = tpe.follow(a).await;
    assert!(a.has("臨櫃代辦") && a.has("已送出"), "{}", a.text);
    assert!(a.has(r#"href="/admin/apply/medical-support">回審查案件"#));
    let a = tpe.get("/apply").await;
    assert!(a.has(&format!(r#"href="/apply/cases/{id}""#)), "{}", a.text);
    // Without any session, the pages send the browser to sign in.
    let mut anon = Browser::new(&w.site);
    let a = anon.get(&format!("/apply/cases/{id}")).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert!(a.location().starts_with("/login?next="), "{}", a.location());
}

#[tokio::test]
async fn a_refused_date_comes_back_with_its_message_next_to_the_field() {
    let w = world().await;
    let mut m = member(&w, "Applyer02").await;
    let id = start(&mut m).await;
    let page2 = format!("/apply/cases/{id}/pages/support");
    let a = post_pairs(&mut m, &page2, &support("115/02/30", &roc_in(40))).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    let message = "日期不存在（例如 2 月 30 日），請確認月份與日期。";
    assert!(
        a.has(&format!(
            r#"<p class="field-error" id="f-period-error">{message}</p>"#
        )),
        "{}",
        a.text
    );
    assert!(
        a.has(r##"<a href="#f-period-start">支援期間："##),
        "summary links the field"
    );
    assert!(a.has(r#"value="115/02/30""#), "what was typed is kept");
    assert!(a.has(r#"value="內科""#));
    assert!(a.has(r#"value="wed-pm" form="page-form" checked"#));
    assert!(a.has("已完成申辦流程的 33%"));
    // The same page in English: ISO dates, the grid's labels and the progress in English.
    assert!(
        a.has("<title>支援內容－報備支援｜線上申辦｜"),
        "the page's title"
    );
    m.lang = Some("en");
    let a = m.get(&page2).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(
        a.has("33% done (step 2 of 3)") && a.has("Mon morning"),
        "{}",
        a.text
    );
    assert!(a.has("<h1>Support</h1>") && a.has("Save and check"));
    m.lang = None;
    // A case that is not theirs does not exist for someone else.
    let mut other = member(&w, "Applyer03").await;
    let a = other.get(&page2).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = other.get(&format!("/apply/cases/{id}")).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn without_types_the_page_says_there_is_nothing_to_file() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    let a = b.get("/apply").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.has("目前沒有開放線上申辦的項目"));
    // The header links 線上申辦 only where something can be filed.
    assert!(!b.get("/").await.has(r#"<a href="/apply">"#));
}
