//! Online applications through the JSON API on SQLite and PostgreSQL: a doctor files a
//! 報備支援 over two pages, the host county's reviewer returns it, the doctor corrects it, it is
//! approved, changed and cancelled; another county's reviewer and another member are told it
//! does not exist; wrong actors, wrong states, bad values, overlapping slots and hostile
//! attachments are refused, and every move and refusal is in the audit log.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{PASSWORD, Resp, call, login, register_verified, state_on, test_settings};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tessera_app::apply::Applications;
use tessera_store::Store;
use tessera_store::orgs::OrgRecord;
use tessera_store::testing::TestDatabase;
use tessera_web::AppState;
use tower::ServiceExt;

tessera_store::both_backends!(
    a_support_report_goes_from_filing_to_cancellation,
    attachments_are_judged_by_their_bytes_and_names_are_cleaned,
);

type R = Result<(), String>;

struct App {
    app: Router,
    state: AppState,
    dir: tempfile::TempDir,
    _db: TestDatabase,
}

/// Institutions: (agency code, 醫事機構代碼, county).
const TAIPEI_HOST: (&str, &str, &str) = ("TPCH1", "0101090517", "臺北市");
const NEW_TAIPEI_HOME: (&str, &str, &str) = ("NTPH1", "1131010011", "新北市");
const TAICHUNG: (&str, &str, &str) = ("CMUH1", "0617060018", "臺中市");

async fn setup(store: Store, db: TestDatabase) -> App {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state_on(store, dir.path(), test_settings())
        .with_applications(Applications::shipped().expect("shipped type"));
    for (code, inst, county) in [TAIPEI_HOST, NEW_TAIPEI_HOME, TAICHUNG] {
        state
            .store
            .upsert_organization(
                &OrgRecord {
                    agency_code: code.into(),
                    name: format!("{county}示範醫院"),
                    organization_oid: None,
                    business_id: None,
                    institution_code: Some(inst.into()),
                    kind: "medical".into(),
                },
                1,
            )
            .await
            .expect("org");
        state
            .store
            .set_org_county(code, county)
            .await
            .expect("county");
    }
    App {
        app: tessera_web::app(state.clone()),
        state,
        dir,
        _db: db,
    }
}

