//! `tessera admin orgs` and `tessera admin staff` as an operator runs them, on SQLite and
//! PostgreSQL (`--database-url`): every bad CSV row reported with its line and nothing
//! imported; a good file imported, a changed one updating; staff accounts with roles, a new
//! password that unlocks, removal.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use tessera_store::Store;
use tessera_store::testing::TestDatabase;

tessera_store::both_backends!(
    bad_rows_are_reported_by_line_and_nothing_is_imported,
    reimport_updates_and_list_shows_the_registry,
    staff_accounts_from_the_command_line,
);

type R = Result<(), String>;

fn run(db: &TestDatabase, dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("--data-dir")
        .arg(dir)
        .arg("--database-url")
        .arg(db.url())
        .args(["admin"])
        .args(args)
        .env("TESSERA_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tessera");
    if let Some(text) = stdin
        && let Some(mut s) = child.stdin.take()
    {
        s.write_all(text.as_bytes()).expect("stdin");
    }
    child.stdin.take();
    child.wait_with_output().expect("output")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn ensure(cond: bool, msg: impl Into<String>) -> R {
    if cond { Ok(()) } else { Err(msg.into()) }
}

const HEADER: &str = "agency_code,name,organization_oid,business_id,institution_code,kind\n";

async fn bad_rows_are_reported_by_line_and_nothing_is_imported(
    store: Store,
    db: TestDatabase,
) -> R {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let file = dir.path().join("orgs.csv");
    let rows = "A0001,國家發展委員會,2.16.886.101.20003.20065,,,agency\n\
                B00X,壞代號,2.16.886.101.1,,,agency\n\
                C0003,範例科技,,12345678,,business\n\
                D0004,無識別碼,,,,other\n\
                A0001,重複,2.16.886.101.2,,,agency\n\
                E0005,欄位太多,2.16.886.101.3,,,agency,extra\n";
    std::fs::write(&file, format!("{HEADER}{rows}")).map_err(|e| e.to_string())?;
    let o = run(
        &db,
        dir.path(),
        &["orgs", "import", &file.to_string_lossy()],
        None,
    );
    let (_, err) = text(&o);
    ensure(!o.status.success(), "refused")?;
    for want in [
        "line 3, agency_code: agency_code_invalid",
        "line 4, business_id: business_id_invalid",
        "line 5, organization_oid: org_identifier_required",
        "line 6, agency_code: csv_duplicate_agency_code",
        "line 7, row: csv_row_malformed",
        "nothing imported",
    ] {
        ensure(err.contains(want), format!("`{want}` in:\n{err}"))?;
    }
    let (found, total) = store
        .search_organizations("", 0, 10)
        .await
        .map_err(|e| e.to_string())?;
    ensure(total == 0 && found.is_empty(), "nothing half-imported")?;
    std::fs::write(
        &file,
        "agency_code,name,organisation_oid,kind\nA0001,x,2.1,agency\n",
    )
    .map_err(|e| e.to_string())?;
    let o = run(
        &db,
        dir.path(),
        &["orgs", "import", &file.to_string_lossy()],
        None,
    );
    let (_, err) = text(&o);
    ensure(
        !o.status.success() && err.contains("line 1, organisation_oid: csv_column_unknown"),
        err,
    )
}

async fn reimport_updates_and_list_shows_the_registry(store: Store, db: TestDatabase) -> R {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let file = dir.path().join("orgs.csv");
    // Columns by name, in any order; an identifier column may be left out.
    let csv = "kind,agency_code,name,business_id,organization_oid\n\
               agency,a0001,國家發展委員會,,2.16.886.101.20003.20065\n\
               business,C0003,範例科技,12345675,\n\
               school,B0002,建國中學,,2.16.886.101.90028.20002\n";
    std::fs::write(&file, csv).map_err(|e| e.to_string())?;
    let o = run(
        &db,
        dir.path(),
        &["orgs", "import", &file.to_string_lossy()],
        None,
    );
    let (out, err) = text(&o);
    ensure(
        o.status.success() && out.contains("3 created"),
        format!("{out}{err}"),
    )?;
    std::fs::write(&file, csv.replace("建國中學", "臺北市立建國高級中學"))
        .map_err(|e| e.to_string())?;
    let o = run(
        &db,
        dir.path(),
        &["orgs", "import", &file.to_string_lossy()],
        None,
    );
    let (out, _) = text(&o);
    ensure(out.contains("1 updated, 2 unchanged"), out.clone())?;
    let school = store
        .organization("B0002")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("B0002")?;
    ensure(school.name == "臺北市立建國高級中學", school.name)?;
    let o = run(&db, dir.path(), &["orgs", "list"], None);
    let (out, _) = text(&o);
    ensure(
        out.contains("A0001\t-\t國家發展委員會") && out.contains("3 organization(s)"),
        out.clone(),
    )?;
    let audit = store
        .audit_entries(None, 10)
        .await
        .map_err(|e| e.to_string())?;
    ensure(
        audit
            .iter()
            .filter(|e| e.event.kind == "org_registry_imported")
            .count()
            == 2,
        "audited",
    )
}

async fn staff_accounts_from_the_command_line(store: Store, db: TestDatabase) -> R {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let add = |user: &'static str, role: &'static str| {
        vec![
            "staff",
            "add",
            user,
            "--role",
            role,
            "--name",
            "林審核",
            "--email",
            "rev@example.gov.tw",
            "--password-stdin",
        ]
    };
    let o = run(
        &db,
        dir.path(),
        &add("rev01", "auditor"),
        Some("Reviewer2026ok\n"),
    );
    ensure(
        !o.status.success() && text(&o).1.contains("unknown role"),
        text(&o).1,
    )?;
    let o = run(&db, dir.path(), &add("rev01", "reviewer"), Some("short\n"));
    ensure(
        !o.status.success() && text(&o).1.contains("password refused"),
        text(&o).1,
    )?;
    let o = run(
        &db,
        dir.path(),
        &add("rev01", "reviewer"),
        Some("Reviewer2026ok\n"),
    );
    ensure(
        o.status.success() && text(&o).0.contains("created"),
        format!("{:?}", text(&o)),
    )?;
    let o = run(
        &db,
        dir.path(),
        &add("rev01", "operator"),
        Some("Reviewer2026ok\n"),
    );
    ensure(
        !o.status.success() && text(&o).1.contains("not available"),
        text(&o).1,
    )?;
    let a = store
        .account_by_username("rev01")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("rev01")?;
    ensure(a.kind == "staff", a.kind.clone())?;
    ensure(
        store.staff_roles(&a.id).await.map_err(|e| e.to_string())? == ["reviewer"],
        "roles",
    )?;
    let o = run(
        &db,
        dir.path(),
        &[
            "staff",
            "set-roles",
            "rev01",
            "--role",
            "reviewer",
            "--role",
            "operator",
        ],
        None,
    );
    ensure(o.status.success(), text(&o).1)?;
    let o = run(&db, dir.path(), &["staff", "list"], None);
    ensure(
        text(&o).0.contains("rev01\toperator,reviewer\t-"),
        text(&o).0,
    )?;
    // Locked by failures; a reset from the command line unlocks it (password generated).
    store
        .record_login_failure(&a.id, 1, 0)
        .await
        .map_err(|e| e.to_string())?;
    let o = run(&db, dir.path(), &["staff", "reset-password", "rev01"], None);
    ensure(
        o.status.success() && text(&o).0.contains("password (shown once):"),
        format!("{:?}", text(&o)),
    )?;
    let a = store
        .account_by_username("rev01")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("rev01")?;
    ensure(!a.disabled && a.failed_logins == 0, "unlocked")?;
    let o = run(&db, dir.path(), &["staff", "remove", "rev01"], None);
    ensure(o.status.success(), text(&o).1)?;
    ensure(
        store
            .account_by_username("rev01")
            .await
            .map_err(|e| e.to_string())?
            .is_none(),
        "removed",
    )?;
    let o = run(&db, dir.path(), &["staff", "remove", "nobody1"], None);
    ensure(!o.status.success(), "unknown staff refused")
}
