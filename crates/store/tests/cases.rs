//! Online applications (cases) on both backends: reference numbers given out per prefix and
//! ROC year when a case is first sent, moves refused on a stale row_version with nothing
//! changed, one winner among concurrent moves on two nodes, the history of moves, changes of an
//! approved case reviewed while the approved values stay readable, bookings, the review
//! queue's filters and keyset pages (also on 100,000 cases), due cases, attachments written
//! with their values in one transaction, staff and organization counties, and a move's audit
//! entries and mail committed with it or not at all.

mod common;

use std::time::{Duration, Instant};

use common::{NOW, TestResult, new_account, raw_pool};
use tessera_store::cases::*;
use tessera_store::orgs::OrgRecord;
use tessera_store::testing::TestDatabase;
use tessera_store::{Backend, NewAuditEvent, NewMail, Store, StoreError, kind};

tessera_store::both_backends!(
    numbers_are_given_when_first_sent_per_prefix_and_year,
    a_stale_write_is_refused_and_changes_nothing,
    concurrent_moves_on_two_nodes_have_one_winner,
    the_history_lists_every_move,
    a_change_is_reviewed_while_the_approved_values_stay_readable,
    bookings_are_replaced_by_moves_and_read_with_their_case_number,
    the_review_queue_shows_the_jurisdiction_filtered_and_paged,
    the_review_queue_pages_through_many_cases,
    due_cases_come_oldest_deadline_first,
    a_filer_sees_the_cases_filed_and_those_about_them,
    attachments_are_written_with_their_values_in_one_transaction,
    staff_counties_are_replaced_and_staff_can_be_disabled,
    organizations_have_a_county_and_are_found_by_institution_code,
    a_move_commits_its_audit_entries_and_mail_with_it,
);

/// The application type of most cases here.
const TYPE: &str = "home_care";

fn new_case(id: &str, filer: &str) -> NewCase {
    NewCase {
        id: id.to_owned(),
        type_id: TYPE.to_owned(),
        status: "draft".to_owned(),
        filer_account_id: filer.to_owned(),
        filer_kind: "member".to_owned(),
        org_code: None,
        subject_national_id: None,
        subject_name: None,
        values_json: r#"{"step":1}"#.to_owned(),
        now: NOW,
    }
}

async fn create(store: &Store, id: &str) -> Result<CaseRecord, StoreError> {
    store.create_case(&new_case(id, "filer-1"), &[]).await
}

/// A move of `case` (as read) to `to_status` by a reviewer, changing nothing else.
fn step(case: &CaseRecord, to_status: &str, action: &str, now: i64) -> CaseMove {
    CaseMove {
        case_id: case.id.clone(),
        expected_row_version: case.row_version,
        to_status: to_status.to_owned(),
        now,
        event: NewCaseEvent {
            actor_account_id: Some("reviewer-1".to_owned()),
            actor_role: "reviewer".to_owned(),
            action: action.to_owned(),
            ..NewCaseEvent::default()
        },
        ..CaseMove::default()
    }
}

/// The filer sends `case` (numbered `報備-115-…` if it has no number yet).
fn submit(case: &CaseRecord, now: i64) -> CaseMove {
    CaseMove {
        event: NewCaseEvent {
            actor_account_id: Some(case.filer_account_id.clone()),
            actor_role: "filer".to_owned(),
            action: "submit".to_owned(),
            ..NewCaseEvent::default()
        },
        assign_number: Some(("報備".to_owned(), 115)),
        submitted: true,
        ..step(case, "submitted", "submit", now)
    }
}

fn audit_event(kind: &str) -> NewAuditEvent {
    NewAuditEvent {
        at: NOW,
        kind: kind.to_owned(),
        account_id: Some("reviewer-1".to_owned()),
        username: None,
        ip: Some("203.0.113.7".to_owned()),
        user_agent: None,
        outcome: "ok".to_owned(),
        detail: None,
    }
}

fn notice(to: &str) -> NewMail {
    NewMail {
        to: to.to_owned(),
        subject: "案件已退回補件".to_owned(),
        body_text: "請登入補件。".to_owned(),
    }
}

fn routed(county: &str, readers: &[&str], institution: Option<&str>) -> CaseRouting {
    CaseRouting {
        county: Some(county.to_owned()),
        reader_counties: readers.iter().map(|c| (*c).to_owned()).collect(),
        institution: institution.map(str::to_owned),
        subject_national_id: Some("A123456789".to_owned()),
        subject_name: Some("王小明".to_owned()),
    }
}

fn booking(national_id: &str, start: &str, end: &str, schedule: &str) -> NewBooking {
    NewBooking {
        national_id: national_id.to_owned(),
        start_date: start.to_owned(),
        end_date: end.to_owned(),
        schedule: schedule.to_owned(),
    }
}

async fn values(store: &Store, id: &str, version: i64) -> Result<Option<String>, StoreError> {
    Ok(store
        .case_version(id, version)
        .await?
        .map(|v| v.values_json))
}