/// Every cookie a response sets, as a `Cookie` header value.
fn cookies_of(r: &Resp) -> String {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|c| !c.contains("Max-Age=0"))
        .filter_map(|c| c.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

/// A member with a verified email and `national_id`, signed in with a password; the cookie.
async fn member(a: &App, username: &str, national_id: &str) -> String {
    let email = format!("{username}@example.tw");
    register_verified(&a.app, a.dir.path(), username, &email).await;
    let r = login(&a.app, username, PASSWORD, None).await;
    assert_eq!(r.status, StatusCode::OK, "login: {}", r.text);
    let cookie = r.session_cookie().expect("session");
    let r = call(
        &a.app,
        Method::PATCH,
        "/api/v1/me",
        Some(json!({ "national_id": national_id, "name": "林𡘙生" })),
        Some(&cookie),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "profile: {}", r.text);
    cookie
}

/// A staff member with `roles` reviewing `counties`, signed in; the cookie.
async fn reviewer(a: &App, username: &str, counties: &[&str]) -> String {
    let hash = a.state.hasher.hash(PASSWORD).await.expect("hash");
    let now = tessera_app::clock::now();
    let new = tessera_store::NewAccount {
        username: username.into(),
        name: "衛生局審查員".into(),
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
    let acct = a
        .state
        .store
        .create_staff(&new, &["medical_support_reviewer".into()])
        .await
        .expect("staff");
    let counties: Vec<String> = counties.iter().map(|c| (*c).to_owned()).collect();
    a.state
        .store
        .set_staff_counties(&acct.id, &counties)
        .await
        .expect("counties");
    let r = call(
        &a.app,
        Method::POST,
        "/api/v1/backoffice/session",
        Some(json!({ "username": username, "password": PASSWORD })),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "staff login: {}", r.text);
    cookies_of(&r)
}

fn ensure(ok: bool, what: impl Into<String>) -> R {
    if ok { Ok(()) } else { Err(what.into()) }
}

fn expect(r: &Resp, status: StatusCode, what: &str) -> R {
    ensure(
        r.status == status,
        format!("{what}: expected {status}, got {}: {}", r.status, r.text),
    )
}

/// A date `days` from today in Asia/Taipei, as ROC 7 digits.
fn roc_in(days: i64) -> String {
    let t = time::OffsetDateTime::now_utc()
        .to_offset(tessera_core::org::roc::TAIPEI)
        .date()
        + time::Duration::days(days);
    tessera_core::apply::date::roc_compact(t)
}

fn practitioner(national_id: &str) -> Value {
    json!({ "values": {
        "national_id": national_id, "name": "林𡘙生", "profession": "physician",
        "certificate_number": "醫字第012345號", "phone": "0912-345-678",
    }})
}

fn support(start: i64, end: i64, department: &str, slots: &[&str]) -> Value {
    json!({ "values": {
        "home_institution": NEW_TAIPEI_HOME.1, "host_institution": TAIPEI_HOST.1,
        "department": department, "reason": "outpatient", "timing": "prior",
        "period.start": roc_in(start), "period.end": roc_in(end), "schedule": slots,
    }})
}

async fn start(a: &App, cookie: &str) -> Result<String, String> {
    let r = call(
        &a.app,
        Method::POST,
        "/api/v1/applications/medical-support/cases",
        None,
        Some(cookie),
    )
    .await;
    expect(&r, StatusCode::CREATED, "start")?;
    Ok(r.body["id"].as_str().unwrap_or_default().to_owned())
}

async fn fill(a: &App, cookie: &str, id: &str, page: &str, body: Value) -> Resp {
    call(
        &a.app,
        Method::PUT,
        &format!("/api/v1/cases/{id}/pages/{page}"),
        Some(body),
        Some(cookie),
    )
    .await
}

async fn act(a: &App, cookie: &str, base: &str, id: &str, action: &str, body: Value) -> Resp {
    call(
        &a.app,
        Method::POST,
        &format!("{base}/{id}/actions/{action}"),
        Some(body),
        Some(cookie),
    )
    .await
}

const MINE: &str = "/api/v1/cases";
const REVIEW: &str = "/api/v1/review/cases";

fn field_value(view: &Value, field: &str) -> String {
    view["pages"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["fields"].as_array().cloned().unwrap_or_default())
        .find(|f| f["id"] == field)
        .and_then(|f| f["shown"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

async fn a_support_report_goes_from_filing_to_cancellation(store: Store, db: TestDatabase) -> R {
    let a = setup(store, db).await;
    let id_no = "A123456789";
    let doctor = member(&a, "doctorlin", id_no).await;
    let taipei = reviewer(&a, "tpehealth", &["臺北市"]).await;
    let taichung = reviewer(&a, "txghealth", &["臺中市"]).await;
    let stranger = member(&a, "strangerx", "B123456780").await;

    let id = start(&a, &doctor).await?;
    let r = call(
        &a.app,
        Method::GET,
        &format!("{MINE}/{id}"),
        None,
        Some(&doctor),
    )
    .await;
    expect(&r, StatusCode::OK, "draft")?;
    ensure(r.body["status_name"] == "草稿", r.text.clone())?;
    // The member's own national ID and name are filled in.
    ensure(field_value(&r.body, "national_id") == id_no, r.text.clone())?;

    // Page one; page two with an impossible date, then right.
    expect(
        &fill(&a, &doctor, &id, "practitioner", practitioner(id_no)).await,
        StatusCode::OK,
        "page 1",
    )?;
    let mut bad = support(30, 120, "家醫科", &["mon-am", "thu-night"]);
    bad["values"]["period.end"] = json!("116/2/30");
    let r = fill(&a, &doctor, &id, "support", bad).await;
    expect(&r, StatusCode::UNPROCESSABLE_ENTITY, "bad date")?;
    ensure(
        r.field_codes() == [("period".to_string(), "apply_date_impossible".to_string())],
        r.text.clone(),
    )?;
    let r = fill(
        &a,
        &doctor,
        &id,
        "support",
        support(30, 120, "家醫科", &["mon-am", "thu-night"]),
    )
    .await;
    expect(&r, StatusCode::OK, "page 2")?;
    // Filing for someone else's national ID is refused for a member.
    expect(
        &fill(&a, &doctor, &id, "practitioner", practitioner("B123456780")).await,
        StatusCode::OK,
        "other id saved",
    )?;
    let r = act(&a, &doctor, MINE, &id, "submit", json!({})).await;
    expect(&r, StatusCode::UNPROCESSABLE_ENTITY, "not yourself")?;
    ensure(
        r.field_codes()
            .contains(&("national_id".into(), "apply_not_yourself".into())),
        r.text.clone(),
    )?;
    expect(
        &fill(&a, &doctor, &id, "practitioner", practitioner(id_no)).await,
        StatusCode::OK,
        "page 1 again",
    )?;

    let r = act(&a, &doctor, MINE, &id, "submit", json!({})).await;
    expect(&r, StatusCode::OK, "submit")?;
    let number = r.body["number"].as_str().unwrap_or_default().to_owned();
    let roc_year = time::OffsetDateTime::now_utc()
        .to_offset(tessera_core::org::roc::TAIPEI)
        .year()
        - 1911;
    ensure(
        number == format!("報備-{roc_year:03}-000001"),
        r.text.clone(),
    )?;
    ensure(r.body["status"] == "submitted", r.text.clone())?;

    // The doctor cannot approve their own case; nor take a move that does not exist.
    let r = act(&a, &doctor, MINE, &id, "approve", json!({})).await;
    expect(&r, StatusCode::FORBIDDEN, "filer approves")?;
    ensure(r.code() == "apply_wrong_actor", r.text.clone())?;
    expect(
        &act(&a, &doctor, MINE, &id, "teleport", json!({})).await,
        StatusCode::NOT_FOUND,
        "unknown action",
    )?;

    // The host county's reviewer sees it; the other county's and another member do not.
    let q = call(
        &a.app,
        Method::GET,
        "/api/v1/review/medical-support/cases",
        None,
        Some(&taipei),
    )
    .await;
    expect(&q, StatusCode::OK, "taipei queue")?;
    ensure(
        q.body["total"] == 1 && q.body["cases"][0]["number"] == json!(number),
        q.text.clone(),
    )?;
    let q = call(
        &a.app,
        Method::GET,
        "/api/v1/review/medical-support/cases",
        None,
        Some(&taichung),
    )
    .await;
    expect(&q, StatusCode::OK, "taichung queue")?;
    ensure(q.body["total"] == 0, q.text.clone())?;
    for path in [format!("{REVIEW}/{id}"), format!("{REVIEW}/{number}")] {
        let r = call(&a.app, Method::GET, &path, None, Some(&taichung)).await;
        expect(&r, StatusCode::NOT_FOUND, "taichung reads")?;
        ensure(r.code() == "apply_case_not_found", r.text.clone())?;
    }
    let r = act(&a, &taichung, REVIEW, &id, "approve", json!({})).await;
    expect(&r, StatusCode::NOT_FOUND, "taichung approves")?;
    expect(
        &call(
            &a.app,
            Method::GET,
            &format!("{MINE}/{id}"),
            None,
            Some(&stranger),
        )
        .await,
        StatusCode::NOT_FOUND,
        "stranger",
    )?;
    // A member session does not open the reviewers' API, nor a staff session the members'.
    expect(
        &call(
            &a.app,
            Method::GET,
            &format!("{REVIEW}/{id}"),
            None,
            Some(&doctor),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "member as staff",
    )?;

    // Returned without saying what to fix: refused; with it, the deadline is set.
    let r = act(&a, &taipei, REVIEW, &id, "return", json!({})).await;
    expect(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "return without comment",
    )?;
    ensure(
        r.field_codes() == [("comment".to_string(), "apply_comment_required".to_string())],
        r.text.clone(),
    )?;
    let r = act(
        &a,
        &taipei,
        REVIEW,
        &id,
        "return",
        json!({ "comment": "請補附支援同意書", "deadline_days": 7 }),
    )
    .await;
    expect(&r, StatusCode::OK, "return")?;
    ensure(
        r.body["status"] == "returned" && r.body["deadline_at"].is_i64(),
        r.text.clone(),
    )?;
    // Approving a returned case is a wrong-state move.
    let r = act(&a, &taipei, REVIEW, &id, "approve", json!({})).await;
    expect(&r, StatusCode::CONFLICT, "approve while returned")?;
    ensure(r.code() == "apply_wrong_status", r.text.clone())?;

    // The doctor corrects and sends; the reviewer approves; the doctor is mailed.
    expect(
        &fill(
            &a,
            &doctor,
            &id,
            "support",
            support(30, 120, "家庭醫學科", &["mon-am", "thu-night"]),
        )
        .await,
        StatusCode::OK,
        "correct page",
    )?;
    expect(
        &act(&a, &doctor, MINE, &id, "correct", json!({})).await,
        StatusCode::OK,
        "correct",
    )?;
    let r = act(
        &a,
        &taipei,
        REVIEW,
        &id,
        "approve",
        json!({ "comment": "准予備查" }),
    )
    .await;
    expect(&r, StatusCode::OK, "approve")?;
    ensure(r.body["status_name"] == "核准", r.text.clone())?;
    let outbox = a.state.store.outbox(50).await.map_err(|e| e.to_string())?;
    ensure(
        outbox.iter().any(|m| {
            m.mail.to == "doctorlin@example.tw"
                && m.mail.subject.contains(&number)
                && m.mail.subject.contains("核准")
        }),
        format!("{outbox:?}"),
    )?;
    // The decision prints with the case number and the doctor's Chinese name, as pdftotext
    // reads it.
    let req = Request::builder()
        .uri(format!("{MINE}/{id}/prints/decision"))
        .header(header::COOKIE, &doctor)
        .body(Body::empty())
        .expect("request");
    let resp = a.app.clone().oneshot(req).await.expect("response");
    ensure(
        resp.status() == StatusCode::OK,
        format!("print: {}", resp.status()),
    )?;
    let pdf = resp.into_body().collect().await.expect("body").to_bytes();
    let text = pdf_text(&pdf)?;
    ensure(text.contains(&number), text.clone())?;
    ensure(
        text.contains("林") && text.contains("生") && text.contains("核准"),
        text.clone(),
    )?;
    // The submitted second case has no decision to print yet.
    // A decided case is not editable.
    let r = fill(
        &a,
        &doctor,
        &id,
        "support",
        support(30, 120, "內科", &["mon-am"]),
    )
    .await;
    expect(&r, StatusCode::CONFLICT, "edit approved")?;

    // A second filing on a shared slot is refused, naming the clash.
    let second = start(&a, &doctor).await?;
    expect(
        &fill(&a, &doctor, &second, "practitioner", practitioner(id_no)).await,
        StatusCode::OK,
        "2: page 1",
    )?;
    expect(
        &fill(
            &a,
            &doctor,
            &second,
            "support",
            support(60, 90, "急診", &["thu-night"]),
        )
        .await,
        StatusCode::OK,
        "2: page 2",
    )?;
    let r = act(&a, &doctor, MINE, &second, "submit", json!({})).await;
    expect(&r, StatusCode::UNPROCESSABLE_ENTITY, "overlap")?;
    ensure(
        r.field_codes() == [("schedule".to_string(), "apply_overlap".to_string())],
        r.text.clone(),
    )?;
    ensure(
        r.text.contains(&number) && r.text.contains("週四夜間"),
        r.text.clone(),
    )?;
    // Other slots are fine.
    expect(
        &fill(
            &a,
            &doctor,
            &second,
            "support",
            support(60, 90, "急診", &["sat-pm"]),
        )
        .await,
        StatusCode::OK,
        "2: other slot",
    )?;
    let r = act(&a, &doctor, MINE, &second, "submit", json!({})).await;
    expect(&r, StatusCode::OK, "2: submit")?;
    ensure(
        r.body["number"] == json!(format!("報備-{roc_year:03}-000002")),
        r.text.clone(),
    )?;
    let r = call(
        &a.app,
        Method::GET,
        &format!("{MINE}/{second}/prints/decision"),
        None,
        Some(&doctor),
    )
    .await;
    expect(&r, StatusCode::NOT_FOUND, "2: no decision yet")?;

    // A change: the approved version stays in force until the change is approved.
    let r = call(
        &a.app,
        Method::POST,
        &format!("{MINE}/{id}/change"),
        None,
        Some(&doctor),
    )
    .await;
    expect(&r, StatusCode::OK, "open change")?;
    ensure(
        r.body["changing"] == true && r.body["status"] == "approved",
        r.text.clone(),
    )?;
    expect(
        &fill(
            &a,
            &doctor,
            &id,
            "support",
            support(30, 150, "家庭醫學科", &["mon-am", "thu-night"]),
        )
        .await,
        StatusCode::OK,
        "change page",
    )?;
    let r = act(&a, &doctor, MINE, &id, "change", json!({})).await;
    expect(&r, StatusCode::OK, "send change")?;
    ensure(r.body["status"] == "change_review", r.text.clone())?;
    let in_force_end = r.body["in_force"][1]["fields"]
        .as_array()
        .and_then(|f| f.iter().find(|x| x["id"] == "period"))
        .and_then(|x| x["input"][1].as_str().map(str::to_owned))
        .unwrap_or_default();
    ensure(!in_force_end.is_empty(), r.text.clone())?;
    let r = act(&a, &taipei, REVIEW, &id, "approve", json!({})).await;
    expect(&r, StatusCode::OK, "approve change")?;
    ensure(
        r.body["changing"] == false && r.body["in_force"].is_null(),
        r.text.clone(),
    )?;

    // Cancelled from today; a cancelled case moves no further.
    let r = act(
        &a,
        &doctor,
        MINE,
        &id,
        "cancel",
        json!({ "comment": "支援結束" }),
    )
    .await;
    expect(&r, StatusCode::OK, "cancel")?;
    ensure(
        r.body["status_name"] == "已註銷" && r.body["effective_from"].is_string(),
        r.text.clone(),
    )?;
    expect(
        &act(&a, &doctor, MINE, &id, "cancel", json!({})).await,
        StatusCode::CONFLICT,
        "cancel twice",
    )?;

    // The history names every move and who took it.
    let r = call(
        &a.app,
        Method::GET,
        &format!("{MINE}/{id}"),
        None,
        Some(&doctor),
    )
    .await;
    let actions: Vec<&str> = r.body["history"]
        .as_array()
        .map(|h| h.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap_or_default();
    ensure(
        actions
            == [
                "submit", "return", "correct", "approve", "change", "approve", "cancel",
            ],
        r.text.clone(),
    )?;
    // The member's list has both cases.
    let r = call(&a.app, Method::GET, MINE, None, Some(&doctor)).await;
    ensure(
        r.body.as_array().is_some_and(|l| l.len() == 2),
        r.text.clone(),
    )?;
    // The queue as CSV carries the numbers.
    let r = call(
        &a.app,
        Method::GET,
        "/api/v1/review/medical-support/cases.csv",
        None,
        Some(&taipei),
    )
    .await;
    expect(&r, StatusCode::OK, "csv")?;
    ensure(
        r.text.contains(&number) && r.text.contains("案號"),
        r.text.clone(),
    )?;
    // Moves and refusals are audited.
    for kind in ["case_created", "case_transition", "case_refused"] {
        ensure(
            common::audit_count(&a.state.store, kind).await > 0,
            format!("no {kind} in the audit log"),
        )?;
    }
    Ok(())
}

/// The text `pdftotext` extracts from `pdf`.
fn pdf_text(pdf: &[u8]) -> Result<String, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("case.pdf");
    std::fs::write(&path, pdf).map_err(|e| e.to_string())?;
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .map_err(|e| format!("pdftotext (apt install poppler-utils): {e}"))?;
    ensure(out.status.success(), "pdftotext failed")?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// An upload of `bytes` named `name` to the case's attachments field.
async fn upload(a: &App, cookie: &str, id: &str, name: &str, bytes: Vec<u8>) -> Resp {
    let q: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("field", "attachments")
        .append_pair("name", name)
        .finish();
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("{MINE}/{id}/attachments?{q}"))
        .header("origin", common::BASE)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(bytes))
        .expect("request");
    let resp = a.app.clone().oneshot(req).await.expect("response");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    let text = String::from_utf8_lossy(&bytes).to_string();
    Resp {
        status,
        headers,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        text,
    }
}

async fn attachments_are_judged_by_their_bytes_and_names_are_cleaned(
    store: Store,
    db: TestDatabase,
) -> R {
    let a = setup(store, db).await;
    let doctor = member(&a, "doctorwu", "A123456789").await;
    let other = member(&a, "nursechen", "B123456780").await;
    let id = start(&a, &doctor).await?;
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend([0u8, 0, 0, 13, 0xFF, 0x00, 1, 2, 3]);
    // A path in the name is dropped; a PNG named .pdf is stored as what it is.
    let r = upload(&a, &doctor, &id, "../../etc/診斷書.pdf", png.clone()).await;
    expect(&r, StatusCode::CREATED, "png upload")?;
    let att = &r.body["attachments"][0];
    ensure(
        att["name"] == "診斷書.png" && att["mime"] == "image/png",
        r.text.clone(),
    )?;
    let aid = att["id"].as_str().unwrap_or_default().to_owned();
    // Text named .pdf is not a PDF.
    let r = upload(
        &a,
        &doctor,
        &id,
        "report.pdf",
        b"just text, not a pdf".to_vec(),
    )
    .await;
    expect(&r, StatusCode::UNPROCESSABLE_ENTITY, "text as pdf")?;
    ensure(
        r.field_codes()
            == [(
                "attachments".to_string(),
                "apply_attachment_type".to_string(),
            )],
        r.text.clone(),
    )?;
    // Too large: refused before it is read whole.
    let r = upload(&a, &doctor, &id, "big.pdf", vec![b'%'; 12 * 1024 * 1024]).await;
    expect(&r, StatusCode::PAYLOAD_TOO_LARGE, "too large")?;
    // The file comes back byte for byte to its filer, and to nobody else.
    let r = call(
        &a.app,
        Method::GET,
        &format!("{MINE}/{id}/attachments/{aid}"),
        None,
        Some(&doctor),
    )
    .await;
    expect(&r, StatusCode::OK, "download")?;
    ensure(
        r.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            == Some("image/png"),
        "content type",
    )?;
    let req = Request::builder()
        .uri(format!("{MINE}/{id}/attachments/{aid}"))
        .header(header::COOKIE, &doctor)
        .body(Body::empty())
        .expect("request");
    let body = a
        .app
        .clone()
        .oneshot(req)
        .await
        .expect("response")
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    ensure(body.as_ref() == png.as_slice(), "bytes differ")?;
    expect(
        &call(
            &a.app,
            Method::GET,
            &format!("{MINE}/{id}/attachments/{aid}"),
            None,
            Some(&other),
        )
        .await,
        StatusCode::NOT_FOUND,
        "other member",
    )?;
    // Removed, it is gone from the case.
    let r = call(
        &a.app,
        Method::DELETE,
        &format!("{MINE}/{id}/attachments/{aid}"),
        None,
        Some(&doctor),
    )
    .await;
    expect(&r, StatusCode::OK, "remove")?;
    ensure(
        r.body["attachments"].as_array().is_some_and(Vec::is_empty),
        r.text.clone(),
    )?;
    ensure(
        common::audit_count(&a.state.store, "case_attachment").await == 2,
        "attachment audit",
    )?;
    Ok(())
}