async fn numbers_are_given_when_first_sent_per_prefix_and_year(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let a = create(&store, "case-a").await?;
    assert_eq!(
        (a.row_version, a.current_version, a.number.clone()),
        (1, 1, None)
    );
    assert_eq!(a.status, "draft");
    let a = store
        .save_case_values(&a.id, 1, a.row_version, r#"{"step":2}"#, NOW + 5)
        .await?;
    assert_eq!((a.row_version, a.updated_at), (2, NOW + 5));
    assert_eq!(
        values(&store, "case-a", 1).await?.as_deref(),
        Some(r#"{"step":2}"#)
    );
    assert!(
        matches!(
            store
                .save_case_values(&a.id, 9, a.row_version, "{}", NOW + 6)
                .await,
            Err(StoreError::NotFound)
        ),
        "no version 9"
    );
    assert_eq!(
        store.case("case-a").await?,
        Some(a.clone()),
        "nothing written"
    );

    let b = create(&store, "case-b").await?;
    let a = store.move_case(&submit(&a, NOW + 10)).await?;
    let b = store.move_case(&submit(&b, NOW + 20)).await?;
    assert_eq!(a.number.as_deref(), Some("報備-115-000001"));
    assert_eq!(b.number.as_deref(), Some("報備-115-000002"));
    assert_eq!(
        (a.status.as_str(), a.submitted_at),
        ("submitted", Some(NOW + 10))
    );

    // Sent back and sent again: the case keeps its number and its first sending time.
    let a = store
        .move_case(&step(&a, "returned", "return", NOW + 30))
        .await?;
    let a = store.move_case(&submit(&a, NOW + 40)).await?;
    assert_eq!(a.number.as_deref(), Some("報備-115-000001"));
    assert_eq!(a.submitted_at, Some(NOW + 10));

    // Each prefix and year counts on its own.
    let c = create(&store, "case-c").await?;
    let c = store
        .move_case(&CaseMove {
            assign_number: Some(("報備".to_owned(), 116)),
            ..submit(&c, NOW + 50)
        })
        .await?;
    let d = create(&store, "case-d").await?;
    let d = store
        .move_case(&CaseMove {
            assign_number: Some(("申請".to_owned(), 115)),
            ..submit(&d, NOW + 60)
        })
        .await?;
    assert_eq!(c.number.as_deref(), Some("報備-116-000001"));
    assert_eq!(d.number.as_deref(), Some("申請-115-000001"));
    let e = create(&store, "case-e").await?;
    let e = store.move_case(&submit(&e, NOW + 70)).await?;
    assert_eq!(e.number.as_deref(), Some("報備-115-000003"));

    assert_eq!(store.case_by_number("報備-115-000002").await?, Some(b));
    assert_eq!(store.case_by_number("報備-115-000009").await?, None);
    assert_eq!(store.case("case-x").await?, None);
    Ok(())
}

async fn a_stale_write_is_refused_and_changes_nothing(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let read = create(&store, "case-a").await?;
    // Someone else saves first.
    let current = store
        .save_case_values(&read.id, 1, read.row_version, r#"{"step":2}"#, NOW + 5)
        .await?;
    let head = store.audit_head().await?;
    let stale = CaseMove {
        audit: vec![audit_event("case_submitted")],
        mail: vec![notice("filer@example.tw")],
        routing: Some(routed("臺北市", &[], None)),
        bookings: Some(vec![booking(
            "A123456789",
            "2026-02-01",
            "2026-02-28",
            "mon-am",
        )]),
        ..submit(&read, NOW + 10)
    };
    let refused = store.move_case(&stale).await;
    assert!(matches!(refused, Err(StoreError::Conflict)), "{refused:?}");
    assert_eq!(store.case("case-a").await?, Some(current.clone()));
    assert!(store.case_events("case-a").await?.is_empty());
    assert_eq!(store.audit_head().await?, head);
    assert!(store.outbox(10).await?.is_empty());
    assert!(
        store
            .bookings_of(TYPE, "A123456789", None)
            .await?
            .is_empty()
    );
    let refused = store
        .save_case_values(&read.id, 1, read.row_version, r#"{"step":3}"#, NOW + 11)
        .await;
    assert!(matches!(refused, Err(StoreError::Conflict)), "{refused:?}");
    assert_eq!(
        values(&store, "case-a", 1).await?.as_deref(),
        Some(r#"{"step":2}"#)
    );
    let refused = store
        .start_case_version(&read.id, read.row_version, "{}", "filer-1", NOW + 12)
        .await;
    assert!(matches!(refused, Err(StoreError::Conflict)), "{refused:?}");
    assert_eq!(store.case_version("case-a", 2).await?, None);

    // The refused move took no number: the first one sent gets 000001.
    let sent = store.move_case(&submit(&current, NOW + 20)).await?;
    assert_eq!(sent.number.as_deref(), Some("報備-115-000001"));
    let missing = store
        .move_case(&CaseMove {
            case_id: "no-such-case".to_owned(),
            ..submit(&current, NOW + 30)
        })
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    Ok(())
}

async fn concurrent_moves_on_two_nodes_have_one_winner(
    store: Store,
    db: TestDatabase,
) -> TestResult {
    let node_b = db.connect().await?;
    let case = create(&store, "case-a").await?;
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let node = if t % 2 == 0 {
                store.clone()
            } else {
                node_b.clone()
            };
            let mv = CaseMove {
                audit: vec![audit_event("case_submitted")],
                ..submit(&case, NOW + t)
            };
            tokio::spawn(async move { node.move_case(&mv).await })
        })
        .collect();
    let (mut won, mut refused) = (0, 0);
    for task in tasks {
        match task.await? {
            Ok(_) => won += 1,
            Err(StoreError::Conflict) => refused += 1,
            Err(e) => return Err(e.into()),
        }
    }
    assert_eq!((won, refused), (1, 7));
    let case = store.case("case-a").await?.ok_or("case")?;
    assert_eq!(case.row_version, 2);
    assert_eq!(case.number.as_deref(), Some("報備-115-000001"));
    assert_eq!(store.case_events("case-a").await?.len(), 1);
    assert_eq!(store.audit_head().await?.0, 1);
    let next = create(&store, "case-b").await?;
    let next = node_b.move_case(&submit(&next, NOW + 100)).await?;
    assert_eq!(next.number.as_deref(), Some("報備-115-000002"));
    node_b.close().await;
    Ok(())
}

async fn the_history_lists_every_move(store: Store, _db: TestDatabase) -> TestResult {
    let case = create(&store, "case-a").await?;
    let case = store.move_case(&submit(&case, NOW + 10)).await?;
    let case = store
        .move_case(&CaseMove {
            event: NewCaseEvent {
                comment: Some("請補附診斷證明書".to_owned()),
                deadline_at: Some(NOW + 86_400),
                ..step(&case, "", "return", 0).event
            },
            deadline_at: Some(Some(NOW + 86_400)),
            ..step(&case, "returned", "return", NOW + 20)
        })
        .await?;
    assert_eq!(case.deadline_at, Some(NOW + 86_400));
    // Staff send it again for the filer.
    let case = store
        .move_case(&CaseMove {
            event: NewCaseEvent {
                actor_account_id: Some("staff-1".to_owned()),
                actor_role: "filer".to_owned(),
                on_behalf: true,
                action: "submit".to_owned(),
                ..NewCaseEvent::default()
            },
            deadline_at: Some(None),
            ..submit(&case, NOW + 30)
        })
        .await?;
    assert_eq!(case.deadline_at, None);
    let case = store
        .move_case(&CaseMove {
            event: NewCaseEvent {
                actor_account_id: None,
                actor_role: "system".to_owned(),
                action: "approve".to_owned(),
                effective_from: Some("2026-02-01".to_owned()),
                ..NewCaseEvent::default()
            },
            effective_from: Some("2026-02-01".to_owned()),
            decided: true,
            ..step(&case, "approved", "approve", NOW + 40)
        })
        .await?;
    assert_eq!(
        (case.decided_at, case.effective_from.as_deref()),
        (Some(NOW + 40), Some("2026-02-01"))
    );
    assert_eq!((case.submitted_at, case.row_version), (Some(NOW + 10), 5));

    let events = store.case_events("case-a").await?;
    let summary: Vec<_> = events
        .iter()
        .map(|e| {
            (
                e.seq,
                e.at,
                e.from_status.as_str(),
                e.to_status.as_str(),
                e.actor_role.as_str(),
                e.on_behalf,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (1, NOW + 10, "draft", "submitted", "filer", false),
            (2, NOW + 20, "submitted", "returned", "reviewer", false),
            (3, NOW + 30, "returned", "submitted", "filer", true),
            (4, NOW + 40, "submitted", "approved", "system", false),
        ]
    );
    assert_eq!(events[1].comment.as_deref(), Some("請補附診斷證明書"));
    assert_eq!(events[1].deadline_at, Some(NOW + 86_400));
    assert_eq!(events[2].actor_account_id.as_deref(), Some("staff-1"));
    assert_eq!(events[3].actor_account_id, None);
    assert_eq!(events[3].effective_from.as_deref(), Some("2026-02-01"));
    assert!(store.case_events("case-b").await?.is_empty());
    Ok(())
}

async fn a_change_is_reviewed_while_the_approved_values_stay_readable(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let case = create(&store, "case-a").await?;
    let case = store.move_case(&submit(&case, NOW + 10)).await?;
    let case = store
        .move_case(&CaseMove {
            version: VersionChange::AdoptCurrent,
            decided: true,
            ..step(&case, "approved", "approve", NOW + 20)
        })
        .await?;
    assert_eq!((case.current_version, case.in_force_version), (1, Some(1)));

    // A change: version 2, edited and sent while version 1 stays in force.
    let case = store
        .start_case_version(
            &case.id,
            case.row_version,
            r#"{"step":"change"}"#,
            "filer-1",
            NOW + 30,
        )
        .await?;
    assert_eq!(
        (
            case.status.as_str(),
            case.current_version,
            case.in_force_version
        ),
        ("approved", 2, Some(1))
    );
    let case = store
        .save_case_values(
            &case.id,
            2,
            case.row_version,
            r#"{"step":"change2"}"#,
            NOW + 31,
        )
        .await?;
    let case = store
        .move_case(&step(&case, "change_submitted", "submit_change", NOW + 32))
        .await?;
    assert_eq!(
        values(&store, "case-a", 1).await?.as_deref(),
        Some(r#"{"step":1}"#)
    );
    assert_eq!(
        values(&store, "case-a", 2).await?.as_deref(),
        Some(r#"{"step":"change2"}"#)
    );
    let v2 = store.case_version("case-a", 2).await?.ok_or("version 2")?;
    assert_eq!(
        (v2.created_at, v2.created_by.as_str()),
        (NOW + 30, "filer-1")
    );
    let case = store
        .move_case(&CaseMove {
            version: VersionChange::AdoptCurrent,
            ..step(&case, "approved", "approve_change", NOW + 40)
        })
        .await?;
    assert_eq!((case.current_version, case.in_force_version), (2, Some(2)));

    // Another change, with an attachment, withdrawn: version 3 and its attachment go.
    let case = store
        .start_case_version(
            &case.id,
            case.row_version,
            r#"{"step":"third"}"#,
            "filer-1",
            NOW + 50,
        )
        .await?;
    let case = store
        .add_attachment(
            &attachment("att-3", &case.id, 3, Some(b"v3".to_vec())),
            case.row_version,
            r#"{"step":"third","file":"att-3"}"#,
        )
        .await?;
    let case = store
        .move_case(&CaseMove {
            version: VersionChange::Discard,
            ..step(&case, "approved", "withdraw_change", NOW + 60)
        })
        .await?;
    assert_eq!((case.current_version, case.in_force_version), (2, Some(2)));
    assert_eq!(store.case_version("case-a", 3).await?, None);
    assert_eq!(store.attachment("att-3").await?, None);
    assert_eq!(
        values(&store, "case-a", 2).await?.as_deref(),
        Some(r#"{"step":"change2"}"#)
    );
    // A new change is numbered 3 again.
    let case = store
        .start_case_version(&case.id, case.row_version, "{}", "filer-1", NOW + 70)
        .await?;
    assert_eq!(case.current_version, 3);

    // Nothing in force to return to.
    let draft = create(&store, "case-b").await?;
    let refused = store
        .move_case(&CaseMove {
            version: VersionChange::Discard,
            ..step(&draft, "draft", "withdraw_change", NOW + 80)
        })
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    assert_eq!(store.case("case-b").await?, Some(draft));
    Ok(())
}

async fn bookings_are_replaced_by_moves_and_read_with_their_case_number(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let a = create(&store, "case-a").await?;
    let a = store
        .move_case(&CaseMove {
            bookings: Some(vec![
                booking("A123456789", "2026-03-01", "2026-03-31", "wed-am"),
                booking("A123456789", "2026-02-01", "2026-02-28", "mon-am tue-pm"),
            ]),
            ..submit(&a, NOW + 10)
        })
        .await?;
    let b = store
        .create_case(&new_case("case-b", "filer-2"), &[])
        .await?;
    store
        .move_case(&CaseMove {
            bookings: Some(vec![booking(
                "A123456789",
                "2026-02-15",
                "2026-02-20",
                "mon-am",
            )]),
            ..submit(&b, NOW + 20)
        })
        .await?;
    let other_type = store
        .create_case(
            &NewCase {
                type_id: "day_care".to_owned(),
                ..new_case("case-c", "filer-3")
            },
            &[],
        )
        .await?;
    store
        .move_case(&CaseMove {
            bookings: Some(vec![booking(
                "A123456789",
                "2026-02-01",
                "2026-02-02",
                "fri-am",
            )]),
            ..submit(&other_type, NOW + 30)
        })
        .await?;

    let all = store.bookings_of(TYPE, "A123456789", None).await?;
    let seen: Vec<_> = all
        .iter()
        .map(|b| {
            (
                b.case_id.as_str(),
                b.case_number.as_deref(),
                b.start_date.as_str(),
                b.end_date.as_str(),
                b.schedule.as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "case-a",
                Some("報備-115-000001"),
                "2026-02-01",
                "2026-02-28",
                "mon-am tue-pm"
            ),
            (
                "case-b",
                Some("報備-115-000002"),
                "2026-02-15",
                "2026-02-20",
                "mon-am"
            ),
            (
                "case-a",
                Some("報備-115-000001"),
                "2026-03-01",
                "2026-03-31",
                "wed-am"
            ),
        ]
    );
    let others = store
        .bookings_of(TYPE, "A123456789", Some("case-a"))
        .await?;
    assert_eq!(others.len(), 1);
    assert_eq!(others[0].case_id, "case-b");
    assert!(
        store
            .bookings_of(TYPE, "B223456789", None)
            .await?
            .is_empty()
    );

    // A move without bookings leaves them; one with bookings replaces them.
    let a = store
        .move_case(&step(&a, "returned", "return", NOW + 40))
        .await?;
    assert_eq!(
        store
            .bookings_of(TYPE, "A123456789", Some("case-b"))
            .await?
            .len(),
        2
    );
    let a = store
        .move_case(&CaseMove {
            bookings: Some(vec![booking(
                "A123456789",
                "2026-04-01",
                "2026-04-30",
                "thu-pm",
            )]),
            ..submit(&a, NOW + 50)
        })
        .await?;
    let mine = store
        .bookings_of(TYPE, "A123456789", Some("case-b"))
        .await?;
    assert_eq!(mine.len(), 1);
    assert_eq!(
        (mine[0].start_date.as_str(), mine[0].schedule.as_str()),
        ("2026-04-01", "thu-pm")
    );
    store
        .move_case(&CaseMove {
            bookings: Some(Vec::new()),
            ..step(&a, "withdrawn", "withdraw", NOW + 60)
        })
        .await?;
    assert!(
        store
            .bookings_of(TYPE, "A123456789", Some("case-b"))
            .await?
            .is_empty()
    );
    Ok(())
}

/// Creates case `id` of `type_id`, routed, and sends it at `at` (unless `None`), then moves it
/// to `status`.
async fn routed_case(
    store: &Store,
    id: &str,
    type_id: &str,
    routing: CaseRouting,
    at: Option<i64>,
    status: &str,
) -> Result<CaseRecord, StoreError> {
    let case = store
        .create_case(
            &NewCase {
                type_id: type_id.to_owned(),
                ..new_case(id, "filer-1")
            },
            &[],
        )
        .await?;
    let mv = CaseMove {
        routing: Some(routing),
        ..match at {
            Some(at) => submit(&case, at),
            None => step(&case, "draft", "route", NOW),
        }
    };
    let case = store.move_case(&mv).await?;
    if case.status == status {
        return Ok(case);
    }
    store
        .move_case(&step(&case, status, "review", case.updated_at))
        .await
}

fn ids(cases: &[CaseRecord]) -> Vec<&str> {
    cases.iter().map(|c| c.id.as_str()).collect()
}

fn queue(counties: &[&str]) -> QueueFilter {
    QueueFilter {
        type_id: TYPE.to_owned(),
        counties: counties.iter().map(|c| (*c).to_owned()).collect(),
        limit: 100,
        ..QueueFilter::default()
    }
}

async fn the_review_queue_shows_the_jurisdiction_filtered_and_paged(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let taipei = || routed("臺北市", &[], Some("仁愛醫院"));
    routed_case(&store, "tp-1", TYPE, taipei(), Some(NOW + 100), "submitted").await?;
    routed_case(&store, "tp-2", TYPE, taipei(), Some(NOW + 200), "returned").await?;
    routed_case(
        &store,
        "tp-3",
        TYPE,
        routed("臺北市", &[], Some("和平醫院")),
        Some(NOW + 300),
        "approved",
    )
    .await?;
    routed_case(&store, "tp-draft", TYPE, taipei(), None, "draft").await?;
    routed_case(
        &store,
        "tp-other-type",
        "day_care",
        taipei(),
        Some(NOW + 150),
        "submitted",
    )
    .await?;
    routed_case(
        &store,
        "tc-1",
        TYPE,
        routed("臺中市", &[], None),
        Some(NOW + 250),
        "submitted",
    )
    .await?;
    routed_case(
        &store,
        "ks-read-by-tp",
        TYPE,
        routed("高雄市", &["新北市", "臺北市"], None),
        Some(NOW + 400),
        "submitted",
    )
    .await?;
    routed_case(
        &store,
        "ks-read-by-tc",
        TYPE,
        routed("高雄市", &["臺中市"], None),
        Some(NOW + 500),
        "submitted",
    )
    .await?;
    let read_by = store.case("ks-read-by-tp").await?.ok_or("case")?;
    assert_eq!(read_by.reader_counties, ["新北市", "臺北市"]);

    let page = store.review_queue(&queue(&["臺北市"])).await?;
    assert_eq!(ids(&page), ["tp-3", "tp-2", "tp-1"], "newest sent first");
    assert_eq!(store.count_queue(&queue(&["臺北市"])).await?, 3);
    let readable = QueueFilter {
        include_readable: true,
        ..queue(&["臺北市"])
    };
    assert_eq!(
        ids(&store.review_queue(&readable).await?),
        ["ks-read-by-tp", "tp-3", "tp-2", "tp-1"]
    );
    assert_eq!(store.count_queue(&readable).await?, 4);
    assert_eq!(
        ids(&store.review_queue(&queue(&["臺北市", "臺中市"])).await?),
        ["tp-3", "tc-1", "tp-2", "tp-1"]
    );
    assert!(store.review_queue(&queue(&[])).await?.is_empty());
    assert_eq!(store.count_queue(&queue(&[])).await?, 0);
    assert!(store.review_queue(&queue(&["新北市"])).await?.is_empty());

    let statuses = QueueFilter {
        statuses: vec!["submitted".to_owned(), "returned".to_owned()],
        ..readable.clone()
    };
    assert_eq!(
        ids(&store.review_queue(&statuses).await?),
        ["ks-read-by-tp", "tp-2", "tp-1"]
    );
    let dated = QueueFilter {
        submitted_from: Some(NOW + 200),
        submitted_to: Some(NOW + 400),
        ..readable.clone()
    };
    assert_eq!(ids(&store.review_queue(&dated).await?), ["tp-3", "tp-2"]);
    assert_eq!(store.count_queue(&dated).await?, 2);
    let hospital = QueueFilter {
        institution: Some("仁愛醫院".to_owned()),
        ..readable.clone()
    };
    assert_eq!(ids(&store.review_queue(&hospital).await?), ["tp-2", "tp-1"]);

    // Keyset pages of 2, then the rest; a case sent meanwhile does not shift them.
    let first = store
        .review_queue(&QueueFilter {
            limit: 2,
            ..readable.clone()
        })
        .await?;
    assert_eq!(ids(&first), ["ks-read-by-tp", "tp-3"]);
    routed_case(
        &store,
        "tp-new",
        TYPE,
        taipei(),
        Some(NOW + 900),
        "submitted",
    )
    .await?;
    let last = &first[1];
    let second = store
        .review_queue(&QueueFilter {
            limit: 2,
            before: Some((last.submitted_at.ok_or("sent")?, last.id.clone())),
            ..readable.clone()
        })
        .await?;
    assert_eq!(ids(&second), ["tp-2", "tp-1"]);
    Ok(())
}

/// 100,000 cases of several types, counties and statuses, a fifth never sent; several share
/// a sending time (ties ordered by id).
async fn seed_many(db: &TestDatabase) -> TestResult {
    let pool = raw_pool(db).await?;
    let columns = "INSERT INTO cases (id, type_id, status, filer_account_id, filer_kind, \
                   county, reader_counties, institution, current_version, created_at, \
                   updated_at, submitted_at, row_version)";
    let id = match db.backend() {
        Backend::Postgres => "'c' || lpad(i::text, 7, '0')",
        Backend::Sqlite => "printf('c%07d', i)",
    };
    let values = format!(
        "SELECT {id}, \
        CASE WHEN i % 4 = 0 THEN 'day_care' ELSE 'home_care' END, \
        CASE i % 3 WHEN 0 THEN 'submitted' WHEN 1 THEN 'returned' ELSE 'approved' END, \
        'filer-' || (i % 5000), 'member', 'county-' || (i % 22), \
        CASE WHEN i % 7 = 0 THEN ',county-0,' ELSE '' END, 'inst-' || (i % 300), 1, \
        1700000000 + i, 1700000000 + i, \
        CASE WHEN i % 5 = 4 THEN NULL ELSE 1700000000 + (i / 3) * 10 END, 1"
    );
    let sql = match db.backend() {
        Backend::Postgres => {
            format!("{columns} {values} FROM generate_series(1, 100000) AS s(i)")
        }
        Backend::Sqlite => format!(
            "{columns} WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s \
             WHERE i < 100000) {values} FROM s"
        ),
    };
    sqlx::query(&sql).execute(&pool).await?;
    sqlx::query("ANALYZE").execute(&pool).await?;
    pool.close().await;
    Ok(())
}

async fn the_review_queue_pages_through_many_cases(store: Store, db: TestDatabase) -> TestResult {
    seed_many(&db).await?;
    let filter = QueueFilter {
        type_id: TYPE.to_owned(),
        counties: vec!["county-0".to_owned(), "county-5".to_owned()],
        include_readable: true,
        statuses: vec!["submitted".to_owned(), "returned".to_owned()],
        limit: 50,
        ..QueueFilter::default()
    };
    let total = store.count_queue(&filter).await?;
    let mut seen = Vec::new();
    let mut before = None;
    let mut slowest = Duration::ZERO;
    for _ in 0..20 {
        let started = Instant::now();
        let page = store
            .review_queue(&QueueFilter {
                before: before.clone(),
                ..filter.clone()
            })
            .await?;
        slowest = slowest.max(started.elapsed());
        let Some(last) = page.last() else { break };
        before = Some((last.submitted_at.ok_or("sent")?, last.id.clone()));
        seen.extend(page);
    }
    assert_eq!(seen.len(), 1000, "20 full pages of {total}");
    assert!(total > 1000, "{total}");
    let keys: Vec<_> = seen
        .iter()
        .map(|c| (c.submitted_at.unwrap_or(0), c.id.clone()))
        .collect();
    assert!(
        keys.windows(2).all(|w| w[0] > w[1]),
        "strictly newest first, no duplicates"
    );
    assert!(seen.iter().all(|c| c.type_id == TYPE
        && ["submitted", "returned"].contains(&c.status.as_str())
        && (["county-0", "county-5"].contains(&c.county.as_deref().unwrap_or(""))
            || c.reader_counties == ["county-0"])));
    assert!(slowest < Duration::from_secs(2), "a page took {slowest:?}");

    if db.backend() == Backend::Postgres {
        // The page's statement is served by an index scan, newest first, stopping at the
        // limit: no sequential scan and no sort of the whole type.
        let pool = raw_pool(&db).await?;
        let plan: Vec<String> = sqlx::query(
            "EXPLAIN SELECT id FROM cases WHERE type_id = 'home_care' \
             AND submitted_at IS NOT NULL \
             AND (county IN ('county-0', 'county-5') \
                  OR reader_counties LIKE '%,' || 'county-0' || ',%' \
                  OR reader_counties LIKE '%,' || 'county-5' || ',%') \
             AND status IN ('submitted', 'returned') \
             AND (submitted_at, id) < (1700100000, 'c0030000') \
             ORDER BY submitted_at DESC, id DESC LIMIT 50",
        )
        .fetch_all(&pool)
        .await?
        .iter()
        .map(|r| sqlx::Row::try_get::<String, _>(r, 0))
        .collect::<Result<_, _>>()?;
        let plan = plan.join("\n");
        assert!(plan.contains("Index Scan"), "{plan}");
        assert!(
            !plan.contains("Seq Scan") && !plan.contains("Sort"),
            "{plan}"
        );
        pool.close().await;
    }
    Ok(())
}

async fn due_cases_come_oldest_deadline_first(store: Store, _db: TestDatabase) -> TestResult {
    for (id, deadline) in [
        ("late", Some(NOW + 300)),
        ("soon", Some(NOW + 100)),
        ("none", None),
        ("sooner", Some(NOW + 50)),
    ] {
        let case = create(&store, id).await?;
        store
            .move_case(&CaseMove {
                deadline_at: Some(deadline),
                ..submit(&case, NOW)
            })
            .await?;
    }
    assert!(store.cases_due(NOW + 49, 10).await?.is_empty());
    assert_eq!(
        ids(&store.cases_due(NOW + 100, 10).await?),
        ["sooner", "soon"]
    );
    assert_eq!(
        ids(&store.cases_due(NOW + 1000, 2).await?),
        ["sooner", "soon"]
    );
    assert_eq!(
        ids(&store.cases_due(NOW + 1000, 10).await?),
        ["sooner", "soon", "late"]
    );
    // Dealt with: its deadline cleared, it is no longer due.
    let soon = store.case("soon").await?.ok_or("case")?;
    store
        .move_case(&CaseMove {
            deadline_at: Some(None),
            ..step(&soon, "approved", "auto_approve", NOW + 100)
        })
        .await?;
    assert_eq!(
        ids(&store.cases_due(NOW + 1000, 10).await?),
        ["sooner", "late"]
    );
    Ok(())
}

async fn a_filer_sees_the_cases_filed_and_those_about_them(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let mine = store.create_case(&new_case("mine", "filer-1"), &[]).await?;
    // Filed by a handler of an organization, about filer-1's person.
    let about_me = store
        .create_case(
            &NewCase {
                filer_kind: "handler".to_owned(),
                org_code: Some("A0001".to_owned()),
                subject_national_id: Some("A123456789".to_owned()),
                subject_name: Some("王小明".to_owned()),
                now: NOW + 10,
                ..new_case("about-me", "handler-1")
            },
            &[],
        )
        .await?;
    store
        .create_case(
            &NewCase {
                org_code: Some("A0001".to_owned()),
                subject_national_id: Some("B223456789".to_owned()),
                now: NOW + 20,
                ..new_case("someone-else", "handler-1")
            },
            &[],
        )
        .await?;
    assert_eq!(
        ids(&store
            .cases_for_filer("filer-1", Some("A123456789"), 10)
            .await?),
        ["about-me", "mine"]
    );
    assert_eq!(
        ids(&store.cases_for_filer("filer-1", None, 10).await?),
        ["mine"]
    );
    // Updating a case brings it to the top.
    store
        .save_case_values(&mine.id, 1, mine.row_version, "{}", NOW + 30)
        .await?;
    assert_eq!(
        ids(&store
            .cases_for_filer("filer-1", Some("A123456789"), 10)
            .await?),
        ["mine", "about-me"]
    );
    assert_eq!(
        ids(&store
            .cases_for_filer("filer-1", Some("A123456789"), 1)
            .await?),
        ["mine"]
    );
    assert_eq!(
        ids(&store.cases_for_org("A0001", 10).await?),
        ["someone-else", about_me.id.as_str()]
    );
    assert!(store.cases_for_org("B0002", 10).await?.is_empty());
    Ok(())
}

fn attachment(id: &str, case_id: &str, version: i64, content: Option<Vec<u8>>) -> NewAttachment {
    NewAttachment {
        id: id.to_owned(),
        case_id: case_id.to_owned(),
        version,
        name: "診斷證明書.pdf".to_owned(),
        mime: "application/pdf".to_owned(),
        size: content.as_ref().map_or(0, |c| c.len() as i64),
        sha256: "ab".repeat(32),
        content,
        object_key: None,
        created_by: "filer-1".to_owned(),
        now: NOW + 5,
    }
}

async fn attachments_are_written_with_their_values_in_one_transaction(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let case = create(&store, "case-a").await?;
    let bytes: Vec<u8> = vec![
        0x00, 0xFF, 0x25, 0x50, 0x44, 0x46, 0x00, 0x80, 0xFE, 0x0A, 0x00,
    ];
    let case = store
        .add_attachment(
            &attachment("att-1", "case-a", 1, Some(bytes.clone())),
            case.row_version,
            r#"{"files":["att-1"]}"#,
        )
        .await?;
    assert_eq!(case.row_version, 2);
    assert_eq!(
        values(&store, "case-a", 1).await?.as_deref(),
        Some(r#"{"files":["att-1"]}"#)
    );
    let stored = store.attachment("att-1").await?.ok_or("attachment")?;
    assert_eq!(
        stored.content.as_deref(),
        Some(bytes.as_slice()),
        "bytes exactly"
    );
    assert_eq!(
        (
            stored.name.as_str(),
            stored.size,
            stored.version,
            stored.created_at
        ),
        ("診斷證明書.pdf", 11, 1, NOW + 5)
    );
    // On an object store: a key, no bytes.
    let case = store
        .add_attachment(
            &NewAttachment {
                object_key: Some("cases/case-a/att-2".to_owned()),
                size: 1_048_576,
                ..attachment("att-2", "case-a", 1, None)
            },
            case.row_version,
            r#"{"files":["att-1","att-2"]}"#,
        )
        .await?;
    let remote = store.attachment("att-2").await?.ok_or("attachment")?;
    assert_eq!(
        (remote.content, remote.object_key.as_deref()),
        (None, Some("cases/case-a/att-2"))
    );

    // Read before the second upload: neither the file nor the values are written.
    let refused = store
        .add_attachment(
            &attachment("att-3", "case-a", 1, Some(vec![1, 2, 3])),
            case.row_version - 1,
            r#"{"files":["att-3"]}"#,
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Conflict)), "{refused:?}");
    assert_eq!(store.attachment("att-3").await?, None);
    assert_eq!(
        values(&store, "case-a", 1).await?.as_deref(),
        Some(r#"{"files":["att-1","att-2"]}"#)
    );
    let refused = store
        .add_attachment(
            &attachment("att-3", "case-a", 7, Some(vec![1, 2, 3])),
            case.row_version,
            "{}",
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::NotFound)),
        "no version 7: {refused:?}"
    );
    assert_eq!(store.attachment("att-3").await?, None);

    let listed = store.attachments_of("case-a").await?;
    assert_eq!(
        listed.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["att-1", "att-2"]
    );
    assert!(
        listed.iter().all(|a| a.content.is_none()),
        "no content in listings"
    );
    assert_eq!(listed[0].sha256, "ab".repeat(32));

    // Removed with its values; a stale removal changes nothing.
    let refused = store
        .remove_attachment("case-a", "att-1", case.row_version - 1, "{}", NOW + 6)
        .await;
    assert!(matches!(refused, Err(StoreError::Conflict)), "{refused:?}");
    assert!(store.attachment("att-1").await?.is_some());
    let case = store
        .remove_attachment(
            "case-a",
            "att-1",
            case.row_version,
            r#"{"files":["att-2"]}"#,
            NOW + 7,
        )
        .await?;
    assert_eq!(store.attachment("att-1").await?, None);
    assert_eq!(
        values(&store, "case-a", 1).await?.as_deref(),
        Some(r#"{"files":["att-2"]}"#)
    );
    let missing = store
        .remove_attachment("case-a", "att-1", case.row_version, "{}", NOW + 8)
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");

    // In force, then changed: taking the file out of the change keeps it for version 1.
    let case = store
        .move_case(&CaseMove {
            version: VersionChange::AdoptCurrent,
            ..step(&case, "approved", "approve", NOW + 10)
        })
        .await?;
    let case = store
        .start_case_version(
            "case-a",
            case.row_version,
            r#"{"files":["att-2"]}"#,
            "filer-1",
            NOW + 11,
        )
        .await?;
    store
        .remove_attachment(
            "case-a",
            "att-2",
            case.row_version,
            r#"{"files":[]}"#,
            NOW + 12,
        )
        .await?;
    assert!(store.attachment("att-2").await?.is_some());
    assert_eq!(
        values(&store, "case-a", 1).await?.as_deref(),
        Some(r#"{"files":["att-2"]}"#)
    );
    assert_eq!(
        values(&store, "case-a", 2).await?.as_deref(),
        Some(r#"{"files":[]}"#)
    );
    Ok(())
}

async fn staff_counties_are_replaced_and_staff_can_be_disabled(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let staff = store
        .create_staff(&new_account("Reviewer01"), &["reviewer".to_owned()])
        .await?;
    store
        .set_staff_counties(&staff.id, &["臺北市".to_owned(), "基隆市".to_owned()])
        .await?;
    assert_eq!(store.staff_counties(&staff.id).await?, ["基隆市", "臺北市"]);
    store
        .set_staff_counties(&staff.id, &["新北市".to_owned(), "臺北市".to_owned()])
        .await?;
    assert_eq!(store.staff_counties(&staff.id).await?, ["新北市", "臺北市"]);
    store.set_staff_counties(&staff.id, &[]).await?;
    assert!(store.staff_counties(&staff.id).await?.is_empty());
    let member = store.create_account(&new_account("Member01")).await?;
    assert!(matches!(
        store
            .set_staff_counties(&member.id, &["臺北市".to_owned()])
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(store.staff_counties(&member.id).await?.is_empty());

    store
        .create_staff_session(&tessera_store::staff::StaffSession {
            id_hash: "session-hash".to_owned(),
            account_id: staff.id.clone(),
            created_at: NOW,
            last_seen_at: NOW,
            expires_at: NOW + 3600,
        })
        .await?;
    store.record_login_failure(&staff.id, 5, NOW).await?;
    store.set_staff_disabled(&staff.id, true).await?;
    let account = store.account_by_id(&staff.id).await?.ok_or("account")?;
    assert!(account.disabled);
    assert!(
        !store.record_login_success(&staff.id, NOW + 1).await?,
        "cannot sign in"
    );
    assert_eq!(
        store
            .staff_session_if_live("session-hash", NOW + 2, 600)
            .await?,
        None,
        "signed out"
    );
    store.set_staff_disabled(&staff.id, false).await?;
    let account = store.account_by_id(&staff.id).await?.ok_or("account")?;
    assert_eq!((account.disabled, account.failed_logins), (false, 0));
    assert!(store.record_login_success(&staff.id, NOW + 3).await?);
    assert!(matches!(
        store.set_staff_disabled(&member.id, true).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        !store
            .account_by_id(&member.id)
            .await?
            .ok_or("member")?
            .disabled
    );
    assert_eq!(account.kind, kind::STAFF);
    Ok(())
}

async fn organizations_have_a_county_and_are_found_by_institution_code(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let org = |code: &str, institution: Option<&str>| OrgRecord {
        agency_code: code.to_owned(),
        name: format!("機關 {code}"),
        organization_oid: None,
        business_id: None,
        institution_code: institution.map(str::to_owned),
        kind: "medical".to_owned(),
    };
    store
        .import_organizations(
            &[
                org("H0002", Some("0101090517")),
                org("H0001", Some("0101090517")),
                org("A0001", None),
            ],
            NOW,
        )
        .await?;
    assert_eq!(store.org_county("A0001").await?, None);
    store.set_org_county("A0001", "臺北市").await?;
    assert_eq!(store.org_county("A0001").await?.as_deref(), Some("臺北市"));
    store.set_org_county("A0001", "新北市").await?;
    assert_eq!(store.org_county("A0001").await?.as_deref(), Some("新北市"));
    assert!(matches!(
        store.set_org_county("Z9999", "臺北市").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.org_county("Z9999").await?, None);
    // The registry's entry itself is unchanged.
    let a = store.organization("A0001").await?.ok_or("org")?;
    assert_eq!(a.updated_at, NOW);

    let found = store
        .organization_by_institution_code("0101090517")
        .await?
        .ok_or("by institution code")?;
    assert_eq!(
        found.agency_code, "H0001",
        "the smallest agency code of two"
    );
    assert_eq!(
        store.organization_by_institution_code("0000000000").await?,
        None
    );
    Ok(())
}

async fn a_move_commits_its_audit_entries_and_mail_with_it(
    store: Store,
    db: TestDatabase,
) -> TestResult {
    let case = store
        .create_case(
            &new_case("case-a", "filer-1"),
            &[audit_event("case_created")],
        )
        .await?;
    assert_eq!(store.audit_head().await?.0, 1);
    let case = store
        .move_case(&CaseMove {
            audit: vec![audit_event("case_submitted"), audit_event("case_routed")],
            mail: vec![notice("filer@example.tw"), notice("reviewer@example.tw")],
            ..submit(&case, NOW + 10)
        })
        .await?;
    let kinds: Vec<String> = store
        .audit_entries(Some("reviewer-1"), 10)
        .await?
        .into_iter()
        .map(|e| e.event.kind)
        .collect();
    assert_eq!(kinds, ["case_routed", "case_submitted", "case_created"]);
    let mut recipients: Vec<String> = store
        .outbox(10)
        .await?
        .into_iter()
        .map(|m| m.mail.to)
        .collect();
    recipients.sort();
    assert_eq!(recipients, ["filer@example.tw", "reviewer@example.tw"]);
    assert_eq!(store.verify_audit_chain().await?.first_bad_seq, None);

    // The mail cannot be queued (its table is gone): the move is rolled back whole.
    let b = create(&store, "case-b").await?;
    let pool = raw_pool(&db).await?;
    sqlx::query("DROP TABLE mail_outbox").execute(&pool).await?;
    pool.close().await;
    let head = store.audit_head().await?;
    let failed = store
        .move_case(&CaseMove {
            audit: vec![audit_event("case_submitted")],
            mail: vec![notice("filer@example.tw")],
            bookings: Some(vec![booking(
                "A123456789",
                "2026-02-01",
                "2026-02-28",
                "mon-am",
            )]),
            ..submit(&b, NOW + 20)
        })
        .await;
    assert!(matches!(failed, Err(StoreError::Database(_))), "{failed:?}");
    assert_eq!(store.case("case-b").await?, Some(b.clone()));
    assert!(store.case_events("case-b").await?.is_empty());
    assert!(
        store
            .bookings_of(TYPE, "A123456789", None)
            .await?
            .is_empty()
    );
    assert_eq!(store.audit_head().await?, head);
    // Its number was not used up.
    let b = store.move_case(&submit(&b, NOW + 30)).await?;
    assert_eq!(b.number.as_deref(), Some("報備-115-000002"));
    assert_eq!(case.number.as_deref(), Some("報備-115-000001"));
    Ok(())
}
